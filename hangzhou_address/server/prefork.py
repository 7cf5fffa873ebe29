"""How ``hzaddr serve`` runs its workers: gunicorn's arbiter forks them from a master process that has read the
city and built its matcher once (``preload_app``); each worker serves the ASGI app with uvicorn (uvicorn-worker).

Why not uvicorn's own ``--workers``: it starts every worker with multiprocessing's *spawn*, so each worker — and
each replacement of a killed one — reads the city and builds its indexes itself (12–16 s for the full city), and
its supervisor notices a dead worker only after pinging the live ones (up to 5 s each). Forked from the loaded
master, a replacement is up as soon as the arbiter sees the old one die (SIGCHLD) and answers at once from the
master's version of the city (and catches up with later versions the way every worker does: see
``hangzhou_address.server.app``); the workers also start out sharing the master's memory (copy-on-write).

POSIX only (gunicorn forks); elsewhere ``hzaddr serve`` falls back to uvicorn's workers. The access log is this
package's own (:mod:`hangzhou_address.server.access_log`), set up in the master and inherited by the workers;
uvicorn's and gunicorn's access logs stay off, as they would write the request line with its query text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker

from .protocol import Protocol

__all__ = ["Worker", "serve", "warm_up"]

#: seconds a worker may go without a heartbeat before the arbiter replaces it (a request is abandoned after
#: ``Limits.max_request_seconds``, 30 s by default, so a worker silent for much longer is stuck)
WORKER_TIMEOUT_S = 120


class Worker(UvicornWorker):
    """uvicorn in a gunicorn worker, with uvicorn's access log off (it would log the query text) and a JSON 400
    for a request the HTTP parser refuses (:class:`~hangzhou_address.server.protocol.Protocol`)."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {"loop": "auto", "http": Protocol, "access_log": False}


class _Service(BaseApplication):  # type: ignore[misc]  # (gunicorn has no type hints)
    """A gunicorn application from a factory of the ASGI app, called once, in the master (``preload_app``)."""

    def __init__(self, factory: Callable[[], Any], options: dict[str, Any]) -> None:
        self._factory, self._options = factory, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._factory()


def warm_up(registry: Any, sample: int = 5000) -> int:
    """Build, before the workers fork, what the matcher otherwise builds on its first requests (the fuzzy
    stage's name index, the tagger and its compiled decoder, and the resolver's memos of the decisions that
    ``sample`` of the registry's own address texts take), then exempt every object alive from the
    cyclic garbage collector (:func:`hangzhou_address.runtime.freeze_loaded`), so that the workers' collections
    do not touch — and so copy — the pages they share with the master. Returns the number of frozen objects."""
    from ..matcher import default_matcher
    from ..runtime import freeze_loaded
    from ..tagger import default_tagger

    matcher = default_matcher(registry)
    for text in ("杭州市西湖区文三路90号", "杭州市西湖区文山路九十號"):  # exact, then a fuzzy reading
        matcher.match(text)
        matcher.parse(text)
    texts = registry.addresses["text"]
    for text in texts.iloc[:: max(len(texts) // sample, 1)]:  # the division patterns' decisions, memoized
        matcher.match(text)
    default_tagger().tag("杭州市西湖区文三路90号")
    return freeze_loaded()


def serve(factory: Callable[[], Any], *, host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Serve the app made by ``factory()`` (called once, in the master) on ``host:port`` with ``workers`` forked
    workers until SIGTERM / SIGINT; a worker that dies is replaced at once by a fork of the master."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _Service(factory, {
        "bind": [bind], "workers": workers, "worker_class": Worker, "preload_app": True,
        "timeout": WORKER_TIMEOUT_S, "graceful_timeout": 10, "keepalive": 5,
        "loglevel": log_level, "errorlog": "-", "accesslog": None, "proc_name": "hzaddr-serve",
        "control_socket_disable": True,  # (gunicorn's control socket: not used, and one path per user)
    }).run()
