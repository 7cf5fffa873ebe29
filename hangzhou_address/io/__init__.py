"""Reading and writing registry tables (CSV, GeoPackage, GeoParquet, Shapefile) and city directories."""

from __future__ import annotations

__all__: list[str] = []
