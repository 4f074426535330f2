"""The head-emergence detector on hand-built attention patterns with known answers."""

from __future__ import annotations

import torch

from feasibility.probes.heads import chain_positions, head_scores, target_masks, targets
from feasibility.result.inside import EMERGENCE_THRESHOLD, emergence, hop_learned_steps, in_hop_order
from feasibility.spec import layout
from feasibility.result.probes import CurvePoint
from feasibility.plan.tasks import ChainedRetrieval, KHopInduction, solve_chained, solve_khop

SHAPE = ChainedRetrieval(hops=3, length=40, symbols=layout.symbols_used(3, 40))


def built_pattern(masks: dict[str, torch.Tensor], length: int) -> torch.Tensor:
    """(1, B, 3, T, T): head 0 all on the chain targets, head 1 all on the previous token, head 2 uniform over
    the causal past. Rows without a target attend to themselves."""
    chain, previous = masks["chain"].float(), masks["previous"].float()
    eye = torch.eye(length).expand_as(chain)

    def normalised(weights: torch.Tensor) -> torch.Tensor:
        weights = torch.where(weights.sum(-1, keepdim=True) > 0, weights, eye)
        return weights / weights.sum(-1, keepdim=True)

    uniform = normalised(torch.ones(length, length).tril().expand_as(chain).clone())
    return torch.stack([normalised(chain), normalised(previous), uniform], dim=1).unsqueeze(0)


def test_scores_of_a_hand_built_pattern():
    tokens = SHAPE.sample(32, torch.Generator().manual_seed(1)).tokens
    masks = target_masks(SHAPE, tokens)
    pattern = built_pattern(masks, tokens.shape[1])
    chain = head_scores(pattern, masks["chain"])[0]
    previous = head_scores(pattern, masks["previous"])[0]
    assert torch.allclose(chain[0], torch.tensor(1.0)) and torch.allclose(previous[1], torch.tensor(1.0))
    assert chain[1] == 0.0  # the previous token (a variable) is never on the chain
    assert chain[2] < 0.25 and previous[2] < 0.25  # uniform attention scores low on both


def test_chain_targets_are_the_links_each_value_depends_on():
    tokens = SHAPE.sample(8, torch.Generator().manual_seed(2)).tokens
    for row in tokens.tolist():
        links, _ = solve_chained(SHAPE, row)
        chain = targets(SHAPE, row)["chain"]
        for position, (ground, lookups) in links.items():
            ancestors = chain.get(position, [])
            assert len(ancestors) == lookups  # a link that needs h lookups depends on h earlier links
            if ancestors:
                assert row[min(ancestors)] == ground  # the chain ends at the ground value
        asked = chain_positions(SHAPE, row)
        assert len(asked) == SHAPE.hops + 1 and asked[-1] == len(row) - 1


def test_khop_targets_follow_the_hops():
    shape = KHopInduction(hops=2, length=24, alphabet=4)
    tokens = shape.sample(8, torch.Generator().manual_seed(3)).tokens
    for row in tokens.tolist():
        answers = solve_khop(row, shape.alphabet)
        hops = row[0] - shape.alphabet
        chain = targets(shape, row)["chain"]
        for i, answer in enumerate(answers, start=1):
            reached = chain.get(i, [])
            if answer is not None and 0 < hops <= len(reached):
                assert row[reached[hops - 1]] == answer


def curve_with(scores_at: dict[int, list[list[float]]], accuracy_at: dict[int, dict[int, float]]) -> list[CurvePoint]:
    """A curve of checkpoints with given [layer][head] chain scores (previous scores zero) and accuracies."""
    return [
        CurvePoint(
            step=step,
            elapsed_s=float(step),
            train_loss=[1.0],
            held_out_loss=[1.0],
            accuracy_by_hop=[accuracy_at[step]],
            query_accuracy=[0.0],
            head_scores={"chain": [scores], "previous": [[[0.0] * len(scores[0]) for _ in scores]]},
        )
        for step, scores in scores_at.items()
    ]


def test_emergence_steps_and_order():
    curve = curve_with(
        {0: [[0.1, 0.1], [0.1, 0.1]], 50: [[0.6, 0.1], [0.2, 0.1]], 100: [[0.9, 0.2], [0.55, 0.1]], 150: [[0.9, 0.3], [0.8, 0.1]]},
        {0: {1: 0.2, 2: 0.1}, 50: {1: 0.99, 2: 0.2}, 100: {1: 0.99, 2: 0.6}, 150: {1: 1.0, 2: 0.995}},
    )
    rows = emergence(curve, threshold=EMERGENCE_THRESHOLD)
    assert [(r["layer"], r["head"], r["step"]) for r in rows] == [(1, 1, 50), (2, 1, 100), (1, 2, None), (2, 2, None)]
    assert rows[0]["kind"] == "chain" and rows[0]["final"] == 0.9
    steps = hop_learned_steps(curve, hops=2, target=0.99)
    assert steps == {1: 50, 2: 150} and in_hop_order(steps)
    assert not in_hop_order({1: 150, 2: 50}) and not in_hop_order({1: 50, 2: None})


def test_a_previous_token_head_is_named_as_such():
    curve = curve_with({0: [[0.0]], 50: [[0.1]]}, {0: {1: 0.0}, 50: {1: 0.0}})
    for point, value in zip(curve, (0.2, 0.7)):
        point.head_scores["previous"] = [[[value]]]
    assert emergence(curve) == [{"layer": 1, "head": 1, "kind": "previous", "step": 50, "final": 0.7}]


def test_target_masks_match_the_reference_walk_on_every_example():
    """The masks are built with tensor operations; the Python walk (`targets`) is the reference, example by example."""
    from feasibility.plan.tasks import draw

    shapes = [
        ChainedRetrieval(hops=2, length=32, symbols=40),
        ChainedRetrieval(hops=3, length=33, symbols=60),  # odd length: a filler first
        ChainedRetrieval(hops=1, length=18, symbols=30),
        KHopInduction(hops=3, length=40, alphabet=4),
        KHopInduction(hops=2, length=17, alphabet=4, curriculum=False),
    ]
    for shape in shapes:
        tokens = draw(shape, 32, torch.Generator().manual_seed(1)).tokens
        masks = target_masks(shape, tokens)
        for row in range(len(tokens)):
            for kind, table in targets(shape, tokens[row].tolist()).items():
                expected = torch.zeros(shape.sequence_length, shape.sequence_length, dtype=torch.bool)
                for query, keys in table.items():
                    expected[query, keys] = True
                assert torch.equal(masks[kind][row], expected), (shape, row, kind)
