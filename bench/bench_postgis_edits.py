"""Benchmark: one edit of the city stored in PostGIS, as the HTTP service makes it, and a worker catching up.

For each edit: ``apply_postgis`` without ``registry=``, as a script calls it (until 2026-12-03 the city was read
under the version lock; now before it, and used under it if it is still current) and the way the service calls
it (``registry=`` the version the worker answers from; nothing read), and the time the version lock is held (a probe connection tries the lock every 10 ms). Then a worker that did not edit:
catching up by reading the whole city (``read_postgis``, before) and with ``refresh_postgis`` (now), each with
the matcher built for the new version before the swap; the caught-up registry is compared with a full read
(every table, the version, the metadata).

Usage: python bench/bench_postgis_edits.py --dsn postgresql://... [--schema bench_city] [--city city_full]
(the DSN may come from $HZADDR_POSTGIS_DSN; ``--city`` writes the city into the schema first, replacing it;
without it the schema must hold a city, e.g. from bench/bench_postgis.py). The city is SYNTHETIC below
community level; the script prints no address, only counts and times.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's package, not an installed one


class LockProbe:
    """Measures how long others hold the current ``versions`` row's lock: ``FOR UPDATE NOWAIT`` every 10 ms."""

    def __init__(self, dsn: str, schema: str) -> None:
        import psycopg
        from psycopg import sql

        self.conn = psycopg.connect(dsn)
        self.stmt = sql.SQL("SELECT 1 FROM {} WHERE is_current FOR UPDATE NOWAIT").format(
            sql.Identifier(schema, "versions"))
        self.held_s, self._stop = 0.0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        since = None
        while not self._stop.is_set():
            try:
                self.conn.execute(self.stmt)
                if since is not None:
                    self.held_s, since = self.held_s + time.perf_counter() - since, None
            except psycopg.errors.LockNotAvailable:
                since = since if since is not None else time.perf_counter()
            finally:
                self.conn.rollback()
            time.sleep(0.01)

    def __enter__(self) -> LockProbe:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self.thread.join(5)
        self.conn.close()


def timed(fn: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def edit(dsn: str, schema: str, change: Any, registry: Any = None) -> tuple[Any, float, float]:
    """Apply ``change`` (a function registry -> ChangeSet, as the service does); (result, seconds, lock held)."""
    from hangzhou_address.io.postgis import apply_postgis

    with LockProbe(dsn, schema) as probe:
        out, s = timed(lambda: apply_postgis(dsn, [change], schema=schema, registry=registry))
        time.sleep(0.05)
    return out, s, probe.held_s


def changes(reg: Any) -> list[tuple[str, Any]]:
    """Four edits of different kinds (against whatever version they are applied to, dates in order)."""
    from hangzhou_address import lifecycle as lc

    b = reg.buildings
    active = b[b["status"] == "active"]
    codes = active["code"].iloc[[len(active) // 3, len(active) // 2]].tolist()
    grid = str(reg.grids["code"].iloc[len(reg.grids) // 2])
    fp = reg.grids.loc[reg.grids["code"] == grid, "geometry"].iloc[0].representative_point().buffer(2e-5)
    a = reg.addresses.dropna(subset=["road"])
    per_road = a.groupby(["district_code", "road"]).size()
    (district, road) = per_road[per_road.between(20, 60)].index[0]
    small = active["grid_code"].str[:12].value_counts()
    community = str(small[small.between(100, 200)].index[0])
    return [
        ("retire one building", lambda r: lc.retire_building(r, codes[0], date="2031-01-01", reason="bench")),
        ("retire one building", lambda r: lc.retire_building(r, codes[1], date="2031-01-02", reason="bench")),
        ("add one building", lambda r: lc.add_building(r, grid, fp, addresses=["基准新路1号"], date="2031-01-03",
                                                      reason="bench")),
        (f"rename a road ({per_road[(district, road)]} addresses)",
         lambda r: lc.rename_road(r, road, "基准更名路", district=district, date="2031-01-04", reason="bench")),
        (f"regrid a community ({small[community]} buildings)",
         lambda r: lc.regrid(r, community, lc.subdivide_grids(r, community, factor=1.5), date="2031-01-05",
                             reason="bench")),
    ]


def same(a: Any, b: Any) -> None:
    """Assert that ``a`` equals the full read ``b``; a difference is reported by table and column only (never
    the values: they are addresses)."""
    try:
        _same(a, b)
    except AssertionError as exc:
        where = str(exc).splitlines()[0] if str(exc) else ""
        raise SystemExit("NOT EQUAL to a full read: " + where.split(" are different")[0].split(" values")[0][:80]) \
            from None


def _same(a: Any, b: Any) -> None:
    import pandas as pd

    from hangzhou_address.io.city import TABLES
    from hangzhou_address.lifecycle.changeset import table_of

    for name in TABLES:
        x, y = table_of(a, name), table_of(b, name)
        assert (x is None) == (y is None), name
        if x is None:
            continue
        assert list(x.columns) == list(y.columns) and dict(x.dtypes.astype(str)) == dict(y.dtypes.astype(str)), name
        if "geometry" in x.columns:
            assert x.geometry.geom_equals_exact(y.geometry, 0).all(), name
            x, y = x.drop(columns="geometry"), y.drop(columns="geometry")
        pd.testing.assert_frame_equal(pd.DataFrame(x), pd.DataFrame(y), obj=name)
        for c in x.columns:  # missing values alike (None in a read)
            if x[c].dtype == object and c != "geometry":
                assert [type(v) for v in x[c][x[c].isna()]] == [type(v) for v in y[c][y[c].isna()]], \
                    f"{name}.{c} missing values are different"
    assert a.version == b.version, "version"
    assert a.metadata == b.metadata, "metadata"


def main() -> None:
    from hangzhou_address.io.postgis import DSN_ENV, read_postgis, refresh_postgis, safe_dsn, write_postgis
    from hangzhou_address.matcher import default_matcher

    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn", default=os.environ.get(DSN_ENV))
    ap.add_argument("--schema", default="bench_city")
    ap.add_argument("--city", type=Path, default=None, help="write this city directory into the schema first")
    args = ap.parse_args()
    if not args.dsn:
        sys.exit(f"no database: --dsn or ${DSN_ENV}")
    if args.city is not None:
        from hangzhou_address.io.city import open_city

        _, s = timed(lambda: write_postgis(open_city(args.city), args.dsn, schema=args.schema, replace=True))
        print(f"wrote {args.city} into {args.schema}: {s:.1f} s")
    print(f"schema {args.schema} of {safe_dsn(args.dsn)}")
    reader, s_read = timed(lambda: read_postgis(args.dsn, schema=args.schema))
    _, s_matcher = timed(lambda: default_matcher(reader))
    print(f"read_postgis: {s_read:.1f} s (v{reader.version}, {len(reader.buildings):,} buildings); "
          f"matcher {s_matcher:.1f} s")
    todo = changes(reader)
    name, fn = todo[0]
    out, s, held = edit(args.dsn, args.schema, fn)
    print(f"no registry= (a script; since 2026-12-03 the city is read before the lock): {name}: {s:.1f} s, lock "
          f"held {held:.2f} s -> v{out.version}")
    current, prev = out.registry, reader
    for name, fn in todo[1:]:
        out, s, held = edit(args.dsn, args.schema, fn, registry=current)
        rows = ", ".join(f"{t} -{d}/+{i}" for t, d, i in out.rows)
        print(f"now:    {name} with registry=: {s:.2f} s, lock held {held:.2f} s -> v{out.version} ({rows})")
        prev, current = current, out.registry
    _, s_adopt = timed(lambda: default_matcher(current))
    print(f"the editing worker: matcher for the version it wrote {s_adopt:.1f} s (no read)")
    # a worker that did not edit: one version behind, and all of them behind
    for label, held_reg in (("one version behind", prev), (f"{current.version - reader.version} versions behind",
                                                              reader)):
        got, s_ref = timed(lambda: refresh_postgis(args.dsn, held_reg, schema=args.schema))
        _, s_m = timed(lambda: default_matcher(got))
        print(f"catch-up, {label}: refresh_postgis {s_ref:.1f} s + matcher {s_m:.1f} s (v{got.version})")
    full, s_full = timed(lambda: read_postgis(args.dsn, schema=args.schema))
    _, s_fm = timed(lambda: default_matcher(full))
    print(f"catch-up before (read_postgis): {s_full:.1f} s + matcher {s_fm:.1f} s")
    same(got, full)
    same(current, full)
    print("the caught-up registry and the editor's equal a full read (every table, version, metadata)")


if __name__ == "__main__":
    main()
