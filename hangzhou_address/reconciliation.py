"""Reconcile two normalized ledgers: where do they contradict each other?

Joined by building code (``on``), and optionally by an entity key (``key``: a licence number,
an ID, a company name...):

* ``moved`` — the same entity (key) at different buildings in A and B;
* ``only_a`` / ``only_b`` — records whose building (or key) appears in one ledger only;
* ``attribute_diffs`` — the same building with different values in columns both ledgers share.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ._privacy import columns_hint
from .errors import InputError

__all__ = ["ReconcileResult", "reconcile"]

_IGNORE = {"level", "confidence", "reasons", "district_code", "district_name", "town_code", "town_name",
           "community_code", "community_name", "point_grid_code"}


@dataclass(frozen=True)
class ReconcileResult:
    """Tables of disagreements between ledgers A and B."""

    moved: pd.DataFrame
    only_a: pd.DataFrame
    only_b: pd.DataFrame
    attribute_diffs: pd.DataFrame

    def counts(self) -> dict[str, int]:
        return {"same key, different building": len(self.moved), "only in A": len(self.only_a),
                "only in B": len(self.only_b), "attribute differences": len(self.attribute_diffs)}

    def summary(self) -> str:
        return "\n".join(f"{k}: {v:,}" for k, v in self.counts().items())

    def to_frame(self) -> pd.DataFrame:
        """All disagreements in one table with a ``kind`` column."""
        parts = []
        for kind, df in (("moved", self.moved), ("only_a", self.only_a), ("only_b", self.only_b),
                         ("attribute_diff", self.attribute_diffs)):
            if len(df):
                d = df.copy()
                d.insert(0, "kind", kind)
                parts.append(d)
        if not parts:
            return pd.DataFrame({"kind": []})
        return pd.concat(parts, ignore_index=True, sort=False)


def reconcile(a: pd.DataFrame, b: pd.DataFrame, *, on: str = "code", key: str | None = None) -> ReconcileResult:
    """Compare two normalized ledgers (see the module docstring).

    Rows without a code (unmatched) take part only through ``key``.
    """
    for name, df in (("A", a), ("B", b)):
        for col in (on, key):
            if col is not None and col not in df.columns:
                raise InputError(f"ledger {name} has no column {col!r}; {columns_hint(df.columns, what='it')}")
    a = a.reset_index(drop=True)
    b = b.reset_index(drop=True)
    if key is not None:
        ka = a[[key, on]].assign(row_a=a.index + 1)
        kb = b[[key, on]].assign(row_b=b.index + 1)
        j = ka.merge(kb, on=key, how="outer", suffixes=("_a", "_b"), indicator=True)
        both = j[j["_merge"] == "both"]
        moved = both[both[f"{on}_a"].astype(str) != both[f"{on}_b"].astype(str)].drop(columns="_merge")
        only_a = a.loc[j.loc[j["_merge"] == "left_only", "row_a"].astype(int) - 1].assign(
            row=lambda d: d.index + 1)
        only_b = b.loc[j.loc[j["_merge"] == "right_only", "row_b"].astype(int) - 1].assign(
            row=lambda d: d.index + 1)
    else:
        moved = pd.DataFrame()
        ca = set(a[on].dropna().astype(str)) - {""}
        cb = set(b[on].dropna().astype(str)) - {""}
        only_a = a[a[on].astype(str).isin(ca - cb)].assign(row=lambda d: d.index + 1)
        only_b = b[b[on].astype(str).isin(cb - ca)].assign(row=lambda d: d.index + 1)
    shared = [c for c in a.columns if c in b.columns and c not in _IGNORE and c not in (on, key)]
    fa = a[a[on].notna() & (a[on].astype(str) != "")].drop_duplicates(on)
    fb = b[b[on].notna() & (b[on].astype(str) != "")].drop_duplicates(on)
    m = fa[[on, *shared]].merge(fb[[on, *shared]], on=on, suffixes=("_a", "_b"))
    rows = []
    for col in shared:
        va, vb = m[f"{col}_a"].astype(str), m[f"{col}_b"].astype(str)
        diff = va != vb
        for code, x, y in zip(m.loc[diff, on], va[diff], vb[diff]):
            rows.append((code, col, x, y))
    diffs = pd.DataFrame(rows, columns=[on, "column", "value_a", "value_b"])
    return ReconcileResult(moved.reset_index(drop=True), only_a.reset_index(drop=True),
                           only_b.reset_index(drop=True), diffs)
