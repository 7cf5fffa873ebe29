"""How an answer says what was read (:mod:`hangzhou_address.matcher`'s reasons): what normalization changed,
how far a written stretch is from a name, a fuzzy reading's edits and the names a fuzzy outcome proposes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rapidfuzz.distance import OSA

from .normalize import _translate_table

if TYPE_CHECKING:  # pragma: no cover
    from .division_spelling import Joined, Respelling
    from .fuzzy import FuzzyOutcome
    from .reading import FuzzyCandidate

__all__ = ["apart", "as_written", "candidate_names", "edits_said", "normalization_said"]


def normalization_said(text: str, norm: str) -> str:
    """What normalization changed, for the reasons (empty when nothing)."""
    if text == norm:
        return ""
    what = []
    translated = text.translate(_translate_table())
    for a, b in zip(text, translated):
        if a == b:
            continue
        if "\uff01" <= a <= "\uff5e" or a == "\u3000":
            what.append("full-width characters")
        elif b == " ":
            what.append("control / invisible characters")
        elif b != "-":
            what.append("traditional characters")
    # the numeral and space edits of normalize_for_matching: spaces dropped (layout) are not reported
    if translated.replace(" ", "") != norm.replace(" ", ""):
        what.append("Chinese numerals")
    elif _DIGITS_SPLIT_RE.search(translated):
        what.append("digits split by a space joined")
    return ", ".join(dict.fromkeys(what))


def as_written(norm: str, respelled: tuple[Respelling, ...], joined: tuple[Joined, ...] = ()) -> str:
    """The normalized text with its respelled division names as written and its dropped separators back (for
    the 'normalized:' reason)."""
    for r in respelled:
        norm = norm[:r.start] + r.written + norm[r.start + len(r.written):]
    for j in reversed(joined):
        norm = norm[:j.at] + j.separator + norm[j.at:]
    return norm


def apart(written: str, name: str) -> str:
    """``"one edit"`` or ``"two edits"``: how far ``name`` is from the ``written`` stretch (for the reasons)."""
    return "one edit" if OSA.distance(written, name, score_cutoff=1) <= 1 else "two edits"


def edits_said(fc: FuzzyCandidate) -> str:
    """A fuzzy reading's edits, for the reasons (``1 edit: 家→佳 same pinyin``, ``separators ignored``)."""
    n = len(fc.edits)
    return (f"{n} edit{'s' if n != 1 else ''}: " + ", ".join(fc.edits)) if n else "separators ignored"


def candidate_names(outcome: FuzzyOutcome, most: int = 8) -> str:
    """The names a fuzzy outcome proposes, best first, for the reasons (the first ``most``, then how many more:
    a shortened name may fit thirty)."""
    names = list(dict.fromkeys(fc.name for fc in (outcome.best, *outcome.others)))
    more = f"…(+{len(names) - most})" if len(names) > most else ""
    return "、".join(names[:most]) + more


#: two digits split by spaces (the layout of a pasted number)
_DIGITS_SPLIT_RE = re.compile(r"\d +\d")
