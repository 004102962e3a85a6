"""The `quartier` console script: Django's management commands with friendly names.

`quartier import-areas ...` runs the management command `import_areas`; hyphens are the
spelling users type (and the one usage lines and messages show), underscores are the module
names Python needs.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def command_name(spelled: str) -> str:
    """The module name of a command as users spell it: `import-areas` -> `import_areas`."""
    return spelled.replace("-", "_")


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. `quartier migrate` or `quartier import-areas FILE`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import ManagementUtility

    class Utility(ManagementUtility):
        # The command line keeps the user's spelling, so `usage:` lines say
        # `quartier import-areas`; only the lookup of the module uses underscores.
        def fetch_command(self, subcommand: str) -> Any:
            return super().fetch_command(command_name(subcommand))

    arguments = list(sys.argv if argv is None else argv)
    # `python -m quartier` would otherwise show itself as `__main__.py`.
    try:
        Utility(["quartier", *arguments[1:]]).execute()
    except ImproperlyConfigured as error:
        # A wrong environment variable: the message names it; a traceback would bury it.
        sys.stderr.write(f"quartier: {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
