"""Reading a long spreadsheet: the header searched in the first rows only, against every row as before.

    .venv/bin/python benchmarks/bounded_reading.py               # 100,000 rows, about 1.5 min on 2 busy cores
    .venv/bin/python benchmarks/bounded_reading.py --rows 20000  # quicker

Writes a workbook of ``--rows`` facility rows (name, level, floor area, lon, lat) to a temporary folder,
reads it with ``siting.inputs._read_sheet`` (what every reader of a spreadsheet runs), then times the
header search as it was before issue 26 (one pandas ``apply`` over every row of the sheet) on the same
rows. Prints one ``JSON {...}`` line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from siting.inputs import LAT_NAMES, LON_NAMES, _Ctx, _read_sheet


def _workbook(path: Path, rows: int) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("现有设施")
    sheet.append(["设施名称", "等级", "建筑面积", "lon", "lat"])
    rng = np.random.default_rng(0)
    for i in range(rows):
        sheet.append([f"养老服务站{i}", "养老服务站", 200, 116.2 + rng.random() * 0.1, 36.3 + rng.random() * 0.1])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "facilities.xlsx"
        _workbook(path, args.rows)
        start = time.perf_counter()
        table = _read_sheet(path, _Ctx(path))
        read_s = time.perf_counter() - start
        rows = pd.read_excel(path, engine="calamine", header=None, dtype=str)
        names = {n.lower() for n in (*LON_NAMES, *LAT_NAMES)}
        start = time.perf_counter()
        rows.apply(lambda row: row.str.strip().str.lower().isin(names).any(), axis=1)
        scan_all_s = time.perf_counter() - start
    result = {
        "rows": len(table),
        "read_s": round(read_s, 2),
        "header_scan_of_every_row_s": round(scan_all_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    print("JSON " + json.dumps(result))


if __name__ == "__main__":
    main()
