"""How the reports' numbers are written, and which words each figure of a result is said in. The words themselves,
every label and every sentence's template, live in each language's own module (en.py, ja.py), looked up by key;
nothing here says anything in one language that the other does not say in its own words.

The decision (`result.recommendation.Recommendation`) holds kinds and figures; this module picks each sentence by
its kind and writes its figures out. Numbers are formatted the same way in both languages, so the tables of the
two reports are identical and only the prose differs.

The meeting report is worded here once, as a list of blocks (headings, paragraphs, lists, tables, the figures
that belong there: `report`), which the renderers lay out: markdown.py as Markdown, terminal.py reads the sentences
it shares with it (`reasons`, `verdict_cell`, `inside_findings`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from feasibility import __version__
from feasibility.plan.probe_plan import BUDGET_SHARE
from feasibility.reports import en as english
from feasibility.reports import ja as japanese
from feasibility.result.assessment import Assessment, Comparison, InsideView
from feasibility.result.context import DepthBounds
from feasibility.result.costs import DepthCost, JoinCost, LatencyFigures
from feasibility.result.inside import EMERGENCE_THRESHOLD, INSPECT_EXAMPLES
from feasibility.result.probes import ProbeRun
from feasibility.result.recommendation import Evidence, Finding, Recommendation, SettlingRun
from feasibility.result.spec import SavedDeployment, SavedPlan
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


# The meeting report, worded: blocks that a renderer lays out (markdown.py). No layout syntax here.


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Lead:
    """A paragraph led by a label in bold: the decision."""

    label: str
    text: str


@dataclass
class Note:
    """An aside in italics: the task's description, a result of another version."""

    text: str


@dataclass
class Lines:
    """A paragraph of one or more lines."""

    lines: list[str]


@dataclass
class Items:
    items: list[str]
    numbered: bool = False


@dataclass
class Table:
    header: list[str]
    align: str  # one letter per column: "l" left, "r" right
    rows: list[list] = field(default_factory=list)


@dataclass
class Figures:
    """The figures that belong here, of those the report has: by name, or every one whose name starts with `prefix`."""

    names: tuple[str, ...] = ()
    prefix: str | None = None

    def of(self, plots: list[str]) -> list[str]:
        return [name for name in plots if name in self.names or (self.prefix is not None and name.startswith(self.prefix))]


GLOSSARY = ("wilson", "check_set", "stop_rule", "ground_value", "chance", "macs", "dominated", "heads")  # the terms a manager meets here


def report(assessment: Assessment, lang: str = "en") -> list:
    """The meeting report's blocks: decision first, then the key table, the reasons, the frontier, the options,
    the learning curves, inside the probes, method and caveats, a glossary, then the raw numbers."""
    rec = assessment.recommendation
    blocks = _task_blocks(assessment, lang)
    blocks += _depth_blocks(assessment, lang)
    blocks += _why_blocks(assessment, lang)
    blocks += _frontier_blocks(assessment, lang)
    blocks += _batching_blocks(assessment, lang)
    blocks += _options_blocks(rec, lang)
    blocks += _curves_blocks(assessment, lang)
    blocks += _inside_blocks(assessment, rec, lang)
    blocks += _curriculum_blocks(assessment, lang)
    blocks += _theory_blocks(assessment.bounds, assessment.spec.task.hops, lang)
    blocks += _method_blocks(assessment, lang)
    blocks += [Heading(label("glossary", lang)), Items([label(f"gl_{term}", lang) for term in GLOSSARY])]
    blocks += _runs_blocks(assessment, lang)
    blocks += _costs_blocks(assessment, lang)
    return blocks + [Lines([label("footer", lang, version=assessment.tool_version, created=assessment.created)])]


def _task_blocks(assessment: Assessment, lang: str) -> list:
    """The title, the decision and the task as the file states it."""
    spec, env, rec = assessment.spec, assessment.environment, assessment.recommendation
    req, dep = spec.requirements, spec.deployment
    t = partial(label, lang=lang)
    blocks = [Heading(t("title", name=spec.name), 1), Lead(t("decision"), headline(rec, lang)), *[Note(note) for note in older_result(assessment, lang)]]
    if spec.known("description"):
        blocks.append(Note(spec.description))
    return blocks + [
        Heading(t("task")),
        Items([
            t("task_line", hops=spec.task.hops, kind=kind_name(spec.task.kind, lang), length=spec.task.sequence_length),
            t("target_line", accuracy=percent(req.accuracy), percentile=req.latency_percentile, budget=req.latency_ms, batch=req.batch_size),
            t("deployment_line", width=dep.width, heads=dep.heads, vocab=dep.vocab_size, dtype=dep.dtype, device=env.device),
        ]),
    ]


def older_result(assessment: Assessment, lang: str) -> list[str]:
    """A result measured by another version than the one rendering it says so (its figures are that version's)."""
    if assessment.tool_version == __version__:
        return []
    return [label("older_result", lang, saved=assessment.tool_version, current=__version__)]


def _question_columns(assessment: Assessment, lang: str) -> list[str]:
    """The question's accuracy columns: at the probe's length, and at the task's where the probes trained shorter."""
    full_length = full_length_of(assessment)
    return [label("question", lang)] + ([label("question_at", lang, length=full_length)] if full_length else [])


def _depth_blocks(assessment: Assessment, lang: str) -> list:
    """The key table: one row per planned depth, with the notes on how it was judged and what chance is."""
    hops, percentile = assessment.spec.task.hops, assessment.spec.requirements.latency_percentile
    t = partial(label, lang=lang)
    full_length = full_length_of(assessment)
    header = [t("depth"), t("vs_bound"), *[t("hop", hop=h) for h in range(1, hops + 1)], *_question_columns(assessment, lang), t("lower_bound"), t("verdict"), "MACs", "FLOPs", t("params"), f"p{percentile} ms", t("fits")]
    left = {t("vs_bound"), t("verdict"), t("fits")}
    table = Table(header, "".join("l" if h in left else "r" for h in header))
    for row in assessment.views.depth_rows:
        table.rows.append([
            row["depth"],
            t(row["vs_bound"]),
            *[percent(row["accuracy_by_hop"].get(h)) for h in range(1, hops + 1)],
            percent(row["question"]),
            *([percent(row["question_full_length"])] if full_length else []),
            percent(row["lower_bound"]),
            verdict_cell(row, lang),
            *[si(row[name]) if row[name] is not None else "-" for name in ("macs", "flops", "parameters")],
            f"{row['latency_ms']:.2f}" if row["latency_ms"] is not None else "-",
            t("yes" if row["within_budget"] else "no"),
        ])
    full_note = t("table_note_full", length=full_length) if full_length else ""
    plan = assessment.plan
    note = Lines([t("table_note", hops=hops, questions=f"{plan.verdict_questions:,}", length=plan.probe_sequence_length, full=full_note)])
    chance = chance_line(assessment, lang)
    return [Heading(t("depths")), table, note, *([Lines([chance])] if chance else []), Figures(("accuracy.png", "latency.png"))]


def _why_blocks(assessment: Assessment, lang: str) -> list:
    rec, fit = assessment.recommendation, assessment.latency_fit
    blocks = [Heading(label("why", lang)), Items(reasons(rec, assessment.spec.deployment, lang))]
    if fit and rec.deepest_within_budget is not None:
        layers = rec.deepest_within_budget
        blocks.append(Lines([label("fit_line", lang, slope=fit.slope_ms_per_layer, percentile=fit.percentile, layers=layers, **counted(lang, layers=layers))]))
    return blocks


def _frontier_blocks(assessment: Assessment, lang: str) -> list:
    """Accuracy against latency and money, depth by depth, with the depths no other beats on both."""
    percentile, currency = assessment.spec.requirements.latency_percentile, assessment.currency
    t = partial(label, lang=lang)
    header = [t("depth"), t("accuracy"), f"p{percentile} ms", t("cost_1m", currency=currency), t("cost_day", currency=currency), t("fits"), t("option")]
    table = Table(header, "rrrrrll", _frontier_rows(assessment.recommendation, lang))
    return [Heading(t("frontier")), Lines([t("frontier_note", percentile=percentile)]), table, Figures(("frontier.png",))]


def _options_blocks(rec: Recommendation, lang: str) -> list:
    """What else the team could do, the risks, and the questions to settle in the meeting."""
    blocks = []
    if rec.alternatives:
        blocks += [Heading(label("alternatives", lang)), Items([alternative(option, rec, lang) for option in rec.alternatives])]
    blocks += [Heading(label("risks", lang)), Items([risk(item, lang) for item in rec.risks])]
    return blocks + [Heading(label("questions", lang)), Items([question(q, lang) for q in rec.questions], numbered=True)]


def _curves_blocks(assessment: Assessment, lang: str) -> list:
    """Each trained depth's learning curve in a line, and the curve figures."""
    if not assessment.probes:
        return []
    t = partial(label, lang=lang)
    lines = [f"{t('depth_n', depth=run.depth)} ({stop_reason(run.stop_reason, run.plateau_since_step, lang)}): {curve_summary(run, lang=lang)}" for run in assessment.probes]
    return [Heading(t("curves")), Lines([t("curves_note", hops=assessment.spec.task.hops)]), Items(lines), Figures(prefix="curves-")]


def _theory_blocks(bounds: DepthBounds, hops: int, lang: str) -> list:
    t = partial(label, lang=lang)
    return [
        Heading(t("theory")),
        Items([
            t("lower_line", lower=bounds.lower, hops=hops, formula=bounds.lower_formula, source=bounds.lower_source, **counted(lang, lower=bounds.lower, hops=hops)),
            t("upper_line", upper=bounds.upper, formula=bounds.upper_formula, source=bounds.upper_source, **counted(lang, upper=bounds.upper)),
        ]),
    ]


def _method_blocks(assessment: Assessment, lang: str) -> list:
    """How the probes were trained and judged, and where the costs were timed."""
    plan, env = assessment.plan, assessment.environment
    t = partial(label, lang=lang)
    probes = t(
        "probe_line",
        family=kind_name(plan.family, lang).removeprefix("の"),  # the Japanese names lead with a particle: "2 ホップの連鎖検索"
        seeds=len(plan.seeds),
        **counted(lang, seeds=len(plan.seeds)),
        width=plan.width,
        heads=plan.heads,
        kind=t("attention_only") if not plan.mlp_ratio else t("with_mlps"),
        batch=plan.batch_size,
        lr=plan.learning_rate,
        steps=plan.max_steps,
        seconds=plan.time_budget_s,
        curriculum=t("on") if plan.curriculum else t("off"),
    )
    where = t("env_line", device=env.device, name=env.device_name, **counted(lang, threads=env.threads), dtype=env.dtype, torch=env.torch_version, fvcore=env.fvcore_version, what=_timed_what(assessment, lang))
    length = t("probe_length", length=plan.probe_sequence_length, how=_length_how(plan, lang))
    return [Heading(t("method")), Items([probes, length, _judging_line(plan, lang), where, *_steadiness_lines(assessment, lang)])]


def _runs_blocks(assessment: Assessment, lang: str) -> list:
    """Every seed of every trained depth, and the compute training spent."""
    t = partial(label, lang=lang)
    questions = _question_columns(assessment, lang)
    full_length = len(questions) > 1
    table = Table([t("depth"), t("seed"), t("steps"), t("train_s"), t("stop"), t("accuracy_by_hop"), t("query_check"), t("query"), *questions[1:]], "rrrrllrr" + ("r" if full_length else ""))
    for run in assessment.probes:
        for seed in run.seeds:
            fresh, full = seed.verdict_set, seed.full_length
            by_hop = ", ".join(f"{h}: {v:.1%}" for h, v in sorted(fresh.accuracy_by_hop.items()))
            stop = stop_reason(run.stop_reason, run.plateau_since_step, lang) + (f" {t('cached')}" if run.cached else "")
            cells = [run.depth, seed.seed, run.steps, f"{run.wall_s:.1f}", stop, by_hop or "-", percent(seed.check.query_accuracy), percent(fresh.query_accuracy)]
            table.rows.append(cells + ([percent(full.query_accuracy) if full else "-"] if full_length else []))
    spent = [f"{t('depth_n', depth=run.depth)}: {si(run.training_compute['macs'])} MACs = {si(run.training_compute['flops'])} FLOPs" for run in assessment.probes if run.training_compute]
    return [Heading(t("appendix")), table] + ([Lines([t("training_compute", parts="; ".join(spent))])] if spent else [])


def _costs_blocks(assessment: Assessment, lang: str) -> list:
    """Latency, money and memory of every depth, the FLOP counters' agreement and the MACs by part."""
    t = partial(label, lang=lang)
    percentile = assessment.spec.requirements.latency_percentile
    header = [t("depth"), "p50 ms", "p95 ms", "p99 ms", t("ci", percentile=percentile), t("runs"), t("spread"), t("throughput"), t("cost_1m", currency=assessment.currency), t("params_bytes"), t("peak_bytes")]
    blocks = [Table(header, "r" * len(header), [_cost_cells(cost, percentile, lang) for cost in assessment.costs]), Lines([t("peak_note")])]
    blocks += [Lines([line]) for line in counter_lines(assessment, lang) + timing_warnings(assessment, lang)]
    parts = ("embeddings", "attention projections", "attention scores", "mlp", "output head")
    macs = Table([t("depth"), *[t(p) for p in parts]], "rrrrrr", [[cost.depth, *[si(cost.flops.by_part_macs[p]) for p in parts]] for cost in assessment.costs])
    return blocks + [Lines([t("macs_by_part")]), macs]


def _cost_cells(cost: DepthCost, percentile: int, lang: str) -> list:
    lat, mem, cash = cost.latency, cost.memory, cost.money
    per_million, interval = cash.known("cost_per_million_requests"), lat.interval(percentile)
    return [
        cost.depth,
        f"{lat.p50_ms:.2f}",
        f"{lat.p95_ms:.2f}",
        f"{lat.p99_ms:.2f}",
        "{:.2f}–{:.2f}".format(*interval) if interval else "–",
        lat.runs,
        f"{lat.spread_iqr_over_median:.1%}" + (f" {label('noisy', lang)}" if lat.noisy else ""),
        f"{cash.throughput_requests_per_s:.1f}",
        "-" if per_million is None else money_amount(per_million),
        size(mem.parameter_bytes),
        size(mem.peak_request_bytes) + " " + label("estimate" if mem.peak_request_is_estimate else "measured", lang),
    ]


def chance_line(assessment: Assessment, lang: str = "en") -> str | None:
    """What the best chain-ignoring guesser scores, so that accuracy can be read against it; None where nothing trained."""
    run = next((run for run in assessment.probes if run.chance), None)
    if run is None:
        return None
    chance, full = run.chance, run.full_length_chance
    sep = label("sep", lang)
    levels = sep.join(f"{label('hop', lang, hop=int(h))}: {v:.0%}" for h, v in sorted(chance["by_hop"].items(), key=lambda item: int(item[0])))
    names = sep.join(label(f"h_{name}", lang) for name in chance["heuristics"])
    full_text = label("chance_full", lang, query=percent(full["query"]), length=full["length"]) if full else ""
    best = label(f"h_{chance['best']}", lang)
    return label("chance", lang, names=names, best=best, query=percent(chance["query"]), length=chance["length"], full=full_text, levels=levels or "-")


def full_length_of(assessment: Assessment) -> int | None:
    """The task's length where the probes trained shorter and were judged there too; else None."""
    plan = assessment.plan
    return plan.task_sequence_length if plan.probe_sequence_length < plan.task_sequence_length else None


def verdict_cell(row: dict, lang: str) -> str:
    """The verdict, and for a learned depth judged at two lengths, the length it holds at."""
    space = label("verdict_space", lang)
    verdict = label(f"v_{row['verdict']}", lang)
    holds = row.get("holds_at_full_length")
    if row["verdict"] == "learned" and holds is not None:
        verdict = label("v_learned_at" if holds else "v_learned_only_at", lang, length=row["full_length"] if holds else row["length"])
    return verdict + (space + label("at_chance", lang) if row["at_chance"] else "")


def curve_summary(run: ProbeRun, points: int = 6, lang: str = "en") -> str:
    """Accuracy on the question on the check set (weakest seed) at a few evenly spaced checkpoints."""
    curve = run.curve
    if not curve:
        return label("no_checkpoints", lang)
    picks = sorted({round(i * (len(curve) - 1) / max(1, points - 1)) for i in range(points)})
    return label("sep", lang).join(f"{label('step', lang, step=curve[i].step)}: {min(curve[i].query_accuracy):.0%}" for i in picks)


def _timed_what(assessment: Assessment, lang: str) -> str:
    latency = assessment.costs[0].latency if assessment.costs else LatencyFigures()
    if latency.known("mode") == "cuda-graph":
        how = label("graph", lang)
    else:
        how = label("eager_cuda" if assessment.environment.device == "cuda" else "eager", lang)
    if latency.known("rounds") is None:  # saved before the served model was timed in rounds
        return how
    return label("served", lang, how=how, rounds=latency.rounds)


def _batching_blocks(assessment: Assessment, lang: str) -> list:
    """The batching table (measure_batching), where it was measured."""
    batching = assessment.batching
    if not batching:
        return []
    t = partial(label, lang=lang)
    note = t("batching_note_one" if batching.requested_batch == 1 else "batching_note", depth=batching.depth, batch=batching.requested_batch)
    rows = [[p.batch, f"{p.p50_ms:.2f}", f"{p.p95_ms:.2f}", f"{p.throughput_requests_per_s:.1f}"] for p in batching.points]
    return [Heading(t("batching")), Lines([note]), Table([t("batch"), "p50 ms", "p95 ms", t("throughput")], "rrrr", rows), Figures(("batching.png",))]


def counter_lines(assessment: Assessment, lang: str) -> list[str]:
    """How the FLOP counters agreed (or what they disagreed on), where the result has the cross-check."""
    found = [c for c in assessment.costs if c.flops.known("counter_disagreements") is not None]
    if not found:
        return []
    disagreements = [f"{label('depth_n', lang, depth=c.depth)}: {d}" for c in found for d in c.flops.counter_disagreements]
    return [label("counters", lang, agreement="; ".join(disagreements) if disagreements else label("counters_agree", lang))]


def reasons(rec: Recommendation, deployment: SavedDeployment, lang: str) -> list[str]:
    """Why the decision is what it is: each depth's evidence, the latency margin and the cost, led by the join."""
    reasons = [evidence(item, rec.target, lang) for item in rec.evidence]
    extra = [line for line in (margin(rec, lang), cost_line(rec, deployment, lang)) if line]
    lead = [single_hop_note(lang)] if rec.single_hop else []
    if rec.join:
        lead.append(join_note(rec.join, lang))
    return lead + reasons + extra


def _frontier_rows(rec: Recommendation, lang: str) -> list[list[str]]:
    rows = []
    for point in rec.frontier:
        cost, daily = point.cost_per_million_requests, point.cost_per_day
        if point.accuracy is None:
            status = label("not_trained", lang)
        elif not point.learned:  # an accuracy short of the target is no option, whatever its cost
            status = label("not_an_option", lang)
        elif point.dominated_by is not None:
            status = label("dominated_by", lang, depth=point.dominated_by)
        else:
            status = label("on_frontier", lang)
        rows.append(
            [str(point.depth), percent(point.accuracy), f"{point.latency_ms:.2f}", "-" if cost is None else money_amount(cost), "-" if daily is None else money_amount(daily),
             label("yes" if point.within_budget else "no", lang), status]
        )
    return rows


def inside_findings(inside: InsideView, hops: int, target: float, lang: str) -> list[str]:
    """When each hop count was learned, whether in order, and the order in which heads emerged: sentences."""
    t = partial(label, lang=lang)
    steps = inside.hops_learned
    parts = [t("hop_at", hop=h, step=step) if step is not None else t("hop_never", hop=h) for h, step in steps.items()]
    lines = [t("hops_learned", target=percent(target), parts=t("sep").join(parts))]
    if hops == 1:
        pass  # one hop count: there is no order to check
    elif inside.in_order:
        lines.append(t("in_order"))
    elif any(step is None for step in steps.values()):
        lines.append(t("not_all"))
    else:
        order = t("order_sep").join(t("hop_n", hop=h) for h in sorted(steps, key=lambda h: (steps[h], h)))
        lines.append(t("not_in_order", order=order))  # the order only: the steps were said in the sentence before
    emerged = [r for r in inside.emergence if r["step"] is not None]
    if emerged:
        lines.append(t("heads_order", parts=t("sep").join(f"L{r['layer']}H{r['head']} ({t('k_' + r['kind'])}, {t('step', step=r['step'])})" for r in emerged)))
    else:
        lines.append(t("no_heads"))
    return lines


def _inside_blocks(assessment: Assessment, rec: Recommendation, lang: str) -> list:
    """The emergence table, the hop counts' learning steps and whether they came in order."""
    t = partial(label, lang=lang)
    run = assessment.views.shown
    if run is None:
        return []
    inside = assessment.views.inside
    rows = inside.emergence
    if not rows or not run.attention_example:
        return [Heading(t("inside")), Lines([t("no_inside")])]
    intro = t("inside_intro", depth=run.depth, seed=run.attention_example["seed"], threshold=EMERGENCE_THRESHOLD, every=run.settings.eval_every, examples=INSPECT_EXAMPLES)
    table = Table([t("head"), t("kind"), t("emerges"), t("final_score")], "llrr",
                  [[f"L{r['layer']}H{r['head']}", t(f"k_{r['kind']}"), t("never") if r["step"] is None else r["step"], f"{r['final']:.2f}"] for r in rows])
    findings = Lines(inside_findings(inside, assessment.spec.task.hops, rec.target, lang))
    return [Heading(t("inside")), Lines([intro]), table, findings, Figures(("attention.png", "emergence.png"))]


def _curriculum_blocks(assessment: Assessment, lang: str) -> list:
    """The same depths trained with and without the implicit curriculum, side by side."""
    other = assessment.curriculum_comparison
    if not other:
        return []
    t = partial(label, lang=lang)
    main = Comparison(not other.curriculum, assessment.probes, assessment.verdicts)
    on, off = (other, main) if other.curriculum else (main, other)
    runs = [{run.depth: run for run in side.probes} for side in (on, off)]
    verdicts = [{v.depth: v for v in side.verdicts if v.verdict not in ("skipped", "ruled_out")} for side in (on, off)]
    sides = (t("cur_on"), t("cur_off"))
    header = [t("depth"), *[f"{t(name)} ({side})" for name in ("verdict", "accuracy", "steps") for side in sides]]
    table = Table(header, "rllrrrr")
    for depth in sorted(set(verdicts[0]) | set(verdicts[1])):
        shown = [v.get(depth) for v in verdicts]
        table.rows.append([
            depth,
            *[t(f"v_{v.verdict}") if v else "-" for v in shown],
            *[percent(v.accuracy if v else None) for v in shown],
            *[side[depth].steps if depth in side else "-" for side in runs],
        ])
    return [Heading(t("curriculum")), Lines([t("curriculum_note")]), table]


def _length_how(plan: SavedPlan, lang: str) -> str:
    """How the probe length was chosen: as written, or by `auto` with the step times it measured."""
    choice = plan.known("length_choice") or {}
    if choice.get("rule") != "auto":
        return label("length_explicit", lang) if choice.get("rule") == "explicit" else ""
    measured = label("sep", lang).join(f"{m['seconds_per_step'] * 1000:.0f} ms @ {m['length']}" for m in choice["measured"])
    return label("length_auto", lang, steps=f"{choice['max_steps']:,}", share=BUDGET_SHARE, budget=choice["time_budget_s"], depth=choice["depth"], measured=measured)


def _judging_line(plan: SavedPlan, lang: str) -> str:
    full = label("judging_full", lang, questions=f"{plan.full_length_questions:,}", length=plan.task_sequence_length) if plan.shortened else ""
    return label("judging_line", lang, every=plan.eval_every, check=f"{plan.check_questions:,}", verdict=f"{plan.verdict_questions:,}", length=plan.probe_sequence_length, full=full)


def _steadiness_lines(assessment: Assessment, lang: str) -> list[str]:
    """The two-pass timing check beside the environment stamp; nothing for results saved before the check existed."""
    steadiness = assessment.recommendation.steadiness
    if not steadiness:
        return []
    verdict = label("steady" if steadiness.steady else "unsteady", lang)
    return [label("steadiness_line", lang, drift=f"{steadiness.drift:.1%}", depth=steadiness.depth, verdict=verdict)]


def timing_warnings(assessment: Assessment, lang: str = "en") -> list[str]:
    """Why latency figures may not be trusted as printed: noisy samples, a machine whose speed changed."""
    warnings = []
    if any(cost.latency.noisy for cost in assessment.costs):
        warnings.append(label("noisy_warning", lang))
    steadiness = assessment.recommendation.steadiness
    if steadiness and not steadiness.steady:
        warnings.append(label("unsteady_warning", lang, drift=f"{steadiness.drift:.0%}"))
    return warnings
