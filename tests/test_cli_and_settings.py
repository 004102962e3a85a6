"""The `quartier` console script and the environment-driven settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from quartier.cli import command_name
from quartier.settings import database_config, env_bool, env_list


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
def test_env_bool(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("QUARTIER_TEST_FLAG", raw)
    assert env_bool("QUARTIER_TEST_FLAG", not expected) is expected


def test_env_bool_refuses_unclear_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUARTIER_DEBUG", "vielleicht")
    with pytest.raises(ImproperlyConfigured, match="QUARTIER_DEBUG must be one of"):
        env_bool("QUARTIER_DEBUG", False)


def test_env_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUARTIER_ALLOWED_HOSTS", "sozialplanung.example.de, ,localhost")
    assert env_list("QUARTIER_ALLOWED_HOSTS", []) == ["sozialplanung.example.de", "localhost"]


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


def test_bad_setting_stops_the_start(tmp_path: Path) -> None:
    env = {**os.environ, "QUARTIER_HOME": str(tmp_path), "QUARTIER_SECRET_KEY": "kurz"}
    result = subprocess.run(
        [sys.executable, "-m", "quartier", "check"], capture_output=True, text=True, env=env
    )
    assert result.returncode != 0
    assert "QUARTIER_SECRET_KEY must be at least 32 characters long" in result.stderr
