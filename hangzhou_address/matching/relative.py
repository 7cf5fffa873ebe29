"""A place written relative to a building: ``梅屿路12弄123号对面`` (across from 123号), ``23号旁``, ``88号附近``,
``25号往东50米``.

The building read is where the text points from, not the place it means (across the road it may be in
another grid): the matcher keeps it as the answer — the best locator the text gives — with a reason, and holds
its confidence low (:data:`hangzhou_address.matcher._RELATIVE_CAP`). Only a word right after the last number the
reading used counts, with no other number after it (``台州路203-7号附近七古登教委宿舍5-7-1242`` names the
宿舍's building after it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .building_part import BuildingPart

__all__ = ["RELATIVE_WORDS", "relative_place"]

#: words that place an address relative to the building before them (longest first in the pattern)
RELATIVE_WORDS = ("斜对面", "对面", "对过", "旁边", "边上", "隔壁", "附近", "周边", "后面", "背后", "旁",
                  "东侧", "西侧", "南侧", "北侧", "东面", "西面", "南面", "北面", "东边", "西边", "南边", "北边")
_SEPARATORS = r"[\s,，、.。;；:：()（）\[\]【】-]*"
_RELATIVE_RE = re.compile(
    _SEPARATORS + r"(" + "|".join(sorted(RELATIVE_WORDS, key=len, reverse=True))
    + r"|[往向朝]?[东南西北]\s*\d{1,4}\s*(?:米|m|公里))")
_DIGIT_RE = re.compile(r"\d")
#: the elements that name the building (a door number, a building or house number)
_BUILDING_NUMBERS = frozenset({"roadno", "houseno"})


def relative_place(parts: BuildingPart) -> str | None:
    """The word that places the text's address relative to the building its last number names (``对面``,
    ``往东50米``), or None: the word must follow that number directly (separators aside) — a door, building or
    house number, not a unit, floor or room — and no number may follow the word."""
    if not parts.spans:
        return None
    label, _start, end = max(parts.spans, key=lambda sp: sp[2])
    if label not in _BUILDING_NUMBERS:
        return None  # (3单元502室对面: the flat across the landing, in the same building)
    m = _RELATIVE_RE.match(parts.norm, end)
    if m is None or _DIGIT_RE.search(parts.norm, m.end()) is not None:
        return None
    return m.group(1)
