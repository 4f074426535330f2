"""Which probes to train: depths, seeds, the probed task's shape and length, width and training budget.

Derived from the spec and the bounds alone, with no torch import. The numbers that make probes learn on a
few CPU cores (the recipe) live in recipe.py; this module turns them and the task into a plan. Where the task file leaves `probe.sequence_length` at `auto`, the plan lists the
lengths to try (`LENGTH_LADDER`) and `assess` picks the longest whose steps fit the time budget on this
machine (`choose_length`); an explicit length is used as written.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

from feasibility.result.context import DepthBounds
from feasibility.plan.recipe import PROBE_WIDTH, PROBE_HEADS, PROBE_MLP_RATIO, TIED_FROM_HOPS, SYMBOL_POOL_FACTOR, KHOP_ALPHABET, BATCH_SIZE, LEARNING_RATE, WARMUP_STEPS, EVAL_EVERY, CHECK_QUESTIONS, VERDICT_QUESTIONS, FULL_LENGTH_COST, FULL_LENGTH_ERRORS, FULL_CHECK_QUESTIONS, FULL_CHECK_SPACING, SKIP_POSITIONS, LENGTH_SCALING
from feasibility.confidence import wilson_lower_bound
from feasibility.spec.layout import MAX_PROBE_LENGTH, minimum_length, symbols_used
from feasibility.spec.task import TaskSpec

LENGTH_LADDER = (32, 64, 128, 256, 512, 1024, MAX_PROBE_LENGTH)  # probe lengths `auto` tries, shortest first
STEP_OVERHEAD = 1.2  # running checks and head scores add about this much to the training steps' time
BUDGET_SHARE = 0.8  # `auto` plans the steps to take at most this share of the time budget: the clock is a safety net
MAX_AUTO_DEPTH = 8


@dataclass(frozen=True)
class ProbePlan:
    family: str
    hops: int
    curriculum: bool
    depths: tuple[int, ...]
    seeds: tuple[int, ...]
    task_sequence_length: int  # the task's length (at most MAX_PROBE_LENGTH): where the probes are judged in the end
    probe_sequence_length: int  # where the probes train
    symbols: int  # chained retrieval: size of the symbol pool (sized for the task's length); k-hop: alphabet size
    length_candidates: tuple[int, ...] = ()  # with `auto`: the lengths to try, shortest first (empty: explicit)
    length_choice: dict = field(default_factory=dict)  # how the probe length was chosen, with the step times measured
    width: int = PROBE_WIDTH
    heads: int = PROBE_HEADS
    mlp_ratio: int = PROBE_MLP_RATIO
    tied_head: bool = False
    batch_size: int = BATCH_SIZE
    learning_rate: float = LEARNING_RATE
    warmup_steps: int = WARMUP_STEPS
    eval_every: int = EVAL_EVERY
    check_questions: int = CHECK_QUESTIONS
    verdict_questions: int = VERDICT_QUESTIONS
    time_budget_s: float = 120.0
    max_steps: int = 3000
    target_accuracy: float = 0.99
    skip_positions: bool = SKIP_POSITIONS
    length_scaling: bool = LENGTH_SCALING
    lower_bound: int = 1  # the theory's floor (bounds.lower): with `depths: auto`, the depth below it is costed but not trained
    trains_below_bound: bool = False  # True where the task file lists its depths: every one listed is trained

    def trains(self, depth: int) -> bool:
        """Whether `depth` is trained: every depth the task file lists; with `auto`, those theory does not rule out
        (the one below the floor is there to cost, and to show the threshold in the table)."""
        return self.trains_below_bound or depth >= self.lower_bound

    @property
    def shortened(self) -> bool:
        """True when the probes train on a shorter input than the task's."""
        return self.probe_sequence_length < self.task_sequence_length

    @property
    def full_length_questions(self) -> int:
        """Questions per seed at the task's length: as many as FULL_LENGTH_COST verdict sets' worth of attention and
        projections, at least as many as can show the target (`questions_to_show`), at most VERDICT_QUESTIONS."""
        probe, task = step_cost(self.probe_sequence_length, self.width), step_cost(self.task_sequence_length, self.width)
        affordable = self.verdict_questions * FULL_LENGTH_COST * probe // task
        return min(self.verdict_questions, max(questions_to_show(self.target_accuracy), affordable))

    @property
    def full_check_questions(self) -> int:
        """Questions per seed of the running check at the task's length (FULL_CHECK_QUESTIONS, at least as many as can
        show the target, at most the verdict set's there)."""
        return min(self.full_length_questions, max(FULL_CHECK_QUESTIONS, questions_to_show(self.target_accuracy)))

    @property
    def full_length_check_every(self) -> int:
        """Steps between running checks at the task's length (made only once the probe's length passes): with every
        check at the probe's length where they cost no more than it, else every FULL_CHECK_SPACING checks."""
        task, probe = step_cost(self.task_sequence_length, self.width), step_cost(self.probe_sequence_length, self.width)
        ratio = self.full_check_questions * task / (self.check_questions * probe)
        return self.eval_every * (1 if ratio <= 1 else FULL_CHECK_SPACING)

    def with_length(self, length: int, choice: dict) -> "ProbePlan":
        return replace(self, probe_sequence_length=length, length_choice=choice)

    def shape(self, length: int | None = None):
        """The task generator this plan probes with, at the probe's length or at `length` (imports torch)."""
        from feasibility.plan.tasks import ChainedRetrieval, KHopInduction

        length = length or self.probe_sequence_length
        if self.family == "khop_induction":
            return KHopInduction(hops=self.hops, length=length, alphabet=self.symbols, curriculum=self.curriculum)
        return ChainedRetrieval(hops=self.hops, length=length, symbols=self.symbols, curriculum=self.curriculum)

    def full_shape(self):
        """The generator at the task's length, where the probes train shorter; None otherwise."""
        return self.shape(self.task_sequence_length) if self.shortened else None

    def to_dict(self) -> dict:
        derived = {"full_length_questions": self.full_length_questions, "full_check_questions": self.full_check_questions, "full_length_check_every": self.full_length_check_every}
        return {**asdict(self), "shortened": self.shortened, **derived}


def step_cost(length: int, width: int = PROBE_WIDTH) -> int:
    """What a probe step costs per layer and example, up to a constant: attention scores and mixing (T x T), then
    the projections (T x width); the ratio between two lengths is what step times are scaled by."""
    return length * (length + 4 * width)


def questions_to_show(target: float) -> int:
    """The fewest questions (a multiple of 8) on which FULL_LENGTH_ERRORS wrong answers still show `target` at the
    Wilson 95% lower bound (728 for 99%), at most VERDICT_QUESTIONS."""
    questions = 8
    while questions < VERDICT_QUESTIONS and wilson_lower_bound(questions - FULL_LENGTH_ERRORS, questions) < target:
        questions += 8
    return questions


def auto_depths(bounds: DepthBounds) -> tuple[int, ...]:
    """One depth below the lower bound (to show the threshold) up to the constructive upper bound."""
    low = max(1, bounds.lower - 1)
    high = min(max(bounds.upper, low + 1), MAX_AUTO_DEPTH)
    return tuple(range(low, high + 1))


def length_candidates(hops: int, task_length: int) -> tuple[int, ...]:
    """The probe lengths `auto` tries: the ladder's rungs that are shorter than the task (and long enough for its
    chains), then the task's own length (at most MAX_PROBE_LENGTH)."""
    shortest, longest = minimum_length(hops), min(task_length, MAX_PROBE_LENGTH)
    return tuple(length for length in LENGTH_LADDER if shortest <= length < longest) + (longest,)


def choose_length(plan: ProbePlan, seconds_per_step) -> ProbePlan:
    """The plan at the longest candidate length whose `max_steps` are predicted to fit BUDGET_SHARE of the time
    budget at the deepest planned depth, by `seconds_per_step(length)` (measured on this machine). The shortest
    candidate is taken even when it does not fit; then the clock may cut training short, and the verdict says so."""
    if not plan.length_candidates:
        return plan
    measured = []
    chosen = plan.length_candidates[0]
    for length in plan.length_candidates:
        seconds = seconds_per_step(length)
        predicted = plan.max_steps * seconds * STEP_OVERHEAD
        measured.append({"length": length, "seconds_per_step": seconds, "predicted_s": predicted})
        if predicted > BUDGET_SHARE * plan.time_budget_s:
            break
        chosen = length
    choice = {"rule": "auto", "depth": max(plan.depths), "max_steps": plan.max_steps, "time_budget_s": plan.time_budget_s, "measured": measured}
    return plan.with_length(chosen, choice)


def make_plan(spec: TaskSpec, bounds: DepthBounds) -> ProbePlan:
    """The probes to train for `spec`. With `probe.sequence_length: auto` the probe length is still to be chosen:
    it is set to the shortest candidate until `assess` measures which one fits the budget."""
    hops, task_length = spec.task.hops, min(spec.task.sequence_length, MAX_PROBE_LENGTH)
    explicit = spec.probe.sequence_length
    candidates = () if explicit else length_candidates(hops, task_length)
    if spec.task.kind == "khop_induction":
        symbols = KHOP_ALPHABET
    else:
        symbols = math.ceil(SYMBOL_POOL_FACTOR * symbols_used(hops, task_length))
    return ProbePlan(
        family=spec.task.kind,
        hops=hops,
        curriculum=spec.probe.curriculum,
        depths=spec.probe.depths or auto_depths(bounds),
        seeds=tuple(range(spec.probe.seeds)),
        task_sequence_length=task_length,
        probe_sequence_length=explicit or candidates[0],
        symbols=symbols,
        tied_head=hops >= TIED_FROM_HOPS,
        length_candidates=candidates,
        length_choice={"rule": "explicit"} if explicit else {},
        time_budget_s=spec.probe.time_budget_s,
        max_steps=spec.probe.max_steps,
        target_accuracy=spec.requirements.accuracy,
        lower_bound=bounds.lower,
        trains_below_bound=spec.probe.depths is not None,
    )
