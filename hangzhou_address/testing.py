"""Helpers for tests of apps built on hangzhou_address: small, deterministic SYNTHETIC cities."""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["make_tiny_city", "tiny_registry"]


@functools.lru_cache(maxsize=4)
def make_tiny_city(districts: tuple[str, ...] = ("330108",), scale: float = 0.02) -> Any:
    """A small synthetic city (default: 滨江区 only, 2 % of the buildings) as
    :class:`hangzhou_address.synth.CityTables`. Cached: do not mutate the tables."""
    from .synth import build_city

    return build_city(districts=list(districts), scale=scale)


def tiny_registry(districts: tuple[str, ...] = ("330108",), scale: float = 0.02) -> Any:
    """A :class:`~hangzhou_address.registry.Registry` over :func:`make_tiny_city` (real divisions)."""
    from .registry import Registry

    c = make_tiny_city(districts, scale)
    return Registry(c.divisions, grids=c.grids, buildings=c.buildings, addresses=c.addresses, lineage=c.lineage,
                    division_areas=c.division_areas, aliases=c.aliases, metadata=c.metadata)
