"""Moved to ``.ci/course.py``: the chapter list and the published links serve the maintainer
tools, not the notebooks. This alias keeps ``from helpers import course`` working for
``.ci/teach.py`` until it imports ``course`` from ``.ci`` like the other tools; then it goes."""

import sys
from pathlib import Path

if "course" not in sys.modules:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / ".ci"))
    import course  # noqa: F401

sys.modules[__name__] = sys.modules["course"]
