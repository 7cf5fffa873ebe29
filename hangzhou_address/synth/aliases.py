"""SYNTHETIC aliases: other names of the synthetic city's roads and compounds (``aliases`` table).

Real places have names that live on after they change: a road's former name, a compound's short
form, the developer's marketing name. Old ledgers still use them. This module invents such names
for the synthetic city, deterministically from the seed; **every row is synthetic** (``synthetic``
column True, ``note`` says so). Nothing here is a fact about Hangzhou.

* ``former`` (roads): about :data:`P_FORMER` of the roads get a former name — two of the generator's
  stems + an ordinal + 路/街 (``荣玉二路``), a shape no current road name has — renamed on a date
  between 2005 and 2022 (``valid_to``; ``valid_from`` open).
* ``developer`` (compounds): about :data:`P_DEVELOPER` of the compounds get a developer's name,
  ``绿城·`` / ``万科·`` / ``滨江·`` + the compound's stem or the stem + ``花苑``, in use from a date
  between 1998 and 2015 (``valid_from``; ``valid_to`` open).
* ``short`` (compounds): about :data:`P_SHORT` of the compounds whose name ends in a generic suffix
  (:data:`GENERIC_SUFFIXES`) get the name without it (``湖江公寓`` → ``湖江``), open-ended, unless
  another compound of the district starts with it (``湖江家园``: the short form would name either).

An alias that two roads or two compounds of the same district would share is dropped (for both).
The same alias may exist in two districts (``district_code`` tells them apart).

Each road or compound draws from its own stream ``rng_for(seed, "alias", kind, district, name)``,
so a district's aliases do not depend on the other districts (a subset build gives the same rows
for its districts) nor on the scale (a road present at both scales gets the same alias).

No alias is a current name of the same kind, **for any build of the city**: candidates are
rejected when they are in the input's names, in the mined name lists (every district), among the
deliberately shared compound or place-named roads, end in 村 (village names), or have the shape of
a name the generator makes (two stems + a suffix).
"""

from __future__ import annotations

import datetime as _dt
import functools

import numpy as np
import pandas as pd

from .geometry import rng_for

__all__ = ["make_aliases", "empty_aliases", "ALIAS_COLUMNS", "ALIAS_KINDS", "P_FORMER", "P_DEVELOPER", "P_SHORT",
           "GENERIC_SUFFIXES", "DEVELOPER_PREFIXES"]

#: columns of the ``aliases`` table, in order (see docs/data-model.md)
ALIAS_COLUMNS = ("kind", "name", "alias", "alias_kind", "valid_from", "valid_to", "note", "district_code",
                 "synthetic")
ALIAS_KINDS = ("former", "short", "developer", "other")
P_FORMER = 0.03
P_DEVELOPER = 0.03
P_SHORT = 0.05
#: suffixes dropped for a compound's short form (longest first)
GENERIC_SUFFIXES = ("小区", "花园", "家园", "新村", "公寓", "雅苑")
#: suffixes dropped to find a compound's stem for a developer's name
_STEM_SUFFIXES = ("小区", "花园", "家园", "新村", "公寓", "雅苑", "华庭", "花苑", "嘉园", "豪园", "名苑", "苑")
DEVELOPER_PREFIXES = ("绿城·", "万科·", "滨江·")
_ORDINALS = "一二三四五六七八九"
_FORMER_SUFFIX = ("路", "路", "街")
_FORMER_YEARS = (2005, 2022)
_DEVELOPER_YEARS = (1998, 2015)


def empty_aliases() -> pd.DataFrame:
    """An ``aliases`` table with no rows (the columns of :data:`ALIAS_COLUMNS`)."""
    df = pd.DataFrame({c: pd.Series([], dtype=object) for c in ALIAS_COLUMNS})
    df["synthetic"] = df["synthetic"].astype(bool)
    return df


@functools.lru_cache(maxsize=1)
def _reserved() -> tuple[frozenset[str], frozenset[str]]:
    """Names that are or may be current in some build: (roads, pois), independent of the subset built."""
    from .city import PLACE_ROADS, SHARED_COMPOUNDS, _load_mined

    roads: set[str] = set()
    pois: set[str] = set(SHARED_COMPOUNDS)
    for names in _load_mined().values():
        roads.update(names.get("roads", []))
        pois.update(names.get("compounds", []))
    for rs in PLACE_ROADS.values():
        roads.update(rs)
    return frozenset(roads), frozenset(pois)


def _generator_shape(name: str, suffixes: list[str]) -> bool:
    """Whether ``name`` could come out of the generator's ``_gen_names`` (two stems + a suffix)."""
    from .city import _STEMS

    return (len(name) >= 3 and name[0] in _STEMS and name[1] in _STEMS and name[0] != name[1]
            and name[2:] in suffixes)


def _free(candidate: str, kind: str, current: set[str]) -> bool:
    from .city import _COMPOUND_SUFFIX, _ROAD_SUFFIX

    roads, pois = _reserved()
    if len(candidate) < 2 or candidate in current:
        return False
    if kind == "road":
        return candidate not in roads and not _generator_shape(candidate, _ROAD_SUFFIX)
    return (candidate not in pois and not candidate.endswith("村")
            and not _generator_shape(candidate, _COMPOUND_SUFFIX))


def _date(rng: np.random.Generator, years: tuple[int, int]) -> str:
    start = _dt.date(years[0], 1, 1)
    days = (_dt.date(years[1], 12, 31) - start).days
    return (start + _dt.timedelta(days=int(rng.integers(0, days + 1)))).isoformat()


def _stem(name: str) -> str:
    for suffix in _STEM_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _former_road(rng: np.random.Generator, current: set[str]) -> str | None:
    from .city import _STEMS

    for _ in range(20):
        a, b = rng.choice(len(_STEMS), 2, replace=False)
        candidate = (_STEMS[a] + _STEMS[b] + _ORDINALS[rng.integers(len(_ORDINALS))]
                     + _FORMER_SUFFIX[rng.integers(len(_FORMER_SUFFIX))])
        if _free(candidate, "road", current):
            return candidate
    return None


def make_aliases(addresses: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """SYNTHETIC aliases for the roads and compounds of a (synthetic) ``addresses`` table.

    Parameters
    ----------
    addresses : DataFrame
        The ``addresses`` table (``form``, ``district_code``, ``road``, ``poi``); only ``road`` rows'
        roads and ``compound`` rows' compounds get aliases (villages keep their official names).
    seed : int
        The city's master seed (:data:`hangzhou_address.synth.DEFAULT_SEED` for the embedded city).

    Returns
    -------
    DataFrame
        Columns :data:`ALIAS_COLUMNS`, one row per alias, sorted by kind, district, name, alias kind.
        ``district_code`` is the district where ``name`` is the road / compound that has the alias.
    """
    if len(addresses) == 0:
        return empty_aliases()
    form = addresses["form"].to_numpy(dtype=object)
    district = addresses["district_code"].to_numpy(dtype=object)
    road = addresses["road"].to_numpy(dtype=object)
    poi = addresses["poi"].to_numpy(dtype=object)
    current_roads = {r for r in road if isinstance(r, str)}
    current_pois = {p for p in poi if isinstance(p, str)}
    rows: list[tuple] = []

    road_keys = sorted({(d, r) for f, d, r in zip(form, district, road) if f == "road" and isinstance(r, str)})
    for d, name in road_keys:
        rng = rng_for(seed, "alias", "road", d, name)
        if rng.random() >= P_FORMER:
            continue
        former = _former_road(rng, current_roads)
        if former is None:
            continue
        renamed = _date(rng, _FORMER_YEARS)
        rows.append(("road", name, former, "former", None, renamed,
                     f"SYNTHETIC: former name, renamed {renamed}", d))

    poi_keys = sorted({(d, p) for f, d, p in zip(form, district, poi) if f == "compound" and isinstance(p, str)})
    compounds_of: dict[str, list[str]] = {}
    for d, name in poi_keys:
        compounds_of.setdefault(d, []).append(name)
    for d, name in poi_keys:
        rng = rng_for(seed, "alias", "poi", d, name)
        u_dev, u_short = rng.random(), rng.random()
        choice = int(rng.integers(len(DEVELOPER_PREFIXES) + 1))
        since = _date(rng, _DEVELOPER_YEARS)
        stem = _stem(name)
        if u_dev < P_DEVELOPER:
            options = [stem + "花苑"] if choice == len(DEVELOPER_PREFIXES) else []
            options += [DEVELOPER_PREFIXES[(choice + k) % len(DEVELOPER_PREFIXES)] + stem
                        for k in range(len(DEVELOPER_PREFIXES))]
            dev = next((o for o in options if o != name and _free(o, "poi", current_pois)), None)
            if dev is not None:
                rows.append(("poi", name, dev, "developer", since, None,
                             "SYNTHETIC: developer's marketing name", d))
        if u_short < P_SHORT:
            suffix = next((s for s in GENERIC_SUFFIXES if name.endswith(s)), None)
            if suffix is not None:
                short = name[: -len(suffix)]
                if _free(short, "poi", current_pois) and not any(
                        n != name and n.startswith(short) for n in compounds_of[d]):
                    rows.append(("poi", name, short, "short", None, None,
                                 f"SYNTHETIC: common short form (without {suffix})", d))

    if not rows:
        return empty_aliases()
    df = pd.DataFrame(rows, columns=list(ALIAS_COLUMNS[:-1]), dtype=object)
    df["synthetic"] = True
    # an alias two places of one district would share is no use to anyone: drop both (per district,
    # so subset builds are unaffected)
    df = df[~df.duplicated(["kind", "district_code", "alias"], keep=False)]
    df = df.sort_values(["kind", "district_code", "name", "alias_kind", "alias"], kind="stable")
    return df.reset_index(drop=True)[list(ALIAS_COLUMNS)]
