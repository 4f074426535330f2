"""The Python API (`import feasibility`): assess a task from a file or a dict, load a saved result, the depth
table as a DataFrame, and the report written, for notebooks and scripts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import feasibility
from feasibility.errors import SpecError, UsageError

DATA = Path(__file__).parent / "data" / "example.json"


def test_importing_the_package_loads_neither_torch_nor_pandas():
    code = "import sys, feasibility; print(sorted(m for m in ('torch', 'pandas', 'matplotlib') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
    assert set(feasibility.__all__) == {"__version__", "assess", "load", "depth_table", "write_report"}


def test_a_saved_result_loads_and_its_depth_table_is_a_dataframe(tmp_path):
    result = feasibility.load(DATA)
    assert result.recommendation.decision in ("recommended", "not_shown_at_length")
    decision = result.recommendation  # what docs/python-api.md says the decision holds
    assert all(hasattr(decision, name) for name in ("decision", "depth", "learned_depth", "latency_ms", "evidence", "alternatives", "risks", "questions"))
    assert all(finding.kind and isinstance(finding.figures, dict) for finding in decision.risks + decision.questions)
    table = feasibility.depth_table(result)
    assert list(table["depth"]) == [1, 2, 3] and table.loc[table["depth"] == 3, "verdict"].item() == result.verdicts[2].verdict
    assert {"question_accuracy", "question_wilson_95_low", "latency_p95_ms", "within_budget"} <= set(table.columns)
    written = feasibility.write_report(result, tmp_path / "out")
    assert {Path(name).name for name in written} >= {"report.md", "report.json", "depths.csv", "accuracy.png"}
    with pytest.raises(UsageError, match="another run"):
        feasibility.write_report(feasibility.load(Path(__file__).parent / "data" / "rework.json"), tmp_path / "out")


def test_a_task_given_as_a_dict_is_assessed_and_a_bad_one_names_its_key(tmp_path):
    from conftest import TINY_SPEC

    task = yaml.safe_load(TINY_SPEC)
    heard = []
    result = feasibility.assess(task, cache_dir=tmp_path / "cache", on_stage=heard.append)
    assert result.spec.name == "tiny" and [v.depth for v in result.verdicts] == [1, 2]
    assert len(feasibility.depth_table(result)) == 2 and heard
    again = feasibility.assess(task, cache_dir=tmp_path / "cache")  # the finished probes come from the cache
    assert [run.cached for run in again.probes] == [True] * len(again.probes)
    task["task"]["hops"] = 0
    with pytest.raises(SpecError) as refused:
        feasibility.assess(task)
    assert "task.hops" in str(refused.value) and "<dict>" in str(refused.value)
