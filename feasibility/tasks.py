"""Synthetic task families, vectorised in torch, each with a brute-force reference solver for the tests.

Chained retrieval (Musat 2024). Each statement is two tokens, `lhs rhs`, meaning "lhs = rhs"; rhs is a
ground value or a variable defined earlier. A chain of D statements `A = 7, B = A, C = B, D = C` is
interleaved with distractor chains; the query `? D` asks for D's ground value (7). The statement at
position h of its chain must read h statements to know its ground value, so its value position is a
link of h hops; the query on the last variable of a D-chain is a D-hop retrieval. With the implicit
curriculum every value position is supervised with its ground value and tagged with its hop count; without
it only the query is supervised.

k-hop induction (Sanford et al. 2024). A marker token `m` then a string over a small alphabet; at each
position the label is the token reached by m hops of "find the previous occurrence of the current token,
move to the token after it". With the curriculum, m is drawn from 1..k per example; without it, m = k.

Training and held-out examples are drawn from disjoint halves of example space: a fixed hash of the tokens
sends 1 in `HELD_OUT_SHARE` examples to the held-out side, and the training stream never yields those.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

IGNORE = -100  # label of positions that carry no target (the cross-entropy ignore index)
HELD_OUT_SHARE = 8  # one example in 8 (by token hash) is reserved for held-out evaluation


@dataclass(frozen=True)
class ChainedRetrieval:
    """Shape of one chained-retrieval example: `chains` chains of `hops` statements plus `? X`."""

    hops: int
    chains: int
    symbols: int  # pool of symbols; each example draws chains * (hops + 1) distinct ones from it
    curriculum: bool = True
    mixed_lengths: bool = True  # distractor chains of lengths hops, hops-1, ..., 1 (else all of length hops)

    family = "chained_retrieval"

    def __post_init__(self):
        if self.chains < 2 or self.hops < 1:
            raise ValueError("need hops >= 1 and chains >= 2 (the target chain and a distractor)")
        if self.symbols < self.chains * (self.hops + 1):
            raise ValueError("need one distinct symbol per ground value and per variable")

    @property
    def chain_lengths(self) -> tuple[int, ...]:
        """Statements per chain; chain 0 is the target. Shorter distractors put more short links in
        every example, which is the curriculum's first rungs."""
        if not self.mixed_lengths:
            return (self.hops,) * self.chains
        return (self.hops,) + tuple(self.hops - i % self.hops for i in range(self.chains - 1))

    @property
    def statements(self) -> int:
        return sum(self.chain_lengths)

    @property
    def sequence_length(self) -> int:
        return 2 * self.statements + 2

    @property
    def vocab_size(self) -> int:
        return 1 + self.symbols  # the query marker "?" (token 0), then the symbols

    def sample(self, batch: int, generator: torch.Generator) -> "Batch":
        """`batch` fresh examples (training and held-out alike; see `draw` for the split)."""
        statements = self.statements
        rows = torch.arange(batch).unsqueeze(1)  # (B, 1) for advanced indexing
        # Ground values and variables come from one pool of symbols, so that nothing but the structure of
        # the statements tells a value from a variable: "answer with any value in sight" is no shortcut.
        symbols = torch.rand(batch, self.symbols, generator=generator).argsort(-1)
        ground = symbols[:, : self.chains]  # (B, chains): distinct leaf symbol per chain
        variables = symbols[:, self.chains : self.chains * (self.hops + 1)].reshape(batch, self.chains, self.hops)
        # Interleave the chains at random while keeping each chain's statements in order.
        slots = torch.arange(self.chains).repeat_interleave(torch.tensor(self.chain_lengths)).expand(batch, statements)
        order = torch.rand(batch, statements, generator=generator).argsort(-1)
        slot_chain = slots.gather(1, order)  # (B, S): which chain each statement belongs to
        one_hot = F.one_hot(slot_chain, self.chains)  # (B, S, chains)
        slot_hop = (one_hot.cumsum(1) * one_hot).sum(-1)  # (B, S): 1-based place in its chain
        lhs = variables[rows, slot_chain, slot_hop - 1]
        previous = variables[rows, slot_chain, (slot_hop - 2).clamp(min=0)]
        slot_ground = ground[rows, slot_chain]  # (B, S)
        rhs = torch.where(slot_hop == 1, slot_ground, previous) + 1

        length = self.sequence_length
        tokens = torch.empty(batch, length, dtype=torch.long)
        tokens[:, 0 : 2 * statements : 2] = lhs + 1
        tokens[:, 1 : 2 * statements : 2] = rhs
        target_chain = torch.zeros(batch, dtype=torch.long)  # chain 0 has full length; its place is random
        tokens[:, -2] = 0  # the query marker "?"
        tokens[:, -1] = 1 + variables[torch.arange(batch), target_chain, self.hops - 1]

        targets = torch.full((batch, length), IGNORE, dtype=torch.long)
        hops = torch.zeros(batch, length, dtype=torch.long)
        if self.curriculum:
            targets[:, 1 : 2 * statements : 2] = 1 + slot_ground
            hops[:, 1 : 2 * statements : 2] = slot_hop
        targets[:, -1] = 1 + ground[torch.arange(batch), target_chain]
        hops[:, -1] = self.hops
        is_query = torch.zeros(batch, length, dtype=torch.bool)
        is_query[:, -1] = True
        return Batch(tokens, targets, hops, is_query)

    def chance(self, batch: "Batch") -> dict[int, float]:
        """Accuracy per hop count of a guesser that picks uniformly among the ground values seen so far.

        A ground value is a right-hand side never defined before it. Hop 1 is a copy of the value written
        at that position, so its chance level is 1.
        """
        statements = self.statements
        lhs = batch.tokens[:, 0 : 2 * statements : 2]  # (B, S)
        rhs = batch.tokens[:, 1 : 2 * statements : 2]  # (B, S)
        earlier = torch.ones(statements, statements, dtype=torch.bool).tril()  # statement j <= i
        defined = ((rhs.unsqueeze(2) == lhs.unsqueeze(1)) & earlier).any(-1)  # (B, S)
        leaves = torch.zeros_like(batch.tokens, dtype=torch.long)
        leaves[:, 1 : 2 * statements : 2] = (~defined).long()
        seen = leaves.cumsum(1).clamp(min=1).float()
        levels: dict[int, float] = {}
        for hop in range(1, self.hops + 1):
            mask = (batch.hops == hop) & (batch.targets != IGNORE) & ~batch.is_query
            if hop == 1:
                levels[hop] = 1.0
            elif mask.any():
                levels[hop] = (1.0 / seen[mask]).mean().item()
        return levels


@dataclass(frozen=True)
class KHopInduction:
    """Shape of one k-hop induction example: a hop marker then a string of `length - 1` symbols."""

    hops: int
    length: int
    alphabet: int
    curriculum: bool = True

    family = "khop_induction"

    @property
    def sequence_length(self) -> int:
        return self.length

    @property
    def vocab_size(self) -> int:
        return self.alphabet + self.hops  # symbols, then one marker per hop count

    def sample(self, batch: int, generator: torch.Generator) -> "Batch":
        n = self.length - 1
        text = torch.randint(self.alphabet, (batch, n), generator=generator)
        if self.curriculum:
            marker = torch.randint(1, self.hops + 1, (batch,), generator=generator)
        else:
            marker = torch.full((batch,), self.hops)
        # previous[b, i]: last j < i with text[b, j] == text[b, i], or -1.
        previous = torch.full((batch, n), -1, dtype=torch.long)
        last_seen = torch.full((batch, self.alphabet), -1, dtype=torch.long)
        rows = torch.arange(batch)
        for i in range(n):
            previous[:, i] = last_seen[rows, text[:, i]]
            last_seen[rows, text[:, i]] = i
        position = torch.arange(n).expand(batch, n).clone()
        valid = torch.ones(batch, n, dtype=torch.bool)
        for step in range(self.hops):
            active = (step < marker).unsqueeze(1)  # (B, 1): this example still has hops to make
            jump = previous.gather(1, position)
            valid &= ~active | (jump >= 0)
            position = torch.where(active & (jump >= 0), jump + 1, position)
        answer = text.gather(1, position)

        tokens = torch.cat([(self.alphabet + marker - 1).unsqueeze(1), text], dim=1)
        targets = torch.full((batch, self.length), IGNORE, dtype=torch.long)
        targets[:, 1:] = torch.where(valid, answer, IGNORE)
        hops = torch.zeros(batch, self.length, dtype=torch.long)
        hops[:, 1:] = torch.where(valid, marker.unsqueeze(1), 0)
        return Batch(tokens, targets, hops, torch.zeros(batch, self.length, dtype=torch.bool))

    def chance(self, batch: "Batch") -> dict[int, float]:
        """A uniform guess over the alphabet."""
        return {hop: 1.0 / self.alphabet for hop in range(1, self.hops + 1)}


TaskShape = ChainedRetrieval | KHopInduction


@dataclass
class Batch:
    """Tokens and labels, all (B, T): targets hold IGNORE where nothing is supervised; hops tag each label."""

    tokens: torch.Tensor
    targets: torch.Tensor
    hops: torch.Tensor
    is_query: torch.Tensor

    def __len__(self) -> int:
        return self.tokens.shape[0]

    def select(self, rows: torch.Tensor) -> "Batch":
        return Batch(self.tokens[rows], self.targets[rows], self.hops[rows], self.is_query[rows])


_HASH_WEIGHTS = torch.randint(1, 2**31 - 1, (4096,), generator=torch.Generator().manual_seed(20241118))


def is_held_out(tokens: torch.Tensor) -> torch.Tensor:
    """(B,) bool: whether each example belongs to the held-out side of example space (a fixed hash)."""
    length = tokens.shape[1]
    weights = _HASH_WEIGHTS[:length] if length <= len(_HASH_WEIGHTS) else _HASH_WEIGHTS.repeat(length // 4096 + 1)[:length]
    return ((tokens + 1) * weights).sum(-1) % HELD_OUT_SHARE == 0


def draw(shape: TaskShape, batch: int, generator: torch.Generator, held_out: bool) -> Batch:
    """`batch` examples from one side of the train / held-out split, never the other."""
    parts: list[Batch] = []
    have = 0
    while have < batch:
        want = batch - have
        oversample = want * HELD_OUT_SHARE + 64 if held_out else want + want // 4 + 16
        candidate = shape.sample(oversample, generator)
        keep = is_held_out(candidate.tokens) == held_out
        chosen = candidate.select(keep.nonzero().squeeze(1)[:want])
        parts.append(chosen)
        have += len(chosen)
    if len(parts) == 1:
        return parts[0]
    return Batch(*(torch.cat([getattr(p, name) for p in parts]) for name in ("tokens", "targets", "hops", "is_query")))


# ---------------------------------------------------------------------------------------------------------
# Brute-force reference solvers: plain Python loops over one example, used by the tests.


def solve_chained(shape: ChainedRetrieval, tokens: list[int]) -> tuple[dict[int, tuple[int, int]], tuple[int, int]]:
    """Walk the statements; return {value position: (ground token, hops)} and (query answer token, hops)."""
    ground: dict[int, int] = {}
    depth: dict[int, int] = {}
    links: dict[int, tuple[int, int]] = {}
    for s in range(shape.statements):
        lhs, rhs = tokens[2 * s], tokens[2 * s + 1]
        assert lhs not in ground, "a variable is defined twice"
        if rhs in ground:  # a variable defined earlier
            ground[lhs], depth[lhs] = ground[rhs], depth[rhs] + 1
        else:  # a ground value
            ground[lhs], depth[lhs] = rhs, 1
        links[2 * s + 1] = (ground[lhs], depth[lhs])
    asked = tokens[-1]
    return links, (ground[asked], depth[asked])


def solve_khop(tokens: list[int], alphabet: int) -> list[int | None]:
    """For each string position, the token reached by m hops (m from the marker), or None."""
    hops = tokens[0] - alphabet + 1
    text = tokens[1:]
    answers: list[int | None] = []
    for i in range(len(text)):
        position: int | None = i
        for _ in range(hops):
            earlier = [j for j in range(position) if text[j] == text[position]]
            if not earlier:
                position = None
                break
            position = earlier[-1] + 1
        answers.append(text[position] if position is not None else None)
    return answers
