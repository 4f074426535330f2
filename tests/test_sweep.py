"""Sweeps: grid files, the depth search of many cells on an executor, what a sweep writes, contained failures,
and the same answers on Ray as in this process (the Ray tests skip where the `ray` extra is not installed)."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feasibility.cli import app
from feasibility.errors import SpecError, UsageError
from feasibility.run.executors import LocalExecutor, make_executor
from feasibility.run.sweep import run_sweep
from feasibility.spec.grid import load_grid
from feasibility.reports.sweep import write_sweep

runner = CliRunner()

# Two cells of a task small enough to train in seconds: each depth's job is 2 seeds for at most 120 steps.
GRID = """\
name: tiny-grid
base: tiny.yaml
axes:
  hops: [1, 2]
set:
  probe.max_steps: 120
  probe.depths: [1, 2]
  probe.time_budget_s: 600
"""


@pytest.fixture
def grid(tiny_spec: Path) -> Path:
    path = tiny_spec.parent / "grid.yaml"
    path.write_text(GRID.replace("tiny.yaml", tiny_spec.name))
    return path


def _accuracies(result) -> list:
    """Every cell's verdicts, from a sweep's result or its sweep.json."""
    cells = result.to_dict()["cells"] if hasattr(result, "to_dict") else result["cells"]
    return [[(v["depth"], v["verdict"], v["accuracy"]) for v in cell["verdicts"]] for cell in cells]


def test_a_grid_expands_into_validated_cells(grid):
    loaded, specs = load_grid(grid)
    assert loaded.axes == {"task.hops": [1, 2]}
    assert [cell for cell, _ in specs] == [{"task.hops": 1}, {"task.hops": 2}]
    assert [spec.task.hops for _, spec in specs] == [1, 2] and all(spec.probe.max_steps == 120 for _, spec in specs)


@pytest.mark.parametrize(
    "text, key, words",
    [
        ("base: tiny.yaml\naxes:\n  hops: [1, 0]\n", "axes.hops", "in the cell hops=0"),
        ("base: tiny.yaml\naxes:\n  colour: [1]\n", "axes.colour", "unknown axis"),
        ("base: tiny.yaml\naxes:\n  hops: 3\n", "axes.hops", "non-empty list"),
        ("base: missing.yaml\naxes:\n  hops: [1]\n", "base", "no such task file"),
        ("axes:\n  hops: [1]\n", "base", "is required"),
        ("base: tiny.yaml\n", "axes", "is required"),
        ("base: tiny.yaml\naxes:\n  hops: [1]\nset:\n  probe.max_stepz: 10\n", "set.probe.max_stepz", "unknown key"),
        ("base: tiny.yaml\naxes:\n  hops: [1]\nset:\n  task.hops: 2\n", "set.task.hops", "also an axis"),
        ("base: tiny.yaml\naxes: [hops]\n", "axes", "is required"),
    ],
)
def test_a_bad_grid_is_refused_naming_the_grid_file_and_the_key(tiny_spec, text, key, words):
    path = tiny_spec.parent / "bad-grid.yaml"
    path.write_text(text.replace("tiny.yaml", tiny_spec.name))
    with pytest.raises(SpecError) as caught:
        load_grid(path)
    problem = next(p for p in caught.value.problems if p.key == key)
    assert problem.source == str(path) and words in problem.message
    result = runner.invoke(app, ["sweep", str(path)])
    assert result.exit_code == 2 and str(path) in result.stderr and "Traceback" not in result.output


def test_a_local_sweep_decides_every_cell_writes_its_outputs_and_reuses_finished_jobs(grid, tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(grid), "--out", str(out), "--cache-dir", str(cache)])
    assert result.exit_code == 0, result.output + result.stderr
    saved = json.loads((out / "sweep.json").read_text())
    assert [c["values"] for c in saved["cells"]] == [{"task.hops": 1}, {"task.hops": 2}]
    assert all(c["status"] in ("learned", "not_learned") for c in saved["cells"])
    for cell in saved["cells"]:  # the search stops at the first depth that learned, as assess does
        verdicts = [v["verdict"] for v in cell["verdicts"]]
        if cell["status"] == "learned":
            assert verdicts[cell["depth"] - 1] == "learned" and all(v == "skipped" for v in verdicts[cell["depth"]:])
        assert (cell["bounds"]["lower"], cell["bounds"]["upper"]) == ({1: (1, 2), 2: (2, 3)}[cell["values"]["task.hops"]])
    trained = saved["jobs"]["trained"]
    assert trained == sum(len(c["probes"]) for c in saved["cells"]) and saved["jobs"]["failed"] == 0
    assert "Jobs: " in result.stderr and " running, " in result.stderr and " queued, " in result.stderr
    header = (out / "sweep.csv").read_text().splitlines()[0]
    assert header.startswith("hops,status,depth,theory_floor,theory_ceiling")
    assert (out / "depth-map.png").stat().st_size > 5000
    assert "# Depth map: tiny-grid" in (out / "sweep.md").read_text() and "深さマップ" in (out / "sweep.ja.md").read_text()

    again = runner.invoke(app, ["sweep", str(grid), "--out", str(out), "--cache-dir", str(cache)])
    assert again.exit_code == 2 and "--force" in again.stderr  # an earlier sweep is not replaced silently
    again = runner.invoke(app, ["sweep", str(grid), "--out", str(out), "--cache-dir", str(cache), "--force"])
    assert again.exit_code == 0
    rerun = json.loads((out / "sweep.json").read_text())
    assert rerun["jobs"]["trained"] == 0 and rerun["jobs"]["cached"] == trained  # nothing finished is trained again
    assert _accuracies(rerun) == _accuracies(saved)


def test_a_job_that_keeps_failing_is_reported_in_its_cell_and_the_rest_completes(grid, monkeypatch):
    import feasibility.probes.train as train_module

    real = train_module.run_job
    attempts = []

    def flaky(job, **kwargs):
        if job.task["hops"] == 2:
            attempts.append(job.depth)
            raise RuntimeError("the worker ran out of something")
        return real(job, **kwargs)

    monkeypatch.setattr(train_module, "run_job", flaky)
    loaded, specs = load_grid(grid)
    result = run_sweep(loaded, specs, LocalExecutor(retries=2), None)
    failed, fine = result.cells[1], result.cells[0]
    assert attempts == [1, 1, 1]  # tried three times, then given up
    assert failed.status == "failed" and "RuntimeError: the worker ran out of something (after 3 attempts)" in failed.error
    assert failed.error.startswith("depth 1: ")
    assert fine.status in ("learned", "not_learned") and result.jobs.failed == 1
    folder = Path(loaded.source).parent / "failed-out"
    write_sweep(result, folder)
    assert "failed: depth 1: RuntimeError" in (folder / "sweep.md").read_text()


def test_the_ray_executor_without_ray_is_a_clear_error_naming_the_install(monkeypatch, grid, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    with pytest.raises(UsageError, match=r"pip install -e '\.\[ray\]'"):
        make_executor("ray")
    result = runner.invoke(app, ["sweep", str(grid), "--out", str(tmp_path / "o"), "--executor", "ray"])
    assert result.exit_code == 2 and "pip install" in result.stderr and "Traceback" not in result.output
    result = runner.invoke(app, ["sweep", str(grid), "--out", str(tmp_path / "o"), "--address", "auto"])
    assert result.exit_code == 2 and "--executor ray" in result.stderr


def test_an_unreachable_cluster_address_is_refused_at_once(grid, tmp_path):
    pytest.importorskip("ray")
    started = time.monotonic()
    with pytest.raises(UsageError, match=r"address 127\.0\.0\.1:9: nothing answers there"):
        make_executor("ray", address="127.0.0.1:9")  # port 9 (discard): nothing listens here
    with pytest.raises(UsageError, match="expected HOST:PORT"):
        make_executor("ray", address="head-without-port")
    assert time.monotonic() - started < 30  # not Ray's minutes of retrying
    result = runner.invoke(app, ["sweep", str(grid), "--out", str(tmp_path / "o"), "--executor", "ray", "--address", "127.0.0.1:9"])
    assert result.exit_code == 2 and "nothing answers there" in result.stderr and "Traceback" not in result.output


# -- on Ray ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=100 * 1024 * 1024)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def local_answer(tmp_path_factory):
    """The tiny grid swept in this process, with 2 threads a job: what Ray must reproduce."""
    from conftest import TINY_SPEC

    folder = tmp_path_factory.mktemp("local")
    (folder / "tiny.yaml").write_text(TINY_SPEC)
    (folder / "grid.yaml").write_text(GRID.replace("probe.max_steps: 120", "probe.max_steps: 160"))
    loaded, specs = load_grid(folder / "grid.yaml")
    return folder, run_sweep(loaded, specs, LocalExecutor(threads=2), None, "cpu")


def test_a_job_larger_than_any_ray_machine_is_refused(ray_cluster):
    with pytest.raises(UsageError, match="cpus_per_job 8: the largest machine of the Ray cluster has 2 CPUs"):
        make_executor("ray", cpus_per_job=8)
    assert make_executor("ray").cpus_per_job == 2  # by default, all of the largest machine's CPUs


def test_ray_gives_the_same_answers_as_this_process(ray_cluster, local_answer, tmp_path):
    folder, local = local_answer
    loaded, specs = load_grid(folder / "grid.yaml")
    on_ray = run_sweep(loaded, specs, make_executor("ray", cpus_per_job=2), tmp_path / "cache", "cpu")
    assert on_ray.executor == "ray" and on_ray.jobs.trained == local.jobs.trained
    assert _accuracies(on_ray) == _accuracies(local)  # identical figures, not merely close


def test_a_sweep_whose_ray_worker_is_killed_mid_job_still_decides_every_cell(ray_cluster, local_answer, tmp_path):
    """A worker killed while it trains: Ray retries the job, which resumes from its checkpoint, and the sweep
    completes with the very figures of an undisturbed run."""
    from feasibility.run.executors import RayExecutor

    folder, local = local_answer
    loaded, specs = load_grid(folder / "grid.yaml")
    cache = tmp_path / "cache"
    executor = RayExecutor(cpus_per_job=2, checkpoint_every=20)
    done: dict = {}
    sweeping = threading.Thread(target=lambda: done.update(result=run_sweep(loaded, specs, executor, cache, "cpu")))
    sweeping.start()
    while not list(cache.glob("probe-*.ckpt")) and sweeping.is_alive():  # events, not a clock: a busy machine is slow
        time.sleep(0.05)
    assert list(cache.glob("probe-*.ckpt")), "no job reached its first checkpoint"
    workers = _probe_workers_of_this_test()
    assert workers, "no Ray worker of this test's cluster was running a probe job"
    for pid in workers:  # only the workers this test's cluster started, by their id: never a user's own Ray jobs
        os.kill(pid, signal.SIGKILL)
    sweeping.join()
    result = done["result"]
    assert all(cell.status in ("learned", "not_learned") for cell in result.cells) and result.jobs.failed == 0
    assert _accuracies(result) == _accuracies(local)


def _probe_workers_of_this_test() -> list[int]:
    """The process ids of the Ray workers running a probe job that descend from this test process (the cluster
    `ray.init` started here), read from /proc: a user's own Ray jobs elsewhere on the machine are not among them."""
    parents, titles = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            titles[int(entry.name)] = (entry / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])

    def descends(pid: int) -> bool:
        seen = set()
        while pid in parents and pid not in seen:
            seen.add(pid)
            pid = parents[pid]
            if pid == os.getpid():
                return True
        return False

    return [pid for pid, title in titles.items() if title.startswith("ray::probe_job") and descends(pid)]
