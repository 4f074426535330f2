"""The task file as a result holds it: what was asked (the task, the requirements, the deployment), as the resolved
spec was written into report.json. Records (result/record.py), so a result saved by any version re-renders byte
for byte; the spec stage (spec/task.py) reads and checks task files, this is only what a result keeps of one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from feasibility.result.record import ABSENT, Record
from feasibility.vocabulary import DEFAULT_CURRENCY


@dataclass
class SavedTask(Record):
    kind: str = ABSENT
    sequence_length: int = ABSENT
    hops: int = ABSENT
    records: str = ABSENT  # "structured" where a database join can follow the links


@dataclass
class SavedRequirements(Record):
    accuracy: float = ABSENT
    latency_ms: float = ABSENT
    latency_percentile: int = ABSENT
    batch_size: int = ABSENT


@dataclass
class SavedDeployment(Record):
    width: int = ABSENT
    heads: int = ABSENT
    vocab_size: int = ABSENT
    dtype: str = ABSENT
    device: str = ABSENT
    mode: str = ABSENT
    cost_per_device_hour: float | None = ABSENT
    requests_per_day: int | None = ABSENT
    currency: str = ABSENT
    threads: int | str = ABSENT

    @property
    def money(self) -> str:
        """The currency of every cost in the reports: the task file's, or the default where it names none."""
        return self.known("currency") or DEFAULT_CURRENCY


PARTS = {"task": SavedTask, "requirements": SavedRequirements, "deployment": SavedDeployment}


@dataclass
class SavedSpec(Record):
    name: str = ABSENT
    task: SavedTask = field(default_factory=SavedTask)
    requirements: SavedRequirements = field(default_factory=SavedRequirements)
    deployment: SavedDeployment = field(default_factory=SavedDeployment)
    probe: dict = ABSENT  # the probe section as written: the plan (result.assessment) holds what was run
    description: str = ABSENT
    source: str = ABSENT

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SavedSpec":
        parts = {key: kind.from_dict(data[key]) for key, kind in PARTS.items() if isinstance(data.get(key), dict)}
        saved = super().from_dict({**data, **parts})
        if isinstance(saved.probe, dict):
            saved.probe = copy.deepcopy(saved.probe)
        return saved

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        return {key: value.to_dict() if isinstance(value, Record) else copy.deepcopy(value) for key, value in data.items()}


@dataclass
class SavedPlan(Record):
    """The probe plan as run (plan/probe_plan.py `ProbePlan.to_dict`): what was trained, at which lengths, how."""

    family: str = ABSENT
    hops: int = ABSENT
    curriculum: bool = ABSENT
    depths: list = ABSENT
    seeds: list = ABSENT
    task_sequence_length: int = ABSENT  # where the probes are judged at the task's length (at most 2,048)
    probe_sequence_length: int = ABSENT  # where they train
    symbols: int = ABSENT
    length_candidates: list = ABSENT
    length_choice: dict | None = ABSENT  # how the probe length was chosen: "auto" with the step times it measured
    width: int = ABSENT
    heads: int = ABSENT
    mlp_ratio: int = ABSENT
    tied_head: bool = ABSENT
    batch_size: int = ABSENT
    learning_rate: float = ABSENT
    warmup_steps: int = ABSENT
    eval_every: int = ABSENT
    check_questions: int = ABSENT
    verdict_questions: int = ABSENT
    time_budget_s: float = ABSENT
    max_steps: int = ABSENT
    target_accuracy: float = ABSENT
    skip_positions: bool = ABSENT
    length_scaling: bool = ABSENT
    lower_bound: int = ABSENT
    trains_below_bound: bool = ABSENT
    shortened: bool = ABSENT
    full_length_questions: int = ABSENT
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
