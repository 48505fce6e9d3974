"""Teaching material built from the notebooks: slides, student copies, a static site.

    python .ci/teach.py slides    # build/slides/: a reveal.js slideshow per chapter, offline
    python .ci/teach.py student   # build/student/: copies for graded work (no outputs, no solutions)
    python .ci/teach.py html      # build/html/: index page + every chapter with outputs and widgets
    python .ci/teach.py answers   # build/answers/: the answer key, a page per chapter
    python .ci/teach.py collapse-solutions notebooks/*.ipynb   # fold Solutions in JupyterLab

Each command works on every notebook it finds (notebooks/*.ipynb and each translation's
notebooks/<language>/*.ipynb, or the paths given); the builds write only under --out (default:
build/, which git ignores). English goes to build/<kind>/, a translation to
build/<kind>/<language>/ (build/html/zh-CN/index.html, build/student/zh-CN/01_...ipynb); a
notebook's language is its folder's (course.language_of), and everything a build writes in
words (headings, slide and page texts, speaker notes, the answer key's questions) is in it.

Slides fit reveal.js's 960x700 slide: a cell that would run past the bottom continues on a
sub-slide marked "(continued)" (heights estimated from the cell's lines and figures, fitted to
Chromium's layout; tests/test_teach.py steps through every slide in Chromium), and each section's
speaker notes come from .ci/notes/<notebook>.md (a translation's from .ci/notes/<language>/).

Slides and pages load nothing from the internet. reveal.js, require.js, jQuery, MathJax 2 and
the Jupyter widget manager come from npm at the exact versions in NPM_PACKAGES: `npm pack`
fetches each once into --npm-dir (default: build/npm), and the files the pages need are
copied next to them, so build/slides/ and build/html/ can be zipped and opened anywhere.
Links between notebooks become links between pages, in a language or across (the navigation
bar's [中文]/[English]); the link to a README's chapter list becomes that language's index page;
every page has a language switch to the same page in the other language.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import copy
import html
import json
import math
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
NOTES = ROOT / ".ci" / "notes"   # speaker notes, one Markdown file per chapter (a translation's in NOTES/<language>/)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / ".ci"))

import course  # noqa: E402  (after the path is set, when run from a clean clone)

# Exact versions, fetched with `npm pack` (no dependency tree, no lock file, registry integrity).
NPM_PACKAGES = {
    "reveal.js": "4.6.1",                         # the last 4.x; nbconvert's template targets 4
    "requirejs": "2.3.8",                         # the templates load reveal.js and widgets with it
    "jquery": "3.7.1",                            # the reveal template's scrolling code uses $
    "mathjax": "2.7.9",                           # the templates call the MathJax 2 API
    "@jupyter-widgets/html-manager": "1.0.15",    # renders saved widget state (ipywidgets 8)
}

# The part of MathJax 2 that the templates' config (TeX-AMS_CHTML-full,Safe) loads.
MATHJAX_PARTS = ("MathJax.js", "LICENSE", "config/TeX-AMS_CHTML-full.js", "config/Safe.js",
                 "extensions", "jax/input/TeX", "jax/element", "jax/output/CommonHTML",
                 "jax/output/PreviewHTML", "fonts/HTML-CSS/TeX/woff", "fonts/HTML-CSS/TeX/otf")
MATHJAX_URL = "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
REQUIRE_URL = "vendor/require.js"
JQUERY_URL = "vendor/jquery.min.js"
WIDGETS_URL = "vendor/html-manager/embed-amd.js"
REVEAL_PREFIX = "reveal.js"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# nbconvert's templates import mermaid.js from a CDN (the slides template always does). No
# chapter draws a mermaid diagram, so the block is dropped instead of vendored.
TEMPLATE_NAME = "parameter_lab.html.j2"
NO_MERMAID = "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
# Static pages: widgets are a saved snapshot (their controls are disabled and say so), their
# text uses the page's font, and each chapter opens with a table of contents.
PAGE_CSS_EXTRA = """
.jupyter-widgets, .jupyter-widgets * { font-family: var(--jp-ui-font-family); }
.jupyter-widgets .widget-slider, .jupyter-widgets select, .jupyter-widgets input,
.jupyter-widgets button, .jupyter-widgets .widget-checkbox { pointer-events: none; opacity: .65; }
.pl-snapshot { font: italic 13px var(--jp-ui-font-family); color: #656d76; margin: 0 0 4px; }
.pl-toc { font-family: var(--jp-ui-font-family); border: 1px solid #d0d7de; border-radius: 6px;
          padding: .5rem 1rem; margin: 1rem auto; max-width: 60rem; background: #f6f8fa; }
.pl-toc ol { margin: .25rem 0; columns: 2; }
@media (min-width: 1500px) { .pl-toc { position: fixed; top: 1rem; left: 1rem; width: 15rem;
                                       max-height: 90vh; overflow-y: auto; }
                             .pl-toc ol { columns: 1; } }
.pl-lang { font-family: var(--jp-ui-font-family); max-width: 60rem; margin: .5rem auto 0; text-align: right; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { word-break: keep-all; }   /* Chinese words whole */
"""
PAGE_JS = """
// Widgets render from their saved state after the page loads: disable each control as it appears.
new MutationObserver(function() {
  document.querySelectorAll(".jupyter-widgets input, .jupyter-widgets select, .jupyter-widgets button,"
                            + " .jupyter-widgets textarea").forEach(function(el) { el.disabled = true; });
  document.querySelectorAll(".jupyter-widgets [tabindex]").forEach(function(el) { el.tabIndex = -1; });
}).observe(document.body, {childList: true, subtree: true});
"""
PAGE_TEMPLATE = ("{%- extends 'index.html.j2' -%}\n" + NO_MERMAID
                 + "{% block notebook_css %}{{ super() }}<style type=\"text/css\">" + PAGE_CSS_EXTRA
                 + "</style>{% endblock notebook_css %}\n"
                 + "{% block body_footer %}<script>" + PAGE_JS + "</script>{{ super() }}{% endblock body_footer %}\n")

# reveal.js lays every slide out at this size and scales the whole slide to the window.
SLIDE_WIDTH, SLIDE_HEIGHT = 960, 700
IMAGE_MAX, WIDGET_IMAGE_MAX = SLIDE_HEIGHT - 160, 340   # a widget's controls need room too
SLIDES_CSS = f"""
:root {{ --jp-code-font-size: 15px; --jp-content-font-size1: 21px; --jp-ui-font-size1: 18px; }}
.reveal {{ font-size: 21px; }}
.reveal .slides section {{ padding: 0; }}
/* A slide never grows past the slide: what the builder could not split scrolls inside it. */
.reveal .slides section:not(.stack) {{ max-height: {SLIDE_HEIGHT}px; overflow-y: auto; }}
.reveal h1 {{ font-size: 48px; }} .reveal h2 {{ font-size: 34px; }} .reveal h3 {{ font-size: 27px; }}
.reveal .jp-InputPrompt, .reveal .jp-OutputPrompt {{ display: none; }}
.reveal .jp-Cell {{ padding: 2px 0; }}
/* Code and printed tables keep their columns: never wrap inside a number, scroll sideways. */
.reveal pre {{ white-space: pre; overflow-x: auto; font-size: 15px; line-height: 1.3; }}
.reveal .jp-OutputArea-output pre {{ width: 100%; }}
.reveal .jp-RenderedImage img {{ max-width: 100%; max-height: {IMAGE_MAX}px; width: auto; height: auto; }}
.reveal .jupyter-widgets img {{ max-width: 100%; max-height: {WIDGET_IMAGE_MAX}px; width: auto; height: auto; }}
.reveal .jp-RenderedHTMLCommon p, .reveal .jp-RenderedHTMLCommon li {{ line-height: 1.4; }}
/* A table column of Chinese words would shrink to one character's width (a browser may break
   between any two Chinese characters) and wrap each word onto a line per character. */
.reveal td, .reveal th {{ word-break: keep-all; }}
.reveal .celltag_pl-continued .jp-Cell-inputWrapper {{ display: none; }}
.reveal .pl-continued-title {{ color: #656d76; font-size: 18px; margin: 0 0 4px; }}
/* The language switch: out of the slide, in the corner that reveal's controls leave free. */
.pl-lang {{ position: fixed; left: 12px; bottom: 8px; z-index: 40; font: 14px var(--jp-ui-font-family); }}
"""
SLIDES_JS_TEMPLATE = """
require({{waitSeconds: 15}},
  ["{reveal}/dist/reveal.js", "{reveal}/plugin/notes/notes.js"],
  function(Reveal, RevealNotes) {{
    Reveal.initialize({{controls: true, progress: true, history: true, transition: "slide",
                        slideNumber: "c/t", plugins: [RevealNotes],
                        width: {width}, height: {height}}});
    window.Reveal = Reveal;  // the browser test steps through the slides with reveal's API
    // Widgets and MathJax draw after reveal placed the slide: place it again when it grows.
    var relayout = new ResizeObserver(function() {{ Reveal.layout(); }});
    document.querySelectorAll(".reveal .slides section").forEach(function(s) {{ relayout.observe(s); }});
    Reveal.on("slidechanged", function() {{
      if (MathJax.Hub.getAllJax(Reveal.getCurrentSlide())) MathJax.Hub.Rerender(Reveal.getCurrentSlide());
    }});
  }});
"""


def slides_template(prefix: str = "") -> str:
    """The slides template for pages ``prefix`` away from the assets ("../" for build/slides/zh-CN/)."""
    script = SLIDES_JS_TEMPLATE.format(reveal=prefix + REVEAL_PREFIX, width=SLIDE_WIDTH, height=SLIDE_HEIGHT)
    return ("{%- extends 'index.html.j2' -%}\n" + NO_MERMAID
            + "{% block notebook_css %}{{ super() }}<style type=\"text/css\">" + SLIDES_CSS
            + "</style>{% endblock notebook_css %}\n"
            + "{% block footer_js %}<script>" + script + "</script>{% endblock footer_js %}\n")


SLIDES_TEMPLATE = slides_template()
SLIDES_JS = SLIDES_JS_TEMPLATE.format(reveal=REVEAL_PREFIX, width=SLIDE_WIDTH, height=SLIDE_HEIGHT)

# Every word a build writes, in each language of course.LANGUAGES. A notebook's language is its
# folder's; its pages, slides, student copy and answer key use that language's words.
WORDS = {
    "en": {
        "name": "English",
        "snapshot": "A snapshot of the widget as saved: its controls do not move here. Open the notebook to use it.",
        "contents": "Contents",
        "continued": "{title} (continued)",
        "next": ("## Next: {number}. {title}\n\n{teaches}\n\n[Go to chapter {number}: {title}]({href}) "
                 "&nbsp;|&nbsp; [All chapters]({index})"),
        "end": "## The end of the course\n\nThis was the last chapter.\n\n[All chapters]({index})",
        "next_prefix": "Next: ", "end_title": "The end",
        "placeholder": "# your code here",
        "student_note": ("*This is the student copy: the worked solutions are with your teacher. "
                         "`ex.qN.hint()` gives a nudge when you are stuck.*"),
        "answer_title": "# Answer key: {title}\n\nFor the teacher; not for the student copies.",
        "answer_hint": "*What `ex.q{number}.hint()` tells students:* {hint}",
        "model_answer": "**Model answer.** {answer}",
        "columns": ("#", "Chapter", "What you learn"),
        "pending": "(not published yet)",
        "source": "Source, notebooks and exercises:",
        "slides": ("Parameter Lab slides",
                   "<p>One slideshow per chapter: each section is a slide, each idea a sub-slide "
                   "(&darr;), exercises last; worked solutions are left out. Keys: &rarr;/Space next, "
                   "Esc overview, F full screen, S speaker view. The slides show the saved outputs; "
                   "to run code live, present the notebook in JupyterLab (Alt+R).</p>"),
        "html": ("Parameter Lab",
                 "<p>A hands-on course on how neural-network parameters live in PyTorch. Each page "
                 "is a chapter as saved, with its printed outputs, figures and widgets in their "
                 "saved state. To run the code and move the widgets, open the notebook in "
                 "JupyterLab, Colab or Binder (links at the top of each chapter).</p>"),
        "answers": ("Parameter Lab answer key",
                    "<p>For teachers: the worked solution of every exercise, with the output it "
                    "printed when the full notebook last ran. The student copies (<code>make student"
                    "</code>) leave these out.</p>"),
    },
    "zh-CN": {
        "name": "中文",
        "snapshot": "这是控件保存时的快照：这里的控件不能拖动。打开笔记本才能交互。",
        "contents": "目录",
        "continued": "{title}（续）",
        "next": ("## 下一章：{number}. {title}\n\n{teaches}\n\n[进入第 {number} 章：{title}]({href}) "
                 "&nbsp;|&nbsp; [全部章节]({index})"),
        "end": "## 课程结束\n\n这是最后一章。\n\n[全部章节]({index})",
        "next_prefix": "下一章：", "end_title": "课程结束",
        "placeholder": "# 在这里写你的代码",
        "student_note": ("*这是学生版：参考答案在老师那里。卡住的时候，`ex.qN.hint()` 会给你一点提示。*"),
        "answer_title": "# 答案：{title}\n\n供教师使用；学生版不包含这些内容。",
        "answer_hint": "*`ex.q{number}.hint()` 给学生的提示：* {hint}",
        "model_answer": "**参考答案。** {answer}",
        "columns": ("#", "章节", "学什么"),
        "pending": "（尚未发布）",
        "source": "源代码、笔记本和练习：",
        "slides": ("Parameter Lab 幻灯片",
                   "<p>每章一套幻灯片：每一节是一张幻灯片，每个要点是一张子幻灯片（&darr;），练习放在最后；"
                   "不含参考答案。按键：&rarr; 或空格翻到下一张，Esc 总览，F 全屏，S 演讲者视图。幻灯片显示保存时的输出；"
                   "要现场运行代码，请在 JupyterLab 中放映笔记本（Alt+R）。</p>"),
        "html": ("Parameter Lab",
                 "<p>一门动手课程，讲解神经网络的参数在 PyTorch 中如何存放和使用。每个页面是保存时的一章，"
                 "带有打印的输出、图和保存时状态的控件。要运行代码、拖动控件，请在 JupyterLab、Colab 或 "
                 "Binder 中打开笔记本（链接在每章顶部）。</p>"),
        "answers": ("Parameter Lab 答案",
                    "<p>供教师使用：每道练习的参考答案，以及完整笔记本上次运行时打印的输出。"
                    "学生版（<code>make student</code>）不包含这些内容。</p>"),
    },
}
STUDENT_PLACEHOLDER = WORDS["en"]["placeholder"]
STUDENT_NOTE = WORDS["en"]["student_note"]
# `ex = helpers.exercises.load("01_parameter_access")`: student copies load without solutions.
LOAD_CALL = re.compile(r"""(helpers\.exercises\.load\(\s*(["'])\d+_\w+\2)\s*\)""")
REPO_URL = course.repo_url()

# For the badges that became text and the links to chapters not built yet.
LINK_CSS = """<style type="text/css">
.pl-badge { display: inline-block; padding: 0 .5em; border: 1px solid currentColor;
            border-radius: .3em; font-size: 85%; }
.pl-unlinked { color: #656d76; }
</style>
"""

PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1f2328; line-height: 1.5; }
main { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .5rem .75rem; border-bottom: 1px solid #d0d7de; }
th { background: #f6f8fa; }
.pending { color: #656d76; }
.pl-lang { text-align: right; }
"""


# ---------------------------------------------------------------------------- notebooks

def discover(paths: list[Path] | None = None) -> list[Path]:
    """The notebooks to build: the given paths, or every chapter in every language (English's
    notebooks/*.ipynb, then each translation's notebooks/<language>/*.ipynb), sorted."""
    if paths:
        found = sorted(Path(p).resolve() for p in paths)
    else:
        found = [path for language in course.LANGUAGES
                 for path in sorted((NOTEBOOKS / course.language_folder(language)).glob("*.ipynb"))
                 if course.NOTEBOOK_PATTERN.fullmatch(path.stem)]
    if not found:
        raise SystemExit("no notebooks found in notebooks/")
    missing = [str(p) for p in found if not p.is_file()]
    if missing:
        raise SystemExit(f"no such notebook: {', '.join(missing)}")
    return found


def page_key(path: Path) -> str:
    """A notebook's name across languages: ``01_parameter_access`` or ``zh-CN/01_parameter_access``."""
    folder = course.language_folder(course.language_of(path))
    return f"{folder}/{Path(path).stem}" if folder else Path(path).stem


def index_key(language: str) -> str:
    folder = course.language_folder(language)
    return f"{folder}/index" if folder else "index"


def _from(language: str, target: str) -> str:
    """``target`` (relative to build/<kind>/) as a link from a page of ``language``.

    >>> _from("en", "zh-CN/01_a.html"), _from("zh-CN", "01_a.html"), _from("zh-CN", "zh-CN/index.html")
    ('zh-CN/01_a.html', '../01_a.html', 'index.html')
    """
    return posixpath.relpath(target, course.language_folder(language) or ".")


def chapter_of(path: Path) -> course.Chapter | None:
    try:
        return course.chapter_by_slug(Path(path).stem, course.language_of(path))
    except ValueError:
        return None


def page_title(path: Path) -> str:
    chapter = chapter_of(path)
    return f"{chapter.number}. {chapter.title}" if chapter else Path(path).stem


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _shown(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# ---------------------------------------------------------------------------- links

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# Each README, its language, and the anchor of its chapter list (which becomes the index page).
READMES = {name: (language, anchor) for language, (name, anchor) in course.READMES.items()}


def repo_path(href: str, language: str = "en") -> str:
    """The repository path a relative link in a notebook of ``language`` points to ('' if
    outside the repo).

    >>> repo_path("../README.md"), repo_path("02_initialization.ipynb"), repo_path("../../x")
    ('README.md', 'notebooks/02_initialization.ipynb', '')
    >>> repo_path("../../README.zh-CN.md", "zh-CN"), repo_path("../01_a.ipynb", "zh-CN")
    ('README.zh-CN.md', 'notebooks/01_a.ipynb')
    """
    target = posixpath.normpath(posixpath.join("notebooks", course.language_folder(language), href))
    return "" if target == ".." or target.startswith("../") else target


def notebook_href(language: str, other: str, filename: str) -> str:
    """The link from a notebook of ``language`` to the notebook ``filename`` of ``other``.

    >>> notebook_href("en", "zh-CN", "01_a.ipynb"), notebook_href("zh-CN", "en", "01_a.ipynb")
    ('zh-CN/01_a.ipynb', '../01_a.ipynb')
    """
    return _from(language, posixpath.join(course.language_folder(other), filename))


def _readme_url(name: str, fragment: str) -> str:
    anchor = f"#{fragment}" if fragment else ""
    return REPO_URL + anchor if name == "README.md" else f"{REPO_URL}/blob/{course.BRANCH}/{name}{anchor}"


def rewrite_href(href: str, pages: dict[str, str], language: str = "en") -> str | None:
    """Where a link of a notebook of ``language`` should point on a built page; ``None`` drops it.

    ``pages`` maps each notebook that has a page (its :func:`page_key`: ``01_x``, ``zh-CN/01_x``)
    to that page's path below build/<kind>/, and ``index``/``zh-CN/index`` to the index pages
    built. Links between notebooks go to the pages, within a language or to the other one; a
    README's chapter list goes to that language's index page (the page's own is always built;
    another language's not built yet goes to GitHub); any other file of the repository goes to
    GitHub; absolute URLs and anchors stay.

    >>> pages = {"01_parameter_access": "01_parameter_access.html", "zh-CN/01_parameter_access":
    ...          "zh-CN/01_parameter_access.html", "zh-CN/index": "zh-CN/index.html"}
    >>> rewrite_href("01_parameter_access.ipynb#Counting", pages)
    '01_parameter_access.html#Counting'
    >>> rewrite_href("../README.md#chapters", pages)
    'index.html'
    >>> rewrite_href("05_weight_decay.ipynb", pages) is None
    True
    >>> rewrite_href("https://d2l.ai", pages)
    'https://d2l.ai'
    >>> rewrite_href("zh-CN/01_parameter_access.ipynb", pages), rewrite_href("../01_parameter_access.ipynb", pages, "zh-CN")
    ('zh-CN/01_parameter_access.html', '../01_parameter_access.html')
    >>> rewrite_href("../../README.zh-CN.md#章节", pages, "zh-CN"), rewrite_href("../README.zh-CN.md", pages)
    ('index.html', 'zh-CN/index.html')
    """
    if not href or href.startswith(("#", "//")) or _SCHEME.match(href):
        return href
    path, _, fragment = href.partition("#")
    path = path.split("?", 1)[0]
    target = repo_path(path, language)
    anchor = f"#{fragment}" if fragment else ""
    if target.startswith("notebooks/") and target.endswith(".ipynb"):
        page = pages.get(target[len("notebooks/"):-len(".ipynb")])
        return _from(language, page) + anchor if page else None
    if target in READMES:
        readme_language, chapters = READMES[target]
        if unquote(fragment) not in ("", chapters):
            return _readme_url(target, fragment)
        index = pages.get(index_key(readme_language))
        if index is None and readme_language == language:
            index = posixpath.join(course.language_folder(language), "index.html")
        return _from(language, index) if index else _readme_url(target, fragment)
    if target and (ROOT / target).exists():
        kind = "tree" if (ROOT / target).is_dir() else "blob"
        return f"{REPO_URL}/{kind}/{course.BRANCH}/{target}{anchor}"
    return None


_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.DOTALL)
_HREF = re.compile(r'\bhref="([^"]*)"')
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = r'\b{}="([^"]*)"'
_SCRIPT = re.compile(r"(<script\b.*?</script>)", re.DOTALL | re.IGNORECASE)


def rewrite_page_links(page: str, pages: dict[str, str], warnings: list[str] | None = None,
                       language: str = "en") -> str:
    """Make a page built from a notebook of ``language`` navigable offline.

    Links are rewritten with :func:`rewrite_href` (a link with nowhere to go keeps its text);
    images from the web (the Colab and Binder badges) become their alt text, so that the
    page loads nothing remote and the links still work when online.

    >>> rewrite_page_links('<a href="x.ipynb">2. Next</a>', {})
    '<span class="pl-unlinked" title="not built">2. Next</span>'
    >>> rewrite_page_links('<a href="https://c.org"><img src="https://b.svg" alt="Colab"></a>', {})
    '<a href="https://c.org"><span class="pl-badge">Colab</span></a>'
    """
    warnings = [] if warnings is None else warnings

    def image(match: re.Match) -> str:
        tag = match.group(0)
        src = re.search(_ATTR.format("src"), tag)
        if not src or not src.group(1).startswith(("http://", "https://", "//")):
            return tag
        alt = re.search(_ATTR.format("alt"), tag)
        return f'<span class="pl-badge">{alt.group(1) if alt else "image"}</span>'

    def anchor(match: re.Match) -> str:
        attributes, text = match.groups()
        href = _HREF.search(attributes)
        if not href:
            return match.group(0)
        new = rewrite_href(html.unescape(href.group(1)), pages, language)
        if new is None:
            warnings.append(href.group(1))
            return f'<span class="pl-unlinked" title="not built">{text}</span>'
        attributes = attributes.replace(href.group(0), f'href="{html.escape(new)}"')
        return f"<a{attributes}>{text}</a>"

    # Scripts hold widget state and code as JSON: leave them as they are.
    parts = _SCRIPT.split(page)
    for index in range(0, len(parts), 2):
        parts[index] = _ANCHOR.sub(anchor, _IMG.sub(image, parts[index]))
    return "".join(parts)


def language_switch(key: str, language: str, pages: dict[str, str]) -> str:
    """Links from the page ``key`` of ``language`` to the same page in every other language
    that has it ('' if none has).

    >>> language_switch("01_a", "en", {"zh-CN/01_a": "zh-CN/01_a.html"})
    '<nav class="pl-lang"><a href="zh-CN/01_a.html" hreflang="zh-CN" lang="zh-CN">中文</a></nav>'
    >>> language_switch("zh-CN/index", "zh-CN", {"index": "index.html"})
    '<nav class="pl-lang"><a href="../index.html" hreflang="en" lang="en">English</a></nav>'
    """
    name = key.split("/")[-1]
    links = []
    for other in course.LANGUAGES:
        folder = course.language_folder(other)
        page = pages.get(f"{folder}/{name}" if folder else name)
        if other != language and page:
            links.append(f'<a href="{html.escape(_from(language, page))}" hreflang="{other}" '
                         f'lang="{other}">{WORDS[other]["name"]}</a>')
    return f'<nav class="pl-lang">{" | ".join(links)}</nav>' if links else ""


_MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


def rewrite_markdown_links(source: str, language: str = "en") -> str:
    """In a student copy of ``language``, links to repository files that are not notebooks go
    to GitHub (the student copies keep the notebooks' folders, so links between them work).

    >>> link = rewrite_markdown_links("[Contents](../README.md#chapters) | [2. Next](02_x.ipynb) >")
    >>> link == f"[Contents]({course.repo_url()}#chapters) | [2. Next](02_x.ipynb) >"
    True
    >>> rewrite_markdown_links("[目录](../../README.zh-CN.md#章节)", "zh-CN") == (
    ...     f"[目录]({course.repo_url()}/blob/{course.BRANCH}/README.zh-CN.md#章节)")
    True
    """
    def link(match: re.Match) -> str:
        href = match.group(1)
        if href.startswith("#") or _SCHEME.match(href) or href.split("#")[0].endswith(".ipynb"):
            return match.group(0)
        path, _, fragment = href.partition("#")
        target = repo_path(path, language)
        if target in READMES:
            new = _readme_url(target, fragment)
        elif target:
            new = f"{REPO_URL}/blob/{course.BRANCH}/{target}" + (f"#{fragment}" if fragment else "")
        else:
            return match.group(0)
        return f"]({new})"

    return _MD_LINK.sub(link, source)


# ---------------------------------------------------------------------------- npm assets

def npm_package_dir(npm_dir: Path, name: str) -> Path:
    return Path(npm_dir) / f"{name.replace('/', '+')}@{NPM_PACKAGES[name]}"


def npm_ready(npm_dir: Path) -> bool:
    """True when every package of NPM_PACKAGES is unpacked in ``npm_dir``."""
    return all((npm_package_dir(npm_dir, name) / "package.json").is_file() for name in NPM_PACKAGES)


def fetch_npm_packages(npm_dir: Path) -> dict[str, Path]:
    """Unpack each pinned npm package into ``npm_dir`` (once); return name -> package folder."""
    npm_dir = Path(npm_dir)
    missing = [name for name in NPM_PACKAGES
               if not (npm_package_dir(npm_dir, name) / "package.json").is_file()]
    if missing:
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("Slides and pages need npm (Node.js) once, to fetch "
                             + ", ".join(f"{n}@{NPM_PACKAGES[n]}" for n in missing)
                             + f" into {npm_dir}. Install Node.js, or copy that folder from "
                             "a machine that has it.")
        npm_dir.mkdir(parents=True, exist_ok=True)
        specs = [f"{name}@{NPM_PACKAGES[name]}" for name in missing]
        print(f"fetching from npm: {' '.join(specs)}")
        with tempfile.TemporaryDirectory(dir=npm_dir, prefix=".fetch-") as tmp:
            result = subprocess.run([npm, "pack", *specs, "--json", "--loglevel=error",
                                     "--pack-destination", tmp],
                                    cwd=tmp, capture_output=True, text=True)
            if result.returncode != 0:
                raise SystemExit(f"npm pack {' '.join(specs)} failed:\n{result.stderr.strip()}")
            for entry in json.loads(result.stdout):
                staging = Path(tmp) / entry["filename"].removesuffix(".tgz")
                with tarfile.open(Path(tmp) / entry["filename"]) as archive:
                    archive.extractall(staging, filter="data")
                target = npm_package_dir(npm_dir, entry["name"])
                shutil.rmtree(target, ignore_errors=True)
                (staging / "package").rename(target)
    return {name: npm_package_dir(npm_dir, name) for name in NPM_PACKAGES}


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.map"))
    else:
        shutil.copy2(source, target)


def install_assets(packages: dict[str, Path], out: Path, *, slides: bool) -> None:
    """Copy what the pages load next to them: vendor/ (and reveal.js/ for slides)."""
    vendor = out / "vendor"
    _copy(packages["requirejs"] / "require.js", vendor / "require.js")
    for part in MATHJAX_PARTS:
        _copy(packages["mathjax"] / part, vendor / "mathjax" / part)
    widgets = packages["@jupyter-widgets/html-manager"] / "dist"
    for item in widgets.iterdir():  # the AMD bundle and the icon fonts it loads beside itself
        if item.suffix != ".map" and item.name not in {"embed.js", "libembed-amd.js"}:
            _copy(item, vendor / "html-manager" / item.name)  # keeps embed.js.LICENSE.txt
    if slides:
        _copy(packages["jquery"] / "dist" / "jquery.min.js", vendor / "jquery.min.js")
        for part in ("dist", "plugin", "LICENSE"):
            _copy(packages["reveal.js"] / part, out / REVEAL_PREFIX / part)


# ---------------------------------------------------------------------------- slides that fit

# Heights in CSS pixels of the 960x700 slide, for the fonts of SLIDES_CSS. They err on the tall
# side: the browser test (tests/test_teach.py) steps through every slide and fails on overflow.
# Fitted to the heights measured in Chromium (residuals under 25 px per cell).
SLIDE_BUDGET = SLIDE_HEIGHT - 60       # room for the slide number and a font that runs larger
TEXT_LINE, TEXT_CHARS = 30, 95         # a line of prose, and how many characters fill it
PARAGRAPH, LIST_ITEM = 28, 10          # margins around a paragraph, between list items
CODE_LINE, CODE_PAD = 18.5, 22         # a line of code or printed output; box padding
HEADING = {"#": 80, "##": 40, "###": 35}
CONTINUED = "pl-continued"             # tag of a part of a cell carried onto the next slide
SETUP_CELL, NAVIGATION = "setup", "navigation"


def png_size(data: str) -> tuple[int, int]:
    """Width and height of a base64 PNG, read from its header.

    >>> png_size("iVBORw0KGgoAAAANSUhEUgAAAj0AAAEwCAYAAAA=")
    (573, 304)
    """
    header = base64.b64decode(data[:44] + "=" * (-len(data[:44]) % 4))
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def _image_height(width: int, height: int) -> float:
    scale = min(1.0, SLIDE_WIDTH / width, IMAGE_MAX / height) if width and height else 1.0
    return height * scale


def _plain(line: str) -> str:
    """A markdown line without link targets and markup, as long as it renders."""
    return re.sub(r"[`*$]|<[^>]+>", "", re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", line))


def text_width(text: str) -> int:
    """How many Latin characters ``text`` is as wide as: a Chinese character (or any wide or
    full-width one) takes the room of two.

    >>> text_width("Adam"), text_width("优化器"), text_width("（续）")
    (4, 6, 6)
    """
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def markdown_height(source: str) -> float:
    """Estimated height of a rendered markdown cell on a slide.

    >>> markdown_height("## A heading\\n\\nOne short paragraph.")
    176.0
    """
    height, fence = 20.0 + PARAGRAPH * len(_blocks(source)), None
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == "$$" or stripped.startswith("```"):
            fence = None if fence else stripped[:3]
            height += TEXT_LINE
        elif fence:
            height += TEXT_LINE if fence == "$$" else CODE_LINE
        elif stripped.startswith("$$"):
            height += 2 * TEXT_LINE
        elif stripped.split(" ")[0] in HEADING:
            height += HEADING[stripped.split(" ")[0]] + TEXT_LINE * math.ceil(text_width(_plain(stripped)) / 50)
        elif stripped.startswith("|"):
            height += 1.4 * TEXT_LINE
        elif stripped:
            item = LIST_ITEM if re.match(r"([-*]|\d+\.) ", stripped) else 0
            height += item + TEXT_LINE * math.ceil(text_width(_plain(stripped)) / TEXT_CHARS)
    return height


def _text_lines(text: str) -> int:
    return len(text.rstrip("\n").splitlines()) or 1


def widget_height(model_id: str, state: dict) -> float:
    """Estimated height of a saved widget view: boxes stack or sit side by side."""
    model = state.get(model_id)
    if model is None:
        return 3 * CODE_LINE
    name, values = model["model_name"], model["state"]
    children = [child.removeprefix("IPY_MODEL_") for child in values.get("children", [])]
    if name in ("VBoxModel", "BoxModel", "GridBoxModel"):
        return sum(widget_height(child, state) for child in children)
    if name == "HBoxModel":     # wraps onto more rows when its controls are wider than the slide
        rows = math.ceil(len(children) / 3)
        return rows * max((widget_height(child, state) for child in children), default=0)
    if name == "ImageModel":
        png = next((b["data"] for b in model.get("buffers", []) if b["path"] == ["value"]), "")
        width, height = png_size(png) if png else (SLIDE_WIDTH, WIDGET_IMAGE_MAX)
        return height * min(1.0, SLIDE_WIDTH / width, WIDGET_IMAGE_MAX / height) + 10
    if name in ("HTMLModel", "HTMLMathModel", "LabelModel"):
        text = re.sub(r"<[^>]+>", "", values.get("value", ""))
        return CODE_LINE * sum(math.ceil(text_width(line) / 90) or 1 for line in text.splitlines() or [""]) + 8
    if name == "OutputModel":
        return sum(output_height(o, state) for o in values.get("outputs", []))
    if name in ("SelectMultipleModel", "SelectModel"):
        return 22 * values.get("rows", 5) + 12
    return 40                          # a slider, dropdown, checkbox or button


def output_height(output: dict, state: dict) -> float:
    """Estimated height of one output of a code cell."""
    if output["output_type"] == "stream":
        return CODE_LINE * _text_lines(output["text"]) + CODE_PAD
    if output["output_type"] == "error":
        return CODE_LINE * sum(_text_lines(line) for line in output["traceback"]) + CODE_PAD
    data = output.get("data", {})
    if WIDGET_VIEW in data:
        return widget_height(data[WIDGET_VIEW]["model_id"], state) + 45
    if "image/png" in data:
        return _image_height(*png_size(data["image/png"])) + 55
    if "text/markdown" in data:
        return markdown_height(data["text/markdown"])
    if "text/html" in data:
        return CODE_LINE * _text_lines(re.sub(r"<(br|tr|p|li)\b", "\n<", data["text/html"])) + CODE_PAD
    return CODE_LINE * _text_lines(data.get("text/plain", "")) + CODE_PAD


def cell_height(cell, state: dict) -> float:
    if cell.cell_type == "markdown" and CONTINUED in _tags(cell):
        return TEXT_LINE
    if cell.cell_type == "markdown":
        return markdown_height(cell.source)
    shown = cell.source.strip() and CONTINUED not in _tags(cell)
    source = CODE_LINE * _text_lines(cell.source) + CODE_PAD if shown else 0
    return source + sum(output_height(o, state) for o in cell.outputs) + 4


def _blocks(source: str) -> list[str]:
    """Markdown split at blank lines, never inside a $$ or ``` block."""
    blocks, current, fence = [], [], False
    for line in source.splitlines():
        stripped = line.strip()
        if not stripped and not fence and current:
            blocks.append("\n".join(current))
            current = []
            continue
        current.append(line)
        if stripped == "$$" or stripped.startswith("```"):
            fence = not fence
    if current:
        blocks.append("\n".join(current))
    return blocks


def _pack(pieces: list, height, budget: float) -> list[list]:
    """Consecutive pieces grouped so each group's total height stays within budget."""
    groups, total = [], 0.0
    for piece in pieces:
        if not groups or total + height(piece) > budget:
            groups.append([])
            total = 0.0
        groups[-1].append(piece)
        total += height(piece)
    return groups


def _split_stream(output: dict, budget: float) -> list[dict]:
    lines = output["text"].splitlines(keepends=True)
    per_part = max(1, int((budget - CODE_PAD) // CODE_LINE))
    return [nbformat.from_dict({**output, "text": "".join(lines[i:i + per_part])})
            for i in range(0, len(lines), per_part)]


def split_cell(cell, state: dict, budget: float = SLIDE_BUDGET) -> list:
    """``cell`` as parts that each fit ``budget``: markdown at blank lines, code between
    lines, long printed output between lines. Parts after the first show no input again."""
    if cell_height(cell, state) <= budget:
        return [cell]
    if cell.cell_type == "markdown":
        groups = _pack(_blocks(cell.source), markdown_height, budget)
        parts = [copy.deepcopy(cell) for _ in groups]
        for part, group in zip(parts, groups):
            part.source = "\n\n".join(group)
    else:
        lines = cell.source.splitlines()
        per_part = max(1, int((budget - CODE_PAD) // CODE_LINE))
        pieces = [("input", "\n".join(lines[i:i + per_part])) for i in range(0, len(lines), per_part)]
        for output in cell.outputs:
            if output["output_type"] == "stream" and output_height(output, state) > budget:
                pieces += [("output", part) for part in _split_stream(output, budget)]
            else:
                pieces.append(("output", output))

        def height(piece):
            kind, value = piece
            return CODE_LINE * _text_lines(value) + CODE_PAD if kind == "input" else output_height(value, state)

        parts = []
        for group in _pack(pieces, height, budget):
            part = copy.deepcopy(cell)
            part.source = "\n".join(value for kind, value in group if kind == "input")
            part.outputs = [value for kind, value in group if kind == "output"]
            if not part.source:
                part.source = cell.source
                part.metadata["tags"] = [*part.metadata.get("tags", []), CONTINUED]
            parts.append(part)
    for number, part in enumerate(parts[1:], start=1):
        part.metadata["slideshow"] = {"slide_type": "-"}
        part.id = f"{cell.id}-{number}"
    return parts


def _slide_type(cell) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def _section_title(cell) -> str | None:
    first = cell.source.lstrip().split("\n", 1)[0] if cell.cell_type == "markdown" else ""
    match = re.match(r"#{1,3} (.+)", first)
    return match.group(1).strip() if match else None


def continued_cell(title: str, number: int, language: str = "en"):
    shown = WORDS[language]["continued"].format(title=html.escape(title))
    cell = nbformat.v4.new_markdown_cell(f'<p class="pl-continued-title">{shown}</p>')
    cell.metadata["slideshow"] = {"slide_type": "subslide"}
    cell.metadata["tags"] = [CONTINUED]
    cell.id = f"continued-{number}"
    return cell


def fit_to_slides(cells, state: dict, budget: float = SLIDE_BUDGET, language: str = "en") -> list:
    """The cells with a new sub-slide wherever a slide would run taller than ``budget``."""
    fitted, height, title = [], 0.0, ""
    for cell in cells:
        kind = _slide_type(cell)
        if kind in ("skip", "notes"):
            fitted.append(cell)
            continue
        if kind in ("slide", "subslide"):
            height = 0.0
            title = _section_title(cell) or title
        for part in split_cell(cell, state, budget - TEXT_LINE):   # room for "(continued)"
            part_height = cell_height(part, state)
            if height and height + part_height > budget:
                fitted.append(continued_cell(title, len(fitted), language))
                height = TEXT_LINE
            fitted.append(part)
            height += part_height
    return fitted


def read_notes(path: Path) -> dict[str, str]:
    """Speaker notes of a chapter: each ``## Heading`` of the notes file -> the text under it.

    >>> import tempfile; notes = Path(tempfile.mkdtemp()) / "n.md"
    >>> _ = notes.write_text("# Notes\\n\\n## A small network\\nSay this.\\n\\nAsk that.\\n")
    >>> read_notes(notes)
    {'A small network': 'Say this.\\n\\nAsk that.'}
    >>> notes.unlink(); notes.parent.rmdir()
    """
    notes, heading = {}, None
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        if line.startswith("## "):
            heading = line[3:].strip()
            notes[heading] = []
        elif heading is not None:
            notes[heading].append(line)
    return {heading: "\n".join(lines).strip() for heading, lines in notes.items()}


def notes_path(path: Path) -> Path:
    """A chapter's speaker notes: .ci/notes/NN_name.md, a translation's .ci/notes/<language>/NN_name.md."""
    return NOTES / course.language_folder(course.language_of(path)) / f"{Path(path).stem}.md"


def english_notebook(path: Path) -> Path:
    """The English notebook that the notebook at ``path`` translates (or is)."""
    if course.language_of(path) == "en":
        return Path(path)
    beside = Path(path).parent.parent / Path(path).name
    return beside if beside.is_file() else NOTEBOOKS / Path(path).name


def _sections(cells) -> dict[str, str]:
    """The ``##`` sections the slideshow shows: title -> cell id."""
    return {_section_title(cell): cell.id for cell in cells if cell.cell_type == "markdown"
            and cell.source.lstrip().startswith("## ") and _slide_type(cell) != "skip"}


def section_notes(cells, path: Path, warnings: list[str] | None = None) -> dict[str, str]:
    """The speaker notes of each section: the id of its heading cell -> the notes.

    A notes heading names its section. A translation's notes file has the English file's
    sections in the same order, so a heading that names no section of the translation (one
    whose title is not translated yet, or was translated in other words) is the English
    file's heading at the same place, and that section's cell id is the same in both."""
    warnings = [] if warnings is None else warnings
    notes, sections = read_notes(notes_path(path)), _sections(cells)
    paired = {}
    if course.language_of(path) != "en":
        english = english_notebook(path)
        english_notes = list(read_notes(notes_path(english)))
        english_sections = _sections(nbformat.read(english, as_version=4).cells) if english.is_file() else {}
        if not notes_path(path).is_file():   # no translation of the notes yet: the English ones
            warnings.append(f"no {_shown(notes_path(path))}: the speaker notes are the English ones")
            notes = read_notes(notes_path(english))
        if len(english_notes) == len(notes):
            paired = {heading: english_sections.get(title) for heading, title in zip(notes, english_notes)}
        else:
            warnings.append(f"{_shown(notes_path(path))} has {len(notes)} sections, "
                            f"{_shown(notes_path(english))} {len(english_notes)}")
    found = {}
    for heading, text in notes.items():
        cell_id = sections.get(heading) or paired.get(heading)
        if cell_id is None or cell_id not in sections.values():
            warnings.append(f"speaker notes for a section it does not have: ## {heading}")
        else:
            found[cell_id] = text
    return found


def next_chapter_cell(path: Path):
    """The closing slide: a link to the next chapter's slides, or back to the list; and the
    same slideshow in the other language."""
    language = course.language_of(path)
    words, chapters = WORDS[language], list(course.chapters(language))
    index_link = course.contents_href(language)
    index = next((i for i, c in enumerate(chapters) if c.slug == Path(path).stem), len(chapters))
    if index + 1 < len(chapters):
        nxt = chapters[index + 1]
        source = words["next"].format(number=nxt.number, title=nxt.title, teaches=nxt.teaches,
                                      href=nxt.filename, index=index_link)
    else:
        source = words["end"].format(index=index_link)
    others = [f"[{WORDS[other]['name']}]({notebook_href(language, other, Path(path).name)})"
              for other in course.LANGUAGES if other != language]
    source += " &nbsp;|&nbsp; " + " &nbsp;|&nbsp; ".join(others)
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["slideshow"] = {"slide_type": "slide"}
    cell.id = "next-chapter"
    return cell


def slide_cells(nb, path: Path, warnings: list[str] | None = None) -> list:
    """The cells of ``nb`` as the slideshow shows them: solutions, navigation and the sentence
    about the setup cell left out, speaker notes after each section heading, long slides
    split, and a closing slide that leads to the next chapter. Words are in the notebook's
    language (its folder's)."""
    warnings = [] if warnings is None else warnings
    language = course.language_of(path)
    cells = [copy.deepcopy(cell) for cell in nb.cells]
    in_solutions = False
    for index, cell in enumerate(cells):
        in_solutions = in_solutions or _is_solutions_heading(cell)
        if in_solutions or _tags(cell) & {SETUP_CELL, NAVIGATION}:
            cell.metadata["slideshow"] = {"slide_type": "skip"}
        before = cells[index - 1] if index else None
        if SETUP_CELL in _tags(cell) and before is not None and before.cell_type == "markdown" \
                and not _section_title(before):
            before.metadata["slideshow"] = {"slide_type": "skip"}   # it explains a cell not shown
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    notes = section_notes(cells, path, warnings)
    with_notes = []
    for cell in fit_to_slides(cells, state, language=language):   # notes go on a section's first slide
        with_notes.append(cell)
        if cell.id in notes and _slide_type(cell) != "skip":
            note = nbformat.v4.new_markdown_cell(notes.pop(cell.id))
            note.metadata["slideshow"] = {"slide_type": "notes"}
            note.id = f"notes-{len(with_notes)}"
            with_notes.append(note)
    return with_notes + [next_chapter_cell(path)]


# ---------------------------------------------------------------------------- exporters

def asset_prefix(language: str) -> str:
    """How a page of ``language`` reaches the assets: they sit once in build/<kind>/."""
    return "../" if course.language_folder(language) else ""


def _exporter(kind: str, language: str = "en"):
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter, SlidesExporter
    from traitlets.config import Config

    prefix = asset_prefix(language)
    config = Config()
    name = "SlidesExporter" if kind == "slides" else "HTMLExporter"
    config[name].require_js_url = prefix + REQUIRE_URL
    config[name].mathjax_url = prefix + MATHJAX_URL
    config[name].widget_renderer_url = prefix + WIDGETS_URL
    config[name].jquery_url = prefix + JQUERY_URL
    if kind == "slides":
        config[name].reveal_url_prefix = prefix + REVEAL_PREFIX
        config[name].reveal_theme = "white"    # its fonts ship with reveal.js; "simple" loads Google Fonts
        cls = SlidesExporter
    else:
        cls = HTMLExporter
    template = slides_template(prefix) if kind == "slides" else PAGE_TEMPLATE
    return cls(config=config, extra_loaders=[DictLoader({TEMPLATE_NAME: template})],
               template_file=TEMPLATE_NAME)


_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"', re.DOTALL)
_WIDGET_SCRIPT = '<script type="application/vnd.jupyter.widget-view+json">'
_HTML_LANG = re.compile(r'<html lang="[^"]*">')


def table_of_contents(body: str, language: str = "en") -> str:
    """A page's ``##`` sections as a list of links, placed before the first section.

    >>> print(table_of_contents('<main><h2 id="A-b">A b<a class="anchor-link" href="#A-b">¶</a></h2>'))
    <main><nav class="pl-toc"><strong>Contents</strong><ol><li><a href="#A-b">A b</a></li></ol></nav><h2 id="A-b">A b<a class="anchor-link" href="#A-b">¶</a></h2>
    """
    items = "".join(f'<li><a href="#{anchor}">{title}</a></li>' for anchor, title in _H2.findall(body))
    if not items:
        return body
    contents = WORDS[language]["contents"]
    return body.replace("<main>", f'<main><nav class="pl-toc"><strong>{contents}</strong><ol>{items}</ol></nav>', 1)


def snapshot_note(language: str = "en") -> str:
    return f'<p class="pl-snapshot">{WORDS[language]["snapshot"]}</p>'


SNAPSHOT_NOTE = snapshot_note()


def _export(exporter, path: Path, kind: str) -> str:
    language = course.language_of(path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["title"] = f"{page_title(path)} | Parameter Lab"
    warnings: list[str] = []
    if kind == "slides":
        nb.cells = slide_cells(nb, path, warnings)
    elif kind == "answers":
        nb = answer_key(nb, path)
    for warning in warnings:
        print(f"warning: {_shown(path)}: {warning}", file=sys.stderr)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem,
                                                                      "path": str(path.parent)}})
    if any("```mermaid" in cell.source for cell in nb.cells if cell.cell_type == "markdown"):
        print(f"warning: {_shown(path)} has a mermaid diagram, which the offline {kind} "
              "pages show as source", file=sys.stderr)
    if kind == "html":
        body = table_of_contents(body, language).replace(_WIDGET_SCRIPT, snapshot_note(language) + _WIDGET_SCRIPT)
    return _HTML_LANG.sub(f'<html lang="{language}">', body, count=1)


def known_pages(out: Path, suffix: str, built: list[Path]) -> dict[str, str]:
    """Every page a link may point to (see :func:`rewrite_href`): the pages being built, those
    an earlier build left in ``out``, and the index page of every language that has one."""
    pages = {}
    for language in course.LANGUAGES:
        folder = course.language_folder(language)
        for page in sorted((out / folder).glob("*" + suffix)):
            stem = page.name[:-len(suffix)]
            if course.NOTEBOOK_PATTERN.fullmatch(stem):
                pages[posixpath.join(folder, stem)] = posixpath.join(folder, page.name)
        if (out / folder / "index.html").is_file() or any(course.language_of(p) == language for p in built):
            pages[index_key(language)] = posixpath.join(folder, "index.html")
    for path in built:
        pages[page_key(path)] = posixpath.join(course.language_folder(course.language_of(path)), path.stem + suffix)
    return pages


def _write_pages(bodies: dict[Path, str], out: Path, suffix: str) -> list[Path]:
    pages = known_pages(out, suffix, list(bodies))
    written = []
    for path, body in bodies.items():
        language, warnings = course.language_of(path), []
        body = rewrite_page_links(body, pages, warnings, language).replace("</head>", LINK_CSS + "</head>", 1)
        switch = language_switch(page_key(path), language, pages)
        body = body.replace("<main>", "<main>" + switch, 1)   # a slideshow's too, fixed in a corner
        for href in warnings:
            print(f"note: {_shown(path)}: link to {href} has no page yet; kept as text", file=sys.stderr)
        target = out / pages[page_key(path)]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        written.append(target)
        print(f"wrote {_shown(target)}")
    return written


def _index_page(title: str, intro: str, rows: list[str], language: str = "en", switch: str = "") -> str:
    words = WORDS[language]
    columns = "".join(f"<th>{html.escape(column)}</th>" for column in words["columns"])
    return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{PAGE_CSS}</style>
</head>
<body>
<main>
{switch}
<h1>{html.escape(title)}</h1>
{intro}
<table>
<thead><tr>{columns}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p>{words["source"]} <a href="{REPO_URL}">{REPO_URL}</a></p>
</main>
</body>
</html>
"""


def _index_rows(out: Path, suffix: str, language: str = "en") -> list[str]:
    """A row per chapter of ``language``; ``out`` is that language's folder of pages."""
    rows = []
    for chapter in course.chapters(language):
        page = out / (chapter.slug + suffix)
        title = html.escape(chapter.title)
        cell = (f'<a href="{page.name}">{title}</a>' if page.exists()
                else f'{title} <span class="pending">{WORDS[language]["pending"]}</span>')
        rows.append(f"<tr><td>{chapter.number}</td><td>{cell}</td>"
                    f"<td>{html.escape(chapter.teaches)}</td></tr>")
    return rows


# ---------------------------------------------------------------------------- commands

SLIDES_INTRO, HTML_INTRO, ANSWERS_INTRO = (WORDS["en"][kind][1] for kind in ("slides", "html", "answers"))
KINDS = {  # kind -> exporter, page suffix (the index's title and introduction are WORDS[language][kind])
    "slides": ("slides", ".slides.html"),
    "html": ("html", ".html"),
    "answers": ("html", ".html"),
}


def _build_pages(paths: list[Path], out: Path, npm_dir: Path, kind: str) -> list[Path]:
    """Pages of ``kind`` for ``paths``: English in ``out``, a translation in ``out/<language>/``,
    an index page per language built; the assets once, in ``out``."""
    exporter_kind, suffix = KINDS[kind]
    out.mkdir(parents=True, exist_ok=True)
    install_assets(fetch_npm_packages(npm_dir), out, slides=kind == "slides")
    languages = [language for language in course.LANGUAGES if any(course.language_of(p) == language for p in paths)]
    exporters = {language: _exporter(exporter_kind, language) for language in languages}
    bodies = {path: _export(exporters[course.language_of(path)], path, kind) for path in paths}
    written = _write_pages(bodies, out, suffix)
    pages = known_pages(out, suffix, list(paths))
    for language in languages:
        title, intro = WORDS[language][kind]
        folder = out / course.language_folder(language)
        index = folder / "index.html"
        index.write_text(_index_page(title, intro, _index_rows(folder, suffix, language), language,
                                     language_switch(index_key(language), language, pages)), encoding="utf-8")
        print(f"wrote {_shown(index)}")
    return written


def build_slides(paths: list[Path], out: Path, npm_dir: Path) -> list[Path]:
    """A reveal.js slideshow per notebook in ``out``, plus an index page; nothing remote."""
    return _build_pages(paths, out, npm_dir, "slides")


def build_html(paths: list[Path], out: Path, npm_dir: Path) -> list[Path]:
    """Every notebook as a page with its saved outputs and widget state, plus index.html."""
    return _build_pages(paths, out, npm_dir, "html")


def build_answers(paths: list[Path], out: Path, npm_dir: Path) -> list[Path]:
    """The answer key: a page per chapter with every question and its worked solution."""
    return _build_pages(paths, out, npm_dir, "answers")


@contextlib.contextmanager
def helpers_language(language: str):
    """The helpers speak ``language`` inside (``helpers.setup(language=...)``), as before after."""
    import helpers
    from helpers import session

    before = session.language()
    helpers.setup(language=language)
    try:
        yield
    finally:
        helpers.setup(language=before)


def answer_key(nb, path: Path):
    """A notebook of one chapter's questions, each with its hint and its worked solution
    (the solution cell of the full notebook, with its saved output), in the notebook's language:
    the helpers give the headings, prompts, hints and model answers in it."""
    from helpers import exercises

    language = course.language_of(path)
    words = WORDS[language]
    solved = {}
    for cell in nb.cells[_solutions_start(nb.cells) or len(nb.cells):]:
        found = re.search(r"\bex\.q(\d+)\.(check|solution)\(", cell.source)
        if cell.cell_type == "code" and found:
            solved[int(found.group(1))] = copy.deepcopy(cell)
    cells = [nbformat.v4.new_markdown_cell(words["answer_title"].format(title=page_title(path)))]
    with helpers_language(language):
        for number, question in enumerate(exercises.load(path.stem), start=1):
            cells.append(nbformat.v4.new_markdown_cell(
                f"## {question.heading().rstrip('.。')}\n\n{question.prompt}\n\n"
                + words["answer_hint"].format(number=number, hint=question.text("hint"))))
            if question.kind == "thought":
                cells.append(nbformat.v4.new_markdown_cell(words["model_answer"].format(answer=question.text("solution"))))
            else:
                cells.append(solved.get(number) or nbformat.v4.new_code_cell(question.solution_code))
    for number, cell in enumerate(cells):
        cell.id = f"answer-{number}"
        cell.metadata.pop("slideshow", None)
    key = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(nb.metadata))
    key.metadata.pop("widgets", None)
    return key


SOLUTIONS_COLLAPSED = "jp-MarkdownHeadingCollapsed"   # the cell metadata JupyterLab 4 reads
# The Solutions heading of every language (course.HEADINGS); a translation whose heading is not
# translated yet still has the English one.
SOLUTIONS_HEADINGS = tuple(dict.fromkeys(words["solutions"] for words in course.HEADINGS.values()))


def collapse_solutions(nb) -> bool:
    """Fold the Solutions section (``## Solutions``, ``## 参考答案``) when the notebook opens in
    JupyterLab; False if absent."""
    start = _solutions_start(nb.cells)
    if start is None:
        return False
    nb.cells[start].metadata[SOLUTIONS_COLLAPSED] = True
    return True


def without_solutions(source: str) -> str:
    """A code cell's source with every exercise loader switched to the student mode.

    >>> without_solutions('ex = helpers.exercises.load("01_parameter_access")')
    'ex = helpers.exercises.load("01_parameter_access", solutions=False)'
    """
    return LOAD_CALL.sub(r"\1, solutions=False)", source)


def _is_solutions_heading(cell) -> bool:
    """
    >>> _is_solutions_heading(nbformat.v4.new_markdown_cell("## 参考答案\\n\\n..."))
    True
    """
    return cell.cell_type == "markdown" and any(
        re.match(rf"{re.escape(heading)}\s*$", cell.source.lstrip().split("\n", 1)[0]) for heading in SOLUTIONS_HEADINGS)


def _solutions_start(cells) -> int | None:
    return next((i for i, cell in enumerate(cells) if _is_solutions_heading(cell)), None)


def student_copy(nb, language: str = "en"):
    """A copy of ``nb`` (a notebook of ``language``) for graded work: no outputs, no widget
    state, no solutions.

    The Solutions section and everything after it go, except the closing navigation cell; any
    other code cell tagged ``solution`` becomes ``# your code here`` (in the language); the
    exercises load with ``solutions=False``, so ``ex.qN.solution()`` says the solutions are with
    the teacher while checks and hints work.
    """
    words = WORDS[language]
    nb = copy.deepcopy(nb)
    cells = list(nb.cells)
    footer = cells[-1] if cells and "navigation" in _tags(cells[-1]) else None
    end = _solutions_start(cells)
    kept = cells[:end] if end is not None else [c for c in cells if c is not footer]
    result = []
    for cell in kept:
        if cell.cell_type == "code":
            if "solution" in _tags(cell):
                cell.source = words["placeholder"]
                tags = [t for t in cell.metadata.get("tags", []) if t != "solution"]
                if tags:
                    cell.metadata["tags"] = tags
                else:
                    cell.metadata.pop("tags", None)
            cell.source = without_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        if cell.cell_type == "markdown":
            cell.source = rewrite_markdown_links(cell.source, language)
        result.append(cell)
    if end is not None:
        note = nbformat.v4.new_markdown_cell(words["student_note"])
        note.id = "student-copy-note"
        note.metadata["slideshow"] = {"slide_type": "skip"}
        result.append(note)
    if footer is not None:
        footer.source = rewrite_markdown_links(footer.source, language)
        result.append(footer)
    nb.cells = result
    nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    return nb


def build_student(paths: list[Path], out: Path) -> list[Path]:
    """Student copies in ``out`` (English) and ``out/<language>/`` (a translation): the same
    folders as notebooks/, so the links between copies work."""
    written = []
    for path in paths:
        language = course.language_of(path)
        target = out / course.language_folder(language) / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_copy(nbformat.read(path, as_version=4), language), target)
        written.append(target)
        print(f"wrote {_shown(target)}")
    return written


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    builders = {"slides": ("reveal.js slideshows", build_slides), "student": ("student copies", None),
                "html": ("a static site", build_html), "answers": ("the answer key", build_answers)}
    for name, (what, _) in builders.items():
        cmd = sub.add_parser(name, help=f"build {what} under OUT/{name}/ (a translation under OUT/{name}/<language>/)")
        cmd.add_argument("paths", nargs="*", type=Path,
                         help="notebooks to build (default: every notebooks/*.ipynb and notebooks/<language>/*.ipynb)")
        cmd.add_argument("--out", type=Path, default=BUILD,
                         help=f"build folder; output goes to OUT/{name}/ (default: build/)")
        if name != "student":
            cmd.add_argument("--npm-dir", type=Path, default=BUILD / "npm",
                             help="where the pinned npm packages are unpacked (default: build/npm)")
    fold = sub.add_parser("collapse-solutions", help="fold each notebook's Solutions section in JupyterLab "
                                                     "(edits the notebooks in place)")
    fold.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = discover(args.paths)
    if args.command == "collapse-solutions":
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            if collapse_solutions(nb):
                nbformat.write(nb, path)
                print(f"folded the Solutions section of {_shown(path)}")
        return paths
    out = args.out.resolve() / args.command
    if args.command == "student":
        return build_student(paths, out)
    return builders[args.command][1](paths, out, args.npm_dir.resolve())


if __name__ == "__main__":
    main()
