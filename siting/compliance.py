"""Policy compliance: floor area per 100 households, single-site minimum, township and community
networks, coverage targets, land per resident and beds per 1,000 elderly.

Everything is judged against a rule profile (:mod:`siting.profiles`), and every verdict says which
rule and which profile decided it.

Floor area per 100 households (每百户配建面积)
    An area's requirement is ``households / 100 × rate`` with the rate of its status
    (``new_area_m2_per_100hh`` or ``existing_area_m2_per_100hh``). The floor area available to it is
    shared out by a two-step floating catchment (2SFCA) with **households** as the demand:

    1. every counted facility *f* divides its floor area ``A_f`` (m²) among the households in its
       walking catchment, ``R_f = A_f / H_f`` (m² per household), where ``H_f`` is the sum of
       households of the areas within ``walk_minutes`` of *f* for which *f* counts;
    2. an area *i* gets ``available_i = households_i × Σ_f R_f`` over the counted facilities it
       reaches, so ``floor_area_per_100hh = 100 × Σ_f R_f``.

    :func:`floor_area_shares` is the one place this sharing is computed (a sparse matrix of
    ``1 / H_f``); the optimisers call it too, so a plan is judged by the same arithmetic as the check.

    Households (not required floor area) are the demand because the floor area serves people: a
    household in a new area and one in an existing area get the same share of a shared facility,
    and changing one status's rate changes only that status's verdicts. The shares of one facility
    add up to its floor area, so total available = total counted floor area that reaches anyone.
    An area with 0 households needs nothing and gets no verdict (``floor_area_ok`` NA, reason
    ``no_households``), so it counts neither for nor against the compliance rate by areas.

Single-site minimum (单处最小面积)
    A facility below ``min_site_area_m2`` does not count for new areas; below
    ``existing_min_site_area_m2`` it does not count for existing areas (Jining states a minimum for
    new areas only). A null minimum means every site counts. Only levels ``township``,
    ``community`` and ``station`` count toward the floor-area rule: county institutions
    (养老院, 特困供养机构) serve the whole county, not the neighbourhood the rule is about.

Townships and communities
    A township's comprehensive centre is a ``township``-level facility located in it (by the
    facilities' ``township`` column, or by point-in-polygon with the units) with floor area at least
    ``township_centre_min_m2``. Its catchment covers the households of the township's areas that lie
    within the walking cutoff of such a centre of the *same* township; 服务半径全覆盖 is judged as
    ``covered_share >= township_centre_catchment_share``. A community is served when a
    ``community`` or ``station`` facility in it has at least ``community_centre_min_m2``. Coverage
    rates are the share of townships (streets and towns apart; a unit is a street when its name
    contains 街道 or ends in 办事处, unless the units carry ``unit_type``) and of communities with a
    qualifying centre, compared with ``street_centre_coverage``, ``township_centre_coverage`` and
    ``community_facility_coverage`` (Jining's township target is strict: > 60%).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from siting.errors import SitingInputError
from siting.inputs import assign_units
from siting.labels import column_label, msg, relabel, value_label
from siting.profiles import Profile, load_profile
from siting.reachability import Accessibility, WalkSettings

FACILITY_LEVELS = ("county", "township", "community", "station")
FLOOR_AREA_LEVELS = ("township", "community", "station")
COMMUNITY_LEVELS = ("community", "station")
STATUSES = ("new", "existing")
RATE_KEYS = {"new": "new_area_m2_per_100hh", "existing": "existing_area_m2_per_100hh"}
MIN_SITE_KEYS = {"new": "min_site_area_m2", "existing": "existing_min_site_area_m2"}
# Verdicts compare m² figures that went through divisions; a relative slack keeps "exactly at the
# rate" (不低于) a pass.
RELATIVE_TOLERANCE = 1e-9


@dataclass
class ComplianceResult:
    """What :func:`check_compliance` found.

    Attributes
    ----------
    areas : GeoDataFrame
        The input areas plus ``required_floor_area_m2``, ``available_floor_area_m2``,
        ``floor_area_per_100hh`` (m² per 100 households), ``shortfall_m2``, ``floor_area_ok``
        (nullable boolean: NA when the profile has no rate for the area's status, reason
        ``rate_not_set``, or the area has 0 households, reason ``no_households``),
        ``floor_area_rule`` (e.g. ``"new_area_m2_per_100hh=20"``), ``floor_area_rule_source``,
        ``facilities_counted``, ``fail_reason`` (code, empty when compliant) and ``profile``.
    facilities : GeoDataFrame
        The input facilities plus ``below_min_site``, ``below_min_site_existing``,
        ``counts_for_new``, ``counts_for_existing``, ``counts_toward_compliance``,
        ``catchment_households`` (demand H_f), ``floor_area_m2_per_hh`` (R_f), ``areas_served``,
        ``qualified_township_centre`` and ``qualified_community_centre`` (level and minimum
        area met).
    townships, communities : DataFrame
        One row per unit with its centre check and floor-area compliance rates.
    coverage : DataFrame
        Coverage-rate targets per level: ``level``, ``units``, ``units_with_centre``, ``rate``,
        ``target``, ``comparison``, ``met``, ``source``.
    summary : dict
        Headline figures (English keys; see :meth:`summary_table` for labelled rows).
    failing : DataFrame
        Areas failing the floor-area rule with the reason, largest shortfall first.
    profile : Profile
    settings : WalkSettings
        The walking circle the verdicts used.
    """

    areas: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    townships: pd.DataFrame
    communities: pd.DataFrame
    coverage: pd.DataFrame
    summary: dict
    failing: pd.DataFrame
    profile: Profile = field(repr=False)
    settings: WalkSettings = field(default_factory=WalkSettings, repr=False)

    def summary_table(self, language: str = "zh") -> pd.DataFrame:
        """The reviewer's summary: one row per figure with its target, verdict and source.

        Parameters
        ----------
        language : {"zh", "en"}

        Returns
        -------
        DataFrame
            Columns (labelled in ``language``): item, value, target, met, source.
        """
        s, p = self.summary, self.profile
        rows = [
            ("profile", s["profile"], None, None, " → ".join(p.chain)),
            ("walk_minutes", s["walk_minutes"], None, None, self.settings.sources.get("walk_minutes")),
            ("areas", s["areas"], None, None, None),
            ("households", s["households"], None, None, None),
            (
                "compliance_rate_areas",
                _percent(s["compliance_rate_areas"]),
                _percent(s["compliance_target"]),
                s["compliance_target_met_areas"],
                p.source("floor_area_compliance_target"),
            ),
            (
                "compliance_rate_households",
                _percent(s["compliance_rate_households"]),
                _percent(s["compliance_target"]),
                s["compliance_target_met_households"],
                p.source("floor_area_compliance_target"),
            ),
            ("areas_undecided", s["areas_undecided"], None, None, None),
            ("required_floor_area_m2", _round(s["required_floor_area_m2"]), None, None, None),
            ("available_floor_area_m2", _round(s["available_floor_area_m2"]), None, None, None),
            ("floor_area_shortfall_m2", _round(s["shortfall_m2"]), None, None, None),
            ("facilities_below_min_site", s["facilities_below_min_site"], None, None, p.source("min_site_area_m2")),
        ]
        for row in self.coverage.itertuples(index=False):
            target = None if pd.isna(row.target) else f"{'> ' if row.comparison == '>' else ''}{_percent(row.target)}"
            rows.append((f"coverage_{row.level}", _percent(row.rate), target, row.met, row.source))
        rows.append(
            (
                "townships_catchment_ok",
                s["townships_catchment_ok"],
                s["townships"],
                None,
                p.source("township_centre_catchment_share"),
            )
        )
        for key, target_key in (
            ("land_m2_per_capita", "land_m2_per_capita"),
            ("beds_per_1000_elderly", "beds_per_1000_elderly"),
        ):
            rows.append((key, _round(s[key], 3), s[f"{key}_target"], s[f"{key}_ok"], p.source(target_key)))
        table = pd.DataFrame(rows, columns=["item", "value", "target", "met", "source"])
        table["item"] = [column_label(k, language) for k in table["item"]]
        table["met"] = [None if m is None or pd.isna(m) else value_label(bool(m), language) for m in table["met"]]
        table["value"] = [value_label(v, language) if isinstance(v, str) else v for v in table["value"]]
        return relabel(table, language)

    def table(self, name: str, language: str = "zh") -> pd.DataFrame:
        """A result frame (``areas``, ``facilities``, ``townships``, ``communities``, ``coverage``,
        ``failing``) with display column names and categorical values in ``language``."""
        if name not in ("areas", "facilities", "townships", "communities", "coverage", "failing"):
            raise ValueError(f"no result table named {name!r}")
        return relabel(getattr(self, name), language, values=("status", "fail_reason", "level", "kind"))

    def failing_table(self, language: str = "zh") -> pd.DataFrame:
        """:attr:`failing` with display column names and reasons in ``language``."""
        return self.table("failing", language)


def _percent(share: float | None) -> str | None:
    return None if share is None or pd.isna(share) else f"{share * 100:.1f}%"


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), digits)


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise SitingInputError(
                msg("argument_column_missing", what=what, column=column),
                source=msg("where_argument", name=what),
                column=column,
                fix=msg("argument_column_missing_fix", what=what, columns=list(columns)),
            )


def _check_ids(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    ids = frame[column].astype(str)
    duplicated = ids[ids.duplicated()].unique()
    if len(duplicated):
        raise SitingInputError(
            msg("ids_duplicated"),
            source=msg("where_argument", name=what),
            column=column,
            rows=duplicated,
            fix=msg("ids_duplicated_fix"),
        )
    return ids


def _check_numbers(frame: pd.DataFrame, column: str, id_column: str, what: str, allow_missing: bool) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = (values < 0) | (values.isna() & frame[column].notna())
    if not allow_missing:
        bad |= values.isna()
    if bad.any():
        raise SitingInputError(
            msg("argument_not_number", what=what, column=column),
            source=msg("where_argument", name=what),
            column=column,
            rows=frame.loc[bad.to_numpy(), id_column],
            fix=msg("argument_not_number_fix", column=column),
        )
    return values.astype(float)


def _validate(
    areas: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, pairs: pd.DataFrame, units: gpd.GeoDataFrame | None
) -> None:
    _require_columns(areas, ("area_id", "households", "status"), "areas")
    _require_columns(facilities, ("facility_id", "level", "floor_area_m2"), "facilities")
    _require_columns(pairs, ("area_id", "facility_id", "walk_min"), "pairs")
    _check_ids(areas, "area_id", "areas")
    _check_ids(facilities, "facility_id", "facilities")
    households = _check_numbers(areas, "households", "area_id", "areas", allow_missing=False)
    if (households == 0).all():
        raise SitingInputError(
            msg("households_all_zero", n=len(households)),
            source=msg("where_argument", name="areas"),
            column="households",
            fix=msg("households_all_zero_fix"),
        )
    _check_numbers(facilities, "floor_area_m2", "facility_id", "facilities", allow_missing=False)
    bad_status = ~areas["status"].isin(STATUSES)
    if bad_status.any():
        raise SitingInputError(
            msg("status_invalid"),
            source=msg("where_argument", name="areas"),
            column="status",
            rows=areas.loc[bad_status, "area_id"],
            fix=msg("status_invalid_fix"),
        )
    bad_level = ~facilities["level"].isin(FACILITY_LEVELS)
    if bad_level.any():
        raise SitingInputError(
            msg("level_invalid", levels=list(FACILITY_LEVELS)),
            source=msg("where_argument", name="facilities"),
            column="level",
            rows=facilities.loc[bad_level, "facility_id"],
            fix=msg("level_invalid_fix"),
        )
    for column, frame, what in (("area_id", areas, "areas"), ("facility_id", facilities, "facilities")):
        unknown = ~pairs[column].astype(str).isin(frame[column].astype(str))
        if unknown.any():
            raise SitingInputError(
                msg("pairs_unknown", what=what),
                source=msg("where_argument", name="pairs"),
                column=column,
                rows=pairs.loc[unknown, column].unique(),
                fix=msg("pairs_unknown_fix"),
            )
    if units is not None:
        _require_columns(units, ("name", "level"), "units")


@dataclass(frozen=True)
class FloorAreaShares:
    """How counted floor area is shared out among residential areas (the 2SFCA of the floor-area rule).

    The one place that decides which facility's floor area an area may count and how much of it: both
    :func:`check_compliance_pairs` and the optimisers use it, so a plan that claims to fix an area is
    judged by the same arithmetic as the check. An area's available floor area is
    ``households_i × (matrix @ floor_area_m2)[i]`` m², and it complies when that is at least
    ``households_i × rate_m2_per_100hh[i] / 100`` (with :data:`RELATIVE_TOLERANCE`).

    Attributes
    ----------
    area_ids : numpy.ndarray
        Row order (str).
    facility_ids : numpy.ndarray
        Column order (str).
    matrix : scipy.sparse.csr_matrix
        Shape (n_areas, n_facilities): ``1 / H_f`` where facility *f*'s floor area is shared with area
        *i*, else 0.
    catchment_households : numpy.ndarray
        ``H_f``, the households sharing each facility's floor area (0 = none).
    rate_m2_per_100hh : numpy.ndarray
        Each area's required rate, m² per 100 households (NaN = no verdict: the profile sets no rate
        for its status, or the area has no households).
    """

    area_ids: np.ndarray
    facility_ids: np.ndarray
    matrix: sp.csr_matrix
    catchment_households: np.ndarray
    rate_m2_per_100hh: np.ndarray

    def per_household_m2(self, floor_area_m2: np.ndarray) -> np.ndarray:
        """Floor area available per household of each area, m² (``matrix @ floor_area_m2``)."""
        return np.asarray(self.matrix @ np.asarray(floor_area_m2, dtype=float), dtype=float)


def facility_counts(facilities: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """Which area statuses each facility's floor area counts for, by level and single-site minimum.

    Only ``township``, ``community`` and ``station`` facilities count (county institutions serve the
    whole county, not the neighbourhood the rule is about); a facility below ``min_site_area_m2``
    does not count for new areas, below ``existing_min_site_area_m2`` not for existing ones (a null
    minimum lets every site count).

    Returns
    -------
    DataFrame
        Indexed like ``facilities``: ``below_min_site``, ``counts_for_new``,
        ``below_min_site_existing``, ``counts_for_existing``, ``counts_toward_compliance``.
    """
    floor = pd.to_numeric(facilities["floor_area_m2"]).to_numpy(float)
    eligible = facilities["level"].isin(FLOOR_AREA_LEVELS).to_numpy()
    out = pd.DataFrame(index=facilities.index)
    for status, suffix in (("new", ""), ("existing", "_existing")):
        minimum = profile.value(MIN_SITE_KEYS[status])
        below = floor < minimum if minimum is not None else np.zeros(len(floor), bool)
        out[f"below_min_site{suffix}"] = below
        out[f"counts_for_{status}"] = eligible & ~below
    out["counts_toward_compliance"] = out["counts_for_new"] | out["counts_for_existing"]
    return out


def floor_area_shares(
    areas: pd.DataFrame,
    facilities: pd.DataFrame,
    pairs: pd.DataFrame,
    profile: Profile,
    settings: WalkSettings,
    *,
    counts: pd.DataFrame | None = None,
) -> FloorAreaShares:
    """Share each counted facility's floor area among the households that may count it.

    Parameters
    ----------
    areas : DataFrame
        ``area_id``, ``households`` (户), ``status`` (``"new"``/``"existing"``).
    facilities : DataFrame
        ``facility_id``, ``level``, ``floor_area_m2`` (m²).
    pairs : DataFrame
        ``area_id``, ``facility_id``, ``walk_min``; pairs beyond ``settings``' inclusive cutoff are
        ignored.
    profile : Profile
        Rates and single-site minima.
    settings : WalkSettings
        The walking circle.
    counts : DataFrame, optional
        Indexed like ``facilities`` with boolean columns ``counts_for_new`` / ``counts_for_existing``
        overriding the size-based flags of :func:`facility_counts` (the optimiser asks "if this site
        were built at or above the minimum size, whom would it serve?").

    Returns
    -------
    FloorAreaShares
    """
    area_ids = areas["area_id"].astype(str).to_numpy()
    facility_ids = facilities["facility_id"].astype(str).to_numpy()
    flags = facility_counts(facilities, profile) if counts is None else counts
    counts_new = flags["counts_for_new"].to_numpy(bool)
    counts_existing = flags["counts_for_existing"].to_numpy(bool)
    households = pd.to_numeric(areas["households"]).to_numpy(float)
    new = areas["status"].to_numpy() == "new"

    kept = pairs[settings.within_min(pairs["walk_min"])]
    rows = pd.Index(area_ids).get_indexer(kept["area_id"].astype(str))
    cols = pd.Index(facility_ids).get_indexer(kept["facility_id"].astype(str))
    known = (rows >= 0) & (cols >= 0)
    rows, cols = rows[known], cols[known]
    counted = np.where(new[rows], counts_new[cols], counts_existing[cols])
    rows, cols = rows[counted], cols[counted]
    # one pair once, however often the table lists it
    key = np.unique(rows.astype(np.int64) * len(facility_ids) + cols)
    rows, cols = key // max(len(facility_ids), 1), key % max(len(facility_ids), 1)

    demand = np.bincount(cols, weights=households[rows], minlength=len(facility_ids))
    share = np.divide(1.0, demand[cols], out=np.zeros(len(cols)), where=demand[cols] > 0)
    matrix = sp.csr_matrix((share, (rows, cols)), shape=(len(area_ids), len(facility_ids)))
    matrix.eliminate_zeros()
    return FloorAreaShares(
        area_ids=area_ids,
        facility_ids=facility_ids,
        matrix=matrix,
        catchment_households=demand,
        rate_m2_per_100hh=_area_rates(areas, profile),
    )


def _area_rates(areas: pd.DataFrame, profile: Profile) -> np.ndarray:
    """Rate of each area by its status, m² per 100 households; NaN where the profile sets none."""
    rates = {status: profile.value(key) for status, key in RATE_KEYS.items()}
    return np.array([np.nan if rates.get(s) is None else rates[s] for s in areas["status"]], dtype=float)


def _floor_area(
    areas: pd.DataFrame,
    facilities: pd.DataFrame,
    pairs: pd.DataFrame,
    reach: pd.DataFrame,
    profile: Profile,
    settings: WalkSettings,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The floor-area verdict of every area from :func:`floor_area_shares`; returns (area columns, facility columns)."""
    shares = floor_area_shares(
        areas, facilities, pairs, profile, settings, counts=facilities[["counts_for_new", "counts_for_existing"]]
    )
    floor = facilities["floor_area_m2"].to_numpy(float)
    per_household = shares.per_household_m2(floor)
    households = areas["households"].to_numpy(float)
    rate = shares.rate_m2_per_100hh
    required = households / 100.0 * rate
    available = households * per_household
    # an area without households needs nothing, so meeting the rate would say nothing about it
    no_households = households == 0
    decided = ~np.isnan(rate) & ~no_households
    ok = available >= required * (1 - RELATIVE_TOLERANCE) - RELATIVE_TOLERANCE
    n_counted = np.diff(shares.matrix.indptr)
    in_reach = reach[reach["level"].isin(FLOOR_AREA_LEVELS)]
    n_reached = areas["area_id"].map(in_reach.groupby("area_id").size()).fillna(0).astype(int).to_numpy()
    reason = np.select(
        [no_households, ~decided, ok, n_reached == 0, n_counted == 0],
        ["no_households", "rate_not_set", "", "no_neighbourhood_facility_in_reach", "below_min_site_only"],
        "below_rate",
    )

    rates = {status: profile.value(key) for status, key in RATE_KEYS.items()}
    rule_text = {s: f"{key}={'null' if rates[s] is None else f'{rates[s]:g}'}" for s, key in RATE_KEYS.items()}
    rule_source = {s: profile.source(key) for s, key in RATE_KEYS.items()}

    out = pd.DataFrame(
        {
            "required_floor_area_m2": required,
            "available_floor_area_m2": available,
            "floor_area_per_100hh": 100.0 * per_household,
            "shortfall_m2": np.where(decided, np.clip(required - available, 0.0, None), np.nan),
            "floor_area_ok": pd.array(np.where(decided, ok, False), dtype="boolean"),
            "floor_area_rule": areas["status"].map(rule_text).to_numpy(),
            "floor_area_rule_source": areas["status"].map(rule_source).to_numpy(),
            "facilities_counted": n_counted,
            "fail_reason": reason,
        },
        index=areas.index,
    )
    out.loc[~decided, "floor_area_ok"] = pd.NA

    demand = shares.catchment_households
    fac = pd.DataFrame(
        {
            "catchment_households": demand,
            "floor_area_m2_per_hh": np.divide(floor, demand, out=np.zeros(len(floor)), where=demand > 0),
            "areas_served": np.diff(shares.matrix.tocsc().indptr),
        },
        index=facilities.index,
    )
    return out, fac


def _street_or_town(names: pd.Series, units: pd.DataFrame | None) -> pd.Series:
    """'street' (街道) or 'town' (乡/镇) for each township name."""
    if units is not None and "unit_type" in units.columns:
        given = units[units["level"] == "township"].set_index("name")["unit_type"]
        known = names.map(given)
    else:
        known = pd.Series(np.nan, index=names.index, dtype=object)
    text = names.astype(str)
    guessed = np.where(
        text.str.contains("街道") | text.str.endswith("办事处") | text.str.lower().str.contains("subdistrict|street"),
        "street",
        "town",
    )
    return known.fillna(pd.Series(guessed, index=names.index))


def _unit_of(frame: gpd.GeoDataFrame, level: str, units: gpd.GeoDataFrame | None) -> pd.Series:
    """The township/community name of each row: its own column, else point-in-polygon."""
    if level in frame.columns:
        return frame[level].astype("string")
    missing = pd.Series(pd.NA, index=frame.index, dtype="string")
    if units is None or not isinstance(units, gpd.GeoDataFrame) or frame.geometry is None:
        return missing
    located = assign_units(frame[[frame.geometry.name]], units[units.geometry.notna()])
    return located[level].astype("string") if level in located.columns else missing


def _unit_names(area_units: pd.Series, units: pd.DataFrame | None, level: str) -> list[str]:
    names: list[str] = []
    if units is not None:
        names = [str(n) for n in units.loc[units["level"] == level, "name"]]
    names += sorted(set(area_units.dropna().astype(str)) - set(names))
    return names


def _rates_by(areas: pd.DataFrame, by: pd.Series, names: list[str]) -> pd.DataFrame:
    """Floor-area 达标率 by households and by areas, and shortfall, per unit."""
    decided = areas["floor_area_ok"].notna()
    ok = areas["floor_area_ok"].fillna(False).astype(bool)
    frame = pd.DataFrame(
        {
            "unit": by,
            "households": areas["households"],
            "areas_decided": decided,
            "areas_ok": ok & decided,
            "households_decided": areas["households"].where(decided, 0.0),
            "households_ok": areas["households"].where(ok & decided, 0.0),
            "shortfall_m2": areas["shortfall_m2"].fillna(0.0),
        }
    )
    grouped = (
        frame.groupby("unit")
        .agg(
            areas=("households", "size"),
            households=("households", "sum"),
            areas_decided=("areas_decided", "sum"),
            areas_ok=("areas_ok", "sum"),
            households_decided=("households_decided", "sum"),
            households_ok=("households_ok", "sum"),
            shortfall_m2=("shortfall_m2", "sum"),
        )
        .reindex(names)
    )
    grouped[["areas", "areas_decided", "areas_ok"]] = (
        grouped[["areas", "areas_decided", "areas_ok"]].fillna(0).astype(int)
    )
    grouped[["households", "households_decided", "households_ok", "shortfall_m2"]] = grouped[
        ["households", "households_decided", "households_ok", "shortfall_m2"]
    ].fillna(0.0)
    grouped["compliance_rate_areas"] = grouped["areas_ok"] / grouped["areas_decided"].where(
        grouped["areas_decided"] > 0
    )
    grouped["compliance_rate_households"] = grouped["households_ok"] / grouped["households_decided"].where(
        grouped["households_decided"] > 0
    )
    return grouped.drop(columns=["households_decided"])


def _qualified(facilities: pd.DataFrame, levels: tuple[str, ...], minimum: float | None) -> np.ndarray:
    """Facilities of ``levels`` with at least ``minimum`` m² (any size when the minimum is null)."""
    floor = facilities["floor_area_m2"].to_numpy(float)
    big_enough = floor >= minimum if minimum is not None else np.ones(len(floor), bool)
    return facilities["level"].isin(levels).to_numpy() & big_enough


def _centres(
    facilities: pd.DataFrame, unit: pd.Series, levels: tuple[str, ...], qualified_column: str, names: list[str]
) -> pd.DataFrame:
    """Per unit: facilities of ``levels`` in it, how many are qualified, the largest (m²)."""
    mask = facilities["level"].isin(levels).to_numpy()
    frame = pd.DataFrame(
        {
            "unit": unit[mask],
            "floor": facilities.loc[mask, "floor_area_m2"],
            "qualified": facilities.loc[mask, qualified_column],
        }
    )
    grouped = (
        frame.groupby("unit")
        .agg(centres=("floor", "size"), qualified_centres=("qualified", "sum"), largest_centre_m2=("floor", "max"))
        .reindex(names)
    )
    grouped[["centres", "qualified_centres"]] = grouped[["centres", "qualified_centres"]].fillna(0).astype(int)
    grouped["has_qualified_centre"] = grouped["qualified_centres"] > 0
    return grouped


def _meets(actual: float | None, target: float | None, comparison: str = ">=") -> bool | None:
    """``actual`` against ``target`` (>= for 不低于/达到, > for 大于); None when either is unknown."""
    if target is None or actual is None or pd.isna(actual):
        return None
    slack = RELATIVE_TOLERANCE * max(1.0, abs(target))
    return bool(actual > target + slack) if comparison == ">" else bool(actual >= target - slack)


def _ratio_checks(
    areas: pd.DataFrame,
    facilities: pd.DataFrame,
    area_unit: pd.Series | None,
    facility_unit: pd.Series | None,
    names: list[str] | None,
    profile: Profile,
) -> dict[str, pd.Series | float]:
    """Land per resident (m²) and beds per 1,000 elderly, overall (names None) or per unit."""
    out: dict[str, pd.Series | float] = {}
    for key, supply_col, demand_col, scale in (
        ("land_m2_per_capita", "land_area_m2", "population", 1.0),
        ("beds_per_1000_elderly", "beds", "elderly", 1000.0),
    ):
        # no facility stating land/beds, or no area stating population/elderly: undecided, not zero
        supply = (
            pd.to_numeric(facilities[supply_col], errors="coerce")
            if supply_col in facilities.columns
            else pd.Series(np.nan, index=facilities.index)
        )
        demand = (
            pd.to_numeric(areas[demand_col], errors="coerce")
            if demand_col in areas.columns
            else pd.Series(np.nan, index=areas.index)
        )
        if supply.isna().all() or demand.isna().all():
            out[key] = np.nan if names is None else pd.Series(np.nan, index=names)
            continue
        supply, demand = supply.fillna(0.0), demand.fillna(0.0)
        if names is None:
            out[key] = scale * supply.sum() / demand.sum() if demand.sum() > 0 else np.nan
        else:
            s = supply.groupby(facility_unit).sum().reindex(names).fillna(0.0)
            d = demand.groupby(area_unit).sum().reindex(names)
            out[key] = scale * s / d.where(d > 0)
    return out


def _township_table(
    areas: pd.DataFrame,
    facilities: pd.DataFrame,
    reach: pd.DataFrame,
    area_unit: pd.Series,
    facility_unit: pd.Series,
    units: pd.DataFrame | None,
    profile: Profile,
) -> pd.DataFrame:
    names = _unit_names(area_unit, units, "township")
    table = _centres(facilities, facility_unit, ("township",), "qualified_township_centre", names)
    # Households of each township's areas within walking reach of a qualified centre of the
    # same township (服务半径全覆盖 of *its own* centre).
    fac_unit = dict(zip(facilities["facility_id"], facility_unit, strict=True))
    qualified_ids = set(facilities.loc[facilities["qualified_township_centre"], "facility_id"])
    own = reach[reach["facility_id"].isin(qualified_ids)].copy()
    own["facility_unit"] = own["facility_id"].map(fac_unit)
    own["area_unit"] = own["area_id"].map(dict(zip(areas["area_id"], area_unit, strict=True)))
    covered_ids = set(own.loc[own["facility_unit"] == own["area_unit"], "area_id"])
    covered = areas["households"].where(areas["area_id"].isin(covered_ids), 0.0)
    table["households_covered"] = covered.groupby(area_unit).sum().reindex(names).fillna(0.0)
    rates = _rates_by(areas, area_unit, names)
    table = table.join(rates)
    table["covered_share"] = table["households_covered"] / table["households"].where(table["households"] > 0)
    target = profile.value("township_centre_catchment_share")
    table["catchment_ok"] = pd.array([_meets(v, target) for v in table["covered_share"]], dtype="boolean")
    table["unit_ok"] = table["has_qualified_centre"] & table["catchment_ok"].fillna(True)
    ratios = _ratio_checks(areas, facilities, area_unit, facility_unit, names, profile)
    for key, values in ratios.items():
        table[key] = values
    table.insert(0, "kind", _street_or_town(pd.Series(names, index=names), units))
    return table.rename_axis("township").reset_index()


def _community_table(
    areas: pd.DataFrame,
    facilities: pd.DataFrame,
    area_unit: pd.Series,
    area_township: pd.Series,
    facility_unit: pd.Series,
    units: pd.DataFrame | None,
    profile: Profile,
) -> pd.DataFrame:
    names = _unit_names(area_unit, units, "community")
    table = _centres(facilities, facility_unit, COMMUNITY_LEVELS, "qualified_community_centre", names)
    table = table.join(_rates_by(areas, area_unit, names))
    parent = area_township.groupby(area_unit).agg(lambda s: s.mode().iloc[0] if s.notna().any() else pd.NA)
    if units is not None and "parent" in units.columns:
        given = units[units["level"] == "community"].set_index("name")["parent"]
        parent = given.combine_first(parent)
    table.insert(0, "township", parent.reindex(names))
    table["unit_ok"] = table["has_qualified_centre"]
    return table.rename_axis("community").reset_index()


def _coverage(townships: pd.DataFrame, communities: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    rows = []
    for level, key, frame in (
        ("street_centre", "street_centre_coverage", townships[townships["kind"] == "street"]),
        ("township_centre", "township_centre_coverage", townships[townships["kind"] == "town"]),
        ("community_facility", "community_facility_coverage", communities),
    ):
        units = len(frame)
        with_centre = int(frame["has_qualified_centre"].sum()) if units else 0
        rate = with_centre / units if units else np.nan
        target, comparison = profile.value(key), profile.comparison(key)
        rows.append(
            {
                "level": level,
                "units": units,
                "units_with_centre": with_centre,
                "rate": rate,
                "target": target,
                "comparison": comparison,
                "met": _meets(rate, target, comparison),
                "source": profile.source(key),
            }
        )
    out = pd.DataFrame(rows)
    out["met"] = out["met"].astype("boolean")
    return out


def check_compliance(
    access: Accessibility, profile: Profile | str, *, units: gpd.GeoDataFrame | None = None
) -> ComplianceResult:
    """Check the assessed residential areas and facilities against a rule profile.

    The walking circle is the one the access was assessed with (``access.settings``); a profile
    that sets a different walk (speed, minutes, or a service radius it states) is refused, since the
    verdicts would then mix two definitions of the walk.

    Parameters
    ----------
    access : Accessibility
        From :func:`siting.reachability.assess_access`.
    profile : Profile or str
        A loaded profile or a shipped profile name.
    units : GeoDataFrame, optional
        Administrative units, as for :func:`check_compliance_pairs`.

    Returns
    -------
    ComplianceResult

    Raises
    ------
    SitingInputError
        When the profile's walk differs from ``access.settings``.
    """
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    _require_same_walk(access.settings, profile)
    return check_compliance_pairs(
        access.areas, access.facilities, access.pairs, profile, settings=access.settings, units=units
    )


def floor_area_rates(areas: pd.DataFrame, profile: Profile) -> np.ndarray:
    """Floor-area rate of each area by its status, m² per 100 households; 0 where the profile sets none."""
    return np.nan_to_num(_area_rates(areas, profile), nan=0.0)


def _require_same_walk(settings: WalkSettings, profile: Profile) -> None:
    expected = profile.walk_settings()
    keys = ["walk_speed_m_per_min", "walk_minutes"]
    if profile.value("service_radius_m") is not None:
        keys.append("service_radius_m")
    differ = [k for k in keys if getattr(settings, k) != getattr(expected, k)]
    if differ:
        raise SitingInputError(
            msg(
                "walk_conflict",
                profile=profile.name,
                figures=[f"{k} {getattr(settings, k):g} ≠ {getattr(expected, k):g}" for k in differ],
            ),
            key=differ[0],
            fix=msg("walk_conflict_fix", profile=profile.name),
        )


def check_compliance_pairs(
    areas: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    pairs: pd.DataFrame,
    profile: Profile | str,
    *,
    settings: WalkSettings | None = None,
    units: gpd.GeoDataFrame | None = None,
) -> ComplianceResult:
    """Check residential areas and facilities against a rule profile, from a table of walking times.

    For walking times computed elsewhere (or by hand); :func:`check_compliance` is the same check
    on an :class:`~siting.reachability.Accessibility`.

    Parameters
    ----------
    areas : GeoDataFrame
        ``area_id``, ``households`` (户), ``status`` (``"new"``/``"existing"``); optional
        ``name``, ``population``, ``elderly``, ``township``, ``community`` (unit names).
    facilities : GeoDataFrame
        ``facility_id``, ``level`` (county/township/community/station), ``floor_area_m2`` (m²);
        optional ``name``, ``beds``, ``land_area_m2`` (m²), ``township``, ``community``; Points.
    pairs : DataFrame
        ``area_id``, ``facility_id``, ``walk_min`` (minutes along the network), e.g.
        :attr:`siting.reachability.Accessibility.pairs`; pairs beyond the profile's
        ``walk_minutes`` are ignored. They must have been computed out to at least that time:
        a pair missing because the search stopped earlier cannot be told from no path.
    profile : Profile or str
        A loaded profile or a shipped profile name.
    settings : WalkSettings, optional
        The walking circle (its inclusive cutoff decides which pairs count); default the profile's
        own (:meth:`~siting.profiles.Profile.walk_settings`).
    units : GeoDataFrame, optional
        Administrative units ``name``, ``level`` (township/community), optional ``parent``,
        ``unit_type`` (street/town) and polygons; used to list units with no areas and to place
        facilities/areas that lack a ``township``/``community`` column.

    Returns
    -------
    ComplianceResult
        Inputs are not modified.
    """
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    _validate(areas, facilities, pairs, units)
    areas = areas.copy()
    facilities = facilities.copy()
    areas["area_id"] = areas["area_id"].astype(str)
    facilities["facility_id"] = facilities["facility_id"].astype(str)
    areas["households"] = pd.to_numeric(areas["households"]).astype(float)
    facilities["floor_area_m2"] = pd.to_numeric(facilities["floor_area_m2"]).astype(float)

    settings = settings if settings is not None else profile.walk_settings()
    flags = facility_counts(facilities, profile)
    facilities = facilities.join(flags)
    reach = pairs[["area_id", "facility_id", "walk_min"]].astype({"area_id": str, "facility_id": str})
    reach = reach[settings.within_min(reach["walk_min"])].drop_duplicates(["area_id", "facility_id"])
    reach = reach.merge(areas[["area_id", "status", "households"]], on="area_id").merge(
        facilities[["facility_id", "level", "counts_for_new", "counts_for_existing"]], on="facility_id"
    )

    area_cols, fac_cols = _floor_area(areas, facilities, pairs, reach, profile, settings)
    label = profile.name + ("+overrides" if profile.overridden_keys else "")
    areas = areas.join(area_cols)
    areas["profile"] = label
    facilities = facilities.join(fac_cols)
    facilities["qualified_township_centre"] = _qualified(
        facilities, ("township",), profile.value("township_centre_min_m2")
    )
    facilities["qualified_community_centre"] = _qualified(
        facilities, COMMUNITY_LEVELS, profile.value("community_centre_min_m2")
    )

    area_township = _unit_of(areas, "township", units)
    area_community = _unit_of(areas, "community", units)
    facility_township = _unit_of(facilities, "township", units)
    facility_community = _unit_of(facilities, "community", units)
    townships = _township_table(areas, facilities, reach, area_township, facility_township, units, profile)
    communities = _community_table(areas, facilities, area_community, area_township, facility_community, units, profile)
    coverage = _coverage(townships, communities, profile)

    failing_mask = areas["floor_area_ok"].eq(False).fillna(False).to_numpy(bool)
    failing = pd.DataFrame(
        {
            "area_id": areas["area_id"],
            "name": areas.get("name", areas["area_id"]),
            "township": area_township,
            "community": area_community,
            "status": areas["status"],
            "households": areas["households"],
        }
    ).join(
        area_cols[
            [
                "required_floor_area_m2",
                "available_floor_area_m2",
                "floor_area_per_100hh",
                "shortfall_m2",
                "floor_area_rule",
                "fail_reason",
            ]
        ]
    )[failing_mask]
    failing = failing.sort_values(["shortfall_m2", "area_id"], ascending=[False, True]).reset_index(drop=True)

    summary = _summary(areas, facilities, townships, coverage, profile, label, settings)
    return ComplianceResult(
        areas=areas,
        facilities=facilities,
        townships=townships,
        communities=communities,
        coverage=coverage,
        summary=summary,
        failing=failing,
        profile=profile,
        settings=settings,
    )


def _summary(
    areas: pd.DataFrame,
    facilities: pd.DataFrame,
    townships: pd.DataFrame,
    coverage: pd.DataFrame,
    profile: Profile,
    label: str,
    settings: WalkSettings,
) -> dict:
    overall = _rates_by(areas, pd.Series("all", index=areas.index), ["all"]).iloc[0]
    target = profile.value("floor_area_compliance_target")
    comparison = profile.comparison("floor_area_compliance_target")
    ratios = _ratio_checks(areas, facilities, None, None, None, profile)
    summary = {
        "profile": label,
        "walk_minutes": settings.walk_minutes,
        "walk_speed_m_per_min": settings.walk_speed_m_per_min,
        "areas": len(areas),
        "areas_decided": int(overall["areas_decided"]),
        "areas_undecided": int(len(areas) - overall["areas_decided"]),
        "areas_ok": int(overall["areas_ok"]),
        "compliance_rate_areas": _float(overall["compliance_rate_areas"]),
        "households": float(areas["households"].sum()),
        "households_ok": float(overall["households_ok"]),
        "compliance_rate_households": _float(overall["compliance_rate_households"]),
        "compliance_target": target,
        "compliance_target_met_areas": _meets(overall["compliance_rate_areas"], target, comparison),
        "compliance_target_met_households": _meets(overall["compliance_rate_households"], target, comparison),
        "required_floor_area_m2": float(areas["required_floor_area_m2"].sum()),
        "available_floor_area_m2": float(areas["available_floor_area_m2"].sum()),
        "shortfall_m2": float(areas["shortfall_m2"].sum()),
        "facilities": len(facilities),
        "facilities_below_min_site": int((facilities["below_min_site"] | facilities["below_min_site_existing"]).sum()),
        "facilities_counted": int(facilities["counts_toward_compliance"].sum()),
        "townships": len(townships),
        "townships_ok": int(townships["unit_ok"].sum()),
        "townships_catchment_ok": int(townships["catchment_ok"].fillna(False).sum()),
    }
    for row in coverage.itertuples(index=False):
        summary[f"coverage_{row.level}"] = _float(row.rate)
        summary[f"coverage_{row.level}_target"] = row.target
        summary[f"coverage_{row.level}_met"] = None if pd.isna(row.met) else bool(row.met)
    for key, actual in ratios.items():
        summary[key] = _float(actual)
        summary[f"{key}_target"] = profile.value(key)
        summary[f"{key}_ok"] = _meets(actual, profile.value(key))
    return summary


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
