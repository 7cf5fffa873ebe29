"""Reading the building part of an address: the door number after a road (文三路90号), the building
number after a compound (翠苑一区3幢, 47-6-746), group + house number after a village (和顺村5组971号, 第5组,
5队, 5-971号),
then unit / floor / room — after the names the division resolver found (:class:`BuildingPart`), and
what a reading leaves unexplained (:func:`coverage`)."""

from __future__ import annotations

import operator
import re
from typing import TYPE_CHECKING, Any

from .elements import DIVISION_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

    from ..resolve import DivisionResolver, Resolution
    from .division_spelling import Joined, Respelling
    from .fuzzy import FuzzyOutcome

__all__ = ["BuildingPart", "coverage"]

# building part after a road / compound name (normalized text: ASCII digits)
_ROADNO_RE = re.compile(r"\s*(?:第\s*)?(\d{1,5})\s*(号|弄)?")
_VILLAGE_RE = re.compile(r"\s*第?(\d{1,3})\s*[组队]\s*(\d{1,5})\s*号?")
#: a village's group and house number written with a dash (拔山村2-29号: group 2, house 29 — 号 after the second)
_VILLAGE_DASH_RE = re.compile(r"\s*(\d{1,3})\s*-\s*(\d{1,5})\s*号")
#: a second door number of the same road right after the first (江城路1号、3号; 1号和3号)
_MORE_DOOR_RE = re.compile(r"\s*[、,，/和及与]\s*(\d{1,5})\s*号")
#: a range of door numbers (江城路23至25号, 23号~25号): the text names more than one building
_DOOR_RANGE_RE = re.compile(r"\s*[至到~～]\s*(\d{1,5})\s*号")
_HOUSENO_RE = re.compile(r"\s*第?(\d{1,4})\s*(号楼|幢|栋|號|号|座|#|-|楼(?!\d*[层室]))")
_CELL_RE = re.compile(r"\s*(\d{1,2})\s*单元")
_FLOOR_RE = re.compile(r"\s*(\d{1,3})\s*(层|楼)")
_ROOM_RE = re.compile(r"\s*(\d{1,5})\s*(室|房)?")
_DASH_RE = re.compile(r"(\d{1,2})-(\d{1,5})(?!\d)|(\d{2,5})(?!\d)")
_START = operator.itemgetter(1)  # a span's start
#: characters that carry no element (separators a reading may leave uncovered)
_IGNORABLE = " ,，、.。;；:：-_/#()（）[]【】"
#: separators a PDF / Excel paste puts inside a name (the normalized text has no spaces between Han characters)
_NAME_SEPARATORS = frozenset(",，、.。;；:：-_/·・|")
_GENERIC_ROAD_RE = re.compile(r"([\u4e00-\u9fff]{1,8}?(?:大道|路|街|巷))\s*(\d{1,5})\s*号")


class BuildingPart:
    """Building-part elements read from the normalized text after the resolver's hits (:meth:`read`):
    spans and values per label, and the exact look-ups to make (``lookups``: kind ``"R"`` road / ``"P"``
    compound or village, name, number, group, whether the name starts a word)."""

    __slots__ = ("norm", "offsets", "spans", "values", "lookups", "div_as_poi", "fallback", "respelled", "joined")

    def __init__(self, norm: str, offsets: tuple[int, ...] | None) -> None:
        self.norm = norm
        self.offsets = offsets
        self.spans: list[tuple[str, int, int]] = []
        self.values: dict[str, Any] = {}
        self.lookups: list[tuple[str, str, int, int | None, bool]] = []
        self.div_as_poi: list[int] = []
        self.fallback: Resolution | None = None  # the reading with the compound name as a division
        #: misspelled division names read as the divisions they mean (``norm`` has them respelled)
        self.respelled: tuple[Respelling, ...] = ()
        #: separators pasted inside division names, dropped (``norm`` is without them)
        self.joined: tuple[Joined, ...] = ()

    def _add(self, label: str, start: int, end: int, value: Any) -> None:
        if label not in self.values:
            self.spans.append((label, start, end))
            self.values[label] = value

    def read(self, res: Resolution, resolver: DivisionResolver | None = None) -> None:  # noqa: C901
        norm = self.norm
        prev_end = 0
        tail_from = None
        values, spans = self.values, self.spans
        for label, start, end, name, gazetteer in res.hits:  # (Hit fields, unpacked: the hot loop)
            as_poi = label == "poi" or (gazetteer and label in ("district", "town", "community") and bool(
                _VILLAGE_RE.match(norm, end) or _HOUSENO_RE.match(norm, end)))
            if as_poi and label != "poi":
                self.div_as_poi.append(start)
            if not as_poi and label in DIVISION_LABELS:
                if label not in values:  # (self._add, inlined)
                    spans.append((label, start, end))
                    values[label] = name
                prev_end = end
                continue
            if not as_poi and label != "road":
                prev_end = end
                continue
            # (a separator between two Han characters is no word boundary: 雷-东村 may be 雷东村 pasted apart)
            before = start
            while before > prev_end and norm[before - 1] in _NAME_SEPARATORS:
                before -= 1
            boundary = (before == prev_end or before == 0 or not ("\u3400" <= norm[before - 1] <= "\u9fff")
                        # a division name the resolver left out before it (望江 + 桥山家园: 望江 heads 桥)
                        or resolver is not None and resolver.names_a_division(norm[prev_end:before]))
            prev_end = end
            if label == "road":
                m = _ROADNO_RE.match(norm, end)
                if m and (m.group(2) or m.end() == len(norm) or not norm[m.end():m.end() + 1].isdigit()):
                    self._add("road", start, end, name)
                    self._add("roadno", m.start(1), m.end(), int(m.group(1)))
                    self.lookups.append(("R", name, int(m.group(1)), None, boundary))
                    more = _MORE_DOOR_RE.match(norm, m.end()) if m.group(2) == "号" else None
                    more = more or _DOOR_RANGE_RE.match(norm, m.end())
                    if more:  # 江城路1号、3号, 江城路23至25号: another door number of the road (a look-up, no element)
                        self.lookups.append(("R", name, int(more.group(1)), None, boundary))
                    tail_from = tail_from or m.end()
                else:
                    self._add("road", start, end, name)
                continue
            m = _VILLAGE_RE.match(norm, end) or (_VILLAGE_DASH_RE.match(norm, end) if _is_village(name) else None)
            if m:
                self._add("poi", start, end, name)
                self._add("group", m.start(1), m.start(2), int(m.group(1)))
                self._add("houseno", m.start(2), m.end(), int(m.group(2)))
                self.lookups.insert(0, ("P", name, int(m.group(2)), int(m.group(1)), boundary))
                tail_from = m.end()
                continue
            m = _HOUSENO_RE.match(norm, end)
            if m:
                self._add("poi", start, end, name)
                h_end = m.end() if m.group(2) != "-" else m.end(1)
                self._add("houseno", m.start(1), h_end, int(m.group(1)))
                self.lookups.insert(0, ("P", name, int(m.group(1)), None, boundary))
                tail_from = m.end()
            else:
                self._add("poi", start, end, name)
        if tail_from is None:
            m = _GENERIC_ROAD_RE.search(norm)
            if m and "road" not in self.values:
                self._add("road", m.start(1), m.end(1), m.group(1))
                self._add("roadno", m.start(2), m.end(), int(m.group(2)))
                tail_from = m.end()
        if tail_from is not None and tail_from < len(norm):
            self._tail(tail_from)
        if len(self.spans) > 1:
            self.spans.sort(key=_START)

    def _tail(self, pos: int) -> None:
        norm = self.norm
        if pos < len(norm) and norm[pos - 1:pos] == "-" or norm[pos:pos + 1] == "-":
            m = _DASH_RE.match(norm, pos + (1 if norm[pos:pos + 1] == "-" else 0))
            if m:
                if m.group(1):
                    self._add("cellno", m.start(1), m.end(1), int(m.group(1)))
                    self._add("roomno", m.start(2), m.end(2), int(m.group(2)))
                else:
                    self._add("roomno", m.start(3), m.end(3), int(m.group(3)))
                return
        m = _CELL_RE.match(norm, pos)
        if m:
            self._add("cellno", m.start(1), m.end(), int(m.group(1)))
            pos = m.end()
        m = _FLOOR_RE.match(norm, pos)
        if m:
            self._add("floorno", m.start(1), m.end(), int(m.group(1)))
            pos = m.end()
        m = _ROOM_RE.match(norm, pos)
        if m and (m.group(2) or m.end() == len(norm.rstrip())):
            self._add("roomno", m.start(1), m.end(), int(m.group(1)))

    def explains(self, res: Resolution) -> bool:
        """Whether the registry-backed reading accounts for every character of the text (division,
        road and compound names of the registry, numbers with their unit words, punctuation): the
        statistical tagger has nothing left to find."""
        norm = self.norm
        if not norm or not self.lookups:
            return False
        covered = [(h[1], h[2], h[0]) for h in res.hits]  # (start, end, label)
        covered += self.spans and [(a, b, "") for _label, a, b in self.spans]
        covered.sort()
        pos = 0
        for a, b, label in covered:  # every gap between the covered stretches must be separators only
            if label == "outside" or a > pos and norm[pos:a].strip(_IGNORABLE):
                return False
            if b > pos:
                pos = b
        return pos >= len(norm) or not norm[pos:].strip(_IGNORABLE)

    def values_view(self) -> Mapping[str, Any]:
        values = self.values
        return {label: values[label] for label, _s, _e in self.spans}

    def elements(self, text: str) -> Mapping[str, str]:
        return {label: sub for label, _start, sub in self.positioned(text)}

    def positioned(self, text: str) -> list[tuple[str, int, str]]:
        """``(label, start in text, substring as written)`` in reading order."""
        off = self.offsets
        out = []
        for label, s, e in self.spans:
            if off is not None:
                s, e = off[s], off[e]
            out.append((label, s, text[s:e]))
        return out


def _is_village(name: str) -> bool:
    """Whether a compound / village name is a village's (``村``, not a compound's ``新村``)."""
    return name.endswith("村") and not name.endswith("新村")


#: numbers with their unit words and separators: what :func:`coverage` does not count
_EXPLAINED_RE = re.compile(r"\d+\s*(?:单元|号楼|号|幢|栋|座|弄|组|室|层|楼|房|户|#)?|[" + re.escape(" ,，、.。;；:：-_/#()（）[]【】") + "]")


def coverage(parts: BuildingPart, res: Resolution, outcome: FuzzyOutcome | None) -> tuple[int, bool]:
    """What the reading leaves unexplained: the number of characters nothing explains (names,
    digits; separators and numbers with their unit words do not count, nor the stretch a fuzzy
    reading explained), and whether a town / community was read from a bare name directly followed
    by a Han character that no name of the reading covers."""
    norm = parts.norm
    hits = res.hits
    spans = [(h[1], h[2]) for h in hits]
    if parts.spans:
        spans += [(a, b) for _label, a, b in parts.spans]
        spans.sort()
    gaps = ""
    pos = 0
    for a, b in spans:
        if a > pos:
            gaps += norm[pos:a]
        if b > pos:
            pos = b
    if pos < len(norm):
        gaps += norm[pos:]
    n = len(_EXPLAINED_RE.sub("", gaps)) if gaps else 0
    if outcome is not None:
        n -= len(outcome.best.written)
    bare = False
    starts = None
    for label, _start, end, text, _g in hits:
        if (label == "town" or label == "community") and end < len(norm) and "\u3400" <= norm[end] <= "\u9fff" \
                and not text.endswith(_DIVISION_SUFFIXES):
            if starts is None:
                starts = {a for a, _b in spans}
            if end not in starts:
                bare = True
                break
    return max(n, 0), bare


_DIVISION_SUFFIXES = ("街道", "镇", "乡", "村", "社区", "居委会", "村委会", "区", "县", "市")
