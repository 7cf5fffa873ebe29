"""SYNTHETIC geometry: district, town, community and grid polygons that tile Hangzhou.

Everything is computed in a local planar frame in kilometres (``km_x = (lon - 120) * KX``,
``km_y = (lat - 30) * KY``) and converted to lon/lat (EPSG:4490) at the end; the transform is affine,
so tilings stay exact.

* The city outline is a hand-drawn polygon roughly following Hangzhou's real border.
* Districts are cells of a power diagram (seeds at the districts' real centroids, weights tuned so
  areas approach the real ones), rasterized at ``DISTRICT_CELL_KM`` and clipped to the outline
  (so district borders are staircases — one more sign that the geometry is synthetic).
* Towns tile districts, communities tile towns and grids tile communities, each as a clipped,
  Lloyd-relaxed Voronoi diagram with as many cells as the level below has members.

No gaps and no overlaps at any level, up to floating-point noise (``tests/test_synth.py``).
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon

__all__ = [
    "KX",
    "KY",
    "to_lonlat",
    "to_km",
    "city_outline_km",
    "district_polygons",
    "tile",
    "rng_for",
    "DISTRICTS",
]

LON0, LAT0 = 120.0, 30.0
KX = 111.320 * math.cos(math.radians(LAT0))  # km per degree of longitude at 30°N
KY = 110.852  # km per degree of latitude at 30°N
DISTRICT_CELL_KM = 0.5

#: code -> (real centroid lon, lat, real area km² after the 2021 reorganization, urban?)
DISTRICTS: dict[str, tuple[float, float, float, bool]] = {
    "330102": (120.215, 30.280, 122, True),  # 上城区
    "330105": (120.140, 30.330, 119, True),  # 拱墅区
    "330106": (120.080, 30.215, 309, True),  # 西湖区
    "330108": (120.195, 30.190, 72, True),  # 滨江区
    "330109": (120.300, 30.100, 1000, False),  # 萧山区
    "330110": (119.960, 30.380, 942, False),  # 余杭区
    "330111": (119.920, 29.980, 1821, False),  # 富阳区
    "330112": (119.450, 30.220, 3119, False),  # 临安区
    "330113": (120.290, 30.420, 286, False),  # 临平区
    "330114": (120.470, 30.300, 531, False),  # 钱塘区
    "330122": (119.640, 29.800, 1825, False),  # 桐庐县
    "330127": (118.900, 29.600, 4427, False),  # 淳安县
    "330182": (119.330, 29.470, 2321, False),  # 建德市
}

# rough outline of Hangzhou (lon, lat), counter-clockwise from the west
_OUTLINE_LONLAT = [
    (118.35, 29.62), (118.50, 29.95), (118.80, 30.20), (119.05, 30.38), (119.35, 30.45),
    (119.65, 30.52), (119.95, 30.57), (120.25, 30.56), (120.45, 30.45), (120.68, 30.38),
    (120.72, 30.22), (120.58, 30.05), (120.38, 29.95), (120.15, 29.85), (119.95, 29.70),
    (119.75, 29.55), (119.55, 29.33), (119.30, 29.20), (118.95, 29.19), (118.62, 29.32),
]


def to_km(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (np.asarray(lon) - LON0) * KX, (np.asarray(lat) - LAT0) * KY


def to_lonlat(geom_or_x, y=None):
    """Convert km-frame geometries (or x, y arrays) to lon/lat."""
    if y is not None:
        return np.asarray(geom_or_x) / KX + LON0, np.asarray(y) / KY + LAT0
    return shapely.transform(geom_or_x, lambda c: np.column_stack([c[:, 0] / KX + LON0, c[:, 1] / KY + LAT0]))


def rng_for(seed: int, *parts: object) -> np.random.Generator:
    """A generator seeded from ``seed`` and a key (e.g. a division code): independent per key."""
    h = hashlib.sha256(("|".join([str(seed), *map(str, parts)])).encode()).digest()
    return np.random.default_rng(int.from_bytes(h[:8], "little"))


def city_outline_km() -> Polygon:
    lon, lat = np.array(_OUTLINE_LONLAT).T
    x, y = to_km(lon, lat)
    return Polygon(np.column_stack([x, y]))


def district_polygons(codes: list[str], *, seed: int) -> dict[str, shapely.Geometry]:
    """Power-diagram districts (km frame) with areas tuned towards the real ones."""
    outline = city_outline_km()
    minx, miny, maxx, maxy = outline.bounds
    step = DISTRICT_CELL_KM
    nx = int(math.ceil((maxx - minx) / step))
    ny = int(math.ceil((maxy - miny) / step))
    xs = minx + (np.arange(nx) + 0.5) * step
    ys = miny + (np.arange(ny) + 0.5) * step
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(outline, gx, gy)
    cx, cy = to_km(np.array([DISTRICTS[c][0] for c in codes]), np.array([DISTRICTS[c][1] for c in codes]))
    target = np.array([DISTRICTS[c][2] for c in codes], dtype=float)
    target = target / target.sum() * inside.sum()  # in cells
    weights = np.zeros(len(codes))
    d2 = (gx[..., None] - cx) ** 2 + (gy[..., None] - cy) ** 2
    for _ in range(200):
        owner = np.argmin(d2 - weights, axis=-1)
        counts = np.bincount(owner[inside], minlength=len(codes))
        err = target - counts
        if np.abs(err / target).max() < 0.03:
            break
        weights += 4.0 * err / np.sqrt(target) * step
    owner = np.argmin(d2 - weights, axis=-1)
    out: dict[str, shapely.Geometry] = {}
    x_edges = minx + np.arange(nx + 1) * step
    y_edges = miny + np.arange(ny + 1) * step
    for k, code in enumerate(codes):
        boxes = []
        for j in range(ny):
            row = owner[j] == k
            if not row.any():
                continue
            # runs of consecutive cells
            padded = np.concatenate([[False], row, [False]])
            starts = np.flatnonzero(~padded[:-1] & padded[1:])
            ends = np.flatnonzero(padded[:-1] & ~padded[1:])
            boxes.extend(shapely.box(x_edges[starts], y_edges[j], x_edges[ends], y_edges[j + 1]))
        region = shapely.union_all(boxes)
        out[code] = _clean(shapely.intersection(region, outline))
    return out


def _clean(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only polygonal parts (intersections can produce stray lines/points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _sample_points(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = poly.bounds
    pts = np.empty((0, 2))
    prepared = poly
    shapely.prepare(prepared)
    tries = 0
    while len(pts) < n and tries < 50:
        m = max(4 * n, 64)
        cand = np.column_stack([rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)])
        ok = shapely.contains_xy(prepared, cand[:, 0], cand[:, 1])
        pts = np.vstack([pts, cand[ok]])
        tries += 1
    if len(pts) < n:  # degenerate sliver: fall back to points on the surface
        rp = shapely.get_coordinates(shapely.point_on_surface(poly))
        pts = np.vstack([pts, np.repeat(rp, n - len(pts), axis=0) + rng.normal(0, 1e-6, (n - len(pts), 2))])
    return pts[:n]


def tile(parent: shapely.Geometry, n: int, rng: np.random.Generator, *, lloyd: int = 3,
         weights: np.ndarray | None = None) -> list[shapely.Geometry]:
    """Split ``parent`` into ``n`` polygons (clipped Voronoi, Lloyd-relaxed); exact tiling.

    Returned cells are in arbitrary order; every cell is non-empty.
    """
    if n <= 1:
        return [parent]
    seeds = _sample_points(parent, n, rng)
    env = parent.envelope.buffer(1.0)
    cells: list[shapely.Geometry] = []
    for it in range(lloyd + 1):
        vor = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=env)
        raw = list(shapely.get_parts(vor))
        clipped = [_clean(shapely.intersection(c, parent)) for c in raw]
        clipped = [c for c in clipped if not c.is_empty and c.area > 0]
        cells = clipped
        if it == lloyd:
            break
        cents = shapely.get_coordinates(shapely.centroid(cells))
        if len(cents) != n:
            break
        inside = shapely.contains_xy(parent, cents[:, 0], cents[:, 1])
        seeds = np.where(inside[:, None], cents, seeds[: len(cents)])
        seeds = seeds + rng.normal(0, 1e-7, seeds.shape)  # no coincident seeds
    if len(cells) < n:
        # a seed fell outside the clipped parent: split the largest cells until we have n
        cells = sorted(cells, key=lambda g: -g.area)
        while len(cells) < n:
            big = cells.pop(0)
            cells.extend(tile(big, 2, rng, lloyd=1))
            cells.sort(key=lambda g: -g.area)
    elif len(cells) > n:
        # merge the smallest cells into a neighbour until we have n
        cells = sorted(cells, key=lambda g: g.area)
        while len(cells) > n:
            small = cells.pop(0)
            j = max(range(len(cells)), key=lambda i: shapely.intersection(cells[i].boundary, small.boundary).length)
            cells[j] = shapely.union(cells[j], small)
    return cells
