"""Exact p-median and maximal covering at city size: fixing by reduced costs, then part by part.

Both objectives are allocation problems (:mod:`siting.optimize.heuristics`) with at most p new
sites. :func:`solve_exact` takes a reduced problem (:func:`siting.optimize.reduce.reduce_allocation`),
an incumbent and the multipliers of a Lagrangian bound, and

1. **fixes sites by reduced costs**: with multipliers λ the relaxation values each candidate at
   ρ_j ≤ 0 and opens the p smallest. Forcing a closed candidate j open raises the bound by
   ρ_j − ρ_(p); forcing an open one closed by ρ_(p+1) − ρ_j. When that bound reaches the
   incumbent (less the tolerance, or less one when every cost is an integer) no better solution
   has j open (closed), so j is closed (open) for good. The least of those forced bounds
   (``floor``) stays a bound of what was cut away;
2. **splits** what is left into independent parts (:func:`siting.optimize.reduce.parts`), which
   share nothing but the number of new sites;
3. **allocates p to the parts** by dynamic programming over per-part values. Each part's cost
   with q sites, f_k(q), is known from below by the Lagrangian (Σ λ_i and the q smallest ρ of
   the part, the same λ) and from above by the solutions seen; the programme over the lower
   values gives a bound, over the upper values a solution. Where the allocation that attains
   the bound uses a value not yet proven, that part is solved exactly with that q (HiGHS, the
   truncated radius formulation of :func:`siting.optimize.exact.p_median`), and the programme
   runs again, until the best solution meets the bound or the time is up. Since opening a
   site never raises the cost, f_k never rises with q: every proven lower value also bounds
   the smaller q, and every solution also serves the larger q.
"""

from __future__ import annotations

import numpy as np

from siting.optimize import exact
from siting.optimize.heuristics import Allocation, site_values
from siting.optimize.progress import SolveProgress
from siting.optimize.reduce import fallback_costs, reduce_allocation, split


def reduced_cost_fixing(
    alloc: Allocation, p: int, multipliers: np.ndarray, upper: float, slack: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Candidates that no solution cheaper than ``upper − slack`` opens (closed) or leaves closed (open).

    Returns
    -------
    closed, opened : ndarray of bool, shape (alloc.n_sites,)
    floor : float
        Least Lagrangian bound of the solutions cut away (inf when nothing was fixed).
    """
    rho = site_values(alloc, multipliers)
    cand = np.flatnonzero(alloc.candidate_mask)
    closed = np.zeros(alloc.n_sites, bool)
    opened = np.zeros(alloc.n_sites, bool)
    if len(cand) <= p or p <= 0:
        # all candidates fit (or none may open): only closing can be forced, never opening a surplus one
        return closed, opened, np.inf
    order = cand[np.argsort(rho[cand], kind="stable")]
    inside, outside = order[:p], order[p:]
    value = float(multipliers.sum() + rho[alloc.fixed_mask].sum() + rho[inside].sum())
    last_in, first_out = rho[inside[-1]], rho[outside[0]]
    forced_open = value + rho[outside] - last_in  # bound of solutions with j (outside) open
    forced_closed = value - rho[inside] + first_out  # bound of solutions with j (inside) closed
    threshold = upper - slack
    closed[outside[forced_open >= threshold]] = True
    opened[inside[forced_closed >= threshold]] = True
    cut = np.r_[forced_open[forced_open >= threshold], forced_closed[forced_closed >= threshold]]
    return closed, opened, float(cut.min()) if len(cut) else np.inf


class _Part:
    """One independent part: its allocation, lower and upper values per number of sites, solutions."""

    def __init__(self, alloc: Allocation, sites: np.ndarray, lower: np.ndarray, start: np.ndarray) -> None:
        self.alloc = alloc
        self.sites = sites  # candidates of the parent problem
        q_max = len(lower) - 1
        self.lower = np.maximum.accumulate(lower[::-1])[::-1]  # f never rises with q
        self.upper = np.full(q_max + 1, np.inf)
        self.solution: list[np.ndarray | None] = [None] * (q_max + 1)
        self.solved = np.zeros(q_max + 1, bool)  # solved exactly (as far as the tolerance goes)
        none_open = alloc.initial_open()
        self.offer(0, none_open, alloc.objective(none_open))
        self.solved[0] = True
        self.lower[0] = self.upper[0]
        count = int(start[: alloc.virtual].sum())
        if count <= q_max:
            self.offer(count, start, alloc.objective(start))
        if alloc.virtual == 1 and q_max >= 1:  # one candidate: opening it is the best of one site
            one = np.ones(alloc.n_sites, bool)
            self.offer(1, one, alloc.objective(one))
            self.solved[1] = True
            self.lower[1] = self.upper[1]

    def offer(self, q: int, open_mask: np.ndarray, value: float) -> None:
        """A solution with q sites serves every larger q too."""
        better = np.flatnonzero(self.upper[q:] > value) + q
        self.upper[better] = value
        for k in better:
            self.solution[k] = open_mask

    def prove(self, q: int, bound: float) -> None:
        """A proven lower value at q also holds for every smaller q."""
        self.lower[: q + 1] = np.maximum(self.lower[: q + 1], bound)
        self.solved[q] = True


def _allocate(values: list[np.ndarray], p: int) -> tuple[float, np.ndarray]:
    """Least Σ_k values[k][q_k] with Σ q_k ≤ p (min-plus dynamic programme), and the q_k."""
    table = np.zeros(p + 1)  # best cost of the parts so far with at most s sites
    choices = []
    for v in values:
        new = np.full(p + 1, np.inf)
        pick = np.zeros(p + 1, np.int64)
        for q in range(min(len(v), p + 1)):
            trial = np.full(p + 1, np.inf)
            trial[q:] = table[: p + 1 - q] + v[q]
            better = trial < new
            new[better] = trial[better]
            pick[better] = q
        choices.append(pick)
        table = new
    counts = np.zeros(len(values), np.int64)
    s = p
    for k in range(len(values) - 1, -1, -1):
        counts[k] = choices[k][s]
        s -= counts[k]
    return float(table[p]), counts


def solve_exact(
    alloc: Allocation,
    p: int,
    incumbent: np.ndarray,
    multipliers: np.ndarray,
    *,
    tolerance: float,
    progress: SolveProgress,
) -> tuple[np.ndarray, float, float, str]:
    """Prove (or improve) an incumbent of the reduced problem `alloc` with at most `p` new sites.

    Parameters
    ----------
    alloc : Allocation
        A reduced problem: no fixed site but the virtual one.
    incumbent : ndarray of bool
        Open mask of the best known solution.
    multipliers : ndarray
        Lagrangian multipliers (one per demand), e.g. of
        :func:`~siting.optimize.heuristics.p_median_lagrangian`.
    tolerance : float
        Relative gap at which the result counts as optimal.
    progress : SolveProgress
        Deadline and reporting, in this problem's terms (its ``offset`` adds what was reduced away).

    Returns
    -------
    open_mask, objective, bound, status
    """
    best_open, best = incumbent.copy(), alloc.objective(incumbent)
    integral = bool(np.all(alloc.a == np.round(alloc.a)))
    slack = max(tolerance * abs(best), (1.0 - 1e-6) if integral else 0.0)
    progress.report(stage="stage_reduce")
    closed, opened, floor = reduced_cost_fixing(alloc, p, multipliers, best, slack)
    core = reduce_allocation(alloc, also_fixed=opened, removed=closed)
    q_total = max(p - int(opened.sum()), 0)
    sub = core.alloc
    lam = multipliers[core.demands]
    rho = site_values(sub, lam)
    per_demand = np.minimum(lam, fallback_costs(sub))  # λ_i + min(0, fallback_i − λ_i)
    start_sub = core.restrict(best_open)
    part_list: list[_Part] = []
    for demands, sites, part_alloc in split(sub):
        q_max = min(len(sites), q_total)
        lower = float(per_demand[demands].sum()) + np.r_[0.0, np.cumsum(np.sort(rho[sites])[:q_max])]
        part_list.append(_Part(part_alloc, sites, lower, np.r_[start_sub[sites], True]))

    def lift(counts: np.ndarray) -> np.ndarray:
        local = np.zeros(sub.n_sites, bool)
        for part, q in zip(part_list, counts, strict=True):
            chosen = part.solution[q]
            if chosen is not None:
                local[part.sites[chosen[: part.alloc.virtual]]] = True
        mask = opened.copy()
        mask[core.sites[local[: len(core.sites)]]] = True
        mask[alloc.virtual] = True
        return mask

    status = "feasible"
    out_of_time = False
    while True:
        low, at = _allocate([part.lower for part in part_list], q_total)
        high, counts = _allocate([part.upper for part in part_list], q_total)
        bound = min(core.constant + low, floor)
        if core.constant + high < best - 1e-9 * max(1.0, abs(best)):
            best_open = lift(counts)
            best = alloc.objective(best_open)
        progress.report(objective=best, bound=bound, stage="stage_parts")
        if exact.relative_gap(best, bound) <= tolerance or (integral and best - bound < 1.0 - 1e-6):
            status = "optimal"
            break
        todo = [k for k, part in enumerate(part_list) if not part.solved[at[k]]]
        if not todo:  # every value the bound rests on is solved: the bound is all there is to prove
            break
        if out_of_time or progress.expired():
            status = "time_limit"
            break
        # the most uncertain value first
        k = max(todo, key=lambda i: (part_list[i].upper[at[i]] - part_list[i].lower[at[i]], -i))
        part, q = part_list[k], int(at[k])
        start = part.solution[q]
        # a new solution of this part, with the others as in the best allocation, is a solution of all
        others = core.constant + high - part.upper[counts[k]] if counts[k] == q else np.inf
        opened_mask, value, part_bound, part_status, _ = exact.p_median(
            part.alloc,
            q,
            part.alloc.initial_open() if start is None else start,
            tolerance=tolerance,
            # exactly q: the same value (more sites never cost more) in a tighter model for HiGHS
            progress=progress,
            to_solve=lambda v, others=others: others + v,
        )
        if part_status == "infeasible":
            part.prove(q, np.inf)
            continue
        part.offer(q, opened_mask, value)
        if np.isfinite(part_bound):
            part.prove(q, part_bound)
        out_of_time = part_status == "time_limit"
        if out_of_time:
            part.solved[q] = False
    if integral:  # every objective value is an integer
        bound = float(np.ceil(bound - 1e-6 * max(1.0, abs(bound))))
    return best_open, best, bound, status
