"""Every text siting shows a person, in Chinese (default) and English: labels, terms and messages.

Code and files use stable English snake_case column names; reports and maps show the labels here.
Error messages and warnings are :class:`Message` objects, a key of :data:`MESSAGES` with the fields of
its placeholders, rendered in the language in force when they are printed: Chinese unless
:func:`set_language` (or the ``--lang en`` option of the command line, or the ``SITING_LANG``
environment variable) says English. Add a text here once and every report, map and message picks it up.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pandas as pd

LANGUAGES = ("zh", "en")

# column name -> (Chinese, English)
COLUMNS: dict[str, tuple[str, str]] = {
    "area_id": ("小区编号", "Area ID"),
    "name": ("名称", "Name"),
    "households": ("户数", "Households"),
    "households_source": ("户数来源", "Households source"),
    "population": ("人口", "Population"),
    "elderly": ("老年人口", "Elderly population"),
    "status": ("类型", "Status"),
    "township": ("乡镇(街道)", "Township/street"),
    "community": ("社区", "Community"),
    "walk_min": ("步行时间(分钟)", "Walking time (min)"),
    "within_walk": ("15分钟养老服务圈内", "Within walking circle"),
    "nearest_facility": ("最近设施", "Nearest facility"),
    "nearest_facility_name": ("最近设施名称", "Nearest facility name"),
    "dist_m_straight": ("直线距离(米)", "Straight-line distance (m)"),
    "within_radius": ("服务半径内(直线)", "Within radius (straight line)"),
    "dist_m_network": ("路网距离(米)", "Network distance (m)"),
    "within_radius_network": ("服务半径内(路网)", "Within radius (network)"),
    "reachable": ("可达", "Reachable"),
    "unreachable_reason": ("不可达原因", "Why unreachable"),
    "facility_id": ("设施编号", "Facility ID"),
    "level": ("设施等级", "Level"),
    "floor_area_m2": ("建筑面积(平方米)", "Floor area (m²)"),
    "beds": ("床位数", "Beds"),
    "candidate_id": ("备选点编号", "Candidate ID"),
    "max_floor_area_m2": ("最大建筑面积(平方米)", "Max floor area (m²)"),
    "dist_m": ("距离(米)", "Distance (m)"),
    "minutes": ("步行时间(分钟)", "Walking minutes"),
    "required_floor_area_m2": ("应配建面积(平方米)", "Required floor area (m²)"),
    "available_floor_area_m2": ("现有配建面积(平方米)", "Available floor area (m²)"),
    "shortfall_m2": ("面积缺口(平方米)", "Shortfall (m²)"),
    "floor_area_ok": ("配建面积达标", "Floor area compliant"),
    "below_min_site": ("低于单处最小面积", "Below minimum site size"),
    "rank": ("序号", "Rank"),
    "recommended_floor_area_m2": ("建议建筑面积(平方米)", "Recommended floor area (m²)"),
    "households_newly_covered": ("新增覆盖户数", "Households newly covered"),
    "unit_id": ("单元编号", "Unit ID"),
    "share_within_walk": ("15分钟养老服务圈覆盖率(按户)", "Share within walking circle (households)"),
    "share_within_radius": ("服务半径覆盖率(直线，按户)", "Share within radius (straight line, households)"),
    "share_households_floor_area_ok": ("配建面积达标率(按户)", "Share floor area compliant (households)"),
    "proposed_sites": ("规划新增设施数", "Proposed centres"),
    "floor_area_shortfall_m2": ("配建面积缺口合计(平方米)", "Total floor area shortfall (m²)"),
    # compliance (siting.compliance)
    "floor_area_per_100hh": ("每百户配建面积(平方米)", "Floor area per 100 households (m²)"),
    "floor_area_rule": ("适用标准", "Rule applied"),
    "floor_area_rule_source": ("标准出处", "Rule source"),
    "profile": ("规则配置", "Rule profile"),
    "fail_reason": ("不达标原因", "Why not compliant"),
    "facilities_counted": ("计入达标的设施数", "Facilities counted"),
    "below_min_site_existing": ("低于单处最小面积(已建成居住区)", "Below minimum site size (existing areas)"),
    "counts_for_new": ("计入新建居住区", "Counts for new areas"),
    "counts_for_existing": ("计入已建成居住区", "Counts for existing areas"),
    "counts_toward_compliance": ("计入配建达标", "Counts toward compliance"),
    "catchment_households": ("服务范围内户数", "Households in catchment"),
    "floor_area_m2_per_hh": ("每户分摊面积(平方米)", "Floor area per household (m²)"),
    "areas_served": ("服务小区数", "Areas served"),
    "kind": ("街道/乡镇", "Street/town"),
    "centres": ("综合养老服务中心数", "Comprehensive centres"),
    "qualified_centres": ("达到面积要求的中心数", "Centres meeting the minimum area"),
    "largest_centre_m2": ("最大中心面积(平方米)", "Largest centre (m²)"),
    "has_qualified_centre": ("有达标中心", "Has a qualifying centre"),
    "qualified_township_centre": ("达标的乡镇(街道)综合中心", "Qualifying township centre"),
    "qualified_community_centre": ("达标的社区养老服务设施", "Qualifying community facility"),
    "households_covered": ("中心服务范围内户数", "Households within a centre's catchment"),
    "covered_share": ("服务范围覆盖户数比例", "Share of households in catchment"),
    "catchment_ok": ("服务半径全覆盖", "Catchment covers all households"),
    "unit_ok": ("达标", "Compliant"),
    "areas": ("小区数", "Areas"),
    "areas_decided": ("可判定小区数", "Areas judged"),
    "areas_undecided": ("无适用标准的小区数", "Areas without an applicable rate"),
    "areas_ok": ("达标小区数", "Compliant areas"),
    "households_ok": ("达标户数", "Households in compliant areas"),
    "compliance_rate_areas": ("配建达标率(按小区)", "Compliance rate (areas)"),
    "compliance_rate_households": ("配建达标率(按户)", "Compliance rate (households)"),
    "facilities_below_min_site": ("低于单处最小面积的设施数", "Facilities below minimum site size"),
    "coverage_street_centre": ("街道综合养老服务中心覆盖率", "Street centre coverage"),
    "coverage_township_centre": ("乡镇综合养老服务中心覆盖率", "Township centre coverage"),
    "coverage_community_facility": ("社区养老服务设施覆盖率", "Community facility coverage"),
    "townships_catchment_ok": ("服务半径全覆盖的乡镇(街道)数", "Townships fully covered by their centre"),
    "land_m2_per_capita": ("人均养老服务设施用地(平方米)", "Elderly-service land per resident (m²)"),
    "beds_per_1000_elderly": ("每千名老年人床位数", "Beds per 1,000 elderly"),
    "walk_minutes": ("步行时间标准(分钟)", "Walking time standard (min)"),
    "units": ("单元数", "Units"),
    "units_with_centre": ("有达标设施的单元数", "Units with a qualifying facility"),
    "rate": ("比率", "Rate"),
    "target": ("目标", "Target"),
    "comparison": ("比较", "Comparison"),
    "met": ("是否达标", "Met"),
    "source": ("出处", "Source"),
    "item": ("指标", "Item"),
    "value": ("数值", "Value"),
    # scenarios and reports (siting.scenario, siting.report)
    "scenario": ("方案", "Scenario"),
    "households_total": ("总户数", "Households (total)"),
    "households_within_walk": ("15分钟步行可达户数", "Households within the walk"),
    "households_within_radius": ("服务半径内户数(直线)", "Households within radius (straight line)"),
    "households_within_radius_network": ("服务半径内户数(路网)", "Households within radius (network)"),
    "share_within_radius_network": ("服务半径覆盖率(路网，按户)", "Share within radius (network, households)"),
    "areas_total": ("小区总数", "Areas (total)"),
    "areas_within_walk": ("15分钟步行可达小区数", "Areas within the walk"),
    "areas_floor_area_ok": ("配建面积达标小区数", "Areas with compliant floor area"),
    "objective": ("目标函数值", "Objective value"),
    "solver_status": ("求解状态", "Solver status"),
    "gap": ("最优性差距", "Optimality gap"),
    "bound": ("目标函数界", "Objective bound"),
    "before": ("新增前", "before"),
    "walk_speed_m_per_min": ("步行速度(米/分钟)", "Walking speed (m/min)"),
    "service_radius_m": ("服务半径(米)", "Service radius (m)"),
    "nearest_facility_straight": ("直线最近设施", "Nearest facility (straight line)"),
    "within_5min": ("5分钟步行可达", "Within 5 min walk"),
    "within_10min": ("10分钟步行可达", "Within 10 min walk"),
    "within_15min": ("15分钟步行可达", "Within 15 min walk"),
    "land_area_m2": ("用地面积(平方米)", "Land area (m²)"),
    "proposed": ("规划新增", "Proposed"),
    "attached": ("已接入路网", "Attached to the streets"),
    "street_gap_m": ("距道路距离(米)", "Distance to street (m)"),
    "marginal_gain": ("边际收益", "Marginal gain"),
    "fits_site": ("地块可容纳", "Fits the site"),
    "key": ("键", "Key"),
    "label": ("规则", "Rule"),
    "unit": ("单位", "Unit"),
    "rule_status": ("核实状态", "Verification"),
    "defined_in": ("定义于", "Defined in"),
    "difference": ("差值", "Difference"),
}

# value -> (Chinese, English), for categorical columns
VALUES: dict[str, tuple[str, str]] = {
    "new": ("新建", "new"),
    "existing": ("已建", "existing"),
    "county": ("县级养老机构", "county institution"),
    "township": ("乡镇(街道)综合养老服务中心", "township/street comprehensive centre"),
    "community": ("社区养老服务中心", "community centre"),
    "station": ("养老服务站", "service station"),
    "input": ("输入数据", "input data"),
    "population": ("按人口估算", "estimated from population"),
    "buildings": ("按建筑估算", "estimated from buildings"),
    "no_street_nearby": ("附近无道路", "no street within snapping distance"),
    "no_facility_in_reach": ("步行范围内无设施", "no facility in reach"),
    # the floor-area rule counts township, community and station facilities, not county institutions
    "no_neighbourhood_facility_in_reach": ("步行范围内无乡镇/社区级设施", "no township or community facility in reach"),
    "isolated_network_part": ("路网孤立部分", "isolated part of the network"),
    "True": ("是", "yes"),
    "False": ("否", "no"),
    "street": ("街道", "street"),
    "town": ("乡镇", "town"),
    "below_rate": ("配建面积低于标准", "floor area below the rate"),
    "below_min_site_only": ("步行范围内设施均低于单处最小面积", "facilities in reach are below the minimum site size"),
    "rate_not_set": ("规则未规定该类小区的标准", "profile sets no rate for this status"),
    "street_centre": ("街道综合养老服务中心", "street comprehensive centre"),
    "township_centre": ("乡镇综合养老服务中心", "township comprehensive centre"),
    "community_facility": ("社区养老服务设施", "community facility"),
    # optimisation status (siting.optimize, siting.scenario)
    "optimal": ("最优解", "optimal"),
    "feasible": ("可行解", "feasible"),
    "time_limit": ("达到时间上限", "time limit reached"),
    "infeasible": ("无可行解", "infeasible"),
    "not_optimised": ("未优化", "not optimised"),
}

# Map and report wording that is not a column or a value (layer names, legend entries, headings).
TERMS: dict[str, tuple[str, str]] = {
    "title": ("社区养老服务设施布局", "Community elderly-care facilities"),
    "scenario": ("方案", "Scenario"),
    "profile": ("规则", "Rule profile"),
    "summary": ("概况", "Summary"),
    "legend": ("图例", "Legend"),
    "basemap": ("底图", "Base map"),
    "layer_walk": ("小区：步行圈覆盖", "Areas: walking circle"),
    "within": ("步行圈内", "within walking time"),
    "outside": ("步行圈外", "beyond walking time"),
    "unreachable": ("不可达", "unreachable"),
    "layer_floor_area": ("小区：每百户配建面积", "Areas: floor area per 100 households"),
    "ok": ("配建面积达标", "floor area compliant"),
    "short": ("配建面积不足(悬停见缺口)", "floor area short (hover for shortfall)"),
    "layer_facilities": ("现状设施(按等级，大小示面积)", "Facilities by level (size = floor area)"),
    "below_min_site": ("低于单处最小面积", "below minimum site size"),
    "layer_service": ("{minutes}分钟步行范围", "{minutes}-min walking area"),
    "layer_radius": ("{radius}米服务半径", "{radius} m service radius"),
    "layer_township": ("乡镇(街道)边界", "Township/street boundaries"),
    "layer_community": ("社区边界", "Community boundaries"),
    "layer_proposals": ("规划新增设施(序号)", "Proposed centres (rank)"),
    "proposal": ("规划新增设施，数字为序号", "proposed centre, number = rank"),
    "service_reach": ("服务范围", "Service reach"),
    "boundaries": ("行政边界", "Boundaries"),
    "osm": ("OpenStreetMap", "OpenStreetMap"),
    "amap": ("高德地图", "Amap"),
    "tianditu": ("天地图", "Tianditu"),
    "missing": ("—", "—"),
}


# Messages of errors and warnings: key -> (Chinese, English), with {placeholders}. SitingInputError
# adds where (file, layer, column, rows) and the fix around the problem text.
MESSAGES: dict[str, tuple[str, str]] = {
    # the frame of SitingInputError (siting.errors)
    "where_file": ("文件 {path}", "file {path}"),
    "where_key": ("设置项“{key}”", "key '{key}'"),
    "where_layer": ("图层“{layer}”", "layer '{layer}'"),
    "where_column": ("列“{column}”", "column '{column}'"),
    "where_sep": ("，", ", "),
    "where_end": ("：", ": "),
    "rows": ("（行：{rows}）", " (rows: {rows})"),
    "rows_more": ("（行：{rows} 及另外 {more} 行）", " (rows: {rows} and {more} more)"),
    "fix": ("。修改方法：{fix}", ". Fix: {fix}"),
    "warning": ("警告：{text}", "warning: {text}"),
    "error": ("错误：{text}", "error: {text}"),
    # the command line (siting.cli)
    "interrupted": ("已中断；没有留下写了一半的输出文件夹", "interrupted; no output folder was left half-written"),
    "unexpected": (
        "siting 意外出错（见上方信息）；请报告此问题",
        "siting failed unexpectedly (see above); please report it",
    ),
}


def _checked(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    return language


# The language of messages; a context variable so that a thread or task can use its own.
_LANGUAGE: ContextVar[str] = ContextVar(
    "siting_language",
    default=os.environ.get("SITING_LANG", "zh") if os.environ.get("SITING_LANG") in LANGUAGES else "zh",
)


def resolve_language(language: str | None = None) -> str:
    """``language`` checked (``"zh"`` or ``"en"``), or the language in force when it is None."""
    return _checked(language) if language is not None else get_language()


def get_language() -> str:
    """The language messages are shown in: ``"zh"`` (default) or ``"en"``."""
    return _LANGUAGE.get()


def set_language(language: str) -> None:
    """Show messages (errors, warnings) in ``language`` from now on: ``"zh"`` or ``"en"``.

    The starting language is Chinese, or the ``SITING_LANG`` environment variable when it is set.
    """
    _LANGUAGE.set(_checked(language))


@contextmanager
def language(language: str) -> Iterator[str]:
    """Show messages in ``language`` inside a ``with`` block, then return to the previous language."""
    token = _LANGUAGE.set(_checked(language))
    try:
        yield language
    finally:
        _LANGUAGE.reset(token)


def _pick(pair: tuple[str, str], language: str | None = None) -> str:
    return pair[LANGUAGES.index(_checked(language or get_language()))]


class Message:
    """A text shown in the user's language: a key of :data:`MESSAGES` and its placeholder fields.

    Fields may themselves be messages (rendered in the same language) or lists (joined with the
    language's list separator). Build one with :func:`msg`.
    """

    __slots__ = ("fields", "key")

    def __init__(self, key: str, fields: dict[str, Any]) -> None:
        if key not in MESSAGES:
            raise KeyError(f"no message {key!r} in siting.labels.MESSAGES")
        self.key = key
        self.fields = fields

    def render(self, language: str | None = None) -> str:
        """The text in ``language`` (default: the language in force, see :func:`get_language`)."""
        lang = _checked(language or get_language())
        return _pick(MESSAGES[self.key], lang).format(**{k: render(v, lang) for k, v in self.fields.items()})

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"msg({self.key!r}, ...)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.key, self.fields) == (other.key, other.fields)

    def __hash__(self) -> int:
        return hash(self.key)


def msg(key: str, /, **fields: Any) -> Message:
    """A :class:`Message` from :data:`MESSAGES`, e.g. ``msg("file_not_found")``."""
    return Message(key, fields)


def render(value: Any, language: str | None = None) -> str:
    """Any message part as text: a :class:`Message` in ``language``, a list joined, anything else as ``str``."""
    lang = _checked(language or get_language())
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(render(v, lang) for v in value)
    return str(value)


def term(key: str, language: str | None = None, **fields: object) -> str:
    """A piece of map or report wording (:data:`TERMS`), with ``{placeholders}`` filled from ``fields``."""
    return _pick(TERMS[key], language).format(**fields)


def column_label(column: str, language: str | None = None) -> str:
    """Display label of a column; unknown columns are shown as they are."""
    pair = COLUMNS.get(column)
    return _pick(pair, language) if pair else column


def value_label(value: object, language: str | None = None) -> str:
    """Display label of a categorical value; unknown values are shown as they are."""
    pair = VALUES.get(str(value))
    return _pick(pair, language) if pair else str(value)


def relabel(frame: pd.DataFrame, language: str | None = None, values: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of ``frame`` with display column names, and display values in the ``values`` columns."""
    out = frame.copy()
    for column in values:
        if column in out.columns:
            out[column] = out[column].map(lambda v: value_label(v, language))
    return out.rename(columns={c: column_label(c, language) for c in out.columns})
