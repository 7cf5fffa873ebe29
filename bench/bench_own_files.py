"""Benchmark: a city's own files without element columns (issue #14.5) — the building rate of its own texts.

A SYNTHETIC city is written the way docs/data-formats.md documents the minimum (grids and buildings as
GeoPackage, addresses as CSV with ``building_code, text`` only), loaded with ``Registry.from_files`` (the
elements are read from the text at load), and its own texts are matched; the same city loaded with its element
columns is the reference. Messy variants (format + homophone classes, one seed) are matched against both.

Run:  python bench/bench_own_files.py [--scale 0.01] [--districts 330111,330109 | all] [--n 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    import numpy as np

    from hangzhou_address.matcher import Matcher
    from hangzhou_address.registry import Registry
    from hangzhou_address.synth.variants import make_variants
    from hangzhou_address.testing import make_tiny_city

    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--districts", default="330111,330109")
    ap.add_argument("--n", type=int, default=500, help="variants per class")
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.districts == "all":
        from hangzhou_address.synth import build_city

        c = build_city(scale=args.scale)
    else:
        c = make_tiny_city(tuple(args.districts.split(",")), args.scale)
    a = c.addresses
    print(f"SYNTHETIC city: {len(c.buildings):,} buildings, {len(a):,} addresses "
          f"({a['form'].value_counts().to_dict()}), built in {time.perf_counter() - t0:.1f}s")
    with tempfile.TemporaryDirectory() as d:
        c.grids[["code", "community_code", "geometry"]].to_file(f"{d}/g.gpkg", driver="GPKG")
        c.buildings[["code", "grid_code", "geometry"]].to_file(f"{d}/b.gpkg", driver="GPKG")
        a[["building_code", "text"]].to_csv(f"{d}/a.csv", index=False)
        t0 = time.perf_counter()
        own = Registry.from_files(grids=f"{d}/g.gpkg", buildings=f"{d}/b.gpkg", addresses=f"{d}/a.csv",
                                  validate="warn")
        load = time.perf_counter() - t0
    src = own.addresses["elements_from"].value_counts().to_dict()
    print(f"loaded from files in {load:.1f}s (elements read from text: {src}); "
          f"validation: {own.metadata['validation'].summary().splitlines()[0]}")
    full = Registry(c.divisions, lineage=c.lineage, grids=c.grids, buildings=c.buildings, addresses=a)
    variants = [v for v in make_variants(full, args.n, seed=1, classes=("format", "homophone")) if v.determined]
    truth = np.array([v.building_code for v in variants])
    for name, reg in (("element columns", full), ("own files, text only", own)):
        m = Matcher(reg)
        t0 = time.perf_counter()
        r = (m.match_many(a["text"].tolist())["code"].to_numpy() == a["building_code"].to_numpy()).mean()
        v = (m.match_many([x.text for x in variants])["code"].to_numpy() == truth).mean()
        print(f"{name:22s} own texts {r:.2%} buildings, messy variants {v:.2%} (n={len(variants)}) "
              f"[{time.perf_counter() - t0:.1f}s]")


if __name__ == "__main__":
    main()
