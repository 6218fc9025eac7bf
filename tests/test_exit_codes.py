"""One exception per kind of failure, one exit code each (README, "Exit codes"), and public functions
that refuse a wrong argument with SitingInputError rather than a bare built-in error.

The command runs in this process (``cli.main``); a failure of a kind the input cannot cause here (a
plan impossible as asked, a full disk, a bug) is raised by a stand-in for the command's step, so the
test is of the mapping from exception to exit code and message, which is the CLI's job.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from siting import cli, labels
from siting.errors import SitingEnvironmentError, SitingInfeasibleError, SitingInputError
from siting.labels import msg

ROOT = Path(__file__).resolve().parents[1]


def _fail_with(monkeypatch, error: BaseException) -> None:
    """``siting profiles`` raises ``error``."""

    def step(args):
        raise error

    monkeypatch.setattr(cli, "_profiles", step)


def test_exit_0_on_success(capsys):
    assert cli.main(["profiles"]) == cli.EXIT_OK == 0
    assert "dong_e" in capsys.readouterr().out


def test_exit_1_on_an_internal_error_with_the_traceback_and_please_report(monkeypatch, capsys):
    _fail_with(monkeypatch, ZeroDivisionError("a bug"))
    assert cli.main(["profiles"]) == cli.EXIT_FAILURE == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError: a bug" in err
    assert err.rstrip().endswith("error: siting failed unexpectedly (see above); please report it")


def test_exit_2_on_bad_input_naming_the_file_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "场景.yml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    assert cli.main(["run", str(bad)]) == cli.EXIT_BAD_INPUT == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: file {bad}: not valid YAML at line 2, column 1") and "Traceback" not in err


def test_exit_2_for_a_missing_input_file_before_any_work(tmp_path, capsys, monkeypatch):
    """The scenario's files are checked before the analysis is imported or run."""
    scenario = tmp_path / "s.yml"
    scenario.write_text(
        f"extends: {ROOT / 'data/demo_town/scenarios/baseline.yml'}\nfacilities: {{path: 无此文件.csv}}\n"
        f"output: {tmp_path / 'out'}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("siting.pipeline.run_scenario", lambda *a, **k: pytest.fail("the run started"))
    assert cli.main(["run", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: file {tmp_path / '无此文件.csv'}: file not found. Fix: check the path")
    assert not (tmp_path / "out").exists()


def test_exit_3_when_some_scenarios_of_a_batch_failed(monkeypatch, tmp_path, capsys):
    failed = pd.DataFrame({"scenario": ["乙县"], "error": ["file x: file not found"]})
    result = SimpleNamespace(failed=failed, folder=tmp_path)
    monkeypatch.setattr("siting.batch.run_batch", lambda *a, **k: result)
    monkeypatch.setattr("siting.batch.format_failures", lambda r: "1 of 2 scenarios failed: 乙县")
    assert cli.main(["batch", str(tmp_path), "--out", str(tmp_path / "out"), "--quiet"]) == cli.EXIT_SOME_FAILED == 3
    assert capsys.readouterr().err.strip() == "1 of 2 scenarios failed: 乙县"


def test_exit_4_when_the_plan_is_infeasible_naming_the_areas(monkeypatch, capsys):
    _fail_with(
        monkeypatch,
        SitingInfeasibleError(msg("optimisation_infeasible", reason="no site within reach"), rows=["A7", "A9"]),
    )
    assert cli.main(["profiles"]) == cli.EXIT_INFEASIBLE == 4
    err = capsys.readouterr().err
    assert err.strip() == "error: the optimisation is infeasible: no site within reach (rows: A7, A9)"


def test_exit_5_when_the_environment_failed_saying_what_to_do(monkeypatch, capsys):
    _fail_with(
        monkeypatch,
        SitingEnvironmentError("the disk is full", source="/data/out", fix="free some space"),
    )
    assert cli.main(["profiles"]) == cli.EXIT_ENVIRONMENT == 5
    err = capsys.readouterr().err
    assert err.strip() == "error: file /data/out: the disk is full. Fix: free some space"
    assert "Traceback" not in err


def test_readme_lists_every_exit_code_of_the_command():
    """The README's exit-code list and siting.cli's constants are the same set."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("**Exit codes**") :].split("\n\n")[0]
    listed = {int(code) for code in re.findall(r"\*\*(\d+)\*\*", paragraph)}
    codes = {value for name, value in vars(cli).items() if name.startswith("EXIT_")}
    assert listed == codes == {0, 1, 2, 3, 4, 5}


# -- public functions refuse wrong arguments with SitingInputError, never a bare built-in --------------
def test_unknown_language_is_an_input_error_naming_the_choices():
    with pytest.raises(SitingInputError) as caught:
        labels.set_language("fr")
    assert str(caught.value) == "language argument: 'fr' is not one of the choices. Fix: use one of: zh, en"


def test_unknown_message_key_is_an_internal_error_not_an_input_error():
    with pytest.raises(labels.UnknownMessageError) as caught:
        msg("no such message")
    assert isinstance(caught.value, KeyError) and not isinstance(caught.value, ValueError)


def test_settings_of_another_type_are_an_input_error(t_network, t_areas, t_facilities):
    from siting.reachability import assess_access

    with pytest.raises(SitingInputError, match="settings must be a WalkSettings, not dict"):
        assess_access(t_network, t_areas, t_facilities, settings={"walk_minutes": 15})


def test_objective_without_p_is_an_input_error():
    from siting.optimize import OBJECTIVES

    with pytest.raises(SitingInputError, match="objective 'p_median' needs a number p of new sites"):
        OBJECTIVES["p_median"].make()


def test_compliance_plan_of_a_problem_without_floor_area_rule_is_an_input_error():
    from siting.optimize import CompliancePlan, SitingProblem

    problem = SitingProblem([1, 3], [0, 1], [0, 0], [4.0, 2.0], 1)
    with pytest.raises(SitingInputError, match="needs the floor-area rule"):
        CompliancePlan().solve(problem)


@pytest.mark.filterwarnings("ignore::siting.errors.SitingWarning")  # F2 is far from the streets on purpose
def test_unknown_result_table_is_an_input_error(t_network, t_areas, t_facilities):
    from siting.compliance import check_compliance
    from siting.reachability import assess_access

    result = check_compliance(assess_access(t_network, t_areas, t_facilities), "dong_e")
    with pytest.raises(SitingInputError) as caught:
        result.table("nope")
    assert "'nope' is not one of the choices" in str(caught.value) and "failing" in str(caught.value)
