"""Benchmark siting's optimisers on a generated county and city, and the city's network and pair table.

    python benchmarks/optimize.py prepare county|city   # generate, build the network (timed), keep it
    python benchmarks/optimize.py reach county|city     # reachability and pair table on it; saves the problem
    python benchmarks/optimize.py write county|city     # the streets as .osm.pbf and GraphML files, once
    python benchmarks/optimize.py read county|city --format pbf|graphml   # read one (timed), then as reach
    python benchmarks/optimize.py solve county|city --method heuristic|exact [--time-limit S]
    python benchmarks/optimize.py spopt county|city [--time-limit S] [--memory-gb G]
    python benchmarks/optimize.py all [--cases county city]

Cases (the street generator of ``benchmarks/reachability.py``: a perturbed grid with missing links and
diagonal lanes, areas in blocks clustered in 14 towns plus villages; straight streets carry no
geometry, as OSMnx stores them):

========  =============================  =======  ========  ==========  ===
case      grid                           areas    existing  candidates  p
========  =============================  =======  ========  ==========  ===
county    330 × 330 (108,888 nodes)      3,500    70        2,000       20
city      1000 × 1000 (1,000,000 nodes)  20,000   400       10,000      50
========  =============================  =======  ========  ==========  ===

``prepare`` (a fresh process) times generating the networkx graph and :func:`siting.network.from_graph`,
with the memory the graph takes and the peak while building. ``reach`` (a fresh process, from the built
network) times :func:`siting.reachability.assess_access` for the existing centres and
:func:`siting.reachability.site_pairs` for the candidates (and, for comparison, the same pair table
searched over the whole graph, as before the local subgraphs), reports the process's peak memory, and
saves the p-median problem (pairs within 15 minutes at 60 m/min) under ``--cache``. ``solve`` (a fresh
process) solves it with `PMedian` and reports objective, bound, gap, status, seconds, the incumbent and
bound over time, and peak memory.
``spopt`` builds PySAL spopt's dense ``PMedian.from_cost_matrix`` model of the same problem (pairs out
of reach cost the unserved penalty, existing centres predefined) and solves it with HiGHS through pulp,
in a process limited to ``--memory-gb`` and ``--time-limit``. Each step prints one ``JSON {...}`` line
with the date and the load average (other processes share the machine).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting import network as street_network
from siting.optimize import PMedian, SitingProblem
from siting.reachability import WalkSettings, _pairs, _virtual_graph, assess_access, site_pairs

# the county generator shared with benchmarks/reachability.py and tools/make_province.py; tools/ is part of
# the checkout, not of the installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.make_province import county_features, county_network

CASES = {
    "county": {"side": 330, "areas": 3500, "existing": 70, "candidates": 2000, "p": 20},
    "city": {"side": 1000, "areas": 20000, "existing": 400, "candidates": 10000, "p": 50},
}
WALK_SPEED_M_PER_MIN = 60.0
WALK_MINUTES = 15.0
DEFAULT_CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "siting-bench-optimize"
#: Targets of issue 15 (2 cores), reported beside the figures.
TARGETS = {
    "county_exact_s": 60.0,
    "city_heuristic_gap": 0.005,
    "city_heuristic_s": 60.0,
    "city_exact_s": 600.0,
    "city_pairs_s": 3.0,
    "city_assess_s": 4.0,
    "city_build_s": 15.0,
    "city_peak_mb": 2048.0,
}


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def _stamp() -> dict:
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
    }


@contextlib.contextmanager
def _timed() -> Iterator[dict]:
    """Wall and CPU seconds of the block (CPU: this process; others share the machine's 2 cores)."""
    times: dict = {}
    wall, cpu = time.perf_counter(), time.process_time()
    yield times
    times.update(s=round(time.perf_counter() - wall, 3), cpu_s=round(time.process_time() - cpu, 3))


def _emit(record: dict) -> None:
    print("JSON " + json.dumps({**record, **_stamp()}), flush=True)


def _sites(crs: Any, xs: np.ndarray, ys: np.ndarray, spec: dict) -> tuple[Any, Any, Any]:
    """The case's 小区, existing centres and candidates (numbered ``C00000``…), drawn the same way by every step."""
    areas, features = county_features(crs, xs, ys, spec["areas"], spec["existing"] + spec["candidates"], seed=4)
    existing = features.iloc[: spec["existing"]].reset_index(drop=True)
    candidates = features.iloc[spec["existing"] :].reset_index(drop=True).drop(columns="level")
    candidates = candidates.rename(columns={"facility_id": "candidate_id"})
    candidates["candidate_id"] = [f"C{i:05d}" for i in range(len(candidates))]
    return areas, existing, candidates


def prepare(case: str, cache: Path) -> dict:
    """Generate the case and build its network (timed); keep network, areas and sites for ``reach``."""
    spec = CASES[case]
    with _timed() as generate:
        graph, xs, ys = county_network(spec["side"], seed=3, geometry=False)
    generated_mb = _peak_mb()
    with _timed() as build, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = street_network.from_graph(graph, source=f"generated {case}", walk_filter=False)
    built_mb = _peak_mb()
    del graph
    gc.collect()
    areas, existing, candidates = _sites(net.crs, xs, ys, spec)
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f"{case}-network.pickle", "wb") as handle:
        pickle.dump((dataclasses.replace(net, _tree=None), areas, existing, candidates), handle, protocol=5)
    record = {
        "step": "prepare",
        "case": case,
        "nodes": int(net.n_nodes),
        "edges": len(net.edges),
        "generate_s": generate["s"],
        "build_s": build["s"],
        "build_cpu_s": build["cpu_s"],
        "rss_networkx_graph_mb": generated_mb,
        "peak_rss_build_mb": built_mb,
    }
    _emit(record)
    return record


def _reach(net, areas, existing, candidates) -> tuple[WalkSettings, Any, pd.DataFrame, dict, dict]:
    """``assess_access`` for the existing centres, then ``site_pairs`` for the candidates, each timed."""
    settings = WalkSettings(walk_speed_m_per_min=WALK_SPEED_M_PER_MIN, walk_minutes=WALK_MINUTES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with _timed() as assess:
            access = assess_access(net, areas, existing, settings)
        with _timed() as local:
            pairs = site_pairs(
                net,
                areas,
                candidates,
                id_column="candidate_id",
                settings=settings,
                area_attachment=access.area_attachment,
            )
    return settings, access, pairs, assess, local


def reach(case: str, cache: Path, whole_graph: bool) -> dict:
    """On the built network (a fresh process): reachability of the existing centres and the candidates' pairs."""
    import psutil

    with open(cache / f"{case}-network.pickle", "rb") as handle:
        net, areas, existing, candidates = pickle.load(handle)
    loaded_mb = psutil.Process().memory_info().rss / 2**20
    timings: dict[str, float] = {}
    settings, access, pairs, assess, local = _reach(net, areas, existing, candidates)
    # the part of assess_access that builds the edges' spatial index (the pickle leaves it out), on a copy
    with _timed() as tree:
        dataclasses.replace(net, _tree=None).edge_tree  # noqa: B018
    timings.update(
        assess_access_s=assess["s"],
        assess_access_cpu_s=assess["cpu_s"],
        edge_tree_s=tree["s"],
        edge_tree_cpu_s=tree["cpu_s"],
        candidate_pairs_s=local["s"],
        candidate_pairs_cpu_s=local["cpu_s"],
    )
    peak_mb = _peak_mb()
    if whole_graph:
        from siting.snapping import attach_points

        area_attachment = access.area_attachment
        if area_attachment is None:
            raise SystemExit("assess_access kept no attachment of the areas")
        sites = attach_points(net, candidates)
        virtual = _virtual_graph(net, area_attachment, sites)
        with _timed() as whole:
            old = _pairs(virtual, area_attachment, sites, settings.walk_distance_m, 64.0)
        timings.update(candidate_pairs_whole_graph_s=whole["s"], candidate_pairs_whole_graph_cpu_s=whole["cpu_s"])
        if len(old) != len(pairs):
            raise SystemExit("the local and the whole-graph pair tables differ")
        del old, virtual
    problem = SitingProblem.from_tables(areas, existing, candidates, access.pairs, pairs, settings=settings)
    np.savez_compressed(
        cache / f"{case}.npz",
        weights=problem.weights,
        rows=problem.rows,
        cols=problem.cols,
        costs=problem.costs,
        n_sites=problem.n_sites,
        fixed=problem.fixed,
    )
    record = {
        "step": "reach",
        "case": case,
        "areas": len(areas),
        "existing": len(existing),
        "candidates": len(candidates),
        **timings,
        "facility_pairs": len(access.pairs),
        "candidate_pairs": len(pairs),
        "problem_pairs": len(problem.rows),
        "areas_within_walk_share": round(float(access.areas["within_walk"].mean()), 4),
        "rss_network_loaded_mb": round(loaded_mb, 1),
        "peak_rss_mb": peak_mb,
    }
    _emit(record)
    return record


def _grid_ways(links: np.ndarray, side: int) -> list[np.ndarray]:
    """The generated links as OSM ways: one per run of consecutive links along a grid line (a line
    broken where a link is missing, as a street ends), and one per diagonal lane."""
    node = np.arange(side * side).reshape(side, side)
    low, step = links.min(axis=1), np.abs(links[:, 1] - links[:, 0])
    # node (i, j) is i * side + j: a link to (i + 1, j) steps by side, to (i, j + 1) by 1
    linked = {by: np.zeros(side * side, dtype=bool) for by in (side, 1)}
    for by, present in linked.items():
        present[low[step == by]] = True
    ways = []
    for line, by in [*((line, side) for line in node.T), *((line, 1) for line in node)]:
        runs = np.flatnonzero(np.diff(np.r_[0, linked[by][line[:-1]].astype(np.int8), 0])).reshape(-1, 2)
        ways += [line[start : stop + 1] for start, stop in runs]
    ways += list(links[(step != side) & (step != 1)])  # the diagonal lanes
    return ways


def write_files(case: str, cache: Path) -> dict:
    """Write the case's streets once as an ``.osm.pbf`` (one way per street: a run of links along a
    grid line, or a diagonal lane) and as an OSMnx-style GraphML, both from the generator's arrays
    without a networkx graph, and keep areas and sites for ``read``."""
    from pyproj import Transformer
    from pyrosm.pbf_export import write_pbf_from_records

    from tools.make_province import COUNTY_CRS, county_streets

    spec = CASES[case]
    cache.mkdir(parents=True, exist_ok=True)
    with _timed() as generate:
        xy, links, _, xs, ys = county_streets(spec["side"], seed=3)
        ways = _grid_ways(links, spec["side"])
    lon, lat = Transformer.from_crs(COUNTY_CRS, "EPSG:4326", always_xy=True).transform(xy[:, 0], xy[:, 1])
    pbf = cache / f"{case}.osm.pbf"
    with _timed() as write_pbf:
        # pyrosm's writer (already a dependency) takes the nodes as arrays
        nodes = {"id": np.arange(1, len(xy) + 1), "lon": lon, "lat": lat, "tags": np.full(len(xy), None, dtype=object)}
        records = [
            {"id": k + 1, "tags": {"highway": "residential", "name": f"{k % 997}路"}, "refs": way + 1}
            for k, way in enumerate(ways)
        ]
        write_pbf_from_records(nodes, records, [], str(pbf), (lon.min(), lat.min(), lon.max(), lat.max()))
    graphml = cache / f"{case}.graphml"
    with _timed() as write_graphml:
        _write_graphml(graphml, lon, lat, ways)
    areas, existing, candidates = _sites(COUNTY_CRS, xs, ys, spec)
    with open(cache / f"{case}-sites.pickle", "wb") as handle:
        pickle.dump((areas, existing, candidates), handle, protocol=5)
    record = {
        "step": "write",
        "case": case,
        "nodes": len(xy),
        "links": len(links),
        "ways": len(ways),
        "generate_s": generate["s"],
        "write_pbf_s": write_pbf["s"],
        "pbf_mb": round(pbf.stat().st_size / 2**20, 1),
        "write_graphml_s": write_graphml["s"],
        "graphml_mb": round(graphml.stat().st_size / 2**20, 1),
        "peak_rss_mb": _peak_mb(),
    }
    _emit(record)
    return record


def _write_graphml(path: Path, lon: np.ndarray, lat: np.ndarray, ways: list[np.ndarray]) -> None:
    """The ways' segments as ``osmnx.save_graphml`` writes an unsimplified walking graph: WGS84
    nodes, every street both ways with its way's ``osmid``, straight segments without a geometry."""
    keys = [("d0", "graph", "crs"), ("d1", "node", "y"), ("d2", "node", "x")]
    keys += [("d3", "edge", "osmid"), ("d4", "edge", "highway"), ("d5", "edge", "name"), ("d6", "edge", "length")]
    with open(path, "w", encoding="utf-8") as out:
        out.write("<?xml version='1.0' encoding='utf-8'?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n")
        out.writelines(f'  <key id="{k}" for="{f}" attr.name="{n}" attr.type="string" />\n' for k, f, n in keys)
        out.write('  <graph edgedefault="directed">\n    <data key="d0">epsg:4326</data>\n')
        out.writelines(
            f'    <node id="{i + 1}">\n      <data key="d1">{y!r}</data>\n'
            f'      <data key="d2">{x!r}</data>\n    </node>\n'
            for i, (x, y) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True))
        )
        for k, way in enumerate(ways):
            name = f"{k % 997}路"
            for a, b in zip((way[:-1] + 1).tolist(), (way[1:] + 1).tolist(), strict=True):
                for s, t in ((a, b), (b, a)):
                    out.write(
                        f'    <edge source="{s}" target="{t}" id="0">\n      <data key="d3">{k + 1}</data>\n'
                        f'      <data key="d4">residential</data>\n      <data key="d5">{name}</data>\n'
                        f'      <data key="d6">0</data>\n    </edge>\n'
                    )
        out.write("  </graph>\n</graphml>\n")


def read_file(case: str, cache: Path, fmt: str) -> dict:
    """In a fresh process: the case's ``.osm.pbf`` or GraphML read with :func:`siting.network.from_file`
    (timed, with the peak memory after it), then the ``reach`` step's reachability and pair table, so
    that the whole run's peak is known."""
    path = cache / (f"{case}.osm.pbf" if fmt == "pbf" else f"{case}.graphml")
    with open(cache / f"{case}-sites.pickle", "rb") as handle:
        areas, existing, candidates = pickle.load(handle)
    with _timed() as build, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = street_network.from_file(path)
    built_mb = _peak_mb()
    areas, existing, candidates = (frame.to_crs(net.crs) for frame in (areas, existing, candidates))
    _, access, pairs, assess, local = _reach(net, areas, existing, candidates)
    record = {
        "step": "read",
        "case": case,
        "format": fmt,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "nodes": int(net.n_nodes),
        "edges": len(net.edges),
        "street_km": round(float(net.edges["length_m"].sum()) / 1000, 1),
        "build_s": build["s"],
        "build_cpu_s": build["cpu_s"],
        "peak_rss_build_mb": built_mb,
        "assess_access_s": assess["s"],
        "assess_access_cpu_s": assess["cpu_s"],
        "candidate_pairs_s": local["s"],
        "candidate_pairs_cpu_s": local["cpu_s"],
        "facility_pairs": len(access.pairs),
        "candidate_pairs": len(pairs),
        "peak_rss_mb": _peak_mb(),
    }
    _emit(record)
    return record


def load_problem(case: str, cache: Path) -> SitingProblem:
    data = np.load(cache / f"{case}.npz")
    return SitingProblem(
        data["weights"], data["rows"], data["cols"], data["costs"], int(data["n_sites"]), fixed=data["fixed"]
    )


def _thinned(history: list, every_s: float = 1.0) -> list:
    """The (seconds, objective, bound, gap) history, at most one entry per `every_s` plus the last."""
    out, last = [], -np.inf
    for i, (t, obj, bound) in enumerate(history):
        if t - last >= every_s or i == len(history) - 1:
            gap = abs(obj - bound) / abs(obj) if np.isfinite(obj) and np.isfinite(bound) else None
            out.append([t, obj, bound, None if gap is None else round(gap, 7)])
            last = t
    return out


def solve(case: str, cache: Path, method: str, time_limit_s: float | None, tolerance: float) -> dict:
    problem = load_problem(case, cache)
    cpu = time.process_time()
    model = PMedian(
        p=CASES[case]["p"], method=method, time_limit_s=time_limit_s, tolerance=tolerance, progress=True
    ).solve(problem)
    cpu = time.process_time() - cpu
    record = {
        "step": "solve",
        "case": case,
        "method": method,
        "time_limit_s": time_limit_s,
        "tolerance": tolerance,
        "objective": model.objective,
        "bound": model.bound,
        "gap": model.gap,
        "status": model.status,
        "seconds": round(model.seconds, 2),
        "cpu_s": round(cpu, 2),
        "history": _thinned(model.history_),
        "peak_rss_mb": _peak_mb(),
        "demands": problem.n_demand,
        "candidates": problem.n_candidates,
        "pairs": len(problem.rows),
    }
    _emit(record)
    return record


def spopt_child(case: str, cache: Path, time_limit_s: float) -> None:
    """spopt's dense PMedian of the same problem (run in a memory-limited process by ``spopt``)."""
    import pulp
    from spopt.locate import PMedian as SpoptPMedian

    started = time.perf_counter()
    problem = load_problem(case, cache)
    cost = np.full((problem.n_demand, problem.n_sites), problem.unserved_cost)
    cost[problem.rows, problem.cols] = problem.costs
    predefined = np.zeros(problem.n_sites, dtype=int)
    predefined[problem.fixed] = 1
    built = time.perf_counter()
    model = SpoptPMedian.from_cost_matrix(
        cost, problem.weights, p_facilities=CASES[case]["p"] + len(problem.fixed), predefined_facilities_arr=predefined
    )
    model.solve(pulp.HiGHS(msg=False, timeLimit=time_limit_s))
    value = pulp.value(model.problem.objective)
    print(
        json.dumps(
            {
                "objective": None if value is None else float(value),
                "spopt_status": pulp.LpStatus[model.problem.status],
                "seconds": round(time.perf_counter() - started, 2),
                "matrix_s": round(built - started, 2),
                "peak_rss_mb": _peak_mb(),
            }
        )
    )


def spopt(case: str, cache: Path, time_limit_s: float, memory_gb: float) -> dict:
    limit = int(memory_gb * 2**30)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.perf_counter()
    try:
        out = subprocess.run(
            [sys.executable, __file__, "spopt-child", case, "--cache", str(cache), "--time-limit", str(time_limit_s)],
            capture_output=True,
            text=True,
            timeout=time_limit_s + 120,
            preexec_fn=cap,
        )
        lines = out.stdout.strip().splitlines()
        result = json.loads(lines[-1]) if out.returncode == 0 and lines else {"failed": out.stderr.strip()[-300:]}
    except subprocess.TimeoutExpired:
        result = {"failed": f"did not finish within {time_limit_s + 120:.0f} s"}
    record = {
        "step": "spopt",
        "case": case,
        "time_limit_s": time_limit_s,
        "memory_gb": memory_gb,
        "wall_s": round(time.perf_counter() - started, 1),
        **result,
    }
    _emit(record)
    return record


def _fresh(*args: str) -> None:
    """Run one step of this script in a fresh process (own peak memory, no cache warmed by another)."""
    subprocess.run([sys.executable, __file__, *args], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["prepare", "reach", "write", "read", "solve", "spopt", "spopt-child", "all"])
    parser.add_argument("cases", nargs="*", help=f"some of {', '.join(CASES)} (default: all)")
    parser.add_argument("--method", default="exact", choices=["greedy", "heuristic", "exact"])
    parser.add_argument("--time-limit", type=float, default=None, help="seconds (solve, spopt)")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="solve: relative gap called optimal")
    parser.add_argument("--memory-gb", type=float, default=4.0, help="memory limit of the spopt process")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where prepared problems are kept")
    parser.add_argument("--format", default="pbf", choices=["pbf", "graphml"], help="read: which file")
    parser.add_argument("--no-whole-graph", action="store_true", help="reach: skip the whole-graph pair table")
    args = parser.parse_args(argv)
    cases = args.cases or list(CASES)
    if set(cases) - set(CASES):
        parser.error(f"unknown case(s) {sorted(set(cases) - set(CASES))}; use {', '.join(CASES)}")
    if args.step == "all":
        print(f"# {_stamp()}", flush=True)
        for case in cases:
            _fresh("prepare", case, "--cache", str(args.cache))
            _fresh("reach", case, "--cache", str(args.cache))
            for method, limit in (("heuristic", 60), ("exact", 600)):
                _fresh("solve", case, "--method", method, "--time-limit", str(limit), "--cache", str(args.cache))
            _fresh("spopt", case, "--time-limit", "600", "--cache", str(args.cache))
        return 0
    for case in cases:
        if args.step == "prepare":
            prepare(case, args.cache)
        elif args.step == "reach":
            reach(case, args.cache, whole_graph=not args.no_whole_graph)
        elif args.step == "write":
            write_files(case, args.cache)
        elif args.step == "read":
            read_file(case, args.cache, args.format)
        elif args.step == "solve":
            solve(case, args.cache, args.method, args.time_limit, args.tolerance)
        elif args.step == "spopt":
            spopt(case, args.cache, args.time_limit or 600.0, args.memory_gb)
        else:
            spopt_child(case, args.cache, args.time_limit or 600.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
