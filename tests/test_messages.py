"""Messages in Chinese (the default) and English: every text in both, rendered when shown."""

from __future__ import annotations

import ast
import os
import string
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from siting import households, inputs, labels, maps, network, reachability
from siting.compliance import check_compliance_pairs
from siting.errors import SitingInputError, SitingWarning
from siting.labels import MESSAGES, language, msg
from siting.optimize import PMedian, SitingProblem
from siting.profiles import load_profile
from siting.report import atomic_folder
from siting.snapping import attach_areas
from tests.conftest import UTM50, at, box


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key):
    zh, en = MESSAGES[key]
    assert zh.strip() and en.strip()
    assert _fields(zh) == _fields(en)
    # a Chinese text is Chinese: at least one CJK character (punctuation-only frames excepted)
    if any(ch.isalpha() for ch in en):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), zh


def test_error_renders_in_the_language_in_force():
    error = SitingInputError(
        msg("interrupted"), source="a.csv", layer="L", column="户数", rows=[f"R{i}" for i in range(12)], fix="x"
    )
    with language("zh"):
        assert str(error) == (
            "文件 a.csv，图层“L”，列“户数”：已中断；没有留下写了一半的输出文件夹"
            "（行：R0、R1、R2、R3、R4、R5、R6、R7、R8、R9 及另外 2 行）。修改方法：x"
        )
    with language("en"):
        assert str(error) == (
            "file a.csv, layer 'L', column '户数': interrupted; no output folder was left half-written"
            " (rows: R0, R1, R2, R3, R4, R5, R6, R7, R8, R9 and 2 more). Fix: x"
        )
    assert error.message("zh").startswith("文件 a.csv")


def test_key_is_named():
    error = SitingInputError("bad", source="s.yml", key="optimize.p")
    assert error.message("en") == "file s.yml, key 'optimize.p': bad"
    assert error.message("zh") == "文件 s.yml，设置项“optimize.p”：bad"


def test_warning_renders_when_shown():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(SitingWarning(msg("interrupted")), stacklevel=1)
    with language("zh"):
        assert str(caught[0].message).startswith("已中断")
    with language("en"):
        assert str(caught[0].message).startswith("interrupted")


def test_unknown_language_and_key_are_refused():
    with pytest.raises(ValueError, match="language"):
        labels.set_language("fr")
    with pytest.raises(KeyError):
        msg("no such message")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "错误：文件 /nonexistent/场景.yml"),
        (["--lang", "en"], "error: file /nonexistent/场景.yml"),
    ],
)
@pytest.mark.heavy
def test_command_line_speaks_chinese_by_default(args, expected):
    env = {k: v for k, v in os.environ.items() if k != "SITING_LANG"}
    done = subprocess.run(
        [sys.executable, "-m", "siting", "run", "/nonexistent/场景.yml", *args],
        capture_output=True,
        text=True,
        env=env,
        encoding="utf-8",
    )
    assert done.returncode == 2
    assert done.stderr.startswith(expected), done.stderr
    assert "Traceback" not in done.stderr


# -- every text in labels.MESSAGES, and nothing but --------------------------------------------------

PACKAGE = Path(__file__).resolve().parents[1] / "siting"


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            yield name, node


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_errors_and_warnings_use_message_keys(path):
    plain = []
    for name, call in _calls(path):
        first = call.args[0] if call.args else None
        text = isinstance(first, (ast.Constant, ast.JoinedStr, ast.BinOp))
        if name in {"SitingInputError", "SitingWarning", "error"} and text:
            plain.append(f"line {call.lineno}: {name}(<plain text>)")
        warns = name == "warn" and ast.unparse(call.func) == "warnings.warn"
        if warns and not (isinstance(first, ast.Call) and ast.unparse(first.func).endswith("Warning")):
            plain.append(f"line {call.lineno}: warnings.warn without a SitingWarning")
        if name == "msg" and isinstance(first, ast.Constant) and first.value not in MESSAGES:
            plain.append(f"line {call.lineno}: msg({first.value!r}) is not in labels.MESSAGES")
    assert not plain, plain


def test_every_message_is_used():
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py") if p.name != "labels.py")
    assert [key for key in MESSAGES if f'"{key}"' not in source] == []


# -- each module's messages in Chinese and English ---------------------------------------------------


def _bad_floor_area(tmp_path):
    path = tmp_path / "设施.csv"
    path.write_text(
        "编号,等级,建筑面积,lon,lat\nF1,养老服务站,120,116.25,36.33\nF2,养老服务站,一百,116.26,36.33\n",
        encoding="utf-8",
    )
    return path


def _raise(case: str, tmp_path: Path, t_network, t_areas, t_facilities) -> None:
    """Trigger one representative error of one module."""
    if case == "inputs":
        inputs.read_facilities(_bad_floor_area(tmp_path))
    elif case == "households":
        households.from_population(pd.Series([100.0]), household_size=0)
    elif case == "network":
        network.from_file(tmp_path / "roads.dwg")
    elif case == "snapping":
        gates = gpd.GeoDataFrame({"area_id": ["X9"]}, geometry=[shapely.Point(at(10, 10))], crs=UTM50)
        attach_areas(t_network, t_areas, entrances=gates)
    elif case == "reachability":
        far = t_areas.copy()
        far.loc[1, "geometry"] = box(50_000, 0, 50_060, 60)
        reachability.assess_access(t_network, far, t_facilities)
    elif case == "profiles":
        load_profile("dong_e", {"walk_sped_m_per_min": 55})
    elif case == "compliance":
        areas = t_areas.assign(status=["existing", "old", "new", "new", "new"])
        pairs = pd.DataFrame({"area_id": ["A1"], "facility_id": ["F1"], "walk_min": [5.0]})
        check_compliance_pairs(areas, t_facilities, pairs, "dong_e")
    elif case == "maps":
        maps.result_map(t_areas.assign(within_walk=True), basemap="tianditu", tianditu_key="")
    elif case == "report":
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "mine.txt").write_text("x", encoding="utf-8")
        with atomic_folder(tmp_path / "out"):
            pass
    elif case == "optimize":
        PMedian(p=3).solve(SitingProblem([1.0], [0], [0], [1.0], n_sites=2))
    else:
        raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "zh", "en"),
    [
        (
            "inputs",
            ["文件 ", "设施.csv，列“建筑面积”：有的值不是数字（行：F2）。修改方法：只填数字"],
            ["file ", "设施.csv, column '建筑面积': values are not numbers (rows: F2). Fix: enter plain numbers"],
        ),
        ("households", ["户均人口", "为 0"], ["household_size must be positive, got 0"]),
        (
            "network",
            ["文件 ", "roads.dwg：未知的路网文件格式“.dwg”"],
            ["roads.dwg: unknown street network format '.dwg'"],
        ),
        (
            "snapping",
            ["出入口图层，列“area_id”：出入口所属的小区不存在（行：X9）"],
            ["entrances layer, column 'area_id'"],
        ),
        (
            "reachability",
            ["有小区位于路网", "5 公里以上", "（行：A2）"],
            ["residential areas lie more than 5 km", "A2"],
        ),
        (
            "profiles",
            ["覆盖值（overrides）：未知的规则键“walk_sped_m_per_min”", "walk_speed_m_per_min"],
            ["overrides: unknown profile key"],
        ),
        ("compliance", ["列“status”", "new", "（行：A2）"], ["column 'status'", "(rows: A2)"]),
        ("maps", ["天地图底图需要密钥"], ["the Tianditu (天地图) base map needs a key"]),
        ("report", ["文件夹 ", "不是 siting 的输出文件夹"], ["folder ", "is not a siting output folder"]),
        (
            "optimize",
            ["要求新增 p=3 处设施，但问题只有 2 个备选点"],
            ["p=3 new sites requested but the problem has 2 candidates"],
        ),
    ],
)
def test_each_module_speaks_chinese_and_english(case, zh, en, tmp_path, t_network, t_areas, t_facilities):
    with pytest.raises(SitingInputError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _raise(case, tmp_path, t_network, t_areas, t_facilities)
    for language_, parts in (("zh", zh), ("en", en)):
        text = info.value.message(language_)
        for part in parts:
            assert part in text, (language_, text)


def test_warnings_speak_chinese_and_name_rows(t_lines, t_areas, t_facilities):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = network.from_lines(t_lines)
        reachability.assess_access(net, t_areas, t_facilities)
    texts = {type(w.message).__name__: w.message for w in caught}
    assert set(texts) == {"SitingWarning"}
    shown = [w.message.message("zh") for w in caught]
    assert any("只保留了路网中最大的连通部分；删去了 1 个" in t and "2 个节点" in t for t in shown), shown
    assert any("1 处设施距最近道路超过 300 米" in t and "（行：F2）" in t for t in shown), shown


@pytest.mark.heavy
def test_command_line_names_the_same_file_column_and_rows_in_both_languages(tmp_path):
    demo = Path(__file__).resolve().parents[1] / "data" / "demo_town"
    rows = (demo / "facilities.csv").read_text(encoding="utf-8").splitlines()
    rows[2] = rows[2].replace(",1350,", ",一千三百五十,")  # F02's floor area written in words
    (tmp_path / "设施.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    scenario = tmp_path / "现状.yml"
    scenario.write_text(
        f"name: 现状\nnetwork: {{path: {demo / 'roads.osm'}}}\n"
        f"residential: {{path: {demo / 'xiaoqu.gpkg'}, layer: xiaoqu}}\n"
        "facilities: {path: 设施.csv, crs: gcj02}\nprofile: dong_e\noutput: out\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "SITING_LANG"}
    shown = {}
    for args in ([], ["--lang", "en"]):
        done = subprocess.run(
            [sys.executable, "-m", "siting", "run", str(scenario), "--quiet", *args],
            capture_output=True,
            text=True,
            env=env,
            encoding="utf-8",
        )
        assert done.returncode == 2, done.stderr
        shown[bool(args)] = done.stderr.strip()
    path = str(tmp_path / "设施.csv")
    assert (
        shown[False]
        == f"错误：文件 {path}，列“建筑面积”：有的值不是数字（行：F02）。修改方法：只填数字（不带单位或文字）"
    )
    assert shown[True] == (
        f"error: file {path}, column '建筑面积': values are not numbers (rows: F02). "
        "Fix: enter plain numbers (no units or text)"
    )
    assert not (tmp_path / "out").exists()
