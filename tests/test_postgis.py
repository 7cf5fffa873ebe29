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


# ------------------------------------------------ the registry held, and catching up (issue #17, "service")
def _spy(monkeypatch, name):
    """Count the calls of ``pg.<name>`` (still doing what it does)."""
    calls = []
    real = getattr(pg, name)

    def spy(*args, **kw):
        calls.append(args[2] if name == "_read_table" else args[1:2])
        return real(*args, **kw)

    monkeypatch.setattr(pg, name, spy)
    return calls


def _same_registry(a, b):
    """``a`` is what ``b`` (a full read_postgis) is: every table (missing values of object columns alike: None
    in a read), the version, the metadata."""
    for name in TABLES:
        if name not in ("divisions", "lineage"):
            assert a.has_table(name) == b.has_table(name), name
        x, y = _table(a, name), _table(b, name)
        _same_table(x, y, name)
        for c in x.columns:
            if x[c].dtype == object and c != "geometry":
                assert [type(v) for v in x[c] if pd.isna(v) is True] == \
                    [type(v) for v in y[c] if pd.isna(v) is True], (name, c)
    assert a.version == b.version
    assert a.metadata == b.metadata


def _edits(reg):
    """Four edits of different kinds, each a function of the version before it (dates in order)."""
    b = reg.buildings
    community = b["grid_code"].str[:12].value_counts().index[0]
    grid = reg.grids["code"].iloc[2]
    fp = reg.grids.loc[reg.grids["code"] == grid, "geometry"].iloc[0].representative_point().buffer(2e-5)
    return [
        lambda r: lc.retire_building(r, b["code"].iloc[4], date="2026-03-01", reason="拆除"),
        lambda r: lc.add_building(r, grid, fp, addresses=["测试新路8号"], date="2026-03-02", reason="竣工"),
        lambda r: lc.rename_road(r, "宏图路", "测试更名路", district="330108", date="2026-03-03", reason="道路更名"),
        lambda r: lc.regrid(r, community, lc.subdivide_grids(r, community, factor=1.5), date="2026-03-04",
                            reason="网格细分"),
    ]


@pytest.mark.postgis
def test_apply_with_the_registry_held_writes_what_reading_it_writes(dsn, schema, tiny_registry, monkeypatch):
    """``registry=`` the current version: the city is not read under the lock, and the database, the returned
    PostgisVersion and its registry are those of the path that reads it."""
    import dataclasses

    import psycopg
    from psycopg import sql

    fast = f"{schema}_f"
    pg.write_postgis(tiny_registry, dsn, schema=schema)
    pg.write_postgis(tiny_registry, dsn, schema=fast)
    try:
        held = pg.read_postgis(dsn, schema=fast)
        reads = _spy(monkeypatch, "_read")
        for k, edit in enumerate(_edits(tiny_registry)):
            slow = pg.apply_postgis(dsn, [edit], schema=schema)
            n = len(reads)
            out = pg.apply_postgis(dsn, [edit], schema=fast, registry=held)
            assert len(reads) == n, "the fast path read the city"
            assert dataclasses.replace(out, schema=schema) == slow and out.version == k + 2
            back = pg.read_postgis(dsn, schema=fast)
            _same_registry(out.registry, back)
            held = out.registry
        a, b = pg.read_postgis(dsn, schema=schema), pg.read_postgis(dsn, schema=fast)
        for name in TABLES:
            _same_table(_table(a, name), _table(b, name), name)
        assert a.metadata["changes"] == b.metadata["changes"] and a.version == b.version == 5
        with psycopg.connect(dsn) as conn:
            q = sql.SQL("SELECT version, parent_version, change_id, changed FROM {} ORDER BY version")
            assert conn.execute(q.format(sql.Identifier(schema, "versions"))).fetchall() == \
                conn.execute(q.format(sql.Identifier(fast, "versions"))).fetchall()
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(fast)))


@pytest.mark.postgis
def test_a_registry_that_is_not_the_current_version_is_not_used(dsn, written, tiny_registry, monkeypatch):
    codes = tiny_registry.buildings["code"]
    v1 = pg.read_postgis(dsn, schema=written)
    pg.apply_postgis(dsn, lc.retire_building(v1, codes.iloc[0], date="2026-01-01", reason="a"), schema=written)
    reads = _spy(monkeypatch, "_read")
    with pytest.raises(ChangeConflictError, match="version 1"):  # as without registry=
        pg.apply_postgis(dsn, lc.retire_building(v1, codes.iloc[1], date="2026-01-01", reason="b"), schema=written,
                         registry=v1)
    assert pg.schema_version(dsn, schema=written) == 2
    # a function is called with the city read from the database, not with the stale registry
    out = pg.apply_postgis(dsn, [lambda r: lc.retire_building(r, codes.iloc[1], date="2026-01-02", reason="b")],
                           schema=written, registry=v1)
    assert len(reads) == 1 and out.version == 3 and out.registry.version == 3
    _same_registry(out.registry, pg.read_postgis(dsn, schema=written))
    # a registry of the same version number that was not read from this schema (the directory's): read too
    assert tiny_registry.version == 1
    pg.write_postgis(tiny_registry, dsn, schema=written, replace=True)  # written again: another schema
    stale = out.registry
    for reg in (tiny_registry, stale):
        n = len(reads)
        with pytest.raises(ChangeConflictError):
            pg.apply_postgis(dsn, lc.retire_building(stale, codes.iloc[2], date="2026-01-03", reason="c"),
                             schema=written, registry=reg)
        assert len(reads) == n  # (refused before anything is read)
    n = len(reads)
    out = pg.apply_postgis(dsn, [lambda r: lc.retire_building(r, codes.iloc[2], date="2026-01-03", reason="c")],
                           schema=written, registry=tiny_registry)
    assert len(reads) == n + 1  # version 1 as well, but not read from this database: not trusted
    _same_registry(out.registry, pg.read_postgis(dsn, schema=written))


def _str_columns(reg):
    """``reg`` with its addresses' text columns of pandas' ``str`` dtype (missing: NaN), as a city directory
    gives them (the tiny city's are ``object`` with None)."""
    from hangzhou_address.registry import Registry

    a = reg.addresses.astype({c: "str" for c in ("poi", "road", "form")})
    return Registry(reg.divisions, grids=reg.grids, buildings=reg.buildings, addresses=a, lineage=reg.lineage,
                    division_areas=reg.division_areas, aliases=reg.aliases, metadata=reg.metadata)


@pytest.mark.postgis
@pytest.mark.parametrize("columns", ["object", "str"])
def test_catching_up_after_edits_of_every_kind_is_a_full_read(dsn, schema, tiny_registry, monkeypatch, columns):
    """A worker at version v catches up with v+1..v+k reading only the rows added since: equal (every table,
    version, metadata) to read_postgis; step by step and in one go; from a registry read and from one an edit
    returned. ``str``: text columns that an edit turns into ``object`` (their missing values NaN in memory,
    None in a read)."""
    written = schema
    pg.write_postgis(tiny_registry if columns == "object" else _str_columns(tiny_registry), dsn, schema=written)
    reader = pg.read_postgis(dsn, schema=written)
    step = reader
    editor = pg.read_postgis(dsn, schema=written)
    tables = _spy(monkeypatch, "_read_table")
    reads = _spy(monkeypatch, "_read")
    for edit in _edits(tiny_registry):
        editor = pg.apply_postgis(dsn, [edit], schema=written, registry=editor).registry
        del tables[:], reads[:]
        step = pg.refresh_postgis(dsn, step, schema=written)
        assert reads == [] and tables, "caught up without reading anything?"
        full = pg.read_postgis(dsn, schema=written)
        _same_registry(step, full)
        _same_registry(editor, full)
    del tables[:], reads[:]
    caught = pg.refresh_postgis(dsn, reader, schema=written)  # v1 -> v5 in one go
    assert reads == [] and caught.version == 5
    full = pg.read_postgis(dsn, schema=written)
    _same_registry(caught, full)
    assert pg.refresh_postgis(dsn, caught, schema=written) is caught  # nothing new: the same registry
    # (the rows appended were read, not the tables: the buildings were never read whole)
    assert set(tables) <= set(TABLES)
    from hangzhou_address.matcher import Matcher

    texts = list(full.addresses["text"].iloc[::13]) + ["滨江区测试新路8号", "滨江区测试更名路1号"]
    m1, m2 = Matcher(caught), Matcher(full)
    for t in texts:
        a, b = m1.match(t), m2.match(t)
        assert (a.code, a.level, a.confidence) == (b.code, b.level, b.confidence), t


@pytest.mark.postgis
def test_catching_up_reads_only_the_rows_added(dsn, written, tiny_registry, monkeypatch):
    import psycopg
    from psycopg import sql

    reader = pg.read_postgis(dsn, schema=written)
    code = tiny_registry.buildings["code"].iloc[6]
    pg.apply_postgis(dsn, lc.retire_building(reader, code, date="2026-01-01", reason="x"), schema=written)
    with psycopg.connect(dsn) as conn:
        changed = conn.execute(sql.SQL("SELECT changed FROM {} WHERE version = 2").format(
            sql.Identifier(written, "versions"))).fetchone()[0]
    assert changed["tables"]["buildings"]["removed"] == [code]
    assert set(changed["tables"]) == {"buildings", "addresses", "lineage"}
    rows = []
    real = pg._read_table
    monkeypatch.setattr(pg, "_read_table", lambda cur, s, t, cols, **kw: rows.append((t, kw)) or
                        real(cur, s, t, cols, **kw))
    got = pg.refresh_postgis(dsn, reader, schema=written)
    # the rows appended of the three tables, and building_id / change_id (hidden until a change lists them) for
    # the rows kept
    assert sorted(t for t, _ in rows) == ["addresses", "buildings", "buildings", "lineage", "lineage"]
    assert all(kw for _, kw in rows)  # never a whole table
    assert got.grids is reader.grids and got.divisions.equals(reader.divisions)  # untouched: taken as they are
    _same_registry(got, pg.read_postgis(dsn, schema=written))


@pytest.mark.postgis
def test_catching_up_falls_back_to_a_full_read(dsn, written, tiny_registry, monkeypatch):
    """No record of a version (NULL: an older library; no column: an older database), a gap in the versions,
    a schema written again: the whole city is read, and the result is still a full read's."""
    import psycopg
    from psycopg import sql

    codes = tiny_registry.buildings["code"]
    versions = sql.Identifier(written, "versions")
    reads = _spy(monkeypatch, "_read")

    def edit(k, day):
        return [lambda r: lc.retire_building(r, codes.iloc[k], date=f"2026-02-{day:02d}", reason="x")]

    def check(held, full_read):
        n = len(reads)
        got = pg.refresh_postgis(dsn, held, schema=written)
        assert len(reads) == n + full_read
        _same_registry(got, pg.read_postgis(dsn, schema=written))
        return got

    v1 = pg.read_postgis(dsn, schema=written)
    pg.apply_postgis(dsn, edit(0, 1), schema=written)
    with psycopg.connect(dsn) as conn:
        conn.execute(sql.SQL("UPDATE {} SET changed = NULL WHERE version = 2").format(versions))
    v2 = check(v1, True)  # the record is missing
    pg.apply_postgis(dsn, edit(1, 2), schema=written)
    v3 = check(v2, False)
    with psycopg.connect(dsn) as conn:  # a database written before versions.changed
        conn.execute(sql.SQL("ALTER TABLE {} DROP COLUMN changed").format(versions))
    pg.apply_postgis(dsn, edit(2, 3), schema=written)  # adds the column back (and records v4)
    with psycopg.connect(dsn) as conn:
        assert conn.execute(sql.SQL("SELECT version, changed IS NULL FROM {} ORDER BY version").format(versions)
                            ).fetchall() == [(1, True), (2, True), (3, True), (4, False)]
    v4 = check(v3, False)  # v3's record is gone, but v3 is held: only v4's is needed
    pg.apply_postgis(dsn, edit(3, 4), schema=written)
    pg.apply_postgis(dsn, edit(4, 5), schema=written)
    with psycopg.connect(dsn) as conn:  # a gap in the chain of versions
        conn.execute(sql.SQL("DELETE FROM {} WHERE version = 5").format(versions))
    check(v4, True)
    v6 = check(check(v1, True), False)
    pg.write_postgis(tiny_registry, dsn, schema=written, replace=True)  # the schema written again
    assert check(v6, True).version == 1
    check(tiny_registry, True)  # a registry not read from the database


@pytest.mark.postgis
def test_api_edits_read_no_city_the_editor_answers_at_once_the_others_catch_up(dsn, written, tiny_registry, tmp_path,
                                                                                monkeypatch):
    """The editing worker applies the edit to the registry it answers from and answers from the version it
    wrote; another worker catches up reading only the rows changed; neither reads the city (issue #17)."""
    import time

    client, key = _api(dsn, written, tmp_path)
    other, other_key = _api(dsn, written, tmp_path / "other")
    reads = _spy(monkeypatch, "_read")
    code = tiny_registry.buildings["code"].iloc[1]
    edits = [[{"op": "retire_building", "code": code, "date": "2026-12-02", "reason": "拆除"}],
             [{"op": "rename_road", "name": "宏图路", "new_name": "测试更名路", "district": "330108",
               "date": "2026-12-03", "reason": "道路更名"}]]
    for v, body in enumerate(edits, start=1):
        r = client.post("/v1/changes", json=body, headers={**key, "If-Match": str(v)})
        assert r.status_code == 200, r.text
        assert client.get("/healthz").json()["version"] == v + 1  # at once: the version it wrote
    assert client.get(f"/v1/codes/{code}", headers=key).json()["lifecycle"]["status"] == "retired"
    deadline = time.monotonic() + 20
    while other.get("/healthz").json()["version"] != 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert reads == []  # neither the edits nor the catching up read the whole city
    full = pg.read_postgis(dsn, schema=written)
    for c in (client, other):
        _same_registry(c.app.state.city.held(), full)
    row = full.addresses[full.addresses["road"] == "测试更名路"].iloc[0]
    for c, k in ((client, key), (other, other_key)):  # both answer from the new version
        r = c.get("/v1/match", params={"q": row["text"]}, headers=k)
        assert r.status_code == 200 and r.json()["code"] == row["building_code"], r.text


@pytest.mark.postgis
def test_two_service_processes_behind_a_load_balancer_answer_as_one(dsn, written, tiny_registry, tmp_path):
    """Scale-out (issue #17, docs/service.md): two separate ``hzaddr serve --postgis`` processes — two machines,
    as far as this one can tell — behind a round-robin TCP balancer that knows nothing of HTTP. Reads through it
    are answered by both, alike; an edit through it lands once, in the database, and within a few seconds both
    processes answer from the new version; a second edit against the old version is refused, whichever
    process gets it (the version check is the database's, not a process's)."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    httpx = pytest.importorskip("httpx")
    pytest.importorskip("uvicorn")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from _service import free_port, stop_server, wait_until_up

    from _balancer import RoundRobinBalancer

    keys = tmp_path / "keys.toml"
    out = subprocess.run([sys.executable, "-m", "hangzhou_address.cli", "keys", "add", "lb-editor", "--scope", "edit",
                          "--rate", "10000/s", "--keys", str(keys)], capture_output=True, text=True, check=True)
    headers = {"X-API-Key": out.stdout.strip().splitlines()[-1]}
    ports = [free_port(), free_port()]
    servers = [subprocess.Popen([sys.executable, "-m", "hangzhou_address.cli", "serve", "--postgis", dsn,
                                 "--schema", written, "--keys", str(keys), "--port", str(p), "--workers", "1",
                                 "--audit", str(tmp_path / f"audit{p}.jsonl"), "--log-level", "warning"],
                                start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for p in ports]
    lb = None
    try:
        for p, s in zip(ports, servers):
            assert wait_until_up(f"http://127.0.0.1:{p}", s, timeout=120), s.stderr.read().decode()[-2000:]
        lb = RoundRobinBalancer(free_port(), ports)
        url = f"http://127.0.0.1:{lb.port}"
        row = tiny_registry.addresses.iloc[0]
        answers = set()
        for _ in range(8):  # a new connection each time: the balancer alternates
            r = httpx.get(url + "/v1/match", params={"q": row["text"]}, headers=headers, timeout=30)
            assert r.status_code == 200, r.text
            answers.add((r.json()["code"], r.json()["level"]))
        assert answers == {(row["building_code"], "building")}
        assert lb.connections[ports[0]] >= 4 and lb.connections[ports[1]] >= 4

        code = tiny_registry.buildings["code"].iloc[1]
        body = [{"op": "retire_building", "code": code, "date": "2026-12-03", "reason": "拆除"}]
        r = httpx.post(url + "/v1/changes", json=body, headers={**headers, "If-Match": "1"}, timeout=60)
        assert r.status_code == 200, r.text
        deadline = time.monotonic() + 30
        versions = {}
        while time.monotonic() < deadline:
            versions = {p: httpx.get(f"http://127.0.0.1:{p}/healthz", timeout=5).json()["version"] for p in ports}
            if set(versions.values()) == {2}:
                break
            time.sleep(0.25)
        assert set(versions.values()) == {2}, versions
        for _ in range(4):  # both processes, through the balancer, know the building is retired
            got = httpx.get(f"{url}/v1/codes/{code}", headers=headers, timeout=30).json()
            assert got["lifecycle"]["status"] == "retired", got
        stale = [{"op": "retire_building", "code": tiny_registry.buildings["code"].iloc[2], "date": "2026-12-03",
                  "reason": "拆除"}]
        for _ in range(2):  # against version 1 again: refused by either process
            r = httpx.post(url + "/v1/changes", json=stale, headers={**headers, "If-Match": "1"}, timeout=60)
            assert r.status_code in (409, 412), r.text
        assert pg.read_postgis(dsn, schema=written).version == 2  # one edit landed, once
    finally:
        if lb is not None:
            lb.close()
        for s in servers:
            stop_server(s)


@pytest.mark.postgis
def test_an_edit_without_a_registry_reads_the_city_before_the_lock(dsn, written, tiny_registry, monkeypatch):
    """apply_postgis without registry= (a script, a command): the city is read before the version lock is taken
    and used under it when it is still the current version — other editors wait for the change, not for a read
    of the whole city; when another editor got there in between, it is read again under the lock."""
    codes = tiny_registry.buildings["code"]
    locked = []
    real_lock = pg._lock_current

    def lock(cur, schema):
        locked.append(True)
        return real_lock(cur, schema)

    monkeypatch.setattr(pg, "_lock_current", lock)
    reads_under_lock = []
    real_read = pg._read

    def read(*args, **kw):
        reads_under_lock.append(bool(locked))
        return real_read(*args, **kw)

    monkeypatch.setattr(pg, "_read", read)
    out = pg.apply_postgis(dsn, [lambda r: lc.retire_building(r, codes.iloc[0], date="2026-01-01", reason="a")],
                           schema=written)
    assert out.version == 2 and reads_under_lock == [False]  # read once, before the lock
    _same_registry(out.registry, pg.read_postgis(dsn, schema=written))

    # another editor commits between the read and the lock: the city is read again, under the lock
    locked.clear()
    reads_under_lock.clear()
    real_read_postgis = pg.read_postgis

    def read_then_someone_edits(dsn_, *, schema):
        got = real_read_postgis(dsn_, schema=schema)
        monkeypatch.setattr(pg, "read_postgis", real_read_postgis)
        pg.apply_postgis(dsn_, lc.retire_building(got, codes.iloc[1], date="2026-01-02", reason="b"), schema=schema,
                         registry=got)
        locked.clear()
        reads_under_lock.clear()
        return got

    monkeypatch.setattr(pg, "read_postgis", read_then_someone_edits)
    out = pg.apply_postgis(dsn, [lambda r: lc.retire_building(r, codes.iloc[2], date="2026-01-03", reason="c")],
                           schema=written)
    assert out.version == 4 and reads_under_lock == [True]  # the stale read was not used
    full = pg.read_postgis(dsn, schema=written)
    _same_registry(out.registry, full)
    retired = set(full.buildings.loc[full.buildings["status"] == "retired", "code"])
    assert {codes.iloc[0], codes.iloc[1], codes.iloc[2]} <= retired
