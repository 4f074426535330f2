"""The decision of one assessment, as every renderer reads it: `Recommendation`, with its typed evidence (one
`Evidence` per depth), its frontier (`FrontierPoint`), the run that would settle it (`SettlingRun`), the latency
passes' steadiness (`Steadiness`), and its alternatives, risks and questions (`Finding`: a kind, which the words
look their sentence up by, and its figures). The decide stage (decide/recommend.py) fills it; nothing here decides.

`to_dict` is the JSON edge (report.json's "recommendation"); the decision is derived again from the measurements
whenever a result is loaded, so there is no `from_dict`.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields

from feasibility.result.costs import JoinCost
from feasibility.result.probes import DepthVerdict
from feasibility.vocabulary import DEFAULT_CURRENCY


@dataclass(frozen=True)
class Finding:
    """One alternative, risk or question for the meeting: its kind (`alt_<kind>`, `risk_<kind>`, `q_<kind>` in the
    words of each language) and the figures its sentence shows."""

    kind: str
    figures: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, **self.figures}


@dataclass
class Evidence(DepthVerdict):
    """One depth's verdict with what its run did: how far it trained and why it stopped."""

    below_lower_bound: bool = False
    steps: int | None = None
    train_s: float | None = None
    stop_reason: str | None = None  # a `vocabulary.Stop`
    plateau_since_step: int | None = None
    first_learned: int | None = None  # the shallowest depth that learned: why a deeper one was skipped
    time_budget_s: float | None = None
    hops: int | None = None
    floor: int | None = None  # the theory's lower bound on the depth


@dataclass(frozen=True)
class FrontierPoint:
    """One measured depth on the cost/accuracy frontier; `dominated_by` names a depth at least as accurate and as fast."""

    depth: int
    accuracy: float | None  # None where the depth was not trained
    latency_ms: float
    cost_per_million_requests: float | None
    cost_per_day: float | None
    learned: bool
    within_budget: bool
    dominated_by: int | None = None


@dataclass(frozen=True)
class SettlingRun:
    """The run that would show whether a depth holds at the task's length, with its time estimated here and on a GPU."""

    depth: int
    length: int
    steps: int
    seconds_here: float
    timed_length: int
    seconds_gpu: float
    gpu: str
    gpu_measured: str


@dataclass(frozen=True)
class Steadiness:
    """How far a depth's two latency passes disagreed: the largest drift of any depth, and whether it is small enough."""

    depth: int
    passes_p50_ms: list[float]
    drift: float
    steady: bool


@dataclass
class Recommendation:
    decision: str  # a `vocabulary.Decision`
    depth: int | None  # the recommended depth (None unless "recommended")
    hops: int
    target: float
    budget_ms: float
    percentile: int
    learned_depth: int | None = None  # shallowest depth whose probes learned, fitting the budget or not
    latency_ms: float | None = None  # the latency of `depth`, or of `learned_depth` when it does not fit
    latency_margin_ms: float | None = None  # budget minus that latency (negative: over budget)
    latency_ci95_ms: list[float] | None = None  # the 95% confidence interval of that latency (bootstrap over timing rounds)
    binding_constraint: str | None = None  # "accuracy", "latency", "both" or None
    single_hop: bool = False
    join: JoinCost | None = None  # where the records are structured: what the join costs here (measure.join_cost); it leads the headline
    currency: str = DEFAULT_CURRENCY
    deepest_within_budget: int | None = None  # from the latency line fit, capped below any measured depth over budget
    probe_length: int | None = None  # where the reference depth's verdict was read (the probes' training length)
    full_length: int | None = None  # the task's length, where the probes trained shorter
    full_length_accuracy: float | None = None  # the reference depth's weakest seed there
    full_length_lower_bound: float | None = None  # its Wilson 95% lower bound there: what is checked against the target
    holds_at_full_length: bool | None = None
    settling_run: SettlingRun | None = None  # where the verdict holds at the probes' length only: the run that would settle it
    too_slow_depths: list[int] = field(default_factory=list)  # depths the time cap cut short: the machine was too slow to judge
    steadiness: Steadiness | None = None  # None for results saved before each depth was timed twice
    evidence: list[Evidence] = field(default_factory=list)  # one verdict per depth, with the run's stop figures
    alternatives: list[Finding] = field(default_factory=list)
    risks: list[Finding] = field(default_factory=list)
    questions: list[Finding] = field(default_factory=list)  # what the meeting should settle
    frontier: list[FrontierPoint] = field(default_factory=list)  # one point per measured depth, dominated ones marked

    @property
    def reference_depth(self) -> int | None:
        """The depth the decision rests on: the recommended one, else the shallowest that learned."""
        return self.depth or self.learned_depth

    def to_dict(self) -> dict:
        listed = {name: [item.to_dict() for item in getattr(self, name)] for name in ("alternatives", "risks", "questions")}
        typed = {
            "settling_run": asdict(self.settling_run) if self.settling_run else None,
            "steadiness": asdict(self.steadiness) if self.steadiness else None,
            "join": self.join.to_dict() if self.join else None,
            "evidence": [asdict(item) for item in self.evidence],
            "frontier": [asdict(point) for point in self.frontier],
            **listed,
        }
        return {f.name: typed[f.name] if f.name in typed else copy.deepcopy(getattr(self, f.name)) for f in fields(self)}
