"""The siting problem: weighted demand, candidate and existing sites, and sparse demand-site costs.

One `SitingProblem` feeds every solver (`SetCover`, `MaxCoverage`, `PMedian`). Costs are sparse: a
demand-site pair beyond the reach cutoff is simply absent (never stored as infinity), so a problem with
thousands of areas and candidates stays small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from siting import defaults
from siting.errors import SitingInputError
from siting.labels import msg
from siting.reachability import WalkSettings

#: Where a problem's own arrays are at fault, in messages.
WHERE_PROBLEM = msg("where_problem")


#: Level of a new centre the plan does not make a township's comprehensive centre.
NEW_CENTRE_LEVEL = "community"
#: Level of a township's comprehensive centre (乡镇(街道)综合养老服务中心).
CENTRE_LEVEL = "township"

#: Largest floor area of a new centre when neither the site nor the scenario says, m²: the top of the
#: day-care centre range of GB 50180-2018 Appendix C (350–750 m²; not retrieved, so [U]). The one
#: default of every problem built from tables (``Study.problem`` labels it ``toolkit_assumption``).
TOOLKIT_MAX_FLOOR_AREA_M2 = defaults.MAX_FLOOR_AREA_M2

#: Whole square metres: proposed sizes are rounded up to them (within bounds).
SIZE_STEP_M2 = 1.0
#: Solver round-off forgiven when rounding a size up to whole m² (a size of 300.0000004 m² is 300 m²);
#: the compliance plan is then checked with the rule's exact arithmetic and repaired where that fell short.
ROUNDING_SLACK_M2 = 1e-6


def whole_m2(sizes_m2: np.ndarray, lowest_m2: np.ndarray, largest_m2: np.ndarray) -> np.ndarray:
    """Sizes rounded up to whole m², never below ``lowest_m2``; a size whose rounding would pass
    ``largest_m2`` keeps its exact value (it is within bounds as it is)."""
    rounded = np.ceil(np.maximum(sizes_m2 - ROUNDING_SLACK_M2, 0.0) / SIZE_STEP_M2) * SIZE_STEP_M2
    return np.where(rounded <= largest_m2 + 1e-9, np.maximum(rounded, lowest_m2), sizes_m2)


@dataclass(frozen=True)
class FloorAreaRule:
    """The floor-area rule (每百户配建面积) as the ``compliance`` objective needs it, per demand and site.

    An area's floor area per household is ``Σ_j share_ij × size_j`` (m²): its share of every site's floor
    area, as :func:`siting.compliance.floor_area_shares` shares it out. A site smaller than its
    ``threshold_m2`` counts as it does now (``shares_now``; a candidate not built counts for no one);
    from the threshold on it counts for every status (``shares_counted``). Built by
    :meth:`siting.plan.Study.problem` from the compliance check's own function, so that a plan is judged
    by the arithmetic of the check.

    Attributes
    ----------
    required_m2_per_household : ndarray, shape (n_demand,)
        Rate / 100, m² per household; NaN where the rule gives the area no verdict.
    shares_now, shares_counted : scipy.sparse.csr_matrix, shape (n_demand, n_sites)
        1 / households sharing the site's floor area, for the site as it counts now and when it counts
        for every status.
    threshold_m2 : ndarray, shape (n_sites,)
        Floor area from which a site counts for every status (0: always; inf: never, e.g. a county
        institution).
    cost_new_site, cost_per_m2 : float
        Cost of a new site and of one m² of floor area, new or added (the planner's unit).
    own_only : ndarray of bool, shape (n_demand,), optional
        Areas that count only the floor area built with them (new areas under the profile's
        ``new_area_counts: own``): without a site of their own, no public centre can fix them.
    """

    required_m2_per_household: np.ndarray
    shares_now: sp.csr_matrix
    shares_counted: sp.csr_matrix
    threshold_m2: np.ndarray
    cost_new_site: float
    cost_per_m2: float
    own_only: np.ndarray | None = None


@dataclass(frozen=True)
class UnitRules:
    """The rules on townships, communities and the service radius, as the ``compliance`` objective plans them.

    Built by :meth:`siting.plan.Study.problem` from the compliance check's own tables (which townships
    and communities it judges, which facilities it places in each, which areas fail the radius), so
    that the plan is judged by the membership of the check. Each row is one unit (or area) the plan
    must give what the rule asks; a unit none of whose sites could ever do so is listed in
    ``unfixable`` instead.

    Attributes
    ----------
    township_sites : scipy.sparse.csr_matrix of bool, shape (n_townships, n_sites)
        Sites that could be the comprehensive centre of each township lacking one (R07 streets, R08
        towns): candidates in it (built at the township level) and existing ``township`` or
        ``community`` facilities in it (enlarged to that size and raised to that level).
    township_names, township_rules : ndarray of str, shape (n_townships,)
        Each row's township and rule id (``street_centres``, ``town_centres``).
    township_min_m2 : float
        Least floor area of a comprehensive centre, m² (``township_centre_min_m2``; 0 when unset).
    community_sites : scipy.sparse.csr_matrix of bool, shape (n_communities, n_sites)
        Sites that could be the community facility of each community in scope lacking one (R10), or
        whose only qualifying facilities a township row could raise to the township level: candidates
        in it and existing ``community``/``station`` facilities in it.
    community_names : ndarray of str, shape (n_communities,)
    community_min_m2 : float
        Least floor area of a community facility, m² (``community_centre_min_m2``; 0 when unset).
    radius_needed : ndarray of bool, shape (n_demand,)
        Areas outside the stated service radius today (R11).
    radius_sites : scipy.sparse.csr_matrix of bool, shape (n_demand, n_sites)
        Candidates within the service radius of each of them; empty rows for the others.
    catchment_planned : bool
        Whether the township catchment (R09) is planned (read ``through_stations`` or
        ``communities_reached``, every household or community).
    catchment_needed : ndarray of bool, shape (n_demand,)
        Areas the township catchment rule (R09) read ``through_stations`` counts as uncovered today.
    catchment_sites : scipy.sparse.csr_matrix of bool, shape (n_demand, n_sites)
        Candidates that would put each of them within its township's network.
    catchment_community_names : ndarray of str, shape (n_reach,)
        Communities R09 read ``communities_reached`` counts as not reached by their township's network
        (once the township has its centre) and some site could reach.
    catchment_community_sites : scipy.sparse.csr_matrix of bool, shape (n_reach, n_sites)
        The sites of each such community's township that, built as part of its network, would stand in
        the community or reach one of its areas within the walk.
    catchment_community_households : ndarray of float, shape (n_reach,)
        Households of each such community (the weight of its row).
    catchment_townships : ndarray of str
        Townships failing R09 today whose every uncovered area or community has a row: the plan meets
        R09 there once each row holds and the township has its centre.
    unfixable : DataFrame
        ``unit``, ``level`` (``township``/``community``), ``rule`` and ``reason`` of the units no site
        can satisfy (``no_site_in_unit``; ``unit_sites_below_minimum``: every site in it is capped below
        the minimum; ``no_site_in_township_reach``: a community no site of its township can reach, R09).
    """

    township_sites: sp.csr_matrix
    township_names: np.ndarray
    township_rules: np.ndarray
    township_min_m2: float
    community_sites: sp.csr_matrix
    community_names: np.ndarray
    community_min_m2: float
    radius_needed: np.ndarray
    radius_sites: sp.csr_matrix
    catchment_planned: bool
    catchment_needed: np.ndarray
    catchment_sites: sp.csr_matrix
    catchment_community_names: np.ndarray
    catchment_community_sites: sp.csr_matrix
    catchment_community_households: np.ndarray
    catchment_townships: np.ndarray
    unfixable: pd.DataFrame

    @classmethod
    def none(cls, n_demand: int, n_sites: int) -> UnitRules:
        """No unit rule to plan (a profile that sets none, or a problem built without units)."""
        names, units = np.zeros(0, dtype=object), sp.csr_matrix((0, n_sites), dtype=bool)
        areas, needed = sp.csr_matrix((n_demand, n_sites), dtype=bool), np.zeros(n_demand, bool)
        lost = pd.DataFrame({"unit": [], "level": [], "rule": [], "reason": []}, dtype=object)
        return cls(
            units, names, names, 0.0, units, names, 0.0, needed, areas, False, needed, areas, names, units,
            np.zeros(0), names, lost,
        )  # fmt: skip


class SitingProblem:
    """Demand points, sites (existing ones kept open) and the sparse costs between them.

    Parameters
    ----------
    weights : array-like of float, shape (n_demand,)
        Demand weight of each area (households, or elderly residents). Must be ≥ 0.
    rows, cols : array-like of int, shape (n_pairs,)
        Demand index and site index of each reachable pair.
    costs : array-like of float, shape (n_pairs,)
        Cost of serving the demand from the site (walking minutes or metres). Pairs beyond the
        cutoff are absent; every listed pair counts as "covered" for the coverage objectives.
    n_sites : int
        Number of sites (existing + candidate).
    fixed : array-like of int, optional
        Indices of existing sites: always open, never counted in p, and they cover and serve
        demand like any open site.
    capacity : array-like of float, shape (n_sites,), optional
        Most load a site can serve (same unit as `load`; ``inf`` = unlimited). Only used by
        solvers configured with ``capacitated=True``.
    load : array-like of float, shape (n_demand,), optional
        What a demand consumes of a site's capacity; default `weights`. `from_tables` uses the
        floor area the area requires, in m², so that capacity is a floor area in m².
    site_costs : array-like of float, shape (n_sites,), optional
        Cost of opening each site, used by `SetCover` (default 1: minimise the number of sites).
    unserved_cost : float, optional
        p-median cost per unit weight of a demand with no open site within reach. Default: twice the
        largest pair cost, so serving a demand always beats leaving it unserved while an area out of
        reach of every site still has a finite, documented price. ``np.inf`` forbids unserved demand
        (the problem is then infeasible if any demand has no reachable site).
    site_ids, demand_ids : sequence of str, optional
        Names used in reports and error messages (default: the indices as strings).
    sites : GeoDataFrame, optional
        One row per site, in site order, with at least ``name`` and geometry; used by
        `proposals_frame`.

    Attributes
    ----------
    rows, cols, costs : ndarray
        The pairs, sorted by demand then cost (ties by site index) so that results do not depend
        on input order.
    indptr : ndarray of int, shape (n_demand + 1,)
        Start of each demand's pairs in the sorted arrays (CSR layout).
    is_candidate : ndarray of bool, shape (n_sites,)
        True for sites that may be proposed (not fixed).
    """

    def __init__(
        self,
        weights: Sequence[float] | np.ndarray,
        rows: Sequence[int] | np.ndarray,
        cols: Sequence[int] | np.ndarray,
        costs: Sequence[float] | np.ndarray,
        n_sites: int,
        *,
        fixed: Sequence[int] | np.ndarray | None = None,
        capacity: Sequence[float] | np.ndarray | None = None,
        load: Sequence[float] | np.ndarray | None = None,
        site_costs: Sequence[float] | np.ndarray | None = None,
        unserved_cost: float | None = None,
        site_ids: Sequence[str] | None = None,
        demand_ids: Sequence[str] | None = None,
        sites: gpd.GeoDataFrame | None = None,
        households: Sequence[float] | np.ndarray | None = None,
        floor_need_m2: Sequence[float] | np.ndarray | None = None,
        floor_area_m2: Sequence[float] | np.ndarray | None = None,
        min_floor_area_m2: Sequence[float] | np.ndarray | None = None,
        max_floor_area_m2: Sequence[float] | np.ndarray | None = None,
        floor_area_rule: FloorAreaRule | None = None,
        unit_rules: UnitRules | None = None,
    ) -> None:
        weights = np.asarray(weights, dtype=float)
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        costs = np.asarray(costs, dtype=float)
        n_demand = len(weights)
        self.n_demand = n_demand
        self.n_sites = int(n_sites)
        if not (len(rows) == len(cols) == len(costs)):
            raise SitingInputError(
                msg("problem_lengths", rows=len(rows), cols=len(cols), costs=len(costs)),
                source=WHERE_PROBLEM,
                fix=msg("problem_lengths_fix"),
            )
        if len(rows) and (rows.min() < 0 or rows.max() >= n_demand):
            raise SitingInputError(
                msg("problem_index_range", n=n_demand),
                source=WHERE_PROBLEM,
                column="rows",
                fix=msg("problem_lengths_fix"),
            )
        if len(cols) and (cols.min() < 0 or cols.max() >= self.n_sites):
            raise SitingInputError(
                msg("problem_index_range", n=self.n_sites),
                source=WHERE_PROBLEM,
                column="cols",
                fix=msg("problem_lengths_fix"),
            )
        bad = ~np.isfinite(costs) | (costs < 0)
        if bad.any():
            raise SitingInputError(
                msg("problem_costs_invalid"),
                source=WHERE_PROBLEM,
                column="costs",
                rows=np.flatnonzero(bad).tolist(),
                fix=msg("problem_costs_invalid_fix"),
            )
        if (~np.isfinite(weights) | (weights < 0)).any():
            raise SitingInputError(
                msg("problem_weights_invalid"),
                source=WHERE_PROBLEM,
                column="weights",
                rows=np.flatnonzero(~np.isfinite(weights) | (weights < 0)).tolist(),
                fix=msg("values_negative_fix"),
            )
        self.demand_ids = np.asarray(
            [str(i) for i in range(n_demand)] if demand_ids is None else [str(i) for i in demand_ids], dtype=object
        )
        self.site_ids = np.asarray(
            [str(j) for j in range(self.n_sites)] if site_ids is None else [str(j) for j in site_ids], dtype=object
        )
        # Duplicate pairs would double-count in the MIP rows; keep the cheapest (stable, input-order free).
        order = np.lexsort((cols, costs, rows))
        rows, cols, costs = rows[order], cols[order], costs[order]
        key = rows * self.n_sites + cols
        _, first = np.unique(key, return_index=True)
        first.sort()
        self.rows, self.cols, self.costs = rows[first], cols[first], costs[first]
        self.indptr = np.searchsorted(self.rows, np.arange(n_demand + 1))
        self.weights = weights
        # households of each demand (for reports and the rules; the weight unless given)
        self.households = weights if households is None else np.asarray(households, dtype=float)
        self.fixed = np.unique(np.asarray([] if fixed is None else fixed, dtype=np.int64))
        self.is_candidate = np.ones(self.n_sites, dtype=bool)
        self.is_candidate[self.fixed] = False
        self.capacity = None if capacity is None else np.asarray(capacity, dtype=float)
        self.load = weights.copy() if load is None else np.asarray(load, dtype=float)
        self.site_costs = np.ones(self.n_sites) if site_costs is None else np.asarray(site_costs, dtype=float)
        if unserved_cost is None:
            unserved_cost = 2.0 * float(self.costs.max()) if len(self.costs) else 1.0
        self.unserved_cost = float(unserved_cost)
        self.sites = sites
        # Floor area (m²) each demand needs, when a rate is given (from_tables).
        self.floor_need_m2 = None if floor_need_m2 is None else np.asarray(floor_need_m2, dtype=float)
        # Floor area of each site, m²: now (candidates 0), and the least and most it may have when
        # built or enlarged (existing sites cannot shrink).
        self.floor_area_m2 = _per_site(floor_area_m2, self.n_sites, 0.0)
        self.min_floor_area_m2 = _per_site(min_floor_area_m2, self.n_sites, 0.0)
        self.max_floor_area_m2 = _per_site(max_floor_area_m2, self.n_sites, np.inf)
        # What the floor-area rule counts, and the township, community and radius rules, for objectives
        # judged by them (siting.optimize.sizing); built by siting.plan.Study.problem.
        self.floor_area_rule = floor_area_rule
        self.unit_rules = UnitRules.none(n_demand, self.n_sites) if unit_rules is None else unit_rules
        if self.capacity is not None and len(self.capacity) != self.n_sites:
            raise SitingInputError(
                msg("problem_capacity_length", n=self.n_sites),
                source=WHERE_PROBLEM,
                column="capacity",
                fix=msg("problem_lengths_fix"),
            )
        for array in vars(self).values():
            if isinstance(array, np.ndarray):
                array.flags.writeable = False
        self._frozen = True

    def __setattr__(self, name: str, value: object) -> None:
        # one builder makes the whole problem: every solver reads the same figures, none changes them
        if getattr(self, "_frozen", False):
            raise AttributeError(f"SitingProblem is frozen: {name} cannot be set after it is built")
        super().__setattr__(name, value)

    @property
    def n_candidates(self) -> int:
        """Number of sites that may be proposed (not fixed)."""
        return int(self.is_candidate.sum())

    def covered_by(self, open_sites: np.ndarray) -> np.ndarray:
        """Boolean per demand: some open site (indices, fixed ones added) is within reach."""
        is_open = np.zeros(self.n_sites, dtype=bool)
        is_open[self.fixed] = True
        is_open[np.asarray(open_sites, dtype=np.int64)] = True
        covered = np.zeros(self.n_demand, dtype=bool)
        covered[self.rows[is_open[self.cols]]] = True
        return covered

    def unreachable(self) -> np.ndarray:
        """Indices of demands with positive weight that no site (existing or candidate) reaches."""
        reached = np.zeros(self.n_demand, dtype=bool)
        reached[self.rows] = True
        return np.flatnonzero(~reached & (self.weights > 0))

    @classmethod
    def from_tables(
        cls,
        areas: gpd.GeoDataFrame,
        facilities: gpd.GeoDataFrame | None,
        candidates: gpd.GeoDataFrame,
        facility_pairs: pd.DataFrame | None,
        candidate_pairs: pd.DataFrame,
        *,
        settings: WalkSettings,
        weight: str = defaults.WEIGHT,
        cost: str = "walk_min",
        rate_m2_per_100_households: float | Sequence[float] | np.ndarray | None = None,
        unserved_cost: float | None = None,
        floor_area_rule: FloorAreaRule | None = None,
        unit_rules: UnitRules | None = None,
        site_columns: dict[str, np.ndarray] | None = None,
    ) -> SitingProblem:
        """Build the problem from the areas, facility and candidate layers and the reachability pairs.

        Sites are the existing facilities first (fixed open), then the candidates. Pairs with
        ``walk_min`` beyond the walking cutoff are dropped: a pair present in the problem means the area
        is within the walking circle of that site.

        Parameters
        ----------
        areas : GeoDataFrame
            ``area_id`` (str), `weight` column (households or elderly), ``households``.
        facilities : GeoDataFrame or None
            Existing facilities: ``facility_id``, ``name``, ``floor_area_m2`` (m²), optional
            ``max_floor_area_m2`` (m² it may be enlarged to; NaN = not enlarged) and, with a rate,
            ``counts_toward_compliance`` (from :func:`siting.compliance.check_compliance`): a facility
            the floor-area rule does not count has no capacity and is never enlarged.
        candidates : GeoDataFrame
            ``candidate_id``, ``name``, optional ``max_floor_area_m2`` (NaN = :data:`TOOLKIT_MAX_FLOOR_AREA_M2`)
            and ``min_floor_area_m2`` (NaN = 0), m² of floor area a centre on the site may have.
        facility_pairs, candidate_pairs : DataFrame
            From siting.reachability: ``area_id``, ``facility_id`` / ``candidate_id``, ``dist_m``,
            ``walk_min``.
        settings : WalkSettings
            The walking circle the pairs were measured with (``Accessibility.settings``); a pair
            counts when within its inclusive cutoff.
        weight : str
            Demand weight column of `areas`.
        cost : str
            Pair cost column: ``walk_min`` (minutes) or ``dist_m`` (metres).
        rate_m2_per_100_households : float or array, optional
            Floor area required per 100 households (m²), scalar or one value per area (e.g. 20 for
            new areas, 15 for existing). When given, each area's load is its floor-area need in m²
            and each site's capacity is the largest floor area it may have (existing:
            ``max_floor_area_m2``, else ``floor_area_m2``; candidate: ``max_floor_area_m2``, NaN =
            :data:`TOOLKIT_MAX_FLOOR_AREA_M2`), so a centre of A m² serves at most A / rate × 100 households.
        unserved_cost : float, optional
            See the class docstring (in the unit of `cost`).
        floor_area_rule, unit_rules : optional
            The rules the ``compliance`` objective plans (:meth:`siting.plan.Study.problem` builds them).
        site_columns : dict of str to array, optional
            More columns of :attr:`sites`, one value per site (facilities, then candidates).
        """
        for col in ("area_id", weight, "households"):
            if col not in areas.columns:
                raise SitingInputError(
                    msg("argument_column_missing", what="areas", column=col),
                    source=msg("where_argument", name="areas"),
                    column=col,
                    fix=msg("argument_column_missing_fix", what="areas", columns=["area_id", weight, "households"]),
                )
        area_ids = areas["area_id"].astype(str).to_numpy()
        area_index = pd.Index(area_ids)
        if not area_index.is_unique:
            raise SitingInputError(
                msg("ids_duplicated"),
                source=msg("where_argument", name="areas"),
                column="area_id",
                rows=area_index[area_index.duplicated()].tolist(),
                fix=msg("ids_duplicated_fix"),
            )
        n_fac = 0 if facilities is None else len(facilities)
        fac_ids = [] if facilities is None else facilities["facility_id"].astype(str).tolist()
        cand_ids = candidates["candidate_id"].astype(str).tolist()
        site_index = pd.Index(fac_ids + cand_ids)
        if not site_index.is_unique:
            raise SitingInputError(
                msg("site_ids_shared"),
                source=msg("where_argument", name="facilities/candidates"),
                rows=site_index[site_index.duplicated()].tolist(),
                fix=msg("site_ids_shared_fix"),
            )
        parts = []
        for pairs, id_col, layer in (
            (facility_pairs, "facility_id", "facility_pairs"),
            (candidate_pairs, "candidate_id", "candidate_pairs"),
        ):
            if pairs is None or len(pairs) == 0:
                continue
            for col in ("area_id", id_col, cost):
                if col not in pairs.columns:
                    raise SitingInputError(
                        msg("argument_column_missing", what=layer, column=col),
                        source=msg("where_argument", name=layer),
                        column=col,
                        fix=msg("argument_column_missing_fix", what=layer, columns=["area_id", id_col, cost]),
                    )
            # the same inclusive cutoff as the assessment: a site exactly at 15 min covers the area
            kept = pairs[settings.within_min(pairs["walk_min"])] if "walk_min" in pairs.columns else pairs
            r = area_index.get_indexer(kept["area_id"].astype(str))
            c = site_index.get_indexer(kept[id_col].astype(str))
            unknown = (r < 0) | (c < 0)
            if unknown.any():
                bad = kept.loc[unknown, ["area_id", id_col]].astype(str).agg("/".join, axis=1).tolist()
                raise SitingInputError(
                    msg("pairs_unknown_sites"),
                    source=msg("where_argument", name=layer),
                    rows=bad,
                    fix=msg("pairs_unknown_fix"),
                )
            parts.append((r, c, kept[cost].to_numpy(dtype=float)))
        rows = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        cols = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        costs = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
        weights = areas[weight].to_numpy(dtype=float)
        current, lowest, largest = _floor_area_bounds(facilities, candidates)
        load = capacity = None
        if rate_m2_per_100_households is not None:
            rate = np.broadcast_to(np.asarray(rate_m2_per_100_households, dtype=float), (len(areas),))
            load = areas["households"].to_numpy(dtype=float) / 100.0 * rate
            counts = np.ones(len(site_index), bool)
            if facilities is not None and n_fac:
                if "counts_toward_compliance" not in facilities.columns:
                    # without it every facility would count, county institutions included: the
                    # capacities would differ from the compliance check's (issue of notebook ≠ scenario)
                    raise SitingInputError(
                        msg("argument_column_missing", what="facilities", column="counts_toward_compliance"),
                        source=msg("where_argument", name="facilities"),
                        column="counts_toward_compliance",
                        fix=msg("counts_column_fix"),
                    )
                counts[:n_fac] = facilities["counts_toward_compliance"].to_numpy(dtype=bool)
            # a facility the floor-area rule does not count (county institution, below the single-site
            # minimum) serves no households by floor area, and is not enlarged for them
            capacity = np.where(counts, largest, 0.0)
        names = [] if facilities is None else facilities.get("name", facilities["facility_id"]).astype(str).tolist()
        names += candidates.get("name", candidates["candidate_id"]).astype(str).tolist()
        crs = candidates.crs
        geoms = list(candidates.geometry)
        if facilities is not None and n_fac:
            geoms = list(facilities.to_crs(crs).geometry) + geoms
        sites = gpd.GeoDataFrame(
            {
                "site_id": site_index.to_numpy(),
                "name": names,
                "existing": np.arange(len(site_index)) < n_fac,
                **(site_columns or {}),
            },
            geometry=geoms,
            crs=crs,
        )
        # an uncounted facility keeps its max: a station below the single-site minimum may be lifted to it by
        # the compliance objective, while the capacity objectives give it no capacity and so no growth
        return cls(
            weights,
            rows,
            cols,
            costs,
            len(site_index),
            fixed=np.arange(n_fac),
            capacity=capacity,
            load=load,
            unserved_cost=unserved_cost,
            site_ids=site_index.tolist(),
            demand_ids=area_ids,
            sites=sites,
            households=areas["households"].to_numpy(dtype=float),
            floor_need_m2=load,
            floor_area_m2=current,
            min_floor_area_m2=lowest,
            max_floor_area_m2=largest,
            floor_area_rule=floor_area_rule,
            unit_rules=unit_rules,
        )


def _per_site(values: Sequence[float] | np.ndarray | None, n_sites: int, default: float) -> np.ndarray:
    return np.full(n_sites, default) if values is None else np.asarray(values, dtype=float)


def _floor_area_bounds(
    facilities: gpd.GeoDataFrame | None, candidates: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per site (facilities, then candidates): floor area now, least and most it may have, m²."""

    def column(frame: pd.DataFrame | None, name: str, default: float | np.ndarray) -> np.ndarray:
        n = 0 if frame is None else len(frame)
        values = (
            frame[name].to_numpy(dtype=float) if frame is not None and name in frame.columns else np.full(n, np.nan)
        )
        return np.where(np.isnan(values), default, values)

    now = column(facilities, "floor_area_m2", 0.0)
    facility_max = np.maximum(column(facilities, "max_floor_area_m2", now), now)
    current = np.r_[now, np.zeros(len(candidates))]
    lowest = np.r_[now, column(candidates, "min_floor_area_m2", 0.0)]
    largest = np.r_[facility_max, column(candidates, "max_floor_area_m2", TOOLKIT_MAX_FLOOR_AREA_M2)]
    return current, lowest, largest
