"""Know before you wait: what `assess` would do for a task, without training (`feasibility plan`, `assess --dry-run`).

The depths it would probe and why the others are not trained, the probe length `auto` would choose (from a few
timed steps, cached per machine as `assess` caches it), where the probes would train and on how many threads,
which depths the cache already holds or can resume, and how long the training could take at most, estimated from
those timed steps. Nothing is trained, and no cache entry is changed but the probe-length choice `assess` would
make and keep.
"""

from __future__ import annotations

import os
from pathlib import Path

from feasibility.plan.bounds import depth_bounds
from feasibility.plan.jobs import plan_job
from feasibility.plan.probe_plan import STEP_OVERHEAD, make_plan
from feasibility.result.preview import DepthPlan, Preview
from feasibility.run.cache import default_folder, entry_path
from feasibility.run.pipeline import check_before_training, choose_probe_length
from feasibility.run.search import Events
from feasibility.spec.task import TaskSpec


def preview(spec: TaskSpec, cache_dir: Path | None = None, use_cache: bool = True, train_device: str = "auto", executor=None, events: Events | None = None) -> Preview:
    """What `assess` would train for `spec`, and about how long it could take, from a few timed steps."""
    from feasibility.probes.train import inspect_checkpoint, seconds_per_step
    from feasibility.run.executors import LocalExecutor

    events = events or Events()
    executor = executor or LocalExecutor()
    cache = (cache_dir or default_folder()) if use_cache else None
    bounds = depth_bounds(spec.task.hops)
    planned = make_plan(spec, bounds)
    _, trains_on = check_before_training(spec, planned, executor, train_device, cache)
    plan = choose_probe_length(planned, events, cache, trains_on)
    deepest = max([d for d in plan.depths if plan.trains(d)] or plan.depths)
    timed = executor.prepare(plan_job(plan, deepest, trains_on))
    per_step = seconds_per_step(timed)  # now: the machine may be busier than when the length was chosen
    depths = []
    for depth in plan.depths:
        if not plan.trains(depth):
            depths.append(DepthPlan(depth, "ruled_out"))
            continue
        job = executor.prepare(plan_job(plan, depth, trains_on))
        entry = entry_path(cache, job) if cache else None
        if entry is not None and entry.is_file() and not entry.is_symlink():
            depths.append(DepthPlan(depth, "cached"))
            continue
        checkpoint = entry.with_suffix(".ckpt") if entry is not None else None
        step = inspect_checkpoint(checkpoint, job)[0] if checkpoint is not None and os.path.lexists(checkpoint) else None
        steps_left = plan.max_steps - (step or 0)
        estimate = min(steps_left * per_step * depth / deepest * STEP_OVERHEAD, plan.time_budget_s)  # the clock caps each depth
        depths.append(DepthPlan(depth, "resume" if step is not None else "train", step, estimate))
    return Preview(
        name=spec.name, hops=spec.task.hops, lower_bound=bounds.lower, upper_bound=bounds.upper,
        task_length=plan.task_sequence_length, probe_length=plan.probe_sequence_length,
        length_rule=plan.length_choice.get("rule", "explicit"), length_times=plan.length_choice.get("measured", []),
        train_device=trains_on, threads=timed.settings.threads, seeds=len(plan.seeds), max_steps=plan.max_steps, time_budget_s=plan.time_budget_s,
        seconds_per_step=per_step, timed_depth=deepest, cache=str(cache) if cache else None, depths=depths,
    )
