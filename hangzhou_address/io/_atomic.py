"""Atomic file writes: a temporary file in the target's directory, fsync, then ``os.replace``.

* Temporaries are named ``.<target>.<pid>.<random>.hzaddr-tmp``. A process killed with ``kill -9``
  cannot remove its own; the next write to the same target removes those whose process is gone (or
  whose pid now belongs to a process started over a minute after the temporary was last written).
  Files of other users, of live writers and of any other name are never touched.
* The published file gets the mode a plain ``open()`` would give it: ``0o666`` minus the umask
  (the temporary itself is ``0o600`` while it is being written).
* :func:`check_outputs` refuses an output that is one of the inputs, or two outputs that are the
  same file (same resolved path, or the same inode through a symlink or a hard link).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from ..errors import InputError

__all__ = ["atomic_write", "atomic_path", "check_outputs", "current_umask", "TMP_SUFFIX"]

#: ending of every temporary this module creates
TMP_SUFFIX = ".hzaddr-tmp"
#: a live pid's process must have started this much after a temporary's mtime to count as a reused pid
_REUSED_PID_SLACK_S = 60.0
#: serializes the os.umask() fallback of :func:`current_umask` (os.umask is process-wide)
_UMASK_LOCK = threading.Lock()

def current_umask() -> int:
    """The process umask, read without changing it where the OS allows.

    Linux reports it in ``/proc/self/status``; elsewhere it is read with ``os.umask`` under a lock,
    setting the restrictive ``0o077`` for the instant in between (so a file another thread creates
    in that instant is never more open than intended).
    """
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    with _UMASK_LOCK:
        old = os.umask(0o077)
        os.umask(old)
    return old


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)  # both exist: same inode (symlinks, hard links, ./x vs x)
    except OSError:  # one does not exist yet: compare where it would be written
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def check_outputs(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> None:
    """Refuse outputs that would overwrite an input or each other.

    Parameters
    ----------
    inputs, outputs : mapping of label → path (or None, skipped)
        The labels name the paths in the error message, e.g. ``{"the input ledger": path}``.

    Raises
    ------
    InputError
        An output is the same file as an input, or two outputs are the same file.

    Examples
    --------
    >>> check_outputs({"the input": "a.csv"}, {"the output": "./a.csv"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hangzhou_address.errors.InputError: the output (a.csv) is the same file as the input: ...
    """
    ins = [(k, Path(v)) for k, v in inputs.items() if v is not None]
    outs = [(k, Path(v)) for k, v in outputs.items() if v is not None]
    for i, (label, path) in enumerate(outs):
        for in_label, in_path in ins:
            if _same_file(path, in_path):
                raise InputError(f"{label} ({path}) is the same file as {in_label}: writing it would overwrite "
                                 f"{in_label}; choose another path")
        for other_label, other in outs[:i]:
            if _same_file(path, other):
                raise InputError(f"{other_label} and {label} are the same file ({path}): one would overwrite "
                                 "the other; choose different paths")


def _process_start(pid: int) -> float | None:
    """Start time of a process (seconds since the epoch) on Linux; None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        with open("/proc/stat", encoding="ascii", errors="replace") as fh:
            btime = next(int(line.split()[1]) for line in fh if line.startswith("btime "))
        return btime + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _is_stale(pid: int, mtime: float) -> bool:
    """True when the writer ``pid`` of a temporary last written at ``mtime`` can no longer be writing it."""
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows: keep the file
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: alive, another user's
        pass
    started = _process_start(pid)
    # alive: stale only if the pid was reused by a process started after the file was last written;
    # the minute of slack covers /proc/stat's one-second boot time and small clock steps
    return started is not None and started > mtime + _REUSED_PID_SLACK_S


def _remove_stale_temporaries(target: Path) -> None:
    """Remove our own leftover temporaries of ``target`` (see the module docstring)."""
    prefix = f".{target.name}."
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(TMP_SUFFIX)):
            continue
        parts = name[len(prefix):-len(TMP_SUFFIX)].split(".")
        if len(parts) != 2 or not parts[0].isdigit() or not parts[1]:  # another target's temporary
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not entry.is_file(follow_symlinks=False) or (uid is not None and st.st_uid != uid):
                continue
            if _is_stale(int(parts[0]), st.st_mtime):
                os.unlink(entry.path)
        except OSError:  # gone already, or not ours to remove
            continue


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` atomically.

    On any exception (including KeyboardInterrupt) the temporary file is removed and ``path``
    is left as it was; leftovers of killed runs are removed by the next write to ``path``.
    The published file's mode is ``0o666`` minus the umask, or ``mode`` when given (e.g. ``0o600`` for a
    file of secrets: it is never more open than that, not even for an instant). Use this for writers that
    want a file name (pyarrow, geopandas).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=TMP_SUFFIX, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        # mkstemp creates 0600; publish as open() would, or with the mode asked for
        os.chmod(tmp_path, (0o666 & ~current_umask()) if mode is None else mode)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb", *, file_mode: int | None = None,
                 **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a file for writing that appears at ``path`` only when the block succeeds (published with
    ``file_mode`` when given, see :func:`atomic_path`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_write(d / "out.txt", "w", encoding="utf-8") as fh:
    ...     _ = fh.write("hello")
    >>> (d / "out.txt").read_text(encoding="utf-8")
    'hello'
    """
    if "r" in mode or "a" in mode:
        raise ValueError(f"atomic_write only writes new files; mode {mode!r} is not allowed")
    with atomic_path(path, mode=file_mode) as tmp, open(tmp, mode, **kwargs) as fh:
        yield fh
        fh.flush()
