"""Renderers: pure functions of one `Assessment` (terminal via rich, Markdown, JSON).

Units are chosen here and nowhere else; every figure shown is read from the assessment's raw measurements.
"""

from __future__ import annotations

import json
import math
from functools import partial
from pathlib import Path

from feasibility.assess import Assessment, Comparison
from feasibility.figures import write_plots
from feasibility.results import ProbeRun
from feasibility.wording import alternative, cost_line, counted, evidence, headline, join_note, kind_name, label, margin, money_amount, question, risk, single_hop_note, stop_reason


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _si(value: float) -> str:
    """Three significant figures with an SI prefix: 92.3M, 725k, 1.12G."""
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{unit}"
    return f"{value:.0f}"


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


def _bytes(value: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:.0f} B"


def _full_length(assessment: Assessment) -> int | None:
    """The task's length where the probes trained shorter and were judged there too; else None."""
    plan = assessment.plan
    return plan["task_sequence_length"] if plan["probe_sequence_length"] < plan["task_sequence_length"] else None


def _verdict_cell(row: dict, lang: str) -> str:
    """The verdict, and for a learned depth judged at two lengths, the length it holds at."""
    space = "" if lang == "ja" else " "
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


def depth_table(assessment: Assessment):
    """The depth table as a pandas DataFrame for depths.csv: one row per depth, columns named with their unit
    and percentile, fractions to 4 decimals, milliseconds to 3, counts as integers (empty where not measured)."""
    import pandas as pd

    spec = assessment.spec
    hops, percentile = spec["task"]["hops"], spec["requirements"]["latency_percentile"]
    length = assessment.plan["task_sequence_length"]  # where the probes are judged at the task's length (at most 2,048)
    records = []
    for row in assessment.views["depth_rows"]:
        record = {
            "depth": row["depth"],
            "theory_bounds": row["vs_bound"],  # below, within or above the theoretical depth bounds
            **{f"accuracy_hop_{hop}": row["accuracy_by_hop"].get(hop) for hop in range(1, hops + 1)},
            "question_accuracy": row["question"],
            f"question_accuracy_at_{length}_tokens": row["question_full_length"],
            "question_wilson_95_low": row["lower_bound"],
            f"question_wilson_95_low_at_{length}_tokens": row["full_length_lower_bound"],
            f"holds_at_{length}_tokens": row["holds_at_full_length"],
            "at_chance": row["at_chance"],
            "verdict": row["verdict"],
            "macs_per_request": row["macs"],
            "flops_per_request": row["flops"],
            "parameters": row["parameters"],
            f"latency_p{percentile}_ms": row["latency_ms"],
            "within_budget": row["within_budget"],
            "train_s": row["train_s"],
            "steps": row["steps"],
        }
        records.append(record)
    table = pd.DataFrame.from_records(records)
    decimals = {name: 4 for name in table.columns if "accuracy" in name or name.startswith("question_wilson_95_low")}
    table = table.round({**decimals, f"latency_p{percentile}_ms": 3, "train_s": 1})
    for name in ("macs_per_request", "flops_per_request", "parameters", "steps"):
        table[name] = table[name].astype("Int64")
    return table


def markdown_name(lang: str) -> str:
    return "report.md" if lang == "en" else f"report.{lang}.md"


OUTPUT_NAMES = ("report.json", "report.md", "report.ja.md", "depths.csv", "accuracy.png", "latency.png", "frontier.png", "batching.png", "attention.png", "emergence.png", "curves-depth-*.png")


def earlier_outputs(folder: Path) -> list[Path]:
    """The files of a report that `folder` already holds (another run's, or this result's own), by name."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted({path for pattern in OUTPUT_NAMES for path in folder.glob(pattern) if path.is_file() or path.is_symlink()})


def holds_this_run(folder: Path, assessment: Assessment) -> bool:
    """Whether `folder` holds a report of the same run as `assessment` (same task name and creation time)."""
    try:
        saved = json.loads((Path(folder) / "report.json").read_text(encoding="utf-8"))
        return saved.get("created") == assessment.created and saved.get("spec", {}).get("name") == assessment.spec["name"]
    except (OSError, ValueError, AttributeError, RecursionError):
        return False


def write_outputs(assessment: Assessment, folder, lang: str = "en", keep: Path | None = None, replace: bool = False) -> list[str]:
    """Every file output of one assessment: report.json, the Markdown report in `lang`, depths.csv and the plots.
    `keep` is the result this was loaded from: a re-render into its own folder never overwrites it. With
    `replace`, another run's report files in `folder` are removed first, so the two never mix (the CLI asks for
    --force before that). A link among the names is replaced by a file, never written through."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    kept = Path(keep).resolve() if keep is not None else None
    for path in earlier_outputs(folder):
        if path.is_symlink() or (replace and path.resolve() != kept):
            path.unlink()
    target = folder / "report.json"
    if not (keep is not None and target.exists() and target.resolve() == Path(keep).resolve()):
        target.write_text(json_text(assessment), encoding="utf-8")
    depth_table(assessment).to_csv(folder / "depths.csv", index=False)
    plots = write_plots(assessment, folder)
    (folder / markdown_name(lang)).write_text(render_markdown(assessment, plots, lang), encoding="utf-8")
    return [str(folder / name) for name in (markdown_name(lang), "report.json", "depths.csv", *plots)]


def to_json(assessment: Assessment) -> dict:
    """The whole assessment: schema version, resolved spec, every raw measurement, and the decision (with its
    English headline for machines that want one sentence)."""
    data = json.loads(json.dumps(assessment.to_dict(), default=str))
    decision = assessment.recommendation
    data["recommendation"] = {"headline": headline(decision, "en"), **decision}
    return _strict(data)


def json_text(assessment: Assessment) -> str:
    """report.json's text: strict JSON (no NaN), indented, UTF-8 as written."""
    return json.dumps(to_json(assessment), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _strict(value):
    """The value with every NaN or infinity replaced by null (a missing figure), so that strict JSON readers
    (JavaScript's JSON.parse, jq, Go) accept report.json."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_strict(item) for item in value]
    return value


# ---------------------------------------------------------------------------------------------------------
# Markdown


def _timed_what(assessment, lang: str) -> str:
    latency = assessment.costs[0]["latency"] if assessment.costs else {}
    if latency.get("mode") == "cuda-graph":
        how = label("graph", lang)
    else:
        how = label("eager_cuda" if assessment.environment["device"] == "cuda" else "eager", lang)
    if "rounds" not in latency:  # saved before the served model was timed in rounds
        return how
    return label("served", lang, how=how, rounds=latency["rounds"])


def batching_lines(assessment: Assessment, lang: str, plots: list[str]) -> list[str]:
    """The batching table (measure_batching), where it was measured."""
    batching = assessment.batching
    if not batching:
        return []
    t = lambda key, **figures: label(key, lang, **figures)  # noqa: E731
    lines = [f"## {t('batching')}", "", t("batching_note", depth=batching["depth"], batch=batching["requested_batch"]), ""]
    lines += [table_row([t("batch"), "p50 ms", "p95 ms", t("throughput")]), "|---:|---:|---:|---:|"]
    lines += [table_row([p["batch"], f"{p['p50_ms']:.2f}", f"{p['p95_ms']:.2f}", f"{p['throughput_requests_per_s']:.1f}"]) for p in batching["points"]]
    lines += [""] + (["![batching](batching.png)", ""] if "batching.png" in plots else [])
    return lines


def counter_line(assessment: Assessment, lang: str) -> list[str]:
    """How the FLOP counters agreed (or what they disagreed on), where the result has the cross-check."""
    found = [c for c in assessment.costs if "counter_disagreements" in c["flops"]]
    if not found:
        return []
    disagreements = [f"{label('depth_n', lang, depth=c['depth'])}: {d}" for c in found for d in c["flops"]["counter_disagreements"]]
    return ["", label("counters", lang, agreement="; ".join(disagreements) if disagreements else label("counters_agree", lang))]


def table_row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _reasons(rec: dict, deployment: dict, lang: str) -> list[str]:
    reasons = [evidence(item, rec["target"], lang) for item in rec["evidence"]]
    extra = [line for line in (margin(rec, lang), cost_line(rec, deployment, lang)) if line]
    lead = [single_hop_note(lang)] if rec["single_hop"] else []
    if rec.get("join"):
        lead.append(join_note(rec["join"], lang))
    return lead + reasons + extra


def _frontier_rows(rec: dict, lang: str) -> list[list[str]]:
    rows = []
    for point in rec["frontier"]:
        cost, daily = point.get("cost_per_million_requests"), point.get("cost_per_day")
        if point["accuracy"] is None:
            status = label("not_trained", lang)
        elif point["dominated_by"] is not None:
            status = label("dominated_by", lang, depth=point["dominated_by"])
        else:
            status = label("on_frontier", lang)
        rows.append(
            [str(point["depth"]), percent(point["accuracy"]), f"{point['latency_ms']:.2f}", "-" if cost is None else money_amount(cost), "-" if daily is None else money_amount(daily),
             label("yes" if point["within_budget"] else "no", lang), status]
        )
    return rows


def inside_findings(inside: dict, hops: int, target: float, lang: str) -> list[str]:
    """When each hop count was learned, whether in order, and the order in which heads emerged: sentences, from
    `Assessment.inside`."""
    from feasibility.heads import in_hop_order

    t = partial(label, lang=lang)
    steps = inside["hops_learned"]
    parts = [t("hop_at", hop=h, step=step) if step is not None else t("hop_never", hop=h) for h, step in steps.items()]
    lines = [t("hops_learned", target=percent(target), parts=t("sep").join(parts))]
    if hops == 1:
        pass  # one hop count: there is no order to check
    elif in_hop_order(steps):
        lines.append(t("in_order"))
    elif any(step is None for step in steps.values()):
        lines.append(t("not_all"))
    else:
        lines.append(t("not_in_order", parts=t("sep").join(parts)))
    emerged = [r for r in inside["emergence"] if r["step"] is not None]
    if emerged:
        lines.append(t("heads_order", parts=t("sep").join(f"L{r['layer']}H{r['head']} ({t('k_' + r['kind'])}, {t('step', step=r['step'])})" for r in emerged)))
    else:
        lines.append(t("no_heads"))
    return lines


def inside_lines(assessment: Assessment, rec: dict, lang: str, plots: list[str]) -> list[str]:
    """The emergence table, the hop counts' learning steps and whether they came in order, in Markdown."""
    from feasibility.heads import EMERGENCE_THRESHOLD, INSPECT_EXAMPLES

    t = partial(label, lang=lang)
    run = assessment.shown_run()
    if run is None:
        return []
    lines = [f"## {t('inside')}", ""]
    inside = assessment.inside(run)
    rows = inside["emergence"]
    if not rows or not run.attention_example:
        return lines + [t("no_inside"), ""]
    hops = assessment.spec["task"]["hops"]
    lines += [
        t("inside_intro", depth=run.depth, seed=run.attention_example["seed"], threshold=EMERGENCE_THRESHOLD, every=run.settings.eval_every, examples=INSPECT_EXAMPLES),
        "",
        table_row([t("head"), t("kind"), t("emerges"), t("final_score")]),
        "|---|---|---:|---:|",
        *[table_row([f"L{r['layer']}H{r['head']}", t(f"k_{r['kind']}"), t("never") if r["step"] is None else r["step"], f"{r['final']:.2f}"]) for r in rows],
        "",
    ]
    lines += inside_findings(inside, hops, rec["target"], lang)
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


def render_markdown(assessment: Assessment, plots: list[str] | None = None, lang: str = "en") -> str:
    """The meeting report: decision first, then the key table, the frontier, the reasons and alternatives,
    questions for the meeting, method and caveats, then the raw numbers. `plots` are PNG file names beside
    the report, linked relatively. `lang` is "en" or "ja"; numbers and tables are the same in both."""
    spec, bounds, plan, env = assessment.spec, assessment.bounds, assessment.plan, assessment.environment
    rec = assessment.recommendation
    hops = spec["task"]["hops"]
    percentile = spec["requirements"]["latency_percentile"]
    req, dep = spec["requirements"], spec["deployment"]
    t = partial(label, lang=lang)
    plots = plots or []
    lines = [f"# {t('title', name=spec['name'])}", "", f"**{t('decision')}** {headline(rec, lang)}", ""]
    if spec.get("description"):
        lines += [f"_{spec['description']}_", ""]
    lines += [
        f"## {t('task')}",
        "",
        f"- {t('task_line', hops=hops, kind=kind_name(spec['task']['kind'], lang), length=spec['task']['sequence_length'])}",
        f"- {t('target_line', accuracy=percent(req['accuracy']), percentile=percentile, budget=req['latency_ms'], batch=req['batch_size'])}",
        f"- {t('deployment_line', width=dep['width'], heads=dep['heads'], vocab=dep['vocab_size'], dtype=dep['dtype'], device=env['device'])}",
        "",
        f"## {t('depths')}",
        "",
    ]
    full_length = _full_length(assessment)
    questions = [t("question")] + ([t("question_at", length=full_length)] if full_length else [])
    header = [t("depth"), t("vs_bound"), *[t("hop", hop=h) for h in range(1, hops + 1)], *questions, t("lower_bound"), t("verdict"), "MACs", "FLOPs", t("params"), f"p{percentile} ms", t("fits")]
    left = {t("vs_bound"), t("verdict"), t("fits")}
    lines += [table_row(header), "|" + "|".join("---" if h in left else "---:" for h in header) + "|"]
    for row in assessment.views["depth_rows"]:
        lines.append(
            table_row(
                [
                    row["depth"],
                    t(row["vs_bound"]),
                    *[percent(row["accuracy_by_hop"].get(h)) for h in range(1, hops + 1)],
                    percent(row["question"]),
                    *([percent(row["question_full_length"])] if full_length else []),
                    percent(row["lower_bound"]),
                    _verdict_cell(row, lang),
                    _si(row["macs"]) if row["macs"] is not None else "-",
                    _si(row["flops"]) if row["flops"] is not None else "-",
                    _si(row["parameters"]) if row["parameters"] is not None else "-",
                    f"{row['latency_ms']:.2f}" if row["latency_ms"] is not None else "-",
                    t("yes" if row["within_budget"] else "no"),
                ]
            )
        )
    full_note = t("table_note_full", length=full_length) if full_length else ""
    lines += ["", t("table_note", hops=hops, questions=f"{plan['verdict_questions']:,}", length=plan["probe_sequence_length"], full=full_note), "", *_chance_lines(assessment, lang)]
    lines += [f"![{name.removesuffix('.png')}]({name})" for name in plots if name in ("accuracy.png", "latency.png")]
    lines += ["", f"## {t('why')}", "", *[f"- {reason}" for reason in _reasons(rec, assessment.spec["deployment"], lang)], ""]
    fit = assessment.latency_fit
    if fit and rec["deepest_within_budget"] is not None:
        lines += [t("fit_line", slope=fit["slope_ms_per_layer"], percentile=fit["percentile"], layers=rec["deepest_within_budget"], **counted(lang, layers=rec["deepest_within_budget"])), ""]
    lines += [f"## {t('frontier')}", "", t("frontier_note", percentile=percentile), ""]
    currency = spec["deployment"].get("currency", "USD")
    lines += [table_row([t("depth"), t("accuracy"), f"p{percentile} ms", t("cost_1m", currency=currency), t("cost_day", currency=currency), t("fits"), t("option")]), "|---:|---:|---:|---:|---:|---|---|"]
    lines += [table_row(cells) for cells in _frontier_rows(rec, lang)]
    lines += [""] + (["![frontier](frontier.png)", ""] if "frontier.png" in plots else [])
    lines += batching_lines(assessment, lang, plots)
    if rec["alternatives"]:
        lines += [f"## {t('alternatives')}", "", *[f"- {alternative(option, rec, lang)}" for option in rec["alternatives"]], ""]
    lines += [f"## {t('risks')}", "", *[f"- {risk(item, lang)}" for item in rec["risks"]], ""]
    lines += [f"## {t('questions')}", "", *[f"{i}. {question(q, lang)}" for i, q in enumerate(rec["questions"], 1)], ""]
    if assessment.probes:
        lines += [
            f"## {t('curves')}",
            "",
            t("curves_note", hops=hops),
            "",
            *[f"- {t('depth_n', depth=run.depth)} ({stop_reason(run.stop_reason, run.plateau_since_step, lang)}): {curve_summary(run, lang=lang)}" for run in assessment.probes],
            "",
            *[f"![{name.removesuffix('.png')}]({name})" for name in plots if name.startswith("curves-")],
            "",
        ]
    lines += inside_lines(assessment, rec, lang, plots)
    lines += curriculum_lines(assessment, lang)
    lines += [
        f"## {t('theory')}",
        "",
        f"- {t('lower_line', lower=bounds['lower'], hops=hops, formula=bounds['lower_formula'], source=bounds['lower_source'], **counted(lang, lower=bounds['lower'], hops=hops))}",
        f"- {t('upper_line', upper=bounds['upper'], formula=bounds['upper_formula'], source=bounds['upper_source'], **counted(lang, upper=bounds['upper']))}",
        "",
        f"## {t('method')}",
        "",
        "- "
        + t(
            "probe_line",
            family=kind_name(plan["family"], lang).removeprefix("の "),
            seeds=len(plan["seeds"]),
            **counted(lang, seeds=len(plan["seeds"])),
            width=plan["width"],
            heads=plan["heads"],
            kind=t("attention_only") if not plan["mlp_ratio"] else t("with_mlps"),
            batch=plan["batch_size"],
            lr=plan["learning_rate"],
            steps=plan["max_steps"],
            seconds=plan["time_budget_s"],
            curriculum=t("on") if plan["curriculum"] else t("off"),
        ),
        f"- {t('probe_length', length=plan['probe_sequence_length'], how=_length_how(plan, lang))}",
        f"- {_judging_line(plan, lang)}",
        "- "
        + t(
            "env_line",
            device=env["device"],
            name=env["device_name"],
            threads=env["threads"],
            dtype=env["dtype"],
            torch=env["torch_version"],
            fvcore=env["fvcore_version"],
            what=_timed_what(assessment, lang),
        ),
        *[f"- {line}" for line in _steadiness_lines(assessment, lang)],
        "",
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
    spent = [f"{t('depth_n', depth=run.depth)}: {_si(run.training_compute['macs'])} MACs = {_si(run.training_compute['flops'])} FLOPs" for run in assessment.probes if run.training_compute]
    if spent:
        lines += ["", t("training_compute", parts="; ".join(spent))]
    lines += [
        "",
        table_row([t("depth"), "p50 ms", "p95 ms", "p99 ms", t("ci", percentile=percentile), t("runs"), t("spread"), t("throughput"), t("cost_1m", currency=assessment.spec["deployment"].get("currency", "USD")), t("params_bytes"), t("peak_bytes")]),
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for cost in assessment.costs:
        lat, mem, cash = cost["latency"], cost["memory"], cost["money"]
        per_million = cash.get("cost_per_million_requests")
        lines.append(
            table_row(
                [
                    cost["depth"],
                    f"{lat['p50_ms']:.2f}",
                    f"{lat['p95_ms']:.2f}",
                    f"{lat['p99_ms']:.2f}",
                    "{:.2f}–{:.2f}".format(*lat["ci95_ms"][f"p{percentile}"]) if f"p{percentile}" in lat.get("ci95_ms", {}) else "–",
                    lat["runs"],
                    f"{lat['spread_iqr_over_median']:.1%}" + (f" {t('noisy')}" if lat["noisy"] else ""),
                    f"{cash['throughput_requests_per_s']:.1f}",
                    "-" if per_million is None else money_amount(per_million),
                    _bytes(mem["parameter_bytes"]),
                    _bytes(mem["peak_request_bytes"]) + " " + t("estimate" if mem["peak_request_is_estimate"] else "measured"),
                ]
            )
        )
    lines += ["", t("peak_note")]
    lines += counter_line(assessment, lang)
    lines += [line for warning in timing_warnings(assessment, lang) for line in ("", warning)]
    parts = ("embeddings", "attention projections", "attention scores", "mlp", "output head")
    lines += ["", t("macs_by_part"), "", table_row([t("depth"), *[t(p) for p in parts]]), "|---:|---:|---:|---:|---:|---:|"]
    for cost in assessment.costs:
        by_part = cost["flops"]["by_part_macs"]
        lines.append(table_row([cost["depth"], *[_si(by_part[p]) for p in parts]]))
    lines += ["", t("footer", version=assessment.tool_version, created=assessment.created), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# Terminal


def boxes(console, fancy=None):
    """The box style of a table or panel: box-drawing characters on a terminal, plain ASCII where the output is
    piped into a file, a log or another program."""
    from rich import box

    return (fancy or box.HEAVY_HEAD) if console.is_terminal else box.ASCII


def render_terminal(assessment: Assessment, console, files: list[str] | None = None, lang: str = "en", notes=None) -> None:
    """The summary on `console`; warnings and the files written on `notes` (stderr from the CLI), so that stdout
    holds the result alone."""
    notes = notes or console
    """Summary panel, the depth table, the reasons and alternatives, and where the files went; drawn with rich."""
    from rich import box
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    spec = assessment.spec
    rec = assessment.recommendation
    hops = spec["task"]["hops"]
    percentile = spec["requirements"]["latency_percentile"]
    t = partial(label, lang=lang)
    style = {"recommended": "green", "not_shown_at_length": "yellow", "none_within_budget": "yellow", "too_close_to_call": "yellow", "not_learned": "red"}.get(rec["decision"], "white")
    console.print(Panel(Text(headline(rec, lang)), title=Text(f"feasibility: {spec['name']}"), border_style=style, box=boxes(console, box.ROUNDED)))  # Text: a name like "x[/]" is not markup
    title = t("table_title", hops=hops, kind=kind_name(spec["task"]["kind"], lang), target=percent(spec["requirements"]["accuracy"]), percentile=percentile, budget=spec["requirements"]["latency_ms"])
    table = Table(title=title, box=boxes(console, box.SIMPLE_HEAD), padding=(0, 1, 0, 1), pad_edge=False, collapse_padding=True)
    full_length = _full_length(assessment)
    questions = [t("question")] + ([t("question_at", length=full_length)] if full_length else [])
    names = [t("depth"), t("vs_bound"), *[t("hop", hop=h) for h in range(1, hops + 1)], *questions, t("verdict"), "FLOPs", t("params"), f"p{percentile} ms", t("fits")]
    for name in names:
        wraps = name == t("verdict")
        table.add_column(name, justify="left" if name in (t("vs_bound"), t("verdict"), t("fits")) else "right", no_wrap=not wraps, min_width=8 if wraps else None)
    for row in assessment.views["depth_rows"]:
        table.add_row(
            str(row["depth"]),
            t(row["vs_bound"]),
            *[percent(row["accuracy_by_hop"].get(h)) for h in range(1, hops + 1)],
            percent(row["question"]),
            *([percent(row["question_full_length"])] if full_length else []),
            _verdict_cell(row, lang),
            _si(row["flops"]) if row["flops"] is not None else "-",
            _si(row["parameters"]) if row["parameters"] is not None else "-",
            f"{row['latency_ms']:.2f}" if row["latency_ms"] is not None else "-",
            f"[green]{t('yes')}[/]" if row["within_budget"] else f"[red]{t('no')}[/]",
        )
    console.print(table)
    for reason in _reasons(rec, assessment.spec["deployment"], lang):
        console.print(f"  - {reason}", highlight=False, markup=False)
    if rec["alternatives"]:
        console.print(t("else"), highlight=False, markup=False)
        for option in rec["alternatives"]:
            console.print(f"  - {alternative(option, rec, lang)}", highlight=False, markup=False)
    render_notes(assessment, notes, files, lang)


def render_notes(assessment: Assessment, console, files: list[str] | None = None, lang: str = "en") -> None:
    """The timing warnings and the files written: what belongs on stderr beside a result."""
    for warning in timing_warnings(assessment, lang):
        console.print(warning, style="yellow", highlight=False, markup=False)
    if files:
        console.print(label("written", lang, files=", ".join(files)), highlight=False, markup=False)


def _length_how(plan: dict, lang: str) -> str:
    """How the probe length was chosen: as written, or by `auto` with the step times it measured."""
    choice = plan.get("length_choice") or {}
    if choice.get("rule") != "auto":
        return label("length_explicit", lang) if choice.get("rule") == "explicit" else ""
    from feasibility.plan import BUDGET_SHARE

    measured = label("sep", lang).join(f"{m['seconds_per_step'] * 1000:.0f} ms @ {m['length']}" for m in choice["measured"])
    return label("length_auto", lang, steps=f"{choice['max_steps']:,}", share=BUDGET_SHARE, budget=choice["time_budget_s"], depth=choice["depth"], measured=measured)


def _judging_line(plan: dict, lang: str) -> str:
    full = label("judging_full", lang, questions=f"{plan['full_length_questions']:,}", length=plan["task_sequence_length"]) if plan["shortened"] else ""
    return label("judging_line", lang, every=plan["eval_every"], check=f"{plan['check_questions']:,}", verdict=f"{plan['verdict_questions']:,}", length=plan["probe_sequence_length"], full=full)


def _steadiness_lines(assessment: Assessment, lang: str) -> list[str]:
    """The two-pass timing check beside the environment stamp; nothing for results saved before the check existed."""
    steadiness = assessment.recommendation["steadiness"]
    if not steadiness:
        return []
    verdict = label("steady" if steadiness["steady"] else "unsteady", lang)
    return [label("steadiness_line", lang, drift=f"{steadiness['drift']:.1%}", depth=steadiness["depth"], verdict=verdict)]


def timing_warnings(assessment: Assessment, lang: str = "en") -> list[str]:
    """Why latency figures may not be trusted as printed: noisy samples, a machine whose speed changed."""
    warnings = []
    if any(cost["latency"]["noisy"] for cost in assessment.costs):
        warnings.append(label("noisy_warning", lang))
    steadiness = assessment.recommendation["steadiness"]
    if steadiness and not steadiness["steady"]:
        warnings.append(label("unsteady_warning", lang, drift=f"{steadiness['drift']:.0%}"))
    return warnings


SHADES = " .:-=+*#%@"  # attention weight 0 .. 1 in ten steps


def render_explain(assessment: Assessment, console, depth: int | None = None, lang: str = "en") -> None:
    """Attention of one probe on a held-out example as text (rows: the chain's positions; columns: every
    position, shaded by weight), then the emergence table and the order in which hop counts were learned."""
    from rich.table import Table

    from feasibility.errors import UsageError

    rec = assessment.recommendation
    runs = {run.depth: run for run in assessment.probes}
    if depth is not None and depth not in runs:
        trained = ", ".join(str(d) for d in sorted(runs)) or "none"
        raise UsageError(f"--depth {depth}: no probe of that depth was trained in this result; trained depths: {trained}")
    run = runs[depth] if depth is not None else assessment.shown_run()
    t = partial(label, lang=lang)
    if run is None or not run.attention_example:
        console.print(t("no_inside"), highlight=False, markup=False)
        return
    example = run.attention_example
    marked = example["chain_positions"]
    length = len(example["tokens"])
    console.print(f"{t('inside')}: {t('depth_n', depth=run.depth)}, {t('seed')} {example['seed']}", style="bold", highlight=False)
    ruler = "".join("^" if i in marked else " " for i in range(length))
    scores = run.curve[-1].head_scores if run.curve else None
    for layer, heads in enumerate(example["patterns"]):
        for head, pattern in enumerate(heads):
            note = ""
            if scores:
                note = "  " + ", ".join(f"{t('k_' + kind)} {scores[kind][0][layer][head]:.2f}" for kind in ("chain", "previous"))
            console.print(f"L{layer + 1}H{head + 1}{note}", highlight=False, markup=False)
            for position in marked:
                strip = "".join(SHADES[min(len(SHADES) - 1, int(weight * len(SHADES)))] for weight in pattern[position])
                console.print(f"  {position:>4} |{strip}|", highlight=False, markup=False)
            console.print(f"        {ruler}", highlight=False, markup=False)
    inside = assessment.inside(run)
    rows = inside["emergence"]
    if rows:
        table = Table(title=t("inside"), box=boxes(console))
        for name in (t("head"), t("kind"), t("emerges"), t("final_score")):
            table.add_column(name, justify="right" if name in (t("emerges"), t("final_score")) else "left")
        for r in rows:
            table.add_row(f"L{r['layer']}H{r['head']}", t(f"k_{r['kind']}"), t("never") if r["step"] is None else str(r["step"]), f"{r['final']:.2f}")
        console.print(table)
    for line in inside_findings(inside, assessment.spec["task"]["hops"], rec["target"], lang):
        console.print(line, highlight=False, markup=False)
