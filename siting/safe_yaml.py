"""Reading the YAML files a person writes (scenarios, rule profiles) safely: every misuse is a clear error.

``yaml.safe_load`` builds no Python objects from tags, but it still lets a file

- state a key twice, the second silently replacing the first (``overrides:`` written twice);
- grow without bound through aliases: a few hundred bytes of nested ``&a``/``*a`` references (the
  "billion laughs") expand to billions of values when anything walks the result;
- nest so deeply that the composer runs out of stack.

:func:`load_yaml` refuses all three before any work: one pass over the parser's events counts the
size of the document with every alias expanded and its depth, stopping at :data:`MAX_NODES` and
:data:`MAX_DEPTH`; then the document is built by a loader that refuses duplicate keys, naming the
line. A path that is a folder, a device, FIFO or socket (``extends: /dev/zero``), a file holding more
than :data:`MAX_BYTES` (counted while reading: ``st_size`` is not trusted) and text that is not UTF-8
are refused too. Each error is a :class:`~siting.errors.SitingInputError` naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from siting.errors import SitingInputError
from siting.files import read_bounded
from siting.labels import Message, msg

#: Largest YAML file read, bytes (a scenario is about 1 kB, a rule profile a few kB).
MAX_BYTES = 1_000_000
#: Most values in a document with every alias expanded (a scenario has about 50, a profile a few hundred).
MAX_NODES = 100_000
#: Deepest nesting of mappings and lists.
MAX_DEPTH = 64

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _DuplicateKeyError(yaml.constructor.ConstructorError):
    """A key stated twice in one mapping; ``first_line`` is where it was stated first."""

    def __init__(self, key: Any, first_line: int, mark: yaml.Mark) -> None:
        super().__init__(None, None, f"duplicate key {key!r}", mark)
        self.key = key
        self.first_line = first_line


class _NoDuplicateKeys(yaml.constructor.SafeConstructor):
    """A safe loader's mixin that refuses a key stated twice in one mapping (``<<`` merges may repeat keys)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise _DuplicateKeyError(key, seen[key].start_mark.line + 1, key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


class _Loader(_NoDuplicateKeys, yaml.SafeLoader):
    """``yaml.SafeLoader`` refusing duplicate keys: the reference reader, whose errors siting reports."""


class _FastLoader(_NoDuplicateKeys, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml's parser (about ten times faster; every study reads its profile's layers).

    libyaml words its errors differently and refuses deep nesting at its own depth, so a document it
    refuses is read again by :class:`_Loader`, whose errors are the ones siting words.
    """


def load_yaml(path: str | Path, *, missing: Message, missing_fix: Message) -> Any:
    """The document of a YAML file, read safely (see the module docstring).

    Parameters
    ----------
    path : path
        The file.
    missing, missing_fix : Message
        What to say, and how to fix it, when the file does not exist.

    Returns
    -------
    any
        The document (None for an empty file).

    Raises
    ------
    SitingInputError
        A missing file or a folder, a file too large, text that is not UTF-8, invalid YAML, a
        duplicate key, too many values once aliases are expanded, or nesting too deep.
    """
    return parse_yaml(read_yaml_bytes(path, missing=missing, missing_fix=missing_fix), str(path))


def read_yaml_bytes(path: str | Path, *, missing: Message, missing_fix: Message) -> bytes:
    """The bytes of a YAML file, read as :func:`load_yaml` reads them (the same refusals), for a caller
    that parses them itself (:func:`parse_yaml`)."""
    path = Path(path)
    source = str(path)
    if not path.exists():
        raise SitingInputError(missing, source=source, fix=missing_fix)
    if path.is_dir():
        raise SitingInputError(msg("path_is_folder"), source=source, fix=msg("yaml_folder_fix"))
    return read_bounded(path, MAX_BYTES, source=source, fix=msg("yaml_small_fix"))


def parse_yaml(data: bytes, source: str) -> Any:
    """The document of YAML text already read (at most :data:`MAX_BYTES`), checked as :func:`load_yaml`
    checks a file; ``source`` names it in errors."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SitingInputError(msg("not_utf8"), source=source, fix=msg("not_utf8_fix")) from None
    try:
        return _load(text, source, _FastLoader)
    except yaml.YAMLError:
        pass
    try:
        return _load(text, source, _Loader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None


def _load(text: str, source: str, loader: type) -> Any:
    _check_expansion(text, source, loader)
    return yaml.load(text, Loader=loader)  # both loaders are safe loaders: no Python objects from tags


def _check_expansion(text: str, source: str, loader: type) -> None:
    """Refuse a document that grows beyond :data:`MAX_NODES` values with its aliases expanded, or nests
    deeper than :data:`MAX_DEPTH`, from the parser's events alone (nothing is built)."""
    sizes: dict[str, int] = {}  # anchor -> values it stands for, once its node is complete
    open_nodes: list[list[Any]] = []  # [anchor, values so far] of each mapping or list being read
    total = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            open_nodes.append([event.anchor, 1])
            if len(open_nodes) > MAX_DEPTH:
                raise SitingInputError(
                    msg("yaml_too_deep", line=_line(event), limit=MAX_DEPTH),
                    source=source,
                    fix=msg("yaml_small_fix"),
                )
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, count = open_nodes.pop()
        elif isinstance(event, yaml.ScalarEvent):
            anchor, count = event.anchor, 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in sizes:  # undefined, or an alias inside its own anchor (a loop)
                raise SitingInputError(
                    msg("yaml_alias_unknown", alias=event.anchor, line=_line(event)),
                    source=source,
                    fix=msg("yaml_alias_fix"),
                )
            anchor, count = None, sizes[event.anchor]
        else:
            continue
        if anchor is not None:
            sizes[anchor] = count
        if open_nodes:
            open_nodes[-1][1] += count
            count = open_nodes[-1][1]
        else:
            total += count
            count = total
        if count > MAX_NODES:
            raise SitingInputError(
                msg("yaml_too_many_values", line=_line(event), limit=f"{MAX_NODES:,}"),
                source=source,
                fix=msg("yaml_alias_fix"),
            )


def _line(event: yaml.Event) -> int:
    """The line (from 1) where a parser event starts."""
    return event.start_mark.line + 1 if event.start_mark is not None else 0


def _yaml_error(exc: yaml.YAMLError, source: str) -> SitingInputError:
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if isinstance(exc, _DuplicateKeyError) and mark is not None:
        return SitingInputError(
            msg("yaml_duplicate_key", key=exc.key, line=mark.line + 1, first=exc.first_line),
            source=source,
            key=str(exc.key),
            fix=msg("yaml_duplicate_key_fix"),
        )
    if mark is not None:
        return SitingInputError(
            msg("yaml_invalid_at", line=mark.line + 1, column=mark.column + 1, error=problem or exc),
            source=source,
            fix=msg("yaml_invalid_fix"),
        )
    return SitingInputError(msg("yaml_invalid", error=problem or exc), source=source, fix=msg("yaml_invalid_fix"))
