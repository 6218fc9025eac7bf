"""The bundled synthetic demo town (示范县城, 虚构数据), generated reproducibly.

:func:`make_demo_town` writes a small, entirely invented Chinese county seat near Dong'e
(东阿县, Shandong; centre 116.25 E, 36.33 N, about 2.9 km x 2.5 km): an OpenStreetMap XML street
network with a river that only three bridges cross, residential areas (小区) with households,
existing elderly-care facilities (coordinates in GCJ-02, as copied from Amap), candidate sites,
and communities/townships. Nothing in it describes real places, people or facilities.

The town is laid out on a plan grid (metres, x east, y north, origin at the centre) and then bent by
a smooth warp (gentle curves plus a 7 degree rotation) before projection to WGS84, so that streets
are not ruler-straight yet every block, setback and crossing is controlled exactly. A fixed seed,
sorted rows, rounded coordinates and a fixed GeoPackage timestamp make two runs byte-identical.

Run ``python tools/make_demo_town.py data/demo_town`` to rewrite the bundled copy.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import ArrayLike
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, box
from shapely.ops import nearest_points, polygonize, unary_union

from siting.projection import WGS84, wgs84_to_gcj02

SEED = 20240615
CENTER_LON, CENTER_LAT = 116.25, 36.33
TOWN_NAME = "示范县城（虚构数据 / synthetic demo town)"
SYNTHETIC_NOTE_ZH = "虚构数据，仅供演示与测试，不代表任何真实地点、小区或设施。"
SYNTHETIC_NOTE_EN = "Synthetic data for demonstration and tests only; it describes no real place, estate or facility."
#: UTM zone 50N holds the town; the plan grid is laid out in it around the centre.
METRIC_EPSG = 32650
#: Decimal places of written longitudes/latitudes (1e-7 degree is about 1 cm, OSM's own precision).
COORD_DECIMALS = 7
#: GeoPackages store a "last change" time; fixing it keeps regenerated files byte-identical.
GPKG_FIXED_DATE = "2024-01-01T00:00:00Z"
#: Spacing of shape nodes along OSM ways (m), like a hand-digitised street.
SHAPE_NODE_SPACING_M = 45.0

# Plan grid (m). N-S streets at XS, E-W streets at YS; cells between them are blocks.
XS: tuple[float, ...] = (-1480, -1220, -950, -700, -420, -180, 80, 330, 600, 860, 1120, 1400)
YS: tuple[float, ...] = (-1240, -990, -730, -480, -220, 40, 300, 560, 810, 1060, 1250)
RIVER_ROW = 2  # the river runs between YS[2] (滨河南路) and YS[3] (滨河北路)
NEW_DISTRICT_X = 600  # east of 东风路 and north of the river: the new district (新城街道), all areas 新建
SUPERBLOCK_COLS = (9, 10)  # cells east of 新华街 are merged N-S into superblocks
SUPERBLOCK_REMOVED_ROWS = (4, 6, 8)  # E-W branch streets not built in the new district
BRIDGES = {6: ("primary", "铜城路"), 8: ("footway", "柳河人行桥"), 10: ("primary", "新城大道")}

# (highway, name or None, oneway) per N-S line i and per E-W line j.
NS_STREETS = (
    ("tertiary", "西环路", False),
    ("residential", None, False),
    ("secondary", "青年路", False),
    ("residential", "文昌街", False),
    ("secondary", "建设路", False),
    ("tertiary", "府前街", True),
    ("primary", "铜城路", False),
    ("tertiary", "育才街", False),
    ("secondary", "东风路", False),
    ("tertiary", "新华街", False),
    ("primary", "新城大道", False),
    ("tertiary", "东环路", False),
)
EW_STREETS = (
    ("tertiary", "南环路", False),
    ("residential", "前营街", False),
    ("tertiary", "滨河南路", False),
    ("secondary", "滨河北路", False),
    ("residential", "商业街", True),
    ("primary", "人民路", False),
    ("tertiary", "光明街", False),
    ("secondary", "振华路", False),
    ("residential", "和平街", False),
    ("secondary", "北环路", False),
    ("residential", None, False),
)
ALLEY_NAMES = (
    "槐树巷",
    "石板巷",
    "油坊巷",
    "井巷",
    "丁字巷",
    "后营巷",
    "学堂巷",
    "马家巷",
    "钟楼巷",
    "染坊巷",
    "仓巷",
    "菜园巷",
    "东胡同",
    "西胡同",
    "杨家巷",
    "刘家巷",
)

OLD_AREA_NAMES = (
    "阳光花园",
    "鲁西新村",
    "东关小区",
    "西关小区",
    "南关小区",
    "北关新村",
    "铜城小区",
    "凤凰苑",
    "富民小区",
    "幸福家园",
    "和谐家园",
    "文化苑",
    "建设小区",
    "人民小区",
    "府前小区",
    "滨河花园",
    "柳园小区",
    "桃园新村",
    "杏林小区",
    "翠园小区",
    "供电公司宿舍",
    "粮食局家属院",
    "实验中学家属院",
    "人民医院家属院",
    "农机公司宿舍",
    "税务局宿舍",
    "邮电小区",
    "棉纺厂宿舍",
    "化肥厂生活区",
    "教育局家属院",
    "交通局宿舍",
    "水利局家属院",
    "银行宿舍",
    "工商小区",
    "商业局宿舍",
    "财政局家属院",
    "文昌小区",
    "育才小区",
    "振华小区",
    "光明小区",
    "和平小区",
    "青年小区",
    "府西小区",
    "府东小区",
    "东方小区",
    "太平小区",
    "兴隆小区",
    "金水花园",
    "银河小区",
    "明珠花园",
    "泰和苑",
    "康乐小区",
    "长青小区",
    "平安小区",
    "丰收小区",
    "向阳小区",
    "红旗小区",
    "胜利小区",
    "团结小区",
    "朝阳小区",
    "华苑小区",
    "锦华小区",
    "东升小区",
    "永安小区",
    "吉祥小区",
    "槐荫小区",
    "石油公司宿舍",
    "建筑公司宿舍",
    "酒厂宿舍",
    "王庄新村",
    "前营新村",
    "李家庄小区",
    "柳河村安置小区",
    "河南小区",
    "后营新村",
    "南苑小区",
)
NEW_AREA_NAMES = (
    "御景华府",
    "书香名苑",
    "盛世华庭",
    "锦绣东城",
    "金色阳光城",
    "东湖壹号",
    "新城花园",
    "翡翠华庭",
    "鑫源名郡",
    "天润华府",
    "尚品华庭",
    "君悦府",
    "玉兰苑",
    "紫荆苑",
    "恒远新城",
    "东方名都",
    "清河湾",
    "凤鸣苑",
    "博雅苑",
    "香榭丽都",
    "颐景园",
    "中央公园",
    "学府花园",
    "未来城",
    "东湖湾",
    "新华苑",
)

# Existing facilities: (name, level, floor area m2, beds, plan x, plan y). Placed in the old town and
# one south-central centre, so the new eastern district and the river-cut south-west lack service.
FACILITIES = (
    ("示范县社会福利中心", "县级养老机构", 9800, 260, -1190, 340),
    ("凤城街道综合养老服务中心", "乡镇(街道)综合养老服务中心", 1350, 50, -150, 80),
    ("柳河镇综合养老服务中心", "乡镇(街道)综合养老服务中心", 520, 20, 360, -960),
    ("西关社区养老服务中心", "社区养老服务中心", 680, 12, -900, -440),
    ("北关社区养老服务中心", "社区养老服务中心", 450, 8, -150, 850),
    ("文昌社区养老服务中心", "社区养老服务中心", 260, 0, -680, 600),
    ("东关社区养老服务中心", "社区养老服务中心", 380, 6, 110, -300),
    ("府前社区养老服务中心", "社区养老服务中心", 320, 0, -450, 200),
    ("和平养老服务站", "养老服务站", 150, 0, -1000, 1000),
    ("光明养老服务站", "养老服务站", 180, 0, 200, 600),
    ("商业街养老服务站", "养老服务站", 320, 0, -650, -150),
    ("振华养老服务站", "养老服务站", 360, 0, -430, 900),
)

# What each facility offers (服务内容; 助餐 = meals, 托养 = residential care, whose beds count as
# institutional beds) and its beds by type (护理型床位 nursing-type, 认知障碍照护床位 dementia care).
FACILITY_SERVICES = {
    "示范县社会福利中心": ("长期托养;失智照护;医养结合", 190, 30),
    "凤城街道综合养老服务中心": ("助餐;日间照料;短期托养;上门服务", 22, 0),
    "柳河镇综合养老服务中心": ("助餐;日间照料;长期托养", 8, 0),
    "西关社区养老服务中心": ("助餐;日间照料", 0, 0),
    "北关社区养老服务中心": ("日间照料;上门服务", 0, 0),
    "文昌社区养老服务中心": ("日间照料", 0, 0),
    "东关社区养老服务中心": ("助餐;日间照料", 0, 0),
    "府前社区养老服务中心": ("日间照料;文体活动", 0, 0),
    "和平养老服务站": ("上门服务", 0, 0),
    "光明养老服务站": ("幸福食堂", 0, 0),
    "商业街养老服务站": ("日间照料", 0, 0),
    "振华养老服务站": ("上门服务", 0, 0),
}

# Candidate sites: (name, maximum floor area m2 or None, plan x, plan y).
CANDIDATES = (
    ("原粮站闲置地块", 2000, -1100, -1100),
    ("柳河镇文化站", 600, -650, -880),
    ("王庄村委会旧址", 450, -1185, -1025),
    ("东湖社区服务中心（规划）", 800, 1000, -100),
    ("新城大道东侧空地", 1500, 1250, 180),
    ("新华街商业用房", 600, 880, 700),
    ("御景华府配套用房", None, 1150, 900),
    ("东风路原农机站", 1200, 620, -200),
    ("北环路闲置厂房", 2500, 400, 1100),
    ("文昌社区服务中心二楼", 400, -690, 350),
    ("老干部活动中心", 800, -200, 320),
    ("西关小学旧址", 1800, -1200, -300),
    ("滨河公园管理用房", 300, 250, -505),
    ("人民医院旧门诊楼", None, 100, 60),
    ("南关农贸市场二层", 700, -100, -950),
    ("前营村闲置小学", 1600, 750, -1100),
    ("东关社区服务用房", 500, 350, -300),
    ("新城街道办事处配套楼", None, 900, 1100),
    ("光明街社区用房", 350, -450, 650),
    ("供销社旧址", 1000, -900, 50),
    ("府前社区综合服务楼", 600, -60, -100),
)
#: Candidates in an estate's own buildings (配套用房): their block is not kept free of housing.
IN_ESTATE = ("府前社区综合服务楼",)

TOWNSHIPS = ("凤城街道", "新城街道", "柳河镇")  # in report order
TOWNSHIP_TYPES = {"凤城街道": "街道", "新城街道": "街道", "柳河镇": "镇"}
# 柳河镇's two outlying communities are rural (农村社区, villages merged into a community); the rest urban.
RURAL_COMMUNITIES = ("王庄社区", "前营社区")
# Community boundaries on the plan: the river, and these streets (建设路, 铜城路, 东风路; 光明街).
WEST_X, CENTRAL_X, EAST_X, NORTH_Y = -420, 80, NEW_DISTRICT_X, 300


def _community_of(x: float, y: float, south_of_river: bool) -> tuple[str, str]:
    """(社区名称, 街道名称) of a plan point."""
    if south_of_river:
        name = "王庄社区" if x < WEST_X else ("柳河社区" if x < EAST_X else "前营社区")
        return name, "柳河镇"
    if x > EAST_X:
        return ("东湖社区" if y < NORTH_Y else "新华社区"), "新城街道"
    column = 0 if x < WEST_X else (1 if x < CENTRAL_X else 2)
    names = (("西关社区", "文昌社区"), ("府前社区", "北关社区"), ("东关社区", "育才社区"))
    return names[column][int(y >= NORTH_Y)], "凤城街道"


def _river_y(x: np.ndarray) -> np.ndarray:
    """Plan y (m) of the river centreline: a meander inside the band between the two river roads."""
    return -605 + 60 * np.sin(x / 450 + 1.0) + 15 * np.sin(x / 170)


def _river_points() -> list[tuple[float, float]]:
    """The river centreline on the plan, a vertex every 40 m, running past both town edges."""
    xs = np.arange(-1700, 1701, 40.0)
    return [(float(x), float(y)) for x, y in zip(xs, _river_y(xs), strict=True)]


def _warp(xy: np.ndarray) -> np.ndarray:
    """Plan metres to local metric metres: gentle curves, then a 7 degree rotation about the centre."""
    x, y = xy[:, 0], xy[:, 1]
    xc = x + 35 * np.sin(y / 700 + 0.4)
    yc = y + 25 * np.sin(x / 900 - 0.3)
    theta = math.radians(7)
    return np.column_stack([xc * math.cos(theta) - yc * math.sin(theta), xc * math.sin(theta) + yc * math.cos(theta)])


class _Frame:
    """Plan coordinates to metric (UTM 50N) and WGS84 longitude/latitude."""

    def __init__(self) -> None:
        to_utm = Transformer.from_crs(WGS84, f"EPSG:{METRIC_EPSG}", always_xy=True)
        self.origin = np.array(to_utm.transform(CENTER_LON, CENTER_LAT))
        self._to_lonlat = Transformer.from_crs(f"EPSG:{METRIC_EPSG}", WGS84, always_xy=True)

    def metric(self, xy: np.ndarray) -> np.ndarray:
        return _warp(np.asarray(xy, dtype=float).reshape(-1, 2)) + self.origin

    def metric_to_lonlat(self, xy: ArrayLike) -> np.ndarray:
        m = np.asarray(xy, dtype=float).reshape(-1, 2)
        lon, lat = self._to_lonlat.transform(m[:, 0], m[:, 1])
        return np.round(np.column_stack([lon, lat]), COORD_DECIMALS)

    def lonlat(self, xy: np.ndarray) -> np.ndarray:
        return self.metric_to_lonlat(self.metric(xy))

    def geometry(self, geom, *, metric: bool = False):
        """Plan geometry, densified to 10 m so the warp bends it, in metric or WGS84 coordinates."""
        dense = shapely.segmentize(geom, 10.0)
        return shapely.transform(dense, self.metric if metric else self.lonlat)


@dataclass
class _Way:
    points: list[tuple[float, float]]  # plan coordinates; junctions are shared through the registry
    tags: dict[str, str]
    shared: bool = True  # False: nodes are the way's own (river, detached fragment)


@dataclass
class _Layout:
    """Everything decided on the plan grid before coordinates are produced."""

    h_exists: np.ndarray  # (len(XS)-1, len(YS)) horizontal segment i->i+1 on line j
    v_exists: np.ndarray  # (len(XS), len(YS)-1) vertical segment j->j+1 on line i
    extra: dict[tuple[str, int, int], list[float]] = field(default_factory=dict)
    alleys: list[_Way] = field(default_factory=list)
    areas: list[dict] = field(default_factory=list)


def _segments_connected(h: np.ndarray, v: np.ndarray) -> bool:
    """Whether the grid junctions used by existing segments form one connected piece."""
    nx_, ny_ = len(XS), len(YS)
    parent = list(range(nx_ * ny_))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    used = set()
    for i, j in zip(*np.nonzero(h), strict=True):
        a, b = i * ny_ + j, (i + 1) * ny_ + j
        parent[find(a)] = find(b)
        used |= {a, b}
    for i, j in zip(*np.nonzero(v), strict=True):
        a, b = i * ny_ + j, i * ny_ + j + 1
        parent[find(a)] = find(b)
        used |= {a, b}
    return len({find(a) for a in used}) == 1


def _street_grid(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    h = np.ones((len(XS) - 1, len(YS)), dtype=bool)
    v = np.ones((len(XS), len(YS) - 1), dtype=bool)
    v[:, RIVER_ROW] = False
    for i in BRIDGES:
        v[i, RIVER_ROW] = True
    for i in SUPERBLOCK_COLS:
        h[i, list(SUPERBLOCK_REMOVED_ROWS)] = False
    # A few branch segments were never built: T-junctions and a ragged edge, as in real towns.
    arterial_ns = {i for i, s in enumerate(NS_STREETS) if s[0] in ("primary", "secondary")}
    arterial_ew = {j for j, s in enumerate(EW_STREETS) if s[0] in ("primary", "secondary")}
    options = [
        ("h", i, j)
        for i in range(h.shape[0])
        for j in range(h.shape[1])
        if h[i, j] and j not in arterial_ew and j not in (RIVER_ROW, RIVER_ROW + 1)
    ]
    options += [
        ("v", i, j)
        for i in range(v.shape[0])
        for j in range(v.shape[1])
        if v[i, j] and i not in arterial_ns and j != RIVER_ROW and XS[i] <= NEW_DISTRICT_X
    ]
    removed = 0
    for k in rng.permutation(len(options)):
        kind, i, j = options[k]
        grid = h if kind == "h" else v
        grid[i, j] = False
        if _segments_connected(h, v):
            removed += 1
            if removed == 12:
                break
        else:
            grid[i, j] = True
    return h, v


def _blocks() -> list[tuple[int, int, int]]:
    """Blocks as (column i, first row j, last row j); superblocks span several rows."""
    out = []
    for i in range(len(XS) - 1):
        j = 0
        while j < len(YS) - 1:
            j_end = j
            if i in SUPERBLOCK_COLS and j > RIVER_ROW:
                while j_end + 1 in SUPERBLOCK_REMOVED_ROWS:
                    j_end += 1
            if j != RIVER_ROW:
                out.append((i, j, j_end))
            j = j_end + 1
    return out


def _segment_at(layout: _Layout, orient: str, line: int, coord: float) -> tuple[str, int, int] | None:
    """The existing grid segment on line ``line`` holding the plan coordinate ``coord``."""
    stops = YS if orient == "v" else XS
    k = int(np.searchsorted(stops, coord)) - 1
    grid = layout.v_exists if orient == "v" else layout.h_exists
    key = (orient, line, k) if orient == "v" else (orient, k, line)
    return key if grid[key[1], key[2]] else None


def _split_block(
    layout: _Layout,
    block: tuple[int, int, int],
    inner: tuple[float, float, float, float],
    north_south: bool,
    at: float,
    gap: float,
    highway: str,
) -> list[tuple] | None:
    """Run an alley across a block at plan coordinate ``at`` and return the two estate rectangles
    either side of it (``gap`` m from its centreline), or None when a street it would join is missing."""
    i, j0, j1 = block
    x0, x1, y0, y1 = XS[i], XS[i + 1], YS[j0], YS[j1 + 1]
    ix0, ix1, iy0, iy1 = inner
    if north_south:
        a, b = _segment_at(layout, "h", j0, at), _segment_at(layout, "h", j1 + 1, at)
        start, end = (at, y0), (at, y1)
        parts = [(ix0, at - gap, iy0, iy1), (at + gap, ix1, iy0, iy1)]
    else:
        a, b = _segment_at(layout, "v", i, at), _segment_at(layout, "v", i + 1, at)
        start, end = (x0, at), (x1, at)
        parts = [(ix0, ix1, iy0, at - gap), (ix0, ix1, at + gap, iy1)]
    if not (a and b):
        return None
    layout.extra.setdefault(a, []).append(at)
    layout.extra.setdefault(b, []).append(at)
    tags = {"highway": highway}
    if highway == "residential":
        named = sum(w.tags["highway"] == "residential" for w in layout.alleys)
        tags["name"] = ALLEY_NAMES[named % len(ALLEY_NAMES)]
    layout.alleys.append(_Way([start, end], tags))
    return parts


def _area_shape(rng: np.random.Generator, x0: float, x1: float, y0: float, y1: float) -> Polygon:
    """A residential area inside a rectangle: sometimes cut short or L-shaped (shops, a school)."""
    shape = box(x0, y0, x1, y1)
    kind = rng.random()
    if kind < 0.25:
        side = rng.integers(4)
        cut = rng.uniform(0.25, 0.4)
        w, h = x1 - x0, y1 - y0
        shape = (
            box(x0 + cut * w, y0, x1, y1),
            box(x0, y0, x1 - cut * w, y1),
            box(x0, y0 + cut * h, x1, y1),
            box(x0, y0, x1, y1 - cut * h),
        )[side]
    elif kind < 0.5:
        cx, cy = rng.uniform(0.3, 0.45) * (x1 - x0), rng.uniform(0.3, 0.45) * (y1 - y0)
        corner = rng.integers(4)
        bx = (
            (x0, y0, x0 + cx, y0 + cy)
            if corner == 0
            else (x1 - cx, y0, x1, y0 + cy)
            if corner == 1
            else (x0, y1 - cy, x0 + cx, y1)
            if corner == 2
            else (x1 - cx, y1 - cy, x1, y1)
        )
        shape = shape.difference(box(*bx))
    return shapely.normalize(shape)


def _lay_out(rng: np.random.Generator) -> _Layout:
    h, v = _street_grid(rng)
    layout = _Layout(h, v)
    # vacant/public parcels stay free of housing
    reserved = {(c[2], c[3]) for c in CANDIDATES if c[0] not in IN_ESTATE}

    def setback() -> float:
        return float(rng.uniform(8, 20))

    for i, j0, j1 in _blocks():
        x0, x1, y0, y1 = XS[i], XS[i + 1], YS[j0], YS[j1 + 1]
        south = j1 < RIVER_ROW
        new = x0 >= NEW_DISTRICT_X and not south
        nonres_share = 0.05 if new else 0.2
        inner = (x0 + setback(), x1 - setback(), y0 + setback(), y1 - setback())
        if any(x0 < px < x1 and y0 < py < y1 for px, py in reserved) and not new:
            continue
        if rng.random() < nonres_share:
            continue  # school, offices, market, park, fields
        if i in SUPERBLOCK_COLS and j1 > j0:
            # a service road splits a superblock into two estates
            ym = round(float((y0 + y1) / 2 + rng.uniform(-40, 40)))
            parts = _split_block(layout, (i, j0, j1), inner, False, ym, rng.uniform(6, 10), "service")
            if parts is None:
                raise AssertionError(f"superblock {i}, {j0}: a street its service road joins is missing")
        elif not new and rng.random() < 0.4:
            highway = ("footway", "residential", "service")[int(rng.choice(3, p=(0.5, 0.25, 0.25)))]
            gap = rng.uniform(6, 10)
            north_south = bool(rng.random() < 0.5)
            mid = (x0 + x1) / 2 if north_south else (y0 + y1) / 2
            at = round(float(mid + rng.uniform(-30, 30)))
            parts = _split_block(layout, (i, j0, j1), inner, north_south, at, gap, highway) or [inner]
        else:
            parts = [inner]
        for px0, px1, py0, py1 in parts:
            layout.areas.append({"plan": _area_shape(rng, px0, px1, py0, py1), "new": new})
    return layout


def _street_ways(layout: _Layout) -> list[_Way]:
    """Maximal runs of existing grid segments per street line, split at bridges."""
    ways = []

    def emit(points: list[tuple[float, float]], highway: str, name: str | None, oneway: bool, bridge: bool) -> None:
        tags = {"highway": highway}
        if name:
            tags["name"] = name
        if oneway:
            tags["oneway"] = "yes"
        if bridge:
            tags |= {"bridge": "yes", "layer": "1"}
        ways.append(_Way(points, tags))

    for i, (highway, name, oneway) in enumerate(NS_STREETS):
        run: list[tuple[float, float]] = []
        for j in range(len(YS) - 1):
            is_bridge = j == RIVER_ROW and i in BRIDGES
            if not layout.v_exists[i, j] or is_bridge:
                if len(run) > 1:
                    emit(run, highway, name, oneway, False)
                run = []
            if not layout.v_exists[i, j]:
                continue
            seg = (
                [(XS[i], YS[j])]
                + [(XS[i], y) for y in sorted(layout.extra.get(("v", i, j), []))]
                + [(XS[i], YS[j + 1])]
            )
            if is_bridge:
                bridge_highway, bridge_name = BRIDGES[i]
                emit(seg, bridge_highway, bridge_name, False, True)
                continue
            run = run + seg[1:] if run else seg
        if len(run) > 1:
            emit(run, highway, name, oneway, False)
    for j, (highway, name, oneway) in enumerate(EW_STREETS):
        run = []
        for i in range(len(XS) - 1):
            if not layout.h_exists[i, j]:
                if len(run) > 1:
                    emit(run, highway, name, oneway, False)
                run = []
                continue
            seg = (
                [(XS[i], YS[j])]
                + [(x, YS[j]) for x in sorted(layout.extra.get(("h", i, j), []))]
                + [(XS[i + 1], YS[j])]
            )
            run = run + seg[1:] if run else seg
        if len(run) > 1:
            emit(run, highway, name, oneway, False)
    return ways


def _densify(points: list[tuple[float, float]]) -> list[tuple[tuple[float, float], bool]]:
    """Points with shape nodes every <= SHAPE_NODE_SPACING_M; flag True marks the given (junction) points."""
    out = [(points[0], True)]
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        n = max(1, math.ceil(math.hypot(bx - ax, by - ay) / SHAPE_NODE_SPACING_M))
        out += [((ax + (bx - ax) * k / n, ay + (by - ay) * k / n), False) for k in range(1, n)]
        out.append(((bx, by), True))
    return out


def _osm_xml(ways: list[_Way], frame: _Frame) -> tuple[str, dict[int, tuple[float, float]], list[list[int]]]:
    """OSM XML text, node id -> plan point, and each way's node ids."""
    registry: dict[tuple[float, float], int] = {}
    plan: dict[int, tuple[float, float]] = {}
    way_nodes = []
    for way in ways:
        ids = []
        for point, junction in _densify(way.points) if way.shared else [(p, False) for p in way.points]:
            key = (round(point[0], 1), round(point[1], 1))
            if junction and way.shared and key in registry:
                ids.append(registry[key])
                continue
            node_id = len(plan) + 1
            plan[node_id] = point
            if junction and way.shared:
                registry[key] = node_id
            ids.append(node_id)
        way_nodes.append(ids)
    node_ids = np.array(sorted(plan))
    lonlat = frame.lonlat(np.array([plan[k] for k in node_ids]))
    lon_min, lat_min = lonlat.min(axis=0)
    lon_max, lat_max = lonlat.max(axis=0)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<osm version="0.6" generator="siting tools/make_demo_town.py (synthetic: {TOWN_NAME})">',
        f'  <bounds minlat="{lat_min:.7f}" minlon="{lon_min:.7f}" maxlat="{lat_max:.7f}" maxlon="{lon_max:.7f}"/>',
    ]
    lines += [
        f'  <node id="{k}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>'
        for k, (lon, lat) in zip(node_ids, lonlat, strict=True)
    ]
    for way_id, (way, ids) in enumerate(zip(ways, way_nodes, strict=True), start=1):
        lines.append(f'  <way id="{way_id}" version="1">')
        lines += [f'    <nd ref="{k}"/>' for k in ids]
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in sorted(way.tags.items())]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n", plan, way_nodes


def _fragment_and_river() -> list[_Way]:
    river = _Way(_river_points(), {"waterway": "river", "name": "柳河（虚构）"}, shared=False)
    # A farm track beyond the east edge that touches no street: dropped as a disconnected part.
    fragment = _Way(
        [(1480.0, 1130.0), (1520.0, 1170.0), (1575.0, 1190.0), (1620.0, 1240.0)],
        {"highway": "service", "name": "小王庄机耕路"},
        shared=False,
    )
    return [river, fragment]


def _round_geometry(geom):
    return shapely.set_precision(geom, 10.0**-COORD_DECIMALS, mode="pointwise")


def _write_gpkg(frames: list[tuple[gpd.GeoDataFrame, str, str]], path: Path) -> None:
    """Write layers to one GeoPackage, replacing it, with a fixed timestamp for byte-identical files."""
    from siting.report import fixed_gpkg_date

    path.unlink(missing_ok=True)
    with fixed_gpkg_date(GPKG_FIXED_DATE):
        for gdf, layer, description in frames:
            pyogrio.write_dataframe(
                gdf,
                path,
                layer=layer,
                driver="GPKG",
                append=path.exists(),
                layer_options={"IDENTIFIER": f"{layer}（虚构数据 / synthetic）", "DESCRIPTION": description},
            )


def _households(rng: np.random.Generator, area_m2: float, new: bool) -> int:
    # floor-area ratio and dwelling size typical of county towns: walk-ups in old estates, high-rise in new
    far = rng.uniform(1.8, 2.4) if new else rng.uniform(0.9, 1.6)
    unit_m2 = 115 if new else 95
    return int(np.clip(round(area_m2 * far / unit_m2), 150, 1500))


def build_demo_town() -> dict:
    """Generate the demo town in memory.

    Returns
    -------
    dict
        ``osm_xml`` (str), ``areas``, ``entrances``, ``candidates``, ``communities``, ``townships``
        (GeoDataFrames, EPSG:4326), ``facilities`` (DataFrame with GCJ-02 ``lon``/``lat``),
        ``facilities_wgs84`` (the same points in WGS84, before the GCJ-02 shift) and ``osm_stats``.
    """
    rng = np.random.default_rng(SEED)
    frame = _Frame()
    layout = _lay_out(rng)
    ways = _street_ways(layout) + layout.alleys + _fragment_and_river()
    osm_xml, node_plan, way_nodes = _osm_xml(ways, frame)

    # Street centrelines in metric coordinates: the setback and gate checks below use them.
    lines = {
        way_id: LineString(frame.metric(np.array([node_plan[k] for k in ids])))
        for way_id, (way, ids) in enumerate(zip(ways, way_nodes, strict=True))
        if "highway" in way.tags
    }
    streets = shapely.union_all(list(lines.values()))
    car_streets = shapely.union_all([line for k, line in lines.items() if ways[k].tags["highway"] != "footway"])
    river_plan = LineString(_river_points())

    # Residential areas: ids numbered north to south, west to east, like a planner's table.
    order = sorted(
        range(len(layout.areas)),
        key=lambda k: (-round(layout.areas[k]["plan"].centroid.y, -1), layout.areas[k]["plan"].centroid.x),
    )
    areas = [layout.areas[k] for k in order]
    old_names = list(rng.permutation(OLD_AREA_NAMES))
    new_names = list(rng.permutation(NEW_AREA_NAMES))
    rows = []
    for n, area in enumerate(areas, start=1):
        metric = frame.geometry(area["plan"], metric=True)
        if metric.distance(streets) < 5.0 or area["plan"].intersects(river_plan.buffer(15)):
            raise AssertionError(f"area {n} lies within 5 m of a street or 15 m of the river")
        households = _households(rng, metric.area, area["new"])
        population = round(households * rng.uniform(2.55, 2.95))
        elderly_share = rng.uniform(0.18, 0.21) if area["new"] else rng.uniform(0.20, 0.25)
        rows.append(
            {
                "小区编号": f"XQ{n:03d}",
                "小区名称": (new_names if area["new"] else old_names).pop(0),
                "总户数": households,
                "类型": "新建" if area["new"] else "已建",
                "人口": population,
                "老年人口": round(population * elderly_share),
                "metric": metric,
                "geometry": _round_geometry(frame.geometry(area["plan"])),
            }
        )
    existing = [k for k, r in enumerate(rows) if r["类型"] == "已建"]
    for k in sorted(rng.choice(existing, size=4, replace=False)):
        rows[k]["总户数"] = pd.NA  # surveyed population only: households must be estimated

    # Gates for about a third of the areas, on the side facing the nearest street a car can use.
    gated = sorted(rng.choice(len(rows), size=len(rows) // 3, replace=False))
    gates = []
    for k in gated:
        metric = rows[k]["metric"]
        street_point = nearest_points(metric.centroid, car_streets)[1]
        ring = metric.exterior
        gate = ring.interpolate(ring.project(street_point))
        gates.append({"小区编号": rows[k]["小区编号"], "geometry": Point(frame.metric_to_lonlat([gate.x, gate.y])[0])})

    area_gdf = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k != "metric"} for r in rows], geometry="geometry", crs=WGS84
    )
    area_gdf["总户数"] = area_gdf["总户数"].astype("Int64")
    entrances = gpd.GeoDataFrame(gates, geometry="geometry", crs=WGS84)

    fac_plan = np.array([(f[4], f[5]) for f in FACILITIES], dtype=float)
    fac_wgs = frame.lonlat(fac_plan)
    gcj_lon, gcj_lat = wgs84_to_gcj02(fac_wgs[:, 0], fac_wgs[:, 1])
    facilities = pd.DataFrame(
        {
            "编号": [f"F{n:02d}" for n in range(1, len(FACILITIES) + 1)],
            "名称": [f[0] for f in FACILITIES],
            "等级": [f[1] for f in FACILITIES],
            "建筑面积": [f[2] for f in FACILITIES],
            "床位": [f[3] for f in FACILITIES],
            "护理型床位": [FACILITY_SERVICES[f[0]][1] for f in FACILITIES],
            "认知障碍照护床位": [FACILITY_SERVICES[f[0]][2] for f in FACILITIES],
            "服务内容": [FACILITY_SERVICES[f[0]][0] for f in FACILITIES],
            "lon": np.round(gcj_lon, COORD_DECIMALS),
            "lat": np.round(gcj_lat, COORD_DECIMALS),
        }
    )
    facilities_wgs84 = gpd.GeoDataFrame(facilities[["编号"]].copy(), geometry=shapely.points(fac_wgs), crs=WGS84)

    cand_plan = np.array([(c[2], c[3]) for c in CANDIDATES], dtype=float)
    candidates = gpd.GeoDataFrame(
        {
            "编号": [f"C{n:02d}" for n in range(1, len(CANDIDATES) + 1)],
            "名称": [c[0] for c in CANDIDATES],
            "最大建筑面积": pd.array([c[1] for c in CANDIDATES], dtype="Int64"),
        },
        geometry=shapely.points(frame.lonlat(cand_plan)),
        crs=WGS84,
    )
    for label, pts in (("facility", fac_plan), ("candidate", cand_plan)):
        d = shapely.distance(shapely.points(frame.metric(pts)), streets)
        if d.min() < 8.0:
            raise AssertionError(f"a {label} lies on a street ({np.round(d, 1)} m)")

    communities, townships = _communities(frame, river_plan)
    return {
        "osm_xml": osm_xml,
        "areas": area_gdf,
        "entrances": entrances,
        "facilities": facilities,
        "facilities_wgs84": facilities_wgs84,
        "candidates": candidates,
        "communities": communities,
        "townships": townships,
        "osm_stats": {"nodes": len(node_plan), "ways": len(ways)},
    }


def _communities(frame: _Frame, river_plan: LineString) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Community polygons tiling the town, bounded by the river and a few arterials, and their townships."""
    x_min, x_max, y_min, y_max = XS[0] - 40, XS[-1] + 40, YS[0] - 40, YS[-1] + 40
    lines = [
        box(x_min, y_min, x_max, y_max).exterior,
        river_plan,
        LineString([(WEST_X, y_min), (WEST_X, y_max)]),
        LineString([(EAST_X, y_min), (EAST_X, y_max)]),
        # starts on the river's south side; the dangling stub is dropped by polygonize
        LineString([(CENTRAL_X, YS[RIVER_ROW]), (CENTRAL_X, y_max)]),
        LineString([(x_min, NORTH_Y), (x_max, NORTH_Y)]),
    ]
    # densify before noding so that neighbours share exactly the same vertices after the warp
    noded = unary_union([shapely.segmentize(line, 20.0) for line in lines])
    outline = box(x_min, y_min, x_max, y_max)
    rows = []
    for polygon in polygonize(noded):
        point = polygon.representative_point()
        if not outline.contains(point):
            continue
        south = point.y < float(_river_y(np.array([point.x]))[0])
        name, township = _community_of(point.x, point.y, south)
        rows.append(
            {
                "社区名称": name,
                "社区类型": "社区",
                "城乡": "农村" if name in RURAL_COMMUNITIES else "城镇",
                "街道名称": township,
                "乡镇类型": TOWNSHIP_TYPES[township],
                "geometry": _round_geometry(shapely.transform(polygon, frame.lonlat)),
            }
        )
    communities = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    communities = communities.sort_values(
        ["街道名称", "社区名称"],
        key=lambda s: s.map({t: k for k, t in enumerate(TOWNSHIPS)}) if s.name == "街道名称" else s,
    ).reset_index(drop=True)
    if communities["社区名称"].duplicated().any():
        raise AssertionError("two community polygons got the same name")
    townships = communities.dissolve("街道名称", sort=False).reset_index()[["街道名称", "乡镇类型", "geometry"]]
    townships["geometry"] = _round_geometry(townships.geometry.values)
    return communities, townships


def _readme(town: dict) -> str:
    areas, facilities = town["areas"], town["facilities"]
    n_new = int((areas["类型"] == "新建").sum())
    levels = facilities["等级"].value_counts()
    level_text = "、".join(
        f"{level} {int(levels.get(level, 0))} 处"
        for level in ("县级养老机构", "乡镇(街道)综合养老服务中心", "社区养老服务中心", "养老服务站")
    )
    return f"""# {TOWN_NAME}

**虚构数据 — SYNTHETIC DATA.** {SYNTHETIC_NOTE_ZH}
{SYNTHETIC_NOTE_EN}

这是一个虚构的县城（位置借用山东省东阿县城附近，中心约 东经 {CENTER_LON}°、北纬 {CENTER_LAT}°，范围约 2.9 km × 2.5 km），
用于 `siting` 的演示、教程与测试。街道名、小区名、设施名、社区与街道（乡镇）名称全部是编造的：
凤城街道、新城街道、柳河镇以及河流“柳河”均不存在于真实的东阿县。

An invented county seat placed near Dong'e county seat (Shandong; centre about {CENTER_LON} E,
{CENTER_LAT} N; about 2.9 km x 2.5 km), used by the `siting` demo, tutorials and tests. Every street,
estate, facility, community and township name is made up; 凤城街道 (Fengcheng street), 新城街道
(Xincheng street), 柳河镇 (Liuhe town) and the river 柳河 do not exist in the real Dong'e county.

Generated by `python tools/make_demo_town.py data/demo_town` (code: `tools/make_demo_town.py`, seed {SEED}); running it
again gives byte-identical files. Do not edit these files by hand: change the generator instead.

## Files / 文件

| File | Layer | Content | CRS |
|---|---|---|---|
| `roads.osm` | – | OpenStreetMap XML 0.6: {town["osm_stats"]["nodes"]} nodes, {town["osm_stats"]["ways"]} ways (streets, alleys, 3 bridges, the river, a detached farm track) | WGS84 (EPSG:4326) |
| `xiaoqu.gpkg` | `xiaoqu` | {len(areas)} residential areas (小区), polygons | EPSG:4326 |
| `xiaoqu.gpkg` | `entrances` | {len(town["entrances"])} gates (小区出入口) of {town["entrances"]["小区编号"].nunique()} areas, points on the area boundary | EPSG:4326 |
| `facilities.csv` | – | {len(facilities)} existing elderly-care facilities, `lon`/`lat` in **GCJ-02** (as copied from Amap) | **GCJ-02** |
| `candidates.gpkg` | `candidates` | {len(town["candidates"])} candidate sites, points | EPSG:4326 |
| `communities.gpkg` | `communities` | {len(town["communities"])} communities (社区), polygons tiling the town | EPSG:4326 |
| `communities.gpkg` | `townships` | {len(town["townships"])} townships/streets (街道/镇), the dissolve of their communities | EPSG:4326 |
| `metadata.json` | – | machine-readable summary, marked `"synthetic": true` | – |

### `roads.osm`
Streets tagged `highway=primary/secondary/tertiary/residential/service/footway`, Chinese `name` on
named streets, `oneway=yes` on 商业街 and 府前街 (pedestrians may still walk both ways), `bridge=yes`
on the three river crossings (铜城路, 新城大道 and the footbridge 柳河人行桥). The river
(`waterway=river`, 柳河) is not walkable and crosses the town west to east; streets end at the two
river roads (滨河北路 / 滨河南路), so walks across it detour to a bridge. A short farm track
(小王庄机耕路) beyond the east edge touches no other street: a network builder that keeps the largest
connected part drops it. Loads with `osmnx.graph_from_xml(path, bidirectional=True, simplify=True,
retain_all=True)`; note that OSMnx turns every way into edges, the river included: keep only
`highway` ways for walking.

### `xiaoqu.gpkg`, layer `xiaoqu`
| Column | Meaning |
|---|---|
| `小区编号` | area id, XQ001… (numbered north to south, west to east) |
| `小区名称` | estate name (unique, invented) |
| `总户数` | households (integer, 150–1500); **empty for {int(areas["总户数"].isna().sum())} areas** that only have a population count, so households must be estimated |
| `类型` | `新建` (new, {n_new} areas, all in 新城街道, the new district east of 东风路 and north of the river) or `已建` (existing, {len(areas) - n_new}) |
| `人口` | residents |
| `老年人口` | residents aged 60+ (about 18–25 % of 人口) |

Polygons lie inside street blocks, 8–20 m back from every street centreline (and 6–10 m from alleys and estate roads),
so they touch the network only through their boundary; none overlap.

Layer `entrances`: gates, column `小区编号`, each on its area's boundary on the side facing the
nearest street open to cars.

### `facilities.csv`
Columns `编号` (F01…), `名称`, `等级` (one of 县级养老机构 / 乡镇(街道)综合养老服务中心 /
社区养老服务中心 / 养老服务站), `建筑面积` (floor area, m²), `床位` (beds), `护理型床位` (nursing-type
beds), `认知障碍照护床位` (dementia-care beds), `服务内容` (services, `;`-separated: 助餐 and 幸福食堂
serve meals at {int(facilities["服务内容"].str.contains("助餐|食堂").sum())} facilities; 托养 is residential care), `lon`, `lat`.
**Coordinates are GCJ-02** (火星坐标, what Amap shows); convert to WGS84 before overlaying the other
files (e.g. `siting.projection.gcj02_to_wgs84`). Levels: {level_text}.
Floor areas: {int((facilities["建筑面积"] < 300).sum())} facilities below 300 m², {int((facilities["建筑面积"] < 200).sum())} below 200 m²;
柳河镇's comprehensive centre has only {int(facilities.loc[facilities["名称"] == "柳河镇综合养老服务中心", "建筑面积"].iloc[0])} m² (below 600 m²),
and 新城街道 has no comprehensive centre at all.

### `candidates.gpkg`, layer `candidates`
Columns `编号` (C01…), `名称` (vacant parcels, public and community buildings), `最大建筑面积`
(largest floor area the site can take, m²; empty for {int(town["candidates"]["最大建筑面积"].isna().sum())} sites: unknown).

### `communities.gpkg`, layers `communities` and `townships`
`communities`: columns `社区名称`, `社区类型` (社区), `城乡` (城镇 urban, or 农村 rural: {"、".join(RURAL_COMMUNITIES)},
villages merged into rural communities), `街道名称` (the township/street: 凤城街道 old town north of the
river, 新城街道 new district east of 东风路, 柳河镇 south of the river) and `乡镇类型` (街道 or 镇).
`townships`: columns `街道名称`, `乡镇类型`, the union of each township's communities. Boundaries follow
the river and arterials.

## What the analysis should find / 分析应发现的问题
Facilities cluster in the old town north of the river; the new district (新城街道, all 新建 areas)
has none, and 新城街道 has no comprehensive centre. The south-west corner across the river (王庄社区)
lies 300–600 m from 西关社区养老服务中心 as the crow flies, but the nearest bridge
is 铜城路, so on foot it is 1.2–1.9 km away: inside the 1000 m straight-line radius, outside the
15-minute walk. An independent check (`tests/test_demo_data.py`: networkx on the unsimplified street
graph, each area and facility attached to its nearest street node, 900 m = 15 min at 60 m/min) finds
30 of 83 areas beyond a 15-minute walk: 东湖社区 7 of 7, 新华社区 11 of 12, 王庄社区 6 of 6 and
前营社区 6 of 7. Three facilities are below 300 m² (two below 200 m²) and 柳河镇's comprehensive
centre is below 600 m².

设施集中在河北老城；新城街道（全部为新建小区）没有任何养老设施，也没有街道综合养老服务中心。
河南西侧的王庄社区与河北设施直线距离仅 300–600 米，但最近的桥在铜城路，步行需 1.2–1.9 公里：
直线 1000 米服务半径内，却在 15 分钟步行圈外。独立核算（60 米/分钟，900 米）：83 个小区中 30 个
不在 15 分钟养老服务圈内。
"""


def make_demo_town(directory: str | Path) -> dict[str, Path]:
    """Write the synthetic demo town into ``directory`` (created if needed).

    Parameters
    ----------
    directory : str or Path
        Output folder; existing demo files in it are replaced.

    Returns
    -------
    dict of str to Path
        Written files by key (``candidates``, ``communities``, ``facilities``, ``metadata``,
        ``readme``, ``roads``, ``xiaoqu``), sorted by key.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    town = build_demo_town()
    # Stage every file first, so that a failure leaves the previous copy of the town untouched.
    with tempfile.TemporaryDirectory(dir=out, prefix=".demo-town-") as staging:
        staged = _write_files(town, Path(staging))
        paths = {key: out / path.name for key, path in staged.items()}
        for key, path in staged.items():
            os.replace(path, paths[key])
    return dict(sorted(paths.items()))


def _write_files(town: dict, out: Path) -> dict[str, Path]:
    paths = {
        "candidates": out / "candidates.gpkg",
        "communities": out / "communities.gpkg",
        "facilities": out / "facilities.csv",
        "metadata": out / "metadata.json",
        "readme": out / "README.md",
        "roads": out / "roads.osm",
        "xiaoqu": out / "xiaoqu.gpkg",
    }
    paths["roads"].write_text(town["osm_xml"], encoding="utf-8")
    _write_gpkg(
        [
            (town["areas"], "xiaoqu", f"{TOWN_NAME}：小区 / residential areas. {SYNTHETIC_NOTE_EN}"),
            (town["entrances"], "entrances", f"{TOWN_NAME}：小区出入口 / gates. {SYNTHETIC_NOTE_EN}"),
        ],
        paths["xiaoqu"],
    )
    _write_gpkg(
        [(town["candidates"], "candidates", f"{TOWN_NAME}：备选点 / candidate sites. {SYNTHETIC_NOTE_EN}")],
        paths["candidates"],
    )
    _write_gpkg(
        [
            (town["communities"], "communities", f"{TOWN_NAME}：社区 / communities. {SYNTHETIC_NOTE_EN}"),
            (town["townships"], "townships", f"{TOWN_NAME}：街道（乡镇）/ townships. {SYNTHETIC_NOTE_EN}"),
        ],
        paths["communities"],
    )
    town["facilities"].to_csv(paths["facilities"], index=False, encoding="utf-8", lineterminator="\n")
    areas = town["areas"]
    metadata = {
        "name": TOWN_NAME,
        "synthetic": True,
        "note_zh": SYNTHETIC_NOTE_ZH,
        "note_en": SYNTHETIC_NOTE_EN,
        "generator": "python tools/make_demo_town.py <directory>",
        "seed": SEED,
        "center_wgs84": [CENTER_LON, CENTER_LAT],
        "files": {
            "roads.osm": {"format": "OSM XML 0.6", "crs": "EPSG:4326", **town["osm_stats"]},
            "xiaoqu.gpkg": {
                "layers": {"xiaoqu": len(areas), "entrances": len(town["entrances"])},
                "crs": "EPSG:4326",
                "new": int((areas["类型"] == "新建").sum()),
                "existing": int((areas["类型"] == "已建").sum()),
                "households_missing": int(areas["总户数"].isna().sum()),
            },
            "facilities.csv": {
                "rows": len(town["facilities"]),
                "crs": "GCJ-02 (lon/lat columns)",
                "levels": {k: int(v) for k, v in sorted(town["facilities"]["等级"].value_counts().items())},
            },
            "candidates.gpkg": {"layers": {"candidates": len(town["candidates"])}, "crs": "EPSG:4326"},
            "communities.gpkg": {
                "layers": {"communities": len(town["communities"]), "townships": len(town["townships"])},
                "crs": "EPSG:4326",
            },
        },
        "townships": list(TOWNSHIPS),
    }
    paths["metadata"].write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths["readme"].write_text(_readme(town), encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python tools/make_demo_town.py", description=f"Write the {TOWN_NAME} files into a folder."
    )
    parser.add_argument("directory", nargs="?", default="data/demo_town", help="output folder (default: %(default)s)")
    args = parser.parse_args(argv)
    for key, path in make_demo_town(args.directory).items():
        print(f"{key:12s} {path}")


if __name__ == "__main__":
    main()
