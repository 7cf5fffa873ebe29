"""Write CSV and XLSX outputs (normalized ledgers, review files, reconcile and locate tables) in one way.

Two rules hold for every CSV this library writes:

* **Round trip.** A cell is quoted (RFC 4180, ``"`` doubled) when it holds the separator, a quote or any
  line-break character (``\\r``, ``\\n`` and the other characters :meth:`str.splitlines` breaks at:
  ``\\v \\f \\x1c \\x1d \\x1e \\x85 \\u2028 \\u2029``), so a reader gets back the rows that were written.
  Python's :mod:`csv` (and pandas) leave a bare ``\\r`` unquoted when the line ends with ``\\n``.
* **No formula injection** (OWASP "CSV injection"). Unless ``raw_cells=True``, a text cell (header
  included) that starts with ``=``, ``+``, ``-``, ``@``, a tab, ``\\r`` or ``\\n`` is written with a leading
  ``'`` so a spreadsheet shows it as text instead of running it. Plain numbers (``-12.5``, ``+86138…``,
  ``1e-3``) are left alone: a spreadsheet reads them as numbers, never as formulas.

XLSX (:class:`XlsxWriter`, openpyxl's write-only mode: rows are streamed to disk, memory stays flat) follows the
same neutralization rule, and more:

* every text is a *text cell* (``t="inlineStr"``), so ID numbers, 19/20-digit codes and phone numbers keep
  every digit and their leading zeros, never a number in scientific notation; even with ``raw_cells=True`` a
  cell starting with ``=`` is stored as text, never as a formula. Only real numbers (the confidence) are
  number cells;
* characters XML cannot hold (control characters other than tab / line breaks) become ``\ufffd``;
  a text longer than Excel's 32,767 characters is cut there; the count of such cells is
  :attr:`XlsxWriter.altered`;
* a sheet holds at most 1,048,576 rows (header included): a longer output raises :class:`InputError`.
"""

from __future__ import annotations

import re
from typing import IO, Any

import numpy as np
import pandas as pd

from ..errors import DataError, InputError

__all__ = ["FORMULA_TRIGGERS", "neutralize", "csv_chunk", "write_csv_chunk", "check_raw_cells", "XlsxWriter",
           "XLSX_MAX_ROWS", "XLSX_MAX_CELL_CHARS"]

#: rows of an Excel sheet (header included)
XLSX_MAX_ROWS = 1_048_576
#: characters an Excel cell holds
XLSX_MAX_CELL_CHARS = 32_767
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: first characters that make a spreadsheet read a cell as a formula (OWASP), plus ``\n``
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def check_raw_cells(raw_cells: Any) -> bool:
    """``raw_cells`` must be a bool (an :class:`InputError` otherwise)."""
    if not isinstance(raw_cells, bool):
        raise InputError(f"raw_cells must be True or False, got {raw_cells!r}")
    return raw_cells


def neutralize(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would read it as a formula.

    Examples
    --------
    >>> neutralize("=HYPERLINK(\\"http://x\\")"), neutralize("-12.5"), neutralize("文三路")
    ('\\'=HYPERLINK("http://x")', '-12.5', '文三路')
    """
    if text and text[0] in FORMULA_TRIGGERS and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _texts(values: Any) -> list[str]:
    out = []
    for v in values:
        if isinstance(v, str):
            out.append(v)
        elif v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
            out.append("")
        else:
            out.append(str(v))
    return out


def csv_chunk(df: pd.DataFrame, *, header: bool, raw_cells: bool = False, sep: str = ",") -> str:
    """The CSV text of ``df`` (lines end with ``\\n``), with the header line when ``header``."""
    special = re.compile("[" + re.escape('"' + sep) + _LINE_BREAKS + "]")
    single = df.shape[1] == 1  # one column: an empty cell is quoted, or its line would read as blank

    def column(texts: list[str]) -> list[str]:
        if not raw_cells:
            texts = [neutralize(t) if t and t[0] in FORMULA_TRIGGERS else t for t in texts]
        return ['"' + t.replace('"', '""') + '"' if special.search(t) or (single and not t) else t
                for t in texts]

    cols = [column(_texts(df.iloc[:, i].tolist())) for i in range(df.shape[1])]
    lines = []
    if header:
        lines.append(sep.join(column(_texts(df.columns))))
    lines.extend(sep.join(row) for row in zip(*cols))
    return "".join(line + "\n" for line in lines)


def write_csv_chunk(fh: IO[str], df: pd.DataFrame, *, header: bool, raw_cells: bool = False) -> None:
    """Write ``df`` to the text file ``fh`` (see :func:`csv_chunk`)."""
    fh.write(csv_chunk(df, header=header, raw_cells=raw_cells))


class XlsxWriter:
    """An ``.xlsx`` file written chunk by chunk (openpyxl write-only mode), one sheet.

    Parameters
    ----------
    path : str or Path
        Where :meth:`close` saves the workbook (use a temporary of :func:`~hangzhou_address.io._atomic.atomic_path`).
    raw_cells : bool, default False
        False: text cells a spreadsheet would run as a formula get a leading ``'`` (see :func:`neutralize`).
    sheet : str, default "Sheet1"
    number_columns : collection of str, optional
        Columns whose numbers (int / float) are written as number cells; every other value is a text cell.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.xlsx"
    >>> w = XlsxWriter(p, number_columns={"confidence"})
    >>> w.write(pd.DataFrame({"id": ["330106199001011234"], "confidence": [0.9]}), header=True)
    >>> w.close()
    >>> [[c.value for c in r] for r in openpyxl.load_workbook(p).active.iter_rows()]
    [['id', 'confidence'], ['330106199001011234', 0.9]]
    """

    def __init__(self, path: Any, *, raw_cells: bool = False, sheet: str = "Sheet1",
                 number_columns: Any = ()) -> None:
        try:
            import openpyxl
        except ImportError:  # pragma: no cover
            raise DataError("writing .xlsx needs openpyxl: pip install 'hangzhou_address[excel]'") from None
        from openpyxl.cell import WriteOnlyCell

        self.path, self.raw_cells = path, check_raw_cells(raw_cells)
        self.wb = openpyxl.Workbook(write_only=True)
        self.ws = self.wb.create_sheet(sheet)
        self.ws.freeze_panes = "A2"  # the header stays visible while scrolling
        self._cell = WriteOnlyCell
        self.number_columns = set(number_columns)
        self.rows = 0
        #: cells changed to fit the format (illegal characters replaced, cut at 32,767 characters)
        self.altered = 0

    def _text(self, text: str) -> Any:
        if not self.raw_cells and text and text[0] in FORMULA_TRIGGERS:
            text = neutralize(text)
        if _XML_ILLEGAL.search(text):
            text = _XML_ILLEGAL.sub("\ufffd", text)
            self.altered += 1
        if len(text) > XLSX_MAX_CELL_CHARS:
            text = text[:XLSX_MAX_CELL_CHARS]
            self.altered += 1
        if text.startswith("="):  # raw cells: text, never a formula
            cell = self._cell(self.ws, value=None)
            cell._value, cell.data_type = text, "s"
            return cell
        return text

    def _values(self, values: list[Any], numbers: bool) -> list[Any]:
        out: list[Any] = []
        for v in values:
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) or v == "":
                out.append(None)
            elif numbers and isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                out.append(v)
            else:
                out.append(self._text(v if isinstance(v, str) else str(v)))
        return out

    def write(self, df: pd.DataFrame, *, header: bool) -> None:
        """Append the rows of ``df`` (and its header first when ``header``)."""
        n = len(df) + (1 if header else 0)
        if self.rows + n > XLSX_MAX_ROWS:
            raise InputError(f"an .xlsx sheet holds at most {XLSX_MAX_ROWS:,} rows (header included); this output "
                             "has more: write .csv or .parquet instead")
        if header:
            self.ws.append(self._values([str(c) for c in df.columns], False))
        cols = [self._values(df.iloc[:, i].tolist(), str(c) in self.number_columns)
                for i, c in enumerate(df.columns)]
        for row in zip(*cols):
            self.ws.append(row)
        self.rows += n

    def close(self) -> None:
        """Save the workbook to ``path`` (a header-less empty sheet when nothing was written)."""
        self.wb.save(self.path)

    def discard(self) -> None:
        """Stop without saving (after an error): openpyxl's temporary row stream is closed and removed."""
        import contextlib
        import os

        with contextlib.suppress(Exception):
            self.ws.close()
        out = getattr(getattr(self.ws, "_writer", None), "out", None)
        if isinstance(out, str):
            with contextlib.suppress(OSError):
                os.remove(out)
