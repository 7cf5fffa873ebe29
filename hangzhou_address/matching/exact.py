"""The exact look-up of the building part in the addresses table (:func:`exact_lookup`), and the rules it
shares with the fuzzy stage: which rows agree with the divisions the text names (:func:`consistent`), and
the deepest level a set of buildings shares (:func:`common_of_rows`, :func:`common_of_codes`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from .results import Candidate

if TYPE_CHECKING:  # pragma: no cover
    from ..resolve import DivisionResolver, Resolution
    from .address_index import AddressIndex
    from .building_part import BuildingPart

__all__ = ["Answer", "exact_lookup", "consistent", "common_of_rows", "common_of_codes", "deeper", "alias_reason"]


class Answer(NamedTuple):
    """An answer below the divisions' (or the divisions', kept with the neighbours as candidates)."""

    code: str | None
    level: str | None
    candidates: tuple[Candidate, ...]
    chain: tuple[str | None, str | None, str | None]  # (district, town, community)
    path: str  # see hangzhou_address.matching.confidence.PATHS
    boundary: bool = True  # the name started where a word starts
    elsewhere: bool = False  # the same address exists in another division
    #: the look-up an exact building answer came from: (kind, name, number, village group or None)
    via: tuple[str, str, int, int | None] | None = None


def exact_lookup(index: AddressIndex, resolver: DivisionResolver, res: Resolution, parts: BuildingPart,  # noqa: C901
                 reasons: list[str], max_candidates: int) -> tuple[Answer | None, bool]:
    """The exact look-up of the building part: (answer or None, whether a row agreeing with the divisions
    had the exact name and number — when such rows exist only outside the divisions, the text's name may
    be a misspelling of a name inside them, and the fuzzy stage runs).

    Rows are kept only when they agree with the resolved divisions (:func:`consistent`); a building is
    the answer only when exactly one remains, else the deepest level the remaining ones share, with
    them as candidates. A door / building number that does not exist is never snapped to a neighbour's
    building: the neighbours' common grid (or the divisions) with the neighbours as candidates.
    ``reasons`` gets what was decided and why."""
    idx = index
    d0, c0 = res.district_code, res.community_code
    found_any = found_consistent = False
    best = None
    for kind, name, number, group, boundary in parts.lookups:
        rows, hit = idx.exact(kind, name, number), name
        if not rows and kind == "P" and not name.endswith("村") and group is not None:
            hit = name + "村"
            rows = idx.exact(kind, hit, number)  # 和顺5组971号 -> 和顺村
        if group is not None:
            rows = [r for r in rows if idx.group[r] in (group, -1)]
        if not rows:
            continue
        found_any = True
        alias = idx.alias_of.get(kind + name)
        if alias is not None:
            reasons.append(alias_reason(name, alias))
        ok = [r for r in rows if consistent(resolver, res, idx, r)]
        # the name and number exist only in divisions the text does not name (江新民村1号 under 余杭区: 新民村1
        # is in 富阳区): the name may be misspelled. When they exist in a division the text names after all
        # (西湖区余杭区高桥村8号: conflicting district names), the text says where it is: no fuzzy reading.
        found_consistent = found_consistent or bool(ok) or _named_in_text(resolver, res, idx, rows)
        if not ok:
            where = "、".join(sorted({resolver.name_of.get(idx.district[r], "") for r in rows}))
            reasons.append(f"{name}{number} exists only outside the resolved division (in {where}); "
                           "kept the division")
            continue
        if c0 is not None:
            ok_c = [r for r in ok if idx.community[r] == c0]
            if ok_c:
                ok = ok_c
            else:
                reasons.append(f"{name}{number} is not in the named community; community name ignored")
        buildings = sorted({idx.building(r) for r in ok})
        if len(buildings) == 1:
            r = ok[0]
            # another building with this address (in a division as written, or formerly so)?
            elsewhere = len(rows) > 1 and len(
                {idx.building(x) for x in rows if not res.written_districts
                 or any(w in resolver.hist_d.get(idx.town[x], ()) for w in res.written_districts)}) > 1
            if elsewhere:
                # another building has this address; the division names decided between them
                reasons.append(f"{name}{number} also exists elsewhere; chose the one in the named division")
            if d0 is not None and idx.district[r] != d0:
                where = f"{resolver.name_of.get(idx.district[r], '')} ({idx.district[r]})"
                if resolver.districts_related(idx.district[r], d0):
                    reasons.append(f"the building is in {where} since the 2021 reorganization")
                else:  # 拱墅区建德西湖村43号: another district the text names, not a successor of the one read
                    reasons.append(f"the building is in {where}, another district the text names")
            other = _another_address(idx, resolver, res, parts.lookups, kind, name, number, buildings[0])
            if other is not None:
                # 江城路1号；江城路3号, 江城路1号、3号: the text names two buildings and does not say which one the
                # row is about — their common level, both as candidates
                (o_name, o_number), o_row = other
                both = [r, o_row]
                code, level, chain = common_of_rows(both, idx)
                if code is None:
                    code, level, chain = buildings[0][:4], "city", (None, None, None)
                reasons.append(f"the text names two addresses ({name}{number}, {o_name}{o_number}); "
                               f"returned their common {level}")
                cands = tuple(Candidate(idx.building(x), "building", idx.text(x), 0.5) for x in both)
                return Answer(code, level, cands, chain, "common", boundary), True
            return Answer(buildings[0], "building", (), (idx.district[r], idx.town[r], idx.community[r]),
                          "chosen" if elsewhere else "unique", boundary, elsewhere, (kind, hit, number, group)), True
        # several buildings: deepest common level
        cands = tuple(Candidate(bc, "building", idx.text(r), 0.5)
                      for bc, r in {idx.building(r): r for r in ok}.items())[: max_candidates]
        if d0 is not None:
            literal = {idx.building(r): r for r in ok if idx.district[r] == d0}
            if len(literal) == 1 and len(buildings) > 1:
                # 余杭区迎宾路5号: one in 余杭区 as written, one in 临平区 (formerly 余杭区)
                bc, r = next(iter(literal.items()))
                reasons.append(f"{name}{number} also exists in the part of the 2020 district that is now "
                               "another district; chose the one in the district as written")
                return Answer(bc, "building", (), (idx.district[r], idx.town[r], idx.community[r]),
                              "literal", boundary, True, (kind, hit, number, group)), True
        common = common_of_rows(ok, idx)
        if common[0] is None:  # in several districts (阳光花园3幢): the city is all they share
            common = (buildings[0][:4], "city", (None, None, None))
        reasons.append(f"{name}{number} names {len(buildings)} buildings"
                       + (f"; returned their common {common[1]}" if common[1] else ""))
        if best is None and common[0] is not None and deeper(common[1], res.level):
            best = Answer(common[0], common[1], cands, common[2], "common", boundary)
    if best is not None:
        return best, True
    if found_any:
        return None, found_consistent
    # tolerant: the road / compound exists but not the number
    for kind, name, number, group, boundary in parts.lookups:
        rows = idx.rows_of(kind, name)
        if len(rows) == 0:
            continue
        nums = idx.roadno if kind == "R" else idx.houseno
        row_nums = nums[rows]
        pos = int(row_nums.searchsorted(number))

        def nearest(order: Any) -> list[int]:
            for k in order:  # walk outwards; same side of the road; consistent divisions
                r = int(rows[k])
                if (kind != "R" or nums[r] % 2 == number % 2) and nums[r] != number \
                        and consistent(resolver, res, idx, r):
                    return [r]
            return []

        near = nearest(range(pos - 1, max(pos - 60, -1), -1)) + nearest(range(pos, min(pos + 60, len(rows))))
        if not near:
            continue
        common = common_of_rows(near, idx)
        if common[1] == "building":  # never snap to a neighbour's building
            common = (common[0][:15], "grid", common[2])
        what = "door" if kind == "R" else "building"
        reasons.append(f"{name}: no {what} number {number}; nearest are "
                       + "、".join(str(int(nums[r])) for r in near)
                       + (f" (common {common[1]} {common[0]})" if common[0] else ""))
        cands = tuple(Candidate(idx.building(r), "building", idx.text(r), 0.3) for r in near)
        if res.level is None and common[0] is not None:
            return Answer(common[0], common[1], cands, common[2], "near", boundary), False
        # the divisions named in the text stand; the neighbours are only candidates
        return Answer(res.code, res.level, cands, (res.district_code, res.town_code, res.community_code),
                       "division", boundary), False
    return None, False


def _named_in_text(resolver: DivisionResolver, res: Resolution, idx: AddressIndex, rows: list[int]) -> bool:
    """Whether one of address ``rows`` lies in a town the text names, or in a district it names without
    naming any of its towns (any such name read, the discarded conflicting ones included, at its current
    code; not villages: the name looked up may itself be read as one)."""
    cur, levels = resolver.cur, resolver.levels
    towns = {cur[e[0]][1] for e in res.evidence if levels[e[0]] == 1}
    districts = {cur[e[0]][0] for e in res.evidence if levels[e[0]] == 0}
    if not (towns or districts):
        return False
    # a district counts when the text names none of its towns (西兴街道 written: 长河街道 is not named by 滨江区)
    districts -= {t[:6] for t in towns if t}
    return any(idx.town[r] in towns or idx.district[r] in districts for r in rows)


def _another_address(idx: AddressIndex, resolver: DivisionResolver, res: Resolution, lookups: list, kind: str,
                     name: str, number: int, building: str) -> tuple[tuple[str, int], int] | None:
    """Another look-up of the same kind (a second door number, a second compound building) that names exactly
    one other building agreeing with the divisions: ``((name, number), row)``, or None. (A road address and a
    compound address of the text — 文三路90号翠苑一区3幢 — are two ways of saying one place: not counted.)"""
    for k2, n2, num2, g2, _b in lookups:
        if k2 != kind or (n2, num2) == (name, number):
            continue
        rows = idx.exact(k2, n2, num2)
        if g2 is not None:
            rows = [x for x in rows if idx.group[x] in (g2, -1)]
        ok = [x for x in rows if consistent(resolver, res, idx, x)]
        if len({idx.building(x) for x in ok}) == 1 and idx.building(ok[0]) != building:
            return (n2, num2), ok[0]
    return None


def consistent(resolver: DivisionResolver, res: Resolution, idx: AddressIndex, r: int) -> bool:
    """Whether address row ``r`` agrees with the resolved divisions (pre-2021 names included)."""
    d0, t0 = res.district_code, res.town_code
    if t0 is not None:
        return idx.town[r] == t0
    if d0 is None:
        if res.level is None and res.candidates and res.score >= 2.5:
            # the text names districts that contradict each other (西湖区滨江区...): a building
            # in one of them, never in a third (conflicting evidence must not raise the answer)
            named = [c[0] for c in res.candidates if c[1] == "district"]
            hist = resolver.hist_d.get(idx.town[r], ())
            return idx.district[r] in named or any(w in hist for w in named)
        return True
    if idx.district[r] == d0:
        return True
    hist = resolver.hist_d.get(idx.town[r], ())
    return any(w in hist for w in res.written_districts)


def common_of_rows(rows: list[int], idx: AddressIndex) -> tuple[str | None, str | None, tuple]:
    """The deepest level the buildings of address ``rows`` share (:func:`common_of_codes`), with the
    division chain of the first row as the addresses table states it."""
    code, level, _chain = common_of_codes({idx.building(r) for r in rows})
    if level is None:
        return None, None, (None, None, None)
    r = rows[0]
    n = len(code)
    return code, level, (idx.district[r], idx.town[r] if n >= 9 else None, idx.community[r] if n >= 12 else None)


def common_of_codes(buildings: set[str]) -> tuple[str | None, str | None, tuple]:
    """The deepest level (grid, community, town, district) that building codes share, read off the
    hierarchical codes themselves."""
    if len(buildings) == 1:
        b = next(iter(buildings))
        return b, "building", (b[:6], b[:9], b[:12])
    for level, n in (("grid", 15), ("community", 12), ("town", 9), ("district", 6)):
        codes = {b[:n] for b in buildings}
        if len(codes) == 1:
            code = next(iter(codes))
            return code, level, (code[:6], code[:9] if n >= 9 else None, code[:12] if n >= 12 else None)
    return None, None, (None, None, None)


_DEPTH = {None: -2, "city": -1, "district": 0, "town": 1, "community": 2, "grid": 3, "building": 4}


def deeper(level: str | None, than: str | None) -> bool:
    return _DEPTH[level] > _DEPTH[than]


def alias_reason(name: str, alias: tuple[str, str, str | None]) -> str:
    current, kind, valid_to = alias
    what = {"former": "a former name", "short": "a short name", "developer": "a developer's name"}.get(kind,
                                                                                                  "another name")
    return f"alias: {name} is {what} of {current}" + (f" (until {valid_to})" if valid_to else "")
