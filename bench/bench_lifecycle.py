"""Versions of the full city: ``upgrade_codes`` throughput, applying changes and writing a new version,
``city diff`` of two versions (issue #16).

    python bench/bench_lifecycle.py [--city DIR] [--scale 1.0] [--codes 1200000] [--work DIR]

``--city``: a city directory built by ``hzaddr city build --full`` (else one is built at ``--scale`` into the
work directory first; ~40 s at full scale). Each stage runs in a fresh process so that its peak RSS is its
own. All data below community level is SYNTHETIC.

Targets: upgrade_codes ≥ 1 M codes/s; apply + write of a new full-city version ≤ 30 s; diff ≤ 30 s.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

N_RETIRE = 8
N_ADD = 2


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: the street whose grids the batch re-draws (the seed scenario: ×1.45)
REGRID_TOWN = "330105013"  # 武林街道


def _changes(reg: Any) -> list[Any]:
    """A realistic batch against the city: buildings demolished and new ones, and one street's grids re-drawn
    (each change made against the version the previous one produces)."""
    import shapely

    from hangzhou_address import lifecycle as lc

    b = reg.buildings
    step = max(1, len(b) // (N_RETIRE + 1))
    codes = [str(c) for c in b["code"].iloc[::step][:N_RETIRE]]
    g = reg.grids
    g = g[g["status"] == "active"] if "status" in g else g
    cells = g.iloc[:: max(1, len(g) // (N_ADD + 1))][:N_ADD]
    out: list[Any] = [
        (lambda r, c=c: lc.retire_building(r, c, date="2026-12-01", reason="demolished (bench)")) for c in codes]
    for code, geom in zip(cells["code"], cells.geometry):
        p = geom.representative_point()
        fp = shapely.box(p.x - 2e-5, p.y - 2e-5, p.x + 2e-5, p.y + 2e-5)
        out.append(lambda r, code=code, fp=fp: lc.add_building(r, code, fp, addresses=["测试路1号"],
                                                                date="2026-12-02", reason="new (bench)"))
    if (g["code"].str[:9] == REGRID_TOWN).any():
        out.append(lambda r: lc.regrid(r, REGRID_TOWN, lc.subdivide_grids(r, REGRID_TOWN, factor=1.45),
                                       date="2026-12-03", reason="片区治理: 网格细分 (bench)"))
    return out


def stage_build(work: str, scale: float) -> dict[str, Any]:
    from hangzhou_address.cli._city import build_city_dir

    t = time.perf_counter()
    build_city_dir(Path(work) / "v1", scale=scale)
    return {"seconds": time.perf_counter() - t, "peak_rss_mib": _rss_mib()}


def stage_apply(src: str, out: str | None, inplace_copy: str | None) -> dict[str, Any]:
    from hangzhou_address.io.city import open_city
    from hangzhou_address.io.versions import apply_to_directory

    target = src
    if inplace_copy is not None:
        shutil.copytree(src, inplace_copy)
        target = inplace_copy
    t = time.perf_counter()
    changes = _changes(open_city(target))
    res = apply_to_directory(target, changes, out=out)
    return {"seconds": time.perf_counter() - t, "peak_rss_mib": _rss_mib(), "version": res.version,
            "changes": len(res.changes)}


def stage_diff(old: str, new: str) -> dict[str, Any]:
    from hangzhou_address.io.versions import diff_directories

    t = time.perf_counter()
    d = diff_directories(old, new)
    return {"seconds": time.perf_counter() - t, "peak_rss_mib": _rss_mib(),
            "counts": {x.level: x.counts() for x in d.levels}}


def stage_upgrade(v1: str, v2: str, n: int) -> dict[str, Any]:
    import numpy as np

    from hangzhou_address.io.city import open_city
    from hangzhou_address.lifecycle import upgrade_codes

    reg = open_city(v2)
    rng = np.random.default_rng(16)
    b = reg.buildings
    current = b.loc[b["status"] == "active", "code"].to_numpy(dtype=object)
    retired = b.loc[b["status"] != "active", "code"].to_numpy(dtype=object)
    lin = reg.lineage
    recoded = lin["old_code"].dropna().to_numpy(dtype=object)  # 2021 districts / towns (+ any re-grid)
    unknown = np.array([f"3301{k:016d}" for k in rng.integers(0, 10**15, 5000)], dtype=object)
    parts = [rng.choice(current, int(n * 0.7)), rng.choice(recoded, int(n * 0.15)),
             rng.choice(retired, int(n * 0.05)), rng.choice(unknown, n - int(n * 0.7) - int(n * 0.15) - int(n * 0.05))]
    codes = np.concatenate(parts)
    rng.shuffle(codes)
    codes = codes.tolist()
    t = time.perf_counter()
    first = upgrade_codes(codes, registry=reg)  # builds the lineage table once
    cold = time.perf_counter() - t
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        upgrade_codes(codes, registry=reg)
        best = min(best, time.perf_counter() - t)
    return {"codes": len(codes), "cold_seconds": cold, "warm_seconds": best, "codes_per_s": len(codes) / best,
            "statuses": {k: int(v) for k, v in first["status"].value_counts().items()}, "peak_rss_mib": _rss_mib()}


def _run(fn: Any, *args: Any) -> dict[str, Any]:
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--city", type=Path, help="an existing (full) city directory, version 1")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--codes", type=int, default=1_200_000)
    ap.add_argument("--work", type=Path, help="work directory (default: a temporary one, removed)")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="bench_lifecycle."))
    results: dict[str, Any] = {}
    try:
        if args.city is None:
            results["build"] = _run(stage_build, str(work), args.scale)
            print("build", results["build"], flush=True)
            v1 = work / "v1"
        else:
            v1 = args.city
        v2 = work / "v2"
        results["apply_out"] = _run(stage_apply, str(v1), str(v2), None)
        print("apply + write a new directory", results["apply_out"], flush=True)
        results["apply_in_place"] = _run(stage_apply, str(v1), None, str(work / "v1_copy"))
        print("apply in place (copy of v1)", results["apply_in_place"], flush=True)
        results["diff"] = _run(stage_diff, str(v1), str(v2))
        print("diff v1 v2", results["diff"], flush=True)
        results["upgrade"] = _run(stage_upgrade, str(v1), str(v2), args.codes)
        print("upgrade_codes", results["upgrade"], flush=True)
        print(json.dumps(results, indent=1, ensure_ascii=False))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
