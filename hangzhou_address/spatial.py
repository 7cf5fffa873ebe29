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

**Strategy by size.** Building the city-wide :class:`GridIndex` costs about 2 s (12,000 grids); until it
exists, a call with fewer than :data:`LOCATE_INDEX_MIN_POINTS` points is answered by a small-batch path over the
grids (candidates from the grids' bounding boxes in coarse buckets, then the same exact test; less work than
``geopandas.sjoin``), and only a larger call builds the index. Once built, the
index answers every call. Both paths apply the same closed-polygon / smallest-code rule with the same exact
predicate (:func:`shapely.intersects_xy`), so they give the same answers (a property test checks it).

**GeoPandas input.** :func:`locate`, :func:`locate_frame`, :func:`nearest_building`,
:func:`nearest_building_frame` and :func:`buildings_within` accept a GeoSeries / GeoDataFrame and honour
its ``.crs`` (transformed to the registry's EPSG:4490). A GeoSeries **without** a CRS is an error
(:class:`~hangzhou_address.errors.CRSError`) unless ``crs=`` says what its coordinates are; a ``crs=`` that
contradicts the frame's own CRS is an error too.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
import sys
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import shapely

from .coords import parse_crs, to_cgcs2000
from .errors import CRSError, InputError, InputTypeError

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
    "nearest_building_frame",
    "NearestResult",
    "LOCATE_INDEX_MIN_POINTS",
    "buildings_within",
    "buildings_near",
    "grid_index",
]

#: local metric CRS for distances: CGCS2000 3-degree Gauss-Krüger, central meridian 120°E
METRIC_CRS = "EPSG:4549"
# city-wide sanity box for CGCS2000 lon/lat (for swapped-axis detection)
_LON_RANGE = (117.5, 121.5)
_LAT_RANGE = (28.5, 31.5)
#: below this many points (and while the registry has no GridIndex yet) ``locate`` uses the small-batch path over
#: the grids instead of building the city-wide index; measured crossover in bench/README.md
LOCATE_INDEX_MIN_POINTS = 8_000_000
_STRATEGIES = ("auto", "index", "tree")


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


def _current(reg: Registry, table: str) -> gpd.GeoDataFrame:
    """The rows of ``table`` (``grids`` / ``buildings``) that are current (``status == "active"``): after a
    re-grid or a demolition the retired rows stay in the table, but spatial answers give current codes only."""
    def build() -> gpd.GeoDataFrame:
        t = reg.require(table)
        if "status" not in t.columns:
            return t
        active = (t["status"] == "active").to_numpy()
        return t if active.all() else t[active]

    return reg.cached(f"current_{table}", build)


def grid_index(registry: Registry | None = None) -> GridIndex:
    """The registry's :class:`GridIndex` over its current grids, built on first use and cached on the registry."""
    reg = _registry(registry)
    return reg.cached("grid_index", lambda: GridIndex(_current(reg, "grids")))


class _GridTree:
    """The small-batch path of :func:`locate`: grids' bounding boxes in coarse buckets (no raster build).

    Each bucket (~1/256 of the city's extent a side) lists, in code order, the grids whose bounding box
    overlaps it. A point's candidates are its bucket's grids whose box contains it; they are tested with
    :func:`shapely.intersects_xy` (closed polygon, as :class:`GridIndex`) and the first hit — the
    smallest code — wins. No point geometries are created: building takes milliseconds.
    """

    def __init__(self, grids: gpd.GeoDataFrame, *, buckets: int = 256) -> None:
        if len(grids) == 0:
            raise InputError("cannot index an empty grids table")
        order = np.argsort(grids["code"].to_numpy(dtype=str), kind="stable")
        self.codes = grids["code"].to_numpy(dtype=object)[order]
        self.geoms = np.asarray(grids.geometry.values, dtype=object)[order]
        self.bounds = shapely.bounds(self.geoms)  # geometries are prepared when first a candidate
        minx, miny, maxx, maxy = shapely.total_bounds(self.geoms)
        self.cell = max(maxx - minx, maxy - miny, 1e-9) / buckets
        self.x0, self.y0 = float(minx), float(miny)
        self.nx = int((maxx - minx) / self.cell) + 1
        self.ny = int((maxy - miny) / self.cell) + 1
        c0, r0, c1, r1 = (self._col(self.bounds[:, 0]), self._row(self.bounds[:, 1]),
                          self._col(self.bounds[:, 2]), self._row(self.bounds[:, 3]))
        w, h = c1 - c0 + 1, r1 - r0 + 1
        grid = np.repeat(np.arange(len(self.geoms)), w * h)
        k = np.arange(len(grid)) - np.repeat(np.cumsum(w * h) - w * h, w * h)  # 0..w*h-1 within each grid
        bucket = (np.repeat(r0, w * h) + k // np.repeat(w, w * h)) * self.nx + np.repeat(c0, w * h) + k % np.repeat(w, w * h)
        order = np.lexsort((grid, bucket))  # by bucket, then code order
        self._cand = grid[order].astype(np.int32)
        self._ptr = np.searchsorted(bucket[order], np.arange(self.nx * self.ny + 1))

    def _col(self, x: np.ndarray) -> np.ndarray:
        return np.clip(((x - self.x0) / self.cell).astype(np.int64), 0, self.nx - 1)

    def _row(self, y: np.ndarray) -> np.ndarray:
        return np.clip(((y - self.y0) / self.cell).astype(np.int64), 0, self.ny - 1)

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        out = np.full(len(lon), None, dtype=object)
        with np.errstate(invalid="ignore"):
            ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat) & (lon >= self.x0) & (lat >= self.y0)
                                & (lon <= self.x0 + self.nx * self.cell) & (lat <= self.y0 + self.ny * self.cell))
        if len(ok) == 0:
            return out
        px, py = lon[ok], lat[ok]
        b = self._row(py) * self.nx + self._col(px)
        start, cnt = self._ptr[b], self._ptr[b + 1] - self._ptr[b]
        res = np.full(len(ok), -1, dtype=np.int64)
        todo = np.arange(len(ok))
        # candidates are in code order: the first hit is the smallest code (the boundary rule); test each
        # point's rank-0 candidate, then rank 1 for the unresolved, ... (bounding boxes filter first)
        for rank in range(int(cnt.max(initial=0))):
            todo = todo[cnt[todo] > rank]
            if len(todo) == 0:
                break
            g = self._cand[start[todo] + rank]
            bx = self.bounds[g]
            x, y = px[todo], py[todo]
            inbox = np.flatnonzero((bx[:, 0] <= x) & (x <= bx[:, 2]) & (bx[:, 1] <= y) & (y <= bx[:, 3]))
            if len(inbox) == 0:
                continue
            g = g[inbox]
            shapely.prepare(self.geoms[np.unique(g)])  # no-op for those prepared already
            hit = shapely.intersects_xy(self.geoms[g], x[inbox], y[inbox])
            res[todo[inbox[hit]]] = g[hit]
            keep = np.ones(len(todo), dtype=bool)
            keep[inbox[hit]] = False
            todo = todo[keep]
        found = res >= 0
        out[ok[found]] = self.codes[res[found]]
        return out


def _locate_lonlat(reg: Registry, lon: np.ndarray, lat: np.ndarray, strategy: str) -> np.ndarray:
    if strategy not in _STRATEGIES:
        raise InputError(f"strategy must be one of {_STRATEGIES}, got {strategy!r}")
    if strategy == "auto":
        built = reg.is_cached("grid_index")
        strategy = "index" if built or len(lon) >= LOCATE_INDEX_MIN_POINTS else "tree"
    if strategy == "index":
        return grid_index(reg).locate(lon, lat)
    return reg.cached("grid_tree", lambda: _GridTree(_current(reg, "grids"))).locate(lon, lat)


def _is_geo(obj: Any) -> bool:
    """True for a GeoSeries / GeoDataFrame (without importing geopandas when nobody has)."""
    if "geopandas" not in sys.modules:
        return False
    import geopandas as gpd

    return isinstance(obj, (gpd.GeoSeries, gpd.GeoDataFrame))


def _geo_crs(obj: Any, crs: Any, what: str) -> Any:
    """The CRS to read a GeoSeries / GeoDataFrame in: its own, or ``crs=`` when it has none."""
    own = obj.crs
    if own is None:
        if crs is None:
            raise CRSError(
                f"the {what} has no CRS; set it (e.g. .set_crs(4490) for CGCS2000 lon/lat, .set_crs(4326) for "
                "GPS/WGS84) or pass crs=")
        return crs
    if crs is not None and parse_crs(crs) != parse_crs(own):
        raise CRSError(f"crs={crs!r} contradicts the {what}'s own CRS {own.to_string()!r}; "
                       "drop crs= or use .to_crs() first")
    return own


def _geo_points(obj: Any, crs: Any, what: str = "GeoSeries") -> tuple[np.ndarray, np.ndarray, Any]:
    """x, y and CRS of a GeoSeries / GeoDataFrame of points (None / empty geometries give NaN)."""
    crs = _geo_crs(obj, crs, what)
    geom = np.asarray(obj.geometry.values if hasattr(obj, "geometry") else obj.values, dtype=object)
    kinds = shapely.get_type_id(geom)
    bad = (kinds != 0) & (kinds != -1)  # 0 Point, -1 missing
    if bad.any():
        names = sorted({g.geom_type for g in geom[bad]})
        raise InputError(
            f"point geometries expected, got {int(bad.sum())} {'/'.join(names)} geometries; use .centroid or "
            ".representative_point() first")
    xs = np.full(len(geom), np.nan)
    ys = np.full(len(geom), np.nan)
    ok = (kinds == 0) & ~shapely.is_empty(geom)  # getX on an empty point is a GEOS error
    xs[ok], ys[ok] = shapely.get_x(geom[ok]), shapely.get_y(geom[ok])
    return xs, ys, crs


def _xy_input(x: Any, y: Any, crs: Any, what: str) -> tuple[Any, Any, Any]:
    if _is_geo(x):
        if y is not None:
            raise InputError(f"pass either a GeoSeries / GeoDataFrame or x and y to {what}, not both")
        return _geo_points(x, crs, "GeoDataFrame" if hasattr(x, "columns") else "GeoSeries")
    if y is None:
        raise InputError(f"{what} needs x and y (or a GeoSeries / GeoDataFrame of points)")
    return x, y, crs


def _building_index(reg: Registry) -> BuildingIndex:
    return reg.cached("building_index", lambda: BuildingIndex(_current(reg, "buildings")))


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


def locate(x: Any, y: Any = None, *, crs: Any = None, registry: Registry | None = None,
           strategy: Literal["auto", "index", "tree"] = "auto") -> np.ndarray:
    """Grid code containing each point (None outside every grid, in holes, or for NaN/inf input).

    Parameters
    ----------
    x, y : float or array-like
        Longitude/latitude (or easting/northing in ``crs``). Or ``x`` a GeoSeries / GeoDataFrame of
        points and no ``y``: its ``.crs`` is honoured (one without a CRS needs ``crs=``).
    crs : str, int or pyproj.CRS, optional
        Any CRS pyproj knows, or ``'GCJ02'`` / ``'BD09'``. Default: CGCS2000 lon/lat (EPSG:4490) for
        arrays, the frame's own CRS for geopandas input.
    registry : Registry, optional
        Default: :func:`hangzhou_address.default_registry`.
    strategy : {'auto', 'index', 'tree'}
        ``'auto'`` (default) builds the city-wide :class:`GridIndex` only for calls of at least
        :data:`LOCATE_INDEX_MIN_POINTS` points (or uses it once built) and otherwise uses the small-batch
        path over the grids (no index build). Same answers either way.

    Returns
    -------
    numpy.ndarray of object
        One code (or None) per point, shape of the broadcast input (1-D), in input order.

    Raises
    ------
    CRSError
        A GeoSeries without a CRS and no ``crs=``, or a ``crs=`` contradicting the frame's own.
    InputError
        Non-point geometries, x and y of different lengths, an unknown ``strategy``.
    """
    reg = _registry(registry)
    x, y, crs = _xy_input(x, y, crs, "locate")
    lon, lat, swapped = _prepare(x, y, crs)
    codes = _locate_lonlat(reg, lon, lat, strategy)
    codes[swapped] = None
    return codes


def locate_frame(df: Any, *, x: str | None = None, y: str | None = None, crs: Any = None,
                 registry: Registry | None = None, strategy: Literal["auto", "index", "tree"] = "auto") -> Any:
    """Add grid / community / town / district codes and names to a frame of points.

    A GeoDataFrame without ``x``/``y`` uses its point geometry and CRS; the result keeps the input's
    type (a GeoDataFrame stays a GeoDataFrame; one without a CRS needs ``crs=``). Rows that cannot be
    located get ``locate_reason``: ``'missing_or_not_finite'``, ``'swapped_axes'`` or ``'outside_grids'``.
    ``strategy`` as in :func:`locate`.
    """
    import pandas as pd

    reg = _registry(registry)
    out = df.copy()
    if x is None and y is None and _is_geo(df):
        xs, ys, crs = _geo_points(df, crs, "GeoDataFrame")
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
    codes = _locate_lonlat(reg, lon, lat, strategy)
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


def nearest_building(x: Any, y: Any = None, *, max_distance_m: float | None = None, crs: Any = None,
                     registry: Registry | None = None) -> NearestResult:
    """Nearest building to each point, with the distance in metres (None / NaN beyond ``max_distance_m``).

    ``x, y`` are arrays of coordinates in ``crs`` (default CGCS2000 lon/lat), or ``x`` is a GeoSeries /
    GeoDataFrame of points whose ``.crs`` is honoured. :func:`nearest_building_frame` gives the answer as
    a GeoDataFrame, like ``geopandas.sjoin_nearest``.
    """
    from .coords import from_cgcs2000

    if max_distance_m is not None and not (max_distance_m > 0):
        raise InputError(f"max_distance_m must be positive, got {max_distance_m!r}")
    reg = _registry(registry)
    x, y, crs = _xy_input(x, y, crs, "nearest_building")
    lon, lat, swapped = _prepare(x, y, crs)
    mx, my = from_cgcs2000(lon, lat, METRIC_CRS)
    ok = np.isfinite(mx) & np.isfinite(my) & ~swapped
    codes = np.full(len(lon), None, dtype=object)
    dist = np.full(len(lon), np.nan)
    if ok.any():
        c, d = _building_index(reg).nearest(mx[ok], my[ok], max_distance_m)
        codes[ok], dist[ok] = c, d
    return NearestResult(codes, dist)


def nearest_building_frame(points: Any, *, max_distance_m: float | None = None, crs: Any = None,
                           registry: Registry | None = None, code_column: str = "building_code",
                           distance_column: str = "distance_m") -> Any:
    """The nearest building of each point as a GeoDataFrame, like ``geopandas.sjoin_nearest``.

    Parameters
    ----------
    points : GeoSeries or GeoDataFrame
        Point geometries; their ``.crs`` is honoured (one without a CRS needs ``crs=``).
    max_distance_m : float, optional
        Farther buildings are not answers: the row gets None and NaN.
    code_column, distance_column : str
        Names of the added columns (default ``building_code``, ``distance_m``, in metres).

    Returns
    -------
    geopandas.GeoDataFrame
        The input's rows, index, columns, geometry and CRS unchanged (a GeoSeries becomes the geometry
        column), one row per point in input order, plus the building code and the distance in metres.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoSeries(gpd.points_from_xy([120.1357], [30.2914]), index=["fix-1"], crs=4490)
    >>> nearest_building_frame(pts, max_distance_m=300)[["building_code", "distance_m"]].round()
                  building_code  distance_m
    fix-1  33010600700900400016       206.0
    """
    import geopandas as gpd
    import pandas as pd

    if not _is_geo(points):
        raise InputTypeError(f"points must be a GeoSeries or GeoDataFrame, got {type(points).__name__}; "
                             "for arrays of coordinates use nearest_building(x, y)")
    what = "GeoDataFrame" if isinstance(points, gpd.GeoDataFrame) else "GeoSeries"
    res = nearest_building(points, max_distance_m=max_distance_m, crs=crs, registry=registry)
    own_crs = _geo_crs(points, crs, what)
    out = points.copy() if isinstance(points, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=points.copy())
    if out.crs is None:
        out = out.set_crs(own_crs)
    for col in (code_column, distance_column):
        if col in out.columns:
            raise InputError(f"the frame already has a column {col!r}; pass code_column= / distance_column=")
    out[code_column] = pd.Series(res.codes, index=out.index, dtype=object)
    out[distance_column] = pd.Series(res.distances_m, index=out.index, dtype=float)
    return out


def _buildings_gdf(reg: Registry, positions: np.ndarray) -> Any:
    b = _current(reg, "buildings")
    return b.iloc[np.sort(positions)]


def buildings_within(geometry: Any, *, crs: Any = None, registry: Registry | None = None) -> Any:
    """Buildings whose footprint intersects ``geometry``, as a GeoDataFrame in registry order.

    ``geometry`` is a shapely geometry in ``crs`` (default CGCS2000 lon/lat), or a GeoSeries /
    GeoDataFrame whose ``.crs`` is honoured; for several areas, a building intersecting any of them is
    listed once.
    """
    reg = _registry(registry)
    if _is_geo(geometry):
        crs = _geo_crs(geometry, crs, "GeoDataFrame" if hasattr(geometry, "columns") else "GeoSeries")
        geoms = np.asarray(geometry.geometry.values if hasattr(geometry, "columns") else geometry.values,
                           dtype=object)
        geoms = geoms[~shapely.is_missing(geoms)]
    elif isinstance(geometry, shapely.Geometry):
        geoms = np.array([geometry], dtype=object)
    else:
        raise InputError(f"geometry must be a shapely geometry or a GeoSeries, got {type(geometry).__name__}")
    key = parse_crs(crs)
    if key not in ("EPSG:4490", "EPSG:4326"):
        geoms = shapely.transform(geoms, lambda c: np.column_stack(to_cgcs2000(c[:, 0], c[:, 1], key)))
    b = _current(reg, "buildings")
    tree = reg.cached("building_fp_tree", lambda: shapely.STRtree(b.geometry.values))
    _, pos = tree.query(geoms, predicate="intersects")
    return _buildings_gdf(reg, np.unique(pos))


def buildings_near(x: float, y: float, radius_m: float, *, crs: Any = None,
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
    out = _current(reg, "buildings").iloc[pos[order]].copy()
    out["distance_m"] = d[order]
    return out
