"""Read department ledgers (CSV / XLSX / XLS / Parquet) in chunks, as text, reporting bad rows.

Every cell is read as a string (leading zeros, ID numbers and phone numbers are kept as written).
Rows that cannot be read correctly are not dropped silently: each chunk carries a list of
``(row_number, reason)`` problems (1-based data row numbers, the header not counted). A file that
cannot be read at all raises :class:`~hangzhou_address.errors.DataError` with a one-line message.

CSV quoting rule. A quoted cell may hold line breaks (Excel's Alt+Enter) when its row

* spans at most :data:`MAX_RECORD_LINES` physical lines,
* closes its quotes properly (a strict re-read of those lines gives one row), and
* none of its later lines, read on its own, has as many fields as the header (that is a swallowed row).

Otherwise the row is taken to hold an *unbalanced quote*: it is read to the end of its own line and
reported, and the lines after it are read again as rows of their own, so one stray ``"`` costs one
flagged row instead of swallowing the rest of the file into a cell.

Limits: at most :data:`MAX_COLUMNS` columns; XLSX sheets are streamed (openpyxl read-only, the
``<dimension>`` claimed by the file is not trusted) and bounded by the rows actually present, with
at most :data:`MAX_MERGED_RANGES` merged ranges. Old Excel ``.xls`` files are read with python-calamine (the
whole sheet at once: the format holds at most 65,536 rows × 256 columns); merged cells are filled from their
top-left cell and reported like XLSX ones. In both Excel formats a number cell of 16 or more digits (an ID
number or code typed as a number: Excel keeps 15 significant digits) is reported as a row problem.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from ..errors import DataError, HangzhouAddressError, InputError

__all__ = ["LedgerChunk", "detect_encoding", "iter_ledger", "ledger_columns", "read_ledger", "SUPPORTED",
           "MAX_RECORD_LINES", "MAX_COLUMNS", "MAX_MERGED_RANGES", "EXCEL_MAX_ROWS"]

SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet")
#: a CSV row (record) may span at most this many physical lines (quoted cells with line breaks)
MAX_RECORD_LINES = 10
#: columns a ledger may have (a wider header is refused)
MAX_COLUMNS = 2_000
#: merged ranges an XLSX sheet may have
MAX_MERGED_RANGES = 100_000
#: Excel's last row
EXCEL_MAX_ROWS = 1_048_576
_SAMPLE = 1 << 20
_CELLS_PER_CHUNK = 2_000_000
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_MERGE_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref="([A-Za-z$]+[$0-9]+(?::[A-Za-z$]+[$0-9]+)?)"')


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
    path = Path(path)
    chunks = (_iter_xlsx(path, 1, sheet, header_only=True) if path.is_file() and _kind(path) == "xlsx"
              else iter_ledger(path, chunk_rows=1, encoding=encoding, sheet=sheet))
    for chunk in chunks:
        return list(chunk.frame.columns)
    raise DataError(f"{path}: the file is empty")


def read_ledger(path: str | Path, *, encoding: str | None = None, sheet: str | None = None,
                progress: bool | None = False) -> tuple[pd.DataFrame, dict[int, str]]:
    """The whole ledger as one frame of text, and its row problems (see :func:`iter_ledger`).

    ``progress``: a progress bar on stderr while reading (None: when stderr is a terminal; default off).

    Raises
    ------
    DataError
        The file is missing, empty (not even a header), undecodable or corrupt.
    """
    from .._progress import progress_bar

    frames, problems = [], {}
    with progress_bar(total=100, desc=f"read {Path(path).name}", unit="%", enabled=progress,
                      bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}{postfix}]") as bar:
        rows = 0
        for chunk in iter_ledger(path, encoding=encoding, sheet=sheet):
            frames.append(chunk.frame)
            problems.update(chunk.problems)
            rows += len(chunk.frame)
            bar.update(max(0.0, 100 * chunk.progress - bar.n))
            bar.set_postfix_str(f"{rows:,} rows", refresh=False)
    if not frames:
        raise DataError(f"{path}: the file is empty")
    return (frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)), problems


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
    elif kind == "xls":
        yield from _iter_xls(path, chunk_rows, sheet)
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


class _RecordTooLong(Exception):
    """Raised by :class:`_Lines` when one CSV record runs over more than :data:`MAX_RECORD_LINES` lines."""


class _Lines:
    """The physical lines of a CSV file, remembering those of the record being read.

    Lines handed back with :meth:`push_back` are read again first (after an unbalanced quote).
    """

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.buf: list[str] = []
        self.pending: list[str] = []  # a stack: the next line is the last item

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.pending.pop() if self.pending else next(self.lines)
        self.buf.append(line)
        if len(self.buf) > MAX_RECORD_LINES:
            raise _RecordTooLong
        return line

    def push_back(self, lines: list[str]) -> None:
        self.pending.extend(reversed(lines))


def _fields(line: str, sep: str) -> list[str]:
    """One physical line parsed on its own (an unclosed quote ends at the end of the line)."""
    return next(csv.reader([line.rstrip("\r\n")], delimiter=sep), [])


def _well_quoted(lines: list[str], sep: str, width: int | None) -> bool:
    """Whether a record read over several lines is a genuine quoted multi-line cell (the rule is in
    the module docstring): its quotes close strictly, and no later line reads as a whole row."""
    try:
        records = list(csv.reader(io.StringIO("".join(lines), newline=""), delimiter=sep, strict=True))
    except csv.Error:
        return False
    if len(records) != 1:
        return False
    return not (width and width > 1 and any(len(_fields(line, sep)) >= width for line in lines[1:]))


class _CsvRecords:
    """CSV records with their problem: ``next(width)`` → ``(fields or None, problem or None)``."""

    def __init__(self, fh: IO[str], sep: str) -> None:
        self.sep = sep
        self.lines = _Lines(iter(fh))
        self.reader = csv.reader(self.lines, delimiter=sep)

    def next(self, width: int | None) -> tuple[list[str] | None, str | None]:
        """Raises StopIteration at the end of the file."""
        lines = self.lines
        lines.buf = []
        try:
            row = next(self.reader)
            if len(lines.buf) <= 1 or _well_quoted(lines.buf, self.sep, width):
                return row, None
            runs = len(lines.buf) - 1
        except _RecordTooLong:
            runs = MAX_RECORD_LINES
        except csv.Error as exc:
            return None, f"unreadable CSV row ({exc})"
        # an unbalanced quote: this row ends with its own line; the lines it swallowed are read again
        first, rest = lines.buf[0], lines.buf[1:]
        lines.push_back(rest)
        self.reader = csv.reader(lines, delimiter=self.sep)
        more = " or more" if runs >= MAX_RECORD_LINES else ""
        return _fields(first, self.sep), (
            f"unbalanced quote: a quoted cell of this row ran on over {runs}{more} following line(s) "
            "(would merge them into this row); the row is read to the end of its own line and the "
            "following lines as rows of their own")


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
        records = _CsvRecords(fh, sep)
        try:
            header, problem = records.next(None)
        except StopIteration:
            return
        if header is None or problem is not None:
            raise DataError(f"{path}: cannot read the header ({(problem or 'unreadable').split(':')[0]})")
        if any("\ufffd" in h for h in header):
            raise DataError(f"{path}: the header is not valid {enc}; pass --encoding (e.g. gb18030 or utf-8)")
        header = _unique_header(_check_width(path, header))
        width = len(header)
        chunk_rows = _rows_per_chunk(chunk_rows, width)
        rows: list[list[str]] = []
        problems: dict[int, str] = {}
        first = 1
        n = 0
        while True:
            try:
                row, problem = records.next(width)
            except StopIteration:
                break
            n += 1
            if row is None:
                rows.append([""] * width)
                problems[n] = problem or "unreadable CSV row"
                continue
            if problem is not None:
                problems[n] = problem
            if len(row) != width:
                problems.setdefault(n, f"ragged row: {len(row)} fields, header has {width}")
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


def _check_width(path: Path, header: list[Any]) -> list[Any]:
    if len(header) > MAX_COLUMNS:
        raise DataError(f"{path}: the header has {len(header):,} columns; a ledger may have at most "
                        f"{MAX_COLUMNS:,}")
    return header


def _rows_per_chunk(chunk_rows: int, width: int) -> int:
    """Fewer rows per chunk for wide ledgers: a chunk holds at most :data:`_CELLS_PER_CHUNK` cells."""
    return max(1, min(chunk_rows, _CELLS_PER_CHUNK // max(width, 1)))


def _arrow_error(path: Path, exc: Exception) -> DataError:
    msg = (str(exc).strip().splitlines() or [""])[0][:200]
    return DataError(f"{path}: not a readable Parquet file ({type(exc).__name__}: {msg})")


def _iter_parquet(path: Path, chunk_rows: int) -> Iterator[LedgerChunk]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        names = pf.schema_arrow.names
        _check_width(path, names)
        batches = pf.iter_batches(batch_size=_rows_per_chunk(chunk_rows, len(names)))
        total = max(pf.metadata.num_rows, 1)
    except (pa.ArrowException, OSError) as exc:
        raise _arrow_error(path, exc) from None
    first = 1
    while True:
        try:
            batch = next(batches)
            df = batch.to_pandas()
        except StopIteration:
            break
        except (pa.ArrowException, OSError) as exc:
            raise _arrow_error(path, exc) from None
        out = pd.DataFrame({c: [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in df[c]]
                            for c in df.columns}, dtype=object)
        out = out.fillna("")
        yield LedgerChunk(out, first, {}, min((first + len(out) - 1) / total, 1.0))
        first += len(out)
    if first == 1:
        yield LedgerChunk(pd.DataFrame(columns=names, dtype=object), 1, {}, 1.0)


def _iter_xlsx(path: Path, chunk_rows: int, sheet: str | None, *, header_only: bool = False) -> Iterator[LedgerChunk]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover
        raise DataError("reading .xlsx needs openpyxl: pip install 'hangzhou_address[excel]'") from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise _excel_error(path, exc) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise DataError(f"{path}: no sheet {sheet!r}; sheets are {wb.sheetnames}")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        yield from _SheetReader(path, wb, ws).chunks(chunk_rows, header_only)
    except HangzhouAddressError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken zip / XML part shows only while streaming
        raise _excel_error(path, exc) from None
    finally:
        wb.close()


def _xls_text(v: Any) -> tuple[str, bool]:
    """A calamine cell as text, and whether it is a number of 16+ digits (digits beyond 15 are lost)."""
    if v is None or v == "":
        return "", False
    if isinstance(v, float):
        if v.is_integer():
            return (str(int(v)), False) if abs(v) < 1e15 else (str(v), True)
        return str(v), False
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v), abs(v) >= 10**15
    return str(v), False


def _iter_xls(path: Path, chunk_rows: int, sheet: str | None) -> Iterator[LedgerChunk]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover
        raise DataError("reading .xls needs python-calamine: pip install 'hangzhou_address[excel]'") from None
    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
        if sheet is not None and sheet not in names:
            raise DataError(f"{path}: no sheet {sheet!r}; sheets are {names}")
        ws = wb.get_sheet_by_name(sheet) if sheet else wb.get_sheet_by_index(0)
        start = ws.start or (0, 0)
        merged = list(ws.merged_cell_ranges or [])
        rows = ws.to_python(skip_empty_area=False)
    except HangzhouAddressError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine raises its own kinds for a broken file
        raise _excel_error(path, exc) from None
    r0, c0 = start
    offset = next((i for i, row in enumerate(rows) if any(v not in (None, "") for v in row)), None)
    if offset is None:
        return
    raw = list(rows[offset])
    ncols = max(i for i, v in enumerate(raw) if v not in (None, "")) + 1
    _check_width(path, range(ncols))
    header = _unique_header([_xls_text(v)[0] for v in raw[:ncols]])
    header_row = r0 + offset + 1  # Excel row number of the header
    # merged ranges as Excel (row, column) numbers, clipped to the header's columns
    spans = [(a[0] + 1, b[0] + 1, a[1] - c0 + 1, min(b[1] - c0 + 1, ncols)) for a, b in merged
             if 1 <= a[1] - c0 + 1 <= ncols and b[0] + 1 > header_row]
    fill: dict[tuple[int, int], int] = {}  # (Excel row, column) -> Excel row of its range's top-left
    for top, bottom, left, right in spans:
        for r in range(max(top, header_row + 1), bottom + 1):
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    fill[(r, c)] = top

    def records() -> Iterator[tuple[list[str], str | None]]:
        texts: dict[int, list[str]] = {}  # Excel row -> its cells (for merged ranges), kept while needed
        last_needed = max((b for _, b, _, _ in spans), default=0)
        blank = 0
        for i in range(offset + 1, len(rows)):
            excel_row = r0 + i + 1
            cells = (list(rows[i]) + [""] * ncols)[:ncols]  # columns relative to the sheet's start
            out, problem = [], None
            for j, v in enumerate(cells):
                text, lost = _xls_text(v)
                if lost and problem is None:
                    problem = _lost_digits(header[j])
                out.append(text)
            if excel_row <= last_needed:
                texts[excel_row] = out
            for j in range(ncols):
                top = fill.get((excel_row, j + 1))
                if top is not None:
                    src = header if top == header_row else texts.get(top)
                    out[j] = "" if src is None else src[j]
                    problem = problem or f"merged cell in column {header[j]!r}: value taken from Excel row {top}"
            if problem is None and not any(out):
                blank += 1
                continue
            for _ in range(blank):
                yield [""] * ncols, None
            blank = 0
            yield out, problem

    yield from _chunks(records(), header, _rows_per_chunk(chunk_rows, ncols), max(len(rows) - offset - 1, 1))


def _excel_error(path: Path, exc: Exception) -> DataError:
    msg = (str(exc).strip().splitlines() or [""])[0][:200]
    return DataError(f"{path}: not a readable Excel file ({type(exc).__name__}: {msg})")


class _SheetReader:
    """Stream one worksheet's rows (openpyxl's read-only parser), bounded by the rows present.

    The sheet's ``<dimension>`` is not trusted; rows missing between two present rows come out empty
    (so data row *n* is Excel row *n* + header row), empty rows after the last row with a value are
    dropped. Merged ranges (read in a first pass over the sheet's XML, at most
    :data:`MAX_MERGED_RANGES`) are applied row by row, clipped to the header's columns.
    """

    def __init__(self, path: Path, wb: Any, ws: Any) -> None:
        self.path, self.wb, self.ws = path, wb, ws

    def _parser(self, source: Any) -> Any:
        from openpyxl.utils.cell import column_index_from_string
        from openpyxl.worksheet._reader import (FORMULA_TAG, INLINE_STRING, VALUE_TAG, WorkSheetParser,
                                                _cast_number)
        from openpyxl.xml.constants import SHEET_MAIN_NS

        t_tag, r_tag = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"
        path = self.path
        columns: dict[str, int] = {}

        class Parser(WorkSheetParser):  # cached values, and the formula of a cell that has none
            def parse_cell(self, element: Any) -> dict:
                kind = element.get("t", "n")
                style = element.get("s")
                if kind not in ("s", "inlineStr", "n") or (kind == "n" and style and int(style) in self.date_formats):
                    cell = super().parse_cell(element)  # dates, booleans, errors, formula strings
                else:  # the common cells, without openpyxl's per-cell objects (same values)
                    ref = element.get("r")
                    if ref:
                        m = _CELL_REF.match(ref)
                        if m is None:
                            raise DataError(f"{path}: bad cell reference {ref[:20]!r}")
                        letters = m.group(1).upper()
                        col = columns.get(letters)
                        if col is None:
                            col = columns[letters] = column_index_from_string(letters)
                        self.col_counter = col
                        row = int(m.group(2))
                    else:
                        self.col_counter += 1
                        row, col = self.row_counter, self.col_counter
                    value: Any = None
                    if kind == "inlineStr":
                        child = element.find(INLINE_STRING)
                        if child is not None:  # plain text, then rich-text runs (phonetic runs skipped)
                            plain = [e.text or "" for e in child if e.tag == t_tag]
                            runs = [e.findtext(t_tag) or "" for e in child if e.tag == r_tag]
                            value = "".join(plain + runs)
                    else:
                        text = element.findtext(VALUE_TAG, None) or None
                        if text is not None:
                            value = self.shared_strings[int(text)] if kind == "s" else _cast_number(text)
                    cell = {"row": row, "column": col, "value": value}
                if cell["value"] is None:
                    f = element.find(FORMULA_TAG)
                    if f is not None:
                        cell["formula"] = "=" + (f.text or "")
                return cell

        wb = self.wb
        return Parser(source, self.ws._shared_strings, data_only=True, epoch=wb.epoch,
                      date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)

    def _merged(self) -> tuple[list[tuple[int, int, int, int]], int]:
        """``(min_row, max_row, min_col, max_col)`` of every merged range, and the number of ``<row>`` tags
        (for the progress estimate), from one scan of the sheet's XML (markup text cannot hold a raw ``<``,
        so a ``<mergeCell`` tag is one)."""
        from openpyxl.utils.cell import range_boundaries

        out = []
        n_rows = 0
        tail = b""
        with self.ws._get_source() as src:
            while True:
                block = src.read(1 << 20)
                data = tail + block
                cut = data.rfind(b"<")  # a tag may straddle two blocks: keep the last one for the next
                end = len(data) if not block or cut < 0 else cut
                n_rows += len(_ROW_TAG.findall(data, 0, end))
                for m in _MERGE_CELL.finditer(data, 0, end):
                    min_col, min_row, max_col, max_row = range_boundaries(m.group(1).decode("ascii"))
                    out.append((min_row, max_row, min_col, max_col))
                    if len(out) > MAX_MERGED_RANGES:
                        raise DataError(f"{self.path}: more than {MAX_MERGED_RANGES:,} merged ranges")
                if not block:
                    break
                tail = data[end:]
        return sorted(out), n_rows

    def chunks(self, chunk_rows: int, header_only: bool = False) -> Iterator[LedgerChunk]:
        merged, n_rows = ([], 0) if header_only else self._merged()
        with self.ws._get_source() as src:
            rows = self._parser(src).parse()
            for header_row, cells in rows:  # the header: the first row with a value
                _check_row(self.path, header_row)
                present = [c for c in cells if c["value"] is not None]
                if present:
                    break
            else:
                return
            ncols = max(c["column"] for c in present)
            _check_width(self.path, range(ncols))
            raw: list = [None] * ncols
            for c in present:
                raw[c["column"] - 1] = c["value"]
            header = _unique_header(["" if v is None else str(v) for v in raw])
            if header_only:
                yield LedgerChunk(pd.DataFrame(columns=header, dtype=object), 1, {}, 0.0)
                return
            total = max(n_rows - 1, 1)  # for progress only
            records = self._records(header_row, raw, header, rows, merged)
            yield from _chunks(records, header, _rows_per_chunk(chunk_rows, len(header)), total)

    def _records(self, header_row: int, header_values: list, header: list[str], rows: Iterator,
                 merged: list[tuple[int, int, int, int]]) -> Iterator[tuple[list[str], str | None]]:
        """``(cells, problem)`` of every data row, in order."""
        width = len(header)
        # merged ranges clipped to the header's columns, one range per cell (Excel forbids overlaps)
        ranges = [(r0, r1, c0, min(c1, width)) for r0, r1, c0, c1 in merged
                  if c0 <= width and r1 > header_row and (r0, c0) != (r1, min(c1, width))]
        nxt = 0
        active: dict[tuple[int, int, int, int], object] = {}  # range -> its top-left value
        owner: dict[int, tuple[int, int, int, int]] = {}  # column -> the active range holding it

        def activate(row: int, values: list | None) -> None:
            nonlocal nxt
            while nxt < len(ranges) and ranges[nxt][0] <= row:
                rng = ranges[nxt]
                nxt += 1
                cols = range(rng[2], rng[3] + 1)
                if rng[1] < row or any(c in owner for c in cols):
                    continue
                owner.update((c, rng) for c in cols)
                top = header_values if rng[0] == header_row else values if rng[0] == row else None
                active[rng] = top[rng[2] - 1] if top is not None and rng[2] <= len(top) else None

        def record(row: int, values: list, formulas: dict[int, str]) -> tuple[list[str], str | None]:
            activate(row, values)
            problem = None
            for rng in [r for r in active if r[1] < row]:
                del active[rng]
                for c in range(rng[2], rng[3] + 1):
                    del owner[c]
            for rng, top in active.items():
                for c in range(rng[2], rng[3] + 1):
                    if (row, c) != (rng[0], rng[2]):
                        values[c - 1] = top
                        problem = problem or (f"merged cell in column {header[c - 1]!r}: value taken from "
                                              f"Excel row {rng[0]}")
            for col, f in formulas.items():
                if values[col - 1] is None:
                    problem = f"formula without a cached value in column {header[col - 1]!r} ({f[:40]})"
                    break
            if problem is None:
                lost = next((i for i, v in enumerate(values) if isinstance(v, float) and abs(v) >= 1e15
                             and v.is_integer()), None)
                if lost is not None:
                    problem = _lost_digits(header[lost])
            return ["" if v is None else str(v) for v in values], problem

        activate(header_row, header_values)
        blank = 0  # empty rows, written only when a row with a value follows
        last = header_row
        for idx, cells in rows:
            _check_row(self.path, idx)
            if idx <= last:
                raise DataError(f"{self.path}: sheet rows out of order (row {idx} after row {last})")
            if not active and (nxt >= len(ranges) or ranges[nxt][0] >= idx):
                blank += idx - last - 1  # rows missing from the file: empty ...
                last = idx - 1
            values: list = [None] * width
            formulas: dict[int, str] = {}
            for c in cells:
                col = c["column"]
                if col <= width:
                    values[col - 1] = c["value"]
                    if "formula" in c:
                        formulas[col] = c["formula"]

            def these(prev: int = last, idx: int = idx, values: list = values, formulas: dict = formulas) -> Iterator:
                for r in range(prev + 1, idx):  # ... unless a merged range covers them
                    yield record(r, [None] * width, {})
                yield record(idx, values, formulas)

            last = idx
            for cells_out, problem in these():
                if problem is None and not any(cells_out):
                    blank += 1
                    continue
                for _ in range(blank):
                    yield [""] * width, None
                blank = 0
                yield cells_out, problem


def _lost_digits(column: str) -> str:
    """The row problem of a number cell of 16 or more digits (an ID typed as a number), .xls and .xlsx alike."""
    return (f"number of 16 or more digits in column {column!r} (Excel keeps 15): digits may be lost, store the "
            "column as text")


def _check_row(path: Path, row: int) -> None:
    if not 1 <= row <= EXCEL_MAX_ROWS:
        raise DataError(f"{path}: sheet row number {row:,} is outside Excel's 1-{EXCEL_MAX_ROWS:,}")


def _chunks(records: Iterator[tuple[list[str], str | None]], header: list[str], chunk_rows: int,
            total: int) -> Iterator[LedgerChunk]:
    rows: list[list[str]] = []
    problems: dict[int, str] = {}
    first = n = 1
    for n, (cells, problem) in enumerate(records, start=1):
        rows.append(cells)
        if problem is not None:
            problems[n] = problem
        if len(rows) >= chunk_rows:
            yield LedgerChunk(pd.DataFrame(rows, columns=header, dtype=object), first, problems,
                              min(n / total, 0.99))
            first += len(rows)
            rows, problems = [], {}
    if rows or first == 1:
        yield LedgerChunk(pd.DataFrame(rows, columns=header, dtype=object), first, problems, 1.0)
