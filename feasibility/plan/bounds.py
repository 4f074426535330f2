"""Depth floors and ceilings from theory, each with its formula and its source.

Pure integer arithmetic and no torch, so `feasibility bounds` answers instantly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

LOWER_SOURCE = (
    'Musat, "Mechanism and Emergence of Stacked Attention Heads in Multi-Layer Transformers", '
    "ICLR 2025, arXiv:2411.12118"
)
UPPER_SOURCE = (
    'Sanford, Hsu, Telgarsky, "Transformers, Parallel Computation, and Logarithmic Depth", ICML 2024, '
    "arXiv:2402.09268"
)


def lower_bound(hops: int) -> int:
    """Smallest t with 3**t >= 2*hops, i.e. ceil(log_3(2D)), computed without floating point."""
    if hops < 1:
        raise ValueError("hops must be >= 1")
    layers = 0
    while 3**layers < 2 * hops:
        layers += 1
    return layers


def upper_bound(hops: int) -> int:
    """floor(log2 D) + 2: the depth of the k-hop induction-head construction for D hops."""
    if hops < 1:
        raise ValueError("hops must be >= 1")
    return (hops.bit_length() - 1) + 2


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


def depth_bounds(hops: int) -> DepthBounds:
    """Both bounds for `hops` retrieval hops."""
    return DepthBounds(hops=hops, lower=lower_bound(hops), upper=upper_bound(hops))
