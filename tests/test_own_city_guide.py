"""docs/own-city.md runs as written: its commands, in order, on the real Köln files.

Every ```sh block of the guide is run with bash, one after the other, in an empty folder that
stands for the project root (with `../shared` beside it, as in a checkout), so that the
database and the files the guide writes land in that folder; a ```text block right after a
```sh block is the output the guide shows, and the commands must print it (durations aside).
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import PROJECT_DIR, SHARED_DATA, require

GUIDE = PROJECT_DIR / "docs" / "own-city.md"
_BLOCK = re.compile(r"```(sh|text)\n(.*?)```", re.S)
# Durations vary from run to run; they are shown as "1.2 s" in the guide.
_SECONDS = re.compile(r"\b\d+(?:[.,]\d+)? s\b")


@dataclass
class Step:
    commands: str
    shown: str | None


def steps(text: str) -> list[Step]:
    """The guide's sh blocks, each with the text block that follows it (if any)."""
    found: list[Step] = []
    for kind, body in _BLOCK.findall(text):
        if kind == "sh":
            found.append(Step(body, None))
        elif found and found[-1].shown is None:
            found[-1].shown = body
    return found


def _normalised(output: str) -> str:
    return _SECONDS.sub("… s", output).strip()


def test_the_guide_has_commands_and_shows_their_output() -> None:
    found = steps(GUIDE.read_text(encoding="utf-8"))
    assert len(found) >= 5
    assert sum(step.shown is not None for step in found) >= 5
    assert "../shared/data/koeln/" in "".join(step.commands for step in found)


@dataclass
class Run:
    root: Path
    env: dict[str, str]
    failures: list[str]


@pytest.fixture(scope="module")
def guide_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    shared = SHARED_DATA
    require(shared.is_dir(), f"real city data not found at {shared}")
    base = tmp_path_factory.mktemp("guide")
    root = base / "quartier"
    root.mkdir()
    (base / "shared").symlink_to(shared.parent, target_is_directory=True)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("QUARTIER_") and not name.startswith("DJANGO_")
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    failures = []
    for number, step in enumerate(steps(GUIDE.read_text(encoding="utf-8")), start=1):
        result = _bash(step.commands, root, env)
        where = f"step {number} of docs/own-city.md:\n{step.commands}"
        output = result.stdout + result.stderr
        if result.returncode != 0:
            failures.append(f"{where}\nfailed with {result.returncode}:\n{output}")
            break
        if step.shown is not None and _normalised(output) != _normalised(step.shown):
            failures.append(f"{where}\nprinted:\n{output}\nthe guide shows:\n{step.shown}")
    return Run(root, env, failures)


def _bash(commands: str, root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", commands],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.shared_data
def test_the_guide_runs_as_written(guide_run: Run) -> None:
    assert guide_run.failures == []


def _shares_65plus_by_hand(level_codes: set[str], year: int) -> dict[str, float]:
    """The share of inhabitants aged 65 and over, by hand from Köln's own table."""
    total: dict[str, float] = {}
    old: dict[str, float] = {}
    path = SHARED_DATA / "koeln" / "bevoelkerung_2005-2012_long.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if int(row["jahr"]) != year or row["raum_id"] not in level_codes:
                continue
            if row["tabelle"] == "Einwohner in Köln":
                total[row["raum_id"]] = float(row["zahl"])
            elif row["zeile"] in ("65 - < 75", "75 und älter"):
                old[row["raum_id"]] = old.get(row["raum_id"], 0.0) + float(row["zahl"])
    return {code: 100 * old[code] / total[code] for code in total}


@pytest.mark.shared_data
@pytest.mark.parametrize("level", ["stadtteil", "stadtbezirk"])
def test_the_share_aged_65_and_over_is_the_hand_calculation(guide_run: Run, level: str) -> None:
    assert guide_run.failures == []
    out = guide_run.root / f"{level}.csv"
    result = _bash(
        "QUARTIER_INDICATORS_FILE=var/koeln/indikatoren.yaml quartier export-values "
        f"--indicator anteil_65plus --level {level} --year 2012 --view internal "
        f"--format csv --out {out}",
        guide_run.root,
        guide_run.env,
    )
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8") as handle:
        computed = {row["area"]: float(row["value"]) for row in csv.DictReader(handle)}
    expected = _shares_65plus_by_hand(set(computed), 2012)
    assert len(computed) == (86 if level == "stadtteil" else 9)
    assert computed == pytest.approx(expected, rel=1e-12)
