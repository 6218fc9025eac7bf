"""Propose new elderly-care centres: set cover, maximal covering and p-median, greedy to exact.

>>> from siting.optimize import SitingProblem, PMedian          # doctest: +SKIP
>>> problem = SitingProblem.from_tables(areas, facilities, candidates, facility_pairs, candidate_pairs)
>>> model = PMedian(p=5, method="exact", time_limit_s=60).solve(problem)
>>> model.status, model.objective, model.bound, model.proposals_frame()

The names are imported on first use (HiGHS, SciPy and scikit-learn take a while), so that reading the
objective table (:mod:`siting.optimize.registry`) costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from siting.optimize.candidates import generate_candidates
    from siting.optimize.models import MaxCoverage, PMedian, SetCover, Solver
    from siting.optimize.problem import SitingProblem
    from siting.optimize.registry import (
        DEFAULT_METHOD,
        METHODS,
        OBJECTIVES,
        UNTIL_COMPLIANT,
        Objective,
        register_objective,
    )
    from siting.optimize.sizing import CompliancePlan

# public name -> module it lives in
_LAZY = {
    "generate_candidates": "siting.optimize.candidates",
    "MaxCoverage": "siting.optimize.models",
    "PMedian": "siting.optimize.models",
    "SetCover": "siting.optimize.models",
    "Solver": "siting.optimize.models",
    "SitingProblem": "siting.optimize.problem",
    "DEFAULT_METHOD": "siting.optimize.registry",
    "METHODS": "siting.optimize.registry",
    "OBJECTIVES": "siting.optimize.registry",
    "UNTIL_COMPLIANT": "siting.optimize.registry",
    "Objective": "siting.optimize.registry",
    "register_objective": "siting.optimize.registry",
    "CompliancePlan": "siting.optimize.sizing",
}

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "OBJECTIVES",
    "UNTIL_COMPLIANT",
    "CompliancePlan",
    "MaxCoverage",
    "Objective",
    "PMedian",
    "SetCover",
    "SitingProblem",
    "Solver",
    "generate_candidates",
    "register_objective",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'siting.optimize' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
