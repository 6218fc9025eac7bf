"""Writing one output file whole, readable by colleagues: the last step of every map and copy siting writes.

A file is written under a hidden temporary name in its target's folder and renamed over the target only
when complete (same folder, same file system, so the rename is atomic): nobody ever opens half a map, and
an interrupted write leaves the previous file as it was. The temporary file is created by ``open(..., "xb")``
with the mode of any new file, 0666 minus the umask (0644 under the usual umask 022), so the renamed file
can be read by a colleague or a web server. :func:`tempfile.mkstemp` would create it 0600, private to its
owner, and the rename keeps that mode.
"""

from __future__ import annotations

import os
from pathlib import Path


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
