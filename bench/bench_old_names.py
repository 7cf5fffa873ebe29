"""Old-name coverage: every town name of the older division lists (``data/divisions/history/``) matched as
``<its district><its name>`` (e.g. 江干区丁桥镇).

Each name is counted as *resolved* (the match gives its current town), *candidates* (no town, but its successors
among the candidates), *unknown* (no known successor, and the answer says so) or *wrong* (a current town that is
not its successor) - the last must be 0. *Not read* is anything else.

Run:  python bench/bench_old_names.py
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hangzhou_address._datapath import data_dir  # noqa: E402
from hangzhou_address.io.embedded import HISTORY_EDITIONS, _core, _key, load_official_divisions  # noqa: E402
from hangzhou_address.matcher import match  # noqa: E402
from hangzhou_address.registry import Registry  # noqa: E402


def main() -> None:
    divisions, lineage = load_official_divisions()
    reg = Registry(divisions, lineage=lineage)
    hist = data_dir() / "divisions" / "history"
    frames = [pd.read_csv(hist / f, dtype=str, keep_default_na=False) for _e, f in HISTORY_EDITIONS]
    dname = {"330183": "富阳市", "330185": "临安市"}
    for h in frames:
        dname.update({c: n for c, n, lv in zip(h["code"], h["name"], h["level"]) if lv == "district"})
    seen: set[tuple[str, str]] = set()
    counts: Counter[str] = Counter()
    gone: Counter[str] = Counter()  # names no longer in 2020/2023 (renamed / merged)
    notes = []
    for h in frames:
        for code, name, parent, lv in zip(h["code"], h["name"], h["parent_code"], h["level"]):
            if lv != "town" or (name, parent) in seen:
                continue
            seen.add((name, parent))
            div = reg.lookup(code)
            if div is None or _key(div.name) != _key(name.removesuffix("办事处")) and _core(div.name) != _core(name):
                div = None
            expected = set(reg.current(div.code)) if div is not None else set()
            r = match(dname[parent] + name, registry=reg)
            cands = {c[0] for c in r.candidates if c[1] == "town"}
            if r.town_code is not None:
                kind = "resolved" if r.town_code in expected else "wrong"
            elif expected and expected <= cands:
                kind = "candidates"
            elif not expected and any("successor unknown" in x for x in r.reasons):
                kind = "unknown"
            else:
                kind = "not read"
            counts[kind] += 1
            renamed = div is None or div.status != "active" or _key(div.name) != _key(name.removesuffix("办事处"))
            if renamed:
                gone[kind] += 1
            if kind in ("wrong", "not read", "unknown"):
                notes.append(f"    {kind:9s} {dname[parent]}{name} ({code})")
    print(f"old town names (distinct name + district over {len(frames)} lists): {len(seen)}")
    for k in ("resolved", "candidates", "unknown", "wrong", "not read"):
        print(f"  {k:10s} {counts[k]:4d}   (of them renamed / merged / recoded since: {gone[k]})")
    print("\n".join(notes))


if __name__ == "__main__":
    main()
