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
