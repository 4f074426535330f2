"""Two saved assessments side by side, as data: the inputs that differ, both decisions, each depth in both, and
what changed in the decision. Typical pairs: two latency budgets, two deployment widths, this year's task against
next year's. `compare` derives it from the two results; reports/compare.py words it, and nothing here renders.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from feasibility.result.assessment import Assessment
from feasibility.result.recommendation import Recommendation

ENVIRONMENT_FIELDS = ("device", "device_name", "threads", "torch_version")  # where the two ran, compared as inputs
CHANGE_KINDS = ("decision", "same_decision", "needed_depth", "binding", "margin")  # what a Change can say, in this order


@dataclass(frozen=True)
class InputChange:
    """A task-file key (dotted) or an `environment.` field whose value differs between A and B."""

    key: str
    a: object
    b: object


@dataclass(frozen=True)
class DepthPair:
    """One depth in both results: its verdict, its accuracy and its latency at the chosen percentile, A then B
    (None where that result has no such depth or no such figure)."""

    depth: int
    verdict: tuple[str | None, str | None]
    accuracy: tuple[float | None, float | None]
    latency_ms: tuple[float | None, float | None]


@dataclass(frozen=True)
class Change:
    """One thing said of the decision: `kind` (one of CHANGE_KINDS) with A's and B's value of it."""

    kind: str
    a: object
    b: object


@dataclass(frozen=True)
class ResultComparison:
    names: tuple[str, str]
    spec_changes: list[InputChange]
    decisions: tuple[Recommendation, Recommendation]  # each result's decision
    rows: list[DepthPair]
    changes: list[Change]

    @property
    def percentile(self) -> int:
        """The latency percentile the depth rows show: B's."""
        return self.decisions[1].percentile

    def to_dict(self) -> dict:
        def plain(value):
            return value.to_dict() if isinstance(value, Recommendation) else value

        return {
            "names": list(self.names), "spec_changes": [asdict(change) for change in self.spec_changes],
            "decisions": [decision.to_dict() for decision in self.decisions], "rows": [asdict(row) for row in self.rows],
            "changes": [{"kind": change.kind, "a": plain(change.a), "b": plain(change.b)} for change in self.changes],
        }


def _flatten(data: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def compare(a: Assessment, b: Assessment) -> ResultComparison:
    """The inputs that differ, both decisions, the depth table side by side, and what changed in the decision."""
    spec_a, spec_b = _flatten(a.spec.to_dict()), _flatten(b.spec.to_dict())
    inputs = [InputChange(key, spec_a.get(key), spec_b.get(key)) for key in sorted(set(spec_a) | set(spec_b)) if spec_a.get(key) != spec_b.get(key)]
    inputs += [InputChange(f"environment.{name}", a.environment.known(name), b.environment.known(name)) for name in ENVIRONMENT_FIELDS if a.environment.known(name) != b.environment.known(name)]
    rec_a, rec_b = a.recommendation, b.recommendation
    verdicts = ({v.depth: v.verdict for v in a.verdicts}, {v.depth: v.verdict for v in b.verdicts})
    points = ({p.depth: p for p in rec_a.frontier}, {p.depth: p for p in rec_b.frontier})
    rows = [
        DepthPair(depth, tuple(v.get(depth) for v in verdicts), tuple(p[depth].accuracy if depth in p else None for p in points), tuple(p[depth].latency_ms if depth in p else None for p in points))
        for depth in sorted(set(verdicts[0]) | set(verdicts[1]))
    ]
    same = rec_a.decision == rec_b.decision and rec_a.depth == rec_b.depth
    changes = [Change("same_decision" if same else "decision", rec_a, rec_b)]
    for kind, key in (("needed_depth", "learned_depth"), ("binding", "binding_constraint")):
        if getattr(rec_a, key) != getattr(rec_b, key):
            changes.append(Change(kind, getattr(rec_a, key), getattr(rec_b, key)))
    if rec_a.latency_margin_ms is not None and rec_b.latency_margin_ms is not None:
        changes.append(Change("margin", rec_a.latency_margin_ms, rec_b.latency_margin_ms))
    return ResultComparison((a.spec.name, b.spec.name), inputs, (rec_a, rec_b), rows, changes)
