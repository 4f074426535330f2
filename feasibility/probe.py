"""The probe transformer: a small nanoGPT-style pre-LN decoder, written so that several probes train at once.

Every weight carries a leading ensemble dimension E: E independent models (seeds) run in one batched
matmul per layer, which on a few CPU cores is faster than E models one after another. E = 1 is an ordinary
model; the cost stage builds one at the deployment width. Attention is explicit matmul -> mask -> softmax,
and the softmaxed pattern passes through an identity module `blocks.{i}.attn.pattern`, so forward hooks can
read it and FLOP counters see every matmul.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class ProbeConfig:
    vocab_size: int
    sequence_length: int
    depth: int
    width: int = 64
    heads: int = 4
    mlp_ratio: int = 4  # 0 builds an attention-only model
    ensemble: int = 1  # independent models trained side by side in one batched step


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


class Attention(nn.Module):
    def __init__(self, config: ProbeConfig):
        super().__init__()
        self.heads = config.heads
        self.qkv = EnsembleLinear(config.ensemble, config.width, 3 * config.width)
        self.proj = EnsembleLinear(config.ensemble, config.width, config.width, 0.02 / math.sqrt(2 * config.depth))
        self.pattern = nn.Identity()  # hook point: the softmaxed attention, (E, B, nh, T, T)
        # A learned bias per head and per distance (T5-style relative positions): a previous-token head is
        # then one number to learn, which is what lets the probes' retrieval heads form within minutes.
        length = config.sequence_length
        slopes = 4.0 ** -torch.arange(config.heads, dtype=torch.float)  # 1, 1/4, 1/16, ...: ALiBi-like recency
        bias = -slopes.view(-1, 1) * torch.arange(length, dtype=torch.float)  # (nh, T)
        self.distance_bias = nn.Parameter(bias.expand(config.ensemble, 1, config.heads, length).clone())
        distance = (torch.arange(length).view(-1, 1) - torch.arange(length).view(1, -1)).clamp(min=0)
        self.register_buffer("distance", distance, persistent=False)  # (T, T): i - j on and below the diagonal
        self.register_buffer("causal", torch.ones(length, length, dtype=torch.bool).tril(), persistent=False)

    def forward(self, x: torch.Tensor, batch: int) -> torch.Tensor:
        ensemble, rows, width = x.shape  # rows = B * T
        length = rows // batch
        head_size = width // self.heads
        q, k, v = self.qkv(x).split(width, dim=-1)
        # (E, B*T, C) -> (E, B, nh, T, hs)
        q = q.view(ensemble, batch, length, self.heads, head_size).transpose(2, 3)
        k = k.view(ensemble, batch, length, self.heads, head_size).transpose(2, 3)
        v = v.view(ensemble, batch, length, self.heads, head_size).transpose(2, 3)
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(head_size)  # (E, B, nh, T, T)
        bias = self.distance_bias[..., self.distance[:length, :length]]  # (E, 1, nh, T, T)
        scores = (scores + bias).masked_fill(~self.causal[:length, :length], float("-inf"))
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

    def forward(self, x: torch.Tensor, batch: int) -> torch.Tensor:
        x = x + self.attn(self.ln_attn(x), batch)
        return x + self.mlp(self.ln_mlp(x)) if self.mlp is not None else x


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
        self.head = EnsembleLinear(e, config.width, config.vocab_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        ensemble, batch, length = tokens.shape
        members = torch.arange(ensemble, device=tokens.device).view(ensemble, 1, 1)
        x = self.token_embedding[members, tokens]  # (E, B, T, C); positions enter as attention biases
        x = x.reshape(ensemble, batch * length, self.config.width)  # (E, B*T, C)
        for block in self.blocks:
            x = block(x, batch)
        logits = self.head(self.ln_final(x))  # (E, B*T, vocab)
        return logits.view(ensemble, batch, length, -1)

    def parameter_count(self, per_member: bool = True) -> int:
        total = sum(p.numel() for p in self.parameters())
        return total // self.config.ensemble if per_member else total


def attention_patterns(model: ProbeModel, tokens: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run `model` once and return every layer's softmaxed pattern, keyed by hook path, detached."""
    patterns: dict[str, torch.Tensor] = {}
    handles = []
    for index, block in enumerate(model.blocks):
        name = f"blocks.{index}.attn.pattern"

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
