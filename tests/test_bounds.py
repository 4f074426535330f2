import math

import pytest

from feasibility.plan.bounds import depth_bounds, lower_bound, upper_bound

# The table DESIGN.md gives for the lower bound: D = 1 needs 1 layer, 2-4 need 2, 5-13 need 3, ...
TABLE = {1: 1, **{d: 2 for d in range(2, 5)}, **{d: 3 for d in range(5, 14)}, **{d: 4 for d in range(14, 41)}, **{d: 5 for d in range(41, 122)}}


def test_lower_bound_is_the_smallest_t_with_3_to_the_t_at_least_2d():
    """For every D of DESIGN.md's table (1 to 121): the table's value, and 3^t >= 2D > 3^(t-1), exactly at the edges."""
    for hops in range(1, 122):
        t = lower_bound(hops)
        assert t == TABLE[hops], hops
        assert 3**t >= 2 * hops > 3 ** (t - 1), hops
        assert t == math.ceil(math.log(2 * hops, 3) - 1e-12), hops


def test_upper_bound_is_floor_log2_plus_two_and_never_below_the_lower():
    for hops in range(1, 122):
        assert upper_bound(hops) == math.floor(math.log2(hops)) + 2, hops
        assert upper_bound(hops) >= lower_bound(hops), hops


def test_bounds_name_their_sources():
    bounds = depth_bounds(4)
    assert (bounds.lower, bounds.upper) == (2, 4)
    assert "Musat" in bounds.lower_source and "Sanford" in bounds.upper_source


def test_zero_hops_is_rejected():
    with pytest.raises(ValueError):
        lower_bound(0)
