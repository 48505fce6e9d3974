"""Argument checks shared by the chapter modules: each raises an error that names the argument
and says what it expected.

>>> integer_in_range("depth", 50, 1, 100)
>>> integer_in_range("depth", 0, 1, 100)
Traceback (most recent call last):
...
ValueError: depth must be an int between 1 and 100, got 0
"""

from __future__ import annotations

import numbers

from torch import nn

from helpers.exercises import describe


def integer_in_range(name: str, value, low: int, high: int) -> None:
    """Require an int (not a bool) with ``low <= value <= high``.

    >>> integer_in_range("steps", True, 1, 10)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an int between 1 and 10, got True
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise ValueError(f"{name} must be an int between {low} and {high}, got {value!r}")


def module(value, name: str = "model") -> None:
    """Require a ``torch.nn.Module``.

    >>> module("net")
    Traceback (most recent call last):
    ...
    TypeError: model must be a torch.nn.Module, got the string 'net'
    """
    if not isinstance(value, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {describe(value)}")
