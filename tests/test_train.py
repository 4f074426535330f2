"""Training mechanics and verdicts: Wilson bound, judging, the verdict set kept apart from the stop rule, the
clock as a safety net, per-seed determinism, and probes that learn."""

from __future__ import annotations

import json
import math
import pickle
from dataclasses import replace
from pathlib import Path

import pytest
import torch

import feasibility.probes.train as train_module
from feasibility.spec import layout
from feasibility.probes.model import ProbeConfig, ProbeModel, attention_patterns, bucket_of, distance_buckets
from feasibility.plan.bounds import depth_bounds
from feasibility.plan.jobs import ProbeJob, plan_job, task_dict
from feasibility.plan.probe_plan import make_plan
from feasibility.spec.task import load_spec
from feasibility.run.cache import job_key
from feasibility.plan.tasks import ChainedRetrieval, KHopInduction, split_of
from feasibility.confidence import wilson_lower_bound
from feasibility.decide.verdict import judge
from feasibility.result.probes import CurvePoint, Evaluation, ProbeRun, SeedResult
from feasibility.probes.train import (
    allowed_errors,
    Trainer,
    TrainSettings,
    _initialise,
    learning_rate_factor,
    micro_batch,
    run_job,
    seconds_per_step,
    skipped_positions,
    train_probes,
)


def test_wilson_lower_bound():
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(1000, 1000) == pytest.approx(0.99617, abs=1e-4)
    assert wilson_lower_bound(50, 100) == pytest.approx(0.4038, abs=1e-3)
    assert wilson_lower_bound(990, 1000) < 0.99  # 99.0% measured does not pass a 99% target


def _evaluation(accuracy: float, questions: int = 4096, length: int = 32) -> Evaluation:
    right = round(accuracy * questions)
    return Evaluation(length, questions, right, right / questions, wilson_lower_bound(right, questions), {1: 0.9}, {1: 100}, 0.1)


def _run(depth: int, accuracies: list[float], stop: str = "step cap", diverged: bool = False, full: list[float] | None = None) -> ProbeRun:
    seeds = [
        SeedResult(i, _evaluation(a), _evaluation(a, 1024), _evaluation(full[i], 1536, 128) if full else None, None, diverged)
        for i, a in enumerate(accuracies)
    ]
    chance = {"length": 32, "heuristics": {}, "best": "most_recent_ground_value", "query": 0.2, "by_hop": {}}
    return ProbeRun(config=ProbeConfig(40, 32, depth, 16, 2), settings=TrainSettings(target_accuracy=0.99, max_steps=500, time_budget_s=60.0), task={}, steps=500, wall_s=10.0, stop_reason=stop, seeds=seeds, chance=chance, plateau_since_step=200)


def test_verdicts():
    learned = judge(_run(2, [0.998, 0.997]), lower_bound_depth=2, target=0.99)
    assert learned.verdict == "learned" and learned.seeds_learned == 2 and not learned.at_chance and learned.length == 32
    assert judge(_run(3, [0.995, 0.5]), lower_bound_depth=2, target=0.99).verdict == "not_learned"
    assert judge(_run(3, [0.6, 0.5], stop="time budget"), lower_bound_depth=2, target=0.99).verdict == "too_slow"
    assert judge(_run(3, [0.0] * 2, stop="diverged", diverged=True), 2, 0.99).verdict == "diverged"


def test_below_the_bound_agreement_and_contradiction():
    agrees = judge(_run(1, [0.05, 0.04]), lower_bound_depth=2, target=0.99)
    assert agrees.verdict == "below_bound" and not agrees.contradicts_bound and agrees.at_chance
    some = judge(_run(1, [0.999, 0.3]), lower_bound_depth=2, target=0.99)
    assert some.verdict == "below_bound" and some.contradicts_bound and some.seeds_learned == 1
    every = judge(_run(1, [0.999, 0.999]), lower_bound_depth=2, target=0.99)
    assert every.verdict == "learned" and every.contradicts_bound


def test_the_verdict_says_which_length_it_holds_for():
    holds = judge(_run(3, [0.998, 0.998], full=[0.997, 0.998]), 2, 0.99)
    assert holds.full_length == 128 and holds.holds_at_full_length
    short = judge(_run(3, [0.998, 0.998], full=[0.6, 0.998]), 2, 0.99)
    assert short.verdict == "learned" and short.holds_at_full_length is False and short.full_length_accuracy == pytest.approx(0.6, abs=1e-3)


@pytest.mark.parametrize("extra", [{}, {"reach": 48, "length_scaling": True}], ids=["plain", "reach-and-length-scaling"])
def test_ensemble_member_equals_single_model_of_its_seed(extra):
    config = ProbeConfig(vocab_size=20, sequence_length=12, depth=2, width=16, heads=2, ensemble=2, **extra)
    ensemble = _initialise(config, [7, 8])
    torch.manual_seed(8)
    single = ProbeModel(ProbeConfig(vocab_size=20, sequence_length=12, depth=2, width=16, heads=2, **extra))
    tokens = torch.randint(20, (1, 3, 12))
    both = ensemble(tokens.expand(2, 3, 12))
    assert torch.allclose(both[1], single(tokens)[0], atol=1e-6)


def test_skipped_positions_of_zero_are_the_plain_positions():
    """The grouped bias of skipped-position training, with every skip 0, is the ordinary forward pass (training mode)."""
    model = ProbeModel(ProbeConfig(vocab_size=20, sequence_length=12, depth=2, width=16, heads=2, reach=48, length_scaling=True)).train()
    tokens = torch.randint(20, (1, 8, 12))
    plain = model.hidden(tokens)
    grouped = model.hidden(tokens, torch.arange(12).expand(4, 12))
    assert torch.allclose(plain, grouped, atol=1e-6)
    shifted = torch.arange(12) + 30 * (torch.arange(12) >= 6)  # a gap before position 6: later rows read other biases
    assert not torch.allclose(plain, model.hidden(tokens, shifted.expand(4, 12)), atol=1e-4)


def test_attention_pattern_hook_sees_every_layer():
    model = ProbeModel(ProbeConfig(vocab_size=10, sequence_length=8, depth=3, width=16, heads=2))
    patterns = attention_patterns(model, torch.randint(10, (1, 4, 8)))
    assert sorted(patterns) == [f"blocks.{i}.attn.pattern" for i in range(3)]
    pattern = patterns["blocks.0.attn.pattern"]
    assert pattern.shape == (1, 4, 2, 8, 8)
    assert torch.allclose(pattern.sum(-1), torch.ones(1, 4, 2, 8))
    assert (pattern.triu(1) == 0).all()  # causal


def test_a_probe_reads_inputs_longer_than_it_trained_on():
    """Positions are defined at every distance, so a probe trained at 12 tokens runs at 40, causally."""
    model = ProbeModel(ProbeConfig(vocab_size=10, sequence_length=12, depth=2, width=16, heads=2))
    long = torch.randint(10, (1, 2, 40))
    patterns = attention_patterns(model, long)
    assert patterns["blocks.1.attn.pattern"].shape == (1, 2, 2, 40, 40)
    assert (patterns["blocks.1.attn.pattern"].triu(1) == 0).all()
    changed = long.clone()
    changed[..., 30:] = (changed[..., 30:] + 1) % 10
    assert torch.allclose(model(long)[..., :30, :], model(changed)[..., :30, :], atol=1e-6)  # the future is not read


SETTINGS = dict(target_accuracy=0.95, time_budget_s=3600, eval_every=50, check_questions=256, verdict_questions=512, full_length_questions=256, warmup_steps=50)


def test_a_probe_learns_one_lookup_and_depth_one_does_not():
    """One lookup (an induction head) needs two layers: a previous-token head, then a match."""
    shape = ChainedRetrieval(hops=1, length=18, symbols=layout.symbols_used(1, 18))
    settings = TrainSettings(max_steps=600, **SETTINGS)
    two = train_probes(shape, ProbeConfig(shape.vocab_size, shape.sequence_length, 2, 32, 2, 0), [0], settings)
    assert two.stop_reason == "target met"
    assert two.seeds[0].verdict_set.lower_bound >= 0.95 and two.seeds[0].verdict_set.questions == 512
    one = train_probes(shape, ProbeConfig(shape.vocab_size, shape.sequence_length, 1, 32, 2, 0), [0], TrainSettings(max_steps=150, **SETTINGS))
    assert one.seeds[0].verdict_set.query_accuracy < 0.6
    assert [p.step for p in two.curve][0] == 0 and not math.isnan(two.curve[-1].held_out_loss[0])
    assert two.chance["best"] in two.chance["heuristics"] and 0 < two.chance["query"] < 1


def test_the_verdict_set_is_disjoint_from_every_set_the_stop_rule_saw(monkeypatch):
    """Record every batch the training run draws: the stop rule's check set and the training stream never hold an
    example of the verdict sets, at the probe's length or at the full length."""
    drawn: dict[str, list] = {"train": [], "check": [], "verdict": []}
    real_draw = train_module.draw

    def recording(shape, batch, generator, split="train", queries=None):
        result = real_draw(shape, batch, generator, split, queries)
        drawn[split].extend(tuple(row) for row in result.tokens.tolist())
        return result

    monkeypatch.setattr(train_module, "draw", recording)
    shape = ChainedRetrieval(hops=1, length=10, symbols=layout.symbols_used(1, 12))  # a tiny space: collisions would show
    full = ChainedRetrieval(hops=1, length=12, symbols=layout.symbols_used(1, 12))
    settings = TrainSettings(max_steps=100, full_length_check_every=50, **SETTINGS)  # a running check at the full length too
    run = train_probes(shape, ProbeConfig(shape.vocab_size, shape.sequence_length, 1, 16, 2, 0), [0, 1], settings, full_shape=full)
    assert any(len(row) == 12 for row in drawn["check"])
    verdict, seen = set(drawn["verdict"]), set(drawn["check"]) | set(drawn["train"])
    assert verdict and drawn["check"] and drawn["train"]
    assert not verdict & seen
    assert all(len(row) in (10, 12) for row in verdict) and any(len(row) == 12 for row in verdict)
    assert all(split_of(torch.tensor([row])) == 2 for row in list(verdict)[:50])
    assert run.seeds[0].full_length.length == 12 and run.full_length_chance["length"] == 12


def test_the_clock_is_a_safety_net_and_says_so():
    """A clock that runs out before the step cap stops training as "time budget", judged too slow."""
    ticks = iter(range(10**6))
    shape = KHopInduction(hops=1, length=12, alphabet=4)
    settings = TrainSettings(max_steps=1000, **{**SETTINGS, "time_budget_s": 30})
    run = train_probes(shape, ProbeConfig(shape.vocab_size, shape.sequence_length, 2, 16, 2, 0), [0], settings, clock=lambda: float(next(ticks)))
    assert run.stop_reason == "time budget" and run.steps < 1000
    assert judge(run, lower_bound_depth=1, target=0.999).verdict == "too_slow"


class _Interrupted(Exception):
    pass


def test_an_interrupted_probe_resumes_from_its_checkpoint_to_the_same_figures(tmp_path):
    """Stop a run mid-training (at its check of step 200, after the checkpoint of step 150), resume it in the
    same process from the checkpoint, and compare with an uninterrupted run of the same seeds: same steps, same
    losses along the curve, same verdict figures."""
    shape = ChainedRetrieval(hops=1, length=18, symbols=layout.symbols_used(1, 18))
    config = ProbeConfig(shape.vocab_size, shape.sequence_length, 2, 16, 2, 0)
    settings = TrainSettings(max_steps=300, **{**SETTINGS, "target_accuracy": 0.9999})
    whole = train_probes(shape, config, [0, 1], settings)

    checkpoint = tmp_path / "probe.ckpt"

    def interrupt_at_200(progress):
        if progress.step == 200:
            raise _Interrupted

    with pytest.raises(_Interrupted):
        train_probes(shape, config, [0, 1], settings, on_progress=interrupt_at_200, checkpoint=checkpoint, checkpoint_every=150)
    assert checkpoint.is_file()
    steps_seen = []
    resumed = train_probes(shape, config, [0, 1], settings, on_progress=lambda p: steps_seen.append(p.step), checkpoint=checkpoint, checkpoint_every=150)
    assert steps_seen[0] == 200  # picked up after step 150, not from the start

    assert resumed.steps == whole.steps and resumed.stop_reason == whole.stop_reason
    assert [c.step for c in resumed.curve] == [c.step for c in whole.curve]
    assert [c.held_out_loss for c in resumed.curve] == [c.held_out_loss for c in whole.curve]
    assert [c.train_loss for c in resumed.curve][1:] == [c.train_loss for c in whole.curve][1:]
    for again, first in zip(resumed.seeds, whole.seeds, strict=True):
        assert again.verdict_set == first.verdict_set and again.check == first.check
        assert again.steps_to_target == first.steps_to_target


def test_a_checkpoint_of_another_job_or_a_damaged_one_is_not_used(tmp_path):
    shape = KHopInduction(hops=1, length=12, alphabet=4)
    config = ProbeConfig(shape.vocab_size, shape.sequence_length, 1, 16, 2, 0)
    settings = TrainSettings(max_steps=100, **SETTINGS)
    checkpoint = tmp_path / "probe.ckpt"

    def stop_at_100(progress):
        if progress.step == 100:
            raise _Interrupted

    with pytest.raises(_Interrupted):
        train_probes(shape, config, [0], settings, on_progress=stop_at_100, checkpoint=checkpoint, checkpoint_every=50)
    other = TrainSettings(max_steps=100, **{**SETTINGS, "learning_rate": 1e-3})
    seen = []
    train_probes(shape, config, [0], other, on_progress=lambda p: seen.append(p.step), checkpoint=checkpoint)
    assert seen[0] == 0  # another job's checkpoint: trained from the start
    checkpoint.write_bytes(b"\xff\xfe garbage")
    seen.clear()
    train_probes(shape, config, [0], settings, on_progress=lambda p: seen.append(p.step), checkpoint=checkpoint)
    assert seen[0] == 0


def test_run_round_trips_through_dict():
    run = _run(2, [0.99, 0.98], full=[0.5, 0.6])
    again = ProbeRun.from_dict(run.to_dict())
    assert again.seeds[0].verdict_set.accuracy_by_hop == {1: 0.9} and again.seeds[1].full_length.length == 128


def test_divergence_is_caught_and_reported():
    shape = KHopInduction(hops=1, length=12, alphabet=4)
    settings = TrainSettings(max_steps=200, **{**SETTINGS, "learning_rate": 1e4, "warmup_steps": 1, "grad_clip": 1e9, "check_questions": 64, "verdict_questions": 64})
    run = train_probes(shape, ProbeConfig(shape.vocab_size, shape.sequence_length, 1, 16, 2, 0), [0, 1], settings)
    assert run.stop_reason == "diverged" and all(seed.diverged for seed in run.seeds)
    assert judge(run, lower_bound_depth=1, target=0.99).verdict == "diverged"


def test_learning_rate_warms_up_then_decays_over_the_steps():
    settings = TrainSettings(target_accuracy=0.99, max_steps=1000, time_budget_s=100.0, warmup_steps=100)
    assert learning_rate_factor(0, settings) == pytest.approx(0.01)
    # warm-up ends at step 99, by when the decay (which starts at step 0) has taken 2%
    assert learning_rate_factor(99, settings) == pytest.approx(0.1 + 0.45 * (1 + math.cos(math.pi * 0.099)))
    assert learning_rate_factor(500, settings) == pytest.approx(0.55)  # half the steps: cosine midpoint
    assert learning_rate_factor(1000, settings) == pytest.approx(0.1)


def test_previous_token_start_lifts_only_the_first_heads_distance_one_bias():
    """The start recipe_trial.py (and the recipe) set: against the same seeds built without it, only each layer's
    first head's distance-1 bias differs, by the lift."""
    plan = make_plan(load_spec(Path(__file__).parent.parent / "examples" / "task.yaml"), depth_bounds(2)).with_length(32, {})
    job = plan_job(plan, 3)
    without, lifted = (train_module.Trainer(replace(job, config=replace(job.config, previous_token_start=lift))) for lift in (0.0, 2.0))
    one = int(bucket_of(torch.tensor([1]), without.config.position_reach)[0])
    for old, new in zip(without.model.blocks, lifted.model.blocks, strict=True):
        difference = new.attn.distance_bias.detach() - old.attn.distance_bias.detach()  # (seeds, 1, heads, buckets)
        assert torch.allclose(difference[:, 0, 0, one], torch.full((without.members,), 2.0))
        difference[:, 0, 0, one] = 0
        assert not difference.any()
    assert all(torch.equal(a, b) for (name, a), (_, b) in zip(without.model.named_parameters(), lifted.model.named_parameters()) if "distance_bias" not in name)


def test_the_early_decay_runs_from_the_rate_at_the_first_pass_to_the_floor():
    settings = TrainSettings(target_accuracy=0.99, max_steps=2000, time_budget_s=100.0, warmup_steps=100, decay_steps=300)
    at_pass = learning_rate_factor(600, settings)
    assert learning_rate_factor(600, settings, decay_from=600) == pytest.approx(at_pass)
    assert learning_rate_factor(750, settings, decay_from=600) == pytest.approx(0.1 + (at_pass - 0.1) * 0.5)  # halfway
    assert learning_rate_factor(900, settings, decay_from=600) == pytest.approx(0.1)
    assert learning_rate_factor(1500, settings, decay_from=600) == pytest.approx(0.1)
    assert all(learning_rate_factor(s, settings, 600) <= learning_rate_factor(s, settings) + 1e-12 for s in range(0, 2000, 25))
    assert learning_rate_factor(300, settings, decay_from=600) == learning_rate_factor(300, settings)  # not before it
    off = TrainSettings(target_accuracy=0.99, max_steps=2000, time_budget_s=100.0, warmup_steps=100)
    assert learning_rate_factor(900, off, decay_from=600) == learning_rate_factor(900, off)  # decay_steps 0: the cosine alone


def test_the_early_decay_starts_at_the_first_pass_and_the_task_length_is_checked_where_it_ends(monkeypatch):
    """Scripted running checks: every seed passes at the probe's length from step 100, at the task's from step 300.
    The decay starts at step 100; the checks at the task's length back off after failing (100, 200, then 400 would
    be next) but one falls at step 300, where the decay ends, so training stops at 350 (two passes in a row)."""
    shape = ChainedRetrieval(hops=1, length=12, symbols=layout.symbols_used(1, 24))
    full = ChainedRetrieval(hops=1, length=24, symbols=layout.symbols_used(1, 24))
    settings = TrainSettings(max_steps=600, full_length_check_every=50, full_length_passes=2, decay_steps=200, **SETTINGS)
    trainer = train_module.Trainer(ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, 12, 1, 16, 2, 0), settings, (0, 1), task_dict(full)))
    at_task_length = []

    def scripted(checked, allowed, live):
        step, full_length = trainer.loop.step, checked is trainer.full_check_set
        if full_length:
            at_task_length.append(step)
        passing = step >= (300 if full_length else 100)
        return [Evaluation(24 if full_length else 12, 100, 100 * passing, float(passing), float(passing), {1: 0.0}, {1: 1}, 1.0) for _ in range(2)]

    monkeypatch.setattr(trainer, "_running_check", scripted)
    assert trainer.train() == "target met"
    assert trainer.loop.decay_from == 100 and trainer.loop.step == 350
    assert at_task_length == [100, 200, 300, 350]
    assert learning_rate_factor(300, settings, 100) == pytest.approx(0.1) and learning_rate_factor(300, settings) > 0.5


def test_seconds_per_step_is_a_measured_time():
    shape = ChainedRetrieval(hops=1, length=18, symbols=layout.symbols_used(1, 18))
    job = ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, 18, 1, 16, 2, 0), TrainSettings(target_accuracy=0.9, max_steps=10, time_budget_s=10), (0, 1))
    assert 0 < seconds_per_step(job, steps=2) < 5


def test_timing_steps_draws_training_batches_only_and_steps_as_training_does(monkeypatch):
    """Choosing the probe length times steps without drawing any evaluation set, and the steps it times are the very
    steps of training: a Stepper and a Trainer of one job reach the same weights."""
    pool = layout.symbols_used(1, 36)
    shape, full = (ChainedRetrieval(hops=1, length=length, symbols=pool) for length in (18, 36))
    job = ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, 18, 1, 16, 2, 0), TrainSettings(target_accuracy=0.9, max_steps=10, time_budget_s=10), (0, 1), full_task=task_dict(full))
    trainer = Trainer(job)
    drawn = []
    original = train_module.draw
    monkeypatch.setattr(train_module, "draw", lambda *args, **kwargs: drawn.append(args[3]) or original(*args, **kwargs))
    seconds_per_step(job, steps=2)
    assert drawn and set(drawn) == {"train"}
    stepper = train_module.Stepper(job)
    for _ in range(3):
        stepper.step(), trainer.step()
    assert all(torch.equal(a, b) for a, b in zip(stepper.model.parameters(), trainer.model.parameters()))


def test_a_job_is_data_that_runs_anywhere_to_the_same_figures():
    """A job survives JSON and pickling (as it would on its way to another process or machine) with its key, and
    the job rebuilt from JSON trains to the very figures of the original."""
    shape = KHopInduction(hops=1, length=12, alphabet=4)
    job = ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, 12, 1, 16, 2), TrainSettings(max_steps=60, **SETTINGS), (0, 1))
    again = ProbeJob.from_dict(json.loads(json.dumps(job.to_dict())))
    assert again == job == pickle.loads(pickle.dumps(job))
    assert job_key(again) == job_key(job)
    assert job_key(job.on("cuda")) != job_key(job) and job_key(replace(job, seeds=(0, 2))) != job_key(job)
    first, second = run_job(job), run_job(again)
    assert [s.verdict_set for s in first.seeds] == [s.verdict_set for s in second.seeds]
    assert [c.held_out_loss for c in first.curve] == [c.held_out_loss for c in second.curve]


def test_a_step_split_into_parts_is_the_same_step():
    """Long inputs train in parts of the batch (to stay in cache); the gradients are summed, so the parameters
    after a few steps match the whole-batch step to float rounding."""
    shape = ChainedRetrieval(hops=2, length=32, symbols=layout.symbols_used(2, 32))
    job = ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, 32, 2, 16, 2), TrainSettings(max_steps=10, **SETTINGS), (0, 1))
    whole, parts = Trainer(job), Trainer(job)
    parts.micro = 5  # parts of 5 examples, the last one shorter
    assert whole.micro == job.settings.batch_size
    for _ in range(3):
        whole.step()
        parts.step()
    for (name, a), (_, b) in zip(whole.model.named_parameters(), parts.model.named_parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5, msg=name)
    assert whole.loop.last_train_loss == pytest.approx(parts.loop.last_train_loss, rel=1e-5)


def test_the_parts_of_a_step_keep_attention_scores_in_cache_on_the_cpu():
    config = ProbeConfig(100, 128, 3, 64, 4)
    assert micro_batch(config, 3, 64, "cpu") == 21  # 3 seeds x 4 heads x 128^2 scores each: 2**22 // 196,608
    assert micro_batch(replace(config, sequence_length=32), 3, 64, "cpu") == 64
    assert micro_batch(replace(config, sequence_length=2048), 3, 64, "cpu") == 1
    assert micro_batch(config, 3, 64, "cuda") == 64


def test_every_seed_is_judged_on_all_its_questions():
    """k-hop sets are drawn to a count of questions and differ in rows from seed to seed; none loses a question."""
    shape = KHopInduction(hops=2, length=16, alphabet=4)
    settings = TrainSettings(max_steps=10, **{**SETTINGS, "verdict_questions": 300, "check_questions": 100})
    run = train_probes(shape, ProbeConfig(shape.vocab_size, shape.sequence_length, 1, 16, 2, 0), [0, 1, 2], settings)
    assert [seed.verdict_set.questions for seed in run.seeds] == [300, 300, 300]
    trainer = Trainer(ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, shape.sequence_length, 1, 16, 2, 0), settings, (0, 1, 2)))
    assert trainer.check_set.is_query.flatten(1).sum(-1).tolist() == [100, 100, 100]


def test_a_running_check_on_a_quarter_first_stops_exactly_where_the_whole_set_would(monkeypatch):
    """The check reads a quarter of the check set, and the rest only when every live seed could still pass: the
    run stops at the same step, for the same reason, with the same verdict figures as one that always reads all."""
    shape = ChainedRetrieval(hops=1, length=18, symbols=layout.symbols_used(1, 18))
    job = ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, 18, 2, 32, 2), TrainSettings(max_steps=600, **SETTINGS), (0, 1))
    quarter = run_job(job)
    monkeypatch.setattr(train_module, "CHECK_SUBSET", 1)
    whole = run_job(job)
    assert quarter.stop_reason == whole.stop_reason == "target met" and quarter.steps == whole.steps
    assert [s.verdict_set for s in quarter.seeds] == [s.verdict_set for s in whole.seeds]
    assert [s.steps_to_target for s in quarter.seeds] == [s.steps_to_target for s in whole.seeds]
    assert quarter.seeds[0].check.questions == whole.seeds[0].check.questions  # the deciding check read the whole set


def test_allowed_errors_is_the_most_a_passing_check_may_have():
    assert allowed_errors(1024, 0.99) >= 0 and wilson_lower_bound(1024 - allowed_errors(1024, 0.99), 1024) >= 0.99
    assert wilson_lower_bound(1024 - allowed_errors(1024, 0.99) - 1, 1024) < 0.99
    assert allowed_errors(100, 0.99) == -1  # 100 questions can never give a lower bound of 99%


def test_training_reads_the_position_bias_from_a_table_and_evaluation_by_lookup_alike():
    """In training the distance bias is a product with a one-hot table (a cheap gradient); in evaluation and in the
    deployed model it is a lookup; both give the very same logits."""
    model = ProbeModel(ProbeConfig(vocab_size=10, sequence_length=12, depth=2, width=16, heads=2, ensemble=2))
    tokens = torch.randint(10, (2, 3, 12))
    trained = model.train()(tokens)
    with torch.no_grad():
        looked_up = model.eval()(tokens)
    assert torch.equal(trained.detach(), looked_up)


def test_the_clock_cap_does_not_count_the_checks_at_the_task_length(monkeypatch):
    """Running checks at the task's length may be slow (21-24 s each at 2,048 tokens); the clock cap is a safety net
    for slow training, so it counts training alone: here every such check takes 1,000 fake seconds and training still
    runs to its step cap."""
    shape, full = ChainedRetrieval(hops=1, length=10, symbols=12), ChainedRetrieval(hops=1, length=14, symbols=12)
    settings = TrainSettings(max_steps=200, full_length_check_every=50, full_length_passes=2, **{**SETTINGS, "target_accuracy": 0.9, "time_budget_s": 30})
    now = [0.0]
    trainer = Trainer(ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, 10, 1, 16, 2, 0), settings, (0,), task_dict(full)), clock=lambda: now[0])

    def fake(checked, allowed, live):
        at_full = checked.tokens.shape[-1] == 14
        now[0] += 1000.0 if at_full else 0.0
        return [_evaluation(0.1 if at_full else 1.0, 100, checked.tokens.shape[-1])]

    monkeypatch.setattr(trainer, "_running_check", fake)
    assert trainer.train() == "step cap" and trainer.loop.step == 200
    assert trainer.loop.full_check_s >= 2000 and trainer.elapsed() >= 2000 and trainer.budgeted() < 30


def test_a_depth_that_learned_nothing_short_is_judged_at_the_task_length_on_fewer_questions():
    settings = TrainSettings(target_accuracy=0.99, max_steps=10, time_budget_s=10, full_length_questions=4096)
    assert train_module.full_length_count(True, settings) == 4096
    assert train_module.full_length_count(False, settings) == 728  # enough to show 99% with two wrong, no more
    assert train_module.full_length_count(False, replace(settings, full_length_questions=256)) == 256


def test_skipped_positions_keep_statements_whole_and_stay_within_reach():
    shape = ChainedRetrieval(hops=2, length=33, symbols=layout.symbols_used(2, 128))  # odd: a filler first
    positions = skipped_positions(shape, 128, 64, torch.Generator().manual_seed(0))
    assert positions.shape == (64, 33) and (positions.diff(dim=1) >= 1).all() and int(positions.max()) <= 127
    statements = positions[:, shape.offset :: 2], positions[:, shape.offset + 1 :: 2]  # lhs, rhs; the last pair is "? X"
    assert (statements[1] - statements[0][:, : statements[1].shape[1]] == 1).all()
    gaps = positions.diff(dim=1).amax(dim=1)
    assert (gaps > 1).float().mean() > 0.9 and int(gaps.max()) > 80  # nearly every group skips, some nearly the whole reach
    assert (skipped_positions(shape, 33, 8, torch.Generator()) == torch.arange(33)).all()  # no reach beyond: no skip


def test_skipped_positions_train_every_bucket_a_question_at_the_task_length_reads():
    """Probes trained at 18 tokens for a 96-token task: with skipped positions, every distance bucket that the question
    reads at 96 tokens gets a gradient in training; without them (buckets spaced to 96 all the same) the far buckets
    get none and would keep their initial values, which is what held the example at 50-58% at 128 tokens."""
    shape = ChainedRetrieval(hops=1, length=18, symbols=layout.symbols_used(1, 96))
    read_at_task_length = distance_buckets(96, 96)[-1].unique()  # the question's row at the task's length
    trained = {}
    for skip in (True, False):
        config = ProbeConfig(shape.vocab_size, 18, 2, 16, 2, 0, reach=96)
        trainer = Trainer(ProbeJob(task_dict(shape), config, TrainSettings(max_steps=30, skip_positions=skip, **SETTINGS), (0,)))
        gradient = torch.zeros(2, 16)  # (layer, bucket)
        for _ in range(30):
            trainer.step()
            for layer, block in enumerate(trainer.model.blocks):
                gradient[layer] += block.attn.distance_bias.grad.abs().sum(dim=(0, 1, 2))
        trained[skip] = gradient[:, read_at_task_length] > 0
    assert trained[True].all()
    assert not trained[False].all(dim=0).all() and trained[False][:, :8].all()  # the near buckets train either way


def test_far_buckets_start_no_steeper_than_the_training_length():
    """A probe trained at 32 tokens for a 512-token task starts every bucket beyond its length as its farthest trained
    distance (uncapped, the steepest head started at down to -511 there: statements across a skipped gap were hidden and the
    3-lookup seeds stalled); a probe trained at its task's length keeps the plain ALiBi-like start."""
    short = ProbeModel(ProbeConfig(64, 32, 1, 16, 4, 0, reach=512)).blocks[0].attn.distance_bias.detach()[0, 0]  # (heads, buckets)
    slopes = 4.0 ** -torch.arange(4, dtype=torch.float)
    assert torch.allclose(short.amin(dim=1), -slopes * 31) and torch.allclose(short[:, -1], -slopes * 31)
    assert (short.diff(dim=1) <= 0).all()  # still no closer bucket below a farther one
    full = ProbeModel(ProbeConfig(64, 512, 1, 16, 4, 0)).blocks[0].attn.distance_bias.detach()[0, 0]
    assert float(full[0, -1]) < -400  # the same buckets at their own length: -slope x the bucket's shortest distance


def test_the_stop_rule_waits_for_the_task_length(monkeypatch):
    """Where the probes train shorter, "target met" needs the running check at the task's length too, passed
    `full_length_passes` times in a row; it is made only once the probe's length passes, every
    `full_length_check_every` steps, and lands in the curve."""
    shape, full = ChainedRetrieval(hops=1, length=10, symbols=12), ChainedRetrieval(hops=1, length=14, symbols=12)
    settings = TrainSettings(max_steps=800, full_length_check_every=100, full_length_passes=2, **{**SETTINGS, "target_accuracy": 0.9})
    job = ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, 10, 1, 16, 2, 0), settings, (0,), task_dict(full))
    trainer = Trainer(job)
    passing_at_full = {"now": False}

    def fake(checked, allowed, live):
        at_full = checked.tokens.shape[-1] == 14
        right = 100 if not at_full or passing_at_full["now"] else 10
        return [_evaluation(right / 100, 100, checked.tokens.shape[-1])]

    monkeypatch.setattr(trainer, "_running_check", fake)
    trainer.loop.step = 0
    assert trainer.check() is False and trainer.loop.curve[-1].full_length_accuracy == [0.1]  # short passes, full does not
    trainer.loop.step = 150
    assert trainer.check() is False and trainer.loop.curve[-1].full_length_accuracy is None  # a failure doubles the spacing
    trainer.loop.step = 200
    assert trainer.check() is False and trainer.loop.curve[-1].full_length_accuracy == [0.1] and trainer.loop.full_spacing == 400
    passing_at_full["now"] = True
    trainer.loop.step = 600
    assert trainer.check() is False and trainer.loop.curve[-1].full_length_accuracy == [1.0]  # one pass: not yet
    assert trainer.loop.full_spacing == 100  # a pass: back to the settings' spacing
    trainer.loop.step = 700
    assert trainer.check() is True and trainer.loop.full_passes == 2


def test_the_at_chance_rule_never_cuts_short_a_probe_that_learns_after_it_could_fire():
    """With the rule armed from a tenth of the budget, a probe whose question is still below chance when the rule
    first can fire (step 150: it needs a quarter of the budget of loss history) and that meets the target later
    trains exactly as without the rule: its loss is falling, and then its question rises above chance."""
    shape = ChainedRetrieval(hops=1, length=18, symbols=layout.symbols_used(1, 18))
    job = ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, 18, 2, 32, 2), TrainSettings(max_steps=600, **SETTINGS), (0, 1))
    without = run_job(job)
    trainer = Trainer(replace(job, settings=replace(job.settings, chance_share=0.1)))
    ruled = trainer.result(trainer.train())
    assert trainer.loop.above_chance_step >= 150  # the rule was armed while the question sat at chance
    assert without.stop_reason == ruled.stop_reason == "target met" and without.steps == ruled.steps > trainer.loop.above_chance_step
    assert [s.verdict_set for s in without.seeds] == [s.verdict_set for s in ruled.seeds]


def _at_chance_trainer(share: float = 0.5) -> Trainer:
    shape = ChainedRetrieval(hops=2, length=18, symbols=layout.symbols_used(2, 18))
    settings = TrainSettings(max_steps=400, chance_share=share, **SETTINGS)
    return Trainer(ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, 18, 1, 16, 2), settings, (0, 1)))


def _curve(trainer: Trainer, losses: dict[int, float]) -> None:
    trainer.loop.curve = [CurvePoint(step, 0.0, [loss, loss], [loss, loss], [{}, {}], [0.0, 0.0]) for step, loss in losses.items()]
    trainer.loop.step = max(losses)


def test_a_probe_at_chance_with_a_flat_loss_stops_at_the_share_of_its_budget_and_not_before():
    trainer = _at_chance_trainer()
    _curve(trainer, {0: 4.0, 100: 3.0, 150: 2.95})  # at chance, flat, but before half the budget (200)
    assert not trainer.at_chance_long_enough()
    _curve(trainer, {0: 4.0, 100: 3.0, 200: 2.9})  # half the budget, loss down 3% over the last quarter (100 steps)
    assert trainer.at_chance_long_enough()
    _curve(trainer, {0: 4.0, 100: 3.0, 200: 2.5})  # still falling 17%: something is being learned
    assert not trainer.at_chance_long_enough()
    _curve(trainer, {0: 4.0, 100: 3.0, 200: 2.9})
    trainer.loop.above_chance_step = 150  # the question rose above chance once, in some seed: never stopped by the rule
    assert not trainer.at_chance_long_enough()
    off = _at_chance_trainer(0.0)
    _curve(off, {0: 4.0, 100: 3.0, 200: 2.9})
    assert not off.at_chance_long_enough()


def test_a_check_above_chance_in_one_seed_marks_the_step():
    trainer = _at_chance_trainer()
    trainer.check_chance = -1.0  # any lower bound is above it
    trainer.check()
    assert trainer.loop.above_chance_step == 0
    other = _at_chance_trainer()
    other.check_chance = 1.0  # none can be
    other.check()
    assert other.loop.above_chance_step is None
