"""Benchmark: messy variants of the (SYNTHETIC) registry addresses → the right building.

Each sampled address row is rewritten the way people write: prefixes dropped or partial
(浙江省杭州市 / 杭州 / none), short or pre-2021 district names (西湖 / 下城区 / 江干区 / 余杭区),
town suffix dropped or the town dropped, traditional characters, Chinese numerals, full-width
digits, building-word variants (幢/栋/号楼/#), unit / floor / room suffixes, spaces and noise.

A variant *determines* a building when its key (road + door number, compound + building number,
village + house number) names one building among the rows consistent with the divisions the
variant still names; the right answer for the others is anything but a wrong confident building.

Run:  python bench/bench_match_synth.py [--n 20000] [--scale 0.05] [--districts all] [--peers 200]
      (without data/city, a city is generated on the fly with hangzhou_address.synth)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hangzhou_address.synth.variants import chinese_number as cn_number  # noqa: E402


def registry_for(args):
    from hangzhou_address import default_registry

    if args.city:
        from hangzhou_address.io.city import open_city
        from hangzhou_address.io.embedded import load_official_divisions

        divisions, lineage = load_official_divisions()
        return open_city(args.city, divisions=divisions, lineage=lineage)
    if args.addresses:  # e.g. the full-scale city: python -c "build_city(scale=1.0).addresses.to_parquet(...)"
        import pandas as pd

        from hangzhou_address.io.embedded import load_official_divisions
        from hangzhou_address.registry import Registry

        divisions, lineage = load_official_divisions()
        return Registry(divisions, lineage=lineage, addresses=pd.read_parquet(args.addresses))
    reg = default_registry()
    if args.generate or not reg.has_table("addresses"):
        from hangzhou_address.io.embedded import load_official_divisions
        from hangzhou_address.registry import Registry
        from hangzhou_address.synth import build_city

        divisions, lineage = load_official_divisions()
        districts = None if args.districts == "all" else args.districts.split(",")
        t0 = time.perf_counter()
        c = build_city(divisions, lineage, scale=args.scale, districts=districts)
        print(f"generated synthetic city (scale {args.scale}, districts {args.districts}) "
              f"in {time.perf_counter() - t0:.1f}s")
        reg = Registry(divisions, lineage=lineage, grids=c.grids, buildings=c.buildings, addresses=c.addresses,
                       metadata=c.metadata)
    return reg


def make_variants(reg, n: int, seed: int):
    from opencc import OpenCC

    from hangzhou_address.names import strip_suffix
    from hangzhou_address.synth.variants import legacy_district_names

    s2t = OpenCC("s2t")
    rng = random.Random(seed)
    addr = reg.addresses
    divs = reg.divisions
    name = dict(zip(divs["code"], divs["name"]))
    legacy = legacy_district_names(reg)
    idx = rng.sample(range(len(addr)), min(n, len(addr)))
    rows = addr.iloc[sorted(idx)]
    # key -> rows (for "determined")
    key_cols = {}
    for form, a in addr.groupby("form"):
        if form == "road":
            k = a["road"].astype(str) + "#" + a["roadno"].astype(str)
        else:
            k = a["poi"].astype(str) + "#" + a["houseno"].astype(str)
        key_cols[form] = k
    import pandas as pd

    keys = pd.concat(key_cols.values()).reindex(addr.index)
    # per sampled row: the (district, town, building) of every row sharing its road/compound key
    sampled_keys = set(keys.loc[rows.index].tolist())
    sel = keys.isin(sampled_keys).to_numpy()
    same_key: dict[str, list[tuple[str, str, str]]] = {}
    for k, d_, t_, b_ in zip(keys[sel].tolist(), addr["district_code"][sel].tolist(),
                             addr["town_code"][sel].tolist(), addr["building_code"][sel].tolist()):
        same_key.setdefault(k, []).append((d_, t_, b_))
    out = []
    for i, r in zip(rows.index, rows.itertuples(index=False)):
        d, t = r.district_code, r.town_code
        prefix = rng.choice(["", "", "杭州市", "浙江省杭州市", "浙江杭州", "杭州", "浙江省杭州市杭州市"])
        dmode = rng.choice(["full", "full", "short", "drop", "legacy"])
        dname = name[d]
        if dmode == "short":
            dname = strip_suffix(dname, "district")
        elif dmode == "drop":
            dname = ""
        elif dmode == "legacy":
            dname = rng.choice(legacy[t]) if t in legacy else name[d]
        tmode = rng.choice(["full", "short", "drop", "drop"])
        tname = {"full": name[t], "short": strip_suffix(name[t], "town"), "drop": ""}[tmode]
        if r.form == "road":
            no = int(r.roadno)
            num = cn_number(no, rng) if rng.random() < 0.15 else str(no)
            body = f"{r.road}{num}{rng.choice(['号', '号', '號', '号'])}"
        elif r.form == "compound":
            no = int(r.houseno)
            num = cn_number(no, rng) if rng.random() < 0.15 else str(no)
            word = rng.choice(["幢", "栋", "号楼", "幢", "#", "号"])
            body = f"{r.poi}{num}{word}"
        else:
            no = int(r.houseno)
            body = f"{r.poi}{int(r.group)}组{no}号" if rng.random() < 0.7 else f"{r.poi}{no}号"
        tail = rng.choice(["", "", "", "3单元502室", "2单元1101", "5楼", "-2-301" if r.form == "compound" else "",
                           " 501室", "(快递柜)", "  电话联系"])
        if tail == "-2-301":
            body = body.rstrip("幢栋号楼#")
        text = prefix + dname + tname + body + tail
        if rng.random() < 0.1:
            text = s2t.convert(text)
        if rng.random() < 0.05:
            text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
        if rng.random() < 0.05:
            text = " ".join(text[k:k + 4] for k in range(0, len(text), 4))
        # determined? rows of the same key consistent with the named divisions
        same = same_key.get(keys.loc[i]) or [(d, t, r.building_code)]
        if dmode in ("full", "short"):
            same = [x for x in same if x[0] == d]
        if tmode != "drop":
            same = [x for x in same if x[1] == t]
        determined = len({x[2] for x in same}) == 1
        out.append((text, r.building_code, determined, dmode))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--districts", default="330106,330109,330113,330105,330114")
    ap.add_argument("--generate", action="store_true", help="generate a city even if data/city exists")
    ap.add_argument("--peers", type=int, default=200)
    ap.add_argument("--addresses", help="Parquet addresses table to use instead of the embedded city")
    ap.add_argument("--city", help="a city directory (hzaddr city build --full -o city_full) instead of the embedded one")
    ap.add_argument("--show-errors", type=int, default=0)
    args = ap.parse_args(argv)

    from _timing import best_cold_seconds, best_seconds_from, memo_state

    from hangzhou_address.matcher import Matcher

    reg = registry_for(args)
    addr = reg.addresses
    t0 = time.perf_counter()
    matcher = Matcher(reg)
    build = time.perf_counter() - t0
    print(f"registry: {len(addr):,} address rows; Matcher build {build:.2f}s")
    variants = make_variants(reg, args.n, args.seed)
    texts = [v[0] for v in variants]
    from hangzhou_address.tagger import default_tagger

    default_tagger().tag("杭州市西湖区文三路90号")  # load the model (and compile the numba decoder) first

    def speeds() -> dict[str, float]:
        out = {}
        for name, fn in (("match", lambda: [matcher.match(t) for t in texts]),
                         ("match_many", lambda: matcher.match_many(texts)),
                         ("parse", lambda: [matcher.parse(t) for t in texts]),
                         ("parse_many", lambda: matcher.parse_many(texts))):
            out[name] = len(texts) / best_cold_seconds(matcher, fn)
        return out

    results = [matcher.match(t) for t in texts]
    plain = speeds()
    from hangzhou_address.runtime import freeze_loaded

    freeze_loaded()  # what the CLI and the ledger workers do after loading (see hangzhou_address.runtime)
    frozen = speeds()
    # steady state: the decision memo filled by other variants of the same city first (as in a long ledger
    # run, where the division patterns repeat), then the same texts timed
    seen = set(texts)
    others = [v[0] for v in make_variants(reg, 5 * args.n, args.seed + 1) if v[0] not in seen]
    matcher.resolver._decisions.clear()
    matcher.resolver._shapes.clear()
    matcher.parse_many(others)
    for t in others:
        matcher.match(t)
    warm_memo = memo_state(matcher)
    steady = {name: len(texts) / best_seconds_from(matcher, fn, warm_memo)
              for name, fn in (("match", lambda: [matcher.match(t) for t in texts]),
                               ("parse", lambda: [matcher.parse(t) for t in texts]),
                               ("parse_many", lambda: matcher.parse_many(texts)))}
    det = [(v, r) for v, r in zip(variants, results) if v[2]]
    right = sum(1 for v, r in det if r.code == v[1])
    wrong_b = sum(1 for v, r in det if r.level == "building" and r.code != v[1])
    undet = [(v, r) for v, r in zip(variants, results) if not v[2]]
    undet_wrong = sum(1 for v, r in undet if r.level == "building" and r.code != v[1])
    hi = [(v, r) for v, r in zip(variants, results) if r.confidence >= 0.9]

    def ok(v, r) -> bool:  # right when the code is the building or one of its ancestors
        return r.code is not None and v[1].startswith(r.code[:-1] if r.level == "building" else r.code) and (
            r.level != "building" or r.code == v[1])

    hi_wrong = sum(1 for v, r in hi if not ok(v, r))
    print(f"variants: {len(variants):,} ({len(det):,} determine a building)")
    print(f"  building right (determined): {right / max(len(det), 1):7.2%}   wrong building {wrong_b / max(len(det), 1):.3%}")
    print(f"  undetermined: {len(undet):,}; returned a wrong building {undet_wrong / max(len(undet), 1):.3%}")
    print(f"  confidence ≥ 0.9: {len(hi):,} results, wrong {hi_wrong / max(len(hi), 1):.3%} "
          f"(of all variants: {hi_wrong / len(variants):.3%})")
    levels: dict = {}
    for r in results:
        levels[r.level] = levels.get(r.level, 0) + 1
    print("  levels:", {k: v for k, v in sorted(levels.items(), key=lambda kv: -kv[1])})
    print(f"  speed, single core, addresses/s (tagger decoder: {'numba' if default_tagger().accelerated else 'numpy'}; "
          "best of 3 runs, each starting with an empty decision memo):")
    for label, sp in (("as loaded", plain), ("after freeze_loaded()", frozen)):
        print(f"    {label:22s} " + ", ".join(f"{k} {v:,.0f}" for k, v in sp.items()))
    print(f"    steady state (memo filled by {len(others):,} other variants first, {len(warm_memo[0]):,} decisions): "
          + ", ".join(f"{k} {v:,.0f}" for k, v in steady.items()))
    if args.show_errors:
        shown = 0
        for v, r in det:
            if r.code != v[1] and shown < args.show_errors:
                shown += 1
                print("   MISS", v[0], v[1], r.code, r.level, r.confidence, r.reasons)
        for v, r in hi:
            if not ok(v, r):
                print("   HIWRONG", v[0], v[1], r.code, r.level, r.confidence, r.reasons)
    if args.peers:
        from _timing import peer_rates

        sub = texts[: args.peers]
        ours = {"match": frozen["match"], "parse_many": frozen["parse_many"]}
        peers = peer_rates(sub)
        for name, rate in peers.items():
            print(f"  {name}: {rate:,.0f}/s (stops at district level) -> ours: "
                  + ", ".join(f"{k} {v / rate:.1f}x" for k, v in ours.items()))


if __name__ == "__main__":
    main()
