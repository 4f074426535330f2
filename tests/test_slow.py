"""End-to-end runs that train real probes for minutes: `pytest -m slow`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feasibility.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bundled_example_judges_the_two_lookup_question_at_the_tasks_length(tmp_path):
    """2 lookups: one layer is ruled out by theory (costed, not trained), two do not learn the question (the control,
    under the recipe that trains on skipped positions), three do, and hold at the task's 128 tokens, where the
    probes did not train, in every seed; so --strict passes (about three and a half minutes on 2 cores)."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["assess", str(ROOT / "examples" / "task.yaml"), "--out", str(out), "--no-cache", "--strict"])
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads((out / "report.json").read_text())
    verdicts = {v["depth"]: v for v in report["verdicts"]}
    assert verdicts[1]["verdict"] == "ruled_out" and verdicts[1]["accuracy"] is None and 1 not in {p["depth"] for p in report["probes"]}
    assert verdicts[2]["verdict"] == "not_learned" and verdicts[2]["at_chance"] and verdicts[3]["verdict"] == "learned"
    assert verdicts[3]["questions"] >= 4096 and verdicts[3]["full_length"] == 128
    assert verdicts[3]["holds_at_full_length"] and verdicts[3]["full_length_lower_bound"] >= 0.99
    assert (report["recommendation"]["decision"], report["recommendation"]["depth"]) == ("recommended", 3)


@pytest.mark.slow
def test_two_assess_runs_sharing_one_cache_both_finish_with_the_same_verdicts(tmp_path):
    """Two `assess` runs of the example started together on one cache folder (unique temporary files, whole-file
    renames): both finish, with identical verdicts, and the cache holds one entry per trained depth (about five minutes
    on 2 cores). Each run gets one thread (two runs of two threads on two cores slowed each other 25-fold, and
    the clock cap then cut them short at different steps) and no clock cap, so both train every step."""
    import os
    import subprocess
    import sys

    cache = tmp_path / "cache"
    task = tmp_path / "task.yaml"  # the example at the probe length `auto` picks for it here, and without the clock cap
    text = (ROOT / "examples" / "task.yaml").read_text().replace("time_budget_s: 240 ", "time_budget_s: 3600 ")
    text = text.replace("sequence_length: auto ", "sequence_length: 32 ")
    assert "time_budget_s: 3600 " in text and "sequence_length: 32 " in text
    task.write_text(text)
    command = [sys.executable, "-m", "feasibility", "assess", str(task), "--cache-dir", str(cache)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    runs = [subprocess.Popen([*command, "--out", str(tmp_path / name)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env) for name in ("a", "b")]
    errors = [run.communicate(timeout=1800)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    verdicts = [json.loads((tmp_path / name / "report.json").read_text())["verdicts"] for name in ("a", "b")]
    assert verdicts[0] == verdicts[1]
    assert len(list(cache.glob("probe-*.json"))) == 2 and not list(cache.glob("*.tmp")) and not list(cache.glob("*.damaged"))
