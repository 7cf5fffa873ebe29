"""The fuzzy stage: a misspelled road / compound / village name still finds its building.

Runs only where the exact look-up found no building (:class:`hangzhou_address.matcher.Matcher`
calls it last). Three steps, each bounded:

1. **anchors** — building numbers with their unit word in the normalized text (``76号``,
   ``3幢``, ``5组971号``; at most :data:`MAX_ANCHORS`). The name the clerk meant ends right
   before one.
2. **candidates** — the stretch between a division name the resolver read and the anchor
   (separators removed: ``顾家、畈路`` → ``顾家畈路``) is looked up in a character and pinyin
   index of the registry's names (:class:`~hangzhou_address.matching.name_index.NameIndex`), scoped to the divisions written before
   it: the town, else the district, else the whole city (or a division name opening the stretch
   that the resolver did not read). Of the :data:`MAX_POOL` best-ranked names, those having the
   building number come first; at most :data:`MAX_CANDIDATES` names per stretch are scored.
3. **scoring** — each candidate's weighted edit distance
   (:func:`hangzhou_address.matching.similarity.align`); the building number must exist on
   the candidate, in the scoped divisions. A candidate is accepted only when it beats the best
   other *building* by :data:`MARGIN` (:data:`SMALL_MARGIN` when every rival that close needs more
   edits); otherwise the stage returns the candidates and their common
   level.

Everything below community level in the embedded data is SYNTHETIC (``docs/synthetic-city.md``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .gazetteer import NUMBERED_ROAD_TAILS
from .name_index import MAX_CANDIDATES, MAX_POOL, NameIndex
from .reading import Anchor, FuzzyCandidate, rows_in_scope, score, search_scopes
from .rivals import slip_rival, two_edit_rival
from .similarity import GENERIC_SUFFIXES, GENERIC_WORDS, CharCosts, strip_generic_suffix

if TYPE_CHECKING:  # pragma: no cover
    from ..resolve import DivisionResolver, Resolution

__all__ = ["NameIndex", "FuzzyCandidate", "FuzzyOutcome", "fuzzy_lookup", "MAX_ANCHORS", "MAX_CANDIDATES",
           "MAX_POOL", "MARGIN", "SMALL_MARGIN", "max_cost"]

#: building numbers looked at per text
MAX_ANCHORS = 3
#: division names (counted back from the anchor) after which a name may start
MAX_STARTS = 3
#: extra cost accepted for a reading that no other building rivals
LONE_EXTRA = 0.4
#: characters of a stretch looked at (its end: the name ends at the anchor)
MAX_FRAGMENT = 14
#: longest division name looked for at the start of a stretch the resolver found no division in
MAX_INNER_PREFIX = 6
#: lead of the accepted candidate over the best other building (a town or district was named) …
MARGIN = 0.35
#: … or when every rival that close (within the margin that applies) needs more edits than it, in a named
#: town or district or in the whole city …
SMALL_MARGIN = 0.2
#: … and when the whole city was searched
CITY_MARGIN = 0.5
#: candidates costing more than the best so far plus this are not scored further (they can neither
#: win, nor be a close runner-up, nor count among the near names)
_BOUND = 0.75
#: cost per character of the stretch that the name leaves unexplained (ranking only: the stretch
#: starts right after a division name, so an unexplained character is more likely part of the name)
SKIP_COST = 0.4
#: extra cost (ranking only) of a reading that starts inside a district or town name the text's reading
#: decided: those characters are already explained (进化傅村 in 萧山区进化傅村2组: 傅墩村 after the town
#: 进化, rather than the village 进化村 with 傅 added; 戴村镇萧路: 萧绍路, not 镇中路)
REUSE_COST = 0.4

_SEPARATORS_RE = re.compile(r"[\s,，、.。;；:：_/·・\\|'\"“”‘’()（）\[\]【】<>《》-]+")
#: a stretch with none of these is numbers and their units only (1号 before 1号: no misspelled name of a road)
_NAME_CHAR_RE = re.compile(r"[^\W\d_a-zA-Z号號幢栋棟组組队隊弄楼樓室座]")
#: what follows the dash of ``N-M号``: the second number, then 号 (a village's group and house)
_GROUP_HOUSE_RE = re.compile(r"\d{1,5}[号號](?![\d-])")
# a building number and its unit word; group 1 = number, group 2 = unit; or a village's group + house number
_ANCHOR_RE = re.compile(r"(\d{1,5})(号楼|号|號|弄|幢|栋|座|#|[组队](\d{1,5})号?|-(?=\d))")
_DIVISION_LABELS = frozenset({"prov", "city", "district", "town", "community", "outside"})
#: the characters of the generic suffixes (园 of 花园, 区 of 小区, 村…)
_SUFFIX_CHARACTERS = frozenset("".join(GENERIC_WORDS))


def _division_names(text: str, resolver: DivisionResolver) -> bool:
    """Whether ``text`` is one or two ways of writing Hangzhou divisions (萧山楼塔: 萧山 + 楼塔)."""
    if resolver.names_a_division(text):
        return True
    return any(resolver.names_a_division(text[:k]) and resolver.names_a_division(text[k:])
               for k in range(2, len(text) - 1))


def _start_of(skipped: int, positions: list[int], starts: list[int], end: int) -> tuple[int, int]:
    """For a name read after ``skipped`` characters of the stretch: the latest start at or before it
    and how many characters lie between that start and the name."""
    name_start = positions[skipped] if skipped < len(positions) else end
    s = starts[bisect.bisect_right(starts, name_start) - 1]
    return s, skipped - bisect.bisect_left(positions, s)


def _unexplained(skipped: int, fragment: str, positions: list[int], starts: list[int], end: int,
                 resolver: DivisionResolver) -> tuple[int, int]:
    """:func:`_start_of`, with no character unexplained when those between the start and the name are
    division names the resolver left out (枫树岭 + 桥泰路: 枫树岭 heads 桥)."""
    s, unexplained = _start_of(skipped, positions, starts, end)
    if unexplained and _division_names(fragment[skipped - unexplained:skipped], resolver):
        unexplained = 0
    return s, unexplained


def _clean(norm: str, start: int, end: int) -> tuple[str, list[int]]:
    """``norm[start:end]`` without separators (at most its last :data:`MAX_FRAGMENT` characters),
    and the position in ``norm`` of each character kept."""
    chars, positions = [], []
    for i in range(start, end):
        ch = norm[i]
        if not _SEPARATORS_RE.match(ch):
            chars.append(ch)
            positions.append(i)
    return "".join(chars[-MAX_FRAGMENT:]), positions[-MAX_FRAGMENT:]


def _no_divisions() -> Resolution:
    from ..resolve import Resolution

    return Resolution(None, None, None, None, 0.0, 0.0, (), (), ())


def max_edits(name_len: int) -> int:
    """The most edits accepted in a name of ``name_len`` characters (a dropped generic suffix
    counts as one): one up to three characters, two from four, three from seven."""
    return 1 if name_len <= 3 else 2 if name_len <= 6 else 3


def max_cost(name_len: int, scoped: bool) -> float:
    """The highest edit cost accepted for a name of ``name_len`` characters (``scoped``: a town or
    district was named; the whole city is searched otherwise, and only 3/4 of it is allowed)."""
    limit = 0.3 * name_len + (0.3 if name_len >= 3 else 0.0)
    return limit if scoped else 0.75 * limit


@dataclass(frozen=True, slots=True)
class FuzzyOutcome:
    """What the fuzzy stage found: ``best`` is accepted when ``accepted``; ``others`` are the
    runners-up (other buildings), cheapest first."""

    best: FuzzyCandidate
    others: tuple[FuzzyCandidate, ...]
    accepted: bool
    margin: float  # cost of the best other building minus the best's (inf when none)
    number: int
    scope: Resolution
    #: the stretch is itself a registry name in scope that lacks this number (文山路 has no 90号)
    exact_name_without_number: bool
    #: names scored
    scored: int
    #: other names about as close to the written stretch as the best (cost within 0.75), whether or not
    #: they have the number: how crowded the neighbourhood of the written name is
    near_names: int = 0
    #: other scored names that end with the written stretch (盛村: 武盛村, 大盛村): the text may have
    #: dropped their first characters
    tail_names: int = 0
    #: the best reading's written stretch starts strictly inside a division name the resolver read
    #: (江南康路 read as 南康路, taking 南 from the town 江南): the text's own characters are read twice
    inside_division: bool = False
    #: another name of the candidate pool, not the best's, that the written stretch is one slip from
    #: (:func:`~hangzhou_address.matching.confusable.one_slip_apart`) and that has the number in the
    #: scope: 盛村 read as 盛村村 while 武盛村 has the number too (found even when its cost kept it from
    #: being scored)
    slip_rival: str | None = None
    #: another name of four characters or more in the candidate pool, not the best's, within two edits of
    #: the written stretch (any characters; two adjacent swapped count as one) that has the number in the
    #: scope: 董驾村 read as 董家村 (one edit) while 董家桥村 (two: 驾 for 家, 桥 dropped) has the number too
    two_edit_rival: str | None = None
    #: the edits of reading the written stretch as :attr:`two_edit_rival` (empty when there is none)
    two_edit_rival_edits: tuple[str, ...] = ()


def _anchors(norm: str) -> list[Anchor]:
    out = []
    for m in _ANCHOR_RE.finditer(norm):
        unit = m.group(2)
        before = norm[:m.start()].rstrip("-#")
        if before and before[-1].isdigit():
            continue  # a sub-number (9-2-1685: unit 2 of building 9), not the number after a name
        if unit.startswith(("组", "队")):
            out.append(Anchor(m.start(), int(m.group(3)), int(m.group(1)), ("P",)))
        elif unit in ("号", "號"):
            if norm.startswith(NUMBERED_ROAD_TAILS, m.end()):
                continue  # a numbered road (范家二号路238号, 下沙1号大街): the number is part of its name
            out.append(Anchor(m.start(), int(m.group(1)), None, ("R", "P")))
        elif unit == "弄":
            out.append(Anchor(m.start(), int(m.group(1)), None, ("R",)))
        elif unit == "-" and _GROUP_HOUSE_RE.match(norm, m.end()):
            continue  # (朝阳村7-182号: group 7, house 182, as the exact look-up reads it — not house 7)
        else:
            out.append(Anchor(m.start(), int(m.group(1)), None, ("P",)))
        if len(out) >= MAX_ANCHORS:
            break
    return out


def fuzzy_lookup(norm: str, res: Resolution, resolver: DivisionResolver, index: Any, names: NameIndex,
                 consistent: Any) -> FuzzyOutcome | None:
    """The fuzzy reading of a normalized text whose exact look-up found no building.

    Parameters
    ----------
    norm : str
        The normalized text (:func:`hangzhou_address.resolve.normalize_for_matching`).
    res : Resolution
        The resolver's reading of ``norm`` (its hits give where names may start).
    resolver, index, names
        The matcher's division resolver, address index and :class:`NameIndex`.
    consistent : callable
        ``consistent(resolution, index, row) -> bool``: whether an address row agrees with the divisions.

    Returns
    -------
    FuzzyOutcome or None
        None when no candidate has the building number.
    """
    anchors = _anchors(norm)
    if not anchors:
        return None
    div_hits = [h for h in res.hits if h[0] in _DIVISION_LABELS]
    deciding = _deciding_community_names(res, resolver)
    costs = names.costs
    found: list[tuple[float, FuzzyCandidate, Resolution, Anchor, str, int]] = []
    exact_without = False
    scored = 0
    scopes: dict[int, Resolution] = {}
    costs_seen: list[tuple[float, str]] = []
    bound = float("inf")
    rows_memo: dict = {}  # substitution rows shared by this text's alignments (similarity.align)
    pools: dict[int, tuple[dict[int, None], Callable[[int], bool]]] = {}  # per anchor: candidate ids, has_number
    for anchor in anchors:
        starts = sorted(_starts([h for h in div_hits if h[2] <= anchor.start], res, deciding))
        # one stretch, from the earliest start; each candidate is aligned with it once, and the start
        # its alignment reaches decides its scope and how many characters it leaves unexplained
        fragment, positions = _clean(norm, starts[0], anchor.start)
        if len(fragment) < 2 or not _NAME_CHAR_RE.search(fragment):
            continue
        if not res.town_code and len(starts) <= MAX_STARTS:
            starts = sorted(set(starts) | set(_inner_start(norm, fragment, positions, resolver, scopes, res)))
        ids: dict[int, None] = {}
        has_number = _has_number(names, index, anchor)
        for s in starts:
            scope = scopes.get(s)
            if scope is None:
                if not s:
                    scope = _no_divisions()
                elif all(h[2] <= s for h in div_hits):
                    scope = res  # every division name is before the stretch: the text's own reading
                else:
                    scope = resolver.resolve(norm[:s])
                scopes[s] = scope
            sub = fragment[bisect.bisect_left(positions, s):]
            if len(sub) >= 2:
                for code in search_scopes(scope):
                    ids.update(dict.fromkeys(names.candidates(sub, code, has_number=has_number)))
        pools[anchor.start] = (ids, has_number)
        tokens = names.tokens(fragment)
        for nid in ids:
            kind, name = names.names[nid]
            if kind not in anchor.kinds:
                continue
            # candidates further than this from the best so far cannot change the answer
            limit = min(max_cost(len(name), True) + 0.5, bound)
            if names.lower_bound(nid, tokens) >= limit:
                continue
            scored += 1
            cand = score(kind, name, fragment, costs, limit, rows=rows_memo)
            if cand is None:
                continue
            cost, skipped, edits = cand
            s, unexplained = _unexplained(skipped, fragment, positions, starts, anchor.start, resolver)
            reuse = REUSE_COST * _reuses_division(positions[skipped] if skipped < len(positions) else anchor.start,
                                                  div_hits, res)
            read = fragment  # the stretch the reading aligns with (for its edits, listed later)
            if s != starts[-1]:
                # the name reaches into a division name: reading it after that name may be better
                last = bisect.bisect_left(positions, starts[-1])
                alt = (score(kind, name, fragment[last:], costs, limit, rows=rows_memo)
                       if len(fragment) - last >= 1 else None)
                if alt is not None and alt[0] + SKIP_COST * alt[1] <= cost + SKIP_COST * unexplained + reuse:
                    cost, skipped, edits = alt[0], alt[1] + last, alt[2]
                    read = fragment[last:]
                    s, unexplained = _unexplained(skipped, fragment, positions, starts, anchor.start, resolver)
                    reuse = 0.0
            scope = scopes[s]
            scoped = bool(scope.town_code or scope.district_code)
            if cost > max_cost(len(name), scoped) + 0.5:
                continue
            rank = cost + SKIP_COST * unexplained + reuse
            costs_seen.append((rank, name))
            rows = rows_in_scope(index, kind, name, anchor, scope, consistent)
            if not rows:
                if cost == 0 and unexplained == 0:
                    exact_without = True
                continue
            fc = FuzzyCandidate(kind, name, fragment[skipped:], cost, edits, unexplained, rows)
            found.append((rank, fc, scope, anchor, read,
                          positions[skipped] if skipped < len(positions) else anchor.start))
            bound = min(bound, rank + _BOUND)
    if not found:
        return None
    found.sort(key=lambda x: (x[0], x[1].name))
    rank, best, scope, anchor, fragment, at = found[0]
    inside = any(h[1] < at < h[2] for h in div_hits)
    # the edits of the best reading, for the reasons and the confidence
    again = score(best.kind, best.name, fragment, costs, best.cost + 1e-6, edits=True)
    if again is not None:
        best = FuzzyCandidate(best.kind, best.name, best.written, best.cost, again[2], best.skipped, best.rows)
    best_buildings = {index.building(r) for r in best.rows}
    others: list[FuzzyCandidate] = []
    runner = float("inf")
    seen = set(best_buildings)
    scoped = bool(scope.town_code or scope.district_code)
    need = MARGIN if scoped else CITY_MARGIN
    close: list[tuple[FuzzyCandidate, str]] = []  # rivals within the margin, with their stretch
    for r2, fc, _s, _a, f, _p in found[1:]:
        bs = {index.building(r) for r in fc.rows}
        if bs <= seen:
            continue
        seen |= bs
        others.append(fc)
        runner = min(runner, r2)
        if r2 < rank + need:
            close.append((fc, f))
    if runner == float("inf") and not scoped:
        for fc in _cut_ties(best, anchor, scope, names, index, pools[anchor.start][1], consistent):
            bs = {index.building(r) for r in fc.rows}
            if not bs <= seen:
                seen |= bs
                others.append(fc)
                runner = rank
    margin = round(runner - rank, 6)  # (costs are sums of tenths and quarters: 1.2 - 1.0 is 0.2)
    n_edits = len(best.edits)
    limit = max_cost(len(best.name), scoped)
    if margin == float("inf"):
        # a reading with no rival at all may cost a little more (体育路 for 体育场路, alone in its town); in a
        # named town or district each edit it is allowed may then be an arbitrary one (煮栖村 for 下栖梧村)
        limit = max(limit + LONE_EXTRA, float(max_edits(len(best.name)))) if scoped else limit + LONE_EXTRA
    if SMALL_MARGIN <= margin < need and all(_edit_count(fc, f, costs) > n_edits for fc, f in close):
        need = SMALL_MARGIN  # 华街 for 永华街 (one edit), not 华中路 (two: 中 missing, 街 for 路)
    if rank == best.cost and _as_written(best):
        # the name as written, separators and a generic suffix aside (大唐、村; 施家1组 for 施家村): as the
        # exact look-up would read it, whatever the scope; a rival needing a character edit (大塘村, 史家村)
        # loses, and the confidence hears of it (one_slip_rival)
        need = min(need, SMALL_MARGIN)
    sounds_the_same = _sounds_the_same(best)
    too_many = n_edits > max_edits(len(best.name))
    accepted = (rank <= limit and (not too_many or _typed_by_sound(best, costs, scope.town_code is not None)
                                  or scoped and _swapped_and_typed(best, costs))
                and (_shares_a_character(best) or sounds_the_same) and margin >= need)
    near = len({name for c, name in costs_seen if c <= rank + 0.75 and name != best.name})
    tails = len({name for _c, name in costs_seen if name != best.name and len(name) > len(best.written)
                 and name.endswith(best.written)})
    pool = pools[anchor.start]
    # (a name as written, separators aside, outside the division names, is read as the exact look-up would:
    # exact answers have no two-edit rival either)
    rival, rival_edits = (None, ()) if not best.edits and not inside else two_edit_rival(
        best, fragment, others, pool, names, index, anchor, scope, consistent)
    slip = slip_rival(best, pool, names, index, anchor, scope, consistent)
    if accepted and _keeps_too_little(best):
        accepted = False
    if too_many and (slip or rival or inside):
        # (typed by sound, but another name with the number is one slip or two edits away, or the reading takes
        # characters of a division name: 里商乡阳存 is no 向阳村 typed 乡阳存)
        accepted = False
    return FuzzyOutcome(best, tuple(others), accepted, margin, anchor.number, scope, exact_without, scored, near,
                        tails, inside, slip, rival, rival_edits)


def _cut_ties(best: FuzzyCandidate, anchor: Anchor, scope: Resolution, names: NameIndex, index: Any,
              has_number: Callable[[int], bool], consistent: Any) -> list[FuzzyCandidate]:
    """For a reading without rivals in the whole city that adds a missing character to the written stretch: the
    names of the same length one edit from that stretch that have the number too, which the candidate pool (ranked
    by shared characters, cut at :data:`MAX_POOL`) may have left out — as close a reading (浙江杭州金村1组36号: 金岫村
    was read alone, while 金紫村, 金溪村 and 金联村 have a 1组36号 too)."""
    if not any(e.endswith(" missing") for e in best.edits):
        return []
    out = []
    for nid in names.within(best.written, "", 1)[:MAX_POOL]:
        kind, name = names.names[nid]
        if name == best.name or len(name) != len(best.name) or kind not in anchor.kinds or not has_number(nid):
            continue
        rows = rows_in_scope(index, kind, name, anchor, scope, consistent)
        if rows:
            out.append(FuzzyCandidate(kind, name, best.written, best.cost, (), best.skipped, rows))
    return out


def _reuses_division(at: int, div_hits: list, res: Resolution) -> bool:
    """Whether a reading starting at ``at`` starts inside a district or town name that the text's reading
    decided (its characters are already explained by that division)."""
    for h in div_hits:
        if h[1] <= at < h[2] and ((h[0] == "town" and res.town_code) or (h[0] == "district" and res.district_code)):
            return True
    return False


def _edit_count(fc: FuzzyCandidate, fragment: str, costs: CharCosts) -> int:
    """How many edits the reading ``fc`` of ``fragment`` takes (a changed generic suffix counts as one)."""
    got = score(fc.kind, fc.name, fragment, costs, fc.cost + 1e-6, edits=True)
    return len(got[2]) if got is not None else 99


def _inner_start(norm: str, fragment: str, positions: list[int], resolver: DivisionResolver,
                 scopes: dict[int, Resolution], res: Resolution) -> list[int]:
    """The start after the longest division name that opens the stretch but that the resolver did not
    read (淳安湾村: the district 淳安 written against a misspelled village; 临安区龙岗山村: the town 龙岗 before
    山村, 玉山村 with 玉 dropped), with the divisions it names in ``scopes``; looked for only when the text's
    reading ``res`` names no town. When ``res`` names a district, the name must be a town of it. Empty when
    none."""
    for k in range(min(len(fragment) - 2, MAX_INNER_PREFIX), 1, -1):
        if _division_names(fragment[:k], resolver):
            s = positions[k]
            if s not in scopes:
                scopes[s] = resolver.resolve(norm[:s])
            got = scopes[s]
            if (got.town_code is not None and got.district_code in (res.district_code, None)
                    if res.district_code else got.district_code or got.town_code):
                return [s]
    return []


def _has_number(names: NameIndex, index: Any, anchor: Anchor) -> Callable[[int], bool]:
    """``has_number(name id)``: whether that name has the anchor's number (of its kind), memoized."""
    memo: dict[int, bool] = {}

    def has(nid: int) -> bool:
        got = memo.get(nid)
        if got is None:
            kind, name = names.names[nid]
            got = memo[nid] = kind in anchor.kinds and bool(index.exact(kind, name, anchor.number))
        return got

    return has


def _shares_a_character(fc: FuzzyCandidate) -> bool:
    """Whether the written stretch keeps at least one character of the name's distinctive part (家园
    is not 佳苑, however alike they sound)."""
    stem = strip_generic_suffix(fc.name, fc.kind)
    return any(ch in fc.written for ch in stem if ch not in "0123456789")


def _swapped_and_typed(fc: FuzzyCandidate, costs: CharCosts) -> bool:
    """Whether the reading swaps two characters of the name's distinctive part and types one of them by its sound,
    the suffix as written (西勇村 for 永西村): both characters are there, one edit beyond :func:`max_edits`."""
    stem = strip_generic_suffix(fc.name, fc.kind)
    if len(stem) == len(fc.name) or len(fc.written) != len(fc.name) or fc.written[len(stem):] != fc.name[len(stem):]:
        return False
    changed = [i for i in range(len(stem)) if fc.written[i] != stem[i]]
    if len(changed) != 2 or changed[1] != changed[0] + 1:
        return False
    i = changed[0]
    a, b = stem[i], stem[i + 1]
    w, x = fc.written[i], fc.written[i + 1]
    return (w == b and costs.syllable(x) == costs.syllable(a)) or (x == a and costs.syllable(w) == costs.syllable(b))


def _keeps_too_little(fc: FuzzyCandidate) -> bool:
    """Whether the reading keeps one character of a distinctive part of two and nothing else of the name: the
    other replaced by a character the name does not have, the generic suffix left out (金和32号 for 金长大道; 星大昌道
    for 昌星大道 moves characters and keeps them all). Names that are not in the registry (a new compound, a shop)
    read so as readily as slips of its names."""
    stem = strip_generic_suffix(fc.name, fc.kind)
    return (len(stem) == 2 and len(fc.written) == 2 and any(e == f"{fc.name[2:]} dropped" for e in fc.edits)
            and any(e.endswith(" other character") and e[2] not in fc.name for e in fc.edits))


def _as_written(fc: FuzzyCandidate) -> bool:
    """Whether the reading changes no character of the name: its only edits (if any) drop or add a
    generic suffix (施家 for 施家村, 翠苑小区 for 翠苑)."""
    suffixes = GENERIC_SUFFIXES["R"] + GENERIC_SUFFIXES["P"]
    return all(e.endswith((" dropped", " added")) and e.rsplit(" ", 1)[0] in suffixes for e in fc.edits)


def _sounds_the_same(fc: FuzzyCandidate) -> bool:
    """Whether every edit of the reading is a same-pinyin character (是妓大道 for 世纪大道, both characters
    typed from their pinyin): the text then sounds exactly like the name, although it keeps none of its
    distinctive characters."""
    return bool(fc.edits) and all(e.endswith(" same pinyin") for e in fc.edits)


def _deciding_community_names(res: Resolution, resolver: DivisionResolver) -> frozenset[tuple[int, int]]:
    """The (start, end) of the community names of ``res.hits`` that name the community ``res`` decided."""
    if res.community_code is None:
        return frozenset()
    levels, cur, hits = resolver.levels, resolver.cur, res.hits
    return frozenset((hits[h][1], hits[h][2]) for i, _w, h, _k in res.evidence
                     if levels[i] == 2 and cur[i][2] == res.community_code and h < len(hits))


def _typed_by_sound(fc: FuzzyCandidate, costs: CharCosts, in_town: bool = True) -> bool:
    """Whether the text may have the name typed from its pinyin: every character it changes has the main reading
    of the name's character there, none is added or dropped (红气村 for 红旗村, 文尔路 for 文二路, 擒乐寸 for 勤乐村,
    江橇原 for 江桥苑: two edits in a name of three, more than :func:`max_edits` allows otherwise), or, in a named
    town, the distinctive part alone is written so (送山1组 for 松山村). A suffix written otherwise must be written
    with characters of no generic suffix: a suffix of another kind read by its sound (花园 for 华苑, 家园 for 佳苑)
    names another place, and so does a stretch with one (锦园 is no 锦源村)."""
    stem = strip_generic_suffix(fc.name, fc.kind)
    suffix = fc.name[len(stem):]
    if not suffix:
        return False
    if len(fc.written) == len(fc.name):
        written_suffix = fc.written[len(stem):]
        if written_suffix != suffix and any(ch in _SUFFIX_CHARACTERS for ch in written_suffix):
            return False
        meant = fc.name
    elif (len(fc.written) == len(stem) and in_town and fc.skipped == 0
          and not any(ch in _SUFFIX_CHARACTERS for ch in fc.written)):
        meant = stem
    else:
        return False
    changed = [(a, b) for a, b in zip(meant, fc.written) if a != b]
    return bool(changed) and all(costs.syllable(a) == costs.syllable(b) for a, b in changed)


def _starts(before: list, res: Resolution, deciding: frozenset[tuple[int, int]] = frozenset()) -> list[int]:
    """Where the name before an anchor may start: after the last division name written before it,
    and at its start when it is a town or community (城西 + 2组32号: the village 城西村 written
    without 村); when that name decided
    nothing (a bare village name read inside the misspelled name: 顾家 in 顾家畈路), also after the
    one before, and so on (at most :data:`MAX_STARTS`). A community name decides only when it names the
    decided community (``deciding``: the spans of such names): 钦堂乡大溪边前村 decides 大溪边村, and 前村, another
    bare village name, leaves the start before it open (大溪边村 with 前 added)."""
    if not before:
        return [0]
    out: list[int] = []
    decided = {"district": res.district_code, "town": res.town_code, "community": res.community_code}

    def scoped_before(at: int) -> bool:  # a district or town name before ``at`` still scopes a reading from there
        return any(x[0] in ("district", "town") and x[2] <= at for x in before)

    last = True  # (the last division name, or one right before community names that decided nothing)
    for k, h in enumerate(reversed(before[-MAX_STARTS:])):
        if h[0] == "community" and decided["community"] is not None and (h[1], h[2]) not in deciding:
            out.append(h[2])
            out.append(h[1])
            continue
        out.append(h[2])
        if k == 0 and h[0] == "outside" and (res.district_code or any(x[0] == "city" for x in before)):
            # a place outside Hangzhou written after Hangzhou or a district of it, right before the number,
            # names a road or compound (拱墅区绍兴9号: 绍兴路 with 路 dropped; 萧山区澳门34号: 澳门街)
            out.append(h[1])
        if h[0] in ("prov", "city", "outside"):
            break
        if (last and h[0] in ("town", "community") and (k == 0 or scoped_before(h[1]))
                or decided.get(h[0]) is None):
            # 城西 + 2组32号: the village 城西村 written without 村 (after names that decided nothing, only where a
            # district or town before it still scopes the reading: 钦堂乡 + 大溪边前村)
            out.append(h[1])
        last = False
        if decided.get(h[0]) is not None:
            prev = before[-k - 2] if len(before) >= k + 2 else None
            if (h[0] == "community" and prev is not None and prev[0] == "community" and prev[2] == h[1]
                    and (prev[1], prev[2]) not in deciding and scoped_before(prev[1])):
                # 太阳镇大溪武村16号: the village decided from 武村, right after 大溪, a bare village name that decided
                # nothing — the name may start there (大溪坞村 with 坞 typed 武)
                out.append(prev[1])
            break
    return list(dict.fromkeys(out))
