"""Deterministic generator of a SYNTHETIC Hangzhou below community level.

Real: the official divisions (NBS 2023). Synthetic: division polygons, ~12,000 grids,
~1.35 million buildings and their addresses. See ``docs/synthetic-city.md``.
"""

from __future__ import annotations

from .city import DEFAULT_SEED, FULL_BUILDINGS, CityTables, build_city, order_key

__all__ = ["CityTables", "build_city", "order_key", "DEFAULT_SEED", "FULL_BUILDINGS"]
