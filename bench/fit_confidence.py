"""Fit the matcher's confidence model (``hangzhou_address/resources/confidence.json``).

The training data is generated, never the data the benchmarks evaluate on:

* a SYNTHETIC city built with ``--city-seed`` (default 4242; the embedded city is seed 20231), at
  ``--scale`` (default 0.1, the embedded city's: how many similar names a district holds depends on
  it), every district;
* messy variants of its addresses (:mod:`hangzhou_address.synth.variants`, ``--seed``, default 17;
  the benchmarks use 101 and 7), every class, plus four kinds the variant generator does not
  make: the divisions alone, the divisions followed by words the registry does not know, a
  door / building number that does not exist on the name, and a road / compound name that is not
  in the registry but looks like its names (the names of a city built with a third seed); in the first
  three, 15 % of the texts have one slip in the town (or district) name written
  (:func:`hangzhou_address.synth.variants.division_slip`);
* each text matched in fuzzy and in exact mode; an answer is *right* when the true building's
  code starts with the returned code. Answers without a code are left out (they have no
  confidence).

The model is one logistic regression per group of paths
(:data:`hangzhou_address.matching.confidence.GROUPS`) over
:data:`hangzhou_address.matching.confidence.FEATURES`, fitted by Newton's method with a small L2
penalty (numpy only), each followed by an isotonic calibration map. The script prints the
reliability table on the training data; ``bench/bench_fuzzy.py`` reports it on held-out data.

Run:  python bench/fit_confidence.py [--n 1500] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MODEL_PATH = ROOT / "hangzhou_address" / "resources" / "confidence.json"
_JUNK = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"


def build(city_seed: int, scale: float):
    from hangzhou_address.io.embedded import load_official_divisions
    from hangzhou_address.registry import Registry
    from hangzhou_address.synth import build_city

    divisions, lineage = load_official_divisions()
    c = build_city(divisions, lineage, scale=scale, seed=city_seed)
    return Registry(divisions, lineage=lineage, grids=c.grids, buildings=c.buildings, addresses=c.addresses,
                    metadata=c.metadata)


def extra_texts(reg, n: int, seed: int) -> list[tuple[str, str | None, str]]:
    """(text, true building, kind) for the kinds the variant generator does not make."""
    from hangzhou_address.names import strip_suffix
    from hangzhou_address.synth.variants import division_slip

    rng = random.Random(seed)
    addr = reg.addresses
    name = dict(zip(reg.divisions["code"], reg.divisions["name"]))
    rows = addr.iloc[sorted(rng.sample(range(len(addr)), min(3 * n, len(addr))))]
    out = []
    for k, r in enumerate(rows.itertuples(index=False)):
        prefix = rng.choice(["", "杭州市", "浙江省杭州市", "杭州"])
        d = rng.choice([name[r.district_code], strip_suffix(name[r.district_code], "district"), ""])
        t = rng.choice([name[r.town_code], strip_suffix(name[r.town_code], "town"), ""])
        c = rng.choice([name[r.community_code], ""]) if t else ""
        if rng.random() < 0.15 and (t or d):  # one slip in the town (or district) name written
            if t:
                t = division_slip(t, "town", rng) or t
            else:
                d = division_slip(d, "district", rng) or d
        divs = prefix + d + t + c
        what = k % 3
        if what == 0:  # the divisions alone
            text, kind = divs + rng.choice(["", "", "附近", "(具体不详)"]), "divisions only"
        elif what == 1:  # divisions + words the registry does not know
            words = "".join(rng.choice(_JUNK) for _ in range(rng.randint(2, 6)))
            unit = rng.choice(["路", "街", "小区", "大厦", "公司", ""])
            text = divs + words + unit + str(rng.randint(1, 300)) + rng.choice(["号", "幢", "号楼", ""])
            kind = "unknown name"
        else:  # a number that does not exist on the name
            if r.form == "road":
                text = divs + f"{r.road}{int(r.roadno) + rng.choice([1000, 2001, 501])}号"
            else:
                text = divs + f"{r.poi}{int(r.houseno) + rng.choice([300, 501])}" + ("幢" if r.form == "compound" else "号")
            kind = "no such number"
        out.append((text, r.building_code, kind))
    return out


def absent_names(reg, n: int, seed: int, other_seed: int) -> list[tuple[str, str | None, str]]:
    """Texts naming a road / compound that is **not** in the registry but looks like its names (the
    names of a city built with another seed): a fuzzy reading of them is wrong, the divisions are not."""
    rng = random.Random(seed)
    other = build(other_seed, 0.02)
    here_roads = set(reg.addresses["road"].dropna())
    here_pois = set(reg.addresses["poi"].dropna())
    oa = other.addresses
    roads = sorted(set(oa["road"].dropna()) - here_roads)
    pois = sorted(set(oa[oa["form"] == "compound"]["poi"].dropna()) - here_pois)
    addr = reg.addresses
    name = dict(zip(reg.divisions["code"], reg.divisions["name"]))
    rows = addr.iloc[sorted(rng.sample(range(len(addr)), min(n, len(addr))))]
    out = []
    for r in rows.itertuples(index=False):
        divs = rng.choice(["", "杭州市", "浙江省杭州市"]) + rng.choice([name[r.district_code], ""]) + rng.choice(
            [name[r.town_code], ""])
        if rng.random() < 0.5 and roads:
            text = divs + rng.choice(roads) + f"{rng.randint(1, 120)}号"
        elif pois:
            text = divs + rng.choice(pois) + f"{rng.randint(1, 30)}" + rng.choice(["幢", "栋", "号楼"])
        else:
            continue
        out.append((text, r.building_code, "absent name"))
    return out


def collect(reg, n: int, seed: int):
    from hangzhou_address.matcher import Matcher
    from hangzhou_address.matching.confidence import FEATURES, GROUPS, ConfidenceModel, LogisticPart
    from hangzhou_address.synth.variants import make_variants

    # the features do not depend on the model: a neutral one (the shipped one may predate FEATURES)
    neutral = ConfidenceModel({g: LogisticPart((0.0,) * len(FEATURES)) for g in GROUPS}, {})
    m = Matcher(reg, confidence_model=neutral)
    texts = [(v.text, v.building_code, v.cls) for v in make_variants(reg, n, seed=seed)]
    texts += extra_texts(reg, n, seed + 1)
    texts += absent_names(reg, n, seed + 2, other_seed=seed + 1000)
    X, y, kinds = [], [], []
    for fuzzy in (True, False):
        for text, truth, kind in texts:
            r, x = m._match(text, fuzzy, want_features=True)
            if r.code is None or x is None:
                continue
            X.append(x)
            y.append(1.0 if truth is not None and truth.startswith(r.code) else 0.0)
            kinds.append(kind)
    return np.array(X), np.array(y), kinds


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 50) -> np.ndarray:
    """Newton's method for L2-penalized logistic regression (the bias is not penalized)."""
    w = np.zeros(X.shape[1])
    pen = np.full(X.shape[1], l2)
    pen[0] = 0.0
    for _ in range(iters):
        z = X @ w
        p = 1.0 / (1.0 + np.exp(-z))
        g = X.T @ (p - y) / len(y) + pen * w
        h = (X * (p * (1 - p))[:, None]).T @ X / len(y) + np.diag(pen) + 1e-9 * np.eye(X.shape[1])
        step = np.linalg.solve(h, g)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def fit_isotonic(s: np.ndarray, y: np.ndarray, bins: int = 30) -> tuple[list[float], list[float]]:
    """A monotone map from the regression's output to the observed rate: quantile bins of ``s``,
    then pool-adjacent-violators on the bins' rates (weighted by their sizes); the points are the
    pooled blocks' mean ``s`` and rate (Laplace-smoothed, capped to [0.001, 0.999])."""
    order = np.argsort(s, kind="stable")
    s, y = s[order], y[order]
    cuts = np.unique(np.quantile(np.arange(len(s)), np.linspace(0, 1, bins + 1)).astype(int))
    blocks = [[float(s[a:b].mean()), float(y[a:b].sum()), float(b - a)] for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
    merged: list[list[float]] = []
    for blk in blocks:  # [mean s, positives, n]
        merged.append(blk)
        while len(merged) > 1 and merged[-2][1] / merged[-2][2] >= merged[-1][1] / merged[-1][2]:
            b2 = merged.pop()
            b1 = merged.pop()
            n = b1[2] + b2[2]
            merged.append([(b1[0] * b1[2] + b2[0] * b2[2]) / n, b1[1] + b2[1], n])
    xs = [b[0] for b in merged]
    # a block's rate with one success and one failure added (a block of 200 right answers is not
    # "certain": 0.995, not 1.0)
    ys = [min(max((b[1] + 1) / (b[2] + 2), 0.001), 0.999) for b in merged]
    ys = np.maximum.accumulate(ys).tolist()  # smoothing small blocks must not break monotonicity
    return xs, ys


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1500, help="variants per class")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--city-seed", type=int, default=4242)
    ap.add_argument("--scale", type=float, default=0.1, help="the embedded city's scale (names as dense)")
    ap.add_argument("--l2", type=float, default=3e-5,
                    help="L2 penalty per weight (chosen by 2-fold cross-validation on the fitting data: 1e-3 "
                         "shrank the weights of rare features, e.g. fuzzy_inside_division, until their answers "
                         "were over-confident)")
    ap.add_argument("--write", action="store_true", help=f"write {MODEL_PATH.relative_to(ROOT)}")
    args = ap.parse_args(argv)

    from hangzhou_address.matching.confidence import FEATURES, GROUPS, ConfidenceModel, LogisticPart, group_of

    t0 = time.perf_counter()
    reg = build(args.city_seed, args.scale)
    print(f"SYNTHETIC training city: seed {args.city_seed}, scale {args.scale}, "
          f"{len(reg.addresses):,} address rows ({time.perf_counter() - t0:.1f}s)")
    t0 = time.perf_counter()
    X, y, kinds = collect(reg, args.n, args.seed)
    print(f"{len(y):,} answers with a code (fuzzy and exact mode), {y.mean():.2%} right "
          f"({time.perf_counter() - t0:.1f}s)")
    groups = np.array([group_of(x) for x in X])
    parts = {}
    for g in GROUPS:
        sel = groups == g
        if sel.sum() < 50:
            raise SystemExit(f"only {sel.sum()} answers of group {g}: generate more variants (--n)")
        w = fit_logistic(X[sel], y[sel], args.l2)
        raw = 1.0 / (1.0 + np.exp(-(X[sel] @ w)))
        cx, cy = fit_isotonic(raw, y[sel])
        parts[g] = LogisticPart(tuple(float(v) for v in w), tuple(cx), tuple(cy))
        print(f"group {g:9s} {sel.sum():7,d} answers, {y[sel].mean():.2%} right")
    # a separator inside a number: building / grid answers are capped at the rate they are right at
    ns = X[:, FEATURES.index("number_separator")] == 1
    deep = (X[:, FEATURES.index("level_building")] == 1) | (X[:, FEATURES.index("level_grid")] == 1)
    sel = ns & deep
    caps = {"number_separator": float((y[sel].sum() + 1) / (sel.sum() + 2))} if sel.sum() else {}
    print(f"cap for a separator inside a number: {caps.get('number_separator', float('nan')):.3f} "
          f"({sel.sum():,} building / grid answers)")
    model = ConfidenceModel(parts, {}, caps)
    p = np.array([min(model.predict(x), caps["number_separator"]) if s_ else model.predict(x)
                  for x, s_ in zip(X, sel)])
    from _calibration import reliability

    rows, ece = reliability(zip(p, y))
    print("reliability on the training data (bin, n, mean predicted, observed):")
    for a, b, n, mp, ob in rows:
        if n:
            print(f"  [{a:.2f}, {b:.2f})  {n:7,d}  {mp:.4f}  {ob:.4f}")
    hi = p >= 0.9
    print(f"ECE {ece:.4f}; at >= 0.9: {hi.sum():,} answers, {y[hi].mean():.4%} right")
    by_kind: dict[str, list[int]] = {}
    for k, pi, yi in zip(kinds, p, y):
        s = by_kind.setdefault(k, [0, 0, 0])
        if pi >= 0.9:
            s[0] += 1
            s[1] += int(yi == 0)
        s[2] += 1
    for k, (nhi, wrong, n) in sorted(by_kind.items()):
        print(f"  {k:24s} answers {n:6,d}  at >= 0.9 {nhi:6,d}  wrong there {wrong / max(nhi, 1):.3%}")
    print("weights (per group):")
    print("  " + " " * 26 + "".join(f"{g:>10s}" for g in GROUPS))
    for k, name in enumerate(FEATURES):
        print(f"  {name:26s}" + "".join(f"{parts[g].weights[k]:+10.3f}" for g in GROUPS))
    if args.write:
        meta = {"fitted": datetime.date.today().isoformat(), "script": "bench/fit_confidence.py",
                "city_seed": args.city_seed, "scale": args.scale, "variant_seed": args.seed, "n_per_class": args.n,
                "answers": int(len(y)), "training_ece": round(ece, 4), "l2": args.l2,
                "note": "fitted on SYNTHETIC variants of a city built with another seed than the embedded one"}
        model = ConfidenceModel(parts, meta, caps)
        MODEL_PATH.write_text(model.to_json() + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH}")


if __name__ == "__main__":
    main()
