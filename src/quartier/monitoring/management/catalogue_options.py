"""Command-line options shared by the commands that list the catalogue or check it against data."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from quartier.analysis.catalogue import Catalogue, CatalogueError, load_catalogue

__all__ = ["add_catalogue_options", "catalogue_of"]


def add_catalogue_options(parser: CommandParser) -> None:
    """`--catalogue FILE` (the city's file) and `--format text|csv`."""
    parser.add_argument(
        "--catalogue", type=Path, metavar="FILE", help="the city's catalogue file (YAML)"
    )
    parser.add_argument(
        "--format", choices=["text", "csv"], default="text", help="output format (text)"
    )


def catalogue_of(options: Mapping[str, Any]) -> Catalogue:
    """The shipped catalogue with the city's file (`--catalogue`, else QUARTIER_INDICATORS_FILE)."""
    try:
        return load_catalogue(options["catalogue"] or settings.QUARTIER_INDICATORS_FILE)
    except CatalogueError as error:
        raise CommandError(str(error)) from error
