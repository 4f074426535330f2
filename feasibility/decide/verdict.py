"""The verdict on one depth: what its probes' run shows against the target and the theory's floor."""

from __future__ import annotations

from feasibility.result.probes import DepthVerdict, ProbeRun
from feasibility.vocabulary import Stop, Verdict


def judge(run: ProbeRun, lower_bound_depth: int, target: float) -> DepthVerdict:
    """Verdict for one depth: below the theoretical bound, learned, not learned within budget, too slow to
    judge (the clock cap bound), or diverged."""
    live = [s for s in run.seeds if not s.diverged]
    weakest = min(run.seeds, key=lambda s: s.verdict_set.lower_bound)
    learned = [s for s in live if s.verdict_set.lower_bound >= target]
    full = [s.full_length for s in run.seeds if s.full_length is not None]
    full_weakest = min(full, key=lambda e: e.lower_bound) if full else None
    chance = run.chance.get("query") if run.chance else None
    verdict = DepthVerdict(
        depth=run.depth,
        verdict=Verdict.NOT_LEARNED,
        accuracy=weakest.verdict_set.query_accuracy,
        lower_bound=weakest.verdict_set.lower_bound,
        seeds_learned=len(learned),
        seeds=len(run.seeds),
        length=weakest.verdict_set.length,
        questions=weakest.verdict_set.questions,
        check_accuracy=min(s.check.query_accuracy for s in run.seeds),
        full_length=full_weakest.length if full_weakest else None,
        full_length_accuracy=full_weakest.query_accuracy if full_weakest else None,
        full_length_lower_bound=full_weakest.lower_bound if full_weakest else None,
        holds_at_full_length=all(e.lower_bound >= target for e in full) if full else None,
        chance=chance,
        chance_heuristic=run.chance.get("best") if run.chance else None,
        at_chance=chance is not None and weakest.verdict_set.lower_bound <= chance,
        contradicts_bound=run.depth < lower_bound_depth and bool(learned),
    )
    if not live:
        verdict.verdict = Verdict.DIVERGED
    elif len(learned) == len(run.seeds):
        verdict.verdict = Verdict.LEARNED
    elif run.depth < lower_bound_depth:
        verdict.verdict = Verdict.BELOW_BOUND
    elif run.stop_reason == Stop.TIME_BUDGET:
        verdict.verdict = Verdict.TOO_SLOW
    return verdict
