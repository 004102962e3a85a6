"""The database as a user meets it: not set up yet, not reachable, locked by another process.

Each case ends in one line that says what to do, never a traceback. The commands run as the
console script in a fresh process, on a SQLite file of their own.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest


def quartier(home: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QUARTIER_HOME": str(home), "QUARTIER_DATABASE_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "quartier", *args],
        capture_output=True,
        text=True,
        env={**env, **variables},
        timeout=120,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], line: str, code: int) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.splitlines() == [line]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose database has every table (made once, copied by `set_up`)."""
    home = tmp_path_factory.mktemp("migrated")
    result = quartier(home, "migrate", "--verbosity", "0")
    assert result.returncode == 0, result.stderr
    return home


@pytest.fixture
def set_up(migrated: Path, tmp_path: Path) -> Path:
    """A home of its own with a database that has every table."""
    (tmp_path / "var").mkdir()
    shutil.copy(migrated / "var" / "quartier.sqlite3", tmp_path / "var" / "quartier.sqlite3")
    return tmp_path


@pytest.mark.parametrize(
    "command",
    [
        ["levels"],
        ["levels", "stadt:Stadt"],
        ["compute"],
        ["aktionsraeume", "--year", "2024"],
        ["export-values", "--format", "csv", "--out", "x.csv"],
        ["reset"],
        ["reset", "--yes"],
    ],
)
def test_a_database_without_tables(tmp_path: Path, command: list[str]) -> None:
    result = quartier(tmp_path, *command)
    assert_one_line(result, "quartier: database not set up: run quartier migrate", 2)


def test_commands_without_the_database_work_before_the_set_up(tmp_path: Path) -> None:
    table = tmp_path / "tabelle.csv"
    table.write_text("Gebiet;Jahr;Einwohner\n01;2024;1.675\n", encoding="utf-8")
    assert quartier(tmp_path, "inspect", str(table)).returncode == 0
    assert quartier(tmp_path, "indicators").returncode == 0
    assert quartier(tmp_path, "--help").returncode == 0
    migrate = quartier(tmp_path, "migrate", "--verbosity", "0")
    assert migrate.returncode == 0, migrate.stderr
    levels = quartier(tmp_path, "levels", "stadt:Stadt")
    assert levels.returncode == 0, levels.stderr
    assert levels.stdout.split() == ["0", "stadt", "Stadt", "0", "areas"]


def test_a_postgresql_server_that_is_not_running(tmp_path: Path) -> None:
    result = quartier(
        tmp_path, "levels", QUARTIER_DATABASE_URL="postgres://quartier@127.0.0.1:1/quartier"
    )
    assert_one_line(
        result,
        "quartier: cannot connect to the database at 127.0.0.1:1 (Connection refused); "
        "is the server running?",
        2,
    )


def test_an_sqlite_file_in_a_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "fehlt" / "q.sqlite3"
    result = quartier(tmp_path, "levels", QUARTIER_DATABASE_URL=f"sqlite:///{path}")
    assert_one_line(
        result,
        f"quartier: cannot open the database file {path} (unable to open database file); "
        "does its folder exist, and may quartier write to it? (QUARTIER_DATABASE_URL)",
        2,
    )


@pytest.fixture
def locked(set_up: Path) -> Iterator[sqlite3.Connection]:
    """The database of `set_up`, with its write lock held as another process would."""
    path = set_up / "var" / "quartier.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    holder.close()


def test_a_locked_database_is_waited_for_then_reported(
    set_up: Path, locked: sqlite3.Connection
) -> None:
    result = quartier(set_up, "levels", "stadt:Stadt", QUARTIER_LOCK_TIMEOUT="1")
    path = set_up / "var" / "quartier.sqlite3"
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "quartier: the database is locked by another quartier process; waiting up to 1 s "
        "(QUARTIER_LOCK_TIMEOUT)",
        f"quartier: the database is locked by another quartier process: {path}; waited 1 s "
        "(QUARTIER_LOCK_TIMEOUT), try again when it has finished",
    ]


def test_a_command_goes_on_when_the_lock_is_released(
    set_up: Path, locked: sqlite3.Connection
) -> None:
    release = threading.Timer(4, locked.rollback)  # after the start-up of the command
    release.start()
    try:
        result = quartier(set_up, "levels", "stadt:Stadt", QUARTIER_LOCK_TIMEOUT="30")
    finally:
        release.cancel()
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "quartier: the database is locked by another quartier process; waiting up to 30 s "
        "(QUARTIER_LOCK_TIMEOUT)"
    ]
    assert "stadt" in result.stdout


def test_reading_is_not_stopped_by_a_writer(set_up: Path, locked: sqlite3.Connection) -> None:
    result = quartier(set_up, "levels", QUARTIER_LOCK_TIMEOUT="1")
    assert (result.returncode, result.stderr) == (0, "")
