"""Floor area per 100 households: siting's sparse 2SFCA (``floor_area_shares``) beside the pandas recipe.

The recipe is what one writes with pandas alone (and what siting did before the sparse matrix): keep
the pairs within the walk whose facility counts for the area's status, sum the households of each
facility's catchment with ``groupby``, divide the floor area by it, map the ratio back onto the pairs and
sum it per area. Both must give the same floor area per household for every area (to 1e-12 relative).
Also timed: ``check_compliance_pairs`` end to end (every rule of the ``dong_e`` profile).

Run: ``.venv/bin/python benchmarks/compliance.py [--quick] [--repeat 3]``. Prints one ``JSON {...}`` line
per case, then a table; exit status 1 when the two disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting.compliance import check_compliance_pairs, facility_counts, floor_area_shares
from siting.profiles import load_profile

CASES = {  # name: (areas, facilities, facilities each area reaches on average)
    "town": (1_000, 60, 6),
    "county": (20_000, 1_500, 10),
    "city": (100_000, 6_000, 12),
}
QUICK = ("town",)


def make_case(n_areas: int, n_facilities: int, reach: int, seed: int = 0):
    """Areas and facilities on a 30 km square (UTM 50N), pairs between each area and ``reach`` random facilities."""
    rng = np.random.default_rng(seed)
    side = 30_000.0
    area_xy = rng.uniform(0, side, (n_areas, 2))
    fac_xy = rng.uniform(0, side, (n_facilities, 2))
    areas = gpd.GeoDataFrame(
        {
            "area_id": [f"A{i}" for i in range(n_areas)],
            "households": rng.integers(50, 1500, n_areas).astype(float),
            "status": np.where(rng.random(n_areas) < 0.25, "new", "existing"),
        },
        geometry=shapely.buffer(shapely.points(area_xy), 60.0, quad_segs=2),
        crs=32650,
    )
    facilities = gpd.GeoDataFrame(
        {
            "facility_id": [f"F{j}" for j in range(n_facilities)],
            "level": rng.choice(["township", "community", "station", "county"], n_facilities, p=[0.1, 0.4, 0.45, 0.05]),
            "floor_area_m2": rng.uniform(100, 1500, n_facilities).round(),
        },
        geometry=shapely.points(fac_xy),
        crs=32650,
    )
    rows = np.repeat(np.arange(n_areas), reach)
    cols = rng.integers(0, n_facilities, n_areas * reach)
    pairs = pd.DataFrame(
        {
            "area_id": areas["area_id"].to_numpy()[rows],
            "facility_id": facilities["facility_id"].to_numpy()[cols],
            "walk_min": rng.uniform(0, 20, len(rows)),
        }
    ).drop_duplicates(["area_id", "facility_id"])
    return areas, facilities, pairs


def pandas_recipe(areas, facilities, pairs, profile, settings) -> np.ndarray:
    """Floor area per household of each area (m²), with groupby and map."""
    flags = facility_counts(facilities, profile)
    fac = facilities[["facility_id", "floor_area_m2"]].join(flags[["counts_for_new", "counts_for_existing"]])
    reach = pairs[settings.within_min(pairs["walk_min"])].merge(areas[["area_id", "status", "households"]])
    reach = reach.merge(fac, on="facility_id")
    counted = reach[np.where(reach["status"] == "new", reach["counts_for_new"], reach["counts_for_existing"])]
    demand = counted.groupby("facility_id")["households"].sum()
    ratio = (fac.set_index("facility_id")["floor_area_m2"].reindex(demand.index) / demand).where(demand > 0, 0.0)
    per_household = counted["facility_id"].map(ratio).groupby(counted["area_id"]).sum()
    return areas["area_id"].map(per_household).fillna(0.0).to_numpy()


T = TypeVar("T")


def best_of(repeat: int, call: Callable[[], T]) -> tuple[float, T]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return min(times), result


def run(name: str, repeat: int) -> dict:
    n_areas, n_facilities, reach = CASES[name]
    areas, facilities, pairs = make_case(n_areas, n_facilities, reach)
    # the recipe has no notion of floor area built with a new area: compare the walk reading
    profile = load_profile("dong_e", {"new_area_counts": "within_walk"})
    settings = profile.walk_settings()
    siting_s, shares = best_of(
        repeat,
        lambda: floor_area_shares(areas, facilities, pairs, profile, settings).per_household_m2(
            facilities["floor_area_m2"].to_numpy()
        ),
    )
    recipe_s, recipe = best_of(repeat, lambda: pandas_recipe(areas, facilities, pairs, profile, settings))
    own_profile = load_profile("dong_e")
    own_s, _ = best_of(repeat, lambda: floor_area_shares(areas, facilities, pairs, own_profile, settings))
    check_s, result = best_of(1, lambda: check_compliance_pairs(areas, facilities, pairs, own_profile))
    diff = float(np.max(np.abs(shares - recipe) / np.maximum(np.abs(recipe), 1e-12))) if len(recipe) else 0.0
    return {
        "case": name,
        "areas": n_areas,
        "facilities": n_facilities,
        "pairs": len(pairs),
        "siting_s": round(siting_s, 4),
        "recipe_s": round(recipe_s, 4),
        "ratio": round(recipe_s / siting_s, 1),
        "siting_own_s": round(own_s, 4),
        "check_compliance_s": round(check_s, 2),
        "rules": len(result.rules),
        "max_rel_diff": diff,
        "agree": diff <= 1e-12,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small case only")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    args = parser.parse_args(argv)
    rows = []
    for name in QUICK if args.quick else CASES:
        row = run(name, args.repeat)
        print("JSON " + json.dumps(row), flush=True)
        rows.append(row)
    print(pd.DataFrame(rows).to_string(index=False))
    return 0 if all(r["agree"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
