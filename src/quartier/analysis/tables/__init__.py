r"""Statistics tables as German cities publish them: CSV and XLSX in, tidy observations out.

The public API:

- `read_table` reads a CSV file or an XLSX sheet into a `RawTable`, every cell kept as text with
  the line it came from; encoding, delimiter, header row and decimal mark are detected.
- `parse_values` splits text cells into numbers and status flags ("." secret, "-" nothing,
  "x" not applicable).
- `profile_columns` says what each column holds (for `quartier inspect`).
- `RawTable.problems` are what the reader repaired or skipped (`TableProblem`); `check_repairs`
  refuses a table whose repairs may have lost or made up values, `repeated_records` finds
  records that look like one area twice.
- `TableSpec`, `spec_from_mapping` and `tidy_table` turn a raw table, wide or long, into tidy
  records: area, period, variable, breakdowns, value, flag, and the source line and column.
  Numbers must be finite, and a flagged cell has no value.
- `padded_ids` gives ids back the leading zeros a spreadsheet dropped; `lost_leading_zeros`
  warns when ids of digits differ in length.
- `negative_counts`, `repeated_cells` and `check_unique_observations` check tidy records: no
  count below zero, no cell twice.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "einwohner.csv").write_text(
...     "Bezirk;Einwohner;Anteil SGB II\n01;1.675;9,7\n02;.;-\n", encoding="cp1252"
... )
>>> raw = read_table(folder / "einwohner.csv")
>>> raw.delimiter, raw.decimal, raw.columns
(';', ',', ['Bezirk', 'Einwohner', 'Anteil SGB II'])
>>> tidy = tidy_table(raw, TableSpec(area="Bezirk", period=2012))
>>> tidy.select("area", "variable", "value", "flag").rows()[:3]
[('01', 'Einwohner', 1675.0, ''), ('02', 'Einwohner', None, '.'), ('01', 'Anteil SGB II', 9.7, '')]
"""

from __future__ import annotations

from quartier.analysis.tables._breakdown_keys import (
    dimension_key,
    format_key,
    key_dimensions,
    key_expression,
    parse_key,
)
from quartier.analysis.tables._cells import FLAG_NAMES, parse_columns, parse_values
from quartier.analysis.tables._columns import Columns, table_name
from quartier.analysis.tables._csv import DELIMITER_NAMES, DELIMITER_WORDS
from quartier.analysis.tables._german import german_number
from quartier.analysis.tables._ids import lost_leading_zeros, padded_ids
from quartier.analysis.tables._observations import (
    check_unique_observations,
    negative_counts,
    repeated_cells,
    with_breakdown_key,
)
from quartier.analysis.tables._raw import LINE, RawTable, TableError, TableProblem
from quartier.analysis.tables._read import (
    ColumnProfile,
    check_repairs,
    profile_columns,
    read_table,
    repeated_records,
)
from quartier.analysis.tables._spec import (
    COUNT_RULES,
    DIMENSION_KEY,
    TableSpec,
    load_spec,
    read_mapping,
    read_mapping_file,
    spec_from_mapping,
)
from quartier.analysis.tables._tidy import (
    Conversion,
    breakdown_dimensions,
    convert_table,
    tidy_table,
    tidy_to_csv,
    value_columns,
)

__all__ = [
    "COUNT_RULES",
    "DELIMITER_NAMES",
    "DELIMITER_WORDS",
    "DIMENSION_KEY",
    "FLAG_NAMES",
    "LINE",
    "ColumnProfile",
    "Columns",
    "Conversion",
    "RawTable",
    "TableError",
    "TableProblem",
    "TableSpec",
    "breakdown_dimensions",
    "check_repairs",
    "check_unique_observations",
    "convert_table",
    "dimension_key",
    "format_key",
    "german_number",
    "key_dimensions",
    "key_expression",
    "load_spec",
    "lost_leading_zeros",
    "negative_counts",
    "padded_ids",
    "parse_columns",
    "parse_key",
    "parse_values",
    "profile_columns",
    "read_mapping",
    "read_mapping_file",
    "read_table",
    "repeated_cells",
    "repeated_records",
    "spec_from_mapping",
    "table_name",
    "tidy_table",
    "tidy_to_csv",
    "value_columns",
    "with_breakdown_key",
]
