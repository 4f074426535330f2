"""End-to-end runs that train real probes for minutes: `pytest -m slow`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feasibility.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bundled_example_recommends_two_layers(tmp_path):
    """2 hops: one layer is below the bound and fails, two layers learn in every seed (about 2 minutes)."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["assess", str(ROOT / "examples" / "task.yaml"), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads((out / "report.json").read_text())
    verdicts = {v["depth"]: v["verdict"] for v in report["verdicts"]}
    assert verdicts[1] == "below_bound" and verdicts[2] == "learned"
    assert report["verdicts"][0]["accuracy"] < 0.6
