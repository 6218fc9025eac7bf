"""What a run shows while it works: progress on stderr (a live bar on a terminal, plain lines in a log
file), and warnings in a notebook.

tqdm redraws its bar in place with carriage returns and cursor movements. In a terminal that is what one
wants, nested bars included (a solver's iterations under the scenario's steps). Redirected to a file (a
scheduled run, ``siting run ... 2> run.log``) the same bytes pile up into one unreadable line. So a run
draws bars only when stderr is a terminal; otherwise it writes one line per step, with the elapsed time::

    示范县城 现状 [1/4] network (0.4 s)

and the solvers' inner bars stay off. A Jupyter kernel's stderr is no terminal either: a notebook gets the
plain lines, never a widget bar (which would need ipywidgets).

In a notebook, Python's default warning display repeats a :class:`~siting.errors.SitingWarning` each time
a cell runs and follows it with the line of siting's source that raised it, which says nothing to a
planner. :func:`show_warnings_plainly` (called by ``import siting`` inside a Jupyter kernel) shows each one
once per session, as its message alone, in the language in force (Chinese unless asked otherwise)::

    SitingWarning: 路网 roads.osm：只保留了路网中最大的连通部分；……
"""

from __future__ import annotations

import sys
import time
import warnings
from typing import IO, Any, TextIO

from siting.errors import SitingWarning


def is_terminal(stream: IO[str] | None = None) -> bool:
    """True when ``stream`` (default: stderr) is an interactive terminal."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class Steps:
    """The steps of one run: ``step(name)`` says that the previous step is done and ``name`` begins.

    Parameters
    ----------
    total : int
        Number of steps.
    desc : str
        What runs (the scenario's name), at the start of the bar or of every line.
    enabled : bool
        False shows nothing.
    stream : file, optional
        Where to write (default: stderr, looked up when the run starts).

    Attributes
    ----------
    live : bool
        True when a live bar is drawn (enabled, on a terminal): inner progress bars may be drawn too.
    """

    def __init__(self, total: int, desc: str, *, enabled: bool = True, stream: IO[str] | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.total = total
        self.desc = desc
        self.enabled = enabled
        self.live = enabled and is_terminal(self.stream)
        self.done = 0
        self.started = time.perf_counter()
        self._bar: Any = None
        if self.live:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit="step", file=self.stream, leave=False)

    def begin(self, name: str) -> None:
        """Name the first step (nothing is done yet)."""
        self._show(name)

    def step(self, name: str) -> None:
        """One more step is done; ``name`` begins."""
        self.done += 1
        if self._bar is not None:
            self._bar.update(1)
        self._show(name)

    def _show(self, name: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(name)
        elif self.enabled:
            elapsed = time.perf_counter() - self.started
            print(f"{self.desc} [{self.done}/{self.total}] {name} ({elapsed:.1f} s)", file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def in_notebook() -> bool:
    """True inside a Jupyter (IPython) kernel."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def show_warnings_plainly() -> None:
    """Show every :class:`~siting.errors.SitingWarning` once per session, as its message alone.

    Other warnings keep Python's display. Calling it again changes nothing.
    """
    previous = warnings.showwarning
    if getattr(previous, "_siting", False):
        return
    # texts shown so far: Python's own "once" goes by place, and a cell run again is a new place
    shown: set[str] = set()

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if not issubclass(category, SitingWarning):
            previous(message, category, filename, lineno, file, line)
        elif str(message) not in shown:
            shown.add(str(message))
            print(f"{category.__name__}: {message}", file=file or sys.stderr)

    show._siting = True  # type: ignore[attr-defined]
    warnings.showwarning = show
