"""Tests for hangzhou_address.synth.aliases: the SYNTHETIC other names of roads and compounds."""

from __future__ import annotations

import pandas as pd
import pytest

from hangzhou_address.io.validate import validate_city
from hangzhou_address.synth import DEFAULT_SEED, build_city
from hangzhou_address.synth.aliases import ALIAS_COLUMNS, P_DEVELOPER, P_FORMER, empty_aliases, make_aliases


@pytest.fixture(scope="module")
def embedded_addresses():
    from hangzhou_address._datapath import data_dir

    return pd.read_parquet(data_dir() / "city" / "addresses.parquet")


@pytest.fixture(scope="module")
def aliases(embedded_addresses):
    return make_aliases(embedded_addresses, seed=DEFAULT_SEED)


def test_columns_and_synthetic_flag(aliases):
    assert tuple(aliases.columns) == ALIAS_COLUMNS
    assert aliases["synthetic"].all()
    assert aliases["note"].str.startswith("SYNTHETIC").all()
    assert set(aliases["kind"]) == {"road", "poi"}
    assert set(aliases["alias_kind"]) == {"former", "developer", "short"}
    assert set(aliases.loc[aliases["kind"] == "road", "alias_kind"]) == {"former"}
    assert tuple(empty_aliases().columns) == ALIAS_COLUMNS and len(empty_aliases()) == 0
    assert make_aliases(pd.DataFrame(columns=["form", "district_code", "road", "poi"]), seed=1).empty


def test_deterministic(embedded_addresses, aliases):
    again = make_aliases(embedded_addresses, seed=DEFAULT_SEED)
    pd.testing.assert_frame_equal(again, aliases)
    other = make_aliases(embedded_addresses, seed=DEFAULT_SEED + 1)
    assert not other[["name", "alias"]].equals(aliases[["name", "alias"]])


def test_proportions(embedded_addresses, aliases):
    a = embedded_addresses
    roads = a.loc[a["form"] == "road", ["district_code", "road"]].drop_duplicates()
    compounds = a.loc[a["form"] == "compound", ["district_code", "poi"]].drop_duplicates()
    n = aliases["alias_kind"].value_counts()
    assert 0.5 * P_FORMER < n["former"] / len(roads) < 1.6 * P_FORMER
    assert 0.5 * P_DEVELOPER < n["developer"] / len(compounds) < 1.6 * P_DEVELOPER
    assert 0 < n["short"] < 0.1 * len(compounds)


def test_every_name_exists_and_no_alias_is_a_current_name(embedded_addresses, aliases):
    a = embedded_addresses
    for kind, form, col in (("road", "road", "road"), ("poi", "compound", "poi")):
        sub = aliases[aliases["kind"] == kind]
        have = set(zip(a.loc[a["form"] == form, "district_code"], a.loc[a["form"] == form, col]))
        assert set(zip(sub["district_code"], sub["name"])) <= have
        current = set(a[col].dropna())
        assert not set(sub["alias"]) & current
    assert (aliases["alias"] != aliases["name"]).all()
    # never ambiguous inside a district
    assert not aliases.duplicated(["kind", "district_code", "alias"]).any()
    assert validate_city({"addresses": a, "aliases": aliases}).ok


def test_alias_shapes_and_dates(aliases):
    former = aliases[aliases["alias_kind"] == "former"]
    assert former["alias"].str.fullmatch(r"..[一二三四五六七八九][路街]").all()
    assert former["valid_from"].isna().all()
    assert former["valid_to"].between("2005-01-01", "2022-12-31").all()
    dev = aliases[aliases["alias_kind"] == "developer"]
    assert (dev["alias"].str.contains("·") | dev["alias"].str.endswith("花苑")).all()
    assert dev["valid_from"].between("1998-01-01", "2015-12-31").all() and dev["valid_to"].isna().all()
    short = aliases[aliases["alias_kind"] == "short"]
    assert all(n.startswith(s) and len(s) >= 2 for n, s in zip(short["name"], short["alias"]))
    assert short["valid_from"].isna().all() and short["valid_to"].isna().all()


def test_subset_of_districts_gives_the_same_aliases(embedded_addresses, aliases):
    districts = ["330106", "330127"]
    sub = make_aliases(embedded_addresses[embedded_addresses["district_code"].isin(districts)], seed=DEFAULT_SEED)
    full = aliases[aliases["district_code"].isin(districts)].reset_index(drop=True)
    pd.testing.assert_frame_equal(sub, full)


def test_build_city_carries_aliases_subset_independent(tiny_city):
    assert len(tiny_city.aliases) > 0
    assert (tiny_city.aliases["district_code"] == "330108").all()
    both = build_city(districts=["330102", "330108"], scale=0.02)
    assert set(both.aliases["district_code"]) == {"330102", "330108"}
    assert "aliases" in both.metadata["note"]
    # The address generator names some compounds differently in a subset build (generated names avoid
    # the other districts' names); every road / compound the two builds share has the same aliases.
    part = both.aliases[both.aliases["district_code"] == "330108"]
    a, b = both.addresses, tiny_city.addresses
    shared = (set(zip(a["road"], a["district_code"])) | set(zip(a["poi"], a["district_code"]))) & (
        set(zip(b["road"], b["district_code"])) | set(zip(b["poi"], b["district_code"])))
    keep = [(n, d) in shared for n, d in zip(part["name"], part["district_code"])]
    keep_t = [(n, d) in shared for n, d in zip(tiny_city.aliases["name"], tiny_city.aliases["district_code"])]
    assert sum(keep) > 0
    pd.testing.assert_frame_equal(part[keep].reset_index(drop=True),
                                  tiny_city.aliases[keep_t].reset_index(drop=True))


def test_embedded_aliases_file_matches_the_generator(aliases):
    from hangzhou_address import default_registry

    reg = default_registry()
    assert reg.has_table("aliases")
    emb = reg.aliases
    pd.testing.assert_frame_equal(emb.astype(object).where(emb.notna(), None),
                                  aliases.astype(object).where(aliases.notna(), None))
