"""Tests of hangzhou_address.lifecycle.resolution: old codes resolve to current ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hangzhou_address import lifecycle as lc
from hangzhou_address.lifecycle.numbering import building_ids


@pytest.fixture(scope="module")
def reg():
    from hangzhou_address.testing import tiny_registry

    return tiny_registry()


def test_divisions_of_the_2021_reorganization(official_registry):
    s = lc.resolve_code("330104", registry=official_registry)  # 江干区
    assert s.status == "split" and s.current == ("330102", "330114") and s.current_code is None
    assert lc.resolve_code("330102", registry=official_registry).status == "current"
    assert lc.resolve_code("330199", registry=official_registry).status == "unknown"


def test_upgrade_codes_is_one_row_per_input_in_order(reg):
    gone = reg.buildings["code"].iloc[0]
    new = reg.apply(lc.retire_building(reg, gone, date="2024-03-01", reason="拆除"))
    keep = reg.buildings["code"].iloc[1]
    out = lc.upgrade_codes([keep, gone, "330104", " " + keep.lower() + " ", None, 42, "1234"], registry=new)
    assert list(out.columns) == ["input", "current_code", "status", "reason"]
    assert out["status"].tolist() == ["current", "retired", "split", "current", "unknown", "unknown", "unknown"]
    assert out["current_code"].tolist()[:4] == [keep, None, "330102;330114", keep]
    assert out["input"].tolist()[1] == gone and "拆除" in out["reason"].iloc[1]
    assert out["reason"].iloc[4] == "missing or not a string"
    # the same answers one code at a time
    for code, status in zip(out["input"][:4], out["status"][:4]):
        assert lc.resolve_code(code, registry=new).status == status


def _random_city(reg, draws):
    """Apply random adds / retires / regrids (draws: (kind, index) pairs); returns the versions."""
    versions = [reg]
    day = 1
    for kind, k in draws:
        cur = versions[-1]
        b = cur.buildings
        active = b[b["status"] == "active"]
        date = f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}"
        day += 1
        if kind == "retire" and len(active):
            cs = lc.retire_building(cur, active["code"].iloc[k % len(active)], date=date, reason="拆除")
        elif kind == "regrid":
            communities = sorted(set(active["grid_code"].str[:12]))
            community = communities[k % len(communities)]
            grids = lc.subdivide_grids(cur, community, factor=1.5)
            cs = lc.regrid(cur, community, grids, date=date, reason="网格细分")
        else:
            g = cur.grids[cur.grids["status"] == "active"].iloc[k % int((cur.grids["status"] == "active").sum())]
            cs = lc.add_building(cur, g["code"], g.geometry.representative_point().buffer(1e-5), date=date,
                                 reason="新建")
        versions.append(cur.apply(cs))
    return versions


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["add", "retire", "regrid"]), st.integers(0, 10_000)),
                min_size=1, max_size=6))
def test_no_code_or_id_is_ever_issued_twice_and_every_code_resolves(reg, draws):
    """After any sequence of random adds / retires / regrids: no building or grid code is ever issued
    twice, every building code ever issued resolves to the current code of the same building (or to
    "retired" when that building is gone), and the registry validates."""
    from hangzhou_address.io.validate import validate_city

    versions = _random_city(reg, draws)
    last = versions[-1]
    b = last.buildings
    assert b["code"].is_unique and b["building_id"].is_unique and last.grids["code"].is_unique
    ever = pd.concat([v.buildings[["code"]].assign(building_id=building_ids(v.buildings)) for v in versions])
    # one code, one building, in every version: a code is never handed to another building
    assert (ever.groupby("code")["building_id"].nunique() == 1).all()
    grids_ever = pd.concat([v.grids[["code", "geometry"]] for v in versions]).drop_duplicates("code")
    assert all(grids_ever.set_index("code").geometry.loc[c].equals(g) for c, g in
               zip(last.grids["code"], last.grids.geometry))  # a grid code always meant the same polygon
    first_id = ever.drop_duplicates("code").set_index("code")["building_id"]
    now = b.set_index("building_id")
    st_ = lc.upgrade_codes(first_id.index, registry=last)
    for code, status, cur in zip(st_["input"], st_["status"], st_["current_code"]):
        row = now.loc[first_id[code]]
        if row["status"] == "active":
            assert (status, cur) == ("current" if cur == code else "recoded", row["code"]), code
        else:
            assert (status, cur) == ("retired", None), code
    assert np.all(b.loc[b["status"] == "retired", "valid_to"].notna())
    report = validate_city(last)
    assert report.ok, report.summary()
