"""The names the division resolver looks for, as one Aho-Corasick automaton over normalized keys
(:func:`build_gazetteer`): every way of writing a Hangzhou division (official names, suffixed and bare forms
from :func:`hangzhou_address.names.name_variants`, pre-2021 and older-list names, a village written with the
other kind word, the functional zones of :mod:`~hangzhou_address.matching.zones`), the province / city
prefixes, the names of places outside Hangzhou (:mod:`~hangzhou_address.matching.outside`) and the road and
compound names of the registry's ``addresses`` table (with their aliases). Each key carries flags (what it may
be: ``F_DIV``, ``F_CITY``, ``F_ROAD`` ...) and its division entries ``(division index, kind)``;
:class:`hangzhou_address.resolve.DivisionResolver` weighs them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import InputError
from .normalize import alias_keys as _alias_keys
from .normalize import normalize_key as _normalize_key
from .outside import OUTSIDE_CITIES as _OUTSIDE_CITIES
from .outside import OUTSIDE_PROVINCES as _OUTSIDE_PROVINCES
from .outside import OUTSIDE_ZHEJIANG_COUNTIES as _OUTSIDE_ZHEJIANG_COUNTIES
from .outside import outside_counties as _outside_counties
from .zones import functional_zones as _functional_zones

if TYPE_CHECKING:  # pragma: no cover
    from ..registry import Registry

__all__ = [
    "DivisionArrays",
    "Gazetteer",
    "build_gazetteer",
    "older_divisions",
    "KIND_CODE",
    "ROAD_TAIL",
    "NUMBERED_ROAD_TAILS",
    "F_PROV",
    "F_CITY",
    "F_OUT_FULL",
    "F_OUT_SHORT",
    "F_ROAD",
    "F_POI",
    "F_DIV",
    "F_FORMER",
    "F_OUT_COUNTY",
    "F_NAMES",
    "F_PREFIX_ONLY",
]

_LEVELS = ("district", "town", "community")
#: a bare name ending so is the road itself (余杭塘路 社区: its bare form is the road)
ROAD_TAIL = ("路", "街", "巷", "弄", "大道")
#: what follows 号 in the name of a numbered road (1号路, 2号大街): that 号 is no door / building number
NUMBERED_ROAD_TAILS = ("路", "街", "大街", "大道", "巷")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")

#: "converted": a community written with the other kind word (云峰村 for 云峰社区, 五星社区 for 五星村委会),
#: only where that is unique in its town; weak alone, enough with its town named
#: "zone": a functional zone lying in the district (:mod:`hangzhou_address.matching.zones`: 杭州经济技术开发区)
KIND_CODE = {"official": 0, "full": 1, "short": 2, "legacy": 3, "converted": 4, "former": 5, "zone": 6}

# key flags
F_PROV = 1
F_CITY = 2
F_OUT_FULL = 4
F_OUT_SHORT = 8
F_ROAD = 16
F_POI = 32
F_DIV = 64
#: the name of a former town whose successor is unknown (older lists only): read as that name, never as
#: a village inside it, and reported
F_FORMER = 128
F_OUT_COUNTY = 256  # a county-level division of another city (full name): outside only where a division is expected
#: flags of a key that is (also) a division, prefix or outside-Hangzhou name
F_NAMES = F_PROV | F_CITY | F_OUT_FULL | F_OUT_SHORT | F_DIV | F_FORMER | F_OUT_COUNTY
#: a key with no flags outside these is only a province / city prefix
F_PREFIX_ONLY = F_PROV | F_CITY


class DivisionArrays(Protocol):
    """The resolver's division arrays (by internal index) that the keys are built from."""

    codes: list[str]
    levels: list[int]  # 0 district, 1 town, 2 community
    names: list[str]
    active: list[bool]
    successors: list[tuple[str, ...]]  # current codes
    cur: list[tuple[str | None, str | None, str | None]]  # current (district, town, community)
    curs: list[tuple[tuple[str | None, str | None, str | None], ...]]  # the current chains of all successors
    old_note: dict[int, tuple[str, str]]  # divisions known only to the lists before 2020: (period, why)


@dataclass(frozen=True)
class Gazetteer:
    """The keys of one registry and their automaton (built by :func:`build_gazetteer`).

    ``automaton`` maps a key to ``(key id, length)``; per key id: ``key_text``, ``key_flags`` (``F_*``),
    ``key_entries`` (``(division index, KIND_CODE)``), whether it has a bare-name entry (``key_short``), its
    highest bare level (``key_top_short``, 9 for none), the district codes it names (``key_dcodes``) and whether
    its last character may head a road / compound name (``key_trim``: 萧山市|心中路, 杭州|市民街).
    """

    key_text: list[str]
    key_flags: list[int]
    key_entries: list[tuple[tuple[int, int], ...]]
    automaton: Any
    key_short: list[bool]
    key_top_short: list[int]
    key_dcodes: list[frozenset[str]]
    key_trim: list[bool]
    #: a former town (successor unknown) is a key (``F_FORMER``)
    has_former: bool
    #: the full names of former villages / communities (successor unknown) -> their indices: not keys of the
    #: automaton (they change no reading), looked for with ``former_ac`` in a text whose answer is their town
    former_villages: dict[str, tuple[int, ...]]
    #: per former village / community index: the editions it is in (``2016 2017``), for the reason
    editions: dict[int, str]
    former_ac: Any
    #: where each county-level name of another city is, for the reason (see :func:`outside_counties`)
    outside_where: dict[str, str]
    #: per current division index written by a former name (``KIND_CODE["former"]``): its former names with
    #: their editions, for the reason
    former_names: dict[int, tuple[tuple[str, str], ...]]
    #: the keys of functional zones (``KIND_CODE["zone"]``) -> (the zone's name, its district's code), for the reason
    zones: dict[str, tuple[str, str]]


def build_gazetteer(div: DivisionArrays, registry: Registry,
                    gazetteer: Iterable[tuple[str, str]] | None = None) -> Gazetteer:
    """The keys of the divisions ``div`` of ``registry``, its prefixes, the names outside Hangzhou and the road /
    compound names ``gazetteer`` (``(name, label)``, label ``road`` / ``poi`` / ``road_alias`` / ``poi_alias``;
    default: those of the registry's ``addresses`` and ``aliases`` tables), as one automaton."""
    import ahocorasick

    divs = registry.divisions
    keys: dict[str, tuple[int, list[tuple[int, int]]]] = {}

    def add(text: str, flag: int, entry: tuple[int, int] | None = None) -> None:
        text = _normalize_key(text)
        if len(_CJK_RE.findall(text)) < 2:  # 五四村 -> "54": not a name to look for
            return
        f, entries = keys.get(text, (0, []))
        if entry is not None and entry not in entries:
            entries.append(entry)
        keys[text] = (f | flag, entries)

    from ..names import name_variants

    div_keys: set[str] = set()
    converted = _converted_names(div, name_variants)
    named: set[tuple[str, tuple]] = set()  # (key, current chain) already written by some division
    former: list[str] = []
    former_v: list[int] = []
    for i, (code, lvi, name) in enumerate(zip(div.codes, div.levels, div.names)):
        level = _LEVELS[lvi]
        if not div.successors[i]:
            if i in div.old_note and level == "town":
                former.append(name)  # a former town, successor unknown: its full name only
            elif level == "community" and not div.active[i]:
                former_v.append(i)  # a former village / community, successor unknown: its full names only
            continue
        try:
            variants = [(v.text, v.kind) for v in name_variants(name, level)]
        except InputError:  # pragma: no cover
            continue
        core = [t for t, k in variants if k == "short"]
        if level == "district":  # 临安市 -> 临安区, 萧山市, 余杭县 ...
            variants += [(c + suf, "legacy") for c in core for suf in ("市", "县", "区") if c + suf != name]
        elif level == "town":  # 乔司镇 -> 乔司街道, 转塘镇 ...
            variants += [(c + suf, "legacy") for c in core for suf in ("镇", "乡", "街道") if c + suf != name]
        variants += [(t, "converted") for t in converted.get(i, ())]
        for text, kind in variants:
            if kind == "short" and text.endswith(ROAD_TAIL):
                continue  # 余杭塘路(社区): the bare form is the road
            nk = _normalize_key(text)
            if i in div.old_note and any((nk, ch) in named for ch in div.curs[i] or (div.cur[i],)):
                continue  # an older list's name that a current (or 2020) division is written by already
            named.add((nk, div.cur[i]))
            add(text, F_DIV, (i, KIND_CODE[kind]))
            div_keys.add(nk)
    # a current division's former names (the divisions' ``former_names``: 上四村 for 上泗村, renamed under its
    # code): their full forms, where no current division is written so
    former_of = _former_names_by_index(div, registry)
    for i, olds in former_of.items():
        for old, _editions in olds:
            for v in name_variants(old, _LEVELS[div.levels[i]]):
                nk = _normalize_key(v.text)
                if v.kind in ("official", "full") and nk not in div_keys:
                    add(v.text, F_DIV, (i, KIND_CODE["former"]))
    # functional zones (杭州经济技术开发区: 钱塘区), where no division is written so
    zones: dict[str, tuple[str, str]] = {}
    district_index = {c: i for i, (c, lv, act) in enumerate(zip(div.codes, div.levels, div.active)) if lv == 0 and act}
    for zone in _functional_zones():
        i = district_index.get(zone.district_code)
        for text in zone.written if i is not None else ():
            nk = _normalize_key(text)
            if nk not in div_keys:
                add(text, F_DIV, (i, KIND_CODE["zone"]))
                zones[nk] = (zone.name, zone.district_code)
    has_former = False
    for name in former:
        if _normalize_key(name) not in div_keys:
            add(name, F_FORMER)
            has_former = True
    # former villages / communities: their full names, looked for after the decision only (not keys)
    former_villages: dict[str, tuple[int, ...]] = {}
    code_editions = dict(zip(divs["code"], divs["editions"])) if "editions" in divs else {}
    editions = {i: code_editions.get(div.codes[i]) or "" for i in former_v}
    for i in former_v:
        for v in name_variants(div.names[i], "community"):
            nk = _normalize_key(v.text)
            if v.kind not in ("official", "full") or len(_CJK_RE.findall(nk)) < 2:
                continue
            if i not in former_villages.get(nk, ()):
                former_villages[nk] = former_villages.get(nk, ()) + (i,)
    former_ac = ahocorasick.Automaton()
    for nk in former_villages:
        former_ac.add_word(nk, nk)
    if former_villages:
        former_ac.make_automaton()
    for text in ("浙江省", "浙江"):
        add(text, F_PROV)
    for text in ("杭州市", "杭州"):
        add(text, F_CITY)
    for full in _OUTSIDE_PROVINCES + _OUTSIDE_CITIES + _OUTSIDE_ZHEJIANG_COUNTIES:
        if _normalize_key(full) in div_keys:
            continue
        add(full, F_OUT_FULL)
        short = re.sub(r"(省|市|自治区|特别行政区|回族|壮族|维吾尔|自治州|地区|盟|区|县)+$", "", full)
        if len(short) >= 2 and _normalize_key(short) not in div_keys:
            add(short, F_OUT_SHORT)
            if full in _OUTSIDE_ZHEJIANG_COUNTIES:  # 上虞市 (now 上虞区), 奉化市 ...
                for suf in ("市", "县", "区"):
                    if _normalize_key(short + suf) not in div_keys:
                        add(short + suf, F_OUT_FULL)
    outside_where: dict[str, str] = {}  # county-level names of other cities -> where they are
    for key, where in _outside_counties().items():
        if key not in div_keys:  # 西湖区 is Hangzhou's unless another province / city is named (南昌市西湖区)
            add(key, F_OUT_COUNTY)
            outside_where[key] = where
    # --- gazetteer (roads / compounds) from the addresses table
    if gazetteer is None:
        gazetteer = _gazetteer_from_registry(registry)
    strong_div = [k for k, (f, e) in keys.items() if f & (F_PROV | F_CITY)
                  or any(kind in (0, 1) for _, kind in e)]
    strong_ac = ahocorasick.Automaton()
    for k in strong_div:
        strong_ac.add_word(k, k)
    strong_ac.make_automaton()
    for name, label in gazetteer:
        if not isinstance(name, str) or len(name) < 2:
            continue
        nk = _normalize_key(name)
        if label.endswith("_alias"):
            # another name of a road / compound (already a lookup form, :func:`_alias_keys`): only where
            # it cannot hide a division name, i.e. one that starts with any form of a division name
            label = label[: -len("_alias")]
            if any(nk[:k] in div_keys for k in range(2, len(nk))):
                continue
        if len(nk) < 2 or any(True for _ in strong_ac.iter(nk[:1] and nk) if False):
            continue
        # skip names that start with a full division name (they would hide it)
        starts_strong = False
        for end, k in strong_ac.iter(nk):
            if end + 1 - len(k) == 0 and len(k) < len(nk) and k not in ("杭州", "浙江"):
                starts_strong = True
                break
        if starts_strong:
            continue
        add(nk, F_ROAD if label == "road" else F_POI)

    key_text: list[str] = []
    key_flags: list[int] = []
    key_entries: list[tuple[tuple[int, int], ...]] = []
    ac = ahocorasick.Automaton()
    # pyahocorasick finds a node's child by a linear scan in insertion order, so a character that
    # starts no key scans all ~900 children of the root: every character of the keys (and the
    # digits and unit words of the building part) is made a child of the root first, the most
    # frequent first, through a key that never matches (normalized text holds no control
    # characters; DivisionResolver._scan drops it anyway). Same hits, 4.0 -> 2.5 us per address.
    for ch in _root_order(keys):
        ac.add_word(ch + "\x00", None)
    for text, (flag, entries) in keys.items():
        kid = len(key_text)
        key_text.append(text)
        key_flags.append(flag)
        key_entries.append(tuple(entries))
        ac.add_word(text, (kid, len(text)))
    ac.make_automaton()
    # per key: has a bare-name entry, its highest bare level, the district codes it names
    key_short = [any(k == 2 for _i, k in e) for e in key_entries]
    key_top_short = [min((div.levels[i] for i, k in e if k == 2), default=9) for e in key_entries]
    key_dcodes = [frozenset(div.codes[i] for i, _k in e if div.levels[i] == 0) for e in key_entries]
    # a key whose last character may head a road / compound name of the registry (萧山市|心中路,
    # 杭州|市民街): the city prefix, a name ending in 市, a bare division name
    key_trim = [bool(f & F_CITY or f & F_DIV and (t.endswith("市") or all(k >= 2 for _i, k in e)))
                for t, f, e in zip(key_text, key_flags, key_entries)]
    return Gazetteer(key_text=key_text, key_flags=key_flags, key_entries=key_entries, automaton=ac,
                     key_short=key_short, key_top_short=key_top_short, key_dcodes=key_dcodes, key_trim=key_trim,
                     has_former=has_former, former_villages=former_villages, editions=editions,
                     former_ac=former_ac, outside_where=outside_where, former_names=former_of, zones=zones)


def older_divisions(registry: Registry) -> dict[str, tuple[str, str]]:
    """Retired divisions known only to the lists before 2020 -> (period, why: the lineage reason without its
    source), e.g. ``('before 2015', 'renamed (2014-12)')``; empty for a registry without ``editions``."""
    divs = registry.divisions
    if "editions" not in divs or not hasattr(registry, "history"):
        return {}
    out: dict[str, tuple[str, str]] = {}
    for code, status, editions in zip(divs["code"], divs["status"], divs["editions"]):
        if status == "active" or not editions or "2020" in editions.split() or "2023" in editions.split():
            continue
        h = registry.history(code)
        why = "; ".join(dict.fromkeys(r.split("; source")[0] for r in h.reasons if r))
        out[code] = (h.period or "older list", why)
    return out


def _former_names_by_index(div: DivisionArrays, registry: Registry) -> dict[int, tuple[tuple[str, str], ...]]:
    """Per active division index: its former names with their editions (:meth:`Registry.former_names`)."""
    former = registry.former_names()
    if not former:
        return {}
    return {i: former[c] for i, c in enumerate(div.codes) if div.active[i] and c in former}


def _converted_names(rv: DivisionArrays, name_variants) -> dict[int, tuple[str, ...]]:
    """Per active community index: its name with the other kind word (云峰社区 -> 云峰村, 五星村委会 -> 五星社区),
    where no other community of its town has the same bare name."""
    by_town: dict[str | None, list[tuple[int, str, str]]] = {}
    for i, (lv, act, name) in enumerate(zip(rv.levels, rv.active, rv.names)):
        if lv != 2 or not act:
            continue
        if name.endswith("社区") or name.endswith("社区居委会"):
            other = "村"
        elif re.search(r"村(村?委会|村?民委员会)?$", name):
            other = "社区"
        else:
            continue
        cores = [v.text for v in name_variants(name, "community") if v.kind == "short"]
        if cores:
            by_town.setdefault(rv.cur[i][1], []).append((i, cores[0], other))
    out: dict[int, tuple[str, ...]] = {}
    for items in by_town.values():
        n = Counter(core for _i, core, _o in items)
        for i, core, other in items:
            if n[core] == 1 and len(_CJK_RE.findall(core)) >= 2:
                out[i] = (core + other,)
    return out


def _root_order(keys: Iterable[str]) -> list[str]:
    """The digits and building-part unit words, then the characters of ``keys`` by frequency."""
    freq = Counter(ch for k in keys for ch in k)
    return list(dict.fromkeys("0123456789号幢栋楼单元室层弄组-#" + "".join(ch for ch, _n in freq.most_common())))


def _gazetteer_from_registry(registry: Registry) -> list[tuple[str, str]]:
    if not registry.has_table("addresses"):
        return []
    addr = registry.addresses
    if addr is None or len(addr) == 0:
        return []
    out: list[tuple[str, str]] = []
    for col, label in (("road", "road"), ("poi", "poi")):
        if col in addr:
            names = addr[col].dropna().unique()
            out.extend((str(v), label) for v in names)
    if registry.has_table("aliases"):  # other names of the roads and compounds (a former name, a short name)
        aliases = registry.aliases
        if aliases is not None and len(aliases):
            for kind, alias in zip(aliases["kind"], aliases["alias"]):
                label = "road_alias" if kind == "road" else "poi_alias"
                out.extend((key, label) for key in _alias_keys(str(alias)))
    return out
