"""Invented German-sounding place names for the areas of Musterstadt."""

from __future__ import annotations

import numpy as np

# Stadtbezirke: three inner-city districts, then nine outer districts clockwise from north-east.
# Each entry: code, name, elliptic radius and direction (degrees, 0 = east) of its centre.
STADTBEZIRKE: tuple[tuple[str, str, float, float], ...] = (
    ("01", "Innenstadt-West", 0.2, 210.0),
    ("02", "Innenstadt-Nord", 0.2, 90.0),
    ("03", "Innenstadt-Ost", 0.2, 330.0),
    ("04", "Zechenfeld", 0.68, 70.0),
    ("05", "Mühlenbach", 0.68, 30.0),
    ("06", "Ostwiesen", 0.68, 350.0),
    ("07", "Seetal", 0.68, 310.0),
    ("08", "Sonnenhang", 0.68, 270.0),
    ("09", "Buchenhöhe", 0.68, 230.0),
    ("10", "Westerkamp", 0.68, 190.0),
    ("11", "Hafen", 0.68, 150.0),
    ("12", "Nordheide", 0.68, 110.0),
)

_STEMS = (
    "Linden", "Eichen", "Buchen", "Erlen", "Ulmen", "Tannen", "Fichten", "Holunder", "Rosen",
    "Mühlen", "Brunnen", "Wiesen", "Kirch", "Schloss", "Burg", "Markt", "Zechen", "Hütten",
    "Kohl", "Sonnen", "Stein", "Sand", "Weiden", "Hasen", "Fuchs", "Kranich", "Falken",
    "Lerchen", "Amsel", "Kastanien", "Ahorn", "Eschen", "Hagedorn", "Moos", "Alten", "Neuen",
    "Ober", "Nieder", "Hohen", "Grün", "Kreuz", "Schmiede", "Ziegel", "Hammer", "Kalk",
    "Wasser", "Quellen", "Wolfs", "Raben", "Drossel",
)  # fmt: skip
_SUFFIXES = (
    "feld", "hof", "berg", "heide", "bruch", "dorf", "kamp", "busch", "horst", "winkel",
    "hagen", "siepen", "brink", "mark", "beck", "holz", "tal", "wiese", "rode", "stein",
)  # fmt: skip


def place_names(rng: np.random.Generator, count: int) -> list[str]:
    """`count` distinct names such as "Lindenkamp" or "Hammerbruch", in random order."""
    stems = np.array(_STEMS)[rng.permutation(len(_STEMS))]
    suffixes = np.array(_SUFFIXES)[rng.permutation(len(_SUFFIXES))]
    taken = {name for _, name, _, _ in STADTBEZIRKE}
    names: list[str] = []
    for offset in range(len(_SUFFIXES)):
        for index, stem in enumerate(stems):
            suffix = str(suffixes[(index + offset) % len(suffixes)])
            name = f"{stem}{suffix}"
            if stem.lower().endswith(suffix) or name in taken:
                continue
            taken.add(name)
            names.append(name)
            if len(names) == count:
                return names
    raise ValueError(f"cannot invent {count} distinct names")
