"""Division resolution: which district, town and community a free-text address names.

The resolver scans a normalized text once with an Aho-Corasick automaton over every way of
writing a Hangzhou division (official names, suffixed and bare forms from
:func:`hangzhou_address.names.name_variants`, pre-2021 names such as 下城区 / 江干区 / 临安市),
the province / city prefixes (浙江省, 杭州市), names of places outside Hangzhou (南昌市, 宁波, ...)
and, when the registry has an ``addresses`` table, the road and compound names of that table (the keys and
the automaton: :mod:`hangzhou_address.matching.gazetteer`).

Hits are accepted left to right, longest first, under word-boundary rules:

* a bare name (``西溪``, ``天目``) counts only where a word starts (text start, after a prefix or
  another division name, after punctuation / digits) and when it is not the head of a longer
  road or landmark name (``天目山路``, ``西溪路``, ``和睦新村``); a known road / compound name of the
  registry always wins over a bare division name inside it;
* a full name (``西溪街道``, ``天目村``) counts anywhere except as the head of a road (``XX村路``).

Accepted hits become hypotheses (community, town or district) scored by their own evidence plus
the support of the other levels along the hierarchy, minus conflicts (a town written under a
district it never belonged to). Pre-2021 membership counts as support, so ``江干区下沙街道``
resolves to 钱塘区 and ``余杭区临平街道`` to 临平区, each with a reason. A level is *determined*
only when every competitive hypothesis agrees on it; otherwise resolution stops one level up and
reports the competing candidates.

Examples
--------
>>> from hangzhou_address.io.embedded import load_official_divisions
>>> from hangzhou_address.registry import Registry
>>> divisions, lineage = load_official_divisions()
>>> reg = Registry(divisions, lineage=lineage)
>>> r = resolve_divisions("浙江杭州江干区下沙街道", registry=reg)
>>> r.district_code, r.level
('330114', 'town')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import InputTypeError
from .matching.division_decision import decide
from .matching.division_notes import noted
from .matching.gazetteer import F_CITY as _F_CITY
from .matching.gazetteer import F_DIV as _F_DIV
from .matching.gazetteer import F_FORMER as _F_FORMER
from .matching.gazetteer import F_NAMES as _F_NAMES
from .matching.gazetteer import F_OUT_COUNTY as _F_OUT_COUNTY
from .matching.gazetteer import F_OUT_FULL as _F_OUT_FULL
from .matching.gazetteer import F_OUT_SHORT as _F_OUT_SHORT
from .matching.gazetteer import F_POI as _F_POI
from .matching.gazetteer import F_PREFIX_ONLY as _F_PREFIX_ONLY
from .matching.gazetteer import F_PROV as _F_PROV
from .matching.gazetteer import F_ROAD as _F_ROAD
from .matching.gazetteer import NUMBERED_ROAD_TAILS as _NUMBERED_ROAD_TAILS
from .matching.gazetteer import build_gazetteer, older_divisions
from .matching.normalize import normalize_for_matching
from .matching.resolution import LEVELS as _LEVELS
from .matching.resolution import Hit, Resolution
from .runtime import BoundedMemo

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Registry

__all__ = [
    "resolver_for",
    "Resolution",
    "DivisionResolver",
    "Hit",
    "resolve_divisions",
    "normalize_for_matching",
    "MAX_INPUT_CHARS",
    "InputTypeError",
]

#: Texts longer than this are not addresses: matching and parsing refuse them with a reason
#: (:func:`_too_long`) after a length check alone, before any other work on the text.
MAX_INPUT_CHARS = 1000


def _too_long(n: int) -> str:
    """The reason given for a text of ``n`` > :data:`MAX_INPUT_CHARS` characters."""
    return f"text longer than {MAX_INPUT_CHARS:,} characters ({n:,}): not an address"


#: the resolver's memos hold decisions of texts up to this many (normalized) characters only: longer texts
#: are not ordinary addresses, and their evidence (hundreds of entries) would not repeat
_MEMO_MAX_CHARS = 200
#: budget of the resolver's decision memo, in estimated bytes (:func:`_memo_cost`); the shape memo has a quarter
_DECISION_MEMO_BYTES = 96 * 2**20


def _memo_cost(evidence: tuple) -> int:
    """Estimated bytes a memo entry keyed by ``evidence`` holds: its key (a tuple of 4-tuples, a float in
    each) and its share of the decision (measured with tracemalloc: tests/test_resolve.py)."""
    return 430 + 105 * len(evidence)


# a bare name followed by one of these is the head of a longer road / landmark name
_NAME_TAIL1 = frozenset("路街巷弄桥港河湖山园苑城府庭居坊里塘湾岭坞浜埠门楼厦庄寺院校场店馆墅阁轩塔洲岛溪堤坝闸口")
_NAME_TAIL2 = frozenset(
    "大道 大街 新村 小区 花园 广场 大厦 公寓 家园 中心 中学 小学 医院 公园 工业 市场 商场 银行 酒店 宾馆 "
    "大学 学院 公司 集团 科技 电子 大楼 商城 新城 名苑 家苑 雅苑 嘉苑 二村 一村 三村 新苑 佳苑 景苑 "
    "北路 南路 东路 西路 中路 支路 直街 横街 老街 新街".split()
)
#: residential compound words: a bare town name right after its district and before one of these names the
#: town (江干区九堡|佳苑, 上城区望江|家园), not the head of a road or a landmark
_COMPOUND_TAIL1 = frozenset("园苑府庭居坊墅")
_COMPOUND_TAIL2 = frozenset("新村 小区 花园 公寓 家园 名苑 家苑 雅苑 嘉苑 新苑 佳苑 景苑 一村 二村 三村".split())
# 杭州 followed by these is a name (杭州湾新区 is in Ningbo), not the city prefix
_CITY_TAIL = ("湾", "路", "街", "大道", "大厦", "银行", "东站", "南站", "西站", "北站", "大学", "中学", "饭店", "酒店")
# a division name right after one of these characters starts a new word
_BOUNDARY_CHARS = frozenset("省市区县镇乡道村路街巷号弄栋幢楼室组旁内外边侧面对")
#: 市辖区 (the NBS lists' "city districts" placeholder) after the city prefix: part of the prefix
_CITY_DISTRICTS_RE = re.compile(r"[-_,，]*市辖区[-_,，]*")
_DIGIT_RE = re.compile(r"[0-9]")
#: a door / building number (what ends the address proper: a bare name after it is a description)
_DOOR_NUMBER_RE = re.compile(r"[0-9]+\s*(?:号(?!" + "|".join(_NUMBERED_ROAD_TAILS) + r")|號|幢|栋|弄)")
# 建设 + 二路 / 下沙 + 4号大街: a bare name heading a numbered road
_NUMBERED_ROAD_RE = re.compile(r"[0-9一二三四五六七八九十]{1,3}(?:路|街|大街|弄|巷|大道)")

# ----------------------------------------------------------------------------- results
_tuple_new = tuple.__new__  # Hit(...) without the named tuple's generated __new__ (hot path)


_tuple_new = tuple.__new__  # Hit(...) without the named tuple's generated __new__ (hot path)


# ----------------------------------------------------------------------------- resolver
class DivisionResolver:
    """Indexes of one registry for division resolution (built once per registry; see
    :func:`resolve_divisions`).

    Parameters
    ----------
    registry : Registry
    gazetteer : iterable of (name, label), optional
        Road (``label='road'``) and compound / landmark (``'poi'``) names that must win over bare
        division names inside them; defaults to the names of the registry's ``addresses`` table.
    """

    def __init__(self, registry: Registry, *, gazetteer: Iterable[tuple[str, str]] | None = None) -> None:
        self.registry = registry
        # --- divisions: arrays by internal index
        self.codes: list[str] = []
        self.levels: list[int] = []
        self.names: list[str] = []
        self.active: list[bool] = []
        self.cur: list[tuple[str | None, str | None, str | None]] = []  # current (district, town, community)
        self.successors: list[tuple[str, ...]] = []  # current codes (districts: current district codes)
        #: per division: the current chains of all its successors (several for a town split between towns)
        self.curs: list[tuple[tuple[str | None, str | None, str | None], ...]] = []
        #: per division known only to the older lists (before 2020): (period, why) for the reasons
        self.old_note: dict[int, tuple[str, str]] = {}
        self.hist_d: dict[str, frozenset[str]] = {}  # current town/community code -> district codes ever
        by_code = {}
        divs = registry.divisions
        parent = dict(zip(divs["code"], divs["parent_code"]))
        name_of = dict(zip(divs["code"], divs["name"]))
        self.name_of = name_of
        status = dict(zip(divs["code"], divs["status"]))

        def chain(code: str) -> tuple[str | None, str | None, str | None]:
            n = len(code)
            if n == 6:
                return (code, None, None)
            if n == 9:
                return (parent.get(code), code, None)
            t = parent.get(code)
            return (parent.get(t) if t else None, t, code)

        def current(code: str) -> tuple[str, ...]:
            try:
                return registry.current(code)
            except Exception:  # noqa: BLE001 - unknown successor: no current code
                return ()

        older = older_divisions(registry)
        hist: dict[str, set[str]] = {}
        for code, lv in zip(divs["code"], divs["level"]):
            if lv not in _LEVELS:
                continue
            i = len(self.codes)
            by_code[code] = i
            self.codes.append(code)
            self.levels.append(_LEVELS.index(lv))
            self.names.append(name_of[code])
            act = status.get(code) == "active"
            self.active.append(act)
            cur = (code,) if act else current(code)
            self.successors.append(tuple(c for c in cur if status.get(c) == "active"))
            c0 = self.successors[-1][0] if self.successors[-1] else None
            self.cur.append(chain(c0) if c0 else (None, None, None))
            self.curs.append(tuple(chain(c) for c in self.successors[-1]) if lv != "district" else ())
            if lv != "district":
                old_d = code[:6]
                for c in self.successors[-1]:
                    hist.setdefault(c, set()).update({old_d, chain(c)[0] or old_d})
            if not act and code in older:
                self.old_note[i] = older[code]
        for code, lv in zip(divs["code"], divs["level"]):  # communities inherit their town's history
            if lv == "community" and status.get(code) == "active":
                t = parent.get(code)
                hist.setdefault(code, set()).update(hist.get(t, set()))
        self.hist_d = {k: frozenset(v) for k, v in hist.items()}
        #: 2020 district codes part of whose territory is now in another district (江干, 萧山, 余杭)
        now_in: dict[str, set[str]] = {}
        for cur, h in self.hist_d.items():
            if len(cur) == 9:
                for od in h:
                    now_in.setdefault(od, set()).add(cur[:6])
        #: per split 2020 district code: the current districts that hold its former towns (余杭区: 余杭区, 临平区)
        self.split_into = {od: frozenset(ds) for od, ds in now_in.items() if len(ds) > 1}
        self.split_districts = frozenset(self.split_into)
        #: per district code: the current districts its territory is or was in (itself, its successors, the
        #: districts that hold its former towns): two district names whose sets are disjoint contradict
        self.district_kin: dict[str, frozenset[str]] = {
            code: frozenset({code, *self.successors[i], *now_in.get(code, ())})
            for i, code in enumerate(self.codes) if self.levels[i] == 0}
        self.by_code = by_code

        # --- keys: every way of writing a division, the prefixes, the names outside Hangzhou, the roads / compounds
        g = build_gazetteer(self, registry, gazetteer)
        self.gazetteer = g
        # (its fields as attributes: the scan reads them in its hot loop)
        self.key_text, self.key_flags, self.key_entries = g.key_text, g.key_flags, g.key_entries
        self.automaton = g.automaton
        self.key_short, self.key_top_short, self.key_dcodes, self.key_trim = (
            g.key_short, g.key_top_short, g.key_dcodes, g.key_trim)
        self.has_former, self.former_villages, self.editions, self.former_ac = (
            g.has_former, g.former_villages, g.editions, g.former_ac)
        self.outside_where = g.outside_where
        #: the pairs of adjacent characters inside division names: a division name can cross a position only
        #: where the text has one of them (:meth:`divisions_across` looks no further for most texts)
        self._division_pairs = frozenset(k[j:j + 2] for k, f in zip(self.key_text, self.key_flags) if f & _F_DIV
                                         for j in range(len(k) - 1))
        self.former_names = g.former_names
        self.zones = g.zones
        #: memoized decisions (see :meth:`_decide`) and decisions per evidence shape (:meth:`_decide_by_shape`)
        self._decisions = BoundedMemo(_DECISION_MEMO_BYTES)
        self._shapes = BoundedMemo(_DECISION_MEMO_BYTES // 4)
        self._written_sets: dict[frozenset[str], frozenset[str]] = {}

    def names_a_division(self, text: str) -> bool:
        """Whether ``text`` (normalized) is one of the ways of writing a Hangzhou division."""
        got = self.automaton.get(text, None)
        return got is not None and bool(self.key_flags[got[0]] & _F_DIV)

    def districts_related(self, a: str, b: str) -> bool:
        """Whether current district ``a`` and district ``b`` are one, or one holds territory of the other now or
        before 2021 (余杭区 and 临平区; 萧山区 and 钱塘区)."""
        kin = self.district_kin
        return a == b or a in kin.get(b, ()) or b in kin.get(a, ())

    def divisions_across(self, text: str, start: int, end: int) -> list[tuple[str, int, frozenset[str]]]:
        """The division names written in ``text`` (normalized) that begin before ``start`` and end inside
        ``text[start:end]`` — a name read there shares its first characters with them (临浦|一村: 临浦 and
        浦一村) — each with where it starts and the current codes it may stand for (a district: every current district its
        territory is or was in; a town or community: its successors). The city and province prefixes are
        no division and are left out."""
        if start < 1 or text[start - 1:start + 1] not in self._division_pairs:
            return []
        out = []
        key_flags, key_entries, key_text = self.key_flags, self.key_entries, self.key_text
        for a, neg_b, kid in self._scan(text[:end]):
            if a >= start or -neg_b <= start or not key_flags[kid] & _F_DIV:
                continue
            codes: set[str] = set()
            for i, _kind in key_entries[kid]:
                if self.levels[i] == 0:
                    codes |= self.district_kin.get(self.codes[i], frozenset((self.codes[i],)))
                else:
                    codes.update(self.successors[i])
            out.append((key_text[kid], a, frozenset(codes)))
        return out

    # ------------------------------------------------------------------ scanning
    def scan(self, text: str) -> list[tuple[int, int, int]]:
        """All key occurrences ``(start, end, key_id)`` sorted by start, longest first."""
        return [(a, -b, k) for a, b, k in self._scan(text)]

    def _scan(self, text: str) -> list[tuple[int, int, int]]:
        """:meth:`scan` as ``(start, -end, key_id)``: a plain sort gives the order."""
        hits = [(end + 1 - v[1], -end - 1, v[0]) for end, v in self.automaton.iter(text) if v is not None]
        hits.sort()
        return hits

    # ------------------------------------------------------------------ resolution
    def resolve(self, text: str, *, poi_starts: frozenset[int] = frozenset()) -> Resolution:
        """Resolve a **normalized** text (see :func:`normalize_for_matching`).

        ``poi_starts``: start offsets of names to read as compound / village names only (a
        compound named like a community or town, followed by a building number).
        """
        key_flags, key_entries, levels = self.key_flags, self.key_entries, self.levels
        key_short, key_top_short, key_dcodes = self.key_short, self.key_top_short, self.key_dcodes
        key_text, key_trim = self.key_text, self.key_trim
        n = len(text)
        accepted: list[Hit] = []
        evidence: list[tuple[int, float, int, int]] = []  # (div index, weight, hit index, kind)
        outside: list[str] = []
        hz = False
        last_end = 0
        seen_d: set[str] = set()
        prev_short = False
        deep_seen = False
        m_digit = _DIGIT_RE.search(text)
        first_digit = m_digit.start() if m_digit else n
        m_door = _DOOR_NUMBER_RE.search(text, first_digit) if m_digit else None
        after_door = m_door.end() if m_door else n  # where the first door / building number ends
        anchored = False  # a city prefix or district name seen: later foreign names are shop names
        prev_level = -9  # level of the previous accepted hit ending at last_end (-1 prefix)
        prev_kid = -1  # key of the previous accepted hit
        clash: list[str] = []  # a bare district name and an unrelated full one right after it
        misplaced: list[str] = []  # another city's district / county right after the Hangzhou prefix
        hits = self._scan(text)
        gaz_starts = None  # start offsets of road / compound names, computed when first needed
        div_starts = None  # start offsets of division names, computed when first needed
        for start, neg_end, kid in hits:
            if start < last_end:
                continue
            end = -neg_end
            flags = key_flags[kid]
            if not flags & _F_NAMES:  # only a road / compound name of the registry: nothing to weigh
                accepted.append(_tuple_new(Hit, ("road" if flags & _F_ROAD else "poi", start, end, key_text[kid],
                                                 True)))
                last_end, prev_level, prev_short, deep_seen = end, 5, False, True
                continue
            if key_trim[kid]:
                if gaz_starts is None:
                    gaz_starts = {s for s, _e, k in hits if key_flags[k] & (_F_ROAD | _F_POI)}
                if end - 1 in gaz_starts:
                    # 萧山市心中路 / 杭州市民街: 市 heads the road (市心中路, 市民街); keep 萧山 / 杭州 + the road
                    shorter = self.automaton.get(text[start:end - 1], None)
                    if shorter is not None:
                        kid, end = shorter[0], end - 1
                        flags = key_flags[kid]
            if flags & _F_PREFIX_ONLY == flags:  # 浙江省 / 杭州市 and nothing else: no division to weigh
                if not text.startswith(_CITY_TAIL, end):
                    hz = hz or bool(flags & _F_CITY)
                    anchored = anchored or hz
                    prev_short = False
                    accepted.append(_tuple_new(Hit, ("prov" if flags & _F_PROV else "city", start, end, key_text[kid],
                                                     False)))
                    last_end = end
                    prev_level = -1
                    if flags & _F_CITY and "市辖区" in text:
                        m_cd = _CITY_DISTRICTS_RE.match(text, end)
                        if m_cd:  # 杭州市-市辖区-九堡: the next name follows the city prefix
                            last_end = m_cd.end()
                continue
            if start in poi_starts and flags & (_F_ROAD | _F_POI):
                flags &= ~_F_DIV  # the caller read it as a compound / village name
            left_ok = (start == 0 or start == last_end and bool(accepted) or text[start - 1] in _BOUNDARY_CHARS
                       or not ("\u3400" <= text[start - 1] <= "\u9fff"))
            adjacent = bool(accepted) and start == last_end
            nxt = text[end:end + 1]
            nxt2 = text[end:end + 2]
            road_tail = nxt in ("路", "街", "巷", "弄") or nxt2 == "大道"
            if key_short[kid] or flags & _F_OUT_SHORT:
                tail = nxt in _NAME_TAIL1 or nxt2 in _NAME_TAIL2 or bool(_NUMBERED_ROAD_RE.match(text, end))
                if tail and key_top_short[kid] == 0 and key_dcodes[kid]:
                    if div_starts is None:
                        div_starts = {}
                        for s, _e, k in hits:
                            if key_flags[k] & _F_DIV:
                                div_starts.setdefault(s, []).append(k)
                    if self._names_a_part_of(key_dcodes[kid], div_starts.get(end, ())):
                        tail = False  # 萧山|河上, 余杭|塘栖: a town of that district follows, not a tail
            else:
                tail = False
            # 江干区|九堡|佳苑: a bare town name right after a district, before a compound word
            compound = (tail and adjacent and prev_level == 0 and not road_tail
                        and (nxt in _COMPOUND_TAIL1 or nxt2 in _COMPOUND_TAIL2))
            used = False
            n_ev = 0  # evidence entries of this hit, and whether all are bare names
            all_short = True
            label = ""
            lvl = -9
            if flags & _F_DIV and not road_tail:
                best_lv = 9
                top_short = key_top_short[kid]
                for i, kind in key_entries[kid]:
                    lv = levels[i]
                    if kind == 2:  # short
                        if not left_ok or tail and not (compound and lv == 1):
                            continue
                        if lv > top_short and top_short == 0 and seen_d & key_dcodes[kid]:
                            continue  # 余杭区...余杭: the district written again, not 余杭街道
                        expected = max(top_short, prev_level + 1) if adjacent else top_short
                        w = 1.5 - 1.0 * max(0, lv - expected) - (0.5 if lv < expected else 0.0)
                        if lv == 2 and not (adjacent and prev_level == 1):
                            w -= 0.5  # a bare village / community name away from its town
                        if adjacent and (prev_level + 1 == lv or prev_level == -1 and lv == 1):
                            w += 1.0
                        elif adjacent and prev_level < lv:
                            w += 0.5
                        elif start == 0 and lv == 0:
                            w += 1.0
                        if tail:
                            w -= 1.0  # (a compound named after its town): decides with its district only
                        if lv >= 1 and start >= after_door:
                            w -= 1.0  # after the door number a bare name describes (梅家巷5号东门: its east gate)
                    else:
                        w = 3.0 if left_ok else (2.0 if lv == 2 else 2.5)
                        if kind == 3 or kind == 5 or kind == 6:  # legacy form, a former name, a functional zone
                            w -= 0.5
                        elif kind == 4:
                            w -= 1.5
                    if lv == 0 and kind == 2 and (deep_seen or start > first_digit) and not (
                            adjacent and prev_level == -1 and not seen_d):
                        # a district named after streets / towns is part of a name (文三路90号西湖保时捷中心) —
                        # not right after the city prefix, where a district is written (杭行路666号杭州拱墅万达广场)
                        w -= 1.0
                    evidence.append((i, w, len(accepted), kind))
                    n_ev += 1
                    all_short = all_short and kind == 2
                    used = True
                    best_lv = min(best_lv, lv)
                if used and adjacent and prev_short and best_lv == 0 and any(k == 6 for _i, k in key_entries[kid]):
                    zoned = {self.codes[i] for i, k in key_entries[kid] if k == 6}
                    if key_dcodes[prev_kid] & zoned:
                        # 杭州余杭未来科技城: a bare district name right before a functional zone of that district is
                        # the district, not a town named alike (余杭街道)
                        evidence[:] = [e for e in evidence if not (e[2] == len(accepted) - 1 and levels[e[0]] > 0)]
                elif used and adjacent and prev_short and any(k != 2 and levels[i] == best_lv
                                                              for i, k in key_entries[kid]):
                    if best_lv == 0 and self._contradict(key_dcodes[prev_kid], key_entries[kid]):
                        clash += (key_text[prev_kid], key_text[kid])  # 上城淳安县: the full name is read, reported
                    # 临平东湖街道: a bare name right before a full name of the same level is not that level
                    evidence[:] = [e for e in evidence
                                   if not (e[2] == len(accepted) - 1 and e[3] == 2 and levels[e[0]] == best_lv)]
                if used:
                    label = _LEVELS[best_lv]
                    lvl = best_lv
                    if key_dcodes[kid]:
                        seen_d |= key_dcodes[kid]
                        anchored = True
            if not used and flags & _F_FORMER and not road_tail:
                used, label, lvl = True, "former", 1  # a former town (successor unknown): no evidence
            if not used and flags & (_F_PROV | _F_CITY):
                if not text.startswith(_CITY_TAIL, end):
                    used = True
                    label = "prov" if flags & _F_PROV else "city"
                    lvl = -1
                    hz = hz or bool(flags & _F_CITY)
                    anchored = anchored or hz
            if not used and flags & _F_OUT_FULL and nxt != "场":
                used, label = True, "outside"
                if not anchored:  # after 杭州 or a district name it is a shop / company name
                    outside.append(self.key_text[kid])
            if not used and flags & _F_OUT_SHORT and left_ok and not tail and not road_tail:
                used, label = True, "outside"
                if not anchored:
                    outside.append(self.key_text[kid])
            if not used and flags & _F_OUT_COUNTY and not flags & (_F_ROAD | _F_POI) and not road_tail:
                if not anchored and (start == 0 or adjacent and prev_level == -1 or text[start - 1] in " ,，:：;；(（"):
                    # another city's district / county where a division is expected: at the start, after a
                    # province / city, or after a separator (万州区分水镇: not 桐庐县分水镇)
                    used, label = True, "outside"
                    outside.append(f"{key_text[kid]} ({self.outside_where[key_text[kid]]})")
                elif hz and not seen_d and adjacent and prev_level == -1 and not any(
                        s == end - 1 and key_flags[k] & (_F_DIV | _F_ROAD | _F_POI) for s, _e, k in hits):
                    # 杭州市万州区分水镇: right after the Hangzhou prefix, where its district is expected (not when
                    # its last character heads a Hangzhou name: 杭州市文昌|市畈村 is 文昌镇's 市畈村)
                    used, label = True, "outside"
                    misplaced.append(f"{key_text[kid]} ({self.outside_where[key_text[kid]]})")
            if not used and flags & (_F_ROAD | _F_POI):
                used, label = True, "road" if flags & _F_ROAD else "poi"
                lvl = 5
            if used and lvl >= 1:
                deep_seen = True
            if used:
                prev_short = n_ev > 0 and all_short
                accepted.append(_tuple_new(Hit, (label, start, end, key_text[kid], bool(flags & (_F_ROAD | _F_POI)))))
                last_end = end
                prev_level = lvl
                prev_kid = kid
        if self.zones and any(e[3] == 6 for e in evidence):
            zoned = {self.codes[e[0]] for e in evidence if e[3] == 6}
            if any(levels[e[0]] == 0 and e[3] != 6 and self.codes[e[0]] not in zoned for e in evidence):
                # a functional zone counts only where no other district is written, bare or not:
                # 杭州市西湖区文三路杭州高新区 is 西湖区 (the zone's 江北区块), 杭州市萧山区临江高新区 the 萧山区 of 2020
                evidence = [e for e in evidence if e[3] != 6]
        return noted(self, self._decide(text, accepted, evidence, outside, hz), tuple(clash), tuple(misplaced))

    def _contradict(self, bare_districts: frozenset[str], entries: Iterable[tuple[int, int]]) -> bool:
        """Whether a bare name of ``bare_districts`` contradicts the full district names among ``entries``
        (no territory in common, now or before 2021: 余杭 + 临平区 or 萧山 + 钱塘区 do not)."""
        kin = self.district_kin
        full = [self.codes[i] for i, k in entries if k != 2 and self.levels[i] == 0]
        return bool(bare_districts and full) and all(
            not kin.get(a, frozenset({a})) & kin.get(b, frozenset({b})) for a in bare_districts for b in full)

    def _names_a_part_of(self, districts: frozenset[str], kids: Iterable[int]) -> bool:
        """Whether one of the keys ``kids`` names a town or community that is (or was) in one of ``districts``."""
        for k in kids:
            for i, _kind in self.key_entries[k]:
                if self.levels[i] and any(ch[0] in districts or districts & self.hist_d.get(ch[self.levels[i]], frozenset())
                                          for ch in self.curs[i]):
                    return True
        return False

    def without(self, res: Resolution, poi_starts: frozenset[int]) -> Resolution:
        """``res`` decided again with the names starting at ``poi_starts`` read as compound / village
        names only (same result as ``resolve(text, poi_starts=...)`` up to adjacency bonuses, without
        scanning again)."""
        hits = []
        drop = set()
        for i, h in enumerate(res.hits):
            if h[1] in poi_starts:
                drop.add(i)
                h = _tuple_new(Hit, ("poi", h[1], h[2], h[3], True))
            hits.append(h)
        evidence = [e for e in res.evidence if e[2] not in drop]
        outside = [r for r in res.reasons if r.startswith("outside")]
        out = self._decide(res.normalized, hits, evidence, [] if not outside else [outside[0][18:]],
                           res.hangzhou_prefix)
        return noted(self, out, res.clash, res.misplaced)

    def _decide(self, text, accepted, evidence, outside, hz) -> Resolution:
        # The decision depends only on the evidence, the outside names and the city prefix, which
        # repeat across a ledger's addresses ("西湖区西溪街道" + thousands of roads): it is memoized
        # per resolver (a BoundedMemo; the text-specific fields are filled in per call). Texts longer than
        # _MEMO_MAX_CHARS are decided without it.
        # The decision compares hit indices only for equality, so they are renumbered densely:
        # "浙江省杭州市西湖区..." and "西湖区..." share one decision.
        # A text naming a place outside Hangzhou (and not Hangzhou itself) is decided by that name alone.
        evidence = tuple(evidence)
        if len(text) > _MEMO_MAX_CHARS:  # not an ordinary address: its decision would not repeat
            template = self._decide_core(evidence, outside, hz)
        else:
            memo = self._decisions
            raw_key = outside[0] if outside and not hz else (evidence, tuple(outside) if outside else (), hz)
            template = memo.get(raw_key)
            if template is None:
                cost = 430 + 105 * len(evidence)  # (_memo_cost, inlined)
                if type(raw_key) is str:
                    template = self._decide_core(evidence, outside, hz)
                else:
                    ranks: dict[int, int] = {}
                    dense = tuple((i, w, ranks.setdefault(h, len(ranks)), k) for i, w, h, k in evidence)
                    key = (dense, raw_key[1], hz, None)  # (the trailing None keeps dense keys apart from raw ones)
                    template = memo.get(key)
                    if template is None:
                        template = memo.put(key, self._decide_by_shape(dense, outside, hz), cost)
                memo.put(raw_key, template, cost)
        res = object.__new__(Resolution)
        d = res.__dict__
        d.update(template.__dict__)
        d["hits"] = tuple(accepted)
        d["normalized"] = text
        d["evidence"] = evidence
        return res

    def _decide_by_shape(self, evidence, outside, hz) -> Resolution:
        """:meth:`_decide_core`, shared between texts that name different places the same way.

        When every evidence entry is a current division on one chain (district ⊃ town ⊃
        community), the decision reads the codes only through equality along that chain, so it
        depends on the *shape* of the evidence (level, weight, hit, kind per entry) alone: a clean
        decision (no candidates, reasons, legacy, conflict or split district) made for
        "西湖区西溪街道X社区" holds for "余杭区仓前街道Y社区" with the codes swapped. Anything else
        is decided in full. ``tests/test_resolve.py`` checks both paths agree.
        """
        chain = None if outside else self._one_chain(evidence)
        if chain is None:
            return self._decide_core(evidence, outside, hz)
        levels = self.levels
        shape = (tuple([(levels[i], w, h, k) for i, w, h, k in evidence]), hz)
        shapes = self._shapes
        known = shapes.get(shape)
        if known is None:
            template = self._decide_core(evidence, outside, hz)
            if template.level is not None and not (template.candidates or template.reasons or template.legacy
                                                   or template.conflict or template.split):
                shapes.put(shape, (_LEVELS.index(template.level), template), _memo_cost(evidence))
            return template
        lv, shape_template = known
        written = shape_template.written_districts
        if written:
            written = frozenset([chain[0]])
            if lv == 0 and written & self.split_districts:
                return self._decide_core(evidence, outside, hz)
            written = self._written_sets.setdefault(written, written)
        res = object.__new__(Resolution)
        d = res.__dict__
        d.update(shape_template.__dict__)
        d["district_code"] = chain[0]
        d["town_code"] = chain[1] if lv >= 1 else None
        d["community_code"] = chain[2] if lv == 2 else None
        d["written_districts"] = written
        return res

    def _one_chain(self, evidence) -> tuple[str, str | None, str | None] | None:
        """The (district, town, community) chain that every evidence entry is a current division
        of (a district entry also with no other successor), or None."""
        levels, cur, active, successors = self.levels, self.cur, self.active, self.successors
        d = t = c = None
        for i, _w, _h, _k in evidence:
            if not active[i]:
                return None
            lv = levels[i]
            ch = cur[i]
            if ch[0] is None or d is not None and ch[0] != d:
                return None
            d = ch[0]
            if lv == 0:
                if len(successors[i]) != 1:
                    return None
                continue
            if ch[1] is None or t is not None and ch[1] != t:
                return None
            t = ch[1]
            if lv == 2:
                if ch[2] is None or c is not None and ch[2] != c:
                    return None
                c = ch[2]
        if d is None:
            return None
        return d, t, c

    def _decide_core(self, evidence: tuple, outside: list[str], hz: bool) -> Resolution:
        """The decision for ``evidence`` (stage 2: :func:`~hangzhou_address.matching.division_decision.decide`)."""
        return decide(self, evidence, outside, hz)

def resolver_for(registry: Registry) -> DivisionResolver:
    """The :class:`DivisionResolver` of ``registry`` (built once and cached on the registry)."""
    return registry.cached("division_resolver", lambda: DivisionResolver(registry))


def resolve_divisions(text: str, *, registry: Registry | None = None) -> Resolution:
    """Resolve the district, town and community that ``text`` names (current codes).

    Parameters
    ----------
    text : str
        A free-text address; it is normalized first (see :func:`normalize_for_matching`).
    registry : Registry, optional
        Defaults to :func:`hangzhou_address.default_registry`.

    Raises
    ------
    InputTypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> r = resolve_divisions("杭州市下城区武林街道")  # doctest: +SKIP
    >>> r.district_code, r.town_code, r.reasons[0][:8]  # doctest: +SKIP
    ('330105', '330105001', 'legacy n')
    """
    if not isinstance(text, str):
        raise InputTypeError(f"text must be a str, got {type(text).__name__}")
    if registry is None:
        from .registry import default_registry

        registry = default_registry()
    if len(text) > MAX_INPUT_CHARS:
        return Resolution(None, None, None, None, 0.0, 0.0, (),
                          (_too_long(len(text)),), ())
    norm, offsets = normalize_for_matching(text)
    res = resolver_for(registry).resolve(norm)
    if offsets is not None:
        res = _with_offsets(res, offsets)
    return res


def _with_offsets(res: Resolution, offsets: tuple[int, ...]) -> Resolution:
    from dataclasses import replace

    return replace(res, offsets=offsets)
