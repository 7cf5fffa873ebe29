"""API keys of the service: a TOML file of named keys, stored as salted hashes, and per-key rate limits.

``keys.toml`` (written by ``hzaddr keys add``, atomically, mode ``0600``)::

    [keys.land-bureau]
    id = "3f9a0c1d"            # public part of the key, used to find the entry
    scope = "read"             # read | edit
    rate = "50/s"              # requests per second (also "/min", "/h")
    salt = "…hex…"
    hash = "…hex…"             # scrypt(secret, salt, n=2**14, r=8, p=1)
    created = "2026-12-02T10:00:00+00:00"

A key reads ``hz_<id>_<secret>``; only the salted scrypt hash of the secret is stored, never the key. A key is
shown once, when it is made. Checking a key costs one scrypt (~30 ms) the first time a process sees it; the
process then remembers that key by a keyed digest (HMAC with a per-process random key, in memory only), so later
requests cost microseconds. A key with an unknown id is refused without any hashing.

The rate is a token bucket per key name, in process memory: each of the ``N`` worker processes of one
``hzaddr serve --workers N`` spends ``1 / N`` of the key's rate (:class:`RateLimiter`'s ``share``), so that
together they never exceed it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import secrets
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["ApiKey", "KeyStore", "RateLimiter", "parse_rate", "hash_secret", "SCOPES", "DEFAULT_RATE"]

SCOPES = ("read", "edit")
DEFAULT_RATE = "50/s"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 2**20, "dklen": 32}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_UNITS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0, "h": 3600.0,
          "hour": 3600.0}
_PREFIX = "hz"


def parse_rate(rate: str) -> float:
    """Requests per second of a rate written ``N/s``, ``N/min`` or ``N/h``.

    Examples
    --------
    >>> parse_rate("50/s"), parse_rate("120/min")
    (50.0, 2.0)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*([a-z]+)\s*", str(rate))
    if not m or m.group(2) not in _UNITS or float(m.group(1)) <= 0:
        raise InputError(f"rate {rate!r}: write it as N/s, N/min or N/h with N > 0 (e.g. 50/s)")
    return float(m.group(1)) / _UNITS[m.group(2)]


def hash_secret(secret: str, salt: bytes) -> str:
    """The stored hash of a key's secret (scrypt, hex)."""
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, **_SCRYPT).hex()


@dataclass(frozen=True)
class ApiKey:
    """One entry of the key file (no secret: the hash and its salt only)."""

    name: str
    id: str
    scope: str
    rate: str
    salt: str
    hash: str
    created: str = ""

    @property
    def per_second(self) -> float:
        return parse_rate(self.rate)

    def allows(self, scope: str) -> bool:
        """Whether this key may use an endpoint of ``scope`` (an edit key may also read)."""
        return self.scope == scope or (self.scope == "edit" and scope == "read")


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class KeyStore:
    """The keys of a ``keys.toml`` file (or an empty store when ``path`` is None and nothing is added).

    Parameters
    ----------
    path : path, optional
        The key file; read when it exists.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, keys: tuple[ApiKey, ...] = ()) -> None:
        self.path = Path(path) if path is not None else None
        self._keys: dict[str, ApiKey] = {k.name: k for k in keys}
        if self.path is not None and self.path.exists():
            self._keys.update({k.name: k for k in self._read(self.path)})
        self._memo_key = secrets.token_bytes(32)
        self._verified: dict[bytes, str] = {}
        self._lock = threading.Lock()
        #: per key id, a lock held while its secret is checked (concurrent first requests with one key: one scrypt)
        self._gates: dict[str, threading.Lock] = {}

    @staticmethod
    def _read(path: Path) -> list[ApiKey]:
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"{path}: not a readable keys file ({type(exc).__name__}: {exc})") from None
        out = []
        for name, e in dict(doc.get("keys") or {}).items():
            try:
                key = ApiKey(name, str(e["id"]), str(e["scope"]), str(e.get("rate", DEFAULT_RATE)), str(e["salt"]),
                             str(e["hash"]), str(e.get("created", "")))
            except (KeyError, TypeError) as exc:
                raise InputError(f"{path}: key {name!r} lacks {exc}") from None
            if key.scope not in SCOPES:
                raise InputError(f"{path}: key {name!r} has scope {key.scope!r}; one of {', '.join(SCOPES)}")
            parse_rate(key.rate)
            out.append(key)
        return out

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, name: object) -> bool:
        return name in self._keys

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._keys))

    def get(self, name: str) -> ApiKey | None:
        return self._keys.get(name)

    def add(self, name: str, *, scope: str = "read", rate: str = DEFAULT_RATE) -> str:
        """Make a new key ``name``; returns the key (the only time it is known) and saves the file.

        Raises
        ------
        InputError
            A bad name, scope or rate, or a key of that name exists.
        """
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise InputError(f"key name {name!r}: 1-64 letters, digits, '.', '_' or '-', starting with a letter "
                             "or digit")
        if scope not in SCOPES:
            raise InputError(f"scope {scope!r}: one of {', '.join(SCOPES)}")
        parse_rate(rate)
        if name in self._keys:
            raise InputError(f"a key named {name!r} exists already; choose another name")
        ids = {k.id for k in self._keys.values()}
        kid = secrets.token_hex(4)
        while kid in ids:  # pragma: no cover - 1 in 4 billion
            kid = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._keys[name] = ApiKey(name, kid, scope, rate, salt.hex(), hash_secret(secret, salt), created)
        if self.path is not None:
            self.save()
        return f"{_PREFIX}_{kid}_{secret}"

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the key file atomically with mode ``0600``."""
        from ..io._atomic import atomic_write

        target = Path(path) if path is not None else self.path
        if target is None:
            raise InputError("KeyStore.save(): no path")
        lines = ["# hzaddr API keys: salted scrypt hashes, never the keys (`hzaddr keys add`)", ""]
        for k in sorted(self._keys.values(), key=lambda k: k.name):
            lines += [f"[keys.{_toml_str(k.name)}]", f"id = {_toml_str(k.id)}", f"scope = {_toml_str(k.scope)}",
                      f"rate = {_toml_str(k.rate)}", f"salt = {_toml_str(k.salt)}", f"hash = {_toml_str(k.hash)}",
                      f"created = {_toml_str(k.created)}", ""]
        with atomic_write(target, "w", encoding="utf-8", file_mode=0o600) as fh:
            fh.write("\n".join(lines))
        return target

    def _digest(self, key: str) -> bytes:
        """What this process remembers a verified key by (a keyed digest: never the key itself)."""
        return hmac.new(self._memo_key, key.encode("utf-8", "replace"), hashlib.sha256).digest()

    def _known(self, digest: bytes) -> ApiKey | None:
        """The entry of the key verified before with this ``digest``, else None."""
        name = self._verified.get(digest)
        return self._keys.get(name) if name is not None else None

    def remembered(self, key: str | None) -> ApiKey | None:
        """The entry of ``key`` when this process has verified it before (no hashing), else None."""
        if not key or not isinstance(key, str) or len(key) > 200:
            return None
        return self._known(self._digest(key))

    def verify(self, key: str | None) -> ApiKey | None:
        """The entry of ``key``, or None when it is missing, malformed or not one of the store's keys."""
        if not key or not isinstance(key, str) or len(key) > 200:
            return None
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != _PREFIX:
            return None
        digest = self._digest(key)
        known = self._known(digest)
        if known is not None:
            return known
        entry = next((k for k in self._keys.values() if k.id == parts[1]), None)
        if entry is None:
            return None
        with self._lock:
            gate = self._gates.setdefault(entry.id, threading.Lock())
        with gate:  # one scrypt per key at a time: the first requests of a client's connections wait for one
            known = self._known(digest)
            if known is not None:  # (verified by the request this one waited for)
                return known
            try:
                good = hmac.compare_digest(hash_secret(parts[2], bytes.fromhex(entry.salt)), entry.hash)
            except ValueError:
                return None
            if not good:
                return None
            with self._lock:
                if len(self._verified) > 10_000:
                    self._verified.clear()
                self._verified[digest] = entry.name
        return entry


class RateLimiter:
    """Token buckets, one per key name: ``rate`` tokens a second, a burst of ``max(1, rate)``.

    ``share``: the part of each key's rate this process may spend (``1 / workers`` when several worker processes
    answer for the same keys: together they never exceed the key's rate; each still allows one request at once).
    """

    def __init__(self, clock: Any = time.monotonic, *, share: float = 1.0) -> None:
        if not 0.0 < share <= 1.0:
            raise ValueError(f"share must be in (0, 1], got {share!r}")
        self._clock = clock
        self._share = share
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, name: str, per_second: float) -> float:
        """Take one token for ``name``; 0.0 when allowed, else the seconds to wait before the next one."""
        per_second *= self._share
        burst = max(1.0, per_second)
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(name, (burst, now))
            tokens = min(burst, tokens + (now - last) * per_second)
            if tokens >= 1.0:
                self._buckets[name] = (tokens - 1.0, now)
                return 0.0
            self._buckets[name] = (tokens, now)
            return (1.0 - tokens) / per_second

    @staticmethod
    def retry_after(wait: float) -> str:
        """``Retry-After`` header value (whole seconds, at least 1)."""
        return str(max(1, math.ceil(wait)))
