"""Tests for hangzhou_address.i18n: Chinese headers, levels and reasons (every reason the matcher emits)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from hangzhou_address import InputError
from hangzhou_address.i18n import (COLUMNS_ZH, LEVELS_ZH, REPORT_LABELS_ZH, check_lang, is_translated,
                                   localize_frame, translate_reason, translate_reasons)
from hangzhou_address.ledger import RESULT_COLUMNS

_ROOT = Path(__file__).resolve().parents[1]


def test_tables_cover_the_result_columns_and_levels():
    assert set(RESULT_COLUMNS) <= set(COLUMNS_ZH)
    assert [COLUMNS_ZH[c] for c in ("code", "level", "confidence", "district_name", "town_name",
                                    "community_name", "reasons")] == ["编码", "匹配级别", "置信度", "区县", "镇街",
                                                                      "村社", "原因"]
    from hangzhou_address.ledger import _LEVELS

    assert set(LEVELS_ZH) == set(_LEVELS) - {"none"}
    assert [LEVELS_ZH[k] for k in ("building", "grid", "community", "town", "district", "city")] == [
        "楼栋", "网格", "村社", "镇街", "区县", "市"]
    assert REPORT_LABELS_ZH["level_building"] == "楼栋" and REPORT_LABELS_ZH["none"] == "未匹配"


@pytest.mark.parametrize("en, zh", [
    ("fuzzy: 冻方村 read as 东方村 (1 edit: 东→冻 same pinyin)", "模糊匹配：冻方村 读作 东方村（1 处改动：东→冻 同音）"),
    ("outside Hangzhou: 朝阳区 (北京市、吉林省长春市)", "不在杭州：朝阳区 (北京市、吉林省长春市)"),
    ("normalized: traditional characters, Chinese numerals", "已规范化：繁体字、中文数字"),
    ("ambiguous district: 桐庐县(330122)、建德市(330182)", "区县不唯一：桐庐县(330122)、建德市(330182)"),
    ("returned their common town", "返回它们共同的镇街"),
    ("row problem: ragged row: 3 fields, header has 2", "行问题：字段数不齐：本行 3 个，表头 2 个"),
])
def test_translate_reason_keeps_names_and_codes(en, zh):
    assert translate_reason(en) == zh


def test_unknown_reasons_are_kept_not_dropped():
    assert translate_reason("something new") == "something new" and not is_translated("something new")
    assert translate_reasons("kept the division; something new; empty input") == "保留行政区划；something new；空白"
    # a reason holding "; " itself (a CSV row's unbalanced quote) stays one reason, and what follows is kept
    quote = ("row problem: unbalanced quote: a quoted cell of this row ran on over 3 following line(s) (would merge "
             "them into this row); the row is read to the end of its own line and the following lines as rows of "
             "their own")
    out = translate_reasons(f"{quote}; kept the division; zzz")
    assert out.startswith("行问题：引号不成对") and out.endswith("；保留行政区划；zzz")
    assert translate_reasons(None) is None and translate_reasons("") == ""


def test_check_lang_and_localize_frame():
    with pytest.raises(InputError, match="'en', 'zh'"):
        check_lang("fr")
    df = pd.DataFrame({"地址": ["x", "y"], "level": ["building", None], "code": ["1", None],
                       "reasons": ["kept the division", None]})
    assert localize_frame(df, "en") is df
    out = localize_frame(df, "zh", ["level", "code", "reasons"])
    assert list(out.columns) == ["地址", "匹配级别", "编码", "原因"]
    assert out["匹配级别"].tolist()[0] == "楼栋" and out["匹配级别"].isna().tolist()[1]
    assert out["原因"].tolist()[0] == "保留行政区划"
    assert list(df.columns) == ["地址", "level", "code", "reasons"]  # the input is not changed


def _varied_texts(registry) -> list[str]:
    from hangzhou_address.synth.variants import VARIANT_CLASSES, make_variants

    texts = [v.text for v in make_variants(registry, 150, seed=7)]  # every variant class
    assert len({v.cls for v in make_variants(registry, 2, seed=1)}) == len(VARIANT_CLASSES)
    with open(_ROOT / "data" / "corpus" / "naacl2019_train_dev.jsonl", encoding="utf-8") as fh:
        texts += [json.loads(line)["text"] for line in fh][:2500]
    texts += ["", "   ", "王小明 13800001111", "北京市朝阳区", "浙江省杭州市江干区下沙街道", "萧山经济开发区",
              "杭州市上城区", "丁桥镇", "党山镇", "9" * 30, "x" * 400,
              "杭州市经济技术开发区14号大街71号", "滨江区长街道长河路", "杭州市上成区解放路西湖区", "余杭区良渚渚街道"]
    return texts


def test_every_reason_the_matcher_emits_is_translated(tiny_registry):
    from hangzhou_address.ledger import normalize_frame
    from hangzhou_address.registry import default_registry

    reg = default_registry()
    texts = _varied_texts(reg)
    assert len(texts) > 3000
    seen: set[str] = set()
    for registry in (reg, tiny_registry):
        out = normalize_frame(pd.DataFrame({"地址": texts}), "地址", registry=registry)
        for cell in out["reasons"]:
            seen.update(r for r in str(cell or "").split("; ") if r)
    assert len(seen) > 1000
    untranslated = sorted(r for r in seen if not is_translated(r))
    assert untranslated == []
    out = normalize_frame(pd.DataFrame({"地址": texts[-200:]}), "地址", registry=reg, lang="zh")
    english = [c for c in out["原因"].dropna() if any(w in c for w in ("read as", "outside", "normalized"))]
    assert english == []
