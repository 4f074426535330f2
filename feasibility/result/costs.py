"""What serving one depth costs, as every renderer reads it: FLOPs, latency (with its timing rounds and intervals),
memory and money, typed (`DepthCost`). The cost stage (costs/measure.py) fills them; nothing here measures.

`to_dict` and `from_dict` are the JSON edge (report.json). A key that a result does not hold stays absent (not
written as null), a key this version does not know is kept, and the keys are written in the order they were read,
so a result saved by any earlier version re-renders to the same report.json byte for byte.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


class _Absent:
    """The value of a field its result does not hold (older versions wrote fewer keys)."""

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False

    def __copy__(self):  # one of a kind: copies and pickles stay `ABSENT`, so `is ABSENT` holds for them too
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass
class _Record:
    extra: dict = field(default_factory=dict, repr=False, compare=False)  # keys this version does not know, as read
    order: tuple = field(default=(), repr=False, compare=False)  # the keys in the order they were read

    @classmethod
    def from_dict(cls, data: dict):
        names = [f.name for f in dataclasses.fields(cls) if f.name not in ("extra", "order")]
        known = {name: data[name] for name in names if name in data}
        return cls(**known, extra={k: v for k, v in data.items() if k not in names}, order=tuple(data))

    def known(self, name: str):
        """The value of `name`, None where this result does not hold it."""
        value = getattr(self, name)
        return None if value is ABSENT else value

    def to_dict(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in ("extra", "order")}
        values = {**{k: v for k, v in values.items() if v is not ABSENT}, **self.extra}
        keys = [k for k in self.order if k in values] + [k for k in values if k not in self.order]
        return {key: values[key] for key in keys}


@dataclass
class FlopFigures(_Record):
    """fvcore's count of one request through the served model, with the formula's and torch's counts beside it."""

    macs_per_request: int = ABSENT
    flops_per_request: int = ABSENT
    by_part_macs: dict = ABSENT  # MACs by part: embeddings, attention projections, attention scores, mlp, output head
    analytic_macs: int = ABSENT
    served_counter_macs: int | None = ABSENT
    counter_disagreements: list = ABSENT  # where the counts differ, in words (empty when they agree)
    parameters: int = ABSENT
    causal_attention: str = ABSENT
    counter: str = ABSENT
    output_head: str = ABSENT


@dataclass
class LatencyFigures(_Record):
    """Latency of one request at the deployment's batch, from interleaved timing rounds."""

    ci95_ms: dict = ABSENT  # {"p95": [low, high], ...}: bootstrap over the timing rounds
    rounds: int = ABSENT
    samples_ms: list = ABSENT  # the samples of each round
    p50_ms: float = ABSENT
    p95_ms: float = ABSENT
    p99_ms: float = ABSENT
    runs: int = ABSENT
    spread_iqr_over_median: float = ABSENT
    batch: int = ABSENT
    mode: str = ABSENT
    warmup_runs: int = ABSENT
    noisy: bool = ABSENT
    passes_p50_ms: list = ABSENT  # the p50 of the first and of the second half of the timing rounds

    def at(self, percentile: int) -> float:
        """The latency at the 50th, 95th or 99th percentile, in milliseconds."""
        return getattr(self, f"p{percentile}_ms")

    def interval(self, percentile: int) -> list[float] | None:
        """The 95% interval of a percentile's latency, where the timing rounds gave one."""
        return (self.ci95_ms or {}).get(f"p{percentile}")


@dataclass
class MemoryFigures(_Record):
    parameter_bytes: int = ABSENT
    peak_request_bytes: int = ABSENT
    peak_request_is_estimate: bool = ABSENT


@dataclass
class MoneyFigures(_Record):
    """Throughput at the measured p50, and what it costs where the task file gives a price (and a daily volume)."""

    throughput_requests_per_s: float = ABSENT
    cost_per_million_requests: float = ABSENT
    device_hours_per_day: float = ABSENT
    cost_per_day: float = ABSENT


@dataclass
class DepthCost(_Record):
    depth: int = ABSENT
    flops: FlopFigures = ABSENT
    latency: LatencyFigures = ABSENT
    memory: MemoryFigures = ABSENT
    money: MoneyFigures = ABSENT

    PARTS = {"flops": FlopFigures, "latency": LatencyFigures, "memory": MemoryFigures, "money": MoneyFigures}

    @classmethod
    def from_dict(cls, data: dict) -> "DepthCost":
        return super().from_dict({key: DepthCost.PARTS[key].from_dict(value) if key in DepthCost.PARTS else value for key, value in data.items()})

    def to_dict(self) -> dict:
        return {key: value.to_dict() if isinstance(value, _Record) else value for key, value in super().to_dict().items()}


@dataclass
class BatchPoint(_Record):
    """Latency and throughput of the served model at one batch size."""

    batch: int = ABSENT
    p50_ms: float = ABSENT
    p95_ms: float = ABSENT
    throughput_requests_per_s: float = ABSENT
    runs: int = ABSENT


@dataclass
class BatchingCurve(_Record):
    """Latency and throughput against batch size at one depth, up to the requested batch and beyond while batching
    still buys throughput (costs.measure.batch_curve)."""

    depth: int = ABSENT
    requested_batch: int = ABSENT
    points: list[BatchPoint] = ABSENT
    how: str = ABSENT

    @classmethod
    def from_dict(cls, data: dict) -> "BatchingCurve":
        curve = super().from_dict(data)
        if curve.points is not ABSENT:
            curve.points = [BatchPoint.from_dict(point) for point in curve.points]
        return curve

    def to_dict(self) -> dict:
        data = super().to_dict()
        if "points" in data:
            data["points"] = [point.to_dict() for point in self.points]
        return data


@dataclass
class JoinCost(_Record):
    """What answering with a join costs here, where the records are structured (costs.measure.join_cost)."""

    lookups: int = ABSENT
    statements: int = ABSENT
    runs: int = ABSENT
    p50_ms: float = ABSENT
    p95_ms: float = ABSENT
    cost_per_million_requests: float | None = ABSENT
    how: str = ABSENT
