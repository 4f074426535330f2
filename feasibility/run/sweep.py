"""A sweep: each cell of a grid (spec/grid.py) has its depth searched as `assess` searches it, all cells' probe
jobs handed to one executor (local or Ray).

Each cell's decision is the shallowest depth whose probes learned the question in every seed (the same
verdicts as report.json), or why there is none. Costs here are the analytic MACs and parameters of that depth
at the deployment size; run `feasibility assess` on a cell for timed latency.
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass
from pathlib import Path

from feasibility import __version__
from feasibility.result.sweep import CellCost, CellProbe, SweepCell, SweepJobs, SweepResult
from feasibility.spec.grid import Grid, axis_name
from feasibility.spec.task import TaskSpec

SWEEP_SCHEMA_VERSION = 1


@dataclass
class JobCounts:
    """The sweep's jobs as the progress display shows them."""

    done: int = 0  # trained here
    cached: int = 0  # found finished in the cache
    failed: int = 0
    in_flight: int = 0
    capacity: int = 1
    job_seconds: float = 0.0  # wall time of the jobs trained here, summed
    last: str = ""  # what just happened, in words

    @property
    def running(self) -> int:
        return min(self.in_flight, self.capacity)

    @property
    def queued(self) -> int:
        return self.in_flight - self.running

    @property
    def eta_s(self) -> float | None:
        """Seconds until the jobs known now are done, at the mean pace so far (deeper depths may add jobs)."""
        if not self.done:
            return None
        return self.job_seconds / self.done * self.in_flight / self.capacity


def run_sweep(grid: Grid, specs: list[tuple[dict, TaskSpec]], executor, cache: Path | None, train_device: str = "auto", events=None, on_counts=None) -> SweepResult:
    """Search every cell's depth on `executor` (the caller's to close); return the sweep's result (what
    sweep.json holds). `on_counts(JobCounts)` hears after each job what it found and where the sweep stands."""
    from feasibility.run.pipeline import choose_probe_length
    from feasibility.run.search import DepthSearch, Events, run_searches
    from feasibility.plan.bounds import depth_bounds
    from feasibility.run.cache import check_writable
    from feasibility.plan.probe_plan import make_plan

    events = events or Events()
    on_counts = on_counts or (lambda counts: None)
    started = time.perf_counter()
    if cache:
        check_writable(cache)
    device = executor.train_device(train_device)
    searches = []
    for cell, spec in specs:
        bounds = depth_bounds(spec.task.hops)
        plan = choose_probe_length(make_plan(spec, bounds), events, cache, device)
        searches.append(DepthSearch(plan, device))
    counts = JobCounts(capacity=executor.capacity)
    where = [", ".join(f"{axis_name(k)} {v}" for k, v in cell.items()) for cell, _ in specs]

    def on_job(kind: str, index: int, what) -> None:
        if kind == "failed":
            counts.failed += 1
            counts.last = f"{where[index]}: {what}"
        else:
            counts.cached += kind == "cached"
            counts.done += kind == "finished"
            counts.job_seconds += searches[index].runs[-1].wall_s if kind == "finished" else 0.0
            counts.last = f"{where[index]}: depth {what.depth} {what.verdict.replace('_', ' ')}" + (" (from cache)" if kind == "cached" else "")
        counts.in_flight = executor.in_flight()
        on_counts(counts)

    # many jobs at once: a line per job (on_counts), no per-probe bars
    run_searches(searches, executor, cache, Events(stage=events.stage), on_job)
    cells = [_cell(cell, spec, search) for (cell, spec), search in zip(specs, searches)]
    return SweepResult(
        schema_version=SWEEP_SCHEMA_VERSION,
        tool_version=__version__,
        created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        grid={"source": grid.source, "name": grid.name, "base": str(grid.base), "axes": grid.axes, "set": grid.fixed},
        executor=executor.name,
        train_device=device,
        jobs=SweepJobs(trained=counts.done, cached=counts.cached, failed=counts.failed, job_seconds=counts.job_seconds),
        wall_s=time.perf_counter() - started,
        cells=cells,
    )


def _cell(values: dict, spec: TaskSpec, search) -> SweepCell:
    """One cell's decision and its evidence."""
    from feasibility.plan.bounds import depth_bounds
    from feasibility.costs.analytic import DeploymentModel, analytic_macs, parameter_count

    bounds = depth_bounds(spec.task.hops)
    if search.learned is not None:
        status = "learned"
    elif search.error:
        status = "failed"
    elif any(v.verdict == "too_slow" for v in search.verdicts):
        status = "too_slow"
    else:
        status = "not_learned"
    cost = None
    if search.learned is not None:
        d = spec.deployment
        model = DeploymentModel(search.learned, d.width, d.heads, d.vocab_size, spec.task.sequence_length)
        cost = CellCost(macs_per_request=sum(analytic_macs(model, 1).values()), parameters=parameter_count(model))
    learned = next((v for v in search.verdicts if v.depth == search.learned), None)
    return SweepCell(
        values=values,
        spec=spec.to_dict(),
        bounds=bounds,
        plan=search.plan.to_dict(),
        status=status,
        depth=search.learned,
        deepest_tried=max((r.depth for r in search.runs), default=None),
        accuracy=learned.accuracy if learned else None,
        lower_bound=learned.lower_bound if learned else None,
        full_length_accuracy=learned.full_length_accuracy if learned else None,
        holds_at_full_length=learned.holds_at_full_length if learned else None,
        error=search.error,
        cost=cost,
        verdicts=list(search.verdicts),
        probes=[CellProbe(run.depth, run.steps, run.wall_s, run.stop_reason, run.device, run.cached) for run in search.runs],
    )
