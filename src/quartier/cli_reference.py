"""Generate docs/cli.md from the `--help` of quartier's own commands, so the docs cannot drift.

The commands are those Django finds in quartier's apps (`commands`), in the order of a
planner's work where `WORKFLOW` names them, any others after them. Run `make docs` after
changing a command; a test fails while docs/cli.md is out of date.
"""

from __future__ import annotations

import os
from io import StringIO

# The order of a planner's work: areas, tables, indicators, results, the demo, and the reset
# that clears the demo away for the city's own data.
WORKFLOW = [
    "levels",
    "import-areas",
    "derive-level",
    "export-areas",
    "inspect",
    "convert",
    "import-data",
    "index",
    "indicators",
    "catalogue-fit",
    "compute",
    "aktionsraeume",
    "export-values",
    "generate-demo",
    "demo",
    "reset",
]
# argparse wraps help text to the terminal width; a fixed width makes the output reproducible.
WIDTH = "100"


def commands() -> list[str]:
    """quartier's own commands as users type them, in the order of `WORKFLOW`."""
    from django.core.management import get_commands

    ours = {
        name.replace("_", "-")
        for name, app in get_commands().items()
        if str(app).startswith("quartier.")
    }
    known = [name for name in WORKFLOW if name in ours]
    return known + sorted(ours - set(known))


def command_help(name: str) -> str:
    """The `--help` text of one command, as `quartier NAME --help` prints it."""
    from django.core.management import load_command_class

    os.environ["COLUMNS"] = WIDTH
    command = load_command_class(_app_of(name), name.replace("-", "_"))
    parser = command.create_parser("quartier", name)
    out = StringIO()
    parser.print_help(out)
    return out.getvalue().rstrip() + "\n"


def _app_of(name: str) -> str:
    from django.core.management import get_commands

    return str(get_commands()[name.replace("-", "_")])


def reference() -> str:
    """The whole CLI reference as Markdown."""
    parts = [
        "# Command reference\n",
        "Generated from `quartier COMMAND --help` by `make docs`; do not edit by hand.\n",
    ]
    for name in commands():
        parts.append(f"\n## quartier {name}\n\n```text\n{command_help(name)}```\n")
    return "".join(parts)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")
    django.setup()
    print(reference(), end="")
