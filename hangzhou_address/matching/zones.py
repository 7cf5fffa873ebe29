"""Hangzhou's functional zones — development zones, new towns, resorts — that ledgers write in place of a district
(``杭州经济技术开发区14号大街``, ``杭州高新区江南大道``, ``之江度假区``): no administrative divisions (the NBS lists
do not have them), but each lies in one district, which the division resolver reads from its name
(:mod:`hangzhou_address.resolve`, below a district name written: ``西湖区…杭州高新区`` stays 西湖区).

The table is ``data/divisions/functional_zones.csv`` (curated; each row cites its public source, provenance in
``data/README.md``): zones that lie in one district today only. Zones named after their district
(``萧山经济技术开发区``, ``桐庐经济开发区``) need no row: the district name is read.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = ["FunctionalZone", "functional_zones"]


@dataclass(frozen=True, slots=True)
class FunctionalZone:
    """One functional zone: its ``name``, the other names it is written by, and the district it lies in."""

    name: str
    district_code: str
    kind: str
    names_also: tuple[str, ...]
    source: str

    @property
    def written(self) -> tuple[str, ...]:
        """Every name the zone is written by: its own, the others, and each of them with 杭州市 for a leading
        杭州 (杭州市经济技术开发区)."""
        names = (self.name, *self.names_also)
        return names + tuple("杭州市" + n[2:] for n in names if n.startswith("杭州") and not n.startswith("杭州市"))


@functools.lru_cache(maxsize=1)
def functional_zones() -> tuple[FunctionalZone, ...]:
    """The functional zones of ``data/divisions/functional_zones.csv``.

    Examples
    --------
    >>> z = {z.name: z for z in functional_zones()}["杭州经济技术开发区"]
    >>> z.district_code, "杭州市经济技术开发区" in z.written
    ('330114', True)
    """
    import csv

    from .._datapath import data_dir

    with open(data_dir() / "divisions" / "functional_zones.csv", encoding="utf-8", newline="") as fh:
        return tuple(FunctionalZone(r["name"], r["district_code"], r["kind"],
                                    tuple(n for n in r["names_also"].split(";") if n), r["source"])
                     for r in csv.DictReader(fh))
