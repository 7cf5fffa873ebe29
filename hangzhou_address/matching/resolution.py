"""What division resolution returns (:mod:`hangzhou_address.resolve`): the names it read in a text
(:class:`Hit`) and its decision (:class:`Resolution`), for the resolver's stages and every stage of
matching after them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from types import MappingProxyType
from typing import NamedTuple

__all__ = ["LEVELS", "Hit", "Resolution", "new_resolution"]

#: the division levels the resolver decides, in order (index = level number)
LEVELS = ("district", "town", "community")


class Hit(NamedTuple):
    """One accepted name occurrence in the normalized text (a named tuple: the resolver makes
    millions of them)."""

    label: str  # prov / city / district / town / community / road / poi / outside
    start: int
    end: int
    text: str
    #: the name is also a road / compound / village name of the addresses table
    gazetteer: bool = False


@dataclass(frozen=True)
class Resolution:
    """Result of :func:`resolve_divisions`.

    Codes are **current** (2023) codes; ``level`` is the most specific level determined.
    ``score`` is the evidence score of the winning hypothesis, ``margin`` its lead over the best
    hypothesis that disagrees on the reported level (``inf`` when none competes).
    """

    district_code: str | None
    town_code: str | None
    community_code: str | None
    level: str | None
    score: float
    margin: float
    candidates: tuple[tuple[str, str, str, float], ...]
    reasons: tuple[str, ...]
    hits: tuple[Hit, ...]
    outside: bool = False
    hangzhou_prefix: bool = False
    normalized: str = ""
    offsets: tuple[int, ...] | None = field(default=None, repr=False)
    legacy: bool = False
    conflict: bool = False
    #: 2020 district codes written in the text (a building there may now be in a successor district)
    written_districts: frozenset[str] = frozenset()
    #: the raw evidence (division index, weight, hit index, kind) the decision was made from
    evidence: tuple[tuple[int, float, int, int], ...] = field(default=(), repr=False)
    #: the district was decided from a 2020 district name alone whose territory is now split
    split: bool = False
    #: district names of the text that contradict each other, as written: a bare name and the full name of an
    #: unrelated district right after it (上城淳安县: ``('上城', '淳安县')``); the full name is read
    clash: tuple[str, ...] = ()
    #: county-level names of other cities written right after the Hangzhou prefix, where a Hangzhou district is
    #: expected, with where they are (杭州市万州区...: ``('万州区 (重庆市)',)``)
    misplaced: tuple[str, ...] = ()

    @property
    def code(self) -> str | None:
        return self.community_code or self.town_code or self.district_code




#: the fields of :class:`Resolution` that have a default, and their defaults
_RESOLUTION_DEFAULTS: Mapping[str, object] = MappingProxyType(
    {f.name: f.default for f in fields(Resolution) if f.default is not MISSING})


def new_resolution(**values: object) -> Resolution:
    """``Resolution(**values)`` without the frozen dataclass's per-field ``__setattr__`` calls (the
    resolver makes one per decision); fields not given take their defaults."""
    res = object.__new__(Resolution)
    d = res.__dict__
    d.update(_RESOLUTION_DEFAULTS)
    d.update(values)
    return res
