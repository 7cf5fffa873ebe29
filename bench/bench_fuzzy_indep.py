"""Benchmark: the matcher on name corruptions made by a generator independent of
:mod:`hangzhou_address.synth.variants` (which the matching rules were developed against): homophones drawn from
all GB2312 level-1 characters of the same toneless pinyin (pypinyin), random drops, swaps and insertions of common
characters, a dropped generic suffix, and two of them combined — on names of any length, the generic suffix
corruptible too (or kept: ``--keep-suffix``), after prefixes of varying depth. Everything below community level
is SYNTHETIC (the registry's addresses).

"det" (a rough oracle): no other name with the same number in the division the text names (the address's town,
or its whole district when the text names no town) is as close to the written name (Damerau–Levenshtein) as the
true one, or within the number of edits made. "bldg%": the building right;
"wr.9%": a wrong code at confidence ≥ 0.9.

Run:  python bench/bench_fuzzy_indep.py [--n 600] [--seed 31] [--city DIR] [--only-len 3] [--keep-suffix]
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

#: suffixes the suffix class drops (longest first when matched)
SUFFIXES = ("路", "街", "大道", "弄", "巷", "小区", "花园", "家园", "苑", "新村", "村", "公寓", "华庭")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=600, help="texts per class")
    ap.add_argument("--seed", type=int, default=31)
    ap.add_argument("--city", help="a city directory instead of the embedded registry")
    ap.add_argument("--only-len", type=int, help="only names of this many characters")
    ap.add_argument("--min-len", type=int, default=0, help="only names of at least this many characters")
    ap.add_argument("--keep-suffix", action="store_true", help="corrupt the name's distinctive part only")
    ap.add_argument("--examples", type=int, default=0, help="wrong answers at ≥ 0.9 shown per class")
    ap.add_argument("--misses", type=int, default=0,
                    help="texts the oracle calls determined whose building was not found, shown per class")
    args = ap.parse_args(argv)

    from bench_fuzzy import header, registry_for
    from pypinyin import lazy_pinyin
    from rapidfuzz.distance import DamerauLevenshtein

    from hangzhou_address.matcher import Matcher

    print(header())
    reg = registry_for(args.city)
    m = Matcher(reg)
    level1 = [bytes([a, b]).decode("gb2312") for a in range(0xB0, 0xD8) for b in range(0xA1, 0xFF)
              if not (a == 0xD7 and b > 0xF9)]
    by_sound = collections.defaultdict(list)
    for ch in level1:
        by_sound[lazy_pinyin(ch)[0]].append(ch)
    names = dict(zip(reg.divisions["code"], reg.divisions["name"]))
    rows = reg.addresses[reg.addresses["primary"]].reset_index(drop=True)
    rng = random.Random(args.seed)

    def name_of(r) -> str:
        return r.road if r.form == "road" else r.poi

    tails: dict[tuple[str, str], set[str]] = {}
    for r in rows.itertuples():
        tails.setdefault((r.town_code, name_of(r)), set()).add(r.text.split(name_of(r), 1)[1])
    by_town = collections.defaultdict(list)
    by_district = collections.defaultdict(list)  # (town, name) of every name of a district
    for town, nm in tails:
        by_town[town].append(nm)
        by_district[town[:6]].append((town, nm))

    def homophone(s: str) -> str | None:
        at = [i for i, c in enumerate(s) if len(by_sound[lazy_pinyin(c)[0]]) > 1]
        if not at:
            return None
        i = rng.choice(at)
        return s[:i] + rng.choice([c for c in by_sound[lazy_pinyin(s[i])[0]] if c != s[i]]) + s[i + 1:]

    def drop(s: str) -> str | None:
        if len(s) < 3:
            return None
        i = rng.randrange(len(s))
        return s[:i] + s[i + 1:]

    def swap(s: str) -> str | None:
        at = [i for i in range(len(s) - 1) if s[i] != s[i + 1]]
        if not at:
            return None
        i = rng.choice(at)
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]

    def insert(s: str) -> str:
        i = rng.randrange(1, len(s))
        return s[:i] + rng.choice(level1[:2000]) + s[i:]

    def suffix_dropped(s: str) -> str | None:
        for x in sorted(SUFFIXES, key=len, reverse=True):
            if s.endswith(x) and len(s) - len(x) >= 2:
                return s[: -len(x)]
        return None

    classes = {"homophone": [homophone], "drop": [drop], "swap": [swap], "insert": [insert],
               "suffix": [suffix_dropped], "homophone+drop": [homophone, drop], "homophone+swap": [homophone, swap],
               "drop+swap": [drop, swap], "homophone+homophone": [homophone, homophone]}

    def prefix(r) -> tuple[str, bool]:
        """The divisions written before the name, and whether they name its town."""
        d, t = names[r.district_code], names[r.town_code]
        short_town = t[:-2] if t.endswith("街道") else t[:-1]
        return rng.choice([(d + t, True), (d + t, True), ("杭州市" + d + t, True), ("浙江省杭州市" + d, False),
                           (d, False), ("杭州" + d[:-1] + short_town, True)])

    def determined(r, name: str, written: str, tail: str, edits: int, town_named: bool) -> bool:
        """No other name with this number as close to what was written, in the division the text names (the
        town, or the whole district when the text names no town)."""
        scope = ([(r.town_code, n) for n in by_town[r.town_code]] if town_named
                 else by_district[r.district_code])
        return not any(n != name and tail in tails[(t, n)] and DamerauLevenshtein.distance(n, written) <= edits
                       for t, n in scope)

    stats = collections.defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    shown: collections.Counter[str] = collections.Counter()
    missed: collections.Counter[str] = collections.Counter()
    t0 = time.perf_counter()
    for cls, ops in classes.items():
        made = tries = 0
        while made < args.n and tries < 50 * args.n:
            tries += 1
            r = rows.iloc[rng.randrange(len(rows))]
            name = name_of(r)
            if (args.only_len and len(name) != args.only_len) or len(name) < args.min_len:
                continue
            tail = r.text.split(name, 1)[1]
            keep = ""
            if args.keep_suffix and cls != "suffix":
                keep = next((x for x in sorted(SUFFIXES, key=len, reverse=True) if name.endswith(x)), "")
            written: str | None = name[: len(name) - len(keep)]
            for op in ops:
                written = op(written) if written and len(written) >= 2 else None
            if not written:
                continue
            written += keep
            if written == name or written[0] in "村路街" or written in by_town[r.town_code]:
                continue  # (unchanged, starting with a generic word, or another real name of the town)
            made += 1
            before, town_named = prefix(r)
            text = before + written + tail
            res = m.match(text)
            ok = res.code is not None and r.building_code.startswith(res.code)
            edits = max(len(ops), DamerauLevenshtein.distance(name, written))
            det = determined(r, name, written, tail, edits, town_named)
            wrong = res.code is not None and res.confidence >= 0.9 and not ok
            s = stats[cls]
            s[0] += 1
            s[1] += ok and res.level == "building"
            s[2] += wrong
            if det:
                s[3] += 1
                s[4] += ok and res.level == "building"
                s[5] += wrong
            if wrong and shown[cls] < args.examples:
                shown[cls] += 1
                print(f"  [{cls}] {text!r} ({name} -> {written}, det {det}) -> {res.code} {res.level} "
                      f"{res.confidence:.3f} {list(res.reasons)[:2]}")
            if det and not wrong and not (ok and res.level == "building") and missed[cls] < args.misses:
                missed[cls] += 1
                print(f"  miss [{cls}] {text!r} ({name} -> {written}) -> {res.code} {res.level} "
                      f"{res.confidence:.3f} {list(res.reasons)[:2]}")
    print(f"{sum(s[0] for s in stats.values()):,} texts in {time.perf_counter() - t0:.1f}s "
          f"(seed {args.seed}{', names of ' + str(args.only_len) + ' characters' if args.only_len else ''}"
          f"{', suffix kept' if args.keep_suffix else ''})")
    print(f"{'class':22s} {'n':>5s} {'bldg%':>7s} {'wr.9%':>6s} | {'det':>5s} {'bldg%':>7s} {'wr.9%':>6s}")
    for cls, s in stats.items():
        print(f"{cls:22s} {s[0]:5d} {100 * s[1] / s[0]:7.2f} {100 * s[2] / s[0]:6.2f} | {s[3]:5d} "
              f"{100 * s[4] / max(s[3], 1):7.2f} {100 * s[5] / max(s[3], 1):6.2f}")


if __name__ == "__main__":
    main()
