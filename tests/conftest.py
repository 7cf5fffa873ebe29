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
