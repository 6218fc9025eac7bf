"""Scenario files: what to analyse, with which rules, and what to propose — one YAML file a planner edits.

A scenario names its street network, residential areas, facilities, optional candidate sites and
administrative units, a rule profile with overrides, and an optional optimisation::

    name: 东阿县城 现状
    network: {path: roads.osm.pbf}            # or {place: "东阿县, 聊城市, 山东省"} or {bbox: [w, s, e, n]}
                                              # or {path: 道路中心线.shp, columns: {name: 道路名称, class: 道路等级}}
    residential: {path: xiaoqu.gpkg, layer: xiaoqu, columns: {households: 总户数, status: 类型}}
                                              # crs: "EPSG:4548" (or 4548) for a layer without one
                                              # or {path: 小区.csv, crs: bd09, point_radius_m: 150} (points)
                                              # or {osm: town.osm} (OpenStreetMap areas, households
                                              # estimated from buildings; default_floors: 6)
    entrances: {path: xiaoqu.gpkg, layer: entrances}          # optional: gates of the areas
    facilities: {path: facilities.csv, crs: gcj02}             # CSV or .xlsx/.xls (sheet:) with lon/lat;
                                              # clip: true keeps those within reach of the streets
    candidates: {path: candidates.gpkg}       # optional: points or plots (容积率, 限高); or
                                              # {generate: true, spacing_m: 150}: 示意位置（需落实用地）
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

This module reads and checks scenario files and makes their settings, typed and frozen with the toolkit
defaults filled in, once (:attr:`Scenario.settings`, :mod:`siting.settings`); :mod:`siting.pipeline` runs them.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from siting import validation
from siting.errors import SitingInputError
from siting.files import check_output_path, missing_file_fix
from siting.labels import LANGUAGES, Lines, Message, msg
from siting.optimize.registry import METHODS, OBJECTIVES, UNTIL_COMPLIANT
from siting.safe_yaml import load_yaml
from siting.settings import PATH_KEYS, ScenarioSettings

#: Longest chain of ``extends:`` (a scenario extending one extending one ...).
MAX_EXTENDS = 32


# --------------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Field:
    """One key of the schema: a checker returning an error text (or None), and what is expected."""

    check: Callable[[Any], Message | None]
    # a message, or a function giving it when the choices are only known at run time (registered objectives)
    expected_text: Message | Callable[[], Message]
    required: bool = False
    # say what the check found (a figure outside its plausible range), not only what is expected
    explain: bool = False

    @property
    def expected(self) -> Message:
        return self.expected_text() if callable(self.expected_text) else self.expected_text


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _text(value: Any) -> Message | None:
    return None if isinstance(value, str) and value.strip() else msg("not_text")


def _positive(value: Any) -> Message | None:
    return None if _is_number(value) and value > 0 else msg("not_positive")


def _flag(value: Any) -> Message | None:
    return None if isinstance(value, bool) else msg("not_flag")


def _choice(*values: str) -> Callable[[Any], Message | None]:
    def check(value: Any) -> Message | None:
        return None if value in values else msg("not_allowed")

    return check


def _text_map(value: Any) -> Message | None:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return msg("not_text_map")
    return None


def _bbox(value: Any) -> Message | None:
    if not (isinstance(value, list) and len(value) == 4 and all(_is_number(v) for v in value)):
        return msg("not_four_numbers")
    w, s, e, n = value
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        return msg("not_wsen")
    return None


def _plausible(key: str) -> Callable[[Any], Message | None]:
    """A check of one figure against :data:`siting.validation.RANGES`: finite and within its range."""
    return lambda value: validation.problem(key, value)


def _bands(value: Any) -> Message | None:
    if not (isinstance(value, list) and value):
        return msg("not_positive_list")
    return next((found for v in value if (found := validation.problem("bands_min", v)) is not None), None)


def _p(value: Any) -> Message | None:
    if value == UNTIL_COMPLIANT or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return None
    return msg("not_p", until=UNTIL_COMPLIANT)


def _year(value: Any) -> Message | None:
    from siting.profiles import YEAR_RANGE

    low, high = YEAR_RANGE
    ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return None if ok else msg("not_year", low=low, high=high)


def _override(value: Any, key: str) -> Message | None:
    if isinstance(value, dict) and "value" in value:
        return _override(value["value"], key)
    if key in validation.RANGES:
        return validation.problem(key, value)
    if _is_number(value) and value >= 0:
        return None
    if isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value):
        return None
    return msg("not_override")


#: Base maps a scenario's ``map:`` may name (``none`` draws no tiles).
BASEMAP_CHOICES = ("osm", "amap", "tianditu", "none")
_PATH = _Field(_text, msg("exp_path"), required=True)
_LAYER = _Field(_text, msg("exp_layer"))
_COLUMNS = _Field(_text_map, msg("exp_columns"))
_CRS = _Field(
    # a number is an EPSG code (crs: 4548)
    lambda v: None if isinstance(v, int) and not isinstance(v, bool) and v > 0 else _text(v),
    msg("exp_crs"),
)
_LONLAT = _Field(_text, msg("exp_lonlat"))
_SHEET = _Field(_text, msg("exp_sheet"))
_CLIP = _Field(_flag, msg("exp_clip"))

_LAYER_KEYS = {"path": _PATH, "layer": _LAYER, "columns": _COLUMNS, "crs": _CRS}
SCHEMA: dict[str, Any] = {
    "name": _Field(_text, msg("exp_name"), required=True),
    "description": _Field(_text, msg("exp_description")),
    "network": {
        "path": _Field(_text, msg("exp_network_path")),
        "layer": _LAYER,
        "columns": _Field(_text_map, msg("exp_network_columns")),
        "place": _Field(_text, msg("exp_place")),
        "bbox": _Field(_bbox, msg("exp_bbox")),
    },
    "residential": {
        **_LAYER_KEYS,
        "path": _Field(_text, msg("exp_path")),
        "osm": _Field(_text, msg("exp_osm")),
        "sheet": _SHEET,
        "lon": _LONLAT,
        "lat": _LONLAT,
        "household_size": _Field(_plausible("household_size"), msg("exp_household_size"), explain=True),
        "default_floors": _Field(_plausible("default_floors"), msg("exp_default_floors"), explain=True),
        "point_radius_m": _Field(_plausible("point_radius_m"), msg("exp_point_radius"), explain=True),
    },
    "entrances": {
        **_LAYER_KEYS,
        "gate_tolerance_m": _Field(_plausible("gate_tolerance_m"), msg("exp_gate_tolerance"), explain=True),
    },
    "facilities": {
        **_LAYER_KEYS,
        "sheet": _SHEET,
        "lon": _LONLAT,
        "lat": _LONLAT,
        "clip": _CLIP,
        "max_floor_area_m2": _Field(_plausible("max_floor_area_m2"), msg("exp_facility_max"), explain=True),
    },
    "candidates": {
        **_LAYER_KEYS,
        "path": _Field(_text, msg("exp_path")),
        "sheet": _SHEET,
        "lon": _LONLAT,
        "lat": _LONLAT,
        "clip": _CLIP,
        "generate": _Field(_flag, msg("exp_generate")),
        "spacing_m": _Field(_plausible("spacing_m"), msg("exp_spacing"), explain=True),
        "max_floor_area_m2": _Field(_plausible("max_floor_area_m2"), msg("exp_candidate_max"), explain=True),
        "min_floor_area_m2": _Field(_plausible("min_floor_area_m2"), msg("exp_candidate_min"), explain=True),
    },
    "units": dict(_LAYER_KEYS),
    "profile": _Field(_text, msg("exp_profile")),
    "assess_year": _Field(_year, msg("exp_assess_year")),
    "level": _Field(_choice("县", "区", "街道", "乡镇"), msg("exp_level")),
    "overrides": _Field(
        lambda v: None if isinstance(v, dict) else msg("not_mapping"),
        msg("exp_overrides"),
    ),
    "reachability": {
        "bands_min": _Field(_bands, msg("exp_bands"), explain=True),
        "max_snap_m": _Field(_plausible("max_snap_m"), msg("exp_max_snap"), explain=True),
    },
    "optimize": {
        "objective": _Field(
            lambda v: None if isinstance(v, str) and v in OBJECTIVES else msg("not_allowed"),
            lambda: msg("exp_one_of", values=list(OBJECTIVES)),
            required=True,
        ),
        "p": _Field(_p, msg("exp_p", until=UNTIL_COMPLIANT)),
        "capacity": _Field(_flag, msg("exp_capacity")),
        "time_limit_s": _Field(_plausible("time_limit_s"), msg("exp_time_limit"), explain=True),
        "method": _Field(_choice(*METHODS), msg("exp_one_of", values=list(METHODS))),
        "weight": _Field(_choice("households", "elderly"), msg("exp_one_of", values=["households", "elderly"])),
        "cost": {
            "new_site": _Field(_positive, msg("exp_cost_new_site")),
            "per_m2": _Field(_positive, msg("exp_cost_per_m2")),
        },
    },
    "map": {
        "basemap": _Field(_choice(*BASEMAP_CHOICES), msg("exp_one_of", values=list(BASEMAP_CHOICES))),
        "language": _Field(_choice(*LANGUAGES), msg("exp_one_of", values=list(LANGUAGES))),
    },
    "output": _Field(_text, msg("exp_output")),
    # what siting.consistency finds, and what the planner accepts of it
    **{
        key: _Field(_choice(*values), msg("exp_one_of", values=list(values)))
        for key, values in validation.CONSISTENCY_CHOICES.items()
    },
}
REQUIRED_SECTIONS = ("network", "residential", "facilities")


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _unknown(key: str, known: Mapping[str, Any], where: str) -> Message:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = msg("schema_did_you_mean", name=close[0]) if close else ""
    return msg("schema_unknown_key", key=f"{where}{key}", hint=hint, known=list(known))


def _check_section(value: Any, spec: Mapping[str, Any], where: str, errors: list[Message]) -> None:
    if not isinstance(value, dict):
        errors.append(msg("schema_not_mapping", key=where.rstrip("."), keys=list(spec), got=_describe(value)))
        return
    for key, item in value.items():
        if key not in spec:
            errors.append(_unknown(str(key), spec, where))
            continue
        rule = spec[key]
        if isinstance(rule, dict):
            _check_section(item, rule, f"{where}{key}.", errors)
        elif (found := rule.check(item)) is not None:
            name = f"{where}{key}"
            errors.append(
                msg("schema_problem", key=name, problem=found, expected=rule.expected)
                if rule.explain
                else msg("schema_expected", key=name, expected=rule.expected, got=_describe(item))
            )
    for key, rule in spec.items():
        if isinstance(rule, _Field) and rule.required and key not in value:
            errors.append(msg("schema_missing", key=f"{where}{key}", expected=rule.expected))


def validate(config: Mapping[str, Any]) -> list[Message]:
    """Every mistake in a (merged) scenario mapping, as messages ``"key.path: what is expected, got what"``.

    Parameters
    ----------
    config : mapping
        The scenario after ``extends`` is merged.

    Returns
    -------
    list of Message
        Empty when the scenario is valid; ``str()`` of each is its text in the language in force.
    """
    errors: list[Message] = []
    if not isinstance(config, dict):
        return [msg("schema_top_level", got=_describe(config))]
    _check_section(config, SCHEMA, "", errors)
    for section in REQUIRED_SECTIONS:
        if section not in config:
            errors.append(msg("schema_section_missing", key=section))
    network = config.get("network")
    if isinstance(network, dict):
        given = [k for k in ("path", "place", "bbox") if k in network]
        if len(given) != 1:
            errors.append(msg("schema_network_one", given=given or msg("schema_none")))
    residential = config.get("residential")
    if isinstance(residential, dict) and ("path" in residential) == ("osm" in residential):
        errors.append(msg("schema_residential_one"))
    if isinstance(residential, dict) and "osm" in residential:
        errors.extend(
            msg("schema_not_with_osm", key=f"residential.{key}")
            for key in ("layer", "sheet", "columns", "crs", "lon", "lat")
            if key in residential
        )
    candidates = config.get("candidates")
    if isinstance(candidates, dict) and "path" not in candidates and not candidates.get("generate"):
        errors.append(msg("schema_candidates_source"))
    optimize = config.get("optimize")
    objective = OBJECTIVES.get(str(optimize.get("objective"))) if isinstance(optimize, dict) else None
    if isinstance(optimize, dict) and objective is not None:
        if objective.needs_p and "p" not in optimize:
            errors.append(msg("schema_p_missing", objective=optimize["objective"], until=UNTIL_COMPLIANT))
        if not objective.needs_p and "p" in optimize:
            errors.append(msg("objective_takes_no_p", objective=optimize["objective"]))
        if not objective.takes_capacity and optimize.get("capacity"):
            errors.append(msg("objective_takes_no_capacity", objective=optimize["objective"]))
    overrides = config.get("overrides")
    if isinstance(overrides, dict):
        from siting.profiles import SCHEMA as PROFILE_KEYS

        for key, value in overrides.items():
            if key not in PROFILE_KEYS:
                errors.append(_unknown(str(key), PROFILE_KEYS, "overrides."))
            elif PROFILE_KEYS[key].kind == "choice":
                chosen = value.get("value") if isinstance(value, dict) else value
                if chosen not in PROFILE_KEYS[key].choices:
                    choices = list(PROFILE_KEYS[key].choices)
                    errors.append(msg("schema_override_choice", key=key, got=_describe(value), values=choices))
            elif (problem := _override(value, key)) is not None:
                errors.append(
                    msg("schema_override", key=key, unit=PROFILE_KEYS[key].unit, got=_describe(value), problem=problem)
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
        The merged mapping as written (``extends`` merged, paths absolute), without defaults. Read for
        what is recorded as the planner wrote it: the :meth:`fingerprint`, the ``optimize`` settings in
        ``summary.json``, and the scenario file :meth:`siting.whatif.WhatIf.to_scenario` writes. Every
        other reader takes :attr:`settings`.
    path : Path or None
        The scenario file (None for one built from a mapping).
    chain : tuple of Path
        The files merged, the scenario file first, then what it extends.
    """

    name: str
    config: dict
    path: Path | None = None
    chain: tuple[Path, ...] = field(default_factory=tuple)

    @cached_property
    def settings(self) -> ScenarioSettings:
        """The same settings typed and frozen, with the toolkit defaults (:mod:`siting.defaults`) where
        the file states none; made once, from :attr:`config`, so the two never disagree."""
        return ScenarioSettings.from_config(self.config)

    @property
    def output_dir(self) -> Path:
        """The output folder (``output``, default ``out/<file stem>`` beside the scenario file)."""
        if self.settings.output is not None:
            return self.settings.output
        base = self.path.parent if self.path is not None else Path.cwd()
        stem = self.path.stem if self.path is not None else _slug(self.name)
        return (base / "out" / stem).resolve()

    def input_files(self) -> list[Path]:
        """The input files this scenario reads (the scenario files, layers, network, profile file)."""
        files = [*self.chain, *(path for _, path in self.settings.layer_files())]
        if _is_profile_path(self.settings.profile):
            files.append(Path(self.settings.profile))
        return sorted(set(files))

    def check_output(self, out: str | Path | None = None) -> Path:
        """The output folder (``out``, else :attr:`output_dir`), absolute, refused before any work when
        siting could not write it (:func:`siting.files.check_output_path`) or by :meth:`guard_inputs`."""
        target = Path(out).resolve() if out is not None else self.output_dir
        check_output_path(target, key=None if out is not None else "output")
        self.guard_inputs(target)
        return target

    def guard_inputs(self, target: Path) -> None:
        """Refuse an input file that does not exist, and an output folder ``target`` that holds an input
        (replacing it would delete the planner's data): both before any work, so that a run refuses at once."""
        for section, path in self.settings.layer_files():
            if not path.exists():
                # the same message as the readers' (siting.inputs), given before the stack they need is imported
                problem = msg("network_file_not_found" if section == "network" else "file_not_found")
                raise SitingInputError(problem, source=str(path), fix=missing_file_fix(path))
        target = target.resolve()
        for path in self.input_files():
            if path.resolve().is_relative_to(target):
                raise SitingInputError(
                    msg("output_holds_input", folder=target, path=path),
                    source=str(self.path) if self.path else None,
                    key="output",
                    fix=msg("output_holds_input_fix"),
                )

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
    data = load_yaml(path, missing=msg("scenario_not_found"), missing_fix=msg("file_not_found_fix"))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        # what the file holds is not quoted: a file that is no scenario may be anything (extends: /etc/passwd)
        kind = msg("yaml_holds_text") if isinstance(data, str) else msg("yaml_holds_other", kind=type(data).__name__)
        raise SitingInputError(
            msg("scenario_not_mapping", got=kind), source=str(path), fix=msg("scenario_not_mapping_fix")
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
            msg("extends_loop", name=path.name), source=str(seen[-1]), key="extends", fix=msg("extends_loop_fix")
        )
    if len(seen) >= MAX_EXTENDS:
        raise SitingInputError(
            msg("extends_too_deep", limit=MAX_EXTENDS, first=seen[0].name),
            source=str(seen[-1]),
            key="extends",
            fix=msg("extends_too_deep_fix"),
        )
    data = _resolve_paths(_read_yaml(path), path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data, (*seen, path)
    if not isinstance(parent, str) or not parent.strip():
        raise SitingInputError(
            msg("extends_not_path", got=_describe(parent)), source=str(path), key="extends", fix=msg("extends_fix")
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
        merged = msg("scenario_merged", chain=" ← ".join(p.name for p in chain)) if len(chain) > 1 else ""
        raise SitingInputError(
            msg("scenario_mistakes", n=len(errors), merged=merged, items=Lines(errors)),
            source=str(path) if path else msg("where_scenario"),
            fix=msg("scenario_mistakes_fix"),
        )
    return Scenario(
        name=str(config["name"]).strip(),
        config=config,
        path=path,
        chain=chain,
    )
