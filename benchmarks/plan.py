"""The least-cost compliance plan (objective ``compliance``) on a generated county: speed, cost, proof.

    .venv/bin/python benchmarks/plan.py                      # 3,500 areas × 2,000 candidates, about 3 min
    .venv/bin/python benchmarks/plan.py --quick              # a small county, seconds

Builds the generated county of ``benchmarks/reachability.py`` (a perturbed street grid, 14 towns),
gives the facilities floor areas (township centres 400–900 m²,
community centres 150–500 m², any of them may grow to 800 m²), adds candidate sites (largest floor
area 750 m², the toolkit's assumption), towns and communities (Voronoi cells of the township centres
and of every facility; ``--no-units`` leaves them out, and with them the unit rules R07–R10) and plans
with Dong'e's rules at 60 m/min for 15 minutes.
Times ``Study.problem`` (candidate walks and the floor-area rule) and ``Study.propose(..., "compliance")``
with each method; reports the cost, the proven bound and gap, the areas the plan fixes and the ones it
lists as unfixable, and checks, with the compliance check itself, that every fixed area passes.

There is no off-the-shelf alternative that plans floor area by the 2SFCA rule, so the methods are
compared with each other (greedy and heuristic against the proven optimum of the exact method).
Prints one ``JSON {...}`` line per measurement, then a table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import warnings
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import shapely

# the street and area generator shared with benchmarks/reachability.py (this script's folder is on sys.path)
from reachability import county_features, county_network

from siting import BuildSettings, Study
from siting import network as street_network
from siting.optimize import CompliancePlan

#: The rules on townships, communities and the radius the plan plans with units (R07, R08, R09, R10).
UNIT_RULES = ("street_centres", "town_centres", "township_catchment", "community_facilities")
CASES = {
    "county": {"side": 330, "areas": 3500, "facilities": 250, "candidates": 2000},
    "small": {"side": 80, "areas": 400, "facilities": 25, "candidates": 200},
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _units(facilities, xs: np.ndarray, ys: np.ndarray):
    """Towns (镇): the Voronoi cells of the township centres; communities (社区, urban): the cells of every
    facility, each in the town holding its facility. Cut to the county."""
    county = shapely.box(xs[0], ys[0], xs[-1], ys[-1])

    def cells(points):
        parts = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=county, ordered=True))
        return shapely.intersection(parts, county)

    points = facilities.geometry.to_numpy()
    township = (facilities["level"] == "township").to_numpy()
    towns = cells(points[township])
    town_names = np.array([f"第{i + 1}镇" for i in range(len(towns))], dtype=object)
    parent = town_names[shapely.STRtree(towns).query(points, predicate="within")[1]]
    n = len(points)
    return type(facilities)(
        {
            "name": [*town_names, *[f"第{i + 1}社区" for i in range(n)]],
            "level": ["township"] * len(towns) + ["community"] * n,
            "parent": [None] * len(towns) + list(parent),
            "unit_type": ["town"] * len(towns) + ["community"] * n,
            "urban": True,
        },
        geometry=[*towns, *cells(points)],
        crs=facilities.crs,
    )


def build(case: str, units: bool) -> tuple[Study, object]:
    spec = CASES[case]
    graph, xs, ys = county_network(spec["side"], seed=3, geometry=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = street_network.from_graph(graph, source=f"generated {case}", walk_filter=False)
    areas, features = county_features(net.crs, xs, ys, spec["areas"], spec["facilities"] + spec["candidates"], seed=4)
    rng = np.random.default_rng(5)
    # all existing: under the profiles a new area counts only a centre built with it, not candidates nearby
    areas["status"] = "existing"
    facilities = features.iloc[: spec["facilities"]].reset_index(drop=True)
    township = (facilities["level"] == "township").to_numpy()
    facilities["name"] = facilities["facility_id"]
    facilities["floor_area_m2"] = np.where(
        township, rng.integers(400, 900, len(facilities)), rng.integers(150, 500, len(facilities))
    ).astype(float)
    candidates = features.iloc[spec["facilities"] :].reset_index(drop=True)
    candidates = pd.DataFrame({"candidate_id": [f"C{i:05d}" for i in range(len(candidates))]}).join(
        candidates[["geometry"]]
    )
    candidates = type(features)(candidates, geometry="geometry", crs=features.crs)
    candidates["name"] = candidates["candidate_id"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = Study.create(
            net,
            areas,
            facilities,
            profile="dong_e",
            build=BuildSettings(facility_max_floor_area_m2=800),
            units=_units(facilities, xs, ys) if units else None,
        )
    return study, candidates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small county only")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds for each method")
    parser.add_argument("--no-units", action="store_true", help="without towns and communities (no unit rules)")
    parser.add_argument("--methods", default="greedy,heuristic,exact", help="comma-separated (default: all)")
    args = parser.parse_args(argv)
    case = "small" if args.quick else "county"
    stamp = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    start = time.perf_counter()
    study, candidates = build(case, units=not args.no_units)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = study.check().summary
    setup_s = time.perf_counter() - start
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        problem = study.problem(candidates)
    problem_s = time.perf_counter() - start
    rows = []
    for method in args.methods.split(","):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            proposal = study.propose(candidates, "compliance", method=method, time_limit_s=args.time_limit)
        seconds = time.perf_counter() - start
        model = proposal.model
        assert isinstance(model, CompliancePlan)
        plan = study.plan(proposal)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            checked = plan.check().areas.set_index("area_id")
        claimed = problem.demand_ids[model.fixed_]
        verdicts = checked.loc[claimed, "floor_area_ok"].dropna()
        record = {
            **stamp,
            "case": case,
            "units": not args.no_units,
            "method": method,
            "areas": problem.n_demand,
            "candidates": problem.n_candidates,
            "pairs": len(problem.rows),
            "setup_s": round(setup_s, 2),
            "problem_s": round(problem_s, 2),
            "propose_s": round(seconds, 2),
            "status": model.status,
            "cost": model.objective,
            "bound": model.bound,
            "gap": model.gap,
            "new_sites": int((proposal.sites["kind"] == "new").sum()),
            "expanded": int((proposal.sites["kind"] == "expand").sum()),
            "added_m2": float(proposal.sites["added_floor_area_m2"].sum()),
            "largest_m2": float(proposal.sites["recommended_floor_area_m2"].max()) if len(proposal.sites) else 0.0,
            "over_cap": int((proposal.sites["recommended_floor_area_m2"] > proposal.sites["max_floor_area_m2"]).sum()),
            "unfixable": len(proposal.unfixable),
            "unfixable_units": len(proposal.unfixable_units),
            "unit_rules_after": {
                r: v for r, v in plan.check().rules.set_index("rule")["verdict"].items() if r in UNIT_RULES
            },
            "claimed_pass": bool(verdicts.all()),
            "compliance_before": before["compliance_rate_households"],
            "compliance_after": plan.check().summary["compliance_rate_households"],
            "peak_rss_mb": round(_peak_mb()),
        }
        print("JSON", json.dumps(record, ensure_ascii=False), flush=True)
        rows.append(record)
    table = pd.DataFrame(rows)[
        ["method", "propose_s", "status", "cost", "bound", "gap", "new_sites", "expanded", "added_m2", "unfixable",
         "claimed_pass", "compliance_before", "compliance_after"]
    ]  # fmt: skip
    print(table.to_string(index=False))
    return 0 if all(r["claimed_pass"] and r["over_cap"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
