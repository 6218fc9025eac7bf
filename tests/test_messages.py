"""Messages in Chinese (the default) and English: every text in both, rendered when shown."""

from __future__ import annotations

import os
import string
import subprocess
import sys
import warnings

import pytest

from siting import labels
from siting.errors import SitingInputError, SitingWarning
from siting.labels import MESSAGES, language, msg


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key):
    zh, en = MESSAGES[key]
    assert zh.strip() and en.strip()
    assert _fields(zh) == _fields(en)
    # a Chinese text is Chinese: at least one CJK character (punctuation-only frames excepted)
    if any(ch.isalpha() for ch in en):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), zh


def test_error_renders_in_the_language_in_force():
    error = SitingInputError(
        msg("interrupted"), source="a.csv", layer="L", column="户数", rows=[f"R{i}" for i in range(12)], fix="x"
    )
    with language("zh"):
        assert str(error) == (
            "文件 a.csv，图层“L”，列“户数”：已中断；没有留下写了一半的输出文件夹"
            "（行：R0、R1、R2、R3、R4、R5、R6、R7、R8、R9 及另外 2 行）。修改方法：x"
        )
    with language("en"):
        assert str(error) == (
            "file a.csv, layer 'L', column '户数': interrupted; no output folder was left half-written"
            " (rows: R0, R1, R2, R3, R4, R5, R6, R7, R8, R9 and 2 more). Fix: x"
        )
    assert error.message("zh").startswith("文件 a.csv")


def test_key_is_named():
    error = SitingInputError("bad", source="s.yml", key="optimize.p")
    assert error.message("en") == "file s.yml, key 'optimize.p': bad"
    assert error.message("zh") == "文件 s.yml，设置项“optimize.p”：bad"


def test_warning_renders_when_shown():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(SitingWarning(msg("interrupted")), stacklevel=1)
    with language("zh"):
        assert str(caught[0].message).startswith("已中断")
    with language("en"):
        assert str(caught[0].message).startswith("interrupted")


def test_unknown_language_and_key_are_refused():
    with pytest.raises(ValueError, match="language"):
        labels.set_language("fr")
    with pytest.raises(KeyError):
        msg("no such message")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "错误：文件 /nonexistent/场景.yml"),
        (["--lang", "en"], "error: file /nonexistent/场景.yml"),
    ],
)
def test_command_line_speaks_chinese_by_default(args, expected):
    env = {k: v for k, v in os.environ.items() if k != "SITING_LANG"}
    done = subprocess.run(
        [sys.executable, "-m", "siting", "run", "/nonexistent/场景.yml", *args],
        capture_output=True,
        text=True,
        env=env,
        encoding="utf-8",
    )
    assert done.returncode == 2
    assert done.stderr.startswith(expected), done.stderr
    assert "Traceback" not in done.stderr
