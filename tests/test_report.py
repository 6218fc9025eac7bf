"""Report files: whole-or-nothing folders, byte-stable GeoPackage and Excel files, the comparison table."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from siting.errors import SitingInputError
from siting.report import (
    MARKER,
    atomic_folder,
    comparison_table,
    format_summary,
    write_csv,
    write_gpkg,
    write_xlsx,
)


def test_atomic_folder_replaces_whole_on_success(tmp_path):
    target = tmp_path / "out"
    with atomic_folder(target) as work:
        assert not target.exists() and work.parent == tmp_path and work.name.startswith(".out.partial-")
        (work / "a.txt").write_text("1")
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "a.txt"]
    with atomic_folder(target) as work:
        (work / "b.txt").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "b.txt"], "old files must not survive"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_folder_keeps_the_old_folder_on_error(tmp_path):
    target = tmp_path / "out"
    with atomic_folder(target) as work:
        (work / "a.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_folder(target) as work:
        (work / "a.txt").write_text("half")
        raise RuntimeError("failed half-way")
    assert (target / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_folder_refuses_a_folder_that_is_not_siting_output(tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "thesis.docx").write_text("precious")
    with pytest.raises(SitingInputError, match="not a siting output folder"), atomic_folder(target):
        pass
    assert (target / "thesis.docx").read_text() == "precious"


@pytest.mark.heavy
def test_work_folders_of_dead_runs_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".out.partial-{pid}"
    stale.mkdir()
    (stale / "half.gpkg").write_text("x")
    other = tmp_path / f".other.partial-{pid}"  # another target's work folder is not ours to remove
    other.mkdir()
    with atomic_folder(tmp_path / "out"):
        pass
    assert not stale.exists() and other.exists()


@pytest.fixture
def frame():
    return gpd.GeoDataFrame(
        {
            "area_id": ["A1", "A2"],
            "name": ["翠园小区", "杏林小区"],
            "households": [188.0, 222.0],
            "ok": pd.array([True, None], dtype="boolean"),
            "served": [["F1", "F2"], []],
            "flag": [True, False],
        },
        geometry=[shapely.box(116.0, 36.0, 116.001, 36.001), shapely.box(116.002, 36.0, 116.003, 36.001)],
        crs=4326,
    )


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_gpkg_is_byte_identical_when_written_later(tmp_path, frame):
    write_gpkg(frame, tmp_path / "a.gpkg", "areas")
    time.sleep(1.1)  # GDAL stamps gpkg_contents.last_change to the second
    write_gpkg(frame, tmp_path / "b.gpkg", "areas")
    assert (tmp_path / "a.gpkg").read_bytes() == (tmp_path / "b.gpkg").read_bytes()
    back = gpd.read_file(tmp_path / "a.gpkg")
    assert back["served"].tolist() == ["F1;F2", ""]
    assert back["ok"].tolist()[0] == 1 and pd.isna(back["ok"].tolist()[1])
    assert back["name"].tolist() == ["翠园小区", "杏林小区"]


def test_csv_has_bom_and_lonlat(tmp_path, frame):
    write_csv(frame, tmp_path / "a.csv")
    raw = (tmp_path / "a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(tmp_path / "a.csv", encoding="utf-8-sig")
    assert list(table.columns)[-2:] == ["lon", "lat"]
    assert table["lon"].between(116.0, 116.003).all() and table["lat"].between(36.0, 36.001).all()


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_xlsx_is_byte_identical_and_dated_fixed(tmp_path):
    sheets = {"汇总": pd.DataFrame({"指标": ["户数"], "数值": [44128]})}
    write_xlsx(sheets, tmp_path / "a.xlsx")
    time.sleep(2.1)  # zip entries carry a 2-second resolution time
    write_xlsx(sheets, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    core = zipfile.ZipFile(tmp_path / "a.xlsx").read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core
    assert pd.read_excel(tmp_path / "a.xlsx", sheet_name="汇总")["数值"].tolist() == [44128]


def _summary(name: str, within: float, sites: int, *, failed: int = 0, cost=None, objective=None) -> dict:
    """A scenario's summary: ``failed`` of its three rules not met; ``objective`` an (objective, value) pair."""
    settings = {"walk_minutes": 15.0, "walk_speed_m_per_min": 60.0, "service_radius_m": 1000.0}
    if objective is not None:
        settings["optimize"] = {"objective": objective[0]}
    return {
        "scenario": name,
        "profile": "dong_e",
        "households_total": 1000.0,
        "households_within_walk": within,
        "share_within_walk": within / 1000,
        "floor_area_shortfall_m2": 1197.357564 - within,
        "proposed_sites": sites,
        "plan_cost": cost,
        "objective": None if objective is None else objective[1],
        "status": "optimal",
        "gap": 0.0,
        "compliance": {"rules": [{"verdict": "not_met"}] * failed + [{"verdict": "met"}] * (3 - failed)},
        "settings": settings,
    }


def _compared(*summaries: dict) -> pd.DataFrame:
    """The comparison table of scenarios given by their summaries, indexed by figure."""
    return comparison_table([{"summary": s} for s in summaries]).set_index("key")


def test_comparison_table_differences_by_hand():
    table = _compared(
        _summary("现状", 600.0, 0, failed=2),
        _summary("方案", 950.0, 3, cost=420.0, objective=("compliance", 420.0)),
        _summary("方案", 1000.0, 4, cost=300.4, objective=("compliance", 300.4)),
    )
    assert list(table.columns) == [
        *("item", "item_en", "unit", "unit_en", "现状", "方案", "方案 (2)"),
        *("方案 − 现状", "方案 (2) − 现状", "best", "reason", "reason_en"),
    ]
    assert table.loc["households_within_walk", "方案 − 现状"] == 350
    assert table.loc["households_within_walk", "unit"] == "户"
    # shares in percent, their differences in percentage points, to 0.1
    assert table.loc["share_within_walk", ["现状", "方案 (2)", "方案 (2) − 现状"]].tolist() == [60.0, 100.0, 40.0]
    assert table.loc["share_within_walk", "unit"] == "%（差值为百分点）"
    assert table.loc["share_within_walk", "unit_en"] == "% (differences in percentage points)"
    # m² whole: 1197.357564 - 600 is 597 m², not 597.357564
    assert table.loc["floor_area_shortfall_m2", ["现状", "方案 − 现状"]].tolist() == [597, -350]
    assert table.loc["proposed_sites", "方案 (2) − 现状"] == 4
    assert pd.isna(table.loc["status", "方案 − 现状"])
    assert table.loc["share_within_walk", "item"] == "15分钟养老服务圈覆盖率(按户)"
    assert table.loc["status", "item"] == "求解状态"
    # per figure, which scenario is better: more households within the walk, less shortfall and cost;
    # none for totals, settings and the means of a plan
    assert table.loc["households_within_walk", "best"] == "方案 (2)"
    assert table.loc["floor_area_shortfall_m2", "best"] == "方案 (2)"
    assert table.loc["plan_cost", "best"] == "方案 (2)" and table.loc["plan_cost", "方案 (2)"] == 300.4
    assert table.loc["rules_not_met", ["现状", "方案", "best"]].tolist() == [2, 0, "方案、方案 (2)"]
    assert table.loc[["households_total", "proposed_sites", "walk_minutes", "status"], "best"].tolist() == [""] * 4
    # the verdict: the least cost of those meeting every rule
    verdict = table.loc["verdict"]
    assert verdict[["现状", "方案", "方案 (2)", "best"]].tolist() == [
        "fails_rules",
        "meets_every_rule",
        "meets_every_rule",
        "方案 (2)",
    ]
    assert verdict["reason"] == "方案 (2)：满足全部规则的 2 个方案中费用最低（300.4 费用单位）"


def test_comparison_verdict_when_no_plan_meets_every_rule_and_objectives_differ():
    table = _compared(
        _summary("现状", 600.0, 0, failed=2),
        _summary("步行", 990.0, 5, failed=1, objective=("p_median", 4321.5)),
        _summary("覆盖", 980.0, 2, failed=1, objective=("max_coverage", 980.0)),
    )
    # 户·分钟 and 户 never share a row
    assert "objective" not in table.index
    assert table.loc["objective_cost_households", ["unit", "步行", "覆盖"]].tolist() == ["户·分钟", 4321.5, None]
    assert table.loc["objective_weight_households", ["unit", "步行", "覆盖"]].tolist() == ["户", None, 980.0]
    assert table.loc["objective_cost_households", "best"] == "" == table.loc["objective_weight_households", "best"]
    # both fail one rule: more households within the walk decides
    assert table.loc["verdict", "best"] == "步行"
    assert table.loc["verdict", "reason_en"] == "步行: no scenario meets every rule; this one fails the fewest (1)"


def test_format_summary_mentions_the_figures():
    summary = {
        **_summary("现状", 594.0, 0),
        "households_within_radius": 990.0,
        "share_within_radius": 0.99,
        "areas_floor_area_ok": 32,
        "areas_total": 83,
        "share_households_floor_area_ok": 0.325,
        "floor_area_shortfall_m2": 4528.5,
    }
    text = format_summary(summary)
    assert "594 / 1,000" in text and "(59.4%)" in text and "32 / 83" in text and "4,528" in text
    assert "15分钟步行可达" in text  # no walk stated in the summary: the toolkit's 15 minutes
    ten = format_summary({**summary, "settings": {"walk_minutes": 10.0}})
    assert "10分钟步行可达" in ten and "10 分钟 min" in ten and "15分钟" not in ten


def test_comparison_objective_rows_follow_their_unit():
    same = [_summary(n, 900.0, 2, objective=("p_median", v)) for n, v in (("甲", 5000.0), ("乙", 4000.0))]
    table = _compared(*same)
    # one unit: one row, and the smaller household-minutes is better
    assert table.loc["objective", ["unit", "甲", "乙", "乙 − 甲", "best"]].tolist() == [
        "户·分钟",
        5000.0,
        4000.0,
        -1000.0,
        "乙",
    ]
    elderly = _summary("丙", 900.0, 2, objective=("p_median", 1500.0))
    elderly["settings"]["optimize"]["weight"] = "elderly"
    table = _compared(*same, elderly)
    assert table.loc["objective_cost_households", ["甲", "乙", "丙"]].tolist() == [5000.0, 4000.0, None]
    assert table.loc["objective_cost_elderly", ["unit", "丙"]].tolist() == ["人·分钟", 1500.0]
