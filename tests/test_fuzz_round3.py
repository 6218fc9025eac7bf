"""Reliability, round 3 (issue 26): data that contradicts itself, resource bombs, a full disk.

One quick case per class runs in the default suite; ``pytest -m slow`` draws many more (Hypothesis,
derandomized so a failure reproduces). Every case asserts one of: the right figure, a warning naming
the rows, or exit 2 (5 for the machine) with one message and no traceback — and always inputs
unchanged and nothing left behind (no output folder, no hidden work folder). Runs go through
``siting.cli.main`` in-process.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from siting import batch, consistency, files, inputs, network, safe_yaml
from siting.cli import main
from siting.errors import SitingInputError, SitingWarning
from siting.projection import gcj02_to_wgs84, to_metric
from tests.conftest import DEMO

BASELINE = "scenarios/baseline.yml"
WALK_PLAN = "scenarios/walk_plan.yml"
# no shrinking: each example is a whole run of the demo town, and the case drawn is named on failure
FAST = settings(
    max_examples=1,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
SLOW = settings(FAST, max_examples=25)
#: The demo's walk (baseline.yml overrides): 55 m/min for 15 min.
WALK_M = 55 * 15
#: Control characters a name may carry from Word or a database (NUL, CR and LF aside: they end CSV fields).
CONTROL = [chr(c) for c in (*range(1, 9), 11, 12, *range(14, 32))]


# -- running -----------------------------------------------------------------------------------------


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


@contextlib.contextmanager
def _town():
    """A copy of the demo town in a fresh folder (Hypothesis examples cannot share pytest's tmp_path)."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(DEMO, Path(tmp) / "town")
        yield Path(tmp) / "town"


def _run(town: Path, scenario: str = BASELINE, *extra: str) -> tuple[int, str]:
    """Run ``scenario`` of ``town`` into ``<tmp>/out/run`` (two folders that do not exist yet)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", str(town / scenario), "--out", str(town.parent / "out" / "run"), "--lang", "en", *extra])
    return code, err.getvalue()


def _refused(town: Path, *words: str, scenario: str = BASELINE, code: int = 2) -> str:
    """Exit ``code`` with one message holding ``words``, no traceback, inputs unchanged, nothing made."""
    before = _hashes(town)
    got, err = _run(town, scenario)
    assert got == code, err
    assert ("\n" + err).count("\nerror: ") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, (word, err)
    assert _hashes(town) == before
    assert sorted(p.name for p in town.parent.iterdir()) == ["town"], err  # no out/, no hidden folder
    return err


def _done(town: Path, scenario: str = BASELINE) -> tuple[dict, str]:
    """Exit 0; the summary and the warnings; inputs unchanged and only the output folder made."""
    before = _hashes(town)
    code, err = _run(town, scenario)
    assert code == 0 and "Traceback" not in err, err
    assert _hashes(town) == before
    assert sorted(p.name for p in town.parent.iterdir()) == ["out", "town"]
    assert sorted(p.name for p in (town.parent / "out").iterdir()) == ["run"]
    summary = json.loads((town.parent / "out" / "run" / "summary.json").read_text(encoding="utf-8"))
    return summary, err


def _set_key(town: Path, line: str, scenario: str = BASELINE) -> None:
    """Add a top-level line to a scenario (or replace the one with the same key; ``key:`` alone drops it)."""
    path = town / scenario
    key = line.split(":")[0]
    rows = [r for r in path.read_text(encoding="utf-8").splitlines() if not r.startswith(f"{key}:")]
    path.write_text("\n".join([*rows, *([line] if line != f"{key}:" else [])]) + "\n", encoding="utf-8")


def _facilities(town: Path) -> pd.DataFrame:
    return pd.read_csv(town / "facilities.csv", dtype=str)


def _areas(town: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return gpd.read_file(town / "xiaoqu.gpkg", layer="xiaoqu"), gpd.read_file(town / "xiaoqu.gpkg", layer="entrances")


def _write_areas(town: Path, areas: gpd.GeoDataFrame, entrances: gpd.GeoDataFrame) -> None:
    (town / "xiaoqu.gpkg").unlink()
    areas.to_file(town / "xiaoqu.gpkg", layer="xiaoqu")
    entrances.to_file(town / "xiaoqu.gpkg", layer="entrances")


def _moved(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """A lon/lat moved by metres (the demo lies at 36.3° N: 1° of latitude is 111 km)."""
    return lon + east_m / (111_320 * np.cos(np.radians(lat))), lat + north_m / 111_320


# -- 1. duplicates within a layer ------------------------------------------------------------------


@st.composite
def duplicated_facility(draw) -> tuple[int, float, float]:
    """A facility row listed again under a new id, moved by less than the duplicate distance."""
    row = draw(st.integers(0, 14))
    distance = draw(st.floats(0, consistency.DUPLICATE_DISTANCE_M * 0.9))
    angle = draw(st.floats(0, 2 * np.pi))
    return row, distance, angle


def _check_duplicated_facility(case: tuple[int, float, float]) -> None:
    row, distance, angle = case
    with _town() as town:
        table = _facilities(town)
        row %= len(table)
        copy = table.iloc[[row]].copy()
        east, north = distance * np.cos(angle), distance * np.sin(angle)
        lon, lat = _moved(float(copy["lon"].iloc[0]), float(copy["lat"].iloc[0]), east, north)
        copy["lon"], copy["lat"] = f"{lon:.9f}", f"{lat:.9f}"
        copy["编号"] = "F99"
        pd.concat([table, copy]).to_csv(town / "facilities.csv", index=False)
        _refused(town, f"{table['编号'].iloc[row]} = F99", "listed twice", "duplicates: keep")


def test_a_facility_listed_twice_is_refused_naming_both_ids():
    FAST(given(duplicated_facility())(_check_duplicated_facility))()


@pytest.mark.slow
def test_a_facility_listed_twice_is_refused_naming_both_ids_many():
    SLOW(given(duplicated_facility())(_check_duplicated_facility))()


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_an_area_copied_with_a_new_id_is_refused_and_kept_with_duplicates_keep():
    with _town() as town:
        areas, entrances = _areas(town)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # some households are estimates, as the demo means them to be
            read = inputs.read_areas(town / "xiaoqu.gpkg", layer="xiaoqu", columns={"households": "总户数"})
        copy = areas.iloc[[7]].assign(小区编号="XQ999")
        _write_areas(town, pd.concat([areas, copy], ignore_index=True), entrances)
        _refused(town, f"{areas['小区编号'].iloc[7]} = XQ999", "duplicates")
        _set_key(town, "duplicates: keep")
        summary, err = _done(town)
    # kept as the planner said: counted twice, with a warning naming the pair
    assert summary["households_total"] == pytest.approx(read["households"].sum() + read["households"].iloc[7])
    assert f"{areas['小区编号'].iloc[7]} = XQ999" in err and "duplicates: keep" in err


def test_two_services_in_one_building_are_not_duplicates():
    frame = gpd.GeoDataFrame(
        {"facility_id": ["F1", "F2", "F3"], "name": ["社区养老服务站", "日间照料中心", "日间照料中心"]},
        geometry=[shapely.Point(116.25, 36.33)] * 2 + [shapely.Point(116.26, 36.33)],
        crs=4326,
    )
    assert consistency.duplicate_pairs(frame, "facility_id") == []


# -- 1b. many areas at one point (a geocoder's fallback) ---------------------------------------------


def _point_town(town: Path, stacked: list[int], point: tuple[float, float], *, keep: bool) -> pd.DataFrame:
    """The demo's 小区 as a CSV of points (Baidu-style lists), ``stacked`` rows moved to ``point``."""
    areas, _ = _areas(town)
    where = areas.geometry.representative_point()
    table = pd.DataFrame(
        {
            "小区编号": areas["小区编号"],
            "小区名称": areas["小区名称"],
            "总户数": areas["总户数"],
            "类型": areas["类型"],
            "人口": areas["人口"],
            "lon": where.x.round(7),
            "lat": where.y.round(7),
        }
    )
    table.loc[stacked, ["lon", "lat"]] = point
    table.to_csv(town / "小区.csv", index=False)
    _set_key(town, "residential: {path: ../小区.csv, columns: {households: 总户数, status: 类型}}")
    _set_key(town, "entrances:")
    if keep:
        _set_key(town, "areas_at_one_point: keep")
    return table


def _households(table: pd.DataFrame) -> pd.Series:
    """户数, or where missing the population over 2.62 persons per household, whole (the readers' rule)."""
    return table["总户数"].astype(float).fillna((table["人口"].astype(float) / 2.62).round())


@st.composite
def stacked_areas(draw) -> tuple[list[int], tuple[float, float]]:
    rows = draw(st.lists(st.integers(0, 82), min_size=consistency.STACKED_AREAS_MIN, max_size=15, unique=True))
    lon = draw(st.floats(116.235, 116.265))
    lat = draw(st.floats(36.325, 36.345))
    return sorted(rows), (round(lon, 6), round(lat, 6))


def _check_stacked(case: tuple[list[int], tuple[float, float]]) -> None:
    rows, point = case
    with _town() as town:
        table = _point_town(town, rows, point, keep=False)
        summary, err = _done(town)
    ids = table["小区编号"].iloc[rows].tolist()
    # left out of every figure, exactly: the households of the others, and named with the point
    assert summary["areas_left_out_at_one_point"] == sorted(ids)
    assert summary["areas_total"] == len(table) - len(rows)
    assert summary["households_total"] == pytest.approx(_households(table).drop(index=rows).sum())
    assert f"{len(rows)} residential areas lie at exactly one point (lon {point[0]:.6f}, lat {point[1]:.6f})" in err
    assert all(i in err for i in ids[:10])


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_areas_at_one_point_are_left_out_with_a_warning():
    FAST(given(stacked_areas())(_check_stacked))()


@pytest.mark.slow
def test_areas_at_one_point_are_left_out_with_a_warning_many():
    SLOW(given(stacked_areas())(_check_stacked))()


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_areas_at_one_point_are_counted_when_the_scenario_accepts_them():
    rows = [40, 41, 42, 43, 44]
    with _town() as town:
        table = _point_town(town, rows, (116.25, 36.33), keep=True)
        summary, err = _done(town)
    assert summary["areas_left_out_at_one_point"] == []
    assert summary["households_total"] == pytest.approx(_households(table).sum())
    assert "counted there" in err and "XQ041" in err


# -- 2. links across layers --------------------------------------------------------------------------


@st.composite
def far_built_with(draw) -> tuple[int, int]:
    """A facility row, and a draw among the areas beyond its walk."""
    return draw(st.integers(0, len(pd.read_csv(DEMO / "facilities.csv")) - 1)), draw(st.integers(0, 10_000))


def _check_far_built_with(case: tuple[int, int]) -> None:
    row, pick = case
    with _town() as town:
        table = _facilities(town)
        areas, _ = _areas(town)
        lon, lat = gcj02_to_wgs84(np.array([float(table["lon"][row])]), np.array([float(table["lat"][row])]))
        metric = to_metric(areas)
        site = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(metric.crs).iloc[0]
        beyond = np.flatnonzero(metric.distance(site).to_numpy() > WALK_M + 10)
        assume(beyond.size > 0)
        area = int(beyond[pick % beyond.size])
        table["所属小区编号"] = ""
        table.loc[row, "所属小区编号"] = areas["小区编号"].iloc[area]
        table.to_csv(town / "facilities.csv", index=False)
        _refused(town, f"{table['编号'][row]} → {areas['小区编号'].iloc[area]}", "beyond that area's walk", "links")


def test_a_facility_built_with_a_far_area_is_refused_naming_both():
    FAST(given(far_built_with())(_check_far_built_with))()


@pytest.mark.slow
def test_a_facility_built_with_a_far_area_is_refused_naming_both_many():
    SLOW(given(far_built_with())(_check_far_built_with))()


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_a_gate_far_from_its_area_is_refused_and_kept_with_links_keep():
    with _town() as town:
        areas, entrances = _areas(town)
        lon, lat = entrances.geometry.iloc[0].x, entrances.geometry.iloc[0].y
        entrances.loc[0, "geometry"] = shapely.Point(*_moved(lon, lat, 0, 2400))
        _write_areas(town, areas, entrances)
        _refused(town, f"0 → {entrances['小区编号'].iloc[0]}", "more than 30 m")
        _set_key(town, "links: keep")
        _, err = _done(town)
    assert f"0 → {entrances['小区编号'].iloc[0]}" in err and "links: keep" in err


def test_a_gate_within_the_tolerance_passes():
    areas = gpd.GeoDataFrame({"area_id": ["A"]}, geometry=[shapely.box(0, 0, 100, 100)], crs=32650)
    gates = gpd.GeoDataFrame(
        {"area_id": ["A", "A"]}, geometry=[shapely.Point(50, 120), shapely.Point(50, 131)], crs=32650
    )
    consistency.check_links(areas, walk_m=900, entrances=gates.iloc[:1])  # 20 m beside the area: fine
    with pytest.raises(SitingInputError) as caught:
        consistency.check_links(areas, walk_m=900, entrances=gates)
    assert caught.value.rows == ["1 → A (31 m)"]


def _grid_network(side_m: float = 1000.0) -> network.StreetNetwork:
    """Streets along the four sides and the middle of a ``side_m`` square in UTM 50N (its hull: the square)."""
    half = side_m / 2
    lines = [
        shapely.LineString([(0, 0), (side_m, 0)]),
        shapely.LineString([(0, side_m), (side_m, side_m)]),
        shapely.LineString([(0, 0), (0, side_m)]),
        shapely.LineString([(side_m, 0), (side_m, side_m)]),
        shapely.LineString([(half, 0), (half, side_m)]),
    ]
    return network.from_lines(gpd.GeoDataFrame({"name": list("SNWEM")}, geometry=lines, crs=32650))


def test_an_area_larger_than_the_network_reaches_is_refused_and_kept_with_links_keep():
    net = _grid_network()
    # the reach: the 1 km square widened by 300 m, 1 + 4 * 0.3 + pi * 0.09 = 2.48 km²
    reach_m2 = 1000**2 + 4 * 1000 * 300 + np.pi * 300**2
    areas = gpd.GeoDataFrame(
        {"area_id": ["XQ1", "PROVINCE", "BIG"]},
        geometry=[shapely.box(100, 100, 200, 200), shapely.box(-5e4, -5e4, 5e4, 5e4), shapely.box(0, 0, 1500, 1500)],
        crs=32650,
    )
    oversized, area_m2, reach = consistency.oversized_areas(areas, net, max_snap_m=300)
    assert oversized.tolist() == [1] and area_m2.tolist() == [1e10]
    assert reach == pytest.approx(reach_m2, rel=1e-3)  # the buffer's circles are polygons
    consistency.check_area_sizes(areas.iloc[[0, 2]], net)  # 2.25 km² is large but within reach
    with pytest.raises(SitingInputError) as caught:
        consistency.check_area_sizes(areas.to_crs(4326), net, source="xiaoqu.gpkg")
    assert caught.value.rows == ["PROVINCE (10,000.00 km²)"] and caught.value.key == "links"
    assert "larger than all the street network reaches (2.48 km²" in str(caught.value)
    assert "links: keep" in str(caught.value)
    with pytest.warns(SitingWarning, match="PROVINCE"):
        consistency.check_area_sizes(areas, net, accept=consistency.Accept(links="keep"))
    with pytest.raises(SitingInputError):  # with a 100 m snap the reach is 1.44 km², below BIG's 2.25
        consistency.check_area_sizes(areas.iloc[[2]], net, max_snap_m=100)


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_a_province_drawn_as_an_area_is_refused_by_a_run():
    with _town() as town:
        areas, entrances = _areas(town)
        centre = areas.geometry.iloc[3].centroid
        areas.loc[3, "geometry"] = shapely.box(centre.x - 2, centre.y - 2, centre.x + 2, centre.y + 2)  # 4° wide
        _write_areas(town, areas, entrances)
        _refused(town, f"{areas['小区编号'].iloc[3]} (", "larger than all the street network reaches", "links: keep")
        _set_key(town, "links: keep")
        _, err = _done(town)
    assert f"{areas['小区编号'].iloc[3]} (" in err and "links: keep" in err


def test_study_create_checks_the_layers_as_a_run_does():
    from siting import Study

    net = _grid_network()
    areas = gpd.GeoDataFrame(
        {"area_id": ["A", "B", "C", "S1", "S2", "S3"], "households": [100, 200, 300, 10, 20, 30]},
        geometry=[
            shapely.box(100, 100, 400, 400),
            shapely.box(600, 100, 900, 400),
            shapely.box(100, 600, 400, 900),
            *[shapely.Point(700, 700)] * 3,  # a geocoder's fallback
        ],
        crs=32650,
    )
    facilities = gpd.GeoDataFrame(
        {"facility_id": ["F1"], "floor_area_m2": [300.0], "area_id": ["A"]},
        geometry=[shapely.Point(250, 250)],
        crs=32650,
    )
    with pytest.warns(SitingWarning, match="S1, S2, S3"):
        study = Study.create(net, areas, facilities)
    assert study.areas["area_id"].tolist() == ["A", "B", "C"]  # the stacked three left out
    assert study.areas["households"].sum() == 600
    province = areas.assign(geometry=[shapely.box(-5e4, -5e4, 5e4, 5e4), *areas.geometry.iloc[1:]])
    with pytest.raises(SitingInputError, match="larger than all the street network reaches"):
        Study.create(net, province, facilities)
    far = facilities.assign(geometry=[shapely.Point(250, 250 + 2000)])  # built with A, 1,850 m from it
    with pytest.raises(SitingInputError) as caught:
        Study.create(net, areas, far)
    assert caught.value.rows == ["F1 → A (1,850 m)"]
    with pytest.warns(SitingWarning, match="F1 → A"):
        Study.create(net, areas, far, accept=consistency.Accept(links="keep"))
    assert len(Study.create(net, areas, facilities, accept=None).areas) == 6  # None: checked by the caller


def test_villages_of_one_name_in_two_townships_are_two_villages(tmp_path):
    frame = gpd.GeoDataFrame(
        {"乡镇": ["城关镇", "高集镇", "高集镇"], "村": ["张庄村", "张庄村", "李庄村"]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1), shapely.box(3, 0, 4, 1)],
        crs=32650,
    )
    units = inputs.read_units(frame, columns={"township": "乡镇", "community": "村"})
    villages = units.loc[units["level"] == "community", "name"].tolist()
    assert villages == ["城关镇/张庄村", "高集镇/张庄村", "李庄村"]
    assert units["unit_id"].is_unique
    twice = pd.concat([frame, frame.iloc[[2]]], ignore_index=True)
    with pytest.raises(SitingInputError, match="listed twice") as caught:
        inputs.read_units(twice, columns={"township": "乡镇", "community": "村"})
    assert caught.value.rows == ["李庄村"]


# -- 3. text a workbook can hold ---------------------------------------------------------------------


def _check_control(case: tuple[str, int]) -> None:
    char, row = case
    with _town() as town:
        areas, entrances = _areas(town)
        name = areas["小区名称"].iloc[row]
        raw = name[:2] + char + name[2:]
        areas.loc[row, "小区名称"] = raw
        _write_areas(town, areas, entrances)
        _done(town)
        out = town.parent / "out" / "run"
        csv = pd.read_csv(out / "areas.csv", dtype=str, keep_default_na=False)
        sheet = pd.read_excel(out / "report.xlsx", sheet_name="小区", dtype=str, engine="openpyxl")
        names = sheet["名称"].tolist()
    assert csv["name"].iloc[row] == raw  # the CSV keeps the text as it was
    assert names[row] == name[:2] + ("\n" if char in "\x0b\x0c" else "") + name[2:]


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_control_characters_are_taken_out_of_the_workbook_only():
    FAST(given(st.tuples(st.just("\x0b"), st.integers(0, 82)))(_check_control))()


@pytest.mark.slow
def test_control_characters_are_taken_out_of_the_workbook_only_many():
    SLOW(given(st.tuples(st.sampled_from(CONTROL), st.integers(0, 82)))(_check_control))()


# -- 4. bounded reading ------------------------------------------------------------------------------


def _facilities_workbook(town: Path, filler: int) -> None:
    """facilities.csv as a workbook with a column of ``filler`` repeated characters per row."""
    table = _facilities(town).assign(备注="x" * filler)
    table.to_excel(town / "设施.xlsx", index=False)
    _set_key(town, "facilities: {path: ../设施.xlsx, crs: gcj02}")


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_unread(monkeypatch):
    monkeypatch.setattr(inputs, "MAX_TABLE_BYTES", 200_000)
    with _town() as town:
        _facilities_workbook(town, 30_000)  # 15 rows of 30 kB: some 20 kB on disk, 450 kB unpacked
        assert (town / "设施.xlsx").stat().st_size < 200_000
        _refused(town, "the workbook unpacks to", "more than 200,000")


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_tables_longer_than_the_row_limit_are_refused(monkeypatch, kind):
    monkeypatch.setattr(inputs, "MAX_TABLE_ROWS", 10)
    with _town() as town:
        if kind == "xlsx":
            _facilities_workbook(town, 1)
        _refused(town, "more than 10 rows")


def test_the_header_is_searched_in_the_first_rows_only():
    rows = pd.DataFrame([["标题", None]] * (inputs.HEADER_SCAN_ROWS + 5) + [["lon", "lat"], ["116.2", "36.3"]])
    with tempfile.TemporaryDirectory() as tmp:
        rows.to_excel(Path(tmp) / "a.xlsx", index=False, header=False)
        with pytest.raises(SitingInputError, match="no coordinate columns found"):
            inputs.read_layer(Path(tmp) / "a.xlsx")
        rows.iloc[10:].to_excel(Path(tmp) / "b.xlsx", index=False, header=False)  # the header in row 16
        assert len(inputs.read_layer(Path(tmp) / "b.xlsx")) == 1


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_extends_of_a_device_or_a_pipe_is_refused(target):
    with _town() as town:
        if target == "fifo":
            os.mkfifo(town / "pipe.yml")
            target = str(town / "pipe.yml")
        _set_key(town, f"extends: {target}")
        _refused(town, "not a regular file", target)


def test_yaml_is_read_with_a_cap_whatever_its_size_says(monkeypatch):
    monkeypatch.setattr(safe_yaml, "MAX_BYTES", 100)
    proc = Path("/proc/self/maps")
    if not proc.exists() or proc.stat().st_size != 0:
        pytest.skip("needs a /proc file that says it is empty")
    with pytest.raises(SitingInputError, match="more than 100 bytes"):
        safe_yaml.load_yaml(proc, missing="", missing_fix="")


def test_messages_never_quote_a_file_that_is_not_a_scenario():
    secret = "root:x:0:0:root:/root:/bin/bash"
    with _town() as town:
        (town / "passwd").write_text(secret + "\ndaemon:x:1:1\n", encoding="utf-8")
        _set_key(town, f"extends: {town / 'passwd'}")
        err = _refused(town, "expected a mapping of scenario keys, got a text")
        assert "root:x" not in err
        item = batch.load_batch([town / BASELINE], town.parent / "batch")[0]
        assert item.error is not None and "root:x" not in item.error


def test_more_workers_than_cores_are_refused_before_anything_starts():
    with _town() as town:
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["batch", str(town / BASELINE), "--out", str(town.parent / "out"), "--workers", "10000"])
        assert code == 2 and f"more than this machine's {os.cpu_count()} cores" in err.getvalue()
        assert sorted(p.name for p in town.parent.iterdir()) == ["town"]


def test_special_files_are_refused_as_layers():
    with pytest.raises(SitingInputError, match="not a regular file but a device"):
        inputs.read_facilities("/dev/zero")
    with pytest.raises(SitingInputError, match="more than 10 bytes"):
        files.read_bounded("/proc/self/maps", 10)


@pytest.mark.parametrize("name", ["roads.osm", "roads.osm.pbf", "roads.graphml", "roads.gpkg"])
def test_special_files_are_refused_as_street_networks(tmp_path, name):
    os.mkfifo(tmp_path / name)  # nobody writes: a reader would wait for ever
    with pytest.raises(SitingInputError, match="not a regular file but a named pipe"):
        network.from_file(tmp_path / name)
    with pytest.raises(SitingInputError, match="not a regular file but a device"):
        network.from_file("/dev/zero")


def _pbf(path: Path, bad_lat: float, *, through_grid: bool) -> Path:
    """A PBF of a 3 × 3 grid of streets 0.001° apart at 116.300 E, 36.300 N, and a footway through
    node 99 at latitude ``bad_lat``: from grid node 2 to 3, or (not ``through_grid``) on its own from node 98."""
    from pyrosm.pbf_export import write_pbf_from_records

    ids = np.array([*range(1, 10), 98, 99])
    nodes = {
        "id": ids,
        "lon": np.r_[np.tile([116.300, 116.301, 116.302], 3), 116.3005, 116.3005],
        "lat": np.r_[np.repeat([36.300, 36.301, 36.302], 3), 36.2995, bad_lat],
        "tags": np.full(len(ids), None, dtype=object),
    }
    grid = ids[:9].reshape(3, 3)
    ways = [{"id": 10 + k, "tags": {"highway": "residential"}, "refs": r} for k, r in enumerate([*grid, *grid.T])]
    ways.append({"id": 50, "tags": {"highway": "footway"}, "refs": [2, 99, 3] if through_grid else [98, 99]})
    write_pbf_from_records(nodes, ways, [], str(path), (116.29, 36.29, 116.31, 36.31))
    return path


@pytest.mark.parametrize("through_grid", [True, False])
def test_a_pbf_node_at_latitude_999_is_named_with_its_coordinates(tmp_path, through_grid):
    # pyrosm drops such a node without a word: the footway shortened to 2-3, or gone with node 98
    with pytest.raises(SitingInputError, match="network nodes have invalid coordinates") as caught:
        network.from_file(_pbf(tmp_path / "bad.osm.pbf", 999.0, through_grid=through_grid))
    assert caught.value.rows == ["99 (116.3005, 999)"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyrosm's own notes on missing tags
        net = network.from_file(_pbf(tmp_path / "good.osm.pbf", 36.2995, through_grid=through_grid))
    # the same file with node 99 on the map reads whole: the grid's 12 blocks' sides (and the footway
    # through node 99 where it joins the grid; on its own it is a part that is dropped), in geodesic metres
    geod = pyproj.Geod(ellps="WGS84")
    grid_m = 3 * geod.line_length([116.300, 116.302], [36.300, 36.300]) + 3 * geod.line_length(
        [116.3] * 2, [36.3, 36.302]
    )
    footway_m = geod.line_length([116.301, 116.3005, 116.302], [36.300, 36.2995, 36.300])  # nodes 2, 99, 3
    expected_m = grid_m + footway_m if through_grid else grid_m
    assert net.edges["length_m"].sum() == pytest.approx(expected_m, rel=1e-3)


def test_an_osm_node_at_latitude_999_is_named_with_its_coordinates(tmp_path):
    text = (DEMO / "roads.osm").read_text(encoding="utf-8")
    assert '<node id="1" version="1" lat="36.3169380" lon="116.2350968"/>' in text
    (tmp_path / "roads.osm").write_text(text.replace('lat="36.3169380" lon', 'lat="999" lon', 1), encoding="utf-8")
    with pytest.raises(SitingInputError) as caught:
        network.from_file(tmp_path / "roads.osm")
    assert caught.value.rows == ["1 (116.2350968, 999)"]


# -- 5. the machine fails ----------------------------------------------------------------------------


def _old_output(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True)
    (folder / ".siting-output").write_text("", encoding="utf-8")
    (folder / "summary.json").write_text('{"old": true}\n', encoding="utf-8")
    return _hashes(folder)


def test_a_full_disk_is_exit_5_and_keeps_the_old_output(monkeypatch):
    """Simulated at the OS-call boundary: every file write of the output fails with ENOSPC."""
    from siting import report

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(report, "write_json", full)
    with _town() as town:
        old = _old_output(town.parent / "out" / "run")
        code, err = _run(town)
        assert code == 5 and "the disk is full" in err and "Traceback" not in err, err
        assert _hashes(town.parent / "out" / "run") == old
        assert sorted(p.name for p in (town.parent / "out").iterdir()) == ["run"]  # nothing hidden left


@pytest.mark.parametrize(("free_blocks", "code"), [(0, 5), (10**6, 1)], ids=["full", "not-full"])
def test_a_gdal_failure_on_a_full_disk_is_exit_5_and_elsewhere_a_bug(monkeypatch, free_blocks, code):
    """GDAL says "no such table: gpkg_contents" when the disk is full: the free space decides."""
    from types import SimpleNamespace

    from siting import report

    def gdal(*args, **kwargs):
        raise RuntimeError("no such table: gpkg_contents")

    monkeypatch.setattr(report, "write_gpkg", gdal)
    monkeypatch.setattr(
        os, "statvfs", lambda path: SimpleNamespace(f_bfree=free_blocks, f_bavail=free_blocks, f_frsize=4096)
    )
    with _town() as town:
        got, err = _run(town)
        assert got == code, err
        assert ("the disk is full" in err) == (code == 5) and ("Traceback" in err) == (code == 1)
        assert sorted(p.name for p in town.parent.iterdir()) == ["town"]  # no output, nothing hidden


def test_running_out_of_memory_is_exit_5(monkeypatch):
    from siting import plan

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(plan.Study, "check", no_memory)
    with _town() as town:
        _refused(town, "ran out of memory", code=5)


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    return done.returncode == 0


@pytest.mark.heavy
def test_a_real_full_disk_is_exit_5_and_keeps_the_old_output():
    """A 600 kB tmpfs (the demo's output is about 1.2 MB): GDAL reports this as 'no such table'."""
    with _town() as town:
        disk = town.parent / "disk"
        if not _mount_tmpfs(disk, "600k"):
            pytest.skip("mounting a tmpfs needs root and the right to mount")
        try:
            old = _old_output(disk / "out")
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code = main(["run", str(town / BASELINE), "--out", str(disk / "out"), "--quiet"])
            assert code == 5 and "the disk is full" in err.getvalue() and "Traceback" not in err.getvalue()
            assert _hashes(disk / "out") == old
            assert sorted(p.name for p in disk.iterdir()) == ["out"]
        finally:
            subprocess.run(["umount", str(disk)], check=False)


# -- 6/7. nothing made before reading; messages name the scenario key --------------------------------


def test_a_refusal_leaves_no_folder_behind():
    with _town() as town:
        table = _facilities(town)
        table.loc[3, "建筑面积"] = "一百"
        table.to_csv(town / "facilities.csv", index=False)
        _refused(town, "建筑面积")  # out/ (the parent of out/run) was never made


def test_p_beyond_the_candidates_names_optimize_p():
    with _town() as town:
        _set_key(town, "optimize: {objective: p_median, p: 1000}", WALK_PLAN)
        err = _refused(town, "key 'optimize.p'", "1000", scenario=WALK_PLAN)
        assert "SitingProblem" not in err


def test_a_machine_failure_in_a_batch_is_a_failed_row_without_a_traceback(monkeypatch):
    from siting.errors import SitingEnvironmentError
    from siting.labels import msg
    from siting.scenario import load_scenario

    def full(*args, **kwargs):
        raise SitingEnvironmentError(msg("disk_full"), fix=msg("disk_full_fix"))

    monkeypatch.setattr(batch, "run_and_write", full)
    with _town() as town:
        (town.parent / "out").mkdir()
        outcome = batch.run_one(load_scenario(town / BASELINE), town.parent / "out" / "a", "en")
    assert outcome["status"] == "failed" and outcome["traceback"] is None
    assert outcome["error"].startswith("the disk is full")
