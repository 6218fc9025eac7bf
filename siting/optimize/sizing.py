"""The least-cost plan that makes every area compliant: where to build, how big, and what to enlarge.

Objective ``compliance`` (:class:`CompliancePlan`): every area that any site can reach within the walk
is within the walk, and every area the floor-area rule judges (每百户配建面积) gets its floor area per
100 households as :func:`siting.compliance.floor_area_shares` shares floor area out, at the least cost

    cost_new_site × (new centres) + cost_per_m2 × (m² built or added).

Sizes are bounded per site (``SitingProblem.min_floor_area_m2`` / ``max_floor_area_m2``). An existing
facility may be enlarged up to its largest size; one below the size from which the rule counts it
(its ``threshold_m2``) is either enlarged within its present regime or lifted to the threshold and
beyond, where it counts for every status. An area no plan can fix is left out and listed in
``unfixable_`` with its reason (``no_site_in_reach``: no site within the walk could serve it;
``no_own_site``: a new area that counts only the floor area built with it has no site in it or
assigned to it, so its developer must build it (配建); ``sites_at_cap``: every site that could serve it
at its largest size still falls short).

The model is one HiGHS MIP over sparse arrays (variables per candidate: open y ∈ {0,1}, size a;
per existing facility: enlargement e, and for one below its threshold an upgrade u ∈ {0,1} with the
enlargement split below/above the threshold)::

    walk:   Σ_{candidates j within the walk of i} y_j ≥ 1                (i outside the walk today)
    floor:  Σ_j share_ij(size_j) ≥ required_i                             (i the rule judges)
            min_j y_j ≤ a_j ≤ max_j y_j

The unit rules the check judges join the same model (:class:`~siting.optimize.problem.UnitRules`):
binaries z (a site is its township's comprehensive centre, at least ``township_centre_min_m2``: a new
one, or an existing township or community centre enlarged and raised to that level) and w (a site is
its community's facility, at least ``community_centre_min_m2``), one of them per site and a candidate's
only when open; Σ z ≥ 1 per township lacking a centre (R07/R08), Σ w ≥ 1 per community lacking a
facility (R10); Σ y ≥ 1 over the candidates within the stated radius of each area outside it (R11) and
over the candidates of its own township within its walk (R09, read ``through_stations``); Σ y ≥ 1 over
the sites of its township standing in or reaching each community its network does not reach (R09, read
``communities_reached``).

Methods: ``greedy`` opens candidates by reduction of the remaining shortfall per unit cost (those the
LP relaxation leaves shut last), then sizes the open sites exactly (a small MIP with the openings
fixed); ``heuristic`` adds closing any opened site the others can do without, then the MIP among the
candidates the LP relaxation opens at all, from that plan, for the time left; ``exact`` solves the
whole MIP in HiGHS from the heuristic's plan (the heuristic's MIP taking 30 % of the time). The bound
of ``greedy``/``heuristic`` is the LP relaxation's; ``exact`` reports HiGHS's proven bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching

from siting import defaults
from siting.compliance import meets_rate
from siting.errors import ROWS_SHOWN, SitingInputError
from siting.labels import msg, render, value_label
from siting.optimize import exact
from siting.optimize.models import Solver
from siting.optimize.problem import (
    CENTRE_LEVEL,
    NEW_CENTRE_LEVEL,
    ROUNDING_SLACK_M2,
    SIZE_STEP_M2,
    WHERE_PROBLEM,
    FloorAreaRule,
    SitingProblem,
    UnitRules,
    whole_m2,
)

#: How the plan treats each rule of :data:`siting.profiles.RULES`: planned (``planned``), a condition
#: every planned site meets (``condition_met``), or why no siting decision changes it (方案未涉及).
RULE_PLANNING = {
    "floor_area_new": "planned",
    "floor_area_existing": "planned",
    "min_site_new": "condition_met",
    "min_site_existing": "condition_met",
    "compliance_rate_areas": "planned",
    "compliance_rate_households": "planned",
    "street_centres": "planned",
    "town_centres": "planned",
    # planned when read through_stations or communities_reached for all (UnitRules.catchment_planned)
    "township_catchment": "not_planned_catchment",
    "community_facilities": "planned",
    "service_radius": "planned",
    "county_institutions": "not_planned_county",
    "dementia_care_centres": "not_planned_services",
    "land_per_resident": "not_planned_land",
    "beds_per_1000_elderly": "not_planned_beds",
    "nursing_bed_share": "not_planned_beds",
    "dementia_beds": "not_planned_beds",
    "meal_service": "not_planned_services",
    "medical_care_coverage": "not_planned_services",
    "medical_care_institutions": "not_planned_county",
    "home_care_institutions": "not_planned_services",
    "kangyang": "not_planned_services",
    "named_township_centres": "not_planned_services",
}


def rules_planned(rules: pd.DataFrame, catchment_planned: bool) -> pd.DataFrame:
    """Each rule of a check (:attr:`siting.compliance.ComplianceResult.rules`) with how the plan treats
    it: ``rule``, ``number`` and ``planning`` (a key of :data:`RULE_PLANNING`'s values, ``planned`` for the
    township catchment when ``catchment_planned``, ``not_planned_other`` for a rule it does not list)."""
    # a rule this table does not know (a profile's newer rule) is not one a siting decision changes
    planning = rules["rule"].map(RULE_PLANNING).fillna("not_planned_other")
    if catchment_planned:
        planning = planning.where(rules["rule"] != "township_catchment", "planned")
    return pd.DataFrame({"rule": rules["rule"], "number": rules["number"], "planning": planning}).reset_index(drop=True)


#: Open value above which the LP relaxation counts a candidate as opened at all.
LP_SUPPORT = 1e-6


@dataclass
class _Model:
    """The MIP's arrays, built once; the heuristics re-solve it with some bounds fixed."""

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    matrix: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    y_cols: np.ndarray  # one per candidate site index in `cand`
    cand: np.ndarray  # candidate site indices


class CompliancePlan(Solver):
    """Least-cost new centres and enlargements making every fixable area compliant (walk and floor area).

    Parameters
    ----------
    allow_unfixable : bool
        Plan for the areas that can be fixed and list the others in ``unfixable_`` (status from the
        solve), instead of returning status "infeasible" naming them.
    method, time_limit_s, tolerance, progress
        As for :class:`~siting.optimize.PMedian`; ``capacitated`` is not used (the floor-area rule is
        the capacity).

    Attributes
    ----------
    unfixable_ : DataFrame
        ``demand`` (area id) and ``reason`` (``no_site_in_reach``, ``no_own_site`` or ``sites_at_cap``)
        of the areas no plan can fix.
    fixed_ : ndarray of bool, shape (n_demand,)
        Areas the plan makes compliant (walk and, where the rule judges them, floor area).
    fixed_units_ : DataFrame
        ``unit``, ``level``, ``rule``: the townships the plan gives a comprehensive centre (R07/R08), the
        communities it gives a facility (R10) and the townships whose R09 it meets (``township_catchment``)
        — the claims a re-check of the planned facilities must find met.
    sizes_ : ndarray
        Floor area of every site after the plan, m², in whole m² within its bounds.
    """

    judges_rules = True
    objective_unit = "money"
    gain_unit = "weight"

    def __init__(self, *, allow_unfixable: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.allow_unfixable = allow_unfixable

    # -- the model ---------------------------------------------------------------------------------
    def _solve(self, problem: SitingProblem) -> None:
        rule = problem.floor_area_rule
        if rule is None:
            raise SitingInputError(
                msg("problem_no_floor_area_rule"),
                source=WHERE_PROBLEM,
                fix=msg("problem_no_floor_area_rule_fix"),
            )
        self.fixed_ = np.zeros(problem.n_demand, bool)
        self.levels_ = np.full(problem.n_sites, None, dtype=object)
        units = _one_site_each(problem)
        self.unfixable_units_ = units.unfixable
        walk_rows, floor_rows, near, reasons = _demands(problem, rule, units)
        self.unfixable_ = pd.DataFrame(
            {"demand": problem.demand_ids[[i for i, _ in reasons]], "reason": [r for _, r in reasons]}
        ).sort_values(["demand", "reason"], kind="stable", ignore_index=True)
        if (reasons or len(self.unfixable_units_)) and not self.allow_unfixable:
            shown = self.unfixable_.head(ROWS_SHOWN)
            listed = [
                render(msg("area_reason", area=a, reason=value_label(r)))
                for a, r in zip(shown["demand"], shown["reason"], strict=True)
            ] + [
                render(msg("area_reason", area=u, reason=value_label(r)))
                for u, r in zip(self.unfixable_units_["unit"], self.unfixable_units_["reason"], strict=True)
            ]
            more = len(self.unfixable_) - len(shown)
            key = "plan_unfixable_more" if more > 0 else "plan_unfixable"
            self._infeasible(render(msg(key, n=len(reasons) + len(self.unfixable_units_), areas=listed, more=more)))
            return
        lap = _Laps(self.timings_)
        model, parts = _build(problem, rule, units, walk_rows, floor_rows, near)
        lap("model")
        relaxed = exact.solve_mip(
            model.cost, model.lower, model.upper, np.zeros(len(model.cost), bool), model.matrix,
            model.row_lower, model.row_upper, time_limit_s=self._remaining(), tolerance=self.tolerance,
        )  # fmt: skip
        bound = relaxed.objective if relaxed.status in ("optimal", "feasible") else float("nan")
        lap("relaxation")
        reach = _Reach.build(problem, rule, parts, walk_rows, floor_rows, near)
        # the candidates the LP relaxation opens at all: the greedy tries them first, the heuristic's MIP
        # chooses among them only
        support = relaxed.x[model.y_cols] > LP_SUPPORT if relaxed.x is not None else np.ones(len(model.cand), bool)
        x = _greedy(problem, rule, model, reach, self._remaining, np.where(support, 1.0, LP_SUPPORT))
        lap("greedy")
        if x is not None and self.method != "greedy":
            x = _drop_redundant(model, parts, reach, x, self._remaining)
            lap("closing")
            deadline = self._share(0.3 if self.method == "exact" else 1.0)
            seconds = None if deadline is None else max(deadline - time.perf_counter(), 0.01)
            x = _within_support(model, support | (x[model.y_cols] > 0.5), x, seconds)
            lap("support_mip")
        status = "feasible"
        if self.method == "exact":
            res = exact.solve_mip(
                model.cost, model.lower, model.upper, model.integer, model.matrix, model.row_lower,
                model.row_upper, time_limit_s=self._remaining(), tolerance=self.tolerance, start=x,
            )  # fmt: skip
            if res.x is not None:
                x = res.x
            bound = max(bound, res.bound) if np.isfinite(res.bound) else bound
            status = res.status
            lap("exact_mip")
        if x is None:
            self._infeasible(render(msg("plan_no_solution")))
            return
        open_mask = np.zeros(problem.n_sites, bool)
        open_mask[problem.fixed] = True
        open_mask[model.cand] = x[model.y_cols] > 0.5
        sizes = _repair(problem, rule, _rounded_sizes(problem, parts, x), open_mask, floor_rows)
        cost = _cost(problem, rule, sizes, open_mask)
        if np.isfinite(bound) and exact.relative_gap(cost, bound) <= self.tolerance:
            status = "optimal"
        elif status == "optimal":
            status = "feasible"  # rounding to whole m² cost more than the proven optimum allows
        self._finish(open_mask, cost, bound, status)
        self.sizes_ = sizes
        self.levels_ = _levels(problem, parts, x)
        self.fixed_ = np.zeros(problem.n_demand, bool)
        self.fixed_[walk_rows] = True
        self.fixed_[floor_rows] = True
        self.fixed_units_ = _unit_claims(problem.unit_rules, units)


def _unit_claims(asked: UnitRules, kept: UnitRules) -> pd.DataFrame:
    """``unit``, ``level``, ``rule``: the centres and facilities of the unit rows ``kept`` (those a site
    each can serve, of the rows ``asked``), and R09 (``township_catchment``) for each township whose every
    uncovered area or community has a row and that has its centre (today, or from a kept row). A centre
    R09 alone asks for is claimed as that township's R09 or not at all."""
    centres = kept.township_rules != "township_catchment"
    lacking = set(asked.township_names) - set(kept.township_names)
    catchment = np.array([t for t in asked.catchment_townships if t not in lacking], dtype=object)
    n_t, n_c, n_r = int(centres.sum()), len(kept.community_names), len(catchment)
    return pd.DataFrame(
        {
            "unit": np.r_[kept.township_names[centres], kept.community_names, catchment],
            "level": ["township"] * n_t + ["community"] * n_c + ["township"] * n_r,
            "rule": np.r_[
                kept.township_rules[centres], np.full(n_c, "community_facilities"), np.full(n_r, "township_catchment")
            ],
        }
    )


class _Laps:
    """Records the seconds since the previous lap under each stage's name (``Solver.timings_``)."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.start = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self.start
        self.start = now


@dataclass
class _Parts:
    """Which columns stand for what (see :func:`_build`)."""

    cand: np.ndarray  # candidate site indices
    y: np.ndarray  # their open columns
    a: np.ndarray  # their size columns
    grow: np.ndarray  # existing sites counting fully, with room to grow
    e: np.ndarray  # their enlargement columns
    below: np.ndarray  # existing sites below their threshold, with room below it or above it
    ea: np.ndarray  # enlargement below the threshold
    up: np.ndarray  # below-threshold sites that can reach it (subset positions of `below`, -1 if not)
    u: np.ndarray  # upgrade columns (for `below` sites that can reach the threshold, else -1)
    eb: np.ndarray  # enlargement above the threshold (same, -1 if not)
    cap_below: np.ndarray  # largest size below the threshold, per `below` site
    lead: np.ndarray  # sites that may become a township's comprehensive centre
    z: np.ndarray  # their columns (1: the site is that centre, at least the township minimum)
    serve: np.ndarray  # sites that may become a community's facility
    w: np.ndarray  # their columns (1: the site is that facility, at least the community minimum)
    units: UnitRules  # the unit rows planned (those a site each can serve)


def _capacities(problem: SitingProblem, rule: FloorAreaRule) -> tuple[np.ndarray, np.ndarray]:
    """Per site: the most floor area it can have counting as now, and counting fully (0 when it cannot)."""
    now = problem.floor_area_m2
    top = problem.max_floor_area_m2
    threshold = rule.threshold_m2
    below_cap = np.where(now < threshold, np.maximum(np.minimum(top, threshold - SIZE_STEP_M2), now), top)
    as_now = np.where(problem.is_candidate, 0.0, below_cap)
    counted = np.where(top >= threshold, top, 0.0)
    return as_now, counted


def _largest_supply(problem: SitingProblem, rule: FloorAreaRule) -> sp.csr_matrix:
    """m² per household each site gives each area at its largest size, counting as now or lifted, whichever
    gives more (an upper bound: a site counts one way only)."""
    as_now, counted = _capacities(problem, rule)
    return rule.shares_now.multiply(as_now[None, :]).tocsr().maximum(rule.shares_counted.multiply(counted[None, :]))


@dataclass
class _Near:
    """Area rows met by one open candidate of a set: the service radius (R11), the township catchment (R09)."""

    sites: sp.csr_matrix  # rows × sites: the candidates that would meet each row
    households: np.ndarray  # households each row stands for (its area's, or its community's)


def _one_site_each(problem: SitingProblem) -> UnitRules:
    """The unit rows a site each can serve, the others listed (``unit_sites_shared``).

    A site is one township's centre or one community's facility, never both: where the units outnumber
    the sites they could share (a town and its one community with one candidate between them), a
    maximum matching of units to sites says how many can be served and which.
    """
    units = problem.unit_rules
    rows = sp.vstack([units.township_sites, units.community_sites], format="csr").astype(np.int8)
    if rows.shape[0] == 0:
        return units
    matched = maximum_bipartite_matching(rows, perm_type="column") >= 0
    n_t = units.township_sites.shape[0]
    keep_t, keep_c = matched[:n_t], matched[n_t:]
    lost = pd.DataFrame(
        {
            "unit": np.r_[units.township_names[~keep_t], units.community_names[~keep_c]],
            "level": ["township"] * int((~keep_t).sum()) + ["community"] * int((~keep_c).sum()),
            "rule": np.r_[units.township_rules[~keep_t], np.full(int((~keep_c).sum()), "community_facilities")],
            "reason": "unit_sites_shared",
        }
    )
    return replace(
        units,
        township_sites=units.township_sites[keep_t],
        township_names=units.township_names[keep_t],
        township_rules=units.township_rules[keep_t],
        community_sites=units.community_sites[keep_c],
        community_names=units.community_names[keep_c],
        unfixable=pd.concat([units.unfixable, lost], ignore_index=True) if len(lost) else units.unfixable,
    )


def _demands(
    problem: SitingProblem, rule: FloorAreaRule, units: UnitRules
) -> tuple[np.ndarray, np.ndarray, _Near, list[tuple[int, str]]]:
    """Areas needing a walk row, a floor row, and a radius or catchment row, and the unfixable ones with
    their reason (an area no candidate can put within the radius or its township's reach is listed for
    that alone: its other rows stay). An existing site counts in a catchment row only while a kept
    township row of ``units`` may make it the centre; a community row left without a site belongs to a
    township whose centre row was not kept (listed there), and is dropped."""
    households = problem.households
    wanted = households > 0
    covered_now = problem.covered_by(np.zeros(0, dtype=np.int64))
    reach = problem.covered_by(np.flatnonzero(problem.is_candidate))
    reasons: dict[int, str] = {}
    for i in np.flatnonzero(wanted & ~reach):
        reasons[int(i)] = "no_site_in_reach"
    walk_rows = np.flatnonzero(wanted & reach & ~covered_now)
    required = rule.required_m2_per_household
    judged = wanted & np.isfinite(required)
    most = np.asarray(_largest_supply(problem, rule).sum(axis=1)).ravel()
    any_site = np.asarray((rule.shares_now + rule.shares_counted).getnnz(axis=1)).ravel() > 0
    short = judged & ~meets_rate(most, np.nan_to_num(required))
    own_only = rule.own_only if rule.own_only is not None else np.zeros(problem.n_demand, bool)
    for i in np.flatnonzero(short):
        reasons.setdefault(
            int(i), "sites_at_cap" if any_site[i] else "no_own_site" if own_only[i] else "no_site_in_reach"
        )
    floor_rows = np.flatnonzero(judged & ~short & ~np.isin(np.arange(problem.n_demand), list(reasons)))
    walk_rows = walk_rows[~np.isin(walk_rows, list(reasons))]
    usable = problem.is_candidate.copy()
    usable[units.township_sites.indices] = True
    keep = sp.diags(usable.astype(float), format="csr")
    lost, rows, weight = list(reasons.items()), [], []
    for needed, sites, reason in (
        (units.radius_needed, units.radius_sites, "no_site_within_radius"),
        (units.catchment_needed, (units.catchment_sites @ keep).astype(bool), "no_site_in_township_reach"),
    ):
        possible = sites.getnnz(axis=1) > 0
        lost += [(int(i), reason) for i in np.flatnonzero(needed & ~possible)]
        rows.append(sites[needed & possible])
        weight.append(households[needed & possible])
    # the communities R09 counts as not reached (those no site reaches are listed with the units)
    communities = (units.catchment_community_sites @ keep).astype(bool).tocsr()
    possible = communities.getnnz(axis=1) > 0
    rows.append(communities[possible])
    weight.append(units.catchment_community_households[possible])
    near = _Near(sp.vstack(rows, format="csr"), np.concatenate(weight))
    return walk_rows, floor_rows, near, lost


def _build(
    problem: SitingProblem,
    rule: FloorAreaRule,
    units: UnitRules,
    walk_rows: np.ndarray,
    floor_rows: np.ndarray,
    near: _Near,
) -> tuple[_Model, _Parts]:
    """The MIP: columns y, a (candidates), e (growing sites), ea/u/eb (sites below their threshold), z/w
    (sites chosen as a township's centre or a community's facility)."""
    now, top, low = problem.floor_area_m2, problem.max_floor_area_m2, problem.min_floor_area_m2
    threshold = rule.threshold_m2
    cand = np.flatnonzero(problem.is_candidate & (top >= low) & (top > 0))
    existing = np.flatnonzero(~problem.is_candidate & np.isfinite(threshold))
    grow = existing[(now[existing] >= threshold[existing]) & (top[existing] > now[existing])]
    below = existing[now[existing] < threshold[existing]]
    as_now, _ = _capacities(problem, rule)
    cap_below = as_now[below]
    can_up = top[below] >= threshold[below]
    below = below[(cap_below > now[below]) | can_up]
    cap_below = as_now[below]
    can_up = top[below] >= threshold[below]
    n_c, n_g, n_b, n_u = len(cand), len(grow), len(below), int(can_up.sum())
    col = 0

    def block(n: int) -> np.ndarray:
        nonlocal col
        out = np.arange(col, col + n)
        col += n
        return out

    usable = ~problem.is_candidate
    usable[cand] = True
    lead = np.unique(units.township_sites.indices)
    lead = lead[usable[lead]]
    serve = np.unique(units.community_sites.indices)
    serve = serve[usable[serve]]
    y, a, e, ea = block(n_c), block(n_c), block(n_g), block(n_b)
    u_cols, eb_cols = block(n_u), block(n_u)
    z, w = block(len(lead)), block(len(serve))
    u = np.full(n_b, -1)
    eb = np.full(n_b, -1)
    u[can_up] = u_cols
    eb[can_up] = eb_cols
    parts = _Parts(cand, y, a, grow, e, below, ea, np.flatnonzero(can_up), u, eb, cap_below, lead, z, serve, w, units)
    n_col = col
    cost = np.zeros(n_col)
    cost[y] = rule.cost_new_site
    cost[a] = rule.cost_per_m2
    cost[e] = rule.cost_per_m2
    cost[ea] = rule.cost_per_m2
    cost[u_cols] = rule.cost_per_m2 * (threshold[below[can_up]] - now[below[can_up]])
    cost[eb_cols] = rule.cost_per_m2
    lower = np.zeros(n_col)
    upper = np.zeros(n_col)
    upper[y] = 1.0
    upper[a] = top[cand]
    upper[e] = top[grow] - now[grow]
    upper[ea] = cap_below - now[below]
    upper[u_cols] = 1.0
    upper[eb_cols] = top[below[can_up]] - threshold[below[can_up]]
    integer = np.zeros(n_col, bool)
    integer[y] = True
    integer[u_cols] = True
    upper[z] = upper[w] = 1.0
    integer[z] = integer[w] = True

    rows: list[sp.csr_matrix] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    # size bounds of candidates: a - max y <= 0, a - min y >= 0
    r = np.arange(n_c)
    rows.append(sp.csr_matrix((np.r_[np.ones(n_c), -top[cand]], (np.r_[r, r], np.r_[a, y])), shape=(n_c, n_col)))
    lo.append(np.full(n_c, -exact.INF))
    hi.append(np.zeros(n_c))
    rows.append(sp.csr_matrix((np.r_[np.ones(n_c), -low[cand]], (np.r_[r, r], np.r_[a, y])), shape=(n_c, n_col)))
    lo.append(np.zeros(n_c))
    hi.append(np.full(n_c, exact.INF))
    # below-threshold sites: ea + room·u <= room (no growth below once lifted); eb - span·u <= 0
    k = np.flatnonzero(can_up)
    room = cap_below[k] - now[below[k]]
    span = top[below[k]] - threshold[below[k]]
    r = np.arange(len(k))
    rows.append(sp.csr_matrix((np.r_[np.ones(len(k)), room], (np.r_[r, r], np.r_[ea[k], u[k]])), shape=(len(k), n_col)))
    lo.append(np.full(len(k), -exact.INF))
    hi.append(room)
    rows.append(
        sp.csr_matrix((np.r_[np.ones(len(k)), -span], (np.r_[r, r], np.r_[eb[k], u[k]])), shape=(len(k), n_col))
    )
    lo.append(np.full(len(k), -exact.INF))
    hi.append(np.zeros(len(k)))
    # walk and radius rows: a candidate within the walk (the radius) opens
    # an existing site in such a row is one the plan may make a township's centre
    raise_ = ~problem.is_candidate[lead]
    opens = _columns_of(problem.n_sites, np.r_[cand, lead[raise_]], np.r_[y, z[raise_]])
    for cover, needed in ((_walk_sites(problem), walk_rows), (near.sites, np.arange(near.sites.shape[0]))):
        rows.append(_at_least_one(cover, needed, opens, n_col))
        lo.append(np.ones(len(needed)))
        hi.append(np.full(len(needed), exact.INF))
    # unit rules: a township's centre, a community's facility, each a site at least the minimum size
    size, size_now = _size_expression(problem, parts, n_col)
    for sites, cols, minimum, unit_sites in (
        (lead, z, units.township_min_m2, units.township_sites),
        (serve, w, units.community_min_m2, units.community_sites),
    ):
        rows.append(
            _at_least_one(unit_sites, np.arange(unit_sites.shape[0]), _columns_of(problem.n_sites, sites, cols), n_col)
        )
        lo.append(np.ones(unit_sites.shape[0]))
        hi.append(np.full(unit_sites.shape[0], exact.INF))
        # size - minimum × chosen >= 0, the present size moved to the right
        rows.append(
            size[sites]
            - sp.csr_matrix((np.full(len(sites), minimum), (np.arange(len(sites)), cols)), shape=(len(sites), n_col))
        )
        lo.append(-size_now[sites])
        hi.append(np.full(len(sites), exact.INF))
    # a site is one centre: township or community level, and a candidate only when open
    both = np.r_[z, w]
    site_of = np.r_[lead, serve]
    key, first = np.unique(site_of, return_inverse=True)
    one = sp.csr_matrix((np.ones(len(both)), (first, both)), shape=(len(key), n_col)).tolil()
    position = np.full(problem.n_sites, -1)
    position[cand] = np.arange(n_c)
    new_key = problem.is_candidate[key]
    one[np.flatnonzero(new_key), y[position[key[new_key]]]] = -1.0
    rows.append(one.tocsr())
    lo.append(np.full(len(key), -exact.INF))
    hi.append(np.where(new_key, 0.0, 1.0))
    # floor rows, per household: Σ share × size >= required, the present sizes moved to the right
    if len(floor_rows):
        counted = rule.shares_counted[floor_rows].tocsc()
        present = rule.shares_now[floor_rows].tocsc()
        lifted = counted[:, below[k]].multiply(threshold[below[k]][None, :]) - present[:, below[k]].multiply(
            now[below[k]][None, :]
        )
        # the column blocks in the order they were numbered: y, a, e, ea, u, eb
        coef = sp.hstack(
            [
                sp.csc_matrix((len(floor_rows), n_c)),
                counted[:, cand],
                counted[:, grow],
                present[:, below],
                sp.csc_matrix(lifted),
                counted[:, below[k]],
                sp.csc_matrix((len(floor_rows), len(lead) + len(serve))),
            ],
            format="csr",
        )
        constant = np.asarray(present @ np.where(problem.is_candidate, 0.0, now)).ravel()
        need = rule.required_m2_per_household[floor_rows] - constant
        rows.append(coef)
        lo.append(need)
        hi.append(np.full(len(floor_rows), exact.INF))
        cut, cut_need = _opening_cuts(coef, need, top[cand], n_c)
        rows.append(cut)
        lo.append(cut_need)
        hi.append(np.full(len(cut_need), exact.INF))
    matrix = sp.vstack(rows, format="csr") if rows else sp.csr_matrix((0, n_col))
    model = _Model(cost, lower, upper, integer, matrix, np.concatenate(lo), np.concatenate(hi), y, cand)
    return model, parts


def _columns_of(n_sites: int, sites: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Column of each site (-1: none)."""
    out = np.full(n_sites, -1)
    out[sites] = cols
    return out


def _walk_sites(problem: SitingProblem) -> sp.csr_matrix:
    """Sites within the walk of each area (the problem's pairs), areas × sites."""
    return sp.csr_matrix(
        (np.ones(len(problem.rows), bool), (problem.rows, problem.cols)), shape=(problem.n_demand, problem.n_sites)
    )


def _at_least_one(sites: sp.csr_matrix, needed: np.ndarray, col_of: np.ndarray, n_col: int) -> sp.csr_matrix:
    """Rows ``Σ x_col(j) ≥ 1`` over the sites j of each needed row of ``sites`` that have a column."""
    sub = sites[needed].tocoo()
    keep = col_of[sub.col] >= 0
    return sp.csr_matrix((np.ones(int(keep.sum())), (sub.row[keep], col_of[sub.col[keep]])), shape=(len(needed), n_col))


def _size_expression(problem: SitingProblem, parts: _Parts, n_col: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Every site's floor area after the plan as ``matrix @ x + constant``, m² (sites × columns)."""
    now = problem.floor_area_m2
    below, k = parts.below, parts.up
    lift = _threshold_of(problem, below[k]) - now[below[k]]
    rows = np.r_[parts.cand, parts.grow, below, below[k], below[k]]
    cols = np.r_[parts.a, parts.e, parts.ea, parts.u[k], parts.eb[k]]
    coef = np.r_[np.ones(len(parts.cand) + len(parts.grow) + len(below)), lift, np.ones(len(k))]
    matrix = sp.csr_matrix((coef, (rows, cols)), shape=(problem.n_sites, n_col))
    return matrix, np.where(problem.is_candidate, 0.0, now)


def _opening_cuts(coef: sp.csr_matrix, need: np.ndarray, top: np.ndarray, n_c: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Floor rows restated on the candidates' open columns, where one site alone could meet the row.

    From ``Σ c_j a_j + Σ c_k x_k ≥ need`` and ``a_j ≤ top_j y_j`` follows
    ``Σ min(c_j top_j, need) y_j + Σ max(c_k, 0) x_k ≥ need`` (an open site that alone meets the row
    satisfies it; otherwise every min is ``c_j top_j``). It is implied by the LP only where some
    ``c_j top_j`` exceeds ``need``: without it the relaxation opens a tenth of a site sized to the row
    and the proven bound stays far below the cost of any plan.
    """
    sizes = coef[:, n_c : 2 * n_c].multiply(top[None, :]).tocsr()
    per_row = np.repeat(need, np.diff(sizes.indptr))
    keep = (need > 0) & (
        np.bincount(np.repeat(np.arange(len(need)), np.diff(sizes.indptr)), sizes.data > per_row, minlength=len(need))
        > 0
    )
    sizes.data = np.minimum(sizes.data, per_row)
    rest = coef[:, 2 * n_c :].tocsr()
    rest.data = np.maximum(rest.data, 0.0)
    cut = sp.hstack([sizes, sp.csr_matrix((len(need), n_c)), rest], format="csr")
    return cut[keep], need[keep]


# -- heuristics ---------------------------------------------------------------------------------
def _solve_sizes(model: _Model, open_y: np.ndarray, remaining) -> np.ndarray | None:
    """Best sizes with the candidates' openings fixed (a small MIP: only upgrades stay integer)."""
    lower, upper = model.lower.copy(), model.upper.copy()
    lower[model.y_cols] = upper[model.y_cols] = open_y.astype(float)
    res = exact.solve_mip(
        model.cost, lower, upper, model.integer, model.matrix, model.row_lower, model.row_upper,
        time_limit_s=remaining(), tolerance=1e-9,
    )  # fmt: skip
    return res.x


@dataclass
class _Reach:
    """What each candidate at its largest size and every existing site at its largest give each area,
    and the rows only an open candidate can meet.

    An upper bound on what a set of open candidates can supply (an existing site counts one way only,
    as now or lifted, and the bound takes the larger of the two), so the heuristics can rule out a set
    before asking the MIP for its sizes.
    """

    gain: sp.csc_matrix  # m² per household, areas × candidate positions, each candidate at its largest
    supply_fixed: np.ndarray  # m² per household from the existing sites at their largest
    required: np.ndarray  # m² per household the rule asks (0 where not judged)
    cover: sp.csr_matrix  # rows met by any one open candidate (walk, radius, units without an existing site)
    cover_weight: np.ndarray  # households each row stands for
    is_unit: np.ndarray  # the row asks for a centre or facility (a candidate is one of them only)

    @classmethod
    def build(
        cls, problem: SitingProblem, rule: FloorAreaRule, parts: _Parts, walk_rows, floor_rows, near: _Near
    ) -> _Reach:
        supply_fixed = np.asarray(_largest_supply(problem, rule)[:, ~problem.is_candidate].sum(axis=1)).ravel()
        gain = sp.csc_matrix(
            rule.shares_counted[:, parts.cand].multiply(problem.max_floor_area_m2[parts.cand][None, :])
        )
        need_floor = np.zeros(problem.n_demand, bool)
        need_floor[floor_rows] = True
        required = np.where(need_floor, np.nan_to_num(rule.required_m2_per_household), 0.0)
        units = parts.units
        unit_sites = sp.vstack([units.township_sites, units.community_sites], format="csr")
        # a unit with an existing site that may be enlarged needs no new one
        by_candidate = unit_sites[:, problem.is_candidate].getnnz(axis=1) == unit_sites.getnnz(axis=1)
        cand = parts.cand
        near_by_candidate = near.sites[:, problem.is_candidate].getnnz(axis=1) == near.sites.getnnz(axis=1)
        blocks = [_walk_sites(problem)[walk_rows], near.sites[near_by_candidate], unit_sites[by_candidate]]
        households = problem.households
        weight = np.r_[
            households[walk_rows],
            near.households[near_by_candidate],
            np.full(int(by_candidate.sum()), households.max(initial=1.0)),
        ]
        n_area_rows = len(walk_rows) + int(near_by_candidate.sum())
        is_unit = np.r_[np.zeros(n_area_rows, bool), np.ones(int(by_candidate.sum()), bool)]
        cover = sp.vstack(blocks, format="csr")[:, cand].astype(bool).tocsr()
        return cls(gain, supply_fixed, required, cover, np.maximum(weight, 1e-9), is_unit)

    def could_meet(self, opened: np.ndarray) -> bool:
        """Whether the open candidates (a mask over positions) could, at their largest, fix every area."""
        supply = self.supply_fixed + self.gain @ opened.astype(float)
        if np.any(supply < self.required - ROUNDING_SLACK_M2):
            return False
        return bool(np.all((self.cover @ opened.astype(float)) > 0))


def _greedy(
    problem: SitingProblem,
    rule: FloorAreaRule,
    model: _Model,
    reach: _Reach,
    remaining,
    guide: np.ndarray | None = None,
) -> np.ndarray | None:
    """Open candidates one at a time, the one that most reduces what is still missing per unit cost, with
    every open site and every existing one at its largest size; then size them exactly. ``guide``
    (per candidate position, > 0) divides each candidate's price: the LP relaxation's support first."""
    households = problem.households
    price = rule.cost_new_site + rule.cost_per_m2 * problem.min_floor_area_m2[model.cand]
    if guide is not None:  # a site the LP relaxation leaves shut comes after every other
        price = price / guide
    supply = reach.supply_fixed.copy()
    needed = np.ones(reach.cover.shape[0], bool)
    by_candidate = reach.cover.T.tocsr()
    opened = np.zeros(len(model.cand), bool)
    gain_rows = reach.gain.indices
    gain_cols = np.repeat(np.arange(reach.gain.shape[1]), np.diff(reach.gain.indptr))
    # a household left outside the walk weighs as much as its whole floor-area need
    walk_weight = np.maximum(reach.required.max(initial=0.0), 1e-6)
    while True:
        short = np.maximum(reach.required - supply, 0.0)
        if not short.any() and not needed.any():
            break
        floor_gain = np.bincount(
            gain_cols, weights=np.minimum(reach.gain.data, short[gain_rows]) * households[gain_rows],
            minlength=len(opened),
        )  # fmt: skip
        gain = floor_gain + walk_weight * (by_candidate @ (needed * reach.cover_weight))
        gain[opened] = -1.0
        j = int(np.argmax(gain / price))
        if gain[j] <= 0:
            break
        opened[j] = True
        supply += np.asarray(reach.gain[:, j].todense()).ravel()
        met = by_candidate[j].indices
        units = met[reach.is_unit[met] & needed[met]]
        needed[met[~reach.is_unit[met]]] = False
        needed[units[:1]] = False  # a new site is one unit's centre or facility
    x = _solve_sizes(model, opened, remaining)
    if x is None:  # the greedy's largest-size view was too hopeful (a site counts one way only): open all
        x = _solve_sizes(model, np.ones(len(opened), bool), remaining)
    return x


def _within_support(model: _Model, support: np.ndarray, x: np.ndarray, seconds: float | None) -> np.ndarray:
    """The MIP with every candidate outside ``support`` shut, from the plan ``x`` (kept if not bettered).

    The LP relaxation opens a small share of the candidates at all; a plan among them is usually far
    cheaper than the greedy's, and the MIP over them is a fraction of the whole.
    """
    upper = model.upper.copy()
    upper[model.y_cols[~support]] = 0.0
    res = exact.solve_mip(
        model.cost, model.lower, upper, model.integer, model.matrix, model.row_lower, model.row_upper,
        time_limit_s=seconds, tolerance=defaults.MIP_GAP, start=x,
    )  # fmt: skip
    if res.x is not None and float(model.cost @ res.x) < float(model.cost @ x) - 1e-9 * max(1.0, abs(model.cost @ x)):
        return res.x
    return x


def _drop_redundant(model: _Model, parts: _Parts, reach: _Reach, x: np.ndarray, remaining) -> np.ndarray:
    """Close opened candidates the others can do without, the largest first, keeping the cheaper plan.

    Only closings the others could make up for at their largest sizes go to the MIP for sizes.
    """
    best, best_cost = x, float(model.cost @ x)
    opened = best[model.y_cols] > 0.5
    for j in np.flatnonzero(opened)[np.argsort(-x[parts.a[opened]], kind="stable")]:
        trial = opened.copy()
        trial[j] = False
        if not reach.could_meet(trial):
            continue
        y = _solve_sizes(model, trial, remaining)
        if y is not None and float(model.cost @ y) < best_cost - 1e-9 * max(1.0, best_cost):
            best, best_cost, opened = y, float(model.cost @ y), trial
    return best


# -- the plan in whole m² -----------------------------------------------------------------------------
def _rounded_sizes(problem: SitingProblem, parts: _Parts, x: np.ndarray) -> np.ndarray:
    """Floor area of every site after the plan, rounded up to whole m² within its bounds."""
    sizes = np.where(problem.is_candidate, 0.0, problem.floor_area_m2)
    sizes[parts.cand] = x[parts.a]
    sizes[parts.grow] = problem.floor_area_m2[parts.grow] + x[parts.e]
    below = parts.below
    grown = problem.floor_area_m2[below] + x[parts.ea]
    k = parts.up
    lifted = x[parts.u[k]] > 0.5
    grown[k] = np.where(lifted, _threshold_of(problem, below[k]) + x[parts.eb[k]], grown[k])
    sizes[below] = grown
    return whole_m2(sizes, problem.floor_area_m2, problem.max_floor_area_m2)


def supply_per_household(rule: FloorAreaRule, sizes: np.ndarray) -> np.ndarray:
    """Floor area per household each area gets from sites of these sizes, m² (the check's arithmetic)."""
    counted = sizes >= rule.threshold_m2
    return np.asarray(
        rule.shares_now @ np.where(counted, 0.0, sizes) + rule.shares_counted @ np.where(counted, sizes, 0.0)
    )


def _repair(
    problem: SitingProblem, rule: FloorAreaRule, sizes: np.ndarray, open_mask: np.ndarray, floor_rows: np.ndarray
) -> np.ndarray:
    """Add whole m² where rounding left a planned area short by round-off: to the open site with room
    that gives it the largest share, until the rule's own arithmetic says every planned area complies."""
    sizes = sizes.copy()
    room_ok = open_mask & (np.isfinite(rule.threshold_m2) | problem.is_candidate)
    required = rule.required_m2_per_household
    for _ in range(10 * max(len(floor_rows), 1)):
        short = floor_rows[~meets_rate(supply_per_household(rule, sizes)[floor_rows], required[floor_rows])]
        if not len(short):
            break
        i = int(short[0])
        counted = sizes >= rule.threshold_m2
        share = np.where(counted, rule.shares_counted[i].toarray().ravel(), rule.shares_now[i].toarray().ravel())
        share[~room_ok | (sizes + SIZE_STEP_M2 > problem.max_floor_area_m2 + 1e-9)] = 0.0
        j = int(np.argmax(share))
        if share[j] <= 0:
            break  # nothing can grow: the solver's plan stands as it is (never seen)
        sizes[j] += SIZE_STEP_M2
    return sizes


def _levels(problem: SitingProblem, parts: _Parts | None = None, x: np.ndarray | None = None) -> np.ndarray:
    """The level each site takes from the plan (None: an existing site keeps its own, a candidate is
    not built): a new centre is a community centre unless it becomes a township's comprehensive centre,
    and an existing site so chosen is raised to that level. One site per township: a new one where
    the solve chose both (raising an existing one as well would serve no rule)."""
    levels = np.full(problem.n_sites, None, dtype=object)
    if parts is None or x is None:
        return levels
    levels[parts.cand[x[parts.y] > 0.5]] = NEW_CENTRE_LEVEL
    chosen = np.zeros(problem.n_sites, bool)
    chosen[parts.lead[x[parts.z] > 0.5]] = True
    rows = parts.units.township_sites
    for r in range(rows.shape[0]):
        sites = rows.indices[rows.indptr[r] : rows.indptr[r + 1]]
        picked = sites[chosen[sites]]
        picked = picked[np.argsort(~problem.is_candidate[picked], kind="stable")][:1]
        levels[picked] = CENTRE_LEVEL
    return levels


def _threshold_of(problem: SitingProblem, sites: np.ndarray) -> np.ndarray:
    rule = problem.floor_area_rule
    assert rule is not None
    return rule.threshold_m2[sites]


def _cost(problem: SitingProblem, rule: FloorAreaRule, sizes: np.ndarray, open_mask: np.ndarray) -> float:
    """Cost of the plan: new sites and every m² built or added."""
    new = open_mask & problem.is_candidate
    added = np.where(problem.is_candidate, sizes, sizes - problem.floor_area_m2)
    return float(rule.cost_new_site * new.sum() + rule.cost_per_m2 * np.clip(added, 0.0, None)[open_mask].sum())
