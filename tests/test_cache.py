"""The probe cache: what decides an entry's key, what invalidates it, and how a damaged entry is handled."""

from __future__ import annotations

from pathlib import Path

from feasibility.run import cache
from feasibility.run.cache import job_key


def test_a_job_keys_alike_whatever_thread_count_it_trains_with():
    """How many cores were free when a run started does not decide its cache entry or checkpoint: a rerun on a busier
    or quieter machine finds them."""
    from dataclasses import replace

    from feasibility.plan.bounds import depth_bounds
    from feasibility.plan.jobs import plan_job
    from feasibility.plan.probe_plan import make_plan
    from feasibility.spec.task import load_spec

    job = plan_job(make_plan(load_spec(Path(__file__).parent.parent / "examples" / "task.yaml"), depth_bounds(2)), 2)
    one, two = (replace(job, settings=replace(job.settings, threads=n)) for n in (1, 2))
    assert job_key(one) == job_key(two) and one.identity() == two.identity() and one.to_dict() != two.to_dict()
    assert job_key(replace(one, seeds=(0,))) != job_key(one)


def test_the_code_that_decides_a_probe_is_hashed_from_files_that_exist():
    """Every module named as deciding a probe's figures is there to be hashed: a module moved without the list
    following it would stop invalidating the cache when it changes."""
    package = Path(cache.__file__).parents[1]
    assert all((package / name).is_file() for name in cache.OUTCOME_MODULES)
    assert {"plan/recipe.py", "probes/train.py", "probes/model.py"} <= set(cache.OUTCOME_MODULES)


def test_a_damaged_entry_is_said_once_moved_aside_and_measured_again(tmp_path):
    entry = tmp_path / "probe-x.json"
    entry.write_text("{not json", encoding="utf-8")
    said = []
    assert cache.read_entry(entry, lambda data: True, said.append) is None
    assert not entry.exists() and (tmp_path / "probe-x.json.damaged").exists()
    assert said == ["cache entry probe-x.json is damaged; moved aside to probe-x.json.damaged, measuring again"]
    cache.write_atomic(entry, {"depth": 2})
    assert cache.read_entry(entry, lambda data: data.get("depth") == 2, said.append) == {"depth": 2}
    assert len(said) == 1 and not list(tmp_path.glob("*.tmp"))
