"""The planning workflow in one object: assess a town, check its rules, propose centres, apply them, check again.

A :class:`Study` holds what every step shares — the street network, the residential areas, the
facilities, the rule profile and the one :class:`~siting.reachability.WalkSettings` made from it — so
that notebooks and scenario files run the same steps on the same figures::

    from siting import Study, network, read_areas, read_facilities, read_candidates

    study = Study.create(network.from_file("roads.osm"), read_areas("xiaoqu.gpkg"),
                         read_facilities("facilities.csv", crs="gcj02"), profile="dong_e",
                         overrides={"walk_speed_m_per_min": 55})
    study.assess().coverage()                 # the 15-minute walk today
    study.check().summary_table()             # the policy rules today
    proposal = study.propose(read_candidates("candidates.gpkg"), "p_median", p="until_compliant")
    proposal.sites                            # proposed centres, in the input CRS
    plan = study.plan(proposal)               # the same town with them built
    plan.check().summary_table()

Every result is computed once per study and kept; a changed input is a new study
(:meth:`Study.with_facilities`, :meth:`Study.plan`).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from siting import consistency, defaults, validation
from siting.compliance import (
    FLOOR_AREA_LEVELS,
    ComplianceResult,
    check_compliance,
    check_compliance_pairs,
    floor_area_rates,
    floor_area_shares,
    meets_rate,
    own_floor_area_only,
    township_network,
)
from siting.errors import SitingInfeasibleError, SitingInputError, SitingWarning
from siting.inputs import SERVICE_COLUMNS, UNIT_LEVELS, prepare_facilities, prepare_inputs
from siting.labels import msg
from siting.network import StreetNetwork
from siting.optimize import DEFAULT_METHOD, OBJECTIVES, UNTIL_COMPLIANT, SitingProblem, Solver, generate_candidates
from siting.optimize.problem import (
    NEW_CENTRE_LEVEL,
    ROUNDING_SLACK_M2,
    TOOLKIT_MAX_FLOOR_AREA_M2,
    FloorAreaRule,
    UnitRules,
)
from siting.optimize.sizing import rules_planned, supply_per_household
from siting.profiles import Profile, load_profile
from siting.projection import to_metric
from siting.reachability import Accessibility, WalkSettings, assess_access, check_within_network, site_pairs
from siting.service_areas import service_areas
from siting.snapping import TIE_M, attach_points, street_position

if TYPE_CHECKING:
    from siting.scenario import Scenario
    from siting.whatif import WhatIf

#: Level given to proposed centres when they join the facilities of the plan.
PROPOSED_LEVEL = NEW_CENTRE_LEVEL


@dataclass(frozen=True)
class BuildSettings:
    """What may be built and what it costs: size bounds of new and enlarged centres, and unit costs.

    A candidate's largest floor area is its own ``max_floor_area_m2``, else
    ``candidate_max_floor_area_m2``, else :attr:`TOOLKIT_MAX_FLOOR_AREA_M2` (an assumption, labelled
    as such in the outputs). Its least floor area is its own ``min_floor_area_m2``, else
    ``candidate_min_floor_area_m2``, and never less than what the rule profile asks of one site (the
    single-site minima and the community-centre minimum), so that every proposed centre counts. An
    existing facility may be enlarged up to its own ``max_floor_area_m2``, else
    ``facility_max_floor_area_m2``, else not at all; county institutions are never enlarged (the
    floor-area rule does not count them).

    Parameters
    ----------
    candidate_max_floor_area_m2, candidate_min_floor_area_m2, facility_max_floor_area_m2 : float, optional
        Defaults for sites without their own bounds, m².
    cost_new_site : float
        Cost of opening one new centre, in the planner's cost unit (e.g. 万元).
    cost_per_m2 : float
        Cost of one m² of floor area, new or added, same unit. The defaults (1,000,000 and 1) make the
        least-cost plan open as few new centres as possible first, then add as few m² as possible.
    costs_given : bool
        Whether the planner stated the unit costs. Proposals show costs only then, or for the
        ``compliance`` objective, which minimises them (at the stated defaults otherwise).
    """

    candidate_max_floor_area_m2: float | None = None
    candidate_min_floor_area_m2: float | None = None
    facility_max_floor_area_m2: float | None = None
    cost_new_site: float = defaults.COST_NEW_SITE
    cost_per_m2: float = defaults.COST_PER_M2
    costs_given: bool = False

    #: Largest floor area of a new centre when nothing else says, m² (the problem's one default).
    TOOLKIT_MAX_FLOOR_AREA_M2: ClassVar[float] = TOOLKIT_MAX_FLOOR_AREA_M2
    TOOLKIT_MAX_SOURCE: ClassVar[str] = "toolkit_assumption"

    def __post_init__(self) -> None:
        for key, column in (
            ("candidate_max_floor_area_m2", "max_floor_area_m2"),
            ("candidate_min_floor_area_m2", "min_floor_area_m2"),
            ("facility_max_floor_area_m2", "max_floor_area_m2"),
        ):
            value = getattr(self, key)
            if value is not None and (found := validation.problem(column, value)) is not None:
                raise SitingInputError(found, key=key, fix=msg("build_setting_fix"))
        lowest, largest = self.candidate_min_floor_area_m2, self.candidate_max_floor_area_m2
        if lowest is not None and largest is not None and lowest > largest:
            raise SitingInputError(
                msg("build_min_above_max", lowest=lowest, largest=largest),
                key="candidate_min_floor_area_m2",
                fix=msg("build_min_above_max_fix"),
            )
        # a cost of 0 makes every plan of that kind equally good: free sites or free m² would be built at
        # random sizes and places (a site serving no one could be proposed)
        for key in ("cost_new_site", "cost_per_m2"):
            value = getattr(self, key)
            if not (validation.is_number(value) and value > 0):
                raise SitingInputError(msg("build_cost_invalid", value=value), key=key, fix=msg("build_cost_fix"))

    def bound_sites(
        self, facilities: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, profile: Profile
    ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        """Copies of ``facilities`` and ``candidates`` with their size bounds filled in (m²).

        Adds ``max_floor_area_m2`` and ``max_floor_area_source`` (``input``, ``scenario_default``,
        ``toolkit_assumption``, ``not_enlarged``) to both and ``min_floor_area_m2`` to the candidates.
        Candidates whose bounds leave no room for a centre the rule counts (largest below least) are
        left out with a warning naming them.
        """
        minimum = profile.least_site_area_m2()
        facilities = facilities.copy()
        own = (
            pd.to_numeric(facilities.get("max_floor_area_m2"), errors="coerce")
            if "max_floor_area_m2" in facilities
            else None
        )
        current = facilities["floor_area_m2"].to_numpy(dtype=float)
        given = own.to_numpy(dtype=float) if own is not None else np.full(len(facilities), np.nan)
        default = self.facility_max_floor_area_m2
        grows = facilities["level"].isin(FLOOR_AREA_LEVELS).to_numpy()
        largest = np.where(np.isnan(given), default if default is not None else current, given)
        facilities["max_floor_area_m2"] = np.where(grows, np.maximum(largest, current), current)
        facilities["max_floor_area_source"] = np.where(
            ~grows | (np.isnan(given) & (default is None)),
            "not_enlarged",
            np.where(np.isnan(given), "scenario_default", "input"),
        )
        candidates = candidates.copy()
        given = pd.to_numeric(candidates.get("max_floor_area_m2", np.nan), errors="coerce")
        given = np.broadcast_to(np.asarray(given, dtype=float), (len(candidates),))
        default = self.candidate_max_floor_area_m2
        fallback = default if default is not None else self.TOOLKIT_MAX_FLOOR_AREA_M2
        candidates["max_floor_area_m2"] = np.where(np.isnan(given), fallback, given)
        # a plot's bound may come from its area × plot ratio (siting.inputs.read_candidates says so)
        stated = candidates.get("max_floor_area_source", pd.Series("input", index=candidates.index)).fillna("input")
        candidates["max_floor_area_source"] = np.where(
            ~np.isnan(given),
            stated.to_numpy(dtype=object),
            "scenario_default" if default is not None else self.TOOLKIT_MAX_SOURCE,
        )
        low = pd.to_numeric(candidates.get("min_floor_area_m2", np.nan), errors="coerce")
        low = np.broadcast_to(np.asarray(low, dtype=float), (len(candidates),))
        chosen = self.candidate_min_floor_area_m2 if self.candidate_min_floor_area_m2 is not None else 0.0
        candidates["min_floor_area_m2"] = np.maximum(np.where(np.isnan(low), chosen, low), minimum)
        too_small = candidates["max_floor_area_m2"].to_numpy() < candidates["min_floor_area_m2"].to_numpy()
        if too_small.any():
            warnings.warn(
                SitingWarning(
                    msg("candidates_too_small", n=int(too_small.sum()), minimum=f"{minimum:g}"),
                    column="max_floor_area_m2",
                    rows=candidates.loc[too_small, "candidate_id"].astype(str).tolist(),
                ),
                stacklevel=3,
            )
            candidates = candidates[~too_small].reset_index(drop=True)
        return facilities, candidates


@dataclass(frozen=True)
class Proposal:
    """What :meth:`Study.propose` found.

    Attributes
    ----------
    sites : GeoDataFrame
        What to build, in the areas' CRS, one row per site: new centres in rank order, then existing
        ones to enlarge (see :meth:`siting.optimize.Solver.proposals_frame`), with
        ``max_floor_area_source`` (``input``, ``scenario_default``, ``toolkit_assumption``), where the site
        meets the street (``street_u_id``, ``street_v_id``, ``street_offset_m``: the candidate's own
        attachment, which the planned centre keeps), ``households_served`` (households whose floor area
        this centre counts for under the rule's sharing, as the check counts them), ``at_cap`` and
        ``shares_need_with`` (the other sites of the plan serving some of the same households, when one
        of them is at its largest floor area), and ``cost`` when costs are given or the objective is
        ``compliance`` (:attr:`BuildSettings.costs_given`).
    model : Solver
        The solved model: ``objective``, ``bound``, ``gap``, ``status``, ``seconds``, ...
    problem : SitingProblem
        The problem it solved.
    objective : str
        The objective's name (see :data:`siting.optimize.OBJECTIVES`).
    unfixable : DataFrame
        Areas no plan can make compliant (``area_id``, ``reason``; an area may be listed once per
        reason), for objectives that judge the rules (``compliance``); empty otherwise.
    unfixable_units : DataFrame
        Townships and communities no plan can give what their rule asks (``unit``, ``level``,
        ``rule``, ``reason``), for ``compliance``; empty otherwise.
    rules : DataFrame
        For ``compliance``: each rule the check judges, with how the plan treats it (``planning``:
        ``planned``, ``condition_met`` or a ``not_planned_*`` reason, :data:`siting.optimize.sizing.RULE_PLANNING`).
    """

    sites: gpd.GeoDataFrame
    model: Solver
    problem: SitingProblem
    objective: str
    unfixable: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"area_id": [], "reason": []}))
    unfixable_units: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"unit": [], "level": [], "rule": [], "reason": []})
    )
    rules: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"rule": [], "number": [], "planning": []}))

    def claimed_areas(self) -> pd.DataFrame:
        """What the plan claims for every area once built, by its own arithmetic.

        Returns
        -------
        DataFrame
            ``area_id``; ``within_walk`` (an open site within the walk, by the problem's walks);
            ``walk_min`` (the walk to the nearest open site within the walk, minutes; NaN beyond it);
            ``floor_area_ok`` (nullable: the floor-area rule met at the planned sizes, by the rule's
            sharing; NA where the rule gives no verdict); ``fixed`` (nullable: for ``compliance``, the
            plan makes the area compliant — not listed as unfixable; NA for other objectives).
        """
        problem, model = self.problem, self.model
        n = problem.n_demand
        floor_ok = pd.array([pd.NA] * n, dtype="boolean")
        rule = problem.floor_area_rule
        if rule is not None:
            required = rule.required_m2_per_household
            judged = np.isfinite(required)
            met = meets_rate(supply_per_household(rule, model.sizes_), required)
            floor_ok[judged] = met[judged]
        fixed = pd.array([pd.NA] * n, dtype="boolean")
        if self.objective == "compliance":
            fixed[:] = ~pd.Index(problem.demand_ids.astype(str)).isin(self.unfixable["area_id"].astype(str))
        is_open = np.zeros(problem.n_sites, bool)
        is_open[problem.fixed] = True
        is_open[model.selected_] = True
        walk_min = np.full(n, np.nan)
        np.fmin.at(walk_min, problem.rows[is_open[problem.cols]], problem.costs[is_open[problem.cols]])
        return pd.DataFrame(
            {
                "area_id": problem.demand_ids.astype(str),
                "within_walk": problem.covered_by(model.selected_),
                "walk_min": walk_min,
                "floor_area_ok": floor_ok,
                "fixed": fixed,
            }
        )


@dataclass(frozen=True)
class PlanRecheck:
    """The whole check re-run on the planned facilities, compared with what the plan claimed.

    Attributes
    ----------
    areas_checked, units_checked, sites_checked : int
        Areas, townships/communities and proposed sites compared.
    checks : int
        Claims compared (an area's walk, its minutes and its floor-area verdict, a unit's households within the walk
        and areas meeting the floor-area rule, a site's street position, floor area and households served,
        the households newly within the walk of all proposals together, and a status of ``optimal`` by its gap).
    disagreements : DataFrame
        ``kind`` (``area``, ``township``, ``community``, ``site``, ``plan``, ``solver``), ``id``, ``item``, ``claimed``,
        ``found``: every claim the re-check did not reproduce. A disagreement is a defect of the toolkit.
    """

    areas_checked: int
    units_checked: int
    sites_checked: int
    checks: int
    disagreements: pd.DataFrame

    @property
    def agreed(self) -> int:
        """Claims the re-check reproduced."""
        return self.checks - len(self.disagreements)

    def as_dict(self) -> dict[str, Any]:
        """For ``summary.json``: the counts and every disagreement."""
        return {
            "areas_checked": self.areas_checked,
            "units_checked": self.units_checked,
            "sites_checked": self.sites_checked,
            "checks": self.checks,
            "agreed": self.agreed,
            "disagreements": [
                {key: (None if pd.isna(value) else value) for key, value in row.items()}
                for row in self.disagreements.astype(object).to_dict(orient="records")
            ],
        }

    def raise_for_disagreements(self) -> None:
        """Raise :class:`PlanRecheckError` when any claim was not reproduced."""
        if len(self.disagreements):
            shown = self.disagreements.head(10)
            listed = "; ".join(
                f"{row.kind} {row.id} {row.item}: {row.claimed} → {row.found}" for row in shown.itertuples(index=False)
            )
            raise PlanRecheckError(msg("plan_recheck_disagrees", n=len(self.disagreements), listed=listed).render())


class PlanRecheckError(RuntimeError):
    """The re-check of a plan did not reproduce what the plan claimed: a defect of the toolkit, not of the
    input (the command line exits with 1 and a traceback to report)."""


@dataclass(frozen=True, eq=False)
class Study:
    """One town's planning study: streets, residential areas, facilities, rule profile and walk.

    Build it with :meth:`create`. Attributes are the inputs as given (areas and facilities with their
    ``township``/``community`` when units are given); results come from the methods.

    Attributes
    ----------
    network : StreetNetwork
    areas : GeoDataFrame
        Residential areas (:func:`siting.inputs.read_areas`).
    facilities : GeoDataFrame
        Facilities (:func:`siting.inputs.read_facilities`).
    profile : Profile
        The rule profile, overrides included.
    settings : WalkSettings
        The walking circle, made from the profile.
    entrances : GeoDataFrame or None
        Gates of the areas.
    units : GeoDataFrame or None
        Townships and communities.
    build : BuildSettings
        Size bounds and unit costs of what may be built.
    candidates : GeoDataFrame or None
        Candidate sites that came with the study (a scenario's ``candidates``), else None.
    scenario : Scenario or None
        The scenario the study was opened from (:meth:`from_scenario`), else None.
    """

    network: StreetNetwork
    areas: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    profile: Profile
    settings: WalkSettings
    entrances: gpd.GeoDataFrame | None = None
    units: gpd.GeoDataFrame | None = None
    build: BuildSettings = field(default_factory=BuildSettings)
    candidates: gpd.GeoDataFrame | None = None
    scenario: Scenario | None = field(default=None, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_scenario(cls, path: str | Path | Scenario) -> Study:
        """The study of a scenario file: the network, areas, facilities, units, profile and overrides
        that ``siting run`` uses (:func:`siting.pipeline.scenario_study`); ``candidates`` holds its
        candidate sites when it names any. Its ``optimize`` is not run."""
        from siting.pipeline import scenario_study
        from siting.scenario import load_scenario

        return scenario_study(load_scenario(path) if isinstance(path, (str, Path)) else path)[0]

    def what_if(self) -> WhatIf:
        """A live what-if session on this study: add, remove and resize centres and see every figure
        change (:class:`siting.whatif.WhatIf`)."""
        from siting.whatif import WhatIf

        return WhatIf(self)

    @classmethod
    def create(
        cls,
        network: StreetNetwork,
        areas: gpd.GeoDataFrame,
        facilities: gpd.GeoDataFrame,
        *,
        profile: Profile | str = defaults.PROFILE,
        overrides: Mapping[str, Any] | None = None,
        bands_min: tuple[float, ...] | list[float] | None = None,
        max_snap_m: float | None = None,
        entrances: gpd.GeoDataFrame | None = None,
        units: gpd.GeoDataFrame | None = None,
        build: BuildSettings | None = None,
        assess_year: int | None = None,
        accept: consistency.Accept | None = consistency.DEFAULT_ACCEPT,
    ) -> Study:
        """A study of ``areas`` and ``facilities`` on ``network`` under a rule profile.

        Parameters
        ----------
        network : StreetNetwork
        areas, facilities : GeoDataFrame
            From :mod:`siting.inputs`.
        profile : Profile or str
            A shipped profile name, a profile YAML path, or a loaded profile.
        overrides : mapping, optional
            Profile values for this study only (``{key: value}``), e.g. ``{"walk_speed_m_per_min": 55}``;
            not with a loaded profile (load it with them instead).
        bands_min : sequence of float, optional
            Walking-time bands to report, minutes (default 5, 10, 15).
        max_snap_m : float, optional
            Largest distance from a feature to a street, metres (default 300).
        entrances, units : GeoDataFrame, optional
            Gates of the areas; townships and communities (areas and facilities are placed in them).
        build : BuildSettings, optional
            Size bounds and unit costs of new and enlarged centres (default :class:`BuildSettings`).
        assess_year : int, optional
            The year whose end the inputs describe: targets due by a later year are shown as not yet
            due (:attr:`siting.profiles.Profile.assess_year`); default every target is judged.
        accept : Accept or None
            What of the records that contradict themselves or each other is accepted
            (:mod:`siting.consistency`, as ``siting run`` checks them): records listed twice, areas
            stacked at one point (left out by default, with a warning), gates and 配建 sites far from
            their area, areas larger than the network reaches. ``None``: the layers are checked already.

        Raises
        ------
        SitingInputError
            A finding of :mod:`siting.consistency` that ``accept`` does not accept, naming the rows.
        """
        if isinstance(profile, Profile):
            if overrides:
                raise SitingInputError(
                    msg("overrides_with_loaded_profile"), fix=msg("overrides_with_loaded_profile_fix")
                )
            if assess_year is not None:
                profile = profile.at_year(assess_year)
        else:
            profile = load_profile(profile, dict(overrides) if overrides else None, assess_year=assess_year)
        settings = profile.walk_settings(bands_min=bands_min, max_snap_m=max_snap_m)
        if accept is not None:
            areas, entrances, _ = consistency.check_layers(areas, facilities, entrances=entrances, accept=accept)
            consistency.check_area_sizes(areas, network, max_snap_m=settings.max_snap_m, accept=accept)
            consistency.check_links(
                areas, walk_m=settings.walk_distance_m, facilities=facilities, entrances=entrances, accept=accept
            )
        # townships, communities, 城镇 or 农村 and services, once: the check and the plans read them
        areas, facilities = prepare_inputs(areas, facilities, units)
        return cls(network, areas, facilities, profile, settings, entrances, units, build or BuildSettings())

    def _cached(self, key: str, compute: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    # -- today ------------------------------------------------------------------------------------
    def assess(self) -> Accessibility:
        """Walking times, the 15-minute circle and the service radius for every area (computed once)."""
        return self._cached(
            "access",
            lambda: assess_access(self.network, self.areas, self.facilities, self.settings, entrances=self.entrances),
        )

    def check(self) -> ComplianceResult:
        """The rule profile's verdicts: floor area per 100 households, centres, coverage targets (computed once)."""
        return self._cached("compliance", lambda: check_compliance(self.assess(), self.profile, units=self.units))

    def service_areas(self) -> gpd.GeoDataFrame:
        """Street-following service areas of the facilities for each walking band, in their CRS."""
        return self._cached("service_areas", lambda: service_areas(self.network, self.facilities, self.settings))

    # -- proposing ----------------------------------------------------------------------------------
    def generate_candidates(self, spacing_m: float = defaults.CANDIDATE_SPACING_M) -> gpd.GeoDataFrame:
        """Candidate sites on street nodes near the areas outside the walk (in the areas' CRS).

        See :func:`siting.optimize.generate_candidates`.
        """
        covered = self.assess().areas["within_walk"].to_numpy(bool)
        return generate_candidates(self.network, self.areas, covered, spacing_m=spacing_m).to_crs(self.areas.crs)

    def candidate_pairs(self, candidates: gpd.GeoDataFrame) -> pd.DataFrame:
        """Area–candidate walks within the walking circle: ``area_id``, ``candidate_id``, ``dist_m``, ``walk_min``.

        Candidates far outside the street network are refused first (a coordinate mistake), all of
        them named, before any optimisation starts.
        """
        check_within_network(self.network, candidates, "candidate_id")
        return site_pairs(
            self.network,
            self.areas,
            candidates,
            id_column="candidate_id",
            settings=self.settings,
            area_attachment=self.assess().area_attachment,
        )

    def problem(self, candidates: gpd.GeoDataFrame, *, weight: str = defaults.WEIGHT) -> SitingProblem:
        """The siting problem every objective is solved on — the one place capacities are set.

        Areas weighted by ``weight``; existing facilities kept open; ``candidates`` to choose from; the
        walks within the circle; every site's size bounds (:class:`BuildSettings`; candidates that
        cannot hold a centre the rule counts are left out with a warning); capacities as the
        compliance check counts floor area (a county institution has none); and the floor-area rule
        itself, shared out by :func:`siting.compliance.floor_area_shares`, for the ``compliance``
        objective.
        """
        facilities, candidates = self.build.bound_sites(self.check().facilities, candidates, self.profile)
        self._check_built_with(candidates)
        candidate_pairs = self.candidate_pairs(candidates)
        built_with = np.r_[_built_with(facilities), _built_with(candidates)]
        columns = {
            "max_floor_area_source": np.r_[
                facilities["max_floor_area_source"].to_numpy(), candidates["max_floor_area_source"].to_numpy()
            ],
            # listed with the proposals only where a site names its area
            **({"area_id": built_with} if pd.notna(built_with).any() else {}),
        }
        return SitingProblem.from_tables(
            self.areas,
            facilities,
            candidates,
            self.assess().pairs,
            candidate_pairs,
            settings=self.settings,
            weight=weight,
            rate_m2_per_100_households=floor_area_rates(self.areas, self.profile),
            floor_area_rule=self._floor_area_rule(facilities, candidates, candidate_pairs),
            unit_rules=self._unit_rules(facilities, candidates, candidate_pairs),
            site_columns=columns,
        )

    def _check_built_with(self, candidates: gpd.GeoDataFrame) -> None:
        """Candidate sites naming the area they belong to (``area_id``) must name one of the study's areas."""
        given = pd.Series(_built_with(candidates), index=candidates.index)
        unknown = given.notna() & ~given.isin(set(self.areas["area_id"].astype(str)))
        if unknown.any():
            raise SitingInputError(
                msg("candidate_area_unknown"),
                source=msg("where_argument", name="candidates"),
                column="area_id",
                rows=candidates.loc[unknown, "candidate_id"].astype(str).tolist(),
                fix=msg("facility_area_unknown_fix"),
            )

    def _floor_area_rule(
        self, facilities: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, candidate_pairs: pd.DataFrame
    ) -> FloorAreaRule:
        """The floor-area rule per area and site, shared out by the compliance check's own function."""
        unbuilt = gpd.GeoDataFrame(
            {
                "facility_id": candidates["candidate_id"].astype(str).to_numpy(),
                "level": PROPOSED_LEVEL,
                "floor_area_m2": 0.0,
                "area_id": _built_with(candidates),
            },
            geometry=candidates.geometry.to_crs(facilities.crs).to_numpy(),
            crs=facilities.crs,
        )
        # area_id: a site built with a new area counts for it alone, as in the check (new_area_counts)
        built = facilities[["facility_id", "level", "floor_area_m2", "geometry"]].assign(
            area_id=_built_with(facilities)
        )
        sites = pd.concat([built, unbuilt], ignore_index=True)
        sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=facilities.crs)
        pairs = pd.concat(
            [self.assess().pairs, candidate_pairs.rename(columns={"candidate_id": "facility_id"})], ignore_index=True
        )
        now = floor_area_shares(self.areas, sites, pairs, self.profile, self.settings)
        eligible = sites["level"].isin(FLOOR_AREA_LEVELS).to_numpy()
        counts = pd.DataFrame({"counts_for_new": eligible, "counts_for_existing": eligible}, index=sites.index)
        counted = floor_area_shares(self.areas, sites, pairs, self.profile, self.settings, counts=counts)
        threshold = max(
            self.profile.value("min_site_area_m2") or 0.0, self.profile.value("existing_min_site_area_m2") or 0.0
        )
        return FloorAreaRule(
            required_m2_per_household=now.rate_m2_per_100hh / 100.0,
            shares_now=now.matrix,
            shares_counted=counted.matrix,
            threshold_m2=np.where(eligible, threshold, np.inf),
            cost_new_site=self.build.cost_new_site,
            cost_per_m2=self.build.cost_per_m2,
            own_only=own_floor_area_only(self.areas, self.profile),
        )

    def _unit_rules(
        self, facilities: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, candidate_pairs: pd.DataFrame
    ) -> UnitRules:
        """The township, community and radius rules the check judges, per unit and site (sites: the
        facilities, then the candidates, as in the problem).

        Which units need what and which facility lies in which unit are read from the check itself
        (:meth:`check`: its rules, townships and communities tables, and facilities); a candidate lies
        where :meth:`apply` places the centre built on it (:func:`siting.inputs.prepare_facilities`; without
        units, in none).
        """
        result = self.check()
        n_fac, n_sites = len(facilities), len(facilities) + len(candidates)
        placed = prepare_facilities(candidates[[candidates.geometry.name]], self.units)
        township, community = (
            np.r_[_unit_column(facilities, level), _unit_column(placed, level)] for level in UNIT_LEVELS
        )
        level = np.r_[facilities["level"].to_numpy(dtype=object), np.full(len(candidates), PROPOSED_LEVEL, object)]
        is_candidate = np.arange(n_sites) >= n_fac
        largest = np.r_[
            facilities["max_floor_area_m2"].to_numpy(float), candidates["max_floor_area_m2"].to_numpy(float)
        ]
        judged = set(result.rules.loc[result.rules["verdict"].isin(["met", "not_met"]), "rule"])
        lost: list[pd.DataFrame] = []

        def unit_rows(
            names: np.ndarray, where: np.ndarray, may: np.ndarray, minimum: float, kind: str, rule: np.ndarray
        ):
            """Per unit, the sites in it that may hold the facility at ``minimum`` m²; the units none can hold."""
            member = (where[None, :] == names[:, None]) & may[None, :]
            able = member & (largest[None, :] >= minimum - ROUNDING_SLACK_M2)
            keep = able.any(axis=1)
            reason = np.where(member.any(axis=1), "unit_sites_below_minimum", "no_site_in_unit")
            lost.append(pd.DataFrame({"unit": names, "level": kind, "rule": rule, "reason": reason})[~keep])
            return sp.csr_matrix(able[keep]), names[keep], rule[keep]

        townships = result.townships
        kinds = townships["kind"].to_numpy(dtype=object)
        rule_of = np.where(kinds == "street", "street_centres", "town_centres")
        catchment = self._catchment_planned(judged)
        # a township whose catchment is planned needs its centre too, whether or not R07/R08 is set
        rule_of = np.where(np.isin(rule_of, list(judged)) | (not catchment), rule_of, "township_catchment")
        wanted = (np.isin(rule_of, list(judged)) | catchment) & ~townships["has_qualified_centre"].to_numpy(bool)
        t_min = float(self.profile.value("township_centre_min_m2") or 0.0)
        may_lead, may_serve = self._may_hold(facilities, len(candidates))
        may_lead &= is_candidate | np.isin(level, ["township", "community"])
        t_sites, t_names, t_rules = unit_rows(
            townships["township"].astype(str).to_numpy(dtype=object)[wanted], township, may_lead, t_min,
            "township", rule_of[wanted],
        )  # fmt: skip

        communities = result.communities
        # a community keeps a row when it has no qualifying facility, or when a township row may raise
        # every one it has to the township level (it would then have none)
        raisable = np.zeros(n_sites, bool)
        raisable[t_sites.indices] = True
        qualified = np.r_[facilities["qualified_community_centre"].to_numpy(bool), np.zeros(len(candidates), bool)]
        kept = pd.Series(qualified & ~raisable).groupby(community).any()
        names = communities["community"].astype(str).to_numpy(dtype=object)
        at_risk = ~pd.Series(names).map(kept).fillna(False).to_numpy(bool)
        wanted = communities["in_scope"].to_numpy(bool) & at_risk & ("community_facilities" in judged)
        c_min = float(self.profile.value("community_centre_min_m2") or 0.0)
        c_sites, c_names, _ = unit_rows(
            names[wanted], community, may_serve, c_min, "community", np.full(int(wanted.sum()), "community_facilities")
        )
        nowhere = sp.csr_matrix((len(self.areas), n_sites), dtype=bool)
        radius_needed = result.areas["service_radius_ok"].eq(False).fillna(False).to_numpy(bool)
        radius_needed &= "service_radius" in judged
        radius = (
            self._radius_sites(radius_needed, candidates, candidate_pairs, n_fac) if radius_needed.any() else nowhere
        )
        leadable = np.zeros(n_sites, bool)
        leadable[t_sites.indices] = True
        catchment_rows, unreached = self._catchment_sites(
            result, (township, community), candidates, candidate_pairs, (catchment, leadable), nowhere
        )
        # a township whose centre no site can hold cannot meet R09 either
        centreless = set(lost[0]["unit"])
        catchment_rows["catchment_townships"] = np.array(
            [t for t in catchment_rows["catchment_townships"] if t not in centreless], dtype=object
        )
        return UnitRules(
            township_sites=t_sites,
            township_names=t_names,
            township_rules=t_rules,
            township_min_m2=t_min,
            community_sites=c_sites,
            community_names=c_names,
            community_min_m2=c_min,
            radius_needed=radius_needed,
            radius_sites=radius,
            **catchment_rows,
            unfixable=pd.concat([*lost, unreached], ignore_index=True),
        )

    def _may_hold(self, facilities: gpd.GeoDataFrame, n_candidates: int) -> tuple[np.ndarray, np.ndarray]:
        """Per site (facilities, then candidates): whether it could count as a township's comprehensive
        centre (raised to that level) and as a community's facility, whatever its size — asked of the
        check itself (:func:`siting.compliance.check_compliance_pairs`), so the levels and functions a
        profile requires of each are the check's (a new centre offers no stated services)."""
        n_fac = len(facilities)
        ids = [f"{k}" for k in range(2 * n_fac + 2)]
        levels = np.concatenate(
            [
                np.full(n_fac, "township", object),
                facilities["level"].to_numpy(dtype=object),
                ["township", PROPOSED_LEVEL],
            ]
        )
        anywhere = self.areas.geometry.iloc[:1].representative_point().to_crs(facilities.crs).to_numpy()
        where = facilities.geometry.to_numpy()
        probe = gpd.GeoDataFrame(
            {"facility_id": ids, "level": levels, "floor_area_m2": 1e9},
            geometry=np.concatenate([where, where, anywhere, anywhere]),
            crs=facilities.crs,
        )
        if "services" in facilities.columns:  # the text and its prepared columns (the check reads those)
            for column in ("services", *SERVICE_COLUMNS.values()):
                given = facilities[column].to_numpy(dtype=object)
                probe[column] = np.concatenate([given, given, [None, None]])
        checked = check_compliance_pairs(
            self.areas.iloc[:1],
            probe,
            pd.DataFrame({"area_id": [], "facility_id": [], "walk_min": []}),
            self.profile,
            settings=self.settings,
        ).facilities
        centre = checked["qualified_township_centre"].to_numpy(bool)
        facility = checked["qualified_community_centre"].to_numpy(bool)
        return (
            np.r_[centre[:n_fac], np.full(n_candidates, centre[-2])],
            np.r_[facility[n_fac : 2 * n_fac], np.full(n_candidates, facility[-1])],
        )

    def _catchment_planned(self, judged: set[str]) -> bool:
        """Whether the township catchment (R09) is planned: as read ``through_stations`` (every household)
        or ``communities_reached`` (every community), with all to be reached (a share below 1 leaves which
        to the planner)."""
        share = self.profile.value("township_centre_catchment_share")
        return (
            "township_catchment" in judged
            and self.profile.reading("township_centre_catchment") in ("through_stations", "communities_reached")
            and share is not None
            and share >= 1.0
        )

    def _catchment_sites(
        self,
        result: ComplianceResult,
        units: tuple[np.ndarray, np.ndarray],
        candidates: gpd.GeoDataFrame,
        candidate_pairs: pd.DataFrame,
        planned: tuple[bool, np.ndarray],
        nowhere: sp.csr_matrix,
    ) -> tuple[dict[str, Any], pd.DataFrame]:
        """R09's rows, with each township given its centre (the plan builds it): read ``through_stations``,
        an area no facility of its township's network reaches within the walk needs a site of its township
        within the walk (``catchment_needed``/``catchment_sites``); read ``communities_reached``, a
        community of the township no network facility stands in or reaches needs a site of its township
        that would (``catchment_community_*``). A site counts when the check's own
        :func:`~siting.compliance.township_network` would count it built (a new centre), or when it is a
        township-level facility short of the minimum the plan may make the centre (``planned``: whether R09
        is planned, and per site whether a township row may make it the centre). Returns the rows and the
        communities no site can reach (``no_site_in_township_reach``)."""
        township = units[0]
        catchment, leadable = planned
        n_areas, n_sites = nowhere.shape
        names = np.zeros(0, dtype=object)
        rows_out: dict[str, Any] = {
            "catchment_planned": False,
            "catchment_needed": np.zeros(n_areas, bool),
            "catchment_sites": nowhere,
            "catchment_community_names": names,
            "catchment_community_sites": sp.csr_matrix((0, n_sites), dtype=bool),
            "catchment_community_households": np.zeros(0),
            "catchment_townships": names,
        }
        lost = pd.DataFrame({"unit": [], "level": [], "rule": [], "reason": []}, dtype=object)
        if not catchment:
            return rows_out, lost
        facilities = result.facilities
        n_fac = len(facilities)
        network = self._township_network(facilities, candidates, township, result.townships["township"])
        is_centre = np.r_[facilities["level"].eq("township").to_numpy(), np.zeros(len(candidates), bool)]
        able = (network & (np.arange(n_sites) >= n_fac)) | (~network & is_centre & leadable)
        area_index = pd.Index(self.areas["area_id"].astype(str))
        area_township = _unit_column(self.areas, "township")
        townships = result.townships
        judged = townships.loc[townships["catchment_ok"].notna(), "township"].astype(str).to_numpy(dtype=object)

        def own(pairs: pd.DataFrame, id_column: str, ids: pd.Index, offset: int) -> tuple[np.ndarray, np.ndarray]:
            """Area and site positions of the pairs within the walk whose site lies in the area's township."""
            pairs = pairs[self.settings.within_min(pairs["walk_min"])]
            rows = area_index.get_indexer(pairs["area_id"].astype(str))
            cols = ids.get_indexer(pairs[id_column].astype(str))
            keep = (rows >= 0) & (cols >= 0)
            rows, cols = rows[keep], cols[keep] + offset
            same = (township[cols] == area_township[rows]) & (area_township[rows] != "")
            return rows[same], cols[same]

        rows, cols = own(self.assess().pairs, "facility_id", pd.Index(facilities["facility_id"].astype(str)), 0)
        new_rows, new_cols = own(
            candidate_pairs, "candidate_id", pd.Index(candidates["candidate_id"].astype(str)), n_fac
        )
        reached = np.zeros(n_areas, bool)
        reached[rows[network[cols]]] = True
        rows, cols = np.r_[rows, new_rows], np.r_[cols, new_cols]
        rows, cols = rows[able[cols]], cols[able[cols]]
        if self.profile.reading("township_centre_catchment") == "through_stations":
            households = self.areas["households"].to_numpy(float)
            needed = np.isin(area_township, judged) & (households > 0) & ~reached
            sites = sp.csr_matrix((np.ones(len(rows), bool), (rows, cols)), shape=nowhere.shape)
            short = needed & (sites.getnnz(axis=1) == 0)
            rows_out |= {"catchment_planned": True, "catchment_needed": needed, "catchment_sites": sites}
            unreached = set(area_township[short])
        else:
            rows_out, lost = self._community_rows(
                result, units, (network, able), reached, (rows, cols), judged, rows_out
            )
            unreached = set(lost["township"]) if len(lost) else set()
            lost = lost.drop(columns="township")
        failing = townships.loc[townships["catchment_ok"].eq(False).fillna(False).to_numpy(bool), "township"]
        rows_out["catchment_townships"] = np.array([t for t in failing.astype(str) if t not in unreached], object)
        return rows_out, lost

    def _community_rows(
        self,
        result: ComplianceResult,
        units: tuple[np.ndarray, np.ndarray],
        counted: tuple[np.ndarray, np.ndarray],
        reached: np.ndarray,
        pairs: tuple[np.ndarray, np.ndarray],
        judged: np.ndarray,
        rows_out: dict[str, Any],
    ) -> tuple[dict[str, Any], pd.DataFrame]:
        """R09 read ``communities_reached``: per community of a judged township that the network (given its
        centre) neither stands in nor reaches, the ``able`` sites of its township (``counted``: network and
        able, per site) standing in it or reaching one of its areas (the ``pairs``: area and able-site
        positions within the walk); the communities none can reach, with their township."""
        township, community = units
        network, able = counted
        n_sites = len(township)
        area_community = _unit_column(self.areas, "community")
        n_fac = len(result.facilities)
        # the check's rule: a network facility stands in the community or reaches one of its areas
        done = set(community[:n_fac][network[:n_fac]]) | set(area_community[reached])
        communities = result.communities
        names = communities["community"].astype(str).to_numpy(dtype=object)
        parent = communities["township"].astype("string").fillna("").to_numpy(dtype=object)
        needed = np.isin(parent, judged) & ~np.isin(names, list(done))
        rows, cols = pairs
        standing = np.flatnonzero(able)
        links = pd.DataFrame(
            {
                "community": np.r_[area_community[rows], community[standing]],
                "site": np.r_[cols, standing],
            }
        ).drop_duplicates()
        position = pd.Series(np.arange(len(names)), index=names)
        links = links[links["community"].isin(names[needed])]
        links = links[township[links["site"].to_numpy()] == parent[position[links["community"]].to_numpy()]]
        matrix = sp.csr_matrix(
            (np.ones(len(links), bool), (position[links["community"]].to_numpy(), links["site"].to_numpy())),
            shape=(len(names), n_sites),
        )
        reachable = matrix.getnnz(axis=1) > 0
        households = self.areas["households"].groupby(area_community).sum().reindex(names).fillna(0.0).to_numpy(float)
        keep = needed & reachable
        rows_out |= {
            "catchment_planned": True,
            "catchment_community_names": names[keep],
            "catchment_community_sites": matrix[keep],
            "catchment_community_households": households[keep],
        }
        short = needed & ~reachable
        lost = pd.DataFrame(
            {
                "unit": names[short],
                "level": "community",
                "rule": "township_catchment",
                "reason": "no_site_in_township_reach",
                "township": parent[short],
            }
        )
        return rows_out, lost

    def _township_network(
        self, facilities: pd.DataFrame, candidates: gpd.GeoDataFrame, township: np.ndarray, names: pd.Series
    ) -> np.ndarray:
        """Per site (facilities, then candidates built as new centres): whether it is a facility of its
        township's R09 network once every township has its qualifying centre — asked of the check's
        :func:`~siting.compliance.township_network` with one qualifying centre added per township."""
        n_new = len(candidates) + len(names)
        probe = pd.DataFrame(
            {
                "level": np.r_[
                    facilities["level"].to_numpy(dtype=object),
                    np.full(len(candidates), PROPOSED_LEVEL, object),
                    np.full(len(names), "township", object),
                ],
                "qualified_township_centre": np.r_[
                    facilities["qualified_township_centre"].to_numpy(bool),
                    np.zeros(len(candidates), bool),
                    np.ones(len(names), bool),
                ],
            }
        )
        if "serves_townships" in facilities.columns:
            probe["serves_townships"] = np.r_[
                facilities["serves_townships"].to_numpy(dtype=object), np.full(n_new, None, object)
            ]
        where = pd.Series(np.r_[township, names.astype(str).to_numpy(dtype=object)], dtype="string")
        return township_network(probe, where.replace("", pd.NA), self.profile)[: len(township)]

    def _radius_sites(
        self, failing: np.ndarray, candidates: gpd.GeoDataFrame, candidate_pairs: pd.DataFrame, n_fac: int
    ) -> sp.csr_matrix:
        """Candidates within the stated service radius of each ``failing`` area (R11), measured as the
        check measures it (straight from the area, 0 inside, or along the streets)."""
        radius = float(self.profile.value("service_radius_m"))
        if self.profile.reading("service_radius_measure") == "straight":
            metric = to_metric(self.areas)
            points = candidates.to_crs(metric.crs).geometry.representative_point().to_numpy()
            area_pos, cand_pos = shapely.STRtree(points).query(
                metric.geometry.to_numpy(), predicate="dwithin", distance=radius + 1.0
            )
            dist = shapely.distance(metric.geometry.to_numpy()[area_pos], points[cand_pos])
        else:
            area_pos = pd.Index(self.areas["area_id"].astype(str)).get_indexer(candidate_pairs["area_id"].astype(str))
            cand_pos = pd.Index(candidates["candidate_id"].astype(str)).get_indexer(
                candidate_pairs["candidate_id"].astype(str)
            )
            # the candidates' walks are searched to the walk only: a radius beyond it lists more areas as
            # unfixable than need be, never claims one the check would deny
            dist = candidate_pairs["dist_m"].to_numpy(float)
        keep = self.settings.within_m(dist, radius) & failing[area_pos] & (cand_pos >= 0)
        return sp.csr_matrix(
            (np.ones(int(keep.sum()), bool), (area_pos[keep], n_fac + cand_pos[keep])),
            shape=(len(self.areas), n_fac + len(candidates)),
        )

    def propose(
        self,
        candidates: gpd.GeoDataFrame,
        objective: str = "p_median",
        *,
        p: int | str | None = None,
        method: str = DEFAULT_METHOD,
        capacity: bool = False,
        weight: str = defaults.WEIGHT,
        time_limit_s: float = defaults.TIME_LIMIT_S,
        progress: bool = False,
    ) -> Proposal:
        """Propose new centres among ``candidates``, existing facilities kept.

        Parameters
        ----------
        candidates : GeoDataFrame
            Candidate sites (:func:`siting.inputs.read_candidates` or :meth:`generate_candidates`).
        objective : str
            A name from :data:`siting.optimize.OBJECTIVES`: ``p_median``, ``max_coverage``, ``set_cover``.
        p : int or "until_compliant", optional
            New centres, for objectives that take it. ``"until_compliant"`` gives the smallest p whose
            solution puts every area that any site can reach within the walk (starting from the
            set-cover minimum).
        method : {"greedy", "heuristic", "exact"}
        capacity : bool
            Respect floor-area capacity (each site serves at most its floor area at the profile's rates).
        weight : {"households", "elderly"}
            Demand weight.
        time_limit_s : float
            Seconds for the whole search (with ``until_compliant`` too).
        progress : bool
            Progress bars on stderr.

        Returns
        -------
        Proposal
        """
        if objective not in OBJECTIVES:
            raise SitingInputError(msg("unknown_objective", name=objective, known=sorted(OBJECTIVES)))
        problem = self.problem(candidates, weight=weight)
        solver_kwargs = {"method": method, "capacitated": capacity, "progress": progress}
        model = _solve(problem, objective, p, solver_kwargs, time_limit_s)
        if model.status == "infeasible":
            raise SitingInfeasibleError(
                msg("optimisation_infeasible", reason=model.message), fix=msg("optimisation_infeasible_fix")
            )
        rules = self.check().rules
        return Proposal(
            self._proposal_sites(model, objective),
            model,
            problem,
            objective,
            model.unfixable_.rename(columns={"demand": "area_id"}),
            model.unfixable_units_,
            rules_planned(rules if model.judges_rules else rules.iloc[:0], problem.unit_rules.catchment_planned),
        )

    def _proposal_sites(self, model: Solver, objective: str) -> gpd.GeoDataFrame:
        sites = model.proposals_frame()
        problem = model.problem_
        position = pd.Index(problem.site_ids).get_indexer(sites["site_id"])
        if problem.sites is not None and "max_floor_area_source" in problem.sites.columns:
            sites["max_floor_area_source"] = problem.sites["max_floor_area_source"].to_numpy()[position]
        if problem.sites is not None and "area_id" in problem.sites.columns:
            sites["area_id"] = problem.sites["area_id"].to_numpy()[position]
        # the street position each site was measured from: snapped as the candidate pairs were, from the
        # same coordinates, so the planned centre (snapped again by assess) is the same access point
        for column, values in street_position(
            self.network, attach_points(self.network, sites, max_snap_m=self.settings.max_snap_m)
        ).items():
            sites[column] = values.to_numpy()
        # in households whatever the demand weight, in rank order (enlargements bring no one new)
        sites["households_newly_covered"] = _newly_covered(problem, np.where(sites["kind"] == "new", position, -1))
        rule = problem.floor_area_rule
        if rule is not None:
            served = _served(rule, model.sizes_)[:, position]
            sites["households_served"] = problem.households @ served
            sites["at_cap"] = (
                sites["recommended_floor_area_m2"].to_numpy(float) >= sites["max_floor_area_m2"].to_numpy(float) - 1e-9
            )
            sites["shares_need_with"] = _shared_need(served, sites["site_id"].to_numpy(), sites["at_cap"].to_numpy())
        if self.build.costs_given or objective == "compliance":
            new = (sites["kind"] == "new").to_numpy()
            sites["cost"] = np.where(new, self.build.cost_new_site, 0.0) + self.build.cost_per_m2 * sites[
                "added_floor_area_m2"
            ].to_numpy(dtype=float)
        return sites.to_crs(self.areas.crs)

    # -- the plan -----------------------------------------------------------------------------------
    def apply(self, proposal: Proposal | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """The planned facilities, in the facilities' CRS: the existing ones (``proposed`` False), those
        to enlarge at their recommended floor area (``added_floor_area_m2`` > 0), and the new centres
        as community centres of their recommended floor area (``proposed`` True)."""
        sites = proposal.sites if isinstance(proposal, Proposal) else proposal
        crs = self.facilities.crs
        building = sites[sites["kind"] == "new"]
        new = gpd.GeoDataFrame(
            {
                "facility_id": building["site_id"].astype(str).to_numpy(),
                "name": building["name"].astype(str).to_numpy(),
                "level": building["level"].to_numpy() if "level" in building.columns else PROPOSED_LEVEL,
                "floor_area_m2": building["recommended_floor_area_m2"].to_numpy(dtype=float),
                "beds": np.nan,
                "land_area_m2": np.nan,
                "added_floor_area_m2": building["recommended_floor_area_m2"].to_numpy(dtype=float),
            },
            geometry=building.geometry.to_crs(crs).to_numpy(),
            crs=crs,
        )
        if "area_id" in building.columns:  # a centre on an area's own site (配套用房) is that area's floor area
            new["area_id"] = _built_with(building)
        new = prepare_facilities(new, self.units)  # the existing facilities are prepared already
        existing = self.facilities.copy()
        enlarged = sites[sites["kind"] == "expand"].set_index("site_id")["recommended_floor_area_m2"]
        ids = existing["facility_id"].astype(str)
        before = existing["floor_area_m2"].to_numpy(dtype=float)
        existing["floor_area_m2"] = ids.map(enlarged).fillna(existing["floor_area_m2"]).to_numpy(dtype=float)
        existing["added_floor_area_m2"] = existing["floor_area_m2"].to_numpy(dtype=float) - before
        if "level" in sites.columns:  # an existing centre raised to a township's comprehensive centre
            raised = sites[(sites["kind"] == "expand") & sites["level"].notna()].set_index("site_id")["level"]
            hit = ids.isin(raised.index).to_numpy()
            existing.loc[hit, "level"] = ids[hit].map(raised).to_numpy()
        planned = pd.concat([existing.assign(proposed=False), new.assign(proposed=True)], ignore_index=True)
        return gpd.GeoDataFrame(planned, geometry="geometry", crs=crs)

    def with_facilities(self, facilities: gpd.GeoDataFrame) -> Study:
        """The same study with other facilities (results are computed anew), prepared where they are not
        (:func:`siting.inputs.prepare_facilities`: those of :meth:`apply` or a what-if session are)."""
        return replace(self, facilities=prepare_facilities(facilities, self.units, missing_only=True), _cache={})

    def plan(self, proposal: Proposal | gpd.GeoDataFrame) -> Study:
        """The study of the town with the proposed centres built: ``with_facilities(apply(proposal))``."""
        return self.with_facilities(self.apply(proposal))

    def recheck(self, proposal: Proposal, plan: Study | None = None) -> PlanRecheck:
        """Re-run the whole check on the planned facilities and compare it with what ``proposal`` claimed.

        Per area: within the walk and the minutes to the nearest centre (the one measurement of candidates and
        planned centres), and the floor-area verdict (and, for ``compliance``, that every area not
        listed as unfixable is compliant). Per township and community: households within the walk and
        areas meeting the floor-area rule. Per proposed site: its street position (edge and offset), its
        floor area and the households it serves. The households the proposals newly bring within the walk,
        together. The solver's ``optimal``: its gap within its tolerance.

        Parameters
        ----------
        proposal : Proposal
            From :meth:`propose` on this study.
        plan : Study, optional
            The planned study (default ``self.plan(proposal)``).

        Returns
        -------
        PlanRecheck
            Call :meth:`PlanRecheck.raise_for_disagreements` to treat a disagreement as the defect it is.
        """
        plan = self.plan(proposal) if plan is None else plan
        claimed = proposal.claimed_areas().set_index("area_id")
        checked = plan.check()
        areas = checked.areas.assign(area_id=lambda a: a["area_id"].astype(str)).set_index("area_id")
        areas = areas.reindex(claimed.index)
        within = pd.Series(areas["within_walk"].to_numpy(bool), index=claimed.index)
        floor_ok = areas["floor_area_ok"].astype("boolean")
        found = pd.DataFrame(
            {
                "within_walk": within,
                "walk_min": areas["walk_min"].where(within),
                "floor_area_ok": floor_ok,
                "fixed": within & floor_ok.fillna(True),
            }
        )
        checks = [_compare("area", claimed, found, ("within_walk", "walk_min", "floor_area_ok", "fixed"))]
        units = {
            level: _unit_tally(areas[level].astype("string").fillna(""), areas["households"], claimed, found)
            for level in ("township", "community")
            if level in areas.columns
        }
        checks += [_compare(level, *tally, UNIT_ITEMS) for level, tally in units.items()]
        checks.append(_unit_centre_check(proposal.model.fixed_units_, checked))
        checks.append(_site_check(proposal.sites, checked.facilities))
        checks.append(_newly_covered_check(proposal.sites, self.assess().areas, areas))
        checks.append(_status_check(proposal))
        return PlanRecheck(
            areas_checked=len(claimed),
            units_checked=sum(len(tally[0]) for tally in units.values()),
            sites_checked=len(proposal.sites),
            checks=sum(c[0] for c in checks),
            disagreements=pd.concat([c[1] for c in checks], ignore_index=True),
        )


def _solve(
    problem: SitingProblem, objective: str, p: int | str | None, solver_kwargs: dict, time_limit_s: float
) -> Solver:
    """Solve the configured objective; for ``p="until_compliant"`` raise p from the set-cover minimum."""
    spec = OBJECTIVES[objective]
    if not spec.needs_p and p is not None:
        raise SitingInputError(msg("objective_takes_no_p", objective=objective), key="optimize.p", fix=msg("remove_it"))
    if solver_kwargs.get("capacitated") and not spec.takes_capacity:
        raise SitingInputError(
            msg("objective_takes_no_capacity", objective=objective), key="optimize.capacity", fix=msg("remove_it")
        )
    if not spec.needs_p:
        return spec.make(time_limit_s=time_limit_s, **solver_kwargs).solve(problem)
    if p is None:
        raise SitingInputError(msg("objective_needs_p", name=objective), fix=msg("objective_needs_p_fix"))
    if p != UNTIL_COMPLIANT:
        return spec.make(p=int(p), time_limit_s=time_limit_s, **solver_kwargs).solve(problem)
    # time_limit_s bounds the whole search, not each p: the planner asked for one answer in that time
    deadline = time.monotonic() + time_limit_s

    def remaining() -> float:
        return max(1.0, deadline - time.monotonic())

    cover = OBJECTIVES["set_cover"].make(time_limit_s=remaining(), **solver_kwargs).solve(problem)
    reachable = problem.covered_by(np.flatnonzero(problem.is_candidate))
    start = len(cover.selected_)
    if start == 0:
        return cover
    model = cover
    for count in range(start, problem.n_candidates + 1):
        model = spec.make(p=count, time_limit_s=remaining(), **solver_kwargs).solve(problem)
        if problem.covered_by(model.selected_)[reachable].all() or time.monotonic() >= deadline:
            break
    return model


__all__ = ["UNTIL_COMPLIANT", "BuildSettings", "PlanRecheck", "PlanRecheckError", "Proposal", "Study"]


def _unit_column(frame: pd.DataFrame, level: str) -> np.ndarray:
    """The township or community name of each row (the check's ``township``/``community``), "" for none."""
    values = frame[level] if level in frame.columns else pd.Series(pd.NA, index=frame.index)
    return values.astype("string").fillna("").to_numpy(dtype=object)


def _built_with(sites: pd.DataFrame) -> np.ndarray:
    """The ``area_id`` each facility, candidate or proposed site was built with (配建), None for none."""
    out = np.full(len(sites), None, dtype=object)
    if "area_id" in sites.columns:
        given = sites["area_id"]
        named = (given.notna() & (given.astype(str).str.strip() != "")).to_numpy()
        out[named] = given[named].astype(str).to_numpy()
    return out


#: What a township or community tallies from its areas' verdicts, claimed and re-checked.
UNIT_ITEMS = ("households_within_walk", "areas_floor_area_ok")


def _unit_tally(
    unit: pd.Series, households: pd.Series, claimed: pd.DataFrame, found: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per unit, households within the walk and areas meeting the floor-area rule: as claimed, as found."""

    def tally(verdicts: pd.DataFrame) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "households_within_walk": np.where(
                    verdicts["within_walk"].to_numpy(bool), households.to_numpy(float), 0.0
                ),
                "areas_floor_area_ok": verdicts["floor_area_ok"].fillna(False).to_numpy(bool).astype(int),
            },
            index=verdicts.index,
        )
        return frame.groupby(unit.to_numpy()).sum()

    return tally(claimed), tally(found)


def _site_check(sites: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame) -> tuple[int, pd.DataFrame]:
    """Each proposed site against the planned facility of the same id: street position, floor area and
    households served."""
    sites = sites.assign(site_id=lambda f: f["site_id"].astype(str)).set_index("site_id")
    built = facilities.assign(facility_id=lambda f: f["facility_id"].astype(str)).set_index("facility_id")
    built = built.reindex(sites.index)
    pairs = {
        "street_u_id": "street_u_id",
        "street_v_id": "street_v_id",
        "street_offset_m": "street_offset_m",
        "recommended_floor_area_m2": "floor_area_m2",
        "households_served": "catchment_households",
    }
    pairs = {mine: theirs for mine, theirs in pairs.items() if mine in sites.columns and theirs in built.columns}
    found = built[list(pairs.values())].set_axis(list(pairs), axis=1)
    return _compare("site", sites[list(pairs)], found, tuple(pairs))


def _newly_covered_check(sites: pd.DataFrame, before: pd.DataFrame, after: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    """The households the proposals newly bring within the walk, together, against the re-checked gain."""
    gained = float(after["households"].where(after["within_walk"].astype(bool), 0.0).sum()) - float(
        before["households"].where(before["within_walk"].astype(bool), 0.0).sum()
    )
    index = ["plan"]
    claimed = pd.DataFrame({"households_newly_covered": [float(sites["households_newly_covered"].sum())]}, index=index)
    return _compare("plan", claimed, pd.DataFrame({"households_newly_covered": [gained]}, index=index), tuple(claimed))


def _status_check(proposal: Proposal) -> tuple[int, pd.DataFrame]:
    """``optimal`` is a claim too: the gap proven within the solver's tolerance."""
    model = proposal.model
    proven = bool(np.isfinite(model.gap) and model.gap <= model.tolerance)
    found = model.status if proven or model.status != "optimal" else "not_proven"
    index = [proposal.objective]
    return _compare(
        "solver",
        pd.DataFrame({"status": [model.status]}, index=index),
        pd.DataFrame({"status": [found]}, index=index),
        ("status",),
    )


def _newly_covered(problem: SitingProblem, ranked: np.ndarray) -> np.ndarray:
    """Households each site brings within the walk, in rank order: of the areas within its walk, those no
    existing site and no site ranked before it reaches (0 for a position of -1, an enlargement)."""
    reach = sp.csc_matrix(
        (np.ones(len(problem.rows)), (problem.rows, problem.cols)), shape=(problem.n_demand, problem.n_sites)
    )
    covered = problem.covered_by(np.zeros(0, dtype=np.int64))
    newly = np.zeros(len(ranked))
    for k, site in enumerate(ranked):
        if site >= 0:
            areas = reach.indices[reach.indptr[site] : reach.indptr[site + 1]]
            gained = areas[~covered[areas]]
            newly[k] = problem.households[gained].sum()
            covered[gained] = True
    return newly


def _served(rule: FloorAreaRule, sizes_m2: np.ndarray) -> sp.csc_matrix:
    """Which areas each site's floor area counts for at these sizes, as the check shares it (areas × sites, 0/1)."""
    counted = sizes_m2 >= rule.threshold_m2
    shares = sp.csr_matrix(rule.shares_counted.multiply(counted)) + sp.csr_matrix(rule.shares_now.multiply(~counted))
    return sp.csc_matrix((shares > 0).astype(float))


def _shared_need(served: sp.csc_matrix, site_ids: np.ndarray, at_cap: np.ndarray) -> np.ndarray:
    """Per proposed site, the other proposed sites serving some of the same households when one of the two
    is at its largest floor area: one need split between neighbouring centres (ids joined by ", ")."""
    overlap = (served.T @ served).toarray() > 0
    np.fill_diagonal(overlap, False)
    overlap &= at_cap[:, None] | at_cap[None, :]
    return np.array([", ".join(site_ids[row]) for row in overlap], dtype=object)


def _unit_centre_check(claimed: pd.DataFrame, checked: ComplianceResult) -> tuple[int, pd.DataFrame]:
    """Every township and community the plan claims to give a qualifying centre or facility (the unit
    rules R07/R08/R10) has one in the re-check, and every township whose R09 it claims to meet
    (``township_catchment``) meets it there (the township table's ``catchment_ok``, the verdict of the
    reading the profile takes)."""
    frames = []
    for level, table, column, rule in (
        ("township", checked.townships, "township", None),
        ("community", checked.communities, "community", None),
        ("township", checked.townships, "township", "township_catchment"),
    ):
        of_rule = claimed["rule"] == rule if rule else claimed["rule"] != "township_catchment"
        units = claimed.loc[(claimed["level"] == level) & of_rule, "unit"].astype(str).drop_duplicates()
        if units.empty:
            continue
        item = "catchment_ok" if rule else "has_qualified_centre"
        has = table.assign(unit=table[column].astype(str)).set_index("unit")[item].astype("boolean")
        frames.append(
            (
                pd.DataFrame({item: True}, index=pd.Index(units, name=level)),
                pd.DataFrame({item: has.reindex(units).fillna(False).astype(bool)}),
                level,
                item,
            )
        )
    results = [_compare(level, mine, found, (item,)) for mine, found, level, item in frames]
    empty = pd.DataFrame(columns=["kind", "id", "item", "claimed", "found"])
    return sum(r[0] for r in results), pd.concat([r[1] for r in results], ignore_index=True) if results else empty


def _compare(kind: str, claimed: pd.DataFrame, found: pd.DataFrame, items: tuple[str, ...]) -> tuple[int, pd.DataFrame]:
    """Claims compared with the re-check, item by item: how many were compared (a claim of NA on both sides
    counts as agreeing; a figure within 1e-6) and the rows that disagree."""
    rows = []
    compared = 0
    for item in items:
        mine, theirs = claimed[item], found[item].reindex(claimed.index)
        if item == "fixed":  # only compliance claims it
            theirs, mine = theirs[mine.notna()], mine[mine.notna()]
        compared += len(mine)
        if pd.api.types.is_numeric_dtype(mine) and not pd.api.types.is_bool_dtype(mine):
            a, b = mine.to_numpy(float), theirs.to_numpy(float)
            tolerance = TIE_M if item == "street_offset_m" else 1e-6 * np.maximum(1.0, np.abs(a))
            same = (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= tolerance)
        else:
            a, b = mine.astype(object).to_numpy(), theirs.astype(object).to_numpy()
            same = np.array(
                [
                    (pd.isna(x) and pd.isna(y)) or (not pd.isna(x) and not pd.isna(y) and x == y)
                    for x, y in zip(a, b, strict=True)
                ],
                dtype=bool,
            )
        bad = np.flatnonzero(~same)
        rows += [{"kind": kind, "id": str(mine.index[i]), "item": item, "claimed": a[i], "found": b[i]} for i in bad]
    return compared, pd.DataFrame(rows, columns=["kind", "id", "item", "claimed", "found"])
