"""Generators against brute-force solvers, over many random sizes and seeds; the held-out split is disjoint."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from feasibility.tasks import IGNORE, ChainedRetrieval, KHopInduction, draw, is_held_out, solve_chained, solve_khop


@settings(max_examples=40, deadline=None)
@given(hops=st.integers(1, 6), chains=st.integers(2, 6), extra=st.integers(0, 10), seed=st.integers(0, 2**31), mixed=st.booleans())
def test_chained_labels_match_solver(hops, chains, extra, seed, mixed):
    shape = ChainedRetrieval(hops=hops, chains=chains, symbols=chains * (hops + 1) + extra, mixed_lengths=mixed)
    batch = shape.sample(16, torch.Generator().manual_seed(seed))
    assert batch.tokens.shape == (16, shape.sequence_length)
    assert int(batch.tokens.max()) < shape.vocab_size
    for row in range(16):
        links, (answer, answer_hops) = solve_chained(shape, batch.tokens[row].tolist())
        for position, (ground, hop) in links.items():
            assert batch.targets[row, position] == ground
            assert batch.hops[row, position] == hop
        assert batch.targets[row, -1] == answer and answer_hops == hops == batch.hops[row, -1]
        supervised = (batch.targets[row] != IGNORE).nonzero().squeeze(1).tolist()
        assert supervised == sorted(list(links) + [shape.sequence_length - 1])


def test_without_curriculum_only_the_query_is_supervised():
    shape = ChainedRetrieval(hops=3, chains=3, symbols=24, curriculum=False)
    batch = shape.sample(8, torch.Generator().manual_seed(0))
    assert ((batch.targets != IGNORE) == batch.is_query).all()


def test_every_hop_count_appears_and_chance_is_below_one():
    shape = ChainedRetrieval(hops=4, chains=5, symbols=50)
    batch = shape.sample(256, torch.Generator().manual_seed(1))
    present = set(batch.hops[batch.targets != IGNORE].tolist())
    assert present == {1, 2, 3, 4}
    chance = shape.chance(batch)
    assert chance[1] == 1.0
    assert all(0 < chance[h] < 0.5 for h in (2, 3, 4))


def test_answer_is_never_the_token_at_its_own_position_beyond_hop_one():
    """The shortcut "answer = the token you are looking at" must not work for links of 2+ hops."""
    shape = ChainedRetrieval(hops=3, chains=4, symbols=40)
    batch = shape.sample(512, torch.Generator().manual_seed(2))
    deep = (batch.hops >= 2) & (batch.targets != IGNORE)
    assert not (batch.tokens[deep] == batch.targets[deep]).any()


@settings(max_examples=30, deadline=None)
@given(hops=st.integers(1, 4), length=st.integers(4, 40), alphabet=st.integers(2, 8), seed=st.integers(0, 2**31), curriculum=st.booleans())
def test_khop_labels_match_solver(hops, length, alphabet, seed, curriculum):
    shape = KHopInduction(hops=hops, length=length, alphabet=alphabet, curriculum=curriculum)
    batch = shape.sample(8, torch.Generator().manual_seed(seed))
    for row in range(8):
        tokens = batch.tokens[row].tolist()
        answers = solve_khop(tokens, alphabet)
        expected = [IGNORE if a is None else a for a in answers]
        assert batch.targets[row, 1:].tolist() == expected
        marker_hops = tokens[0] - alphabet + 1
        assert (not curriculum and marker_hops == hops) or (curriculum and 1 <= marker_hops <= hops)


def test_held_out_and_training_streams_are_disjoint():
    shape = ChainedRetrieval(hops=2, chains=2, symbols=8)  # a tiny space, so collisions would show
    train = draw(shape, 4000, torch.Generator().manual_seed(0), held_out=False)
    held = draw(shape, 500, torch.Generator().manual_seed(0), held_out=True)
    assert not is_held_out(train.tokens).any() and is_held_out(held.tokens).all()
    seen = {tuple(row) for row in train.tokens.tolist()}
    assert not any(tuple(row) in seen for row in held.tokens.tolist())
