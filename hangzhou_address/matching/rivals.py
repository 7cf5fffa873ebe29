"""Rivals of a fuzzy reading (:mod:`hangzhou_address.matching.fuzzy`): other registry names with the building
number in scope that the written stretch is one slip (:func:`slip_rival`) or two edits (:func:`two_edit_rival`)
from — names a clerk's slips would write the same text for — and how arbitrary a reading's edits are
(:func:`arbitrary_edits`). The matcher turns them into reasons, confidence features and the 0.89 cap
(:mod:`hangzhou_address.matcher`). Everything below community level in the embedded data is SYNTHETIC.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import OSA

from .confusable import one_slip_apart
from .name_index import NameIndex
from .reading import Anchor, FuzzyCandidate, rows_in_scope, score, search_scopes
from .similarity import GENERIC_WORDS, strip_generic_suffix

if TYPE_CHECKING:  # pragma: no cover
    from ..resolve import Resolution

__all__ = ["MAX_ATTACHED", "MAX_RIVALS", "arbitrary_edits", "attached_rival", "may_be_meant", "slip_rival",
           "two_edit_rival"]

#: two-edit rivals of a reading looked at (``FuzzyOutcome.two_edit_rival``)
MAX_RIVALS = 32
#: characters right before a name read exactly that :func:`attached_rival` reads with it
MAX_ATTACHED = 2


def slip_rival(best: FuzzyCandidate, pool: tuple[dict[int, None], Callable[[int], bool]], names: NameIndex,
               index: Any, anchor: Anchor, scope: Resolution, consistent: Any) -> str | None:
    """The first name of the candidate pool (other than the best's) one slip from the best's written
    stretch that has the anchor's number (and group) in ``scope``, or None."""
    ids, has_number = pool
    for nid in ids:
        kind, name = names.names[nid]
        if name == best.name or not has_number(nid) or not one_slip_apart(name, best.written, names.costs):
            continue
        if rows_in_scope(index, kind, name, anchor, scope, consistent):
            return name
    return None


def two_edit_rival(best: FuzzyCandidate, fragment: str, others: list[FuzzyCandidate],
                   pool: tuple[dict[int, None], Callable[[int], bool]], names: NameIndex, index: Any,
                   anchor: Anchor, scope: Resolution, consistent: Any) -> tuple[str | None, tuple[str, ...]]:
    """The name of four characters or more, other than the best's, within two edits of the best's written
    stretch (:data:`rapidfuzz.distance.OSA`: a character dropped, added or replaced, or two adjacent ones
    swapped) — or of three characters within one edit — that has the anchor's number (and group) in ``scope`` — a runner-up, or any name of the scope's
    town or district (:meth:`NameIndex.within`: 戊源村 is two edits from 龙源庄村, though they share only 源), or
    of the candidate pool when the whole city is searched — with the edits of reading the best's written stretch
    and the characters the best leaves unexplained before it (the end of ``fragment``, the stretch the best
    reading was aligned with) as it, characters the rival leaves unexplained counted as ``added``; of
    several (at most :data:`MAX_RIVALS`), the one needing the fewest arbitrary characters, then the cheapest.
    ``(None, ())`` when there is none."""
    written = best.written
    found: dict[str, str] = {fc.name: fc.kind for fc in others
                             if _rival_distance(fc.name, written) and _keeps_a_stem_character(fc.kind, fc.name, written)}
    ids, has_number = pool
    # in a town or district, every name of it (a few hundred or thousand); in the whole city, the candidate pool
    # only (searching 10,000 names would cost more than the rest of the reading)
    scopes = search_scopes(scope)
    for nid in ((nid for code in scopes for nid in names.within(written, code, 2)) if scopes != ("",) else ids):
        if len(found) >= MAX_RIVALS:
            break
        kind, name = names.names[nid]
        if (name in found or name == best.name or not _rival_distance(name, written) or kind not in anchor.kinds
                or not _keeps_a_stem_character(kind, name, written) or not has_number(nid)
                or not rows_in_scope(index, kind, name, anchor, scope, consistent)):
            continue
        found[name] = kind
    ranked = []
    stretch = fragment[max(len(fragment) - len(written) - best.skipped, 0):]  # the written name, and what it leaves
    for name, kind in found.items():
        got = score(kind, name, stretch, names.costs, 9.0, edits=True)
        edits = (*got[2], *("? added",) * got[1]) if got is not None else ("? other character",)
        ranked.append((arbitrary_edits(edits), got[0] if got else 9.0, name, edits))
    if not ranked:
        return None, ()
    _arbitrary, _cost, name, edits = min(ranked)
    return name, edits


def attached_rival(norm: str, kind: str, name: str, number: int, group: int | None, building: str,
                   scope: Resolution, names: NameIndex, index: Any, consistent: Any,
                   names_a_division: Callable[[str], bool]) -> tuple[str, str] | None:
    """For an exact answer: another name, longer than ``name``, that the text's characters right before ``name``
    (at most :data:`MAX_ATTACHED` Han characters that neither a name the resolver read covers nor end a division
    name, ``names_a_division``) and ``name`` together are one edit from, that keeps those of them ``name`` lacks and
    has ``number`` (in village ``group`` when given) on another building than ``building`` in ``scope``:
    ``(written, rival)``, or None.

    湖陈北路252号 reads 陈北路 252号 exactly, 湖 left over; but 湖陈北路 is 湖头陈北路 with 头 dropped, and when that has
    a 252号 too the text does not say which (:func:`slip_rival` asks the same of fuzzy readings)."""
    pos = norm.rfind(name)
    hits = scope.hits

    def left_over(at: int) -> bool:  # a Han character no name the resolver read covers
        return at >= 0 and "\u3400" <= norm[at] <= "\u9fff" and not any(h[1] <= at < h[2] for h in hits)

    if not left_over(pos - 1):
        return None  # (most texts: a division name the resolver read ends right before the name)
    if any(names_a_division(norm[j:pos]) for j in range(max(pos - 6, 0), pos - 1)):
        return None  # (淳安桥泰路: 安 ends the district name 淳安, even where the resolver did not read it)
    for k in range(1, MAX_ATTACHED + 1):
        at = pos - k
        if not left_over(at):
            return None
        extra = set(norm[at:pos]) - set(name)
        if not extra:
            continue  # (联联荣路: a character of the name typed twice explains itself)
        written = norm[at:pos] + name
        for code in search_scopes(scope):
            for nid in names.within(written, code, 1):
                kind2, other = names.names[nid]
                if kind2 != kind or len(other) <= len(name) or not extra <= set(other):
                    continue
                for r in index.exact(kind, other, number):
                    if (group is None or index.group[r] in (group, -1)) and index.building(r) != building \
                            and consistent(scope, index, r):
                        return written, other
    return None


def arbitrary_edits(edits: tuple[str, ...], skipped: int = 0) -> int:
    """How many of a reading's ``edits`` are no slip of the IME or the eye — an arbitrary character
    (``other character``) or one the text adds — plus the ``skipped`` characters it leaves unexplained."""
    return skipped + sum(e.endswith(" other character") or (e.endswith(" added") and e[:-6] not in GENERIC_WORDS)
                         for e in edits)


def _keeps_a_stem_character(kind: str, name: str, written: str) -> bool:
    """Whether ``written`` keeps a character of ``name``'s distinctive part (its generic suffix aside): two edits
    can replace the whole of 安华 in 安华公寓, and every X公寓 with the number is no rival of 安滑公寓."""
    return any(ch in written for ch in strip_generic_suffix(name, kind))


def _rival_distance(name: str, written: str) -> bool:
    """Whether ``name`` is close enough to ``written`` to be a rival of its reading: two edits for a name of four
    characters or more (:func:`_two_edits_away`), one for a name of three (新源村 for 亲源村, read as 青源村: a
    look-alike the confusable table does not know is one arbitrary character)."""
    return _two_edits_away(name, written) or len(name) == 3 and OSA.distance(name, written, score_cutoff=1) <= 1


def _two_edits_away(name: str, written: str) -> bool:
    """Whether ``name`` has four characters or more and is at most two edits from ``written`` (a character
    dropped, added or replaced, or two adjacent ones swapped: :data:`rapidfuzz.distance.OSA`)."""
    return len(name) >= 4 and OSA.distance(name, written, score_cutoff=2) <= 2


def may_be_meant(candidate: FuzzyCandidate, written: str) -> bool:
    """Whether a fuzzy candidate is close enough to the ``written`` stretch to be what the text means: one
    edit (cost ≤ 1), or two edits of a name of four characters or more.

    Examples
    --------
    >>> fc = FuzzyCandidate("P", "董家桥村", "董驾村", 1.2, (), 0, ())
    >>> may_be_meant(fc, "董驾村"), may_be_meant(fc, "董驾")
    (True, False)
    """
    return candidate.cost <= 1.0 or _two_edits_away(candidate.name, written)
