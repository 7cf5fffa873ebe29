"""The fuzzy stage's answer: from what :func:`~hangzhou_address.matching.fuzzy.fuzzy_lookup` read to the answer the
matcher returns.

The look-up says which registry name the text may mean and whether that reading is clear
(:class:`~hangzhou_address.matching.fuzzy.FuzzyOutcome`); this stage decides what to answer with it — a
building when the reading is accepted and its name and number name one building, else the common level of the
close candidates — and when to keep the exact look-up's answer instead: an exact name that starts inside a word
(风东村: 东村 exists, so may 东风村), or a name written exactly as one that has the number outside the divisions the
text names (then another name inside them is read for a slip of the IME or the eye only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exact import Answer, common_of_codes, common_of_rows, deeper
from .fuzzy import (
    MARGIN,
    SKIP_COST,
    FuzzyCandidate,
    FuzzyOutcome,
    NameIndex,
    fuzzy_lookup,
)
from .results import Candidate
from .wording import candidate_names, edits_said

if TYPE_CHECKING:  # pragma: no cover
    from ..resolve import DivisionResolver
    from .address_index import AddressIndex
    from .building_part import BuildingPart
    from .resolution import Resolution

__all__ = ["SLIPS", "answer_of", "fuzzy_stage", "inside_word", "similarity_score", "slips_only"]

#: edits (as :func:`hangzhou_address.matching.similarity.align` and the fuzzy stage name them) that are slips of
#: the input method or the eye rather than another word
SLIPS = ("same pinyin", "look-alike", "similar pinyin", "swapped", "dropped", "doubled")


def fuzzy_stage(parts: BuildingPart, res: Resolution, b: Answer | None, level: str | None, found_exact: bool,
                reasons: list[str], *, index: AddressIndex, names: NameIndex, resolver: DivisionResolver,
                consistent: Any, max_candidates: int) -> tuple[Answer | None, FuzzyOutcome | None,
                                                               tuple[Candidate, ...]]:
    """The fuzzy stage, where the exact look-up found no building, or found one by a name that starts inside a
    word.

    Parameters
    ----------
    parts : BuildingPart
        The text's building part (its normalized text is searched).
    res : Resolution
        The divisions read.
    b : Answer or None
        The exact look-up's answer.
    level : str or None
        The level of the divisions read (the answer to beat when ``b`` is None).
    found_exact : bool
        Whether the exact look-up found the name and number.
    reasons : list of str
        The answer's reasons, appended to.
    index, names, resolver, consistent, max_candidates
        The matcher's address index, name index, division resolver, row-consistency test and candidate cap.

    Returns
    -------
    (Answer or None, FuzzyOutcome or None, tuple of Candidate)
        The answer to use (the exact one when the fuzzy reading is not deeper), the fuzzy outcome (None when the
        stage did not run or found nothing) and candidates to report when the fuzzy reading was not used (else
        empty).
    """
    inside = b is not None and b.level == "building" and not b.boundary and b.path in ("unique", "chosen")
    if not inside and (found_exact or (b is not None and b.level == "building")):
        return b, None, ()
    outcome = fuzzy_lookup(parts.norm, res, resolver, index, names, consistent)
    if outcome is None:
        return b, None, ()
    if inside:
        assert b is not None
        return inside_word(b, outcome, reasons, index, max_candidates), outcome, ()
    fb, why = answer_of(outcome, index, max_candidates)
    if (fb is not None and fb.path == "fuzzy" and any("exists only outside" in r for r in reasons)
            and not slips_only(outcome.best.edits, town_named=res.town_code is not None)):
        # the name as written exists, with this number, outside the divisions the text names: read it as
        # another name inside them only for a slip of the IME or the eye (same sound, look-alike, two
        # characters swapped, a generic suffix; one missing character when the text names the town:
        # 富春文北路35号 is 文教北路, though 建德市 has a 文北路35号), not for an arbitrary character
        fb = None
    if fb is not None and deeper(fb.level, b.level if b is not None else level):
        reasons.append(why)
        return fb, outcome, ()
    best = outcome.best
    buildings = {index.building(r) for r in best.rows}
    if outcome.accepted and not outcome.others and len(buildings) > 1:
        # the reading is clear, the address is not: the name and number name several buildings here
        reasons.append(f"fuzzy: {best.written} read as {best.name} ({edits_said(best)})")
        reasons.append(f"{best.name}{outcome.number} names {len(buildings)} buildings; "
                       "no reading deeper than the divisions")
    else:
        reasons.append(f"fuzzy: {best.written} could be {candidate_names(outcome)}; "
                       "no reading deeper than the divisions")
    return b, outcome, (fb.candidates if fb is not None and not (b is not None and b.candidates) else ())


def inside_word(b: Answer, outcome: FuzzyOutcome, reasons: list[str], index: AddressIndex,
                max_candidates: int) -> Answer:
    """An exact building whose name starts inside a word: kept unless a fuzzy reading of the whole
    word names another building about as well (then their common level)."""
    found = [(fc.cost + SKIP_COST * fc.skipped, fc) for fc in (outcome.best, *outcome.others)]
    mine = [(r, fc) for r, fc in found if b.code in {index.building(x) for x in fc.rows}]
    # the exact name leaves at least the character before it unexplained (when the fuzzy stage did not
    # score it, it lost to better readings of the whole word)
    own, own_skipped = min(((r, fc.skipped) for r, fc in mine), default=(SKIP_COST, 1))
    # a rival explains more of the word (风东村: 东风村 explains 风, 东村 leaves it) about as well
    rivals = [fc for r, fc in found if r <= own + MARGIN and fc.skipped < own_skipped
              and b.code not in {index.building(x) for x in fc.rows}]
    if not rivals:
        return b
    best = outcome.best
    if outcome.accepted and best in rivals and best.cost + SKIP_COST * best.skipped + MARGIN <= own:
        # the whole word read clearly better (雷-东村2号: 雷东村 with the separator ignored, against 东村
        # leaving 雷 unexplained)
        fb, why = answer_of(outcome, index, max_candidates)
        if fb is not None and fb.level == "building":
            reasons.append(why)
            return fb
    buildings = {b.code} | {index.building(r) for fc in rivals for r in fc.rows}
    code, level, chain = common_of_codes(buildings)
    if code is None or level == "building":
        return b
    names = "、".join(dict.fromkeys(fc.name for fc in rivals))
    reasons.append(f"fuzzy: the name found starts inside a word; {names} fits as well; "
                   f"returned their common {level}")
    cands = (Candidate(b.code, "building", "", 1.0),) + tuple(
        Candidate(index.building(fc.rows[0]), "building", index.text(fc.rows[0]), similarity_score(fc))
        for fc in rivals)
    return Answer(code, level, cands[:max_candidates], chain, "fuzzy_common", b.boundary)


def answer_of(outcome: FuzzyOutcome, index: AddressIndex, max_candidates: int) -> tuple[Answer | None, str]:
    """The answer ``outcome`` supports (a building when accepted and the name and number name one building; else
    the common level of the close candidates, or None) and the reason to report."""
    best = outcome.best
    cands = tuple(Candidate(index.building(r), "building", index.text(r), similarity_score(fc))
                  for fc in (best, *outcome.others) for r in fc.rows[:1])[:max_candidates]
    rows = list(best.rows)
    if outcome.accepted:
        code, level, chain = common_of_rows(rows, index)
        if level == "building":
            return (Answer(code, level, cands, chain, "fuzzy"),
                    f"fuzzy: {best.written} read as {best.name} ({edits_said(best)})")
    else:
        # the close runners-up: their common level is what the text says
        for fc in outcome.others:
            if fc.cost <= best.cost + MARGIN:
                rows.extend(fc.rows)
    code, level, chain = common_of_rows(rows, index)
    if code is None or level == "building":
        return None, ""
    return (Answer(code, level, cands, chain, "fuzzy_common"),
            f"fuzzy: {best.written} could be {candidate_names(outcome)}; their common {level} is {code}")


def slips_only(edits: tuple[str, ...], *, town_named: bool) -> bool:
    """Whether a fuzzy reading's edits are slips of the IME or the eye (:data:`SLIPS`): one, a generic suffix left
    out aside — or, when the text names the town, two, and one character missing besides (钱塘区萧山新星家园3# is no
    兴新家园 swapped and typed by sound inside 萧山区 while 临平区 has a 新星家园3)."""
    missing = sum(e.endswith(" missing") for e in edits)
    suffix = sum(e.endswith(" dropped") for e in edits)  # (a generic suffix left out: no slip of a character)
    return (missing <= int(town_named) and len(edits) - missing - suffix <= 1 + int(town_named)
            and all(e.endswith(SLIPS) or e.endswith(" missing") for e in edits))


def similarity_score(fc: FuzzyCandidate) -> float:
    """A fuzzy candidate's score in [0, 1] (1: the name as written)."""
    return round(max(0.0, 1.0 - fc.cost / max(len(fc.name), 1)), 3)
