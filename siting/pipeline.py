"""Run scenario files: read the layers a scenario names, run its study, write its output folder.

A scenario (:mod:`siting.scenario`) says what to read and which rules and optimisation to use; this
module turns it into a :class:`~siting.plan.Study`, runs the same steps a notebook would (assess,
check, propose, plan, check again) and collects a :class:`ScenarioResult`, which
:mod:`siting.report` writes and :mod:`siting.maps` draws.

When a scenario optimises, the proposed centres join the facilities as new community centres with
their recommended floor area (the floor-area need of the areas they serve, at least the larger of the
profile's single-site minimum and community-centre minimum), and every figure of the result describes
the plan; the figures before the proposals are kept with a ``_before`` suffix.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import math
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from siting import consistency, defaults, inputs
from siting.compliance import ComplianceResult
from siting.errors import SitingEnvironmentError, SitingInfeasibleError, SitingInputError
from siting.files import check_output_path, write_whole
from siting.labels import Message, msg, term
from siting.network import StreetNetwork
from siting.optimize.problem import WHERE_PROBLEM
from siting.plan import BuildSettings, PlanRecheck, Proposal, Study
from siting.profiles import Profile, load_profile
from siting.progress import Steps
from siting.reachability import Accessibility, clip_to_network, coverage_rates
from siting.scenario import Scenario, load_scenario
from siting.settings import (
    CandidatesSettings,
    CostSettings,
    LayerSettings,
    NetworkSettings,
    ResidentialSettings,
    ScenarioSettings,
    SitesSettings,
)

#: The package holding the bundled demo town (the repository's data/ folder; package data in a wheel).
DEMO_PACKAGE = "siting.demo_data"


def demo_dir() -> Path:
    """The folder of the bundled synthetic demo town (``demo_town``: layers, network, scenarios)."""
    return Path(str(resources.files(DEMO_PACKAGE).joinpath("demo_town")))


@dataclass
class ScenarioResult:
    """Everything a scenario run produced; :mod:`siting.report` writes it, :mod:`siting.maps` draws it.

    Attributes
    ----------
    scenario : Scenario
    summary : dict
        Headline figures and settings (written as ``summary.json``).
    study : Study
        The study of the result: the plan when optimised, else the town as it is.
    baseline : Study or None
        The town before the proposals (None without ``optimize``).
    proposal : Proposal or None
        The optimisation's proposal (None without ``optimize``).
    service_areas : GeoDataFrame
        Walking-time service areas of the facilities (and proposed centres).
    """

    scenario: Scenario
    summary: dict
    study: Study
    service_areas: gpd.GeoDataFrame
    baseline: Study | None = None
    proposal: Proposal | None = None

    @property
    def access(self) -> Accessibility:
        """The reachability result (of the plan when optimised)."""
        return self.study.assess()

    @property
    def compliance(self) -> ComplianceResult:
        """The floor-area and unit checks (of the plan when optimised)."""
        return self.study.check()

    @property
    def areas(self) -> gpd.GeoDataFrame:
        """Per residential area: reachability and floor-area columns (of the plan when optimised)."""
        return self.compliance.areas

    @property
    def facilities(self) -> gpd.GeoDataFrame:
        """Existing facilities with compliance columns, plus proposed centres (``proposed`` True)."""
        out = self.compliance.facilities
        return out if "proposed" in out.columns else out.assign(proposed=False)

    @property
    def proposals(self) -> gpd.GeoDataFrame | None:
        """Proposed centres in rank order (None without ``optimize``)."""
        return None if self.proposal is None else self.proposal.sites

    @property
    def units(self) -> gpd.GeoDataFrame | None:
        return self.study.units

    @property
    def profile(self) -> Profile:
        return self.study.profile

    @property
    def network(self) -> StreetNetwork:
        return self.study.network

    @property
    def model(self) -> Any:
        """The solved optimisation model (None without ``optimize``)."""
        return None if self.proposal is None else self.proposal.model

    @property
    def access_before(self) -> Accessibility | None:
        return None if self.baseline is None else self.baseline.assess()

    @property
    def compliance_before(self) -> ComplianceResult | None:
        return None if self.baseline is None else self.baseline.check()


# --------------------------------------------------------------------------------------------------
# Reading what a scenario names
# --------------------------------------------------------------------------------------------------
_NETWORK_CACHE: dict[tuple, StreetNetwork] = {}


def _network(spec: NetworkSettings) -> StreetNetwork:
    from siting import network

    if spec.path is not None:
        path = spec.path
        stat = path.stat() if path.exists() else None
        # the settings are frozen and hashable: the file as stated, and as it is now
        key = (spec, stat.st_size if stat else None, stat.st_mtime_ns if stat else None)
        if stat is not None and key in _NETWORK_CACHE:
            return _NETWORK_CACHE[key]
        net = network.from_file(path, layer=spec.layer, columns=spec.columns)
        _NETWORK_CACHE.clear()  # one network at a time: a county network is large
        _NETWORK_CACHE[key] = net
        return net
    if spec.place is not None:
        return network.from_place(spec.place)
    assert spec.bbox is not None  # the schema asks for exactly one of path, place and bbox
    return network.from_bbox(spec.bbox)


def _read_areas(spec: ResidentialSettings) -> gpd.GeoDataFrame:
    if spec.osm is not None:
        areas = inputs.areas_from_osm(spec.osm, household_size=spec.household_size, default_floors=spec.default_floors)
    else:
        areas = inputs.read_areas(spec.source, household_size=spec.household_size, **spec.read_options())
    # the maps draw a 小区 given as a point as a circle of this radius
    return areas if spec.point_radius_m is None else areas.assign(point_radius_m=float(spec.point_radius_m))


def _read_inputs(settings: ScenarioSettings) -> dict[str, Any]:
    def read(reader: Any, spec: LayerSettings | None) -> Any:
        return None if spec is None or spec.path is None else reader(spec.path, **spec.read_options())

    return {
        "areas": _read_areas(settings.residential),
        "facilities": read(inputs.read_facilities, settings.facilities),
        "entrances": read(inputs.read_entrances, settings.entrances),
        "candidates": read(inputs.read_candidates, settings.candidates),
        "units": read(inputs.read_units, settings.units),
    }


def parcel_access(
    candidates: gpd.GeoDataFrame, network: StreetNetwork, *, max_snap_m: float | None = None
) -> gpd.GeoDataFrame:
    """Candidate plots entered from their street-facing boundary, as a 小区 is.

    Each plot (a candidate with a ``parcel`` outline, :func:`siting.inputs.read_candidates`) is sampled
    along its boundary by :func:`siting.snapping.attach_areas`; its site becomes the street-facing sample
    nearest a street (a centre has one door to the street). Plots with no street within ``max_snap_m``
    keep their inside point. Returns a copy without the ``parcel`` column.
    """
    from siting.snapping import attach_areas

    if "parcel" not in candidates.columns:
        return candidates
    out = candidates.drop(columns="parcel")
    rows = np.flatnonzero(candidates["parcel"].notna().to_numpy())
    if not len(rows):
        return out
    plots = gpd.GeoDataFrame(
        {"area_id": candidates["candidate_id"].astype(str).to_numpy()[rows]},
        geometry=list(candidates["parcel"].to_numpy()[rows]),
        crs=candidates.crs,
    )
    att = attach_areas(network, plots, max_snap_m=max_snap_m or defaults.MAX_SNAP_M)
    order = np.lexsort((att.gap_m, att.owner))
    nearest = order[np.r_[True, att.owner[order][1:] != att.owner[order][:-1]]] if len(order) else order
    doors = gpd.GeoSeries(att.points[nearest], crs=network.crs).to_crs(candidates.crs).to_numpy()
    geoms = out.geometry.to_numpy().copy()
    geoms[rows[att.owner[nearest]]] = doors
    return out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=out.crs))


#: Sections of a scenario and the layers read from them.
_LAYER_SECTIONS = (
    ("residential", "areas"),
    ("facilities", "facilities"),
    ("candidates", "candidates"),
    ("entrances", "entrances"),
    ("units", "units"),
)


def _crs_needed(
    problem: Any, geometries: Any, section: str | None, net: StreetNetwork, *, source: Any, layer: Any
) -> SitingInputError:
    """``problem`` of the layer ``layer`` of ``source`` with, as its fix, the CRS that puts ``geometries``
    (coordinates as in the file) on the streets as the scenario line to write, or that none of the usual
    ones does."""
    from siting import crs_guess

    fits = crs_guess.fits(geometries, net)
    fix = (
        msg("crs_proposal", name=fits[0].name, median_m=f"{fits[0].median_m:.0f}", line=fits[0].line, section=section)
        if fits
        else msg("crs_none_fits")
    )
    key = f"{section}.crs" if section else None
    return SitingInputError(problem, source=source, key=key, layer=layer, fix=fix)


def _check_layers_on_network(settings: ScenarioSettings, data: dict[str, Any], net: StreetNetwork) -> None:
    """Refuse a layer lying wholly far from the streets (a wrong or assumed CRS), proposing the right one."""
    from siting import crs_guess
    from siting.reachability import FAR_OUTSIDE_M

    for section, name in _LAYER_SECTIONS:
        layer, spec = data[name], getattr(settings, section)
        if layer is None or spec is None or spec.path is None:
            continue
        near_share = 0.0 if isinstance(spec, SitesSettings) and spec.clip else 0.1
        if not crs_guess.far_from(layer.geometry, net, FAR_OUTSIDE_M, near_share=near_share):
            continue
        problem = msg(
            "layer_far_from_network", km=f"{FAR_OUTSIDE_M / 1000:g}", network=net.source, crs=layer.crs.to_string()
        )
        raise _crs_needed(problem, layer.geometry, section, net, source=str(spec.path), layer=spec.layer)


def _clip(settings: ScenarioSettings, data: dict[str, Any], net: StreetNetwork) -> dict[str, list[str]]:
    """Keep facilities and candidates with ``clip: true`` to those within reach of the streets; the ids
    left out, per section, for the summary."""
    left_out: dict[str, list[str]] = {}
    for section, id_column in (("facilities", "facility_id"), ("candidates", "candidate_id")):
        spec = getattr(settings, section)
        if spec is not None and spec.clip and data[section] is not None:
            data[section], left_out[section] = clip_to_network(
                net,
                data[section],
                id_column,
                max_snap_m=settings.reachability.max_snap_m,
                source=_source(spec),
            )
    return left_out


def _source(spec: LayerSettings | None) -> str | None:
    """The file of a layer as messages name it (None for a layer the scenario does not read from a file)."""
    return None if spec is None or spec.path is None else str(spec.path)


def _check_layers(settings: ScenarioSettings, data: dict[str, Any]) -> list[str]:
    """Records listed twice, and areas stacked at one point (:func:`siting.consistency.check_layers`):
    ``data``'s areas and entrances replaced by those counted; the ids left out, for the summary."""
    sources: dict[str, str | Message | None] = {
        name: _source(getattr(settings, name)) for name in ("facilities", "candidates")
    }
    sources["areas"] = str(settings.residential.source)
    data["areas"], data["entrances"], left_out = consistency.check_layers(
        data["areas"],
        data["facilities"],
        candidates=data["candidates"],
        entrances=data["entrances"],
        accept=settings.consistency,
        sources=sources,
    )
    return left_out


def _build_settings(settings: ScenarioSettings) -> BuildSettings:
    """Size bounds and unit costs from ``candidates:``, ``facilities:`` and ``optimize: {cost: ...}``."""
    cost = settings.optimize.cost if settings.optimize is not None else CostSettings()
    candidates = settings.candidates
    return BuildSettings(
        candidate_max_floor_area_m2=None if candidates is None else candidates.max_floor_area_m2,
        candidate_min_floor_area_m2=None if candidates is None else candidates.min_floor_area_m2,
        facility_max_floor_area_m2=settings.facilities.max_floor_area_m2,
        cost_new_site=cost.new_site,
        cost_per_m2=cost.per_m2,
        costs_given=cost.given,
    )


def _profile(scenario: Scenario) -> Profile:
    settings = scenario.settings
    try:
        return load_profile(
            settings.profile,
            settings.overrides.thawed() or None,
            assess_year=settings.assess_year,
            study_level=settings.level,
        )
    except SitingInputError as exc:
        # A mistake in the scenario's profile name or overrides names the scenario file and its key; a
        # mistake inside a profile file already names that file.
        if not isinstance(exc.source, str):
            if exc.source == msg("where_overrides"):
                exc.key = f"overrides.{exc.key}" if exc.key else "overrides"
            else:
                exc.key = exc.key or "profile"
            exc.source = str(scenario.path) if scenario.path else msg("where_scenario")
        raise


#: The scenario key behind each message the solvers give about their own settings.
_OPTIMIZE_KEYS = {
    "p_too_large": "optimize.p",
    "objective_needs_p": "optimize.p",
    "objective_takes_no_p": "optimize.p",
    "objective_takes_no_capacity": "optimize.capacity",
    "capacity_missing": "optimize.capacity",
    "method_unknown": "optimize.method",
}


@contextmanager
def _optimize_keys(scenario: Scenario) -> Iterator[None]:
    """A solver's complaint about its settings names the scenario file and its key (``optimize.p``),
    not the solver's own object (the SitingProblem) or a Python argument a planner never wrote."""
    try:
        yield
    except (SitingInputError, SitingInfeasibleError) as exc:
        problem = exc.problem.key if isinstance(exc.problem, Message) else None
        if problem in _OPTIMIZE_KEYS or exc.source == WHERE_PROBLEM:
            exc.key = _OPTIMIZE_KEYS.get(problem or "", exc.key or "optimize")
            exc.source = str(scenario.path) if scenario.path else msg("where_scenario")
        raise


def scenario_study(scenario: Scenario, bar: Steps | None = None) -> tuple[Study, dict[str, list[str]], list[str]]:
    """The :class:`~siting.plan.Study` a scenario describes, as ``siting run`` makes it.

    Its network, areas, entrances, facilities, units, profile with overrides, walk and build settings
    are the scenario's; ``study.candidates`` holds the scenario's candidate sites (None without a
    ``candidates: {path: ...}``) and ``study.scenario`` the scenario itself.

    Parameters
    ----------
    scenario : Scenario
    bar : Steps, optional
        The run's progress steps (``inputs``, then ``network``).

    Returns
    -------
    (Study, dict, list)
        The study, the ids left out by ``clip: true`` per section, and the areas left out as stacked
        at one point (:func:`siting.consistency.check_layers`), both for the summary.
    """
    settings = scenario.settings
    reach = settings.reachability
    profile = _profile(scenario)
    if bar is not None:
        bar.begin("inputs")
    try:
        data = _read_inputs(settings)
    except inputs.LayerWithoutCrs as exc:
        net = _network(settings.network)  # the streets the CRS is guessed against; the raise skips the read below
        raise _crs_needed(exc.problem, exc.geometries, exc.section, net, source=exc.source, layer=exc.layer) from None
    accept = settings.consistency
    stacked = _check_layers(settings, data)
    if bar is not None:
        bar.step("network")
    net = _network(settings.network)
    _check_layers_on_network(settings, data, net)
    consistency.check_area_sizes(
        data["areas"], net, max_snap_m=reach.max_snap_m, accept=accept, source=str(settings.residential.source)
    )
    if data["candidates"] is not None:
        data["candidates"] = parcel_access(data["candidates"], net, max_snap_m=reach.max_snap_m)
    clipped = _clip(settings, data, net)
    study = Study.create(
        net,
        data["areas"],
        data["facilities"],
        profile=profile,
        bands_min=reach.bands_min,
        max_snap_m=reach.max_snap_m,
        entrances=data["entrances"],
        units=data["units"],
        build=_build_settings(settings),
        accept=None,  # checked here, with the files named and the network read only when the layers pass
    )
    consistency.check_links(
        data["areas"],
        walk_m=study.settings.walk_distance_m,
        facilities=data["facilities"],
        candidates=data["candidates"],
        entrances=data["entrances"],
        accept=accept,
        sources={name: _source(getattr(settings, name)) for name in ("facilities", "candidates", "entrances")},
    )
    return dataclasses.replace(study, candidates=data["candidates"], scenario=scenario), clipped, stacked


# --------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------
def run_scenario(scenario: Scenario, *, progress: bool = True) -> ScenarioResult:
    """Run a scenario: read inputs, build the network, assess reachability and the rules, optimise.

    Parameters
    ----------
    scenario : Scenario
        From :func:`siting.scenario.load_scenario` or :func:`siting.scenario.scenario_from_dict`.
    progress : bool
        Show the steps on stderr: a live bar on a terminal, one line per step otherwise
        (:mod:`siting.progress`).

    Returns
    -------
    ScenarioResult
        Nothing is written; see :func:`run_and_write` and :mod:`siting.report`.
    """
    settings = scenario.settings
    opt = settings.optimize
    bar = Steps(6 if opt else 4, scenario.name, enabled=progress)
    step = bar.step
    try:
        study, clipped, stacked = scenario_study(scenario, bar)
        step("reachability")
        study.check()
        baseline = proposal = recheck = None
        if opt is not None:
            step("optimise")
            candidates = study.candidates
            if candidates is None:
                # on the scenario's grid, or the default one when it names no candidates
                grid = settings.candidates or CandidatesSettings()
                candidates = study.generate_candidates(spacing_m=grid.spacing_m)
                # a point on a street, with no land behind it: the report and map say so in its name
                sketch = term("generated_site", settings.map.language or "zh")
                candidates = candidates.assign(name=[f"{sketch} {c}" for c in candidates["candidate_id"]])
            with _optimize_keys(scenario):
                proposal = study.propose(
                    candidates,
                    opt.objective,
                    p=opt.p,
                    method=opt.method,
                    capacity=opt.capacity,
                    weight=opt.weight,
                    time_limit_s=opt.time_limit_s,
                    progress=bar.live,  # the solver's own bars only under a live bar: lines in a log stay readable
                )
            baseline, study = study, study.plan(proposal)
            step("plan")
            # the whole check again on the planned facilities: a claim it does not reproduce is a defect
            recheck = baseline.recheck(proposal, study)
            recheck.raise_for_disagreements()
        step("service areas")
        areas_sa = study.service_areas()
        summary = _summary(scenario, study, baseline, proposal, clipped, stacked, recheck)
        step("done")
    finally:
        bar.close()
    return ScenarioResult(
        scenario=scenario, summary=summary, study=study, service_areas=areas_sa, baseline=baseline, proposal=proposal
    )


def _round(value: Any, digits: int = 6) -> Any:
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else round(float(value), digits)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def _headline(study: Study) -> dict:
    return headline(study.check().areas)


def headline(areas: pd.DataFrame) -> dict:
    """The headline figures of ``summary.json`` from the check's per-area table.

    Parameters
    ----------
    areas : DataFrame
        :attr:`siting.compliance.ComplianceResult.areas`, or any frame with its ``households``,
        ``within_walk``, ``within_radius``, ``within_radius_network``, ``floor_area_ok`` and
        ``shortfall_m2`` (m²) columns.

    Returns
    -------
    dict
        Households, areas and shares (0–1) within the walk and the radius, the households the
        floor-area rule judges and the share of them meeting it, areas meeting it, the shortfall in m².
    """
    cov = coverage_rates(areas).iloc[0]
    ok = areas["floor_area_ok"].eq(True).fillna(False).to_numpy(bool)
    households = areas["households"].to_numpy(dtype=float)
    total = float(households.sum())
    # the rate counts the households the floor-area rule judges (not those of rural areas under 城镇居住区)
    judged = float(households[areas["floor_area_ok"].notna().to_numpy(bool)].sum())
    return {
        "households_total": total,
        "households_within_walk": float(cov["households_within_walk"]),
        "share_within_walk": float(cov["share_within_walk"]),
        "households_within_radius": float(cov["households_within_radius"]),
        "share_within_radius": float(cov["share_within_radius"]),
        "households_within_radius_network": float(cov["households_within_radius_network"]),
        "share_within_radius_network": float(cov["share_within_radius_network"]),
        "areas_total": len(areas),
        "areas_within_walk": int(cov["areas_within_walk"]),
        "areas_floor_area_ok": int(ok.sum()),
        "households_floor_area_judged": judged,
        "share_households_floor_area_ok": float(households[ok].sum() / judged) if judged > 0 else float("nan"),
        "floor_area_shortfall_m2": float(areas["shortfall_m2"].sum()),
    }


def _summary(
    scenario: Scenario,
    study: Study,
    baseline: Study | None,
    proposal: Proposal | None,
    clipped: dict[str, list[str]],
    stacked: list[str],
    recheck: PlanRecheck | None = None,
) -> dict:
    from siting.report import objective_units

    comp, profile, settings = study.check(), study.profile, study.settings
    summary: dict[str, Any] = {
        "scenario": scenario.name,
        "profile": comp.summary["profile"],
        "profile_chain": list(profile.chain),
    }
    summary.update(_headline(study))
    # how many households are estimates, by how they were estimated (buildings: OpenStreetMap areas)
    sources = study.areas["households_source"].value_counts()
    summary["areas_households_estimated"] = {str(k): int(v) for k, v in sources.items() if k != "input"}
    summary["left_out_by_clip"] = clipped
    summary["areas_left_out_at_one_point"] = stacked
    sites = None if proposal is None else proposal.sites
    model = None if proposal is None else proposal.model
    new = None if sites is None else sites[sites["kind"] == "new"]
    grown = None if sites is None else sites[sites["kind"] == "expand"]
    summary["proposed_sites"] = 0 if new is None else len(new)
    summary["proposed_site_ids"] = [] if new is None else new["site_id"].astype(str).tolist()
    summary["expanded_sites"] = 0 if grown is None else len(grown)
    summary["expanded_site_ids"] = [] if grown is None else grown["site_id"].astype(str).tolist()
    summary["added_floor_area_m2"] = 0.0 if sites is None else float(sites["added_floor_area_m2"].sum())
    # a total only where the proposals carry costs: given by the scenario, or minimised by `compliance`
    summary["plan_cost"] = None if sites is None or "cost" not in sites.columns else float(sites["cost"].sum())
    summary["unfixable_areas"] = (
        [] if proposal is None else [dict(row) for row in proposal.unfixable.to_dict(orient="records")]
    )
    # townships and communities no plan can serve, and how the plan treats each rule (方案未涉及 with why)
    summary["unfixable_units"] = [] if proposal is None else proposal.unfixable_units.to_dict(orient="records")
    summary["rules_planned"] = [] if proposal is None else proposal.rules.to_dict(orient="records")
    summary["objective"] = model.objective if model is not None else None
    summary["bound"] = model.bound if model is not None else None
    summary["status"] = model.status if model is not None else "not_optimised"
    summary["gap"] = model.gap if model is not None else None
    summary["plan_recheck"] = None if recheck is None else recheck.as_dict()
    if baseline is not None:
        summary.update({f"{key}_before": value for key, value in _headline(baseline).items()})
    summary["settings"] = {
        **settings.as_dict(),
        "service_radius_source": settings.sources.get("service_radius_m"),
        # as the planner wrote it (without the defaults filled in), as summary.json has always recorded it
        "optimize": dict(scenario.config["optimize"]) if scenario.settings.optimize is not None else None,
        "build": {
            **dataclasses.asdict(study.build),
            "toolkit_max_floor_area_m2": BuildSettings.TOOLKIT_MAX_FLOOR_AREA_M2,
        },
    }
    # what the objective counts (household-minutes, households, sites, cost units), so that no reader sets
    # figures of two objectives side by side as if they were one quantity
    summary["objective_unit"] = objective_units(summary, "en").get("objective")
    table = profile.describe("en")
    summary["profile_values"] = {row.key: profile.value(row.key) for row in table.itertuples(index=False)}
    summary["compliance"] = comp.summary
    summary["fingerprint"] = scenario.fingerprint()
    out = _clean(summary)
    # two significant figures, not six decimals: a gap of 0.000188 is 0.019 %, not 0 (which reads as proven);
    # below 1e-9 it is the round-off of equal objective and bound
    if model is not None and out["gap"] is not None:
        out["gap"] = float(f"{model.gap:.2g}") if abs(model.gap) >= 1e-9 else 0.0
    return out


def _clean(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, non-finite floats to None, floats rounded to 6 decimals
    (so that last-bit noise of a solver does not make two identical runs differ)."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if value is pd.NA:
        return None
    return _round(value)


# --------------------------------------------------------------------------------------------------
# Writing, reusing, comparing
# --------------------------------------------------------------------------------------------------
def run_and_write(
    scenario: Scenario, *, out: str | Path | None = None, progress: bool = True
) -> tuple[ScenarioResult, Path]:
    """Run a scenario and write its output folder whole (see :func:`siting.report.write_result`).

    Parameters
    ----------
    scenario : Scenario
    out : path, optional
        Output folder; default the scenario's ``output``.
    progress : bool
        Progress bar on stderr.

    Returns
    -------
    (ScenarioResult, Path)
        The result and the folder written.
    """
    from siting.report import atomic_folder, refuse_foreign_folder, write_result

    target = scenario.check_output(out)
    refuse_foreign_folder(target)
    # Nothing is created before the inputs are read and the run has succeeded: a refused input leaves
    # no empty output folder behind; a failed write removes the parent folders it made.
    made = [folder for folder in target.parents if not folder.exists()]
    try:
        with machine_failures(target):
            result = run_scenario(scenario, progress=progress)
            with atomic_folder(target) as tmp, machine_failures(target, work=tmp):
                write_result(result, tmp)
    except BaseException:
        for folder in made:  # the deepest first; one that holds something now stays
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return result, target


#: Free space below which a failed write is taken for a full disk, bytes (GDAL reports one as "no such
#: table: gpkg_contents", not as ENOSPC).
FULL_DISK_BYTES = 1 << 20


@contextmanager
def machine_failures(target: Path, *, work: Path | None = None) -> Iterator[None]:
    """Say a full disk or exhausted memory as a :class:`~siting.errors.SitingEnvironmentError` (exit 5).

    Parameters
    ----------
    target : Path
        The output folder, named in the message.
    work : Path, optional
        The work folder being written: a failure while its file system has less than
        :data:`FULL_DISK_BYTES` free is a full disk, whatever the library that failed called it. Used
        inside :func:`siting.report.atomic_folder`, so the space is measured before the work folder is
        removed. Without it only ENOSPC and EDQUOT count.
    """
    try:
        yield
    except MemoryError:
        raise SitingEnvironmentError(msg("out_of_memory"), fix=msg("out_of_memory_fix")) from None
    except (SitingInputError, SitingInfeasibleError, SitingEnvironmentError):
        raise
    except Exception as exc:
        if not _disk_full(exc, work):
            raise
        raise SitingEnvironmentError(
            msg("disk_full"), source=msg("where_folder", path=target), fix=msg("disk_full_fix")
        ) from None


def _disk_full(exc: BaseException, folder: Path | None) -> bool:
    """Whether ``exc`` (or an exception it came from) is ENOSPC/EDQUOT, or ``folder``'s disk is full."""
    chain: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in chain:  # a chain can loop back on itself
        chain.append(link)
        link = link.__cause__ or link.__context__
    if any(isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT) for e in chain):
        return True
    if folder is None:
        return False
    try:
        space = os.statvfs(folder)
    except (AttributeError, OSError):  # no statvfs on Windows
        return False
    # root may write into the blocks reserved for it; others stop at f_bavail
    free = space.f_bfree if os.geteuid() == 0 else space.f_bavail
    return free * space.f_frsize < FULL_DISK_BYTES


def load_result(folder: str | Path) -> dict:
    """A written output folder read back as a mapping (``summary``, ``areas``, ``facilities``, ...).

    Usable wherever :func:`siting.maps.comparison_map` takes a result.
    """
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    out: dict[str, Any] = {"summary": summary}
    for name in ("areas", "facilities", "proposals", "service_areas", "streets"):
        path = folder / f"{name}.gpkg"
        out[name] = gpd.read_file(path, layer=name) if path.exists() else None
    return out


def is_up_to_date(scenario: Scenario, folder: str | Path | None = None) -> bool:
    """Whether ``folder`` (default the scenario's ``output``) holds this scenario's outputs: its
    ``summary.json`` carries the scenario's :meth:`Scenario.fingerprint`, so a new run would write
    the same files. Folders are written whole, so a ``summary.json`` means a complete folder."""
    summary_path = Path(folder if folder is not None else scenario.output_dir) / "summary.json"
    if not summary_path.exists():
        return False
    try:
        stored = json.loads(summary_path.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, json.JSONDecodeError):
        return False
    return stored == scenario.fingerprint()


def run_or_reuse(scenario: Scenario, *, progress: bool = True) -> Any:
    """The scenario's result: read back from its output folder when that was made from the same
    settings and inputs (same fingerprint, :func:`is_up_to_date`), else run and written anew."""
    if is_up_to_date(scenario):
        return load_result(scenario.output_dir)
    return run_and_write(scenario, progress=progress)[0]


def compare_scenarios(
    paths: list[str | Path], *, out: str | Path = "out/compare", progress: bool = True
) -> tuple[pd.DataFrame, Path]:
    """Run (or reuse) each scenario and write the side-by-side comparison folder.

    Parameters
    ----------
    paths : list of path
        Two or more scenario files.
    out : path
        The comparison folder (``comparison.csv``, ``comparison.xlsx``, ``comparison_map.html``).
    progress : bool

    Returns
    -------
    (DataFrame, Path)
        The comparison table and the folder written.
    """
    from siting.report import atomic_folder, write_comparison

    scenarios = [load_scenario(p) for p in paths]
    target = Path(out).resolve()
    # every folder this writes is checked before the first scenario runs
    check_output_path(target)
    for scenario in scenarios:
        scenario.check_output()
        scenario.guard_inputs(target)
    results = [run_or_reuse(s, progress=progress) for s in scenarios]
    with machine_failures(target), atomic_folder(target) as tmp, machine_failures(target, work=tmp):
        table = write_comparison(results, tmp)
    return table, target


def run_demo(*, out: str | Path = "out/demo", maps: str | Path = "maps", progress: bool = True) -> str:
    """Run the bundled demo town's baseline and optimised plan, compare them, and say what was found.

    Writes ``<out>/baseline/``, ``<out>/plan/`` and ``<out>/compare/`` (the whole ``<out>`` folder at
    once) and ``<maps>/demo_baseline.html``, ``demo_plan.html``, ``demo_compare.html``; both folders
    are relative to the current folder, so this works from an installed wheel anywhere.

    Returns
    -------
    str
        A short summary in Chinese and English, with where the files are.
    """
    from siting.report import atomic_folder, format_demo, write_comparison, write_result

    folder = demo_dir() / "scenarios"
    baseline, plan = load_scenario(folder / "baseline.yml"), load_scenario(folder / "plan.yml")
    target = check_output_path(out).resolve()
    maps_dir = check_output_path(maps).resolve()
    baseline.guard_inputs(target)
    plan.guard_inputs(target)
    with atomic_folder(target) as tmp:
        with warnings.catch_warnings():
            # The demo data is meant to have the quirks these warn about (estimated households, a stray track).
            warnings.simplefilter("ignore")
            results = [run_scenario(s, progress=progress) for s in (baseline, plan)]
        for name, result in zip(("baseline", "plan"), results, strict=True):
            write_result(result, tmp / name)
        write_comparison(results, tmp / "compare")
    maps_made = [
        save_map_copy(target / name / "map.html", maps_dir / f"demo_{name}.html") for name in ("baseline", "plan")
    ]
    maps_made.append(save_map_copy(target / "compare" / "comparison_map.html", maps_dir / "demo_compare.html"))
    return format_demo(results, target, maps_made)


def save_map_copy(source: Path, destination: Path) -> Path:
    """Copy a written map to ``destination`` whole, readable by colleagues (:func:`siting.files.write_whole`)."""
    return write_whole(destination, source.read_bytes())
