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
    "households": ("户数(户)", "Households"),
    "households_source": ("户数来源", "Households source"),
    "population": ("人口(人)", "Population"),
    "elderly": ("老年人口(人)", "Elderly population"),
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
    "beds": ("床位数(张)", "Beds"),
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
    "site_id": ("设施点编号", "Site ID"),
    "current_floor_area_m2": ("现状建筑面积(平方米)", "Floor area now (m²)"),
    "added_floor_area_m2": ("新增建筑面积(平方米)", "Floor area added (m²)"),
    "min_floor_area_m2": ("最小建筑面积(平方米)", "Min floor area (m²)"),
    "max_floor_area_source": ("面积上限来源", "Source of the max floor area"),
    "cost": ("费用(费用单位)", "Cost (cost units)"),
    "households_served": ("服务户数(户)", "Households served"),
    "at_cap": ("达到面积上限", "At its largest floor area"),
    "shares_need_with": ("与之分担需求的设施", "Shares the need with"),
    "plan_cost": ("方案费用合计(费用单位)", "Plan cost (cost units)"),
    "expanded_sites": ("规划扩建设施数(处)", "Enlarged facilities"),
    "reason": ("原因", "Reason"),
    "areas_unfixable": ("无法达标的小区数(个)", "Areas no plan can fix"),
    "cost_new_site": ("新建一处设施的费用(费用单位)", "Cost of a new centre (cost units)"),
    "cost_per_m2": ("每平方米建筑面积费用(费用单位)", "Cost per m² of floor area (cost units)"),
    "facility_max_floor_area_m2": ("现有设施扩建上限默认值(平方米)", "Default enlargement limit of facilities (m²)"),
    "candidate_max_floor_area_m2": ("备选点最大建筑面积默认值(平方米)", "Default max floor area of candidates (m²)"),
    "areas_households_estimated": ("户数为估算值的小区数(个)", "Areas with estimated households"),
    "left_out_by_clip": ("超出路网范围而未纳入的设施和备选点数(个)", "Facilities and candidates left out by clipping"),
    "households_newly_covered": ("新增步行覆盖户数(户)", "Households newly within the walk"),
    "unit_id": ("单元编号", "Unit ID"),
    "share_within_walk": ("15分钟养老服务圈覆盖率(按户)", "Share within walking circle (households)"),
    "share_within_radius": ("服务半径覆盖率(直线，按户)", "Share within radius (straight line, households)"),
    "share_households_floor_area_ok": ("配建面积达标率(按户)", "Share floor area compliant (households)"),
    "proposed_sites": ("规划新增设施数(处)", "Proposed centres"),
    "floor_area_shortfall_m2": ("配建面积缺口合计(平方米)", "Total floor area shortfall (m²)"),
    # compliance (siting.compliance)
    "floor_area_per_100hh": ("每百户配建面积(平方米)", "Floor area per 100 households (m²)"),
    "floor_area_rule": ("适用标准", "Rule applied"),
    "floor_area_rule_source": ("标准出处", "Rule source"),
    # the rules table (siting.profiles.RULES, siting.compliance.rules_sheet: the 规则核查 sheet)
    "rules": ("适用规则(见规则核查)", "Rules (see rule check)"),
    "number": ("编号", "No."),
    "rule_level": ("判定对象", "Judged"),
    "rule_facilities": ("计入设施", "Facilities counted"),
    "measure": ("指标", "Measure"),
    "actual": ("现状", "Actual"),
    "standard": ("标准", "Standard"),
    "target_value": ("目标值", "Target value"),
    "actual_value": ("现状值", "Actual value"),
    "verdict": ("结论", "Verdict"),
    "note": ("说明", "Note"),
    "by_year": ("目标年份", "Target year"),
    "document": ("文件", "Document"),
    "clause": ("条款", "Clause"),
    "quote": ("原文", "Quoted text"),
    "settings": ("判定口径", "Reading and settings"),
    "use": ("用途", "Use"),
    "assess_year": ("评估年份", "Assessment year"),
    "service_radius_ok": ("在规定服务半径内", "Within the stated service radius"),
    "built_with_area": ("配建所属小区", "Built with area"),
    "institution": ("养老机构(计入床位)", "Care institution (beds counted)"),
    "meal_service": ("有助餐服务", "Meal service"),
    "urban": ("城市社区", "Urban community"),
    "in_scope": ("计入社区设施覆盖率", "Counted for community-facility coverage"),
    "beds_nursing": ("护理型床位(张)", "Nursing-type beds"),
    "beds_dementia": ("认知障碍照护床位(张)", "Dementia-care beds"),
    "services": ("服务内容", "Services"),
    # the services read from that text (siting.inputs.SERVICE_COLUMNS)
    "offers_meal": ("提供助餐", "Offers meals"),
    "offers_day_care": ("提供日托", "Offers day care"),
    "offers_residential_care": ("提供长期托养", "Offers residential care"),
    "offers_dementia_care": ("提供失智照护", "Offers dementia care"),
    "offers_home_care": ("提供上门服务", "Offers home care"),
    "offers_medical_care": ("提供医养结合", "Offers integrated medical care"),
    "offers_kangyang": ("属康养联合体", "Part of a care consortium (康养联合体)"),
    "unit_type": ("单元类型", "Unit type"),
    "profile": ("规则配置", "Rule profile"),
    "fail_reason": ("不达标原因", "Why not compliant"),
    "facilities_counted": ("计入达标的设施数(处)", "Facilities counted"),
    "below_min_site_existing": ("低于单处最小面积(已建成居住区)", "Below minimum site size (existing areas)"),
    "counts_for_new": ("计入新建居住区", "Counts for new areas"),
    "counts_for_existing": ("计入已建成居住区", "Counts for existing areas"),
    "counts_toward_compliance": ("计入配建达标", "Counts toward compliance"),
    "catchment_households": ("服务范围内户数(户)", "Households in catchment"),
    "floor_area_m2_per_hh": ("每户分摊面积(平方米)", "Floor area per household (m²)"),
    "areas_served": ("服务小区数(个)", "Areas served"),
    # a township's kind (street/town) and a proposal's kind (new/expand): the values say which
    "kind": ("类别", "Kind"),
    "centres": ("综合养老服务中心数(处)", "Comprehensive centres"),
    "community_facilities": ("社区养老服务设施数(处)", "Community facilities"),
    "qualified_community_facilities": ("计入覆盖率的社区设施数(处)", "Community facilities counted for coverage"),
    "missing_functions": ("综合中心缺少的功能", "Functions the centre lacks"),
    "communities": ("村(社区)数(个)", "Villages and communities"),
    "share_meal_areas": ("助餐服务覆盖比例(按小区计)", "Share of areas within the walk of a meal service"),
    "communities_reached": ("服务网络覆盖的村(社区)数(个)", "Villages and communities reached"),
    "share_communities_reached": ("服务网络覆盖比例(按村、社区计)", "Share of villages and communities reached"),
    "detail": ("说明", "Detail"),
    "qualified_centres": ("达到面积要求的中心数(处)", "Centres meeting the minimum area"),
    "largest_centre_m2": ("最大中心面积(平方米)", "Largest centre (m²)"),
    "has_qualified_centre": ("有达标中心", "Has a qualifying centre"),
    "qualified_township_centre": ("达标的乡镇(街道)综合中心", "Qualifying township centre"),
    "qualified_community_centre": ("达标的社区养老服务设施", "Qualifying community facility"),
    "households_covered": ("中心服务范围内户数(户)", "Households within a centre's catchment"),
    "covered_share": ("服务范围覆盖户数比例", "Share of households in catchment"),
    "catchment_ok": ("服务半径全覆盖", "Catchment covers all households"),
    "unit_ok": ("达标", "Compliant"),
    "areas": ("小区数(个)", "Areas"),
    "areas_decided": ("可判定小区数(个)", "Areas judged"),
    "areas_undecided": (
        "未判定的小区数(个，无适用标准或无住户)",
        "Areas not judged (no applicable rate or no households)",
    ),
    "areas_ok": ("达标小区数(个)", "Compliant areas"),
    "households_ok": ("达标户数(户)", "Households in compliant areas"),
    "compliance_rate_areas": ("配建达标率(按小区)", "Compliance rate (areas)"),
    "compliance_rate_households": ("配建达标率(按户)", "Compliance rate (households)"),
    "facilities_below_min_site": ("低于单处最小面积的设施数(处)", "Facilities below minimum site size"),
    "coverage_street_centre": ("街道综合养老服务中心覆盖率", "Street centre coverage"),
    "coverage_township_centre": ("乡镇综合养老服务中心覆盖率", "Township centre coverage"),
    "coverage_community_facility": ("社区养老服务设施覆盖率", "Community facility coverage"),
    "townships_catchment_ok": ("服务半径全覆盖的乡镇(街道)数(个)", "Townships fully covered by their centre"),
    "land_m2_per_capita": ("人均养老服务设施用地(平方米)", "Elderly-service land per resident (m²)"),
    "beds_per_1000_elderly": ("每千名老年人床位数(张)", "Beds per 1,000 elderly"),
    "walk_minutes": ("步行时间标准(分钟)", "Walking time standard (min)"),
    "units": ("单元数(个)", "Units"),
    "units_with_centre": ("有达标设施的单元数(个)", "Units with a qualifying facility"),
    "rate": ("比率", "Rate"),
    "target": ("目标", "Target"),
    "comparison": ("比较", "Comparison"),
    "met": ("是否达标", "Met"),
    "source": ("出处", "Source"),
    "item": ("指标", "Item"),
    "value": ("数值", "Value"),
    # scenarios and reports (siting.scenario, siting.report)
    "scenario": ("方案", "Scenario"),
    "households_total": ("总户数(户)", "Households (total)"),
    "households_floor_area_judged": ("配建面积判定户数(户)", "Households judged by the floor-area rule"),
    "households_within_walk": ("15分钟步行可达户数(户)", "Households within the walk"),
    "households_within_radius": ("直线服务半径内户数(户)", "Households within radius (straight line)"),
    "households_within_radius_network": ("路网服务半径内户数(户)", "Households within radius (network)"),
    "share_within_radius_network": ("服务半径覆盖率(路网，按户)", "Share within radius (network, households)"),
    "areas_total": ("小区总数(个)", "Areas (total)"),
    "areas_within_walk": ("15分钟步行可达小区数(个)", "Areas within the walk"),
    "areas_floor_area_ok": ("配建面积达标小区数(个)", "Areas with compliant floor area"),
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
    "street_name": ("最近道路名称", "Nearest street name"),
    "street_name_dist_m": ("距该道路距离(米)", "Distance to that street (m)"),
    "lon": ("经度(WGS84)", "Longitude (WGS84)"),
    "lat": ("纬度(WGS84)", "Latitude (WGS84)"),
    "lon_gcj02": ("经度(GCJ-02，高德/腾讯)", "Longitude (GCJ-02, Amap/Tencent)"),
    "lat_gcj02": ("纬度(GCJ-02，高德/腾讯)", "Latitude (GCJ-02, Amap/Tencent)"),
    "marginal_gain": ("边际收益", "Marginal gain"),
    "fits_site": ("地块可容纳", "Fits the site"),
    "key": ("键", "Key"),
    "label": ("规则", "Rule"),
    "unit": ("单位", "Unit"),
    "rule_status": ("核实状态", "Verification"),
    "defined_in": ("定义于", "Defined in"),
    "difference": ("差值", "Difference"),
    # batches (siting.batch)
    "run_status": ("运行结果", "Run status"),
    "scenario_file": ("方案文件", "Scenario file"),
    "output_folder": ("输出文件夹", "Output folder"),
    "error_message": ("错误信息", "Error"),
    # candidate plots (siting.inputs.read_candidates)
    "plot_ratio": ("容积率", "Plot ratio"),
    "floors": ("限高(层)", "Height limit (floors)"),
    # siting compare (siting.report.comparison_table)
    "rules_not_met": ("未达标规则数", "Rules not met"),
    "best": ("最优方案", "Best scenario"),
    "unit_en": ("单位(英文)", "Unit (English)"),
}

# value -> (Chinese, English), for categorical columns
VALUES: dict[str, tuple[str, str]] = {
    # the verdict row of siting compare
    "meets_every_rule": ("满足全部规则", "meets every rule"),
    "fails_rules": ("有规则未达标", "fails some rules"),
    # where a profile figure came from, when not from a document (defined_in, source)
    "override": ("本次运行的覆盖值", "override for this run"),
    "override for this run": ("本次运行的覆盖值", "override for this run"),
    "toolkit default": ("工具默认值", "toolkit default"),
    "new": ("新建", "new"),
    "expand": ("扩建", "enlarge"),
    "no_site_in_reach": ("步行范围内没有可用的设施点", "no site within the walk could serve it"),
    "no_own_site": (
        "新建小区只计本小区配建面积，小区内无可用设施点（须由开发建设单位配建）",
        "a new area counts only floor area built with it and has no site of its own (its developer must build it)",
    ),
    "sites_at_cap": (
        "可服务的设施点都达到面积上限仍不足",
        "every site that could serve it falls short at its largest size",
    ),
    "no_site_within_radius": (
        "服务半径内没有可用的设施点",
        "no site lies within the service radius",
    ),
    "no_site_in_township_reach": (
        "本乡镇（街道）没有设施点位于此处或步行可达此处",
        "no site of its township stands in it or is within the walk of it",
    ),
    "planned": ("方案已规划", "planned"),
    "condition_met": ("方案中每处设施均满足", "met by every planned site"),
    "not_planned_catchment": (
        "方案未涉及：方案使每个小区步行可达设施，但未按乡镇自身服务网络规划服务半径全覆盖",
        "not planned: the plan puts every area within the walk of a centre, not of its own township's network",
    ),
    "not_planned_county": (
        "方案未涉及：县级机构不由社区设施选址决定",
        "not planned: county institutions are not sited here",
    ),
    "not_planned_services": (
        "方案未涉及：服务内容不由选址和面积决定",
        "not planned: the services a centre offers are not decided by its site and size",
    ),
    "not_planned_land": ("方案未涉及：用地面积不由建筑面积决定", "not planned: land area is not decided by floor area"),
    "not_planned_other": (
        "方案未涉及：此项不由设施选址和建筑面积决定",
        "not planned: it is not decided by where centres stand and how big they are",
    ),
    "not_planned_beds": ("方案未涉及：床位不由选址和面积决定", "not planned: beds are not decided by site and size"),
    "no_site_in_unit": ("辖区内没有可用的设施点或可扩建的设施", "no site or facility that may grow lies in the unit"),
    "unit_sites_shared": (
        "可用的设施点已用于相邻乡镇或社区的设施（一处设施只能作为一个单位的中心）",
        "its only sites serve a neighbouring unit already (one site is one unit's centre or facility)",
    ),
    "unit_sites_below_minimum": (
        "辖区内的设施点和设施都达不到单处最小面积",
        "every site and facility in the unit is capped below the minimum size",
    ),
    "not_enlarged": ("不扩建", "not enlarged"),
    "scenario_default": ("方案默认值", "scenario default"),
    "plot_ratio": ("用地面积×容积率", "land area × plot ratio"),
    "toolkit_assumption": ("工具默认值（假定）", "toolkit default (assumption)"),
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
    "town": ("镇", "town"),
    "xiang": ("乡", "xiang (rural township)"),
    "no_own_facility": ("本小区无配建设施", "no floor area built with the area"),
    # verdicts of the rules table (siting.compliance.VERDICTS) and why a rule was not checked
    "met": ("达标", "met"),
    "not_met": ("未达标", "not met"),
    "not_due": ("未到目标年份", "not yet due"),
    "not_checked": ("未核查", "not checked"),
    "condition": ("计入条件", "condition"),
    "input_missing": ("缺少输入", "input missing"),
    "no_units": ("无可判定的对象", "nothing to judge"),
    "no_elderly": ("老年人口为 0", "no elderly population"),
    "no_population": ("人口为 0", "no population"),
    "no_beds": ("养老机构无床位", "institutions have no beds"),
    "not_applicable": ("不适用", "not applicable"),
    "reference": ("上级目标（参考）", "higher-level target (reference)"),
    "no_institutions": ("无养老机构", "no care institutions"),
    "institutions_with_service": ("提供该项服务的养老机构", "care institutions offering the service"),
    "townships_with_kangyang": ("有康养联合体的镇乡街道占比", "share of townships with a 康养联合体"),
    "named_townships_with_centre": ("点名乡镇建有养老中心的占比", "share of the named townships with a centre"),
    "kangyang": ("康养联合体", "康养联合体 (care consortia)"),
    "named_townships": ("文件点名的乡镇", "the townships the document names"),
    "other_level": ("规则针对其他层级", "set for another level"),
    "study_level_county": ("研究范围为县", "the study is of a county"),
    "study_level_district": ("研究范围为区", "the study is of a district"),
    "study_level_street": ("研究范围为街道", "the study is of a street (街道)"),
    "study_level_town": ("研究范围为乡镇", "the study is of a town (乡镇)"),
    "rural_area": ("农村居住区，不适用城镇居住区配建标准", "a rural area: the urban-area rate does not apply"),
    # whom a rule judges (siting.profiles.RuleCheck.level)
    "new_areas": ("新建居住区", "new residential areas"),
    "existing_areas": ("已建成居住区", "existing residential areas"),
    "areas": ("全部小区", "all residential areas"),
    "facilities": ("乡镇、社区级设施及站点", "township, community and station facilities"),
    "streets": ("街道", "streets (街道)"),
    "towns": ("乡、镇", "towns and xiang (镇、乡)"),
    "townships": ("乡镇(街道)", "townships and streets"),
    "communities": ("社区", "communities"),
    "villages_communities": ("村(社区)", "villages and communities"),
    "whole_county": ("全县", "the county"),
    "plan_area": ("规划范围", "the plan area"),
    # which facilities a rule counts (siting.profiles.RuleCheck.facilities)
    "counted_floor_area": (
        "计入配建面积的乡镇、社区级设施及站点(达到单处下限)",
        "township, community and station facilities at least the single-site minimum",
    ),
    "neighbourhood": ("乡镇、社区级设施及站点", "township, community and station facilities"),
    "qualified_township_centre": ("达到面积下限的乡镇(街道)综合中心", "township centres at least the minimum area"),
    "township_network": (
        "本乡镇(街道)达标综合中心及其社区设施、站点",
        "the township's qualifying centre and its community facilities and stations",
    ),
    "qualified_community_centre": ("达到面积下限的社区养老服务设施", "community facilities at least the minimum area"),
    "county_level": ("县级养老机构", "county-level institutions"),
    "dementia_care": ("提供失智照护的机构(专区)", "facilities with dementia care"),
    "with_land_area": ("填有用地面积的设施", "facilities stating their land area"),
    "institutions": ("养老机构(县级或提供托养)", "care institutions (county level or residential care)"),
    "all_facilities": ("全部设施", "all facilities"),
    "meal_service": ("提供助餐的设施", "facilities serving meals"),
    # what a rule measures (siting.compliance.MEASURES)
    "areas_meeting_rate": ("达到每百户标准的小区占比", "share of areas meeting the rate"),
    "sites_below_minimum": ("低于单处下限的设施数", "facilities below the minimum"),
    "compliance_rate_areas": ("配建达标率(按小区)", "compliance rate (areas)"),
    "compliance_rate_households": ("配建达标率(按户)", "compliance rate (households)"),
    "units_with_centre": ("有达标设施的单元占比", "share of units with a qualifying facility"),
    "townships_covered": ("服务范围全覆盖的乡镇(街道)占比", "share of townships whose households are all covered"),
    "areas_within_radius": ("服务半径内的小区占比", "share of areas within the radius"),
    "count": ("设施数", "number of facilities"),
    "land_per_resident": ("人均用地", "land per resident"),
    "beds_per_elderly": ("每千名老年人床位", "beds per 1,000 elderly"),
    "nursing_bed_share": ("护理型床位占比", "nursing-type bed share"),
    "dementia_beds_per_elderly": ("每万名老年人认知障碍照护床位", "dementia-care beds per 10,000 elderly"),
    "units_with_meal_service": ("有助餐服务的村(社区)占比", "share of villages and communities with meal service"),
    # how an open clause is read (choice values of siting.profiles.SCHEMA)
    "own": ("仅计本小区配建设施", "only floor area built with the area"),
    "within_walk": ("计步行范围内全部设施", "every facility within the walk"),
    "through_stations": ("中心及本乡镇社区设施、站点步行可达", "within the walk of the centre or its stations"),
    "centre_walk": ("中心本身步行可达", "within the walk of the centre itself"),
    "urban_communities": ("仅城市社区", "urban communities only"),
    "all_communities": ("全部村(社区)", "every village and community"),
    "all_areas": ("全部小区", "every residential area"),
    "urban_areas": ("仅城镇居住区", "urban residential areas only"),
    "communities_reached": ("服务网络覆盖本乡镇全部村(社区)", "the network reaches every village and community"),
    "centres_and_stations": ("社区养老服务中心及养老服务站", "community centres and service stations"),
    "centres": ("仅社区养老服务中心", "community centres only"),
    "straight": ("直线距离", "straight-line distance"),
    "along_streets": ("沿道路距离", "distance along the streets"),
    # how a profile figure is used (siting.profiles.KEY_USE)
    "use_checked": ("核查", "checked"),
    "use_setting": ("判定参数", "setting of a check"),
    "use_reference": ("仅供参考", "reference only"),
    "below_rate": ("配建面积低于标准", "floor area below the rate"),
    "below_min_site_only": ("步行范围内设施均低于单处最小面积", "facilities in reach are below the minimum site size"),
    "rate_not_set": ("规则未规定该类小区的标准", "profile sets no rate for this status"),
    "no_households": ("无住户，不判定", "no households, not judged"),
    "street_centre": ("街道综合养老服务中心", "street comprehensive centre"),
    "township_centre": ("乡镇综合养老服务中心", "township comprehensive centre"),
    "community_facility": ("社区养老服务设施", "community facility"),
    # optimisation status (siting.optimize, siting.scenario)
    "optimal": ("最优解", "optimal"),
    "feasible": ("可行解", "feasible"),
    "time_limit": ("达到时间上限", "time limit reached"),
    "infeasible": ("无可行解", "infeasible"),
    "not_optimised": ("未优化", "not optimised"),
    # run status of a scenario in a batch (siting.batch)
    "ok": ("完成", "ok"),
    "failed": ("失败", "failed"),
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
    "layer_proposals": ("规划新建/扩建设施(序号)", "Proposed new and enlarged centres (rank)"),
    "proposal": ("规划新增设施，数字为序号", "proposed centre, number = rank"),
    "expansion": ("扩建现有设施，数字为序号", "enlarged existing facility, number = rank"),
    "service_reach": ("服务范围", "Service reach"),
    "boundaries": ("行政边界", "Boundaries"),
    "osm": ("OpenStreetMap", "OpenStreetMap"),
    "amap": ("高德地图", "Amap"),
    "tianditu": ("天地图", "Tianditu"),
    "missing": ("—", "—"),
    "layer_streets": ("路网", "Streets"),
    "layer_labels": ("名称标注(放大后显示)", "Names (when zoomed in)"),
    "streets_major": ("主要道路", "main roads"),
    "streets_minor": ("其他道路", "other streets and paths"),
    # a profile of one's own (siting.profiles.profile_template)
    "profile_template_title": ("规则配置“{name}”", "Rule profile '{name}'"),
    "profile_template_help": (
        "在此填写本地政策文件中的数值，每个数值注明出处（source）和原文（quote）。\n"
        "value 留空（null）的规则沿用 inherits 所指上级配置的数值；只填写文件中明确规定的数值。\n"
        "单位必须与 unit 一致（份额写 0–1 的小数，如 80% 写 0.8）。",
        "Fill in the figures of your local policy documents, each with its source and quote.\n"
        "A rule whose value is null takes the value of the profile named in 'inherits'; fill in only what a\n"
        "document states, in the unit given (shares as fractions 0–1: 0.8 for 80%).",
    ),
    "profile_template_use": (
        "检查：siting profiles show {file}；在方案文件中引用：profile: {file}（路径相对于方案文件）",
        "Check it: siting profiles show {file}; use it in a scenario file: profile: {file} (relative to it)",
    ),
    "profile_new_written": (
        "已写入规则配置 {path}：填写数值和出处后，用 siting profiles show {path} 检查，"
        "在方案文件中写 profile: {path} 使用。",
        "Wrote the profile {path}: fill in the values and their sources, check it with "
        "siting profiles show {path}, and use it with profile: {path} in a scenario file.",
    ),
    "profile_template_now": ("现值", "now"),
    "profile_template_unset": ("{profile} 及其上级均未规定", "not set by {profile} or its parents"),
    "profile_field_title": ("文件名称", "document title"),
    "profile_field_document": ("文号", "document number"),
    "profile_field_place": ("地区", "place"),
    "profile_field_date": ("发布日期，如 2024-01-31", "date, e.g. 2024-01-31"),
    "profile_field_source": ("文件与条款", "document and clause"),
    "profile_field_quote": ("文件原文", "the words of the document"),
    "profile_value_number": ("非负数，单位 {unit}", "a non-negative number in {unit}"),
    "profile_value_share": ("0–1 的小数", "a fraction 0–1"),
    "profile_value_range": ("[下限, 上限]，单位 {unit}", "[low, high] in {unit}"),
    "profile_value_choice": ("以下之一：{choices}", "one of {choices}"),
    "profile_value_names": ("名称列表，如 [横店镇, 巍山镇]", "a list of names, e.g. [横店镇, 巍山镇]"),
    "profile_value_services": ("列表，每项为以下之一：{choices}", "a list, each one of {choices}"),
    # services a facility offers (siting.inputs.SERVICE_WORDS), as a township centre's functions
    "service_meal": ("助餐", "meals"),
    "service_day_care": ("日托", "day care"),
    "service_residential_care": ("长期托养", "residential care"),
    "service_dementia_care": ("失智照护", "dementia care"),
    "service_home_care": ("上门服务", "home care"),
    "service_medical_care": ("医养结合", "integrated medical care"),
    "service_kangyang": ("康养联合体", "care consortium (康养联合体)"),
    "named_without_centre": ("未建养老中心：{names}", "no centre yet: {names}"),
    "meal_areas_reached": ("步行范围内有助餐服务的小区 {share}", "areas within the walk of a meal service: {share}"),
    "households_reached": ("按户计服务网络覆盖 {share}", "households reached by the network: {share}"),
    "scoring_target": ("{year}年创建验收评分指标", "scoring criterion of the {year} assessment"),
    # units of the optimisation figures (siting.report.objective_units), by what they count and the weight
    "unit_cost_households": ("户·分钟", "household-minutes"),
    "unit_cost_elderly": ("人·分钟", "person-minutes"),
    "unit_weight_households": ("户", "households"),
    "unit_weight_elderly": ("人", "persons"),
    "unit_sites": ("处", "sites"),
    "unit_money": ("费用单位", "cost units"),
    # a generated candidate site: a point on a street, no land behind it (siting.pipeline)
    "generated_site": ("示意位置（需落实用地）", "sketch location (land to be secured)"),
    # units of siting compare's figures (siting.report.COMPARE_UNITS)
    "unit_households": ("户", "households"),
    "unit_areas": ("个", "areas"),
    "unit_rules": ("条", "rules"),
    "unit_percent": ("%（差值为百分点）", "% (differences in percentage points)"),
    "verdict_least_cost": (
        "{name}：满足全部规则的 {n} 个方案中费用最低（{cost} 费用单位）",
        "{name}: the least cost ({cost} cost units) of the {n} scenario(s) meeting every rule",
    ),
    "verdict_fewest_failed": (
        "{name}：没有方案满足全部规则，此方案未达标规则最少（{n} 条）",
        "{name}: no scenario meets every rule; this one fails the fewest ({n})",
    ),
    # the rules table in words (siting.compliance.rules_sheet)
    "unit_m2/100hh": ("平方米/百户", "m²/100 households"),
    "unit_m2/person": ("平方米/人", "m²/person"),
    "unit_beds/1000 elderly": ("张/千名老年人", "beds/1,000 elderly"),
    "unit_beds/10000 elderly": ("张/万名老年人", "beds/10,000 elderly"),
    "unit_m2": ("平方米", "m²"),
    "unit_m": ("米", "m"),
    "unit_m/min": ("米/分钟", "m/min"),
    "unit_min": ("分钟", "min"),
    "unit_m2/bed": ("平方米/床", "m²/bed"),
    "unit_services": ("服务项目", "services"),
    "unit_names": ("名称", "names"),
    "unit_beds": ("张床位", "beds"),
    "unit_persons/1000 elderly": ("人/千名老年人", "persons/1,000 elderly"),
    "unit_persons/10000 elderly": ("人/万名老年人", "persons/10,000 elderly"),
    "unit_persons/household": ("人/户", "persons/household"),
    "unit_share": ("比例", "share"),
    "unit_choice": ("选项", "choice"),
    "overrules": ("；严于同期目标 {figure}", "; stricter than {figure}, also due"),
    "reference_target": ("上级目标（参考）：{figure}", "higher-level target (reference): {figure}"),
    "sites_below_minimum": ("{n} 处低于下限，不计入", "{n} below it, not counted"),
    "every_new_areas": ("每个新建小区", "each new area"),
    "every_existing_areas": ("每个已建成小区", "each existing area"),
    "every_townships": ("每个乡镇(街道)", "each township"),
    "every_areas": ("每个小区距设施", "each area, to a facility,"),
    "rule_compliance_rate_areas": ("配建达标率(按小区)", "Floor-area compliance rate (areas)"),
    "rule_compliance_rate_households": ("配建达标率(按户)", "Floor-area compliance rate (households)"),
    "either": (" 或 ", " or "),
    "input_areas.households": ("小区户数", "areas' households"),
    "input_areas.population": ("小区人口(population)", "areas' population"),
    "input_elderly": ("老年人口(小区或行政单元的 elderly 列)", "elderly population (of areas or units)"),
    "input_facilities.beds": ("设施床位数(beds)", "facilities' beds"),
    "input_facilities.beds_nursing": ("设施护理型床位(beds_nursing)", "facilities' nursing-type beds"),
    "input_facilities.beds_dementia": ("设施认知障碍照护床位(beds_dementia)", "facilities' dementia-care beds"),
    "input_facilities.services": ("设施服务内容(services)", "facilities' services"),
    "input_facilities.land_area_m2": ("设施用地面积(land_area_m2)", "facilities' land area"),
    "input_townships": ("乡镇(街道)：行政单元图层或小区的 township 列", "townships (units, or areas' township)"),
    "input_communities": ("社区：行政单元图层或小区的 community 列", "communities (units, or areas' community)"),
    "batch_title": ("批量评估：各方案(县)对比", "Batch: scenarios (counties) compared"),
    "layer_counties": ("各方案(县)", "Scenarios (counties)"),
    "no_figures": ("无结果(运行失败)", "no figures (failed)"),
    # the what-if session and its live map (siting.whatif, siting.widgets)
    "whatif_scenario_name": ("{name} 推演", "{name} what-if"),
    "whatif_scenario_note": (
        "推演方案（siting WhatIf.to_scenario 写出）：以 {source} 为起点调整 {changes} 步，设施见 facilities.gpkg",
        "what-if written by siting (WhatIf.to_scenario): {changes} edits from {source}; facilities in facilities.gpkg",
    ),
    "whatif_title": ("推演：现状 → 调整后", "What-if: start → now"),
    "whatif_start": ("现状", "start"),
    "whatif_now": ("调整后", "now"),
    "whatif_steps": ("已调整 {n} 步", "edits: {n}"),
    "whatif_level": ("等级", "Level"),
    "whatif_size": ("面积(平方米)", "Floor area (m²)"),
    "whatif_step": ("增减(平方米)", "Step (m²)"),
    "whatif_folder": ("导出到", "Export to"),
    "whatif_enlarge": ("扩建", "Enlarge"),
    "whatif_shrink": ("缩减", "Shrink"),
    "whatif_close": ("关闭", "Close"),
    "whatif_undo": ("撤销", "Undo"),
    "whatif_export": ("导出为方案", "Export as scenario"),
    "whatif_new_id": ("新建{n}", "N{n}"),
    "whatif_added_centre": ("推演新增设施", "Centre added in the what-if"),
    "whatif_hint": (
        "点击道路新增设施（等级和面积见下方）；点击设施后可扩建、缩减或关闭",
        "Click a street to add a centre (level and floor area below); click a centre to enlarge, shrink or close it",
    ),
    "whatif_not_on_street": ("请点击道路（或设施）", "Click on a street (or a centre)"),
    "whatif_added": ("已新增 {id}（{m2} 平方米）", "Added {id} ({m2} m²)"),
    "whatif_selected": ("已选中 {name}（{level}，{m2} 平方米）", "Selected {name} ({level}, {m2} m²)"),
    "whatif_select_first": ("请先点击一处设施", "Click a centre first"),
    "whatif_resized": ("{id} 调整为 {m2} 平方米", "{id} now has {m2} m²"),
    "whatif_too_small": ("面积不能减到 0，请改用“关闭”", "The floor area cannot go to 0: close the centre instead"),
    "whatif_closed": ("已关闭 {id}", "Closed {id}"),
    "whatif_undone": ("已撤销，还剩 {n} 步", "Undone; edits left: {n}"),
    "whatif_exported": ("已导出方案：{path}", "Scenario written: {path}"),
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
    "where_argument": ("参数 {name}", "{name} argument"),
    # reading layers (siting.inputs, siting.households)
    "file_not_found": ("找不到文件", "file not found"),
    "file_not_found_fix": (
        "检查路径及其拼写（场景文件中的相对路径相对于场景文件所在文件夹）",
        "check the path and its spelling (relative paths in a scenario are relative to the scenario file)",
    ),
    "file_not_found_did_you_mean": (
        "是否要写“{best}”？同一文件夹中相近的文件：{names}（场景文件中的相对路径相对于场景文件所在文件夹）",
        "did you mean '{best}'? Files alike in the same folder: {names} (relative paths in a scenario are relative "
        "to the scenario file)",
    ),
    "file_unreadable": ("无法读取文件（{error}）", "could not read the file ({error})"),
    "file_unreadable_fix": ("用 QGIS 打开检查", "open it in QGIS to check it"),
    "layer_unknown": (
        "文件中没有图层“{layer}”{hint}；现有图层：{layers}",
        "no layer '{layer}' in this file{hint}; it has: {layers}",
    ),
    "layer_unknown_fix": ("把图层名改为其中之一", "set the layer to one of those names"),
    "layer_ambiguous": (
        "文件有多个图层（{layers}），请指明读取哪一个",
        "the file has several layers ({layers}); say which one to read",
    ),
    "layer_ambiguous_fix": (
        "给出 layer=…（场景文件中写 layer: 图层名）",
        "give layer=... (in a scenario file: layer: NAME)",
    ),
    "where_file_sheet": ("文件 {path}，工作表“{sheet}”", "file {path}, sheet '{sheet}'"),
    "sheet_unknown": (
        "工作簿中没有工作表“{sheet}”{hint}；现有工作表：{sheets}",
        "no sheet '{sheet}' in this workbook{hint}; it has: {sheets}",
    ),
    "sheet_unknown_fix": (
        "把 sheet 改为其中之一（不写则读取第一个工作表）",
        "set sheet to one of those names (without it the first sheet is read)",
    ),
    "sheet_not_spreadsheet": ("只有电子表格（.xlsx、.xls）才有工作表", "only spreadsheets (.xlsx, .xls) have sheets"),
    "sheet_not_spreadsheet_fix": (
        "去掉 sheet；多图层文件用 layer 指明图层",
        "drop sheet; name the layer of a multi-layer file with layer",
    ),
    "layer_in_table": ("表格文件没有图层", "a table file has no layers"),
    "layer_in_table_fix": (
        "去掉 layer；电子表格用 sheet 指明工作表",
        "drop layer; name the sheet of a spreadsheet with sheet",
    ),
    "spreadsheet_unreadable_fix": (
        "用 Excel 或 WPS 打开检查，另存为 .xlsx（不加密码）",
        "open it in Excel or WPS to check it, and save it as .xlsx (without a password)",
    ),
    "path_is_folder": ("这是一个文件夹，不是文件", "this is a folder, not a file"),
    "path_is_folder_fix": (
        "给出文件夹中的文件（如 xiaoqu.gpkg），而不是文件夹本身",
        "name a file in the folder (e.g. xiaoqu.gpkg), not the folder itself",
    ),
    "table_empty": ("文件是空的", "the file is empty"),
    "table_no_rows": ("表格没有数据行（只有表头，或什么都没有）", "the table has no rows (only a header, or nothing)"),
    "table_empty_fix": (
        "检查给的是不是正确的文件；在 Excel 或 WPS 中打开并确认数据已保存",
        "check that this is the right file; open it in Excel or WPS and make sure the data was saved",
    ),
    "csv_ragged": ("CSV 的行列不齐（{error}）", "the CSV's rows do not line up with its header ({error})"),
    "csv_ragged_fix": (
        "在 Excel 或 WPS 中打开并另存为 CSV；含逗号的文字要加英文双引号",
        "open it in Excel or WPS and save it as CSV again; text holding commas needs double quotes",
    ),
    "coordinates_not_finite": ("坐标不是有限的数字（inf 或 nan）", "coordinates are not finite numbers (inf or nan)"),
    "layer_empty": ("图层为空", "the layer is empty"),
    "layer_empty_fix": ("检查文件和图层是否给对", "check that the right file and layer were given"),
    "layer_no_crs": ("图层没有坐标参考系（CRS）", "the layer has no coordinate reference system (CRS)"),
    "layer_no_crs_fix": (
        '在场景文件中给出其坐标系，如 CGCS2000 3°带 117°E 的 x/y 写 crs: "EPSG:4548"（Python：crs="EPSG:4548"）；'
        "siting run 会试用常用坐标系并给出与路网吻合的那个；或在 QGIS 中为图层设置坐标系后保存",
        'state its CRS in the scenario, e.g. crs: "EPSG:4548" for x/y in CGCS2000\'s 3° zone at 117°E (Python: '
        'crs="EPSG:4548"); siting run tries the usual ones and proposes the one that fits the streets; or set '
        "the layer's CRS in QGIS and save it",
    ),
    "crs_unknown": ("无法识别坐标系“{crs}”", "unknown coordinate system '{crs}'"),
    "crs_unknown_fix": (
        '写 EPSG 代码（如 crs: "EPSG:4548" 或 crs: 4548）、gcj02 或 bd09',
        'write an EPSG code (e.g. crs: "EPSG:4548" or crs: 4548), gcj02 or bd09',
    ),
    "crs_proposal": (
        "坐标用 {name} 时与路网吻合（中位距最近道路 {median_m} 米）：在场景文件的 {section}: 中写 {line}",
        "the coordinates fit the streets in {name} (median {median_m} m to the nearest street): write {line} "
        "under {section}: in the scenario",
    ),
    "crs_none_fits": (
        "试用了常用坐标系（CGCS2000、西安80、北京54 的 3°/6° 带，带号前缀有无均试，及 WGS84、GCJ-02、BD-09），"
        "都不能使其落在路网上：请向提供数据的单位确认坐标系，或检查路网是否覆盖该范围",
        "none of the usual coordinate systems (CGCS2000, Xi'an 80 and Beijing 54 in 3° and 6° zones, with and "
        "without the zone prefix; WGS84, GCJ-02, BD-09) puts it on the streets: ask whoever made the data for its "
        "CRS, or check that the street network covers it",
    ),
    "layer_far_from_network": (
        "整个图层都在路网（{network}）{km} 公里以外，坐标系（{crs}）可能不对",
        "the whole layer lies more than {km} km from the street network ({network}); its CRS ({crs}) may be wrong",
    ),
    "shapefile_gbk": (
        "没有 .cpg 文件说明文字编码，已按 GB18030（GBK）读取（中文 ArcGIS 导出的文件通常如此）",
        "no .cpg file says how its text is encoded; read it as GB18030 (GBK), as Chinese ArcGIS exports are",
    ),
    "shapefile_gbk_fix": (
        "添加内容为 GB18030（或 UTF-8）的 .cpg 文件即可消除此警告",
        "add a .cpg file saying GB18030 (or UTF-8) to silence this",
    ),
    "datum_on_projected": (
        "crs“{crs}”表示 {datum} 经纬度，但该图层是投影坐标（{layer_crs}）",
        "crs '{crs}' means longitude/latitude in {datum}, but the layer is projected ({layer_crs})",
    ),
    "datum_on_projected_fix": ("提供经纬度坐标，或去掉 crs", "give lon/lat coordinates or drop crs"),
    "csv_encoding": (
        "无法识别 CSV 的文字编码（已尝试 UTF-8 和 GB18030）",
        "cannot decode the CSV (tried UTF-8 and GB18030)",
    ),
    "csv_encoding_fix": ("另存为 UTF-8 编码的 CSV", "save it as UTF-8 CSV"),
    "coordinates_not_found": (
        "未找到坐标列（查找了 {lon_names} 和 {lat_names}）；现有列：{columns}",
        "no coordinate columns found (looked for {lon_names} and {lat_names}); columns are: {columns}",
    ),
    "coordinates_not_found_fix": (
        "把坐标列命名为 lon 和 lat（或 经度 和 纬度），或给出 lon=/lat=（场景文件：lon:、lat:）",
        "name them lon and lat, or give lon=/lat= (scenario: lon:, lat:)",
    ),
    "coordinates_hint": (
        "最可能的是“{lon}”和“{lat}”：在场景文件中写 {line}（Python：lon='{lon}', lat='{lat}'）",
        "the likeliest are '{lon}' and '{lat}': write {line} in the scenario file (Python: lon='{lon}', lat='{lat}')",
    ),
    "coordinates_missing": ("坐标缺失或不是数字", "missing or non-numeric coordinates"),
    "coordinates_missing_fix": (
        "填写坐标（行号为文件中的行号）",
        "fill in the coordinates (rows are the row numbers in the file)",
    ),
    "coordinates_swapped": ("“{lon}”列是纬度，“{lat}”列是经度", "'{lon}' holds latitudes and '{lat}' longitudes"),
    "coordinates_swapped_fix": (
        "交换两列的列名（在中国，经度是较大的数）",
        "swap the two column names (longitude is the larger number in China)",
    ),
    "coordinates_not_degrees": ("坐标不是以度为单位的经纬度", "coordinates are not longitude/latitude in degrees"),
    "coordinates_not_degrees_fix": (
        "x/y 投影坐标请用 crs='EPSG:xxxx' 说明其坐标系",
        "give the projected CRS of x/y columns with crs='EPSG:xxxx'",
    ),
    "mapping_unknown": ("列对应关系中有未知的字段：{names}", "unknown schema column(s) in the column mapping: {names}"),
    "mapping_unknown_fix": ("只对应这些字段：{names}", "map only these: {names}"),
    "mapping_missing": (
        "列“{column}”（对应 {target}）不在图层中；现有列：{columns}",
        "column '{column}' (mapped to {target}) is not in the layer; it has: {columns}",
    ),
    "column_required": (
        "缺少必需的列“{column}”；现有列：{columns}",
        "required column '{column}' is missing; columns are: {columns}",
    ),
    # column hints (siting.inputs.column_hint): the likeliest column as the line to write
    "column_hint": (
        "最可能的是“{best}”：在场景文件中写 {line}（Python：columns={{'{target}': '{best}'}}）",
        "the likeliest is '{best}': write {line} in the scenario file (Python: columns={{'{target}': '{best}'}})",
    ),
    "column_hint_none": (
        "没有像 {target} 的列：添加该列，或在场景文件中写 {line}",
        "no column looks like {target}: add one, or write {line} in the scenario file",
    ),
    "column_required_values": (
        "缺少必需的列“{column}”（取值为以下之一：{values}）；现有列：{columns}",
        "required column '{column}' is missing (values: one of {values}); columns are: {columns}",
    ),
    "households_column_missing": (
        "没有户数列，且无法估算（没有人口，也没有建筑）；现有列：{columns}",
        "no households (户数) column, and they cannot be estimated (no population, no buildings); columns are: "
        "{columns}",
    ),
    "households_column_missing_fix": (
        "{hint}；或提供人口列，或由建筑轮廓估算（场景文件：residential: {{osm: 文件.osm}}）",
        "{hint}; or give a population column, or estimate them from buildings "
        "(scenario: residential: {{osm: FILE.osm}})",
    ),
    "values_not_numbers": ("有的值不是数字", "values are not numbers"),
    "values_not_numbers_fix": ("只填数字（不带单位或文字）", "enter plain numbers (no units or text)"),
    "values_missing": ("有的值缺失", "values are missing"),
    "values_missing_fix": ("补填这些值", "fill them in"),
    "values_negative": ("有的值是负数", "values are negative"),
    "values_negative_fix": ("改正这些值（应为零或正数）", "correct them (must be zero or more)"),
    # plausible ranges (siting.validation)
    "values_not_finite": ("有的值不是有限的数字（inf、无穷大或 nan）", "values are not finite numbers (inf or nan)"),
    "values_out_of_range": ("有的值超出合理范围 {span}", "values are outside the plausible range {span}"),
    "values_out_of_range_fix": (
        "改正这些值：常见原因是单位写错、混入了合计行，或从别的列粘贴了数值",
        "correct them: a wrong unit, a total row or a value pasted from another column are the usual causes",
    ),
    "values_unusual": ("有的值超出常见范围 {usual}，已照常使用", "values are beyond the usual {usual}; used as given"),
    "values_unusual_fix": ("核对这些值", "check them"),
    "setting_not_finite": (
        "取值 {value} 不是有限的数字（合理范围 {span}）",
        "{value} is not a finite number (plausible range {span})",
    ),
    "setting_out_of_range": ("取值 {value} 超出合理范围 {span}", "{value} is outside the plausible range {span}"),
    "setting_unusual": (
        "取值 {value} 超出常见范围 {usual}，已照常使用",
        "{value} is beyond the usual {usual}; used as given",
    ),
    "setting_range_fix": (
        "改为合理范围内的取值（注意单位）",
        "give a value within the plausible range, in the unit stated",
    ),
    "plausible_span": ("{low}至{high} {unit}", "{low}–{high} {unit}"),
    "unit_households": ("户", "households"),
    "unit_persons": ("人", "persons"),
    "unit_persons_per_household": ("人/户", "persons per household"),
    "unit_beds": ("张床位", "beds"),
    "unit_floors": ("层", "floors"),
    "unit_plot_ratio": ("（容积率，建筑面积/用地面积）", "(plot ratio, floor area / land area)"),
    "unit_m2": ("平方米", "m²"),
    "unit_m": ("米", "m"),
    "unit_m_per_min": ("米/分钟", "m/min"),
    "unit_min": ("分钟", "min"),
    "unit_s": ("秒", "s"),
    "values_unrecognised": ("无法识别的取值 {values}", "unrecognised values {values}"),
    "values_unrecognised_fix": ("使用以下取值之一：{values}", "use one of: {values}"),
    "ids_missing": ("有的编号缺失", "ids are missing"),
    "ids_missing_fix": (
        "给每一行编号，或删除编号列以自动按行编号",
        "give every row an id, or drop the id column to number rows automatically",
    ),
    "ids_duplicated": ("编号有重复", "ids are not unique"),
    "ids_duplicated_fix": ("给每一行不同的编号", "give each row its own id"),
    "geometry_empty": ("几何图形缺失或为空", "geometries are missing or empty"),
    "geometry_empty_fix": ("补画图形，或删除这些行", "draw them or delete those rows"),
    "geometry_type": ("几何类型应为 {allowed}，实际为 {found}", "geometry must be one of {allowed}, found {found}"),
    "geometry_type_fix": ("使用几何类型正确的图层", "use the layer with the right geometry type"),
    "geometry_repaired": ("已修复无效的几何图形（如自相交）", "repaired invalid geometry (e.g. self-intersections)"),
    "geometry_collapsed": (
        "几何图形修复后退化为线或点（没有面积）",
        "geometries collapse to lines or points when repaired (no area)",
    ),
    "geometry_collapsed_fix": ("重新绘制为正确的面，或删除这些行", "redraw them as proper polygons or delete them"),
    "households_unknown": (
        "户数缺失且无法估算（没有人口，也没有建筑）",
        "households (户数) are missing and cannot be estimated (no population, no buildings)",
    ),
    "households_unknown_fix": (
        "填写户数，或提供人口列，或由建筑轮廓估算（Python：buildings=…；场景文件：residential: {{osm: 文件.osm}}）",
        "fill in 户数, give a population column, or estimate them from building footprints (Python: buildings=...; "
        "scenario: residential: {{osm: FILE.osm}})",
    ),
    "households_all_zero": ("全部 {n} 个小区的户数都是 0", "all {n} areas have 0 households"),
    "facility_area_unknown": (
        "设施的所属小区(area_id)不在小区图层中",
        "facilities name residential areas (area_id) that are not among the areas",
    ),
    "candidate_area_unknown": (
        "备选点的所属小区(area_id)不在小区图层中",
        "candidate sites name residential areas (area_id) that are not among the areas",
    ),
    "facility_area_unknown_fix": (
        "改为小区图层中的小区编号，不是配建设施的留空",
        "use an area_id of the areas layer, or leave it empty for a facility not built with an area",
    ),
    "rule_not_choice": ("“{key}”的取值 {value} 不是可选项 {choices} 之一", "'{key}': {value} is not one of {choices}"),
    "rule_not_choice_fix": ("“{key}”改为 {choices} 之一", "set '{key}' to one of {choices}"),
    "study_level_unknown": ("研究范围层级 {level} 不是 {levels} 之一", "study level {level} is not one of {levels}"),
    "study_level_unknown_fix": ("写成 {levels} 之一", "write one of {levels}"),
    "rule_not_names": ("“{key}”的取值 {value} 应为名称列表", "'{key}': {value} should be a list of names"),
    "rule_not_names_fix": ("写成列表，如 [横店镇, 巍山镇]", "write a list such as [横店镇, 巍山镇]"),
    "rule_not_services": (
        "“{key}”的取值 {value} 应为服务项目列表，每项为 {choices} 之一",
        "'{key}': {value} should be a list of services, each one of {choices}",
    ),
    "rule_not_services_fix": (
        "写成列表，如 [residential_care, day_care, home_care]，每项为 {choices} 之一",
        "write a list such as [residential_care, day_care, home_care], each one of {choices}",
    ),
    "year_invalid": (
        "“{key}”应为 {low}–{high} 之间的年份，现为 {value}",
        "'{key}' must be a year from {low} to {high}, got {value}",
    ),
    "year_invalid_fix": ("写成四位整数年份，如 2025", "write a four-digit year, e.g. 2025"),
    "households_all_zero_fix": (
        "填写户数；若户数由建筑估算，检查建筑数据是否覆盖这些小区（户数为 0 的个别小区可以保留，不判定配建面积）",
        "fill in the households; when they were estimated from buildings, check that the building data covers the "
        "areas (single areas with 0 households may stay: they get no floor-area verdict)",
    ),
    "households_estimated": (
        "{n} 个小区的户数为估算值，见 households_source（户数来源）列",
        "estimated households for {n} area(s); see the households_source column",
    ),
    "household_size_invalid": (
        "户均人口 household_size 应为正数，实际为 {value}",
        "household_size must be positive, got {value}",
    ),
    "household_size_invalid_fix": (
        "使用每户人数，如 2.62（全国 2020 年）或 2.70（山东）",
        "use persons per household, e.g. 2.62 (China 2020) or 2.70 (Shandong)",
    ),
    "buildings_no_crs": ("建筑和小区都需要坐标参考系", "buildings and areas both need a CRS"),
    "buildings_no_crs_fix": ("为建筑图层定义坐标系", "define the CRS of the building layer"),
    "entrances_no_area_id": ("出入口需要所属小区的编号", "entrances need the id of their residential area"),
    "entrances_no_area_id_fix": (
        "添加与小区图层一致的 小区编号 / area_id 列",
        "add a column 小区编号 / area_id matching the areas layer",
    ),
    "units_no_name": (
        "行政单元需要名称列（社区名称 和/或 街道名称/乡镇）",
        "units need a name column (社区名称 and/or 街道名称/乡镇)",
    ),
    "units_no_name_fix": (
        "添加 社区名称 和 街道名称 列，或用 columns= 指定对应列",
        "add 社区名称 and 街道名称 columns, or map them with columns=",
    ),
    "units_duplicated": (
        "同一单元列了两次（同一乡镇（街道）内同名）",
        "a unit is listed twice (the same name within the same township)",
    ),
    "units_duplicated_fix": (
        "删去重复的一行；不同乡镇的同名村（社区）可以同时存在",
        "delete the repeated row; villages of the same name in different townships are fine",
    ),
    "osm_areas_unreadable": (
        "无法读取居住区（landuse=residential）（{error}）",
        "no residential areas (landuse=residential) could be read ({error})",
    ),
    "osm_areas_none": (
        "文件中没有居住区（landuse=residential）",
        "no residential areas (landuse=residential) in this file",
    ),
    "osm_areas_none_fix": (
        "自行绘制小区范围，用 read_areas 读取",
        "draw the residential areas yourself and read them with read_areas",
    ),
    # street networks (siting.network)
    "network_coordinates_bad": (
        "路网中有节点的坐标无效（不是数字，或超出经度 ±180°、纬度 ±90°）",
        "network nodes have invalid coordinates (not numbers, or beyond ±180° longitude or ±90° latitude)",
    ),
    "network_coordinates_bad_fix": (
        "从 OpenStreetMap 或原软件重新导出路网文件；行为节点编号，括号内为文件中的坐标",
        "export the network file again from OpenStreetMap or the software that made it; rows are node ids, "
        "with the coordinates the file gives them in brackets",
    ),
    "network_crs_unknown": ("无法识别路网的坐标系“{crs}”（{error}）", "unknown network CRS '{crs}' ({error})"),
    "where_network": ("路网 {source}", "street network {source}"),
    "network_place": ("地名“{place}”", "place '{place}'"),
    "network_bbox": ("范围 {bbox}", "bbox {bbox}"),
    "network_file_not_found": ("路网文件不存在", "the street network file does not exist"),
    "network_not_walkable": (
        "没有可步行的道路（向行人开放的 OSM highway=* 道路）",
        "no walkable streets (OSM highway=* ways open to pedestrians) found",
    ),
    "network_not_walkable_fix": ("使用包含该城镇道路的数据", "use an extract that contains the town's streets"),
    "network_no_edges": ("路网中没有道路", "the street network has no edges"),
    "network_no_edges_fix": (
        "检查文件或范围内是否有道路（带 highway=* 标签的 OSM 道路）",
        "check that the file or area contains streets (OSM ways tagged highway=*)",
    ),
    "network_no_crs": ("路网图没有“crs”属性", "the street graph has no 'crs' attribute"),
    "network_no_crs_fix": (
        "构建路网前设置 graph.graph['crs']（如 'epsg:4326'）",
        "set graph.graph['crs'] (e.g. 'epsg:4326') before building the network",
    ),
    "network_parts_dropped": (
        "只保留了路网中最大的连通部分；删去了 {parts} 个与其余道路不相连、无法步行到达的部分中的 {nodes} 个节点",
        "kept the largest connected part of the street network; dropped {nodes} nodes in {parts} disconnected part(s) "
        "that no one could walk to from the rest",
    ),
    "network_no_names": (
        "路网图层中没有道路名称（查找了 道路名称、路名、名称、name）；新增设施建议的“最近道路名称”将为空。"
        "图层的列：{columns}",
        "the road layer names no street (looked for 道路名称, 路名, 名称, name); proposals' nearest street name "
        "(最近道路名称) will be empty. The layer's columns: {columns}",
    ),
    "network_columns_lines_only": (
        "columns 只适用于道路中心线图层（.shp、.gpkg、.geojson）；OpenStreetMap 和 GraphML 文件自带 name 与 highway",
        "columns applies to road-centreline layers (.shp, .gpkg, .geojson); OpenStreetMap and GraphML files carry "
        "their own name and highway",
    ),
    "network_columns_lines_only_fix": ("去掉 network: 中的 columns", "drop columns from network:"),
    "network_osm_unreadable": (
        "无法读取 OpenStreetMap XML 文件（{error}）",
        "could not read OpenStreetMap XML ({error})",
    ),
    "network_osm_unreadable_fix": (
        "从 OpenStreetMap 重新导出该范围的 .osm XML 文件",
        "export the area again from OpenStreetMap as .osm XML",
    ),
    "network_pbf_unreadable": ("无法读取 PBF 文件（{error}）", "could not read the PBF file ({error})"),
    "network_pbf_unreadable_fix": (
        "重新下载该数据（如从 OSM 数据提取服务）",
        "download the extract again (e.g. from an OSM extract service)",
    ),
    "network_graphml_unreadable": ("无法读取 GraphML 文件（{error}）", "could not read GraphML ({error})"),
    "network_graphml_unreadable_fix": ("用 osmnx.save_graphml 保存路网图", "save the graph with osmnx.save_graphml"),
    "network_not_lines": ("道路要素必须是线", "road features must be lines"),
    "network_not_lines_fix": ("只导出道路中心线图层", "export only the road centreline layer"),
    "network_offline": (
        "无法下载{what}的路网：连接不上 {host}（{error}）",
        "cannot download the street network for {what}: {host} cannot be reached ({error})",
    ),
    "network_offline_fix": (
        "检查网络连接；离线时请改用本地的 .osm、.osm.pbf、GraphML 或道路中心线文件",
        "check the internet connection; offline, use a local .osm, .osm.pbf, GraphML or road-line file instead",
    ),
    "network_download_failed": (
        "无法从 OpenStreetMap 下载{what}的路网（{error}）",
        "could not download the street network for {what} from OpenStreetMap ({error})",
    ),
    "network_download_failed_fix": (
        "检查网络连接和地名；离线时请改用本地的 .osm、.osm.pbf、GraphML 或道路中心线文件",
        "check the internet connection and the name; offline, use a local .osm, .osm.pbf, GraphML or road-line file "
        "instead",
    ),
    "network_bbox_invalid": (
        "范围 {bbox} 不是以度为单位的（西, 南, 东, 北）",
        "bounding box {bbox} is not (west, south, east, north) in degrees",
    ),
    "network_bbox_invalid_fix": (
        "给出 [西, 南, 东, 北]，如 [116.2, 36.3, 116.3, 36.4]",
        "give [west, south, east, north], e.g. [116.2, 36.3, 116.3, 36.4]",
    ),
    "network_format_unknown": ("未知的路网文件格式“{suffix}”", "unknown street network format '{suffix}'"),
    "network_format_unknown_fix": (
        "使用 .osm、.osm.pbf、.graphml 或线图层（.gpkg、.shp、.geojson）",
        "use .osm, .osm.pbf, .graphml, or a line layer (.gpkg, .shp, .geojson)",
    ),
    # attaching to streets and walking (siting.snapping, siting.reachability)
    "what_areas": ("小区", "residential areas"),
    "what_facilities": ("设施", "facilities"),
    "what_candidates": ("备选点", "candidate sites"),
    "what_entrances": ("出入口", "entrances"),
    "where_layer_of": ("{what}图层", "{what} layer"),
    "entrances_unknown_areas": ("出入口所属的小区不存在", "entrances name residential areas that do not exist"),
    "entrances_unknown_areas_fix": (
        "使用小区图层中的编号（小区编号 / area_id），写法一致",
        "use the ids of the areas layer (小区编号 / area_id), spelled the same",
    ),
    "far_outside_network": (
        "有{what}位于路网（{network}）之外 {km} 公里以上",
        "{what} lie more than {km} km outside the street network ({network})",
    ),
    "far_outside_network_fix": (
        "检查其坐标系（GCJ-02 或 BD-09 坐标需写 crs: gcj02 / bd09；投影 x/y 需给出 EPSG 代码），或使用覆盖它们的路网",
        "check their coordinate system (GCJ-02 or BD-09 points need crs: gcj02 / bd09; projected x/y need their EPSG "
        "code) or use a network that covers them",
    ),
    "sites_unattached": (
        "{n} 处{what}距最近道路超过 {max_snap_m} 米，本次分析中不起作用",
        "{n} {what} are more than {max_snap_m} m from any street and take no part in this analysis",
    ),
    "areas_unattached": (
        "{n} 个{what}距最近道路超过 {max_snap_m} 米（附近无道路），按不可达列出",
        "{n} {what} are more than {max_snap_m} m from any street (no street nearby) and are listed as unreachable",
    ),
    "far_outside_network_clip_fix": (
        "若列表范围大于研究区（如全市设施对一个区的路网），写 clip: true 只保留路网可达范围内的（Python："
        "reachability.clip_to_network）；否则{then}",
        "if the list covers more than the study area (a city-wide list against one district's streets), keep only "
        "those within reach of the streets with clip: true (Python: reachability.clip_to_network); otherwise {then}",
    ),
    "clip_left_out": (
        "clip：{total} 处{what}中有 {n} 处距研究区路网超过 {max_snap_m} 米，已略去",
        "clip: left out {n} of {total} {what}, more than {max_snap_m} m from the study area's streets",
    ),
    "clip_all_out": (
        "clip 会略去全部 {n} 处{what}：没有一处在路网（{network}）{max_snap_m} 米以内",
        "clip would leave out all {n} {what}: none lies within {max_snap_m} m of the street network ({network})",
    ),
    # rule profiles (siting.profiles)
    "where_overrides": ("覆盖值（overrides）", "overrides"),
    "where_profile": ("规则配置 {name}", "profile {name}"),
    "did_you_mean": ("是否要写 {names}？", "did you mean {names}?"),
    "did_you_mean_then": ("是否要写 {names}？{then}", "did you mean {names}? {then}"),
    "rule_not_number": (
        "“{key}”必须是以 {unit} 为单位的非负数，实际为 {value}",
        "key '{key}' must be a non-negative number in {unit}, got {value}",
    ),
    "rule_not_number_fix": (
        "写成如 {key}: {{value: 20, unit: {unit}}}",
        "write e.g. {key}: {{value: 20, unit: {unit}}}",
    ),
    "rule_not_range": (
        "“{key}”必须是以 {unit} 为单位的范围 [下限, 上限]，实际为 {value}",
        "key '{key}' must be a range [low, high] in {unit}, got {value}",
    ),
    "rule_not_range_fix": (
        "写成如 {key}: {{value: [800, 1000], unit: {unit}}}",
        "write e.g. {key}: {{value: [800, 1000], unit: {unit}}}",
    ),
    "rule_range_reversed": ("“{key}”的下限 {low} 大于上限 {high}", "key '{key}': low {low} is above high {high}"),
    "rule_range_reversed_fix": ("先写下限，再写上限", "write the low value first"),
    "rule_not_share": (
        "“{key}”是 0 到 1 之间的比例，实际为 {value}",
        "key '{key}' is a share between 0 and 1, got {value}",
    ),
    "rule_not_share_fix": ("{percent}% 应写为 {share}", "write {share} for {percent}%"),
    "rule_key_unknown": ("未知的规则键“{key}”", "unknown profile key '{key}'"),
    "rule_key_unknown_fix": (
        "可用的键见 siting.profiles.SCHEMA 或 siting profiles show national",
        "see siting.profiles.SCHEMA or siting profiles show national",
    ),
    "rule_fields_unknown": ("“{key}”有未知的字段 {fields}", "key '{key}' has unknown field(s) {fields}"),
    "rule_fields_unknown_fix": ("可用的字段：{fields}", "allowed fields: {fields}"),
    "rule_unit_wrong": (
        "“{key}”的单位写为“{given}”，应为“{unit}”",
        "key '{key}' is given in unit '{given}' but is expected in '{unit}'",
    ),
    "rule_unit_wrong_fix": (
        "把数值换算为 {unit}，并写 unit: {unit}",
        "convert the value to {unit} and write unit: {unit}",
    ),
    "rule_status_unknown": ("“{key}”的核实状态为“{status}”", "key '{key}' has status '{status}'"),
    "rule_status_unknown_fix": (
        "使用 C（已核实）、S（二手来源）或 U（未核实）",
        "use C (confirmed), S (secondary) or U (unconfirmed)",
    ),
    "rule_comparison_unknown": ("“{key}”的比较方式为“{comparison}”", "key '{key}' has comparison '{comparison}'"),
    "rule_comparison_unknown_fix": ("使用“>=”（不低于）或“>”（大于）", "use '>=' or '>'"),
    "rule_required": (
        "规则配置“{name}”没有规定“{key}”，工具也没有默认值",
        "profile '{name}' sets no value for '{key}' and there is no toolkit default",
    ),
    "rule_required_fix": (
        "传入 overrides={{'{key}': <以 {unit} 为单位的数值>}}",
        "pass overrides={{'{key}': <value in {unit}>}}",
    ),
    "rule_fallback": (
        "规则配置“{name}”没有规定“{key}”；使用工具默认值 {value} {unit}（{source}）",
        "profile '{name}' sets no '{key}'; using toolkit default {value} {unit} ({source})",
    ),
    "profile_unknown": ("没有名为“{name}”的内置规则配置", "no shipped profile named '{name}'"),
    "profile_unknown_fix": (
        "内置规则配置：{profiles}；或给出 .yaml 文件的路径",
        "shipped profiles: {profiles}; or give a path to a .yaml file",
    ),
    "profile_file_not_found": ("找不到规则配置文件", "profile file not found"),
    "profile_file_not_found_fix": (
        "检查路径，或使用内置规则配置的名称",
        "check the path, or use a shipped profile name",
    ),
    "yaml_invalid": ("不是有效的 YAML（{error}）", "not valid YAML: {error}"),
    "yaml_invalid_fix": (
        "改正所示行的缩进、冒号或括号",
        "correct the indentation, colons or brackets at the line shown",
    ),
    "profile_not_mapping": (
        "规则配置文件必须是带有“rules:”部分的映射",
        "a profile file must be a mapping with a 'rules:' section",
    ),
    "profile_not_mapping_fix": (
        "按 siting profiles show national 的格式书写：rules: 下每行一个 键: 值",
        "write it like siting profiles show national: one key: entry per line under rules:",
    ),
    "profile_rules_not_mapping": ("“rules:”必须是 键: 值 的映射", "'rules:' must be a mapping of key: entry"),
    "profile_fields_unknown": ("未知的顶层字段 {fields}", "unknown top-level field(s) {fields}"),
    "profile_fields_unknown_fix": ("可用的顶层字段：{fields}", "allowed top-level fields: {fields}"),
    "profile_rules_nested_fix": ("把 {keys} 放到“rules:”下；{then}", "put {keys} under 'rules:'; {then}"),
    "profile_new_name": ("规则配置名称“{name}”无效", "'{name}' is not a usable profile name"),
    "profile_new_name_fix": (
        "只用字母、数字、汉字、“_”和“-”，如 my_county；文件位置用 --out 指定",
        "use letters, digits, Chinese characters, '_' and '-', e.g. my_county; give the file's place with --out",
    ),
    "profile_new_shipped": ("“{name}”是内置规则配置的名称", "'{name}' is the name of a shipped profile"),
    "profile_new_shipped_fix": (
        "另起一个名称，如 {name}_local，并用 --inherits {name} 继承它",
        "choose another name, e.g. {name}_local, and inherit from it with --inherits {name}",
    ),
    "profile_new_suffix": ("规则配置文件的扩展名必须是 .yaml 或 .yml", "a profile file must end in .yaml or .yml"),
    "profile_new_suffix_fix": ("如 --out 规则/my_county.yaml", "e.g. --out rules/my_county.yaml"),
    "profile_new_exists": ("文件已存在，不会覆盖", "the file exists and is not overwritten"),
    "profile_new_exists_fix": (
        "换一个名称或用 --out 指定新文件；要重新生成，先自行删除或改名原文件",
        "choose another name or --out file; to start again, delete or rename the existing file yourself",
    ),
    "profile_inherits_loop": ("规则配置的继承关系循环回到“{name}”", "profile inheritance loops back to '{name}'"),
    "profile_inherits_loop_fix": ("删去一处“inherits:”", "remove one 'inherits:' link"),
    "overrides_not_mapping": ("覆盖值必须是 {{键: 值}} 的映射", "overrides must be a dict {{key: value}}"),
    "overrides_not_mapping_fix": ("写成如 {{walk_speed_m_per_min: 55}}", "write e.g. {{walk_speed_m_per_min: 55}}"),
    "override_no_value": ("覆盖值“{key}”没有给出数值", "override for '{key}' has no value"),
    "override_no_value_fix": (
        "给出以规定单位表示的数值（0 表示不设最小值）",
        "give a number in the schema unit (0 disables a minimum)",
    ),
    # the floor-area check (siting.compliance)
    "argument_column_missing": ("{what} 没有“{column}”列", "{what} has no '{column}' column"),
    "argument_column_missing_fix": (
        "{what} 需要这些列：{columns}（见 siting.inputs）",
        "{what} needs columns {columns} (see siting.inputs)",
    ),
    "argument_not_number": ("{what} 的“{column}”必须是非负数", "{what} '{column}' must be a non-negative number"),
    "argument_not_number_fix": (
        "填写 {column}（面积以平方米计，户数、床位数为个数）",
        "fill in {column} (m² for areas, a count for households/beds)",
    ),
    "status_invalid": ("小区的“status”必须是“new”或“existing”", "areas 'status' must be 'new' or 'existing'"),
    "status_invalid_fix": (
        "把每个小区标为 new（新建）或 existing（已建）",
        "mark each area new (新建) or existing (已建)",
    ),
    "level_invalid": ("设施的“level”必须是以下之一：{levels}", "facilities 'level' must be one of {levels}"),
    "level_invalid_fix": (
        "用 siting.inputs.read_facilities 读取设施，它能识别中文等级名称",
        "read the facilities with siting.inputs.read_facilities, which knows the Chinese level names",
    ),
    "pairs_unknown": ("pairs 中有不在 {what} 表中的{what}", "pairs name {what} that are not in the {what} frame"),
    "pairs_unknown_fix": ("用同一份小区和设施计算 pairs", "compute pairs from the same areas and facilities"),
    # maps and outputs (siting.maps, siting.report)
    "where_folder": ("文件夹 {path}", "folder {path}"),
    "output_is_file": ("这是一个文件，不是文件夹", "this is a file, not a folder"),
    "output_under_file": (
        "{file} 是一个文件，不能在其下建文件夹",
        "{file} is a file, so no folder can be made under it",
    ),
    "output_name_too_long": (
        "名称“{name}”过长（{n} 字节，最多 {limit} 字节）",
        "the name '{name}' is too long ({n} bytes, at most {limit})",
    ),
    "output_path_too_long": (
        "路径过长（{n} 字节，最多 {limit} 字节）",
        "the path is too long ({n} bytes, at most {limit})",
    ),
    "output_read_only": ("{folder} 所在的文件系统是只读的", "{folder} is on a read-only file system"),
    "output_no_permission": ("没有在 {folder} 中写入的权限", "no permission to write in {folder}"),
    "output_not_writable": ("无法在 {folder} 中写入（{error}）", "cannot write in {folder} ({error})"),
    "output_path_fix": (
        "用 --out（或方案文件中的 output）给出一个可以写入的文件夹，如 out/方案名",
        "give a folder you can write to with --out (or the scenario's output), e.g. out/scenario",
    ),
    "output_folder_foreign": (
        "输出文件夹已存在，且不是 siting 的输出文件夹",
        "the output folder exists and is not a siting output folder",
    ),
    "output_folder_foreign_fix": (
        "换一个新的输出文件夹（--out），或清空此文件夹",
        "choose a new output folder (--out) or empty this one",
    ),
    "map_not_geodataframe": ("应为 GeoDataFrame，实际为 {kind}", "must be a GeoDataFrame, not {kind}"),
    "map_not_geodataframe_fix": (
        "用 siting.inputs 读取图层，或用 geopandas.GeoDataFrame(...) 转换",
        "read the layer with siting.inputs, or convert it with geopandas.GeoDataFrame(...)",
    ),
    "map_columns_missing": ("缺少列 {columns}", "missing column(s) {columns}"),
    "map_no_crs_fix": (
        "为其设置坐标系，如经纬度用 frame.set_crs('EPSG:4326')",
        "set it, e.g. frame.set_crs('EPSG:4326') for longitude/latitude",
    ),
    "map_geometry_unknown": ("无法绘制 {kind} 类型的几何图形", "cannot draw a {kind} geometry"),
    "map_geometry_unknown_fix": (
        "先把几何集合拆分为面、线或点",
        "explode geometry collections into polygons, lines or points first",
    ),
    "map_tianditu_key": ("天地图底图需要密钥", "the Tianditu (天地图) base map needs a key"),
    "map_tianditu_key_fix": (
        "传入 tianditu_key='…'（在 https://console.tianditu.gov.cn 免费申请浏览器端密钥），"
        "或设置环境变量 TIANDITU_KEY，或选择 basemap='osm'、"
        "'amap' 或 None",
        "pass tianditu_key='…' (a free browser key from https://console.tianditu.gov.cn), set the TIANDITU_KEY "
        "environment variable, or choose basemap='osm', 'amap' or None",
    ),
    "map_streets_fix": (
        "传入分析所用的路网（StreetNetwork，如 ScenarioResult.network）或带坐标系的道路线图层",
        "pass the analysis's street network (a StreetNetwork, e.g. ScenarioResult.network) or street lines with a CRS",
    ),
    "map_areas_fix": ("传入可达性分析返回的小区表", "pass the areas returned by the reachability step"),
    "map_facilities_fix": ("给每处设施填写等级", "give each facility a level"),
    "map_service_areas_fix": (
        "传入可达性分析返回的服务范围",
        "pass the service areas returned by the reachability step",
    ),
    "map_units_fix": (
        "给每个单元填写级别：township（乡镇/街道）或 community（社区）",
        "give each unit a level: township or community",
    ),
    "map_counties_fix": (
        "每个方案一行，含名称、指标和轮廓（siting.batch 的批量汇总）",
        "pass one row per scenario with its name, figures and outline (the batch summary of siting.batch)",
    ),
    "map_proposals_fix": ("传入优化返回的新增设施建议", "pass the proposals returned by the optimizer"),
    "map_result_no_areas": ("没有小区", "has no areas"),
    "map_result_no_areas_fix": (
        "传入含 areas、facilities、summary 等的方案结果（映射或对象）",
        "pass a scenario result (mapping or object) with areas, facilities, summary, …",
    ),
    # proposing centres (siting.optimize)
    "where_problem": ("选址问题（SitingProblem）", "SitingProblem"),
    "candidate_sources_unknown": ("未知的备选点来源 {sources}", "unknown candidate sources {sources}"),
    "candidate_sources_unknown_fix": ("使用“grid”（网格）和/或“clusters”（聚类）", "use 'grid' and/or 'clusters'"),
    "weight_column_fix": (
        "给出小区表中已有的权重列，如 households",
        "give a weight column the areas have, e.g. households",
    ),
    "length_mismatch": ("{what} 有 {n} 个值，而小区有 {areas} 个", "{what} has {n} values for {areas} areas"),
    "length_mismatch_fix": ("每个小区给一个值，顺序与小区表相同", "give one value per area, in the order of the areas"),
    "method_unknown": ("未知的求解方法“{method}”", "unknown method '{method}'"),
    "method_unknown_fix": ("使用以下之一：{methods}", "use one of {methods}"),
    "capacity_missing": ("capacitated=True 需要各设施点的容量", "capacitated=True needs site capacities"),
    "capacity_infeasible_proven": (
        "任何选址方案都无法在容量内服务全部需求（HiGHS 已证明）",
        "no choice of sites serves all demand within capacity (HiGHS proved it)",
    ),
    "capacity_infeasible_sites": (
        "未找到能在容量内服务全部需求的选址方案",
        "no choice of sites found that serves all demand within capacity",
    ),
    "capacity_idle_sites": (
        "{n} 处选中的设施点不服务任何住户，未列入建议：{sites}",
        "{n} chosen sites serve no households and are not proposed: {sites}",
    ),
    "capacity_missing_fix": (
        "传入 capacity=（或向 from_tables 传入 rate_m2_per_100_households=）",
        "pass capacity= (or rate_m2_per_100_households= to from_tables)",
    ),
    "p_too_large": (
        "要求新增 p={p} 处设施，但问题只有 {n} 个备选点",
        "p={p} new sites requested but the problem has {n} candidates",
    ),
    "p_too_large_fix": ("减小 p，或增加备选点", "lower p or add candidate sites"),
    "problem_lengths": (
        "rows、cols 和 costs 的长度必须相同（实际为 {rows}、{cols}、{costs}）",
        "rows, cols and costs must have the same length (got {rows}, {cols}, {costs})",
    ),
    "problem_lengths_fix": (
        "按相同的小区和设施点顺序构建各数组",
        "build the arrays from the same areas and sites, in the same order",
    ),
    "problem_index_range": (
        "有的下标超出范围（应在 0 到 {n} 之间，不含 {n}）",
        "an index is out of range (must be from 0 to below {n})",
    ),
    "problem_costs_invalid": ("costs 必须是有限的非负数", "costs must be finite and ≥ 0"),
    "problem_costs_invalid_fix": (
        "超出阈值的点对应直接省略，不要存为无穷大",
        "leave out pairs beyond the cutoff instead of storing infinity",
    ),
    "problem_weights_invalid": ("weights 必须是有限的非负数", "weights must be finite and ≥ 0"),
    "problem_capacity_length": (
        "capacity 需要为每个设施点给一个值（共 {n} 个）",
        "capacity needs one value per site ({n})",
    ),
    "site_ids_shared": (
        "facility_id 与 candidate_id 在两个图层之间必须互不重复",
        "facility_id and candidate_id values must be unique across both layers",
    ),
    "site_ids_shared_fix": (
        "给备选点换用与现有设施不同的编号",
        "give the candidates ids that no existing facility uses",
    ),
    "pairs_unknown_sites": (
        "点对表中有不在图层中的小区或设施点",
        "pair table names areas or sites that are not in the layers",
    ),
    # walking settings (siting.reachability.WalkSettings)
    "walk_setting_fix": (
        "步行速度单位为米/分钟（老年人约 55–60），步行时间单位为分钟（如 15），服务半径单位为米（如 1000）",
        "walking speed is in m/min (about 55–60 for the elderly), walking time in minutes (e.g. 15), "
        "the service radius in metres (e.g. 1000)",
    ),
    "walk_settings_twice": (
        "同时给出了 WalkSettings 和单独的步行参数（{keys}），两者可能不一致",
        "both a WalkSettings and separate walking figures ({keys}) were given; they could disagree",
    ),
    "walk_settings_twice_fix": (
        "只给一处：用 settings.replace(...) 修改后传入，或只用关键字参数",
        "give them once: pass settings.replace(...) with the change, or only the keyword figures",
    ),
    "walk_conflict": (
        "可达性分析所用的步行圈与规则“{profile}”不一致：{figures}",
        "the access was assessed with another walk than profile '{profile}' sets: {figures}",
    ),
    "walk_conflict_fix": (
        "用 load_profile(...).walk_settings() 的步行圈重新计算可达性，或在规则中覆盖这些数值（overrides）",
        "assess the access with load_profile(...).walk_settings(), or override these figures in the profile "
        "(overrides)",
    ),
    # the planning workflow (siting.plan)
    "overrides_with_loaded_profile": (
        "已载入的规则不能再加覆盖值（overrides）",
        "overrides cannot be added to a profile that is already loaded",
    ),
    "overrides_with_loaded_profile_fix": (
        "用 load_profile(名称, overrides) 载入规则，或传入规则名称和 overrides",
        "load it with load_profile(name, overrides), or pass the profile name with overrides",
    ),
    "unknown_objective": ("未知的优化目标“{name}”；可用：{known}", "unknown objective '{name}'; known: {known}"),
    "objective_needs_p": ("优化目标“{name}”需要新增设施数 p", "objective '{name}' needs a number p of new sites"),
    "objective_needs_p_fix": (
        "给出 p（不小于 1 的整数）或 until_compliant",
        "give p (a whole number ≥ 1) or until_compliant",
    ),
    "optimisation_infeasible": ("优化无可行解：{reason}", "the optimisation is infeasible: {reason}"),
    # notes on the headers of the 设施 and 新增设施建议 sheets: one meaning per household column
    "note_households_served": (
        "本设施的建筑面积按每百户配建面积规则（两步移动搜索法）分摊到的户数：步行范围内、按规则可计入本设施面积的"
        "小区户数之和（新建小区只计其配建的设施时，只算该小区）。“设施”和“新增设施建议”两表同义、同值。",
        "Households whose floor area this centre counts for under the floor-area rule's sharing (two-step "
        "floating catchment): the households of the areas within the walk that may count it (a new area counting "
        "only its own facility, when the rules say so). The same meaning and figure in both sheets.",
    ),
    "note_households_newly_covered": (
        "规划后新纳入15分钟步行范围的户数：在本设施步行范围内、而现有设施和排在前面的新建设施都步行不到的小区户数"
        "（扩建为0）。它不是服务户数：一处设施可以新覆盖很多户，而其面积只计入其中一部分。",
        "Households newly within the walk: of the areas within this centre's walk, those no existing centre and no "
        "higher-ranked new one reaches (0 for enlargements). Not the households served: a centre can bring many "
        "households within the walk while its floor area counts for only some of them.",
    ),
    "note_shares_need_with": (
        "与本设施服务户数重叠、且其中一处已达到面积上限的其他规划设施：面积上限使一片小区的配建面积需求由这几处共同满足，"
        "两行都列出对方。",
        "Other sites of the plan serving some of the same households, one of the two at its largest floor area: "
        "the cap splits one need between neighbouring centres, and both rows name each other.",
    ),
    "note_at_cap": (
        "建议建筑面积已达到该地块（或扩建）允许的最大建筑面积。",
        "The recommended floor area is the largest the site (or the enlargement) allows.",
    ),
    "note_cost_given": (
        "费用 = 新建一处的费用（新建时）+ 每平方米费用 × 新建或新增的建筑面积，单位为方案给出的费用单位。",
        "Cost = the cost of a new centre (when new) + the cost per m² × the floor area built or added, in the "
        "scenario's cost unit.",
    ),
    "note_cost_default": (
        "方案未给出费用（optimize: cost），按工具默认值计：新建一处 {new_site}，每平方米 {per_m2}。"
        "这使方案先尽量少建新址、再尽量少增面积，并不代表造价。",
        "The scenario gives no costs (optimize: cost); the toolkit's defaults are used: {new_site} a new centre, "
        "{per_m2} a m². They make the plan open as few new centres as possible, then add as few m²; they are not "
        "prices.",
    ),
    "plan_recheck_disagrees": (
        "方案复核不一致：对规划后的设施重新核查，{n} 项结果与方案的结论不符（{listed}）。"
        "这是本工具的缺陷，请附上方案文件报告",
        "the plan's re-check disagrees with the plan: re-checking the planned facilities did not reproduce {n} of "
        "its claims ({listed}). This is a defect of the toolkit; please report it with the scenario file",
    ),
    "optimisation_infeasible_fix": (
        "增加备选点、减小 p，或不考虑容量（capacity: false）",
        "add candidate sites, lower p, or set capacity: false",
    ),
    # scenario files (siting.scenario)
    "where_scenario": ("方案", "scenario"),
    "not_text": ("不是非空文本", "not a non-empty text"),
    "not_flag": ("不是 true 或 false", "not true or false"),
    "not_allowed": ("不是允许的取值之一", "not one of the allowed values"),
    "not_text_map": ("不是字段名到列名的映射", "not a mapping of schema name to column name"),
    "not_four_numbers": ("不是四个数的列表", "not a list of four numbers"),
    "not_wsen": ("不满足 西 < 东 且 南 < 北（以度为单位）", "not west < east and south < north in degrees"),
    "not_positive_list": ("不是正数的列表", "not a list of positive numbers"),
    "not_p": ("不是不小于 1 的整数，也不是 {until}", "not a whole number ≥ 1 or {until}"),
    "not_override": (
        "不是不小于 0 的数（或 {{value: ..., source: ...}}）",
        "not a number ≥ 0 (or {{value: ..., source: ...}})",
    ),
    "not_mapping": ("不是映射", "not a mapping"),
    "not_year": ("不是 {low}–{high} 之间的年份", "not a year from {low} to {high}"),
    "exp_assess_year": (
        "评估年份，如 2025：目标年份更晚的指标显示为“未到目标年份”",
        "an assessment year, e.g. 2025: targets due later are shown as not yet due",
    ),
    "exp_level": (
        "研究范围的层级：县、区、街道或乡镇（缺省时由行政单元推断）；其他层级的规则显示为“不适用”",
        "the level of the study: 县, 区, 街道 or 乡镇 (default: from the units layer); rules of another level "
        "read not applicable",
    ),
    "exp_path": ("文件路径（相对于方案文件）", "a file path, relative to the scenario file"),
    "exp_layer": ("文件中的图层名", "a layer name in the file"),
    "exp_columns": (
        "字段名到文件列名的映射，如 {{households: 总户数}}",
        "a mapping of schema names to the file's columns, e.g. {{households: 总户数}}",
    ),
    "exp_network_columns": (
        "道路中心线图层的道路名称列和等级列，如 {{name: 道路名称, class: 道路等级}}",
        "the road layer's street name and class columns, e.g. {{name: 道路名称, class: 道路等级}}",
    ),
    "exp_crs": (
        'gcj02、bd09，或为缺少坐标系的图层给出 CRS，如 "EPSG:4548" 或 4548',
        'gcj02, bd09, or a CRS such as "EPSG:4548" or 4548 for a layer without one',
    ),
    "exp_lonlat": ("CSV 文件或电子表格中的坐标列名", "a coordinate column of a CSV file or spreadsheet"),
    "exp_sheet": ("电子表格中的工作表名（不写则为第一个）", "a sheet of a spreadsheet (default: the first)"),
    "exp_clip": (
        "true 表示只保留路网可达范围内的（列表范围大于研究区时）",
        "true to keep only those within reach of the street network (a list wider than the study area)",
    ),
    "exp_osm": (
        "OpenStreetMap 文件（.osm、.osm.pbf）：读取其中的居住区（landuse=residential），由建筑估算户数",
        "an OpenStreetMap file (.osm, .osm.pbf): its landuse=residential areas, households from its buildings",
    ),
    "exp_default_floors": (
        "没有 building:levels 的 OpenStreetMap 建筑按几层计，如 6",
        "floors of an OpenStreetMap building without building:levels, e.g. 6",
    ),
    "exp_point_radius": (
        "以点表示的小区在地图上画成的圆的半径（米）",
        "radius of the circle drawn on maps for a 小区 given as a point, metres",
    ),
    "exp_name": ("方案名称（可用中文）", "a scenario name (Chinese allowed)"),
    "exp_description": ("说明文字", "a description"),
    "exp_network_path": (
        "路网文件（.osm、.osm.pbf、.graphml 或道路线图层）",
        "a street network file (.osm, .osm.pbf, .graphml, or road lines)",
    ),
    "exp_place": (
        "OpenStreetMap 地名，如“东阿县, 聊城市, 山东省”（需联网）",
        "a place name for OpenStreetMap, e.g. '东阿县, 聊城市, 山东省' (online only)",
    ),
    "exp_bbox": ("以度为单位的 [西, 南, 东, 北]（需联网）", "[west, south, east, north] in degrees (online only)"),
    "exp_household_size": ("每户人数，如 2.62", "persons per household, e.g. 2.62"),
    "exp_generate": ("true 表示在道路上自动生成备选点", "true to generate candidate sites on the streets"),
    "exp_spacing": ("自动生成备选点的间距（米）", "spacing of generated candidates, metres"),
    "exp_profile": (
        "内置规则配置名称（见 siting profiles）或规则配置 YAML 文件路径",
        "a shipped profile name (see 'siting profiles') or a profile YAML path",
    ),
    "exp_overrides": (
        "规则键到数值的映射，如 {{walk_speed_m_per_min: 55}}",
        "a mapping of profile keys to values, e.g. {{walk_speed_m_per_min: 55}}",
    ),
    "exp_bands": (
        "以分钟计的步行时间分段列表，如 [5, 10, 15]",
        "a list of walking-time bands in minutes, e.g. [5, 10, 15]",
    ),
    "exp_max_snap": ("到道路的最大距离（米），如 300", "the largest distance to a street, metres, e.g. 300"),
    "exp_one_of": ("以下之一：{values}", "one of {values}"),
    "exp_candidate_max": (
        "备选点没有自己的最大建筑面积时采用的上限（平方米），如 800",
        "the largest floor area of a candidate without its own, m², e.g. 800",
    ),
    "exp_candidate_min": (
        "备选点没有自己的最小建筑面积时采用的下限（平方米）",
        "the least floor area of a candidate without its own, m²",
    ),
    "exp_facility_max": (
        "现有设施没有自己的扩建上限时可扩建到的建筑面积（平方米），如 800",
        "the floor area an existing facility without its own limit may be enlarged to, m², e.g. 800",
    ),
    "exp_cost_new_site": (
        "新建一处设施的费用（自定单位，如万元）",
        "the cost of one new centre (your unit, e.g. 万元)",
    ),
    "exp_cost_per_m2": (
        "每平方米建筑面积（新建或扩建）的费用，同一单位",
        "the cost of one m² of floor area, new or added, same unit",
    ),
    "not_positive": ("不是大于 0 的数", "not a number > 0"),
    "objective_takes_no_p": (
        "优化目标“{objective}”不使用 p：新增设施的数目由方案自己决定，请删去 optimize.p",
        "objective '{objective}' takes no p: the plan itself decides how many centres to add; remove optimize.p",
    ),
    "objective_takes_no_capacity": (
        "优化目标“{objective}”已按配建面积确定每处规模，不使用 capacity，请删去 optimize.capacity",
        "objective '{objective}' sizes every site by floor area itself and takes no capacity; remove optimize.capacity",
    ),
    "remove_it": ("删去这一项", "remove this setting"),
    "exp_p": ("不小于 1 的新增设施数，或 {until}", "a whole number of new centres ≥ 1, or {until}"),
    "exp_capacity": ("true 或 false：是否考虑建筑面积容量", "true or false: respect floor-area capacity"),
    "exp_time_limit": ("以秒计的时间上限，如 60", "a time limit in seconds, e.g. 60"),
    "exp_output": ("输出文件夹（相对于方案文件）", "an output folder, relative to the scenario file"),
    "schema_top_level": (
        "（顶层）：应为方案设置项的映射，实际为 {got}",
        "(top level): expected a mapping of scenario keys, got {got}",
    ),
    "schema_not_mapping": (
        "{key}：应为包含 {keys} 的映射，实际为 {got}",
        "{key}: expected a mapping of {keys}, got {got}",
    ),
    "schema_unknown_key": (
        "{key}：未知的设置项{hint}；应为以下之一：{known}",
        "{key}: unknown key{hint}; expected one of {known}",
    ),
    "schema_did_you_mean": ("（是否要写“{name}”？）", " (did you mean '{name}'?)"),
    "schema_expected": ("{key}：应为{expected}，实际为 {got}", "{key}: expected {expected}, got {got}"),
    "schema_problem": ("{key}：{problem}；应为{expected}", "{key}: {problem}; expected {expected}"),
    "schema_missing": ("{key}：缺少；应为{expected}", "{key}: missing; expected {expected}"),
    "schema_section_missing": (
        "{key}：缺少；应为如 {{path: ...}} 的映射",
        "{key}: missing; expected a mapping such as {{path: ...}}",
    ),
    "schema_network_one": (
        "network：path、place、bbox 应恰好给出其一，实际给出：{given}",
        "network: expected exactly one of path, place or bbox, got {given}",
    ),
    "schema_none": ("无", "none"),
    "schema_residential_one": (
        "residential：path（小区图层）和 osm（OpenStreetMap 文件）应恰好给出其一",
        "residential: expected exactly one of path (a layer of 小区) or osm (an OpenStreetMap file)",
    ),
    "schema_not_with_osm": (
        "{key}：与 osm 一起时不用（小区范围和建筑都来自 OpenStreetMap 文件）",
        "{key}: not used with osm (its areas and buildings come from the OpenStreetMap file)",
    ),
    "schema_candidates_source": (
        "candidates：应给出 path（备选点图层）或 generate: true",
        "candidates: expected path (a candidate layer) or generate: true",
    ),
    "schema_p_missing": (
        "optimize.p：缺少；{objective} 需要新增设施数（整数）或 {until}",
        "optimize.p: missing; {objective} needs a whole number of new centres or {until}",
    ),
    "schema_override_choice": (
        "overrides.{key}：应为 {values} 之一，实际为 {got}",
        "overrides.{key}: expected one of {values}, got {got}",
    ),
    "schema_override": (
        "overrides.{key}：应为以 {unit} 为单位的数值，实际为 {got}（{problem}）",
        "overrides.{key}: expected a number in {unit}, got {got} ({problem})",
    ),
    # YAML files a person writes (siting.safe_yaml)
    "yaml_folder_fix": (
        "给出 YAML 文件（.yml 或 .yaml）的路径，而不是文件夹",
        "name the YAML file (.yml or .yaml), not a folder",
    ),
    "yaml_small_fix": (
        "检查给的是不是正确的文件；方案和规则配置文件只需写出各设置项",
        "check that this is the right file; a scenario or profile only states its settings",
    ),
    "yaml_too_deep": (
        "第 {line} 行：嵌套超过 {limit} 层",
        "line {line}: nested more than {limit} levels deep",
    ),
    "yaml_too_many_values": (
        "第 {line} 行：展开别名（*名称）后文件超过 {limit} 个值",
        "line {line}: with its aliases (*name) expanded the file holds more than {limit} values",
    ),
    "yaml_alias_unknown": (
        "第 {line} 行：别名 *{alias} 没有在它之前定义（或引用了自身）",
        "line {line}: alias *{alias} is not defined before it (or refers to itself)",
    ),
    "yaml_alias_fix": (
        "把各设置项直接写出来，不用锚点（&名称）和别名（*名称）",
        "write the settings out instead of using anchors (&name) and aliases (*name)",
    ),
    "yaml_duplicate_key": (
        "第 {line} 行：设置项“{key}”重复（第 {first} 行已写过），后一个会覆盖前一个",
        "line {line}: key '{key}' is stated twice (first at line {first}); the second would replace the first",
    ),
    "yaml_duplicate_key_fix": (
        "删去其中一个，或把两处的内容合并到一处",
        "delete one of them, or merge the two into one",
    ),
    "scenario_not_found": ("找不到方案文件", "scenario file not found"),
    "yaml_invalid_at": (
        "不是有效的 YAML（第 {line} 行第 {column} 列：{error}）",
        "not valid YAML at line {line}, column {column}: {error}",
    ),
    "not_utf8": ("不是 UTF-8 文本", "not UTF-8 text"),
    "not_utf8_fix": ("把文件另存为 UTF-8 编码", "save the file as UTF-8"),
    "scenario_not_mapping": ("应为方案设置项的映射，实际为 {got}", "expected a mapping of scenario keys, got {got}"),
    "scenario_not_mapping_fix": (
        "以“name: ...”开头，其他设置项每行一个",
        "start with 'name: ...' and the other keys, one per line",
    ),
    "extends_loop": ("“extends”循环回到了 {name}", "'extends' loops back to {name}"),
    "extends_loop_fix": ("删去一处“extends:”", "remove one 'extends:' link"),
    "extends_not_path": (
        "应为另一个方案文件的路径，实际为 {got}",
        "expected the path of another scenario file, got {got}",
    ),
    "extends_too_deep": (
        "“extends”链超过 {limit} 层（从 {first} 开始）",
        "the chain of 'extends' is longer than {limit} files (starting at {first})",
    ),
    "extends_too_deep_fix": (
        "让方案直接 extends 它真正基于的方案，缩短链条",
        "let the scenario extend the one it really builds on, shortening the chain",
    ),
    "extends_fix": ("写成如 extends: baseline.yml", "write e.g. extends: baseline.yml"),
    "scenario_merged": ("（合并 {chain} 之后）", " (after merging {chain})"),
    "scenario_mistakes": (
        "方案中有 {n} 处错误{merged}：\n  - {items}",
        "{n} mistake(s) in the scenario{merged}:\n  - {items}",
    ),
    "scenario_mistakes_fix": ("改正上面列出的设置项", "correct the keys listed above"),
    "counts_column_fix": (
        "先用 check_compliance 判定哪些设施计入配建面积（其 facilities 表带有该列），或用 Study.problem 构建问题",
        "run check_compliance first (its facilities table has the column), or build the problem with Study.problem",
    ),
    "build_setting_fix": ("给出以平方米计的建筑面积，如 800", "give a floor area in m², e.g. 800"),
    "build_cost_invalid": ("费用 {value} 不是有限的正数", "cost {value} is not a finite number > 0"),
    "build_cost_fix": (
        "给出以同一费用单位（如万元）计的正数（为 0 时方案无从比较新建与扩建）",
        "give a number > 0 in one cost unit (e.g. 万元); at 0 the plan cannot weigh new centres against m²",
    ),
    "build_min_above_max": (
        "备选点最小建筑面积 {lowest} 平方米大于最大建筑面积 {largest} 平方米",
        "the candidates' least floor area {lowest} m² is above their largest {largest} m²",
    ),
    "build_min_above_max_fix": (
        "让 min_floor_area_m2 不大于 max_floor_area_m2",
        "make min_floor_area_m2 no larger than max_floor_area_m2",
    ),
    "candidates_too_small": (
        "{n} 个备选点的最大建筑面积小于规则要求的单处最小面积 {minimum} 平方米，放不下计入配建的设施，已不予考虑",
        "{n} candidate site(s) cannot hold a centre the rule counts (largest floor area below the {minimum} m² "
        "a site must have) and are left out",
    ),
    "plan_unfixable": (
        "{n} 个小区无论怎样规划都无法达标：{areas}",
        "{n} area(s) no plan can make compliant: {areas}",
    ),
    "plan_unfixable_more": (
        "{n} 个小区无论怎样规划都无法达标：{areas} 及另外 {more} 个",
        "{n} area(s) no plan can make compliant: {areas} and {more} more",
    ),
    "area_reason": ("{area}（原因：{reason}）", "{area} ({reason})"),
    "plan_no_solution": ("未找到满足规则的方案", "no plan meeting the rules was found"),
    # running scenarios (siting.pipeline)
    "output_holds_input": (
        "输出文件夹 {folder} 中包含输入文件 {path}",
        "the output folder {folder} contains the input {path}",
    ),
    "output_holds_input_fix": (
        "另选一个单独的输出文件夹，如 out/<方案名称>",
        "choose an output folder of its own, e.g. out/<scenario name>",
    ),
    # progress of a running optimisation (siting.optimize.progress)
    "solve_progress": (
        "{name}（{stage}）{seconds} 秒：当前最好解 {objective}，界 {bound}，差距 {gap}",
        "{name} ({stage}) {seconds} s: best {objective}, bound {bound}, gap {gap}",
    ),
    "solve_progress_short": (
        "{stage}：最好解 {objective}，界 {bound}，差距 {gap}",
        "{stage}: best {objective}, bound {bound}, gap {gap}",
    ),
    "stage_start": ("准备", "starting"),
    "stage_greedy": ("贪心构造", "greedy"),
    "stage_search": ("邻域搜索", "neighbourhood search"),
    "stage_bound": ("拉格朗日下界", "Lagrangian bound"),
    "stage_reduce": ("问题约简", "reductions"),
    "stage_exact": ("HiGHS 精确求解", "HiGHS exact solve"),
    "stage_parts": ("分块求解", "solving the parts"),
    "stage_rank": ("排序", "ranking"),
    # the command line (siting.cli)
    "interrupted": ("已中断；没有留下写了一半的输出文件夹", "interrupted; no output folder was left half-written"),
    "where_command": ("命令 {command}", "command {command}"),
    "usage_error": ("{command}：{error}（见 --help）", "{command}: {error} (see --help)"),
    "cli_unexpected_argument": ("多余的参数“{argument}”", "unexpected argument '{argument}'"),
    "cli_profiles_new_fix": (
        "如 siting profiles new my_county --inherits shandong --out 规则/my_county.yaml",
        "e.g. siting profiles new my_county --inherits shandong --out rules/my_county.yaml",
    ),
    "cli_profiles_show_fix": ("使用“siting profiles show 名称”", "use 'siting profiles show NAME'"),
    "cli_which_profile": ("要显示哪个规则配置？", "which profile?"),
    "cli_which_profile_fix": (
        "给出“siting profiles”列出的名称，如 siting profiles show dong_e",
        "give a name from 'siting profiles', e.g. siting profiles show dong_e",
    ),
    "cli_compare_one": ("比较至少需要两个场景文件", "compare needs at least two scenario files"),
    "cli_compare_one_fix": ("如 siting compare baseline.yml plan.yml", "e.g. siting compare baseline.yml plan.yml"),
    "cli_output": ("输出：{folder}", "output: {folder}"),
    "library_warning": ("{text}（{category}，来自第三方库）", "{text} ({category}, from a library)"),
    "unexpected": (
        "siting 意外出错（见上方信息）；请报告此问题",
        "siting failed unexpectedly (see above); please report it",
    ),
    # an argument of a public function that is not one it takes (SitingInputError, exit 2)
    "argument_choice": ("“{got}”不是可选值", "'{got}' is not one of the choices"),
    "argument_choice_fix": ("改用其中之一：{allowed}", "use one of: {allowed}"),
    "argument_not_walk_settings": (
        "settings 须为 WalkSettings，而不是 {got}",
        "settings must be a WalkSettings, not {got}",
    ),
    "argument_not_walk_settings_fix": (
        "用 siting.WalkSettings(...) 或 Profile.walk_settings() 生成，或不给 settings 而直接给出步行参数",
        "make one with siting.WalkSettings(...) or Profile.walk_settings(), or give the walk figures instead",
    ),
    "problem_no_floor_area_rule": (
        "合规方案（compliance）需要配建面积规则 problem.floor_area_rule，此问题没有",
        "the compliance objective needs the floor-area rule problem.floor_area_rule, which this problem lacks",
    ),
    "problem_no_floor_area_rule_fix": (
        "用 Study.problem(candidates) 构建问题（它带有规则配置的配建面积规则）",
        "build the problem with Study.problem(candidates), which carries the profile's floor-area rule",
    ),
    # batches (siting.batch)
    "batch_not_found": ("找不到这个方案文件或文件夹", "no such scenario file or folder"),
    "batch_not_found_fix": (
        "检查路径；可以给出方案文件（.yml）或存放方案文件的文件夹",
        "check the path; give scenario files (.yml) or folders holding them",
    ),
    "batch_no_scenarios": ("文件夹中没有方案文件（*.yml）", "the folder holds no scenario files (*.yml)"),
    "batch_no_scenarios_fix": (
        "给出存放方案文件的文件夹，或直接列出方案文件",
        "give the folder that holds the scenario files, or list the files themselves",
    ),
    "batch_duplicate_name": (
        "方案名称“{name}”用了不止一次（{files}），它们会写入同一个输出文件夹",
        "the scenario name '{name}' is used more than once ({files}); they would write the same output folder",
    ),
    "batch_duplicate_name_fix": ("给每个方案文件一个不同的 name", "give each scenario file its own name"),
    "batch_workers": ("工作进程数 {value} 无效", "{value} is not a number of workers"),
    "batch_workers_fix": ("用 --workers 给出 1 或更大的整数", "give --workers a whole number of 1 or more"),
    "batch_memory_limit": ("内存上限“{value}”无效", "'{value}' is not a memory limit"),
    "batch_memory_limit_fix": (
        "写 auto（本机内存平均分给各工作进程）或大小，例如 4GB",
        "write auto (this machine's memory shared among the workers) or a size such as 4GB",
    ),
    "batch_scheduler_options": (
        "--workers 和 --memory-limit 只用于本机集群；已有集群使用它自己的工作进程",
        "--workers and --memory-limit set up a local cluster; an existing cluster uses its own workers",
    ),
    "batch_scheduler_options_fix": (
        "去掉 --workers/--memory-limit，或去掉 --scheduler；已有集群的工作进程在“dask worker”命令中设置",
        "drop --workers/--memory-limit, or drop --scheduler; set the workers of an existing cluster "
        "on their 'dask worker' command",
    ),
    "batch_scheduler_unreachable": (
        "无法连接 Dask 调度器 {address}：{error}",
        "cannot reach the Dask scheduler at {address}: {error}",
    ),
    "batch_scheduler_unreachable_fix": (
        "检查地址（如 tcp://10.0.0.5:8786），并确认已用“dask scheduler”启动调度器",
        "check the address (e.g. tcp://10.0.0.5:8786) and that 'dask scheduler' is running there",
    ),
    "batch_no_workers": ("Dask 集群 {address} 没有工作进程", "the Dask cluster at {address} has no workers"),
    "batch_no_workers_fix": (
        "在每台机器上启动工作进程：dask worker {address}",
        "start workers on each machine: dask worker {address}",
    ),
    "batch_worker_version": (
        "工作进程的 siting 版本与本机（{version}）不同：{versions}",
        "workers run another siting version than this machine ({version}): {versions}",
    ),
    "batch_worker_version_fix": (
        "在每台工作机器上安装与本机相同版本的 siting，然后重启 dask worker",
        "install the same siting version on every worker machine, then restart its dask worker",
    ),
    "batch_folder_unseen": (
        "工作进程看不到输出文件夹 {path}",
        "the worker cannot see the output folder {path}",
    ),
    "batch_folder_unseen_fix": (
        "其他机器上的工作进程必须以相同路径看到方案文件、输入数据和输出文件夹（共享文件系统）",
        "workers on other machines must see the scenario files, their inputs and the output folder "
        "at the same paths (a shared file system)",
    ),
    "batch_crash": (
        "意外错误（程序缺陷，请连同错误追踪信息报告）：{error}",
        "unexpected error (a bug: please report it with its traceback): {error}",
    ),
    "batch_worker_died": (
        "运行该方案的工作进程中止了，多半是因为超出了每个工作进程 {limit} 的内存上限。修改方法：用 --memory-limit "
        "给每个工作进程更多内存，或减少每台机器上的工作进程数（--workers）",
        "the worker process running this scenario died, most likely because it went above its memory "
        "limit of {limit}. Fix: give each worker more memory (--memory-limit), or run fewer workers per "
        "machine (--workers)",
    ),
    "batch_worker_died_nolimit": (
        "运行该方案的工作进程中止了（未设内存上限，可能是操作系统因内存不足而终止了它）",
        "the worker process running this scenario died (it had no memory limit; the operating system may "
        "have stopped it for want of memory)",
    ),
    "batch_lost": ("未能得到该方案的结果（Dask 集群出错）：{error}", "no result from the Dask cluster: {error}"),
    "batch_local_cluster": (
        "本机 Dask 集群：{workers} 个工作进程，每个内存上限 {memory}",
        "local Dask cluster: {workers} worker processes, memory limit {memory} each",
    ),
    "batch_dashboard": ("Dask 控制面板：{link}", "Dask dashboard: {link}"),
    "batch_no_dashboard": (
        "Dask 控制面板不可用（未安装 bokeh；pip install bokeh 后可用）",
        "Dask dashboard unavailable (bokeh is not installed; pip install bokeh to see it)",
    ),
    "batch_cluster": ("Dask 集群 {address}：{workers} 个工作进程", "Dask cluster {address}: {workers} workers"),
    "batch_bar": ("方案", "scenarios"),
    "batch_bar_unit": ("个", " scenario"),
    "batch_bar_counts": (
        "完成 {ok}，失败 {failed}，沿用 {reused}",
        "ok {ok}, failed {failed}, reused {reused}",
    ),
    "batch_done": (
        "{total} 个方案中 {ok} 个完成（其中 {reused} 个沿用了之前的输出）",
        "{ok} of {total} scenarios done ({reused} of them reused from an earlier run)",
    ),
    "batch_failed": ("{total} 个方案中 {failed} 个失败：", "{failed} of {total} scenarios failed:"),
    # issue 26: bounded reading, machine failures, records that contradict themselves or each other
    "yaml_holds_text": ("一段文本", "a text"),
    "yaml_holds_other": ("{kind} 类型的值", "a value of type {kind}"),
    "input_not_regular": (
        "这不是普通文件，而是{kind}，无法作为输入读取",
        "this is not a regular file but {kind}, which cannot be read as an input",
    ),
    "input_not_regular_fix": ("给出磁盘上的普通文件", "name a regular file on disk"),
    "file_kind_device": ("设备文件", "a device"),
    "file_kind_fifo": ("命名管道（FIFO）", "a named pipe (FIFO)"),
    "file_kind_socket": ("套接字", "a socket"),
    "input_too_large": (
        "文件超过 {limit} 字节，超出读取上限",
        "the file holds more than {limit} bytes, beyond what is read",
    ),
    "input_too_large_fix": (
        "检查给的是不是正确的文件；确需更大的文件时先按区县拆分",
        "check that this is the right file; split a larger one by county",
    ),
    "spreadsheet_too_large": (
        "工作簿解压后为 {size} 字节，超过上限 {limit} 字节",
        "the workbook unpacks to {size} bytes, more than {limit}",
    ),
    "table_too_many_rows": ("表格超过 {limit} 行", "the table has more than {limit} rows"),
    "table_too_large_fix": (
        "只保留需要的工作表和行（例如按区县拆分），或另存为 CSV 后检查内容",
        "keep only the sheet and rows needed (e.g. split by county), or save as CSV and check the content",
    ),
    "batch_workers_beyond_cores": (
        "工作进程数 {value} 超过本机 {cores} 个处理器核心",
        "{value} workers is more than this machine's {cores} cores",
    ),
    "batch_workers_beyond_cores_fix": (
        "用 --workers 给出 1 到 {cores} 之间的整数，或不写（每核一个）",
        "give --workers a whole number from 1 to {cores}, or leave it out (one per core)",
    ),
    "disk_full": ("磁盘已满，无法写入输出", "the disk is full: the output could not be written"),
    "disk_full_fix": (
        "腾出磁盘空间或换一个输出文件夹后重新运行；之前的输出保持原样，没有留下写了一半的文件夹",
        "free some space or choose another output folder and run again; the earlier output is kept "
        "as it was and nothing half-written is left",
    ),
    "out_of_memory": ("内存不足，运行已停止", "the machine ran out of memory; the run stopped"),
    "out_of_memory_fix": (
        "关闭其他程序，或把研究范围拆小（例如按街道）后分别运行；没有写入任何输出",
        "close other programs, or split the study area (e.g. by street) and run each part; nothing was written",
    ),
    "exp_gate_tolerance": (
        "入口距所属小区边界的最大距离（米），如 30",
        "farthest an entrance may lie from its area's outline, metres, e.g. 30",
    ),
    "consistency_choice": ("{value} 无效，应为 {values} 之一", "{value} is not one of {values}"),
    "consistency_choice_fix": ("写 {values} 之一", "write one of {values}"),
    "consistency_kept": (
        "{problem}；按方案设置（{key}: keep）保留，计入各项结果",
        "{problem}; kept as the scenario says ({key}: keep), and counted in every figure",
    ),
    "duplicate_records": (
        "同一记录以不同编号列了两次（名称相同且相距不到 {distance} 米，或多边形完全相同），每对写作“编号 = 编号”",
        "the same record is listed twice under different ids (the same name within {distance} m, or the "
        "same polygon); each pair is shown as 'id = id'",
    ),
    "duplicate_records_fix": (
        '每对删去一行；若确是两处不同的地方，在方案中写 duplicates: keep（Python：Accept(duplicates="keep")）',
        "delete one row of each pair; if they really are two places, write duplicates: keep in the "
        'scenario (Python: Accept(duplicates="keep"))',
    ),
    "areas_at_one_point": (
        "{n} 个小区位于同一点（经度 {lon}，纬度 {lat}），多半是地理编码找不到地址时给的默认点；这些小区不计入各项结果",
        "{n} residential areas lie at exactly one point (lon {lon}, lat {lat}), most likely a geocoder's "
        "fallback for addresses it could not find; they are left out of every figure",
    ),
    "areas_at_one_point_kept": (
        "{n} 个小区位于同一点（经度 {lon}，纬度 {lat}），多半是地理编码的默认点；"
        "按方案设置（areas_at_one_point: keep）照此位置计入",
        "{n} residential areas lie at exactly one point (lon {lon}, lat {lat}), most likely a geocoder's "
        "fallback; counted there, as the scenario says (areas_at_one_point: keep)",
    ),
    "areas_at_one_point_fix": (
        "给这些小区填上真实坐标；若位置无误，在方案中写 areas_at_one_point: keep",
        "give these areas their real coordinates; if the point is right, write areas_at_one_point: keep",
    ),
    "built_with_far": (
        "配建（所属小区）的设施离所属小区超过步行范围（直线已超过 {walk} 米，步行只会更远），"
        "每行写作“设施 → 小区（距离）”",
        "facilities built with (配建) a residential area lie beyond that area's walk ({walk} m, already in a "
        "straight line; on foot it is farther); each row is shown as 'facility → area (distance)'",
    ),
    "built_with_far_fix": (
        "改正所属小区编号或设施坐标；若确实如此，在方案中写 links: keep",
        "correct the area id or the facility's coordinates; if it is right, write links: keep in the scenario",
    ),
    "entrance_far": (
        "入口离所属小区超过 {tolerance} 米，每行写作“入口行号 → 小区（距离）”",
        "entrances lie more than {tolerance} m from the residential area they open into; each row is shown "
        "as 'entrance row → area (distance)'",
    ),
    "entrance_far_fix": (
        "改正入口的所属小区编号或位置；入口确在街对面时，"
        "用 entrances: {{gate_tolerance_m: ...}} 放宽，或写 links: keep",
        "correct the entrance's area id or position; for a gate across the street widen entrances: "
        "{{gate_tolerance_m: ...}}, or write links: keep",
    ),
    "area_larger_than_network": (
        "小区面积大于整个路网所及的范围（{reach_km2} 平方公里，即路网外包多边形外扩 {snap_m} 米），"
        "不可能是一个小区，每行写作“小区（面积）”",
        "residential areas are larger than all the street network reaches ({reach_km2} km², the network's "
        "hull widened by {snap_m} m), which no 小区 can be; each row is shown as 'area (area)'",
    ),
    "area_larger_than_network_fix": (
        "检查这些小区的几何：可能画成了整个县、市或省的边界，或图层的坐标系（crs）写错；"
        "重新绘制或导出后再运行。若确实如此，在方案中写 links: keep",
        "check these areas' geometry: a county, city or province boundary drawn in place of the 小区, or "
        "a wrong coordinate system (crs) of the layer; draw or export them again. If they are right, write "
        "links: keep in the scenario",
    ),
    # what-if sessions (siting.whatif)
    "whatif_position_needed": ("新设施 {site} 缺少位置", "the new facility {site} has no position"),
    "whatif_position_fix": (
        '给出经纬度（WGS84），如 add("N1", 116.25, 36.33)，或给出站点的 GeoDataFrame',
        'give its longitude and latitude (WGS84), e.g. add("N1", 116.25, 36.33), or a GeoDataFrame of sites',
    ),
    "whatif_id_taken": ("设施编号已被使用：{ids}", "facility ids already in use: {ids}"),
    "whatif_id_taken_fix": ("给新设施另起一个编号", "give the new facility another id"),
    "whatif_unknown_facility": (
        "没有编号为 {id} 的设施（当前共 {n} 处设施）",
        "there is no facility {id} (the session has {n} facilities)",
    ),
    "whatif_unknown_facility_fix": (
        "用 session.facilities 中 facility_id 列的编号",
        "use an id of the facility_id column of session.facilities",
    ),
    "whatif_floor_area_needed": (
        "新设施 {site} 未给建筑面积，规则方案也未规定单处最小面积",
        "the new facility {site} has no floor area and the rule profile sets no single-site minimum",
    ),
    "whatif_floor_area_needed_fix": ("给出 floor_area_m2（平方米）", "give floor_area_m2 (m²)"),
    "whatif_sites_no_id": ("站点表缺少编号列", "the sites have no id column"),
    "whatif_sites_no_id_fix": (
        "加一列 site_id（或 facility_id、candidate_id）",
        "add a site_id (or facility_id, candidate_id) column",
    ),
    "whatif_no_scenario": (
        "该研究不是从方案文件打开的，无法写出方案",
        "this study was not opened from a scenario file, so no scenario can be written",
    ),
    "whatif_no_scenario_fix": (
        '用 siting.Study.from_scenario("方案.yml") 打开研究，再推演并导出',
        'open the study with siting.Study.from_scenario("scenario.yml"), then edit and export',
    ),
}


def _checked(language: str) -> str:
    if language not in LANGUAGES:
        from siting.errors import SitingInputError  # siting.errors renders its texts with this module

        raise SitingInputError(
            msg("argument_choice", got=language),
            source=msg("where_argument", name="language"),
            fix=msg("argument_choice_fix", allowed=list(LANGUAGES)),
        )
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


class UnknownMessageError(KeyError):
    """A message key that :data:`MESSAGES` does not have: a mistake in siting or in an extension of it
    (an internal error, exit 1 on the command line), never in the user's input."""


class Lines(list):
    """Message parts shown one per line (e.g. every mistake of a scenario file), not joined into a sentence."""


class Message:
    """A text shown in the user's language: a key of :data:`MESSAGES` and its placeholder fields.

    Fields may themselves be messages (rendered in the same language) or lists (joined with the
    language's list separator). Build one with :func:`msg`.
    """

    __slots__ = ("fields", "key")

    def __init__(self, key: str, fields: dict[str, Any]) -> None:
        if key not in MESSAGES:
            raise UnknownMessageError(f"no message {key!r} in siting.labels.MESSAGES")
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
    if isinstance(value, Lines):
        return "\n  - ".join(render(v, lang) for v in value)
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(render(v, lang) for v in value)
    return str(value)


def term(key: str, language: str | None = None, **fields: object) -> str:
    """A piece of map or report wording (:data:`TERMS`), with ``{placeholders}`` filled from ``fields``."""
    return _pick(TERMS[key], language).format(**fields)


def unit_label(unit: str, language: str | None = None) -> str:
    """Display label of a profile unit (``m2/100hh`` → 平方米/百户); unknown units are shown as they are."""
    return term(f"unit_{unit}", language) if f"unit_{unit}" in TERMS else unit


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
            out[column] = out[column].map(lambda v: value_label(v, language), na_action="ignore")  # blank stays blank
    return out.rename(columns={c: column_label(c, language) for c in out.columns})
