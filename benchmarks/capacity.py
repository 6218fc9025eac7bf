"""Capacitated siting on a generated county: the fast heuristic beside the exact model (HiGHS).

    .venv/bin/python benchmarks/capacity.py [--objective p_median|max_coverage|set_cover ...]
        [--method heuristic exact ...] [--p N] [--time-limit S] [--areas N] [--candidates N]

The county is the one of ``benchmarks/reachability.py`` (a perturbed 330 × 330 street grid of about
30 km × 30 km, 3,500 residential areas clustered in 14 towns plus villages), with 250 existing
facilities and 2,000 candidate sites placed in other blocks the same way. Walks within 15 minutes
at 60 m/min are the pairs (:func:`siting.reachability.site_pairs`), and the problem is built by
:meth:`siting.optimize.SitingProblem.from_tables` with 20 m² of floor area per 100 households:

* existing facilities: the 14 township centres 1,500 m², community centres 200–600 m² that may be
  enlarged by half (their capacity is the largest size), all counted by the floor-area rule;
* candidates: a largest floor area of 300, 500, 800 or 1,000 m² each (drawn with a fixed seed).

Each run solves one objective with capacity by one method and prints one JSON line: objective,
bound, gap, status, seconds of the solve alone (building the county and the pairs is timed
separately as ``build_s``), new sites, whether any capacity is exceeded (it must never be), and
the weight served. The problem is cached in a pickle under the system's temporary folder, keyed
by the arguments that shape it.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import pickle
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from siting import network as street_network
from siting.optimize import MaxCoverage, PMedian, SetCover, SitingProblem, Solver
from siting.optimize import problem as problem_module
from siting.reachability import WalkSettings, site_pairs

HERE = Path(__file__).resolve().parent
RATE_M2_PER_100_HOUSEHOLDS = 20.0


def _reachability_module():
    spec = importlib.util.spec_from_file_location("bench_reachability", HERE / "reachability.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {HERE / 'reachability.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def county_problem(n_areas: int, n_facilities: int, n_candidates: int, side: int, seed: int) -> SitingProblem:
    """The generated county as a capacitated siting problem (see the module docstring)."""
    bench = _reachability_module()
    graph, xs, ys = bench.county_network(side, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the generated grid has small disconnected pieces by design
        net = street_network.from_graph(graph, source="generated county", walk_filter=False)
    del graph
    areas, points = bench.county_features(net.crs, xs, ys, n_areas, n_facilities + n_candidates, seed=4)
    rng = np.random.default_rng(seed)
    facilities = points.iloc[:n_facilities].copy()
    facilities["name"] = facilities["facility_id"]
    facilities["floor_area_m2"] = np.where(
        facilities["level"] == "township", 1500.0, rng.integers(2, 7, n_facilities) * 100.0
    )
    # every facility counts toward the floor-area rule; community centres may grow by half
    facilities["counts_toward_compliance"] = True
    facilities["max_floor_area_m2"] = np.where(
        facilities["level"] == "township", facilities["floor_area_m2"], 1.5 * facilities["floor_area_m2"]
    )
    candidates = points.iloc[n_facilities:].copy().reset_index(drop=True)
    candidates = candidates.rename(columns={"facility_id": "candidate_id"}).drop(columns="level")
    candidates["candidate_id"] = [f"C{i:04d}" for i in range(n_candidates)]
    candidates["name"] = candidates["candidate_id"]
    candidates["max_floor_area_m2"] = rng.choice([300.0, 500.0, 800.0, 1000.0], n_candidates)
    settings = WalkSettings()
    facility_pairs = site_pairs(net, areas, facilities, id_column="facility_id", settings=settings)
    candidate_pairs = site_pairs(net, areas, candidates, id_column="candidate_id", settings=settings)
    return SitingProblem.from_tables(
        areas,
        facilities,
        candidates,
        facility_pairs,
        candidate_pairs,
        settings=settings,
        rate_m2_per_100_households=RATE_M2_PER_100_HOUSEHOLDS,
    )


def cached_problem(args: argparse.Namespace) -> tuple[SitingProblem, float]:
    """The county problem, built once per shape and kept in a pickle; seconds to build it (0 if cached).

    The key holds the shape and the text of this file and of the problem's module, so a changed
    generator or problem class never reads a stale pickle.
    """
    shape = (args.areas, args.facilities, args.candidates, args.side, args.seed)
    sources = Path(__file__).read_bytes() + Path(problem_module.__file__).read_bytes()
    key = hashlib.sha1(repr(shape).encode() + sources).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"siting-capacity-county-{key}.pickle"
    if path.exists():
        with path.open("rb") as fh:
            return pickle.load(fh), 0.0
    start = time.perf_counter()
    problem = county_problem(*shape)
    seconds = time.perf_counter() - start
    with path.open("wb") as fh:
        pickle.dump(problem, fh)
    return problem, seconds


def run(problem: SitingProblem, objective: str, method: str, p: int, time_limit_s: float | None) -> dict:
    """Solve one objective with capacity and check the result against the problem's own arrays."""
    kwargs = {"method": method, "capacitated": True, "time_limit_s": time_limit_s}
    model: Solver
    if objective == "p_median":
        model = PMedian(p=p, **kwargs)
    elif objective == "max_coverage":
        model = MaxCoverage(p=p, **kwargs)
    else:
        model = SetCover(allow_unreachable=True, **kwargs)
    model.solve(problem)
    assert problem.capacity is not None  # the rate per 100 households gives every site a capacity
    assign = model.assignment_
    served = assign >= 0
    used = np.bincount(assign[served], weights=problem.load[served], minlength=problem.n_sites)
    over = float(np.maximum(used - problem.capacity, 0.0).max()) if served.any() else 0.0
    return {
        "objective_kind": objective,
        "method": method,
        "p": p if objective != "set_cover" else None,
        "objective": model.objective,
        "bound": None if np.isnan(model.bound) else model.bound,
        "gap": None if np.isnan(model.gap) else round(model.gap, 6),
        "status": model.status,
        "seconds": round(model.seconds, 2),
        "new_sites": len(model.selected_),
        "largest_excess_m2": over,
        "weight_served": float(problem.weights[served].sum()),
        "weight_total": float(problem.weights.sum()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objective", nargs="+", default=["p_median", "max_coverage", "set_cover"])
    parser.add_argument("--method", nargs="+", default=["heuristic"])
    parser.add_argument("--p", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per solve")
    parser.add_argument("--areas", type=int, default=3500)
    parser.add_argument("--facilities", type=int, default=250)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--side", type=int, default=330, help="street grid nodes per side")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    problem, build_s = cached_problem(args)
    assert problem.capacity is not None
    info = {
        "areas": problem.n_demand,
        "sites": problem.n_sites,
        "candidates": problem.n_candidates,
        "pairs": len(problem.rows),
        "load_m2": round(float(problem.load.sum()), 1),
        "existing_capacity_m2": float(problem.capacity[problem.fixed].sum()),
        "build_s": round(build_s, 2),
    }
    print(json.dumps(info), flush=True)
    for objective in args.objective:
        for method in args.method:
            print(json.dumps(run(problem, objective, method, args.p, args.time_limit)), flush=True)


if __name__ == "__main__":
    main()
