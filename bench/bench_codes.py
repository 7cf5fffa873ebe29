"""Benchmark: validate_codes on 10 million building codes (mix of valid and invalid), vs a per-row loop.

Usage: python bench/bench_codes.py [--n 10000000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000_000)
    args = ap.parse_args()
    from hangzhou_address.codes import is_valid_code, make_building_codes, validate_codes

    rng = np.random.default_rng(0)
    n = args.n
    grids = np.char.add("330106005", np.char.zfill(rng.integers(1, 999, n).astype("U3"), 3))
    grids = np.char.add(grids, np.char.zfill(rng.integers(1, 999, n).astype("U3"), 3))
    codes = make_building_codes(grids, rng.integers(1, 9999, n))
    bad = rng.random(n) < 0.05  # 5 % with a wrong last character
    codes[bad] = [c[:-1] + ("0" if c[-1] != "0" else "1") for c in codes[bad]]
    t = time.perf_counter()
    df = validate_codes(codes)
    dt = time.perf_counter() - t
    assert int((~df["valid"]).sum()) == int(bad.sum())
    m = 200_000
    t = time.perf_counter()
    loop = [is_valid_code(c) for c in codes[:m]]
    dl = (time.perf_counter() - t) / m * n
    assert loop == df["valid"].tolist()[:m]
    print(f"validate_codes: {n:,} codes in {dt:.2f} s = {n / dt:,.0f} codes/s "
          f"({int(bad.sum()):,} invalid found, with reasons)")
    print(f"per-row is_valid_code loop (extrapolated from {m:,}): {n / dl:,.0f} codes/s -> vectorized is {dl / dt:.1f}x")
    print(f"date {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
