"""Capacitated siting without a MIP per move: single-source assignment, site search, Lagrangian bound.

Under capacity each demand is served whole by one open site within reach, or left unserved at its
penalty where that is allowed, and the load assigned to a site may not exceed its capacity. The
code works on an :class:`~siting.optimize.heuristics.Allocation` (the pairs sorted by demand then
cost, the unserved option being an always-open virtual site of unlimited capacity) plus the loads
and capacities:

* :class:`Capacities` builds single-source assignments for a set of open sites by regret greedy
  (Martello & Toth 1981: the demand that would lose most by missing its best site with room goes
  first) and improves them by shifts (a demand moves to another site with room), swaps (two demands
  trade sites) and ejection chains (a demand enters a full site whose occupant moves on to its best
  other site with room). Moves are screened all at once with numpy over the sparse pairs and then
  applied one by one with the capacities re-checked. An assignment that breaks a capacity, or that
  places a demand nowhere where unserved demand is forbidden, carries the excess as `violation`,
  which every move reduces before it reduces cost.
* :class:`SiteSearch` chooses the open sites for a fixed number of new sites: a capacity-aware
  greedy, then swap local search (close one chosen site, open another) whose swaps are screened by
  an estimate (knapsack-filled insertion savings, removal losses to the next site with room) and
  priced by re-assigning the demand around the two sites only; variable neighbourhood search
  (Hansen & Mladenović 1997) escapes local optima.
* :func:`lagrangian` relaxes "each demand is served once" (as in Beasley 1993 for the capacitated
  p-median): each site then solves a knapsack over the demands it reaches (its LP relaxation, or by
  dynamic programming when loads and capacities are small integers), the cheapest sites open, and
  the value is a proven lower bound. Its open sets seed the site search.
* :func:`cover_search` is the set-cover counterpart (fewest or cheapest new sites serving all
  demand): add the site that relieves most unserved load per cost, then drop the ones not needed.
* :func:`removal_ranking` ranks the chosen sites from the final assignment itself.

:class:`CapacitatedModel` is the one entry point: configured for one objective in its constructor,
solved by ``solve()``, results as attributes; for ``method="exact"`` it warm-starts HiGHS
(:class:`siting.optimize.exact.AssignmentModel`) from the heuristic. The ``capacitated=True`` path of
``PMedian``, ``MaxCoverage`` and ``SetCover`` (:mod:`siting.optimize.models`) runs it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from siting import defaults
from siting.arrays import concat_ranges
from siting.optimize import exact
from siting.optimize.exact import integral_bound
from siting.optimize.heuristics import Allocation
from siting.optimize.progress import SolveProgress

# Largest knapsack table (sites × capacity levels × items) solved exactly per Lagrangian iteration.
_DP_CELLS = 4_000_000


@dataclass
class Assignment:
    """One single-source assignment of the demands to the open sites.

    Attributes
    ----------
    pair : ndarray of int, shape (n_demand,)
        Index of each demand's pair in the allocation (its site is ``cols[pair]``, the virtual site
        when unserved); −1 when the demand is placed nowhere (no open site in reach, unserved
        forbidden).
    used : ndarray of float, shape (n_sites + 1,)
        Load assigned to each site.
    cost : float
        Σ allocation cost of the placed demands.
    violation : float
        Σ load above capacity over the sites plus (load + 1) per demand placed nowhere; 0 when the
        assignment is feasible.
    """

    pair: np.ndarray
    used: np.ndarray
    cost: float
    violation: float

    def copy(self) -> Assignment:
        return Assignment(self.pair.copy(), self.used.copy(), self.cost, self.violation)


def _over(used: np.ndarray, cap: np.ndarray) -> np.ndarray:
    return np.maximum(used - cap, 0.0)


def _distinct(values: np.ndarray, size: int) -> np.ndarray:
    """Sorted distinct values of an index array in range(size) (a mask, not a sort)."""
    mask = np.zeros(size, bool)
    mask[values] = True
    return np.flatnonzero(mask)


class Capacities:
    """Loads and capacities over an allocation's pairs; builds and improves single-source assignments.

    Parameters
    ----------
    alloc : Allocation
        Pairs, allocation costs and the unserved option (virtual site).
    load : ndarray, shape (n_demand,)
        What each demand uses of its site's capacity.
    capacity : ndarray, shape (n_sites,), optional
        Most load per site (``inf`` = unlimited); None: all unlimited.
    """

    def __init__(self, alloc: Allocation, load: np.ndarray, capacity: np.ndarray | None) -> None:
        self.alloc = alloc
        self.n_demand = alloc.n_demand
        self.n_sites = alloc.n_sites
        self.virtual = alloc.virtual
        self.rows, self.cols, self.a = alloc.rows, alloc.cols, alloc.a
        self.load = np.asarray(load, dtype=float)
        cap = np.full(self.n_sites, np.inf)
        if capacity is not None:
            cap[: self.n_sites - 1] = capacity
        self.cap = cap
        self.indptr = alloc.indptr
        keys = self.rows * self.n_sites + self.cols
        order = np.argsort(keys, kind="stable")
        self._keys, self._key_pair = keys[order], order
        self.tol_load = 1e-9 * max(1.0, float(self.load.sum()))
        worst = np.zeros(self.n_demand)
        np.maximum.at(worst, self.rows, np.abs(self.a))
        self.tol_cost = 1e-12 * max(1.0, float(worst.sum()))
        # what an unplaced demand is charged when savings are estimated (more than any real option)
        self.big = worst + alloc.big / max(self.n_demand, 1)
        # each demand's cheapest option (pairs are sorted by cost within a demand)
        has = self.indptr[1:] > self.indptr[:-1]
        self.cheapest = np.full(self.n_demand, np.inf)
        self.cheapest[has] = self.a[self.indptr[:-1][has]]

    # -- lookups ------------------------------------------------------------------------------------
    def pairs_of(self, demands: np.ndarray) -> np.ndarray:
        """Pair indices of the given demands (each demand's pairs in cost order)."""
        return self.alloc.pairs_of(demands)

    def pairs_at(self, sites: np.ndarray) -> np.ndarray:
        """Pair indices at the given sites."""
        return self.alloc.pairs_of_sites(sites)

    def pair_index(self, demands: np.ndarray, sites: np.ndarray) -> np.ndarray:
        """Pair of each (demand, site); −1 where the site is out of the demand's reach."""
        key = np.asarray(demands, dtype=np.int64) * self.n_sites + np.asarray(sites, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._keys, key), max(len(self._keys) - 1, 0))
        if len(self._keys) == 0:
            return np.full(len(key), -1)
        return np.where(self._keys[pos] == key, self._key_pair[pos], -1)

    def sites_of(self, st: Assignment) -> np.ndarray:
        """Site of each demand; −1 when unserved or placed nowhere."""
        site = np.where(st.pair >= 0, self.cols[np.maximum(st.pair, 0)], -1)
        return np.where(site == self.virtual, -1, site)

    # -- assignments ----------------------------------------------------------------------------------
    def state(self, is_open: np.ndarray, pair: np.ndarray | None = None) -> Assignment:
        """An assignment keeping the given pairs at open sites (others placed nowhere), not yet completed."""
        pair = np.full(self.n_demand, -1) if pair is None else np.asarray(pair, dtype=np.int64).copy()
        placed = pair >= 0
        placed[placed] = is_open[self.cols[pair[placed]]]
        pair[~placed] = -1
        st = Assignment(pair, np.zeros(self.n_sites), 0.0, 0.0)
        self.account(st)
        return st

    def from_sites(self, is_open: np.ndarray, site: np.ndarray) -> Assignment:
        """The assignment giving each demand the stated site (−1: unserved), completed where it is not."""
        site = np.where(np.asarray(site) < 0, self.virtual, site)
        st = self.state(is_open, self.pair_index(np.arange(self.n_demand), site))
        self.place(st, is_open)
        return st

    def account(self, st: Assignment) -> None:
        """Recompute `used`, `cost` and `violation` from the pairs (no drift from incremental updates)."""
        placed = st.pair >= 0
        p = st.pair[placed]
        st.used = np.bincount(self.cols[p], weights=self.load[placed], minlength=self.n_sites)
        st.cost = float(self.a[p].sum())
        st.violation = float(_over(st.used, self.cap).sum() + (self.load[~placed] + 1.0).sum())

    def better(self, x: Assignment, y: Assignment) -> bool:
        """x is strictly better than y: less violation, or as little and cheaper."""
        if x.violation < y.violation - self.tol_load:
            return True
        return x.violation <= y.violation + self.tol_load and x.cost < y.cost - self.tol_cost

    def place(self, st: Assignment, is_open: np.ndarray, demands: np.ndarray | None = None) -> None:
        """Place the unplaced demands (all, or those of `demands`) by regret greedy.

        Each round ranks the unplaced demands by regret (cost of their second-best site with room
        minus their best; one option only = infinite regret) and gives each its best site if that
        still has room; the others wait for the next round. A demand with no site with room goes to
        the open site in reach with most room left (a violation the moves then repair).
        """
        rows, cols, a, load, cap, used = self.rows, self.cols, self.a, self.load, self.cap, st.used
        todo = (
            np.flatnonzero(st.pair < 0) if demands is None else _distinct(demands[st.pair[demands] < 0], self.n_demand)
        )
        while len(todo):
            pairs = self.pairs_of(todo)
            k = cols[pairs]
            fp = pairs[is_open[k] & (used[k] + load[rows[pairs]] <= cap[k] + self.tol_load)]
            if len(fp) == 0:
                break
            fi = rows[fp]
            first = np.flatnonzero(np.concatenate([[True], fi[1:] != fi[:-1]]))
            dem, best = fi[first], fp[first]
            nxt = first + 1
            has2 = nxt < len(fp)
            has2[has2] = fi[nxt[has2]] == dem[has2]
            regret = np.full(len(dem), np.inf)
            regret[has2] = a[fp[nxt[has2]]] - a[best[has2]]
            order = np.lexsort((dem, -regret))
            progressed = False
            for d, p in zip(dem[order].tolist(), best[order].tolist(), strict=True):
                s = cols[p]
                if used[s] + load[d] <= cap[s] + self.tol_load:
                    st.pair[d] = p
                    used[s] += load[d]
                    progressed = True
            todo = todo[st.pair[todo] < 0]
            if not progressed:
                break
        if len(todo):
            pairs = self.pairs_of(todo)
            pairs = pairs[is_open[cols[pairs]]]
            for d in np.unique(rows[pairs]).tolist():
                mine = pairs[rows[pairs] == d]
                p = int(mine[np.argmax(cap[cols[mine]] - used[cols[mine]])])
                st.pair[d] = p
                used[cols[p]] += load[d]
        self.account(st)

    def improve(
        self, st: Assignment, is_open: np.ndarray, active: np.ndarray | None = None, max_rounds: int = 200
    ) -> None:
        """Shift, swap and ejection-chain moves started by the `active` demands (all by default)."""
        pairs = np.arange(len(self.rows)) if active is None else self.pairs_of(active)
        pairs = pairs[is_open[self.cols[pairs]]]
        for _ in range(max_rounds):
            if self._shift_round(st, pairs):
                continue
            if not self._chain_round(st, is_open, pairs):
                break
        self.account(st)

    def _gains(self, dv: np.ndarray, dc: np.ndarray) -> np.ndarray:
        """Order of the improving moves (less violation first, then cheaper)."""
        good = np.flatnonzero((dv < -self.tol_load) | ((dv <= self.tol_load) & (dc < -self.tol_cost)))
        return good[np.lexsort((dc[good], dv[good]))]

    def _try(self, st: Assignment, moves: list[tuple[int, int]]) -> bool:
        """Apply the moves (demand, new pair) if together they improve the assignment."""
        change: dict[int, float] = {}
        dc = dv = 0.0
        for d, p in moves:
            cur = int(st.pair[d])
            load = float(self.load[d])
            if cur >= 0:
                s = int(self.cols[cur])
                change[s] = change.get(s, 0.0) - load
                dc -= float(self.a[cur])
            else:
                dv -= load + 1.0
            s = int(self.cols[p])
            change[s] = change.get(s, 0.0) + load
            dc += float(self.a[p])
        for s, delta in change.items():
            u, c = float(st.used[s]), float(self.cap[s])
            dv += max(u + delta - c, 0.0) - max(u - c, 0.0)
        if dv < -self.tol_load or (dv <= self.tol_load and dc < -self.tol_cost):
            for d, p in moves:
                st.pair[d] = p
            for s, delta in change.items():
                st.used[s] += delta
            st.cost += dc
            st.violation += dv
            return True
        return False

    def _shift_round(self, st: Assignment, pairs: np.ndarray) -> int:
        rows, cols, a, load, cap, used = self.rows, self.cols, self.a, self.load, self.cap, st.used
        i = rows[pairs]
        cur = st.pair[i]
        keep = pairs != cur
        pairs, i, cur = pairs[keep], i[keep], cur[keep]
        k, li = cols[pairs], load[i]
        placed = cur >= 0
        curp = np.maximum(cur, 0)
        j = cols[curp]
        dv = _over(used[k] + li, cap[k]) - _over(used[k], cap[k])
        dv += np.where(placed, _over(used[j] - li, cap[j]) - _over(used[j], cap[j]), -(li + 1.0))
        dc = a[pairs] - np.where(placed, a[curp], 0.0)
        moved = np.zeros(self.n_demand, bool)
        count = 0
        for m in self._gains(dv, dc).tolist():
            d = int(i[m])
            if moved[d] or st.pair[d] != cur[m]:
                continue
            if self._try(st, [(d, int(pairs[m]))]):
                moved[d] = True
                count += 1
        return count

    def _chain_round(self, st: Assignment, is_open: np.ndarray, pairs: np.ndarray) -> int:
        """Swaps and ejection chains into sites too full for a plain shift, started by a demand that
        would gain there (or that is in trouble: placed nowhere or at an overloaded site)."""
        rows, cols, a, load, cap, used = self.rows, self.cols, self.a, self.load, self.cap, st.used
        i = rows[pairs]
        cur = st.pair[i]
        k = cols[pairs]
        placed = cur >= 0
        curp = np.maximum(cur, 0)
        j = cols[curp]
        trouble = ~placed | (used[j] > cap[j] + self.tol_load)
        base = (k != self.virtual) & (pairs != cur) & (used[k] + load[i] > cap[k] + self.tol_load)
        base &= trouble | (a[pairs] < a[curp] - self.tol_cost)
        if not base.any():
            return 0
        pairs, i, cur, k = pairs[base], i[base], cur[base], k[base]
        # the occupants of each full site k, from the pairs at k that are in use
        ks = _distinct(k, self.n_sites)
        at = self.pairs_at(ks)
        occ = at[st.pair[rows[at]] == at]
        occ_site = cols[occ]
        pos = np.searchsorted(ks, k)
        first = np.searchsorted(occ_site, ks)
        counts = (np.searchsorted(occ_site, ks, side="right") - first)[pos]
        base_of = np.repeat(np.arange(len(pairs)), counts)
        i2 = rows[occ[concat_ranges(first[pos], counts)]]
        keep = i2 != i[base_of]
        base_of, i2 = base_of[keep], i2[keep]
        c2 = st.pair[i2]
        # a chain can only save when the occupant's cheapest option leaves room for the entrant's gain
        keep = trouble[base][base_of] | (a[pairs[base_of]] - a[curp[base][base_of]] + self.cheapest[i2] - a[c2] < 0)
        base_of, i2, c2 = base_of[keep], i2[keep], c2[keep]
        if len(i2) == 0:
            return 0
        p1, d1, c1, s_k = pairs[base_of], i[base_of], cur[base_of], k[base_of]
        placed = c1 >= 0
        s_j = np.where(placed, cols[np.maximum(c1, 0)], -1)
        # the occupant's best other open site with room now (its own site excluded)
        uniq = _distinct(i2, self.n_demand)
        up = self.pairs_of(uniq)
        uk = cols[up]
        own = cols[st.pair[rows[up]]]
        ok = is_open[uk] & (uk != own) & (used[uk] + load[rows[up]] <= cap[uk] + self.tol_load)
        up = up[ok]
        alt = np.full(self.n_demand, -1)
        ur = rows[up]
        first = np.concatenate([[True], ur[1:] != ur[:-1]]) if len(ur) else np.zeros(0, bool)
        alt[ur[first]] = up[first]
        swap = np.where(placed, self.pair_index(i2, np.maximum(s_j, 0)), -1)
        eject = alt[i2]
        eject = np.where((eject >= 0) & (cols[np.maximum(eject, 0)] == s_j), -1, eject)
        p2 = np.concatenate([swap, eject])
        src = np.flatnonzero(p2 >= 0) % len(i2)
        p2 = p2[p2 >= 0]
        p1, d1, c1, s_k, s_j, i2, c2, placed = (x[src] for x in (p1, d1, c1, s_k, s_j, i2, c2, placed))
        if len(p2) == 0:
            return 0
        l1, l2 = load[d1], load[i2]
        s3 = cols[p2]
        to_j = s3 == s_j
        # site k: +l1 − l2; site j: −l1 (+ l2 when the occupant swaps into it); elsewhere s3: +l2
        dv = _over(used[s_k] + l1 - l2, cap[s_k]) - _over(used[s_k], cap[s_k])
        jj = np.maximum(s_j, 0)
        dj = np.where(to_j, l2 - l1, -l1)
        dv += np.where(placed, _over(used[jj] + dj, cap[jj]) - _over(used[jj], cap[jj]), -(l1 + 1.0))
        dv += np.where(to_j, 0.0, _over(used[s3] + l2, cap[s3]) - _over(used[s3], cap[s3]))
        dc = a[p1] - np.where(placed, a[np.maximum(c1, 0)], 0.0) + a[p2] - a[c2]
        moved = np.zeros(self.n_demand, bool)
        count = 0
        for m in self._gains(dv, dc).tolist():
            d, e = int(d1[m]), int(i2[m])
            if moved[d] or moved[e] or st.pair[d] != c1[m] or st.pair[e] != c2[m]:
                continue
            if self._try(st, [(d, int(p1[m])), (e, int(p2[m]))]):
                moved[d] = moved[e] = True
                count += 1
        return count

    def trouble(self, st: Assignment) -> np.ndarray:
        """Demands placed nowhere or at a site over its capacity."""
        site = np.where(st.pair >= 0, self.cols[np.maximum(st.pair, 0)], self.virtual)
        return np.flatnonzero((st.pair < 0) | (st.used[site] > self.cap[site] + self.tol_load))

    def reopen(self, st: Assignment, is_open: np.ndarray, changed: np.ndarray) -> Assignment:
        """`st` re-assigned after the sites `changed` opened or closed (`is_open` is the new state).

        The demand of closed sites is placed again; moves start from the demand within reach of the
        changed sites and from the demand in trouble, so the work stays local.
        """
        new = st.copy()
        site = np.where(new.pair >= 0, self.cols[np.maximum(new.pair, 0)], self.virtual)
        freed = np.flatnonzero(~is_open[site] & (new.pair >= 0))
        new.pair[freed] = -1
        new.used[~is_open] = 0.0
        self.place(new, is_open, np.flatnonzero(new.pair < 0))
        near = self.rows[self.pairs_at(changed)]
        self.improve(new, is_open, _distinct(np.concatenate([freed, near, self.trouble(new)]), self.n_demand))
        return new

    # -- estimates for the site search ----------------------------------------------------------
    def current_cost(self, st: Assignment) -> np.ndarray:
        """Each demand's cost in `st` (`big` when placed nowhere)."""
        return np.where(st.pair >= 0, self.a[np.maximum(st.pair, 0)], self.big)

    def alternative_cost(self, st: Assignment, is_open: np.ndarray) -> np.ndarray:
        """Each demand's cheapest open site other than its own with room for it now (`big` if none)."""
        rows, cols = self.rows, self.cols
        own = np.where(st.pair >= 0, cols[np.maximum(st.pair, 0)], -1)
        ok = is_open[cols] & (cols != own[rows]) & (st.used[cols] + self.load[rows] <= self.cap[cols] + self.tol_load)
        idx = np.flatnonzero(ok)
        out = self.big.copy()
        r = rows[idx]
        first = np.concatenate([[True], r[1:] != r[:-1]]) if len(r) else np.zeros(0, bool)
        out[r[first]] = self.a[idx[first]]
        return out

    def insertion_gain(self, current: np.ndarray, sites: np.ndarray) -> np.ndarray:
        """Per site (all sites; 0 outside `sites`): savings of the demands it would take, best saving
        per unit load first, until its capacity is full (a fractional knapsack)."""
        pairs = self.pairs_at(sites)
        saving = current[self.rows[pairs]] - self.a[pairs]
        pairs, saving = pairs[saving > 0], saving[saving > 0]
        value, _ = knapsack_lp(self.cols[pairs], -saving, self.load[self.rows[pairs]], self.cap, self.n_sites)
        return -value


def knapsack_lp(
    cols: np.ndarray, value: np.ndarray, weight: np.ndarray, cap: np.ndarray, n_sites: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per site, the LP relaxation of min Σ value·x s.t. Σ weight·x ≤ cap, 0 ≤ x ≤ 1 (items: value < 0).

    Items are taken by value per unit weight (weightless items first) until the capacity is full,
    the last one fractionally (Dantzig 1957).

    Returns
    -------
    total : ndarray, shape (n_sites,)
        Optimal value per site.
    x : ndarray, shape (len(cols),)
        Fraction of each item taken.
    """
    x = np.zeros(len(cols))
    if len(cols) == 0:
        return np.zeros(n_sites), x
    ratio = np.where(weight > 0, value / np.where(weight > 0, weight, 1.0), -np.inf)
    order = np.lexsort((ratio, cols))
    c, w = cols[order], weight[order]
    cum = np.cumsum(w)
    start = np.r_[True, c[1:] != c[:-1]]
    group_base = np.maximum.accumulate(np.where(start, cum - w, 0.0))
    before = cum - w - group_base
    room = cap[c] - before
    take = np.where(w > 0, np.clip(room / np.where(w > 0, w, 1.0), 0.0, 1.0), (room >= 0).astype(float))
    x[order] = take
    return np.bincount(cols, weights=value * x, minlength=n_sites), x


def knapsack_dp(
    cols: np.ndarray, value: np.ndarray, weight: np.ndarray, cap: np.ndarray, n_sites: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per site, the exact 0/1 knapsack min Σ value·x s.t. Σ weight·x ≤ cap (integer weights and capacities).

    All sites are solved together, one item rank at a time, over a (sites × capacity) table.

    Returns
    -------
    total, x : as for :func:`knapsack_lp` (x is 0/1).
    """
    x = np.zeros(len(cols))
    if len(cols) == 0:
        return np.zeros(n_sites), x
    sites, inverse = np.unique(cols, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    g = inverse[order]
    start = np.searchsorted(g, np.arange(len(sites)))
    rank = np.arange(len(g)) - start[g]
    width = int(cap[sites].max()) + 1
    n_rank = int(rank.max()) + 1
    table = np.zeros((len(sites), width))
    took = np.zeros((n_rank, len(sites), width), dtype=bool)
    w_item = np.full((n_rank, len(sites)), width, dtype=np.int64)
    v_item = np.zeros((n_rank, len(sites)))
    w_item[rank, g] = weight[order].astype(np.int64)
    v_item[rank, g] = value[order]
    levels = np.arange(width)
    row_idx = np.arange(len(sites))[:, None]
    for t in range(n_rank):
        w = w_item[t][:, None]
        src = levels[None, :] - w
        valid = src >= 0
        cand = np.where(valid, table[row_idx, np.maximum(src, 0)] + v_item[t][:, None], np.inf)
        better = cand < table
        took[t] = better
        table = np.where(better, cand, table)
    # the table is "best with weight ≤ level" from the start (all zeros), so the capacity's column is the optimum
    caps = cap[sites].astype(np.int64)
    total = np.zeros(n_sites)
    total[sites] = table[np.arange(len(sites)), caps]
    level = caps.copy()
    every = np.arange(len(sites))
    for t in range(n_rank - 1, -1, -1):
        items = np.flatnonzero(took[t, every, level])
        level[items] -= w_item[t, items]
        x[order[start[items] + t]] = 1.0
    return total, x


@dataclass
class Solution:
    """Open sites, their assignment, and the swaps known not to improve it.

    `failed` holds ``closed_site × n_sites + open_site`` keys of swaps priced without success; a key
    is forgotten once the assignment changes within two hops of either site (don't-look bits,
    Bentley 1992), so a local search re-prices only what a move may have changed.
    """

    st: Assignment
    is_open: np.ndarray
    failed: np.ndarray


class SiteSearch:
    """Open-site search for a fixed number of new sites (p-median, maximal covering).

    Parameters
    ----------
    caps : Capacities
    p : int
        New sites kept open during the search.
    deadline : float, optional
        ``time.perf_counter()`` value at which to stop.
    seed : int
        Seed of the shakes.
    max_rounds : int
        Shakes without improvement before the neighbourhood search stops.
    evaluations : int
        Screened swaps priced per pass (best estimate first); a pass that improves nothing ends
        the local search.
    """

    def __init__(
        self,
        caps: Capacities,
        p: int,
        *,
        deadline: float | None,
        seed: int,
        max_rounds: int,
        evaluations: int,
    ) -> None:
        self.caps = caps
        self.p = p
        self.deadline = deadline
        self.rng = np.random.default_rng(seed)
        self.max_rounds = max_rounds
        self.evaluations = max(1, evaluations)
        self.candidates = caps.alloc.candidate_mask

    def expired(self) -> bool:
        return self.deadline is not None and time.perf_counter() > self.deadline

    def move(self, sol: Solution, opened: np.ndarray, closed: np.ndarray) -> Solution:
        """Open and close sites and re-assign only the demand around them (`failed` still to be updated)."""
        is_open = sol.is_open.copy()
        is_open[closed] = False
        is_open[opened] = True
        st = self.caps.reopen(sol.st, is_open, np.concatenate([opened, closed]).astype(np.int64))
        return Solution(st, is_open, sol.failed)

    def moved(self, sol: Solution, new: Solution) -> tuple[Solution, np.ndarray]:
        """`new` (a move from `sol`) with the swaps it may have changed forgotten; the affected sites."""
        changed = self.affected(sol.st, new.st)
        return Solution(new.st, new.is_open, self._forget(sol.failed, changed)), changed

    def affected(self, old: Assignment, new: Assignment) -> np.ndarray:
        """Sites within two hops (site → demand → site) of the demands whose assignment changed."""
        caps = self.caps
        mask = np.zeros(caps.n_sites, bool)
        changed = np.flatnonzero(old.pair != new.pair)
        if len(changed):
            near = _distinct(caps.cols[caps.pairs_of(changed)], caps.n_sites)
            near = near[near != caps.virtual]  # everyone can be unserved: not a neighbourhood
            mask[caps.cols[caps.pairs_of(_distinct(caps.rows[caps.pairs_at(near)], caps.n_demand))]] = True
        return mask

    def _forget(self, failed: np.ndarray, affected: np.ndarray) -> np.ndarray:
        n = self.caps.n_sites
        return failed[~(affected[failed // n] | affected[failed % n])]

    def greedy(self) -> Solution:
        """Fixed sites, then p times the candidate with the largest knapsack-filled saving."""
        caps = self.caps
        is_open = caps.alloc.initial_open()
        st = caps.state(is_open)
        caps.place(st, is_open)
        caps.improve(st, is_open)
        sol = Solution(st, is_open, np.zeros(0, dtype=np.int64))
        for _ in range(self.p):
            closed = np.flatnonzero(self.candidates & ~sol.is_open)
            if len(closed) == 0:
                break
            gain = caps.insertion_gain(caps.current_cost(sol.st), closed)[closed]
            sol = self.move(sol, closed[[int(np.argmax(gain))]], np.zeros(0, np.int64))
        return sol

    def swap_scores(self, sol: Solution) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Estimated saving of every (open closed[c], close removable[r]) swap, as a matrix."""
        caps = self.caps
        st, is_open = sol.st, sol.is_open
        rows, cols, a = caps.rows, caps.cols, caps.a
        removable = np.flatnonzero(is_open & self.candidates)
        closed = np.flatnonzero(~is_open & self.candidates)
        if len(removable) == 0 or len(closed) == 0:
            return np.zeros((len(closed), len(removable))), closed, removable
        current = caps.current_cost(st)
        alt = caps.alternative_cost(st, is_open)
        site = np.where(st.pair >= 0, cols[np.maximum(st.pair, 0)], -1)
        gain = caps.insertion_gain(current, closed)
        pos_r = np.full(caps.n_sites + 1, -1)
        pos_r[removable] = np.arange(len(removable))
        pos_c = np.full(caps.n_sites, -1)
        pos_c[closed] = np.arange(len(closed))
        at_r = pos_r[site] >= 0
        loss = np.bincount(pos_r[site[at_r]], weights=(alt - current)[at_r], minlength=len(removable))
        # demands of r that the new site would take instead of their alternative
        sel = (pos_c[cols] >= 0) & at_r[rows] & (a < alt[rows])
        flat = pos_c[cols[sel]] * len(removable) + pos_r[site[rows[sel]]]
        extra = np.bincount(
            flat,
            weights=alt[rows[sel]] - np.maximum(a[sel], current[rows[sel]]),
            minlength=len(closed) * len(removable),
        ).reshape(len(closed), len(removable))
        return extra + gain[closed][:, None] - loss[None, :], closed, removable

    def local_search(self, sol: Solution) -> Solution:
        """Swap moves by estimate, several per pass when far apart, until a pass improves nothing."""
        caps = self.caps
        n = caps.n_sites
        while not self.expired():
            profit, closed, removable = self.swap_scores(sol)
            if profit.size == 0:
                break
            keys = (closed[:, None] * n + removable[None, :]).ravel()
            score = np.where(np.isin(keys, sol.failed), -np.inf, profit.ravel())
            top = np.flatnonzero(np.isfinite(score))
            if len(top) > self.evaluations:
                top = top[np.argpartition(-score[top], self.evaluations - 1)[: self.evaluations]]
            top = top[np.lexsort((top, -score[top]))]
            if len(top) == 0:
                break
            stale = np.zeros(n, bool)
            improved = False
            tried: list[int] = []
            for key in keys[top].tolist():
                j, r = key // n, key % n
                if stale[j] or stale[r] or self.expired():
                    continue
                new = self.move(sol, np.array([j]), np.array([r]))
                if caps.better(new.st, sol.st):
                    sol, changed = self.moved(sol, new)
                    stale |= changed
                    stale[[j, r]] = True
                    tried = [k for k in tried if not (changed[k // n] or changed[k % n])]
                    improved = True
                else:
                    tried.append(key)
            sol.failed = np.union1d(sol.failed, np.asarray(tried, dtype=np.int64))
            if not improved:
                break
        return sol

    def polish(self, sol: Solution) -> Solution:
        """Local search, then every demand's moves, repeated while they improve."""
        while True:
            sol = self.local_search(sol)
            full = sol.st.copy()
            self.caps.improve(full, sol.is_open)
            if not self.caps.better(full, sol.st) or self.expired():
                return sol
            sol = Solution(full, sol.is_open, self._forget(sol.failed, self.affected(sol.st, full)))

    def towards(self, sol: Solution, target: np.ndarray) -> Solution:
        """`sol` moved to the open set `target` (same size), re-assigned around the changed sites."""
        opened = np.flatnonzero(target & ~sol.is_open & self.candidates)
        closed = np.flatnonzero(sol.is_open & ~target & self.candidates)
        return self.moved(sol, self.move(sol, opened, closed))[0]

    def shake(self, sol: Solution, k: int) -> Solution:
        """k random swaps, each opening a closed candidate that reaches a demand of the closed site."""
        caps = self.caps
        trial = sol.is_open.copy()
        site = np.where(sol.st.pair >= 0, caps.cols[np.maximum(sol.st.pair, 0)], -1)
        for _ in range(k):
            removable = np.flatnonzero(trial & self.candidates)
            closed = np.flatnonzero(~trial & self.candidates)
            if len(removable) == 0 or len(closed) == 0:
                break
            r = int(self.rng.choice(removable))
            near = caps.pairs_of(np.flatnonzero(site == r))
            near = near[self.candidates[caps.cols[near]] & ~trial[caps.cols[near]]]
            j = int(caps.cols[self.rng.choice(near)]) if len(near) else int(self.rng.choice(closed))
            trial[r] = False
            trial[j] = True
        return self.towards(sol, trial)

    def neighbourhood_search(self, sol: Solution) -> Solution:
        """Variable neighbourhood search from a local optimum: shake k = 1, 2, … swaps, polish, keep if better."""
        k_max = max(1, min(self.p, 10))
        k, idle = 1, 0
        while idle < self.max_rounds and not self.expired():
            trial = self.polish(self.shake(sol, k))
            if self.caps.better(trial.st, sol.st):
                sol, k, idle = trial, 1, 0
            else:
                k, idle = k % k_max + 1, idle + 1
        return sol


def lagrangian(
    caps: Capacities,
    *,
    p: int | None,
    exactly_p: bool,
    site_costs: np.ndarray | None,
    upper: Callable[[], float],
    polish: Callable[[np.ndarray, float], None],
    deadline: float | None,
    iterations: int = 300,
    polish_every: int = 10,
    start: np.ndarray | None = None,
    tolerance: float = 1e-9,
) -> float:
    """Lower bound from relaxing "each demand served once" with multipliers λ (subgradient optimisation).

    For given λ each site j solves min Σ_i (a_ij − λ_i) x_ij s.t. Σ_i load_i x_ij ≤ capacity_j — a
    knapsack (exact by dynamic programming when loads and capacities are integers and the table is
    small, else its LP relaxation; either is a valid bound) — plus its opening cost; the fixed and
    the virtual site are open, and among the candidates the p cheapest (``exactly_p``), the up to p
    negative ones (``p`` given) or all negative ones (``p=None``). The bound is
    L(λ) = Σ λ_i + Σ_open value_j.

    Parameters
    ----------
    upper : callable
        Current best objective (for the step size; may improve as `polish` runs).
    polish : callable
        Called with the relaxation's open mask and the bound so far every `polish_every`
        iterations (new masks only).
    start : ndarray, optional
        Initial λ (default: each demand's cheapest cost).
    tolerance : float
        Stop once the bound is within this fraction of the best objective.

    Returns
    -------
    float
        The best lower bound found (−inf if none).
    """
    rows, cols, a, load, cap = caps.rows, caps.cols, caps.a, caps.load, caps.cap
    alloc = caps.alloc
    n_sites = caps.n_sites
    cand = np.flatnonzero(alloc.candidate_mask)
    always = alloc.fixed_mask
    f = np.zeros(n_sites) if site_costs is None else np.asarray(site_costs, dtype=float)
    finite_cap = cap[np.isfinite(cap)]
    integral = bool(np.all(load == np.round(load)) and np.all(finite_cap == np.round(finite_cap)))
    per_site = np.bincount(cols, minlength=n_sites)
    cells = (
        (float(finite_cap.max()) + 1 if len(finite_cap) else 1.0) * n_sites * float(per_site.max() if len(cols) else 0)
    )
    use_dp = integral and cells <= _DP_CELLS
    lam = np.asarray(start, dtype=float).copy() if start is not None else np.full(caps.n_demand, np.inf)
    if start is None:
        np.minimum.at(lam, rows, a)
        lam[~np.isfinite(lam)] = 0.0
    bound = -np.inf
    step = 2.0
    stall = 0
    seen: set[bytes] = set()
    for it in range(iterations):
        if deadline is not None and time.perf_counter() > deadline:
            break
        red = a - lam[rows]
        neg = np.flatnonzero(red < 0)
        limited = np.isfinite(cap[cols[neg]])
        value = np.zeros(n_sites)
        x = np.zeros(len(a))
        free = neg[~limited]
        value += np.bincount(cols[free], weights=red[free], minlength=n_sites)
        x[free] = 1.0
        lim = neg[limited]
        solver = knapsack_dp if use_dp else knapsack_lp
        v, xl = solver(cols[lim], red[lim], load[rows[lim]], cap, n_sites)
        value += v
        x[lim] = xl
        value += f
        chosen = np.zeros(n_sites, bool)
        chosen[always] = True
        order = cand[np.argsort(value[cand], kind="stable")]
        if p is None:
            pick = order[value[order] < 0]
        elif exactly_p:
            pick = order[:p]
        else:
            pick = order[:p][value[order[:p]] < 0]
        chosen[pick] = True
        lower = float(lam.sum() + value[chosen].sum())
        if lower > bound + 1e-9 * max(1.0, abs(lower)):
            bound, stall = lower, 0
        else:
            stall += 1
            if stall >= 15:
                step, stall = step / 2.0, 0
        best = upper()
        if best - bound <= tolerance * max(1.0, abs(best)) or step < 1e-3:
            break
        if it % polish_every == 0:
            key = np.packbits(chosen).tobytes()
            if key not in seen:
                seen.add(key)
                polish(chosen, bound)
                best = upper()
        served = np.bincount(rows, weights=x * chosen[cols], minlength=caps.n_demand)
        g = 1.0 - served
        norm = float(g @ g)
        if norm == 0:
            break
        gap = max(best - lower, 1e-9 * max(1.0, abs(best))) if np.isfinite(best) else max(abs(lower), 1.0)
        lam = lam + step * gap / norm * g
    return bound


def relieving(caps: Capacities, st: Assignment, is_open: np.ndarray, closed: np.ndarray) -> np.ndarray:
    """Per closed candidate, the load in trouble it could take: its own reach of demand placed nowhere
    or at an overloaded site, plus half the load it could take off the open sites that such demand
    reaches (so that they have room), at most its capacity."""
    rows, cols, load = caps.rows, caps.cols, caps.load
    trouble = np.zeros(caps.n_demand, bool)
    trouble[caps.trouble(st)] = True
    congested = np.zeros(caps.n_sites, bool)
    tp = caps.pairs_of(np.flatnonzero(trouble))
    congested[cols[tp][is_open[cols[tp]]]] = True
    congested[caps.virtual] = False
    site = np.where(st.pair >= 0, cols[np.maximum(st.pair, 0)], caps.virtual)
    pairs = caps.pairs_at(closed)
    i = rows[pairs]
    direct = np.bincount(cols[pairs], weights=load[i] * trouble[i], minlength=caps.n_sites)
    indirect = np.bincount(cols[pairs], weights=load[i] * (~trouble[i] & congested[site[i]]), minlength=caps.n_sites)
    return np.minimum(caps.cap, direct + 0.5 * indirect)


def cover_search(
    caps: Capacities, site_costs: np.ndarray, *, start: np.ndarray | None = None, deadline: float | None = None
) -> tuple[Assignment, np.ndarray]:
    """Cheapest set of new sites whose single-source assignment serves all demand (a heuristic).

    Adds, one at a time, the candidate with the largest :func:`relieving` load per opening cost
    until nothing is in trouble, then closes every new site (dearest first, then least used) whose
    demand the others can take.

    Parameters
    ----------
    site_costs : ndarray, shape (n_sites + 1,)
        Opening cost per site (the fixed and the virtual site are free).
    start : ndarray of bool, optional
        Open mask to start from (default: the fixed sites).
    """
    cand = caps.alloc.candidate_mask
    is_open = caps.alloc.initial_open() if start is None else start | caps.alloc.fixed_mask
    st = caps.state(is_open)
    caps.place(st, is_open)
    caps.improve(st, is_open)
    while st.violation > caps.tol_load and (deadline is None or time.perf_counter() < deadline):
        closed = np.flatnonzero(cand & ~is_open)
        if len(closed) == 0:
            break
        score = relieving(caps, st, is_open, closed)[closed] / np.maximum(site_costs[closed], 1e-12)
        if score.max() <= 0:
            break
        j = closed[int(np.argmax(score))]
        is_open = is_open.copy()
        is_open[j] = True
        st = caps.reopen(st, is_open, np.array([j]))
    if st.violation > caps.tol_load:
        return st, is_open
    chosen = np.flatnonzero(is_open & cand)
    fill = st.used[chosen] / np.where(np.isfinite(caps.cap[chosen]) & (caps.cap[chosen] > 0), caps.cap[chosen], 1.0)
    for r in chosen[np.lexsort((fill, -site_costs[chosen]))].tolist():
        if deadline is not None and time.perf_counter() > deadline:
            break
        trial_open = is_open.copy()
        trial_open[r] = False
        trial = caps.reopen(st, trial_open, np.array([r]))
        if trial.violation <= caps.tol_load:
            st, is_open = trial, trial_open
    return st, is_open


def removal_ranking(
    caps: Capacities, is_open: np.ndarray, site: np.ndarray, chosen: np.ndarray, weights: np.ndarray
) -> tuple[list[int], list[float], list[float]]:
    """Rank the chosen sites from the final single-source assignment.

    Starting from the final plan, the chosen site whose removal costs least (estimated by sending
    each of its demands to its cheapest other open site with room) is removed, its demand placed
    again by regret greedy (unserved where nothing has room), and so on until only the fixed sites
    are left. The rank is the reverse order of removal; a site's marginal gain is the cost its
    removal added and its newly covered weight the served weight its removal lost, so the figures
    add up to the plan's own, and a site serving no one gains nothing.

    Parameters
    ----------
    caps : Capacities
        Over the allocation whose cost measures the gain (its unserved option must be allowed).
    site : ndarray of int
        The final assignment (site per demand, −1 unserved).

    Returns
    -------
    order, gains, newly_covered
    """
    is_open = is_open.copy()
    st = caps.from_sites(is_open, site)

    def served(st: Assignment) -> float:
        return float(weights[(st.pair >= 0) & (caps.cols[np.maximum(st.pair, 0)] != caps.virtual)].sum())

    remaining = [int(j) for j in chosen]
    removed: list[int] = []
    gains: list[float] = []
    newly: list[float] = []
    while remaining:
        current = caps.current_cost(st)
        loss = caps.alternative_cost(st, is_open) - current
        own = np.where(st.pair >= 0, caps.cols[np.maximum(st.pair, 0)], caps.virtual)
        est = np.bincount(own, weights=loss, minlength=caps.n_sites)[remaining]
        r = remaining.pop(int(np.argmin(est)))
        before_cost, before_served = st.cost, served(st)
        is_open[r] = False
        freed = np.flatnonzero(own == r)
        st.pair[freed] = -1
        st.used[r] = 0.0
        caps.place(st, is_open, freed)
        removed.append(r)
        gains.append(st.cost - before_cost)
        newly.append(before_served - served(st))
    return removed[::-1], gains[::-1], newly[::-1]


class CapacitatedModel:
    """The capacitated location-assignment problem of one objective, solved without a MIP per move.

    Each demand is served whole by one open site within reach (or left unserved at its cost in
    `alloc` where that is allowed), and the load at a site never exceeds its capacity. Configured
    here, solved by :meth:`solve`, results as attributes (scikit-learn style).

    Parameters
    ----------
    alloc : Allocation
        Pairs, allocation costs and the unserved option.
    load : ndarray, shape (n_demand,)
        What each demand uses of its site's capacity.
    capacity : ndarray, shape (n_sites,), optional
        Most load per problem site (``inf`` or None: unlimited).
    p : int, optional
        New sites to open: exactly `p` (``exactly_p``; p-median) or at most `p` (maximal covering,
        where an extra open site never hurts), minimising the allocation cost. None: set cover,
        minimising `site_costs` of the new sites subject to serving every demand that must be.
    exactly_p : bool
        Exactly `p` new sites in the exact model (the heuristic always keeps `p` open).
    site_costs : ndarray, shape (n_sites,), optional
        Opening cost per problem site (set cover).
    method : {"greedy", "heuristic", "exact"}
        greedy: capacity-aware construction only (knapsack-filled savings; set cover: most relieved
        load per cost, then redundant sites closed). heuristic: also swap local search and
        variable neighbourhood search, then the Lagrangian relaxation of :func:`lagrangian` (its
        value is the bound, its open sets seed the search). exact: then, unless that bound already
        proves the solution, HiGHS on :class:`siting.optimize.exact.AssignmentModel`, started from it.
    offset, sign : float
        The objective as reported is ``offset + sign × cost`` (maximal covering: total weight − the
        uncovered weight); optimality is judged on it.
    tolerance : float
        Relative gap under which the result is called optimal.
    seed, max_rounds, evaluations
        As for :class:`SiteSearch`.
    progress : SolveProgress, optional
        Receives stages, incumbents and bounds (in the cost's own terms; its `offset` and `sign`
        are set to the ones above).

    Attributes
    ----------
    open_mask_ : ndarray of bool, shape (n_sites,)
        Sites open in the solution (fixed sites included).
    assignment_ : ndarray of int, shape (n_demand,)
        Site serving each demand (−1: unserved).
    objective : float
        Allocation cost (p given) or opening cost of the new sites (set cover), in the cost's terms.
    bound : float
        Proven lower bound of that cost (nan when none: greedy).
    status : str
        "optimal", "feasible", "time_limit" or "infeasible" (named as :class:`siting.optimize.Solver`'s results).
    proven_infeasible_ : bool
        HiGHS proved that no choice of sites fits (else an infeasible status means none was found).
    """

    def __init__(
        self,
        alloc: Allocation,
        load: np.ndarray,
        capacity: np.ndarray | None,
        *,
        p: int | None,
        exactly_p: bool = False,
        site_costs: np.ndarray | None = None,
        method: str = "heuristic",
        offset: float = 0.0,
        sign: float = 1.0,
        tolerance: float = defaults.MIP_GAP,
        seed: int = 0,
        max_rounds: int = 30,
        evaluations: int = 30,
        progress: SolveProgress | None = None,
    ) -> None:
        self.alloc = alloc
        self.load = load
        self.capacity = capacity
        self.p = p
        self.exactly_p = exactly_p
        self.site_costs = site_costs
        self.method = method
        self.offset = offset
        self.sign = sign
        self.tolerance = tolerance
        self.seed = seed
        self.max_rounds = max_rounds
        self.evaluations = evaluations
        self.progress = progress

    def _proven(self, cost: float, lower: float) -> bool:
        return exact.relative_gap(self.offset + self.sign * cost, self.offset + self.sign * lower) <= self.tolerance

    def _report(self, **kwargs: Any) -> None:
        if self.progress is not None:
            self.progress.report(**kwargs)

    def solve(self, deadline: float | None = None) -> CapacitatedModel:
        """Solve by the configured method before `deadline` (a ``time.perf_counter()`` value); returns self."""
        alloc, p = self.alloc, self.p
        caps = Capacities(alloc, self.load, self.capacity)
        if self.progress is not None:
            self.progress.offset, self.progress.sign = self.offset, self.sign
        opening = np.zeros(caps.n_sites)
        if self.site_costs is not None:
            opening[: caps.n_sites - 1] = np.where(alloc.candidate_mask[:-1], self.site_costs, 0.0)
        heuristic_deadline = deadline
        if deadline is not None and self.method == "exact":
            # leave half of the time to HiGHS
            heuristic_deadline = time.perf_counter() + 0.5 * (deadline - time.perf_counter())
        best, bound = self._search(caps, opening, heuristic_deadline)
        open_mask, site = best.is_open.copy(), caps.sites_of(best.st)
        feasible = best.st.violation <= caps.tol_load
        cost = self._value(best, opening)
        values = alloc.a if p is not None else opening
        bound = integral_bound(bound, values) if np.isfinite(bound) else float("nan")
        self.proven_infeasible_ = False
        status = "optimal" if feasible and self._proven(cost, bound) else "feasible"
        if self.method == "exact" and status != "optimal":
            self._report(stage="stage_exact")
            model = exact.AssignmentModel(
                alloc,
                self.load,
                self.capacity,
                p=p,
                exactly_p=self.exactly_p,
                site_costs=None if self.site_costs is None else np.r_[self.site_costs, 0.0],
            )
            mip, mip_open, mip_site = model.solve(
                None,
                integral=True,
                time_limit_s=None if deadline is None else max(deadline - time.perf_counter(), 0.01),
                tolerance=self.tolerance,
                start_open=open_mask if feasible else None,
                start_assign=site if feasible else None,
            )
            if mip.status == "infeasible":
                self.proven_infeasible_, feasible = True, False
            elif mip.x is not None and (not feasible or mip.objective < cost):
                open_mask, site, cost, feasible = mip_open, mip_site, mip.objective, True
            if np.isfinite(mip.bound):
                bound = max(bound, mip.bound) if np.isfinite(bound) else mip.bound
            if self._proven(cost, bound):
                status = "optimal"
            else:
                status = "time_limit" if mip.status == "time_limit" else "feasible"
        elif not feasible:
            # no assignment that fits was found for these sites: settle it with one model solve
            fit, _, assign = exact.AssignmentModel(alloc, self.load, self.capacity).solve(
                open_mask,
                integral=True,
                time_limit_s=None if deadline is None else max(deadline - time.perf_counter(), 0.01),
                tolerance=self.tolerance,
            )
            if fit.x is not None:
                site, cost, feasible = assign, fit.objective + float(opening[open_mask].sum()), True
        self.open_mask_ = open_mask[: caps.n_sites - 1]
        self.assignment_ = site
        self.objective = cost if feasible else float("nan")
        self.bound = bound
        self.status = status if feasible else "infeasible"
        return self

    def _value(self, sol: Solution, opening: np.ndarray) -> float:
        return float(opening[sol.is_open].sum()) if self.p is None else sol.st.cost

    def _search(self, caps: Capacities, opening: np.ndarray, deadline: float | None) -> tuple[Solution, float]:
        """The heuristic: construction, local and neighbourhood search, then the Lagrangian relaxation
        (whose open sets close to the incumbent are polished too). Returns the best solution and the
        relaxation's bound (−inf when not computed)."""
        p, method = self.p, self.method
        search = (
            None
            if p is None
            else SiteSearch(
                caps, p, deadline=deadline, seed=self.seed, max_rounds=self.max_rounds, evaluations=self.evaluations
            )
        )
        cand = caps.alloc.candidate_mask
        none = np.zeros(0, dtype=np.int64)

        def better(x: Solution, y: Solution) -> bool:
            if x.st.violation < y.st.violation - caps.tol_load:
                return True
            return (
                x.st.violation <= y.st.violation + caps.tol_load
                and self._value(x, opening) < self._value(y, opening) - caps.tol_cost
            )

        def upper() -> float:
            return self._value(best, opening) if best.st.violation <= caps.tol_load else np.inf

        # under a time limit the phases share it: construction and local search, neighbourhood search,
        # then the relaxation (its bound is worth having, and a good incumbent steers its steps)
        now = time.perf_counter()
        phase = [None if deadline is None else now + share * (deadline - now) for share in (0.3, 0.7, 1.0)]
        self._report(stage="stage_greedy")
        if search is None:
            best = Solution(*cover_search(caps, opening, deadline=phase[0]), none)
        else:
            search.deadline = phase[0]
            best = search.greedy()
            if method != "greedy":
                self._report(objective=upper(), stage="stage_search")
                best = search.polish(best)
                search.deadline = phase[1]
                best = search.neighbourhood_search(best)
                search.deadline = phase[2]
        self._report(objective=upper())

        def polish(mask: np.ndarray, lower: float) -> None:
            nonlocal best
            if search is None:
                trial = Solution(*cover_search(caps, opening, start=mask & cand, deadline=phase[2]), none)
            else:
                trial = search.towards(best, mask)
                # a relaxed set earns a local search only when its first assignment is close to the best
                close = 0.25 * (upper() - lower) if np.isfinite(upper()) else np.inf
                if trial.st.violation > best.st.violation + caps.tol_load or trial.st.cost > best.st.cost + close:
                    return
                trial = search.polish(trial)
            if better(trial, best):
                best = trial
                self._report(objective=upper(), bound=lower)

        bound = -np.inf
        if method != "greedy":
            self._report(stage="stage_bound")
            bound = lagrangian(
                caps,
                p=p,
                exactly_p=True,
                site_costs=opening if p is None else None,
                upper=upper,
                polish=polish,
                deadline=phase[2],
                tolerance=self.tolerance,
            )
            self._report(bound=bound)
        return best, bound
