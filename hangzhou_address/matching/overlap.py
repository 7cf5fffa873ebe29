"""A doubt about the name an answer was read from, for the confidence model
(:mod:`hangzhou_address.matching.confidence`): the name starts inside a division name written just before
it, and the answer lies outside that division (:func:`overlapped_division`).

萧山桥花园1号楼: 山桥花园 is a compound of 西湖区, but the text writes 萧山; 临浦一村3组65号: 浦一村 of 浦阳镇,
while the text writes 临浦. The characters the two names share cannot belong to both: either the division is
meant and the name after it is misspelled or missing a character (萧山 + 桥X花园, 临浦 + 横一村), or the
division name is an accident of the name. The text does not say which.

Everything below community level in the embedded data is SYNTHETIC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..resolve import DivisionResolver

__all__ = ["overlapped_division"]


def overlapped_division(norm: str, name: str, code: str, resolver: DivisionResolver,
                        hits: Sequence[tuple] = ()) -> str | None:
    """The division name written in ``norm`` (normalized text) that an occurrence of ``name`` starts
    inside of, when the answer ``code`` lies in none of the divisions it may stand for; else None.

    ``hits`` are the names the resolver read (``Resolution.hits``: label, start, end, ...): a division
    name that starts inside one of them is no reading of the text (戴村镇东凤村: the bare village name 镇东
    starts inside 戴村镇) and is not counted. The city and province prefixes are no divisions: every answer
    lies in them.

    Examples
    --------
    >>> from hangzhou_address import default_registry
    >>> from hangzhou_address.resolve import DivisionResolver
    >>> rv = DivisionResolver(default_registry())
    >>> overlapped_division("萧山桥花园1号楼", "山桥花园", "33010601003600200015", rv)  # a compound of 西湖区
    '萧山'
    >>> overlapped_division("萧山桥花园1号楼", "山桥花园", "33010900000000000000", rv) is None  # one in 萧山区
    True
    """
    if not name:
        return None
    pos = norm.find(name)
    while pos >= 0:
        for key, start, codes in resolver.divisions_across(norm, pos, pos + len(name)):
            if any(h[1] < start < h[2] for h in hits):
                continue
            if not any(code.startswith(c) for c in codes):
                return key
        pos = norm.find(name, pos + 1)
    return None
