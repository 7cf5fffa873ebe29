"""Build a whole SYNTHETIC Hangzhou: division areas, grids, buildings, their addresses and aliases.

The official divisions (13 districts, 196 towns, 3,320 communities) are real; everything below
them is invented, deterministically from ``seed``: the same seed and scale always give identical
tables. Per-division random streams (:func:`~hangzhou_address.synth.geometry.rng_for`) make a
district's output independent of the others, so building a subset (``districts=``) gives the same
rows as the full build for those districts.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from .._datapath import data_dir
from ..codes import make_building_codes
from .geometry import DISTRICTS, district_polygons, rng_for, tile, to_lonlat

__all__ = ["CityTables", "build_city", "GRID_ROW_BAND_DEG", "BUILDING_ROW_BAND_DEG", "order_key",
           "DEFAULT_SEED", "FULL_BUILDINGS"]

DEFAULT_SEED = 20231
FULL_BUILDINGS = 1_350_000
TARGET_GRIDS = 12_000
#: numbering rule: rows of this height (degrees of latitude) from north to south, then west to east
GRID_ROW_BAND_DEG = 0.005
BUILDING_ROW_BAND_DEG = 0.0005
_TOP_LAT = 31.0

_USES = np.array(["residential", "commercial", "industrial", "public", "mixed"], dtype=object)
_INDUSTRIAL_DISTRICTS = {"330109", "330110", "330113", "330114"}

_STEMS = list("文学建兴江湖山塘桥新华民康安平和丰庆东西南北长春秋金银玉凤龙云星明光荣德福泰宁盛昌茂")
_ROAD_SUFFIX = ["路", "路", "路", "街", "大道"]
_COMPOUND_SUFFIX = ["花园", "家园", "苑", "小区", "公寓", "新村", "雅苑", "华庭"]

#: deliberate ambiguities (also listed in the manifest): a compound name used in two districts
SHARED_COMPOUNDS = {"阳光花园": ("330106", "330109"), "金色家园": ("330105", "330110"), "丽景苑": ("330102", "330111")}
#: roads named after places, placed on purpose in districts where the place is not
PLACE_ROADS = {"330106": ["天目山路", "西溪路"], "330113": ["崇贤路"]}


@dataclass(frozen=True)
class CityTables:
    """The tables of a generated city (see ``docs/data-model.md``). All below-community rows are synthetic."""

    divisions: pd.DataFrame
    lineage: pd.DataFrame
    division_areas: Any  # GeoDataFrame
    grids: Any  # GeoDataFrame
    buildings: Any  # GeoDataFrame
    addresses: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)
    #: other names of roads and compounds (former / short / developer's), also synthetic
    aliases: pd.DataFrame = field(default_factory=lambda: _empty_aliases())


def _empty_aliases() -> pd.DataFrame:
    from .aliases import empty_aliases

    return empty_aliases()


def _load_mined() -> dict[str, dict[str, list[str]]]:
    path = data_dir() / "synth" / "corpus_names.json"
    return json.loads(path.read_text(encoding="utf-8"))["names"]


def order_key(x: np.ndarray, y: np.ndarray, band: float) -> np.ndarray:
    """Numbering order: row bands of ``band`` degrees north→south, then west→east (lexsort keys)."""
    row = np.floor((_TOP_LAT - np.asarray(y)) / band)
    return np.lexsort((np.asarray(x), row))


def build_city(
    divisions: pd.DataFrame | None = None,
    lineage: pd.DataFrame | None = None,
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    districts: list[str] | None = None,
    progress: bool | None = False,
) -> CityTables:
    """Generate the synthetic city.

    Parameters
    ----------
    divisions, lineage : DataFrame, optional
        Official divisions (default: the embedded NBS 2023 list with retired 2020 rows).
    scale : float
        Fraction of the ~1.35 million buildings to generate (grids are always generated in full).
    seed : int
        Master seed; every random stream derives from it and a division code.
    districts : list of str, optional
        Only generate these district codes (fast builds for tests); results for them are identical
        to a full build.
    progress : bool, optional
        A progress bar on stderr (one step per district, then buildings and aliases); None: when stderr
        is a terminal. Default off.
    """
    import geopandas as gpd

    from .._progress import progress_bar

    if divisions is None:
        from ..io.embedded import load_official_divisions

        divisions, lineage = load_official_divisions()
    if not 0 < scale <= 1.0:
        from ..errors import InputError

        raise InputError(f"scale must be in (0, 1], got {scale!r}")
    active = divisions[divisions["status"] == "active"]
    names = dict(zip(active["code"], active["name"]))
    towns_of: dict[str, list[str]] = {}
    comms_of: dict[str, list[str]] = {}
    for c, p, lv in zip(active["code"], active["parent_code"], active["level"]):
        if lv == "town":
            towns_of.setdefault(p, []).append(c)
        elif lv == "community":
            comms_of.setdefault(p, []).append(c)
    all_districts = sorted(DISTRICTS)
    dpolys = district_polygons(all_districts, seed=seed)
    chosen = sorted(districts) if districts else all_districts
    mined = _load_mined()

    # ---------------------------------------------------------------- households -> grid counts
    # community households: urban communities are bigger; calibrate grids to TARGET_GRIDS
    hh: dict[str, int] = {}
    for d in all_districts:
        urban = DISTRICTS[d][3]
        for t in sorted(towns_of.get(d, [])):
            street = names[t].endswith("街道")
            for c in sorted(comms_of.get(t, [])):
                village = "村" in names[c][-6:] and ("村委" in names[c] or "村民" in names[c] or names[c].endswith("村"))
                r = rng_for(seed, "hh", c)
                base = 2600 if (urban or street) and not village else 900
                hh[c] = int(base * math.exp(r.normal(0, 0.35)))
    total_grids_raw = sum(h / 450 for h in hh.values())
    grid_factor = TARGET_GRIDS / total_grids_raw
    n_grids = {c: int(min(40, max(1, round(h / 450 * grid_factor)))) for c, h in hh.items()}

    area_rows, grid_rows = [], []
    bar = progress_bar(total=len(chosen) + 2, desc="build city", unit="step", enabled=progress)
    for d in chosen:
        bar.set_postfix_str(f"grids of {d}", refresh=False)
        bar.update(1)
        area_rows.append((d, "district", dpolys[d]))
        towns = sorted(towns_of.get(d, []))
        tcells = tile(dpolys[d], len(towns), rng_for(seed, "towns", d))
        tcells = _assign_in_order(tcells, towns)
        for t, tpoly in zip(towns, tcells):
            area_rows.append((t, "town", tpoly))
            comms = sorted(comms_of.get(t, []))
            ccells = _assign_in_order(tile(tpoly, len(comms), rng_for(seed, "comms", t)), comms)
            for c, cpoly in zip(comms, ccells):
                area_rows.append((c, "community", cpoly))
                gcells = tile(cpoly, n_grids[c], rng_for(seed, "grids", c), lloyd=2)
                cent = shapely.get_coordinates(shapely.centroid(gcells))
                lon, lat = to_lonlat(cent[:, 0], cent[:, 1])
                order = order_key(lon, lat, GRID_ROW_BAND_DEG)
                for k, i in enumerate(order, start=1):
                    grid_rows.append((f"{c}{k:03d}", c, k, gcells[i], hh[c] // n_grids[c]))

    area_codes = [r[0] for r in area_rows]
    division_areas = gpd.GeoDataFrame(
        {"code": area_codes, "level": [r[1] for r in area_rows], "name": [names[c] for c in area_codes],
         "synthetic": True},
        geometry=to_lonlat(np.array([r[2] for r in area_rows], dtype=object)), crs="EPSG:4490",
    )
    gcodes = [r[0] for r in grid_rows]
    grid_geoms_km = np.array([r[3] for r in grid_rows], dtype=object)
    grids = gpd.GeoDataFrame(
        {
            "code": gcodes,
            "community_code": [r[1] for r in grid_rows],
            "number": np.array([r[2] for r in grid_rows], dtype=np.int32),
            "name": [f"{_short_comm(names[r[1]])}第{r[2]}网格" for r in grid_rows],
            "households": np.array([r[4] for r in grid_rows], dtype=np.int32),
            "status": "active",
            "valid_from": "2023-07-01",
            "valid_to": None,
            "synthetic": True,
        },
        geometry=to_lonlat(grid_geoms_km),
        crs="EPSG:4490",
    )
    grids["valid_to"] = grids["valid_to"].astype(object)

    bar.set_postfix_str("buildings and addresses")
    buildings, addresses = _buildings_and_addresses(
        grids, grid_geoms_km, names, mined, hh, n_grids, scale=scale, seed=seed, all_grid_factor=grid_factor
    )
    bar.update(1)
    from .aliases import make_aliases

    bar.set_postfix_str("aliases")
    aliases = make_aliases(addresses, seed=seed)
    bar.update(1)
    bar.close()
    metadata = {
        "synthetic": True,
        "generator": "hangzhou_address.synth",
        "seed": seed,
        "scale": scale,
        "districts": chosen,
        "created": "2023-07-01",
        "note": "Divisions are real (NBS 2023); district/town/community polygons, grids, buildings, "
        "addresses and aliases are SYNTHETIC, generated deterministically. Do not use them as facts about Hangzhou.",
        "ambiguities": {
            "shared_compounds": {k: list(v) for k, v in SHARED_COMPOUNDS.items()},
            "place_named_roads": PLACE_ROADS,
            "town_and_village_same_name": ["崇贤街道 / 崇贤村 (real NBS names)"],
        },
    }
    if lineage is None:
        lineage = pd.DataFrame({"old_code": [], "new_code": [], "date": [], "reason": []}, dtype=object)
    return CityTables(divisions, lineage, division_areas, grids, buildings, addresses, metadata, aliases)


def _short_comm(name: str) -> str:
    from ..names import name_variants

    variants = name_variants(name, "community")
    full = [v.text for v in variants if v.kind == "full"]
    return full[0] if full and name.endswith(("委会", "委员会")) else name


def _assign_in_order(cells: list, codes: list[str]) -> list:
    """Give codes to cells in numbering order (north→south, west→east), so low codes sit north-west."""
    cent = shapely.get_coordinates(shapely.centroid(cells))
    order = np.lexsort((cent[:, 0], -np.round(cent[:, 1], 0)))
    return [cells[i] for i in order][: len(codes)]


def _gen_names(rng: np.random.Generator, n: int, suffixes: list[str], taken: set[str]) -> list[str]:
    out = []
    while len(out) < n:
        a, b = rng.choice(len(_STEMS), 2, replace=False)
        name = _STEMS[a] + _STEMS[b] + suffixes[rng.integers(len(suffixes))]
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def _buildings_and_addresses(grids, grid_geoms_km, names, mined, hh, n_grids, *, scale, seed, all_grid_factor):
    import geopandas as gpd

    comm_codes = grids["community_code"].to_numpy()
    # building counts per grid: urban ~ households / (floors*units*2); rural ~ one house per household
    village = {c: ("村委" in names[c] or "村民" in names[c] or names[c].endswith("村")) for c in set(comm_codes)}
    raw = np.array(
        [(h * 0.8 if village[c] else h / 14.0) for c, h in zip(comm_codes, grids["households"])], dtype=float
    )
    # calibrate on the FULL city (all 12k grids) so subsets keep the same per-grid counts
    full_raw = sum((hh[c] * 0.8 if ("村委" in _n or "村民" in _n or _n.endswith("村")) else hh[c] / 14.0)
                   for c, _n in ((c, names[c]) for c in hh))
    # 1.07: about 7% of lattice points/footprints do not fit inside their grid and are dropped
    factor = FULL_BUILDINGS / full_raw * scale * 1.07
    counts = np.maximum(1, np.round(raw * factor)).astype(int)

    bx, by, bgrid, bnum, fps = [], [], [], [], []
    for i, (gcode, geom) in enumerate(zip(grids["code"], grid_geoms_km)):
        n = int(counts[i])
        rng = rng_for(seed, "bld", gcode, scale)
        pts, half = _lattice(geom, n, rng)
        if len(pts) == 0:
            continue
        lon, lat = to_lonlat(pts[:, 0], pts[:, 1])
        order = order_key(lon, lat, BUILDING_ROW_BAND_DEG)
        pts = pts[order]
        w = half * rng.uniform(0.55, 0.95, len(pts))
        h = half * rng.uniform(0.45, 0.9, len(pts))
        fp = shapely.box(pts[:, 0] - w, pts[:, 1] - h, pts[:, 0] + w, pts[:, 1] + h)
        ok = shapely.contains(geom, fp)
        pts, fp = pts[ok], fp[ok]
        m = len(pts)
        bx.append(pts[:, 0])
        by.append(pts[:, 1])
        bgrid.append(np.full(m, gcode, dtype=object))
        bnum.append(np.arange(1, m + 1))
        fps.append(fp)
    bx_km = np.concatenate(bx)
    by_km = np.concatenate(by)
    lon, lat = to_lonlat(bx_km, by_km)
    grid_code = np.concatenate(bgrid)
    number = np.concatenate(bnum).astype(np.int32)
    codes = make_building_codes(grid_code.astype(str), number)
    n_b = len(codes)
    comm = np.array([g[:12] for g in grid_code], dtype=object)
    is_village = np.array([village[c] for c in comm])
    district = np.array([c[:6] for c in comm], dtype=object)
    rng = rng_for(seed, "attrs", scale)
    industrial_d = np.isin(district, list(_INDUSTRIAL_DISTRICTS))
    p_urban = np.array([0.72, 0.12, 0.04, 0.06, 0.06])
    p_ind = np.array([0.6, 0.1, 0.2, 0.05, 0.05])
    p_rural = np.array([0.92, 0.03, 0.02, 0.02, 0.01])
    u = rng.random(n_b)
    use_idx = np.where(
        is_village,
        np.searchsorted(np.cumsum(p_rural), u),
        np.where(industrial_d, np.searchsorted(np.cumsum(p_ind), u), np.searchsorted(np.cumsum(p_urban), u)),
    )
    use = _USES[np.minimum(use_idx, 4)]
    floors = np.where(is_village, rng.integers(2, 5, n_b), rng.integers(5, 34, n_b)).astype(np.int16)
    units = np.where(is_village | (use != "residential"), 1, rng.integers(1, 5, n_b)).astype(np.int16)
    households = np.where(use == "residential", np.where(is_village, 1, floors * units * 2), 0).astype(np.int32)
    buildings = gpd.GeoDataFrame(
        {
            "code": codes,
            "grid_code": grid_code,
            "number": number,
            "use": use,
            "floors": floors,
            "units": units,
            "households": households,
            "x": lon,
            "y": lat,
            "status": "active",
            "valid_from": "2023-07-01",
            "valid_to": pd.Series([None] * n_b, dtype=object),
            "synthetic": True,
        },
        geometry=to_lonlat(np.concatenate(fps)),
        crs="EPSG:4490",
    )
    from .addresses import make_addresses

    addresses = make_addresses(buildings, bx_km, by_km, grids, grid_geoms_km, names, mined, is_village, seed=seed)
    return buildings, addresses


def _lattice(geom, n: int, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Up to ``n`` jittered lattice points inside ``geom`` and the half-size of their cells (km)."""
    area = geom.area
    s = math.sqrt(area * 0.6 / n)
    s = min(max(s, 0.012), 0.25)
    minx, miny, maxx, maxy = geom.bounds
    for _ in range(4):
        xs = np.arange(minx + s / 2, maxx, s)
        ys = np.arange(maxy - s / 2, miny, -s)
        gx, gy = np.meshgrid(xs, ys)
        gx = gx.ravel() + rng.uniform(-0.15, 0.15, gx.size) * s
        gy = gy.ravel() + rng.uniform(-0.15, 0.15, gy.size) * s
        ok = shapely.contains_xy(geom, gx, gy)
        if ok.sum() >= n or s <= 0.012:
            break
        s *= 0.75
    pts = np.column_stack([gx[ok], gy[ok]])
    if len(pts) > n:
        keep = np.sort(rng.choice(len(pts), n, replace=False))
        pts = pts[keep]
    half = s * 0.32
    half = min(half, 0.03)
    return pts, half
