"""The embedded data: real NBS divisions (2023 current, 2020 retired) and the embedded synthetic city."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._datapath import data_dir

__all__ = ["load_official_divisions", "load_embedded_registry", "REORG_DATE", "DISTRICT_SUCCESSORS"]

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
    new["status"] = "active"
    new["valid_from"] = None
    new["valid_to"] = None

    new_key = set(zip(new["code"], new["name"]))
    retired = old[[(c, n) not in new_key for c, n in zip(old["code"], old["name"])]].copy()
    # a code that still exists with another name is reused: keep only the 2023 row for it
    retired = retired[~retired["code"].isin(set(new["code"]))]
    retired["status"] = "retired"
    retired["valid_from"] = None
    retired["valid_to"] = REORG_DATE

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
        ["code", "level", "name", "parent_code", "status", "valid_from", "valid_to"]
    ]
    return divisions, lineage


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
