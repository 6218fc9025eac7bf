"""OR-Library instances with published optima (../shared/benchmarks; skipped when absent).

Small instances run in the default suite; the rest are marked slow.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from siting.optimize import PMedian, SetCover

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks"

spec = importlib.util.spec_from_file_location("orlib", ROOT / "benchmarks" / "orlib.py")
orlib = importlib.util.module_from_spec(spec)
spec.loader.exec_module(orlib)


def _need_shared() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/benchmarks is not present")


def _optimum(csv_path: Path, instance: str) -> float:
    with csv_path.open() as fh:
        return next(float(r["optimal"]) for r in csv.DictReader(fh) if r["instance"] == instance)


def _slow_after(names: list[str], fast: int) -> list:
    return [pytest.param(n, marks=pytest.mark.slow) if i >= fast else n for i, n in enumerate(names)]


PMED = _slow_after([f"pmed{i}" for i in range(1, 21)], 5)
PMEDCAP = _slow_after([f"pmedcap1_{i:02d}" for i in range(1, 11)], 2)
SCP = _slow_after([f"scp4{i}" for i in range(1, 6)], 1)


def test_pmed_reader_keeps_last_repeated_edge():
    _need_shared()
    dist, p = orlib.pmed_costs(SHARED / "orlib_pmed" / "pmed1.txt")
    assert dist.shape == (100, 100) and p == 5
    # independent reading: a dict overwritten line by line keeps the last value of each edge
    tokens = (SHARED / "orlib_pmed" / "pmed1.txt").read_text().split()
    m = int(tokens[1])
    last = {}
    for k in range(m):
        i, j, c = (int(t) for t in tokens[3 + 3 * k : 6 + 3 * k])
        last[frozenset((i - 1, j - 1))] = c
    direct = [(tuple(e), c) for e, c in last.items() if len(e) == 2]
    assert all(dist[i, j] <= c for (i, j), c in direct)
    assert any(dist[i, j] == c for (i, j), c in direct)


@pytest.mark.parametrize("instance", PMED)
@pytest.mark.parametrize("method", ["heuristic", "exact"])
def test_pmed(instance, method):
    _need_shared()
    problem, p = orlib.pmed_problem(SHARED / "orlib_pmed" / f"{instance}.txt")
    optimum = _optimum(SHARED / "optimal_values.csv", instance)
    model = PMedian(p=p, method=method).solve(problem)
    assert model.selected_.size == p
    if method == "exact":
        assert model.status == "optimal" and model.objective == optimum and model.bound == optimum
    else:
        assert model.objective <= optimum * 1.005
        assert model.bound <= optimum  # the Lagrangian bound is a true lower bound
        if model.status == "optimal":
            assert model.objective == optimum


def test_pmed_heuristic_reaches_the_published_optimum_on_pmed1_to_5():
    """Quality guard of the default heuristic settings (objective values only, no timing)."""
    _need_shared()
    for i in range(1, 6):
        problem, p = orlib.pmed_problem(SHARED / "orlib_pmed" / f"pmed{i}.txt")
        model = PMedian(p=p, method="heuristic").solve(problem)
        assert model.objective == _optimum(SHARED / "optimal_values.csv", f"pmed{i}"), f"pmed{i}"


def test_generated_pmed_instance_has_the_stated_size_and_is_connected(tmp_path):
    path = tmp_path / "pmed21.txt"
    orlib.write_pmed(path, 60, 300, 4, np.random.default_rng(0))
    dist, p = orlib.pmed_costs(path)
    tokens = np.array(path.read_text().split(), dtype=np.int64)
    edges = tokens[3:].reshape(-1, 3)
    assert tokens[:3].tolist() == [60, 300, 4] and p == 4 and len(edges) == 300
    key = np.minimum(edges[:, 0], edges[:, 1]) * 100 + np.maximum(edges[:, 0], edges[:, 1])
    assert len(np.unique(key)) == 300 and (edges[:, 0] != edges[:, 1]).all()
    assert edges[:, 2].min() >= 1 and edges[:, 2].max() <= 100
    assert np.isfinite(dist).all()  # connected


@pytest.mark.slow
def test_pmed_heuristic_hits_at_least_18_optima():
    _need_shared()
    hits = 0
    for i in range(1, 21):
        problem, p = orlib.pmed_problem(SHARED / "orlib_pmed" / f"pmed{i}.txt")
        hits += PMedian(p=p).solve(problem).objective == _optimum(SHARED / "optimal_values.csv", f"pmed{i}")
    assert hits >= 18


@pytest.mark.parametrize("instance", PMEDCAP)
@pytest.mark.parametrize("method", ["heuristic", "exact"])
def test_pmedcap(instance, method):
    _need_shared()
    problem, p = orlib.pmedcap_problem(SHARED / "orlib_pmedcap" / f"{instance}.txt")
    optimum = _optimum(SHARED / "orlib_pmedcap" / "best_known.csv", instance)
    model = PMedian(p=p, method=method, capacitated=True).solve(problem)
    used = {j: problem.load[model.assignment_ == j].sum() for j in model.selected_}
    assert all(v <= problem.capacity[j] for j, v in used.items())
    assert (model.assignment_ >= 0).all()
    if method == "exact":
        assert model.status == "optimal" and model.objective == pytest.approx(optimum)
    else:
        assert model.objective <= optimum * 1.01


@pytest.mark.parametrize("instance", SCP)
@pytest.mark.parametrize("method", ["greedy", "heuristic", "exact"])
def test_scp(instance, method):
    _need_shared()
    problem = orlib.scp_problem(SHARED / "orlib_scp" / f"{instance}.txt")
    optimum = _optimum(SHARED / "orlib_scp" / "optimal_values.csv", instance)
    model = SetCover(method=method).solve(problem)
    assert problem.covered_by(model.selected_).all()
    assert model.objective == problem.site_costs[model.selected_].sum()
    if method == "exact":
        assert model.status == "optimal" and model.objective == optimum
    elif method == "heuristic":
        assert model.objective <= optimum * 1.05 and model.bound <= optimum
    else:
        assert model.objective >= optimum
