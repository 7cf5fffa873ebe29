"""Read department ledgers (CSV / XLSX / Parquet) in chunks, as text, reporting bad rows.

Every cell is read as a string (leading zeros, ID numbers and phone numbers are kept as written).
Rows that cannot be read correctly are not dropped silently: each chunk carries a list of
``(row_number, reason)`` problems (1-based data row numbers, the header not counted).
"""

from __future__ import annotations

import codecs
import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError, InputError

__all__ = ["LedgerChunk", "detect_encoding", "iter_ledger", "ledger_columns", "SUPPORTED"]

SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet")
_SAMPLE = 1 << 20


@dataclass(frozen=True)
class LedgerChunk:
    """A block of rows: ``frame`` (all columns as str), ``first_row`` (1-based number of its first
    row), ``problems`` (row number → reason) and the fraction of the input consumed so far."""

    frame: pd.DataFrame
    first_row: int
    problems: dict[int, str] = field(default_factory=dict)
    progress: float = 0.0


def detect_encoding(path: str | Path) -> str:
    """'utf-8-sig' (with or without BOM) when the start of the file is valid UTF-8, else 'gb18030'
    (a superset of GBK/GB2312, the usual encoding of Chinese government exports)."""
    with open(path, "rb") as fh:
        sample = fh.read(_SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(sample) == _SAMPLE:  # cut inside a character
            return "utf-8-sig"
    try:
        sample.decode("gb18030")
    except UnicodeDecodeError as exc:
        cut = exc.start >= len(sample) - 3 and len(sample) == _SAMPLE
        if not cut:
            raise DataError(f"{path}: neither UTF-8 nor GB18030/GBK text (byte {exc.start}); "
                            "pass --encoding") from None
    return "gb18030"


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(f"{path}: unsupported ledger format {suffix!r}; use one of {', '.join(SUPPORTED)}")
    return {"xlsm": "xlsx", "txt": "csv", "tsv": "csv"}.get(suffix[1:], suffix[1:])


def ledger_columns(path: str | Path, *, encoding: str | None = None, sheet: str | None = None) -> list[str]:
    """The header of a ledger (to check a ``--column`` before processing)."""
    for chunk in iter_ledger(path, chunk_rows=1, encoding=encoding, sheet=sheet):
        return list(chunk.frame.columns)
    raise DataError(f"{path}: the file is empty")


def iter_ledger(path: str | Path, *, chunk_rows: int = 50_000, encoding: str | None = None,
                sheet: str | None = None) -> Iterator[LedgerChunk]:
    """Yield :class:`LedgerChunk` blocks of at most ``chunk_rows`` rows."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    kind = _kind(path)
    if kind == "csv":
        yield from _iter_csv(path, chunk_rows, encoding)
    elif kind == "parquet":
        yield from _iter_parquet(path, chunk_rows)
    else:
        yield from _iter_xlsx(path, chunk_rows, sheet)


def _unique_header(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(header):
        h = (h or "").strip() or f"column_{i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
        out.append(h)
    return out


def _iter_csv(path: Path, chunk_rows: int, encoding: str | None) -> Iterator[LedgerChunk]:
    enc = encoding or detect_encoding(path)
    try:
        codecs.lookup(enc)
    except LookupError:
        raise InputError(f"unknown encoding {enc!r}; try utf-8, utf-8-sig, gbk or gb18030") from None
    size = max(os.path.getsize(path), 1)
    with open(path, "rb") as fh:  # progress estimate: rows read x average row size of the first MB
        sample = fh.read(_SAMPLE)
    bytes_per_row = len(sample) / max(sample.count(b"\n"), 1)
    csv.field_size_limit(1 << 30)
    with open(path, encoding=enc, errors="replace", newline="") as fh:
        sep = "\t" if path.suffix.lower() == ".tsv" else ","
        reader = csv.reader(fh, delimiter=sep)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(f"{path}: cannot read the header ({exc})") from None
        if any("\ufffd" in h for h in header):
            raise DataError(f"{path}: the header is not valid {enc}; pass --encoding (e.g. gb18030 or utf-8)")
        header = _unique_header(header)
        width = len(header)
        rows: list[list[str]] = []
        problems: dict[int, str] = {}
        first = 1
        n = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                n += 1
                problems[n] = f"unreadable CSV row ({exc})"
                rows.append([""] * width)
                continue
            n += 1
            if len(row) != width:
                problems[n] = f"ragged row: {len(row)} fields, header has {width}"
                row = (row + [""] * width)[:width]
            if any("\ufffd" in c for c in row):
                problems.setdefault(n, f"characters not valid in {enc} (replaced)")
            rows.append(row)
            if len(rows) >= chunk_rows:
                yield LedgerChunk(pd.DataFrame(rows, columns=header, dtype=object), first, problems,
                                  min(n * bytes_per_row / size, 0.99))
                first += len(rows)
                rows, problems = [], {}
        if rows or first == 1:
            yield LedgerChunk(pd.DataFrame(rows, columns=header, dtype=object), first, problems, 1.0)


def _iter_parquet(path: Path, chunk_rows: int) -> Iterator[LedgerChunk]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    total = max(pf.metadata.num_rows, 1)
    first = 1
    for batch in pf.iter_batches(batch_size=chunk_rows):
        df = batch.to_pandas()
        out = pd.DataFrame({c: [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in df[c]]
                            for c in df.columns}, dtype=object)
        out = out.fillna("")
        yield LedgerChunk(out, first, {}, min((first + len(out) - 1) / total, 1.0))
        first += len(out)
    if first == 1:
        yield LedgerChunk(pd.DataFrame(columns=pf.schema_arrow.names, dtype=object), 1, {}, 1.0)


def _iter_xlsx(path: Path, chunk_rows: int, sheet: str | None) -> Iterator[LedgerChunk]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover
        raise DataError("reading .xlsx needs openpyxl: pip install 'hangzhou_address[excel]'") from None
    try:
        values_wb = openpyxl.load_workbook(path, data_only=True)
        formulas_wb = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # noqa: BLE001
        raise DataError(f"{path}: not a readable Excel file ({type(exc).__name__}: {exc})") from None
    if sheet is not None and sheet not in values_wb.sheetnames:
        raise DataError(f"{path}: no sheet {sheet!r}; sheets are {values_wb.sheetnames}")
    ws = values_wb[sheet] if sheet else values_wb.worksheets[0]
    wf = formulas_wb[ws.title]
    # merged cells: every cell of a merged range takes the value of its top-left cell
    merged: dict[tuple[int, int], tuple[object, int]] = {}
    for rng in ws.merged_cells.ranges:
        value = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    merged[(r, c)] = (value, rng.min_row)
    rows_iter = ws.iter_rows(values_only=True)
    try:
        header = [("" if v is None else str(v)) for v in next(rows_iter)]
    except StopIteration:
        return
    header = _unique_header(header)
    width = len(header)
    total = max(ws.max_row - 1, 1)
    rows: list[list[str]] = []
    problems: dict[int, str] = {}
    first = 1
    for n, values in enumerate(rows_iter, start=1):
        excel_row = n + 1
        cells = []
        for c in range(width):
            v = values[c] if c < len(values) else None
            if (excel_row, c + 1) in merged:
                v, top = merged[(excel_row, c + 1)]
                problems.setdefault(n, f"merged cell in column {header[c]!r}: value taken from Excel row {top}")
            if v is None:
                f = wf.cell(excel_row, c + 1).value
                if isinstance(f, str) and f.startswith("="):
                    problems[n] = f"formula without a cached value in column {header[c]!r} ({f[:40]})"
            cells.append("" if v is None else str(v))
        rows.append(cells)
        if len(rows) >= chunk_rows:
            yield LedgerChunk(pd.DataFrame(rows, columns=header, dtype=object), first, problems, min(n / total, 1.0))
            first += len(rows)
            rows, problems = [], {}
    if rows or first == 1:
        yield LedgerChunk(pd.DataFrame(rows, columns=header, dtype=object), first, problems, 1.0)
