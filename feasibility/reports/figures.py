"""Figures for the Markdown report, as PNG files beside it; labelled in English, shared by every language.

Each function takes the assessment (with the decision and views `run.pipeline.settle` derived) and returns the file names it wrote.
"""

from __future__ import annotations

from pathlib import Path

from feasibility.result.assessment import Assessment
from feasibility.result.inside import EMERGENCE_THRESHOLD
from feasibility.vocabulary import UNTRAINED_VERDICTS, Verdict


def write_plots(assessment: Assessment, folder) -> list[str]:
    """Accuracy by depth and hop count, latency against depth with the budget, the cost/accuracy frontier, batching,
    the learning curves and the probes' inside; PNG files in `folder`, labelled in English (shared by the English
    and Japanese reports). Returns the names written."""
    import matplotlib

    matplotlib.use("Agg")
    folder = Path(folder)
    written = accuracy_figure(assessment, folder) + latency_figure(assessment, folder) + frontier_figure(assessment, folder)
    written += batching_figure(assessment, folder)
    written += curve_figures(assessment, folder)
    written += inside_figures(assessment, folder)
    return written


def accuracy_figure(assessment: Assessment, folder: Path) -> list[str]:
    """Accuracy by depth on the links by hop and on the question, and the question near the target with its bound."""
    import matplotlib
    import matplotlib.pyplot as plt

    rows, spec = assessment.views["depth_rows"], assessment.spec
    hops = spec["task"]["hops"]
    target = spec["requirements"]["accuracy"]
    plan = assessment.plan
    figure, (axis, near) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 2]})
    series = [(f"links, {hop} lookup{'s' if hop > 1 else ''}", [(r["depth"], r["accuracy_by_hop"][hop]) for r in rows if hop in r["accuracy_by_hop"]], "o", None, "-") for hop in range(1, hops + 1)]
    series += [
        (f"question, {hops} lookups, {length} tokens", [(r["depth"], r[key]) for r in rows if r[key] is not None], "s", "black", style)
        for key, length, style in (("question", plan["probe_sequence_length"], "-"), ("question_full_length", plan["task_sequence_length"], "--"))
    ]
    series = [entry for entry in series if entry[1]]
    for index, (name, points, marker, colour, style) in enumerate(series):
        shift = (index - (len(series) - 1) / 2) * 0.04  # side by side, so that no curve hides another
        axis.plot([d + shift for d, _ in points], [v for _, v in points], marker=marker, color=colour, linestyle=style, alpha=0.8, label=name)
    axis.axhline(target, color="grey", linestyle=":", linewidth=1, label="target")
    for row in rows:
        if row["verdict"] in UNTRAINED_VERDICTS:
            why = "a shallower\ndepth learned" if row["verdict"] == Verdict.SKIPPED else "ruled out\nby theory"
            axis.annotate(f"not trained\n({why})", (row["depth"], 0.04), ha="center", fontsize=7, color="grey")
    axis.set_xticks([r["depth"] for r in rows])
    axis.set(xlabel="depth (layers)", ylabel="accuracy on fresh examples (weakest seed)", ylim=(0, 1.02), title="Accuracy by depth")
    axis.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    # Near the target: the question at the probes' length with its Wilson 95% lower bound, the figure the verdict reads.
    low = max(0.0, target - 0.03)
    judged = [r for r in rows if r["question"] is not None]
    for row in judged:
        colour = "tab:green" if row["verdict"] == Verdict.LEARNED else "tab:grey"
        if row["question"] >= low:
            near.errorbar(row["depth"], row["question"], yerr=[[row["question"] - max(row["lower_bound"], low)], [0]], fmt="s", color=colour, capsize=4)
        else:  # far below: drawn at the floor of the panel, with its value
            near.scatter(row["depth"], low, marker="v", color=colour)
            near.annotate(f"{row['question']:.1%}", (row["depth"], low), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    near.axhline(target, color="grey", linestyle=":", linewidth=1)
    near.annotate(f"target {target:.1%}", (0.02, target), xycoords=("axes fraction", "data"), textcoords="offset points", xytext=(0, 3), fontsize=7, color="grey")
    near.set_xticks([r["depth"] for r in rows])
    near.set_xlim(min(r["depth"] for r in rows) - 0.5, max(r["depth"] for r in rows) + 0.5)
    near.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=1))
    near.set(xlabel="depth (layers)", ylabel="question (bar: to its 95% lower bound)", ylim=(low, 1.0 + (1 - low) * 0.05), title=f"Question near the target, {plan['probe_sequence_length']} tokens")
    return _saved(figure, folder, "accuracy.png")


def latency_figure(assessment: Assessment, folder: Path) -> list[str]:
    """The chosen percentile's latency by depth, p50 to p99, its 95% interval and the budget."""
    import matplotlib.pyplot as plt

    rows, spec = assessment.views["depth_rows"], assessment.spec
    percentile, budget = spec["requirements"]["latency_percentile"], spec["requirements"]["latency_ms"]
    figure, axis = plt.subplots(figsize=(6, 3.5))
    costs = {cost["depth"]: cost["latency"] for cost in assessment.costs}
    for row in rows:
        if row["latency_ms"] is None:
            continue
        latency = costs[row["depth"]]
        colour = "tab:green" if row["verdict"] == Verdict.LEARNED else "tab:grey"
        spread = [[row["latency_ms"] - latency["p50_ms"]], [latency["p99_ms"] - row["latency_ms"]]]  # p50 to p99
        axis.errorbar(row["depth"], row["latency_ms"], yerr=spread, fmt="o", color=colour, capsize=4, zorder=3)
        interval = latency.get("ci95_ms", {}).get(f"p{percentile}")
        if interval:  # the 95% interval of the chosen percentile, beside the point
            axis.plot([row["depth"] + 0.08] * 2, interval, color="black", linewidth=3, solid_capstyle="butt", zorder=4)
    axis.axhline(budget, color="tab:red", linestyle="--", label="latency budget")
    axis.set_xticks([r["depth"] for r in rows if r["latency_ms"] is not None])
    axis.set_ylim(bottom=0)
    axis.set(xlabel="depth (layers)", ylabel=f"p{percentile} latency (ms)")
    axis.set_title(f"p{percentile} latency by depth (bar: p50 to p99; black: p{percentile} 95% interval)", fontsize=9)
    axis.legend(fontsize=8, loc="upper left")
    return _saved(figure, folder, "latency.png")


def frontier_figure(assessment: Assessment, folder: Path) -> list[str]:
    """Accuracy against latency for every trained depth, the dominated ones hollow."""
    import matplotlib.pyplot as plt

    spec = assessment.spec
    percentile, budget = spec["requirements"]["latency_percentile"], spec["requirements"]["latency_ms"]
    points = [p for p in assessment.recommendation["frontier"] if p["accuracy"] is not None]
    if not points:
        return []
    figure, axis = plt.subplots(figsize=(6.5, 4.2))
    by_latency = sorted(points, key=lambda p: p["latency_ms"])
    for point in points:
        kept = point["dominated_by"] is None
        axis.scatter(point["latency_ms"], point["accuracy"], s=60, zorder=3, facecolors="tab:blue" if kept else "none", edgecolors="tab:blue" if kept else "tab:grey")
        cost = point.get("cost_per_million_requests")
        note = f"depth {point['depth']}" + (f", {cost:.3g}/1M req" if cost is not None else "") + ("" if kept else " (dominated)")
        right = point["latency_ms"] > 0.6 * max(budget, max(p["latency_ms"] for p in points)) * 1.25
        above = by_latency.index(point) % 2 == 1  # neighbours in latency are labelled on alternate sides: no two labels collide
        axis.annotate(note, (point["latency_ms"], point["accuracy"]), textcoords="offset points", xytext=(-6 if right else 6, 8 if above else -12), ha="right" if right else "left", fontsize=8)
    axis.scatter([], [], s=60, facecolors="tab:blue", edgecolors="tab:blue", label="an option (hollow: dominated)")
    axis.axvline(budget, color="tab:red", linestyle="--", label=f"p{percentile} budget")
    axis.axhline(spec["requirements"]["accuracy"], color="grey", linestyle=":", label="accuracy target")
    axis.set(xlabel=f"p{percentile} latency (ms)", ylabel="accuracy (weakest seed)", ylim=(0, 1.05), title="Cost/accuracy frontier")
    axis.set_xlim(left=0, right=max(budget, max(p["latency_ms"] for p in points)) * 1.25)
    axis.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)  # below: hides no label
    return _saved(figure, folder, "frontier.png")


def batching_figure(assessment: Assessment, folder: Path) -> list[str]:
    """Latency (p50, p95) and throughput of the served model against batch size, where it was measured."""
    import matplotlib.pyplot as plt

    batching = assessment.batching
    if not batching or not batching["points"]:
        return []
    points = batching["points"]
    batches = [p["batch"] for p in points]
    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(9, 3.4))
    latency.plot(batches, [p["p50_ms"] for p in points], "o-", label="p50")
    latency.plot(batches, [p["p95_ms"] for p in points], "s--", label="p95")
    latency.axhline(assessment.spec["requirements"]["latency_ms"], color="tab:red", linestyle=":", label="latency budget")
    latency.set(xscale="log", xlabel="batch (requests per forward pass)", ylabel="latency (ms)", title=f"Depth {batching['depth']}: latency by batch")
    latency.set_ylim(bottom=0)
    latency.legend(fontsize=8)
    throughput.plot(batches, [p["throughput_requests_per_s"] for p in points], "o-", color="tab:green")
    throughput.set(xscale="log", xlabel="batch (requests per forward pass)", ylabel="requests / s (batch / p50)", title="Throughput by batch")
    throughput.set_ylim(bottom=0)
    for axis in (latency, throughput):
        axis.set_xticks(batches, [str(b) for b in batches])
        axis.axvline(batching["requested_batch"], color="grey", linewidth=0.8)
    return _saved(figure, folder, "batching.png")


def curve_figures(assessment: Assessment, folder: Path) -> list[str]:
    """Per-hop learning curves: one figure per trained depth, one small panel per seed, one line per hop count."""
    import matplotlib.pyplot as plt

    hops = assessment.spec["task"]["hops"]
    target = assessment.spec["requirements"]["accuracy"]
    written = []
    for run in assessment.probes:
        if not run.curve:
            continue
        seeds = len(run.seeds)
        figure, axes = plt.subplots(1, seeds, figsize=(2.6 * seeds + 0.6, 3.3), sharey=True, squeeze=False)
        for member, axis in enumerate(axes[0]):
            steps = [point.step for point in run.curve]
            for hop in range(1, hops + 1):
                values = [point.accuracy_by_hop[member].get(hop) for point in run.curve]
                if any(v is not None for v in values):
                    axis.plot(steps, [float("nan") if v is None else v for v in values], linewidth=1, label=f"links, {hop} lookup{'s' if hop > 1 else ''}")
            axis.plot(steps, [point.query_accuracy[member] for point in run.curve], color="black", linewidth=1.5, label="question")
            checked = [point for point in run.curve if point.full_length_accuracy]  # running checks at the task's length
            if checked:
                length = run.settings.full_length
                axis.plot([p.step for p in checked], [p.full_length_accuracy[member] for p in checked], "o", color="black", markersize=3, fillstyle="none", label=f"question at {length}")
            axis.axhline(target, color="grey", linestyle="--", linewidth=1)
            axis.set(title=f"seed {run.seeds[member].seed}", xlabel="step", ylim=(0, 1.02))
        axes[0][0].set_ylabel("check-set accuracy")
        handles, names = axes[0][-1].get_legend_handles_labels()
        figure.legend(handles, names, fontsize=7, loc="lower center", ncol=len(names), frameon=False)  # below the panels: hides no curve
        figure.suptitle(f"Depth {run.depth}: accuracy on the check set while training (dashed: target)", fontsize=9)
        figure.tight_layout(rect=(0, 0.1, 1, 1))
        name = f"curves-depth-{run.depth}.png"
        figure.savefig(folder / name, dpi=110)
        plt.close(figure)
        written.append(name)
    return written


def inside_figures(assessment: Assessment, folder: Path) -> list[str]:
    """The explained probe's attention maps (one panel per layer and head, chain positions marked) and the
    timeline of its heads' chain scores, with the steps at which each hop count was learned."""
    import matplotlib.pyplot as plt

    run = assessment.shown_run()
    if run is None or not run.attention_example:
        return []
    example = run.attention_example
    patterns = example["patterns"]
    layers, heads = len(patterns), len(patterns[0])
    marked = example["chain_positions"]
    figure, axes = plt.subplots(layers, heads, figsize=(2.1 * heads + 0.4, 2.3 * layers + 0.7), squeeze=False)
    for layer in range(layers):
        for head in range(heads):
            axis = axes[layer][head]
            image = axis.imshow(patterns[layer][head], cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
            for position in marked:
                axis.axhline(position, color="tab:red", linewidth=0.6, alpha=0.6)
                axis.axvline(position, color="tab:red", linewidth=0.6, alpha=0.6)
            ticks = [0, len(patterns[layer][head]) // 2, len(patterns[layer][head]) - 1]
            axis.set_xticks(ticks if layer == layers - 1 else [])
            axis.set_yticks(ticks if head == 0 else [])
            axis.tick_params(labelsize=6)
            if layer == layers - 1:
                axis.set_xlabel("key position (attended to)", fontsize=7)
            if head == 0:
                axis.set_ylabel("query position", fontsize=7)
            axis.set_title(f"layer {layer + 1}, head {head + 1}", fontsize=8)
    figure.suptitle(f"Depth {run.depth}, seed {example['seed']}: attention on one held-out example (rows attend to columns; red: the chain)", fontsize=9)
    figure.tight_layout(rect=(0, 0, 0.92, 0.96), h_pad=1.2)
    bar = figure.colorbar(image, cax=figure.add_axes((0.94, 0.15, 0.015, 0.7)))
    bar.set_label("attention weight", fontsize=7)
    bar.ax.tick_params(labelsize=6)
    figure.savefig(folder / "attention.png", dpi=110)
    plt.close(figure)
    return ["attention.png"] + _emergence_figure(assessment, run, folder)


def _emergence_figure(assessment: Assessment, run, folder: Path) -> list[str]:
    """The timeline of the probe's heads' scores, with the steps at which each hop count was learned."""
    import matplotlib.pyplot as plt

    example = run.attention_example
    points = [point for point in run.curve if point.head_scores]
    if not points:
        return []
    inside = assessment.inside(run)
    figure, axis = plt.subplots(figsize=(8.5, 3.8))
    steps = [point.step for point in points]
    for row in sorted(inside["emergence"], key=lambda r: (r["layer"], r["head"])):
        values = [point.head_scores[row["kind"]][0][row["layer"] - 1][row["head"] - 1] for point in points]
        axis.plot(steps, values, linewidth=1.2, linestyle="-" if row["kind"] == "chain" else "--", label=f"L{row['layer']}H{row['head']} {row['kind']}")
    axis.axhline(EMERGENCE_THRESHOLD, color="grey", linestyle="--", linewidth=1, label="threshold")
    for hop, step in inside["hops_learned"].items():
        if step is not None:
            axis.axvline(step, color="black", linestyle=":", linewidth=1)
            axis.annotate(f"hop {hop} learned", (step, 1.0), rotation=90, fontsize=7, va="top", ha="right")
    axis.set(xlabel="step", ylabel="score (attention on its targets)", ylim=(0, 1.05), title=f"Depth {run.depth}, seed {example['seed']}: head scores while training")
    axis.legend(fontsize=6, ncol=1 if len(inside["emergence"]) <= 12 else 2, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)  # beside, hiding no curve
    return _saved(figure, folder, "emergence.png", dpi=110)


def _saved(figure, folder: Path, name: str, dpi: int = 120) -> list[str]:
    """Lay `figure` out, write it as `name` in `folder` and close it; the name, as the figure functions return it."""
    import matplotlib.pyplot as plt

    figure.tight_layout()
    figure.savefig(folder / name, dpi=dpi)
    plt.close(figure)
    return [name]
