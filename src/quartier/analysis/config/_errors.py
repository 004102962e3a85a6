"""The error of a configuration file, and a parsed file that knows the line of every value."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

__all__ = ["ConfigError", "Describe", "Document", "Loc", "key_path"]

# The place of a value in a file: the keys and list positions (0-based) from the top.
Loc: TypeAlias = tuple[str | int, ...]
# Names the place of a value for people, from its location and the file's content.
Describe: TypeAlias = Callable[[Loc, Any], str]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file, line and place.

    Parameters
    ----------
    problem : str
        What is wrong (and what to do, where that helps).
    file : str, optional
        The file, usually its name; a file that cannot be read is named by its path.
    line : int, optional
        The 1-based line of the value in the file.
    place : str, optional
        The key path of the value, as the file's reader names it (``x.status_cuts``).

    Examples
    --------
    >>> str(ConfigError("must be a number, not 'x'", file="m.yaml", line=3, place="scale"))
    "m.yaml, line 3, scale: must be a number, not 'x'"
    >>> str(ConfigError("min_population: must be 0 or more"))
    'min_population: must be 0 or more'
    """

    def __init__(
        self, problem: str, *, file: str = "", line: int | None = None, place: str = ""
    ) -> None:
        self.problem = problem
        self.file = file
        self.line = line
        self.place = place
        head = ", ".join(part for part in (file, f"line {line}" if line else "", place) if part)
        super().__init__(f"{head}: {problem}" if head else problem)


def key_path(loc: Loc, content: Any = None) -> str:
    """The place of a value as its path of keys, list items counted from 1.

    `content` is the file's content; it tells a list position from a key that is a number.

    Examples
    --------
    >>> key_path(("x", "status_cuts", 1), {"x": {"status_cuts": [1, 2]}})
    'x.status_cuts (item 2)'
    >>> key_path(("area_codes", 1), {"area_codes": {1: "05315001"}})
    'area_codes.1'
    >>> key_path(("breakdowns", "Anteil SGB II"))
    "breakdowns.'Anteil SGB II'"
    """
    text = ""
    node = content
    for part in loc:
        if isinstance(node, list) and isinstance(part, int):
            text += f" (item {part + 1})"
            node = node[part] if 0 <= part < len(node) else None
            continue
        name = part if isinstance(part, str) and _PLAIN_KEY.match(part) else repr(part)
        text = f"{text}.{name}" if text else name
        node = node.get(part) if isinstance(node, dict) else None
    return text


@dataclass(frozen=True)
class Document:
    """The content of a configuration file with the line of every key and list item.

    Attributes
    ----------
    content : object
        The parsed values (dicts, lists, texts, numbers).
    name : str
        The file's name, for messages.
    lines : mapping
        Location (keys and 0-based list positions) -> 1-based line; empty for content that
        comes from no file.
    error_type : type
        The `ConfigError` (or subclass) that `error` gives.
    describe : callable
        Names a location for people (`key_path` by default).

    Examples
    --------
    >>> document = Document({"scale": "x"}, "m.yaml", lines={("scale",): 3})
    >>> print(document.error(("scale",), "must be a number, not 'x'"))
    m.yaml, line 3, scale: must be a number, not 'x'
    """

    content: Any
    name: str
    lines: Mapping[Loc, int] = field(default_factory=dict)
    error_type: type[ConfigError] = ConfigError
    describe: Describe = key_path

    def line(self, loc: Loc) -> int | None:
        """The line of the value at `loc`, or of the nearest value around it that has one."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return None

    def error(self, loc: Loc, problem: str, *, line: int | None = None) -> ConfigError:
        """The error about the value at `loc` (on `line`, by default the value's own line)."""
        return self.error_type(
            problem,
            file=self.name,
            line=self.line(loc) if line is None else line,
            place=self.describe(loc, self.content),
        )

    def at(self, loc: Loc) -> Any:
        """The value at `loc`; None if there is none."""
        node = self.content
        for part in loc:
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return node
