"""Writing outputs: checking an output path before any work, and writing one file whole, readable by colleagues.

:func:`check_output_path` is called before a run starts (by :mod:`siting.pipeline` and
:func:`siting.report.atomic_folder`), so that a path siting could not write — under a file, too long, in a
read-only or system folder such as ``/proc`` — is refused at once, naming the path and the reason, rather
than after the analysis.

:func:`write_whole` is the last step of every map and copy siting writes.

A file is written under a hidden temporary name in its target's folder and renamed over the target only
when complete (same folder, same file system, so the rename is atomic): nobody ever opens half a map, and
an interrupted write leaves the previous file as it was. The temporary file is created by ``open(..., "xb")``
with the mode of any new file, 0666 minus the umask (0644 under the usual umask 022), so the renamed file
can be read by a colleague or a web server. :func:`tempfile.mkstemp` would create it 0600, private to its
owner, and the rename keeps that mode.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path

from siting.errors import SitingInputError
from siting.labels import Message, msg

#: Bytes a hidden work name adds to an output's name (``.<name>.partial-<pid>-<n>``, ``.<name>.<pid>.tmp``).
WORK_NAME_BYTES = 32


def check_output_path(path: str | os.PathLike, *, key: str | None = None) -> Path:
    """Refuse an output folder siting could not write, before any work; return it absolute.

    Parameters
    ----------
    path : str or path-like
        The output folder (it need not exist yet).
    key : str, optional
        The scenario key or option that named it (``output``), for the message.

    Raises
    ------
    SitingInputError
        Naming the path and the reason: an existing file where the folder is wanted, a file among its
        parent folders, a name or path longer than the file system allows (the folder's own name with
        room for its hidden work name), or a parent folder that cannot be written (no permission, a
        read-only or system file system).
    """
    target = Path(path).expanduser().absolute()
    where = msg("where_folder", path=target)

    def refuse(reason: Message) -> SitingInputError:
        return SitingInputError(reason, source=where, key=key, fix=msg("output_path_fix"))

    existing = next(p for p in (target, *target.parents) if os.path.exists(p) or p == Path(target.anchor))
    if existing == target and not target.is_dir():
        raise refuse(msg("output_is_file"))
    if existing != target and not existing.is_dir():
        raise refuse(msg("output_under_file", file=existing))
    name_max = _limit(existing, "PC_NAME_MAX", 255)
    for part, limit in [*((p, name_max) for p in target.parts[1:-1]), (target.name, name_max - WORK_NAME_BYTES)]:
        if len(os.fsencode(part)) > limit:
            raise refuse(msg("output_name_too_long", name=part, n=len(os.fsencode(part)), limit=limit))
    path_max = _limit(existing, "PC_PATH_MAX", 4096) - WORK_NAME_BYTES
    if len(os.fsencode(str(target))) > path_max:
        raise refuse(msg("output_path_too_long", n=len(os.fsencode(str(target))), limit=path_max))
    # The only sure test of writing is to write: os.access says yes to root on a read-only file system.
    probe_in = existing if existing.is_dir() else existing.parent
    try:
        shutil.rmtree(tempfile.mkdtemp(prefix=".siting-probe-", dir=probe_in))
    except OSError as exc:
        reason = {
            errno.EROFS: "output_read_only",
            errno.EACCES: "output_no_permission",
            errno.EPERM: "output_no_permission",
        }
        raise refuse(
            msg(reason[exc.errno], folder=probe_in)
            if exc.errno in reason
            else msg("output_not_writable", folder=probe_in, error=exc.strerror or exc)
        ) from None
    return target


def _limit(folder: Path, name: str, default: int) -> int:
    """A file-system limit of ``folder`` (``os.pathconf``), or ``default`` where it cannot be asked."""
    try:
        return int(os.pathconf(folder, name))
    except (AttributeError, OSError, ValueError):  # no pathconf on Windows
        return default


#: Kinds of file refused as inputs: reading them never ends (``/dev/zero``, ``/dev/urandom``) or waits
#: for a writer that may never come (a FIFO, a socket), whatever their size says.
_SPECIAL_FILES = (
    (stat.S_ISCHR, "file_kind_device"),
    (stat.S_ISBLK, "file_kind_device"),
    (stat.S_ISFIFO, "file_kind_fifo"),
    (stat.S_ISSOCK, "file_kind_socket"),
)


def refuse_special_file(path: str | os.PathLike, source: str | Message | None = None) -> None:
    """Refuse a character or block device, a FIFO or a socket named as an input file.

    A path that does not exist passes: the reader says so in its own words.

    Raises
    ------
    SitingInputError
        Naming the path and what kind of file it is.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    for test, kind in _SPECIAL_FILES:
        if test(mode):
            raise SitingInputError(
                msg("input_not_regular", kind=msg(kind)),
                source=source if source is not None else str(path),
                fix=msg("input_not_regular_fix"),
            )


def read_bounded(
    path: str | os.PathLike, limit_bytes: int, *, source: str | Message | None = None, fix: Message | None = None
) -> bytes:
    """The bytes of an input file, refusing one of more than ``limit_bytes`` by reading, not by its size.

    ``st_size`` is not trusted: files of ``/proc`` say 0 and hold more. At most ``limit_bytes + 1``
    bytes are read, so memory stays bounded whatever the file is. ``fix`` says what to do about a file
    too large (default: a generic text).

    Raises
    ------
    SitingInputError
        A device, FIFO or socket (:func:`refuse_special_file`), a file that cannot be read, or one
        larger than ``limit_bytes``, naming the file and the limit (never its content).
    """
    where = source if source is not None else str(path)
    refuse_special_file(path, where)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit_bytes + 1)
    except OSError as exc:
        raise SitingInputError(msg("file_unreadable", error=exc.strerror or exc), source=where) from None
    if len(data) > limit_bytes:
        raise SitingInputError(
            msg("input_too_large", limit=f"{limit_bytes:,}"), source=where, fix=fix or msg("input_too_large_fix")
        )
    return data


def write_whole(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` whole or not at all, with the permissions of a new file (0666 & ~umask).

    Parameters
    ----------
    path : str or path-like
        The file to (re)place; its parent folders are created (0777 & ~umask).
    data : bytes or str
        The contents; text is written as UTF-8.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        # A leftover of a killed run would keep its own mode: always start from a new file.
        tmp.unlink(missing_ok=True)
        with open(tmp, "xb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def similar_files(path: str | Path, *, limit: int = 3) -> list[str]:
    """Files beside a missing ``path`` that it may have meant: the same name with another extension
    (养老设施.xlsx for 养老设施.xslx), then names spelled alike, closest first."""
    import difflib

    path = Path(path)
    try:
        names = sorted(p.name for p in path.parent.iterdir() if not p.name.startswith("."))
    except OSError:  # the folder itself is missing or unreadable
        return []
    stem = path.name.split(".")[0].lower()
    same_stem = [n for n in names if n.split(".")[0].lower() == stem]
    close = difflib.get_close_matches(path.name, names, n=limit, cutoff=0.6)
    return list(dict.fromkeys([*same_stem, *close]))[:limit]


def missing_file_fix(path: str | Path) -> Message:
    """The fix of a missing file: its spelling, and the files beside it it may have meant."""
    found = similar_files(path)
    if not found:
        return msg("file_not_found_fix")
    return msg("file_not_found_did_you_mean", best=found[0], names=found)
