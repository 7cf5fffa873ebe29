"""A misspelled district, town or community name, written with its suffix (or a district's without it, where the
text's district is expected), read as the division it means.

The resolver (:mod:`hangzhou_address.resolve`) reads division names as they are spelled (and their short, former
and traditional forms). A clerk typing from pinyin writes ``米市港街道`` for 米市巷街道, ``宁為街道`` for 宁围街道, ``西胡区`` for
西湖区; the division is then lost, and with it the scope of everything after it. :class:`DivisionSpeller` looks, in
fuzzy mode only, at each division suffix (街道, 镇, 乡, 区, 县, 市, 社区, 村; a village followed by a house number is the
fuzzy stage's, :mod:`hangzhou_address.matching.fuzzy`, which weighs the number) that no division name read by
the resolver covers, and at the characters before it: when exactly one division name with that suffix is one
*slip* away from them — one character of the same pinyin or a look-alike
(:class:`~hangzhou_address.matching.similarity.CharCosts`, the fuzzy stage's costs), or two adjacent characters
swapped; where no such name is in scope, one character of a similar sound (in/ing, an/ang, s/sh, n/l…: 山墩镇 for
三墩镇) in a name that starts a word — the text is read as if it said that name. A town's name is looked for
whatever town suffix the text writes (星窍镇 for 星桥街道, once 星桥镇). The scope keeps it safe: a town is looked for
among the towns of the district the text names — today's, or those that were in it before (江干区沙下街道: 下沙 is in 钱塘区
now) — (the whole city when it names none but says 杭州), a community only among those of the town it names, a
village among those of the town it names or else of its district (余杭区鹤睦桥村: 和睦桥村, in 余杭区 until 2021). A town name
written bare right after the district that opens the text (``余杭乔嘶`` for 乔司, ``江干区臼堡`` for 九堡: real ledgers write
the town so) is read the same way when the resolver read no town, unless the text writes it again further on (a
name, then) or it ends with 村 (大村2组: a village). A district name written bare (``笑山南环路``, ``杭州渔杭乔司``) is read
only where the text's district is expected — right after 浙江省 / 杭州市, or at the start of the text when a town or
community name follows (``渔杭乔司``; ``尚城国际3幢`` may be a compound named so) — when the resolver read no district
and no name starts there, nor right before 村 / 路 / 街 / 巷 / 弄 (``杭州富盐 村``: 富岩村 with 岩 typed 盐, not 富阳). A
town's name written one character short (``滨江区长街道`` for 长河街道, ``淳安县千岛镇`` for 千岛湖镇) is read when exactly
one town in scope is meant; the text then holds ``长河镇`` / the bare ``千岛湖`` in its place.
Same-length edits only, so the offsets of the normalized text stay valid. :class:`Respelling` records what was
read, for the reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .confusable import same_length_slip
from .gazetteer import F_OUT_COUNTY, F_OUT_FULL, F_OUT_SHORT, NUMBERED_ROAD_TAILS
from .similarity import FUZZY_PINYIN, LOOKALIKE, CharCosts

if TYPE_CHECKING:  # pragma: no cover
    from ..resolve import DivisionResolver, Resolution

__all__ = ["DivisionSpeller", "Joined", "Respelling", "MAX_RESPELLINGS", "join_separated"]

#: division names respelled per text (a text of a hundred 街道 costs no more than one with three)
MAX_RESPELLINGS = 3
#: suffixes per level (districts, towns, communities), longest first
_SUFFIXES = {0: ("区", "县", "市"), 1: ("街道", "镇", "乡"), 2: ("社区", "村")}
_SUFFIX_RE = re.compile("街道|社区|[区县市镇乡村]")
_LEVEL_OF = {s: lv for lv, ss in _SUFFIXES.items() for s in ss}
#: the key names are indexed under: a town's suffix changes over time (星桥镇 is now 星桥街道), so a town's
#: name is looked for whatever suffix the text writes (星窍镇 for 星桥街道); districts and communities by suffix
_TOWN = "town"


def _key(suffix: str) -> str:
    return _TOWN if _LEVEL_OF[suffix] == 1 else suffix


#: labels of the resolver's hits a respelled name must not overlap: names read already, and places outside
#: Hangzhou (阜阳市 is no 富阳市, 江岸区 no 江干区)
_READ_LABELS = frozenset({"prov", "city", "district", "town", "community", "outside"})


@dataclass(frozen=True, slots=True)
class Respelling:
    """A division name read from a misspelling: ``written`` at ``start`` in the normalized text, read as
    ``name`` (the division ``code``), with its one ``edit`` (``"巷→港 look-alike"``, ``"湖西 swapped"``)."""

    start: int
    written: str
    name: str
    code: str
    edit: str
    #: the current code the division stands for at its level (a former name's successor), or None
    current: str | None = None
    #: 0 district, 1 town, 2 community
    level: int = 1
    #: a bare district name (笑山 for 萧山, without 区), where the text's district is expected
    bare: bool = False
    #: (a bare name at the very start of the text, without 浙江省 / 杭州市 before it) read only when a town or
    #: community of the text confirms it: 尚城国际3幢 may be a compound named so, 肖山城厢街道 is 萧山
    needs_town: bool = False
    #: (a district) today's districts that hold its territory: a 2020 district split since (江干区: 上城区, 钱塘区)
    #: is read whichever of them the text's town then decides
    successors: frozenset[str] = frozenset()

    def read_in(self, res: Resolution) -> bool:
        """Whether the resolver's reading ``res`` of the respelled text reads this division (a bare district
        name: reads it as a district name, whichever district its towns then decide — 余杭 + 乔司 is 临平区 —
        and, at the very start of the text, a town too; a bare town name: reads that town)."""
        if self.bare and self.level == 1:
            return self.current is not None and res.town_code == self.current and any(
                h[1] == self.start and h[0] in ("town", "district") for h in res.hits)
        if self.bare:
            return (res.district_code is not None and (res.town_code is not None or not self.needs_town)
                    and any(h[0] == "district" and h[1] == self.start for h in res.hits))
        if self.level == 0 and res.district_code in self.successors:
            return any(h[0] == "district" and h[1] == self.start for h in res.hits)
        if self.level == 0 and res.district_code is None and any(
                c[0] == self.current or c[0] in self.successors for c in res.candidates):
            # the text names another district too (杭州市上成区解放路西湖区): left undecided between them, not
            # read as the other one
            return True
        return self.current is not None and self.current == (res.district_code, res.town_code,
                                                             res.community_code)[self.level]

    @property
    def in_text(self) -> str:
        """What the respelled text holds in place of ``written``: ``name``, of the same length — or, for a town
        written one character short, the name with 镇 for 街道 (长街道 for 长河街道: 长河镇, which the resolver reads
        whatever its suffix) or without its 镇 / 乡 (千岛镇 for 千岛湖镇: the bare 千岛湖)."""
        if len(self.name) == len(self.written):
            return self.name
        return self.name[:-2] + "镇" if self.name.endswith("街道") else self.name[:-1]

    @property
    def reason(self) -> str:
        """The reason the matcher gives (``fuzzy: 米市港街道 read as 米市巷街道 (1 edit: 巷→港 look-alike)``)."""
        return f"fuzzy: {self.written} read as {self.name} (1 edit: {self.edit})"


@dataclass(frozen=True, slots=True)
class Joined:
    """A separator pasted inside a division name (``江·干区``, ``上、城区``, ``乔-司街道``), dropped: it stood at
    ``at`` of the normalized text after the join, inside ``written``, read as the division name ``name``."""

    at: int
    separator: str
    written: str
    name: str

    @property
    def reason(self) -> str:
        """The reason the matcher gives (``fuzzy: 江·干区 read as 江干区 (separators ignored)``, ``fuzzy: 良渚渚街道 read
        as 良渚街道 (doubled 渚 ignored)``)."""
        if _han(self.separator):
            return f"fuzzy: {self.written} read as {self.name} (doubled {self.separator} ignored)"
        return f"fuzzy: {self.written} read as {self.name} (separators ignored)"


#: a separator pasted between two characters (a PDF / Excel paste, an IME's 、): 江·干区, 上、城区, 古荡街-道; or a
#: character typed twice (the second one): 良渚渚街道, 长河河街道
_PASTED_RE = re.compile(r"(?<=[\u3400-\u9fff])[·・、\-_/|,，](?=[\u3400-\u9fff])|(?<=([\u3400-\u9fff]))\1")
_DIVISION_HITS = frozenset({"district", "town", "community"})


#: a district or town suffix (a doubled character is dropped only inside a name that ends with one) …
_DIVISION_END_RE = re.compile("街道|[区县市镇乡]")
#: … within this many characters after it (the longest such key of the gazetteer has 15)
_DIVISION_END_WITHIN = 16


def _division_chars(hits: tuple[tuple, ...]) -> int:
    """How many characters of a text the district, town and community names of its hits cover."""
    return len({k for h in hits if h[0] in _DIVISION_HITS for k in range(h[1], h[2])})


def join_separated(norm: str, offsets: tuple[int, ...] | None, resolver: DivisionResolver,
                   ) -> tuple[str, tuple[int, ...] | None, tuple[Joined, ...]]:
    """``norm`` without the separators pasted inside division names and the characters typed twice in them, its
    ``offsets`` (see :func:`~hangzhou_address.matching.normalize.normalize_for_matching`) kept in step, and what was
    joined.

    A separator between two Han characters is dropped when the resolver then reads a district, town or community
    name across the place it stood (``浙江省杭州市江·干区新业路18号``: 江干区, where nothing was read and 新业路18号 was
    answered in 余杭区 at 0.99); a separator between two names (``杭州市·西湖区``) or inside other words stays. So is
    the second of two equal Han characters, when a name ending with a district or town suffix (区 县 市 街道 镇 乡; a
    社区 ends with 区 too) is then read across it and division names cover no less of the text (余杭区良渚渚街道: 良渚街道, where the village 良渚村 was read from the bare
    良渚; not 西湖湖滨街道, 西湖 and 湖滨街道; not inside a bare name — 上上城 is a compound, not 上城 — nor a village's,
    which the fuzzy stage weighs with its house number: 横村村 is a village of 横村镇). At most
    :data:`MAX_RESPELLINGS` characters, one resolver reading each (two for a doubled one)."""
    joined: list[Joined] = []
    pos = 0
    while len(joined) < MAX_RESPELLINGS:
        m = _PASTED_RE.search(norm, pos)
        if m is None:
            break
        at = m.start()
        doubled = m.group(1) is not None
        if doubled and _DIVISION_END_RE.search(norm, at, at + _DIVISION_END_WITHIN) is None:
            pos = at + 1  # (no name across it can end with a suffix: 哈哈哈… costs no resolver readings)
            continue
        candidate = norm[:at] + norm[at + 1:]
        hits = resolver.resolve(candidate).hits
        hit = next((h for h in hits if h[1] < at < h[2] and (
            candidate.endswith(_SUFFIXES[0] + _SUFFIXES[1], h[1], h[2]) if doubled else h[0] in _DIVISION_HITS)), None)
        if hit is not None and doubled and _division_chars(hits) < _division_chars(resolver.resolve(norm).hits):
            hit = None
        if hit is None:
            pos = at + 1
            continue
        name = candidate[hit[1]:hit[2]]
        joined.append(Joined(at, m.group(), name[: at - hit[1]] + m.group() + name[at - hit[1]:], name))
        if offsets is None:
            offsets = tuple(range(len(norm) + 1))
        norm, offsets, pos = candidate, offsets[:at] + offsets[at + 1:], at
    return norm, offsets, tuple(joined)


def _community_form(name: str) -> str:
    """A community's or village's name as texts write it: 湖滨社区居委会 → 湖滨社区, 航民村村民委员会 / 航民村委会 →
    航民村, 新桥村民委员会 → 新桥村 (the official lists write the committees)."""
    name = name.removesuffix("居民委员会").removesuffix("居委会")
    for committee in ("村民委员会", "村委会"):
        if name.endswith(committee):
            base = name[: -len(committee)]
            return base if base.endswith("村") else base + "村"
    return name


#: a house number after a village name (12号, 3组12号; not a group alone: 3组), or after one or two more characters
#: (骤家村桥2组38号: the 村 of 周家桥村 swapped inside the name — the fuzzy stage reads the whole stretch)
_NUMBER_AFTER_RE = re.compile(r"[\u3400-\u9fff]{0,2}(?:\d+(?!\d|组)|\d+组\d)")


def _han(text: str) -> bool:
    return all("\u3400" <= ch <= "\u9fff" for ch in text)


#: characters after a bare town name that say it is the start of another name: a digit, a road / compound word
_NAME_GOES_ON = frozenset("0123456789号路街道巷弄苑园村")

#: a numbered road right after a bare town (下莎20号大街: 下沙's 20号大街, not a door number of the town)
_NUMBERED_ROAD_RE = re.compile(r"\d{1,3}号(?:" + "|".join(NUMBERED_ROAD_TAILS) + ")")

#: separators a text may put between the names that open it (浙江省-杭州市-萧山区)
_BETWEEN = frozenset(" -_,，、/·")
#: characters that end a road / village name: two characters before one of them are that name, not a bare district
_NAME_TAILS = frozenset("村路街巷弄")


def _opening(norm: str, res: Resolution, labels: tuple[str, ...]) -> tuple[int, bool, bool]:
    """Where the names of ``labels`` (province, city, district) that open the text end (separators between them
    aside), and whether they include a district and a city."""
    pos, district, city = 0, False, False
    for h in res.hits:  # (in reading order)
        while pos < h[1] and norm[pos] in _BETWEEN:
            pos += 1
        if h[0] in labels and h[1] == pos:
            pos, district, city = h[2], district or h[0] == "district", city or h[0] == "city"
    return pos, district, city


class DivisionSpeller:
    """The division names of a resolver by suffix and length, and the one-slip reading of a misspelled one.

    Parameters
    ----------
    resolver : DivisionResolver
        Its divisions (current and former) give the names; its ``cur`` the current codes they stand for.
    costs : CharCosts, optional
        Substitution costs (the fuzzy name index's, so that both read a slip alike).
    """

    def __init__(self, resolver: DivisionResolver, costs: CharCosts | None = None) -> None:
        self.costs = costs or CharCosts()
        self._cur = resolver.cur
        self._codes = resolver.codes
        self._hist = resolver.hist_d
        self._kin = getattr(resolver, "district_kin", {})
        #: (suffix, position, character) -> [(stem, division index)]: the names a one-character slip may mean
        #: share every other position with the text; (suffix, sorted characters) -> the same, for a swap
        self._by_char: dict[tuple[str, int, str], list[tuple[str, int]]] = {}
        self._by_sorted: dict[tuple[str, str], list[tuple[str, int]]] = {}
        #: (suffix, name before it) of every division: a name spelled so is no misspelling of another
        self._spelled: set[tuple[str, str]] = set()
        #: (:data:`_TOWN`, a town's name with one character dropped) -> [(stem, division index)]: 长街道 for 长河街道
        self._by_drop: dict[tuple[str, str], list[tuple[str, int]]] = {}
        lengths: dict[str, set[int]] = {}
        for i, (name, level) in enumerate(zip(resolver.names, resolver.levels)):
            if level == 2:
                name = _community_form(name)
            for suffix in _SUFFIXES.get(level, ()):
                stem = name[: -len(suffix)]
                if name.endswith(suffix) and len(stem) >= 2 and _han(stem):
                    key = _key(suffix)
                    for k, ch in enumerate(stem):
                        self._by_char.setdefault((key, k, ch), []).append((stem, i))
                    self._by_sorted.setdefault((key, "".join(sorted(stem))), []).append((stem, i))
                    self._spelled.add((key, stem))
                    lengths.setdefault(key, set()).add(len(stem))
                    if key == _TOWN:
                        for k in range(len(stem)):
                            self._by_drop.setdefault((key, stem[:k] + stem[k + 1:]), []).append((stem, i))
                        lengths[key].add(len(stem) - 1)
                    break
        #: per suffix (towns: :data:`_TOWN`): the lengths of the names before it, longest first
        self.lengths = {suffix: tuple(sorted(ns, reverse=True)) for suffix, ns in lengths.items()}
        #: places outside Hangzhou written bare (江岸 of 江岸区, Wuhan; 阜阳): no misspelled bare district
        outside = F_OUT_COUNTY | F_OUT_FULL | F_OUT_SHORT
        self._outside_bare = frozenset(
            k[:-1] if k.endswith(_SUFFIXES[0]) else k
            for k, f in zip(getattr(resolver, "key_text", ()), getattr(resolver, "key_flags", ())) if f & outside)

    def _near(self, key: str, written: str) -> list[tuple[str, int]]:
        """The names (of that key — a suffix, or :data:`_TOWN` — and length) sharing all but one position with
        ``written``, or its characters in another order."""
        near = [x for k, ch in enumerate(written) for x in self._by_char.get((key, k, ch), ())
                if len(x[0]) == len(written)]
        return near + self._by_sorted.get((key, "".join(sorted(written))), [])

    def _one_slip(self, keys: tuple[str, ...], written: str, level: int, res: Resolution, placed: bool,
                  dropped: bool = False, similar: bool = False) -> tuple[str, int, str] | None:
        """The one name in scope (stem, division index, edit) under any of ``keys`` that ``written`` is one slip
        from — or, with ``dropped``, one character short of (towns) — or None (none, or two: the text does not
        say which). ``placed`` (see :meth:`_in_scope`): a town's name comes after 杭州; a district's stands where
        the text's district is expected. With ``similar``, a character of a similar sound (in/ing, z/zh…:
        山墩镇 for 三墩镇) is a slip too, where no same-sound or look-alike slip is in scope (浦咽街道 is 浦沿, not
        浦阳)."""
        got: dict[str, tuple[int, str]] = {}
        loose: dict[str, tuple[int, str]] = {}  # (the names a similar-sounding character away)
        for key in keys:
            for stem, i in self._near(key, written):
                if stem not in got and self._in_scope(i, level, res, placed):
                    edit = same_length_slip(stem, written, self.costs, LOOKALIKE)
                    if edit is not None:
                        got[stem] = (i, edit)
                    elif similar and (edit := same_length_slip(stem, written, self.costs, FUZZY_PINYIN)):
                        loose[stem] = (i, edit)
            if dropped:
                for stem, i in self._by_drop.get((key, written), ()):
                    if stem not in got and self._in_scope(i, level, res, placed):
                        k = next(k for k in range(len(stem)) if stem[:k] + stem[k + 1:] == written)
                        got[stem] = (i, f"{stem[k]} missing")
        if not got:
            got = loose
        if len(got) != 1:
            return None
        (stem, (i, edit)), = got.items()
        return stem, i, edit

    def _in_scope(self, i: int, level: int, res: Resolution, placed: bool) -> bool:
        district, town, _community = self._cur[i]
        if level == 0:
            # (where the text's district is expected, whatever district a later name made the resolver read:
            # 杭州市下诚区石桥路杭州西湖保时捷中心 is 下城区, and 西湖 names the shop)
            return placed or res.district_code in (None, district)
        if level == 1:
            # (China has some 40,000 towns, and the resolver knows those of Hangzhou only: 龙港镇 of Wenzhou is
            # no misspelled 龙岗镇 — a town is respelled only in a text that says it is in Hangzhou)
            if res.district_code is None:
                return placed
            return self._in_district(district, town, res)
        if res.town_code is None:  # (a village of the district named: placed)
            return placed and res.district_code is not None and self._in_district(district, town, res)
        return town == res.town_code

    def _in_district(self, district: str | None, town: str | None, res: Resolution) -> bool:
        """Whether a division of ``district`` (and ``town``) lies in the district the text names, or its town did
        before 2021 (江干区沙下街道: 下沙 is in 钱塘区 now; 余杭区鹤睦桥村: 和睦桥村 is in 临平区)."""
        hist = self._hist.get(town or "", frozenset())
        return district == res.district_code or res.district_code in hist or bool(res.written_districts & hist)

    def respell(self, norm: str, res: Resolution, *, numbered_villages: bool = False,
                ) -> tuple[str, tuple[Respelling, ...]]:
        """``norm`` with its misspelled division names written as the divisions they mean, and what was read.

        Parameters
        ----------
        norm : str
            The normalized text.
        res : Resolution
            The resolver's reading of ``norm`` (its hits are names read already; its district and town
            scope the names looked for).
        numbered_villages : bool
            Respell a village followed by a house number too (``宁围镇新胺村1212号``), which is otherwise the fuzzy
            stage's: the matcher asks for it when the fuzzy stage found no name with the number.

        Returns
        -------
        (str, tuple of Respelling)
            ``norm`` itself and ``()`` when nothing was respelled.
        """
        if res.outside:
            return norm, ()  # (the resolver read the text as a place outside Hangzhou)
        read = [(h[1], h[2]) for h in res.hits if h[0] in _READ_LABELS]
        read_no_community = [(h[1], h[2]) for h in res.hits if h[0] in _READ_LABELS and h[0] != "community"]
        city_ends = [h[2] - 1 for h in res.hits if h[0] == "city"]
        named = [(h[1], h[2]) for h in res.hits]  # (a village's stretch must not touch a road / compound name: 翠苑新村)
        opening = _opening(norm, res, ("prov", "city"))[0]  # where the text's district is expected
        out = norm
        found: list[Respelling] = []
        for m in _SUFFIX_RE.finditer(norm):
            suffix, end = m.group(), m.start()
            level = _LEVEL_OF[suffix]
            if level == 2 and suffix == "村" and not numbered_villages and _NUMBER_AFTER_RE.match(norm, m.end()):
                continue  # a village followed by a house number is the fuzzy stage's, which weighs it: 航明村12号
            if level == 2 and suffix == "社区" and res.town_code is None:
                continue  # a community only inside the town the text names (a village: or its district)
            if any(a < m.end() and end < b for a, b in read):
                continue  # the suffix belongs to a name read already
            # (before a district's or a town's suffix, a bare community name read there is no reason to stop:
            # 江滨区 is 滨江区 swapped, not the community 江滨 followed by 区; 塘上镇 is 上塘, not 塘上 + 镇)
            blocking = (named if suffix == "村" else read) if level == 2 else read_no_community
            key = _key(suffix)
            for n in self.lengths.get(key, ()):
                start = end - n
                written = norm[start:end]
                if start < 0 or not _han(written) or any(a < end and start < b for a, b in blocking):
                    continue
                if (key, written) in self._spelled:
                    break  # (a division's own name, whether or not the resolver read it)
                # (杭州 written before the name: 长安镇…杭州百联奥特莱斯 is 海宁's 长安镇, not a misspelled 常安镇)
                # (a town's name one character short: the text keeps its length — 长街道 is written as 长河镇, the
                # resolver reads a town whatever its suffix, 千岛镇 as the bare 千岛湖; one character alone only
                # before 街道 and right after a name read: 滨江区长街道, not 淳安县市县阳街道)
                dropped = (n > 1 or suffix == "街道" and any(b == start for _a, b in read)) if level == 1 else False
                # (a similar sound, and a village at all, only for a name that starts a word: after a name read, a
                # separator or at the start — 沈冠村村委会 holds no misspelled 横村村)
                at_word = start == 0 or norm[start - 1] in _BETWEEN or any(b == start for _a, b in named)
                if suffix == "村" and not at_word:
                    continue
                if level == 0:
                    # where the text's district is expected: where it opens, or right after 杭州市 written again (浙江省
                    # 杭州市西湖区浙江省杭州市余贩区良渚街道: a second address, whose district is misspelled)
                    placed = start == opening or start - 1 in city_ends
                elif level == 1:
                    placed = any(c < start for c in city_ends)  # after 杭州
                else:
                    placed = suffix == "村"  # a village: the district's villages when no town is named
                one = self._one_slip((key,), written, level, res, placed, dropped, similar=at_word)
                if one is not None:
                    stem, i, edit = one
                    found.append(Respelling(start, written + suffix, stem + suffix, self._codes[i], edit,
                                            self._cur[i][level], level,
                                            successors=self._kin.get(self._codes[i], frozenset()) if not level
                                            else frozenset()))
                    out = out[:start] + found[-1].in_text + out[m.end():]
                    break
            if len(found) >= MAX_RESPELLINGS:
                break
        if not found:
            bare = self._bare_district(norm, res) if not any(h[0] == "district" for h in res.hits) else None
            if bare is None and res.town_code is None:
                bare = self._bare_town(norm, res)
            if bare is not None:
                found.append(bare)
                out = out[:bare.start] + bare.name + out[bare.start + len(bare.name):]
        return out, tuple(found)

    def _bare_town(self, norm: str, res: Resolution) -> Respelling | None:
        """A town name written without its suffix and with one slip (余杭乔嘶 for 乔司, 江干区峡沙 for 下沙) right
        after the district name that opens the text (after 浙江省 / 杭州市, if written), when the resolver read
        no town, no name it read lies there, the text does not write it again further on, and exactly one town
        of that district — today's, or one that was in it before 2021 — is one slip away; or right after 杭州 /
        杭州市 when the text names no district (杭州乔饲), any town of the city, but not two characters swapped."""
        pos, district, city = _opening(norm, res, ("prov", "city", "district"))
        if not (district or city and res.district_code is None):
            return None  # (right after 杭州 with no district anywhere: a town of the whole city)
        for n in self.lengths.get(_TOWN, ()):
            written = norm[pos:pos + n]
            if len(written) < n or not _han(written) or norm.startswith(_SUFFIXES[1], pos + n):
                continue  # (with its suffix: the loop of respell)
            if (_TOWN, written) in self._spelled or any(h[1] < pos + n and pos < h[2] for h in res.hits):
                continue
            if norm.count(written) > 1 or written.endswith("村"):
                # (written twice alike — 长青广业街…长青文化创意园 — it is a name, not a slip; 大村2组 is the village
                # 大村, or a misspelled 大X村, before its group, not the town 戴村镇)
                return None
            one = self._one_slip((_TOWN,), written, 1, res, True, similar=district)  # (not city-wide: 杭州市东星，苑)
            if one is not None and (district or not one[2].endswith(" swapped")):
                # (city-wide, two characters swapped are too often another name: 杭州市桥康8号 — 桥康路, not 康桥)
                if norm[pos + n:pos + n + 1] in _NAME_GOES_ON and not _NUMBERED_ROAD_RE.match(norm, pos + n):
                    # (a number or a road / compound word right after it: 余杭五尝17号 is 五常大道 without 大道,
                    # 五尝道大 五常大道 swapped — numbers belong to roads, compounds and villages, not towns)
                    return None
                stem, i, edit = one
                return Respelling(pos, written, stem, self._codes[i], edit, self._cur[i][1], 1, bare=True)
        return None

    def _bare_district(self, norm: str, res: Resolution) -> Respelling | None:
        """A district name written without its suffix and with one slip (笑山 for 萧山, 渔杭 for 余杭) where the
        text's district is expected — at its start, or right after 浙江省 / 杭州市 — when the resolver read no
        district name, no name it read starts or lies there, and exactly one district's bare name is one slip away
        (of the district the text's town is in, when it names one: 肖山城厢街道)."""
        pos, _district, _city = _opening(norm, res, ("prov", "city"))
        written = norm[pos:pos + 2]
        if len(written) < 2 or not _han(written) or norm[pos + 2:pos + 3] in ("区", "县", "市"):
            return None  # (with its suffix: the loop above)
        after = norm[pos + 2:pos + 4].lstrip("".join(_BETWEEN))[:1]
        if after and after in _NAME_TAILS:
            return None  # (杭州富盐 村37号: 富岩村 with a same-sounding 盐, a village's name, not 富阳 misspelled)
        if (written in self._outside_bare or any(h[1] < pos + 2 and pos < h[2] for h in res.hits)
                or any((suffix, written) in self._spelled for suffix in _SUFFIXES[0])):
            return None
        # (the names _near gives have the length of ``written``: two characters)
        one = self._one_slip(tuple(_key(suffix) for suffix in _SUFFIXES[0]), written, 0, res, False, similar=True)
        if one is None:
            return None
        stem, i, edit = one
        return Respelling(pos, written, stem, self._codes[i], edit, self._cur[i][0], 0, bare=True,
                          needs_town=pos == 0)
