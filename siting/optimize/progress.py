"""What a solve shows while it runs, and the one deadline every step of it keeps.

A :class:`SolveProgress` is made by :meth:`siting.optimize.Solver.solve` for each solve. Every stage
(greedy, neighbourhood search, Lagrangian bound, each HiGHS run) reports its incumbent and bound
to it and asks it how much time is left, so that ``time_limit_s`` bounds the whole solve. It keeps
the history of (seconds, objective, bound) for benchmarks and, when asked to show progress, prints
the incumbent, the bound and the gap every few seconds on stderr: on a tqdm bar in a terminal, as
plain lines otherwise (log files, CI).

HiGHS is silent (its banner included) unless ``verbose=True`` or :func:`solver_output` says
otherwise; the command line's ``--verbose`` sets it for a whole run.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TextIO

import highspy
import numpy as np
from tqdm import tqdm  # not tqdm.auto: bars are for terminals, a notebook gets plain lines

from siting.labels import msg, render

#: Seconds between two progress lines (or bar updates) of a running solve.
REPORT_EVERY_S = 5.0

_VERBOSE: ContextVar[bool] = ContextVar("siting_solver_output", default=False)
_banner_silenced = False


@contextmanager
def solver_output(verbose: bool = True) -> Iterator[None]:
    """Show (or hide) the HiGHS log of every solver inside a ``with`` block whose ``verbose`` is unset."""
    token = _VERBOSE.set(bool(verbose))
    try:
        yield
    finally:
        _VERBOSE.reset(token)


def verbose_default() -> bool:
    """Whether solvers show the HiGHS log when their ``verbose`` is None (see :func:`solver_output`)."""
    return _VERBOSE.get()


def new_highs(log: bool) -> highspy.Highs:
    """A HiGHS instance with its log on or off.

    HiGHS prints a banner on stdout when the first instance of the process is created, before any
    option can be set; unless the log is wanted that first creation runs with stdout (the file
    descriptor, where the C++ library writes) pointed at the null device.
    """
    global _banner_silenced
    if log or _banner_silenced:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:  # no stdout descriptor at all: nothing to silence
            saved = -1
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            if saved >= 0:
                os.dup2(null, 1)
            h = highspy.Highs()
        finally:
            if saved >= 0:
                os.dup2(saved, 1)
                os.close(saved)
            os.close(null)
        _banner_silenced = True
    h.setOptionValue("output_flag", bool(log))
    return h


def _percent(gap: float) -> str:
    if not math.isfinite(gap):
        return "—"
    return "0%" if gap < 5e-7 else f"{100 * gap:.3g}%"


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "—"
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"


class SolveProgress:
    """Incumbent, bound, gap and deadline of one solve, shown every few seconds when asked.

    Parameters
    ----------
    name : str
        What is being solved (e.g. ``"PMedian p=20"``), the first word of every line.
    time_limit_s : float, optional
        Seconds for the whole solve (None: no limit).
    show : bool
        Show progress on `stream`.
    maximize : bool
        The objective is maximised (the bound is an upper bound).
    stream : file, optional
        Where to show it (default ``sys.stderr``).
    every_s : float
        Seconds between two updates.

    Attributes
    ----------
    objective, bound : float
        Best objective and best proven bound reported so far (nan before any).
    history : list of tuple
        ``(seconds, objective, bound)`` each time one of them improved.
    offset, sign : float
        Values reported are ``offset + sign × value`` in the solve's own terms: the solvers work on a
        reduced problem that leaves a constant out (``offset``), and maximal covering minimises the
        uncovered weight (``sign = −1`` with ``offset`` the total weight).
    """

    def __init__(
        self,
        name: str,
        *,
        time_limit_s: float | None = None,
        show: bool = False,
        maximize: bool = False,
        stream: TextIO | None = None,
        every_s: float = REPORT_EVERY_S,
    ) -> None:
        self.name = name
        self.start = time.perf_counter()
        self.deadline = None if time_limit_s is None else self.start + float(time_limit_s)
        self.maximize = maximize
        self.objective = math.nan
        self.bound = math.nan
        self.stage: str | None = None
        self.offset = 0.0
        self.sign = 1.0
        self.history: list[tuple[float, float, float]] = []
        self.every_s = every_s
        self._stream = stream if stream is not None else sys.stderr
        self._show = show
        self._shown_at = self.start
        self._bar: Any = None
        if show and _is_terminal(self._stream):
            total = None if time_limit_s is None else round(float(time_limit_s), 1)
            self._bar = tqdm(total=total, desc=name, unit="s", file=self._stream, leave=False, dynamic_ncols=True)

    # -- time ------------------------------------------------------------------------------------
    def elapsed(self) -> float:
        """Seconds since the solve started."""
        return time.perf_counter() - self.start

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative); None without a limit."""
        return None if self.deadline is None else max(self.deadline - time.perf_counter(), 0.0)

    def expired(self) -> bool:
        """True once the deadline has passed."""
        return self.deadline is not None and time.perf_counter() >= self.deadline

    # -- values ----------------------------------------------------------------------------------
    def gap(self) -> float:
        """Relative gap |objective − bound| / |objective| of the best values so far (nan if unknown)."""
        if not (math.isfinite(self.objective) and math.isfinite(self.bound)):
            return math.nan
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)

    def report(self, objective: float | None = None, bound: float | None = None, stage: str | None = None) -> None:
        """Record a new incumbent and/or bound (kept only when better) and show them when it is time.

        `stage` is the key of the step now running in :data:`siting.labels.MESSAGES` (``"stage_..."``).
        """
        better = self._better
        changed = False
        if objective is not None and math.isfinite(objective):
            objective = self.offset + self.sign * float(objective)
            if better(objective, self.objective, True):
                self.objective = objective
                changed = True
        if bound is not None and math.isfinite(bound):
            bound = self.offset + self.sign * float(bound)
            if better(bound, self.bound, False):
                self.bound = bound
                changed = True
        if changed:
            self.history.append((round(self.elapsed(), 3), self.objective, self.bound))
        if stage is not None:
            self.stage = stage
        self._maybe_show(force=stage is not None and self._bar is not None)

    def _better(self, new: float, old: float, incumbent: bool) -> bool:
        if not math.isfinite(old):
            return True
        # an incumbent improves downwards when minimising, a bound upwards
        return new < old if incumbent != self.maximize else new > old

    def line(self) -> str:
        """The current state as one line of text, in the language in force."""
        gap = self.gap()
        return render(
            msg(
                "solve_progress",
                name=self.name,
                stage=msg(self.stage or "stage_start"),
                seconds=f"{self.elapsed():.0f}",
                objective=_number(self.objective),
                bound=_number(self.bound),
                gap=_percent(gap),
            )
        )

    def _maybe_show(self, force: bool = False) -> None:
        if not self._show:
            return
        now = time.perf_counter()
        if not force and now - self._shown_at < self.every_s:
            return
        self._shown_at = now
        if self._bar is not None:
            self._bar.n = round(min(now - self.start, self._bar.total or math.inf), 1)
            gap = self.gap()
            self._bar.set_postfix_str(
                render(
                    msg(
                        "solve_progress_short",
                        stage=msg(self.stage or "stage_start"),
                        objective=_number(self.objective),
                        bound=_number(self.bound),
                        gap=_percent(gap),
                    )
                ),
                refresh=True,
            )
        else:
            print(self.line(), file=self._stream, flush=True)

    def close(self) -> None:
        """End the display (the bar is removed; plain output gets a last line)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._show and self.history:
            print(self.line(), file=self._stream, flush=True)
        self._show = False

    # -- HiGHS -----------------------------------------------------------------------------------
    @contextmanager
    def watch(
        self,
        h: highspy.Highs,
        *,
        to_objective: Callable[[float], float] | None = None,
        to_bound: Callable[[float], float] | None = None,
        on_solution: Callable[[np.ndarray], None] | None = None,
    ) -> Iterator[None]:
        """Inside the block, HiGHS stops at the deadline and reports its incumbents and bound here.

        HiGHS' own ``time_limit`` counts from the start of its run and is checked between phases;
        the interrupt callbacks also stop a long LP solve or presolve, so the solve keeps the
        deadline. Each improving solution is priced here, c·x + offset of the model (HiGHS' own
        incumbent value can miss its presolve offset when it was given a start), and `to_objective`
        turns that into the solve's objective (e.g. adds the cost of the parts solved elsewhere);
        `to_bound` does the same for HiGHS' dual bound. None leaves the value unreported (a
        truncated model's cost is not the true cost of its solution); `on_solution` then receives
        each improving solution's column values, to price it exactly.
        """
        cost, offset = None, 0.0
        if to_objective is not None:
            lp = h.getLp()
            cost, offset = np.asarray(lp.col_cost_), float(lp.offset_)

        def interrupt(event: Any) -> None:
            if self.expired():
                event.interrupt()

        def mip(event: Any) -> None:
            interrupt(event)
            dual = float(event.data_out.mip_dual_bound)
            if to_bound is not None and abs(dual) < highspy.kHighsInf:
                self.report(bound=to_bound(dual))
            self._maybe_show()

        def improving(event: Any) -> None:
            x = np.asarray(event.data_out.mip_solution)
            if on_solution is not None:
                on_solution(x)
            if to_objective is not None and cost is not None and len(x) == len(cost):
                self.report(objective=to_objective(float(cost @ x) + offset))

        subscribed = [(h.cbSimplexInterrupt, interrupt), (h.cbIpmInterrupt, interrupt), (h.cbMipInterrupt, mip)]
        if on_solution is not None or to_objective is not None:
            subscribed.append((h.cbMipImprovingSolution, improving))
        for callback, function in subscribed:
            callback.subscribe(function)
        try:
            yield
        finally:
            for callback, function in subscribed:
                callback.unsubscribe(function)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
