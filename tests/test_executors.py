"""The executors that run probe jobs: how many threads a local job takes, what a job carries, and the errors a
wrong executor setting gets (the Ray executor's runs are tested with sweeps, tests/test_sweep.py)."""

from __future__ import annotations

import pytest

from feasibility.errors import UsageError
from feasibility.run.executors import LocalExecutor, make_executor


def test_training_takes_only_the_cores_other_processes_leave_free(tmp_path, monkeypatch):
    """free_cores reads the machine's CPU time twice; what others used meanwhile is taken off the threads (at least
    one is kept), and where no /proc/stat can be read every thread is used."""
    import os

    import feasibility.run.executors as executors

    stat = tmp_path / "stat"
    cores = os.cpu_count()
    readings = iter([(0, 1000 * cores), (1000, 2000 * cores - 1000)])  # (busy, idle) ticks before and after: one core of them busy

    def write_next(*_):
        busy, idle = next(readings)
        stat.write_text(f"cpu  {busy} 0 0 {idle} 0 0 0 0 0 0\ncpu0 0 0 0 0\n", encoding="ascii")

    write_next()
    monkeypatch.setattr(executors.time, "sleep", write_next)
    executors.free_cores.cache_clear()
    try:
        assert executors.free_cores(cores, str(stat)) == max(1, cores - 1)
        assert executors.free_cores(cores, str(tmp_path / "missing")) == cores
    finally:
        executors.free_cores.cache_clear()


def test_a_local_job_trains_with_the_threads_asked_for_and_keeps_a_job_that_names_its_own():
    from dataclasses import replace
    from pathlib import Path

    from feasibility.plan.bounds import depth_bounds
    from feasibility.plan.jobs import plan_job
    from feasibility.plan.probe_plan import make_plan
    from feasibility.spec.task import load_spec

    job = plan_job(make_plan(load_spec(Path(__file__).parent.parent / "examples" / "task.yaml"), depth_bounds(2)), 2)
    assert LocalExecutor(threads=1).prepare(job).settings.threads == 1
    own = replace(job, settings=replace(job.settings, threads=2))
    assert LocalExecutor(threads=1).prepare(own).settings.threads == 2


def test_an_unknown_executor_names_the_setting_in_the_library_and_the_flag_in_the_cli():
    with pytest.raises(UsageError) as refused:
        make_executor("slurm")
    assert str(refused.value).startswith("executor: must be one of local, ray, got 'slurm'")
    assert refused.value.worded(lambda name: "--" + name).startswith("--executor: must be one of")
