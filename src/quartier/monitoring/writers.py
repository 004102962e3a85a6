"""Bulk writes: observation rows upserted per database, indicator results as Parquet parts.

The ORM's bulk_create is too slow for a million rows, so rows go in through the driver: SQLite
gets `executemany` of an upsert, PostgreSQL a COPY into a temporary table and one upsert from it.
Both only touch rows whose value, flag or source differ, so the returned count is the
number of new or changed cells and a repeated import writes nothing.

Indicator results are not queried by relation, so they are not rows: `result_parts` turns a
frame into one Parquet file (zstd) per year and kind of cell (totals or breakdowns).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl
from django.db import connection

from quartier.monitoring.models import Observation, ResultPart

COLUMNS = ["area_id", "period", "variable", "breakdown_key", "value", "flag", "source"]
KEY = ["variable", "period", "area_id", "breakdown_key"]
CONFLICT = f"({', '.join(KEY)})"
BATCH = 50_000
SQLITE_CACHE_KIB = 256 * 1024
PART_KEY = ["period", "_breakdowns"]
# Parts are up to a few MB each: a few dozen make one INSERT statement of moderate size.
PART_BATCH = 20
PART_COLUMNS = {
    "computation_id": "int8",
    "view": "varchar",
    "period": "int2",
    "breakdowns": "bool",
    "indicator_count": "int2",
    "rows": "int4",
    "data": "bytea",
}


def result_parts(frame: pl.DataFrame, *, view: str) -> list[ResultPart]:
    """Unsaved parts of one view: a Parquet file per year and kind of cell (totals, breakdowns).

    Rows keep their order within a part. The caller sets the computation and saves them.
    """
    # The engine's frames come in many chunks; gathering the groups from one is faster.
    keyed = frame.rechunk().with_columns((pl.col("breakdown_key") != "").alias("_breakdowns"))
    groups = keyed.partition_by(PART_KEY, as_dict=True, maintain_order=False)
    return [
        ResultPart(
            view=view,
            period=int(str(period)),
            breakdowns=bool(breakdowns),
            indicator_count=group["indicator"].n_unique(),
            rows=group.height,
            data=parquet_bytes(group.drop("_breakdowns")),
        )
        for (period, breakdowns), group in groups.items()
    ]


def insert_parts(parts: Sequence[ResultPart]) -> None:
    """Insert parts (their computation set); PostgreSQL takes them by binary COPY."""
    if connection.vendor != "postgresql":
        ResultPart.objects.bulk_create(parts, batch_size=PART_BATCH)
        return
    table = connection.ops.quote_name(ResultPart._meta.db_table)
    columns = ", ".join(PART_COLUMNS)
    # An INSERT sends bytea as hex text to be parsed; binary COPY sends the bytes as they are.
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(list(PART_COLUMNS.values()))
        for part in parts:
            copy.write_row([getattr(part, column) for column in PART_COLUMNS])


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """A frame as a Parquet file in memory (zstd; column types, enums included, kept).

    Statistics would cost time and are of no use: a part is always read whole. zstd level 1
    writes a third faster than the default level, and the files are 2 % larger.
    """
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", compression_level=1, statistics=False)
    return buffer.getvalue()


def _table() -> str:
    return connection.ops.quote_name(Observation._meta.db_table)


def upsert_observations(rows: pl.DataFrame) -> int:
    """Insert or update `rows` (columns COLUMNS); return how many rows were new or changed."""
    # Key order turns random B-tree inserts into appends: several times faster on both databases.
    rows = rows.select(COLUMNS).sort(KEY)
    if rows.height == 0:
        return 0
    if connection.vendor == "postgresql":
        return _upsert_postgresql(rows)
    return _upsert_sqlite(rows)


def _batches(rows: pl.DataFrame) -> Iterator[list[tuple[Any, ...]]]:
    for offset in range(0, rows.height, BATCH):
        yield rows.slice(offset, BATCH).rows()


def _upsert_sqlite(rows: pl.DataFrame) -> int:
    table = _table()
    sql = (
        f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
        f"ON CONFLICT {CONFLICT} DO UPDATE SET value = excluded.value, flag = excluded.flag, "
        "source = excluded.source "
        f"WHERE {table}.value IS NOT excluded.value OR {table}.flag IS NOT excluded.flag "
        f"OR {table}.source IS NOT excluded.source"
    )
    raw = _sqlite_connection()
    # The default 2 MB page cache thrashes on the unique index of a million-row table.
    raw.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    before = raw.total_changes
    for batch in _batches(rows):
        raw.executemany(sql, batch)
    changed = raw.total_changes - before
    return int(changed)


def _copy(cursor: Any, sql: str, rows: pl.DataFrame) -> None:
    """COPY a frame as CSV: polars writes CSV far faster than per-row Python (empty = NULL)."""
    with cursor.cursor.copy(sql) as copy:
        for offset in range(0, rows.height, BATCH):
            copy.write(rows.slice(offset, BATCH).write_csv(include_header=False))


def _sqlite_connection() -> Any:
    connection.ensure_connection()
    return connection.connection


def _upsert_postgresql(rows: pl.DataFrame) -> int:
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE quartier_incoming (area_id bigint, period smallint, "
            "variable varchar(200), breakdown_key varchar(300), "
            "value double precision, flag varchar(1), source varchar(300)) ON COMMIT DROP"
        )
        _copy(
            cursor, f"COPY quartier_incoming ({', '.join(COLUMNS)}) FROM STDIN (FORMAT csv)", rows
        )
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(COLUMNS)}) "
            f"SELECT {', '.join(COLUMNS)} FROM quartier_incoming "
            f"ON CONFLICT {CONFLICT} DO UPDATE SET value = excluded.value, flag = excluded.flag, "
            "source = excluded.source "
            f"WHERE ({table}.value, {table}.flag, {table}.source) "
            "IS DISTINCT FROM (excluded.value, excluded.flag, excluded.source)"
        )
        changed = cursor.rowcount
        cursor.execute("DROP TABLE quartier_incoming")
    return int(changed)
