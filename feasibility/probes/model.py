"""The probe transformer: a small nanoGPT-style pre-LN decoder, written so that several probes train at once.

Every weight carries a leading ensemble dimension E: E independent models (seeds) run in one batched
matmul per layer, which on a few CPU cores is faster than E models one after another. E = 1 is an ordinary
model; the cost stage builds one at the deployment width. Attention is explicit matmul -> mask -> softmax,
and the softmaxed pattern passes through an identity module `blocks.{i}.attn.pattern`, so forward hooks can
read it and FLOP counters see every matmul.
"""

from __future__ import annotations

import functools
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from feasibility.plan.jobs import DISTANCE_BUCKETS, ProbeConfig

__all__ = ["ProbeConfig", "ProbeModel", "attention_patterns", "pattern_hook", "position_table"]


class EnsembleLinear(nn.Module):
    """E independent linear maps: (E, N, fan_in) -> (E, N, fan_out)."""

    def __init__(self, ensemble: int, fan_in: int, fan_out: int, init_std: float | None = None):
        super().__init__()
        std = init_std if init_std is not None else 0.02
        self.weight = nn.Parameter(torch.randn(ensemble, fan_in, fan_out) * std)
        self.bias = nn.Parameter(torch.zeros(ensemble, 1, fan_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.matmul(x, self.weight) + self.bias


class EnsembleLayerNorm(nn.Module):
    def __init__(self, ensemble: int, width: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ensemble, 1, width))
        self.bias = nn.Parameter(torch.zeros(ensemble, 1, width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, x.shape[-1:]) * self.weight + self.bias


EXACT_DISTANCES = 8  # distances 0..7 each have a bucket of their own; longer ones share log-spaced buckets


def distance_buckets(length: int, reach: int) -> torch.Tensor:
    """(T, T) bucket of the distance i - j between a query position i and a key position j (0 above the diagonal)."""
    distance = torch.arange(length).view(-1, 1) - torch.arange(length).view(1, -1)
    return bucket_of(distance, reach)


def bucket_of(distance: torch.Tensor, reach: int) -> torch.Tensor:
    """The bucket of each distance (negative ones count as 0). Distances below EXACT_DISTANCES have a bucket each;
    longer ones up to `reach - 1` (the longest distance the probes are judged at) share log-spaced buckets, the
    last of which holds `reach - 1` and every distance beyond it. So the position bias is defined at every
    distance, and a probe can be evaluated at lengths it did not train at."""
    distance = distance.clamp(min=0)
    longest, last = reach - 1, DISTANCE_BUCKETS - 1
    if longest <= EXACT_DISTANCES:
        return distance.clamp(max=last)
    spaced = EXACT_DISTANCES + torch.floor(
        torch.log(distance.clamp(min=1).float() / EXACT_DISTANCES) / math.log(longest / EXACT_DISTANCES) * (last - EXACT_DISTANCES)
    ).long()
    return torch.where(distance < EXACT_DISTANCES, distance, spaced.clamp(max=last))


def position_table(positions: torch.Tensor, reach: int) -> torch.Tensor:
    """For skipped positions (G, T) (one row of position ids per group of examples, see train.skipped_positions):
    the one-hot (G, buckets, T * T) table of each pair's distance bucket, which the attention reads its bias from."""
    groups, length = positions.shape
    buckets = bucket_of(positions.unsqueeze(2) - positions.unsqueeze(1), reach)  # (G, T, T)
    return F.one_hot(buckets.view(groups, -1), DISTANCE_BUCKETS).transpose(1, 2).float()


@functools.lru_cache(maxsize=16)
def _positions(length: int, reach: int, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """For one input length: the (T, T) distance bucket of each position pair, and the causal mask as 0 / -inf
    to add to the scores (one addition instead of a masked fill)."""
    blocked = torch.zeros(length, length).masked_fill(~torch.ones(length, length, dtype=torch.bool).tril(), float("-inf"))
    return distance_buckets(length, reach).to(device), blocked.to(device)


@functools.lru_cache(maxsize=4)
def _bucket_table(length: int, reach: int, device: str) -> torch.Tensor:
    """The buckets as a one-hot (buckets, T * T) float table. In training the bias is read from it by a matrix
    product: gathering it by index made its gradient an indexed accumulation of T x T values into 16 slots,
    which on a GPU waited on atomic additions (and cost 3% of a step on the CPU)."""
    buckets, _ = _positions(length, reach, device)
    return F.one_hot(buckets.flatten(), DISTANCE_BUCKETS).T.float().contiguous()


@functools.lru_cache(maxsize=16)
def _log_keys(length: int, device: str) -> torch.Tensor:
    """(T, 1): log of the number of keys each causal query row sees, log(i + 1) (0 for the first row, which sees one)."""
    return torch.log(torch.arange(1, length + 1, dtype=torch.float)).view(length, 1).to(device)


class Attention(nn.Module):
    def __init__(self, config: ProbeConfig):
        super().__init__()
        self.heads = config.heads
        self.trained_length = config.sequence_length
        self.reach = config.position_reach
        self.qkv = EnsembleLinear(config.ensemble, config.width, 3 * config.width)
        self.proj = EnsembleLinear(config.ensemble, config.width, config.width, 0.02 / math.sqrt(2 * config.depth))
        self.pattern = nn.Identity()  # hook point: the softmaxed attention, (E, B, nh, T, T)
        # A learned bias per head and per bucket of distance (T5-style relative positions): a previous-token head
        # is then one number to learn, which is what lets the probes' retrieval heads form within minutes.
        # Initialised ALiBi-like: each bucket starts at -slope x its shortest distance, capped at the training
        # length's farthest distance. Uncapped, the far buckets of a probe trained short for a 512-token task
        # started at down to -511 in the steepest head: statements across a skipped gap were hidden, with no gradient
        # to learn otherwise; at 3 lookups the seeds were at 3.5-6.4% at step 2,000 where capped they reached 49-90%.
        shortest = torch.zeros(DISTANCE_BUCKETS)
        reps = distance_buckets(max(self.reach, DISTANCE_BUCKETS), self.reach)[:, 0]  # bucket of distances 0, 1, 2, ...
        for bucket in range(DISTANCE_BUCKETS):
            found = (reps == bucket).nonzero()
            shortest[bucket] = min(int(found[0, 0]) if len(found) else bucket, self.trained_length - 1)
        slopes = 4.0 ** -torch.arange(config.heads, dtype=torch.float)  # 1, 1/4, 1/16, ...: ALiBi-like recency
        bias = -slopes.view(-1, 1) * shortest  # (nh, buckets)
        bias[0, reps[1]] += config.previous_token_start  # the first head starts as a previous-token head (recipe.PREVIOUS_TOKEN_START)
        self.distance_bias = nn.Parameter(bias.expand(config.ensemble, 1, config.heads, DISTANCE_BUCKETS).clone())
        # Scalable-Softmax-like (Nakanishi 2025): the query of row i is scaled by s_h x log(i + 1), the log of the keys it
        # sees, so its attention does not flatten over the more keys of a longer input; s starts at 1 / log(T_train),
        # a factor of 1 at the training length's last row.
        self.length_scale = nn.Parameter(torch.full((config.ensemble, 1, config.heads, 1, 1), 1 / math.log(self.trained_length))) if config.length_scaling else None
        buckets, blocked = _positions(self.trained_length, self.reach, "cpu")
        self.register_buffer("buckets", buckets.clone(), persistent=False)  # at the training length
        self.register_buffer("blocked", blocked.clone(), persistent=False)

    def forward(self, x: torch.Tensor, batch: int, skipped: torch.Tensor | None = None) -> torch.Tensor:
        """x (E, B*T, C) -> (E, B*T, C). `skipped`: a `position_table` (G, buckets, T*T) for training on skipped
        positions, the B examples in G equal groups, group g reading row g; None: positions 0..T-1."""
        ensemble, rows, width = x.shape  # rows = B * T
        length = rows // batch
        head_size = width // self.heads
        q, k, v = self.qkv(x).split(width, dim=-1)
        # (E, B*T, C) -> (E, B, nh, T, hs); q is scaled here, on T values per head rather than T x T scores
        q = q.view(ensemble, batch, length, self.heads, head_size).transpose(2, 3) / math.sqrt(head_size)
        if self.length_scale is not None:
            q = q * (self.length_scale * _log_keys(int(length), str(x.device)))
        k = k.view(ensemble, batch, length, self.heads, head_size).transpose(2, 3)
        v = v.view(ensemble, batch, length, self.heads, head_size).transpose(2, 3)
        if length == self.trained_length:
            buckets, blocked = self.buckets, self.blocked
        else:  # another length than the training one (a probe judged at the task's length)
            buckets, blocked = _positions(int(length), self.reach, str(x.device))
        scores = torch.matmul(q, k.transpose(-2, -1))  # (E, B, nh, T, T)
        # The bias (with the causal mask) is summed at its own small size first, then added to the scores once.
        if skipped is not None:  # each group of examples with its own positions: (E, G, nh, T*T) biases
            groups = skipped.shape[0]
            bias = torch.matmul(self.distance_bias, skipped).view(ensemble, groups, 1, self.heads, length, length) + blocked
            scores = (scores.view(ensemble, groups, batch // groups, self.heads, length, length) + bias).view_as(scores)
        elif self.training and torch.is_grad_enabled():  # training: see _bucket_table
            table = _bucket_table(int(length), self.reach, str(x.device))
            scores = scores + (torch.matmul(self.distance_bias, table).view(ensemble, 1, self.heads, length, length) + blocked)
        else:  # evaluation and the deployed model: a lookup, which FLOP counters rightly do not count
            scores = scores + (self.distance_bias[..., buckets] + blocked)  # (E, 1, nh, T, T) biases
        pattern = self.pattern(torch.softmax(scores, dim=-1))
        y = torch.matmul(pattern, v)  # (E, B, nh, T, hs)
        y = y.transpose(2, 3).reshape(ensemble, rows, width)  # (E, B*T, C)
        return self.proj(y)


class MLP(nn.Module):
    def __init__(self, config: ProbeConfig):
        super().__init__()
        hidden = config.mlp_ratio * config.width
        self.up = EnsembleLinear(config.ensemble, config.width, hidden)
        self.down = EnsembleLinear(config.ensemble, hidden, config.width, 0.02 / math.sqrt(2 * config.depth))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(F.gelu(self.up(x)))


class Block(nn.Module):
    def __init__(self, config: ProbeConfig):
        super().__init__()
        self.ln_attn = EnsembleLayerNorm(config.ensemble, config.width)
        self.attn = Attention(config)
        self.ln_mlp = EnsembleLayerNorm(config.ensemble, config.width) if config.mlp_ratio else None
        self.mlp = MLP(config) if config.mlp_ratio else None

    def forward(self, x: torch.Tensor, batch: int, skipped: torch.Tensor | None = None) -> torch.Tensor:
        x = x + self.attn(self.ln_attn(x), batch, skipped)
        return x + self.mlp(self.ln_mlp(x)) if self.mlp is not None else x


class TiedHead(nn.Module):
    """An output head whose weight is the token embedding, transposed: (E, N, C) -> (E, N, vocab)."""

    def __init__(self, ensemble: int, vocab_size: int):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(ensemble, 1, vocab_size))

    def forward(self, x: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        return torch.matmul(x, embedding.transpose(1, 2)) + self.bias


class ProbeModel(nn.Module):
    """tokens (E, B, T) -> logits (E, B, T, vocab)."""

    def __init__(self, config: ProbeConfig):
        super().__init__()
        if config.width % config.heads:
            raise ValueError("width must be divisible by heads")
        self.config = config
        e = config.ensemble
        self.token_embedding = nn.Parameter(torch.randn(e, config.vocab_size, config.width) * 0.02)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.depth))
        self.ln_final = EnsembleLayerNorm(e, config.width)
        self.head = TiedHead(e, config.vocab_size) if config.tied_head else EnsembleLinear(e, config.width, config.vocab_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        ensemble, batch, length = tokens.shape
        return self.logits(self.hidden(tokens)).view(ensemble, batch, length, -1)

    def hidden(self, tokens: torch.Tensor, positions: torch.Tensor | None = None) -> torch.Tensor:
        """tokens (E, B, T) -> the final normalised residual stream (E, B*T, C), before the output head. With
        `positions` (G, T), the B examples in G equal groups read their distances from group g's position ids
        (training on skipped positions); without, every example sits at positions 0..T-1."""
        ensemble, batch, length = tokens.shape
        # Member e reads rows e * vocab + token of the stacked tables: F.embedding's gradient is a sorted
        # accumulation, where indexing the (E, vocab, C) table directly accumulated with atomics on a GPU.
        offsets = torch.arange(ensemble, device=tokens.device).view(ensemble, 1, 1) * self.config.vocab_size
        x = F.embedding(tokens + offsets, self.token_embedding.view(-1, self.config.width))  # (E, B, T, C)
        x = x.reshape(ensemble, batch * length, self.config.width)  # (E, B*T, C); positions enter as attention biases
        skipped = position_table(positions, self.config.position_reach) if positions is not None else None  # one for all layers
        for block in self.blocks:
            x = block(x, batch, skipped)
        return self.ln_final(x)

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """(E, N, C) -> (E, N, vocab): the output head, on any rows of the residual stream."""
        return self.head(hidden, self.token_embedding) if self.config.tied_head else self.head(hidden)

    def parameter_count(self, per_member: bool = True) -> int:
        total = sum(p.numel() for p in self.parameters())
        return total // self.config.ensemble if per_member else total


def pattern_hook(layer: int) -> str:
    """The hook path of a layer's softmaxed attention pattern (TransformerLens style)."""
    return f"blocks.{layer}.attn.pattern"


def attention_patterns(model: ProbeModel, tokens: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run `model` once and return every layer's softmaxed pattern, keyed by hook path, detached."""
    patterns: dict[str, torch.Tensor] = {}
    handles = []
    for index, block in enumerate(model.blocks):
        name = pattern_hook(index)

        def store(_module, _inputs, output, name=name):
            patterns[name] = output.detach()

        handles.append(block.attn.pattern.register_forward_hook(store))
    try:
        with torch.no_grad():
            model(tokens)
    finally:
        for handle in handles:
            handle.remove()
    return patterns
