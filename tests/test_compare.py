"""Two results side by side: the comparison as data (result.comparison) and its words in both languages."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from feasibility.reports.compare import compare_view, render_compare_markdown
from feasibility.result.comparison import CHANGE_KINDS, Change, InputChange, compare
from feasibility.run.pipeline import load_assessment, settle

REWORK = Path(__file__).parent / "data" / "rework.json"


@pytest.fixture()
def rework():
    return load_assessment(REWORK)


def tighter(result, budget_ms: float = 12.0):
    """The same measurements against another latency budget, decided again."""
    other = copy.deepcopy(result)
    other.spec.requirements.latency_ms = budget_ms
    return settle(other)


def test_a_result_against_itself_differs_in_nothing_and_keeps_its_decision(rework):
    same = compare(rework, rework)
    assert same.spec_changes == [] and [c.kind for c in same.changes] == ["same_decision", "margin"]
    assert same.changes[1].a == same.changes[1].b  # the margin is said even where it did not move
    assert [row.depth for row in same.rows] == [1, 2, 3]
    assert all(row.verdict[0] == row.verdict[1] and row.latency_ms[0] == row.latency_ms[1] for row in same.rows)
    assert json.loads(json.dumps(same.to_dict()))["names"] == ["rework-fixture-lookup", "rework-fixture-lookup"]


def test_a_tighter_budget_changes_the_decision_the_binding_constraint_and_the_margin(rework):
    comparison = compare(rework, tighter(rework))
    assert comparison.spec_changes == [InputChange("requirements.latency_ms", 30.0, 12.0)]
    kinds = [change.kind for change in comparison.changes]
    assert kinds == ["decision", "binding", "margin"] and all(kind in CHANGE_KINDS for kind in kinds)
    binding = next(c for c in comparison.changes if c.kind == "binding")
    assert binding == Change("binding", rework.recommendation.binding_constraint, "latency")
    assert [row.latency_ms[0] == row.latency_ms[1] for row in comparison.rows] == [True, True, True]  # the same measurements


def test_where_the_two_ran_is_an_input_that_differs(rework):
    other = copy.deepcopy(rework)
    other.environment.threads = 16
    assert InputChange("environment.threads", rework.environment.threads, 16) in compare(rework, other).spec_changes


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_change_is_worded_in_both_languages_with_its_values(rework, lang):
    from rich.console import Console

    comparison = compare(rework, tighter(rework))
    markdown = render_compare_markdown(comparison, lang)
    console = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115 - rich keeps it
    for renderable in compare_view(comparison, True, lang):
        console.print(renderable)
    terminal = console.export_text()
    for text in (markdown, terminal):
        assert "{" not in text and "}" not in text  # no placeholder left unfilled
        assert ("12 ms" in text or "12" in text) and ("結論が変わった" if lang == "ja" else "the decision changed") in text
        assert ("制約となる条件: A 精度 → B レイテンシ" if lang == "ja" else "the binding constraint: accuracy in A, latency in B") in text
    assert "| `requirements.latency_ms` | 30 | 12 |" in markdown
