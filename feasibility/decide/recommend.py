"""From probe verdicts, costs and the budget to one decision, its evidence, alternatives and risks.

Pure data in, pure data out: no torch, no printing, no wording. The decision holds figures and kinds only;
reports/words.py turns it into sentences in English or Japanese, so every language says the same thing.
"""

from __future__ import annotations

import math
from dataclasses import asdict, replace

from feasibility.costs.analytic import DeploymentModel, analytic_macs
from feasibility.costs.measure import deepest_within_budget, steadiness_of
from feasibility.costs.training import settling_run
from feasibility.result.context import DepthBounds, Environment, LatencyFit
from feasibility.result.costs import DepthCost, JoinCost
from feasibility.result.probes import DepthVerdict, ProbeRun
from feasibility.result.recommendation import Evidence, Finding, FrontierPoint, Recommendation
from feasibility.result.spec import SavedDeployment, SavedPlan, SavedSpec
from feasibility.vocabulary import Decision, Stop, Verdict

# Decision.NOT_SHOWN_AT_LENGTH: a depth learned at the probes' length and would fit, but its weakest seed's lower bound at
# the task's length misses the target; the report then says "at least N layers" and names the run that settles it
TIGHT_MARGIN = 0.1  # a recommended depth within 10% of the budget also gets alternatives


def learned_hops(accuracy_by_hop: dict, target: float) -> int:
    """How many hop counts, from 1 up without a gap, the weakest seed answers at `target` or better."""
    reached = 0
    for hop in sorted(int(h) for h in accuracy_by_hop):
        value = accuracy_by_hop.get(hop, accuracy_by_hop.get(str(hop)))
        if hop != reached + 1 or value is None or value < target:
            break
        reached = hop
    return reached


def frontier(points: list[FrontierPoint]) -> list[FrontierPoint]:
    """Mark each option dominated when another is at least as accurate and at least as fast, and better in one.

    A point without accuracy (not trained) is never marked; cost per request, when known, rises with latency at a
    fixed price, so latency stands for it."""

    def dominates(other: FrontierPoint, point: FrontierPoint) -> bool:
        return (other is not point and other.accuracy is not None and other.accuracy >= point.accuracy and other.latency_ms <= point.latency_ms
                and (other.accuracy > point.accuracy or other.latency_ms < point.latency_ms))

    marked = []
    for point in points:
        dominated_by = next((other.depth for other in points if dominates(other, point)), None) if point.accuracy is not None else None
        marked.append(replace(point, dominated_by=dominated_by))
    return marked


def deepest_fitting(fit: dict | None, latencies: dict[int, float], budget_ms: float) -> int | None:
    """The deepest model within `budget_ms` by the line fit of latency against depth, but never at or above a
    measured depth that is over budget (the fit can pass under a measured point)."""
    if not fit:
        return None
    deepest = deepest_within_budget(fit.intercept_ms, fit.slope_ms_per_layer, budget_ms)
    over = [depth for depth, ms in latencies.items() if ms > budget_ms]
    if deepest is not None and over:
        deepest = min(deepest, min(over) - 1)
    return deepest


def _scaled_latency(depth: int, width: int, latency_ms: float, deployment: SavedDeployment, sequence_length: int) -> float:
    """Latency at `width`, scaled from the one measured at the deployment width by the ratio of MACs (an estimate)."""

    def macs(w: int) -> int:
        return sum(analytic_macs(DeploymentModel(depth, w, deployment.heads, deployment.vocab_size, sequence_length)).values())

    return latency_ms * macs(width) / macs(deployment.width)


def _width_that_fits(depth: int, latency_ms: float, budget_ms: float, deployment: SavedDeployment, sequence_length: int) -> int | None:
    """The widest model (a multiple of the head count) whose scaled latency fits the budget at `depth`; None
    when not even the narrowest does."""
    heads = deployment.heads
    fitting = [
        width
        for width in range(heads * 4, deployment.width + 1, heads)
        if _scaled_latency(depth, width, latency_ms, deployment, sequence_length) <= budget_ms
    ]
    return max(fitting, default=None)


def recommend(
    spec: SavedSpec,
    bounds: DepthBounds,
    plan: SavedPlan,
    verdicts: list[DepthVerdict],
    probes: list[ProbeRun],
    costs: list[DepthCost],
    latency_fit: LatencyFit | None,
    environment: Environment,
    join: JoinCost | None = None,
) -> Recommendation:
    """Pick the smallest depth whose probes learned the task and whose latency fits the budget; otherwise say
    which constraint binds and what else could work, with figures."""
    hops = spec.task.hops
    budget = spec.requirements.latency_ms
    percentile = spec.requirements.latency_percentile
    runs = {run.depth: run for run in probes}
    latencies = {c.depth: c.latency.at(percentile) for c in costs}
    learned = sorted(v.depth for v in verdicts if v.verdict == Verdict.LEARNED)
    rec = Recommendation(decision=Decision.NOT_LEARNED, depth=None, hops=hops, target=spec.requirements.accuracy, budget_ms=budget, percentile=percentile, single_hop=hops == 1)
    rec.join = join if spec.task.known("records") == "structured" else None
    rec.currency = spec.deployment.reporting_currency
    rec.evidence = _evidence(verdicts, runs, bounds, plan, hops, learned)
    rec.too_slow_depths = [v.depth for v in verdicts if v.verdict == Verdict.TOO_SLOW]
    rec.frontier = _frontier_of(verdicts, costs, latencies, budget)
    rec.deepest_within_budget = deepest_fitting(latency_fit, latencies, budget)
    _decide(rec, learned, sorted(d for d, ms in latencies.items() if ms <= budget))
    reference = rec.reference_depth
    if reference is not None:
        _weigh_reference(rec, reference, latencies[reference], costs, {v.depth: v for v in verdicts}[reference], plan, learned)
    if rec.decision != Decision.RECOMMENDED or (rec.latency_margin_ms is not None and rec.latency_margin_ms < TIGHT_MARGIN * budget):
        rec.alternatives = _alternatives(rec, spec, bounds, plan, runs, latencies, latency_fit)
    rec.steadiness = steadiness_of(costs)
    rec.risks = _risks(rec, spec, plan, verdicts, costs)
    rec.questions = _questions(rec, spec, plan, environment)
    return rec


def _evidence(verdicts: list[DepthVerdict], runs: dict[int, ProbeRun], bounds: DepthBounds, plan: SavedPlan, hops: int, learned: list[int]) -> list[Evidence]:
    """One verdict per depth, with the run's stop figures."""
    evidence = []
    for verdict in sorted(verdicts, key=lambda v: v.depth):
        run = runs.get(verdict.depth)
        evidence.append(
            Evidence(
                **asdict(verdict),
                below_lower_bound=verdict.depth < bounds.lower,
                steps=run.steps if run else None,
                train_s=run.wall_s if run else None,
                stop_reason=run.stop_reason if run else None,
                plateau_since_step=run.plateau_since_step if run else None,
                first_learned=learned[0] if learned else None,
                time_budget_s=plan.time_budget_s,
                hops=hops,
                floor=bounds.lower,
            )
        )
    return evidence


def _frontier_of(verdicts: list[DepthVerdict], costs: list[DepthCost], latencies: dict[int, float], budget: float) -> list[FrontierPoint]:
    """Every measured depth's accuracy, latency and money, the dominated ones marked (`frontier`)."""
    by_depth = {v.depth: v for v in verdicts}
    money = {c.depth: c.money for c in costs}
    return frontier(
        [
            FrontierPoint(
                depth=depth,
                accuracy=by_depth[depth].accuracy if depth in by_depth else None,
                latency_ms=latencies[depth],
                cost_per_million_requests=money[depth].known("cost_per_million_requests") if depth in money else None,
                cost_per_day=money[depth].known("cost_per_day") if depth in money else None,
                learned=depth in by_depth and by_depth[depth].verdict == Verdict.LEARNED,
                within_budget=latencies[depth] <= budget,
            )
            for depth in sorted(latencies)
        ]
    )


def _decide(rec: Recommendation, learned: list[int], fits: list[int]) -> None:
    """The decision on accuracy and latency alone: the shallowest learned depth that fits, else what binds."""
    chosen = [d for d in learned if d in fits]
    if chosen:
        rec.decision, rec.depth = Decision.RECOMMENDED, chosen[0]
        rec.learned_depth = learned[0]
    elif learned:
        rec.decision, rec.learned_depth, rec.binding_constraint = Decision.NONE_WITHIN_BUDGET, learned[0], "latency"
    else:
        rec.binding_constraint = "accuracy" if fits else "both"


def _weigh_reference(rec: Recommendation, reference: int, latency: float, costs: list[DepthCost], judged: DepthVerdict, plan: SavedPlan, learned: list[int]) -> None:
    """The depth the decision rests on, weighed against the timing noise and against the task's own length: too close
    to call where the budget lies inside its latency's interval; "not shown at length" where it misses the target
    there, with the run that would settle it."""
    rec.latency_ms = latency
    rec.latency_margin_ms = rec.budget_ms - latency
    interval = next((c.latency.interval(rec.percentile) for c in costs if c.depth == reference), None)
    rec.latency_ci95_ms = list(interval) if interval else None
    if interval and interval[0] <= rec.budget_ms <= interval[1]:  # the noise of this machine decides: say so, never fits / does not fit
        rec.decision, rec.depth, rec.learned_depth, rec.binding_constraint = Decision.TOO_CLOSE_TO_CALL, reference, learned[0], None
    rec.probe_length, rec.full_length = judged.length, judged.full_length
    rec.full_length_accuracy, rec.holds_at_full_length = judged.full_length_accuracy, judged.holds_at_full_length
    rec.full_length_lower_bound = judged.full_length_lower_bound
    if judged.holds_at_full_length is False:
        rec.settling_run = settling_run(plan, reference)
        if rec.decision in (Decision.RECOMMENDED, Decision.TOO_CLOSE_TO_CALL):  # "use N layers" only where it holds at the task's length
            rec.decision, rec.depth, rec.learned_depth, rec.binding_constraint = Decision.NOT_SHOWN_AT_LENGTH, None, reference, "accuracy"


def _alternatives(rec: Recommendation, spec: SavedSpec, bounds: DepthBounds, plan: SavedPlan, runs: dict[int, ProbeRun], latencies: dict, fit: dict | None) -> list[Finding]:
    """Concrete options, with figures, when the needed depth is over (or close to) the budget, or not found."""
    hops, budget, deployment = rec.hops, rec.budget_ms, spec.deployment
    length = spec.task.sequence_length
    options: list[Finding] = []
    if rec.settling_run:
        options.append(Finding("settle_at_length", asdict(rec.settling_run)))
    if rec.decision == Decision.NOT_LEARNED:
        if any(run.stop_reason == Stop.TIME_BUDGET for run in runs.values()):  # the clock bound: more time, said once
            options.append(Finding("more_time", {"time_budget_s": plan.time_budget_s, "max_steps": plan.max_steps,
                            "steps": max(run.steps for run in runs.values() if run.stop_reason == Stop.TIME_BUDGET)}))
        else:  # the step budget bound (or a stop rule): more steps
            longest = max((run.wall_s for run in runs.values()), default=0)
            steps = max((run.steps for run in runs.values()), default=0)
            options.append(Finding("more_training", {"steps": steps, "train_s": longest, "time_budget_s": plan.time_budget_s, "max_steps": plan.max_steps}))
        deepest_probed = max(latencies) if latencies else bounds.upper
        options.append(Finding("deeper_probes", {"upto": max(bounds.upper, deepest_probed) + 1}))
    if rec.deepest_within_budget is not None:
        options.append(Finding("deepest_within_budget", {"layers": rec.deepest_within_budget, "needed": rec.learned_depth,
                        "measured_upto": max(latencies) if latencies else None, "measured_points": len(latencies)}))
    needed = rec.learned_depth
    if needed is not None and needed in latencies and latencies[needed] > budget:
        width = _width_that_fits(needed, latencies[needed], budget, deployment, length)
        if width is not None:
            options.append(
                Finding("narrower", {"depth": needed, "width": width, "from_width": deployment.width,
                 "latency_ms": _scaled_latency(needed, width, latencies[needed], deployment, length)})
            )
    if needed is not None and bounds.lower < needed and bounds.lower in latencies:
        wider = deployment.width * 2
        options.append(
            Finding("wider_fewer_layers", {"depth": bounds.lower, "width": wider, "needed": needed,
             "latency_ms": _scaled_latency(bounds.lower, wider, latencies[bounds.lower], deployment, length)})
        )
    if hops > 1:
        passes = []
        for depth, run in runs.items():
            if depth not in latencies:
                continue
            per_pass = learned_hops(run.weakest_by_hop(), rec.target)
            if per_pass and per_pass < hops:
                count = math.ceil(hops / per_pass)
                passes.append(Finding("split_passes", {"depth": depth, "hops_per_pass": per_pass, "passes": count,
                               "latency_ms": count * latencies[depth], "fits": count * latencies[depth] <= budget}))
        if passes:
            options.append(min(passes, key=lambda option: option.figures["latency_ms"]))
        options.append(Finding("fewer_hops", {"hops": hops, "latency_ms": latencies.get(1), "fits": latencies.get(1) is not None and latencies[1] <= budget}))
    return options


def _risks(rec: Recommendation, spec: SavedSpec, plan: SavedPlan, verdicts: list[DepthVerdict], costs: list[DepthCost]) -> list[Finding]:
    risks: list[Finding] = []
    judged = next((v for v in verdicts if v.depth == rec.reference_depth), None)
    if plan.probe_sequence_length < plan.task_sequence_length:
        risks.append(
            Finding("shortened", {"probe_length": plan.probe_sequence_length, "task_length": plan.task_sequence_length,
             "depth": judged.depth if judged else None,
             "accuracy": judged.full_length_accuracy if judged else None,
             "lower_bound": judged.full_length_lower_bound if judged else None,
             "holds": judged.holds_at_full_length if judged else None})
        )
    else:
        risks.append(Finding("full_length", {"probe_length": plan.probe_sequence_length}))
    if spec.task.sequence_length > plan.task_sequence_length:
        risks.append(Finding("longer_than_probed", {"task_length": spec.task.sequence_length, "judged_length": plan.task_sequence_length}))
    contradicting = [v.depth for v in verdicts if v.contradicts_bound]
    if contradicting:
        risks.append(Finding("contradicts_bound", {"depths": contradicting}))
    slow = [v.depth for v in verdicts if v.verdict == Verdict.TOO_SLOW]
    if slow:
        risks.append(Finding("too_slow", {"depths": slow, "time_budget_s": plan.time_budget_s}))
    risks.append(Finding("small_probes", {"probe_width": plan.width}))
    if rec.decision == Decision.RECOMMENDED and rec.latency_margin_ms is not None and rec.latency_margin_ms < TIGHT_MARGIN * rec.budget_ms:
        risks.append(Finding("tight_margin", {"margin_ms": rec.latency_margin_ms, "budget_ms": rec.budget_ms}))
    noisy = [c.depth for c in costs if c.latency.known("noisy")]
    if noisy:
        risks.append(Finding("noisy_latency", {"depths": noisy}))
    steadiness = rec.steadiness  # None for results saved before each depth was timed twice
    if steadiness and not steadiness.steady:
        risks.append(Finding("unsteady_machine", {"drift": steadiness.drift, "depth": steadiness.depth, "passes_p50_ms": steadiness.passes_p50_ms}))
    return risks


def _questions(rec: Recommendation, spec: SavedSpec, plan: SavedPlan, environment: dict) -> list[Finding]:
    """What the people in the room must decide; the tool cannot."""
    questions: list[Finding] = [Finding("target", {"target": rec.target})]
    questions.append(Finding("hardware", {"device": environment.known("device_name") or environment.known("device"), "threads": environment.known("threads")}))
    if rec.single_hop:
        questions.append(Finding("index_instead"))
    if rec.decision == Decision.RECOMMENDED:
        questions.append(Finding("margin", {"margin_ms": rec.latency_margin_ms, "budget_ms": rec.budget_ms}))
    elif rec.decision == Decision.TOO_CLOSE_TO_CALL:
        questions.append(Finding("measure_on_target", {"depth": rec.depth, "interval_ms": rec.latency_ci95_ms, "budget_ms": rec.budget_ms}))
    elif rec.decision == Decision.NOT_SHOWN_AT_LENGTH:
        questions.append(Finding("settle_at_length", asdict(rec.settling_run) if rec.settling_run else {"depth": rec.learned_depth, "length": rec.full_length}))
    elif rec.decision == Decision.NONE_WITHIN_BUDGET:
        questions.append(Finding("which_alternative", {"needed": rec.learned_depth, "latency_ms": rec.latency_ms, "budget_ms": rec.budget_ms}))
    else:
        questions.append(Finding("fund_longer_run"))
    settled = rec.holds_at_full_length or rec.decision == Decision.NOT_SHOWN_AT_LENGTH  # judged there, or its own question above
    if plan.probe_sequence_length < plan.task_sequence_length and not settled:
        questions.append(Finding("full_length_run", {"task_length": plan.task_sequence_length, "probe_length": plan.probe_sequence_length}))
    questions.append(Finding("real_data"))
    return questions
