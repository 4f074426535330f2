"""The confidence bound every verdict reads: the Wilson 95% lower bound of a share of right answers.

A leaf: imported by the plan (how many questions can show a target), training (the stop rule) and the results
(the verdicts), so that none of them imports another for it.
"""

from __future__ import annotations

import math

Z_95 = 1.959964  # two-sided 95% normal quantile, for the Wilson interval


def wilson_lower_bound(correct: int, total: int, z: float = Z_95) -> float:
    """Lower end of the Wilson score interval for a binomial proportion (0 when there is no data)."""
    if total <= 0:
        return 0.0
    p = correct / total
    denominator = 1 + z * z / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, (centre - spread) / denominator)
