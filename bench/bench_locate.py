"""Benchmark: point-in-grid `locate` vs geopandas.sjoin and a plain STRtree, same process, same points.

Usage: python bench/bench_locate.py [--city DIR] [--n 1000000]
--city defaults to the full synthetic city in ./city_full (build it with `hzaddr city build --full -o city_full`);
falls back to the embedded city (same 12,000 grids, fewer buildings).
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely


def best_of(f, repeat=3):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--city", type=Path, default=Path("city_full"))
    ap.add_argument("--n", type=int, default=1_000_000)
    args = ap.parse_args()
    from hangzhou_address.io.city import open_city
    from hangzhou_address.registry import default_registry
    from hangzhou_address.spatial import GridIndex, nearest_building

    reg = open_city(args.city) if (args.city / "manifest.json").exists() else default_registry()
    grids = reg.grids
    buildings = reg.buildings
    print(f"city: {reg.metadata.get('path', 'embedded')}: {len(grids):,} grids, {len(buildings):,} buildings")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    index = GridIndex(grids)
    build = time.perf_counter() - t
    print(f"GridIndex build: {build:.2f} s, lookup arrays {index.nbytes / 1e6:.0f} MB, "
          f"{index.nx}x{index.ny} cells of {index.cell * 111_000:.0f} m")

    rng = np.random.default_rng(42)
    minx, miny, maxx, maxy = grids.total_bounds
    x = rng.uniform(minx, maxx, args.n)
    y = rng.uniform(miny, maxy, args.n)

    t_ours, codes = best_of(lambda: index.locate(x, y))
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=4490)
    sub = grids[["code", "geometry"]]
    t_sjoin, joined = best_of(lambda: gpd.sjoin(pts, sub, predicate="within", how="left"), repeat=1)
    joined = joined[~joined.index.duplicated(keep="first")]
    sj = np.array([c if isinstance(c, str) else None for c in joined["code"]], dtype=object)
    disagree = int((sj != codes).sum())

    tree = shapely.STRtree(grids.geometry.values)
    gcodes = grids["code"].to_numpy(dtype=object)

    def strtree():
        qi, gi = tree.query(shapely.points(x, y), predicate="within")
        out = np.full(len(x), None, dtype=object)
        out[qi] = gcodes[gi]
        return out

    t_tree, _ = best_of(strtree, repeat=1)
    print(f"locate      : {args.n / t_ours:>12,.0f} points/s ({t_ours:.3f} s)")
    print(f"gpd.sjoin   : {args.n / t_sjoin:>12,.0f} points/s ({t_sjoin:.3f} s)  -> locate is {t_sjoin / t_ours:.1f}x")
    print(f"STRtree     : {args.n / t_tree:>12,.0f} points/s ({t_tree:.3f} s)  -> locate is {t_tree / t_ours:.1f}x")
    print(f"answers differing from sjoin: {disagree} of {args.n:,} (located: {int((codes != None).sum()):,})")  # noqa: E711

    # nearest building
    m = min(args.n, 200_000)
    pick = rng.integers(0, len(buildings), m)  # GPS fixes scattered ~200 m around real buildings
    bx = buildings["x"].to_numpy()[pick] + rng.normal(0, 0.002, m)
    by = buildings["y"].to_numpy()[pick] + rng.normal(0, 0.002, m)
    t = time.perf_counter()
    nearest_building(bx[:10], by[:10], registry=reg)  # build the index
    print(f"BuildingIndex build: {time.perf_counter() - t:.2f} s")
    t_near, ours = best_of(lambda: nearest_building(bx, by, registry=reg), repeat=3)
    from hangzhou_address.coords import from_cgcs2000

    mx, my = from_cgcs2000(buildings["x"].to_numpy(), buildings["y"].to_numpy(), "EPSG:4549")
    qx, qy = from_cgcs2000(bx, by, "EPSG:4549")
    ptree = shapely.STRtree(shapely.points(mx, my))
    t_qn, (qi, ti) = best_of(lambda: ptree.query_nearest(shapely.points(qx, qy), all_matches=False), repeat=1)
    same = np.isclose(np.hypot(mx[ti] - qx[qi], my[ti] - qy[qi]), ours.distances_m[qi]).mean()
    print(f"nearest_building: {m / t_near:>10,.0f} points/s ({t_near:.3f} s for {m:,}); "
          f"STRtree.query_nearest {m / t_qn:,.0f} points/s -> {t_qn / t_near:.1f}x; same distance {same:.2%}")
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS {rss1 / 1024:.0f} MB (before index {rss0 / 1024:.0f} MB)")
    print(f"machine: {platform.machine()}, {platform.python_version()}, date {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
