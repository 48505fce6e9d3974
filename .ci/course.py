"""The course as the notebooks define it, and where it is published.

Chapters come from ``notebooks/NN_slug.ipynb``: the number from the file name, the title
from the notebook's ``# N. Title`` cell, the one-line pitch from its metadata
``parameter_lab.teaches``. A chapter's widget module is ``helpers/<name>.py`` and its
exercises ``helpers/exercises/<name>.py``, where ``<name>`` is the slug without its number.

Each language has its own folder of the same notebooks: English in ``notebooks/``, a
translation in ``notebooks/<language>/`` (``notebooks/zh-CN/``), with the same file names.

Every link the project generates (badges, navigation bars, the Colab install line, static
pages, hub links) is built from ``[tool.parameter-lab]`` in pyproject.toml; ``make publish``
rewrites that table and regenerates what depends on it.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_PATTERN = re.compile(r"(\d{2})_(\w+)")
SETTING_KEYS = ("owner", "repo", "branch", "hub")
LANGUAGES = ("en", "zh-CN")  # English first: the source every translation follows
# Each language's README and the anchor of its chapter list.
READMES = {"en": ("README.md", "chapters"), "zh-CN": ("README.zh-CN.md", "章节")}
# The fixed words of a chapter, which tools and tests look for, in each language.
HEADINGS = {
    "en": {"goals": "**Learning goals.**", "summary": "## Summary", "exercises": "## Exercises",
           "solutions": "## Solutions", "explore": "## Explore", "question": "**Question {number}.**"},
    "zh-CN": {"goals": "**学习目标。**", "summary": "## 小结", "exercises": "## 练习",
              "solutions": "## 参考答案", "explore": "## 交互探索", "question": "**第 {number} 题。**"},
}


def publishing(root: Path = ROOT) -> dict[str, str]:
    """The ``[tool.parameter-lab]`` table of pyproject.toml: owner, repo, branch, hub."""
    table = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["parameter-lab"]
    return {key: table[key] for key in SETTING_KEYS}


_SETTING = publishing()
OWNER, REPO, BRANCH, HUB = (_SETTING[key] for key in SETTING_KEYS)


@dataclass(frozen=True)
class Chapter:
    """One notebook of the series."""

    number: int
    slug: str
    title: str
    teaches: str
    language: str = "en"

    @property
    def name(self) -> str:
        return NOTEBOOK_PATTERN.fullmatch(self.slug).group(2)

    @property
    def filename(self) -> str:
        return f"{self.slug}.ipynb"

    @property
    def folder(self) -> str:
        """The notebook's folder, relative to the repository."""
        return posixpath.join("notebooks", language_folder(self.language)).rstrip("/")

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.filename}"

    @property
    def module(self) -> str:
        return f"helpers.{self.name}"

    @property
    def exercises(self) -> str:
        return f"helpers.exercises.{self.name}"


def read_chapter(path: Path, language: str = "en") -> Chapter:
    """The chapter a notebook file defines; a missing title or pitch is left empty."""
    number = int(NOTEBOOK_PATTERN.fullmatch(path.stem).group(1))
    nb = nbformat.read(path, as_version=4)
    title = ""
    for cell in nb.cells:
        heading = re.match(r"# (?:\d+\.\s*)?(.+)", cell.source) if cell.cell_type == "markdown" else None
        if heading:
            title = heading.group(1).strip()
            break
    teaches = nb.metadata.get("parameter_lab", {}).get("teaches", "")
    return Chapter(number, path.stem, title, teaches, language)


def language_folder(language: str) -> str:
    """Where a language's notebooks are below notebooks/ (and its pages below build/<kind>/)."""
    return "" if language == "en" else language


def contents_href(language: str) -> str:
    """The link from a notebook of ``language`` to its README's chapter list.

    >>> contents_href("en"), contents_href("zh-CN")
    ('../README.md#chapters', '../../README.zh-CN.md#章节')
    """
    name, anchor = READMES[language]
    return posixpath.relpath(name, posixpath.join("notebooks", language_folder(language))) + "#" + anchor


def language_of(path: Path | str) -> str:
    """``"zh-CN"`` for ``notebooks/zh-CN/...``; ``"en"`` for ``notebooks/...``.

    >>> language_of("notebooks/zh-CN/01_parameter_access.ipynb"), language_of("x/01_a.ipynb")
    ('zh-CN', 'en')
    """
    folder = Path(path).parent.name
    return folder if folder in LANGUAGES else "en"


def read_chapters(notebooks: Path = ROOT / "notebooks", language: str = "en") -> tuple[Chapter, ...]:
    paths = sorted(p for p in notebooks.glob("*.ipynb") if NOTEBOOK_PATTERN.fullmatch(p.stem))
    return tuple(read_chapter(path, language) for path in paths)


CHAPTERS = read_chapters()
TRANSLATIONS = {language: read_chapters(ROOT / "notebooks" / language, language) for language in LANGUAGES[1:]}


def chapters(language: str = "en") -> tuple[Chapter, ...]:
    return CHAPTERS if language == "en" else TRANSLATIONS[language]


def chapter_by_slug(slug: str, language: str = "en") -> Chapter:
    for chapter in chapters(language):
        if chapter.slug == slug:
            return chapter
    raise ValueError(f"no notebook {posixpath.join('notebooks', language_folder(language), slug)}.ipynb")


def chapter_of(path: Path) -> Chapter:
    """The chapter that the notebook at ``path`` is, in its language."""
    return chapter_by_slug(Path(path).stem, language_of(Path(path)))


def counterpart(chapter: Chapter, language: str) -> Chapter:
    """The same chapter in ``language``."""
    return chapter_by_slug(chapter.slug, language)


def repo_url() -> str:
    return f"https://github.com/{OWNER}/{REPO}"


def pip_source() -> str:
    """What the Colab cell passes to pip to install the helpers."""
    return f"git+{repo_url()}@{BRANCH}"


def binder_url(chapter: Chapter) -> str:
    return f"https://mybinder.org/v2/gh/{OWNER}/{REPO}/{BRANCH}?urlpath=lab/tree/{chapter.path}"


def colab_url(chapter: Chapter) -> str:
    return f"https://colab.research.google.com/github/{OWNER}/{REPO}/blob/{BRANCH}/{chapter.path}"


def nbgitpuller_url(chapter: Chapter, hub: str = HUB) -> str:
    """nbgitpuller link for a class JupyterHub: pulls the repository, then opens ``chapter``."""
    urlpath = quote(f"lab/tree/{REPO}/{chapter.path}", safe="")
    return (f"https://{hub}/hub/user-redirect/git-pull?repo={quote(repo_url(), safe='')}"
            f"&branch={BRANCH}&urlpath={urlpath}")


BADGE_WORDS = {"en": ("Open in Colab", "Launch Binder"), "zh-CN": ("在 Colab 中打开", "在 Binder 中启动")}


def badges_markdown(chapter: Chapter) -> str:
    colab, binder = BADGE_WORDS[chapter.language]
    return (f"[![{colab}](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(chapter)}) "
            f"[![{binder}](https://mybinder.org/badge_logo.svg)]({binder_url(chapter)})")
