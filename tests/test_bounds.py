import math

import pytest

from feasibility.bounds import depth_bounds, lower_bound, upper_bound

# The table DESIGN.md gives for the lower bound: D = 1 needs 1 layer, 2-4 need 2, 5-13 need 3, ...
TABLE = {1: 1, **{d: 2 for d in range(2, 5)}, **{d: 3 for d in range(5, 14)}, **{d: 4 for d in range(14, 41)}, **{d: 5 for d in range(41, 122)}}


@pytest.mark.parametrize("hops", range(1, 122))
def test_lower_bound_matches_table_and_formula(hops):
    assert lower_bound(hops) == TABLE[hops]
    assert 3 ** lower_bound(hops) >= 2 * hops > 3 ** (lower_bound(hops) - 1)
    assert lower_bound(hops) == math.ceil(math.log(2 * hops, 3) - 1e-12)


@pytest.mark.parametrize("hops", range(1, 122))
def test_upper_bound_is_floor_log2_plus_two(hops):
    assert upper_bound(hops) == math.floor(math.log2(hops)) + 2
    assert upper_bound(hops) >= lower_bound(hops)


def test_bounds_name_their_sources():
    bounds = depth_bounds(4)
    assert (bounds.lower, bounds.upper) == (2, 4)
    assert "Musat" in bounds.lower_source and "Sanford" in bounds.upper_source


def test_zero_hops_is_rejected():
    with pytest.raises(ValueError):
        lower_bound(0)
