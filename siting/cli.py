"""The ``siting`` command line: run and compare scenarios, the demo town, rule profiles.

    siting run SCENARIO.yml [--out DIR] [--quiet | --verbose]
    siting compare A.yml B.yml ... [--out DIR] [--quiet | --verbose]
    siting batch SCENARIO_OR_FOLDER... --out DIR [--workers N | --scheduler ADDRESS] [--memory-limit SIZE] [--quiet]
    siting demo [--out DIR] [--maps DIR] [--quiet | --verbose]
    siting profiles
    siting profiles show NAME
    siting profiles new NAME [--inherits national] [--out FILE]

Every command takes ``--lang zh|en``: the language of messages, errors and warnings (default Chinese,
or the ``SITING_LANG`` environment variable). ``--quiet`` prints nothing but errors; ``--verbose`` adds
the HiGHS solver log to the progress of the optimisation (incumbent, bound and gap every few seconds).

Exit codes, one per kind of failure (the classes of :mod:`siting.errors`; no traceback but for 1):
0 success; 2 bad input (``SitingInputError``: the message says which file, key, column or row and how
to fix it); 4 the plan cannot be made as asked (``SitingInfeasibleError``, naming the areas or units);
5 the machine failed the run (``SitingEnvironmentError``: disk full, out of memory, a worker lost; the
message says what to do); 3 a batch in which some scenarios failed (each listed on stderr with its
message; the others are done); 1 anything else, an internal error (with the traceback and "please
report it"). Ctrl-C exits 1, SIGTERM 143; neither leaves a half-written output folder.

Only the standard library and :mod:`siting.labels` (pandas) are imported at start: each command imports
what it needs, and ``siting run`` checks the scenario before it imports the analysis, so that help,
profiles and refusals answer at once (``benchmarks/startup.py``, ``tests/test_startup.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import traceback
import warnings
from pathlib import Path

from siting.errors import SitingEnvironmentError, SitingInfeasibleError, SitingInputError, SitingWarning
from siting.labels import LANGUAGES, get_language, language, msg, render, term

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_SOME_FAILED = 3
EXIT_INFEASIBLE = 4
EXIT_ENVIRONMENT = 5


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on a usage mistake, which is bad input too; keep its message short."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise SystemExit(_report(msg("usage_error", command=self.prog, error=message)))


def _report(message: object, code: int = EXIT_BAD_INPUT) -> int:
    print(render(msg("error", text=message)), file=sys.stderr)
    return code


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="siting",
        description=(
            "Plan community elderly-care facilities (社区养老服务设施): 15-minute walking circles, "
            "floor-area rules and proposed new centres, from scenario files."
        ),
    )
    from siting import __version__

    parser.add_argument("--version", action="version", version=f"siting {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser(
        "run",
        help="run one scenario file and write its output folder",
        description="Run a scenario YAML file; the output folder is written whole or not at all.",
    )
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument("--out", type=Path, help="output folder (default: the scenario's 'output', relative to it)")

    compare = sub.add_parser(
        "compare",
        help="run (or reuse) scenarios and compare them side by side",
        description="Run each scenario (reusing an up-to-date output folder) and write "
        "comparison.csv, comparison.xlsx and comparison_map.html.",
    )
    compare.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO", help="two or more scenario files")
    compare.add_argument("--out", type=Path, default=Path("out/compare"), help="output folder (default out/compare)")

    batch = sub.add_parser(
        "batch",
        help="run many scenarios (every county of a province) on a Dask cluster and summarise them",
        description="Run every scenario on a Dask cluster (a local one by default), each into "
        "OUT/<scenario name>/ exactly as 'siting run' writes it, then write batch_summary.csv, "
        "batch_summary.xlsx and batch_map.html. Scenarios whose output is up to date are not run "
        "again. Exit code 3 when some scenarios failed.",
    )
    batch.add_argument(
        "scenarios", type=Path, nargs="+", metavar="SCENARIO_OR_FOLDER", help="scenario files, or folders of *.yml"
    )
    batch.add_argument("--out", type=Path, required=True, help="batch output folder")
    batch.add_argument(
        "--workers",
        type=int,
        help="worker processes of the local cluster (default: one per core, at most one per scenario)",
    )
    batch.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786")
    batch.add_argument(
        "--memory-limit",
        metavar="SIZE",
        help="memory limit per local worker, e.g. 4GB (default auto: this machine's memory shared among the workers)",
    )
    batch.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary; failures still listed")

    demo = sub.add_parser(
        "demo",
        help="analyse the bundled (synthetic) demo town: baseline and optimised plan",
        description="Run the demo town's baseline and optimised plan, compare them, and "
        "write everything under one folder, with the maps under --maps.",
    )
    demo.add_argument("--out", type=Path, default=Path("out/demo"), help="output folder (default out/demo)")
    demo.add_argument("--maps", type=Path, default=Path("maps"), help="folder for the maps (default maps)")

    profiles = sub.add_parser(
        "profiles",
        help="list the rule profiles, show one with its sources, or start one of your own",
        description="List the shipped rule profiles; 'show NAME' prints every value with its unit, status and "
        "source; 'new NAME --inherits national' writes NAME.yaml with every rule, its unit and label, and "
        "empty source fields to fill in (never over an existing file).",
    )
    profiles.add_argument("action", nargs="?", choices=["show", "new"], help="show one profile, or write a new one")
    profiles.add_argument("name", nargs="?", help="profile name or YAML path (with 'show'); the new name (with 'new')")
    profiles.add_argument(
        "--inherits", default=None, help="with 'new': the profile it builds on (shipped name or file; default national)"
    )
    profiles.add_argument("--out", type=Path, default=None, help="with 'new': the file or folder to write")
    for command in (run, compare, demo):
        output = command.add_mutually_exclusive_group()
        output.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
        output.add_argument(
            "--verbose", "-v", action="store_true", help="also show the HiGHS solver log of the optimisation"
        )
    for command in (run, compare, batch, demo, profiles):
        command.add_argument(
            "--lang", choices=LANGUAGES, default=None, help="language of messages and reports: zh (default) or en"
        )
    return parser


def _profiles(args: argparse.Namespace) -> int:
    from siting.profiles import BASE_PROFILE, format_profile, format_profile_list, new_profile

    if args.action != "new" and (args.inherits is not None or args.out is not None):
        raise SitingInputError(
            msg("cli_unexpected_argument", argument="--inherits/--out"),
            source=msg("where_command", command="siting profiles"),
            fix=msg("cli_profiles_new_fix"),
        )
    if args.action == "new":
        if args.name is None:
            raise SitingInputError(
                msg("cli_which_profile"),
                source=msg("where_command", command="siting profiles new"),
                fix=msg("cli_profiles_new_fix"),
            )
        path = new_profile(args.name, inherits=args.inherits or BASE_PROFILE, out=args.out)
        print(term("profile_new_written", path=path))
        return EXIT_OK

    if args.action is None:
        if args.name is not None:
            raise SitingInputError(
                msg("cli_unexpected_argument", argument=args.name),
                source=msg("where_command", command="siting profiles"),
                fix=msg("cli_profiles_show_fix"),
            )
        print(format_profile_list())
        return EXIT_OK
    if args.name is None:
        raise SitingInputError(
            msg("cli_which_profile"),
            source=msg("where_command", command="siting profiles show"),
            fix=msg("cli_which_profile_fix"),
        )
    print(format_profile(args.name))
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from siting.scenario import load_scenario

    # the scenario, its files and its output folder are checked before the analysis stack is imported
    # (seconds of imports): a refusal answers at once
    scenario = load_scenario(args.scenario)
    scenario.check_output(args.out)
    from siting.pipeline import run_and_write

    result, folder = run_and_write(scenario, out=args.out, progress=not args.quiet)
    if not args.quiet:
        from siting.report import format_summary

        print(format_summary(result.summary))
        print("\n" + render(msg("cli_output", folder=folder)))
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from siting.scenario import load_scenario

    if len(args.scenarios) < 2:
        raise SitingInputError(
            msg("cli_compare_one"),
            source=msg("where_command", command="siting compare"),
            fix=msg("cli_compare_one_fix"),
        )
    for path in args.scenarios:  # a bad scenario is refused before the analysis is imported
        load_scenario(path).check_output()
    from siting.pipeline import compare_scenarios

    table, folder = compare_scenarios(args.scenarios, out=args.out, progress=not args.quiet)
    if not args.quiet:
        from siting.report import format_comparison

        print(format_comparison(table))
        print("\n" + render(msg("cli_output", folder=folder)))
    return EXIT_OK


def _batch(args: argparse.Namespace) -> int:
    from siting.batch import format_batch, format_failures, run_batch

    result = run_batch(
        args.scenarios,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        memory_limit=args.memory_limit,
        progress=not args.quiet,
    )
    if not args.quiet:
        print(format_batch(result))
        print("\n" + render(msg("cli_output", folder=result.folder)))
    if len(result.failed):
        print(format_failures(result), file=sys.stderr)
        return EXIT_SOME_FAILED
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from siting.pipeline import run_demo

    text = run_demo(out=args.out, maps=args.maps, progress=not args.quiet)
    if not args.quiet:
        print(text)
    return EXIT_OK


def _solver_log(verbose: bool) -> contextlib.AbstractContextManager:
    """With ``--verbose``, every solver of the run shows the HiGHS log (see siting.optimize.progress)."""
    if not verbose:
        return contextlib.nullcontext()
    from siting.optimize.progress import solver_output

    return solver_output(True)


def _terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    # A planner needs the sentence, not the source line that raised it; a library's own warning
    # (pandas, GDAL, ...) is framed as one too, so that everything printed is in the chosen language.
    if not isinstance(message, SitingWarning):
        message = SitingWarning(msg("library_warning", category=category.__name__, text=message))
    print(render(msg("warning", text=message)), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``siting`` console command and ``python -m siting``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit code: 0 success, 2 bad input, 4 infeasible plan, 5 environment failure, 3 some scenarios of
        a batch failed, 1 internal error (see the module docstring).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    with language(_requested_language(argv)):
        return _main(argv)


def _requested_language(argv: list[str]) -> str:
    """The ``--lang`` of the command line, read before parsing so that usage errors use it too."""
    for i, arg in enumerate(argv):
        value = (
            arg.partition("=")[2]
            if arg.startswith("--lang=")
            else argv[i + 1]
            if arg == "--lang" and i + 1 < len(argv)
            else None
        )
        if value in LANGUAGES:
            return value
    return get_language()


def _main(argv: list[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help/--version exit 0, usage mistakes 2
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    handlers = {"run": _run, "compare": _compare, "batch": _batch, "demo": _demo, "profiles": _profiles}
    in_main_thread = threading.current_thread() is threading.main_thread()
    # SIGTERM (e.g. a scheduler stopping the job) unwinds like Ctrl-C, so the half-written work folder is
    # removed; SIGKILL cannot be caught: its work folder is hidden and removed by the next run.
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        with warnings.catch_warnings(), _solver_log(getattr(args, "verbose", False)):
            if getattr(args, "quiet", False):
                warnings.simplefilter("ignore")
            else:
                warnings.showwarning = _show_warning
            return handlers[args.command](args)
    except SitingInputError as exc:
        return _report(exc)
    except SitingInfeasibleError as exc:
        return _report(exc, EXIT_INFEASIBLE)
    except SitingEnvironmentError as exc:
        return _report(exc, EXIT_ENVIRONMENT)
    except BrokenPipeError:  # output piped into `head`: not a failure
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print(render(msg("interrupted")), file=sys.stderr)
        return EXIT_FAILURE
    except Exception:
        traceback.print_exc()
        print(render(msg("error", text=msg("unexpected"))), file=sys.stderr)
        return EXIT_FAILURE
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
