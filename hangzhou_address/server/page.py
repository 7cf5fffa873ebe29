"""The clerk's web page of the HTTP service (issue #17): ``GET /``, its static files and two helper endpoints.

The page (``static/index.html``, ``app.js``, ``app.css``; plain JavaScript, nothing loaded from the internet,
system fonts only) calls the service's ``POST /v1/match`` and ``GET /v1/geometry`` with the API key the clerk
types (kept in ``sessionStorage``, sent as ``X-API-Key``). This router adds:

* ``GET /`` – the page; ``GET /static/{name}`` – one of :data:`STATIC_FILES` (a fixed allow-list: the name in
  the request is only looked up in it, never opened as a path); ``/static/labels.json`` is generated from
  :mod:`hangzhou_address.i18n` (Chinese column headers and levels);
* ``POST /v1/page/ledger`` – a CSV / XLSX ledger upload (multipart field ``file``, optional ``column``) read with
  :func:`hangzhou_address.io.ledger_io.iter_ledger` (streamed) → ``{columns, rows, address_column, total_rows, truncated,
  problems}``; at most :data:`MAX_UPLOAD_BYTES` bytes, the first :data:`MAX_ROWS` rows are returned;
* ``POST /v1/page/translate`` – ``{"reasons": [...]}`` → the reasons in Chinese
  (:func:`hangzhou_address.i18n.translate_reason`);
* ``POST /v1/page/export`` – ``{"columns", "rows", "format": "xlsx"|"csv", "lang": "zh"|"en"}`` → the file, written
  by :mod:`hangzhou_address.io.ledger_write` (formula cells neutralized, every text a text cell).

The ``/v1/page`` helpers need the service's API key (:func:`require_key`) but no registry, and keep nothing: an upload is written to a private temporary directory,
read and removed; no ledger content is logged. Everything below community level in the embedded data is
SYNTHETIC.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ..errors import DataError, HangzhouAddressError
from ..i18n import COLUMNS_ZH, LEVELS_ZH, check_lang, localize_frame, translate_reason
from .responses import V1_ERRORS, error_response

__all__ = ["router", "STATIC_FILES", "MAX_UPLOAD_BYTES", "MAX_ROWS", "MAX_EXPORT_ROWS", "LEDGER_SUFFIXES",
           "ADDRESS_HEADERS", "RESULT_COLUMNS", "guess_address_column", "labels", "require_key"]

#: the only names ``GET /static/{name}`` serves, with their media types
STATIC_FILES: dict[str, str] = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "labels.json": "application/json",  # generated from hangzhou_address.i18n, not a file
}
#: largest ledger upload (bytes; the service's ``Limits.max_body_bytes``, 4 MiB by default, bounds the request too)
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
#: rows of an uploaded ledger given back to the page (the match endpoint takes at most 1,000 texts)
MAX_ROWS = 1_000
#: rows an export may hold
MAX_EXPORT_ROWS = 10_000
#: ledger formats the page accepts
LEDGER_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")
#: header names taken for the address column, best first (compared without case and spaces)
ADDRESS_HEADERS = ("地址", "详细地址", "住址", "address", "addr", "居住地址", "通讯地址", "门牌地址", "位置")
#: result fields of ``/v1/match`` the export knows as numbers / result columns
RESULT_COLUMNS = ("code", "level", "confidence", "district_code", "town_code", "community_code", "reasons")

_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_STATIC = files("hangzhou_address") / "server" / "static"
_CHUNK = 64 * 1024

router = APIRouter()


def require_key(request: Request, x_api_key: str | None = Header(None, description="the API key")) -> None:
    """The page's ``/v1/page`` helpers take the service's API keys (``app.state.keys``, a ``KeyStore``);
    an app without a key store refuses them all (401)."""
    store = getattr(request.app.state, "keys", None)
    if store is None or store.verify(x_api_key) is None:
        raise HTTPException(status_code=401, detail="missing or unknown API key: send it in the X-API-Key header",
                            headers={"WWW-Authenticate": "X-API-Key"})


_KEY = [Depends(require_key)]
#: the page helpers' error responses: the API's, and 400 for an upload the page cannot read
_ERRORS = {**V1_ERRORS, 400: error_response("the upload or the rows are not something the page can read")}


def labels() -> dict[str, Any]:
    """What the page needs of :mod:`hangzhou_address.i18n`: Chinese column headers and level names."""
    return {"columns_zh": dict(COLUMNS_ZH), "levels_zh": dict(LEVELS_ZH)}


def guess_address_column(columns: list[str]) -> str | None:
    """The column holding the addresses, guessed from the header (None when no header name fits).

    Examples
    --------
    >>> guess_address_column(["编号", "姓名", "详细地址"]), guess_address_column(["ID", "Address"])
    ('详细地址', 'Address')
    >>> guess_address_column(["编号", "单位地址（门牌）"]), guess_address_column(["a", "b"]) is None
    ('单位地址（门牌）', True)
    """
    keys = [str(c).replace(" ", "").lower() for c in columns]
    for want in ADDRESS_HEADERS:  # a header that is exactly one of the names
        if want in keys:
            return columns[keys.index(want)]
    for want in ("地址", "address", "住址", "addr"):  # a header containing one
        for c, k in zip(columns, keys):
            if want in k:
                return c
    return None


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    h = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    h.update(extra or {})
    return h


@router.get("/", include_in_schema=False)
def page() -> Response:
    """The clerk's page."""
    html = (_STATIC / "index.html").read_text(encoding="utf-8")
    return Response(html, media_type="text/html; charset=utf-8",
                    headers=_headers({"Content-Security-Policy": _CSP, "X-Frame-Options": "DENY"}))


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    """One file of :data:`STATIC_FILES`; any other name is a 404 (nothing is opened from the request)."""
    media = STATIC_FILES.get(name)
    if media is None:
        raise HTTPException(status_code=404, detail="not found")
    if name == "labels.json":
        body: bytes = json.dumps(labels(), ensure_ascii=False).encode("utf-8")
    else:
        body = (_STATIC / name).read_bytes()  # name is a key of the allow-list, never the request's text
    return Response(body, media_type=media, headers=_headers())


async def _save_upload(upload: UploadFile, path: Path) -> None:
    size = 0
    with open(path, "wb") as fh:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise HTTPException(status_code=413, detail=f"the ledger is larger than {MAX_UPLOAD_BYTES:,} "
                                                            "bytes: split it or use hzaddr normalize")
            fh.write(chunk)


def _read_head(path: Path, sheet: str | None) -> tuple[list[str], pd.DataFrame, int, int]:
    """The header, the first :data:`MAX_ROWS` rows, the number of rows and of row problems of a ledger file
    (streamed chunk by chunk: memory stays bounded whatever the file expands to)."""
    from ..io.ledger_io import iter_ledger

    columns: list[str] | None = None
    head, total, problems = None, 0, 0
    for chunk in iter_ledger(path, chunk_rows=MAX_ROWS, sheet=sheet):
        if columns is None:
            columns, head = [str(c) for c in chunk.frame.columns], chunk.frame.head(MAX_ROWS)
        total += len(chunk.frame)
        problems += len(chunk.problems)
    if columns is None or head is None:
        raise DataError("the ledger is empty (not even a header)")
    return columns, head, total, problems


@router.post("/v1/page/ledger", dependencies=_KEY, responses=_ERRORS)
async def ledger(file: UploadFile = File(...), column: str | None = Form(None),
                 sheet: str | None = Form(None)) -> JSONResponse:
    """Read an uploaded CSV / XLSX ledger: its columns, first rows and address column."""
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in LEDGER_SUFFIXES:
        raise HTTPException(status_code=400, detail=f"unsupported ledger format {suffix or '(none)'!r}; use one of "
                                                    f"{', '.join(LEDGER_SUFFIXES)}")
    tmp = Path(tempfile.mkdtemp(prefix="hzaddr-page-"))
    try:
        path = tmp / f"ledger{suffix}"  # our own name: the uploaded file name is never a path
        await _save_upload(file, path)
        try:  # in a worker thread: reading is CPU work, the event loop keeps serving
            columns, head, total, problems = await run_in_threadpool(_read_head, path, sheet or None)
        except HangzhouAddressError as exc:
            raise HTTPException(status_code=400, detail=str(exc).replace(str(path), "the ledger")) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if column:
        if column not in columns:
            raise HTTPException(status_code=400, detail=f"column {column!r} is not in the ledger's header")
        address = column
    else:
        address = guess_address_column(columns)
    rows = [dict(zip(columns, ("" if v is None or v != v else str(v) for v in r)))
            for r in head.itertuples(index=False, name=None)]
    return JSONResponse({"columns": columns, "rows": rows, "address_column": address, "total_rows": total,
                         "truncated": total > len(rows), "problems": problems}, headers=_headers())


@router.post("/v1/page/translate", dependencies=_KEY, responses=_ERRORS)
async def translate(request: Request) -> JSONResponse:
    """``{"reasons": [...]}`` (at most 10,000 texts) → ``{"reasons": [...]}`` in Chinese."""
    body = await _json(request)
    reasons = body.get("reasons") if isinstance(body, dict) else None
    if not isinstance(reasons, list) or len(reasons) > 10_000 or not all(isinstance(r, str) for r in reasons):
        raise HTTPException(status_code=422, detail="reasons must be a list of at most 10,000 texts")
    return JSONResponse({"reasons": [translate_reason(r) for r in reasons]}, headers=_headers())


async def _json(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > 4 * MAX_UPLOAD_BYTES:
        raise HTTPException(status_code=413, detail="request too large")
    try:
        return json.loads(raw)
    except ValueError:
        raise HTTPException(status_code=400, detail="the body is not JSON") from None


def _cell(v: Any) -> Any:
    if isinstance(v, list):
        return "; ".join(str(x) for x in v)
    if v is None or isinstance(v, (str, float, int)) and not isinstance(v, bool):
        return v
    return str(v)


@router.post("/v1/page/export", dependencies=_KEY, responses=_ERRORS)
async def export(request: Request) -> Response:
    """``{"columns": [...], "rows": [{...}], "format": "xlsx"|"csv", "lang": "zh"|"en"}`` → the file.

    Result columns (:data:`RESULT_COLUMNS`) get Chinese headers, levels and reasons with ``lang="zh"``;
    a list of reasons is joined with ``"; "``; the ledger's own columns are kept as they are.
    """
    body = await _json(request)
    if not isinstance(body, dict):
        raise HTTPException(status_code=422, detail="the body must be a JSON object")
    fmt, rows, columns = body.get("format", "xlsx"), body.get("rows"), body.get("columns")
    try:
        lang = check_lang(body.get("lang", "en"))
    except HangzhouAddressError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    if fmt not in ("xlsx", "csv"):
        raise HTTPException(status_code=422, detail="format must be 'xlsx' or 'csv'")
    if not isinstance(rows, list) or len(rows) > MAX_EXPORT_ROWS or not all(isinstance(r, dict) for r in rows):
        raise HTTPException(status_code=422, detail=f"rows must be a list of at most {MAX_EXPORT_ROWS:,} objects")
    if columns is None:
        columns = list(dict.fromkeys(k for r in rows for k in r))
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns) or len(set(columns)) != len(columns):
        raise HTTPException(status_code=422, detail="columns must be a list of distinct texts")
    data, media = await run_in_threadpool(_export_bytes, rows, columns, fmt, lang)
    name = f"hzaddr-results.{fmt}"
    return Response(data, media_type=media,
                    headers=_headers({"Content-Disposition": f'attachment; filename="{name}"'}))


def _export_bytes(rows: list[dict[str, Any]], columns: list[str], fmt: str, lang: str) -> tuple[bytes, str]:
    from ..io.ledger_write import XlsxWriter, csv_chunk

    df = pd.DataFrame([[_cell(r.get(c)) for c in columns] for r in rows], columns=columns, dtype=object)
    df = localize_frame(df, lang, columns=[c for c in RESULT_COLUMNS if c in columns])
    numbers = {COLUMNS_ZH["confidence"] if lang == "zh" else "confidence"}
    if fmt == "csv":
        data = ("\ufeff" + csv_chunk(df, header=True)).encode("utf-8")  # BOM: Excel opens it as UTF-8
        media = "text/csv; charset=utf-8"
    else:
        tmp = Path(tempfile.mkdtemp(prefix="hzaddr-export-"))
        try:
            path = tmp / "out.xlsx"
            w = XlsxWriter(path, number_columns=numbers)
            try:
                w.write(df, header=True)
            except BaseException:
                w.discard()
                raise
            w.close()
            data = path.read_bytes()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return data, media
