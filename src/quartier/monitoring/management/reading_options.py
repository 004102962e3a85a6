"""Command-line options shared by the commands that read statistics tables."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from quartier.analysis.tables import DELIMITER_WORDS, RawTable, read_table

__all__ = [
    "READING_OPTIONS",
    "add_reading_options",
    "delimiter_option",
    "option_hint",
    "read_with_options",
]

# The option of `add_reading_options` for each table setting (`TableSpec` field) it gives.
READING_OPTIONS = {
    "sheet": "--sheet",
    "encoding": "--encoding",
    "delimiter": "--delimiter",
    "decimal": "--decimal",
}


def option_hint(setting: str | None, options: Mapping[str, str]) -> str:
    """What to add to an error's message: the option that gives the setting it names, if any.

    The core's errors name a setting ("encoding"), never an option; each command knows its own.
    """
    option = options.get(setting or "")
    return f" (option {option})" if option else ""


def delimiter_option(text: str | None) -> str | None:
    """The delimiter given on the command line: ';', ',', 'tab' (or a real tab)."""
    if text is None:
        return None
    if text not in DELIMITER_WORDS:
        raise CommandError(f"--delimiter must be ';', ',' or 'tab', not {text!r}")
    return DELIMITER_WORDS[text]


def read_with_options(path: Path, options: Mapping[str, Any]) -> RawTable:
    """Read a table with what `add_reading_options` gave; raises the reader's `TableError`."""
    return read_table(
        path,
        sheet=options["sheet"],
        encoding=options["encoding"],
        delimiter=delimiter_option(options["delimiter"]),
        decimal=options["decimal"],
    )


def add_reading_options(parser: CommandParser) -> None:
    """Options that override what the reader detects (inspect, convert, import-data, index)."""
    parser.add_argument("--sheet", help="sheet of an XLSX workbook (default: the first)")
    parser.add_argument("--encoding", help="text encoding of a CSV file (default: detected)")
    parser.add_argument("--delimiter", help="';', ',' or 'tab' (default: detected)")
    parser.add_argument(
        "--decimal",
        choices=[",", "."],
        metavar="MARK",
        help="decimal mark, ',' or '.' (default: detected)",
    )
