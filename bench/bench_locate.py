"""Benchmark: point-in-grid `locate` vs geopandas.sjoin and a plain STRtree, same process, same points.

Usage: python bench/bench_locate.py [--city DIR] [--n 1000000]
       python bench/bench_locate.py --sweep [--city DIR]   # cold-start size sweep: sjoin vs locate's strategies
--city defaults to the full synthetic city in ./city_full (build it with `hzaddr city build --full -o city_full`);
falls back to the embedded city (same 12,000 grids, fewer buildings).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from _timing import best_of


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--city", type=Path, default=Path("city_full"))
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--sweep", action="store_true", help="cold-start size sweep (the locate strategy crossover)")
    ap.add_argument("--sizes", default="1000,10000,100000,1000000,3000000,8000000,10000000")
    args = ap.parse_args()
    if args.sweep:
        sweep(args.city, [int(v) for v in args.sizes.split(",")])
        return
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


def sweep(city: Path, sizes: list[int], max_sjoin: int = 3_000_000) -> None:
    """Per size: the first call of a session (cold) and a later call (warm), geopandas vs locate.

    sjoin = points_from_xy + geopandas.sjoin(predicate="within") (the plain geopandas way); cold builds the
    grids' spatial index, warm reuses it. locate() (the default strategy) cold = a fresh registry (its grid
    STRtree, or the GridIndex above LOCATE_INDEX_MIN_POINTS, is built in the call); warm = the same
    registry again. index = locate(strategy="index") on a fresh registry: GridIndex build + lookup.
    """
    from hangzhou_address.io.city import open_city
    from hangzhou_address.registry import Registry, default_registry
    from hangzhou_address.spatial import LOCATE_INDEX_MIN_POINTS, GridIndex, locate

    base = open_city(city) if (city / "manifest.json").exists() else default_registry()
    grids = base.grids
    print(f"city: {base.metadata.get('path', 'embedded')}: {len(grids):,} grids; "
          f"LOCATE_INDEX_MIN_POINTS = {LOCATE_INDEX_MIN_POINTS:,}")
    codes, geoms = grids["code"].to_numpy(), grids.geometry.values

    def fresh() -> Registry:  # same tables, empty caches: the first call of a session
        return Registry(base.divisions, grids=grids, lineage=base.lineage)

    def cold(f, make, repeat):  # best of `repeat`, each on a freshly made argument (not timed)
        best, out = float("inf"), None
        for _ in range(repeat):
            arg = make()
            t = time.perf_counter()
            out = f(arg)
            best = min(best, time.perf_counter() - t)
        return best, out

    rng = np.random.default_rng(42)
    minx, miny, maxx, maxy = grids.total_bounds
    print(f"{'points':>10} | {'sjoin cold':>10} {'locate cold':>11} | {'sjoin warm':>10} {'locate warm':>11} | "
          f"{'index cold':>10} | same")
    for n in sizes:
        x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)

        def plain(sub):
            pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=4490)
            return gpd.sjoin(pts, sub, predicate="within", how="left")

        def new_grids():
            return gpd.GeoDataFrame({"code": codes}, geometry=geoms.copy(), crs=grids.crs)

        rep = 5 if n <= 100_000 else (3 if n <= 1_000_000 else 1)
        if n <= max_sjoin:
            t_sjc, _ = cold(plain, new_grids, rep)
            warm_grids = new_grids()
            plain(warm_grids)
            t_sjw, _ = best_of(lambda: plain(warm_grids), repeat=rep)
        else:  # sjoin's point geometries alone would take GBs
            t_sjc = t_sjw = float("nan")
        t_c, a = cold(lambda r: locate(x, y, registry=r), fresh, rep)
        warm_reg = fresh()
        locate(x[:10], y[:10], registry=warm_reg)  # a first small call, as in a notebook
        t_w, b = best_of(lambda: locate(x, y, registry=warm_reg), repeat=rep)
        t_i, c = cold(lambda r: locate(x, y, registry=r, strategy="index"), fresh, 1)
        same = bool((a == b).all() and (a == c).all())
        print(f"{n:>10,} | {t_sjc:>10.3f} {t_c:>11.3f} | {t_sjw:>10.3f} {t_w:>11.3f} | {t_i:>10.3f} | {same}")
    # the single-call crossover: where building the index pays for itself against the small-batch path
    n = 300_000
    x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    reg = fresh()
    locate(x, y, registry=reg, strategy="tree")
    t_tree, _ = best_of(lambda: locate(x, y, registry=reg, strategy="tree"), repeat=5)
    t_build, index = best_of(lambda: GridIndex(grids), repeat=3)
    t_idx, _ = best_of(lambda: index.locate(x, y), repeat=5)
    print(f"small-batch path {n / t_tree:,.0f} points/s, GridIndex {n / t_idx:,.0f} points/s, build {t_build:.2f} s "
          f"-> crossover {t_build / (t_tree / n - t_idx / n):,.0f} points (LOCATE_INDEX_MIN_POINTS "
          f"{LOCATE_INDEX_MIN_POINTS:,})")
    print(f"machine: {platform.machine()}, {platform.python_version()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}, date {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
