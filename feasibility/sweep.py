"""A sweep: one task family over a grid (hops x sequence length x width, or any task key), each cell's depth
searched as `assess` searches it, all cells' probe jobs handed to one executor (local or Ray).

A grid file names a base task file and the axes:

    base: task.yaml              # relative to the grid file (or a bundled profile's name)
    axes:
      hops: [1, 2, 3]            # shorthands: hops, sequence_length, width; or any dotted key, e.g. task.hops
      sequence_length: [64, 128]
    set:                         # optional: keys set in every cell
      probe.sequence_length: 32

Each cell's decision is the shallowest depth whose probes learned the question in every seed (the same
verdicts as report.json), or why there is none. Costs here are the analytic MACs and parameters of that depth
at the deployment size; run `feasibility assess` on a cell for timed latency.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from feasibility import __version__
from feasibility.errors import Problem, SpecError, UsageError
from feasibility.spec import TaskSpec

SWEEP_SCHEMA_VERSION = 1
SHORTHANDS = {"hops": "task.hops", "sequence_length": "task.sequence_length", "length": "task.sequence_length", "width": "deployment.width"}
AXIS_NAMES = {"task.hops": "hops", "task.sequence_length": "tokens", "deployment.width": "width"}  # how outputs name an axis
MAX_CELLS = 1000
GRID_KEYS = ("name", "base", "axes", "set")


@dataclass(frozen=True)
class Grid:
    source: str  # the grid file
    name: str
    base: Path
    axes: dict  # dotted key -> list of values, in the file's order
    fixed: dict  # dotted key -> value, set in every cell
    written: dict  # dotted key -> the name the grid file gives it (`hops` for task.hops)

    def cells(self) -> list[dict]:
        """Every combination of the axes' values, as {dotted key: value}, first axis slowest."""
        keys = list(self.axes)
        return [dict(zip(keys, values)) for values in itertools.product(*(self.axes[k] for k in keys))]


def load_grid(path: Path) -> tuple[Grid, list[tuple[dict, TaskSpec]]]:
    """Read a grid file and validate every cell's task; one SpecError naming the grid file and every bad key."""
    import yaml

    from feasibility.profiles import profile_path
    from feasibility.spec import load_spec

    source = str(path)
    problems: list[Problem] = []
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError([Problem(source, "", "no such file; give a grid file (see README, 'Sweeps and clusters')")]) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise SpecError([Problem(source, "", f"not a readable YAML grid ({str(error).splitlines()[0]})")]) from None
    if not isinstance(data, dict):
        raise SpecError([Problem(source, "", "must be a mapping with keys base and axes (see README, 'Sweeps and clusters')")])
    for key in data:
        if key not in GRID_KEYS:
            problems.append(Problem(source, str(key), f"unknown key; known keys are {', '.join(GRID_KEYS)}"))
    base = data.get("base")
    base_path = None
    if not isinstance(base, str) or not base:
        problems.append(Problem(source, "base", "is required: the task file every cell starts from, e.g. `base: task.yaml`"))
    else:
        base_path = Path(path).parent / base
        if not base_path.is_file():
            try:
                base_path = profile_path(base)
            except UsageError:
                problems.append(Problem(source, "base", f"{base_path}: no such task file (nor a bundled profile of that name)"))
    axes, fixed, written = {}, {}, {}
    raw_axes = data.get("axes")
    if not isinstance(raw_axes, dict) or not raw_axes:
        problems.append(Problem(source, "axes", "is required: a mapping of task keys to lists of values, e.g. `hops: [1, 2, 3]`"))
        raw_axes = {}
    for name, values in raw_axes.items():
        dotted = SHORTHANDS.get(str(name), str(name))
        if "." not in dotted:
            problems.append(Problem(source, f"axes.{name}", f"unknown axis; use {', '.join(SHORTHANDS)} or a dotted task key such as task.hops"))
        elif not isinstance(values, list) or not values:
            problems.append(Problem(source, f"axes.{name}", f"must be a non-empty list of values, got {values!r}"))
        elif dotted in axes:
            problems.append(Problem(source, f"axes.{name}", f"sweeps {dotted} a second time"))
        else:
            axes[dotted], written[dotted] = values, f"axes.{name}"
    raw_fixed = data.get("set") or {}
    if not isinstance(raw_fixed, dict):
        problems.append(Problem(source, "set", f"must be a mapping of dotted task keys to values, got {raw_fixed!r}"))
        raw_fixed = {}
    for name, value in raw_fixed.items():
        dotted = SHORTHANDS.get(str(name), str(name))
        if "." not in dotted:
            problems.append(Problem(source, f"set.{name}", "must be a dotted task key such as probe.max_steps"))
        elif dotted in axes:
            problems.append(Problem(source, f"set.{name}", f"is also an axis ({dotted}); keep it in one place"))
        else:
            fixed[dotted], written[dotted] = value, f"set.{name}"
    name = data.get("name") if isinstance(data.get("name"), str) else Path(path).stem
    if problems:
        raise SpecError(problems)
    grid = Grid(source, name, base_path, axes, fixed, written)
    cells = grid.cells()
    if len(cells) > MAX_CELLS:
        raise SpecError([Problem(source, "axes", f"makes {len(cells):,} cells, more than {MAX_CELLS:,}; sweep fewer values")])
    specs = []
    for cell in cells:
        try:
            specs.append((cell, load_spec(base_path, {**fixed, **cell})))
        except SpecError as error:
            for problem in error.problems:
                key = written.get(problem.key, problem.key)
                where = ", ".join(f"{written[k].partition('.')[2]}={v}" for k, v in cell.items())
                problems.append(Problem(source, key, f"in the cell {where} (base {base_path}): {problem.message}"))
    if problems:
        raise SpecError(_unique(problems))
    return grid, specs


def axis_name(dotted: str) -> str:
    return AXIS_NAMES.get(dotted, dotted)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, kept = set(), []
    for problem in problems:
        if (problem.key, problem.message) not in seen:
            seen.add((problem.key, problem.message))
            kept.append(problem)
    return kept


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


def run_sweep(grid: Grid, specs: list[tuple[dict, TaskSpec]], executor, cache: Path | None, train_device: str = "auto", events=None, on_counts=None) -> dict:
    """Search every cell's depth on `executor` (the caller's to close); return the sweep's result (what
    sweep.json holds). `on_counts(JobCounts)` hears after each job what it found and where the sweep stands."""
    from feasibility.assess import DepthSearch, Events, choose_probe_length, run_searches
    from feasibility.bounds import depth_bounds
    from feasibility.cache import check_writable
    from feasibility.plan import make_plan

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
    return {
        "schema_version": SWEEP_SCHEMA_VERSION,
        "tool_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "grid": {"source": grid.source, "name": grid.name, "base": str(grid.base), "axes": grid.axes, "set": grid.fixed},
        "executor": executor.name,
        "train_device": device,
        "jobs": {"trained": counts.done, "cached": counts.cached, "failed": counts.failed, "job_seconds": counts.job_seconds},
        "wall_s": time.perf_counter() - started,
        "cells": cells,
    }


def _cell(values: dict, spec: TaskSpec, search) -> dict:
    """One cell's decision and its evidence."""
    from feasibility.bounds import depth_bounds
    from feasibility.measure import DeploymentModel, analytic_macs, parameter_count

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
        cost = {"macs_per_request": sum(analytic_macs(model, 1).values()), "parameters": parameter_count(model), "counter": "analytic"}
    learned = next((v for v in search.verdicts if v.depth == search.learned), None)
    return {
        "values": values,
        "spec": spec.to_dict(),
        "bounds": bounds.to_dict(),
        "plan": search.plan.to_dict(),
        "status": status,
        "depth": search.learned,
        "deepest_tried": max((r.depth for r in search.runs), default=None),
        "accuracy": learned.accuracy if learned else None,
        "lower_bound": learned.lower_bound if learned else None,
        "full_length_accuracy": learned.full_length_accuracy if learned else None,  # where the probes trained shorter
        "holds_at_full_length": learned.holds_at_full_length if learned else None,
        "error": search.error,
        "cost": cost,
        "verdicts": [asdict(v) for v in search.verdicts],
        "probes": [
            {key: getattr(run, key) for key in ("depth", "steps", "wall_s", "stop_reason", "device", "cached")} for run in search.runs
        ],
    }
