"""Change sets on disk (hangzhou_address.io.changes): round trip, atomic writing, tampering, change requests."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hangzhou_address import lifecycle as lc
from hangzhou_address.errors import DataError, InputError
from hangzhou_address.io.changes import (CHANGESET_FILE, is_changeset_dir, read_change_request, read_changeset,
                                         write_changeset)


def _footprint(reg, k=3):
    g = reg.grids[reg.grids["status"] == "active"].iloc[k]
    p = g.geometry.representative_point()
    return g["code"], shapely.box(p.x - 1e-5, p.y - 1e-5, p.x + 1e-5, p.y + 1e-5)


@pytest.fixture(scope="module")
def changes(tiny_registry):
    reg = tiny_registry
    retire = lc.retire_building(reg, reg.buildings["code"].iloc[0], date="2026-01-01", reason="拆除")
    grid, fp = _footprint(reg)
    add = lc.add_building(reg, grid, fp, addresses=["文三路92号"], date="2026-01-01", reason="新建")
    return {"retire": retire, "add": add}


@pytest.mark.parametrize("kind", ["retire", "add"])
def test_round_trip_same_change_id_and_same_result(tmp_path, tiny_registry, changes, kind):
    cs = changes[kind]
    path = write_changeset(cs, tmp_path / "cs")
    assert is_changeset_dir(path)
    back = read_changeset(path)
    assert back.change_id == cs.change_id
    assert (back.kind, back.date, back.reason, back.parent_version) == (cs.kind, cs.date, cs.reason, cs.parent_version)
    assert dict(back.summary) == dict(cs.summary)
    assert set(back.tables) == set(cs.tables)
    for name, tc in cs.tables.items():
        assert back.tables[name].remove == tc.remove
        assert back.tables[name].n_added == tc.n_added
    a, b = tiny_registry.apply(cs), tiny_registry.apply(back)
    pd.testing.assert_frame_equal(pd.DataFrame(a.buildings.drop(columns="geometry")),
                                  pd.DataFrame(b.buildings.drop(columns="geometry")))
    assert a.buildings.geometry.geom_equals(b.buildings.geometry).all()
    pd.testing.assert_frame_equal(a.lineage, b.lineage)


def test_files_on_disk(tmp_path, changes):
    path = write_changeset(changes["retire"], tmp_path / "cs")
    names = sorted(p.name for p in path.iterdir())
    assert names == sorted([CHANGESET_FILE, "buildings.add.parquet", "buildings.remove.parquet",
                            "addresses.remove.parquet", "lineage.parquet"])
    doc = json.loads((path / CHANGESET_FILE).read_text(encoding="utf-8"))
    assert doc["change_id"] == changes["retire"].change_id and doc["kind"] == "retire_building"
    assert doc["parent_version"] == 1 and doc["summary"] == {"buildings retired": 1, "addresses removed": 1}


def test_existing_path_refused_and_no_temporary_left(tmp_path, changes):
    (tmp_path / "cs").mkdir()
    with pytest.raises(InputError, match="exists already"):
        write_changeset(changes["retire"], tmp_path / "cs")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cs"]
    assert not any((tmp_path / "cs").iterdir())


def test_failed_write_leaves_nothing(tmp_path, changes, monkeypatch):
    import hangzhou_address.io.changes as mod

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(mod, "_write_frame", boom)
    with pytest.raises(OSError, match="disk full"):
        write_changeset(changes["add"], tmp_path / "cs")
    assert list(tmp_path.iterdir()) == []


def test_modified_change_set_refused(tmp_path, changes):
    path = write_changeset(changes["retire"], tmp_path / "cs")
    doc = json.loads((path / CHANGESET_FILE).read_text(encoding="utf-8"))
    doc["reason"] = "something else"
    (path / CHANGESET_FILE).write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataError, match="modified after writing"):
        read_changeset(path)


def test_incomplete_or_foreign_directory_refused(tmp_path, changes):
    with pytest.raises(DataError, match="not a change set"):
        read_changeset(tmp_path)
    path = write_changeset(changes["retire"], tmp_path / "cs")
    (path / "lineage.parquet").unlink()
    with pytest.raises(DataError, match="missing"):
        read_changeset(path)
    doc = json.loads((path / CHANGESET_FILE).read_text(encoding="utf-8"))
    doc["lineage"] = "../../etc/passwd"
    (path / CHANGESET_FILE).write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataError, match="refused"):
        read_changeset(path)


def test_not_a_changeset_refused(tmp_path):
    with pytest.raises(InputError, match="takes a ChangeSet"):
        write_changeset({"kind": "x"}, tmp_path / "cs")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(0, 250))
def test_round_trip_property(tmp_path_factory, tiny_registry, k):
    """Any building's retirement survives the trip to disk with its change id."""
    reg = tiny_registry
    cs = lc.retire_building(reg, reg.buildings["code"].iloc[k], date="2026-05-01", reason=f"r{k}")
    back = read_changeset(write_changeset(cs, tmp_path_factory.mktemp("p") / "cs"))
    assert back.change_id == cs.change_id


# ------------------------------------------------------------------ change requests
def _write(tmp_path, doc, name="req.json"):
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return p


def test_request_operations_made_one_after_the_other(tmp_path, tiny_registry):
    reg = tiny_registry
    grid, fp = _footprint(reg)
    code = reg.buildings["code"].iloc[1]
    ops = read_change_request(_write(tmp_path, [
        {"op": "retire_building", "code": code, "date": "2026-01-01", "reason": "拆除"},
        {"op": "add_building", "grid": grid, "footprint": shapely.geometry.mapping(fp), "addresses": ["文三路92号"],
         "floors": 6, "date": "2026-01-02", "reason": "新建"}]))
    assert len(ops) == 2
    cs1 = ops[0](reg)
    v2 = reg.apply(cs1)
    cs2 = ops[1](v2)
    assert cs2.parent_version == 2
    v3 = v2.apply(cs2)
    new = v3.buildings[~v3.buildings["code"].isin(reg.buildings["code"])]
    assert len(new) == 1 and int(new["floors"].iloc[0]) == 6


@pytest.mark.parametrize("doc, match", [
    ("{not json", "not a JSON change request"),
    ([], "non-empty JSON list"),
    ([{"op": "demolish"}], "unknown op 'demolish'"),
    ([{"op": "retire_building", "code": "x", "date": "2026-01-01"}], "operation 1 .*missing reason"),
    ([{"op": "retire_building", "code": "x", "date": "2026-01-01", "reason": "r", "colour": 1}], "unknown key"),
    ([{"op": "add_building", "grid": "g", "footprint": {"type": "Nope"}, "date": "2026-01-01", "reason": "r"}],
     "not a GeoJSON geometry"),
    ([{"op": "regrid", "code": "330108001001", "grids": "nowhere.geojson", "date": "2026-01-01", "reason": "r"}],
     "nowhere.geojson not found"),
    (["retire"], "is a JSON object"),
])
def test_bad_requests(tmp_path, doc, match):
    with pytest.raises(InputError, match=match):
        read_change_request(_write(tmp_path, doc))


def test_missing_request_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_change_request(tmp_path / "none.json")
