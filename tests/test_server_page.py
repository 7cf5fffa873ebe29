"""Tests for hangzhou_address.server.page (the clerk's web page; a tiny SYNTHETIC city; one run in headless Chromium)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from _browser import chrome, platform_fonts

pytest.importorskip("fastapi")
pytest.importorskip("multipart")
from fastapi import HTTPException  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from hangzhou_address.i18n import COLUMNS_ZH, LEVELS_ZH, translate_reason  # noqa: E402
from hangzhou_address.server import page as page_module  # noqa: E402
from hangzhou_address.server.page import STATIC_FILES, guess_address_column, router  # noqa: E402



@pytest.fixture(scope="module")
def served(tiny_registry):
    """The real service (create_app) over the tiny SYNTHETIC city, with one read key."""
    from hangzhou_address.server import KeyStore, create_app

    store = KeyStore()
    key = store.add("clerk")
    return create_app(tiny_registry, keys=store), key


@pytest.fixture(scope="module")
def app(served):
    return served[0]


@pytest.fixture(scope="module")
def key(served):
    return served[1]


@pytest.fixture(scope="module")
def client(app, key):
    c = TestClient(app)
    c.headers["X-API-Key"] = key
    return c


# ------------------------------------------------------------------------------------------------ page and static
def test_page_is_served_with_a_strict_policy(client):
    css = " ".join(client.get("/static/app.css").text.split())
    assert f"--font: {FONT_STACK};" in css  # the stack the Chromium test checks
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert 'id="match"' in html and 'id="key"' in html and 'id="map"' in html and "杭州地址匹配" in html
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert "https://" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for name in ("app.js", "app.css"):
        s = client.get(f"/static/{name}")
        assert s.status_code == 200 and len(s.content) > 500
        assert "http://" not in s.text.replace("http://www.w3.org/2000/svg", "") and "https://" not in s.text
        assert "@import" not in s.text and "@font-face" not in s.text and "url(" not in s.text
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")


def test_static_allow_list_refuses_everything_else(client):
    for bad in ("../page.py", "..%2Fpage.py", "%2e%2e%2fpage.py", "index.html/../../page.py", "page.py",
                "..", "app.js.bak", "APP.JS", "/etc/passwd", "..%5Cpage.py", "static/app.js", "app.js%00"):
        r = client.get("/static/" + bad)
        assert "import" not in r.text and "root:" not in r.text  # no Python source, no system file came back
        if r.request.url.path == "/":  # the client itself resolved the dots (/static/.. is /): the page
            assert 'id="match"' in r.text, bad
        else:
            assert r.status_code == 404, (bad, r.status_code)
        with pytest.raises(HTTPException) as e:  # the handler itself, with the name as given
            page_module.static(bad)
        assert e.value.status_code == 404
    assert set(STATIC_FILES) == {"app.js", "app.css", "labels.json"}


def test_labels_come_from_i18n(client):
    labels = client.get("/static/labels.json").json()
    assert labels["columns_zh"] == COLUMNS_ZH and labels["levels_zh"] == LEVELS_ZH


def test_static_files_are_package_data():
    from importlib.resources import files

    names = {p.name for p in (files("hangzhou_address") / "server" / "static").iterdir()}
    assert {"index.html", "app.js", "app.css"} <= names


def test_helpers_need_a_key(app, client):
    anonymous = TestClient(app)
    for url, kw in (("/v1/page/translate", {"json": {"reasons": []}}), ("/v1/page/export", {"json": {"rows": []}}),
                    ("/v1/page/ledger", {"files": {"file": ("x.csv", b"a\n1\n", "text/csv")}})):
        assert anonymous.post(url, **kw).status_code == 401
        assert anonymous.post(url, headers={"X-API-Key": "hz_wrong"}, **kw).status_code == 401
        assert client.post(url, **kw).status_code == 200, url
    assert anonymous.get("/").status_code == 200 and anonymous.get("/static/app.js").status_code == 200


def test_static_files_ship_in_the_wheel():
    """hatch puts every file under ``packages`` in the wheel except what .gitignore ignores."""
    import subprocess
    import tomllib

    root = Path(__file__).resolve().parents[1]
    conf = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"]["targets"]
    assert conf["wheel"]["packages"] == ["hangzhou_address"] and "exclude" not in conf["wheel"]
    static = [f"hangzhou_address/server/static/{n}" for n in ("index.html", "app.js", "app.css")]
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", *static], cwd=root, capture_output=True, text=True)
    assert ignored.returncode == 1 and ignored.stdout == ""  # none ignored
    assert ignored.returncode != 1 or subprocess.run(["git", "check-ignore", "-q", "x.whl"], cwd=root).returncode == 0


def test_translate(client):
    reasons = ["no Hangzhou division, road or compound name found", "something new"]
    r = client.post("/v1/page/translate", json={"reasons": reasons})
    assert r.json()["reasons"] == [translate_reason(x) for x in reasons]
    assert r.json()["reasons"][0] != reasons[0] and r.json()["reasons"][1] == "something new"
    assert client.post("/v1/page/translate", json={"reasons": [1]}).status_code == 422
    assert client.post("/v1/page/translate", content=b"{").status_code == 400


# ------------------------------------------------------------------------------------------------ ledger upload
def test_guess_address_column():
    assert guess_address_column(["编号", "地址", "详细地址"]) == "地址"
    assert guess_address_column(["id", " Address "]) == " Address "
    assert guess_address_column(["编号", "联系地址"]) == "联系地址"
    assert guess_address_column(["编号", "姓名"]) is None


def _ledger(n=5):
    return pd.DataFrame({"编号": [f"{i:04d}" for i in range(n)], "姓名": ["张三"] * n,
                         "详细地址": [f"滨江区西兴街道宏图路{i}号" for i in range(n)]})


def test_upload_csv(client):
    data = _ledger().to_csv(index=False).encode("gb18030")  # a GBK export: the reader detects it
    r = client.post("/v1/page/ledger", files={"file": ("台账.csv", data, "text/csv")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["columns"] == ["编号", "姓名", "详细地址"] and body["address_column"] == "详细地址"
    assert body["rows"][0] == {"编号": "0000", "姓名": "张三", "详细地址": "滨江区西兴街道宏图路0号"}  # text: zeros kept
    assert body["total_rows"] == 5 and not body["truncated"]
    r = client.post("/v1/page/ledger", files={"file": ("x.csv", data, "text/csv")}, data={"column": "姓名"})
    assert r.json()["address_column"] == "姓名"
    r = client.post("/v1/page/ledger", files={"file": ("x.csv", data, "text/csv")}, data={"column": "nope"})
    assert r.status_code == 400 and "nope" in r.json()["detail"]


def test_upload_xlsx_and_row_limit(client, monkeypatch, tmp_path):
    p = tmp_path / "l.xlsx"
    _ledger(12).to_excel(p, index=False)
    monkeypatch.setattr(page_module, "MAX_ROWS", 10)
    r = client.post("/v1/page/ledger", files={"file": ("../../etc/l.xlsx", p.read_bytes(), "application/octet-stream")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["address_column"] == "详细地址" and len(body["rows"]) == 10
    assert body["total_rows"] == 12 and body["truncated"] and body["rows"][3]["编号"] == "0003"


def test_upload_refusals(client, monkeypatch):
    r = client.post("/v1/page/ledger", files={"file": ("x.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 400 and "unsupported" in r.json()["detail"]
    r = client.post("/v1/page/ledger", files={"file": ("x.xlsx", b"not a zip", "application/octet-stream")})
    assert r.status_code == 400 and "hzaddr-page" not in r.json()["detail"]  # no server path in the message
    for empty in (b"", "\ufeff".encode()):
        r = client.post("/v1/page/ledger", files={"file": ("x.csv", empty, "text/csv")})
        assert r.status_code == 400 and "empty" in r.json()["detail"]
    monkeypatch.setattr(page_module, "MAX_UPLOAD_BYTES", 1000)
    r = client.post("/v1/page/ledger", files={"file": ("x.csv", b"a\n" + b"x" * 2000, "text/csv")})
    assert r.status_code == 413


# ------------------------------------------------------------------------------------------------ export
ROWS = [{"input": "滨江区西兴街道宏图路3号", "code": "3301080010010040001X", "level": "building", "confidence": 0.999,
         "district_code": "330108", "town_code": "330108001", "community_code": "330108001001", "reasons": []},
        {"input": "=HYPERLINK(\"http://x\")", "code": None, "level": None, "confidence": 0.0, "district_code": None,
         "town_code": None, "community_code": None,
         "reasons": ["no Hangzhou division, road or compound name found"]}]
COLS = ["input", "code", "level", "confidence", "district_code", "town_code", "community_code", "reasons"]


def test_export_xlsx_in_chinese(client):
    import openpyxl

    r = client.post("/v1/page/export", json={"columns": COLS, "rows": ROWS, "format": "xlsx", "lang": "zh"})
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"] and r.headers["content-type"].endswith(".sheet")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    got = [[c.value for c in row] for row in ws.iter_rows()]
    assert got[0] == ["input"] + [COLUMNS_ZH[c] for c in COLS[1:]]
    assert got[1][1] == "3301080010010040001X" and got[1][2] == "楼栋" and got[1][3] == 0.999
    assert got[2][0].startswith("'=")  # formula neutralized
    assert got[2][7] == translate_reason(ROWS[1]["reasons"][0])


def test_export_csv_in_english(client):
    r = client.post("/v1/page/export", json={"columns": COLS, "rows": ROWS, "format": "csv", "lang": "en"})
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == COLS and rows[1][1] == "3301080010010040001X" and rows[1][2] == "building"
    assert rows[2][7] == "no Hangzhou division, road or compound name found" and rows[2][0].startswith("'=")


def test_export_refusals(client):
    assert client.post("/v1/page/export", json={"rows": ROWS, "format": "pdf"}).status_code == 422
    assert client.post("/v1/page/export", json={"rows": ROWS, "lang": "fr"}).status_code == 422
    assert client.post("/v1/page/export", json={"rows": "x"}).status_code == 422
    assert client.post("/v1/page/export", json={"rows": ROWS, "columns": ["a", "a"]}).status_code == 422


# ------------------------------------------------------------------------------------------------ headless Chromium
#: the page's font stack (app.css), CJK fonts first
FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
              '"WenQuanYi Micro Hei", system-ui, sans-serif')


class _Server:
    """uvicorn serving ``app`` on 127.0.0.1 (a random free port) in a thread."""

    def __init__(self, app):
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def _wait(cond, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.browser
def test_page_in_headless_chromium(tmp_path, app, key, tiny_registry):
    import re

    import openpyxl
    from selenium.webdriver.common.by import By

    texts = list(tiny_registry.addresses["text"].iloc[[0, 2]])
    texts.append(tiny_registry.addresses["poi"].iloc[0])  # a compound's name alone: no code, a review row
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = chrome("1200,1500", downloads)
    try:
        with _Server(app) as base:
            driver.get(base + "/")
            _wait(lambda: driver.execute_script("return document.body.dataset.ready === '1'"))
            assert driver.title == "杭州地址匹配"
            # without a key: the page says so and sends nothing
            driver.find_element(By.ID, "texts").send_keys("\n".join(texts))
            driver.find_element(By.ID, "match").click()
            assert "密钥" in driver.find_element(By.ID, "status").text
            driver.find_element(By.ID, "key").send_keys(key)
            assert driver.execute_script("return sessionStorage.getItem('hzaddr.apiKey')") == key
            assert driver.execute_script("return localStorage.length") == 0
            driver.find_element(By.ID, "match").click()
            _wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#table tbody tr")) == 3)
            _wait(lambda: driver.execute_script("return document.querySelectorAll('#map path').length") > 0)

            table = driver.execute_script("""
                const cols = Array.from(document.querySelectorAll('#table thead th')).map(th => th.textContent);
                const rows = Array.from(document.querySelectorAll('#table tbody tr')).map(tr => ({
                    review: tr.classList.contains('review'), bg: getComputedStyle(tr.cells[1]).backgroundColor,
                    cells: Object.fromEntries(Array.from(tr.cells).map(td => [td.dataset.col, td.textContent]))}));
                return {cols, rows};""")
            assert table["cols"] == ["行号", "地址", COLUMNS_ZH["code"], COLUMNS_ZH["level"], COLUMNS_ZH["confidence"],
                                     COLUMNS_ZH["reasons"]]
            rows = table["rows"]
            codes = list(tiny_registry.addresses["building_code"].iloc[[0, 2]])
            assert [r["cells"]["code"] for r in rows[:2]] == codes
            assert [r["cells"]["level"] for r in rows[:2]] == ["楼栋", "楼栋"]
            assert all(float(r["cells"]["confidence"]) >= 0.9 and not r["review"] for r in rows[:2])
            third = rows[2]
            assert third["review"] and third["cells"]["level"] == "未匹配" and third["cells"]["code"] == ""
            assert float(third["cells"]["confidence"]) < 0.9
            assert re.search(r"[\u4e00-\u9fff]", third["cells"]["reasons"])  # the reason in Chinese
            assert third["bg"] != rows[0]["bg"]  # highlighted

            # the map: the registry's grids as outlines and the matched buildings filled, inside the picture
            drawn = driver.execute_script("""
                const m = document.getElementById('map'); const r = m.getBoundingClientRect();
                const vis = s => Array.from(m.querySelectorAll(s)).filter(e => {
                    const b = e.getBBox(); return b.width > 0 && b.height > 0; });
                return {w: r.width, h: r.height, grids: vis('path.grid').length, buildings: vis('path.building').length,
                        codes: vis('path.building').map(e => e.dataset.code),
                        gridFill: getComputedStyle(m.querySelector('path.grid')).fill,
                        buildingFill: getComputedStyle(m.querySelector('path.building')).fill};""")
            assert drawn["w"] > 300 and drawn["h"] > 100
            assert drawn["grids"] >= 2 and sorted(drawn["codes"]) == sorted(codes)
            assert drawn["gridFill"] == "none" and drawn["buildingFill"] not in ("none", "")

            # the Chinese text is drawn with a CJK system font of the page's stack (no web font)
            stack = [f.strip().strip('"') for f in FONT_STACK.split(",")]
            used = platform_fonts(driver, "h1")
            assert used and any(u in stack or "CJK" in u for u in used), used

            shot = Path(os.environ.get("HZADDR_PAGE_SCREENSHOT") or tmp_path / "page.png")  # docs/img/web_page.png
            shot.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(shot))
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

            # the English switch
            driver.find_element(By.ID, "lang-en").click()
            cols = driver.execute_script("return Array.from(document.querySelectorAll('#table thead th'))"
                                         ".map(th => th.textContent)")
            assert cols == ["row", "address", "code", "level", "confidence", "reasons"]
            assert driver.find_element(By.CSS_SELECTOR, "#table tbody tr td[data-col=level]").text == "building"
            driver.find_element(By.ID, "lang-zh").click()

            # download: the Excel file in Chinese
            driver.find_element(By.ID, "download-xlsx").click()
            path = _wait(lambda: next((p for p in downloads.glob("*.xlsx")), None))
            _wait(lambda: path.stat().st_size > 0 and not list(downloads.glob("*.crdownload")))
            got = [[c.value for c in r] for r in openpyxl.load_workbook(path).active.iter_rows()]
            assert got[0][:4] == ["input", COLUMNS_ZH["code"], COLUMNS_ZH["level"], COLUMNS_ZH["confidence"]]
            assert [g[1] for g in got[1:3]] == codes and len(got) == 4 and got[1][2] == "楼栋"

            # a ledger: uploaded, its address column found, matched, exported with its own columns (CSV, English)
            ledger = tmp_path / "台账.csv"
            pd.DataFrame({"编号": ["0001", "0002", "0003"], "地址": texts}).to_csv(ledger, index=False)
            driver.find_element(By.ID, "lang-en").click()
            driver.find_element(By.ID, "ledger").send_keys(str(ledger))
            _wait(lambda: driver.execute_script("return document.getElementById('column').value") == "地址")
            assert "3 rows" in driver.find_element(By.ID, "status").text
            driver.find_element(By.ID, "match").click()
            _wait(lambda: driver.find_element(By.ID, "status").text == "Done")
            assert len(driver.find_elements(By.CSS_SELECTOR, "#table tbody tr.review")) == 1
            driver.find_element(By.ID, "download-csv").click()
            path = _wait(lambda: next((p for p in downloads.glob("*.csv")), None))
            _wait(lambda: path.stat().st_size > 0 and not list(downloads.glob("*.crdownload")))
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
            assert rows[0] == ["编号", "地址", "code", "level", "confidence", "district_code", "town_code",
                               "community_code", "reasons"]
            assert [r[0] for r in rows[1:]] == ["0001", "0002", "0003"] and [r[2] for r in rows[1:3]] == codes
            assert rows[3][8] == "no Hangzhou division, road or compound name found"

            errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            assert errors == []
            # no request but to the service itself
            import json

            msgs = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
            urls = {m["params"]["request"]["url"] for m in msgs if m["method"] == "Network.requestWillBeSent"}
            assert urls and all(u.startswith(base + "/") or u.startswith("blob:" + base) for u in urls), urls
    finally:
        driver.quit()
