"""Parameter Lab helpers: the plumbing the notebooks share. ``import helpers`` stays cheap: ``helpers.widgets``,
``helpers.exercises`` or a chapter's module (``helpers.weight_decay``...) is imported the first time it is used."""

import importlib

from helpers.session import setup

__all__ = ["setup"]


def __getattr__(name):
    try:
        return importlib.import_module(f"helpers.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"helpers.{name}":
            raise
        raise AttributeError(f"module 'helpers' has no attribute {name!r}") from None
