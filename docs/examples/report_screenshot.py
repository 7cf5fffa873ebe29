"""The screenshot of the HTML report in docs/ledgers.md, taken in headless Chromium.

A ledger of 4,000 messy rows of three districts (addresses of the SYNTHETIC embedded city, some without their door
number, some with a name and a phone instead of an address) is normalized; its Chinese report is opened in
headless Chromium (Debian's ``chromium``) and the top of the page is saved, reduced to 256 colours.

Run: python docs/examples/report_screenshot.py  -> writes docs/img/report_example.png
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from PIL import Image

import hangzhou_address as hz
from hangzhou_address.ledger import normalize_file
from hangzhou_address.report import write_report

OUT = Path(__file__).resolve().parent.parent / "img" / "report_example.png"

reg = hz.default_registry()
a = reg.addresses
a = a[a["district_code"].isin(["330106", "330102", "330105"]) & a["primary"]].sample(4000, random_state=15)
texts = list("杭州市" + a["text"])
for i in range(0, len(texts), 11):  # the door number left out: matched to a community or town only
    texts[i] = re.sub(r"\d+号.*$", "", texts[i])
for i in range(5, len(texts), 41):  # a person where the address should be: unmatched
    texts[i] = "王小明 13812345678 放门卫"

with tempfile.TemporaryDirectory() as d:
    src = Path(d) / "台账.csv"
    pd.DataFrame({"姓名": "王小明", "电话": "13812345678", "地址": texts}).to_csv(src, index=False)
    summary = normalize_file(src, Path(d) / "out.csv", column="地址", progress=False)
    page = write_report(Path(d) / "报告.html", summary, title="台账.csv 标准化报告", registry=reg, lang="zh")
    shot = Path(d) / "shot.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=1000,1560", f"--screenshot={shot}", page.resolve().as_uri()],
                   check=True, capture_output=True)
    Image.open(shot).convert("RGB").quantize(256).save(OUT, optimize=True)
print(f"{OUT}: {OUT.stat().st_size / 1024:.0f} KB", file=sys.stderr)
