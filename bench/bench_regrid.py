"""Benchmark: ``lifecycle.regrid`` of one street (all its communities), and ``registry.apply`` of it.

Usage: python bench/bench_regrid.py [--full-district 330105] [--seed 20231] [--no-full]

1. 武林街道 (330105013) on the embedded city (``default_registry()``: 12,000 SYNTHETIC grids, 131,159 SYNTHETIC
   buildings): its grids subdivided ×1.45 (``subdivide_grids``), then ``regrid`` timed cold (the registry's
   tables are loaded lazily: the first call pays for reading them) and warm (best of 3).
2. The same for the town with most buildings of one district of a full-scale synthetic city
   (``synth.build_city(districts=[...], scale=1.0)``), built in-process.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import hangzhou_address as ha  # noqa: E402
from _timing import best_of  # noqa: E402  (bench/ is on the path: the script's own directory)
from hangzhou_address import lifecycle as lc  # noqa: E402


def run(reg, town: str, label: str) -> None:
    t = time.perf_counter()
    new = lc.subdivide_grids(reg, town, factor=1.45)
    t_sub = time.perf_counter() - t
    t = time.perf_counter()
    cs = lc.regrid(reg, town, new, date="2024-03-01", reason="片区治理: 网格细分")
    t_cold = time.perf_counter() - t
    t_warm, cs = best_of(lambda: lc.regrid(reg, town, new, date="2024-03-01", reason="片区治理: 网格细分"))
    t_apply, _ = best_of(lambda: reg.apply(cs))
    s = cs.summary
    print(f"{label}: town {town} {reg.name_of(town)}: {s['communities']} communities, grids {s['grids retired']} → "
          f"{s['grids added']}, {s['buildings recoded']:,} buildings and {s['addresses recoded']:,} addresses re-coded")
    print(f"  subdivide_grids {t_sub:.3f} s | regrid cold {t_cold:.3f} s (tables loaded on first use), "
          f"warm {t_warm:.3f} s (best of 3) | apply {t_apply:.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full-district", default="330105")
    ap.add_argument("--seed", type=int, default=20231)
    ap.add_argument("--no-full", action="store_true")
    a = ap.parse_args()
    print(f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}; grids and buildings are SYNTHETIC")
    run(ha.default_registry(), "330105013", "embedded city")
    if a.no_full:
        return
    from hangzhou_address.registry import Registry
    from hangzhou_address.synth import build_city

    t = time.perf_counter()
    c = build_city(districts=[a.full_district], scale=1.0, seed=a.seed)
    reg = Registry(c.divisions, grids=c.grids, buildings=c.buildings, addresses=c.addresses, lineage=c.lineage,
                   division_areas=c.division_areas, aliases=c.aliases, metadata=c.metadata)
    print(f"full-scale synthetic district {a.full_district}: built in {time.perf_counter() - t:.1f} s "
          f"({len(c.grids):,} grids, {len(c.buildings):,} buildings)")
    per_town = c.buildings["grid_code"].str[:9].value_counts()
    run(reg, "330105013", "full scale, 武林街道")
    run(reg, per_town.index[0], "full scale, the district's largest town")


if __name__ == "__main__":
    main()
