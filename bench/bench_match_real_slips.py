"""Benchmark: real addresses with one change to a division name they write — the divisions still found?

The real Hangzhou rows of the NAACL 2019 corpus (bench_match_real.py: gold district / town from their annotated
spans), each with one change to one of its annotated district / town / community names (the span picked at random
with ``--seed``), matched with the embedded registry (fuzzy mode, the default). ``--kind``:

* ``slip`` (default): one slip of the IME or the eye (:func:`hangzhou_address.synth.variants.division_slip`: a
  same-pinyin or look-alike character, or two adjacent characters swapped);
* ``separator``: a space, ·, -, line break or 、 pasted inside the name;
* ``suffix``: a district's or town's suffix dropped (西湖区 → 西湖, 乔司街道 → 乔司);
* ``drop``: one character of a name of four or more dropped (闲林街道 → 闲街道);
* ``double``: one character of the name typed twice (长河街道 → 长河河街道, 宁围街街道);
* ``similar``: one character of the name before its suffix replaced by a common character of a *similar* sound —
  the pinyin confusions of southern speakers and of IMEs' fuzzy-pinyin settings: in/ing, en/eng, an/ang, z/zh, c/ch,
  s/sh, n/l, h/f (航民村 → 航明村, 三墩镇 → 山墩镇).

Reported per kind of name changed and per level judged: right, wrong, and wrong at confidence ≥ 0.9 — a wrong
district answered as sure is the failure that matters.

Develop with one seed, judge with another (the division spelling stage was developed on seed 11, train split, for
slips; on seed 21 for separators).

Run:  python bench/bench_match_real_slips.py [--kind slip] [--seed 12] [--split train|dev|all] [--examples 10]
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

import bench_match_real as bmr  # noqa: E402

LEVELS = (("district", "district_code"), ("town", "town_code"), ("community", "community_code"))
SLIPPED = ("district", "town", "community")


def _changed(kind: str, name: str, label: str, rng: random.Random) -> str | None:
    """``name`` with one change of ``kind`` (None when it cannot take one)."""
    from hangzhou_address.names import strip_suffix
    from hangzhou_address.synth.variants import division_slip

    if kind == "slip":
        return division_slip(name, label, rng)
    if kind == "separator":
        i = rng.randrange(1, len(name))
        return name[:i] + rng.choice([" ", "·", "-", "\n", "、"]) + name[i:]
    if kind == "suffix":
        bare = strip_suffix(name, label) if label in ("district", "town") else name
        return bare if bare != name and len(bare) >= 2 else None
    if kind == "similar":
        return _similar_sound(name, label, rng)
    if kind == "double":
        i = rng.randrange(len(name))
        return name[:i + 1] + name[i] + name[i + 1:]
    if kind == "drop":
        if len(name) < 4:
            return None
        i = rng.randrange(0, len(name) - 1)
        return name[:i] + name[i + 1:]
    raise ValueError(f"unknown kind {kind!r}")


_SIMILAR: dict[str, tuple[str, ...]] = {}


def _similar_sound(name: str, label: str, rng: random.Random) -> str | None:
    """``name`` with one character before its suffix replaced by a GB2312 level-1 character whose pinyin is only
    similar (``CharCosts`` "similar pinyin": 民 min → 明 ming), or None."""
    from hangzhou_address.matching.similarity import FUZZY_PINYIN, CharCosts, _fuzzy_key
    from hangzhou_address.names import strip_suffix
    from hangzhou_address.synth.variants import _level1_chars

    costs = CharCosts()
    if not _SIMILAR:
        by_key: dict[str, list[str]] = {}
        for c in _level1_chars():
            for r in costs.readings(c)[:1]:
                by_key.setdefault(_fuzzy_key(r), []).append(c)
        _SIMILAR.update({k: tuple(v) for k, v in by_key.items()})
    stem = strip_suffix(name, label) if label in ("district", "town") else name.removesuffix("社区").removesuffix("村")
    n = len(stem) if name.startswith(stem) else len(name)
    edits = [(i, c) for i in range(n) for r in costs.readings(name[i])[:1] for c in _SIMILAR.get(_fuzzy_key(r), ())
             if costs.substitution(name[i], c) == FUZZY_PINYIN]
    if not edits:
        return None
    i, c = rng.choice(edits)
    return name[:i] + c + name[i + 1:]


def slipped_rows(split: str, seed: int, gold: bmr.Gold, kind: str = "slip") -> list[tuple[str, str, str, str, dict]]:
    """(text with one change of ``kind``, the span's label, the span as written, as changed, gold) per Hangzhou
    row."""
    rng = random.Random(seed)
    out = []
    for r in bmr.load_rows(split):
        where, g = gold.derive(r["first"], r["all"])
        if where != "hangzhou":
            continue
        spans = [(lab, t) for lab, t in r["all"] if lab in SLIPPED and len(t) >= 2 and t in r["text"]]
        if not spans:
            continue
        lab, t = rng.choice(spans)
        new = _changed(kind, t, lab, rng)
        if new and new != t:
            out.append((r["text"].replace(t, new, 1), lab, t, new, g))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", default="slip", choices=("slip", "separator", "suffix", "drop", "similar", "double"))
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--split", default="train")
    ap.add_argument("--examples", type=int, default=10, help="wrong answers at ≥ 0.9 to print")
    args = ap.parse_args(argv)

    from hangzhou_address import default_registry
    from hangzhou_address.matcher import Matcher

    reg = default_registry()
    matcher = Matcher(reg)
    gold = bmr.Gold(reg)
    rows = slipped_rows(args.split, args.seed, gold, args.kind)
    print(f"# bench_match_real_slips: split {args.split}, seed {args.seed}: {len(rows):,} real rows with one change "
          f"({args.kind}) to a division name (embedded registry, fuzzy mode)")
    stats: collections.Counter = collections.Counter()
    examples = []
    for text, lab, written, slipped, g in rows:
        res = matcher.match(text)
        for lv, attr in LEVELS:
            want, anyof = g[lv], g.get(f"{lv}_any", ())
            if want is None and not anyof:
                continue
            got = getattr(res, attr)
            ok = got == want or got in anyof
            wrong = got is not None and not ok
            stats[lab, lv, "n"] += 1
            stats[lab, lv, "right"] += ok
            stats[lab, lv, "wrong"] += wrong
            if wrong and res.confidence >= 0.9:
                stats[lab, lv, "wrong9"] += 1
                examples.append(f"  [{lab} changed, {lv}] {text!r} ({written} -> {slipped}): gold {want}, got {got} "
                                f"({res.level}, {res.confidence:.3f}) {list(res.reasons)[:2]}")
    print(f"  {'name changed':14s} {'level':9s} {'n':>5s} {'right':>8s} {'wrong':>7s} {'wrong ≥0.9':>10s}")
    for lab in SLIPPED:
        for lv, _attr in LEVELS:
            n = stats[lab, lv, "n"]
            if n:
                print(f"  {lab:14s} {lv:9s} {n:5d} {100 * stats[lab, lv, 'right'] / n:7.2f}% "
                      f"{100 * stats[lab, lv, 'wrong'] / n:6.2f}% {100 * stats[lab, lv, 'wrong9'] / n:9.2f}%")
    if args.examples and examples:
        print(f"wrong at confidence ≥ 0.9 ({len(examples)}):")
        print("\n".join(examples[: args.examples]))


if __name__ == "__main__":
    main()
