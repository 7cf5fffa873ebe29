"""Benchmark: load the full synthetic city (lazy open, then every table) — time and peak memory.

Usage: python bench/bench_load.py [--city city_full]
Compares with plain geopandas.read_parquet of the same files in a separate process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
mode, d = sys.argv[1], sys.argv[2]
if mode == "ours":
    from hangzhou_address.io.city import open_city
    reg = open_city(d)
    t_open = time.perf_counter() - t0
    n = {k: len(getattr(reg, k)) for k in ("grids", "buildings", "addresses", "division_areas")}
else:
    import geopandas as gpd, pandas as pd
    t_open = 0.0
    n = {k: len(gpd.read_parquet(f"{d}/{k}.parquet")) for k in ("grids", "buildings", "division_areas")}
    n["addresses"] = len(pd.read_parquet(f"{d}/addresses.parquet"))
total = time.perf_counter() - t0
print(json.dumps({"open": t_open, "total": total, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "n": n}))
"""


def run(mode: str, city: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(city)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--city", type=Path, default=Path("city_full"))
    args = ap.parse_args()
    if not (args.city / "manifest.json").exists():
        sys.exit(f"{args.city} not found: build it with `hzaddr city build --full -o {args.city}`")
    ours = min((run("ours", args.city) for _ in range(3)), key=lambda r: r["total"])
    peer = min((run("geopandas", args.city) for _ in range(2)), key=lambda r: r["total"])
    print(f"tables: {ours['n']}")
    print(f"open_city (lazy, manifest + divisions): {ours['open']:.2f} s")
    print(f"all tables loaded (incl. Python start + imports): {ours['total']:.2f} s, peak RSS {ours['rss_mb']:.0f} MB")
    print(f"geopandas.read_parquet of the same files: {peer['total']:.2f} s, peak RSS {peer['rss_mb']:.0f} MB "
          f"-> ratio {peer['total'] / ours['total']:.2f}x")
    print(f"date {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
