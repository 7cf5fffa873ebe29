"""New and demolished buildings: :func:`add_building` and :func:`retire_building` (each returns a
:class:`~hangzhou_address.lifecycle.changeset.ChangeSet`; nothing changes until it is applied)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..codes import make_building_code, normalize_code
from ..errors import ChangeError
from .changeset import ChangeSet, TableChange, check_date, version_of
from .numbering import buildings_with_ids, next_building_id, next_numbers

if TYPE_CHECKING:  # pragma: no cover
    from ..registry import Registry

__all__ = ["add_building", "retire_building", "FOOTPRINT_TOLERANCE"]

#: share of a new footprint's area that may lie outside its grid (digitizing slack)
FOOTPRINT_TOLERANCE = 0.05

_ROAD_RE = re.compile(r"^(.+?)(\d{1,5})号$")
_COMPOUND_RE = re.compile(r"^(.+?)(\d{1,5})(?:幢|栋|号楼)$")
_VILLAGE_RE = re.compile(r"^(.+?村)(\d{1,3})组(\d{1,5})号$")


def _address_rows(reg: Registry, code: str, grid_code: str, addresses: Iterable[Any]) -> pd.DataFrame | None:
    """Address rows for a new building from ``addresses`` (mappings with the addresses table's columns, or
    texts ``文三路92号`` / ``翠苑一区3幢`` / ``和顺村5组971号`` after the divisions)."""
    rows = []
    community = grid_code[:12]
    town, district = community[:9], community[:6]
    prefix = (reg.name_of(district) or "") + (reg.name_of(town) or "")
    for k, a in enumerate(addresses):
        if isinstance(a, str):
            text = a.strip()
            m = _VILLAGE_RE.match(text)
            if m:
                a = {"form": "village", "poi": m.group(1), "group": int(m.group(2)), "houseno": int(m.group(3))}
            elif (m := _COMPOUND_RE.match(text)):
                a = {"form": "compound", "poi": m.group(1), "houseno": int(m.group(2))}
            elif (m := _ROAD_RE.match(text)):
                a = {"form": "road", "road": m.group(1), "roadno": int(m.group(2))}
            else:
                raise ChangeError(f"cannot read the address {text!r}: write 文三路92号, 翠苑一区3幢 or 和顺村5组971号 "
                                  "(after the divisions), or give a mapping with the addresses table's columns")
        elif not isinstance(a, Mapping):
            raise ChangeError(f"an address is a text or a mapping, got {type(a).__name__}")
        form = a.get("form") or ("road" if a.get("road") else "compound")
        if form == "road":
            body = f"{a['road']}{int(a['roadno'])}号"
        elif form == "village":
            body = f"{a['poi']}{int(a['group'])}组{int(a['houseno'])}号"
        else:
            body = f"{a['poi']}{int(a['houseno'])}幢"
        rows.append({"building_code": code, "form": form, "primary": k == 0, "district_code": district,
                     "town_code": town, "community_code": community, "road": a.get("road"),
                     "roadno": a.get("roadno"), "poi": a.get("poi"), "houseno": a.get("houseno"),
                     "group": a.get("group"), "text": a.get("text") or prefix + body, "synthetic": False})
    if not rows:
        return None
    df = pd.DataFrame(rows)
    have = reg.addresses if reg.has_table("addresses") else None
    for col in ("roadno", "houseno", "group"):
        df[col] = pd.array(df[col].where(df[col].notna(), None), dtype="Int64")
    if have is not None:
        for col in have.columns:
            if col not in df:
                df[col] = None
        df = df[list(have.columns)].astype({c: have[c].dtype for c in have.columns if c in ("roadno", "houseno",
                                                                                            "group")})
    return df


def add_building(registry: Registry, grid_code: str, footprint: Any, *, addresses: Iterable[Any] = (),
                 date: str, reason: str, use: str = "residential", floors: int = 1, units: int = 1) -> ChangeSet:
    """A new building in grid ``grid_code`` with polygon ``footprint`` (EPSG:4490).

    It gets the next building number never issued in the grid (demolished buildings keep theirs) and the
    next permanent ``building_id``; ``addresses`` (texts such as ``文三路92号`` or mappings with the
    addresses table's columns) become its address rows, so that it can be matched.

    Raises
    ------
    ChangeError
        The grid does not exist or is retired, the footprint is not a polygon or lies outside the grid.
    """
    date = check_date(registry, date)
    grid_code = normalize_code(grid_code)
    grids = registry.require("grids")
    hit = grids[grids["code"] == grid_code]
    if hit.empty:
        raise ChangeError(f"grid {grid_code} does not exist")
    if "status" in hit and hit["status"].iloc[0] != "active":
        raise ChangeError(f"grid {grid_code} is retired: add the building to a current grid")
    geom = footprint
    if getattr(geom, "geom_type", None) not in ("Polygon", "MultiPolygon") or geom.is_empty or not geom.is_valid:
        raise ChangeError("the footprint must be a valid, non-empty (Multi)Polygon in EPSG:4490")
    cell = hit.geometry.iloc[0]
    outside = geom.difference(cell).area / geom.area
    if outside > FOOTPRINT_TOLERANCE:
        raise ChangeError(f"the footprint lies {outside:.0%} outside grid {grid_code} "
                          f"(at most {FOOTPRINT_TOLERANCE:.0%} may)")
    (number,) = next_numbers(registry, grid_code, "building", 1)
    code = make_building_code(grid_code, number)
    bid = next_building_id(registry)
    b = buildings_with_ids(registry)
    pt = geom.representative_point()
    row = {"code": code, "grid_code": grid_code, "number": number, "use": use, "floors": int(floors),
           "units": int(units), "x": pt.x, "y": pt.y, "status": "active", "valid_from": date, "valid_to": None,
           "synthetic": False, "building_id": bid, "geometry": geom}
    import geopandas as gpd

    add = gpd.GeoDataFrame([{c: row.get(c) for c in b.columns}], geometry="geometry", crs=b.crs)
    add = add.astype({c: b[c].dtype for c in ("number", "floors", "units", "building_id") if c in b})
    tables = {"buildings": TableChange((), add)}
    addr = _address_rows(registry, code, grid_code, addresses)
    if addr is not None:
        tables["addresses"] = TableChange((), addr)
    return ChangeSet("add_building", date, reason, version_of(registry), tables, None,
                     {"buildings added": 1, "addresses added": 0 if addr is None else len(addr)})


def _dangling_aliases(registry: Registry, code: str) -> TableChange | None:
    """The aliases of road / compound names that no address row has once building ``code``'s are gone
    (the last building of 星长新村 demolished: its other names go with it), as a change of the aliases table."""
    if not registry.has_table("aliases"):
        return None
    al = registry.aliases
    if al is None or not len(al):
        return None
    a = registry.addresses
    mine = a[a["building_code"] == code]
    rest = a[a["building_code"] != code]
    gone = set()
    for kind, col in (("road", "road"), ("poi", "poi")):
        for name in set(mine[col].dropna()):
            if not (rest[col] == name).any():
                gone.add((kind, name))
    if not gone:
        return None
    hit = [(k, n) in gone for k, n in zip(al["kind"], al["name"])]
    if not any(hit):
        return None
    drop = set(al.loc[hit, "alias"])
    keep = al[al["alias"].isin(drop) & ~pd.Series(hit, index=al.index)]
    return TableChange(tuple(sorted(drop)), keep if len(keep) else None)


def retire_building(registry: Registry, code: str, *, date: str, reason: str) -> ChangeSet:
    """The building ``code`` demolished (or otherwise gone) on ``date``: its row stays, retired, with its
    number and permanent id never to be reused; its addresses no longer match; its code resolves to
    "retired" with ``reason``.

    Raises
    ------
    ChangeError
        The code is not a building of the registry, or the building is already retired.
    """
    from .resolution import resolve_code

    date = check_date(registry, date)
    code = normalize_code(code)
    b = buildings_with_ids(registry)
    hit = b[b["code"] == code]
    if hit.empty:
        s = resolve_code(code, registry=registry)
        if s.status in ("recoded", "split"):
            raise ChangeError(f"building {code} is no longer current: it is {', '.join(s.current)} now ({s.reason})")
        raise ChangeError(f"building {code} does not exist")
    if "status" in hit and hit["status"].iloc[0] != "active":
        when = hit["valid_to"].iloc[0] if "valid_to" in hit else None
        raise ChangeError(f"building {code} is already retired{' (since ' + str(when) + ')' if when else ''}")
    new = hit.copy()
    new["status"] = "retired"
    new["valid_to"] = date
    lineage = pd.DataFrame({"old_code": [code], "new_code": [None], "date": [date], "reason": [reason]})
    n_addr = 0
    tables = {"buildings": TableChange((code,), new)}
    if registry.has_table("addresses"):
        a = registry.addresses
        n_addr = int((a["building_code"] == code).sum())
        if n_addr:
            tables["addresses"] = TableChange((code,), None)
            dangling = _dangling_aliases(registry, code)
            if dangling is not None:
                tables["aliases"] = dangling
    return ChangeSet("retire_building", date, reason, version_of(registry), tables, lineage,
                     {"buildings retired": 1, "addresses removed": n_addr})
