"""Which probes to train: depths, seeds, the probed task's shape and length, width and training budget.

Derived from the spec and the bounds alone, with no torch import. The numbers that make probes learn on a
few CPU cores (the recipe) live here, each with the reason for it; docs/probe-recipe.md tells how they
were found.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from feasibility.bounds import DepthBounds
from feasibility.spec import TaskSpec

# The recipe. Measured on 2 CPU cores; see docs/probe-recipe.md.
PROBE_WIDTH = 64  # residual width of every probe
PROBE_HEADS = 4  # for 1-2 hops: four heads of 16 dims learned 2-hop chains in every seed
PROBE_HEADS_LONG_CHAINS = 2  # for 3+ hops: two heads of 32 dims learned 4-hop chains where four heads did not
PROBE_MLP_RATIO = 0  # attention-only probes: retrieval is done by attention, and the step is ~2x faster
MAX_CHAINS = 5  # target chain + 4 distractors: enough distraction, short enough to train in minutes
SYMBOL_POOL_FACTOR = 2  # symbol pool = 2x the symbols one example uses, so each example is a fresh draw
KHOP_ALPHABET = 8
KHOP_MAX_LENGTH = 48
BATCH_SIZE = 64
LEARNING_RATE = 3e-3
WARMUP_STEPS = 100
EVAL_EVERY = 50
EVAL_EXAMPLES = 512
MAX_AUTO_DEPTH = 8


@dataclass(frozen=True)
class ProbePlan:
    family: str
    hops: int
    curriculum: bool
    depths: tuple[int, ...]
    seeds: tuple[int, ...]
    task_sequence_length: int
    probe_sequence_length: int
    chains: int  # chained retrieval only (0 otherwise)
    symbols: int  # chained retrieval: size of the symbol pool; k-hop: alphabet size
    width: int = PROBE_WIDTH
    heads: int = PROBE_HEADS
    mlp_ratio: int = PROBE_MLP_RATIO
    batch_size: int = BATCH_SIZE
    learning_rate: float = LEARNING_RATE
    warmup_steps: int = WARMUP_STEPS
    eval_every: int = EVAL_EVERY
    eval_examples: int = EVAL_EXAMPLES
    time_budget_s: float = 120.0
    max_steps: int = 3000
    target_accuracy: float = 0.99

    @property
    def shortened(self) -> bool:
        """True when the probes train on a shorter input than the task's."""
        return self.probe_sequence_length < self.task_sequence_length

    def shape(self):
        """The task generator this plan probes with (imports torch)."""
        from feasibility.tasks import ChainedRetrieval, KHopInduction

        if self.family == "khop_induction":
            return KHopInduction(hops=self.hops, length=self.probe_sequence_length, alphabet=self.symbols, curriculum=self.curriculum)
        return ChainedRetrieval(hops=self.hops, chains=self.chains, symbols=self.symbols, curriculum=self.curriculum)

    def to_dict(self) -> dict:
        return {**asdict(self), "shortened": self.shortened}


def probe_heads(hops: int) -> int:
    """Attention heads of the probes for a task of `hops` hops (see the recipe)."""
    return PROBE_HEADS if hops <= 2 else PROBE_HEADS_LONG_CHAINS


def chained_length(hops: int, chains: int) -> int:
    """Tokens in a chained-retrieval probe: mixed chain lengths hops, hops, hops-1, ... then `? X`."""
    lengths = [hops] + [hops - i % hops for i in range(chains - 1)]
    return 2 * sum(lengths) + 2


def auto_depths(bounds: DepthBounds) -> tuple[int, ...]:
    """One depth below the lower bound (to show the threshold) up to the constructive upper bound."""
    low = max(1, bounds.lower - 1)
    high = min(max(bounds.upper, low + 1), MAX_AUTO_DEPTH)
    return tuple(range(low, high + 1))


def make_plan(spec: TaskSpec, bounds: DepthBounds) -> ProbePlan:
    """The probes to train for `spec`."""
    hops, task_length = spec.task.hops, spec.task.sequence_length
    available = spec.probe.sequence_length or task_length
    if spec.task.kind == "khop_induction":
        length = min(available, spec.probe.sequence_length or KHOP_MAX_LENGTH)
        chains, symbols = 0, KHOP_ALPHABET
    else:
        chains = 2
        while chains < MAX_CHAINS and chained_length(hops, chains + 1) <= available:
            chains += 1
        length = chained_length(hops, chains)
        symbols = SYMBOL_POOL_FACTOR * chains * (hops + 1)
    return ProbePlan(
        family=spec.task.kind,
        hops=hops,
        curriculum=spec.probe.curriculum,
        depths=spec.probe.depths or auto_depths(bounds),
        seeds=tuple(range(spec.probe.seeds)),
        task_sequence_length=task_length,
        probe_sequence_length=length,
        chains=chains,
        symbols=symbols,
        heads=probe_heads(hops),
        time_budget_s=spec.probe.time_budget_s,
        max_steps=spec.probe.max_steps,
        target_accuracy=spec.requirements.accuracy,
    )
