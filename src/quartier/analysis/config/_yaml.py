"""Reading a YAML file with the line of every key and list item; a key given twice is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from quartier.analysis.config._errors import ConfigError, Describe, Document, Loc, key_path

__all__ = ["read_yaml"]

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_INVALID = "not a valid UTF-8 YAML file"


class _BuildError(Exception):
    """A problem found while building the content: its line and what is wrong."""

    def __init__(self, line: int | None, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def read_yaml(
    path: Path,
    *,
    what: str = "the file",
    error: type[ConfigError] = ConfigError,
    describe: Describe = key_path,
) -> Document:
    r"""Read a UTF-8 YAML file into a `Document` that knows the line of every value.

    Parameters
    ----------
    path : Path
        The file.
    what : str
        What the file holds, for the message when it cannot be read ("the catalogue").
    error : type
        The `ConfigError` subclass raised, and given by the document's `error`.
    describe : callable
        Names a location for people in messages (`key_path` by default).

    Raises
    ------
    ConfigError
        (Or `error`) if the file cannot be read, is not UTF-8 YAML, is empty or gives a key
        twice in one mapping; the message names the file and the line.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "m.yaml"
    >>> _ = path.write_text("area: Bezirk\nignore:\n  - Name\n  - Nr\n", encoding="utf-8")
    >>> document = read_yaml(path)
    >>> document.content, document.line(("ignore", 1))
    ({'area': 'Bezirk', 'ignore': ['Name', 'Nr']}, 4)
    >>> _ = path.write_text("area: Bezirk\narea: Gebiet\n", encoding="utf-8")
    >>> read_yaml(path)
    Traceback (most recent call last):
    ...
    quartier...ConfigError: m.yaml, line 2: the key 'area' is given twice (first on line 1)
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read {what} ({exc.strerror})", file=str(path)) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem = f"{_INVALID} (byte 0x{data[exc.start]:02x} is not UTF-8; save it as UTF-8)"
        raise error(problem, file=path.name, line=line) from exc
    try:
        content, lines, duplicate = _parse(text)
    except _BuildError as exc:
        raise error(exc.problem, file=path.name, line=exc.line) from exc
    document = Document(content, path.name, lines, error, describe)
    if duplicate is not None:
        loc, line, problem = duplicate
        raise document.error(loc, problem, line=line)
    return document


def _parse(text: str) -> tuple[Any, dict[Loc, int], tuple[Loc, int, str] | None]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _BuildError(None, "the file is empty")
        builder = _Builder(loader)
        content = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        raise _BuildError(*_yaml_problem(exc)) from exc
    except yaml.YAMLError as exc:
        raise _BuildError(None, f"{_INVALID} ({exc})") from exc
    finally:
        loader.dispose()
    return content, builder.lines, builder.duplicate


def _yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "unknown problem"
    if exc.context:
        where = "" if exc.context_mark is None else f" on line {exc.context_mark.line + 1}"
        problem = f"{exc.context}{where}, {problem}"
    return (mark.line + 1 if mark is not None else None), f"{_INVALID} ({problem})"


class _Builder:
    """Builds the content of a node tree as `yaml.safe_load` would, noting every line."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.lines: dict[Loc, int] = {}
        # The first key given twice: the mapping's location, the line and the problem.
        self.duplicate: tuple[Loc, int, str] | None = None
        self.open: set[int] = set()

    def build(self, node: Node, loc: Loc) -> Any:
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if id(node) in self.open:
            raise _BuildError(node.start_mark.line + 1, f"{_INVALID} (an alias refers to itself)")
        if isinstance(node, MappingNode) and node.tag == _MAP:
            self.open.add(id(node))
            try:
                return self.mapping(node, loc)
            finally:
                self.open.discard(id(node))
        if isinstance(node, SequenceNode) and node.tag == _SEQ:
            self.open.add(id(node))
            try:
                return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
            finally:
                self.open.discard(id(node))
        return self.loader.construct_object(node, deep=True)

    def mapping(self, node: MappingNode, loc: Loc) -> dict[Any, Any]:
        own = {id(key) for key, _ in node.value if key.tag != _MERGE}
        self.loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        given: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self.loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                hash(key)
            except TypeError:
                raise _BuildError(line, f"{_INVALID} (a key must be a text or a number)") from None
            if id(key_node) in own:
                if key in given and self.duplicate is None:
                    problem = f"the key {key!r} is given twice (first on line {given[key]})"
                    self.duplicate = (loc, line, problem)
                given.setdefault(key, line)
            self.lines[(*loc, key)] = line
            result[key] = self.build(value_node, (*loc, key))
        return result
