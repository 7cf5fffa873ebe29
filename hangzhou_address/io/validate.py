"""Validate loaded city tables and report offending rows — never fix or drop anything silently.

Checks (``check`` column of the report):

``duplicate_code``      the same code twice in a table
``bad_code``            malformed code, wrong level for the table, or wrong check character (divisions, grids,
                        buildings, and the addresses' ``building_code``)
``bad_parent``          a division whose ``level`` is unknown or whose ``parent_code`` is not its code's prefix
                        at the level above
``address_not_in_division``  an address whose ``district_code`` / ``town_code`` / ``community_code`` is not the
                        start of its ``building_code``
``grid_not_in_community``  a grid code whose first 12 digits are not its ``community_code``
``building_not_in_grid``   a building code whose first 15 digits are not its ``grid_code``
``unknown_division``    a grid's community, a building's grid or an address's building that does not exist
                        (without a buildings table: an address whose building's community is not a division)
``invalid_geometry``    a grid that is not a (Multi)Polygon (a point, a line), a building that is neither a
                        footprint nor a point, or an empty or invalid (self-intersecting...) geometry
``building_outside_grid``  a building point not inside (or on the boundary of) its grid polygon
``overlapping_grids``   two current grids whose intersection has positive area (> ``overlap_tolerance`` m²,
                        default 1), identical and nested grids included (a re-drawn grid stays in the table,
                        ``status="retired"``, under its successors)
``building_in_retired_grid``  a current building whose grid is retired (a re-grid that left it behind)
``outside_extent``      a geo table whose total bounds lie outside its CRS's area of use or outside
                        :data:`HANGZHOU_EXTENT` (typically metres labelled as EPSG:4490 degrees); one row per table
``unread_address``      an address without road + door number and without compound / village + number: neither
                        its columns nor its text (read when a Registry loads the table,
                        :mod:`hangzhou_address.address_elements`) give them, so no text can match its building
``address_division_conflict``  an address whose text names a district / town / community other than its
                        building code's (its elements were read from the text)

For the optional ``aliases`` table (other names of roads and compounds):

``missing_column``      a required column (``kind, name, alias, alias_kind``) is absent
``bad_kind``            ``kind`` not road / poi, or ``alias_kind`` not former / short / developer / other
``bad_alias``           an empty alias, or an alias equal to its name
``unknown_name``        a road (poi) name not in the addresses' ``road`` (``poi``) column (in its
                        ``district_code`` when the row has one); checked when addresses are present
``alias_is_current_name``  an alias that is itself a current road (poi) name: it would make that name ambiguous
``bad_date``            ``valid_from`` / ``valid_to`` not an ISO date ``YYYY-MM-DD``, or ``valid_from``
                        after ``valid_to``
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataValidationError

__all__ = ["ValidationReport", "validate_city", "registry_code_issues", "ALIAS_REQUIRED", "ALIAS_TABLE_KINDS",
           "ALIAS_KINDS", "HANGZHOU_EXTENT"]

_COLUMNS = ["table", "row", "code", "check", "detail"]
ALIAS_REQUIRED = ("kind", "name", "alias", "alias_kind")
ALIAS_TABLE_KINDS = ("road", "poi")
ALIAS_KINDS = ("former", "short", "developer", "other")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Hangzhou's extent in CGCS2000 / WGS 84 degrees, ``(west, south, east, north)``, with a margin of a few
#: kilometres around the city's boundary (118°21'-120°30' E, 29°11'-30°33' N): geo tables must lie inside it.
HANGZHOU_EXTENT = (118.3, 29.1, 120.8, 30.6)
_GRID_TYPES = ("Polygon", "MultiPolygon")
_BUILDING_TYPES = ("Polygon", "MultiPolygon", "Point")


@dataclass(frozen=True)
class ValidationReport:
    """Issues found in a city's tables: one row per offending row and check."""

    issues: pd.DataFrame

    @property
    def ok(self) -> bool:
        return len(self.issues) == 0

    def summary(self) -> str:
        if self.ok:
            return "validation: no issues"
        counts = self.issues.groupby(["table", "check"]).size()
        lines = [f"validation: {len(self.issues):,} issue(s)"]
        for (table, check), n in counts.items():
            first = self.issues[(self.issues["table"] == table) & (self.issues["check"] == check)].iloc[0]
            lines.append(f"  {table}.{check}: {n:,} (first: row {first['row']}, {first['detail']})")
        return "\n".join(lines)

    def raise_if_invalid(self) -> None:
        if not self.ok:
            raise DataValidationError(self.summary(), report=self)


def _issue(rows: list, table: str, idx: Any, codes: Any, check: str, details: Any) -> None:
    idx = np.atleast_1d(np.asarray(idx))
    codes = np.atleast_1d(np.asarray(codes, dtype=object))
    if isinstance(details, str):
        details = [details] * len(idx)
    rows.extend(zip([table] * len(idx), idx.tolist(), codes.tolist(), [check] * len(idx), details))


def _code_checks(rows: list, table: str, df: pd.DataFrame, col: str, length: Any, *,
                 unique: bool = True) -> np.ndarray:
    """``bad_code`` (and, when ``unique``, ``duplicate_code``) issues of column ``col``; ``length`` is one length
    or an array of the expected length per row. Returns the mask of rows whose code is good."""
    from ..codes import validate_codes

    codes = df[col].to_numpy(dtype=object, na_value=None)
    res = validate_codes(codes)
    valid = res["valid"].to_numpy()
    bad = ~valid
    # a valid code's canonical length is its level's (validate_codes strips and folds full-width digits)
    from ..codes import LEVEL_LENGTHS

    lengths = res["level"].map(LEVEL_LENGTHS).fillna(-1).to_numpy(dtype=np.int64)
    wrong_level = valid & (lengths != length)
    pos = np.arange(len(df))
    name = f"a {table} {col}" if col != "code" else f"a {table} code"
    if bad.any():
        _issue(rows, table, pos[bad], codes[bad], "bad_code", res["detail"].to_numpy()[bad].tolist())
    if wrong_level.any():
        want = np.broadcast_to(np.asarray(length), (len(df),))[wrong_level]
        _issue(rows, table, pos[wrong_level], codes[wrong_level], "bad_code",
               [f"{name} must have {int(n)} characters" for n in want])
    if unique:
        dup = pd.Series(codes).duplicated(keep=False).to_numpy() & np.array([c is not None for c in codes])
        if dup.any():
            _issue(rows, table, pos[dup], codes[dup], "duplicate_code", "code appears more than once")
    return valid & ~wrong_level


def _canonical(codes: pd.Series) -> pd.Series:
    """Canonical form of codes (stripped, full-width folded, upper-case ``X``) as a string Series; vectorized
    (Arrow string kernels), the rare non-ASCII ones by :func:`~hangzhou_address.codes.normalize_code`."""
    from ..codes import normalize_code

    text = codes.astype("string")
    out = text.str.strip().str.upper()
    odd = (~out.str.isascii()).fillna(False).to_numpy(dtype=bool)
    if odd.any():
        out[odd] = [normalize_code(c) for c in text[odd]]
    return out


_DIVISION_LENGTHS = {"city": 4, "district": 6, "town": 9, "community": 12}


def _division_checks(rows: list, divisions: pd.DataFrame) -> None:
    """``bad_code`` / ``bad_parent``: every division code well-formed, of its level's length, under its parent."""
    level = divisions["level"].to_numpy(dtype=object, na_value=None)
    want = np.array([_DIVISION_LENGTHS.get(lv, -1) if isinstance(lv, str) else -1 for lv in level])
    codes = divisions["code"].to_numpy(dtype=object, na_value=None)
    good = _code_checks(rows, "divisions", divisions, "code", want, unique=False)
    unknown = want < 0
    if unknown.any():
        _issue(rows, "divisions", np.flatnonzero(unknown), codes[unknown], "bad_parent",
               [f"level {lv!r} is not one of {list(_DIVISION_LENGTHS)}" for lv in level[unknown]])
    parents = divisions["parent_code"].to_numpy(dtype=object, na_value=None)
    above = {6: 4, 9: 6, 12: 9}
    wrong = np.zeros(len(codes), dtype=bool)
    for i in np.flatnonzero(good & ~unknown):
        c, p, n = codes[i], parents[i], want[i]
        expected = c.strip()[:above[n]] if n in above else None
        wrong[i] = (p is None) != (expected is None) or (expected is not None and str(p).strip() != expected)
    if wrong.any():
        _issue(rows, "divisions", np.flatnonzero(wrong), codes[wrong], "bad_parent",
               [f"parent_code {p!r} is not the code's prefix at the level above" for p in parents[wrong]])


def _address_checks(rows: list, addresses: pd.DataFrame) -> np.ndarray:
    """``bad_code`` and ``address_not_in_division`` of the addresses' building and division code columns.

    Returns the mask of rows whose ``building_code`` is a well-formed building code.
    """
    good = _code_checks(rows, "addresses", addresses, "building_code", 20, unique=False)
    bcodes = addresses["building_code"].to_numpy(dtype=object, na_value=None)
    canon = _canonical(addresses["building_code"].reset_index(drop=True))
    for col, n in (("district_code", 6), ("town_code", 9), ("community_code", 12)):
        if col not in addresses.columns:
            continue
        given = addresses[col].reset_index(drop=True).astype("string").str.strip()
        bad = (good & (given != canon.str.slice(0, n)).fillna(False).to_numpy(dtype=bool)
               & given.notna().to_numpy(dtype=bool))
        if bad.any():
            vals = addresses[col].to_numpy(dtype=object, na_value=None)
            _issue(rows, "addresses", np.flatnonzero(bad), bcodes[bad], "address_not_in_division",
                   [f"{col} {v!r} is not the start of the building_code" for v in vals[bad]])
    return good


def _element_checks(rows: list, addresses: pd.DataFrame) -> None:
    """``unread_address`` / ``address_division_conflict``: from the ``elements_from`` column a Registry adds when it
    reads elements from the text, else the rows whose element columns are empty. Row numbers and codes only: the
    address text never enters the report."""
    from ..address_elements import lacks_elements

    bcodes = addresses["building_code"].to_numpy(dtype=object, na_value=None)
    if "elements_from" in addresses.columns:
        source = addresses["elements_from"].to_numpy(dtype=object, na_value=None)
        unread = source == "unread"
        conflict = source == "conflict"
        how = "nor in its text"
    else:
        unread, conflict = lacks_elements(addresses), np.zeros(len(addresses), dtype=bool)
        how = "(its text is read when a Registry loads the table)"
    if unread.any():
        _issue(rows, "addresses", np.flatnonzero(unread), bcodes[unread], "unread_address",
               f"no road + door number and no compound / village + number in the element columns {how}")
    if conflict.any():
        _issue(rows, "addresses", np.flatnonzero(conflict), bcodes[conflict], "address_division_conflict",
               "the text names a district / town / community other than the building code's")


def registry_code_issues(name: str, table: Any) -> ValidationReport:
    """Issues with the codes a registry would hand out from table ``name`` (no geometry, no cross-table checks).

    :class:`~hangzhou_address.registry.Registry` runs this on every table it is given (on first access for
    lazy tables) and refuses a table with issues, so matching never answers with a malformed code: the
    ``divisions`` codes, levels and parents, the ``grids`` and ``buildings`` codes, and the ``addresses``'
    ``building_code`` with its division columns. Other tables give no issues.
    """
    rows: list = []
    if table is not None and len(table):
        if name == "divisions":
            _division_checks(rows, table)
        elif name in ("grids", "buildings") and "code" in table.columns:
            _code_checks(rows, name, table, "code", 15 if name == "grids" else 20, unique=False)
        elif name == "addresses" and "building_code" in table.columns:
            _address_checks(rows, table)
    issues = pd.DataFrame(rows, columns=_COLUMNS)
    issues["code"] = issues["code"].astype(object)
    return ValidationReport(issues)


def _prefix_check(rows: list, table: str, codes: np.ndarray, parents: np.ndarray, column: str, check: str) -> None:
    """Report codes that do not start with their parent's code."""
    bad = np.array([not (isinstance(c, str) and isinstance(p, str) and c[:len(p)] == p and len(p) > 0)
                    for c, p in zip(codes, parents)], dtype=bool)
    if bad.any():
        _issue(rows, table, np.flatnonzero(bad), codes[bad], check,
               [f"{table[:-1]} code does not start with its {column} {p!r}" for p in parents[bad]])


def _geometry_checks(rows: list, table: str, gdf: Any, types: tuple[str, ...]) -> np.ndarray:
    """Report missing, empty, wrongly typed and invalid geometries; return the mask of usable ones."""
    import shapely

    geoms = np.asarray(gdf.geometry.values, dtype=object)
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    kinds = np.array([None if g is None else g.geom_type for g in geoms], dtype=object)
    wrong_type = ~bad & ~np.isin(kinds, types)
    valid = ~bad & ~wrong_type
    valid[valid] = shapely.is_valid(geoms[valid])
    invalid = ~valid
    if invalid.any():
        reasons = [("missing or empty geometry" if g is None or shapely.is_empty(g)
                    else f"{table} geometry must be {' or '.join(types)}, got {k}" if k not in types
                    else shapely.is_valid_reason(g))
                   for g, k in zip(geoms[invalid], kinds[invalid])]
        _issue(rows, table, np.flatnonzero(invalid), gdf["code"].to_numpy(dtype=object)[invalid], "invalid_geometry",
               reasons)
    return valid


def _extent_check(rows: list, table: str, gdf: Any) -> None:
    """One ``outside_extent`` issue when the table's bounds leave its CRS's area of use or Hangzhou.

    Coordinates in metres labelled EPSG:4490 (a usual mistake with CGCS2000 / 3-degree Gauss-Kruger data)
    give bounds of hundreds of thousands of "degrees" and are caught here. A table without a CRS is taken to
    be EPSG:4490, as everywhere in this library.
    """
    import shapely
    from pyproj import CRS, Transformer

    geoms = np.asarray(gdf.geometry.values, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if not len(geoms):
        return
    bounds = tuple(float(v) for v in shapely.total_bounds(geoms))
    crs = CRS.from_user_input(gdf.crs) if getattr(gdf, "crs", None) is not None else CRS.from_epsg(4490)
    shown = f"({bounds[0]:.6g}, {bounds[1]:.6g}, {bounds[2]:.6g}, {bounds[3]:.6g})"
    area = crs.area_of_use
    if crs.is_geographic:
        lonlat = bounds
    else:
        try:
            to_deg = Transformer.from_crs(crs, CRS.from_epsg(4490), always_xy=True)
            lonlat = tuple(float(v) for v in to_deg.transform_bounds(*bounds))
        except Exception:  # noqa: BLE001 - pyproj cannot place the bounds at all
            lonlat = (np.inf,) * 4
    name = crs.to_string()

    def within(b: tuple[float, ...], box: tuple[float, ...], tol: float) -> bool:
        return (np.isfinite(b).all() and b[0] >= box[0] - tol and b[1] >= box[1] - tol
                and b[2] <= box[2] + tol and b[3] <= box[3] + tol)

    if area is not None and not within(lonlat, (area.west, area.south, area.east, area.north), 1e-6):
        detail = (f"total bounds {shown} are outside the area of use of {name} "
                  f"({area.west:g}, {area.south:g}, {area.east:g}, {area.north:g}); "
                  "coordinates in another unit or CRS than the one labelled (metres as degrees?)")
    elif not within(lonlat, HANGZHOU_EXTENT, 0.0):
        w, s_, e, n = HANGZHOU_EXTENT
        detail = (f"total bounds {shown} ({name}) are outside Hangzhou's extent "
                  f"({w}-{e} E, {s_}-{n} N)")
    else:
        return
    rows.append((table, None, None, "outside_extent", detail))


def validate_city(registry_or_tables: Any, *, overlap_tolerance: float = 1.0) -> ValidationReport:
    """Check a :class:`~hangzhou_address.registry.Registry` or a mapping of tables.

    Parameters
    ----------
    registry_or_tables : Registry or mapping
        A mapping may hold ``divisions``, ``grids``, ``buildings``, ``addresses``, ``aliases``.
    overlap_tolerance : float
        Intersection area (m²) above which two grids count as overlapping.
    """
    import shapely

    if isinstance(registry_or_tables, dict):
        t = registry_or_tables
        divisions = t.get("divisions")
        grids, buildings, addresses = t.get("grids"), t.get("buildings"), t.get("addresses")
        aliases = t.get("aliases")
    else:
        reg = registry_or_tables
        divisions, grids, buildings, addresses = reg.divisions, reg.grids, reg.buildings, reg.addresses
        aliases = getattr(reg, "aliases", None)
    rows: list = []
    division_codes = set(divisions["code"]) if divisions is not None else None
    if divisions is not None:
        _division_checks(rows, divisions)
        active = divisions[divisions.get("status", pd.Series("active", index=divisions.index)) == "active"]
        dup = active["code"].duplicated(keep=False).to_numpy()
        if dup.any():
            _issue(rows, "divisions", np.flatnonzero(dup), active["code"].to_numpy(dtype=object)[dup],
                   "duplicate_code", "code appears more than once")
    if grids is not None:
        _code_checks(rows, "grids", grids, "code", 15)
        codes = grids["code"].to_numpy(dtype=object)
        comm = grids["community_code"].to_numpy(dtype=object)
        _prefix_check(rows, "grids", codes, comm, "community_code", "grid_not_in_community")
        if division_codes is not None:
            unknown = np.array([p not in division_codes for p in comm])
            if unknown.any():
                _issue(rows, "grids", np.flatnonzero(unknown), codes[unknown], "unknown_division",
                       [f"community {p!r} is not in the divisions table" for p in comm[unknown]])
        gvalid = _geometry_checks(rows, "grids", grids, _GRID_TYPES)
        _extent_check(rows, "grids", grids)
        geoms = np.asarray(grids.geometry.values, dtype=object)
        g_active = (grids["status"] == "active").to_numpy() if "status" in grids.columns else np.ones(len(grids), bool)
        idx = np.flatnonzero(gvalid & g_active)
        tree = shapely.STRtree(geoms[idx])
        # interiors that meet: partial overlap, containment and equality alike ("overlaps" misses the last two)
        left, right = tree.query(geoms[idx], predicate="intersects")
        keep = left < right
        left, right = idx[left[keep]], idx[right[keep]]
        inner = shapely.relate_pattern(geoms[left], geoms[right], "T********")
        left, right = left[inner], right[inner]
        if len(left):
            inter = shapely.intersection(geoms[left], geoms[right])
            c = shapely.get_coordinates(inter)
            lat0 = float(np.mean(c[:, 1])) if len(c) else 30.0
            m2 = shapely.area(inter) * (111_320 * np.cos(np.radians(lat0))) * 110_574
            big = m2 > overlap_tolerance  # area in a local equirectangular approximation (ample for a check)
            _issue(rows, "grids", left[big], codes[left[big]], "overlapping_grids",
                   [f"overlaps grid {codes[r]} by {a:,.0f} m²" for r, a in zip(right[big], m2[big])])
    if buildings is not None:
        _code_checks(rows, "buildings", buildings, "code", 20)
        bcodes = buildings["code"].to_numpy(dtype=object)
        bgrid = buildings["grid_code"].to_numpy(dtype=object)
        _prefix_check(rows, "buildings", bcodes, bgrid, "grid_code", "building_not_in_grid")
        if hasattr(buildings, "geometry"):
            _geometry_checks(rows, "buildings", buildings, _BUILDING_TYPES)
            _extent_check(rows, "buildings", buildings)
        if grids is not None:
            gpos = pd.Series(np.arange(len(grids)), index=grids["code"].to_numpy(dtype=object))
            gpos = gpos[~gpos.index.duplicated()]
            known = np.array([g in gpos.index for g in bgrid])
            if (~known).any():
                _issue(rows, "buildings", np.flatnonzero(~known), bcodes[~known], "unknown_division",
                       [f"grid {g!r} is not in the grids table" for g in bgrid[~known]])
            if "status" in buildings.columns and "status" in grids.columns:
                g_status = pd.Series(grids["status"].to_numpy(dtype=object), index=grids["code"].to_numpy(dtype=object))
                g_status = g_status[~g_status.index.duplicated()]
                b_active = (buildings["status"] == "active").to_numpy()
                left = np.flatnonzero(known & b_active)
                stale = left[g_status.reindex(bgrid[left]).to_numpy() != "active"]
                if len(stale):
                    _issue(rows, "buildings", stale, bcodes[stale], "building_in_retired_grid",
                           [f"grid {g} is retired" for g in bgrid[stale]])
            k = np.flatnonzero(known)
            if len(k):
                gg = np.asarray(grids.geometry.values, dtype=object)[gpos[bgrid[k]].to_numpy()]
                if "x" in buildings.columns:
                    xs, ys = buildings["x"].to_numpy(dtype=float)[k], buildings["y"].to_numpy(dtype=float)[k]
                else:
                    rp = shapely.point_on_surface(np.asarray(buildings.geometry.values, dtype=object)[k])
                    xs, ys = shapely.get_x(rp), shapely.get_y(rp)
                ok_geom = ~(shapely.is_missing(gg) | shapely.is_empty(gg))
                inside = np.zeros(len(k), dtype=bool)
                inside[ok_geom] = shapely.intersects_xy(gg[ok_geom], xs[ok_geom], ys[ok_geom])
                out = ~inside
                if out.any():
                    _issue(rows, "buildings", k[out], bcodes[k[out]], "building_outside_grid",
                           [f"point ({x:.6f}, {y:.6f}) is outside grid {g}" for x, y, g in
                            zip(xs[out], ys[out], bgrid[k[out]])])
    if addresses is not None:
        agood = _address_checks(rows, addresses)
        ac = addresses["building_code"].to_numpy(dtype=object, na_value=None)
        if buildings is not None:
            bset = set(buildings["code"])
            unknown = np.array([c not in bset for c in ac])
            if unknown.any():
                _issue(rows, "addresses", np.flatnonzero(unknown), ac[unknown], "unknown_division",
                       "building_code is not in the buildings table")
        elif division_codes is not None:  # addresses only: the building's community must be a division
            unknown = agood & np.array([not (isinstance(c, str) and c.strip()[:12] in division_codes) for c in ac])
            if unknown.any():
                _issue(rows, "addresses", np.flatnonzero(unknown), ac[unknown], "unknown_division",
                       "the building's community (its first 12 digits) is not in the divisions table")
        _element_checks(rows, addresses)
    if aliases is not None:
        _alias_checks(rows, aliases, addresses)
    issues = pd.DataFrame(rows, columns=_COLUMNS)
    issues["code"] = issues["code"].astype(object)
    return ValidationReport(issues)


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _parse_date(v: Any) -> _dt.date | None | str:
    """A date, None for an open end, or the text of a value that is not an ISO date."""
    if _blank(v):
        return None
    if isinstance(v, (_dt.date, pd.Timestamp)):
        return v.date() if isinstance(v, (_dt.datetime, pd.Timestamp)) else v
    text = str(v).strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return _dt.date.fromisoformat(text)
        except ValueError:
            pass
    return text


def _alias_checks(rows: list, aliases: pd.DataFrame, addresses: pd.DataFrame | None) -> None:
    """Checks of the optional ``aliases`` table (see the module docstring)."""
    missing = [c for c in ALIAS_REQUIRED if c not in aliases.columns]
    if missing:
        rows.append(("aliases", None, None, "missing_column",
                     f"aliases table is missing required column(s) {missing}; it has {list(aliases.columns)}"))
        return
    n = len(aliases)
    kind = aliases["kind"].to_numpy(dtype=object)
    name = aliases["name"].to_numpy(dtype=object)
    alias = aliases["alias"].to_numpy(dtype=object)
    akind = aliases["alias_kind"].to_numpy(dtype=object)
    district = (aliases["district_code"].to_numpy(dtype=object) if "district_code" in aliases.columns
                else np.full(n, None, dtype=object))
    current: dict[str, set] = {}
    in_district: dict[str, set] = {}
    if addresses is not None:
        dcol = (addresses["district_code"].to_numpy(dtype=object) if "district_code" in addresses.columns
                else np.array([b[:6] if isinstance(b, str) else None for b in addresses["building_code"]],
                              dtype=object))
        for k, col in (("road", "road"), ("poi", "poi")):
            vals = addresses[col].to_numpy(dtype=object) if col in addresses.columns else np.full(len(addresses), None)
            ok = np.array([isinstance(v, str) and v != "" for v in vals], dtype=bool)
            current[k] = set(vals[ok])
            in_district[k] = set(zip(dcol[ok], vals[ok]))
    for i in range(n):
        k, nm, al, ak = kind[i], name[i], alias[i], akind[i]
        shown = None if _blank(al) else str(al)
        if k not in ALIAS_TABLE_KINDS:
            rows.append(("aliases", i, shown, "bad_kind", f"kind {k!r} is not one of {list(ALIAS_TABLE_KINDS)}"))
        if ak not in ALIAS_KINDS:
            rows.append(("aliases", i, shown, "bad_kind", f"alias_kind {ak!r} is not one of {list(ALIAS_KINDS)}"))
        if shown is None:
            rows.append(("aliases", i, None, "bad_alias", f"empty alias for name {nm!r}"))
        elif shown.strip() == (nm.strip() if isinstance(nm, str) else nm):
            rows.append(("aliases", i, shown, "bad_alias", f"alias {shown!r} is the name itself"))
        if k in current:
            d = None if _blank(district[i]) else str(district[i])
            if _blank(nm) or nm not in current[k]:
                rows.append(("aliases", i, shown, "unknown_name",
                             f"{k} name {nm!r} is not in the addresses table's {k} column"))
            elif d is not None and (d, nm) not in in_district[k]:
                rows.append(("aliases", i, shown, "unknown_name",
                             f"{k} name {nm!r} is not in the addresses of district {d!r}"))
            if shown is not None and shown != nm and shown in current[k]:
                rows.append(("aliases", i, shown, "alias_is_current_name",
                             f"alias {shown!r} of {nm!r} is itself a current {k} name"))
        dates = {}
        for col in ("valid_from", "valid_to"):
            if col not in aliases.columns:
                dates[col] = None
                continue
            v = aliases[col].iat[i]
            parsed = _parse_date(v)
            if isinstance(parsed, str):
                rows.append(("aliases", i, shown, "bad_date", f"{col} {parsed!r} is not an ISO date YYYY-MM-DD"))
                parsed = None
            dates[col] = parsed
        start, end = dates["valid_from"], dates["valid_to"]
        if start is not None and end is not None and start > end:
            rows.append(("aliases", i, shown, "bad_date",
                         f"valid_from {start.isoformat()} is after valid_to {end.isoformat()}"))
