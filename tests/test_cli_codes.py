"""Tests for ``hzaddr code`` and ``hzaddr divisions``."""

from __future__ import annotations

import json

from hangzhou_address.cli import main


def test_code_valid_and_invalid(capsys):
    assert main(["code", "330106005"]) == 0
    assert "西湖区" in capsys.readouterr().out
    assert main(["code", "330106005", "33010600500100100017"]) == 1
    out = capsys.readouterr().out
    assert "expected '9'" in out


def test_code_json(capsys):
    assert main(["code", "--json", "330106", "x"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc[0]["valid"] and doc[0]["levels"][1]["name"] == "西湖区"
    assert doc[1]["reason"] == "length"


def test_usage_errors_exit_2(capsys):
    assert main(["code"]) == 2
    assert main([]) == 2
    assert main(["no-such-command"]) == 2


def test_divisions(capsys):
    assert main(["divisions"]) == 0
    assert capsys.readouterr().out.count("\n") == 13
    assert main(["divisions", "江干区"]) == 0
    out = capsys.readouterr().out
    assert "retired" in out and "330102" in out and "330114" in out
    assert main(["divisions", "--json", "330106004"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["name"] == "西溪街道" and doc["ancestors"][-1]["name"] == "西湖区"
    assert main(["divisions", "不存在"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hzaddr: error:") and err.count("\n") == 1
    assert main(["divisions", "330199"]) == 1


def test_divisions_shows_history_of_an_old_name(capsys):
    assert main(["divisions", "丁桥镇"]) == 0
    out = capsys.readouterr().out
    assert "丁桥镇" in out and "editions: undated c2014" in out
    assert "now: 330102017 丁兰街道 (renamed (2014-12); source: " in out
    assert main(["divisions", "高桥镇"]) == 0
    assert "former town 高桥镇 (before 2015): successor unknown" in capsys.readouterr().out
    assert main(["divisions", "--json", "坎山镇"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["successors"][0]["name"] == "瓜沥镇" and doc["successors"][0]["reason"].startswith("merged")


def test_divisions_count_and_list_current_children(capsys):
    """Issue 14.4: towns moved to 钱塘区 in 2021 are not 萧山区's children unless --include-retired."""
    assert main(["divisions", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sum(r["communities"] for r in rows) == 3320
    assert main(["divisions", "--json", "330109"]) == 0
    kids = {c["code"] for c in json.loads(capsys.readouterr().out)["children"]}
    assert "330109007" not in kids and "330109001" in kids
    assert main(["divisions", "--json", "--include-retired", "330109"]) == 0
    assert "330109007" in {c["code"] for c in json.loads(capsys.readouterr().out)["children"]}


def test_divisions_finds_a_village_by_its_former_name(capsys):
    assert main(["divisions", "上四村"]) == 0  # 上泗村村委会 since 2023 (same code)
    out = capsys.readouterr().out
    assert out.startswith("330122101210  community") and "formerly: 上四村村委会 (2016 2017 2018 2019 2020)" in out
    assert main(["divisions", "上四村", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)[0]
    assert doc["former_names"] == [{"name": "上四村村委会", "editions": ["2016", "2017", "2018", "2019", "2020"]}]


# ------------------------------------------------------------------ issue 15: --city DIR, --version
def _embedded_building_outside_binjiang():
    from hangzhou_address import default_registry

    codes = default_registry().buildings["code"]
    return str(codes[~codes.str.startswith("330108")].iloc[0])


def test_code_and_divisions_use_city(tiny_city_dir, capsys):
    code = _embedded_building_outside_binjiang()
    assert main(["code", code]) == 0  # in the embedded city
    capsys.readouterr()
    assert main(["code", "--city", str(tiny_city_dir), code]) == 1  # not in the tiny city (滨江区 only)
    assert "not in the registry" in capsys.readouterr().out
    assert main(["divisions", "西湖"]) == 0
    expected = capsys.readouterr().out
    assert main(["divisions", "--city", str(tiny_city_dir), "西湖"]) == 0  # the official divisions, as normalize
    assert capsys.readouterr().out == expected


def test_bad_city_is_a_one_line_error(tmp_path, capsys):
    for argv in (["code", "330106"], ["divisions", "西湖"], ["match", "西湖区"], ["locate", "120.1", "30.2"]):
        for city in (tmp_path / "missing", tmp_path):  # no directory; a directory without a manifest
            assert main([*argv, "--city", str(city)]) == 1, argv
            err = capsys.readouterr().err
            assert err.startswith("hzaddr: error: ") and len(err.strip().splitlines()) == 1, err


def test_version(capsys):
    import hangzhou_address

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"hzaddr (hangzhou_address) {hangzhou_address.__version__}"


def test_code_says_what_became_of_a_retired_code(capsys):
    """Issue 16: an abolished district prints its lifecycle line (status, date, successors)."""
    assert main(["code", "330104"]) == 0  # still a division of the registry (retired)
    out = capsys.readouterr().out
    assert "330104 split on 2021-04-09" in out and "330102 上城区" in out and "330114 钱塘区" in out
    assert main(["code", "330106005"]) == 0
    out = capsys.readouterr().out
    assert "西湖区" in out and "split on" not in out and "recoded" not in out
