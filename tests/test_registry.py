"""Tests for hangzhou_address.registry and the embedded official divisions."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from hangzhou_address import DataNotAvailableError, InputError, Registry, UnknownDivisionError


def test_official_counts(official_registry):
    reg = official_registry
    assert len(reg.codes("district")) == 13
    assert len(reg.codes("town")) == 196
    assert len(reg.codes("community")) == 3320
    assert reg.codes("city") == ("3301",)
    assert set(reg.codes("district", include_retired=True)) >= {"330103", "330104"}


def test_lookup_children_ancestors(official_registry):
    reg = official_registry
    assert reg.get("330106").name == "西湖区"
    assert "330106004" in reg.children("330106")
    assert [d.name for d in reg.ancestors("330106005055")] == ["杭州市", "西湖区", "翠苑街道", "翠苑一区社区"]
    assert reg.lookup("330199") is None
    with pytest.raises(UnknownDivisionError, match="330199"):
        reg.get("330199")
    assert "330106" in reg and "999999" not in reg and 330106 not in reg


@pytest.mark.parametrize(
    ("name", "level", "code"),
    [
        ("西湖区", "district", "330106"),
        ("西湖", "district", "330106"),
        ("西溪街道", "town", "330106004"),
        ("西溪", "town", "330106004"),
        ("翠苑一区社区", "community", "330106005055"),
        ("翠苑一区社区居委会", "community", "330106005055"),
        ("翠苑一区", "community", "330106005055"),
    ],
)
def test_find_variants(official_registry, name, level, code):
    assert code in [d.code for d in official_registry.find(name, level=level)]


def test_find_ambiguous_returns_all(official_registry):
    hits = official_registry.find("崇贤", include_retired=False)
    assert {d.level for d in hits} == {"town", "community"}  # 崇贤街道 and 崇贤村
    assert all(d.is_active for d in hits)
    west = official_registry.find("西湖")
    assert len(west) >= 3 and west[0].code == "330106"  # active, official-first ordering by code
    assert official_registry.find("不存在的地方") == ()
    with pytest.raises(InputError):
        official_registry.find(None)
    with pytest.raises(InputError):
        official_registry.find("西湖", level="grid")


def test_retired_names_and_lineage(official_registry):
    reg = official_registry
    (jianggan,) = reg.find("江干区")
    assert jianggan.status == "retired"
    assert reg.current("330104") == ("330102", "330114")
    (xiacheng,) = reg.find("下城区")
    assert reg.current(xiacheng.code) == ("330105",)
    assert reg.current("330106") == ("330106",)
    # 笕桥街道 was renumbered 330104012 -> 330102016 (data/README notes)
    assert reg.current("330104012") == ("330102016",)
    lin = reg.lineage
    assert {"old_code", "new_code", "date", "reason"} <= set(lin.columns)
    # every 2020 code retired by the reorganization has its rows dated 2021-04-09 (older lists: their own dates)
    eds = dict(zip(reg.divisions["code"], reg.divisions["editions"]))
    in_2020 = lin["old_code"].map(lambda c: "2020" in eds[c].split())
    assert in_2020.sum() >= 539 and (lin.loc[in_2020, "date"] == "2021-04-09").all()
    # 余杭区's 临平街道 moved to 临平区
    old_linping = [d for d in reg.find("临平街道") if not d.is_active]
    assert old_linping and reg.current(old_linping[0].code)[0].startswith("330113")


def test_user_registry_and_missing_tables():
    df = pd.DataFrame({"code": ["3301", "330106", "330106004"], "level": ["city", "district", "town"],
                       "name": ["杭州市", "西湖区", "西溪街道"], "parent_code": ["", "3301", "330106"]})
    reg = Registry(df)
    assert reg.get("3301").parent_code is None
    assert reg.children("330106") == ("330106004",)
    assert reg.find("西溪")[0].code == "330106004"
    assert reg.grids is None and not reg.has_table("grids")
    with pytest.raises(DataNotAvailableError, match="grids"):
        reg.require("grids")
    with pytest.raises(InputError, match="missing columns"):
        Registry(df.drop(columns=["level"]))


def _counting_grids_registry(**tables):
    """A one-division registry whose grids table comes from a loader that counts its calls."""
    calls = []

    def loader():
        calls.append(1)
        return pd.DataFrame({"code": [], "community_code": []})

    df = pd.DataFrame({"code": ["3301"], "level": ["city"], "name": ["杭州市"], "parent_code": [None]})
    return Registry(df, grids=loader, **tables), calls


def test_lazy_tables_called_once():
    reg, calls = _counting_grids_registry()
    assert calls == []
    reg.grids
    reg.grids
    assert calls == [1]


def test_release_drops_a_file_backed_table_and_reloads_it():
    in_memory = pd.DataFrame({"building_code": []})
    reg, calls = _counting_grids_registry(addresses=in_memory)
    reg.grids
    assert reg.release("grids") is True
    reg.grids
    assert calls == [1, 1]
    assert reg.release("addresses") is False and reg.addresses is in_memory  # nothing to reload it from
    with pytest.raises(InputError):
        reg.release("nope")


def test_import_loads_no_data():
    code = (
        "import hangzhou_address as h, sys;"
        "assert h.default_registry.cache_info().currsize == 0;"
        "assert 'hangzhou_address.io.embedded' not in sys.modules;"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "ok" in out.stdout


def test_import_time_of_own_modules_is_small():
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import hangzhou_address"],
                         capture_output=True, text=True, timeout=120)
    own = 0
    for line in out.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip().startswith("hangzhou_address"):
            own += int(parts[0].split(":")[1])  # self time in microseconds
    assert own < 300_000, own


def test_default_registry_cached():
    from hangzhou_address import default_registry

    assert default_registry() is default_registry()
    assert len(default_registry().codes("district")) == 13


def test_aliases_is_a_lazy_table():
    from hangzhou_address.registry import LAZY_TABLES

    assert "aliases" in LAZY_TABLES
    calls = []
    table = pd.DataFrame({"kind": ["road"], "name": ["文三路"], "alias": ["旧文三路"], "alias_kind": ["former"],
                          "valid_from": [None], "valid_to": ["2010-01-01"], "note": [None]})

    def loader():
        calls.append(1)
        return table

    df = pd.DataFrame({"code": ["3301"], "level": ["city"], "name": ["杭州市"], "parent_code": [None]})
    assert Registry(df).aliases is None and not Registry(df).has_table("aliases")
    reg = Registry(df, aliases=loader)
    assert reg.has_table("aliases") and calls == []
    assert "aliases" in repr(reg) and calls == []
    assert reg.aliases is table and reg.aliases is table
    assert calls == [1]
    assert reg.release("aliases") is True
    reg.aliases
    assert calls == [1, 1]


def test_tiny_registry_has_the_synthetic_aliases(tiny_registry, tiny_city):
    pd.testing.assert_frame_equal(tiny_registry.aliases, tiny_city.aliases)
    assert tiny_registry.aliases["synthetic"].all()


# ----------------------------------------------------------------------------- codes handed out are checked
def _bad_check_char(code):
    return code[:19] + ("0" if code[19] != "0" else "1")


def _addresses_only(tiny_city, n=30):
    return tiny_city.addresses.head(n).reset_index(drop=True).copy()


def test_addresses_only_registry_refuses_a_wrong_check_character(tiny_city):
    from hangzhou_address import DataValidationError

    a = _addresses_only(tiny_city)
    a.loc[3, "building_code"] = _bad_check_char(a.loc[3, "building_code"])
    a.loc[5, "building_code"] = a.loc[5, "building_code"][:19]  # wrong length
    with pytest.raises(DataValidationError, match=r"addresses table .*bad_code 2.*expected") as info:
        Registry(tiny_city.divisions, addresses=a)
    assert sorted(info.value.report.issues["row"]) == [3, 5]
    # a lazy table is refused on first access, before any matcher can use it
    reg = Registry(tiny_city.divisions, addresses=lambda: a)
    with pytest.raises(DataValidationError, match="bad_code"):
        reg.addresses
    # a division column that disagrees with the building code is refused too
    b = _addresses_only(tiny_city)
    b.loc[0, "community_code"] = "330108001999"
    with pytest.raises(DataValidationError, match="address_not_in_division 1"):
        Registry(tiny_city.divisions, addresses=b)


def test_from_files_addresses_only_refuses_bad_codes(tmp_path, tiny_city):
    from hangzhou_address import DataValidationError

    a = _addresses_only(tiny_city)[["building_code", "text", "road", "roadno"]]
    a.loc[0, "building_code"] = _bad_check_char(a.loc[0, "building_code"])
    tiny_city.divisions.to_csv(tmp_path / "d.csv", index=False)
    a.to_csv(tmp_path / "a.csv", index=False)
    for validate in (True, "warn", False):  # skipping validate_city does not let a malformed code through
        with pytest.raises(DataValidationError, match="check character"):
            Registry.from_files(divisions=tmp_path / "d.csv", addresses=tmp_path / "a.csv", validate=validate)
    a.loc[0, "building_code"] = tiny_city.addresses.loc[0, "building_code"]
    a.to_csv(tmp_path / "a.csv", index=False)
    reg = Registry.from_files(divisions=tmp_path / "d.csv", addresses=tmp_path / "a.csv")
    assert len(reg.addresses) == len(a)


def test_matching_an_addresses_only_registry_never_returns_a_rejected_code(tiny_city):
    from hangzhou_address import Matcher
    from hangzhou_address.codes import validate_code

    a = _addresses_only(tiny_city, 200)
    reg = Registry(tiny_city.divisions, addresses=a)
    for r in Matcher(reg).match_many(a["text"].tolist()).itertuples():
        if isinstance(r.code, str):
            assert validate_code(r.code) == r.code


@pytest.mark.parametrize(("row", "change"), [
    ({"code": "33010"}, "bad_code"),                      # wrong length for a district
    ({"code": "330106", "level": "town"}, "bad_code"),     # wrong level for the code's length
    ({"parent_code": "3302"}, "bad_parent"),               # parent is not the prefix
    ({"level": "province"}, "bad_parent"),                 # unknown level
])
def test_divisions_with_malformed_codes_are_refused(row, change):
    from hangzhou_address import DataValidationError

    base = {"code": ["3301", "330106"], "level": ["city", "district"], "name": ["杭州市", "西湖区"],
            "parent_code": [None, "3301"]}
    df = pd.DataFrame(base)
    for k, v in row.items():
        df.loc[1, k] = v
    with pytest.raises(DataValidationError, match=change):
        Registry(df)


def test_history_editions_successor_reason(official_registry):
    reg = official_registry
    (dingqiao,) = reg.find("丁桥镇")
    h = reg.history(dingqiao.code)
    assert h.editions == ("undated", "c2014") and h.period == "before 2015" and h.successors == ("330102017",)
    line = h.describe({"330102017": "丁兰街道"})
    assert line.startswith("丁桥镇 (before 2015) → 丁兰街道 (330102017): renamed (2014-12); source: ")
    gaoqiao = [d for d in reg.find("高桥镇") if d.parent_code == "330183"][0]
    assert reg.history(gaoqiao.code).describe() == "former town 高桥镇 (before 2015): successor unknown"
    current = reg.history("330106004")
    assert current.period is None and current.successors == () and "2023" in current.editions
    with pytest.raises(UnknownDivisionError):
        reg.history("330199999")


def test_history_lists_a_current_divisions_former_names():
    from hangzhou_address import default_registry

    h = default_registry().history("330109102001")
    assert h.former_names == (("中心社区", "2016 2017 2018 2019 2020"),)
    assert h.describe().endswith("; formerly 中心社区 (2016 2017 2018 2019 2020)")


def test_find_by_a_former_name_gives_todays_division():
    from hangzhou_address import default_registry

    reg = default_registry()
    assert [d.code for d in reg.find("竟舟社区")] == ["330106013006"]  # 竞舟社区 since 2017
    # a former name that is another division's current name: the current holder first
    assert [(d.code, kind) for d, kind in reg.name_index()["中心社区"]] == [("330109102001", "former")]  # 凌溪社区
    # a current name sorts before a former one of the same text
    assert [k for _d, k in reg.name_index()["竟舟社区"]] == ["former"]
    assert reg.find("竞舟社区")[0].code == "330106013006"
