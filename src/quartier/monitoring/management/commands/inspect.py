"""`quartier inspect FILE`: what the table reader sees in a CSV or XLSX file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.analysis.tables import (
    DELIMITER_NAMES,
    FLAG_NAMES,
    ColumnProfile,
    RawTable,
    TableError,
    TableProblem,
    profile_columns,
    repeated_records,
)
from quartier.monitoring.management.reading_options import (
    READING_OPTIONS,
    add_reading_options,
    option_hint,
    read_with_options,
)

KIND_NAMES = {
    "empty": "empty",
    "id": "id-like text (leading zeros)",
    "integer": "integer",
    "decimal": "decimal",
    "flags": "flags only",
    "text": "text",
}
DECIMAL_NAMES = {",": "comma", ".": "point"}


class Command(BaseCommand):
    # Runs without the apps (quartier.cli.WITHOUT_DATABASE); the system checks need them.
    requires_system_checks: list[str] = []
    help = (
        "Show how a statistics table is read: encoding, delimiter, decimal mark, header line, "
        "records, per column the inferred type and the flagged cells, and the problems: what "
        "the reader repaired or skipped, and records that look like one area twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV or XLSX file")
        add_reading_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            raw = read_with_options(options["file"], options)
            profiles = profile_columns(raw)
        except TableError as error:
            raise CommandError(f"{error}{option_hint(error.setting, READING_OPTIONS)}") from error
        self.stdout.write("\n".join(describe(raw, profiles)))


def describe(raw: RawTable, profiles: list[ColumnProfile]) -> list[str]:
    """The report printed by the command, line by line."""
    lines = [f"File:        {raw.path.name}"]
    if raw.sheet is not None:
        lines.append(f"Sheet:       {raw.sheet}")
    else:
        lines.append(f"Encoding:    {raw.encoding}")
        name = DELIMITER_NAMES.get(raw.delimiter or "", "")
        lines.append(f"Delimiter:   {raw.delimiter!r} ({name})")
    lines += [
        f"Decimal:     {raw.decimal!r} ({DECIMAL_NAMES[raw.decimal]})",
        f"Header:      {'row' if raw.sheet is not None else 'line'} {raw.header_line}",
        f"Records:     {raw.records}",
        "Columns:",
    ]
    width = max([len(p.name) for p in profiles] + [6])
    for number, profile in enumerate(profiles, start=1):
        lines.append(f"  {number:>3}  {profile.name:<{width}}  {_column_facts(profile)}")
    repeated = repeated_records(raw, profiles)
    problems = [*raw.problems, *([repeated] if repeated is not None else [])]
    if problems:
        lines.append("Problems:")
        lines += [f"  - {_problem(problem)}" for problem in problems]
    else:
        lines.append("Problems:    none")
    return lines


# Said after a problem whose repair may have lost or made up values.
LOSS_NOTE = " [values may be lost: import-data and convert stop unless --accept-warnings]"


def _problem(problem: TableProblem) -> str:
    return f"{problem}{LOSS_NOTE if problem.loss else ''}"


def _column_facts(profile: ColumnProfile) -> str:
    facts = [KIND_NAMES[profile.kind], f"{profile.filled} filled"]
    flags = ", ".join(
        f'"{symbol}" ({FLAG_NAMES[symbol]}) {count}' for symbol, count in profile.flags.items()
    )
    if flags:
        facts.append(f"flags: {flags}")
    if profile.first_invalid is not None:
        line, text = profile.first_invalid
        facts.append(f"{profile.invalid} cell(s) not numbers, first {text!r} on line {line}")
    return "; ".join(facts)
