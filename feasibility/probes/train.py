"""Training the probes: all seeds of one depth in one batched step, a running check that may stop training, a
fresh evaluation that judges it, and a verdict per depth.

The decisive figure is the question itself: the `? X` that needs D lookups (the last position of a k-hop
example with m = K). Easier links are the curriculum and the learning curves; they never stop training.

Stopping bias is kept out of the verdict: the stop rule looks at a *check* set every `eval_every` steps and
may stop as soon as every seed passes there; once training has stopped, every seed is evaluated on a *verdict*
set that the stop rule never saw (a disjoint part of example space, at least 4,096 questions per seed), and
the verdict is read there, with the example (one question each) as the unit of the confidence bound. Where
the probes trained shorter than the task, the same probes are also evaluated at the task's length.

Budgets are in steps: the step cap sets the learning-rate schedule and the plateau rule, so a verdict does not
depend on how fast the machine is. The clock is a safety net; when it binds, the verdict says the machine was
too slow to judge, never "not learned".
"""

from __future__ import annotations

import errno
import math
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from feasibility.probes.heads import chain_positions, inspection_batch, scores_by_layer, target_masks
from feasibility.plan.jobs import ProbeConfig, ProbeJob, TrainSettings, task_dict
from feasibility.plan.probe_plan import questions_to_show
from feasibility.probes.optim import ProbeOptimiser
from feasibility.plan.recipe import CHANCE_LOSS_DROP, CHECK_SEED, FULL_CHECK_SEED, FULL_VERDICT_SEED, LR_FLOOR, PLATEAU_DROP, VERDICT_SEED
from feasibility.probes.model import ProbeModel, attention_patterns, pattern_hook
from feasibility.confidence import wilson_lower_bound
from feasibility.result.probes import CurvePoint, Evaluation, ProbeRun, SeedResult
from feasibility.vocabulary import Stop
from feasibility.plan.tasks import IGNORE, Batch, TaskShape, draw

__all__ = ["ProbeJob", "TrainSettings", "Trainer", "run_job", "train_probes"]  # TrainSettings: benchmarks/throughput_worker.py reads it here in old commits too

CHECKPOINT_EVERY = 250  # steps between checkpoints of a probe in training (a few seconds to a minute of work here)
# Attention scores (E x B x heads x T x T floats) held at once. On the CPU small parts stay in cache: evaluating
# with 2**26 took 1.5x as long as with 2**20 at 128 tokens and 4x at 32; in training, parts of 16 examples at
# 128 tokens (3 seeds: 3.1M scores) were 1.36x faster than the whole batch and parts of 4 slower again; 2**22
# keeps the whole batch at 32 tokens and gives parts of 21 at 128. On a GPU the limit only bounds memory.
EVAL_SCORE_ELEMENTS = {"cpu": 2**20, "cuda": 2**27}
TRAIN_SCORE_ELEMENTS = {"cpu": 2**22, "cuda": 2**28}
DATA_STEPS = 4  # training batches drawn at once per seed: 256 examples cost 0.43 ms per 64 to draw, 64 alone 0.87 ms
CHECK_SUBSET = 4  # a running check reads the first quarter of the check set first, and the rest only when every
# live seed could still pass there: the stop rule decides exactly as on the whole set, at a quarter of the cost
SKIP_GROUPS = 8  # skipped-position training: the examples of a pass in up to this many groups, each with its own gap
FULL_CHECK_BACKOFF = 8  # a failed running check at the task's length doubles the spacing to the next, up to 8x: at the
# example's 128 tokens one that read its whole set took 8.5-9.4 s, as long as about 170 training steps (longer inputs
# cost more), and a probe far from passing there needs no check every 100 steps


@dataclass(frozen=True)
class Progress:
    """One progress report from a running probe, for a progress bar."""

    depth: int
    step: int
    max_steps: int
    elapsed_s: float
    time_budget_s: float
    decisive_accuracy: float | None = None  # the weakest live seed's question accuracy on the running check

    @property
    def remaining_s(self) -> float | None:
        """Seconds to the step cap at the pace so far, at most what the clock cap leaves (training may also end
        sooner, when every seed meets the target); None before the first step."""
        if self.step <= 0:
            return None
        at_this_pace = (self.max_steps - self.step) * self.elapsed_s / self.step
        return max(0.0, min(at_this_pace, self.time_budget_s - self.elapsed_s))


def _stack(batches: list[Batch]) -> Batch:
    """E batches of (B, T) into one batch of (E, B, T)."""
    return Batch(*(torch.stack([getattr(b, name) for b in batches]) for name in Batch.FIELDS))


def _initialise(config: ProbeConfig, seeds: list[int]) -> ProbeModel:
    """An ensemble whose member e is initialised exactly as a single model built under seed e."""
    model = ProbeModel(config)
    single = ProbeConfig(**{**asdict(config), "ensemble": 1})
    for member, seed in enumerate(seeds):
        torch.manual_seed(seed)
        one = ProbeModel(single)
        with torch.no_grad():
            for (_, mine), (_, theirs) in zip(model.named_parameters(), one.named_parameters()):
                mine[member].copy_(theirs[0])
    return model


def _loss_sums(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Summed cross-entropy over supervised positions, one value per ensemble member: (E,)."""
    ensemble = logits.shape[0]
    losses = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE, reduction="none")
    return losses.view(ensemble, -1).sum(-1)


def _loss_per_member(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over supervised positions, one value per ensemble member: (E,)."""
    counts = (targets.reshape(targets.shape[0], -1) != IGNORE).sum(-1).clamp(min=1)
    return _loss_sums(logits, targets) / counts


@torch.no_grad()
def evaluate(model: ProbeModel, held_out: Batch, hops: int) -> list[Evaluation]:
    """Question accuracy and link accuracy by lookups on `held_out` (E, B, T), one Evaluation per member."""
    model.eval()
    ensemble, examples, length = held_out.tokens.shape
    device = held_out.tokens.device
    chunk = max(1, EVAL_SCORE_ELEMENTS[_kind(device)] // (ensemble * model.config.heads * length * length))
    correct = torch.zeros(ensemble, hops + 1, device=device)
    total = torch.zeros(ensemble, hops + 1, device=device)
    answered = torch.zeros(ensemble, device=device)
    questions = torch.zeros(ensemble, device=device)
    loss_sum = torch.zeros(ensemble, device=device)
    for start in range(0, examples, chunk):
        part = slice(start, start + chunk)
        tokens, targets = held_out.tokens[:, part], held_out.targets[:, part]
        hop_tags, is_query = held_out.hops[:, part], held_out.is_query[:, part]
        logits = model(tokens)
        loss_sum += _loss_per_member(logits, targets) * tokens.shape[1]
        hit = (logits.argmax(-1) == targets) & (targets != IGNORE)
        links = (targets != IGNORE) & ~is_query
        for hop in range(1, hops + 1):
            at_hop = links & (hop_tags == hop)
            correct[:, hop] += (hit & at_hop).flatten(1).sum(-1)
            total[:, hop] += at_hop.flatten(1).sum(-1)
        answered += (hit & is_query).flatten(1).sum(-1)
        questions += is_query.flatten(1).sum(-1)
    model.train()
    correct, total, answered, questions, loss_sum = (t.cpu() for t in (correct, total, answered, questions, loss_sum))
    results = []
    for e in range(ensemble):
        right, asked = int(answered[e]), int(questions[e])
        results.append(
            Evaluation(
                length=length,
                questions=asked,
                answered=right,
                query_accuracy=right / asked if asked else 0.0,
                lower_bound=wilson_lower_bound(right, asked),
                accuracy_by_hop={h: (correct[e, h] / total[e, h]).item() for h in range(1, hops + 1) if total[e, h] > 0},
                links_by_hop={h: int(total[e, h]) for h in range(1, hops + 1) if total[e, h] > 0},
                loss=(loss_sum[e] / examples).item(),
            )
        )
    return results


def chance_levels(shape: TaskShape, batch: Batch) -> dict:
    """How well guessers that ignore the chain answer on `batch` (B, T): per named heuristic, the question and the
    links by lookups; and the best of them on the question, by name, which is the level a probe must beat."""
    links = (batch.targets != IGNORE) & ~batch.is_query
    heuristics = {}
    for name, right in shape.heuristics(batch).items():
        by_hop = {}
        for hop in range(1, shape.hops + 1):
            at_hop = links & (batch.hops == hop)
            if at_hop.any():
                by_hop[hop] = right[at_hop].mean().item()
        query = right[batch.is_query].mean().item() if batch.is_query.any() else 0.0
        heuristics[name] = {"query": query, "by_hop": by_hop}
    best = max(heuristics, key=lambda name: heuristics[name]["query"])
    ceiling = {hop: max(h["by_hop"].get(hop, 0.0) for h in heuristics.values()) for hop in range(1, shape.hops + 1)}
    return {"length": shape.sequence_length, "heuristics": heuristics, "best": best, "query": heuristics[best]["query"], "by_hop": ceiling}


@dataclass
class _Loop:
    """Everything the training loop changes besides the model, the optimiser and the data streams: with those,
    what a checkpoint holds."""

    alive: torch.Tensor  # (E,) bool: seeds that have not diverged
    reached: list[int | None]  # first running check at which each seed passed
    last_train_loss: list[float]
    step: int = 0
    elapsed_s: float = 0.0  # training seconds before this process (a resumed run counts its earlier time)
    checked_step: int = -1  # the last step whose running check is in the curve
    full_checked_step: int | None = None  # the last step of a running check at the task's length
    full_passes: int = 0  # running checks in a row that passed at the task's length
    full_spacing: int = 0  # steps to the next running check at the task's length (0: the settings' spacing)
    full_check_s: float = 0.0  # seconds spent on running checks at the task's length: not counted against the clock cap
    passed_short: bool = False  # every live seed passed the latest running check at the probe's length
    decay_from: int | None = None  # the step from which the rate decays early (TrainSettings.decay_steps): the first at which every live seed passed
    above_chance_step: int | None = None  # the first running check at which some live seed was clearly above chance
    curve: list[CurvePoint] = field(default_factory=list)
    last_check: list[Evaluation] = field(default_factory=list)  # the latest running check, one per seed
    best_loss: float = math.inf
    best_step: int = 0
    initial_loss: torch.Tensor | None = None

    def to_state(self) -> dict:
        return {**asdict(self), "alive": self.alive, "initial_loss": self.initial_loss}

    @classmethod
    def from_state(cls, state: dict) -> "_Loop":
        return cls(**{**state, "curve": [CurvePoint.from_dict(c) for c in state["curve"]], "last_check": [Evaluation.from_dict(e) for e in state["last_check"]]})


def micro_batch(config: ProbeConfig, members: int, batch: int, device: str) -> int:
    """Examples per forward/backward pass in training: the batch is split so that one pass holds at most
    TRAIN_SCORE_ELEMENTS[device] attention scores (gradients are summed over the parts, so the step is the same
    step). On the CPU, tensors that stay in cache are what make long inputs fast: at 128 tokens, parts of 16
    examples trained 1.36x faster than the whole batch of 64 (2 cores)."""
    per_example = members * config.heads * config.sequence_length**2
    return max(1, min(batch, TRAIN_SCORE_ELEMENTS[_kind(device)] // per_example))


def _kind(device: str | torch.device) -> str:
    return "cuda" if torch.device(device).type == "cuda" else "cpu"


MAX_CHECKPOINT_BYTES = 1 << 30  # a probe's checkpoint (model, optimiser, streams) is a few MB


class DamagedCheckpoint(ValueError):
    """A checkpoint that cannot be resumed from; the message says why, in a few words."""


def read_checkpoint(path: Path, job: ProbeJob, device: str | torch.device = "cpu") -> dict:
    """The training state saved at `path` for `job`, mapped to `device`; DamagedCheckpoint when there is none to
    resume from. Only a regular file of bounded size is read, never through a link."""
    import io

    from feasibility.files import read_regular

    try:
        raw = read_regular(path, MAX_CHECKPOINT_BYTES)
    except FileNotFoundError:
        raise DamagedCheckpoint("is not there") from None
    except OSError as error:
        raise DamagedCheckpoint("is not a regular file" if error.errno in (errno.ELOOP, errno.EINVAL) else f"cannot be read ({error.strerror or error})") from None
    try:
        state = torch.load(io.BytesIO(raw), weights_only=True, map_location=device)
    except Exception:  # noqa: BLE001 - truncated, empty, random bytes: torch raises many kinds
        raise DamagedCheckpoint("is not a readable checkpoint (truncated or damaged)") from None
    if not isinstance(state, dict) or not {"identity", "loop", "model", "optimiser", "streams", "skip_stream", "pending"} <= state.keys():
        raise DamagedCheckpoint("does not hold a training state")
    if state["identity"] != job.identity() or not isinstance(state["streams"], list) or len(state["streams"]) != len(job.seeds):
        raise DamagedCheckpoint("belongs to another job")
    return state


def inspect_checkpoint(path: Path, job: ProbeJob) -> tuple[int | None, str | None]:
    """(the step it was saved at, None) where `path` holds a checkpoint `job` can resume from, else (None, why not):
    read and fitted to a fresh model of the job on the CPU, as `Trainer.load` will, without drawing any data."""
    try:
        state = read_checkpoint(path, job)
        try:
            loop = _Loop.from_state(state["loop"])
            model = _initialise(replace(job.config, ensemble=len(job.seeds)), list(job.seeds))
            model.load_state_dict(state["model"])
        except Exception:  # noqa: BLE001 - a wrong-shaped state raises from several places
            raise DamagedCheckpoint("does not fit this job's model") from None
    except DamagedCheckpoint as problem:
        return None, str(problem)
    return loop.step, None


class Stepper:
    """What a training step needs and nothing more: the model (all seeds of one job as one ensemble), the optimiser,
    the data streams and the loop's state, on the job's device. `Trainer` adds the evaluation sets and the stop rule;
    `seconds_per_step` times steps on a Stepper alone, so choosing the probe length draws no evaluation sets."""

    def __init__(self, job: ProbeJob):
        settings = job.settings
        self.job, self.settings = job, settings
        self.shape = job.shape()
        self.device = torch.device(job.device)
        self.seeds = list(job.seeds)
        self.members = len(self.seeds)
        self.config = replace(job.config, ensemble=self.members)
        self.model = _initialise(self.config, self.seeds).to(self.device)
        self.optimiser = ProbeOptimiser(self.model, settings.optimiser, settings.learning_rate, settings.weight_decay, settings.muon_lr, settings.position_lr)
        self.streams = [torch.Generator(self.device).manual_seed(seed) for seed in self.seeds]  # training data is made on the device
        # the gaps of skipped-position training, the same for every device (drawn on the CPU)
        self.skip_stream = torch.Generator().manual_seed(50_021 + sum(self.seeds))
        self.pending: list[Batch | None] = [None] * self.members  # drawn training examples not used yet, per seed
        self.micro = micro_batch(self.config, self.members, settings.batch_size, job.device)
        self.loop = _Loop(alive=torch.ones(self.members, dtype=torch.bool, device=self.device), reached=[None] * self.members, last_train_loss=[math.nan] * self.members)

    def step(self) -> bool:
        """One optimiser step of every live seed; False when no seed is left alive (and nothing was updated)."""
        loop, settings = self.loop, self.settings
        batch = self.next_batch()
        supervised = (batch.targets != IGNORE).flatten(1).sum(-1).clamp(min=1)  # (E,)
        self.optimiser.zero_grad()
        losses = torch.zeros(self.members, device=self.device)
        for start in range(0, settings.batch_size, self.micro):
            part = slice(start, start + self.micro)
            tokens = batch.tokens[:, part]
            positions = self.skipped_positions(tokens.shape[1]) if settings.skip_positions else None
            logits, targets = self._supervised_logits(tokens, batch.targets[:, part], positions)
            part_losses = _loss_sums(logits, targets) / supervised
            torch.where(loop.alive, part_losses, torch.zeros_like(part_losses)).sum().backward()
            losses += part_losses.detach()
        if loop.initial_loss is None:
            loop.initial_loss = losses.clone()
        blown = ~torch.isfinite(losses) | ((loop.step > settings.warmup_steps) & (losses > 3 * loop.initial_loss))
        loop.alive &= ~blown
        if not loop.alive.any():
            return False
        _clip_per_member(self.model, loop.alive, settings.grad_clip)  # also zeroes the seeds that just diverged
        self.optimiser.set_lr(learning_rate_factor(loop.step, settings, loop.decay_from))
        self.optimiser.step()
        alive = loop.alive.tolist()
        loop.last_train_loss = [v if alive[e] else math.nan for e, v in enumerate(losses.tolist())]
        loop.step += 1
        return True

    def next_batch(self) -> Batch:
        """The next training batch of every seed, (E, B, T), from examples drawn DATA_STEPS batches at a time."""
        size, parts = self.settings.batch_size, []
        for e, stream in enumerate(self.streams):
            if self.pending[e] is None or len(self.pending[e]) < size:
                self.pending[e] = draw(self.shape, size * DATA_STEPS, stream, "train")
            parts.append(self.pending[e].rows(0, size))
            self.pending[e] = self.pending[e].rows(size, None)
        return _stack(parts)

    def skipped_positions(self, examples: int) -> torch.Tensor:
        """Position ids (G, T) for a pass of `examples`: see `skipped_positions`."""
        groups = max(g for g in range(1, SKIP_GROUPS + 1) if examples % g == 0)
        return skipped_positions(self.shape, self.config.position_reach, groups, self.skip_stream).to(self.device)

    def _supervised_logits(self, tokens: torch.Tensor, targets: torch.Tensor, positions: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The output head on the supervised positions only (E, K, vocab), with their targets (E, K): K is the most
        any seed has, and the others' extra rows carry no label. Chained retrieval supervises about half of
        the positions, so the head's matrix product and the loss cost half as much."""
        hidden = self.model.hidden(tokens, positions)  # (E, N, C)
        targets = targets.reshape(self.members, -1)
        labelled = targets != IGNORE
        most = int(labelled.sum(-1).max())
        rows = labelled.to(torch.int8).argsort(dim=1, descending=True, stable=True)[:, :most]  # labelled rows first
        picked = hidden.gather(1, rows.unsqueeze(-1).expand(-1, -1, hidden.shape[-1]))
        return self.model.logits(picked), targets.gather(1, rows)


class Trainer(Stepper):
    """One job's probes in training: a `Stepper` with the running checks, the stop rules and the fresh evaluation.
    `train` runs until a stop rule ends it; `save` and `load` write and read a checkpoint of all of it; `result`
    judges the probes on fresh examples."""

    def __init__(self, job: ProbeJob, clock: Callable[[], float] = time.perf_counter):
        super().__init__(job)
        settings = self.settings
        self.clock, self.full_shape = clock, job.full_shape()
        # Evaluation sets are drawn on the CPU, so every device is judged on the very same examples.
        check = [draw(self.shape, 0, torch.Generator().manual_seed(CHECK_SEED + seed), "check", queries=settings.check_questions) for seed in self.seeds]
        self.check_set = _stack_sets(check).to(self.device)
        self.allowed_errors = [allowed_errors(int(n), settings.target_accuracy) for n in self.check_set.is_query.flatten(1).sum(-1).tolist()]
        self.check_chance = chance_levels(self.shape, check[0])["query"]  # what guessing earns on the check set's questions
        self.full_check_set = None  # where the probes train shorter: the running check at the task's length too
        if self.full_shape is not None and settings.full_length_check_every:
            full = [_questions_only(draw(self.full_shape, 0, torch.Generator().manual_seed(FULL_CHECK_SEED + seed), "check", queries=settings.full_check_questions or settings.full_length_questions)) for seed in self.seeds]
            self.full_check_set = _stack_sets(full).to(self.device)
            self.full_allowed_errors = [allowed_errors(int(n), settings.target_accuracy) for n in self.full_check_set.is_query.flatten(1).sum(-1).tolist()]
        self.inspected = inspection_batch(self.shape).tokens
        self.masks = {kind: mask.to(self.device) for kind, mask in target_masks(self.shape, self.inspected).items()}
        self.started = clock()

    def elapsed(self) -> float:
        return self.clock() - self.started

    def budgeted(self) -> float:
        """The seconds the clock cap counts: training and the checks at the probe's length, not the running checks at
        the task's length (at 2,048 tokens each took 21-24 s, and counted, they cut root-cause-sensor's depth 3 short
        at step 2,650 of 3,000 in 0.5.0's first run)."""
        return self.elapsed() - self.loop.full_check_s

    # -- checkpoints ------------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the whole training state at a step boundary, atomically (a unique temporary file, then a rename)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.loop.elapsed_s = self.elapsed()
        state = {
            "identity": self.job.identity(),
            "loop": self.loop.to_state(),
            "model": self.model.state_dict(),
            "optimiser": self.optimiser.state_dict(),
            "streams": [stream.get_state() for stream in self.streams],
            "skip_stream": self.skip_stream.get_state(),
            "pending": [[getattr(b, name) for name in Batch.FIELDS] if b is not None else None for b in self.pending],
        }
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        torch.save(state, temporary)
        temporary.replace(path)

    def load(self, path: Path) -> bool:
        """Restore the state saved at `path`; False (and nothing restored) when there is no usable checkpoint: a
        damaged one, or one of another job, is ignored and training starts over (`inspect_checkpoint` says why)."""
        try:
            state = read_checkpoint(path, self.job, self.device)
            loop = _Loop.from_state(state["loop"])  # everything is read before anything is restored
            self.model.load_state_dict(state["model"])
            self.optimiser.load_state_dict(state["optimiser"])
            for stream, saved in zip(self.streams, state["streams"], strict=True):
                stream.set_state(saved.cpu())
            self.skip_stream.set_state(state["skip_stream"].cpu())
            self.pending = [Batch(*saved).to(self.device) if saved is not None else None for saved in state["pending"]]
        except Exception:  # noqa: BLE001 - any unreadable checkpoint means: start over, never a crash
            return False
        self.loop = loop
        self.loop.alive = self.loop.alive.to(self.device)
        self.started = self.clock() - loop.elapsed_s
        return True

    @torch.no_grad()
    def look_inside(self) -> dict[str, torch.Tensor]:
        self.model.eval()
        patterns = attention_patterns(self.model, self.inspected.to(self.device).expand(self.members, -1, -1))
        self.model.train()
        return patterns

    def check(self, on_progress: Callable[[Progress], None] | None = None) -> bool:
        """Evaluate on the check set and add a point to the curve; True when every live seed has met the target,
        at the probe's length and, where the probes train shorter, at the task's length too."""
        loop, settings = self.loop, self.settings
        live = [e for e, alive in enumerate(loop.alive.tolist()) if alive]
        results = self._running_check(self.check_set, self.allowed_errors, live)
        loop.last_check = results
        loop.checked_step = loop.step
        for e in live:
            if results[e].lower_bound >= settings.target_accuracy and loop.reached[e] is None:
                loop.reached[e] = loop.step
        met = bool(live) and all(results[e].lower_bound >= settings.target_accuracy for e in live)
        loop.passed_short = met
        if met and settings.decay_steps and loop.decay_from is None:
            loop.decay_from = loop.step
        if loop.above_chance_step is None and any(results[e].lower_bound > self.check_chance for e in live):
            loop.above_chance_step = loop.step
        full = None
        if self.full_check_set is not None:
            spacing = loop.full_spacing or settings.full_length_check_every
            due = loop.full_checked_step is None or loop.step - loop.full_checked_step >= spacing
            if loop.decay_from is not None and settings.decay_steps:  # where the early decay has ended, check there at once
                settled = loop.decay_from + settings.decay_steps
                due = due or (loop.step >= settled and loop.full_checked_step < settled)
            if met and due:  # judged at the task's length only once the probe's length passes: until then it cannot stop
                started = self.clock()
                full = self._running_check(self.full_check_set, self.full_allowed_errors, live)
                loop.full_check_s += self.clock() - started
                loop.full_checked_step = loop.step
                passed = all(full[e].lower_bound >= settings.target_accuracy for e in live)
                loop.full_passes = loop.full_passes + 1 if passed else 0
                base = settings.full_length_check_every
                loop.full_spacing = base if passed else min(2 * spacing, FULL_CHECK_BACKOFF * base)
            elif not met:
                loop.full_passes = 0
            met = met and due and loop.full_passes >= settings.full_length_passes
        scores = scores_by_layer(self.look_inside(), self.masks)
        loop.curve.append(
            CurvePoint(
                loop.step, self.elapsed(), list(loop.last_train_loss), [r.loss for r in results], [r.accuracy_by_hop for r in results], [r.query_accuracy for r in results], scores,
                full_length_accuracy=[r.query_accuracy for r in full] if full else None,
            )
        )
        live_loss = sum(results[e].loss for e in live) / max(1, len(live))
        if live_loss < loop.best_loss * (1 - PLATEAU_DROP):
            loop.best_loss, loop.best_step = live_loss, loop.step
        if on_progress:
            shown = [results[e].query_accuracy for e in live]
            on_progress(Progress(self.config.depth, loop.step, settings.max_steps, self.budgeted(), settings.time_budget_s, min(shown) if shown else None))
        return met

    def at_chance_long_enough(self) -> bool:
        """True once no seed has been clearly above chance on the question (its Wilson lower bound over what guessing
        earns) at any running check for `chance_share` of the step budget, and the check loss fell by less than
        CHANCE_LOSS_DROP over the last quarter of it: the links it can learn are learned, and nothing points to
        the question coming next. A probe whose question has risen above chance once, in any seed, is never stopped
        by this rule. Measured on the example (docs/probe-recipe.md): depth 3 rose above chance by step 700 of 2,000;
        depth 2 stayed at chance for all 2,000, its loss falling 10.7%, 4.7% and 2.2% in the quarters after step 500."""
        loop, settings = self.loop, self.settings
        if not settings.chance_share or loop.above_chance_step is not None or loop.step < settings.chance_share * settings.max_steps:
            return False
        quarter = settings.max_steps / 4
        then = [point for point in loop.curve if point.step <= loop.step - quarter]
        if not then:
            return False
        live = [e for e, alive in enumerate(loop.alive.tolist()) if alive]
        before, now = (sum(point.held_out_loss[e] for e in live) / max(1, len(live)) for point in (then[-1], loop.curve[-1]))
        return now > before * (1 - CHANCE_LOSS_DROP)

    def _running_check(self, checked: Batch, allowed: list[int], live: list[int]) -> list[Evaluation]:
        """One running check on `checked` (E, B, T): its first quarter first, and the whole set only when every live
        seed could still pass there (at most `allowed[e]` wrong), so the decision is the whole set's."""
        subset = Batch(*(getattr(checked, name)[:, : -(-checked.tokens.shape[1] // CHECK_SUBSET)] for name in Batch.FIELDS))
        results = evaluate(self.model, subset, self.shape.hops)
        if live and all(results[e].questions - results[e].answered <= allowed[e] for e in live):
            results = evaluate(self.model, checked, self.shape.hops)
        return results

    def train(self, on_progress: Callable[[Progress], None] | None = None, checkpoint: Path | None = None, checkpoint_every: int = CHECKPOINT_EVERY) -> str:
        """Train until a stop rule ends it; return the stop reason. With `checkpoint`, the state is saved there
        every `checkpoint_every` steps."""
        loop, settings = self.loop, self.settings
        self.model.train()
        while True:
            step = loop.step
            if step % settings.eval_every == 0 and step > loop.checked_step and self.check(on_progress):
                return Stop.TARGET_MET
            if step >= settings.max_steps:
                return Stop.STEP_CAP
            if self.budgeted() >= settings.time_budget_s:
                return Stop.TIME_BUDGET
            # A plateau ends the run only once it is long in every sense: `plateau_patience` evaluations, half of
            # the steps so far, and a quarter of the step budget (heads can emerge late after a long plateau).
            # While the probe's length passes and the task's does not yet, the check loss is near its floor and
            # tells nothing of the longer inputs: the run goes on to the step cap.
            evaluations_flat = (step - loop.best_step) // settings.eval_every
            if step > 0 and not loop.passed_short and evaluations_flat >= settings.plateau_patience and step - loop.best_step >= step // 2 and step >= settings.max_steps / 4:
                return Stop.PLATEAU
            if self.at_chance_long_enough():
                return Stop.AT_CHANCE
            if checkpoint and step > 0 and step % checkpoint_every == 0:
                self.save(checkpoint)
            if not self.step():
                return Stop.DIVERGED

    def result(self, stop_reason: str) -> ProbeRun:
        """The run, judged on fresh examples that neither training nor the stop rule saw (and at the task's
        length, where the probes trained shorter)."""
        loop, settings, shape, seeds = self.loop, self.settings, self.shape, self.seeds
        step, wall = loop.step, self.elapsed()
        if not loop.curve or loop.curve[-1].step != step:
            self.check()
        verdict_sets = [draw(shape, 0, torch.Generator().manual_seed(VERDICT_SEED + seed), "verdict", queries=settings.verdict_questions) for seed in seeds]
        fresh = _evaluate_each(self.model, verdict_sets, shape.hops)
        chance = chance_levels(shape, verdict_sets[0])
        full, full_chance = [None] * self.members, None
        if self.full_shape is not None:
            count = full_length_count(any(e.lower_bound >= settings.target_accuracy for e in fresh), settings)
            full_sets = [_questions_only(draw(self.full_shape, 0, torch.Generator().manual_seed(FULL_VERDICT_SEED + seed), "verdict", queries=count)) for seed in seeds]
            full = _evaluate_each(self.model, full_sets, shape.hops)
            full_chance = chance_levels(self.full_shape, full_sets[0])
        alive = loop.alive.tolist()
        results = [SeedResult(seed, fresh[e], loop.last_check[e], full[e], loop.reached[e], not alive[e]) for e, seed in enumerate(seeds)]
        plateau = loop.best_step if step - loop.best_step >= settings.plateau_patience * settings.eval_every else None
        patterns = self.look_inside()
        example = self.inspected[0].tolist()
        attention = {
            "seed": seeds[0],
            "tokens": example,
            "chain_positions": chain_positions(shape, example),
            "patterns": [[[[round(v, 3) for v in row] for row in head] for head in patterns[pattern_hook(i)][0, 0].tolist()] for i in range(self.config.depth)],
        }
        return ProbeRun(
            config=replace(self.config, ensemble=1),
            settings=settings,
            task={"family": shape.family, **asdict(shape), "sequence_length": shape.sequence_length, "vocab_size": shape.vocab_size},
            steps=step,
            wall_s=wall,
            stop_reason=stop_reason,
            seeds=results,
            curve=loop.curve,
            chance=chance,
            full_length_chance=full_chance,
            plateau_since_step=plateau,
            attention_example=attention,
            device=self.device.type,
        )


def run_job(
    job: ProbeJob,
    on_progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
    checkpoint: Path | None = None,
    checkpoint_every: int = CHECKPOINT_EVERY,
) -> ProbeRun:
    """Train one job's probes (all seeds of one depth, in one batched step) and judge them on fresh examples.

    With `checkpoint`, the training state is saved there every `checkpoint_every` steps, and a run that finds a
    checkpoint of the same job resumes from it: on the CPU it reaches the very figures of an uninterrupted run."""
    if job.settings.threads:
        torch.set_num_threads(job.settings.threads)
    trainer = Trainer(job, clock)
    if checkpoint:
        trainer.load(checkpoint)
    return trainer.result(trainer.train(on_progress, checkpoint, checkpoint_every))


def train_probes(
    shape: TaskShape,
    config: ProbeConfig,
    seeds: list[int],
    settings: TrainSettings,
    on_progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
    full_shape: TaskShape | None = None,
    checkpoint: Path | None = None,
    checkpoint_every: int = CHECKPOINT_EVERY,
    device: str = "cpu",
) -> ProbeRun:
    """`run_job` for the job made of these pieces."""
    job = ProbeJob(task_dict(shape), config, settings, tuple(seeds), task_dict(full_shape) if full_shape is not None else None, device)
    return run_job(job, on_progress, clock, checkpoint, checkpoint_every)


def _stack_sets(sets: list[Batch]) -> Batch:
    """One set per member into (E, B, T). Sets drawn to a count of questions (k-hop) differ in rows: the shorter
    ones are padded with copies of their first rows that carry no labels, so every member keeps all its questions."""
    rows = max(len(s) for s in sets)
    padded = []
    for one in sets:
        extra = one.select(torch.arange(rows - len(one), device=one.tokens.device) % len(one))
        extra.targets.fill_(IGNORE)
        extra.is_query.fill_(False)
        padded.append(Batch.concat([one, extra]) if len(extra) else one)
    return _stack(padded)


def _questions_only(batch: Batch) -> Batch:
    """The examples that hold a question: at the task's length only the question is judged, so the rest is not run."""
    return batch.select(batch.is_query.any(1).nonzero().squeeze(1))


def _evaluate_each(model: ProbeModel, sets: list[Batch], hops: int) -> list[Evaluation]:
    """Evaluate member e on sets[e]."""
    return evaluate(model, _stack_sets(sets).to(next(model.parameters()).device), hops)


def full_length_count(learned_short: bool, settings: TrainSettings) -> int:
    """Questions per seed of the verdict set at the task's length: all `full_length_questions` where some seed met the
    target at the probe's length; else only as many as could show the target (`probe_plan.questions_to_show`), since a
    depth that learned nothing at its own length cannot hold at a longer one, and its figure there is a footnote."""
    return settings.full_length_questions if learned_short else min(settings.full_length_questions, questions_to_show(settings.target_accuracy))


def skipped_positions(shape: TaskShape, reach: int, groups: int, generator: torch.Generator) -> torch.Tensor:
    """Position ids (G, T) for training on skipped positions (PoSE, Zhu et al. 2024): per group of examples, the
    input is split at a random boundary of the task (`shape.boundaries`: a statement's two tokens stay
    adjacent) and the positions after it are shifted by a random skip of 0 to `reach - T`. The probes then see
    distances up to the task's length while training on short inputs, at no extra cost per step."""
    length = shape.sequence_length
    boundaries = torch.tensor(shape.boundaries)
    split = boundaries[torch.randint(len(boundaries), (groups,), generator=generator)]
    skip = torch.randint(max(0, reach - length) + 1, (groups,), generator=generator)
    index = torch.arange(length)
    return index + skip.unsqueeze(1) * (index >= split.unsqueeze(1))


def seconds_per_step(job: ProbeJob, steps: int = 4) -> float:
    """Median wall time of one training step (data, forward, backward, update) of `job`, all seeds batched,
    after one untimed step; what `probe_plan.choose_length` predicts a run's time from."""
    if job.settings.threads:
        torch.set_num_threads(job.settings.threads)
    stepper = Stepper(job)
    times = []
    for _ in range(steps + 1):
        started = time.perf_counter()
        stepper.step()
        if stepper.device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - started)
    return sorted(times[1:])[len(times[1:]) // 2]


def learning_rate_factor(step: int, settings: TrainSettings, decay_from: int | None = None) -> float:
    """Linear warm-up, then a cosine decay to LR_FLOOR (10%) over the step budget; from `decay_from` (the step at
    which every seed first passed at the probe's length, with `settings.decay_steps`), a cosine from the rate there
    to the floor over `decay_steps` steps, whichever is lower.

    The decay is what takes a probe from "mostly right" to the last fraction of a percent that a 99% target
    with a confidence bound needs. It follows steps only (the running checks fall on fixed steps), so the
    schedule does not depend on the machine.
    """
    def cosine(progress: float, start: float = 1.0) -> float:
        return LR_FLOOR + (start - LR_FLOOR) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    warmup = min(1.0, (step + 1) / settings.warmup_steps)
    factor = cosine(step / settings.max_steps)
    if decay_from is not None and settings.decay_steps and step >= decay_from:
        factor = min(factor, cosine((step - decay_from) / settings.decay_steps, cosine(decay_from / settings.max_steps)))
    return warmup * factor


def _clip_per_member(model: ProbeModel, alive: torch.Tensor, max_norm: float) -> None:
    """Zero the gradients of dead members and clip each live member's gradient norm on its own, in a handful of
    operations for all parameters together (no boolean indexing, which would wait for a GPU per parameter)."""
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    members = alive.shape[0]
    flat = torch.cat([g.reshape(members, -1) for g in grads], 1)
    if not bool(torch.isfinite(flat).all() & alive.all()):  # a seed has diverged: clean its gradients
        keep = alive.to(flat.dtype)
        for grad in grads:
            grad.nan_to_num_(0.0, 0.0, 0.0).mul_(keep.view(-1, *([1] * (grad.dim() - 1))))
        flat = torch.cat([g.reshape(members, -1) for g in grads], 1)
    scale = (max_norm / (flat.pow(2).sum(-1).sqrt() + 1e-6)).clamp(max=1.0)  # (E,)
    torch._foreach_mul_(grads, [scale.view(-1, *([1] * (g.dim() - 1))) for g in grads])


def allowed_errors(questions: int, target: float) -> int:
    """The most wrong answers out of `questions` whose Wilson lower bound still meets `target` (-1: none)."""
    wrong = -1
    while wrong + 1 <= questions and wilson_lower_bound(questions - wrong - 1, questions) >= target:
        wrong += 1
    return wrong
