"""A scenario's settings, typed and frozen: what :mod:`siting.scenario` makes once from a valid file.

Each section of the scenario schema is one frozen dataclass, each key one typed field, with the
toolkit default of :mod:`siting.defaults` where the file states none. Readers (the pipeline, the
report, the batch map) take figures from here and never look a key up in the scenario's mapping with
a default of their own, so that a default is written once.

A figure is kept as the planner wrote it (``max_snap_m: 300`` stays the integer 300), so that the
settings written into ``summary.json`` do not change with this module; the optimisation's time
limit and unit costs are floats, as the solvers take them.

Like :mod:`siting.scenario`, this module imports nothing heavy: checking a scenario file stays quick.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from siting import defaults
from siting.errors import SitingInputError
from siting.labels import msg
from siting.validation import CONSISTENCY_CHOICES, check_setting


class FrozenMap(Mapping[str, Any]):
    """A read-only mapping whose nested mappings are read-only and lists tuples.

    Unlike :class:`types.MappingProxyType` it pickles (a batch sends scenarios to Dask workers) and
    compares equal to a dict of the same items, its lists written as tuples (:meth:`thawed` gives the
    dict back, lists and all).
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        self._items = {str(key): _frozen(value) for key, value in (items or {}).items()}

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __hash__(self) -> int:
        # order-free, as equality is
        return hash(frozenset(self._items.items()))

    def __getstate__(self) -> dict[str, Any]:
        return self._items

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._items = state

    def thawed(self) -> dict[str, Any]:
        """A plain ``dict`` copy (nested mappings dicts, tuples lists), for a function that takes one."""
        return {key: _thawed(value) for key, value in self._items.items()}


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return FrozenMap(value)
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, FrozenMap):
        return value.thawed()
    if isinstance(value, tuple):
        return [_thawed(v) for v in value]
    return value


def _path(value: Any) -> Path | None:
    return None if value is None else Path(value)


#: Keys whose values are paths, resolved by :mod:`siting.scenario` relative to the file that states them:
#: (section, key) of an input file, in the order messages list them, and the output folder.
PATH_KEYS = (
    ("network", "path"),
    ("residential", "path"),
    ("residential", "osm"),
    ("entrances", "path"),
    ("facilities", "path"),
    ("candidates", "path"),
    ("units", "path"),
    ("output",),
)
#: Keys of a section whose values are files.
_PATH_FIELDS = frozenset(key for _, *keys in PATH_KEYS for key in keys)


# --------------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerSettings:
    """A layer read from a file: ``{path, layer, columns, crs}`` (entrances, units).

    Attributes
    ----------
    path : Path or None
        The file, absolute (None only for residential areas read from OpenStreetMap and for
        generated candidates).
    layer : str or None
        The layer of a GeoPackage or the like.
    columns : FrozenMap or None
        Toolkit column name → the file's column name.
    crs : str or int or None
        The CRS of a layer whose file states none (an EPSG number, a name such as ``gcj02``).
    """

    path: Path | None = None
    layer: str | None = None
    columns: FrozenMap | None = None
    crs: str | int | None = None

    #: The scenario keys a reader of :mod:`siting.inputs` takes as keyword arguments.
    READER_KEYS: ClassVar[tuple[str, ...]] = ("layer", "columns", "crs")

    def read_options(self) -> dict[str, Any]:
        """The keyword arguments of the layer's reader: those the scenario states, and only those."""
        return {key: getattr(self, key) for key in self.READER_KEYS if getattr(self, key) is not None}


@dataclass(frozen=True)
class TableSettings(LayerSettings):
    """A layer that may be a table of points (CSV, Excel): adds ``sheet``, ``lon``, ``lat``.

    Attributes
    ----------
    sheet : str or None
        The sheet of an Excel workbook.
    lon, lat : str or None
        The coordinate columns of a table.
    """

    sheet: str | None = None
    lon: str | None = None
    lat: str | None = None

    READER_KEYS: ClassVar[tuple[str, ...]] = (*LayerSettings.READER_KEYS, "sheet", "lon", "lat")


@dataclass(frozen=True)
class NetworkSettings:
    """The street network: exactly one of ``path`` (with ``layer``, ``columns``), ``place`` and ``bbox``.

    Attributes
    ----------
    path : Path or None
        A street file (``.osm``, ``.osm.pbf``, GraphML, a line layer), absolute.
    layer : str or None
        The layer of a line file.
    columns : FrozenMap or None
        Toolkit column name (``name``, ``class``) → the line layer's column.
    place : str or None
        A place name to download (OpenStreetMap).
    bbox : tuple of float or None
        West, south, east, north in degrees (WGS84) to download.
    """

    path: Path | None = None
    layer: str | None = None
    columns: FrozenMap | None = None
    place: str | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class ResidentialSettings(TableSettings):
    """The residential areas (小区): a file (``path``) or OpenStreetMap areas (``osm``).

    Attributes
    ----------
    osm : Path or None
        An OpenStreetMap extract whose residential areas are read, households estimated from buildings.
    household_size : float
        Persons per household, to estimate households from population.
    default_floors : float
        Floors of a building without ``building:levels`` (``osm`` only).
    point_radius_m : float or None
        Radius of the circle a map draws for an area given as a point, m (None: no column is added).
    """

    osm: Path | None = None
    household_size: float = defaults.HOUSEHOLD_SIZE
    default_floors: float = defaults.DEFAULT_FLOORS
    point_radius_m: float | None = None

    @property
    def source(self) -> Path:
        """The file the areas come from (``path``, else ``osm``), as messages name it."""
        return self.path if self.path is not None else Path(str(self.osm))


@dataclass(frozen=True)
class SitesSettings(TableSettings):
    """Sites of centres, existing (``facilities``) or possible (``candidates`` adds its own keys).

    Attributes
    ----------
    clip : bool
        Keep only the sites within reach of the streets.
    max_floor_area_m2 : float or None
        Largest floor area of a site whose own row states none, m² (None: an existing facility is not
        enlarged; a candidate gets the toolkit's cap).
    """

    clip: bool = False
    max_floor_area_m2: float | None = None


@dataclass(frozen=True)
class CandidatesSettings(SitesSettings):
    """Candidate sites: a file (``path``) or, with ``generate``, street nodes on a grid.

    Attributes
    ----------
    generate : bool
        Generate sites (one street node per grid cell) when the optimisation has no file of them.
    spacing_m : float
        Grid cell size of generated sites, m.
    min_floor_area_m2 : float or None
        Least floor area of a site whose own row states none, m² (None: the profile's minimum only).
    """

    generate: bool = False
    spacing_m: float = defaults.CANDIDATE_SPACING_M
    min_floor_area_m2: float | None = None


@dataclass(frozen=True)
class ReachabilitySettings:
    """How walking is measured beyond the profile's walk.

    Attributes
    ----------
    bands_min : tuple of float
        Walking-time bands reported and drawn as service areas, minutes.
    max_snap_m : float
        Largest gap from a feature to its street, m.
    """

    bands_min: tuple[float, ...] = defaults.BANDS_MIN
    max_snap_m: float = defaults.MAX_SNAP_M


@dataclass(frozen=True)
class Accept:
    """What the planner accepts of what :mod:`siting.consistency` finds (scenario keys ``duplicates``,
    ``areas_at_one_point``, ``links`` and ``entrances.gate_tolerance_m``).

    Attributes
    ----------
    duplicates : {"refuse", "keep"}
        Records listed twice under two ids: refused, or kept (each counts) with a warning.
    areas_at_one_point : {"leave_out", "keep"}
        Many point areas at one place: left out of the figures, or counted where they are; a warning either way.
    links : {"refuse", "keep"}
        Entrances and 配建 links that contradict the geometry, and areas larger than the street
        network reaches: refused, or kept with a warning.
    gate_tolerance_m : float
        Farthest an entrance may lie from its area's outline, metres.

    The first choice of each (:data:`siting.validation.CONSISTENCY_CHOICES`) is the default.
    """

    duplicates: str = CONSISTENCY_CHOICES["duplicates"][0]
    areas_at_one_point: str = CONSISTENCY_CHOICES["areas_at_one_point"][0]
    links: str = CONSISTENCY_CHOICES["links"][0]
    gate_tolerance_m: float = defaults.GATE_TOLERANCE_M

    def __post_init__(self) -> None:
        for key, allowed in CONSISTENCY_CHOICES.items():
            if getattr(self, key) not in allowed:
                raise SitingInputError(
                    msg("consistency_choice", value=repr(getattr(self, key)), values=list(allowed)),
                    source=msg("where_argument", name=key),
                    key=key,
                    fix=msg("consistency_choice_fix", values=list(allowed)),
                )
        check_setting("gate_tolerance_m", self.gate_tolerance_m, source=msg("where_argument", name="Accept"))


@dataclass(frozen=True)
class CostSettings:
    """Unit costs of a plan (``optimize.cost``), in the planner's cost unit (e.g. 万元).

    Attributes
    ----------
    new_site : float
        Cost of one new centre.
    per_m2 : float
        Cost of one m² of floor area, new or added.
    given : bool
        Whether the scenario states any cost (proposals show costs only then, or for ``compliance``).
    """

    new_site: float = defaults.COST_NEW_SITE
    per_m2: float = defaults.COST_PER_M2
    given: bool = False


@dataclass(frozen=True)
class OptimizeSettings:
    """The optimisation (see :mod:`siting.scenario` for each key).

    Attributes
    ----------
    objective : str
        A registered objective (:data:`siting.optimize.OBJECTIVES`).
    p : int or str or None
        Number of new centres, ``"until_compliant"``, or None for an objective that takes none.
    capacity : bool
        Respect floor-area capacity.
    time_limit_s : float
        Time limit of the optimisation, s.
    method : str
        ``exact``, ``heuristic`` or ``greedy``.
    weight : str
        What is counted per area: ``households`` or ``elderly``.
    cost : CostSettings
        Unit costs.
    """

    objective: str
    p: int | str | None = None
    capacity: bool = False
    time_limit_s: float = defaults.TIME_LIMIT_S
    method: str = defaults.METHOD
    weight: str = defaults.WEIGHT
    cost: CostSettings = field(default_factory=CostSettings)


@dataclass(frozen=True)
class MapSettings:
    """The result map.

    Attributes
    ----------
    basemap : str
        One of :data:`siting.scenario.BASEMAP_CHOICES` (``none`` draws no tiles).
    language : str or None
        Language of the map (None: the language the outputs are written in).
    """

    basemap: str = defaults.BASEMAP
    language: str | None = None


def _section(cls: type, spec: Mapping[str, Any] | None) -> Any:
    """``cls`` from a scenario section (None for none): its keys as fields, paths as :class:`Path`,
    mappings and lists frozen."""
    if spec is None:
        return None
    values = {key: _path(value) if key in _PATH_FIELDS else _frozen(value) for key, value in spec.items()}
    return cls(**values)


@dataclass(frozen=True)
class ScenarioSettings:
    """Every setting of a valid scenario, typed; made once by :func:`siting.scenario.load_scenario`.

    Attributes
    ----------
    network : NetworkSettings
    residential : ResidentialSettings
    facilities : SitesSettings
    entrances, units : LayerSettings or None
        None when the scenario names none.
    candidates : CandidatesSettings or None
        None when the scenario names none.
    profile : str
        A shipped profile name or a profile YAML path (absolute).
    overrides : FrozenMap
        Profile values for this scenario (empty when none).
    assess_year : int or None
        The year the inputs describe; targets due later are shown as not yet due.
    level : str or None
        The study's level (县, 区, 街道, 乡镇).
    reachability : ReachabilitySettings
    consistency : Accept
        What the planner accepts of what :mod:`siting.consistency` finds.
    optimize : OptimizeSettings or None
        None without an optimisation.
    map : MapSettings
    output : Path or None
        The output folder (None: ``out/<file stem>`` beside the scenario file,
        :attr:`siting.scenario.Scenario.output_dir`).
    description : str or None
    """

    network: NetworkSettings
    residential: ResidentialSettings
    facilities: SitesSettings
    entrances: LayerSettings | None = None
    candidates: CandidatesSettings | None = None
    units: LayerSettings | None = None
    profile: str = defaults.PROFILE
    overrides: FrozenMap = field(default_factory=FrozenMap)
    assess_year: int | None = None
    level: str | None = None
    reachability: ReachabilitySettings = field(default_factory=ReachabilitySettings)
    consistency: Accept = field(default_factory=Accept)
    optimize: OptimizeSettings | None = None
    map: MapSettings = field(default_factory=MapSettings)
    output: Path | None = None
    description: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ScenarioSettings:
        """The settings of a scenario mapping that :func:`siting.scenario.validate` found valid
        (``extends`` merged, paths absolute). A key the mapping leaves out takes its field's default."""
        entrances = dict(config.get("entrances") or {})
        accept = {key: config[key] for key in CONSISTENCY_CHOICES if key in config}
        if "gate_tolerance_m" in entrances:
            accept["gate_tolerance_m"] = entrances.pop("gate_tolerance_m")
        optimize = dict(config["optimize"]) if config.get("optimize") else None
        if optimize is not None:
            cost = optimize.pop("cost", None) or {}
            optimize["cost"] = CostSettings(**{key: float(value) for key, value in cost.items()}, given=bool(cost))
            if "time_limit_s" in optimize:
                optimize["time_limit_s"] = float(optimize["time_limit_s"])
        top = {key: config[key] for key in ("profile", "assess_year", "level", "description") if key in config}
        return cls(
            network=_section(NetworkSettings, config["network"]),
            residential=_section(ResidentialSettings, config["residential"]),
            facilities=_section(SitesSettings, config["facilities"]),
            entrances=_section(LayerSettings, entrances) if "entrances" in config else None,
            candidates=_section(CandidatesSettings, config.get("candidates")),
            units=_section(LayerSettings, config.get("units")),
            overrides=FrozenMap(config.get("overrides")),
            reachability=_section(ReachabilitySettings, config.get("reachability") or {}),
            consistency=Accept(**accept),
            optimize=_section(OptimizeSettings, optimize),
            map=_section(MapSettings, config.get("map") or {}),
            output=_path(config.get("output")),
            **top,
        )

    def layer_files(self) -> list[tuple[str, Path]]:
        """``(section, file)`` of every input file the scenario names (network, layers, OSM extract)."""
        files = [(section, getattr(getattr(self, section), key, None)) for section, *keys in PATH_KEYS for key in keys]
        return [(section, path) for section, path in files if path is not None]
