"""The cost of a deployment model by formula, with no torch: its MACs by part and its parameters. The measured
counts (measure.py, fvcore on the model as served) are checked against these in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from feasibility.plan.jobs import DISTANCE_BUCKETS, ProbeConfig


@dataclass(frozen=True)
class DeploymentModel:
    """The model whose cost is measured: the spec's width, heads, vocabulary and length at one depth."""

    depth: int
    width: int
    heads: int
    vocab_size: int
    sequence_length: int
    mlp_ratio: int = 4  # deployed models keep their MLPs, unlike the attention-only probes

    def probe_config(self):
        return ProbeConfig(
            vocab_size=self.vocab_size,
            sequence_length=self.sequence_length,
            depth=self.depth,
            width=self.width,
            heads=self.heads,
            mlp_ratio=self.mlp_ratio,
        )


def analytic_macs(model: DeploymentModel, batch: int = 1) -> dict[str, int]:
    """MACs of one served forward pass, by part, from the formula (causal attention counted in full; the output
    head at the answer position only)."""
    tokens = batch * model.sequence_length
    width, length = model.width, model.sequence_length
    return {
        "embeddings": 0,  # a table lookup
        "attention projections": model.depth * tokens * 4 * width * width,  # q, k, v and the output
        "attention scores": model.depth * 2 * batch * length * length * width,  # q k^T and pattern @ v
        "mlp": model.depth * tokens * 2 * model.mlp_ratio * width * width,
        "output head": batch * width * model.vocab_size,  # at the answer position only, as served
    }


def parameter_count(model: DeploymentModel) -> int:
    """Parameters of the deployment model, from the formula (checked against the module in the tests)."""
    width, heads = model.width, model.heads
    hidden = model.mlp_ratio * width
    per_layer = 3 * width * width + 3 * width + width * width + width + heads * DISTANCE_BUCKETS + 2 * width
    if model.mlp_ratio:
        per_layer += width * hidden + hidden + hidden * width + width + 2 * width
    return model.vocab_size * width + model.depth * per_layer + 2 * width + width * model.vocab_size + model.vocab_size
