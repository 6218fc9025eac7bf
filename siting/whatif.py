"""What-if on a live study: add, remove or resize centres and see every figure and rule change at once.

A :class:`WhatIf` session starts from a :class:`~siting.plan.Study` (``study.what_if()``) and keeps,
for every facility, the walks to the areas within reach of it (out to
:attr:`~siting.reachability.WalkSettings.limit_m`), its point on the street and the areas its floor
area is shared with. An edit touches only the changed site:

- ``add`` snaps the new point alone (:func:`siting.snapping.attach_points`) and searches the streets
  from it alone, bounded by the walk (:func:`siting.reachability.pair_distances`, which searches only
  the streets within reach of the site);
- ``remove`` drops the site's walks; the areas whose nearest centre it was take the next one from
  the walks already known;
- the floor area per 100 households is shared out again only for the changed site, by the check's
  own function (:func:`siting.compliance.floor_area_shares` on that one site), and the floor area
  available to an area is summed anew only for the areas the site shares with.

The headline figures (:attr:`WhatIf.summary`, the keys of ``summary.json``) follow from these
tables in a few milliseconds. The check's per-area table, its facility table and the rule verdicts
(:attr:`WhatIf.areas`, :attr:`WhatIf.rules`) are made on demand by
:func:`siting.compliance.check_compliance_pairs` from the same tables, with no new search of the
streets except, for areas beyond the reach of every centre, one search for their (distant) nearest
centre. Every figure equals a full run of the study on the same facilities
(``study.with_facilities(session.facilities)``), to rounding.
"""

from __future__ import annotations

import dataclasses
import gc
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting import validation
from siting.compliance import FACILITY_LEVELS, ComplianceResult, check_compliance_pairs, floor_area_shares, meets_rate
from siting.errors import SitingInputError, SitingWarning
from siting.inputs import prepare_facilities
from siting.labels import msg, term
from siting.plan import PROPOSED_LEVEL, Proposal, Study
from siting.projection import WGS84
from siting.reachability import _flags, check_within_network, nearest, pair_distances
from siting.reachability import _straight as straight_distances
from siting.snapping import Attachment, attach_points, in_network_crs, street_gap_m

#: Columns a facility file written by :meth:`WhatIf.to_scenario` keeps (what ``read_facilities`` reads).
SCENARIO_COLUMNS = (
    "facility_id",
    "name",
    "level",
    "floor_area_m2",
    "beds",
    "land_area_m2",
    "max_floor_area_m2",
    "beds_nursing",
    "beds_dementia",
    "services",
    "area_id",
)


@dataclass(frozen=True)
class _Site:
    """What the session knows of one facility: its walks, street point and floor-area sharing.

    Attributes
    ----------
    rows : numpy.ndarray
        Positions of the areas within ``limit_m`` along the streets.
    dist_m : numpy.ndarray
        Their walking distances, metres.
    attachment : Attachment
        The site's point on the street (one owner).
    point_m : shapely.Point
        The site in the network's metric CRS.
    shared_rows : numpy.ndarray
        Positions of the areas its floor area is shared with.
    share : float
        ``1 / H_f``: each sharing household's part of the floor area (0 when it shares with none).
    """

    rows: np.ndarray
    dist_m: np.ndarray
    attachment: Attachment
    point_m: Any
    shared_rows: np.ndarray
    share: float


@dataclass(frozen=True)
class _State:
    """One moment of the session (an entry of the undo history)."""

    facilities: gpd.GeoDataFrame
    sites: dict[str, _Site]
    best_dist_m: np.ndarray  # nearest walk within limit_m per area, inf beyond
    best_site: np.ndarray  # its facility id, None beyond
    straight_m: np.ndarray  # straight-line distance to the nearest facility, m (NaN without any)
    straight_site: np.ndarray
    per_household_m2: np.ndarray  # floor area available per household, m²
    #: results of this moment (summary, check), made on demand; a new state starts without any
    memo: dict[str, Any] = dataclasses.field(default_factory=dict, init=False, compare=False, repr=False)


class WhatIf:
    """A live what-if session on a study (``study.what_if()``).

    Parameters
    ----------
    study : Study
        The town as it is; every figure of :attr:`start_summary` is that study's.

    Attributes
    ----------
    study : Study
    start_summary : dict
        The headline figures at the start (the keys of :attr:`summary`).
    """

    def __init__(self, study: Study) -> None:
        self.study = study
        access = study.assess()
        self._access = access
        if access.area_attachment is None:  # assess_access always sets it
            raise TypeError("the study's assessment has no area attachment")
        self._area_attachment: Attachment = access.area_attachment
        self._areas = study.areas.reset_index(drop=True)
        self._area_ids = self._areas["area_id"].astype(str).to_numpy()
        self._areas_m = in_network_crs(study.network, self._areas).geometry.to_numpy()
        self._households = pd.to_numeric(self._areas["households"]).to_numpy(float)
        # each area's required rate, m² per 100 households (NaN: no verdict), as the check decides it
        self._rate = floor_area_shares(
            self._areas, study.facilities.iloc[:0], access.pairs.iloc[:0], study.profile, study.settings
        ).rate_m2_per_100hh
        self._area_xy = shapely.get_coordinates(self._area_attachment.points)
        self._area_tree = shapely.STRtree(self._areas.geometry.to_numpy())
        self._history: list[_State] = [self._initial_state()]  # [0] the start: undo and reset never drop it
        self.start_summary = self.summary
        # the garbage of the study's own computations (tens of thousands of objects on a district)
        # is collected now, at opening, not by a full collection in the middle of an edit
        gc.collect()

    # -- the start ------------------------------------------------------------------------------------
    def _initial_state(self) -> _State:
        study, access = self.study, self._access
        facilities = study.facilities.reset_index(drop=True)
        ids = facilities["facility_id"].astype(str).to_numpy()
        points_m = in_network_crs(study.network, facilities).geometry.to_numpy()
        attachment = attach_points(study.network, facilities, max_snap_m=study.settings.max_snap_m)
        pairs = access.pairs
        rows = pd.Index(self._area_ids).get_indexer(pairs["area_id"].astype(str))
        cols = pd.Index(ids).get_indexer(pairs["facility_id"].astype(str))
        shares = floor_area_shares(self._areas, facilities, pairs, study.profile, study.settings).matrix.tocsc()
        order = np.argsort(cols, kind="stable")
        cuts = np.searchsorted(cols[order], np.arange(len(ids) + 1))
        dist = pairs["dist_m"].to_numpy(float)
        sites = {}
        for j, fid in enumerate(ids):
            mine = order[cuts[j] : cuts[j + 1]]
            own = shares.indptr[j], shares.indptr[j + 1]
            sites[fid] = _Site(
                rows=rows[mine],
                dist_m=dist[mine],
                attachment=_one(attachment, j),
                point_m=points_m[j],
                shared_rows=shares.indices[own[0] : own[1]],
                share=float(shares.data[own[0]]) if own[1] > own[0] else 0.0,
            )
        best_dist, best_site = _best(sites, len(self._areas))
        start = access.areas.reset_index(drop=True)
        state = _State(
            facilities=facilities,
            sites=sites,
            best_dist_m=best_dist,
            best_site=best_site,
            straight_m=start["dist_m_straight"].to_numpy(float),
            straight_site=start["nearest_facility_straight"].to_numpy(object),
            per_household_m2=np.zeros(len(self._areas)),
        )
        return dataclasses.replace(state, per_household_m2=self._per_household(state, np.arange(len(self._areas))))

    @property
    def _state(self) -> _State:
        return self._history[-1]

    # -- edits ----------------------------------------------------------------------------------------
    def add(
        self,
        site_id: str | gpd.GeoDataFrame,
        lon: float | None = None,
        lat: float | None = None,
        *,
        floor_area_m2: float | None = None,
        level: str = PROPOSED_LEVEL,
        name: str | None = None,
        area_id: str | None = None,
    ) -> dict:
        """Build a centre at a point, or several at the points of a GeoDataFrame.

        Parameters
        ----------
        site_id : str or GeoDataFrame
            The new facility's id (its ``facility_id`` in the outputs); or sites with ``site_id``,
            ``facility_id`` or ``candidate_id``, points, and optional ``floor_area_m2``, ``level``,
            ``name``, ``area_id`` columns (one undo step for all of them).
        lon, lat : float
            Its position, WGS84 degrees.
        floor_area_m2 : float, optional
            Its floor area, m²; default the least the rule profile counts for one site (its
            single-site and community-centre minima).
        level : {"township", "community", "station", "county"}
        name : str, optional
            Default the id.
        area_id : str, optional
            The residential area it is built with (配建).

        Returns
        -------
        dict
            :attr:`summary` after the edit.
        """
        if isinstance(site_id, gpd.GeoDataFrame):
            rows = _site_rows(site_id, floor_area_m2, level)
        else:
            if lon is None or lat is None:
                raise SitingInputError(msg("whatif_position_needed", site=site_id), fix=msg("whatif_position_fix"))
            point = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=WGS84)
            rows = gpd.GeoDataFrame(
                {
                    "facility_id": [str(site_id)],
                    "name": [str(name) if name is not None else str(site_id)],
                    "level": [level],
                    "floor_area_m2": [floor_area_m2],
                    "area_id": [area_id],
                },
                geometry=point,
                crs=WGS84,
            )
        rows["floor_area_m2"] = [
            self._floor_area(fid, v) for fid, v in zip(rows["facility_id"], rows["floor_area_m2"], strict=True)
        ]
        return self._apply(self._added(self._state, rows))

    def remove(self, facility_id: str) -> dict:
        """Close a facility (an existing one or one added in the session); returns :attr:`summary`."""
        state = self._state
        self._known(facility_id)
        kept = state.facilities[state.facilities["facility_id"].astype(str) != str(facility_id)].reset_index(drop=True)
        sites = {k: v for k, v in state.sites.items() if k != str(facility_id)}
        gone = state.sites[str(facility_id)]
        best_dist, best_site = state.best_dist_m.copy(), state.best_site.copy()
        lost = np.flatnonzero(best_site == str(facility_id))
        if len(lost):
            again_dist, again_site = _best(sites, len(self._areas), among=lost)
            best_dist[lost], best_site[lost] = again_dist[lost], again_site[lost]
        straight, straight_site = state.straight_m.copy(), state.straight_site.copy()
        lost = np.flatnonzero(straight_site == str(facility_id))
        if len(lost):
            straight[lost], straight_site[lost] = self._straight(kept, lost)
        moved = _State(kept, sites, best_dist, best_site, straight, straight_site, state.per_household_m2)
        return self._apply(self._reshared(moved, gone.shared_rows))

    def resize(self, facility_id: str, floor_area_m2: float) -> dict:
        """Enlarge or shrink a facility to ``floor_area_m2`` (m²); returns :attr:`summary`."""
        self._known(facility_id)
        return self._apply(self._resized(self._state, str(facility_id), self._floor_area(facility_id, floor_area_m2)))

    def load(self, proposal: Proposal | gpd.GeoDataFrame) -> dict:
        """Build an optimiser's plan (:meth:`siting.plan.Study.propose`) in one step, to be tweaked:
        its new centres are added and its enlargements made. Undo takes it back whole."""
        planned = self.study.apply(proposal)
        state = self._state
        new = planned[planned["proposed"].to_numpy(bool)]
        kept = planned[~planned["proposed"].to_numpy(bool)]
        sizes = pd.Series(kept["floor_area_m2"].to_numpy(float), index=kept["facility_id"].astype(str))
        current = state.facilities.set_index(state.facilities["facility_id"].astype(str))["floor_area_m2"]
        for fid in sizes.index[sizes.index.isin(current.index)]:
            if sizes[fid] != current[fid]:
                state = self._resized(state, fid, float(sizes[fid]))
        if len(new):
            added = new[[c for c in ("facility_id", "name", "level", "floor_area_m2", "area_id") if c in new]]
            state = self._added(state, gpd.GeoDataFrame(added, geometry=new.geometry, crs=new.crs))
        return self._apply(state)

    def undo(self) -> dict:
        """Take back the last edit (nothing to take back at the start); returns :attr:`summary`."""
        if len(self._history) > 1:
            self._history.pop()
        return self.summary

    def reset(self) -> dict:
        """Back to the start, every edit taken back; returns :attr:`summary`."""
        del self._history[1:]
        return self.summary

    @property
    def steps(self) -> int:
        """Edits made since the start (what :meth:`undo` can take back)."""
        return len(self._history) - 1

    # -- what the session shows ---------------------------------------------------------------------------
    @property
    def facilities(self) -> gpd.GeoDataFrame:
        """The facilities now, in the study's CRS, with their ids as in the outputs (``facility_id``);
        those added in the session have ``proposed`` True."""
        return self._state.facilities.copy()

    @property
    def facility_ids(self) -> list[str]:
        """The ids of the facilities now, as the outputs name them (``facility_id``), in table order."""
        return self._state.facilities["facility_id"].astype(str).tolist()

    @property
    def summary(self) -> dict:
        """The headline figures now, with the keys of ``summary.json`` (see :func:`siting.pipeline.headline`)."""
        from siting.pipeline import headline

        return self._memo("summary", lambda: headline(self._verdicts()))

    def _verdicts(self) -> pd.DataFrame:
        """Per area: the walk, radius and floor-area verdicts the headline counts."""
        state, settings = self._state, self.study.settings
        decided = ~np.isnan(self._rate)
        required = self._households / 100.0 * self._rate
        available = self._households * state.per_household_m2
        ok = pd.array(np.where(decided, meets_rate(available, required), False), dtype="boolean")
        ok[~decided] = pd.NA
        return pd.DataFrame(
            {
                "area_id": self._area_ids,
                "households": self._households,
                "within_walk": settings.within_m(state.best_dist_m),
                "within_radius": settings.within_m(state.straight_m, settings.service_radius_m),
                "within_radius_network": settings.within_m(state.best_dist_m, settings.service_radius_m),
                "floor_area_ok": ok,
                "shortfall_m2": np.where(decided, np.clip(required - available, 0.0, None), np.nan),
            }
        )

    @property
    def verdicts(self) -> pd.DataFrame:
        """Per area, fast: ``area_id``, ``households``, ``within_walk``, ``within_radius``,
        ``within_radius_network``, ``floor_area_ok`` (NA: not judged) and ``shortfall_m2`` (m²), for maps."""
        return self._memo("verdicts", self._verdicts).copy()

    def check(self) -> ComplianceResult:
        """The compliance check of the facilities now, as a full run makes it (made on demand, kept)."""
        return self._memo("check", self._check)

    @property
    def areas(self) -> gpd.GeoDataFrame:
        """The check's per-area table now (:attr:`siting.compliance.ComplianceResult.areas`)."""
        return self.check().areas

    @property
    def rules(self) -> pd.DataFrame:
        """The rule verdicts now (:attr:`siting.compliance.ComplianceResult.rules`)."""
        return self.check().rules

    @property
    def start_rules(self) -> pd.DataFrame:
        """The rule verdicts at the start (the study's own check)."""
        return self.study.check().rules

    @property
    def changes(self) -> pd.DataFrame:
        """What differs from the start, one row per facility added, closed or resized.

        Columns ``facility_id``, ``name``, ``level``, ``change`` (``added``, ``removed``,
        ``resized``), ``floor_area_m2_before``, ``floor_area_m2_after`` (m², NaN where there is none).
        """
        start = self._history[0].facilities
        before = start.set_index(start["facility_id"].astype(str))
        now = self._state.facilities.set_index(self._state.facilities["facility_id"].astype(str))
        ids = list(dict.fromkeys([*before.index, *now.index]))
        rows = []
        for fid in ids:
            was, is_ = fid in before.index, fid in now.index
            size_before = float(before.at[fid, "floor_area_m2"]) if was else np.nan
            size_now = float(now.at[fid, "floor_area_m2"]) if is_ else np.nan
            change = "added" if not was else "removed" if not is_ else "resized" if size_before != size_now else None
            if change is not None:
                source = now if is_ else before
                rows.append((fid, source.at[fid, "name"], source.at[fid, "level"], change, size_before, size_now))
        return pd.DataFrame(
            rows,
            columns=["facility_id", "name", "level", "change", "floor_area_m2_before", "floor_area_m2_after"],
        )

    def figures(self) -> pd.DataFrame:
        """The headline figures at the start and now, one row per key: ``start``, ``now``, ``change``."""
        start, now = self.start_summary, self.summary
        table = pd.DataFrame({"start": pd.Series(start, dtype=float), "now": pd.Series(now, dtype=float)})
        table["change"] = table["now"] - table["start"]
        return table

    def to_scenario(self, folder: str | Path, *, name: str | None = None) -> Path:
        """Write the facilities now and a scenario file that ``siting run`` reproduces this what-if with.

        The folder gets ``facilities.gpkg`` (layer ``facilities``, WGS84) and ``scenario.yml``: the
        study's scenario with its facilities replaced by that file, without ``optimize`` (the centres
        are all in the file), writing to ``out/`` beside it. The folder is written whole or not at all.

        Parameters
        ----------
        folder : path
        name : str, optional
            The scenario's name; default the study's scenario name followed by “推演” (what-if).

        Returns
        -------
        Path
            The scenario file.

        Raises
        ------
        SitingInputError
            When the study was not opened from a scenario (:meth:`siting.plan.Study.from_scenario`):
            there are then no files for the streets and areas to name.
        """
        import yaml

        from siting.files import check_output_path
        from siting.report import atomic_folder

        scenario = self.study.scenario
        if scenario is None:
            raise SitingInputError(msg("whatif_no_scenario"), fix=msg("whatif_no_scenario_fix"))
        target = check_output_path(folder).resolve()
        # its description described the scenario it came from; the note at the top says what this is
        config = {k: v for k, v in scenario.config.items() if k not in ("optimize", "output", "description")}
        facilities_spec: dict[str, Any] = {"path": "facilities.gpkg", "layer": "facilities"}
        if "max_floor_area_m2" in scenario.config["facilities"]:
            facilities_spec["max_floor_area_m2"] = scenario.config["facilities"]["max_floor_area_m2"]
        config["facilities"] = facilities_spec
        config["name"] = name if name is not None else term("whatif_scenario_name", name=scenario.name)
        config["output"] = "out"
        frame = self._state.facilities
        written = frame[[c for c in SCENARIO_COLUMNS if c in frame.columns]].copy()
        written = gpd.GeoDataFrame(written, geometry=frame.geometry.to_crs(WGS84).to_numpy(), crs=WGS84)
        with atomic_folder(target) as tmp:
            written.to_file(tmp / "facilities.gpkg", layer="facilities", driver="GPKG")
            source = scenario.path if scenario.path is not None else scenario.name
            note = term("whatif_scenario_note", source=source, changes=self.steps)
            text = f"# {note}\n" + yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
            (tmp / "scenario.yml").write_text(text, encoding="utf-8")
        return target / "scenario.yml"

    # -- the workings ---------------------------------------------------------------------------------------
    def _memo(self, key: str, compute: Any) -> Any:
        """A result of the state now, kept with it (an undo brings the earlier one back)."""
        memo = self._state.memo
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def _apply(self, state: _State) -> dict:
        self._history.append(state)
        return self.summary

    def _known(self, facility_id: str) -> int:
        """Row of a facility of the session; an unknown id is refused naming those there are."""
        ids = self._state.facilities["facility_id"].astype(str).to_numpy()
        row = np.flatnonzero(ids == str(facility_id))
        if not len(row):
            raise SitingInputError(
                msg("whatif_unknown_facility", id=facility_id, n=len(ids)),
                fix=msg("whatif_unknown_facility_fix"),
            )
        return int(row[0])

    def _floor_area(self, facility_id: str, floor_area_m2: Any) -> float:
        """A floor area to build, m²: the one given (validated), else the least the profile counts."""
        if floor_area_m2 is None or (isinstance(floor_area_m2, float) and np.isnan(floor_area_m2)):
            least = self.study.profile.least_site_area_m2()
            if least <= 0:
                raise SitingInputError(
                    msg("whatif_floor_area_needed", site=facility_id), fix=msg("whatif_floor_area_needed_fix")
                )
            return least
        found = validation.problem("floor_area_m2", floor_area_m2)
        if found is not None:
            raise SitingInputError(found, column="floor_area_m2", rows=[str(facility_id)])
        return float(floor_area_m2)

    def _added(self, state: _State, rows: gpd.GeoDataFrame) -> _State:
        """``state`` with the sites of ``rows`` built: each snapped and searched from on its own."""
        study = self.study
        ids = rows["facility_id"].astype(str)
        taken = sorted(set(ids[ids.isin(state.sites.keys()) | ids.duplicated()]))
        if taken:
            raise SitingInputError(msg("whatif_id_taken", ids=taken), fix=msg("whatif_id_taken_fix"))
        bad = ~rows["level"].isin(FACILITY_LEVELS)
        if bad.any():
            raise SitingInputError(
                msg("level_invalid", levels=list(FACILITY_LEVELS)), column="level", rows=ids[bad].tolist()
            )
        rows = rows.to_crs(state.facilities.crs)
        check_within_network(study.network, rows, "facility_id")
        new = rows.assign(proposed=True, added_floor_area_m2=rows["floor_area_m2"].to_numpy(float))
        new = prepare_facilities(new, study.units)  # the rows added only: the others are prepared
        facilities = pd.concat([state.facilities, new], ignore_index=True)
        facilities = gpd.GeoDataFrame(facilities, geometry="geometry", crs=state.facilities.crs)
        attachment = attach_points(study.network, rows, max_snap_m=study.settings.max_snap_m)
        if len(attachment.unattached):
            warnings.warn(
                SitingWarning(
                    msg(
                        "sites_unattached",
                        what=msg("what_facilities"),
                        n=len(attachment.unattached),
                        max_snap_m=f"{study.settings.max_snap_m:g}",
                    ),
                    column="facility_id",
                    rows=ids.to_numpy()[attachment.unattached].tolist(),
                ),
                stacklevel=3,
            )
        nearby = self._areas_near(shapely.get_coordinates(attachment.points))
        table = pair_distances(study.network, nearby, attachment, study.settings.limit_m)
        origin, destination = table["origin"].to_numpy(), table["destination"].to_numpy()
        dist = table["dist_m"].to_numpy(float)
        points_m = in_network_crs(study.network, rows).geometry.to_numpy()
        sites = dict(state.sites)
        best_dist, best_site = state.best_dist_m.copy(), state.best_site.copy()
        straight, straight_site = state.straight_m.copy(), state.straight_site.copy()
        touched = []
        for j, fid in enumerate(ids):
            mine = destination == j
            shared, share = self._sharing(new.iloc[[j]], origin[mine], dist[mine])
            sites[fid] = _Site(origin[mine], dist[mine], _one(attachment, j), points_m[j], shared, share)
            closer = dist[mine] < best_dist[origin[mine]]
            best_dist[origin[mine][closer]] = dist[mine][closer]
            best_site[origin[mine][closer]] = fid
            gap = shapely.distance(self._areas_m, points_m[j])
            nearer = ~(gap >= straight)  # NaN (no facility yet) counts as farther
            straight[nearer], straight_site[nearer] = gap[nearer], fid
            touched.append(shared)
        moved = _State(facilities, sites, best_dist, best_site, straight, straight_site, state.per_household_m2)
        return self._reshared(moved, np.unique(np.concatenate(touched)) if touched else np.array([], np.int64))

    def _resized(self, state: _State, facility_id: str, floor_area_m2: float) -> _State:
        """``state`` with one facility at another floor area: its sharing and its areas' floor area anew."""
        facilities = state.facilities.copy()
        row = int(np.flatnonzero(facilities["facility_id"].astype(str).to_numpy() == facility_id)[0])
        facilities.loc[row, "floor_area_m2"] = floor_area_m2
        site = state.sites[facility_id]
        shared, share = self._sharing(facilities.loc[[row]], site.rows, site.dist_m)
        sites = {**state.sites, facility_id: dataclasses.replace(site, shared_rows=shared, share=share)}
        moved = dataclasses.replace(state, facilities=facilities, sites=sites)
        return self._reshared(moved, np.union1d(site.shared_rows, shared))

    def _areas_near(self, sites_xy: np.ndarray) -> Attachment:
        """The areas' access points a walk from the sites (metric x, y) could reach within ``limit_m``.

        A walk is never shorter than the straight line (up to the network's slack), so the points
        farther than that from every site are left out of the search: its graph then holds the
        streets and the few areas near the sites, not every area's legs.
        """
        att = self._area_attachment
        radius = self.study.settings.limit_m + self.study.network.straight_line_slack_m
        if not np.isfinite(radius) or not len(sites_xy):
            return att
        near = np.zeros(len(att.owner), bool)
        for x, y in sites_xy:
            near |= np.hypot(self._area_xy[:, 0] - x, self._area_xy[:, 1] - y) <= radius
        return dataclasses.replace(
            att, owner=att.owner[near], edge=att.edge[near], offset_m=att.offset_m[near],
            gap_m=att.gap_m[near], points=att.points[near],
        )  # fmt: skip

    def _sharing(self, site: gpd.GeoDataFrame, rows: np.ndarray, dist_m: np.ndarray) -> tuple[np.ndarray, float]:
        """The areas one site's floor area is shared with and each household's part, by the check's function.

        Only the areas that can share it are passed: those within reach, the one it is built with
        (``area_id``) and those it stands in (which decide whom a new area's own centre serves).
        """
        settings = self.study.settings
        point = site.geometry.to_crs(self._areas.crs).representative_point().iloc[0]
        named = pd.Index(self._area_ids).get_indexer(pd.Series(site.get("area_id", [None])).dropna().astype(str))
        subset = np.unique(np.r_[rows, self._area_tree.query(point, predicate="intersects"), named[named >= 0]])
        pairs = pd.DataFrame(
            {
                "area_id": self._area_ids[rows],
                "facility_id": str(site["facility_id"].iloc[0]),
                "walk_min": dist_m / settings.walk_speed_m_per_min,
            }
        )
        areas = self._areas.iloc[subset]
        shares = floor_area_shares(areas, site, pairs, self.study.profile, settings).matrix.tocsc()
        return subset[shares.indices], float(shares.data[0]) if shares.nnz else 0.0

    def _reshared(self, state: _State, touched: np.ndarray) -> _State:
        """``state`` with the floor area per household summed anew for the ``touched`` areas."""
        if not len(touched):
            return state
        per_household = state.per_household_m2.copy()
        per_household[touched] = self._per_household(state, touched)[touched]
        return dataclasses.replace(state, per_household_m2=per_household)

    def _per_household(self, state: _State, touched: np.ndarray) -> np.ndarray:
        """Floor area available per household, m², summed over the sites sharing with the ``touched`` areas
        (other areas 0)."""
        sizes = state.facilities.set_index(state.facilities["facility_id"].astype(str))["floor_area_m2"]
        ids = list(state.sites)
        rows = [state.sites[f].shared_rows for f in ids]
        each = np.array([state.sites[f].share * float(sizes[f]) for f in ids])
        counts = np.array([len(r) for r in rows], dtype=np.int64)
        flat = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        values = np.repeat(each, counts) if len(each) else np.zeros(0)
        wanted = np.zeros(len(self._areas), bool)
        wanted[touched] = True
        keep = wanted[flat]
        return np.bincount(flat[keep], weights=values[keep], minlength=len(self._areas))

    def _straight(self, facilities: gpd.GeoDataFrame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Straight-line distance (m, 0 inside) from the areas at ``rows`` to their nearest facility."""
        net = self.study.network
        areas = gpd.GeoDataFrame(geometry=self._areas_m[rows], crs=net.crs)
        points = in_network_crs(net, facilities.assign(facility_id=facilities["facility_id"].astype(str)))
        return straight_distances(areas, points, net.crs)

    def _check(self) -> ComplianceResult:
        """The full check of the facilities now, from the session's walks (no new search within reach)."""
        study, state, settings = self.study, self._state, self.study.settings
        ids = list(state.sites)
        sites = [state.sites[f] for f in ids]
        areas = self._areas.copy()
        dist = np.where(np.isfinite(state.best_dist_m), state.best_dist_m, np.nan)
        nearest_id = state.best_site.copy()
        far = np.flatnonzero(~np.isfinite(state.best_dist_m))
        if len(far) and len(sites):
            # beyond the reach of every centre: the (distant) nearest one, as the full run finds it
            att = _joined([s.attachment for s in sites])
            far_dist, which = nearest(study.network, self._area_attachment, att)
            found = far[np.isfinite(far_dist[far])]
            dist[found] = far_dist[found]
            nearest_id[found] = np.asarray(ids, dtype=object)[which[found]]
        areas["dist_m_network"] = dist
        areas["walk_min"] = dist / settings.walk_speed_m_per_min
        areas["nearest_facility"] = nearest_id
        areas["dist_m_straight"], areas["nearest_facility_straight"] = state.straight_m, state.straight_site
        _flags(areas, settings)  # the walk, band and radius verdicts, as assess_access sets them
        areas["reachable"] = np.isfinite(dist)
        start = self._access.areas.reset_index(drop=True)
        reason = np.full(len(areas), None, dtype=object)
        reason[~np.isfinite(dist)] = "no_facility_in_reach"
        reason[(start["unreachable_reason"] == "no_street_nearby").to_numpy()] = "no_street_nearby"
        areas["unreachable_reason"] = reason
        areas["street_gap_m"] = start["street_gap_m"].to_numpy()
        facilities = state.facilities.copy()
        mine = _joined([state.sites[f].attachment for f in facilities["facility_id"].astype(str)])
        facilities["attached"] = ~np.isin(np.arange(len(facilities)), mine.unattached)
        facilities["street_gap_m"] = street_gap_m(study.network, in_network_crs(study.network, facilities), mine)
        counts = np.array([len(s.rows) for s in sites], dtype=np.int64)
        origin = np.concatenate([s.rows for s in sites]) if sites else np.zeros(0, np.int64)
        walk = np.concatenate([s.dist_m for s in sites]) if sites else np.zeros(0)
        owner = np.repeat(np.arange(len(sites)), counts)
        rank = pd.Index(state.facilities["facility_id"].astype(str)).get_indexer(ids)[owner]
        order = np.lexsort((rank, walk, origin))
        pairs = pd.DataFrame(
            {
                "area_id": self._area_ids[origin[order]],
                "facility_id": np.asarray(ids, dtype=object)[owner[order]],
                "dist_m": walk[order],
                "walk_min": walk[order] / settings.walk_speed_m_per_min,
            }
        )
        return check_compliance_pairs(
            gpd.GeoDataFrame(areas, geometry="geometry", crs=self._areas.crs),
            facilities,
            pairs,
            study.profile,
            settings=settings,
            units=study.units,
        )


def _one(attachment: Attachment, owner: int) -> Attachment:
    """The access points of one feature of an attachment, as an attachment of that feature alone."""
    mine = attachment.owner == owner
    return Attachment(
        owner=np.zeros(int(mine.sum()), np.int64),
        edge=attachment.edge[mine],
        offset_m=attachment.offset_m[mine],
        gap_m=attachment.gap_m[mine],
        points=attachment.points[mine],
        n_owners=1,
        unattached=np.array([], np.int64) if mine.any() else np.array([0], np.int64),
    )


def _joined(parts: list[Attachment]) -> Attachment:
    """Attachments of single features joined into one, feature ``i`` being ``parts[i]``."""
    counts = np.array([len(p.owner) for p in parts], dtype=np.int64)
    return Attachment(
        owner=np.repeat(np.arange(len(parts)), counts),
        edge=np.concatenate([p.edge for p in parts]),
        offset_m=np.concatenate([p.offset_m for p in parts]),
        gap_m=np.concatenate([p.gap_m for p in parts]),
        points=np.concatenate([p.points for p in parts]),
        n_owners=len(parts),
        unattached=np.flatnonzero(counts == 0),
    )


def _best(sites: dict[str, _Site], n_areas: int, among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each area's nearest walk within reach (inf beyond) and its facility id (None), from the sites' walks.

    With ``among``, only those areas are looked at (the others stay inf/None).
    """
    ids = list(sites)
    counts = np.array([len(sites[f].rows) for f in ids], dtype=np.int64)
    rows = np.concatenate([sites[f].rows for f in ids]) if ids else np.zeros(0, np.int64)
    dist = np.concatenate([sites[f].dist_m for f in ids]) if ids else np.zeros(0)
    owner = np.repeat(np.arange(len(ids)), counts)
    if among is not None:
        wanted = np.zeros(n_areas, bool)
        wanted[among] = True
        keep = wanted[rows]
        rows, dist, owner = rows[keep], dist[keep], owner[keep]
    best_dist, best_site = np.full(n_areas, np.inf), np.full(n_areas, None, dtype=object)
    order = np.lexsort((owner, dist, rows))
    first = order[np.r_[True, rows[order][1:] != rows[order][:-1]]] if len(order) else order
    best_dist[rows[first]] = dist[first]
    best_site[rows[first]] = np.asarray(ids, dtype=object)[owner[first]]
    return best_dist, best_site


def _site_rows(sites: gpd.GeoDataFrame, floor_area_m2: float | None, level: str) -> gpd.GeoDataFrame:
    """Sites to add from a GeoDataFrame: id, name, level, floor area and area they are built with."""
    id_column = next((c for c in ("site_id", "facility_id", "candidate_id") if c in sites.columns), None)
    if id_column is None:
        raise SitingInputError(msg("whatif_sites_no_id"), column="site_id", fix=msg("whatif_sites_no_id_fix"))
    ids = sites[id_column].astype(str).to_numpy()
    return gpd.GeoDataFrame(
        {
            "facility_id": ids,
            "name": sites["name"].astype(str).to_numpy() if "name" in sites.columns else ids,
            "level": sites["level"].to_numpy() if "level" in sites.columns else level,
            "floor_area_m2": (
                pd.to_numeric(sites["floor_area_m2"]).to_numpy(float)
                if "floor_area_m2" in sites.columns
                else np.full(len(sites), np.nan if floor_area_m2 is None else float(floor_area_m2))
            ),
            "area_id": sites["area_id"].to_numpy() if "area_id" in sites.columns else None,
        },
        geometry=sites.geometry.representative_point().to_numpy(),
        crs=sites.crs,
    )


__all__ = ["WhatIf"]
