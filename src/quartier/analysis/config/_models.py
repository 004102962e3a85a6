"""Checking the content of a file against a pydantic model; the first problem becomes the error."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from quartier.analysis.config._errors import Document, Loc
from quartier.analysis.config._messages import first_problem

__all__ = ["ConfigModel", "number_as_text", "one_or_many", "validate"]

_Model = TypeVar("_Model", bound=BaseModel)


class ConfigModel(BaseModel):
    """A section of a configuration file: known keys only, values not silently converted.

    A key given as null (``years:`` with nothing after it) counts as not given. A wrong type
    is an error, not converted: a text where a number belongs, a number where a text belongs,
    ``yes`` where a whole number belongs. A field's ``description`` (``Field(description=)``)
    says what a value must be; an error about the field's type uses it.

    Attributes
    ----------
    key_noun : str
        What the file calls the keys of this section, for messages ("key", "field",
        "section").
    """

    model_config = ConfigDict(extra="forbid", strict=True)
    key_noun: ClassVar[str] = "key"

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None or k not in cls.model_fields}
        return data


def validate(document: Document, model: type[_Model], *, at: Loc = ()) -> _Model:
    """The content of `document` (or its part at `at`) as an instance of `model`.

    Raises
    ------
    ConfigError
        (The document's `error_type`.) About the first problem, with file, line, place and
        what is wrong; an unknown key first, as a misspelt key is also a missing one.

    Examples
    --------
    >>> class Scale(ConfigModel):
    ...     factor: float = 1.0
    >>> validate(Document({"factor": 100}, "m.yaml"), Scale).factor
    100.0
    >>> document = Document({"x": {"factr": 100}}, "m.yaml", lines={("x", "factr"): 2})
    >>> validate(document, Scale, at=("x",))
    Traceback (most recent call last):
    ...
    quartier...ConfigError: m.yaml, line 2, x: unknown key 'factr' (the keys are factor)
    """
    try:
        return model.model_validate(document.at(at))
    except ValidationError as error:
        place, line_loc, problem = first_problem(model, error)
        where = (*at, *place)
        if not where and problem.startswith("must be "):
            problem = f"the file {problem}"
        raise document.error(where, problem, line=document.line((*at, *line_loc))) from None


def one_or_many(value: Any) -> Any:
    """A single value as a list of it, for a key that takes one value or a list of them.

    Examples
    --------
    >>> one_or_many("einwohner"), one_or_many(["a", "b"]), one_or_many(None)
    (['einwohner'], ['a', 'b'], None)
    """
    return value if isinstance(value, list) or value is None else [value]


def number_as_text(value: Any) -> Any:
    """A number as its text, for a text that YAML may read as a number (a column ``2012``).

    Examples
    --------
    >>> number_as_text(2012), number_as_text(1.5), number_as_text(True), number_as_text("a")
    ('2012', '1.5', True, 'a')
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value
