"""Divisions through time: renamed roads and compounds, communities moved to another town, towns merged,
split or moved to another district, new and abolished districts.

Every function returns a :class:`~hangzhou_address.lifecycle.changeset.ChangeSet` made against one registry
version (nothing changes until ``registry.apply(change)``):

* :func:`rename_road` / :func:`rename_compound`: the address rows take the new name (and their ``text``);
  the old name becomes a ``former`` alias (``valid_to`` = the renaming date), so old texts still match.
* :func:`move_community`, :func:`move_town`, :func:`merge_towns`, :func:`split_town`: the divisions get new
  codes (numbers never issued under their new parent, :mod:`~hangzhou_address.lifecycle.numbering`), and
  so do their grids and buildings (same grid / building numbers under the new prefix, new check
  character; buildings keep their permanent ``building_id``). The old division rows stay, ``retired``; the
  lineage links every old code (division, grid, building) to its new one, so old codes resolve
  (:func:`~hangzhou_address.lifecycle.resolution.resolve_code`).
* :func:`add_district` / :func:`retire_division`: a new district (临平区, 钱塘区 in 2021) and an abolished
  division (江干区, 下城区) without moving anything.

Everything below community level in the embedded data (grids, buildings, addresses, aliases) is SYNTHETIC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..codes import make_building_codes, make_grid_code, normalize_code
from ..errors import ChangeError
from .changeset import ChangeSet, TableChange, check_date, version_of
from .numbering import buildings_with_ids, next_numbers

if TYPE_CHECKING:  # pragma: no cover
    from ..registry import Registry

__all__ = ["rename_road", "rename_compound", "move_community", "move_town", "merge_towns", "split_town",
           "add_district", "retire_division", "issued_division_codes", "registry_2020", "replay_2021_reorganization",
           "REORG_2021_DISTRICTS", "REORG_2021_NEW_DISTRICTS"]

_LEVEL_OF_LEN = {4: "city", 6: "district", 9: "town", 12: "community"}


# --------------------------------------------------------------------------- renames
def rename_road(reg: Registry, name: str, new_name: str, *, district: str | None = None, date: str,
                reason: str) -> ChangeSet:
    """Road ``name`` renamed ``new_name`` on ``date`` (in ``district`` only when given).

    The address rows of the road take the new name (``road`` and ``text``); the old name becomes an alias
    (``kind="road"``, ``alias_kind="former"``, ``valid_to=date``) so that texts with the old name still find
    the same buildings, with a reason naming the former name. Aliases of the old name follow it.

    Raises
    ------
    ChangeError
        No address has road ``name`` (in ``district``), ``new_name`` is already a road there, the two names
        are the same, or ``new_name`` is already another name's alias.
    """
    return _rename(reg, "road", name, new_name, district=district, date=date, reason=reason)


def rename_compound(reg: Registry, name: str, new_name: str, *, district: str | None = None, date: str,
                    reason: str) -> ChangeSet:
    """Compound or village ``name`` (the addresses' ``poi``) renamed ``new_name`` on ``date``; see
    :func:`rename_road` (the alias has ``kind="poi"``)."""
    return _rename(reg, "poi", name, new_name, district=district, date=date, reason=reason)


def _rename(reg: Registry, kind: str, name: Any, new_name: Any, *, district: str | None, date: str,
            reason: str) -> ChangeSet:
    date = check_date(reg, date)
    if not isinstance(name, str) or not isinstance(new_name, str) or not name.strip() or not new_name.strip():
        raise ChangeError(f"a {kind} name and its new name must be non-empty strings, got {name!r}, {new_name!r}")
    name, new_name = name.strip(), new_name.strip()
    what = "road" if kind == "road" else "compound / village"
    if name == new_name:
        raise ChangeError(f"the new name of {what} {name!r} is the same name")
    if district is not None:
        district = normalize_code(district)
        d = reg.lookup(district)
        if d is None or d.level != "district":
            raise ChangeError(f"{district!r} is not a district of the registry")
    addr = reg.require("addresses")
    col = kind
    in_d = addr["district_code"] == district if district is not None else pd.Series(True, index=addr.index)
    hit = (addr[col] == name) & in_d
    where = f" in {reg.name_of(district)} ({district})" if district is not None else ""
    if not hit.any():
        raise ChangeError(f"no address has the {what} name {name!r}{where}")
    if ((addr[col] == new_name) & in_d).any():
        raise ChangeError(f"{new_name!r} is already a {what} name{where}: renaming {name!r} to it would merge two "
                          "places")
    buildings = set(addr.loc[hit, "building_code"])
    rows = addr[addr["building_code"].isin(buildings)].copy()
    mine = (rows[col] == name) & (rows["district_code"] == district if district is not None else True)
    rows.loc[mine, col] = new_name
    rows.loc[mine, "text"] = [_replace_last(t, name, new_name) for t in rows.loc[mine, "text"]]
    tables: dict[str, TableChange] = {"addresses": TableChange(tuple(sorted(buildings)), rows.reset_index(drop=True))}

    al = reg.aliases if reg.has_table("aliases") else None
    new_alias = {"kind": kind, "name": new_name, "alias": name, "alias_kind": "former", "valid_from": None,
                 "valid_to": date, "note": f"renamed {date}: {reason}", "district_code": district,
                 "synthetic": False}
    n_followed = 0
    if al is None:
        add = pd.DataFrame([new_alias])
        remove: tuple[str, ...] = ()
    else:
        same_kind = al["kind"] == kind
        d_ok = (al["district_code"].isna() | (al["district_code"] == district)) if (
            district is not None and "district_code" in al) else pd.Series(True, index=al.index)
        clash = al[same_kind & (al["alias"] == new_name) & d_ok]
        back = clash["name"] == name  # renamed back to a former name: that alias ends
        if (~back).any():
            raise ChangeError(f"{new_name!r} is already another name of {clash.loc[~back, 'name'].iloc[0]!r} "
                              f"({clash.loc[~back, 'alias_kind'].iloc[0]}): choose another new name")
        follow = same_kind & (al["name"] == name) & d_ok
        touched = set(al.loc[follow | (same_kind & (al["alias"] == new_name) & d_ok), "alias"])
        keep = al[al["alias"].isin(touched)].copy()
        drop = keep.index.isin(clash.index)
        keep = keep[~drop]
        fol = (keep["kind"] == kind) & (keep["name"] == name) & (
            (keep["district_code"].isna() | (keep["district_code"] == district)) if district is not None
            and "district_code" in keep else True)
        n_followed = int(np.asarray(fol).sum())
        keep.loc[fol, "name"] = new_name
        new_row = {c: new_alias.get(c) for c in al.columns}
        add = pd.concat([keep, pd.DataFrame([new_row])], ignore_index=True) if len(keep) else pd.DataFrame([new_row])
        add = add[list(al.columns)]
        remove = tuple(sorted(touched))
    tables["aliases"] = TableChange(remove, add.reset_index(drop=True))
    counts = {f"{'roads' if kind == 'road' else 'compounds'} renamed": 1, "addresses renamed": int(mine.sum()),
              "aliases followed": n_followed}
    return ChangeSet("rename", date, reason, version_of(reg), tables, None, {k: v for k, v in counts.items() if v})


def _replace_last(text: Any, old: str, new: str) -> Any:
    if not isinstance(text, str) or old not in text:
        return text
    head, _sep, tail = text.rpartition(old)
    return head + new + tail


# --------------------------------------------------------------------------- numbering of divisions
def issued_division_codes(reg: Registry, parent: str, level: str) -> set[str]:
    """The ``level`` (``town`` / ``community``) codes ever issued under ``parent``: the divisions table
    (retired rows included) and every code the lineage names."""
    n = {"district": 6, "town": 9, "community": 12}[level]
    codes = {c for c in reg.divisions["code"] if len(c) == n and c.startswith(parent)}
    lin = reg.lineage
    for col in ("old_code", "new_code"):
        if col in lin:
            codes.update(c for c in lin[col] if isinstance(c, str) and len(c) == n and c.startswith(parent))
    return codes


def _next_towns(reg: Registry, district: str, k: int, taken: Iterable[str] = ()) -> list[str]:
    used = {int(c[6:9]) for c in issued_division_codes(reg, district, "town")} | {int(c[6:9]) for c in taken}
    start = max(used, default=0) + 1
    if start + k - 1 > 999:
        raise ChangeError(f"{district}: no {k} town numbers left (numbers are never reused)")
    return [f"{district}{n:03d}" for n in range(start, start + k)]


def _check_new_code(reg: Registry, code: Any, parent: str, level: str, planned: set[str]) -> str:
    try:
        code = normalize_code(code)
    except Exception as exc:  # noqa: BLE001 - any malformed code
        raise ChangeError(f"new {level} code {code!r}: {exc}") from None
    n = {"district": 6, "town": 9, "community": 12}[level]
    if len(code) != n or not code.isdigit() or code[:len(parent)] != parent or int(code[len(parent):]) == 0:
        raise ChangeError(f"new {level} code {code!r} is not a {level} code under {parent}")
    if code in planned or code in issued_division_codes(reg, parent, level):
        raise ChangeError(f"{level} code {code} was already issued (numbers are never reused)")
    return code


def _active(reg: Registry, code: Any, level: str) -> str:
    try:
        code = normalize_code(code)
    except Exception:  # noqa: BLE001
        raise ChangeError(f"{code!r} is not a {level} code") from None
    d = reg.lookup(code)
    if d is None or d.level != level:
        raise ChangeError(f"{level} {code} does not exist")
    if not d.is_active:
        raise ChangeError(f"{level} {code} ({d.name}) is retired")
    return code


# --------------------------------------------------------------------------- the re-coding machinery
def _recode(reg: Registry, mapping: Mapping[str, str], *, date: str, reason: str, kind: str,
            names: Mapping[str, str] | None = None,
            new_rows: Iterable[Mapping[str, Any]] = (), retire: Iterable[str] = (),
            lineage_extra: Iterable[tuple[str, str | None]] = (), areas: Mapping[str, Any] | None = None,
            summary: Mapping[str, int] | None = None) -> ChangeSet:
    """One change set re-coding divisions ``mapping`` (old code → new code; towns and communities) and
    everything below them; ``retire`` (codes) retired in place, ``new_rows`` added (new districts / towns),
    ``names`` (new code → name) renaming; a re-coded row's parent is its new code's prefix."""
    names = dict(names or {})
    divs = reg.divisions
    by_code = divs.set_index("code", drop=False)
    old_codes = list(mapping)
    retire = [c for c in retire if c not in mapping]
    gone = by_code.loc[old_codes + retire].copy()
    gone["status"] = "retired"
    gone["valid_to"] = date
    new = by_code.loc[old_codes].copy()
    new["code"] = [mapping[c] for c in old_codes]
    new["parent_code"] = [mapping[c][:{12: 9, 9: 6, 6: 4}[len(c)]] for c in old_codes]  # codes are hierarchical
    new["name"] = [names.get(mapping[c], n) for c, n in zip(old_codes, new["name"])]
    new["status"] = "active"
    new["valid_from"] = date
    new["valid_to"] = None
    if "editions" in new:
        new["editions"] = ""
    extra = pd.DataFrame([{c: r.get(c) for c in divs.columns} for r in new_rows], columns=divs.columns)
    if len(extra):
        extra["status"] = extra["status"].fillna("active")
        extra["valid_from"] = extra["valid_from"].fillna(date)
        for c in ("editions", "former_names"):
            if c in extra:
                extra[c] = extra[c].fillna("")
    parts = [x for x in (gone, new, extra) if len(x)]
    add_div = pd.concat(parts, ignore_index=True)[list(divs.columns)]
    tables: dict[str, TableChange] = {"divisions": TableChange(tuple(old_codes + retire), add_div)}
    lin_old: list[str] = []
    lin_new: list[str | None] = []
    for c in old_codes:
        lin_old.append(c)
        lin_new.append(mapping[c])
    for o, n in lineage_extra:
        lin_old.append(o)
        lin_new.append(n)

    comm = {o: n for o, n in mapping.items() if len(o) == 12}
    counts = {"towns recoded": sum(len(o) == 9 for o in mapping), "communities recoded": len(comm),
              "grids recoded": 0, "buildings recoded": 0, "addresses updated": 0}
    gmap: dict[str, str] = {}
    if comm and reg.has_table("grids"):
        g = reg.grids
        hit = g[g["community_code"].isin(comm)]
        if len(hit):
            ng = hit.copy()
            ng["code"] = [make_grid_code(comm[c], int(k)) for c, k in zip(hit["community_code"], hit["number"])]
            ng["community_code"] = hit["community_code"].map(comm)
            if "valid_from" in ng:
                ng.loc[ng["status"] == "active" if "status" in ng else slice(None), "valid_from"] = date
            gmap = dict(zip(hit["code"], ng["code"]))
            tables["grids"] = TableChange(tuple(hit["code"]), ng.reset_index(drop=True))
            lin_old += list(gmap)
            lin_new += list(gmap.values())
            counts["grids recoded"] = len(gmap)
    bmap: dict[str, str] = {}
    if gmap and reg.has_table("buildings"):
        b = buildings_with_ids(reg)
        hit = b[b["grid_code"].isin(gmap)]
        if len(hit):
            nb = hit.copy()
            ng_codes = hit["grid_code"].map(gmap)
            nb["code"] = make_building_codes(ng_codes.to_numpy(dtype=object), hit["number"].to_numpy(dtype=np.int64))
            nb["grid_code"] = ng_codes
            if "valid_from" in nb:
                nb.loc[nb["status"] == "active" if "status" in nb else slice(None), "valid_from"] = date
            bmap = dict(zip(hit["code"], nb["code"]))
            tables["buildings"] = TableChange(tuple(hit["code"]), nb.reset_index(drop=True))
            lin_old += list(bmap)
            lin_new += list(bmap.values())
            counts["buildings recoded"] = len(bmap)
    if comm and reg.has_table("addresses"):
        a = reg.addresses
        hit = a[a["community_code"].isin(comm)]
        if len(hit):
            na = hit.copy()
            na["community_code"] = hit["community_code"].map(comm)
            na["town_code"] = na["community_code"].str[:9]
            na["district_code"] = na["community_code"].str[:6]
            na["building_code"] = hit["building_code"].map(lambda c: bmap.get(c, c))
            div_name = dict(zip(add_div["code"], add_div["name"]))

            def name(c: str) -> str:
                return div_name[c] if c in div_name else (reg.name_of(c) or "")

            na["text"] = [_retext(t, name(od) + name(ot), name(nd) + name(nt)) for t, od, ot, nd, nt in zip(
                hit["text"], hit["district_code"], hit["town_code"], na["district_code"], na["town_code"])]
            tables["addresses"] = TableChange(tuple(sorted(set(hit["building_code"]))), na.reset_index(drop=True))
            counts["addresses updated"] = len(na)
            al = _aliases_across(reg, a, hit, na)
            if al is not None:
                tables["aliases"] = al
                counts["district aliases followed"] = int(al.n_added)
    if reg.has_table("division_areas"):
        da = reg.division_areas
        hit = da[da["code"].isin(mapping)]
        nda = hit.copy()
        nda["code"] = hit["code"].map(mapping)
        remove = list(hit["code"])
        if areas:  # merged / split towns: new shapes
            rep = da[da["code"].isin(areas)]
            remove += [c for c in rep["code"] if c not in remove]
            import geopandas as gpd

            nda = pd.concat([nda[~nda["code"].isin(areas)], gpd.GeoDataFrame(
                [{"code": c, "level": _LEVEL_OF_LEN[len(c)], "geometry": geom} for c, geom in areas.items()
                 if geom is not None], geometry="geometry", crs=da.crs)], ignore_index=True)
        if len(nda) or remove:
            import geopandas as gpd

            nda = gpd.GeoDataFrame(nda.reindex(columns=da.columns), geometry="geometry", crs=da.crs)
            tables["division_areas"] = TableChange(tuple(remove), nda.reset_index(drop=True))
    lineage = pd.DataFrame({"old_code": lin_old, "new_code": lin_new, "date": [date] * len(lin_old),
                            "reason": [reason] * len(lin_old)})
    counts.update(summary or {})
    return ChangeSet(kind, date, reason, version_of(reg), tables, lineage if len(lineage) else None,
                     {k: v for k, v in counts.items() if v})


def _aliases_across(reg: Registry, a: pd.DataFrame, hit: pd.DataFrame, na: pd.DataFrame) -> TableChange | None:
    """District-scoped aliases (``district_code``) of the names of addresses moved to another district: they
    follow the name (a copy for the new district; moved outright when no address of the old district keeps
    the name)."""
    if not reg.has_table("aliases") or "district_code" not in reg.aliases:
        return None
    al = reg.aliases
    cross = (hit["district_code"] != na["district_code"]).to_numpy()
    if not cross.any():
        return None
    moves: dict[tuple[str, str, str], set[str]] = {}
    for kind in ("road", "poi"):
        olds = hit["district_code"].to_numpy(dtype=object)[cross]
        news = na["district_code"].to_numpy(dtype=object)[cross]
        for n, od, nd in zip(hit[kind].to_numpy(dtype=object)[cross], olds, news):
            if isinstance(n, str) and n:
                moves.setdefault((kind, n, od), set()).add(nd)
    scoped = al[al["district_code"].notna()]
    keys = list(zip(scoped["kind"], scoped["name"], scoped["district_code"]))
    idx = [i for i, k in zip(scoped.index, keys) if k in moves]
    if not idx:
        return None
    rest = a.drop(index=hit.index)
    stays = {(kind, n, d) for kind in ("road", "poi") for n, d in zip(rest[kind], rest["district_code"])
             if isinstance(n, str)}
    touched = set(al.loc[idx, "alias"])
    keep = al[al["alias"].isin(touched)]
    out = []
    for i, row in keep.iterrows():
        k = (row["kind"], row["name"], row["district_code"])
        if i not in idx:
            out.append(row.to_dict())
            continue
        if k in stays:
            out.append(row.to_dict())
        for nd in sorted(moves[k]):
            out.append({**row.to_dict(), "district_code": nd})
    add = pd.DataFrame(out, columns=al.columns).reset_index(drop=True)
    return TableChange(tuple(sorted(touched)), add)


def _retext(text: Any, old_prefix: str, new_prefix: str) -> Any:
    if isinstance(text, str) and old_prefix and text.startswith(old_prefix):
        return new_prefix + text[len(old_prefix):]
    return text


def _community_mapping(reg: Registry, communities: list[str], to_town: str,
                       given: Mapping[str, str] | None = None, planned: set[str] | None = None) -> dict[str, str]:
    """Old community code → new code under ``to_town``: ``given`` ones validated, the others the next numbers
    never issued in the town."""
    given = dict(given or {})
    planned = set(planned or ())
    out: dict[str, str] = {}
    for o in communities:
        if o in given:
            out[o] = _check_new_code(reg, given[o], to_town, "community", planned | set(out.values()))
    rest = [o for o in communities if o not in out]
    if rest:
        taken = [int(c[9:]) for c in (planned | set(out.values())) if c.startswith(to_town)]
        nums = next_numbers(reg, to_town, "community", len(rest), taken=taken)
        out.update({o: f"{to_town}{n:03d}" for o, n in zip(rest, nums)})
    return out


def _communities_of(reg: Registry, town: str) -> list[str]:
    return [c for c in reg.children(town) if len(c) == 12 and reg.lookup(c).is_active]


# --------------------------------------------------------------------------- moves, merges, splits
def move_community(reg: Registry, community_code: str, to_town: str, *, new_code: str | None = None, date: str,
                   reason: str) -> ChangeSet:
    """Community ``community_code`` moved to town ``to_town`` on ``date``.

    It gets a new code under the town: ``new_code`` when the authority assigned one (validated: under
    ``to_town``, never issued), else the next community number never issued in the town. Its grids and
    buildings are re-coded (same numbers under the new prefix; buildings keep ``building_id``), its
    addresses take the new town / district codes and names, the old division row stays retired, and the
    lineage links every old code to its new one.

    Raises
    ------
    ChangeError
        The community or town does not exist or is retired, the community is already in the town, or
        ``new_code`` is not a fresh code under the town.
    """
    date = check_date(reg, date)
    community_code = _active(reg, community_code, "community")
    to_town = _active(reg, to_town, "town")
    if community_code[:9] == to_town:
        raise ChangeError(f"community {community_code} is already in town {to_town}")
    given = {community_code: new_code} if new_code is not None else None
    mapping = _community_mapping(reg, [community_code], to_town, given)
    return _recode(reg, mapping, date=date, reason=reason, kind="move_community")


def move_town(reg: Registry, town: str, to_district: str, *, new_code: str | None = None,
              community_codes: Mapping[str, str] | None = None, date: str, reason: str) -> ChangeSet:
    """Town ``town`` moved to district ``to_district`` (the 2021 reorganization: 下城区's streets into 拱墅区).

    The town gets ``new_code`` (validated: under ``to_district``, never issued) or the next town number never
    issued in the district; its communities get ``community_codes[old]`` when given (validated), else the
    next numbers never issued in the new town; grids, buildings, addresses and lineage as in
    :func:`move_community`.
    """
    date = check_date(reg, date)
    town = _active(reg, town, "town")
    to_district = _active(reg, to_district, "district")
    if town[:6] == to_district and new_code is None:
        raise ChangeError(f"town {town} is already in district {to_district}")
    if new_code is None:
        (code,) = _next_towns(reg, to_district, 1)
    else:
        code = _check_new_code(reg, new_code, to_district, "town", set())
    comms = _communities_of(reg, town)
    unknown = set(community_codes or {}) - set(comms)
    if unknown:
        raise ChangeError(f"community_codes names communities that are not current in town {town}",
                          tuple(sorted(unknown))[:20])
    cmap = _community_mapping(reg, comms, code, community_codes)
    return _recode(reg, {town: code, **cmap}, date=date, reason=reason, kind="move_town")


def merge_towns(reg: Registry, towns: Iterable[str], *, into: str, date: str, reason: str) -> ChangeSet:
    """Towns ``towns`` merged into town ``into`` on ``date``: the absorbed towns are retired (lineage
    town → ``into``), their communities moved into ``into`` (new numbers never issued there) with their
    grids and buildings; the division area of ``into`` (when present) becomes the union."""
    date = check_date(reg, date)
    into = _active(reg, into, "town")
    towns = [_active(reg, t, "town") for t in towns]
    if not towns:
        raise ChangeError("merge_towns needs at least one town to merge")
    if into in towns or len(set(towns)) != len(towns):
        raise ChangeError("the towns to merge must be distinct and not include the town they merge into")
    comms = [c for t in towns for c in _communities_of(reg, t)]
    cmap = _community_mapping(reg, comms, into)
    areas = _union_areas(reg, {into: [into, *towns]})
    return _recode(reg, cmap, date=date, reason=reason, kind="merge_towns", retire=towns,
                   lineage_extra=[(t, into) for t in towns], areas=areas,
                   summary={"towns merged": len(towns)})


def split_town(reg: Registry, town: str, parts: Mapping[str, Iterable[str]], *, date: str, reason: str,
               codes: Mapping[str, str] | None = None) -> ChangeSet:
    """Town ``town`` split into new towns on ``date``: ``parts`` maps each new town's name to the codes of
    the communities it takes (together: every current community of the town, each once). The new towns get
    ``codes[name]`` when given (validated) or the next town numbers never issued in the district; ``town``
    is retired with a lineage row to every part (its code resolves as ``split``)."""
    date = check_date(reg, date)
    town = _active(reg, town, "town")
    parts = {str(k): [normalize_code(c) for c in v] for k, v in parts.items()}
    if len(parts) < 2:
        raise ChangeError("split_town needs at least two parts")
    have = _communities_of(reg, town)
    listed = [c for v in parts.values() for c in v]
    if sorted(listed) != sorted(have):
        missing, extra = set(have) - set(listed), set(listed) - set(have)
        dup = {c for c in listed if listed.count(c) > 1}
        raise ChangeError(f"the parts must hold every current community of {town} exactly once "
                          f"(missing {sorted(missing)[:5]}, not in the town {sorted(extra)[:5]}, "
                          f"twice {sorted(dup)[:5]})")
    district = town[:6]
    codes = dict(codes or {})
    new_codes: dict[str, str] = {}
    for nm in parts:
        if nm in codes:
            new_codes[nm] = _check_new_code(reg, codes[nm], district, "town", set(new_codes.values()))
    rest = [nm for nm in parts if nm not in new_codes]
    new_codes.update(zip(rest, _next_towns(reg, district, len(rest), taken=new_codes.values())))
    existing = {reg.name_of(c) for c in reg.children(district) if reg.lookup(c).is_active} - {reg.name_of(town)}
    clash = [nm for nm in parts if nm in existing]
    if clash:
        raise ChangeError(f"{clash[0]!r} is already a town of {reg.name_of(district)}")
    rows = [{"code": new_codes[nm], "level": "town", "name": nm, "parent_code": district, "status": "active",
             "valid_from": date, "valid_to": None, "former_names": "", "editions": ""} for nm in parts]
    cmap: dict[str, str] = {}
    for nm, comms in parts.items():
        cmap.update(_community_mapping(reg, comms, new_codes[nm], planned=set(cmap.values())))
    areas = _union_areas(reg, {new_codes[nm]: comms for nm, comms in parts.items()})
    return _recode(reg, cmap, date=date, reason=reason, kind="split_town", retire=[town], new_rows=rows,
                   lineage_extra=[(town, new_codes[nm]) for nm in parts], areas=areas,
                   summary={"towns split": 1, "towns created": len(parts)})


def _union_areas(reg: Registry, groups: Mapping[str, list[str]]) -> dict[str, Any] | None:
    """New shapes of division areas: each code of ``groups`` gets the union of its members' areas."""
    if not reg.has_table("division_areas"):
        return None
    da = reg.division_areas
    geo = dict(zip(da["code"], da.geometry))
    out = {}
    for code, members in groups.items():
        shapes = [geo[m] for m in members if m in geo and geo[m] is not None]
        if shapes:
            from shapely import union_all

            out[code] = union_all(shapes)
    return out or None


# --------------------------------------------------------------------------- districts
def add_district(reg: Registry, code: str, name: str, *, date: str, reason: str) -> ChangeSet:
    """A new district ``code`` (6 digits under the city, never issued) named ``name`` from ``date``."""
    date = check_date(reg, date)
    city = next(c for c in reg.divisions["code"] if len(c) == 4)
    code = _check_new_code(reg, code, city, "district", set())
    if not isinstance(name, str) or not name.strip():
        raise ChangeError("a district needs a name")
    if any(reg.name_of(c) == name for c in reg.codes("district")):
        raise ChangeError(f"{name!r} is already a district")
    row = {"code": code, "level": "district", "name": name.strip(), "parent_code": city, "status": "active",
           "valid_from": date, "valid_to": None, "former_names": "", "editions": ""}
    add = pd.DataFrame([{c: row.get(c) for c in reg.divisions.columns}])
    return ChangeSet("add_district", date, reason, version_of(reg), {"divisions": TableChange((), add)}, None,
                     {"districts added": 1})


def retire_division(reg: Registry, code: str, *, date: str, reason: str,
                    successors: Iterable[str] = ()) -> ChangeSet:
    """Division ``code`` abolished on ``date`` (江干区 in 2021), with lineage rows to ``successors`` (none:
    retired without successor). Refused while it still has current children: move them first."""
    date = check_date(reg, date)
    code = normalize_code(code)
    d = reg.lookup(code)
    if d is None or len(code) > 12:
        raise ChangeError(f"division {code} does not exist")
    if not d.is_active:
        raise ChangeError(f"division {code} ({d.name}) is already retired")
    kids = [c for c in reg.children(code) if len(c) <= 12 and reg.lookup(c).is_active]
    if kids:
        raise ChangeError(f"{d.name} ({code}) still has {len(kids)} current children (first {kids[0]}): "
                          "move or retire them first")
    succ = [_active(reg, s, _LEVEL_OF_LEN[len(normalize_code(s))]) for s in successors]
    row = reg.divisions[reg.divisions["code"] == code].copy()
    row["status"] = "retired"
    row["valid_to"] = date
    lin = pd.DataFrame({"old_code": [code] * max(1, len(succ)), "new_code": succ or [None],
                        "date": [date] * max(1, len(succ)), "reason": [reason] * max(1, len(succ))})
    return ChangeSet("retire_division", date, reason, version_of(reg), {"divisions": TableChange((code,), row)},
                     lin, {"divisions retired": 1})


# --------------------------------------------------------------------------- the 2021 reorganization, replayed
#: districts the 2021 reorganization touched (2020 and 2023 codes)
REORG_2021_DISTRICTS: tuple[str, ...] = ("330102", "330103", "330104", "330105", "330109", "330110", "330113",
                                         "330114")
#: the districts it created
REORG_2021_NEW_DISTRICTS: dict[str, str] = {"330113": "临平区", "330114": "钱塘区"}


def registry_2020() -> Registry:
    """The divisions as they were in the NBS 2020 list (real; divisions only, every row active, no lineage):
    the starting point of :func:`replay_2021_reorganization`."""
    from .._datapath import data_dir
    from ..io.embedded import _read
    from ..registry import Registry

    old = _read(data_dir() / "divisions" / "hangzhou_divisions_2020.csv")
    old = old.assign(status="active", valid_from=None, valid_to=None, editions="2020", former_names="")
    return Registry(old[["code", "level", "name", "parent_code", "status", "valid_from", "valid_to", "editions",
                         "former_names"]],
                    metadata={"source": "NBS 2020 (real)", "synthetic_city": False})


def replay_2021_reorganization(reg: Registry | None = None) -> tuple[Registry, dict[str, Any]]:
    """The 2021 district reorganization replayed on :func:`registry_2020` (or ``reg``) with this module's
    functions: 临平区 / 钱塘区 added, every town the real lineage (``load_official_divisions``) moves to another
    district moved with its new code and its communities' new codes (:func:`move_town`), communities moved
    alone (:func:`move_community`), 下城区 / 江干区 retired (:func:`retire_division`).

    Returns the final registry and a log: ``changes`` (applied), ``skipped`` (old code, new code, why).
    """
    from ..io.embedded import DISTRICT_SUCCESSORS, REORG_DATE, load_official_divisions

    reg = registry_2020() if reg is None else reg
    _divs, lineage = load_official_divisions()
    lin = lineage[lineage["date"] == REORG_DATE]
    pairs = list(zip(lin["old_code"], lin["new_code"]))
    towns = [(o, n) for o, n in pairs if len(o) == 9 and len(n) == 9]
    comms = [(o, n) for o, n in pairs if len(o) == 12 and len(n) == 12]
    log: dict[str, Any] = {"changes": 0, "skipped": []}
    why = "2021 district reorganization (State Council approval 2021-03-11, effective 2021-04-09)"

    def step(cs: ChangeSet) -> None:
        nonlocal reg
        reg = reg.apply(cs)
        log["changes"] += 1

    for code, name in REORG_2021_NEW_DISTRICTS.items():
        step(add_district(reg, code, name, date=REORG_DATE, reason=why))
    moved = set()
    for o, n in towns:
        cc = {co: cn for co, cn in comms if co[:9] == o}
        try:
            step(move_town(reg, o, n[:6], new_code=n, community_codes=cc, date=REORG_DATE,
                           reason=f"{why}: {reg.name_of(o)} {reg.name_of(o[:6])} → {reg.name_of(n[:6])}"))
            moved.add(o)
        except ChangeError as exc:
            log["skipped"].append((o, n, str(exc)))
    for o, n in comms:
        if o[:9] in moved:
            continue
        if reg.lookup(o) is None or not reg.lookup(o).is_active or o[:9] == n[:9]:
            log["skipped"].append((o, n, "renumbered in its own town (not replayed)" if o[:9] == n[:9] else
                                   "not a current community"))
            continue
        try:
            step(move_community(reg, o, n[:9], new_code=n, date=REORG_DATE, reason=why))
        except ChangeError as exc:
            log["skipped"].append((o, n, str(exc)))
    for d in ("330103", "330104"):
        try:
            step(retire_division(reg, d, date=REORG_DATE, reason=why, successors=DISTRICT_SUCCESSORS[d]))
        except ChangeError as exc:
            log["skipped"].append((d, None, str(exc)))
    return reg, log
