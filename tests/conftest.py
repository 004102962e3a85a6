"""Shared fixtures.

Tests that need the real city files in ../shared/data or a service skip with a clear reason on a
developer's machine, but in CI (CI=true) a missing prerequisite is a failure, never a silent skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("QUARTIER_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip a test whose prerequisite is missing, but fail in CI where everything must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder with the real city files (Berlin, Köln)."""
    require(SHARED_DATA.is_dir(), f"real city data not found at {SHARED_DATA}")
    return SHARED_DATA
