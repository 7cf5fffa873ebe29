"""``hzaddr serve`` (the HTTP API on uvicorn) and ``hzaddr keys add`` (API keys); extra ``[server]``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(sub: Any) -> None:
    from ._registry import add_city_option

    p = sub.add_parser("serve", help="run the HTTP API (docs/service.md)")
    add_city_option(p)
    p.add_argument("--postgis", metavar="DSN", help="serve the city stored in PostGIS (docs/postgis.md); edits "
                   "through the API (POST /v1/changes) are applied to it, one transaction each")
    p.add_argument("--audit", type=Path, default=None, metavar="FILE",
                   help="audit file of the edits (JSON lines; default: <city>.audit.jsonl next to --city, "
                        "hzaddr.audit.jsonl next to the keys file with --postgis)")
    p.add_argument("--schema", default=None, help="the PostGIS schema (default hangzhou_address)")
    p.add_argument("--keys", type=Path, required=True, metavar="KEYS_TOML", help="API keys file (`hzaddr keys add`)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--log-level", default="info", help="server log level (default info)")
    p.add_argument("--access-log", default="-", metavar="FILE",
                   help="where the access log goes (key name, route, status, latency, batch size; never a query "
                        "text or a result): - for standard error (default), a file appended to, or none")
    p.set_defaults(func=_cmd_serve)

    k = sub.add_parser("keys", help="API keys of `hzaddr serve`")
    ksub = k.add_subparsers(dest="keys_command", metavar="ACTION")
    add = ksub.add_parser("add", help="make a new key; prints it once, on the last line of stdout")
    add.add_argument("name", help="the key's name (shown in access logs and audit records)")
    add.add_argument("--scope", choices=("read", "edit"), default="read", help="read (default) or edit")
    add.add_argument("--rate", default="50/s", help="requests per second (N/s, N/min, N/h; default 50/s)")
    add.add_argument("--keys", type=Path, required=True, metavar="KEYS_TOML", help="the keys file (created if absent)")
    add.set_defaults(func=_cmd_keys_add)
    lst = ksub.add_parser("list", help="names, scopes and rates of the keys (never the keys)")
    lst.add_argument("--keys", type=Path, required=True, metavar="KEYS_TOML")
    lst.set_defaults(func=_cmd_keys_list)


def _cmd_keys_add(args: argparse.Namespace) -> int:
    from ..server.keys import KeyStore

    store = KeyStore(args.keys)
    key = store.add(args.name, scope=args.scope, rate=args.rate)
    print(f"added key {args.name!r} (scope {args.scope}, rate {args.rate}) to {args.keys}; "
          "it is shown once, here, and stored only as a salted hash:")
    print(key)
    return 0


def _cmd_keys_list(args: argparse.Namespace) -> int:
    from ..server.keys import KeyStore

    store = KeyStore(args.keys)
    for name in store.names():
        k = store.get(name)
        assert k is not None
        print(f"{k.name}\t{k.scope}\t{k.rate}\t{k.created}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from ..errors import InputError

    try:
        import uvicorn
    except ImportError:
        raise InputError("hzaddr serve needs the [server] extra: pip install 'hangzhou_address[server]'") from None
    from ..server.app import (
        ENV_AUDIT,
        ENV_CITY,
        ENV_KEYS,
        ENV_POSTGIS,
        ENV_SCHEMA,
        ENV_WORKERS,
    )
    from ..server.keys import KeyStore

    if not args.keys.is_file():
        raise InputError(f"--keys {args.keys}: not found (make one with `hzaddr keys add NAME --keys {args.keys}`)")
    KeyStore(args.keys)  # a bad file fails here, not in every worker
    if args.city is not None and not args.city.is_dir():
        raise InputError(f"--city {args.city}: not a directory")
    if args.workers < 1:
        raise InputError(f"--workers {args.workers}: at least 1")
    dsn = args.postgis or None
    if dsn and args.city is not None:
        raise InputError("--city and --postgis: serve one or the other")
    where = f"city {args.city}" if args.city else "embedded SYNTHETIC city"
    if dsn:
        from ..io.postgis import safe_dsn

        where = f"PostGIS {safe_dsn(dsn)}"
    os.environ[ENV_CITY] = str(args.city.resolve()) if args.city is not None else ""
    os.environ[ENV_KEYS] = str(args.keys.resolve())
    os.environ[ENV_POSTGIS] = dsn or ""
    os.environ[ENV_SCHEMA] = args.schema or ""
    os.environ[ENV_WORKERS] = str(args.workers)  # each worker spends its share of a key's rate
    audit = args.audit if args.audit is not None else (args.keys.parent / "hzaddr.audit.jsonl" if dsn else None)
    os.environ[ENV_AUDIT] = str(audit.resolve()) if audit is not None else ""
    _access_log(args.access_log)
    try:  # POSIX: workers forked from this process once it has loaded the city (hangzhou_address.server.prefork)
        from ..server import prefork
    except ImportError:  # no gunicorn (Windows): uvicorn's workers, each loading the city itself
        prefork = None  # type: ignore[assignment]
    how = "forked after loading" if prefork is not None else "each loading the city"
    print(f"hzaddr serve: http://{args.host}:{args.port} ({args.workers} workers, {how}; {where})", file=sys.stderr)
    if prefork is not None:
        from ..server.app import app_from_environment

        app = app_from_environment()  # the city read once, here (a bad source fails here, as an InputError)
        prefork.warm_up(app.state.city.registry())
        prefork.serve(lambda: app, host=args.host, port=args.port, workers=args.workers, log_level=args.log_level)
    else:
        from ..server.access_log import uvicorn_log_config

        if dsn:  # unreachable / empty: fails here, not in every worker
            from ..io.postgis import DEFAULT_SCHEMA, read_postgis

            read_postgis(dsn, schema=args.schema or DEFAULT_SCHEMA)
        uvicorn.run("hangzhou_address.server.app:app_from_environment", factory=True, host=args.host,
                    port=args.port, workers=args.workers, log_level=args.log_level, access_log=False,
                    log_config=uvicorn_log_config(args.access_log),
                    http="hangzhou_address.server.protocol:Protocol")
    return 0


def _access_log(target: str) -> None:
    """The access log's destination (``--access-log``), set in this process before the workers fork."""
    from ..errors import InputError
    from ..server.access_log import configure_access_log

    try:
        configure_access_log(target)
    except OSError as e:
        raise InputError(f"--access-log {target}: {e.strerror or e}") from None
