"""The pair table on local subgraphs equals the whole-graph one; the straight-line bound it rests on."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from siting import network as street_network
from siting.reachability import _pairs, _virtual_graph
from siting.snapping import attach_areas, attach_points
from tools.make_province import county_features, county_network

ROOT = Path(__file__).resolve().parents[1]


def _generated(side: int = 60, n_areas: int = 150, n_sites: int = 120):
    graph, xs, ys = county_network(side, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = street_network.from_graph(graph, walk_filter=False)
    areas, sites = county_features(net.crs, xs, ys, n_areas, n_sites, seed=6)
    return net, areas, sites


def _both(net, areas, sites, limit_m):
    area_att, site_att = attach_areas(net, areas), attach_points(net, sites)
    graph = _virtual_graph(net, area_att, site_att)
    whole = _pairs(graph, area_att, site_att, limit_m, 64.0)
    local = _pairs(graph, area_att, site_att, limit_m, 64.0, net)
    return whole, local


def test_local_pair_table_equals_the_whole_graph_one():
    net, areas, sites = _generated()
    assert net.straight_line_slack_m == 0.0  # straight generated streets start and end at their nodes
    for limit_m in (300.0, 900.0):
        whole, local = _both(net, areas, sites, limit_m)
        assert len(whole) > 100
        pd.testing.assert_frame_equal(whole, local)


def test_local_pair_table_on_a_real_extract():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo town drops an isolated street on purpose
        net = street_network.from_file(ROOT / "data" / "demo_town" / "roads.osm")
    rng = np.random.default_rng(2)
    lo, hi = net.node_xy.min(axis=0), net.node_xy.max(axis=0)
    areas = gpd.GeoDataFrame(
        {"area_id": [f"A{i}" for i in range(40)]},
        geometry=shapely.buffer(shapely.points(rng.uniform(lo, hi, (40, 2))), 30.0),
        crs=net.crs,
    )
    sites = gpd.GeoDataFrame(
        {"facility_id": [f"S{i}" for i in range(30)]},
        geometry=shapely.points(rng.uniform(lo, hi, (30, 2))),
        crs=net.crs,
    )
    whole, local = _both(net, areas, sites, 800.0)
    assert len(whole) > 20
    pd.testing.assert_frame_equal(whole, local)


def test_no_straight_line_bound_when_a_street_is_shorter_than_its_chord():
    net, areas, sites = _generated(n_areas=30, n_sites=20)
    edges = net.edges.copy()
    edges.loc[0, "length_m"] = 0.5 * edges.loc[0, "length_m"]  # a street shorter than the straight line
    odd = dataclasses.replace(net, edges=edges, _slack_m=None)
    assert odd.straight_line_slack_m == np.inf
    whole, local = _both(odd, areas, sites, 600.0)  # falls back to the whole graph
    pd.testing.assert_frame_equal(whole, local)


def test_from_graph_orients_geometries_and_keeps_merged_names_sorted():
    graph = nx.MultiGraph(crs="EPSG:32650")
    graph.add_node(1, x=0.0, y=0.0)
    graph.add_node(2, x=100.0, y=0.0)
    graph.add_node(3, x=100.0, y=50.0)
    # geometry drawn from 2 to 1 (must be flipped to run u → v), merged names in set order
    graph.add_edge(1, 2, geometry=shapely.LineString([(100, 0), (50, 10), (0, 0)]), name=["西环路", "南环路"])
    graph.add_edge(2, 3)  # no geometry: a straight line
    net = street_network.from_graph(graph, walk_filter=False)
    first = net.edges.iloc[0]
    start = shapely.get_coordinates(first.geometry)[0]
    assert tuple(start) == tuple(net.node_xy[first["u"]])
    assert first["name"] == "南环路;西环路"
    assert net.edges.iloc[1].geometry.length == 50.0
    assert net.straight_line_slack_m == 0.0
