"""The task file as a result holds it: what was asked (the task, the requirements, the deployment), as the resolved
spec was written into report.json. Records (result/record.py), so a result saved by any version re-renders byte
for byte; the spec stage (spec/task.py) reads and checks task files, this is only what a result keeps of one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from feasibility.result.record import ABSENT, Record
from feasibility.vocabulary import DEFAULT_CURRENCY


@dataclass(kw_only=True)
class SavedTask(Record):
    kind: str
    sequence_length: int
    hops: int
    records: str = ABSENT  # "structured" where a database join can follow the links


@dataclass(kw_only=True)
class SavedRequirements(Record):
    accuracy: float
    latency_ms: float
    latency_percentile: int
    batch_size: int


@dataclass(kw_only=True)
class SavedDeployment(Record):
    width: int
    heads: int
    vocab_size: int
    dtype: str
    device: str
    mode: str = ABSENT
    cost_per_device_hour: float | None = ABSENT
    requests_per_day: int | None = ABSENT
    currency: str = ABSENT
    threads: int | str = ABSENT

    @property
    def reporting_currency(self) -> str:
        """The currency of every cost in the reports: the task file's, or the default where it names none."""
        return self.known("currency") or DEFAULT_CURRENCY


PARTS = {"task": SavedTask, "requirements": SavedRequirements, "deployment": SavedDeployment}


@dataclass(kw_only=True)
class SavedSpec(Record):
    name: str
    task: SavedTask
    requirements: SavedRequirements
    deployment: SavedDeployment
    probe: dict = ABSENT  # the probe section as written: the plan (result.assessment) holds what was run
    description: str = ABSENT
    source: str = ABSENT

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SavedSpec":
        parts = {key: kind.from_dict(data[key]) for key, kind in PARTS.items() if isinstance(data.get(key), dict)}
        return super().from_dict({**copy.deepcopy(data), **parts})

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        return {key: value.to_dict() if isinstance(value, Record) else copy.deepcopy(value) for key, value in data.items()}


@dataclass(kw_only=True)
class SavedPlan(Record):
    """The probe plan as run (plan/probe_plan.py `ProbePlan.to_dict`): what was trained, at which lengths, how."""

    family: str
    hops: int
    curriculum: bool
    depths: list
    seeds: list
    task_sequence_length: int  # where the probes are judged at the task's length (at most 2,048)
    probe_sequence_length: int  # where they train
    symbols: int
    length_candidates: list
    length_choice: dict | None = ABSENT  # how the probe length was chosen: "auto" with the step times it measured
    width: int
    heads: int
    mlp_ratio: int
    tied_head: bool = ABSENT
    batch_size: int
    learning_rate: float
    warmup_steps: int
    eval_every: int
    check_questions: int
    verdict_questions: int
    time_budget_s: float
    max_steps: int
    target_accuracy: float
    skip_positions: bool = ABSENT
    length_scaling: bool = ABSENT
    lower_bound: int = ABSENT
    trains_below_bound: bool = ABSENT
    shortened: bool
    full_length_questions: int
    full_check_questions: int = ABSENT
    full_length_check_every: int = ABSENT

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SavedPlan":
        return super().from_dict(copy.deepcopy(data))

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(super().to_dict())

    @property
    def measured_steps(self) -> list[dict]:
        """The step times `auto` measured to choose the probe length (none where the length was written)."""
        return (self.known("length_choice") or {}).get("measured") or []
