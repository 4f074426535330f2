"""The probes' optimiser: torch's Muon applied member by member to the ensemble's matrices, AdamW for the rest,
each part's rate following the schedule, and a state that a checkpoint carries."""

from __future__ import annotations

import torch

from feasibility.plan.jobs import ProbeConfig
from feasibility.probes.model import ProbeModel
from feasibility.probes.optim import EnsembleMuon, ProbeOptimiser, is_hidden_matrix, orthogonalised


def test_ensemble_muon_takes_the_step_torch_muon_takes_for_each_members_matrix():
    torch.manual_seed(0)
    members, fan_in, fan_out = 3, 8, 24
    weights = torch.randn(members, fan_in, fan_out)
    ours = torch.nn.Parameter(weights.clone())
    theirs = [torch.nn.Parameter(weights[e].T.clone()) for e in range(members)]  # nn.Linear's (fan_out, fan_in)
    mine = EnsembleMuon([ours], lr=0.02, weight_decay=0.01, momentum=0.95)
    torch_muon = torch.optim.Muon(theirs, lr=0.02, weight_decay=0.01, momentum=0.95, nesterov=True)
    before = weights.clone()
    for _ in range(3):
        gradient = torch.randn(members, fan_in, fan_out)
        ours.grad = gradient.clone()
        for e, parameter in enumerate(theirs):
            parameter.grad = gradient[e].T.clone()
        mine.step()
        torch_muon.step()
    assert not torch.equal(ours.detach(), before)
    for e in range(members):  # the very same numbers, bfloat16 rounding and all
        assert torch.equal(ours.detach()[e], theirs[e].detach().T)


def test_newton_schulz_leaves_every_members_singular_values_near_one():
    update = torch.randn(4, 16, 48)
    singular = torch.linalg.svdvals(orthogonalised(update).float())
    assert singular.min() > 0.5 and singular.max() < 1.5  # torch's coefficients: about 0.7-1.2, not exactly 1


def test_muon_trains_the_blocks_matrices_and_adamw_the_rest_each_at_its_scheduled_rate():
    model = ProbeModel(ProbeConfig(vocab_size=20, sequence_length=8, depth=2, width=16, heads=2, ensemble=2))
    optimiser = ProbeOptimiser(model, "muon", learning_rate=2e-3, weight_decay=0.01, muon_lr=0.02, position_lr=0.03)
    adamw, muon = optimiser.parts
    names = {id(p): n for n, p in model.named_parameters()}
    on_muon = {names[id(p)] for group in muon.param_groups for p in group["params"]}
    assert on_muon == {n for n in names.values() if is_hidden_matrix(n)} == {f"blocks.{i}.attn.{m}.weight" for i in range(2) for m in ("qkv", "proj")}
    optimiser.set_lr(0.5)
    rates = {names[id(p)]: group["lr"] for part in optimiser.parts for group in part.param_groups for p in group["params"]}
    assert rates["blocks.0.attn.qkv.weight"] == 0.01 and rates["token_embedding"] == 1e-3 and rates["blocks.1.attn.distance_bias"] == 0.015
    assert set(rates) == set(names.values())  # every parameter is trained, once


def test_adamw_alone_is_one_part_and_its_state_round_trips():
    model = ProbeModel(ProbeConfig(vocab_size=20, sequence_length=8, depth=1, width=16, heads=2, ensemble=2))
    optimiser = ProbeOptimiser(model, "adamw", learning_rate=2e-3, weight_decay=0.01, muon_lr=0.02)
    assert len(optimiser.parts) == 1 and len(optimiser.parts[0].param_groups) == 1
    model(torch.randint(20, (2, 4, 8))).sum().backward()
    optimiser.step()
    again = ProbeOptimiser(model, "adamw", learning_rate=2e-3, weight_decay=0.01, muon_lr=0.02)
    again.load_state_dict(optimiser.state_dict())
    assert again.state_dict()[0]["state"].keys() == optimiser.state_dict()[0]["state"].keys()
