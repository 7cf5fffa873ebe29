"""The library as an HTTP service (extra ``[server]``: FastAPI, uvicorn): :func:`create_app` builds the API,
:class:`KeyStore` holds its API keys (``keys.toml``), ``hzaddr serve`` runs it. See ``docs/service.md``.

Importing :mod:`hangzhou_address.server` needs FastAPI; the rest of the library never imports it.
"""

from __future__ import annotations

from .app import ACCESS_LOGGER, Limits, create_app
from .keys import ApiKey, KeyStore, RateLimiter, parse_rate

__all__ = ["create_app", "Limits", "ACCESS_LOGGER", "KeyStore", "ApiKey", "RateLimiter", "parse_rate"]
