"""Generators against brute-force solvers, over many random sizes and seeds; the three splits are disjoint."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from feasibility.spec import layout
from feasibility.plan.tasks import IGNORE, QUERY, SPLITS, ChainedRetrieval, KHopInduction, draw, solve_chained, solve_khop, split_of


def chained(hops: int, length: int, extra: int = 0, curriculum: bool = True) -> ChainedRetrieval:
    return ChainedRetrieval(hops=hops, length=length, symbols=layout.symbols_used(hops, length) + extra, curriculum=curriculum)


@settings(max_examples=40, deadline=None)
@given(hops=st.integers(1, 5), more=st.integers(0, 40), extra=st.integers(0, 10), seed=st.integers(0, 2**31))
def test_chained_labels_match_solver(hops, more, extra, seed):
    shape = chained(hops, layout.minimum_length(hops) + more, extra)
    batch = shape.sample(16, torch.Generator().manual_seed(seed))
    assert batch.tokens.shape == (16, shape.sequence_length)
    assert int(batch.tokens.max()) < shape.vocab_size
    for row in range(16):
        tokens = batch.tokens[row].tolist()
        links, (answer, lookups) = solve_chained(shape, tokens)
        assert tokens[-2] == QUERY and batch.targets[row, -1] == answer
        assert lookups == hops == batch.hops[row, -1], "the question needs exactly D lookups"
        supervised = []
        for position, (ground, needed) in links.items():
            assert batch.hops[row, position] == needed
            if needed > 0:  # links that need a lookup are supervised; copies are not
                assert batch.targets[row, position] == ground
                supervised.append(position)
            else:
                assert batch.targets[row, position] == IGNORE
        assert (batch.targets[row] != IGNORE).nonzero().squeeze(1).tolist() == sorted(supervised) + [shape.sequence_length - 1]
        assert max(needed for _, needed in links.values()) == hops, "distractor chains carry links of D lookups"


def test_the_question_asks_a_chain_of_exactly_d_statements():
    """The user's `? X` after `U1 S5 ... S5 L9` is two lookups: the asked variable is the last of a D-statement chain."""
    shape = chained(2, 40)
    batch = shape.sample(64, torch.Generator().manual_seed(3))
    for row in range(64):
        tokens = batch.tokens[row].tolist()
        defined = {tokens[shape.offset + 2 * s]: tokens[shape.offset + 2 * s + 1] for s in range(shape.statements)}
        walk, lookups = tokens[-1], 0
        while walk in defined:
            walk, lookups = defined[walk], lookups + 1
        assert lookups == 2 and walk == batch.targets[row, -1]


def test_without_curriculum_only_the_question_is_supervised():
    shape = chained(3, 40, curriculum=False)
    batch = shape.sample(8, torch.Generator().manual_seed(0))
    assert ((batch.targets != IGNORE) == batch.is_query).all()


def test_odd_lengths_start_with_a_filler_and_every_length_is_exact():
    for length in (26, 27, 64, 129):
        shape = chained(3, length)
        batch = shape.sample(4, torch.Generator().manual_seed(length))
        assert batch.tokens.shape[1] == length
        assert shape.offset == (length - 2) % 2


def test_every_lookup_count_appears():
    shape = chained(4, 128)
    batch = shape.sample(64, torch.Generator().manual_seed(1))
    present = set(batch.hops[(batch.targets != IGNORE) & ~batch.is_query].tolist())
    assert present == {1, 2, 3, 4}


def test_answer_is_never_the_token_at_its_own_position():
    """The shortcut "answer = the token you are looking at" must not work at any supervised position."""
    shape = chained(3, 64)
    batch = shape.sample(512, torch.Generator().manual_seed(2))
    supervised = batch.targets != IGNORE
    assert not (batch.tokens[supervised] == batch.targets[supervised]).any()


def _brute_force_heuristics(shape: ChainedRetrieval, tokens: list[int], position: int) -> dict[str, float]:
    """The chain-ignoring guessers at one position, by walking the tokens."""
    variables = {tokens[shape.offset + 2 * s] for s in range(shape.statements)}
    grounds = [tokens[p] for p in range(shape.offset + 1, shape.offset + 2 * shape.statements, 2) if p <= position and tokens[p] not in variables]
    return {"most_recent": grounds[-1], "first": grounds[0], "count": len(grounds)}


def test_chained_heuristics_match_a_brute_force_walk():
    shape = chained(2, 40)
    batch = shape.sample(32, torch.Generator().manual_seed(5))
    guessed = shape.heuristics(batch)
    for row in range(32):
        tokens = batch.tokens[row].tolist()
        for position in (batch.targets[row] != IGNORE).nonzero().squeeze(1).tolist():
            expected = _brute_force_heuristics(shape, tokens, position)
            target = batch.targets[row, position].item()
            assert guessed["most_recent_ground_value"][row, position] == float(expected["most_recent"] == target)
            assert guessed["first_ground_value"][row, position] == float(expected["first"] == target)
            assert guessed["random_ground_value"][row, position].item() == pytest.approx(1.0 / expected["count"])


@settings(max_examples=30, deadline=None)
@given(hops=st.integers(1, 4), length=st.integers(4, 48), alphabet=st.integers(2, 8), seed=st.integers(0, 2**31), curriculum=st.booleans())
def test_khop_labels_match_solver_and_no_symbol_follows_itself(hops, length, alphabet, seed, curriculum):
    shape = KHopInduction(hops=hops, length=length, alphabet=alphabet, curriculum=curriculum)
    batch = shape.sample(8, torch.Generator().manual_seed(seed))
    for row in range(8):
        tokens = batch.tokens[row].tolist()
        text = tokens[1:]
        assert all(a != b for a, b in zip(text, text[1:])), "an immediate repeat"
        assert all(0 <= symbol < alphabet for symbol in text)
        answers = solve_khop(tokens, alphabet)
        expected = [shape.null if a is None else a for a in answers]
        assert batch.targets[row, 1:].tolist() == expected, "every position is supervised, with a null answer where there is none"
        marker_hops = tokens[0] - alphabet
        assert (not curriculum and marker_hops == hops) or (curriculum and 1 <= marker_hops <= hops)
        assert bool(batch.is_query[row, -1]) == (marker_hops == hops) and int(batch.is_query[row].sum()) <= 1


def test_khop_heuristics_named_and_bounded():
    shape = KHopInduction(hops=2, length=32, alphabet=4, curriculum=False)
    batch = shape.sample(256, torch.Generator().manual_seed(0))
    guessed = shape.heuristics(batch)
    assert set(guessed) == {"current_symbol", "always_null", "most_frequent_symbol", "random_symbol"}
    at_question = {name: right[batch.is_query].mean().item() for name, right in guessed.items()}
    assert all(0.0 <= value <= 1.0 for value in at_question.values())
    # Without immediate repeats, one hop never lands on the current symbol; two hops can.
    one_hop = KHopInduction(hops=1, length=32, alphabet=4, curriculum=False)
    assert one_hop.heuristics(one_hop.sample(64, torch.Generator().manual_seed(1)))["current_symbol"][:, 1:].max() == 0.0


def test_the_three_splits_are_disjoint():
    shape = chained(1, 10, extra=0)  # a tiny space (a few thousand examples), so collisions would show
    sets = {split: draw(shape, 1500 if split == "train" else 300, torch.Generator().manual_seed(0), split) for split in SPLITS}
    for split, batch in sets.items():
        assert (split_of(batch.tokens) == SPLITS.index(split)).all()
    seen = {split: {tuple(row) for row in batch.tokens.tolist()} for split, batch in sets.items()}
    assert not seen["train"] & seen["check"] and not seen["train"] & seen["verdict"] and not seen["check"] & seen["verdict"]


def test_draw_by_questions_holds_that_many():
    shape = KHopInduction(hops=3, length=24, alphabet=4)  # one example in three asks the question
    batch = draw(shape, 0, torch.Generator().manual_seed(0), "verdict", queries=200)
    assert int(batch.is_query.sum()) == 200 and len(batch) > 200
