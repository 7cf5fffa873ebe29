"""Tests for hangzhou_address.io.readers: every format, CRS, column mapping, Registry.from_files."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import shapely

from hangzhou_address import DataError, DataValidationError, Registry
from hangzhou_address.io.readers import read_addresses, read_buildings, read_divisions, read_grids


@pytest.fixture(scope="module")
def small(tiny_city):
    comm = tiny_city.grids["community_code"].iloc[0]
    g = tiny_city.grids[tiny_city.grids["community_code"] == comm].reset_index(drop=True)
    b = tiny_city.buildings[tiny_city.buildings["grid_code"].isin(g["code"])].reset_index(drop=True)
    a = tiny_city.addresses[tiny_city.addresses["building_code"].isin(b["code"])].reset_index(drop=True)
    return g, b, a


@pytest.mark.parametrize("fmt", ["gpkg", "parquet", "shp", "csv_wkt"])
def test_grids_round_trip(tmp_path, small, fmt):
    g = small[0][["code", "community_code", "geometry"]]
    path = tmp_path / f"grids.{fmt.split('_')[0]}"
    opts = {}
    if fmt == "gpkg":
        g.to_file(path, layer="grids", driver="GPKG")
        opts["layer"] = "grids"
    elif fmt == "parquet":
        g.to_parquet(path)
    elif fmt == "shp":
        g.rename(columns={"community_code": "comm_code"}).to_file(path)
        opts["columns"] = {"comm_code": "community_code"}  # DBF: 10-character column names
    else:
        pd.DataFrame({"code": g["code"], "community_code": g["community_code"],
                      "wkt": shapely.to_wkt(g.geometry.values, rounding_precision=-1)}).to_csv(path, index=False)
        opts["wkt"] = "wkt"
    back = read_grids(path, **opts)
    assert back["code"].tolist() == g["code"].tolist()
    assert back["community_code"].tolist() == g["community_code"].tolist()
    assert back.crs.to_epsg() == 4490
    assert shapely.equals_exact(back.geometry.values, g.geometry.values, tolerance=1e-9).all()


def test_numeric_codes_in_shapefile_become_strings(tmp_path, small):
    g = small[0][["code", "community_code", "geometry"]].copy()
    g["code"] = g["code"].astype("int64")
    g["community_code"] = g["community_code"].astype("int64")
    g.rename(columns={"community_code": "SQBM", "code": "WGBM"}).to_file(tmp_path / "g.shp")
    back = read_grids(tmp_path / "g.shp", columns={"WGBM": "code", "SQBM": "community_code"})
    assert back["code"].tolist() == small[0]["code"].tolist()


@pytest.mark.parametrize("epsg", [4549, 3857, 4326])
def test_reprojection_to_4490(tmp_path, small, epsg):
    g = small[0][["code", "community_code", "geometry"]].to_crs(epsg)
    g.to_file(tmp_path / "g.gpkg", driver="GPKG")
    back = read_grids(tmp_path / "g.gpkg")
    assert back.crs.to_epsg() == 4490
    assert np.allclose(back.total_bounds, small[0].total_bounds, atol=1e-7)


def test_buildings_from_csv_lonlat_and_addresses(tmp_path, small):
    _, b, a = small
    csv = tmp_path / "b.csv"
    pd.DataFrame({"BM": b["code"], "WG": b["grid_code"], "lon": b["x"], "lat": b["y"]}).to_csv(csv, index=False)
    back = read_buildings(csv, columns={"BM": "code", "WG": "grid_code"}, x="lon", y="lat")
    assert back["code"].tolist() == b["code"].tolist()
    assert np.allclose(back["lon"], b["x"])
    a_csv = tmp_path / "a.csv"
    a[["building_code", "text", "road", "roadno"]].to_csv(a_csv, index=False)
    aa = read_addresses(a_csv)
    assert aa["text"].tolist() == a["text"].tolist()
    assert aa["roadno"].dtype == "Int64"
    assert aa["district_code"].tolist() == [c[:6] for c in a["building_code"]]


def test_missing_columns_and_files_are_clear(tmp_path, small):
    g = small[0][["code", "geometry"]]
    g.to_file(tmp_path / "g.gpkg", driver="GPKG")
    with pytest.raises(DataError, match="community_code.*it has"):
        read_grids(tmp_path / "g.gpkg")
    with pytest.raises(DataError, match="not found"):
        read_grids(tmp_path / "nope.gpkg")
    with pytest.raises(DataError, match="not in the file"):
        read_grids(tmp_path / "g.gpkg", columns={"XX": "community_code"})
    (tmp_path / "x.xlsx").write_text("x")
    with pytest.raises(DataError, match="unsupported format"):
        read_grids(tmp_path / "x.xlsx")
    pd.DataFrame({"code": ["3301"], "level": ["city"], "name": ["杭州市"], "parent_code": [""]}).to_csv(
        tmp_path / "d.csv", index=False)
    assert read_divisions(tmp_path / "d.csv")["code"].tolist() == ["3301"]


def test_registry_from_files(tmp_path, small):
    g, b, a = small
    g.to_file(tmp_path / "g.gpkg", driver="GPKG")
    b[["code", "grid_code", "x", "y", "geometry"]].to_parquet(tmp_path / "b.parquet")
    a.to_csv(tmp_path / "a.csv", index=False)
    reg = Registry.from_files(grids=tmp_path / "g.gpkg", buildings=tmp_path / "b.parquet",
                              addresses=tmp_path / "a.csv")
    assert reg.metadata["validation"].ok
    assert len(reg.grids) == len(g) and reg.get(g["code"].iloc[0]).level == "grid"
    # a broken building file is reported, not fixed
    bad = b[["code", "grid_code", "x", "y", "geometry"]].copy()
    bad.loc[0, "x"] = bad.loc[0, "x"] + 1.0
    bad.to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(DataValidationError) as info:
        Registry.from_files(grids=tmp_path / "g.gpkg", buildings=tmp_path / "bad.parquet")
    issues = info.value.report.issues
    assert issues["check"].tolist() == ["building_outside_grid"] and issues["row"].tolist() == [0]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        reg = Registry.from_files(grids=tmp_path / "g.gpkg", buildings=tmp_path / "bad.parquet", validate="warn")
    assert any("building_outside_grid" in str(x.message) for x in w)
    assert len(reg.buildings) == len(b)  # nothing dropped


@pytest.mark.parametrize("fmt", ["gpkg", "parquet", "shp", "csv_wkt"])
def test_buildings_round_trip(tmp_path, small, fmt):
    b = small[1][["code", "grid_code", "use", "floors", "geometry"]]
    path = tmp_path / f"b.{fmt.split('_')[0]}"
    opts = {}
    if fmt == "gpkg":
        b.to_file(path, driver="GPKG")
    elif fmt == "parquet":
        b.to_parquet(path)
    elif fmt == "shp":
        b.rename(columns={"grid_code": "gridcode"}).to_file(path)
        opts["columns"] = {"gridcode": "grid_code"}
    else:
        pd.DataFrame({"code": b["code"], "grid_code": b["grid_code"], "use": b["use"], "floors": b["floors"],
                      "wkt": shapely.to_wkt(b.geometry.values, rounding_precision=-1)}).to_csv(path, index=False)
        opts["wkt"] = "wkt"
    back = read_buildings(path, **opts)
    assert back["code"].tolist() == b["code"].tolist()
    assert back["grid_code"].tolist() == b["grid_code"].tolist()
    assert [str(v) for v in back["floors"]] == [str(v) for v in b["floors"]]
    # Shapefiles store exterior rings clockwise: compare normalized geometries
    assert shapely.equals_exact(shapely.normalize(back.geometry.values), shapely.normalize(b.geometry.values),
                                tolerance=1e-9).all()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_plain_tables_round_trip(tmp_path, small, official_registry, fmt):
    a = small[2]
    d = official_registry.divisions[["code", "level", "name", "parent_code"]]
    pa, pd_ = tmp_path / f"a.{fmt}", tmp_path / f"d.{fmt}"
    if fmt == "csv":
        a.to_csv(pa, index=False)
        d.to_csv(pd_, index=False)
    else:
        a.astype({"roadno": "Int64", "houseno": "Int64", "group": "Int64"}).to_parquet(pa)
        d.to_parquet(pd_)
    back = read_addresses(pa)
    assert back["text"].tolist() == a["text"].tolist()
    assert back["building_code"].tolist() == a["building_code"].tolist()
    assert back["roadno"].tolist() == a["roadno"].tolist()
    dd = read_divisions(pd_)
    assert dd["code"].tolist() == d["code"].tolist()
    assert dd["parent_code"].tolist()[1:] == d["parent_code"].tolist()[1:]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "gpkg"])
def test_aliases_round_trip(tmp_path, tiny_city, fmt):
    from hangzhou_address.io.readers import read_aliases

    al = tiny_city.aliases
    path = tmp_path / f"aliases.{fmt}"
    opts = {}
    if fmt == "csv":
        al.to_csv(path, index=False)
    elif fmt == "parquet":
        al.to_parquet(path)
    else:
        import geopandas as gpd

        # an attribute-only GeoPackage layer, dates stored as dates
        gdf = gpd.GeoDataFrame(al.assign(valid_from=pd.to_datetime(al["valid_from"])), geometry=[None] * len(al),
                               crs="EPSG:4490")
        gdf.to_file(path, driver="GPKG", layer="bieming")
        opts["layer"] = "bieming"
    back = read_aliases(path, **opts)
    assert list(back.columns[:7]) == ["kind", "name", "alias", "alias_kind", "valid_from", "valid_to", "note"]
    for col in ("kind", "name", "alias", "alias_kind", "valid_from", "valid_to", "district_code"):
        assert [None if pd.isna(v) else v for v in back[col]] == [None if pd.isna(v) else v for v in al[col]], col
    assert back["synthetic"].tolist() == [True] * len(al)


def test_aliases_defaults_mapping_and_errors(tmp_path):
    from hangzhou_address.io.readers import read_aliases

    p = tmp_path / "bm.csv"
    pd.DataFrame({"LX": ["road"], "MC": ["文三路"], "BM": ["旧路"], "QY": [""]}).to_csv(p, index=False)
    back = read_aliases(p, columns={"LX": "kind", "MC": "name", "BM": "alias", "QY": "valid_to"})
    row = back.iloc[0]
    assert (row["alias_kind"], row["valid_from"], row["valid_to"], row["note"], row["synthetic"]) == (
        "other", None, None, None, False)
    pd.DataFrame({"kind": ["road"], "name": ["文三路"]}).to_csv(p, index=False)
    with pytest.raises(DataError, match=r"missing required column\(s\) \['alias'\]"):
        read_aliases(p)


def test_registry_from_files_with_aliases(tmp_path, small):
    g, b, a = small
    a.to_csv(tmp_path / "a.csv", index=False)
    b[["code", "grid_code", "x", "y", "geometry"]].to_parquet(tmp_path / "b.parquet")
    road = a["road"].dropna().iloc[0]
    ok = pd.DataFrame({"kind": ["road"], "name": [road], "alias": [road + "旧"], "alias_kind": ["former"],
                       "valid_to": ["2012-03-04"]})
    ok.to_csv(tmp_path / "al.csv", index=False)
    reg = Registry.from_files(buildings=tmp_path / "b.parquet", addresses=tmp_path / "a.csv",
                              aliases=tmp_path / "al.csv")
    assert reg.metadata["validation"].ok and reg.metadata["source"]["aliases"].endswith("al.csv")
    assert reg.aliases["valid_to"].tolist() == ["2012-03-04"] and reg.aliases["valid_from"].tolist() == [None]
    ok.assign(name=["没有这条路"], valid_to=["2012-3-4"]).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(DataValidationError) as info:
        Registry.from_files(buildings=tmp_path / "b.parquet", addresses=tmp_path / "a.csv",
                            aliases=tmp_path / "bad.csv")
    issues = info.value.report.issues
    assert sorted(issues["check"]) == ["bad_date", "unknown_name"] and set(issues["row"]) == {0}
    assert "'2012-3-4'" in str(info.value) or "'没有这条路'" in str(info.value)


@pytest.fixture(scope="module")
def messy_variants(tiny_city):
    """Messy variants (format + homophone classes, seed 1) of the tiny SYNTHETIC city's addresses."""
    from hangzhou_address.synth.variants import make_variants
    from hangzhou_address.testing import tiny_registry

    return [v for v in make_variants(tiny_registry(), 200, seed=1, classes=("format", "homophone")) if v.determined]


def _building_rates(reg, texts, codes, variants):
    from hangzhou_address.matcher import Matcher

    m = Matcher(reg)
    own = float((m.match_many(texts)["code"].to_numpy() == np.asarray(codes)).mean())
    got = m.match_many([v.text for v in variants])["code"].to_numpy()
    return own, float((got == np.array([v.building_code for v in variants])).mean())


@pytest.mark.parametrize("fmt", ["gpkg_csv", "parquet", "shp", "csv_wkt"])
def test_own_files_without_element_columns_match_their_buildings(tmp_path, tiny_city, messy_variants, fmt):
    """Issue #14.5: addresses as documented (building_code, text only) match their buildings."""
    g = tiny_city.grids[["code", "community_code", "geometry"]]
    b = tiny_city.buildings[["code", "grid_code", "geometry"]]
    a = tiny_city.addresses
    bare = a[["building_code", "text"]]
    files, opts = {}, {}
    if fmt == "gpkg_csv":
        g.to_file(tmp_path / "g.gpkg", layer="wangge", driver="GPKG")
        b.to_file(tmp_path / "b.gpkg", driver="GPKG")
        files = {"grids": tmp_path / "g.gpkg", "buildings": tmp_path / "b.gpkg"}
        opts = {"grids": {"layer": "wangge"}}
        bare.to_csv(tmp_path / "a.csv", index=False)
        files["addresses"] = tmp_path / "a.csv"
    elif fmt == "parquet":
        g.to_parquet(tmp_path / "g.parquet")
        b.to_parquet(tmp_path / "b.parquet")
        bare.to_parquet(tmp_path / "a.parquet")
        files = {"grids": tmp_path / "g.parquet", "buildings": tmp_path / "b.parquet",
                 "addresses": tmp_path / "a.parquet"}
    elif fmt == "shp":
        g.rename(columns={"community_code": "SQBM"}).to_file(tmp_path / "g.shp")
        b.rename(columns={"grid_code": "WGBM"}).to_file(tmp_path / "b.shp")
        bare.rename(columns={"building_code": "JZBM", "text": "DZ"}).to_csv(tmp_path / "a.csv", index=False)
        files = {"grids": tmp_path / "g.shp", "buildings": tmp_path / "b.shp", "addresses": tmp_path / "a.csv"}
        opts = {}
        columns = {"grids": {"SQBM": "community_code"}, "buildings": {"WGBM": "grid_code"},
                   "addresses": {"JZBM": "building_code", "DZ": "text"}}
    else:
        for name, df in (("g", g), ("b", b)):
            pd.DataFrame({**{c: df[c] for c in df.columns if c != "geometry"},
                          "wkt": shapely.to_wkt(df.geometry.values, rounding_precision=-1)}).to_csv(
                tmp_path / f"{name}.csv", index=False)
        bare.to_csv(tmp_path / "a.csv", index=False)
        files = {"grids": tmp_path / "g.csv", "buildings": tmp_path / "b.csv", "addresses": tmp_path / "a.csv"}
        opts = {"grids": {"wkt": "wkt"}, "buildings": {"wkt": "wkt"}}
    reg = Registry.from_files(**files, options=opts, columns=columns if fmt == "shp" else None)
    assert reg.metadata["validation"].ok
    assert set(reg.addresses["elements_from"]) == {"text"}
    own, messy = _building_rates(reg, a["text"].tolist(), a["building_code"].tolist(), messy_variants)
    with_columns = Registry(reg.divisions, lineage=reg.lineage, grids=reg.grids, buildings=reg.buildings,
                            addresses=a)
    own_c, messy_c = _building_rates(with_columns, a["text"].tolist(), a["building_code"].tolist(), messy_variants)
    assert own >= 0.97 and messy >= 0.95
    assert own >= own_c - 0.01 and messy >= messy_c - 0.02  # measured: 1.000 / 0.990, the same as with columns
