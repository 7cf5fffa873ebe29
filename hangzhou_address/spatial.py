"""Spatial queries: which grid contains a point, nearest building, buildings in an area.

:class:`GridIndex` answers point-in-grid queries with a precomputed regular cell lookup over the
city's bounding box:

* a cell that no grid boundary touches lies entirely inside one grid (or outside all of them), and
  its answer is stored — points falling there are answered by array indexing, with no geometry test;
* a cell that a boundary passes through (found by rasterizing every grid edge, dilated by one cell so
  the set is a safe superset) stores its candidate grids; points there are tested exactly with
  :func:`shapely.intersects_xy` against those candidates only.

**Boundary rule.** A point is in a grid when it lies in the grid's *closed* polygon (interior or
boundary). A point on a boundary shared by several grids gets the grid with the **smallest code**;
the rule uses only exact predicates and code order, so it gives the same answer on every run and
machine. A point in a hole or outside every grid gets ``None``.

Indexes are built once per registry (``registry.cached``) and reused.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from .coords import parse_crs, to_cgcs2000
from .errors import InputError, InputTypeError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from .registry import Registry

__all__ = [
    "GridIndex",
    "BuildingIndex",
    "SwappedAxesWarning",
    "locate",
    "locate_frame",
    "nearest_building",
    "buildings_within",
    "buildings_near",
    "grid_index",
]

#: local metric CRS for distances: CGCS2000 3-degree Gauss-Krüger, central meridian 120°E
METRIC_CRS = "EPSG:4549"
# city-wide sanity box for CGCS2000 lon/lat (for swapped-axis detection)
_LON_RANGE = (117.5, 121.5)
_LAT_RANGE = (28.5, 31.5)


class SwappedAxesWarning(UserWarning):
    """Coordinates look like (lat, lon) instead of (lon, lat)."""


class GridIndex:
    """Point-in-grid index over a grids GeoDataFrame (EPSG:4490).

    Parameters
    ----------
    grids : GeoDataFrame
        Columns ``code`` and ``geometry`` (polygons, EPSG:4490).
    cell_deg : float, optional
        Cell size of the lookup raster in degrees; default chooses ~9 million cells over the bbox
        (about 60 m for the whole city).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"code": ["330106005001001", "330106005001002"]},
    ...     geometry=[shapely.box(120, 30, 120.01, 30.01), shapely.box(120.01, 30, 120.02, 30.01)], crs=4490)
    >>> GridIndex(g).locate([120.005, 120.01, 121.0], [30.005, 30.005, 30.0]).tolist()
    ['330106005001001', '330106005001001', None]
    """

    def __init__(self, grids: gpd.GeoDataFrame, *, cell_deg: float | None = None) -> None:
        if len(grids) == 0:
            raise InputError("cannot index an empty grids table")
        order = np.argsort(grids["code"].to_numpy(dtype=str), kind="stable")
        self.codes = grids["code"].to_numpy(dtype=object)[order]
        self.geoms = np.asarray(grids.geometry.values, dtype=object)[order]
        self._codes_or_none = np.append(self.codes, None)
        shapely.prepare(self.geoms)
        minx, miny, maxx, maxy = shapely.total_bounds(self.geoms)
        if cell_deg is None:
            cell_deg = max(math.sqrt((maxx - minx) * (maxy - miny) / 9_000_000), 1e-5)
        self.cell = float(cell_deg)
        self.x0, self.y0 = float(minx), float(miny)
        self.nx = int(math.floor((maxx - minx) / self.cell)) + 1
        self.ny = int(math.floor((maxy - miny) / self.cell)) + 1
        self._build()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        nx, ny, cell = self.nx, self.ny, self.cell
        boundary = np.zeros((ny, nx), dtype=bool)
        # supercover rasterization of every edge (exterior rings and holes): a segment enters a cell
        # only through its endpoints or by crossing a cell line, so marking the cells on both sides of
        # every crossing (and the endpoint cells) finds every cell an edge touches - exactly, no dilation
        rings = shapely.get_rings(self.geoms)
        coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
        same = ring_idx[1:] == ring_idx[:-1]
        a = (coords[:-1][same] - (self.x0, self.y0)) / cell
        b = (coords[1:][same] - (self.x0, self.y0)) / cell
        cols, rows = [], []
        for axis in (0, 1):
            lo = np.minimum(a[:, axis], b[:, axis])
            hi = np.maximum(a[:, axis], b[:, axis])
            k0 = np.ceil(lo).astype(np.int64)
            k1 = np.floor(hi).astype(np.int64)
            n = np.maximum(k1 - k0 + 1, 0)
            seg = np.repeat(np.arange(len(a)), n)
            k = np.repeat(k0, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
            da = b[seg, axis] - a[seg, axis]
            t = np.where(da != 0, (k - a[seg, axis]) / np.where(da != 0, da, 1), 0.0)
            other = a[seg, 1 - axis] + t * (b[seg, 1 - axis] - a[seg, 1 - axis])
            o = np.floor(other).astype(np.int64)
            for dk in (-1, 0):  # the cells on both sides of the crossed line
                if axis == 0:
                    cols.append(k + dk)
                    rows.append(o)
                else:
                    rows.append(k + dk)
                    cols.append(o)
            # a crossing exactly at a cell corner / on a line: also mark the neighbouring row/column
            on_line = np.abs(other - np.round(other)) < 1e-9
            if on_line.any():
                for dk in (-1, 0):
                    if axis == 0:
                        cols.append(k[on_line] + dk)
                        rows.append(o[on_line] - 1)
                    else:
                        rows.append(k[on_line] + dk)
                        cols.append(o[on_line] - 1)
        for pts in (a, b):
            cols.append(np.floor(pts[:, 0]).astype(np.int64)); rows.append(np.floor(pts[:, 1]).astype(np.int64))
        cols_a = np.clip(np.concatenate(cols), 0, nx - 1)
        rows_a = np.clip(np.concatenate(rows), 0, ny - 1)
        boundary[rows_a, cols_a] = True
        # interior cells: label each grid's cells whose centre is inside it (only non-boundary cells)
        label = np.full((ny, nx), -1, dtype=np.int32)
        bounds = shapely.bounds(self.geoms)
        for i, (gminx, gminy, gmaxx, gmaxy) in enumerate(bounds):
            c0 = max(int((gminx - self.x0) / cell), 0)
            c1 = min(int((gmaxx - self.x0) / cell), nx - 1)
            r0 = max(int((gminy - self.y0) / cell), 0)
            r1 = min(int((gmaxy - self.y0) / cell), ny - 1)
            sub_b = boundary[r0:r1 + 1, c0:c1 + 1]
            rr, cc = np.nonzero(~sub_b)
            if len(rr) == 0:
                continue
            cx = self.x0 + (cc + c0 + 0.5) * cell
            cy = self.y0 + (rr + r0 + 0.5) * cell
            inside = shapely.contains_xy(self.geoms[i], cx, cy)
            label[rr[inside] + r0, cc[inside] + c0] = i
        # boundary cells: candidate grids by bounding-box overlap (CSR arrays)
        bcells = np.flatnonzero(boundary.ravel())
        by, bx = np.divmod(bcells, nx)
        boxes = shapely.box(self.x0 + bx * cell, self.y0 + by * cell, self.x0 + (bx + 1) * cell,
                            self.y0 + (by + 1) * cell)
        tree = shapely.STRtree(self.geoms)
        qi, gi = tree.query(boxes, predicate="intersects")
        slot = np.full(nx * ny, -1, dtype=np.int32)
        slot[bcells] = np.arange(len(bcells))
        counts = np.bincount(qi, minlength=len(bcells))
        self._ptr = np.concatenate([[0], np.cumsum(counts)])
        order = np.lexsort((gi, qi))
        self._cand = gi[order].astype(np.int32)
        label_flat = label.ravel()
        label_flat[bcells] = -2  # needs an exact test
        self._label = label_flat
        self._slot = slot

    @property
    def nbytes(self) -> int:
        """Memory held by the lookup arrays (excluding the geometries)."""
        return int(self._label.nbytes + self._slot.nbytes + self._ptr.nbytes + self._cand.nbytes)

    # ------------------------------------------------------------------ queries
    def locate_index(self, x: Any, y: Any) -> np.ndarray:
        """Positions (into ``self.codes``) of the grid containing each point, -1 where none."""
        x = np.asarray(x, dtype=float).ravel()
        y = np.asarray(y, dtype=float).ravel()
        if x.shape != y.shape:
            raise InputError(f"x and y must have the same length, got {x.shape[0]} and {y.shape[0]}")
        with np.errstate(invalid="ignore"):
            fx = (x - self.x0) * (1.0 / self.cell)
            fy = (y - self.y0) * (1.0 / self.cell)
            valid = (fx >= 0) & (fy >= 0) & (fx < self.nx) & (fy < self.ny)  # False for NaN
            cells = np.where(valid, fy.astype(np.int64) * self.nx + fx.astype(np.int64), 0)
        lab = np.where(valid, self._label[cells], -1)
        out = np.maximum(lab, -1).astype(np.int64)
        exact = lab == -2
        if exact.any():
            pts = np.flatnonzero(exact)
            s = self._slot[cells[exact]]
            starts, n = self._ptr[s], self._ptr[s + 1] - self._ptr[s]
            px, py = x[pts], y[pts]
            res = np.full(len(pts), -1, dtype=np.int64)
            todo = np.arange(len(pts))
            # candidates are stored in code order: the first hit is the smallest code, which is
            # the boundary rule; test rank 0 for everybody, then rank 1 for the unresolved, ...
            for rank in range(int(n.max())):
                todo = todo[n[todo] > rank]
                if len(todo) == 0:
                    break
                cand = self._cand[starts[todo] + rank]
                hit = shapely.intersects_xy(self.geoms[cand], px[todo], py[todo])
                res[todo[hit]] = cand[hit]
                todo = todo[~hit]
            out[pts] = res
        return out

    def locate(self, x: Any, y: Any) -> np.ndarray:
        """Grid codes (object array, None outside every grid) for CGCS2000 lon/lat points."""
        # position -1 (no grid) picks the trailing None of _codes_or_none
        return self._codes_or_none[self.locate_index(x, y)]


class _Buckets:
    """Points sorted into square buckets with a dense start table (exact 3x3-ring nearest search)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, size: float) -> None:
        self.size = size
        self.x, self.y = x, y
        self.x0, self.y0 = float(np.min(x)) - size, float(np.min(y)) - size
        kx = ((x - self.x0) // size).astype(np.int64)
        ky = ((y - self.y0) // size).astype(np.int64)
        self.nx, self.ny = int(kx.max()) + 2, int(ky.max()) + 2
        keys = kx * self.ny + ky
        self.order = np.argsort(keys, kind="stable")
        self.start = np.searchsorted(keys[self.order], np.arange(self.nx * self.ny + 1)).astype(np.int32)

    def ring_nearest(self, qx: np.ndarray, qy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest point in the 3x3 buckets around each query (position -1 / inf when empty).

        The answer is exact whenever its distance is <= ``size``.
        """
        best = np.full(len(qx), np.inf)
        best_i = np.full(len(qx), -1, dtype=np.int64)
        kx = np.floor((qx - self.x0) / self.size).astype(np.int64)
        ky = np.floor((qy - self.y0) / self.size).astype(np.int64)
        big = np.iinfo(np.int64).max
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                bx, by = kx + dx, ky + dy
                ok = (bx >= 0) & (by >= 0) & (bx < self.nx) & (by < self.ny)
                key = np.where(ok, bx * self.ny + by, 0)
                cnt = np.where(ok, self.start[key + 1] - self.start[key], 0)
                q = np.flatnonzero(cnt)
                if len(q) == 0:
                    continue
                cnt, st = cnt[q], self.start[key[q]]
                rep = np.repeat(q, cnt)
                group_start = np.cumsum(cnt) - cnt
                cand = self.order[np.repeat(st, cnt) + (np.arange(cnt.sum()) - np.repeat(group_start, cnt))]
                d = np.hypot(self.x[cand] - qx[rep], self.y[cand] - qy[rep])
                # per-query minimum without sorting: rep is grouped by query
                dd = np.minimum.reduceat(d, group_start)
                cc = np.minimum.reduceat(np.where(d == np.repeat(dd, cnt), cand, big), group_start)
                better = (dd < best[q]) | ((dd == best[q]) & (cc < best_i[q]))
                best[q[better]] = dd[better]
                best_i[q[better]] = cc[better]
        return best_i, best


class BuildingIndex:
    """Nearest-building and radius queries in metres (STRtree on projected building points).

    ``add`` and ``retire`` keep an :mod:`rtree` index of buildings changed since the build, so a
    registry can take new or retired buildings without rebuilding the bulk index.
    """

    def __init__(self, buildings: gpd.GeoDataFrame) -> None:
        from .coords import from_cgcs2000

        self.codes = buildings["code"].to_numpy(dtype=object)
        x = buildings["x"].to_numpy(dtype=float) if "x" in buildings else shapely.get_x(buildings.geometry.values.centroid)
        y = buildings["y"].to_numpy(dtype=float) if "y" in buildings else shapely.get_y(buildings.geometry.values.centroid)
        self.mx, self.my = from_cgcs2000(x, y, METRIC_CRS)
        self.points = shapely.points(self.mx, self.my)
        self.tree = shapely.STRtree(self.points)
        # uniform buckets (50 m, then 250 m and 1.5 km for sparse areas) for fast exact nearest-neighbour search
        self._buckets = tuple(_Buckets(self.mx, self.my, size) for size in (50.0, 250.0, 1500.0))
        self._retired: set[str] = set()
        self._extra_codes: list[str] = []
        self._extra_xy: list[tuple[float, float]] = []
        self._rtree = None

    def add(self, code: str, lon: float, lat: float) -> None:
        """Add a building (incremental, via rtree) without rebuilding the bulk index."""
        from rtree import index

        from .coords import from_cgcs2000

        if self._rtree is None:
            self._rtree = index.Index()
        mx, my = from_cgcs2000(lon, lat, METRIC_CRS)
        self._extra_codes.append(code)
        self._extra_xy.append((float(mx), float(my)))
        i = len(self._extra_codes) - 1
        self._rtree.insert(i, (float(mx), float(my), float(mx), float(my)))
        self._retired.discard(code)

    def retire(self, code: str) -> None:
        """Exclude a building from answers from now on."""
        self._retired.add(code)

    def nearest(self, mx: np.ndarray, my: np.ndarray, max_distance: float | None) -> tuple[np.ndarray, np.ndarray]:
        codes = np.full(len(mx), None, dtype=object)
        dist = np.full(len(mx), np.nan)
        pos = np.full(len(mx), -1, dtype=np.int64)
        todo = np.arange(len(mx))
        for buckets in self._buckets:
            if len(todo) == 0:
                break
            bi, bd = buckets.ring_nearest(mx[todo], my[todo])
            exact = (bi >= 0) & (bd <= buckets.size)  # anything outside the 3x3 block is farther
            pos[todo[exact]], dist[todo[exact]] = bi[exact], bd[exact]
            todo = todo[~exact]
        if len(todo):  # far from every building: fall back to the STRtree
            qi, ti = self.tree.query_nearest(shapely.points(mx[todo], my[todo]), all_matches=False)
            pos[todo[qi]] = ti
            dist[todo[qi]] = np.hypot(self.mx[ti] - mx[todo[qi]], self.my[ti] - my[todo[qi]])
        if max_distance is not None:
            too_far = dist > max_distance
            pos[too_far], dist[too_far] = -1, np.nan
        ok = pos >= 0
        codes[ok] = self.codes[pos[ok]]
        if self._retired and np.isin(codes, list(self._retired)).any():
            bad = np.flatnonzero(np.isin(codes, list(self._retired)))
            for i in bad:  # rare path: re-query excluding retired buildings
                cand = self.tree.query(shapely.Point(mx[i], my[i]).buffer(max_distance or 5_000.0))
                best, bestd = None, np.inf
                for c in cand:
                    if self.codes[c] in self._retired:
                        continue
                    d = math.hypot(self.mx[c] - mx[i], self.my[c] - my[i])
                    if d < bestd:
                        best, bestd = self.codes[c], d
                codes[i], dist[i] = best, (bestd if best is not None else np.nan)
        if self._rtree is not None:
            for i in range(len(mx)):
                for j in self._rtree.nearest((mx[i], my[i], mx[i], my[i]), 1):
                    ex, ey = self._extra_xy[j]
                    d = math.hypot(ex - mx[i], ey - my[i])
                    code = self._extra_codes[j]
                    if code in self._retired or (max_distance is not None and d > max_distance):
                        continue
                    if not d >= dist[i]:  # also true when dist is NaN
                        codes[i], dist[i] = code, d
        return codes, dist


# ---------------------------------------------------------------------- helpers
def _registry(registry: Registry | None) -> Registry:
    if registry is None:
        from .registry import default_registry

        return default_registry()
    return registry


def grid_index(registry: Registry | None = None) -> GridIndex:
    """The registry's :class:`GridIndex`, built on first use and cached on the registry."""
    reg = _registry(registry)
    return reg.cached("grid_index", lambda: GridIndex(reg.require("grids")))


def _building_index(reg: Registry) -> BuildingIndex:
    return reg.cached("building_index", lambda: BuildingIndex(reg.require("buildings")))


def _check_swapped(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Boolean mask of points that look like (lat, lon) given as (lon, lat)."""
    in_city = (lon >= _LON_RANGE[0]) & (lon <= _LON_RANGE[1]) & (lat >= _LAT_RANGE[0]) & (lat <= _LAT_RANGE[1])
    swapped = (lat >= _LON_RANGE[0]) & (lat <= _LON_RANGE[1]) & (lon >= _LAT_RANGE[0]) & (lon <= _LAT_RANGE[1])
    return swapped & ~in_city


def _prepare(x: Any, y: Any, crs: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    try:
        xa = np.asarray(x, dtype=float)
        ya = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(f"x and y must be numbers or arrays of numbers ({exc})") from None
    if xa.shape != ya.shape:
        raise InputError(f"x and y must have the same shape, got {xa.shape} and {ya.shape}")
    xa, ya = xa.ravel(), ya.ravel()
    finite = np.isfinite(xa) & np.isfinite(ya)
    lon, lat = to_cgcs2000(np.where(finite, xa, 0.0), np.where(finite, ya, 0.0), crs)
    lon = np.where(finite, lon, np.nan)
    lat = np.where(finite, lat, np.nan)
    swapped = _check_swapped(lon, lat)
    if swapped.any():
        warnings.warn(
            f"{int(swapped.sum())} point(s) look like (lat, lon) instead of (lon, lat); they were NOT swapped "
            "and are reported as outside. Pass x=longitude, y=latitude.",
            SwappedAxesWarning,
            stacklevel=3,
        )
    return lon, lat, swapped


def locate(x: Any, y: Any, *, crs: Any = "EPSG:4490", registry: Registry | None = None) -> np.ndarray:
    """Grid code containing each point (None outside every grid, in holes, or for NaN/inf input).

    Parameters
    ----------
    x, y : float or array-like
        Longitude/latitude (or easting/northing in ``crs``).
    crs : str, int or pyproj.CRS
        Any CRS pyproj knows, or ``'GCJ02'`` / ``'BD09'``. Default CGCS2000 lon/lat.
    registry : Registry, optional
        Default: :func:`hangzhou_address.default_registry`.

    Returns
    -------
    numpy.ndarray of object
        One code (or None) per point, shape of the broadcast input (1-D).
    """
    lon, lat, swapped = _prepare(x, y, crs)
    codes = grid_index(registry).locate(lon, lat)
    codes[swapped] = None
    return codes


def locate_frame(df: Any, *, x: str | None = None, y: str | None = None, crs: Any = None,
                 registry: Registry | None = None) -> Any:
    """Add grid / community / town / district codes and names to a frame of points.

    A GeoDataFrame without ``x``/``y`` uses its point geometry and CRS; the result keeps the input's
    type (a GeoDataFrame stays a GeoDataFrame). Rows that cannot be located get ``locate_reason``:
    ``'missing_or_not_finite'``, ``'swapped_axes'`` or ``'outside_grids'``.
    """
    import pandas as pd

    reg = _registry(registry)
    out = df.copy()
    if x is None and y is None and hasattr(df, "geometry") and hasattr(df, "crs"):
        geom = df.geometry.values
        xs, ys = shapely.get_x(geom), shapely.get_y(geom)
        crs = df.crs if crs is None else crs
    else:
        if x is None or y is None:
            raise InputError("pass both x= and y= column names (or a GeoDataFrame of points)")
        missing = [c for c in (x, y) if c not in df.columns]
        if missing:
            from ._privacy import columns_hint

            raise InputError(f"column(s) {missing} not found; {columns_hint(df.columns, what='the frame')}")
        xs = pd.to_numeric(df[x], errors="coerce").to_numpy(dtype=float)
        ys = pd.to_numeric(df[y], errors="coerce").to_numpy(dtype=float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SwappedAxesWarning)
        lon, lat, swapped = _prepare(xs, ys, crs)
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=2)
    codes = grid_index(reg).locate(lon, lat)
    codes[swapped] = None
    reason = np.full(len(codes), None, dtype=object)
    reason[codes == None] = "outside_grids"  # noqa: E711
    reason[swapped] = "swapped_axes"
    reason[~(np.isfinite(lon) & np.isfinite(lat))] = "missing_or_not_finite"
    def column(values: Any) -> pd.Series:  # object dtype keeps None (pandas would make it NaN)
        return pd.Series(np.asarray(values, dtype=object), index=out.index, dtype=object)

    out["grid_code"] = column(codes)
    for level, n in (("community", 12), ("town", 9), ("district", 6)):
        out[f"{level}_code"] = column([c[:n] if c is not None else None for c in codes])
    names = {}
    for level in ("grid", "community", "town", "district"):
        col = out[f"{level}_code"]
        uniq = {c for c in col if c is not None}
        names.update({c: reg.name_of(c) for c in uniq if c not in names})
        out[f"{level}_name"] = column([names.get(c) if c is not None else None for c in col])
    out["locate_reason"] = column(reason)
    return out


@dataclass(frozen=True)
class NearestResult:
    """Result of :func:`nearest_building`: one entry per query point."""

    codes: np.ndarray
    distances_m: np.ndarray


def nearest_building(x: Any, y: Any, *, max_distance_m: float | None = None, crs: Any = "EPSG:4490",
                     registry: Registry | None = None) -> NearestResult:
    """Nearest building to each point, with the distance in metres (None / NaN beyond ``max_distance_m``)."""
    from .coords import from_cgcs2000

    if max_distance_m is not None and not (max_distance_m > 0):
        raise InputError(f"max_distance_m must be positive, got {max_distance_m!r}")
    reg = _registry(registry)
    lon, lat, swapped = _prepare(x, y, crs)
    mx, my = from_cgcs2000(lon, lat, METRIC_CRS)
    ok = np.isfinite(mx) & np.isfinite(my) & ~swapped
    codes = np.full(len(lon), None, dtype=object)
    dist = np.full(len(lon), np.nan)
    if ok.any():
        c, d = _building_index(reg).nearest(mx[ok], my[ok], max_distance_m)
        codes[ok], dist[ok] = c, d
    return NearestResult(codes, dist)


def _buildings_gdf(reg: Registry, positions: np.ndarray) -> Any:
    b = reg.require("buildings")
    return b.iloc[np.sort(positions)]


def buildings_within(geometry: Any, *, crs: Any = "EPSG:4490", registry: Registry | None = None) -> Any:
    """Buildings whose footprint intersects ``geometry`` (a shapely geometry in ``crs``) as a GeoDataFrame."""
    reg = _registry(registry)
    if not isinstance(geometry, shapely.Geometry):
        raise InputError(f"geometry must be a shapely geometry, got {type(geometry).__name__}")
    key = parse_crs(crs)
    if key not in ("EPSG:4490", "EPSG:4326"):
        geometry = shapely.transform(geometry, lambda c: np.column_stack(to_cgcs2000(c[:, 0], c[:, 1], key)))
    b = reg.require("buildings")
    tree = reg.cached("building_fp_tree", lambda: shapely.STRtree(b.geometry.values))
    pos = tree.query(geometry, predicate="intersects")
    return _buildings_gdf(reg, pos)


def buildings_near(x: float, y: float, radius_m: float, *, crs: Any = "EPSG:4490",
                   registry: Registry | None = None) -> Any:
    """Buildings whose representative point is within ``radius_m`` metres of (x, y), nearest first."""
    from .coords import from_cgcs2000

    if not (radius_m > 0):
        raise InputError(f"radius_m must be positive, got {radius_m!r}")
    reg = _registry(registry)
    lon, lat, swapped = _prepare([x], [y], crs)
    if swapped[0] or not np.isfinite(lon[0]):
        return _buildings_gdf(reg, np.array([], dtype=np.int64))
    mx, my = from_cgcs2000(lon, lat, METRIC_CRS)
    idx = _building_index(reg)
    pos = idx.tree.query(shapely.Point(mx[0], my[0]).buffer(radius_m), predicate="intersects")
    d = np.hypot(idx.mx[pos] - mx[0], idx.my[pos] - my[0])
    keep = d <= radius_m
    pos, d = pos[keep], d[keep]
    order = np.argsort(d, kind="stable")
    out = reg.require("buildings").iloc[pos[order]].copy()
    out["distance_m"] = d[order]
    return out
