"""``hzaddr city build|info|to-postgis`` (``apply|diff|log``: :mod:`._versions`) and ``hzaddr demo`` (the README's main job)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["register", "build_city_dir"]


def register(sub: Any) -> None:
    c = sub.add_parser("city", help="build or describe a (synthetic) city directory")
    csub = c.add_subparsers(dest="city_command", metavar="ACTION")
    b = csub.add_parser("build", help="generate the SYNTHETIC city deterministically and write it as GeoParquet")
    size = b.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="full scale: ~1.35 million buildings (about a minute)")
    size.add_argument("--scale", type=float, default=None, help="fraction of the buildings (default 0.1)")
    b.add_argument("--seed", type=int, default=None, help="master seed (default 20231)")
    b.add_argument("--districts", nargs="+", metavar="CODE", help="only these district codes")
    b.add_argument("-o", "--output", required=True, type=Path, help="output directory")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=_cmd_build)
    i = csub.add_parser("info", help="summarize a city directory (default: the embedded one)")
    i.add_argument("directory", nargs="?", type=Path)
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=_cmd_info)
    from ._versions import register_city

    register_city(csub)  # apply, diff, log: versions of a city directory
    p = csub.add_parser("to-postgis", help="load a city directory into PostgreSQL + PostGIS (docs/postgis.md)")
    p.add_argument("directory", type=Path, help="the city directory")
    p.add_argument("--dsn", help="PostgreSQL connection string (default: the HZADDR_POSTGIS_DSN environment "
                                 "variable; prefer it or ~/.pgpass for the password)")
    p.add_argument("--schema", default="hangzhou_address", help="the schema to create (default hangzhou_address)")
    p.add_argument("--replace", action="store_true", help="drop and re-create the schema when it exists")
    p.set_defaults(func=_cmd_to_postgis)
    c.set_defaults(func=lambda a: (c.print_help(sys.stderr), 2)[1])

    d = sub.add_parser("demo", help="a short tour of the library on the embedded data")
    d.set_defaults(func=_cmd_demo)


def build_city_dir(output: Path, *, scale: float = 0.1, seed: int | None = None,
                   districts: list[str] | None = None, progress: bool | None = False) -> Path:
    """Generate the synthetic city and write it to ``output``; returns the manifest path.

    ``progress``: a progress bar on stderr (None: when stderr is a terminal)."""
    from ..io.city import write_city
    from ..synth import DEFAULT_SEED, build_city

    city = build_city(scale=scale, seed=DEFAULT_SEED if seed is None else seed, districts=districts,
                      progress=progress)
    return write_city(output, divisions=city.divisions, grids=city.grids, buildings=city.buildings,
                      addresses=city.addresses, lineage=city.lineage, division_areas=city.division_areas,
                      aliases=city.aliases, metadata=city.metadata)


def _cmd_build(args: argparse.Namespace) -> int:
    scale = 1.0 if args.full else (0.1 if args.scale is None else args.scale)
    t0 = time.perf_counter()
    print(f"building SYNTHETIC city (scale={scale}) ...", file=sys.stderr)
    manifest = build_city_dir(args.output, scale=scale, seed=args.seed, districts=args.districts,
                              progress=False if args.quiet else None)
    counts = json.loads(manifest.read_text(encoding="utf-8"))["counts"]
    print(f"wrote {args.output} in {time.perf_counter() - t0:.1f} s: "
          + ", ".join(f"{k}={v:,}" for k, v in counts.items()))
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from .._datapath import data_dir
    from ..io.city import read_manifest

    directory = args.directory or (data_dir() / "city")
    m = read_manifest(directory)
    if args.json:
        json.dump(m, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"{directory}: format {m['format_version']}, CRS {m['crs']}, "
          f"{'SYNTHETIC' if m['synthetic'] else 'authoritative'} data")
    for k, v in m["counts"].items():
        print(f"  {k:15s} {v:>10,}")
    meta = m.get("metadata", {})
    if meta.get("version"):
        print(f"  version {meta['version']} (from {meta.get('parent_version')}, {meta.get('version_date')}); "
              "`hzaddr city log` lists the changes")
    if "seed" in meta:
        print(f"  generator seed {meta['seed']}, scale {meta.get('scale')}")
    return 0


def _cmd_to_postgis(args: argparse.Namespace) -> int:
    import os

    from ..errors import InputError
    from ..io.city import open_city
    from ..io.postgis import DSN_ENV, safe_dsn, write_postgis

    dsn = args.dsn or os.environ.get(DSN_ENV)
    if not dsn:
        raise InputError(f"no database: pass --dsn or set {DSN_ENV}")
    t0 = time.perf_counter()
    reg = open_city(args.directory)
    counts = write_postgis(reg, dsn, schema=args.schema, replace=args.replace)
    print(f"wrote {args.directory} (version {reg.version}) to schema {args.schema} of {safe_dsn(dsn)} in "
          f"{time.perf_counter() - t0:.1f} s: " + ", ".join(f"{k}={v:,}" for k, v in counts.items()))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .. import default_registry
    from ..codes import explain

    t0 = time.perf_counter()
    reg = default_registry()
    print("hangzhou_address demo — embedded data: official NBS 2023 divisions (real) + a SYNTHETIC city")
    print(f"  registry: {reg!r}")
    g = reg.grids
    b = reg.buildings
    if g is not None and b is not None:
        print(f"  synthetic grids: {len(g):,}   synthetic buildings: {len(b):,}")
        code = str(b["code"].iloc[len(b) // 2])
        info = explain(code, registry=reg)
        chain = " / ".join(f"{lv['name'] or lv['code']}" for lv in info["levels"])
        print(f"\n1. a building code: {code}  ->  {chain}")
    print("\n2. names people write:")
    for name in ("西湖", "江干区", "崇贤"):
        hits = reg.find(name)
        shown = ", ".join(f"{d.name}({d.code}{'' if d.is_active else ', retired'})" for d in hits[:4])
        print(f"   {name!r}: {shown}")
    try:
        from ..matcher import match
    except ImportError:  # matcher not installed in this build
        match = None  # type: ignore[assignment]
    if match is not None:
        print("\n3. matching free text:")
        samples = ["浙江省杭州市江干区下沙街道", "杭州市西湖区西溪街道"]
        a = reg.addresses
        if a is not None and len(a):
            samples.append(str(a["text"].iloc[len(a) // 3]).replace("号", "號") + " 3单元1203室")
        if a is not None and len(a):
            # a pinyin-input typo in a road name: the fuzzy stage reads it (SYNTHETIC address)
            from ..synth.variants import homophones

            roads = a[a["form"] == "road"]
            for k in range(20):  # the first road whose typo reads as a typo (not another existing road)
                road = roads.iloc[(len(roads) // 7 + 97 * k) % len(roads)]
                name = str(road["road"])
                alt = next((h for h in homophones(name[0]) if h != name[0] and not h.isnumeric()), None)
                text = str(road["text"]).replace(name, (alt or "") + name[1:])
                if alt is not None and any(w.startswith("fuzzy:") for w in match(text, registry=reg).reasons):
                    samples.append(text)
                    break
        for text in samples:
            r = match(text, registry=reg)
            print(f"   {text!r} -> {r.code} [{r.level}, confidence {r.confidence:.3f}]")
            for why in r.reasons:
                if why.startswith("fuzzy:"):
                    print(f"      {why}")
    try:
        from ..spatial import locate
    except ImportError:
        locate = None  # type: ignore[assignment]
    if locate is not None and b is not None:
        x, y = float(b["x"].iloc[0]), float(b["y"].iloc[0])
        print(f"\n4. which grid contains ({x:.5f}, {y:.5f})? -> {locate(x, y, registry=reg)[0]}")
    print(f"\ndone in {time.perf_counter() - t0:.1f} s")
    return 0
