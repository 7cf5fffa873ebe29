"""The service's access log: one line per request with the key's name, the route template, the status, the
latency and the batch size (logger :data:`~hangzhou_address.server.app.ACCESS_LOGGER`, level INFO) — never a
query text, a result or a key. ``hzaddr serve --access-log`` says where it goes: ``-`` (standard error, the
default), a file appended to, or ``none``."""

from __future__ import annotations

import copy
from typing import Any

from .app import ACCESS_LOGGER

__all__ = ["FORMAT", "configure_access_log", "uvicorn_log_config"]

#: a line of the access log: time, worker process, then the middleware's ``key=… route=… status=… ms=… batch=…``
FORMAT = "%(asctime)s %(process)d %(message)s"


def _handler_config(target: str) -> dict[str, Any]:
    """The ``logging.config`` description of the handler for ``target``."""
    if target == "none":
        return {"class": "logging.NullHandler"}
    if target == "-":
        return {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "hzaddr_access"}
    return {"class": "logging.FileHandler", "filename": target, "mode": "a", "encoding": "utf-8",
            "formatter": "hzaddr_access"}


def _sections(target: str) -> dict[str, dict[str, Any]]:
    """The ``logging.config`` sections of the access log to ``target``: its formatter, handler and logger."""
    return {"formatters": {"hzaddr_access": {"format": FORMAT}},
            "handlers": {"hzaddr_access": _handler_config(target)},
            "loggers": {ACCESS_LOGGER: {"handlers": ["hzaddr_access"], "level": "INFO", "propagate": False}}}


def uvicorn_log_config(target: str) -> dict[str, Any]:
    """uvicorn's logging configuration plus the access log to ``target`` (for workers that uvicorn spawns:
    they configure logging themselves, from this dictionary)."""
    from uvicorn.config import LOGGING_CONFIG

    cfg = copy.deepcopy(LOGGING_CONFIG)
    for section, entries in _sections(target).items():
        cfg[section].update(entries)
    return cfg


def configure_access_log(target: str) -> None:
    """Send the access log to ``target`` in this process (and the workers it forks afterwards). A file is
    appended to; the workers share it, each line one write."""
    import logging.config

    logging.config.dictConfig({"version": 1, "disable_existing_loggers": False, **_sections(target)})
