"""The meeting report in Markdown, a pure function of one `Assessment`: the decision first, then the depth table,
the reasons, the frontier, the options, and the method and raw numbers last. Every figure is read from the
assessment's measurements; the words and the numbers' form come from words.py.
"""

from __future__ import annotations

from functools import partial

from feasibility import __version__

from feasibility.plan.probe_plan import BUDGET_SHARE
from feasibility.reports.words import alternative, cost_line, counted, evidence, headline, join_note, kind_name, label, margin, money_amount, percent, question, risk, si, single_hop_note, size, stop_reason
from feasibility.result.context import DepthBounds
from feasibility.result.costs import DepthCost, LatencyFigures
from feasibility.result.assessment import Assessment, Comparison, InsideView
from feasibility.result.inside import EMERGENCE_THRESHOLD, INSPECT_EXAMPLES
from feasibility.result.probes import ProbeRun
from feasibility.result.recommendation import Recommendation
from feasibility.result.spec import SavedDeployment, SavedPlan


GLOSSARY = ("wilson", "check_set", "stop_rule", "ground_value", "chance", "macs", "dominated", "heads")  # the terms a manager meets here


def render_markdown(assessment: Assessment, plots: list[str] | None = None, lang: str = "en") -> str:
    """The meeting report: decision first, then the key table, the frontier, the reasons and alternatives,
    questions for the meeting, method and caveats, then the raw numbers. `plots` are PNG file names beside
    the report, linked relatively. `lang` is "en" or "ja"; numbers and tables are the same in both."""
    plots = plots or []
    rec = assessment.recommendation
    lines = _task_section(assessment, lang)
    lines += _depth_section(assessment, lang, plots)
    lines += _why_section(assessment, lang)
    lines += _frontier_section(assessment, lang, plots)
    lines += batching_lines(assessment, lang, plots)
    lines += _options_section(rec, lang)
    lines += _curves_section(assessment, lang, plots)
    lines += inside_lines(assessment, rec, lang, plots)
    lines += curriculum_lines(assessment, lang)
    lines += _theory_section(assessment.bounds, assessment.spec.task.hops, lang)
    lines += _method_section(assessment, lang)
    lines += [f"## {label('glossary', lang)}", "", *[f"- {label(f'gl_{term}', lang)}" for term in GLOSSARY], ""]
    lines += _runs_appendix(assessment, lang)
    lines += _costs_appendix(assessment, lang)
    lines += ["", label("footer", lang, version=assessment.tool_version, created=assessment.created), ""]
    return "\n".join(lines)


def _task_section(assessment: Assessment, lang: str) -> list[str]:
    """The title, the decision and the task as the file states it."""
    spec, env, rec = assessment.spec, assessment.environment, assessment.recommendation
    req, dep = spec.requirements, spec.deployment
    t = partial(label, lang=lang)
    lines = [f"# {t('title', name=spec.name)}", "", f"**{t('decision')}** {headline(rec, lang)}", ""]
    for note in older_result(assessment, lang):
        lines += [f"_{note}_", ""]
    if spec.known("description"):
        lines += [f"_{spec.description}_", ""]
    return lines + [
        f"## {t('task')}",
        "",
        f"- {t('task_line', hops=spec.task.hops, kind=kind_name(spec.task.kind, lang), length=spec.task.sequence_length)}",
        f"- {t('target_line', accuracy=percent(req.accuracy), percentile=req.latency_percentile, budget=req.latency_ms, batch=req.batch_size)}",
        f"- {t('deployment_line', width=dep.width, heads=dep.heads, vocab=dep.vocab_size, dtype=dep.dtype, device=env.device)}",
        "",
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


def _depth_section(assessment: Assessment, lang: str, plots: list[str]) -> list[str]:
    """The key table: one row per planned depth, with the notes on how it was judged and what chance is."""
    hops, percentile = assessment.spec.task.hops, assessment.spec.requirements.latency_percentile
    t = partial(label, lang=lang)
    full_length = full_length_of(assessment)
    header = [t("depth"), t("vs_bound"), *[t("hop", hop=h) for h in range(1, hops + 1)], *_question_columns(assessment, lang), t("lower_bound"), t("verdict"), "MACs", "FLOPs", t("params"), f"p{percentile} ms", t("fits")]
    left = {t("vs_bound"), t("verdict"), t("fits")}
    lines = [f"## {t('depths')}", "", table_row(header), "|" + "|".join("---" if h in left else "---:" for h in header) + "|"]
    for row in assessment.views.depth_rows:
        lines.append(
            table_row(
                [
                    row["depth"],
                    t(row["vs_bound"]),
                    *[percent(row["accuracy_by_hop"].get(h)) for h in range(1, hops + 1)],
                    percent(row["question"]),
                    *([percent(row["question_full_length"])] if full_length else []),
                    percent(row["lower_bound"]),
                    verdict_cell(row, lang),
                    *_counts(row),
                    f"{row['latency_ms']:.2f}" if row["latency_ms"] is not None else "-",
                    t("yes" if row["within_budget"] else "no"),
                ]
            )
        )
    full_note = t("table_note_full", length=full_length) if full_length else ""
    plan = assessment.plan
    lines += ["", t("table_note", hops=hops, questions=f"{plan.verdict_questions:,}", length=plan.probe_sequence_length, full=full_note), "", *_chance_lines(assessment, lang)]
    return lines + [f"![{name.removesuffix('.png')}]({name})" for name in plots if name in ("accuracy.png", "latency.png")]


def _counts(row: dict) -> list[str]:
    """A depth row's MACs, FLOPs and parameters, with SI prefixes ("-" where not counted)."""
    return [si(row[name]) if row[name] is not None else "-" for name in ("macs", "flops", "parameters")]


def _why_section(assessment: Assessment, lang: str) -> list[str]:
    rec, fit = assessment.recommendation, assessment.latency_fit
    lines = ["", f"## {label('why', lang)}", "", *[f"- {reason}" for reason in reasons(rec, assessment.spec.deployment, lang)], ""]
    if fit and rec.deepest_within_budget is not None:
        layers = rec.deepest_within_budget
        lines += [label("fit_line", lang, slope=fit.slope_ms_per_layer, percentile=fit.percentile, layers=layers, **counted(lang, layers=layers)), ""]
    return lines


def _frontier_section(assessment: Assessment, lang: str, plots: list[str]) -> list[str]:
    """Accuracy against latency and money, depth by depth, with the depths no other beats on both."""
    percentile, currency = assessment.spec.requirements.latency_percentile, assessment.currency
    t = partial(label, lang=lang)
    lines = [f"## {t('frontier')}", "", t("frontier_note", percentile=percentile), ""]
    lines += [table_row([t("depth"), t("accuracy"), f"p{percentile} ms", t("cost_1m", currency=currency), t("cost_day", currency=currency), t("fits"), t("option")]), "|---:|---:|---:|---:|---:|---|---|"]
    lines += [table_row(cells) for cells in _frontier_rows(assessment.recommendation, lang)]
    return lines + [""] + (["![frontier](frontier.png)", ""] if "frontier.png" in plots else [])


def _options_section(rec: Recommendation, lang: str) -> list[str]:
    """What else the team could do, the risks, and the questions to settle in the meeting."""
    lines = []
    if rec.alternatives:
        lines += [f"## {label('alternatives', lang)}", "", *[f"- {alternative(option, rec, lang)}" for option in rec.alternatives], ""]
    lines += [f"## {label('risks', lang)}", "", *[f"- {risk(item, lang)}" for item in rec.risks], ""]
    return lines + [f"## {label('questions', lang)}", "", *[f"{i}. {question(q, lang)}" for i, q in enumerate(rec.questions, 1)], ""]


def _curves_section(assessment: Assessment, lang: str, plots: list[str]) -> list[str]:
    """Each trained depth's learning curve in a line, and the curve figures."""
    if not assessment.probes:
        return []
    t = partial(label, lang=lang)
    return [
        f"## {t('curves')}",
        "",
        t("curves_note", hops=assessment.spec.task.hops),
        "",
        *[f"- {t('depth_n', depth=run.depth)} ({stop_reason(run.stop_reason, run.plateau_since_step, lang)}): {curve_summary(run, lang=lang)}" for run in assessment.probes],
        "",
        *[f"![{name.removesuffix('.png')}]({name})" for name in plots if name.startswith("curves-")],
        "",
    ]


def _theory_section(bounds: DepthBounds, hops: int, lang: str) -> list[str]:
    t = partial(label, lang=lang)
    return [
        f"## {t('theory')}",
        "",
        f"- {t('lower_line', lower=bounds.lower, hops=hops, formula=bounds.lower_formula, source=bounds.lower_source, **counted(lang, lower=bounds.lower, hops=hops))}",
        f"- {t('upper_line', upper=bounds.upper, formula=bounds.upper_formula, source=bounds.upper_source, **counted(lang, upper=bounds.upper))}",
        "",
    ]


def _method_section(assessment: Assessment, lang: str) -> list[str]:
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
    return [
        f"## {t('method')}",
        "",
        f"- {probes}",
        f"- {t('probe_length', length=plan.probe_sequence_length, how=_length_how(plan, lang))}",
        f"- {_judging_line(plan, lang)}",
        f"- {where}",
        *[f"- {line}" for line in _steadiness_lines(assessment, lang)],
        "",
    ]


def _runs_appendix(assessment: Assessment, lang: str) -> list[str]:
    """Every seed of every trained depth, and the compute training spent."""
    t = partial(label, lang=lang)
    questions = _question_columns(assessment, lang)
    full_length = len(questions) > 1
    lines = [
        f"## {t('appendix')}",
        "",
        table_row([t("depth"), t("seed"), t("steps"), t("train_s"), t("stop"), t("accuracy_by_hop"), t("query_check"), t("query"), *questions[1:]]),
        "|---:|---:|---:|---:|---|---|---:|---:|" + ("---:|" if full_length else ""),
    ]
    for run in assessment.probes:
        for seed in run.seeds:
            fresh, full = seed.verdict_set, seed.full_length
            by_hop = ", ".join(f"{h}: {v:.1%}" for h, v in sorted(fresh.accuracy_by_hop.items()))
            stop = stop_reason(run.stop_reason, run.plateau_since_step, lang) + (f" {t('cached')}" if run.cached else "")
            cells = [run.depth, seed.seed, run.steps, f"{run.wall_s:.1f}", stop, by_hop or "-", percent(seed.check.query_accuracy), percent(fresh.query_accuracy)]
            lines.append(table_row(cells + ([percent(full.query_accuracy) if full else "-"] if full_length else [])))
    spent = [f"{t('depth_n', depth=run.depth)}: {si(run.training_compute['macs'])} MACs = {si(run.training_compute['flops'])} FLOPs" for run in assessment.probes if run.training_compute]
    return lines + (["", t("training_compute", parts="; ".join(spent))] if spent else [])


def _costs_appendix(assessment: Assessment, lang: str) -> list[str]:
    """Latency, money and memory of every depth, the FLOP counters' agreement and the MACs by part."""
    t = partial(label, lang=lang)
    percentile = assessment.spec.requirements.latency_percentile
    lines = [
        "",
        table_row([t("depth"), "p50 ms", "p95 ms", "p99 ms", t("ci", percentile=percentile), t("runs"), t("spread"), t("throughput"), t("cost_1m", currency=assessment.currency), t("params_bytes"), t("peak_bytes")]),
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [table_row(_cost_cells(cost, percentile, lang)) for cost in assessment.costs]
    lines += ["", t("peak_note")]
    lines += counter_line(assessment, lang)
    lines += [line for warning in timing_warnings(assessment, lang) for line in ("", warning)]
    parts = ("embeddings", "attention projections", "attention scores", "mlp", "output head")
    lines += ["", t("macs_by_part"), "", table_row([t("depth"), *[t(p) for p in parts]]), "|---:|---:|---:|---:|---:|---:|"]
    return lines + [table_row([cost.depth, *[si(cost.flops.by_part_macs[p]) for p in parts]]) for cost in assessment.costs]


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


def _chance_lines(assessment: Assessment, lang: str = "en") -> list[str]:
    """What the best chain-ignoring guesser scores, so that accuracy can be read against it."""
    run = next((run for run in assessment.probes if run.chance), None)
    if run is None:
        return []
    chance, full = run.chance, run.full_length_chance
    sep = label("sep", lang)
    levels = sep.join(f"{label('hop', lang, hop=int(h))}: {v:.0%}" for h, v in sorted(chance["by_hop"].items(), key=lambda item: int(item[0])))
    names = sep.join(label(f"h_{name}", lang) for name in chance["heuristics"])
    full_text = label("chance_full", lang, query=percent(full["query"]), length=full["length"]) if full else ""
    best = label(f"h_{chance['best']}", lang)
    return [label("chance", lang, names=names, best=best, query=percent(chance["query"]), length=chance["length"], full=full_text, levels=levels or "-"), ""]


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


def _timed_what(assessment, lang: str) -> str:
    latency = assessment.costs[0].latency if assessment.costs else LatencyFigures()
    if latency.known("mode") == "cuda-graph":
        how = label("graph", lang)
    else:
        how = label("eager_cuda" if assessment.environment.device == "cuda" else "eager", lang)
    if latency.known("rounds") is None:  # saved before the served model was timed in rounds
        return how
    return label("served", lang, how=how, rounds=latency.rounds)


def batching_lines(assessment: Assessment, lang: str, plots: list[str]) -> list[str]:
    """The batching table (measure_batching), where it was measured."""
    batching = assessment.batching
    if not batching:
        return []
    t = lambda key, **figures: label(key, lang, **figures)  # noqa: E731
    lines = [f"## {t('batching')}", "", t("batching_note_one" if batching.requested_batch == 1 else "batching_note", depth=batching.depth, batch=batching.requested_batch), ""]
    lines += [table_row([t("batch"), "p50 ms", "p95 ms", t("throughput")]), "|---:|---:|---:|---:|"]
    lines += [table_row([p.batch, f"{p.p50_ms:.2f}", f"{p.p95_ms:.2f}", f"{p.throughput_requests_per_s:.1f}"]) for p in batching.points]
    lines += [""] + (["![batching](batching.png)", ""] if "batching.png" in plots else [])
    return lines


def counter_line(assessment: Assessment, lang: str) -> list[str]:
    """How the FLOP counters agreed (or what they disagreed on), where the result has the cross-check."""
    found = [c for c in assessment.costs if c.flops.known("counter_disagreements") is not None]
    if not found:
        return []
    disagreements = [f"{label('depth_n', lang, depth=c.depth)}: {d}" for c in found for d in c.flops.counter_disagreements]
    return ["", label("counters", lang, agreement="; ".join(disagreements) if disagreements else label("counters_agree", lang))]


def reasons(rec: Recommendation, deployment: SavedDeployment, lang: str) -> list[str]:
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


def inside_lines(assessment: Assessment, rec: Recommendation, lang: str, plots: list[str]) -> list[str]:
    """The emergence table, the hop counts' learning steps and whether they came in order, in Markdown."""
    t = partial(label, lang=lang)
    run = assessment.views.shown
    if run is None:
        return []
    lines = [f"## {t('inside')}", ""]
    inside = assessment.views.inside
    rows = inside.emergence
    if not rows or not run.attention_example:
        return lines + [t("no_inside"), ""]
    hops = assessment.spec.task.hops
    lines += [
        t("inside_intro", depth=run.depth, seed=run.attention_example["seed"], threshold=EMERGENCE_THRESHOLD, every=run.settings.eval_every, examples=INSPECT_EXAMPLES),
        "",
        table_row([t("head"), t("kind"), t("emerges"), t("final_score")]),
        "|---|---|---:|---:|",
        *[table_row([f"L{r['layer']}H{r['head']}", t(f"k_{r['kind']}"), t("never") if r["step"] is None else r["step"], f"{r['final']:.2f}"]) for r in rows],
        "",
    ]
    lines += inside_findings(inside, hops, rec.target, lang)
    lines += [""] + [f"![{name.removesuffix('.png')}]({name})" for name in ("attention.png", "emergence.png") if name in plots] + [""]
    return lines


def curriculum_lines(assessment: Assessment, lang: str) -> list[str]:
    """The same depths trained with and without the implicit curriculum, side by side."""
    other = assessment.curriculum_comparison
    if not other:
        return []
    t = partial(label, lang=lang)
    main = Comparison(not other.curriculum, assessment.probes, assessment.verdicts)
    on, off = (other, main) if other.curriculum else (main, other)
    on_runs = {run.depth: run for run in on.probes}
    off_runs = {run.depth: run for run in off.probes}
    on_verdicts = {v.depth: v for v in on.verdicts if v.verdict not in ("skipped", "ruled_out")}
    off_verdicts = {v.depth: v for v in off.verdicts if v.verdict not in ("skipped", "ruled_out")}
    lines = [f"## {t('curriculum')}", "", t("curriculum_note"), ""]
    lines += [
        table_row([t("depth"), f"{t('verdict')} ({t('cur_on')})", f"{t('verdict')} ({t('cur_off')})", f"{t('accuracy')} ({t('cur_on')})", f"{t('accuracy')} ({t('cur_off')})", f"{t('steps')} ({t('cur_on')})", f"{t('steps')} ({t('cur_off')})"]),
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for depth in sorted(set(on_verdicts) | set(off_verdicts)):
        on_v, off_v = on_verdicts.get(depth), off_verdicts.get(depth)
        lines.append(
            table_row(
                [
                    depth,
                    t(f"v_{on_v.verdict}") if on_v else "-",
                    t(f"v_{off_v.verdict}") if off_v else "-",
                    percent(on_v.accuracy if on_v else None),
                    percent(off_v.accuracy if off_v else None),
                    on_runs[depth].steps if depth in on_runs else "-",
                    off_runs[depth].steps if depth in off_runs else "-",
                ]
            )
        )
    return lines + [""]


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


def table_row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"
