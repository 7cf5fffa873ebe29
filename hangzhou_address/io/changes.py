"""Change sets on disk: :func:`write_changeset` and :func:`read_changeset`.

A change set (:class:`~hangzhou_address.lifecycle.ChangeSet`) is written as a directory::

    changeset.json              kind, date, reason, parent_version, summary, change_id, the files below
    <table>.add.parquet         the rows it adds to <table> (GeoParquet, EPSG:4490, for geo tables)
    <table>.remove.parquet      the keys of the rows it removes from <table> (one column ``key``)
    lineage.parquet             old_code, new_code, date, reason

The directory is written into a temporary sibling and renamed into place at the end, so it either
exists complete or not at all; an existing path is never overwritten. Reading it back gives a change
set with the same :attr:`~hangzhou_address.lifecycle.ChangeSet.change_id` (checked: a directory whose
files were edited after writing is refused with :class:`~hangzhou_address.errors.DataError`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError, InputError

__all__ = ["write_changeset", "read_changeset", "is_changeset_dir", "read_change_request", "parse_change_request",
           "REQUEST_OPS",
           "CHANGESET_FILE", "CHANGESET_FORMAT"]

CHANGESET_FILE = "changeset.json"
CHANGESET_FORMAT = "hzaddr-changeset/1"
_GEO_TABLES = ("division_areas", "grids", "buildings")


def is_changeset_dir(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a directory written by :func:`write_changeset`."""
    return (Path(path) / CHANGESET_FILE).is_file()


def _write_frame(df: Any, path: Path, geo: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if geo:
        if df.crs is None:
            raise DataError(f"{path.name}: the added rows have no CRS")
        df.to_parquet(path, compression="zstd", index=False, write_covering_bbox=False)
    else:
        pq.write_table(pa.Table.from_pandas(pd.DataFrame(df), preserve_index=False), path, compression="zstd")


def _read_frame(path: Path, geo: bool) -> Any:
    if geo:
        import geopandas as gpd

        return gpd.read_parquet(path)
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas()


def write_changeset(cs: Any, path: str | os.PathLike[str]) -> Path:
    """Write the change set ``cs`` as the directory ``path`` (which must not exist); returns ``path``.

    Raises
    ------
    InputError
        ``path`` exists already.
    """
    from ..lifecycle.changeset import ChangeSet

    if not isinstance(cs, ChangeSet):
        raise InputError(f"write_changeset() takes a ChangeSet, got {type(cs).__name__}")
    target = Path(path)
    if target.exists() or target.is_symlink():
        raise InputError(f"{target} exists already: a change set is written to a new directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".hzaddr-tmp", dir=target.parent))
    try:
        tables: dict[str, dict[str, Any]] = {}
        for name in sorted(cs.tables):
            tc = cs.tables[name]
            entry: dict[str, Any] = {"remove": None, "add": None, "n_remove": len(tc.remove), "n_add": tc.n_added}
            if tc.remove:
                entry["remove"] = f"{name}.remove.parquet"
                _write_frame(pd.DataFrame({"key": pd.Series(list(tc.remove), dtype=object)}),
                             tmp / entry["remove"], False)
            if tc.add is not None:
                entry["add"] = f"{name}.add.parquet"
                geo = name in _GEO_TABLES and "geometry" in tc.add
                entry["geo"] = bool(geo)
                _write_frame(tc.add, tmp / entry["add"], geo)
            tables[name] = entry
        lineage = None
        if cs.lineage_rows is not None:
            lineage = "lineage.parquet"
            _write_frame(cs.lineage_rows.loc[:, ["old_code", "new_code", "date", "reason"]].reset_index(drop=True),
                         tmp / lineage, False)
        doc = {"format": CHANGESET_FORMAT, "kind": cs.kind, "date": cs.date, "reason": cs.reason,
               "parent_version": int(cs.parent_version), "summary": {k: int(v) for k, v in cs.summary.items()},
               "change_id": cs.change_id, "tables": tables, "lineage": lineage}
        with open(tmp / CHANGESET_FILE, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=2, sort_keys=True)
            fh.write("\n")
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o777 & ~_umask())
        if target.exists():  # appeared meanwhile: never overwrite
            raise InputError(f"{target} exists already: a change set is written to a new directory")
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    with contextlib.suppress(OSError):  # the rename itself durable
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return target


def _umask() -> int:
    from ._atomic import current_umask

    return current_umask()


def _member(directory: Path, name: Any) -> Path:
    """A file named in changeset.json: a plain file name inside the directory (DataError otherwise)."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise DataError(f"{directory / CHANGESET_FILE}: bad file name {name!r}; refused")
    path = directory / name
    if not path.is_file() or path.is_symlink():
        raise DataError(f"{directory}: {name} is missing (an incomplete change set directory)")
    return path


def read_changeset(path: str | os.PathLike[str]) -> Any:
    """The :class:`~hangzhou_address.lifecycle.ChangeSet` written by :func:`write_changeset` to ``path``.

    Raises
    ------
    DataError
        Not a change set directory, an unreadable or incomplete one, or one whose content no longer gives
        the ``change_id`` it was written with (edited after writing).
    """
    from ..lifecycle.changeset import ChangeSet, TableChange

    directory = Path(path)
    meta_path = directory / CHANGESET_FILE
    try:
        doc = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{directory}: not a change set directory (no {CHANGESET_FILE})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{meta_path} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != CHANGESET_FORMAT:
        raise DataError(f"{meta_path}: not a {CHANGESET_FORMAT} file")
    try:
        tables = {}
        for name, entry in dict(doc.get("tables") or {}).items():
            remove: tuple[str, ...] = ()
            add = None
            if entry.get("remove"):
                keys = _read_frame(_member(directory, entry["remove"]), False)["key"]
                remove = tuple(str(k) for k in keys)
            if entry.get("add"):
                add = _read_frame(_member(directory, entry["add"]), bool(entry.get("geo")))
            tables[name] = TableChange(remove, add)
        lineage = None
        if doc.get("lineage"):
            lineage = _read_frame(_member(directory, doc["lineage"]), False)
        cs = ChangeSet(str(doc["kind"]), str(doc["date"]), str(doc["reason"]), int(doc["parent_version"]),
                       tables, lineage, {str(k): int(v) for k, v in dict(doc.get("summary") or {}).items()})
    except DataError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, OSError) as exc:
        raise DataError(f"{directory}: not a readable change set ({type(exc).__name__}: {exc})") from None
    if cs.change_id != doc.get("change_id"):
        raise DataError(f"{directory}: its content gives change id {cs.change_id}, not the {doc.get('change_id')} "
                        "it was written with (the files were modified after writing); refused")
    return cs


#: operations of a change request: op → (required keys, optional keys)
REQUEST_OPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "retire_building": (("code", "date", "reason"), ()),
    "add_building": (("grid", "footprint", "date", "reason"), ("addresses", "use", "floors", "units")),
    "regrid": (("code", "grids", "date", "reason"), ()),
    "rename_road": (("name", "new_name", "date", "reason"), ("district",)),
    "rename_compound": (("name", "new_name", "date", "reason"), ("district",)),
    "move_community": (("community", "to_town", "date", "reason"), ("new_code",)),
    "move_town": (("town", "to_district", "new_code", "date", "reason"), ("community_codes",)),
    "merge_towns": (("towns", "into", "date", "reason"), ()),
    "split_town": (("town", "parts", "date", "reason"), ("codes",)),
}
#: operations whose keys are the lifecycle function's arguments (first the positional ones, in order)
_DIVISION_OPS: dict[str, tuple[str, ...]] = {
    "rename_road": ("name", "new_name"), "rename_compound": ("name", "new_name"),
    "move_community": ("community", "to_town"), "move_town": ("town", "to_district"),
    "merge_towns": ("towns",), "split_town": ("town", "parts"),
}


def _read_grids(path: Path, where: str) -> Any:
    import geopandas as gpd

    if not path.is_file():
        raise InputError(f"{where}: grids file {path} not found")
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            return gpd.read_parquet(path)
        return gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader error is the file's problem
        raise InputError(f"{where}: cannot read grids file {path}: {type(exc).__name__}: {exc}") from None


def _inline_grids(doc: dict[str, Any], where: str) -> Any:
    import geopandas as gpd

    if doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list) or not doc["features"]:
        raise InputError(f"{where} (regrid): inline 'grids' must be a non-empty GeoJSON FeatureCollection")
    try:
        return gpd.GeoDataFrame.from_features(doc["features"], crs=4490)
    except Exception as exc:  # noqa: BLE001 - any reader error is the request's problem
        raise InputError(f"{where} (regrid): inline 'grids' is not readable GeoJSON ({type(exc).__name__}: {exc})") \
            from None


def _operation(op: dict[str, Any], base: Path | None, where: str) -> Any:
    """A function registry -> ChangeSet for one operation of a request."""
    from .. import lifecycle as lc

    if op["op"] == "retire_building":
        return lambda reg: lc.retire_building(reg, op["code"], date=op["date"], reason=op["reason"])
    if op["op"] in _DIVISION_OPS:
        positional = _DIVISION_OPS[op["op"]]
        fn = getattr(lc, op["op"])
        args = [op[k] for k in positional]
        kwargs = {k: v for k, v in op.items() if k not in ("op", *positional)}
        return lambda reg: fn(reg, *args, **kwargs)
    if op["op"] == "add_building":
        import shapely.geometry

        try:
            footprint = shapely.geometry.shape(op["footprint"])
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"{where}: 'footprint' is not a GeoJSON geometry ({exc})") from None
        addresses = op.get("addresses", [])
        if isinstance(addresses, str) or not isinstance(addresses, list):
            raise InputError(f"{where}: 'addresses' must be a list of address texts or objects")
        extra = {k: op[k] for k in ("use", "floors", "units") if k in op}
        return lambda reg: lc.add_building(reg, op["grid"], footprint, addresses=addresses, date=op["date"],
                                           reason=op["reason"], **extra)
    if isinstance(op["grids"], dict):  # inline GeoJSON FeatureCollection (EPSG:4490 lon/lat)
        grids = _inline_grids(op["grids"], where)
    elif base is None:
        raise InputError(f"{where} (regrid): 'grids' must be an inline GeoJSON FeatureCollection here "
                         "(file paths are not accepted)")
    else:
        grids_path = (base / str(op["grids"])).resolve() if not Path(str(op["grids"])).is_absolute() \
            else Path(op["grids"])
        grids = _read_grids(grids_path, where)

    def regrid(reg: Any) -> Any:
        try:
            from ..lifecycle.regrid import regrid as _regrid
        except ImportError:
            raise InputError(f"{where}: re-gridding is not available in this build "
                             "(hangzhou_address.lifecycle.regrid)") from None
        return _regrid(reg, op["code"], grids, date=op["date"], reason=op["reason"])

    return regrid


def parse_change_request(doc: Any, *, where: str = "the change request", base: Path | None = None) -> list[Any]:
    """The operations of a change request already read as JSON (a list of operations, or ``{"changes": [...]}``)
    as functions ``registry -> ChangeSet``, checked as :func:`read_change_request` checks them.

    ``base`` is the directory relative ``grids`` file names of ``regrid`` are read from; None (a request that
    did not come from a file, e.g. over HTTP) accepts only inline GeoJSON grids and never opens a file.

    Raises
    ------
    InputError
        An operation is malformed (the message names it by number).
    """
    if isinstance(doc, dict) and "changes" in doc:
        doc = doc["changes"]
    if not isinstance(doc, list) or not doc:
        raise InputError(f"{where}: a change request is a non-empty JSON list of operations "
                         '({"op": "retire_building", ...})')
    out = []
    for k, op in enumerate(doc, 1):
        at = f"{where}, operation {k}"
        if not isinstance(op, dict):
            raise InputError(f"{at}: an operation is a JSON object, got {type(op).__name__}")
        name = op.get("op")
        if name not in REQUEST_OPS:
            raise InputError(f"{at}: unknown op {name!r}; known: {', '.join(REQUEST_OPS)}")
        required, optional = REQUEST_OPS[name]
        missing = [key for key in required if op.get(key) in (None, "")]
        if missing:
            raise InputError(f"{at} ({name}): missing {', '.join(missing)}")
        unknown = sorted(set(op) - {"op", *required, *optional})
        if unknown:
            raise InputError(f"{at} ({name}): unknown key(s) {', '.join(unknown)}; "
                             f"allowed: {', '.join((*required, *optional))}")
        out.append(_operation(op, base, at))
    return out


def read_change_request(path: str | os.PathLike[str]) -> list[Any]:
    """The operations of a change request file (see the module notes) as functions ``registry -> ChangeSet``,
    in order, for :func:`~hangzhou_address.io.versions.apply_to_directory`.

    Every operation is checked here (known ``op``, required keys, no unknown key, readable files) before
    anything is applied.

    Raises
    ------
    InputError
        The file is missing, not JSON, or an operation is malformed (the message names it by number).
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(f"{path}: change request file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a JSON change request: {exc}") from None
    return parse_change_request(doc, where=str(path), base=path.parent)
