"""The result of one assessment, as every renderer reads it: `Assessment` (what `assess` measured and decided) with
the curriculum `Comparison` and the depth table's rows. Training's results are typed (`ProbeRun`, `DepthVerdict`);
`to_dict` and `from_dict` are the JSON edge (report.json). The pipeline (run/pipeline.py) fills it and derives its
decision and views once (`settle`); nothing here trains or measures, and torch is not imported.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import asdict, dataclass

from feasibility import __version__
from feasibility.result.inside import emergence, hop_learned_steps, in_hop_order
from feasibility.result.context import DepthBounds, Environment, LatencyFit
from feasibility.result.costs import BatchingCurve, DepthCost, JoinCost
from feasibility.result.probes import DepthVerdict, ProbeRun
from feasibility.result.recommendation import Recommendation
from feasibility.result.spec import SavedPlan, SavedSpec

SCHEMA_VERSION = 2  # 2: the verdict judges the question (D lookups) on fresh examples; 1 judged links one lookup short


@dataclass
class Assessment:
    """Everything one run of `assess` found. Training's results and the costs are typed (`ProbeRun`, `DepthVerdict`,
    `DepthCost`), and so are the spec and the plan (`SavedSpec`, `SavedPlan`). `to_dict` and `from_dict` are the JSON edge."""

    spec: SavedSpec  # the task file as resolved
    bounds: DepthBounds
    plan: SavedPlan  # the probe plan as run
    probes: list[ProbeRun]  # one per trained depth
    verdicts: list[DepthVerdict]  # one per planned depth
    costs: list[DepthCost]  # one per planned depth
    latency_fit: LatencyFit | None
    environment: Environment
    recommendation: Recommendation | None  # derived by `settle`, from the measurements, whenever a result is made or loaded
    timings_s: dict
    created: str = ""
    tool_version: str = __version__
    schema_version: int = SCHEMA_VERSION
    curriculum_comparison: Comparison | None = None  # the same depths trained with the curriculum switched
    join: JoinCost | None = None  # where the records are structured: what answering with a join costs here (measure.join_cost)
    batching: BatchingCurve | None = None  # latency and throughput against batch size at one depth (measure_batching)
    views: Views | None = None  # derived once by `settle`, read by every renderer (see there)

    def to_dict(self) -> dict:
        comparison = self.curriculum_comparison
        typed = {
            "probes": [run.to_dict() for run in self.probes],
            "verdicts": [asdict(v) for v in self.verdicts],
            "costs": [cost.to_dict() for cost in self.costs],
            "curriculum_comparison": comparison.to_dict() if comparison else None,
            "recommendation": self.recommendation.to_dict() if self.recommendation else None,
            "views": self.views.to_dict() if self.views else {},
            "spec": self.spec.to_dict(),
            "plan": self.plan.to_dict(),
            "bounds": self.bounds.to_dict(),
            "latency_fit": self.latency_fit.to_dict() if self.latency_fit else None,
            "environment": self.environment.to_dict(),
            "join": self.join.to_dict() if self.join else None,
            "batching": self.batching.to_dict() if self.batching else None,
        }
        return {f.name: typed[f.name] if f.name in typed else copy.deepcopy(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> "Assessment":
        fields = {k: v for k, v in data.items() if k != "views"}  # the views and the decision are derived again: see `settle`
        comparison = fields.get("curriculum_comparison")
        fields.update(
            probes=[ProbeRun.from_dict(run) for run in fields["probes"]],
            verdicts=[DepthVerdict(**v) for v in fields["verdicts"]],
            costs=[DepthCost.from_dict(cost) for cost in fields["costs"]],
            curriculum_comparison=Comparison.from_dict(comparison) if comparison is not None else None,
            recommendation=None,
            spec=SavedSpec.from_dict(fields["spec"]),
            plan=SavedPlan.from_dict(fields["plan"]),
            bounds=DepthBounds.from_dict(fields["bounds"]),
            latency_fit=LatencyFit.from_dict(fields["latency_fit"]) if fields.get("latency_fit") is not None else None,
            environment=Environment.from_dict(fields["environment"]),
            join=JoinCost.from_dict(fields["join"]) if fields.get("join") else None,
            batching=BatchingCurve.from_dict(fields["batching"]) if fields.get("batching") else None,
        )
        return cls(**fields)

    @property
    def currency(self) -> str:
        """The currency of every cost in the reports: the task file's, or the default where it names none."""
        return self.spec.deployment.reporting_currency

    def inside(self, run: ProbeRun) -> InsideView:
        """What the report says of a probe's inside: derived once by `settle` for the shown probe (`views.inside`),
        on request for another (`explain --depth`)."""
        if self.views.shown is not None and run.depth == self.views.shown.depth:
            return self.views.inside
        return inside_view(run, self.spec.task.hops, self.spec.requirements.accuracy)


@dataclass
class Comparison:
    """The same depths trained with the implicit curriculum switched (`assess --compare-curriculum`)."""

    curriculum: bool
    probes: list[ProbeRun]
    verdicts: list[DepthVerdict]

    def to_dict(self) -> dict:
        return {"curriculum": self.curriculum, "probes": [run.to_dict() for run in self.probes], "verdicts": [asdict(v) for v in self.verdicts]}

    @classmethod
    def from_dict(cls, data: dict) -> "Comparison":
        return cls(data["curriculum"], [ProbeRun.from_dict(run) for run in data["probes"]], [DepthVerdict(**v) for v in data["verdicts"]])


@dataclass(frozen=True)
class InsideView:
    """What the report says of one probe's inside: when each head emerged, the step each hop count was learned, and
    whether they were learned one after another."""

    emergence: list[dict]  # inside.emergence's rows
    hops_learned: dict[int, int | None]
    in_order: bool

    def to_dict(self) -> dict:
        return {"emergence": copy.deepcopy(self.emergence), "hops_learned": dict(self.hops_learned)}


@dataclass
class Views:
    """What `settle` derives once from the measurements and every renderer reads: the depth table's rows, the probe
    whose inside is shown, and what it shows. Saved in report.json for machines; derived again on loading."""

    depth_rows: list[dict]
    shown: ProbeRun | None
    inside: InsideView | None

    def to_dict(self) -> dict:
        return {"depth_rows": copy.deepcopy(self.depth_rows), "explained_depth": self.shown.depth if self.shown else None,
                "inside": self.inside.to_dict() if self.inside else None}


def inside_view(run: ProbeRun, hops: int, target: float) -> InsideView:
    """Head emergence (inside.emergence) and the step each hop count was learned (inside.hop_learned_steps)."""
    steps = hop_learned_steps(run.curve, hops, target)
    return InsideView(emergence(run.curve), steps, in_hop_order(steps))


def depth_rows(assessment: Assessment) -> list[dict]:
    """One row per planned depth: bound, accuracy on the links by hop and on the question, verdict, cost; the key
    table of every report. Accuracies are the weakest seed's on the fresh verdict set."""
    bounds = assessment.bounds
    spec = assessment.spec
    percentile = spec.requirements.latency_percentile
    budget = spec.requirements.latency_ms
    runs = {run.depth: run for run in assessment.probes}
    costs = {cost.depth: cost for cost in assessment.costs}
    rows = []
    for verdict in assessment.verdicts:
        depth = verdict.depth
        run, cost = runs.get(depth), costs.get(depth)
        accuracy_by_hop = dict(sorted(run.weakest_by_hop().items())) if run else {}
        latency = cost.latency.at(percentile) if cost else None
        rows.append(
            {
                "depth": depth,
                "vs_bound": "below" if depth < bounds.lower else ("within" if depth <= bounds.upper else "above"),
                "accuracy_by_hop": accuracy_by_hop,
                "question": verdict.accuracy,
                "question_full_length": verdict.full_length_accuracy,
                "full_length_lower_bound": verdict.full_length_lower_bound,
                "holds_at_full_length": verdict.holds_at_full_length,
                "length": verdict.length,
                "full_length": verdict.full_length,
                "lower_bound": verdict.lower_bound,
                "at_chance": verdict.at_chance,
                "verdict": verdict.verdict,
                "macs": cost.flops.macs_per_request if cost else None,
                "flops": cost.flops.flops_per_request if cost else None,
                "parameters": cost.flops.parameters if cost else None,
                "latency_ms": latency,
                "within_budget": latency is not None and latency <= budget,
                "train_s": run.wall_s if run else None,
                "steps": run.steps if run else None,
            }
        )
    return rows


