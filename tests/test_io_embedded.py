"""Tests for ``hangzhou_address.io.embedded``: the official divisions and the older lists (issue #14.1)."""

from __future__ import annotations

import pandas as pd
import pytest

from hangzhou_address._datapath import data_dir
from hangzhou_address.io.embedded import HISTORY_EDITIONS, load_official_divisions


@pytest.fixture(scope="module")
def tables():
    return load_official_divisions()


def test_current_codes_unchanged_and_older_rows_retired(tables):
    divisions, _lineage = tables
    d23 = pd.read_csv(data_dir() / "divisions" / "hangzhou_divisions_2023.csv", dtype=str)
    active = divisions[divisions["status"] == "active"]
    assert sorted(active["code"]) == sorted(d23["code"])  # 2023 stays the code -> division mapping
    assert divisions["code"].is_unique
    row = divisions.set_index("code").loc["330104104"]
    assert (row["name"], row["status"], row["editions"], row["parent_code"]) == ("丁桥镇", "retired", "undated c2014",
                                                                                  "330104")
    # same code and name in 2015-2023: one division listing every edition
    eds = divisions.set_index("code").loc["330102001", "editions"]
    assert eds == "undated c2014 2015 2016 2017 2018 2019 2020 2023"


def test_same_name_new_code_is_renumbered(tables):
    divisions, lineage = tables
    lin = lineage.set_index("old_code")
    # 临安 was recoded 330185 -> 330112 in 2017: 锦城街道 330185006 (2015-2016) is 330112006
    assert lin.loc["330185006", "new_code"] == "330112006"
    assert lin.loc["330185006", "reason"].startswith("renumbered")
    assert lin.loc["330185006", "date"] == "by 2017"
    # a 镇 that became a 街道 under the same name: 乔司镇 -> 乔司街道 (now 临平区)
    qiaosi = divisions[(divisions["name"] == "乔司镇")]["code"].iloc[0]
    assert lin.loc[qiaosi, "new_code"] == "330113005"


def test_crosswalk_rows_cite_a_source_and_name_current_successors(tables):
    divisions, lineage = tables
    cw = pd.read_csv(data_dir() / "divisions" / "crosswalk.csv", dtype=str)
    active = set(divisions.loc[divisions["status"] == "active", "code"])
    assert len(cw) >= 6
    for r in cw.itertuples():
        assert "http" in r.source and r.reason in ("merged", "renamed", "split")
        assert set(r.successor_codes.split()) <= active
    by_old = lineage.set_index("old_code")["new_code"]
    names = dict(zip(divisions["code"], divisions["name"]))
    got = {names[o]: names[n] for o, n in by_old.items() if names[o] in {"丁桥镇", "坎山镇", "党山镇", "袁浦镇", "周浦乡"}}
    assert got == {"丁桥镇": "丁兰街道", "坎山镇": "瓜沥镇", "党山镇": "瓜沥镇", "袁浦镇": "双浦镇", "周浦乡": "双浦镇"}


def test_old_name_without_known_successor_gets_none(tables):
    divisions, lineage = tables
    gaoqiao = divisions[(divisions["name"] == "高桥镇") & (divisions["parent_code"] == "330183")]
    assert len(gaoqiao) == 1 and gaoqiao["status"].iloc[0] == "retired"
    assert gaoqiao["code"].iloc[0] not in set(lineage["old_code"])  # never guessed


def test_history_files_listed_exist():
    for _edition, name in HISTORY_EDITIONS:
        assert (data_dir() / "divisions" / "history" / name).is_file()


def test_older_names_of_a_code_that_still_exists_are_its_former_names():
    """A village renamed under its code (上四村 -> 上泗村, 2020 -> 2023; 竟舟社区 -> 竞舟社区, 2016 -> 2017) keeps
    its older name as a former name of today's division (it was dropped: the code "names another division now")."""
    from hangzhou_address.io.embedded import former_names, load_official_divisions

    divisions, _lineage = load_official_divisions()
    by_code = divisions.set_index("code")
    assert former_names(by_code.at["330122101210", "former_names"]) == (("上四村村委会", "2016 2017 2018 2019 2020"),)
    assert former_names(by_code.at["330106013006", "former_names"]) == (("竟舟社区", "2016"),)
    # a suffix an edition adds or drops, or a town's kind (乔司镇 / 乔司街道), is not another name
    assert not divisions.loc[divisions["code"] == "330113005", "former_names"].iat[0]
    assert (divisions.loc[divisions["status"] != "active", "former_names"] == "").all()
    assert former_names(None) == () and former_names(" ") == ()
