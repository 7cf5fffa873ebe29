"""Benchmark: the matcher on messy variant classes (typos, homophones, separators, garbage...) of the
(SYNTHETIC) registry addresses — per-class accuracy, calibration and speed, fuzzy vs exact.

The variants come from :func:`hangzhou_address.synth.variants.make_variants` (one corruption per class on
top of the ``format`` rewrites of bench_match_synth.py). An answer is *right* when the variant's building
code starts with the returned code (hierarchical codes: 6 district, 9 town, 12 community, 15 grid, 20
building). The confidence model is fitted on variants of other seeds; evaluate with this script's own
seed (default 101).

Run:  python bench/bench_fuzzy.py [--n 2000] [--seed 101] [--city DIR] [--peers 200] [--examples 3]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

#: the classes whose corruption is in the road / compound / village name (the fuzzy path's job)
NAME_CLASSES = ("homophone", "lookalike", "drop", "swap", "insert", "two_edits", "suffix", "separator")
HIGH = 0.9


# ---------------------------------------------------------------------------------------------- setup
def registry_for(city: str | None):
    """The registry: a city directory (like bench_match_synth.registry_for) or the embedded one."""
    if city:
        from hangzhou_address.io.city import open_city
        from hangzhou_address.io.embedded import load_official_divisions

        divisions, lineage = load_official_divisions()
        return open_city(city, divisions=divisions, lineage=lineage)
    from hangzhou_address import default_registry

    return default_registry()


def make_matcher(reg, fuzzy: bool) -> tuple[Any, str]:
    """``Matcher(reg, fuzzy=fuzzy)``, or ``Matcher(reg)`` (and a note) when the keyword does not exist yet."""
    from hangzhou_address.matcher import Matcher

    try:
        return Matcher(reg, fuzzy=fuzzy), ""
    except TypeError:
        return Matcher(reg), f"Matcher has no fuzzy= keyword: fuzzy={fuzzy} ran as Matcher(reg)"


def _rss() -> int:
    """Resident memory of this process in bytes (psutil when installed, else /proc)."""
    try:
        import psutil

        return psutil.Process().memory_info().rss
    except ImportError:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def header() -> str:
    import numpy as np

    try:
        import hangzhou_address as hz

        version = getattr(hz, "__version__", "?")
    except Exception:  # pragma: no cover - the import is checked later anyway
        version = "?"
    return (f"# bench_fuzzy  {_dt.datetime.now().isoformat(timespec='seconds')}\n"
            f"# {platform.platform()}; {platform.processor() or platform.machine()}; {os.cpu_count()} CPUs\n"
            f"# Python {platform.python_version()} ({platform.python_implementation()}); numpy {np.__version__}; "
            f"hangzhou_address {version}")


# ---------------------------------------------------------------------------------------------- scoring
def is_right(v, r) -> bool:
    """The building code of the variant starts with the returned code (a building: equals it)."""
    return r.code is not None and v.building_code is not None and v.building_code.startswith(r.code)


def wrong_building(v, r) -> bool:
    return r.level == "building" and r.code != v.building_code


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:6.2f}" if b else "     -"


def class_table(variants, results, classes: Sequence[str]) -> list[str]:
    lines = [f"  {'class':22s} {'n':>6s} {'det':>6s} {'right%':>7s} {'wrongB%':>7s} {'wrongB%all':>10s} "
             f"{'wrong≥.9%':>9s} {'(of ≥.9)':>8s} {'coded%':>7s}"]
    tot = dict(n=0, det=0, right=0, wb_det=0, wb=0, hi=0, hi_wrong=0, coded=0)
    for cls in classes:
        pairs = [(v, r) for v, r in zip(variants, results) if v.cls == cls]
        if not pairs:
            continue
        n = len(pairs)
        if cls == "garbage":
            coded = sum(r.code is not None for _, r in pairs)
            coded_hi = sum(r.code is not None and r.confidence >= HIGH for _, r in pairs)
            lines.append(f"  {cls:22s} {n:6d} {'-':>6s}   garbage coded {pct(coded, n).strip()}%, "
                         f"garbage coded at ≥ {HIGH} {pct(coded_hi, n).strip()}%")
            continue
        det = [(v, r) for v, r in pairs if v.determined]
        right = sum(r.level == "building" and r.code == v.building_code for v, r in det)
        wb_det = sum(wrong_building(v, r) for v, r in det)
        wb = sum(wrong_building(v, r) for v, r in pairs)
        hi = [(v, r) for v, r in pairs if r.confidence >= HIGH and r.code is not None]
        hi_wrong = sum(not is_right(v, r) for v, r in hi)
        coded = sum(r.code is not None for _, r in pairs)
        lines.append(f"  {cls:22s} {n:6d} {len(det):6d} {pct(right, len(det)):>7s} {pct(wb_det, len(det)):>7s} "
                     f"{pct(wb, n):>10s} {pct(hi_wrong, n):>9s} {pct(hi_wrong, len(hi)):>8s} {pct(coded, n):>7s}")
        for k, x in (("n", n), ("det", len(det)), ("right", right), ("wb_det", wb_det), ("wb", wb),
                     ("hi", len(hi)), ("hi_wrong", hi_wrong), ("coded", coded)):
            tot[k] += x
    lines.append(f"  {'all but garbage':22s} {tot['n']:6d} {tot['det']:6d} {pct(tot['right'], tot['det']):>7s} "
                 f"{pct(tot['wb_det'], tot['det']):>7s} {pct(tot['wb'], tot['n']):>10s} "
                 f"{pct(tot['hi_wrong'], tot['n']):>9s} {pct(tot['hi_wrong'], tot['hi']):>8s} "
                 f"{pct(tot['coded'], tot['n']):>7s}")
    return lines


def reliability(variants, results) -> list[str]:
    from _calibration import reliability as bins

    pairs = [(v, r) for v, r in zip(variants, results) if v.cls != "garbage" and r.code is not None]
    rows, ece = bins((r.confidence, is_right(v, r)) for v, r in pairs)
    lines = [f"  {'bin':14s} {'n':>7s} {'mean pred':>9s} {'observed':>9s} {'gap':>7s}"]
    for lo, hi, n, mp, obs in rows:
        last = hi >= 1.0
        head = f"  [{lo:.2f}, {hi:.2f}{']' if last else ')'}  {n:7d}"
        lines.append(head if not n else f"{head} {mp:9.3f} {obs:9.3f} {obs - mp:+7.3f}")
    top = [(v, r) for v, r in pairs if r.confidence >= HIGH]
    lines.append(f"  expected calibration error: {ece:.4f} (over {len(pairs):,} non-garbage answers with a code)")
    lines.append(f"  among answers with confidence ≥ {HIGH}: {pct(sum(is_right(v, r) for v, r in top), len(top))}% "
                 f"right ({len(top):,} answers)")
    return lines


#: for :func:`text_determined`: edits (optimal string alignment) a name may be from the written one, per class
_TEXT_EDITS = {"homophone": 1, "lookalike": 1, "drop": 1, "swap": 1, "insert": 1, "two_edits": 2, "suffix": 2,
               "separator": 0}


def text_determined(reg, matcher, variants) -> list[bool | None]:
    """Per variant of a name class: whether the *text* still determines the building — among the names
    within :data:`_TEXT_EDITS` edits of the written name (any character: an upper bound that ignores
    how alike they sound), in the divisions the resolver reads from the text, only the variant's
    building has its number (and group). ``determined`` asks the same of the *corrected* name; a
    dropped character often leaves a stretch several names share (川村: 芹川村, 浙川村, 峰川村 …),
    which no reader can decide. The group (``3组``) counts only where the text writes it. None for the other
    classes."""
    import pandas as pd
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    from hangzhou_address.matching.fuzzy import _SEPARATORS_RE  # the separators the fuzzy stage removes
    from hangzhou_address.matching.normalize import normalize_for_matching

    a = reg.addresses
    name = a["road"].where(a["form"] == "road", a["poi"])
    number = a["roadno"].where(a["form"] == "road", a["houseno"])
    where: dict[tuple[str, int], list[tuple[str, str, str, int | None]]] = {}
    own: dict[tuple[str, str], tuple[int, int | None]] = {}
    for nm, no, grp, d, t, b in zip(name, number, a["group"], a["district_code"], a["town_code"],
                                    a["building_code"]):
        if not isinstance(nm, str) or pd.isna(no):
            continue
        g = None if pd.isna(grp) else int(grp)
        where.setdefault((nm, int(no)), []).append((d, t, b, g))
        own[(b, nm)] = (int(no), g)
    names = sorted({k[0] for k in where})
    out: list[bool | None] = []
    for v in variants:
        k = _TEXT_EDITS.get(v.cls)
        if k is None or v.building_code is None or (v.building_code, v.name) not in own:
            out.append(None)
            continue
        no, grp = own[(v.building_code, v.name)]
        if grp is not None and not re.search(rf"(?<!\d){grp}组", normalize_for_matching(v.text)[0]):
            grp = None  # (a text without the group does not say which group's number it is)
        written = _SEPARATORS_RE.sub("", v.written_name)
        cands = [c for c, _d, _i in process.extract(written, names, scorer=OSA.distance, score_cutoff=k,
                                                     limit=None)] if k else [v.name]
        res = matcher.resolver.resolve(v.text)
        found = {b for c in cands for d, t, b, g in where.get((c, no), ())
                 if (grp is None or g in (grp, None))
                 and (res.district_code is None or res.legacy or d == res.district_code)
                 and (res.town_code is None or t == res.town_code)}
        out.append(found == {v.building_code})
    return out


def text_determined_table(variants, results, flags) -> list[str]:
    lines = [f"  {'class':22s} {'n':>6s} {'txt-det':>7s} {'right%':>7s} {'wrongB%':>7s}"]
    for cls in NAME_CLASSES:
        pairs = [(v, r) for v, r, f in zip(variants, results, flags) if v.cls == cls and f]
        n = sum(1 for v in variants if v.cls == cls)
        if not n:
            continue
        right = sum(r.level == "building" and r.code == v.building_code for v, r in pairs)
        wb = sum(wrong_building(v, r) for v, r in pairs)
        lines.append(f"  {cls:22s} {n:6d} {len(pairs):7d} {pct(right, len(pairs)):>7s} {pct(wb, len(pairs)):>7s}")
    return lines


# ---------------------------------------------------------------------------------------------- timing
def best_seconds(matcher: Any, fn: Callable[[], Any], repeat: int = 3) -> float:
    """Best of ``repeat`` runs, each from an empty decision memo when the matcher has one (bench/_timing)."""
    try:
        from _timing import best_cold_seconds

        if hasattr(getattr(matcher, "resolver", None), "_decisions"):
            return best_cold_seconds(matcher, fn, repeat)
    except ImportError:
        pass
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


# ---------------------------------------------------------------------------------------------- naive baseline
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
_CN_DIGITS |= {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_NUM = re.compile(r"[0-9]|[零一二三四五六七八九十百〇壹贰叁肆伍陆柒捌玖拾佰]+[号號幢栋棟#组組]")
_FULLWIDTH = {ord(c) + 0xFEE0: ord(c) for c in "0123456789"}


def _cn_int(s: str) -> int | None:
    """A small Chinese / financial numeral reader (七十六, 柒拾陆, 一〇八, 壹佰零捌)."""
    if not s:
        return None
    if all(c in _CN_DIGITS for c in s):
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total, cur = 0, 0
    for c in s:
        if c in _CN_DIGITS:
            cur = _CN_DIGITS[c]
        elif c in "十拾":
            total += (cur or 1) * 10
            cur = 0
        elif c in "百佰":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


def naive_parse(text: str, town_names: Sequence[str], district_names: Sequence[str]) -> tuple[str, int | None]:
    """(fragment, number): the text after the town name (else a district / city name) up to the number."""
    t = re.sub(r"\s+", "", text.translate(_FULLWIDTH))
    start = 0
    for nm in town_names:
        k = t.rfind(nm)
        if k >= 0:
            start = k + len(nm)
            break
    else:
        for nm in district_names:
            k = t.rfind(nm)
            if k >= 0:
                start = max(start, k + len(nm))
        if not start:
            for nm in ("浙江省杭州市", "浙江杭州", "杭州市", "杭州"):
                k = t.rfind(nm)
                if k >= 0:
                    start = k + len(nm)
                    break
    rest = t[start:]
    m = _NUM.search(rest)
    frag = rest[: m.start()] if m else rest
    tail = rest[m.start():] if m else ""
    g = re.match(r"(?:([0-9]+|[零一二三四五六七八九十百〇壹贰叁肆伍陆柒捌玖拾佰]+)[组組])?"
                 r"([0-9]+|[零一二三四五六七八九十百〇壹贰叁肆伍陆柒捌玖拾佰]+)", tail)
    number = None
    if g:
        s = g.group(2)
        number = int(s) if s.isdigit() else _cn_int(s)
    return frag, number


def naive_baseline(reg, pairs) -> tuple[float, float, int]:
    """(texts/s, accuracy, n) of rapidfuzz.process.extractOne over the names of the answer's town."""
    from rapidfuzz import process

    from hangzhou_address.names import strip_suffix

    addr = reg.addresses
    divs = reg.divisions
    dname = dict(zip(divs["code"], divs["name"]))
    names_of: dict[str, list[str]] = {}
    keys_of: dict[str, set[tuple[str, int]]] = {}
    for t, f, road, poi, rno, hno in zip(addr["town_code"].tolist(), addr["form"].tolist(), addr["road"].tolist(),
                                         addr["poi"].tolist(), addr["roadno"].tolist(), addr["houseno"].tolist()):
        nm, no = (road, rno) if f == "road" else (poi, hno)
        if isinstance(nm, str):
            keys_of.setdefault(t, set()).add((nm, int(no)))
    for t, ks in keys_of.items():
        names_of[t] = sorted({k[0] for k in ks})
    districts = sorted({n for c, lv, n in zip(divs["code"], divs["level"], divs["name"]) if lv == "district"}
                       | {strip_suffix(n, "district") for lv, n in zip(divs["level"], divs["name"])
                          if lv == "district"}, key=len, reverse=True)
    jobs = []
    for v, r in pairs:
        town = r.town_code if getattr(r, "town_code", None) else v.building_code[:9]
        full = dname.get(town, "")
        jobs.append((v, town, [x for x in (full, strip_suffix(full, "town") if full else "") if x]))

    def run():
        out = []
        for v, town, tnames in jobs:
            frag, number = naive_parse(v.text, tnames, districts)
            hit = process.extractOne(frag, names_of.get(town, ())) if frag else None
            out.append((hit[0] if hit else None, number))
        return out

    run()
    best, answers = float("inf"), []
    for _ in range(3):
        t0 = time.perf_counter()
        answers = run()
        best = min(best, time.perf_counter() - t0)
    right = sum(1 for (v, town, _), (nm, no) in zip(jobs, answers)
                if nm == v.name and no is not None and (nm, no) in keys_of.get(town, ()))
    return len(jobs) / best if best > 0 else float("inf"), right / max(len(jobs), 1), len(jobs)


# ---------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="variants per class")
    ap.add_argument("--seed", type=int, default=101, help="variant seed (the confidence model is fitted on others)")
    ap.add_argument("--city", help="a city directory instead of the embedded registry")
    ap.add_argument("--peers", type=int, default=200, help="texts for the jionlp / cpca timing (0: skip)")
    ap.add_argument("--examples", type=int, default=3, help="examples of wrong answers at ≥ 0.9 per class")
    args = ap.parse_args(argv)

    from hangzhou_address.synth.variants import VARIANT_CLASSES, make_variants
    from hangzhou_address.tagger import default_tagger

    print(header())
    reg = registry_for(args.city)
    t0 = time.perf_counter()
    fuzzy, note_f = make_matcher(reg, True)
    t_fuzzy = time.perf_counter() - t0
    t0 = time.perf_counter()
    exact, note_e = make_matcher(reg, False)
    t_exact = time.perf_counter() - t0
    print(f"registry: {len(reg.addresses):,} address rows ({'city ' + args.city if args.city else 'embedded'}); "
          f"Matcher build fuzzy {t_fuzzy:.2f}s, exact {t_exact:.2f}s")
    for note in (note_f, note_e):
        if note:
            print("NOTE:", note)
    if isinstance(getattr(type(fuzzy), "names", None), property):  # (hasattr would build it)
        rss0 = _rss()
        t0 = time.perf_counter()
        names = fuzzy.names  # the fuzzy stage's name index (built on first use, cached on the registry)
        t_names = time.perf_counter() - t0
        print(f"fuzzy name index: {len(names.names):,} names, built in {t_names:.2f}s, "
              f"+{(_rss() - rss0) / 2**20:,.0f} MB resident")
    t0 = time.perf_counter()
    variants = make_variants(reg, args.n, seed=args.seed)
    print(f"variants: {len(variants):,} ({args.n} per class requested, seed {args.seed}) in "
          f"{time.perf_counter() - t0:.1f}s")
    default_tagger().tag("杭州市西湖区文三路90号")  # load the model (and compile the numba decoder) first
    classes = [c for c in VARIANT_CLASSES if any(v.cls == c for v in variants)]

    res: dict[str, list] = {}
    for label, m in (("fuzzy", fuzzy), ("exact", exact)):
        t0 = time.perf_counter()
        res[label] = [m.match(v.text) for v in variants]
        print(f"matched {len(variants):,} texts ({label}) in {time.perf_counter() - t0:.1f}s")

    legend = ("  det: determined; right%, wrongB%: building right / wrong building among determined; "
              "wrongB%all: wrong building among all;\n  wrong≥.9%: a wrong code at confidence ≥ 0.9, of all "
              "(and of the ≥ 0.9 answers); coded%: any code returned")
    for label in ("fuzzy", "exact"):
        print(f"\n== per class, {label} mode ==")
        print(legend)
        print("\n".join(class_table(variants, res[label], classes)))
    flags = text_determined(reg, fuzzy, variants)
    print("\n== name classes where the text itself determines the building (fuzzy mode) ==")
    print("  txt-det: among the names within 1 edit of the written name (2 for two_edits and suffix, 0 for\n"
          "  separator), in the divisions the text names, only the variant's building has its number")
    print("\n".join(text_determined_table(variants, res["fuzzy"], flags)))
    for label in ("fuzzy", "exact"):
        print(f"\n== reliability, {label} mode (non-garbage variants pooled; answers without a code excluded) ==")
        print("\n".join(reliability(variants, res[label])))

    fz = res["fuzzy"]
    n_fuzzy = sum(any(str(x).startswith("fuzzy:") for x in r.reasons) for r in fz)
    print(f"\nfuzzy answers (a 'fuzzy:' reason): {n_fuzzy:,} of {len(fz):,}")
    by_cls: dict[str, int] = {}
    for v, r in zip(variants, fz):
        if any(str(x).startswith("fuzzy:") for x in r.reasons):
            by_cls[v.cls] = by_cls.get(v.cls, 0) + 1
    if by_cls:
        print("  by class: " + ", ".join(f"{c} {by_cls[c]}" for c in classes if c in by_cls))

    # ------------------------------------------------------------------ speed
    print(f"\n== speed, single core, best of 3 (tagger decoder: "
          f"{'numba' if default_tagger().accelerated else 'numpy'}) ==")
    fmt = [v.text for v in variants if v.cls == "format"]
    rate_fmt = {}
    for label, m in (("fuzzy", fuzzy), ("exact", exact)):
        rate_fmt[label] = len(fmt) / best_seconds(m, lambda m=m: [m.match(t) for t in fmt])
    print(f"  format class ({len(fmt):,} texts, today's mix): fuzzy {rate_fmt['fuzzy']:,.0f}/s, "
          f"exact {rate_fmt['exact']:,.0f}/s")
    fuzzy_texts = [v.text for v, r in zip(variants, fz) if any(str(x).startswith("fuzzy:") for x in r.reasons)]
    if fuzzy_texts:
        rate = len(fuzzy_texts) / best_seconds(fuzzy, lambda: [fuzzy.match(t) for t in fuzzy_texts])
        print(f"  fuzzy path ({len(fuzzy_texts):,} texts with a 'fuzzy:' answer): {rate:,.0f}/s")
    else:
        print("  fuzzy path: n/a (no answer carries a 'fuzzy:' reason)")
    name_pairs = [(v, r) for v, r in zip(variants, fz) if v.cls in NAME_CLASSES]
    if name_pairs:
        nb_rate, nb_acc, nb_n = naive_baseline(reg, name_pairs)
        ours = sum(is_right(v, r) and r.level == "building" for v, r in name_pairs) / len(name_pairs)
        t_ours = best_seconds(fuzzy, lambda: [fuzzy.match(v.text) for v, _ in name_pairs])
        print(f"  naive baseline on the {nb_n:,} name-corruption texts ({', '.join(NAME_CLASSES)}):\n"
              f"    rapidfuzz.process.extractOne(fragment after the town name, road+poi names of the answer's "
              f"town): {nb_rate:,.0f}/s, right {100 * nb_acc:.2f}% (name right and the number exists)\n"
              f"    fuzzy matcher on the same texts: {len(name_pairs) / t_ours:,.0f}/s, building right "
              f"{100 * ours:.2f}%")

    if args.peers:
        from _timing import peer_rates

        sub = fmt[: args.peers]
        peers = peer_rates(sub)
        for name, rate in peers.items():
            print(f"  {name} on {len(sub)} format texts: {rate:,.0f}/s (stops at district level) -> "
                  f"fuzzy match {rate_fmt['fuzzy'] / rate:.1f}x, exact match {rate_fmt['exact'] / rate:.1f}x")

    if args.examples:
        print(f"\n== examples: wrong code at confidence ≥ {HIGH} (fuzzy mode) ==")
        for cls in classes:
            shown = 0
            for v, r in zip(variants, fz):
                if v.cls == cls and r.code is not None and r.confidence >= HIGH and not is_right(v, r):
                    print(f"  [{cls}] {v.text!r} (from {v.name!r} -> {v.written_name!r}, {v.building_code}) -> "
                          f"{r.code} {r.level} {r.confidence:.3f} {list(r.reasons)[:3]}")
                    shown += 1
                    if shown >= args.examples:
                        break
        print("\n== examples: wrong building, highest confidence first (fuzzy mode) ==")
        for cls in classes:
            wrong = sorted(((v, r) for v, r in zip(variants, fz) if v.cls == cls and wrong_building(v, r)),
                           key=lambda vr: -vr[1].confidence)
            for v, r in wrong[: args.examples]:
                print(f"  [{cls}] {v.text!r} (from {v.name!r} -> {v.written_name!r}, {v.building_code}, "
                      f"determined {v.determined}) -> {r.code} {r.confidence:.3f} {list(r.reasons)[:3]}")


if __name__ == "__main__":
    main()
