"""siting: plan community elderly-care facilities (社区养老服务设施) for Chinese counties and cities.

Data flows one way through the modules:

inputs → network → snapping → reachability / service_areas → profiles / compliance → optimize →
plan → scenario / pipeline → maps / report / batch

The names a notebook needs are here (imported on first use, so ``import siting`` stays quick)::

    import siting

    net = siting.network.from_file("roads.osm")
    study = siting.Study.create(net, siting.read_areas("xiaoqu.gpkg"),
                                siting.read_facilities("facilities.csv", crs="gcj02"), profile="dong_e")
    study.assess().coverage()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from siting.errors import SitingEnvironmentError, SitingInfeasibleError, SitingInputError, SitingWarning
from siting.labels import get_language, language, set_language
from siting.progress import in_notebook as _in_notebook
from siting.progress import show_warnings_plainly as _show_warnings_plainly

if TYPE_CHECKING:
    from siting import network
    from siting.batch import run_batch
    from siting.compliance import ComplianceResult, check_compliance, check_compliance_pairs
    from siting.inputs import (
        areas_from_osm,
        assign_units,
        prepare_inputs,
        read_areas,
        read_candidates,
        read_entrances,
        read_facilities,
        read_units,
    )
    from siting.maps import comparison_map, result_map, save_map, scenarios_map
    from siting.optimize import (
        OBJECTIVES,
        CompliancePlan,
        MaxCoverage,
        PMedian,
        SetCover,
        SitingProblem,
        Solver,
        generate_candidates,
        register_objective,
    )
    from siting.pipeline import ScenarioResult, compare_scenarios, demo_dir, run_and_write, run_scenario
    from siting.plan import BuildSettings, Proposal, Study
    from siting.profiles import Profile, list_profiles, load_profile
    from siting.projection import bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_gcj02, wgs84_to_gcj02_gdf
    from siting.reachability import Accessibility, WalkSettings, assess_access
    from siting.report import comparison_table, format_summary
    from siting.scenario import Scenario, load_scenario, scenario_from_dict
    from siting.service_areas import service_areas
    from siting.whatif import WhatIf
    from siting.widgets import WhatIfMap

__version__ = "0.1.0"

if _in_notebook():
    _show_warnings_plainly()

# public name -> module it lives in
_LAZY = {
    "network": "siting.network",
    "read_areas": "siting.inputs",
    "read_facilities": "siting.inputs",
    "read_candidates": "siting.inputs",
    "read_entrances": "siting.inputs",
    "read_units": "siting.inputs",
    "assign_units": "siting.inputs",
    "prepare_inputs": "siting.inputs",
    "areas_from_osm": "siting.inputs",
    "WalkSettings": "siting.reachability",
    "Accessibility": "siting.reachability",
    "assess_access": "siting.reachability",
    "service_areas": "siting.service_areas",
    "Profile": "siting.profiles",
    "load_profile": "siting.profiles",
    "list_profiles": "siting.profiles",
    "ComplianceResult": "siting.compliance",
    "check_compliance": "siting.compliance",
    "check_compliance_pairs": "siting.compliance",
    "SitingProblem": "siting.optimize",
    "Solver": "siting.optimize",
    "PMedian": "siting.optimize",
    "MaxCoverage": "siting.optimize",
    "SetCover": "siting.optimize",
    "OBJECTIVES": "siting.optimize",
    "register_objective": "siting.optimize",
    "generate_candidates": "siting.optimize",
    "Study": "siting.plan",
    "BuildSettings": "siting.plan",
    "CompliancePlan": "siting.optimize",
    "Proposal": "siting.plan",
    "Scenario": "siting.scenario",
    "load_scenario": "siting.scenario",
    "scenario_from_dict": "siting.scenario",
    "ScenarioResult": "siting.pipeline",
    "run_scenario": "siting.pipeline",
    "run_and_write": "siting.pipeline",
    "compare_scenarios": "siting.pipeline",
    "demo_dir": "siting.pipeline",
    "run_batch": "siting.batch",
    "result_map": "siting.maps",
    "comparison_map": "siting.maps",
    "scenarios_map": "siting.maps",
    "save_map": "siting.maps",
    "comparison_table": "siting.report",
    "format_summary": "siting.report",
    "wgs84_to_gcj02": "siting.projection",
    "gcj02_to_wgs84": "siting.projection",
    "bd09_to_wgs84": "siting.projection",
    "wgs84_to_gcj02_gdf": "siting.projection",
    "WhatIf": "siting.whatif",
    "WhatIfMap": "siting.widgets",
}

__all__ = [
    "OBJECTIVES",
    "Accessibility",
    "BuildSettings",
    "CompliancePlan",
    "ComplianceResult",
    "MaxCoverage",
    "PMedian",
    "Profile",
    "Proposal",
    "Scenario",
    "ScenarioResult",
    "SetCover",
    "SitingEnvironmentError",
    "SitingInfeasibleError",
    "SitingInputError",
    "SitingProblem",
    "SitingWarning",
    "Solver",
    "Study",
    "WalkSettings",
    "WhatIf",
    "WhatIfMap",
    "__version__",
    "areas_from_osm",
    "assess_access",
    "assign_units",
    "bd09_to_wgs84",
    "check_compliance",
    "check_compliance_pairs",
    "compare_scenarios",
    "comparison_map",
    "comparison_table",
    "demo_dir",
    "format_summary",
    "gcj02_to_wgs84",
    "generate_candidates",
    "get_language",
    "language",
    "list_profiles",
    "load_profile",
    "load_scenario",
    "network",
    "prepare_inputs",
    "read_areas",
    "read_candidates",
    "read_entrances",
    "read_facilities",
    "read_units",
    "register_objective",
    "result_map",
    "run_and_write",
    "run_batch",
    "run_scenario",
    "save_map",
    "scenario_from_dict",
    "scenarios_map",
    "service_areas",
    "set_language",
    "wgs84_to_gcj02",
    "wgs84_to_gcj02_gdf",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'siting' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name])
    value = module if module.__name__ == f"siting.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
