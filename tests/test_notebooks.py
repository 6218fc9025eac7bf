"""Every tutorial notebook runs top to bottom offline, uses only public names, and is stored without outputs."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_five_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_outputs_are_cleared(path):
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_use_only_public_names(path):
    """No import of a private module or name, no attribute access to a private name."""
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [part for alias in node.names for part in alias.name.split(".")]
            elif isinstance(node, ast.ImportFrom):
                names = (node.module or "").split(".") + [alias.name for alias in node.names]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{path.name}: private name {private} in\n{cell.source}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
@pytest.mark.heavy
def test_notebook_runs(path, tmp_path):
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
