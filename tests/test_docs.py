"""Generated documentation stays in step with the code."""

from __future__ import annotations

from quartier.cli_reference import COMMANDS, command_help, reference

from .conftest import PROJECT_DIR


def test_cli_reference_is_up_to_date() -> None:
    current = (PROJECT_DIR / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == reference(), "docs/cli.md is out of date: run `make docs`"


def test_every_command_has_a_usage_line() -> None:
    for name in COMMANDS:
        assert command_help(name).startswith(f"usage: quartier {name}")
