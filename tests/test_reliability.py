"""Hostile and careless inputs: each class of issue 16 answered with exit 2 and a clear message, nothing lost.

Numbers (non-finite, absurd, all zero), corrupt and empty files of every format, YAML misuse,
unwritable output paths, messages that name the right thing, formula text in workbooks, and runs
committing the same output folder at the same moment.
"""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from siting import inputs, network, pipeline, validation
from siting.cli import main
from siting.errors import SitingInputError, SitingWarning
from siting.files import check_output_path
from siting.labels import msg
from siting.plan import Study
from siting.profiles import load_profile
from siting.reachability import WalkSettings
from siting.report import atomic_folder, write_xlsx
from siting.safe_yaml import load_yaml
from siting.scenario import MAX_EXTENDS, load_scenario
from tests.conftest import DEMO, ROOT, UTM50, at

BASELINE = "scenarios/baseline.yml"


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def town(tmp_path) -> Path:
    """A copy of the demo town to spoil."""
    shutil.copytree(DEMO, tmp_path / "town")
    return tmp_path / "town"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _run(town: Path, capsys, *extra: str) -> tuple[int, str]:
    """Run the baseline scenario of ``town`` into ``town/out``; the exit code and stderr."""
    code = main(["run", str(town / BASELINE), "--out", str(town / "out"), *extra])
    return code, capsys.readouterr().err


def _refused(town: Path, capsys, *extra: str) -> str:
    """The run exits 2 with a message and no traceback, and writes nothing."""
    before = _hashes(town)
    code, err = _run(town, capsys, *extra)
    assert code == 2, err
    assert ("\n" + err).count("\nerror: ") == 1 and "Traceback" not in err, err
    assert not (town / "out").exists()
    assert [p.name for p in town.iterdir() if p.name.startswith(".out")] == []
    assert _hashes(town) == before
    return err


# -- 1. numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("quiet", [(), ("--quiet",)], ids=["loud", "quiet"])
def test_infinite_households_exit_2_before_anything_is_written(town, capsys, quiet):
    frame = gpd.read_file(town / "xiaoqu.gpkg", layer="xiaoqu")
    frame.loc[[3, 7], "总户数"] = np.inf
    frame.to_file(town / "xiaoqu.gpkg", layer="xiaoqu")
    err = _refused(town, capsys, *quiet)
    ids = frame["小区编号"].iloc[[3, 7]].tolist()
    assert "column '总户数': values are not finite numbers (inf or nan)" in err
    assert f"(rows: {ids[0]}, {ids[1]})" in err


def test_infinite_floor_area_names_column_and_row(town, capsys):
    _edit(town / "facilities.csv", "9800", "inf")
    err = _refused(town, capsys)
    assert "facilities.csv, column '建筑面积': values are not finite numbers" in err and "(rows: F01)" in err


def test_all_zero_households_exit_2(town, capsys):
    frame = gpd.read_file(town / "xiaoqu.gpkg", layer="xiaoqu")
    frame["总户数"] = 0
    frame.to_file(town / "xiaoqu.gpkg", layer="xiaoqu")
    assert "'总户数'" in _refused(town, capsys)


def test_every_offending_row_is_counted_and_ten_are_named(tmp_path):
    rows = "\n".join(f"F{i:02d},养老服务站,{500_000 + i},116.25,36.33" for i in range(25))
    path = tmp_path / "f.csv"
    path.write_text("编号,等级,建筑面积,lon,lat\nG1,养老服务站,100,116.25,36.33\n" + rows + "\n", encoding="utf-8")
    with pytest.raises(SitingInputError) as caught:
        inputs.read_facilities(path)
    text = str(caught.value)
    assert "column '建筑面积': values are outside the plausible range 0–200,000 m²" in text
    assert "(rows: F00, F01, F02, F03, F04, F05, F06, F07, F08, F09 and 15 more)" in text
    assert caught.value.rows == [f"F{i:02d}" for i in range(25)]


def test_odd_but_possible_values_warn_and_are_kept(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("编号,等级,建筑面积,lon,lat\nF1,养老服务站,80000,116.25,36.33\nF2,养老服务站,300,116.26,36.33\n")
    with pytest.warns(SitingWarning, match=r"beyond the usual 0–50,000 m².*\(rows: F1\)"):
        facilities = inputs.read_facilities(path)
    assert facilities["floor_area_m2"].tolist() == [80000.0, 300.0]


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("walk_speed_m_per_min", "1.0e+300", "1e+300 is outside the plausible range 20–120 m/min"),
        ("walk_speed_m_per_min", "0", "0 is outside the plausible range 20–120 m/min"),
        ("walk_minutes", "1.0e+12", "1e+12 is outside the plausible range 1–60 min"),
        ("service_radius_m", ".inf", "inf is not a finite number (plausible range 50–5,000 m)"),
    ],
)
def test_absurd_walking_settings_name_the_key_and_the_scenario_file(town, capsys, key, value, words):
    figures = {"walk_speed_m_per_min": "55", "walk_minutes": "15", "service_radius_m": "1000", key: value}
    line = "overrides: {" + ", ".join(f"{k}: {v}" for k, v in figures.items()) + "}"
    text = (town / BASELINE).read_text(encoding="utf-8").splitlines()
    (town / BASELINE).write_text(
        "\n".join(line if row.startswith("overrides:") else row for row in text) + "\n", encoding="utf-8"
    )
    err = _refused(town, capsys)
    assert f"file {town / BASELINE}:" in err
    assert f"overrides.{key}: expected a number in" in err and words in err


def test_reachability_settings_are_checked_with_their_key(town):
    with open(town / BASELINE, "a", encoding="utf-8") as handle:
        handle.write("reachability: {bands_min: [5, .nan], max_snap_m: 0}\n")
    with pytest.raises(SitingInputError) as caught:
        load_scenario(town / BASELINE)
    text = str(caught.value)
    assert "reachability.max_snap_m: 0 is outside the plausible range 1–5,000 m" in text
    assert "reachability.bands_min: nan is not a finite number" in text
    assert caught.value.source == str(town / BASELINE)


def test_profile_values_get_the_same_checks_naming_the_profile_file(tmp_path):
    path = tmp_path / "county.yaml"
    path.write_text("inherits: dong_e\nrules:\n  walk_speed_m_per_min: {value: 600, unit: m/min}\n", encoding="utf-8")
    with pytest.raises(SitingInputError) as caught:
        load_profile(path)
    assert caught.value.source == str(path) and caught.value.key == "walk_speed_m_per_min"
    assert "600 is outside the plausible range 20–120 m/min" in str(caught.value)


def test_walk_settings_refuse_non_finite_figures_and_warn_on_unusual_ones():
    with pytest.raises(SitingInputError, match="key 'walk_minutes': inf is not a finite number"):
        WalkSettings(walk_minutes=float("inf"))
    with pytest.warns(SitingWarning, match="key 'walk_speed_m_per_min': 30 is beyond the usual 40–90 m/min"):
        assert WalkSettings(walk_speed_m_per_min=30).walk_distance_m == 450


def test_the_readme_lists_the_plausible_ranges():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert validation.markdown_table() in readme
    exit_codes = readme[readme.index("**Exit codes**") :]
    assert exit_codes.index("| `households` | 0–100,000 |") < exit_codes.index("## Rule profiles")


# -- 2. readers fail cleanly --------------------------------------------------------------------------


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


HEADER = "编号,名称,等级,建筑面积,lon,lat\n"
READER_CASES = {
    "empty CSV": (lambda d: _write(d / "f.csv", b""), "the file is empty"),
    "header-only CSV": (lambda d: _write(d / "f.csv", HEADER), "the table has no rows"),
    "ragged CSV": (
        lambda d: _write(d / "f.csv", HEADER + "F1,a,站,100,116.25,36.33,9,9,9\n"),
        "the CSV's rows do not line up with its header",
    ),
    "unclosed quote": (lambda d: _write(d / "f.csv", HEADER + 'F1,"a,站,100,116.25,36.33\n'), "do not line up"),
    "latitude 999 in a CSV": (
        lambda d: _write(d / "f.csv", HEADER + "F1,a,站,100,116.25,36.33\nF2,b,站,100,116.25,999\n"),
        "column 'lon/lat': coordinates are not longitude/latitude in degrees (rows: 3)",
    ),
    "infinite coordinate": (
        lambda d: _write(d / "f.csv", HEADER + "F1,a,站,100,inf,36.33\n"),
        "missing or non-numeric coordinates (rows: 2)",
    ),
    "text GeoPackage": (lambda d: _write(d / "f.gpkg", "not a database"), "could not read the file"),
    "truncated GeoPackage": (
        lambda d: _write(d / "f.gpkg", (DEMO / "candidates.gpkg").read_bytes()[:6000]),
        "could not read the file",
    ),
    "truncated GeoJSON": (lambda d: _write(d / "f.geojson", '{"type": "FeatureCollection", "feat'), "could not read"),
    "latitude 999 in GeoJSON": (
        lambda d: _write(
            d / "f.geojson",
            '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"等级":"站","建筑面积":1},'
            '"geometry":{"type":"Point","coordinates":[116.2,999]}}]}',
        ),
        "column 'geometry': coordinates are not longitude/latitude in degrees (rows: 0)",
    ),
    "Shapefile without .shx": (
        lambda d: _write(d / "f.shp", b"\x00\x00\x27\x0a" + b"\x00" * 96),
        "could not read the file",
    ),
    "text saved as .xlsx": (lambda d: _write(d / "f.xlsx", HEADER), "could not read the file"),
    "folder": (lambda d: (d / "f.csv").mkdir() or d / "f.csv", "this is a folder, not a file"),
}


@pytest.mark.parametrize("case", READER_CASES)
def test_corrupt_and_empty_layers_are_input_errors_naming_the_file(tmp_path, case):
    make, words = READER_CASES[case]
    path = make(tmp_path)
    with pytest.raises(SitingInputError) as caught:
        inputs.read_facilities(path)
    assert words in str(caught.value)
    assert str(path) in str(caught.value)


NETWORK_CASES = {
    "OSM node at latitude 999": (
        lambda d: _write(
            d / "roads.osm",
            (DEMO / "roads.osm").read_text(encoding="utf-8").replace('lat="36.3169380" lon', 'lat="999" lon', 1),
        ),
        "network nodes have invalid coordinates",
    ),
    "truncated OSM": (
        lambda d: _write(d / "roads.osm", (DEMO / "roads.osm").read_bytes()[:40_000]),
        "could not read OpenStreetMap XML",
    ),
    "text PBF": (lambda d: _write(d / "roads.osm.pbf", "not protobuf"), "could not read the PBF file"),
    "empty GraphML": (lambda d: _write(d / "roads.graphml", b""), "could not read GraphML"),
    "text road layer": (lambda d: _write(d / "roads.gpkg", "x"), "could not read the file"),
    "folder": (lambda d: (d / "roads.osm").mkdir() or d / "roads.osm", "this is a folder, not a file"),
}


@pytest.mark.parametrize("case", NETWORK_CASES)
def test_corrupt_networks_are_input_errors_naming_the_file(tmp_path, case):
    make, words = NETWORK_CASES[case]
    path = make(tmp_path)
    with pytest.raises(SitingInputError) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        network.from_file(path)
    assert words in str(caught.value) and str(path) in str(caught.value)


def test_network_nodes_outside_the_degrees_are_named():
    import networkx as nx

    graph = nx.MultiDiGraph(crs="epsg:4326")
    graph.add_node(1, x=116.2, y=36.3)
    graph.add_node(2, x=116.2, y=95.0)
    graph.add_node(3, x=float("nan"), y=36.3)
    graph.add_edge(1, 2, highway="footway")
    graph.add_edge(1, 3, highway="footway")
    with pytest.raises(SitingInputError) as caught:
        network.from_graph(graph, source="test graph")
    assert caught.value.rows == ["2 (116.2, 95)", "3 (nan, 36.3)"]


# -- 3. YAML -------------------------------------------------------------------------------------------

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_a_billion_laughs_is_refused_before_it_is_expanded(tmp_path):
    path = _write(tmp_path / "s.yml", LAUGHS)
    assert len(LAUGHS.encode()) < 800
    with pytest.raises(SitingInputError, match=r"line \d+: with its aliases \(\*name\) expanded the file holds more"):
        load_scenario(path)


def test_a_profile_full_of_aliases_is_refused_too(tmp_path):
    path = _write(tmp_path / "p.yaml", LAUGHS)
    with pytest.raises(SitingInputError, match="expanded the file holds more than 100,000 values") as caught:
        load_profile(path)
    assert caught.value.source == str(path)


def test_anchors_and_merge_keys_in_reason_still_work(tmp_path):
    path = _write(tmp_path / "s.yml", "base: &b {x: 1, y: 2}\nderived: {<<: *b, y: 3}\nlist: [*b, *b]\n")
    data = load_yaml(path, missing=msg("scenario_not_found"), missing_fix=msg("file_not_found_fix"))
    assert data == {"base": {"x": 1, "y": 2}, "derived": {"x": 1, "y": 3}, "list": [{"x": 1, "y": 2}] * 2}


def test_duplicate_keys_are_an_error_with_both_lines(town, capsys):
    _edit(town / BASELINE, "profile: dong_e\n", "profile: dong_e\nprofile: national\n")
    err = _refused(town, capsys)
    assert "key 'profile': line 11: key 'profile' is stated twice (first at line 10)" in err


def test_duplicate_nested_keys_and_profile_keys_are_errors(tmp_path):
    path = _write(tmp_path / "p.yaml", "rules:\n  walk_minutes: 15\n  walk_minutes: 10\n")
    with pytest.raises(SitingInputError, match="line 3: key 'walk_minutes' is stated twice"):
        load_profile(path)


def test_deep_nesting_is_refused(tmp_path):
    path = _write(tmp_path / "s.yml", "name: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(SitingInputError, match="nested more than 64 levels deep"):
        load_scenario(path)


def test_extends_chains_are_limited_and_reported(town):
    folder = town / "scenarios"
    for i in range(MAX_EXTENDS + 8):
        _write(folder / f"s{i}.yml", f"extends: s{i + 1}.yml\n")
    _write(folder / f"s{MAX_EXTENDS + 8}.yml", "extends: baseline.yml\n")
    with pytest.raises(SitingInputError) as caught:
        load_scenario(folder / "s0.yml")
    assert caught.value.key == "extends"
    assert "the chain of 'extends' is longer than 32 files (starting at s0.yml)" in str(caught.value)
    # a chain within the limit is read as before
    _write(folder / "s30.yml", "extends: baseline.yml\n")
    assert load_scenario(folder / "s0.yml").name == "示范县城 现状"


def test_folders_named_as_files_are_said_to_be_folders(town, capsys, tmp_path):
    (tmp_path / "scenario.yml").mkdir()
    assert main(["run", str(tmp_path / "scenario.yml")]) == 2
    assert "scenario.yml: this is a folder, not a file" in capsys.readouterr().err
    (town / "scenarios" / "plan.yml").unlink()
    (town / "scenarios" / "plan.yml").mkdir()
    _write(town / "scenarios" / "child.yml", "extends: plan.yml\n")
    with pytest.raises(SitingInputError, match=r"plan\.yml: this is a folder, not a file"):
        load_scenario(town / "scenarios" / "child.yml")
    (town / "facilities.csv").unlink()
    (town / "facilities.csv").mkdir()
    assert "facilities.csv: this is a folder, not a file" in _refused(town, capsys)


# -- 4. output paths -----------------------------------------------------------------------------------


def _no_run(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the analysis started before the output path was checked")

    monkeypatch.setattr(pipeline, "run_scenario", refuse)
    monkeypatch.setattr(pipeline, "run_or_reuse", refuse)


def test_an_output_under_a_file_is_refused_before_any_work(town, capsys, monkeypatch):
    _no_run(monkeypatch)
    blocker = _write(town / "a_file", "x")
    assert main(["run", str(town / BASELINE), "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert f"folder {blocker / 'out'}: {blocker} is a file, so no folder can be made under it" in err
    assert main(["run", str(town / BASELINE), "--out", str(blocker)]) == 2
    assert f"folder {blocker}: this is a file, not a folder" in capsys.readouterr().err
    assert main(["compare", str(town / BASELINE), str(town / "scenarios/plan.yml"), "--out", str(blocker)]) == 2
    assert "this is a file, not a folder" in capsys.readouterr().err


def test_a_name_too_long_is_refused_before_any_work(town, capsys, monkeypatch):
    _no_run(monkeypatch)
    assert main(["run", str(town / BASELINE), "--out", str(town / ("长" * 100))]) == 2
    assert "is too long (300 bytes, at most 223)" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_proc_is_refused_before_any_work(town, capsys, monkeypatch):
    _no_run(monkeypatch)
    assert main(["run", str(town / BASELINE), "--out", "/proc/siting-out"]) == 2
    assert "folder /proc/siting-out: cannot write in /proc" in capsys.readouterr().err
    with pytest.raises(SitingInputError, match="cannot write in /proc"):
        pipeline.run_demo(out=town / "demo", maps="/proc/maps")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        with pytest.raises(SitingInputError, match=f"no permission to write in {locked}"):
            check_output_path(locked / "out")
    finally:
        locked.chmod(0o755)


def test_a_read_only_file_system_is_named(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    with pytest.raises(SitingInputError) as caught:
        check_output_path(tmp_path / "a" / "b", key="output")
    assert str(caught.value).startswith(f"folder {tmp_path / 'a' / 'b'}, key 'output': {tmp_path} is on a read-only")
    assert not (tmp_path / "a").exists()


# -- 5. messages name the right thing ------------------------------------------------------------------


def test_far_away_candidates_are_called_candidates_all_counted_before_the_optimiser(
    t_network, t_areas, t_facilities, monkeypatch
):
    import siting.plan

    def no_solver(*args, **kwargs):
        raise AssertionError("the optimiser ran before the candidates were checked")

    monkeypatch.setattr(siting.plan, "_solve", no_solver)
    candidates = gpd.GeoDataFrame(
        {"candidate_id": [f"C{i:02d}" for i in range(20)], "name": "x", "max_floor_area_m2": np.nan},
        geometry=[shapely.Point(at(200_000 + 100 * i, 0)) for i in range(20)],
        crs=UTM50,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = Study.create(t_network, t_areas, t_facilities)
        study.assess()
    with pytest.raises(SitingInputError) as caught:
        study.propose(candidates, "max_coverage", p=1)
    text = str(caught.value)
    assert "candidate sites lie more than" in text and "facilities" not in text.split(":")[1]
    assert "(rows: C00, C01, C02, C03, C04, C05, C06, C07, C08, C09 and 10 more)" in text
    assert len(caught.value.rows) == 20


# -- 6. text stays text ----------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://example.com/?x="&A1,"点击")', "=1+1", "+1+1", "-1+1", "@SUM(A1:A2)"]


def _formula_cells(path: Path) -> list[tuple[str, str]]:
    book = openpyxl.load_workbook(path)
    return [
        (sheet.title, cell.coordinate)
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def test_write_xlsx_stores_formula_like_text_as_text(tmp_path):
    frame = pd.DataFrame({"name": [*FORMULAS, "普通名称"], "=header": range(6)})
    path = write_xlsx({"设施": frame}, tmp_path / "t.xlsx")
    assert _formula_cells(path) == []
    sheet = openpyxl.load_workbook(path)["设施"]
    assert [cell.value for cell in sheet["A"]][1:] == [*FORMULAS, "普通名称"]  # shown as typed
    assert [cell.quotePrefix for cell in sheet["A"]][1:] == [True] * 5 + [False]
    assert sheet["B1"].value == "=header" and sheet["B1"].data_type == "s"
    assert [cell.value for cell in sheet["B"]][1:] == list(range(6))  # numbers stay numbers


@pytest.mark.filterwarnings("ignore")
@pytest.mark.heavy
def test_formula_names_in_the_input_stay_text_in_report_and_comparison(town, tmp_path):
    table = pd.read_csv(town / "facilities.csv", dtype=str)
    table.loc[: len(FORMULAS) - 1, "名称"] = FORMULAS
    table.to_csv(town / "facilities.csv", index=False)
    result, folder = pipeline.run_and_write(load_scenario(town / BASELINE), out=tmp_path / "run", progress=False)
    assert _formula_cells(folder / "report.xlsx") == []
    names = [cell.value for cell in openpyxl.load_workbook(folder / "report.xlsx")["设施"]["B"]]
    assert set(FORMULAS) <= set(names)
    from siting.report import write_comparison

    write_comparison([result, result], tmp_path / "compare")
    assert _formula_cells(tmp_path / "compare" / "comparison.xlsx") == []


# -- 7. runs committing the same folder at once ----------------------------------------------------------


def _commit_at_once(target: str, barrier, number: int) -> None:
    with atomic_folder(target) as work:
        (work / "who.txt").write_text(str(number), encoding="utf-8")
        (work / "data.bin").write_bytes(bytes([number]) * 100_000)
        barrier.wait()  # every process holds a finished work folder: commit together


def test_concurrent_commits_each_put_a_whole_folder_in_place(tmp_path):
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    target = tmp_path / "out"
    for _round in range(3):
        barrier = context.Barrier(6)
        processes = [context.Process(target=_commit_at_once, args=(str(target), barrier, n)) for n in range(6)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        assert [process.exitcode for process in processes] == [0] * 6
        number = int((target / "who.txt").read_text(encoding="utf-8"))
        assert (target / "data.bin").read_bytes() == bytes([number]) * 100_000
        assert sorted(p.name for p in target.iterdir()) == [".siting-output", "data.bin", "who.txt"]
        assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no work folders left beside it


def test_yaml_module_is_not_used_unsafely():
    # every YAML a person writes goes through siting.safe_yaml
    package = ROOT / "siting"
    offenders = [p.name for p in package.rglob("*.py") if "yaml.safe_load(" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_the_new_messages_speak_chinese(tmp_path):
    from siting.labels import language

    path = _write(tmp_path / "f.csv", "编号,等级,建筑面积,lon,lat\nF1,养老服务站,900000,116.25,36.33\n")
    with pytest.raises(SitingInputError) as too_big:
        inputs.read_facilities(path)
    duplicated = _write(tmp_path / "s.yml", "name: a\nname: b\n")
    with pytest.raises(SitingInputError) as twice:
        load_scenario(duplicated)
    with pytest.raises(SitingInputError) as under_file:
        check_output_path(path / "out")
    with language("zh"):
        assert "列“建筑面积”：有的值超出合理范围 0至200,000 平方米（行：F1）" in str(too_big.value)
        assert "第 2 行：设置项“name”重复（第 1 行已写过）" in str(twice.value)
        assert f"{path} 是一个文件，不能在其下建文件夹" in str(under_file.value)
