"""Reconcile two normalized ledgers: where do they contradict each other?

Rows are paired by an entity key (``key``: a licence number, an ID, a company name...) when one is
given, else by building code (``on``):

* ``moved`` — the same entity (key) at different buildings in A and B (only with ``key``; both
  rows have a building code);
* ``only_a`` / ``only_b`` — rows whose key (with ``key``) or building code (without) appears in one
  ledger only;
* ``attribute_diffs`` — different values in a column both ledgers share, for the same entity (with
  ``key``) or, without a key, for the same building where each ledger has exactly one row for it
  (a building with several rows on a side holds several entities that cannot be told apart: it is
  skipped and counted in ``skipped``);
* ``unmatched_a`` / ``unmatched_b`` — rows that cannot be placed: no building code (the normalizer
  did not match them) or, with ``key``, no key value. They are listed per side, never reported as a
  difference: a missing code is missing on both sides alike.

A key that appears on several rows of a side is likewise not paired (``skipped``); it still counts
for ``only_a`` / ``only_b``. Values are compared as text, a missing value (None, NaN, empty) equal to
an empty one. Row numbers (``row``, ``row_a``, ``row_b``) are 1-based positions in the ledger (the
header not counted), integers.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from ._privacy import columns_hint
from .i18n import COLUMNS_ZH
from .errors import InputError

__all__ = ["ReconcileResult", "reconcile"]

_IGNORE_EN = ("level", "confidence", "reasons", "district_code", "district_name", "town_code", "town_name",
              "community_code", "community_name", "point_grid_code")
#: the normalizer's own columns, in English and as ``--lang zh`` writes them: never compared as attributes
_IGNORE = set(_IGNORE_EN) | {COLUMNS_ZH[c] for c in _IGNORE_EN}


#: the columns the result tables add (``row`` is renamed ``row_`` instead when a ledger has one)
_OWN_COLUMNS = frozenset({"kind", "reason", "column", "value_a", "value_b", "row_a", "row_b"})
_ABOVE_BUILDING = re.compile(r"\d{4}|\d{6}|\d{9}|\d{12}|\d{15}")


def _above_building(codes: pd.Series) -> pd.Series:
    """Whether each code is one of a division or grid (all digits, 4 / 6 / 9 / 12 / 15 long)."""
    return codes.map(lambda c: bool(_ABOVE_BUILDING.fullmatch(c)))


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass(frozen=True)
class ReconcileResult:
    """Tables of disagreements between ledgers A and B (see :mod:`hangzhou_address.reconciliation`).

    Attributes
    ----------
    moved, only_a, only_b, attribute_diffs : pandas.DataFrame
        The disagreements.
    unmatched_a, unmatched_b : pandas.DataFrame
        Rows of each ledger that could not be placed (no building code, or no key), with a ``reason``.
    by : {'key', 'building'}
        How rows were paired.
    compared : int
        Pairs (keys or buildings) whose attributes were compared.
    skipped : int
        Keys or buildings present in both ledgers but not compared, because a side has several rows.
    """

    moved: pd.DataFrame
    only_a: pd.DataFrame
    only_b: pd.DataFrame
    attribute_diffs: pd.DataFrame
    unmatched_a: pd.DataFrame = field(default_factory=_empty)
    unmatched_b: pd.DataFrame = field(default_factory=_empty)
    by: Literal["key", "building"] = "building"
    compared: int = 0
    skipped: int = 0

    def counts(self) -> dict[str, int]:
        """Row counts of every table, by the label :meth:`summary` prints."""
        return {"same key, different building": len(self.moved), "only in A": len(self.only_a),
                "only in B": len(self.only_b), "attribute differences": len(self.attribute_diffs),
                "unmatched in A": len(self.unmatched_a), "unmatched in B": len(self.unmatched_b)}

    def summary(self) -> str:
        """Counts only (no row content), one per line, and how attributes were compared."""
        lines = [f"{k}: {v:,}" for k, v in self.counts().items()]
        what = "keys" if self.by == "key" else "buildings"
        lines.append(f"attributes compared for {self.compared:,} {what} present once in each ledger; "
                     f"{self.skipped:,} {what} skipped (several rows on a side)")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """All disagreements and unmatched rows in one table with a ``kind`` column."""
        parts = []
        for kind, df in (("moved", self.moved), ("only_a", self.only_a), ("only_b", self.only_b),
                         ("attribute_diff", self.attribute_diffs), ("unmatched_a", self.unmatched_a),
                         ("unmatched_b", self.unmatched_b)):
            if len(df):
                d = df.copy()
                d.insert(0, "kind", kind)
                parts.append(d)
        if not parts:
            return pd.DataFrame({"kind": []})
        return pd.concat(parts, ignore_index=True, sort=False)


def _text(s: pd.Series) -> pd.Series:
    """Cells as str, missing (None / NaN / NA) as ''."""
    s = s.astype(object)
    return s.where(s.notna(), "").astype(str).astype(object)


def _ident(s: pd.Series) -> pd.Series:
    """A code or key as compared: text without surrounding blanks ('' = missing)."""
    return _text(s).str.strip()


def _rows(positions: pd.Index | pd.Series | list[int]) -> pd.Series:
    return pd.Series(pd.array([int(p) + 1 for p in positions], dtype="Int64"))


def _with_row(df: pd.DataFrame, mask: pd.Series, extra: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """The rows of ``df`` under ``mask``, with their 1-based row number first (named ``row``, or
    ``row_`` ... when the ledger has a column of that name)."""
    name = "row"
    while name in df.columns:
        name += "_"
    out = df[mask.to_numpy()].reset_index(drop=True)
    out.insert(0, name, _rows(df.index[mask.to_numpy()]))
    for col, values in (extra or {}).items():
        out[col] = values[mask.to_numpy()].reset_index(drop=True)
    return out


def _once(ids: pd.Series) -> tuple[pd.Series, set[str]]:
    """Positions of ids present exactly once (id → position), and the ids present several times."""
    present = ids[ids != ""]
    counts = present.value_counts()
    single = present[present.map(counts) == 1]
    return pd.Series(single.index, index=single.to_numpy()), set(counts.index[counts > 1])


def reconcile(a: pd.DataFrame, b: pd.DataFrame, *, on: str = "code", key: str | None = None) -> ReconcileResult:
    """Compare two normalized ledgers (see the module docstring for what each table holds).

    Parameters
    ----------
    a, b : pandas.DataFrame
        The ledgers, e.g. two outputs of ``hzaddr normalize``.
    on : str
        The building code column (default ``code``; ``编码`` when both ledgers have that instead, as
        ``hzaddr normalize --lang zh`` writes them).
    key : str, optional
        An entity key column present in both (licence number, credit code...); without it rows
        are paired by building.

    Returns
    -------
    ReconcileResult

    Raises
    ------
    InputError
        A ledger lacks ``on`` or ``key``.

    Examples
    --------
    >>> a = pd.DataFrame({"licence": ["L1", "L2", "L3"], "code": ["B1", "B2", None], "floor": ["3", "5", "2"]})
    >>> b = pd.DataFrame({"licence": ["L1", "L2", "L3"], "code": ["B1", "B7", None], "floor": ["4", "5", "2"]})
    >>> r = reconcile(a, b, key="licence")
    >>> r.moved
      licence code_a code_b  row_a  row_b
    0      L2     B2     B7      2      2
    >>> r.attribute_diffs
      licence  row_a  row_b column value_a value_b
    0      L1      1      1  floor       3       4
    >>> len(r.unmatched_a), len(r.unmatched_b)  # L3 has no code on either side: not a difference
    (1, 1)
    """
    if on == "code" and all("code" not in df.columns and COLUMNS_ZH["code"] in df.columns for df in (a, b)):
        on = COLUMNS_ZH["code"]  # two outputs of ``hzaddr normalize --lang zh``: the code column is 编码
    for name, df in (("A", a), ("B", b)):
        for col in (on, key):
            if col is not None and col not in df.columns:
                raise InputError(f"ledger {name} has no column {col!r}; {columns_hint(df.columns, what='it')}")
        own = sorted(_OWN_COLUMNS & set(map(str, df.columns)) | ({key} & _OWN_COLUMNS if key else set()))
        if own:
            raise InputError(f"ledger {name} has column(s) {own} that the reconciliation's tables use for their own "
                             "values; rename them first")
    a = a.reset_index(drop=True)
    b = b.reset_index(drop=True)
    code_a, code_b = _ident(a[on]), _ident(b[on])
    # a code of a division or grid (4 / 6 / 9 / 12 / 15 characters: the row was matched above the building) places
    # no building: such rows are unmatched, never paired with another row of that district, town...
    above_a, above_b = _above_building(code_a), _above_building(code_b)
    reason_a = pd.Series("no building code", index=a.index).where(code_a == "", "")
    reason_b = pd.Series("no building code", index=b.index).where(code_b == "", "")
    reason_a[above_a] = "code of a division or grid, not of a building"
    reason_b[above_b] = "code of a division or grid, not of a building"
    code_a, code_b = code_a.where(~above_a, ""), code_b.where(~above_b, "")
    if key is not None:
        ids_a, ids_b = _ident(a[key]), _ident(b[key])
        for reason, ids in ((reason_a, ids_a), (reason_b, ids_b)):
            reason[ids == ""] = (reason[ids == ""] + ", no key").str.lstrip(", ")
    else:
        ids_a, ids_b = code_a, code_b
    only_a = _with_row(a, (ids_a != "") & ~ids_a.isin(set(ids_b)))
    only_b = _with_row(b, (ids_b != "") & ~ids_b.isin(set(ids_a)))
    unmatched_a = _with_row(a, reason_a != "", {"reason": reason_a})
    unmatched_b = _with_row(b, reason_b != "", {"reason": reason_b})

    once_a, several_a = _once(ids_a)
    once_b, several_b = _once(ids_b)
    common = set(ids_a) & set(ids_b) - {""}
    skipped = len(common & (several_a | several_b))
    paired = sorted(set(once_a.index) & set(once_b.index), key=lambda i: once_a[i])
    pos_a = [int(once_a[i]) for i in paired]
    pos_b = [int(once_b[i]) for i in paired]
    ident = key if key is not None else on

    if key is not None:
        ca, cb = code_a.iloc[pos_a].to_numpy(), code_b.iloc[pos_b].to_numpy()
        mv = (ca != "") & (cb != "") & (ca != cb)
        moved = pd.DataFrame({key: [paired[i] for i in range(len(paired)) if mv[i]],
                              f"{on}_a": ca[mv], f"{on}_b": cb[mv],
                              "row_a": _rows([p for p, m in zip(pos_a, mv) if m]),
                              "row_b": _rows([p for p, m in zip(pos_b, mv) if m])})
    else:
        moved = pd.DataFrame({f"{on}_a": [], f"{on}_b": [], "row_a": _rows([]), "row_b": _rows([])})

    shared = [c for c in a.columns if c in b.columns and c not in _IGNORE and c not in (on, key)]
    parts = []
    for order, col in enumerate(shared):
        va = _text(a[col]).iloc[pos_a].to_numpy()
        vb = _text(b[col]).iloc[pos_b].to_numpy()
        diff = va != vb
        if diff.any():
            parts.append(pd.DataFrame({ident: [paired[i] for i in range(len(paired)) if diff[i]],
                                       "_ra": [p for p, d in zip(pos_a, diff) if d],
                                       "_rb": [p for p, d in zip(pos_b, diff) if d], "_order": order,
                                       "column": col, "value_a": va[diff], "value_b": vb[diff]}))
    if parts:
        d = pd.concat(parts, ignore_index=True).sort_values(["_ra", "_order"], kind="stable")
        diffs = pd.DataFrame({ident: d[ident].to_numpy(), "row_a": _rows(d["_ra"]), "row_b": _rows(d["_rb"]),
                              "column": d["column"].to_numpy(), "value_a": d["value_a"].to_numpy(),
                              "value_b": d["value_b"].to_numpy()})
    else:
        diffs = pd.DataFrame({ident: [], "row_a": _rows([]), "row_b": _rows([]), "column": [], "value_a": [],
                              "value_b": []})
    return ReconcileResult(moved, only_a, only_b, diffs, unmatched_a, unmatched_b,
                           by="key" if key is not None else "building", compared=len(paired), skipped=skipped)
