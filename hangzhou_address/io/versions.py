"""Versioned city directories: applying change sets to a directory (:func:`apply_to_directory`), its
change log (:func:`read_change_log`) and what changed between two directories (:func:`diff_directories`).

A city directory records its version in ``manifest.json`` (``metadata.version``, ``parent_version``,
``version_date``; a directory without them, as :func:`~hangzhou_address.io.city.write_city` writes it, is
version 1) and its change log in ``changes.jsonl`` (one JSON record per change applied, oldest first,
append-only). The manifest says how many records belong to its version (``change_log.entries``): a reader
takes that many lines and ignores any after them.

Updating a directory in place is safe:

* every change is applied in memory first: a change that fails validation writes nothing;
* the tables a change touches are written under new names (``buildings.v3.<token>.parquet``); the files
  of the current version are not touched, so a reader that opened it keeps reading a consistent version;
* ``manifest.json`` is replaced atomically, last: a half-written version is never visible;
* the swap happens under a lock file (``.hzaddr.lock``, :func:`fcntl.flock`) after checking that the
  directory is still at the version the changes were applied to; when another process got there first
  :class:`~hangzhou_address.errors.ChangeConflictError` is raised and the new files are removed.

Files of older versions stay (a reader may still be using them) until :func:`apply_to_directory` is
called with ``cleanup=True`` or :func:`remove_unlisted_tables` is called.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ChangeConflictError, DataError, InputError
from ._atomic import atomic_write
from .city import GEO_TABLES, MANIFEST, TABLES, UNLISTED_TABLES, _sha256, _table_path, _write_table, read_manifest

__all__ = ["apply_to_directory", "AppliedVersion", "read_change_log", "directory_version", "version_metadata",
           "diff_directories", "CityDiff", "LevelDiff", "remove_unlisted_tables", "LOG_FILE", "LOCK_FILE",
           "LOCK_TIMEOUT_S"]

LOG_FILE = "changes.jsonl"
LOCK_FILE = ".hzaddr.lock"
#: seconds to wait for another process's manifest swap (it holds the lock for well under a second)
LOCK_TIMEOUT_S = 60.0
_VERSION_KEYS = ("version", "parent_version", "version_date")
_TABLE_FILE = re.compile(r"^(%s)(?:\.v\d+\.[0-9a-f]+)?\.parquet$" % "|".join(TABLES))


@dataclass(frozen=True)
class AppliedVersion:
    """What :func:`apply_to_directory` wrote: the directory, its new version, the version it came from and
    the change log records added (one per change set)."""

    directory: Path
    version: int
    parent_version: int
    changes: tuple[dict[str, Any], ...] = ()

    def text(self) -> str:
        lines = [f"{self.directory}: version {self.parent_version} -> {self.version}"]
        for e in self.changes:
            counts = ", ".join(f"{k} {v:,}" for k, v in e.get("summary", {}).items())
            lines.append(f"  v{e['version']} {e['date']} {e['kind']} ({e['reason']}){': ' + counts if counts else ''}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- reading
def directory_version(manifest: dict[str, Any]) -> int:
    """The version a manifest records (1 when it records none)."""
    v = (manifest.get("metadata") or {}).get("version", 1)
    try:
        return int(v)
    except (TypeError, ValueError):
        raise DataError(f"{MANIFEST}: metadata.version must be an integer, got {v!r}") from None


def _log_path(directory: Path, manifest: dict[str, Any]) -> tuple[Path | None, int]:
    entry = manifest.get("change_log")
    if not entry:
        return None, 0
    if not isinstance(entry, dict) or not isinstance(entry.get("entries"), int) or entry["entries"] < 0:
        raise DataError(f"{directory / MANIFEST}: 'change_log' must be {{'path': ..., 'entries': n}}")
    return _table_path(directory, "change_log", entry), entry["entries"]


def read_change_log(directory: str | os.PathLike[str], manifest: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The change log of a city directory's current version: one record per change applied, oldest first
    (``version, parent_version, change_id, kind, date, reason, summary``); empty for version 1."""
    directory = Path(directory)
    manifest = read_manifest(directory) if manifest is None else manifest
    path, n = _log_path(directory, manifest)
    if path is None or n == 0:
        return []
    out = []
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if len(out) == n:
                    break
                out.append(json.loads(line))
    except FileNotFoundError:
        raise DataError(f"{path}: the change log is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: line {len(out) + 1} is not JSON: {exc}") from None
    if len(out) < n:
        raise DataError(f"{path}: {len(out)} records, the manifest says {n}")
    return out


def version_metadata(directory: str | os.PathLike[str], manifest: dict[str, Any]) -> dict[str, Any]:
    """The registry metadata of a directory's version: ``version``, ``parent_version``, ``version_date`` and
    ``changes`` (the change log), for the keys the directory records (used by
    :func:`~hangzhou_address.io.city.open_city`)."""
    meta = manifest.get("metadata") or {}
    out = {k: meta[k] for k in _VERSION_KEYS if meta.get(k) is not None}
    log = read_change_log(directory, manifest)
    if log:
        out["changes"] = log
    return out


# ---------------------------------------------------------------------------------------------- applying
def _changes(changes: Any) -> list[Any]:
    from ..lifecycle.changeset import ChangeSet

    if isinstance(changes, ChangeSet) or callable(changes):
        return [changes]
    if isinstance(changes, (str, bytes, os.PathLike)) or not isinstance(changes, Iterable):
        raise InputError("changes must be a ChangeSet, a function registry -> ChangeSet, or a list of them; "
                         f"got {type(changes).__name__}")
    out = list(changes)
    for c in out:
        if not (isinstance(c, ChangeSet) or callable(c)):
            raise InputError(f"changes must be ChangeSets or functions registry -> ChangeSet, got {type(c).__name__}")
    if not out:
        raise InputError("no change to apply")
    return out


def _apply_all(registry: Any, changes: list[Any]) -> tuple[Any, set[str]]:
    from ..lifecycle.changeset import apply_all, touched_tables

    registry, applied = apply_all(registry, changes)
    return registry, touched_tables(applied)


def _write_new(registry: Any, directory: Path, names: Iterable[str], stem: Callable[[str], str]) -> dict[str, Any]:
    """Write tables ``names`` of ``registry`` into ``directory`` as ``stem(name)``; their manifest entries."""
    from ..lifecycle.changeset import table_of

    entries: dict[str, Any] = {}
    for name in names:
        df = table_of(registry, name)
        if df is None:
            continue
        geo = name in GEO_TABLES
        if geo and (df.crs is None or df.crs.to_epsg() != 4490):
            df = df.to_crs(4490)
        path = directory / stem(name)
        _write_table(df, path, geo)
        entries[name] = ({"path": path.name, "sha256": _sha256(path), "bytes": path.stat().st_size, "geo": geo},
                         int(len(df)))
    return entries


def _new_manifest(old: dict[str, Any], registry: Any, entries: dict[str, Any], log_entries: int) -> dict[str, Any]:
    manifest = json.loads(json.dumps(old))  # a deep copy
    for name, (entry, count) in entries.items():
        manifest["files"][name] = entry
        manifest.setdefault("counts", {})[name] = count
    meta = manifest.setdefault("metadata", {})
    for k in _VERSION_KEYS:
        if registry.metadata.get(k) is not None:
            meta[k] = registry.metadata[k]
    manifest["change_log"] = {"path": LOG_FILE, "entries": log_entries}
    return manifest


def _write_json(path: Path, doc: Any) -> None:
    with atomic_write(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")


def _write_log(path: Path, log: list[dict[str, Any]]) -> None:
    with atomic_write(path, "w", encoding="utf-8") as fh:
        for e in log:
            fh.write(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n")


@contextlib.contextmanager
def _locked(directory: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the directory's lock file (``fcntl.flock``; ``O_EXCL`` creation where there is no fcntl)."""
    path = directory / LOCK_FILE
    deadline = time.monotonic() + timeout
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ChangeConflictError(f"{directory}: another process holds {LOCK_FILE} for over "
                                                  f"{timeout:.0f} s; try again") from None
                    time.sleep(0.02)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        return
    while True:  # pragma: no cover - not POSIX
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise ChangeConflictError(f"{directory}: {LOCK_FILE} exists for over {timeout:.0f} s "
                                          "(another process, or a crashed one: remove it)") from None
            time.sleep(0.02)
    try:
        yield
    finally:
        os.close(fd)
        os.unlink(path)


def remove_unlisted_tables(directory: str | os.PathLike[str]) -> list[str]:
    """Remove the table files of older versions (named like a table, not listed by the current manifest);
    returns their names. Only files named ``<table>.parquet`` / ``<table>.v<N>.<token>.parquet`` are
    considered; a reader still using an older version loses its files: call this when none is."""
    directory = Path(directory)
    removed = []
    with _locked(directory):
        manifest = read_manifest(directory)
        listed = {e["path"] for e in manifest["files"].values()}
        for p in directory.iterdir():
            m = _TABLE_FILE.match(p.name)
            if not m or p.name in listed or not p.is_file() or p.is_symlink():
                continue
            if m.group(1) in UNLISTED_TABLES and m.group(1) not in manifest["files"]:
                continue  # an optional table an older manifest does not list is data, not an old version
            p.unlink()
            removed.append(p.name)
    return sorted(removed)


def apply_to_directory(directory: str | os.PathLike[str], changes: Any, *, out: str | os.PathLike[str] | None = None,
                       cleanup: bool = False) -> AppliedVersion:
    """Apply one or several change sets to the city directory ``directory``.

    Parameters
    ----------
    directory : path
        A city directory (:func:`~hangzhou_address.io.city.write_city`, ``hzaddr city build``), any version.
    changes : ChangeSet, function, or a list of them
        Change sets made against the directory's version, one after the other (the second against the
        version the first produces …), or functions ``registry -> ChangeSet`` called with the registry of
        the version produced so far (so that each change is made against the version before it).
    out : path, optional
        Write the new version as a complete new directory ``out`` (which must not exist or be empty);
        ``directory`` is not touched. Without it, ``directory`` is updated in place (see the module notes).
    cleanup : bool, default False
        In place: remove the files of the version replaced once the new manifest is in place.

    Returns
    -------
    AppliedVersion

    Raises
    ------
    ChangeConflictError
        A change set was made against another version, or another process updated ``directory`` between
        opening it and writing (nothing is written; make the change again against the current version).
    ChangeError
        A change fails validation (nothing is written).
    """
    from .city import open_city

    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{directory}: not a directory (a city directory, see `hzaddr city build`)")
    manifest = read_manifest(directory)
    base = directory_version(manifest)
    registry = open_city(directory)
    if registry.version != base:  # pragma: no cover - open_city reads the same manifest
        raise DataError(f"{directory}: manifest changed while opening; try again")
    new, touched = _apply_all(registry, _changes(changes))
    log = [dict(e) for e in new.metadata.get("changes", ())]
    added = tuple(log[len(log) - (new.version - base):])
    if out is not None:
        target = _write_out(directory, manifest, new, touched, Path(out), log)
        return AppliedVersion(target, new.version, base, added)
    token = secrets.token_hex(4)
    written: list[Path] = []
    try:
        entries = _write_new(new, directory, sorted(touched),
                             lambda name: f"{name}.v{new.version}.{token}.parquet")
        written = [directory / e["path"] for e, _n in entries.values()]
        replaced = [manifest["files"][n]["path"] for n in entries if n in manifest["files"]]
        with _locked(directory):
            now = read_manifest(directory)
            have = directory_version(now)
            if have != base or now.get("change_log") != manifest.get("change_log"):
                raise ChangeConflictError(f"{directory} was updated to version {have} by another process while "
                                          f"these changes were applied to version {base}; nothing was written: "
                                          "make the changes again against the current version")
            _write_log(directory / LOG_FILE, log)
            _write_json(directory / MANIFEST, _new_manifest(manifest, new, entries, len(log)))
        written = []
    finally:
        for p in written:  # not published: remove
            with contextlib.suppress(OSError):
                p.unlink()
    if cleanup:
        for rel in replaced:
            with contextlib.suppress(OSError):
                (directory / rel).unlink()
    return AppliedVersion(directory, new.version, base, added)


def _write_out(source: Path, manifest: dict[str, Any], registry: Any, touched: set[str], out: Path,
               log: list[dict[str, Any]]) -> Path:
    from ..lifecycle.changeset import table_of

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out} exists and is not an empty directory: the new version is written to a new directory")
    if out.resolve() == source.resolve():
        raise InputError(f"-o/--out {out} is the city directory itself: leave it out to update in place")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}.", suffix=".hzaddr-tmp", dir=out.parent))
    try:
        # the tables the changes touched, and tables the registry has that the manifest does not list
        # (an unlisted aliases.parquet); lineage only when the source lists it or a change added to it
        names = [n for n in TABLES if table_of(registry, n) is not None and (
            n in touched or (n not in manifest["files"] and n != "lineage"))]
        entries = _write_new(registry, tmp, names, lambda name: f"{name}.parquet")
        for name, entry in manifest["files"].items():
            if name in entries:
                continue
            src = _table_path(source, name, entry)
            dst = tmp / f"{name}.parquet"
            shutil.copyfile(src, dst)
            entries[name] = ({**entry, "path": dst.name}, int(manifest.get("counts", {}).get(name, 0)))
        new_manifest = _new_manifest(manifest, registry, entries, len(log))
        for name in list(new_manifest["files"]):
            if name not in entries:  # pragma: no cover - every listed table is copied or written
                del new_manifest["files"][name]
        _write_log(tmp / LOG_FILE, log)
        _write_json(tmp / MANIFEST, new_manifest)
        os.chmod(tmp, 0o777 & ~_umask())
        if out.exists():
            out.rmdir()  # empty (checked above); fails if something appeared meanwhile
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _umask() -> int:
    from ._atomic import current_umask

    return current_umask()


# ---------------------------------------------------------------------------------------------- diff
@dataclass(frozen=True)
class LevelDiff:
    """Codes of one level (``divisions``, ``grids``, ``buildings``) added, retired and re-coded between two
    versions (re-coded: ``(old, new)`` pairs from the lineage; a split gives several pairs)."""

    level: str
    added: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    recoded: tuple[tuple[str, str], ...] = ()

    def counts(self) -> dict[str, int]:
        """Codes added, retired and re-coded (distinct old codes; ``recoded_pairs``: lineage pairs — a grid
        re-drawn into two counts once, with two pairs)."""
        return {"added": len(self.added), "retired": len(self.retired),
                "recoded": len({o for o, _n in self.recoded}), "recoded_pairs": len(self.recoded)}


@dataclass(frozen=True)
class CityDiff:
    """What changed from city directory ``old`` to ``new`` (:func:`diff_directories`)."""

    old: str
    new: str
    old_version: int
    new_version: int
    levels: tuple[LevelDiff, ...] = field(default_factory=tuple)

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        """JSON-ready: the counts, and the codes (at most ``limit`` per list; None: all)."""
        def cut(xs: tuple) -> list:
            return [list(x) if isinstance(x, tuple) else x for x in (xs if limit is None else xs[:limit])]

        return {"old": self.old, "new": self.new, "old_version": self.old_version, "new_version": self.new_version,
                "levels": {d.level: {"counts": d.counts(), "added": cut(d.added), "retired": cut(d.retired),
                                     "recoded": cut(d.recoded)} for d in self.levels}}

    def text(self, limit: int = 10) -> str:
        lines = [f"{self.old} (version {self.old_version}) -> {self.new} (version {self.new_version})"]
        for d in self.levels:
            c = d.counts()
            pairs = f" ({c['recoded_pairs']:,} old → new pairs)" if c["recoded_pairs"] != c["recoded"] else ""
            lines.append(f"{d.level}: {c['added']:,} added, {c['retired']:,} retired, {c['recoded']:,} re-coded{pairs}")
            for kind, xs in (("added", d.added), ("retired", d.retired), ("re-coded", d.recoded)):
                if not xs or limit <= 0:
                    continue
                shown = [f"{x[0]} -> {x[1]}" if isinstance(x, tuple) else x for x in xs[:limit]]
                more = f" … and {len(xs) - limit:,} more" if len(xs) > limit else ""
                lines.append(f"  {kind}: " + ", ".join(shown) + more)
        return "\n".join(lines)


_DIFF_LEVELS = (("divisions", (4, 6, 9, 12)), ("grids", (15,)), ("buildings", (20,)))


def _codes(directory: Path, manifest: dict[str, Any], name: str) -> tuple[pd.Index, pd.Index] | None:
    """(every code, the active codes) of table ``name``; None when the directory has no such table."""
    import pyarrow.parquet as pq

    entry = manifest["files"].get(name)
    if entry is None:
        return None
    path = _table_path(directory, name, entry)
    cols = [c for c in ("code", "status") if c in pq.read_schema(path).names]
    t = pq.read_table(path, columns=cols).to_pandas()
    codes = pd.Index(t["code"].astype(object))
    active = codes[(t["status"] == "active").to_numpy()] if "status" in t else codes
    return codes, pd.Index(active)


def _lineage_rows(directory: Path, manifest: dict[str, Any]) -> pd.DataFrame:
    import pyarrow.parquet as pq

    entry = manifest["files"].get("lineage")
    if entry is None:
        return pd.DataFrame({"old_code": [], "new_code": [], "date": []}, dtype=object)
    t = pq.read_table(_table_path(directory, "lineage", entry), columns=["old_code", "new_code", "date"]).to_pandas()
    return t.astype(object).where(t.notna(), None)


def diff_directories(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> CityDiff:
    """What changed from city directory ``old`` to ``new`` (normally an older and a newer version of the
    same city): per level, codes added (new places), retired (no successor) and re-coded (old → new from the
    lineage rows ``new`` has and ``old`` has not). Only the code and status columns are read; a table
    whose file is byte-identical in both (same sha256) is not read at all."""
    old, new = Path(old), Path(new)
    mo, mn = read_manifest(old), read_manifest(new)
    lo, ln = _lineage_rows(old, mo), _lineage_rows(new, mn)
    seen = set(zip(lo["old_code"], lo["new_code"], lo["date"]))
    fresh = [(o, n) for o, n, d in zip(ln["old_code"], ln["new_code"], ln["date"]) if (o, n, d) not in seen
             and isinstance(o, str)]
    recoded_all = [(o, n) for o, n in fresh if isinstance(n, str) and n]
    levels = []
    for level, lengths in _DIFF_LEVELS:
        eo, en = mo["files"].get(level), mn["files"].get(level)
        rec = tuple(sorted((o, n) for o, n in recoded_all if len(o) in lengths))
        if eo is not None and en is not None and eo.get("sha256") == en.get("sha256"):
            levels.append(LevelDiff(level, (), (), rec))
            continue
        a, b = _codes(old, mo, level), _codes(new, mn, level)
        if a is None and b is None:
            levels.append(LevelDiff(level, (), (), rec))
            continue
        empty = (pd.Index([], dtype=object), pd.Index([], dtype=object))
        (all_o, act_o), (all_n, act_n) = a or empty, b or empty
        rec_old = pd.Index([o for o, _n in rec], dtype=object)
        rec_new = pd.Index([n for _o, n in rec], dtype=object)
        added = act_n[~act_n.isin(all_o) & ~act_n.isin(rec_new)]
        retired = act_o[~act_o.isin(act_n) & ~act_o.isin(rec_old)]
        levels.append(LevelDiff(level, tuple(sorted(added.tolist())), tuple(sorted(retired.tolist())), rec))
    return CityDiff(str(old), str(new), directory_version(mo), directory_version(mn), tuple(levels))
