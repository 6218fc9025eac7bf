"""pyproject.toml and environment.yml list the same packages; the CI script runs README's test command."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import ROOT

# conda-forge names that differ from PyPI names
CONDA_TO_PYPI = {"python": None, "pip": None}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_name(r) for r in extra}
    return names


def _environment() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    names = set()
    for item in env["dependencies"]:
        entries = item["pip"] if isinstance(item, dict) else [item]
        for entry in entries:
            name = _name(entry)
            name = CONDA_TO_PYPI.get(name, name)
            if name:
                names.add(name)
    return names


def test_dependency_lists_agree():
    assert _pyproject() == _environment()
    assert {"osmnx", "highspy", "pyrosm", "geopandas", "folium"} <= _pyproject()


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(python3 tasks\.py \w+)\s*$", quick, flags=re.M)
    assert commands == ["python3 tasks.py demo", "python3 tasks.py test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in [line.strip() for line in ci]
