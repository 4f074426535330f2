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

import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from feasibility.heads import chain_positions, inspection_batch, scores_by_layer, target_masks
from feasibility.probe import ProbeConfig, ProbeModel, attention_patterns
from feasibility.tasks import IGNORE, Batch, TaskShape, draw

Z_95 = 1.959964  # two-sided 95% normal quantile, for the Wilson interval
CHECKPOINT_EVERY = 250  # steps between checkpoints of a probe in training (a few seconds to a minute of work here)
SCORE_ELEMENTS = 2**20  # attention scores held at once while evaluating (E x B x heads x T x T floats, 4 MB:
# small chunks stay in cache; 2**26 took 1.5x as long at 128 tokens and 4x at 32)


@dataclass(frozen=True)
class TrainSettings:
    target_accuracy: float
    max_steps: int
    time_budget_s: float  # a safety cap; when it binds, the verdict says the machine was too slow to judge
    batch_size: int = 64
    learning_rate: float = 3e-3
    warmup_steps: int = 100
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    eval_every: int = 50
    check_questions: int = 1024  # the running check the stop rule reads, per seed
    verdict_questions: int = 4096  # the fresh set the verdict is read on, per seed
    full_length: int | None = None  # the task's length, where the probes train shorter: judged there too
    full_length_questions: int = 4096
    plateau_patience: int = 10  # evaluations without a 1% drop in check loss before the run counts as flat
    threads: int | None = None


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

    @classmethod
    def from_dict(cls, data: dict) -> "CurvePoint":
        return cls(**{**data, "accuracy_by_hop": [_hop_keys(a) for a in data["accuracy_by_hop"]]})


@dataclass
class ProbeRun:
    """All seeds of one depth: what was trained, for how long, how it ended, and the held-out figures."""

    depth: int
    config: dict
    settings: dict
    task: dict
    steps: int
    wall_s: float
    stop_reason: str  # "target met", "time budget", "step cap", "plateau", "diverged"
    seeds: list[SeedResult]
    curve: list[CurvePoint] = field(default_factory=list)
    chance: dict = field(default_factory=dict)  # heuristics on the verdict set (see `chance_levels`)
    full_length_chance: dict | None = None  # the same on the full-length set
    plateau_since_step: int | None = None
    attention_example: dict | None = None  # the first seed's attention on one held-out example, at the end

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.wall_s if self.wall_s > 0 else 0.0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["steps_per_s"] = self.steps_per_s
        return data

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
        fields = {k: v for k, v in data.items() if k not in ("seeds", "curve", "steps_per_s", "cached", "training_compute")}
        return cls(**fields, seeds=seeds, curve=curve)


def _hop_keys(d: dict) -> dict[int, float]:
    return {int(k): v for k, v in d.items()}


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


def wilson_lower_bound(correct: int, total: int, z: float = Z_95) -> float:
    """Lower end of the Wilson score interval for a binomial proportion (0 when there is no data)."""
    if total <= 0:
        return 0.0
    p = correct / total
    denominator = 1 + z * z / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, (centre - spread) / denominator)


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


def _loss_per_member(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over supervised positions, one value per ensemble member: (E,)."""
    ensemble = logits.shape[0]
    losses = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE, reduction="none")
    losses = losses.view(ensemble, -1)
    counts = (targets.view(ensemble, -1) != IGNORE).sum(-1).clamp(min=1)
    return losses.sum(-1) / counts


@torch.no_grad()
def evaluate(model: ProbeModel, held_out: Batch, hops: int) -> list[Evaluation]:
    """Question accuracy and link accuracy by lookups on `held_out` (E, B, T), one Evaluation per member."""
    model.eval()
    ensemble, examples, length = held_out.tokens.shape
    chunk = max(1, SCORE_ELEMENTS // (ensemble * model.config.heads * length * length))
    correct = torch.zeros(ensemble, hops + 1)
    total = torch.zeros(ensemble, hops + 1)
    answered = torch.zeros(ensemble)
    questions = torch.zeros(ensemble)
    loss_sum = torch.zeros(ensemble)
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


def _save_checkpoint(path: Path, identity: dict, loop: _Loop, model: ProbeModel, optimiser: torch.optim.Optimizer, streams: list[torch.Generator]) -> None:
    """Write the whole training state at a step boundary, atomically (a unique temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"identity": identity, "loop": loop.to_state(), "model": model.state_dict(), "optimiser": optimiser.state_dict(), "streams": [g.get_state() for g in streams]}
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    torch.save(state, temporary)
    temporary.replace(path)


def _load_checkpoint(path: Path, identity: dict, model: ProbeModel, optimiser: torch.optim.Optimizer, streams: list[torch.Generator]) -> _Loop | None:
    """The saved loop, with model, optimiser and streams restored; None when there is no usable checkpoint (a
    damaged one, or one of another job, is ignored and training starts over)."""
    if not path.is_file():
        return None
    try:
        state = torch.load(path, weights_only=True)
        if state.get("identity") != identity or len(state["streams"]) != len(streams):
            return None
        loop = _Loop.from_state(state["loop"])  # everything is read before anything is restored
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        for stream, saved in zip(streams, state["streams"], strict=True):
            stream.set_state(saved)
    except Exception:  # noqa: BLE001 - any unreadable checkpoint means: start over, never a crash
        return None
    return loop


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
) -> ProbeRun:
    """Train one probe per seed at `config.depth`, all in one batched step; judge them on fresh examples at the
    probe's length and, with `full_shape`, at the task's length too.

    With `checkpoint`, the training state is saved there every `checkpoint_every` steps, and a run that finds a
    checkpoint of the same job resumes from it: on the CPU it reaches the very figures of an uninterrupted run."""
    if settings.threads:
        torch.set_num_threads(settings.threads)
    config = ProbeConfig(**{**asdict(config), "ensemble": len(seeds)})
    model = _initialise(config, seeds)
    optimiser = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate, betas=(0.9, 0.98), weight_decay=settings.weight_decay)
    train_streams = [torch.Generator().manual_seed(seed) for seed in seeds]
    check_set = _stack_sets([draw(shape, 0, torch.Generator().manual_seed(10_007 + seed), "check", queries=settings.check_questions) for seed in seeds])
    members = len(seeds)
    inspected = inspection_batch(shape).tokens
    masks = target_masks(shape, inspected)
    identity = {"shape": asdict(shape), "config": asdict(config), "settings": asdict(settings), "seeds": list(seeds)}
    loop = (checkpoint and _load_checkpoint(checkpoint, identity, model, optimiser, train_streams)) or _Loop(
        alive=torch.ones(members, dtype=torch.bool), reached=[None] * members, last_train_loss=[math.nan] * members
    )

    @torch.no_grad()
    def look_inside() -> dict[str, torch.Tensor]:
        model.eval()
        patterns = attention_patterns(model, inspected.expand(members, -1, -1))
        model.train()
        return patterns

    start = clock() - loop.elapsed_s

    def check(step_now: int) -> bool:
        """Evaluate on the check set; return True when every live seed has met the target there."""
        results = loop.last_check = evaluate(model, check_set, shape.hops)
        loop.checked_step = step_now
        scores = scores_by_layer(look_inside(), masks)
        loop.curve.append(
            CurvePoint(step_now, clock() - start, list(loop.last_train_loss), [r.loss for r in results], [r.accuracy_by_hop for r in results], [r.query_accuracy for r in results], scores)
        )
        met = True
        for e in range(members):
            if not loop.alive[e]:
                continue
            if results[e].lower_bound >= settings.target_accuracy:
                loop.reached[e] = loop.reached[e] if loop.reached[e] is not None else step_now
            else:
                met = False
        live_loss = sum(results[e].loss for e in range(members) if loop.alive[e]) / max(1, int(loop.alive.sum()))
        if live_loss < loop.best_loss * 0.99:
            loop.best_loss, loop.best_step = live_loss, step_now
        if on_progress:
            shown = [results[e].query_accuracy for e in range(members) if loop.alive[e]]
            on_progress(Progress(config.depth, step_now, settings.max_steps, clock() - start, settings.time_budget_s, min(shown) if shown else None))
        return met and bool(loop.alive.any())

    model.train()
    while True:
        step = loop.step
        if step % settings.eval_every == 0 and step > loop.checked_step and check(step):
            stop_reason = "target met"
            break
        if step >= settings.max_steps:
            stop_reason = "step cap"
            break
        if clock() - start >= settings.time_budget_s:
            stop_reason = "time budget"
            break
        # A plateau ends the run only once it is long in every sense: `plateau_patience` evaluations, half of
        # the steps so far, and a quarter of the step budget (heads can emerge late after a long plateau).
        evaluations_flat = (step - loop.best_step) // settings.eval_every
        if step > 0 and evaluations_flat >= settings.plateau_patience and step - loop.best_step >= step // 2 and step >= settings.max_steps / 4:
            stop_reason = "plateau"
            break
        if checkpoint and step > 0 and step % checkpoint_every == 0:
            loop.elapsed_s = clock() - start
            _save_checkpoint(checkpoint, identity, loop, model, optimiser, train_streams)
        batch = _stack([draw(shape, settings.batch_size, stream, "train") for stream in train_streams])
        logits = model(batch.tokens)
        losses = _loss_per_member(logits, batch.targets)
        if loop.initial_loss is None:
            loop.initial_loss = losses.detach().clone()
        blown = ~torch.isfinite(losses.detach()) | ((step > settings.warmup_steps) & (losses.detach() > 3 * loop.initial_loss))
        loop.alive &= ~blown
        if not loop.alive.any():
            stop_reason = "diverged"
            break
        optimiser.zero_grad(set_to_none=True)
        torch.where(loop.alive, losses, torch.zeros_like(losses)).sum().backward()
        _clip_per_member(model, loop.alive, settings.grad_clip)
        for group in optimiser.param_groups:
            group["lr"] = settings.learning_rate * learning_rate_factor(step, settings)
        optimiser.step()
        loop.last_train_loss = [v if loop.alive[e] else math.nan for e, v in enumerate(losses.detach().tolist())]
        loop.step += 1
    step = loop.step
    wall = clock() - start
    if not loop.curve or loop.curve[-1].step != step:
        check(step)

    # The verdict: fresh examples that neither training nor the stop rule saw.
    verdict_sets = [draw(shape, 0, torch.Generator().manual_seed(20_011 + seed), "verdict", queries=settings.verdict_questions) for seed in seeds]
    fresh = _evaluate_each(model, verdict_sets, shape.hops)
    chance = chance_levels(shape, verdict_sets[0])
    full, full_chance = [None] * members, None
    if full_shape is not None:
        full_sets = [_questions_only(draw(full_shape, 0, torch.Generator().manual_seed(30_011 + seed), "verdict", queries=settings.full_length_questions)) for seed in seeds]
        full = _evaluate_each(model, full_sets, shape.hops)
        full_chance = chance_levels(full_shape, full_sets[0])
    results = [SeedResult(seed, fresh[e], loop.last_check[e], full[e], loop.reached[e], not bool(loop.alive[e])) for e, seed in enumerate(seeds)]

    plateau = loop.best_step if step - loop.best_step >= settings.plateau_patience * settings.eval_every else None
    patterns = look_inside()
    example = inspected[0].tolist()
    attention = {
        "seed": seeds[0],
        "tokens": example,
        "chain_positions": chain_positions(shape, example),
        "patterns": [[[[round(v, 3) for v in row] for row in head] for head in patterns[f"blocks.{i}.attn.pattern"][0, 0].tolist()] for i in range(config.depth)],
    }
    return ProbeRun(
        depth=config.depth,
        config={**asdict(config), "ensemble": 1},
        settings=asdict(settings),
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
    )


def _stack_sets(sets: list[Batch]) -> Batch:
    """One set per member into (E, B, T). Sets drawn to a count of questions (k-hop) differ in rows: the shorter
    ones are padded with copies of their first rows that carry no labels, so every member keeps all its questions."""
    rows = max(len(s) for s in sets)
    padded = []
    for one in sets:
        extra = one.select(torch.arange(rows - len(one)) % len(one))
        extra.targets.fill_(IGNORE)
        extra.is_query.fill_(False)
        padded.append(Batch.concat([one, extra]) if len(extra) else one)
    return _stack(padded)


def _questions_only(batch: Batch) -> Batch:
    """The examples that hold a question: at the task's length only the question is judged, so the rest is not run."""
    return batch.select(batch.is_query.any(1).nonzero().squeeze(1))


def _evaluate_each(model: ProbeModel, sets: list[Batch], hops: int) -> list[Evaluation]:
    """Evaluate member e on sets[e]."""
    return evaluate(model, _stack_sets(sets), hops)


def seconds_per_step(shape: TaskShape, config: ProbeConfig, seeds: list[int], settings: TrainSettings, steps: int = 4) -> float:
    """Median wall time of one training step (data, forward, backward, update) of `config` with all `seeds`
    batched, after one untimed step; what `plan.choose_length` predicts a run's time from."""
    if settings.threads:
        torch.set_num_threads(settings.threads)
    model = _initialise(ProbeConfig(**{**asdict(config), "ensemble": len(seeds)}), seeds)
    optimiser = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate)
    streams = [torch.Generator().manual_seed(seed) for seed in seeds]
    times = []
    for _ in range(steps + 1):
        started = time.perf_counter()
        batch = _stack([draw(shape, settings.batch_size, stream, "train") for stream in streams])
        loss = _loss_per_member(model(batch.tokens), batch.targets).sum()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        times.append(time.perf_counter() - started)
    return sorted(times[1:])[len(times[1:]) // 2]


def learning_rate_factor(step: int, settings: TrainSettings) -> float:
    """Linear warm-up, then a cosine decay to 10% over the step budget.

    The decay is what takes a probe from "mostly right" to the last fraction of a percent that a 99% target
    with a confidence bound needs. It follows steps only, so the schedule does not depend on the machine.
    """
    warmup = min(1.0, (step + 1) / settings.warmup_steps)
    progress = min(1.0, step / settings.max_steps)
    return warmup * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def _clip_per_member(model: ProbeModel, alive: torch.Tensor, max_norm: float) -> None:
    """Zero the gradients of dead members and clip each live member's gradient norm on its own."""
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    for grad in grads:
        grad.nan_to_num_(0.0, 0.0, 0.0)
        grad[~alive] = 0.0
    norms = torch.stack([g.flatten(1).pow(2).sum(-1) for g in grads]).sum(0).sqrt()  # (E,)
    scale = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    for grad in grads:
        grad.mul_(scale.view(-1, *([1] * (grad.dim() - 1))))


VERDICTS = ("below_bound", "learned", "not_learned", "too_slow", "diverged")


@dataclass
class DepthVerdict:
    """What one depth's probes show, read on the fresh verdict set; the words are in `wording`."""

    depth: int
    verdict: str  # one of VERDICTS (or "skipped", for a depth not trained)
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


def judge(run: ProbeRun, lower_bound_depth: int, target: float) -> DepthVerdict:
    """Verdict for one depth: below the theoretical bound, learned, not learned within budget, too slow to
    judge (the clock cap bound), or diverged."""
    live = [s for s in run.seeds if not s.diverged]
    weakest = min(run.seeds, key=lambda s: s.verdict_set.lower_bound)
    learned = [s for s in live if s.verdict_set.lower_bound >= target]
    full = [s.full_length for s in run.seeds if s.full_length is not None]
    full_weakest = min(full, key=lambda e: e.lower_bound) if full else None
    chance = run.chance.get("query") if run.chance else None
    verdict = DepthVerdict(
        depth=run.depth,
        verdict="not_learned",
        accuracy=weakest.verdict_set.query_accuracy,
        lower_bound=weakest.verdict_set.lower_bound,
        seeds_learned=len(learned),
        seeds=len(run.seeds),
        length=weakest.verdict_set.length,
        questions=weakest.verdict_set.questions,
        check_accuracy=min(s.check.query_accuracy for s in run.seeds),
        full_length=full_weakest.length if full_weakest else None,
        full_length_accuracy=full_weakest.query_accuracy if full_weakest else None,
        full_length_lower_bound=full_weakest.lower_bound if full_weakest else None,
        holds_at_full_length=all(e.lower_bound >= target for e in full) if full else None,
        chance=chance,
        chance_heuristic=run.chance.get("best") if run.chance else None,
        at_chance=chance is not None and weakest.verdict_set.lower_bound <= chance,
        contradicts_bound=run.depth < lower_bound_depth and bool(learned),
    )
    if not live:
        verdict.verdict = "diverged"
    elif len(learned) == len(run.seeds):
        verdict.verdict = "learned"
    elif run.depth < lower_bound_depth:
        verdict.verdict = "below_bound"
    elif run.stop_reason == "time budget":
        verdict.verdict = "too_slow"
    return verdict
