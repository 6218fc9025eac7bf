"""Capacitated solvers: enumeration oracles, honest bounds, capacities never exceeded, consistent rows."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from siting.optimize import MaxCoverage, PMedian, SetCover, SitingProblem
from siting.optimize.capacitated import Capacities, knapsack_dp, knapsack_lp
from siting.optimize.heuristics import Allocation
from tests.test_optimize import brute_force, evaluate

SOLVERS = {
    "pmedian": lambda method, **kw: PMedian(p=2, method=method, capacitated=True, **kw),
    "mclp": lambda method, **kw: MaxCoverage(p=2, method=method, capacitated=True, **kw),
    "cover": lambda method, **kw: SetCover(method=method, capacitated=True, **kw),
}


def tight_problem(seed: int, n_demand: int = 5, n_sites: int = 5) -> SitingProblem:
    """A small instance whose capacities bind: loads 2–6, capacities 3–10, an existing site with
    capacity 0 (a facility the floor-area rule does not count) on odd seeds."""
    rng = np.random.default_rng(seed)
    xy_d = rng.uniform(0, 10, (n_demand, 2))
    xy_s = rng.uniform(0, 10, (n_sites, 2))
    d = np.round(np.hypot(*(xy_d[:, None, :] - xy_s[None, :, :]).transpose(2, 0, 1)), 1)
    rows, cols = np.nonzero(d <= 7.0)
    weights = rng.integers(1, 10, n_demand).astype(float)
    capacity = rng.integers(3, 11, n_sites).astype(float)
    fixed = None
    if seed % 2:
        capacity[0] = 0.0
        fixed = [0]
    return SitingProblem(
        weights,
        rows,
        cols,
        d[rows, cols],
        n_sites,
        fixed=fixed,
        capacity=capacity,
        load=rng.integers(2, 7, n_demand).astype(float),
    )


@pytest.mark.parametrize("seed", range(10, 20))
@pytest.mark.parametrize("kind", ["pmedian", "mclp", "cover"])
def test_capacitated_methods_against_enumeration(seed, kind):
    problem = tight_problem(seed)
    if kind == "cover" and len(problem.unreachable()):
        pytest.skip("some area is out of every site's reach")
    optimum = brute_force(problem, kind, 2, True)
    maximise = kind == "mclp"
    for method in ("greedy", "heuristic", "exact"):
        model = SOLVERS[kind](method).solve(problem)
        if not np.isfinite(optimum):
            assert model.status == "infeasible", method
            continue
        assert model.status in ("optimal", "feasible"), (method, model.message)
        # the objective is what the returned sites and assignment are worth; no capacity exceeded
        assert model.objective == pytest.approx(evaluate(problem, kind, model))
        # never better than the optimum, and the bound never on the wrong side of it
        assert (model.objective <= optimum + 1e-9) if maximise else (model.objective >= optimum - 1e-9)
        if np.isfinite(model.bound):
            assert (model.bound >= optimum - 1e-9) if maximise else (model.bound <= optimum + 1e-9), method
        if method != "greedy":
            assert model.objective == pytest.approx(optimum), (method, kind)
        if method == "exact" or model.status == "optimal":
            assert model.status == "optimal" and model.objective == pytest.approx(optimum)


def _knapsack_brute(value: np.ndarray, weight: np.ndarray, cap: float) -> float:
    best = 0.0
    for take in itertools.product([0, 1], repeat=len(value)):
        t = np.array(take, bool)
        if weight[t].sum() <= cap:
            best = min(best, float(value[t].sum()))
    return best


def test_knapsacks_against_enumeration_and_linprog():
    rng = np.random.default_rng(3)
    n_sites = 4
    cols = np.repeat(np.arange(n_sites), 7)
    value = -rng.integers(1, 20, len(cols)).astype(float)
    weight = rng.integers(0, 8, len(cols)).astype(float)  # weightless items included
    cap = np.array([0.0, 5.0, 11.0, 17.0])
    exact_value, x = knapsack_dp(cols, value, weight, cap, n_sites)
    lp_value, x_lp = knapsack_lp(cols, value, weight, cap, n_sites)
    for j in range(n_sites):
        mine = cols == j
        assert exact_value[j] == _knapsack_brute(value[mine], weight[mine], cap[j])
        # the DP's items are a packing worth its value
        assert set(np.unique(x[mine])) <= {0.0, 1.0}
        assert weight[mine] @ x[mine] <= cap[j] and value[mine] @ x[mine] == exact_value[j]
        ref = linprog(value[mine], A_ub=weight[mine][None, :], b_ub=[cap[j]], bounds=(0, 1))
        assert lp_value[j] == pytest.approx(ref.fun)
        assert value[mine] @ x_lp[mine] == pytest.approx(lp_value[j])
        assert weight[mine] @ x_lp[mine] <= cap[j] + 1e-9
        # the LP relaxation is a bound on the integer optimum
        assert lp_value[j] <= exact_value[j] + 1e-9


def _line(costs: dict[tuple[int, int], float], weights, load, capacity, unserved_cost) -> tuple[Capacities, object]:
    rows, cols = zip(*costs, strict=True)
    problem = SitingProblem(
        weights,
        rows,
        cols,
        list(costs.values()),
        len(capacity),
        capacity=capacity,
        load=load,
        unserved_cost=unserved_cost,
    )
    w = problem.weights
    alloc = Allocation.of(problem, w[problem.rows] * problem.costs, w * problem.unserved_cost)
    return Capacities(alloc, problem.load, problem.capacity), problem


def test_ejection_chain_serves_an_area_a_full_site_blocked():
    # Site 0 (capacity 4) holds area y; area x (load 4) reaches only site 0 and is unserved (cost 10).
    # y can move to site 1 (room 4) at one more minute: x → 0, y → 1 saves 10 − 1 − 1 = 8.
    caps, _ = _line({(0, 0): 1.0, (1, 0): 1.0, (1, 1): 2.0}, [1, 1], [4, 4], [4.0, 4.0], 10.0)
    is_open = np.array([True, True, True])
    st = caps.from_sites(is_open, np.array([-1, 0]))
    assert caps.sites_of(st).tolist() == [-1, 0] and st.cost == 11.0
    caps.improve(st, is_open)
    assert caps.sites_of(st).tolist() == [0, 1] and st.cost == 3.0 and st.violation == 0.0


def test_swap_of_two_areas_between_full_sites():
    # Each site holds one area of load 5 and capacity 5; each area is closer to the other's site.
    caps, _ = _line({(0, 0): 5.0, (0, 1): 1.0, (1, 0): 1.0, (1, 1): 5.0}, [1, 1], [5, 5], [5.0, 5.0], 20.0)
    is_open = np.array([True, True, True])
    st = caps.from_sites(is_open, np.array([0, 1]))
    assert st.cost == 10.0
    caps.improve(st, is_open)
    assert caps.sites_of(st).tolist() == [1, 0] and st.cost == 2.0


def test_overload_is_repaired_before_cost():
    # Both areas placed at site 0 (capacity 5, loads 3 + 3): a violation of 1, repaired by moving one.
    caps, _ = _line({(0, 0): 1.0, (1, 0): 1.0, (1, 1): 3.0}, [1, 1], [3, 3], [5.0, 5.0], np.inf)
    is_open = np.array([True, True, True])
    st = caps.state(is_open, caps.pair_index(np.array([0, 1]), np.array([0, 0])))
    assert st.violation == 1.0
    caps.improve(st, is_open)
    assert st.violation == 0.0 and caps.sites_of(st).tolist() == [0, 1] and st.cost == 4.0


def test_a_site_that_serves_no_one_is_neither_proposed_nor_credited():
    # Issue 10: a candidate on a 1 m² plot (capacity 1) reaching only areas that need 60 m² each.
    # With p = 2, the second site can only be that plot: it serves no one, so it is not proposed,
    # and the proposed site's row carries exactly the households it serves.
    weights = [300.0, 200.0, 100.0]
    load = [60.0, 40.0, 20.0]
    rows, cols, costs = [0, 1, 2, 0, 1], [0, 0, 0, 1, 1], [2.0, 3.0, 4.0, 1.0, 1.0]
    problem = SitingProblem(weights, rows, cols, costs, 2, capacity=[120.0, 1.0], load=load, site_ids=["big", "plot"])
    for method in ("greedy", "heuristic", "exact"):
        model = MaxCoverage(p=2, method=method, capacitated=True).solve(problem)
        assert problem.site_ids[model.selected_].tolist() == ["big"], method
        assert model.objective == 600.0 and "plot" in model.message
        frame = model.proposals_frame()
        assert frame["households_newly_covered"].tolist() == [600.0]
        assert frame["marginal_gain"].tolist() == [600.0]


def test_rows_add_up_to_the_plan():
    """Removal ranking: gains add up to the objective's change, newly covered to the served weight."""
    rng = np.random.default_rng(11)
    n_d, n_s = 40, 14
    xy_d, xy_s = rng.uniform(0, 100, (n_d, 2)), rng.uniform(0, 100, (n_s, 2))
    d = np.hypot(*(xy_d[:, None, :] - xy_s[None, :, :]).transpose(2, 0, 1))
    rows, cols = np.nonzero(d <= 35)
    weights = rng.integers(1, 30, n_d).astype(float)
    problem = SitingProblem(
        weights,
        rows,
        cols,
        np.round(d[rows, cols]),
        n_s,
        fixed=[0, 1],
        capacity=rng.integers(40, 120, n_s).astype(float),
        load=weights,
    )
    model = MaxCoverage(p=4, method="heuristic", capacitated=True, max_rounds=5).solve(problem)
    served = model.assignment_ >= 0
    assert model.objective == weights[served].sum()
    assert len(model.selected_) == 4
    # coverage: a site's marginal gain is the weight it newly covers, never negative
    assert np.array_equal(model.marginal_gain_, model.newly_covered_)
    assert (model.newly_covered_ >= 0).all()
    # what the rows leave to the existing sites is an assignment they can serve: no more than the
    # best the existing sites alone can do (solved exactly, independently of the ranking)
    baseline = MaxCoverage(p=0, method="exact", capacitated=True).solve(problem)
    assert baseline.status == "optimal"
    left = model.objective - model.newly_covered_.sum()
    assert 0 <= left <= baseline.objective + 1e-9


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_exact_is_warm_started_and_honest_at_a_time_limit():
    rng = np.random.default_rng(5)
    n = 70
    xy = rng.uniform(0, 100, (n, 2))
    d = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    rows, cols = np.divmod(np.arange(n * n), n)
    load = rng.integers(1, 20, n).astype(float)
    problem = SitingProblem(
        np.ones(n), rows, cols, d.ravel(), n, capacity=np.full(n, 95.0), load=load, unserved_cost=np.inf
    )
    heuristic = PMedian(p=8, method="heuristic", capacitated=True, max_rounds=2).solve(problem)
    exact = PMedian(p=8, method="exact", capacitated=True, max_rounds=2, time_limit_s=4.0).solve(problem)
    for model in (heuristic, exact):
        assert model.status in ("optimal", "feasible", "time_limit")
        # the heuristic's Lagrangian bound, or the better of it and HiGHS's: never above the objective
        assert model.bound <= model.objective
        assert model.gap == pytest.approx((model.objective - model.bound) / model.objective)
        used = np.bincount(model.assignment_, weights=load, minlength=n)
        assert np.all(used <= 95.0) and (model.assignment_ >= 0).all()
        assert model.objective == d[np.arange(n), model.assignment_].sum()
        assert (model.status == "optimal") == (model.gap <= model.tolerance)
    assert exact.bound >= heuristic.bound or exact.status == "time_limit"


def test_capacitated_results_are_reproducible():
    problem = tight_problem(13, n_demand=8, n_sites=7)
    first = PMedian(p=3, method="heuristic", capacitated=True).solve(problem)
    again = PMedian(p=3, method="heuristic", capacitated=True).solve(problem)
    assert first.selected_.tolist() == again.selected_.tolist()
    assert first.assignment_.tolist() == again.assignment_.tolist()
    assert first.objective == again.objective and first.bound == again.bound


def test_a_cap_forces_a_second_site_in_every_objective():
    # Three areas of load 50 (50 households each). X (capacity 100) reaches all three, Y (capacity
    # 100) only c, Z (capacity 40) only a. Uncapacitated, X alone covers everyone; under capacity X
    # holds two areas, so c needs Y (Z is too small for any area): the cover is {X, Y} at cost 2.
    problem = SitingProblem(
        [50.0, 50.0, 50.0],
        [0, 1, 2, 2, 0],
        [0, 0, 0, 1, 2],
        [1.0, 2.0, 3.0, 1.0, 1.0],
        3,
        capacity=[100.0, 100.0, 40.0],
        load=[50.0, 50.0, 50.0],
        site_ids=["X", "Y", "Z"],
    )
    for method in ("greedy", "heuristic", "exact"):
        free = SetCover(method=method).solve(problem)
        assert problem.site_ids[free.selected_].tolist() == ["X"]
        cover = SetCover(method=method, capacitated=True).solve(problem)
        assert sorted(problem.site_ids[cover.selected_].tolist()) == ["X", "Y"], method
        assert cover.objective == 2.0 and cover.assignment_.tolist() == [0, 0, 1]
        # p-median with two sites: a, b at X (1 + 2 minutes × 50), c at Y (1 × 50) = 200
        median = PMedian(p=2, method=method, capacitated=True).solve(problem)
        assert median.objective == 200.0 and median.assignment_.tolist() == [0, 0, 1], method
        # one site covers at most two areas: 100 households
        single = MaxCoverage(p=1, method=method, capacitated=True).solve(problem)
        assert single.objective == 100.0, method
        if method == "greedy":  # construction only: no bound is claimed
            assert np.isnan(cover.bound) and np.isnan(median.bound) and np.isnan(single.bound)
        else:
            assert cover.bound <= 2.0 and median.bound <= 200.0 and single.bound >= 100.0
    assert SetCover(method="exact", capacitated=True).solve(problem).status == "optimal"
