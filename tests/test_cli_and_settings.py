"""The `quartier` console script and the environment-driven settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from quartier.cli import command_name
from quartier.environment import read
from quartier.settings import database_config


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QUARTIER_HOME": str(home), "QUARTIER_DATABASE_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "quartier", *args], capture_output=True, text=True, env=env
    )


def test_hyphenated_command_names_map_to_modules() -> None:
    assert command_name("import-areas") == "import_areas"
    assert command_name("migrate") == "migrate"


def test_usage_lines_spell_commands_as_users_type_them(tmp_path: Path) -> None:
    result = run_cli("export-values", "--format", "bogus", home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: quartier export-values ")
    assert "export_values" not in result.stderr


def test_console_script_reports_errors_with_exit_code(tmp_path: Path) -> None:
    result = run_cli(
        "import-areas", str(tmp_path / "fehlt.geojson"), "--level", "x", "--code-field", "a",
        "--name-field", "b", home=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert "fehlt.geojson: file not found" in result.stderr
    assert "Nothing was imported." in result.stderr


def test_console_script_help(tmp_path: Path) -> None:
    result = run_cli("import-data", "--help", home=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: ")
    assert "--mapping MAPPING" in result.stdout


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("off", False), (" Yes ", True)])
def test_a_yes_or_no_variable(raw: str, expected: bool) -> None:
    assert read("QUARTIER_DEBUG", {"QUARTIER_DEBUG": raw}) is expected


def test_a_yes_or_no_variable_refuses_unclear_values() -> None:
    with pytest.raises(ImproperlyConfigured, match="QUARTIER_DEBUG must be one of"):
        read("QUARTIER_DEBUG", {"QUARTIER_DEBUG": "vielleicht"})


def test_a_list_variable() -> None:
    hosts = {"QUARTIER_ALLOWED_HOSTS": "sozialplanung.example.de, ,localhost"}
    assert read("QUARTIER_ALLOWED_HOSTS", hosts) == ["sozialplanung.example.de", "localhost"]
    assert read("QUARTIER_ALLOWED_HOSTS", {}) == ["127.0.0.1", "localhost", "[::1]"]


def test_the_log_level_is_one_of_the_known_levels() -> None:
    assert read("QUARTIER_LOG_LEVEL", {"QUARTIER_LOG_LEVEL": "info"}) == "INFO"
    with pytest.raises(ImproperlyConfigured, match="QUARTIER_LOG_LEVEL must be one of DEBUG"):
        read("QUARTIER_LOG_LEVEL", {"QUARTIER_LOG_LEVEL": "laut"})


def test_a_file_variable_must_name_a_file(tmp_path: Path) -> None:
    assert read("QUARTIER_METHODS_FILE", {}) is None
    with pytest.raises(ImproperlyConfigured, match="QUARTIER_METHODS_FILE names"):
        read("QUARTIER_METHODS_FILE", {"QUARTIER_METHODS_FILE": str(tmp_path / "fehlt.yaml")})


def test_database_urls() -> None:
    postgres = database_config("postgres://planer:geheim@db.example:5433/quartier")
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["HOST"], postgres["PORT"], postgres["NAME"]) == (
        "db.example",
        5433,
        "quartier",
    )
    sqlite = database_config("sqlite:////tmp/q.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == "/tmp/q.sqlite3"
    with pytest.raises(ImproperlyConfigured, match="got scheme 'mysql'"):
        database_config("mysql://localhost/quartier")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("QUARTIER_SECRET_KEY", "kurz", "QUARTIER_SECRET_KEY must be at least 32 characters long"),
        ("QUARTIER_LOG_LEVEL", "laut", "QUARTIER_LOG_LEVEL must be one of DEBUG"),
    ],
)
def test_a_bad_variable_stops_the_start(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = {**os.environ, "QUARTIER_HOME": str(tmp_path), variable: value}
    result = subprocess.run(
        [sys.executable, "-m", "quartier", "check"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 2
    # One line that names the variable, no traceback.
    assert result.stderr.startswith(f"quartier: {message}")
    assert result.stderr.count("\n") == 1
