"""Figures for the Markdown report, as PNG files beside it; labelled in English, shared by every language.

Each function takes the assessment (with the decision and views `run.pipeline.settle` derived) and returns the file names it wrote.
"""

from __future__ import annotations

from pathlib import Path

from feasibility.result.assessment import Assessment
from feasibility.result.inside import EMERGENCE_THRESHOLD
from feasibility.result.spec import SavedPlan
from feasibility.vocabulary import UNTRAINED_VERDICTS, Verdict


def write_plots(assessment: Assessment, folder) -> list[str]:
    """Accuracy by depth and hop count, latency against depth with the budget, the cost/accuracy frontier, batching,
    the learning curves and the probes' inside; PNG files in `folder`, labelled in English (shared by the English
    and Japanese reports). Returns the names written."""
    import matplotlib.pyplot as plt

    folder = Path(folder)
    written = []
    for name, figure in figures(assessment):
        figure.savefig(folder / name, dpi=DPI.get(name.split("-")[0].removesuffix(".png"), 120))
        plt.close(figure)
        written.append(name)
    return written


DPI = {"curves": 110, "attention": 110, "emergence": 110}  # the many-panel figures, by the start of their names


def figures(assessment: Assessment) -> list[tuple[str, object]]:
    """Every figure of the report, laid out but not saved, by the file name it is written as (matplotlib Figures;
    the caller closes them)."""
    import matplotlib

    matplotlib.use("Agg")
    made = [("accuracy.png", accuracy_figure(assessment)), ("latency.png", latency_figure(assessment)), ("frontier.png", frontier_figure(assessment))]
    made.append(("batching.png", batching_figure(assessment)))
    made += [(f"curves-depth-{run.depth}.png", curve_figure(assessment, run)) for run in assessment.probes if run.curve]
    run = assessment.views.shown
    if run is not None and run.attention_example:
        made += [("attention.png", attention_figure(run)), ("emergence.png", emergence_figure(assessment, run))]
    return [(name, figure) for name, figure in made if figure is not None]


def accuracy_figure(assessment: Assessment):
    """Accuracy by depth on the links by hop and on the question, and the question near the target with its bound, at
    the probes' length and, where they trained shorter, at the task's."""
    import matplotlib.pyplot as plt

    rows, spec = assessment.views.depth_rows, assessment.spec
    hops = spec.task.hops
    target = spec.requirements.accuracy
    plan = assessment.plan
    figure, (axis, near) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 2]})
    series = [(f"links, {hop} lookup{'s' if hop > 1 else ''}", [(r["depth"], r["accuracy_by_hop"][hop]) for r in rows if hop in r["accuracy_by_hop"]], "o", None, "-") for hop in range(1, hops + 1)]
    series += [
        (f"question, {hops} lookups, {length} tokens", [(r["depth"], r[key]) for r in rows if r[key] is not None], "s", "black", style)
        for key, length, style in (("question", plan.probe_sequence_length, "-"), ("question_full_length", plan.task_sequence_length, "--"))
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
    _near_target(near, rows, target, plan)
    figure.tight_layout()
    return figure


def _near_target(near, rows: list[dict], target: float, plan: SavedPlan) -> None:
    """The question near the target with its Wilson 95% lower bound, the figure the verdict reads: filled at the
    probes' length, hollow (beside it) at the task's where the probes trained shorter; far below, at the panel's floor."""
    import matplotlib

    low = max(0.0, target - 0.03)
    lengths = [("question", "lower_bound", plan.probe_sequence_length, "full", 0.0)]
    if plan.task_sequence_length != plan.probe_sequence_length:
        lengths.append(("question_full_length", "full_length_lower_bound", plan.task_sequence_length, "none", 0.15))
    for key, bound, length, fill, shift in lengths:
        judged = [r for r in rows if r[key] is not None]
        for row in judged:
            colour = "tab:green" if row["verdict"] == Verdict.LEARNED else "tab:grey"
            x = row["depth"] + shift
            if row[key] >= low:
                lower = row[bound] if row[bound] is not None else row[key]
                near.errorbar(x, row[key], yerr=[[row[key] - max(lower, low)], [0]], fmt="s", color=colour, fillstyle=fill, capsize=4)
            else:  # far below: drawn at the floor of the panel, with its value
                near.scatter(x, low, marker="v", color=colour, facecolors=colour if fill == "full" else "none")
                near.annotate(f"{row[key]:.1%}", (x, low), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=6)
        near.plot([], [], "s", color="black", fillstyle=fill, label=f"{length} tokens")
    near.axhline(target, color="grey", linestyle=":", linewidth=1)
    near.annotate(f"target {target:.1%}", (0.02, target), xycoords=("axes fraction", "data"), textcoords="offset points", xytext=(0, 3), fontsize=7, color="grey")
    near.set_xticks([r["depth"] for r in rows])
    near.set_xlim(min(r["depth"] for r in rows) - 0.5, max(r["depth"] for r in rows) + 0.5)
    near.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=1))
    near.set(xlabel="depth (layers)", ylabel="question (bar: to its 95% lower bound)", ylim=(low, 1.0 + (1 - low) * 0.05), title="Question near the target")
    near.legend(fontsize=7, loc="lower right")


def latency_figure(assessment: Assessment):
    """The chosen percentile's latency by depth, p50 to p99, its 95% interval where measured, and the budget."""
    import matplotlib.pyplot as plt

    rows, spec = assessment.views.depth_rows, assessment.spec
    percentile, budget = spec.requirements.latency_percentile, spec.requirements.latency_ms
    figure, axis = plt.subplots(figsize=(6, 3.5))
    costs = {cost.depth: cost.latency for cost in assessment.costs}
    intervals = False
    for row in rows:
        if row["latency_ms"] is None:
            continue
        latency = costs[row["depth"]]
        colour = "tab:green" if row["verdict"] == Verdict.LEARNED else "tab:grey"
        spread = [[row["latency_ms"] - latency.p50_ms], [latency.p99_ms - row["latency_ms"]]]  # p50 to p99
        axis.errorbar(row["depth"], row["latency_ms"], yerr=spread, fmt="o", color=colour, capsize=4, zorder=3)
        interval = latency.interval(percentile)
        if interval:  # the 95% interval of the chosen percentile, beside the point
            axis.plot([row["depth"] + 0.08] * 2, interval, color="black", linewidth=3, solid_capstyle="butt", zorder=4)
            intervals = True
    axis.axhline(budget, color="tab:red", linestyle="--", label="latency budget")
    axis.set_xticks([r["depth"] for r in rows if r["latency_ms"] is not None])
    axis.set_ylim(bottom=0)
    axis.set(xlabel="depth (layers)", ylabel=f"p{percentile} latency (ms)")
    key = f"bar: p50 to p99; black: p{percentile} 95% interval" if intervals else "bar: p50 to p99"
    axis.set_title(f"p{percentile} latency by depth ({key})", fontsize=9)
    axis.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    return figure


def frontier_figure(assessment: Assessment):
    """Accuracy against latency for every trained depth, the dominated ones hollow, each labelled with its cost."""
    import matplotlib.pyplot as plt

    spec = assessment.spec
    percentile, budget = spec.requirements.latency_percentile, spec.requirements.latency_ms
    points = [p for p in assessment.recommendation.frontier if p.accuracy is not None]
    if not points:
        return None
    figure, axis = plt.subplots(figsize=(6.5, 4.2))
    right_edge = max(budget, max(p.latency_ms for p in points)) * 1.25
    placed = []
    for point in sorted(points, key=lambda p: p.latency_ms):
        kept = point.dominated_by is None
        axis.scatter(point.latency_ms, point.accuracy, s=60, zorder=3, facecolors="tab:blue" if kept else "none", edgecolors="tab:blue" if kept else "tab:grey")
        cost = point.cost_per_million_requests
        note = f"depth {point.depth}" + (f", {cost:.3g} {assessment.currency} / 1M requests" if cost is not None else "") + ("" if kept else " (dominated)")
        right = point.latency_ms > 0.5 * right_edge
        # above the point (below it near the top), one line further out for each labelled neighbour: no two collide,
        # and none sits on the axis
        near = sum(abs(q.latency_ms - point.latency_ms) < 0.3 * right_edge and abs(q.accuracy - point.accuracy) < 0.12 for q in placed)
        rise = 8 + 12 * near if point.accuracy < 0.9 else -(14 + 12 * near)
        axis.annotate(note, (point.latency_ms, point.accuracy), textcoords="offset points", xytext=(-6 if right else 6, rise), ha="right" if right else "left", fontsize=8)
        placed.append(point)
    axis.scatter([], [], s=60, facecolors="tab:blue", edgecolors="tab:blue", label="an option (hollow: dominated)")
    axis.axvline(budget, color="tab:red", linestyle="--", label=f"p{percentile} budget")
    axis.axhline(spec.requirements.accuracy, color="grey", linestyle=":", label="accuracy target")
    axis.set(xlabel=f"p{percentile} latency (ms)", ylabel="accuracy (weakest seed)", ylim=(0, 1.05), title=f"Cost/accuracy frontier (cost in {assessment.currency})")
    axis.set_xlim(left=0, right=right_edge)
    axis.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)  # below: hides no label
    figure.tight_layout()
    return figure


def batching_figure(assessment: Assessment):
    """Latency (p50, p95) and throughput of the served model against batch size, where it was measured."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    batching = assessment.batching
    if not batching or not batching.points:
        return None
    points = batching.points
    batches = [p.batch for p in points]
    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(9, 3.4))
    latency.plot(batches, [p.p50_ms for p in points], "o-", label="p50")
    latency.plot(batches, [p.p95_ms for p in points], "s--", label="p95")
    latency.axhline(assessment.spec.requirements.latency_ms, color="tab:red", linestyle=":", label="latency budget")
    latency.set(xscale="log", xlabel="batch (requests per forward pass)", ylabel="latency (ms)", title=f"Depth {batching.depth}: latency by batch")
    latency.set_ylim(bottom=0)
    latency.legend(fontsize=8)
    throughput.plot(batches, [p.throughput_requests_per_s for p in points], "o-", color="tab:green")
    throughput.set(xscale="log", xlabel="batch (requests per forward pass)", ylabel="requests / s (batch / p50)", title="Throughput by batch")
    throughput.set_ylim(bottom=0)
    for axis in (latency, throughput):
        axis.set_xticks(batches, [str(b) for b in batches])
        axis.xaxis.set_minor_formatter(NullFormatter())  # the log scale's own minor labels (such as 3x10^0) would stray among the batches
        axis.axvline(batching.requested_batch, color="grey", linewidth=0.8)
    figure.tight_layout()
    return figure


def curve_figure(assessment: Assessment, run):
    """A depth's per-hop learning curves: one small panel per seed, one line per hop count."""
    import matplotlib.pyplot as plt

    hops = assessment.spec.task.hops
    target = assessment.spec.requirements.accuracy
    seeds = len(run.seeds)
    # at least as wide as the title and the legend need, also for a single seed
    figure, axes = plt.subplots(1, seeds, figsize=(max(2.6 * seeds + 0.6, 6.4), 3.4), sharey=True, squeeze=False)
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
    columns = min(len(names), max(2, 2 * seeds))
    rows = -(-len(names) // columns)
    figure.legend(handles, names, fontsize=7, loc="lower center", ncol=columns, frameon=False)  # below the panels: hides no curve
    figure.suptitle(f"Depth {run.depth}: accuracy on the check set while training (dashed: target)", fontsize=9)
    figure.tight_layout(rect=(0, 0.06 + 0.05 * rows, 1, 1))
    return figure


def attention_figure(run):
    """The probe's attention maps on one held-out example: one panel per layer and head, the chain's positions marked
    by red ticks along the top and left edges (lines across the map would hide it, or read as a frame at its edges)."""
    import matplotlib.pyplot as plt

    example = run.attention_example
    patterns = example["patterns"]
    layers, heads = len(patterns), len(patterns[0])
    marked = example["chain_positions"]
    figure, axes = plt.subplots(layers, heads, figsize=(2.1 * heads + 0.4, 2.3 * layers + 0.7), squeeze=False)
    for layer in range(layers):
        for head in range(heads):
            axis = axes[layer][head]
            image = axis.imshow(patterns[layer][head], cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
            size = len(patterns[layer][head])
            edge = -0.5 - size * 0.04  # just outside the map
            axis.scatter(marked, [edge] * len(marked), marker="v", s=9, color="tab:red", clip_on=False, zorder=5)
            axis.scatter([edge] * len(marked), marked, marker=">", s=9, color="tab:red", clip_on=False, zorder=5)
            axis.set_xlim(-0.5, size - 0.5)
            axis.set_ylim(size - 0.5, -0.5)
            ticks = [0, size // 2, size - 1]
            axis.set_xticks(ticks if layer == layers - 1 else [])
            axis.set_yticks(ticks if head == 0 else [])
            axis.tick_params(labelsize=6)
            if layer == layers - 1:
                axis.set_xlabel("key position (attended to)", fontsize=7)
            if head == 0:
                axis.set_ylabel("query position", fontsize=7)
            axis.set_title(f"layer {layer + 1}, head {head + 1}", fontsize=8, pad=7)
    figure.suptitle(f"Depth {run.depth}, seed {example['seed']}: attention on one held-out example (rows attend to columns; red ticks: the chain)", fontsize=9)
    figure.tight_layout(rect=(0, 0, 0.92, 0.96), h_pad=1.2)
    bar = figure.colorbar(image, cax=figure.add_axes((0.94, 0.15, 0.015, 0.7)))
    bar.set_label("attention weight", fontsize=7)
    bar.ax.tick_params(labelsize=6)
    return figure


def emergence_figure(assessment: Assessment, run):
    """The timeline of the probe's heads' scores, with the steps at which each hop count was learned; every head in
    a colour of its own (up to 20; beyond, colours repeat with another marker)."""
    import matplotlib.pyplot as plt

    example = run.attention_example
    points = [point for point in run.curve if point.head_scores]
    if not points:
        return None
    inside = assessment.inside(run)
    figure, axis = plt.subplots(figsize=(8.5, 3.8))
    steps = [point.step for point in points]
    palette = plt.get_cmap("tab20").colors
    for index, row in enumerate(sorted(inside.emergence, key=lambda r: (r["layer"], r["head"]))):
        values = [point.head_scores[row["kind"]][0][row["layer"] - 1][row["head"] - 1] for point in points]
        marker = None if index < len(palette) else "o"
        axis.plot(steps, values, linewidth=1.2, color=palette[index % len(palette)], marker=marker, markersize=3, linestyle="-" if row["kind"] == "chain" else "--", label=f"layer {row['layer']} head {row['head']}: {row['kind']}")
    axis.axhline(EMERGENCE_THRESHOLD, color="grey", linestyle="--", linewidth=1, label="threshold")
    for hop, step in inside.hops_learned.items():
        if step is not None:
            axis.axvline(step, color="black", linestyle=":", linewidth=1)
            axis.annotate(f"hop {hop} learned", (step, 1.0), rotation=90, fontsize=7, va="top", ha="right")
    axis.set(xlabel="step", ylabel="score (attention on its targets)", ylim=(0, 1.05), title=f"Depth {run.depth}, seed {example['seed']}: head scores while training")
    axis.legend(fontsize=6, ncol=1 if len(inside.emergence) <= 12 else 2, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)  # beside, hiding no curve
    figure.tight_layout()
    return figure
