"""Parameter Lab helpers: plots, widgets and self-check exercises for the notebooks.

Submodules load on first use, so ``import helpers`` stays cheap:

>>> import helpers
>>> helpers.setup()
>>> helpers.exercises.load("01_parameter_access").q1.kind
'value'
"""

import importlib

from helpers.session import setup

_SUBMODULES = frozenset({
    "checks", "course", "exercises", "plots", "session", "widgets",
    "access", "initialization", "tying", "optimizers", "decay", "gradients",
})

__all__ = ["setup", *sorted(_SUBMODULES)]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"helpers.{name}")
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
