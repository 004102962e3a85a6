"""`quartier demo [--no-serve] [--addrport HOST:PORT]`: generate Musterstadt, load it, serve.

The demo uses the same commands users run (levels, import-areas, import-data), so it doubles as
a worked example of a city's first import. On a terminal a progress bar shows its steps.
"""

from __future__ import annotations

import errno
import socket
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.commands.runserver import naiveip_re

from quartier.analysis.musterstadt import DEFAULT_SEED, Manifest, read_manifest
from quartier.cli import Steps, progress
from quartier.monitoring.services import COMPUTE_STEPS

DEFAULT_ADDRPORT = "127.0.0.1:8000"
# Usage errors exit with 2, as argparse does for a malformed command line.
USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Create the synthetic demo city Musterstadt, import it and start the web server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--dir", type=Path, default=None, help="where to write the files (default var/demo)"
        )
        parser.add_argument("--no-serve", action="store_true", help="load only, do not serve")
        parser.add_argument(
            "--addrport",
            default=DEFAULT_ADDRPORT,
            metavar="HOST:PORT",
            help=f"where to serve, a port or HOST:PORT (default {DEFAULT_ADDRPORT})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        addrport = options["addrport"]
        if not options["no_serve"]:
            check_addrport(addrport)
        folder: Path = options["dir"] or Path(settings.VAR_DIR) / "demo"
        with progress("Musterstadt", stdout=self.stdout, stderr=self.stderr) as steps:
            steps.add(2)
            steps.start("setting up the database")
            call_command("migrate", interactive=False, verbosity=0)
            steps.start("generating the files")
            steps.out.write(f"Generating Musterstadt (synthetic data, seed {options['seed']})\n")
            call_command("generate_demo", seed=options["seed"], out=folder, stdout=steps.out)
            self._load(folder, read_manifest(folder), steps)
        self.stdout.write(f"Musterstadt loaded in {time.perf_counter() - started:.1f} s")
        if not options["no_serve"]:
            self.stdout.write(f"Serving on http://{_shown(addrport)}/ (Ctrl+C stops)")
            call_command("runserver", addrport, use_reloader=False)

    def _load(self, folder: Path, manifest: Manifest, steps: Steps) -> None:
        steps.add(1 + len(manifest.areas) + len(manifest.data) + len(COMPUTE_STEPS))
        steps.start("defining the levels")
        levels = [f"{level.key}:{level.name}" for level in manifest.levels]
        call_command("levels", *levels, stdout=steps.out)
        for area_file in manifest.areas:
            steps.start(f"importing {area_file.file}")
            arguments = [
                str(folder / area_file.file),
                "--level", area_file.level,
                "--code-field", area_file.code_field,
                "--name-field", area_file.name_field,
            ]  # fmt: skip
            if area_file.parent_field:
                arguments += ["--parent-field", area_file.parent_field]
            call_command("import_areas", *arguments, stdout=steps.out)
        for data_file in manifest.data:
            steps.start(f"importing {data_file.file}")
            mapping = str(folder / data_file.mapping)
            call_command(
                "import_data",
                str(folder / data_file.file),
                "--mapping",
                mapping,
                stdout=steps.out,
            )
        call_command("compute", stdout=steps.out, progress=steps.start)


def check_addrport(addrport: str) -> None:
    """Stop before the long load when the server could not start: a bad or busy address."""
    match = naiveip_re.match(addrport)
    if match is None:
        raise CommandError(
            f"--addrport {addrport!r}: give a port (8000) or HOST:PORT (127.0.0.1:8000)",
            returncode=USAGE_ERROR,
        )
    host = (match["addr"] or "127.0.0.1").strip("[]")
    port = int(match["port"])
    if not 0 < port < 65536:
        raise CommandError(
            f"--addrport {addrport}: the port must be from 1 to 65535", returncode=USAGE_ERROR
        )
    family = socket.AF_INET6 if match["ipv6"] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            reason = "in use" if error.errno == errno.EADDRINUSE else error.strerror
            raise CommandError(
                f"--addrport {addrport}: cannot serve there ({reason}); give another port, "
                f"e.g. --addrport {host}:{port + 1} (make demo PORT={port + 1})",
                returncode=USAGE_ERROR,
            ) from error


def _shown(addrport: str) -> str:
    """The address as a browser takes it: a bare port is served on 127.0.0.1."""
    return f"127.0.0.1:{addrport}" if addrport.isdigit() else addrport
