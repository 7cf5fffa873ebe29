"""Write CSV outputs (normalized ledgers, review files, reconcile and locate tables) in one way.

Two rules hold for every CSV this library writes:

* **Round trip.** A cell is quoted (RFC 4180, ``"`` doubled) when it holds the separator, a quote or any
  line-break character (``\\r``, ``\\n`` and the other characters :meth:`str.splitlines` breaks at:
  ``\\v \\f \\x1c \\x1d \\x1e \\x85 \\u2028 \\u2029``), so a reader gets back the rows that were written.
  Python's :mod:`csv` (and pandas) leave a bare ``\\r`` unquoted when the line ends with ``\\n``.
* **No formula injection** (OWASP "CSV injection"). Unless ``raw_cells=True``, a text cell (header
  included) that starts with ``=``, ``+``, ``-``, ``@``, a tab, ``\\r`` or ``\\n`` is written with a leading
  ``'`` so a spreadsheet shows it as text instead of running it. Plain numbers (``-12.5``, ``+86138…``,
  ``1e-3``) are left alone: a spreadsheet reads them as numbers, never as formulas.
"""

from __future__ import annotations

import re
from typing import IO, Any

import pandas as pd

from ..errors import InputError

__all__ = ["FORMULA_TRIGGERS", "neutralize", "csv_chunk", "write_csv_chunk", "check_raw_cells"]

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
