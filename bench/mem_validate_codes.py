"""Peak memory of ``validate_codes`` beyond its input (tracemalloc; numpy buffers are traced too).

Usage: python bench/mem_validate_codes.py [--n 2000000 10000000] [--chunk-size 100000]

Prints, per size, the peak allocated during the call above the memory held before it, and the size of
the result frame it returns (which any implementation has to hold), both in MiB. Point PYTHONPATH at
another checkout to measure another version (on one without ``chunk_size`` the option is ignored).
"""

from __future__ import annotations

import argparse
import inspect
import time
import tracemalloc

import numpy as np


def _codes(n: int) -> np.ndarray:
    from hangzhou_address.codes import make_building_codes

    rng = np.random.default_rng(0)
    grids = np.char.add("330106005", np.char.zfill(rng.integers(1, 999, n).astype("U3"), 3))
    grids = np.char.add(grids, np.char.zfill(rng.integers(1, 999, n).astype("U3"), 3))
    codes = make_building_codes(grids, rng.integers(1, 9999, n))
    bad = rng.random(n) < 0.05  # 5 % with a wrong last character, as in bench_codes.py
    codes[bad] = [c[:-1] + ("0" if c[-1] != "0" else "1") for c in codes[bad]]
    return codes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[2_000_000, 10_000_000])
    ap.add_argument("--chunk-size", type=int, default=None)
    args = ap.parse_args()
    import hangzhou_address
    from hangzhou_address.codes import validate_codes

    kw = {}
    if args.chunk_size and "chunk_size" in inspect.signature(validate_codes).parameters:
        kw["chunk_size"] = args.chunk_size
    print(f"{hangzhou_address.__file__} {kw}")
    for n in args.n:
        codes = _codes(n)
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        t = time.perf_counter()
        df = validate_codes(codes, **kw)
        dt = time.perf_counter() - t
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        mib = 1 << 20
        print(f"n={n:>11,}: peak +{(peak - before) / mib:8,.0f} MiB during the call, result {(held - before) / mib:6,.0f}"
              f" MiB, {dt:5.1f} s (under tracemalloc), {int((~df['valid']).sum()):,} invalid")
        del df, codes


if __name__ == "__main__":
    main()
