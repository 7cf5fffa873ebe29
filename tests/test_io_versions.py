"""Versioned city directories (hangzhou_address.io.versions): apply in place / to a new directory, the change
log, conflicts between processes, nothing written on failure, diff."""

from __future__ import annotations

import json
import multiprocessing as mp
import shutil

import pandas as pd
import pytest

from hangzhou_address import lifecycle as lc
from hangzhou_address.codes import make_building_code
from hangzhou_address.errors import ChangeConflictError, ChangeError, InputError
from hangzhou_address.io import versions
from hangzhou_address.io.changes import read_changeset, write_changeset
from hangzhou_address.io.city import MANIFEST, open_city, read_manifest
from hangzhou_address.io.versions import (LOG_FILE, apply_to_directory, diff_directories, read_change_log,
                                          remove_unlisted_tables)


@pytest.fixture()
def city(tmp_path, tiny_city_dir):
    """A private copy of the tiny SYNTHETIC city directory (version 1)."""
    d = tmp_path / "city"
    shutil.copytree(tiny_city_dir, d)
    return d


def _snapshot(d):
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file() and p.name != versions.LOCK_FILE}


def _retire(k, date="2026-01-01", reason="拆除"):
    return lambda reg: lc.retire_building(reg, reg.buildings["code"].iloc[k], date=date, reason=reason)


def test_plain_directory_is_version_1(city):
    reg = open_city(city)
    assert reg.version == 1 and lc.change_log(reg) == [] and read_change_log(city) == []


def test_apply_in_place(city):
    before = open_city(city)
    old_buildings = before.buildings  # a reader of version 1, loaded lazily below too
    code = old_buildings["code"].iloc[0]
    res = apply_to_directory(city, [_retire(0), _retire(1, "2026-02-01")])
    assert (res.version, res.parent_version, len(res.changes)) == (3, 1, 2)
    m = read_manifest(city)
    assert m["metadata"]["version"] == 3 and m["metadata"]["parent_version"] == 2
    assert m["metadata"]["version_date"] == "2026-02-01" and m["change_log"] == {"path": LOG_FILE, "entries": 2}
    assert m["files"]["buildings"]["path"].startswith("buildings.v3.")
    assert m["files"]["grids"]["path"] == "grids.parquet"  # untouched tables keep their file
    reg = open_city(city, verify=True)
    assert reg.version == 3 and [e["version"] for e in lc.change_log(reg)] == [2, 3]
    assert lc.resolve_code(code, registry=reg).status == "retired"
    assert (city / "buildings.parquet").is_file()  # the old version's files stay for its readers
    gone = before.addresses["building_code"].isin(old_buildings["code"].iloc[:2]).sum()
    assert len(before.addresses) == len(open_city(city).addresses) + gone  # the old reader reads version 1


def test_log_lines_beyond_the_manifest_are_ignored(city):
    apply_to_directory(city, _retire(0))
    with open(city / LOG_FILE, "a", encoding="utf-8") as fh:
        fh.write('{"version": 99}\n')  # a write that never got its manifest
    assert [e["version"] for e in read_change_log(city)] == [2]


def test_apply_to_new_directory(city, tmp_path):
    before = _snapshot(city)
    out = tmp_path / "v2"
    res = apply_to_directory(city, _retire(0), out=out)
    assert res.directory == out and res.version == 2
    assert _snapshot(city) == before
    reg = open_city(out, verify=True)
    assert reg.version == 2 and len(reg.buildings) == len(open_city(city).buildings)
    assert sorted(read_manifest(out)["files"]) == sorted(read_manifest(city)["files"])
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".hzaddr-tmp")]
    res = apply_to_directory(out, _retire(1), out=tmp_path / "v3")  # from a version > 1
    assert [e["version"] for e in read_change_log(res.directory)] == [2, 3]


def test_out_must_be_new_or_empty(city, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(InputError, match="not an empty directory"):
        apply_to_directory(city, _retire(0), out=tmp_path / "full")
    with pytest.raises(InputError, match="not an empty directory"):
        apply_to_directory(city, _retire(0), out=city)
    (tmp_path / "empty").mkdir()
    assert apply_to_directory(city, _retire(0), out=tmp_path / "empty").version == 2


def test_failing_change_writes_nothing(city):
    before = _snapshot(city)
    code = open_city(city).buildings["code"].iloc[0]

    def again(reg):
        return lc.retire_building(reg, code, date="2026-02-01", reason="again")

    with pytest.raises(ChangeError, match="already retired"):
        apply_to_directory(city, [again, again])  # the second fails
    assert _snapshot(city) == before
    with pytest.raises(ChangeError, match="before the registry version"):
        apply_to_directory(city, [_retire(0, "2026-05-01"), _retire(1, "2026-01-01")])
    assert _snapshot(city) == before


def test_change_made_against_an_old_version_conflicts(city, tmp_path):
    reg = open_city(city)
    a = lc.retire_building(reg, reg.buildings["code"].iloc[0], date="2026-01-01", reason="a")
    b = lc.retire_building(reg, reg.buildings["code"].iloc[1], date="2026-01-01", reason="b")
    apply_to_directory(city, a)
    before = _snapshot(city)
    with pytest.raises(ChangeConflictError, match="made against version 1"):
        apply_to_directory(city, read_changeset(write_changeset(b, tmp_path / "b")))
    assert _snapshot(city) == before


def test_conflict_at_the_swap_removes_the_new_files(city, monkeypatch):
    """Another process publishes a version while this one writes its tables: the check under the lock
    sees it, nothing of this apply is published, its files are gone."""
    real = versions._write_new
    calls = []

    def racing(registry, directory, names, stem):
        out = real(registry, directory, names, stem)
        if not calls:
            calls.append(1)
            monkeypatch.setattr(versions, "_write_new", real)
            apply_to_directory(city, _retire(5, reason="the other process"))
        return out

    monkeypatch.setattr(versions, "_write_new", racing)
    with pytest.raises(ChangeConflictError, match="updated to version 2 by another process"):
        apply_to_directory(city, _retire(0))
    m = read_manifest(city)
    assert m["metadata"]["version"] == 2 and read_change_log(city)[0]["reason"] == "the other process"
    listed = {e["path"] for e in m["files"].values()}
    stray = [p.name for p in city.iterdir() if ".v2." in p.name and p.name not in listed]
    assert stray == []


def _apply_worker(args):
    directory, path = args
    try:
        apply_to_directory(directory, read_changeset(path))
        return "ok"
    except ChangeConflictError:
        return "conflict"


def test_two_processes_one_wins(city, tmp_path):
    reg = open_city(city)
    paths = []
    for k in (0, 1):
        cs = lc.retire_building(reg, reg.buildings["code"].iloc[k], date="2026-01-01", reason=f"p{k}")
        paths.append(str(write_changeset(cs, tmp_path / f"cs{k}")))
    with mp.get_context("spawn").Pool(2) as pool:
        got = pool.map(_apply_worker, [(str(city), p) for p in paths])
    assert sorted(got) == ["conflict", "ok"]
    reg = open_city(city, verify=True)
    assert reg.version == 2 and len(lc.change_log(reg)) == 1
    listed = {e["path"] for e in read_manifest(city)["files"].values()}
    assert [p.name for p in city.iterdir() if ".v2." in p.name and p.name not in listed] == []


def test_cleanup_removes_the_replaced_files(city):
    apply_to_directory(city, _retire(0))
    assert (city / "buildings.parquet").is_file()
    removed = remove_unlisted_tables(city)
    assert "buildings.parquet" in removed and "grids.parquet" not in removed
    apply_to_directory(city, _retire(1, "2026-02-01"), cleanup=True)
    listed = {e["path"] for e in read_manifest(city)["files"].values()}
    assert not [p.name for p in city.iterdir() if p.suffix == ".parquet" and p.name not in listed]
    assert open_city(city, verify=True).version == 3


def test_diff(city, tmp_path):
    reg = open_city(city)
    old = reg.buildings["code"].iloc[0]
    row = reg.buildings[reg.buildings["code"] == old].copy()
    new = make_building_code(old[:15], 9999)
    row["code"] = new
    recode = lc.ChangeSet("recode", "2026-01-01", "test", 1, {"buildings": lc.TableChange((old,), row)},
                          pd.DataFrame({"old_code": [old], "new_code": [new], "date": ["2026-01-01"],
                                        "reason": ["test"]}))
    v2 = tmp_path / "v2"
    gone = reg.buildings["code"].iloc[3]
    apply_to_directory(city, [recode, lambda r: lc.retire_building(r, gone, date="2026-01-02", reason="x")], out=v2)
    d = diff_directories(city, v2)
    b = {x.level: x for x in d.levels}["buildings"]
    assert b.recoded == ((old, new),) and b.added == () and b.retired == (gone,)
    assert {x.level: x.counts() for x in d.levels}["grids"] == {"added": 0, "retired": 0, "recoded": 0, "recoded_pairs": 0}
    assert (d.old_version, d.new_version) == (1, 3)
    j = d.to_dict(limit=0)
    assert j["levels"]["buildings"]["counts"] == {"added": 0, "retired": 1, "recoded": 1, "recoded_pairs": 1}
    assert j["levels"]["buildings"]["retired"] == []
    assert json.loads(json.dumps(d.to_dict()))["levels"]["buildings"]["recoded"] == [[old, new]]
    same = diff_directories(city, city)
    assert all(x.counts() == {"added": 0, "retired": 0, "recoded": 0, "recoded_pairs": 0} for x in same.levels)


def test_manifest_is_replaced_last(city, monkeypatch):
    """A failure while writing the new tables leaves the manifest (and so the version) as it was."""
    before = (city / MANIFEST).read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(versions, "_write_table", boom)
    with pytest.raises(OSError, match="disk full"):
        apply_to_directory(city, _retire(0))
    assert (city / MANIFEST).read_bytes() == before and open_city(city).version == 1
