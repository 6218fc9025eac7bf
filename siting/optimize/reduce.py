"""Reductions that never change the optimum: fewer sites, demands and pairs before any search.

All three work on an :class:`~siting.optimize.heuristics.Allocation` (p-median and maximal covering
alike; set cover has its own two below):

* **Fixed sites absorbed.** Existing sites are always open, so each demand's cost can never exceed
  its cheapest fixed option (the unserved option is one): that becomes its fallback, pairs no
  cheaper than it are dropped, and a demand no candidate serves better pays its fallback, a
  constant left out of the search.
* **Dominated candidates dropped.** Candidate j is dominated by candidate k when k serves every
  demand j serves better than its fallback at no more cost (ties: the lower index dominates). Any
  solution with j open is no better than the same with k in its place, so j is never needed when
  up to p sites may open; the solvers treat "exactly p" as "at most p" (opening a site never raises
  the cost) and fill up with unneeded candidates at the end.
* **Independent parts.** Demands and candidates that share no pair (a river, a ring road, towns
  farther apart than the walk) form parts whose costs simply add up; only the number of new sites
  links them (:mod:`siting.optimize.parts`).

For set cover (:func:`cover_reductions`): a column whose rows another column of no higher cost
covers is dropped, and so is a row that contains all the columns of another row.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from siting.arrays import concat_ranges
from siting.optimize.heuristics import Allocation

#: Site pairs (times rows) compared at once when looking for dominated candidates.
OVERLAP_CHUNK = 4_000_000


@dataclass
class Core:
    """A reduced allocation problem and how its solutions map back.

    Attributes
    ----------
    alloc : Allocation
        The reduced problem: candidates ``0..n-1`` (no fixed site; the fallback is the virtual site).
    sites : ndarray of int
        Site of the original problem of each reduced candidate.
    demands : ndarray of int
        Demand of the original problem of each reduced demand.
    constant : float
        Cost of the original demands left out (each pays its fallback); ``inf`` when one of them has
        no option at all.
    """

    alloc: Allocation
    sites: np.ndarray
    demands: np.ndarray
    constant: float

    @property
    def n_candidates(self) -> int:
        return len(self.sites)

    def lift(self, local_open: np.ndarray, original: Allocation, p: int | None = None) -> np.ndarray:
        """Open mask of the original problem for a reduced solution, filled up to `p` candidates.

        Filling takes the lowest-numbered closed candidates: they are not needed, so any will do.
        """
        mask = original.fixed_mask.copy()
        mask[self.sites[np.asarray(local_open[: len(self.sites)], dtype=bool)]] = True
        if p is not None:
            missing = p - int((mask & original.candidate_mask).sum())
            if missing > 0:
                mask[np.flatnonzero(original.candidate_mask & ~mask)[:missing]] = True
        return mask

    def restrict(self, original_open: np.ndarray) -> np.ndarray:
        """Open mask of the reduced problem (virtual site included) from an original one."""
        mask = np.zeros(self.alloc.n_sites, bool)
        mask[: len(self.sites)] = original_open[self.sites]
        mask[self.alloc.virtual] = True
        return mask


def fallback_costs(alloc: Allocation, fixed: np.ndarray | None = None) -> np.ndarray:
    """Per demand, its cheapest option among the fixed sites (virtual included); ``inf`` if none."""
    fixed = alloc.fixed_mask if fixed is None else fixed
    fallback = np.full(alloc.n_demand, np.inf)
    sel = fixed[alloc.cols]
    np.minimum.at(fallback, alloc.rows[sel], alloc.a[sel])
    return fallback


def reduce_allocation(
    alloc: Allocation,
    *,
    also_fixed: np.ndarray | None = None,
    removed: np.ndarray | None = None,
    drop_dominated: bool = True,
) -> Core:
    """The reduced problem of `alloc` (see the module docstring).

    Parameters
    ----------
    also_fixed : ndarray of bool, optional
        Candidates to treat as open for good (e.g. proven to belong to every better solution).
    removed : ndarray of bool, optional
        Candidates to leave out (e.g. proven to belong to no better solution).
    drop_dominated : bool
        Look for dominated candidates (costs one sparse product over the candidate pairs).
    """
    fixed = alloc.fixed_mask if also_fixed is None else alloc.fixed_mask | also_fixed
    fallback = fallback_costs(alloc, fixed)
    usable = alloc.candidate_mask & ~fixed
    if removed is not None:
        usable &= ~removed
    keep = usable[alloc.cols] & (alloc.a < fallback[alloc.rows])
    rows, cols, a = alloc.rows[keep], alloc.cols[keep], alloc.a[keep]
    if drop_dominated and len(rows):
        gone = dominated(rows, cols, a, alloc.n_sites)
        stay = ~gone[cols]
        rows, cols, a = rows[stay], cols[stay], a[stay]
    sites = np.unique(cols)
    demands = np.unique(rows)
    left_out = np.ones(alloc.n_demand, bool)
    left_out[demands] = False
    constant = float(fallback[left_out].sum()) if left_out.any() else 0.0
    site_of = np.full(alloc.n_sites, -1)
    site_of[sites] = np.arange(len(sites))
    demand_of = np.full(alloc.n_demand, -1)
    demand_of[demands] = np.arange(len(demands))
    reduced = Allocation(len(demands), len(sites), demand_of[rows], site_of[cols], a, fallback[demands])
    return Core(reduced, sites, demands, constant)


def dominated(rows: np.ndarray, cols: np.ndarray, a: np.ndarray, n_sites: int) -> np.ndarray:
    """Sites dominated by another site over the given pairs (see the module docstring).

    Site j is dominated by k ≠ j when every demand of j is a demand of k with ``a_ik ≤ a_ij``, and
    k is strictly cheaper for one of them, serves more demands, or has the lower index. The relation
    has no cycles, so every dominated site has an undominated one that serves each of its demands
    at least as well.

    Returns
    -------
    ndarray of bool, shape (n_sites,)
    """
    j, k, strictly = _covering_pairs(rows, cols, a, n_sites)
    degree = np.bincount(cols, minlength=n_sites)
    out = np.zeros(n_sites, bool)
    out[j[strictly | (degree[k] > degree[j]) | (k < j)]] = True
    return out


def _covering_pairs(
    rows: np.ndarray, cols: np.ndarray, a: np.ndarray, n_cols: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (j, k), j ≠ k, such that each row of column j is a row of column k with ``a_ik ≤ a_ij``.

    Candidates for k come from j's "anchor", the row of j with the fewest columns (k must have it),
    then must pass j's cheapest row before all of j's rows are compared, in chunks; so the work
    follows the sparse pairs rather than columns × columns.

    Returns
    -------
    j, k : ndarray of int
    strictly : ndarray of bool
        k is strictly cheaper than j on one of j's rows.
    """
    empty = np.zeros(0, np.int64)
    if len(rows) == 0:
        return empty, empty, np.zeros(0, bool)
    n_rows = int(rows.max()) + 1
    # the pairs by row (ascending columns) and by column (ascending rows), as CSR index arrays
    # one stable sort of an integer key is several times quicker than np.lexsort of two
    row_key = rows.astype(np.int64) * n_cols + cols
    by_row = np.argsort(row_key, kind="stable")
    row_ptr = np.searchsorted(rows[by_row], np.arange(n_rows + 1))
    row_col, row_a = cols[by_row], a[by_row]
    by_col = np.argsort(cols.astype(np.int64) * n_rows + rows, kind="stable")
    col_ptr = np.searchsorted(cols[by_col], np.arange(n_cols + 1))
    col_row, col_a = rows[by_col], a[by_col]
    per_row, degree = np.diff(row_ptr), np.diff(col_ptr)
    key = row_key[by_row]
    col_of_entry = cols[by_col]
    sites = np.flatnonzero(degree)
    # each column's anchor (its row with the fewest columns) and cheapest row (its smallest a)
    anchor = np.full(n_cols, -1)
    cheapest = np.full(n_cols, -1)
    for target, rank in ((anchor, per_row[col_row]), (cheapest, col_a)):
        # rows ascend within a column: the first entry at the column's least rank has the lowest row
        least = np.zeros(n_cols)
        least[sites] = np.minimum.reduceat(rank, col_ptr[sites])
        hit = np.flatnonzero(rank == least[col_of_entry])
        first = hit[np.r_[True, col_of_entry[hit][1:] != col_of_entry[hit][:-1]]]
        target[col_of_entry[first]] = col_row[first]

    def lookup(r: np.ndarray, c: np.ndarray) -> np.ndarray:
        """a of each (row, col), inf where the pair does not exist."""
        k_ = r.astype(np.int64) * n_cols + c
        pos = np.minimum(np.searchsorted(key, k_), len(key) - 1)
        return np.where(key[pos] == k_, row_a[pos], np.inf)

    def expand(ptr: np.ndarray, of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each item of `of`, all its entries: (position in `of`, entry index)."""
        n = ptr[of + 1] - ptr[of]
        owner = np.repeat(np.arange(len(of)), n)
        return owner, concat_ranges(ptr[of], n)

    found_j, found_k, found_strict = [], [], []
    for chunk in _chunks(sites, per_row[np.maximum(anchor, 0)].astype(float)):
        # every k on the anchor row of each j, cheaper there, with as many rows, and cheaper on j's cheapest row
        owner, entry = expand(row_ptr, anchor[chunk])
        j, k = chunk[owner], row_col[entry]
        keep = (k != j) & (row_a[entry] <= lookup(anchor[j], j)) & (degree[k] >= degree[j])
        j, k = j[keep], k[keep]
        keep = lookup(cheapest[j], k) <= lookup(cheapest[j], j)
        j, k = j[keep], k[keep]
        # then every row of j
        for sub in _chunks(np.arange(len(j)), degree[j].astype(float)):
            jj, kk = j[sub], k[sub]
            pair, entry = expand(col_ptr, jj)
            mine, theirs = col_a[entry], lookup(col_row[entry], kk[pair])
            worse = np.bincount(pair, weights=theirs > mine, minlength=len(jj)) > 0
            strict = np.bincount(pair, weights=theirs < mine, minlength=len(jj)) > 0
            found_j.append(jj[~worse])
            found_k.append(kk[~worse])
            found_strict.append(strict[~worse])
    if not found_j:
        return empty, empty, np.zeros(0, bool)
    return np.concatenate(found_j), np.concatenate(found_k), np.concatenate(found_strict)


def parts(alloc: Allocation) -> tuple[int, np.ndarray, np.ndarray]:
    """Independent parts of a reduced problem: candidates and demands linked by candidate pairs.

    Returns
    -------
    n_parts, site_part, demand_part
        Part of each candidate (virtual site excluded) and of each demand; a demand with no
        candidate pair gets −1. Parts are numbered in the order of their first candidate.
    """
    sel = alloc.cols < alloc.virtual
    return bipartite_parts(alloc.rows[sel], alloc.cols[sel], alloc.n_demand, alloc.virtual)


def bipartite_parts(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Connected parts of the bipartite graph of (row, col) pairs, numbered by their first column.

    Returns
    -------
    n_parts, col_part, row_part
        Part of each column (−1 for a column without pairs) and of each row (−1 likewise).
    """
    n = n_rows + n_cols
    if n == 0:
        return 0, np.zeros(0, np.int64), np.zeros(0, np.int64)
    graph = sp.csr_matrix((np.ones(len(rows)), (rows, n_rows + cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    used_col = np.bincount(cols, minlength=n_cols) > 0
    used_row = np.bincount(rows, minlength=n_rows) > 0
    col_label = labels[n_rows:]
    first_label, first_col = np.unique(col_label[used_col], return_index=True)
    order = np.argsort(np.flatnonzero(used_col)[first_col], kind="stable")
    rename = np.full(int(labels.max()) + 1, -1)
    rename[first_label[order]] = np.arange(len(order))
    col_part = np.where(used_col, rename[col_label], -1)
    row_part = np.where(used_row, rename[labels[:n_rows]], -1)
    return len(order), col_part, row_part


def split(alloc: Allocation) -> list[tuple[np.ndarray, np.ndarray, Allocation]]:
    """The independent parts of a reduced problem, each as (its demands, its candidates, its allocation).

    Every demand of a reduced problem has a candidate pair, so every demand is in one part. The
    pairs are sorted by part once, so that many small parts cost no more than one large one.
    """
    n_parts, site_part, demand_part = parts(alloc)
    fallback = fallback_costs(alloc)
    site_order = np.argsort(site_part, kind="stable")
    demand_order = np.argsort(demand_part, kind="stable")
    site_cut = np.searchsorted(site_part[site_order], np.arange(n_parts + 1))
    demand_cut = np.searchsorted(demand_part[demand_order], np.arange(n_parts + 1))
    # position of each candidate and demand within its part
    site_local = np.empty(len(site_part), np.int64)
    site_local[site_order] = np.arange(len(site_part)) - site_cut[site_part[site_order]]
    demand_local = np.empty(alloc.n_demand, np.int64)
    demand_local[demand_order] = np.arange(alloc.n_demand) - demand_cut[demand_part[demand_order]]
    sel = np.flatnonzero(alloc.cols < alloc.virtual)
    pair_order = sel[np.argsort(demand_part[alloc.rows[sel]], kind="stable")]
    pair_cut = np.searchsorted(demand_part[alloc.rows[pair_order]], np.arange(n_parts + 1))
    out = []
    for k in range(n_parts):
        demands = demand_order[demand_cut[k] : demand_cut[k + 1]]
        sites = site_order[site_cut[k] : site_cut[k + 1]]
        pairs = pair_order[pair_cut[k] : pair_cut[k + 1]]
        part = Allocation(
            len(demands),
            len(sites),
            demand_local[alloc.rows[pairs]],
            site_local[alloc.cols[pairs]],
            alloc.a[pairs],
            fallback[demands],
        )
        out.append((demands, sites, part))
    return out


def cover_reductions(cover: sp.csr_matrix, costs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of a set-cover matrix that the optimum needs to look at.

    A column is dropped when another column covers all its rows at no higher cost (ties: the
    lower index stays); a row is dropped when another row's columns are all among its own
    (covering that one covers it; of two equal rows the higher index goes). Dropping either never
    changes the optimal cost.

    Returns
    -------
    rows, cols : ndarray of int
        The rows and columns kept.
    """
    cover = sp.csr_matrix(cover, dtype=float)
    m, n = cover.shape
    r, c = cover.nonzero()
    # a column "serves" its rows at its cost: dominated means a subset at no higher cost
    drop_col = dominated(r, c, costs[c], n) if len(r) else np.zeros(n, bool)
    keep_cols = np.flatnonzero(~drop_col & (np.bincount(c, minlength=n) > 0))
    sub = cover[:, keep_cols].tocsr()
    r, c = sub.nonzero()
    # rows as the "sites" of their columns: (small, large) with small ⊆ large makes large redundant
    small, large, _ = _covering_pairs(c, r, np.zeros(len(r)), m)
    size = np.bincount(r, minlength=m)
    redundant = np.zeros(m, bool)
    redundant[large[(size[large] > size[small]) | (small < large)]] = True
    return np.flatnonzero(~redundant), keep_cols


def _chunks(items: np.ndarray, work: np.ndarray):
    """Consecutive slices of `items` whose summed `work` (per item index) stays near OVERLAP_CHUNK."""
    if len(items) == 0:
        return
    total = np.cumsum(work[items])
    cuts = np.searchsorted(total, np.arange(1, int(total[-1] // OVERLAP_CHUNK) + 1) * OVERLAP_CHUNK, side="right")
    edges = np.unique(np.r_[0, cuts, len(items)])
    for lo, hi in itertools.pairwise(edges):
        yield items[lo:hi]
