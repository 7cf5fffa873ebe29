"""Benchmark: end-to-end ledger normalization CSV -> CSV (1 vs 2 workers) and the Dask path's overhead.

Usage:
  python bench/make_ledger.py --rows 1000000 --city city_full -o bench/out/ledger_1m.csv
  python bench/bench_ledger.py --ledger bench/out/ledger_1m.csv --city city_full [--slice 200000]

Prints rows/s, wall time, peak RSS of the run (children included), accuracy against the ledger's hidden
`_truth` column, and the scaling 1 -> 2 workers (1 worker is timed on --slice rows to save time).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd


def run(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "hangzhou_address", *args], check=False)
    return time.perf_counter() - t


def peak_children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ledger", type=Path, default=Path("bench/out/ledger_1m.csv"))
    ap.add_argument("--city", type=Path, default=Path("city_full"))
    ap.add_argument("--slice", type=int, default=200_000)
    ap.add_argument("--dask-rows", type=int, default=50_000)
    args = ap.parse_args()
    out_dir = args.ledger.parent
    n_rows = sum(1 for _ in open(args.ledger, encoding="utf-8-sig")) - 1
    small = out_dir / f"ledger_{args.slice}.csv"
    pd.read_csv(args.ledger, nrows=args.slice, dtype=str, keep_default_na=False,
                encoding="utf-8-sig").to_csv(small, index=False, encoding="utf-8-sig")
    common = ["--column", "地址", "--city", str(args.city), "--quiet"]
    t1 = run(["normalize", str(small), "-o", str(out_dir / "out_1w.csv"), "--workers", "1", *common])
    t1s = run(["normalize", str(small), "-o", str(out_dir / "out_2w_slice.csv"), "--workers", "2", *common])
    print(f"{args.slice:,} rows, 1 worker : {t1:6.1f} s  {args.slice / t1:8,.0f} rows/s")
    print(f"{args.slice:,} rows, 2 workers: {t1s:6.1f} s  {args.slice / t1s:8,.0f} rows/s  -> scaling {t1 / t1s:.2f}x")
    t2 = run(["normalize", str(args.ledger), "-o", str(out_dir / "out_2w.csv"), "--workers", "2",
              "--review", str(out_dir / "review.csv"), "--report", str(out_dir / "report.html"), *common])
    print(f"{n_rows:,} rows, 2 workers: {t2:6.1f} s  {n_rows / t2:8,.0f} rows/s (end to end, CSV -> CSV, "
          f"incl. start-up and index build)  peak RSS of one process {peak_children_mb():.0f} MB")
    res = pd.read_csv(out_dir / "out_2w.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig",
                      usecols=["_truth", "code", "level", "confidence"])
    truth = res["_truth"] != ""
    exact = (res["code"] == res["_truth"]) & truth
    wrong = truth & (res["code"] != "") & ~pd.Series([t.startswith(c) for c, t in zip(res["code"], res["_truth"])])
    hi = pd.to_numeric(res["confidence"], errors="coerce").fillna(0) >= 0.9
    print(f"building exact {exact.sum() / truth.sum():.2%} of real rows; wrong (not an ancestor of the truth) "
          f"{wrong.sum():,}, of which at confidence >= 0.9: {(wrong & hi).sum():,}; garbage rows given a code: "
          f"{((~truth) & (res['code'] != '')).sum():,}")

    # Dask path vs the local path on the same rows
    import dask.dataframe as dd
    import distributed

    from hangzhou_address.dask import normalize_dask
    from hangzhou_address.ledger import normalize_frame
    from hangzhou_address.matcher import default_matcher
    from hangzhou_address.io.city import open_city
    from hangzhou_address.io.embedded import load_official_divisions

    df = pd.read_csv(small, nrows=args.dask_rows, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    d, lin = load_official_divisions()
    reg = open_city(args.city, divisions=d, lineage=lin)
    m = default_matcher(reg)
    t = time.perf_counter()
    normalize_frame(df, "地址", m)
    t_local = time.perf_counter() - t
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cl, \
            distributed.Client(cl):
        ddf = dd.from_pandas(df, npartitions=8)
        t = time.perf_counter()
        normalize_dask(ddf, "地址", registry_dir=str(args.city)).compute()
        t_cold = time.perf_counter() - t
        t = time.perf_counter()
        normalize_dask(ddf, "地址", registry_dir=str(args.city)).compute()
        t_warm = time.perf_counter() - t
    print(f"Dask ({args.dask_rows:,} rows, LocalCluster 2 processes): cold {t_cold:.1f} s (incl. one index build per "
          f"worker), warm {t_warm:.1f} s; local single-process {t_local:.1f} s -> warm Dask / local = "
          f"{t_warm / t_local:.2f}")
    print(f"date {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
