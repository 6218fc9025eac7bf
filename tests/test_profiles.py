"""Rule profiles: every shipped figure against its source, inheritance, user files, overrides, errors."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml

from siting.errors import SitingInputError
from siting.profiles import (
    KEY_USE,
    RULES,
    SCHEMA,
    ProfileFallbackWarning,
    format_profile,
    format_profile_list,
    list_profiles,
    load_profile,
    new_profile,
)

SEEDS = Path(os.environ.get("SITING_SEEDS", Path(__file__).resolve().parents[1].parent / "shared" / "seeds"))
PROFILE_DIR = Path(__file__).resolve().parents[1] / "siting" / "profiles"

# Every non-null value shipped in siting/profiles/*.yaml, with the figure as printed in its source.
# (profile, key, value, document and clause, seed file:line or standards.md section, words quoted)
# The city rows are checked against ../shared/seeds when it is present.
FIGURES = [
    # 东政办字〔2023〕26号 (Dong'e)
    (
        "dong_e",
        "new_area_m2_per_100hh",
        20,
        "东政办字〔2023〕26号 第13条",
        "000_2dceadbca032e1e6.txt:75",
        "新建城镇居住区按照每百户不低于20平方米",
    ),
    (
        "dong_e",
        "min_site_area_m2",
        200,
        "东政办字〔2023〕26号 第13条",
        "000_2dceadbca032e1e6.txt:75",
        "每百户不低于20平方米、单处不低于200平方米的标准配建",
    ),
    (
        "dong_e",
        "existing_area_m2_per_100hh",
        15,
        "东政办字〔2023〕26号 第13条",
        "000_2dceadbca032e1e6.txt:75",
        "按照每百户不低于15平方米",
    ),
    (
        "dong_e",
        "existing_min_site_area_m2",
        200,
        "东政办字〔2023〕26号 第13条",
        "000_2dceadbca032e1e6.txt:75",
        "每百户不低于15平方米、单处不低于200平方米的标准配置",
    ),
    (
        "dong_e",
        "township_centre_min_m2",
        600,
        "东政办字〔2023〕26号 第15条",
        "000_2dceadbca032e1e6.txt:83",
        "单处面积不低于600平方米",
    ),
    (
        "dong_e",
        "township_centre_catchment_share",
        1.0,
        "东政办字〔2023〕26号 第15条",
        "000_2dceadbca032e1e6.txt:83",
        "服务半径全覆盖",
    ),
    (
        "dong_e",
        "street_centre_coverage",
        1.0,
        "东政办字〔2023〕26号 第15条",
        "000_2dceadbca032e1e6.txt:83",
        "600平方米，覆盖率达到100%",
    ),
    (
        "dong_e",
        "township_centre_coverage",
        1.0,
        "东政办字〔2023〕26号 第15条",
        "000_2dceadbca032e1e6.txt:83",
        "600平方米，覆盖率达到100%",
    ),
    (
        "dong_e",
        "community_centre_min_m2",
        300,
        "东政办字〔2023〕26号 第15条",
        "000_2dceadbca032e1e6.txt:83",
        "单处面积不低于300平方米",
    ),
    (
        "dong_e",
        "community_facility_coverage",
        1.0,
        "东政办字〔2023〕26号 第15条",
        "000_2dceadbca032e1e6.txt:83",
        "300平方米，覆盖率达到100%",
    ),
    (
        "dong_e",
        "nursing_bed_share",
        0.65,
        "东政办字〔2023〕26号 第16条",
        "000_2dceadbca032e1e6.txt:85",
        "护理型床位占比提高到65%以上",
    ),
    (
        "dong_e",
        "social_workers_per_1000_elderly",
        1,
        "东政办字〔2023〕26号 第20条",
        "000_2dceadbca032e1e6.txt:99",
        "每千名老年人至少配有1名社会工作者",
    ),
    # 曹县养老服务体系创新示范县创建实施方案 (Cao)
    (
        "cao",
        "new_area_m2_per_100hh",
        20,
        "曹县方案 三(六)",
        "001_b7a273d4f6f65f67.txt:37",
        "按照每百户 20 平方米的标准配套建设",
    ),
    (
        "cao",
        "existing_area_m2_per_100hh",
        15,
        "曹县方案 三(六)",
        "001_b7a273d4f6f65f67.txt:37",
        "按照每百户不少于 15 平方米的标准",
    ),
    ("cao", "walk_minutes", 15, "曹县方案 三(六)", "001_b7a273d4f6f65f67.txt:37", "“15 分钟养老生活圈”"),
    ("cao", "service_radius_m", 1000, "曹县方案 三(六)", "001_b7a273d4f6f65f67.txt:37", "覆盖半径不大于 1000 米"),
    (
        "cao",
        "floor_area_compliance_target",
        1.0,
        "曹县方案 三(六)",
        "001_b7a273d4f6f65f67.txt:37",
        "配建达标率达到 100%",
    ),
    (
        "cao",
        "township_centre_coverage",
        1.0,
        "曹县方案 附件2 评分细则 四.2",
        "001_b7a273d4f6f65f67.txt:147",
        "镇综合养老服务中心覆盖率达到100%",
    ),
    (
        "cao",
        "nursing_bed_share",
        0.65,
        "曹县方案 附件2 评分细则 四.1",
        "001_b7a273d4f6f65f67.txt:145",
        "护理型床位占比达到 65%以上",
    ),
    # 聊政办字〔2024〕11号 (Liaocheng)
    (
        "liaocheng",
        "walk_minutes",
        15,
        "聊政办字〔2024〕11号 二(二)",
        "002_c8200f382cce7156.txt:34",
        "“15分钟养老服务圈”基本形成",
    ),
    (
        "liaocheng",
        "street_centre_coverage",
        1.0,
        "聊政办字〔2024〕11号 二(二)",
        "002_c8200f382cce7156.txt:34",
        "乡镇（街道）综合养老服务中心覆盖率达到100%",
    ),
    (
        "liaocheng",
        "township_centre_coverage",
        1.0,
        "聊政办字〔2024〕11号 二(二)",
        "002_c8200f382cce7156.txt:34",
        "乡镇（街道）综合养老服务中心覆盖率达到100%",
    ),
    (
        "liaocheng",
        "community_facility_coverage",
        1.0,
        "聊政办字〔2024〕11号 二(二)",
        "002_c8200f382cce7156.txt:34",
        "城市社区养老服务设施覆盖率达到100%",
    ),
    (
        "liaocheng",
        "land_m2_per_capita",
        0.2,
        "聊政办字〔2024〕11号 三(十)",
        "002_c8200f382cce7156.txt:61",
        "人均用地不低于0.2平方米",
    ),
    (
        "liaocheng",
        "nursing_bed_share",
        0.78,
        "聊政办字〔2024〕11号 三(四)",
        "002_c8200f382cce7156.txt:49",
        "到2025年年底，养老机构护理型床位占比达到78%",
    ),
    (
        "liaocheng",
        "dementia_care_centres_min",
        1,
        "聊政办字〔2024〕11号 二(一)",
        "002_c8200f382cce7156.txt:32",
        "各县（市、区）至少建设1处失智老年人照护中心",
    ),
    (
        "dong_e",
        "county_institutions_min",
        1,
        "东政办字〔2023〕26号 第15条",
        "000_2dceadbca032e1e6.txt:83",
        "县级层面至少建成1处",
    ),
    (
        "jining",
        "county_institutions_min",
        1,
        "济政办发〔2023〕2号 第13条",
        "004_0af9ec37fa098898.txt:45",
        "至少建有 1 处以失能特困老年人专业照护为主、达到二星级的县级特困人员供养机构",
    ),
    (
        "cao",
        "street_centre_coverage",
        1.0,
        "曹县方案 附件2 评分细则 四.2",
        "001_b7a273d4f6f65f67.txt:147",
        "区域性养老服务中心或镇综合养老服务中心覆盖率达到100%得2分",
    ),
    (
        "cao",
        "dementia_care_centres_min",
        1,
        "曹县方案 附件2 评分细则 四.1",
        "001_b7a273d4f6f65f67.txt:145",
        "至少具备一处收治失智老年人的专业养老机构",
    ),
    (
        "dongyang",
        "floor_area_compliance_target",
        1.0,
        "东政办发〔2024〕3号 第11条",
        "003_612a1a30331042c4.txt:69",
        "新建住宅小区配套建设养老服务设施达标率达到 100%",
    ),
    (
        "dongyang",
        "county_institutions_min",
        1,
        "东政办发〔2024〕3号 第5条",
        "003_612a1a30331042c4.txt:51",
        "至少建有1所市级特困人员供养服务公办机构",
    ),
    # 东政办发〔2024〕3号 (Dongyang)
    (
        "dongyang",
        "nursing_bed_share",
        0.60,
        "东政办发〔2024〕3号 第2条",
        "003_612a1a30331042c4.txt:41",
        "护理型床位占比达 60%",
    ),
    (
        "dongyang",
        "dementia_beds_per_10000_elderly",
        20,
        "东政办发〔2024〕3号 第2条",
        "003_612a1a30331042c4.txt:41",
        "每万名老年人拥有认知障碍照护床位 20 张",
    ),
    (
        "dongyang",
        "meal_service_coverage",
        0.80,
        "东政办发〔2024〕3号 第7条",
        "003_612a1a30331042c4.txt:57",
        "助餐村（社区）覆盖率达到80%",
    ),
    (
        "dongyang",
        "certified_caregivers_per_10000_elderly",
        27,
        "东政办发〔2024〕3号 第13条",
        "003_612a1a30331042c4.txt:77",
        "每万老年人拥有持证养老护理员达到 27 人",
    ),
    # 济政办发〔2023〕2号 (Jining)
    (
        "jining",
        "new_area_m2_per_100hh",
        30,
        "济政办发〔2023〕2号 第11条",
        "004_0af9ec37fa098898.txt:41",
        "每百户不低于 30 平方米",
    ),
    (
        "jining",
        "min_site_area_m2",
        200,
        "济政办发〔2023〕2号 第11条",
        "004_0af9ec37fa098898.txt:41",
        "每处建筑面积不得少于 200 平方米",
    ),
    (
        "jining",
        "existing_area_m2_per_100hh",
        20,
        "济政办发〔2023〕2号 第11条",
        "004_0af9ec37fa098898.txt:41",
        "按照每百户不低于 20 平方米的标准配置",
    ),
    (
        "jining",
        "floor_area_compliance_target",
        1.0,
        "济政办发〔2023〕2号 第11条",
        "004_0af9ec37fa098898.txt:41",
        "配建达标率达到 100%",
    ),
    (
        "jining",
        "street_centre_coverage",
        1.0,
        "济政办发〔2023〕2号 第13条",
        "004_0af9ec37fa098898.txt:45",
        "街道综合养老服务中心实现全覆盖",
    ),
    (
        "jining",
        "township_centre_coverage",
        0.6,
        "济政办发〔2023〕2号 第13条",
        "004_0af9ec37fa098898.txt:45",
        "乡（镇）综合养老服务中心覆盖率大于 60%",
    ),
    (
        "jining",
        "community_facility_coverage",
        1.0,
        "济政办发〔2023〕2号 第13条",
        "004_0af9ec37fa098898.txt:45",
        "社区养老服务设施实现全覆盖",
    ),
    (
        "jining",
        "nursing_bed_share",
        0.65,
        "济政办发〔2023〕2号 第16条",
        "004_0af9ec37fa098898.txt:55",
        "护理型床位占比提高到 65%以上",
    ),
    (
        "jining",
        "social_workers_per_1000_elderly",
        1,
        "济政办发〔2023〕2号 第19条",
        "004_0af9ec37fa098898.txt:65",
        "每千名老年人至少配有 1 名社会工作者",
    ),
    # National standards and Shandong provincial rules: no seed copy; the section of the project's notes
    # (docs/standards.md) given. Their sources cite documents by number and clause, never the notes.
    ("national", "walk_minutes", 15, "GB 50180-2018 表3.0.4 十五分钟生活圈", "docs/standards.md §1.1", None),
    ("national", "walk_speed_m_per_min", 60, "工具默认值", "docs/standards.md §5", None),
    ("national", "life_circle_15min_distance_m", [800, 1000], "GB 50180-2018 表3.0.4", "docs/standards.md §1.1", None),
    ("national", "land_m2_per_capita", 0.1, "GB 50437-2007(2018) §3.2.1A", "docs/standards.md §2", None),
    ("national", "beds_per_1000_elderly", 40, "GB 50437-2007(2018) §3.2.1", "docs/standards.md §2", None),
    ("national", "bed_floor_area_m2", 35, "GB 50437-2007(2018) §3.2.4", "docs/standards.md §2", None),
    ("national", "bed_land_area_m2", [18, 44], "GB 50437-2007(2018) §3.2.4", "docs/standards.md §2", None),
    ("national", "min_beds_per_site", 20, "GB 50437-2007(2018) §3.2.4", "docs/standards.md §2", None),
    ("national", "household_size", 2.62, "第七次全国人口普查公报 第二号", "docs/standards.md §6", None),
    ("national", "elderly_share_60plus", 0.187, "第七次全国人口普查公报 第五号", "docs/standards.md §4.4", None),
    ("national", "elderly_share_65plus", 0.135, "第七次全国人口普查公报 第五号", "docs/standards.md §4.4", None),
    (
        "shandong",
        "new_area_m2_per_100hh",
        20,
        "山东省城镇居住区社区养老服务设施…管理办法 (2022)",
        "docs/standards.md §4.2",
        None,
    ),
    (
        "shandong",
        "land_m2_per_capita",
        0.2,
        "山东省加快发展养老服务业的意见 (no. unconfirmed)",
        "docs/standards.md §4.2",
        None,
    ),
    ("shandong", "household_size", 2.70, "山东省第七次全国人口普查", "docs/standards.md §4.2", None),
    ("shandong", "elderly_share_65plus", 0.1513, "山东省第七次全国人口普查", "docs/standards.md §4.4", None),
    # the checks of issue 21 item 7: 医养结合, 居家上门
    (
        "dong_e",
        "medical_care_coverage",
        1.0,
        "东政办字〔2023〕26号 第18条",
        "000_2dceadbca032e1e6.txt:93",
        "2025年年底，养老机构医养结合服务覆盖率达到100%",
    ),
    (
        "liaocheng",
        "medical_care_coverage",
        1.0,
        "聊政办字〔2024〕11号 二(一)",
        "002_c8200f382cce7156.txt:32",
        "养老机构医养结合服务覆盖率保持100%",
    ),
    (
        "liaocheng",
        "medical_care_institutions_min",
        1,
        "聊政办字〔2024〕11号 二(一)",
        "002_c8200f382cce7156.txt:32",
        "各县（市、区）建有1处大中型医养结合养老机构",
    ),
    (
        "liaocheng",
        "home_care_institution_share",
        0.6,
        "聊政办字〔2024〕11号 三(四)",
        "002_c8200f382cce7156.txt:49",
        "到2026年年底，60%的养老机构开展居家上门服务",
    ),
    (
        "jining",
        "medical_care_coverage",
        1.0,
        "济政办发〔2023〕2号 第16条",
        "004_0af9ec37fa098898.txt:57",
        "机构医养结合服务覆盖率达到 100%",
    ),
    (
        "dongyang",
        "kangyang_coverage",
        1.0,
        "东政办发〔2024〕3号 第9条",
        "003_612a1a30331042c4.txt:63",
        "康养联合体实现镇乡街道全覆盖",
    ),
    (
        "dongyang",
        "existing_area_completion",
        1.0,
        "东政办发〔2024〕3号 第11条",
        "003_612a1a30331042c4.txt:69",
        "完成已建成住宅小区养老服务设施整改配置",
    ),
]

# How a clause whose text leaves it open is read (choice keys), with the words the reading rests on.
# (profile, key, reading, document and clause, seed file:line or None for a toolkit reading, words)
READINGS = [
    ("national", "new_area_counts", "own", "中办、国办", None, None),
    ("national", "township_centre_catchment", "communities_reached", "工具解读", None, None),
    ("national", "community_facility_scope", "all_communities", "工具解读", None, None),
    ("national", "service_radius_measure", "straight", "工具解读", None, None),
    ("national", "floor_area_compliance_scope", "all_areas", "工具解读", None, None),
    ("national", "floor_area_scope", "all_areas", "工具解读", None, None),
    ("national", "service_radius_scope", "all_areas", "工具解读", None, None),
    ("national", "community_centre_types", "centres_and_stations", "工具解读", None, None),
    ("shandong", "floor_area_scope", "urban_areas", "《山东省城镇居住区社区养老服务设施", None, None),
    # 东政办字〔2023〕26号 第13条 and 济宁 第11条 set both rates for 城镇居住区 (issue 21 item 2)
    (
        "dong_e",
        "floor_area_scope",
        "urban_areas",
        "东政办字〔2023〕26号 第13条",
        "000_2dceadbca032e1e6.txt:75",
        "新建城镇居住区按照每百户不低于20平方米、单处不低于200平方米的标准配建",
    ),
    (
        "jining",
        "floor_area_scope",
        "urban_areas",
        "济政办发〔2023〕2号 第11条",
        "004_0af9ec37fa098898.txt:41",
        "新建城镇居住区按照每百户不低于 30 平方米的标准配套建设社区养老服务设施",
    ),
    (
        "cao",
        "floor_area_scope",
        "all_areas",
        "曹县方案 三(六)",
        "001_b7a273d4f6f65f67.txt:37",
        "对新建住宅小区，按照每百户 20 平方米的标准配套建设社区养老服务用房",
    ),
    # 曹县方案 三(六): the sentence with the 1000 m radius begins 对老旧小区、已建成小区 (issue 21 item 3)
    (
        "cao",
        "service_radius_scope",
        "existing_areas",
        "曹县方案 三(六)",
        "001_b7a273d4f6f65f67.txt:37",
        "对老旧小区、已建成小区，按照每百户不少于 15 平方米的标准，参照“15 分钟养老生活圈”要求，通过移交、租赁、"
        "协调等方式调剂配齐养老服务设施，确保养老服务设施覆盖半径不大于 1000 米",
    ),
    # 东政办字〔2023〕26号 第15条 names a 社区养老服务中心, which a 养老服务站 is not (issue 21 item 4)
    (
        "dong_e",
        "community_centre_types",
        "centres",
        "东政办字〔2023〕26号 第15条",
        "000_2dceadbca032e1e6.txt:83",
        "单处面积不低于300平方米",
    ),
    (
        "dongyang",
        "floor_area_compliance_scope",
        "new_areas",
        "东政办发〔2024〕3号 第11条",
        "003_612a1a30331042c4.txt:69",
        "新建住宅小区配套建设养老服务设施达标率达到 100%",
    ),
    (
        "dong_e",
        "new_area_counts",
        "own",
        "东政办字〔2023〕26号 第13条",
        "000_2dceadbca032e1e6.txt:75",
        "并做到同步规划、同步建设、同步验收、同步交付",
    ),
    (
        "dong_e",
        "township_centre_catchment",
        "communities_reached",
        "东政办字〔2023〕26号 第15条",
        "000_2dceadbca032e1e6.txt:83",
        "健全覆盖城乡、分布均衡、功能完善的县、乡镇（街道）、村（社区）、家庭四级养老服务设施网络",
    ),
    (
        "dong_e",
        "community_facility_scope",
        "urban_communities",
        "东政办字〔2023〕26号 第15条",
        "000_2dceadbca032e1e6.txt:83",
        "支持发展农村幸福院、幸福食堂",
    ),
    (
        "liaocheng",
        "community_facility_scope",
        "urban_communities",
        "聊政办字〔2024〕11号 二(二)",
        "002_c8200f382cce7156.txt:34",
        "城市社区养老服务设施覆盖率达到100%",
    ),
    (
        "liaocheng",
        "new_area_counts",
        "own",
        "聊政办字〔2024〕11号 三(一)",
        "002_c8200f382cce7156.txt:43",
        "“四同步”机制",
    ),
    ("cao", "new_area_counts", "own", "曹县方案 三(六)", "001_b7a273d4f6f65f67.txt:37", "“四同步”工作机制"),
    (
        "cao",
        "service_radius_measure",
        "straight",
        "曹县方案 三(六)",
        "001_b7a273d4f6f65f67.txt:37",
        "确保养老服务设施覆盖半径不大于 1000 米",
    ),
    (
        "jining",
        "community_facility_scope",
        "urban_communities",
        "济政办发〔2023〕2号 第13条",
        "004_0af9ec37fa098898.txt:45",
        "社区养老服务设施实现全覆盖，支持各地发展农村幸福院",
    ),
    (
        "jining",
        "new_area_counts",
        "own",
        "济政办发〔2023〕2号 第11条",
        "004_0af9ec37fa098898.txt:41",
        "“四同步” 机制全面建立",
    ),
    (
        "dongyang",
        "new_area_counts",
        "own",
        "东政办发〔2024〕3号 第11条",
        "003_612a1a30331042c4.txt:69",
        "同步交付“四同步”配建居家养老服务设施",
    ),
]

# Targets with a year (到2025年年底…), and the seed line whose words give it.
YEARS = [
    ("dong_e", "nursing_bed_share", 2025, "000_2dceadbca032e1e6.txt:85", "2025年年底以前，全县养老机构护理型床位占比"),
    ("liaocheng", "nursing_bed_share", 2025, "002_c8200f382cce7156.txt:49", "到2025年年底，养老机构护理型床位占比"),
    ("liaocheng", "street_centre_coverage", 2026, "002_c8200f382cce7156.txt:30", "到2026年年底"),
    ("liaocheng", "township_centre_coverage", 2026, "002_c8200f382cce7156.txt:30", "到2026年年底"),
    ("liaocheng", "community_facility_coverage", 2026, "002_c8200f382cce7156.txt:30", "到2026年年底"),
    ("liaocheng", "dementia_care_centres_min", 2026, "002_c8200f382cce7156.txt:30", "到2026年年底"),
    ("jining", "nursing_bed_share", 2025, "004_0af9ec37fa098898.txt:55", "2025 年底前，全市护理型床位占比"),
    ("jining", "social_workers_per_1000_elderly", 2025, "004_0af9ec37fa098898.txt:65", "2025 年底前"),
    ("dongyang", "nursing_bed_share", 2025, "003_612a1a30331042c4.txt:41", "到 2025 年，护理型床位占比达 60%"),
    ("dongyang", "dementia_beds_per_10000_elderly", 2025, "003_612a1a30331042c4.txt:41", "到 2025 年"),
    ("dongyang", "meal_service_coverage", 2025, "003_612a1a30331042c4.txt:57", "到2025年，助餐村（社区）覆盖率"),
    (
        "dongyang",
        "certified_caregivers_per_10000_elderly",
        2025,
        "003_612a1a30331042c4.txt:77",
        "到 2025 年，每万老年人",
    ),
    ("dongyang", "floor_area_compliance_target", 2025, "003_612a1a30331042c4.txt:69", "到 2025 年，完成已建成住宅小区"),
    ("dongyang", "county_institutions_min", 2025, "003_612a1a30331042c4.txt:51", "到2025年，争创养老服务标杆机构"),
    ("cao", "street_centre_coverage", 2023, "001_b7a273d4f6f65f67.txt:47", "（2023 年 6 月 30 日前）"),
    ("cao", "township_centre_coverage", 2023, "001_b7a273d4f6f65f67.txt:47", "（2023 年 6 月 30 日前）"),
    ("cao", "nursing_bed_share", 2023, "001_b7a273d4f6f65f67.txt:47", "（2023 年 6 月 30 日前）"),
    ("cao", "dementia_care_centres_min", 2023, "001_b7a273d4f6f65f67.txt:47", "（2023 年 6 月 30 日前）"),
    ("cao", "township_centre_functions", 2023, "001_b7a273d4f6f65f67.txt:47", "（2023 年 6 月 30 日前）"),
    ("dongyang", "existing_area_completion", 2025, "003_612a1a30331042c4.txt:69", "到 2025 年，完成已建成住宅小区"),
    ("dong_e", "medical_care_coverage", 2025, "000_2dceadbca032e1e6.txt:93", "2025年年底，养老机构医养结合"),
    ("liaocheng", "medical_care_coverage", 2026, "002_c8200f382cce7156.txt:30", "到2026年年底"),
    ("liaocheng", "medical_care_institutions_min", 2026, "002_c8200f382cce7156.txt:30", "到2026年年底"),
    ("liaocheng", "home_care_institution_share", 2026, "002_c8200f382cce7156.txt:49", "到2026年年底，60%"),
    ("jining", "medical_care_coverage", 2025, "004_0af9ec37fa098898.txt:55", "2025 年底前"),
    ("dongyang", "kangyang_coverage", 2025, "003_612a1a30331042c4.txt:63", "到 2025 年，康养联合体"),
]


def _seed_line(where: str) -> str:
    file, line = where.split(":")
    return (SEEDS / file).read_text(encoding="utf-8").splitlines()[int(line) - 1]


@pytest.mark.parametrize("profile,key,reading,clause,where,words", READINGS, ids=[f"{p}-{k}" for p, k, *_ in READINGS])
def test_readings_rest_on_their_clause(profile, key, reading, clause, where, words):
    entry = _shipped(profile)[key]
    assert entry["value"] == reading and reading in SCHEMA[key].choices
    assert clause in entry["source"] and entry["unit"] == "choice"
    if where is None:
        return
    assert entry["seed"] == where and entry["quote"] == words
    if SEEDS.is_dir():
        assert words in _seed_line(where)


@pytest.mark.parametrize("profile,key,year,where,words", YEARS, ids=[f"{p}-{k}" for p, k, *_ in YEARS])
def test_target_years_are_in_the_seed(profile, key, year, where, words):
    assert _shipped(profile)[key]["by_year"] == year
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present")
    line = _seed_line(where)
    assert words in line and str(year) in words


def test_every_dated_target_is_in_the_years_table():
    dated = {(name, key) for name in list_profiles() for key, entry in _shipped(name).items() if entry.get("by_year")}
    assert dated == {(p, k) for p, k, *_ in YEARS}


# Figures the documents do not state (or that nobody confirmed): they must stay empty.
NOT_STATED = [
    ("national", "new_area_m2_per_100hh"),
    ("national", "existing_area_m2_per_100hh"),
    ("national", "min_site_area_m2"),
    ("national", "service_radius_m"),
    ("national", "nursing_bed_share"),
    ("shandong", "existing_area_m2_per_100hh"),
    ("liaocheng", "existing_area_m2_per_100hh"),
    ("dong_e", "service_radius_m"),
    ("cao", "min_site_area_m2"),
    ("jining", "existing_min_site_area_m2"),
    ("dongyang", "new_area_m2_per_100hh"),
    ("dongyang", "existing_area_m2_per_100hh"),
    ("dongyang", "min_site_area_m2"),
]


def _shipped(profile: str) -> dict:
    return yaml.safe_load((PROFILE_DIR / f"{profile}.yaml").read_text(encoding="utf-8"))["rules"]


@pytest.mark.parametrize("profile,key,figure,clause,where,words", FIGURES, ids=[f"{p}-{k}" for p, k, *_ in FIGURES])
def test_shipped_value_equals_source_figure(profile, key, figure, clause, where, words):
    entry = _shipped(profile)[key]
    assert entry["value"] == pytest.approx(figure)
    assert entry["status"] in {"C", "S"}
    # The clause quoted here is the one the profile cites.
    assert clause.split(" ")[0] in entry["source"] or "standards.md" in where


@pytest.mark.parametrize(
    "profile,key,figure,clause,where,words",
    [f for f in FIGURES if f[5] is not None],
    ids=[f"{p}-{k}" for p, k, *_, w in FIGURES if w is not None],
)
def test_quoted_words_are_in_the_seed_line(profile, key, figure, clause, where, words):
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present")
    file, line = where.split(":")
    text = (SEEDS / file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
    assert words in text
    # The figure itself is in the quoted words (60% for 0.6, 200 for 200 m²).
    spaced = words.replace(" ", "")
    shown = f"{figure * 100:g}%" if SCHEMA[key].kind == "share" else f"{figure:g}"
    complete = shown == "100%" and ("全覆盖" in spaced or "完成" in spaced)
    assert shown in spaced or complete or (shown == "1" and "一处" in spaced)
    # And the profile's own quote/seed point at the same line.
    entry = _shipped(profile)[key]
    assert entry["seed"] == where
    assert entry["quote"] in text


def test_every_shipped_value_is_in_the_figures_table():
    listed = {(p, k) for p, k, *_ in FIGURES}
    shipped = {
        (name, key)
        for name in list_profiles()
        for key, entry in _shipped(name).items()
        if entry.get("value") is not None
    }
    lists = {("cao", "township_centre_functions"), ("dongyang", "named_township_centres")}
    assert shipped == listed | {(p, k) for p, k, *_ in READINGS} | lists


def test_dongyang_named_town_centres_are_read_from_the_clause():
    """东政办发〔2024〕3号 第10条: 加快推进东阳市养老中心以及横店镇、巍山镇、南马镇等乡镇养老中心建设."""
    entry = _shipped("dongyang")["named_township_centres"]
    assert entry["value"] == ["横店镇", "巍山镇", "南马镇"] and "by_year" not in entry
    if SEEDS.is_dir():
        assert entry["quote"] in _seed_line(entry["seed"])
    assert load_profile("dongyang").describe("zh").set_index("key").loc["named_township_centres", "value"] == (
        "横店镇、巍山镇、南马镇"
    )


def test_cao_township_centre_functions_are_read_from_the_clause():
    """曹县方案 附件2 四.2: 具备长期托养、日托、上门服务、对下指导等功能的区域性养老服务中心或镇综合养老服务中心."""
    entry = _shipped("cao")["township_centre_functions"]
    assert entry["value"] == ["residential_care", "day_care", "home_care"] and entry["scoring"] is True
    assert entry["quote"] == "具备长期托养、日托、上门服务、对下指导等功能"
    if SEEDS.is_dir():
        assert entry["quote"] in _seed_line(entry["seed"])
    assert load_profile("cao").describe("zh").set_index("key").loc["township_centre_functions", "value"] == (
        "长期托养、日托、上门服务"
    )


def test_no_source_cites_a_file_the_reader_does_not_have():
    """Issue 21 item 8: sources cite documents by number and clause, never the project's notes or a seed file."""
    for name in list_profiles():
        for key, entry in _shipped(name).items():
            source = str(entry.get("source"))
            assert "standards.md" not in source and ".txt" not in source, (name, key)
            assert not re.search(r"[A-Za-z]{4,}", source), (name, key)


@pytest.mark.parametrize("profile,key", NOT_STATED)
def test_unstated_figures_stay_empty(profile, key):
    assert _shipped(profile)[key]["value"] is None
    assert _shipped(profile)[key]["source"]


def test_list_and_chains():
    assert list_profiles() == ["cao", "dong_e", "dongyang", "jining", "liaocheng", "national", "shandong"]
    assert load_profile("dong_e").chain == ("dong_e", "liaocheng", "shandong", "national")
    assert load_profile("cao").chain == ("cao", "shandong", "national")
    assert load_profile("dongyang").chain == ("dongyang", "national")


def test_inherited_values_say_where_from():
    dong_e = load_profile("dong_e")
    assert dong_e.value("land_m2_per_capita") == 0.2  # Liaocheng 三(十)
    assert "聊政办字〔2024〕11号" in dong_e.source("land_m2_per_capita")
    assert dong_e.value("walk_speed_m_per_min") == 60  # toolkit default in national
    table = dong_e.describe("zh").set_index("key")
    assert table.loc["land_m2_per_capita", "defined_in"] == "liaocheng"
    assert bool(table.loc["land_m2_per_capita", "inherited"])
    assert table.loc["new_area_m2_per_100hh", "defined_in"] == "dong_e"
    assert not bool(table.loc["new_area_m2_per_100hh", "inherited"])
    assert table.loc["new_area_m2_per_100hh", "label"] == "新建居住区每百户配建面积"
    assert table.loc["township_centre_min_m2", "value"] == "600"
    # Liaocheng restates no rate: Shandong's 20 decides, Liaocheng's "not stated" existing stays empty.
    liaocheng = load_profile("liaocheng")
    assert liaocheng.rule("new_area_m2_per_100hh").defined_in == "shandong"
    assert liaocheng.value("existing_area_m2_per_100hh") is None
    assert "未规定" in liaocheng.source("existing_area_m2_per_100hh")
    # Jining's township target is strict (大于 60%).
    jining = load_profile("jining")
    assert jining.comparison("township_centre_coverage") == ">"
    assert jining.describe("en").set_index("key").loc["township_centre_coverage", "value"] == ">60%"
    assert list(dong_e.describe("en").columns) == [
        "key",
        "label",
        "value",
        "unit",
        "by_year",
        "use",
        "status",
        "source",
        "defined_in",
        "inherited",
    ]


def test_overrides_take_precedence_and_are_labelled():
    profile = load_profile(
        "dong_e", {"existing_area_m2_per_100hh": 12, "walk_speed_m_per_min": {"value": 55, "source": "survey"}}
    )
    assert profile.value("existing_area_m2_per_100hh") == 12
    assert profile.source("existing_area_m2_per_100hh") == "override for this run"
    assert profile.source("walk_speed_m_per_min") == "survey"
    assert profile.walk_settings().walk_distance_m == 15 * 55
    assert profile.overridden_keys == ("existing_area_m2_per_100hh", "walk_speed_m_per_min")
    assert profile.describe().set_index("key").loc["walk_speed_m_per_min", "defined_in"] == "override"
    # The shipped profile is untouched.
    assert load_profile("dong_e").value("existing_area_m2_per_100hh") == 15


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_user_file_inherits_shipped_and_other_file(tmp_path):
    base = _write(
        tmp_path / "county_base.yaml",
        """
inherits: dong_e
rules:
  walk_speed_m_per_min: {value: 54, unit: m/min, source: "县规划局 2025 实测", status: S}
""",
    )
    mine = _write(
        tmp_path / "town.yaml",
        """
title: 某镇专项规划
inherits: county_base.yaml
rules:
  new_area_m2_per_100hh: {value: 25, unit: "m²/100hh", source: "镇规划 第3条"}
""",
    )
    profile = load_profile(mine)
    assert profile.chain == ("town", "county_base", "dong_e", "liaocheng", "shandong", "national")
    assert profile.value("new_area_m2_per_100hh") == 25
    assert profile.value("walk_speed_m_per_min") == 54
    assert profile.value("existing_area_m2_per_100hh") == 15
    table = profile.describe("en").set_index("key")
    assert table.loc["walk_speed_m_per_min", "defined_in"] == "county_base"
    assert table.loc["new_area_m2_per_100hh", "status"] == "user"
    assert base.exists()


def test_missing_value_falls_back_to_toolkit_default_loudly(tmp_path):
    alone = _write(tmp_path / "alone.yaml", "rules:\n  new_area_m2_per_100hh: 20\n")
    profile = load_profile(str(alone))
    assert profile.value("walk_speed_m_per_min") is None
    with pytest.warns(ProfileFallbackWarning, match="60 m/min"):
        assert profile.require("walk_speed_m_per_min") == 60
    row = profile.describe("en").set_index("key").loc["walk_speed_m_per_min"]
    assert row["defined_in"] == "toolkit default" and row["value"] == "60"
    # No default either: a clear error telling how to supply it.
    with pytest.raises(SitingInputError, match=r"service_radius_m.*overrides"):
        load_profile("dong_e").require("service_radius_m")


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "inherits: dong_e\nrules:\n  new_area_m2_per_100_hh: 25\n",
            r"alone\.yaml: unknown profile key 'new_area_m2_per_100_hh'.*did you mean new_area_m2_per_100hh",
        ),
        (
            "rules:\n  walk_speed_m_per_min: {value: 3.6, unit: km/h}\n",
            r"alone\.yaml: key 'walk_speed_m_per_min' is given in unit 'km/h' but is expected in 'm/min'",
        ),
        (
            "rules:\n  min_site_area_m2: {value: '200', unit: m2}\n",
            r"alone\.yaml: key 'min_site_area_m2' must be a non-negative number in m2, got '200'",
        ),
        (
            "rules:\n  township_centre_coverage: 100\n",
            r"alone\.yaml: key 'township_centre_coverage' is a share between 0 and 1.*write 1 for 100%",
        ),
        (
            "new_area_m2_per_100hh: 20\n",
            r"alone\.yaml: unknown top-level field.*put new_area_m2_per_100hh under 'rules:'",
        ),
        (
            "rules:\n  new_area_m2_per_100hh: {value: 20, units: m2}\n",
            r"alone\.yaml: key 'new_area_m2_per_100hh' has unknown field",
        ),
        ("inherits: alone.yaml\nrules: {}\n", r"alone\.yaml: profile inheritance loops"),
        ("inherits: dong-e\nrules: {}\n", r"no shipped profile named 'dong-e'.*did you mean dong_e"),
    ],
)
def test_bad_user_file_errors_name_file_and_key(tmp_path, text, message):
    path = _write(tmp_path / "alone.yaml", text)
    with pytest.raises(SitingInputError, match=message):
        load_profile(path)


def test_bad_overrides():
    with pytest.raises(SitingInputError, match="overrides: unknown profile key 'walk_speed'"):
        load_profile("dong_e", {"walk_speed": 55})
    with pytest.raises(SitingInputError, match="overrides: key 'walk_minutes' must be a non-neg"):
        load_profile("dong_e", {"walk_minutes": True})
    with pytest.raises(SitingInputError, match="override for 'min_site_area_m2' has no value"):
        load_profile("dong_e", {"min_site_area_m2": None})
    with pytest.raises(SitingInputError, match="unknown profile key 'walk_sped'"):
        load_profile("dong_e").value("walk_sped")


def test_text_formatters_for_the_cli():
    listing = format_profile_list("zh")
    for name in list_profiles():
        assert name in listing
    assert "东政办字〔2023〕26号" in listing and "名称" in listing
    shown = format_profile("dong_e", "zh")
    assert "继承链: dong_e → liaocheng → shandong → national" in shown
    line = next(ln for ln in shown.splitlines() if ln.startswith("人均养老服务设施用地"))
    assert "0.2" in line and "继承自 liaocheng" in line and "三(十)" in line
    english = format_profile("jining", "en")
    line = next(ln for ln in english.splitlines() if ln.startswith("Township comprehensive"))
    assert ">60%" in line and "第13条" in line and line.rstrip().endswith("jining")


def test_shipped_files_are_well_formed():
    for name in list_profiles():
        rules = _shipped(name)
        for key, entry in rules.items():
            assert key in SCHEMA, (name, key)
            assert entry.get("status") in {"C", "S", "U"}, (name, key)
            assert entry.get("source"), (name, key)
            if entry.get("value") is not None:
                assert entry["unit"] == SCHEMA[key].unit, (name, key)
            # An unconfirmed figure is never shipped as a value.
            if entry["status"] == "U":
                assert entry.get("value") is None, (name, key)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in list_profiles():
            load_profile(name).describe("en")


# --- a profile of one's own ------------------------------------------------------------------------------
def test_new_profile_lists_every_key_and_inherits_every_value(tmp_path):
    path = new_profile("my_county", inherits="dong_e", out=tmp_path)
    assert path == tmp_path / "my_county.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["inherits"] == "dong_e" and list(data["rules"]) == list(SCHEMA)
    for key, spec in SCHEMA.items():
        entry = data["rules"][key]
        assert entry == {"value": None, "unit": spec.unit, "status": "U", "source": "", "quote": ""}, key
        # Its label in both languages and its unit head the entry, then what it would inherit.
        head = f"  # {spec.label_zh} / {spec.label_en} [{spec.unit}]\n  # "
        assert re.search(re.escape(head) + r"[^\n]+\n  " + key + ":\n", text), key
    # What it would inherit is written beside each key: dong_e's 15 m² per 100 households and its source.
    assert "# 现值 / now: 15 m2/100hh (dong_e: 东政办字〔2023〕26号 第13条" in text
    # It loads as a valid profile that changes nothing until filled in.
    mine, parent = load_profile(path), load_profile("dong_e")
    assert mine.chain == ("my_county", "dong_e", "liaocheng", "shandong", "national")
    assert {k: mine.value(k) for k in SCHEMA} == {k: parent.value(k) for k in SCHEMA}
    described = mine.describe()
    assert (described.loc[described["value"].notna(), "defined_in"] != "my_county").all()
    # A rule no profile of the chain states is listed as empty, from the new file: still to fill in.
    radius = described.set_index("key").loc["service_radius_m"]
    assert pd.isna(radius["value"]) and radius["defined_in"] == "my_county"


def test_a_filled_in_value_counts_with_its_source(tmp_path):
    path = new_profile("my_county", out=tmp_path)
    text = path.read_text(encoding="utf-8")
    key_at = text.index("  walk_speed_m_per_min:\n")
    filled = text[:key_at] + text[key_at:].replace("value: null", "value: 50", 1).replace(
        'source: ""', 'source: "某县民政局 2024 第3条"', 1
    )
    path.write_text(filled, encoding="utf-8")
    profile = load_profile(path)
    assert (
        profile.value("walk_speed_m_per_min") == 50
        and profile.source("walk_speed_m_per_min") == "某县民政局 2024 第3条"
    )
    assert profile.rule("walk_speed_m_per_min").status == "U"
    assert profile.value("walk_minutes") == load_profile("national").value("walk_minutes")


def test_new_profile_never_overwrites_and_checks_its_name(tmp_path, monkeypatch):
    path = new_profile("my_county", out=tmp_path / "rules" / "my_county.yaml")
    path.write_text("# my own notes\n", encoding="utf-8")
    with pytest.raises(SitingInputError, match="exists and is not overwritten"):
        new_profile("my_county", out=path)
    with pytest.raises(SitingInputError, match="exists and is not overwritten"):
        new_profile("my_county", out=path.parent)
    assert path.read_text(encoding="utf-8") == "# my own notes\n"
    with pytest.raises(SitingInputError, match="is the name of a shipped profile"):
        new_profile("dong_e", out=tmp_path)
    with pytest.raises(SitingInputError, match="not a usable profile name"):
        new_profile("../x", out=tmp_path)
    with pytest.raises(SitingInputError, match=r"\.yaml or \.yml"):
        new_profile("my_county", out=tmp_path / "my_county.txt")
    with pytest.raises(SitingInputError, match="atlantis"):
        new_profile("other", inherits="atlantis", out=tmp_path)
    assert not (tmp_path / "other.yaml").exists()
    # Default: NAME.yaml in the current folder; Chinese names are fine.
    monkeypatch.chdir(tmp_path)
    assert new_profile("东阿县2024") == Path("东阿县2024.yaml") and load_profile("东阿县2024.yaml").name == "东阿县2024"


def test_new_profile_inheriting_a_file_names_it_relative_to_itself(tmp_path):
    parent = new_profile("county", inherits="shandong", out=tmp_path / "a")
    child = new_profile("town", inherits=str(parent), out=tmp_path / "b")
    assert yaml.safe_load(child.read_text(encoding="utf-8"))["inherits"] == "../a/county.yaml"
    assert load_profile(child).chain == ("town", "county", "shandong", "national")


def test_each_figure_is_marked_checked_setting_or_reference():
    """Issue 12: the rules table decides which figures are checked; ``profiles show`` says so."""
    assert KEY_USE["meal_service_coverage"] == "checked"  # 助餐村（社区）覆盖率, rule R18
    assert KEY_USE["min_site_area_m2"] == "checked"  # a condition of the floor-area rule (R03)
    assert KEY_USE["township_centre_min_m2"] == "setting"
    assert KEY_USE["new_area_counts"] == "setting" and KEY_USE["walk_speed_m_per_min"] == "setting"
    assert KEY_USE["certified_caregivers_per_10000_elderly"] == "reference"
    assert KEY_USE["social_workers_per_1000_elderly"] == "reference"
    assert {r.key for r in RULES} == {k for k, use in KEY_USE.items() if use == "checked"}
    shown = format_profile("dongyang", "en")
    line = next(ln for ln in shown.splitlines() if ln.startswith("Villages/communities with meal service"))
    assert "80%" in line and "2025" in line and "checked" in line and "第7条" in line
    line = next(ln for ln in shown.splitlines() if ln.startswith("Certified caregivers"))
    assert "reference only" in line
    chinese = format_profile("dongyang", "zh")
    line = next(ln for ln in chinese.splitlines() if ln.startswith("助餐村(社区)覆盖率"))
    assert "核查" in line and "用途" in chinese and "目标年份" in chinese
    assert load_profile("dongyang").describe("zh").set_index("key").loc["meal_service_coverage", "use"] == "核查"


def test_whose_target_a_county_judges_its_own_and_shows_the_city_figure():
    """东政办字〔2023〕26号 第16条: 全县养老机构护理型床位占比提高到65%以上; 聊政办字〔2024〕11号 三(四): 到2025年年底，
    养老机构护理型床位占比达到78%, a figure for the city as a whole: the county is judged by its own 65%, with the
    city's 78% shown as 上级目标（参考） (issue 21 item 5). A Liaocheng study is judged by the 78%."""
    dong_e = load_profile("dong_e")
    rule = dong_e.rule("nursing_bed_share")
    assert (rule.value, rule.by_year, rule.defined_in, rule.overrules) == (0.65, 2025, "dong_e", None)
    assert rule.reference.startswith("78%（2025年）（聊政办字〔2024〕11号 三(四)")
    assert "上级目标（参考）：78%" in dong_e.describe("zh").set_index("key").loc["nursing_bed_share", "source"]
    assert load_profile("liaocheng").value("nursing_bed_share") == 0.78
    # undated figures of the chain: the stricter binds (济宁 30 over 山东 20 m² per 100 households)
    assert load_profile("jining").rule("new_area_m2_per_100hh").defined_in == "jining"
    assert load_profile("dong_e").rule("community_facility_coverage").defined_in == "dong_e"
    # a run override decides; one equal to the document's figure keeps the document's clause (item 9)
    assert load_profile("dong_e", {"nursing_bed_share": 0.5}).value("nursing_bed_share") == 0.5
    same = load_profile("dong_e", {"nursing_bed_share": 0.65}).rule("nursing_bed_share")
    assert (same.defined_in, same.status) == ("dong_e", "C") and "第16条" in same.source


def test_stricter_binds_across_years(tmp_path):
    """Issue 21 item 5: a 65% target by 2024 plus an undated 90% must not silently drop a parent's binding 78%
    due by 2025: judged in 2026 every due figure binds and the strictest decides, naming those it overrules."""
    city = tmp_path / "city.yaml"
    city.write_text("inherits: national\nrules:\n  nursing_bed_share: {value: 0.78, by_year: 2025, status: C}\n")
    county = tmp_path / "county.yaml"
    county.write_text("inherits: city.yaml\nrules:\n  nursing_bed_share: {value: 0.65, by_year: 2024, status: C}\n")
    rule = load_profile(county, assess_year=2026).rule("nursing_bed_share")
    assert (rule.value, rule.defined_in) == (0.78, "city") and rule.overrules.startswith("65%（2024年）")
    # in 2024 only the county's 65% is due
    assert load_profile(county, assess_year=2024).value("nursing_bed_share") == 0.65
    stricter = tmp_path / "stricter.yaml"
    stricter.write_text("inherits: county.yaml\nrules:\n  nursing_bed_share: {value: 0.9, status: C}\n")
    rule = load_profile(stricter, assess_year=2026).rule("nursing_bed_share")
    assert rule.value == 0.9 and "78%（2025年）" in rule.overrules and "65%（2024年）" in rule.overrules


def test_assess_year_decides_which_targets_are_due():
    liaocheng = load_profile("liaocheng", assess_year=2024)
    assert liaocheng.assess_year == 2024
    assert not liaocheng.due("nursing_bed_share")  # 到2025年年底
    assert liaocheng.at_year(2025).due("nursing_bed_share") and liaocheng.at_year(2026).due("nursing_bed_share")
    assert liaocheng.due("land_m2_per_capita")  # no year: always due
    assert load_profile("liaocheng").due("nursing_bed_share")  # no assessment year: every target judged
    with pytest.raises(SitingInputError, match="'assess_year' must be a year from 2000 to 2100, got 24"):
        load_profile("liaocheng", assess_year=24)


def test_choice_and_year_entries_are_validated(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("inherits: dong_e\nrules:\n  new_area_counts: {value: borrowed}\n", encoding="utf-8")
    with pytest.raises(SitingInputError, match="'new_area_counts': 'borrowed' is not one of own, within_walk"):
        load_profile(path)
    path.write_text("inherits: dong_e\nrules:\n  nursing_bed_share: {value: 0.7, by_year: '2025'}\n", encoding="utf-8")
    with pytest.raises(SitingInputError, match=r"nursing_bed_share\.by_year"):
        load_profile(path)
    assert load_profile("dong_e", {"new_area_counts": "within_walk"}).value("new_area_counts") == "within_walk"


def test_rule_numbers_are_written_on_their_rows_and_match_the_readme():
    """Issue 23 item 4: each rule's number is written on its row of RULES, unique, never its position; the
    README's table of readings names, on each row, the profile key of every rule number it lists."""
    numbers = [r.number for r in RULES]
    assert len(set(numbers)) == len(numbers) and all(re.fullmatch(r"R\d\d", n) for n in numbers)
    by_number = {r.number: r for r in RULES}
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if re.match(r"\| R\d\d", line)]
    listed = set()
    for row in rows:
        first = row.split("|")[1]
        for number in re.findall(r"R\d\d", first):
            assert number in by_number, number
            assert f"`{by_number[number].key}`" in row, (number, by_number[number].key)
            listed.add(number)
    assert listed == set(numbers)
    # every R-number the code's docstrings cite is a rule of the table
    for module in ("compliance.py", "profiles.py", "plan.py"):
        text = (Path(__file__).resolve().parents[1] / "siting" / module).read_text(encoding="utf-8")
        assert set(re.findall(r"\bR\d\d\b", text)) <= set(numbers), module


def test_study_level_marks_county_rules_not_applicable():
    """Issue 21 item 6: a 街道 study gets no verdict on R12 (东政办字〔2023〕26号 第15条: 县级层面至少建成1处…
    县级特困人员供养机构): it reads 不适用（研究范围为街道）."""
    import geopandas as gpd
    from shapely.geometry import Point

    from siting.compliance import check_compliance_pairs, default_study_level, rules_sheet

    areas = gpd.GeoDataFrame(
        {"area_id": ["a"], "households": [100.0], "status": ["existing"], "township": ["五道口街道"]},
        geometry=[Point(0, 0)],
        crs=32650,
    )
    facilities = gpd.GeoDataFrame(
        {"facility_id": ["K"], "level": ["community"], "floor_area_m2": [400.0], "township": ["五道口街道"]},
        geometry=[Point(0, 10)],
        crs=32650,
    )
    pairs = pd.DataFrame({"area_id": ["a"], "facility_id": ["K"], "walk_min": [2.0]})
    units = pd.DataFrame({"name": ["五道口街道"], "level": ["township"]})
    assert default_study_level(units) == "street"
    result = check_compliance_pairs(areas, facilities, pairs, "dong_e", units=units)
    rules = result.rules.set_index("rule")
    assert (rules.loc["county_institutions", "verdict"], rules.loc["nursing_bed_share", "verdict"]) == (
        "not_applicable",
        "not_applicable",
    )
    sheet = rules_sheet(result.rules, "zh").set_index("编号")
    assert sheet.loc["R12", "结论"] == "不适用（研究范围为街道）"
    # stated in the scenario (level: 县), the same rule is judged: no county institution, 0 of 1
    county = load_profile("dong_e", study_level="县")
    assert (
        check_compliance_pairs(areas, facilities, pairs, county, units=units)
        .rules.set_index("rule")
        .loc["county_institutions", "verdict"]
        == "not_met"
    )
    with pytest.raises(SitingInputError, match="study level 市 is not one of"):
        load_profile("dong_e", study_level="市")


def test_least_site_area_is_the_largest_stated_minimum():
    """东阿: 单址 ≥ 200 m² (new and existing) and 社区中心 ≥ 300 m² → 300; 济宁 states 200 alone; national none."""
    assert load_profile("dong_e").least_site_area_m2() == 300.0
    assert load_profile("jining").least_site_area_m2() == 200.0
    assert load_profile("national").least_site_area_m2() == 0.0
    assert load_profile("dong_e", {"community_centre_min_m2": 150}).least_site_area_m2() == 200.0


def test_a_clause_is_read_as_the_profile_says_else_as_the_toolkit_does(tmp_path):
    """曹县 reads the 1000 m radius for existing areas only (its own reading); a profile of its own that
    extends nothing and states no reading gets the toolkit's; an override replaces the profile's reading."""
    assert load_profile("cao").reading("service_radius_scope") == "existing_areas"
    alone = load_profile(_write(tmp_path / "alone.yaml", "rules:\n  new_area_m2_per_100hh: 20\n"))
    assert alone.value("service_radius_scope") is None
    assert alone.reading("service_radius_scope") == "all_areas"
    assert alone.reading("service_radius_measure") == "straight"
    assert load_profile("cao", {"service_radius_scope": "all_areas"}).reading("service_radius_scope") == "all_areas"


def test_an_edited_profile_file_is_read_anew(tmp_path):
    """Layers are parsed once per content: an edit of the same length at once after a read is still seen."""
    path = _write(tmp_path / "mine.yaml", "rules:\n  new_area_m2_per_100hh: 20\n")
    assert load_profile(path).value("new_area_m2_per_100hh") == 20
    _write(path, "rules:\n  new_area_m2_per_100hh: 30\n")
    assert load_profile(path).value("new_area_m2_per_100hh") == 30
    assert load_profile(path).value("new_area_m2_per_100hh") == 30


def test_a_profiles_list_values_are_its_own():
    """Layers are parsed once, but a list value changed in one profile is not seen by the next."""
    first = load_profile("cao")
    assert first.value("township_centre_functions") == ["residential_care", "day_care", "home_care"]
    first.value("township_centre_functions").append("kangyang")
    assert load_profile("cao").value("township_centre_functions") == ["residential_care", "day_care", "home_care"]
