"""Read and validate the planner's layers into clean GeoDataFrames with a documented schema.

Every reader accepts a path (GeoPackage with a layer name, GeoJSON, Shapefile, CSV or spreadsheet
with lon/lat or x/y columns) or an existing GeoDataFrame, never writes to it, and returns a new
GeoDataFrame. Spreadsheets (``.xlsx``, ``.xlsm``, ``.xls``, read with python-calamine) are read from
their first sheet or ``sheet=``, with the headers a CSV would have; a title row above the header
and empty rows are skipped, and rows in messages are the sheet's row numbers.

Residential areas (小区/居住区), :func:`read_areas`
    ``area_id`` (str), ``name`` (str), ``households`` (float, 户数; 0 is allowed for single areas,
    which then get no floor-area verdict), ``households_source`` (``"input"``, ``"population"`` or
    ``"buildings"``), ``status`` (``"new"``/``"existing"``; missing means ``"existing"``, the
    conservative reading for an already-built town), optional ``population``, ``elderly``;
    Polygon/MultiPolygon geometry, or a Point for a 小区 known only by its location (from a POI
    list or a spreadsheet of lon/lat), which is then its own access point to the streets.
Facilities (existing elderly-care facilities), :func:`read_facilities`
    ``facility_id``, ``name``, ``level`` (``"county"``, ``"township"``, ``"community"``,
    ``"station"``), ``floor_area_m2``, ``beds`` (NaN when unknown), optional ``land_area_m2``,
    ``max_floor_area_m2`` (the largest floor area the facility may be enlarged to, 扩建上限; NaN when
    unknown), ``beds_nursing`` (护理型床位), ``beds_dementia`` (认知障碍照护床位), ``services`` (the
    planner's text, e.g. ``助餐;日间照料``; read with :func:`facility_services`), ``serves_townships``
    (服务乡镇: the towns a 区域性 centre serves besides its own, e.g. ``乙镇;丙镇``) and ``area_id`` (the
    residential area the facility was built with, 配建); Point geometry (a polygon becomes its
    representative point).
Candidate sites, :func:`read_candidates`
    ``candidate_id``, ``name``, ``max_floor_area_m2`` and ``min_floor_area_m2`` (the floor area a
    centre on the site may have, m²; NaN when unknown); Point geometry.
Administrative units, :func:`read_units`
    ``unit_id``, ``name``, ``level`` (``"township"`` or ``"community"``), ``parent`` (the township of
    a community), ``unit_type`` (townships ``street``/``town``/``xiang`` = 街道/镇/乡, communities
    ``community``/``village`` = 社区/村; from a type column or else the name), ``urban`` (communities:
    城市社区 or not; from a 城乡 column or else the type), ``population``, ``elderly``; Polygon
    geometry. Townships are dissolved from their communities when only community polygons are given.
Entrances (gates of residential areas), :func:`read_entrances`
    ``area_id``; Point geometry.

Prepared inputs, :func:`prepare_inputs`
    The columns later steps read, derived once from the layers above: each area's and facility's
    ``township`` and ``community`` (:func:`assign_units`), each area's ``urban`` (城镇 or 农村) and each
    facility's services (:data:`SERVICE_COLUMNS`, from ``services``). :class:`siting.plan.Study` prepares its
    layers when it is made; the check reads these columns.

Columns are found by their English name, by common Chinese headers (户数, 总户数, 小区名称, 名称, ...),
or by an explicit mapping ``columns={"households": "总户数"}`` (schema name → file column).
Coordinates in GCJ-02 (Amap, Tencent) or BD-09 (Baidu) are moved to WGS84 with ``crs="gcj02"`` or
``crs="bd09"``. Bad input raises :class:`~siting.errors.SitingInputError` naming the file, layer,
column and rows; repairable geometry is repaired with a warning.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from siting import defaults, validation
from siting.errors import SitingInputError, SitingWarning
from siting.files import missing_file_fix, read_bounded, refuse_special_file
from siting.labels import Message, msg
from siting.projection import CHINESE_DATUMS, WGS84, chinese_datum_to_wgs84

Source: TypeAlias = str | Path | gpd.GeoDataFrame

#: Header names recognised for each schema column, in order of preference (case-insensitive).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "area_id": ("area_id", "id", "小区编号", "编号", "代码"),
    "facility_id": ("facility_id", "id", "设施编号", "编号", "代码"),
    # site_id/设施点编号: the proposals the tool writes, read back as candidates
    "candidate_id": ("candidate_id", "id", "备选点编号", "site_id", "设施点编号", "编号", "代码"),
    "name": ("name", "小区名称", "设施名称", "名称", "名字"),
    "households": ("households", "总户数", "户数", "住户数", "居民户数", "hh"),
    "status": ("status", "类型", "建设类型", "状态", "新建/已建"),
    "population": ("population", "pop", "人口", "总人口", "常住人口"),
    "elderly": ("elderly", "老年人口", "老年人数", "60岁以上人口"),
    "level": ("level", "等级", "设施等级", "级别", "类型"),
    "floor_area_m2": ("floor_area_m2", "floor_area", "建筑面积", "面积"),
    "beds": ("beds", "床位", "床位数"),
    "land_area_m2": ("land_area_m2", "用地面积", "占地面积"),
    "max_floor_area_m2": ("max_floor_area_m2", "最大建筑面积", "可建面积", "扩建上限", "建筑面积上限", "建筑面积"),
    "min_floor_area_m2": ("min_floor_area_m2", "最小建筑面积", "建筑面积下限"),
    "community": ("community", "社区名称", "社区", "村(社区)", "村"),
    "beds_nursing": ("beds_nursing", "护理型床位", "护理型床位数", "护理床位"),
    "beds_dementia": ("beds_dementia", "认知障碍照护床位", "认知障碍床位", "失智照护床位", "失智床位"),
    "services": ("services", "服务内容", "服务项目", "服务功能", "服务类型"),
    "serves_townships": ("serves_townships", "服务乡镇", "服务乡镇(街道)", "辐射乡镇"),
    "township_type": ("township_type", "乡镇类型", "街道类型", "乡镇(街道)类型", "街道/乡镇"),
    "community_type": ("community_type", "社区类型", "村(社区)类型", "村/社区"),
    "urban": ("urban", "城乡", "城乡属性", "城乡分类", "城镇/农村"),
    "township": ("township", "街道名称", "乡镇名称", "乡镇(街道)", "乡镇", "街道"),
    # candidate plots: 容积率 (floor area / land area) and 限高 as floors
    "plot_ratio": ("plot_ratio", "容积率", "far"),
    "floors": ("floors", "限高", "限高(层)", "层数", "建筑层数", "building:levels"),
}
#: Words that suggest a column without being a sure header (套数: dwellings, usually one household
#: each): proposed in a column hint, never read unasked.
HINT_WORDS: dict[str, tuple[str, ...]] = {
    "households": ("套数", "住宅套数", "户", "household"),
    "floor_area_m2": ("面积", "area"),
    "level": ("级", "设施类型"),
    "population": ("人数",),
}
LON_NAMES = ("lon", "lng", "long", "longitude", "经度", "x")
LAT_NAMES = ("lat", "latitude", "纬度", "y")

STATUS_VALUES = {
    "new": "new",
    "新建": "new",
    "新": "new",
    "新建小区": "new",
    "规划": "new",
    "existing": "existing",
    "已建": "existing",
    "已建成": "existing",
    "现状": "existing",
    "老旧": "existing",
    "老旧小区": "existing",
    "旧": "existing",
    "既有": "existing",
    "已建小区": "existing",
}
LEVEL_VALUES = {
    "county": "county",
    "县级": "county",
    "县级养老机构": "county",
    "养老院": "county",
    "敬老院": "county",
    "县级养老服务指导中心": "county",
    "养老机构": "county",
    "township": "township",
    "乡镇(街道)综合养老服务中心": "township",
    "乡镇（街道）综合养老服务中心": "township",
    "乡镇综合养老服务中心": "township",
    "街道综合养老服务中心": "township",
    "综合养老服务中心": "township",
    "乡镇": "township",
    "街道": "township",
    "community": "community",
    "社区养老服务中心": "community",
    "社区日间照料中心": "community",
    "日间照料中心": "community",
    "社区": "community",
    "station": "station",
    "养老服务站": "station",
    "社区养老服务站": "station",
    "服务站": "station",
    "站": "station",
    "农村幸福院": "station",
    "幸福院": "station",
}
POLYGON_TYPES = ("Polygon", "MultiPolygon")
#: Headers of the facilities' ``area_id``: the residential area a facility was built with (配建).
FACILITY_AREA_NAMES = ("area_id", "所属小区编号", "配建小区编号", "所属小区", "配建小区")
TOWNSHIP_TYPE_VALUES = {
    "street": "street",
    "subdistrict": "street",
    "街道": "street",
    "街道办事处": "street",
    "办事处": "street",
    "town": "town",
    "镇": "town",
    "xiang": "xiang",
    "乡": "xiang",
    "民族乡": "xiang",
}
COMMUNITY_TYPE_VALUES = {
    "community": "community",
    "社区": "community",
    "城市社区": "community",
    "居委会": "community",
    "居民委员会": "community",
    "village": "village",
    "村": "village",
    "行政村": "village",
    "村委会": "village",
    "村民委员会": "village",
    "农村社区": "village",
}
URBAN_VALUES = {
    "urban": "urban",
    "城镇": "urban",
    "城市": "urban",
    "城区": "urban",
    "是": "urban",
    "true": "urban",
    "1": "urban",
    "rural": "rural",
    "农村": "rural",
    "乡村": "rural",
    "否": "rural",
    "false": "rural",
    "0": "rural",
}
#: Services a check looks for, by the words planners write for them (a word counts when it is part of
#: a listed service, so 幸福食堂 and 老年助餐点 both offer meals). Other services are kept as written.
SERVICE_WORDS: dict[str, tuple[str, ...]] = {
    "meal": ("助餐", "食堂", "送餐", "meal"),
    "day_care": ("日间", "日托", "托老", "day care", "day_care"),
    "residential_care": ("全托", "长期托养", "托养", "住养", "入住", "养老院", "养护院", "敬老院", "residential"),
    "dementia_care": ("失智", "认知障碍", "认知症", "dementia"),
    "home_care": ("上门", "居家服务", "home care", "home_care"),
    "medical_care": ("医养结合", "医养", "medical care", "medical_care"),
    "kangyang": ("康养联合体", "kangyang"),
}
_SERVICE_SEPARATORS = re.compile(r"[;；,，、/|\s]+")
#: The facility columns :func:`prepare_facilities` derives from ``services`` (:func:`facility_services`):
#: whether each facility offers the service, by service code.
SERVICE_COLUMNS: dict[str, str] = {code: f"offers_{code}" for code in SERVICE_WORDS}
#: The unit levels a feature is placed in (:func:`assign_units`), as column names.
UNIT_LEVELS = ("township", "community")
#: Residential areas may be drawn (polygons) or located (a point per 小区, e.g. from a POI list).
AREA_TYPES = (*POLYGON_TYPES, "Point")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls")
TEXT_TABLE_SUFFIXES = (".csv", ".txt")
#: Largest spreadsheet read, bytes once unpacked (an .xlsx is a zip: 4 MB on disk may unpack to 1 GB),
#: and largest CSV. A county's list of 小区 or facilities is a few MB.
MAX_TABLE_BYTES = 200_000_000
#: Most rows of a sheet or CSV (a province's 小区 are some 100,000).
MAX_TABLE_ROWS = 1_000_000
#: Rows of a sheet searched for its header (a title row or two above it is usual).
HEADER_SCAN_ROWS = 20


class _Ctx:
    """Where an input came from, for error messages and warnings."""

    def __init__(self, source: Source, layer: str | None = None, sheet: str | None = None, section: str | None = None):
        self.path: str | None = None if isinstance(source, gpd.GeoDataFrame) else str(source)
        self.layer = layer
        self.sheet = sheet
        # the scenario section this layer is read for (residential, facilities, ...), for column hints
        self.section = section
        # schema name -> the user's own header, so that messages name the column as the file does
        self.headers: dict[str, str] = {}

    @property
    def source(self) -> str | Message:
        if self.path is None:
            return msg("where_argument", name="GeoDataFrame")
        return msg("where_file_sheet", path=self.path, sheet=self.sheet) if self.sheet is not None else self.path

    def error(
        self, problem: Message, *, column: str | None = None, rows=None, fix: Message | None = None
    ) -> SitingInputError:
        return SitingInputError(
            problem, source=self.source, layer=self.layer, column=self.header(column), rows=rows, fix=fix
        )

    def columns(self, gdf: pd.DataFrame) -> list[str]:
        """The layer's columns as the file names them (geometry left out)."""
        geometry = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
        return [self.headers.get(str(c), str(c)) for c in gdf.columns if c != geometry]

    def hint(self, gdf: pd.DataFrame, target: str) -> Message:
        """How to name ``target``'s column: the likeliest of the file's columns as a ``columns:`` line."""
        # columns already read as another schema column are not proposed
        geometry = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
        free = pd.DataFrame(columns=[c for c in gdf.columns if str(c) not in self.headers and c != geometry])
        words = SYNONYMS.get(target, (target,)) + HINT_WORDS.get(target, ())
        return column_hint(free, target, words, self.section)

    def header(self, column: str | None) -> str | None:
        """The user's header for a schema column (the schema name when the file used it)."""
        return None if column is None else self.headers.get(column, column)

    def warn(
        self, text: Message, *, column: str | None = None, rows=None, fix: Message | None = None, depth: int = 2
    ) -> None:
        """Warn, pointing at the user's call: ``depth`` frames above the caller of this method."""
        warnings.warn(
            SitingWarning(text, source=self.source, layer=self.layer, column=self.header(column), rows=rows, fix=fix),
            stacklevel=depth + 2,
        )


def _find_column(frame: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    """The first of ``candidates`` among the frame's headers (case-insensitive); a header's unit in
    brackets is ignored, so 户数(户) and 建筑面积（平方米） are found, as the tool's own outputs head them."""
    lower: dict[str, object] = {}
    for c in frame.columns:
        lower.setdefault(str(c).strip().lower(), c)
    for c in frame.columns:
        lower.setdefault(_without_unit(str(c)).lower(), c)
    for name in candidates:
        if name.lower() in lower:
            return lower[name.lower()]  # type: ignore[return-value]
    return None


_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def _without_unit(header: str) -> str:
    """``户数(户)`` → ``户数``: a header without the unit in brackets at its end."""
    return _UNIT_SUFFIX.sub("", header.strip()) or header.strip()


def column_hint(frame: pd.DataFrame, target: str, words: tuple[str, ...], section: str | None = None) -> Message:
    """How to name a column the tool could not find: the likeliest of the frame's columns, as the
    ``columns:`` line of a scenario file (and the Python argument), or that none looks like it.

    Parameters
    ----------
    frame : DataFrame
        The layer as read (its own headers).
    target : str
        The schema name wanted, e.g. ``households``.
    words : tuple of str
        Headers and words that suggest the column (e.g. 户数, 套数): a header containing one, or
        spelled close to one, is a candidate; the closest wins.
    section : str, optional
        The scenario section of the layer (``residential``, ``network``, ...), named in the line.
    """
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    best = _likeliest([str(c) for c in frame.columns if c != geometry], words)
    where = section or "…"
    if best is None:
        return msg("column_hint_none", target=target, line=f"{where}: {{columns: {{{target}: <列名/column>}}}}")
    line = f"{where}: {{columns: {{{target}: {_yaml_text(best)}}}}}"
    return msg("column_hint", best=best, target=target, line=line)


def _likeliest(headers: list[str], words: tuple[str, ...], cutoff: float = 0.6) -> str | None:
    """The header most like one of ``words``: the same (its unit aside), holding the word (words of two
    characters or more), or spelled alike (difflib ratio); None when none reaches ``cutoff``."""
    import difflib

    best, score = None, cutoff
    for header in headers:
        plain = _without_unit(header).lower()
        for word in (w.lower() for w in words):
            if word == plain:
                found = 1.0
            elif len(word) > 1 and word in plain:
                found = 0.9
            else:
                found = difflib.SequenceMatcher(None, word, plain).ratio()
            if found > score or (best is None and found >= score):
                best, score = header, found
    return best


def _yaml_text(text: str) -> str:
    """Text as a YAML flow value: quoted when YAML would read it otherwise (``:``, ``#``, brackets, ...)."""
    if re.search(r"[:#,\[\]{}&*!|>'\"%@`]", text) or text != text.strip() or not text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def read_layer(
    source: Source,
    *,
    layer: str | None = None,
    sheet: str | None = None,
    crs: str | int | None = None,
    lon: str | None = None,
    lat: str | None = None,
) -> gpd.GeoDataFrame:
    """Read any supported vector source into a GeoDataFrame (a copy; the source is never written).

    Parameters
    ----------
    source : path or GeoDataFrame
        GeoPackage, GeoJSON, Shapefile, FlatGeobuf, CSV or spreadsheet (``.xlsx``, ``.xlsm``,
        ``.xls``) with coordinate columns.
    layer : str, optional
        Layer of a multi-layer file; required when a GeoPackage has several layers.
    sheet : str, optional
        Sheet of a spreadsheet (default: the first). Rows above the header (a title such as
        "东阿县养老服务设施一览表") and empty rows are skipped.
    crs : str, optional
        Coordinate system of table coordinates (default WGS84 lon/lat), or ``"gcj02"``/``"bd09"``
        for Chinese map coordinates in any format; otherwise overrides a missing CRS.
    lon, lat : str, optional
        Table coordinate column names when they are not one of lon/lng/经度/x and lat/纬度/y.
    """
    return _read(source, _Ctx(source, layer, sheet), crs=crs, lon=lon, lat=lat)


def _read(source: Source, ctx: _Ctx, *, crs: str | int | None, lon: str | None, lat: str | None) -> gpd.GeoDataFrame:
    crs = user_crs(crs, ctx)
    datum = CHINESE_DATUMS.get(str(crs).lower()) if crs else None
    layer = ctx.layer
    if isinstance(source, gpd.GeoDataFrame):
        gdf = source.copy()
    else:
        path = Path(source)
        _check_path(path, ctx.source)
        suffix = path.suffix.lower()
        if ctx.sheet is not None and suffix not in SPREADSHEET_SUFFIXES:
            raise ctx.error(msg("sheet_not_spreadsheet"), fix=msg("sheet_not_spreadsheet_fix"))
        if suffix in SPREADSHEET_SUFFIXES or suffix in TEXT_TABLE_SUFFIXES:
            if layer is not None:
                raise ctx.error(msg("layer_in_table"), fix=msg("layer_in_table_fix"))
            table = _read_sheet(path, ctx) if suffix in SPREADSHEET_SUFFIXES else _read_csv(path, ctx)
            gdf = _points_from_table(table, ctx, None if datum else crs, lon, lat)
        else:
            gdf = _read_vector(path, ctx)
    if len(gdf) == 0:
        raise ctx.error(msg("layer_empty"), fix=msg("layer_empty_fix"))
    _check_coordinates(gdf, ctx)
    if datum:
        if gdf.crs is not None and not gdf.crs.is_geographic:
            raise ctx.error(
                msg("datum_on_projected", crs=crs, datum=datum.upper(), layer_crs=gdf.crs.to_string()),
                fix=msg("datum_on_projected_fix"),
            )
        gdf = chinese_datum_to_wgs84(gdf.set_crs(WGS84, allow_override=True), datum)
    elif crs and gdf.crs is None:
        gdf = gdf.set_crs(crs)
    if gdf.crs is None:
        raise LayerWithoutCrs(ctx, gdf.geometry.to_numpy())
    return gdf


class LayerWithoutCrs(SitingInputError):
    """A layer without a CRS. Its geometries (coordinates as in the file) and scenario section go with
    the error, so that a scenario run can propose the CRS that puts them on its streets
    (:mod:`siting.crs_guess`)."""

    def __init__(self, ctx: _Ctx, geometries: np.ndarray) -> None:
        super().__init__(msg("layer_no_crs"), source=ctx.source, layer=ctx.layer, fix=msg("layer_no_crs_fix"))
        self.geometries = geometries
        self.section = ctx.section


def user_crs(crs: str | int | None, ctx: _Ctx | None = None) -> str | None:
    """A CRS as given (``gcj02``, ``EPSG:4548``, ``4548`` or the number 4548: an EPSG code), as text
    that pyproj or :data:`~siting.projection.CHINESE_DATUMS` knows; an unknown one is an error."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    if crs is None or isinstance(crs, bool):
        return None
    text = str(crs).strip()
    if text.lower() in CHINESE_DATUMS:
        return text
    text = f"EPSG:{text}" if text.isdigit() else text
    try:
        CRS.from_user_input(text)
    except CRSError:
        where = ctx.source if ctx is not None else msg("where_argument", name="crs")
        raise SitingInputError(
            msg("crs_unknown", crs=crs), source=where, layer=ctx.layer if ctx else None, fix=msg("crs_unknown_fix")
        ) from None
    return text


#: The table of a GeoPackage holding QGIS's layer styles (:mod:`siting.styles` writes it into outputs).
STYLE_TABLE = "layer_styles"


def _check_path(path: Path, source: str | Message) -> None:
    """Refuse a path that does not exist, or that is a folder (a File Geodatabase ``.gdb`` excepted)."""
    if not path.exists():
        raise SitingInputError(msg("file_not_found"), source=source, fix=missing_file_fix(path))
    if path.is_dir() and path.suffix.lower() != ".gdb":
        raise SitingInputError(msg("path_is_folder"), source=source, fix=msg("path_is_folder_fix"))
    refuse_special_file(path, source)


def _closest(name: str, names: list[str]) -> Message | str:
    """`` (did you mean 'x'?)`` for the name among ``names`` closest to ``name``, or nothing."""
    import difflib

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return msg("schema_did_you_mean", name=close[0]) if close else ""


def _read_vector(path: Path, ctx: _Ctx) -> gpd.GeoDataFrame:
    """A GeoPackage, Shapefile, GeoJSON, ... layer; a file GDAL cannot open is a SitingInputError."""
    layer = ctx.layer
    try:
        layers = [row[0] for row in pyogrio.list_layers(path)] if path.suffix.lower() == ".gpkg" else []
        # QGIS keeps a GeoPackage's styles in a table of their own: not a layer to choose between
        layers = [name for name in layers if name != STYLE_TABLE]
        if layer is not None and layers and layer not in layers:
            raise ctx.error(
                msg("layer_unknown", layer=layer, layers=layers, hint=_closest(layer, layers)),
                fix=msg("layer_unknown_fix"),
            )
        if layer is None and len(layers) > 1:
            raise ctx.error(msg("layer_ambiguous", layers=layers), fix=msg("layer_ambiguous_fix"))
        if layer is None and layers:
            layer = layers[0]
        gdf = gpd.read_file(path, layer=layer)
        if _gbk_without_cpg(path, gdf):
            ctx.warn(msg("shapefile_gbk"), fix=msg("shapefile_gbk_fix"), depth=3)
            gdf = gpd.read_file(path, layer=layer, encoding="gb18030")
    except SitingInputError:
        raise
    except Exception as exc:  # GDAL: not a recognised format, truncated, a malformed database
        raise ctx.error(msg("file_unreadable", error=exc), fix=msg("file_unreadable_fix")) from exc
    return gdf


def _check_coordinates(gdf: gpd.GeoDataFrame, ctx: _Ctx) -> None:
    """Refuse features with coordinates that are not finite, or beyond ±180°/±90° in a lon/lat layer.

    Rows are the row numbers of a table file, else the features' positions in the layer (from 0).
    """
    geoms = gdf.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bounds = np.full((len(geoms), 4), np.nan)
    bounds[present] = shapely.bounds(geoms[present])
    bad = present & ~np.isfinite(bounds).all(axis=1)
    if gdf.crs is not None and gdf.crs.is_geographic:
        with np.errstate(invalid="ignore"):
            beyond = (np.abs(bounds[:, [0, 2]]) > 180).any(axis=1) | (np.abs(bounds[:, [1, 3]]) > 90).any(axis=1)
        bad |= present & beyond
    if bad.any():
        raise ctx.error(
            msg(
                "coordinates_not_degrees" if gdf.crs is not None and gdf.crs.is_geographic else "coordinates_not_finite"
            ),
            column="geometry",
            rows=[_id_text(i) for i in gdf.index[bad]],
            fix=msg("coordinates_not_degrees_fix"),
        )


def _gbk_without_cpg(path: Path, gdf: gpd.GeoDataFrame) -> bool:
    """A Shapefile with no .cpg whose text, read as GDAL's default Latin-1, is really GBK Chinese."""
    if path.suffix.lower() != ".shp" or path.with_suffix(".cpg").exists() or path.with_suffix(".CPG").exists():
        return False
    texts = [str(c) for c in gdf.columns] + [
        str(v) for v in gdf.select_dtypes(include=["object", "string"]).head(20).stack()
    ]
    for text in texts:
        if text.isascii():
            continue
        try:
            decoded = text.encode("latin-1").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return False  # not Latin-1 mojibake: GDAL already decoded it properly
        if any("\u4e00" <= ch <= "\u9fff" for ch in decoded):
            return True
    return False


def _read_csv(path: Path, ctx: _Ctx) -> pd.DataFrame:
    """A CSV as text (ids such as 001 keep their zeros), indexed by line number, blank lines dropped."""
    data = read_bounded(path, MAX_TABLE_BYTES, source=ctx.source)
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            with warnings.catch_warnings():
                # more cells in the first row than in the header: pandas would drop them with a warning
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    io.BytesIO(data),
                    encoding=encoding,
                    dtype=str,
                    skip_blank_lines=False,
                    index_col=False,
                    nrows=MAX_TABLE_ROWS + 1,
                )
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            raise ctx.error(msg("table_empty"), fix=msg("table_empty_fix")) from None
        except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:  # a row longer than the header, a lone quote
            raise ctx.error(msg("csv_ragged", error=str(exc).strip()), fix=msg("csv_ragged_fix")) from None
        _check_rows(len(frame), ctx)
        frame.index = frame.index + 2  # the header is line 1
        return frame.dropna(how="all")
    raise ctx.error(msg("csv_encoding"), fix=msg("csv_encoding_fix"))


def _read_sheet(path: Path, ctx: _Ctx) -> pd.DataFrame:
    """One sheet of a workbook as text, indexed by sheet row number, read with python-calamine.

    The header is the first row naming a coordinate column (or the first non-empty row), so that
    a title row above the table, as Chinese office sheets often have, is skipped; only the first
    :data:`HEADER_SCAN_ROWS` rows are searched. A workbook that unpacks to more than
    :data:`MAX_TABLE_BYTES` is refused before it is read, a sheet of more than :data:`MAX_TABLE_ROWS`
    rows before it becomes a table.
    """
    _check_unpacked_size(path, ctx)
    try:
        with pd.ExcelFile(path, engine="calamine") as book:
            names = [str(n) for n in book.sheet_names]
            if ctx.sheet is not None and ctx.sheet not in names:
                raise ctx.error(
                    msg("sheet_unknown", sheet=ctx.sheet, sheets=names, hint=_closest(ctx.sheet, names)),
                    fix=msg("sheet_unknown_fix"),
                )
            ctx.sheet = ctx.sheet if ctx.sheet is not None else names[0]
            rows = pd.read_excel(book, sheet_name=ctx.sheet, header=None, dtype=str, nrows=MAX_TABLE_ROWS + 1)
    except SitingInputError:
        raise
    except Exception as exc:  # calamine's own errors: not a workbook, encrypted, corrupt
        raise ctx.error(msg("file_unreadable", error=exc), fix=msg("spreadsheet_unreadable_fix")) from exc
    _check_rows(len(rows), ctx)
    rows.index = rows.index + 1  # sheet row numbers
    rows = rows.dropna(how="all")
    if rows.empty:
        return pd.DataFrame()
    coordinate_names = {n.lower() for n in (*LON_NAMES, *LAT_NAMES)}
    top = rows.head(HEADER_SCAN_ROWS)
    names_coordinates = top.apply(lambda row: row.str.strip().str.lower().isin(coordinate_names).any(), axis=1)
    header = names_coordinates.idxmax() if names_coordinates.any() else rows.index[0]
    labels = [f"Unnamed: {i}" if pd.isna(v) else str(v).strip() for i, v in enumerate(rows.loc[header])]
    table = rows.loc[rows.index > header].set_axis(labels, axis=1)
    return table.loc[:, [not (label.startswith("Unnamed: ") and table[label].isna().all()) for label in labels]]


def _check_unpacked_size(path: Path, ctx: _Ctx) -> None:
    """Refuse a workbook larger than :data:`MAX_TABLE_BYTES` once unpacked, from its zip directory alone
    (an .xlsx of 4 MB can unpack to 1 GB and exhaust memory inside the reader); an .xls by its size."""
    try:
        with zipfile.ZipFile(path) as book:
            size = sum(entry.file_size for entry in book.infolist())
    except zipfile.BadZipFile:  # an .xls (not a zip), or a corrupt file: calamine says which
        size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        raise ctx.error(
            msg("spreadsheet_too_large", size=f"{size:,}", limit=f"{MAX_TABLE_BYTES:,}"),
            fix=msg("table_too_large_fix"),
        )


def _check_rows(n_rows: int, ctx: _Ctx) -> None:
    """Refuse a table of more than :data:`MAX_TABLE_ROWS` rows (read with ``nrows`` one beyond it)."""
    if n_rows > MAX_TABLE_ROWS:
        raise ctx.error(msg("table_too_many_rows", limit=f"{MAX_TABLE_ROWS:,}"), fix=msg("table_too_large_fix"))


def _points_from_table(
    frame: pd.DataFrame, ctx: _Ctx, crs: str | None, lon: str | None, lat: str | None
) -> gpd.GeoDataFrame:
    """Points from a table's coordinate columns; ``frame`` is indexed by the rows' numbers in the file."""
    if frame.empty:
        raise ctx.error(msg("table_no_rows"), fix=msg("table_empty_fix"))
    lon_col = lon or _find_column(frame, LON_NAMES)
    lat_col = lat or _find_column(frame, LAT_NAMES)
    if lon_col not in frame.columns or lat_col not in frame.columns:
        raise ctx.error(
            msg(
                "coordinates_not_found",
                lon_names="/".join(LON_NAMES),
                lat_names="/".join(LAT_NAMES),
                columns=[str(c) for c in frame.columns],
            ),
            fix=_coordinate_hint(frame, ctx),
        )
    xy = frame[[lon_col, lat_col]].apply(pd.to_numeric, errors="coerce")
    bad = frame.index[~np.isfinite(xy.to_numpy(dtype=float)).all(axis=1)]
    if len(bad):
        raise ctx.error(
            msg("coordinates_missing"),
            column=f"{lon_col}/{lat_col}",
            rows=[int(i) for i in bad],
            fix=msg("coordinates_missing_fix"),
        )
    crs = crs or "EPSG:4326"
    gdf = gpd.GeoDataFrame(
        frame.drop(columns=[lon_col, lat_col]),
        geometry=gpd.points_from_xy(xy[lon_col], xy[lat_col]),
        index=frame.index,
        crs=crs,
    )
    # China lies at longitude 73-135, latitude 18-54: the other way round means swapped columns
    if gdf.crs.is_geographic and xy[lon_col].between(18, 54).all() and xy[lat_col].between(73, 135).all():
        raise ctx.error(
            msg("coordinates_swapped", lon=lon_col, lat=lat_col),
            column=f"{lon_col}/{lat_col}",
            fix=msg("coordinates_swapped_fix"),
        )
    beyond = frame.index[(xy[lon_col].abs() > 180) | (xy[lat_col].abs() > 90)] if gdf.crs.is_geographic else []
    if len(beyond):
        raise ctx.error(
            msg("coordinates_not_degrees"),
            column=f"{lon_col}/{lat_col}",
            rows=[int(i) for i in beyond],
            fix=msg("coordinates_not_degrees_fix"),
        )
    return gdf


#: Words that suggest a coordinate column without being one of LON_NAMES/LAT_NAMES.
COORDINATE_HINT_WORDS = (("东经", "x坐标", "横坐标", "lon", "经度"), ("北纬", "y坐标", "纵坐标", "lat", "纬度"))


def _coordinate_hint(frame: pd.DataFrame, ctx: _Ctx) -> Message:
    """How to name a table's coordinate columns: the likeliest two as the scenario's ``lon:``/``lat:`` line."""
    headers = [str(c) for c in frame.columns]
    lon = _likeliest(headers, COORDINATE_HINT_WORDS[0])
    lat = _likeliest([h for h in headers if h != lon], COORDINATE_HINT_WORDS[1])
    if lon is None or lat is None:
        return msg("coordinates_not_found_fix")
    line = f"{ctx.section or '…'}: {{lon: {_yaml_text(lon)}, lat: {_yaml_text(lat)}}}"
    return msg("coordinates_hint", lon=lon, lat=lat, line=line)


def _standardize(
    gdf: gpd.GeoDataFrame, ctx: _Ctx, wanted: tuple[str, ...], columns: Mapping[str, str] | None
) -> gpd.GeoDataFrame:
    """Rename mapped or recognised columns to schema names; other columns are kept as they are."""
    columns = dict(columns or {})
    unknown = set(columns) - set(SYNONYMS) - set(wanted)
    if unknown:
        raise ctx.error(
            msg("mapping_unknown", names=sorted(unknown)), fix=msg("mapping_unknown_fix", names=list(wanted))
        )
    rename = {}
    for target in wanted:
        if target in columns:
            src = columns[target]
            if src not in gdf.columns:
                raise ctx.error(
                    msg("mapping_missing", column=src, target=target, columns=ctx.columns(gdf)),
                    column=src,
                    fix=ctx.hint(gdf, target),
                )
        else:
            found = _find_column(gdf, SYNONYMS.get(target, (target,)))
            if found is None or found in rename:
                continue
            src = found
        rename[src] = target
        ctx.headers[target] = str(src)
    dropped = [c for c in rename.values() if c in gdf.columns and c not in rename]
    return gdf.drop(columns=dropped).rename(columns=rename)


def _numeric(
    gdf: gpd.GeoDataFrame, column: str, ctx: _Ctx, ids: pd.Series, *, required: bool, allow_missing: bool = False
) -> pd.Series:
    if column not in gdf.columns:
        if required:
            raise ctx.error(
                msg("column_required", column=column, columns=ctx.columns(gdf)),
                column=column,
                fix=ctx.hint(gdf, column),
            )
        return pd.Series(np.nan, index=gdf.index, dtype=float)
    raw = gdf[column]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    non_numeric = raw.notna() & values.isna() & (raw.astype(str).str.strip() != "")
    if non_numeric.any():
        raise ctx.error(
            msg("values_not_numbers"), column=column, rows=ids[non_numeric].tolist(), fix=msg("values_not_numbers_fix")
        )
    if not allow_missing and values.isna().any():
        raise ctx.error(
            msg("values_missing"), column=column, rows=ids[values.isna()].tolist(), fix=msg("values_missing_fix")
        )
    infinite = np.isinf(values)
    if infinite.any():
        raise ctx.error(
            msg("values_not_finite"), column=column, rows=ids[infinite].tolist(), fix=msg("values_out_of_range_fix")
        )
    negative = values < 0
    if negative.any():
        raise ctx.error(
            msg("values_negative"), column=column, rows=ids[negative].tolist(), fix=msg("values_negative_fix")
        )
    implausible = validation.implausible(column, values)
    if implausible.any():
        raise ctx.error(
            msg("values_out_of_range", span=validation.RANGES[column].span()),
            column=column,
            rows=ids[implausible].tolist(),
            fix=msg("values_out_of_range_fix"),
        )
    unusual = validation.unusual(column, values)
    if unusual.any():
        ctx.warn(
            msg("values_unusual", usual=validation.usual_span(column)),
            column=column,
            rows=ids[unusual].tolist(),
            fix=msg("values_unusual_fix"),
        )
    return values


def _id_text(value: object) -> str:
    """An id as text: 12.0 (a number column read as float) is "12"; surrounding spaces dropped."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()


def _ids(gdf: gpd.GeoDataFrame, column: str, prefix: str, ctx: _Ctx) -> pd.Series:
    if column in gdf.columns:
        ids = gdf[column]
        missing = ids.isna() | (ids.astype(str).str.strip() == "")
        if missing.any():
            raise ctx.error(
                msg("ids_missing"),
                column=column,
                rows=[int(i) for i in gdf.index[missing]],
                fix=msg("ids_missing_fix"),
            )
        ids = ids.map(_id_text)
    else:
        width = max(3, len(str(len(gdf))))
        ids = pd.Series([f"{prefix}{i + 1:0{width}d}" for i in range(len(gdf))], index=gdf.index)
    duplicated = ids.duplicated(keep=False)
    if duplicated.any():
        raise ctx.error(
            msg("ids_duplicated"), column=column, rows=sorted(set(ids[duplicated])), fix=msg("ids_duplicated_fix")
        )
    return ids


def _geometry(gdf: gpd.GeoDataFrame, ctx: _Ctx, ids: pd.Series, allowed: tuple[str, ...]) -> gpd.GeoDataFrame:
    geoms = gdf.geometry
    empty = geoms.isna() | geoms.is_empty
    if empty.any():
        raise ctx.error(
            msg("geometry_empty"), column="geometry", rows=ids[empty].tolist(), fix=msg("geometry_empty_fix")
        )
    kinds = geoms.geom_type
    wrong = ~kinds.isin(allowed)
    if wrong.any():
        raise ctx.error(
            msg("geometry_type", allowed=list(allowed), found=sorted(set(kinds[wrong]))),
            column="geometry",
            rows=ids[wrong].tolist(),
            fix=msg("geometry_type_fix"),
        )
    invalid = ~geoms.is_valid
    if invalid.any():
        ctx.warn(msg("geometry_repaired"), column="geometry", rows=ids[invalid].tolist())
        repaired = shapely.make_valid(geoms[invalid].values)
        if "Polygon" in allowed:
            # make_valid can return collections with stray lines; keep the polygonal part
            repaired = np.array([_polygonal(g) for g in repaired], dtype=object)
        gdf = gdf.copy()
        gdf.loc[invalid, gdf.geometry.name] = repaired
        collapsed = invalid & ~gdf.geometry.geom_type.isin(allowed)
        if collapsed.any():
            raise ctx.error(
                msg("geometry_collapsed"),
                column="geometry",
                rows=ids[collapsed].tolist(),
                fix=msg("geometry_collapsed_fix"),
            )
    return gdf


def _polygonal(geom):
    if geom.geom_type in POLYGON_TYPES:
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in POLYGON_TYPES]
    return shapely.union_all(polys) if polys else geom


def _finish(gdf: gpd.GeoDataFrame, ordered: list[str]) -> gpd.GeoDataFrame:
    rest = [c for c in gdf.columns if c not in ordered and c != gdf.geometry.name]
    out = gdf[[*ordered, *rest, gdf.geometry.name]].reset_index(drop=True)
    return out.rename_geometry("geometry") if out.geometry.name != "geometry" else out


def _names(gdf: gpd.GeoDataFrame, ids: pd.Series) -> pd.Series:
    if "name" not in gdf.columns:
        return ids.copy()
    return gdf["name"].where(gdf["name"].notna(), ids).astype(str)


def read_areas(
    source: Source,
    *,
    layer: str | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    household_size: float = defaults.HOUSEHOLD_SIZE,
    buildings: gpd.GeoDataFrame | None = None,
    **building_kwargs,
) -> gpd.GeoDataFrame:
    """Read residential areas (小区) and validate them.

    Parameters
    ----------
    source : path or GeoDataFrame
        Polygons of residential areas, or points (one per 小区, e.g. a CSV or spreadsheet of
        lon/lat with 户数 from 链家/安居客 or an Amap/Baidu POI list), or a mix of both. A point is
        its own access point to the streets, and distances are measured from it.
    layer : str, optional
        Layer name in a multi-layer file.
    sheet : str, optional
        Sheet of a spreadsheet (default: the first).
    columns : mapping, optional
        Schema name → column in the file, e.g. ``{"households": "总户数", "status": "类型"}``.
    crs : str, optional
        ``"gcj02"``/``"bd09"`` for Chinese map coordinates, or the CRS of a layer that lacks one.
    lon, lat : str, optional
        Coordinate columns of a table when they are not one of lon/lng/经度/x and lat/纬度/y.
    household_size : float
        Persons per household used when ``households`` is missing but ``population`` is given
        (default 2.62, China's 2020 census; Shandong 2.70).
    buildings : GeoDataFrame, optional
        Building footprints used to estimate missing households of polygon areas
        (see :func:`siting.households.from_buildings`; ``building_kwargs`` go there).

    Returns
    -------
    GeoDataFrame
        In the schema above, in the input CRS (WGS84 when converted from GCJ-02/BD-09).

    Raises
    ------
    SitingInputError
        Among others when households are missing and cannot be estimated, or when every area has
        0 households (an area with 0 households is kept, and gets no floor-area verdict).
    """
    ctx = _Ctx(source, layer, sheet, "residential")
    return _areas(
        _read(source, ctx, crs=crs, lon=lon, lat=lat), ctx, columns, household_size, buildings, building_kwargs
    )


def _areas(
    gdf: gpd.GeoDataFrame,
    ctx: _Ctx,
    columns: Mapping[str, str] | None,
    household_size: float,
    buildings: gpd.GeoDataFrame | None,
    building_kwargs: Mapping,
) -> gpd.GeoDataFrame:
    from siting import households as hh

    gdf = _standardize(
        gdf,
        ctx,
        ("area_id", "name", "households", "status", "population", "elderly", "township", "community"),
        columns,
    )
    ids = _ids(gdf, "area_id", "A", ctx)
    gdf = _geometry(gdf, ctx, ids, AREA_TYPES)
    out = gdf.copy()
    out["area_id"] = ids
    out["name"] = _names(gdf, ids)
    out["population"] = _numeric(gdf, "population", ctx, ids, required=False, allow_missing=True)
    out["elderly"] = _numeric(gdf, "elderly", ctx, ids, required=False, allow_missing=True)
    households = _numeric(gdf, "households", ctx, ids, required=False, allow_missing=True)
    source_col = pd.Series(None, index=gdf.index, dtype=object)
    source_col[households.notna()] = "input"
    missing = households.isna()
    if missing.any():
        by_population = missing & out["population"].notna()
        households[by_population] = hh.from_population(out.loc[by_population, "population"], household_size)
        source_col[by_population] = "population"
        # a point has no footprint to hold buildings
        rest = missing & ~by_population & gdf.geom_type.isin(POLYGON_TYPES)
        if buildings is not None and rest.any():
            households[rest] = hh.from_buildings(out[rest], buildings, **building_kwargs)
            source_col[rest] = "buildings"
        still = households.isna()
        if still.any() and "households" not in gdf.columns:
            raise ctx.error(
                msg("households_column_missing", columns=ctx.columns(gdf)),
                column="households",
                fix=msg("households_column_missing_fix", hint=ctx.hint(gdf, "households")),
            )
        if still.any():
            raise ctx.error(
                msg("households_unknown"),
                column="households",
                rows=ids[still].tolist(),
                fix=msg("households_unknown_fix"),
            )
        ctx.warn(msg("households_estimated", n=int(missing.sum())), column="households", rows=ids[missing].tolist())
    if (households == 0).all():
        raise ctx.error(
            msg("households_all_zero", n=len(households)), column="households", fix=msg("households_all_zero_fix")
        )
    out["households"] = households.astype(float)
    out["households_source"] = source_col
    out["status"] = _categorical(gdf, "status", STATUS_VALUES, "existing", ctx, ids)
    ordered = ["area_id", "name", "households", "households_source", "status", "population", "elderly"]
    return _finish(out, ordered)


def _categorical(
    gdf: gpd.GeoDataFrame, column: str, vocabulary: Mapping[str, str], default: str | None, ctx: _Ctx, ids: pd.Series
) -> pd.Series:
    if column not in gdf.columns:
        if default is None:
            raise ctx.error(
                msg("column_required_values", column=column, columns=ctx.columns(gdf), values=sorted(set(vocabulary))),
                column=column,
                fix=ctx.hint(gdf, column),
            )
        return pd.Series(default, index=gdf.index, dtype=object)
    raw = gdf[column]
    text = raw.astype(str).str.strip().str.replace("（", "(").str.replace("）", ")")
    lookup = {k.lower().replace("（", "(").replace("）", ")"): v for k, v in vocabulary.items()}
    values = text.str.lower().map(lookup)
    blank = raw.isna() | (text == "")
    if default is not None:
        values[blank] = default
    bad = values.isna()
    if bad.any():
        raise ctx.error(
            msg("values_unrecognised", values=sorted(set(raw[bad].astype(str)))[:5]),
            column=column,
            rows=ids[bad].tolist(),
            fix=msg("values_unrecognised_fix", values=sorted(set(vocabulary))),
        )
    return values.astype(object)


def facility_services(services: pd.Series) -> pd.DataFrame:
    """Which known services (:data:`SERVICE_WORDS`) each facility offers, from its ``services`` text.

    Parameters
    ----------
    services : Series
        Text such as ``助餐;日间照料;上门服务`` (separated by ; , 、 / or spaces), or lists of such words;
        empty or NaN for none.

    Returns
    -------
    DataFrame
        One boolean column per service code (``meal``, ``day_care``, ``residential_care``,
        ``dementia_care``, ``home_care``, ``medical_care`` = 医养结合), indexed like ``services``. 日间托养 is
        day care, not residential care.
    """

    def words(value: object) -> list[str]:
        if isinstance(value, (list, tuple)):
            return [str(w).lower() for w in value]
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return []
        return [w.lower() for w in _SERVICE_SEPARATORS.split(str(value)) if w]

    listed = services.map(words)
    out = pd.DataFrame(index=services.index)
    for code, keys in SERVICE_WORDS.items():
        out[code] = listed.map(
            lambda ws, keys=keys, code=code: any(
                any(k in w for k in keys) and not (code == "residential_care" and "日" in w) for w in ws
            )
        ).astype(bool)
    return out


def unit_type_from_name(names: pd.Series, level: str) -> pd.Series:
    """The type a unit's name implies: townships ``street`` (…街道, …办事处), ``xiang`` (…乡) or ``town``;
    communities ``village`` (…村, …村委会) or ``community``."""
    text = names.astype(str).str.strip()
    if level == "township":
        street = text.str.contains("街道") | text.str.endswith("办事处")
        street |= text.str.lower().str.contains("subdistrict|street")
        kind = np.where(street, "street", np.where(text.str.endswith("乡"), "xiang", "town"))
        return pd.Series(kind, index=names.index)
    village = text.str.endswith("村") | text.str.endswith("村委会") | text.str.endswith("村民委员会")
    return pd.Series(np.where(village, "village", "community"), index=names.index)


def read_facilities(
    source: Source,
    *,
    layer: str | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
) -> gpd.GeoDataFrame:
    """Read existing elderly-care facilities (points, or polygons reduced to a representative point).

    ``level`` is required: county / township / community / station, or their Chinese names
    (县级养老机构, 乡镇(街道)综合养老服务中心, 社区养老服务中心, 养老服务站). ``floor_area_m2`` is
    required (建筑面积, m²). See the module docstring for the schema.
    """
    ctx = _Ctx(source, layer, sheet, "facilities")
    gdf = _standardize(
        _read(source, ctx, crs=crs, lon=lon, lat=lat),
        ctx,
        (
            "facility_id",
            "name",
            "level",
            "floor_area_m2",
            "max_floor_area_m2",
            "beds",
            "land_area_m2",
            "beds_nursing",
            "beds_dementia",
            "services",
            "serves_townships",
            "township",
            "community",
        ),
        {k: v for k, v in (columns or {}).items() if k != "area_id"},
    )
    owner = (columns or {}).get("area_id") or _find_column(gdf, FACILITY_AREA_NAMES)
    ids = _ids(gdf, "facility_id", "F", ctx)
    gdf = _geometry(gdf, ctx, ids, ("Point", "MultiPoint", *POLYGON_TYPES))
    out = gdf.copy()
    out["facility_id"] = ids
    out["name"] = _names(gdf, ids)
    out["level"] = _categorical(gdf, "level", LEVEL_VALUES, None, ctx, ids)
    out["floor_area_m2"] = _numeric(gdf, "floor_area_m2", ctx, ids, required=True)
    out["beds"] = _numeric(gdf, "beds", ctx, ids, required=False, allow_missing=True)
    out["land_area_m2"] = _numeric(gdf, "land_area_m2", ctx, ids, required=False, allow_missing=True)
    out["max_floor_area_m2"] = _numeric(gdf, "max_floor_area_m2", ctx, ids, required=False, allow_missing=True)
    ordered = ["facility_id", "name", "level", "floor_area_m2", "beds", "land_area_m2", "max_floor_area_m2"]
    for column in ("beds_nursing", "beds_dementia"):
        if column in gdf.columns:
            out[column] = _numeric(gdf, column, ctx, ids, required=False, allow_missing=True)
            ordered.append(column)
    if "services" in gdf.columns:
        out["services"] = gdf["services"].where(gdf["services"].notna(), "").astype(str).str.strip()
        ordered.append("services")
    if "serves_townships" in gdf.columns:  # a 区域性 centre: the towns it serves besides its own
        out["serves_townships"] = gdf["serves_townships"].where(gdf["serves_townships"].notna(), "").astype(str)
        ordered.append("serves_townships")
    if owner is not None:
        out["area_id"] = _built_with(gdf, owner, ctx)
        ordered.append("area_id")
    out = out.set_geometry(_points(out))
    return _finish(out, ordered)


def _built_with(gdf: gpd.GeoDataFrame, owner: str, ctx: _Ctx) -> pd.Series:
    """The ``area_id`` a facility or candidate site was built with (配建), None where the cell is empty."""
    if owner not in gdf.columns:
        raise ctx.error(
            msg("mapping_missing", column=owner, target="area_id", columns=ctx.columns(gdf)),
            column=owner,
            fix=column_hint(gdf, "area_id", FACILITY_AREA_NAMES, ctx.section),
        )
    given = gdf[owner].notna() & (gdf[owner].astype(str).str.strip() != "")
    ctx.headers["area_id"] = str(owner)
    return gdf[owner].map(_id_text).where(given, None)


def _points(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Points as they are; polygons and multipoints as a point inside them (for attaching to streets)."""
    geoms = gdf.geometry
    is_point = geoms.geom_type == "Point"
    return geoms.where(is_point, geoms.representative_point())


def read_candidates(
    source: Source,
    *,
    layer: str | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
) -> gpd.GeoDataFrame:
    """Read candidate sites for new centres (points, or parcels reduced to a representative point).

    An optional ``area_id`` (headers :data:`FACILITY_AREA_NAMES`, e.g. 配建小区编号) names the residential
    area a site belongs to, such as a new development's 配套用房: a centre built there is that area's
    own floor area (``new_area_counts: own``), wherever it stands.
    """
    ctx = _Ctx(source, layer, sheet, "candidates")
    gdf = _standardize(
        _read(source, ctx, crs=crs, lon=lon, lat=lat),
        ctx,
        ("candidate_id", "name", "max_floor_area_m2", "min_floor_area_m2", "plot_ratio", "floors"),
        {k: v for k, v in (columns or {}).items() if k != "area_id"},
    )
    owner = (columns or {}).get("area_id") or _find_column(gdf, FACILITY_AREA_NAMES)
    ids = _ids(gdf, "candidate_id", "C", ctx)
    gdf = _geometry(gdf, ctx, ids, ("Point", "MultiPoint", *POLYGON_TYPES))
    out = gdf.copy()
    out["candidate_id"] = ids
    out["name"] = _names(gdf, ids)
    out["max_floor_area_m2"] = _numeric(gdf, "max_floor_area_m2", ctx, ids, required=False, allow_missing=True)
    out["min_floor_area_m2"] = _numeric(gdf, "min_floor_area_m2", ctx, ids, required=False, allow_missing=True)
    ordered = ["candidate_id", "name", "max_floor_area_m2", "min_floor_area_m2"]
    if owner is not None:
        out["area_id"] = _built_with(gdf, owner, ctx)
        ordered.append("area_id")
    parcels = gdf.geom_type.isin(POLYGON_TYPES).to_numpy()
    if parcels.any():
        out, more = _parcels(out, gdf, parcels, ctx, ids)
        ordered += more
    out = out.set_geometry(_points(out))
    return _finish(out, ordered)


def _parcels(
    out: gpd.GeoDataFrame, gdf: gpd.GeoDataFrame, parcels: np.ndarray, ctx: _Ctx, ids: pd.Series
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Candidate plots (polygons): their land area, plot ratio (容积率) and floors (限高), the largest floor
    area a plot allows, and the outline itself (``parcel``), from which a scenario run finds the plot's
    street-facing access (:func:`siting.pipeline.parcel_access`).

    The largest floor area is the plot's area × its plot ratio unless ``max_floor_area_m2`` is given;
    ``max_floor_area_source`` says which (``input`` or ``plot_ratio``).
    """
    from siting.projection import to_metric

    land = np.where(parcels, shapely.area(to_metric(gdf).geometry.to_numpy()), np.nan)
    ratio = _numeric(gdf, "plot_ratio", ctx, ids, required=False, allow_missing=True)
    given = out["max_floor_area_m2"].to_numpy(dtype=float)
    by_ratio = np.isnan(given) & ~np.isnan(land * ratio.to_numpy())
    out["land_area_m2"] = land
    out["plot_ratio"] = ratio.to_numpy()
    out["floors"] = _numeric(gdf, "floors", ctx, ids, required=False, allow_missing=True).to_numpy()
    out["max_floor_area_m2"] = np.where(by_ratio, land * ratio.to_numpy(), given)
    source = np.full(len(out), None, dtype=object)
    source[~np.isnan(given)] = "input"
    source[by_ratio] = "plot_ratio"
    out["max_floor_area_source"] = source
    out["parcel"] = np.where(parcels, gdf.geometry.to_numpy(), None)
    return out, ["land_area_m2", "plot_ratio", "floors", "max_floor_area_source", "parcel"]


def read_entrances(
    source: Source, *, layer: str | None = None, columns: Mapping[str, str] | None = None, crs: str | None = None
) -> gpd.GeoDataFrame:
    """Read entrances (gates) of residential areas: points with the ``area_id`` they open into."""
    ctx = _Ctx(source, layer, section="entrances")
    gdf = _standardize(_read(source, ctx, crs=crs, lon=None, lat=None), ctx, ("area_id",), columns)
    if "area_id" not in gdf.columns:
        raise ctx.error(msg("entrances_no_area_id"), column="area_id", fix=msg("entrances_no_area_id_fix"))
    rows = pd.Series(gdf.index.astype(str), index=gdf.index)
    gdf = _geometry(gdf, ctx, rows, ("Point",))
    area_ids = gdf["area_id"].map(_id_text)
    out = gpd.GeoDataFrame({"area_id": area_ids.to_numpy()}, geometry=gdf.geometry.values, crs=gdf.crs)
    return out


def read_units(
    source: Source, *, layer: str | None = None, columns: Mapping[str, str] | None = None, crs: str | None = None
) -> gpd.GeoDataFrame:
    """Read administrative units: communities (社区/村) with their township (乡镇/街道), or townships.

    A layer with both a community and a township column gives community units plus township units
    dissolved from them; a layer with only a township (or only a name) column gives township units.
    """
    ctx = _Ctx(source, layer, section="units")
    gdf = _standardize(
        _read(source, ctx, crs=crs, lon=None, lat=None),
        ctx,
        ("community", "township", "name", "township_type", "community_type", "urban", "population", "elderly"),
        columns,
    )
    rows = pd.Series(gdf.index.astype(str), index=gdf.index)
    gdf = _geometry(gdf, ctx, rows, POLYGON_TYPES)
    people = {c: _numeric(gdf, c, ctx, rows, required=False, allow_missing=True) for c in ("population", "elderly")}
    township_type = (
        _categorical(gdf, "township_type", TOWNSHIP_TYPE_VALUES, "", ctx, rows).replace("", None)
        if "township_type" in gdf.columns
        else pd.Series(None, index=gdf.index, dtype=object)
    )
    if "community" in gdf.columns:
        names = gdf["community"].astype(str)
        given = (
            _categorical(gdf, "community_type", COMMUNITY_TYPE_VALUES, "", ctx, rows).replace("", None)
            if "community_type" in gdf.columns
            else pd.Series(None, index=gdf.index, dtype=object)
        )
        kind = given.fillna(unit_type_from_name(names, "community"))
        urban = (
            _categorical(gdf, "urban", URBAN_VALUES, "", ctx, rows).replace("", None)
            if "urban" in gdf.columns
            else pd.Series(None, index=gdf.index, dtype=object)
        )
        communities = gpd.GeoDataFrame(
            {
                "name": names,
                "level": "community",
                "parent": gdf["township"].astype(str) if "township" in gdf.columns else None,
                "unit_type": kind,
                # a 城乡 column decides; without one, a 村 is rural and a 社区 urban
                "urban": pd.array(urban.fillna(kind.map({"community": "urban", "village": "rural"})) == "urban"),
                **people,
            },
            geometry=gdf.geometry.values,
            crs=gdf.crs,
        )
        frames = [communities]
        if "township" in gdf.columns:
            townships = communities.dissolve(
                by="parent",
                as_index=False,
                aggfunc={"population": lambda v: v.sum(min_count=1), "elderly": lambda v: v.sum(min_count=1)},
            )
            stated = township_type.groupby(communities["parent"].to_numpy()).agg(
                lambda v: v.dropna().iloc[0] if v.notna().any() else None
            )
            kinds = townships["parent"].map(stated)
            frames.insert(
                0,
                gpd.GeoDataFrame(
                    {
                        "name": townships["parent"],
                        "level": "township",
                        "parent": None,
                        "unit_type": kinds.fillna(unit_type_from_name(townships["parent"], "township")),
                        "urban": pd.array([pd.NA] * len(townships), dtype="boolean"),
                        "population": townships["population"],
                        "elderly": townships["elderly"],
                    },
                    geometry=townships.geometry.values,
                    crs=gdf.crs,
                ),
            )
        units = pd.concat(frames, ignore_index=True)
    else:
        name_col = "township" if "township" in gdf.columns else "name"
        if name_col not in gdf.columns:
            raise ctx.error(msg("units_no_name"), column="name", fix=msg("units_no_name_fix"))
        names = gdf[name_col].astype(str)
        units = gpd.GeoDataFrame(
            {
                "name": names,
                "level": "township",
                "parent": None,
                "unit_type": township_type.fillna(unit_type_from_name(names, "township")),
                "urban": pd.array([pd.NA] * len(gdf), dtype="boolean"),
                **people,
            },
            geometry=gdf.geometry.values,
            crs=gdf.crs,
        )
    # a unit is known by its full path: two villages named 张庄村 in two townships are two villages
    duplicated = units.duplicated(subset=["level", "parent", "name"], keep=False)
    if duplicated.any():
        raise ctx.error(
            msg("units_duplicated"),
            column="name",
            rows=sorted(set(units.loc[duplicated, "name"])),
            fix=msg("units_duplicated_fix"),
        )
    shared = (units["level"] == "community") & units.duplicated(subset=["level", "name"], keep=False)
    units.loc[shared, "name"] = units.loc[shared, "parent"] + "/" + units.loc[shared, "name"]
    units.insert(
        0,
        "unit_id",
        [f"{'T' if lv == 'township' else 'C'}-{n}" for lv, n in zip(units["level"], units["name"], strict=True)],
    )
    return gpd.GeoDataFrame(units, geometry="geometry", crs=gdf.crs)


def assign_units(frame: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of ``frame`` with ``township`` and ``community`` columns: the unit holding each feature.

    A feature belongs to the unit that contains its representative point; features outside every
    unit get None. Existing non-empty ``township``/``community`` values are kept.
    """
    out = frame.copy()
    points = gpd.GeoDataFrame(
        geometry=frame.geometry.representative_point().to_crs(units.crs).values, index=frame.index, crs=units.crs
    )
    for level in UNIT_LEVELS:
        layer = units[units["level"] == level]
        if layer.empty:
            continue
        joined = gpd.sjoin(points, layer[["name", "geometry"]], how="left", predicate="within")
        found = joined[~joined.index.duplicated()]["name"]
        if level in out.columns:
            out[level] = out[level].where(~_blank(out[level]), found)
        else:
            out[level] = found
    return out


def prepare_inputs(
    areas: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, units: gpd.GeoDataFrame | None = None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The areas and facilities with the columns every later step reads, each derived here once:
    :func:`prepare_areas` and :func:`prepare_facilities`.

    :class:`siting.plan.Study` prepares its layers when it is made (``siting run`` through it), and the
    check (:func:`siting.compliance.check_compliance`) reads these columns; layers read by hand and
    checked directly are prepared by the check itself, through these same functions.

    Parameters
    ----------
    areas, facilities : GeoDataFrame
        From :func:`read_areas` and :func:`read_facilities` (not modified).
    units : GeoDataFrame, optional
        From :func:`read_units`: the townships and communities the features are placed in.

    Returns
    -------
    (GeoDataFrame, GeoDataFrame)
        New areas and facilities.
    """
    return prepare_areas(areas, units), prepare_facilities(facilities, units)


def prepare_areas(
    areas: gpd.GeoDataFrame, units: gpd.GeoDataFrame | None = None, *, missing_only: bool = False
) -> gpd.GeoDataFrame:
    """A copy of ``areas`` with ``township`` and ``community`` (the units holding each area,
    :func:`assign_units`; with ``units`` only) and ``urban`` (城镇 or 农村: the areas' own ``urban``, else
    the 城乡 of their community, :func:`community_urban`; NA where the community is unknown).

    ``missing_only``: place the areas only when they lack a unit column, so a frame prepared before is
    not placed again (the check, for a caller who may not have prepared it).
    """
    out = _placed(areas, units, missing_only)
    if "urban" in out.columns:
        out["urban"] = pd.array(out["urban"], dtype="boolean")
        return out
    urban = pd.Series(pd.NA, index=out.index, dtype="boolean")
    if "community" in out.columns:
        community = out["community"].astype("string")
        known = community.notna().to_numpy()
        urban[known] = community_urban(community[known].astype(str), units).to_numpy()
    out["urban"] = urban.array
    return out


def prepare_facilities(
    facilities: gpd.GeoDataFrame, units: gpd.GeoDataFrame | None = None, *, missing_only: bool = False
) -> gpd.GeoDataFrame:
    """A copy of ``facilities`` with ``township`` and ``community`` (the units holding each facility,
    :func:`assign_units`; with ``units`` only) and, with a ``services`` column, one boolean column per
    service (:data:`SERVICE_COLUMNS`, ``offers_meal`` …, read by :func:`facility_services`).

    ``missing_only``: derive only what the frame lacks, a column or a row's value (rows appended to a
    prepared frame), so that a frame prepared before is returned as it is (the check, for a caller who
    may not have prepared it). A prepared row whose ``services`` or position is edited afterwards keeps
    what was derived: prepare the frame again, without ``missing_only``.
    """
    out = _placed(facilities, units, missing_only)
    if "services" not in out.columns:
        return out
    columns = list(SERVICE_COLUMNS.values())
    rows = out.reindex(columns=columns).isna().any(axis=1).to_numpy() if missing_only else np.ones(len(out), dtype=bool)
    offered = facility_services(out.loc[rows, "services"]) if rows.any() else None
    for code, column in SERVICE_COLUMNS.items():
        values = np.array(out[column], dtype=object) if column in out.columns else np.full(len(out), None, object)
        if offered is not None:
            values[rows] = offered[code].to_numpy()
        # booleans, whatever a concatenation made of them
        out[column] = pd.Series(values, dtype=object).eq(True).to_numpy()
    return out


def _placed(frame: gpd.GeoDataFrame, units: gpd.GeoDataFrame | None, missing_only: bool) -> gpd.GeoDataFrame:
    """A copy of ``frame`` placed in ``units`` (:func:`assign_units`) where it can be: units with polygons
    and a frame with geometry; with ``missing_only``, only when it lacks a value of a level the units have."""
    placeable = isinstance(frame, gpd.GeoDataFrame) and getattr(frame, "geometry", None) is not None
    if units is None or not isinstance(units, gpd.GeoDataFrame) or not placeable:
        return frame.copy()
    levels = [level for level in UNIT_LEVELS if units["level"].eq(level).any()]
    drawn = units[units.geometry.notna()]
    if not missing_only or not all(level in frame.columns for level in levels):
        return assign_units(frame, drawn)
    # only the rows with a blank: a feature outside every unit stays blank, and is not the reason to
    # place the whole layer again at every check
    blank = np.logical_or.reduce([_blank(frame[level]).to_numpy() for level in levels], initial=False)
    out = frame.copy()
    if blank.any():
        placed = assign_units(frame[blank], drawn)
        for level in levels:
            out.loc[blank, level] = placed[level].to_numpy()
    return out


def _blank(names: pd.Series) -> pd.Series:
    """Unit names not given: missing or empty (the ones :func:`assign_units` fills)."""
    return names.isna() | (names.astype(str) == "")


def community_urban(names: pd.Series, units: pd.DataFrame | None) -> pd.Series:
    """Whether each community is urban (城市社区): the units' ``urban``, else their type, else the name."""
    kind = unit_type_from_name(names, "community")
    urban = pd.Series(kind == "community", index=names.index, dtype="boolean")
    if units is None:
        return urban
    rows = units[units["level"] == "community"].set_index("name")
    if "unit_type" in rows.columns:
        by_type = names.map(rows["unit_type"].map({"community": True, "village": False}))
        urban = pd.Series(by_type, index=names.index, dtype="boolean").fillna(urban)
    if "urban" in rows.columns:
        urban = pd.Series(names.map(rows["urban"]), index=names.index, dtype="boolean").fillna(urban)
    return urban


def areas_from_osm(
    path: str | Path,
    *,
    household_size: float = defaults.HOUSEHOLD_SIZE,
    default_floors: float = defaults.DEFAULT_FLOORS,
    **building_kwargs,
) -> gpd.GeoDataFrame:
    """Residential areas from an OpenStreetMap file: ``landuse=residential`` polygons, households
    estimated from the buildings inside them.

    OpenStreetMap in China seldom records ``building:levels``; buildings without it count as
    ``default_floors`` floors (6: the common 多层 walk-up block). The estimate is marked
    ``households_source = "buildings"``; replace it with the real 户数 when the planner has them.

    Parameters
    ----------
    path : path
        ``.osm`` XML (read with OSMnx) or ``.osm.pbf`` (read with pyrosm).
    household_size : float
        Persons per household, for population estimates.
    default_floors : float
        Floors of a building with neither ``building:levels`` nor ``height``.
    building_kwargs
        Passed to :func:`siting.households.from_buildings`.
    """
    import osmnx as ox

    path = Path(path)
    ctx = _Ctx(path, None, section="residential")
    _check_path(path, ctx.source)
    try:
        if path.name.lower().endswith(".pbf"):
            import pyrosm

            osm = pyrosm.OSM(str(path))
            landuse = osm.get_landuse(custom_filter={"landuse": ["residential"]})
            buildings = osm.get_buildings()
        else:
            # one pass over the XML for both; split below
            features = ox.features_from_xml(path, tags={"landuse": "residential", "building": True})
            landuse = features[features["landuse"] == "residential"] if "landuse" in features else features.iloc[:0]
            buildings = features[features["building"].notna()] if "building" in features else features.iloc[:0]
    except Exception as exc:  # OSMnx raises InsufficientResponseError when nothing matches
        raise ctx.error(
            msg("osm_areas_unreadable", error=f"{type(exc).__name__}: {exc}"), fix=msg("osm_areas_none_fix")
        ) from exc
    if landuse is None or len(landuse) == 0:
        raise ctx.error(msg("osm_areas_none"), fix=msg("osm_areas_none_fix"))
    landuse = landuse.set_geometry(shapely.make_valid(landuse.geometry.values))
    polygons = landuse[landuse.geometry.geom_type.isin(POLYGON_TYPES) & (shapely.area(landuse.geometry.values) > 0)]
    ids = (
        polygons.index.map(lambda i: "osm-" + "-".join(map(str, i)) if isinstance(i, tuple) else f"osm-{i}")
        if "id" not in polygons.columns
        else "osm-" + polygons["id"].astype(str)
    )
    names = polygons["name"] if "name" in polygons.columns else pd.Series(None, index=polygons.index)
    frame = gpd.GeoDataFrame(
        {"area_id": list(ids), "name": names.where(names.notna(), list(ids)).to_numpy()},
        geometry=polygons.geometry.values,
        crs=polygons.crs,
    )
    if buildings is None:  # pyrosm: the file has no buildings
        buildings = gpd.GeoDataFrame(geometry=[], crs=polygons.crs)
    buildings = buildings[buildings.geometry.geom_type.isin(POLYGON_TYPES)]
    kwargs = {"floors_column": "building:levels", "default_floors": default_floors, **building_kwargs}
    # the estimate is marked per row (households_source) and said in a warning
    return _areas(frame, ctx, None, household_size, buildings, kwargs)
