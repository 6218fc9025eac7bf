"""Interactive maps of the results: Folium (Leaflet) maps a planner can open anywhere and send on.

Every map is one self-contained HTML file. Leaflet's script and stylesheet are embedded in it (taken from
the ``folium-offline`` package, which ships them), and nothing else is loaded: no jQuery, Bootstrap or
icon fonts. So the map works offline and on government intranets; only base-map tiles are fetched, and a
map whose tiles cannot load still shows every data layer, over the street network of the analysis
(``streets=``): a base layer of its own, drawn when there are no tiles or they cannot load
(:class:`_StreetsWhenTilesFail`), so that a planner on an intranet still sees where things are.

Geometries are simplified for display in a metric CRS (:data:`DISPLAY_TOLERANCE_M`) and rounded to
:data:`COORD_DECIMALS` decimals (about 0.1 m); each dataset is embedded once in a compact form (integer
coordinate deltas, properties as columns, only the figures shown in tooltips) and decoded in the browser;
street segments are joined per name first (:func:`street_lines`). The demo town's map is about 250 kB
(165 kB of it Leaflet, 6 kB its streets, 7 kB the names of its 83 小区, 20 facilities and 11 proposals;
Wudaokou's 104 km of streets take 28 kB); 3,000 residential areas with service areas, 220 boundaries and
80 facilities make about 1.2 MB, five times less than folium's GeoJSON layers.

Names are written on the map from a zoom level up (:data:`LABEL_MIN_ZOOM`), each at a point inside its
小区 or beside its marker; after every move the page lays them out in order of precedence and leaves out
a name that would overlap one already placed. The colours, classes and marker sizes here are also the
desktop GIS styles of the output GeoPackages (:mod:`siting.styles`).

Base maps: ``"osm"`` (OpenStreetMap, WGS84), ``"amap"`` (高德, whose tiles are drawn in GCJ-02: every
geometry is shifted to GCJ-02 before drawing, or it would land hundreds of metres off), ``"tianditu"``
(天地图, CGCS2000, which equals WGS84 at map scale; needs a key) and ``None`` (plain background).
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import offlinefolium as folium
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from offlinefolium.map import Layer
from offlinefolium.template import Template

from siting import defaults
from siting.errors import SitingInputError
from siting.files import write_whole
from siting.labels import LANGUAGES, Message, column_label, msg, term, value_label
from siting.projection import WGS84, to_metric, wgs84_to_gcj02_gdf

#: Base-map choices accepted by :func:`result_map` and :func:`comparison_map`.
BASEMAPS = ("osm", "amap", "tianditu", None)

#: Douglas-Peucker tolerance for drawing polygons and lines, in metres (invisible below zoom 18).
DISPLAY_TOLERANCE_M = 3.0

#: Decimals kept in drawn longitudes/latitudes: 1e-6 degree is about 0.1 m.
COORD_DECIMALS = 6

#: Summary figures shown in the summary box, in this order (other keys of ``summary`` are left out).
SUMMARY_KEYS = (
    "share_within_walk",
    "share_within_radius",
    "share_households_floor_area_ok",
    "proposed_sites",
    "floor_area_shortfall_m2",
)

WALK_COLORS = {"within": "#1a9850", "outside": "#d73027", "unreachable": "#8c8c8c"}
#: Walking coverage classes of :func:`batch_map`: lower bound of the share of households within the walk,
#: and colour (red to green); scenarios without figures (failed) are grey.
COVERAGE_CLASSES = ((0.0, "#d73027"), (0.5, "#fc8d59"), (0.7, "#fee08b"), (0.85, "#91cf60"), (0.95, "#1a9850"))
NO_FIGURES_COLOR = "#bdbdbd"
FLOOR_AREA_COLORS = {"ok": "#2c7fb8", "short": "#fd8d3c"}
LEVEL_COLORS = {"county": "#6a3d9a", "township": "#8c510a", "community": "#2166ac", "station": "#4d4d4d"}
SERVICE_AREA_COLORS = {5: "#3f007d", 10: "#6a51a3", 15: "#9e9ac8"}
PROPOSAL_COLOR = "#e7298a"
EXPANSION_COLOR = "#ff7f00"
RADIUS_COLOR = "#525252"
#: Leaflet style of a walking-time band by its minutes: the widest band (the walk of the rule, 15 min)
#: has a strong outline, so that where the 15-minute circle ends reads at a glance under the areas.
SERVICE_AREA_STYLES = {
    5: {"color": SERVICE_AREA_COLORS[5], "weight": 1, "fillColor": SERVICE_AREA_COLORS[5], "fillOpacity": 0.12},
    10: {"color": SERVICE_AREA_COLORS[10], "weight": 1, "fillColor": SERVICE_AREA_COLORS[10], "fillOpacity": 0.12},
    15: {"color": "#54278f", "weight": 2, "fillColor": SERVICE_AREA_COLORS[15],
         "fillOpacity": 0.12},
}  # fmt: skip
#: Style of a band of other minutes (a walk set to 20 min).
OTHER_SERVICE_AREA_STYLE = {"color": "#807dba", "weight": 1, "fillColor": "#807dba", "fillOpacity": 0.12}
#: Marker radius of a point residential area that has no ``point_radius_m``, in screen pixels.
POINT_AREA_RADIUS_PX = 6
#: Residential areas by walking class and by floor-area verdict ("radius": the marker of a point area).
WALK_STYLES = {
    k: {"color": c, "weight": 1, "fillColor": c, "fillOpacity": 0.55, "radius": POINT_AREA_RADIUS_PX}
    for k, c in WALK_COLORS.items()
}
FLOOR_AREA_STYLES = {
    k: {"color": c, "weight": 1, "fillColor": c, "fillOpacity": 0.6, "radius": POINT_AREA_RADIUS_PX}
    for k, c in FLOOR_AREA_COLORS.items()
}
#: A new centre is a filled disc; an enlarged existing one a ring around its facility marker.
PROPOSAL_STYLES = {
    "new": {"radius": 10, "fill": True, "color": "#ffffff", "weight": 2, "fillColor": PROPOSAL_COLOR,
            "fillOpacity": 0.95},
    "expand": {"radius": 14, "fill": False, "color": EXPANSION_COLOR, "weight": 4, "fillColor": EXPANSION_COLOR,
               "fillOpacity": 0.0},
}  # fmt: skip
#: Facility markers: radius in pixels = BASE + sqrt(floor area in m²) * PER_SQRT_M2, within RANGE
#: (200 m² ≈ 7 px, 2,000 m² ≈ 15 px), so the marker's area grows with the floor area.
FACILITY_RADIUS_BASE_PX = 4.0
FACILITY_RADIUS_PER_SQRT_M2 = 0.25
FACILITY_RADIUS_RANGE_PX = (5.0, 18.0)
#: Outline of a facility below the minimum site size, and of the others.
BELOW_MIN_SITE_COLOR = "#d7301f"
FACILITY_OUTLINE = {"color": "#ffffff", "weight": 1.5, "fillOpacity": 0.9}
BELOW_MIN_SITE_OUTLINE = {"color": BELOW_MIN_SITE_COLOR, "weight": 3, "fillOpacity": 0.9}
UNIT_STYLES = {
    "township": {"color": "#252525", "weight": 3, "fill": False},
    "community": {"color": "#737373", "weight": 1.2, "dashArray": "5 4", "fill": False},
}

#: Street network styles: main roads (OSM ``highway`` motorway to tertiary, and their links) and the rest.
STREET_STYLES = {
    "major": {"color": "#8f8a80", "weight": 2.6, "opacity": 0.85},
    "minor": {"color": "#a8a398", "weight": 1.2, "opacity": 0.85},
}
MAJOR_HIGHWAYS = ("motorway", "trunk", "primary", "secondary", "tertiary")
#: Milliseconds a map with base-map tiles waits for its first tile before it shows the street layer.
TILE_TIMEOUT_MS = 4000
#: Background of a map without tiles (basemap None, or tiles that failed): paper, not Leaflet's grey.
PLAIN_BACKGROUND = "#f7f6f2"
#: Leaflet pane of the street layer: above the tiles (200), below every data layer (overlays, 400).
STREET_PANE = "sitingStreets"
STREET_PANE_Z = 350
#: Leaflet pane of the name labels: above markers (600), below tooltips (650) and popups (700).
LABEL_PANE = "sitingLabels"
LABEL_PANE_Z = 640
#: Zoom from which names are written on the map, by kind: proposals and facilities from 15 (about
#: 1:17,000, a few hundred metres across the screen), 小区 from 16 (1:8,500, where a 小区 is wider than
#: its name). Where two names would overlap, the first in this order keeps its place (proposals by rank,
#: facilities by floor area, 小区 by households) and the other is left out until one zooms further in.
LABEL_MIN_ZOOM = {"proposals": 15, "facilities": 15, "areas": 16}

_TILES: dict[str, list[dict[str, Any]]] = {
    "osm": [
        {
            "tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "max_zoom": 19,
            "attr": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        }
    ],
    "amap": [
        {
            "tiles": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
            "subdomains": "1234",
            "max_zoom": 18,
            "attr": "&copy; 高德地图 AutoNavi",
        }
    ],
    # Tianditu serves the map (vec) and its labels (cva) as two layers; both are needed for a usable map.
    "tianditu": [
        {
            "tiles": "https://t{s}.tianditu.gov.cn/" + layer + "_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
            "&VERSION=1.0.0&LAYER=" + layer + "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
            "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
            "subdomains": "01234567",
            "max_zoom": 18,
            "attr": "&copy; 天地图 Tianditu",
        }
        for layer in ("vec", "cva")
    ],
}


class _OfflineMap(folium.Map):
    """A folium Map that embeds only Leaflet's script and stylesheet: everything the layers here use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_js = [item for item in folium.Map.default_js if item[0] == "leaflet"]
        self.default_css = [item for item in folium.Map.default_css if item[0] == "leaflet_css"]


class _HtmlControl(MacroElement):
    """A Leaflet control holding fixed HTML (title, summary, legend), placed in a map corner."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function() {
            var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, html_text: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.html = html_text
        self.position = position
        self.css_class = css_class


class _Pane(MacroElement):
    """A Leaflet map pane at a given z-index (layers drawn in it stack between the map's own panes)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.createPane({{ this.pane|tojson }}).style.zIndex = {{ this.z_index|tojson }};
        {% endmacro %}
    """)

    def __init__(self, pane: str, z_index: int) -> None:
        super().__init__()
        self._name = "Pane"
        self.pane = pane
        self.z_index = z_index


class _StreetsWhenTilesFail(MacroElement):
    """Shows the street layer when the base map cannot load: on an intranet the tile server is out of reach.

    The first tile that fails, or no tile within :data:`TILE_TIMEOUT_MS` (a firewall that drops requests
    answers neither way), switches the streets on and the background to :data:`PLAIN_BACKGROUND`, unless
    a tile has loaded by then. Once decided it stays so: the planner can still switch the layer in the
    layer control.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }}, streets = {{ this.streets.get_name() }};
            var loaded = false, decided = false;
            function fallback() {
                if (decided || loaded) { return; }
                decided = true;
                map.getContainer().style.background = {{ this.background|tojson }};
                if (!map.hasLayer(streets)) { map.addLayer(streets); }
            }
            {% for tiles in this.tiles %}
            {{ tiles.get_name() }}.on("tileload", function() { loaded = true; });
            {{ tiles.get_name() }}.on("tileerror", fallback);
            {% endfor %}
            setTimeout(fallback, {{ this.timeout_ms|tojson }});
        })();
        {% endmacro %}
    """)

    def __init__(self, streets: Layer, tiles: Sequence[Layer], timeout_ms: int = TILE_TIMEOUT_MS) -> None:
        super().__init__()
        self._name = "StreetsWhenTilesFail"
        self.streets = streets
        self.tiles = tiles
        self.timeout_ms = timeout_ms
        self.background = PLAIN_BACKGROUND


class _SyncViews(MacroElement):
    """Keeps two maps at the same centre and zoom (side-by-side comparison)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var busy = false;
            function follow(source, target) {
                source.on("move", function() {
                    // Guard: the target's own move event must not echo back to the source.
                    if (busy) { return; }
                    busy = true;
                    target.setView(source.getCenter(), source.getZoom(), {animate: false});
                    busy = false;
                });
            }
            follow({{ this.left.get_name() }}, {{ this.right.get_name() }});
            follow({{ this.right.get_name() }}, {{ this.left.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, left: folium.Map, right: folium.Map) -> None:
        super().__init__()
        self._name = "SyncViews"
        self.left = left
        self.right = right


_CSS = """<style>
.siting-box {background: #fff; padding: 6px 9px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 13px/1.45 "Noto Sans CJK SC", "Microsoft YaHei",
  "PingFang SC", sans-serif; color: #222; max-width: 330px;}
.siting-title b {font-size: 15px;}
.siting-box table {border-collapse: collapse;}
.siting-box td {padding: 0 4px;}
.siting-box td.v {text-align: right; font-weight: bold;}
.siting-legend h4 {margin: 5px 0 2px; font-size: 13px;}
.siting-sw {display: inline-block; width: 14px; height: 11px; margin-right: 6px; vertical-align: middle;}
.leaflet-tooltip.siting-rank {font-weight: bold; background: transparent; border: none; box-shadow: none;
  color: #fff; padding: 0; margin: 0;}
.leaflet-tooltip table th, .leaflet-popup-content table th {text-align: left; padding-right: 6px;}
.siting-label {background: none; border: none;}
.siting-label span {position: absolute; white-space: nowrap; pointer-events: none; transform: translate(-50%, -50%);
  font: 12px/1.2 "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #222;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff;}
.siting-label-facilities span {transform: translate(10px, -50%);}
.siting-label-proposals span {transform: translate(14px, -50%); font-weight: bold; color: #a3145f;}
</style>"""


# Fields of the tooltips and popups: (short key embedded per feature, column, kind of formatting).
_AREA_FIELDS = [
    ("n", "name", "text"),
    ("h", "households", "int"),
    ("s", "status", "value"),
    ("w", "walk_min", "minutes"),
    ("ur", "unreachable_reason", "value"),
    ("nf", "nearest_facility", "text"),
    ("ds", "dist_m_straight", "int"),
    ("r", "within_radius", "bool"),
    ("dn", "dist_m_network", "int"),
    ("rn", "within_radius_network", "bool"),
    ("rq", "required_floor_area_m2", "int"),
    ("av", "available_floor_area_m2", "int"),
    ("sf", "shortfall_m2", "int"),
]
_AREA_TOOLTIP = ("n", "h", "w", "rq", "av", "sf")
_FACILITY_FIELDS = [
    ("n", "name", "text"),
    ("l", "level", "value"),
    ("fa", "floor_area_m2", "int"),
    ("b", "beds", "int"),
    ("bm", "below_min_site", "bool"),
]
_PROPOSAL_FIELDS = [
    ("n", "name", "text"),
    ("rk", "rank", "int"),
    ("pk", "kind", "value"),
    ("fa", "recommended_floor_area_m2", "int"),
    ("ad", "added_floor_area_m2", "int"),
    ("hc", "households_newly_covered", "int"),
]
_SERVICE_FIELDS = [("fi", "facility_id", "text"), ("m", "minutes", "int")]
_STREET_FIELDS = [("n", "name", "text")]
_COUNTY_FIELDS = [
    ("n", "scenario", "text"),
    ("sw", "share_within_walk", "share"),
    ("sf", "share_households_floor_area_ok", "share"),
    ("fs", "floor_area_shortfall_m2", "int"),
    ("h", "households_total", "int"),
    ("a", "areas_total", "int"),
    ("p", "proposed_sites", "int"),
]
_UNIT_FIELDS = [("n", "name", "text"), ("u", "unit_id", "text")]


def _format(values: pd.Series, kind: str, language: str) -> list[str]:
    """Display strings, HTML-escaped because Leaflet inserts tooltip text as HTML."""
    missing = term("unreachable" if kind == "minutes" else "missing", language)
    out = []
    for value in values:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out.append(missing)
        elif kind == "int":
            out.append(f"{float(value):,.0f}")
        elif kind == "minutes":
            out.append(f"{float(value):.1f}")
        elif kind == "share":
            out.append(f"{100 * float(value):.1f}%")
        elif kind == "bool":
            out.append(value_label(bool(value), language))
        elif kind == "value":
            out.append(html.escape(value_label(value, language)))
        else:
            out.append(html.escape(str(value)))
    return out


def _properties(frame: pd.DataFrame, fields: list[tuple[str, str, str]], language: str) -> tuple[pd.DataFrame, dict]:
    """Display properties of the fields present in ``frame``, and their labels by key."""
    present = [(key, column, kind) for key, column, kind in fields if column in frame.columns]
    props = pd.DataFrame(
        {key: _format(frame[column], kind, language) for key, column, kind in present}, index=frame.index
    )
    return props, {key: column_label(column, language) for key, column, _ in present}


def _require(frame: gpd.GeoDataFrame | None, columns: tuple[str, ...], name: str, fix: Message) -> None:
    if frame is None:
        return
    source = msg("where_argument", name=name)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise SitingInputError(
            msg("map_not_geodataframe", kind=type(frame).__name__), source=source, fix=msg("map_not_geodataframe_fix")
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SitingInputError(msg("map_columns_missing", columns=missing), source=source, column=missing[0], fix=fix)
    if frame.crs is None:
        raise SitingInputError(msg("layer_no_crs"), source=source, fix=msg("map_no_crs_fix"))


def walk_classes(areas: pd.DataFrame) -> np.ndarray:
    """Walking class of each residential area, a key of :data:`WALK_COLORS`: "unreachable" (no
    ``walk_min``), "within" or "outside" the walk (``within_walk``)."""
    within = np.where(areas["within_walk"].fillna(False).astype(bool), "within", "outside")
    return np.where(areas["walk_min"].isna() if "walk_min" in areas else False, "unreachable", within)


def floor_area_classes(areas: pd.DataFrame) -> np.ndarray:
    """Floor-area class of each residential area, a key of :data:`FLOOR_AREA_COLORS`: "ok" where
    ``floor_area_ok``, else "short" (an area without a verdict too)."""
    return np.where(areas["floor_area_ok"].fillna(False).astype(bool), "ok", "short")


def proposal_kinds(proposals: pd.DataFrame) -> pd.Series:
    """Kind of each proposal, a key of :data:`PROPOSAL_STYLES` ("new" where the column is missing)."""
    if "kind" in proposals.columns:
        return proposals["kind"].astype(str)
    return pd.Series("new", index=proposals.index)


def facility_radius_px(floor_area_m2: pd.Series) -> np.ndarray:
    """Marker radius of each facility in screen pixels, from its floor area in m² (missing: the smallest)."""
    area = pd.to_numeric(floor_area_m2).fillna(0).to_numpy(dtype=float)
    low, high = FACILITY_RADIUS_RANGE_PX
    return np.clip(FACILITY_RADIUS_BASE_PX + np.sqrt(area) * FACILITY_RADIUS_PER_SQRT_M2, low, high).round(1)


def service_area_style(minutes: float) -> dict[str, Any]:
    """Leaflet style of the walking-time band of ``minutes``."""
    return SERVICE_AREA_STYLES.get(int(minutes), OTHER_SERVICE_AREA_STYLE)


def drawn_service_areas(service_areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The service areas a map draws: the merged ones (``facility_id`` None or "all") when there are any,
    since each facility's own would only be drawn over them again; otherwise all."""
    if "facility_id" not in service_areas:
        return service_areas
    merged = service_areas["facility_id"].isna() | (service_areas["facility_id"].astype(str) == "all")
    return service_areas[merged] if merged.any() else service_areas


def is_major_street(highway: pd.Series) -> np.ndarray:
    """True for main roads: an OSM ``highway`` tag (several joined by ";") in :data:`MAJOR_HIGHWAYS` or a link."""
    tags = highway.fillna("").astype(str).str.split(";")
    return tags.map(lambda parts: any(p.strip().removesuffix("_link") in MAJOR_HIGHWAYS for p in parts)).to_numpy(bool)


def street_lines(streets: Any) -> gpd.GeoDataFrame:
    """Streets to draw: one multi-line per class and name, its segments joined end to end.

    Parameters
    ----------
    streets : StreetNetwork or GeoDataFrame
        A :class:`siting.network.StreetNetwork` (its ``edges``) or street lines in any CRS, with ``name``
        and ``highway`` (OSM tags; several joined by ";") when known.

    Returns
    -------
    GeoDataFrame
        ``kind`` ("major": OSM motorway to tertiary and their links; "minor": the rest), ``name`` (None for
        unnamed streets) and a (Multi)LineString geometry, in the CRS of the input. A few hundred
        features instead of thousands of segments keep the map's HTML small.
    """
    edges = getattr(streets, "edges", streets)
    _require(edges, (), "streets", msg("map_streets_fix"))
    index = edges.index
    major = is_major_street(edges["highway"] if "highway" in edges else pd.Series("", index=index))
    names = edges["name"] if "name" in edges else pd.Series(None, index=index, dtype=object)
    names = names.where(names.notna() & (names.astype(str).str.strip() != ""), "").astype(str)
    keys = pd.DataFrame({"kind": np.where(major, "major", "minor"), "name": names.to_numpy()})
    codes, groups = pd.MultiIndex.from_frame(keys).factorize(sort=True)
    order = np.argsort(codes, kind="stable")  # shapely wants the parts of each collection together
    lines = shapely.line_merge(shapely.multilinestrings(edges.geometry.to_numpy()[order], indices=codes[order]))
    frame = pd.DataFrame(list(groups), columns=["kind", "name"])
    frame["name"] = frame["name"].replace("", None)
    return gpd.GeoDataFrame(frame, geometry=lines, crs=edges.crs)


def _display_geometries(frame: gpd.GeoDataFrame, basemap: str | None) -> np.ndarray:
    """Geometries as drawn: simplified in metres, in the tiles' datum, rounded to COORD_DECIMALS."""
    geoms = frame.geometry
    if not geoms.geom_type.isin(["Point", "MultiPoint"]).all():
        # Simplify in a metric CRS so the tolerance means the same everywhere; keep rings valid.
        metric = to_metric(gpd.GeoDataFrame(geometry=geoms, crs=frame.crs))
        geoms = metric.geometry.simplify(DISPLAY_TOLERANCE_M, preserve_topology=True)
    shown = gpd.GeoDataFrame(geometry=geoms).to_crs(WGS84)
    if basemap == "amap":
        shown = wgs84_to_gcj02_gdf(shown)
    return shapely.transform(shown.geometry.values, lambda xy: np.round(xy, COORD_DECIMALS))


# GeoJSON geometry types by the code the compact encoding uses (same list in _JS).
_GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")

# Decodes the compact datasets and builds layers; written once into each page. Coordinates travel as
# integers of 1e-6 degree, each path delta-encoded, and properties as columns: about a third of GeoJSON.
_JS = """<script>
var sitingMaps = {
  types: __TYPES__,
  path: function(a) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i < a.length; i += 2) { x += a[i]; y += a[i + 1]; out.push([x / 1e6, y / 1e6]); }
    return out;
  },
  coords: function(type, c) {
    switch (type) {
      case "Point": return [c[0] / 1e6, c[1] / 1e6];
      case "MultiPoint": return c.map(function(p) { return [p[0] / 1e6, p[1] / 1e6]; });
      case "LineString": return sitingMaps.path(c);
      case "MultiPolygon": return c.map(function(p) { return p.map(sitingMaps.path); });
      default: return c.map(sitingMaps.path);
    }
  },
  features: function(d) {
    var keys = Object.keys(d.p);
    return {type: "FeatureCollection", features: d.g.map(function(g, i) {
      var props = {};
      keys.forEach(function(k) { props[k] = d.p[k][i]; });
      var type = sitingMaps.types[g[0]];
      return {type: "Feature", properties: props, geometry: {type: type, coordinates: sitingMaps.coords(type, g[1])}};
    })};
  },
  table: function(props, keys, labels) {
    return "<table>" + keys.map(function(k) {
      return "<tr><th>" + labels[k] + "</th><td>" + props[k] + "</td></tr>";
    }).join("") + "</table>";
  },
  // Name labels from a zoom level up; where two would overlap, the earlier one (data order) stays.
  labels: function(map, d) {
    var group = L.layerGroup(), items = [];
    d.l.forEach(function(l) {
      var kind = d.k[l[0]];
      var icon = L.divIcon({className: "siting-label siting-label-" + kind.name, html: "<span>" + l[3] + "</span>",
                            iconSize: null});
      var marker = L.marker([l[2] / 1e6, l[1] / 1e6], {icon: icon, interactive: false, keyboard: false,
                                                        pane: d.pane});
      items.push({marker: marker, zoom: kind.zoom});
      group.addLayer(marker);
    });
    function place() {
      if (!map.hasLayer(group)) { return; }
      var zoom = map.getZoom(), view = map.getBounds().pad(0.2), placed = [];
      items.forEach(function(item) {
        var element = item.marker.getElement();
        if (!element) { return; }
        if (zoom < item.zoom || !view.contains(item.marker.getLatLng())) { element.style.display = "none"; return; }
        element.style.display = "";
        var r = element.firstChild.getBoundingClientRect();
        var clash = placed.some(function(p) {
          return r.left < p.right + 3 && p.left < r.right + 3 && r.top < p.bottom && p.top < r.bottom;
        });
        if (clash) { element.style.display = "none"; } else { placed.push(r); }
      });
    }
    map.on("zoomend moveend", place);
    group.on("add", function() { setTimeout(place, 0); });
    return group;
  },
  layer: function(data, o) {
    var options = {
      style: function(f) { return o.styles[f.properties[o.cls]]; },
      pointToLayer: function(f, latlng) {
        var style = L.extend({}, o.styles[f.properties[o.cls]]);
        // A circle in metres: the layer's radius, or the feature's own (a point 小区's point_radius_m)
        var metres = o.radius || (o.pointRadius && f.properties[o.pointRadius]);
        return metres ? L.circle(latlng, L.extend(style, {radius: metres})) : L.circleMarker(latlng, style);
      },
      onEachFeature: function(f, layer) {
        if (o.rank) {
          layer.bindTooltip(String(f.properties[o.rank]),
                            {permanent: true, direction: "center", className: "siting-rank"});
        } else if (o.label) {
          if (f.properties[o.label]) { layer.bindTooltip(f.properties[o.label], {sticky: true}); }
        } else if (o.tooltip.length) {
          layer.bindTooltip(function() { return sitingMaps.table(f.properties, o.tooltip, o.labels); },
                            {sticky: true});
        }
        if (o.popup.length) {
          layer.bindPopup(function() { return sitingMaps.table(f.properties, o.popup, o.labels); });
        }
      }
    };
    if (o.pane) { options.pane = o.pane; }
    return L.geoJson(data, options);
  }
};
</script>""".replace("__TYPES__", json.dumps(list(_GEOMETRY_TYPES)))


def _js_literal(value: Any) -> str:
    """Compact JSON safe inside a <script> element (no "</script>" can occur)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _delta(coords: np.ndarray) -> list[int]:
    q = np.round(np.asarray(coords)[:, :2] * 10**COORD_DECIMALS).astype(np.int64)
    return np.vstack([q[:1], np.diff(q, axis=0)]).ravel().tolist()


def _encode(geom: shapely.Geometry) -> list:
    """[type code, coordinates] of one geometry, coordinates as integers of 1e-6 degree, paths delta-encoded."""
    kind = geom.geom_type
    if kind == "Point":
        coords: Any = _delta(shapely.get_coordinates(geom))
    elif kind == "MultiPoint":
        coords = [_delta(shapely.get_coordinates(p)) for p in geom.geoms]
    elif kind == "LineString":
        coords = _delta(geom.coords)
    elif kind == "MultiLineString":
        coords = [_delta(line.coords) for line in geom.geoms]
    elif kind == "Polygon":
        coords = [_delta(ring.coords) for ring in (geom.exterior, *geom.interiors)]
    elif kind == "MultiPolygon":
        coords = [[_delta(ring.coords) for ring in (p.exterior, *p.interiors)] for p in geom.geoms]
    else:
        raise SitingInputError(msg("map_geometry_unknown", kind=kind), fix=msg("map_geometry_unknown_fix"))
    return [_GEOMETRY_TYPES.index(kind), coords]


class _Dataset(MacroElement):
    """Features drawn by one or more layers, embedded once in the page (compact encoding, see _JS)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = sitingMaps.features({{ this.payload() }});
        {% endmacro %}
    """)

    def __init__(self, geoms: np.ndarray, props: pd.DataFrame, labels: dict[str, str]) -> None:
        super().__init__()
        self._name = "SitingData"
        drawable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        self.drawable = drawable
        self.geoms = geoms[drawable]
        self.columns = {key: props[key].to_numpy()[drawable].tolist() for key in props.columns}
        self.labels = labels
        # an empty dataset (e.g. units with townships only, no communities) has no bounds to fit
        self.bounds = shapely.total_bounds(self.geoms) if len(self.geoms) else np.full(4, np.nan)

    def __len__(self) -> int:
        return len(self.geoms)

    def add_column(self, key: str, values: np.ndarray) -> None:
        """A column given for every input row (non-drawable rows are dropped here).

        A key already used (a popup field) is refused: a style class written over a field's display
        values once showed 新建/扩建 as the raw ``new``/``expand``.
        """
        if key in self.columns:
            raise ValueError(f"map column key {key!r} is already used")
        self.columns[key] = np.asarray(values)[self.drawable].tolist()

    def payload(self) -> str:
        return _js_literal({"g": [_encode(g) for g in self.geoms], "p": self.columns})


class _DataLayer(Layer):
    """One switchable layer drawing a dataset, styled by a class column, with tooltips and popups."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = sitingMaps.layer({{ this.dataset.get_name() }}, {{ this.js_options() }});
        {% endmacro %}
    """)

    def __init__(
        self,
        dataset: _Dataset,
        name: str,
        class_key: str,
        styles: Mapping[str, dict],
        *,
        show: bool = True,
        tooltip: tuple[str, ...] | None = None,
        radius_m: float | None = None,
        rank_key: str | None = None,
        label_key: str | None = None,
        point_radius_key: str | None = None,
        pane: str | None = None,
    ) -> None:
        super().__init__(name=html.escape(name), overlay=True, control=True, show=show)
        self._name = "SitingLayer"
        self.dataset = dataset
        self.options: dict[str, Any] = {
            "cls": class_key,
            "styles": dict(styles),
            "radius": radius_m,
            "rank": rank_key,
            "tooltip": [k for k in dataset.labels if tooltip is None or k in tooltip],
            "popup": [] if label_key else list(dataset.labels),
            "labels": {k: html.escape(v) for k, v in dataset.labels.items()},
        }
        # Only when used: the options travel once per layer in the page.
        extra = {"label": label_key, "pointRadius": point_radius_key, "pane": pane}
        self.options.update({k: v for k, v in extra.items() if v is not None})

    def js_options(self) -> str:
        return _js_literal(self.options)


class _Labels(Layer):
    """A switchable layer of names written on the map from :data:`LABEL_MIN_ZOOM` up, overlaps left out."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = sitingMaps.labels({{ this._parent.get_name() }}, {{ this.payload() }});
        {% endmacro %}
    """)

    def __init__(self, kinds: list[str], rows: list[list], name: str) -> None:
        super().__init__(name=html.escape(name), overlay=True, control=True, show=True)
        self._name = "SitingLabels"
        self.data = {"k": [{"name": k, "zoom": LABEL_MIN_ZOOM[k]} for k in kinds], "l": rows, "pane": LABEL_PANE}

    def payload(self) -> str:
        return _js_literal(self.data)


class _Builder:
    """Draws result layers onto one map and collects what the legend must explain."""

    def __init__(self, m: folium.Map, basemap: str | None, language: str) -> None:
        self.map = m
        self.basemap = basemap
        self.language = language
        self.legend: list[tuple[str, list[tuple[str, str]]]] = []
        self.bounds: list[np.ndarray] = []
        self.names: list[tuple[str, gpd.GeoDataFrame]] = []

    def dataset(
        self, frame: gpd.GeoDataFrame, fields: list[tuple[str, str, str]], *, fit: bool = True
    ) -> _Dataset | None:
        """Embed a frame's display geometries and formatted fields; None if nothing can be drawn.
        ``fit``: the map's first view includes these features."""
        props, labels = _properties(frame, fields, self.language)
        data = _Dataset(_display_geometries(frame, self.basemap), props, labels)
        if not len(data):
            return None
        data.add_to(self.map)
        if fit:
            self.bounds.append(data.bounds)
        return data

    def streets(self, streets: Any, *, show: bool) -> _DataLayer | None:
        """The street network as a base layer: light lines under every data layer, names on hover.

        Its extent does not set the first view (an OSM extract reaches well beyond the study area).
        """
        lines = street_lines(streets)
        data = self.dataset(lines, _STREET_FIELDS, fit=False)
        if data is None:
            return None
        data.add_column("k", lines["kind"].to_numpy())
        _Pane(STREET_PANE, STREET_PANE_Z).add_to(self.map)
        name = term("layer_streets", self.language)
        layer = _DataLayer(data, name, "k", STREET_STYLES, show=show, label_key="n", pane=STREET_PANE)
        layer.add_to(self.map)
        present = set(lines["kind"])
        self.add_legend(
            name,
            [
                (_swatch(style, "line"), term(f"streets_{k}", self.language))
                for k, style in STREET_STYLES.items()
                if k in present
            ],
        )
        return layer

    def layer(
        self,
        frame: gpd.GeoDataFrame,
        name: str,
        fields: list[tuple[str, str, str]],
        classes: pd.Series,
        styles: Mapping[str, dict],
        *,
        data: _Dataset | None = None,
        class_key: str = "k",
        **options: Any,
    ) -> _Dataset | None:
        """Add one layer of ``frame`` (embedding it unless ``data`` already holds it); None if empty."""
        data = data or self.dataset(frame, fields)
        if data is None:
            return None
        data.add_column(class_key, classes.astype(str).to_numpy())
        _DataLayer(data, name, class_key, styles, **options).add_to(self.map)
        return data

    def add_legend(self, heading: str, entries: list[tuple[str, str]]) -> None:
        self.legend.append((heading, entries))

    def name(self, kind: str, frame: gpd.GeoDataFrame, order: pd.Series) -> None:
        """Write the names of ``frame`` (``kind``: a key of :data:`LABEL_MIN_ZOOM`) on the map; the lowest
        ``order`` keeps its place when names overlap."""
        if "name" in frame.columns:
            named = frame[frame["name"].notna() & (frame["name"].astype(str).str.strip() != "")]
            self.names.append((kind, named.loc[order.loc[named.index].sort_values(kind="stable").index]))

    def labels(self) -> None:
        """The layer of all names given to :meth:`name`, in the order given (the first keeps its place)."""
        kinds: list[str] = []
        rows: list[list] = []
        for kind, frame in self.names:
            if not len(frame):
                continue
            # a label sits on the 小区 (a point inside it, found in metres) or beside the point
            inside = to_metric(frame).geometry.representative_point()
            points = _display_geometries(gpd.GeoDataFrame(geometry=inside), self.basemap)
            xy = np.round(shapely.get_coordinates(points) * 10**COORD_DECIMALS).astype(np.int64)
            names = [html.escape(str(n)) for n in frame["name"]]
            rows.extend([len(kinds), int(x), int(y), n] for (x, y), n in zip(xy, names, strict=True))
            kinds.append(kind)
        if rows:
            _Pane(LABEL_PANE, LABEL_PANE_Z).add_to(self.map)
            _Labels(kinds, rows, term("layer_labels", self.language)).add_to(self.map)


def _swatch(style: Mapping[str, Any], shape: str = "fill") -> str:
    color = style.get("color", "#333")
    fill = style.get("fillColor", color)
    if shape == "circle":
        css = f"background:{fill};border:2px solid {color};border-radius:50%;width:11px;height:11px"
    elif shape == "line":
        dash = "dashed" if style.get("dashArray") else "solid"
        css = f"border-top:{max(1.0, style.get('weight', 1)):.0f}px {dash} {color};height:0"
    else:
        css = f"background:{fill};opacity:0.85;border:1px solid {color}"
    return f'<span class="siting-sw" style="{css}"></span>'


def _new_map(
    basemap: str | None, tianditu_key: str | None, language: str, figure: Figure | None = None, **size: Any
) -> folium.Map:
    for name, value, allowed in (("basemap", basemap, BASEMAPS), ("language", language, LANGUAGES)):
        if value not in allowed:
            raise SitingInputError(
                msg("argument_choice", got=value),
                source=msg("where_argument", name=name),
                fix=msg("argument_choice_fix", allowed=list(allowed)),
            )
    key = tianditu_key or os.environ.get("TIANDITU_KEY")
    if basemap == "tianditu" and not key:
        raise SitingInputError(msg("map_tianditu_key"), column="tianditu_key", fix=msg("map_tianditu_key_fix"))
    # Quarter zoom steps: the first view fills the room beside the legend instead of halving to fit it.
    m = _OfflineMap(location=[0.0, 0.0], zoom_start=2, tiles=None, control_scale=True, zoom_snap=0.25, **size)
    if figure is not None:
        figure.add_child(m)
    for i, tiles in enumerate(_TILES.get(basemap or "", [])):
        options = dict(tiles)
        if basemap == "tianditu" and key:
            options["tiles"] = options["tiles"].replace("{key}", key)
        # Only the first tile layer is listed; Tianditu's label layer simply follows its map layer.
        folium.TileLayer(
            name=f"{term('basemap', language)}: {term(str(basemap), language)}",
            overlay=False,
            control=i == 0,
            **options,
        ).add_to(m)
    header = cast(Figure, m.get_root()).header
    header.add_child(Element(_CSS), name="siting_css")
    header.add_child(Element(_JS), name="siting_js")
    if basemap is None:
        # No tiles: a plain paper-like background instead of Leaflet's grey.
        header.add_child(
            Element(f"<style>.folium-map.leaflet-container {{background: {PLAIN_BACKGROUND};}}</style>"),
            name="siting_plain_background",
        )
    return m


def _draw(
    builder: _Builder,
    areas: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame | None,
    *,
    service_areas: gpd.GeoDataFrame | None,
    radius_m: float | None,
    units: gpd.GeoDataFrame | None,
    proposals: gpd.GeoDataFrame | None,
    streets: Any = None,
) -> _DataLayer | None:
    """Draw every result layer, bottom to top: streets, service areas, circles, areas, boundaries, facilities,
    proposals. Returns the street layer (None without streets).

    The streets show from the start on a plain background; over base-map tiles they start hidden (the
    tiles show the streets) and :class:`_StreetsWhenTilesFail` shows them when the tiles cannot load.
    """
    lang = builder.language
    _require(areas, ("within_walk",), "areas", msg("map_areas_fix"))
    _require(facilities, ("level",), "facilities", msg("map_facilities_fix"))
    _require(service_areas, ("minutes",), "service_areas", msg("map_service_areas_fix"))
    _require(units, ("level",), "units", msg("map_units_fix"))
    _require(proposals, ("rank",), "proposals", msg("map_proposals_fix"))
    street_layer = builder.streets(streets, show=builder.basemap is None) if streets is not None else None

    reach: list[tuple[str, str]] = []
    if service_areas is not None and len(service_areas):
        service_areas = drawn_service_areas(service_areas)
        minutes = sorted(pd.unique(service_areas["minutes"]), reverse=True)
        for i, value in enumerate(minutes):
            style = service_area_style(value)
            part = service_areas[service_areas["minutes"] == value]
            # Only the largest is shown at first: stacked fills would hide the areas' colours.
            if builder.layer(
                part,
                term("layer_service", lang, minutes=f"{value:g}"),
                _SERVICE_FIELDS,
                pd.Series("s", index=part.index),
                {"s": style},
                show=i == 0,
            ):
                reach.insert(0, (_swatch(style), term("layer_service", lang, minutes=f"{value:g}")))

    # Facilities are embedded once and drawn twice: circles at the bottom, markers on top.
    facility_data = builder.dataset(facilities, _FACILITY_FIELDS) if facilities is not None else None
    if facilities is not None and facility_data is not None and radius_m:
        style = {"color": RADIUS_COLOR, "weight": 1.5, "dashArray": "6 4", "fill": False}
        name = term("layer_radius", lang, radius=f"{radius_m:g}")
        if builder.layer(
            facilities,
            name,
            _FACILITY_FIELDS,
            pd.Series("r", index=facilities.index),
            {"r": style},
            data=facility_data,
            class_key="kr",
            show=False,
            radius_m=float(radius_m),
        ):
            reach.append((_swatch(style, "line"), name))
    if reach:
        builder.add_legend(term("service_reach", lang), reach)

    walk_class = walk_classes(areas)
    walk_styles = WALK_STYLES
    area_data = builder.dataset(areas, _AREA_FIELDS)
    point_radius = None
    if area_data is not None and "point_radius_m" in areas:
        # Point 小区 are drawn as circles of their own radius in metres (0: the marker instead).
        radius = pd.to_numeric(areas["point_radius_m"], errors="coerce").where(areas.geom_type == "Point")
        area_data.add_column("pr", radius.fillna(0).round(1).to_numpy())
        point_radius = "pr"
    area_data = builder.layer(
        areas,
        term("layer_walk", lang),
        _AREA_FIELDS,
        pd.Series(walk_class, index=areas.index),
        walk_styles,
        data=area_data,
        class_key="kw",
        tooltip=_AREA_TOOLTIP,
        point_radius_key=point_radius,
    )
    if area_data is not None:
        present = set(walk_class)
        builder.add_legend(
            term("layer_walk", lang), [(_swatch(walk_styles[k]), term(k, lang)) for k in WALK_COLORS if k in present]
        )

    if area_data is not None and "floor_area_ok" in areas:
        fa_class = floor_area_classes(areas)
        fa_styles = FLOOR_AREA_STYLES
        # Hidden at first: it covers the same polygons as the walking-circle layer.
        if builder.layer(
            areas,
            term("layer_floor_area", lang),
            _AREA_FIELDS,
            pd.Series(fa_class, index=areas.index),
            fa_styles,
            data=area_data,
            class_key="kf",
            show=False,
            tooltip=_AREA_TOOLTIP,
            point_radius_key=point_radius,
        ):
            builder.add_legend(
                term("layer_floor_area", lang), [(_swatch(fa_styles[k]), term(k, lang)) for k in FLOOR_AREA_COLORS]
            )

    if units is not None and len(units):
        entries = []
        for level in ("township", "community"):
            part = units[units["level"] == level]
            name = term(f"layer_{level}", lang)
            if builder.layer(part, name, _UNIT_FIELDS, pd.Series(level, index=part.index), {level: UNIT_STYLES[level]}):
                entries.append((_swatch(UNIT_STYLES[level], "line"), name))
        if entries:
            builder.add_legend(term("boundaries", lang), entries)

    if facilities is not None and facility_data is not None:
        radius = facility_radius_px(facilities.get("floor_area_m2", pd.Series(np.nan, index=facilities.index)))
        small = facilities.get("below_min_site", pd.Series(False, index=facilities.index)).fillna(False)
        classes = (
            facilities["level"].astype(str)
            + "|"
            + pd.Series(radius, index=facilities.index).astype(str)
            + "|"
            + small.astype(bool).astype(str)
        )
        styles = {}
        for key in pd.unique(classes):
            level, r, below = key.split("|")
            color = LEVEL_COLORS.get(level, "#000000")
            outline = BELOW_MIN_SITE_OUTLINE if below == "True" else FACILITY_OUTLINE
            styles[key] = {"radius": float(r), "fill": True, "fillColor": color, **outline}
        if builder.layer(
            facilities, term("layer_facilities", lang), _FACILITY_FIELDS, classes, styles, data=facility_data
        ):
            levels = set(facilities["level"].astype(str))
            entries = [
                (_swatch({"color": "#ffffff", "fillColor": c}, "circle"), value_label(k, lang))
                for k, c in LEVEL_COLORS.items()
                if k in levels
            ]
            if small.astype(bool).any():
                entries.append(
                    (
                        _swatch({"color": BELOW_MIN_SITE_COLOR, "fillColor": "#ffffff"}, "circle"),
                        term("below_min_site", lang),
                    )
                )
            builder.add_legend(term("layer_facilities", lang), entries)

    if proposals is not None and len(proposals):
        styles = PROPOSAL_STYLES
        kinds = proposal_kinds(proposals)
        builder.name("proposals", proposals, pd.to_numeric(proposals["rank"], errors="coerce"))
        if builder.layer(proposals, term("layer_proposals", lang), _PROPOSAL_FIELDS, kinds, styles, rank_key="rk"):
            entries = [(_swatch(styles["new"], "circle"), term("proposal", lang))]
            if (kinds == "expand").any():
                entries.append((_swatch(styles["expand"], "circle"), term("expansion", lang)))
            builder.add_legend(term("layer_proposals", lang), entries)
    if facilities is not None:
        sizes = facilities.get("floor_area_m2", pd.Series(np.nan, index=facilities.index))
        builder.name("facilities", facilities, -pd.to_numeric(sizes, errors="coerce").fillna(0))
    households = areas.get("households", pd.Series(0.0, index=areas.index))
    builder.name("areas", areas, -pd.to_numeric(households, errors="coerce").fillna(0))
    builder.labels()
    return street_layer


def _summary_html(summary: Mapping[str, Any] | None, language: str) -> str:
    rows = []
    for key in SUMMARY_KEYS:
        value = (summary or {}).get(key)
        if value is None:
            continue
        if key.startswith("share_"):
            text = f"{100 * float(value):.1f}%"
        elif isinstance(value, (int, float, np.number)):
            text = f"{float(value):,.0f}"
        else:
            text = html.escape(str(value))
        rows.append(f"<tr><td>{html.escape(column_label(key, language))}</td><td class='v'>{text}</td></tr>")
    return "<table>" + "".join(rows) + "</table>" if rows else ""


def _title_html(title: str | None, scenario: str | None, profile: str | None, language: str) -> str:
    lines = [f"<b>{html.escape(title or term('title', language))}</b>"]
    if scenario:
        lines.append(f"{term('scenario', language)}: {html.escape(str(scenario))}")
    if profile:
        lines.append(f"{term('profile', language)}: {html.escape(str(profile))}")
    return "<br>".join(lines)


def _legend_html(sections: list[tuple[str, list[tuple[str, str]]]], language: str) -> str:
    parts = [f"<b>{term('legend', language)}</b>"]
    for heading, entries in sections:
        parts.append(f"<h4>{html.escape(heading)}</h4>")
        parts.extend(f"<div>{swatch}{html.escape(text)}</div>" for swatch, text in entries)
    return "".join(parts)


def _page_title(title: str | None, scenarios: list[str | None], language: str) -> str:
    """The browser tab's title: the map title and the scenario name(s)."""
    names = " / ".join(str(s) for s in scenarios if s)
    return html.escape(" · ".join(t for t in (title or term("title", language), names) if t))


def _decorate(
    builder: _Builder,
    *,
    title: str | None,
    scenario: str | None,
    profile: str | None,
    summary: Mapping[str, Any] | None,
    legend: list[tuple[str, list[tuple[str, str]]]],
    collapsed: bool = False,
) -> None:
    m = builder.map
    _HtmlControl(_title_html(title, scenario, profile, builder.language), "topleft", "siting-box siting-title").add_to(
        m
    )
    box = _summary_html(summary, builder.language)
    if box:
        _HtmlControl(
            f"<b>{term('summary', builder.language)}</b>{box}", "bottomright", "siting-box siting-summary"
        ).add_to(m)
    if legend:
        _HtmlControl(_legend_html(legend, builder.language), "bottomleft", "siting-box siting-legend").add_to(m)
    folium.LayerControl(collapsed=collapsed).add_to(m)


def _streets_when_tiles_fail(m: folium.Map, street_layer: _DataLayer | None) -> None:
    """Let the page show the streets when the map's tiles cannot load (see :class:`_StreetsWhenTilesFail`)."""
    tiles = [child for child in m._children.values() if isinstance(child, folium.TileLayer)]
    if street_layer is not None and tiles:
        _StreetsWhenTilesFail(street_layer, tiles).add_to(m)


class _FitBesideBoxes(MacroElement):
    """The first view of one or more maps: the data fitted beside the legend (bottom left) and an expanded
    layer control (top right), their widths measured in the page, so that no box covers data at first sight.

    Several maps get the same padding (the widest boxes among them) and hence the same view: on the
    comparison page only the right-hand map has the legend, and both must show the same place.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var maps = [{% for m in this.maps %}{{ m.get_name() }}{{ "," if not loop.last }}{% endfor %}];
            var left = 0, right = 0;
            maps.forEach(function(map) {
                var legend = map.getContainer().querySelector(".siting-legend");
                var layers = map.getContainer().querySelector(".leaflet-control-layers-expanded");
                if (legend) { left = Math.max(left, legend.offsetWidth + 20); }
                if (layers) { right = Math.max(right, layers.offsetWidth + 20); }
            });
            maps.forEach(function(map) {
                // However wide the boxes, at least half of the map is left for the data.
                var scale = Math.min(1, map.getSize().x / 2 / Math.max(left + right, 1));
                map.fitBounds({{ this.bounds|tojson }},
                              {paddingTopLeft: [left * scale, 10], paddingBottomRight: [right * scale, 10]});
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, maps: Sequence[folium.Map], bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "FitBesideBoxes"
        self.maps = list(maps)
        self.bounds = bounds


def _fit(maps: list[folium.Map], bounds: list[np.ndarray], parent: Any) -> None:
    """Centre the maps on the data, and add to ``parent`` (the map, or the comparison page) the script that
    fits the first view beside the boxes; it runs after the boxes exist."""
    if not bounds:
        return
    b = np.vstack(bounds)
    south_west = [float(b[:, 1].min()), float(b[:, 0].min())]
    north_east = [float(b[:, 3].max()), float(b[:, 2].max())]
    for m in maps:
        m.location = [(south_west[0] + north_east[0]) / 2, (south_west[1] + north_east[1]) / 2]
    parent.add_child(_FitBesideBoxes(maps, [south_west, north_east]))


def result_map(
    areas: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame | None = None,
    *,
    service_areas: gpd.GeoDataFrame | None = None,
    radius_m: float | None = defaults.SERVICE_RADIUS_M,
    units: gpd.GeoDataFrame | None = None,
    proposals: gpd.GeoDataFrame | None = None,
    streets: Any = None,
    summary: Mapping[str, Any] | None = None,
    title: str | None = None,
    scenario: str | None = None,
    profile: str | None = None,
    basemap: str | None = defaults.BASEMAP,
    language: str = "zh",
    tianditu_key: str | None = None,
) -> folium.Map:
    """An interactive map of one scenario's results, with a layer control, legend, title and summary box.

    Parameters
    ----------
    areas : GeoDataFrame
        Residential areas (polygons, or points drawn as circles of ``point_radius_m`` metres when given,
        else as small markers; any CRS) with ``within_walk`` and, as available, ``name``,
        ``households``, ``status``, ``walk_min`` (NaN: unreachable), ``nearest_facility``,
        ``dist_m_straight``, ``within_radius``, ``dist_m_network``, ``within_radius_network``; with
        ``floor_area_ok`` (and ``required_floor_area_m2``, ``available_floor_area_m2``, ``shortfall_m2``)
        a floor-area compliance layer is added.
    facilities : GeoDataFrame, optional
        Existing facilities (points) with ``level`` (county/township/community/station) and optionally
        ``name``, ``floor_area_m2`` (sets the marker size), ``beds``, ``below_min_site``.
    service_areas : GeoDataFrame, optional
        Walking-time service areas (polygons) with ``minutes``; one layer per distinct value. When some rows
        are merged areas (``facility_id`` None or "all"), only those are drawn.
    radius_m : float or None, default 1000
        Service radius drawn around each facility, in metres; None draws no circles.
    units : GeoDataFrame, optional
        Township and community boundaries (polygons) with ``level`` ("township"/"community") and ``name``.
    proposals : GeoDataFrame, optional
        Proposed centres (points) with ``rank`` and optionally ``name``, ``recommended_floor_area_m2``,
        ``households_newly_covered``.
    streets : StreetNetwork or GeoDataFrame, optional
        The street network of the analysis (``ScenarioResult.network``) or street lines with ``name`` and
        ``highway``: a base layer of light lines under the data, street names on hover (:func:`street_lines`).
        On a plain background it is shown from the start; over tiles it is shown as soon as the tiles
        fail to load, or none has loaded after :data:`TILE_TIMEOUT_MS` (an intranet without the tile
        server), and stays off while they load. It never sets the first view.
    summary : dict, optional
        Scenario figures; those in :data:`SUMMARY_KEYS` fill the summary box (shares as fractions 0–1).
        Its ``scenario`` and ``profile`` entries are used when those arguments are not given.
    title, scenario, profile : str, optional
        Title (default: a generic one), scenario name and rule-profile name for the title box.
    basemap : {"osm", "amap", "tianditu", None}, default "osm"
        Tiles under the data. "amap" shifts every geometry to GCJ-02; None draws on a plain background
        (with the streets, when given, to orient by).
    language : {"zh", "en"}, default "zh"
        Language of layer names, legend, tooltips and popups.
    tianditu_key : str, optional
        Tianditu key (or the ``TIANDITU_KEY`` environment variable); required for ``basemap="tianditu"``.

    Returns
    -------
    folium.Map
        An ``offlinefolium`` Map (the folium API, with Leaflet embedded); it displays inline in Jupyter.
        Write it with :func:`save_map`.
    """
    summary = summary or {}
    scenario = scenario or summary.get("scenario")
    m = _new_map(basemap, tianditu_key, language)
    builder = _Builder(m, basemap, language)
    street_layer = _draw(
        builder,
        areas,
        facilities,
        service_areas=service_areas,
        radius_m=radius_m,
        units=units,
        proposals=proposals,
        streets=streets,
    )
    _decorate(
        builder,
        title=title,
        scenario=scenario,
        profile=profile or summary.get("profile"),
        summary=summary,
        legend=builder.legend,
    )
    _streets_when_tiles_fail(m, street_layer)
    cast(Figure, m.get_root()).title = _page_title(title, [scenario], language)
    _fit([m], builder.bounds, m)
    return m


_RESULT_PARTS = ("areas", "facilities", "service_areas", "units", "proposals", "summary", "streets", "network")


def _result_parts(result: Any, which: str) -> dict[str, Any]:
    """The parts of a scenario result given as a mapping or an object with attributes."""
    get = result.get if isinstance(result, Mapping) else (lambda key, default=None: getattr(result, key, default))
    parts = {key: get(key, None) for key in _RESULT_PARTS}
    if parts["areas"] is None:
        raise SitingInputError(
            msg("map_result_no_areas"),
            source=msg("where_argument", name=f"comparison_map {which}"),
            fix=msg("map_result_no_areas_fix"),
        )
    parts["summary"] = dict(parts["summary"] or {})
    # A ScenarioResult carries its network; a result read back from its folder, the streets layer.
    if parts["streets"] is None:
        parts["streets"] = parts["network"]
    for key in ("scenario", "profile"):
        if parts["summary"].get(key) is None and get(key, None) is not None:
            parts["summary"][key] = get(key, None)
    return parts


def _merged_legend(sections: Iterable[tuple[str, list[tuple[str, str]]]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Legend sections of the same heading merged into one, each entry once, in first-seen order."""
    legend: dict[str, list[tuple[str, str]]] = {}
    for heading, entries in sections:
        section = legend.setdefault(heading, [])
        section.extend(entry for entry in entries if entry not in section)
    return list(legend.items())


def comparison_map(
    result_a: Any,
    result_b: Any,
    *,
    radius_m: float | None = defaults.SERVICE_RADIUS_M,
    title: str | None = None,
    basemap: str | None = defaults.BASEMAP,
    language: str = "zh",
    tianditu_key: str | None = None,
) -> Figure:
    """Two scenarios side by side: two maps whose views move together, each with its own title and summary.

    Parameters
    ----------
    result_a, result_b : mapping or object
        Scenario results with ``areas`` and optionally ``facilities``, ``service_areas``, ``units``,
        ``proposals``, ``summary`` and ``network`` or ``streets`` (keys or attributes); the scenario name
        and rule profile are read from ``summary["scenario"]``/``summary["profile"]`` or from
        ``scenario``/``profile`` entries. Each side draws its own streets as in :func:`result_map`.
    radius_m, title, basemap, language, tianditu_key
        As in :func:`result_map`.

    Returns
    -------
    branca.element.Figure
        One page holding both maps; displays inline in Jupyter; write it with :func:`save_map`.
    """
    figure = Figure()
    maps, bounds, builders, street_layers = [], [], [], []
    for i, result in enumerate((result_a, result_b)):
        parts = _result_parts(result, "result_a" if i == 0 else "result_b")
        m = _new_map(
            basemap, tianditu_key, language, figure, width="50%", height="100%", left=f"{50 * i}%", position="absolute"
        )
        builder = _Builder(m, basemap, language)
        street_layers.append(
            _draw(
                builder,
                parts["areas"],
                parts["facilities"],
                service_areas=parts["service_areas"],
                radius_m=radius_m,
                units=parts["units"],
                proposals=parts["proposals"],
                streets=parts["streets"],
            )
        )
        maps.append(m)
        bounds.extend(builder.bounds)
        builders.append((builder, parts["summary"]))
    # One legend (both sides use the same colours) explaining what either side shows, on the right-hand map.
    legend = _merged_legend(section for builder, _ in builders for section in builder.legend)
    for i, (builder, summary) in enumerate(builders):
        # Collapsed layer controls: two expanded ones would cover half of each map.
        _decorate(
            builder,
            title=title,
            scenario=summary.get("scenario"),
            profile=summary.get("profile"),
            summary=summary,
            legend=legend if i == 1 else [],
            collapsed=True,
        )
        _streets_when_tiles_fail(maps[i], street_layers[i])
    figure.title = _page_title(title, [summary.get("scenario") for _, summary in builders], language)
    figure.header.add_child(
        Element("<style>.folium-map + .folium-map {border-left: 2px solid #444; box-sizing: border-box;}</style>"),
        name="siting_divider",
    )
    figure.add_child(_SyncViews(maps[0], maps[1]))
    _fit(maps, bounds, figure)
    return figure


def scenarios_map(
    results: Sequence[Any],
    *,
    radius_m: float | None = defaults.SERVICE_RADIUS_M,
    title: str | None = None,
    basemap: str | None = defaults.BASEMAP,
    language: str = "zh",
    tianditu_key: str | None = None,
) -> folium.Map:
    """Any number of scenarios on one map, each a group of switchable layers named after it.

    The first scenario's layers are shown at first, the others are switched on in the layer control
    (``方案B · 小区`` and so on); the streets and boundaries, the same for all, are drawn once. One legend
    explains every scenario, and a summary box sets their headline figures side by side; the first view
    fits the data beside the legend and the layer control.

    Parameters
    ----------
    results : sequence
        Scenario results as :func:`comparison_map` takes them.
    radius_m, title, basemap, language, tianditu_key
        As in :func:`result_map`.

    Returns
    -------
    folium.Map
    """
    m = _new_map(basemap, tianditu_key, language)
    builder = _Builder(m, basemap, language)
    shared = {term(key, language) for key in ("layer_streets", "layer_township", "layer_community")}
    street_layer, summaries = None, []
    for i, result in enumerate(results):
        parts = _result_parts(result, f"results[{i}]")
        summaries.append(parts["summary"])
        name = str(parts["summary"].get("scenario") or i + 1)
        before = set(m._children)
        drawn = _draw(
            builder,
            parts["areas"],
            parts["facilities"],
            service_areas=parts["service_areas"],
            radius_m=radius_m,
            units=parts["units"] if i == 0 else None,
            proposals=parts["proposals"],
            streets=parts["streets"] if i == 0 else None,
        )
        street_layer = street_layer or drawn
        for key in [k for k in m._children if k not in before]:
            layer = m._children[key]
            if isinstance(layer, _DataLayer) and layer.layer_name not in {html.escape(n) for n in shared}:
                layer.layer_name = f"{html.escape(name)} · {layer.layer_name}"
                layer.show = layer.show and i == 0
    names = [str(s.get("scenario") or i + 1) for i, s in enumerate(summaries)]
    _decorate(
        builder,
        title=title,
        scenario=" / ".join(names),
        profile=summaries[0].get("profile") if summaries else None,
        summary=None,
        legend=_merged_legend(builder.legend),
    )
    box = _summaries_html(summaries, names, language)
    if box:
        _HtmlControl(f"<b>{term('summary', language)}</b>{box}", "bottomright", "siting-box siting-summary").add_to(m)
    _streets_when_tiles_fail(m, street_layer)
    cast(Figure, m.get_root()).title = _page_title(title, list(names), language)
    _fit([m], builder.bounds, m)
    return m


def _summaries_html(summaries: Sequence[Mapping[str, Any]], names: list[str], language: str) -> str:
    """The headline figures of several scenarios as one table, a column per scenario."""
    rows = []
    for key in SUMMARY_KEYS:
        values = [s.get(key) for s in summaries]
        if all(v is None for v in values):
            continue
        cells = "".join(
            "<td class='v'>—</td>"
            if v is None
            else f"<td class='v'>{100 * float(v):.1f}%</td>"
            if key.startswith("share_")
            else f"<td class='v'>{float(v):,.0f}</td>"
            for v in values
        )
        rows.append(f"<tr><td>{html.escape(column_label(key, language))}</td>{cells}</tr>")
    if not rows:
        return ""
    head = "<tr><td></td>" + "".join(f"<td class='v'><b>{html.escape(n)}</b></td>" for n in names) + "</tr>"
    return "<table>" + head + "".join(rows) + "</table>"


def coverage_classes(shares: pd.Series) -> pd.Series:
    """Class of each share (0–1) of households within the walk: its index into :data:`COVERAGE_CLASSES`
    as text, ``"none"`` when missing."""
    values = pd.to_numeric(shares, errors="coerce").to_numpy(dtype=float)
    bounds = np.array([low for low, _ in COVERAGE_CLASSES[1:]])
    index = np.searchsorted(bounds, values, side="right").astype(str)
    return pd.Series(np.where(np.isnan(values), "none", index), index=shares.index)


def _coverage_label(k: int) -> str:
    low = COVERAGE_CLASSES[k][0]
    if k == len(COVERAGE_CLASSES) - 1:
        return f"≥ {100 * low:g}%"
    return f"{100 * low:g}–{100 * COVERAGE_CLASSES[k + 1][0]:g}%" if k else f"< {100 * COVERAGE_CLASSES[1][0]:g}%"


def batch_map(
    counties: gpd.GeoDataFrame,
    *,
    summary: Mapping[str, Any] | None = None,
    title: str | None = None,
    basemap: str | None = defaults.BASEMAP,
    language: str = "zh",
    tianditu_key: str | None = None,
) -> folium.Map:
    """Many scenarios on one map (a province's counties): each outline coloured by its walking coverage.

    Parameters
    ----------
    counties : GeoDataFrame
        One row per scenario with ``scenario`` (name), ``share_within_walk`` (0–1; missing for a failed
        scenario, drawn grey) and, as available, ``share_households_floor_area_ok``,
        ``floor_area_shortfall_m2``, ``households_total``, ``areas_total``, ``proposed_sites`` (shown in
        the popup); polygon geometry (the county's units or the hull of its areas; rows without one are
        left out).
    summary : dict, optional
        Figures of all scenarios together for the summary box (keys of :data:`SUMMARY_KEYS`).
    title : str, optional
        Title (default: "批量评估：各方案(县)对比" / "Batch: scenarios (counties) compared").
    basemap, language, tianditu_key
        As in :func:`result_map`.

    Returns
    -------
    folium.Map
        Write it with :func:`save_map`.
    """
    _require(counties, ("scenario", "share_within_walk"), "counties", msg("map_counties_fix"))
    m = _new_map(basemap, tianditu_key, language)
    builder = _Builder(m, basemap, language)
    # a scenario whose outline could not be made (it failed before writing anything) is not drawn
    counties = counties[~(counties.geometry.isna() | counties.geometry.is_empty)]
    classes = coverage_classes(counties["share_within_walk"])
    styles = {
        str(k): {"color": "#404040", "weight": 1, "fillColor": color, "fillOpacity": 0.7}
        for k, (_, color) in enumerate(COVERAGE_CLASSES)
    }
    styles["none"] = {"color": "#404040", "weight": 1, "fillColor": NO_FIGURES_COLOR, "fillOpacity": 0.5}
    name = term("layer_counties", language)
    if len(counties) and builder.layer(counties, name, _COUNTY_FIELDS, classes, styles, tooltip=("n", "sw")):
        present = set(classes)
        entries = [
            (_swatch(styles[str(k)]), _coverage_label(k)) for k in range(len(COVERAGE_CLASSES)) if str(k) in present
        ]
        if "none" in present:
            entries.append((_swatch(styles["none"]), term("no_figures", language)))
        builder.add_legend(f"{name}: {column_label('share_within_walk', language)}", entries)
    title = title or term("batch_title", language)
    _decorate(builder, title=title, scenario=None, profile=None, summary=summary, legend=builder.legend)
    cast(Figure, m.get_root()).title = _page_title(title, [], language)
    _fit([m], builder.bounds, m)
    return m


def _number_elements(root: Any) -> None:
    """Give every element a sequential id so the same map always gives the same HTML (folium uses random ids)."""
    counter = 0
    stack = [root]
    while stack:
        element = stack.pop()
        counter += 1
        element._id = f"{counter:04d}"
        children = list(element._children.values())
        if isinstance(element, Figure):
            children += [element.header, element.html, element.script]
        stack.extend(reversed(children))


def save_map(m: folium.Map | Figure, path: str | os.PathLike) -> Path:
    """Write a map to one self-contained HTML file, whole or not at all.

    Parameters
    ----------
    m : folium.Map or branca Figure
        A map from :func:`result_map` or a figure from :func:`comparison_map`.
    path : str or path-like
        Where to write; parent folders are created.

    Returns
    -------
    Path
        The written file. Its element ids are numbered in order, so the same map gives identical bytes.
    """
    path = Path(path)
    root = m.get_root()
    _number_elements(root)
    # Whole or not at all, readable by colleagues (0644 under the usual umask): the map is meant to be shared.
    return write_whole(path, root.render())
