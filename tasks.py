#!/usr/bin/env python3
"""Set up and run siting from a fresh clone with nothing but Python 3.11+ and pip.

    python3 tasks.py demo       # create .venv, install siting with JupyterLab, run the demo town analysis
    python3 tasks.py notebook   # open notebooks/ in JupyterLab (installs it first if needed)
    python3 tasks.py test       # create .venv, install with test extras, lint, type-check, run the quick tests
    python3 tasks.py test-heavy # the other tests: processes, clusters, notebooks, browsers, wheel; the long ones

``demo`` is a planner's first command, so it installs JupyterLab too (the ``notebook`` extra): after it the
tutorial notebooks open with ``notebook``. ``test`` runs ruff (lint and format check) and mypy first, then
the default pytest suite (under a minute on two cores: ``addopts`` in pyproject.toml leaves out the
tests marked ``heavy`` and ``slow``); ``test-heavy`` runs those. Both run the tests in parallel worker
processes (pytest-xdist; ``-n 0`` after the command runs them in one). CI runs both. Extra
arguments after ``test`` or ``test-heavy`` go to pytest (e.g. ``python3 tasks.py test -k profiles``), after
``notebook`` to JupyterLab (e.g. ``--no-browser --port 8890``).
The virtual environment lives in ``.venv`` beside this file and is reused on later runs.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
NOTEBOOKS = ROOT / "notebooks"
#: pip extras each command installs: the demo brings JupyterLab along, so the notebooks open next.
EXTRAS = {"demo": "notebook", "notebook": "notebook", "test": "test,bench", "test-heavy": "test,bench"}
#: Lint, format and type checks run before the tests (configured in pyproject.toml).
LINTED = ["siting", "tests", "benchmarks", "tools", "tasks.py"]
CHECKS = [["ruff", "check", *LINTED], ["ruff", "format", "--check", *LINTED], ["mypy"]]
#: pytest-xdist: tests in worker processes, each file's tests in one of them, so that a file's module-scoped
#: fixtures (a demo run, a cluster) are made once. The quick suite takes as many workers as there are cores
#: (up to four); the heavy tests two, as each may start processes of its own (a cluster, a browser, a kernel).
QUICK = ["--numprocesses", "auto", "--maxprocesses", "4", "--dist", "loadfile"]
#: pytest options of ``test-heavy``: the tests the default suite leaves out.
HEAVY = ["-m", "heavy or slow", "--numprocesses", "2", "--dist", "loadfile"]


def _install(extras: str) -> None:
    """Create .venv and install the project, skipping pip when pyproject.toml is unchanged."""
    if sys.version_info < (3, 11):
        sys.exit(f"siting needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    print(f"Installing siting{f'[{extras}]' if extras else ''} into {VENV} ...", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target], cwd=ROOT, check=True)
    stamp.write_text(digest)


def notebook_command(rest: list[str]) -> list[str]:
    """The command line that opens ``notebooks/`` in JupyterLab (in the browser; a kernel opens each
    notebook in its own folder), with ``rest`` passed on to JupyterLab."""
    return [str(PYTHON), "-m", "jupyter", "lab", f"--ServerApp.root_dir={NOTEBOOKS}", *rest]


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in EXTRAS:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    _install(EXTRAS[command])
    if command == "demo":
        code = subprocess.run([str(PYTHON), "-m", "siting", "demo", *rest], cwd=ROOT).returncode
        if code == 0:
            print("\n教程 / tutorials: python3 tasks.py notebook  (JupyterLab, notebooks/)", flush=True)
        return code
    if command == "notebook":
        return subprocess.run(notebook_command(rest), cwd=ROOT).returncode
    if command == "test-heavy":
        return subprocess.run([str(PYTHON), "-m", "pytest", *HEAVY, *rest], cwd=ROOT).returncode
    for check in CHECKS:
        print("$", " ".join(check), flush=True)
        if subprocess.run([str(PYTHON), "-m", *check], cwd=ROOT).returncode:
            return 1
    return subprocess.run([str(PYTHON), "-m", "pytest", *QUICK, *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
