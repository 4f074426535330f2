"""From probe verdicts, costs and the budget to one decision, with its reasons and alternatives.

Pure data in, pure data out: no torch, no printing.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

DECISIONS = ("recommended", "none_within_budget", "not_learned")


@dataclass
class Recommendation:
    decision: str  # one of DECISIONS
    depth: int | None
    headline: str  # one sentence for the top of every report
    reasons: list[str] = field(default_factory=list)
    binding_constraint: str | None = None  # "accuracy", "latency", "both" or None
    latency_margin_ms: float | None = None  # budget minus the recommended depth's latency (>= 0 when it fits)
    alternatives: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    single_hop: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def recommend(
    hops: int,
    target: float,
    budget_ms: float,
    percentile: int,
    verdicts: list[dict],
    latencies_ms: dict[int, float],
    deepest_within_budget: int | None,
    probe_note: str,
) -> Recommendation:
    """Pick the smallest depth whose probes learned the task and whose latency fits the budget."""
    label = f"p{percentile}"
    learned = sorted(v["depth"] for v in verdicts if v["verdict"] == "learned")
    fits = sorted(d for d, ms in latencies_ms.items() if ms <= budget_ms)
    reasons = [_verdict_sentence(v) for v in sorted(verdicts, key=lambda v: v["depth"])]
    risks = [probe_note, "accuracy comes from small probes; the deployed model is wider, trained on real data, and may need more training than the probes did"]
    single = hops == 1
    if single:
        reasons.insert(0, "the task has one hop: it needs no multi-step retrieval, a single lookup does")
    chosen = [d for d in learned if d in fits]
    if chosen:
        depth = chosen[0]
        margin = budget_ms - latencies_ms[depth]
        return Recommendation(
            decision="recommended",
            depth=depth,
            headline=(
                f"Use {depth} layer{'s' if depth > 1 else ''}: the probes learned all {hops} hop{'s' if hops > 1 else ''} "
                f"at {target:.0%} or better, and {label} latency {latencies_ms[depth]:.3g} ms fits the {budget_ms:g} ms budget."
            ),
            reasons=reasons,
            latency_margin_ms=margin,
            alternatives=_alternatives(hops, depth, budget_ms, latencies_ms, deepest_within_budget, label) if margin < 0.1 * budget_ms else [],
            risks=risks,
            single_hop=single,
        )
    if learned:
        depth = learned[0]
        return Recommendation(
            decision="none_within_budget",
            depth=None,
            headline=(
                f"Not within budget: {depth} layers learn the task, but their {label} latency "
                f"{latencies_ms[depth]:.3g} ms exceeds the {budget_ms:g} ms budget."
            ),
            reasons=reasons,
            binding_constraint="latency",
            latency_margin_ms=budget_ms - latencies_ms[depth],
            alternatives=_alternatives(hops, depth, budget_ms, latencies_ms, deepest_within_budget, label),
            risks=risks,
            single_hop=single,
        )
    binding = "both" if not fits else "accuracy"
    return Recommendation(
        decision="not_learned",
        depth=None,
        headline=(
            f"No probed depth reached {target:.0%} on {hops}-hop retrieval within the training budget"
            + (f", and no probed depth fits the {budget_ms:g} ms budget either." if binding == "both" else ".")
        ),
        reasons=reasons,
        binding_constraint=binding,
        alternatives=[
            "give the probes more training time (probe.time_budget_s) or steps (probe.max_steps): "
            "a budget-limited failure does not show that the depth cannot do the task",
            "probe deeper models (probe.depths)",
            f"reduce the hops the model must make: an index or a pre-join upstream turns {hops} hops into 1",
        ],
        risks=risks,
        single_hop=single,
    )


def _verdict_sentence(verdict: dict) -> str:
    return f"depth {verdict['depth']}: {verdict['verdict'].replace('_', ' ')}: {verdict['explanation']}"


def _alternatives(hops: int, depth: int, budget_ms: float, latencies_ms: dict[int, float], deepest: int | None, label: str) -> list[str]:
    """Concrete options with numbers when the needed depth is over (or close to) the latency budget."""
    options: list[str] = []
    if deepest is not None:
        if deepest >= 1:
            options.append(f"the deepest model within budget is about {deepest} layers (estimate from a line fit of {label} latency against depth)")
        else:
            options.append("even one layer is estimated to exceed the budget at this width and length (line fit)")
    current = latencies_ms[depth]
    if current > budget_ms:
        shrink = math.sqrt(budget_ms / current)
        options.append(
            f"a narrower model at {depth} layers: latency grows roughly with width squared, so about {shrink:.0%} of the "
            f"deployment width might fit (estimate; re-run with that width)"
        )
    if hops > 1 and 1 in latencies_ms:
        passes = hops
        options.append(
            f"split the lookup into {passes} passes of a one-hop model: about {passes} x {latencies_ms[1]:.1f} ms = "
            f"{passes * latencies_ms[1]:.1f} ms at {label} (sequential passes add their latencies)"
        )
    if hops > 1:
        options.append(f"reduce the hops the model must make: an index or a pre-join upstream turns {hops} hops into 1")
    return options
