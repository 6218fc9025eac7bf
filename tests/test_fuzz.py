"""Fuzzing ``siting run`` with spoiled copies of the demo town (Hypothesis).

Each example copies the demo town, spoils one input in a way that is always a mistake — a number
that is not finite or beyond its plausible range, a text outside a column's vocabulary, an encoding
that is neither UTF-8 nor GB18030, a file cut short, a key stated twice — and runs the baseline
scenario. Whatever the spoiling, the run must:

- exit 2 with one ``error:`` message and no traceback;
- leave every input file byte for byte as it was;
- leave no output folder and no hidden work folder.

The default suite runs a few derandomized examples of each kind (the same ones every time, so a
failure reproduces); ``pytest -m slow`` runs many more.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siting.cli import main
from siting.inputs import LEVEL_VALUES, STATUS_VALUES
from siting.validation import RANGES
from tests.conftest import DEMO

SCENARIO = "scenarios/baseline.yml"
FAST = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SLOW = settings(FAST, max_examples=60)


@dataclass(frozen=True)
class Spoil:
    """One spoiling of the demo town: what it does (shown when a case fails) and how."""

    what: str
    apply: Callable[[Path], None]

    def __repr__(self) -> str:
        return self.what


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def _check_refused(spoil: Spoil, quiet: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        town = Path(tmp) / "town"
        shutil.copytree(DEMO, town)
        spoil.apply(town)
        before = _hashes(town)
        out = Path(tmp) / "out"
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(
                ["run", str(town / SCENARIO), "--out", str(out), "--lang", "en", *(["--quiet"] if quiet else [])]
            )
        text = err.getvalue()
        assert code == 2, (spoil, text)
        assert ("\n" + text).count("\nerror: ") == 1 and "Traceback" not in text, (spoil, text)
        assert _hashes(town) == before, spoil
        assert sorted(p.name for p in Path(tmp).iterdir()) == ["town"], spoil  # no output, no work folder


# -- numbers ---------------------------------------------------------------------------------------------


NOT_NUMBERS = ["一百", "12 m²", "1,000", "--5", "0x10", "十二点五"]


def _beyond(column: str) -> st.SearchStrategy[str]:
    """Texts a numeric column must refuse: not numbers, not finite, negative, or beyond the plausible range."""
    high = RANGES[column].high
    return st.one_of(
        st.sampled_from([*NOT_NUMBERS, "inf", "-inf", "1e400"]),
        st.floats(min_value=high * 1.001, max_value=1e300).map(repr),
        st.floats(min_value=-1e300, max_value=-1e-6).map(repr),
    )


def _beyond_degrees(limit: float) -> st.SearchStrategy[str]:
    """Coordinate texts beyond ±``limit`` degrees, not finite, or not numbers."""
    beyond = st.floats(min_value=limit * 1.001, max_value=1e300)
    return st.one_of(st.sampled_from([*NOT_NUMBERS, "inf", "-inf"]), beyond.map(repr), beyond.map(lambda v: repr(-v)))


FACILITY_COLUMNS = {"建筑面积": "floor_area_m2", "床位": "beds"}


@st.composite
def bad_facility_number(draw) -> Spoil:
    header = draw(st.sampled_from([*FACILITY_COLUMNS, "lon", "lat"]))
    row = draw(st.integers(0, 14))
    if header in FACILITY_COLUMNS:
        value = draw(_beyond(FACILITY_COLUMNS[header]))
    else:
        value = draw(_beyond_degrees(180.0 if header == "lon" else 90.0))

    def apply(town: Path) -> None:
        table = pd.read_csv(town / "facilities.csv", dtype=str)
        table.loc[row % len(table), header] = value
        table.to_csv(town / "facilities.csv", index=False)

    return Spoil(f"facilities.csv row {row} {header} = {value}", apply)


@st.composite
def bad_households(draw) -> Spoil:
    rows = draw(st.lists(st.integers(0, 82), min_size=1, max_size=20, unique=True))
    value = draw(
        st.one_of(
            st.sampled_from([float("inf"), float("-inf")]),
            st.floats(RANGES["households"].high * 1.001, 1e300),
            st.floats(-1e300, -1e-6),
        )
    )

    def apply(town: Path) -> None:
        frame = gpd.read_file(town / "xiaoqu.gpkg", layer="xiaoqu")
        entrances = gpd.read_file(town / "xiaoqu.gpkg", layer="entrances")
        frame.loc[rows, "总户数"] = value
        (town / "xiaoqu.gpkg").unlink()
        frame.to_file(town / "xiaoqu.gpkg", layer="xiaoqu")
        entrances.to_file(town / "xiaoqu.gpkg", layer="entrances")

    return Spoil(f"xiaoqu.gpkg rows {rows} 总户数 = {value}", apply)


OVERRIDES = {"walk_speed_m_per_min": "55", "walk_minutes": "15", "service_radius_m": "1000"}


@st.composite
def bad_override(draw) -> Spoil:
    key = draw(st.sampled_from(list(OVERRIDES)))
    rule = RANGES[key]
    value = draw(
        st.one_of(
            st.sampled_from([".inf", "-.inf", ".nan", "fast", "[55, 60]", "true", "null"]),
            st.floats(rule.high * 1.001, 1e300).map(lambda v: f"{v:e}"),
            st.floats(-1e300, rule.low * 0.999).map(lambda v: f"{v:e}"),
        )
    )

    def apply(town: Path) -> None:
        figures = {**OVERRIDES, key: value}
        line = "overrides: {" + ", ".join(f"{k}: {v}" for k, v in figures.items()) + "}"
        rows = (town / SCENARIO).read_text(encoding="utf-8").splitlines()
        text = "\n".join(line if row.startswith("overrides:") else row for row in rows) + "\n"
        (town / SCENARIO).write_text(text, encoding="utf-8")

    return Spoil(f"overrides.{key} = {value}", apply)


# -- strings ---------------------------------------------------------------------------------------------


def _unknown(vocabulary: dict[str, str]) -> st.SearchStrategy[str]:
    known = {k.lower().replace("（", "(").replace("）", ")") for k in vocabulary}
    return st.text(min_size=1, max_size=20).filter(
        lambda t: t.strip() and t.strip().lower().replace("（", "(").replace("）", ")") not in known and "\x00" not in t
    )


@st.composite
def bad_text(draw) -> Spoil:
    if draw(st.booleans()):
        value, row = draw(_unknown(LEVEL_VALUES)), draw(st.integers(0, 14))

        def apply(town: Path) -> None:
            table = pd.read_csv(town / "facilities.csv", dtype=str)
            table.loc[row % len(table), "等级"] = value
            table.to_csv(town / "facilities.csv", index=False)

        return Spoil(f"facilities.csv row {row} 等级 = {value!r}", apply)
    value, row = draw(_unknown(STATUS_VALUES)), draw(st.integers(0, 82))

    def apply_status(town: Path) -> None:
        frame = gpd.read_file(town / "xiaoqu.gpkg", layer="xiaoqu")
        entrances = gpd.read_file(town / "xiaoqu.gpkg", layer="entrances")
        frame.loc[row, "类型"] = value
        (town / "xiaoqu.gpkg").unlink()
        frame.to_file(town / "xiaoqu.gpkg", layer="xiaoqu")
        entrances.to_file(town / "xiaoqu.gpkg", layer="entrances")

    return Spoil(f"xiaoqu.gpkg row {row} 类型 = {value!r}", apply_status)


# -- encodings -------------------------------------------------------------------------------------------


@st.composite
def bad_encoding(draw) -> Spoil:
    target = draw(st.sampled_from(["facilities.csv", SCENARIO]))
    how = draw(st.sampled_from(["utf-16", "utf-32", "0xff"]))
    where = draw(st.floats(0, 1))

    def apply(town: Path) -> None:
        path = town / target
        text = path.read_text(encoding="utf-8")
        if how == "0xff":  # a byte that neither UTF-8 nor GB18030 allows anywhere
            data = text.encode("utf-8")
            cut = int(where * len(data))
            path.write_bytes(data[:cut] + b"\xff" + data[cut:])
        else:
            path.write_bytes(text.encode(how))

    return Spoil(f"{target} as {how} at {where:.2f}", apply)


# -- truncation and structure ----------------------------------------------------------------------------


def _cut_before(text: bytes, marker: bytes) -> int:
    return text.index(marker)


@st.composite
def truncated(draw) -> Spoil:
    target = draw(st.sampled_from(["roads.osm", "xiaoqu.gpkg", SCENARIO]))
    share = draw(st.floats(0, 1, exclude_max=True))

    def apply(town: Path) -> None:
        path = town / target
        data = path.read_bytes()
        if target == "roads.osm":
            limit = _cut_before(data, b"</osm>")  # XML cut anywhere before its last tag
        elif target == SCENARIO:
            # before the closing brace of facilities: a required section is cut or unclosed
            limit = _cut_before(data, b"facilities: {") + data[data.index(b"facilities: {") :].index(b"}")
        else:
            limit = len(data) // 2  # a GeoPackage cut in its first half
        path.write_bytes(data[: int(share * limit)])

    return Spoil(f"{target} cut at {share:.3f} of its readable part", apply)


@st.composite
def duplicated_key(draw) -> Spoil:
    lines = (DEMO / SCENARIO).read_text(encoding="utf-8").splitlines()
    keyed = [i for i, line in enumerate(lines) if line and not line.startswith(("#", " "))]
    index = draw(st.sampled_from(keyed))
    at = draw(st.integers(0, len(lines)))

    def apply(town: Path) -> None:
        rows = list(lines)
        rows.insert(at, rows[index])
        (town / SCENARIO).write_text("\n".join(rows) + "\n", encoding="utf-8")

    return Spoil(f"line {index + 1} stated again at line {at + 1}", apply)


SPOILS = {
    "facility_number": bad_facility_number(),
    "households": bad_households(),
    "override": bad_override(),
    "text": bad_text(),
    "encoding": bad_encoding(),
    "truncated": truncated(),
    "duplicated_key": duplicated_key(),
}


@pytest.mark.parametrize("kind", SPOILS)
def test_spoiled_inputs_exit_2_and_leave_nothing_behind(kind):
    FAST(given(spoil=SPOILS[kind], quiet=st.booleans())(_check_refused))()


@pytest.mark.slow
@pytest.mark.parametrize("kind", SPOILS)
def test_spoiled_inputs_exit_2_and_leave_nothing_behind_many(kind):
    SLOW(given(spoil=SPOILS[kind], quiet=st.booleans())(_check_refused))()
