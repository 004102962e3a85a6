"""Reading CSV files as German statistical offices and spreadsheets write them.

Encoding (UTF-8 with or without BOM, UTF-16 with BOM, otherwise cp1252), delimiter (";", tab or
",") and the header row (title lines above it are skipped) are detected. The body is parsed by
polars; records that polars cannot parse (more cells than the header, stray quotes) or that are
shorter than the header (polars would fill them silently) make the reader fall back to Python's csv
module, which is slower but lenient, and says what it repaired.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from pathlib import Path

import polars as pl

from quartier.analysis.tables._raw import (
    LINE,
    TableError,
    TableProblem,
    TextGrid,
    header_record,
    listed_lines,
)

DELIMITERS = (";", "\t", ",")
# How a delimiter may be written in options and mapping files.
DELIMITER_WORDS = {";": ";", ",": ",", "\t": "\t", "tab": "\t", "\\t": "\t"}
DELIMITER_NAMES = {";": "semicolon", "\t": "tab", ",": "comma"}
# The start of the file looked at to find the delimiter and the header.
SAMPLE_CHARS = 256 * 1024
SAMPLE_RECORDS = 50


def read_csv_grid(
    path: Path, *, encoding: str | None, delimiter: str | None
) -> tuple[TextGrid, str, str]:
    """The header and body of a CSV file, with the encoding and delimiter used."""
    text, encoding = decode(path, encoding)
    sample, cut = _sample(text)
    if delimiter is None:
        delimiter = detect_delimiter(sample, cut=cut)
    elif delimiter in DELIMITER_WORDS:
        delimiter = DELIMITER_WORDS[delimiter]
    else:
        raise TableError(f"{path.name}: delimiter must be ';', ',' or tab, not {delimiter!r}")
    records = _records(sample, delimiter, cut=cut)
    if not records:
        raise TableError(_no_records(path, text))
    header_index, problems = header_record(records, "line")
    start, end, header = records[header_index]
    body_text = _after_line(text, end)
    problems += _quote_problems(text[: len(text) - len(body_text)], delimiter, first_line=1)
    body, width, body_problems = _read_body(
        body_text, delimiter, len(header), first_line=end + 1, name=path.name
    )
    header = header + [""] * (width - len(header))
    problems += body_problems
    grid = TextGrid(header=header, header_line=start, body=body, problems=problems)
    return grid, encoding, delimiter


def decode(path: Path, encoding: str | None) -> tuple[str, str]:
    """The text of a file and the encoding it was read with.

    A byte order mark decides; otherwise UTF-8 if the bytes are valid UTF-8, else cp1252 (the
    encoding of German Windows spreadsheets), else latin-1.
    """
    data = _read_bytes(path)
    if encoding is not None:
        if data.startswith(codecs.BOM_UTF8) and not _is_unicode(encoding):
            data = data[len(codecs.BOM_UTF8) :]  # a mark left by an editor, not text
        return _decode_as(data, encoding, path), encoding
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data, "utf-8-sig", path), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(data, "utf-16", path), "utf-16"
    _refuse_utf16_without_bom(data, path)
    for candidate in ("utf-8", "cp1252"):
        try:
            return _newlines(data.decode(candidate)), candidate
        except UnicodeDecodeError:
            continue
    return _newlines(data.decode("latin-1")), "latin-1"


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise TableError(f"{path}: cannot read the file ({error.strerror})") from error


def _is_unicode(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def _decode_as(data: bytes, encoding: str, path: Path) -> str:
    # Decoded without its byte order mark, so that errors count bytes from the file's start.
    skip = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
    try:
        return _newlines(data[skip:].decode(encoding).lstrip("\ufeff"))
    except LookupError as error:
        raise TableError(f"{path.name}: unknown encoding {encoding!r}") from error
    except UnicodeDecodeError as error:
        start = skip + error.start
        line = data[:start].count(b"\n") + 1
        byte = f"byte {data[start]:#04x} at offset {start}"
        if skip:
            problem = (
                f"the file begins with a UTF-8 byte order mark, but is not UTF-8 ({byte}); "
                "give the encoding of the file, such as cp1252"
            )
        else:
            problem = f"the file is not {encoding} ({byte}); give the encoding of the file"
        raise TableError(f"{path.name}, line {line}: {problem}", setting="encoding") from error


def _refuse_utf16_without_bom(data: bytes, path: Path) -> None:
    """UTF-16 text without a byte order mark is valid UTF-8 with a NUL after every letter."""
    head = data[:4096]
    if head.count(0) < len(head) // 4:
        return
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) < 4 * min(even, odd) + 1:
        return
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    raise TableError(
        f"{path.name}: the file looks like UTF-16 text without a byte order mark (every other "
        f"byte is 0); give the encoding of the file, {encoding}",
        setting="encoding",
    )


def _newlines(text: str) -> str:
    # Old Mac files end lines with a lone carriage return.
    if "\n" not in text and "\r" in text:
        return text.replace("\r", "\n")
    return text


def _sample(text: str) -> tuple[str, bool]:
    if len(text) <= SAMPLE_CHARS:
        return text, False
    return text[:SAMPLE_CHARS], True


def detect_delimiter(sample: str, *, cut: bool = False) -> str:
    r"""The delimiter that splits the first records most consistently into several cells.

    Examples
    --------
    >>> detect_delimiter("Bezirk;Anteil\n01;9,7\n02;3,4\n")
    ';'
    >>> detect_delimiter('id,name\n01,"Mitte, Nord"\n')
    ','
    """
    best, best_score = DELIMITERS[0], (0, 0)
    for delimiter in DELIMITERS:
        counts = [len(cells) for _, _, cells in _records(sample, delimiter, cut=cut)]
        several = [n for n in counts if n > 1]
        if not several:
            continue
        mode = max(Counter(several).items(), key=lambda item: (item[1], item[0]))[0]
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _records(sample: str, delimiter: str, *, cut: bool) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, cells) of the first non-blank records of the sample."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    records: list[tuple[int, int, list[str]]] = []
    previous = 0
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                records.append((start, previous, cells))
            if len(records) > SAMPLE_RECORDS:
                break
    except csv.Error:
        pass
    if cut and len(records) <= SAMPLE_RECORDS and records:
        records.pop()  # the sample may end inside the last record
    return records[:SAMPLE_RECORDS]


def _no_records(path: Path, text: str) -> str:
    """Why a file gives no complete record: it is empty, or its first line is far too long."""
    if not text.strip():
        return f"{path.name}: the file is empty"
    start = len(text) - len(text.lstrip("\r\n"))
    line = text[:start].count("\n") + 1
    end = text.find("\n", start)
    first = text[start:] if end < 0 else text[start:end]
    size = len(first.encode("utf-8"))
    shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"
    if not any(delimiter in first for delimiter in DELIMITERS):
        return (
            f"{path.name}: no delimiter (';', ',' or tab) found: line {line} is one cell of "
            f"{shown}; this is no table"
        )
    if first.count('"') % 2:
        return f'{path.name}: a quote (") in line {line} is never closed'
    return (
        f"{path.name}: line {line} alone is {shown} long, too long for a record of a table; "
        "are its line breaks lost?"
    )


def _after_line(text: str, line: int) -> str:
    position = 0
    for _ in range(line):
        position = text.find("\n", position) + 1
        if position == 0:
            return ""
    return text[position:]


def _read_body(
    text: str, delimiter: str, width: int, *, first_line: int, name: str
) -> tuple[pl.DataFrame, int, list[TableProblem]]:
    """The records as text columns c0.. plus LINE, the number of columns, and problems."""
    if not text or text.isspace():  # (strip would copy the whole text)
        return _frame([[] for _ in range(width)], [], width), width, []
    try:
        body = _read_body_fast(text, delimiter, width, first_line=first_line)
    except pl.exceptions.PolarsError:
        return _read_body_lenient(text, delimiter, width, first_line=first_line, name=name)
    if _records_are_whole(text, body, delimiter, width):
        return body, width, []
    return _read_body_lenient(text, delimiter, width, first_line=first_line, name=name)


def _read_body_fast(text: str, delimiter: str, width: int, *, first_line: int) -> pl.DataFrame:
    schema = {f"c{i}": pl.Utf8 for i in range(width)}
    body = pl.read_csv(
        text.encode("utf-8"),
        has_header=False,
        separator=delimiter,
        schema=schema,
        empty_string_is_null=False,
        raise_if_empty=False,
    )
    lines = pl.int_range(pl.len(), dtype=pl.Int64) + first_line
    if '"' in text:
        # A quoted cell may span several lines; later records start that much further down.
        breaks = pl.sum_horizontal(
            [pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in schema]
        ).cast(pl.Int64)
        lines = lines + breaks.cum_sum().shift(1, fill_value=0)
    return body.with_columns(lines.alias(LINE))


def _records_are_whole(text: str, body: pl.DataFrame, delimiter: str, width: int) -> bool:
    """Whether every record has a cell for every column: polars fills missing cells with "".

    A short record ends with an empty cell, so without one in the last column there is none.
    Else the delimiters outside quoted cells are counted once for the whole text: each full
    record has ``width - 1`` of them, a blank line none.
    """
    if width == 1 or not (body[f"c{width - 1}"] == "").any():
        return True
    found = text.count(delimiter)
    if '"' in text:
        inside = [pl.col(f"c{i}").str.count_matches(delimiter, literal=True) for i in range(width)]
        found -= int(body.select(pl.sum_horizontal(inside).sum()).item())
    missing = (width - 1) * body.height - found
    if missing == 0:
        return True
    blank = int(pl.select(pl.lit(text).str.count_matches(r"(?m)^\r?$")).item())
    return missing == (width - 1) * (blank - text.endswith("\n"))


def _read_body_lenient(
    text: str, delimiter: str, width: int, *, first_line: int, name: str
) -> tuple[pl.DataFrame, int, list[TableProblem]]:
    records, lines = _csv_records(text, delimiter, first_line=first_line, name=name)
    widest = max([_filled_width(cells) for cells in records] + [width])
    columns: list[list[str | None]] = [[] for _ in range(widest)]
    for cells in records:
        # Only records shorter than the header are short; None marks their missing cells.
        missing = None if len(cells) < width else ""
        for index in range(widest):
            columns[index].append(cells[index] if index < len(cells) else missing)
    body = _frame(columns, lines, widest)
    problems = _quote_problems(text, delimiter, first_line=first_line)
    if widest > width:
        longer = body.filter(pl.col(f"c{width}").fill_null("") != "")[LINE].to_list()
        problem = (
            f"{len(longer)} record(s) have more cells than the header; the extra columns "
            f"were added: line {listed_lines(longer, len(longer))}"
        )
        problems.append(TableProblem(problem, loss=True))
    return body, widest, problems


def _csv_records(
    text: str, delimiter: str, *, first_line: int, name: str
) -> tuple[list[list[str]], list[int]]:
    """The records of the csv module, and the line where each starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    lines: list[int] = []
    previous = 0
    try:
        for cells in reader:
            lines.append(first_line + previous)
            previous = reader.line_num
            records.append(cells)
    except csv.Error as error:
        hint = '; is a quote (") not closed?' if '"' in text else ""
        raise TableError(
            f"{name}, line {first_line + previous}: cannot read the record ({error}){hint}"
        ) from error
    return records, lines


def _quote_problems(text: str, delimiter: str, *, first_line: int) -> list[TableProblem]:
    """Quotes the lenient reader had to guess about: never closed, or not at a cell's end."""
    if '"' not in text:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    broken: list[int] = []
    unclosed: int | None = None
    previous = 0
    while True:
        try:
            next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if "end of data" in str(error):
                unclosed = first_line + previous
            else:
                broken.append(first_line + previous)
        previous = reader.line_num
    problems: list[TableProblem] = []
    if broken:
        problems.append(
            TableProblem(
                f'{len(broken)} record(s) have a quote (") inside a cell or not closed at the '
                "end of a cell; the reader guessed where their cells end: "
                f"line {listed_lines(broken, len(broken))}",
                loss=True,
            )
        )
    if unclosed is not None:
        rest = first_line + previous - unclosed
        problems.append(
            TableProblem(
                f'a quote (") in line {unclosed} is never closed: the rest of the file, '
                f"{rest} line(s), was read as one cell",
                loss=True,
            )
        )
    return problems


def _filled_width(cells: list[str]) -> int:
    """The number of cells up to the last non-empty one (trailing delimiters do not count)."""
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    return width


def _frame(columns: list[list[str | None]], lines: list[int], width: int) -> pl.DataFrame:
    data: dict[str, pl.Series] = {
        f"c{i}": pl.Series(f"c{i}", columns[i], dtype=pl.Utf8) for i in range(width)
    }
    data[LINE] = pl.Series(LINE, lines, dtype=pl.Int64)
    return pl.DataFrame(data)
