"""Named rule profiles: the policy figures a check uses, each with its unit, status and source.

A profile is a YAML file. Shipped profiles live in ``siting/profiles/`` (``national``, ``shandong``,
``liaocheng``, ``dong_e``, ``cao``, ``jining``, ``dongyang``); a planner can write their own and point
it at a shipped one with ``inherits:``. A value is looked up along the inheritance chain
(e.g. ``dong_e`` → ``liaocheng`` → ``shandong`` → ``national``): the first profile that states a
non-null value decides it. ``value: null`` means "this document does not state the figure" and
lets the parent speak; a figure nobody has confirmed stays null rather than invented.

File layout::

    title: 东阿县推进基本养老服务体系建设的实施方案      # optional
    document: 东政办字〔2023〕26号                      # optional
    place: 东阿县 / Dong'e County                        # optional
    inherits: liaocheng                                 # shipped name, or a path to another YAML
    rules:
      new_area_m2_per_100hh:
        value: 20
        unit: m2/100hh                                  # optional; must match the schema if given
        status: C                                       # C confirmed / S secondary / U unconfirmed
        source: "东政办字〔2023〕26号 第13条"
        quote: "新建城镇居住区按照每百户不低于20平方米"  # optional: the words in the document
      walk_speed_m_per_min: 55                          # short form: just the value
      nursing_bed_share:
        value: 0.65
        by_year: 2025                                   # a target due by the end of that year
      new_area_counts:                                  # a reading of an open clause (a choice key)
        value: own
        note: "why this reading"

Which keys are checked, and how, is the table :data:`RULES` (one :class:`RuleCheck` per rule, measured by
:mod:`siting.compliance`); :data:`KEY_USE` says of every key whether it is checked, a setting of a check,
or reference only. Where two documents of the chain set the same dated minimum for the same year, the
stricter decides (:meth:`Profile.rule`); :attr:`Profile.assess_year` decides which dated targets are due.
"""

from __future__ import annotations

import copy
import difflib
import functools
import json
import math
import os
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from siting import defaults, validation
from siting.errors import SitingInputError, SitingWarning
from siting.labels import LANGUAGES, Message, msg, resolve_language, term, unit_label, value_label
from siting.safe_yaml import parse_yaml, read_yaml_bytes

if TYPE_CHECKING:
    from siting.reachability import WalkSettings

BASE_PROFILE = "national"
#: The level a study stands at (a scenario's ``level:``), by its Chinese name, as codes.
STUDY_LEVELS = {"县": "county", "区": "district", "街道": "street", "乡镇": "town"}
#: Source given for the service radius when a profile states none.
TOOLKIT_RADIUS_SOURCE = f"toolkit default {defaults.SERVICE_RADIUS_M:g} m (the profile states no service radius)"


class ProfileFallbackWarning(SitingWarning):
    """A profile lacked a value the analysis needs; the toolkit default was used instead."""


@dataclass(frozen=True)
class KeySpec:
    """What a profile key means: unit, kind of value and display labels.

    ``kind`` is one of ``number`` (a non-negative number), ``share`` (a fraction 0–1),
    ``range`` (two numbers, low ≤ high), ``choice`` (one of ``choices``: how a clause whose text
    leaves it open is read), ``services`` (a list of service codes of ``choices``, as
    :func:`siting.inputs.facility_services` reads a facility's services) or ``names`` (a list of unit names).
    ``minimum`` marks a figure the actual must reach, so that a larger value is the stricter one (what
    decides between two documents of the chain).
    """

    unit: str
    kind: str
    label_zh: str
    label_en: str
    choices: tuple[str, ...] = ()
    minimum: bool = False


# The known keys. A key here is either used by a check (siting.compliance, reachability) or is a
# policy figure planners look up next to the checks; keeping both in one schema lets a typo in a
# user's file be caught instead of silently ignored.
SCHEMA: dict[str, KeySpec] = {
    "walk_minutes": KeySpec("min", "number", "步行时间", "Walking time"),
    "walk_speed_m_per_min": KeySpec("m/min", "number", "老年人步行速度", "Elderly walking speed"),
    "service_radius_m": KeySpec("m", "number", "设施服务半径", "Facility service radius"),
    "service_radius_measure": KeySpec(
        "choice",
        "choice",
        "服务半径的量法",
        "How the service radius is measured",
        choices=("straight", "along_streets"),
    ),
    "service_radius_scope": KeySpec(
        "choice",
        "choice",
        "服务半径适用的小区",
        "Areas the service radius judges",
        choices=("all_areas", "existing_areas"),
    ),
    "life_circle_15min_distance_m": KeySpec(
        "m", "range", "十五分钟生活圈步行距离", "15-minute life-circle walking distance"
    ),
    "new_area_m2_per_100hh": KeySpec(
        "m2/100hh",
        "number",
        "新建居住区每百户配建面积",
        "New areas: floor area per 100 households",
        minimum=True,
    ),
    "existing_area_m2_per_100hh": KeySpec(
        "m2/100hh",
        "number",
        "已建成居住区每百户配置面积",
        "Existing areas: floor area per 100 households",
        minimum=True,
    ),
    "new_area_counts": KeySpec(
        "choice",
        "choice",
        "新建居住区计入的设施",
        "Facilities a new area counts",
        choices=("own", "within_walk"),
    ),
    "min_site_area_m2": KeySpec(
        "m2", "number", "单处最小建筑面积(新建居住区)", "Minimum floor area of one site (new areas)", minimum=True
    ),
    "existing_min_site_area_m2": KeySpec(
        "m2",
        "number",
        "单处最小建筑面积(已建成居住区)",
        "Minimum floor area of one site (existing areas)",
        minimum=True,
    ),
    "floor_area_scope": KeySpec(
        "choice",
        "choice",
        "每百户配建标准适用的小区",
        "Areas the floor-area rates judge",
        choices=("all_areas", "urban_areas"),
    ),
    "existing_area_completion": KeySpec(
        "share",
        "share",
        "已建成居住区养老服务设施整改配置完成率",
        "Existing areas: share whose facilities are put right",
        minimum=True,
    ),
    "floor_area_compliance_target": KeySpec(
        "share", "share", "配建达标率目标", "Target share of areas meeting the floor-area rule", minimum=True
    ),
    "floor_area_compliance_scope": KeySpec(
        "choice",
        "choice",
        "配建达标率的统计范围",
        "Areas the floor-area compliance rate counts",
        choices=("all_areas", "new_areas"),
    ),
    "township_centre_min_m2": KeySpec(
        "m2",
        "number",
        "乡镇(街道)综合养老服务中心单处最小面积",
        "Township/street comprehensive centre: minimum area",
        minimum=True,
    ),
    "township_centre_catchment_share": KeySpec(
        "share",
        "share",
        "乡镇(街道)综合中心服务范围覆盖比例",
        "Township centre: share of the township its service network must reach",
        minimum=True,
    ),
    "township_centre_catchment": KeySpec(
        "choice",
        "choice",
        "乡镇(街道)综合中心服务范围的判定",
        "How a township centre's catchment is judged",
        choices=("communities_reached", "through_stations", "centre_walk"),
    ),
    "township_centre_functions": KeySpec(
        "services",
        "services",
        "乡镇(街道)综合中心应具备的功能",
        "Functions a township centre must offer",
        choices=("meal", "day_care", "residential_care", "dementia_care", "home_care", "medical_care", "kangyang"),
    ),
    "community_centre_min_m2": KeySpec(
        "m2", "number", "社区养老服务中心单处最小面积", "Community centre: minimum area", minimum=True
    ),
    "community_centre_types": KeySpec(
        "choice",
        "choice",
        "社区设施覆盖率计入的设施",
        "Facilities the community-facility coverage counts",
        choices=("centres_and_stations", "centres"),
    ),
    "street_centre_coverage": KeySpec(
        "share", "share", "街道综合养老服务中心覆盖率", "Street comprehensive centres: coverage", minimum=True
    ),
    "township_centre_coverage": KeySpec(
        "share", "share", "乡镇综合养老服务中心覆盖率", "Township comprehensive centres: coverage", minimum=True
    ),
    "community_facility_coverage": KeySpec(
        "share", "share", "社区养老服务设施覆盖率", "Community facilities: coverage", minimum=True
    ),
    "community_facility_scope": KeySpec(
        "choice",
        "choice",
        "社区设施覆盖率的统计范围",
        "Communities the community-facility coverage counts",
        choices=("urban_communities", "all_communities"),
    ),
    "county_institutions_min": KeySpec(
        "sites",
        "number",
        "县级特困人员供养(养老)机构数",
        "County-level care institutions (at least)",
        minimum=True,
    ),
    "dementia_care_centres_min": KeySpec(
        "sites", "number", "失智老年人照护机构(专区)数", "Dementia-care institutions or units (at least)", minimum=True
    ),
    "land_m2_per_capita": KeySpec(
        "m2/person", "number", "人均养老服务设施用地", "Elderly-service land per resident", minimum=True
    ),
    "beds_per_1000_elderly": KeySpec(
        "beds/1000 elderly", "number", "每千名老年人养老床位", "Beds per 1,000 elderly", minimum=True
    ),
    "bed_floor_area_m2": KeySpec("m2/bed", "number", "每床建筑面积", "Floor area per bed"),
    "bed_land_area_m2": KeySpec("m2/bed", "range", "每床用地面积", "Land area per bed"),
    "min_beds_per_site": KeySpec("beds", "number", "养老院单处最少床位", "Minimum beds per nursing home"),
    "nursing_bed_share": KeySpec("share", "share", "护理型床位占比", "Nursing-type bed share", minimum=True),
    "social_workers_per_1000_elderly": KeySpec(
        "persons/1000 elderly", "number", "每千名老年人社会工作者", "Social workers per 1,000 elderly", minimum=True
    ),
    "dementia_beds_per_10000_elderly": KeySpec(
        "beds/10000 elderly",
        "number",
        "每万名老年人认知障碍照护床位",
        "Dementia-care beds per 10,000 elderly",
        minimum=True,
    ),
    "certified_caregivers_per_10000_elderly": KeySpec(
        "persons/10000 elderly",
        "number",
        "每万名老年人持证养老护理员",
        "Certified caregivers per 10,000 elderly",
        minimum=True,
    ),
    "medical_care_coverage": KeySpec(
        "share",
        "share",
        "养老机构医养结合服务覆盖率",
        "Care institutions offering integrated medical care",
        minimum=True,
    ),
    "medical_care_institutions_min": KeySpec(
        "sites", "number", "医养结合养老机构数", "Institutions with integrated medical care (at least)", minimum=True
    ),
    "home_care_institution_share": KeySpec(
        "share", "share", "开展居家上门服务的养老机构占比", "Care institutions giving home care", minimum=True
    ),
    "kangyang_coverage": KeySpec(
        "share", "share", "康养联合体镇乡街道覆盖率", "Townships with a 康养联合体 (care consortium)", minimum=True
    ),
    "named_township_centres": KeySpec("names", "names", "应建养老中心的乡镇", "Townships named for a township centre"),
    "meal_service_coverage": KeySpec(
        "share", "share", "助餐村(社区)覆盖率", "Villages/communities with meal service", minimum=True
    ),
    "household_size": KeySpec("persons/household", "number", "平均家庭户规模", "Persons per household"),
    "elderly_share_60plus": KeySpec("share", "share", "60岁及以上人口占比", "Share aged 60+"),
    "elderly_share_65plus": KeySpec("share", "share", "65岁及以上人口占比", "Share aged 65+"),
}

_ENTRY_FIELDS = {
    "value",
    "unit",
    "status",
    "source",
    "quote",
    "seed",
    "comparison",
    "note",
    "by_year",
    "aggregate",
    "scoring",
}
#: Years a target may be set for (``by_year``) and a check may be made in (``assess_year``).
YEAR_RANGE = (2000, 2100)
_FILE_FIELDS = {"title", "document", "place", "date", "inherits", "rules"}
_STATUSES = {"C", "S", "U"}
# ">=" is the usual 不低于/达到; Jining's township coverage is 大于 60%, hence ">".
_COMPARISONS = {">=", ">"}
_STATUS_LABELS = {
    "C": ("已核实", "confirmed"),
    "S": ("二手来源", "secondary"),
    "U": ("未核实", "unconfirmed"),
    "override": ("本次覆盖", "override"),
    "user": ("用户提供", "user"),
}


@dataclass(frozen=True)
class Rule:
    """One resolved profile value with where it came from."""

    key: str
    value: Any
    status: str
    source: str
    defined_in: str
    comparison: str = ">="
    quote: str | None = None
    seed: str | None = None
    note: str | None = None
    #: The target is due by the end of this year (到2025年年底); None when the document sets no year.
    by_year: int | None = None
    #: The document of the profile file that states the rule (e.g. 东政办字〔2023〕26号).
    document: str | None = None
    #: Less strict figures other documents of the chain set, due by the same time, which this rule overrules.
    overrules: str | None = None
    #: A target for the whole area of the government that set it (全市…), not for each county in it: it
    #: binds only the profile that states it; a profile inheriting it shows it as 上级目标（参考）.
    aggregate: bool = False
    #: A scoring criterion of an assessment (评分细则 of a 创建验收), not a standing target.
    scoring: bool = False
    #: A parent document's target for its whole area (``aggregate``), shown beside this one for reference.
    reference: str | None = None
    #: The strictest of those parent figures (compared with the study's figure when it states none).
    reference_value: Any = None

    @property
    def unit(self) -> str:
        return SCHEMA[self.key].unit


@dataclass(frozen=True)
class RuleCheck:
    """One checkable rule: a row of :data:`RULES`, the table that drives :func:`siting.compliance.check_compliance`.

    Attributes
    ----------
    number : str
        The rule's number as the workbook, the README and the clauses' notes cite it (``R01``...), written
        on its row and never reused: a new rule takes the next free number wherever its row stands.
    id : str
        Stable code of the rule (``floor_area_new``).
    key : str
        The profile key holding the target (its value, clause, quote and year).
    level : str
        Whom the rule judges: ``new_areas``, ``existing_areas``, ``areas``, ``facilities``, ``streets``,
        ``towns``, ``townships``, ``communities``, ``villages_communities``, ``whole_county``, ``plan_area``.
    facilities : str
        Which facilities it counts (a filter): ``counted_floor_area``, ``neighbourhood``,
        ``qualified_township_centre``, ``township_network``, ``qualified_community_centre``,
        ``county_level``, ``dementia_care``, ``with_land_area``, ``institutions``, ``all_facilities``,
        ``meal_service``.
    unit : str
        Unit of the measured figure compared with the target (``share`` when the rule is judged unit
        by unit and the row reports the share of units that pass).
    measure : str
        What is measured (a function of :data:`siting.compliance.MEASURES`).
    needs : tuple of str
        Inputs the measure needs (``facilities.services``, ``elderly`` = areas' or units' elderly
        population, ...); without them the rule is reported as not checked, input missing.
    settings : tuple of str
        Other profile keys the check reads: minima, and how an open clause is read.
    every : bool
        The target applies to each judged unit (每个小区, 每个乡镇): the row passes when every one does.
    condition : bool
        A condition of another rule (the single-site minimum): reported, no verdict of its own.
    study_levels : tuple of str
        The study levels the rule is set for (``county``, ``district``: 县级层面, 各县（市、区）); a study
        at another level (a 街道) reads it as 不适用. Empty: every level.
    """

    number: str
    id: str
    key: str
    level: str
    facilities: str
    unit: str
    measure: str
    needs: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    every: bool = False
    condition: bool = False
    study_levels: tuple[str, ...] = ()


_AREAS = ("areas.households", "areas.status", "facilities.floor_area_m2")
# rules a county (or district) is judged by as a whole: 县级层面, 各县（市、区）, 全县养老机构
_COUNTY = ("county", "district")
#: Every checkable rule, in the order of the report's 规则核查 sheet.
RULES: tuple[RuleCheck, ...] = (
    RuleCheck(
        "R01",
        "floor_area_new",
        "new_area_m2_per_100hh",
        "new_areas",
        "counted_floor_area",
        "share",
        "areas_meeting_rate",
        _AREAS,
        ("min_site_area_m2", "new_area_counts", "floor_area_scope", "walk_minutes"),
        every=True,
    ),
    RuleCheck(
        "R02",
        "floor_area_existing",
        "existing_area_m2_per_100hh",
        "existing_areas",
        "counted_floor_area",
        "share",
        "areas_meeting_rate",
        _AREAS,
        ("existing_min_site_area_m2", "floor_area_scope", "walk_minutes"),
        every=True,
    ),
    RuleCheck(
        "R03",
        "min_site_new",
        "min_site_area_m2",
        "facilities",
        "neighbourhood",
        "sites",
        "sites_below_minimum",
        ("facilities.floor_area_m2",),
        condition=True,
    ),
    RuleCheck(
        "R04",
        "min_site_existing",
        "existing_min_site_area_m2",
        "facilities",
        "neighbourhood",
        "sites",
        "sites_below_minimum",
        ("facilities.floor_area_m2",),
        condition=True,
    ),
    RuleCheck(
        "R05",
        "compliance_rate_areas",
        "floor_area_compliance_target",
        "areas",
        "counted_floor_area",
        "share",
        "compliance_rate_areas",
        _AREAS,
        ("floor_area_compliance_scope",),
    ),
    RuleCheck(
        "R06",
        "compliance_rate_households",
        "floor_area_compliance_target",
        "areas",
        "counted_floor_area",
        "share",
        "compliance_rate_households",
        _AREAS,
        ("floor_area_compliance_scope",),
    ),
    RuleCheck(
        "R07",
        "street_centres",
        "street_centre_coverage",
        "streets",
        "qualified_township_centre",
        "share",
        "units_with_centre",
        ("townships",),
        ("township_centre_min_m2", "township_centre_functions"),
    ),
    RuleCheck(
        "R08",
        "town_centres",
        "township_centre_coverage",
        "towns",
        "qualified_township_centre",
        "share",
        "units_with_centre",
        ("townships",),
        ("township_centre_min_m2", "township_centre_functions"),
    ),
    RuleCheck(
        "R09",
        "township_catchment",
        "township_centre_catchment_share",
        "townships",
        "township_network",
        "share",
        "townships_covered",
        ("townships",),
        ("township_centre_catchment", "township_centre_min_m2", "walk_minutes"),
        every=True,
    ),
    RuleCheck(
        "R10",
        "community_facilities",
        "community_facility_coverage",
        "communities",
        "qualified_community_centre",
        "share",
        "units_with_centre",
        ("communities",),
        ("community_centre_min_m2", "community_facility_scope", "community_centre_types"),
    ),
    RuleCheck(
        "R11",
        "service_radius",
        "service_radius_m",
        "areas",
        "neighbourhood",
        "share",
        "areas_within_radius",
        ("areas.households",),
        ("service_radius_measure", "service_radius_scope"),
        every=True,
    ),
    RuleCheck(
        "R12",
        "county_institutions",
        "county_institutions_min",
        "whole_county",
        "county_level",
        "sites",
        "count",
        study_levels=_COUNTY,
    ),
    RuleCheck(
        "R13",
        "dementia_care_centres",
        "dementia_care_centres_min",
        "whole_county",
        "dementia_care",
        "sites",
        "count",
        ("facilities.services|facilities.beds_dementia",),
        study_levels=_COUNTY,
    ),
    RuleCheck(
        "R14",
        "land_per_resident",
        "land_m2_per_capita",
        "plan_area",
        "with_land_area",
        "m2/person",
        "land_per_resident",
        ("facilities.land_area_m2", "areas.population"),
        study_levels=_COUNTY,
    ),
    RuleCheck(
        "R15",
        "beds_per_1000_elderly",
        "beds_per_1000_elderly",
        "plan_area",
        "institutions",
        "beds/1000 elderly",
        "beds_per_elderly",
        ("facilities.beds", "elderly"),
    ),
    RuleCheck(
        "R16",
        "nursing_bed_share",
        "nursing_bed_share",
        "plan_area",
        "institutions",
        "share",
        "nursing_bed_share",
        ("facilities.beds_nursing", "facilities.beds"),
        study_levels=_COUNTY,
    ),
    RuleCheck(
        "R17",
        "dementia_beds",
        "dementia_beds_per_10000_elderly",
        "plan_area",
        "all_facilities",
        "beds/10000 elderly",
        "dementia_beds_per_elderly",
        ("facilities.beds_dementia", "elderly"),
        study_levels=_COUNTY,
    ),
    RuleCheck(
        "R18",
        "meal_service",
        "meal_service_coverage",
        "villages_communities",
        "meal_service",
        "share",
        "units_with_meal_service",
        ("facilities.services", "communities"),
        ("walk_minutes",),
    ),
    RuleCheck(
        "R19",
        "medical_care_coverage",
        "medical_care_coverage",
        "whole_county",
        "institutions",
        "share",
        "institutions_with_service",
        ("facilities.services",),
        study_levels=_COUNTY,
    ),
    RuleCheck(
        "R20",
        "medical_care_institutions",
        "medical_care_institutions_min",
        "whole_county",
        "institutions",
        "sites",
        "institutions_with_service",
        ("facilities.services",),
        study_levels=_COUNTY,
    ),
    RuleCheck(
        "R21",
        "home_care_institutions",
        "home_care_institution_share",
        "whole_county",
        "institutions",
        "share",
        "institutions_with_service",
        ("facilities.services",),
        study_levels=_COUNTY,
    ),
    RuleCheck(
        "R22",
        "kangyang",
        "kangyang_coverage",
        "townships",
        "kangyang",
        "share",
        "townships_with_kangyang",
        ("facilities.services", "townships"),
    ),
    RuleCheck(
        "R23",
        "named_township_centres",
        "named_township_centres",
        "named_townships",
        "qualified_township_centre",
        "share",
        "named_townships_with_centre",
        ("townships",),
        ("township_centre_min_m2",),
    ),
)
#: Keys of the walking circle (:meth:`Profile.walk_settings`): settings of every check.
WALK_KEYS = ("walk_minutes", "walk_speed_m_per_min", "service_radius_m")
#: How each key is used: ``checked`` (the target of a rule in :data:`RULES`), ``setting`` (read by a
#: check: a minimum, the walk, how a clause is read) or ``reference`` (stored for the planner, not checked).
KEY_USE: dict[str, str] = {
    key: (
        "checked"
        if any(r.key == key for r in RULES)
        else "setting"
        if key in WALK_KEYS or any(key in r.settings for r in RULES)
        else "reference"
    )
    for key in SCHEMA
}


def _canonical_unit(unit: str) -> str:
    return str(unit).replace("²", "2").replace(" ", "").replace("㎡", "m2").lower()


def _key_hint(key: str) -> Message:
    """The fix for an unknown rule key: the closest known keys, if any are close."""
    close = difflib.get_close_matches(key, SCHEMA, n=3)
    return msg("did_you_mean", names=close) if close else msg("rule_key_unknown_fix")


def _where(origin: str) -> str | Message:
    """Where a rule came from, in messages: its file, or the run's overrides."""
    return msg("where_overrides") if origin == "overrides" else origin


def _check_value(key: str, value: Any, origin: str) -> Any:
    """Validate one value against the schema; return it as float / [lo, hi] / None."""
    spec = SCHEMA[key]
    if value is None:
        return None
    if spec.kind == "names":
        names = value if isinstance(value, (list, tuple)) else None
        if not names or any(not isinstance(item, str) or not item.strip() for item in names):
            raise SitingInputError(
                msg("rule_not_names", key=key, value=repr(value)),
                source=_where(origin),
                fix=msg("rule_not_names_fix", key=key),
            )
        return [item.strip() for item in names]
    if spec.kind == "services":
        listed = value if isinstance(value, (list, tuple)) else None
        if not listed or any(item not in spec.choices for item in listed):
            raise SitingInputError(
                msg("rule_not_services", key=key, value=repr(value), choices=list(spec.choices)),
                source=_where(origin),
                fix=msg("rule_not_services_fix", key=key, choices=list(spec.choices)),
            )
        return [str(item) for item in listed]
    if spec.kind == "choice":
        if value not in spec.choices:
            raise SitingInputError(
                msg("rule_not_choice", key=key, value=repr(value), choices=list(spec.choices)),
                source=_where(origin),
                fix=msg("rule_not_choice_fix", key=key, choices=list(spec.choices)),
            )
        return str(value)

    def number(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise SitingInputError(
                msg("rule_not_number", key=key, unit=spec.unit, value=repr(v)),
                source=_where(origin),
                fix=msg("rule_not_number_fix", key=key, unit=spec.unit),
            )
        return float(v)

    if spec.kind == "range":
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise SitingInputError(
                msg("rule_not_range", key=key, unit=spec.unit, value=repr(value)),
                source=_where(origin),
                fix=msg("rule_not_range_fix", key=key, unit=spec.unit),
            )
        low, high = number(value[0]), number(value[1])
        if low > high:
            raise SitingInputError(
                msg("rule_range_reversed", key=key, low=low, high=high),
                source=_where(origin),
                fix=msg("rule_range_reversed_fix"),
            )
        return [low, high]
    out = number(value)
    if key in validation.RANGES:
        validation.check_setting(key, out, source=_where(origin))
    if spec.kind == "share" and out > 1:
        raise SitingInputError(
            msg("rule_not_share", key=key, value=repr(value)),
            source=_where(origin),
            fix=msg("rule_not_share_fix", share=f"{out / 100:g}", percent=f"{out:g}"),
        )
    return out


def _check_year(value: Any, key: str, origin: str | Message) -> int | None:
    """A target year (``by_year``) or assessment year: a whole number in :data:`YEAR_RANGE`, or None."""
    if value is None:
        return None
    low, high = YEAR_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SitingInputError(
            msg("year_invalid", key=key, value=repr(value), low=low, high=high),
            source=_where(origin) if isinstance(origin, str) else origin,
            fix=msg("year_invalid_fix", key=key),
        )
    return value


def _parse_entry(key: str, raw: Any, origin: str, layer: str, document: str | None = None) -> Rule:
    """One ``rules:`` entry of a file, or one override, checked against the schema."""
    if key not in SCHEMA:
        raise SitingInputError(msg("rule_key_unknown", key=key), source=_where(origin), fix=_key_hint(key))
    spec = SCHEMA[key]
    entry = dict(raw) if isinstance(raw, dict) else {"value": raw}
    extra = set(entry) - _ENTRY_FIELDS
    if extra:
        raise SitingInputError(
            msg("rule_fields_unknown", key=key, fields=sorted(extra)),
            source=_where(origin),
            fix=msg("rule_fields_unknown_fix", fields=sorted(_ENTRY_FIELDS)),
        )
    if "unit" in entry and _canonical_unit(entry["unit"]) != _canonical_unit(spec.unit):
        raise SitingInputError(
            msg("rule_unit_wrong", key=key, given=entry["unit"], unit=spec.unit),
            source=_where(origin),
            fix=msg("rule_unit_wrong_fix", unit=spec.unit),
        )
    value = _check_value(key, entry.get("value"), origin)
    default_status = "override" if layer == "override" else "user"
    status = str(entry.get("status", default_status))
    if status not in _STATUSES | {default_status}:
        raise SitingInputError(
            msg("rule_status_unknown", key=key, status=status),
            source=_where(origin),
            fix=msg("rule_status_unknown_fix"),
        )
    comparison = str(entry.get("comparison", ">="))
    if comparison not in _COMPARISONS:
        raise SitingInputError(
            msg("rule_comparison_unknown", key=key, comparison=comparison),
            source=_where(origin),
            fix=msg("rule_comparison_unknown_fix"),
        )
    source = entry.get("source") or ("override for this run" if layer == "override" else f"{origin} (no source given)")
    return Rule(
        key=key,
        value=value,
        status=status,
        source=str(source),
        defined_in=layer,
        comparison=comparison,
        quote=entry.get("quote"),
        seed=entry.get("seed"),
        note=entry.get("note"),
        by_year=_check_year(entry.get("by_year"), f"{key}.by_year", origin),
        document=document,
        aggregate=entry.get("aggregate") is True,
        scoring=entry.get("scoring") is True,
    )


@dataclass(frozen=True)
class _Layer:
    name: str
    origin: str
    meta: dict
    rules: dict[str, Rule]


def _shipped_dir() -> Path:
    # The YAML files are package data next to this module (pyproject: package-data).
    return Path(str(resources.files("siting").joinpath("profiles")))


def list_profiles() -> list[str]:
    """Names of the profiles shipped with siting, sorted.

    Returns
    -------
    list of str
        e.g. ``['cao', 'dong_e', 'dongyang', 'jining', 'liaocheng', 'national', 'shandong']``.
    """
    return sorted(p.stem for p in _shipped_dir().glob("*.yaml"))


def _is_path(name_or_path: str | Path) -> bool:
    text = str(name_or_path)
    return isinstance(name_or_path, Path) or text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text


def _read_layer(name_or_path: str | Path, relative_to: Path | None) -> _Layer:
    if _is_path(name_or_path):
        path = Path(name_or_path)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        name = path.stem
    else:
        name = str(name_or_path)
        if name not in list_profiles():
            close = difflib.get_close_matches(name, list_profiles(), n=3)
            shipped = msg("profile_unknown_fix", profiles=list_profiles())
            raise SitingInputError(
                msg("profile_unknown", name=name),
                source=msg("where_argument", name="profile"),
                fix=msg("did_you_mean_then", names=close, then=shipped) if close else shipped,
            )
        path = _shipped_dir() / f"{name}.yaml"
    content = read_yaml_bytes(
        path, missing=msg("profile_file_not_found"), missing_fix=msg("profile_file_not_found_fix")
    )
    # a copy: a profile's list values (names, services, ranges) must not be shared with the next profile
    return copy.deepcopy(_parsed_layer(path, name, content))


@functools.lru_cache(maxsize=64)
def _parsed_layer(path: Path, name: str, content: bytes) -> _Layer:
    """A layer file parsed once per content: every study, rules table and report row names its profile's
    layers (the demo read them over a hundred times)."""
    return _layer(path, name, parse_yaml(content, str(path)))


def _layer(path: Path, name: str, data: Any) -> _Layer:
    origin = str(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SitingInputError(msg("profile_not_mapping"), source=origin, fix=msg("profile_not_mapping_fix"))
    extra = set(data) - _FILE_FIELDS
    if extra:
        # A rule key at the top level is the likeliest slip; say so.
        nested = sorted(extra & set(SCHEMA))
        allowed = msg("profile_fields_unknown_fix", fields=sorted(_FILE_FIELDS))
        raise SitingInputError(
            msg("profile_fields_unknown", fields=sorted(extra)),
            source=origin,
            fix=msg("profile_rules_nested_fix", keys=nested, then=allowed) if nested else allowed,
        )
    rules_raw = data.get("rules") or {}
    if not isinstance(rules_raw, dict):
        raise SitingInputError(msg("profile_rules_not_mapping"), source=origin, fix=msg("profile_not_mapping_fix"))
    document = str(data["document"]) if data.get("document") else None
    rules = {key: _parse_entry(str(key), raw, origin, name, document) for key, raw in rules_raw.items()}
    meta = {k: data[k] for k in ("title", "document", "place", "date", "inherits") if k in data}
    meta["_dir"] = path.parent
    return _Layer(name=name, origin=origin, meta=meta, rules=rules)


#: How a clause is read when no profile in the chain says (the shipped ``national`` profile does).
DEFAULT_READINGS = {
    "new_area_counts": "own",
    "floor_area_scope": "all_areas",
    "service_radius_scope": "all_areas",
    "community_centre_types": "centres_and_stations",
    "township_centre_catchment": "communities_reached",
    "community_facility_scope": "all_communities",
    "service_radius_measure": "straight",
    "floor_area_compliance_scope": "all_areas",
}


class Profile:
    """A resolved rule profile: the chain of layers and the value and source of every key.

    Build it with :func:`load_profile`. Layers are ordered most specific first: run overrides,
    then the named profile, then its parents up to ``national``.

    Attributes
    ----------
    assess_year : int or None
        The year whose end the inputs describe: a target due by a later year (``by_year``) is shown as
        not yet due rather than judged. None judges every target, whatever its year.
    study_level : str or None
        The level the study stands at (:data:`STUDY_LEVELS` code: ``county``, ``district``, ``street``,
        ``town``): a rule set for another level reads 不适用. None: the check infers it from the units.
    """

    def __init__(self, layers: list[_Layer], assess_year: int | None = None, study_level: str | None = None) -> None:
        self._layers = layers
        named = [layer for layer in layers if layer.name != "override"]
        self.name: str = named[0].name
        self.chain: tuple[str, ...] = tuple(layer.name for layer in named)
        self.meta: dict = {k: v for k, v in named[0].meta.items() if not k.startswith("_")}
        self.fallbacks: dict[str, Rule] = {}
        where = msg("where_argument", name="assess_year")
        self.assess_year: int | None = _check_year(assess_year, "assess_year", where)
        level = STUDY_LEVELS.get(study_level, study_level) if study_level is not None else None
        if level is not None and level not in STUDY_LEVELS.values():
            raise SitingInputError(
                msg("study_level_unknown", level=study_level, levels=list(STUDY_LEVELS)),
                source=msg("where_argument", name="study_level"),
                fix=msg("study_level_unknown_fix", levels=list(STUDY_LEVELS)),
            )
        self.study_level: str | None = level

    def at_year(self, assess_year: int | None) -> Profile:
        """The same rules assessed at the end of ``assess_year`` (None: every target judged as due)."""
        return Profile(self._layers, assess_year, self.study_level)

    def due(self, key: str) -> bool:
        """Whether the target ``key`` is due at :attr:`assess_year` (always, without a year on either side)."""
        rule = self.rule(key)
        return self._due_by(None if rule is None else rule.by_year)

    def _due_by(self, year: int | None) -> bool:
        """Whether a target set for ``year`` is due at :attr:`assess_year` (always, without a year on either side)."""
        return year is None or self.assess_year is None or self.assess_year >= year

    @property
    def overridden_keys(self) -> tuple[str, ...]:
        """Keys set by run overrides (empty when there are none)."""
        return tuple(key for layer in self._layers if layer.name == "override" for key in layer.rules)

    def _check_key(self, key: str) -> None:
        if key not in SCHEMA:
            raise SitingInputError(
                msg("rule_key_unknown", key=key), source=msg("where_profile", name=self.name), fix=_key_hint(key)
            )

    def rule(self, key: str) -> Rule | None:
        """The deciding :class:`Rule` for ``key``.

        The first non-null figure along the chain decides, with two exceptions for minima
        (``SCHEMA[key].minimum``): a county's plan does not release it from its province's or city's
        target, so among the binding figures due at :attr:`assess_year` (all of them without one) the
        stricter decides, whatever year each was set for, and says which figures it overrules
        (:meth:`_strictest`); and a parent's target for its whole area (``aggregate``: 聊政办字〔2024〕11号
        养老机构护理型床位占比 78% is the city's figure) does not bind a county that inherits it: it is
        shown beside the county's own figure as 上级目标（参考） (``reference``), or stands alone with
        ``reference`` set and a null value when the county states none. A run override always decides.

        If every layer that mentions the key leaves it null, the most specific null entry is
        returned (its source says the figure is not stated); ``None`` if no layer mentions it.
        """
        self._check_key(key)
        stated = [rule for layer in self._layers if (rule := layer.rules.get(key)) is not None]
        valued = [rule for rule in stated if rule.value is not None]
        parents_whole = [rule for rule in valued if rule.aggregate and rule.defined_in not in ("override", self.name)]
        binding = [rule for rule in valued if rule not in parents_whole]
        reference = "；".join(_figure_text(rule) for rule in parents_whole) or None
        if not binding:
            first_null = next((rule for rule in stated if rule.value is None), None)
            if first_null is None and parents_whole:
                first_null = replace(parents_whole[0], value=None)
            if first_null is None or reference is None:
                return first_null
            strictest = self._strictest(parents_whole)
            return replace(
                first_null,
                reference=reference,
                reference_value=strictest.value,
                comparison=strictest.comparison,
                by_year=strictest.by_year,
            )
        chosen = self._strictest(binding)
        if chosen.defined_in == "override" and len(binding) > 1:
            # an override equal to what the documents decide changes nothing: the clause stays
            documented = self._strictest(binding[1:])
            if (documented.value, documented.comparison) == (chosen.value, chosen.comparison):
                chosen = documented
        return replace(chosen, reference=reference) if reference else chosen

    def _strictest(self, binding: list[Rule]) -> Rule:
        """The figure that binds among ``binding`` (most specific first): the strictest that is due.

        A target due at :attr:`assess_year` (or undated, or every target without an assessment year)
        binds, whichever document set it for whichever year: 65% by 2024 and an undated 90% do not
        release a county from a 78% due by 2025 when judged in 2026. When none is due yet, the strictest
        of them is shown (not yet due, unless already met). Undated figures of non-minimum keys and run
        overrides keep the most specific one.
        """
        first = binding[0]
        if not SCHEMA[first.key].minimum or first.defined_in == "override":
            return first
        due = [r for r in binding if self._due_by(r.by_year)]
        candidates = due or binding
        strictest = max(candidates, key=lambda r: (r.value, r.comparison == ">", -binding.index(r)))
        weaker = [r for r in candidates if (r.value, r.comparison) != (strictest.value, strictest.comparison)]
        if not weaker:
            return strictest
        return replace(strictest, overrules="；".join(_figure_text(r) for r in weaker))

    def value(self, key: str) -> Any:
        """The value of ``key`` (unit: ``SCHEMA[key].unit``), or ``None`` when no layer states it."""
        rule = self.rule(key)
        return None if rule is None else rule.value

    def reading(self, key: str) -> str:
        """How the clause of the choice key ``key`` is read: the profile's stated reading, else the
        toolkit's (:data:`DEFAULT_READINGS`)."""
        value = self.value(key)
        return str(value) if value is not None else DEFAULT_READINGS[key]

    def least_site_area_m2(self) -> float:
        """The floor area one new site needs to count under every site minimum of the profile, m².

        The largest of the single-site minima (new and existing areas) and the community-centre minimum;
        0 when the profile states none. What a proposed or what-if centre is built at, at least.
        """
        keys = ("min_site_area_m2", "existing_min_site_area_m2", "community_centre_min_m2")
        return float(max(self.value(key) or 0.0 for key in keys))

    def source(self, key: str) -> str | None:
        """Document and clause behind ``key`` (or why it is empty)."""
        rule = self.rule(key)
        return None if rule is None else rule.source

    def comparison(self, key: str) -> str:
        """``'>='`` (不低于/达到) or ``'>'`` (大于): how an actual figure is compared to ``key``."""
        rule = self.rule(key)
        return ">=" if rule is None else rule.comparison

    def require(self, key: str) -> float:
        """The value of ``key`` for an analysis that cannot run without it.

        Falls back to the ``national`` profile (the toolkit default, e.g. 60 m/min walking speed)
        with a :class:`ProfileFallbackWarning` and records the fallback in ``self.fallbacks`` and
        in :meth:`describe`. Raises SitingInputError when there is no default either.
        """
        rule = self.rule(key)
        if rule is not None and rule.value is not None:
            return rule.value
        default = None if BASE_PROFILE in self.chain else load_profile(BASE_PROFILE).rule(key)
        if default is None or default.value is None:
            raise SitingInputError(
                msg("rule_required", name=self.name, key=key),
                source=msg("where_profile", name=self.name),
                fix=msg("rule_required_fix", key=key, unit=SCHEMA[key].unit),
            )
        warnings.warn(
            ProfileFallbackWarning(
                msg(
                    "rule_fallback",
                    name=self.name,
                    key=key,
                    value=f"{default.value:g}",
                    unit=SCHEMA[key].unit,
                    source=default.source,
                )
            ),
            stacklevel=2,
        )
        self.fallbacks[key] = default
        return default.value

    def walk_settings(
        self, *, bands_min: Sequence[float] | None = None, max_snap_m: float | None = None
    ) -> WalkSettings:
        """The walking circle this profile sets: speed, minutes and service radius, with their sources.

        A profile that states no service radius gets the toolkit default (1000 m), marked as such in
        ``sources``; speed and minutes fall back as :meth:`require` says.

        Parameters
        ----------
        bands_min : sequence of float, optional
            Walking-time bands to report (minutes); default 5, 10, 15.
        max_snap_m : float, optional
            Largest distance to a street, metres; default 300.
        """
        # imported here: the street network stack is not needed to list or show profiles
        from siting.reachability import WalkSettings

        radius = self.value("service_radius_m")
        figures: dict[str, Any] = {
            "walk_speed_m_per_min": self.require("walk_speed_m_per_min"),
            "walk_minutes": self.require("walk_minutes"),
            "service_radius_m": radius if radius is not None else defaults.SERVICE_RADIUS_M,
        }
        sources = {key: self._setting_source(key) for key in figures}
        if radius is None:
            sources["service_radius_m"] = TOOLKIT_RADIUS_SOURCE
        if bands_min is not None:
            figures["bands_min"] = tuple(bands_min)
        if max_snap_m is not None:
            figures["max_snap_m"] = max_snap_m
        return WalkSettings(**figures, sources=sources)

    def _setting_source(self, key: str) -> str:
        rule = self.fallbacks.get(key) or self.rule(key)
        where = "override" if key in self.overridden_keys else (rule.defined_in if rule else self.name)
        return f"{where}: {rule.source}" if rule is not None else where

    def describe(self, language: str | None = None) -> pd.DataFrame:
        """Every schema key with its value, unit, status, source and the profile that set it.

        Parameters
        ----------
        language : {"zh", "en"}
            Language of the ``label`` and ``status`` columns (column names stay English).

        Returns
        -------
        pandas.DataFrame
            Columns ``key, label, value, unit, by_year, use, status, source, defined_in, inherited``.
            ``by_year`` is the year a target is due by (到2025年年底); ``use`` says whether the figure is
            checked (the target of a rule in :data:`RULES`), a setting of a check, or reference only.
            ``defined_in`` is the profile (or ``override`` / ``toolkit default``) that decided the value;
            ``inherited`` is True when that is not this profile itself. A dated target that overrules a
            less strict figure of a more specific document says so in ``source``.
        """
        index = _language_index(language)
        rows = []
        for key, spec in SCHEMA.items():
            rule = self.rule(key)
            fallback = self.fallbacks.get(key)
            if rule is None and fallback is None:
                continue
            if fallback is not None and (rule is None or rule.value is None):
                rule, defined_in = fallback, "toolkit default"
            elif rule is not None:
                defined_in = rule.defined_in
            else:
                continue
            source = rule.source
            if rule.overrules:
                source += term("overrules", LANGUAGES[index], figure=rule.overrules)
            if rule.reference:
                source += "；" + term("reference_target", LANGUAGES[index], figure=rule.reference)
            rows.append(
                {
                    "key": key,
                    "label": (spec.label_zh, spec.label_en)[index],
                    "value": _format_value(rule.value, rule.comparison, spec, LANGUAGES[index]),
                    "unit": unit_label(spec.unit, LANGUAGES[index]),
                    "by_year": rule.by_year,
                    "use": value_label(f"use_{KEY_USE[key]}", LANGUAGES[index]),
                    "status": status_label(rule.status, LANGUAGES[index]),
                    "source": source,
                    "defined_in": defined_in,
                    "inherited": defined_in != self.name,
                }
            )
        columns = ["key", "label", "value", "unit", "by_year", "use", "status", "source", "defined_in", "inherited"]
        table = pd.DataFrame(rows, columns=columns)
        table["by_year"] = table["by_year"].astype("Int64")
        return table

    def __repr__(self) -> str:
        return f"Profile({self.name!r}, chain={' → '.join(self.chain)})"


def _figure_text(rule: Rule) -> str:
    """A figure with its year and clause, as a rule that overrules it or a reference shows it."""
    shown = _format_value(rule.value, rule.comparison, SCHEMA[rule.key], "zh")
    year = f"（{rule.by_year}年）" if rule.by_year is not None else ""
    return f"{shown}{year}（{rule.source}）"


def profile_place(name: str, language: str | None = None) -> str:
    """Where a shipped profile's document applies, as a reader names it (``dong_e`` → 东阿县, ``national`` →
    全国); any other name (a user's profile, ``override``) is returned as it is."""
    if name not in list_profiles():
        return name
    place = str(_read_layer(name, None).meta.get("place") or name)
    zh, _, en = place.partition(" / ")
    return zh if resolve_language(language) == "zh" or not en else en


def status_label(status: str, language: str | None = None) -> str:
    """A figure's verification status in words (``C`` → 已核实, ``S`` → 二手来源, ``override`` → 本次覆盖)."""
    return _STATUS_LABELS[status][_language_index(language)] if status in _STATUS_LABELS else status


def _language_index(language: str | None) -> int:
    return LANGUAGES.index(resolve_language(language))


def _format_value(value: Any, comparison: str, spec: KeySpec, language: str | None = None) -> str | None:
    if value is None:
        return None
    if spec.kind == "choice":
        return value_label(value, language)
    if spec.kind == "services":
        joint = "、" if resolve_language(language) == "zh" else ", "
        return joint.join(term(f"service_{v}", language) for v in value)
    if spec.kind == "names":
        return "、".join(value)
    if spec.kind == "range":
        return f"{value[0]:g}–{value[1]:g}"
    prefix = ">" if comparison == ">" else ""
    if spec.kind == "share":
        return f"{prefix}{value * 100:g}%"
    return f"{prefix}{value:g}"


def load_profile(
    name_or_path: str | Path,
    overrides: dict | None = None,
    *,
    assess_year: int | None = None,
    study_level: str | None = None,
) -> Profile:
    """Load a shipped profile by name, or a user's YAML file, with its inheritance chain.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A shipped profile name (see :func:`list_profiles`) or the path of a YAML file. A file's
        ``inherits:`` may name a shipped profile or another file (relative to the first file).
    overrides : dict, optional
        ``{key: value}`` or ``{key: {"value": ..., "source": ...}}`` for this run only; values in
        the schema unit (``SCHEMA[key].unit``). They take precedence over every profile.
    assess_year : int, optional
        The year whose end the inputs describe (:attr:`Profile.assess_year`): targets due by a later
        year are shown as not yet due. Default: every target is judged, whatever its year.
    study_level : {"县", "区", "街道", "乡镇"} or {"county", "district", "street", "town"}, optional
        The level the study stands at (:attr:`Profile.study_level`, a scenario's ``level:``); default: from
        the units layer when the check runs.

    Returns
    -------
    Profile

    Raises
    ------
    siting.errors.SitingInputError
        Unknown profile, unknown key, wrong unit or type, or an inheritance cycle; the message
        names the file and the key.
    """
    layers: list[_Layer] = []
    seen: set[str] = set()
    current: str | Path | None = name_or_path
    relative_to: Path | None = None
    while current is not None:
        layer = _read_layer(current, relative_to)
        if layer.origin in seen:
            raise SitingInputError(
                msg("profile_inherits_loop", name=layer.name), source=layer.origin, fix=msg("profile_inherits_loop_fix")
            )
        seen.add(layer.origin)
        layers.append(layer)
        current = layer.meta.get("inherits")
        relative_to = layer.meta["_dir"]
    if overrides:
        if not isinstance(overrides, dict):
            raise SitingInputError(
                msg("overrides_not_mapping"), source=msg("where_overrides"), fix=msg("overrides_not_mapping_fix")
            )
        for key, raw in overrides.items():
            if raw is None or (isinstance(raw, dict) and raw.get("value") is None):
                raise SitingInputError(
                    msg("override_no_value", key=key), source=msg("where_overrides"), fix=msg("override_no_value_fix")
                )
        rules = {key: _parse_entry(str(key), raw, "overrides", "override") for key, raw in overrides.items()}
        layers.insert(0, _Layer(name="override", origin="overrides", meta={}, rules=rules))
    return Profile(layers, assess_year, study_level)


def _text_width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(frame: pd.DataFrame) -> str:
    """A plain-text table of ``frame`` aligned for terminals that show Chinese double-width."""
    cells = [[str(c) for c in frame.columns]] + [
        ["—" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in row]
        for row in frame.itertuples(index=False)
    ]
    widths = [max(_text_width(row[i]) for row in cells) for i in range(len(frame.columns))]
    lines = [
        "  ".join(cell + " " * (w - _text_width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_profile_list(language: str | None = None) -> str:
    """Text for ``siting profiles``: each shipped profile, its document and what it inherits."""
    index = _language_index(language)
    headers = (("名称", "文件", "地区", "继承"), ("name", "document", "place", "inherits"))[index]
    rows = []
    for name in list_profiles():
        meta = _read_layer(name, None).meta
        rows.append([name, meta.get("document", ""), meta.get("place", ""), meta.get("inherits", "")])
    return format_table(pd.DataFrame(rows, columns=list(headers)))


def format_profile(name_or_path: str | Path, language: str | None = None, overrides: dict | None = None) -> str:
    """Text for ``siting profiles show NAME``: every value with its unit, target year, use (checked /
    setting / reference only), status and source."""
    profile = load_profile(name_or_path, overrides)
    index = _language_index(language)
    table = profile.describe(language)
    inherited_word = ("继承自 ", "inherited from ")[index]
    table["defined_in"] = [
        inherited_word + d if inh else d for d, inh in zip(table["defined_in"], table["inherited"], strict=True)
    ]
    headers = (
        ("规则", "数值", "单位", "目标年份", "用途", "核实", "来源", "定义于"),
        ("rule", "value", "unit", "by year", "use", "status", "source", "defined in"),
    )[index]
    table["by_year"] = table["by_year"].astype(object).where(table["by_year"].notna(), None)
    table = table[["label", "value", "unit", "by_year", "use", "status", "source", "defined_in"]]
    table.columns = list(headers)
    chain_word = ("继承链", "chain")[index]
    lines = [
        f"{profile.name}: {profile.meta.get('title') or ''} {profile.meta.get('document') or ''}".rstrip(),
        f"{chain_word}: {' → '.join(profile.chain)}",
        "",
        format_table(table),
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# A profile of one's own
# --------------------------------------------------------------------------------------------------
def _yaml_text(value: Any) -> str:
    # A JSON string is a valid YAML double-quoted scalar, with Chinese kept readable.
    return json.dumps(value, ensure_ascii=False)


def profile_template(
    name: str, inherits: str = BASE_PROFILE, *, written_as: str | None = None, file_name: str | None = None
) -> str:
    """The text of a new profile file: every key of :data:`SCHEMA` with its label, unit, the value it
    would inherit, and empty ``value``/``source``/``quote`` fields to fill in.

    Parameters
    ----------
    name : str
        The profile's name (the file's stem), shown in its header.
    inherits : str
        A shipped profile name, or the path of a profile file.
    written_as : str, optional
        How the file names ``inherits`` (a path relative to the new file's folder); default ``inherits``.
    file_name : str, optional
        The file's name, for the header's usage lines; default ``<name>.yaml``.

    Returns
    -------
    str
        YAML that :func:`load_profile` reads as a valid profile: every value null, so each is taken from
        ``inherits`` until filled in.
    """
    parent = load_profile(inherits)
    lines = [f"# {_both('profile_template_title', name=name)}", "#"]
    for key in ("profile_template_help", "profile_template_use"):
        lines += [
            f"# {line}" for lang in LANGUAGES for line in term(key, lang, file=file_name or f"{name}.yaml").splitlines()
        ]
    lines += [
        "",
        *(f'{field}: ""  # {_both(f"profile_field_{field}")}' for field in ("title", "document", "place", "date")),
    ]
    lines += [f"inherits: {_yaml_text(written_as or str(inherits))}", "rules:"]
    for key, spec in SCHEMA.items():
        choices = ", ".join(spec.choices)
        rule = parent.rule(key)
        if rule is not None and rule.value is not None:
            value = _format_value(rule.value, rule.comparison, spec)
            source = " ".join(str(rule.source).split())  # one comment line
            was = f"{_both('profile_template_now')}: {value} {spec.unit} ({rule.defined_in}: {source})"
        else:
            was = _both("profile_template_unset", profile=parent.name)
        lines += [
            "",
            f"  # {spec.label_zh} / {spec.label_en} [{spec.unit}]",
            f"  # {was}",
            f"  {key}:",
            f"    value: null  # {_both(f'profile_value_{spec.kind}', unit=spec.unit, choices=choices)}",
            f"    unit: {_yaml_text(spec.unit)}",
            "    status: U  # C 已核实 confirmed / S 二手来源 secondary / U 未核实 unconfirmed",
            f'    source: ""  # {_both("profile_field_source")}',
            f'    quote: ""  # {_both("profile_field_quote")}',
        ]
    return "\n".join(lines) + "\n"


def _both(key: str, **fields: Any) -> str:
    """A template comment in Chinese and English: ``中文 / English``."""
    return " / ".join(term(key, lang, **fields) for lang in LANGUAGES)


def new_profile(name: str, *, inherits: str = BASE_PROFILE, out: str | Path | None = None) -> Path:
    """Write a profile file of one's own from :func:`profile_template`, never over an existing file.

    Parameters
    ----------
    name : str
        The profile's name: letters, digits, ``_`` and ``-`` (Chinese characters too); not a shipped name.
    inherits : str
        A shipped profile name or the path of a profile file (relative to the current folder).
    out : path, optional
        The file to write (``.yaml`` or ``.yml``), or a folder (existing, or a path without a suffix) to
        write ``<name>.yaml`` into; default ``<name>.yaml`` in the current folder.

    Returns
    -------
    Path
        The file written. It loads as a valid profile (every value inherited until filled in):
        ``load_profile(path)``, ``profile: <path>`` in a scenario, ``siting profiles show <path>``.
    """
    name = str(name).strip()
    source = msg("where_command", command="siting profiles new")
    if not name or not all(ch.isalnum() or ch in "_-" for ch in name):
        raise SitingInputError(msg("profile_new_name", name=name), source=source, fix=msg("profile_new_name_fix"))
    if name in list_profiles():
        raise SitingInputError(
            msg("profile_new_shipped", name=name), source=source, fix=msg("profile_new_shipped_fix", name=name)
        )
    path = Path(out) if out is not None else Path(f"{name}.yaml")
    if path.is_dir() or not path.suffix:  # a folder, existing or to be made
        path = path / f"{name}.yaml"
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise SitingInputError(msg("profile_new_suffix"), source=str(path), fix=msg("profile_new_suffix_fix"))
    if path.exists():
        raise SitingInputError(msg("profile_new_exists"), source=str(path), fix=msg("profile_new_exists_fix"))
    parent = str(Path(inherits).resolve()) if _is_path(inherits) else str(inherits)
    # A parent file is named relative to the new file, as the loader reads it.
    written_as = os.path.relpath(parent, path.resolve().parent) if _is_path(inherits) else parent
    text = profile_template(name, parent, written_as=written_as, file_name=path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": another process's file is never replaced
            handle.write(text)
    except FileExistsError:
        raise SitingInputError(msg("profile_new_exists"), source=str(path), fix=msg("profile_new_exists_fix")) from None
    return path
