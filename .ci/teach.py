"""Teaching material built from the notebooks: slides, student copies, a static site.

    python .ci/teach.py slides    # build/slides/: a reveal.js slideshow per chapter, offline
    python .ci/teach.py student   # build/student/: copies without outputs or solutions, checks kept
    python .ci/teach.py html      # build/html/: index page + every chapter with outputs and widgets

Each command works on every notebook it finds (notebooks/*.ipynb, or the paths given) and
writes only under --out (default: build/, which git ignores).

Slides and pages load nothing from the internet. reveal.js, require.js, jQuery, MathJax 2 and
the Jupyter widget manager come from npm at the exact versions in NPM_PACKAGES: `npm pack`
fetches each once into --npm-dir (default: build/npm), and the files the pages need are
copied next to them, so build/slides/ and build/html/ can be zipped and opened anywhere.
Links between notebooks become links between pages; the link to the README's chapter list
becomes the index page.
"""

from __future__ import annotations

import argparse
import copy
import html
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
sys.path.insert(0, str(ROOT))

from helpers import course  # noqa: E402  (after the path is set, when run from a clean clone)

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

# nbconvert's templates import mermaid.js from a CDN (the slides template always does). No
# chapter draws a mermaid diagram, so the block is dropped instead of vendored.
TEMPLATE_NAME = "parameter_lab.html.j2"
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""

STUDENT_PLACEHOLDER = "# your code here"
STUDENT_NOTE = ("*This is the student copy: the worked solutions that end the full notebook are "
                "left out. `ex.qN.hint()` gives a nudge when you are stuck.*")
REPO_URL = f"https://github.com/{course.OWNER}/{course.REPO}"

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
"""


# ---------------------------------------------------------------------------- notebooks

def discover(paths: list[Path] | None = None) -> list[Path]:
    """The notebooks to build: the given paths, or every notebooks/*.ipynb, sorted."""
    found = sorted(Path(p).resolve() for p in paths) if paths else sorted(NOTEBOOKS.glob("*.ipynb"))
    if not found:
        raise SystemExit("no notebooks found in notebooks/")
    missing = [str(p) for p in found if not p.is_file()]
    if missing:
        raise SystemExit(f"no such notebook: {', '.join(missing)}")
    return found


def chapter_of(path: Path) -> course.Chapter | None:
    try:
        return course.chapter_by_slug(Path(path).stem)
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


def repo_path(href: str) -> str:
    """The repository path a relative link in a notebook points to ('' if outside the repo).

    >>> repo_path("../README.md"), repo_path("02_initialization.ipynb"), repo_path("../../x")
    ('README.md', 'notebooks/02_initialization.ipynb', '')
    """
    target = posixpath.normpath(posixpath.join("notebooks", href))
    return "" if target == ".." or target.startswith("../") else target


def rewrite_href(href: str, pages: dict[str, str]) -> str | None:
    """Where a link of a notebook should point on a built page; ``None`` drops the link.

    ``pages`` maps each notebook stem that has a page to that page's file name. Links
    between notebooks go to the pages; the README's chapter list goes to ``index.html``;
    any other file of the repository goes to GitHub; absolute URLs and anchors stay.

    >>> pages = {"01_parameter_access": "01_parameter_access.html"}
    >>> rewrite_href("01_parameter_access.ipynb#Counting", pages)
    '01_parameter_access.html#Counting'
    >>> rewrite_href("../README.md#chapters", pages)
    'index.html'
    >>> rewrite_href("05_weight_decay.ipynb", pages) is None
    True
    >>> rewrite_href("https://d2l.ai", pages)
    'https://d2l.ai'
    """
    if not href or href.startswith(("#", "//")) or _SCHEME.match(href):
        return href
    path, _, fragment = href.partition("#")
    path = path.split("?", 1)[0]
    target = repo_path(path)
    anchor = f"#{fragment}" if fragment else ""
    if target.startswith("notebooks/") and target.endswith(".ipynb") and target.count("/") == 1:
        page = pages.get(posixpath.basename(target)[:-len(".ipynb")])
        return page + anchor if page else None
    if target == "README.md":
        return "index.html" if fragment in ("", "chapters") else f"{REPO_URL}#{fragment}"
    if target and (ROOT / target).exists():
        kind = "tree" if (ROOT / target).is_dir() else "blob"
        return f"{REPO_URL}/{kind}/{course.BRANCH}/{target}{anchor}"
    return None


_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.DOTALL)
_HREF = re.compile(r'\bhref="([^"]*)"')
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = r'\b{}="([^"]*)"'
_SCRIPT = re.compile(r"(<script\b.*?</script>)", re.DOTALL | re.IGNORECASE)


def rewrite_page_links(page: str, pages: dict[str, str], warnings: list[str] | None = None) -> str:
    """Make a page built from a notebook navigable offline.

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
        new = rewrite_href(html.unescape(href.group(1)), pages)
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


_MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


def rewrite_markdown_links(source: str) -> str:
    """In a student copy, links to repository files that are not notebooks go to GitHub.

    >>> rewrite_markdown_links("[Contents](../README.md#chapters) | [2. Next](02_x.ipynb) >")
    '[Contents](https://github.com/parameter-lab/parameter-lab#chapters) | [2. Next](02_x.ipynb) >'
    """
    def link(match: re.Match) -> str:
        href = match.group(1)
        if href.startswith("#") or _SCHEME.match(href) or href.split("#")[0].endswith(".ipynb"):
            return match.group(0)
        path, _, fragment = href.partition("#")
        target = repo_path(path)
        if target == "README.md":
            new = REPO_URL + (f"#{fragment}" if fragment else "")
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


# ---------------------------------------------------------------------------- exporters

def _exporter(kind: str):
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter, SlidesExporter
    from traitlets.config import Config

    config = Config()
    name = "SlidesExporter" if kind == "slides" else "HTMLExporter"
    config[name].require_js_url = REQUIRE_URL
    config[name].mathjax_url = MATHJAX_URL
    config[name].widget_renderer_url = WIDGETS_URL
    config[name].jquery_url = JQUERY_URL
    if kind == "slides":
        config[name].reveal_url_prefix = REVEAL_PREFIX
        config[name].reveal_theme = "white"    # its fonts ship with reveal.js; "simple" loads Google Fonts
        config[name].reveal_scroll = True      # long code cells scroll instead of overflowing
        config[name].reveal_number = "c/t"
        cls = SlidesExporter
    else:
        cls = HTMLExporter
    return cls(config=config, extra_loaders=[DictLoader({TEMPLATE_NAME: TEMPLATE})],
               template_file=TEMPLATE_NAME)


def _export(exporter, path: Path, suffix: str) -> str:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["title"] = f"{page_title(path)} | Parameter Lab"
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem,
                                                                      "path": str(path.parent)}})
    if any("```mermaid" in cell.source for cell in nb.cells if cell.cell_type == "markdown"):
        print(f"warning: {path.name} has a mermaid diagram, which the offline {suffix} "
              "pages show as source", file=sys.stderr)
    return body


def _write_pages(bodies: dict[Path, str], out: Path, suffix: str) -> list[Path]:
    pages = {path.stem: path.stem + suffix for path in bodies}
    pages.update({page.name[:-len(suffix)]: page.name for page in out.glob("*" + suffix)})
    written = []
    for path, body in bodies.items():
        warnings: list[str] = []
        body = rewrite_page_links(body, pages, warnings).replace("</head>", LINK_CSS + "</head>", 1)
        for href in warnings:
            print(f"note: {path.name}: link to {href} has no page yet; kept as text", file=sys.stderr)
        target = out / (path.stem + suffix)
        target.write_text(body, encoding="utf-8")
        written.append(target)
        print(f"wrote {_shown(target)}")
    return written


def _index_page(title: str, intro: str, rows: list[str]) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{PAGE_CSS}</style>
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
{intro}
<table>
<thead><tr><th>#</th><th>Chapter</th><th>What you learn</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p>Source, notebooks and exercises: <a href="{REPO_URL}">{REPO_URL}</a></p>
</main>
</body>
</html>
"""


def _index_rows(out: Path, suffix: str) -> list[str]:
    rows = []
    for chapter in course.CHAPTERS:
        page = out / (chapter.slug + suffix)
        title = html.escape(chapter.title)
        cell = (f'<a href="{page.name}">{title}</a>' if page.exists()
                else f'{title} <span class="pending">(not published yet)</span>')
        rows.append(f"<tr><td>{chapter.number}</td><td>{cell}</td>"
                    f"<td>{html.escape(chapter.teaches)}</td></tr>")
    return rows


# ---------------------------------------------------------------------------- commands

SLIDES_INTRO = ("<p>One slideshow per chapter: each section is a slide, each idea a sub-slide "
                "(&darr;), exercises last; worked solutions are left out. Keys: &rarr;/Space next, "
                "Esc overview, F full screen, S speaker view. The slides show the saved outputs; "
                "to run code live, present the notebook in JupyterLab (Alt+R).</p>")
HTML_INTRO = ("<p>A hands-on course on how neural-network parameters live in PyTorch. Each page "
              "is a chapter as saved, with its printed outputs, figures and widgets in their "
              "saved state. To run the code and move the widgets, open the notebook in "
              "JupyterLab, Colab or Binder (links at the top of each chapter).</p>")


def _build_pages(paths: list[Path], out: Path, npm_dir: Path, *, slides: bool) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    install_assets(fetch_npm_packages(npm_dir), out, slides=slides)
    kind, label, suffix = ("slides", "slides", ".slides.html") if slides else ("html", "HTML", ".html")
    exporter = _exporter(kind)
    bodies = {path: _export(exporter, path, label) for path in paths}
    written = _write_pages(bodies, out, suffix)
    title, intro = ("Parameter Lab slides", SLIDES_INTRO) if slides else ("Parameter Lab", HTML_INTRO)
    index = out / "index.html"
    index.write_text(_index_page(title, intro, _index_rows(out, suffix)), encoding="utf-8")
    print(f"wrote {_shown(index)}")
    return written


def build_slides(paths: list[Path], out: Path, npm_dir: Path) -> list[Path]:
    """A reveal.js slideshow per notebook in ``out``, plus an index page; nothing remote."""
    return _build_pages(paths, out, npm_dir, slides=True)


def build_html(paths: list[Path], out: Path, npm_dir: Path) -> list[Path]:
    """Every notebook as a page with its saved outputs and widget state, plus index.html."""
    return _build_pages(paths, out, npm_dir, slides=False)


def student_copy(nb):
    """A copy of ``nb`` for students: no outputs, no widget state, no solutions, checks kept.

    The ``## Solutions`` section and everything after it go, except the closing navigation
    cell; any other code cell tagged ``solution`` becomes ``# your code here``.
    """
    nb = copy.deepcopy(nb)
    cells = list(nb.cells)
    footer = cells[-1] if cells and "navigation" in _tags(cells[-1]) else None
    end = next((i for i, cell in enumerate(cells) if cell.cell_type == "markdown"
                and cell.source.lstrip().startswith("## Solutions")), None)
    kept = cells[:end] if end is not None else [c for c in cells if c is not footer]
    result = []
    for cell in kept:
        if cell.cell_type == "code":
            if "solution" in _tags(cell):
                cell.source = STUDENT_PLACEHOLDER
                tags = [t for t in cell.metadata.get("tags", []) if t != "solution"]
                if tags:
                    cell.metadata["tags"] = tags
                else:
                    cell.metadata.pop("tags", None)
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        if cell.cell_type == "markdown":
            cell.source = rewrite_markdown_links(cell.source)
        result.append(cell)
    if end is not None:
        note = nbformat.v4.new_markdown_cell(STUDENT_NOTE)
        note.id = "student-copy-note"
        note.metadata["slideshow"] = {"slide_type": "skip"}
        result.append(note)
    if footer is not None:
        footer.source = rewrite_markdown_links(footer.source)
        result.append(footer)
    nb.cells = result
    nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    return nb


def build_student(paths: list[Path], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        target = out / path.name
        nbformat.write(student_copy(nbformat.read(path, as_version=4)), target)
        written.append(target)
        print(f"wrote {_shown(target)}")
    return written


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, what in (("slides", "reveal.js slideshows"), ("student", "student copies"),
                       ("html", "a static site")):
        cmd = sub.add_parser(name, help=f"build {what} under OUT/{name}/")
        cmd.add_argument("paths", nargs="*", type=Path,
                         help="notebooks to build (default: every notebooks/*.ipynb)")
        cmd.add_argument("--out", type=Path, default=BUILD,
                         help=f"build folder; output goes to OUT/{name}/ (default: build/)")
        if name != "student":
            cmd.add_argument("--npm-dir", type=Path, default=BUILD / "npm",
                             help="where the pinned npm packages are unpacked (default: build/npm)")
    args = parser.parse_args(argv)
    paths = discover(args.paths)
    out = args.out.resolve() / args.command
    if args.command == "slides":
        return build_slides(paths, out, args.npm_dir.resolve())
    if args.command == "html":
        return build_html(paths, out, args.npm_dir.resolve())
    return build_student(paths, out)


if __name__ == "__main__":
    main()
