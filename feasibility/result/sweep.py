"""The result of one sweep, as its renderers read it: `SweepResult` (where it ran, its jobs, its cells) of
`SweepCell`s (one cell's decision, with its verdicts and the probes it trained). The sweep (run/sweep.py) fills
it; reports/sweep.py writes it out. `to_dict` and `from_dict` are the JSON edge (sweep.json).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from feasibility.result.context import DepthBounds
from feasibility.result.probes import DepthVerdict

CELL_STATUSES = ("learned", "not_learned", "too_slow", "failed")  # what a cell's search ended with


@dataclass(frozen=True)
class CellCost:
    """The analytic cost of a cell's chosen depth at the deployment size (no latency: `assess` a cell for that)."""

    macs_per_request: int
    parameters: int
    counter: str = "analytic"


@dataclass(frozen=True)
class CellProbe:
    """One probe job a cell's search ran (or found in the cache)."""

    depth: int
    steps: int
    wall_s: float | None
    stop_reason: str | None
    device: str | None
    cached: bool


@dataclass
class SweepCell:
    values: dict  # the grid's axes at this cell: {"task.hops": 2, ...}
    spec: dict  # the cell's resolved task file
    bounds: DepthBounds  # the theory's floor and ceiling for the cell's hop count
    plan: dict
    status: str  # one of CELL_STATUSES
    depth: int | None  # the shallowest depth whose probes learned the question in every seed
    deepest_tried: int | None
    accuracy: float | None  # that depth's weakest seed on fresh questions, at the probe's length
    lower_bound: float | None
    full_length_accuracy: float | None  # the same probes at the cell's own length, where they trained shorter
    holds_at_full_length: bool | None
    error: str | None  # why the cell failed
    cost: CellCost | None
    verdicts: list[DepthVerdict] = field(default_factory=list)
    probes: list[CellProbe] = field(default_factory=list)

    @property
    def train_s(self) -> float:
        """Seconds its probes trained, summed (none for jobs found in the cache or that failed before timing)."""
        return sum(probe.wall_s or 0 for probe in self.probes)

    @classmethod
    def from_dict(cls, data: dict) -> "SweepCell":
        cost = data.get("cost")
        return cls(
            **{**data, "cost": CellCost(**cost) if cost else None, "bounds": DepthBounds.from_dict(data["bounds"]),
               "verdicts": [DepthVerdict(**v) for v in data["verdicts"]], "probes": [CellProbe(**p) for p in data["probes"]]}
        )


@dataclass(frozen=True)
class SweepJobs:
    trained: int  # probe jobs trained in this run
    cached: int  # found finished in the cache
    failed: int
    job_seconds: float  # wall time of the jobs trained here, summed


@dataclass
class SweepResult:
    schema_version: int
    tool_version: str
    created: str
    grid: dict  # {"source", "name", "base", "axes", "set"}
    executor: str
    train_device: str
    jobs: SweepJobs
    wall_s: float
    cells: list[SweepCell]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SweepResult":
        return cls(**{**data, "jobs": SweepJobs(**data["jobs"]), "cells": [SweepCell.from_dict(cell) for cell in data["cells"]]})
