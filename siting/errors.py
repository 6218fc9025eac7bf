"""The exceptions and warning siting raises, with the context a user needs to act on them.

One class per kind of failure, each with its own exit code on the command line (``siting.cli``):
:class:`SitingInputError` (the input is wrong, exit 2), :class:`SitingInfeasibleError` (the plan asked
for cannot be made, exit 4), :class:`SitingEnvironmentError` (the machine failed: disk full, out of
memory, a worker lost; exit 5). Anything else is an internal error (exit 1, "please report").

:class:`SitingInputError` and :class:`SitingInfeasibleError` are ``ValueError`` subclasses and
:class:`SitingEnvironmentError` an ``OSError``, so code that catches the built-in kinds keeps working;
siting's public functions raise these classes, never a bare ``ValueError``, ``TypeError`` or ``KeyError``
(a message key siting lacks is :class:`siting.labels.UnknownMessageError`, an internal error).

All carry :class:`~siting.labels.Message` texts and render them in the language in force when they
are shown (Chinese by default; see :func:`siting.labels.set_language`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from siting.labels import Message, msg, render

#: Offending rows listed by id in a message; the rest are counted.
ROWS_SHOWN = 10


class _Located(Exception):
    """A problem text with where it was found (file, key, layer, column, rows) and how to fix it."""

    def __init__(
        self,
        problem: Message | str,
        *,
        source: str | Message | None = None,
        key: str | None = None,
        layer: str | None = None,
        column: str | None = None,
        rows: Iterable | None = None,
        fix: Message | str | None = None,
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.source = source
        self.key = key
        self.layer = layer
        self.column = column
        self.rows = list(rows) if rows is not None else []
        self.fix = fix

    def message(self, language: str | None = None) -> str:
        """The whole message in ``language`` (default: the language in force)."""
        where: list[Any] = []
        if self.source:
            where.append(self.source if isinstance(self.source, Message) else msg("where_file", path=self.source))
        if self.key:
            where.append(msg("where_key", key=self.key))
        if self.layer:
            where.append(msg("where_layer", layer=self.layer))
        if self.column:
            where.append(msg("where_column", column=self.column))
        text = render(self.problem, language)
        if where:
            separator = render(msg("where_sep"), language)
            text = separator.join(render(w, language) for w in where) + render(msg("where_end"), language) + text
        if self.rows:
            shown = [str(r) for r in self.rows[:ROWS_SHOWN]]
            more = len(self.rows) - ROWS_SHOWN
            text += render(
                msg("rows_more", rows=shown, more=more) if more > 0 else msg("rows", rows=shown),
                language,
            )
        if self.fix:
            text += render(msg("fix", fix=self.fix), language)
        return text

    def __str__(self) -> str:
        return self.message()


class SitingInputError(_Located, ValueError):
    """Bad input: names what was wrong, where (file, key, layer, column, rows), and how to fix it.

    Parameters
    ----------
    problem : Message or str
        What is wrong, in one sentence (a :func:`siting.labels.msg`; plain text is shown as it is).
    source : str or Message, optional
        The file the input came from (shown as "文件 …" / "file …"), or a message naming another
        origin (a function argument, a scenario section), e.g. ``msg("where_argument", name="areas")``.
    key : str, optional
        The scenario or profile key at fault, e.g. ``optimize.p``.
    layer : str, optional
        Layer name within a multi-layer file (GeoPackage) or sheet of a workbook.
    column : str, optional
        The column at fault.
    rows : iterable, optional
        Ids (or row numbers) of the offending rows; the first ten are listed, with a count of the rest.
    fix : Message or str, optional
        How to fix it.

    The text is rendered when shown, so ``str(error)`` follows :func:`siting.labels.set_language`;
    :meth:`message` renders it in a given language.
    """


class SitingInfeasibleError(_Located, ValueError):
    """The inputs are valid but the plan asked for cannot be made (no set of sites meets the target).

    Rendered like :class:`SitingInputError`; ``rows`` names the areas or units that cannot be served.
    """


class SitingEnvironmentError(_Located, OSError):
    """The machine failed the run (disk full, out of memory, a Dask worker lost), not the input.

    Rendered like :class:`SitingInputError`; ``fix`` says what to do (free space, fewer workers, ...).
    """


class SitingWarning(_Located, UserWarning):
    """Something odd but possible in the input; the analysis goes on. Rendered like SitingInputError.

    Parameters
    ----------
    problem : Message or str
        What was noticed, and what was done about it.
    source, key, layer, column, rows, fix : optional
        Where it was noticed and what the user may do, as for :class:`SitingInputError`.
    """
