"""``hzaddr locate``: which grid contains a point (single point or a CSV of points)."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(sub: Any) -> None:
    from ._registry import add_city_option

    p = sub.add_parser("locate", help="which grid / community / town / district contains a point")
    p.add_argument("lon", nargs="?", type=float, help="longitude (or easting in --crs)")
    p.add_argument("lat", nargs="?", type=float, help="latitude (or northing in --crs)")
    p.add_argument("--crs", default="EPSG:4490", help="EPSG:4326, 4490, 4549, 3857, GCJ02, BD09 ... (default 4490)")
    p.add_argument("--input", type=Path, help="ledger of points (.csv in UTF-8/GBK, .xlsx, .parquet)")
    p.add_argument("--x", default="lon", help="x / longitude column of --input (default lon)")
    p.add_argument("--y", default="lat", help="y / latitude column of --input (default lat)")
    p.add_argument("-o", "--output", type=Path,
                   help="output CSV, UTF-8 with a BOM as normalize writes it (atomically); default stdout")
    p.add_argument("--json", action="store_true", help="JSON output for a single point")
    p.add_argument("--raw-cells", action="store_true",
                   help="write CSV cells as they are (default: a leading ' on cells a spreadsheet runs as formulas)")
    add_city_option(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_locate)


def _cmd_locate(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..spatial import SwappedAxesWarning, locate_frame
    from ._registry import open_registry

    if args.input is None and (args.lon is None or args.lat is None):
        print("hzaddr: error: give LON LAT, or --input points.csv", file=sys.stderr)
        return 2
    if args.input is not None:
        from ..io._atomic import check_outputs
        from ._ledger import _read_table
        from ._registry import city_inputs

        check_outputs({"--input": args.input, **city_inputs(args.city)}, {"-o/--output": args.output})

        df = _read_table(args.input, progress=False if args.quiet else None)
    else:
        df = pd.DataFrame({args.x: [str(args.lon)], args.y: [str(args.lat)]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SwappedAxesWarning)
        out = locate_frame(df, x=args.x, y=args.y, crs=args.crs, registry=open_registry(args.city))
    for w in caught:
        print(f"hzaddr: warning: {w.message}", file=sys.stderr)
    failed = int(out["grid_code"].isna().sum())
    if args.input is None and args.output is None:
        row = out.iloc[0].to_dict()
        if args.json:
            json.dump({k: (None if pd.isna(v) else v) for k, v in row.items()}, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        elif row["grid_code"] is None:
            print(f"not located: {row['locate_reason']}")
        else:
            print(f"{row['grid_code']}  {row['district_name']} / {row['town_name']} / {row['community_name']} / "
                  f"{row['grid_name']}")
        return 0 if failed == 0 else 1
    from ..io.ledger_write import write_csv_chunk

    if args.output is None:
        write_csv_chunk(sys.stdout, out, header=True, raw_cells=args.raw_cells)
    else:
        from ..io._atomic import atomic_write

        with atomic_write(args.output, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel reads UTF-8
            write_csv_chunk(fh, out, header=True, raw_cells=args.raw_cells)
        print(f"located {len(out) - failed:,} of {len(out):,} points -> {args.output}", file=sys.stderr)
    return 0 if failed == 0 else 1
