"""A live what-if map for JupyterLab: click to add, enlarge, shrink or close centres and watch every figure change.

:class:`WhatIfMap` draws a :class:`~siting.whatif.WhatIf` session on ipyleaflet, offline: the base
layer is the analysis's own streets (no tile server), as in the Folium maps of :mod:`siting.maps`,
with the same colours and Chinese labels (English with ``language="en"``)::

    from siting import Study
    from siting.widgets import WhatIfMap

    study = Study.from_scenario("baseline.yml")
    WhatIfMap(study)          # the last line of a cell shows it

A click on a street adds a centre there (level and floor area from the controls below the map); a
click on a centre selects it, for the buttons to enlarge, shrink or close it. 小区 are coloured by
the 15-minute walk or by the floor area per 100 households (a toggle) and recoloured on each edit;
the panel beside the map shows the headline figures and each rule's verdict, start → now. Undo
takes the last edit back; "export" writes the what-if as a scenario (:meth:`WhatIf.to_scenario`).
Every action is also a method (:meth:`click`, :meth:`enlarge`, ...), so a notebook or a test can
drive the map as a planner would.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting import defaults
from siting.compliance import FACILITY_LEVELS, rule_actual_text, rule_title
from siting.errors import SitingInputError
from siting.labels import column_label, get_language, term, value_label
from siting.maps import (
    FLOOR_AREA_COLORS,
    LEVEL_COLORS,
    NO_FIGURES_COLOR,
    PLAIN_BACKGROUND,
    PROPOSAL_COLOR,
    STREET_STYLES,
    WALK_COLORS,
    street_lines,
)
from siting.plan import PROPOSED_LEVEL, Study
from siting.projection import WGS84
from siting.snapping import in_network_crs, nearest_streets
from siting.whatif import WhatIf

#: Headline figures the panel shows, in this order (keys of :attr:`WhatIf.summary`).
PANEL_KEYS = (
    "share_within_walk",
    "households_within_walk",
    "share_within_radius",
    "share_households_floor_area_ok",
    "areas_floor_area_ok",
    "floor_area_shortfall_m2",
)
#: A click this many screen pixels from a centre selects it; from a street, adds a centre there.
CLICK_TOLERANCE_PX = 12.0
#: Metres per screen pixel at zoom 0 on the equator (Web Mercator).
_EQUATOR_M_PER_PX = 156_543.03392
#: Floor area an enlarge or shrink click adds or takes away, m² (the step control's start).
DEFAULT_STEP_M2 = 100.0


class WhatIfMap:
    """A live what-if map of a study (ipyleaflet and ipywidgets).

    Parameters
    ----------
    study : Study or WhatIf
        The study to edit (a new session is opened on it), or a session already under way.
    language : {"zh", "en"}, optional
        Labels' language; default the language in force (Chinese unless set otherwise).
    floor_area_m2 : float, optional
        Floor area of a centre added by a click at the start, m² (the size control); default 400.
    height : str
        Height of the map, CSS (e.g. ``"600px"``).

    Attributes
    ----------
    session : WhatIf
    map : ipyleaflet.Map
    panel : ipywidgets.HTML
        Headline figures and rule verdicts, start → now.
    status : ipywidgets.HTML
        What the last click did.
    selected : str or None
        The facility the buttons act on.
    widget : ipywidgets.Box
        Everything together (what the notebook shows).
    """

    def __init__(
        self,
        study: Study | WhatIf,
        *,
        language: str | None = None,
        floor_area_m2: float = defaults.WIDGET_FLOOR_AREA_M2,
        height: str = "600px",
    ) -> None:
        self.session = study if isinstance(study, WhatIf) else study.what_if()
        self.language = language or get_language()
        self.selected: str | None = None
        self._network = self.session.study.network
        no_street = self.session.study.assess().areas["unreachable_reason"].eq("no_street_nearby")
        self._no_street = no_street.to_numpy(bool)
        self.map = self._new_map(height)
        self._controls(floor_area_m2, height)
        self._refresh()

    def _new_map(self, height: str) -> Any:
        """The map: the analysis's streets as its base layer (no tiles), 小区 and centres above them."""
        import ipyleaflet
        import ipywidgets as w

        lang = self.language
        areas = self.session.study.areas.reset_index(drop=True).to_crs(WGS84)
        self._areas_geo = _features(areas, "area_id", areas.get("name", areas["area_id"]))
        self._area_colours: list[str] = []
        self._area_position = {f["properties"]["id"]: i for i, f in enumerate(self._areas_geo["features"])}
        streets = street_lines(self._network).to_crs(WGS84)
        street_data = _features(streets, None, streets["name"].fillna(""))
        for feature, kind in zip(street_data["features"], streets["kind"], strict=True):
            feature["properties"]["style"] = dict(STREET_STYLES[kind])
        west, south, east, north = areas.total_bounds
        live = ipyleaflet.Map(
            center=((south + north) / 2, (west + east) / 2),
            zoom=_zoom_to_fit(west, south, east, north),
            layers=[],  # no tiles: the analysis's streets are the base layer, so it works offline
            scroll_wheel_zoom=True,
            double_click_zoom=False,
            layout=w.Layout(height=height, width="100%"),
        )
        self._areas_layer = ipyleaflet.GeoJSON(data=self._areas_geo, name=term("layer_walk", lang))
        self._facilities_layer = ipyleaflet.GeoJSON(
            data={"type": "FeatureCollection", "features": []},
            point_style={"radius": 7},
            name=term("layer_facilities", lang),
        )
        live.add(ipyleaflet.GeoJSON(data=street_data, name=term("layer_streets", lang)))
        live.add(self._areas_layer)
        live.add(self._facilities_layer)
        self._areas_layer.on_hover(self._on_hover)
        live.on_interaction(self._on_interaction)
        return live

    def _controls(self, floor_area_m2: float, height: str) -> None:
        """Level and size of a new centre, the step of enlarge/shrink, the buttons, panel and status."""
        import ipywidgets as w

        lang = self.language
        levels = [(value_label(level, lang), level) for level in FACILITY_LEVELS if level != "county"]
        self.level = w.Dropdown(options=levels, value=PROPOSED_LEVEL, description=term("whatif_level", lang))
        self.size = w.BoundedFloatText(
            value=float(floor_area_m2), min=1.0, max=100_000.0, step=50.0, description=term("whatif_size", lang)
        )
        self.step = w.BoundedFloatText(
            value=DEFAULT_STEP_M2, min=1.0, max=100_000.0, step=50.0, description=term("whatif_step", lang)
        )
        self.colour_by = w.ToggleButtons(
            options=[(term("layer_walk", lang), "walk"), (term("layer_floor_area", lang), "floor_area")],
            value="walk",
            style={"button_width": "auto"},
        )
        self.colour_by.observe(lambda _: self._draw_areas(), names="value")
        self.folder = w.Text(value="what_if", description=term("whatif_folder", lang))
        actions = {
            "enlarge": self.enlarge,
            "shrink": self.shrink,
            "close": self.close,
            "undo": self.undo,
            "export": self.export,
        }
        self.buttons = {}
        for key, action in actions.items():
            button = w.Button(description=term(f"whatif_{key}", lang))
            button.on_click(lambda _, act=action: act())
            self.buttons[key] = button
        self.panel = w.HTML()
        self.status = w.HTML(value=_paragraph(term("whatif_hint", lang)))
        self.legend = w.HTML()
        self.hover = w.HTML()
        controls = w.VBox(
            [
                w.HBox([self.level, self.size, self.step]),
                w.HBox([self.buttons[k] for k in ("enlarge", "shrink", "close", "undo")]),
                w.HBox([self.folder, self.buttons["export"]]),
                self.colour_by,
                self.status,
            ]
        )
        side = w.VBox(
            [self.hover, self.panel, self.legend], layout=w.Layout(width="38%", overflow="auto", max_height=height)
        )
        # no tiles: the map's canvas is paper, as on the Folium maps without a base map
        paper = w.HTML(f"<style>.siting-whatif .leaflet-container {{background: {PLAIN_BACKGROUND};}}</style>")
        self.widget = w.VBox([paper, w.HBox([w.Box([self.map], layout=w.Layout(width="62%")), side]), controls])
        self.widget.add_class("siting-whatif")

    # -- what a planner does ----------------------------------------------------------------------------
    def click(self, lon: float, lat: float) -> None:
        """A click on the map at WGS84 ``lon``, ``lat``: on a centre selects it, on a street adds one there."""
        lang = self.language
        tolerance_m = CLICK_TOLERANCE_PX * self._metres_per_pixel(lat)
        point = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=WGS84)
        facilities = self.session.facilities
        if len(facilities):
            here = in_network_crs(self._network, point).iloc[0]
            gaps = in_network_crs(self._network, facilities).distance(here).to_numpy()
            if gaps.min() <= tolerance_m:
                self.select(str(facilities["facility_id"].iloc[int(np.argmin(gaps))]))
                return
        gap_m = float(nearest_streets(self._network, point)[1][0])
        if not gap_m <= max(tolerance_m, 1.0):
            self._say(term("whatif_not_on_street", lang))
            return
        site = self._new_id()
        if self._try(lambda: self.session.add(site, lon, lat, floor_area_m2=self.size.value, level=self.level.value)):
            self.selected = site
            self._refresh(term("whatif_added", lang, id=site, m2=f"{self.size.value:g}"))

    def select(self, facility_id: str) -> None:
        """Make ``facility_id`` the centre the enlarge, shrink and close buttons act on."""
        row = self._row(facility_id)
        self.selected = str(facility_id)
        self._refresh(
            term(
                "whatif_selected",
                self.language,
                name=row["name"],
                level=value_label(row["level"], self.language),
                m2=f"{float(row['floor_area_m2']):g}",
            )
        )

    def enlarge(self) -> None:
        """Add the step's floor area to the selected centre."""
        self._resize(+1.0)

    def shrink(self) -> None:
        """Take the step's floor area from the selected centre (never to 0 m²: close it instead)."""
        self._resize(-1.0)

    def close(self) -> None:
        """Close the selected centre."""
        if self.selected is None:
            self._say(term("whatif_select_first", self.language))
            return
        closed, self.selected = self.selected, None
        if self._try(lambda: self.session.remove(closed)):
            self._refresh(term("whatif_closed", self.language, id=closed))

    def undo(self) -> None:
        """Take the last edit back."""
        self.session.undo()
        if self.selected is not None and self.selected not in set(self.session.facilities["facility_id"]):
            self.selected = None
        self._refresh(term("whatif_undone", self.language, n=self.session.steps))

    def export(self, folder: str | Path | None = None) -> Path | None:
        """Write the what-if as a scenario (default the folder control's); the path of the scenario file."""
        target = Path(folder if folder is not None else self.folder.value)
        written: list[Path] = []
        if self._try(lambda: written.append(self.session.to_scenario(target))):
            self._say(term("whatif_exported", self.language, path=html.escape(str(written[0]))))
            return written[0]
        return None

    # -- drawing ----------------------------------------------------------------------------------------
    def _refresh(self, message: str | None = None) -> None:
        self._draw_areas()
        self._draw_facilities()
        self.panel.value = self._panel_html()
        if message is not None:
            self._say(message)

    def _draw_areas(self) -> None:
        verdicts = self.session.verdicts
        if self.colour_by.value == "walk":
            classes = np.where(self._no_street, "unreachable", np.where(verdicts["within_walk"], "within", "outside"))
            colours = [WALK_COLORS[c] for c in classes]
            entries = [(WALK_COLORS[k], term(k, self.language)) for k in WALK_COLORS]
        else:
            ok = verdicts["floor_area_ok"]
            colours = [
                NO_FIGURES_COLOR if v is pd.NA else FLOOR_AREA_COLORS["ok" if v else "short"] for v in ok.tolist()
            ]
            entries = [(FLOOR_AREA_COLORS[k], term(k, self.language)) for k in FLOOR_AREA_COLORS]
            entries.append((NO_FIGURES_COLOR, value_label("not_checked", self.language)))
        levels = [(c, value_label(k, self.language)) for k, c in LEVEL_COLORS.items()]
        entries += [*levels, (PROPOSAL_COLOR, term("whatif_added_centre", self.language))]
        if colours != self._area_colours:  # the layer is sent whole: only when a 小区 changes colour
            self._area_colours = colours
            features = [
                {**feature, "properties": {**feature["properties"], "style": _area_style(colour)}}
                for feature, colour in zip(self._areas_geo["features"], colours, strict=True)
            ]
            self._areas_layer.data = {"type": "FeatureCollection", "features": features}
        self.legend.value = "".join(
            f"<div><span style='display:inline-block;width:12px;height:12px;background:{c};margin-right:6px'>"
            f"</span>{html.escape(text)}</div>"
            for c, text in entries
        )

    def _draw_facilities(self) -> None:
        facilities = self.session.facilities
        wgs = facilities.to_crs(WGS84)
        added = facilities.get("proposed", pd.Series(False, index=facilities.index)).fillna(False).to_numpy(bool)
        data = _features(wgs, "facility_id", wgs["name"])
        sizes = facilities["floor_area_m2"].to_numpy(float)
        for feature, level, size, new, fid in zip(
            data["features"], facilities["level"], sizes, added, facilities["facility_id"].astype(str), strict=True
        ):
            chosen = fid == self.selected
            feature["properties"]["style"] = {
                # marker area grows with floor area, as on the Folium maps
                "radius": float(np.clip(4 + np.sqrt(max(size, 0.0)) / 4, 5, 18)),
                "color": "#000000" if chosen else "#ffffff",
                "weight": 4 if chosen else 1.5,
                "fillColor": PROPOSAL_COLOR if new else LEVEL_COLORS.get(str(level), "#000000"),
                "fillOpacity": 0.9,
            }
        self._facilities_layer.data = data

    def _panel_html(self) -> str:
        lang = self.language
        start, now = self.session.start_summary, self.session.summary
        rows = [
            f"<tr><td>{html.escape(column_label(key, lang))}</td><td>{_figure(key, start[key])}</td>"
            f"<td>→</td><td{_changed(start[key], now[key])}>{_figure(key, now[key])}</td></tr>"
            for key in PANEL_KEYS
        ]
        before = self.session.start_rules.set_index("rule")
        after = self.session.rules.set_index("rule")
        for rule in after.index:
            was, is_ = before.loc[rule], after.loc[rule]
            rows.append(
                f"<tr><td>{html.escape(str(is_['number']))} {html.escape(rule_title(rule, lang))}</td>"
                f"<td>{_verdict(was, lang)}</td><td>→</td>"
                f"<td{_changed(was['verdict'], is_['verdict'])}>{_verdict(is_, lang)}</td></tr>"
            )
        head = (
            f"<tr><th></th><th>{html.escape(term('whatif_start', lang))}</th><th></th>"
            f"<th>{html.escape(term('whatif_now', lang))}</th></tr>"
        )
        steps = html.escape(term("whatif_steps", lang, n=self.session.steps))
        return (
            f"<div class='siting-panel'><b>{html.escape(term('whatif_title', lang))}</b> · {steps}"
            f"<table style='font-size:12px'>{head}{''.join(rows)}</table></div>"
        )

    # -- helpers ------------------------------------------------------------------------------------------
    def _on_interaction(self, **event: Any) -> None:
        if event.get("type") == "click":
            lat, lon = event["coordinates"]
            self.click(float(lon), float(lat))

    def _on_hover(self, feature: dict, **_: Any) -> None:
        self.describe(feature["properties"]["id"])

    def describe(self, area_id: str) -> str:
        """Say in the line above the panel what a 小区 has now: households, walk and floor-area verdicts."""
        lang = self.language
        row = self.session.verdicts.set_index("area_id").loc[str(area_id)]
        name = self._areas_geo["features"][self._area_position[str(area_id)]]["properties"]["name"]
        walk = term("within" if row["within_walk"] else "outside", lang)
        if row["floor_area_ok"] is pd.NA:
            floor = value_label("not_checked", lang)
        elif row["floor_area_ok"]:
            floor = term("ok", lang)
        else:
            floor = f"{column_label('shortfall_m2', lang)} {row['shortfall_m2']:,.0f}"
        text = f"{name} · {row['households']:,.0f} {column_label('households', lang)} · {walk} · {floor}"
        self.hover.value = _paragraph(html.escape(text))
        return text

    def _metres_per_pixel(self, lat: float) -> float:
        return _EQUATOR_M_PER_PX * math.cos(math.radians(lat)) / 2 ** float(self.map.zoom)

    def _resize(self, sign: float) -> None:
        if self.selected is None:
            self._say(term("whatif_select_first", self.language))
            return
        chosen = self.selected
        size = float(self._row(chosen)["floor_area_m2"]) + sign * float(self.step.value)
        if size <= 0:
            self._say(term("whatif_too_small", self.language))
            return
        if self._try(lambda: self.session.resize(chosen, size)):
            self._refresh(term("whatif_resized", self.language, id=chosen, m2=f"{size:g}"))

    def _row(self, facility_id: str) -> pd.Series:
        """The facility's row now; an unknown id is refused by the session, naming those there are."""
        return self.session.facilities.iloc[self.session._known(facility_id)]

    def _new_id(self) -> str:
        taken = set(self.session.facilities["facility_id"].astype(str))
        number = 1
        while term("whatif_new_id", self.language, n=number) in taken:
            number += 1
        return term("whatif_new_id", self.language, n=number)

    def _try(self, action: Any) -> bool:
        """Run an edit; a refusal (bad input) is shown in the status line instead of raised."""
        try:
            action()
        except SitingInputError as error:
            self._say(html.escape(str(error)))
            return False
        return True

    def _say(self, text: str) -> None:
        self.status.value = _paragraph(text)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _features(frame: gpd.GeoDataFrame, id_column: str | None, names: pd.Series) -> dict:
    """GeoJSON features of ``frame`` (WGS84) with ``id`` and ``name`` properties."""
    ids = frame[id_column].astype(str).tolist() if id_column else [str(i) for i in range(len(frame))]
    texts = shapely.to_geojson(frame.geometry.to_numpy())
    features = [
        {"type": "Feature", "geometry": json.loads(text), "properties": {"id": fid, "name": name}}
        for text, fid, name in zip(texts, ids, names.astype(str).tolist(), strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _zoom_to_fit(
    west: float, south: float, east: float, north: float, width_px: float = 700, height_px: float = 550
) -> int:
    """The largest Web Mercator zoom showing the bounds (WGS84 degrees) in a map of about that many pixels."""
    squeeze = math.cos(math.radians((south + north) / 2))
    across = math.log2(width_px * 360 / (256 * max(east - west, 1e-6)))
    up = math.log2(height_px * 360 * squeeze / (256 * max(north - south, 1e-6)))
    return int(np.clip(math.floor(min(across, up)), 1, 18))


def _area_style(colour: str) -> dict:
    return {"color": colour, "weight": 1, "fillColor": colour, "fillOpacity": 0.5}


def _figure(key: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if key.startswith("share_"):
        return f"{100 * float(value):.1f}%"
    return f"{float(value):,.0f}"


def _verdict(row: pd.Series, language: str) -> str:
    actual = rule_actual_text(row, language)
    text = value_label(row["verdict"], language)
    return html.escape(f"{text} ({actual})" if actual else text)


def _changed(before: Any, after: Any) -> str:
    return " style='font-weight:bold;color:#b30000'" if before != after else ""


def _paragraph(text: str) -> str:
    return f"<span style='font-size:12px'>{text}</span>"


__all__ = ["PANEL_KEYS", "WhatIfMap"]
