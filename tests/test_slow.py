"""End-to-end runs that train real probes for minutes: `pytest -m slow`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feasibility.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bundled_example_judges_the_two_lookup_question(tmp_path):
    """2 lookups: one layer is below the bound, two do not learn the question, three do; the same probes are judged
    at the task's 128 tokens too (about three minutes on 2 cores)."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["assess", str(ROOT / "examples" / "task.yaml"), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads((out / "report.json").read_text())
    verdicts = {v["depth"]: v for v in report["verdicts"]}
    assert verdicts[1]["verdict"] == "below_bound" and verdicts[1]["at_chance"]
    assert verdicts[2]["verdict"] == "not_learned" and verdicts[3]["verdict"] == "learned"
    assert verdicts[3]["questions"] >= 4096 and verdicts[3]["full_length"] == 128
    assert report["recommendation"]["depth"] == 3
