"""The embedded data: real NBS divisions (2023 current, 2020 and older retired) and the embedded synthetic city.

Older lists (``data/divisions/history/``: NBS editions 2015-2019 and two undated town lists) add the divisions
that no longer exist as ``retired`` rows, each with the editions it appears in (column ``editions``); their
successors are derived (same code and name: the same division; same name in the same district or town:
renumbered; a 镇 / 乡 that became a 街道 under the same name) or taken from the curated, source-cited
``data/divisions/crosswalk.csv``. A name with neither keeps no successor: it is reported as unknown, never
guessed.
"""

from __future__ import annotations

import re
from pathlib import Path
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .._datapath import data_dir

__all__ = ["load_official_divisions", "load_embedded_registry", "REORG_DATE", "DISTRICT_SUCCESSORS",
           "HISTORY_EDITIONS", "EDITION_ORDER", "OldTownName", "older_town_names", "former_names"]

#: Date the 2021 Hangzhou district reorganization took effect (State Council approval 2021-03-11,
#: announced and effective 2021-04-09).
REORG_DATE = "2021-04-09"

#: 2020 district code -> 2023 district codes that took over its territory.
DISTRICT_SUCCESSORS: dict[str, tuple[str, ...]] = {
    "330103": ("330105",),  # 下城区 -> 拱墅区
    "330104": ("330102", "330114"),  # 江干区 -> 上城区 (下沙/白杨 -> 钱塘区)
    "330109": ("330109", "330114"),  # 萧山区 east (河庄/义蓬/新湾/临江/前进) -> 钱塘区
    "330110": ("330110", "330113"),  # 余杭区 east -> 临平区
    "330102": ("330102",),
    "330105": ("330105",),
}


#: older lists in ``divisions/history/``, oldest first: (edition label, file)
HISTORY_EDITIONS: tuple[tuple[str, str], ...] = (
    ("undated", "hangzhou_towns_undated_old_names.csv"),  # a list of old names only (no date, no code authority)
    ("c2014", "hangzhou_towns_c2014_unlabelled.csv"),
    ("2015", "hangzhou_divisions_2015.csv"),
    ("2016", "hangzhou_divisions_2016.csv"),
    ("2017", "hangzhou_divisions_2017.csv"),
    ("2018", "hangzhou_divisions_2018.csv"),
    ("2019", "hangzhou_divisions_2019.csv"),
)
#: every edition label, oldest first (the ``editions`` column lists them in this order)
EDITION_ORDER: tuple[str, ...] = tuple(e for e, _f in HISTORY_EDITIONS) + ("2020", "2023")
#: district codes older than both NBS lists -> the current district (富阳市 2014, 临安市 2017)
_OLD_DISTRICTS: dict[str, str] = {"330183": "330111", "330185": "330112"}
_OLD_DISTRICT_NAMES: dict[str, str] = {"330183": "富阳市", "330185": "临安市"}  # GB/T 2260


@dataclass(frozen=True)
class OldTownName:
    """A town name of the older lists (``divisions/history/``) as a ledger would write it.

    ``text`` is ``<its district><its name>`` (江干区丁桥镇); ``expected`` the current town codes the registry
    gives as its successors (empty: no known successor); ``renamed`` whether the name is no longer a current
    division's (renamed, merged or recoded since)."""

    text: str
    code: str
    expected: frozenset[str]
    renamed: bool


def older_town_names(registry: Any) -> list[OldTownName]:
    """Every distinct (name, district) town of the older lists, oldest list first, with the successors
    ``registry`` (one built from :func:`load_official_divisions`) gives it - what matching an old name must
    answer (``bench/bench_old_names.py``, ``tests/test_resolve.py``)."""
    hist = data_dir() / "divisions" / "history"
    frames = [pd.read_csv(hist / f, dtype=str, keep_default_na=False) for _e, f in HISTORY_EDITIONS]
    dname = dict(_OLD_DISTRICT_NAMES)
    for h in frames:
        dname.update({c: n for c, n, lv in zip(h["code"], h["name"], h["level"]) if lv == "district"})
    seen: set[tuple[str, str]] = set()
    out: list[OldTownName] = []
    for h in frames:
        for code, name, parent, lv in zip(h["code"], h["name"], h["parent_code"], h["level"]):
            if lv != "town" or (name, parent) in seen:
                continue
            seen.add((name, parent))
            div = registry.lookup(code)
            former = ({_key(n) for n, _e in registry.history(code).former_names}
                      if div is not None and div.level == "town" else set())
            if div is None or (_key(div.name) != _key(name.removesuffix("办事处")) and _core(div.name) != _core(name)
                               and _key(name.removesuffix("办事处")) not in former):
                div = None  # (a former name of the code's division: renamed under its code, that division)
            expected = frozenset(registry.current(div.code)) if div is not None else frozenset()
            renamed = div is None or div.status != "active" or _key(div.name) != _key(name.removesuffix("办事处"))
            out.append(OldTownName(dname[parent] + name, code, expected, renamed))
    return out


def _read(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["level"] = df["level"].replace({"village": "community"})
    df["parent_code"] = df["parent_code"].where(df["level"] != "city", None)
    return df


def load_official_divisions(directory: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(divisions, lineage)`` from the NBS 2023 and 2020 lists.

    ``divisions`` holds every 2023 division as ``active`` and every 2020 code that no longer exists
    (or now names something else) as ``retired`` with ``valid_to`` = the reorganization date.
    ``lineage`` maps each retired code to its 2023 successor, found by identical name under a
    successor parent.
    """
    d = Path(directory) if directory else data_dir() / "divisions"
    new = _read(d / "hangzhou_divisions_2023.csv")
    old = _read(d / "hangzhou_divisions_2020.csv")
    old_key = set(zip(old["code"], old["name"]))
    new["editions"] = ["2020 2023" if k in old_key else "2023" for k in zip(new["code"], new["name"])]
    new["status"] = "active"
    new["valid_from"] = None
    new["valid_to"] = None

    new_key = set(zip(new["code"], new["name"]))
    current_name = dict(zip(new["code"], new["name"]))
    #: code -> {older name of that same code -> editions}: a village renamed under its code (上四村 -> 上泗村)
    former: dict[str, dict[str, set[str]]] = {}
    for c, n, lv in zip(old["code"], old["name"], old["level"]):
        cur = current_name.get(c)
        if cur is not None and _renamed(lv, n, cur):
            former.setdefault(c, {}).setdefault(n, set()).add("2020")
    retired = old[[(c, n) not in new_key for c, n in zip(old["code"], old["name"])]].copy()
    # a code that still exists with another name is reused: keep only the 2023 row for it
    retired = retired[~retired["code"].isin(set(new["code"]))]
    retired["status"] = "retired"
    retired["valid_from"] = None
    retired["valid_to"] = REORG_DATE
    retired["editions"] = "2020"

    # lineage by name under successor parents, top-down
    new_by_parent_name = {(p, n): c for c, p, n in zip(new["code"], new["parent_code"], new["name"])}
    new_codes = set(new["code"])
    names = (dict(zip(old["code"], old["name"])), dict(zip(new["code"], new["name"])))
    mapping: dict[str, str] = {"3301": "3301"}
    rows = []
    old_sorted = old.assign(_len=old["code"].str.len()).sort_values(["_len", "code"])
    for code, name, parent, level in zip(old_sorted["code"], old_sorted["name"], old_sorted["parent_code"],
                                         old_sorted["level"]):
        if level == "city":
            continue
        if level == "district":
            succ = DISTRICT_SUCCESSORS.get(code, (code,))
            if code in new_codes and len(succ) == 1 and succ[0] == code:
                mapping[code] = code
                continue
            # the district keeps its code when it survives; otherwise the main successor
            target = code if code in new_codes else succ[0]
            mapping[code] = target
            if target != code:
                rows.append((code, target, REORG_DATE, _reason(code, target, *names)))
            continue
        parents: tuple[str, ...]
        if level == "town":
            parents = DISTRICT_SUCCESSORS.get(parent, (parent,))
        else:
            parents = (mapping.get(parent, parent),)
        target = next((new_by_parent_name[(p, name)] for p in parents if (p, name) in new_by_parent_name), None)
        if target is None:
            continue
        mapping[code] = target
        if target != code:
            rows.append((code, target, REORG_DATE, _reason(code, target, *names)))
    lineage = pd.DataFrame(rows, columns=["old_code", "new_code", "date", "reason"])
    divisions = pd.concat([new, retired], ignore_index=True)[
        ["code", "level", "name", "parent_code", "status", "valid_from", "valid_to", "editions"]
    ]
    if (d / "history").is_dir():
        divisions, lineage = _with_history(divisions, lineage, d, former)
    divisions["former_names"] = [_former_names(former.get(c)) if st == "active" else ""
                                 for c, st in zip(divisions["code"], divisions["status"])]
    return divisions, lineage


def _renamed(level: str, name: str, current: str) -> bool:
    """Whether ``name`` of an older list is another name than ``current`` for the same code (not the same
    name with a suffix an edition adds or drops, nor a town whose kind changed: 乔司镇 / 乔司街道)."""
    return _key(name) != _key(current) and not (level == "town" and _core(name) == _core(current))


def _former_names(names: dict[str, set[str]] | None) -> str:
    """The ``former_names`` cell: ``name (editions)`` entries joined by ``; `` (empty when none)."""
    if not names:
        return ""
    return "; ".join(f"{n} ({_editions(e)})" for n, e in names.items())


def former_names(cell: Any) -> tuple[tuple[str, str], ...]:
    """``(name, editions)`` pairs of a ``former_names`` cell (``上四村村委会 (2016 2017)``); empty for an
    empty or missing cell.

    Examples
    --------
    >>> former_names("上四村村委会 (2016 2020); 上泗 (2015)")
    (('上四村村委会', '2016 2020'), ('上泗', '2015'))
    """
    if not isinstance(cell, str) or not cell.strip():
        return ()
    out = []
    for part in cell.split(";"):
        m = re.fullmatch(r"\s*(.+?)\s*(?:\(([^()]*)\))?\s*", part)
        if m and m.group(1):
            out.append((m.group(1), (m.group(2) or "").strip()))
    return tuple(out)


def _key(name: str) -> str:
    """A division name without the suffixes editions add or drop (办事处, 居委会, 村委会...)."""
    k = re.sub(r"(办事处|居民委员会|村民委员会|居委会|委员会|委会)$", "", name)
    return k[:-1] if k.endswith("村村") else k


def _core(name: str) -> str:
    """A town name without its kind (镇, 乡, 街道) and 自治 (莪山畲族自治乡 -> 莪山)."""
    return re.sub(r"(畲族)?(自治)?(街道|镇|乡)$", "", _key(name))


def _with_history(divisions: pd.DataFrame, lineage: pd.DataFrame, d: Path,
                  former: dict[str, dict[str, set[str]]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the divisions of the older lists as retired rows (editions, derived or curated successors); the
    older names of codes that still exist under another name go to ``former`` (code -> name -> editions)."""
    by_code = {c: i for i, c in enumerate(divisions["code"])}
    key_of = [_key(n) for n in divisions["name"]]
    editions = [set(str(e).split()) for e in divisions["editions"]]
    active = divisions[divisions["status"] == "active"]
    succ_of: dict[str, tuple[str, ...]] = {}  # any known code -> current codes
    for old_code, new_code in zip(lineage["old_code"], lineage["new_code"]):
        succ_of.setdefault(old_code, ())
        succ_of[old_code] += (new_code,)
    for c in active["code"]:
        succ_of[c] = (c,)
    for old, news in DISTRICT_SUCCESSORS.items():
        succ_of.setdefault(old, news)
    for old, new in _OLD_DISTRICTS.items():
        succ_of[old] = (new,)
    #: an old district code -> the current districts its towns may now be in
    district_now = {**succ_of, **DISTRICT_SUCCESSORS, **{o: (n,) for o, n in _OLD_DISTRICTS.items()}}
    towns_in: dict[str, list[tuple[str, str]]] = {}  # current district -> [(code, name)]
    comms_in: dict[str, list[tuple[str, str]]] = {}  # current town -> [(code, name)]
    for c, lv, n, p in zip(active["code"], active["level"], active["name"], active["parent_code"]):
        if lv == "town":
            towns_in.setdefault(p, []).append((c, n))
        elif lv == "community":
            comms_in.setdefault(p, []).append((c, n))
    cross = {}
    if (d / "crosswalk.csv").is_file():
        cw = pd.read_csv(d / "crosswalk.csv", dtype=str, keep_default_na=False)
        for r in cw.itertuples(index=False):
            cross[(r.old_name, r.old_district)] = r
    new_rows: dict[str, dict] = {}  # code -> row of a division known only to the older lists
    lin_rows: list[tuple[str, str, str, str]] = []
    for code, name in _OLD_DISTRICT_NAMES.items():  # the parents of the oldest towns (editions from their towns)
        if code not in by_code:
            new_rows[code] = {"code": code, "level": "district", "name": name, "parent_code": "3301",
                              "status": "retired", "valid_from": None, "valid_to": None, "editions": set()}
            lin_rows.append((code, _OLD_DISTRICTS[code], "", "renamed (county-level city became a district)"))
    for edition, fname in HISTORY_EDITIONS:
        h = _read(d / "history" / fname)
        h = h.assign(_len=h["code"].str.len()).sort_values(["_len", "code"])
        for code, lv, name, parent in zip(h["code"], h["level"], h["name"], h["parent_code"]):
            if lv == "city" or name == "市辖区":
                continue
            k = _key(name)
            i = by_code.get(code)
            if i is not None and (key_of[i] == k or lv == "town" and _core(divisions["name"].iat[i]) == _core(name)):
                editions[i].add(edition)  # same code, same name (莪山畲族自治乡 / 莪山畲族乡): the same division
                continue
            if i is not None:  # the same code under another name: renamed (or the survivor of a merge)
                if divisions["status"].iat[i] == "active" and lv != "district":
                    former.setdefault(code, {}).setdefault(name, set()).add(edition)
                continue
            row = new_rows.get(code)
            if row is not None:
                if _key(row["name"]) == k or lv == "district":
                    row["editions"].add(edition)
                continue  # a code reused within the older lists: the first name keeps it
            name = name.removesuffix("办事处")
            succ, reason, date = _successor(code, lv, name, parent, succ_of, district_now, towns_in, comms_in, cross)
            if parent not in by_code and parent not in new_rows and lv != "district":
                continue  # no known parent: nothing to hang the row on
            new_rows[code] = {"code": code, "level": lv, "name": name, "parent_code": parent,
                              "status": "retired", "valid_from": None, "valid_to": None, "editions": {edition}}
            if parent in new_rows:
                new_rows[parent]["editions"].add(edition)
            succ_of[code] = succ
            for s in succ:
                lin_rows.append((code, s, date, reason))
    # a derived successor's date: the first edition without the old code ("by 2017"; the lists before 2015 are
    # not dated, so "by 2015")
    for j, (code, s, date, reason) in enumerate(lin_rows):
        if date == "" and code in new_rows and new_rows[code]["editions"]:
            last = max(EDITION_ORDER.index(e) for e in new_rows[code]["editions"])
            nxt = next(e for e in EDITION_ORDER[last + 1:] if e.isdigit())
            lin_rows[j] = (code, s, f"by {nxt}", reason)
    divisions = divisions.copy()
    divisions["editions"] = [_editions(e) for e in editions]
    extra = pd.DataFrame([{**r, "editions": _editions(r["editions"])} for r in new_rows.values()],
                         columns=divisions.columns)
    extra = extra.astype({"valid_from": object, "valid_to": object})
    divisions = pd.concat([divisions, extra], ignore_index=True)
    lin = pd.DataFrame(lin_rows, columns=lineage.columns)
    return divisions, pd.concat([lineage, lin], ignore_index=True) if len(lin) else lineage


def _editions(labels: set[str]) -> str:
    return " ".join(e for e in EDITION_ORDER if e in labels)


def _successor(
    code: str, lv: str, name: str, parent: str,
    succ_of: dict[str, tuple[str, ...]], district_now: dict[str, tuple[str, ...]],
    towns_in: dict[str, list[tuple[str, str]]], comms_in: dict[str, list[tuple[str, str]]],
    cross: dict[tuple[str, str], Any],
) -> tuple[tuple[str, ...], str, str]:
    """``(successor codes, reason, date)`` of a division known only to the older lists (``()`` when unknown).

    ``succ_of``: known code -> current codes; ``district_now``: old district -> current districts its towns may be
    in; ``towns_in`` / ``comms_in``: current towns per district, communities per town; ``cross``: crosswalk rows
    by (old name, old district). The date is left empty for a derived successor (filled in from the editions).
    """
    when = ""  # a derived successor's date is filled in once every edition is read
    if lv == "district":
        new = succ_of.get(code, ())
        return new, "renamed (county-level city became a district)" if new else "", when
    k = _key(name)
    if lv == "town":
        row = cross.get((name, parent))
        if row is not None:
            news = tuple(row.successor_codes.split())
            return news, f"{row.reason} ({row.date}); source: {row.source}", row.date
        districts = district_now.get(parent, (parent,))
        cands = [c for dd in districts for c, n in towns_in.get(dd, []) if _key(n) == k]
        if len(cands) == 1:
            return (cands[0],), "renumbered (same name in the same district)", when
        cands = [c for dd in districts for c, n in towns_in.get(dd, []) if _core(n) == _core(name)]
        if len(cands) == 1:
            return (cands[0],), "renamed (镇 / 乡 became 街道 / 镇 under the same name)", when
        return (), "", ""
    towns = succ_of.get(parent, ())
    if len(towns) != 1:
        return (), "", ""
    kids = comms_in.get(towns[0], [])
    cands = [c for c, n in kids if _key(n) == k]
    if len(cands) == 1:
        return (cands[0],), "renumbered (same name in the same town)", when
    core = re.sub(r"(社区|村)$", "", k)
    cands = [c for c, n in kids if re.sub(r"(社区|村)$", "", _key(n)) == core]
    if len(cands) == 1:
        return (cands[0],), "converted (村 / 社区, same name in the same town)", when
    return (), "", ""


def _reason(old_code: str, new_code: str, on: dict[str, str], nn: dict[str, str]) -> str:
    od, nd = on.get(old_code[:6], old_code[:6]), nn.get(new_code[:6], new_code[:6])
    if od == nd:
        return f"2021 district reorganization: renumbered within {nd}"
    return f"2021 district reorganization: {od} territory now in {nd}"


def load_embedded_registry():  # -> Registry
    """Build the embedded default registry (divisions + embedded synthetic city, lazily)."""
    from ..registry import Registry

    divisions, lineage = load_official_divisions()
    city = data_dir() / "city"
    if (city / "manifest.json").is_file():
        from .city import open_city

        return open_city(city, divisions=divisions, lineage=lineage)
    return Registry(divisions, lineage=lineage, metadata={"source": "NBS 2023 (real)", "synthetic_city": False})
