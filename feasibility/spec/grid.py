"""A sweep's grid file: one task family over a grid (hops x sequence length x width, or any task key), read and
validated into one task spec per cell before anything trains (run/sweep.py searches each cell's depth).

A grid file names a base task file and the axes:

    base: task.yaml              # relative to the grid file (or a bundled profile's name)
    axes:
      hops: [1, 2, 3]            # shorthands: hops, sequence_length, width; or any dotted key, e.g. task.hops
      sequence_length: [64, 128]
    set:                         # optional: keys set in every cell
      probe.sequence_length: 32
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

from feasibility.errors import Problem, SpecError, UsageError
from feasibility.spec.task import SECTION_CLASSES, TaskSpec

SHORTHANDS = {"hops": "task.hops", "sequence_length": "task.sequence_length", "length": "task.sequence_length", "width": "deployment.width"}
AXIS_NAMES = {"task.hops": "hops", "task.sequence_length": "tokens", "deployment.width": "width"}  # how outputs name an axis
MAX_CELLS = 1000
GRID_KEYS = ("name", "base", "axes", "set")


def grid_json_schema() -> dict:
    """A grid file as a JSON Schema (draft 2020-12), for editors; `load_grid` remains the judge (it reads the base
    task and validates every cell)."""
    from feasibility.spec.task import SCHEMA

    keys = sorted([*SHORTHANDS, *(f"{section}.{key}" for section, fields in SCHEMA.items() for key in fields)])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "feasibility sweep grid",
        "description": "A base task file and the axes to sweep; every cell is that task with one value of each axis (see docs/sweeps.md).",
        "type": "object",
        "properties": {
            "name": {"description": "The sweep's name, in its outputs [default: the grid file's name].", "type": "string"},
            "base": {"description": "The base task file, relative to the grid file, or a bundled profile's name.", "type": "string"},
            "axes": {
                "description": f"Each key (a shorthand or a dotted task-file key) with the list of values to sweep; at most {MAX_CELLS} cells in all.",
                "type": "object", "minProperties": 1,
                "propertyNames": {"enum": keys},
                "additionalProperties": {"type": "array", "minItems": 1},
            },
            "set": {"description": "Task-file keys set in every cell, as dotted keys.", "type": "object", "propertyNames": {"enum": keys}},
        },
        "required": ["base", "axes"],
        "additionalProperties": False,
    }


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
    source = str(path)
    data = _read_grid(path)
    problems = [Problem(source, str(key), f"unknown key; known keys are {', '.join(GRID_KEYS)}") for key in data if key not in GRID_KEYS]
    base_path = _base_path(path, data.get("base"), problems)
    axes, written = _axes(source, data.get("axes"), problems)
    fixed = _fixed(source, data.get("set") or {}, axes, written, problems)
    name = data.get("name") if isinstance(data.get("name"), str) else Path(path).stem
    if problems:
        raise SpecError(problems)
    grid = Grid(source, name, base_path, axes, fixed, written)
    return grid, _cell_specs(grid)


def _read_grid(path: Path) -> dict:
    """The grid file's data, read by the task file's own reader and rules: a small regular UTF-8 file, no anchors or
    aliases, no deep nesting, no key written twice, no control characters."""
    from feasibility.spec.task import read_yaml

    source = str(path)
    if not Path(path).exists() and not Path(path).is_symlink():
        raise SpecError([Problem(source, "", "no such file; give a grid file (see docs/sweeps.md)")])
    data, _ = read_yaml(Path(path))
    if not isinstance(data, dict):
        raise SpecError([Problem(source, "", "must be a mapping with keys base and axes (see docs/sweeps.md)")])
    return data


def _base_path(path: Path, base, problems: list[Problem]) -> Path | None:
    """The base task file: beside the grid file, else a bundled profile of that name."""
    from feasibility.spec.profiles import profile_path

    if not isinstance(base, str) or not base:
        problems.append(Problem(str(path), "base", "is required: the task file every cell starts from, e.g. `base: task.yaml`"))
        return None
    base_path = Path(path).parent / base
    if base_path.is_file():
        return base_path
    try:
        return profile_path(base)
    except UsageError:
        problems.append(Problem(str(path), "base", f"{base_path}: no such task file (nor a bundled profile of that name)"))
        return base_path


def _axes(source: str, raw_axes, problems: list[Problem]) -> tuple[dict, dict]:
    """The axes as {dotted key: values}, and where the grid file wrote each key."""
    axes, written = {}, {}
    if not isinstance(raw_axes, dict) or not raw_axes:
        problems.append(Problem(source, "axes", "is required: a mapping of task keys to lists of values, e.g. `hops: [1, 2, 3]`"))
        raw_axes = {}
    for name, values in raw_axes.items():
        dotted = SHORTHANDS.get(str(name), str(name))
        if "." not in dotted or dotted.partition(".")[0] not in SECTION_CLASSES:
            problems.append(Problem(source, f"axes.{name}", f"unknown axis; use {', '.join(SHORTHANDS)} or a dotted key of {', '.join(SECTION_CLASSES)} such as task.hops"))
        elif not isinstance(values, list) or not values:
            problems.append(Problem(source, f"axes.{name}", f"must be a non-empty list of values, got {values!r}"))
        elif dotted in axes:
            problems.append(Problem(source, f"axes.{name}", f"sweeps {dotted} a second time"))
        else:
            axes[dotted], written[dotted] = values, f"axes.{name}"
    return axes, written


def _fixed(source: str, raw_fixed, axes: dict, written: dict, problems: list[Problem]) -> dict:
    """The keys set in every cell, as {dotted key: value}; where the grid file wrote each goes into `written`."""
    fixed = {}
    if not isinstance(raw_fixed, dict):
        problems.append(Problem(source, "set", f"must be a mapping of dotted task keys to values, got {raw_fixed!r}"))
        raw_fixed = {}
    for name, value in raw_fixed.items():
        dotted = SHORTHANDS.get(str(name), str(name))
        if "." not in dotted or dotted.partition(".")[0] not in SECTION_CLASSES:
            problems.append(Problem(source, f"set.{name}", f"must be a dotted key of {', '.join(SECTION_CLASSES)} such as probe.max_steps"))
        elif dotted in axes:
            problems.append(Problem(source, f"set.{name}", f"is also an axis ({dotted}); keep it in one place"))
        else:
            fixed[dotted], written[dotted] = value, f"set.{name}"
    return fixed


def _cell_specs(grid: Grid) -> list[tuple[dict, TaskSpec]]:
    """Every cell's task spec, validated; the problems of all cells at once, each named by its axis and cell."""
    from feasibility.spec.task import load_spec

    count = math.prod(len(values) for values in grid.axes.values())  # counted before a single cell is built
    if count > MAX_CELLS:
        raise SpecError([Problem(grid.source, "axes", f"makes {count:,} cells, more than {MAX_CELLS:,}; sweep fewer values")])
    cells = grid.cells()
    specs, problems = [], []
    for cell in cells:
        try:
            specs.append((cell, load_spec(grid.base, {**grid.fixed, **cell})))
        except SpecError as error:
            for problem in error.problems:
                key = grid.written.get(problem.key, problem.key)
                where = ", ".join(f"{grid.written[k].partition('.')[2]}={v}" for k, v in cell.items())
                problems.append(Problem(grid.source, key, f"in the cell {where} (base {grid.base}): {problem.message}"))
    if problems:
        raise SpecError(_unique(problems))
    return specs


def axis_name(dotted: str) -> str:
    return AXIS_NAMES.get(dotted, dotted)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, kept = set(), []
    for problem in problems:
        if (problem.key, problem.message) not in seen:
            seen.add((problem.key, problem.message))
            kept.append(problem)
    return kept
