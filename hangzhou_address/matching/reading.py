"""A reading of a stretch of text as a registry name, for the fuzzy stage (:mod:`hangzhou_address.matching.fuzzy`)
and the rival names it is compared with (:mod:`hangzhou_address.matching.rivals`): the number that anchors it
(:class:`Anchor`), the weighted cost of reading the stretch as a name (:func:`score`, generic suffixes dropped,
added or exchanged), the codes whose names are searched (:func:`search_scopes`) and the address rows a name's
number has there (:func:`rows_in_scope`). Everything below community level in the embedded data is SYNTHETIC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .similarity import GENERIC_SUFFIXES, SUFFIX_CHANGED, SUFFIX_COST, CharCosts, align, strip_generic_suffix

if TYPE_CHECKING:  # pragma: no cover
    from ..resolve import Resolution

__all__ = ["Anchor", "FuzzyCandidate", "rows_in_scope", "score", "search_scopes"]


@dataclass(frozen=True, slots=True)
class FuzzyCandidate:
    """A registry name the text may mean, with the building(s) its number names there."""

    kind: str  # "R" road, "P" compound / village
    name: str
    written: str  # the stretch of the text read as this name
    cost: float
    edits: tuple[str, ...]
    skipped: int  # characters of the stretch before the name that it does not explain
    rows: tuple[int, ...]  # address rows with the number, consistent with the scope


@dataclass(frozen=True, slots=True)
class Anchor:
    """A building number with its unit word in the text (``76号``, ``3幢``, ``5组971号``): ``start`` of it in the
    normalized text, the ``number``, the village ``group`` (or None) and the name ``kinds`` it can follow
    (``"R"`` road, ``"P"`` compound / village)."""

    start: int
    number: int
    group: int | None
    kinds: tuple[str, ...]


def search_scopes(scope: Resolution) -> tuple[str, ...]:
    """The codes whose names are searched for a reading in ``scope``: its town, else its district and the
    pre-2021 districts written for it (江干区 → 上城区, but 白杨街道's 义蓬中路 was in 江干区 and is in 钱塘区
    now: the :class:`NameIndex` lists it under 330104), else the whole city (``""``)."""
    if scope.town_code:
        return (scope.town_code,)
    if scope.district_code:
        return (scope.district_code, *sorted(set(scope.written_districts) - {scope.district_code}))
    return ("",)


def rows_in_scope(index: Any, kind: str, name: str, anchor: Anchor, scope: Resolution,
                  consistent: Any) -> tuple[int, ...]:
    """The address rows of ``name`` with the anchor's number (and group, or none) that agree with ``scope``."""
    rows = index.exact(kind, name, anchor.number)
    if anchor.group is not None:
        rows = [r for r in rows if index.group[r] in (anchor.group, -1)]
    return tuple(r for r in rows if consistent(scope, index, r))


_VILLAGE_SUFFIXES = ("村", "社区")
#: the generic words that end a road's name
_ROAD_WORDS = GENERIC_SUFFIXES["R"]


def _suffix_family(suffix: str) -> str:
    """``"road"``, ``"village"`` or ``"compound"``: generic suffixes interchangeable with each other."""
    if suffix in GENERIC_SUFFIXES["R"]:
        return "road"
    return "village" if suffix in _VILLAGE_SUFFIXES else "compound"


def score(kind: str, name: str, fragment: str, costs: CharCosts, limit: float, *, edits: bool = False,
           rows: dict | None = None):
    """``(cost, skipped, edits)`` of reading the end of ``fragment`` as ``name``, or None when it
    costs more than ``limit``. Tried: the name against the fragment; the name without its generic
    suffix when the fragment lacks it (顾家畈 for 顾家畈路); the fragment without a generic suffix
    the name lacks (翠苑小区 for 翠苑); both without their (different) suffixes (+ both costs). A fragment that ends
    with a road's generic word (路, 街, 大道 …) is no compound or village whose name lacks that word (None)."""
    if kind == "P" and fragment.endswith(_ROAD_WORDS) and not any(
            fragment.endswith(w) and w in name for w in _ROAD_WORDS):
        # the text writes a road (桃源路100幢): no compound or village without that word (桃源溪村, its 溪 read
        # as 路; 官路村 with 村 dropped keeps its 路)
        return None
    stem = strip_generic_suffix(name, kind)
    frag_stem = strip_generic_suffix(fragment, kind)
    name_suffix, frag_suffix = name[len(stem):], fragment[len(frag_stem):]
    if name_suffix and frag_suffix and name_suffix != frag_suffix:
        # 翠苑小区 for 翠苑花园 (a compound's suffix for another), 星长花园小区 for 星长花园 (one added); a village's
        # 村 is not a compound's 新村, and a compound's 花园 is not added to a village (千岛湖炸花园 is no 千岛湖村)
        tries = [(name, fragment, 0.0, "")]
        if _suffix_family(name_suffix) == _suffix_family(frag_suffix):
            tries.append((name, frag_stem, SUFFIX_COST, f"{frag_suffix} added"))
            tries.append((stem, frag_stem, SUFFIX_CHANGED, f"{name_suffix} written {frag_suffix}"))
    else:
        tries = [(name, fragment, 0.0, "")]
        if name_suffix and not frag_suffix:
            tries.append((stem, fragment, SUFFIX_COST, f"{name_suffix} dropped"))
        elif frag_suffix and not name_suffix:
            tries.append((name, frag_stem, SUFFIX_COST, f"{frag_suffix} added"))
    best = None
    for target, text, extra, note in tries:
        # (a try that cannot beat the best so far is skipped; a tie may still win on fewer skipped characters)
        bound = limit if best is None else min(limit, best[0])
        if extra > bound:
            continue
        al = align(target, text, costs, max_cost=bound - extra, edits=edits, memo=rows)
        cost = al.cost + extra
        if cost <= limit and (best is None or (cost, al.skipped) < (best[0], best[1])):
            best = (round(cost, 4), al.skipped, al.edits + ((note,) if note and edits else ()) if edits else ())
            if cost == 0:
                break
    return best
