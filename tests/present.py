"""`present(x)`: the value a test expects to be there, narrowed from `X | None` for mypy."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def present(value: T | None) -> T:
    """`value`, failing the test at once (rather than at the next attribute) when it is None."""
    assert value is not None
    return value
