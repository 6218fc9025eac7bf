"""Benchmark siting batch: a generated province on a Dask LocalCluster with 1 worker, then 2 workers.

    .venv/bin/python benchmarks/batch.py [--counties 16] [--min-side 50] [--max-side 160] [--workers 1 2]
                                         [--anchor-side 330] [--keep DIR]

1. ``tools/make_province.py`` writes ``--counties`` generated counties (grid sides from ``--min-side``
   to ``--max-side`` nodes, shuffled; see that file) with their scenario files.
2. For each worker count: a local cluster exactly as ``siting batch`` starts it
   (:func:`siting.batch.dask_client`: worker processes with one thread, memory limit ``auto``, no
   retries) runs :func:`siting.batch.run_batch` on every county into a fresh folder. Timed: the
   batch alone (``batch_s``, cluster already up) and the cluster's start (``start_s``). Dask's task
   stream gives each county's own seconds on its worker. ``peak_rss_mb`` of each worker is that
   process's ``ru_maxrss`` after the batch (interpreter, libraries and the largest county it ran),
   ``cpu_s`` its CPU seconds (user + system): on a shared machine, beside ``batch_s``, the share of a
   core each worker actually had.
   The output folders of the two runs are compared byte for byte (they must be identical).
3. ``--anchor-side`` (0 to skip): one county of the reachability benchmark's size (330 × 330 nodes,
   about 30 km × 30 km, 3,500 areas, 250 facilities) run alone on one worker, the anchor for the
   estimate of real counties.

``uptime`` is recorded before and after each measurement: the machine's load decides what 2 workers
can gain. Prints one ``JSON {...}`` line per measurement, then a summary.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from siting.batch import dask_client, run_batch

ROOT = Path(__file__).resolve().parents[1]
# tools/ (the province generator) is part of the checkout, not of the installed package
sys.path.insert(0, str(ROOT))
from tools import make_province  # noqa: E402


def uptime() -> str:
    """The ``uptime`` line: load averages over 1, 5 and 15 minutes."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def worker_usage() -> dict[str, float]:
    """Peak resident memory (MB; Linux reports KiB) and CPU seconds (user + system) of the calling process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}


def folder_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def measure(scenarios: list[Path], out: Path, workers: int) -> dict:
    """One batch on a fresh local cluster of ``workers`` processes; see the module docstring."""
    from distributed import get_task_stream

    load_before = uptime()
    start = time.perf_counter()
    with dask_client(workers=workers, announce=False) as client:
        start_s = time.perf_counter() - start
        with get_task_stream(client) as stream:
            begin = time.perf_counter()
            result = run_batch(scenarios, out, scheduler=client.scheduler.address, progress=False)
            batch_s = time.perf_counter() - begin
        usage = client.run(worker_usage)
    per_county = {}
    for task in stream.data:
        compute = [s for s in task["startstops"] if s["action"] == "compute"]
        if compute:
            per_county[int(str(task["key"]).rsplit("-", 1)[1])] = compute[-1]["stop"] - compute[-1]["start"]
    seconds = [per_county.get(i) for i in range(len(scenarios))]
    return {
        "workers": workers,
        "counties": len(scenarios),
        "ok": int((result.table["status"] == "ok").sum()),
        "start_s": round(start_s, 2),
        "batch_s": round(batch_s, 2),
        "county_s": [None if s is None else round(s, 2) for s in seconds],
        "sum_county_s": round(sum(s for s in seconds if s is not None), 2),
        "peak_rss_mb": sorted(round(u["peak_rss_mb"], 1) for u in usage.values()),
        # CPU the workers got (imports included): beside batch_s it shows how much of a core each had
        "cpu_s": sorted(round(u["cpu_s"], 1) for u in usage.values()),
        "uptime_before": load_before,
        "uptime_after": uptime(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", type=int, default=16)
    parser.add_argument("--min-side", type=int, default=50)
    parser.add_argument("--max-side", type=int, default=160)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--anchor-side", type=int, default=330, help="0: no county-size anchor run")
    parser.add_argument("--keep", type=Path, help="keep the province and outputs in this folder")
    args = parser.parse_args(argv)
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · {uptime()}",
        flush=True,
    )
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="siting-batch-bench-"))
    try:
        scenarios = make_province.make_province(
            work / "province", args.counties, min_side=args.min_side, max_side=args.max_side
        )
        sides = make_province.county_sides(args.counties, args.min_side, args.max_side, seed=1)
        print("JSON " + json.dumps({"province": str(work / "province"), "sides": sides}), flush=True)
        records = []
        for workers in args.workers:
            record = measure(scenarios, work / f"out_{workers}", workers)
            record["sides"] = sides
            records.append(record)
            print("JSON " + json.dumps(record, ensure_ascii=False), flush=True)
        hashes = [folder_hashes(work / f"out_{w}") for w in args.workers]
        identical = all(h == hashes[0] for h in hashes)
        by_workers = {r["workers"]: r for r in records}
        if 1 in by_workers and 2 in by_workers:
            speedup = by_workers[1]["batch_s"] / by_workers[2]["batch_s"]
            print(f"speed-up 2 workers / 1 worker: {speedup:.2f}x; outputs identical: {identical}")
        one = by_workers.get(min(by_workers))
        if one is not None:
            nodes = np.array([s * s for s in sides], dtype=float)
            secs = np.array(one["county_s"], dtype=float)
            slope, intercept = np.polyfit(nodes, secs, 1)
            print(
                f"county seconds ≈ {intercept:.2f} + {slope * 1e4:.3f} per 10,000 street nodes "
                f"(fit over {len(nodes)} counties, {one['workers']} worker)"
            )
        if args.anchor_side:
            anchor = make_province.make_province(
                work / "anchor", 1, min_side=args.anchor_side, max_side=args.anchor_side, seed=3
            )
            record = measure(anchor, work / "out_anchor", 1)
            record["sides"] = [args.anchor_side]
            print("JSON " + json.dumps(record, ensure_ascii=False), flush=True)
        return 0 if identical else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
