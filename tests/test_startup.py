"""The command starts at once: what answers without an analysis imports none of the heavy libraries.

``siting --help``, ``siting profiles`` and the refusal of a bad scenario by ``siting run`` or ``siting
compare`` (the scenario file, its input files and its output folder are checked first)
must not pay for OSMnx, scikit-learn, Matplotlib, networkx, SciPy, GeoPandas, HiGHS, Folium or Dask:
those take seconds to import (benchmarks/startup.py measures the time against ``import pandas``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import siting
import siting.optimize

ROOT = Path(__file__).resolve().parents[1]
#: Top-level packages the command's quick answers must not import.
HEAVY = {
    "osmnx",
    "sklearn",
    "matplotlib",
    "networkx",
    "scipy",
    "geopandas",
    "shapely",
    "pyproj",
    "highspy",
    "folium",
    "offlinefolium",
    "dask",
    "distributed",
    "openpyxl",
}

SCRIPT = """
import sys
from siting import cli
quick = [["--help"], ["profiles"], ["profiles", "show", "dong_e"]]
refused = [["run", sys.argv[1]], ["run", sys.argv[2]], ["compare", sys.argv[2], sys.argv[1]]]
for argv in quick + refused:
    code = cli.main(argv)
    assert code == (2 if argv in refused else 0), (argv, code)
"""


@pytest.mark.heavy
def test_quick_answers_import_no_heavy_library(tmp_path):
    bad_yaml = tmp_path / "bad.yml"
    bad_yaml.write_text("name: [unclosed\n", encoding="utf-8")
    missing = tmp_path / "missing.yml"
    missing.write_text(
        f"extends: {ROOT / 'data/demo_town/scenarios/baseline.yml'}\nunits: {{path: nowhere.gpkg}}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", SCRIPT, str(bad_yaml), str(missing)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "SITING_LANG": "en", "PATH": ""},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # -X importtime writes "import time: self | cumulative | module" for every module imported
    imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    top = {name.split(".")[0] for name in imported}
    assert {"siting", "pandas", "yaml"} <= top  # the parse found the imports
    assert top & HEAVY == set()


def test_lazy_names_of_the_packages_resolve():
    """Every public name of siting and siting.optimize (imported on first use) is there."""
    for package in (siting, siting.optimize):
        for name in package.__all__:
            assert getattr(package, name) is not None, (package.__name__, name)
    assert siting.optimize.OBJECTIVES["p_median"].solver_class() is siting.optimize.PMedian
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        siting.optimize.nothing  # noqa: B018
