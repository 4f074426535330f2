"""Training mechanics and verdicts: Wilson bound, judging, per-seed determinism, and a probe that learns."""

from __future__ import annotations

import math

import pytest
import torch

from feasibility.probe import ProbeConfig, ProbeModel, attention_patterns
from feasibility.tasks import KHopInduction
from feasibility.train import ProbeRun, SeedResult, TrainSettings, _initialise, judge, learning_rate_factor, train_probes, wilson_lower_bound


def test_wilson_lower_bound():
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(1000, 1000) == pytest.approx(0.99617, abs=1e-4)
    assert wilson_lower_bound(50, 100) == pytest.approx(0.4038, abs=1e-3)
    assert wilson_lower_bound(990, 1000) < 0.99  # 99.0% measured does not pass a 99% target


def _run(depth: int, bounds: list[float], stop: str = "time budget", diverged: bool = False) -> ProbeRun:
    seeds = [SeedResult(i, {2: b}, {2: 1000}, 0.5, b, b, None, diverged) for i, b in enumerate(bounds)]
    return ProbeRun(depth=depth, config={}, settings={}, task={}, steps=500, wall_s=10.0, stop_reason=stop, seeds=seeds, plateau_since_step=200)


def test_verdicts():
    assert judge(_run(2, [0.995, 0.993]), lower_bound_depth=2, target=0.99).verdict == "learned"
    assert judge(_run(1, [0.3, 0.31]), lower_bound_depth=2, target=0.99).verdict == "below_bound"
    not_learned = judge(_run(2, [0.995, 0.5], stop="plateau"), lower_bound_depth=2, target=0.99)
    assert not_learned.verdict == "not_learned"
    assert "does not show the depth cannot do it" in not_learned.explanation and "flat since step 200" in not_learned.explanation
    assert judge(_run(3, [float("nan")] * 2, stop="diverged", diverged=True), 2, 0.99).verdict == "diverged"
    surprising = judge(_run(1, [0.999, 0.999]), lower_bound_depth=2, target=0.99)
    assert surprising.verdict == "learned" and "assumption does not hold" in surprising.explanation


def test_ensemble_member_equals_single_model_of_its_seed():
    config = ProbeConfig(vocab_size=20, sequence_length=12, depth=2, width=16, heads=2, ensemble=2)
    ensemble = _initialise(config, [7, 8])
    torch.manual_seed(8)
    single = ProbeModel(ProbeConfig(vocab_size=20, sequence_length=12, depth=2, width=16, heads=2))
    tokens = torch.randint(20, (1, 3, 12))
    both = ensemble(tokens.expand(2, 3, 12))
    assert torch.allclose(both[1], single(tokens)[0], atol=1e-6)


def test_attention_pattern_hook_sees_every_layer():
    model = ProbeModel(ProbeConfig(vocab_size=10, sequence_length=8, depth=3, width=16, heads=2))
    patterns = attention_patterns(model, torch.randint(10, (1, 4, 8)))
    assert sorted(patterns) == [f"blocks.{i}.attn.pattern" for i in range(3)]
    pattern = patterns["blocks.0.attn.pattern"]
    assert pattern.shape == (1, 4, 2, 8, 8)
    assert torch.allclose(pattern.sum(-1), torch.ones(1, 4, 2, 8))
    assert (pattern.triu(1) == 0).all()  # causal


def test_a_probe_learns_one_hop_induction_and_depth_one_does_not():
    """k-hop induction with k = 1 needs two layers (a previous-token head, then a match)."""
    shape = KHopInduction(hops=1, length=16, alphabet=6)
    settings = TrainSettings(target_accuracy=0.95, max_steps=400, time_budget_s=3600, eval_every=50, eval_examples=256)
    two = train_probes(shape, ProbeConfig(shape.vocab_size, shape.sequence_length, 2, 32, 2, 0), [0], settings)
    assert two.stop_reason == "target met"
    assert two.seeds[0].decisive_lower_bound >= 0.95
    one = train_probes(shape, ProbeConfig(shape.vocab_size, shape.sequence_length, 1, 32, 2, 0), [0], TrainSettings(target_accuracy=0.95, max_steps=150, time_budget_s=3600, eval_examples=256))
    assert one.seeds[0].decisive_accuracy < 0.8
    assert [p.step for p in two.curve][0] == 0 and not math.isnan(two.curve[-1].held_out_loss[0])


def test_run_round_trips_through_dict():
    run = _run(2, [0.99, 0.98])
    assert ProbeRun.from_dict(run.to_dict()).seeds[0].accuracy_by_hop == {2: 0.99}


def test_divergence_is_caught_and_reported():
    shape = KHopInduction(hops=1, length=12, alphabet=4)
    settings = TrainSettings(target_accuracy=0.99, max_steps=200, time_budget_s=3600, learning_rate=1e4, warmup_steps=1, grad_clip=1e9, eval_examples=64)
    run = train_probes(shape, ProbeConfig(shape.vocab_size, shape.sequence_length, 1, 16, 2, 0), [0, 1], settings)
    assert run.stop_reason == "diverged" and all(seed.diverged for seed in run.seeds)
    assert judge(run, lower_bound_depth=1, target=0.99).verdict == "diverged"


def test_learning_rate_warms_up_then_decays_over_the_binding_budget():
    settings = TrainSettings(target_accuracy=0.99, max_steps=1000, time_budget_s=100.0, warmup_steps=100)
    assert learning_rate_factor(0, 0.0, settings) == pytest.approx(0.01)
    # warm-up ends at step 99, by when the decay (which starts at step 0) has taken 2%
    assert learning_rate_factor(99, 0.0, settings) == pytest.approx(0.1 + 0.45 * (1 + math.cos(math.pi * 0.099)))
    assert 0.97 < learning_rate_factor(99, 0.0, settings) < 0.98
    assert learning_rate_factor(500, 0.0, settings) == pytest.approx(0.55)  # half the steps: cosine midpoint
    assert learning_rate_factor(200, 50.0, settings) == pytest.approx(0.55)  # half the seconds binds instead
    assert learning_rate_factor(1000, 0.0, settings) == pytest.approx(0.1)
    assert learning_rate_factor(10, 500.0, settings) == pytest.approx(0.1 * 11 / 100)  # budget spent, still warming up
