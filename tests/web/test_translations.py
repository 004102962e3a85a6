"""The message catalogues: English is complete, and each committed .mo matches its .po.

A fresh machine needs no gettext because the compiled .mo files are committed; these tests catch
a .po edited without running `quartier compilemessages` afterwards.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

import quartier

LOCALE = Path(quartier.__file__).parent / "locale"
ENTRY_FIELD = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[(\d+)\])?) (".*")$')

Key = str | tuple[str, int]


def po_entries(path: Path) -> dict[Key, str]:
    """The translated entries of a .po file, keyed like Python's gettext catalogue."""
    entries: dict[Key, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields: dict[str, str] = {}
        current = ""
        for line in lines:
            match = ENTRY_FIELD.match(line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(3))
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
        msgid = fields.get("msgid", "")
        if not msgid:
            continue
        for name, value in fields.items():
            if name == "msgstr":
                entries[msgid] = value
            elif name.startswith("msgstr["):
                entries[(msgid, int(name[7:-1]))] = value
    return entries


def mo_catalogue(path: Path) -> dict[Key, str]:
    with path.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    catalogue: dict[Key, str] = translations._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in catalogue.items() if key != ""}


@pytest.mark.parametrize("language", ["de", "en"])
def test_compiled_catalogue_matches_the_source(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    translated = {key: value for key, value in po_entries(folder / "django.po").items() if value}

    assert mo_catalogue(folder / "django.mo") == translated


def test_english_catalogue_is_complete() -> None:
    entries = po_entries(LOCALE / "en" / "LC_MESSAGES" / "django.po")

    assert len(entries) > 60
    assert [key for key, value in entries.items() if not value] == []


def test_english_keeps_the_placeholders() -> None:
    entries = po_entries(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    placeholder = re.compile(r"%\(\w+\)s")

    for key, value in entries.items():
        msgid = key if isinstance(key, str) else key[0]
        assert sorted(placeholder.findall(value)) == sorted(placeholder.findall(msgid)), key
