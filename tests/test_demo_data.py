"""The bundled synthetic demo town: reproducible, loadable, and built as designed."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pytest
import shapely

from siting.projection import gcj02_to_wgs84
from tools import make_demo_town as demo

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_town"
METRIC = "EPSG:32650"
TEXT_FILES = {"README.md": "readme", "facilities.csv": "facilities", "metadata.json": "metadata", "roads.osm": "roads"}
LAYERS = {
    "xiaoqu.gpkg": ("xiaoqu", "entrances"),
    "candidates.gpkg": ("candidates",),
    "communities.gpkg": ("communities", "townships"),
}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> dict[str, Path]:
    return demo.make_demo_town(tmp_path_factory.mktemp("demo_town"))


@pytest.fixture(scope="module")
def areas() -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO / "xiaoqu.gpkg", layer="xiaoqu")


@pytest.fixture(scope="module")
def facilities() -> pd.DataFrame:
    return pd.read_csv(DEMO / "facilities.csv")


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return ox.graph_from_xml(DEMO / "roads.osm", bidirectional=True, simplify=True, retain_all=True)


@pytest.fixture(scope="module")
def streets_metric() -> gpd.GeoSeries:
    """Every way with a highway tag, as metric lines straight from the XML (no OSMnx in between)."""
    root = ET.parse(DEMO / "roads.osm").getroot()
    coords = {n.get("id"): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}
    lines = [
        shapely.LineString([coords[nd.get("ref")] for nd in way.iter("nd")])
        for way in root.iter("way")
        if any(t.get("k") == "highway" for t in way.iter("tag"))
    ]
    return gpd.GeoSeries(lines, crs="EPSG:4326").to_crs(METRIC)


def test_regenerating_gives_the_committed_files(regenerated):
    assert sorted(regenerated) == ["candidates", "communities", "facilities", "metadata", "readme", "roads", "xiaoqu"]
    for name, key in TEXT_FILES.items():
        assert (DEMO / name).read_bytes() == regenerated[key].read_bytes(), name
    # GeoPackages are compared by content: their bytes also depend on the GDAL version that wrote them.
    for name, layers in LAYERS.items():
        for layer in layers:
            committed = gpd.read_file(DEMO / name, layer=layer)
            fresh = gpd.read_file(regenerated[name.split(".")[0]], layer=layer)
            pd.testing.assert_frame_equal(committed.drop(columns="geometry"), fresh.drop(columns="geometry"))
            assert committed.geometry.geom_equals_exact(fresh.geometry, tolerance=0).all()
            assert committed.crs.to_epsg() == 4326


def test_two_runs_are_byte_identical(regenerated, tmp_path):
    again = demo.make_demo_town(tmp_path)
    for key, path in regenerated.items():
        assert path.read_bytes() == again[key].read_bytes(), key


def test_command_line_entry_writes_the_files(tmp_path, capsys):
    demo.main([str(tmp_path / "town")])
    assert sorted(p.name for p in (tmp_path / "town").iterdir()) == [
        "README.md",
        "candidates.gpkg",
        "communities.gpkg",
        "facilities.csv",
        "metadata.json",
        "roads.osm",
        "xiaoqu.gpkg",
    ]
    assert "roads" in capsys.readouterr().out


def test_labelled_synthetic():
    metadata = json.loads((DEMO / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["synthetic"] is True
    assert metadata["name"] == "示范县城（虚构数据 / synthetic demo town)"
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    assert "虚构数据" in readme and "SYNTHETIC" in readme and "GCJ-02" in readme
    for name, layers in LAYERS.items():
        with sqlite3.connect(DEMO / name) as db:
            contents = db.execute("SELECT table_name, identifier, description FROM gpkg_contents").fetchall()
        assert sorted(row[0] for row in contents) == sorted(layers)
        assert all("虚构数据" in identifier and "synthetic" in description for _, identifier, description in contents)


def test_osm_file_structure():
    root = ET.parse(DEMO / "roads.osm").getroot()
    assert root.get("version") == "0.6"
    nodes, ways = root.findall("node"), root.findall("way")
    assert (len(nodes), len(ways)) == (1428, 68)
    assert all(int(e.get("id")) > 0 for e in nodes + ways)
    assert (DEMO / "roads.osm").stat().st_size < 1_500_000
    tags = [{t.get("k"): t.get("v") for t in way.iter("tag")} for way in ways]
    kinds = Counter(t.get("highway", t.get("waterway")) for t in tags)
    assert kinds == {
        "tertiary": 15,
        "residential": 15,
        "footway": 11,
        "service": 10,
        "secondary": 9,
        "primary": 7,
        "river": 1,
    }
    assert sorted(t["name"] for t in tags if t.get("bridge") == "yes") == ["新城大道", "柳河人行桥", "铜城路"]
    assert sorted({t["name"] for t in tags if t.get("oneway") == "yes"}) == ["商业街", "府前街"]
    lon = np.array([float(n.get("lon")) for n in nodes])
    lat = np.array([float(n.get("lat")) for n in nodes])
    assert 116.23 < lon.min() < lon.max() < 116.27 and 36.31 < lat.min() < lat.max() < 36.35


def test_osm_loads_in_osmnx(graph):
    assert (len(graph), len(graph.edges)) == (155, 510)
    parts = sorted(len(c) for c in nx.weakly_connected_components(graph))
    # the town, the river (OSMnx keeps every way) and the detached farm track
    assert parts == [2, 2, 151]
    walkable = graph.edge_subgraph([e for e, h in nx.get_edge_attributes(graph, "highway").items()])
    assert sorted(len(c) for c in nx.weakly_connected_components(walkable)) == [2, 151]


def test_areas_are_valid_disjoint_and_off_the_streets(areas, streets_metric):
    assert 60 <= len(areas) <= 100 and len(areas) == 83
    assert areas.crs.to_epsg() == 4326
    assert areas.geometry.is_valid.all() and (areas.geom_type == "Polygon").all()
    metric = areas.to_crs(METRIC)
    left, right = metric.sindex.query(metric.geometry, predicate="intersects")
    assert (left == right).all()  # each area touches only itself
    street_union = shapely.union_all(streets_metric.values)
    gaps = metric.distance(street_union)
    assert gaps.min() > 5.0  # 8-20 m from streets, 6-10 m from alleys, bent slightly by the warp
    assert not metric.intersects(street_union).any()


def test_area_attributes(areas):
    assert list(areas.columns) == ["小区编号", "小区名称", "总户数", "类型", "人口", "老年人口", "geometry"]
    assert areas["小区编号"].tolist() == [f"XQ{n:03d}" for n in range(1, 84)]
    assert areas["小区名称"].is_unique
    assert areas["类型"].value_counts().to_dict() == {"已建": 64, "新建": 19}
    missing = areas["总户数"].isna()
    assert missing.sum() == 4 and areas.loc[missing, "人口"].notna().all()
    households = areas.loc[~missing, "总户数"]
    assert households.between(150, 1500).all() and (households == households.round()).all()
    share = areas["老年人口"] / areas["人口"]
    assert share.between(0.175, 0.255).all()
    assert (areas.loc[~missing, "人口"] / households).between(2.5, 3.0).all()


def test_new_areas_lie_in_the_new_district(areas):
    communities = gpd.read_file(DEMO / "communities.gpkg", layer="communities")
    joined = gpd.sjoin(areas.set_geometry(areas.representative_point()), communities, predicate="within")
    assert len(joined) == len(areas)
    assert set(joined.loc[joined["类型"] == "新建", "街道名称"]) == {"新城街道"}
    assert joined.loc[joined["街道名称"] == "新城街道", "类型"].eq("新建").all()


def test_entrances_are_gates_on_their_area_boundary(areas):
    gates = gpd.read_file(DEMO / "xiaoqu.gpkg", layer="entrances")
    assert list(gates.columns) == ["小区编号", "geometry"] and len(gates) == 27
    assert gates["小区编号"].isin(areas["小区编号"]).all()
    metric = areas.set_index("小区编号").to_crs(METRIC)
    boundary = metric.boundary.loc[gates["小区编号"]].values
    offsets = gates.to_crs(METRIC).distance(gpd.GeoSeries(boundary, crs=METRIC), align=False)
    assert offsets.max() < 0.05


def test_facilities_are_gcj02_of_the_generator_points(facilities):
    assert list(facilities.columns) == [
        "编号",
        "名称",
        "等级",
        "建筑面积",
        "床位",
        "护理型床位",
        "认知障碍照护床位",
        "服务内容",
        "lon",
        "lat",
    ]
    truth = demo.build_demo_town()["facilities_wgs84"].to_crs(METRIC)
    lon, lat = gcj02_to_wgs84(facilities["lon"].to_numpy(), facilities["lat"].to_numpy())
    back = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(METRIC)
    assert back.distance(truth.geometry, align=False).max() < 1.0
    # the GCJ-02 shift itself is hundreds of metres here, so the file really is not WGS84
    raw = gpd.GeoSeries(gpd.points_from_xy(facilities["lon"], facilities["lat"]), crs="EPSG:4326").to_crs(METRIC)
    assert raw.distance(truth.geometry, align=False).min() > 100


def test_facility_levels_and_sizes(facilities):
    assert facilities["等级"].value_counts().to_dict() == {
        "社区养老服务中心": 5,
        "养老服务站": 4,
        "乡镇(街道)综合养老服务中心": 2,
        "县级养老机构": 1,
    }
    area = facilities["建筑面积"]
    assert (area < 300).sum() == 3 and (area < 200).sum() == 2
    township = facilities[facilities["等级"] == "乡镇(街道)综合养老服务中心"]
    assert (township["建筑面积"] < 600).sum() == 1
    assert facilities.loc[facilities["等级"] == "县级养老机构", "床位"].item() == 260


def test_candidates():
    candidates = gpd.read_file(DEMO / "candidates.gpkg", layer="candidates")
    assert list(candidates.columns) == ["编号", "名称", "最大建筑面积", "geometry"]
    assert len(candidates) == 21 and candidates["最大建筑面积"].isna().sum() == 3
    assert candidates["编号"].is_unique and (candidates.geom_type == "Point").all()


def test_communities_tile_the_town_and_townships_are_their_dissolve(areas):
    communities = gpd.read_file(DEMO / "communities.gpkg", layer="communities").to_crs(METRIC)
    townships = gpd.read_file(DEMO / "communities.gpkg", layer="townships").to_crs(METRIC)
    assert len(communities) == 11 and communities["社区名称"].is_unique
    assert communities["街道名称"].value_counts().to_dict() == {"凤城街道": 6, "柳河镇": 3, "新城街道": 2}
    union = shapely.union_all(communities.geometry.values)
    assert union.geom_type == "Polygon"
    assert union.area == pytest.approx(communities.area.sum(), rel=1e-9)  # no overlaps
    # the outline is the street grid plus 40 m: 2.96 km x 2.57 km on the plan, bent but not stretched
    assert union.area / 1e6 == pytest.approx(2.96 * 2.57, rel=0.002)
    assert union.contains(shapely.union_all(areas.to_crs(METRIC).geometry.values))
    assert sorted(townships["街道名称"]) == ["凤城街道", "新城街道", "柳河镇"]
    for _, row in townships.iterrows():
        members = shapely.union_all(communities.loc[communities["街道名称"] == row["街道名称"], "geometry"].values)
        assert row.geometry.symmetric_difference(members).area < 1.0


def test_the_analysis_has_gaps_to_find(areas, facilities):
    """Independent check with networkx on the unsimplified graph (a node at least every 45 m).

    Facilities and areas are attached to their nearest street node. Walking 15 min at 60 m/min is
    900 m. The new district and the river-cut south-west corner must fall outside it, although the
    south-west lies within the 1000 m straight-line radius.
    """
    graph = ox.graph_from_xml(DEMO / "roads.osm", bidirectional=True, simplify=False, retain_all=True)
    walk = graph.edge_subgraph(list(nx.get_edge_attributes(graph, "highway"))).copy()
    walk = ox.project_graph(ox.truncate.largest_component(walk), to_crs=METRIC)
    node_ids = np.array(walk.nodes)
    xy = np.array([(walk.nodes[n]["x"], walk.nodes[n]["y"]) for n in node_ids])
    tree = shapely.STRtree(shapely.points(xy))
    simple = nx.Graph()
    for u, v, length in walk.edges(data="length"):
        if not simple.has_edge(u, v) or simple[u][v]["length"] > length:
            simple.add_edge(u, v, length=length)
    lon, lat = gcj02_to_wgs84(facilities["lon"].to_numpy(), facilities["lat"].to_numpy())
    sites = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(METRIC)
    for point in sites:
        k = tree.nearest(point)
        simple.add_edge("facilities", node_ids[k], length=point.distance(tree.geometries[k]))
    dist = nx.single_source_dijkstra_path_length(simple, "facilities", weight="length")
    metric = areas.to_crs(METRIC)
    # each area from the boundary point nearest the street network (no gates: a conservative check)
    nearest_node = tree.geometries[tree.nearest(metric.geometry.values)]
    points = [g.exterior.interpolate(g.exterior.project(n)) for g, n in zip(metric.geometry, nearest_node, strict=True)]
    walk_m = np.array([dist[node_ids[tree.nearest(p)]] + p.distance(tree.geometries[tree.nearest(p)]) for p in points])
    straight_m = np.array([sites.distance(g).min() for g in metric.geometry])
    communities = gpd.read_file(DEMO / "communities.gpkg", layer="communities")
    community = gpd.sjoin(areas.set_geometry(areas.representative_point()), communities, predicate="within")[
        "社区名称"
    ].to_numpy()
    uncovered = walk_m > 900
    assert dict(Counter(community[uncovered])) == {"新华社区": 11, "东湖社区": 7, "王庄社区": 6, "前营社区": 6}
    new = (areas["类型"] == "新建").to_numpy()
    assert (uncovered & new).sum() == 18 and new.sum() == 19
    # the river-cut corner: every area is within 1000 m of a facility as the crow flies, none on foot
    corner = community == "王庄社区"
    assert (straight_m[corner] < 1000).all() and (walk_m[corner] > 1150).all()
