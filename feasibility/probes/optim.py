"""The probes' optimiser: Muon for the hidden layers' matrices, AdamW for everything else.

`torch.optim.Muon` takes 2-D parameters only, and a probe's weights carry a leading ensemble dimension (one matrix
per seed, trained in one batched step). `EnsembleMuon` applies torch's Muon update to each member's matrix, all
members in one batched product: momentum, the Nesterov look-ahead, the Newton-Schulz orthogonalisation with torch's
coefficients and steps, the shape's learning-rate adjustment and decoupled weight decay, exactly as torch's Muon
does for one matrix (tests/test_optim.py checks that it gives torch's very numbers, member by member). The embedding, the
output head, the biases, the norms and the position biases stay on AdamW, as Muon's authors advise.
"""

from __future__ import annotations

import math

import torch
from torch.optim._muon import DEFAULT_A, DEFAULT_B, DEFAULT_C, DEFAULT_NS_STEPS, EPS

from feasibility.plan.recipe import ADAM_BETAS, MUON_MOMENTUM


def orthogonalised(update: torch.Tensor, steps: int = DEFAULT_NS_STEPS) -> torch.Tensor:
    """(E, rows, cols) -> each member's matrix pushed towards the nearest semi-orthogonal one by torch's quintic
    Newton-Schulz iteration (in bfloat16, as torch's Muon does), the wide side last."""
    x = update.bfloat16()
    tall = x.shape[-2] > x.shape[-1]
    if tall:
        x = x.transpose(-2, -1)
    x = x / x.flatten(1).norm(dim=1).clamp(min=EPS).view(-1, 1, 1)
    for _ in range(steps):
        gram = x @ x.transpose(-2, -1)
        x = torch.baddbmm(x, torch.baddbmm(gram, gram, gram, beta=DEFAULT_B, alpha=DEFAULT_C), x, beta=DEFAULT_A)
    return x.transpose(-2, -1) if tall else x


class EnsembleMuon(torch.optim.Optimizer):
    """torch's Muon, member by member, for (E, fan_in, fan_out) weights used as x @ W (torch's Muon sees the
    transposed (fan_out, fan_in) matrix of an nn.Linear, so its learning-rate adjustment reads fan_out / fan_in)."""

    def __init__(self, params, lr: float, weight_decay: float, momentum: float = MUON_MOMENTUM, nesterov: bool = True):
        super().__init__(params, {"lr": lr, "weight_decay": weight_decay, "momentum": momentum, "nesterov": nesterov})

    @torch.no_grad()
    def step(self, closure=None):  # noqa: ARG002 - the Optimizer signature
        for group in self.param_groups:
            lr, decay, momentum = group["lr"], group["weight_decay"], group["momentum"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(param)
                buffer = state["momentum_buffer"]
                buffer.lerp_(param.grad, 1 - momentum)
                update = param.grad.lerp(buffer, momentum) if group["nesterov"] else buffer
                update = orthogonalised(update)  # the same for W as for its transpose
                fan_in, fan_out = param.shape[-2:]
                param.mul_(1 - lr * decay)
                param.add_(update.to(param.dtype), alpha=-lr * math.sqrt(max(1, fan_out / fan_in)))


def is_hidden_matrix(name: str) -> bool:
    """The weights Muon trains: the blocks' linear maps (attention's qkv and output projection, the MLP's)."""
    return name.startswith("blocks.") and name.endswith(".weight") and ".ln_" not in name


class ProbeOptimiser:
    """One optimiser over a probe's parameters: AdamW alone ("adamw"), or Muon for the hidden matrices and AdamW for
    the rest ("muon"); with `position_lr`, AdamW trains the position biases and length scales at that rate.
    `set_lr(factor)` scales each part's base learning rate by the schedule's factor."""

    def __init__(self, model: torch.nn.Module, kind: str, learning_rate: float, weight_decay: float, muon_lr: float, position_lr: float | None = None):
        named = list(model.named_parameters())
        matrices = [p for n, p in named if kind == "muon" and is_hidden_matrix(n)]
        positions = [p for n, p in named if position_lr and n.endswith((".distance_bias", ".length_scale"))]
        rest = [p for n, p in named if not any(p is q for q in matrices + positions)]
        groups = [{"params": rest, "base": learning_rate}] + ([{"params": positions, "base": position_lr}] if positions else [])
        # fused: one kernel per parameter for the whole update (on a GPU, one for all of them)
        self.parts: list[torch.optim.Optimizer] = [torch.optim.AdamW(groups, lr=learning_rate, betas=ADAM_BETAS, weight_decay=weight_decay, fused=True)]
        if matrices:
            self.parts.append(EnsembleMuon([{"params": matrices, "base": muon_lr}], lr=muon_lr, weight_decay=weight_decay))

    def zero_grad(self) -> None:
        for optimiser in self.parts:
            optimiser.zero_grad(set_to_none=True)

    def set_lr(self, factor: float) -> None:
        for optimiser in self.parts:
            for group in optimiser.param_groups:
                group["lr"] = group["base"] * factor

    def step(self) -> None:
        for optimiser in self.parts:
            optimiser.step()

    def state_dict(self) -> list[dict]:
        return [optimiser.state_dict() for optimiser in self.parts]

    def load_state_dict(self, states: list[dict]) -> None:
        if not isinstance(states, list) or len(states) != len(self.parts):
            raise ValueError("the optimiser's state does not match this job's optimiser")
        for optimiser, state in zip(self.parts, states):
            optimiser.load_state_dict(state)
