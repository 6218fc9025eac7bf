"""Propose new elderly-care centres: set cover, maximal covering and p-median, greedy to exact.

>>> from siting.optimize import SitingProblem, PMedian          # doctest: +SKIP
>>> problem = SitingProblem.from_tables(areas, facilities, candidates, facility_pairs, candidate_pairs)
>>> model = PMedian(p=5, method="exact", time_limit_s=60).solve(problem)
>>> model.status, model.objective, model.bound, model.proposals_frame()
"""

from siting.optimize.candidates import generate_candidates
from siting.optimize.models import DEFAULT_METHOD, METHODS, MaxCoverage, PMedian, SetCover, Solver
from siting.optimize.problem import SitingProblem
from siting.optimize.registry import OBJECTIVES, Objective, register_objective
from siting.optimize.sizing import CompliancePlan

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "OBJECTIVES",
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
