"""Run siting's optimisers (or PySAL spopt) on OR-Library instances and print one JSON line each.

    python benchmarks/orlib.py [--method heuristic|exact|greedy|spopt] [--time-limit S] FILE...
    python benchmarks/orlib.py --generate DIR [--seed S]   # pmed21–40-sized instances + their optima


The format is told by the file name: ``pmed*`` (uncapacitated p-median), ``pmedcap*`` (capacitated
p-median), ``scp*`` (weighted set covering). Conventions are those of ../shared/benchmarks/SOURCES.md:
in pmed files the LAST value of a repeated edge counts, then all-pairs shortest paths; pmedcap
distances are floor(Euclidean) and the objective is not weighted by demand. Known optima are read
from the csv files next to the instance files and reported with the ratio objective / optimum.

``--method spopt`` solves the same cost matrices with spopt (PMedian, or LSCP on the unit-cost
version of scp, since spopt's LSCP has no site costs) through pulp's HiGHS API, solves the same
model with siting's exact method, and prints both objectives and the time ratio. spopt cannot
weight the capacity load separately from the objective, so pmedcap is not compared. Unit-cost
set covering is much harder than the weighted original; give ``--time-limit`` (applied to both).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from siting.optimize import PMedian, SetCover, SitingProblem


def _numbers(path: Path) -> np.ndarray:
    return np.array(path.read_text().split(), dtype=np.int64)


def pmed_costs(path: Path) -> tuple[np.ndarray, int]:
    """All-pairs shortest-path matrix (n × n) and p of a ``pmed`` file; the last repeated edge counts."""
    v = _numbers(path)
    n, m, p = (int(x) for x in v[:3])
    edges = v[3 : 3 + 3 * m].reshape(m, 3)
    i, j = edges[:, 0] - 1, edges[:, 1] - 1
    key = np.minimum(i, j) * n + np.maximum(i, j)
    # np.unique keeps the first occurrence; scan reversed so the last edge line wins.
    _, last = np.unique(key[::-1], return_index=True)
    last = m - 1 - last
    a, b, c = i[last], j[last], edges[last, 2].astype(float)
    graph = sp.csr_matrix((c, (a, b)), shape=(n, n))
    return shortest_path(graph, method="D", directed=False), p


def pmed_problem(path: Path) -> tuple[SitingProblem, int]:
    """Unit-weight p-median problem over all vertex pairs (unserved demand forbidden)."""
    dist, p = pmed_costs(path)
    n = len(dist)
    rows, cols = np.divmod(np.arange(n * n), n)
    return SitingProblem(np.ones(n), rows, cols, dist.ravel(), n, unserved_cost=np.inf), p


def pmedcap_problem(path: Path) -> tuple[SitingProblem, int]:
    """Capacitated p-median problem: floor-Euclidean costs, demand as load, one capacity for all."""
    v = _numbers(path)
    n, p, q = (int(x) for x in v[2:5])
    nodes = v[5 : 5 + 4 * n].reshape(n, 4)
    xy = nodes[:, 1:3].astype(float)
    dist = np.floor(np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]))
    rows, cols = np.divmod(np.arange(n * n), n)
    problem = SitingProblem(
        np.ones(n),
        rows,
        cols,
        dist.ravel(),
        n,
        capacity=np.full(n, float(q)),
        load=nodes[:, 3].astype(float),
        unserved_cost=np.inf,
    )
    return problem, p


def scp_problem(path: Path, unit_costs: bool = False) -> SitingProblem:
    """Set covering as a siting problem: rows are demands, columns are candidate sites."""
    v = _numbers(path)
    m, n = int(v[0]), int(v[1])
    costs = v[2 : 2 + n].astype(float)
    pos = 2 + n
    rows, cols = [], []
    for i in range(m):
        k = int(v[pos])
        rows.append(np.full(k, i))
        cols.append(v[pos + 1 : pos + 1 + k] - 1)
        pos += 1 + k
    r, c = np.concatenate(rows), np.concatenate(cols)
    return SitingProblem(np.ones(m), r, c, np.zeros(len(r)), n, site_costs=np.ones(n) if unit_costs else costs)


def known_optima(path: Path) -> dict[str, float]:
    """Optimal values from the csv files of the benchmark folder (instance → value)."""
    out: dict[str, float] = {}
    for csv_path in (
        path.parent / "best_known.csv",
        path.parent / "optimal_values.csv",
        path.parent.parent / "optimal_values.csv",
    ):
        if csv_path.exists():
            with csv_path.open() as fh:
                for row in csv.DictReader(fh):
                    out.setdefault(row["instance"], float(row["optimal"]))
    return out


def kind_of(path: Path) -> str:
    name = path.name
    for prefix in ("pmedcap", "pmed", "scp"):
        if name.startswith(prefix):
            return prefix
    raise SystemExit(f"{path}: cannot tell the format from the file name (expected pmed*, pmedcap*, scp*)")


def run(path: Path, method: str, time_limit_s: float | None) -> dict:
    """Solve one instance with siting; timing includes reading and shortest paths."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    kind = kind_of(path)
    if kind == "scp":
        model = SetCover(method=method, time_limit_s=time_limit_s).solve(scp_problem(path))
    else:
        problem, p = pmed_problem(path) if kind == "pmed" else pmedcap_problem(path)
        model = PMedian(p=p, method=method, capacitated=kind == "pmedcap", time_limit_s=time_limit_s).solve(problem)
    seconds = time.perf_counter() - t0
    out = {
        "instance": path.stem,
        "method": method,
        "objective": model.objective,
        "bound": None if np.isnan(model.bound) else model.bound,
        "status": model.status,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(time.process_time() - cpu0, 3),
        "solve_seconds": round(model.seconds, 3),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }
    optimum = known_optima(path).get(path.stem)
    if optimum is not None:
        out["optimal"] = optimum
        out["ratio"] = round(model.objective / optimum, 6)
    return out


def run_spopt(path: Path, time_limit_s: float | None) -> dict:
    """The same instance with spopt (pulp → HiGHS) and with siting's exact method, side by side."""
    import pulp
    from spopt.locate import LSCP
    from spopt.locate import PMedian as SpoptPMedian

    kind = kind_of(path)
    if kind == "pmedcap":
        return {
            "instance": path.stem,
            "method": "spopt",
            "skipped": "spopt's PMedian weights the objective by the capacity load; pmedcap's objective is unweighted",
        }
    solver_name = "HiGHS" if "HiGHS" in pulp.listSolvers(onlyAvailable=True) else "PULP_CBC_CMD"
    solver = (
        pulp.HiGHS(msg=False, timeLimit=time_limit_s)
        if solver_name == "HiGHS"
        else pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s)
    )
    t0 = time.perf_counter()
    if kind == "pmed":
        dist, p = pmed_costs(path)
        read_seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        spopt_model = SpoptPMedian.from_cost_matrix(dist, np.ones(len(dist)), p_facilities=p).solve(solver)
        spopt_seconds = read_seconds + time.perf_counter() - t1
        ours = run(path, "exact", time_limit_s)
    else:
        problem = scp_problem(path, unit_costs=True)
        # spopt's LSCP takes a dense cost matrix and a radius: covered pairs cost 0, the others 1.
        cost = np.ones((problem.n_demand, problem.n_sites))
        cost[problem.rows, problem.cols] = 0.0
        read_seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        spopt_model = LSCP.from_cost_matrix(cost, service_radius=0.5).solve(solver)
        spopt_seconds = read_seconds + time.perf_counter() - t1
        t1 = time.perf_counter()
        ours_model = SetCover(method="exact", time_limit_s=time_limit_s).solve(problem)
        ours = {
            "objective": ours_model.objective,
            "status": ours_model.status,
            "seconds": round(read_seconds + time.perf_counter() - t1, 3),
        }
    spopt_obj = pulp.value(spopt_model.problem.objective)
    return {
        "instance": path.stem,
        "method": "spopt",
        "solver": solver_name,
        "unit_costs": kind == "scp",
        "objective": None if spopt_obj is None else float(spopt_obj),
        "spopt_status": pulp.LpStatus[spopt_model.problem.status],
        "seconds": round(spopt_seconds, 3),
        "siting_exact_objective": ours["objective"],
        "siting_exact_status": ours["status"],
        "siting_exact_seconds": ours["seconds"],
        "time_ratio_spopt_over_siting": round(spopt_seconds / max(ours["seconds"], 1e-9), 2),
    }


#: (n, edges, p) of OR-Library pmed21–pmed40 (Beasley 1985, Table 2), which are not in ../shared.
PMED_SIZES = {
    21: (500, 5000, 5), 22: (500, 5000, 10), 23: (500, 5000, 50), 24: (500, 5000, 100), 25: (500, 5000, 167),
    26: (600, 7200, 5), 27: (600, 7200, 10), 28: (600, 7200, 60), 29: (600, 7200, 120), 30: (600, 7200, 200),
    31: (700, 9800, 5), 32: (700, 9800, 10), 33: (700, 9800, 70), 34: (700, 9800, 140),
    35: (800, 12800, 5), 36: (800, 12800, 10), 37: (800, 12800, 80),
    38: (900, 16200, 5), 39: (900, 16200, 10), 40: (900, 16200, 90),
}  # fmt: skip


def write_pmed(path: Path, n: int, m: int, p: int, rng: np.random.Generator) -> None:
    """A pmed file of Beasley's kind: a random connected undirected graph, integer edge costs 1–100.

    Connected by a random spanning tree (each vertex in a random order joined to a random earlier
    one), then distinct random edges up to `m`; no edge is repeated, so the last-edge rule is moot.
    """
    order = rng.permutation(n)
    tree = np.c_[order[1:], order[rng.integers(0, np.arange(1, n))]]
    key = set((np.minimum(tree[:, 0], tree[:, 1]) * n + np.maximum(tree[:, 0], tree[:, 1])).tolist())
    while len(key) < m:
        i, j = rng.integers(0, n, size=(2, 2 * (m - len(key))))
        for k in (np.minimum(i, j) * n + np.maximum(i, j))[i != j].tolist():
            if len(key) < m:
                key.add(k)
    keys = np.array(sorted(key))
    edges = np.c_[keys // n + 1, keys % n + 1, rng.integers(1, 101, size=len(keys))]
    edges = edges[rng.permutation(len(edges))]
    lines = [f"{n} {m} {p}"] + [f"{i} {j} {c}" for i, j, c in edges.tolist()]
    path.write_text("\n".join(lines) + "\n")


#: Proven optima of the generated instances, by seed (the exact solves take minutes; kept with the code).
GENERATED_OPTIMA = Path(__file__).with_name("orlib_generated_optima.csv")


def generate(folder: Path, seed: int, time_limit_s: float | None) -> None:
    """Write pmed21–40-sized instances into `folder`, with their proven optima in its optimal_values.csv.

    Optima come from :data:`GENERATED_OPTIMA` when it has the seed's; the others are solved with
    siting's exact method and added to it (one JSON line each). Files already there are kept.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cached: dict[str, str] = {}
    if GENERATED_OPTIMA.exists():
        with GENERATED_OPTIMA.open() as fh:
            cached = {r["instance"]: r["optimal"] for r in csv.DictReader(fh) if int(r["seed"]) == seed}
    rows = []
    for number, (n, m, p) in PMED_SIZES.items():
        path = folder / f"pmed{number}.txt"
        if not path.exists():
            write_pmed(path, n, m, p, np.random.default_rng([seed, number]))
        if path.stem not in cached:
            result = run(path, "exact", time_limit_s)
            print(json.dumps(result), flush=True)
            if result["status"] != "optimal":
                continue
            cached[path.stem] = f"{result['objective']:.0f}"
            new = not GENERATED_OPTIMA.exists()
            with GENERATED_OPTIMA.open("a") as fh:
                fh.write("instance,seed,n,p,optimal\n" if new else "")
                fh.write(f"{path.stem},{seed},{n},{p},{cached[path.stem]}\n")
        rows.append(f"{path.stem},{n},{p},{cached[path.stem]}")
    (folder / "optimal_values.csv").write_text("\n".join(["instance,n,p,optimal", *rows]) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--method", default="heuristic", choices=["heuristic", "exact", "greedy", "spopt"])
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per instance")
    parser.add_argument("--generate", type=Path, help="folder for pmed21–40-sized instances (solved exactly)")
    parser.add_argument("--seed", type=int, default=1985, help="seed of --generate")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.generate is not None:
        generate(args.generate, args.seed, args.time_limit)
    for path in args.files:
        result = run_spopt(path, args.time_limit) if args.method == "spopt" else run(path, args.method, args.time_limit)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
