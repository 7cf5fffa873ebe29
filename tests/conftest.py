"""Shared fixtures. Test data provenance: tests/data/README.md."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def official_registry():
    """A registry with only the real NBS divisions (2023 active, 2020 retired) and their lineage."""
    from hangzhou_address.io.embedded import load_official_divisions
    from hangzhou_address.registry import Registry

    divisions, lineage = load_official_divisions()
    return Registry(divisions, lineage=lineage)


@pytest.fixture(scope="session")
def tiny_city():
    """滨江区 at 2 % of the buildings: a small SYNTHETIC city (hangzhou_address.testing)."""
    from hangzhou_address.testing import make_tiny_city

    return make_tiny_city()


@pytest.fixture(scope="session")
def tiny_registry():
    from hangzhou_address.testing import tiny_registry

    return tiny_registry()


@pytest.fixture(scope="session")
def tiny_city_dir(tmp_path_factory, tiny_city):
    """The tiny SYNTHETIC city written as a city directory."""
    from hangzhou_address.io.city import write_city

    d = tmp_path_factory.mktemp("tiny_city")
    write_city(d, divisions=tiny_city.divisions, grids=tiny_city.grids, buildings=tiny_city.buildings,
               addresses=tiny_city.addresses, lineage=tiny_city.lineage, division_areas=tiny_city.division_areas,
               aliases=tiny_city.aliases, metadata=tiny_city.metadata)
    return d


@pytest.fixture(scope="session")
def ledger_frame(tiny_city):
    """A small messy ledger built from the tiny city's addresses (+ an empty row and a junk row)."""
    import pandas as pd

    a = tiny_city.addresses.sample(60, random_state=3).reset_index(drop=True)
    texts = ["杭州市" + t for t in a["text"]]
    texts[5] = ""
    texts[6] = "电联 138****1111 放门卫"
    return pd.DataFrame({"编号": [f"{i:04d}" for i in range(60)], "地址": texts, "姓名": ["张三"] * 60,
                         "_expected": a["building_code"]})


@pytest.fixture(scope="session")
def road_city(tiny_city):
    """``road_city([(name, number, town), ...])``: a Matcher over the tiny city's divisions whose only
    addresses are these roads (SYNTHETIC names written for the test; building codes of the tiny city's
    rows in that town)."""
    import pandas as pd

    from hangzhou_address.matcher import Matcher
    from hangzhou_address.registry import Registry

    a = tiny_city.addresses
    towns = dict(zip(tiny_city.divisions["code"], tiny_city.divisions["name"]))

    def make(roads):
        parts = []
        for town in dict.fromkeys(t for _n, _k, t in roads):
            mine = [r for r in roads if r[2] == town]
            rows = a[a["town_code"] == town].head(len(mine)).copy()
            assert len(rows) == len(mine)
            rows["road"] = [n for n, _k, _t in mine]
            rows["roadno"] = pd.array([k for _n, k, _t in mine], dtype="Int64")
            rows["text"] = ["滨江区" + towns[town] + n + f"{k}号" for n, k, _t in mine]
            parts.append(rows)
        rows = pd.concat(parts, ignore_index=True)
        rows["form"], rows["poi"] = "road", None
        rows["houseno"] = pd.array([None] * len(rows), dtype="Int64")
        rows["group"] = pd.array([None] * len(rows), dtype="Int64")
        m = Matcher(Registry(tiny_city.divisions, lineage=tiny_city.lineage, addresses=rows))
        return m, {(n, k): b for n, k, b in zip(rows["road"], rows["roadno"], rows["building_code"])}

    return make
