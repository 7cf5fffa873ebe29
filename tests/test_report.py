"""Tests for hangzhou_address.report (HTML reports on a tiny SYNTHETIC city; one check in headless Chromium)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from _browser import chrome, platform_fonts

from hangzhou_address import InputError
from hangzhou_address.ledger import NormalizeSummary, normalize_file
from hangzhou_address.reconciliation import reconcile
from hangzhou_address.report import (FONT_STACK, bar_chart_svg, build_map, map_svg, write_reconcile_report,
                                     write_report)

#: personal data put into the ledgers below: none of it may reach a report
SECRETS = ("王小明", "李华", "张伟", "13812345678", "13900001111", "138-1234-5678", "330106199001011234",
           "33010619850505123X", "秘密住址", "门卫", "Wang Xiaoming", "wxm@example.com")


def _assert_no_secret(html: str, extra: tuple[str, ...] = ()) -> None:
    leaked = [s for s in SECRETS + extra if s in html]
    assert not leaked, leaked


def _remote_references(html: str) -> list[str]:
    """Anything the page could load from elsewhere."""
    html = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    pats = [r"https?://", r"<script", r"<link", r"<img", r"<iframe", r"url\(", r"@import", r"\ssrc=",
            r"//[a-z0-9.-]+\.[a-z]{2,}/"]
    return [p for p in pats if re.search(p, html, re.I)]


@pytest.fixture(scope="module")
def addresses(tiny_registry):
    return tiny_registry.addresses.sample(200, random_state=5).reset_index(drop=True)


@pytest.fixture(scope="module")
def ledger(addresses):
    """A ledger of the tiny city with names, phones, ID numbers, addresses and texts that are people, not places."""
    texts = list("杭州市" + addresses["text"])
    for i in range(0, 200, 7):  # no door number: matched above building level (their towns go on the map)
        texts[i] = re.sub(r"\d+号.*$", "", texts[i])
    texts[1] = "王小明 13812345678 放门卫"
    texts[2] = "李华的秘密住址在这里"
    texts[3] = "张伟 330106199001011234"
    texts[4] = "Wang Xiaoming, wxm@example.com, 138-1234-5678"
    texts[5] = texts[5] + " 王小明收 13900001111"  # a matched address with a name and a phone in it
    texts[6] = "33010619850505123X"
    return pd.DataFrame({"姓名": ["王小明", "李华", "张伟", "Wang Xiaoming"] * 50,
                         "电话": ["13812345678", "13900001111", "138-1234-5678", "wxm@example.com"] * 50,
                         "身份证号": ["330106199001011234", "33010619850505123X"] * 100, "地址": texts})


@pytest.fixture(scope="module")
def normalized(tmp_path_factory, ledger, tiny_city_dir):
    d = tmp_path_factory.mktemp("normalized")
    src = d / "ledger.csv"
    ledger.to_csv(src, index=False)
    summary = normalize_file(src, d / "out.csv", column="地址", registry_dir=tiny_city_dir, progress=False,
                             report_path=d / "report.html")
    return summary, d


def test_report_is_self_contained_and_escaped(tmp_path, tiny_registry):
    s = NormalizeSummary(rows=10, levels=Counter({"building": 7, "none": 3}),
                         unmatched_patterns=Counter({"字#": 2, "<empty>": 1}))
    p = write_report(tmp_path / "r.html", s, title="<script>alert(1)</script>", registry=tiny_registry)
    html = p.read_text(encoding="utf-8")
    assert _remote_references(html) == []
    assert "Content-Security-Policy\" content=\"default-src 'none'" in html  # the browser loads nothing either
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # autoescaped
    assert "<svg" in html and "<rect" in bar_chart_svg([("a", 1), ("b", 3)])
    assert "&lt;b&gt;" in bar_chart_svg([("<b>", 1)])


def test_templates_are_package_data():
    from importlib.resources import files

    names = {p.name for p in (files("hangzhou_address") / "templates").iterdir()}
    assert {"base.html.j2", "normalize.html.j2", "reconcile.html.j2", "_macros.html.j2"} <= names


def test_counts_by_district_and_town(normalized, tiny_registry):
    summary, d = normalized
    html = (d / "report.html").read_text(encoding="utf-8")
    towns = {c for (_, c, _), n in summary.by_town.items() if c}
    assert len(towns) >= 3
    section = html[html.index('<section id="districts">'):html.index('<section id="towns">')]
    assert "滨江区" in section and "<svg" in section and "<rect" in section  # a chart and a table
    rows_in_district = sum(n for (dc, _, _), n in summary.by_town.items() if dc == "330108")
    assert f"<td>滨江区</td><td class=\"n\">{rows_in_district:,}</td>" in section.replace("\n", "")
    towns_html = html[html.index('<section id="towns">'):html.index('<section id="reasons">')]
    for c in towns:
        assert tiny_registry.name_of(c) in towns_html
    assert sum(summary.by_town.values()) == summary.rows == 200
    assert sum(summary.buildings.values()) == summary.levels["building"]


def test_map_draws_registry_areas_buildings_and_towns(normalized, tiny_registry):
    summary, d = normalized
    not_building = Counter()
    for (_, t, lv), n in summary.by_town.items():
        if lv != "building" and t:
            not_building[t] += n
    m = build_map(tiny_registry, summary.buildings, not_building)
    assert m is not None and m.districts and m.towns and m.dots
    assert len(m.grids) > 0  # a small area: the registry's grids are drawn too
    filled = [s for s in m.towns if s.fill]
    assert len(filled) == len(not_building)  # every counted town is coloured, no other
    assert sum(dot.n for dot in m.dots) == sum(summary.buildings.values())
    assert m.cell_m >= 200  # a dot covers a cell of at least 200 m, never one building
    for dot in m.dots:
        assert 0 <= dot.cx <= m.width and 0 <= dot.cy <= m.height
    html = (d / "report.html").read_text(encoding="utf-8")
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" id="map"'):]
    svg = svg[:svg.index("</svg>")]
    assert svg.count("<path") >= len(m.towns) + len(m.districts) and svg.count("<circle") >= len(m.dots)
    assert "滨江区" in svg  # the district's label
    assert map_svg(tiny_registry, {}, {}).startswith("<svg")


def test_map_without_division_areas(tmp_path, official_registry):
    assert build_map(official_registry, {"x": 1}, {"330108001": 2}) is None
    p = write_report(tmp_path / "r.html", NormalizeSummary(rows=1), registry=official_registry)
    assert "no division areas" in p.read_text(encoding="utf-8")


def test_review_reasons_grouped(normalized):
    summary, d = normalized
    html = (d / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="reasons">'):html.index('<section id="levels">')].replace("\n", "")
    assert summary.review_kinds["unmatched"] == summary.levels["none"] > 0
    assert f'<td>unmatched</td><td class="n">{summary.levels["none"]}</td>' in section
    n = summary.review_reasons["no Hangzhou division, road or compound name found"]
    assert n >= 4
    assert f'<td>no Hangzhou division, road or compound name found</td><td class="n">{n}</td>' in section
    # grouped: each reason once, with its count
    assert section.count("no Hangzhou division, road or compound name found") == 1


def test_reason_masking_and_pattern_masking(tmp_path, tiny_registry):
    """Raw texts in a summary (older callers, other tools) are masked before they are shown."""
    s = NormalizeSummary(rows=4, levels=Counter({"none": 4}), review_rows=4,
                         unmatched_patterns=Counter({"王小明 13812345678": 2, "字_#": 1, "Wang Xiaoming": 1}),
                         review_kinds=Counter({"unmatched": 4}),
                         review_reasons=Counter({"fuzzy: 王小明 could be 李华路 (0.81)": 2,
                                                 "row problem: 330106199001011234 unreadable": 1,
                                                 "mentions a place outside Hangzhou (Wang Xiaoming)": 1}))
    html = write_report(tmp_path / "r.html", s, registry=tiny_registry).read_text(encoding="utf-8")
    _assert_no_secret(html)
    assert "fuzzy: … could be … (#.#)" in html and "row problem: # unreadable" in html
    assert "字_#" in html and "a_a" in html  # shapes shown as shapes


def test_no_personal_data_in_report(normalized, ledger, addresses):
    summary, d = normalized
    html = (d / "report.html").read_text(encoding="utf-8")
    _assert_no_secret(html)
    # nor any address of the ledger (the matched ones included), nor its road or compound name
    for text in ledger["地址"]:
        assert text not in html
    names = {n for n in pd.concat([addresses["road"], addresses["poi"]]).dropna() if len(n) >= 2}
    assert len(names) > 50
    assert [n for n in names if n in html] == []
    assert summary.review_reasons  # there were reasons, and they were masked
    assert "no row content" in html


def test_cjk_font_stack_and_chinese_report(tmp_path, normalized, tiny_registry):
    summary, _ = normalized
    assert FONT_STACK.startswith('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC"')
    zh = write_report(tmp_path / "zh.html", summary, registry=tiny_registry, lang="zh").read_text(encoding="utf-8")
    en = write_report(tmp_path / "en.html", summary, registry=tiny_registry).read_text(encoding="utf-8")
    for html in (zh, en):
        assert f"font-family: {FONT_STACK};" in html
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    for word in ("台账标准化报告", "各区县行数", "地图", "复核原因", "匹配级别", "楼栋", "未匹配", "不含任何行内容"):
        assert word in zh and word not in en
    assert "Rows by district" in en and "Rows by district" not in zh
    _assert_no_secret(zh)
    with pytest.raises(InputError, match="lang must be one of"):
        write_report(tmp_path / "x.html", summary, registry=tiny_registry, lang="fr")
    assert not (tmp_path / "x.html").exists()


def test_reconcile_report(tmp_path, normalized, tiny_registry):
    _, d = normalized
    a = pd.read_csv(d / "out.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    a.insert(0, "编号", [f"{i:04d}" for i in range(len(a))])
    b = a.copy()
    built = b.index[b["level"] == "building"]
    b.loc[built[0], "code"] = b.loc[built[1], "code"]  # one entity moved
    b.loc[built[2], "姓名"] = "张伟秘密"  # an attribute difference with personal data in it
    res = reconcile(a, b, key="编号")
    for lang in ("en", "zh"):
        html = write_reconcile_report(tmp_path / f"rc-{lang}.html", res, registry=tiny_registry,
                                      lang=lang).read_text(encoding="utf-8")
        assert _remote_references(html) == []
        _assert_no_secret(html, ("张伟秘密",))
        assert "<circle" in html and "滨江区" in html
    assert "same key, different building" in (tmp_path / "rc-en.html").read_text(encoding="utf-8")
    assert "同一主体、不同楼栋" in (tmp_path / "rc-zh.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------ headless Chromium
@pytest.mark.browser
def test_report_in_headless_chromium(tmp_path, normalized, tiny_registry):
    summary, _ = normalized
    page = write_report(tmp_path / "report.html", summary, registry=tiny_registry, lang="zh").resolve()
    url = page.as_uri()
    driver = chrome("1000,1400")
    try:
        driver.get(url)
        assert driver.execute_script("return document.readyState") == "complete"
        assert driver.title == "台账标准化报告"
        # no console errors
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        # the map has drawn shapes and dots
        drawn = driver.execute_script("""
            const m = document.getElementById('map'); const r = m.getBoundingClientRect();
            const size = s => Array.from(m.querySelectorAll(s)).filter(e => {
                const b = e.getBBox(); return b.width > 0 && b.height > 0; }).length;
            return {w: r.width, h: r.height, towns: size('.towns path'), districts: size('.districts path'),
                    dots: size('.dots circle'), filled: m.querySelectorAll('.towns path:not([fill="#ffffff"])').length};
        """)
        m = build_map(tiny_registry, summary.buildings, Counter(
            {t: n for (_, t, lv), n in summary.by_town.items() if lv != "building" and t}))
        assert drawn["w"] > 300 and drawn["h"] > 100
        assert drawn["towns"] == len(m.towns) > 0 and drawn["districts"] == len(m.districts) > 0
        assert drawn["dots"] == len(m.dots) > 0 and drawn["filled"] > 0
        # the Chinese text is laid out: boxes of a real size, about one em per character
        boxes = driver.execute_script("""
            return Array.from(document.querySelectorAll('h1, h2, th, td, svg text')).filter(
                e => /[\\u4e00-\\u9fff]/.test(e.textContent)).map(e => {
                const range = document.createRange(); range.selectNodeContents(e);
                const r = range.getBoundingClientRect();
                return {text: e.textContent.trim(), w: r.width, h: r.height,
                        size: parseFloat(getComputedStyle(e).fontSize)}; });
        """)
        assert len(boxes) > 20
        for b in boxes:
            assert b["w"] > 0 and b["h"] > 0, b
        h1 = next(b for b in boxes if b["text"] == "台账标准化报告")
        assert 0.8 * 7 * h1["size"] <= h1["w"] <= 1.2 * 7 * h1["size"]
        # and drawn with a CJK font of the stack (not boxes of a fallback)
        stack = [f.strip().strip('"') for f in FONT_STACK.split(",")]
        used = platform_fonts(driver, "h1")
        assert used and any(u in stack or "CJK" in u for u in used), used
        # no request but the page itself
        requests = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
        urls = {r["params"]["request"]["url"] for r in requests if r["method"] == "Network.requestWillBeSent"}
        assert urls <= {url}, urls - {url}
        assert driver.get_screenshot_as_png()[:8] == b"\x89PNG\r\n\x1a\n"
        # the request check sees a request when there is one (a page loading an image from loopback)
        control = tmp_path / "control.html"
        control.write_text('<!DOCTYPE html><img src="http://127.0.0.1:9/x.png">', encoding="utf-8")
        driver.get(control.as_uri())
        seen = {json.loads(e["message"])["message"].get("params", {}).get("request", {}).get("url")
                for e in driver.get_log("performance")}
        assert "http://127.0.0.1:9/x.png" in seen
    finally:
        driver.quit()


def test_reconcile_report_shows_no_part_of_a_value_that_is_not_a_code(tmp_path, tiny_registry):
    """A `code` column may hold anything (a phone number): the by-district table shows known division codes
    only, and a moved entity counts once."""
    import pandas as pd

    from hangzhou_address.reconciliation import reconcile
    from hangzhou_address.report import write_reconcile_report

    codes = tiny_registry.addresses["building_code"].drop_duplicates().head(2).tolist()
    a = pd.DataFrame({"k": ["1", "2"], "code": ["13912345678", codes[0]]})
    b = pd.DataFrame({"k": ["1", "2"], "code": ["13800001111", codes[1]]})
    res = reconcile(a, b, key="k")
    html = write_reconcile_report(tmp_path / "r.html", res, registry=tiny_registry).read_text(encoding="utf-8")
    assert "139123" not in html and "138000" not in html and "not a known division code" in html
    from hangzhou_address.report import _row_codes

    assert len(_row_codes(res.moved)) == len(res.moved) == 2
