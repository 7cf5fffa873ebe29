"""The results of matching and parsing: frozen dataclasses, one per answer (:class:`MatchResult`,
:class:`ParsedAddress`) and one per competing answer (:class:`Candidate`).

:mod:`hangzhou_address.matcher` re-exports them; this module holds them so that the matching stages
(:mod:`~hangzhou_address.matching.exact`, :mod:`~hangzhou_address.matching.fuzzy`) can build candidates
without importing the façade.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Candidate", "MatchResult", "ParsedAddress"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One competing answer when the text is ambiguous."""

    code: str
    level: str
    name: str
    score: float


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """The elements of an address and the divisions its text determines.

    ``elements`` maps a label (``prov, city, district, town, community, road, roadno, poi,
    houseno, group, cellno, floorno, roomno``) to the substring **as written in the input**;
    ``values`` holds normalized values (names as normalized, numbers as ``int``). Both are plain
    dicts in reading order, new for every result (a dict of strings costs the garbage collector
    nothing, a read-only proxy would: it matters for batches of millions).
    Division codes are current (2023) codes, or None when the text does not determine them.
    """

    text: str
    elements: Mapping[str, str]
    values: Mapping[str, Any]
    district_code: str | None
    town_code: str | None
    community_code: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The answer of :func:`match`.

    ``code`` is the most specific code the text determines (building, grid, community, town or
    district; the city ``3301`` when a compound's buildings in several districts fit the text) or None; ``confidence`` is calibrated: among results with confidence ≥ 0.9, at
    least 99% are right on both benchmarks (``bench/README.md``). ``elements`` is a plain dict
    (see :class:`ParsedAddress`).
    """

    input: Any
    code: str | None
    level: str | None
    confidence: float
    elements: Mapping[str, str] = field(default_factory=dict)
    candidates: tuple[Candidate, ...] = ()
    reasons: tuple[str, ...] = ()
    district_code: str | None = None
    town_code: str | None = None
    community_code: str | None = None

    @property
    def matched(self) -> bool:
        return self.code is not None
