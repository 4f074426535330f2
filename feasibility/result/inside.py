"""What a probe's learning curve says of its inside, read from the saved curve alone (no torch): when each head
emerged and the step each hop count was learned (the scores themselves are measured in training, probes/heads.py).

A head *emerges* at the first checkpoint where its score reaches `EMERGENCE_THRESHOLD`; the order in which
heads emerge is set beside the steps at which each hop count is learned (Musat 2024: hop 1 first, then 2,
and so on, each new hop count with a new head).
"""

from __future__ import annotations

from feasibility.result.probes import CurvePoint, ProbeRun
from feasibility.result.recommendation import Recommendation

EMERGENCE_THRESHOLD = 0.5  # chain or previous-token score at which a head counts as emerged
INSPECT_EXAMPLES = 64  # held-out examples the scores are measured on at each checkpoint
KINDS = ("chain", "previous")


def emergence(curve: list[CurvePoint], member: int = 0, threshold: float = EMERGENCE_THRESHOLD) -> list[dict]:
    """For each layer and head of one seed: its strongest kind, the step at which that score first reached
    `threshold` (None if never) and its final score; ordered by emergence step, then layer and head."""
    points = [point for point in curve if point.head_scores]
    if not points:
        return []
    final = points[-1].head_scores
    layers, heads = len(final["chain"][member]), len(final["chain"][member][0])
    rows = []
    for layer in range(layers):
        for head in range(heads):
            kind = max(KINDS, key=lambda k: final[k][member][layer][head])
            step = next((p.step for p in points if p.head_scores[kind][member][layer][head] >= threshold), None)
            rows.append({"layer": layer + 1, "head": head + 1, "kind": kind, "step": step, "final": final[kind][member][layer][head]})
    return sorted(rows, key=lambda r: (r["step"] is None, r["step"] or 0, r["layer"], r["head"]))


def hop_learned_steps(curve: list[CurvePoint], hops: int, target: float, member: int = 0) -> dict[int, int | None]:
    """The first checkpoint at which each hop count's held-out accuracy reached `target`, for one seed."""
    steps: dict[int, int | None] = {}
    for hop in range(1, hops + 1):
        steps[hop] = None
        for point in curve:
            value = point.accuracy_by_hop[member].get(hop)
            if value is not None and value >= target:
                steps[hop] = point.step
                break
    return steps


def in_hop_order(steps: dict[int, int | None]) -> bool:
    """Whether the hop counts were learned one after another: hop 1 no later than hop 2, and so on."""
    learned = [steps[h] for h in sorted(steps) if steps[h] is not None]
    return len(learned) == len(steps) and all(a <= b for a, b in zip(learned, learned[1:]))


def explained_run(probes: list[ProbeRun], decision: Recommendation) -> ProbeRun | None:
    """The probe whose inside the report shows: the recommended depth, else the shallowest that learned, else
    the deepest trained."""
    runs = {run.depth: run for run in probes}
    for depth in (decision.depth, decision.learned_depth):
        if depth in runs:
            return runs[depth]
    return runs[max(runs)] if runs else None
