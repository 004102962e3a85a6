"""The environment variables quartier reads: each declared once, parsed strictly, documented.

`VARIABLES` is the one list: the settings read every variable through `read`, which stops
with an error naming the variable when its value cannot be understood (instead of falling
back to a default), and the README's configuration table is generated from the same list
(`markdown_table`, checked by a test), so the docs cannot drift from the code.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

__all__ = ["VARIABLES", "Variable", "markdown_table", "read", "readme_with_table"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def _list(name: str, raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _file(name: str, raw: str) -> Path | None:
    if not raw.strip():
        return None
    path = Path(raw.strip()).expanduser().resolve()
    if not path.is_file():
        raise ImproperlyConfigured(f"{name} names {raw!r}, which is not a file")
    return path


def _folder(name: str, raw: str) -> Path:
    path = Path(raw.strip() or ".").expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise ImproperlyConfigured(f"{name} names {raw!r}, which is not a folder")
    return path


def _text(name: str, raw: str) -> str:
    return raw


def _log_level(name: str, raw: str) -> str:
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(LOG_LEVELS)}; got {raw!r}")
    return level


def _secret(name: str, raw: str) -> str:
    if raw and not raw.strip():
        raise ImproperlyConfigured(
            f"{name} is only spaces; give a random text of at least 32 characters, "
            "or unset it for a key generated into ./var/secret_key"
        )
    if raw and len(raw) < 32:
        raise ImproperlyConfigured(f"{name} must be at least 32 characters long")
    return raw


def _seconds(name: str, raw: str) -> float:
    try:
        seconds = float(raw.strip())
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ImproperlyConfigured(f"{name} must be a number of seconds, 0 or more; got {raw!r}")
    return seconds


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, how it is read, its meaning and its default."""

    name: str
    meaning: str
    default_text: str  # the default as the README says it
    parse: Callable[[str, str], Any]
    default: Any = None  # a value, or a function that makes it (for lists and the cwd)


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "QUARTIER_DATABASE_URL",
        "`sqlite:///path/file.sqlite3` or `postgres://user:password@host:5432/db`",
        "SQLite file `./var/quartier.sqlite3`",
        _text,
        "",
    ),
    Variable(
        "QUARTIER_SECRET_KEY",
        "secret for sessions and CSRF (≥ 32 characters)",
        "a random key generated once into `./var/secret_key`",
        _secret,
        "",
    ),
    Variable(
        "QUARTIER_DEBUG",
        "`1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`",
        "`0`",
        _bool,
        False,
    ),
    Variable(
        "QUARTIER_ALLOWED_HOSTS",
        "comma-separated host names (`*`, any host, only with `QUARTIER_DEBUG=1`)",
        "`127.0.0.1,localhost,[::1]`",
        _list,
        lambda: ["127.0.0.1", "localhost", "[::1]"],
    ),
    Variable(
        "QUARTIER_HOME", "folder that holds `./var`", "the current directory", _folder, Path.cwd
    ),
    Variable(
        "QUARTIER_INDICATORS_FILE",
        "the city's own indicator file, added to the shipped catalogue (same keys replace)",
        "none",
        _file,
    ),
    Variable(
        "QUARTIER_METHODS_FILE",
        "a copy of the method presets with the city's parameters",
        "the shipped presets",
        _file,
    ),
    Variable(
        "QUARTIER_LOG_LEVEL",
        "the least level of the log messages written to the terminal: "
        + ", ".join(f"`{level}`" for level in LOG_LEVELS),
        "`WARNING`",
        _log_level,
        "WARNING",
    ),
    Variable(
        "QUARTIER_LOCK_TIMEOUT",
        "seconds a command waits for an SQLite database that another process is writing to",
        "`60`",
        _seconds,
        60.0,
    ),
)
_BY_NAME = {variable.name: variable for variable in VARIABLES}


def read(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value of a declared variable, parsed; its default when it is not set.

    Examples
    --------
    >>> read("QUARTIER_DEBUG", {"QUARTIER_DEBUG": "yes"})
    True
    >>> read("QUARTIER_LOG_LEVEL", {})
    'WARNING'
    >>> read("QUARTIER_LOG_LEVEL", {"QUARTIER_LOG_LEVEL": "loud"})
    Traceback (most recent call last):
    ...
    django.core.exceptions.ImproperlyConfigured: QUARTIER_LOG_LEVEL must be one of DEBUG, INFO, ...
    """
    variable = _BY_NAME[name]
    raw = (os.environ if environ is None else environ).get(name)
    if raw is None:
        return variable.default() if callable(variable.default) else variable.default
    return variable.parse(name, raw)


def markdown_table() -> str:
    """The README's table of the variables."""
    lines = ["| variable | meaning | default |", "|---|---|---|"]
    lines += [f"| `{v.name}` | {v.meaning} | {v.default_text} |" for v in VARIABLES]
    return "\n".join(lines) + "\n"


# The README's table lies between these two lines; `make docs` rewrites it.
TABLE_START = "<!-- environment variables: generated by `make docs` from quartier.environment -->"
TABLE_END = "<!-- end of environment variables -->"


def readme_with_table(readme: str) -> str:
    """The README with its table of variables replaced by the generated one."""
    start, end = readme.index(TABLE_START), readme.index(TABLE_END)
    return readme[: start + len(TABLE_START)] + "\n" + markdown_table() + readme[end:]


if __name__ == "__main__":
    import sys

    path = Path(sys.argv[1])
    path.write_text(readme_with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
