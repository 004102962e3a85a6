"""`quartier demo [--no-serve]`: generate Musterstadt, load it like a city would, and serve.

The demo uses the same commands users run (levels, import-areas, import-data), so it doubles as
a worked example of a city's first import.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from quartier.analysis.musterstadt import DEFAULT_SEED, Manifest, read_manifest


class Command(BaseCommand):
    help = "Create the synthetic demo city Musterstadt, import it and start the web server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--dir", type=Path, default=None, help="where to write the files (default var/demo)"
        )
        parser.add_argument("--no-serve", action="store_true", help="load only, do not serve")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        folder: Path = options["dir"] or Path(settings.VAR_DIR) / "demo"
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Generating Musterstadt (synthetic data, seed {options['seed']})")
        call_command("generate_demo", seed=options["seed"], out=folder, stdout=self.stdout)
        self._load(folder, read_manifest(folder))
        call_command("compute", stdout=self.stdout)
        self.stdout.write(f"Musterstadt loaded in {time.perf_counter() - started:.1f} s")
        if not options["no_serve"]:
            self.stdout.write(f"Serving on http://{options['addrport']}/ (Ctrl+C stops)")
            call_command("runserver", options["addrport"], use_reloader=False)

    def _load(self, folder: Path, manifest: Manifest) -> None:
        levels = [f"{level.key}:{level.name}" for level in manifest.levels]
        call_command("levels", *levels, stdout=self.stdout)
        for area_file in manifest.areas:
            arguments = [
                str(folder / area_file.file),
                "--level", area_file.level,
                "--code-field", area_file.code_field,
                "--name-field", area_file.name_field,
            ]  # fmt: skip
            if area_file.parent_field:
                arguments += ["--parent-field", area_file.parent_field]
            call_command("import_areas", *arguments, stdout=self.stdout)
        for data_file in manifest.data:
            mapping = str(folder / data_file.mapping)
            call_command(
                "import_data",
                str(folder / data_file.file),
                "--mapping",
                mapping,
                stdout=self.stdout,
            )
