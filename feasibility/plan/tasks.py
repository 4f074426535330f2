"""Synthetic task families, vectorised in torch, each with a brute-force reference solver for the tests.

**What D counts.** D (`hops`) is the number of lookups from the question to the answer, as in Musat (2024):
after `A = 7, B = A`, the question "value of B?" is 2 lookups (B -> A, A -> 7). A link's lookups are
counted the same way: the value position of `B = A` holds A and must answer 7, one lookup; the value
position of `A = 7` holds the answer itself, zero lookups (a copy).

Chained retrieval (Musat 2024). Each statement is two tokens, `lhs rhs`, meaning "lhs = rhs"; rhs is a
ground value or a variable defined earlier. The input holds as many statements as the probe's length allows,
in chains interleaved at random: the asked chain of D statements, then distractor chains of D + 1 statements
(each with one link of D lookups, the curriculum's top rung) and one shorter remainder chain; the final `? X`
asks for the last variable of the asked chain, D lookups. With the implicit curriculum every value position that
needs a lookup is supervised with its ground value and tagged with its lookups (1 to D); without it only the
question is.

k-hop induction (Sanford et al. 2024, as in their reference task). A marker token for m, then a string over
a small alphabet in which no symbol follows itself; at every position the label is the symbol reached by m
hops of "find the previous occurrence of the current symbol, move to the symbol after it", or a null answer
where a hop finds no earlier occurrence. With the curriculum m is drawn from 1..K per example; without it,
m = K. The last position of an example with m = K is its question.

Example space is split three ways by a fixed hash of the tokens (`split_of`): the training stream, the
*check* set that the stop rule looks at while training, and the *verdict* set that judges the probes once
training has stopped. No example belongs to two of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from feasibility.spec import layout

IGNORE = -100  # label of positions that carry no target (the cross-entropy ignore index)

# Chained retrieval's special tokens; symbols follow them.
QUERY = 0  # the question marker "?"
FILLER = 1  # pads an input of odd length at its start; never supervised
FIRST_SYMBOL = 2

SPLITS = ("train", "check", "verdict")
SPLIT_MODULUS = 8  # by token hash: residue 0 -> check, 1 -> verdict, 2..7 -> training


@dataclass
class Batch:
    """Tokens and labels, all (B, T): targets hold IGNORE where nothing is supervised; hops tag each label with
    the lookups it needs; is_query marks each example's question (the position the verdict is read at)."""

    tokens: torch.Tensor
    targets: torch.Tensor
    hops: torch.Tensor
    is_query: torch.Tensor

    FIELDS = ("tokens", "targets", "hops", "is_query")

    def __len__(self) -> int:
        return self.tokens.shape[0]

    def select(self, rows: torch.Tensor) -> "Batch":
        return Batch(*(getattr(self, name)[rows] for name in self.FIELDS))

    def rows(self, start: int, stop: int | None) -> "Batch":
        """Examples start..stop (a view)."""
        return Batch(*(getattr(self, name)[start:stop] for name in self.FIELDS))

    @classmethod
    def concat(cls, parts: list["Batch"]) -> "Batch":
        return parts[0] if len(parts) == 1 else cls(*(torch.cat([getattr(p, name) for p in parts]) for name in cls.FIELDS))

    def to(self, device) -> "Batch":
        return Batch(*(getattr(self, name).to(device) for name in self.FIELDS))


@dataclass(frozen=True)
class ChainedRetrieval:
    """Shape of one chained-retrieval example of `length` tokens whose question needs `hops` lookups."""

    hops: int
    length: int
    symbols: int  # size of the symbol pool; each example draws `symbols_used` distinct ones from it
    curriculum: bool = True

    family = "chained_retrieval"

    def __post_init__(self):
        if self.hops < 1:
            raise ValueError("need hops >= 1")
        if self.length < layout.minimum_length(self.hops):
            raise ValueError(f"{self.length} tokens cannot hold the asked chain, one distractor chain and the query (need {layout.minimum_length(self.hops)})")
        if self.symbols < self.symbols_used:
            raise ValueError(f"a pool of {self.symbols} symbols is too small: each example draws {self.symbols_used} distinct ones")

    @property
    def sequence_length(self) -> int:
        return self.length

    @property
    def statements(self) -> int:
        return (self.length - 2) // 2

    @property
    def offset(self) -> int:
        """Position of the first statement: 1 when a filler token pads an odd length."""
        return (self.length - 2) % 2

    @property
    def boundaries(self) -> tuple[int, ...]:
        """Positions where skipped-position training may open a gap: the start of every statement after the
        first, and of the question, so a statement's two tokens (and the question's) stay side by side."""
        return tuple(range(self.offset + 2, self.length - 1, 2))

    @property
    def chain_lengths(self) -> tuple[int, ...]:
        """Statements per chain; chain 0 is the asked one (D statements), the rest D + 1 except a shorter last."""
        return layout.chain_lengths(self.hops, self.length)

    @property
    def symbols_used(self) -> int:
        return layout.symbols_used(self.hops, self.length)

    @property
    def vocab_size(self) -> int:
        return FIRST_SYMBOL + self.symbols

    def sample(self, batch: int, generator: torch.Generator) -> Batch:
        """`batch` fresh examples (every split alike; see `draw` for the split)."""
        statements, lengths = self.statements, self.chain_lengths
        chains, longest = len(lengths), self.hops + 1
        device = generator.device  # examples are made where the generator lives (a GPU's, for training there)
        rows = torch.arange(batch, device=device).unsqueeze(1)  # (B, 1) for advanced indexing
        # Ground values and variables come from one pool of symbols, so that nothing but the structure of
        # the statements tells a value from a variable: "answer with any value in sight" is no shortcut.
        symbols = torch.rand(batch, self.symbols, generator=generator, device=device).argsort(-1)[:, : chains * (longest + 1)]
        ground = symbols[:, :chains]  # (B, chains): one ground value per chain
        variables = symbols[:, chains:].reshape(batch, chains, longest)  # (B, chains, D+1)
        # Interleave the chains at random while keeping each chain's statements in order.
        slots = torch.arange(chains, device=device).repeat_interleave(torch.tensor(lengths, device=device)).expand(batch, statements)
        order = torch.rand(batch, statements, generator=generator, device=device).argsort(-1)
        slot_chain = slots.gather(1, order)  # (B, S): which chain each statement belongs to
        one_hot = F.one_hot(slot_chain, chains)  # (B, S, chains)
        place = (one_hot.cumsum(1) * one_hot).sum(-1)  # (B, S): 1-based place of the statement in its chain
        lhs = variables[rows, slot_chain, place - 1]
        previous = variables[rows, slot_chain, (place - 2).clamp(min=0)]
        slot_ground = ground[rows, slot_chain]  # (B, S)
        rhs = torch.where(place == 1, slot_ground, previous)

        first, end = self.offset, self.offset + 2 * statements
        tokens = torch.full((batch, self.length), FILLER, dtype=torch.long, device=device)
        tokens[:, first:end:2] = FIRST_SYMBOL + lhs
        tokens[:, first + 1 : end : 2] = FIRST_SYMBOL + rhs
        tokens[:, -2] = QUERY
        tokens[:, -1] = FIRST_SYMBOL + variables[:, 0, self.hops - 1]  # the last variable of the asked chain

        targets = torch.full((batch, self.length), IGNORE, dtype=torch.long, device=device)
        hops = torch.zeros(batch, self.length, dtype=torch.long, device=device)
        if self.curriculum:
            # Every link that needs a lookup is supervised with its ground value and tagged with its lookups. A
            # chain's first value is a copy of the token itself: supervising it taught probes to answer with the
            # token in front of them everywhere, a trap that held 2 of 3 seeds at 0% for 1,000 steps.
            lookups = place - 1  # a statement's value needs one lookup per statement before it in its chain
            targets[:, first + 1 : end : 2] = torch.where(lookups > 0, FIRST_SYMBOL + slot_ground, IGNORE)
            hops[:, first + 1 : end : 2] = lookups
        targets[:, -1] = FIRST_SYMBOL + ground[:, 0]
        hops[:, -1] = self.hops
        is_query = torch.zeros(batch, self.length, dtype=torch.bool, device=device)
        is_query[:, -1] = True
        return Batch(tokens, targets, hops, is_query)

    def heuristics(self, batch: Batch) -> dict[str, torch.Tensor]:
        """Guessers that ignore the chain, each as the (B, T) probability that it answers each position right.

        A ground value is a right-hand side that is never a variable (no statement defines it). The guessers:
        the most recent ground value, the first ground value, and a ground value in sight drawn at random."""
        tokens, targets = batch.tokens, batch.targets
        size, length = tokens.shape
        first, end = self.offset, self.offset + 2 * self.statements
        defined = torch.zeros(size, self.vocab_size, dtype=torch.bool)
        defined.scatter_(1, tokens[:, first:end:2], True)  # (B, V): which symbols are variables
        is_ground = torch.zeros(size, length, dtype=torch.bool)
        is_ground[:, first + 1 : end : 2] = ~defined.gather(1, tokens[:, first + 1 : end : 2])
        position = torch.arange(length).expand(size, length)
        latest = torch.where(is_ground, position, -1).cummax(1).values  # (B, T): last ground position so far
        most_recent = tokens.gather(1, latest.clamp(min=0))
        earliest = tokens.gather(1, is_ground.long().argmax(1, keepdim=True)).expand(size, length)
        seen = is_ground.long().cumsum(1).clamp(min=1).float()
        return {
            "most_recent_ground_value": (most_recent == targets).float() * (latest >= 0),
            "first_ground_value": (earliest == targets).float(),
            "random_ground_value": 1.0 / seen,  # the answer is always among the ground values in sight
        }


@dataclass(frozen=True)
class KHopInduction:
    """Shape of one k-hop induction example: a hop marker then a string of `length - 1` symbols."""

    hops: int
    length: int
    alphabet: int
    curriculum: bool = True

    family = "khop_induction"

    def __post_init__(self):
        if self.hops < 1 or self.alphabet < 2 or self.length < 3:
            raise ValueError("need hops >= 1, an alphabet of 2 or more and at least 3 tokens")

    @staticmethod
    def minimum_length(hops: int) -> int:
        return 2 * hops + 2

    @property
    def sequence_length(self) -> int:
        return self.length

    @property
    def boundaries(self) -> tuple[int, ...]:
        """Positions where skipped-position training may open a gap: after the marker, between any two symbols."""
        return tuple(range(1, self.length))

    @property
    def null(self) -> int:
        """The answer where a hop finds no earlier occurrence (Sanford et al.'s "does not exist")."""
        return self.alphabet

    @property
    def vocab_size(self) -> int:
        return self.alphabet + 1 + self.hops  # symbols, the null answer, then one marker per hop count

    def sample(self, batch: int, generator: torch.Generator) -> Batch:
        n = self.length - 1
        device = generator.device
        # No symbol follows itself: each step adds 1..alphabet-1 (mod alphabet) to the previous symbol.
        start = torch.randint(self.alphabet, (batch, 1), generator=generator, device=device)
        steps = torch.randint(1, self.alphabet, (batch, n - 1), generator=generator, device=device)
        text = torch.cat([start, start + steps.cumsum(1)], dim=1) % self.alphabet  # (B, n)
        if self.curriculum:
            marker = torch.randint(1, self.hops + 1, (batch,), generator=generator, device=device)
        else:
            marker = torch.full((batch,), self.hops, device=device)
        previous = _previous_occurrence(text, self.alphabet)
        index = torch.arange(n, device=device)
        position = index.expand(batch, n).clone()
        valid = torch.ones(batch, n, dtype=torch.bool, device=device)
        for step in range(self.hops):
            active = (step < marker).unsqueeze(1)  # (B, 1): this example still has hops to make
            jump = previous.gather(1, position)
            valid &= ~active | (jump >= 0)
            position = torch.where(active & (jump >= 0), jump + 1, position)
        answer = torch.where(valid, text.gather(1, position), self.null)

        tokens = torch.cat([(self.alphabet + marker).unsqueeze(1), text], dim=1)
        targets = torch.full((batch, self.length), IGNORE, dtype=torch.long, device=device)
        targets[:, 1:] = answer
        hops = torch.zeros(batch, self.length, dtype=torch.long, device=device)
        hops[:, 1:] = marker.unsqueeze(1)
        is_query = torch.zeros(batch, self.length, dtype=torch.bool, device=device)
        is_query[:, -1] = marker == self.hops
        return Batch(tokens, targets, hops, is_query)

    def heuristics(self, batch: Batch) -> dict[str, torch.Tensor]:
        """Guessers that ignore the hops: the current symbol, always null, the most frequent symbol so far, and a
        uniformly random symbol; each as the (B, T) probability that it answers each position right."""
        tokens, targets = batch.tokens, batch.targets
        text = tokens.clone()
        text[:, 0] = 0  # the marker is not a symbol
        counts = F.one_hot(text, self.vocab_size)[..., : self.alphabet].cumsum(1)
        counts[:, 0] = 0
        frequent = counts.argmax(-1)  # ties go to the smaller symbol
        return {
            "current_symbol": (tokens == targets).float(),
            "always_null": (targets == self.null).float(),
            "most_frequent_symbol": (frequent == targets).float(),
            "random_symbol": (targets < self.alphabet).float() / self.alphabet,
        }


TaskShape = ChainedRetrieval | KHopInduction


def _previous_occurrence(text: torch.Tensor, alphabet: int) -> torch.Tensor:
    """(B, n) long: for each position i, the last j < i with text[j] == text[i], or -1 (a running maximum per
    symbol). Shared by the k-hop generator and the head scores' target masks."""
    batch, n = text.shape
    index = torch.arange(n, device=text.device)
    occurrences = torch.where(F.one_hot(text, alphabet).bool(), index.view(1, n, 1), -1)  # (B, n, A)
    latest = occurrences.cummax(1).values  # (B, n, A): last occurrence of each symbol up to i
    before = torch.cat([torch.full((batch, 1, alphabet), -1, device=text.device), latest[:, :-1]], dim=1)
    return before.gather(2, text.unsqueeze(2)).squeeze(2)


_HASH_WEIGHTS = torch.randint(1, 2**31 - 1, (4096,), generator=torch.Generator().manual_seed(20241118))


def split_of(tokens: torch.Tensor) -> torch.Tensor:
    """(B,) long: which split each example belongs to (index into SPLITS), by a fixed hash of its tokens."""
    length = tokens.shape[1]
    weights = _HASH_WEIGHTS.repeat(length // len(_HASH_WEIGHTS) + 1)[:length].to(tokens.device)
    residue = ((tokens + 1) * weights).sum(-1) % SPLIT_MODULUS
    return torch.where(residue == 0, 1, torch.where(residue == 1, 2, 0))


def draw(shape: TaskShape, batch: int, generator: torch.Generator, split: str = "train", queries: int | None = None) -> Batch:
    """`batch` examples from one split of example space, never another. With `queries`, as many examples as it
    takes to hold that many questions instead (k-hop examples with m < K hold none)."""
    wanted = SPLITS.index(split)
    share = 1 - 2 / SPLIT_MODULUS if split == "train" else 1 / SPLIT_MODULUS
    goal = batch if queries is None else queries
    parts: list[Batch] = []
    have, per_example = 0, 1.0  # questions per example, learned from the first draw
    while have < goal:
        candidate = shape.sample(int((goal - have) / per_example / share * 1.1) + 16, generator)
        chosen = candidate.select((split_of(candidate.tokens) == wanted).nonzero().squeeze(1))
        counts = torch.ones(len(chosen), dtype=torch.long, device=chosen.tokens.device) if queries is None else chosen.is_query.any(1).long()
        per_example = max(0.05, counts.float().mean().item()) if len(chosen) else per_example
        before = counts.cumsum(0) - counts  # what the rows before each row bring
        chosen = chosen.select((before < goal - have).nonzero().squeeze(1))
        have += int(counts[: len(chosen)].sum())
        parts.append(chosen)
    return Batch.concat(parts)


# ---------------------------------------------------------------------------------------------------------
# Brute-force reference solvers: plain Python loops over one example, used by the tests.


def solve_chained(shape: ChainedRetrieval, tokens: list[int]) -> tuple[dict[int, tuple[int, int]], tuple[int, int]]:
    """Walk the statements; return {value position: (ground token, lookups)} and (query answer token, lookups)."""
    ground: dict[int, int] = {}
    lookups: dict[int, int] = {}
    links: dict[int, tuple[int, int]] = {}
    for s in range(shape.statements):
        position = shape.offset + 2 * s
        lhs, rhs = tokens[position], tokens[position + 1]
        assert lhs not in ground, "a variable is defined twice"
        if rhs in ground:  # a variable defined earlier: the link needs its lookups, the new variable one more
            ground[lhs], lookups[lhs] = ground[rhs], lookups[rhs] + 1
            links[position + 1] = (ground[rhs], lookups[rhs])
        else:  # a ground value: the link is a copy, and the variable is one lookup away from it
            ground[lhs], lookups[lhs] = rhs, 1
            links[position + 1] = (rhs, 0)
    assert tokens[-2] == QUERY
    asked = tokens[-1]
    return links, (ground[asked], lookups[asked])


def solve_khop(tokens: list[int], alphabet: int) -> list[int | None]:
    """For each string position, the symbol reached by m hops (m from the marker), or None."""
    hops = tokens[0] - alphabet
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
