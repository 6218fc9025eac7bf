"""Objectives by name: which solver answers each ``optimize: {objective: ...}`` of a scenario file.

One entry per objective says which :class:`~siting.optimize.models.Solver` subclass solves it and what
it needs (a number ``p`` of new sites or not; constructor settings a scenario always passes). The
scenario schema and the scenario runner read this table, so a new objective is one subclass and one
:func:`register_objective` call. The shipped objectives name their solver by its dotted path, imported
when a solver is made: checking a scenario file does not import the solvers (HiGHS, SciPy).

>>> from siting.optimize import OBJECTIVES          # doctest: +SKIP
>>> sorted(OBJECTIVES)                               # doctest: +SKIP
['max_coverage', 'p_median', 'set_cover']
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from siting import defaults
from siting.errors import SitingInputError
from siting.labels import msg

if TYPE_CHECKING:
    from siting.optimize.models import Solver

#: Solution methods, from quickest to proven; every solver takes each of them.
METHODS = ("greedy", "heuristic", "exact")
#: The method used when none is given (:data:`siting.defaults.METHOD`).
DEFAULT_METHOD = defaults.METHOD
#: ``p`` of an objective that needs it, raised until every reachable area is within the walk.
UNTIL_COMPLIANT = "until_compliant"


@dataclass(frozen=True)
class Objective:
    """One named objective.

    Attributes
    ----------
    name : str
        The scenario name, e.g. ``"p_median"``.
    solver : type of Solver or str
        The class that solves it, or its dotted path (``"siting.optimize.models.PMedian"``), imported
        by :meth:`solver_class` when first needed.
    needs_p : bool
        True when the solver takes ``p`` (new sites); ``p: until_compliant`` then raises p until every
        reachable area is within the walk.
    scenario_kwargs : mapping
        Constructor settings a scenario run always passes (e.g. set cover lists unreachable areas
        instead of failing).
    description : str
        One line for the schema's help text.
    takes_capacity : bool
        False when the solver sizes sites itself and has no use for ``capacity`` (the compliance plan).
    objective_unit, gain_unit : str
        The solver's own (:attr:`siting.optimize.Solver.objective_unit`), for the report's headers.
    """

    name: str
    solver: type[Solver] | str
    needs_p: bool
    scenario_kwargs: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    takes_capacity: bool = True

    @property
    def objective_unit(self) -> str:
        return self.solver_class().objective_unit

    @property
    def gain_unit(self) -> str:
        return self.solver_class().gain_unit

    def make(self, *, p: int | None = None, **kwargs: Any) -> Solver:
        """A configured solver: ``p`` when the objective needs it, plus the scenario settings and ``kwargs``."""
        if self.needs_p:
            if p is None:
                raise SitingInputError(
                    msg("objective_needs_p", name=self.name),
                    source=msg("where_argument", name="p"),
                    fix=msg("objective_needs_p_fix"),
                )
            kwargs["p"] = p
        return self.solver_class()(**{**self.scenario_kwargs, **kwargs})

    def solver_class(self) -> type[Solver]:
        """The solver class, imported from its module when :attr:`solver` gives its dotted path."""
        if isinstance(self.solver, str):
            module, _, name = self.solver.rpartition(".")
            return getattr(importlib.import_module(module), name)
        return self.solver


OBJECTIVES: dict[str, Objective] = {}


def register_objective(objective: Objective) -> Objective:
    """Make ``objective`` available to scenario files under ``objective.name`` (replacing one of that name)."""
    OBJECTIVES[objective.name] = objective
    return objective


register_objective(
    Objective(
        "p_median",
        "siting.optimize.models.PMedian",
        needs_p=True,
        description="least household-weighted walking time with p new sites",
    )
)
register_objective(
    Objective(
        "max_coverage",
        "siting.optimize.models.MaxCoverage",
        needs_p=True,
        description="most households within the walk with p new sites",
    )
)
register_objective(
    Objective(
        "set_cover",
        "siting.optimize.models.SetCover",
        needs_p=False,
        scenario_kwargs={"allow_unreachable": True},
        description="fewest new sites putting every reachable area within the walk",
    )
)
register_objective(
    Objective(
        "compliance",
        "siting.optimize.sizing.CompliancePlan",
        needs_p=False,
        scenario_kwargs={"allow_unfixable": True},
        description="least-cost new and enlarged centres putting every fixable area within the walk and its floor area",
        takes_capacity=False,
    )
)
