"""Policy compliance: every checkable rule of a profile judged as its text says, each verdict with its clause.

Everything is judged against a rule profile (:mod:`siting.profiles`). The rules are a table,
:data:`siting.profiles.RULES`: one row per checkable rule with the profile key of its target, whom it
judges, which facilities it counts, the measure it compares and the inputs it needs. This module
measures each row (:data:`MEASURES`) and returns one verdict per rule the profile sets
(:attr:`ComplianceResult.rules`): met, not met, not yet due (a target for a later year than
:attr:`~siting.profiles.Profile.assess_year`), not checked (an input is missing, named), or a
condition of another rule. Every per-area and per-unit verdict column names the rules it answers to
(``rules``: ``R01``, ...), so the workbook's 规则核查 sheet traces each 达标/未达标 cell to its clause.

Floor area per 100 households (每百户配建面积, R01/R02)
    An area's requirement is ``households / 100 × rate`` with the rate of its status
    (``new_area_m2_per_100hh`` or ``existing_area_m2_per_100hh``). The floor area available to it is
    shared out by a two-step floating catchment (2SFCA) with **households** as the demand:

    1. every counted facility *f* divides its floor area ``A_f`` (m²) among the households that may
       count it, ``R_f = A_f / H_f`` (m² per household);
    2. an area *i* gets ``available_i = households_i × Σ_f R_f`` over the facilities it counts, so
       ``floor_area_per_100hh = 100 × Σ_f R_f``.

    :func:`floor_area_shares` is the one place this sharing is computed (a sparse matrix of
    ``1 / H_f``); the optimisers call it too, so a plan is judged by the same arithmetic as the check.

    Which facilities an area counts: ``township``, ``community`` and ``station`` facilities (county
    institutions serve the whole county), at least the single-site minimum of its status
    (``min_site_area_m2``, ``existing_min_site_area_m2``; R03/R04, a condition with no verdict of its
    own); an **existing** area counts those within the walk. A **new** area counts, by the profile's
    ``new_area_counts``: ``own`` — only the floor area built with it (配建 under 四同步: a facility whose
    ``area_id`` names the area, or that stands inside its polygon), which is then shared by the new
    areas it was built with and by no existing area; or ``within_walk`` — like an existing area.

    Households (not required floor area) are the demand because the floor area serves people: a
    household in a new area and one in an existing area get the same share of a shared facility,
    and changing one status's rate changes only that status's verdicts. The shares of one facility
    add up to its floor area, so total available = total counted floor area that reaches anyone.
    An area with 0 households needs nothing and gets no verdict (``floor_area_ok`` NA, reason
    ``no_households``), so it counts neither for nor against the compliance rate by areas (R05/R06).
    The compliance rate (配建达标率, R05 by areas, R06 by households) counts the judged areas of
    ``floor_area_compliance_scope``: ``all_areas`` (济宁 第11条 全市…配建达标率; 曹县 三(六)) or
    ``new_areas`` (东阳 第11条 新建住宅小区配套建设养老服务设施达标率).

Townships (乡镇/街道)
    A comprehensive centre is a ``township``-level facility located in the township (by the
    facilities' ``township`` column, or by point-in-polygon with the units), or a 区域性 centre whose
    ``serves_townships`` names it, of at least ``township_centre_min_m2`` and offering every function of
    ``township_centre_functions`` (曹县 附件2 四.2; the township table names a missing one). Coverage
    (R07 streets, R08 towns: 镇 and 乡) is the share of townships with one. Its catchment (服务半径全覆盖,
    R09) is read by ``township_centre_catchment``: ``communities_reached`` — the centre's network (the
    centre and the township's community facilities and stations: the 县-乡-村 network) reaches every
    village and community of the township; ``through_stations`` — every household within the walk of
    that network; ``centre_walk`` — within the walk of the centre itself. A township passes when that
    share reaches ``township_centre_catchment_share``; the households' share is reported beside the
    verdict. Streets, towns and 乡 come from the units' type (街道/镇/乡) or, without one, the name.
    康养联合体 coverage (R22) and the towns a document names for a centre (R23) are judged per township.

Communities (村/社区)
    A community is served when a facility of ``community_centre_types`` in it (community centres and
    stations, or centres only: a 养老服务站 is not a 社区养老服务中心) has at least
    ``community_centre_min_m2``; coverage (R10) counts the communities ``community_facility_scope``
    names: ``urban_communities`` (城市社区: units whose 城乡 attribute, or else type, says urban) or
    ``all_communities``. Meal service (R18, 助餐村(社区)覆盖率) is counted by 小区: a village or community
    is covered when every one of its 小区 with households is within the walk of a facility offering
    meals (``services`` with 助餐/食堂), or, without 小区, when one stands in it.

Scopes and levels
    The floor-area rates judge only the areas ``floor_area_scope`` names (``urban_areas``: 东阿 第13条,
    济宁 第11条 城镇居住区, by the community's 城乡 in the units layer: the areas' ``urban`` column,
    :func:`siting.inputs.prepare_areas`); an area out of scope is not judged and takes no share of the
    floor area. The service radius judges the areas
    ``service_radius_scope`` names (曹县 三(六): 对老旧小区、已建成小区). Rules set for a county (R12, R13,
    R14, R16, R17, R19–R21) read 不适用 in a study of a 街道 or 乡镇 (:func:`default_study_level`).

Other rules
    The service radius a profile states (R11, 覆盖半径不大于1000米): every area within that distance
    of a township, community or station facility, straight-line or along the streets
    (``service_radius_measure``). County-level institutions (R12) and dementia-care institutions or
    units (R13: ``services`` with 失智/认知障碍, or dementia beds) are counted. Land per resident
    (R14) is facilities' land over the areas' population; beds per 1,000 elderly (R15) and the
    nursing-type bed share (R16) count institutions only (养老院/养护院 as GB 50437 does: ``county``
    level, or ``services`` with 托养/养老院/养护院/敬老院); dementia-care beds per 10,000 elderly (R17)
    count every facility. Institutions offering 医养结合 (R19 share, R20 count) and 居家上门 (R21 share)
    are read from their services. The elderly population is the areas' ``elderly``, or else the units'.
    A parent's target for its whole area that the study's profile does not restate is measured and
    shown as 上级目标（参考） (verdict ``reference``), not judged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from siting.errors import SitingInputError
from siting.inputs import (
    POLYGON_TYPES,
    SERVICE_COLUMNS,
    UNIT_LEVELS,
    community_urban,
    prepare_areas,
    prepare_facilities,
    unit_type_from_name,
)
from siting.labels import TERMS, column_label, msg, relabel, term, unit_label, value_label
from siting.profiles import (
    DEFAULT_READINGS,
    RULES,
    SCHEMA,
    Profile,
    RuleCheck,
    load_profile,
    profile_place,
    status_label,
)
from siting.projection import to_metric
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
#: Verdict codes of :attr:`ComplianceResult.rules`.
VERDICTS = ("met", "not_met", "not_due", "not_checked", "condition", "not_applicable", "reference")
#: Columns of :attr:`ComplianceResult.rules`.
RULE_COLUMNS = [
    "number",
    "rule",
    "key",
    "level",
    "facilities",
    "measure",
    "threshold",
    "threshold_unit",
    "every",
    "target",
    "comparison",
    "actual",
    "unit",
    "judged",
    "passing",
    "verdict",
    "met",
    "reason",
    "missing",
    "detail",
    "detail_en",
    "by_year",
    "due",
    "settings",
    "document",
    "source",
    "quote",
    "rule_status",
    "defined_in",
    "overrules",
]


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
        ``facilities_counted``, ``fail_reason`` (code, empty when compliant), ``service_radius_ok``
        (NA unless the profile states a radius), ``rules`` (the rules these verdicts answer to,
        ``R01``...) and ``profile``.
    facilities : GeoDataFrame
        The input facilities plus ``below_min_site``, ``below_min_site_existing``,
        ``counts_for_new``, ``counts_for_existing``, ``counts_toward_compliance``, ``built_with_area``
        (the area it was built with: ``area_id`` or the polygon it stands in), ``catchment_households``
        (demand H_f), ``floor_area_m2_per_hh`` (R_f), ``areas_served``, ``qualified_township_centre``,
        ``qualified_community_centre`` (level and minimum area met) and ``institution`` (counted for beds).
    townships, communities : DataFrame
        One row per unit with its centre checks, floor-area compliance rates and ``rules``.
    rules : DataFrame
        One row per rule of :data:`siting.profiles.RULES` whose target the profile sets (columns
        :data:`RULE_COLUMNS`): the measured ``actual`` against ``target`` (for rules judged unit by unit
        the share of units that pass against 100%, with the per-unit ``threshold``; ``every``), the ``verdict``
        (:data:`VERDICTS`), why a rule was not checked, and the document, clause, quote and year.
    summary : dict
        Headline figures and, under ``rules``, every verdict (English keys; see :meth:`summary_table`).
    failing : DataFrame
        Areas failing the floor-area rule with the reason, rule and source, largest shortfall first.
    profile : Profile
    settings : WalkSettings
        The walking circle the verdicts used.
    """

    areas: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    townships: pd.DataFrame
    communities: pd.DataFrame
    rules: pd.DataFrame
    summary: dict
    failing: pd.DataFrame
    profile: Profile = field(repr=False)
    settings: WalkSettings = field(default_factory=WalkSettings, repr=False)

    def summary_table(self, language: str = "zh") -> pd.DataFrame:
        """The reviewer's summary: headline figures, then one row per rule with its target, verdict and source.

        Parameters
        ----------
        language : {"zh", "en"}

        Returns
        -------
        DataFrame
            Columns (labelled in ``language``): item, value, target, met, source.
        """
        s, p = self.summary, self.profile
        rows: list[tuple[str, Any, Any, Any, Any]] = [
            (column_label("profile", language), s["profile"], None, None, " → ".join(p.chain)),
            (
                column_label("walk_minutes", language),
                s["walk_minutes"],
                None,
                None,
                self.settings.sources.get("walk_minutes"),
            ),
            (column_label("assess_year", language), s["assess_year"], None, None, None),
            (column_label("areas", language), s["areas"], None, None, None),
            (column_label("households", language), s["households"], None, None, None),
            (column_label("areas_undecided", language), s["areas_undecided"], None, None, None),
            (column_label("required_floor_area_m2", language), _round(s["required_floor_area_m2"]), None, None, None),
            (column_label("available_floor_area_m2", language), _round(s["available_floor_area_m2"]), None, None, None),
            (column_label("floor_area_shortfall_m2", language), _round(s["shortfall_m2"]), None, None, None),
        ]
        for row in self.rules.itertuples(index=False):
            rows.append(
                (
                    f"{row.number} {rule_title(row.rule, language)}",
                    rule_actual_text(row, language),
                    rule_target_text(row, language),
                    value_label(row.verdict, language),
                    row.source,
                )
            )
        return relabel(pd.DataFrame(rows, columns=["item", "value", "target", "met", "source"]), language)

    def table(self, name: str, language: str = "zh") -> pd.DataFrame:
        """A result frame (``areas``, ``facilities``, ``townships``, ``communities``, ``rules``,
        ``failing``) with display column names and categorical values in ``language``."""
        tables = ("areas", "facilities", "townships", "communities", "rules", "failing")
        if name not in tables:
            raise SitingInputError(
                msg("argument_choice", got=name),
                source=msg("where_argument", name="name"),
                fix=msg("argument_choice_fix", allowed=list(tables)),
            )
        if name == "rules":
            return self.rules_table(language)
        return relabel(getattr(self, name), language, values=("status", "fail_reason", "level", "kind"))

    def rules_table(self, language: str = "zh") -> pd.DataFrame:
        """:attr:`rules` as the reviewer reads it (the workbook's 规则核查 sheet): number, rule, level,
        facilities counted, measure, target, actual, verdict, year, document, clause, quote, reading."""
        return rules_sheet(self.rules, language)

    def failing_table(self, language: str = "zh") -> pd.DataFrame:
        """:attr:`failing` with display column names and reasons in ``language``."""
        return self.table("failing", language)


def rule_title(rule_id: str, language: str = "zh") -> str:
    """The name of a rule of :data:`~siting.profiles.RULES` in ``language`` (its key's label, or its own)."""
    check = next(r for r in RULES if r.id == rule_id)
    own = term(f"rule_{rule_id}", language) if f"rule_{rule_id}" in TERMS else None
    spec = SCHEMA[check.key]
    return own or (spec.label_zh if language == "zh" else spec.label_en)


def _number_text(value: float, unit: str, language: str) -> str:
    if unit == "share":
        return f"{value * 100:.1f}%"
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"
    return f"{shown} {unit_label(unit, language)}"


def rule_target_text(row: Any, language: str = "zh") -> str | None:
    """What a rule asks, in words: ``每个小区 ≥ 20 平方米/百户``, ``≥ 100.0%``, ``> 60.0%``."""
    if row.verdict == "condition":
        return f"≥ {_number_text(row.threshold, row.threshold_unit, language)}"
    sign = ">" if row.comparison == ">" else "≥"
    if row.every:
        per_unit = term(f"every_{row.level}", language)
        # a radius is a most (不大于), every other threshold a least (不低于)
        within = "≤" if row.key == "service_radius_m" else "≥"
        return f"{per_unit} {within} {_number_text(row.threshold, row.threshold_unit, language)}"
    return f"{sign} {_number_text(row.target, row.unit, language)}"


def rule_actual_text(row: Any, language: str = "zh") -> str | None:
    """What was found, in words: ``12/15 (80.0%)`` for unit-by-unit rules, else the figure."""
    if row.actual is None or pd.isna(row.actual):
        return None
    if row.verdict == "condition":
        return term("sites_below_minimum", language, n=int(row.actual))
    if row.judged is not None and not pd.isna(row.judged) and row.unit == "share":
        return f"{int(row.passing)}/{int(row.judged)} ({row.actual * 100:.1f}%)"
    return _number_text(row.actual, row.unit, language)


def rules_sheet(rules: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """The 规则核查 sheet: one row per rule, every verdict with its document, clause, quote and year.

    ``standard`` and ``actual`` say it in words (``每个新建小区 ≥ 20 平方米/百户``, ``12/15 (80.0%)``);
    ``target_value`` and ``actual_value`` are the compared numbers (shares 0–1 where ``unit`` is %).
    """
    rows = []
    for row in rules.itertuples(index=False):
        missing = _inputs_text(row.missing, language)
        reason = value_label(row.reason, language) if row.reason else ""
        why = f"{reason}：{missing}" if reason and missing else "" if row.verdict == "not_applicable" else reason
        detail = row.detail if language == "zh" else row.detail_en
        note = ("；" if language == "zh" else "; ").join(filter(None, [why, detail])) or None
        digits = 6 if row.unit == "share" else 3
        rows.append(
            {
                "number": row.number,
                "label": rule_title(row.rule, language),
                "rule_level": value_label(row.level, language),
                "rule_facilities": value_label(row.facilities, language),
                "measure": value_label(row.measure, language),
                "standard": rule_target_text(row, language),
                "target_value": None if row.target is None or pd.isna(row.target) else round(float(row.target), digits),
                "actual": rule_actual_text(row, language),
                "actual_value": None if pd.isna(row.actual) else round(float(row.actual), digits),
                "unit": "%" if row.unit == "share" else unit_label(row.unit, language),
                "verdict": value_label(row.verdict, language) + _level_text(row.verdict, reason, language),
                "note": note,
                "by_year": row.by_year,
                "document": row.document,
                "clause": row.source
                + (term("overrules", language, figure=row.overrules) if isinstance(row.overrules, str) else ""),
                "quote": row.quote,
                "settings": _settings_text(row.settings, language),
                "rule_status": status_label(row.rule_status, language),
                "defined_in": profile_place(row.defined_in, language),
            }
        )
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["number"])
    if "by_year" in frame.columns:
        frame["by_year"] = frame["by_year"].astype("Int64")
    return relabel(frame, language, values=("defined_in", "clause"))


def _level_text(verdict: str, reason: str, language: str) -> str:
    """``（研究范围为街道）`` after 不适用: why a rule of another level is not judged."""
    if verdict != "not_applicable":
        return ""
    return f"（{reason}）" if language == "zh" else f" ({reason})"


def _inputs_text(missing: str, language: str) -> str:
    """``facilities.beds_nursing;elderly`` in words; ``a|b`` is either input."""
    either = term("either", language)
    needed = [either.join(term(f"input_{alt}", language) for alt in m.split("|")) for m in missing.split(";") if m]
    return "、".join(needed)


def _settings_text(settings: str, language: str) -> str | None:
    """``min_site_area_m2=200;new_area_counts=own`` in words, each setting with its label and unit."""
    parts = []
    for item in filter(None, settings.split(";")):
        key, _, value = item.partition("=")
        spec = SCHEMA[key]
        label = spec.label_zh if language == "zh" else spec.label_en
        if spec.kind == "choice":
            shown = value_label(value, language)
        elif spec.kind == "services":
            shown = "、".join(term(f"service_{code}", language) for code in value.split(","))
        else:
            shown = f"{value} {unit_label(spec.unit, language)}"
        parts.append(f"{label}: {shown}")
    return ("；" if language == "zh" else "; ").join(parts) or None


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
    if "area_id" in facilities.columns:
        given = facilities["area_id"]
        named = given.notna() & (given.astype(str).str.strip() != "")
        unknown = named & ~given.astype(str).isin(areas["area_id"].astype(str))
        if unknown.any():
            raise SitingInputError(
                msg("facility_area_unknown"),
                source=msg("where_argument", name="facilities"),
                column="area_id",
                rows=facilities.loc[unknown, "facility_id"],
                fix=msg("facility_area_unknown_fix"),
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


def meets_rate(available_m2: np.ndarray, required_m2: np.ndarray) -> np.ndarray:
    """Whether available floor area reaches the required (不低于), forgiving division round-off
    (:data:`RELATIVE_TOLERANCE`): the one comparison of the check and the plans judged by it."""
    return np.asarray(available_m2) >= np.asarray(required_m2) * (1 - RELATIVE_TOLERANCE) - RELATIVE_TOLERANCE


def own_floor_area_only(areas: pd.DataFrame, profile: Profile) -> np.ndarray:
    """Areas that count only the floor area built with them: new areas, when ``new_area_counts`` is ``own``."""
    return (areas["status"].to_numpy() == "new") & (profile.reading("new_area_counts") == "own")


def _owners(areas: pd.DataFrame, facilities: pd.DataFrame) -> np.ndarray:
    """Row of the residential area each facility was built with (配建), -1 for none.

    A facility's ``area_id`` names it; a facility without one belongs to the area polygon it stands in.
    """
    area_ids = pd.Index(areas["area_id"].astype(str))
    owner = np.full(len(facilities), -1, dtype=np.int64)
    if "area_id" in facilities.columns:
        given = facilities["area_id"]
        named = (given.notna() & (given.astype(str).str.strip() != "")).to_numpy()
        owner[named] = area_ids.get_indexer(given[named].astype(str))
    rest = np.flatnonzero(owner < 0)
    located = (
        len(rest)
        and isinstance(areas, gpd.GeoDataFrame)
        and isinstance(facilities, gpd.GeoDataFrame)
        and areas.crs is not None
        and facilities.crs is not None
    )
    if located:
        polygonal = np.flatnonzero(areas.geom_type.isin(POLYGON_TYPES).to_numpy())
        points = facilities.geometry.iloc[rest]
        points = points if facilities.crs == areas.crs else points.to_crs(areas.crs)
        tree = shapely.STRtree(areas.geometry.to_numpy()[polygonal])
        point_pos, poly_pos = tree.query(points.representative_point().to_numpy(), predicate="within")
        # overlapping areas would be an input mistake; the first one listed keeps the facility
        first = pd.Series(polygonal[poly_pos]).groupby(point_pos).min()
        owner[rest[first.index.to_numpy()]] = first.to_numpy()
    return owner


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

    Which pairs share: a facility counts for an area of a status when :func:`facility_counts` (or
    ``counts``) says so and, for an existing area, it is within the walk. A new area counts by the
    profile's ``new_area_counts``: ``own`` — only facilities built with it (``area_id`` names it, or
    the facility stands inside its polygon), whose floor area no existing area then shares; or
    ``within_walk`` — as an existing area does.

    Parameters
    ----------
    areas : DataFrame
        ``area_id``, ``households`` (户), ``status`` (``"new"``/``"existing"``); polygons place the
        facilities built with them.
    facilities : DataFrame
        ``facility_id``, ``level``, ``floor_area_m2`` (m²); optional ``area_id`` (built with that area).
    pairs : DataFrame
        ``area_id``, ``facility_id``, ``walk_min``; pairs beyond ``settings``' inclusive cutoff are
        ignored.
    profile : Profile
        Rates, single-site minima and ``new_area_counts``.
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
    n_fac = len(facility_ids)
    flags = facility_counts(facilities, profile) if counts is None else counts
    counts_new = flags["counts_for_new"].to_numpy(bool)
    counts_existing = flags["counts_for_existing"].to_numpy(bool)
    households = pd.to_numeric(areas["households"]).to_numpy(float)
    new = areas["status"].to_numpy() == "new"
    in_scope = in_floor_area_scope(areas, profile)

    kept = pairs[settings.within_min(pairs["walk_min"])]
    rows = pd.Index(area_ids).get_indexer(kept["area_id"].astype(str))
    cols = pd.Index(facility_ids).get_indexer(kept["facility_id"].astype(str))
    known = (rows >= 0) & (cols >= 0)
    known[known] = in_scope[rows[known]]  # an area the rates do not judge has no claim on the floor area
    rows, cols = rows[known], cols[known]
    if profile.reading("new_area_counts") == "own":
        owner = _owners(areas, facilities)
        built_for_new = np.zeros(n_fac, bool)
        built_for_new[owner >= 0] = new[owner[owner >= 0]]
        # existing areas share what is within the walk, except what a new area built for itself
        walk = ~new[rows] & ~built_for_new[cols]
        rows, cols = rows[walk], cols[walk]
        counted = counts_existing[cols]
        own = np.flatnonzero(built_for_new & counts_new)
        own = own[in_scope[owner[own]]]
        rows = np.concatenate([rows[counted], owner[own]])
        cols = np.concatenate([cols[counted], own])
    else:
        counted = np.where(new[rows], counts_new[cols], counts_existing[cols])
        rows, cols = rows[counted], cols[counted]
    # one pair once, however often the table lists it (sort and drop repeats: np.unique's hashing is
    # far slower on a million pairs)
    key = np.sort(rows.astype(np.int64) * max(n_fac, 1) + cols)
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    rows, cols = key // max(n_fac, 1), key % max(n_fac, 1)

    demand = np.bincount(cols, weights=households[rows], minlength=n_fac)
    share = np.divide(1.0, demand[cols], out=np.zeros(len(cols)), where=demand[cols] > 0)
    matrix = sp.csr_matrix((share, (rows, cols)), shape=(len(area_ids), n_fac))
    matrix.eliminate_zeros()
    return FloorAreaShares(
        area_ids=area_ids,
        facility_ids=facility_ids,
        matrix=matrix,
        catchment_households=demand,
        rate_m2_per_100hh=np.where((households > 0) & in_scope, _area_rates(areas, profile), np.nan),
    )


def in_floor_area_scope(areas: pd.DataFrame, profile: Profile) -> np.ndarray:
    """Areas the floor-area rates (R01, R02) apply to, by ``floor_area_scope``: every area, or for
    ``urban_areas`` (东阿 第13条, 济宁 第11条: 城镇居住区) every area not known to be rural (the areas'
    ``urban`` column, :func:`siting.inputs.prepare_areas`; an area of unknown kind is judged rather than waived)."""
    if profile.reading("floor_area_scope") != "urban_areas" or "urban" not in areas.columns:
        return np.ones(len(areas), bool)
    return pd.array(areas["urban"], dtype="boolean").fillna(True).to_numpy(bool)


def in_radius_scope(areas: pd.DataFrame, profile: Profile) -> np.ndarray:
    """Areas the service radius (R11) applies to, by ``service_radius_scope``: every area with households,
    or only existing ones (曹县 三(六): 对老旧小区、已建成小区…覆盖半径不大于1000米)."""
    judged = pd.to_numeric(areas["households"]).to_numpy(float) > 0
    if profile.reading("service_radius_scope") == "existing_areas":
        judged &= areas["status"].to_numpy() == "existing"
    return judged


def rule_areas(rule: RuleCheck | str, areas: pd.DataFrame, profile: Profile) -> np.ndarray:
    """The residential areas a rule judges (R01 new areas, R02 existing areas, R11 the radius), each within
    the scope its clause sets; every area for a rule that does not judge areas one by one.

    Parameters
    ----------
    rule : RuleCheck or str
        A row of :data:`~siting.profiles.RULES`, its number (``R01``) or its id (``floor_area_new``).
    areas : DataFrame
        ``households``, ``status``, optional ``urban`` (:func:`siting.inputs.prepare_areas`).
    profile : Profile
    """
    check = rule if isinstance(rule, RuleCheck) else rule_check(rule)
    households = pd.to_numeric(areas["households"]).to_numpy(float) > 0
    if check.measure == "areas_meeting_rate":
        status = "new" if check.level == "new_areas" else "existing"
        return households & (areas["status"].to_numpy() == status) & in_floor_area_scope(areas, profile)
    if check.measure == "areas_within_radius":
        return in_radius_scope(areas, profile)
    return np.ones(len(areas), bool)


def rule_check(number_or_id: str) -> RuleCheck:
    """The row of :data:`~siting.profiles.RULES` with this number (``R09``) or id (``township_catchment``)."""
    for check in RULES:
        if number_or_id in (check.number, check.id):
            return check
    raise ValueError(f"no rule {number_or_id!r} in siting.profiles.RULES")


def _area_rates(areas: pd.DataFrame, profile: Profile) -> np.ndarray:
    """Rate of each area by its status, m² per 100 households; NaN where the profile sets none."""
    rates = {status: profile.value(key) for status, key in RATE_KEYS.items()}
    by_status = {status: np.nan if rate is None else float(rate) for status, rate in rates.items()}
    return areas["status"].map(by_status).to_numpy(dtype=float, na_value=np.nan)


def _floor_area(
    areas: pd.DataFrame,
    facilities: pd.DataFrame,
    pairs: pd.DataFrame,
    reach: pd.DataFrame,
    owner: np.ndarray,
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
    # an area the rates do not judge (a rural one under floor_area_scope: urban_areas) requires nothing
    in_scope = in_floor_area_scope(areas, profile)
    required = households / 100.0 * np.where(in_scope, _area_rates(areas, profile), np.nan)
    available = households * per_household
    # NaN rate: no rate for the status, or no households (an area without households needs nothing,
    # so meeting the rate would say nothing about it)
    decided = ~np.isnan(shares.rate_m2_per_100hh)
    ok = meets_rate(available, required)
    n_counted = np.diff(shares.matrix.indptr)
    in_reach = reach[reach["level"].isin(FLOOR_AREA_LEVELS)]
    n_reached = areas["area_id"].map(in_reach.groupby("area_id").size()).fillna(0).astype(int).to_numpy()
    own_only = own_floor_area_only(areas, profile)
    neighbourhood = facilities["level"].isin(FLOOR_AREA_LEVELS).to_numpy() & (owner >= 0)
    n_own = np.bincount(owner[neighbourhood], minlength=len(areas))
    n_reached = np.where(own_only, n_own, n_reached)
    reason = np.select(
        [
            households == 0,
            ~in_scope,
            ~decided,
            ok,
            own_only & (n_own == 0),
            n_reached == 0,
            n_counted == 0,
        ],
        [
            "no_households",
            "rural_area",
            "rate_not_set",
            "",
            "no_own_facility",
            "no_neighbourhood_facility_in_reach",
            "below_min_site_only",
        ],
        "below_rate",
    )

    rates = {status: profile.value(key) for status, key in RATE_KEYS.items()}
    rule_text = {s: f"{key}={'' if rates[s] is None else f'{rates[s]:g}'}" for s, key in RATE_KEYS.items()}
    rule_source = {s: profile.source(key) for s, key in RATE_KEYS.items()}

    out = pd.DataFrame(
        {
            "required_floor_area_m2": required,
            "available_floor_area_m2": available,
            "floor_area_per_100hh": 100.0 * per_household,
            "shortfall_m2": np.where(decided, np.clip(required - available, 0.0, None), np.nan),
            "floor_area_ok": pd.array(np.where(decided, ok, False), dtype="boolean"),
            # a rural area under 城镇居住区 rates names the scope that leaves it out, not a rate
            "floor_area_rule": np.where(
                in_scope,
                areas["status"].map(rule_text).to_numpy(),
                "floor_area_scope=urban_areas",
            ),
            "floor_area_rule_source": np.where(
                in_scope,
                areas["status"].map(rule_source).to_numpy(),
                profile.source("floor_area_scope"),
            ),
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


def _radius_ok(
    areas: pd.DataFrame, facilities: pd.DataFrame, pairs: pd.DataFrame, profile: Profile, settings: WalkSettings
) -> pd.arrays.BooleanArray:
    """Each area within the profile's stated service radius of a township, community or station facility
    (straight-line from the area, 0 inside, or along the streets); NA without a stated radius, without
    households, or outside the radius's scope (:func:`in_radius_scope`)."""
    radius = profile.value("service_radius_m")
    judged = in_radius_scope(areas, profile)
    if radius is None:
        return pd.array([pd.NA] * len(areas), dtype="boolean")
    near = facilities[facilities["level"].isin(FLOOR_AREA_LEVELS).to_numpy()]
    dist = np.full(len(areas), np.inf)
    if profile.reading("service_radius_measure") == "straight":
        if len(near) and isinstance(areas, gpd.GeoDataFrame) and isinstance(near, gpd.GeoDataFrame):
            metric = to_metric(areas)
            points = near.to_crs(metric.crs).geometry.representative_point().to_numpy()
            (area_pos, _), found = shapely.STRtree(points).query_nearest(
                metric.geometry.to_numpy(), return_distance=True, all_matches=False
            )
            dist[area_pos] = found
    else:
        along = pairs[pairs["facility_id"].astype(str).isin(near["facility_id"])]
        metres = along["dist_m"] if "dist_m" in along.columns else along["walk_min"] * settings.walk_speed_m_per_min
        nearest = metres.groupby(along["area_id"].astype(str)).min()
        dist = areas["area_id"].map(nearest).fillna(np.inf).to_numpy(float)
    ok = settings.within_m(dist, radius)
    return pd.array([bool(v) if j else pd.NA for v, j in zip(ok, judged, strict=True)], dtype="boolean")


# --------------------------------------------------------------------------------------------------
# Townships and communities
# --------------------------------------------------------------------------------------------------
def _township_kinds(names: pd.Series, units: pd.DataFrame | None) -> pd.Series:
    """``street`` (街道), ``town`` (镇) or ``xiang`` (乡) of each township: the units' type, else the name."""
    guessed = unit_type_from_name(names, "township")
    if units is None or "unit_type" not in units.columns:
        return guessed
    given = units[units["level"] == "township"].set_index("name")["unit_type"]
    known = names.map(given)
    return known.where(known.isin(["street", "town", "xiang"]), guessed)


def _units_of(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The township and the community name of each row, as prepared (:func:`siting.inputs.prepare_inputs`);
    NA where the column is absent (no units, or a level the units lack)."""
    missing = pd.Series(pd.NA, index=frame.index, dtype="string")
    township, community = (frame[c].astype("string") if c in frame.columns else missing for c in UNIT_LEVELS)
    return township, community


def _services(facilities: pd.DataFrame) -> pd.DataFrame | None:
    """The services each facility offers, one boolean column per code, as prepared
    (:data:`siting.inputs.SERVICE_COLUMNS`: the check prepares what a caller did not); None
    without a ``services`` column (the rules that read services are then undecided)."""
    if "services" not in facilities.columns:
        return None
    return facilities[list(SERVICE_COLUMNS.values())].set_axis(list(SERVICE_COLUMNS), axis=1)


def _unit_names(area_units: pd.Series, units: pd.DataFrame | None, level: str) -> list[str]:
    names: list[str] = []
    if units is not None:
        names = [str(n) for n in units.loc[units["level"] == level, "name"]]
    names += sorted(set(area_units.dropna().astype(str)) - set(names))
    return names


@dataclass(frozen=True)
class _ByUnit:
    """Rows grouped by the unit each lies in, for per-unit sums in numpy (a pandas named group-by
    aggregation took 25 ms of every check, however small the town).

    ``index`` is the result's rows (``names``, in order, repeats allowed); ``code`` each row's unit among
    the distinct names (-1: in none of them, counted nowhere); ``n`` the distinct names.
    """

    index: pd.Index
    code: np.ndarray
    n: int
    _row: np.ndarray

    @classmethod
    def of(cls, units: Any, names: list[str]) -> _ByUnit:
        index = pd.Index(names, name="unit")
        distinct = pd.Index(pd.unique(index))
        return cls(
            index, distinct.get_indexer(np.asarray(units, dtype=object)), len(distinct), distinct.get_indexer(index)
        )

    def rows(self, per_unit: np.ndarray) -> np.ndarray:
        """A value per distinct unit, laid out as ``index``."""
        return per_unit[self._row]

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Each unit's sum of ``values`` (NaN counts 0), laid out as ``index``."""
        kept = self.code >= 0
        return self.rows(np.bincount(self.code[kept], np.nan_to_num(values[kept]), minlength=self.n).astype(float))


def _rates_by(areas: pd.DataFrame, by: pd.Series, names: list[str]) -> pd.DataFrame:
    """Floor-area 达标率 by households and by areas, and shortfall, per unit (rows ``names``, in order;
    areas in no unit of ``names`` count nowhere)."""
    units = _ByUnit.of(by, names)
    decided = areas["floor_area_ok"].notna().to_numpy()
    ok = areas["floor_area_ok"].fillna(False).to_numpy(bool) & decided
    households = areas["households"].to_numpy(float)
    areas_decided = units.sum(decided.astype(float))
    areas_ok = units.sum(ok.astype(float))
    households_decided = units.sum(np.where(decided, households, 0.0))
    households_ok = units.sum(np.where(ok, households, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "areas": units.sum(np.ones(len(areas))).astype(int),
                "households": units.sum(households),
                "areas_decided": areas_decided.astype(int),
                "areas_ok": areas_ok.astype(int),
                "households_ok": households_ok,
                "shortfall_m2": units.sum(areas["shortfall_m2"].to_numpy(float)),
                "compliance_rate_areas": np.where(areas_decided > 0, areas_ok / areas_decided, np.nan),
                "compliance_rate_households": np.where(
                    households_decided > 0, households_ok / households_decided, np.nan
                ),
            },
            index=units.index,
        )


def _qualified(facilities: pd.DataFrame, levels: tuple[str, ...], minimum: float | None) -> np.ndarray:
    """Facilities of ``levels`` with at least ``minimum`` m² (any size when the minimum is null)."""
    floor = facilities["floor_area_m2"].to_numpy(float)
    big_enough = floor >= minimum if minimum is not None else np.ones(len(floor), bool)
    return facilities["level"].isin(levels).to_numpy() & big_enough


def _centres(facilities: pd.DataFrame, unit: pd.Series, levels: tuple[str, ...], names: list[str]) -> pd.DataFrame:
    """Per unit: facilities of ``levels`` in it, how many qualify for its rule, the largest (m²) and, for
    townships, the functions its largest centre lacks. ``unit`` may list a facility more than once (a
    区域性 centre credited to every township it serves): it is then counted in each."""
    mask = facilities["level"].isin(levels).to_numpy()[unit.index]
    located = unit[mask]
    chosen = facilities.iloc[located.index]
    qualified = "qualified_township_centre" if levels == ("township",) else "qualified_community_centre"
    units = _ByUnit.of(located, names)
    kept = units.code >= 0
    code = units.code[kept]
    floor = chosen["floor_area_m2"].to_numpy(float)[kept]
    missing = (
        chosen["missing_functions"].to_numpy(object)[kept]
        if "missing_functions" in chosen.columns
        else np.full(len(code), "", dtype=object)
    )
    # the missing functions of each unit's largest centre: the first stated, largest first
    order = np.argsort(-floor, kind="stable")
    order = order[pd.notna(missing[order])]
    _, firsts = np.unique(code[order], return_index=True)
    centres = np.bincount(code, minlength=units.n)
    missing_functions = np.full(units.n, np.nan, dtype=object)
    missing_functions[centres > 0] = None
    missing_functions[code[order][firsts]] = missing[order][firsts]
    largest = np.full(units.n, np.nan)
    np.fmax.at(largest, code, floor)
    grouped = pd.DataFrame(
        {
            "centres": units.rows(centres),
            "qualified_centres": units.sum(chosen[qualified].to_numpy(float)).astype(int),
            "largest_centre_m2": units.rows(largest),
            "missing_functions": units.rows(missing_functions),
        },
        index=units.index,
    )
    grouped["has_qualified_centre"] = grouped["qualified_centres"] > 0
    if levels != ("township",):
        grouped = grouped.drop(columns=["missing_functions"]).rename(
            columns={"centres": "community_facilities", "qualified_centres": "qualified_community_facilities"}
        )
    return grouped


def _served_townships(facilities: pd.DataFrame, facility_township: pd.Series) -> pd.Series:
    """The township(s) each facility counts for, by row position: its own, and for a 区域性 centre the
    townships its ``serves_townships`` lists (曹县 附件2 四.2: 区域性养老服务中心或镇综合养老服务中心)."""
    own = pd.Series(facility_township.to_numpy(), index=np.arange(len(facilities)), dtype="string")
    if "serves_townships" not in facilities.columns:
        return own
    listed = facilities["serves_townships"].map(
        lambda v: [] if v is None or (isinstance(v, float) and np.isnan(v)) else _split_names(v)
    )
    extra = pd.Series(listed.to_numpy(), index=np.arange(len(facilities))).explode().dropna().astype("string")
    both = pd.concat([own, extra])
    frame = pd.DataFrame({"position": both.index, "unit": both.to_numpy()}).drop_duplicates()
    return pd.Series(frame["unit"].to_numpy(), index=frame["position"].to_numpy(), dtype="string")


def _split_names(value: object) -> list[str]:
    """``刘集镇;王庄镇`` (separated by ; ， 、 or spaces) as a list of names."""
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [w for w in re.split(r"[;；,，、/|\s]+", str(value)) if w]


def qualified_township_centres(facilities: pd.DataFrame, profile: Profile, services: pd.DataFrame | None):
    """Township-level facilities that count as a 乡镇(街道)综合养老服务中心 for R07/R08/R09: at least
    ``township_centre_min_m2`` and offering every function of ``township_centre_functions`` (曹县 附件2
    四.2: 长期托养、日托、上门服务), read from the services column.

    Returns
    -------
    qualified : numpy.ndarray of bool
    missing : numpy.ndarray of str
        The functions each township-level facility lacks, in Chinese words joined by 、 (empty when it
        has them all, when no functions are required, or when no services column was given).
    """
    qualified = _qualified(facilities, ("township",), profile.value("township_centre_min_m2"))
    required = profile.value("township_centre_functions") or []
    missing = np.full(len(facilities), "", dtype=object)
    if required and services is not None:
        lacking = ~services[list(required)].to_numpy(bool) & facilities["level"].eq("township").to_numpy()[:, None]
        words = [term(f"service_{code}", "zh") for code in required]
        missing = np.array(
            ["、".join(w for w, x in zip(words, row, strict=True) if x) for row in lacking], dtype=object
        )
        qualified &= ~lacking.any(axis=1)
    return qualified, missing


def qualified_community_centres(facilities: pd.DataFrame, profile: Profile) -> np.ndarray:
    """Facilities that count for R10: community centres (and stations, unless ``community_centre_types``
    is ``centres``: 东阿 第15条 names a 社区养老服务中心, which a 养老服务站 is not) of at least
    ``community_centre_min_m2``."""
    levels = ("community",) if profile.reading("community_centre_types") == "centres" else COMMUNITY_LEVELS
    return _qualified(facilities, levels, profile.value("community_centre_min_m2"))


def _meets(actual: float | None, target: float | None, comparison: str = ">=") -> bool | None:
    """``actual`` against ``target`` (>= for 不低于/达到, > for 大于); None when either is unknown."""
    if target is None or actual is None or pd.isna(actual):
        return None
    slack = RELATIVE_TOLERANCE * max(1.0, abs(target))
    return bool(actual > target + slack) if comparison == ">" else bool(actual >= target - slack)


def _institutions(facilities: pd.DataFrame, services: pd.DataFrame | None) -> np.ndarray:
    """Care institutions whose beds GB 50437 counts (养老院, 养护院): county level, or offering residential care."""
    county = facilities["level"].eq("county").to_numpy()
    return county if services is None else county | services["residential_care"].to_numpy(bool)


def _stated(facilities: pd.DataFrame, column: str) -> pd.Series | None:
    """A numeric facility column, or None when the column is absent or no facility states it."""
    if column not in facilities.columns:
        return None
    values = pd.to_numeric(facilities[column], errors="coerce")
    return None if values.isna().all() else values


def _ratio(supply: pd.Series | None, demand: pd.Series | None, by_supply: Any, by_demand: Any, names: list[str]):
    """``supply`` over ``demand`` per unit (NaN where a unit has no demand); None without either input."""
    if supply is None or demand is None:
        return None
    s = supply.fillna(0.0).groupby(by_supply).sum().reindex(names).fillna(0.0)
    d = demand.fillna(0.0).groupby(by_demand).sum().reindex(names)
    return s / d.where(d > 0)


def township_network(facilities: pd.DataFrame, facility_township: pd.Series, profile: Profile) -> np.ndarray:
    """The facilities of each township's service network (R09): its qualifying centres and, except under
    ``township_centre_catchment: centre_walk``, the community facilities and stations of a township that
    has one (the 县-乡-村 network: the centre reaches its villages through them).

    ``facilities`` needs ``level`` and ``qualified_township_centre`` (:func:`qualified_township_centres`);
    a 区域性 centre (``serves_townships``) leads the network of every township it serves.
    """
    qualified = facilities["qualified_township_centre"].to_numpy(bool)
    serving = qualified.copy()
    if profile.reading("township_centre_catchment") != "centre_walk":
        served = _served_townships(facilities, facility_township)
        with_centre = set(served[qualified[served.index]].dropna())
        serving |= facilities["level"].isin(COMMUNITY_LEVELS).to_numpy() & facility_township.isin(with_centre).to_numpy(
            bool
        )
    return serving


def _community_parents(ctx: _Context, names: list[str]) -> pd.Series:
    """The township of each community: the units' ``parent``, else where most of its areas lie."""
    parent = ctx.area_township.groupby(ctx.area_community).agg(lambda s: s.mode().iloc[0] if s.notna().any() else pd.NA)
    if ctx.units is not None and "parent" in ctx.units.columns:
        given = ctx.units[ctx.units["level"] == "community"].set_index("name")["parent"]
        parent = given.combine_first(parent)
    return parent.reindex(names)


def _township_table(ctx: _Context) -> pd.DataFrame:
    areas, facilities, profile = ctx.areas, ctx.facilities, ctx.profile
    names = _unit_names(ctx.area_township, ctx.units, "township")
    table = _centres(facilities, _served_townships(facilities, ctx.facility_township), ("township",), names)
    # 服务半径全覆盖: the township's service network (its qualifying centre and the facilities it leads)
    # reaches the township's households and communities
    serving = township_network(facilities, ctx.facility_township, profile)
    # a facility reaches for its township's network the areas of the townships it counts for (its own,
    # and those a 区域性 centre serves)
    served = _served_townships(facilities, ctx.facility_township)
    counts_for = pd.DataFrame(
        {"facility_id": facilities["facility_id"].to_numpy()[served.index], "township": served.to_numpy()}
    ).dropna()
    area_unit = pd.Series(ctx.area_township.to_numpy(), index=areas["area_id"].to_numpy())
    own = ctx.reach[ctx.reach["facility_id"].isin(set(facilities.loc[serving, "facility_id"]))]
    pairs = pd.DataFrame({"facility_id": own["facility_id"].to_numpy(), "township": own["area_id"].map(area_unit)})
    same = pairs.merge(counts_for.drop_duplicates(), how="left", indicator=True)["_merge"].eq("both").to_numpy()
    reached_areas = areas["area_id"].isin(set(own.loc[same, "area_id"])).to_numpy()
    covered = areas["households"].where(reached_areas, 0.0)
    table["households_covered"] = covered.groupby(ctx.area_township).sum().reindex(names).fillna(0.0)
    table = table.join(_rates_by(areas, ctx.area_township, names))
    table["covered_share"] = table["households_covered"] / table["households"].where(table["households"] > 0)
    # a community is reached when a facility of the network stands in it or reaches one of its areas
    community_names = _unit_names(ctx.area_community, ctx.units, "community")
    parents = _community_parents(ctx, community_names)
    reached = set(ctx.facility_community[serving].dropna()) | set(ctx.area_community[reached_areas].dropna())
    in_township = pd.DataFrame({"township": parents.to_numpy(), "reached": [n in reached for n in community_names]})
    counts = in_township.groupby("township")["reached"].agg(["size", "sum"]).reindex(names)
    table["communities"] = counts["size"].fillna(0).astype(int)
    table["communities_reached"] = counts["sum"].fillna(0).astype(int)
    table["share_communities_reached"] = table["communities_reached"] / table["communities"].where(
        table["communities"] > 0
    )
    measured = (
        "share_communities_reached"
        if profile.reading("township_centre_catchment") == "communities_reached"
        else "covered_share"
    )
    target = profile.value("township_centre_catchment_share")
    table["catchment_ok"] = pd.array([_meets(v, target) for v in table[measured]], dtype="boolean")
    table["unit_ok"] = table["has_qualified_centre"] & table["catchment_ok"].fillna(True)
    population = pd.to_numeric(areas["population"], errors="coerce") if "population" in areas.columns else None
    land = _ratio(_stated(facilities, "land_area_m2"), population, ctx.facility_township, ctx.area_township, names)
    table["land_m2_per_capita"] = land if land is not None else np.nan
    beds = _stated(facilities, "beds")
    beds = None if beds is None else beds.where(_institutions(facilities, ctx.services), 0.0)
    elderly = pd.to_numeric(areas["elderly"], errors="coerce") if "elderly" in areas.columns else None
    per_elderly = _ratio(beds, elderly, ctx.facility_township, ctx.area_township, names)
    table["beds_per_1000_elderly"] = 1000.0 * per_elderly if per_elderly is not None else np.nan
    table.insert(0, "kind", _township_kinds(pd.Series(names, index=names, dtype=object), ctx.units))
    return table.rename_axis("township").reset_index()


def _community_table(ctx: _Context) -> pd.DataFrame:
    areas, facilities, profile = ctx.areas, ctx.facilities, ctx.profile
    names = _unit_names(ctx.area_community, ctx.units, "community")
    located = pd.Series(ctx.facility_community.to_numpy(), index=np.arange(len(facilities)), dtype="string")
    table = _centres(facilities, located, COMMUNITY_LEVELS, names)
    table = table.join(_rates_by(areas, ctx.area_community, names))
    table.insert(0, "township", _community_parents(ctx, names))
    index = pd.Series(names, index=names, dtype=object)
    table["urban"] = community_urban(index, ctx.units)
    scope = profile.reading("community_facility_scope")
    # a community of unknown kind stays in scope: the rule is checked rather than waived
    table["in_scope"] = table["urban"].fillna(True).astype(bool) if scope == "urban_communities" else True
    table["unit_ok"] = pd.array(table["has_qualified_centre"].astype(bool), dtype="boolean")
    table.loc[~table["in_scope"].astype(bool), "unit_ok"] = pd.NA
    if ctx.services is None:
        table["meal_service"] = pd.array([pd.NA] * len(names), dtype="boolean")
        table["share_meal_areas"] = np.nan
    else:
        # 东阳 第7条 助餐村（社区）覆盖率, counted by 小区: a village or community is covered when every one of its
        # 小区 with households is within the walk of a meal service (one 小区 does not cover the rest); one
        # without 小区 when a meal service stands in it
        meal = ctx.services["meal"].to_numpy(bool)
        located = set(ctx.facility_community[meal].dropna())
        meal_ids = set(facilities.loc[meal, "facility_id"])
        reached_ids = set(ctx.reach.loc[ctx.reach["facility_id"].isin(meal_ids), "area_id"])
        peopled = areas["households"].to_numpy(float) > 0
        frame = pd.DataFrame(
            {"community": ctx.area_community.to_numpy(), "reached": areas["area_id"].isin(reached_ids).to_numpy()}
        )[peopled]
        counts = frame.groupby("community")["reached"].agg(["size", "sum"]).reindex(names)
        table["share_meal_areas"] = (counts["sum"] / counts["size"]).to_numpy()
        covered = [
            bool(share == 1.0) if not pd.isna(share) else name in located
            for name, share in zip(names, table["share_meal_areas"], strict=True)
        ]
        table["meal_service"] = pd.array(covered, dtype="boolean")
    return table.rename_axis("community").reset_index()


# --------------------------------------------------------------------------------------------------
# The rules table, measured
# --------------------------------------------------------------------------------------------------
@dataclass
class _Context:
    """What the measures read: the checked frames, where each area and facility lies, the profile."""

    areas: pd.DataFrame
    facilities: pd.DataFrame
    pairs: pd.DataFrame
    reach: pd.DataFrame
    units: pd.DataFrame | None
    area_township: pd.Series
    area_community: pd.Series
    facility_township: pd.Series
    facility_community: pd.Series
    services: pd.DataFrame | None
    profile: Profile
    settings: WalkSettings
    #: The level the study stands at (:data:`STUDY_LEVELS` codes); None judges every rule.
    study_level: str | None = None
    townships: pd.DataFrame = field(default_factory=pd.DataFrame)
    communities: pd.DataFrame = field(default_factory=pd.DataFrame)

    def elderly(self) -> float | None:
        """Elderly population: the areas' ``elderly``, else the units' (communities, else townships)."""
        if "elderly" in self.areas.columns and pd.to_numeric(self.areas["elderly"], errors="coerce").notna().any():
            return float(pd.to_numeric(self.areas["elderly"], errors="coerce").sum())
        if self.units is not None and "elderly" in self.units.columns:
            for level in ("community", "township"):
                values = pd.to_numeric(self.units.loc[self.units["level"] == level, "elderly"], errors="coerce")
                if values.notna().any():
                    return float(values.sum())
        return None


@dataclass
class Measured:
    """A measure's finding: the figure compared with the target, how many units were judged and passed,
    which inputs were missing (then nothing is judged), or why there was nothing to judge."""

    actual: float | None = None
    judged: int | None = None
    passing: int | None = None
    missing: tuple[str, ...] = ()
    reason: str = ""
    #: What else was measured, shown beside the verdict (R09: the share of households reached): wording
    #: keys of :data:`siting.labels.TERMS` with their fields.
    detail: tuple[tuple[str, dict[str, str]], ...] = ()


def _share_of(passing: Any, judged: int, reason: str = "no_units") -> Measured:
    passing = int(passing)
    if judged == 0:
        return Measured(judged=0, passing=0, reason=reason)
    return Measured(actual=passing / judged, judged=judged, passing=passing)


def _areas_meeting_rate(ctx: _Context, check: RuleCheck) -> Measured:
    status = "new" if check.id == "floor_area_new" else "existing"
    ok = ctx.areas["floor_area_ok"]
    judged = (ctx.areas["status"] == status) & ok.notna()
    return _share_of(ok[judged].sum(), int(judged.sum()))


def _sites_below_minimum(ctx: _Context, check: RuleCheck) -> Measured:
    column = "below_min_site" if check.key == "min_site_area_m2" else "below_min_site_existing"
    near = ctx.facilities["level"].isin(FLOOR_AREA_LEVELS)
    below = int((ctx.facilities[column] & near).sum())
    return Measured(actual=float(below), judged=int(near.sum()), passing=int(near.sum()) - below)


def _compliance_rate(ctx: _Context, check: RuleCheck) -> Measured:
    areas = ctx.areas
    if ctx.profile.reading("floor_area_compliance_scope") == "new_areas":
        areas = areas[areas["status"] == "new"]
    overall = _rates_by(areas, pd.Series("all", index=areas.index), ["all"]).iloc[0]
    judged = int(overall["areas_decided"])
    if judged == 0:
        return Measured(reason="no_units")
    if check.measure == "compliance_rate_households":
        return Measured(actual=float(overall[check.measure]))
    return Measured(actual=float(overall[check.measure]), judged=judged, passing=int(overall["areas_ok"]))


def _units_with_centre(ctx: _Context, check: RuleCheck) -> Measured:
    if check.level == "communities":
        frame = ctx.communities[ctx.communities["in_scope"].astype(bool)]
        if frame.empty and ctx.communities.empty:
            return Measured(missing=("communities",))
    else:
        if ctx.townships.empty:
            return Measured(missing=("townships",))
        kinds = ("street",) if check.level == "streets" else ("town", "xiang")
        frame = ctx.townships[ctx.townships["kind"].isin(kinds)]
    return _share_of(frame["has_qualified_centre"].sum(), len(frame))


def _townships_covered(ctx: _Context, check: RuleCheck) -> Measured:
    if ctx.townships.empty:
        return Measured(missing=("townships",))
    judged = ctx.townships["catchment_ok"].notna()
    found = _share_of(ctx.townships.loc[judged, "catchment_ok"].sum(), int(judged.sum()))
    households = ctx.townships.loc[judged, "households"].sum()
    if households > 0:
        share = ctx.townships.loc[judged, "households_covered"].sum() / households
        found.detail = (("households_reached", {"share": f"{share * 100:.1f}%"}),)
    return found


def _areas_within_radius(ctx: _Context, check: RuleCheck) -> Measured:
    ok = ctx.areas["service_radius_ok"]
    return _share_of(ok[ok.notna()].sum(), int(ok.notna().sum()))


def _count(ctx: _Context, check: RuleCheck) -> Measured:
    facilities = ctx.facilities
    if check.facilities == "county_level":
        return Measured(actual=float(facilities["level"].eq("county").sum()))
    dementia_beds = _stated(facilities, "beds_dementia")
    if ctx.services is None and dementia_beds is None:
        return Measured(missing=("facilities.services|facilities.beds_dementia",))
    found = np.zeros(len(facilities), bool)
    if ctx.services is not None:
        found |= ctx.services["dementia_care"].to_numpy(bool)
    if dementia_beds is not None:
        found |= dementia_beds.fillna(0.0).to_numpy() > 0
    return Measured(actual=float(found.sum()))


def _per_person(supply: pd.Series | None, people: float | None, supply_name: str, people_name: str, scale: float):
    missing = tuple(name for name, value in ((supply_name, supply), (people_name, people)) if value is None)
    if missing:
        return Measured(missing=missing)
    assert supply is not None and people is not None
    if people <= 0:
        return Measured(reason="no_elderly" if people_name == "elderly" else "no_population")
    return Measured(actual=scale * float(supply.fillna(0.0).sum()) / people)


def _land_per_resident(ctx: _Context, check: RuleCheck) -> Measured:
    population = (
        float(pd.to_numeric(ctx.areas["population"], errors="coerce").sum())
        if "population" in ctx.areas.columns and pd.to_numeric(ctx.areas["population"], errors="coerce").notna().any()
        else None
    )
    land = _stated(ctx.facilities, "land_area_m2")
    return _per_person(land, population, "facilities.land_area_m2", "areas.population", 1.0)


def _beds_per_elderly(ctx: _Context, check: RuleCheck) -> Measured:
    beds = _stated(ctx.facilities, "beds")
    beds = None if beds is None else beds[_institutions(ctx.facilities, ctx.services)]
    return _per_person(beds, ctx.elderly(), "facilities.beds", "elderly", 1000.0)


def _nursing_bed_share(ctx: _Context, check: RuleCheck) -> Measured:
    institutions = _institutions(ctx.facilities, ctx.services)
    beds, nursing = _stated(ctx.facilities, "beds"), _stated(ctx.facilities, "beds_nursing")
    missing = tuple(n for n, v in (("facilities.beds_nursing", nursing), ("facilities.beds", beds)) if v is None)
    if missing:
        return Measured(missing=missing)
    assert beds is not None and nursing is not None
    total = float(beds[institutions].fillna(0.0).sum())
    if total <= 0:
        return Measured(reason="no_beds")
    # an institution that does not say how many of its beds are nursing-type counts none
    return Measured(actual=float(nursing[institutions].fillna(0.0).sum()) / total)


def _dementia_beds_per_elderly(ctx: _Context, check: RuleCheck) -> Measured:
    beds = _stated(ctx.facilities, "beds_dementia")
    return _per_person(beds, ctx.elderly(), "facilities.beds_dementia", "elderly", 10000.0)


def _institutions_with_service(ctx: _Context, check: RuleCheck) -> Measured:
    """Care institutions (:func:`_institutions`) offering a service: 医养结合 (R19 share, R20 count) or
    居家上门 (R21 share), read from the services column."""
    if ctx.services is None:
        return Measured(missing=("facilities.services",))
    institutions = _institutions(ctx.facilities, ctx.services)
    service = "home_care" if check.key == "home_care_institution_share" else "medical_care"
    offering = ctx.services[service].to_numpy(bool) & institutions
    if check.unit == "sites":
        return Measured(actual=float(offering.sum()))
    return _share_of(offering.sum(), int(institutions.sum()), reason="no_institutions")


def _townships_with_kangyang(ctx: _Context, check: RuleCheck) -> Measured:
    """东政办发〔2024〕3号 第9条 康养联合体实现镇乡街道全覆盖: townships where a facility whose services name a
    康养联合体 stands (the input says which facility is one)."""
    if ctx.services is None:
        return Measured(missing=("facilities.services",))
    if ctx.townships.empty:
        return Measured(missing=("townships",))
    with_one = set(ctx.facility_township[ctx.services["kangyang"].to_numpy(bool)].dropna())
    return _share_of(ctx.townships["township"].isin(with_one).sum(), len(ctx.townships))


def _named_townships_with_centre(ctx: _Context, check: RuleCheck) -> Measured:
    """东政办发〔2024〕3号 第10条 横店镇、巍山镇、南马镇等乡镇养老中心: each township the profile names has a qualifying
    township centre (a named township missing from the inputs has none)."""
    named = list(ctx.profile.value(check.key) or [])
    if ctx.townships.empty:
        return Measured(missing=("townships",))
    with_centre = set(ctx.townships.loc[ctx.townships["has_qualified_centre"].astype(bool), "township"])
    lacking = [name for name in named if name not in with_centre]
    found = _share_of(len(named) - len(lacking), len(named))
    found.detail = (("named_without_centre", {"names": "、".join(lacking)}),) if lacking else ()
    return found


def _units_with_meal_service(ctx: _Context, check: RuleCheck) -> Measured:
    if ctx.services is None:
        return Measured(missing=("facilities.services",))
    if ctx.communities.empty:
        return Measured(missing=("communities",))
    found = _share_of(ctx.communities["meal_service"].sum(), len(ctx.communities))
    peopled = ctx.areas["households"].to_numpy(float) > 0
    if peopled.any() and ctx.area_community.notna().any():
        meal_ids = set(ctx.facilities.loc[ctx.services["meal"].to_numpy(bool), "facility_id"])
        reached = ctx.areas["area_id"].isin(set(ctx.reach.loc[ctx.reach["facility_id"].isin(meal_ids), "area_id"]))
        share = float(reached.to_numpy()[peopled].mean())
        found.detail = (("meal_areas_reached", {"share": f"{share * 100:.1f}%"}),)
    return found


#: The measure of each rule of :data:`siting.profiles.RULES`, by its ``measure`` name.
MEASURES: dict[str, Callable[[_Context, RuleCheck], Measured]] = {
    "areas_meeting_rate": _areas_meeting_rate,
    "sites_below_minimum": _sites_below_minimum,
    "compliance_rate_areas": _compliance_rate,
    "compliance_rate_households": _compliance_rate,
    "units_with_centre": _units_with_centre,
    "townships_covered": _townships_covered,
    "areas_within_radius": _areas_within_radius,
    "count": _count,
    "land_per_resident": _land_per_resident,
    "beds_per_elderly": _beds_per_elderly,
    "nursing_bed_share": _nursing_bed_share,
    "dementia_beds_per_elderly": _dementia_beds_per_elderly,
    "units_with_meal_service": _units_with_meal_service,
    "institutions_with_service": _institutions_with_service,
    "townships_with_kangyang": _townships_with_kangyang,
    "named_townships_with_centre": _named_townships_with_centre,
}


def _setting_value(ctx: _Context, key: str) -> str | None:
    if key in ("walk_minutes", "walk_speed_m_per_min", "service_radius_m"):
        return f"{getattr(ctx.settings, key):g}"
    value = ctx.profile.value(key)
    if value is None:
        return DEFAULT_READINGS.get(key)
    if isinstance(value, list):
        return ",".join(value)
    return value if isinstance(value, str) else f"{value:g}"


def _evaluate(ctx: _Context) -> pd.DataFrame:
    """One row per rule of :data:`~siting.profiles.RULES` whose target the profile sets, or whose only
    figure is a parent's target for its whole area (verdict ``reference``: measured, shown beside it)."""
    profile, rows = ctx.profile, []
    for check in RULES:
        rule = profile.rule(check.key)
        if rule is None or (rule.value is None and rule.reference_value is None):
            continue
        own = rule.value is not None
        threshold = rule.value if own else rule.reference_value
        applies = not check.study_levels or ctx.study_level is None or ctx.study_level in check.study_levels
        found = MEASURES[check.measure](ctx, check) if applies else Measured(reason="other_level")
        spec = SCHEMA[check.key]
        # a list of named units is met when every one passes
        whole = check.every or spec.kind == "names"
        target: float | None = 1.0 if whole else None if check.condition else threshold
        threshold = "、".join(threshold) if spec.kind == "names" else threshold
        comparison = rule.comparison if target is not None and not check.every else ">="
        met = None if check.condition or found.actual is None else _meets(found.actual, target, comparison)
        due = profile.due(check.key)
        if check.condition:
            verdict, reason = "condition", ""
        elif not applies:
            verdict, reason = "not_applicable", f"study_level_{ctx.study_level}"
        elif found.missing:
            verdict, reason = "not_checked", "input_missing"
        elif found.actual is None:
            verdict, reason = "not_checked", found.reason
        elif not own:
            verdict, reason = "reference", ""
        else:
            # a target already met is met, whether or not its year has come
            verdict, reason = "met" if met else "not_met" if due else "not_due", ""
        settings = [(key, _setting_value(ctx, key)) for key in check.settings]
        rows.append(
            {
                "number": check.number,
                "rule": check.id,
                "key": check.key,
                "level": check.level,
                "facilities": check.facilities,
                "measure": check.measure,
                "threshold": threshold,
                "threshold_unit": spec.unit,
                "every": check.every,
                "target": target,
                "comparison": comparison,
                "actual": found.actual,
                "unit": check.unit,
                "judged": found.judged,
                "passing": found.passing,
                "verdict": verdict,
                "met": met,
                "reason": reason,
                "missing": ";".join(found.missing),
                "detail": _detail_text(found.detail + _target_notes(rule), "zh"),
                "detail_en": _detail_text(found.detail + _target_notes(rule), "en"),
                "by_year": rule.by_year,
                "due": due,
                "settings": ";".join(f"{k}={v}" for k, v in settings if v is not None),
                "document": rule.document,
                "source": rule.source,
                "quote": rule.quote,
                "rule_status": rule.status,
                "defined_in": rule.defined_in,
                "overrules": rule.overrules,
            }
        )
    table = pd.DataFrame(rows, columns=RULE_COLUMNS)
    for column in ("judged", "passing", "by_year"):
        table[column] = table[column].astype("Int64")
    table["met"] = table["met"].astype("boolean")
    table["actual"] = table["actual"].astype(float)
    return table


def _target_notes(rule: Any) -> tuple[tuple[str, dict[str, str]], ...]:
    """What kind of target a rule is: a scoring criterion of a past assessment (曹县 附件2 评分细则, scored
    at the 2023 检查验收), or a parent's whole-area target shown for reference."""
    notes: list[tuple[str, dict[str, str]]] = []
    if rule.scoring:
        notes.append(("scoring_target", {"year": str(rule.by_year or "")}))
    if rule.reference:
        notes.append(("reference_target", {"figure": rule.reference}))
    return tuple(notes)


def _detail_text(notes: tuple[tuple[str, dict[str, str]], ...], language: str) -> str:
    """The notes beside a verdict in ``language``, joined."""
    return ("；" if language == "zh" else "; ").join(term(key, language, **fields) for key, fields in notes)


def _rule_numbers(rules: pd.DataFrame, ids: list[str]) -> str:
    checked = dict(zip(rules["rule"], rules["number"], strict=True))
    return ", ".join(checked[i] for i in ids if i in checked)


def check_compliance(
    access: Accessibility,
    profile: Profile | str,
    *,
    units: gpd.GeoDataFrame | None = None,
    study_level: str | None = None,
) -> ComplianceResult:
    """Check the assessed residential areas and facilities against a rule profile.

    The walking circle is the one the access was assessed with (``access.settings``); a profile
    that sets a different walk (speed, minutes, or a service radius it states) is refused, since the
    verdicts would then mix two definitions of the walk. The areas and facilities are read as
    :func:`siting.inputs.prepare_inputs` prepares them (a :class:`~siting.plan.Study` does); layers
    not prepared are prepared here, once (:func:`check_compliance_pairs` says why).

    Parameters
    ----------
    access : Accessibility
        From :func:`siting.reachability.assess_access`.
    profile : Profile or str
        A loaded profile or a shipped profile name.
    units : GeoDataFrame, optional
        Administrative units, as for :func:`check_compliance_pairs`.
    study_level : str, optional
        As for :func:`check_compliance_pairs`.

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
        access.areas,
        access.facilities,
        access.pairs,
        profile,
        settings=access.settings,
        units=units,
        study_level=study_level,
    )


def default_study_level(units: pd.DataFrame | None) -> str | None:
    """The level a study stands at, from its units layer: one township is a 街道 or 乡镇 study (by its
    type or name), several a county's (``county``); None without units (every rule judged)."""
    if units is None or "level" not in units.columns:
        return None
    townships = units[units["level"] == "township"]
    if len(townships) != 1:
        return "county" if len(townships) > 1 else None
    kind = _township_kinds(townships["name"].astype(str).reset_index(drop=True), units).iloc[0]
    return "street" if kind == "street" else "town"


def floor_area_rates(areas: pd.DataFrame, profile: Profile) -> np.ndarray:
    """Floor-area rate of each area by its status, m² per 100 households; 0 where the profile sets none or
    the area is outside ``floor_area_scope`` (:func:`in_floor_area_scope`)."""
    return np.nan_to_num(np.where(in_floor_area_scope(areas, profile), _area_rates(areas, profile), np.nan), nan=0.0)


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
    study_level: str | None = None,
) -> ComplianceResult:
    """Check residential areas and facilities against a rule profile, from a table of walking times.

    For walking times computed elsewhere (or by hand); :func:`check_compliance` is the same check
    on an :class:`~siting.reachability.Accessibility`.

    The check reads the columns :func:`siting.inputs.prepare_inputs` derives (``township`` and
    ``community``, the areas' ``urban``, the facilities' ``offers_*`` services) and derives none itself.
    Layers that lack them, read and checked directly as in a notebook, are prepared here through those
    same functions, once per call, rather than refused: ``read_areas`` → ``assess_access`` →
    ``check_compliance`` has always worked, and a user has no reason to know of a step between. A layer
    that carries them is taken as prepared: after editing a prepared layer's ``services`` or positions,
    prepare it again.

    Parameters
    ----------
    areas : GeoDataFrame
        ``area_id``, ``households`` (户), ``status`` (``"new"``/``"existing"``); optional
        ``name``, ``population``, ``elderly``, ``township``, ``community`` (unit names).
    facilities : GeoDataFrame
        ``facility_id``, ``level`` (county/township/community/station), ``floor_area_m2`` (m²);
        optional ``name``, ``beds``, ``beds_nursing``, ``beds_dementia``, ``land_area_m2`` (m²),
        ``services`` (e.g. ``助餐;日间照料``), ``area_id`` (the area it was built with), ``township``,
        ``community``; Points.
    pairs : DataFrame
        ``area_id``, ``facility_id``, ``walk_min`` (minutes along the network), optional ``dist_m``
        (metres), e.g. :attr:`siting.reachability.Accessibility.pairs`; pairs beyond the walking
        cutoff are ignored. They must have been computed out to at least that time (and to the
        service radius, for a radius measured along the streets): a pair missing because the search
        stopped earlier cannot be told from no path.
    profile : Profile or str
        A loaded profile or a shipped profile name; its :attr:`~siting.profiles.Profile.assess_year`
        decides which dated targets are due.
    settings : WalkSettings, optional
        The walking circle (its inclusive cutoff decides which pairs count); default the profile's
        own (:meth:`~siting.profiles.Profile.walk_settings`).
    units : GeoDataFrame, optional
        Administrative units ``name``, ``level`` (township/community), optional ``parent``,
        ``unit_type`` (street/town/xiang, community/village), ``urban``, ``elderly`` and polygons
        (:func:`siting.inputs.read_units`); used to list units with no areas, to place facilities and
        areas that lack a ``township``/``community`` column (:func:`siting.inputs.prepare_inputs`), and
        for the rules that need them.
    study_level : {"county", "district", "street", "town"}, optional
        The level the study stands at (:data:`siting.profiles.STUDY_LEVELS`): a rule set for another level
        (R12 县级特困人员供养机构 in a 街道 study) reads 不适用. Default the profile's
        (:attr:`~siting.profiles.Profile.study_level`, a scenario's ``level: 县|区|街道|乡镇``), else
        :func:`default_study_level` of ``units``.

    Returns
    -------
    ComplianceResult
        Inputs are not modified; the result's areas and facilities carry the prepared columns.
    """
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    _validate(areas, facilities, pairs, units)
    # the prepared columns are read, never derived again; a caller who has not prepared is served here
    areas = prepare_areas(areas, units, missing_only=True)
    facilities = prepare_facilities(facilities, units, missing_only=True)
    areas["area_id"] = areas["area_id"].astype(str)
    facilities["facility_id"] = facilities["facility_id"].astype(str)
    areas["households"] = pd.to_numeric(areas["households"]).astype(float)
    facilities["floor_area_m2"] = pd.to_numeric(facilities["floor_area_m2"]).astype(float)

    settings = settings if settings is not None else profile.walk_settings()
    area_township, area_community = _units_of(areas)
    # a layer written by an earlier run (next year's facilities.gpkg) holds this check's columns: computed anew
    counts = facility_counts(facilities, profile)
    facilities = facilities.drop(columns=counts.columns, errors="ignore").join(counts)
    owner = _owners(areas, facilities)
    facilities["built_with_area"] = np.where(owner >= 0, areas["area_id"].to_numpy()[np.clip(owner, 0, None)], None)
    services = _services(facilities)
    facilities["institution"] = _institutions(facilities, services)
    reach = pairs[["area_id", "facility_id", "walk_min"]].astype({"area_id": str, "facility_id": str})
    reach = reach[settings.within_min(reach["walk_min"])].drop_duplicates(["area_id", "facility_id"])
    reach = reach.merge(areas[["area_id", "status", "households"]], on="area_id").merge(
        facilities[["facility_id", "level", "counts_for_new", "counts_for_existing"]], on="facility_id"
    )

    area_cols, fac_cols = _floor_area(areas, facilities, pairs, reach, owner, profile, settings)
    label = profile.name + ("+overrides" if profile.overridden_keys else "")
    areas = areas.drop(columns=area_cols.columns, errors="ignore").join(area_cols)
    areas["service_radius_ok"] = _radius_ok(areas, facilities, pairs, profile, settings)
    areas["profile"] = label
    facilities = facilities.drop(columns=fac_cols.columns, errors="ignore").join(fac_cols)
    facilities["qualified_township_centre"], facilities["missing_functions"] = qualified_township_centres(
        facilities, profile, services
    )
    facilities["qualified_community_centre"] = qualified_community_centres(facilities, profile)

    facility_township, facility_community = _units_of(facilities)
    ctx = _Context(
        areas=areas,
        facilities=facilities,
        pairs=pairs,
        reach=reach,
        units=units,
        area_township=area_township,
        area_community=area_community,
        facility_township=facility_township,
        facility_community=facility_community,
        services=services,
        profile=profile,
        settings=settings,
        study_level=study_level or profile.study_level or default_study_level(units),
    )
    ctx.townships = _township_table(ctx)
    ctx.communities = _community_table(ctx)
    rules = _evaluate(ctx)

    # every verdict column names the rules it answers to (the workbook's 规则核查 rows)
    area_rules = {
        status: _rule_numbers(rules, [f"floor_area_{status}", "service_radius"]) for status in ("new", "existing")
    }
    areas["rules"] = areas["status"].map(area_rules)
    townships, communities = ctx.townships, ctx.communities
    townships["rules"] = [
        _rule_numbers(rules, ["street_centres" if kind == "street" else "town_centres", "township_catchment"])
        for kind in townships["kind"]
    ]
    communities["rules"] = [
        _rule_numbers(rules, ["community_facilities", "meal_service"] if in_scope else ["meal_service"])
        for in_scope in communities["in_scope"]
    ]

    failing_mask = areas["floor_area_ok"].eq(False).fillna(False).to_numpy(bool)
    failing = pd.DataFrame(
        {
            "area_id": areas["area_id"],
            "name": areas.get("name", areas["area_id"]),
            "township": ctx.area_township,
            "community": ctx.area_community,
            "status": areas["status"],
            "households": areas["households"],
        }
    ).join(
        areas[
            [
                "required_floor_area_m2",
                "available_floor_area_m2",
                "floor_area_per_100hh",
                "shortfall_m2",
                "fail_reason",
                "floor_area_rule",
                "floor_area_rule_source",
                "rules",
            ]
        ]
    )[failing_mask]
    failing = failing.sort_values(["shortfall_m2", "area_id"], ascending=[False, True]).reset_index(drop=True)

    summary = _summary(areas, facilities, townships, rules, profile, label, settings)
    return ComplianceResult(
        areas=areas,
        facilities=facilities,
        townships=townships,
        communities=communities,
        rules=rules,
        summary=summary,
        failing=failing,
        profile=profile,
        settings=settings,
    )


def _summary(
    areas: pd.DataFrame,
    facilities: pd.DataFrame,
    townships: pd.DataFrame,
    rules: pd.DataFrame,
    profile: Profile,
    label: str,
    settings: WalkSettings,
) -> dict:
    overall = _rates_by(areas, pd.Series("all", index=areas.index), ["all"]).iloc[0]
    return {
        "profile": label,
        "assess_year": profile.assess_year,
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
        "required_floor_area_m2": float(areas["required_floor_area_m2"].sum()),
        "available_floor_area_m2": float(areas["available_floor_area_m2"].sum()),
        "shortfall_m2": float(areas["shortfall_m2"].sum()),
        "facilities": len(facilities),
        "facilities_below_min_site": int((facilities["below_min_site"] | facilities["below_min_site_existing"]).sum()),
        "facilities_counted": int(facilities["counts_toward_compliance"].sum()),
        "townships": len(townships),
        "townships_ok": int(townships["unit_ok"].sum()),
        "townships_catchment_ok": int(townships["catchment_ok"].fillna(False).sum()),
        # every verdict, with its document and clause: the rows of the workbook's 规则核查 sheet
        "rules": [{column: _plain(value) for column, value in row.items()} for row in rules.to_dict(orient="records")],
    }


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: NA and NaN as None, numpy numbers as Python's."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
