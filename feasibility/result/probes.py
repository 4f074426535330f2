"""What training one depth's probes produced, as typed data: `ProbeRun` (all seeds of one depth, with their
evaluations and learning curve) and `DepthVerdict` (what the run shows, by `decide.verdict.judge`).

`probes.train.run_job` turns a `plan.jobs.ProbeJob` into a `ProbeRun`; everything downstream (the depth search, the
recommendation, the reports, the figures) reads these objects, and JSON appears only at the edge (`to_dict`,
`from_dict`: report.json, the probe cache). This module does not import torch, so a saved result can be
re-rendered without it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from feasibility.plan.jobs import ProbeConfig, TrainSettings


@dataclass
class Evaluation:
    """One seed on one evaluation set: the question (decisive) and the links by the lookups they need."""

    length: int
    questions: int
    answered: int  # questions answered right
    query_accuracy: float
    lower_bound: float  # Wilson 95% lower bound of query_accuracy, one question per example
    accuracy_by_hop: dict[int, float]  # links (not the question), by lookups 1..D
    links_by_hop: dict[int, int]
    loss: float

    @classmethod
    def from_dict(cls, data: dict) -> "Evaluation":
        return cls(**{**data, "accuracy_by_hop": _hop_keys(data["accuracy_by_hop"]), "links_by_hop": _hop_keys(data["links_by_hop"])})


@dataclass
class SeedResult:
    seed: int
    verdict_set: Evaluation  # fresh, at the probe's length: what the verdict reads
    check: Evaluation  # the stop rule's last running check
    full_length: Evaluation | None  # fresh, at the task's length, when the probes trained shorter
    steps_to_target: int | None  # first running check at which this seed passed
    diverged: bool


@dataclass
class CurvePoint:
    step: int
    elapsed_s: float
    train_loss: list[float]  # per seed
    held_out_loss: list[float]  # on the check set
    accuracy_by_hop: list[dict[int, float]]  # per seed, links by lookups
    query_accuracy: list[float]  # per seed: the question
    head_scores: dict | None = None  # {"chain"|"previous": [seed][layer][head]} (see heads.py)
    full_length_accuracy: list[float] | None = None  # per seed: the question at the task's length, where that was checked

    @classmethod
    def from_dict(cls, data: dict) -> "CurvePoint":
        return cls(**{**data, "accuracy_by_hop": [_hop_keys(a) for a in data["accuracy_by_hop"]]})


@dataclass
class ProbeRun:
    """All seeds of one depth: what was trained, for how long, how it ended, and the held-out figures."""

    config: ProbeConfig  # one probe's architecture (ensemble 1), its depth included
    settings: TrainSettings
    task: dict
    steps: int
    wall_s: float
    stop_reason: str  # one of vocabulary.STOP_REASONS
    seeds: list[SeedResult]
    curve: list[CurvePoint] = field(default_factory=list)
    chance: dict = field(default_factory=dict)  # heuristics on the verdict set (see `chance_levels`)
    full_length_chance: dict | None = None  # the same on the full-length set
    plateau_since_step: int | None = None
    attention_example: dict | None = None  # the first seed's attention on one held-out example, at the end
    device: str = "cpu"  # where it trained ("cpu" or "cuda")
    cached: bool = False  # found in the cache rather than trained by this run (set by the depth search)
    training_compute: dict | None = None  # MACs and FLOPs spent on it (set by `assess`: see there)

    @property
    def depth(self) -> int:
        return self.config.depth

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.wall_s if self.wall_s > 0 else 0.0

    def to_dict(self) -> dict:
        """As JSON data: the depth first (what a reader of the cache checks), the fields, and `steps_per_s`."""
        data = asdict(self)
        added_later = {key: data.pop(key) for key in ("cached", "training_compute")}  # kept last, as report.json has them
        return {"depth": self.depth, **data, "steps_per_s": self.steps_per_s, **added_later}

    def weakest_by_hop(self) -> dict[int, float]:
        """The weakest seed's accuracy on the links of each lookup count, on the verdict set."""
        weakest: dict[int, float] = {}
        for seed in self.seeds:
            for hop, value in seed.verdict_set.accuracy_by_hop.items():
                weakest[hop] = min(value, weakest.get(hop, value))
        return weakest

    @classmethod
    def from_dict(cls, data: dict) -> "ProbeRun":
        seeds = [
            SeedResult(
                **{
                    **s,
                    "verdict_set": Evaluation.from_dict(s["verdict_set"]),
                    "check": Evaluation.from_dict(s["check"]),
                    "full_length": Evaluation.from_dict(s["full_length"]) if s.get("full_length") else None,
                }
            )
            for s in data["seeds"]
        ]
        curve = [CurvePoint.from_dict(c) for c in data["curve"]]
        fields = {k: v for k, v in data.items() if k not in ("depth", "seeds", "curve", "steps_per_s", "config", "settings")}
        return cls(**fields, config=ProbeConfig(**data["config"]), settings=TrainSettings(**data["settings"]), seeds=seeds, curve=curve)


def _hop_keys(d: dict) -> dict[int, float]:
    return {int(k): v for k, v in d.items()}


@dataclass
class DepthVerdict:
    """What one depth's probes show, read on the fresh verdict set (decide.verdict.judge); the words are in reports/words.py."""

    depth: int
    verdict: str  # a `vocabulary.Verdict`: one of TRAINED_VERDICTS, or for a depth not trained one of UNTRAINED_VERDICTS
    accuracy: float | None  # the weakest seed's question accuracy on the verdict set
    lower_bound: float | None  # its Wilson 95% lower bound: the figure checked against the target
    seeds_learned: int
    seeds: int
    length: int | None = None  # the probe's length, where the verdict is read
    questions: int | None = None  # questions per seed in the verdict set
    check_accuracy: float | None = None  # the weakest seed's question accuracy at the stop rule's last check
    full_length: int | None = None  # the task's length, where the probes trained shorter
    full_length_accuracy: float | None = None  # the weakest seed there
    full_length_lower_bound: float | None = None
    holds_at_full_length: bool | None = None  # whether every seed also meets the target at the task's length
    chance: float | None = None  # the best chain-ignoring heuristic on the question, on the verdict set
    chance_heuristic: str | None = None
    at_chance: bool = False  # the weakest seed is not clearly above that heuristic
    contradicts_bound: bool = False  # a seed met the target below the theoretical floor

