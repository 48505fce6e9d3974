"""Parameter Lab helpers: the plumbing the notebooks share. ``import helpers`` stays cheap: ``helpers.widgets``,
``helpers.exercises`` or a chapter's module (``helpers.weight_decay``...) is imported the first time it is used."""

import importlib
import importlib.util

from helpers.session import setup

__all__ = ["setup"]


def __getattr__(name):
    if importlib.util.find_spec(f"helpers.{name}") is None:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    return importlib.import_module(f"helpers.{name}")
