"""City directories: one (Geo)Parquet file per table plus ``manifest.json`` (see docs/data-model.md).

:func:`write_city` writes every file atomically and the manifest last, with sha256 checksums and
counts; :func:`open_city` returns a :class:`~hangzhou_address.registry.Registry` whose tables are
read lazily on first access.

The ``aliases`` table (other names of roads and compounds) is optional and came after format 1.0:
directories without it open as before, and an ``aliases.parquet`` placed next to a manifest that
does not list it is read too (without a checksum to verify; rewrite the directory with
:func:`write_city` to list it).

A directory records its version and change log (``metadata.version`` …, ``changes.jsonl``; none recorded:
version 1); :func:`open_city` puts them in the registry's metadata. Applying changes to a directory and
comparing two versions: :mod:`hangzhou_address.io.versions`.

A manifest is data, not a pointer to anywhere: every file it lists must be a plain relative path
that stays inside the directory (no ``..``, no absolute path, no symlink leading out of it);
anything else is refused with :class:`~hangzhou_address.errors.DataError` before it is read.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError
from ._atomic import atomic_path, atomic_write

__all__ = ["write_city", "open_city", "read_city", "read_manifest", "read_table", "MANIFEST", "FORMAT_VERSION",
           "TABLES", "GEO_TABLES", "UNLISTED_TABLES"]

MANIFEST = "manifest.json"
FORMAT_VERSION = "1.0"
TABLES = ("divisions", "division_areas", "grids", "buildings", "addresses", "lineage", "aliases")
GEO_TABLES = ("division_areas", "grids", "buildings")
#: optional plain tables read from ``<name>.parquet`` even when an older manifest does not list them
UNLISTED_TABLES = ("aliases",)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_table(df: Any, path: Path, geo: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with atomic_path(path) as tmp:
        if geo:
            df.to_parquet(tmp, compression="zstd", index=False, write_covering_bbox=False)
        else:
            table = pa.Table.from_pandas(df, preserve_index=False)
            pq.write_table(table, tmp, compression="zstd")


def write_city(
    directory: str | Path,
    *,
    divisions: pd.DataFrame,
    grids: Any = None,
    buildings: Any = None,
    addresses: pd.DataFrame | None = None,
    lineage: pd.DataFrame | None = None,
    division_areas: Any = None,
    aliases: pd.DataFrame | None = None,
    metadata: dict[str, Any] | None = None,
) -> Path:
    """Write a city directory; returns the manifest path.

    Geo tables are written as GeoParquet (EPSG:4490), the others as plain Parquet, zstd-compressed.
    Files are written atomically and the manifest last, so a directory with a manifest is complete.
    The output is deterministic: the same tables give byte-identical files. ``aliases`` is written
    when given (also when empty: an empty table says "no aliases", not "unknown").
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tables = {"divisions": divisions, "division_areas": division_areas, "grids": grids, "buildings": buildings,
              "addresses": addresses, "lineage": lineage, "aliases": aliases}
    files: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for name, df in tables.items():
        if df is None:
            continue
        geo = name in GEO_TABLES
        if geo and (df.crs is None or df.crs.to_epsg() != 4490):
            raise DataError(f"table {name!r} must be in EPSG:4490 before writing, got {df.crs}")
        path = directory / f"{name}.parquet"
        _write_table(df, path, geo)
        files[name] = {"path": path.name, "sha256": _sha256(path), "bytes": path.stat().st_size, "geo": geo}
        counts[name] = int(len(df))
    meta = dict(metadata or {})
    manifest = {
        "format_version": FORMAT_VERSION,
        "created": meta.pop("created", None),
        "crs": "EPSG:4490",
        "synthetic": bool(meta.pop("synthetic", False)),
        "counts": counts,
        "files": files,
        "metadata": meta,
    }
    target = directory / MANIFEST
    with atomic_write(target, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
    return target


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """The parsed ``manifest.json`` of a city directory.

    Raises
    ------
    DataError
        No manifest, not JSON, not a JSON object with a ``files`` mapping, or a listed file whose
        path leaves the directory (see the module notes).
    """
    directory = Path(directory)
    path = directory / MANIFEST
    _inside(directory, path, MANIFEST)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path} not found: not a city directory (build one with `hzaddr city build`)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path} is not valid JSON: {exc}") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not all(isinstance(e, dict) for e in files.values()):
        raise DataError(f"{path}: expected a JSON object whose 'files' maps table names to entries")
    for name, entry in files.items():
        _table_path(directory, name, entry)
    return manifest


def _inside(directory: Path, path: Path, shown: str) -> Path:
    """``path`` when it resolves (symlinks followed) to somewhere inside ``directory``, else DataError."""
    root = directory.resolve()
    target = path.resolve()
    if target != root and root not in target.parents:
        raise DataError(f"{directory / MANIFEST}: {shown!r} leads outside the city directory; refused")
    return path


def _table_path(directory: Path, name: str, entry: dict[str, Any]) -> Path:
    """The file of manifest entry ``name``: a relative path inside ``directory`` (DataError otherwise)."""
    rel = entry.get("path")
    if not isinstance(rel, str) or not rel or "\x00" in rel:
        raise DataError(f"{directory / MANIFEST}: table {name!r} has no valid 'path'")
    pure = Path(rel)
    if pure.is_absolute() or pure.drive or ".." in pure.parts or "\\" in rel:
        raise DataError(f"{directory / MANIFEST}: table {name!r} path {rel!r} leads outside the city directory; "
                        "refused (paths must be relative, without '..')")
    return _inside(directory, directory / pure, rel)


def read_table(directory: str | Path, name: str, *, verify: bool = False) -> Any:
    """Read one table of a city directory (a GeoDataFrame for geo tables)."""
    import pyarrow.parquet as pq

    directory = Path(directory)
    manifest = read_manifest(directory)
    entry = manifest["files"].get(name)
    if entry is None:
        path = directory / f"{name}.parquet"
        if name in UNLISTED_TABLES and path.is_file():
            return pq.read_table(_inside(directory, path, path.name)).to_pandas()
        return None
    return _read_listed(directory, name, entry, verify)


def _read_listed(directory: Path, name: str, entry: dict[str, Any], verify: bool = False) -> Any:
    """Read the file of manifest entry ``entry`` (the version a registry was opened at: a lazy table of a
    registry reads the file its manifest listed, also after the directory moved on to a newer version)."""
    import pyarrow.parquet as pq

    path = _table_path(directory, name, entry)
    if verify and _sha256(path) != entry["sha256"]:
        raise DataError(f"{path}: checksum mismatch with {MANIFEST}; the file was modified or is corrupt")
    table = pq.read_table(path)
    if not entry.get("geo"):
        return table.to_pandas()
    import geopandas as gpd
    import shapely

    geom = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    df = table.drop(["geometry"]).to_pandas()
    return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4490")


def open_city(
    directory: str | Path,
    *,
    divisions: pd.DataFrame | None = None,
    lineage: pd.DataFrame | None = None,
    verify: bool = False,
):  # -> Registry
    """Open a city directory as a lazy :class:`~hangzhou_address.registry.Registry`.

    Only the manifest (and the divisions, unless given) is read now; grids, buildings, addresses,
    division areas and aliases are read on first access.
    """
    from ..registry import Registry

    directory = Path(directory)
    manifest = read_manifest(directory)
    if divisions is None:
        if "divisions" not in manifest["files"]:
            raise DataError(f"{directory}: the city has no divisions table")
        divisions = _read_listed(directory, "divisions", manifest["files"]["divisions"], verify)
    if lineage is None and "lineage" in manifest["files"]:
        lineage = _read_listed(directory, "lineage", manifest["files"]["lineage"], verify)

    def lazy(name: str) -> Any:
        if name not in manifest["files"]:
            unlisted = directory / f"{name}.parquet"
            if not (name in UNLISTED_TABLES and unlisted.is_file()):
                return None
            _inside(directory, unlisted, unlisted.name)
            return functools.partial(read_table, directory, name, verify=verify)  # picklable: Dask workers
        return functools.partial(_read_listed, directory, name, dict(manifest["files"][name]), verify)

    from .versions import version_metadata

    meta = {"path": str(directory), "manifest": manifest, "synthetic": manifest.get("synthetic", False),
            **version_metadata(directory, manifest)}  # version, parent_version, version_date, changes
    return Registry(
        divisions,
        grids=lazy("grids"),
        buildings=lazy("buildings"),
        addresses=lazy("addresses"),
        division_areas=lazy("division_areas"),
        aliases=lazy("aliases"),
        lineage=lineage,
        metadata=meta,
    )


read_city = open_city
