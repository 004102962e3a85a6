"""pydantic's validation errors as problems in the words of a configuration file."""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from quartier.analysis.config._errors import Loc

__all__ = ["first_problem", "shown"]

_WHOLE = "a whole number"
_KEYS_AND_VALUES = "a set of keys and values"
# What a value must be, by pydantic's error type.
_EXPECTED = {
    "int_type": _WHOLE,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "string_type": "a text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "dict_type": _KEYS_AND_VALUES,
    "model_type": _KEYS_AND_VALUES,
    "model_attributes_type": _KEYS_AND_VALUES,
    "literal_error": "one of",
}
# A limit that was not kept: pydantic's error type -> its words.
_LIMITS = {
    "greater_than": "more than",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "less_than_equal": "at most",
}
# The lower limit of a whole number, named when its type is wrong.
_LOWER = {annotated_types.Gt: ("gt", "more than"), annotated_types.Ge: ("ge", "at least")}


def first_problem(model: type[BaseModel], error: ValidationError) -> tuple[Loc, Loc, str]:
    """The first problem of a validation: the place it is about, the place of its line, the text.

    An unknown key comes first: a misspelt key is also a missing one, and the unknown key is
    the one to correct.
    """
    errors = sorted(error.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    return _problem(model, errors[0])


def shown(value: Any) -> str:
    """A value as a message quotes it: texts and numbers as written, lists and mappings named.

    Examples
    --------
    >>> shown("300"), shown(1.5), shown([1, 2]), shown({"a": 1})
    ("'300'", '1.5', 'a list', 'a set of keys and values')
    """
    if isinstance(value, dict):
        return _KEYS_AND_VALUES
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem(model: type[BaseModel], error: ErrorDetails) -> tuple[Loc, Loc, str]:
    loc: Loc = tuple(error["loc"])
    if loc and loc[-1] == "[key]":  # a key of a mapping is wrong: its own line and place
        loc = loc[:-1]
    kind = error["type"]
    if kind in ("extra_forbidden", "missing"):
        parent = loc[:-1]
        section = _model(_walk(model, parent)[0])
        noun = getattr(section, "key_noun", "key")
        name = repr(str(loc[-1]))
        if kind == "missing":
            return parent, parent, f"the {noun} {name} is missing"
        return parent, loc, f"unknown {noun} {name}{_known(section)}"
    if kind in ("value_error", "assertion_error") and "error" in error.get("ctx", {}):
        return loc, loc, str(error["ctx"]["error"])
    if kind == "string_too_short":
        return loc, loc, "must not be empty"
    if kind == "too_short":
        return loc, loc, f"must have at least {error.get('ctx', {}).get('min_length')} entries"
    expected = _expected(model, loc, error)
    if expected is None:
        message = error["msg"]
        return loc, loc, message[:1].lower() + message[1:]
    return loc, loc, f"must be {expected}, not {shown(error['input'])}"


def _expected(model: type[BaseModel], loc: Loc, error: ErrorDetails) -> str | None:
    """What the value must be, in words; None if the error type is not known here."""
    kind = error["type"]
    annotation, field = _walk(model, loc)
    if field is not None and field.description and kind in _EXPECTED:
        return field.description
    if kind in _LIMITS:
        limit = _number(next(iter(error.get("ctx", {}).values()), None))
        if _bare(annotation) is int:
            return _whole(_LIMITS[kind], limit)
        return f"{_LIMITS[kind]} {limit}"
    if kind == "literal_error":
        choices = get_args(_bare(annotation)) if get_origin(_bare(annotation)) is Literal else ()
        listed = ", ".join(map(str, choices)) or error.get("ctx", {}).get("expected", "")
        return f"one of {listed}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _KEYS_AND_VALUES + _known(_model(annotation))
    if _EXPECTED.get(kind) == _WHOLE and field is not None:
        for limit in field.metadata:
            if type(limit) in _LOWER:
                name, words = _LOWER[type(limit)]
                return _whole(words, _number(getattr(limit, name)))
    return _EXPECTED.get(kind)


def _whole(words: str, limit: object) -> str:
    """A whole number within a limit: "a whole number of at least 1", "... more than 0"."""
    return f"{_WHOLE} {'of ' if words.startswith('at ') else ''}{words} {limit}"


def _number(value: object) -> object:
    """A limit as written: 0 rather than 0.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _known(section: type[BaseModel] | None) -> str:
    if section is None or not section.model_fields:
        return ""
    noun = getattr(section, "key_noun", "key")
    return f" (the {noun}s are {', '.join(section.model_fields)})"


def _walk(model: type[BaseModel], loc: Loc) -> tuple[Any, FieldInfo | None]:
    """The annotation of the value at `loc`, and its field if it is the field of a model."""
    annotation: Any = model
    field: FieldInfo | None = None
    for part in loc:
        section = _model(annotation)
        if section is not None:
            field = section.model_fields.get(part) if isinstance(part, str) else None
            annotation = None if field is None else field.annotation
        else:
            field = None
            args = [a for a in get_args(_bare(annotation)) if a is not type(None)]
            annotation = args[-1] if args else None
    return annotation, field


def _bare(annotation: Any) -> Any:
    """The annotation without `Annotated` and without ``| None``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if origin is Union or origin is types.UnionType:
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    bare = _bare(annotation)
    return bare if isinstance(bare, type) and issubclass(bare, BaseModel) else None
