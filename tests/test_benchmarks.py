"""The benchmarks' own logic, where it changes what is trained (the benchmarks themselves run outside the tests)."""

import importlib.util
from pathlib import Path

import torch

from feasibility.plan.bounds import depth_bounds
from feasibility.plan.jobs import plan_job
from feasibility.plan.probe_plan import make_plan
from feasibility.probes.model import bucket_of
from feasibility.probes.train import Trainer
from feasibility.spec.task import load_spec

ROOT = Path(__file__).parent.parent


def _benchmark(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_previous_token_start_lifts_only_the_first_heads_distance_one_bias():
    trial = _benchmark("recipe_trial")
    plan = make_plan(load_spec(ROOT / "examples" / "task.yaml"), depth_bounds(2)).with_length(32, {})
    trainer = Trainer(plan_job(plan, 3))
    before = [block.attn.distance_bias.detach().clone() for block in trainer.model.blocks]
    trial.previous_token_start(trainer, 2.0)
    one = int(bucket_of(torch.tensor([1]), trainer.config.position_reach)[0])
    for old, block in zip(before, trainer.model.blocks, strict=True):
        lifted = block.attn.distance_bias.detach() - old  # (seeds, 1, heads, buckets)
        assert torch.allclose(lifted[:, 0, 0, one], torch.full((trainer.members,), 2.0))
        lifted[:, 0, 0, one] = 0
        assert not lifted.any()
