"""Musterstadt: a deterministic synthetic city for demos, tests and training.

About 600,000 inhabitants in 12 Stadtbezirke, 39 Sozialräume and 170 statistische Bezirke,
with population and social data for 2008 to 2025 in the formats a German city publishes. A
planted story (two Sozialräume catch up, two fall behind) gives the monitoring something to find.
The same seed always gives byte-identical files.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as folder:
...     manifest = generate(2026, Path(folder))
...     sorted(p.name for p in Path(folder).iterdir())[:3]
['README.txt', 'bevoelkerung.csv', 'manifest.json']
>>> [level.key for level in manifest.levels]
['stadt', 'stadtbezirk', 'sozialraum', 'statistischer_bezirk']
"""

from __future__ import annotations

from pathlib import Path

from quartier.analysis.musterstadt._example import Example, load_example, write_example
from quartier.analysis.musterstadt._export import export_city
from quartier.analysis.musterstadt._manifest import (
    AreaFileSpec,
    DataFileSpec,
    DecliningArea,
    ImprovingArea,
    LevelSpec,
    Manifest,
    Story,
    read_manifest,
)
from quartier.analysis.musterstadt._simulate import simulate_city

DEFAULT_SEED = 2026

__all__ = [
    "DEFAULT_SEED",
    "AreaFileSpec",
    "DataFileSpec",
    "DecliningArea",
    "Example",
    "ImprovingArea",
    "LevelSpec",
    "Manifest",
    "Story",
    "generate",
    "load_example",
    "read_manifest",
    "write_example",
]


def generate(seed: int, out: Path) -> Manifest:
    """Generate Musterstadt from `seed` into the folder `out` and return its manifest.

    Existing files of the same names in `out` are overwritten; other files are left alone.
    """
    return export_city(simulate_city(seed), out)
