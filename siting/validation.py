"""Plausible ranges of every number siting reads, in one table: input columns, walking settings, scenario keys.

A figure outside its range (``1e300``), or one that is not a finite number (``inf``, ``nan``), is a
slip — minutes typed as seconds, a speed in km/h, a sum row of a spreadsheet, a cell pasted from the
wrong column — not a planning choice: it is refused with a :class:`~siting.errors.SitingInputError`
naming the column and every offending row (the readers of :mod:`siting.inputs`) or the key and the
file (:class:`~siting.reachability.WalkSettings`, scenario files, rule profiles). A figure inside the
range but beyond what is usual (``usual``) is possible and gives a :class:`~siting.errors.SitingWarning`.

The ranges are listed in the README ("Exit codes"), kept the same as :data:`RANGES` by a test.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from siting.errors import SitingInputError, SitingWarning
from siting.labels import Message, msg

#: What the planner may say about each finding of :mod:`siting.consistency` (scenario keys of the same
#: names): refuse it (the first, the default) or keep the data as it is.
CONSISTENCY_CHOICES = {
    "duplicates": ("refuse", "keep"),
    "areas_at_one_point": ("leave_out", "keep"),
    "links": ("refuse", "keep"),
}


@dataclass(frozen=True)
class Plausible:
    """The plausible range of one figure, and the span within which it is usual.

    Attributes
    ----------
    low, high : float
        Inclusive bounds; outside them (or not finite) the value is refused.
    unit : str
        Key of the unit's text in :data:`siting.labels.MESSAGES` (``unit_*``).
    usual_low, usual_high : float, optional
        Inside the plausible range but outside ``[usual_low, usual_high]``: possible, with a warning.
    fix : str
        Key of the text saying how to fix a setting outside the range.
    """

    low: float
    high: float
    unit: str
    usual_low: float | None = None
    usual_high: float | None = None
    fix: str = "setting_range_fix"

    def span(self) -> Message:
        """The plausible range as text, e.g. ``0–100,000 户``."""
        return msg("plausible_span", low=_figure(self.low), high=_figure(self.high), unit=msg(self.unit))


_WALK_FIX = "walk_setting_fix"

#: The plausible range of every number siting reads (see the module docstring).
RANGES: Mapping[str, Plausible] = {
    # input columns, per row (siting.inputs)
    "households": Plausible(0, 100_000, "unit_households", usual_high=20_000),
    "population": Plausible(0, 300_000, "unit_persons", usual_high=60_000),
    "elderly": Plausible(0, 100_000, "unit_persons", usual_high=20_000),
    "floor_area_m2": Plausible(0, 200_000, "unit_m2", usual_high=50_000),
    "beds": Plausible(0, 10_000, "unit_beds", usual_high=2_000),
    "beds_nursing": Plausible(0, 10_000, "unit_beds", usual_high=2_000),
    "beds_dementia": Plausible(0, 10_000, "unit_beds", usual_high=2_000),
    "land_area_m2": Plausible(0, 1_000_000, "unit_m2", usual_high=200_000),
    "max_floor_area_m2": Plausible(0, 200_000, "unit_m2", usual_high=50_000),
    "min_floor_area_m2": Plausible(0, 200_000, "unit_m2", usual_high=50_000),
    "plot_ratio": Plausible(0, 30, "unit_plot_ratio", usual_high=8),
    "floors": Plausible(1, 150, "unit_floors", usual_high=40),
    # the walk (siting.reachability.WalkSettings, profiles, scenario overrides)
    "walk_speed_m_per_min": Plausible(20, 120, "unit_m_per_min", usual_low=40, usual_high=90, fix=_WALK_FIX),
    "walk_minutes": Plausible(1, 60, "unit_min", fix=_WALK_FIX),
    "service_radius_m": Plausible(50, 5_000, "unit_m", fix=_WALK_FIX),
    "bands_min": Plausible(0.5, 120, "unit_min"),
    "max_snap_m": Plausible(1, 5_000, "unit_m"),
    "gate_tolerance_m": Plausible(1, 500, "unit_m"),
    # scenario keys (siting.scenario) and profile values
    "household_size": Plausible(1, 10, "unit_persons_per_household"),
    "default_floors": Plausible(1, 150, "unit_floors"),
    "point_radius_m": Plausible(1, 2_000, "unit_m"),
    "spacing_m": Plausible(10, 5_000, "unit_m"),
    "time_limit_s": Plausible(1, 86_400, "unit_s"),
}


def _figure(value: float) -> str:
    """A figure as a person reads it: 100,000 and 0.5, but 1e+12 rather than thirteen digits."""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() and abs(value) < 1e9 else f"{value:g}"


def is_number(value: Any) -> bool:
    """True for a finite int or float that is not a bool (YAML's ``yes`` is not a number)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def implausible(key: str, values: Any) -> np.ndarray:
    """Boolean mask: values (NaN = missing, not flagged) that are infinite or outside ``RANGES[key]``."""
    rule = RANGES[key]
    array = np.asarray(values, dtype=float)
    return ~np.isnan(array) & ~((array >= rule.low) & (array <= rule.high))


def unusual(key: str, values: Any) -> np.ndarray:
    """Boolean mask: plausible values outside the usual span of ``RANGES[key]`` (a warning, not an error)."""
    rule = RANGES[key]
    array = np.asarray(values, dtype=float)
    inside = (array >= rule.low) & (array <= rule.high)
    low = -np.inf if rule.usual_low is None else rule.usual_low
    high = np.inf if rule.usual_high is None else rule.usual_high
    return inside & ((array < low) | (array > high))


def problem(key: str, value: Any) -> Message | None:
    """What is wrong with one setting (``None`` when it is a finite number within ``RANGES[key]``)."""
    rule = RANGES[key]
    if not is_number(value):
        return msg("setting_not_finite", value=repr(value), span=rule.span())
    if not rule.low <= value <= rule.high:
        return msg("setting_out_of_range", value=_figure(value), span=rule.span())
    return None


def _usual(rule: Plausible) -> tuple[float, float]:
    return (
        rule.low if rule.usual_low is None else rule.usual_low,
        rule.high if rule.usual_high is None else rule.usual_high,
    )


def check_setting(
    key: str,
    value: Any,
    *,
    name: str | None = None,
    source: str | Message | None = None,
    warn_unusual: bool = False,
) -> float:
    """``value`` as a float, or a :class:`~siting.errors.SitingInputError` naming the key and where it was set.

    Parameters
    ----------
    key : str
        A key of :data:`RANGES`.
    value : any
        The value as given.
    name : str, optional
        The key as the user wrote it (e.g. ``overrides.walk_speed_m_per_min``); default ``key``.
    source : str or Message, optional
        Where it was set: a file path, or a message such as ``msg("where_overrides")``.
    warn_unusual : bool
        Warn (:class:`~siting.errors.SitingWarning`) when the value is plausible but not usual.
    """
    found = problem(key, value)
    if found is not None:
        raise SitingInputError(found, source=source, key=name or key, fix=msg(RANGES[key].fix))
    if warn_unusual and unusual(key, value):
        warnings.warn(
            SitingWarning(
                msg("setting_unusual", value=_figure(value), usual=usual_span(key)), source=source, key=name or key
            ),
            stacklevel=3,
        )
    return float(value)


def usual_span(key: str) -> Message:
    """The usual span of ``RANGES[key]`` as text, for warnings."""
    rule = RANGES[key]
    low, high = _usual(rule)
    return msg("plausible_span", low=_figure(low), high=_figure(high), unit=msg(rule.unit))


def markdown_table() -> str:
    """The ranges as a Markdown table, in English (the README lists them; a test keeps the two the same)."""
    lines = ["| Figure | Plausible | Usual | Unit |", "|---|---|---|---|"]
    for key, rule in RANGES.items():
        low, high = _usual(rule)
        usual = f"{_figure(low)}–{_figure(high)}" if (low, high) != (rule.low, rule.high) else ""
        unit = msg(rule.unit).render("en")
        lines.append(f"| `{key}` | {_figure(rule.low)}–{_figure(rule.high)} | {usual} | {unit} |")
    return "\n".join(lines)
