"""The error responses of the HTTP API, as its OpenAPI schema declares them (:data:`V1_ERRORS`): one body
for every error (:class:`ErrorOut`), shared by the API (:mod:`hangzhou_address.server.app`) and the clerk's
page helpers (:mod:`hangzhou_address.server.page`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["ErrorOut", "V1_ERRORS", "error_response"]


class ErrorOut(BaseModel):
    """The body of every error response: what went wrong, in words a person can act on."""

    detail: str
    problems: list[str] | None = Field(None, description="each problem of a malformed request (422)")


def error_response(description: str, **extra: Any) -> dict[str, Any]:
    """One entry of a route's ``responses``: the :class:`ErrorOut` body, with ``description``."""
    return {"model": ErrorOut, "description": description, **extra}


_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}}
#: the error responses every /v1 endpoint may give (declared in the OpenAPI schema, checked by schemathesis)
V1_ERRORS: dict[int | str, dict[str, Any]] = {
    401: error_response("missing or unknown API key (X-API-Key)"),
    403: error_response("the key's scope does not allow this endpoint"),
    413: error_response("the body or the batch is larger than the service allows"),
    422: error_response("the request is malformed, or the library refused its input"),
    429: error_response("over the key's rate", headers=_RETRY_AFTER),
    503: error_response("the request took longer than the service allows, or the service cannot answer it"),
}
