"""The `quartier` console script: Django's management commands with friendly names.

`quartier import-areas ...` runs the management command `import_areas`; hyphens are the
spelling users type (and the one usage lines and messages show), underscores are the module
names Python needs.

A mistake of the user's never ends in a traceback: a wrong environment variable, a database
that cannot be reached, is not set up yet or is locked by another process each give one line
that says what to do (exit code 2 for the configuration, 1 for a database busy elsewhere).
`quartier --help` lists the commands without loading the apps, so it answers at once. The
commands that read and write only files (`WITHOUT_DATABASE`) run without setting Django up:
loading the apps' models and admin would cost them a third of a second per start.

Long commands show their steps as a progress bar on a terminal (`progress`) and nothing of it
elsewhere, so logs and pipes get only the commands' own lines.
"""

from __future__ import annotations

import importlib.util
import io
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from django.db.utils import DatabaseError, OperationalError

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

# Exit codes: a configuration to correct (as argparse's usage errors), a run to repeat later.
CONFIGURATION_ERROR = 2
RUN_ERROR = 1
# The overview of the commands: `quartier`, `quartier help`, `quartier --help`.
OVERVIEW: tuple[list[str], ...] = ([], ["help"], ["--help"], ["-h"], ["help", "--commands"])
# An SQLite statement that finds the database locked waits this long before it is retried
# (and the waiting is reported), up to the database's timeout (QUARTIER_LOCK_TIMEOUT).
LOCK_ATTEMPT_MS = 1000
# Commands that need neither the database nor the apps, by the app they belong to. They declare
# no system checks (`requires_system_checks = []`), which would need the apps.
WITHOUT_DATABASE = {
    "index": "quartier.monitoring",
    "inspect": "quartier.monitoring",
    "convert": "quartier.monitoring",
}
# Messages of connection failures for which the likely cause is a server that is not running.
NOT_RUNNING = ("refused", "no such file", "resolve", "timed out", "timeout", "not known")


def command_name(spelled: str) -> str:
    """The module name of a command as users spell it: `import-areas` -> `import_areas`."""
    return spelled.replace("-", "_")


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. `quartier migrate` or `quartier import-areas FILE`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")
    from django.core.exceptions import ImproperlyConfigured

    # `python -m quartier` would otherwise show itself as `__main__.py`.
    arguments = list(sys.argv if argv is None else argv)[1:]
    try:
        if arguments in OVERVIEW:
            sys.stdout.write(overview(names_only="--commands" in arguments))
            return
        _run(arguments)
    except BrokenPipeError:
        # The reader went away (`quartier aktionsraeume ... | head`): no more output, no trace.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(RUN_ERROR)
    except ImproperlyConfigured as error:
        # A wrong environment variable: the message names it; a traceback would bury it.
        _stop(str(error), CONFIGURATION_ERROR)
    except DatabaseError as error:
        problem = database_problem(error)
        if problem is None:
            raise
        _stop(*problem)


def _run(arguments: list[str]) -> None:
    from django.conf import settings

    settings.INSTALLED_APPS  # noqa: B018 (reads the settings: a bad variable stops here)
    name = command_name(arguments[0]) if arguments else ""
    if name in WITHOUT_DATABASE:
        _run_without_apps(name, arguments)
        return
    _run_with_apps(arguments)


def _run_without_apps(name: str, arguments: list[str]) -> None:
    module = importlib.import_module(f"{WITHOUT_DATABASE[name]}.management.commands.{name}")
    module.Command().run_from_argv(["quartier", *arguments])


def _run_with_apps(arguments: list[str]) -> None:
    from django.core.management import ManagementUtility
    from django.db.backends.signals import connection_created

    class Utility(ManagementUtility):
        # The command line keeps the user's spelling, so `usage:` lines say
        # `quartier import-areas`; only the lookup of the module uses underscores.
        def fetch_command(self, subcommand: str) -> Any:
            return super().fetch_command(command_name(subcommand))

    connection_created.connect(wait_while_locked, dispatch_uid="quartier.cli.wait_while_locked")
    Utility(["quartier", *arguments]).execute()


def _stop(message: str, code: int) -> None:
    sys.stderr.write(f"quartier: {message}\n")
    sys.exit(code)


# --- the overview of the commands -------------------------------------------------------------


def overview(*, names_only: bool = False) -> str:
    """What `quartier --help` prints: quartier's commands in the order of work, then Django's.

    The commands are found in the apps' folders, as Django finds them, but without loading the
    apps (their models import the analysis core), so the overview costs no more than the
    settings.
    """
    from quartier.cli_reference import WORKFLOW

    by_app = _commands_by_app()
    ours = {name.replace("_", "-") for name, app in by_app.items() if app.startswith("quartier.")}
    ordered = [name for name in WORKFLOW if name in ours] + sorted(ours - set(WORKFLOW))
    theirs: dict[str, list[str]] = {}
    for name, app in by_app.items():
        if not app.startswith("quartier."):
            label = "django" if app == "django.core" else app.rpartition(".")[2]
            theirs.setdefault(label, []).append(name)
    if names_only:
        return "\n".join(sorted([*ours, *(n for names in theirs.values() for n in names)])) + "\n"
    lines = [
        "",
        "Type 'quartier help COMMAND' or 'quartier COMMAND --help' for help on a command.",
        "",
        "Available commands:",
        "",
        "[quartier]",
        *(f"    {name}" for name in ordered),
    ]
    for app in sorted(theirs):
        lines += ["", f"[{app}]", *(f"    {name}" for name in sorted(theirs[app]))]
    return "\n".join(lines) + "\n"


def _commands_by_app() -> dict[str, str]:
    """Command name -> app, as `django.core.management.get_commands` gives it."""
    import django.core.management as management
    from django.conf import settings

    commands = dict.fromkeys(management.find_commands(management.__path__[0]), "django.core")
    # The first app that has a command of a name wins, as in Django.
    for app in reversed(settings.INSTALLED_APPS):
        spec = importlib.util.find_spec(app)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            found = management.find_commands(os.path.join(folder, "management"))
            commands.update(dict.fromkeys(found, app))
    return commands


# --- database problems ------------------------------------------------------------------------


def database_problem(error: DatabaseError) -> tuple[str, int] | None:
    """The message and exit code for a database error the user can settle, else None."""
    from django.db import connection

    text = str(error)
    if isinstance(error, DatabaseLockedError):
        return text, RUN_ERROR
    if "database is locked" in text:
        where = _where(connection)
        return f"the database is locked by another quartier process: {where}", RUN_ERROR
    # The command has closed its connection by now; connecting again tells whether it can.
    try:
        connection.ensure_connection()
    except DatabaseError as again:
        return _unreachable(connection, str(again)), CONFIGURATION_ERROR
    migrations = _migrations(connection)
    if migrations is None:
        return None
    applied, missing = migrations
    if not applied:
        return "database not set up: run quartier migrate", CONFIGURATION_ERROR
    if missing:
        return (
            f"database not up to date ({missing} migrations not applied): run quartier migrate",
            CONFIGURATION_ERROR,
        )
    return None


def _where(connection: BaseDatabaseWrapper) -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(config["NAME"])
    host = config.get("HOST") or "localhost (local socket)"
    return f"{host}:{config.get('PORT') or 5432}"


def _unreachable(connection: BaseDatabaseWrapper, text: str) -> str:
    """`cannot connect to the database at HOST:PORT (REASON); ...`, from the driver's message."""
    reason = text.strip().splitlines()[0] if text.strip() else "no reason given"
    for prefix in ("connection failed: ", "connection is bad: "):
        reason = reason.removeprefix(prefix)
    reason = " ".join(reason.rpartition(" failed: ")[2].replace("FATAL:", "").split())
    if connection.vendor == "sqlite":
        return (
            f"cannot open the database file {_where(connection)} ({reason}); does its folder "
            "exist, and may quartier write to it? (QUARTIER_DATABASE_URL)"
        )
    if any(word in reason.lower() for word in NOT_RUNNING):
        advice = "is the server running?"
    else:
        advice = "check the user, password and database name in QUARTIER_DATABASE_URL"
    return f"cannot connect to the database at {_where(connection)} ({reason}); {advice}"


def _migrations(connection: BaseDatabaseWrapper) -> tuple[int, int] | None:
    """How many migrations the database has applied and how many it lacks (None: unknown)."""
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return None
    return len(executor.loader.applied_migrations or {}), len(plan)


class DatabaseLockedError(OperationalError):
    """The SQLite database stayed locked by another process for longer than the timeout."""


def wait_while_locked(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """On a new SQLite connection: retry a statement that finds the database locked.

    SQLite waits for a lock by itself (the busy timeout); here it waits one second at a time,
    so that the waiting is reported once and the command goes on when the lock is released,
    until the database's timeout has passed.
    """
    if connection.vendor != "sqlite":
        return
    connection.connection.execute(f"PRAGMA busy_timeout = {LOCK_ATTEMPT_MS}")
    if not any(isinstance(wrapper, LockWait) for wrapper in connection.execute_wrappers):
        seconds = float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        connection.execute_wrappers.append(LockWait(_where(connection), seconds))


class LockWait:
    """An execute wrapper that retries a statement while the database is locked."""

    def __init__(self, name: str, seconds: float, stderr: IO[str] | None = None) -> None:
        self.name, self.seconds, self.stderr = name, seconds, stderr or sys.stderr
        self.told = False

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started: float | None = None
        while True:
            try:
                return execute(sql, params, many, context)
            except OperationalError as error:
                if "database is locked" not in str(error):
                    raise
                now = time.monotonic()
                started = now if started is None else started
                if now - started >= self.seconds:
                    raise DatabaseLockedError(
                        f"the database is locked by another quartier process: {self.name}; "
                        f"waited {self.seconds:g} s (QUARTIER_LOCK_TIMEOUT), try again when it "
                        "has finished"
                    ) from error
                if not self.told:
                    self.told = True
                    self.stderr.write(
                        "quartier: the database is locked by another quartier process; "
                        f"waiting up to {self.seconds:g} s (QUARTIER_LOCK_TIMEOUT)\n"
                    )


# --- progress ---------------------------------------------------------------------------------


class Steps:
    """The steps of a long command; `start` shows the next one (on a terminal only).

    `out` is where the command's own lines go while the bar is shown: above the bar on a
    terminal, the command's output stream unchanged elsewhere.
    """

    def __init__(self, out: Any, bar: Any = None, title: str = "") -> None:
        self.out, self.bar, self.title = out, bar, title
        self.started = self.total = 0
        self.task: Any = bar.add_task(title, total=None) if bar is not None else None

    def add(self, count: int) -> None:
        """Announce `count` more steps."""
        self.total += count
        if self.bar is not None:
            self.bar.update(self.task, total=self.total)

    def start(self, description: str) -> None:
        """The previous step is done; `description` is the one that starts now."""
        self.started += 1
        if self.bar is not None:
            shown = f"{self.title}: {description}"
            self.bar.update(self.task, completed=self.started - 1, description=shown)


def is_terminal(stream: Any) -> bool:
    """Whether a stream (or Django's wrapper of one) is a terminal."""
    isatty = getattr(stream, "isatty", None)
    return bool(callable(isatty) and isatty())


@contextmanager
def progress(title: str, *, stdout: Any, stderr: Any, quiet: bool = False) -> Iterator[Steps]:
    """A progress bar on `stderr` when it is a terminal; `Steps` that show nothing otherwise.

    `quiet` shows nothing either: a caller's own bar already shows the steps.
    """
    if quiet or not is_terminal(stderr):
        yield Steps(stdout)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(file=getattr(stderr, "_out", stderr), force_terminal=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(
        *columns, TimeElapsedColumn(), console=console, transient=True, redirect_stdout=False
    ) as bar:
        out = AboveTheBar(console) if is_terminal(stdout) else stdout
        steps = Steps(out, bar, title)
        yield steps
        out.flush()
        bar.update(steps.task, completed=steps.total)


class AboveTheBar(io.TextIOBase):
    """A terminal's output stream while a progress bar is shown: whole lines go above the bar."""

    def __init__(self, console: Any) -> None:
        self.console = console
        self.pending = ""

    def write(self, text: str) -> int:
        from rich.text import Text

        *lines, self.pending = (self.pending + text).split("\n")
        for line in lines:
            # As the line was written: no wrapping, Django's colours kept.
            self.console.print(Text.from_ansi(line), soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self.write("\n")

    def isatty(self) -> bool:
        return True


if __name__ == "__main__":
    main()
