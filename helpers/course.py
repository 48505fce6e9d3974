"""Moved to ``.ci/course.py``: the chapter list and the published links serve the maintainer
tools, not the notebooks. This alias keeps ``from helpers import course`` working for
``.ci/teach.py`` until it imports ``course`` from ``.ci`` like the other tools; then it goes."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / ".ci"))
import course as _course  # noqa: E402

globals().update({name: value for name, value in vars(_course).items() if not name.startswith("__")})
