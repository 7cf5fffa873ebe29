"""The HTTP API of the address library (``hzaddr serve``): :func:`create_app`.

Why FastAPI (on Starlette, served by uvicorn): the request bodies are typed pydantic models, so a malformed
request is refused with a message naming the field before any library code runs; the OpenAPI schema it derives
from those models (``/openapi.json``) is what the 169 client systems, written in every language, generate their
clients from; and Starlette's ``TestClient`` tests every endpoint in-process, without a socket. Plain Starlette
would need the models and the schema written by hand.

Everything a request can make the service do is bounded: the body size (checked on ``Content-Length`` and on
the bytes actually streamed, before parsing), the batch size, the text length (the library refuses a text over
:data:`~hangzhou_address.resolve.MAX_INPUT_CHARS` characters before any work, with its no-match reason), the
``k`` of a neighbour query and the codes of a geometry query. No file path from a request is ever opened: codes
are looked up in the registry's tables, and a change request's ``regrid`` takes inline GeoJSON only.

Access logs (logger ``hangzhou_address.server.access``) hold the key's name, the route template, the status,
the latency and the batch size: never a query text, a result or a key.

Everything below community level in the embedded data is SYNTHETIC.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Body, Depends, FastAPI, Header, Path as PathParam, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from pydantic import BaseModel, ConfigDict, Field

from .responses import V1_ERRORS, error_response

from ..errors import ChangeConflictError, ChangeError, CRSError, DataError, HangzhouAddressError, InputError
from .keys import ApiKey, KeyStore, RateLimiter

__all__ = ["create_app", "app_from_environment", "Limits", "ACCESS_LOGGER", "ENV_CITY", "ENV_KEYS"]

ACCESS_LOGGER = "hangzhou_address.server.access"
_log = logging.getLogger(ACCESS_LOGGER)
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BATCH_BUCKETS = (1, 10, 100, 500, 1000, 10000)
#: seconds between checks of the city directory's manifest (another worker may have applied an edit)
_RELOAD_CHECK_S = 0.5
_SCOPE_KEY = "hzaddr.log"


@dataclass(frozen=True)
class Limits:
    """Bounds of one request."""

    max_body_bytes: int = 4 * 2**20
    max_batch: int = 1000
    max_geometry_codes: int = 1000
    max_k: int = 100
    max_radius_m: float = 5000.0
    max_change_ops: int = 1000
    #: a batch still being answered after this many seconds is abandoned with 503 (one text takes well under a
    #: millisecond; the bound is for a loaded machine, not for the input, which the sizes above bound)
    max_request_seconds: float = 30.0


# ------------------------------------------------------------------------------------------ models
class _StrictIn(BaseModel):
    """A request body: its fields as the schema says (``"fuzzy": 0`` is no boolean, ``"texts": [1]`` no text),
    and no field the schema does not know."""

    model_config = ConfigDict(strict=True, extra="forbid")


class CandidateOut(BaseModel):
    code: str
    level: str
    name: str
    score: float


class MatchOut(BaseModel):
    input: Any
    code: str | None
    level: str | None
    confidence: float
    district_code: str | None
    town_code: str | None
    community_code: str | None
    reasons: list[str]
    candidates: list[CandidateOut]
    elements: dict[str, str]


class MatchBatchIn(_StrictIn):
    texts: list[str] = Field(..., description="address texts (at most 1,000)")
    fuzzy: bool = True


class MatchBatchOut(BaseModel):
    results: list[MatchOut]


class ParseIn(_StrictIn):
    texts: list[str]
    fuzzy: bool = False


class ParseOut(BaseModel):
    text: str
    elements: dict[str, str]
    values: dict[str, Any]
    district_code: str | None
    town_code: str | None
    community_code: str | None
    reasons: list[str]


class ParseBatchOut(BaseModel):
    results: list[ParseOut]


class LocateOut(BaseModel):
    x: float
    y: float
    grid_code: str | None
    community_code: str | None
    town_code: str | None
    district_code: str | None


class Point(_StrictIn):
    x: float
    y: float


class LocateIn(_StrictIn):
    points: list[Point]
    crs: str = "EPSG:4490"


class LocateBatchOut(BaseModel):
    results: list[LocateOut]


class UpgradeIn(_StrictIn):
    codes: list[str]


class UpgradeRow(BaseModel):
    input: str
    current_code: str | None
    status: str
    reason: str | None


class UpgradeOut(BaseModel):
    results: list[UpgradeRow]


class DivisionOut(BaseModel):
    code: str
    level: str
    name: str
    parent_code: str | None
    status: str


class DivisionsOut(BaseModel):
    results: list[DivisionOut]


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]


class ChangesOut(BaseModel):
    version: int
    parent_version: int
    changes: list[dict[str, Any]]


class Health(BaseModel):
    status: str
    version: int
    synthetic_below_community: bool = True




# ------------------------------------------------------------------------------------------ state
class _Metrics:
    """Request counts, latency and batch-size histograms of this process (Prometheus text format)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = {}
        self.latency: dict[str, list[float]] = {}
        self.batch: dict[str, list[float]] = {}

    @staticmethod
    def _observe(store: dict[str, list[float]], route: str, value: float, buckets: tuple) -> None:
        h = store.setdefault(route, [0.0] * (len(buckets) + 2))  # buckets..., +Inf count, sum
        for i, b in enumerate(buckets):
            if value <= b:
                h[i] += 1
        h[len(buckets)] += 1
        h[len(buckets) + 1] += value

    def record(self, method: str, route: str, status: int, seconds: float, batch: int | None) -> None:
        with self._lock:
            k = (method, route, status)
            self.requests[k] = self.requests.get(k, 0) + 1
            self._observe(self.latency, route, seconds, _LATENCY_BUCKETS)
            if batch is not None:
                self._observe(self.batch, route, float(batch), _BATCH_BUCKETS)

    def text(self) -> str:
        def esc(s: str) -> str:
            return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

        out = ["# HELP hzaddr_requests_total Requests answered, by method, route template and status.",
               "# TYPE hzaddr_requests_total counter"]
        with self._lock:
            for (m, r, s), n in sorted(self.requests.items()):
                out.append(f'hzaddr_requests_total{{method="{m}",route="{esc(r)}",status="{s}"}} {n}')
            for metric, store, buckets, help_ in (
                    ("hzaddr_request_duration_seconds", self.latency, _LATENCY_BUCKETS, "Request latency."),
                    ("hzaddr_batch_size", self.batch, _BATCH_BUCKETS, "Items per batch request.")):
                out += [f"# HELP {metric} {help_}", f"# TYPE {metric} histogram"]
                for r, h in sorted(store.items()):
                    for i, b in enumerate(buckets):
                        out.append(f'{metric}_bucket{{route="{esc(r)}",le="{b:g}"}} {h[i]:g}')
                    out.append(f'{metric}_bucket{{route="{esc(r)}",le="+Inf"}} {h[len(buckets)]:g}')
                    out.append(f'{metric}_sum{{route="{esc(r)}"}} {h[len(buckets) + 1]:g}')
                    out.append(f'{metric}_count{{route="{esc(r)}"}} {h[len(buckets)]:g}')
        return "\n".join(out) + "\n"


class _City:
    """The registry the service answers from; re-read when the city directory's manifest changes, or brought up
    to date when the PostGIS schema's current version does (``postgis``: ``(dsn, schema)``; checked in the
    background, so that a database that is down never delays an answer; only what changed is read,
    :func:`~hangzhou_address.io.postgis.refresh_postgis`)."""

    def __init__(self, registry: Any, city_dir: Path | None, postgis: tuple[str, str] | None = None) -> None:
        self.city_dir = city_dir
        self.postgis = postgis
        self._registry = registry
        self._stamp: Any = self._source_stamp() if postgis is None else int(registry.version)
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self.edit_lock = threading.Lock()
        self._reloading = False
        self._failing = False

    def _manifest_stamp(self) -> tuple[int, int] | None:
        if self.city_dir is None:
            return None
        try:
            st = os.stat(self.city_dir / "manifest.json")
        except OSError:
            return None
        return st.st_mtime_ns, st.st_ino

    def _source_stamp(self) -> Any:
        """What tells one version of the source from another: the manifest's (mtime, inode), or the PostGIS
        schema's current version (one small query)."""
        if self.postgis is not None:
            from ..io.postgis import schema_version

            return schema_version(self.postgis[0], schema=self.postgis[1])
        return self._manifest_stamp()

    def registry(self) -> Any:
        if (self.city_dir is not None or self.postgis is not None) and not self._reloading \
                and time.monotonic() - self._checked > _RELOAD_CHECK_S:
            self._checked = time.monotonic()
            if self.postgis is not None:  # the query itself runs in the background
                self._reloading = True
                threading.Thread(target=self._reload_quietly, args=(True,), daemon=True).start()
            elif self._manifest_stamp() != self._stamp:
                self._reloading = True  # re-read in the background; the old version answers meanwhile
                threading.Thread(target=self._reload_quietly, daemon=True).start()
        return self._registry

    def _reload_quietly(self, if_changed: bool = False) -> None:
        log = logging.getLogger(__name__)
        try:
            if not if_changed or self._source_stamp() != self._stamp:
                self.reload()
            if self._failing:
                log.warning("the city's source answers again")
            self._failing = False
        except Exception as exc:  # noqa: BLE001 - a half-visible directory, a database down: the next check tries
            if not self._failing:  # (once per failing stretch, not every half second)
                log.warning("re-reading the city failed (%s); answering from version %s", type(exc).__name__,
                            getattr(self._registry, "version", "?"))
            self._failing = True
        finally:
            self._checked = time.monotonic()
            self._reloading = False

    def held(self) -> Any:
        """The registry answering now (without the check for a newer version :meth:`registry` makes)."""
        return self._registry

    def adopt(self, reg: Any) -> None:
        """Answer from ``reg``, the PostGIS version an edit through this worker made (nothing read back); its
        matcher is built before the swap. A newer version already held is kept."""
        from ..matcher import default_matcher

        default_matcher(reg)
        with self._lock:
            if int(reg.version) >= int(self._registry.version):
                self._registry, self._stamp = reg, int(reg.version)

    def reload(self) -> Any:
        """Read the source's current version (the city directory, or what changed in the PostGIS schema) and
        answer from it."""
        from ..matcher import default_matcher

        with self._lock:
            if self.postgis is not None:
                from ..io.postgis import refresh_postgis

                reg = refresh_postgis(self.postgis[0], self._registry, schema=self.postgis[1])
                stamp: Any = int(reg.version)
            else:
                from ..io.city import open_city

                assert self.city_dir is not None
                stamp = self._manifest_stamp()
                reg = open_city(self.city_dir)
            default_matcher(reg)  # build the matcher before the swap
            self._registry, self._stamp = reg, stamp
        return reg


# ------------------------------------------------------------------------------------------ helpers
class _HTTPError(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


def _note(request: Request, **kw: Any) -> None:
    request.scope.setdefault(_SCOPE_KEY, {}).update(kw)


def _match_dict(r: Any) -> dict[str, Any]:
    return {"input": r.input, "code": r.code, "level": r.level, "confidence": float(r.confidence),
            "district_code": r.district_code, "town_code": r.town_code, "community_code": r.community_code,
            "reasons": list(r.reasons),
            "candidates": [{"code": c.code, "level": c.level, "name": c.name, "score": float(c.score)}
                           for c in r.candidates],
            "elements": dict(r.elements)}


def _safe_match(matcher: Any, text: str, fuzzy: bool) -> dict[str, Any]:
    try:
        return _match_dict(matcher.match(text, fuzzy=fuzzy))
    except Exception as exc:  # noqa: BLE001 - one bad text never fails the batch
        return {"input": text, "code": None, "level": None, "confidence": 0.0, "district_code": None,
                "town_code": None, "community_code": None,
                "reasons": [f"internal error: {type(exc).__name__}"], "candidates": [], "elements": {}}


def _parse_dict(p: Any) -> dict[str, Any]:
    return {"text": p.text, "elements": dict(p.elements), "values": dict(p.values),
            "district_code": p.district_code, "town_code": p.town_code, "community_code": p.community_code,
            "reasons": list(p.reasons)}


def _finite(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


def _parents(code: str | None) -> dict[str, str | None]:
    if not code:
        return {"community_code": None, "town_code": None, "district_code": None}
    return {"community_code": code[:12], "town_code": code[:9], "district_code": code[:6]}


def _locate_rows(reg: Any, xs: list[float], ys: list[float], crs: str) -> list[dict[str, Any]]:
    from ..spatial import locate

    codes = locate(xs, ys, crs=crs, registry=reg) if xs else []
    return [{"x": x, "y": y, "grid_code": c, **_parents(c)} for x, y, c in zip(xs, ys, codes)]


def _geometry_index(reg: Any) -> dict[str, tuple[str, int]]:
    def build() -> dict[str, tuple[str, int]]:
        out: dict[str, tuple[str, int]] = {}
        for table, level in (("grids", "grid"), ("buildings", "building")):
            if reg.has_table(table):
                t = reg.require(table)
                active = (t["status"] == "active").to_numpy() if "status" in t else None
                for i, code in enumerate(t["code"].to_numpy(dtype=object)):
                    if active is None or active[i]:
                        out[str(code)] = (level, i)
        return out

    return reg.cached("server_geometry_index", build)


def _feature(geom: Any, props: dict[str, Any]) -> dict[str, Any]:
    import shapely.geometry

    return {"type": "Feature", "geometry": shapely.geometry.mapping(geom) if geom is not None else None,
            "properties": props}


def _etag_version(value: str | None) -> int | None:
    if value is None:
        return None
    v = value.strip()
    if v.startswith("W/"):
        v = v[2:]
    v = v.strip('"')
    return int(v) if v.isdigit() else -1


def _validation_message(exc: RequestValidationError) -> list[str]:
    out = []
    for e in exc.errors():
        loc = [str(x) for x in e.get("loc", ()) if x not in ("body",)]
        where = ".".join(loc) or "the request body"
        if e.get("type") == "json_invalid":
            out.append(f"the request body is not valid JSON ({e.get('ctx', {}).get('error', 'parse error')}); "
                       "send a JSON object with Content-Type: application/json")
        elif e.get("type") == "missing":
            out.append(f"{where}: required field missing")
        elif e.get("type") == "extra_forbidden":
            out.append(f"{where}: not a field of this request (see /openapi.json)")
        else:
            out.append(f"{where}: {e.get('msg', 'invalid')}")
    return out or ["the request is malformed"]


# ------------------------------------------------------------------------------------------ middleware
class _Guard:
    """ASGI middleware: body-size bound (before parsing), metrics and the access log of every request."""

    def __init__(self, app: Any, limits: Limits, metrics: _Metrics) -> None:
        self.app, self.limits, self.metrics = app, limits, metrics

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        note = scope.setdefault(_SCOPE_KEY, {})
        status = {"code": 500}

        async def send_(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            limit = self.limits.max_body_bytes
            length = dict(scope.get("headers") or ()).get(b"content-length")
            too_big = False
            if length is not None:
                try:
                    too_big = int(length) > limit
                except ValueError:
                    too_big = True
            body_receive = receive
            if not too_big and scope.get("method") in ("POST", "PUT", "PATCH"):
                chunks, size, more = [], 0, True
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        too_big = True
                        break
                    chunks.append(chunk)
                    more = message.get("more_body", False)
                if not too_big:
                    body = b"".join(chunks)
                    sent = {"done": False}

                    async def body_receive() -> dict:
                        if not sent["done"]:
                            sent["done"] = True
                            return {"type": "http.request", "body": body, "more_body": False}
                        return await receive()

            if too_big:
                note["route"] = "(body too large)"
                resp = JSONResponse({"detail": f"request body over {limit:,} bytes: send smaller batches "
                                                f"(at most {self.limits.max_batch:,} items)"}, status_code=413)
                await resp(scope, receive, send_)
                return
            await self.app(scope, body_receive, send_)
        finally:
            seconds = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or note.get("route") or "(no route)"
            batch = note.get("batch")
            self.metrics.record(scope.get("method", "?"), template, status["code"], seconds, batch)
            _log.info("key=%s route=%s %s status=%d ms=%.1f batch=%s", note.get("key", "-"), scope.get("method"),
                      template, status["code"], seconds * 1000, "-" if batch is None else batch,
                      extra={"key_name": note.get("key"), "route": template, "status": status["code"],
                             "latency_ms": seconds * 1000, "batch": batch})


# ------------------------------------------------------------------------------------------ app
def create_app(registry: Any = None, *, keys: KeyStore | str | os.PathLike[str] | None = None,
               limits: Limits | dict[str, Any] | None = None, city_dir: str | os.PathLike[str] | None = None,
               page: bool = True, workers: int = 1, postgis: tuple[str, str] | None = None,
               audit: str | os.PathLike[str] | None = None) -> FastAPI:
    """The HTTP API over ``registry``.

    Parameters
    ----------
    registry : Registry, optional
        The registry to answer from; default: the city directory ``city_dir`` when given, else the embedded
        registry (SYNTHETIC below community level).
    keys : KeyStore or path of a ``keys.toml``, optional
        The API keys; without keys every ``/v1`` request is refused with 401 (``/healthz``, ``/metrics``,
        ``/openapi.json`` and the page need no key).
    limits : Limits or dict of its fields, optional
    city_dir : path, optional
        The city directory the registry was read from: needed for edits (``POST /v1/changes`` applies them to
        it); the service re-reads it when its manifest changes (an edit through another worker).
    page : bool, default True
        Serve the clerk's page (``hangzhou_address.server.page.router``) when that module is installed.
    workers : int, default 1
        How many processes serve these keys (``hzaddr serve --workers``): each spends ``1 / workers`` of a key's
        rate, so that together they never exceed it.
    postgis : (dsn, schema), optional
        The PostGIS database and schema ``registry`` was read from (``hzaddr serve --postgis``): edits are applied
        to it in one transaction each (:func:`hangzhou_address.io.postgis.apply_postgis`), and the service
        re-reads it when its current version changes (an edit through another worker or another machine).
    audit : path, optional
        The audit file of the edits (JSON lines); default: ``<city>.audit.jsonl`` next to ``city_dir``, none for
        a PostGIS service without one.

    Returns
    -------
    fastapi.FastAPI
    """
    from .. import __version__

    lim = limits if isinstance(limits, Limits) else Limits(**(limits or {}))
    store = keys if isinstance(keys, KeyStore) else KeyStore(keys) if keys is not None else KeyStore()
    cdir = Path(city_dir) if city_dir is not None else None
    if registry is None:
        if cdir is not None:
            from ..io.city import open_city

            registry = open_city(cdir)
        else:
            from ..registry import default_registry

            registry = default_registry()
    if postgis is not None and cdir is not None:
        raise InputError("a city directory or a PostGIS database, not both")
    city = _City(registry, cdir, postgis)
    if not isinstance(workers, int) or workers < 1:
        raise InputError(f"workers must be a positive int, got {workers!r}")
    limiter = RateLimiter(share=1.0 / workers)
    metrics = _Metrics()
    audit_lock = threading.Lock()
    audit_path = (Path(audit) if audit is not None else
                  cdir.parent / f"{cdir.name}.audit.jsonl" if cdir is not None else None)

    app = FastAPI(title="hangzhou_address API", version=__version__,
                  description="Hangzhou unified address library as a service: matching, parsing, spatial look-ups, "
                              "codes and their lifecycle, edits. Everything below community level in the embedded "
                              "data is SYNTHETIC. Send the key in the X-API-Key header.",
                  # the interactive /docs and /redoc pages load their scripts from a CDN: not served (the
                  # service works offline); the schema is at /openapi.json
                  docs_url=None, redoc_url=None)
    app.state.city, app.state.keys, app.state.limits, app.state.metrics = city, store, lim, metrics
    app.add_middleware(_Guard, limits=lim, metrics=metrics)

    @app.exception_handler(_HTTPError)
    async def _http_error(request: Request, exc: _HTTPError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _routing_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's answer to a body it cannot decode (not UTF-8, not JSON): malformed, as the docs say (422)
            problem = f"the request body cannot be read as JSON ({exc.detail}); send UTF-8 JSON"
            return JSONResponse({"detail": problem, "problems": [problem]}, status_code=422, headers=headers)
        if exc.status_code == 405:
            # every method of the path, not only the first route's (GET and POST /v1/match are two routes)
            methods = {m for route in app.router.routes if route.matches(request.scope)[0] != Match.NONE
                       for m in getattr(route, "methods", None) or ()}
            headers["Allow"] = ", ".join(sorted(methods - {"HEAD"}))
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = _validation_message(exc)
        return JSONResponse({"detail": "; ".join(problems), "problems": problems}, status_code=422)

    @app.exception_handler(HangzhouAddressError)
    async def _library_error(request: Request, exc: HangzhouAddressError) -> JSONResponse:
        if isinstance(exc, ChangeConflictError):
            return JSONResponse({"detail": str(exc)}, status_code=409)
        if isinstance(exc, DataError):
            return JSONResponse({"detail": f"the city data cannot answer: {exc}"}, status_code=500)
        return JSONResponse({"detail": str(exc)}, status_code=422)

    def authorize(scope: str) -> Callable[..., ApiKey]:
        async def dependency(request: Request,
                             x_api_key: Annotated[str | None, Header(description="the API key")] = None) -> ApiKey:
            key = store.remembered(x_api_key)
            if key is None:  # first sight of this key in this process: one scrypt, off the event loop
                key = await run_in_threadpool(store.verify, x_api_key)
            if key is None:
                raise _HTTPError(401, "missing or unknown API key: send it in the X-API-Key header",
                                 {"WWW-Authenticate": "X-API-Key"})
            _note(request, key=key.name)
            if not key.allows(scope):
                raise _HTTPError(403, f"the key {key.name!r} has scope {key.scope!r}; this endpoint needs {scope!r}")
            wait = limiter.take(key.name, key.per_second)
            if wait > 0:
                raise _HTTPError(429, f"over the rate of {key.rate} for key {key.name!r}; retry later",
                                 {"Retry-After": limiter.retry_after(wait)})
            return key

        return dependency

    read = Depends(authorize("read"))
    edit = Depends(authorize("edit"))

    def batch(request: Request, n: int, what: str, most: int) -> None:
        _note(request, batch=n)
        if n > most:
            raise _HTTPError(413, f"{n:,} {what} in one request: at most {most:,}; split the batch")

    def matcher() -> Any:
        from ..matcher import default_matcher

        return default_matcher(city.registry())

    # ------------------------------------------------------------------ endpoints
    @app.get("/healthz", response_model=Health, tags=["service"])
    def healthz() -> JSONResponse:
        reg = city.registry()
        return JSONResponse({"status": "ok", "version": int(reg.version), "synthetic_below_community": True},
                            headers={"ETag": f'"{int(reg.version)}"'})

    @app.get("/metrics", response_class=PlainTextResponse, tags=["service"])
    def metrics_text() -> PlainTextResponse:
        return PlainTextResponse(metrics.text(), media_type="text/plain; version=0.0.4")

    @app.get("/v1/match", response_model=MatchOut, tags=["match"], responses=V1_ERRORS)
    async def match_one(request: Request, q: Annotated[str, Query(description="one address text")],
                        fuzzy: bool = True, _key: ApiKey = read) -> JSONResponse:
        # one text is a fraction of a millisecond (and at most 1,000 characters): answered on the event loop,
        # without the two thread hand-overs of a sync endpoint
        _note(request, batch=1)
        return JSONResponse(_safe_match(matcher(), q, fuzzy))

    def in_time(items: list[Any], step: int, what: str) -> Iterator[list[Any]]:
        """``items`` in slices of ``step``, refusing with 503 once :attr:`Limits.max_request_seconds` have passed."""
        deadline = time.monotonic() + lim.max_request_seconds
        for i in range(0, len(items), step):
            if i and time.monotonic() > deadline:
                raise _HTTPError(503, f"the batch took longer than {lim.max_request_seconds:g} s: {i:,} of "
                                      f"{len(items):,} {what} done, none returned; send smaller batches")
            yield items[i:i + step]

    @app.post("/v1/match", response_model=MatchBatchOut, tags=["match"], responses=V1_ERRORS)
    def match_batch(request: Request, body: MatchBatchIn, _key: ApiKey = read) -> JSONResponse:
        batch(request, len(body.texts), "texts", lim.max_batch)
        m = matcher()
        return JSONResponse({"results": [_safe_match(m, t, body.fuzzy) for part in in_time(body.texts, 50, "texts")
                                         for t in part]})

    @app.post("/v1/parse", response_model=ParseBatchOut, tags=["match"], responses=V1_ERRORS)
    def parse_batch(request: Request, body: ParseIn, _key: ApiKey = read) -> JSONResponse:
        batch(request, len(body.texts), "texts", lim.max_batch)
        m = matcher()
        return JSONResponse({"results": [_parse_dict(p) for part in in_time(body.texts, 100, "texts")
                                         for p in m.parse_many(part, fuzzy=body.fuzzy)]})

    @app.get("/v1/locate", response_model=LocateOut, tags=["spatial"], responses=V1_ERRORS)
    def locate_one(request: Request, x: float, y: float, crs: str = "EPSG:4490", _key: ApiKey = read) -> JSONResponse:
        _note(request, batch=1)
        return JSONResponse(_locate_rows(city.registry(), [x], [y], crs)[0])

    @app.post("/v1/locate", response_model=LocateBatchOut, tags=["spatial"], responses=V1_ERRORS)
    def locate_batch(request: Request, body: LocateIn, _key: ApiKey = read) -> JSONResponse:
        batch(request, len(body.points), "points", lim.max_batch)
        rows = _locate_rows(city.registry(), [p.x for p in body.points], [p.y for p in body.points], body.crs)
        return JSONResponse({"results": rows})

    @app.get("/v1/codes/{code}", tags=["codes"], responses=V1_ERRORS)
    def code_explain(request: Request, code: Annotated[str, PathParam(max_length=64)],
                     _key: ApiKey = read) -> JSONResponse:
        from ..codes import explain

        _note(request, batch=1)
        return JSONResponse(explain(code, registry=city.registry()))

    @app.get("/v1/divisions", response_model=DivisionsOut, tags=["codes"], responses=V1_ERRORS)
    def divisions(request: Request, name: Annotated[str, Query(max_length=100)],
                  level: Literal["district", "town", "community"] | None = None,
                  _key: ApiKey = read) -> JSONResponse:
        _note(request, batch=1)
        hits = city.registry().find(name, level=level)
        return JSONResponse({"results": [{"code": d.code, "level": d.level, "name": d.name,
                                          "parent_code": d.parent_code, "status": d.status} for d in hits]})

    @app.post("/v1/upgrade", response_model=UpgradeOut, tags=["codes"], responses=V1_ERRORS)
    def upgrade(request: Request, body: UpgradeIn, _key: ApiKey = read) -> JSONResponse:
        from ..lifecycle.resolution import upgrade_codes

        batch(request, len(body.codes), "codes", lim.max_batch)
        df = upgrade_codes(body.codes, registry=city.registry())
        rows = [{"input": i, "current_code": c, "status": s, "reason": r}
                for i, c, s, r in zip(df["input"], df["current_code"], df["status"], df["reason"])]
        return JSONResponse({"results": rows})

    @app.get("/v1/buildings/near", response_model=FeatureCollection, tags=["spatial"], responses=V1_ERRORS)
    def near(request: Request, x: float, y: float, k: Annotated[int, Query(ge=1)] = 5, crs: str = "EPSG:4490",
             _key: ApiKey = read) -> JSONResponse:
        from ..spatial import buildings_near

        _note(request, batch=k)
        if k > lim.max_k:
            raise _HTTPError(422, f"k={k}: at most {lim.max_k}")
        reg = city.registry()
        radius, found = 100.0, None
        while True:
            found = buildings_near(x, y, radius, crs=crs, registry=reg)
            if len(found) >= k or radius >= lim.max_radius_m:
                break
            radius = min(lim.max_radius_m, radius * 3)
        found = found.head(k)
        feats = [_feature(g, {"code": c, "level": "building", "grid_code": gc, "distance_m": round(float(d), 2)})
                 for g, c, gc, d in zip(found.geometry, found["code"], found["grid_code"], found["distance_m"])]
        return JSONResponse({"type": "FeatureCollection", "features": feats})

    @app.get("/v1/geometry", response_model=FeatureCollection, tags=["spatial"], responses=V1_ERRORS)
    def geometry(request: Request, codes: Annotated[str, Query(description="comma-separated grid / building codes")],
                 _key: ApiKey = read) -> JSONResponse:
        wanted = [c.strip() for c in codes.split(",") if c.strip()]
        batch(request, len(wanted), "codes", lim.max_geometry_codes)
        reg = city.registry()
        index = _geometry_index(reg)
        feats, missing = [], []
        for code in dict.fromkeys(wanted):
            hit = index.get(code)
            if hit is None:
                missing.append(code)
                continue
            level, i = hit
            t = reg.require("grids" if level == "grid" else "buildings")
            feats.append(_feature(t.geometry.iloc[i], {"code": code, "level": level}))
        return JSONResponse({"type": "FeatureCollection", "features": feats, "missing": missing})

    @app.post("/v1/changes", response_model=ChangesOut, tags=["edits"],
              responses={**V1_ERRORS, 409: error_response("another edit got there first"),
                         412: error_response("If-Match is not the current version"),
                         428: error_response("If-Match missing")})
    def changes(request: Request, key: ApiKey = edit,
                body: Any = Body(..., description="a change request: a list of operations, or {\"changes\": [...]}"),
                if_match: Annotated[str | None, Header(description="the version the change was made against")] = None
                ) -> JSONResponse:
        from ..io.changes import parse_change_request
        from ..io.city import read_manifest
        from ..io.versions import apply_to_directory, directory_version

        if cdir is None and postgis is None:
            raise _HTTPError(503, "this service was started without a city directory or a PostGIS database: edits "
                                  "are not possible")
        expected = _etag_version(if_match)
        if expected is None:
            raise _HTTPError(428, "send If-Match: <version> (the version the change was made against; "
                                  "GET /healthz gives the current one)")
        n = len(body["changes"]) if isinstance(body, dict) and isinstance(body.get("changes"), list) else \
            len(body) if isinstance(body, list) else 0
        batch(request, n, "operations", lim.max_change_ops)
        ops = parse_change_request(body, where="the change request", base=None)  # InputError -> 422, nothing written

        def signed(op: Any) -> Any:  # the change log of the new version names the key (written with the version)
            return lambda reg: dataclasses.replace(op(reg), applied_by=key.name)

        def guard(reg: Any) -> Any:
            if int(reg.version) != expected:
                raise _Stale(int(reg.version))
            return signed(ops[0])(reg)

        outcome, record = "applied", {}
        try:
            with city.edit_lock:
                if postgis is not None:
                    # (version checked inside; the registry answering now is edited when it is the current one)
                    applied = _apply_postgis(postgis, [guard, *map(signed, ops[1:])], city.held())
                else:
                    assert cdir is not None
                    have = directory_version(read_manifest(cdir))
                    if have != expected:
                        raise _Stale(have)
                    applied = apply_to_directory(cdir, [guard, *map(signed, ops[1:])])
                try:
                    if postgis is not None:
                        city.adopt(applied.registry)  # the new version as written: nothing to read back
                    else:
                        city.reload()
                except Exception:  # noqa: BLE001 - written, but not read back (the database went away): the
                    # edit stands; this worker answers from the old version until its next check re-reads it
                    logging.getLogger(__name__).warning("version %s was written but not re-read yet", applied.version)
            record = {"version": applied.version, "parent_version": applied.parent_version,
                      "change_ids": [c.get("change_id") for c in applied.changes],
                      "kinds": [c.get("kind") for c in applied.changes]}
        except _Unreachable as exc:
            outcome = "unreachable"
            raise _HTTPError(503, f"the database cannot be written now ({exc}): try again later with the same "
                                  "If-Match (a change the database did take before it went away answers 412)") from None
        except _Stale as exc:
            outcome = "stale"
            raise _HTTPError(412, f"If-Match {expected}: the city is at version {exc.version}; "
                                  "make the change again against it", {"ETag": f'"{exc.version}"'}) from None
        except ChangeConflictError:
            outcome = "conflict"
            raise
        except (ChangeError, InputError, CRSError):
            outcome = "refused"
            raise
        finally:
            _audit(audit_lock, audit_path, key.name, outcome, expected, record)
        return JSONResponse({**record, "changes": [
            {k: c.get(k) for k in ("version", "change_id", "kind", "date", "reason", "summary")}
            for c in applied.changes]}, headers={"ETag": f'"{applied.version}"'})

    if page and importlib.util.find_spec(f"{__package__}.page") is not None:
        from .page import router  # the clerk's page (another module of this package)

        app.include_router(router)
    return app


class _Stale(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


class _Unreachable(Exception):
    """The PostGIS database could not be reached for an edit."""


def _apply_postgis(postgis: tuple[str, str], changes: list[Any], registry: Any = None) -> Any:
    """:func:`~hangzhou_address.io.postgis.apply_postgis` (given the ``registry`` the worker answers from), with a
    database that cannot be reached (down, restarting) as :class:`_Unreachable` (503), not as the city's data
    error."""
    from ..io.postgis import apply_postgis

    import psycopg

    dsn, schema = postgis
    try:
        return apply_postgis(dsn, changes, schema=schema, registry=registry)
    except DataError as exc:
        if str(exc).startswith("cannot connect"):
            raise _Unreachable(str(exc)) from None
        raise
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:  # the connection broke (AdminShutdown …)
        raise _Unreachable(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__) from None


def _audit(lock: Any, path: Path | None, key: str, outcome: str, if_match: int, record: dict[str, Any]) -> None:
    """Append one audit record (who, when, what; never the request body) to the JSON-lines audit file."""
    if path is None:
        return
    line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "key": key, "outcome": outcome,
                       "if_match": if_match, **record}, ensure_ascii=False, sort_keys=True) + "\n"
    with lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line.encode("utf-8"))  # one write on O_APPEND: lines of two processes never interleave
            os.fsync(fd)
        finally:
            os.close(fd)


#: environment variables :func:`app_from_environment` reads (set by ``hzaddr serve`` for its worker processes)
ENV_CITY, ENV_KEYS = "HZADDR_SERVE_CITY", "HZADDR_SERVE_KEYS"
#: ``hzaddr serve --postgis DSN [--schema S]``: the registry read from PostGIS (hangzhou_address.io.postgis)
ENV_POSTGIS, ENV_SCHEMA = "HZADDR_SERVE_POSTGIS", "HZADDR_SERVE_SCHEMA"
ENV_WORKERS = "HZADDR_SERVE_WORKERS"
ENV_AUDIT = "HZADDR_SERVE_AUDIT"


def app_from_environment() -> FastAPI:
    """The app of ``hzaddr serve`` in a uvicorn worker: the city directory and key file named by
    ``HZADDR_SERVE_CITY`` (empty: the embedded registry) and ``HZADDR_SERVE_KEYS``, or the registry read from
    the PostGIS database ``HZADDR_SERVE_POSTGIS`` (schema ``HZADDR_SERVE_SCHEMA``; edits through the API are
    applied to it, :func:`hangzhou_address.io.postgis.apply_postgis`); ``HZADDR_SERVE_WORKERS`` workers share each
    key's rate; edits are audited to ``HZADDR_SERVE_AUDIT`` (default: next to the city directory)."""
    city = os.environ.get(ENV_CITY) or None
    keys = os.environ.get(ENV_KEYS) or None
    dsn = os.environ.get(ENV_POSTGIS) or None
    registry = None
    postgis = None
    if dsn is not None:
        from ..io.postgis import DEFAULT_SCHEMA, read_postgis

        postgis = (dsn, os.environ.get(ENV_SCHEMA) or DEFAULT_SCHEMA)
        registry = read_postgis(dsn, schema=postgis[1])
        city = None
    elif city is not None:
        from ..cli._registry import open_registry

        registry = open_registry(Path(city))
    else:
        from ..registry import default_registry

        registry = default_registry()
    from ..matcher import default_matcher

    default_matcher(registry)  # built before the first request
    return create_app(registry, keys=keys, city_dir=city, workers=int(os.environ.get(ENV_WORKERS) or 1),
                      postgis=postgis, audit=os.environ.get(ENV_AUDIT) or None)
