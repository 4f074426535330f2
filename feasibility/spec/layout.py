"""The chained-retrieval layout in integers, shared by the spec check, the plan and the generator (no torch).

An input of T tokens holds (T - 2) // 2 statements of two tokens (`lhs rhs`), a filler token first when T is
odd, and the question `? X` last. The statements form chains: the asked chain of D statements (its last
variable is X, D lookups from its ground value), then distractor chains of D + 1 statements, the last one
shorter when the statements run out. Each chain draws one ground value and D + 1 variables from the pool.
"""

from __future__ import annotations

MAX_PROBE_LENGTH = 2048  # the longest input a probe reads; longer tasks are probed and judged at this length


def minimum_length(hops: int) -> int:
    """Tokens for the asked chain (D statements), one distractor of D + 1 statements and the question."""
    return 2 * (2 * hops + 1) + 2


def chain_lengths(hops: int, length: int) -> tuple[int, ...]:
    """Statements per chain in an input of `length` tokens; chain 0 is the asked one."""
    rest = (length - 2) // 2 - hops
    full, remainder = divmod(rest, hops + 1)
    return (hops,) + (hops + 1,) * full + ((remainder,) if remainder else ())


def symbols_used(hops: int, length: int) -> int:
    """Distinct symbols one example of `length` tokens draws: per chain a ground value and D + 1 variables."""
    return len(chain_lengths(hops, length)) * (hops + 2)
