"""A scenario's settings: typed and frozen, made once from the file, read by the pipeline instead of the
mapping, with every toolkit default in siting/defaults.py and written nowhere else."""

from __future__ import annotations

import ast
import copy
import dataclasses
import pickle
from pathlib import Path

import pytest

from siting import defaults
from siting.scenario import SCHEMA, scenario_from_dict
from siting.settings import (
    CostSettings,
    FrozenMap,
    LayerSettings,
    OptimizeSettings,
    ReachabilitySettings,
)
from siting.validation import CONSISTENCY_CHOICES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "siting"

#: A scenario stating every key of the schema, each with a value other than its default.
FULL = {
    "name": "全部设置",
    "description": "每个键都写了",
    "network": {"path": "roads.gpkg", "layer": "roads", "columns": {"name": "道路名称", "class": "道路等级"}},
    "residential": {
        "path": "小区.xlsx",
        "sheet": "小区",
        "lon": "经度",
        "lat": "纬度",
        "crs": "bd09",
        "columns": {"households": "总户数"},
        "household_size": 2.7,
        "default_floors": 5,
        "point_radius_m": 120,
    },
    "entrances": {"path": "gates.gpkg", "layer": "gates", "crs": 4548, "gate_tolerance_m": 40},
    "facilities": {"path": "设施.csv", "lon": "lng", "lat": "lat", "clip": True, "max_floor_area_m2": 800},
    "candidates": {
        "path": "plots.gpkg",
        "layer": "plots",
        "clip": True,
        "generate": True,
        "spacing_m": 200,
        "max_floor_area_m2": 900,
        "min_floor_area_m2": 200,
    },
    "units": {"path": "units.gpkg", "layer": "communities", "columns": {"community": "社区"}},
    "profile": "rules.yaml",
    "assess_year": 2025,
    "level": "县",
    "overrides": {"walk_speed_m_per_min": 55, "service_radius_m": {"value": 800, "source": "县规划"}},
    "reachability": {"bands_min": [5, 10], "max_snap_m": 250},
    "optimize": {
        "objective": "p_median",
        "p": 4,
        "capacity": True,
        "time_limit_s": 30,
        "method": "heuristic",
        "weight": "elderly",
        "cost": {"new_site": 200, "per_m2": 0.5},
    },
    "map": {"basemap": "amap", "language": "en"},
    "output": "out/full",
    "duplicates": "keep",
    "areas_at_one_point": "keep",
    "links": "keep",
}
MINIMAL = {
    "name": "最少",
    "network": {"bbox": [116.2, 36.3, 116.3, 36.4]},
    "residential": {"osm": "town.osm"},
    "facilities": {"path": "设施.csv"},
}


def test_every_key_of_a_full_scenario_is_typed(tmp_path):
    base = tmp_path.resolve()
    settings = scenario_from_dict(FULL, base).settings
    assert settings.network.path == base / "roads.gpkg" and settings.network.layer == "roads"
    assert settings.network.columns == {"name": "道路名称", "class": "道路等级"}
    assert settings.network.place is None and settings.network.bbox is None
    res = settings.residential
    assert (res.path, res.osm, res.sheet, res.lon, res.lat, res.crs) == (
        base / "小区.xlsx",
        None,
        "小区",
        "经度",
        "纬度",
        "bd09",
    )
    assert (res.household_size, res.default_floors, res.point_radius_m) == (2.7, 5, 120)
    assert res.source == base / "小区.xlsx"
    assert res.read_options() == {
        "columns": {"households": "总户数"},
        "crs": "bd09",
        "sheet": "小区",
        "lon": "经度",
        "lat": "纬度",
    }
    assert settings.entrances == LayerSettings(path=base / "gates.gpkg", layer="gates", crs=4548)
    fac = settings.facilities
    assert (fac.path, fac.lon, fac.lat, fac.clip, fac.max_floor_area_m2) == (base / "设施.csv", "lng", "lat", True, 800)
    cand = settings.candidates
    assert cand is not None
    assert (cand.path, cand.layer, cand.clip, cand.generate) == (base / "plots.gpkg", "plots", True, True)
    assert (cand.spacing_m, cand.max_floor_area_m2, cand.min_floor_area_m2) == (200, 900, 200)
    assert settings.units == LayerSettings(
        path=base / "units.gpkg", layer="communities", columns=FrozenMap({"community": "社区"})
    )
    assert settings.profile == str(base / "rules.yaml")
    assert (settings.assess_year, settings.level) == (2025, "县")
    assert settings.overrides.thawed() == {
        "walk_speed_m_per_min": 55,
        "service_radius_m": {"value": 800, "source": "县规划"},
    }
    assert settings.reachability == ReachabilitySettings(bands_min=(5, 10), max_snap_m=250)
    assert dataclasses.asdict(settings.consistency) == {
        "duplicates": "keep",
        "areas_at_one_point": "keep",
        "links": "keep",
        "gate_tolerance_m": 40,
    }
    # the time limit and the costs are floats, as the solvers take them
    assert settings.optimize == OptimizeSettings(
        objective="p_median",
        p=4,
        capacity=True,
        time_limit_s=30.0,
        method="heuristic",
        weight="elderly",
        cost=CostSettings(new_site=200.0, per_m2=0.5, given=True),
    )
    assert isinstance(settings.optimize.time_limit_s, float) and isinstance(settings.optimize.cost.new_site, float)
    assert (settings.map.basemap, settings.map.language) == ("amap", "en")
    assert settings.output == base / "out" / "full"
    assert settings.description == "每个键都写了"
    assert [section for section, _ in settings.layer_files()] == [
        "network",
        "residential",
        "entrances",
        "facilities",
        "candidates",
        "units",
    ]


def test_a_minimal_scenario_takes_the_toolkit_defaults(tmp_path):
    base = tmp_path.resolve()
    settings = scenario_from_dict({**MINIMAL, "optimize": {"objective": "set_cover"}}, base).settings
    assert settings.network.bbox == (116.2, 36.3, 116.3, 36.4) and settings.network.path is None
    assert settings.residential.path is None and settings.residential.source == base / "town.osm"
    assert (settings.residential.household_size, settings.residential.default_floors) == (2.62, 6.0)
    assert settings.residential.point_radius_m is None
    assert settings.entrances is None and settings.candidates is None and settings.units is None
    assert settings.profile == "national" and settings.overrides == {} and settings.overrides.thawed() == {}
    assert settings.reachability.bands_min == (5.0, 10.0, 15.0) and settings.reachability.max_snap_m == 300.0
    assert dataclasses.asdict(settings.consistency) == {
        "duplicates": "refuse",
        "areas_at_one_point": "leave_out",
        "links": "refuse",
        "gate_tolerance_m": 30.0,
    }
    assert settings.optimize == OptimizeSettings(objective="set_cover", time_limit_s=60.0, method="exact")
    assert settings.optimize.cost == CostSettings(new_site=1_000_000.0, per_m2=1.0, given=False)
    assert settings.optimize.weight == "households" and settings.optimize.p is None
    assert (settings.map.basemap, settings.map.language) == ("osm", None)
    assert settings.output is None and settings.assess_year is None and settings.level is None
    assert [section for section, _ in settings.layer_files()] == ["residential", "facilities"]
    # the candidates of a scenario that names none are generated on the default grid
    assert scenario_from_dict({**MINIMAL, "candidates": {"generate": True}}, base).settings.candidates.spacing_m == 150


def test_an_empty_cost_mapping_states_no_cost(tmp_path):
    optimize = {"objective": "compliance", "cost": {}}
    assert scenario_from_dict({**MINIMAL, "optimize": optimize}, tmp_path).settings.optimize.cost.given is False
    optimize["cost"] = {"per_m2": 2}
    cost = scenario_from_dict({**MINIMAL, "optimize": optimize}, tmp_path).settings.optimize.cost
    assert cost == CostSettings(new_site=1_000_000.0, per_m2=2.0, given=True)


def test_settings_are_frozen_all_the_way_down(tmp_path):
    scenario = scenario_from_dict(FULL, tmp_path)
    settings = scenario.settings
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.reachability.max_snap_m = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.optimize = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.network.columns["name"] = "别的列"  # type: ignore[index]
    with pytest.raises(TypeError):
        settings.overrides["service_radius_m"]["value"] = 1  # type: ignore[index]
    assert isinstance(settings.reachability.bands_min, tuple)
    # changing what a caller gets back changes nothing inside
    thawed = settings.overrides.thawed()
    thawed["service_radius_m"]["value"] = 1
    assert settings.overrides["service_radius_m"]["value"] == 800
    # a batch sends scenarios to Dask workers: they pickle and copy whole
    assert pickle.loads(pickle.dumps(scenario)).settings == settings
    assert copy.deepcopy(settings) == settings
    # equal in any order, and so of one hash
    assert hash(settings.network.columns) == hash(FrozenMap({"class": "道路等级", "name": "道路名称"}))


def _schema_keys(spec: dict, where: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    keys = []
    for key, rule in spec.items():
        keys.extend(_schema_keys(rule, (*where, key)) if isinstance(rule, dict) else [(*where, key)])
    return keys


#: Schema keys whose typed field sits elsewhere than its key path: what consistency checks accept.
MOVED = {
    ("entrances", "gate_tolerance_m"): ("consistency", "gate_tolerance_m"),
    **{(key,): ("consistency", key) for key in CONSISTENCY_CHOICES},
}


def test_every_schema_key_has_a_typed_field(tmp_path):
    """A key added to the schema without a field here fails: the settings hold every key, or a reader
    would have to look it up in the mapping again."""
    settings = scenario_from_dict(FULL, tmp_path).settings
    for key in _schema_keys(SCHEMA):
        if key == ("name",):  # Scenario.name
            continue
        target = MOVED.get(key, key)
        holder = settings
        for part in target[:-1]:
            holder = getattr(holder, part)
        assert target[-1] in {f.name for f in dataclasses.fields(holder)}, key


#: Modules that read a scenario: they take its settings, never the mapping.
READERS = ("pipeline.py", "report.py", "plan.py", "batch.py", "cli.py")
#: Where the mapping as written is read on purpose: summary.json records the optimisation as the planner wrote it.
MAPPING_READS = {("pipeline.py", "_summary")}


def _functions(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    return [(node.name, node) for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def test_readers_never_look_up_the_scenario_mapping():
    found = []
    for name in READERS:
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        for function, node in _functions(tree):
            for inner in ast.walk(node):
                is_config = isinstance(inner, ast.Attribute) and inner.attr == "config"
                # a variable holding the mapping, looked up with a default: config.get("x", 1)
                is_get = (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Attribute)
                    and inner.func.attr == "get"
                    and "config" in ast.unparse(inner.func.value)
                )
                if (is_config and (name, function) not in MAPPING_READS) or is_get:
                    found.append(f"{name}:{inner.lineno} in {function}: {ast.unparse(inner)}")
    assert found == []


def _literal(node: ast.AST | None) -> object:
    if (
        isinstance(node, ast.Constant)
        and not isinstance(node.value, bool)
        and isinstance(node.value, (int, float, str))
    ):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _literal(node.operand)
        return -value if isinstance(value, (int, float)) else None
    return None


#: Toolkit defaults by constant name, and parameters that take one under another name.
DEFAULTS = {name: getattr(defaults, name) for name in dir(defaults) if name.isupper()}
ALIASES = {
    "spacing_m": ("CANDIDATE_SPACING_M", "BOUNDARY_SAMPLE_M"),
    "near_uncovered_m": ("CANDIDATE_NEAR_UNCOVERED_M",),
    "radius_m": ("SERVICE_RADIUS_M",),
    "tolerance": ("MIP_GAP",),
    "snap_tolerance_m": ("LINE_GAP_M",),
    "floor_area_m2": ("WIDGET_FLOOR_AREA_M2",),
}


def _written_again(name: str, value: object) -> bool:
    """Whether a parameter or constant ``name`` written as the literal ``value`` repeats a toolkit default:
    its value again, or under its name any other figure (a second default for the same setting)."""
    if value is None:
        return False
    constants = (name.upper(), *ALIASES.get(name, ())) if name.upper() in DEFAULTS else ALIASES.get(name, ())
    return any(value == DEFAULTS[constant] for constant in constants) or (
        name.upper() in DEFAULTS and isinstance(value, (int, float))
    )


def test_each_toolkit_default_is_written_once():
    """No module but siting/defaults.py states a toolkit default as a number or name of its own."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "defaults.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(PACKAGE)
        for node in ast.walk(tree):
            pairs: list[tuple[str, ast.AST | None]] = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = node.args
                # the defaults belong to the last positional parameters
                positional = [a.arg for a in [*args.posonlyargs, *args.args]]
                named = positional[len(positional) - len(args.defaults) :]
                pairs += list(zip(named, args.defaults, strict=True))
                pairs += [(a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                pairs.append((node.target.id, node.value))
            elif isinstance(node, ast.Assign):
                pairs += [(t.id, node.value) for t in node.targets if isinstance(t, ast.Name) and t.id.isupper()]
            found += [f"{where}:{node.lineno} {name}" for name, value in pairs if _written_again(name, _literal(value))]
    assert found == []


def test_the_defaults_module_states_each_with_its_unit():
    """Every default has a ``#:`` line above it (its unit and source), and the figures the issue names are there."""
    lines = (PACKAGE / "defaults.py").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line and line.split(" ")[0].isupper() and " = " in line:
            assert lines[i - 1].startswith("#:"), line
    named = {
        "WALK_SPEED_M_PER_MIN": 60.0,
        "WALK_MINUTES": 15.0,
        "SERVICE_RADIUS_M": 1000.0,
        "CANDIDATE_SPACING_M": 150.0,
        "MAX_FLOOR_AREA_M2": 750.0,
        "COST_NEW_SITE": 1_000_000.0,
        "COST_PER_M2": 1.0,
        "MAX_SNAP_M": 300.0,
        "TIME_LIMIT_S": 60.0,
        "MIP_GAP": 1e-4,
        "BANDS_MIN": (5.0, 10.0, 15.0),
        "GATE_TOLERANCE_M": 30.0,
    }
    assert {name: DEFAULTS[name] for name in named} == named


def test_the_settings_module_imports_nothing_heavy():
    """Checking a scenario file stays quick: siting.settings imports only the light siting modules."""
    tree = ast.parse((PACKAGE / "settings.py").read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    siting = {"siting", "siting.errors", "siting.labels", "siting.validation"}
    light = {"__future__", "collections.abc", "dataclasses", "pathlib", "typing", *siting}
    assert imported <= light
