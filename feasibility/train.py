"""Training the probes: all seeds of one depth in one batched step, held-out accuracy per hop count while
training, early stop at the target, plateau and divergence detection, and a verdict per depth.

A probe that fails may fail for two reasons: the depth is too small, or training did not find the solution
in the budget. The verdict says which it can: `below_bound`, `learned`, `not_learned` (with the curve that
shows the plateau), or `diverged`. It never says "cannot" from a budget-limited run.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import torch
import torch.nn.functional as F

from feasibility.heads import chain_positions, inspection_batch, scores_by_layer, target_masks
from feasibility.probe import ProbeConfig, ProbeModel, attention_patterns
from feasibility.tasks import IGNORE, Batch, TaskShape, draw

Z_95 = 1.959964  # two-sided 95% normal quantile, for the Wilson interval


@dataclass(frozen=True)
class TrainSettings:
    target_accuracy: float
    max_steps: int
    time_budget_s: float
    batch_size: int = 64
    learning_rate: float = 3e-3
    warmup_steps: int = 100
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    eval_every: int = 50
    eval_examples: int = 512
    plateau_patience: int = 10  # evaluations without a 1% drop in held-out loss before the run counts as flat
    threads: int | None = None


@dataclass
class SeedResult:
    seed: int
    accuracy_by_hop: dict[int, float]  # held-out accuracy on links, by hop count
    examples_by_hop: dict[int, int]  # how many held-out labels each figure rests on
    query_accuracy: float
    decisive_accuracy: float  # the figure checked against the target
    decisive_lower_bound: float  # its Wilson 95% lower bound
    steps_to_target: int | None
    diverged: bool


@dataclass
class CurvePoint:
    step: int
    elapsed_s: float
    train_loss: list[float]  # per seed
    held_out_loss: list[float]
    accuracy_by_hop: list[dict[int, float]]  # per seed
    query_accuracy: list[float]
    head_scores: dict | None = None  # {"chain"|"previous": [seed][layer][head]} (see heads.py)


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
    chance_by_hop: dict[int, float] = field(default_factory=dict)
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
        def hop_keys(d: dict) -> dict[int, float]:
            return {int(k): v for k, v in d.items()}

        seeds = [
            SeedResult(**{**s, "accuracy_by_hop": hop_keys(s["accuracy_by_hop"]), "examples_by_hop": hop_keys(s["examples_by_hop"])})
            for s in data["seeds"]
        ]
        curve = [CurvePoint(**{**c, "accuracy_by_hop": [hop_keys(a) for a in c["accuracy_by_hop"]]}) for c in data["curve"]]
        fields = {k: v for k, v in data.items() if k not in ("seeds", "curve", "steps_per_s", "chance_by_hop")}
        return cls(**fields, seeds=seeds, curve=curve, chance_by_hop=hop_keys(data.get("chance_by_hop", {})))


@dataclass(frozen=True)
class Progress:
    """One progress report from a running probe, for a progress bar."""

    depth: int
    step: int
    max_steps: int
    elapsed_s: float
    time_budget_s: float
    decisive_accuracy: float | None = None


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
    return Batch(*(torch.stack([getattr(b, name) for b in batches]) for name in ("tokens", "targets", "hops", "is_query")))


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
def evaluate(model: ProbeModel, held_out: Batch, hops: int, chunk: int = 256) -> tuple[list[float], list[dict], list[dict], list[float], list[int]]:
    """Held-out loss, accuracy by hop, label counts by hop and query accuracy, each per member."""
    model.eval()
    ensemble = held_out.tokens.shape[0]
    correct = torch.zeros(ensemble, hops + 1)
    total = torch.zeros(ensemble, hops + 1)
    query_correct = torch.zeros(ensemble)
    query_total = torch.zeros(ensemble)
    loss_sum = torch.zeros(ensemble)
    chunks = 0
    for start in range(0, held_out.tokens.shape[1], chunk):
        part = slice(start, start + chunk)
        tokens, targets = held_out.tokens[:, part], held_out.targets[:, part]
        hop_tags, is_query = held_out.hops[:, part], held_out.is_query[:, part]
        logits = model(tokens)
        loss_sum += _loss_per_member(logits, targets)
        chunks += 1
        hit = (logits.argmax(-1) == targets) & (targets != IGNORE)
        labelled = (targets != IGNORE) & ~is_query
        for hop in range(1, hops + 1):
            at_hop = labelled & (hop_tags == hop)
            correct[:, hop] += (hit & at_hop).flatten(1).sum(-1)
            total[:, hop] += at_hop.flatten(1).sum(-1)
        asked = is_query & (targets != IGNORE)
        query_correct += (hit & asked).flatten(1).sum(-1)
        query_total += asked.flatten(1).sum(-1)
    model.train()
    accuracy = [{h: (correct[e, h] / total[e, h]).item() for h in range(1, hops + 1) if total[e, h] > 0} for e in range(ensemble)]
    counts = [{h: int(total[e, h]) for h in range(1, hops + 1) if total[e, h] > 0} for e in range(ensemble)]
    query = [(query_correct[e] / query_total[e]).item() if query_total[e] > 0 else float("nan") for e in range(ensemble)]
    query_counts = [int(query_total[e]) for e in range(ensemble)]
    return (loss_sum / chunks).tolist(), accuracy, counts, query, query_counts


def decisive(shape: TaskShape, accuracy: dict[int, float], counts: dict[int, int], query: float, query_count: int) -> tuple[float, float]:
    """The figure checked against the target, and its Wilson lower bound.

    With the curriculum: the weakest hop count from 2 to D on the links (hop 1 is a copy). Without it only
    the query is supervised, so the query is what is judged.
    """
    if not shape.curriculum or not accuracy:
        return query, wilson_lower_bound(round(query * query_count), query_count)
    hops = [h for h in accuracy if h >= 2] or list(accuracy)
    worst = min(hops, key=lambda h: wilson_lower_bound(round(accuracy[h] * counts[h]), counts[h]))
    return accuracy[worst], wilson_lower_bound(round(accuracy[worst] * counts[worst]), counts[worst])


def train_probes(
    shape: TaskShape,
    config: ProbeConfig,
    seeds: list[int],
    settings: TrainSettings,
    on_progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> ProbeRun:
    """Train one probe per seed at `config.depth`, all in one batched step; return what happened."""
    if settings.threads:
        torch.set_num_threads(settings.threads)
    config = ProbeConfig(**{**asdict(config), "ensemble": len(seeds)})
    model = _initialise(config, seeds)
    optimiser = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate, betas=(0.9, 0.98), weight_decay=settings.weight_decay)
    train_streams = [torch.Generator().manual_seed(seed) for seed in seeds]
    held_out = _stack([draw(shape, settings.eval_examples, torch.Generator().manual_seed(10_007 + seed), held_out=True) for seed in seeds])
    chance = shape.chance(Batch(*(getattr(held_out, n)[0] for n in ("tokens", "targets", "hops", "is_query"))))
    members = len(seeds)
    inspected = inspection_batch(shape).tokens
    masks = target_masks(shape, inspected)

    @torch.no_grad()
    def look_inside() -> dict[str, torch.Tensor]:
        model.eval()
        patterns = attention_patterns(model, inspected.expand(members, -1, -1))
        model.train()
        return patterns
    alive = torch.ones(members, dtype=torch.bool)
    reached: list[int | None] = [None] * members
    curve: list[CurvePoint] = []
    best_loss, best_step = math.inf, 0
    initial_loss: torch.Tensor | None = None
    stop_reason = "step cap"
    start = clock()
    step = 0
    last_train_loss = [float("nan")] * members
    label_counts: tuple[list[dict], list[int]] = ([], [])  # of the latest evaluation: labels by hop, query labels

    def check(step_now: int) -> bool:
        """Evaluate; return True when every live seed has met the target."""
        nonlocal best_loss, best_step, label_counts
        losses, accuracy, counts, query, query_counts = evaluate(model, held_out, shape.hops)
        label_counts = (counts, query_counts)
        scores = scores_by_layer(look_inside(), masks)
        curve.append(CurvePoint(step_now, clock() - start, list(last_train_loss), losses, accuracy, query, scores))
        met = True
        for e in range(members):
            if not alive[e]:
                continue
            _, lower = decisive(shape, accuracy[e], counts[e], query[e], query_counts[e])
            if lower >= settings.target_accuracy:
                reached[e] = reached[e] if reached[e] is not None else step_now
            else:
                met = False
        live_loss = sum(losses[e] for e in range(members) if alive[e]) / max(1, int(alive.sum()))
        if live_loss < best_loss * 0.99:
            best_loss, best_step = live_loss, step_now
        if on_progress:
            shown = [decisive(shape, accuracy[e], counts[e], query[e], query_counts[e])[0] for e in range(members) if alive[e]]
            on_progress(Progress(config.depth, step_now, settings.max_steps, clock() - start, settings.time_budget_s, min(shown) if shown else None))
        return met and bool(alive.any())

    model.train()
    while True:
        if step % settings.eval_every == 0 and check(step):
            stop_reason = "target met"
            break
        if step >= settings.max_steps:
            stop_reason = "step cap"
            break
        if clock() - start >= settings.time_budget_s:
            stop_reason = "time budget"
            break
        # A plateau ends the run only once it is long in every sense: `plateau_patience` evaluations, half of
        # the steps so far, and a quarter of either budget (heads can emerge late after a long plateau).
        evaluations_flat = (step - best_step) // settings.eval_every
        spent = budget_spent(step, clock() - start, settings)
        if step > 0 and evaluations_flat >= settings.plateau_patience and step - best_step >= step // 2 and spent >= 0.25:
            stop_reason = "plateau"
            break
        batch = _stack([draw(shape, settings.batch_size, stream, held_out=False) for stream in train_streams])
        logits = model(batch.tokens)
        losses = _loss_per_member(logits, batch.targets)
        if initial_loss is None:
            initial_loss = losses.detach().clone()
        blown = ~torch.isfinite(losses.detach()) | ((step > settings.warmup_steps) & (losses.detach() > 3 * initial_loss))
        alive &= ~blown
        if not alive.any():
            stop_reason = "diverged"
            break
        optimiser.zero_grad(set_to_none=True)
        torch.where(alive, losses, torch.zeros_like(losses)).sum().backward()
        _clip_per_member(model, alive, settings.grad_clip)
        for group in optimiser.param_groups:
            group["lr"] = settings.learning_rate * learning_rate_factor(step, clock() - start, settings)
        optimiser.step()
        last_train_loss = [v if alive[e] else float("nan") for e, v in enumerate(losses.detach().tolist())]
        step += 1
    wall = clock() - start
    if not curve or curve[-1].step != step:
        check(step)
    final = curve[-1]
    counts, query_counts = label_counts
    results = []
    for e, seed in enumerate(seeds):
        value, lower = decisive(shape, final.accuracy_by_hop[e], counts[e], final.query_accuracy[e], query_counts[e])
        results.append(
            SeedResult(seed, final.accuracy_by_hop[e], counts[e], final.query_accuracy[e], value, lower, reached[e], not bool(alive[e]))
        )
    plateau = best_step if step - best_step >= settings.plateau_patience * settings.eval_every else None
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
        curve=curve,
        chance_by_hop=chance,
        plateau_since_step=plateau,
        attention_example=attention,
    )


def budget_spent(step: int, elapsed_s: float, settings: TrainSettings) -> float:
    """Share of the training budget used, 0 to 1: whichever of steps and seconds runs out first."""
    return min(1.0, max(step / settings.max_steps, elapsed_s / settings.time_budget_s))


def learning_rate_factor(step: int, elapsed_s: float, settings: TrainSettings) -> float:
    """Linear warm-up, then a cosine decay to 10% over whichever budget (steps or seconds) runs out first.

    The decay is what takes a probe from "mostly right" to the last fraction of a percent that a 99%
    target with a confidence bound needs.
    """
    warmup = min(1.0, (step + 1) / settings.warmup_steps)
    progress = budget_spent(step, elapsed_s, settings)
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


VERDICTS = ("below_bound", "learned", "not_learned", "diverged")


@dataclass
class DepthVerdict:
    """What one depth's probes show, in one word and one sentence."""

    depth: int
    verdict: str  # one of VERDICTS
    explanation: str
    accuracy: float  # the weakest seed's decisive held-out accuracy
    lower_bound: float  # the weakest seed's Wilson lower bound: the figure checked against the target
    seeds_learned: int
    seeds: int


def judge(run: ProbeRun, lower_bound_depth: int, target: float) -> DepthVerdict:
    """Verdict for one depth: below the theoretical bound, learned, not learned within budget, diverged."""
    live = [s for s in run.seeds if not s.diverged]
    weakest = min(run.seeds, key=lambda s: s.decisive_lower_bound)
    learned = [s for s in live if s.decisive_lower_bound >= target]
    common = dict(depth=run.depth, accuracy=weakest.decisive_accuracy, lower_bound=weakest.decisive_lower_bound, seeds_learned=len(learned), seeds=len(run.seeds))
    seeds_text = f"{len(learned)} of {len(run.seeds)} seeds"
    if not live:
        return DepthVerdict(verdict="diverged", explanation=f"training diverged in every seed after {run.steps} steps; lower the learning rate", **common)
    if live and len(learned) == len(run.seeds):
        note = " (below the theoretical bound: the bound's assumption does not hold for this probe)" if run.depth < lower_bound_depth else ""
        return DepthVerdict(
            verdict="learned",
            explanation=f"all seeds reached the target; weakest lower bound {weakest.decisive_lower_bound:.1%} >= {target:.1%}{note}",
            **common,
        )
    if run.depth < lower_bound_depth:
        return DepthVerdict(
            verdict="below_bound",
            explanation=f"theory rules this depth out; the probe agrees ({seeds_text} reached the target)",
            **common,
        )
    how = {
        "plateau": f"held-out loss flat since step {run.plateau_since_step}",
        "time budget": "the time budget ran out",
        "step cap": "the step cap was reached",
    }.get(run.stop_reason, run.stop_reason)
    return DepthVerdict(
        verdict="not_learned",
        explanation=(
            f"not learned within budget: {seeds_text} reached the target after {run.steps} steps "
            f"({how}); this does not show the depth cannot do it"
        ),
        **common,
    )
