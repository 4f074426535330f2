"""What a result was measured against and where: the theory's depth bounds (`DepthBounds`, computed by
plan/bounds.py), the machine (`Environment`, stamped by costs/measure.py) and the latency line fit over the depths
(`LatencyFit`). `to_dict` and `from_dict` are the JSON edge; a key a saved result lacks stays absent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from feasibility.result.record import ABSENT, Record

LOWER_SOURCE = (
    'Musat, "Mechanism and Emergence of Stacked Attention Heads in Multi-Layer Transformers", '
    "ICLR 2025, arXiv:2411.12118"
)
UPPER_SOURCE = (
    'Sanford, Hsu, Telgarsky, "Transformers, Parallel Computation, and Logarithmic Depth", ICML 2024, '
    "arXiv:2402.09268"
)


@dataclass(frozen=True)
class DepthBounds:
    """Theory's answer for one hop count: no model shallower than `lower` (under the paper's assumption);
    a construction of depth `upper` exists."""

    hops: int
    lower: int
    upper: int
    lower_formula: str = "t >= ceil(log_3(2D))"
    upper_formula: str = "t <= floor(log2(D)) + 2"
    lower_source: str = LOWER_SOURCE
    upper_source: str = UPPER_SOURCE
    lower_caveat: str = (
        "a lower bound under the assumption that two positions exchange information only where they share a "
        "token or a position; it does not promise that training finds a solution at that depth"
    )
    upper_caveat: str = "an explicit construction exists at this depth; training may or may not find it"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "DepthBounds":
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass
class Environment(Record):
    """Where a cost figure was measured, stamped beside every figure; and where the probes trained."""

    device: str = ABSENT
    device_name: str = ABSENT
    threads: int = ABSENT
    dtype: str = ABSENT
    torch_version: str = ABSENT
    fvcore_version: str = ABSENT
    python: str = ABSENT
    platform: str = ABSENT
    train_device: str = ABSENT  # written since the probes could train on another device than the costs were timed on


@dataclass
class LatencyFit(Record):
    """A least-squares line of latency against depth at one percentile: an estimate outside the measured depths."""

    intercept_ms: float = ABSENT
    slope_ms_per_layer: float = ABSENT
    percentile: int = ABSENT
    kind: str = "least-squares line, an estimate outside the measured depths"
