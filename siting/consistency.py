"""Records that contradict themselves or each other, found after reading and before any figure is made.

Within a layer (residential areas, facilities, candidate sites):

- the **same record twice** under two ids: the same name within :data:`DUPLICATE_DISTANCE_M`, or
  the same polygon (a 小区 copied with a new id raises the households; a facility listed twice
  raises the floor area). Refused naming both ids, or kept with a warning naming them where the
  planner says so (``duplicates: keep``; ``duplicates="keep"`` in Python);
- **many areas at one point**: :data:`STACKED_AREAS_MIN` or more point areas at exactly the same
  coordinates, a geocoder's fallback for addresses it could not find (15 小区 at 116.25, 36.33). They
  are left out of every figure with a warning naming the point, the count and the areas, unless the
  planner accepts them (``areas_at_one_point: keep``). Two areas at one point (一期/二期 of one
  小区, a 服务站 and a 日间照料中心 in one building) are usual and pass.

Across layers (the links a planner types by hand, checked against the geometry):

- an **entrance** (gate) must lie on or beside the area it opens into: within ``gate_tolerance_m``
  of its outline (:data:`siting.defaults.GATE_TOLERANCE_M` by default);
- a facility or candidate site **built with an area** (配建, ``area_id``) must lie within that
  area's walk. The test is the straight line from the site to the area (0 inside it) against the
  walking distance: a walk is never shorter than the straight line, so a site beyond it in a
  straight line is surely beyond the walk.

Against the street network:

- a residential area **larger than all the streets reach** (the network's hull widened by the
  snapping distance) is a county, city or province boundary drawn in place of a 小区, or a layer in
  the wrong CRS (:func:`check_area_sizes`).

A link or an area that contradicts the geometry is refused naming the rows and the distance (or
size), or kept with a warning where the planner accepts it (``links: keep``).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from siting.defaults import MAX_SNAP_M
from siting.errors import SitingInputError, SitingWarning
from siting.labels import Message, msg
from siting.projection import WGS84, to_metric
from siting.settings import Accept
from siting.snapping import in_network_crs

if TYPE_CHECKING:
    from siting.network import StreetNetwork

#: Two records of one layer with the same name closer than this are one record listed twice, metres.
DUPLICATE_DISTANCE_M = 5.0
#: Point areas at exactly one place from which on they are taken for a geocoder's fallback.
STACKED_AREAS_MIN = 3


#: What is accepted when the planner says nothing: every finding refused, stacked areas left out.
DEFAULT_ACCEPT = Accept()


def _finding(
    problem: Message, keep: bool, *, source: str | Message | None, key: str, rows: list[str], fix: Message
) -> None:
    """Raise ``problem`` as an input error, or, when the planner keeps the data, warn with it."""
    if not keep:
        raise SitingInputError(problem, source=source, key=key, rows=rows, fix=fix)
    warnings.warn(
        SitingWarning(msg("consistency_kept", problem=problem, key=key), source=source, key=key, rows=rows),
        stacklevel=3,
    )


def duplicate_pairs(frame: gpd.GeoDataFrame, id_column: str) -> list[tuple[str, str]]:
    """Pairs of ids that are one record listed twice: the same name within :data:`DUPLICATE_DISTANCE_M`,
    or the same polygon (points at one place with different names are not: two services in one building).

    Parameters
    ----------
    frame : GeoDataFrame
        One layer, in the schema of :mod:`siting.inputs` (``id_column``, and ``name`` where known), with a CRS.
    id_column : str

    Returns
    -------
    list of (str, str)
        In the layer's order, the earlier row first.
    """
    if len(frame) < 2:
        return []
    geoms = to_metric(frame).geometry.to_numpy()
    centres = shapely.centroid(geoms)
    first, second = shapely.STRtree(centres).query(centres, predicate="dwithin", distance=DUPLICATE_DISTANCE_M)
    pair = first < second
    first, second = first[pair], second[pair]
    polygon = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    same = polygon[first] & polygon[second] & shapely.equals(geoms[first], geoms[second])
    if "name" in frame.columns:  # a frame built in Python may have none
        names = frame["name"].astype(str).to_numpy()
        same |= names[first] == names[second]
    ids = frame[id_column].astype(str).to_numpy()
    order = np.lexsort((second[same], first[same]))
    return [(ids[i], ids[j]) for i, j in zip(first[same][order], second[same][order], strict=True)]


def check_duplicates(
    frame: gpd.GeoDataFrame, id_column: str, *, keep: bool = False, source: str | Message | None = None
) -> None:
    """Refuse (or, with ``keep``, warn about) records listed twice in one layer (:func:`duplicate_pairs`).

    Raises
    ------
    SitingInputError
        Naming both ids of every pair (``F003 = F016``) and the key ``duplicates`` that keeps them.
    """
    pairs = duplicate_pairs(frame, id_column)
    if pairs:
        _finding(
            msg("duplicate_records", distance=f"{DUPLICATE_DISTANCE_M:g}"),
            keep,
            source=source,
            key="duplicates",
            rows=[f"{a} = {b}" for a, b in pairs],
            fix=msg("duplicate_records_fix"),
        )


def areas_at_one_point(
    areas: gpd.GeoDataFrame, *, keep: bool = False, source: str | Message | None = None
) -> gpd.GeoDataFrame:
    """``areas`` without the point areas stacked at one place (:data:`STACKED_AREAS_MIN` or more), with
    a warning naming the place, the count and the areas; with ``keep`` all areas, with the same warning.

    Returns
    -------
    GeoDataFrame
        The areas counted (a new frame; ``areas`` itself is never changed).
    """
    points = areas.geometry.geom_type.to_numpy() == "Point"
    if points.sum() < STACKED_AREAS_MIN:
        return areas
    xy = shapely.get_coordinates(areas.geometry.to_numpy()[points])
    place, inverse, counts = np.unique(xy, axis=0, return_inverse=True, return_counts=True)
    stacked_places = np.flatnonzero(counts >= STACKED_AREAS_MIN)
    if stacked_places.size == 0:
        return areas
    rows = np.flatnonzero(points)
    left_out = np.zeros(len(areas), dtype=bool)
    lonlat = gpd.GeoSeries(gpd.points_from_xy(place[:, 0], place[:, 1]), crs=areas.crs).to_crs(WGS84)
    for k in stacked_places:
        members = rows[inverse.ravel() == k]
        left_out[members] = True
        warnings.warn(
            SitingWarning(
                msg(
                    "areas_at_one_point_kept" if keep else "areas_at_one_point",
                    n=len(members),
                    lon=f"{lonlat.x.iloc[k]:.6f}",
                    lat=f"{lonlat.y.iloc[k]:.6f}",
                ),
                source=source,
                key="areas_at_one_point",
                rows=areas["area_id"].astype(str).to_numpy()[members].tolist(),
                fix=msg("areas_at_one_point_fix"),
            ),
            stacklevel=2,
        )
    return areas if keep else areas.loc[~left_out].reset_index(drop=True)


def check_layers(
    areas: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    *,
    candidates: gpd.GeoDataFrame | None = None,
    entrances: gpd.GeoDataFrame | None = None,
    accept: Accept = DEFAULT_ACCEPT,
    sources: dict[str, str | Message | None] | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None, list[str]]:
    """Every check within a layer: records listed twice (:func:`check_duplicates`) in each layer, then
    areas stacked at one point (:func:`areas_at_one_point`), whose entrances go with them.

    Parameters
    ----------
    areas, facilities : GeoDataFrame
        As read by :mod:`siting.inputs`.
    candidates, entrances : GeoDataFrame, optional
    accept : Accept
        What the planner accepts, e.g. ``Accept(duplicates="keep")``.
    sources : mapping, optional
        Layer name (``areas``, ``facilities``, ``candidates``) → its file, for the messages.

    Returns
    -------
    (GeoDataFrame, GeoDataFrame or None, list of str)
        The areas counted, their entrances, and the ids of the areas left out.
    """
    sources = sources or {}
    for name, frame, id_column in (
        ("areas", areas, "area_id"),
        ("facilities", facilities, "facility_id"),
        ("candidates", candidates, "candidate_id"),
    ):
        if frame is not None:
            check_duplicates(frame, id_column, keep=accept.duplicates == "keep", source=sources.get(name))
    counted = areas_at_one_point(areas, keep=accept.areas_at_one_point == "keep", source=sources.get("areas"))
    left_out = sorted(set(areas["area_id"]) - set(counted["area_id"]))
    if left_out and entrances is not None:  # their gates go with them
        entrances = entrances[~entrances["area_id"].isin(left_out)]
    return counted, entrances, left_out


def _distance_to_area_m(sites: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Straight-line distance from each site to the area its ``area_id`` names (0 inside), metres; NaN
    where the area is unknown (the snapping and compliance steps say so)."""
    metric = to_metric(areas)
    by_id = dict(zip(areas["area_id"].astype(str), metric.geometry.to_numpy(), strict=True))
    owners = sites["area_id"].to_numpy(dtype=object)
    own = np.array([by_id.get(str(a)) if a is not None else None for a in owners], dtype=object)
    known = np.array([g is not None for g in own], dtype=bool)
    points = sites.to_crs(metric.crs).geometry.to_numpy()
    distance = np.full(len(sites), np.nan)
    distance[known] = shapely.distance(points[known], own[known])
    return distance


def check_links(
    areas: gpd.GeoDataFrame,
    *,
    walk_m: float,
    facilities: gpd.GeoDataFrame | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    entrances: gpd.GeoDataFrame | None = None,
    accept: Accept = DEFAULT_ACCEPT,
    sources: dict[str, str | Message | None] | None = None,
) -> None:
    """Refuse (or, with ``accept.links == "keep"``, warn about) links that contradict the geometry.

    Parameters
    ----------
    areas : GeoDataFrame
        Residential areas (``area_id``).
    walk_m : float
        The walking distance, metres (:attr:`siting.reachability.WalkSettings.walk_distance_m`).
    facilities, candidates : GeoDataFrame, optional
        Sites with an ``area_id`` column (配建): each within ``walk_m`` of its area in a straight line.
    entrances : GeoDataFrame, optional
        Gates with ``area_id``: each within ``accept.gate_tolerance_m`` of its area's outline.
    sources : mapping, optional
        Layer name (``facilities``, ``candidates``, ``entrances``) → its file, for the messages.

    Raises
    ------
    SitingInputError
        Naming each row, the area it claims and the distance, and the key ``links`` that keeps them.
    """
    sources = sources or {}
    keep = accept.links == "keep"
    layers = [
        (name, frame, column)
        for name, frame, column in (
            ("facilities", facilities, "facility_id"),
            ("candidates", candidates, "candidate_id"),
        )
        if frame is not None and "area_id" in frame.columns and frame["area_id"].notna().any()
    ]
    for name, frame, column in layers:
        distance = _distance_to_area_m(frame, areas)
        far = np.flatnonzero(distance > walk_m)
        if far.size:
            _finding(
                msg("built_with_far", walk=f"{walk_m:,.0f}"),
                keep,
                source=sources.get(name),
                key="links",
                rows=[
                    f"{frame[column].iloc[i]} → {frame['area_id'].iloc[i]} ({distance[i]:,.0f} m)" for i in far.tolist()
                ],
                fix=msg("built_with_far_fix"),
            )
    if entrances is not None and len(entrances):
        distance = _distance_to_area_m(entrances, areas)
        far = np.flatnonzero(distance > accept.gate_tolerance_m)
        if far.size:
            _finding(
                msg("entrance_far", tolerance=f"{accept.gate_tolerance_m:g}"),
                keep,
                source=sources.get("entrances"),
                key="links",
                rows=[f"{i} → {entrances['area_id'].iloc[i]} ({distance[i]:,.0f} m)" for i in far.tolist()],
                fix=msg("entrance_far_fix"),
            )


def oversized_areas(
    areas: gpd.GeoDataFrame, network: StreetNetwork, *, max_snap_m: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Areas larger than all the street network reaches: its hull widened by ``max_snap_m``.

    No 小区 is larger than the streets that serve it; such a polygon is a county, city or province
    boundary drawn in its place, or a layer read in the wrong CRS. It would be snapped as "far from any
    street" and still count within the straight-line radius.

    Parameters
    ----------
    areas : GeoDataFrame
        Residential areas (``area_id``), any CRS.
    network : StreetNetwork
        The street network (projected, metres).
    max_snap_m : float
        Farthest a place may lie from a street and still be reached, metres.

    Returns
    -------
    (ndarray of int, ndarray of float, float)
        Positions of the oversized areas in ``areas``, their areas in square metres, and the
        network's reach in square metres.
    """
    reach_m2 = float(shapely.area(shapely.buffer(network.hull, max_snap_m)))
    area_m2 = shapely.area(in_network_crs(network, areas).geometry.to_numpy())
    oversized = np.flatnonzero(area_m2 > reach_m2)
    return oversized, area_m2[oversized], reach_m2


def check_area_sizes(
    areas: gpd.GeoDataFrame,
    network: StreetNetwork,
    *,
    max_snap_m: float = MAX_SNAP_M,
    accept: Accept = DEFAULT_ACCEPT,
    source: str | Message | None = None,
) -> None:
    """Refuse (or, with ``accept.links == "keep"``, warn about) areas larger than all the street network
    reaches (:func:`oversized_areas`).

    Raises
    ------
    SitingInputError
        Naming each area and its size in km², and the key ``links`` that keeps them.
    """
    far, area_m2, reach_m2 = oversized_areas(areas, network, max_snap_m=max_snap_m)
    if far.size:
        _finding(
            msg("area_larger_than_network", reach_km2=f"{reach_m2 / 1e6:,.2f}", snap_m=f"{max_snap_m:g}"),
            accept.links == "keep",
            source=source,
            key="links",
            rows=[f"{a} ({m2 / 1e6:,.2f} km²)" for a, m2 in zip(areas["area_id"].iloc[far], area_m2, strict=True)],
            fix=msg("area_larger_than_network_fix"),
        )
