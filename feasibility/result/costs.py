"""What serving one depth costs, as every renderer reads it: FLOPs, latency (with its timing rounds and intervals),
memory and money, typed (`DepthCost`). The cost stage (costs/measure.py) fills them; nothing here measures.

`to_dict` and `from_dict` are the JSON edge (report.json). A key that a result does not hold stays absent (not
written as null), a key this version does not know is kept, and the keys are written in the order they were read,
so a result saved by any earlier version re-renders to the same report.json byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

from feasibility.result.record import ABSENT, Record


@dataclass
class FlopFigures(Record):
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
class LatencyFigures(Record):
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
class MemoryFigures(Record):
    parameter_bytes: int = ABSENT
    peak_request_bytes: int = ABSENT
    peak_request_is_estimate: bool = ABSENT


@dataclass
class MoneyFigures(Record):
    """Throughput at the measured p50, and what it costs where the task file gives a price (and a daily volume)."""

    throughput_requests_per_s: float = ABSENT
    cost_per_million_requests: float = ABSENT
    device_hours_per_day: float = ABSENT
    cost_per_day: float = ABSENT


@dataclass
class DepthCost(Record):
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
        return {key: value.to_dict() if isinstance(value, Record) else value for key, value in super().to_dict().items()}


@dataclass
class BatchPoint(Record):
    """Latency and throughput of the served model at one batch size."""

    batch: int = ABSENT
    p50_ms: float = ABSENT
    p95_ms: float = ABSENT
    throughput_requests_per_s: float = ABSENT
    runs: int = ABSENT


@dataclass
class BatchingCurve(Record):
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
class JoinCost(Record):
    """What answering with a join costs here, where the records are structured (costs.measure.join_cost)."""

    lookups: int = ABSENT
    statements: int = ABSENT
    runs: int = ABSENT
    p50_ms: float = ABSENT
    p95_ms: float = ABSENT
    cost_per_million_requests: float | None = ABSENT
    how: str = ABSENT
