"""Generated documentation stays in step with the code."""

from __future__ import annotations

import doctest
import re

from quartier import api_reference, environment
from quartier.cli_reference import WORKFLOW, command_help, commands, reference

from .conftest import PROJECT_DIR


def test_cli_reference_is_up_to_date() -> None:
    current = (PROJECT_DIR / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == reference(), "docs/cli.md is out of date: run `make docs`"


def test_every_command_of_quartier_is_in_the_reference() -> None:
    found = commands()
    assert set(WORKFLOW) <= set(found)
    assert {"compute", "import-data", "export-values", "demo"} <= set(found)
    assert "migrate" not in found  # Django's own commands are not quartier's


def test_the_readme_lists_every_environment_variable() -> None:
    current = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    assert current == environment.readme_with_table(current), "README.md: run `make docs`"


def test_every_environment_variable_the_code_reads_is_declared() -> None:
    declared = {variable.name for variable in environment.VARIABLES}
    named = set()
    for path in (PROJECT_DIR / "src" / "quartier").rglob("*.py"):
        named |= set(re.findall(r"\bQUARTIER_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    # Settings of the same name (QUARTIER_INDICATORS_FILE) are the variables' values.
    assert named <= declared, f"not declared in quartier.environment: {sorted(named - declared)}"


def test_every_command_has_a_usage_line() -> None:
    for name in commands():
        assert command_help(name).startswith(f"usage: quartier {name}")


def test_the_examples_of_the_environment_module() -> None:
    result = doctest.testmod(environment, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_the_api_reference_is_up_to_date() -> None:
    current = (PROJECT_DIR / "docs" / "api.md").read_text(encoding="utf-8")
    assert current == api_reference.reference(), "docs/api.md is out of date: run `make docs`"


def test_the_api_reference_lists_every_public_name_of_every_core_package() -> None:
    text = api_reference.reference()
    packages = api_reference.packages()
    assert {p.__name__.rsplit(".", 1)[-1] for p in packages} >= {"tables", "disclosure", "geo"}
    for package in packages:
        assert f"## `{package.__name__}`" in text
        missing = [name for name in package.__all__ if f"- `{name}" not in text]
        assert missing == [], package.__name__
    assert "- `read_table(path: Path, *, " in text
    assert " at 0x" not in text
