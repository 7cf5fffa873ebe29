"""Stage 3 of division resolution (:mod:`hangzhou_address.resolve`): the notes on a decision that depend
on its text — the functional zones read (:mod:`hangzhou_address.matching.zones`), the former towns and
villages named whose successor is unknown, the contradictions the scan found (a bare district name and an
unrelated full one; another city's district right after the Hangzhou prefix). The decision itself (stage 2,
:mod:`hangzhou_address.matching.division_decision`) is shared between texts; these are added per text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .division_decision import IGNORED
from .gazetteer import ROAD_TAIL
from .resolution import Resolution

if TYPE_CHECKING:  # pragma: no cover
    from ..resolve import DivisionResolver

__all__ = ["noted"]


def noted(rv: DivisionResolver, res: Resolution, clash: tuple[str, ...], misplaced: tuple[str, ...]) -> Resolution:
    """A fresh decision ``res`` of resolver ``rv`` with the notes that depend on its text: the functional zones read, the former
    towns and villages named, the contradictions found while reading (``clash``, ``misplaced``)."""
    if rv.zones and res.district_code is not None:
        res = _note_zones(rv, res)
    if rv.has_former:
        res = _note_former(res)
    if rv.former_villages:
        res = _note_former_villages(rv, res)
    if clash or misplaced:
        res = _note_contradictions(rv, res, clash, misplaced)
    return res


def _note_zones(rv: DivisionResolver, res: Resolution) -> Resolution:
    """``res`` with a reason per functional zone read that the answer's district holds (``杭州经济技术开发区: a
    functional zone in 钱塘区 (330114)``: :mod:`hangzhou_address.matching.zones`)."""
    notes = []
    for h in res.hits:
        zone = rv.zones.get(h[3]) if h[0] == "district" else None
        if zone is not None and zone[1] == res.district_code:
            note = f"{zone[0]}: a functional zone in {rv.name_of.get(zone[1], '')} ({zone[1]})"
            if note not in notes and note not in res.reasons:
                notes.append(note)
    if notes:  # (res is this call's own object: see :meth:`_decide`)
        res.__dict__["reasons"] = (*res.reasons, *notes)
    return res


def _note_former_villages(rv: DivisionResolver, res: Resolution) -> Resolution:
    """``res`` with a reason per former village / community (successor unknown) of its town that the text
    names; a namesake elsewhere that the text was read as conflicting with is not reported as a conflict."""
    if res.community_code is not None or res.district_code is None:
        return res
    text = res.normalized
    names = []  # former village names written, not inside a road / compound name of the registry
    for end, key in rv.former_ac.iter(text):
        start = end + 1 - len(key)
        if text.startswith(ROAD_TAIL, end + 1) or any(
                h[0] in ("road", "poi") and h[1] < end + 1 and start < h[2] for h in res.hits):
            continue
        names.append(key)
    found: dict[str, list[int]] = {}  # key -> the former villages of the answer's town it names
    for key in names:
        for i in rv.former_villages[key]:
            town = rv.by_code.get(rv.codes[i][:9])
            chains = rv.curs[town] if town is not None else ()
            if any(ch[1] == res.town_code if res.town_code else ch[0] == res.district_code for ch in chains):
                found.setdefault(key, []).append(i)  # (one village renumbered with its town: several)
    if not found:
        return res
    d = res.__dict__
    reasons = list(res.reasons)
    for key, found_i in found.items():
        got = rv.automaton.get(key, None)  # a current namesake elsewhere, read as a conflict
        explained = {rv.names[j] for j, _k in rv.key_entries[got[0]]} if got is not None else set()
        for r, reason in enumerate(reasons):
            if reason.startswith(IGNORED):
                left = [n for n in reason[len(IGNORED):].split("、") if n not in explained]
                reasons[r] = IGNORED + "、".join(left) if left else ""
        i = found_i[0]
        kind = "community" if "社区" in rv.names[i] else "village"
        period = _period(" ".join(rv.editions[j] for j in found_i))
        reasons.append(f"former {kind} {_display_name(rv.names[i])} ({period}): successor unknown")
    if not any(r.startswith(IGNORED) for r in reasons if r) and any(r == "" for r in reasons):
        d["conflict"] = False  # the only conflicting name was the former village
    d["reasons"] = tuple(dict.fromkeys(r for r in reasons if r))
    return res


def _note_contradictions(rv: DivisionResolver, res: Resolution, clash: tuple[str, ...], misplaced: tuple[str, ...]) -> Resolution:
    """``res`` with the contradictions of its text reported: a bare district name and an unrelated full one
    (the full one stands, reported as a conflict), another city's district right after the Hangzhou prefix
    (a town or community found without a Hangzhou district is only a candidate)."""
    d = res.__dict__
    reasons = list(res.reasons)
    d["clash"], d["misplaced"] = clash, misplaced
    if clash:
        d["conflict"] = True
        reasons += [f"conflicting district names: {a} / {b}" for a, b in zip(clash[::2], clash[1::2])]
    if misplaced:
        d["conflict"] = True
        names = "、".join(misplaced)
        if res.written_districts or res.code is None:
            reasons.append(f"mentions a place outside Hangzhou ({names}) as well as Hangzhou")
        else:  # 杭州市万州区分水镇: 分水镇 is 桐庐县's, but the text says 万州区
            code = res.code
            cand = (code, res.level, rv.name_of.get(code, ""), round(float(res.score), 2))
            reasons.append(f"another city's district where a Hangzhou district is expected: {names}; "
                           f"{rv.name_of.get(code, '')} ({code}) is only a candidate")
            d.update(district_code=None, town_code=None, community_code=None, level=None, margin=0.0,
                     candidates=(cand, *(c for c in res.candidates if c[0] != code)))
    d["reasons"] = tuple(reasons)
    return res


def _note_former(res: Resolution) -> Resolution:
    """``res`` with a reason per former town (successor unknown) its text names."""
    names = [h[3] for h in res.hits if h[0] == "former"]
    if names:
        res.__dict__["reasons"] = res.reasons + tuple(
            f"former town {n}: successor unknown (not read as a village)" for n in dict.fromkeys(names))
    return res


def _display_name(name: str) -> str:
    """A village / community name as people write it: 洄溪村村民委员会 -> 洄溪村, 钱杭社区居委会 -> 钱杭社区."""
    for suffix, repl in (("村村民委员会", "村"), ("村民委员会", "村"), ("村村委会", "村"), ("村委会", "村"),
                         ("社区居民委员会", "社区"), ("社区居委会", "社区")):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + repl
    return name


def _period(editions: str) -> str:
    """``'2016 2017 2018 2019'`` -> ``'2016–2019'``; ``'2016'`` -> ``'2016'``."""
    years = sorted(set(editions.split()))
    if not years:
        return "older lists"
    return years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"
