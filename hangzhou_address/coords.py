"""Coordinate systems people actually have: EPSG codes through pyproj, plus GCJ-02 and BD-09.

* EPSG codes (WGS84 4326, CGCS2000 4490, CGCS2000 Gauss-Krüger 4549 / 4528, Web Mercator 3857, …)
  go through :mod:`pyproj`; everything is converted to CGCS2000 lon/lat (EPSG:4490).
* **GCJ-02** (used by Amap/Gaode and Tencent maps) and **BD-09** (Baidu) are obfuscated systems that
  pyproj does not know. The forward transforms are the public algorithm; the GCJ-02 → WGS84 inverse
  is iterative (fixed-point on the forward transform) and accurate to far below 0.5 m (measured
  maximum < 1e-6 m over Hangzhou in ``tests/test_coords.py``).
* CGCS2000 and WGS84 differ by a few centimetres in practice; they are treated as identical here
  (as pyproj's 4326 → 4490 transformation does by default).

CRS arguments accept ``"EPSG:4490"``, ``4490``, a :class:`pyproj.CRS`, or (case-insensitive)
``"GCJ02"`` / ``"GCJ-02"`` / ``"gaode"`` / ``"amap"`` and ``"BD09"`` / ``"BD-09"`` / ``"baidu"``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .errors import CRSError

__all__ = [
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "to_cgcs2000",
    "from_cgcs2000",
    "parse_crs",
    "out_of_china",
]

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0

_GCJ_ALIASES = {"gcj02", "gcj-02", "gcj", "gaode", "amap", "tencent"}
_BD_ALIASES = {"bd09", "bd-09", "bd09ll", "baidu"}


def out_of_china(lon: Any, lat: Any) -> np.ndarray:
    """True where a point is outside the rough box in which GCJ-02 offsets apply."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offsets(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 → GCJ-02 (vectorized). Points outside China are returned unchanged.

    Examples
    --------
    >>> x, y = wgs84_to_gcj02(116.404, 39.915)
    >>> round(float(x), 6), round(float(y), 6)
    (116.410244, 39.916404)
    """
    lon, lat = _arrays(lon, lat)
    dlon, dlat = _offsets(lon, lat)
    outside = out_of_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def gcj02_to_wgs84(lon: Any, lat: Any, *, iterations: int = 30, tol: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → WGS84 by fixed-point iteration of the forward transform (sub-millimetre)."""
    glon, glat = _arrays(lon, lat)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(iterations):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if np.nanmax(np.abs(np.concatenate([np.ravel(elon), np.ravel(elat)])), initial=0.0) < tol:
            break
    return wlon, wlat


def gcj02_to_bd09(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → BD-09 (vectorized)."""
    lon, lat = _arrays(lon, lat)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: Any, lat: Any, *, exact: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → GCJ-02.

    ``exact=False`` is the widely published closed-form inverse (errors up to ~0.1 m);
    ``exact=True`` (default) refines it by fixed-point iteration on :func:`gcj02_to_bd09` to
    sub-millimetre.
    """
    blon, blat = _arrays(lon, lat)
    x, y = blon - 0.0065, blat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    glon, glat = z * np.cos(theta), z * np.sin(theta)
    if exact:
        for _ in range(10):
            flon, flat = gcj02_to_bd09(glon, glat)
            glon, glat = glon - (flon - blon), glat - (flat - blat)
    return glon, glat


def wgs84_to_bd09(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 → BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → WGS84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def parse_crs(crs: Any) -> str:
    """Canonical CRS key: ``'GCJ02'``, ``'BD09'`` or an ``'EPSG:n'`` / WKT string pyproj accepts.

    Raises
    ------
    CRSError
        When pyproj does not know the CRS; the message lists the accepted forms.
    """
    if crs is None:
        return "EPSG:4490"
    if isinstance(crs, str):
        key = crs.strip().lower()
        if key in _GCJ_ALIASES:
            return "GCJ02"
        if key in _BD_ALIASES:
            return "BD09"
    from pyproj import CRS
    from pyproj.exceptions import CRSError as ProjCRSError

    try:
        c = CRS.from_user_input(crs)
    except (ProjCRSError, TypeError, ValueError):
        raise CRSError(
            f"unknown CRS {crs!r}; use an EPSG code ('EPSG:4326', 4490, 4549, 3857, ...), a pyproj CRS, "
            "'GCJ02' (Amap/Gaode, Tencent) or 'BD09' (Baidu)"
        ) from None
    epsg = c.to_epsg()
    return f"EPSG:{epsg}" if epsg else c.to_wkt()


@functools.lru_cache(maxsize=32)
def _transformer(src: str, dst: str):
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def to_cgcs2000(x: Any, y: Any, crs: Any = "EPSG:4490") -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates in ``crs`` to CGCS2000 lon/lat (EPSG:4490), vectorized.

    Examples
    --------
    >>> lon, lat = to_cgcs2000(120.15, 30.28, "EPSG:4326")
    >>> round(float(lon), 6), round(float(lat), 6)
    (120.15, 30.28)
    """
    key = parse_crs(crs)
    x, y = _arrays(x, y)
    if key == "GCJ02":
        return gcj02_to_wgs84(x, y)
    if key == "BD09":
        return bd09_to_wgs84(x, y)
    if key in ("EPSG:4490", "EPSG:4326"):
        return x, y
    lon, lat = _transformer(key, "EPSG:4490").transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def from_cgcs2000(lon: Any, lat: Any, crs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert CGCS2000 lon/lat to ``crs`` (the inverse of :func:`to_cgcs2000`)."""
    key = parse_crs(crs)
    lon, lat = _arrays(lon, lat)
    if key == "GCJ02":
        return wgs84_to_gcj02(lon, lat)
    if key == "BD09":
        return wgs84_to_bd09(lon, lat)
    if key in ("EPSG:4490", "EPSG:4326"):
        return lon, lat
    x, y = _transformer("EPSG:4490", key).transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
