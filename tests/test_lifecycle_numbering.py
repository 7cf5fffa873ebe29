"""Tests of hangzhou_address.lifecycle.numbering: numbers are never reused, building ids are permanent."""

from __future__ import annotations

import numpy as np
import pytest

from hangzhou_address import lifecycle as lc
from hangzhou_address.errors import ChangeError
from hangzhou_address.lifecycle.numbering import building_ids, issued_numbers, next_building_id, next_numbers


@pytest.fixture(scope="module")
def reg():
    from hangzhou_address.testing import tiny_registry

    return tiny_registry()


def test_issued_numbers_of_a_grid_and_a_community(reg):
    grid = reg.buildings["grid_code"].iloc[0]
    mine = reg.buildings[reg.buildings["grid_code"] == grid]
    assert issued_numbers(reg, grid, "building") == set(mine["number"].astype(int))
    community = grid[:12]
    assert issued_numbers(reg, community, "grid") == set(
        reg.grids.loc[reg.grids["community_code"] == community, "number"].astype(int))
    with pytest.raises(ChangeError, match="parent has 15 characters"):
        issued_numbers(reg, community, "building")


def test_a_retired_number_is_never_issued_again(reg):
    b = reg.buildings
    grid = b["grid_code"].iloc[0]
    top = b.loc[b["grid_code"] == grid].sort_values("number").iloc[-1]
    v2 = reg.apply(lc.retire_building(reg, top["code"], date="2024-03-01", reason="拆迁"))
    assert next_numbers(v2, grid, "building", 2) == [int(top["number"]) + 1, int(top["number"]) + 2]
    cell = v2.grids.loc[v2.grids["code"] == grid, "geometry"].iloc[0]
    v3 = v2.apply(lc.add_building(v2, grid, cell.representative_point().buffer(1e-5), date="2024-03-02",
                                  reason="新建"))
    new = v3.buildings.iloc[-1]
    assert int(new["number"]) == int(top["number"]) + 1  # not the retired building's number
    assert int(new["building_id"]) == next_building_id(reg) == len(reg.buildings) + 1
    # the ids given to the buildings that had none are kept by every later version
    assert np.array_equal(v3.buildings["building_id"].to_numpy()[: len(b) - 1],
                          building_ids(b)[b["code"].to_numpy() != top["code"]])


def test_the_code_space_is_finite(reg):
    grid = reg.buildings["grid_code"].iloc[0]
    with pytest.raises(ChangeError, match="numbers are never reused"):
        next_numbers(reg, grid, "building", 10_000)


def test_issued_numbers_count_the_lineage_of_a_regrid():
    """After a re-grid the lineage holds the old grid and building codes: their numbers stay issued. Checked
    against the definition, code by code, for every parent the tables and the lineage name."""
    import hangzhou_address as ha

    base = ha.default_registry()
    town = "330105013"  # 武林街道 (its grids and buildings are SYNTHETIC)
    reg = base.apply(lc.regrid(base, town, lc.subdivide_grids(base, town, factor=1.45), date="2024-03-01",
                               reason="网格细分"))
    lengths = {"community": (12, 9, 3), "grid": (15, 12, 3), "building": (20, 15, 4)}
    every = {"community": [c for c in reg.divisions["code"] if len(c) == 12], "grid": list(reg.grids["code"]),
             "building": list(reg.buildings["code"])}
    lineage = [c for col in ("old_code", "new_code") for c in reg.lineage[col] if isinstance(c, str)]
    for level, (n, p, w) in lengths.items():
        codes = every[level] + [c for c in lineage if len(c) == n]
        parents = {c[:p] for c in codes if c.startswith(town)}
        assert parents
        for parent in parents:
            expected = {int(c[p:p + w]) for c in codes if c.startswith(parent)}
            assert issued_numbers(reg, parent, level) == expected, (level, parent)
    retired = reg.grids[(reg.grids["status"] == "retired") & reg.grids["code"].str.startswith(town)]
    assert len(retired)  # the old grids are still there, their numbers among the issued ones
    g = retired["code"].iloc[0]
    assert int(g[12:15]) in issued_numbers(reg, g[:12], "grid")
