"""The `quartier` console script and the environment-driven settings."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from quartier.cli import command_name, progress
from quartier.environment import read
from quartier.settings import allowed_hosts, database_config, writable_folder


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


def one_line_error(result: subprocess.CompletedProcess[str], message: str, code: int = 2) -> None:
    """The command stopped with one line on stderr that starts with `quartier: message`."""
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith(f"quartier: {message}"), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def run_with(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QUARTIER_HOME": str(tmp_path), "QUARTIER_DATABASE_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "quartier", *args],
        capture_output=True,
        text=True,
        env={**env, **variables},
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("QUARTIER_SECRET_KEY", " " * 40, "QUARTIER_SECRET_KEY is only spaces; give a random"),
        ("QUARTIER_LOG_LEVEL", "chatty", "QUARTIER_LOG_LEVEL must be one of DEBUG, INFO"),
        ("QUARTIER_ALLOWED_HOSTS", "*", "QUARTIER_ALLOWED_HOSTS=* accepts requests for any host"),
        ("QUARTIER_LOCK_TIMEOUT", "lange", "QUARTIER_LOCK_TIMEOUT must be a number of seconds"),
        ("QUARTIER_DATABASE_URL", "mysql://db/q", "QUARTIER_DATABASE_URL must start with sqlite"),
        ("QUARTIER_DATABASE_URL", "postgres://u:p@h:port/db", "QUARTIER_DATABASE_URL: the port"),
        ("QUARTIER_DATABASE_URL", "postgres:/db", "QUARTIER_DATABASE_URL must be written sqlite"),
        ("QUARTIER_DATABASE_URL", "sqlite://", "QUARTIER_DATABASE_URL names no file"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    one_line_error(run_with(tmp_path, "levels", **{variable: value}), message)


def test_the_url_of_the_database_is_never_shown(tmp_path: Path) -> None:
    result = run_with(tmp_path, "levels", QUARTIER_DATABASE_URL="postgres://u:geheim#1@h/db")
    one_line_error(result, "QUARTIER_DATABASE_URL: the port is not a number")
    assert "geheim" not in result.stderr


def test_any_host_is_allowed_on_a_development_machine_only() -> None:
    assert allowed_hosts(["*"], debug=True) == ["*"]
    assert allowed_hosts(["quartier.example.de"], debug=False) == ["quartier.example.de"]
    with pytest.raises(ImproperlyConfigured, match="or set QUARTIER_DEBUG=1 on a development"):
        allowed_hosts(["quartier.example.de", "*"], debug=False)


def test_a_home_that_is_a_file(tmp_path: Path) -> None:
    home = tmp_path / "home.txt"
    home.write_text("", encoding="utf-8")
    result = run_with(tmp_path, "levels", QUARTIER_HOME=str(home))
    one_line_error(result, f"QUARTIER_HOME names {str(home)!r}, which is not a folder")


def test_a_home_that_cannot_be_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured) as raised:
        writable_folder(blocked / "var")
    assert str(raised.value) == (
        f"QUARTIER_HOME: cannot create the folder {blocked / 'var'} (Not a directory); "
        "set QUARTIER_HOME to a folder you may write to"
    )
    monkeypatch.setattr(os, "access", lambda *_: False)
    with pytest.raises(ImproperlyConfigured) as raised:
        writable_folder(tmp_path)
    assert str(raised.value) == (
        f"QUARTIER_HOME: cannot write to {tmp_path}; set QUARTIER_HOME to a folder you may write to"
    )


def test_the_overview_of_the_commands_loads_no_analysis(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from quartier.cli import main\n"
        "main(['quartier', '--help'])\n"
        "heavy = ('polars', 'shapely', 'scipy', 'numpy', 'quartier.analysis')\n"
        "print('loaded:', [name for name in heavy if name in sys.modules])\n"
    )
    env = {**os.environ, "QUARTIER_HOME": str(tmp_path), "QUARTIER_DATABASE_URL": ""}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "loaded: []" in result.stdout
    listed = result.stdout.split("[quartier]\n", 1)[1].split("\n\n", 1)[0].split()
    assert listed[:4] == ["levels", "import-areas", "derive-level", "export-areas"]
    assert {"export-values", "aktionsraeume", "reset", "demo"} <= set(listed)
    assert "[auth]\n    changepassword" in result.stdout
    assert "    migrate\n" in result.stdout


def test_a_bad_variable_stops_the_overview_too(tmp_path: Path) -> None:
    one_line_error(run_with(tmp_path, "--help", QUARTIER_DEBUG="vielleicht"), "QUARTIER_DEBUG")


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal() -> None:
    stdout, stderr = StringIO(), Terminal()
    with progress("Musterstadt", stdout=stdout, stderr=stderr) as steps:
        steps.add(2)
        steps.start("generating the files")
        steps.out.write("12 files written\n")
        steps.start("importing the areas")
    assert "Musterstadt: importing the areas" in stderr.getvalue()
    # The command's own lines stay on its output, which is no terminal here.
    assert stdout.getvalue() == "12 files written\n"


def test_progress_with_both_streams_on_a_terminal() -> None:
    stdout, stderr = Terminal(), Terminal()
    with progress("compute", stdout=stdout, stderr=stderr) as steps:
        steps.add(1)
        steps.start("reading")
        steps.out.write("a line above the bar\n")
    assert "a line above the bar" in stderr.getvalue()
    assert stdout.getvalue() == ""


def test_no_progress_elsewhere() -> None:
    stdout, stderr = StringIO(), StringIO()
    with progress("compute", stdout=stdout, stderr=stderr) as steps:
        steps.add(1)
        steps.start("reading")
        assert steps.out is stdout
    assert stderr.getvalue() == ""
    with progress("compute", stdout=stdout, stderr=Terminal(), quiet=True) as steps:
        steps.start("reading")
    assert stdout.getvalue() == ""
