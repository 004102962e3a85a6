"""Shared set-up of the monitoring tests."""

from __future__ import annotations

from collections.abc import Sequence
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from quartier.analysis.musterstadt import read_manifest


def load_musterstadt(folder: Path, years: Sequence[str]) -> None:
    """Generate Musterstadt into ``folder``, import it as a city would, compute ``years``."""
    call_command("generate_demo", seed=2026, out=folder, stdout=StringIO())
    manifest = read_manifest(folder)
    levels = [f"{level.key}:{level.name}" for level in manifest.levels]
    call_command("levels", *levels, verbosity=0)
    for item in manifest.areas:
        call_command(
            "import_areas", str(folder / item.file), "--level", item.level, "--code-field",
            item.code_field, "--name-field", item.name_field,
            *(["--parent-field", item.parent_field] if item.parent_field else []),
            verbosity=0,
        )  # fmt: skip
    for data in manifest.data:
        call_command(
            "import_data", str(folder / data.file), "--mapping", str(folder / data.mapping),
            stdout=StringIO(),
        )  # fmt: skip
    call_command("compute", *(arg for year in years for arg in ("--year", year)), stdout=StringIO())
