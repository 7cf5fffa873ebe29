"""Registry names one slip apart (:class:`Confusables`): a name that one dropped character, one pair of
swapped characters or one same-sounding / look-alike character turns into another registry name.

An exact answer is only as sure as the text is clean: ``东村2组47号`` names 东村 exactly, but a clerk who
dropped a character of 雷东村 writes the same text, and when 雷东村 also has a 2组47号 nothing in the text
tells the two apart. The confidence model (:mod:`hangzhou_address.matching.confidence`) gets this as a
feature (``exact_confusable``) of exact answers; the answer itself does not change.

Built from the address index's names alone (no pinyin index: the exact mode needs it too), in well under
a second for a full city.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .similarity import FUZZY_PINYIN, CharCosts

__all__ = ["Confusables", "one_slip_apart", "same_length_slip"]


def one_slip_apart(a: str, b: str, costs: CharCosts) -> bool:
    """Whether ``b`` is ``a`` after one slip: a character dropped or added, two adjacent characters
    swapped, or one character replaced by a same-sounding or look-alike one.

    Examples
    --------
    >>> c = CharCosts()
    >>> one_slip_apart("雷东村", "东村", c), one_slip_apart("昌庆路", "庆昌路", c)
    (True, True)
    >>> one_slip_apart("文三路", "文山路", c), one_slip_apart("文三路", "文化路", c)
    (True, False)
    """
    if a == b:
        return False
    la, lb = len(a), len(b)
    if la < lb:
        a, b, la, lb = b, a, lb, la
    if la - lb == 1:
        return any(a[:i] + a[i + 1:] == b for i in range(la))
    return la == lb and same_length_slip(a, b, costs) is not None


def same_length_slip(a: str, b: str, costs: CharCosts, max_cost: float = FUZZY_PINYIN) -> str | None:
    """The one slip turning ``a`` into ``b`` of the same length — one character replaced by one costing at
    most ``max_cost`` (:meth:`CharCosts.substitution`: same-sounding, look-alike…), or two adjacent characters
    swapped — as an edit (``"巷→港 look-alike"``, ``"湖西 swapped"``); None when there is no such slip.

    Examples
    --------
    >>> c = CharCosts()
    >>> same_length_slip("米市巷", "米市港", c), same_length_slip("西湖", "湖西", c), same_length_slip("西湖", "西湖", c)
    ('巷→港 look-alike', '西湖 swapped', None)
    """
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        k = diff[0]
        return f"{a[k]}→{b[k]} {costs.kind(a[k], b[k])}" if costs.substitution(a[k], b[k]) <= max_cost else None
    if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
        return f"{a[diff[0]]}{a[diff[1]]} swapped"
    return None


class Confusables:
    """For each road / compound / village name of an address index, the names of the same kind one slip
    apart (:func:`one_slip_apart`), city-wide; :meth:`rival` asks whether one of them has the same number.

    Parameters
    ----------
    index : hangzhou_address.matching.address_index.AddressIndex
        Its ``name_slice`` keys (``"R" + road`` / ``"P" + name``) are the names.
    costs : CharCosts, optional
        Substitution costs (a new instance by default).
    """

    def __init__(self, index: Any, costs: CharCosts | None = None) -> None:
        self.index = index
        costs = costs if costs is not None else CharCosts()
        names = sorted(key for key in index.name_slice if len(key) >= 3)  # "R" / "P" + name: one kind each
        known = set(names)
        pairs: set[tuple[str, str]] = set()
        masked: dict[tuple[int, str, str], list[str]] = {}
        for a in names:
            for i in range(1, len(a)):  # (position 0 is the kind)
                shorter = a[:i] + a[i + 1:]
                if shorter in known:  # a dropped character
                    pairs.add((a, shorter))
                if i + 1 < len(a) and a[i] != a[i + 1]:
                    swapped = a[:i] + a[i + 1] + a[i] + a[i + 2:]
                    if swapped in known:
                        pairs.add((a, swapped))
                masked.setdefault((i, a[:i], a[i + 1:]), []).append(a)
        for (i, _head, _tail), group in masked.items():  # names differing in one character only
            for k, a in enumerate(group):
                for b in group[k + 1:]:
                    if costs.substitution(a[i], b[i]) <= FUZZY_PINYIN:
                        pairs.add((a, b))
        neighbours: dict[str, list[str]] = {}
        for a, b in pairs:
            if a != b:
                neighbours.setdefault(a, []).append(b)
                neighbours.setdefault(b, []).append(a)
        #: kind + name (``"R"`` road / ``"P"`` compound or village, as the address index's keys) -> the
        #: names of that kind one slip apart, sorted
        self.neighbours: dict[str, tuple[str, ...]] = {k: tuple(sorted({x[1:] for x in v}))
                                                       for k, v in neighbours.items()}

    def __len__(self) -> int:
        return len(self.neighbours)

    def rival(self, kind: str, name: str, number: int, group: int | None, building: str,
              keep: Callable[[int], bool]) -> str | None:
        """The first name of ``kind`` one slip from ``name`` that has door / building ``number`` (in
        village group ``group`` when given) on another building than ``building``, among the address
        rows ``keep(row)`` accepts (those agreeing with the divisions the text names); None when none."""
        idx = self.index
        for other in self.neighbours.get(kind + name, ()):
            for r in idx.exact(kind, other, number):
                if group is not None and idx.group[r] not in (group, -1):
                    continue
                if idx.building(r) != building and keep(r):
                    return other
        return None
