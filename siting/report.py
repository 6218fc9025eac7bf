"""Write a scenario's results: one output folder, whole or not at all, the same bytes for the same inputs.

Files of a scenario folder (:func:`write_result`):

``summary.json``
    Headline figures, settings, the rule-profile values used and the input fingerprint.
``areas.gpkg`` / ``areas.csv``
    One row per residential area with the reachability and floor-area columns (English column
    names, stable for scripts; the CSV is UTF-8 with a byte-order mark so Excel shows Chinese, and
    has ``lon``/``lat`` of a point inside each area in WGS84).
``facilities.gpkg``
    Facilities with their compliance columns; proposed centres have ``proposed`` = 1.
``proposals.gpkg`` / ``proposals.csv``
    Proposed centres in rank order (only when the scenario optimises), with where they are
    (:func:`locate_sites`: WGS84 and GCJ-02 longitude/latitude, the nearest named street).
``service_areas.gpkg``
    Walking-time service areas (``facility_id``, ``minutes``).
``streets.gpkg``
    The street network the walks were measured on (:func:`streets_layer`), also the map's street layer
    when the folder is read back for a comparison.
``report.xlsx``
    Chinese headers; sheets 汇总 (summary), 规则核查 (rule check), 小区 (areas), 未达标小区 (failing areas),
    乡镇街道 (townships), 社区 (communities), 设施 (facilities), 新增设施建议 (proposals, when optimised),
    规则取值 (rule values used, their sources, year and whether each is checked). 规则核查
    (:func:`rule_check_sheet`) has every verdict with its document, clause and quote; the ``rules`` column
    of the other sheets names the rows their 达标/未达标 cells answer to. Every numeric header carries its unit (the
    optimisation figures theirs from :func:`objective_units`); shares stay numbers in Excel's percent
    format (:func:`is_share`, :data:`PERCENT_FORMAT`).
``map.html``
    The interactive map (:func:`siting.maps.result_map`).
``map.qgz``
    A QGIS project of the GeoPackages, styled like the map; each GeoPackage carries its styles too
    (:mod:`siting.styles`).

Files of a comparison folder (:func:`write_comparison`, ``siting compare``): ``comparison.csv`` and
``comparison.xlsx`` (:func:`comparison_table`: each figure with its unit, the scenarios, their
differences, the best scenario per figure and a closing verdict) and ``comparison_map.html`` (every
scenario on one map, :func:`siting.maps.scenarios_map`).

Determinism: GeoPackages are written with a fixed ``OGR_CURRENT_DATE`` (GDAL otherwise stamps the
write time into ``gpkg_contents``), the workbook's zip entries and document properties carry a fixed
time, JSON keys keep a fixed order and floats are rounded to 6 decimals, and maps number their
elements in order. So the same scenario gives byte-identical folders.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import re
import shutil
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from openpyxl.comments import Comment

from siting import defaults
from siting.errors import SitingInputError
from siting.files import check_output_path
from siting.labels import column_label, msg, relabel, term, unit_label, value_label

#: Time written into files that would otherwise carry the time of writing.
FIXED_TIME = "2000-01-01T00:00:00Z"
#: A file marking a folder as siting output, so it may be replaced by a later run.
MARKER = ".siting-output"
#: Summary figures compared by ``siting compare``, in this order.
COMPARE_KEYS = (
    "households_total",
    "households_within_walk",
    "share_within_walk",
    "households_within_radius",
    "share_within_radius",
    "households_within_radius_network",
    "share_within_radius_network",
    "areas_total",
    "areas_within_walk",
    "areas_floor_area_ok",
    "share_households_floor_area_ok",
    "floor_area_shortfall_m2",
    "proposed_sites",
    "expanded_sites",
    "added_floor_area_m2",
    "plan_cost",
    "objective",
    "status",
    "gap",
)
SETTING_KEYS = ("walk_minutes", "walk_speed_m_per_min", "service_radius_m")
#: Categorical columns whose values are shown in words in the workbook.
VALUE_COLUMNS = (
    "status",
    "level",
    "households_source",
    "unreachable_reason",
    "fail_reason",
    "kind",
    "max_floor_area_source",
    "floor_area_rule_source",
    "reason",
)
#: Summary keys whose label differs from the column of the same name (``status`` of a solver is not an area's).
LABEL_KEYS = {"status": "solver_status"}
#: Excel number format of shares: the cell holds 0.5763 and shows 57.6%.
PERCENT_FORMAT = "0.0%"
_SHARE_PREFIXES = ("share_", "compliance_rate_", "coverage_")
_SHARE_KEYS = frozenset({"covered_share", "gap", "rate", "target"})
#: Longitude/latitude columns of :func:`locate_sites` (degrees, kept to 6 decimals: 0.1 m).
COORDINATE_COLUMNS = ("lon", "lat", "lon_gcj02", "lat_gcj02")


def _label(key: str, language: str) -> str:
    return column_label(LABEL_KEYS.get(key, key), language)


def is_share(key: str) -> bool:
    """True for columns and summary keys holding a fraction 0–1 (``share_within_walk``, ``gap``, ...)."""
    key = key.removesuffix("_before")
    return (key.startswith(_SHARE_PREFIXES) and not key.endswith("_met")) or key in _SHARE_KEYS


# --------------------------------------------------------------------------------------------------
# Whole-or-nothing folders
# --------------------------------------------------------------------------------------------------
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(parent: Path, name: str) -> None:
    """Remove work folders of runs that died (killed, power cut) before finishing."""
    pattern = re.compile(rf"^\.{re.escape(name)}\.(partial|old)-(\d+)(-\d+)?$")
    for entry in parent.iterdir() if parent.exists() else ():
        match = pattern.match(entry.name)
        if match and int(match.group(2)) != os.getpid() and not _pid_alive(int(match.group(2))):
            shutil.rmtree(entry, ignore_errors=True)


#: Attempts at moving a finished folder into place while other runs commit the same folder.
COMMIT_ATTEMPTS = 100


@contextmanager
def atomic_folder(target: str | Path) -> Iterator[Path]:
    """Build a folder in a hidden work folder beside ``target`` and move it into place only when done.

    On success ``target`` is replaced by the new folder (a previous siting output there is removed);
    on any error, or if the process is killed, ``target`` is left as it was. A killed run leaves only
    the hidden ``.<name>.partial-<pid>`` work folder, which the next run beside it removes. Runs that
    finish at the same moment each put their whole folder in place, one after the other; the last
    one stays (:func:`_commit`).

    Parameters
    ----------
    target : path
        The output folder. If it exists it must be empty or a previous siting output (it holds the
        ``.siting-output`` marker), so a mistyped path never deletes a planner's folder. It is
        checked before anything is written (:func:`siting.files.check_output_path`).

    Yields
    ------
    Path
        The work folder to write into.
    """
    target = check_output_path(target).resolve()
    refuse_foreign_folder(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(parent, target.name)
    work = parent / f".{target.name}.partial-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:  # from the mkdir on: a stop (Ctrl-C, SIGTERM) right after it must remove the folder too
        work.mkdir()
        yield _output_folder(work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _commit(work, target)


def refuse_foreign_folder(target: Path) -> None:
    """Refuse an output folder that is not empty and not a previous siting output (no marker): a
    mistyped path must never delete a planner's folder. Nothing is created."""
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).exists())):
        raise SitingInputError(
            msg("output_folder_foreign"), source=msg("where_folder", path=target), fix=msg("output_folder_foreign_fix")
        )


def _commit(work: Path, target: Path) -> None:
    """Move ``work`` to ``target``: the previous folder aside first, then the new one in its place.

    Another run may commit the same target between the two renames; its folder then stands where
    ours was to go, and the rename fails (the target is a folder that is not empty). Each attempt
    moves whatever stands there aside and tries again, so every run's folder is put in place whole.
    """
    olds = []
    for attempt in range(COMMIT_ATTEMPTS):
        old = target.parent / f".{target.name}.old-{os.getpid()}-{attempt}"
        try:
            os.replace(target, old)
            olds.append(old)
        except FileNotFoundError:  # no previous folder, or another run moved it aside just now
            pass
        try:
            os.replace(work, target)
            break
        except OSError as exc:
            # POSIX says ENOTEMPTY or EEXIST for a non-empty target folder; Windows refuses any existing one
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.EACCES) or attempt == COMMIT_ATTEMPTS - 1:
                shutil.rmtree(work, ignore_errors=True)
                raise
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)


def _output_folder(folder: str | Path) -> Path:
    """Create ``folder`` with the marker that lets a later run replace it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("Written by siting; a later run may replace this folder whole.\n", encoding="utf-8")
    return folder


# --------------------------------------------------------------------------------------------------
# Single files
# --------------------------------------------------------------------------------------------------
def _for_file(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns GeoPackage/CSV can hold: lists joined with ';', nullable booleans as 1/0/empty."""
    out = frame.copy()
    for column in out.columns:
        if column == getattr(out, "_geometry_column_name", None):
            continue
        series = out[column]
        if isinstance(series.dtype, pd.BooleanDtype):
            out[column] = series.astype("Int8")
        elif series.dtype == object:
            if series.map(lambda v: isinstance(v, (list, tuple))).any():
                out[column] = series.map(lambda v: ";".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
            elif series.map(lambda v: isinstance(v, (bool, np.bool_)) or v is None).all() and series.notna().any():
                out[column] = series.map(lambda v: None if v is None else int(v)).astype("Int8")
    return out


@contextmanager
def fixed_gpkg_date(date: str = FIXED_TIME.replace("Z", ".000Z")) -> Iterator[None]:
    """GeoPackages written inside carry ``date`` instead of the clock (GDAL's ``OGR_CURRENT_DATE``)."""
    import pyogrio

    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": date})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


#: GeoPackage version written: 1.2 opens without a warning in GIS built on GDAL before 3.7 (QGIS 3.22 LTR of
#: Debian 12 says 1.4 "may only be partially supported"); siting uses nothing of 1.3 or 1.4.
GPKG_VERSION = "1.2"


def write_gpkg(frame: gpd.GeoDataFrame, path: str | Path, layer: str) -> Path:
    """Write one GeoPackage layer with a fixed timestamp, so identical data gives identical bytes."""
    with fixed_gpkg_date():
        _for_file(frame).to_file(path, driver="GPKG", layer=layer, engine="pyogrio", VERSION=GPKG_VERSION)
    return Path(path)


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """CSV (UTF-8 with BOM, so Excel shows Chinese); geometry replaced by ``lon``/``lat`` (WGS84)."""
    out = frame
    if isinstance(frame, gpd.GeoDataFrame):
        points = frame.geometry.representative_point().to_crs(4326)
        out = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        out["lon"] = points.x.round(6).to_numpy()
        out["lat"] = points.y.round(6).to_numpy()
    _for_file(out).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return Path(path)


def write_json(data: Mapping[str, Any], path: str | Path) -> Path:
    """JSON with Chinese kept readable and NaN written as null."""
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")
    return Path(path)


def _fixed_zip(data: bytes) -> bytes:
    """The workbook with every zip entry and the document properties dated :data:`FIXED_TIME`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_TIME.encode() + rb"\g<3>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return buffer.getvalue()


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    percent: Mapping[str, np.ndarray] | None = None,
    notes: Mapping[str, Mapping[str, str]] | None = None,
    formats: Mapping[str, Mapping[tuple[int, int], str]] | None = None,
) -> Path:
    """An Excel workbook, one sheet per table, with fixed timestamps (identical bytes for identical tables).

    Parameters
    ----------
    sheets : mapping of sheet name to DataFrame
    path : path
    percent : mapping of sheet name to boolean array, optional
        Cells (shape of the sheet's frame) holding shares 0–1: written as numbers in Excel's percent
        format (:data:`PERCENT_FORMAT`), so 0.5763 shows as 57.6% and stays a number for formulas.
    notes : mapping of sheet name to {header: text}, optional
        A note (Excel comment) on a header cell, defining what the column counts.
    formats : mapping of sheet name to {(row, column): number format}, optional
        Number formats of single cells (positions in the sheet's frame), after ``percent``.

    Every text, headers included, is stored as text, never as a formula, whatever it starts with
    (:func:`_keep_text`): a facility named ``=HYPERLINK(...)`` in an input shows as typed and runs nothing.
    Control characters a workbook cannot hold are taken out (:func:`_excel_text`); the CSVs keep the text raw.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, raw in sheets.items():
            frame = _excel_text(raw)
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            _keep_text(sheet)
            for i, column in enumerate(frame.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)]) + 2
                sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = min(width * 1.2, 60)
            sheet.freeze_panes = "A2"
            mask = (percent or {}).get(name)
            for row, col in zip(*np.nonzero(mask), strict=True) if mask is not None else ():
                # +2: a header row, and openpyxl counts from 1
                sheet.cell(row=int(row) + 2, column=int(col) + 1).number_format = PERCENT_FORMAT
            for (row, col), number_format in (formats or {}).get(name, {}).items():
                sheet.cell(row=row + 2, column=col + 1).number_format = number_format
            for i, column in enumerate(frame.columns, start=1):
                if note := (notes or {}).get(name, {}).get(str(column)):
                    sheet.cell(row=1, column=i).comment = Comment(note, "siting", width=320, height=160)
    Path(path).write_bytes(_fixed_zip(buffer.getvalue()))
    return Path(path)


#: Control characters a workbook cannot hold (XML 1.0 allows tab, line feed and carriage return only).
_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0e-\x1f]")
#: Word's manual line break (\v) and page break (\f) are line breaks in a cell.
_EXCEL_BREAKS = re.compile(r"[\x0b\x0c]")


def _excel_cell(value: Any) -> Any:
    """A text with its line and page breaks as line feeds and other control characters removed."""
    if not isinstance(value, str):
        return value
    return _EXCEL_ILLEGAL.sub("", _EXCEL_BREAKS.sub("\n", value))


def _excel_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text (headers and cells) fit for a workbook (:func:`_excel_cell`); a copy
    only when something had to change (a name pasted from Word with ``\v`` would stop openpyxl)."""
    texts = [c for c in frame.columns if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)]
    columns = [_excel_cell(c) for c in frame.columns]
    if not texts and columns == list(frame.columns):
        return frame
    out = frame.set_axis(columns, axis=1)
    for i, column in enumerate(frame.columns):
        if column in texts:
            out.isetitem(i, frame[column].map(_excel_cell))
    return out


#: First characters that make a spreadsheet read typed text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")


def _keep_text(sheet: Any) -> None:
    """Store the texts of an openpyxl sheet as text: openpyxl writes a string starting with ``=`` as a
    formula, and Excel turns text starting with ``=``, ``+``, ``-`` or ``@`` into one when the cell is
    edited; a text cell marked ``quotePrefix`` (Excel's leading apostrophe, not shown) stays text."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or (cell.data_type == "s" and str(cell.value).startswith(FORMULA_STARTS)):
                cell.data_type = "s"
                cell.quotePrefix = True


# --------------------------------------------------------------------------------------------------
# A scenario's folder
# --------------------------------------------------------------------------------------------------
def _decimals(column: str) -> int:
    """Decimals kept in the workbook: shares keep their digits (57.63% is 0.5763), coordinates 6 (0.1 m),
    metres, minutes and m² two (what a reviewer reads, not float noise)."""
    return 6 if is_share(column) or column in COORDINATE_COLUMNS else 2


def _table(frame: pd.DataFrame, language: str = "zh", units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A frame for the workbook: no geometry, words for categories, labelled headers (``units`` adds a unit
    to the header of the columns it names, e.g. ``{"marginal_gain": "户·分钟"}``)."""
    out = pd.DataFrame(frame.drop(columns=[c for c in ("geometry",) if c in frame.columns]))
    out = _for_file(out)
    for column in out.columns:
        if out[column].dtype == "Int8" or out[column].dtype == bool:
            out[column] = [None if pd.isna(v) else value_label(bool(v), language) for v in out[column]]
        elif pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(_decimals(column))
    if "floor_area_rule" in out.columns:
        out["floor_area_rule"] = out["floor_area_rule"].map(lambda rule: _rule_text(rule, language))
    out = relabel(out, language, values=VALUE_COLUMNS)
    return out.rename(
        columns={
            column_label(key, language): with_unit(column_label(key, language), unit, language)
            for key, unit in (units or {}).items()
        }
    )


def _rule_text(rule: object, language: str) -> object:
    """``existing_area_m2_per_100hh=15`` as the reviewer reads it: 已建小区每百户配建面积 ≥ 15 m2/100hh."""
    from siting.profiles import SCHEMA

    key, _, value = str(rule).partition("=")
    spec = SCHEMA.get(key)
    if spec is None:
        return rule
    label = spec.label_zh if language == "zh" else spec.label_en
    if spec.kind == "choice":  # the reading that decides whether the rate applies (floor_area_scope)
        return (
            f"{label}：{value_label(value, language)}"
            if language == "zh"
            else f"{label}: {value_label(value, language)}"
        )
    if not value:  # the profile sets no rate for this status
        return f"{label}：{value_label('rate_not_set', language)}" if language == "zh" else f"{label}: not set"
    return f"{label} ≥ {value} {unit_label(spec.unit, language)}"


def _summary_items(summary: Mapping[str, Any], language: str) -> list[tuple[str, str, Any]]:
    """``(key, label, value)`` of the summary sheet: headline figures, then the settings used."""
    units = objective_units(summary, language)
    items: list[tuple[str, str, Any]] = [
        ("scenario", column_label("scenario", language), summary.get("scenario")),
        ("profile", column_label("profile", language), summary.get("profile")),
    ]
    for key in COMPARE_KEYS:
        if key in summary and (key != "plan_cost" or _costed(summary)):
            value = summary[key]
            label = with_unit(_label(key, language), units.get(key), language)
            items.append((key, label, value_label(value, language) if isinstance(value, str) else value))
    for key, value in summary.items():
        if key.endswith("_before"):
            items.append((key, f"{_label(key[:-7], language)} ({column_label('before', language)})", value))
    for key in SETTING_KEYS:
        items.append((key, column_label(key, language), summary.get("settings", {}).get(key)))
    if summary.get("settings", {}).get("optimize"):
        items.append(
            ("areas_unfixable", column_label("areas_unfixable", language), len(summary.get("unfixable_areas") or []))
        )
        build = summary["settings"].get("build") or {}
        if _costed(summary):
            for key in ("cost_new_site", "cost_per_m2"):
                # the compliance plan's defaults are stated as such: nobody gave them
                value = build.get(key)
                shown = (
                    value
                    if build.get("costs_given")
                    else f"{_amount(value)} ({value_label('toolkit_assumption', language)})"
                )
                items.append((key, column_label(key, language), shown))
        key = "facility_max_floor_area_m2"
        items.append((key, column_label(key, language), build.get(key)))
        given = build.get("candidate_max_floor_area_m2")
        # a bound nobody set is the toolkit's, and the workbook says it is an assumption
        assumed = f"{build.get('toolkit_max_floor_area_m2', 0):g} ({value_label('toolkit_assumption', language)})"
        shown = given if given is not None else assumed
        items.append(("candidate_max_floor_area_m2", column_label("candidate_max_floor_area_m2", language), shown))
    estimated = sum((summary.get("areas_households_estimated") or {}).values())
    if estimated:
        items.append(("areas_households_estimated", column_label("areas_households_estimated", language), estimated))
    left_out = summary.get("left_out_by_clip") or {}
    if any(left_out.values()):
        count = sum(len(ids) for ids in left_out.values())
        items.append(("left_out_by_clip", column_label("left_out_by_clip", language), count))
    return items


def _unfixable_table(result: Any) -> pd.DataFrame:
    """Areas no plan can fix, with their households, status and the reason."""
    areas = result.areas.set_index("area_id")
    reasons = result.proposal.unfixable.set_index("area_id")["reason"]
    out = areas.loc[reasons.index, [c for c in ("name", "township", "community", "households", "status") if c in areas]]
    return out.assign(reason=reasons.to_numpy()).reset_index()


def summary_rows(summary: Mapping[str, Any], language: str = "zh") -> pd.DataFrame:
    """The summary as ``item``/``value`` rows: headline figures (with units), then the settings used."""
    rows = [(label, value) for _, label, value in _summary_items(summary, language)]
    return pd.DataFrame(rows, columns=[column_label("item", language), column_label("value", language)])


def _summary_percent(summary: Mapping[str, Any]) -> np.ndarray:
    """Cells of :func:`summary_rows` holding shares: the value of every share row."""
    keys = [key for key, _, _ in _summary_items(summary, "en")]
    return np.column_stack([np.zeros(len(keys), bool), [is_share(key) for key in keys]])


def _column_percent(frame: pd.DataFrame) -> np.ndarray:
    """Cells of a table (English column names) holding shares: whole share columns."""
    return np.broadcast_to([is_share(str(c)) for c in frame.columns], frame.shape)


def _costed(summary: Mapping[str, Any]) -> bool:
    """Whether the plan's figures carry costs: the scenario gave them, or the objective minimises them."""
    settings = summary.get("settings") or {}
    optimize = settings.get("optimize") or {}
    return bool((settings.get("build") or {}).get("costs_given")) or optimize.get("objective") == "compliance"


#: Notes on the headers of the 设施 and 新增设施建议 sheets (MESSAGES keys): each household column has one
#: meaning, said where it is read.
COLUMN_NOTES = {
    "households_served": "note_households_served",
    "households_newly_covered": "note_households_newly_covered",
    "shares_need_with": "note_shares_need_with",
    "at_cap": "note_at_cap",
}
#: Where a facility or proposed site meets the street (:func:`siting.snapping.street_position`): for the
#: re-check and next year's run, kept in the GeoPackages and CSVs, not in the workbook a reviewer reads.
STREET_POSITION = ("street_u_id", "street_v_id", "street_offset_m")


def column_notes(frame: pd.DataFrame, summary: Mapping[str, Any], language: str = "zh") -> dict[str, str]:
    """Header label → note, for the columns of ``frame`` (English names) that have one; ``cost`` says
    whether the scenario gave the unit costs or the compliance plan's defaults were used."""
    notes = {
        column_label(column, language): msg(key).render(language)
        for column, key in COLUMN_NOTES.items()
        if column in frame.columns
    }
    if "cost" in frame.columns:
        build = (summary.get("settings") or {}).get("build") or {}
        key = "note_cost_given" if build.get("costs_given") else "note_cost_default"
        fields = {"new_site": _amount(build.get("cost_new_site")), "per_m2": _amount(build.get("cost_per_m2"))}
        notes[column_label("cost", language)] = msg(key, **fields).render(language)
    return notes


def _amount(value: Any) -> str:
    """A cost as a reader writes it: 1,000,000 and 0.6, not 1e+06."""
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,}"


def gap_format(gap: float | None) -> str:
    """Excel percent format showing an optimality gap to two significant figures (0.000188 shows 0.019%):
    a small gap rounded to 0.0% would read as proven."""
    if gap is None or not gap > 0:
        return PERCENT_FORMAT
    decimals = max(0, 1 - math.floor(math.log10(100 * gap)))
    return f"0.{'0' * decimals}%" if decimals else "0%"


def gap_text(gap: float | None) -> str:
    """An optimality gap as text, to two significant figures (``0.019%``; ``—`` when unknown)."""
    return "—" if gap is None or not math.isfinite(gap) else f"{100 * gap:.2g}%"


# --------------------------------------------------------------------------------------------------
# Units of the optimisation figures, and where proposed sites are
# --------------------------------------------------------------------------------------------------
def objective_units(summary: Mapping[str, Any], language: str = "zh") -> dict[str, str]:
    """Units of an optimised scenario's ``objective`` and its proposals' ``marginal_gain``.

    They follow the objective (:attr:`siting.optimize.Objective.objective_unit`) and the demand weight:
    p-median counts household-minutes (户·分钟; 人·分钟 with ``weight: elderly``), maximal coverage
    households (户), set cover new sites (处), the least-cost compliance plan the planner's cost units.

    Returns
    -------
    dict
        ``{"objective": ..., "marginal_gain": ...}`` in ``language``; empty when the scenario does not optimise.
    """
    from siting.optimize import OBJECTIVES

    opt = (summary.get("settings") or {}).get("optimize") or {}
    objective = OBJECTIVES.get(str(opt.get("objective")))
    if objective is None:
        return {}
    weight = opt.get("weight", "households")

    def unit(kind: str) -> str:
        key = {"sites": "unit_sites", "money": "unit_money"}.get(kind, f"unit_{kind}_{weight}")
        return term(key, language)

    return {"objective": unit(objective.objective_unit), "marginal_gain": unit(objective.gain_unit)}


def with_unit(label: str, unit: str | None, language: str = "zh") -> str:
    """``目标函数值(户·分钟)`` / ``Objective value (household-minutes)``; the label alone without a unit."""
    if not unit:
        return label
    return f"{label}({unit})" if language == "zh" else f"{label} ({unit})"


def locate_sites(sites: gpd.GeoDataFrame, network: Any) -> gpd.GeoDataFrame:
    """``sites`` (points) with where they are, for a planner to find them on any map.

    Adds ``lon``/``lat`` (WGS84, as GPS and OpenStreetMap), ``lon_gcj02``/``lat_gcj02`` (GCJ-02, as Amap
    and Tencent maps), ``street_gap_m`` (straight-line distance to the nearest street of the network, where
    the walk to the site starts, metres), ``street_name`` (the nearest street with a name in the network's
    ``name`` column; empty when no street has one) and ``street_name_dist_m`` (distance to that street, metres).
    """
    from siting.projection import wgs84_to_gcj02_gdf
    from siting.snapping import nearest_streets

    out = sites.copy()
    wgs84 = sites.to_crs(4326)
    gcj02 = wgs84_to_gcj02_gdf(wgs84)
    out["lon"], out["lat"] = wgs84.geometry.x.round(6).to_numpy(), wgs84.geometry.y.round(6).to_numpy()
    out["lon_gcj02"], out["lat_gcj02"] = gcj02.geometry.x.round(6).to_numpy(), gcj02.geometry.y.round(6).to_numpy()
    edge, distance = nearest_streets(network, sites, named=True)
    names = network.edges["name"].to_numpy(dtype=object) if "name" in network.edges else None
    out["street_name"] = [None if names is None or e < 0 else names[e] for e in edge]
    out["street_name_dist_m"] = distance
    out["street_gap_m"] = nearest_streets(network, sites)[1]
    return out


def streets_layer(network: Any) -> gpd.GeoDataFrame:
    """The walked street network as written to ``streets.gpkg``: one row per segment with the OSM node ids
    of its ends (``u_id``, ``v_id``), ``length_m`` and, when known, ``name`` and ``highway``."""
    return network.edges.drop(columns=["u", "v"])


def rule_check_sheet(compliance: Any, language: str = "zh") -> tuple[pd.DataFrame, np.ndarray]:
    """The 规则核查 sheet of a :class:`~siting.compliance.ComplianceResult` and its percent cells.

    One row per rule the profile sets (:meth:`~siting.compliance.ComplianceResult.rules_table`): level,
    measure, standard, target, actual, verdict (达标 / 未达标 / 未到目标年份 / 不适用 / 上级目标（参考）/ 未核查
    with the missing input / 计入条件), notes beside it, year, document, clause and quote.

    Returns
    -------
    sheet : DataFrame
    percent : numpy.ndarray
        Cells holding shares (目标值 and 现状值 of rules measured in %), for :func:`write_xlsx`.
    """
    sheet = compliance.rules_table(language)
    percent = np.zeros(sheet.shape, bool)
    shares = (compliance.rules["unit"] == "share").to_numpy()
    for key in ("target_value", "actual_value"):
        if column_label(key, language) in sheet.columns:
            percent[:, sheet.columns.get_loc(column_label(key, language))] = shares
    return sheet, percent


def _rules_table(profile, language: str = "zh") -> pd.DataFrame:
    from siting.profiles import profile_place

    table = profile.describe(language).drop(columns=["inherited"]).rename(columns={"status": "rule_status"})
    table["defined_in"] = table["defined_in"].map(lambda name: profile_place(name, language))
    return relabel(table, language, values=("defined_in", "source"))


def write_result(result: Any, folder: str | Path, *, language: str = "zh") -> Path:
    """Write every file of one scenario into ``folder`` (normally the work folder of :func:`atomic_folder`).

    Parameters
    ----------
    result : siting.pipeline.ScenarioResult
    folder : path
        Created if missing.
    language : {"zh", "en"}
        Language of the workbook headers and the map.

    Returns
    -------
    Path
        The folder.
    """
    from siting.maps import result_map, save_map
    from siting.styles import style_outputs

    folder = _output_folder(folder)
    summary = result.summary
    write_json(summary, folder / "summary.json")
    write_gpkg(result.areas, folder / "areas.gpkg", "areas")
    write_csv(result.areas, folder / "areas.csv")
    write_gpkg(result.facilities, folder / "facilities.gpkg", "facilities")
    write_gpkg(result.service_areas, folder / "service_areas.gpkg", "service_areas")
    streets = streets_layer(result.network)
    write_gpkg(streets, folder / "streets.gpkg", "streets")
    layers = {
        "areas": result.areas,
        "facilities": result.facilities,
        "service_areas": result.service_areas,
        "streets": streets,
    }
    tables = {
        "小区": result.areas,
        "未达标小区": result.compliance.failing,
        "乡镇街道": result.compliance.townships,
        "社区": result.compliance.communities,
        # the check's catchment is what the proposals call households served: one name, one meaning
        "设施": result.facilities.rename(columns={"catchment_households": "households_served"}),
    }
    if result.proposals is not None:
        proposals = locate_sites(result.proposals, result.network)
        write_gpkg(proposals, folder / "proposals.gpkg", "proposals")
        layers["proposals"] = proposals
        write_csv(proposals, folder / "proposals.csv")
        tables["新增设施建议"] = proposals
        if result.proposal is not None and len(result.proposal.unfixable):
            tables["无法达标小区"] = _unfixable_table(result)
    sheets = {"汇总": summary_rows(summary, language)}
    percent = {"汇总": _summary_percent(summary)}
    # what a county official signs off: every verdict with its clause, right after the summary
    sheets["规则核查"], percent["规则核查"] = rule_check_sheet(result.compliance, language)
    units = objective_units(summary, language)
    notes = {}
    for name, frame in tables.items():
        frame = frame.drop(columns=[c for c in STREET_POSITION if c in frame.columns])
        sheets[name] = _table(frame, language, units)
        percent[name] = _column_percent(frame.drop(columns=[c for c in ("geometry",) if c in frame.columns]))
        if name in ("设施", "新增设施建议"):
            notes[name] = column_notes(frame, summary, language)
    sheets["规则取值"] = _rules_table(result.profile, language)
    keys = [key for key, _, _ in _summary_items(summary, language)]
    formats = {"汇总": {(keys.index("gap"), 1): gap_format(summary["gap"])}} if "gap" in keys else {}
    write_xlsx(sheets, folder / "report.xlsx", percent=percent, notes=notes, formats=formats)
    map_settings = result.scenario.settings.map
    basemap = map_settings.basemap
    m = result_map(
        result.areas,
        result.facilities,
        service_areas=result.service_areas,
        radius_m=summary["settings"]["service_radius_m"],
        units=result.units,
        proposals=result.proposals,
        streets=result.network,
        summary=summary,
        basemap=None if basemap == "none" else basemap,
        language=map_settings.language or language,
    )
    save_map(m, folder / "map.html")
    # the GeoPackages open styled like the map in QGIS, and map.qgz opens them all
    style_outputs(
        folder,
        layers,
        title=str(summary.get("scenario") or term("title", language)),
        language=map_settings.language or language,
        update_time=FIXED_TIME.replace("Z", ".000Z"),
    )
    return folder


# --------------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------------
def _summary_of(result: Any) -> dict:
    return result["summary"] if isinstance(result, Mapping) else result.summary


#: Unit of each compared figure, as a :data:`~siting.labels.TERMS` key (shares are percent, their
#: differences percentage points; the objective's unit follows its objective, :func:`objective_units`).
COMPARE_UNITS = {
    "households_total": "unit_households",
    "households_within_walk": "unit_households",
    "households_within_radius": "unit_households",
    "households_within_radius_network": "unit_households",
    "areas_total": "unit_areas",
    "areas_within_walk": "unit_areas",
    "areas_floor_area_ok": "unit_areas",
    "floor_area_shortfall_m2": "unit_m2",
    "proposed_sites": "unit_sites",
    "expanded_sites": "unit_sites",
    "added_floor_area_m2": "unit_m2",
    "plan_cost": "unit_money",
    "walk_minutes": "unit_min",
    "walk_speed_m_per_min": "unit_m/min",
    "service_radius_m": "unit_m",
    "rules_not_met": "unit_rules",
}
#: Which way a figure is better: 1 more, -1 less. Totals, settings and the solver's status have no
#: better side, nor have the means of a plan (new sites, m² added: its cost weighs them).
BETTER = {
    "households_within_walk": 1,
    "share_within_walk": 1,
    "households_within_radius": 1,
    "share_within_radius": 1,
    "households_within_radius_network": 1,
    "share_within_radius_network": 1,
    "areas_within_walk": 1,
    "areas_floor_area_ok": 1,
    "share_households_floor_area_ok": 1,
    "floor_area_shortfall_m2": -1,
    "plan_cost": -1,
    "gap": -1,
    "rules_not_met": -1,
}
#: Whether a smaller objective is better, by what the objective counts (walking cost, new sites and money
#: are minimised; covered demand is maximised).
_OBJECTIVE_BETTER = {"cost": -1, "sites": -1, "money": -1, "weight": 1}
#: Decimals of the compared figures: counts and m² whole, percent (and percentage points) to 0.1.
_COMPARE_DECIMALS = {"unit_households": 0, "unit_areas": 0, "unit_sites": 0, "unit_m2": 0, "unit_rules": 0}


def _figure_text(value: float, sign: str = "") -> str:
    """A figure for text: thousands separated, decimals only when it has them (1,197; 300.4; +3)."""
    return f"{value:{sign},.0f}" if float(value).is_integer() else f"{value:{sign},.2f}".rstrip("0")


def _rounded(value: float, digits: int) -> float | int:
    """A figure as a reader reads it: whole numbers as int, others to ``digits`` decimals (never -0.0)."""
    return round(value) if digits == 0 else round(value, digits) + 0.0


def _scenario_names(summaries: Sequence[Mapping[str, Any]]) -> list[str]:
    names: list[str] = []
    for s in summaries:
        name = str(s.get("scenario"))
        names.append(name if name not in names else f"{name} ({sum(n.startswith(name) for n in names) + 1})")
    return names


def _rules_not_met(summary: Mapping[str, Any]) -> int | None:
    """How many rules of the profile a scenario fails (未达标), None when its summary has no verdicts."""
    rules = (summary.get("compliance") or {}).get("rules")
    return None if rules is None else sum(rule.get("verdict") == "not_met" for rule in rules)


def _objective_rows(summaries: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, int, dict[int, Any]]]:
    """The objective, one row per unit it is counted in (a p-median's 户·分钟 never shares a row with a
    coverage's 户, nor with a p-median's 人·分钟): ``(key, unit key, better side, {scenario position: value})``.
    The key is ``objective`` when every scenario counts the same, else ``objective_<unit>``."""
    from siting.optimize import OBJECTIVES

    rows: dict[tuple[str, int], dict[int, Any]] = {}
    for i, s in enumerate(summaries):
        opt = (s.get("settings") or {}).get("optimize") or {}
        objective = OBJECTIVES.get(str(opt.get("objective")))
        if objective is not None and _is_num(s.get("objective")):
            kind, weight = objective.objective_unit, opt.get("weight", "households")
            unit = {"sites": "unit_sites", "money": "unit_money"}.get(kind, f"unit_{kind}_{weight}")
            rows.setdefault((unit, _OBJECTIVE_BETTER[kind]), {})[i] = s["objective"]
    return [
        ("objective" if len(rows) == 1 else f"objective_{unit.removeprefix('unit_')}", unit, better, values)
        for (unit, better), values in rows.items()
    ]


def comparison_table(results: Sequence[Any]) -> pd.DataFrame:
    """Scenarios side by side: which plan is better on each figure, and which wins.

    Parameters
    ----------
    results : sequence
        Scenario results (:class:`~siting.pipeline.ScenarioResult` or mappings with ``summary``).

    Returns
    -------
    DataFrame
        One row per figure: ``key``, ``item`` (Chinese), ``item_en``, ``unit``, ``unit_en`` (shares in %,
        their differences in percentage points, 百分点), one column per scenario (its name; repeated names
        get ``(2)``, ``(3)``), ``<name> − <first>`` for every later scenario (numbers only), and ``best``:
        the scenarios best on that figure (empty where no side is better, or all are equal). Figures are
        rounded as read (counts and m² whole, percent to 0.1). The objective has one row per unit it is
        counted in. The last row, ``verdict``, says per scenario whether it meets every rule and, in
        ``best``, which plan wins: the least cost among those meeting every rule, else the one failing the
        fewest rules (then the most households within the walk).
    """
    summaries = [_summary_of(r) for r in results]
    names = _scenario_names(summaries)
    rows: list[dict[str, Any]] = []

    def add(key: str, label_key: str, unit_key: str | None, values: list[Any], better: int | None) -> None:
        unit = (term(unit_key, "zh"), term(unit_key, "en")) if unit_key else ("", "")
        share = is_share(key)
        digits = 1 if share else _COMPARE_DECIMALS.get(unit_key or "", 2)
        shown = [_rounded(100 * v if share else v, digits) if _is_num(v) else v for v in values]
        row: dict[str, Any] = {
            "key": key,
            "item": _label(label_key, "zh"),
            "item_en": _label(label_key, "en"),
            "unit": term("unit_percent", "zh") if share else unit[0],
            "unit_en": term("unit_percent", "en") if share else unit[1],
        }
        row.update(zip(names, shown, strict=True))
        for name, value in zip(names[1:], shown[1:], strict=True):
            first = shown[0]
            row[f"{name} − {names[0]}"] = _rounded(value - first, digits) if _is_num(first) and _is_num(value) else None
        numbers = {name: v for name, v in zip(names, shown, strict=True) if _is_num(v)}
        best = ""
        if better and len(numbers) > 1 and len(set(numbers.values())) > 1:
            top = (max if better > 0 else min)(numbers.values())
            best = "、".join(name for name, v in numbers.items() if v == top)
        row["best"] = best
        rows.append(row)

    add("profile", "profile", None, [s.get("profile") for s in summaries], None)
    for key in COMPARE_KEYS:
        if key == "objective":
            for row_key, unit, better, values in _objective_rows(summaries):
                add(row_key, "objective", unit, [values.get(i) for i in range(len(summaries))], better)
            continue
        add(key, key, COMPARE_UNITS.get(key), [s.get(key) for s in summaries], BETTER.get(key))
    add("rules_not_met", "rules_not_met", "unit_rules", [_rules_not_met(s) for s in summaries], -1)
    for key in SETTING_KEYS:
        add(key, key, COMPARE_UNITS.get(key), [s.get("settings", {}).get(key) for s in summaries], None)
    rows.append(_verdict_row(summaries, names))
    table = pd.DataFrame(rows)
    return table.assign(reason=table["reason"].fillna(""), reason_en=table["reason_en"].fillna(""))


def _verdict_row(summaries: Sequence[Mapping[str, Any]], names: list[str]) -> dict[str, Any]:
    """The closing row: per scenario whether it meets every rule; in ``best`` the winner, in ``reason`` why."""
    failing = [_rules_not_met(s) for s in summaries]
    cost = [float(s.get("plan_cost") or 0.0) for s in summaries]  # a scenario that builds nothing costs nothing
    within = [float(s.get("households_within_walk") or 0.0) for s in summaries]
    row: dict[str, Any] = {"key": "verdict", "item": _label("verdict", "zh"), "item_en": _label("verdict", "en")}
    row.update({"unit": "", "unit_en": ""})
    for name, n in zip(names, failing, strict=True):
        row[name] = None if n is None else "meets_every_rule" if n == 0 else "fails_rules"
    row.update({f"{name} − {names[0]}": None for name in names[1:]})
    known = [i for i, n in enumerate(failing) if n is not None]
    if not known:
        return {**row, "best": "", "reason": "", "reason_en": ""}
    meeting = [i for i in known if failing[i] == 0]
    why: dict[str, Any]
    if meeting:
        winner = min(meeting, key=lambda i: (cost[i], -within[i], i))
        key, why = "verdict_least_cost", {"cost": _figure_text(round(cost[winner], 2)), "n": len(meeting)}
    else:
        winner = min(known, key=lambda i: (failing[i] or 0, -within[i], cost[i], i))
        key, why = "verdict_fewest_failed", {"n": failing[winner]}
    return {
        **row,
        "best": names[winner],
        "reason": term(key, "zh", name=names[winner], **why),
        "reason_en": term(key, "en", name=names[winner], **why),
    }


def _is_num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def write_comparison(results: Sequence[Any], folder: str | Path, *, language: str = "zh") -> pd.DataFrame:
    """Write ``comparison.csv``, ``comparison.xlsx`` (sheet 对比) and ``comparison_map.html``: every
    scenario on one map, each a switchable group of layers (:func:`siting.maps.scenarios_map`).

    Returns
    -------
    DataFrame
        The :func:`comparison_table`.
    """
    from siting.maps import save_map, scenarios_map

    folder = _output_folder(folder)
    table = comparison_table(results)
    write_csv(table, folder / "comparison.csv")
    write_xlsx({"对比": comparison_sheet(table, language)}, folder / "comparison.xlsx")
    figure = scenarios_map(results, language=language, radius_m=_summary_of(results[0])["settings"]["service_radius_m"])
    save_map(figure, folder / "comparison_map.html")
    return table


def comparison_sheet(table: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """The :func:`comparison_table` as the workbook shows it: item, unit, the scenarios, their differences,
    the best scenario and the verdict's reason, in ``language``; words for codes (满足全部规则)."""
    other = "_en" if language == "zh" else ""
    mine = "" if language == "zh" else "_en"
    shown = table.drop(columns=["key", f"item{other}", f"unit{other}", f"reason{other}"])
    values = shown.columns[2:-2]  # between item/unit and best/reason
    for column in values:
        shown[column] = [value_label(v, language) if isinstance(v, str) else v for v in shown[column]]
    return shown.rename(
        columns={
            f"item{mine}": column_label("item", language),
            f"unit{mine}": column_label("unit", language),
            "best": column_label("best", language),
            f"reason{mine}": column_label("reason", language),
        }
    )


# --------------------------------------------------------------------------------------------------
# Text for the terminal
# --------------------------------------------------------------------------------------------------
def _share(value: Any) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def format_summary(summary: Mapping[str, Any]) -> str:
    """A few lines, Chinese and English, with the headline figures of one scenario."""
    total = summary["households_total"]
    settings = summary.get("settings", {})
    minutes = settings.get("walk_minutes", defaults.WALK_MINUTES)
    lines = [
        f"{summary['scenario']}  (规则 / profile: {summary['profile']}; "
        f"{minutes:g} 分钟 min × "
        f"{settings.get('walk_speed_m_per_min', defaults.WALK_SPEED_M_PER_MIN):g} m/min, "
        f"半径 radius {settings.get('service_radius_m', defaults.SERVICE_RADIUS_M):g} m)",
        f"  {minutes:g}分钟步行可达 / within the walk:  "
        f"{summary['households_within_walk']:,.0f} / {total:,.0f} 户 households "
        f"({_share(summary['share_within_walk'])})",
        f"  服务半径内(直线) / within radius (straight):  {_share(summary['share_within_radius'])};  "
        f"(路网 / network): {_share(summary.get('share_within_radius_network'))}",
        f"  配建面积达标 / floor area compliant:  {summary['areas_floor_area_ok']} / {summary['areas_total']} 小区 "
        f"areas, {_share(summary['share_households_floor_area_ok'])} 户 of households; "
        f"缺口 shortfall {summary['floor_area_shortfall_m2']:,.0f} m²",
    ]
    if summary.get("proposed_sites") or summary.get("expanded_sites"):
        lines.append(
            f"  规划新增 / proposed centres:  {summary['proposed_sites']} "
            f"({', '.join(summary.get('proposed_site_ids', []))}); 扩建 / enlarged: {summary.get('expanded_sites', 0)} "
            f"({', '.join(summary.get('expanded_site_ids', []))}); 新增建筑面积 / m² added "
            f"{summary.get('added_floor_area_m2', 0):,.0f}; 求解 status {summary['status']}, "
            f"gap {gap_text(summary['gap'])}"
        )
        unfixable = summary.get("unfixable_areas") or []
        if unfixable:
            listed = ", ".join(f"{a['area_id']} {value_label(a['reason'], 'zh')}" for a in unfixable[:10])
            more = " …" if len(unfixable) > 10 else ""
            lines.append(f"  无法达标 / no plan can fix:  {len(unfixable)} 小区 areas ({listed}{more})")
        if "share_within_walk_before" in summary:
            lines.append(
                f"  新增前 / before:  {_share(summary['share_within_walk_before'])} within the walk, "
                f"{_share(summary['share_households_floor_area_ok_before'])} floor area compliant"
            )
    return "\n".join(lines)


def format_comparison(table: pd.DataFrame) -> str:
    """The comparison table as aligned text (Chinese), figures with thousands separators."""
    from siting.profiles import format_table

    shown = comparison_sheet(table, "zh")
    for column in shown.columns[2:-2]:
        sign = "+" if "−" in str(column) else ""
        shown[column] = [_figure_text(v, sign) if _is_num(v) else v for v in shown[column]]
    return format_table(shown)


def format_demo(results: Sequence[Any], folder: Path, maps: Sequence[Path]) -> str:
    """What the demo found and where its files are, in Chinese and English."""
    baseline, plan = (_summary_of(r) for r in results)
    proposals = results[1].proposals
    lines = [
        "示范县城（虚构数据）/ Demo town (synthetic data)",
        "",
        "现状 / Baseline",
        format_summary(baseline),
        "",
        "规划方案 / Optimised plan",
        format_summary(plan),
    ]
    if proposals is not None and len(proposals):
        lines.append("  建议新增设施 / proposed centres:")
        for row in proposals.itertuples(index=False):
            lines.append(
                f"    {row.rank}. {value_label(row.kind, 'zh')} {row.site_id} {row.name}: 建议建筑面积 recommended "
                f"{row.recommended_floor_area_m2:,.0f} m² (+{row.added_floor_area_m2:,.0f}), 服务 serves "
                f"{row.households_served:,.0f} 户 households"
            )
    lines += ["", f"结果文件 / results: {folder}", *(f"地图 / map: {path}" for path in maps)]
    return "\n".join(lines)
