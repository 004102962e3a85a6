"""The `quartier` console script: Django's management commands with friendly names.

`quartier import-areas ...` runs the management command `import_areas`; hyphens are the
spelling users type, underscores are the module names Python needs.
"""

from __future__ import annotations

import os
import sys


def _normalise(argv: list[str]) -> list[str]:
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv = [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. `quartier migrate` or `quartier import-areas FILE`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(_normalise(list(sys.argv if argv is None else argv)))


if __name__ == "__main__":
    main()
