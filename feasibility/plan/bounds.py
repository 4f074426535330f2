"""Depth floors and ceilings from theory, each with its formula and its source.

Pure integer arithmetic and no torch, so `feasibility bounds` answers instantly.
"""

from __future__ import annotations

from feasibility.result.context import DepthBounds


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


def depth_bounds(hops: int) -> DepthBounds:
    """Both bounds for `hops` retrieval hops."""
    return DepthBounds(hops=hops, lower=lower_bound(hops), upper=upper_bound(hops))
