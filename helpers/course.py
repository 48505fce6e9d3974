"""The course in one place: its chapters and where it is published.

Every link the project prints (README badges, notebook badges, navigation bars,
``make links``) is built from the constants here, so moving the repository or
the class JupyterHub means editing one file.

>>> [chapter.slug for chapter in CHAPTERS][:2]
['01_parameter_access', '02_initialization']
>>> chapter_by_slug("03_tied_parameters").title
'Tied parameters'
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

OWNER = "parameter-lab"
REPO = "parameter-lab"
BRANCH = "main"
HUB = "hub.example.edu"


@dataclass(frozen=True)
class Chapter:
    """One notebook of the series: its file stem, title, one-line pitch and exercise module."""

    number: int
    slug: str
    title: str
    teaches: str
    module: str

    @property
    def filename(self) -> str:
        return f"{self.slug}.ipynb"


CHAPTERS = (
    Chapter(1, "01_parameter_access", "Parameter access",
            "Reach every weight, bias and gradient of a model; save and load them safely.",
            "helpers.access"),
    Chapter(2, "02_initialization", "Parameter initialization",
            "Built-in and custom initializers, and why the scale of the first weights decides whether a deep net trains.",
            "helpers.initialization"),
    Chapter(3, "03_tied_parameters", "Tied parameters",
            "Share one layer between several places in a model and follow what happens to its gradient.",
            "helpers.tying"),
    Chapter(4, "04_optimizers", "Optimizers",
            "What an optimizer holds (defaults, state, parameter groups), how it steps, and how learning rates are scheduled.",
            "helpers.optimizers"),
    Chapter(5, "05_weight_decay", "Weight decay",
            "L2 and L1 penalties on an overfitting regression, choosing lambda, and decoupled decay.",
            "helpers.decay"),
    Chapter(6, "06_autograd", "Autograd",
            "How PyTorch records a computation and differentiates it, and how to switch that off.",
            "helpers.gradients"),
)


def chapter_by_slug(slug: str) -> Chapter:
    """Return the chapter whose notebook stem is ``slug``.

    >>> chapter_by_slug("01_parameter_access").number
    1
    """
    if not isinstance(slug, str):
        raise TypeError(f"slug must be a str such as '01_parameter_access', got {type(slug).__name__}")
    for chapter in CHAPTERS:
        if chapter.slug == slug:
            return chapter
    known = ", ".join(repr(c.slug) for c in CHAPTERS)
    raise ValueError(f"slug must name a chapter ({known}), got {slug!r}")


def _check_chapter(chapter) -> None:
    if not isinstance(chapter, Chapter):
        raise TypeError(f"chapter must be a Chapter from CHAPTERS, got {type(chapter).__name__}")


def binder_url(chapter: Chapter) -> str:
    """Binder link that opens ``chapter`` in JupyterLab.

    >>> binder_url(CHAPTERS[0]).endswith("urlpath=lab/tree/notebooks/01_parameter_access.ipynb")
    True
    """
    _check_chapter(chapter)
    return (f"https://mybinder.org/v2/gh/{OWNER}/{REPO}/{BRANCH}"
            f"?urlpath=lab/tree/notebooks/{chapter.filename}")


def colab_url(chapter: Chapter) -> str:
    """Colab link that opens ``chapter`` straight from the repository.

    >>> colab_url(CHAPTERS[0]).startswith("https://colab.research.google.com/github/")
    True
    """
    _check_chapter(chapter)
    return (f"https://colab.research.google.com/github/{OWNER}/{REPO}/blob/{BRANCH}"
            f"/notebooks/{chapter.filename}")


def nbgitpuller_url(chapter: Chapter, hub: str = HUB) -> str:
    """nbgitpuller link for a class JupyterHub: pulls the repository, then opens ``chapter``.

    >>> "git-pull?repo=https%3A%2F%2Fgithub.com%2F" in nbgitpuller_url(CHAPTERS[0])
    True
    """
    _check_chapter(chapter)
    if not isinstance(hub, str) or not hub or "/" in hub:
        raise ValueError(f"hub must be a host name such as 'hub.example.edu', got {hub!r}")
    repo_url = quote(f"https://github.com/{OWNER}/{REPO}", safe="")
    urlpath = quote(f"lab/tree/{REPO}/notebooks/{chapter.filename}", safe="")
    return (f"https://{hub}/hub/user-redirect/git-pull?repo={repo_url}"
            f"&branch={BRANCH}&urlpath={urlpath}")


def badges_markdown(chapter: Chapter) -> str:
    """The Colab and Binder badges for ``chapter``, as Markdown.

    >>> badges_markdown(CHAPTERS[0]).count("](https://")
    4
    """
    _check_chapter(chapter)
    return (f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(chapter)}) "
            f"[![Launch Binder](https://mybinder.org/badge_logo.svg)]({binder_url(chapter)})")
