"""siting batch: scenarios on a Dask LocalCluster, failures recorded, outputs as siting run's, resumption.

The issue's whole case: three scenarios (one broken) on a LocalCluster of two worker processes that
``siting batch`` starts itself, compared byte for byte with ``siting run``, then again on a process
cluster of the test's, which must reuse the finished output. Also a broken and a good demo-town
scenario on a real LocalCluster the test starts in its own process (one worker thread, ``--scheduler``).
Slow (``-m slow``): a worker stopped for its memory limit. Failure recording, messages and argument
checks are tested without a cluster where they can be.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from distributed import KilledWorker, LocalCluster

from siting import batch
from siting.cli import main
from siting.errors import SitingInputError
from siting.labels import column_label
from siting.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo_town"
GOOD = {"baseline.yml": "示范县城 现状", "slow.yml": "慢速 45 m/min"}
#: The folder of "慢速 45 m/min": a slash cannot be in a folder name.
FOLDERS = {"baseline.yml": "示范县城 现状", "slow.yml": "慢速 45 m_min"}


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _stamps(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(*args: str) -> SimpleNamespace:
    """``siting`` in this process, with what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return SimpleNamespace(code=code, out=out.getvalue(), err=err.getvalue())


def _baseline(**changes) -> dict:
    """The demo baseline with absolute paths, changed as given (None removes a key)."""
    config = yaml.safe_load((DEMO / "scenarios" / "baseline.yml").read_text(encoding="utf-8"))
    for key in ("network", "residential", "entrances", "facilities", "units"):
        config[key]["path"] = str((DEMO / "scenarios" / config[key]["path"]).resolve())
    config.pop("output")
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


def _write(path: Path, config: dict) -> Path:
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _assert_rows_agree_with_summaries(out: Path, table: pd.DataFrame, sheet: pd.DataFrame, rows: list[int]) -> None:
    """Each row of the batch summary (CSV and workbook) has the figures of its folder's summary.json."""
    for row in rows:
        summary = json.loads((out / table["folder"][row] / "summary.json").read_text(encoding="utf-8"))
        for key in batch.FIGURE_KEYS:
            expected = summary["status" if key == "solver_status" else key]
            assert pd.isna(table[key][row]) if expected is None else table[key][row] == expected, key
            if isinstance(expected, float):  # the workbook holds the numbers themselves
                assert sheet[column_label(key, "zh")][row] == expected, key


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scenarios")
    _write(folder / "baseline.yml", _baseline())
    _write(folder / "slow.yml", _baseline(name=GOOD["slow.yml"], overrides={"walk_speed_m_per_min": 45}))
    _write(
        folder / "broken.yml",
        _baseline(name="缺文件", residential={"path": str(folder / "nowhere.gpkg")}, entrances=None, units=None),
    )
    return folder


@pytest.mark.heavy
def test_batch_on_a_cluster_given_by_its_scheduler_records_the_failure_and_resumes(scenarios, tmp_path):
    out = tmp_path / "out"
    files = [str(scenarios / "broken.yml"), str(scenarios / "baseline.yml")]
    # a real LocalCluster, its worker a thread of this process: no second import of the geospatial stack
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        first = _run("batch", *files, "--out", str(out), "--scheduler", cluster.scheduler_address)
        stamps = _stamps(out / "示范县城 现状")
        second = _run("batch", *files, "--out", str(out), "--scheduler", cluster.scheduler_address, "--quiet")
    assert first.code == 3, first.err
    assert "Dask cluster inproc://" in first.err and ": 1 workers" in first.err
    assert "1 of 2 scenarios failed:" in first.err and "Traceback" not in first.err
    assert "1 of 2 scenarios done (0 of them reused" in first.out
    table = pd.read_csv(out / "batch_summary.csv", encoding="utf-8-sig")
    assert table["scenario"].tolist() == ["缺文件", "示范县城 现状"]  # in the order given
    assert table["status"].tolist() == ["failed", "ok"]
    assert table["error"][0].startswith(f"file {scenarios / 'nowhere.gpkg'}: file not found. Fix: check the path")
    sheet = pd.read_excel(out / "batch_summary.xlsx", engine="openpyxl")
    _assert_rows_agree_with_summaries(out, table, sheet, rows=[1])
    assert '"n":["示范县城 现状"]' in (out / "batch_map.html").read_text(encoding="utf-8")
    # the second run reuses the finished scenario (its files untouched) and fails the broken one again
    assert second.code == 3 and second.out == "" and "1 of 2 scenarios failed:" in second.err
    assert _stamps(out / "示范县城 现状") == stamps
    again = pd.read_csv(out / "batch_summary.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(again, table)


@pytest.fixture(scope="module")
def batch_runs(scenarios, tmp_path_factory):
    """The batch on its own LocalCluster, ``siting run`` of the good scenarios, then the batch again on
    a LocalCluster of the test's (``--scheduler``)."""
    base = tmp_path_factory.mktemp("batch")
    out = base / "out"
    first = _run("batch", str(scenarios), "--out", str(out), "--workers", "2")
    assert multiprocessing.active_children() == [], "the batch left worker processes running"
    after_first = {"hashes": _hashes(out), "stamps": {name: _stamps(out / name) for name in FOLDERS.values()}}
    runs = {}
    for file in GOOD:
        runs[file] = base / "run" / file
        assert _run("run", str(scenarios / file), "--out", str(runs[file]), "--quiet").code == 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        second = _run("batch", str(scenarios), "--out", str(out), "--scheduler", cluster.scheduler_address)
    return SimpleNamespace(out=out, first=first, second=second, runs=runs, after_first=after_first)


@pytest.mark.heavy
def test_some_failed_exits_3_and_lists_the_failure_on_stderr(batch_runs, scenarios):
    first = batch_runs.first
    assert first.code == 3, first.err
    assert "1 of 3 scenarios failed:" in first.err
    assert f"缺文件 ({scenarios / 'broken.yml'}): file {scenarios / 'nowhere.gpkg'}: file not found" in first.err
    assert "Traceback" not in first.err
    assert "local Dask cluster: 2 worker processes" in first.err
    assert "2 of 3 scenarios done (0 of them reused" in first.out


@pytest.mark.parametrize("file", sorted(GOOD))
@pytest.mark.heavy
def test_good_outputs_are_byte_identical_to_siting_run(batch_runs, file):
    folder = batch_runs.out / FOLDERS[file]
    written = _hashes(folder)
    assert {"summary.json", "areas.gpkg", "areas.csv", "facilities.gpkg", "report.xlsx", "map.html"} <= set(written)
    assert written == _hashes(batch_runs.runs[file])


@pytest.mark.heavy
def test_summary_rows_carry_the_status_the_problem_and_the_same_numbers(batch_runs, scenarios):
    out = batch_runs.out
    assert sorted(p.name for p in out.iterdir()) == sorted([*batch.SUMMARY_FILES, *FOLDERS.values()])
    table = pd.read_csv(out / "batch_summary.csv", encoding="utf-8-sig")
    assert list(table.columns) == [*batch.ROW_KEYS, *batch.FIGURE_KEYS]
    # rows in file order: baseline.yml, broken.yml, slow.yml
    assert table["scenario"].tolist() == ["示范县城 现状", "缺文件", "慢速 45 m/min"]
    assert table["status"].tolist() == ["ok", "failed", "ok"]
    assert table["folder"][0] == "示范县城 现状" and table["folder"][2] == "慢速 45 m_min"
    assert table["folder"].isna()[1] and table["error"].isna()[[0, 2]].all()
    assert table["error"][1].startswith(f"file {scenarios / 'nowhere.gpkg'}: file not found. Fix: check the path")
    assert table["file"][1] == str(scenarios / "broken.yml")
    sheet = pd.read_excel(out / "batch_summary.xlsx", engine="openpyxl")
    assert list(sheet.columns[:5]) == ["方案", "方案文件", "输出文件夹", "运行结果", "错误信息"]
    assert "15分钟养老服务圈覆盖率(按户)" in sheet.columns and "求解状态" in sheet.columns
    assert sheet["运行结果"].tolist() == ["完成", "失败", "完成"]
    _assert_rows_agree_with_summaries(out, table, sheet, rows=[0, 2])
    # slower walkers reach fewer households: the two rows are each scenario's own figures
    assert table["share_within_walk"][2] < table["share_within_walk"][0]


@pytest.mark.heavy
def test_batch_map_draws_each_scenario_that_ran(batch_runs):
    page = (batch_runs.out / "batch_map.html").read_text(encoding="utf-8")
    assert '"n":["示范县城 现状","慢速 45 m/min"]' in page
    assert "缺文件" not in page  # it has no units and wrote no areas: nothing to draw


@pytest.mark.heavy
def test_rerun_reuses_finished_scenarios_without_rewriting_them(batch_runs):
    second = batch_runs.second
    assert second.code == 3, second.err
    assert "Dask cluster tcp://" in second.err and ": 2 workers" in second.err
    assert "2 of 3 scenarios done (2 of them reused from an earlier run)" in second.out
    for name, stamps in batch_runs.after_first["stamps"].items():
        assert _stamps(batch_runs.out / name) == stamps, f"{name} was written again"
    # the batch files are written again, with the same bytes
    assert _hashes(batch_runs.out) == batch_runs.after_first["hashes"]


@pytest.mark.slow
@pytest.mark.heavy
def test_worker_killed_for_memory_is_a_failed_row(tmp_path, scenarios):
    # 150 MB: an idle worker holds about 60 MB, importing the geospatial stack alone takes it past 200 MB
    result = _run(
        "batch",
        str(scenarios / "baseline.yml"),
        "--out",
        str(tmp_path / "out"),
        "--workers",
        "1",
        "--memory-limit",
        "150MB",
        "--quiet",
    )
    assert result.code == 3 and result.out == ""
    table = pd.read_csv(tmp_path / "out" / "batch_summary.csv", encoding="utf-8-sig")
    assert table["status"].tolist() == ["failed"]
    assert table["error"][0].startswith(
        "the worker process running this scenario died, most likely because it went above its memory limit of "
        "143.05 MiB. Fix: give each worker more memory (--memory-limit)"
    )
    assert not (tmp_path / "out" / "示范县城 现状").exists()
    assert multiprocessing.active_children() == []


# --------------------------------------------------------------------------------------------------
# Without a cluster
# --------------------------------------------------------------------------------------------------
def test_a_crash_is_recorded_with_its_traceback(tmp_path, scenarios, monkeypatch):
    def crash(*args, **kwargs):
        return 1 / 0

    monkeypatch.setattr(batch, "run_and_write", crash)
    outcome = batch.run_one(load_scenario(scenarios / "baseline.yml"), tmp_path / "x", "en")
    assert outcome["status"] == "failed" and outcome["figures"] == {}
    assert outcome["error"] == (
        "unexpected error (a bug: please report it with its traceback): ZeroDivisionError: division by zero"
    )
    assert "ZeroDivisionError" in outcome["traceback"] and "in crash" in outcome["traceback"]
    assert outcome["outline"] is not None  # the demo's units still outline it on the map
    assert not (tmp_path / "x").exists()


def test_bad_input_is_recorded_in_the_chosen_language(tmp_path, scenarios):
    scenario = load_scenario(scenarios / "broken.yml")
    outcome = batch.run_one(scenario, tmp_path / "x", "zh")
    assert outcome["status"] == "failed" and outcome["traceback"] is None
    assert outcome["error"].startswith(f"文件 {scenarios / 'nowhere.gpkg'}：") and "。修改方法：" in outcome["error"]
    assert batch.run_one(scenario, tmp_path / "x", "en")["error"].startswith(f"file {scenarios / 'nowhere.gpkg'}: ")


def test_a_worker_that_cannot_see_the_output_folder_fails_the_scenario(tmp_path, scenarios):
    outcome = batch.run_one(load_scenario(scenarios / "baseline.yml"), tmp_path / "absent" / "x", "en")
    assert outcome["error"] == (
        f"the worker cannot see the output folder {tmp_path / 'absent'}. Fix: workers on other machines must see "
        "the scenario files, their inputs and the output folder at the same paths (a shared file system)"
    )


def test_lost_tasks_are_explained():
    worker = SimpleNamespace(memory_limit=2 * 2**30, address="tcp://127.0.0.1:1")
    killed = KilledWorker("siting-batch-0", worker, 0)
    assert batch._lost_message(killed, "en").startswith(
        "the worker process running this scenario died, most likely because it went above its memory limit of 2.00 GiB"
    )
    assert "2.00 GiB 的内存上限" in batch._lost_message(killed, "zh")
    unlimited = KilledWorker("siting-batch-0", SimpleNamespace(memory_limit=0), 0)
    assert "it had no memory limit" in batch._lost_message(unlimited, "en")
    assert batch._lost_message(OSError("scheduler gone"), "en") == (
        "no result from the Dask cluster: OSError: scheduler gone"
    )


def test_scenarios_that_do_not_load_are_failed_items_and_duplicate_names_are_refused(tmp_path, scenarios):
    bad = _write(tmp_path / "bad.yml", _baseline(optimize={"objective": "p_median", "p": "lots"}))
    items = batch.load_batch([scenarios / "baseline.yml", bad], tmp_path / "out")
    assert [item.name for item in items] == ["示范县城 现状", "bad"]
    assert items[0].folder == tmp_path / "out" / "示范县城 现状" and items[0].error is None
    assert items[1].scenario is None and "optimize.p" in items[1].error
    twin = _write(tmp_path / "twin.yml", _baseline())
    with pytest.raises(SitingInputError, match="used more than once") as caught:
        batch.load_batch([scenarios / "baseline.yml", twin], tmp_path / "out")
    assert str(twin) in str(caught.value)


def test_folder_names_keep_the_scenario_name_where_the_file_system_allows():
    assert batch.folder_name("东阿县 现状") == "东阿县 现状"
    assert batch.folder_name(' a/b\\c:d*e?f"g<h>i|j\n ') == "a_b_c_d_e_f_g_h_i_j"
    assert batch.folder_name("..") == "scenario" and batch.folder_name(".x") == "x"


def test_scenario_files_take_folders_and_files(tmp_path, scenarios):
    assert batch.scenario_files([scenarios, scenarios / "slow.yml"]) == [
        scenarios / name for name in ("baseline.yml", "broken.yml", "slow.yml")
    ]


def test_batch_totals_weigh_shares_by_households():
    table = pd.DataFrame(
        {
            "status": ["ok", "ok", "failed"],
            "households_total": [100.0, 300.0, None],
            "households_within_walk": [50.0, 300.0, None],
            "households_within_radius": [100.0, 150.0, None],
            # the second county's 300 households include 100 rural ones its rule does not judge
            "households_floor_area_judged": [100.0, 200.0, None],
            "share_households_floor_area_ok": [0.5, 0.25, None],
            "proposed_sites": [2, 3, None],
            "floor_area_shortfall_m2": [10.0, 5.5, None],
        },
        dtype=object,
    )
    assert batch.batch_totals(table) == {
        "share_within_walk": 350 / 400,
        "share_within_radius": 250 / 400,
        "share_households_floor_area_ok": (50 + 50) / (100 + 200),
        "proposed_sites": 5.0,
        "floor_area_shortfall_m2": 15.5,
    }


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--workers", "0"], ["--workers", "0 is not a number of workers"]),
        (["--memory-limit", "lots"], ["--memory-limit", "'lots' is not a memory limit"]),
        (["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], ["--workers and --memory-limit set up a local"]),
        (["--scheduler", "tcp://127.0.0.1:1"], ["cannot reach the Dask scheduler at tcp://127.0.0.1:1"]),
    ],
)
def test_wrong_batch_arguments_exit_2_without_running_anything(tmp_path, scenarios, monkeypatch, extra, words):
    monkeypatch.setattr(batch, "CONNECT_TIMEOUT_S", 1.0)
    result = _run("batch", str(scenarios / "baseline.yml"), "--out", str(tmp_path / "out"), *extra)
    assert result.code == 2, result.err
    assert result.err.startswith("error: ") and "Traceback" not in result.err
    for word in words:
        assert word in result.err
    assert not (tmp_path / "out").exists()


def test_missing_paths_empty_folders_and_no_out_exit_2(tmp_path, scenarios):
    result = _run("batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.code == 2 and "no such scenario file or folder" in result.err
    (tmp_path / "empty").mkdir()
    result = _run("batch", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert result.code == 2 and "the folder holds no scenario files (*.yml)" in result.err
    assert _run("batch", str(scenarios)).code == 2  # --out is required
    (tmp_path / "file").write_text("x")
    result = _run("batch", str(scenarios), "--out", str(tmp_path / "file"))
    assert result.code == 2 and "this is a file, not a folder" in result.err
    assert not (tmp_path / "out").exists()


def test_chinese_usage_error(tmp_path):
    result = _run("batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"), "--lang", "zh")
    assert result.code == 2 and result.err.startswith(f"错误：文件 {tmp_path / 'nowhere'}：找不到这个方案文件或文件夹")
