"""pyproject.toml and environment.yml list the same packages; the CI script runs README's test command;
the set-up brings JupyterLab and `python3 tasks.py notebook` opens the notebooks."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
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
    commands = re.findall(r"^(python3 tasks\.py [\w-]+)\s*$", quick, flags=re.M)
    assert commands == [
        "python3 tasks.py demo",
        "python3 tasks.py notebook",
        "python3 tasks.py test",
        "python3 tasks.py test-heavy",
    ]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    # both test commands, so that CI runs every test: the quick suite and the heavy and slow tests
    assert commands[2:] == [line for line in ci if line.startswith("python3 tasks.py")]


def test_the_two_test_commands_together_select_every_test():
    """The default suite leaves out exactly what ``tasks.py test-heavy`` selects: no test falls between."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert options["addopts"] == "-m 'not slow and not heavy'"
    heavy = _tasks().HEAVY
    assert heavy[heavy.index("-m") + 1] == "heavy or slow"


def test_test_commands_run_lint_then_the_quick_suite_and_the_heavy_tests_alone(monkeypatch):
    """``test``: ruff, ruff format, mypy, then pytest on the quick suite in workers; ``test-heavy``: pytest only."""
    tasks = _tasks()
    monkeypatch.setattr(tasks, "_install", lambda extras: None)
    ran: list[list[str]] = []
    monkeypatch.setattr(
        tasks.subprocess, "run", lambda command, cwd: ran.append(command) or SimpleNamespace(returncode=0)
    )
    assert tasks.main(["test", "-k", "profiles"]) == 0
    python = str(tasks.PYTHON)
    assert [command[2:4] for command in ran[:3]] == [["ruff", "check"], ["ruff", "format"], ["mypy"]]
    assert ran[3] == [
        python,
        "-m",
        "pytest",
        "--numprocesses",
        "auto",
        "--maxprocesses",
        "4",
        "--dist",
        "loadfile",
        "-k",
        "profiles",
    ]
    ran.clear()
    assert tasks.main(["test-heavy"]) == 0
    assert ran == [[python, "-m", "pytest", "-m", "heavy or slow", "--numprocesses", "2", "--dist", "loadfile"]]


def test_import_siting_offers_the_public_api():
    import siting

    for name in siting.__all__:
        assert getattr(siting, name) is not None, name
    assert siting.Study.__module__ == "siting.plan" and siting.network.__name__ == "siting.network"
    with pytest.raises(AttributeError):
        siting.no_such_name  # noqa: B018


@pytest.mark.heavy
def test_wheel_runs_the_demo_from_an_empty_folder(tmp_path):
    """Build the wheel, install it into a fresh virtual environment and run `siting demo` elsewhere.

    The fresh environment borrows the installed dependencies through a .pth file (nothing is downloaded
    for them), so only the wheel's own files decide whether the demo data and profiles ship with it.
    """
    import site
    import subprocess
    import sys
    import venv
    import zipfile

    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("siting-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "siting/demo_data/demo_town/scenarios/plan.yml" in names and "siting/profiles/dong_e.yaml" in names
    assert not any(name.startswith(("tests/", "tools/", "data/")) for name in names)
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    # the fresh environment must not see this checkout (a PYTHONPATH to it would pass for an install)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.strip()
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True, env=env)
    # after the install: pip would otherwise take the borrowed (editable) siting for installed already
    (Path(purelib) / "borrowed_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    work = tmp_path / "empty"
    work.mkdir()
    done = subprocess.run(
        [str(env_dir / "bin" / "siting"), "demo", "--quiet"], cwd=work, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    plan = json.loads((work / "out" / "demo" / "plan" / "summary.json").read_text(encoding="utf-8"))
    assert plan["proposed_sites"] > 0 and plan["share_within_walk"] > plan["share_within_walk_before"]
    assert sorted(p.name for p in (work / "maps").iterdir()) == [
        "demo_baseline.html",
        "demo_compare.html",
        "demo_plan.html",
    ]
    # it ran the installed copy, not this checkout
    where = subprocess.run(
        [str(python), "-c", "import siting; print(siting.__file__)"], cwd=work, env=env, capture_output=True, text=True
    ).stdout
    assert where.startswith(str(env_dir))


def _tasks():
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_first_command_installs_jupyterlab():
    """A planner's first command (demo) brings JupyterLab and the what-if map's widgets, listed for pip
    and conda alike."""
    tasks = _tasks()
    assert tasks.EXTRAS["demo"] == tasks.EXTRAS["notebook"] == "notebook"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert {_name(r) for r in extras["notebook"]} == {"jupyterlab", "ipykernel", "ipyleaflet", "ipywidgets"}
    assert {"jupyterlab", "ipyleaflet", "ipywidgets"} <= _environment()


@pytest.mark.heavy
def test_notebook_command_opens_the_notebooks_folder_in_jupyterlab(tmp_path):
    """The command line `python3 tasks.py notebook` runs, checked by JupyterLab itself without starting a
    server (--show-config-json parses every option and exits)."""
    tasks = _tasks()
    command = tasks.notebook_command(["--no-browser"])
    assert command[:4] == [str(tasks.PYTHON), "-m", "jupyter", "lab"]
    assert command[4:] == [f"--ServerApp.root_dir={ROOT / 'notebooks'}", "--no-browser"]
    pytest.importorskip("jupyterlab")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "run"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    # The shared test environment's interpreter stands in for .venv's.
    shown = subprocess.run(
        [sys.executable, *command[1:], "--show-config-json"], capture_output=True, text=True, env=env, timeout=120
    )
    assert shown.returncode == 0, shown.stderr
    config = json.loads(shown.stdout)["ServerApp"]
    assert config["root_dir"] == str(ROOT / "notebooks") and config["open_browser"] is False
    assert sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))[0] == "01_quick_start.ipynb"
