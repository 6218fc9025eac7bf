"""Street files read into arrays: OpenStreetMap PBF ways and OSMnx GraphML, without a networkx graph.

A city's street graph in networkx costs gigabytes of Python objects before
:mod:`siting.network` reads it into arrays; these readers go from the file to the arrays
directly. They parse only: which ways are walkable and how the network is built from them is
:mod:`siting.network`'s job.

PBF is read with pyosmium (libosmium), which decodes the file in C++ and keeps a node location
index, so that every way arrives with its nodes' coordinates. Python sees only the ways with a
``highway`` tag (a C++ filter drops the rest) and, of those, reads the nodes of the ways the caller
keeps: on a generated city of a million street nodes that is under a second (measured in
``benchmarks/optimize.py``, step ``read``), where a hand-written numpy decoder of the protobuf
blocks would have to re-implement what libosmium already does well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

#: The OSM way tags a walking network reads: the walking filter's and the edges' columns.
WAY_TAGS = (
    "highway",
    "area",
    "access",
    "foot",
    "service",
    "sidewalk",
    "sidewalk:both",
    "sidewalk:left",
    "sidewalk:right",
    "maxspeed",
    "name",
)

#: libosmium's coordinate of a node that the file does not hold (a way clipped by the extract).
_UNDEFINED = 2**31 - 1


@dataclass
class PbfWays:
    """The kept ways of a PBF file with their nodes, flat.

    Attributes
    ----------
    way_ids : ndarray of shape (w,)
        OSM way ids.
    tags : dict of str to ndarray of shape (w,)
        The :data:`WAY_TAGS` of each way, None where absent.
    offsets : ndarray of shape (w + 1,)
        Way ``i``'s nodes are ``node_refs[offsets[i]:offsets[i + 1]]``.
    node_refs : ndarray of shape (r,)
        OSM node ids along the ways, in way order.
    node_lonlat : ndarray of shape (r, 2)
        Their longitude/latitude in degrees, as libosmium stores them (1e-7° integers; a
        coordinate beyond ±214.7° does not fit and arrives wrapped, see :attr:`invalid`).
    invalid : ndarray of shape (r,) of bool
        Nodes whose location libosmium holds as invalid (beyond ±180°/±90° once decoded).
    """

    way_ids: np.ndarray
    tags: dict[str, np.ndarray]
    offsets: np.ndarray
    node_refs: np.ndarray
    node_lonlat: np.ndarray
    invalid: np.ndarray


def read_pbf_ways(path: Path, keep: Callable[[Mapping[str, str | None]], bool]) -> PbfWays:
    """The ways with a ``highway`` tag that ``keep`` accepts (given their :data:`WAY_TAGS`), with
    their nodes' ids and coordinates, in one pass over the file.

    Nodes the file does not hold (ways cut by the extract's edge) are left out of their ways, as
    pyrosm leaves them out. Raises whatever pyosmium raises on a file it cannot read.
    """
    import osmium

    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    way_ids: list[int] = []
    values: dict[str, list[str | None]] = {key: [] for key in WAY_TAGS}
    counts: list[int] = []
    nodes: list[tuple[int, int, int]] = []
    for obj in processor:
        way = cast("osmium.osm.Way", obj)  # the entity filter passes ways only
        tags = {key: way.tags.get(key) for key in WAY_TAGS}
        if not keep(tags):
            continue
        way_ids.append(way.id)
        for key, value in tags.items():
            values[key].append(value)
        before = len(nodes)
        nodes.extend([(n.ref, n.x, n.y) for n in way.nodes])
        counts.append(len(nodes) - before)
    table = np.array(nodes, dtype=np.int64).reshape(-1, 3)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    missing = table[:, 1] == _UNDEFINED
    if missing.any():
        way_of = np.repeat(np.arange(len(counts)), counts)[~missing]
        table = table[~missing]
        np.cumsum(np.bincount(way_of, minlength=len(counts)), out=offsets[1:])
    lonlat = table[:, 1:] / 1e7
    invalid = (np.abs(lonlat[:, 0]) > 180) | (np.abs(lonlat[:, 1]) > 90)
    return PbfWays(
        way_ids=np.asarray(way_ids, dtype=np.int64),
        tags={key: np.array(column, dtype=object) for key, column in values.items()},
        offsets=offsets,
        node_refs=table[:, 0].copy(),
        node_lonlat=lonlat,
        invalid=invalid,
    )
