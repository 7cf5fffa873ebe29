"""Old codes keep working: any code ever issued resolves to the current code(s) of the same place.

:func:`resolve_code` follows the lineage (``old_code → new_code``, with dates and reasons) from a code to
the codes that are current today, and says what happened on the way: ``current``, ``recoded`` (one
current successor: a re-grid, a renumbered town), ``split`` (several: 江干区 → 上城区 + 钱塘区), ``retired``
(no successor: a demolished building) or ``unknown`` (never issued). :func:`upgrade_codes` does the same
for a whole column of a ledger, vectorized over a mapping built once per registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..registry import Registry

__all__ = ["CodeStatus", "LineageStep", "resolve_code", "upgrade_codes", "STATUSES"]

#: what :func:`resolve_code` can say of a code
STATUSES = ("current", "recoded", "split", "retired", "unknown")
#: longest lineage chain followed (a guard against a corrupt lineage with a cycle)
_MAX_STEPS = 64


@dataclass(frozen=True, slots=True)
class LineageStep:
    """One lineage row: ``old_code`` became ``new_code`` (None: retired without successor)."""

    old_code: str
    new_code: str | None
    date: str | None
    reason: str
    change_id: str | None = None


@dataclass(frozen=True, slots=True)
class CodeStatus:
    """What became of a code: its status (:data:`STATUSES`), the current code(s), the lineage steps
    followed (in order) and a one-line reason."""

    code: str
    status: str
    current: tuple[str, ...]
    chain: tuple[LineageStep, ...]
    reason: str

    @property
    def current_code(self) -> str | None:
        """The one current code (None when split, retired or unknown)."""
        return self.current[0] if len(self.current) == 1 else None


class _Lineage:
    """The registry's lineage as a successor map, and the set of codes current today."""

    def __init__(self, registry: Registry) -> None:
        lin = registry.lineage
        self.succ: dict[str, list[LineageStep]] = {}
        cid = lin["change_id"] if "change_id" in lin else [None] * len(lin)
        for o, n, d, r, c in zip(lin["old_code"], lin["new_code"], lin["date"], lin["reason"], cid):
            if not isinstance(o, str):
                continue
            step = LineageStep(o, n if isinstance(n, str) and n else None, d if isinstance(d, str) else None,
                               r if isinstance(r, str) else "", c if isinstance(c, str) else None)
            self.succ.setdefault(o, []).append(step)
        divs = registry.divisions
        self.current: set[str] = set(divs.loc[divs["status"] == "active", "code"])
        self.retired: dict[str, str | None] = {c: v if isinstance(v, str) else None for c, v in zip(
            divs.loc[divs["status"] != "active", "code"], divs.loc[divs["status"] != "active", "valid_to"])}
        for table in ("grids", "buildings"):
            if not registry.has_table(table):
                continue
            t = registry.require(table)
            codes = t["code"].to_numpy(dtype=object)
            active = (t["status"] == "active").to_numpy() if "status" in t else np.ones(len(t), dtype=bool)
            self.current.update(codes[active].tolist())
            vt = t["valid_to"].to_numpy(dtype=object) if "valid_to" in t else np.full(len(t), None, dtype=object)
            for c, v in zip(codes[~active].tolist(), vt[~active].tolist()):
                self.retired[c] = v if isinstance(v, str) else None
        # retired 2020 districts whose successors the lineage table does not list, or lists only in part
        # (the embedded lineage has 江干区 → 上城区 only; the registry knows 上城区 + 钱塘区)
        for code in list(self.retired):
            if len(code) == 6 and hasattr(registry, "current"):
                try:
                    news = registry.current(code)
                except Exception:  # noqa: BLE001 - not a division of this registry
                    news = ()
                listed = {s.new_code for s in self.succ.get(code, ())}
                for n in news:
                    if n not in listed:
                        self.succ.setdefault(code, []).append(
                            LineageStep(code, n, None, "2021 district reorganization: part of its territory", None))

    def resolve(self, code: str) -> CodeStatus:
        if code in self.current and code not in self.succ:
            return CodeStatus(code, "current", (code,), (), "current")
        if code not in self.succ:
            if code in self.retired:
                when = self.retired[code]
                return CodeStatus(code, "retired", (), (), f"retired{' on ' + when if when else ''}; no successor")
            return CodeStatus(code, "unknown", (), (), "never issued in this registry")
        chain: list[LineageStep] = []
        ends: list[str] = []
        dead: list[LineageStep] = []
        frontier, seen = [code], {code}
        while frontier and len(chain) < _MAX_STEPS:
            nxt = []
            for c in frontier:
                steps = self.succ.get(c)
                if not steps:
                    if c in self.current:
                        ends.append(c)
                    continue
                for s in steps:
                    chain.append(s)
                    if s.new_code is None:
                        dead.append(s)
                    elif s.new_code not in seen:
                        seen.add(s.new_code)
                        nxt.append(s.new_code)
            frontier = nxt
        ends = list(dict.fromkeys(ends))
        why = "; ".join(dict.fromkeys(f"{s.reason}{' (' + s.date + ')' if s.date and s.date not in s.reason else ''}"
                                      for s in chain if s.reason))
        if not ends:
            return CodeStatus(code, "retired", (), tuple(chain), why or "retired; no successor")
        return CodeStatus(code, "recoded" if len(ends) == 1 else "split", tuple(ends), tuple(chain), why)


def _lineage_of(registry: Registry) -> _Lineage:
    return registry.cached("lifecycle_lineage", lambda: _Lineage(registry))


def resolve_code(code: Any, *, registry: Registry) -> CodeStatus:
    """What became of ``code`` (any level, any code ever issued): see :class:`CodeStatus`.

    Examples
    --------
    >>> from hangzhou_address import default_registry
    >>> s = resolve_code("330104", registry=default_registry())   # 江干区, abolished in 2021
    >>> s.status, s.current
    ('split', ('330102', '330114'))
    """
    from ..codes import normalize_code

    return _lineage_of(registry).resolve(normalize_code(code))


def _table(registry: Registry) -> dict[str, tuple[str | None, str, str, int]]:
    """Code → (current code or None, status, reason, number of current codes) for every code the
    lineage names (current codes not named are looked up in the current set)."""
    def build() -> dict[str, tuple[str | None, str, str, int]]:
        lin = _lineage_of(registry)
        out = {}
        for code in lin.succ:
            s = lin.resolve(code)
            out[code] = (";".join(s.current) if s.current else None, s.status, s.reason, len(s.current))
        for code, when in lin.retired.items():
            if code not in out:
                out[code] = (None, "retired", f"retired{' on ' + when if when else ''}; no successor", 0)
        return out

    return registry.cached("lifecycle_upgrades", build)


_UNKNOWN = (None, "unknown", "never issued in this registry")
_MISSING = (None, "unknown", "missing or not a string")


def _index(registry: Registry) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """Every code the registry knows (lineage-named and current) as an Arrow string array, with each one's
    current code(s), status and reason, then the rows of an unknown and of a missing code: one hash
    look-up per input code (built once per registry)."""
    def build() -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
        import pyarrow as pa

        table = _table(registry)
        extra = [c for c in _lineage_of(registry).current if c not in table]
        vals = [*table.values(), _UNKNOWN, _MISSING]
        codes = pa.array(list(table) + extra, type=pa.string())
        n = len(table)
        cur = np.array([v[0] for v in vals[:n]] + extra + [None, None], dtype=object)
        status = np.array([v[1] for v in vals[:n]] + ["current"] * len(extra) + [_UNKNOWN[1], _MISSING[1]],
                          dtype=object)
        reason = np.array([v[2] for v in vals[:n]] + ["current"] * len(extra) + [_UNKNOWN[2], _MISSING[2]],
                          dtype=object)
        return codes, cur, status, reason

    return registry.cached("lifecycle_upgrade_index", build)


def upgrade_codes(codes: Iterable[Any], *, registry: Registry) -> pd.DataFrame:
    """The current code of each of ``codes`` (vectorized; one row per input, in order).

    Codes are looked up after removing surrounding white space and upper-casing (``x`` check
    characters); anything but a string is "unknown" (reason "missing or not a string").

    Returns
    -------
    DataFrame
        ``input``, ``current_code`` (several joined by ``;`` when the place was split; None when retired
        or unknown), ``status`` (:data:`STATUSES`), ``reason``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(codes, pd.Series):
        arr = codes.to_numpy(dtype=object)
    elif isinstance(codes, np.ndarray):
        arr = codes.astype(object, copy=False)
    else:
        arr = np.empty(len(codes) if isinstance(codes, (list, tuple)) else 0, dtype=object)
        items = codes if isinstance(codes, (list, tuple)) else list(codes)
        if len(arr) != len(items):
            arr = np.empty(len(items), dtype=object)
        arr[:] = items
    index, cur_of, status_of, reason_of = _index(registry)
    unknown, missing = len(index), len(index) + 1
    try:  # strings and missing values (None, NaN): straight to Arrow
        keys = pa.array(arr, type=pa.string(), from_pandas=True)
        valid = None if keys.null_count == 0 else keys.is_valid().to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # other types among them: those are "missing"
        valid = np.fromiter((isinstance(x, str) for x in arr), dtype=bool, count=len(arr))
        keys = pa.array(np.where(valid, arr, None), type=pa.string())
    keys = pc.utf8_upper(pc.utf8_trim_whitespace(keys))
    pos = pc.index_in(keys, value_set=index).fill_null(unknown).to_numpy().astype(np.intp)
    if valid is not None:
        pos[~valid] = missing
    cur, status, reason = cur_of[pos], status_of[pos], reason_of[pos]
    # object columns as they are: inferring a string dtype would cost more than the whole look-up
    return pd.DataFrame({"input": pd.Series(arr, dtype=object, copy=False),
                         "current_code": pd.Series(cur, dtype=object, copy=False),
                         "status": pd.Series(status, dtype=object, copy=False),
                         "reason": pd.Series(reason, dtype=object, copy=False)}, copy=False)
