"""The one exception type siting raises for bad input, with the context a user needs to fix it."""
from __future__ import annotations

from collections.abc import Iterable


class SitingInputError(ValueError):
    """Bad input: names what was wrong, where (file, layer, column, rows), and how to fix it.

    Parameters
    ----------
    problem : str
        What is wrong, in one sentence.
    source : str, optional
        The file (or "GeoDataFrame argument", or scenario key) the input came from.
    layer : str, optional
        Layer name within a multi-layer file (GeoPackage).
    column : str, optional
        The column at fault.
    rows : iterable, optional
        Ids (or row numbers) of the offending rows; at most ten are listed, with a count of the rest.
    fix : str, optional
        How to fix it.
    """

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        layer: str | None = None,
        column: str | None = None,
        rows: Iterable | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.source = source
        self.layer = layer
        self.column = column
        self.rows = list(rows) if rows is not None else []
        self.fix = fix
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.source:
            where.append(f"file {self.source}")
        if self.layer:
            where.append(f"layer '{self.layer}'")
        if self.column:
            where.append(f"column '{self.column}'")
        text = self.problem
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" and {len(self.rows) - 10} more" if len(self.rows) > 10 else ""
            text += f" (rows: {shown}{more})"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text
