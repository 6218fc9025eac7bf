"""Candidate sites when the planner has no candidate layer: street nodes near the demand that needs them.

Two sources, both on the street network so that every candidate can be reached on foot:

* grid: street nodes thinned to one per `spacing_m` × `spacing_m` cell (the node nearest the cell
  centre), kept only within `near_uncovered_m` of an uncovered area;
* clusters: KMeans (scikit-learn) centres of the uncovered areas, weighted by households, each
  snapped to its nearest street node.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from siting import defaults
from siting.errors import SitingInputError
from siting.labels import msg


def generate_candidates(
    network,
    areas: gpd.GeoDataFrame,
    covered: np.ndarray | None = None,
    *,
    spacing_m: float = defaults.CANDIDATE_SPACING_M,
    near_uncovered_m: float | None = defaults.CANDIDATE_NEAR_UNCOVERED_M,
    n_clusters: int | None = None,
    sources: tuple[str, ...] = ("grid", "clusters"),
    weight: str = defaults.WEIGHT,
    seed: int = 0,
) -> gpd.GeoDataFrame:
    """Generate candidate sites on street nodes.

    Parameters
    ----------
    network
        Object with ``node_xy`` (n × 2 float array, projected metres) and ``crs`` (pyproj CRS).
    areas : GeoDataFrame
        Residential areas with a `weight` column; reprojected to the network CRS if needed.
    covered : ndarray of bool, optional
        Per area, True when already within reach of an existing facility (default: none covered).
    spacing_m : float
        Grid cell size for thinning street nodes, metres.
    near_uncovered_m : float or None
        Keep grid nodes within this straight-line distance (m) of an uncovered area's
        representative point; None keeps all.
    n_clusters : int, optional
        KMeans clusters; default one per four uncovered areas (at least one).
    sources : tuple of {"grid", "clusters"}
        Which generators to use.
    seed : int
        KMeans random state (deterministic output).

    Returns
    -------
    GeoDataFrame
        ``candidate_id`` ("G001", …), ``name`` ("生成备选点 G001"), ``max_floor_area_m2`` (NaN),
        ``node`` (index into ``network.node_xy``), ``source`` ("grid" / "clusters"), Point geometry
        in the network CRS; ordered by node index.
    """
    # imported here: scikit-learn takes a second to import, and most runs read their candidates from a file
    from scipy.spatial import cKDTree
    from sklearn.cluster import KMeans

    unknown = set(sources) - {"grid", "clusters"}
    if unknown or not sources:
        raise SitingInputError(
            msg("candidate_sources_unknown", sources=sorted(unknown)),
            source=msg("where_argument", name="sources"),
            fix=msg("candidate_sources_unknown_fix"),
        )
    node_xy = np.asarray(network.node_xy, dtype=float)
    if len(node_xy) == 0:
        raise SitingInputError(
            msg("network_no_edges"), source=msg("where_argument", name="network"), fix=msg("network_no_edges_fix")
        )
    areas = areas.to_crs(network.crs) if areas.crs is not None and areas.crs != network.crs else areas
    if weight not in areas.columns:
        raise SitingInputError(
            msg("argument_column_missing", what="areas", column=weight),
            source=msg("where_argument", name="areas"),
            column=weight,
            fix=msg("weight_column_fix"),
        )
    covered = np.zeros(len(areas), bool) if covered is None else np.asarray(covered, dtype=bool)
    if len(covered) != len(areas):
        raise SitingInputError(
            msg("length_mismatch", what="covered", n=len(covered), areas=len(areas)),
            source=msg("where_argument", name="covered"),
            fix=msg("length_mismatch_fix"),
        )
    points = areas.geometry.representative_point()
    xy = np.c_[points.x.to_numpy(), points.y.to_numpy()][~covered]
    w = areas[weight].to_numpy(dtype=float)[~covered]
    nodes: dict[int, str] = {}
    if "grid" in sources:
        cell = np.floor(node_xy / spacing_m).astype(np.int64)
        centre = (cell + 0.5) * spacing_m
        offset = np.hypot(*(node_xy - centre).T)
        keys = cell[:, 0] * 4_000_003 + cell[:, 1]
        order = np.lexsort((np.arange(len(node_xy)), offset, keys))
        first = order[np.r_[True, keys[order][1:] != keys[order][:-1]]]
        if near_uncovered_m is not None:
            if len(xy):
                dist, _ = cKDTree(xy).query(node_xy[first], distance_upper_bound=near_uncovered_m)
                first = first[np.isfinite(dist)]
            else:
                first = first[:0]
        nodes.update({int(n): "grid" for n in first})
    if "clusters" in sources and len(xy):
        k = min(len(xy), n_clusters if n_clusters is not None else max(1, len(xy) // 4))
        km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(xy, sample_weight=np.maximum(w, 1e-9))
        _, snapped = cKDTree(node_xy).query(km.cluster_centers_)
        for n in np.unique(snapped):
            nodes.setdefault(int(n), "clusters")
    idx = np.array(sorted(nodes), dtype=np.int64)
    width = max(3, len(str(len(idx))))
    ids = [f"G{i + 1:0{width}d}" for i in range(len(idx))]
    return gpd.GeoDataFrame(
        {
            "candidate_id": ids,
            "name": [f"生成备选点 {c}" for c in ids],
            "max_floor_area_m2": np.full(len(idx), np.nan),
            "node": idx,
            "source": [nodes[int(n)] for n in idx],
        },
        geometry=gpd.points_from_xy(node_xy[idx, 0], node_xy[idx, 1]) if len(idx) else gpd.GeoSeries([]),
        crs=network.crs,
    )
