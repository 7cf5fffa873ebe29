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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hangzhou_address.io.embedded import HISTORY_EDITIONS, load_official_divisions, older_town_names  # noqa: E402
from hangzhou_address.matcher import match  # noqa: E402
from hangzhou_address.registry import Registry  # noqa: E402


def main() -> None:
    divisions, lineage = load_official_divisions()
    reg = Registry(divisions, lineage=lineage)
    names = older_town_names(reg)
    counts: Counter[str] = Counter()
    gone: Counter[str] = Counter()  # names no longer in 2020/2023 (renamed / merged)
    notes = []
    for old in names:
        r = match(old.text, registry=reg)
        cands = {c[0] for c in r.candidates if c[1] == "town"}
        if r.town_code is not None:
            kind = "resolved" if r.town_code in old.expected else "wrong"
        elif old.expected and old.expected <= cands:
            kind = "candidates"
        elif not old.expected and any("successor unknown" in x for x in r.reasons):
            kind = "unknown"
        else:
            kind = "not read"
        counts[kind] += 1
        if old.renamed:
            gone[kind] += 1
        if kind in ("wrong", "not read", "unknown"):
            notes.append(f"    {kind:9s} {old.text} ({old.code})")
    print(f"old town names (distinct name + district over {len(HISTORY_EDITIONS)} lists): {len(names)}")
    for k in ("resolved", "candidates", "unknown", "wrong", "not read"):
        print(f"  {k:10s} {counts[k]:4d}   (of them renamed / merged / recoded since: {gone[k]})")
    print("\n".join(notes))


if __name__ == "__main__":
    main()
