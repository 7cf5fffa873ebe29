"""Tests for hangzhou_address.coords (pyproj CRSs, GCJ-02, BD-09)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hangzhou_address import CRSError
from hangzhou_address.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_cgcs2000,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    parse_crs,
    to_cgcs2000,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# Published test vectors of the standard algorithm: README of wandergis/coordtransform
# (https://github.com/wandergis/coordtransform), input (116.404, 39.915) in each system.
PUBLISHED = {
    "wgs84_to_gcj02": (116.41024449916938, 39.91640428150164),
    "gcj02_to_bd09": (116.41036949371029, 39.92133699351021),
    "bd09_to_gcj02": (116.39762729119315, 39.90865673957631),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_vectors(name):
    fn = {"wgs84_to_gcj02": wgs84_to_gcj02, "gcj02_to_bd09": gcj02_to_bd09,
          "bd09_to_gcj02": lambda x, y: bd09_to_gcj02(x, y, exact=False)}[name]
    x, y = fn(116.404, 39.915)
    assert float(x) == pytest.approx(PUBLISHED[name][0], abs=1e-12)
    assert float(y) == pytest.approx(PUBLISHED[name][1], abs=1e-12)


def test_gcj_inverse_beats_published_one_step_inverse():
    # coordtransform's one-step inverse gives (116.39775550083061, 39.91359571849836), ~2.5 cm off;
    # our iterative inverse round-trips to the GCJ input within 1e-9 degrees.
    x, y = gcj02_to_wgs84(116.404, 39.915)
    assert float(x) == pytest.approx(116.39775550083061, abs=1e-6)
    gx, gy = wgs84_to_gcj02(x, y)
    assert abs(float(gx) - 116.404) < 1e-9 and abs(float(gy) - 39.915) < 1e-9


lon_s = st.floats(118.3, 120.8)
lat_s = st.floats(29.1, 30.7)


def _metres(dlon, dlat, lat):
    return np.hypot(np.asarray(dlon) * 111_320 * np.cos(np.radians(lat)), np.asarray(dlat) * 110_574)


@given(lon_s, lat_s)
def test_gcj_round_trip_below_half_a_metre(lon, lat):
    wx, wy = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert _metres(wx - lon, wy - lat, lat) < 0.5
    assert _metres(wx - lon, wy - lat, lat) < 1e-3  # measured: sub-millimetre


@given(lon_s, lat_s)
def test_bd_round_trip(lon, lat):
    wx, wy = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert _metres(wx - lon, wy - lat, lat) < 1e-3
    gx, gy = bd09_to_gcj02(*gcj02_to_bd09(lon, lat), exact=False)  # published closed form
    assert _metres(gx - lon, gy - lat, lat) < 0.5


def test_vectorized_and_outside_china():
    x, y = wgs84_to_gcj02(np.array([120.15, 2.35]), np.array([30.28, 48.85]))
    assert x.shape == (2,) and x[1] == 2.35 and y[1] == 48.85  # Paris unchanged
    assert x[0] != 120.15


@pytest.mark.parametrize("crs", ["EPSG:4326", 4490, "EPSG:4549", "EPSG:3857", "EPSG:4528", "gcj02", "BD-09", "baidu"])
def test_to_and_from_cgcs2000_round_trip(crs):
    lon, lat = np.array([120.155, 119.3]), np.array([30.274, 29.5])
    x, y = from_cgcs2000(lon, lat, crs)
    back = to_cgcs2000(x, y, crs)
    assert _metres(back[0] - lon, back[1] - lat, lat).max() < 0.01


def test_known_projected_point():
    # the central meridian of EPSG:4549 (CGCS2000 / 3-degree GK CM 120E) has false easting 500 km
    lon, lat = to_cgcs2000(500_000, 3_350_000, "EPSG:4549")
    assert float(lon) == pytest.approx(120.0, abs=1e-9)


def test_unknown_crs():
    with pytest.raises(CRSError, match="GCJ02"):
        parse_crs("EPSG:999999")
    with pytest.raises(CRSError):
        to_cgcs2000(1, 2, "not a crs")
    assert parse_crs("Gaode") == "GCJ02" and parse_crs(None) == "EPSG:4490"
