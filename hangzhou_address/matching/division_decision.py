"""Stage 2 of division resolution (:mod:`hangzhou_address.resolve`): the decision.

The names the scan accepted (stage 1, :meth:`hangzhou_address.resolve.DivisionResolver.resolve`) become
weighted evidence; :func:`decide` turns it into hypotheses — a community, town or district, each scored by
its own evidence plus the support of the other levels along the hierarchy, minus conflicts (a town written
under a district it never belonged to; pre-2021 membership counts as support) — and determines a level only
when every competitive hypothesis agrees on it, with the candidates and reasons (legacy names mapped, former
names, conflicting names ignored). The resolver memoizes these decisions; the notes that depend on the text
itself are stage 3 (:mod:`hangzhou_address.matching.division_notes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .resolution import LEVELS as _LEVELS
from .resolution import Resolution
from .resolution import new_resolution as _new_resolution

if TYPE_CHECKING:  # pragma: no cover
    from ..resolve import DivisionResolver

__all__ = ["IGNORED", "decide"]

#: how a decision's reason about the division names it ignored begins
IGNORED = "conflicting division names ignored: "


def decide(rv: DivisionResolver, evidence: tuple, outside: list[str], hz: bool) -> Resolution:  # noqa: C901
    """The decision of resolver ``rv`` for ``evidence`` (division index, weight, hit index, kind per entry),
    the names outside Hangzhou read (``outside``) and whether the city prefix was (``hz``): a template without
    the text-specific fields (hits, normalized text, evidence), which
    :meth:`hangzhou_address.resolve.DivisionResolver._decide` fills in."""
    reasons: list[str] = []
    if outside and not hz:
        return Resolution(None, None, None, None, 0.0, 0.0, (), (f"outside Hangzhou: {outside[0]}",),
                          (), outside=True, hangzhou_prefix=hz)
    if outside:
        reasons.append(f"mentions a place outside Hangzhou ({outside[0]}) as well as Hangzhou")
    if not evidence:
        return Resolution(None, None, None, None, 0.0, 0.0, (), tuple(reasons), (),
                          hangzhou_prefix=hz)
    levels, cur, codes, active = rv.levels, rv.cur, rv.codes, rv.active
    # evidence per level: (original code, weight, current chain, div index, kind)
    ev: tuple[list, list, list] = ([], [], [])
    curs = rv.curs
    for i, w, h, kind in evidence:
        chains = curs[i]
        if len(chains) > 1:  # split between several current divisions: one hypothesis each
            for ch in chains:
                ev[levels[i]].append((codes[i], w, ch, i, h))
        else:
            ev[levels[i]].append((codes[i], w, cur[i], i, h))
    d_ev, t_ev, c_ev = ev
    hist_d = rv.hist_d

    def district_support(d_cur: str | None, town_or_comm: str | None, hit: int,
                         own: float = 3.0) -> tuple[float, float, bool]:
        """(support, conflict, legacy) of the district evidence for a hypothesis."""
        if not d_ev:
            return 0.0, 0.0, False
        hist = hist_d.get(town_or_comm, frozenset()) if town_or_comm else frozenset()
        sup, con, legacy = 0.0, 0.0, False
        for code, w, chain, i, h in d_ev:
            if h == hit:
                continue
            if code == d_cur or (d_cur and d_cur in rv.successors[i] and town_or_comm is None):
                sup = max(sup, w)
            elif code in hist:  # pre-2021 membership: below a literal match; weaker for a bare name
                if rv.active[i]:  # 萧山区 is still a district: literal reading first
                    sup = max(sup, w - 1.0 if own >= 2.5 else w / 2 - 0.5)
                else:  # 江干区 / 下城区 has no literal reading: its former town as good as a current one
                    sup = max(sup, w)
                legacy = True
            else:
                con = max(con, w)
        return sup, (con if sup == 0 else 0.0), legacy

    hyps: list[tuple[float, tuple[str | None, str | None, str | None], int, bool, bool]] = []
    seen: set = set()
    best_w: dict[str, float] = {}  # the strongest evidence per current town / community code
    for _, w2, ch2, _, _ in t_ev:
        if ch2[1] not in best_w or w2 > best_w[ch2[1]]:
            best_w[ch2[1]] = w2
    for _, w2, ch2, _, _ in c_ev:
        if ch2[2] not in best_w or w2 > best_w[ch2[2]]:
            best_w[ch2[2]] = w2
    for code, w, chain, i, hit in c_ev:
        d, t, c = chain
        if c is None or c in seen:
            continue
        seen.add(c)
        ts = max((tw for _, tw, tchain, _, h in t_ev if tchain[1] == t and h != hit), default=0.0)
        others = [tw for _, tw, _, _, h in t_ev if h != hit]
        tc = 0.0 if ts or not others else max(others)
        cw = best_w[c]
        ds, dc, legacy = district_support(d, c, hit, max(cw, ts))
        score = cw + ts + ds - 1.5 * tc - 1.5 * dc
        legacy = legacy or not active[i]
        hyps.append((score, chain, 2, legacy, bool(tc or dc)))
    for code, w, chain, i, hit in t_ev:
        d, t, _ = chain
        if t is None or t in seen:
            continue
        seen.add(t)
        tw = best_w[t]
        ds, dc, legacy = district_support(d, t, hit, tw)
        score = tw + ds - 1.5 * dc
        legacy = legacy or not active[i]
        hyps.append((score, chain, 1, legacy, bool(dc)))
    for code, w, chain, i, kind in d_ev:
        succ = rv.successors[i]
        for k, d in enumerate(succ):
            if d in seen:
                continue
            seen.add(d)
            score = w - (1.5 if k > 0 else 0.0)
            hyps.append((score, (d, None, None), 0, not active[i], False))
    if not hyps:
        return Resolution(None, None, None, None, 0.0, 0.0, (), tuple(reasons), (),
                          hangzhou_prefix=hz)
    if len(hyps) > 1:
        hyps.sort(key=_hyp_order)
        if d_ev:
            hyps = _refined_by_deeper(rv, hyps, d_ev)
    best = hyps[0]
    score, chain, blevel, legacy, conflict = best
    if score < 2.5:
        names = "、".join(dict.fromkeys(rv.name_of.get(h[1][h[2]], "") for h in hyps[:3]))
        reasons.append(f"only weak division evidence ({names}); not enough to decide")
        return Resolution(None, None, None, None, score, 0.0, _cands(rv, hyps, 0), tuple(reasons),
                          (), hangzhou_prefix=hz)
    # a level is determined when every competitive hypothesis agrees on it
    determined = [None, None, None]
    margin = float("inf")
    n_hyps = len(hyps)
    for lv in range(blevel + 1):
        mine = chain[lv]
        rival = None
        for k in range(1, n_hyps):  # sorted by score, highest first: the first that disagrees is the strongest
            other = hyps[k][1][lv]
            if other is not None and other != mine:
                rival = hyps[k][0]
                break
        m = score - rival if rival is not None else float("inf")
        need = 1.0 if lv < 2 else 1.25
        if m < need:
            break
        determined[lv] = mine
        margin = min(margin, m)
    if determined[0] is None:
        cands = _cands(rv, hyps, 0)
        reasons.append("ambiguous district: " + "、".join(f"{c[2]}({c[0]})" for c in cands))
        return Resolution(None, None, None, None, score, 0.0, cands, tuple(reasons), (),
                          hangzhou_prefix=hz, conflict=conflict)
    level_i = 2 if determined[2] is not None else 1 if determined[1] is not None else 0
    cands: tuple = ()
    if level_i < blevel or (level_i < 2 and c_ev):
        cands = _cands(rv, [h for h in hyps if h[1][level_i] == determined[level_i]], level_i + 1)
        if level_i < blevel:
            reasons.append(f"ambiguous {_LEVELS[level_i + 1]}: "
                           + "、".join(f"{c[2]}({c[0]})" for c in cands[:4]))
    if not conflict:
        dropped = [rv.names[i] for i, w, _h, k in evidence if w >= 2.5 and rv.levels[i] > level_i
                   and rv.cur[i][0] != determined[0] and rv.codes[i] not in determined]
        if dropped and level_i < blevel + 1 and blevel == level_i:
            conflict = True
            chain = tuple(determined)  # type: ignore[assignment]
    if legacy or rv.old_note and any(e[0] in rv.old_note for e in evidence):
        reasons.extend(_legacy_reasons(rv, evidence, determined))
    if rv.former_names:
        reasons.extend(_former_name_reasons(rv, evidence, determined))
    if conflict:
        reasons.append(_conflict_reason(rv, evidence, chain))
    written: frozenset[str] = frozenset()
    if d_ev:
        written = frozenset([e[0] for e in d_ev])
        written = rv._written_sets.setdefault(written, written)  # a few distinct sets, shared by the memo
    split = level_i == 0 and bool(written & rv.split_districts)
    return _new_resolution(
        district_code=determined[0], town_code=determined[1], community_code=determined[2],
        level=_LEVELS[level_i], score=score, margin=margin, candidates=cands, reasons=tuple(reasons),
        hits=(), hangzhou_prefix=hz, legacy=legacy, conflict=conflict,
        written_districts=written, split=split)


def _refined_by_deeper(rv: DivisionResolver, hyps: list, d_ev: list) -> list:
    """``hyps`` without the district-only readings of a split 2020 district name written in the text when a
    competitive town / community hypothesis lies in one of that district's successors through its pre-2021
    membership: 余杭区和睦桥十七组 — 余杭区 read as today's 余杭区 is no rival of the village 和睦桥 (临平区, in
    余杭区 until 2021), whose reading explains the written 余杭区 too. Unchanged otherwise."""
    successors: set[str] = set()
    for code, _w, _chain, _i, _h in d_ev:
        successors.update(rv.split_into.get(code, ()))
    if not successors:
        return hyps
    top = hyps[0][0]
    if not any(h[2] >= 1 and h[3] and h[1][0] in successors and h[0] >= top - 1.0 for h in hyps):
        return hyps
    kept = [h for h in hyps if not (h[2] == 0 and h[1][0] in successors)]
    # only when what is left decides the district: strong enough, no other district close behind (a weak
    # bare name elsewhere must not take the written district's answer away) and no town or community of
    # another district named as well (conflicting names: left as they were)
    if not kept or kept[0][0] < 2.5 or kept[0][2] == 0 or any(
            h[1][0] != kept[0][1][0] and (h[0] > kept[0][0] - 1.0 or h[2] >= 1) for h in kept[1:]):
        return hyps
    return kept


def _cands(rv: DivisionResolver, hyps: list, lv: int) -> tuple[tuple[str, str, str, float], ...]:
    out: dict[str, tuple[str, str, str, float]] = {}
    for score, chain, blevel, _l, _c in hyps:
        code = chain[lv] if lv <= blevel else None
        if code and code not in out:
            out[code] = (code, _LEVELS[lv], rv.name_of.get(code, ""), round(float(score), 2))
        if len(out) >= 5:
            break
    return tuple(out.values())


def _legacy_reasons(rv: DivisionResolver, evidence: tuple, determined: list) -> list[str]:
    out = []
    for i, _w, _h, _k in evidence:
        if not rv.active[i] or (rv.levels[i] == 0 and determined[0] and rv.codes[i] != determined[0]):
            lv = rv.levels[i]
            new = determined[lv] or (rv.successors[i][0] if rv.successors[i] else None)
            if lv and new not in {ch[lv] for ch in rv.curs[i]}:
                continue  # a namesake elsewhere (余杭's 横塘社区 beside 江干区横塘): not what it became
            if new and new != rv.codes[i] and i in rv.old_note:
                period, why = rv.old_note[i]
                news = [c for ch in rv.curs[i] for c in (ch[lv],) if c] if len(rv.curs[i]) > 1 else [new]
                msg = (f"{rv.names[i]} ({period}) → "
                       + "、".join(f"{rv.name_of.get(c, '')} ({c})" for c in news) + (f": {why}" if why else ""))
            elif new and new != rv.codes[i]:
                msg = (f"legacy name {rv.names[i]} ({rv.codes[i]}) mapped to current "
                       f"{rv.name_of.get(new, '')} ({new})")
            else:
                msg = ""
            if msg:
                if msg not in out:
                    out.append(msg)
    return out or ["pre-2021 division membership used"]


def _former_name_reasons(rv: DivisionResolver, evidence: tuple, determined: list) -> list[str]:
    """``上四村村委会 (2016–2020) is a former name of 上泗村村委会 (330122101210)`` for each division the text
    names by a former name and the decision keeps."""
    out = []
    for i, _w, _h, kind in evidence:
        if kind == 5 and determined[rv.levels[i]] == rv.codes[i]:
            olds = "、".join(f"{n} ({_span(e)})" if e else n for n, e in rv.former_names.get(i, ()))
            msg = f"former name: {olds} is now {rv.names[i]} ({rv.codes[i]}), same code"
            if msg not in out:
                out.append(msg)
    return out


def _conflict_reason(rv: DivisionResolver, evidence: tuple, chain: tuple) -> str:
    bad = [rv.names[i] for i, _w, _h, _k in evidence
           if rv.cur[i][rv.levels[i]] not in chain and rv.codes[i] not in chain]
    names = "、".join(dict.fromkeys(bad)) or "?"
    return IGNORED + names


def _hyp_order(h: tuple) -> tuple[float, int]:
    """Hypotheses by score, highest first; the higher level (district before town) on ties."""
    return -h[0], h[2]


def _span(editions: str) -> str:
    """``2016 2017 2018`` -> ``2016–2018`` (the first and last edition; one edition as is)."""
    e = editions.split()
    return e[0] if len(e) == 1 else f"{e[0]}–{e[-1]}"
