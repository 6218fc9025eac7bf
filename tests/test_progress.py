"""Progress on stderr: a live bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import io
import re

from siting.progress import Steps, is_terminal


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
