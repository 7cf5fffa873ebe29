"""Tests of hangzhou_address.lifecycle.changeset (change sets, versions, apply) on the tiny SYNTHETIC city."""

from __future__ import annotations

import pandas as pd
import pytest

from hangzhou_address import lifecycle as lc
from hangzhou_address.errors import ChangeConflictError, ChangeError
from hangzhou_address.lifecycle.changeset import ChangeSet, TableChange, change_log, check_date, version_of


@pytest.fixture(scope="module")
def reg():
    from hangzhou_address.testing import tiny_registry

    return tiny_registry()


def test_apply_makes_a_new_version_and_leaves_the_old_one_alone(reg):
    code = reg.buildings["code"].iloc[5]
    before = reg.buildings.copy()
    cs = lc.retire_building(reg, code, date="2024-03-01", reason="拆迁")
    new = reg.apply(cs)
    assert (reg.version, new.version) == (1, 2)
    pd.testing.assert_frame_equal(reg.buildings, before)  # the registry applied to is unchanged
    assert new.metadata["parent_version"] == 1 and new.metadata["version_date"] == "2024-03-01"
    (entry,) = change_log(new)
    assert entry == {"version": 2, "parent_version": 1, "change_id": cs.change_id, "kind": "retire_building",
                     "date": "2024-03-01", "reason": "拆迁",
                     "summary": {"buildings retired": 1, "addresses removed": 1}}
    assert change_log(reg) == []
    assert list(new.lineage.tail(1)[["old_code", "date", "reason", "change_id"]].iloc[0]) == [
        code, "2024-03-01", "拆迁", cs.change_id]


def test_a_change_made_against_another_version_is_a_conflict(reg):
    a = lc.retire_building(reg, reg.buildings["code"].iloc[1], date="2024-03-01", reason="拆迁")
    b = lc.retire_building(reg, reg.buildings["code"].iloc[2], date="2024-03-02", reason="拆迁")
    v2 = reg.apply(a)
    with pytest.raises(ChangeConflictError, match="made against version 1, the registry is at version 2"):
        v2.apply(b)
    with pytest.raises(ChangeConflictError):
        v2.apply(a)  # the same change twice


def test_the_change_id_is_a_content_hash(reg):
    code = reg.buildings["code"].iloc[3]
    a = lc.retire_building(reg, code, date="2024-03-01", reason="拆迁")
    b = lc.retire_building(reg, code, date="2024-03-01", reason="拆迁")
    c = lc.retire_building(reg, code, date="2024-03-01", reason="火灾")
    assert a.change_id == b.change_id != c.change_id
    assert len(a.change_id) == 16


def test_dates_are_checked(reg):
    with pytest.raises(ChangeError, match="ISO date"):
        lc.retire_building(reg, reg.buildings["code"].iloc[0], date="2024/03/01", reason="x")
    v2 = reg.apply(lc.retire_building(reg, reg.buildings["code"].iloc[0], date="2024-03-01", reason="x"))
    with pytest.raises(ChangeError, match="before the registry version's date 2024-03-01"):
        check_date(v2, "2024-02-29")
    assert check_date(v2, "2024-03-01") == "2024-03-01"
    assert version_of(v2) == 2


def test_removing_rows_that_do_not_exist_is_refused(reg):
    cs = ChangeSet("batch", "2024-01-01", "test", 1, {"grids": TableChange(("330108999999999",), None)})
    with pytest.raises(ChangeError, match="do not exist"):
        reg.apply(cs)
    with pytest.raises(ChangeError, match="cannot change table"):
        ChangeSet("batch", "2024-01-01", "test", 1, {"manifest": TableChange()})
    with pytest.raises(ChangeError, match="takes a ChangeSet"):
        reg.apply("retire everything")
