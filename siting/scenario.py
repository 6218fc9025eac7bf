"""Scenario files: what to analyse, with which rules, and what to propose — one YAML file a planner edits.

A scenario names its street network, residential areas, facilities, optional candidate sites and
administrative units, a rule profile with overrides, and an optional optimisation::

    name: 东阿县城 现状
    network: {path: roads.osm.pbf}            # or {place: "东阿县, 聊城市, 山东省"} or {bbox: [w, s, e, n]}
    residential: {path: xiaoqu.gpkg, layer: xiaoqu, columns: {households: 总户数, status: 类型}}
    entrances: {path: xiaoqu.gpkg, layer: entrances}          # optional: gates of the areas
    facilities: {path: facilities.csv, crs: gcj02}             # CSV with lon/lat columns
    candidates: {path: candidates.gpkg}       # optional; or {generate: true, spacing_m: 150}
    units: {path: communities.gpkg}           # optional
    profile: dong_e                           # shipped name, or a profile YAML path
    overrides: {walk_speed_m_per_min: 55, walk_minutes: 15, service_radius_m: 1000}
    reachability: {bands_min: [5, 10, 15], max_snap_m: 300}    # optional
    optimize: {objective: p_median, p: 5, time_limit_s: 60}    # optional; set_cover, max_coverage
    map: {basemap: osm, language: zh}                          # optional
    output: out/baseline

Paths (inputs, ``profile`` when it is a file, ``output``) are relative to the file that states them.
``extends: base.yml`` starts from another scenario and deep-merges this file over it: mappings merge key
by key, anything else (lists, numbers, text) replaces, and ``null`` removes a key (``optimize: null``
turns the optimisation off). Every mistake in a file is reported at once, each with its key path
(e.g. ``optimize.p``) and what is expected, as one :class:`~siting.errors.SitingInputError`.

Optimisation ``{objective, p, capacity, time_limit_s, method, weight}``:

``objective``
    ``p_median`` (least household-weighted walking time with ``p`` new centres), ``max_coverage``
    (most households within the walking circle with ``p`` new centres) or ``set_cover`` (fewest new
    centres so every area that any site can reach is within the walking circle; ``p`` is not used).
``p``
    Number of new centres, or ``"until_compliant"``: the smallest ``p`` whose solution puts every
    area that any existing or candidate site can reach inside the walking circle (starting from
    the set-cover minimum and increasing it).
``capacity``
    Respect floor-area capacity: each site serves at most its floor area (existing:
    ``floor_area_m2``, none for facilities the floor-area rule does not count; candidates:
    ``max_floor_area_m2``, unlimited when unknown) at the profile's floor-area rate per 100
    households of each area's status.
``time_limit_s`` (default 60; with ``p: until_compliant`` it bounds the whole search), ``method`` (``exact``
HiGHS, default; ``heuristic``; ``greedy``),
``weight`` (``households``, default, or ``elderly``).

When a scenario optimises, the proposed centres join the facilities as new community centres with
their recommended floor area (the floor-area need of the areas they serve, at least the larger of
the profile's single-site minimum and community-centre minimum), and every figure of the result
describes the plan; the figures before the proposals are kept with a ``_before`` suffix.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import yaml

from siting.errors import SitingInputError
from siting.optimize import DEFAULT_METHOD, METHODS, OBJECTIVES

UNTIL_COMPLIANT = "until_compliant"
DEFAULT_PROFILE = "national"
DEFAULT_TIME_LIMIT_S = 60.0
#: Level given to proposed centres when they join the facilities of the plan.
PROPOSED_LEVEL = "community"
DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo_town"


# --------------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Field:
    """One key of the schema: a checker returning an error text (or None), and what is expected."""

    check: Callable[[Any], str | None]
    # text, or a function giving it when the choices are only known at run time (registered objectives)
    expected_text: str | Callable[[], str]
    required: bool = False

    @property
    def expected(self) -> str:
        return self.expected_text() if callable(self.expected_text) else self.expected_text


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "not a non-empty text"


def _positive(value: Any) -> str | None:
    return None if _is_number(value) and value > 0 else "not a positive number"


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "not true or false"


def _choice(*values: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in values else "not one of the allowed values"

    return check


def _text_map(value: Any) -> str | None:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return "not a mapping of schema name to column name"
    return None


def _bbox(value: Any) -> str | None:
    if not (isinstance(value, list) and len(value) == 4 and all(_is_number(v) for v in value)):
        return "not a list of four numbers"
    w, s, e, n = value
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        return "not west < east and south < north in degrees"
    return None


def _bands(value: Any) -> str | None:
    if not (isinstance(value, list) and value and all(_is_number(v) and v > 0 for v in value)):
        return "not a list of positive numbers"
    return None


def _p(value: Any) -> str | None:
    if value == UNTIL_COMPLIANT or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return None
    return "not a whole number ≥ 1 or until_compliant"


def _override(value: Any) -> str | None:
    if _is_number(value) and value >= 0:
        return None
    if isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value):
        return None
    if isinstance(value, dict) and "value" in value:
        return _override(value["value"])
    return "not a number ≥ 0 (or {value: ..., source: ...})"


_PATH = _Field(_text, "a file path, relative to the scenario file", required=True)
_LAYER = _Field(_text, "a layer name in the file")
_COLUMNS = _Field(_text_map, "a mapping of schema names to the file's columns, e.g. {households: 总户数}")
_CRS = _Field(_text, "gcj02, bd09, or a CRS such as EPSG:4547 for a layer without one")
_LONLAT = _Field(_text, "a column name of a CSV file")

_LAYER_KEYS = {"path": _PATH, "layer": _LAYER, "columns": _COLUMNS, "crs": _CRS}
SCHEMA: dict[str, Any] = {
    "name": _Field(_text, "a scenario name (Chinese allowed)", required=True),
    "description": _Field(_text, "a description"),
    "network": {
        "path": _Field(_text, "a street network file (.osm, .osm.pbf, .graphml, or road lines)"),
        "layer": _LAYER,
        "place": _Field(_text, "a place name for OpenStreetMap, e.g. '东阿县, 聊城市, 山东省' (online only)"),
        "bbox": _Field(_bbox, "[west, south, east, north] in degrees (online only)"),
    },
    "residential": {**_LAYER_KEYS, "household_size": _Field(_positive, "persons per household, e.g. 2.62")},
    "entrances": dict(_LAYER_KEYS),
    "facilities": {**_LAYER_KEYS, "lon": _LONLAT, "lat": _LONLAT},
    "candidates": {
        **_LAYER_KEYS,
        "path": _Field(_text, "a file path, relative to the scenario file"),
        "lon": _LONLAT,
        "lat": _LONLAT,
        "generate": _Field(_flag, "true to generate candidate sites on the streets"),
        "spacing_m": _Field(_positive, "spacing of generated candidates, metres"),
    },
    "units": dict(_LAYER_KEYS),
    "profile": _Field(_text, "a shipped profile name (see 'siting profiles') or a profile YAML path"),
    "overrides": _Field(
        lambda v: None if isinstance(v, dict) else "not a mapping",
        "a mapping of profile keys to values, e.g. {walk_speed_m_per_min: 55}",
    ),
    "reachability": {
        "bands_min": _Field(_bands, "a list of walking-time bands in minutes, e.g. [5, 10, 15]"),
        "max_snap_m": _Field(_positive, "the largest distance to a street, metres, e.g. 300"),
    },
    "optimize": {
        "objective": _Field(
            lambda v: None if isinstance(v, str) and v in OBJECTIVES else "not one of the allowed values",
            lambda: f"one of {', '.join(OBJECTIVES)}",
            required=True,
        ),
        "p": _Field(_p, f"a whole number of new centres ≥ 1, or {UNTIL_COMPLIANT}"),
        "capacity": _Field(_flag, "true or false: respect floor-area capacity"),
        "time_limit_s": _Field(_positive, "a time limit in seconds, e.g. 60"),
        "method": _Field(_choice(*METHODS), f"one of {', '.join(METHODS)}"),
        "weight": _Field(_choice("households", "elderly"), "households or elderly"),
    },
    "map": {
        "basemap": _Field(_choice("osm", "amap", "tianditu", "none"), "one of osm, amap, tianditu, none"),
        "language": _Field(_choice("zh", "en"), "zh or en"),
    },
    "output": _Field(_text, "an output folder, relative to the scenario file"),
}
REQUIRED_SECTIONS = ("network", "residential", "facilities")
#: Keys whose values are paths, resolved relative to the file that states them.
PATH_KEYS = (
    ("network", "path"),
    ("residential", "path"),
    ("entrances", "path"),
    ("facilities", "path"),
    ("candidates", "path"),
    ("units", "path"),
    ("output",),
)


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _unknown(key: str, known: Mapping[str, Any], where: str) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{where}{key}: unknown key{hint}; expected one of {', '.join(known)}"


def _check_section(value: Any, spec: Mapping[str, Any], where: str, errors: list[str]) -> None:
    if not isinstance(value, dict):
        errors.append(f"{where.rstrip('.')}: expected a mapping of {', '.join(spec)}, got {_describe(value)}")
        return
    for key, item in value.items():
        if key not in spec:
            errors.append(_unknown(str(key), spec, where))
            continue
        rule = spec[key]
        if isinstance(rule, dict):
            _check_section(item, rule, f"{where}{key}.", errors)
        elif rule.check(item) is not None:
            errors.append(f"{where}{key}: expected {rule.expected}, got {_describe(item)}")
    for key, rule in spec.items():
        if isinstance(rule, _Field) and rule.required and key not in value:
            errors.append(f"{where}{key}: missing; expected {rule.expected}")


def validate(config: Mapping[str, Any]) -> list[str]:
    """Every mistake in a (merged) scenario mapping, as ``"key.path: what is expected, got what"``.

    Parameters
    ----------
    config : mapping
        The scenario after ``extends`` is merged.

    Returns
    -------
    list of str
        Empty when the scenario is valid.
    """
    errors: list[str] = []
    if not isinstance(config, dict):
        return [f"(top level): expected a mapping of scenario keys, got {_describe(config)}"]
    _check_section(config, SCHEMA, "", errors)
    for section in REQUIRED_SECTIONS:
        if section not in config:
            errors.append(f"{section}: missing; expected a mapping such as {{path: ...}}")
    network = config.get("network")
    if isinstance(network, dict):
        given = [k for k in ("path", "place", "bbox") if k in network]
        if len(given) != 1:
            errors.append(
                "network: expected exactly one of path, place or bbox, got " + (", ".join(given) if given else "none")
            )
    candidates = config.get("candidates")
    if isinstance(candidates, dict) and "path" not in candidates and not candidates.get("generate"):
        errors.append("candidates: expected path (a candidate layer) or generate: true")
    optimize = config.get("optimize")
    objective = OBJECTIVES.get(str(optimize.get("objective"))) if isinstance(optimize, dict) else None
    if isinstance(optimize, dict) and objective is not None and objective.needs_p and "p" not in optimize:
        errors.append(
            f"optimize.p: missing; {optimize['objective']} needs a whole number of new centres or {UNTIL_COMPLIANT}"
        )
    overrides = config.get("overrides")
    if isinstance(overrides, dict):
        from siting.profiles import SCHEMA as PROFILE_KEYS

        for key, value in overrides.items():
            if key not in PROFILE_KEYS:
                errors.append(_unknown(str(key), PROFILE_KEYS, "overrides."))
            elif (problem := _override(value)) is not None:
                errors.append(
                    f"overrides.{key}: expected a number in {PROFILE_KEYS[key].unit}, "
                    f"got {_describe(value)} ({problem})"
                )
    return errors


# --------------------------------------------------------------------------------------------------
# Loading, extends and paths
# --------------------------------------------------------------------------------------------------
@dataclass
class Scenario:
    """A validated scenario: its settings with every path absolute.

    Attributes
    ----------
    name : str
        The scenario's ``name``.
    config : dict
        The merged settings; paths are absolute.
    path : Path or None
        The scenario file (None for one built from a mapping).
    chain : tuple of Path
        The files merged, the scenario file first, then what it extends.
    """

    name: str
    config: dict
    path: Path | None = None
    chain: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def output_dir(self) -> Path:
        """The output folder (``output``, default ``out/<file stem>`` beside the scenario file)."""
        if "output" in self.config:
            return Path(self.config["output"])
        base = self.path.parent if self.path is not None else Path.cwd()
        stem = self.path.stem if self.path is not None else _slug(self.name)
        return (base / "out" / stem).resolve()

    def input_files(self) -> list[Path]:
        """The input files this scenario reads (the scenario files, layers, network, profile file)."""
        files = list(self.chain)
        for section, *_ in PATH_KEYS:
            if section == "output":
                continue
            value = self.config.get(section)
            if isinstance(value, dict) and "path" in value:
                files.append(Path(value["path"]))
        profile = self.config.get("profile", DEFAULT_PROFILE)
        if _is_profile_path(profile):
            files.append(Path(profile))
        return sorted(set(files))

    def fingerprint(self) -> str:
        """SHA-256 of the settings, the bytes of every input file and the siting version.

        Two runs with the same fingerprint give the same outputs, so ``siting compare`` reuses an
        output folder whose ``summary.json`` carries this fingerprint.
        """
        from siting import __version__

        digest = hashlib.sha256()
        settings = {k: v for k, v in self.config.items() if k != "output"}
        digest.update(json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str).encode())
        digest.update(__version__.encode())
        for path in self.input_files():
            digest.update(str(path.name).encode())
            digest.update(file_sha256(path).encode() if path.exists() else b"missing")
        return digest.hexdigest()


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _slug(text: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text.strip())
    return keep.strip("_") or "scenario"


def _is_profile_path(profile: Any) -> bool:
    return isinstance(profile, str) and profile.lower().endswith((".yaml", ".yml"))


def _read_yaml(path: Path) -> dict:
    if not path.exists():
        raise SitingInputError("scenario file not found", source=str(path), fix="check the path")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise SitingInputError(
            f"not valid YAML{where}: {getattr(exc, 'problem', None) or exc}",
            source=str(path),
            fix="check indentation, colons and brackets",
        ) from None
    except UnicodeDecodeError:
        raise SitingInputError("not UTF-8 text", source=str(path), fix="save the file as UTF-8") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SitingInputError(
            f"expected a mapping of scenario keys, got {_describe(data)}",
            source=str(path),
            fix="start with 'name: ...' and the other keys, one per line",
        )
    return data


def _resolve_paths(data: dict, base: Path) -> dict:
    """A copy of one file's mapping with its relative paths made absolute against ``base``."""
    out = copy.deepcopy(data)
    for section, *rest in PATH_KEYS:
        if not rest:
            if isinstance(out.get(section), str):
                out[section] = str((base / out[section]).resolve())
            continue
        part = out.get(section)
        if isinstance(part, dict) and isinstance(part.get(rest[0]), str):
            part[rest[0]] = str((base / part[rest[0]]).resolve())
    if _is_profile_path(out.get("profile")):
        out["profile"] = str((base / out["profile"]).resolve())
    return out


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict:
    """``over`` merged onto ``base``: mappings key by key, other values replaced, ``None`` deletes."""
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merged(path: Path, seen: tuple[Path, ...]) -> tuple[dict, tuple[Path, ...]]:
    path = path.resolve()
    if path in seen:
        raise SitingInputError(
            f"'extends' loops back to {path.name}", source=str(seen[-1]), fix="remove one 'extends:' link"
        )
    data = _resolve_paths(_read_yaml(path), path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data, (*seen, path)
    if not isinstance(parent, str) or not parent.strip():
        raise SitingInputError(
            f"extends: expected the path of another scenario file, got {_describe(parent)}", source=str(path)
        )
    base, chain = _merged(path.parent / parent, (*seen, path))
    return deep_merge(base, data), chain


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario YAML file, merge what it ``extends``, resolve its paths and validate it.

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    Scenario

    Raises
    ------
    siting.errors.SitingInputError
        Unreadable YAML, an ``extends`` loop, or schema mistakes (all listed, each with its key).
    """
    path = Path(path).resolve()
    config, chain = _merged(path, ())
    return _validated(config, path, chain)


def scenario_from_dict(config: Mapping[str, Any], base_dir: str | Path = ".") -> Scenario:
    """A scenario from a mapping (e.g. in a notebook); relative paths are taken from ``base_dir``.

    ``extends`` is read relative to ``base_dir`` too.
    """
    base = Path(base_dir).resolve()
    data = _resolve_paths(dict(config), base)
    parent = data.pop("extends", None)
    chain: tuple[Path, ...] = ()
    if parent is not None:
        parent_config, chain = _merged(base / str(parent), ())
        data = deep_merge(parent_config, data)
    return _validated(data, None, chain)


def _validated(config: dict, path: Path | None, chain: tuple[Path, ...]) -> Scenario:
    errors = validate(config)
    if errors:
        where = " (after merging " + " ← ".join(p.name for p in chain) + ")" if len(chain) > 1 else ""
        raise SitingInputError(
            f"{len(errors)} mistake(s) in the scenario{where}:\n  - " + "\n  - ".join(errors),
            source=str(path) if path else "scenario",
            fix="correct the keys listed above",
        )
    return Scenario(name=str(config["name"]).strip(), config=config, path=path, chain=chain)


# --------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------
@dataclass
class ScenarioResult:
    """Everything a scenario run produced; :mod:`siting.report` writes it, :mod:`siting.maps` draws it.

    Attributes
    ----------
    scenario : Scenario
    summary : dict
        Headline figures and settings (written as ``summary.json``).
    areas : GeoDataFrame
        Per residential area: reachability and floor-area columns (of the plan when optimised).
    facilities : GeoDataFrame
        Existing facilities with compliance columns, plus proposed centres (``proposed`` True).
    proposals : GeoDataFrame or None
        Proposed centres in rank order (None without ``optimize``).
    service_areas : GeoDataFrame
        Walking-time service areas of the facilities (and proposed centres).
    units : GeoDataFrame or None
        Administrative units.
    compliance : ComplianceResult
        The floor-area and unit checks (of the plan when optimised).
    access : Accessibility
        The reachability result (of the plan when optimised).
    access_before, compliance_before : optional
        The same before the proposals (None without ``optimize``).
    profile : Profile
    model : solver or None
        The solved optimisation model.
    network : StreetNetwork
    """

    scenario: Scenario
    summary: dict
    areas: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    proposals: gpd.GeoDataFrame | None
    service_areas: gpd.GeoDataFrame
    units: gpd.GeoDataFrame | None
    compliance: Any
    access: Any
    profile: Any
    network: Any
    model: Any = None
    access_before: Any = None
    compliance_before: Any = None


_NETWORK_CACHE: dict[tuple, Any] = {}


def _network(config: dict):
    from siting import network

    spec = config["network"]
    if "path" in spec:
        path = Path(spec["path"])
        stat = path.stat() if path.exists() else None
        key = (str(path), spec.get("layer"), stat.st_size if stat else None, stat.st_mtime_ns if stat else None)
        if stat is not None and key in _NETWORK_CACHE:
            return _NETWORK_CACHE[key]
        net = network.from_file(path, layer=spec.get("layer"))
        _NETWORK_CACHE.clear()  # one network at a time: a county network is large
        _NETWORK_CACHE[key] = net
        return net
    if "place" in spec:
        return network.from_place(spec["place"])
    return network.from_bbox(tuple(spec["bbox"]))


def _layer_kwargs(spec: dict, extra: tuple[str, ...] = ()) -> dict:
    keys = ("layer", "columns", "crs", *extra)
    return {k: spec[k] for k in keys if k in spec}


def _read_inputs(config: dict) -> dict:
    from siting import inputs

    res = config["residential"]
    kwargs = _layer_kwargs(res, ("household_size",))
    data = {"areas": inputs.read_areas(res["path"], **kwargs)}
    data["facilities"] = inputs.read_facilities(
        config["facilities"]["path"], **_layer_kwargs(config["facilities"], ("lon", "lat"))
    )
    data["entrances"] = (
        inputs.read_entrances(config["entrances"]["path"], **_layer_kwargs(config["entrances"]))
        if "entrances" in config
        else None
    )
    cand = config.get("candidates")
    data["candidates"] = (
        inputs.read_candidates(cand["path"], **_layer_kwargs(cand, ("lon", "lat"))) if cand and "path" in cand else None
    )
    data["units"] = (
        inputs.read_units(config["units"]["path"], **_layer_kwargs(config["units"])) if "units" in config else None
    )
    if data["units"] is not None:
        data["areas"] = inputs.assign_units(data["areas"], data["units"])
        data["facilities"] = inputs.assign_units(data["facilities"], data["units"])
    return data


def _settings(profile) -> dict:
    from siting.reachability import DEFAULT_SERVICE_RADIUS_M

    radius = profile.value("service_radius_m")
    return {
        "walk_minutes": float(profile.require("walk_minutes")),
        "walk_speed_m_per_min": float(profile.require("walk_speed_m_per_min")),
        "service_radius_m": float(radius if radius is not None else DEFAULT_SERVICE_RADIUS_M),
        "service_radius_source": profile.source("service_radius_m")
        if radius is not None
        else "toolkit default (the profile states no service radius)",
    }


def _assess(net, areas, facilities, entrances, settings: dict, reach: dict, profile, units):
    from siting.compliance import check_compliance
    from siting.reachability import assess_access

    access = assess_access(
        net,
        areas,
        facilities,
        walk_speed_m_per_min=settings["walk_speed_m_per_min"],
        walk_minutes=settings["walk_minutes"],
        service_radius_m=settings["service_radius_m"],
        bands_min=reach.get("bands_min", (5, 10, 15)),
        entrances=entrances,
        max_snap_m=reach.get("max_snap_m", 300.0),
    )
    comp = check_compliance(access.areas, access.facilities, access.pairs, profile, units=units)
    return access, comp


def candidate_pairs(
    network,
    areas: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    *,
    walk_speed_m_per_min: float,
    walk_minutes: float,
    entrances: gpd.GeoDataFrame | None = None,
    area_attachment=None,
    max_snap_m: float = 300.0,
) -> pd.DataFrame:
    """Area–candidate walking distances within the walking circle, as the optimiser takes them.

    Parameters
    ----------
    network : StreetNetwork
    areas : GeoDataFrame
        Residential areas (``area_id``), from :func:`siting.inputs.read_areas`.
    candidates : GeoDataFrame
        Candidate sites (``candidate_id``), from :func:`siting.inputs.read_candidates`.
    walk_speed_m_per_min, walk_minutes : float
        Walking speed (m/min) and cutoff (min); pairs farther than their product are left out.
    entrances : GeoDataFrame, optional
        Gates of the areas.
    area_attachment : siting.snapping.Attachment, optional
        The areas' attachment from :func:`siting.reachability.assess_access` (its
        ``area_attachment``), so the areas are not attached to the streets twice.
    max_snap_m : float
        Largest distance to a street, metres.

    Returns
    -------
    DataFrame
        ``area_id``, ``candidate_id``, ``dist_m`` (m), ``walk_min`` (min), for
        :meth:`siting.optimize.SitingProblem.from_tables`.
    """
    from siting.reachability import site_pairs

    return site_pairs(
        network,
        areas,
        candidates,
        id_column="candidate_id",
        limit_m=walk_minutes * walk_speed_m_per_min,
        walk_speed_m_per_min=walk_speed_m_per_min,
        entrances=entrances,
        area_attachment=area_attachment,
        max_snap_m=max_snap_m,
    )


def _area_rates(areas: pd.DataFrame, profile) -> np.ndarray:
    """Floor-area rate (m² per 100 households) of each area by its status; 0 where the profile has none."""
    from siting.compliance import RATE_KEYS

    rates = {status: profile.value(key) for status, key in RATE_KEYS.items()}
    return areas["status"].map(lambda s: rates.get(s) or 0.0).to_numpy(dtype=float)


def _solver(name: str, opt: dict, p: int | None, progress: bool, time_limit_s: float | None = None):
    limit = float(opt.get("time_limit_s", DEFAULT_TIME_LIMIT_S)) if time_limit_s is None else time_limit_s
    kwargs = {
        "method": opt.get("method", DEFAULT_METHOD),
        "capacitated": bool(opt.get("capacity", False)),
        "time_limit_s": limit,
        "progress": progress,
    }
    return OBJECTIVES[name].make(p=p, **kwargs)


def _optimize(problem, opt: dict, progress: bool):
    """Solve the configured model; for ``p: until_compliant`` raise p from the set-cover minimum."""
    name = opt["objective"]
    if not OBJECTIVES[name].needs_p:
        return _solver(name, opt, None, progress).solve(problem)
    if opt["p"] != UNTIL_COMPLIANT:
        return _solver(name, opt, int(opt["p"]), progress).solve(problem)
    # time_limit_s bounds the whole search, not each p: the planner asked for one answer in that time
    deadline = time.monotonic() + float(opt.get("time_limit_s", DEFAULT_TIME_LIMIT_S))

    def remaining() -> float:
        return max(1.0, deadline - time.monotonic())

    cover = _solver("set_cover", opt, None, progress, remaining()).solve(problem)
    reachable = problem.covered_by(np.flatnonzero(problem.is_candidate))
    start = len(cover.selected_)
    if start == 0:
        return cover
    for p in range(start, problem.n_candidates + 1):
        model = _solver(name, opt, p, progress, remaining()).solve(problem)
        if problem.covered_by(model.selected_)[reachable].all() or time.monotonic() >= deadline:
            return model
    return model


def _proposed_facilities(proposals: gpd.GeoDataFrame, crs) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "facility_id": proposals["candidate_id"].astype(str).to_numpy(),
            "name": proposals["name"].astype(str).to_numpy(),
            "level": PROPOSED_LEVEL,
            "floor_area_m2": proposals["recommended_floor_area_m2"].to_numpy(dtype=float),
            "beds": np.nan,
            "land_area_m2": np.nan,
        },
        geometry=proposals.geometry.to_crs(crs).to_numpy(),
        crs=crs,
    )
    return frame


def _round(value: Any, digits: int = 6) -> Any:
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else round(float(value), digits)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def _headline(access, comp) -> dict:
    cov = access.coverage().iloc[0]
    areas = comp.areas
    ok = areas["floor_area_ok"].eq(True).fillna(False).to_numpy(bool)
    households = areas["households"].to_numpy(dtype=float)
    total = float(households.sum())
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
        "share_households_floor_area_ok": float(households[ok].sum() / total) if total > 0 else float("nan"),
        "floor_area_shortfall_m2": float(comp.summary["shortfall_m2"]),
    }


def _summary(
    scenario: Scenario, profile, settings: dict, reach: dict, access, comp, before: dict | None, model, proposals
) -> dict:
    summary: dict[str, Any] = {
        "scenario": scenario.name,
        "profile": comp.summary["profile"],
        "profile_chain": list(profile.chain),
    }
    summary.update(_headline(access, comp))
    summary["proposed_sites"] = 0 if proposals is None else len(proposals)
    summary["proposed_site_ids"] = [] if proposals is None else proposals["candidate_id"].astype(str).tolist()
    opt = scenario.config.get("optimize")
    summary["objective"] = model.objective if model is not None else None
    summary["bound"] = model.bound if model is not None else None
    summary["status"] = model.status if model is not None else "not_optimised"
    summary["gap"] = model.gap if model is not None else None
    if before is not None:
        summary.update({f"{key}_before": value for key, value in before.items()})
    summary["settings"] = {
        **settings,
        "bands_min": list(access.bands_min),
        "max_snap_m": float(reach.get("max_snap_m", 300.0)),
        "optimize": dict(opt) if opt else None,
    }
    table = profile.describe("en")
    summary["profile_values"] = {row.key: profile.value(row.key) for row in table.itertuples(index=False)}
    summary["compliance"] = comp.summary
    summary["fingerprint"] = scenario.fingerprint()
    return _clean(summary)


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


def run_scenario(scenario: Scenario, *, progress: bool = True) -> ScenarioResult:
    """Run a scenario: read inputs, build the network, assess reachability and the rules, optimise.

    Parameters
    ----------
    scenario : Scenario
        From :func:`load_scenario` or :func:`scenario_from_dict`.
    progress : bool
        Show the steps on stderr: a live bar on a terminal, one line per step otherwise
        (:mod:`siting.progress`).

    Returns
    -------
    ScenarioResult
        Nothing is written; see :func:`run_and_write` and :mod:`siting.report`.
    """
    from siting.profiles import load_profile
    from siting.progress import Steps
    from siting.service_areas import service_areas

    config = scenario.config
    opt = config.get("optimize")
    reach = config.get("reachability", {})
    bar = Steps(6 if opt else 4, scenario.name, enabled=progress)
    step = bar.step
    try:
        profile_name = config.get("profile", DEFAULT_PROFILE)
        overrides = config.get("overrides") or None
        try:
            profile = load_profile(profile_name, overrides)
        except SitingInputError as exc:
            raise SitingInputError(f"profile/overrides: {exc}", source=str(scenario.path or "scenario")) from None
        settings = _settings(profile)
        bar.begin("inputs")
        data = _read_inputs(config)
        step("network")
        net = _network(config)
        step("reachability")
        access, comp = _assess(
            net, data["areas"], data["facilities"], data["entrances"], settings, reach, profile, data["units"]
        )
        facilities = data["facilities"]
        model = proposals = access_before = comp_before = before = None
        if opt:
            step("optimise")
            candidates = data["candidates"]
            if candidates is None:
                from siting.optimize import generate_candidates

                candidates = generate_candidates(
                    net,
                    data["areas"],
                    access.areas["within_walk"].to_numpy(bool),
                    spacing_m=config["candidates"].get("spacing_m", 150.0) if config.get("candidates") else 150.0,
                )
                candidates = candidates.to_crs(data["areas"].crs)
            model, proposals = _propose(
                net,
                {**data, "facilities": comp.facilities},
                candidates,
                access,
                settings,
                reach,
                profile,
                opt,
                bar.live,  # the solver's own bars only under a live bar: lines in a log stay readable
            )
            access_before, comp_before, before = access, comp, _headline(access, comp)
            step("plan")
            facilities = pd.concat(
                [
                    facilities.assign(proposed=False),
                    _proposed_facilities(proposals, facilities.crs).assign(proposed=True),
                ],
                ignore_index=True,
            )
            facilities = gpd.GeoDataFrame(facilities, geometry="geometry", crs=data["facilities"].crs)
            if data["units"] is not None:
                from siting.inputs import assign_units

                facilities = assign_units(
                    facilities.drop(columns=["township", "community"], errors="ignore"), data["units"]
                )
            access, comp = _assess(
                net, data["areas"], facilities, data["entrances"], settings, reach, profile, data["units"]
            )
        step("service areas")
        areas_sa = service_areas(
            net,
            facilities,
            walk_speed_m_per_min=settings["walk_speed_m_per_min"],
            bands_min=reach.get("bands_min", (5, 10, 15)),
            max_snap_m=reach.get("max_snap_m", 300.0),
        )
        summary = _summary(scenario, profile, settings, reach, access, comp, before, model, proposals)
        step("done")
    finally:
        bar.close()
    out_facilities = comp.facilities
    if "proposed" not in out_facilities.columns:
        out_facilities = out_facilities.assign(proposed=False)
    return ScenarioResult(
        scenario=scenario,
        summary=summary,
        areas=comp.areas,
        facilities=out_facilities,
        proposals=proposals,
        service_areas=areas_sa,
        units=data["units"],
        compliance=comp,
        access=access,
        profile=profile,
        network=net,
        model=model,
        access_before=access_before,
        compliance_before=comp_before,
    )


def _propose(net, data: dict, candidates, access, settings: dict, reach: dict, profile, opt: dict, progress: bool):
    from siting.optimize import SitingProblem

    areas = data["areas"]
    pairs = candidate_pairs(
        net,
        areas,
        candidates,
        walk_speed_m_per_min=settings["walk_speed_m_per_min"],
        walk_minutes=settings["walk_minutes"],
        entrances=data["entrances"],
        area_attachment=access.area_attachment,
        max_snap_m=reach.get("max_snap_m", 300.0),
    )
    problem = SitingProblem.from_tables(
        areas,
        data["facilities"],
        candidates,
        access.pairs,
        pairs,
        walk_minutes=settings["walk_minutes"],
        weight=opt.get("weight", "households"),
        rate_m2_per_100_households=_area_rates(areas, profile),
    )
    model = _optimize(problem, opt, progress)
    if model.status == "infeasible":
        raise SitingInputError(
            f"the optimisation is infeasible: {model.message}",
            source="optimize",
            fix="add candidate sites, lower p, or set capacity: false",
        )
    minimum = max(profile.value("min_site_area_m2") or 0.0, profile.value("community_centre_min_m2") or 0.0)
    proposals = model.proposals_frame(min_site_area_m2=minimum)
    limit = candidates.set_index("candidate_id")["max_floor_area_m2"].reindex(proposals["candidate_id"])
    proposals["max_floor_area_m2"] = limit.to_numpy(dtype=float)
    proposals["fits_site"] = np.isnan(proposals["max_floor_area_m2"]) | (
        proposals["recommended_floor_area_m2"] <= proposals["max_floor_area_m2"]
    )
    return model, proposals.to_crs(areas.crs)


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
    from siting.report import atomic_folder, write_result

    target = Path(out).resolve() if out is not None else scenario.output_dir
    _guard_inputs(scenario, target)
    with atomic_folder(target) as tmp:
        result = run_scenario(scenario, progress=progress)
        write_result(result, tmp)
    return result, target


def _guard_inputs(scenario: Scenario, target: Path) -> None:
    """Refuse an output folder that holds an input: replacing it would delete the planner's data."""
    target = target.resolve()
    for path in scenario.input_files():
        if path.resolve().is_relative_to(target):
            raise SitingInputError(
                f"the output folder {target} contains the input {path}",
                source=str(scenario.path or "scenario"),
                column="output",
                fix="choose an output folder of its own, e.g. out/<scenario name>",
            )


def load_result(folder: str | Path) -> dict:
    """A written output folder read back as a mapping (``summary``, ``areas``, ``facilities``, ...).

    Usable wherever :func:`siting.maps.comparison_map` takes a result.
    """
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    out: dict[str, Any] = {"summary": summary}
    for name in ("areas", "facilities", "proposals", "service_areas"):
        path = folder / f"{name}.gpkg"
        out[name] = gpd.read_file(path) if path.exists() else None
    return out


def run_or_reuse(scenario: Scenario, *, progress: bool = True) -> Any:
    """The scenario's result: read back from its output folder when that was made from the same
    settings and inputs (same fingerprint), else run and written anew."""
    summary_path = scenario.output_dir / "summary.json"
    if summary_path.exists():
        try:
            stored = json.loads(summary_path.read_text(encoding="utf-8")).get("fingerprint")
        except (OSError, json.JSONDecodeError):
            stored = None
        if stored == scenario.fingerprint():
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
    results = [run_or_reuse(s, progress=progress) for s in scenarios]
    target = Path(out).resolve()
    for scenario in scenarios:
        _guard_inputs(scenario, target)
    with atomic_folder(target) as tmp:
        table = write_comparison(results, tmp)
    return table, target


def run_demo(*, out: str | Path = "out/demo", maps: str | Path = "maps", progress: bool = True) -> str:
    """Run the bundled demo town's baseline and optimised plan, compare them, and say what was found.

    Writes ``<out>/baseline/``, ``<out>/plan/`` and ``<out>/compare/`` (the whole ``<out>`` folder at
    once) and ``<maps>/demo_baseline.html``, ``demo_plan.html``, ``demo_compare.html``.

    Returns
    -------
    str
        A short summary in Chinese and English, with where the files are.
    """
    from siting.report import atomic_folder, format_demo, write_comparison, write_result

    folder = DEMO_DIR / "scenarios"
    baseline, plan = load_scenario(folder / "baseline.yml"), load_scenario(folder / "plan.yml")
    target = Path(out).resolve()
    maps_dir = Path(maps).resolve()
    _guard_inputs(baseline, target)
    _guard_inputs(plan, target)
    with atomic_folder(target) as tmp:
        with warnings.catch_warnings():
            # The demo data is meant to have the quirks these warn about (estimated households, a stray track).
            warnings.simplefilter("ignore")
            results = [run_scenario(s, progress=progress) for s in (baseline, plan)]
        for name, result in zip(("baseline", "plan"), results, strict=True):
            write_result(result, tmp / name)
        write_comparison(results, tmp / "compare")
    maps_made = []
    for name in ("baseline", "plan"):
        maps_made.append(save_map_copy(target / name / "map.html", maps_dir / f"demo_{name}.html"))
    maps_made.append(save_map_copy(target / "compare" / "comparison_map.html", maps_dir / "demo_compare.html"))
    return format_demo(results, target, maps_made)


def save_map_copy(source: Path, destination: Path) -> Path:
    """Copy a written map to ``destination`` whole, readable by colleagues (:func:`siting.files.write_whole`)."""
    from siting.files import write_whole

    return write_whole(destination, source.read_bytes())
