"""Generated candidate sites on the real demo network: on street nodes, thinned, near the uncovered."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely
from scipy.spatial import cKDTree

from siting import inputs, network, reachability
from siting.optimize import generate_candidates
from tests.conftest import DEMO


@pytest.fixture(scope="module")
def demo():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = network.from_file(DEMO / "roads.osm")
        areas = inputs.read_areas(DEMO / "xiaoqu.gpkg", layer="xiaoqu")
        fac = inputs.read_facilities(DEMO / "facilities.csv", crs="gcj02")
        access = reachability.assess_access(net, areas, fac)
    return net, areas, access.areas["within_walk"].to_numpy()


def test_candidates_are_street_nodes_near_uncovered_areas(demo):
    net, areas, covered = demo
    cands = generate_candidates(net, areas, covered, spacing_m=150, near_uncovered_m=1000)
    assert cands.crs == net.crs
    xy = shapely.get_coordinates(cands.geometry.to_numpy())
    np.testing.assert_allclose(xy, net.node_xy[cands["node"].to_numpy()])
    grid = cands[cands["source"] == "grid"]
    cells = np.floor(net.node_xy[grid["node"].to_numpy()] / 150).astype(int)
    assert len({tuple(c) for c in cells}) == len(grid)  # at most one node per 150 m cell
    uncovered = areas.to_crs(net.crs)[~covered].representative_point()
    near, _ = cKDTree(shapely.get_coordinates(uncovered.to_numpy())).query(xy[(cands["source"] == "grid").to_numpy()])
    assert near.max() <= 1000
    assert cands["candidate_id"].is_unique and cands["candidate_id"].iloc[0] == "G001"
    again = generate_candidates(net, areas, covered, spacing_m=150, near_uncovered_m=1000)
    assert again.equals(cands)
