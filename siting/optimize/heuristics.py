"""Greedy construction and swap improvement in numpy, for coverage and p-median objectives.

Both maximal covering and p-median are written as one allocation problem: demand i pays
``a_ij`` when served by open site j and ``u_i`` when no open site serves it, and the objective is
``Σ_i min(u_i, min_{j open} a_ij)``. For p-median a_ij = w_i · cost_ij and u_i = w_i · unserved
cost; for maximal covering a_ij = 0 and u_i = w_i (the uncovered weight). The unserved option is a
virtual site that is always open, so no case needs special code.

Improvement is the fast interchange of Whitaker (1983) in the vectorised form of Resende & Werneck
(2007): for every (insert j, remove r) pair the saving is ``gain[j] − loss[r] + extra[j, r]``,
computed for all pairs at once from each demand's nearest and second-nearest open site, and kept
between moves (:class:`SwapState`): a swap re-accounts only the demands whose nearest two it
changes. Only a demand's pairs cheaper than its second option count, and pairs are kept sorted by
demand then cost, so those pairs are a prefix of its row (:meth:`Allocation.below`). Local optima
are then escaped by variable neighbourhood search (Hansen & Mladenović 1997): shake k random swaps,
improve, keep if better.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from siting.arrays import concat_ranges
from siting.optimize.problem import SitingProblem
from siting.optimize.progress import SolveProgress


class Allocation:
    """Allocation costs over the sparse pairs plus the always-open "unserved" virtual site.

    Built over bare arrays (the reduced problems and the independent parts are solved this way), or
    over a problem's own pairs with :meth:`of`.

    Parameters
    ----------
    n_demand, n_sites : int
        Demands ``0..n_demand-1`` and sites ``0..n_sites-1`` (candidates unless in `fixed`).
    rows, cols : ndarray, shape (n_pairs,)
        Demand and site of each pair (sorted by demand, as a problem's pairs are).
    a : ndarray, shape (n_pairs,)
        Allocation cost of each pair.
    u : ndarray, shape (n_demand,)
        Cost of leaving each demand unserved; ``inf`` = not allowed.
    fixed : ndarray, optional
        Sites that are always open.

    Attributes
    ----------
    rows, cols, a : ndarray
        Pairs including the virtual site (index ``virtual``), sorted by demand then cost.
    worst : ndarray, shape (n_demand,)
        Each demand's dearest option (0 without one).
    big : float
        Cost charged to a demand with no open option; larger than any feasible objective.
    """

    @classmethod
    def of(cls, problem: SitingProblem, a: np.ndarray, u: np.ndarray) -> Allocation:
        """The allocation of ``problem``'s pairs with pair costs ``a`` and unserved costs ``u``."""
        return cls(problem.n_demand, problem.n_sites, problem.rows, problem.cols, a, u, problem.fixed)

    def __init__(
        self,
        n_demand: int,
        n_sites: int,
        rows: np.ndarray,
        cols: np.ndarray,
        a: np.ndarray,
        u: np.ndarray,
        fixed: np.ndarray | None = None,
    ) -> None:
        fixed = np.zeros(0, np.int64) if fixed is None else fixed
        self.n_demand = n_demand
        self.virtual = n_sites
        self.n_sites = n_sites + 1
        u = np.asarray(u, dtype=float)
        ok = np.isfinite(u)
        rows, cols, a = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(a, dtype=float)
        if _sorted_by_demand_cost_site(rows, a, cols):  # a problem's own pairs usually are: no sort
            # each virtual pair goes after its demand's pairs of no higher cost (it has the largest index)
            at = _row_search(a, np.searchsorted(rows, np.arange(n_demand + 1)), u, right=True)[ok]
            self.rows = np.insert(rows, at, np.flatnonzero(ok))
            self.cols = np.insert(cols, at, self.virtual)
            self.a = np.insert(a, at, u[ok])
        else:
            rows = np.r_[rows, np.flatnonzero(ok)]
            cols = np.r_[cols, np.full(int(ok.sum()), self.virtual)]
            a = np.r_[a, u[ok]]
            order = np.lexsort((cols, a, rows))
            self.rows, self.cols, self.a = rows[order], cols[order], a[order]
        self.fixed_mask = np.zeros(self.n_sites, bool)
        self.fixed_mask[np.asarray(fixed, dtype=np.int64)] = True
        self.fixed_mask[self.virtual] = True
        self.candidate_mask = ~self.fixed_mask
        # pairs are sorted by demand then cost: a demand's last pair is its dearest
        last = np.flatnonzero(np.r_[self.rows[1:] != self.rows[:-1], True]) if len(self.rows) else np.zeros(0, int)
        self.worst = np.zeros(self.n_demand)
        self.worst[self.rows[last]] = self.a[last]
        self.big = float(self.worst.sum()) + 1.0

    @cached_property
    def indptr(self) -> np.ndarray:
        """Start of each demand's pairs (CSR layout), length n_demand + 1."""
        return np.searchsorted(self.rows, np.arange(self.n_demand + 1))

    @cached_property
    def _long_rows(self) -> bool:
        """Whether a binary search per row (a few passes over the demands) beats a pass over the pairs."""
        probes = int(np.max(np.diff(self.indptr), initial=0)).bit_length() + 1
        return len(self.a) > 4 * self.n_demand * probes

    @cached_property
    def _by_site(self) -> tuple[np.ndarray, np.ndarray]:
        """Pair indices ordered by site, and the start of each site's (CSC layout)."""
        order = np.argsort(self.cols, kind="stable")
        return order, np.searchsorted(self.cols[order], np.arange(self.n_sites + 1))

    def pairs_of(self, demands: np.ndarray) -> np.ndarray:
        """Indices of the pairs of `demands` (distinct), demand by demand, each demand's in cost order."""
        demands = np.asarray(demands, dtype=np.int64)
        return concat_ranges(self.indptr[demands], self.indptr[demands + 1] - self.indptr[demands])

    @cached_property
    def site_degree(self) -> np.ndarray:
        """Number of pairs of each site."""
        return np.diff(self._by_site[1])

    def pairs_of_sites(self, sites: np.ndarray) -> np.ndarray:
        """Indices of the pairs of `sites` (distinct), site by site."""
        sites = np.asarray(sites, dtype=np.int64)
        order, ptr = self._by_site
        return order[concat_ranges(ptr[sites], ptr[sites + 1] - ptr[sites])]

    def initial_open(self) -> np.ndarray:
        """Open mask with only the fixed sites (and the virtual one)."""
        return self.fixed_mask.copy()

    def nearest_two(self, open_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Cost and site of each demand's nearest open option, the second-nearest cost, and pair index.

        Demands without an open option get cost `big` and site −1.
        """
        first, second = self.first_two(np.flatnonzero(open_mask[self.cols]))
        d1 = np.full(self.n_demand, self.big)
        d2 = np.full(self.n_demand, self.big)
        s1 = np.full(self.n_demand, -1)
        p1 = np.full(self.n_demand, -1)
        d1[self.rows[first]], s1[self.rows[first]], p1[self.rows[first]] = self.a[first], self.cols[first], first
        d2[self.rows[second]] = self.a[second]
        return d1, s1, d2, p1

    def first_two(self, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Of ``pairs`` (indices in pair order, so by demand then cost), each demand's first and second."""
        r = self.rows[pairs]
        first = np.r_[True, r[1:] != r[:-1]] if len(r) else np.zeros(0, bool)
        second = ~first & np.r_[False, first[:-1]]
        return pairs[first], pairs[second]

    def objective(self, open_mask: np.ndarray) -> float:
        """Σ over demands of the cheapest open option (``big`` where none)."""
        return float(self.nearest_two(open_mask)[0].sum())

    def level_of_nearest(self, open_mask: np.ndarray, level_of_pair: np.ndarray) -> np.ndarray:
        """Level id (see exact._levels) of each demand's nearest open option, −1 if none."""
        p1 = self.nearest_two(open_mask)[3]
        return np.where(p1 >= 0, level_of_pair[np.maximum(p1, 0)], -1)

    def level_indicators(self, open_mask: np.ndarray, level_of_pair: np.ndarray, rank: np.ndarray) -> np.ndarray:
        """Per level: 1.0 when its demand has no open option at that level or below (the z of the radius model)."""
        nearest = self.level_of_nearest(open_mask, level_of_pair)
        level_row = self.rows[np.r_[True, (self.rows[1:] != self.rows[:-1]) | (self.a[1:] != self.a[:-1])]]
        near_rank = np.where(nearest >= 0, rank[np.maximum(nearest, 0)], np.iinfo(np.int64).max)
        return (rank < near_rank[level_row]).astype(float)

    def insertion_gain(self, d1: np.ndarray) -> np.ndarray:
        """Saving from opening each site alone, given current nearest costs."""
        return self._gain_over(self.below(d1), d1)

    def below(self, per_demand: np.ndarray) -> np.ndarray:
        """Indices of the pairs cheaper than their demand's value in `per_demand`, in pair order.

        The savings of a move only come from such pairs (a demand's pairs cheaper than its second
        option, or than its multiplier); near the optimum they are a small share of all pairs. A
        demand's pairs are sorted by cost, so they are a prefix of its row, found by a binary search
        run for all demands at once: the work is log(row length) passes over the demands plus the
        pairs returned, never a pass over every pair. Where rows are short (sparse pairs), one
        comparison pass over the pairs is cheaper, and is used instead.
        """
        if not self._long_rows:
            return np.flatnonzero(self.a < per_demand[self.rows])
        end = _row_search(self.a, self.indptr, per_demand, right=False)
        return concat_ranges(self.indptr[:-1], end - self.indptr[:-1])

    def _gain_over(self, pairs: np.ndarray, d1: np.ndarray) -> np.ndarray:
        """`insertion_gain` summed over `pairs` only (which must hold every pair cheaper than d1)."""
        saving = np.maximum(d1[self.rows[pairs]] - self.a[pairs], 0.0)
        # without pairs, bincount returns integers
        return np.bincount(self.cols[pairs], weights=saving, minlength=self.n_sites).astype(float, copy=False)


def _row_search(a: np.ndarray, indptr: np.ndarray, values: np.ndarray, *, right: bool) -> np.ndarray:
    """Per row k, where ``values[k]`` goes in the ascending ``a[indptr[k]:indptr[k + 1]]``
    (as ``np.searchsorted`` with side "right" or "left"), for all rows at once."""
    lo, hi = indptr[:-1].copy(), indptr[1:].copy()
    if len(a) == 0:
        return lo
    for _ in range(int(np.max(hi - lo, initial=0)).bit_length() + 1):
        mid = (lo + hi) // 2
        probe = a[np.minimum(mid, len(a) - 1)]
        after = probe <= values if right else probe < values
        active = lo < hi
        lo, hi = np.where(active & after, mid + 1, lo), np.where(active & ~after, mid, hi)
    return lo


def _sorted_by_demand_cost_site(rows: np.ndarray, a: np.ndarray, cols: np.ndarray) -> bool:
    """Whether the pairs are already in (demand, cost, site) order."""
    later_row, same_row = rows[1:] > rows[:-1], rows[1:] == rows[:-1]
    later_a, same_a = a[1:] > a[:-1], a[1:] == a[:-1]
    return bool(np.all(later_row | (same_row & (later_a | (same_a & (cols[1:] > cols[:-1]))))))


def greedy(alloc: Allocation, p: int, *, stop_without_gain: bool) -> tuple[np.ndarray, list[int], list[float]]:
    """Open up to `p` candidates one at a time, each time the one with the largest saving.

    Ties go to the lowest site index (deterministic).

    Returns
    -------
    open_mask, order, gains
        Final open mask, the candidates in the order added, and each one's saving when added.
    """
    open_mask = alloc.initial_open()
    d1 = alloc.nearest_two(open_mask)[0]
    order: list[int] = []
    gains: list[float] = []
    for _ in range(p):
        gain = alloc.insertion_gain(d1)
        gain[~alloc.candidate_mask | open_mask] = -np.inf
        j = int(np.argmax(gain))
        if not np.isfinite(gain[j]) or (stop_without_gain and gain[j] <= 0):
            break
        open_mask[j] = True
        order.append(j)
        gains.append(float(gain[j]))
        sel = alloc.cols == j
        np.minimum.at(d1, alloc.rows[sel], alloc.a[sel])
    return open_mask, order, gains


class SwapState:
    """Fast interchange bookkeeping of one open set (Resende & Werneck 2007), updated move by move.

    For each demand its nearest and second-nearest open option (``d1, s1, d2, s2``); for each
    closed candidate j the saving of opening it (``gain``), for each open candidate r the cost of
    closing it (``loss``), and ``extra[j, slot(r)]``, the saving of (insert j, remove r) beyond
    ``gain[j] − loss[r]``. A demand contributes only through its pairs cheaper than its second
    option, so a move re-accounts just the demands whose nearest two it changes: those served
    first or second by the site removed and those the inserted site serves better than their
    second option. Open candidates hold slots (columns of ``extra``); an inserted site takes the
    slot of the one it replaces.
    """

    #: A move touching more than this share of the demands leaves the state for one rebuild (:meth:`move`).
    REBUILD_SHARE = 1 / 8

    def __init__(self, alloc: Allocation, open_mask: np.ndarray) -> None:
        self.alloc = alloc
        self.open = open_mask.copy()
        self.slot_site = np.flatnonzero(self.open & alloc.candidate_mask)
        self.slot_of = np.full(alloc.n_sites, -1)
        self.slot_of[self.slot_site] = np.arange(len(self.slot_site))
        self.d1, self.d2 = np.zeros(alloc.n_demand), np.zeros(alloc.n_demand)
        self.s1, self.s2 = np.full(alloc.n_demand, -1), np.full(alloc.n_demand, -1)
        self._rebuild()

    def _rebuild(self) -> None:
        """Nearest two, gain, loss and extra of every demand from scratch."""
        everyone = np.arange(self.alloc.n_demand)
        self._locate(everyone)
        self.gain = np.zeros(self.alloc.n_sites)
        self.loss = np.zeros(self.alloc.n_sites)
        self.extra = np.zeros((self.alloc.n_sites, len(self.slot_site)))
        self._account(everyone, 1.0)
        self._stale = False

    def copy(self) -> SwapState:
        out = object.__new__(SwapState)
        out.__dict__.update({k: v.copy() if isinstance(v, np.ndarray) else v for k, v in self.__dict__.items()})
        return out

    @property
    def objective(self) -> float:
        return float(self.fresh().d1.sum())

    def _locate(self, demands: np.ndarray) -> None:
        """Nearest two open options of `demands` (sorted), from their own pairs."""
        alloc = self.alloc
        if len(demands) == alloc.n_demand:
            pairs = np.flatnonzero(self.open[alloc.cols])
        else:
            pairs = alloc.pairs_of(demands)
            pairs = pairs[self.open[alloc.cols[pairs]]]
        self.d1[demands] = self.d2[demands] = alloc.big
        self.s1[demands] = self.s2[demands] = -1
        first, second = alloc.first_two(pairs)
        self.d1[alloc.rows[first]], self.s1[alloc.rows[first]] = alloc.a[first], alloc.cols[first]
        self.d2[alloc.rows[second]], self.s2[alloc.rows[second]] = alloc.a[second], alloc.cols[second]

    def _account(self, demands: np.ndarray, sign: float) -> None:
        """Add (sign 1) or take back (−1) what `demands` contribute to gain, loss and extra."""
        alloc = self.alloc
        d1, s1, d2 = self.d1, self.s1, self.d2
        # bincount over whole arrays beats np.add.at even when few demands are touched
        served = demands[s1[demands] >= 0]
        self.loss += np.bincount(s1[served], weights=sign * (d2[served] - d1[served]), minlength=alloc.n_sites)
        if len(demands) == alloc.n_demand:
            pairs = alloc.below(d2)
        else:
            pairs = alloc.pairs_of(demands)
            pairs = pairs[alloc.a[pairs] < d2[alloc.rows[pairs]]]
        rows, cols = alloc.rows[pairs], alloc.cols[pairs]
        keep = cols != s1[rows]
        rows, cols, a = rows[keep], cols[keep], alloc.a[pairs[keep]]
        self.gain += np.bincount(cols, weights=sign * np.maximum(d1[rows] - a, 0.0), minlength=alloc.n_sites)
        slot = np.where(s1[rows] >= 0, self.slot_of[s1[rows]], -1)
        sel = slot >= 0
        rows, n_slots = rows[sel], self.extra.shape[1]
        self.extra += np.bincount(
            cols[sel] * n_slots + slot[sel],
            weights=sign * (d2[rows] - np.maximum(a[sel], d1[rows])),
            minlength=self.extra.size,
        ).reshape(self.extra.shape)

    def best_swap(self) -> tuple[int, int, float]:
        """The (insert j, remove r) swap of the largest saving, and that saving (−inf if none)."""
        self.fresh()
        if self.extra.size == 0:
            return -1, -1, -np.inf
        profit = self.extra + self.gain[:, None] - self.loss[self.slot_site][None, :]
        profit[self.open | ~self.alloc.candidate_mask] = -np.inf
        k = int(np.argmax(profit))
        j, slot = divmod(k, profit.shape[1])
        return j, int(self.slot_site[slot]), float(profit[j, slot])

    def fresh(self) -> SwapState:
        """The state itself, brought up to date after moves that left it for a rebuild."""
        if self._stale:
            self._rebuild()
        return self

    def move(self, j: int, r: int) -> None:
        """Open candidate `j` and close open candidate `r`.

        A move that touches more than an eighth of the demands (few open sites) only marks the state
        for a rebuild at the next read (:meth:`fresh`): accounting that many demands twice costs more,
        and a run of such moves (a shake) is then accounted once.
        """
        alloc = self.alloc
        slot = self.slot_of[r]
        touched = np.zeros(0, np.int64)
        if not self._stale:
            col_j = alloc.pairs_of_sites(np.array([j]))
            touched = np.unique(
                np.r_[
                    np.flatnonzero((self.s1 == r) | (self.s2 == r)),
                    alloc.rows[col_j][alloc.a[col_j] < self.d2[alloc.rows[col_j]]],
                ]
            )
            self._stale = len(touched) > self.REBUILD_SHARE * alloc.n_demand
        if self._stale:
            self._swap(j, r)
            return
        self._account(touched, -1.0)
        # every contribution to r's column and j's row came from touched demands: clear the round-off
        self.extra[:, slot] = 0.0
        self.extra[j] = 0.0
        self.loss[r] = 0.0
        self.gain[j] = 0.0
        self._swap(j, r)
        self._locate(touched)
        self._account(touched, 1.0)

    def _swap(self, j: int, r: int) -> None:
        """The open set with `j` in and `r` out, `j` taking `r`'s slot."""
        slot = self.slot_of[r]
        self.open[j], self.open[r] = True, False
        self.slot_of[j], self.slot_of[r] = slot, -1
        self.slot_site[slot] = j


def interchange(alloc: Allocation, open_mask: np.ndarray, deadline: float | None = None) -> tuple[np.ndarray, float]:
    """Best-improvement swap local search (fast interchange) until no swap saves anything.

    Returns
    -------
    open_mask, objective
    """
    state = _descend(SwapState(alloc, open_mask), deadline)
    return state.open, state.objective


def _descend(state: SwapState, deadline: float | None) -> SwapState:
    """Apply the best swap while it saves more than round-off (or until the deadline); `state` is changed."""
    objective = state.objective
    while deadline is None or time.perf_counter() <= deadline:
        j, r, saving = state.best_swap()
        if saving <= 1e-9 * max(1.0, abs(objective)):
            break
        state.move(j, r)
        objective = state.objective
    return state


def variable_neighborhood(
    alloc: Allocation,
    open_mask: np.ndarray,
    *,
    max_rounds: int,
    k_max: int,
    seed: int,
    deadline: float | None,
    progress: SolveProgress | None = None,
) -> tuple[np.ndarray, float]:
    """Variable neighbourhood search around fast interchange.

    Shake the best solution by k random swaps (k = 1…k_max, reset to 1 on improvement), improve
    by `interchange`, keep the result if better. Stops after `max_rounds` shakes without
    improvement or at the deadline. Seeded: the same inputs give the same result unless the
    deadline cuts the search short. Each better solution is reported to `progress`.
    """
    rng = np.random.default_rng(seed)
    best = _descend(SwapState(alloc, open_mask), deadline)
    best_obj = best.objective
    if progress is not None:
        progress.report(objective=best_obj)
    k = 1
    idle = 0
    while idle < max_rounds and (deadline is None or time.perf_counter() < deadline):
        kk = min(k, len(best.slot_site), int((~best.open & alloc.candidate_mask).sum()))
        if kk == 0:
            break
        trial = _descend(_shake(best.copy(), kk, rng), deadline)
        obj = trial.objective
        if obj < best_obj - 1e-9 * max(1.0, abs(best_obj)):
            best, best_obj = trial, obj
            k = 1
            idle = 0
            if progress is not None:
                progress.report(objective=best_obj)
        else:
            k = k % k_max + 1
            idle += 1
    return best.open, best_obj


def _shake(state: SwapState, k: int, rng: np.random.Generator) -> SwapState:
    """k local random swaps: close a random open candidate r, open a closed candidate that could
    serve one of r's demands (a random such pair), so the perturbation stays in r's neighbourhood."""
    alloc = state.alloc
    s1 = state.fresh().s1.copy()  # the nearest sites before the shake, as the swaps are drawn
    for _ in range(k):
        r = int(rng.choice(state.slot_site))
        pairs = alloc.pairs_of(np.flatnonzero(s1 == r))
        cols = alloc.cols[pairs]
        near = cols[alloc.candidate_mask[cols] & ~state.open[cols]]
        pool = near if len(near) else np.flatnonzero(~state.open & alloc.candidate_mask)
        state.move(int(rng.choice(pool)), r)
    return state


def set_cover_greedy(cover_csc, site_costs: np.ndarray) -> np.ndarray:
    """Chvátal's greedy for weighted set cover, then removal of redundant columns.

    Parameters
    ----------
    cover_csc : scipy.sparse.csc_matrix, shape (n_rows, n_cols), 0/1
        Rows that must be covered, columns that may be chosen (every row has a column).
    site_costs : ndarray, shape (n_cols,)

    Returns
    -------
    chosen : ndarray of bool, shape (n_cols,)
    """
    n_rows, n_cols = cover_csc.shape
    uncovered = np.ones(n_rows)
    chosen = np.zeros(n_cols, bool)
    cover_csr = cover_csc.tocsr()
    while uncovered.any():
        count = cover_csc.T @ uncovered
        ratio = np.where(count > 0, site_costs / np.maximum(count, 1e-12), np.inf)
        j = int(np.argmin(ratio))
        chosen[j] = True
        uncovered[cover_csc.indices[cover_csc.indptr[j] : cover_csc.indptr[j + 1]]] = 0.0
    return remove_redundant(cover_csr, chosen, site_costs)


def remove_redundant(cover_csr, chosen: np.ndarray, site_costs: np.ndarray) -> np.ndarray:
    """Drop chosen columns whose rows are all covered twice, most expensive first."""
    chosen = chosen.copy()
    times = cover_csr @ chosen.astype(float)
    cover_csc = cover_csr.tocsc()
    for j in np.flatnonzero(chosen)[np.argsort(-site_costs[chosen], kind="stable")]:
        rows = cover_csc.indices[cover_csc.indptr[j] : cover_csc.indptr[j + 1]]
        if np.all(times[rows] >= 2):
            chosen[j] = False
            times[rows] -= 1
    return chosen


def set_cover_lagrangian(
    cover_csr,
    site_costs: np.ndarray,
    *,
    iterations: int = 400,
    deadline: float | None = None,
) -> tuple[np.ndarray, float]:
    """Lagrangian heuristic for weighted set cover (after Beasley 1990).

    Subgradient optimisation of the row multipliers gives a lower bound; every few iterations a
    cover is built greedily from the Lagrangian reduced costs and cleaned of redundant columns.

    Returns
    -------
    chosen, lower_bound
    """
    cover_csc = cover_csr.tocsc()
    best = set_cover_greedy(cover_csc, site_costs)
    upper = float(site_costs[best].sum())
    # start multipliers at the cheapest per-row cost share
    share = site_costs / np.maximum(np.diff(cover_csc.indptr), 1)
    lam = _row_min(cover_csr, share)
    lower = -np.inf
    step = 2.0
    stall = 0
    for it in range(iterations):
        if deadline is not None and time.perf_counter() > deadline:
            break
        reduced = site_costs - cover_csc.T @ lam
        x = reduced < 0
        value = float(lam.sum() + reduced[x].sum())
        if value > lower + 1e-9:
            lower = value
            stall = 0
        else:
            stall += 1
            if stall >= 20:
                step /= 2.0
                stall = 0
        if upper - lower < 1e-9 * max(1.0, upper) or step < 1e-4:
            break
        if it % 5 == 0:
            candidate = _cover_from_reduced(cover_csr, cover_csc, x, site_costs)
            cost = float(site_costs[candidate].sum())
            if cost < upper:
                best, upper = candidate, cost
        g = 1.0 - cover_csr @ x.astype(float)
        norm = float(g @ g)
        if norm == 0:
            candidate = remove_redundant(cover_csr, x, site_costs)
            cost = float(site_costs[candidate].sum())
            if cost < upper:
                best, upper = candidate, cost
            break
        lam = np.maximum(0.0, lam + step * (1.05 * upper - value) / norm * g)
    return best, lower


def _row_min(cover_csr, per_col: np.ndarray) -> np.ndarray:
    """Minimum of `per_col` over each row's columns."""
    vals = per_col[cover_csr.indices]
    out = np.full(cover_csr.shape[0], np.inf)
    np.minimum.at(out, np.repeat(np.arange(cover_csr.shape[0]), np.diff(cover_csr.indptr)), vals)
    return out


def _cover_from_reduced(cover_csr, cover_csc, x: np.ndarray, site_costs: np.ndarray) -> np.ndarray:
    """Complete the Lagrangian solution `x` to a cover greedily (by cost per new row), then clean it."""
    chosen = x.copy()
    uncovered = (cover_csr @ chosen.astype(float)) == 0
    while uncovered.any():
        count = cover_csc.T @ uncovered.astype(float)
        ratio = np.where(count > 0, site_costs / np.maximum(count, 1e-12), np.inf)
        j = int(np.argmin(ratio))
        chosen[j] = True
        uncovered[cover_csc.indices[cover_csc.indptr[j] : cover_csc.indptr[j + 1]]] = False
    return remove_redundant(cover_csr, chosen, site_costs)


@dataclass
class LagrangianBound:
    """Outcome of :func:`p_median_lagrangian`.

    Attributes
    ----------
    open_mask : ndarray of bool
        Best solution found (the start or one polished from a relaxation).
    objective : float
        Its cost.
    bound : float
        Best Lagrangian lower bound L(λ) (−inf when no iteration ran).
    multipliers : ndarray
        The λ of `bound`, one per demand (for reduced-cost fixing and the bounds of the parts).
    """

    open_mask: np.ndarray
    objective: float
    bound: float
    multipliers: np.ndarray


def site_values(alloc: Allocation, multipliers: np.ndarray, below: np.ndarray | None = None) -> np.ndarray:
    """ρ_j = Σ_i min(0, a_ij − λ_i): what opening site j alone is worth in the relaxation (≤ 0).

    `below` are the pairs with a_ij < λ_i (``alloc.below(multipliers)``) when already known.
    """
    below = alloc.below(multipliers) if below is None else below
    reduced = alloc.a[below] - multipliers[alloc.rows[below]]
    return np.bincount(alloc.cols[below], weights=reduced, minlength=alloc.n_sites).astype(float, copy=False)


def lagrangian_value(
    alloc: Allocation, multipliers: np.ndarray, p: int, below: np.ndarray | None = None
) -> tuple[float, np.ndarray, np.ndarray]:
    """L(λ) = Σ λ_i + Σ_{fixed} ρ_j + the p smallest ρ_j of the candidates; ρ; the candidates picked."""
    rho = site_values(alloc, multipliers, below)
    cand = np.flatnonzero(alloc.candidate_mask)
    k = min(p, len(cand))
    pick = cand[np.argpartition(rho[cand], k - 1)[:k]] if 0 < k < len(cand) else cand[:k]
    value = float(multipliers.sum() + rho[alloc.fixed_mask].sum() + rho[pick].sum())
    return value, rho, pick


def p_median_lagrangian(
    alloc: Allocation,
    p: int,
    open_mask: np.ndarray,
    *,
    iterations: int = 3000,
    patience: int = 20,
    target_gap: float = 1e-4,
    polish_every: int = 25,
    deadline: float | None = None,
    progress: SolveProgress | None = None,
) -> LagrangianBound:
    """Lagrangian relaxation of "each demand served once" (after Beasley 1993), with interchange polishing.

    With multipliers λ_i the relaxation splits by site: site j is worth
    ρ_j = Σ_i min(0, a_ij − λ_i), the fixed sites (and the unserved option) are open, and the p
    candidates with the smallest ρ open; L(λ) = Σ λ_i + Σ_{open} ρ_j is a lower bound of every
    solution with p candidates, and, since opening a site never raises the cost, of every solution
    with at most p (so it also bounds maximal covering written as an allocation). λ starts at each
    demand's cost in the start solution and follows subgradient steps
    θ (UB − L) / ‖g‖² g with g_i = 1 − (open sites serving i in the relaxation); θ starts at 2 and
    halves after `patience` steps without a better bound. Every `polish_every` steps a relaxation's
    new open set is improved by `interchange`, which may improve the incumbent UB (a count, not a
    share of the time, so that the result does not depend on the machine's speed).

    Stops at `iterations`, when θ < 1e-4, when the gap (UB − L) / UB ≤ `target_gap` (or below 1
    when every cost is an integer), when `4 × patience` steps closed less than 2 % of the gap left,
    or at the deadline; a gap left then gets one last polish, of the open set of the best bound.
    """
    best, best_obj = open_mask.copy(), alloc.objective(open_mask)
    d1 = alloc.nearest_two(best)[0]
    lam = np.minimum(d1, alloc.worst)
    best_lam, lower = lam.copy(), -np.inf
    theta, stall = 2.0, 0
    window, window_start = 4 * patience, -np.inf
    # every objective value is an integer: a bound within 1 of the incumbent proves it
    integral = bool(np.all(alloc.a == np.round(alloc.a)))
    seen: set[bytes] = set()
    for it in range(iterations):
        if deadline is not None and time.perf_counter() > deadline:
            break
        below = alloc.below(lam)
        value, _, pick = lagrangian_value(alloc, lam, p, below)
        if value > lower:
            if value > lower + 1e-6 * max(1.0, abs(value)):
                stall = 0
            lower, best_lam = value, lam.copy()
            if progress is not None:
                progress.report(bound=lower)
        stall += 1
        if stall > patience:
            theta, stall = theta / 2.0, 0
        if it % window == 0:  # stop when the last window closed less than 2 % of the gap left
            if it > 0 and lower - window_start <= 0.01 * (best_obj - lower):
                break
            window_start = lower
        gap = best_obj - lower
        if gap <= target_gap * max(abs(best_obj), 1e-9) or (integral and gap < 1.0 - 1e-6) or theta < 1e-4:
            break
        trial = alloc.fixed_mask.copy()
        trial[pick] = True
        if it % polish_every == 0:
            key = np.packbits(trial).tobytes()
            if key not in seen:
                seen.add(key)
                polished, obj = interchange(alloc, trial, deadline)
                if obj < best_obj:
                    best, best_obj = polished, obj
                    if progress is not None:
                        progress.report(objective=best_obj)
        # a pair serves when below its multiplier and at an open site: count over the fewer of the two
        opened = np.flatnonzero(trial)
        if len(below) <= alloc.site_degree[opened].sum():
            served = np.bincount(alloc.rows[below], weights=trial[alloc.cols[below]], minlength=alloc.n_demand)
        else:
            mine = alloc.pairs_of_sites(opened)
            rows = alloc.rows[mine]
            served = np.bincount(rows, weights=alloc.a[mine] < lam[rows], minlength=alloc.n_demand)
        g = 1.0 - served
        norm = float(g @ g)
        if norm == 0:  # every demand served once: the relaxation's sites are optimal, L(λ) their cost
            obj = alloc.objective(trial)
            if obj < best_obj:
                best, best_obj = trial, obj
            break
        lam = np.maximum(0.0, lam + theta * max(best_obj - value, 1e-9 * max(abs(best_obj), 1.0)) / norm * g)
    if np.isfinite(lower) and best_obj - lower > target_gap * max(abs(best_obj), 1e-9):
        # the sites of the best bound are often all but optimal: polish them once more
        trial = alloc.fixed_mask.copy()
        trial[lagrangian_value(alloc, best_lam, p)[2]] = True
        polished, obj = interchange(alloc, trial, deadline)
        if obj < best_obj:
            best, best_obj = polished, obj
            if progress is not None:
                progress.report(objective=best_obj)
    return LagrangianBound(best, best_obj, lower, best_lam)
