"""The exact look-up structure over a registry's ``addresses`` table (:class:`AddressIndex`).

Compact by design: a full city has ~1.7 M address rows and every ledger worker holds one index, so
there are no per-row Python objects (see the class docstring).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["AddressIndex"]


class AddressIndex:
    """Exact and tolerant look-ups over the registry's addresses table.

    Compact by design (a full city has ~1.7 M address rows and every ledger worker holds one
    index): division codes are small integers into a list of distinct codes, building codes
    fixed-width bytes, the display text stays in its Arrow buffer, and the look-up structure is,
    per road / compound name, its rows sorted by number (exact look-up = binary search). No
    per-row Python objects: nothing for the garbage collector to traverse (an object array of
    1.7 M codes made every full collection cost ~40 ms).
    """

    def __init__(self, addresses: pd.DataFrame, aliases: pd.DataFrame | None = None) -> None:
        import numpy as np
        import pandas as pd

        from .normalize import normalize_key as _normalize_key

        n = len(addresses)
        self.district = _CodeColumn(addresses["district_code"])
        self.town = _CodeColumn(addresses["town_code"])
        self.community = _CodeColumn(addresses["community_code"])
        self._building = addresses["building_code"].astype(str).str.encode("utf-8").to_numpy(dtype="S")
        self._text = _text_store(addresses["text"] if "text" in addresses else addresses["building_code"])

        def norm_names(col: str) -> np.ndarray:
            codes, uniques = pd.factorize(addresses[col], use_na_sentinel=True)
            normed = np.array([_normalize_key(str(u)) for u in uniques] + [""], dtype=object)
            return normed[codes]  # -1 -> ""

        def ints(col: str) -> np.ndarray:
            if col not in addresses:
                return np.full(n, -1, dtype=np.int64)
            return pd.to_numeric(addresses[col], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)

        road = norm_names("road") if "road" in addresses else np.full(n, "", dtype=object)
        poi = norm_names("poi") if "poi" in addresses else np.full(n, "", dtype=object)
        self.roadno, self.houseno, self.group = ints("roadno"), ints("houseno"), ints("group")
        # per road ("R") / compound or village ("P"): its rows sorted by number, row order within a number
        self.name_slice: dict[str, tuple[np.ndarray, np.ndarray, int, int]] = {}
        for kind, col, num in (("R", road, self.roadno), ("P", poi, self.houseno)):
            idx = np.flatnonzero((col != "") & (num >= 0))
            codes_, uniq = pd.factorize(col[idx])
            order = np.lexsort((idx, num[idx], codes_))
            idx, codes_ = idx[order], codes_[order]
            nums = num[idx]
            cuts = np.searchsorted(codes_, np.arange(len(uniq) + 1)).tolist()
            self.name_slice.update(
                {kind + name: (idx, nums, a, b) for name, a, b in zip(uniq.tolist(), cuts[:-1], cuts[1:])})
        #: other names (``"R"`` / ``"P"`` + alias) -> (current name, alias kind, valid_to or None)
        self.alias_of: dict[str, tuple[str, str, str | None]] = {}
        if aliases is not None and len(aliases):
            self._add_aliases(aliases)

    def _add_aliases(self, aliases: pd.DataFrame) -> None:
        """Look-up entries for the aliases table's names: each alias gets the rows of its current name
        (in its district when the table says which), sorted by number like every entry."""
        import numpy as np

        from .normalize import alias_keys as _alias_keys
        from .normalize import normalize_key as _normalize_key

        has_d = "district_code" in aliases
        for row in aliases.itertuples(index=False):
            kind = "R" if row.kind == "road" else "P"
            got = self.name_slice.get(kind + _normalize_key(str(row.name)))
            if got is None:
                continue
            idx, nums, a, b = got
            rows, rnums = idx[a:b], nums[a:b]
            d = getattr(row, "district_code", None) if has_d else None
            if isinstance(d, str) and d:
                keep = np.array([self.district[int(r)] == d for r in rows], dtype=bool)
                rows, rnums = rows[keep], rnums[keep]
            if not len(rows):
                continue
            valid_to = row.valid_to if isinstance(getattr(row, "valid_to", None), str) and row.valid_to else None
            for key in _alias_keys(str(row.alias)):
                if kind + key not in self.name_slice:
                    self.name_slice[kind + key] = (rows, rnums, 0, len(rows))
                    self.alias_of[kind + key] = (_normalize_key(str(row.name)), str(row.alias_kind), valid_to)

    def building(self, r: int) -> str:
        return self._building[r].decode("utf-8")

    def text(self, r: int) -> str:
        return self._text(r)

    def exact(self, kind: str, name: str, number: int) -> list[int]:
        """Rows of ``name`` (road or compound) with door / building ``number``, in table order."""
        got = self.name_slice.get(kind + name)
        if got is None:
            return []
        rows, nums, a, b = got
        view = nums[a:b]
        lo = int(view.searchsorted(number))
        if lo == b - a or view[lo] != number:
            return []
        hi = int(view.searchsorted(number, side="right"))
        return rows[a + lo:a + hi].tolist()

    def rows_of(self, kind: str, name: str) -> Any:
        """Rows of road / compound ``name`` sorted by number (empty when unknown)."""
        got = self.name_slice.get(kind + name)
        return () if got is None else got[0][got[2]:got[3]]


class _CodeColumn:
    """A column of codes as int32 positions into its distinct values; ``column[row]`` is the code
    (None where missing)."""

    __slots__ = ("positions", "values")

    def __init__(self, series: Any) -> None:
        import numpy as np
        import pandas as pd

        positions, uniques = pd.factorize(series, use_na_sentinel=True)
        self.positions = positions.astype(np.int32)
        self.values: list[str | None] = [str(u) for u in uniques] + [None]  # position -1 -> None

    def __getitem__(self, row: int) -> str | None:
        return self.values[self.positions[row]]


def _text_store(col: Any) -> Any:
    """``row -> display text`` without one Python string per row (texts stay in Arrow buffers)."""
    try:
        import pyarrow as pa

        arr = pa.array(col, from_pandas=True)
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            raise TypeError(arr.type)
        return lambda r: arr[r].as_py() or ""
    except Exception:  # noqa: BLE001 - pyarrow missing or odd dtype: plain strings
        values = col.astype(str).to_numpy(dtype=object)
        return lambda r: values[r]
