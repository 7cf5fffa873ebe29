"""Mine real road and residential-compound names per district/town from the annotated corpus.

The NAACL 2019 corpus (``data/corpus/naacl2019_train_dev.jsonl``) holds real addresses with spans.
Hangzhou records are kept (city 杭州 or a Hangzhou district name), old district names are mapped to
today's districts (through the town when the town name is known), and the road / compound names
are collected per current district and town. The result is stored in
``data/synth/corpus_names.json`` by :func:`write_mined_names`; the generator only reads that file.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

__all__ = ["mine_names", "write_mined_names", "COMPOUND_SUFFIX"]

#: residential compound (小区) name endings
COMPOUND_SUFFIX = re.compile(
    r"(苑|园|家园|花园|小区|新村|公寓|府|庭|居|湾|邸|坊|院|轩|里|城|雅居|名邸|公馆|人家|山庄|华庭)$"
)
_ROAD = re.compile(r"^[\u4e00-\u9fff]{1,8}(路|街|大道|大街|巷|弄)$")
_NOT_ROAD = re.compile(r"(街道|社区|村)$")
_NOT_HOME = re.compile(r"(工业园|产业园|科技园|创意园|软件园|服饰城|汽配城|网城|商城|大学城|科技城|物流园|园区)$")
_POI_OK = re.compile(r"^[\u4e00-\u9fff]{2,8}$")

_OLD_DISTRICTS = {"江干区": "330104", "下城区": "330103", "临安市": "330112", "富阳市": "330111"}


def mine_names(corpus: Path, divisions: pd.DataFrame) -> dict[str, dict[str, list[str]]]:
    """Return ``{code: {"roads": [...], "compounds": [...]}}`` for district and town codes.

    Names are sorted by frequency then text (deterministic).
    """
    active = divisions[divisions["status"] == "active"]
    district_by_name = {n: c for c, n, lv in zip(active["code"], active["name"], active["level"]) if lv == "district"}
    district_by_name.update(_OLD_DISTRICTS)
    towns_by_name: dict[str, list[str]] = defaultdict(list)
    for c, n, lv in zip(active["code"], active["name"], active["level"]):
        if lv == "town":
            towns_by_name[n].append(c)
            if n.endswith("街道"):
                towns_by_name[n[:-2]].append(c)
    from ..io.embedded import DISTRICT_SUCCESSORS

    roads: dict[str, Counter[str]] = defaultdict(Counter)
    compounds: dict[str, Counter[str]] = defaultdict(Counter)
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            spans = {s[0]: s[1] for s in rec["spans"]}
            city = spans.get("city", "")
            dname = spans.get("district")
            if dname not in district_by_name and not city.startswith("杭州"):
                continue
            if dname is not None and dname not in district_by_name:
                continue
            if city and not city.startswith("杭州"):
                continue
            dcode = district_by_name.get(dname) if dname else None
            tcode = None
            tname = spans.get("town")
            if tname in towns_by_name:
                cands = [t for t in towns_by_name[tname]
                         if dcode is None or t[:6] in DISTRICT_SUCCESSORS.get(dcode, (dcode,))]
                if len(cands) == 1:
                    tcode = cands[0]
                    dcode = tcode[:6]
            if dcode is None:
                continue
            dcode = DISTRICT_SUCCESSORS.get(dcode, (dcode,))[0] if tcode is None else dcode
            keys = [dcode] + ([tcode] if tcode else [])
            road = spans.get("road")
            if road and _ROAD.match(road) and not _NOT_ROAD.search(road):
                for k in keys:
                    roads[k][road] += 1
            poi = spans.get("poi")
            if poi and _POI_OK.match(poi) and COMPOUND_SUFFIX.search(poi) and not _NOT_HOME.search(poi):
                for k in keys:
                    compounds[k][poi] += 1
    out: dict[str, dict[str, list[str]]] = {}
    for k in sorted(set(roads) | set(compounds)):
        out[k] = {
            "roads": [n for n, _ in sorted(roads[k].items(), key=lambda kv: (-kv[1], kv[0]))],
            "compounds": [n for n, _ in sorted(compounds[k].items(), key=lambda kv: (-kv[1], kv[0]))],
        }
    return out


def write_mined_names(corpus: Path, divisions: pd.DataFrame, target: Path) -> Path:
    """Mine and write ``corpus_names.json`` (sorted keys, UTF-8)."""
    data = {
        "source": "NAACL 2019 Chinese address corpus (Li et al.), Hangzhou records; mined by "
        "hangzhou_address.synth._mine.mine_names",
        "names": mine_names(corpus, divisions),
    }
    target.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
    return target
