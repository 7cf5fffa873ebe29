"""Benchmark: a city directory into PostgreSQL + PostGIS — load time, rows and sizes per table
(pg_total_relation_size: heap + indexes + TOAST), read-back time, and one small change applied.

Usage: python bench/bench_postgis.py --city city_full --dsn postgresql://... [--schema bench_city]
(the DSN may come from $HZADDR_POSTGIS_DSN; the schema is replaced). The city is SYNTHETIC below community level.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def sizes(dsn: str, schema: str) -> list[tuple[str, int, int, int]]:
    """``(table, rows, total bytes, index bytes)`` per table of ``schema``."""
    import psycopg
    from psycopg import sql

    out = []
    with psycopg.connect(dsn) as conn:
        names = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1",
                                            (schema,)).fetchall()]
        for n in names:
            ident = sql.Identifier(schema, n)
            rows = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(ident)).fetchone()[0]
            total, idx = conn.execute("SELECT pg_total_relation_size(%s::regclass), pg_indexes_size(%s::regclass)",
                                      (f"{schema}.{n}", f"{schema}.{n}")).fetchone()
            out.append((n, int(rows), int(total), int(idx)))
    return out


def main() -> None:
    from hangzhou_address import lifecycle as lc
    from hangzhou_address.io.city import open_city
    from hangzhou_address.io.postgis import DSN_ENV, apply_postgis, read_postgis, safe_dsn, write_postgis

    ap = argparse.ArgumentParser()
    ap.add_argument("--city", type=Path, default=Path("city_full"))
    ap.add_argument("--dsn", default=os.environ.get(DSN_ENV))
    ap.add_argument("--schema", default="bench_city")
    args = ap.parse_args()
    if not args.dsn:
        sys.exit(f"no database: --dsn or ${DSN_ENV}")
    if not (args.city / "manifest.json").exists():
        sys.exit(f"{args.city} not found: build it with `hzaddr city build --full -o {args.city}`")
    t0 = time.perf_counter()
    reg = open_city(args.city)
    for name in ("grids", "buildings", "addresses", "division_areas", "aliases"):
        getattr(reg, name)
    t_open = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_postgis(reg, args.dsn, schema=args.schema, replace=True)
    t_write = time.perf_counter() - t0
    print(f"{args.city} -> schema {args.schema} of {safe_dsn(args.dsn)}")
    print(f"read the directory: {t_open:.1f} s; write_postgis (one transaction, COPY, indexes, ANALYZE): {t_write:.1f} s")
    total = 0
    for n, rows, b, idx in sizes(args.dsn, args.schema):
        total += b
        print(f"  {n:15s} {rows:>10,} rows  {b / 2**20:9.1f} MiB (indexes {idx / 2**20:7.1f} MiB)")
    print(f"  {'total':15s} {'':>10s}       {total / 2**20:9.1f} MiB")
    t0 = time.perf_counter()
    back = read_postgis(args.dsn, schema=args.schema)
    t_read = time.perf_counter() - t0
    print(f"read_postgis (every table): {t_read:.1f} s; {len(back.buildings):,} buildings")
    code = str(back.buildings["code"].iloc[len(back.buildings) // 2])
    cs = lc.retire_building(back, code, date="2030-01-01", reason="bench")
    t0 = time.perf_counter()
    out = apply_postgis(args.dsn, cs, schema=args.schema)
    t_apply = time.perf_counter() - t0
    print(f"apply_postgis (retire one building; reads the city, writes {out.rows}): {t_apply:.1f} s")


if __name__ == "__main__":
    main()
