"""Exact models solved with HiGHS (highspy), built from sparse arrays without per-variable Python loops.

Formulations
------------
* Set cover (LSCP): one row per demand over the candidate sites within reach only (the sparse
  pairs), existing sites taken as already open. Maximal covering (MCLP) is the p-median below with
  every pair costing 0 and an uncovered demand its weight (the radius formulation then is the
  classical MCLP model).
* p-median: the radius formulation (Elloumi 2010; García, Labbé & Marín 2011) in its compact
  "level" form. For demand i let D_i^1 < … < D_i^K be the distinct allocation costs of its
  reachable sites and z_i^k ≥ 0 stand for "no open site within D_i^k". Then

      min  Σ_i D_i^1 + Σ_i Σ_k (D_i^{k+1} − D_i^k) z_i^k
      s.t. z_i^{k−1} − z_i^k ≤ Σ_{j at level k of i} y_j      (z_i^0 = 1, z_i^K = 0)

  Summed over k these rows give Elloumi's z_i^k + Σ_{j within D_i^k} y_j ≥ 1 (same LP bound, which
  equals the classical strong formulation's), but with O(pairs) non-zeros instead of O(pairs ×
  levels). Levels far beyond a demand's cost in the heuristic solution are left out at first: the
  truncated model is a relaxation (it charges min(true cost, next level)), so its bound is valid;
  levels are added for the demands whose cost was truncated and the model re-solved until the
  solution's true cost meets the bound.
* Capacitated variants (`AssignmentModel`): the assignment model x_ij ∈ {0, 1} over the pairs, x_ij ≤ y_j,
  Σ_i load_i x_ij ≤ capacity_j y_j, every demand assigned once or left unserved at its penalty.

Every solve reports objective, a proven bound, the gap and a status from the fixed vocabulary
("optimal" only when the gap is proven ≤ tolerance; else "feasible", "time_limit", "infeasible").
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from siting import defaults
from siting.optimize.heuristics import Allocation
from siting.optimize.progress import SolveProgress, new_highs, verbose_default

INF = highspy.kHighsInf


@dataclass
class MipResult:
    """Outcome of one HiGHS run."""

    x: np.ndarray | None
    objective: float
    bound: float
    status: str
    seconds: float


def relative_gap(objective: float, bound: float) -> float:
    """|objective − bound| / max(|objective|, 1e-9); nan when either is unknown."""
    if not (np.isfinite(objective) and np.isfinite(bound)):
        return float("nan")
    return abs(objective - bound) / max(abs(objective), 1e-9)


def integral_bound(lower: float, values: np.ndarray) -> float:
    """Round a lower bound up when every cost is an integer (then so is every objective value)."""
    finite = values[np.isfinite(values)]
    if np.isfinite(lower) and np.all(finite == np.round(finite)):
        return float(np.ceil(lower - 1e-6 * max(1.0, abs(lower))))
    return float(lower)


def solve_mip(
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    integer: np.ndarray,
    matrix: sp.csr_matrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    *,
    maximize: bool = False,
    offset: float = 0.0,
    time_limit_s: float | None = None,
    tolerance: float = defaults.MIP_GAP,
    start: np.ndarray | None = None,
    integral_objective: bool = False,
    log: bool | None = None,
    progress: SolveProgress | None = None,
    watch: dict[str, Any] | None = None,
) -> MipResult:
    """Solve ``min/max cost·x + offset`` s.t. ``row_lower ≤ matrix·x ≤ row_upper`` with HiGHS.

    Parameters
    ----------
    integer : ndarray of bool
        Which columns are integer.
    time_limit_s : float, optional
        Wall-clock limit in seconds.
    tolerance : float
        Relative MIP gap at which HiGHS stops and we call the result optimal.
    start : ndarray, optional
        A feasible solution passed to HiGHS as incumbent.
    integral_objective : bool
        Every feasible objective value is an integer (integer costs on integer variables, or a
        model whose continuous variables take integer values at the optimum): HiGHS may stop once
        the gap is below 1, and the bound is rounded up.
    log : bool, optional
        Show the HiGHS log (default: :func:`siting.optimize.progress.verbose_default`).
    progress : SolveProgress, optional
        The solve this run belongs to: HiGHS stops at its deadline and reports to it.
    watch : dict, optional
        Keyword arguments of :meth:`SolveProgress.watch` (how to report this model's values).
    """
    t0 = time.perf_counter()
    h = load_highs(cost, lower, upper, integer, matrix, row_lower, row_upper, maximize=maximize, offset=offset, log=log)
    return run_highs(
        h,
        bool(np.any(integer)),
        time_limit_s=time_limit_s,
        tolerance=tolerance,
        start=start,
        integral_objective=integral_objective,
        started=t0,
        progress=progress,
        watch=watch,
    )


def load_highs(
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    integer: np.ndarray,
    matrix: sp.csr_matrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    *,
    maximize: bool = False,
    offset: float = 0.0,
    log: bool | None = None,
) -> highspy.Highs:
    """A HiGHS instance holding the model, passed as whole arrays (no per-variable calls).

    Its log is shown when `log` is True, or when it is None and
    :func:`siting.optimize.progress.verbose_default` says so (a solver's ``verbose``, ``--verbose``).
    """
    matrix = sp.csr_matrix(matrix)
    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.offset_ = float(offset)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    if np.any(integer):
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kinds[k] for k in np.asarray(integer, dtype=np.int8)]
    if maximize:
        lp.sense_ = highspy.ObjSense.kMaximize
    h = new_highs(verbose_default() if log is None else log)
    h.setOptionValue("random_seed", 0)
    h.passModel(lp)
    return h


def run_highs(
    h: highspy.Highs,
    has_integer: bool,
    *,
    time_limit_s: float | None,
    tolerance: float,
    start: np.ndarray | None = None,
    integral_objective: bool = False,
    started: float | None = None,
    progress: SolveProgress | None = None,
    watch: dict[str, Any] | None = None,
) -> MipResult:
    """Run a loaded HiGHS model and translate its outcome into objective, bound and status.

    With `progress`, the run also stops at the solve's deadline (whichever of it and
    `time_limit_s` comes first) and reports as `watch` says (see :func:`solve_mip`).
    """
    t0 = time.perf_counter() if started is None else started
    limit_at = None if time_limit_s is None else time.perf_counter() + time_limit_s
    # HiGHS cannot prove more than its feasibility tolerances allow, and with a far smaller gap it can
    # search forever for a proof below them (seen with HiGHS 1.16 at 1e-9)
    h.setOptionValue("mip_rel_gap", max(float(tolerance), 1e-6))
    h.setOptionValue("mip_abs_gap", 1.0 - 1e-6 if integral_objective else 1e-6)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=float)
        h.setSolution(sol)
    _run(h, limit_at, progress, watch)
    x, objective = _solution(h)
    if (
        start is not None
        and x is not None
        and abs(objective - h.getInfo().objective_function_value) > 1e-6 * max(1.0, abs(objective))
    ):
        # HiGHS 1.16 can price a start solution without the objective offset of its presolve and
        # then prune against that wrong value (its reported objective disagrees with c·x): solve
        # again without the start, whose bounds and incumbents are then sound.
        h.clearSolver()
        _run(h, limit_at, progress, watch)
        x, objective = _solution(h)
    model_status = h.getModelStatus()
    info = h.getInfo()
    seconds = time.perf_counter() - t0
    S = highspy.HighsModelStatus
    if model_status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return MipResult(None, float("nan"), float("nan"), "infeasible", seconds)
    # an LP's bound is its optimum; a MIP's is the dual bound of the search
    bound = float(info.mip_dual_bound) if has_integer else objective if model_status == S.kOptimal else float("nan")
    if not np.isfinite(bound):
        bound = float("nan")
    elif integral_objective:
        bound = float(np.ceil(bound - 1e-6 * max(1.0, abs(bound))))
    if model_status == S.kOptimal:
        status = "optimal" if relative_gap(objective, bound) <= tolerance else "feasible"
    elif model_status in (S.kTimeLimit, S.kInterrupt, S.kIterationLimit, S.kSolutionLimit):
        status = "time_limit"
    else:
        status = "feasible" if x is not None else "infeasible"
    return MipResult(x, objective, bound, status, seconds)


def _run(
    h: highspy.Highs, limit_at: float | None, progress: SolveProgress | None, watch: dict[str, Any] | None
) -> None:
    """One HiGHS run that ends by `limit_at` (a perf_counter time) and by the solve's deadline."""
    ends = [t for t in (limit_at, None if progress is None else progress.deadline) if t is not None]
    left = None if not ends else max(min(ends) - time.perf_counter(), 0.01)
    h.setOptionValue("time_limit", INF if left is None else left)
    if progress is None:
        h.run()
        return
    with progress.watch(h, **(watch or {})):
        h.run()


def _solution(h: highspy.Highs) -> tuple[np.ndarray | None, float]:
    """The solution HiGHS holds (None if not feasible) and its objective c·x + offset, computed here."""
    if h.getInfo().primal_solution_status != highspy.kSolutionStatusFeasible:
        return None, float("nan")
    x = np.asarray(h.getSolution().col_value)
    lp = h.getLp()
    if len(lp.integrality_):  # integer columns at their integers, free of HiGHS' feasibility tolerance
        integer = np.asarray([k != highspy.HighsVarType.kContinuous for k in lp.integrality_])
        x = np.where(integer, np.round(x), x)
    return x, float(np.dot(np.asarray(lp.col_cost_), x) + lp.offset_)


def set_cover(
    cover: sp.csr_matrix,
    site_costs: np.ndarray,
    *,
    tolerance: float,
    time_limit_s: float | None = None,
    start: np.ndarray | None = None,
    progress: SolveProgress | None = None,
    watch: dict[str, Any] | None = None,
) -> MipResult:
    """Minimum-cost set of columns such that every row of the 0/1 matrix `cover` has one."""
    n = cover.shape[1]
    m = cover.shape[0]
    return solve_mip(
        site_costs,
        np.zeros(n),
        np.ones(n),
        np.ones(n, bool),
        cover,
        np.ones(m),
        np.full(m, INF),
        time_limit_s=time_limit_s,
        tolerance=tolerance,
        start=start,
        integral_objective=bool(np.all(site_costs == np.round(site_costs))),
        progress=progress,
        watch=watch,
    )


def _levels(alloc: Allocation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pair its level id (distinct allocation cost within its demand), per level its rank and value."""
    new_level = np.r_[True, (alloc.rows[1:] != alloc.rows[:-1]) | (alloc.a[1:] != alloc.a[:-1])]
    level_of_pair = np.cumsum(new_level) - 1
    level_row = alloc.rows[new_level]
    first_level_of_row = np.full(alloc.n_demand, -1)
    first_idx = np.r_[True, level_row[1:] != level_row[:-1]]
    first_level_of_row[level_row[first_idx]] = np.flatnonzero(first_idx)
    rank = np.arange(len(level_row)) - first_level_of_row[level_row]
    return level_of_pair, rank, alloc.a[new_level]


def p_median(
    alloc: Allocation,
    p: int,
    start_open: np.ndarray,
    *,
    tolerance: float,
    at_most: bool = False,
    margin: int = 20,
    progress: SolveProgress | None = None,
    to_solve: Any = None,
) -> tuple[np.ndarray, float, float, str, int]:
    """Exact p-median with the truncated radius formulation, refined until the bound meets the cost.

    Parameters
    ----------
    alloc : Allocation
        Allocation costs (weight × cost) with the unserved option as an always-open virtual site.
    p : int
        Number of candidate sites to open.
    start_open : ndarray of bool, shape (alloc.n_sites,)
        A heuristic solution: the incumbent and the guide for which levels to keep first.
    tolerance : float
        Relative gap at which the model counts as solved.
    at_most : bool
        Open at most `p` candidates instead of exactly `p` (for maximal covering, and for problems
        whose surplus candidates were reduced away).
    margin : int
        Levels kept beyond a demand's level in the incumbent (more: larger model, fewer rounds).
    progress : SolveProgress, optional
        Deadline and reporting of the whole solve; every HiGHS run keeps the deadline.
    to_solve : callable, optional
        Maps a cost of this model to the whole solve's objective (when `alloc` is one part of it);
        without it the costs are reported as they are.

    Returns
    -------
    open_mask, objective, bound, status, rounds
    """
    level_of_pair, rank, value = _levels(alloc)
    n_levels = len(value)
    level_row = alloc.rows[np.r_[True, (alloc.rows[1:] != alloc.rows[:-1]) | (alloc.a[1:] != alloc.a[:-1])]]
    is_last = np.r_[level_row[1:] != level_row[:-1], True]
    delta = np.r_[value[1:] - value[:-1], 0.0]
    delta[is_last] = 0.0
    n_sites = alloc.n_sites
    cand = alloc.candidate_mask
    fixed = alloc.fixed_mask
    best_open = start_open.copy()
    best_obj = alloc.objective(best_open)
    # Integer allocation costs make every objective an integer (the z take 0/1 values at integer y).
    integral = bool(np.all(alloc.a == np.round(alloc.a)))
    keep_rank = np.full(alloc.n_demand, -1)
    mapped = to_solve if to_solve is not None else (lambda v: v)

    def extend(open_mask: np.ndarray) -> None:
        d1_level = alloc.level_of_nearest(open_mask, level_of_pair)
        has = d1_level >= 0
        need = np.where(has, rank[np.maximum(d1_level, 0)] + margin, np.iinfo(np.int64).max // 2)
        np.maximum.at(keep_rank, np.arange(alloc.n_demand), need)

    def price(x: np.ndarray) -> None:
        # the model's own value truncates far levels; report the true cost of each new solution
        nonlocal best_obj, best_open
        open_mask = np.asarray(x[:n_sites]) > 0.5
        obj = alloc.objective(open_mask)
        if obj < best_obj:
            best_obj, best_open = obj, open_mask
            if progress is not None:
                progress.report(objective=mapped(obj))

    extend(best_open)
    bound = -np.inf
    status = "feasible"
    rounds = 0
    first_level_rows = level_row
    while True:
        rounds += 1
        kept_level = rank <= keep_rank[first_level_rows]
        lv = np.flatnonzero(kept_level)
        # z variables for kept levels that are not their demand's last level
        has_z = kept_level & ~is_last
        z_index = np.full(n_levels, -1)
        z_index[has_z] = n_sites + np.arange(int(has_z.sum()))
        n_col = n_sites + int(has_z.sum())
        row_of_level = np.full(n_levels, -1)
        row_of_level[lv] = np.arange(len(lv))
        # row for level g: z_{g-1} − z_g − Σ_{j at g} y_j ≤ 0 (first level: −z_g − Σ y ≤ −1)
        pair_kept = kept_level[level_of_pair]
        r_pair = row_of_level[level_of_pair[pair_kept]]
        c_pair = alloc.cols[pair_kept]
        prev_ok = rank[lv] > 0
        r_prev = row_of_level[lv[prev_ok]]
        c_prev = z_index[lv[prev_ok] - 1]
        own = has_z[lv]
        r_own = row_of_level[lv[own]]
        c_own = z_index[lv[own]]
        rr = np.r_[r_pair, r_prev, r_own, np.full(int(cand.sum()), len(lv))]
        cc = np.r_[c_pair, c_prev, c_own, np.flatnonzero(cand)]
        vv = np.r_[-np.ones(len(r_pair)), np.ones(len(r_prev)), -np.ones(len(r_own)), np.ones(int(cand.sum()))]
        matrix = sp.csr_matrix((vv, (rr, cc)), shape=(len(lv) + 1, n_col))
        row_upper = np.r_[np.where(rank[lv] == 0, -1.0, 0.0), float(p)]
        row_lower = np.r_[np.full(len(lv), -INF), -INF if at_most else float(p)]
        cost = np.r_[np.zeros(n_sites), delta[has_z]]
        lower = np.r_[fixed.astype(float), np.zeros(n_col - n_sites)]
        upper = np.r_[(cand | fixed).astype(float), np.full(n_col - n_sites, INF)]
        offset = float(value[rank == 0].sum())
        start = np.r_[best_open.astype(float), alloc.level_indicators(best_open, level_of_pair, rank)[has_z]]
        res = solve_mip(
            cost,
            lower,
            upper,
            np.r_[np.ones(n_sites, bool), np.zeros(n_col - n_sites, bool)],
            matrix,
            row_lower,
            row_upper,
            offset=offset,
            tolerance=tolerance,
            start=start,
            integral_objective=integral,
            progress=progress,
            # the truncated model is a relaxation: its bound holds for the whole problem
            watch={"on_solution": price, "to_bound": mapped if to_solve is None else None},
        )
        if res.status == "infeasible":
            return best_open, float("nan"), float("nan"), "infeasible", rounds
        if np.isfinite(res.bound):
            bound = max(bound, res.bound)
        truncated = False
        if res.x is not None:
            open_mask = res.x[:n_sites] > 0.5
            price(res.x)
            # truncated: some demand's nearest open site lies beyond the levels the model kept
            nearest = alloc.level_of_nearest(open_mask, level_of_pair)
            beyond = np.where(nearest >= 0, rank[np.maximum(nearest, 0)], np.iinfo(np.int64).max // 2)
            truncated = bool(np.any(beyond > keep_rank))
            if truncated:
                extend(open_mask)
        if relative_gap(best_obj, bound) <= tolerance and res.status in ("optimal", "feasible"):
            status = "optimal"
            break
        if res.status == "time_limit" or (progress is not None and progress.expired()):
            status = "time_limit"
            break
        if not truncated:
            # solved to tolerance but the incumbent still differs: the model was exact for its own
            # solution, so the best solution is that one; report what was proven.
            status = "optimal" if relative_gap(best_obj, bound) <= tolerance else "feasible"
            break
    return best_open, best_obj, bound, status, rounds


class AssignmentModel:
    """Capacitated location-assignment model over the sparse pairs, built once and solved many times.

    min Σ a_ij x_ij + Σ u_i s_i [+ Σ f_j y_j]  s.t. Σ_j x_ij + s_i = 1, x_ij ≤ y_j,
    Σ_i load_i x_ij ≤ capacity_j y_j, Σ y_j (= or ≤) p. The unserved option s_i is the pair with
    `alloc`'s virtual site (present only where unserved demand is allowed).

    Parameters
    ----------
    alloc : Allocation
    load, capacity : ndarray
        Per demand and per site (same unit; ``inf`` = unlimited).
    p : int, optional
        Number of new sites (None: no cardinality row, as in set cover).
    exactly_p : bool
        ``Σ y = p`` instead of ``≤ p``.
    site_costs : ndarray, optional
        Opening cost per site (set cover objective).
    """

    def __init__(
        self,
        alloc: Allocation,
        load: np.ndarray,
        capacity: np.ndarray | None,
        *,
        p: int | None = None,
        exactly_p: bool = False,
        site_costs: np.ndarray | None = None,
    ) -> None:
        self.alloc = alloc
        n_sites = alloc.n_sites
        n_pairs = len(alloc.rows)
        cand = alloc.candidate_mask
        self.cand_idx = cand_idx = np.flatnonzero(cand)
        # Columns: x for every pair (the virtual-site pair is the unserved variable), then y for candidates.
        y_col = np.full(n_sites, -1)
        y_col[cand_idx] = n_pairs + np.arange(len(cand_idx))
        self.y_cols = y_col[cand_idx].astype(np.int32)
        n_col = n_pairs + len(cand_idx)
        pair = np.arange(n_pairs)
        rr, cc, vv, lo, up = (
            [alloc.rows],
            [pair],
            [np.ones(n_pairs)],
            [np.ones(alloc.n_demand)],
            [np.ones(alloc.n_demand)],
        )
        n_row = alloc.n_demand
        cp = np.flatnonzero(cand[alloc.cols])  # x_ij ≤ y_j
        rid = n_row + np.arange(len(cp))
        rr += [rid, rid]
        cc += [cp, y_col[alloc.cols[cp]]]
        vv += [np.ones(len(cp)), -np.ones(len(cp))]
        lo.append(np.full(len(cp), -INF))
        up.append(np.zeros(len(cp)))
        n_row += len(cp)
        # no capacities means unlimited; the virtual site is unlimited too
        cap = np.r_[np.full(n_sites - 1, np.inf) if capacity is None else capacity, np.inf]
        limited = np.flatnonzero(np.isfinite(cap))
        cap_row = np.full(n_sites, -1)
        cap_row[limited] = n_row + np.arange(len(limited))
        lp_ = np.flatnonzero(np.isfinite(cap[alloc.cols]))
        lim_cand = limited[cand[limited]]
        rr += [cap_row[alloc.cols[lp_]], cap_row[lim_cand]]
        cc += [lp_, y_col[lim_cand]]
        vv += [load[alloc.rows[lp_]], -cap[lim_cand]]
        lo.append(np.full(len(limited), -INF))
        up.append(np.where(cand[limited], 0.0, cap[limited]))
        n_row += len(limited)
        self.card_row = None
        if p is not None:
            rr.append(np.full(len(cand_idx), n_row))
            cc.append(n_pairs + np.arange(len(cand_idx)))
            vv.append(np.ones(len(cand_idx)))
            lo.append(np.array([float(p) if exactly_p else -INF]))
            up.append(np.array([float(p)]))
            self.card_row = n_row
            self.card_bounds = (lo[-1][0], up[-1][0])
            n_row += 1
        self.matrix = sp.csr_matrix(
            (np.concatenate(vv), (np.concatenate(rr), np.concatenate(cc))), shape=(n_row, n_col)
        )
        self.row_lower, self.row_upper = np.concatenate(lo), np.concatenate(up)
        self.cost = np.r_[alloc.a, np.zeros(len(cand_idx))]
        if site_costs is not None:
            self.cost[n_pairs:] = site_costs[cand_idx]
        self.n_pairs, self.n_col = n_pairs, n_col
        self.load, self.capacity_ext = load, cap
        data = np.r_[alloc.a, self.cost[n_pairs:]]
        self.integral_objective = bool(np.all(data == np.round(data)))
        self._highs: dict[bool, highspy.Highs] = {}

    def _model(self, integral: bool) -> highspy.Highs:
        if integral not in self._highs:
            self._highs[integral] = load_highs(
                self.cost,
                np.zeros(self.n_col),
                np.ones(self.n_col),
                np.full(self.n_col, integral),
                self.matrix,
                self.row_lower,
                self.row_upper,
            )
        return self._highs[integral]

    def solve(
        self,
        open_mask: np.ndarray | None = None,
        *,
        integral: bool = True,
        time_limit_s: float | None = None,
        tolerance: float = defaults.MIP_GAP,
        start_open: np.ndarray | None = None,
        start_assign: np.ndarray | None = None,
    ) -> tuple[MipResult, np.ndarray, np.ndarray]:
        """Solve, optionally with the open sites fixed (then only the assignment is decided).

        With `open_mask` only the pairs of open sites enter a small model (a generalised assignment
        problem, or with ``integral=False`` its transportation LP), so pricing many site sets is cheap.

        Returns
        -------
        result, open_mask, assignment
            `assignment` gives each demand's site, −1 when unserved (or when nothing was found).
        """
        alloc = self.alloc
        if open_mask is not None:
            return self._solve_open(open_mask, integral, time_limit_s, tolerance)
        h = self._model(integral)
        k = len(self.cand_idx)
        h.changeColsBounds(k, self.y_cols, np.zeros(k), np.ones(k))
        if self.card_row is not None:
            h.changeRowBounds(self.card_row, *self.card_bounds)
        start = None
        if start_open is not None and start_assign is not None:
            start = np.zeros(self.n_col)
            target = np.where(start_assign >= 0, start_assign, alloc.virtual)
            start[np.flatnonzero(alloc.cols == target[alloc.rows])] = 1.0
            start[self.n_pairs :] = start_open[self.cand_idx]
        res = run_highs(
            h,
            integral,
            time_limit_s=time_limit_s,
            tolerance=tolerance,
            start=start,
            integral_objective=integral and self.integral_objective,
        )
        assign = np.full(alloc.n_demand, -1)
        opened = alloc.fixed_mask.copy()
        if res.x is not None:
            opened[self.cand_idx] = res.x[self.n_pairs :] > 0.5
            if integral:
                chosen = np.flatnonzero(res.x[: self.n_pairs] > 0.5)
                assign[alloc.rows[chosen]] = alloc.cols[chosen]
                assign[assign == alloc.virtual] = -1
                # report the cost of the assignment itself, free of solver round-off
                res.objective = float(self.cost[chosen].sum() + self.cost[self.n_pairs :][opened[self.cand_idx]].sum())
        return res, opened, assign

    def _solve_open(
        self, open_mask: np.ndarray, integral: bool, time_limit_s: float | None, tolerance: float
    ) -> tuple[MipResult, np.ndarray, np.ndarray]:
        alloc = self.alloc
        pairs = np.flatnonzero(open_mask[alloc.cols])
        assign = np.full(alloc.n_demand, -1)
        rows, cols = alloc.rows[pairs], alloc.cols[pairs]
        if len(np.unique(rows)) < alloc.n_demand:
            return MipResult(None, float("nan"), float("nan"), "infeasible", 0.0), open_mask.copy(), assign
        cap = self.capacity_ext[cols]
        limited_sites, cap_row = np.unique(cols[np.isfinite(cap)], return_inverse=True)
        lim = np.flatnonzero(np.isfinite(cap))
        n = len(pairs)
        matrix = sp.csr_matrix(
            (
                np.r_[np.ones(n), self.load[rows[lim]]],
                (np.r_[rows, alloc.n_demand + cap_row], np.r_[np.arange(n), lim]),
            ),
            shape=(alloc.n_demand + len(limited_sites), n),
        )
        row_lower = np.r_[np.ones(alloc.n_demand), np.full(len(limited_sites), -INF)]
        row_upper = np.r_[np.ones(alloc.n_demand), self.capacity_ext[limited_sites]]
        res = solve_mip(
            alloc.a[pairs],
            np.zeros(n),
            np.ones(n),
            np.full(n, integral),
            matrix,
            row_lower,
            row_upper,
            time_limit_s=time_limit_s,
            tolerance=tolerance,
            integral_objective=integral and self.integral_objective,
        )
        if res.x is not None and integral:
            chosen = res.x > 0.5
            assign[rows[chosen]] = cols[chosen]
            assign[assign == alloc.virtual] = -1
            res.objective = float(
                alloc.a[pairs][chosen].sum() + self.cost[self.n_pairs :][open_mask[self.cand_idx]].sum()
            )
        return res, open_mask.copy(), assign
