"""``hzaddr city apply|diff|log`` (versions of a city directory) and ``hzaddr upgrade`` (old codes in a ledger
to current ones).

Exit codes: 0 ok; 1 invalid input (a bad request file, a change that fails validation, a missing column);
4 conflict: the change set was made against another version of the directory, or another process updated
it meanwhile (nothing was written: make the change again against the current version); 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "register_city", "upgrade_file", "EXIT_CONFLICT", "UPGRADE_COLUMNS_ZH", "STATUS_ZH"]

EXIT_CONFLICT = 4

#: columns ``hzaddr upgrade`` adds → Chinese headers (``--lang zh``)
UPGRADE_COLUMNS_ZH = {"row": "行号", "current_code": "现编码", "code_status": "编码状态", "code_reason": "编码说明"}
#: code statuses (:data:`hangzhou_address.lifecycle.resolution.STATUSES`) → Chinese
STATUS_ZH = {"current": "现行", "recoded": "已改码", "split": "已拆分", "retired": "已撤销", "unknown": "未登记"}

_UPGRADE_DESCRIPTION = """\
Bring the codes of a ledger (台账) up to date: every code ever issued (a building demolished or re-coded by a
re-grid, a district abolished in 2021 ...) resolves to the code(s) current today. Every column and row of the
ledger is kept as it is; these columns are added (Chinese headers with --lang zh):

  current_code / 现编码   the current code (several joined by ';' when the place was split; empty when
                          retired or unknown)
  code_status / 编码状态  current 现行, recoded 已改码, split 已拆分, retired 已撤销, unknown 未登记
  code_reason / 编码说明  why (the lineage's reasons and dates)

Rows whose place was split (one old code, several current ones) also go to --review, with their row
numbers: a person picks the right one. The input is never changed; outputs appear only when complete.

Example:
  hzaddr upgrade 台账.csv --column 编码 --lang zh -o 台账_新.csv --review 待核对.csv --city city_v2
"""


def register_city(csub: Any) -> None:
    """``city apply``, ``city diff``, ``city log`` (called by :mod:`._city`)."""
    a = csub.add_parser("apply", help="apply change sets or change requests to a city directory (a new version)")
    a.add_argument("directory", type=Path, help="the city directory")
    a.add_argument("changes", nargs="+", type=Path,
                   help="change set directories (written by write_changeset) or JSON change request files, "
                        "applied in order")
    a.add_argument("-o", "--output", type=Path,
                   help="write the new version to this new directory (default: update DIRECTORY in place)")
    a.add_argument("--cleanup", action="store_true",
                   help="in place: remove the replaced version's table files afterwards")
    a.set_defaults(func=_cmd_apply)
    d = csub.add_parser("diff", help="codes added, retired and re-coded between two versions of a city")
    d.add_argument("old", type=Path)
    d.add_argument("new", type=Path)
    d.add_argument("--limit", type=int, default=10, help="codes listed per kind and level (default 10; 0: counts only)")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=_cmd_diff)
    lg = csub.add_parser("log", help="the change log of a city directory")
    lg.add_argument("directory", type=Path)
    lg.add_argument("--json", action="store_true")
    lg.set_defaults(func=_cmd_log)


def register(sub: Any) -> None:
    from ._registry import add_city_option

    u = sub.add_parser("upgrade", help="old codes in a ledger to current codes (CSV, XLSX)",
                       description=_UPGRADE_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    u.add_argument("input", type=Path, help="ledger file: .xlsx, .xls, .csv or .parquet")
    u.add_argument("--column", required=True, help="the column holding the codes, e.g. 编码")
    u.add_argument("-o", "--output", type=Path, required=True, help="output file: .csv or .xlsx")
    u.add_argument("--review", type=Path, help="file of the rows whose place was split (.csv or .xlsx)")
    u.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the added columns (default en)")
    u.add_argument("--encoding", help="CSV encoding (default: detect UTF-8 / GB18030)")
    u.add_argument("--sheet", help="Excel sheet name (default: the first sheet)")
    u.add_argument("--raw-cells", action="store_true", help="write cells as they are (no leading ' before = + - @)")
    u.add_argument("--quiet", action="store_true", help="no summary")
    add_city_option(u)
    u.set_defaults(func=_cmd_upgrade)


# ------------------------------------------------------------------------------------------ city apply
def _load_changes(paths: list[Path]) -> list[Any]:
    from ..errors import InputError
    from ..io.changes import is_changeset_dir, read_change_request, read_changeset

    out: list[Any] = []
    for p in paths:
        if p.is_dir():
            if not is_changeset_dir(p):
                raise InputError(f"{p}: a directory, but not a change set (no changeset.json)")
            out.append(read_changeset(p))
        elif p.is_file():
            out.extend(read_change_request(p))
        else:
            raise InputError(f"{p}: no such change set directory or change request file")
    return out


def _cmd_apply(args: argparse.Namespace) -> int:
    from ..errors import ChangeConflictError
    from ..io.versions import apply_to_directory

    changes = _load_changes(args.changes)  # every request checked before anything is applied
    try:
        res = apply_to_directory(args.directory, changes, out=args.output, cleanup=args.cleanup)
    except ChangeConflictError as exc:
        print(f"hzaddr: error: {exc}", file=sys.stderr)
        return EXIT_CONFLICT
    print(res.text())
    return 0


# ------------------------------------------------------------------------------------------ city diff / log
def _cmd_diff(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..io.versions import diff_directories

    if args.limit < 0:
        raise InputError("--limit must be 0 or more")
    diff = diff_directories(args.old, args.new)
    if args.json:
        json.dump(diff.to_dict(limit=args.limit), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(diff.text(limit=args.limit))
    return 0


def _cmd_log(args: argparse.Namespace) -> int:
    from ..io.city import read_manifest
    from ..io.versions import directory_version, read_change_log

    m = read_manifest(args.directory)
    log = read_change_log(args.directory, m)
    first = log[0]["parent_version"] if log else directory_version(m)
    initial = {"version": first, "date": (m.get("metadata") or {}).get("created") or m.get("created"),
               "kind": "initial", "reason": "SYNTHETIC city as built" if m.get("synthetic") else "as written",
               # the manifest's counts are version 1's only while no change was applied
               "summary": {} if log else {k: int(v) for k, v in (m.get("counts") or {}).items()}} \
        if not log or first == 1 else None
    entries = ([initial] if initial else []) + log
    if args.json:
        json.dump(entries, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"{args.directory}: version {directory_version(m)}, {len(log)} change(s)"
          f"{' (SYNTHETIC data)' if m.get('synthetic') else ''}")
    for e in entries:
        counts = ", ".join(f"{k} {v:,}" for k, v in e.get("summary", {}).items())
        print(f"  v{e['version']:<4} {e.get('date') or '-':10}  {e['kind']:16} {e['reason']}"
              f"{'  [' + counts + ']' if counts else ''}")
    return 0


# ------------------------------------------------------------------------------------------ upgrade
def _check_suffix(label: str, path: Path | None) -> None:
    from ..errors import InputError

    if path is not None and path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"{label} must be .csv or .xlsx, got {path.suffix or 'no suffix'!r}")


def _write(path: Path, df: Any, raw_cells: bool, number_columns: set[str]) -> None:
    from ..io._atomic import atomic_path, atomic_write

    if path.suffix.lower() == ".xlsx":
        from ..io.ledger_write import XlsxWriter

        with atomic_path(path) as tmp:
            writer = XlsxWriter(tmp, raw_cells=raw_cells, number_columns=number_columns)
            try:
                writer.write(df, header=True)
                writer.close()
            except BaseException:
                writer.discard()
                raise
    else:
        from ..io.ledger_write import write_csv_chunk

        with atomic_write(path, "w", encoding="utf-8-sig", newline="") as fh:
            write_csv_chunk(fh, df, header=True, raw_cells=raw_cells)


def upgrade_file(input_path: Path, output_path: Path, *, column: str, registry: Any, review_path: Path | None = None,
                 lang: str = "en", encoding: str | None = None, sheet: str | None = None,
                 raw_cells: bool = False) -> dict[str, int]:
    """Write ``input_path`` with the current code, status and reason of its ``column`` added (see
    ``hzaddr upgrade --help``); returns the count of each status (and ``rows``, ``malformed_rows``)."""
    import pandas as pd

    from ..errors import InputError
    from ..i18n import check_lang
    from ..io.ledger_io import read_ledger
    from ..lifecycle import upgrade_codes

    lang = check_lang(lang)
    frame, problems = read_ledger(input_path, encoding=encoding, sheet=sheet)
    if column not in frame.columns:
        raise InputError(f"{input_path}: no column {column!r}; columns: {', '.join(map(str, frame.columns))}")
    names = {k: (UPGRADE_COLUMNS_ZH[k] if lang == "zh" else k) for k in UPGRADE_COLUMNS_ZH}
    clash = [names[k] for k in ("current_code", "code_status", "code_reason") if names[k] in frame.columns]
    if clash:
        raise InputError(f"{input_path}: the ledger has a column {clash[0]!r} already; rename it first")
    codes = frame[column].where(frame[column].astype(str).str.strip() != "", None)
    up = upgrade_codes(codes.tolist(), registry=registry)
    status = up["status"].to_numpy(dtype=object)
    out = frame.copy()
    out[names["current_code"]] = up["current_code"].to_numpy(dtype=object)
    out[names["code_status"]] = [STATUS_ZH.get(s, s) for s in status] if lang == "zh" else status
    out[names["code_reason"]] = up["reason"].to_numpy(dtype=object)
    _write(output_path, out, raw_cells, set())
    counts = {s: int(n) for s, n in pd.Series(status).value_counts().items()}
    if review_path is not None:
        split = status == "split"
        rev = out[split].copy()
        rev.insert(0, names["row"], [int(i) + 1 for i in range(len(out)) if split[i]])
        _write(review_path, rev, raw_cells, {names["row"]})
    return {"rows": len(out), "malformed_rows": len(problems), **counts}


def _cmd_upgrade(args: argparse.Namespace) -> int:
    from ..errors import DataError
    from ..io._atomic import check_outputs
    from ..io.ledger_io import ledger_columns

    from ._registry import city_inputs

    check_outputs({"the input ledger": args.input, **city_inputs(args.city)},
                  {"-o/--output": args.output, "--review": args.review})
    _check_suffix("-o/--output", args.output)
    _check_suffix("--review", args.review)
    if not args.input.is_file():
        raise DataError(f"{args.input}: file not found")
    ledger_columns(args.input, encoding=args.encoding, sheet=args.sheet)  # readable, before opening a city
    if args.city is not None:
        from ..errors import DataError as _DataError
        from ..io.city import open_city

        if not args.city.is_dir():
            raise _DataError(f"--city {args.city}: not a directory (a city directory, see `hzaddr city build`)")
        registry = open_city(args.city)  # its own divisions and lineage: the codes of its versions
    else:
        from ..registry import default_registry

        registry = default_registry()
    s = upgrade_file(args.input, args.output, column=args.column, registry=registry, review_path=args.review,
                     lang=args.lang, encoding=args.encoding, sheet=args.sheet, raw_cells=args.raw_cells)
    if not args.quiet:
        parts = ", ".join(f"{k} {s[k]:,}" for k in ("current", "recoded", "split", "retired", "unknown") if s.get(k))
        print(f"{s['rows']:,} rows: {parts or 'no codes'} (registry version {registry.version})"
              + (f"; {s['split']:,} split row(s) in {args.review}" if args.review and s.get("split") else "")
              + (f"; {s['malformed_rows']:,} malformed row(s)" if s["malformed_rows"] else ""), file=sys.stderr)
    return 0
