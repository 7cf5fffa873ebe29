"""Benchmark: texts naming a road, compound or village that is NOT in the registry — a wrong building for them is
worse than no answer.

Real ledgers name places the registry does not hold (a new compound, a shop, an informal name). This bench takes
the names of a SYNTHETIC city built with another seed (``--city-seed``; names the registry also has are left out),
writes each after a district and town of the registry with a number (``N号`` for roads and compounds, ``N组M号`` for
villages), its generic suffix kept or dropped, and counts the answers at building level — every one is wrong —
overall and at confidence ≥ 0.9. The divisions are right; only the building is not in the text.

Run:  python bench/bench_absent_names.py [--n 6000] [--seed 5] [--city-seed 777] [--city DIR] [--examples 10]
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

#: generic suffixes that may be dropped (longest first)
SUFFIXES = ("小区", "花园", "大道", "村", "路", "街", "苑")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=6000, help="texts")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--city-seed", type=int, default=777, help="seed of the city whose names are used")
    ap.add_argument("--city", help="a city directory instead of the embedded registry")
    ap.add_argument("--examples", type=int, default=0, help="building answers at ≥ 0.9 shown")
    args = ap.parse_args(argv)

    from bench_fuzzy import header, registry_for
    from fit_confidence import build

    from hangzhou_address.matcher import Matcher

    print(header())
    reg = registry_for(args.city)
    m = Matcher(reg)
    other = build(args.city_seed, 0.05)
    here = set(reg.addresses["road"].dropna()) | set(reg.addresses["poi"].dropna())
    oa = other.addresses
    rows = oa[~oa["poi"].isin(here) & ~oa["road"].isin(here)]
    rows = rows.sample(min(args.n, len(rows)), random_state=args.seed)
    names = dict(zip(reg.divisions["code"], reg.divisions["name"]))
    rng = random.Random(args.seed)
    stats: collections.Counter[tuple[str, str]] = collections.Counter()
    shown = 0
    for r in rows.itertuples():
        name = r.road if r.form == "road" else r.poi
        if not isinstance(name, str) or r.district_code not in names or r.town_code not in names:
            continue
        suffix = next((s for s in SUFFIXES if name.endswith(s) and len(name) - len(s) >= 2), "")
        dropped = bool(suffix) and rng.random() < 0.5
        written = name[: -len(suffix)] if dropped else name
        number = (f"{rng.randint(1, 3)}组{rng.randint(1, 60)}号" if name.endswith("村")
                  else f"{rng.randint(1, 80)}号")
        text = names[r.district_code] + names[r.town_code] + written + number
        res = m.match(text)
        key = "suffix dropped" if dropped else "as named"
        stats[key, "n"] += 1
        if res.level == "building":
            stats[key, "building"] += 1
            if res.confidence >= 0.9:
                stats[key, "high"] += 1
                if shown < args.examples:
                    shown += 1
                    print(f"  {text!r} -> {res.code} {res.confidence:.3f} {list(res.reasons)[-1:]}")
    print(f"names of a SYNTHETIC city built with seed {args.city_seed}, none in the registry (seed {args.seed})")
    print(f"{'written':16s} {'n':>6s} {'building (wrong)':>17s} {'at ≥ 0.9':>9s}")
    for key in ("as named", "suffix dropped"):
        n = stats[key, "n"]
        print(f"{key:16s} {n:6d} {100 * stats[key, 'building'] / max(n, 1):16.2f}% "
              f"{100 * stats[key, 'high'] / max(n, 1):8.2f}%")


if __name__ == "__main__":
    main()
