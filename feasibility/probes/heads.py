"""Inside the probes: how strongly each attention head follows the retrieval chain, when it starts to, and
the attention maps of one held-out example.

Two scores per head, each the attention mass that query positions put on their target positions, averaged
over the query positions that have a target (so 1.0 means "all of its attention goes there"):

- **chain**: from a link's value position to the value positions of the links it depends on (its
  ancestors in the chain: the previous link's value sits at the position after the matching variable). In
  k-hop induction: from a position to the positions that the hops reach (after each earlier match).
- **previous**: from a position to the one just before it, the "previous token" step that lets the next
  layer's chain head find the position after a matching token.

What the scores say once training is over (when a head emerged, the steps each hop count was learned) is read
from the learning curve by `result/inside.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch is imported where scores are computed, so re-rendering a saved result does not need it
    import torch

    from feasibility.plan.tasks import Batch, ChainedRetrieval, KHopInduction, TaskShape

from feasibility.result.inside import INSPECT_EXAMPLES, KINDS


def _chained_targets(shape: ChainedRetrieval, tokens: list[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    defined: dict[int, int] = {}  # variable token -> its statement index
    chain: dict[int, list[int]] = {}
    previous: dict[int, list[int]] = {}
    for s in range(shape.statements):
        value = shape.offset + 2 * s + 1
        lhs, rhs = tokens[value - 1], tokens[value]
        ancestors = []
        link = rhs
        while link in defined:
            earlier = defined[link]
            ancestors.append(earlier)
            link = tokens[earlier]
        if ancestors:
            chain[value] = ancestors
        previous[value] = [value - 1]
        defined[lhs] = value  # the variable's value position
    return chain, previous


def _khop_targets(shape: KHopInduction, tokens: list[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    chain: dict[int, list[int]] = {}
    previous: dict[int, list[int]] = {}
    hops = tokens[0] - shape.alphabet  # the example's marker
    for i in range(1, len(tokens)):
        if i >= 2:
            previous[i] = [i - 1]
        reached, position = [], i
        for _ in range(hops):
            earlier = [j for j in range(1, position) if tokens[j] == tokens[position]]
            if not earlier:
                break
            position = earlier[-1] + 1
            reached.append(position)
        if reached:
            chain[i] = reached
    return chain, previous


def targets(shape: TaskShape, tokens: list[int]) -> dict[str, dict[int, list[int]]]:
    """For one example: {kind: {query position: [target positions]}} for the two scores."""
    chain, previous = _chained_targets(shape, tokens) if shape.family == "chained_retrieval" else _khop_targets(shape, tokens)
    return {"chain": chain, "previous": previous}


def target_masks(shape: TaskShape, tokens: torch.Tensor) -> dict[str, torch.Tensor]:
    """(B, T, T) boolean masks, one per kind: [b, query, key] is True where the key is a target of the query.

    Built with tensor operations, a few per lookup (the Python `targets` is the reference the tests hold
    them to); at 2,048 tokens a loop over positions would cost more than the scores themselves."""
    import torch

    batch, length = tokens.shape
    masks = {kind: torch.zeros(batch, length, length, dtype=torch.bool, device=tokens.device) for kind in KINDS}
    rows = torch.arange(batch, device=tokens.device).view(batch, 1)
    if shape.family == "chained_retrieval":
        count, first = shape.statements, shape.offset
        lhs, rhs = tokens[:, first : first + 2 * count : 2], tokens[:, first + 1 : first + 2 * count : 2]  # (B, S)
        value = first + 1 + 2 * torch.arange(count, device=tokens.device)  # each statement's value position
        earlier = torch.ones(count, count, dtype=torch.bool, device=tokens.device).tril(-1)
        defines = (rhs.unsqueeze(2) == lhs.unsqueeze(1)) & earlier  # [b, s, j]: statement j defines s's value
        has_parent, parent = defines.any(-1), defines.long().argmax(-1)
        query = value.expand(batch, count)
        masks["previous"][rows, query, query - 1] = True
        ancestor, active = parent, has_parent
        for _ in range(shape.hops + 1):  # a chain holds at most D + 1 statements
            hit = active.nonzero(as_tuple=True)
            masks["chain"][hit[0], query[hit], value[ancestor[hit]]] = True
            active = active & has_parent.gather(1, ancestor)
            ancestor = parent.gather(1, ancestor)
        return masks
    from feasibility.plan.tasks import _previous_occurrence

    text = tokens[:, 1:]  # the string after the marker; text index p is token position p + 1
    marker = tokens[:, 0] - shape.alphabet
    previous = _previous_occurrence(text, shape.alphabet)
    query = torch.arange(1, length, device=tokens.device).expand(batch, length - 1)
    masks["previous"][:, torch.arange(2, length), torch.arange(1, length - 1)] = True
    position = query - 1  # in text indices
    active = torch.ones_like(position, dtype=torch.bool)
    for hop in range(shape.hops):
        jump = previous.gather(1, position)
        active = active & (hop < marker).unsqueeze(1) & (jump >= 0)
        hit = active.nonzero(as_tuple=True)
        masks["chain"][hit[0], query[hit], jump[hit] + 2] = True  # the token after the earlier occurrence
        position = torch.where(active, jump + 1, position)
    return masks


def head_scores(pattern: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Attention mass on the targets, averaged over query positions with a target.

    `pattern` is (E, B, H, T, T) softmaxed attention; `mask` is (B, T, T). Returns (E, H)."""
    mass = (pattern * mask[None, :, None]).sum(-1)  # (E, B, H, T)
    has_target = mask.any(-1)  # (B, T)
    count = has_target.sum().clamp(min=1)
    return (mass * has_target[None, :, None]).sum((1, 3)) / count


def scores_by_layer(patterns: dict[str, torch.Tensor], masks: dict[str, torch.Tensor]) -> dict[str, list]:
    """{kind: [member][layer][head] score} from `attention_patterns` output (keys `model.pattern_hook`)."""
    import torch

    from feasibility.probes.model import pattern_hook

    layers = [patterns[pattern_hook(i)] for i in range(len(patterns))]
    result = {}
    for kind in KINDS:
        per_layer = torch.stack([head_scores(p, masks[kind]) for p in layers], dim=1)  # (E, L, H)
        result[kind] = [[[round(v, 4) for v in head] for head in member] for member in per_layer.tolist()]
    return result


def inspection_batch(shape: TaskShape) -> Batch:
    """The fixed held-out examples that head scores and attention maps are measured on."""
    import torch

    from feasibility.plan.tasks import draw

    return draw(shape, INSPECT_EXAMPLES, torch.Generator().manual_seed(424_242), "check")


def chain_positions(shape: TaskShape, tokens: list[int]) -> list[int]:
    """Positions along the chain that the example asks about, in reading order: for chained retrieval the value
    positions of the queried chain's links and the query; for k-hop induction the last position and the
    positions its hops reach."""
    if shape.family == "chained_retrieval":
        asked, defined = tokens[-1], {}
        for s in range(shape.statements):
            defined[tokens[shape.offset + 2 * s]] = shape.offset + 2 * s + 1
        positions = []
        while asked in defined:
            value = defined[asked]
            positions.append(value)
            asked = tokens[value]
        return sorted(positions) + [len(tokens) - 1]
    last = len(tokens) - 1
    return sorted(set(targets(shape, tokens)["chain"].get(last, [])) | {last})
