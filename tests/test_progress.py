"""Progress on stderr: a live bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import warnings

import pytest

from siting.errors import SitingWarning
from siting.labels import msg
from siting.progress import Steps, in_notebook, is_terminal, show_warnings_plainly


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_when_not_a_terminal():
    stream = io.StringIO()
    steps = Steps(3, "方案A", stream=stream)
    assert not steps.live and not is_terminal(stream)
    steps.begin("inputs")
    steps.step("network")
    steps.step("done")
    steps.close()
    lines = stream.getvalue().splitlines()
    assert [re.sub(r" \(\d+\.\d s\)$", "", line) for line in lines] == [
        "方案A [0/3] inputs",
        "方案A [1/3] network",
        "方案A [2/3] done",
    ]


def test_live_bar_on_a_terminal():
    stream = Terminal()
    steps = Steps(2, "方案A", stream=stream)
    assert steps.live
    steps.begin("inputs")
    steps.step("network")
    steps.close()
    text = stream.getvalue()
    assert "\r" in text and "1/2" in text and "network" in text
    assert "[1/2] network (" not in text  # the bar, not the log lines


def test_nothing_when_disabled():
    for stream in (io.StringIO(), Terminal()):
        steps = Steps(2, "方案A", enabled=False, stream=stream)
        steps.begin("inputs")
        steps.step("done")
        steps.close()
        assert not steps.live and stream.getvalue() == ""


def test_siting_warnings_show_once_as_their_message_alone(monkeypatch):
    # the display before (Python's): monkeypatch puts the real one back afterwards
    others: list[str] = []
    monkeypatch.setattr(warnings, "showwarning", lambda message, *args, **kwargs: others.append(str(message)))
    show_warnings_plainly()
    show_warnings_plainly()  # a second call must not wrap the display twice
    stream = io.StringIO()
    problem = msg("households_estimated", n=4)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        monkeypatch.setattr(sys, "stderr", stream)
        for _ in range(3):  # a cell run three times
            warnings.warn(SitingWarning(problem, source="xiaoqu.gpkg"), stacklevel=1)
        warnings.warn("something else", UserWarning, stacklevel=1)
    lines = stream.getvalue().splitlines()
    text = str(SitingWarning(problem, source="xiaoqu.gpkg"))
    # once, no "file:line:" before it, no source line after it; other warnings keep Python's display
    assert lines == [f"SitingWarning: {text}"]
    assert others == ["something else"]


def test_not_a_notebook_here():
    assert not in_notebook()


@pytest.mark.heavy
def test_solvers_do_not_load_tqdm_auto():
    """tqdm.auto in a Jupyter kernel without ipywidgets prints "IProgress not found" (a TqdmWarning)."""
    code = "import sys, siting.optimize, siting.pipeline, siting.batch; print(sorted(m for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "tqdm.auto" not in out and "tqdm.notebook" not in out and "tqdm.std" in out
