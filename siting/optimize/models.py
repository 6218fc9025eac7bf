"""Solvers for the siting problem: configured in the constructor, solved by ``solve(problem)``.

>>> model = PMedian(p=5, method="exact", time_limit_s=60).solve(problem)   # doctest: +SKIP
>>> model.objective, model.bound, model.gap, model.status, model.selected_  # doctest: +SKIP

Every solver exposes the same results after `solve`:

objective : float
    SetCover: total opening cost of the new sites (their number by default). MaxCoverage: weight
    covered (existing sites included). PMedian: Σ weight × cost over served demand plus
    weight × ``problem.unserved_cost`` over unserved demand.
bound : float
    Proven bound on the best objective (lower for minimisation, upper for MaxCoverage); nan when
    the method proves none (greedy set cover). Uncapacitated p-median and maximal covering always
    have one: greedy reports the all-sites-open bound, heuristic and exact the Lagrangian bound
    (exact also HiGHS' bound).
gap : float
    |objective − bound| / |objective|; nan without a bound.
status : str
    "optimal" only when the gap is proven ≤ `tolerance`; else "feasible", "time_limit" (stopped by
    the time limit; the best solution found is kept) or "infeasible".
timings_ : dict of str to float
    Seconds per stage where the solver records them (the compliance plan: ``model``, ``relaxation``,
    ``greedy``, ``closing``, ``support_mip``, ``exact_mip``); empty otherwise.
seconds : float
    Wall-clock time of `solve` (``time_limit_s`` bounds it: every stage and HiGHS run keeps one
    deadline).
history_ : list of tuple
    ``(seconds, objective, bound)`` each time the incumbent or the bound improved during the solve.
selected_ : ndarray of int
    New sites opened (problem site indices), in rank order: the greedy order re-evaluated on the
    final set (each next site is the one with the largest marginal gain given those before it).
sizes_ : ndarray of float
    Floor area of every site after the plan, m² (closed candidates 0): what the objective decided
    (the ``compliance`` objective), else the floor-area need of the areas a site serves within its
    bounds (existing sites are enlarged only under capacity).
levels_ : ndarray of object
    Level each site takes from the plan (``township`` where the compliance plan makes it a
    township's comprehensive centre, ``community`` for its other new centres); None where a site keeps
    its own level or is not built (every site, for the objectives that do not judge levels).
assignment_ : ndarray of int
    Site serving each demand; −1 when unserved/uncovered. Uncapacitated: the cheapest open site
    within reach. Capacitated: the single-source assignment the objective was computed from (a
    site the solution opened but that serves no demand with weight is not proposed).
unfixable_, unfixable_units_ : DataFrame
    Areas (``demand``, ``reason``) and townships/communities (``unit``, ``level``, ``rule``,
    ``reason``) no plan can fix; empty for the objectives that do not judge the rules.
fixed_units_ : DataFrame
    Townships and communities (``unit``, ``level``, ``rule``) the plan claims to give their centre or
    facility (the re-check holds it to that); empty for the objectives that do not judge the rules.
message : str
    Why the status is what it is when that is not obvious (e.g. unreachable area ids).

Methods: "greedy" (construction only), "heuristic" (greedy + swap improvement + Lagrangian bound),
"exact" (proven with HiGHS, started from the heuristic solution; the default).

Uncapacitated problems are first reduced without changing the optimum
(:mod:`siting.optimize.reduce`: existing sites absorbed, dominated candidates dropped, independent
parts found) and exact p-median and maximal covering fix sites by Lagrangian reduced costs and solve
the parts one by one (:mod:`siting.optimize.parts`); set cover solves its parts one by one.
"""

from __future__ import annotations

import contextlib
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from siting import defaults
from siting.errors import SitingInputError
from siting.labels import msg
from siting.optimize import capacitated, exact
from siting.optimize.heuristics import (
    Allocation,
    greedy,
    p_median_lagrangian,
    set_cover_greedy,
    set_cover_lagrangian,
    variable_neighborhood,
)
from siting.optimize.parts import solve_exact
from siting.optimize.problem import NEW_CENTRE_LEVEL, WHERE_PROBLEM, SitingProblem, whole_m2
from siting.optimize.progress import SolveProgress, solver_output
from siting.optimize.reduce import bipartite_parts, cover_reductions, reduce_allocation
from siting.optimize.registry import DEFAULT_METHOD, METHODS

#: Floor area below which a site is not reported as enlarged (solver round-off), m².
SIZE_SLACK_M2 = 1e-6


class Solver:
    """Base class of the siting solvers: configuration, the ``solve`` call, result attributes, reporting.

    A new objective subclasses it, implements ``_solve(problem)`` (ending in ``_finish``), and is
    registered with :func:`siting.optimize.register_objective` so that scenario files can name it.
    """

    def __init__(
        self,
        *,
        method: str = DEFAULT_METHOD,
        capacitated: bool = False,
        time_limit_s: float | None = None,
        tolerance: float = defaults.MIP_GAP,
        seed: int = 0,
        max_rounds: int = 30,
        max_evaluations: int = 30,
        progress: bool = False,
        verbose: bool | None = None,
    ) -> None:
        if method not in METHODS:
            raise SitingInputError(
                msg("method_unknown", method=method),
                source=msg("where_argument", name="method"),
                fix=msg("method_unknown_fix", methods=list(METHODS)),
            )
        self.method = method
        self.capacitated = capacitated
        self.time_limit_s = time_limit_s
        self.tolerance = tolerance
        self.seed = seed
        self.max_rounds = max_rounds
        self.max_evaluations = max_evaluations
        self.progress = progress
        self.verbose = verbose

    # -- shared plumbing -------------------------------------------------------------------------
    def solve(self, problem: SitingProblem) -> Solver:
        """Solve `problem`; results are set as attributes and `self` is returned."""
        t0 = time.perf_counter()
        self.problem_ = problem
        self.objective = float("nan")
        self.bound = float("nan")
        self.gap = float("nan")
        self.status = "infeasible"
        self.message = ""
        self.selected_ = np.zeros(0, dtype=np.int64)
        self.assignment_ = np.full(problem.n_demand, -1)
        self.marginal_gain_ = np.zeros(0)
        self.newly_covered_ = np.zeros(0)
        self.sizes_ = problem.floor_area_m2.copy()
        self.levels_ = np.full(problem.n_sites, None, dtype=object)
        self.timings_: dict[str, float] = {}
        self.unfixable_ = pd.DataFrame({"demand": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})
        self.unfixable_units_ = problem.unit_rules.unfixable.iloc[:0]
        self.fixed_units_ = pd.DataFrame({"unit": [], "level": [], "rule": []}, dtype=object)
        if self.capacitated and problem.capacity is None:
            raise SitingInputError(
                msg("capacity_missing"), source=WHERE_PROBLEM, column="capacity", fix=msg("capacity_missing_fix")
            )
        self._progress = SolveProgress(
            self._label(), time_limit_s=self.time_limit_s, show=self.progress, maximize=self._maximize
        )
        self._deadline = self._progress.deadline
        output = solver_output(self.verbose) if self.verbose is not None else contextlib.nullcontext()
        try:
            with output:
                self._solve(problem)
        finally:
            self._progress.close()
        self.gap = exact.relative_gap(self.objective, self.bound)
        self.history_ = list(self._progress.history)
        self.seconds = time.perf_counter() - t0
        return self

    #: The objective is maximised (MaxCoverage): its bound is an upper bound.
    _maximize = False
    #: What ``objective`` and the proposals' ``marginal_gain`` count: ``cost`` is weight × pair cost
    #: (households × walking minutes in a scenario), ``weight`` demand weight (households, or persons
    #: with ``weight: elderly``), ``sites`` new sites, ``money`` the planner's cost units
    #: (:class:`siting.plan.BuildSettings`). The report's headers name them.
    objective_unit = "cost"
    gain_unit = "cost"
    #: The solver plans the rule profile's verdicts (the compliance plan), so areas and units it cannot
    #: fix are listed (``unfixable_``, ``unfixable_units_``) and its proposals say how it treats each rule.
    judges_rules = False

    def _label(self) -> str:
        p = getattr(self, "p", None)
        return type(self).__name__ + ("" if p is None else f" p={p}")

    def _share(self, fraction: float) -> float | None:
        """A deadline `fraction` of the way from now to the solve's deadline (a stage's share of the time)."""
        if self._deadline is None:
            return None
        now = time.perf_counter()
        return now + fraction * max(self._deadline - now, 0.0)

    def _remaining(self) -> float | None:
        return None if self._deadline is None else max(self._deadline - time.perf_counter(), 0.01)

    def _finish(
        self, open_mask: np.ndarray, objective: float, bound: float, status: str, assignment: np.ndarray | None = None
    ) -> None:
        problem = self.problem_
        open_mask = np.asarray(open_mask[: problem.n_sites], dtype=bool).copy()
        # existing sites are always open: a solver that returns only its choice among the candidates (set
        # cover) would otherwise size them 0 and assign their areas elsewhere (caught by the plan's re-check)
        open_mask[problem.fixed] = True
        self.objective = float(objective)
        self.bound = float(bound)
        self.status = status
        if assignment is None:
            assignment = _nearest_open(problem, open_mask)
        self.assignment_ = assignment
        self._progress.report(stage="stage_rank")
        order, gains, newly = self._rank(open_mask)
        self.selected_ = np.asarray(order, dtype=np.int64)
        self.marginal_gain_ = np.asarray(gains, dtype=float)
        self.newly_covered_ = np.asarray(newly, dtype=float)
        self.sizes_ = self._sizes(open_mask, assignment)

    def _sizes(self, open_mask: np.ndarray, assignment: np.ndarray) -> np.ndarray:
        """Floor area of every site in the solution, m²: a new site the floor-area need of the areas it
        serves within its bounds, an existing one as it is or, under capacity, enlarged to what it
        serves (up to its largest allowed size); closed candidates 0."""
        problem = self.problem_
        sizes = np.where(open_mask, problem.floor_area_m2, 0.0)
        need = problem.floor_need_m2
        load: np.ndarray = np.zeros(problem.n_sites)
        if need is not None:
            served = assignment >= 0
            load = np.bincount(assignment[served], weights=need[served], minlength=problem.n_sites)
        new = open_mask & problem.is_candidate
        sizes[new] = np.clip(load[new], problem.min_floor_area_m2[new], problem.max_floor_area_m2[new])
        if self.capacitated:
            existing = ~problem.is_candidate
            sizes[existing] = np.clip(
                load[existing], problem.floor_area_m2[existing], problem.max_floor_area_m2[existing]
            )
        return whole_m2(sizes, np.where(open_mask, problem.floor_area_m2, 0.0), problem.max_floor_area_m2)

    def _solve_allocation(
        self, alloc: Allocation, n_new: int, *, exactly_p: bool, offset: float = 0.0, sign: float = 1.0
    ) -> tuple[np.ndarray, float, float, str]:
        """Uncapacitated p-median and maximal covering: reduce, construct, search, bound, prove.

        The reductions of :mod:`siting.optimize.reduce` (fixed sites absorbed, dominated candidates
        dropped) come first; greedy, then (heuristic, exact) neighbourhood search and the
        Lagrangian bound of :func:`~siting.optimize.heuristics.p_median_lagrangian`, then (exact,
        when that bound does not prove the solution) :func:`siting.optimize.parts.solve_exact`.
        `n_new` is the number of new sites (p). Results are reported as ``offset + sign × cost``
        (covered weight for maximal covering).

        Returns
        -------
        open_mask, objective, bound, status
            `open_mask` over ``alloc``'s sites, with exactly p candidates when `exactly_p`.
        """
        progress = self._progress
        progress.report(stage="stage_reduce")
        core = reduce_allocation(alloc)
        local = core.alloc
        progress.offset, progress.sign = offset + sign * core.constant, sign
        p = min(n_new, core.n_candidates)
        progress.report(stage="stage_greedy")
        open_local, _, _ = greedy(local, p, stop_without_gain=True)
        cost = local.objective(open_local)
        # every demand at its cheapest site, as if all were open: a bound even greedy can show
        bound = local.objective(np.ones(local.n_sites, bool))
        status = "optimal" if exact.relative_gap(cost, bound) <= self.tolerance else "feasible"
        progress.report(objective=cost, bound=bound)
        if self.method != "greedy" and status != "optimal":
            progress.report(stage="stage_search")
            open_local, cost = variable_neighborhood(
                local,
                open_local,
                max_rounds=self.max_rounds,
                k_max=max(1, min(p, 10)),
                seed=self.seed,
                deadline=self._share(0.4),
                progress=progress,
            )
            progress.report(stage="stage_bound")
            lagrangian = p_median_lagrangian(
                local,
                p,
                open_local,
                target_gap=self.tolerance,
                deadline=self._share(0.5 if self.method == "exact" else 1.0),
                progress=progress,
            )
            open_local, cost = lagrangian.open_mask, lagrangian.objective
            bound = max(bound, exact.integral_bound(lagrangian.bound, local.a))
            status = "optimal" if exact.relative_gap(cost, bound) <= self.tolerance else "feasible"
            if self.method == "exact" and status != "optimal" and not progress.expired():
                progress.report(stage="stage_exact")
                open_local, cost, proven, status = solve_exact(
                    local, p, open_local, lagrangian.multipliers, tolerance=self.tolerance, progress=progress
                )
                bound = max(bound, proven)
            elif progress.expired():
                status = "time_limit"
        open_mask = core.lift(open_local, alloc, p=n_new if exactly_p else None)
        objective = offset + sign * alloc.objective(open_mask)
        return open_mask, objective, offset + sign * (core.constant + bound), status

    def _gain_allocation(self) -> Allocation:
        """Allocation whose savings define the marginal gain used for ranking (coverage by default)."""
        return _coverage_allocation(self.problem_)

    def _rank(self, open_mask: np.ndarray) -> tuple[list[int], list[float], list[float]]:
        """Greedy order of the chosen sites, their marginal gains and newly covered weight.

        Uncapacitated: savings of the fast allocation. Capacitated: from the final single-source
        assignment by :func:`siting.optimize.capacitated.removal_ranking` (no model solved), so the
        figures add up to the solution's own and a site serving no one gains nothing.
        """
        problem = self.problem_
        chosen = np.flatnonzero(open_mask & problem.is_candidate)
        gain_alloc = self._gain_allocation()
        if not self.capacitated:
            cover = _coverage_allocation(problem)
            order, gains = _greedy_order(gain_alloc, chosen)
            d1 = cover.nearest_two(cover.initial_open())[0]
            newly: list[float] = []
            for j in order:
                sel = cover.cols == j
                before = d1.sum()
                np.minimum.at(d1, cover.rows[sel], cover.a[sel])
                newly.append(float(before - d1.sum()))
            return order, gains, newly
        gain_caps = capacitated.Capacities(gain_alloc, problem.load, problem.capacity)
        is_open = np.r_[open_mask, True]
        is_open[problem.fixed] = True
        return capacitated.removal_ranking(gain_caps, is_open, self.assignment_, chosen, problem.weights)

    def _solve(self, problem: SitingProblem) -> None:
        """Solve ``problem`` and record the result with ``_finish`` (or ``_infeasible``)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _solve")

    def _infeasible(self, message: str) -> None:
        self.status = "infeasible"
        self.message = message

    def proposals_frame(self) -> gpd.GeoDataFrame:
        """What the solution builds: new centres in rank order, then enlarged existing ones, one row each.

        Columns: ``site_id``, ``kind`` (``"new"`` or ``"expand"``), ``name``, ``rank`` (new centres: 1 =
        largest marginal gain, the greedy order re-evaluated on the final set; enlargements follow,
        largest first), ``current_floor_area_m2`` (0 for a new centre), ``added_floor_area_m2``,
        ``recommended_floor_area_m2`` (the floor area after the plan, within the site's bounds),
        ``level`` (a new centre's level, ``community`` unless the plan makes it a township's
        comprehensive centre; an existing site's only where the plan raises it, else None),
        ``min_floor_area_m2``, ``max_floor_area_m2``, ``households_served`` (households of the areas
        assigned to the site), ``households_newly_covered`` (weight within reach of this site and of no
        existing or higher-ranked one; 0 for enlargements), ``marginal_gain`` (objective improvement when
        added in rank order: weight covered for coverage objectives, weighted cost saved for p-median;
        NaN for enlargements), geometry in the candidates' CRS.
        """
        problem = self.problem_
        sizes = self.sizes_
        raised = pd.notna(self.levels_)
        grown = np.flatnonzero(~problem.is_candidate & ((sizes > problem.floor_area_m2 + SIZE_SLACK_M2) | raised))
        grown = grown[np.argsort(-(sizes[grown] - problem.floor_area_m2[grown]), kind="stable")]
        rows = np.r_[self.selected_, grown].astype(np.int64)
        served = self.assignment_ >= 0
        households = np.bincount(
            self.assignment_[served], weights=problem.households[served], minlength=problem.n_sites
        )
        n_new = len(self.selected_)
        # the level the plan gives: a new centre's, or an existing one's raised; None keeps its own
        level = self.levels_[rows].copy()
        level[problem.is_candidate[rows] & ~raised[rows]] = NEW_CENTRE_LEVEL
        data = {
            "site_id": problem.site_ids[rows].astype(str),
            "kind": np.where(np.arange(len(rows)) < n_new, "new", "expand"),
            "name": (
                problem.sites["name"].to_numpy()[rows] if problem.sites is not None else problem.site_ids[rows]
            ).astype(str),
            "rank": np.arange(1, len(rows) + 1),
            "level": level,
            "current_floor_area_m2": problem.floor_area_m2[rows],
            "added_floor_area_m2": sizes[rows] - problem.floor_area_m2[rows],
            "recommended_floor_area_m2": sizes[rows],
            "min_floor_area_m2": problem.min_floor_area_m2[rows],
            "max_floor_area_m2": problem.max_floor_area_m2[rows],
            "households_served": households[rows],
            "households_newly_covered": np.r_[self.newly_covered_, np.zeros(len(grown))],
            "marginal_gain": np.r_[self.marginal_gain_, np.full(len(grown), np.nan)],
        }
        if problem.sites is not None:
            return gpd.GeoDataFrame(data, geometry=problem.sites.geometry.to_numpy()[rows], crs=problem.sites.crs)
        return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([None] * len(rows)))

    def summary(self) -> dict:
        """Before/after coverage in weight units and the open site ids (existing + new)."""
        problem = self.problem_
        before = problem.covered_by(np.zeros(0, dtype=np.int64))
        after = problem.covered_by(self.selected_)
        total = float(problem.weights.sum())
        return {
            "status": self.status,
            "objective": self.objective,
            "objective_unit": self.objective_unit,
            "bound": self.bound,
            "gap": self.gap,
            "seconds": self.seconds,
            "new_sites": problem.site_ids[self.selected_].tolist(),
            "weight_total": total,
            "weight_covered_before": float(problem.weights[before].sum()),
            "weight_covered_after": float(problem.weights[after].sum()),
        }

    # capacitated ----------------------------------------------------------------------------------
    def _solve_capacitated(
        self,
        alloc: Allocation,
        *,
        p: int | None,
        exactly_p: bool = False,
        site_costs: np.ndarray | None = None,
        offset: float = 0.0,
        sign: float = 1.0,
    ) -> None:
        """Solve under capacity with :class:`siting.optimize.capacitated.CapacitatedModel` and finish.

        The reported objective is ``offset + sign × cost`` (maximal covering reports covered weight =
        total − uncovered); set cover reports the opening cost. A new site the solution opened (to
        make up p, or for room it turned out not to need) but that serves no demand with weight is
        not proposed, and `message` names it.
        """
        problem = self.problem_
        model = capacitated.CapacitatedModel(
            alloc,
            problem.load,
            problem.capacity,
            p=p,
            exactly_p=exactly_p,
            site_costs=site_costs,
            method=self.method,
            offset=offset,
            sign=sign,
            tolerance=self.tolerance,
            seed=self.seed,
            max_rounds=self.max_rounds,
            evaluations=self.max_evaluations,
            progress=self._progress,
        ).solve(self._deadline)
        if model.status == "infeasible":
            key = "capacity_infeasible_proven" if model.proven_infeasible_ else "capacity_infeasible_sites"
            self._infeasible(str(msg(key)))
            return
        open_mask, site, objective = model.open_mask_.copy(), model.assignment_, model.objective
        served = np.bincount(site[site >= 0], weights=problem.weights[site >= 0] > 0, minlength=problem.n_sites)
        idle = open_mask & problem.is_candidate & (served == 0)
        if idle.any():
            open_mask &= ~idle
            if site_costs is not None:
                objective -= float(site_costs[idle].sum())
            self.message = str(msg("capacity_idle_sites", n=int(idle.sum()), sites=problem.site_ids[idle].tolist()))
        self._finish(open_mask, offset + sign * objective, offset + sign * model.bound, model.status, site)


def _coverage_allocation(problem: SitingProblem) -> Allocation:
    """Maximal-covering allocation: a_ij = 0, unserved costs the weight."""
    return Allocation.of(problem, np.zeros(len(problem.rows)), problem.weights.copy())


def _nearest_open(problem: SitingProblem, open_mask: np.ndarray) -> np.ndarray:
    """Cheapest open site within reach of each demand (−1 if none)."""
    alloc = Allocation.of(problem, problem.costs, np.full(problem.n_demand, np.inf))
    s1 = alloc.nearest_two(np.r_[open_mask | np.isin(np.arange(problem.n_sites), problem.fixed), False])[1]
    return s1


def _greedy_order(alloc: Allocation, chosen: np.ndarray) -> tuple[list[int], list[float]]:
    """Order `chosen` sites greedily by marginal saving in `alloc`, with the fixed sites open."""
    allowed = np.zeros(alloc.n_sites, bool)
    allowed[chosen] = True
    restricted = _restricted(alloc, allowed)
    _, order, gains = greedy(restricted, len(chosen), stop_without_gain=False)
    return order, gains


def _restricted(alloc: Allocation, allowed: np.ndarray) -> Allocation:
    """Shallow copy of `alloc` in which only `allowed` sites are candidates."""
    copy = object.__new__(Allocation)
    copy.__dict__.update(alloc.__dict__)
    copy.candidate_mask = alloc.candidate_mask & allowed
    return copy


def _check_p(p: int, problem: SitingProblem) -> None:
    if p < 0 or p > problem.n_candidates:
        raise SitingInputError(
            msg("p_too_large", p=p, n=problem.n_candidates), source=WHERE_PROBLEM, fix=msg("p_too_large_fix")
        )


def _ids(problem: SitingProblem, idx: np.ndarray) -> str:
    ids = problem.demand_ids[idx].tolist()
    return ", ".join(ids[:20]) + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")


class PMedian(Solver):
    """Least total weighted cost (e.g. household-weighted walking minutes) with `p` new sites.

    Existing (fixed) sites stay open and serve demand; `p` counts new sites. A demand with no open
    site within reach pays ``problem.unserved_cost`` per unit weight (default twice the largest
    pair cost; ``inf`` forbids it, making such a solution infeasible).

    Parameters
    ----------
    p : int
        Number of new sites to open (exactly p).
    method : {"greedy", "heuristic", "exact"}, default "exact"
        greedy: add the site with the largest saving p times. heuristic: greedy, then fast
        interchange with variable neighbourhood search, then a Lagrangian relaxation whose open
        sets are polished by interchange; the Lagrangian value is the reported bound, so the
        heuristic can prove optimality. exact: sites fixed by Lagrangian reduced costs, then HiGHS
        on the radius formulation part by part, started from the heuristic. Capacitated
        (:class:`siting.optimize.capacitated.CapacitatedModel`, no model solved per move): greedy
        builds by knapsack-filled savings and assigns by regret with shift, swap and
        ejection-chain moves; heuristic adds site-swap local search, neighbourhood search and a
        Lagrangian relaxation with knapsack subproblems (its value is the reported bound); exact
        then solves the assignment model in HiGHS started from the heuristic, reporting the
        better of both bounds.
    capacitated : bool
        Respect ``problem.capacity`` with ``problem.load`` (each demand served whole by one site).
    time_limit_s : float, optional
        Wall-clock limit for the whole solve, seconds: construction, search, bound and every
        HiGHS run share it, so the solve ends within a moment of it (status "time_limit" with the
        best solution and the proven bound so far).
    tolerance : float
        Relative gap under which a result is called optimal.
    seed : int
        Seed of the neighbourhood search (results are reproducible unless the time limit stops it).
    max_rounds : int
        Heuristic: neighbourhood-search shakes without improvement before stopping.
    max_evaluations : int
        Capacitated heuristic: site swaps priced (demand re-assigned around the two sites) per
        local-search pass, best estimate first.
    progress : bool
        Show the incumbent, the bound and the gap every few seconds on stderr (a tqdm bar in a
        terminal, plain lines otherwise).
    verbose : bool, optional
        Show the HiGHS log; None (default) follows :func:`siting.optimize.progress.solver_output`
        (off unless the command line's ``--verbose`` turned it on).
    """

    def __init__(self, p: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.p = int(p)

    def _allocation(self) -> Allocation:
        problem = self.problem_
        w = problem.weights
        u = np.where(w > 0, w * problem.unserved_cost, 0.0)
        return Allocation.of(problem, w[problem.rows] * problem.costs, u)

    def _gain_allocation(self) -> Allocation:
        """p-median savings; where unserved demand is forbidden, rank with the default penalty instead."""
        problem = self.problem_
        w = problem.weights
        penalty = problem.unserved_cost
        if not np.isfinite(penalty):
            penalty = 2.0 * float(problem.costs.max()) if len(problem.costs) else 1.0
        return Allocation.of(problem, w[problem.rows] * problem.costs, w * penalty)

    def _solve(self, problem: SitingProblem) -> None:
        _check_p(self.p, problem)
        alloc = self._allocation()
        stranded = np.flatnonzero(alloc.nearest_two(np.r_[np.ones(problem.n_sites, bool), True])[0] >= alloc.big)
        if len(stranded):
            self._infeasible(f"unserved demand is forbidden but no site reaches: {_ids(problem, stranded)}")
            return
        if not self.capacitated:
            open_mask, obj, bound, status = self._solve_allocation(alloc, self.p, exactly_p=True)
            s1 = alloc.nearest_two(open_mask)[1]
            self._finish(open_mask, obj, bound, status, np.where(s1 == alloc.virtual, -1, s1))
            return
        self._solve_capacitated(alloc, p=self.p, exactly_p=True)


class MaxCoverage(Solver):
    """Most demand weight (households) within reach of an open site, with at most `p` new sites.

    Existing sites count toward coverage. Capacitated: a demand counts as covered only when
    assigned (whole) to an open site within reach whose capacity it fits in.

    Parameters
    ----------
    p : int
        Most new sites to open (fewer when more would not cover more).
    method, capacitated, time_limit_s, tolerance, seed, max_rounds, max_evaluations, progress, verbose
        As for `PMedian` (maximal covering is solved as the p-median of the uncovered weight: a
        pair costs 0, an uncovered demand its weight). The heuristic's bound is the Lagrangian
        bound of that problem, an upper bound of the weight any p sites can cover.
    """

    def __init__(self, p: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.p = int(p)

    _maximize = True
    objective_unit = "weight"
    gain_unit = "weight"

    def _solve(self, problem: SitingProblem) -> None:
        _check_p(self.p, problem)
        alloc = _coverage_allocation(problem)
        total = float(problem.weights.sum())
        if not self.capacitated:
            open_mask, covered, bound, status = self._solve_allocation(
                alloc, self.p, exactly_p=False, offset=total, sign=-1.0
            )
            self._finish(open_mask, covered, bound, status)
            return
        self._solve_capacitated(alloc, p=self.p, offset=total, sign=-1.0)


def _cover_matrix(problem: SitingProblem, demand: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """0/1 matrix of the given demands (rows) by candidate sites (columns) within reach; candidate ids."""
    cand = np.flatnonzero(problem.is_candidate)
    col_of = np.full(problem.n_sites, -1)
    col_of[cand] = np.arange(len(cand))
    row_of = np.full(problem.n_demand, -1)
    row_of[demand] = np.arange(len(demand))
    sel = (row_of[problem.rows] >= 0) & (col_of[problem.cols] >= 0)
    matrix = sp.csr_matrix(
        (np.ones(int(sel.sum())), (row_of[problem.rows[sel]], col_of[problem.cols[sel]])),
        shape=(len(demand), len(cand)),
    )
    return matrix, cand


class SetCover(Solver):
    """Fewest (or cheapest, by ``problem.site_costs``) new sites so that every area with weight is covered.

    Areas covered by existing sites need nothing. Areas that no site can reach make the cover
    infeasible: status "infeasible" and `message` / `unreachable_` name them, unless
    ``allow_unreachable=True``, which covers everything else and still lists them.

    Parameters
    ----------
    allow_unreachable : bool
        Cover what can be covered and report the rest instead of failing.
    method : {"greedy", "heuristic", "exact"}, default "exact"
        greedy: Chvátal's cost-per-new-area greedy plus removal of redundant sites. heuristic:
        Lagrangian relaxation with subgradient optimisation and greedy repair (Beasley 1990); it
        also gives a proven lower bound. exact: HiGHS on the covering model. Capacitated:
        greedy adds, one at a time, the site that relieves most load in trouble (unserved, or at
        a full site) per unit cost until the single-source assignment serves everyone, then
        closes the sites not needed; heuristic adds a Lagrangian relaxation (knapsack
        subproblems; its value is the reported bound) whose open sets restart that search;
        exact: the assignment model in HiGHS, started from the heuristic.
    capacitated, time_limit_s, tolerance, progress, verbose
        As for `PMedian`.
    """

    objective_unit = "sites"
    gain_unit = "weight"

    def __init__(self, allow_unreachable: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.allow_unreachable = allow_unreachable

    def _solve(self, problem: SitingProblem) -> None:
        unreachable = problem.unreachable()
        self.unreachable_ = problem.demand_ids[unreachable].tolist()
        if len(unreachable) and not self.allow_unreachable:
            self._infeasible(f"no existing or candidate site reaches these areas: {_ids(problem, unreachable)}")
            return
        need = problem.weights > 0
        need[unreachable] = False
        costs = problem.site_costs
        if not self.capacitated:
            self._finish(*self._solve_cover(need))
            return
        alloc = Allocation.of(problem, np.zeros(len(problem.rows)), np.where(need, np.inf, 0.0))
        self._solve_capacitated(alloc, p=None, site_costs=costs)

    def _solve_cover(self, need: np.ndarray) -> tuple[np.ndarray, float, float, str]:
        """Uncapacitated set cover, part by part after :func:`~siting.optimize.reduce.cover_reductions`.

        Each part is covered greedily; then (heuristic, exact) improved by the Lagrangian
        heuristic, which also bounds it; then (exact, unless already proven) solved by HiGHS. The
        parts' costs and bounds add up.

        Returns
        -------
        open_mask, objective, bound, status
        """
        problem, progress = self.problem_, self._progress
        progress.report(stage="stage_reduce")
        fixed_cov = problem.covered_by(np.zeros(0, dtype=np.int64))
        cover, cand = _cover_matrix(problem, np.flatnonzero(need & ~fixed_cov))
        costs = problem.site_costs[cand]
        integral = bool(np.all(costs == np.round(costs)))
        rows, cols = cover_reductions(cover, costs)
        cover, cand, costs = cover[rows][:, cols].tocsr(), cand[cols], costs[cols]
        r, c = cover.nonzero()
        n_parts, col_part, row_part = bipartite_parts(r, c, cover.shape[0], cover.shape[1])
        col_order = np.argsort(col_part, kind="stable")
        row_order = np.argsort(row_part, kind="stable")
        col_cut = np.searchsorted(col_part[col_order], np.arange(n_parts + 1))
        row_cut = np.searchsorted(row_part[row_order], np.arange(n_parts + 1))
        pieces = [
            (row_order[row_cut[k] : row_cut[k + 1]], col_order[col_cut[k] : col_cut[k + 1]]) for k in range(n_parts)
        ]
        matrices = [cover[rows_k][:, cols_k].tocsr() for rows_k, cols_k in pieces]
        chosen = [set_cover_greedy(m.tocsc(), costs[cols_k]) for m, (_, cols_k) in zip(matrices, pieces, strict=True)]
        value = np.array([float(costs[cols_k][x].sum()) for x, (_, cols_k) in zip(chosen, pieces, strict=True)])
        lower = np.zeros(n_parts)
        progress.report(objective=value.sum(), bound=0.0 if self.method != "greedy" else None)
        if self.method != "greedy":
            progress.report(stage="stage_bound")
            for k, (m, (_, cols_k)) in enumerate(zip(matrices, pieces, strict=True)):
                x, low = set_cover_lagrangian(m, costs[cols_k], deadline=self._deadline)
                chosen[k], value[k] = x, float(costs[cols_k][x].sum())
                lower[k] = float(np.ceil(low - 1e-6)) if integral else max(low, 0.0)
                progress.report(objective=value.sum(), bound=lower.sum())
        if self.method == "exact":
            progress.report(stage="stage_exact")
            for k, (m, (_, cols_k)) in enumerate(zip(matrices, pieces, strict=True)):
                if exact.relative_gap(value[k], lower[k]) <= self.tolerance or progress.expired():
                    continue
                others, others_low = value.sum() - value[k], lower.sum() - lower[k]
                res = exact.set_cover(
                    m,
                    costs[cols_k],
                    tolerance=self.tolerance,
                    start=chosen[k].astype(float),
                    progress=progress,
                    watch={"to_objective": lambda v, o=others: o + v, "to_bound": lambda v, o=others_low: o + v},
                )
                if res.x is not None and res.objective < value[k]:
                    chosen[k], value[k] = res.x > 0.5, float(costs[cols_k][res.x > 0.5].sum())
                if np.isfinite(res.bound):
                    lower[k] = max(lower[k], res.bound)
                progress.report(objective=value.sum(), bound=lower.sum())
        open_mask = np.zeros(problem.n_sites, bool)
        for x, (_, cols_k) in zip(chosen, pieces, strict=True):
            open_mask[cand[cols_k[x]]] = True
        objective = float(problem.site_costs[open_mask].sum())
        bound = float(lower.sum()) if self.method != "greedy" else float("nan")
        if exact.relative_gap(objective, bound) <= self.tolerance or (n_parts == 0 and self.method != "greedy"):
            status = "optimal"
        else:
            status = "time_limit" if progress.expired() else "feasible"
        return open_mask, objective, bound, status
