"""Assembling a parse's elements: the registry-backed reading and the statistical tagger's, in reading
order (:func:`merge_elements`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..resolve import Resolution

__all__ = ["DIVISION_LABELS", "TAGGER_LABELS", "merge_elements"]


#: labels taken from the statistical tagger (hangzhou_address.tagger, dev micro-F1 0.861)
TAGGER_LABELS = frozenset({"devzone", "road", "subroad", "roadno", "subroadno", "poi", "subpoi", "houseno",
                            "cellno", "floorno", "roomno", "person", "assist", "otherinfo"})
#: division labels: read by the registry-backed resolver (which also decides their codes), or by the tagger
#: where the resolver reads none (divisions outside Hangzhou, names the registry does not list)
DIVISION_LABELS = frozenset({"prov", "city", "district", "town", "community"})
_CODE_OF = {"district": "district_code", "town": "town_code", "community": "community_code"}


def merge_elements(text: str, resolved: list[tuple[str, int, str]], runs: Any,
                    determined: Resolution | None = None) -> dict[str, str]:
    """Elements in reading order (``resolved``: the resolver's ``(label, start, substring)`` in
    reading order; ``runs``: the tagger's ``(label, start, end)`` runs in order, empty when it did
    not run; ``determined``: the resolution, whose codes say which division names decided them).

    * the tagger's labels (:data:`TAGGER_LABELS`): its first run of each; the resolver's reading of
      them (road and door number of the registry...) only where the tagger found none of them;
    * the divisions: the resolver's names, except one that overlaps an element of the tagger and
      did not decide a code (a name inside a compound or road name: 南苑 in 南苑国际, 三江 in
      三江国际花园; but 清波 in 清波亿诚嘉园 decides 清波街道 and stays); where the resolver has none
      of a label, the tagger's first run of it (two characters or more) that overlaps nothing
      already taken.

    Measured on the dev split (``bench/bench_parse.py``): division elements F1 0.475 → 0.91 (the
    resolver reads only Hangzhou's divisions), the other labels unchanged.
    """
    if not runs:  # the tagger did not run: the registry-backed reading, already in reading order
        return {label: sub for label, _start, sub in resolved}
    taken: dict[str, tuple[int, int, str]] = {}  # label -> (start, end, substring)
    divisions = []  # the tagger's division runs
    for label, a, b in runs:
        if label in TAGGER_LABELS:
            if label not in taken:
                taken[label] = (a, b, text[a:b])
        elif label in DIVISION_LABELS and b - a >= 2:
            divisions.append((label, a, b))
    tagged = list(taken.values())  # in reading order
    first = tagged[0][0] if tagged else len(text)
    for label, start, sub in resolved:
        if label in taken or (label in TAGGER_LABELS and tagged):
            continue
        end = start + len(sub)
        # (the usual case: a division written before everything the tagger found)
        if (end <= first or label not in DIVISION_LABELS or _decided(determined, label)
                or not any(a < end and start < b for a, b, _sub in tagged)):
            taken[label] = (start, end, sub)
    for label, a, b in divisions:
        if label not in taken and not any(x < b and a < y for x, y, _sub in taken.values()):
            taken[label] = (a, b, text[a:b])
    return {label: sub for label, (_a, _b, sub) in sorted(taken.items(), key=_by_position)}


def _decided(res: Resolution | None, label: str) -> bool:
    """Whether ``res`` determines the code at the level of a division ``label`` (district, town, community)."""
    field = _CODE_OF.get(label)
    return res is not None and field is not None and getattr(res, field) is not None


def _by_position(item: tuple[str, tuple[int, ...]]) -> int:
    return item[1][0]
