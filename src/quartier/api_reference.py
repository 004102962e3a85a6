"""Generate docs/api.md, the reference of the analysis core's public API, from the code.

Each package of `quartier.analysis` is listed with its summary and every name of its
`__all__`: functions and classes with their signature and the first line of their docstring.
Run `make docs` after changing a public API; a test fails while docs/api.md is out of date.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import quartier.analysis

INTRO = """\
# The analysis core: public API

Generated from the packages' `__all__` and docstrings by `make docs`; do not edit by hand.
Everything outside the core imports these names from the package roots only (see
[architecture.md](architecture.md)); the full docstrings, with parameters and examples, are in
the code.
"""


def packages() -> list[ModuleType]:
    """The packages of the analysis core, in the order of their names."""
    names = sorted(
        info.name for info in pkgutil.iter_modules(quartier.analysis.__path__) if info.ispkg
    )
    return [importlib.import_module(f"quartier.analysis.{name}") for name in names]


def _summary(thing: object) -> str:
    doc = inspect.getdoc(thing) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _entry(name: str, thing: object) -> str:
    if inspect.isclass(thing):
        kind = "exception" if issubclass(thing, BaseException) else "class"
        return f"- `{name}` ({kind}): {_summary(thing)}"
    if inspect.isfunction(thing):
        return f"- `{name}{_signature(thing)}`: {_summary(thing)}"
    return f"- `{name}` (constant)"


def _signature(function: object) -> str:
    """The signature as written in the code: annotations as text, defaults by name."""
    signature = inspect.signature(function)  # type: ignore[arg-type]
    parameters = []
    star = False
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.KEYWORD_ONLY and not star:
            parameters.append("*")
            star = True
        star = star or parameter.kind is parameter.VAR_POSITIONAL
        prefix = {"VAR_POSITIONAL": "*", "VAR_KEYWORD": "**"}.get(parameter.kind.name, "")
        text = prefix + parameter.name
        if parameter.annotation is not parameter.empty:
            text += f": {_text(parameter.annotation)}"
        if parameter.default is not parameter.empty:
            text += f" = {_default(parameter.default)}"
        parameters.append(text)
    returned = signature.return_annotation
    arrow = "" if returned is signature.empty else f" -> {_text(returned)}"
    return f"({', '.join(parameters)}){arrow}"


def _text(annotation: object) -> str:
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def _default(value: object) -> str:
    if inspect.isfunction(value) or inspect.isclass(value):
        return value.__name__
    return repr(value)


def reference() -> str:
    """The text of docs/api.md."""
    parts = [INTRO]
    for package in packages():
        parts.append(f"## `{package.__name__}`\n\n{_summary(package)}\n")
        entries = [_entry(name, getattr(package, name)) for name in sorted(package.__all__)]
        parts.append("\n".join(entries) + "\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(reference(), end="")
