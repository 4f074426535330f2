"""The report's figures, read back from the matplotlib figures they are drawn as: nothing clipped or overlapping,
every head and batch told apart, the chain marked without framing the map, and titles that say only what is drawn."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from feasibility.reports import figures  # noqa: E402
from feasibility.result.costs import BatchingCurve  # noqa: E402
from feasibility.result.record import ABSENT  # noqa: E402
from feasibility.run.pipeline import load_assessment, settle  # noqa: E402

DATA = Path(__file__).parent / "data" / "example.json"


@pytest.fixture()
def example():
    return load_assessment(DATA)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def texts_outside(figure) -> list[str]:
    """The drawn texts of `figure` that reach past its edges (clipped in the PNG); ticks beyond an axis' limits are
    not drawn, and not counted."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    edges = figure.bbox
    undrawn = set()
    for axis in figure.axes:
        for ticks in (axis.xaxis, axis.yaxis):
            low, high = sorted(ticks.get_view_interval())
            hidden = {id(label) for tick in ticks.get_major_ticks() + ticks.get_minor_ticks() if not low - 1e-9 <= tick.get_loc() <= high + 1e-9 for label in (tick.label1, tick.label2)}
            undrawn |= hidden
    outside = []
    for text in figure.findobj(Text):
        if id(text) in undrawn or not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        if box.x0 < edges.x0 - 1 or box.x1 > edges.x1 + 1 or box.y0 < edges.y0 - 1 or box.y1 > edges.y1 + 1:
            outside.append(text.get_text())
    return outside


def with_one_seed(assessment):
    """The example with its depth-3 probe cut down to its first seed, as a task file with `seeds: 1` gives."""
    result = copy.deepcopy(assessment)
    run = next(run for run in result.probes if run.depth == 3)
    cut = dataclasses.replace(run, seeds=run.seeds[:1])
    result.probes = [cut if r is run else r for r in result.probes]
    return result, cut


def with_batching(assessment):
    result = copy.deepcopy(assessment)
    result.batching = BatchingCurve.from_dict({"depth": 3, "requested_batch": 1, "points": [
        {"batch": b, "p50_ms": 1.0 + 0.3 * b, "p95_ms": 1.2 + 0.35 * b, "throughput_requests_per_s": b / (1.0 + 0.3 * b) * 1000} for b in (1, 2, 4, 8, 16)
    ]})
    return result


def test_no_text_of_any_figure_is_cut_off_at_its_edges(example):
    made = figures.figures(example)
    assert [name for name, _ in made] == ["accuracy.png", "latency.png", "frontier.png", "batching.png", "curves-depth-2.png", "curves-depth-3.png", "attention.png", "emergence.png"]
    for name, figure in made:
        assert texts_outside(figure) == [], name


def test_learning_curves_of_a_single_seed_keep_their_title_and_legend_whole(example):
    result, run = with_one_seed(example)
    figure = figures.curve_figure(result, run)
    assert len(figure.axes) == 1
    assert texts_outside(figure) == []
    assert figure.legends and all(t.get_text() for t in figure.legends[0].get_texts())


def test_every_head_of_the_emergence_timeline_is_drawn_its_own_way(example):
    run = example.views.shown
    figure = figures.emergence_figure(example, run)
    lines = [line for line in figure.axes[0].get_lines() if not line.get_label().startswith("_") and line.get_label() != "threshold"]
    assert len(lines) == len(example.inside(run).emergence) == 12
    looks = {(matplotlib.colors.to_hex(line.get_color()), line.get_linestyle(), line.get_marker()) for line in lines}
    assert len(looks) == len(lines)
    assert all(line.get_label().startswith("layer ") for line in lines)  # spelled out, not L2H3


def test_the_batching_axes_show_the_batch_sizes_and_nothing_else(example):
    figure = figures.batching_figure(with_batching(example))
    figure.canvas.draw()
    for axis in figure.axes:
        majors = [t.get_text() for t in axis.get_xticklabels() if t.get_text()]
        minors = [t.get_text() for t in axis.get_xticklabels(minor=True) if t.get_text()]
        assert majors == ["1", "2", "4", "8", "16"] and minors == []
    unmeasured = copy.deepcopy(example)
    unmeasured.batching = None
    assert figures.batching_figure(unmeasured) is None  # not measured: no figure


def test_frontier_labels_name_the_currency_and_neither_overlap_nor_leave_the_axes(example):
    figure = figures.frontier_figure(example)
    axis = figure.axes[0]
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    notes = [text for text in axis.texts if text.get_text().startswith("depth ")]
    trained = [point for point in example.recommendation.frontier if point.accuracy is not None]  # depth 1 is costed, not trained
    assert len(notes) == len(trained) == 2 and all("USD / 1M requests" in note.get_text() for note in notes)
    assert "USD" in axis.get_title()
    boxes = [note.get_window_extent(renderer) for note in notes]
    inside = axis.get_window_extent(renderer)
    for index, box in enumerate(boxes):
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 < box.y0 and box.y1 <= inside.y1, notes[index].get_text()
        assert not any(box.overlaps(other) for other in boxes[index + 1:]), notes[index].get_text()
    other = copy.deepcopy(example)
    other.spec.deployment.currency = "JPY"
    assert all("JPY" in t.get_text() for t in figures.frontier_figure(settle(other)).axes[0].texts if t.get_text().startswith("depth "))


def test_the_chain_is_marked_beside_the_attention_maps_not_across_them(example):
    run = example.views.shown
    figure = figures.attention_figure(run)
    marked = run.attention_example["chain_positions"]
    maps = [axis for axis in figure.axes if axis.images]
    assert len(maps) == 3 * 4
    for axis in maps:
        assert axis.get_lines() == []  # no line across the map, which at its edges reads as a frame
        offsets = [tuple(points) for collection in axis.collections for points in collection.get_offsets()]
        assert {x for x, _ in offsets[: len(marked)]} == set(marked) and {y for _, y in offsets[len(marked):]} == set(marked)


def test_the_latency_title_names_the_interval_only_where_one_is_drawn(example):
    unmeasured = copy.deepcopy(example)
    for cost in unmeasured.costs:
        cost.latency.ci95_ms = ABSENT  # a result saved before the timing rounds gave intervals
    assert "interval" not in figures.latency_figure(unmeasured).axes[0].get_title()
    measured = copy.deepcopy(example)
    for cost in measured.costs:
        p95 = cost.latency.p95_ms
        cost.latency.ci95_ms = {"p95": [p95 * 0.95, p95 * 1.05]}
    figure = figures.latency_figure(measured)
    assert "p95 95% interval" in figure.axes[0].get_title()
    assert sum(line.get_linewidth() == 3 for line in figure.axes[0].get_lines()) == 3


def test_the_panel_near_the_target_shows_the_task_length_beside_the_probes(example):
    figure = figures.accuracy_figure(example)
    near = figure.axes[1]
    names = [t.get_text() for t in near.get_legend().get_texts()]
    assert names == ["32 tokens", "128 tokens"]
    short = copy.deepcopy(example)
    short.plan.task_sequence_length = short.plan.probe_sequence_length
    for row in short.views.depth_rows:
        row["question_full_length"] = None
    assert [t.get_text() for t in figures.accuracy_figure(short).axes[1].get_legend().get_texts()] == ["32 tokens"]
