"""The examples in the docstrings of the analysis core run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import quartier.analysis

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(quartier.analysis.__path__, prefix="quartier.analysis.")
)


def test_every_module_is_found() -> None:
    assert {
        "quartier.analysis.tables._read",
        "quartier.analysis.tables",
        "quartier.analysis.disclosure",
    } <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
