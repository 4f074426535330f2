"""The model as it would be served, and its twin for counting.

The probes need explicit attention (matmul -> mask -> softmax) so that hooks can read the pattern and fvcore
can count every matmul; a served model uses `scaled_dot_product_attention` (fused kernels), precomputes its
position mask, and computes the output head at the answer position only (a retrieval model answers one token
per request: the last position, where the question ends). Latency is timed on `ServedModel`; FLOPs are
counted by fvcore on `AnswerTwin`, the explicit form with the same weights and the same output, and
cross-checked against `torch.utils.flop_counter` on the served form (`served_flops`).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from feasibility.probes.model import ProbeModel, _positions


class ServedModel(nn.Module):
    """tokens (B, T) -> logits (B, vocab) at the last position, with the weights of a one-member ProbeModel."""

    def __init__(self, twin: ProbeModel):
        super().__init__()
        config = twin.config
        if config.ensemble != 1:
            raise ValueError("a served model is built from a single model (ensemble 1)")
        self.heads, self.width, self.tied = config.heads, config.width, config.tied_head
        length = config.sequence_length

        def keep(module: nn.Module, name: str, tensor: torch.Tensor) -> None:
            module.register_parameter(name, nn.Parameter(tensor.detach().clone().contiguous()))

        def linear(module: nn.Module, name: str, layer) -> None:  # (1, in, out) -> F.linear's (out, in)
            keep(module, f"{name}_weight", layer.weight[0].T)
            keep(module, f"{name}_bias", layer.bias[0, 0])

        def norm(module: nn.Module, name: str, layer) -> None:
            keep(module, f"{name}_weight", layer.weight[0, 0])
            keep(module, f"{name}_bias", layer.bias[0, 0])

        keep(self, "embedding", twin.token_embedding[0])
        self.layers = nn.ModuleList()
        for block in twin.blocks:
            layer = nn.Module()
            norm(layer, "ln_attn", block.ln_attn)
            linear(layer, "qkv", block.attn.qkv)
            linear(layer, "proj", block.attn.proj)
            buckets, blocked = _positions(length, block.attn.reach, "cpu")
            # the position bias and the causal mask as one additive mask, computed once as a server would
            layer.register_buffer("mask", (block.attn.distance_bias.detach()[0, 0][:, buckets] + blocked).unsqueeze(0))
            layer.mlp = block.mlp is not None
            if layer.mlp:
                norm(layer, "ln_mlp", block.ln_mlp)
                linear(layer, "up", block.mlp.up)
                linear(layer, "down", block.mlp.down)
            self.layers.append(layer)
        norm(self, "ln_final", twin.ln_final)
        if not self.tied:
            keep(self, "head_weight", twin.head.weight[0].T)
        keep(self, "head_bias", twin.head.bias[0, 0])

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        batch, length = tokens.shape
        heads, width = self.heads, self.width
        x = F.embedding(tokens, self.embedding)
        for layer in self.layers:
            h = F.layer_norm(x, (width,), layer.ln_attn_weight, layer.ln_attn_bias)
            q, k, v = F.linear(h, layer.qkv_weight, layer.qkv_bias).view(batch, length, 3, heads, width // heads).permute(2, 0, 3, 1, 4)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=layer.mask[..., :length, :length].to(q.dtype))
            x = x + F.linear(y.transpose(1, 2).reshape(batch, length, width), layer.proj_weight, layer.proj_bias)
            if layer.mlp:
                h = F.layer_norm(x, (width,), layer.ln_mlp_weight, layer.ln_mlp_bias)
                x = x + F.linear(F.gelu(F.linear(h, layer.up_weight, layer.up_bias)), layer.down_weight, layer.down_bias)
        answer = F.layer_norm(x[:, -1], (width,), self.ln_final_weight, self.ln_final_bias)
        return F.linear(answer, self.embedding if self.tied else self.head_weight, self.head_bias)


class AnswerTwin(nn.Module):
    """The explicit-attention form of the served model: tokens (1, B, T) -> logits (B, vocab) at the last
    position, on a ProbeModel's weights; what fvcore counts."""

    def __init__(self, model: ProbeModel):
        super().__init__()
        self.model = model

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        _, batch, length = tokens.shape
        hidden = self.model.hidden(tokens).view(1, batch, length, -1)[:, :, -1]  # (1, B, C)
        return self.model.logits(hidden)[0]


def served_flops(model: ServedModel, tokens: torch.Tensor) -> int:
    """FLOPs of one call of the served model by `torch.utils.flop_counter` (fused attention included where it has
    a formula for the kernel that ran)."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(tokens)
    return int(counter.get_total_flops())
