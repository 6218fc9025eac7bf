"""Every toolkit default in one place, with its unit and where it comes from.

A rule profile or a scenario states most figures itself; these are what siting uses when neither
does. Modules import them from here rather than writing the number again, so that changing a
default is one edit. ``standards.md`` is ``../shared/standards.md`` (the research notes on the
national standards); [U] marks a figure its notes could not confirm.

This module imports nothing, so that reading it costs nothing (the command line reads it at start).
"""

from __future__ import annotations

# --- the walk (siting.reachability.WalkSettings) ---------------------------------------------------
#: Elderly walking pace, m/min: GB 50180-2018 implies 50–67 m/min (300 m in 5 min = 60); standards.md §5.
WALK_SPEED_M_PER_MIN = 60.0
#: The 15-minute elderly service circle (15分钟养老服务圈), minutes.
WALK_MINUTES = 15.0
#: Service radius when the profile states none, m: the common "1000 m" of county documents.
SERVICE_RADIUS_M = 1000.0
#: Walking-time bands reported and drawn as service areas, minutes.
BANDS_MIN = (5.0, 10.0, 15.0)
#: Largest gap from a feature to its street, m; farther features are ``no_street_nearby``.
MAX_SNAP_M = 300.0
#: Features this far outside the street network are taken as a coordinate-system mistake, m.
FAR_OUTSIDE_M = 5000.0
#: Spacing of the samples of an area's boundary, m, among which its street-facing access points are chosen.
BOUNDARY_SAMPLE_M = 20.0
#: A boundary sample faces a street when its gap to the street is at most this much more than the
#: area's smallest gap, m (the sides of a block along its streets, not the far side).
FACING_M = 15.0
#: Most access points kept per area, spread along its street-facing boundary.
MAX_ACCESS_POINTS = 8
#: Endpoints of drawn street centrelines closer than this are joined, m (the small gaps of CAD drawings).
LINE_GAP_M = 0.5
#: Farthest an entrance may lie from the outline of its area, m (a gate on the street beside it).
GATE_TOLERANCE_M = 30.0

# --- generated candidate sites (siting.optimize.generate_candidates) ------------------------------
#: One street node per grid cell of this size, m: about one block (GB 50180 街坊 road spacing 150–250 m [S]).
CANDIDATE_SPACING_M = 150.0
#: Grid nodes are kept within this straight-line distance of an uncovered area, m (the service radius).
CANDIDATE_NEAR_UNCOVERED_M = SERVICE_RADIUS_M

# --- what may be built (siting.plan.BuildSettings) --------------------------------------------------
#: Largest floor area of a new centre when nothing else says, m²: the top of the day-care centre range
#: of GB 50180-2018 Appendix C (350–750 m²; standards.md §1.3 [U]).
MAX_FLOOR_AREA_M2 = 750.0
#: Cost of one new centre, in the planner's cost unit; with :data:`COST_PER_M2` it makes the
#: least-cost plan open as few new centres as possible first, then add as few m² as possible.
COST_NEW_SITE = 1_000_000.0
#: Cost of one m² of floor area, new or added, same unit.
COST_PER_M2 = 1.0
#: Floor area of a centre added by a click in the what-if widget, until the planner sets its size, m².
WIDGET_FLOOR_AREA_M2 = 400.0
#: Time limit of one optimisation, s.
TIME_LIMIT_S = 60.0
#: Relative gap (objective − bound) / objective at which a solver calls its plan optimal, 0–1: 0.01 %,
#: finer than any figure of a plan is known (HiGHS's own default, 1e-4).
MIP_GAP = 1e-4
#: Solution method of an optimisation that names none: proven optimal, or an honest gap at the time limit.
METHOD = "exact"
#: What an optimisation counts per area when the scenario says nothing: households (or ``elderly``).
WEIGHT = "households"

# --- a scenario's other choices (siting.settings) ---------------------------------------------------
#: Rule profile of a scenario that names none: the national baseline.
PROFILE = "national"
#: Base map of a scenario's map when it names none.
BASEMAP = "osm"

# --- estimating households (siting.households, siting.inputs) ---------------------------------------
#: Persons per household, China's 2020 census (Shandong 2.70); standards.md §6.
HOUSEHOLD_SIZE = 2.62
#: Floors of an OSM building without ``building:levels``: the common 多层 walk-up block.
DEFAULT_FLOORS = 6.0
#: Floors of a building in a planner's building layer that states neither floors nor height: one, so
#: that the estimate is low rather than high.
BUILDING_FLOORS = 1.0
#: Storey height, m, to count floors from a building's height.
FLOOR_HEIGHT_M = 3.0
#: Share of gross floor area that is dwellings, 0–1 (the rest is shared space, 公摊, and ground-floor shops).
RESIDENTIAL_SHARE = 0.85
#: Floor area of one household's dwelling, m²: 2020 census, urban family households.
FLOOR_AREA_PER_HOUSEHOLD_M2 = 92.17
