"""Estimate households (户数) where the data lacks them, always saying so.

Two estimates, each documented in the ``households_source`` column of the areas:

- from population: ``households = population / household_size``; China's 2020 census gives
  2.62 persons per household (Shandong 2.70), see ``shared/standards.md`` §6;
- from buildings: ``households = Σ footprint_m2 × floors × residential_share / floor_area_per_household_m2``
  over the building footprints inside the area; defaults 0.85 residential share (the rest is shared
  space, 公摊, and ground-floor shops) and 92.17 m² per household (2020 census, urban family households).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from siting import defaults
from siting.errors import SitingInputError
from siting.labels import msg


def from_population(population: pd.Series, household_size: float = defaults.HOUSEHOLD_SIZE) -> pd.Series:
    """Households from population (persons) and persons per household."""
    if household_size <= 0:
        raise SitingInputError(
            msg("household_size_invalid", value=household_size),
            source=msg("where_argument", name="household_size"),
            fix=msg("household_size_invalid_fix"),
        )
    return (population.astype(float) / household_size).round()


def from_buildings(
    areas: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    floors_column: str = "floors",
    height_column: str | None = "height",
    floor_height_m: float = defaults.FLOOR_HEIGHT_M,
    default_floors: float = defaults.BUILDING_FLOORS,
    residential_share: float = defaults.RESIDENTIAL_SHARE,
    floor_area_per_household_m2: float = defaults.FLOOR_AREA_PER_HOUSEHOLD_M2,
) -> pd.Series:
    """Households from building footprints inside each area.

    Parameters
    ----------
    areas : GeoDataFrame
        Residential area polygons.
    buildings : GeoDataFrame
        Building footprints with a number of floors (``floors_column``, 层数) or a height in metres
        (``height_column``; floors = height / ``floor_height_m``); a building with neither counts as
        ``default_floors`` floors.
    residential_share : float
        Share of gross floor area that is dwellings (0–1).
    floor_area_per_household_m2 : float
        Gross floor area of one dwelling, m².

    Returns
    -------
    pandas.Series
        Estimated households per area (index of ``areas``), rounded.
    """
    if buildings.crs is None or areas.crs is None:
        raise SitingInputError(
            msg("buildings_no_crs"), source=msg("where_argument", name="buildings"), fix=msg("buildings_no_crs_fix")
        )
    from siting.projection import to_metric

    metric_areas = to_metric(areas)
    metric_buildings = buildings.to_crs(metric_areas.crs)
    if floors_column in metric_buildings.columns:
        floors = pd.to_numeric(metric_buildings[floors_column], errors="coerce")
    else:
        floors = pd.Series(np.nan, index=metric_buildings.index)
    if height_column and height_column in metric_buildings.columns:
        by_height = pd.to_numeric(metric_buildings[height_column], errors="coerce") / floor_height_m
        floors = floors.fillna(np.maximum(1, np.round(by_height)))
    floors = floors.fillna(default_floors)
    gross = metric_buildings.geometry.area * floors
    points = gpd.GeoDataFrame(
        {"gross_m2": gross.values},
        geometry=metric_buildings.geometry.representative_point().values,
        crs=metric_areas.crs,
    )
    joined = gpd.sjoin(points, metric_areas[[metric_areas.geometry.name]], how="inner", predicate="within")
    total = joined.groupby("index_right")["gross_m2"].sum().reindex(areas.index, fill_value=0.0)
    return (total * residential_share / floor_area_per_household_m2).round()
