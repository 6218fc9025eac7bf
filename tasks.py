#!/usr/bin/env python3
"""Set up and run siting from a fresh clone with nothing but Python 3.11+ and pip.

    python3 tasks.py demo    # create .venv, install, run the demo town analysis
    python3 tasks.py test    # create .venv, install with test extras, lint, type-check, run the test suite

``test`` runs ruff (lint and format check) and mypy first, then pytest; extra arguments after ``test``
go to pytest (e.g. ``python3 tasks.py test -m slow``).
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
#: Lint, format and type checks run before the tests (configured in pyproject.toml).
LINTED = ["siting", "tests", "benchmarks", "tools", "tasks.py"]
CHECKS = [["ruff", "check", *LINTED], ["ruff", "format", "--check", *LINTED], ["mypy"]]


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


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "demo":
        _install("")
        return subprocess.run([str(PYTHON), "-m", "siting", "demo", *rest], cwd=ROOT).returncode
    _install("test,bench")
    for check in CHECKS:
        print("$", " ".join(check), flush=True)
        if subprocess.run([str(PYTHON), "-m", *check], cwd=ROOT).returncode:
            return 1
    return subprocess.run([str(PYTHON), "-m", "pytest", *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
