"""A probe job as data: what goes into training one depth's probes, free of anything local.

A `ProbeJob` holds the task's shape, the probe's architecture (`ProbeConfig`), the training settings
(`TrainSettings`), the seeds and the device: plain frozen dataclasses of numbers and strings, so a job can
be hashed into a cache key (`run.cache.job_key`), written to JSON, pickled to another process or machine, and run there by
`probes.train.run_job`, which returns a typed `result.probes.ProbeRun`. No callbacks, files or torch objects live in it,
and this module does not import torch.

The recipe's numbers (width, heads, learning rate, batch, ...) live in `recipe.py` alone; the defaults here
refer to them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from feasibility.plan.probe_plan import ProbePlan
from feasibility.plan.recipe import EARLY_DECAY_STEPS, MUON_LR, OPTIMISER, PREVIOUS_TOKEN_START, near_task_length, AT_CHANCE_SHARE, BATCH_SIZE, CHECK_QUESTIONS, EVAL_EVERY, FULL_LENGTH_PASSES, LEARNING_RATE, PLATEAU_PATIENCE, VERDICT_QUESTIONS, WARMUP_STEPS, WEIGHT_DECAY, GRAD_CLIP

DISTANCE_BUCKETS = 16  # learned position biases per head: one per bucket of relative distance (probes/model.py)


@dataclass(frozen=True)
class ProbeConfig:
    """The architecture of a probe (or of the deployment model whose cost is measured)."""

    vocab_size: int
    sequence_length: int  # the training length: position buckets reach this far, and the last covers any beyond
    depth: int
    width: int
    heads: int
    mlp_ratio: int = 0  # hidden width of the MLP over the residual width; 0 builds an attention-only model
    ensemble: int = 1  # independent models trained side by side in one batched step
    tied_head: bool = False  # the output head reads the token embedding (GPT-2 style) instead of its own weight
    reach: int | None = None  # the longest input the position buckets are spaced for (the task's length); None: the training length
    length_scaling: bool = False  # q.k scaled per head by a learned s x log(keys in view) (probe.Attention), against dilution
    previous_token_start: float = 0.0  # each layer's first head starts with its distance-1 bias this much above the ALiBi-like start

    @property
    def position_reach(self) -> int:
        return self.reach or self.sequence_length


@dataclass(frozen=True)
class TrainSettings:
    target_accuracy: float
    max_steps: int
    time_budget_s: float  # a safety cap; when it binds, the verdict says the machine was too slow to judge
    batch_size: int = BATCH_SIZE
    learning_rate: float = LEARNING_RATE
    warmup_steps: int = WARMUP_STEPS
    weight_decay: float = WEIGHT_DECAY
    grad_clip: float = GRAD_CLIP
    eval_every: int = EVAL_EVERY
    check_questions: int = CHECK_QUESTIONS  # the running check the stop rule reads, per seed
    verdict_questions: int = VERDICT_QUESTIONS  # the fresh set the verdict is read on, per seed
    full_length: int | None = None  # the task's length, where the probes train shorter: judged there too
    full_length_questions: int = VERDICT_QUESTIONS
    plateau_patience: int = PLATEAU_PATIENCE  # evaluations without a PLATEAU_DROP fall in check loss before the run counts as flat
    threads: int | None = None
    skip_positions: bool = False  # train on skipped positions up to the probe's reach (train.skipped_positions)
    full_length_check_every: int = 0  # steps between running checks at the task's length (train.Trainer.check); 0: none
    full_length_passes: int = 1  # running checks in a row that must pass at the task's length before training stops
    full_check_questions: int = 0  # questions per seed of the running check at the task's length; 0: full_length_questions
    optimiser: str = OPTIMISER  # "adamw", or "muon": Muon for the hidden matrices, AdamW for the rest (probes/optim.py)
    muon_lr: float = MUON_LR
    position_lr: float | None = None  # the position biases' and length scales' rate; None: learning_rate
    decay_steps: int = 0  # once every seed passes at the probe's length, the rate decays to the floor over this many steps (train.learning_rate_factor); 0: the budget's cosine alone
    chance_share: float = 0.0  # a probe at chance on the question for this share of the step budget stops (Trainer.at_chance_long_enough); 0: never


@dataclass(frozen=True)
class ProbeJob:
    """All seeds of one depth, to be trained on `device` ("cpu" or "cuda")."""

    task: dict  # the probed task's shape: {"family": ..., and the fields of tasks.ChainedRetrieval or KHopInduction}
    config: ProbeConfig
    settings: TrainSettings
    seeds: tuple[int, ...]
    full_task: dict | None = None  # the task at its own length, where the probes train shorter
    device: str = "cpu"

    @property
    def depth(self) -> int:
        return self.config.depth

    def shape(self):
        """The task generator (imports torch)."""
        return task_shape(self.task)

    def full_shape(self):
        return task_shape(self.full_task) if self.full_task else None

    def on(self, device: str) -> "ProbeJob":
        return replace(self, device=device)

    def identity(self) -> dict:
        """The job as data, less its thread count: that follows how busy the machine is when a run starts
        (executors.free_cores), and a probe trained on one core is as good as one trained on two, so a rerun on a
        machine that is busier or quieter than before finds the finished probes and checkpoints all the same."""
        data = self.to_dict()
        return {**data, "settings": {k: v for k, v in data["settings"].items() if k != "threads"}}

    def to_dict(self) -> dict:
        return {**asdict(self), "seeds": list(self.seeds)}

    @classmethod
    def from_dict(cls, data: dict) -> "ProbeJob":
        return cls(
            task=dict(data["task"]),
            config=ProbeConfig(**data["config"]),
            settings=TrainSettings(**data["settings"]),
            seeds=tuple(data["seeds"]),
            full_task=dict(data["full_task"]) if data.get("full_task") else None,
            device=data.get("device", "cpu"),
        )


def plan_job(plan: ProbePlan, depth: int, device: str = "cpu", length: int | None = None) -> ProbeJob:
    """The job of `plan`'s probes of `depth`: all seeds, trained on `device`, at `length` (default: the plan's
    probe length; at another length, as `assess` times steps to choose one, it is not judged at the task's)."""
    shape, full = plan.shape(length), plan.full_shape()
    near = near_task_length(plan.task_sequence_length, plan.probe_sequence_length)  # by the plan's probe length, also where steps are timed at another
    settings = TrainSettings(
        target_accuracy=plan.target_accuracy,
        max_steps=plan.max_steps,
        time_budget_s=plan.time_budget_s,
        batch_size=plan.batch_size,
        learning_rate=plan.learning_rate,
        warmup_steps=plan.warmup_steps,
        eval_every=plan.eval_every,
        check_questions=plan.check_questions,
        verdict_questions=plan.verdict_questions,
        full_length=plan.task_sequence_length if plan.shortened else None,
        full_length_questions=plan.full_length_questions,
        skip_positions=plan.skip_positions and plan.shortened,
        full_length_check_every=plan.full_length_check_every,
        full_length_passes=FULL_LENGTH_PASSES,
        full_check_questions=plan.full_check_questions,
        chance_share=AT_CHANCE_SHARE,
        decay_steps=EARLY_DECAY_STEPS if near else 0,
    )
    reach = plan.task_sequence_length if plan.skip_positions and plan.shortened else None
    scaled = plan.length_scaling and plan.shortened
    config = ProbeConfig(shape.vocab_size, shape.sequence_length, depth, plan.width, plan.heads, plan.mlp_ratio, tied_head=plan.tied_head, reach=reach, length_scaling=scaled, previous_token_start=PREVIOUS_TOKEN_START if near else 0.0)
    judged_at_full = full is not None and length is None
    return ProbeJob(task=task_dict(shape), config=config, settings=settings, seeds=plan.seeds, full_task=task_dict(full) if judged_at_full else None, device=device)


def task_dict(shape) -> dict:
    """A task generator as data: its family and its fields."""
    return {"family": shape.family, **asdict(shape)}


def task_shape(task: dict):
    from feasibility.plan.tasks import ChainedRetrieval, KHopInduction

    fields = {k: v for k, v in task.items() if k != "family"}
    return KHopInduction(**fields) if task["family"] == "khop_induction" else ChainedRetrieval(**fields)
