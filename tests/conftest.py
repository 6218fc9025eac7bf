"""Shared fixtures: a hand-built street network whose walking distances are known exactly.

Tests read messages in English (the user's default is Chinese): SITING_LANG is set before siting is
imported, so subprocesses inherit it too. Tests of the Chinese texts ask for them explicitly.
"""

from __future__ import annotations

import os

os.environ.setdefault("SITING_LANG", "en")  # before siting is imported below

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from siting import network

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEMO = ROOT / "data" / "demo_town"
UTM50 = "EPSG:32650"
X0, Y0 = 500_000.0, 4_000_000.0  # a real place in UTM zone 50N (Shandong), so CRS round trips mean something


def at(x: float, y: float) -> tuple[float, float]:
    """Local metres to UTM 50N coordinates."""
    return X0 + x, Y0 + y


def box(x0, y0, x1, y1):
    return shapely.box(*at(x0, y0), *at(x1, y1))


def candidates_at(spec: list[tuple[str, float, float, float]]) -> gpd.GeoDataFrame:
    """Candidate sites from (id, x, y, largest floor area m²), in local metres."""
    return gpd.GeoDataFrame(
        {"candidate_id": [s[0] for s in spec], "name": [s[0] for s in spec], "max_floor_area_m2": [s[3] for s in spec]},
        geometry=[shapely.Point(at(s[1], s[2])) for s in spec],
        crs=UTM50,
    )


def one_centre() -> gpd.GeoDataFrame:
    """One existing 400 m² community centre (F1) beside the fixture's streets, at local (100, 40)."""
    return gpd.GeoDataFrame(
        {"facility_id": ["F1"], "level": ["community"], "floor_area_m2": [400.0]},
        geometry=[shapely.Point(at(100, 40))],
        crs=UTM50,
    )


def gcj02_to_bd09(lon, lat):
    """Baidu's published forward transform, written out here independently of siting.projection."""
    x, y = np.asarray(lon, float), np.asarray(lat, float)
    z = np.hypot(x, y) + 0.00002 * np.sin(y * np.pi * 3000 / 180)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * np.pi * 3000 / 180)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


@pytest.fixture
def t_lines() -> gpd.GeoDataFrame:
    """A T of streets: y=0 from x=0 to 1000, x=500 from y=0 to 600; plus a far piece at y=2000."""
    lines = [
        shapely.LineString([at(0, 0), at(1000, 0)]),
        shapely.LineString([at(500, 0), at(500, 600)]),
        shapely.LineString([at(0, 2000), at(200, 2000)]),
    ]
    return gpd.GeoDataFrame({"name": ["东街", "北街", "孤立路"]}, geometry=lines, crs=UTM50)


@pytest.fixture
def t_network(t_lines):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return network.from_lines(t_lines)


@pytest.fixture
def t_areas() -> gpd.GeoDataFrame:
    """Areas whose walks from facility F1 at (100, 40) are worked out by hand in test_reachability."""
    return gpd.GeoDataFrame(
        {
            "area_id": ["A1", "A2", "A3", "A4", "A5"],
            "households": [100.0, 200.0, 300.0, 400.0, 500.0],
            "status": ["existing"] * 5,
        },
        geometry=[
            box(700, 20, 760, 80),
            box(300, -80, 360, -20),
            box(40, 2020, 100, 2080),
            box(520, 560, 580, 620),
            box(940, -80, 1000, -20),
        ],
        crs=UTM50,
    )


@pytest.fixture
def t_facilities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "facility_id": ["F1", "F2"],
            "name": ["一号中心", "二号站"],
            "level": ["community", "station"],
            "floor_area_m2": [400.0, 150.0],
        },
        geometry=[shapely.Point(at(100, 40)), shapely.Point(at(900, 350))],
        crs=UTM50,
    )


def write_oneway_osm(path: Path) -> None:
    """A 400 m square block with tails; its north street (4→3) is one-way eastward for vehicles."""
    nodes = {1: (0, 0), 2: (400, 0), 3: (400, 400), 4: (0, 400), 5: (-200, 0), 6: (600, 400), 7: (-200, 400)}
    lat0, lon0, m = 36.33, 116.25, 1 / 111_320
    xml = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    for i, (x, y) in nodes.items():
        xml.append(f'<node id="{i}" lat="{lat0 + y * m:.8f}" lon="{lon0 + x * m / np.cos(np.radians(lat0)):.8f}"/>')
    ways = [
        (10, [1, 2], False),
        (11, [2, 3], False),
        (12, [4, 3], True),
        (13, [1, 4], False),
        (14, [5, 1], False),
        (15, [3, 6], False),
        (16, [7, 4], False),
    ]
    for wid, refs, oneway in ways:
        xml.append(
            f'<way id="{wid}">'
            + "".join(f'<nd ref="{r}"/>' for r in refs)
            + '<tag k="highway" v="residential"/>'
            + ('<tag k="oneway" v="yes"/>' if oneway else "")
            + "</way>"
        )
    xml.append('<way id="20"><nd ref="5"/><nd ref="7"/><tag k="waterway" v="river"/></way>')
    xml.append("</osm>")
    path.write_text("\n".join(xml), encoding="utf-8")


def seeded_towns(examples: int):
    """Hypothesis settings of the random-town plan tests: ``examples`` towns, the same ones every run
    (derandomized), each a whole study, so no deadline; the ``t_network`` fixture is shared by them."""
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
