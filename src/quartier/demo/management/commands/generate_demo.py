"""`quartier generate-demo --seed N --out DIR`: write the synthetic city Musterstadt to a folder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.analysis.musterstadt import DEFAULT_SEED, generate


class Command(BaseCommand):
    help = (
        "Generate the synthetic demo city Musterstadt (areas as GeoJSON, population and social "
        "data as German CSV with import mappings, manifest.json) into a folder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"random seed; the same seed gives identical files (default {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--out", type=Path, required=True, help="folder to write into (created if missing)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} exists and is not a folder")
        started = time.perf_counter()
        manifest = generate(int(options["seed"]), out)
        seconds = time.perf_counter() - started
        files = len(manifest.areas) + 2 * len(manifest.data) + 2
        self.stdout.write(
            self.style.SUCCESS(
                f"Musterstadt (seed {manifest.seed}): {files} files written to {out} "
                f"in {seconds:.1f} s"
            )
        )
