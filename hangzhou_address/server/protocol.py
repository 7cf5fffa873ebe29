"""uvicorn's HTTP protocol (httptools) with a JSON answer, a person can act on, for a request it cannot parse.

The HTTP parser refuses a request whose request line and headers exceed its limit (80 KB: a ``GET /v1/match?q=``
of a 1 MB "address") or that is no HTTP at all, before the app sees it; uvicorn then answers a plain-text
``400 Invalid HTTP request received.`` This protocol answers the same 400, closing the connection as before, with
the service's error body (``{"detail": ...}``) saying what to do instead.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

__all__ = ["BAD_REQUEST_DETAIL", "Protocol"]

BAD_REQUEST_DETAIL = ("the request could not be read as HTTP: malformed, or its request line and headers are over "
                      "80 KB (a long text in a GET query string): send long texts in the body of POST /v1/match, "
                      "at most 1,000 characters each")


class Protocol(HttpToolsProtocol):
    """:class:`uvicorn.protocols.http.httptools_impl.HttpToolsProtocol`, its 400 for an unreadable request in
    JSON (``http=Protocol`` in uvicorn's config)."""

    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"detail": BAD_REQUEST_DETAIL}).encode("ascii")
        content = [STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend([b"content-type: application/json\r\n",
                        b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                        b"connection: close\r\n", b"\r\n", body])
        self.transport.write(b"".join(content))
        self.transport.close()
