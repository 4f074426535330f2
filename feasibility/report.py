"""Renderers: pure functions of one `Assessment` (terminal via rich, Markdown, JSON).

Units are chosen here and nowhere else; every figure shown is read from the assessment's raw measurements.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from feasibility.assess import Assessment


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _si(value: float) -> str:
    """Three significant figures with an SI prefix: 92.3M, 725k, 1.12G."""
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{unit}"
    return f"{value:.0f}"


def _chance_lines(assessment: Assessment) -> list[str]:
    """What guessing scores per hop count, so that accuracy can be read against it."""
    chance = next((run.get("chance_by_hop") for run in assessment.probes if run.get("chance_by_hop")), None)
    if not chance:
        return []
    levels = ", ".join(f"hop {int(h)}: {v:.0%}" for h, v in sorted(chance.items(), key=lambda item: int(item[0])))
    return [f"Chance level, a guess among the answers in sight that ignores the chain: {levels}.", ""]


def _bytes(value: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:.0f} B"


def depth_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """One row per planned depth: bound, accuracy by hop, verdict, cost; the key table of every report."""
    bounds = assessment.bounds
    spec = assessment.spec
    percentile = spec["requirements"]["latency_percentile"]
    budget = spec["requirements"]["latency_ms"]
    runs = {run["depth"]: run for run in assessment.probes}
    costs = {cost["depth"]: cost for cost in assessment.costs}
    rows = []
    for verdict in assessment.verdicts:
        depth = verdict["depth"]
        run, cost = runs.get(depth), costs.get(depth)
        accuracy_by_hop: dict[int, float] = {}
        if run:
            for hop in range(1, spec["task"]["hops"] + 1):
                values = [seed["accuracy_by_hop"].get(hop, seed["accuracy_by_hop"].get(str(hop))) for seed in run["seeds"]]
                values = [v for v in values if v is not None]
                if values:
                    accuracy_by_hop[hop] = min(values)  # the weakest seed
        latency = cost["latency"][f"p{percentile}_ms"] if cost else None
        rows.append(
            {
                "depth": depth,
                "vs_bound": "below" if depth < bounds["lower"] else ("within" if depth <= bounds["upper"] else "above"),
                "accuracy_by_hop": accuracy_by_hop,
                "lower_bound": verdict["lower_bound"],
                "verdict": verdict["verdict"],
                "macs": cost["flops"]["macs_per_request"] if cost else None,
                "flops": cost["flops"]["flops_per_request"] if cost else None,
                "parameters": cost["flops"]["parameters"] if cost else None,
                "latency_ms": latency,
                "within_budget": latency is not None and latency <= budget,
                "train_s": run["wall_s"] if run else None,
                "steps": run["steps"] if run else None,
            }
        )
    return rows


def curve_summary(run: dict, hops: int, points: int = 6) -> str:
    """Held-out accuracy on the hardest hop count (weakest seed) at a few evenly spaced checkpoints."""
    curve = run["curve"]
    if not curve:
        return "no checkpoints"
    picks = sorted({round(i * (len(curve) - 1) / max(1, points - 1)) for i in range(points)})
    parts = []
    for index in picks:
        point = curve[index]
        values = [acc.get(hop, acc.get(str(hop))) for acc in point["accuracy_by_hop"] for hop in [hops]]
        values = [v for v in values if v is not None]
        shown = f"{min(values):.0%}" if values else "-"
        parts.append(f"step {point['step']}: {shown}")
    return ", ".join(parts)


def depth_table(assessment: Assessment):
    """The depth table as a pandas DataFrame (one row per depth, one column per hop count), for CSV."""
    import pandas as pd

    hops = assessment.spec["task"]["hops"]
    records = []
    for row in depth_rows(assessment):
        record = {k: v for k, v in row.items() if k != "accuracy_by_hop"}
        for hop in range(1, hops + 1):
            record[f"accuracy_hop_{hop}"] = row["accuracy_by_hop"].get(hop)
        records.append(record)
    return pd.DataFrame.from_records(records)


def write_plots(assessment: Assessment, folder) -> list[str]:
    """Accuracy by depth and hop count, and latency against depth with the budget; PNG files in `folder`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder)
    rows = depth_rows(assessment)
    hops = assessment.spec["task"]["hops"]
    written = []
    figure, axis = plt.subplots(figsize=(6, 3.5))
    for hop in range(1, hops + 1):
        points = [(r["depth"], r["accuracy_by_hop"][hop]) for r in rows if hop in r["accuracy_by_hop"]]
        if points:
            axis.plot(*zip(*points), marker="o", label=f"{hop}-hop links")
    axis.axhline(assessment.spec["requirements"]["accuracy"], color="grey", linestyle="--", label="target")
    axis.set_xticks([r["depth"] for r in rows])
    axis.set(xlabel="depth (layers)", ylabel="held-out accuracy (weakest seed)", ylim=(0, 1.02), title="Accuracy by depth and hop count")
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(folder / "accuracy.png", dpi=120)
    plt.close(figure)
    written.append("accuracy.png")

    percentile = assessment.spec["requirements"]["latency_percentile"]
    figure, axis = plt.subplots(figsize=(6, 3.5))
    measured = [(r["depth"], r["latency_ms"]) for r in rows if r["latency_ms"] is not None]
    colours = ["tab:green" if r["verdict"] == "learned" else "tab:grey" for r in rows if r["latency_ms"] is not None]
    axis.scatter(*zip(*measured), c=colours, zorder=3)
    axis.plot(*zip(*measured), color="tab:blue", alpha=0.5)
    axis.axhline(assessment.spec["requirements"]["latency_ms"], color="tab:red", linestyle="--", label="latency budget")
    axis.set_xticks([depth for depth, _ in measured])
    axis.set(xlabel="depth (layers)", ylabel=f"p{percentile} latency (ms)", title="Cost against depth (green: learned)")
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(folder / "latency.png", dpi=120)
    plt.close(figure)
    written.append("latency.png")
    return written


def write_outputs(assessment: Assessment, folder) -> list[str]:
    """Every file output of one assessment: report.json, report.md, depths.csv and the plots."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(to_json(assessment), indent=2) + "\n", encoding="utf-8")
    depth_table(assessment).to_csv(folder / "depths.csv", index=False)
    plots = write_plots(assessment, folder)
    (folder / "report.md").write_text(render_markdown(assessment, plots), encoding="utf-8")
    return [str(folder / name) for name in ("report.md", "report.json", "depths.csv", *plots)]


def to_json(assessment: Assessment) -> dict:
    """The whole assessment: schema version, resolved spec and every raw measurement."""
    return json.loads(json.dumps(assessment.to_dict(), default=str))


# ---------------------------------------------------------------------------------------------------------
# Markdown


def _timed_what(assessment) -> str:
    mode = assessment.costs[0]["latency"].get("mode", "eager") if assessment.costs else "eager"
    if mode == "cuda-graph":
        return "forward passes captured as a CUDA graph and replayed (cuda-graph mode)"
    synchronised = ", the clock read after CUDA synchronisation" if assessment.environment["device"] == "cuda" else ""
    return f"eager forward passes{synchronised}"


def render_markdown(assessment: Assessment, plots: list[str] | None = None) -> str:
    """The meeting report: decision first, then the key table, method and caveats, then the raw numbers.

    `plots` are PNG file names beside the report, linked relatively."""
    spec, bounds, plan, rec = assessment.spec, assessment.bounds, assessment.plan, assessment.recommendation
    hops = spec["task"]["hops"]
    percentile = spec["requirements"]["latency_percentile"]
    env = assessment.environment
    lines = [f"# Feasibility: {spec['name']}", "", f"**Decision.** {rec['headline']}", ""]
    if spec.get("description"):
        lines += [f"_{spec['description']}_", ""]
    lines += [
        "## The task",
        "",
        f"- {hops}-hop {spec['task']['kind'].replace('_', ' ')} over {spec['task']['sequence_length']} tokens",
        f"- target: {spec['requirements']['accuracy']:.1%} held-out accuracy; p{percentile} latency at most "
        f"{spec['requirements']['latency_ms']:g} ms at batch {spec['requirements']['batch_size']}",
        f"- deployment: width {spec['deployment']['width']}, {spec['deployment']['heads']} heads, vocabulary "
        f"{spec['deployment']['vocab_size']}, {spec['deployment']['dtype']} on {env['device']}",
        "",
        "## Depth by depth",
        "",
    ]
    hop_headers = [f"hop {h}" for h in range(1, hops + 1)]
    header = ["depth", "vs. bound", *hop_headers, "lower bound", "verdict", "MACs", "FLOPs", "params", f"p{percentile} ms", "fits"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---:" if h not in ("vs. bound", "verdict", "fits") else "---" for h in header) + "|")
    for row in depth_rows(assessment):
        cells = [
            str(row["depth"]),
            row["vs_bound"],
            *[_percent(row["accuracy_by_hop"].get(h)) for h in range(1, hops + 1)],
            _percent(row["lower_bound"]),
            row["verdict"].replace("_", " "),
            _si(row["macs"]) if row["macs"] is not None else "-",
            _si(row["flops"]) if row["flops"] is not None else "-",
            _si(row["parameters"]) if row["parameters"] is not None else "-",
            f"{row['latency_ms']:.2f}" if row["latency_ms"] is not None else "-",
            "yes" if row["within_budget"] else "no",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Accuracy is held-out accuracy of the weakest seed on links of each hop count; the lower bound is that "
        "seed's Wilson 95% lower bound on the decisive hop count, the figure checked against the target. "
        "MACs are multiply-accumulates per request (1 MAC = 2 FLOPs), counted by fvcore, causal attention in full.",
        "",
        *_chance_lines(assessment),
        *[f"![{name.removesuffix('.png')}]({name})" for name in plots or []],
        "",
        "## Why",
        "",
        *[f"- {reason}" for reason in rec["reasons"]],
        "",
    ]
    fit = assessment.latency_fit
    if fit and fit.get("deepest_within_budget") is not None:
        lines += [
            f"Latency grows by about {fit['slope_ms_per_layer']:.2f} ms per layer (p{fit['percentile']}, line fit over the "
            f"measured depths); the deepest model within the budget is about **{fit['deepest_within_budget']} layers** (an estimate "
            "where it lies outside the measured depths).",
            "",
        ]
    if rec.get("alternatives"):
        lines += ["## What else could work", "", *[f"- {option}" for option in rec["alternatives"]], ""]
    if assessment.probes:
        lines += [
            "## Learning curves",
            "",
            f"Held-out accuracy on {hops}-hop links (weakest seed) while training; a flat curve that ends below the "
            "target is a budget-limited failure, not proof that the depth cannot learn the task.",
            "",
            *[f"- depth {run['depth']} ({run['stop_reason']}): {curve_summary(run, hops)}" for run in assessment.probes],
            "",
        ]
    lines += [
        "## Theory",
        "",
        f"- lower bound: {bounds['lower']} layer(s) for {hops} hop(s), {bounds['lower_formula']} ({bounds['lower_source']}); "
        f"{bounds['lower_caveat']}",
        f"- constructive upper bound: {bounds['upper']} layer(s), {bounds['upper_formula']} ({bounds['upper_source']})",
        "",
        "## Method and caveats",
        "",
        f"- probes: {plan['family'].replace('_', ' ')}, {len(plan['seeds'])} seed(s) per depth, width {plan['width']}, "
        f"{plan['heads']} heads, {'attention-only' if not plan['mlp_ratio'] else 'with MLPs'}, batch {plan['batch_size']}, "
        f"learning rate {plan['learning_rate']:g}, up to {plan['max_steps']} steps or {plan['time_budget_s']:g} s per depth; "
        f"implicit curriculum {'on' if plan['curriculum'] else 'off'}",
        f"- probed sequence length: {plan['probe_sequence_length']} tokens",
        *[f"- {risk}" for risk in rec["risks"]],
        f"- costs measured on {env['device']} ({env['device_name']}), {env['threads']} threads, {env['dtype']}, "
        f"torch {env['torch_version']}, fvcore {env['fvcore_version']}; latency of {_timed_what(assessment)} with random weights",
        "",
        "## Appendix: raw numbers",
        "",
        "| depth | seed | steps | train s | stop | accuracy by hop | query |",
        "|---:|---:|---:|---:|---|---|---:|",
    ]
    for run in assessment.probes:
        for seed in run["seeds"]:
            by_hop = ", ".join(f"{h}: {v:.1%}" for h, v in sorted((int(k), v) for k, v in seed["accuracy_by_hop"].items()))
            lines.append(
                f"| {run['depth']} | {seed['seed']} | {run['steps']} | {run['wall_s']:.1f} | {run['stop_reason']}"
                f"{' (cached)' if run.get('cached') else ''} | {by_hop} | {_percent(seed['query_accuracy'])} |"
            )
    spent = [f"depth {run['depth']}: {_si(run['training_compute']['macs'])} MACs = {_si(run['training_compute']['flops'])} FLOPs" for run in assessment.probes if "training_compute" in run]
    if spent:
        lines += ["", "Training compute per depth, all seeds: " + "; ".join(spent) + " (a training step counted as 3 forward passes)."]
    lines += ["", "| depth | p50 ms | p95 ms | p99 ms | runs | spread | throughput req/s | cost / 1M req | params bytes | peak bytes |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for cost in assessment.costs:
        lat, mem, cash = cost["latency"], cost["memory"], cost["money"]
        per_million = cash.get("cost_per_million_requests")
        lines.append(
            f"| {cost['depth']} | {lat['p50_ms']:.2f} | {lat['p95_ms']:.2f} | {lat['p99_ms']:.2f} | {lat['runs']} | "
            f"{lat['spread_iqr_over_median']:.1%}{' (noisy)' if lat['noisy'] else ''} | {cash['throughput_requests_per_s']:.1f} | "
            f"{'-' if per_million is None else f'{per_million:.2f}'} | {_bytes(mem['parameter_bytes'])} | "
            f"{_bytes(mem['peak_request_bytes'])}{' (estimate)' if mem['peak_request_is_estimate'] else ' (measured)'} |"
        )
    if any(cost["latency"]["noisy"] for cost in assessment.costs):
        lines += ["", "Warning: some latency figures are noisy (interquartile range above 10% of the median); rerun on an idle machine before relying on them."]
    lines += ["", "MACs per request by part:", "", "| depth | embeddings | attention projections | attention scores | MLP | output head |", "|---:|---:|---:|---:|---:|---:|"]
    for cost in assessment.costs:
        part = cost["flops"]["by_part_macs"]
        lines.append(f"| {cost['depth']} | {_si(part['embeddings'])} | {_si(part['attention projections'])} | {_si(part['attention scores'])} | {_si(part['mlp'])} | {_si(part['output head'])} |")
    lines += ["", f"Generated by feasibility {assessment.tool_version} on {assessment.created}; the resolved task file is in report.json.", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# Terminal


def render_terminal(assessment: Assessment, console, files: list[str] | None = None) -> None:
    """Summary panel, the depth table and the reasons, drawn with rich on `console`."""
    from rich.panel import Panel
    from rich.table import Table

    spec, rec = assessment.spec, assessment.recommendation
    hops = spec["task"]["hops"]
    percentile = spec["requirements"]["latency_percentile"]
    style = {"recommended": "green", "none_within_budget": "yellow", "not_learned": "red"}.get(rec["decision"], "white")
    console.print(Panel(rec["headline"], title=f"feasibility: {spec['name']}", border_style=style))
    table = Table(title=f"{hops}-hop {spec['task']['kind'].replace('_', ' ')}, target {spec['requirements']['accuracy']:.1%}, budget p{percentile} <= {spec['requirements']['latency_ms']:g} ms")
    for name in ["depth", "bound", *[f"hop {h}" for h in range(1, hops + 1)], "verdict", "MACs", "params", f"p{percentile} ms", "fits"]:
        table.add_column(name, justify="left" if name in ("bound", "verdict", "fits") else "right", no_wrap=name != "verdict")
    for row in depth_rows(assessment):
        table.add_row(
            str(row["depth"]),
            row["vs_bound"],
            *[_percent(row["accuracy_by_hop"].get(h)) for h in range(1, hops + 1)],
            row["verdict"].replace("_", " "),
            _si(row["macs"]) if row["macs"] is not None else "-",
            _si(row["parameters"]) if row["parameters"] is not None else "-",
            f"{row['latency_ms']:.2f}" if row["latency_ms"] is not None else "-",
            "[green]yes[/]" if row["within_budget"] else "[red]no[/]",
        )
    console.print(table)
    for reason in rec["reasons"]:
        console.print(f"  - {reason}", highlight=False, markup=False)
    if rec.get("alternatives"):
        console.print("What else could work:")
        for option in rec["alternatives"]:
            console.print(f"  - {option}", highlight=False, markup=False)
    if files:
        console.print("Written: " + ", ".join(files), highlight=False, markup=False)
