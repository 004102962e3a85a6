"""Finding the columns a table spec names: forgiving case and spacing, with clear errors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from quartier.analysis.tables._raw import RawTable, TableError, clean_header_text
from quartier.analysis.tables._spec import TableSpec

PERIOD_COLUMNS = ("period", "jahr", "year", "stichtag")
VARIABLE_COLUMNS = ("variable", "merkmal")
VALUE_COLUMNS = ("value", "wert", "zahl", "anzahl")
FLAG_COLUMNS = ("flag", "kennzeichen")


def table_name(raw: RawTable) -> str:
    """The file (and sheet) for error messages."""
    return raw.path.name + (f", sheet {raw.sheet!r}" if raw.sheet else "")


class Columns:
    """Finds the columns a spec names, forgiving case and extra whitespace."""

    def __init__(self, raw: RawTable) -> None:
        self.raw = raw
        self.names = raw.columns

    def find(self, name: str, role: str) -> str:
        """The column called `name` (case-insensitive if unique); TableError names `role`."""
        wanted = clean_header_text(str(name))
        if wanted in self.names:
            return wanted
        folded = [n for n in self.names if n.casefold() == wanted.casefold()]
        if len(folded) == 1:
            return folded[0]
        listed = ", ".join(repr(n) for n in self.names)
        raise TableError(
            f"{table_name(self.raw)}: no column {name!r} ({role}); the columns are {listed}"
        )

    def named(self, candidates: tuple[str, ...]) -> str | None:
        """The first column whose name is one of `candidates` (lower case), if any."""
        for candidate in candidates:
            found = [n for n in self.names if n.casefold() == candidate]
            if found:
                return found[0]
        return None


@dataclass(frozen=True)
class Plan:
    """The resolved columns of a spec."""

    area: str
    period_column: str | None
    year: int | None
    breakdowns: dict[str, str]
    ignore: frozenset[str]


def plan_columns(raw: RawTable, spec: TableSpec, columns: Columns) -> Plan:
    """The columns `spec` names, found in `raw`: area, period or year, breakdowns."""
    area = columns.find(spec.area, "area") if spec.area else raw.columns[0]
    period_column, year = _period(raw, spec, columns)
    breakdowns = {columns.find(c, "breakdown"): key for c, key in spec.breakdowns.items()}
    ignore = frozenset(columns.find(c, "ignore") for c in spec.ignore)
    return Plan(area, period_column, year, breakdowns, ignore)


def _period(raw: RawTable, spec: TableSpec, columns: Columns) -> tuple[str | None, int | None]:
    if isinstance(spec.period, int):
        return None, spec.period
    if spec.period is None:
        found = columns.named(PERIOD_COLUMNS)
        if found is None:
            raise TableError(
                f"{table_name(raw)}: no period column (period, Jahr, year); name the column that "
                "holds the year or give the year of the whole table, e.g. 2012",
                setting="period",
            )
        return found, None
    if re.fullmatch(r"\d{4}", spec.period.strip()) and columns.named((spec.period,)) is None:
        return None, int(spec.period)
    return columns.find(spec.period, "period"), None
