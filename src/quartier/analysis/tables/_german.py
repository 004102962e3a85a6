"""Numbers written the German way: `.` between thousands, `,` before the decimals."""

from __future__ import annotations

__all__ = ["german_number"]


def german_number(value: float, digits: int) -> str:
    """A number in German notation with ``digits`` decimals.

    Examples
    --------
    >>> german_number(608271.0, 0), german_number(-1234.56, 1), german_number(-0.0, 1)
    ('608.271', '-1.234,6', '0,0')
    """
    if value == 0:
        value = 0.0  # no "-0,0"
    english = f"{value:,.{digits}f}"
    return english.replace(",", "\0").replace(".", ",").replace("\0", ".")
