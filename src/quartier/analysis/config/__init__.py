r"""Configuration files (YAML): one reader whose errors name the file, the line and the key path.

The indicator catalogue, the index methods and the mapping files of tables are all read here:

- `read_yaml` reads a file into a `Document`: its content and the line of every key and list
  item. A file that cannot be read, is not UTF-8 YAML, is empty or gives a key twice in one
  mapping is an error.
- `validate` checks a document (or a part of it) against a pydantic model, usually a
  `ConfigModel`: no unknown keys, no silently converted types. The first problem becomes one
  `ConfigError` naming the file, the line and the place (the reader's words for the key path,
  `key_path` by default).
- `Document.error` gives the same error for the checks of a reader that a model cannot express
  (an indicator's domain must be a known one).
- `one_or_many` and `number_as_text` prepare values for a model (``BeforeValidator``).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from pydantic import Field
>>> class Method(ConfigModel):
...     min_population: float = Field(ge=0)
...     status_cuts: list[float]
>>> path = Path(tempfile.mkdtemp()) / "methods.yaml"
>>> _ = path.write_text(
...     "min_population: 300\nstatus_cuts:\n  - -1\n  - eins\n", encoding="utf-8"
... )
>>> document = read_yaml(path, what="the methods")
>>> try:
...     validate(document, Method)
... except ConfigError as error:
...     print(error)
methods.yaml, line 4, status_cuts (item 2): must be a number, not 'eins'
"""

from __future__ import annotations

from quartier.analysis.config._errors import ConfigError, Describe, Document, Loc, key_path
from quartier.analysis.config._models import ConfigModel, number_as_text, one_or_many, validate
from quartier.analysis.config._yaml import read_yaml

__all__ = [
    "ConfigError",
    "ConfigModel",
    "Describe",
    "Document",
    "Loc",
    "key_path",
    "number_as_text",
    "one_or_many",
    "read_yaml",
    "validate",
]
