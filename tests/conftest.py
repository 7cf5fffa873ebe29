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
