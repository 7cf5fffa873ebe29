"""Tests for hangzhou_address.io.city and io._atomic: city directories, manifest, laziness, atomicity."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from hangzhou_address import DataError, Registry
from hangzhou_address.io._atomic import atomic_write
from hangzhou_address.io.city import open_city, read_manifest, write_city


def _write(tmp_path, city):
    return write_city(tmp_path / "city", divisions=city.divisions, grids=city.grids, buildings=city.buildings,
                      addresses=city.addresses, lineage=city.lineage, division_areas=city.division_areas,
                      metadata=city.metadata)


def test_round_trip_and_manifest(tmp_path, tiny_city):
    manifest = _write(tmp_path, tiny_city)
    m = read_manifest(manifest.parent)
    assert m["synthetic"] is True and m["crs"] == "EPSG:4490"
    assert m["counts"]["grids"] == len(tiny_city.grids)
    assert all(len(f["sha256"]) == 64 for f in m["files"].values())
    reg = open_city(manifest.parent, verify=True)
    pd.testing.assert_frame_equal(reg.grids.drop(columns="geometry"), tiny_city.grids.drop(columns="geometry"),
                                  check_dtype=False)
    assert reg.grids.geometry.geom_equals_exact(tiny_city.grids.geometry, tolerance=0).all()
    assert reg.buildings["code"].tolist() == tiny_city.buildings["code"].tolist()
    assert reg.addresses["text"].tolist() == tiny_city.addresses["text"].tolist()
    assert reg.grids.crs.to_epsg() == 4490
    assert isinstance(Registry.from_directory(manifest.parent), Registry)


def test_deterministic_bytes(tmp_path, tiny_city):
    a = _write(tmp_path / "a", tiny_city).parent
    b = _write(tmp_path / "b", tiny_city).parent
    for name in ("grids.parquet", "buildings.parquet", "addresses.parquet", "manifest.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_lazy_loading(tmp_path, tiny_city, monkeypatch):
    import hangzhou_address.io.city as city_mod

    d = _write(tmp_path, tiny_city).parent
    calls = []
    real = city_mod._read_listed  # every table file is read through it (read_table too)
    monkeypatch.setattr(city_mod, "_read_listed", lambda *a, **k: (calls.append(a[1]), real(*a, **k))[1])
    reg = open_city(d)
    assert "buildings" not in calls and "grids" not in calls
    reg.grids
    assert calls.count("grids") == 1 and "buildings" not in calls
    reg.grids
    assert calls.count("grids") == 1


def test_checksum_mismatch_detected(tmp_path, tiny_city):
    d = _write(tmp_path, tiny_city).parent
    m = json.loads((d / "manifest.json").read_text())
    m["files"]["grids"]["sha256"] = "0" * 64
    (d / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(DataError, match="checksum"):
        open_city(d, verify=True).grids
    with pytest.raises(DataError, match="not a city directory"):
        open_city(tmp_path / "nowhere")


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target, "w") as fh:
            fh.write("half written")
            raise RuntimeError("crash")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with atomic_write(target, "w") as fh:
        fh.write("new")
    assert target.read_text() == "new"
    from hangzhou_address.io._atomic import current_umask

    assert target.stat().st_mode & 0o777 == 0o666 & ~current_umask()
    with pytest.raises(ValueError):
        with atomic_write(target, "a"):
            pass


def test_embedded_city_is_synthetic_and_lazy():
    from hangzhou_address import default_registry

    reg = default_registry()
    m = reg.metadata["manifest"]
    assert m["synthetic"] is True and m["counts"]["grids"] == 12000
    assert reg.has_table("buildings")


def test_aliases_round_trip_and_lazy(tmp_path, tiny_city, monkeypatch):
    import hangzhou_address.io.city as city_mod

    d = write_city(tmp_path / "city", divisions=tiny_city.divisions, addresses=tiny_city.addresses,
                   aliases=tiny_city.aliases, metadata=tiny_city.metadata).parent
    m = read_manifest(d)
    assert m["counts"]["aliases"] == len(tiny_city.aliases) and m["files"]["aliases"]["geo"] is False
    calls = []
    real = city_mod._read_listed  # every table file is read through it (read_table too)
    monkeypatch.setattr(city_mod, "_read_listed", lambda *a, **k: (calls.append(a[1]), real(*a, **k))[1])
    reg = open_city(d, verify=True)
    assert "aliases" not in calls and reg.has_table("aliases")
    back = reg.aliases
    assert calls.count("aliases") == 1
    pd.testing.assert_frame_equal(back.astype(object).where(back.notna(), None),
                                  tiny_city.aliases.astype(object).where(tiny_city.aliases.notna(), None))
    # the same tables give the same bytes
    d2 = write_city(tmp_path / "city2", divisions=tiny_city.divisions, aliases=tiny_city.aliases).parent
    assert (d / "aliases.parquet").read_bytes() == (d2 / "aliases.parquet").read_bytes()


def test_city_without_aliases_still_opens(tmp_path, tiny_city):
    d = write_city(tmp_path / "old", divisions=tiny_city.divisions, addresses=tiny_city.addresses).parent
    assert "aliases" not in read_manifest(d)["files"]
    reg = open_city(d)
    assert reg.aliases is None and not reg.has_table("aliases")
    assert len(reg.addresses) == len(tiny_city.addresses)


def test_unlisted_aliases_file_is_read(tmp_path, tiny_city):
    # a directory written before the aliases table existed, with aliases.parquet added next to it later
    d = write_city(tmp_path / "old", divisions=tiny_city.divisions, addresses=tiny_city.addresses).parent
    write_city(tmp_path / "new", divisions=tiny_city.divisions, aliases=tiny_city.aliases)
    (d / "aliases.parquet").write_bytes((tmp_path / "new" / "aliases.parquet").read_bytes())
    reg = open_city(d, verify=True)
    assert reg.has_table("aliases") and len(reg.aliases) == len(tiny_city.aliases)


def test_embedded_city_has_synthetic_aliases():
    from hangzhou_address import default_registry

    al = default_registry().aliases
    assert al is not None and len(al) > 100 and al["synthetic"].all()
    assert set(al["alias_kind"]) <= {"former", "short", "developer", "other"}


def _small_city(tmp_path, tiny_city):
    return write_city(tmp_path / "city", divisions=tiny_city.divisions, addresses=tiny_city.addresses).parent


def _point_addresses_at(d, rel):
    m = json.loads((d / "manifest.json").read_text())
    m["files"]["addresses"]["path"] = rel
    (d / "manifest.json").write_text(json.dumps(m))


@pytest.mark.parametrize("how", ["dotdot", "absolute", "nested_dotdot"])
def test_manifest_path_leaving_the_directory_is_refused(tmp_path, tiny_city, how):
    d = _small_city(tmp_path, tiny_city)
    outside = tmp_path / "x.parquet"
    outside.write_bytes((d / "addresses.parquet").read_bytes())  # a readable file: only the path is wrong
    rel = {"dotdot": "../x.parquet", "absolute": str(outside), "nested_dotdot": "sub/../../x.parquet"}[how]
    _point_addresses_at(d, rel)
    from hangzhou_address.io.city import read_table

    with pytest.raises(DataError, match="outside the city directory"):
        read_manifest(d)
    with pytest.raises(DataError, match="outside the city directory"):
        open_city(d)
    with pytest.raises(DataError, match="outside the city directory"):
        read_table(d, "addresses")


def test_symlink_leaving_the_directory_is_refused(tmp_path, tiny_city):
    d = _small_city(tmp_path, tiny_city)
    outside = tmp_path / "x.parquet"
    (d / "addresses.parquet").rename(outside)
    (d / "addresses.parquet").symlink_to(outside)  # the manifest's path is plain; the file leads out
    with pytest.raises(DataError, match="outside the city directory"):
        open_city(d)
    # an unlisted aliases.parquet that is a symlink out of the directory is refused too
    d2 = write_city(tmp_path / "old", divisions=tiny_city.divisions).parent
    write_city(tmp_path / "new", divisions=tiny_city.divisions, aliases=tiny_city.aliases)
    (d2 / "aliases.parquet").symlink_to(tmp_path / "new" / "aliases.parquet")
    with pytest.raises(DataError, match="outside the city directory"):
        open_city(d2)
    # a symlink that stays inside the directory is fine
    d3 = _small_city(tmp_path / "in", tiny_city)
    (d3 / "data").mkdir()
    (d3 / "addresses.parquet").rename(d3 / "data" / "a.parquet")
    (d3 / "addresses.parquet").symlink_to(d3 / "data" / "a.parquet")
    assert len(open_city(d3, verify=True).addresses) == len(tiny_city.addresses)


@pytest.mark.parametrize("manifest", ['[1, 2]', '{"files": {"addresses": "addresses.parquet"}}',
                                      '{"files": {"addresses": {"path": 5}}}', '{"nofiles": 1}'])
def test_malformed_manifest_is_a_data_error(tmp_path, manifest):
    (tmp_path / "manifest.json").write_text(manifest)
    with pytest.raises(DataError):
        open_city(tmp_path)


def test_a_lazy_table_reads_the_version_the_registry_was_opened_at(tmp_path, tiny_city):
    """A registry opened before a new version was published keeps reading its own version's files."""
    from hangzhou_address import lifecycle as lc
    from hangzhou_address.io.versions import apply_to_directory

    d = _write(tmp_path, tiny_city).parent
    old = open_city(d)
    code = tiny_city.buildings["code"].iloc[0]
    apply_to_directory(d, lambda reg: lc.retire_building(reg, code, date="2026-01-01", reason="x"))
    assert old.version == 1 and open_city(d).version == 2
    assert old.buildings.set_index("code").loc[code, "status"] == "active"
    assert open_city(d).buildings.set_index("code").loc[code, "status"] == "retired"
