"""A synthetic province (合成省, 虚构数据): N generated counties of varying size, one scenario file each.

    python tools/make_province.py OUT [--counties 16] [--min-side 50] [--max-side 160] [--seed 1]

Each county is a perturbed street grid of ``side`` × ``side`` nodes 60–120 m apart (so 50 nodes is
about 4.5 km across, 160 about 14 km), with residential areas in blocks clustered in 14 towns plus
villages, facilities among them (14 township centres, community centres for the rest) and township
units (the Voronoi cells of the township centres, cut to the county). Sides grow geometrically from
``--min-side`` to ``--max-side`` and are shuffled, so the counties differ in size as real ones do;
areas and facilities grow with the street network (3.2 areas and 0.23 facilities per 100 nodes, at
least 20 facilities). The counties lie side by side in UTM zone 50N (where Shandong is), so a map
of the province shows them as neighbours. Nothing in it describes a real place.

Written into ``OUT`` (whole or not at all, as a siting output folder)::

    OUT/county_01/roads.gpkg       street centrelines (layer roads)
    OUT/county_01/xiaoqu.gpkg      residential areas: area_id, name, households, status (layer xiaoqu)
    OUT/county_01/facilities.gpkg  facilities: facility_id, name, level, floor_area_m2 (layer facilities)
    OUT/county_01/units.gpkg       townships: township (layer units)
    OUT/scenarios/county_01.yml    the scenario (profile shandong), for ``siting run`` or ``siting batch``

The same arguments give byte-identical files. :func:`county_streets`, :func:`county_network` and
:func:`county_features` are the county generator that ``benchmarks/reachability.py`` times too.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
import yaml

COUNTY_CRS = "EPSG:32650"  # UTM 50N, where Shandong's counties are
COUNTY_ORIGIN = (430_000.0, 4_000_000.0)
#: Residential areas and facilities per street node (the benchmark county: 3,500 and 250 on 330 × 330).
AREAS_PER_NODE = 3500 / 330**2
FACILITIES_PER_NODE = 250 / 330**2
MIN_FACILITIES = 20
#: Distance between the south-west corners of neighbouring counties, metres (larger than any county).
COUNTY_PITCH_M = 25_000.0
PROFILE = "shandong"


def county_streets(
    side: int, seed: int, origin: tuple[float, float] = COUNTY_ORIGIN
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The streets of a county: a perturbed grid of ``side`` × ``side`` nodes, in metres (UTM 50N).

    Grid lines are 60–120 m apart, nodes jittered by a few metres, 10 % of the links missing
    (dead ends, blocks merged into super-blocks) and 4 % of the blocks crossed by a diagonal lane.

    Returns
    -------
    xy : numpy.ndarray
        Node positions, shape (side², 2), metres.
    links : numpy.ndarray
        Node index pairs of the street links, shape (n, 2).
    lines : numpy.ndarray
        The links as straight shapely LineStrings.
    xs, ys : numpy.ndarray
        Positions of the grid lines, metres (for placing areas in blocks).
    """
    rng = np.random.default_rng(seed)
    xs = origin[0] + np.concatenate([[0.0], np.cumsum(rng.uniform(60.0, 120.0, side - 1))])
    ys = origin[1] + np.concatenate([[0.0], np.cumsum(rng.uniform(60.0, 120.0, side - 1))])
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    xy = np.column_stack([gx.ravel(), gy.ravel()]) + np.clip(rng.normal(0.0, 6.0, (side * side, 2)), -15, 15)
    node = np.arange(side * side).reshape(side, side)
    pairs = [
        np.column_stack([node[:-1, :].ravel(), node[1:, :].ravel()]),  # east-west links
        np.column_stack([node[:, :-1].ravel(), node[:, 1:].ravel()]),
    ]  # north-south links
    links = np.vstack(pairs)
    links = links[rng.random(len(links)) >= 0.10]
    diagonal = rng.random((side - 1) * (side - 1)) < 0.04
    rising = rng.random(diagonal.sum()) < 0.5
    sw, ne = node[:-1, :-1].ravel()[diagonal], node[1:, 1:].ravel()[diagonal]
    se, nw = node[1:, :-1].ravel()[diagonal], node[:-1, 1:].ravel()[diagonal]
    diag = np.column_stack([np.where(rising, sw, se), np.where(rising, ne, nw)])
    links = np.vstack([links, diag])
    lines = shapely.linestrings(np.stack([xy[links[:, 0]], xy[links[:, 1]]], axis=1))
    return xy, links, lines, xs, ys


def county_network(
    side: int, seed: int, origin: tuple[float, float] = COUNTY_ORIGIN, *, geometry: bool = True
) -> tuple[nx.MultiGraph, np.ndarray, np.ndarray]:
    """The streets of :func:`county_streets` as an OSMnx-style undirected graph.

    Returns
    -------
    graph : networkx.MultiGraph
        Nodes ``0..side²-1`` with ``x``/``y`` (metres, UTM 50N), edges with ``length`` and, with
        ``geometry``, a straight ``geometry`` (without, as OSMnx stores straight streets: the
        network builder draws the line between the nodes).
    xs, ys : numpy.ndarray
        Positions of the grid lines, metres.
    """
    xy, links, lines, xs, ys = county_streets(side, seed, origin)
    graph = nx.MultiGraph(crs=COUNTY_CRS)
    graph.add_nodes_from((i, {"x": x, "y": y}) for i, (x, y) in enumerate(xy.tolist()))
    lengths = shapely.length(lines).tolist()
    ends = zip(links[:, 0].tolist(), links[:, 1].tolist(), strict=True)
    if geometry:
        graph.add_edges_from(
            (a, b, {"geometry": g, "length": ln}) for (a, b), g, ln in zip(ends, lines, lengths, strict=True)
        )
    else:
        graph.add_edges_from((a, b, {"length": ln}) for (a, b), ln in zip(ends, lengths, strict=True))
    return graph, xs, ys


def county_features(
    crs, xs: np.ndarray, ys: np.ndarray, n_areas: int, n_facilities: int, seed: int
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Residential areas in blocks clustered in towns (plus villages) and facilities among them.

    A county seat and 13 townships, each a Gaussian cloud of blocks (σ 0.4–1.5 km); 8 % of the
    areas are villages spread over the county. An area is its block shrunk to 55–80 % around its
    centre, so it faces the streets on every side, as a 小区 does. Facilities stand inside other
    blocks drawn the same way: 14 township centres, community centres for the rest.

    Parameters
    ----------
    crs
        The CRS of ``xs``/``ys`` (a metric one).
    xs, ys : numpy.ndarray
        Grid lines from :func:`county_streets`, metres.
    n_areas, n_facilities : int
        How many of each; together at most the number of blocks.
    seed : int
    """
    rng = np.random.default_rng(seed)
    extent = np.array([[xs[0], ys[0]], [xs[-1], ys[-1]]])
    n_towns = 14
    town_xy = rng.uniform(extent[0] + 2000, extent[1] - 2000, (n_towns, 2))
    town_sigma = np.concatenate([[1500.0], rng.uniform(400.0, 900.0, n_towns - 1)])
    town_weight = np.concatenate([[4.0], rng.uniform(0.5, 1.5, n_towns - 1)])
    town_weight /= town_weight.sum()

    def blocks(count: int, rural_share: float) -> np.ndarray:
        """Distinct block (cell) indices, ``count`` of them, drawn from the towns and the countryside."""
        found: dict[tuple[int, int], None] = {}
        while len(found) < count:
            k = 2 * count
            town = rng.choice(n_towns, k, p=town_weight)
            pts = town_xy[town] + rng.normal(0, 1, (k, 2)) * town_sigma[town, None]
            rural = rng.random(k) < rural_share
            pts[rural] = rng.uniform(extent[0], extent[1], (rural.sum(), 2))
            i = np.clip(np.searchsorted(xs, pts[:, 0]) - 1, 0, len(xs) - 2)
            j = np.clip(np.searchsorted(ys, pts[:, 1]) - 1, 0, len(ys) - 2)
            for cell in zip(i.tolist(), j.tolist(), strict=True):
                found.setdefault(cell, None)
        return np.array(list(found)[:count])

    def block_bounds(cells: np.ndarray, shrink: np.ndarray) -> tuple[np.ndarray, ...]:
        """Block ``cells`` shrunk by ``shrink`` around their centres: (xmin, ymin, xmax, ymax)."""
        x0, x1 = xs[cells[:, 0]], xs[cells[:, 0] + 1]
        y0, y1 = ys[cells[:, 1]], ys[cells[:, 1] + 1]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        hx, hy = (x1 - x0) / 2 * shrink, (y1 - y0) / 2 * shrink
        return cx - hx, cy - hy, cx + hx, cy + hy

    cells = blocks(n_areas + n_facilities, rural_share=0.08)
    area_cells, fac_cells = cells[:n_areas], cells[n_areas:]
    areas = gpd.GeoDataFrame(
        {"area_id": [f"A{i:05d}" for i in range(n_areas)], "households": rng.integers(80, 1500, n_areas).astype(float)},
        geometry=shapely.box(*block_bounds(area_cells, rng.uniform(0.55, 0.80, n_areas))),
        crs=crs,
    )
    # a facility stands somewhere inside its block, off the block centre
    x0, y0, x1, y1 = block_bounds(fac_cells, np.full(n_facilities, 0.6))
    points = shapely.points(rng.uniform(x0, x1), rng.uniform(y0, y1))
    levels = np.full(n_facilities, "community", dtype=object)
    levels[:n_towns] = "township"
    facilities = gpd.GeoDataFrame(
        {"facility_id": [f"F{i:04d}" for i in range(n_facilities)], "level": levels}, geometry=points, crs=crs
    )
    return areas, facilities


def county_sides(n_counties: int, min_side: int, max_side: int, seed: int) -> list[int]:
    """Grid sides of the counties: geometric steps from ``min_side`` to ``max_side``, shuffled."""
    steps = np.geomspace(min_side, max_side, n_counties) if n_counties > 1 else np.array([float(max_side)])
    return [int(s) for s in np.random.default_rng(seed).permutation(np.round(steps).astype(int))]


def make_county(side: int, seed: int, origin: tuple[float, float]) -> dict[str, gpd.GeoDataFrame]:
    """One county's layers: ``roads``, ``xiaoqu`` (areas), ``facilities`` and ``units`` (townships)."""
    _, _, lines, xs, ys = county_streets(side, seed, origin)
    n_nodes = side * side
    n_facilities = max(MIN_FACILITIES, round(FACILITIES_PER_NODE * n_nodes))
    areas, facilities = county_features(
        COUNTY_CRS, xs, ys, round(AREAS_PER_NODE * n_nodes), n_facilities, seed=seed + 1
    )
    rng = np.random.default_rng(seed + 2)
    areas["name"] = [f"小区{i + 1}" for i in range(len(areas))]
    areas["status"] = np.where(rng.random(len(areas)) < 0.2, "new", "existing")
    township = (facilities["level"] == "township").to_numpy()
    facilities["name"] = [
        f"第{i + 1}{'镇综合养老服务中心' if town else '社区养老服务中心'}" for i, town in enumerate(township)
    ]
    facilities["floor_area_m2"] = np.where(
        township, rng.uniform(1000.0, 2500.0, len(facilities)), rng.uniform(200.0, 700.0, len(facilities))
    ).round(0)
    county = shapely.box(xs[0], ys[0], xs[-1], ys[-1])
    centres = facilities.geometry.values[township]
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(centres), extend_to=county, ordered=True))
    units = gpd.GeoDataFrame(
        {"township": [f"第{i + 1}镇" for i in range(len(centres))]},
        geometry=shapely.intersection(cells, county),
        crs=COUNTY_CRS,
    )
    roads = gpd.GeoDataFrame(geometry=lines, crs=COUNTY_CRS)
    return {"roads": roads, "xiaoqu": areas, "facilities": facilities, "units": units}


def scenario_config(county_id: str, index: int) -> dict:
    """The scenario of one county, paths relative to ``scenarios/``."""
    folder = f"../{county_id}"
    return {
        "name": f"生成县{index:02d}",
        "description": "合成省的虚构县（仅供测试与基准） / a generated county of the synthetic province",
        "network": {"path": f"{folder}/roads.gpkg", "layer": "roads"},
        "residential": {"path": f"{folder}/xiaoqu.gpkg", "layer": "xiaoqu"},
        "facilities": {"path": f"{folder}/facilities.gpkg", "layer": "facilities"},
        "units": {"path": f"{folder}/units.gpkg", "layer": "units"},
        "profile": PROFILE,
        "output": f"../out/{county_id}",
    }


def make_province(
    directory: str | Path, n_counties: int = 16, *, min_side: int = 50, max_side: int = 160, seed: int = 1
) -> list[Path]:
    """Write a synthetic province of ``n_counties`` counties into ``directory`` (see the module docstring).

    Returns
    -------
    list of Path
        The scenario files, in county order (as they will be in ``directory``).
    """
    from siting.report import atomic_folder, write_gpkg

    if n_counties < 1 or not 50 <= min_side <= max_side:
        raise ValueError("need at least one county and 50 <= min_side <= max_side (smaller grids hold no 14 towns)")
    target = Path(directory).resolve()
    columns = int(np.ceil(np.sqrt(n_counties)))
    names = []
    with atomic_folder(target) as tmp:
        (tmp / "scenarios").mkdir()
        for k, side in enumerate(county_sides(n_counties, min_side, max_side, seed)):
            county_id = f"county_{k + 1:02d}"
            origin = (
                COUNTY_ORIGIN[0] + COUNTY_PITCH_M * (k % columns),
                COUNTY_ORIGIN[1] + COUNTY_PITCH_M * (k // columns),
            )
            (tmp / county_id).mkdir()
            for layer, frame in make_county(side, seed * 1000 + 10 * k, origin).items():
                file = "roads" if layer == "roads" else layer
                write_gpkg(frame, tmp / county_id / f"{file}.gpkg", layer)
            text = yaml.safe_dump(scenario_config(county_id, k + 1), allow_unicode=True, sort_keys=False)
            (tmp / "scenarios" / f"{county_id}.yml").write_text(text, encoding="utf-8")
            names.append(county_id)
    return [target / "scenarios" / f"{name}.yml" for name in names]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python tools/make_province.py",
        description="Write a synthetic province: generated counties with one scenario file each.",
    )
    parser.add_argument("directory", help="output folder (replaced whole if it is an earlier one)")
    parser.add_argument("--counties", type=int, default=16, help="number of counties (default %(default)s)")
    parser.add_argument("--min-side", type=int, default=50, help="grid nodes per side, smallest county")
    parser.add_argument("--max-side", type=int, default=160, help="grid nodes per side, largest county")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default %(default)s)")
    args = parser.parse_args(argv)
    for path in make_province(
        args.directory, args.counties, min_side=args.min_side, max_side=args.max_side, seed=args.seed
    ):
        print(path)


if __name__ == "__main__":
    main()
