"""The raw table every reader produces, and the clean-up shared by the CSV and XLSX readers."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

LINE = "__line"
# Longest list of line numbers quoted in one problem message; the rest is counted.
MAX_LISTED = 5
# What a footnote may hold without holding a number: dates, years and note markers ("1)").
_NOT_NUMBERS = re.compile(
    r"\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\b(?:1[89]|20)\d{2}\b"
    r"|^\s*\(?\d{1,2}\)|\(\d{1,2}\)"
)


class TableError(ValueError):
    """A table cannot be read or converted; the message names the file, line and/or column.

    Parameters
    ----------
    message : str
        What is wrong, and where.
    setting : str, optional
        The `TableSpec` field (also the key of a mapping file) that would settle the problem,
        such as ``"period"`` or ``"encoding"``; None if none would. The message does not say how
        to give it: a command adds its option, a mapping file has the key.
    """

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class TableProblem:
    """A warning about what a reader repaired or skipped, naming the lines (rows) concerned.

    Attributes
    ----------
    text : str
        The warning.
    loss : bool
        True where the repair may have lost values or made them up: records with missing
        cells, a quote that is not closed, records with more cells than the header, a footnote
        that holds a number, a formula without a saved value. A table with such a problem is
        only imported when the warnings are accepted (see `check_repairs`).
    """

    text: str
    loss: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class RawTable:
    """A table as read from a file, every cell kept as text.

    Attributes
    ----------
    path : Path
        The file.
    sheet : str or None
        The sheet of a workbook; None for CSV.
    encoding : str
        The text encoding ("utf-8", "utf-8-sig", "cp1252", ...; "xlsx" for workbooks).
    delimiter : str or None
        The CSV delimiter; None for workbooks.
    decimal : str
        The decimal mark of the numbers, "," or ".".
    columns : list of str
        The cleaned header texts, unique.
    frame : polars.DataFrame
        One Utf8 column per header (empty cells are "") and the Int64 column "__line", the
        1-based line of the file (row of the sheet) where each record starts.
    problems : list of TableProblem
        Warnings about things that were repaired or skipped.
    header_line : int
        The line (row) of the header.
    """

    path: Path
    sheet: str | None
    encoding: str
    delimiter: str | None
    decimal: str
    columns: list[str]
    frame: pl.DataFrame
    problems: list[TableProblem] = field(default_factory=list)
    header_line: int = 1

    @property
    def records(self) -> int:
        """The number of data records."""
        return self.frame.height

    @property
    def losses(self) -> list[TableProblem]:
        """The problems whose repair may have lost values or made them up."""
        return [problem for problem in self.problems if problem.loss]


@dataclass
class TextGrid:
    """Header cells and body of a table before the headers are cleaned.

    `body` has the text columns "c0", "c1", ... (null where a record was too short) and LINE.
    """

    header: list[str]
    header_line: int
    body: pl.DataFrame
    problems: list[TableProblem] = field(default_factory=list)


def clean_header_text(text: str) -> str:
    r"""One line of header text: inner whitespace and line breaks become one space, trimmed.

    Examples
    --------
    >>> clean_header_text(" Anteil\n SGB II\u00a0(%) ")
    'Anteil SGB II (%)'
    """
    return re.sub(r"\s+", " ", text).strip()


def clean_headers(header: list[str]) -> tuple[list[str], list[TableProblem]]:
    """Unique, cleaned column names and problems about empty and repeated headers."""
    names: list[str] = []
    problems: list[TableProblem] = []
    seen: set[str] = {LINE}
    for position, text in enumerate(header, start=1):
        name = clean_header_text(text)
        if not name:
            name = f"column_{position}"
            problems.append(TableProblem(f"column {position} has no header; it is called {name!r}"))
        if name in seen:
            unique = _unique_name(name, seen)
            problems.append(
                TableProblem(
                    f"header {name!r} appears more than once; column {position} is {unique!r}"
                )
            )
            name = unique
        seen.add(name)
        names.append(name)
    return names, problems


def _unique_name(name: str, seen: set[str]) -> str:
    number = 2
    while f"{name}_{number}" in seen:
        number += 1
    return f"{name}_{number}"


def listed_lines(lines: Sequence[int | str], total: int) -> str:
    """'4, 9, 17' or '4, 9, 17, 20, 31 and 12 more' for problem messages (lines or cells)."""
    shown = ", ".join(str(line) for line in lines[:MAX_LISTED])
    more = total - min(len(lines), MAX_LISTED)
    return shown + (f" and {more} more" if more > 0 else "")


def find_header(records: list[tuple[int, int, list[str]]]) -> int:
    """The index of the header among the first records: the first one filled enough.

    Records before it (a title, a date line) are skipped. "Filled enough" means at least two and
    at least half as many non-empty cells as most records have.
    """
    counts = [len(cells) for _, _, cells in records]
    mode = max(Counter(counts).items(), key=lambda item: (item[1], item[0]))[0]
    needed = max(2, math.ceil(mode / 2)) if mode > 1 else 1
    for index, (_, _, cells) in enumerate(records):
        if sum(1 for cell in cells if cell.strip()) >= needed:
            return index
    return 0


def header_record(
    records: list[tuple[int, int, list[str]]], unit: str
) -> tuple[int, list[TableProblem]]:
    """The index of the header (see `find_header`) and the problem that reports skipped titles.

    `unit` names a record in the message: "line" in a CSV file, "row" in a sheet.
    """
    index = find_header(records)
    if not index:
        return 0, []
    first = records[index][0]
    text = f"{index} {unit}(s) above the header ({unit} {first}) were skipped as titles"
    return index, [TableProblem(text)]


def tidy_body(grid: TextGrid) -> tuple[pl.DataFrame, list[TableProblem]]:
    """Drop blank records and trailing footnotes, fill short records; report what was done.

    Records shorter than the header have null cells (a reader marks them so); they are filled
    with empty cells and reported as a loss, unless they are blank or footnotes, which often
    end early.
    """
    body = grid.body
    cells = [c for c in body.columns if c != LINE]
    if not cells:
        return body, []
    problems: list[TableProblem] = []
    body = _without_blank_records(body, cells)
    body, footnotes = _without_footnotes(body, cells)
    # Counting nulls costs nothing: a column knows how many it has.
    short = body.head(0)
    if any(body[c].null_count() for c in cells):
        short = body.filter(pl.any_horizontal([pl.col(c).is_null() for c in cells]))
    if short.height:
        lines = short[LINE].head(MAX_LISTED).to_list()
        problems.append(
            TableProblem(
                f"{short.height} record(s) have fewer cells than the header has columns; "
                f"the missing cells were read as empty: line {listed_lines(lines, short.height)}",
                loss=True,
            )
        )
        body = body.with_columns(pl.col(cells).fill_null(""))
    return body, problems + _footnote_problems(footnotes)


def _without_blank_records(body: pl.DataFrame, cells: list[str]) -> pl.DataFrame:
    """The records that have a cell with more than whitespace in it.

    A blank record has a blank first cell; only when there are such records are the other
    cells looked at, so a table without blank lines costs one scan of one column.
    """
    blank = [~pl.col(c).str.contains(r"\S").fill_null(False) for c in cells]
    if not body.select(blank[0].any()).item():
        return body
    return body.filter(~pl.all_horizontal(blank))


def _without_footnotes(
    body: pl.DataFrame, cells: list[str]
) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
    """Trailing records with text only in the first cell, such as 'Quelle: Stadt Köln'.

    Returns the body without them, and their lines and texts.
    """
    if len(cells) < 2 or body.height == 0:
        return body, []
    tail = body.tail(20)
    first, rest = cells[0], cells[1:]
    note = pl.col(first).fill_null("").str.contains(r"\s") & pl.all_horizontal(
        [pl.col(c).fill_null("").str.strip_chars() == "" for c in rest]
    )
    flags = tail.select(note).to_series().to_list()
    count = 0
    for is_note in reversed(flags):
        if not is_note:
            break
        count += 1
    if count == 0:
        return body, []
    notes = body.tail(count).select(LINE, first).rows()
    return body.head(body.height - count), notes


def _footnote_problems(footnotes: list[tuple[int, str]]) -> list[TableProblem]:
    """A note about skipped footnotes; a loss for those that hold a number (not a date)."""
    if not footnotes:
        return []
    lines = [line for line, _ in footnotes]
    problems = [
        TableProblem(
            f"{len(lines)} line(s) at the end look like footnotes and were skipped: "
            f"line {listed_lines(lines, len(lines))}"
        )
    ]
    numbers = [(n, text) for n, text in footnotes if re.search(r"\d", _NOT_NUMBERS.sub("", text))]
    if numbers:
        line, text = numbers[0]
        more = f" (and {len(numbers) - 1} more)" if len(numbers) > 1 else ""
        problems.append(
            TableProblem(
                f"line {line}, skipped as a footnote, holds a number: {text.strip()!r}{more}; "
                "is it a record of the table?",
                loss=True,
            )
        )
    return problems
