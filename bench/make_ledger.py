"""Generate a messy department ledger from the SYNTHETIC city (for bench_ledger.py).

Usage: python bench/make_ledger.py --rows 1000000 --city city_full -o bench/out/ledger_1m.csv
Rows: 序号, 姓名 (fake), 电话 (fake), 地址 (a registry address with realistic noise), 备注; ~5 % garbage rows.
Deterministic (seeded).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd

NOISE_PREFIX = ["浙江省杭州市", "杭州市", "杭州", "浙江杭州", "", "", "浙江省杭州市"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GARBAGE = ["", "不详", "同上", "电联", "见附件", "###", "无", "测试测试", "上门前电话联系", "N/A"]
T2S_SAMPLE = str.maketrans({"区": "區", "路": "路", "号": "號", "街": "街", "镇": "鎮", "村": "村", "园": "園"})
CN = "〇一二三四五六七八九"


def messy(text: str, rng: np.random.Generator) -> str:
    t = NOISE_PREFIX[rng.integers(len(NOISE_PREFIX))] + text
    r = rng.random()
    if r < 0.15:
        t = t.translate(T2S_SAMPLE)
    elif r < 0.25:
        t = t.replace("号", "號")
    if rng.random() < 0.2:
        t = t.replace("幢", ["栋", "号楼", "座"][rng.integers(3)])
    if rng.random() < 0.3:
        t += f"{rng.integers(1, 5)}单元{rng.integers(1, 30)}{rng.integers(1, 4):02d}室"
    if rng.random() < 0.1:
        t = " ".join([t[:4], t[4:]])
    if rng.random() < 0.05:  # a whole number written in Chinese digits (三幢, 一二〇三室)
        t = re.sub(r"\d+", lambda m: "".join(CN[int(c)] for c in m.group()) if rng.random() < 0.5 else m.group(), t)
    return t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--city", type=Path, default=Path("city_full"))
    ap.add_argument("-o", "--output", type=Path, default=Path("bench/out/ledger_1m.csv"))
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    from hangzhou_address.io.city import read_table

    addr = read_table(args.city, "addresses")
    rng = np.random.default_rng(args.seed)
    pick = rng.integers(0, len(addr), args.rows)
    texts = addr["text"].to_numpy(dtype=object)[pick]
    out = [messy(t, rng) for t in texts]
    garbage = rng.random(args.rows) < 0.05
    for i in np.flatnonzero(garbage):
        out[i] = GARBAGE[rng.integers(len(GARBAGE))]
    df = pd.DataFrame({
        "序号": np.arange(1, args.rows + 1),
        "姓名": [SURNAMES[i] + "某" for i in rng.integers(0, len(SURNAMES), args.rows)],
        "电话": [f"1{n:010d}" for n in rng.integers(3_000_000_000, 9_999_999_999, args.rows)],
        "地址": out,
        "备注": np.where(rng.random(args.rows) < 0.1, "电联", ""),
        "_truth": np.where(garbage, "", addr["building_code"].to_numpy(dtype=object)[pick]),
    })
    args.output.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.output, index=False, encoding="utf-8-sig")
    print(f"wrote {args.output}: {len(df):,} rows ({garbage.mean():.1%} garbage)")


if __name__ == "__main__":
    main()
