"""SYNTHETIC addresses for synthetic buildings, in the forms Hangzhou writes them.

* ``road``: road + door number (``文三路90号``). Each town gets straight east–west and north–south
  roads (real names mined from the corpus for that town/district first, generated ones after).
  A road crosses every community of the town it runs through. Door numbers follow the road: on
  east–west roads they grow west → east, odd numbers on the north side and even on the south; on
  north–south roads they grow north → south, odd on the west side, even on the east.
  Commercial, public, industrial and mixed buildings always get a road address; others when they
  stand within ``ROAD_REACH_KM`` of a road.
* ``compound``: residential compound (小区) + building number (``翠苑一区3幢``) for residential
  buildings of urban communities; one compound per grid, buildings numbered in the grid's order.
* ``village``: village + group (组) + house number (``和顺村5组971号``) for every building of a
  village (村) community; the group is the grid number, house numbers run through the village.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .geometry import rng_for

__all__ = ["make_addresses", "ROAD_REACH_KM"]

ROAD_REACH_KM = 0.10


def _name_pool(keys: list[str], mined: dict, kind: str) -> list[str]:
    out: list[str] = []
    for k in keys:
        for n in mined.get(k, {}).get(kind, []):
            if n not in out:
                out.append(n)
    return out


def make_addresses(buildings, bx_km, by_km, grids, grid_geoms_km, names, mined, is_village, *, seed):
    from .city import PLACE_ROADS, SHARED_COMPOUNDS, _COMPOUND_SUFFIX, _ROAD_SUFFIX, _gen_names

    codes = buildings["code"].to_numpy()
    gcode = buildings["grid_code"].to_numpy()
    use = buildings["use"].to_numpy()
    bnum = buildings["number"].to_numpy()
    town = np.array([g[:9] for g in gcode], dtype=object)
    comm = np.array([g[:12] for g in gcode], dtype=object)
    frames = []

    # ------------------------------------------------------------------ roads, per town
    used_roads: dict[str, set[str]] = {}
    road_of = np.full(len(codes), None, dtype=object)
    roadno = np.zeros(len(codes), dtype=np.int64)
    for t in sorted(set(town)):
        idx = np.flatnonzero(town == t)
        d = t[:6]
        rng = rng_for(seed, "roads", t)
        x, y = bx_km[idx], by_km[idx]
        n_roads = int(np.clip(round(np.sqrt(len(idx)) / 5), 2, 10))
        taken = used_roads.setdefault(d, set())
        pool = [r for r in PLACE_ROADS.get(d, []) if r not in taken]
        pool += [r for r in _name_pool([t, d], mined, "roads") if r not in taken and r not in pool]
        chosen = pool[:n_roads]
        taken.update(chosen)
        if len(chosen) < n_roads:
            every = set().union(*used_roads.values())
            chosen += _gen_names(rng, n_roads - len(chosen), _ROAD_SUFFIX, every)
            taken.update(chosen)
        n_ew = (n_roads + 1) // 2
        n_ns = n_roads - n_ew
        ys = np.quantile(y, (np.arange(n_ew) + 0.5) / n_ew) + rng.normal(0, 0.01, n_ew)
        xs = np.quantile(x, (np.arange(n_ns) + 0.5) / max(n_ns, 1)) + rng.normal(0, 0.01, n_ns) if n_ns else []
        dist = np.column_stack([np.abs(y[:, None] - ys[None, :])] + ([np.abs(x[:, None] - np.asarray(xs)[None, :])]
                                                                    if n_ns else []))
        nearest = np.argmin(dist, axis=1)
        dmin = dist[np.arange(len(idx)), nearest]
        gets = (dmin < ROAD_REACH_KM) | (use[idx] != "residential")
        for r in range(n_roads):
            sel = np.flatnonzero(gets & (nearest == r))
            if len(sel) == 0:
                continue
            if r < n_ew:
                pos, odd = x[sel], y[sel] > ys[r]
            else:
                pos, odd = -y[sel], x[sel] < xs[r - n_ew]
            for side_odd in (True, False):
                s = sel[odd == side_odd]
                order = s[np.argsort(pos[odd == side_odd], kind="stable")]
                k = np.arange(len(order))
                roadno[idx[order]] = 2 * k + (1 if side_odd else 2)
                road_of[idx[order]] = chosen[r]
    has_road = road_of != None  # noqa: E711
    frames.append(pd.DataFrame({"building_code": codes[has_road], "form": "road", "road": road_of[has_road],
                                "roadno": roadno[has_road], "poi": None, "houseno": None, "group": None}))

    # ------------------------------------------------------------------ compounds, per urban grid
    res_urban = (~is_village) & (use == "residential")
    compound_of: dict[str, str] = {}
    used_compounds: dict[str, set[str]] = {}
    for g in sorted(set(gcode[res_urban])):
        d = g[:6]
        taken = used_compounds.setdefault(d, set())
        pool = [c for c in _name_pool([g[:9], d], mined, "compounds") if c not in taken]
        shared = [n for n, ds in SHARED_COMPOUNDS.items() if d in ds and n not in taken]
        if shared:
            name = shared[0]
        elif pool:
            name = pool[0]
        else:
            every = set().union(*used_compounds.values()) | set(SHARED_COMPOUNDS)
            name = _gen_names(rng_for(seed, "compound", g), 1, _COMPOUND_SUFFIX, every)[0]
        taken.add(name)
        compound_of[g] = name
    sel = np.flatnonzero(res_urban)
    comp_grid = gcode[sel]
    # houseno: rank of the residential building inside its grid (buildings are already in grid order)
    houseno = pd.Series(np.ones(len(sel), dtype=np.int64)).groupby(comp_grid).cumsum().to_numpy()
    frames.append(pd.DataFrame({"building_code": codes[sel], "form": "compound", "road": None, "roadno": None,
                                "poi": [compound_of[g] for g in comp_grid], "houseno": houseno, "group": None}))

    # ------------------------------------------------------------------ villages
    sel = np.flatnonzero(is_village)
    if len(sel):
        from ..names import name_variants

        vname = {c: next((v.text for v in name_variants(names[c], "community") if v.kind == "full"), names[c])
                 for c in set(comm[sel])}
        group = np.array([int(g[12:15]) for g in gcode[sel]], dtype=np.int64)
        order = np.lexsort((bnum[sel], group, comm[sel]))
        sel, group = sel[order], group[order]
        num = pd.Series(np.ones(len(sel), dtype=np.int64)).groupby(comm[sel]).cumsum().to_numpy()
        frames.append(pd.DataFrame({"building_code": codes[sel], "form": "village", "road": None, "roadno": None,
                                    "poi": [vname[c] for c in comm[sel]], "houseno": num, "group": group}))

    addr = pd.concat(frames, ignore_index=True)
    bc = addr["building_code"].to_numpy()
    addr.insert(2, "district_code", [b[:6] for b in bc])
    addr.insert(3, "town_code", [b[:9] for b in bc])
    addr.insert(4, "community_code", [b[:12] for b in bc])
    for col in ("road", "poi"):
        addr[col] = addr[col].astype(object)
    for col in ("roadno", "houseno", "group"):
        addr[col] = pd.array(addr[col], dtype="Int64")
    prefix = [names[d] + names[t] for d, t in zip(addr["district_code"], addr["town_code"])]
    form = addr["form"].to_numpy()
    tail = np.where(
        form == "road",
        addr["road"].fillna("").astype(str) + addr["roadno"].astype(str) + "号",
        np.where(
            form == "compound",
            addr["poi"].fillna("").astype(str) + addr["houseno"].astype(str) + "幢",
            addr["poi"].fillna("").astype(str) + addr["group"].astype(str) + "组" + addr["houseno"].astype(str) + "号",
        ),
    )
    addr["text"] = [p + s for p, s in zip(prefix, tail)]
    # primary: road for non-residential buildings, else compound / village
    rank = {"road": 1, "compound": 0, "village": 0}
    use_of = dict(zip(codes, use))
    pri_rank = np.array([rank[f] if use_of[b] == "residential" else 1 - rank[f] for b, f in zip(bc, form)])
    addr["_r"] = pri_rank
    addr = addr.sort_values(["building_code", "_r", "form"], kind="stable", ascending=[True, True, True])
    addr["primary"] = ~addr["building_code"].duplicated()
    addr = addr.drop(columns="_r").reset_index(drop=True)
    cols = ["building_code", "form", "primary", "district_code", "town_code", "community_code", "road", "roadno",
            "poi", "houseno", "group", "text"]
    return addr[cols]
