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
    """Apply random adds / retires (draws: (kind, index) pairs); returns the versions."""
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
        else:
            g = cur.grids.iloc[k % len(cur.grids)]
            cs = lc.add_building(cur, g["code"], g.geometry.representative_point().buffer(1e-5), date=date,
                                 reason="新建")
        versions.append(cur.apply(cs))
    return versions


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["add", "retire"]), st.integers(0, 10_000)), min_size=1, max_size=8))
def test_no_code_or_id_is_ever_issued_twice_and_every_code_resolves(reg, draws):
    versions = _random_city(reg, draws)
    last = versions[-1]
    b = last.buildings
    assert b["code"].is_unique and b["building_id"].is_unique
    ever = pd.concat([v.buildings[["code"]].assign(building_id=building_ids(v.buildings)) for v in versions])
    # one code, one building, in every version: a code is never handed to another building
    assert (ever.groupby("code")["building_id"].nunique() == 1).all()
    st_ = lc.upgrade_codes(ever["code"].unique(), registry=last)
    active = set(b.loc[b["status"] == "active", "code"])
    for code, status, cur in zip(st_["input"], st_["status"], st_["current_code"]):
        assert status == ("current" if code in active else "retired")
        assert cur == (code if code in active else None)
    assert np.all(b.loc[b["status"] == "retired", "valid_to"].notna())
