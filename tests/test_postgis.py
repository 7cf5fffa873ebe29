"""hangzhou_address.io.postgis against a real PostgreSQL + PostGIS ($HZADDR_TEST_POSTGIS; .ci/run starts one).

Without the variable the database tests skip (except in CI, where they fail); with it set and the server
unreachable they fail. Every test writes its own schema and drops it afterwards.
"""

from __future__ import annotations

import os
import threading
import uuid

import numpy as np
import pandas as pd
import pytest

from hangzhou_address import lifecycle as lc
from hangzhou_address.errors import ChangeConflictError, ChangeError, DataError, InputError
from hangzhou_address.io import postgis as pg

DSN_ENV = "HZADDR_TEST_POSTGIS"
EVIL = "'; DROP TABLE grids; --"
TABLES = ("divisions", "grids", "buildings", "addresses", "lineage", "division_areas", "aliases")


@pytest.fixture(scope="module")
def dsn():
    value = os.environ.get(DSN_ENV)
    if not value:
        why = f"{DSN_ENV} is not set (a PostgreSQL + PostGIS database, see docs/postgis.md)"
        if os.environ.get("CI"):
            pytest.fail(f"{why}; CI must start one (.ci/run)")
        pytest.skip(why)
    import psycopg

    try:
        with psycopg.connect(value, connect_timeout=10) as conn:
            conn.execute("SELECT postgis_version()")
    except psycopg.Error as exc:
        pytest.fail(f"{DSN_ENV} is set but the database is unreachable or has no PostGIS "
                    f"({pg.safe_dsn(value)}): {str(exc).strip()[:200]}")
    return value


@pytest.fixture()
def schema(dsn):
    import psycopg
    from psycopg import sql

    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture()
def written(dsn, schema, tiny_registry):
    pg.write_postgis(tiny_registry, dsn, schema=schema)
    return schema


def _table(reg, name):
    return reg.divisions if name == "divisions" else getattr(reg, name)


def _same_table(a, b, name):
    assert list(a.columns) == list(b.columns), name
    assert dict(a.dtypes.astype(str)) == dict(b.dtypes.astype(str)), name
    if "geometry" in a.columns:
        assert a.geometry.geom_equals_exact(b.geometry, 1e-9).all(), name
        a, b = a.drop(columns="geometry"), b.drop(columns="geometry")
    pd.testing.assert_frame_equal(pd.DataFrame(a).reset_index(drop=True), pd.DataFrame(b).reset_index(drop=True),
                                  obj=name)


def _count(dsn, schema, table):
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn) as conn:
        return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))).fetchone()[0]


# ------------------------------------------------------------------------------------ without a database
def test_schema_name_must_be_an_identifier():
    for bad in (EVIL, "a b", "1abc", "", "x" * 64, 'a"b', None, "public.grids"):
        with pytest.raises(InputError):
            pg._check_schema(bad)
    assert pg._check_schema("hangzhou_address") == "hangzhou_address"


def test_safe_dsn_never_shows_the_password():
    for dsn in ("postgresql://alice:s3cr3t@db.example:5433/city", "host=db user=alice password=s3cr3t dbname=city"):
        shown = pg.safe_dsn(dsn)
        assert "s3cr3t" not in shown and "alice" in shown and "city" in shown


def test_unreachable_server_is_a_data_error_without_password():
    with pytest.raises(DataError) as exc:
        pg.read_postgis("postgresql://alice:s3cr3t@127.0.0.1:1/nothing?connect_timeout=2")
    assert "s3cr3t" not in str(exc.value)


# ------------------------------------------------------------------------------------ with a database
@pytest.mark.postgis
def test_round_trip(dsn, written, tiny_registry):
    from hangzhou_address.matcher import Matcher
    from hangzhou_address.registry import Registry
    from hangzhou_address.spatial import locate

    back = Registry.from_postgis(dsn, schema=written)
    for name in TABLES:
        _same_table(_table(tiny_registry, name), _table(back, name), name)
    assert back.version == tiny_registry.version == 1
    assert back.metadata["synthetic"] == tiny_registry.metadata["synthetic"]
    texts = list(tiny_registry.addresses["text"].iloc[::11]) + ["杭州市滨江区西兴街道", "滨江区长河街道江南大道1号"]
    m1, m2 = Matcher(tiny_registry), Matcher(back)
    for t in texts:
        a, b = m1.match(t), m2.match(t)
        assert (a.code, a.level, a.confidence) == (b.code, b.level, b.confidence), t
    b = tiny_registry.buildings
    x = np.r_[b["x"].to_numpy(), 120.0, 120.2]
    y = np.r_[b["y"].to_numpy(), 30.0, 30.2]
    np.testing.assert_array_equal(locate(x, y, registry=tiny_registry), locate(x, y, registry=back))
    assert (locate(x, y, registry=back)[: len(b)] != None).all()  # noqa: E711 - an object array


@pytest.mark.postgis
def test_schema_exists_and_replace(dsn, written, tiny_registry):
    with pytest.raises(InputError, match="exists"):
        pg.write_postgis(tiny_registry, dsn, schema=written)
    counts = pg.write_postgis(tiny_registry, dsn, schema=written, replace=True)
    assert counts["buildings"] == len(tiny_registry.buildings) == _count(dsn, written, "buildings")


@pytest.mark.postgis
def test_a_failed_write_writes_nothing(dsn, schema, tiny_registry):
    from hangzhou_address.registry import Registry

    c = tiny_registry
    bad = c.aliases.copy()
    bad.loc[0, "note"] = 12345  # not text: refused while loading the last table
    reg = Registry(c.divisions, grids=c.grids, buildings=c.buildings, addresses=c.addresses, lineage=c.lineage,
                   division_areas=c.division_areas, aliases=bad, metadata=c.metadata)
    with pytest.raises(DataError, match="note"):
        pg.write_postgis(reg, dsn, schema=schema)
    import psycopg

    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s",
                            (schema,)).fetchone()[0] == 0


@pytest.mark.postgis
def test_apply_writes_the_changed_rows_and_a_version(dsn, written, tiny_registry):
    code = tiny_registry.buildings["code"].iloc[3]
    cs = lc.retire_building(tiny_registry, code, date="2026-01-01", reason="demolished")
    expected = tiny_registry.apply(cs)
    out = pg.apply_postgis(dsn, cs, schema=written)
    assert (out.version, out.parent_version) == (2, 1)
    rows = {t: (d, i) for t, d, i in out.rows}
    assert rows["buildings"] == (1, 1)  # the building's row replaced, nothing else rewritten
    assert rows["lineage"][0] == 0 and rows["lineage"][1] == len(cs.lineage)
    back = pg.read_postgis(dsn, schema=written)
    assert back.version == 2 and back.metadata["parent_version"] == 1
    assert back.metadata["changes"] == expected.metadata["changes"]
    for name in TABLES:
        _same_table(_table(expected, name), _table(back, name), name)
    assert pg.schema_version(dsn, schema=written) == 2
    # a function registry -> ChangeSet is made against the current version
    other = tiny_registry.buildings["code"].iloc[5]
    out = pg.apply_postgis(dsn, [lambda r: lc.retire_building(r, other, date="2026-02-01", reason="demolished")],
                           schema=written)
    assert out.version == 3
    b = pg.read_postgis(dsn, schema=written).buildings
    assert set(b.loc[b["code"].isin([code, other]), "status"]) == {"retired"}


@pytest.mark.postgis
def test_a_change_against_another_version_writes_nothing(dsn, written, tiny_registry):
    codes = tiny_registry.buildings["code"]
    first = lc.retire_building(tiny_registry, codes.iloc[0], date="2026-01-01", reason="a")
    stale = lc.retire_building(tiny_registry, codes.iloc[1], date="2026-01-01", reason="b")
    pg.apply_postgis(dsn, first, schema=written)
    before = pg.read_postgis(dsn, schema=written)
    with pytest.raises(ChangeConflictError, match="version 1"):
        pg.apply_postgis(dsn, stale, schema=written)
    bad = lc.retire_building(before, codes.iloc[2], date="2026-01-01", reason="c")
    with pytest.raises(ChangeError):  # the second is invalid: the first is not written either
        pg.apply_postgis(dsn, [bad, lambda r: lc.retire_building(r, "33010899999999999999", date="2026-01-02",
                                                                 reason="nonexistent")], schema=written)
    after = pg.read_postgis(dsn, schema=written)
    assert after.version == 2
    for name in TABLES:
        _same_table(_table(before, name), _table(after, name), name)


@pytest.mark.postgis
def test_two_editors_at_once_exactly_one_wins(dsn, written, tiny_registry):
    codes = tiny_registry.buildings["code"]
    sets = [lc.retire_building(tiny_registry, codes.iloc[k], date="2026-01-01", reason=f"editor {k}") for k in (7, 8)]
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def run(k):
        barrier.wait()
        try:
            results[k] = pg.apply_postgis(dsn, sets[k], schema=written)
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            results[k] = exc

    threads = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    won = [k for k, r in results.items() if isinstance(r, pg.PostgisVersion)]
    lost = [k for k, r in results.items() if isinstance(r, ChangeConflictError)]
    assert len(won) == 1 and len(lost) == 1, results
    back = pg.read_postgis(dsn, schema=written)
    expected = tiny_registry.apply(sets[won[0]])
    assert back.version == 2
    for name in TABLES:
        _same_table(_table(expected, name), _table(back, name), name)
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn) as conn:
        rows = conn.execute(sql.SQL("SELECT version, parent_version, is_current FROM {} ORDER BY version")
                            .format(sql.Identifier(written, "versions"))).fetchall()
    assert rows == [(1, None, False), (2, 1, True)]


@pytest.mark.postgis
def test_a_waiting_editor_sees_the_version_committed_meanwhile(dsn, written, tiny_registry):
    """The second editor blocks on the locked versions row; when the first commits it gets a conflict."""
    import psycopg
    from psycopg import sql

    codes = tiny_registry.buildings["code"]
    stale = lc.retire_building(tiny_registry, codes.iloc[9], date="2026-01-01", reason="late")
    first = lc.retire_building(tiny_registry, codes.iloc[10], date="2026-01-01", reason="first")
    versions = sql.Identifier(written, "versions")
    result: dict[str, object] = {}
    with psycopg.connect(dsn) as holder:  # holds the lock like an editor in the middle of its transaction
        holder.execute(sql.SQL("SELECT 1 FROM {} WHERE is_current FOR UPDATE").format(versions))

        def run():
            try:
                result["r"] = pg.apply_postgis(dsn, stale, schema=written)
            except Exception as exc:  # noqa: BLE001
                result["r"] = exc

        t = threading.Thread(target=run)
        t.start()
        t.join(1.0)
        assert t.is_alive()  # waiting for the lock
        # the holder commits a new version (what apply_postgis does), written by hand here
        holder.execute(sql.SQL("UPDATE {} SET is_current = false WHERE version = 1").format(versions))
        holder.execute(sql.SQL("INSERT INTO {} (version, parent_version, is_current) VALUES (2, 1, true)")
                       .format(versions))
        holder.commit()
        t.join(60)
    assert isinstance(result["r"], ChangeConflictError), result
    assert pg.schema_version(dsn, schema=written) == 2
    del first


@pytest.mark.postgis
def test_hostile_names_are_data(dsn, written, tiny_registry):
    road = tiny_registry.addresses["road"].dropna().iloc[0]
    cs = lc.rename_road(tiny_registry, road, EVIL, district="330108", date="2026-01-01", reason=EVIL)
    pg.apply_postgis(dsn, cs, schema=written)
    back = pg.read_postgis(dsn, schema=written)
    assert (back.addresses["road"] == EVIL).sum() == (tiny_registry.addresses["road"] == road).sum() > 0
    assert back.metadata["changes"][-1]["reason"] == EVIL
    assert _count(dsn, written, "grids") == len(tiny_registry.grids)
    for bad in (EVIL, f'{written}"; DROP TABLE grids; --'):
        with pytest.raises(InputError):
            pg.write_postgis(tiny_registry, dsn, schema=bad)
        with pytest.raises(InputError):
            pg.read_postgis(dsn, schema=bad)
        with pytest.raises(InputError):
            pg.apply_postgis(dsn, cs, schema=bad)
    assert _count(dsn, written, "grids") == len(tiny_registry.grids)


@pytest.mark.postgis
def test_spatial_indexes_and_types(dsn, written):
    import psycopg

    with psycopg.connect(dsn) as conn:
        idx = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = %s",
                                          (written,)).fetchall()}
        srid = conn.execute("SELECT srid, type FROM geometry_columns WHERE f_table_schema = %s "
                            "AND f_table_name = 'buildings'", (written,)).fetchone()
        # the database answers spatial questions itself: the grid containing a building's centroid
        hit = conn.execute(psycopg.sql.SQL(
            "SELECT g.code FROM {} g JOIN {} b ON ST_Contains(g.geometry, ST_PointOnSurface(b.geometry)) "
            "WHERE b.code = b.code ORDER BY b._ord LIMIT 1").format(
                psycopg.sql.Identifier(written, "grids"), psycopg.sql.Identifier(written, "buildings"))).fetchone()
    assert {"grids_geometry_gist", "buildings_geometry_gist", "division_areas_geometry_gist",
            "buildings_code_idx", "addresses_building_code_idx", "divisions_code_idx"} <= idx
    assert srid == (4490, "GEOMETRY")
    assert hit is not None


@pytest.mark.postgis
def test_cli_to_postgis(dsn, schema, tiny_city_dir, capsys):
    from hangzhou_address.cli import main

    assert main(["city", "to-postgis", str(tiny_city_dir), "--dsn", dsn, "--schema", schema]) == 0
    out = capsys.readouterr().out
    assert f"schema {schema}" in out and "buildings=" in out
    import psycopg.conninfo

    parts = psycopg.conninfo.conninfo_to_dict(dsn)
    assert "password" not in out
    if parts.get("password") and parts["password"] not in {str(v) for k, v in parts.items() if k != "password"}:
        assert parts["password"] not in out
    assert main(["city", "to-postgis", str(tiny_city_dir), "--dsn", dsn, "--schema", schema]) == 1  # exists
    assert "exists" in capsys.readouterr().err


def test_cli_to_postgis_needs_a_dsn(tiny_city_dir, capsys, monkeypatch):
    from hangzhou_address.cli import main

    monkeypatch.delenv(pg.DSN_ENV, raising=False)
    assert main(["city", "to-postgis", str(tiny_city_dir)]) == 1
    assert pg.DSN_ENV in capsys.readouterr().err


def test_the_service_serves_the_city_stored_in_postgis(dsn, written, tiny_registry, monkeypatch, tmp_path):
    """``hzaddr serve --postgis DSN``: each worker reads the registry from the database (issue #17)."""
    from fastapi.testclient import TestClient

    from hangzhou_address.server.app import ENV_CITY, ENV_KEYS, ENV_POSTGIS, ENV_SCHEMA, app_from_environment
    from hangzhou_address.server.keys import KeyStore

    keys = tmp_path / "keys.toml"
    key = KeyStore(keys).add("reader")
    monkeypatch.setenv(ENV_POSTGIS, dsn)
    monkeypatch.setenv(ENV_SCHEMA, written)
    monkeypatch.setenv(ENV_CITY, "")
    monkeypatch.setenv(ENV_KEYS, str(keys))
    client = TestClient(app_from_environment())
    row = tiny_registry.addresses.iloc[3]
    got = client.post("/v1/match", json={"texts": [row["text"]]}, headers={"X-API-Key": key}).json()
    assert got["results"][0]["code"] == row["building_code"]
    changes = client.post("/v1/changes", json=[{"op": "retire_building", "code": row["building_code"],
                                                 "date": "2026-01-01", "reason": "x"}],
                          headers={"X-API-Key": key, "If-Match": "1"})
    assert changes.status_code in (403, 503)  # a read key, and no city directory to edit: nothing written


# ------------------------------------------------------------------------ edits through the API (issue #17)
def _api(dsn, schema, tmp_path, **kw):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from hangzhou_address.server import KeyStore, create_app

    store = KeyStore()
    key = store.add("pg-editor", scope="edit", rate="10000/s")
    app = create_app(pg.read_postgis(dsn, schema=schema), keys=store, page=False, postgis=(dsn, schema),
                     audit=tmp_path / "audit.jsonl", **kw)
    return TestClient(app), {"X-API-Key": key}


@pytest.mark.postgis
def test_an_edit_through_the_api_is_one_transaction_in_postgis(dsn, written, tiny_registry, tmp_path):
    """POST /v1/changes on a PostGIS service: applied to the database (a new version), the service answers from
    it, a stale If-Match is 412 and writes nothing, another service on the same database sees the new version,
    and the audit file has one record per attempt."""
    import json
    import time

    client, key = _api(dsn, written, tmp_path)
    other, _ = _api(dsn, written, tmp_path / "other")  # (tmp_path / "other" need not exist: never written)
    code = tiny_registry.buildings["code"].iloc[0]
    body = [{"op": "retire_building", "code": code, "date": "2026-12-02", "reason": "拆除"}]
    r = client.post("/v1/changes", json=body, headers={**key, "If-Match": "1"})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.headers["ETag"] == '"2"'
    assert pg.schema_version(dsn, schema=written) == 2
    assert client.get("/healthz").json()["version"] == 2
    assert client.get(f"/v1/codes/{code}", headers=key).json()["lifecycle"]["status"] == "retired"
    r = client.post("/v1/changes", json=body, headers={**key, "If-Match": "1"})
    assert r.status_code == 412 and r.headers["ETag"] == '"2"'
    assert pg.schema_version(dsn, schema=written) == 2
    deadline = time.monotonic() + 10  # the other service re-reads the database when its version changes
    while other.get("/healthz").json()["version"] != 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert other.get("/healthz").json()["version"] == 2
    lines = [json.loads(x) for x in (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["outcome"] for x in lines] == ["applied", "stale"] and lines[0]["key"] == "pg-editor"
    assert pg.read_postgis(dsn, schema=written).metadata["changes"][-1]["applied_by"] == "pg-editor"
    assert code not in (tmp_path / "audit.jsonl").read_text(encoding="utf-8")  # never the request body


@pytest.mark.postgis
def test_an_edit_while_the_database_is_unreachable_is_503_and_reads_go_on(dsn, written, tiny_registry, tmp_path):
    """The database goes away (here: the service's DSN points at a closed port): reads keep answering from the
    version in memory, an edit is 503 — nothing half-written, no wrong answer — and is audited as such."""
    import json

    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from hangzhou_address.server import KeyStore, create_app

    store = KeyStore()
    key = {"X-API-Key": store.add("pg-editor", scope="edit", rate="10000/s")}
    gone = "postgresql://hzaddr:x@127.0.0.1:1/nothing?connect_timeout=2"
    app = create_app(pg.read_postgis(dsn, schema=written), keys=store, page=False, postgis=(gone, written),
                     audit=tmp_path / "audit.jsonl")
    client = TestClient(app)
    text = tiny_registry.addresses["text"].iloc[0]
    assert client.get("/v1/match", params={"q": text}, headers=key).json()["level"] == "building"
    code = tiny_registry.buildings["code"].iloc[0]
    r = client.post("/v1/changes", json=[{"op": "retire_building", "code": code, "date": "2026-12-02",
                                          "reason": "拆除"}], headers={**key, "If-Match": "1"})
    assert r.status_code == 503 and "cannot be written" in r.json()["detail"] and "x@" not in r.json()["detail"]
    assert client.get("/v1/match", params={"q": text}, headers=key).json()["level"] == "building"
    assert pg.schema_version(dsn, schema=written) == 1  # (the real database: untouched)
    assert json.loads((tmp_path / "audit.jsonl").read_text(encoding="utf-8"))["outcome"] == "unreachable"
