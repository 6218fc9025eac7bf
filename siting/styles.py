"""Styles for desktop GIS: every GeoPackage siting writes opens in QGIS looking like the web map, and
``map.qgz`` opens them all at once.

A GeoPackage carries its styles in a ``layer_styles`` table (the convention of QGIS; GDAL lists the
table as a second layer, so a script reads ``gpd.read_file("areas.gpkg", layer="areas")``, and
siting's readers pass it over): one row per style of a layer, with the style as QGIS's QML and as OGC SLD 1.1 for
other clients (GeoServer, ArcGIS Pro's SLD import), one of them marked ``useAsDefault``; QGIS applies
that one when the layer is opened. The styles are made here from the web map's own definitions in
:mod:`siting.maps` (colours, classes, marker sizes, line widths in screen pixels) and the wording of
:mod:`siting.labels` (legend entries, Chinese field aliases), so the two cannot drift apart:

=================== ============================================================================
``areas``           小区 by walking class (default) and by floor-area verdict (second style); names
                    as labels from 1:10,000 up
``facilities``      existing facilities by level, marker size by floor area, a red ring when below
                    the minimum site size; names from 1:25,000 up
``proposals``       新建 (filled disc) and 扩建 (ring) with the rank written inside
``service_areas``   the 5/10/15-minute bands (the merged ones when the folder has them), the widest
                    at the bottom and the only one shown at first, as on the web map
``streets``         main roads and other streets
=================== ============================================================================

:func:`style_outputs` writes the table into each GeoPackage of an output folder, and ``map.qgz``: a
QGIS project (a zip holding ``map.qgs``) with the layers in the web map's order over the study's own
streets, with paths relative to the project, so the folder can be moved, sent on and opened offline.

Where SLD cannot say what QML says, the SLD keeps the classes and colours: facility markers have one
size (SLD has no square root), and a point 小区 is a marker of :data:`siting.maps.POINT_AREA_RADIUS_PX`
whatever its ``point_radius_m``.
"""

from __future__ import annotations

import copy
import io
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from siting import maps
from siting.files import write_whole
from siting.inputs import STYLE_TABLE
from siting.labels import column_label, term, value_label

#: QGIS version written into styles and the project (the format of QGIS 3.22 LTR, read by every 3.x since).
QGIS_VERSION = "3.22.16-Białowieża"
#: Scale from which names are labelled: 小区 (1:10,000, a few streets on screen) and facilities.
AREA_LABEL_SCALE = 10_000
FACILITY_LABEL_SCALE = 25_000
#: Font of labels: the CJK font of Debian and of most Chinese installations (Qt substitutes another if absent).
LABEL_FONT = "Noto Sans CJK SC"
#: Name of the QGIS project written beside the GeoPackages.
PROJECT_NAME = "map.qgz"

_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
_GEOMETRY_CODES = {"point": "0", "line": "1", "polygon": "2"}
_SLD_SYMBOLIZERS = {"point": "PointSymbolizer", "line": "LineSymbolizer", "polygon": "PolygonSymbolizer"}
_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"
for _prefix, _uri in (("sld", _SLD), ("se", _SE), ("ogc", _OGC)):
    ET.register_namespace(_prefix, _uri)
_MERGED_SQL = '("facility_id" IS NULL OR "facility_id" = \'all\')'


@dataclass(frozen=True)
class Category:
    """One class of a layer: the value of its class expression, legend text, Leaflet style and SLD filter."""

    value: str
    label: str
    style: Mapping[str, Any]
    #: An OGC filter element selecting the class (None: the features no other rule takes, written as the
    #: negation of the others' filters).
    sld_filter: ET.Element | None
    #: Shown when the layer opens (the 5- and 10-minute bands start hidden, as on the web map).
    shown: bool = True


@dataclass(frozen=True)
class LayerStyle:
    """A style of one GeoPackage layer, as drawn by the web map.

    ``expression`` is a QGIS expression giving each feature's class (a ``value`` of ``categories``);
    the ``*_expression`` fields are data-defined marker size (diameter in pixels), outline colour and
    outline width of every symbol; ``label`` a QGIS expression labelled from ``label_scale`` up (0:
    at every scale) with ``label_style`` "name" (dark text with a halo) or "rank" (white, bold, centred).
    """

    table: str
    name: str
    geometry: str
    expression: str
    categories: tuple[Category, ...]
    aliases: Mapping[str, str]
    default: bool = True
    label: str | None = None
    label_scale: float = 0
    label_style: str = "name"
    size_expression: str | None = None
    outline_color_expression: str | None = None
    outline_width_expression: str | None = None
    order_by_descending: str | None = None
    visible: bool = True


# --------------------------------------------------------------------------------------------------
# The styles of each output layer
# --------------------------------------------------------------------------------------------------
def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _ogc(tag: str, *children: ET.Element | str, **attrib: str) -> ET.Element:
    """An OGC filter element; string children are property names (first) or literals (after)."""
    element = ET.Element(f"{{{_OGC}}}{tag}", attrib)
    for i, child in enumerate(children):
        if isinstance(child, str):
            sub = ET.SubElement(element, f"{{{_OGC}}}{'PropertyName' if i == 0 else 'Literal'}")
            sub.text = child
        else:
            element.append(child)
    return element


def _equal(column: str, value: str) -> ET.Element:
    return _ogc("PropertyIsEqualTo", column, value)


def _geometry(frame: gpd.GeoDataFrame) -> str:
    types = set(frame.geom_type.dropna())
    if types and types <= {"Point", "MultiPoint"}:
        return "point"
    if types and types <= {"LineString", "MultiLineString"}:
        return "line"
    return "polygon"


def _aliases(frame: gpd.GeoDataFrame, language: str) -> dict[str, str]:
    """Field aliases: the display label of every column that has one (the Chinese headers of the report)."""
    geometry = frame.geometry.name
    return {c: column_label(c, language) for c in frame.columns if c != geometry and column_label(c, language) != c}


def _style(table: str, frame: gpd.GeoDataFrame, name: str, language: str, **fields: Any) -> LayerStyle:
    """A style of ``table`` named ``name``, with the frame's geometry and field aliases."""
    return LayerStyle(table=table, name=name, geometry=_geometry(frame), aliases=_aliases(frame, language), **fields)


def _area_styles(areas: gpd.GeoDataFrame, language: str) -> list[LayerStyle]:
    label = _quote("name") if "name" in areas else None
    # the same classes as siting.maps.walk_classes: no walking time is "unreachable", then within_walk
    unreachable = "WHEN \"walk_min\" IS NULL THEN 'unreachable' " if "walk_min" in areas else ""
    walk_filters: dict[str, ET.Element | None] = {
        "unreachable": _ogc("PropertyIsNull", "walk_min"),
        "within": _ogc("And", _ogc("Not", _ogc("PropertyIsNull", "walk_min")), _equal("within_walk", "true"))
        if "walk_min" in areas
        else _equal("within_walk", "true"),
        "outside": None,
    }
    present = set(maps.walk_classes(areas))
    styles = [
        _style(
            "areas",
            areas,
            term("layer_walk", language),
            language,
            expression=f"CASE {unreachable}WHEN \"within_walk\" THEN 'within' ELSE 'outside' END",
            categories=tuple(
                Category(k, term(k, language), maps.WALK_STYLES[k], walk_filters[k])
                for k in maps.WALK_COLORS
                if k in present
            ),
            label=label,
            label_scale=AREA_LABEL_SCALE,
        )
    ]
    if "floor_area_ok" in areas:
        styles.append(
            _style(
                "areas",
                areas,
                term("layer_floor_area", language),
                language,
                expression="CASE WHEN \"floor_area_ok\" THEN 'ok' ELSE 'short' END",
                categories=(
                    Category("ok", term("ok", language), maps.FLOOR_AREA_STYLES["ok"], _equal("floor_area_ok", "true")),
                    Category("short", term("short", language), maps.FLOOR_AREA_STYLES["short"], None),
                ),
                default=False,
                label=label,
                label_scale=AREA_LABEL_SCALE,
                visible=False,
            )
        )
    return styles


def _facility_styles(facilities: gpd.GeoDataFrame, language: str) -> list[LayerStyle]:
    levels = set(facilities["level"].astype(str)) if "level" in facilities else set()
    low, high = maps.FACILITY_RADIUS_RANGE_PX
    # the diameter of siting.maps.facility_radius_px
    size = (
        f'2 * clamp({low:g}, {maps.FACILITY_RADIUS_BASE_PX:g} + sqrt(coalesce("floor_area_m2", 0)) * '
        f"{maps.FACILITY_RADIUS_PER_SQRT_M2:g}, {high:g})"
        if "floor_area_m2" in facilities
        else None
    )
    below, normal = maps.BELOW_MIN_SITE_OUTLINE, maps.FACILITY_OUTLINE
    small = "below_min_site" in facilities
    # without floor areas every marker is the web map's for a missing floor area
    unsized = float(maps.facility_radius_px(pd.Series([np.nan]))[0])
    return [
        _style(
            "facilities",
            facilities,
            term("layer_facilities", language),
            language,
            expression=_quote("level"),
            categories=tuple(
                Category(
                    level,
                    value_label(level, language),
                    {"radius": unsized, "fill": True, "fillColor": color, **normal},
                    _equal("level", level),
                )
                for level, color in maps.LEVEL_COLORS.items()
                if level in levels
            ),
            label=_quote("name") if "name" in facilities else None,
            label_scale=FACILITY_LABEL_SCALE,
            size_expression=size,
            outline_color_expression=(
                f"CASE WHEN \"below_min_site\" THEN '{below['color']}' ELSE '{normal['color']}' END" if small else None
            ),
            outline_width_expression=(
                f'CASE WHEN "below_min_site" THEN {below["weight"]:g} ELSE {normal["weight"]:g} END' if small else None
            ),
        )
    ]


def _proposal_styles(proposals: gpd.GeoDataFrame, language: str) -> list[LayerStyle]:
    kinds = set(maps.proposal_kinds(proposals))
    labels = {"new": term("proposal", language), "expand": term("expansion", language)}
    return [
        _style(
            "proposals",
            proposals,
            term("layer_proposals", language),
            language,
            expression=_quote("kind") if "kind" in proposals else "'new'",
            categories=tuple(
                Category(k, labels[k], style, _equal("kind", k) if "kind" in proposals else None)
                for k, style in maps.PROPOSAL_STYLES.items()
                if k in kinds
            ),
            label=_quote("rank"),
            label_style="rank",
        )
    ]


def _service_area_styles(service_areas: gpd.GeoDataFrame, language: str) -> list[LayerStyle]:
    drawn = maps.drawn_service_areas(service_areas)
    merged_only = len(drawn) < len(service_areas)
    minutes = sorted({int(m) for m in drawn["minutes"].dropna()}, reverse=True)
    value = 'to_string(to_int("minutes"))'

    def selects(m: int) -> ET.Element:
        band = _equal("minutes", str(m))
        if not merged_only:
            return band
        merged = _ogc("Or", _ogc("PropertyIsNull", "facility_id"), _equal("facility_id", "all"))
        return _ogc("And", band, merged)

    return [
        _style(
            "service_areas",
            service_areas,
            term("service_reach", language),
            language,
            # each facility's own bands are not drawn when the merged ones are there (no class, no symbol)
            expression=f"CASE WHEN {_MERGED_SQL} THEN {value} END" if merged_only else value,
            categories=tuple(
                Category(
                    str(m),
                    term("layer_service", language, minutes=f"{m:g}"),
                    maps.service_area_style(m),
                    selects(m),
                    shown=i == 0,
                )
                for i, m in enumerate(minutes)
            ),
            order_by_descending="minutes",
        )
    ]


def _street_styles(streets: gpd.GeoDataFrame, language: str) -> list[LayerStyle]:
    names = "|".join(maps.MAJOR_HIGHWAYS)
    # the same test as siting.maps.is_major_street, on the ";"-joined tags
    major = f"regexp_match(coalesce(\"highway\", ''), '(^|;)[ ]*({names})(_link)?[ ]*(;|$)')"
    like = [
        _ogc("PropertyIsLike", "highway", f"%{n}%", wildCard="%", singleChar="?", escapeChar="!")
        for n in maps.MAJOR_HIGHWAYS
    ]
    return [
        _style(
            "streets",
            streets,
            term("layer_streets", language),
            language,
            expression=f"CASE WHEN {major} THEN 'major' ELSE 'minor' END",
            categories=(
                Category("major", term("streets_major", language), maps.STREET_STYLES["major"], _ogc("Or", *like)),
                Category("minor", term("streets_minor", language), maps.STREET_STYLES["minor"], None),
            ),
            label=_quote("name") if "name" in streets else None,
            label_scale=AREA_LABEL_SCALE,
        )
    ]


_STYLE_MAKERS = {
    "areas": _area_styles,
    "facilities": _facility_styles,
    "proposals": _proposal_styles,
    "service_areas": _service_area_styles,
    "streets": _street_styles,
}

#: Output layers from the bottom of the web map to its top (the project's drawing order).
MAP_ORDER = ("streets", "service_areas", "areas", "facilities", "proposals")


def layer_styles(table: str, frame: gpd.GeoDataFrame, *, language: str = "zh") -> list[LayerStyle]:
    """The styles of one output layer (``areas``, ``facilities``, ``proposals``, ``service_areas`` or
    ``streets``), the default first; classes present in ``frame`` only, as in the web map's legend."""
    return _STYLE_MAKERS[table](frame, language)


# --------------------------------------------------------------------------------------------------
# QML
# --------------------------------------------------------------------------------------------------
def _rgba(color: str, opacity: float = 1.0) -> str:
    value = color.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(255 * opacity)}"


def _options(parent: ET.Element, values: Mapping[str, str]) -> None:
    options = ET.SubElement(parent, "Option", type="Map")
    for key, value in values.items():
        ET.SubElement(options, "Option", name=key, type="QString", value=value)


def _data_defined(parent: ET.Element, tag: str, expressions: Mapping[str, str | None]) -> None:
    holder = ET.SubElement(parent, tag)
    options = ET.SubElement(holder, "Option", type="Map")
    ET.SubElement(options, "Option", name="name", type="QString", value="")
    properties = ET.SubElement(options, "Option", name="properties", type="Map")
    for key, expression in expressions.items():
        if expression is None:
            continue
        prop = ET.SubElement(properties, "Option", name=key, type="Map")
        ET.SubElement(prop, "Option", name="active", type="bool", value="true")
        ET.SubElement(prop, "Option", name="expression", type="QString", value=expression)
        ET.SubElement(prop, "Option", name="type", type="int", value="3")
    ET.SubElement(options, "Option", name="type", type="QString", value="collection")


def _dash(style: Mapping[str, Any]) -> dict[str, str]:
    if not style.get("dashArray"):
        return {"use_custom_dash": "0"}
    pattern = ";".join(str(style["dashArray"]).split())
    return {"use_custom_dash": "1", "customdash": pattern, "customdash_unit": "Pixel"}


def _symbol_layer(style: Mapping[str, Any], geometry: str) -> tuple[str, dict[str, str]]:
    """QGIS symbol layer class and properties drawing a Leaflet style (widths and sizes in screen pixels)."""
    stroke = _rgba(style.get("color", "#3388ff"), style.get("opacity", 1.0))
    width = f"{style.get('weight', 3):g}"
    filled = style.get("fill", geometry != "line")
    fill = _rgba(style.get("fillColor", style.get("color", "#3388ff")), style.get("fillOpacity", 0.2) if filled else 0)
    if geometry == "line":
        return "SimpleLine", {
            "line_color": stroke,
            "line_width": width,
            "line_width_unit": "Pixel",
            "line_style": "solid",
            "capstyle": "round",
            "joinstyle": "round",
            **_dash(style),
        }
    outline = {"outline_color": stroke, "outline_width": width, "outline_width_unit": "Pixel"}
    if geometry == "point":
        radius = style.get("radius", maps.POINT_AREA_RADIUS_PX)
        return "SimpleMarker", {
            "name": "circle",
            "color": fill,
            **outline,
            "outline_style": "solid",
            "size": f"{2 * radius:g}",
            "size_unit": "Pixel",
        }
    return "SimpleFill", {
        "color": fill,
        "style": "solid" if filled else "no",
        **outline,
        "outline_style": "dash" if style.get("dashArray") else "solid",
        "joinstyle": "round",
    }


def _symbol(parent: ET.Element, name: str, layer_style: LayerStyle, style: Mapping[str, Any]) -> None:
    kind = {"point": "marker", "line": "line", "polygon": "fill"}[layer_style.geometry]
    symbol = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    cls, props = _symbol_layer(style, layer_style.geometry)
    layer = ET.SubElement(symbol, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    _options(layer, props)
    if layer_style.geometry == "point":
        _data_defined(
            layer,
            "data_defined_properties",
            {
                "size": layer_style.size_expression,
                "outlineColor": layer_style.outline_color_expression,
                "outlineWidth": layer_style.outline_width_expression,
            },
        )


def _renderer(parent: ET.Element, style: LayerStyle) -> None:
    renderer = ET.SubElement(
        parent,
        "renderer-v2",
        type="categorizedSymbol",
        attr=style.expression,
        symbollevels="0",
        forceraster="0",
        enableorderby="1" if style.order_by_descending else "0",
    )
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, category in enumerate(style.categories):
        ET.SubElement(
            categories,
            "category",
            value=category.value,
            label=category.label,
            symbol=str(i),
            render="true" if category.shown else "false",
        )
        _symbol(symbols, str(i), style, category.style)
    if style.order_by_descending:
        order = ET.SubElement(renderer, "orderby")
        clause = ET.SubElement(order, "orderByClause", asc="0", nullsFirst="0")
        clause.text = _quote(style.order_by_descending)


def _labeling(parent: ET.Element, style: LayerStyle) -> None:
    if style.label is None:
        return
    rank = style.label_style == "rank"
    labeling = ET.SubElement(parent, "labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    text = ET.SubElement(
        settings,
        "text-style",
        fieldName=style.label,
        isExpression="1",
        fontFamily=LABEL_FONT,
        fontSize="9" if rank else "8",
        fontSizeUnit="Point",
        fontWeight="75" if rank else "50",
        namedStyle="Bold" if rank else "Regular",
        textColor="255,255,255,255" if rank else "34,34,34,255",
        textOpacity="1",
    )
    ET.SubElement(
        text,
        "text-buffer",
        bufferDraw="0" if rank else "1",
        bufferSize="1",
        bufferSizeUnits="MM",
        bufferColor="255,255,255,255",
        bufferOpacity="0.85",
    )
    # a rank sits on its marker; names beside points, over polygons (QGIS moves or drops labels that clash)
    placement = "1" if rank or style.geometry == "polygon" else "0"
    ET.SubElement(
        settings,
        "placement",
        placement=placement,
        quadOffset="4",
        dist="1" if placement == "0" else "0",
        distUnits="MM",
        centroidInside="1",
        fitInPolygonOnly="0",
        placementFlags="10" if style.geometry == "line" else "0",
        layerType={"point": "PointGeometry", "line": "LineGeometry", "polygon": "PolygonGeometry"}[style.geometry],
    )
    ET.SubElement(
        settings,
        "rendering",
        drawLabels="1",
        scaleVisibility="1" if style.label_scale else "0",
        scaleMin="0",
        scaleMax=f"{style.label_scale:g}",
        obstacle="1",
        displayAll="1" if rank else "0",
        upsidedownLabels="0",
        priority="10" if rank else "5",
    )


def _style_elements(root: ET.Element, style: LayerStyle) -> None:
    """The parts of a QML that a project's ``maplayer`` holds too."""
    _renderer(root, style)
    _labeling(root, style)
    aliases = ET.SubElement(root, "aliases")
    for column, alias in style.aliases.items():
        ET.SubElement(aliases, "alias", field=column, name=alias)
    ET.SubElement(root, "layerGeometryType").text = _GEOMETRY_CODES[style.geometry]


def qml(style: LayerStyle) -> str:
    """The style as QGIS's QML document."""
    root = ET.Element(
        "qgis",
        version=QGIS_VERSION,
        styleCategories="AllStyleCategories",
        labelsEnabled="1" if style.label else "0",
        hasScaleBasedVisibilityFlag="0",
        minScale="100000000",
        maxScale="0",
    )
    _style_elements(root, style)
    return _DOCTYPE + ET.tostring(root, encoding="unicode")


# --------------------------------------------------------------------------------------------------
# SLD
# --------------------------------------------------------------------------------------------------
def _se(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{_SE}}}{tag}", attrib)
    if text is not None:
        element.text = text
    return element


def _sld_symbolizer(parent: ET.Element, style: Mapping[str, Any], geometry: str) -> None:
    symbolizer = _se(parent, _SLD_SYMBOLIZERS[geometry])
    color, opacity = style.get("color", "#3388ff"), style.get("opacity", 1.0)
    filled = style.get("fill", geometry != "line")

    def fill(target: ET.Element) -> None:
        box = _se(target, "Fill")
        _se(box, "SvgParameter", style.get("fillColor", color), name="fill")
        _se(box, "SvgParameter", f"{style.get('fillOpacity', 0.2) if filled else 0:g}", name="fill-opacity")

    def stroke(target: ET.Element) -> None:
        box = _se(target, "Stroke")
        _se(box, "SvgParameter", color, name="stroke")
        _se(box, "SvgParameter", f"{opacity:g}", name="stroke-opacity")
        _se(box, "SvgParameter", f"{style.get('weight', 3):g}", name="stroke-width")
        if style.get("dashArray"):
            _se(box, "SvgParameter", str(style["dashArray"]), name="stroke-dasharray")

    if geometry == "point":
        graphic = _se(symbolizer, "Graphic")
        mark = _se(graphic, "Mark")
        _se(mark, "WellKnownName", "circle")
        fill(mark)
        stroke(mark)
        _se(graphic, "Size", f"{2 * style.get('radius', maps.POINT_AREA_RADIUS_PX):g}")
        return
    if geometry == "polygon":
        fill(symbolizer)
    stroke(symbolizer)


def _sld_filter(category: Category, categories: tuple[Category, ...]) -> ET.Element:
    """The category's filter; the catch-all class (no filter of its own) is written as "none of the
    others" rather than SLD's ElseFilter, which QGIS 3.22 reads as a rule without a filter (drawing every
    feature in the catch-all colour, over the other classes)."""
    if category.sld_filter is not None:
        return category.sld_filter
    others = [copy.deepcopy(c.sld_filter) for c in categories if c.sld_filter is not None]
    return _ogc("Not", others[0] if len(others) == 1 else _ogc("Or", *others))


def sld(style: LayerStyle) -> str:
    """The style as an OGC Styled Layer Descriptor 1.1 document (classes, colours, widths, labels)."""
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", version="1.1.0")
    layer = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    _se(layer, "Name", style.table)
    user = ET.SubElement(layer, f"{{{_SLD}}}UserStyle")
    _se(user, "Name", style.name)
    feature_style = _se(user, "FeatureTypeStyle")
    for category in style.categories:
        if not category.shown:
            continue
        rule = _se(feature_style, "Rule")
        _se(rule, "Name", category.value)
        _se(_se(rule, "Description"), "Title", category.label)
        ET.SubElement(rule, f"{{{_OGC}}}Filter").append(_sld_filter(category, style.categories))
        _sld_symbolizer(rule, category.style, style.geometry)
    if style.label is not None:
        rule = _se(feature_style, "Rule")
        if style.label_scale:
            _se(rule, "MaxScaleDenominator", f"{style.label_scale:g}")
        text = _se(rule, "TextSymbolizer")
        ET.SubElement(_se(text, "Label"), f"{{{_OGC}}}PropertyName").text = style.label.strip('"')
        font = _se(text, "Font")
        _se(font, "SvgParameter", LABEL_FONT, name="font-family")
        _se(font, "SvgParameter", "12", name="font-size")
        _se(_se(text, "Fill"), "SvgParameter", "#ffffff" if style.label_style == "rank" else "#222222", name="fill")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------
_CREATE_LAYER_STYLES = f"""CREATE TABLE IF NOT EXISTS {STYLE_TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
    f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
    useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME)"""


def write_layer_styles(path: str | Path, styles: Iterable[LayerStyle], *, update_time: str) -> None:
    """Add ``styles`` to the ``layer_styles`` table of the GeoPackage at ``path`` (created and registered
    in ``gpkg_contents`` as an attributes table when missing, as QGIS does).

    Parameters
    ----------
    path : path
        A GeoPackage holding the styles' tables; it is changed in place (call it on a file being built).
    styles : LayerStyle
        Styles of the GeoPackage's layers; QGIS opens a layer with the one marked ``default``.
    update_time : str
        ISO time written into ``update_time`` and ``gpkg_contents`` (fixed, for identical bytes).
    """
    # closing() closes the file; the inner "with db" commits, or rolls back on an error
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(_CREATE_LAYER_STYLES)
        db.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
            "VALUES (?, 'attributes', ?, '', ?)",
            (STYLE_TABLE, STYLE_TABLE, update_time),
        )
        for style in styles:
            (geometry_column,) = db.execute(
                "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (style.table,)
            ).fetchone()
            db.execute(
                f"INSERT INTO {STYLE_TABLE} (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
                "VALUES ('', '', ?, ?, ?, ?, ?, ?, ?, '', NULL, ?)",
                (style.table, geometry_column, style.name, qml(style), sld(style), int(style.default), style.name,
                 update_time),
            )  # fmt: skip


def _crs_element(parent: ET.Element, tag: str, crs: Any) -> None:
    """A CRS as QGIS writes it: WKT (QGIS 3.22 ignores a project CRS given by its code alone) and code."""
    system = ET.SubElement(ET.SubElement(parent, tag), "spatialrefsys")
    system.append(_text("wkt", crs.to_wkt()))
    system.append(_text("authid", crs.to_string()))


def _text(tag: str, text: str) -> ET.Element:
    element = ET.Element(tag)
    element.text = text
    return element


def project(layers: Mapping[str, gpd.GeoDataFrame], *, title: str, language: str = "zh") -> bytes:
    """A QGIS project (``.qgz`` bytes) showing the output layers as the web map does.

    Parameters
    ----------
    layers : mapping
        Output layer name (``areas``, ``facilities``, ``proposals``, ``service_areas``, ``streets``) to
        its frame, each written to ``<name>.gpkg`` beside the project.
    title : str
        The project's title (the scenario's name).
    language : {"zh", "en"}
        Language of layer names, legend entries and field aliases.

    Returns
    -------
    bytes
        A zip holding ``map.qgs``: layers top to bottom as on the web map (proposals, facilities, areas
        by floor area (off) and by walk, service areas, streets), every one styled like its GeoPackage's
        default style, paths relative to the project, in the streets' (metric) CRS, zoomed to the areas.
    """
    crs = next(f.crs for f in layers.values() if f.crs is not None)
    metric = layers["streets"].crs if "streets" in layers else crs
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    root.append(_text("title", title))
    _crs_element(root, "projectCrs", metric)
    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    project_layers = ET.SubElement(root, "projectlayers")
    order = ET.SubElement(tree, "custom-order", enabled="0")
    for table in reversed(MAP_ORDER):
        if table not in layers:
            continue
        frame = layers[table]
        source = f"./{table}.gpkg|layername={table}"
        for i, style in reversed(list(enumerate(layer_styles(table, frame, language=language)))):
            layer_id = f"siting_{table}_{i}"  # QGIS ignores an id of 10 characters or fewer
            ET.SubElement(
                tree,
                "layer-tree-layer",
                id=layer_id,
                name=style.name,
                source=source,
                providerKey="ogr",
                checked="Qt::Checked" if style.visible else "Qt::Unchecked",
                expanded="1",
            )
            order.append(_text("item", layer_id))
            geometry = {"point": "Point", "line": "Line", "polygon": "Polygon"}[style.geometry]
            layer = ET.SubElement(
                project_layers,
                "maplayer",
                type="vector",
                geometry=geometry,
                labelsEnabled="1" if style.label else "0",
                hasScaleBasedVisibilityFlag="0",
                minScale="100000000",
                maxScale="0",
            )
            layer.append(_text("id", layer_id))
            layer.append(_text("datasource", source))
            layer.append(_text("layername", style.name))
            _crs_element(layer, "srs", frame.crs if frame.crs is not None else crs)
            ET.SubElement(layer, "provider", encoding="UTF-8").text = "ogr"
            _style_elements(layer, style)
    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    canvas.append(_text("units", "meters" if metric.is_projected else "degrees"))
    extent = ET.SubElement(canvas, "extent")
    focus = layers.get("areas", next(iter(layers.values())))
    xmin, ymin, xmax, ymax = focus.to_crs(metric).total_bounds
    margin = 0.05 * max(xmax - xmin, ymax - ymin)
    for key, value in zip(
        ("xmin", "ymin", "xmax", "ymax"), (xmin - margin, ymin - margin, xmax + margin, ymax + margin), strict=True
    ):
        extent.append(_text(key, f"{value:.3f}" if np.isfinite(value) else "0"))
    canvas.append(_text("rotation", "0"))
    _crs_element(canvas, "destinationsrs", metric)
    properties = ET.SubElement(root, "properties")
    # QGIS reads projectCrs only when this says so
    ET.SubElement(ET.SubElement(properties, "SpatialRefSys"), "ProjectionsEnabled", type="int").text = "1"
    paths = ET.SubElement(properties, "Paths")
    ET.SubElement(paths, "Absolute", type="bool").text = "false"
    document = _DOCTYPE + ET.tostring(root, encoding="unicode")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # a fixed time: the same outputs give the same bytes
        archive.writestr(zipfile.ZipInfo("map.qgs", date_time=(2000, 1, 1, 0, 0, 0)), document)
    return buffer.getvalue()


def style_outputs(
    folder: str | Path, layers: Mapping[str, gpd.GeoDataFrame], *, title: str, language: str = "zh", update_time: str
) -> Path:
    """Style every GeoPackage of an output folder and write its QGIS project beside them.

    Parameters
    ----------
    folder : path
        The folder being built (the work folder of :func:`siting.report.atomic_folder`), holding
        ``<name>.gpkg`` with layer ``<name>`` for every key of ``layers``.
    layers : mapping
        Output layer name to the frame written (see :func:`layer_styles`).
    title : str
        The project's title.
    language : {"zh", "en"}
        Language of layer names, legends and field aliases.
    update_time : str
        Fixed ISO time of the styles.

    Returns
    -------
    Path
        The project, ``folder / map.qgz``.
    """
    folder = Path(folder)
    for table, frame in layers.items():
        write_layer_styles(
            folder / f"{table}.gpkg", layer_styles(table, frame, language=language), update_time=update_time
        )
    return write_whole(folder / PROJECT_NAME, project(layers, title=title, language=language))
