"""What-if sessions (``Study.what_if()``): time per edit against a full recompute, on generated towns.

    .venv/bin/python benchmarks/whatif.py                 # a 500-area district and the county
    .venv/bin/python benchmarks/whatif.py --quick         # the district only
    .venv/bin/python benchmarks/whatif.py --map           # and the live map: build, one click

The towns are those of ``benchmarks/plan.py`` (the generated county of ``benchmarks/reachability.py``:
a perturbed street grid, 3,500 areas, 250 facilities with floor areas, Dong'e's rules at 60 m/min
for 15 minutes) and a district of the same kind with 500 areas. A session makes ``--edits`` random
edits (a new centre of 200–600 m² on a random area's street, a resize, a closure, an undo; in turn)
and each is timed up to its new headline figures (``session.summary``). Beside it: the full
recompute of the same facilities (``study.with_facilities(...)``: walks, check and headline), the
check's tables on demand (``session.areas``/``rules``), and the largest difference between the
session's headline and the full run's. Prints one ``JSON {...}`` line per case, then a table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from datetime import UTC, datetime

import numpy as np
from plan import CASES, build

from siting.pipeline import headline
from siting.projection import WGS84

CASES.setdefault("district", {"side": 110, "areas": 500, "facilities": 40, "candidates": 0})


def map_times(study, points) -> dict:
    """Seconds to build the live map (``WhatIfMap``) and to answer one click on a street (edit, recolour,
    panel with the rule verdicts), and the size of the 小区 layer it sends on each recolour."""
    import geopandas as gpd

    from siting.widgets import WhatIfMap

    start = time.perf_counter()
    live = WhatIfMap(study, language="en")
    build_s = time.perf_counter() - start
    street = study.network.edges.geometry.iloc[len(study.network.edges) // 2]
    middle = gpd.GeoSeries([street.interpolate(0.5, normalized=True)], crs=study.network.crs).to_crs(WGS84).iloc[0]
    live.map.zoom = 17
    start = time.perf_counter()
    live.click(middle.x, middle.y)
    click_s = time.perf_counter() - start
    return {
        "map_build_s": round(build_s, 2),
        "map_click_s": round(click_s, 3),
        "map_areas_layer_mb": round(len(json.dumps(live._areas_layer.data)) / 1e6, 2),
    }


def run(case: str, edits: int, seed: int = 7, with_map: bool = False) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study, _ = build(case, units=False)
        start = time.perf_counter()
        study.check()
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        session = study.what_if()
        open_s = time.perf_counter() - start
    rng = np.random.default_rng(seed)
    points = study.areas.geometry.representative_point().to_crs(WGS84)
    times: dict[str, list[float]] = {"add": [], "resize": [], "remove": [], "undo": []}
    added = 0
    for step in range(edits):
        kind = ("add", "resize", "remove", "add", "undo")[step % 5]
        ids = session.facilities["facility_id"].astype(str).to_numpy()
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "add":
                p = points.iloc[int(rng.integers(len(points)))]
                added += 1
                session.add(f"N{added}", p.x + rng.normal(0, 2e-4), p.y, floor_area_m2=float(rng.integers(200, 600)))
            elif kind == "resize":
                session.resize(str(rng.choice(ids)), float(rng.integers(150, 900)))
            elif kind == "remove":
                session.remove(str(rng.choice(ids)))
            else:
                session.undo()  # every edit returns the new headline figures
        times[kind].append(time.perf_counter() - start)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session.check()
    tables_s = time.perf_counter() - start
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = headline(study.with_facilities(session.facilities).check().areas)
    full_s = time.perf_counter() - start
    now = session.summary
    worst = max(abs(float(now[k]) - float(full[k])) for k in full)
    if with_map:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mapped = map_times(study, points)
    else:
        mapped = {}
    every = [t for ts in times.values() for t in ts]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": round(os.getloadavg()[0], 2),
        "case": case,
        "areas": len(study.areas),
        "street_nodes": study.network.n_nodes,
        "facilities": len(study.facilities),
        "edits": edits,
        "first_check_s": round(first_s, 3),
        "open_s": round(open_s, 3),
        **{f"{k}_median_s": round(float(np.median(v)), 4) for k, v in times.items() if v},
        "edit_p95_s": round(float(np.percentile(every, 95)), 4),
        "edit_max_s": round(max(every), 4),
        "tables_on_demand_s": round(tables_s, 3),
        "full_recompute_s": round(full_s, 3),
        "largest_difference": worst,
        **mapped,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the district only")
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--map", action="store_true", help="also time the live map (needs ipyleaflet)")
    args = parser.parse_args(argv)
    cases = ("district",) if args.quick else ("district", "county")
    results = [run(case, args.edits, with_map=args.map) for case in cases]
    for record in results:
        print("JSON " + json.dumps(record), flush=True)
    keys = ["case", "areas", "street_nodes", "add_median_s", "remove_median_s", "resize_median_s", "edit_p95_s"]
    keys += ["edit_max_s"]
    keys += ["tables_on_demand_s", "full_recompute_s", "largest_difference", "map_build_s", "map_click_s"]
    print(" | ".join(keys))
    for record in results:
        print(" | ".join(str(record.get(k)) for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
