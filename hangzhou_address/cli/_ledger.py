"""``hzaddr normalize`` (batch normalization of a ledger) and ``hzaddr reconcile``.

Exit codes of ``normalize``: 0 every row was read and processed (unmatched rows are counted, not
failures); 3 some rows were unreadable or malformed (listed with row numbers in the review file);
1 invalid input (missing file or column, wrong encoding); 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "EXIT_ROWS_FAILED"]

EXIT_ROWS_FAILED = 3
_RAW_CELLS_HELP = ("write CSV cells as they are; by default a cell starting with = + - @ tab or a line break "
                   "(a formula to a spreadsheet) gets a leading ' (plain numbers are kept)")


_NORMALIZE_DESCRIPTION = """\
Add a building code to every row of a ledger (台账). Every column of the ledger is kept as it is; these
columns are added (Chinese headers with --lang zh):

  code / 编码                 the most precise code found: 20 characters a building, 15 a grid,
                              12 a village / community, 9 a town, 6 a district, 4 the city
  level / 匹配级别            how precise that code is:
                                building 楼栋    the building itself
                                grid 网格        only its grid (several buildings fit the text)
                                community 村社   only the village / residential community
                                town 镇街        only the town / sub-district
                                district 区县    only the district / county
                                city 市          only "Hangzhou" (e.g. a compound found in several districts)
                                (empty)          not found: see the reasons
  confidence / 置信度         0 to 1: how likely the code is right; rows under 0.6 go to --review
  district_code, district_name / 区县编码, 区县    the district of the code
  town_code, town_name / 镇街编码, 镇街            the town
  community_code, community_name / 村社编码, 村社  the village / community
  reasons / 原因              why: what was corrected (traditional characters, typos...), what was
                              ambiguous or missing

Outputs: .xlsx (Excel: ID numbers and codes stay text, every digit kept), .csv (UTF-8 with BOM,
opens in Excel) or .parquet. Cells starting with = + - @ get a leading ' so Excel does not run them as
formulas (--raw-cells turns this off). The input is never changed; outputs appear only when complete.

Example, for an Excel ledger with an address column 地址, Chinese columns and Excel out:
  hzaddr normalize 台账.xlsx --column 地址 --lang zh -o 结果.xlsx --review 待核对.xlsx
"""


def register(sub: Any) -> None:
    from ._registry import add_city_option

    n = sub.add_parser("normalize", help="add codes to every row of a ledger (CSV, XLSX, XLS, Parquet)",
                       description=_NORMALIZE_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    n.add_argument("input", type=Path,
                   help="ledger file: .xlsx, .xls, .csv (UTF-8, UTF-8 with BOM, GBK/GB18030) or .parquet")
    n.add_argument("-o", "--output", type=Path, required=True,
                   help="output file: .xlsx, .csv or .parquet (written only when complete)")
    n.add_argument("--column", required=True, help="the column holding the address, e.g. 地址")
    n.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the added columns: zh = Chinese headers, levels and reasons "
                        "(编码, 匹配级别, 置信度, 区县, 镇街, 村社, 原因); default en")
    n.add_argument("--encoding", help="CSV encoding (default: detect UTF-8 / GB18030)")
    n.add_argument("--sheet", help="Excel sheet name (default: the first sheet)")
    n.add_argument("--x", help="longitude / x column (cross-checks text against coordinates)")
    n.add_argument("--y", help="latitude / y column")
    n.add_argument("--crs", default="EPSG:4490", help="CRS of --x/--y: EPSG:4326, 4490, GCJ02, BD09 ...")
    n.add_argument("--workers", type=int, default=1, help="processes on this machine (default 1)")
    n.add_argument("--chunk-rows", type=int, default=20_000, help="rows per chunk (memory bound)")
    add_city_option(n)
    n.add_argument("--review", type=Path,
                   help="file of the rows a person should check (.xlsx or .csv), with their row numbers")
    n.add_argument("--report", type=Path, help="HTML report with charts")
    n.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    n.add_argument("--exact", action="store_true",
                   help="exact mode: names must be spelled as in the registry; default is fuzzy "
                        "(misspelled names are read, with a 'fuzzy:' reason)")
    n.add_argument("--raw-cells", action="store_true", help=_RAW_CELLS_HELP)
    n.set_defaults(func=_cmd_normalize)

    r = sub.add_parser("reconcile", help="compare two normalized ledgers by building code")
    r.add_argument("a", type=Path)
    r.add_argument("b", type=Path)
    r.add_argument("--on", default="code", help="building code column (default code)")
    r.add_argument("--key", help="entity key column present in both (e.g. 统一社会信用代码)")
    r.add_argument("-o", "--output", type=Path, help="CSV of all disagreements")
    r.add_argument("--report", type=Path, help="HTML report")
    r.add_argument("--encoding", help="CSV encoding of both ledgers (default: detect UTF-8 / GB18030)")
    r.add_argument("--raw-cells", action="store_true", help=_RAW_CELLS_HELP)
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the HTML report (default en)")
    add_city_option(r)  # the registry the report names divisions and draws its map from
    r.set_defaults(func=_cmd_reconcile)


def _cmd_normalize(args: argparse.Namespace) -> int:
    from ..ledger import normalize_file

    summary = normalize_file(
        args.input, args.output, column=args.column, x=args.x, y=args.y, crs=args.crs if args.x else None,
        encoding=args.encoding, sheet=args.sheet, workers=args.workers, chunk_rows=args.chunk_rows,
        registry_dir=args.city, review_path=args.review, report_path=args.report,
        progress=False if args.quiet else None, freeze_gc=True,
        fuzzy=not args.exact, raw_cells=args.raw_cells, lang=args.lang,
    )
    if not args.quiet:
        print(summary.text(), file=sys.stderr)
    return EXIT_ROWS_FAILED if summary.failed_rows else 0


def _read_table(path: Path, encoding: str | None = None, progress: bool | None = None) -> Any:
    """A ledger for ``reconcile`` / ``locate``: any supported format, read as text with the same
    encoding detection as ``normalize``; malformed rows are counted on stderr (row numbers only)."""
    from ..io.ledger_io import read_ledger

    frame, problems = read_ledger(path, encoding=encoding, progress=progress)
    if problems:
        rows = sorted(problems)
        shown = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
        print(f"hzaddr: warning: {path}: {len(rows):,} malformed row(s) (rows {shown})", file=sys.stderr)
    return frame


def _cmd_reconcile(args: argparse.Namespace) -> int:
    from ..errors import DataError, InputError
    from ..io._atomic import check_outputs
    from ..reconciliation import reconcile

    from ._registry import city_inputs, open_registry

    check_outputs({"ledger A": args.a, "ledger B": args.b, **city_inputs(args.city)},
                  {"-o/--output": args.output, "--report": args.report})
    if args.output is not None and args.output.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"-o/--output must be .csv or .xlsx, got {args.output.suffix or 'no suffix'!r}")
    for p in (args.a, args.b):
        if not p.is_file():
            raise DataError(f"{p}: file not found")
    registry = open_registry(args.city) if args.city is not None or args.report else None  # checked before any work
    bar = False if args.quiet else None
    res = reconcile(_read_table(args.a, args.encoding, bar), _read_table(args.b, args.encoding, bar), on=args.on,
                    key=args.key)
    print(res.summary())
    if args.output and args.output.suffix.lower() == ".xlsx":
        from ..io._atomic import atomic_path
        from ..io.ledger_write import XlsxWriter

        with atomic_path(args.output) as tmp:
            writer = XlsxWriter(tmp, raw_cells=args.raw_cells, number_columns={"row", "row_a", "row_b"})
            try:
                writer.write(res.to_frame(), header=True)
                writer.close()
            except BaseException:
                writer.discard()
                raise
    elif args.output:
        from ..io._atomic import atomic_write
        from ..io.ledger_write import write_csv_chunk

        with atomic_write(args.output, "w", encoding="utf-8-sig", newline="") as fh:
            write_csv_chunk(fh, res.to_frame(), header=True, raw_cells=args.raw_cells)
    if args.report:
        from ..report import write_reconcile_report

        write_reconcile_report(args.report, res, registry=registry, lang=args.lang)
    return 0
