"""XLSX ledger reading: time and peak RSS of reading a generated 100k × 8 sheet (issue 15).

    python bench/bench_xlsx.py [--rows 100000] [--path /tmp/hz_bench_100k.xlsx] [--repo DIR]

The sheet (SYNTHETIC rows: a serial number, a company name, an address, a credit code, an ID number, a phone number,
an area, a note; written with openpyxl's write-only mode, inline strings) is generated once in /tmp. Each
measurement runs in a fresh process that reads it the way ``normalize_file`` does (chunks of 20,000 rows) with the
package found in ``--repo`` (default: this checkout), and reports wall and CPU time and the child's peak RSS.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
from pathlib import Path

_CHILD = """
import sys, time
sys.path.insert(0, {repo!r})
from hangzhou_address.io.ledger_io import iter_ledger
t, c = time.perf_counter(), time.process_time()
n = sum(len(ch.frame) for ch in iter_ledger({path!r}, chunk_rows=20_000))
print(n, time.perf_counter() - t, time.process_time() - c)
"""


def make_sheet(path: Path, rows: int) -> None:
    import openpyxl

    rng = random.Random(1)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["序号", "单位名称", "地址", "统一社会信用代码", "身份证号", "电话", "面积", "备注"])
    roads = ["文三路", "天目山路", "莫干山路", "解放路", "延安路", "庆春路"]
    for i in range(rows):
        ws.append([i + 1, f"杭州某某科技有限公司{i}", f"杭州市西湖区{rng.choice(roads)}{rng.randint(1, 999)}号",
                   "91330100" + "".join(rng.choice("0123456789ABCDEFGH") for _ in range(10)),
                   "3301061990" + f"{rng.randint(0, 99999999):08d}", f"138{rng.randint(0, 99999999):08d}",
                   round(rng.random() * 1000, 2), "无"])
    wb.save(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--path", type=Path, default=Path("/tmp/hz_bench_100k.xlsx"))
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[1]))
    args = ap.parse_args()
    if not args.path.exists():
        make_sheet(args.path, args.rows)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([sys.executable, "-c", _CHILD.format(repo=args.repo, path=str(args.path))],
                         capture_output=True, text=True, check=True).stdout.split()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux; the largest child so far
    n, wall, cpu = int(out[0]), float(out[1]), float(out[2])
    print(f"{args.path.name}: {n:,} rows read in {wall:.1f} s wall, {cpu:.1f} s CPU; peak RSS {peak / 1024:.0f} MB"
          + ("" if peak > before else " (not above an earlier child's)"))


if __name__ == "__main__":
    main()
