"""The probe plan: which length the probes train at, chosen by measured step times or as written, and read by them."""

from __future__ import annotations

from feasibility.run.pipeline import probe_depths
from feasibility.run.search import Events
from feasibility.plan.bounds import depth_bounds
from feasibility.plan.probe_plan import BUDGET_SHARE, STEP_OVERHEAD, choose_length, length_candidates, make_plan
from feasibility.spec.task import load_spec

from conftest import TINY_SPEC


def test_candidates_climb_the_ladder_up_to_the_task():
    assert length_candidates(2, 128) == (32, 64, 128)
    assert length_candidates(2, 100) == (32, 64, 100)
    assert length_candidates(4, 30) == (30,)
    assert length_candidates(3, 100_000) == (32, 64, 128, 256, 512, 1024, 2048)


def test_auto_takes_the_longest_length_whose_steps_fit_the_budget(tiny_spec):
    plan = make_plan(load_spec(tiny_spec), depth_bounds(2))  # 150 steps, 60 s per depth, task of 32 tokens
    assert plan.length_candidates == (32,) and plan.probe_sequence_length == 32
    longer = plan.__class__(**{**plan.__dict__, "task_sequence_length": 128, "length_candidates": (32, 64, 128), "max_steps": 1000, "time_budget_s": 100.0})
    fits = BUDGET_SHARE * 100.0 / 1000 / STEP_OVERHEAD  # seconds per step that just fit
    asked = []

    def timer(length: int) -> float:
        asked.append(length)
        return {32: fits * 0.5, 64: fits * 0.99, 128: fits * 1.5}[length]

    chosen = choose_length(longer, timer)
    assert chosen.probe_sequence_length == 64 and chosen.shortened and asked == [32, 64, 128]
    assert chosen.length_choice["rule"] == "auto" and [m["length"] for m in chosen.length_choice["measured"]] == [32, 64, 128]
    slow = choose_length(longer, lambda length: fits * 3)  # not even the shortest fits: it is taken anyway
    assert slow.probe_sequence_length == 32 and len(slow.length_choice["measured"]) == 1


def test_an_explicit_probe_length_equal_to_the_task_is_what_the_probes_read(write_spec, tmp_path):
    text = TINY_SPEC.replace("sequence_length: 32", "sequence_length: 40").replace("probe:\n", "probe:\n  sequence_length: 40\n")
    text = text.replace("max_steps: 150", "max_steps: 20").replace("depths: [1, 2]", "depths: [1]")
    spec = load_spec(write_spec(text))
    plan = make_plan(spec, depth_bounds(spec.task.hops))
    assert plan.probe_sequence_length == 40 == plan.task_sequence_length and not plan.length_candidates
    assert plan.length_choice == {"rule": "explicit"} and plan.full_shape() is None
    runs, verdicts = probe_depths(plan, Events(), None)
    assert runs[0].task["sequence_length"] == 40 and runs[0].config.sequence_length == 40
    assert runs[0].seeds[0].verdict_set.length == 40 and runs[0].seeds[0].full_length is None
    assert verdicts[0].length == 40 and verdicts[0].full_length is None


def test_the_output_head_is_tied_from_three_lookups(tiny_spec):
    import torch

    from feasibility.probes.model import ProbeConfig, ProbeModel

    spec = load_spec(tiny_spec)
    assert not make_plan(spec, depth_bounds(2)).tied_head
    three = spec.__class__(**{**spec.__dict__, "task": spec.task.__class__(kind=spec.task.kind, sequence_length=32, hops=3)})
    assert make_plan(three, depth_bounds(3)).tied_head
    model = ProbeModel(ProbeConfig(vocab_size=20, sequence_length=12, depth=1, width=16, heads=2, mlp_ratio=0, tied_head=True))
    assert not hasattr(model.head, "weight")  # the head owns a bias only
    with torch.no_grad():
        model.head.bias.fill_(0.5)
        tokens = torch.randint(20, (1, 2, 12))
        hidden = {}
        model.ln_final.register_forward_hook(lambda module, inputs, output: hidden.update(x=output))
        logits = model(tokens)
    expected = hidden["x"] @ model.token_embedding.transpose(1, 2) + 0.5
    assert torch.allclose(logits.view(1, -1, 20), expected, atol=1e-6)


def test_the_previous_token_start_and_the_early_decay_apply_up_to_four_times_the_probe_length():
    """recipe.NEAR_LENGTH_RATIO: the example (128 tokens, probes at 32) gets both; the rework profile (256 tokens) neither."""
    from pathlib import Path

    from feasibility.plan.jobs import plan_job
    from feasibility.plan.recipe import EARLY_DECAY_STEPS, PREVIOUS_TOKEN_START

    root = Path(__file__).parent.parent
    plan = make_plan(load_spec(root / "examples" / "task.yaml"), depth_bounds(2)).with_length(32, {})
    near = plan_job(plan, 3)
    assert near.settings.decay_steps == EARLY_DECAY_STEPS > 0 and near.config.previous_token_start == PREVIOUS_TOKEN_START > 0
    far = plan_job(make_plan(load_spec(root / "profiles" / "rework-fixture-lookup.yaml"), depth_bounds(2)).with_length(32, {}), 3)
    assert far.settings.decay_steps == 0 and far.config.previous_token_start == 0.0
    assert plan_job(plan, 3, length=64).config.previous_token_start == PREVIOUS_TOKEN_START  # timing at another length: the plan's rule


def test_auto_depths_cost_the_depth_below_the_floor_but_do_not_train_it(tiny_spec):
    """With `depths: auto` the depth below the theory's floor is planned (it is costed, and shows the threshold in
    the table) but not trained, and its verdict says so; depths the task file lists are all trained."""
    from feasibility.run.search import DepthSearch

    spec = load_spec(tiny_spec, {"probe.depths": "auto"})
    plan = make_plan(spec, depth_bounds(2))
    assert plan.depths[0] < plan.lower_bound == 2 and not plan.trains(plan.depths[0]) and plan.trains(2)
    search = DepthSearch(plan)
    job = search.next_job()
    assert job.depth == 2
    assert [(v.depth, v.verdict, v.accuracy) for v in search.verdicts] == [(1, "ruled_out", None)]
    listed = make_plan(load_spec(tiny_spec), depth_bounds(2))
    assert listed.depths == (1, 2) and listed.trains(1)
    assert DepthSearch(listed).next_job().depth == 1


def test_a_ruled_out_depth_is_said_so_in_both_languages():
    from feasibility.reports.words import evidence, label

    from feasibility.result.recommendation import Evidence

    item = Evidence(depth=1, verdict="ruled_out", accuracy=None, lower_bound=None, seeds_learned=0, seeds=0, hops=2, floor=2)
    assert "ruled out by theory" in evidence(item, 0.99, "en") and "not trained" in evidence(item, 0.99, "en")
    assert "理論で除外" in evidence(item, 0.99, "ja") and "訓練はしていない" in evidence(item, 0.99, "ja")
    assert label("v_ruled_out", "en") == "ruled out by theory" and label("v_ruled_out", "ja") == "理論で除外"
