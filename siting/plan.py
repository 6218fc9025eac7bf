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
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.compliance import ComplianceResult, check_compliance, floor_area_rates
from siting.errors import SitingInputError
from siting.inputs import assign_units
from siting.labels import msg
from siting.network import StreetNetwork
from siting.optimize import DEFAULT_METHOD, OBJECTIVES, SitingProblem, Solver, generate_candidates
from siting.profiles import Profile, load_profile
from siting.reachability import Accessibility, WalkSettings, assess_access, check_within_network, site_pairs
from siting.service_areas import service_areas

#: ``p`` that asks for the fewest new centres putting every reachable area within the walk.
UNTIL_COMPLIANT = "until_compliant"
#: Level given to proposed centres when they join the facilities of the plan.
PROPOSED_LEVEL = "community"
DEFAULT_TIME_LIMIT_S = 60.0


@dataclass(frozen=True)
class Proposal:
    """What :meth:`Study.propose` found.

    Attributes
    ----------
    sites : GeoDataFrame
        Proposed centres in rank order, in the areas' CRS: ``candidate_id``, ``name``, ``rank``,
        ``recommended_floor_area_m2`` (m²), ``households_newly_covered``, ``marginal_gain``,
        ``max_floor_area_m2`` (m², NaN = no limit given) and ``fits_site``.
    model : Solver
        The solved model: ``objective``, ``bound``, ``gap``, ``status``, ``seconds``, ...
    problem : SitingProblem
        The problem it solved.
    objective : str
        The objective's name (see :data:`siting.optimize.OBJECTIVES`).
    """

    sites: gpd.GeoDataFrame
    model: Solver
    problem: SitingProblem
    objective: str


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
    """

    network: StreetNetwork
    areas: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    profile: Profile
    settings: WalkSettings
    entrances: gpd.GeoDataFrame | None = None
    units: gpd.GeoDataFrame | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def create(
        cls,
        network: StreetNetwork,
        areas: gpd.GeoDataFrame,
        facilities: gpd.GeoDataFrame,
        *,
        profile: Profile | str = "national",
        overrides: Mapping[str, Any] | None = None,
        bands_min: tuple[float, ...] | list[float] | None = None,
        max_snap_m: float | None = None,
        entrances: gpd.GeoDataFrame | None = None,
        units: gpd.GeoDataFrame | None = None,
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
        """
        if isinstance(profile, Profile):
            if overrides:
                raise SitingInputError(
                    msg("overrides_with_loaded_profile"), fix=msg("overrides_with_loaded_profile_fix")
                )
        else:
            profile = load_profile(profile, dict(overrides) if overrides else None)
        settings = profile.walk_settings(bands_min=bands_min, max_snap_m=max_snap_m)
        if units is not None:
            areas, facilities = assign_units(areas, units), assign_units(facilities, units)
        return cls(network, areas, facilities, profile, settings, entrances, units)

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
    def generate_candidates(self, spacing_m: float = 150.0) -> gpd.GeoDataFrame:
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

    def problem(self, candidates: gpd.GeoDataFrame, *, weight: str = "households") -> SitingProblem:
        """The siting problem every objective is solved on: areas weighted by ``weight``, existing
        facilities kept open, ``candidates`` to choose from, walks within the circle, and floor-area
        capacities as the compliance check counts them."""
        return SitingProblem.from_tables(
            self.areas,
            self.check().facilities,
            candidates,
            self.assess().pairs,
            self.candidate_pairs(candidates),
            settings=self.settings,
            weight=weight,
            rate_m2_per_100_households=floor_area_rates(self.areas, self.profile),
        )

    def propose(
        self,
        candidates: gpd.GeoDataFrame,
        objective: str = "p_median",
        *,
        p: int | str | None = None,
        method: str = DEFAULT_METHOD,
        capacity: bool = False,
        weight: str = "households",
        time_limit_s: float = DEFAULT_TIME_LIMIT_S,
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
            raise SitingInputError(
                msg("optimisation_infeasible", reason=model.message), fix=msg("optimisation_infeasible_fix")
            )
        return Proposal(self._proposal_sites(model, candidates), model, problem, objective)

    def _proposal_sites(self, model: Solver, candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        minimum = max(
            self.profile.value("min_site_area_m2") or 0.0, self.profile.value("community_centre_min_m2") or 0.0
        )
        sites = model.proposals_frame(min_site_area_m2=minimum)
        limit = candidates.set_index(candidates["candidate_id"].astype(str))["max_floor_area_m2"]
        sites["max_floor_area_m2"] = limit.reindex(sites["candidate_id"]).to_numpy(dtype=float)
        sites["fits_site"] = np.isnan(sites["max_floor_area_m2"]) | (
            sites["recommended_floor_area_m2"] <= sites["max_floor_area_m2"]
        )
        return sites.to_crs(self.areas.crs)

    # -- the plan -----------------------------------------------------------------------------------
    def apply(self, proposal: Proposal | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """The planned facilities: the existing ones (``proposed`` False) and the proposed centres as
        community centres of their recommended floor area (``proposed`` True), in the facilities' CRS."""
        sites = proposal.sites if isinstance(proposal, Proposal) else proposal
        crs = self.facilities.crs
        new = gpd.GeoDataFrame(
            {
                "facility_id": sites["candidate_id"].astype(str).to_numpy(),
                "name": sites["name"].astype(str).to_numpy(),
                "level": PROPOSED_LEVEL,
                "floor_area_m2": sites["recommended_floor_area_m2"].to_numpy(dtype=float),
                "beds": np.nan,
                "land_area_m2": np.nan,
            },
            geometry=sites.geometry.to_crs(crs).to_numpy(),
            crs=crs,
        )
        existing = self.facilities.drop(columns=["township", "community"], errors="ignore")
        planned = pd.concat([existing.assign(proposed=False), new.assign(proposed=True)], ignore_index=True)
        planned = gpd.GeoDataFrame(planned, geometry="geometry", crs=crs)
        return assign_units(planned, self.units) if self.units is not None else planned

    def with_facilities(self, facilities: gpd.GeoDataFrame) -> Study:
        """The same study with other facilities (results are computed anew)."""
        if self.units is not None:
            facilities = assign_units(facilities.drop(columns=["township", "community"], errors="ignore"), self.units)
        return replace(self, facilities=facilities, _cache={})

    def plan(self, proposal: Proposal | gpd.GeoDataFrame) -> Study:
        """The study of the town with the proposed centres built: ``with_facilities(apply(proposal))``."""
        return self.with_facilities(self.apply(proposal))


def _solve(
    problem: SitingProblem, objective: str, p: int | str | None, solver_kwargs: dict, time_limit_s: float
) -> Solver:
    """Solve the configured objective; for ``p="until_compliant"`` raise p from the set-cover minimum."""
    spec = OBJECTIVES[objective]
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


__all__ = ["UNTIL_COMPLIANT", "Proposal", "Study"]
