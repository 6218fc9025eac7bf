"""Province-wide batches: many scenarios (one per county) run on a Dask cluster, and compared.

:func:`run_batch` runs every scenario on a ``dask.distributed`` cluster: by default a
``LocalCluster`` of worker processes on this machine (one scenario at a time per process, each with
a memory limit), or an existing cluster given by its scheduler address. Each scenario writes exactly
what ``siting run`` writes (:func:`siting.pipeline.run_and_write`, byte for byte) to
``<out>/<scenario name>/``, whole or not at all. Then, in ``<out>``:

``batch_summary.csv`` / ``batch_summary.xlsx``
    One row per scenario, in the order given: ``scenario`` (name), ``file``, ``folder`` (relative to
    ``<out>``), ``status`` (``ok`` / ``failed``), ``error`` (why it failed, in the language in
    force), ``profile`` and the figures of its ``summary.json``, as the same numbers
    (:data:`FIGURE_KEYS`; the solver's ``status`` as ``solver_status``). The workbook has Chinese headers.
``batch_map.html``
    Every scenario's units (or the hull of its areas) coloured by its walking coverage, with a popup
    of its figures (:func:`siting.maps.batch_map`).

A scenario that fails records its message and does not stop the others: bad input
(:class:`~siting.errors.SitingInputError`), an unexpected error (with its traceback), or a worker
process that died, most likely for exceeding its memory limit (Dask's nanny stops a worker above
95 % of it). A scenario whose output folder already carries its fingerprint
(:func:`siting.pipeline.is_up_to_date`) is not run again, so an interrupted batch resumes where it
stopped.

Workers on other machines must see the scenario files, their inputs and ``<out>`` at the same paths
(a shared file system) and run the same siting version; both are checked.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import warnings
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting.errors import SitingEnvironmentError, SitingInfeasibleError, SitingInputError
from siting.labels import column_label, get_language, language, msg, render, value_label
from siting.pipeline import is_up_to_date, run_and_write
from siting.report import COMPARE_KEYS
from siting.scenario import Scenario, load_scenario

#: Figures of each scenario's ``summary.json`` in the batch summary, in this order.
FIGURE_KEYS = (
    "profile",
    *(key for key in COMPARE_KEYS if key != "status"),
    # what the compliance rate counts (rural areas under 城镇居住区 rules are not judged): its weight in the totals
    "households_floor_area_judged",
    "solver_status",
)
#: Columns of the batch summary before the figures.
ROW_KEYS = ("scenario", "file", "folder", "status", "error")
#: Labels of batch columns whose name means something else elsewhere (``status`` of an area is its type).
LABEL_KEYS = {"status": "run_status", "file": "scenario_file", "folder": "output_folder", "error": "error_message"}
SUMMARY_FILES = ("batch_summary.csv", "batch_summary.xlsx", "batch_map.html")
#: Douglas-Peucker tolerance of the outlines drawn on the batch map, metres (a province-wide view).
OUTLINE_TOLERANCE_M = 20.0
#: How long to wait for an existing scheduler to answer and to have a worker, seconds.
CONNECT_TIMEOUT_S = 20.0
#: Characters a folder name cannot hold on Windows or Linux; replaced by "_".
_UNSAFE = str.maketrans(dict.fromkeys('/\\:*?"<>|', "_"))


@dataclass(frozen=True)
class BatchItem:
    """One scenario file of a batch: loaded, or the reason it could not be.

    Attributes
    ----------
    file : Path
        The scenario file.
    folder : Path
        Its output folder, ``<out>/<scenario name>`` (``<out>/<file stem>`` when it did not load).
    scenario : Scenario or None
        None when the file did not load.
    error : str or None
        Why it did not load, in the language in force.
    """

    file: Path
    folder: Path
    scenario: Scenario | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        """The scenario's name, or its file's stem when it did not load."""
        return self.scenario.name if self.scenario is not None else self.file.stem


@dataclass
class BatchResult:
    """What a batch did.

    Attributes
    ----------
    table : DataFrame
        The batch summary (``batch_summary.csv``): one row per scenario, in the order given.
    folder : Path
        The batch output folder.
    reused : list of str
        Names of the scenarios whose up-to-date outputs were kept, not run again.
    tracebacks : dict
        Scenario name → traceback of an unexpected error (a bug to report).
    """

    table: pd.DataFrame
    folder: Path
    reused: list[str]
    tracebacks: dict[str, str]

    @property
    def failed(self) -> pd.DataFrame:
        """The rows of the scenarios that failed."""
        return self.table[self.table["status"] == "failed"]


# --------------------------------------------------------------------------------------------------
# Which scenarios
# --------------------------------------------------------------------------------------------------
def scenario_files(paths: Sequence[str | Path]) -> list[Path]:
    """The scenario files named by ``paths``: files as given, folders as every ``*.yml``/``*.yaml`` in them.

    Raises
    ------
    SitingInputError
        A path that does not exist, or a folder without scenario files.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".yml", ".yaml"))
            if not found:
                raise SitingInputError(msg("batch_no_scenarios"), source=str(path), fix=msg("batch_no_scenarios_fix"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise SitingInputError(msg("batch_not_found"), source=str(path), fix=msg("batch_not_found_fix"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique


def folder_name(name: str) -> str:
    """The folder of a scenario in the batch output: its name, with characters no file system allows replaced."""
    text = "".join(ch if ch.isprintable() else "_" for ch in name.strip().translate(_UNSAFE))
    return text.lstrip(".") or "scenario"


def load_batch(files: Sequence[Path], out: Path) -> list[BatchItem]:
    """Load every scenario file; one that does not load becomes a failed item (the others go on).

    Raises
    ------
    SitingInputError
        Two scenarios with the same name: they would write the same folder.
    """
    items = []
    for file in files:
        try:
            scenario = load_scenario(file)
        except SitingInputError as exc:
            items.append(BatchItem(file, out / folder_name(file.stem), error=exc.message()))
            continue
        items.append(BatchItem(file, out / folder_name(scenario.name), scenario))
    seen: dict[str, BatchItem] = {}
    for item in items:
        if item.scenario is None:
            continue
        # case-insensitive file systems (Windows, macOS) would merge names differing only in case
        first = seen.setdefault(item.folder.name.casefold(), item)
        if first is not item:
            raise SitingInputError(
                msg("batch_duplicate_name", name=item.folder.name, files=[str(first.file), str(item.file)]),
                source="siting batch",
                fix=msg("batch_duplicate_name_fix"),
            )
    return items


def _input_bytes(scenario: Scenario) -> int:
    """Total size of a scenario's input files: the larger, the earlier it should start."""
    return sum(path.stat().st_size for path in scenario.input_files() if path.exists())


# --------------------------------------------------------------------------------------------------
# On a worker
# --------------------------------------------------------------------------------------------------
def county_outline(scenario: Scenario, folder: Path | None) -> shapely.Geometry | None:
    """The scenario's extent for the batch map, in WGS84 (longitude, latitude).

    The union of its administrative units when it has them, else the convex hull of its areas as
    written in ``folder`` (None when neither can be read); simplified to :data:`OUTLINE_TOLERANCE_M`.
    """
    from siting.inputs import read_layer
    from siting.projection import WGS84, to_metric

    units = scenario.settings.units
    if units is not None:
        frame = read_layer(units.path, layer=units.layer, crs=units.crs)
    elif folder is not None and (folder / "areas.gpkg").exists():
        frame = gpd.read_file(folder / "areas.gpkg", layer="areas")
    else:
        return None
    metric = to_metric(frame)
    shape = shapely.union_all(shapely.make_valid(metric.geometry.values))
    if units is None:
        shape = shapely.convex_hull(shape)
    shape = shapely.simplify(shape, OUTLINE_TOLERANCE_M, preserve_topology=True)
    return gpd.GeoSeries([shape], crs=metric.crs).to_crs(WGS84).iloc[0]


def run_one(scenario: Scenario, folder: Path, lang: str) -> dict[str, Any]:
    """Run (or reuse) one scenario into ``folder`` and say how it went; runs on a Dask worker.

    Parameters
    ----------
    scenario : Scenario
    folder : Path
        Its output folder, ``<out>/<scenario name>``.
    lang : {"zh", "en"}
        Language of the error message and warnings.

    Returns
    -------
    dict
        ``status`` (``ok``/``failed``), ``error`` (text or None), ``figures`` (the summary figures),
        ``reused`` (the folder was up to date), ``outline`` (WGS84 geometry or None), ``warnings``
        (texts), ``traceback`` (of an unexpected error, else None).
    """
    outcome = _failure(None)
    with language(lang), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if not folder.parent.is_dir():
                raise SitingInputError(
                    msg("batch_folder_unseen", path=folder.parent), fix=msg("batch_folder_unseen_fix")
                )
            outcome["reused"] = is_up_to_date(scenario, folder)
            if not outcome["reused"]:
                run_and_write(scenario, out=folder, progress=False)
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
            outcome["figures"] = {key: summary.get(key) for key in FIGURE_KEYS if key != "solver_status"}
            outcome["figures"]["solver_status"] = summary.get("status")
            outcome["status"] = "ok"
        except (SitingInputError, SitingInfeasibleError, SitingEnvironmentError) as exc:
            outcome["error"] = exc.message(lang)
        except Exception as exc:
            outcome["error"] = render(msg("batch_crash", error=f"{type(exc).__name__}: {exc}"), lang)
            outcome["traceback"] = traceback.format_exc()
        try:
            outcome["outline"] = county_outline(scenario, folder if outcome["status"] == "ok" else None)
        except Exception:  # the map only loses this outline; the figures stand
            outcome["outline"] = None
        outcome["warnings"] = list(dict.fromkeys(str(w.message) for w in caught))
    return outcome


def siting_version() -> str:
    """The siting version of the process (asked of every worker before a batch starts)."""
    from siting import __version__

    return __version__


# --------------------------------------------------------------------------------------------------
# The cluster
# --------------------------------------------------------------------------------------------------
def check_cluster_options(workers: int | None, scheduler: str | None, memory_limit: str | None) -> None:
    """Refuse cluster options that cannot work: a SitingInputError naming the option and the fix.

    ``workers`` must be at least 1 and at most the machine's cores, ``memory_limit`` ``auto`` or a size
    such as ``4GB``/``3.5GiB``, and neither goes with ``scheduler`` (an existing cluster has its own workers).
    """
    from dask.utils import parse_bytes

    if scheduler is not None and (workers is not None or memory_limit is not None):
        raise SitingInputError(
            msg("batch_scheduler_options"), source="siting batch", fix=msg("batch_scheduler_options_fix")
        )
    if workers is not None and workers < 1:
        raise SitingInputError(msg("batch_workers", value=workers), source="--workers", fix=msg("batch_workers_fix"))
    cores = os.cpu_count() or 1
    if workers is not None and workers > cores:
        # each worker is a process running one county: more than the cores only share them, with more memory
        raise SitingInputError(
            msg("batch_workers_beyond_cores", value=workers, cores=cores),
            source="--workers",
            fix=msg("batch_workers_beyond_cores_fix", cores=cores),
        )
    if memory_limit is None or memory_limit == "auto":
        return
    try:
        size = parse_bytes(memory_limit)
    except (ValueError, TypeError):
        size = 0
    if size <= 0:
        raise SitingInputError(
            msg("batch_memory_limit", value=memory_limit), source="--memory-limit", fix=msg("batch_memory_limit_fix")
        )


@contextmanager
def dask_client(
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    memory_limit: str | None = None,
    announce: bool = True,
) -> Iterator[Any]:
    """A ``distributed.Client``: to the scheduler at ``scheduler``, or to a new local cluster.

    The local cluster has ``workers`` worker processes (default: one per core), one thread each
    (one scenario at a time per process), each limited to ``memory_limit`` (``auto``: this machine's
    memory shared out among them), and no retries: a scenario whose worker dies fails at once rather
    than killing two more workers. Cluster and client are closed on leaving, whatever happens.

    Parameters
    ----------
    workers : int, optional
        Local worker processes (not with ``scheduler``).
    scheduler : str, optional
        Address of an existing scheduler, e.g. ``tcp://10.0.0.5:8786``.
    memory_limit : str, optional
        Per local worker: ``auto`` (default) or a size such as ``4GB``.
    announce : bool
        Print the cluster and its dashboard address on stderr.

    Raises
    ------
    SitingInputError
        Bad options, a scheduler that does not answer or has no workers, or workers running another
        siting version.
    """
    import importlib.util
    import logging

    from dask.utils import format_bytes
    from distributed import Client, LocalCluster

    check_cluster_options(workers, scheduler, memory_limit)
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SitingInputError(
                msg("batch_scheduler_unreachable", address=scheduler, error=exc),
                source="--scheduler",
                fix=msg("batch_scheduler_unreachable_fix"),
            ) from None
        with client:
            _check_workers(client, scheduler)
            if announce:
                count = len(client.scheduler_info(n_workers=-1)["workers"])
                print(render(msg("batch_cluster", address=scheduler, workers=count)), file=sys.stderr)
            yield client
        return

    dashboard = importlib.util.find_spec("bokeh") is not None
    with warnings.catch_warnings():
        # "port 8787 is in use, using another": the address actually used is printed below
        warnings.simplefilter("ignore")
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit or "auto",
            dashboard_address=":8787" if dashboard else None,
            silence_logs=logging.WARNING if announce else logging.CRITICAL,
            scheduler_kwargs={"allowed_failures": 0},
        )
    nanny_log = logging.getLogger("distributed.nanny")
    with ExitStack() as stack:
        stack.callback(nanny_log.setLevel, nanny_log.level)  # registered first: restored last
        stack.enter_context(cluster)
        client = stack.enter_context(Client(cluster, set_as_default=False))
        if announce:
            info = client.scheduler_info(n_workers=-1)["workers"]
            limits = {w.get("memory_limit") for w in info.values()}
            text = msg(
                "batch_local_cluster",
                workers=len(info),
                memory=" / ".join(format_bytes(limit) for limit in sorted(limits) if limit) or "—",
            )
            print(render(text), file=sys.stderr)
            print(
                render(msg("batch_dashboard", link=cluster.dashboard_link) if dashboard else msg("batch_no_dashboard")),
                file=sys.stderr,
            )
        try:
            yield client
        finally:
            # A worker holding the geospatial stack can take longer than the nanny's 4 s grace to exit
            # on a busy machine; the nanny then kills it, which is harmless once the results are in.
            nanny_log.setLevel(logging.ERROR)


def _check_workers(client: Any, address: str) -> None:
    """An existing cluster must have a worker, and its workers the siting version of this process."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except TimeoutError:
        raise SitingInputError(
            msg("batch_no_workers", address=address), source="--scheduler", fix=msg("batch_no_workers_fix")
        ) from None
    try:
        versions = client.run(siting_version)
    except Exception as exc:
        raise SitingInputError(
            msg("batch_worker_version", versions=f"{type(exc).__name__}: {exc}", version=siting_version()),
            source="--scheduler",
            fix=msg("batch_worker_version_fix"),
        ) from None
    other = {worker: v for worker, v in versions.items() if v != siting_version()}
    if other:
        raise SitingInputError(
            msg(
                "batch_worker_version",
                versions=[f"{w}: {v}" for w, v in sorted(other.items())],
                version=siting_version(),
            ),
            source="--scheduler",
            fix=msg("batch_worker_version_fix"),
        )


def killed_message(exc: BaseException, lang: str) -> str:
    """The failure text of a scenario whose worker process died (a ``distributed.KilledWorker``).

    Dask's nanny stops a worker that goes above 95 % of its memory limit; so does the operating
    system when memory runs out. Either way the message says which limit applied and what to do.
    """
    limit = getattr(getattr(exc, "last_worker", None), "memory_limit", None)
    if not limit:
        return render(msg("batch_worker_died_nolimit"), lang)
    from dask.utils import format_bytes

    return render(msg("batch_worker_died", limit=format_bytes(limit)), lang)


# --------------------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------------------
def run_batch(
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    memory_limit: str | None = None,
    progress: bool = True,
) -> BatchResult:
    """Run every scenario on a Dask cluster and write the batch summary, workbook and map.

    Parameters
    ----------
    paths : sequence of path
        Scenario files, or folders of them (every ``*.yml`` in the folder).
    out : path
        The batch folder: ``<out>/<scenario name>/`` per scenario, and the files of the batch.
    workers : int, optional
        Worker processes of the local cluster (default one per core, at most one per scenario).
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``) instead of a local cluster.
    memory_limit : str, optional
        Memory limit per local worker process: ``auto`` (default: this machine's memory shared out)
        or a size such as ``4GB``.
    progress : bool
        A progress bar of scenarios done and failed (with the time left) and the cluster's address on
        stderr; warnings of each scenario as they come.

    Returns
    -------
    BatchResult
        The summary table (also in ``batch_summary.csv``), with the failures.

    Raises
    ------
    SitingInputError
        Batch arguments that are wrong: a missing path, a folder without scenarios, two scenarios
        of the same name, bad cluster options or an unreachable cluster. A scenario's own failure
        is not raised: it is a row of the table.
    """
    from siting.files import check_output_path

    lang = get_language()
    target = check_output_path(out).resolve()
    check_cluster_options(workers, scheduler, memory_limit)
    items = load_batch(scenario_files(paths), target)
    outcomes = [_failure(item.error) for item in items]
    runnable = [(i, item.scenario) for i, item in enumerate(items) if item.scenario is not None]
    names = [item.name for item in items]
    cpus = os.cpu_count() or 1
    with ExitStack() as stack:
        # the cluster first, so that its address is printed before the bar is drawn; closed last
        client = (
            stack.enter_context(
                dask_client(
                    workers=workers if workers is not None or scheduler is not None else min(cpus, len(runnable)),
                    scheduler=scheduler,
                    memory_limit=memory_limit,
                    announce=progress,
                )
            )
            if runnable
            else None
        )
        target.mkdir(parents=True, exist_ok=True)  # once the arguments and the cluster are known to work
        bar = stack.enter_context(_Progress(len(items), lang, enabled=progress))
        for item, outcome in zip(items, outcomes, strict=True):
            if item.scenario is None:
                bar.done(item.name, outcome)
        for i, outcome in _results(client, runnable, items, lang) if client is not None else ():
            outcomes[i] = outcome
            for text in outcome["warnings"]:
                bar.note(render(msg("warning", text=f"{names[i]}{render(msg('where_end'), lang)}{text}"), lang))
            bar.done(names[i], outcome)
    table = batch_table(items, outcomes, target)
    write_batch(table, [o["outline"] for o in outcomes], target)
    return BatchResult(
        table=table,
        folder=target,
        reused=[names[i] for i, o in enumerate(outcomes) if o["reused"]],
        tracebacks={names[i]: o["traceback"] for i, o in enumerate(outcomes) if o["traceback"]},
    )


class _Progress:
    """Scenarios done and failed, with the time left: a live bar on a terminal, one line per finished
    scenario when stderr is a log file (as :mod:`siting.progress` does for the steps of one run)."""

    #: A line of a log file: "scenarios 3/16 [00:45<02:10] ok 2, failed 1, reused 0".
    LINE_FORMAT = "{desc} {n_fmt}/{total_fmt} [{elapsed}<{remaining}]"

    def __init__(self, total: int, lang: str, *, enabled: bool) -> None:
        from siting.progress import is_terminal

        self.total = total
        self.lang = lang
        self.enabled = enabled
        self.counts = {"ok": 0, "failed": 0, "reused": 0}
        self.started = time.perf_counter()
        self.bar: Any = None
        if enabled and is_terminal():
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                desc=render(msg("batch_bar"), lang),
                unit=render(msg("batch_bar_unit"), lang),
                file=sys.stderr,
            )

    def done(self, name: str, outcome: dict[str, Any]) -> None:
        """One more scenario has finished, as ``outcome`` says."""
        self.counts["ok" if outcome["status"] == "ok" else "failed"] += 1
        self.counts["reused"] += bool(outcome["reused"])
        counts = render(msg("batch_bar_counts", **self.counts), self.lang)
        if self.bar is not None:
            self.bar.set_postfix_str(counts, refresh=False)
            self.bar.update()
        elif self.enabled:
            from tqdm import tqdm

            line = tqdm.format_meter(
                sum(self.counts[k] for k in ("ok", "failed")),
                self.total,
                time.perf_counter() - self.started,
                prefix=render(msg("batch_bar"), self.lang),
                bar_format=self.LINE_FORMAT,
            )
            status = value_label(outcome["status"], self.lang)
            print(f"{line} {counts}  {name}: {status}", file=sys.stderr, flush=True)

    def note(self, text: str) -> None:
        """A line of text above the bar (or in the log)."""
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        elif self.enabled:
            print(text, file=sys.stderr, flush=True)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _results(client: Any, jobs: Sequence[tuple[int, Scenario]], items: Sequence[BatchItem], lang: str) -> Iterator:
    """Submit every job and yield ``(index, outcome)`` as each finishes (a lost task is a failed outcome)."""
    from distributed import as_completed

    futures = {
        client.submit(
            run_one,
            scenario,
            items[i].folder,
            lang,
            key=f"siting-batch-{i}",
            pure=False,
            # the largest counties first, so that no big one starts last and keeps the whole batch waiting
            priority=_input_bytes(scenario),
        ): i
        for i, scenario in jobs
    }
    for future in as_completed(futures, loop=client.loop):
        try:
            outcome = future.result()
        except Exception as exc:
            outcome = _failure(_lost_message(exc, lang))
        future.release()
        yield futures[future], outcome


def _failure(error: str | None) -> dict[str, Any]:
    """The outcome of a scenario that has no result (see :func:`run_one` for the keys)."""
    return {
        "status": "failed",
        "error": error,
        "figures": {},
        "reused": False,
        "outline": None,
        "warnings": [],
        "traceback": None,
    }


def _lost_message(exc: BaseException, lang: str) -> str:
    """Why a scenario has no result when its task itself failed (its worker died, or the cluster went away)."""
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return killed_message(exc, lang)
    return render(msg("batch_lost", error=f"{type(exc).__name__}: {exc}"), lang)


def batch_table(items: Sequence[BatchItem], outcomes: Sequence[dict[str, Any]], out: Path) -> pd.DataFrame:
    """The batch summary: one row per scenario (see the module docstring for the columns)."""
    rows = []
    for item, outcome in zip(items, outcomes, strict=True):
        ok = outcome["status"] == "ok"
        rows.append(
            {
                "scenario": item.name,
                "file": str(item.file),
                "folder": item.folder.relative_to(out).as_posix() if ok else None,
                "status": outcome["status"],
                "error": outcome["error"],
                **{key: outcome["figures"].get(key) for key in FIGURE_KEYS},
            }
        )
    # object columns keep each figure as summary.json has it (83 areas, not 83.0)
    return pd.DataFrame(rows, columns=[*ROW_KEYS, *FIGURE_KEYS], dtype=object)


def batch_totals(table: pd.DataFrame) -> dict[str, float]:
    """Figures of all the scenarios that ran, together: shares weighted by the households they count (the
    compliance rate by the households its rule judges), sums of the rest."""
    done = table[table["status"] == "ok"]
    total = pd.to_numeric(done["households_total"]).sum()
    judged = pd.to_numeric(done["households_floor_area_judged"])
    share_ok = pd.to_numeric(done["share_households_floor_area_ok"]) * judged
    return {
        "share_within_walk": float(pd.to_numeric(done["households_within_walk"]).sum() / total) if total else np.nan,
        "share_within_radius": float(pd.to_numeric(done["households_within_radius"]).sum() / total)
        if total
        else np.nan,
        "share_households_floor_area_ok": float(share_ok.sum() / judged.sum()) if judged.sum() else np.nan,
        "proposed_sites": float(pd.to_numeric(done["proposed_sites"]).sum()),
        "floor_area_shortfall_m2": float(pd.to_numeric(done["floor_area_shortfall_m2"]).sum()),
    }


def write_batch(table: pd.DataFrame, outlines: Sequence[shapely.Geometry | None], out: Path) -> None:
    """Write ``batch_summary.csv``, ``batch_summary.xlsx`` (Chinese headers, shares in percent format) and
    ``batch_map.html`` into ``out``, each whole or not at all."""
    import tempfile

    from siting.files import write_whole
    from siting.maps import batch_map, save_map
    from siting.projection import WGS84
    from siting.report import is_share, write_csv, write_xlsx

    shown = table.assign(
        status=table["status"].map(lambda v: value_label(v, "zh")),
        solver_status=table["solver_status"].map(lambda v: value_label(v, "zh") if isinstance(v, str) else v),
    )
    percent = np.broadcast_to([is_share(str(c)) for c in shown.columns], shown.shape)
    shown = shown.rename(columns={c: column_label(LABEL_KEYS.get(c, c), "zh") for c in shown.columns})
    # the report's own writers, into a scratch folder; then each file replaces its old copy in one step
    with tempfile.TemporaryDirectory(dir=out, prefix=".batch-") as scratch:
        write_csv(table, Path(scratch) / "batch_summary.csv")
        write_xlsx({"批量汇总": shown}, Path(scratch) / "batch_summary.xlsx", percent={"批量汇总": percent})
        for name in ("batch_summary.csv", "batch_summary.xlsx"):
            write_whole(out / name, (Path(scratch) / name).read_bytes())
    counties = gpd.GeoDataFrame(table, geometry=list(outlines), crs=WGS84)
    save_map(batch_map(counties, summary=batch_totals(table), basemap="osm"), out / "batch_map.html")


# --------------------------------------------------------------------------------------------------
# Text for the terminal
# --------------------------------------------------------------------------------------------------
def format_batch(result: BatchResult) -> str:
    """The batch summary as aligned text: each scenario's status and headline figures."""
    from siting.profiles import format_table

    def shown_as(column: str, form: str) -> pd.Series:
        values = pd.to_numeric(table[column])
        return values.map(lambda v: None if pd.isna(v) else form.format(100 * v if "%" in form else v))

    table = result.table
    shown = pd.DataFrame(
        {
            column_label("scenario"): table["scenario"],
            column_label("run_status"): table["status"].map(value_label),
            column_label("share_within_walk"): shown_as("share_within_walk", "{:.1f}%"),
            column_label("share_households_floor_area_ok"): shown_as("share_households_floor_area_ok", "{:.1f}%"),
            column_label("floor_area_shortfall_m2"): shown_as("floor_area_shortfall_m2", "{:,.0f}"),
            column_label("proposed_sites"): shown_as("proposed_sites", "{:.0f}"),
        }
    )
    done = int((table["status"] == "ok").sum())
    counts = msg("batch_done", ok=done, total=len(table), reused=len(result.reused))
    return f"{format_table(shown)}\n\n{render(counts)}"


def format_failures(result: BatchResult) -> str:
    """The failed scenarios, one per line with the file and the message (tracebacks of bugs after them)."""
    failed = result.failed
    lines = [render(msg("error", text=msg("batch_failed", failed=len(failed), total=len(result.table))))]
    for row in failed.itertuples(index=False):
        lines.append(f"  - {row.scenario} ({row.file}): {row.error}")
    for name, text in result.tracebacks.items():
        lines += ["", f"{name}:", text.rstrip()]
    return "\n".join(lines)
