"""Benchmark: division matching on the real Hangzhou addresses of the NAACL 2019 corpus.

Gold codes come from the corpus' annotated district / town / community spans, mapped to current
(2023) codes with the pre-2021 lineage, only where the spans determine them (a town span that
names two towns of the district gives no town gold, nor do spans that name two different towns:
昌化 + 龙岗镇, or 临平 + 南苑街道 annotated as a road; a community span may then decide). Rows whose city / district / province span
names a place outside Hangzhou form the "outside" set, where the right answer is no match.

Peers (jionlp.parse_location, cpca.transform) are run on the same inputs; their district is right
when its name equals the current name of the gold district (they return abolished districts).

Run:  python bench/bench_match_real.py [--split train|dev|all] [--peers N] [--show-errors K]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hangzhou_address.io.embedded import DISTRICT_SUCCESSORS, load_official_divisions  # noqa: E402
from hangzhou_address.registry import Registry  # noqa: E402
from hangzhou_address.resolve import normalize_for_matching  # noqa: E402

#: 2020 districts whose territory is now split between two districts: without a town or village
#: span, the spans do not determine the current district.
SPLIT_DISTRICTS = {"330104", "330109", "330110"}
CORPUS = ROOT / "data" / "corpus" / "naacl2019_train_dev.jsonl"


def _norm(s: str) -> str:
    return normalize_for_matching(s)[0].replace(" ", "")


class Gold:
    """Derive gold current codes from annotated spans (strict name look-ups, no free text)."""

    def __init__(self, reg: Registry) -> None:
        self.reg = reg
        divs = reg.divisions
        self.parent = dict(zip(divs["code"], divs["parent_code"]))
        self.name = dict(zip(divs["code"], divs["name"]))
        self.status = dict(zip(divs["code"], divs["status"]))
        # historical districts of each current town (a retired town's old district)
        self.hist: dict[str, set[str]] = {}
        for code, lv in zip(divs["code"], divs["level"]):
            if lv == "town":
                for cur in reg.current(code):
                    self.hist.setdefault(cur, {cur[:6]}).add(code[:6])

    def find(self, text: str, level: str) -> list[str]:
        text = _norm(text)
        out = [d.code for d in self.reg.find(text, level=level)]
        sufs = {"district": ("市", "县", "区"), "town": ("街道", "镇", "乡"), "community": ()}[level]
        if not out:
            for suf in sufs:  # a suffix that changed (乔司镇 -> 乔司街道, 临安市 -> 临安区)
                if text.endswith(suf):
                    out = [d.code for d in self.reg.find(text[: -len(suf)], level=level)]
        return out

    def towns_named(self, text: str, d_old: str | None) -> list[str]:
        """Current codes of the towns ``text`` names (within the 2020 district ``d_old`` when known)."""
        towns = {cur for t in self.find(text, "town") for cur in self.reg.current(t)
                 if d_old is None or d_old in self.hist.get(cur, {cur[:6]})}
        return sorted(towns)

    def derive(self, spans: dict[str, str],
               others: list[tuple[str, str]] | None = None) -> tuple[str, dict[str, str | None]]:
        """Gold of a row from its first span per label (``spans``) and all its spans (``others``)."""
        city, prov, dist, town, comm = (spans.get(k) for k in ("city", "prov", "district", "town", "community"))
        gold: dict[str, str | None] = {"district": None, "town": None, "community": None}
        if prov and not _norm(prov).startswith("浙江"):
            return "outside", gold
        if city and not _norm(city).startswith("杭州"):
            if self.find(city, "district") and not dist:  # county-level city of Hangzhou (建德市)
                dist, city = city, None
            else:
                return "outside", gold
        d_codes = self.find(dist, "district") if dist else []
        if dist and not d_codes:
            if city:
                d_codes = []  # typo'd district of Hangzhou: keep the row, no district gold from the span
            else:
                return "outside", gold
        if not city and not d_codes:
            return "unknown", gold
        d_old = d_codes[0] if len(d_codes) == 1 else None
        towns: list[str] = []
        if town:
            towns = self.towns_named(town, d_old)
            # the spans name another town too: a second town span (昌化 + 龙岗镇), or a town's full name
            # under another label (临平 + road 南苑街道, 姜家镇 + poi 界首乡); then they do not say which
            # town (a community span may still decide). A bare town span that repeats the district's own
            # bare name (西湖区西湖) may be the district written twice: no town either.
            named = set(towns)
            for label, text in others or ():
                if label == "town" or _norm(text).endswith(("街道", "镇", "乡")):
                    named.update(self.towns_named(text, d_old))
            if len(named) > 1:
                towns = []
                if len({t[:6] for t in named}) == 1:  # two towns of one current district
                    gold["district"] = min(named)[:6]
            if dist and _norm(dist)[:-1] == _norm(town) and _norm(dist)[-1:] in "区县市":
                towns = []
        split = d_old in SPLIT_DISTRICTS  # part of its 2020 territory is now another district
        if len(towns) == 1:
            gold["town"] = towns[0]
            gold["district"] = towns[0][:6]
        elif d_old is not None and not town and comm and split:
            cs = sorted({cur for c in self.find(comm, "community") for cur in self.reg.current(c)
                         if d_old in self.hist.get(cur[:9], {cur[:6]})})
            if len(cs) == 1:
                gold.update(district=cs[0][:6], town=cs[0][:9], community=cs[0])
        elif d_old is not None and not town and not split:
            succ = self.reg.current(d_old)
            gold["district"] = succ[0] if succ else None
        if gold["district"] is None and split:
            # the spans name a split 2020 district only: any of its successors is right
            gold["district_any"] = set(DISTRICT_SUCCESSORS.get(d_old, ())) | set(self.reg.current(d_old))
        elif d_old is not None and town and not towns and not split:
            succ = self.reg.current(d_old)
            gold["district"] = gold["district"] or (succ[0] if len(succ) == 1 else None)
        if comm and (gold["town"] or gold["district"]):
            scope = gold["town"] or gold["district"]
            cs = sorted({cur for c in self.find(comm, "community") for cur in self.reg.current(c)
                         if cur.startswith(scope)})
            if len(cs) == 1:
                gold["community"] = cs[0]
                if gold["town"] is None:
                    gold["town"] = cs[0][:9]
        return "hangzhou", gold


def load_rows(split: str) -> list[dict]:
    rows = []
    with open(CORPUS, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if split == "all" or r["split"] == split:
                spans: dict[str, str] = {}
                for label, text, _s, _e in r["spans"]:
                    spans.setdefault(label, text)
                r["first"] = spans
                r["all"] = [(label, text) for label, text, _s, _e in r["spans"]]
                rows.append(r)
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="train")
    ap.add_argument("--peers", type=int, default=300, help="rows to run jionlp / cpca on (0 = skip)")
    ap.add_argument("--show-errors", type=int, default=0)
    ap.add_argument("--registry", default="official", choices=["official", "default"])
    args = ap.parse_args(argv)

    if args.registry == "default":
        from hangzhou_address import default_registry

        reg = default_registry()
    else:
        divisions, lineage = load_official_divisions()
        reg = Registry(divisions, lineage=lineage)
    from hangzhou_address.matcher import Matcher

    t0 = time.perf_counter()
    matcher = Matcher(reg)
    build = time.perf_counter() - t0
    gold = Gold(reg)
    rows = load_rows(args.split)
    hz, outside = [], []
    for r in rows:
        kind, g = gold.derive(r["first"], r["all"])
        r["gold"] = g
        if kind == "hangzhou":
            hz.append(r)
        elif kind == "outside":
            outside.append(r)
    texts = [r["text"] for r in hz]
    t0 = time.perf_counter()
    results = [matcher.match(t) for t in texts]
    elapsed = time.perf_counter() - t0
    print(f"split={args.split}: {len(rows)} rows, {len(hz)} Hangzhou (gold), {len(outside)} outside Hangzhou; "
          f"matcher build {build:.2f}s; match {len(texts) / elapsed:,.0f}/s")
    attrs = {"district": "district_code", "town": "town_code", "community": "community_code"}
    errors: list[tuple] = []
    for level, attr in attrs.items():
        n = right = wrong = 0
        for r, res in zip(hz, results):
            g = r["gold"][level]
            anyof = r["gold"].get(f"{level}_any", ())
            if g is None and not anyof:
                continue
            n += 1
            p = getattr(res, attr)
            if p == g or p in anyof:
                right += 1
            elif p is not None:
                wrong += 1
                errors.append((level, r["text"], g, p, res.reasons))
            else:
                errors.append((level, r["text"], g, None, res.reasons))
        print(f"  {level:9s}: n={n:5d}  correct {right / max(n, 1):7.2%}  wrong {wrong / max(n, 1):6.2%}  "
              f"none {(n - right - wrong) / max(n, 1):6.2%}")
    # calibration: a result is right when its division codes agree with the gold at the deepest level both
    # have (a building / grid answer against synthetic addresses is checked at its community / town / district)
    pairs: list[tuple[float, bool]] = []
    for r, res in zip(hz, results):
        if res.code is None:
            continue
        lv_res = res.level if res.level in attrs else "community"
        for lv in ("community", "town", "district"):
            if _LV[lv] > _LV[lv_res] or r["gold"][lv] is None:
                continue
            got = getattr(res, attrs[lv])
            ok = got == r["gold"][lv] or got in r["gold"].get(f"{lv}_any", ())
            if got is None and lv != "district":
                continue
            pairs.append((res.confidence, ok))
            break
    print(reliability_table(pairs))
    out_res = [matcher.match(r["text"]) for r in outside]
    fp = sum(1 for res in out_res if res.code is not None)
    fp9 = sum(1 for res in out_res if res.code is not None and res.confidence >= 0.9)
    print(f"  outside Hangzhou: {len(outside)} rows, matched anyway {fp / max(len(outside), 1):.2%} "
          f"(at confidence ≥ 0.9: {fp9 / max(len(outside), 1):.2%})")
    if args.show_errors:
        for e in errors[: args.show_errors]:
            print("   ", e)
        fps = [(r["text"], res.code, res.reasons) for r, res in zip(outside, out_res) if res.code is not None]
        for e in fps[: args.show_errors]:
            print("    FP", e)

    if args.peers:
        sub = [r for r in hz if r["gold"]["district"] is not None][: args.peers]
        name = gold.name
        ours = sum(1 for r in sub if matcher.match(r["text"]).district_code == r["gold"]["district"])
        t0 = time.perf_counter()
        for r in sub:
            matcher.match(r["text"])
        t_ours = time.perf_counter() - t0
        print(f"  peers on {len(sub)} rows with gold district:")
        print(f"    hangzhou_address district {ours / len(sub):7.2%}  {len(sub) / t_ours:10,.0f}/s")
        try:
            import jionlp

            t0 = time.perf_counter()
            got = [jionlp.parse_location(r["text"]).get("county") for r in sub]
            t_j = time.perf_counter() - t0
            ok = sum(1 for r, g in zip(sub, got) if g == name[r["gold"]["district"]])
            old = sum(1 for g in got if g in ABOLISHED)
            print(f"    jionlp.parse_location    {ok / len(sub):7.2%}  {len(sub) / t_j:10,.0f}/s "
                  f"(ours {t_j / t_ours:.0f}x as fast); abolished district names returned: {old}")
        except ImportError:
            print("    jionlp not installed")
        try:
            import cpca

            t0 = time.perf_counter()
            df = cpca.transform([r["text"] for r in sub])
            t_c = time.perf_counter() - t0
            ok = sum(1 for r, g in zip(sub, df["区"]) if g == name[r["gold"]["district"]])
            old = sum(1 for g in df["区"] if g in ABOLISHED)
            print(f"    cpca.transform           {ok / len(sub):7.2%}  {len(sub) / t_c:10,.0f}/s "
                  f"(ours {t_c / t_ours:.1f}x as fast); abolished district names returned: {old}")
        except ImportError:
            print("    cpca not installed")


_LV = {"district": 0, "town": 1, "community": 2}


def reliability_table(pairs: list[tuple[float, bool]]) -> str:
    """Predicted vs observed accuracy per confidence bin, the expected calibration error and the share
    right among answers at confidence >= 0.9 (``pairs``: (confidence, right))."""
    from _calibration import reliability

    rows, ece = reliability(pairs)
    lines = ["  reliability (answers whose division codes can be checked against the gold):",
             "    bin              n  mean predicted  observed"]
    lines += [f"    [{a:.2f}, {b:.2f})  {n:6,d}  {mp:14.4f}  {ob:8.4f}" for a, b, n, mp, ob in rows if n]
    hi = [ok for c, ok in pairs if c >= 0.9]
    lines.append(f"    expected calibration error {ece:.4f} over {len(pairs):,} answers; at confidence >= 0.9: "
                 f"{len(hi):,} answers, {sum(hi) / max(len(hi), 1):.2%} right")
    return "\n".join(lines)


#: names of Hangzhou districts abolished or renamed (2021 reorganization; 临安市 2017, 富阳市 2014)
ABOLISHED = {"下城区", "江干区", "临安市", "富阳市"}

if __name__ == "__main__":
    main()
