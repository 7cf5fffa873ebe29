"""Hostile input, end to end (issue #13): every CLI command over broken files and every public function over
hostile text either answers or raises one of the library's own errors - never another exception, a traceback, a
hang, or a leak of ledger content into what it prints.

Bounded on purpose (small files, few hypothesis examples): this runs in CI on every change. The per-item
regression tests live next to the code they test (test_ledger_io, test_codes, test_io_city, ...).
"""

from __future__ import annotations

import math
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hangzhou_address as ha
from hangzhou_address.cli import main
from hangzhou_address.errors import HangzhouAddressError

# Values that stand for a person's data in a ledger: none may appear in anything we print.
SECRET_NAME = "李华秘密"
SECRET_PHONE = "13912345678"
SECRET_ID = "330106199001011234"
SECRET_ADDRESS = "西湖区秘密小区99幢"
SECRETS = (SECRET_NAME, SECRET_PHONE, SECRET_ID, SECRET_ADDRESS)
_ROW = f"{SECRET_NAME},{SECRET_PHONE},{SECRET_ID},{SECRET_ADDRESS}\n"


def _xlsx_with_dimension(path, ref="A1:XFD1048576"):
    """A tiny, valid-looking workbook whose one sheet claims a huge used range (a decompression-bomb shape)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
            '/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><dimension ref="{ref}"/><sheetData><row r="1"><c r="A1" t="inlineStr">'
            '<is><t>地址</t></is></c></row></sheetData></worksheet>'),
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, xml in parts.items():
            z.writestr(name, xml)


@pytest.fixture(scope="module")
def broken_files(tmp_path_factory, tiny_city):
    """Broken ledgers, each carrying the SECRET values, keyed by what is wrong with them."""
    d = tmp_path_factory.mktemp("broken")
    files = {}

    def put(name, data):
        p = d / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        files[name] = p

    put("empty.csv", b"")
    put("header_only.csv", "姓名,电话,身份证,地址\n")
    put("headerless.csv", _ROW * 3)
    put("junk.csv", bytes(range(256)) * 8)
    put("nul.csv", "姓名,地址\n" + f"{SECRET_NAME}\x00,{SECRET_ADDRESS}\x00\n" * 3)
    put("gbk.csv", ("姓名,电话,身份证,地址\n" + _ROW * 3).encode("gbk"))
    put("unbalanced_quote.csv", "姓名,电话,身份证,地址\n" + _ROW + f'"{SECRET_NAME},1,2,3\n' + _ROW * 50)
    put("ragged.csv", "姓名,电话,身份证,地址\n" + _ROW + f"{SECRET_NAME},{SECRET_PHONE}\n" + "a,b,c,d,e,f,g\n")
    put("bare_cr.csv", "姓名,电话,身份证,地址\n" + _ROW.replace(SECRET_ADDRESS, "西湖区\r" + SECRET_ADDRESS) * 2)
    put("injection.csv", "姓名,电话,身份证,地址\n" + f"=HYPERLINK(\"x\"),{SECRET_PHONE},@SUM(1),{SECRET_ADDRESS}\n")
    good = pd.DataFrame({"姓名": [SECRET_NAME] * 3, "电话": [SECRET_PHONE] * 3, "身份证": [SECRET_ID] * 3,
                         "地址": [SECRET_ADDRESS] * 3})
    good.to_parquet(d / "good.parquet")
    raw = (d / "good.parquet").read_bytes()
    put("truncated.parquet", raw[: len(raw) // 2])
    put("not_parquet.parquet", f"{SECRET_NAME} is not a parquet file")
    put("not_zip.xlsx", _ROW)
    put("truncated.xlsx", b"PK\x03\x04" + b"\x00" * 40)
    _xlsx_with_dimension(d / "bomb_dimension.xlsx")
    files["bomb_dimension.xlsx"] = d / "bomb_dimension.xlsx"
    return files


def _run(capsys, argv):
    """Run the CLI in-process: any exception other than SystemExit escapes and fails the test."""
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def _assert_clean(rc, out, err, allowed=(0, 1, 3)):
    assert rc in allowed, (rc, err)
    assert "Traceback" not in err and "Traceback" not in out
    for secret in SECRETS:
        assert secret not in err, (secret, err)
    if rc == 1:
        assert err.strip() and len(err.strip().splitlines()) <= 3, err


@pytest.mark.parametrize("name", [
    "empty.csv", "header_only.csv", "headerless.csv", "junk.csv", "nul.csv", "gbk.csv", "unbalanced_quote.csv",
    "ragged.csv", "bare_cr.csv", "injection.csv", "truncated.parquet", "not_parquet.parquet", "not_zip.xlsx",
    "truncated.xlsx", "bomb_dimension.xlsx"])
def test_normalize_over_broken_files(broken_files, tiny_city_dir, tmp_path, capsys, name):
    src = broken_files[name]
    before = src.read_bytes()
    out = tmp_path / "out.csv"
    rc, stdout, err = _run(capsys, ["normalize", src, "-o", out, "--column", "地址", "--city", tiny_city_dir,
                                    "--review", tmp_path / "review.csv", "--report", tmp_path / "r.html"])
    _assert_clean(rc, stdout, err)
    assert src.read_bytes() == before  # the input is never modified
    for secret in SECRETS:
        assert secret not in stdout
        if (tmp_path / "r.html").exists():
            assert secret not in (tmp_path / "r.html").read_text(encoding="utf-8")
    if rc in (0, 3):
        assert out.exists()


@pytest.mark.parametrize("name", [
    "empty.csv", "header_only.csv", "headerless.csv", "junk.csv", "gbk.csv", "unbalanced_quote.csv",
    "truncated.parquet", "not_parquet.parquet", "not_zip.xlsx", "bomb_dimension.xlsx"])
def test_reconcile_over_broken_files(broken_files, tmp_path, capsys, name):
    good = tmp_path / "good.csv"
    pd.DataFrame({"code": ["33010800100100100000"], "编号": ["1"]}).to_csv(good, index=False)
    for a, b in ((broken_files[name], good), (good, broken_files[name])):
        rc, out, err = _run(capsys, ["reconcile", a, b, "-o", tmp_path / "r.csv"])
        _assert_clean(rc, out, err)


@pytest.mark.parametrize("name", ["empty.csv", "header_only.csv", "headerless.csv", "junk.csv", "gbk.csv",
                                  "unbalanced_quote.csv", "nul.csv"])
def test_locate_over_broken_files(broken_files, tmp_path, capsys, name):
    rc, out, err = _run(capsys, ["locate", "--input", broken_files[name], "-o", tmp_path / "l.csv"])
    _assert_clean(rc, out, err)


def test_commands_over_missing_and_directory_paths(tmp_path, tiny_city_dir, capsys):
    missing, directory = tmp_path / "missing.csv", tmp_path
    for argv in (["normalize", missing, "-o", tmp_path / "o.csv", "--column", "地址", "--city", tiny_city_dir],
                 ["normalize", directory, "-o", tmp_path / "o.csv", "--column", "地址", "--city", tiny_city_dir],
                 ["normalize", tmp_path / "x.csv", "-o", tmp_path / "o.csv", "--column", "地址", "--city", missing],
                 ["reconcile", missing, directory, "-o", tmp_path / "r.csv"],
                 ["locate", "--input", missing],
                 ["city", "info", missing],
                 ["city", "info", directory]):
        rc, out, err = _run(capsys, argv)
        _assert_clean(rc, out, err, allowed=(1, 2))


_HOSTILE_PIECES = st.sampled_from([
    "\x00", "\ud800", "\udfff", "\u202e", "\ufeff", "\r", "\n", "\t", "😀", "𠀀", "〇", "一百零八", "壹贰叁",
    "九" * 50, "号" * 30, "路", "杭州市", "西湖区", "滨江区", "江城路", "1号", "-", "=", "'", '"', "\\", "%s", "{0}",
    "<script>", "．", "１２３", "²", "①", "𝟙", " ", "\u3000", "=cmd|' /C calc'!A0",
])
_HOSTILE_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(_HOSTILE_PIECES, max_size=25).map("".join),
)
_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _answers_or_raises_ours(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except HangzhouAddressError:
        return None


@pytest.fixture(scope="module")
def hostile_matcher(tiny_registry):
    return ha.Matcher(tiny_registry)


@_SETTINGS
@given(text=_HOSTILE_TEXT)
def test_text_functions_over_hostile_text(hostile_matcher, text):
    from hangzhou_address.resolve import normalize_for_matching

    for fuzzy in (True, False):
        r = hostile_matcher.match(text, fuzzy=fuzzy)
        assert 0.0 <= r.confidence <= 1.0
        assert r.code is None or ha.is_valid_code(r.code)
    hostile_matcher.parse(text)
    ha.tag(text)
    _answers_or_raises_ours(normalize_for_matching, text)


@_SETTINGS
@given(value=st.one_of(_HOSTILE_TEXT, st.none(), st.integers(), st.floats(), st.binary(max_size=20),
                       st.lists(st.text(max_size=5), max_size=3)))
def test_code_functions_over_hostile_values(value):
    assert ha.is_valid_code(value) in (True, False)
    for fn in (ha.explain, ha.code_level, ha.code_to_parent, ha.check_char):
        _answers_or_raises_ours(fn, value)
    report = ha.validate_codes([value, value])
    assert len(report) == 2


@_SETTINGS
@given(x=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30), st.none(),
                   st.text(max_size=8)),
       y=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30), st.none()),
       crs=st.sampled_from(["EPSG:4490", "EPSG:4326", "GCJ02", "BD09", "EPSG:3857", "nonsense", None]))
def test_locate_over_hostile_coordinates(tiny_registry, x, y, crs):
    for xs, ys in ((x, y), ([x, x], [y, y])):
        _answers_or_raises_ours(ha.locate, xs, ys, crs=crs, registry=tiny_registry)


def test_match_many_over_hostile_rows(hostile_matcher):
    rows = ["滨江区西兴街道宏图路3号", None, math.nan, 12, b"\xe6\x9d\xad", ["杭州"], "\ud800", "x" * 100_000,
            memoryview(b"x"), lambda: 0]
    for workers in (1, 2):
        results = hostile_matcher.match_many(rows, workers=workers, chunksize=2)  # a real pool for 2
        assert len(results) == len(rows), workers
        assert results["code"].iloc[0] is not None and results["code"].iloc[1:].isna().all(), workers
        assert results["reasons"].iloc[1:].str.len().gt(0).all(), workers


def test_missing_column_error_hides_a_headerless_chinese_record():
    """A ledger without a header row: its first record (a name, an address) is not echoed in the error."""
    from hangzhou_address._privacy import columns_hint

    assert "王小明" not in columns_hint(["王小明", "西湖区文三路"])
    assert "西湖区文三路" not in columns_hint(["编号", "西湖区文三路"])
    assert columns_hint(["编号", "企业名称", "统一社会信用代码", "经营地址"]).endswith("'经营地址']")
