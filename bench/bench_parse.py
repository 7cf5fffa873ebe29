"""Benchmark: element tagging F1 on the real corpus (dev split) and speed vs jionlp.

Exact span match (label + start + end) on road, roadno, poi, houseno, cellno, floorno, roomno.
The tagger is trained on the train split only.
"""

from __future__ import annotations

import json
import time
from collections import Counter

from hangzhou_address._datapath import data_dir
from hangzhou_address.tagger import tag_many

LABELS = ("road", "roadno", "poi", "houseno", "cellno", "floorno", "roomno")
DIVISIONS = ("prov", "city", "district", "town", "community")


def main() -> None:
    recs = [json.loads(x) for x in open(data_dir() / "corpus" / "naacl2019_train_dev.jsonl", encoding="utf-8")]
    for split in ("dev", "train"):
        rs = [r for r in recs if r["split"] == split]
        preds = tag_many([r["text"] for r in rs])
        tp, fp, fn = Counter(), Counter(), Counter()
        for r, p in zip(rs, preds):
            gold = {(s[0], s[2], s[3]) for s in r["spans"] if s[0] in LABELS}
            got = {(s.label, s.start, s.end) for s in p if s.label in LABELS}
            for x in got:
                (tp if x in gold else fp)[x[0]] += 1
            for x in gold - got:
                fn[x[0]] += 1
        t, f, m = sum(tp.values()), sum(fp.values()), sum(fn.values())
        print(f"{split}: {len(rs):,} addresses, micro P {t / (t + f):.3f} R {t / (t + m):.3f} F1 {2 * t / (2 * t + f + m):.3f}")
        if split == "dev":
            for lb in LABELS:
                p = tp[lb] / max(tp[lb] + fp[lb], 1)
                rcl = tp[lb] / max(tp[lb] + fn[lb], 1)
                print(f"  {lb:8s} P {p:.3f} R {rcl:.3f} F1 {2 * p * rcl / max(p + rcl, 1e-9):.3f}")
    # the public parse(): division labels from the registry-backed resolver, the others from the tagger
    from hangzhou_address import default_registry
    from hangzhou_address.io.embedded import load_official_divisions
    from hangzhou_address.matcher import Matcher
    from hangzhou_address.registry import Registry
    from hangzhou_address.runtime import freeze_loaded
    from hangzhou_address.tagger import default_tagger

    from _timing import best_cold_seconds

    d, lin = load_official_divisions()
    matchers = {"divisions only": Matcher(Registry(d, lineage=lin)),
                "embedded city": Matcher(default_registry())}
    dev = [r for r in recs if r["split"] == "dev"]
    dev_texts = [r["text"] for r in dev]
    default_tagger().tag(dev_texts[0])  # load the model (and compile the numba decoder)
    freeze_loaded()  # as the CLI / ledger workers do after loading (hangzhou_address.runtime)
    print(f"parse on dev (tagger decoder: {'numba' if default_tagger().accelerated else 'numpy'}; "
          "best of 3 runs, each starting with an empty decision memo):")
    for name, m in matchers.items():
        parsed = m.parse_many(dev_texts)
        rate = len(dev) / best_cold_seconds(m, lambda: m.parse_many(dev_texts))
        rate1 = len(dev) / best_cold_seconds(m, lambda: [m.parse(t) for t in dev_texts])
        f1 = {}
        for group, labels in (("elements", LABELS), ("divisions", DIVISIONS)):
            tp = fp = fn = 0
            for r, p in zip(dev, parsed):
                gold = {(s[0], s[1]) for s in r["spans"] if s[0] in labels}
                got = {(k, v) for k, v in p.elements.items() if k in labels}
                tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
            f1[group] = 2 * tp / (2 * tp + fp + fn)
        print(f"  registry {name:15s}: elements micro F1 {f1['elements']:.3f}, division elements (prov ... "
              f"community) {f1['divisions']:.3f} (label + text, first of each label); parse_many {rate:,.0f}/s, "
              f"parse {rate1:,.0f}/s")
    texts = [r["text"] for r in recs] * 3
    tag_many(texts[:100])
    t0 = time.perf_counter()
    for i in range(0, len(texts), 2000):
        tag_many(texts[i:i + 2000])
    ours = len(texts) / (time.perf_counter() - t0)
    print(f"tag_many: {ours:,.0f} addresses/s (batches of 2,000, single core)")
    try:
        import jionlp

        sub = texts[:300]
        jionlp.parse_location(sub[0])
        t0 = time.perf_counter()
        for t in sub:
            jionlp.parse_location(t)
        jio = len(sub) / (time.perf_counter() - t0)
        print(f"jionlp.parse_location: {jio:,.0f} addresses/s -> tagger is {ours / jio:,.0f}x faster")
    except ImportError:
        print("jionlp not installed: pip install jionlp to compare")
    print(f"date {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
