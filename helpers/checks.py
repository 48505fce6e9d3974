"""Argument checks shared by the chapter modules: each raises an error that names the argument
and says what it expected.

>>> integer_in_range("depth", 50, 1, 100)
>>> integer_in_range("depth", 0, 1, 100)
Traceback (most recent call last):
...
ValueError: depth must be an int between 1 and 100, got 0
"""

from __future__ import annotations

import math
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


def finite_number(name: str, value, *, low: float = 0.0, strict: bool = False) -> float:
    """Require a finite real number ``>= low`` (``> low`` when ``strict``); return it as a float.

    >>> finite_number("lr", 3, strict=True)
    3.0
    >>> finite_number("lr", 0.0, strict=True)
    Traceback (most recent call last):
    ...
    ValueError: lr must be a number > 0.0, got 0.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < low or (strict and value == low):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be a number {relation} {low}, got {value!r}")
    return float(value)


def module(value, name: str = "model") -> None:
    """Require a ``torch.nn.Module``.

    >>> module("net")
    Traceback (most recent call last):
    ...
    TypeError: model must be a torch.nn.Module, got the string 'net'
    """
    if not isinstance(value, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {describe(value)}")
