"""How the reports' numbers are written, and which words each figure of a result is said in. The words themselves,
every label and every sentence's template, live in each language's own module (en.py, ja.py), looked up by key;
nothing here says anything in one language that the other does not say in its own words.

The decision (`result.recommendation.Recommendation`) holds kinds and figures; this module picks each sentence by
its kind and writes its figures out. Numbers are formatted the same way in both languages, so the tables of the
two reports are identical and only the prose differs.
"""

from __future__ import annotations

from feasibility.reports import en as english
from feasibility.reports import ja as japanese
from feasibility.result.costs import JoinCost
from feasibility.result.recommendation import Evidence, Finding, Recommendation, SettlingRun
from feasibility.result.spec import SavedDeployment
from feasibility.vocabulary import STOP_REASONS, Decision, Verdict

LANGUAGES = ("en", "ja")
LABELS = {"en": english.LABELS, "ja": japanese.LABELS}  # short labels: headings, table headers, table cells


# Numbers, written the same way in both languages: units, separators and precision, in one place.


def percent(value: float | None) -> str:
    """A fraction as a percentage with one decimal (99.3%), or "-" where there is none."""
    return "-" if value is None else f"{value:.1%}"


def share(value: float) -> str:
    """A target as people write it: 99%, 99.5%, 95%."""
    return f"{value:.1%}".replace(".0%", "%")


def count(value) -> str:
    """A whole number with thousands separators (4,096), or "-"."""
    return "-" if value is None else f"{value:,}"


def si(value: float) -> str:
    """Three significant figures with an SI prefix: 92.3M, 725k, 1.12G."""
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{unit}"
    return f"{value:.0f}"


def size(value: float) -> str:
    """A number of bytes in binary units: 1.5 MiB."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:.0f} B"


def milliseconds(value: float) -> str:
    """Three significant figures, without exponent notation for a second or more."""
    text = f"{value:.3g}"
    return f"{value:,.0f} ms" if "e" in text else f"{text} ms"


def money_amount(value: float) -> str:
    """An amount of money with as many digits as it needs: 1,234 / 12.35 / 0.0085."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.2g}"



def label(key: str, lang: str, **figures) -> str:
    return LABELS[lang][key].format(**figures)


def kind_name(kind: str, lang: str) -> str:
    return LABELS[lang].get(kind, kind.replace("_", " "))


def _number(n: int, key: str, lang: str) -> str:
    """The word of `key` that agrees with `n`: `<key>_one` for 1, `<key>_many` otherwise (n fills a {n} in it)."""
    return label(f"{key}_{'one' if n == 1 else 'many'}", lang, n=n)


def _layers(n: int, lang: str) -> str:
    return _number(n, "n_layers", lang)


def _hops(n: int, lang: str) -> str:
    return _number(n, "n_hops", lang)


def _threads(n: int, lang: str) -> str:
    return _number(n, "n_threads", lang)


def counted(lang: str, **counts: int) -> dict[str, str]:
    """{name}_text for each count, with its noun in the right number: counted("en", lower=1) -> {"lower_text": "1 layer"}
    (names: lower, upper, layers -> layers; hops; seeds; threads)."""
    nouns = {"lower": "n_layers", "upper": "n_layers", "layers": "n_layers", "hops": "n_hops", "seeds": "n_seeds", "threads": "n_threads"}
    return {f"{name}_text": _number(value, nouns[name], lang) for name, value in counts.items()}


def _where(rec: Recommendation, lang: str) -> str:
    """At which length the verdict holds: the task's, both, or only the shorter one the probes trained at."""
    trained, task = rec.probe_length, rec.full_length
    if trained is None:
        return ""
    if task is None:
        return label("where_probe", lang, trained=trained)
    return label("where_both" if rec.holds_at_full_length else "where_short", lang, trained=trained, task=task, accuracy=percent(rec.full_length_accuracy))


def headline(rec: Recommendation, lang: str) -> str:
    """The decision at the top of every report: one sentence, led by the join where the records are structured."""
    model = _model_headline(rec, lang)
    join = rec.join
    if not join:
        return model
    price = join.known("cost_per_million_requests")
    cost = label("hl_join_cost", lang, price=money_amount(price), currency=rec.currency) if price is not None else ""
    key = "hl_join_one" if rec.hops == 1 else "hl_join_many"
    return label(key, lang, hops=rec.hops, per_request=f"{join.p50_ms * 1000:.1f} µs", cost=cost, model=model, model_lower=model[0].lower() + model[1:])


def _model_headline(rec: Recommendation, lang: str) -> str:
    """The one-sentence decision on the model, in the words of its decision (`hl_<decision>`)."""
    depth = rec.reference_depth
    shown = {"p": f"p{rec.percentile}", "hops": rec.hops, "target": share(rec.target), "budget": rec.budget_ms, "where": _where(rec, lang)}
    if depth is not None and rec.latency_ms is not None:
        shown.update(depth=depth, layers=_layers(depth, lang), latency=milliseconds(rec.latency_ms), answers=_number(depth, "w_answers", lang), its=_number(depth, "w_its", lang))
    if rec.decision == Decision.RECOMMENDED:
        return label("hl_recommended", lang, lead=label("hl_lead_single" if rec.single_hop else "hl_lead", lang), **shown)
    if rec.decision == Decision.NOT_SHOWN_AT_LENGTH:
        return _not_shown_headline(rec, lang)
    if rec.decision == Decision.TOO_CLOSE_TO_CALL:
        low, high = rec.latency_ci95_ms
        return label("hl_too_close", lang, low=milliseconds(low), high=milliseconds(high), **shown)
    if rec.decision == Decision.NONE_WITHIN_BUDGET:
        return label("hl_over", lang, single=label("hl_over_single", lang) if rec.single_hop else "", **shown)
    slow = rec.too_slow_depths or []
    cut = label("hl_cut", lang, depths=_listed(slow, lang), them=_number(len(slow), "w_them", lang)) if slow else ""
    tail = label("hl_tail_both" if rec.binding_constraint == "both" else "hl_tail", lang, budget=rec.budget_ms)
    return label("hl_not_learned", lang, cut=cut, tail=tail, **shown)


def _not_shown_headline(rec: Recommendation, lang: str) -> str:
    """"At least N layers": learned at the probes' length, not yet shown at the task's, and the run that settles it."""
    depth, task, low, run = rec.learned_depth, rec.full_length, rec.full_length_lower_bound, rec.settling_run
    bound = label("hl_bound", lang, low=percent(low)) if low is not None else ""
    settle = label("hl_settle_cost", lang, task=task, cost=_settling_cost(run, lang)) if run else label("hl_settle", lang, task=task)
    return label(
        "hl_not_shown", lang, depth=depth, layers=_layers(depth, lang), hops=rec.hops, target=share(rec.target), trained=rec.probe_length,
        task=task, accuracy=percent(rec.full_length_accuracy), bound=bound, settle=settle,
    )


def _settling_cost(run: SettlingRun, lang: str) -> str:
    """The settling run's size and estimated time here and on a GPU."""
    return label("settling", lang, depth=run.depth, layers=_layers(run.depth, lang), steps=run.steps, here=duration(run.seconds_here, lang),
                 gpu_time=duration(run.seconds_gpu, lang), gpu=run.gpu)


def duration(seconds: float, lang: str) -> str:
    """Seconds as people say them: 40 s, 12 min, 3.5 h."""
    if seconds < 90:
        return label("dur_s", lang, value=seconds)
    if seconds < 5400:
        return label("dur_min", lang, value=seconds / 60)
    return label("dur_h", lang, value=seconds / 3600)


def stop_reason(reason: str | None, plateau_since_step: int | None, lang: str) -> str:
    """Why a probe run stopped (a ProbeRun's stop_reason), with the step its plateau began."""
    if reason not in STOP_REASONS:
        return str(reason)
    return label(f"stop_{reason.replace(' ', '_')}", lang, step=plateau_since_step)


def _heuristic(name: str | None, lang: str) -> str:
    return label(f"h_{name}", lang) if name else "-"


def _judged(item: Evidence, lang: str) -> str:
    """The question's figures behind a verdict: weakest seed, the length, the full length, and chance."""
    parts = []
    if item.accuracy is not None:
        parts.append(label("j_accuracy", lang, accuracy=percent(item.accuracy), questions=count(item.questions), length=item.length, lower_bound=percent(item.lower_bound)))
    if item.full_length is not None:
        parts.append(label("j_full", lang, full_length=item.full_length, accuracy=percent(item.full_length_accuracy)))
    if item.at_chance:
        parts.append(label("j_chance", lang, heuristic=_heuristic(item.chance_heuristic, lang), chance=percent(item.chance)))
    return label("j_sep", lang).join(parts) + (label("j_end", lang) if parts else "")


def evidence(item: Evidence, target: float, lang: str) -> str:
    """One depth's verdict in plain words, with the figures it rests on (`ev_<verdict>`)."""
    shown = {"depth": item.depth, "seeds": f"{item.seeds_learned}/{item.seeds}", "steps": count(item.steps), "target": percent(target)}
    if item.verdict == Verdict.SKIPPED:
        return label("ev_skipped", lang, first=item.first_learned, **shown)
    if item.verdict == Verdict.RULED_OUT:
        return label("ev_ruled_out", lang, hops=item.hops, floor=item.floor, **shown)
    if item.verdict == Verdict.DIVERGED:
        return label("ev_diverged", lang, **shown)
    shown["figures"] = _judged(item, lang)
    if item.verdict == Verdict.LEARNED:
        return label("ev_learned", lang, note=label("ev_learned_contradicts", lang) if item.contradicts_bound else "", **shown)
    if item.verdict == Verdict.BELOW_BOUND:
        return label("ev_below_contradicts" if item.contradicts_bound else "ev_below", lang, **shown)
    if item.verdict == Verdict.TOO_SLOW:
        return label("ev_too_slow", lang, time_budget=item.time_budget_s or 0, **shown)
    return label("ev_not_learned", lang, stop=stop_reason(item.stop_reason, item.plateau_since_step, lang), **shown)


def cost_line(rec: Recommendation, deployment: SavedDeployment, lang: str) -> str | None:
    """What the recommended (or needed) depth costs to serve, in the task file's currency; None without a price."""
    depth = rec.reference_depth
    point = next((p for p in rec.frontier if p.depth == depth), None)
    if point is None or point.cost_per_million_requests is None:
        return None
    currency, per_day = rec.currency, point.cost_per_day
    daily = label("cost_daily", lang, requests=deployment.requests_per_day, per_day=money_amount(per_day), currency=currency) if per_day is not None else ""
    return label("cost_line", lang, depth=depth, layers=_layers(depth, lang), per_million=money_amount(point.cost_per_million_requests),
                 currency=currency, price=deployment.cost_per_device_hour, daily=daily)


def margin(rec: Recommendation, lang: str) -> str | None:
    """The latency margin of the recommended (or needed) depth, in words, with its 95% interval where the timing
    rounds give one; None when there is none to state."""
    if rec.latency_margin_ms is None:
        return None
    depth, budget, left, interval = rec.reference_depth, rec.budget_ms, rec.latency_margin_ms, rec.latency_ci95_ms
    among = label("margin_among", lang, low=milliseconds(interval[0]), high=milliseconds(interval[1])) if interval else label("margin_among_none", lang)
    shown = {"depth": depth, "layers": _layers(depth, lang), "takes": _number(depth, "w_takes", lang), "latency": milliseconds(rec.latency_ms),
             "p": f"p{rec.percentile}", "among": among, "budget": budget}
    if left >= 0:
        return label("margin_left", lang, left=milliseconds(left), share=f"{left / budget:.0%}", **shown)
    return label("margin_over", lang, over=milliseconds(-left), **shown)


def join_note(join: JoinCost, lang: str) -> str:
    """How the join was timed, for the reasons."""
    return label("join_note", lang, statements=join.statements, lookups=join.lookups, lookup_word=_number(join.lookups, "w_lookup", lang),
                 p50=f"{join.p50_ms * 1000:.1f} µs", p95=f"{join.p95_ms * 1000:.1f} µs", runs=join.runs)


def single_hop_note(lang: str) -> str:
    return label("single_hop_note", lang)


def alternative(option: Finding, rec: Recommendation, lang: str) -> str:
    """One alternative, with its figures, in the words of its kind (`alt_<kind>` in en.py and ja.py)."""
    if option.kind not in ALTERNATIVES:
        raise ValueError(f"unknown alternative {option.kind!r}")
    key, shown = ALTERNATIVES[option.kind](option.figures, rec, lang)
    return label(key, lang, **{**option.figures, "p": f"p{rec.percentile}", **shown})


def _deepest_within_budget(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    layers, needed = option["layers"], option.get("needed")
    if layers < 1:
        return "alt_deepest_none", {}
    gap = label("alt_deepest_gap", lang, needed=needed) if needed is not None and layers < needed else ""
    upto, points = option.get("measured_upto"), option.get("measured_points")
    far = upto is not None and layers > 2 * upto  # a line through two or three points, carried past twice their range
    how = label("alt_deepest_far", lang, upto=upto, points=points) if far else label("alt_deepest_fit", lang, p=f"p{rec.percentile}")
    return "alt_deepest_within_budget", {"layers_text": _layers(layers, lang), "how": how, "gap": gap}


def _narrower(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    return "alt_narrower", {"depth_text": _layers(option["depth"], lang), "latency": milliseconds(option["latency_ms"])}


def _fit(fits: bool, lang: str) -> str:
    return label("alt_within" if fits else "alt_over", lang)


def _wider_fewer_layers(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    fits = option["latency_ms"] <= rec.budget_ms
    return "alt_wider_fewer_layers", {"depth_text": _layers(option["depth"], lang), "latency": milliseconds(option["latency_ms"]), "fit": _fit(fits, lang)}


def _split_passes(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    per_pass = milliseconds(option["latency_ms"] / option["passes"])
    return "alt_split_passes", {"hops_text": _hops(option["hops_per_pass"], lang), "per_pass": per_pass, "latency": milliseconds(option["latency_ms"]), "fit": _fit(option["fits"], lang)}


def _fewer_hops(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    latency = option.get("latency_ms")
    cost = label("alt_fewer_hops_cost", lang, latency=milliseconds(latency), p=f"p{rec.percentile}") if latency is not None else ""
    return "alt_fewer_hops", {"cost": cost}


def _settle_at_length(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    return "alt_settle_at_length", {"settling": _settling_cost(SettlingRun(**option), lang)}


def _as_written(kind: str):
    """An alternative whose sentence reads its option's own figures."""
    return lambda option, rec, lang: (f"alt_{kind}", {})


ALTERNATIVES = {  # an alternative's kind -> its sentence's key and the figures it shows, written out
    "deepest_within_budget": _deepest_within_budget, "narrower": _narrower, "wider_fewer_layers": _wider_fewer_layers,
    "split_passes": _split_passes, "fewer_hops": _fewer_hops, "more_time": _as_written("more_time"),
    "more_training": _as_written("more_training"), "settle_at_length": _settle_at_length, "deeper_probes": _as_written("deeper_probes"),
}


def _listed(depths: list[int], lang: str) -> str:
    return label("list_sep", lang).join(str(d) for d in depths)


def _sentence(prefix: str, kind: str, shown: dict, lang: str) -> str:
    key = f"{prefix}_{kind}"
    if key not in LABELS[lang]:
        raise ValueError(f"unknown {'risk' if prefix == 'risk' else 'question'} {kind!r}")
    return label(key, lang, **shown)


def risk(item: Finding, lang: str) -> str:
    """One risk, in the words of its kind (`risk_<kind>` in en.py and ja.py), with its figures written out."""
    kind, figures = item.kind, item.figures
    shown = dict(figures)
    if kind == "shortened":
        kind = "shortened" if figures.get("accuracy") is not None else "shortened_unjudged"
        shown.update(accuracy=percent(figures.get("accuracy")), lower_bound=percent(figures.get("lower_bound")))
        shown["holds"] = label("risk_holds" if figures.get("holds") else "risk_holds_short", lang, probe_length=figures["probe_length"])
    if "depths" in figures:
        shown["depths"] = _listed(figures["depths"], lang)
    if "margin_ms" in figures:
        shown["margin"] = milliseconds(figures["margin_ms"])
    if "passes_p50_ms" in figures:
        shown["passes"] = label("then", lang).join(milliseconds(p50) for p50 in figures["passes_p50_ms"])
    return _sentence("risk", kind, shown, lang)


def question(item: Finding, lang: str) -> str:
    """One question for the meeting, in the words of its kind (`q_<kind>` in en.py and ja.py)."""
    kind, figures = item.kind, item.figures
    shown = dict(figures)
    if "threads" in figures:
        shown["threads"] = _threads(figures["threads"], lang)
    if "margin_ms" in figures:
        shown["margin"] = milliseconds(figures["margin_ms"])
    if "interval_ms" in figures:
        shown["low"], shown["high"] = (milliseconds(value) for value in figures["interval_ms"])
    if "latency_ms" in figures:
        shown["latency"] = milliseconds(figures["latency_ms"])
    if "depth" in figures:
        shown["layers"] = _layers(figures["depth"], lang)
    if "needed" in figures:
        shown["needed_layers"], shown["take"] = _layers(figures["needed"], lang), label("q_take_one" if figures["needed"] == 1 else "q_take_many", lang)
    shown["cost"] = label("q_cost", lang, cost=_settling_cost(SettlingRun(**figures), lang)) if kind == "settle_at_length" and "steps" in figures else ""
    return _sentence("q", kind, shown, lang)
