"""Re-drawing the grids of a community or a town (:func:`regrid`) and a helper that makes new grids by
splitting the current ones (:func:`subdivide_grids`).

A re-grid is one :class:`~hangzhou_address.lifecycle.changeset.ChangeSet` (nothing changes until it is
applied):

* every current grid of each re-drawn community is kept in the table, ``status="retired"``,
  ``valid_to=date``, with a lineage row to every new grid it overlaps;
* the new grids get grid numbers never issued in their community (retired included:
  :func:`~hangzhou_address.lifecycle.numbering.next_numbers`), in the order they are given, ``status``
  active, ``valid_from=date`` and names like the existing ones (``中北社区第6网格``);
* every current building of the community is re-homed by its footprint (:data:`TIE_RULE`) and gets its
  new code (building numbers 1 … k in each new grid, in the order of the old codes), keeps its permanent
  ``building_id`` and gets a lineage row old code → new code; its address rows follow it;
* households are recomputed (:data:`HOUSEHOLDS_RULE`).

The new grids must tile each community exactly: gaps, overlaps and area outside the community beyond
:data:`TILE_TOLERANCE` are refused with a :class:`~hangzhou_address.errors.ChangeError` whose
``problems`` name the offending grids.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from ..codes import make_building_codes, normalize_code
from ..errors import ChangeError
from .changeset import ChangeSet, TableChange, check_date, version_of
from .numbering import buildings_with_ids, next_numbers

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..registry import Registry

__all__ = ["regrid", "subdivide_grids", "TILE_TOLERANCE", "TIE_RULE", "HOUSEHOLDS_RULE"]

#: share of a community's area that may be left uncovered by its new grids, covered twice by two of them
#: (per pair), or lie outside it (per grid) — floating-point and digitizing slack, ~50 m² for a 0.5 km²
#: community
TILE_TOLERANCE = 1e-4
#: how a building finds its new grid
TIE_RULE = ("the new grid of its community with the largest overlap with the building's footprint; overlaps "
            "within 1e-9 of the footprint's area of each other are a tie, won by the grid given first (the "
            "smallest new grid number); a footprint overlapping no new grid goes to the nearest one")
#: how the households of the new grids are computed
HOUSEHOLDS_RULE = ("each old grid's households are shared among its buildings by floors × units (each at "
                   "least 1) and follow every building to its new grid; an old grid without buildings shares "
                   "them by area; per community the shares are rounded by largest remainder, so the "
                   "community total is unchanged")


def _label(new: Any, i: int) -> str:
    idx = new.index[i]
    name = new["name"].iloc[i] if "name" in new.columns else None
    return f"new grid #{idx}" + (f" ({name})" if isinstance(name, str) and name else "")


def _communities(registry: Registry, code: str) -> list[str]:
    """The communities re-drawn for ``code`` (a community or a town), checked to exist and be current."""
    divs = registry.divisions
    code = normalize_code(code)
    row = divs[divs["code"] == code]
    if row.empty:
        raise ChangeError(f"{code} is not a division of this registry")
    level, status = row["level"].iloc[0], row["status"].iloc[0]
    if level not in ("community", "town"):
        raise ChangeError(f"regrid takes a community (12 digits) or a town (9 digits), got {code} ({level})")
    if status != "active":
        raise ChangeError(f"{level} {code} ({row['name'].iloc[0]}) is {status}: re-draw the grids of a current one")
    if level == "community":
        return [code]
    kids = divs[(divs["parent_code"] == code) & (divs["level"] == "community") & (divs["status"] == "active")]
    return sorted(kids["code"])


def _active(t: Any) -> Any:
    return t[t["status"] == "active"] if "status" in t.columns else t


def _community_areas(registry: Registry, comms: list[str], grids: Any) -> dict[str, Any]:
    """Each community's polygon: its division area, else the union of its current grids."""
    out: dict[str, Any] = {}
    if registry.has_table("division_areas"):
        da = registry.division_areas
        da = da[da["code"].isin(comms)]
        out = dict(zip(da["code"], da.geometry.values))
    for c in comms:
        if c not in out:
            mine = grids[grids["community_code"] == c]
            if len(mine):
                out[c] = shapely.union_all(mine.geometry.values)
    return out


def _as_grids(new_grids: Any) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if isinstance(new_grids, gpd.GeoSeries):
        new_grids = gpd.GeoDataFrame(geometry=new_grids)
    if not isinstance(new_grids, gpd.GeoDataFrame):
        raise ChangeError(f"new_grids must be a GeoDataFrame (or GeoSeries) of polygons, got {type(new_grids).__name__}")
    if len(new_grids) == 0:
        raise ChangeError("new_grids is empty")
    if new_grids.crs is None:
        raise ChangeError("new_grids has no CRS: set it (EPSG:4490 for CGCS2000 lon/lat)")
    if new_grids.crs.to_epsg() != 4490:
        new_grids = new_grids.to_crs(4490)
    return new_grids


def _integer_shares(values: np.ndarray, total: int) -> np.ndarray:
    """Integers summing to ``total``, proportional to ``values`` (largest remainder; ties by position)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    s = float(values.sum())
    exact = values * (total / s) if s > 0 else np.full(len(values), total / len(values))
    base = np.floor(exact + 1e-9).astype(np.int64)
    left = int(total - base.sum())
    if left > 0:
        order = np.argsort(-(exact - base), kind="stable")
        base[order[:left]] += 1
    return base


def regrid(registry: Registry, code: str, new_grids: Any, *, date: str, reason: str) -> ChangeSet:
    """Re-draw the grids of a community (or of every community of a town) as ``new_grids``.

    Parameters
    ----------
    registry : Registry
        The version the change is made against (unchanged).
    code : str
        A community code (all of ``new_grids`` belong to it) or a town code (each new grid belongs to the
        community holding most of its area; every community of the town is re-drawn).
    new_grids : GeoDataFrame
        Polygons (any CRS; EPSG:4490 kept), in the order their numbers are issued; an optional ``name``
        column (default ``<community>第<n>网格``) and ``synthetic`` column.
    date, reason : str
        When (ISO date, not before the registry version's) and why.

    Returns
    -------
    ChangeSet
        ``kind="regrid"``; ``reg.apply(cs)`` gives the new version, ``cs.lineage`` the code lineage.

    Raises
    ------
    ChangeError
        An unknown or retired community / town, a date before the version's, or new grids that do not tile
        each community exactly (gap, overlap, outside; :data:`TILE_TOLERANCE`): ``problems`` names them.

    Examples
    --------
    >>> from hangzhou_address import default_registry, lifecycle as lc
    >>> reg = default_registry()
    >>> new = lc.subdivide_grids(reg, "330105013001", target=7)
    >>> cs = lc.regrid(reg, "330105013001", new, date="2024-03-01", reason="片区治理: 网格细分")
    >>> cs.summary["grids retired"], cs.summary["grids added"]
    (5, 7)
    """
    import geopandas as gpd

    date = check_date(registry, date)
    comms = _communities(registry, code)
    all_grids = registry.require("grids")
    grids = _active(all_grids)
    grids = grids[grids["community_code"].isin(comms)]
    comms = [c for c in comms if (grids["community_code"] == c).any()]
    if not comms:
        raise ChangeError(f"{normalize_code(code)} has no current grids to re-draw")
    areas = _community_areas(registry, comms, grids)
    new = _as_grids(new_grids)
    geoms = np.asarray(new.geometry.values, dtype=object)
    problems: list[str] = []
    bad = [i for i, g in enumerate(geoms) if g is None or g.is_empty or not g.is_valid
           or g.geom_type not in ("Polygon", "MultiPolygon")]
    for i in bad:
        problems.append(f"{_label(new, i)} is not a valid, non-empty (Multi)Polygon")
    if problems:
        raise ChangeError("the new grids cannot be used", tuple(problems))

    # each new grid's community: the one holding most of its area
    comm_geoms = np.array([areas[c] for c in comms], dtype=object)
    inter = shapely.area(shapely.intersection(geoms[:, None], comm_geoms[None, :]))  # (n_new, n_comm)
    garea = shapely.area(geoms)
    owner = np.argmax(inter, axis=1)
    inside = inter[np.arange(len(geoms)), owner]
    for i in range(len(geoms)):
        out_share = 1.0 - inside[i] / garea[i]
        if inside[i] <= 0:
            problems.append(f"{_label(new, i)} lies outside {'community' if len(comms) == 1 else 'the town'} "
                            f"{normalize_code(code)}")
        elif inside[i] < garea[i] and (garea[i] - inside[i]) > TILE_TOLERANCE * shapely.area(comm_geoms[owner[i]]):
            others = [f"{comms[j]} {inter[i, j] / garea[i]:.0%}" for j in np.flatnonzero(inter[i] > 0) if j != owner[i]]
            where = "; in " + ", ".join(others) if others else ""
            problems.append(f"{_label(new, i)} lies {out_share:.1%} outside its community {comms[owner[i]]}{where}")
    # overlaps between new grids
    tree = shapely.STRtree(geoms)
    a_idx, b_idx = tree.query(geoms, predicate="intersects")
    keep = a_idx < b_idx
    a_idx, b_idx = a_idx[keep], b_idx[keep]
    if len(a_idx):
        ov = shapely.area(shapely.intersection(geoms[a_idx], geoms[b_idx]))
        for a, b, o in zip(a_idx, b_idx, ov):
            ref = shapely.area(comm_geoms[owner[a]])
            if o > TILE_TOLERANCE * ref:
                problems.append(f"{_label(new, int(a))} and {_label(new, int(b))} overlap "
                                f"({o / ref:.2%} of community {comms[owner[a]]})")
    # gaps: each community covered by its own new grids
    for k, c in enumerate(comms):
        mine = np.flatnonzero(owner == k)
        cg = comm_geoms[k]
        if len(mine) == 0:
            problems.append(f"community {c} gets no new grid")
            continue
        gap = shapely.difference(cg, shapely.union_all(geoms[mine]))
        if shapely.area(gap) > TILE_TOLERANCE * shapely.area(cg):
            near = tree.query(gap, predicate="dwithin", distance=1e-7)
            names = ", ".join(_label(new, int(i)) for i in sorted(set(near.tolist()) & set(mine.tolist()))[:6])
            pt = shapely.point_on_surface(gap)
            problems.append(f"community {c}: a gap of {shapely.area(gap) / shapely.area(cg):.2%} of its area not "
                            f"covered by any new grid, near ({pt.x:.5f}, {pt.y:.5f})"
                            + (f", next to {names}" if names else ""))
    if problems:
        raise ChangeError(f"the new grids do not tile {normalize_code(code)} exactly", tuple(problems))

    # ------------------------------------------------------------------ new grid codes
    new_code = np.empty(len(geoms), dtype=object)
    for k, c in enumerate(comms):
        mine = np.flatnonzero(owner == k)
        nums = next_numbers(registry, c, "grid", len(mine))
        for i, n in zip(mine, nums):
            new_code[i] = f"{c}{n:03d}"
    new_comm = np.array([comms[k] for k in owner], dtype=object)

    # ------------------------------------------------------------------ buildings
    b_all = buildings_with_ids(registry) if registry.has_table("buildings") else None
    moved = None
    if b_all is not None:
        b = _active(b_all)
        b = b[b["grid_code"].isin(grids["code"])]
        b = b.iloc[np.argsort(b["code"].to_numpy(dtype=str), kind="stable")]
        fp = np.asarray(b.geometry.values, dtype=object)
        bcomm = b["grid_code"].str[:12].to_numpy(dtype=object)
        bi, gi = tree.query(fp, predicate="intersects")
        same = bcomm[bi] == new_comm[gi]
        bi, gi = bi[same], gi[same]
        ov = shapely.area(shapely.intersection(fp[bi], geoms[gi])) if len(bi) else np.zeros(0)
        fa = shapely.area(fp)
        best = np.full(len(b), -1, dtype=np.int64)
        best_ov = np.full(len(b), -1.0)
        # largest overlap; a tie (within 1e-9 of the footprint area) goes to the grid given first
        order = np.lexsort((gi, bi))
        for j in order:
            i, g, o = bi[j], gi[j], ov[j]
            if o > best_ov[i] + 1e-9 * fa[i]:
                best[i], best_ov[i] = g, o
        by_distance = np.flatnonzero((best < 0) | (best_ov <= 0))
        for i in by_distance:
            cand = np.flatnonzero(new_comm == bcomm[i])
            d = shapely.distance(fp[i], geoms[cand])
            best[i] = cand[int(np.argmin(d))]
        # building numbers 1..k per new grid in the order of the old codes (b is sorted by code)
        gcode = new_code[best]
        number = pd.Series(gcode).groupby(gcode, sort=False).cumcount().to_numpy() + 1
        codes = make_building_codes(gcode.astype(str), number)
        moved = b.copy()
        moved["code"] = codes
        moved["grid_code"] = gcode
        moved["number"] = number.astype(b["number"].dtype) if "number" in b else number
        if "valid_from" in moved:
            moved["valid_from"] = date
        old_b = b["code"].to_numpy(dtype=object)
    else:
        b, best, old_b, codes = None, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object), np.zeros(0, dtype=object)

    # ------------------------------------------------------------------ households
    households = np.zeros(len(geoms), dtype=np.int64)
    if "households" in grids.columns:
        hh = np.zeros(len(geoms))
        old_geoms = np.asarray(grids.geometry.values, dtype=object)
        old_h = grids["households"].fillna(0).to_numpy(dtype=float)
        old_codes = grids["code"].to_numpy(dtype=object)
        pos_of = {c: i for i, c in enumerate(old_codes)}
        if b is not None and len(b):
            w = (np.maximum(b["floors"].fillna(1).to_numpy(dtype=float), 1) if "floors" in b else np.ones(len(b)))
            w = w * (np.maximum(b["units"].fillna(1).to_numpy(dtype=float), 1) if "units" in b else 1.0)
            og = np.array([pos_of[c] for c in b["grid_code"]], dtype=np.int64)
            wsum = np.bincount(og, weights=w, minlength=len(old_codes))
            np.add.at(hh, best, old_h[og] * w / wsum[og])
            has_b = wsum > 0
        else:
            has_b = np.zeros(len(old_codes), dtype=bool)
        for o in np.flatnonzero(~has_b):  # no buildings: share by area
            hit = tree.query(old_geoms[o], predicate="intersects")
            if len(hit):
                a = shapely.area(shapely.intersection(old_geoms[o], geoms[hit]))
                if a.sum() > 0:
                    np.add.at(hh, hit, old_h[o] * a / a.sum())
        for k, c in enumerate(comms):
            mine = np.flatnonzero(owner == k)
            total = int(round(old_h[grids["community_code"].to_numpy() == c].sum()))
            households[mine] = _integer_shares(hh[mine], total)

    # ------------------------------------------------------------------ tables
    retired = grids.copy()
    retired["status"] = "retired"
    retired["valid_to"] = date
    names = new["name"].to_numpy(dtype=object) if "name" in new.columns else np.full(len(geoms), None, dtype=object)
    comm_name = {c: registry.name_of(c) or c for c in comms}
    synth = (new["synthetic"].to_numpy(dtype=bool) if "synthetic" in new.columns
             else np.array([bool(grids.loc[grids["community_code"] == c, "synthetic"].any())
                            if "synthetic" in grids else False for c in new_comm]))
    rows = {"code": new_code, "community_code": new_comm,
            "number": np.array([int(c[12:]) for c in new_code], dtype=np.int64),
            "name": [n if isinstance(n, str) and n else f"{comm_name[cc]}第{int(c[12:])}网格"
                     for n, c, cc in zip(names, new_code, new_comm)],
            "households": households, "status": "active", "valid_from": date, "valid_to": None,
            "synthetic": synth}
    added = gpd.GeoDataFrame({c: rows.get(c) for c in all_grids.columns if c != "geometry"},
                             geometry=list(geoms), crs=all_grids.crs)
    added = added.astype({c: all_grids[c].dtype for c in ("number", "households") if c in all_grids})
    order = np.argsort(new_code.astype(str), kind="stable")
    grid_add = pd.concat([retired, added.iloc[order]], ignore_index=True)
    grid_add = gpd.GeoDataFrame(grid_add, geometry="geometry", crs=all_grids.crs)
    tables = {"grids": TableChange(tuple(grids["code"]), grid_add)}

    # lineage: old grid -> every new grid it overlaps; old building -> new building
    lin_old, lin_new = [], []
    og_geoms = np.asarray(grids.geometry.values, dtype=object)
    oi, ni = tree.query(og_geoms, predicate="intersects")
    if len(oi):
        a = shapely.area(shapely.intersection(og_geoms[oi], geoms[ni]))
        ok = a > TILE_TOLERANCE * shapely.area(og_geoms[oi])
        pairs = sorted(zip(grids["code"].to_numpy()[oi[ok]], new_code[ni[ok]]))
        lin_old += [p[0] for p in pairs]
        lin_new += [p[1] for p in pairs]
    n_addr = 0
    if b is not None and len(b):
        tables["buildings"] = TableChange(tuple(old_b), moved)
        lin_old += list(old_b)
        lin_new += list(codes)
        if registry.has_table("addresses"):
            ad = registry.addresses
            hit = ad[ad["building_code"].isin(old_b)]
            if len(hit):
                recode = dict(zip(old_b, codes))
                ad_new = hit.copy()
                ad_new["building_code"] = hit["building_code"].map(recode)
                tables["addresses"] = TableChange(tuple(dict.fromkeys(hit["building_code"])), ad_new)
                n_addr = len(hit)
    lineage = pd.DataFrame({"old_code": lin_old, "new_code": lin_new, "date": date, "reason": reason})
    summary = {"communities": len(comms), "grids retired": len(grids), "grids added": len(geoms),
               "buildings recoded": 0 if b is None else len(b), "buildings placed by distance":
               0 if b is None else len(by_distance), "addresses recoded": n_addr}
    return ChangeSet("regrid", date, reason, version_of(registry), tables, lineage, summary)


# ---------------------------------------------------------------------- making new grids
def _metric_extent(g: Any) -> tuple[float, float]:
    minx, miny, maxx, maxy = g.bounds
    k = math.cos(math.radians((miny + maxy) / 2))
    return (maxx - minx) * k, maxy - miny


def _halve(g: Any) -> tuple[Any, Any]:
    """``g`` cut in two by a line through its centroid across its longer side (shapely.ops.split); the
    pieces on each side of the line are merged, so the two halves tile ``g``."""
    from shapely.ops import split

    c = g.centroid
    minx, miny, maxx, maxy = g.bounds
    w, h = _metric_extent(g)
    pad = 1e-3
    if w >= h:
        line = shapely.LineString([(c.x, miny - pad), (c.x, maxy + pad)])
        side = (lambda p: p.centroid.x < c.x)
    else:
        line = shapely.LineString([(minx - pad, c.y), (maxx + pad, c.y)])
        side = (lambda p: p.centroid.y < c.y)
    pieces = list(split(g, line).geoms)
    one = [p for p in pieces if side(p)]
    two = [p for p in pieces if not side(p)]
    if not one or not two:
        return g, None
    return shapely.union_all(one), shapely.union_all(two)


def subdivide_grids(registry: Registry, code: str, *, factor: float | None = None,
                    target: int | None = None) -> gpd.GeoDataFrame:
    """New grids for ``code`` (a town or community): its current grids, the one with the most households
    split in two (:func:`_halve`: a line through the centroid across the longer side), again and again
    until there are ``target`` grids (or ``round(factor × current)``). The result tiles every community
    exactly, ready for :func:`regrid`.

    Returns
    -------
    GeoDataFrame
        EPSG:4490; ``community_code``, ``source_grid`` (the current grid it comes from), ``households_est``
        (its source's households shared by area: the split order), ``geometry``; ordered by source grid.
    """
    import geopandas as gpd

    comms = _communities(registry, code)
    grids = _active(registry.require("grids"))
    grids = grids[grids["community_code"].isin(comms)].sort_values("code")
    n = len(grids)
    if n == 0:
        raise ChangeError(f"{normalize_code(code)} has no current grids")
    if (factor is None) == (target is None):
        raise ChangeError("give exactly one of factor= or target=")
    want = int(round(n * factor)) if factor is not None else int(target)
    if want < n:
        raise ChangeError(f"subdivide_grids only splits: {want} < the {n} current grids")
    h = grids["households"].fillna(0).to_numpy(dtype=float) if "households" in grids else np.ones(n)
    heap: list[tuple[float, int, int, str, str, Any]] = []  # (-households, source order, piece id, ...)
    seq = 0
    for k, (gc, cc, g) in enumerate(zip(grids["code"], grids["community_code"], grids.geometry.values)):
        heap.append((-h[k], k, seq, gc, cc, g))
        seq += 1
    heapq.heapify(heap)
    done: list[tuple[int, int, str, str, float, Any]] = []
    while len(heap) + len(done) < want and heap:
        neg, k, s, gc, cc, g = heapq.heappop(heap)
        a, b = _halve(g)
        if b is None:
            done.append((k, s, gc, cc, -neg, g))
            continue
        share = a.area / g.area
        for part, hh in ((a, -neg * share), (b, -neg * (1 - share))):
            heapq.heappush(heap, (-hh, k, seq, gc, cc, part))
            seq += 1
    done += [(k, s, gc, cc, -neg, g) for neg, k, s, gc, cc, g in heap]
    done.sort(key=lambda t: (t[0], t[1]))
    return gpd.GeoDataFrame({"community_code": [t[3] for t in done], "source_grid": [t[2] for t in done],
                             "households_est": [round(t[4], 1) for t in done]},
                            geometry=[t[5] for t in done], crs=4490)
