"""Maintainer tool for the notebooks: normalize and re-execute them, print links, publish.

    python .ci/nbtool.py refresh notebooks/01_parameter_access.ipynb   # normalize + execute in place
    python .ci/nbtool.py normalize notebooks/*.ipynb                   # only the generated parts
    python .ci/nbtool.py links                                         # Binder, Colab, JupyterHub
    python .ci/nbtool.py readme                                        # the README's clone line and table
    python .ci/nbtool.py publish --owner me --repo my-lab              # `make publish` runs this

The generated parts of a notebook are the navigation bars (first and last cell), the
shared setup cell (first code cell) and the slideshow metadata; everything else is
written by hand in JupyterLab.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import nbformat

import course

ROOT = course.ROOT
NOTEBOOKS = ROOT / "notebooks"

NO_DEPS = next(line.split(":", 1)[1].strip()
               for line in (ROOT / "requirements.txt").read_text().splitlines()
               if line.startswith("# no-deps:"))

SETUP_SOURCE = f'''\
# Runs everywhere; on Colab it first installs what Colab lacks (d2l and the helpers).
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "{NO_DEPS}",
                    "{course.pip_source()}"], check=True)
try:
    import helpers
except ModuleNotFoundError:
    raise ModuleNotFoundError("The Parameter Lab helpers are not installed in this kernel: run "
                              "`make lab` from the repository, or `pip install -e .` in it.") from None
if not hasattr(helpers, "setup"):
    raise ImportError(f"Your file {{helpers.__file__}} hides the Parameter Lab helpers: rename it "
                      "(and delete its __pycache__), then restart the kernel.")
helpers.setup()'''

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def chapter_of(path: Path) -> course.Chapter:
    return course.chapter_by_slug(Path(path).stem)


def nav_markdown(chapter: course.Chapter, *, top: bool) -> str:
    index = course.CHAPTERS.index(chapter)
    parts = []
    if index > 0:
        prev = course.CHAPTERS[index - 1]
        parts.append(f"< [{prev.number}. {prev.title}]({prev.filename})")
    parts.append("[Contents](../README.md#chapters)")
    if index + 1 < len(course.CHAPTERS):
        nxt = course.CHAPTERS[index + 1]
        parts.append(f"[{nxt.number}. {nxt.title}]({nxt.filename}) >")
    bar = " | ".join(parts)
    if top:
        return f"*Parameter Lab, chapter {chapter.number}* | {bar}\n\n{course.badges_markdown(chapter)}"
    return bar


def _tagged(cell, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", [])


def normalize(nb, chapter: course.Chapter) -> None:
    """Write the generated parts of ``nb`` in place: navigation, setup cell, slide types, kernelspec."""
    navigation = [c for c in nb.cells if _tagged(c, "navigation")]
    header, footer = (navigation if len(navigation) == 2 else
                      [nbformat.v4.new_markdown_cell(), nbformat.v4.new_markdown_cell()])
    header.source = nav_markdown(chapter, top=True)
    footer.source = nav_markdown(chapter, top=False)
    for cell in (header, footer):
        cell.metadata["tags"] = ["navigation"]

    # The setup cell closes the introduction: before the first section or the first code cell.
    setups = [c for c in nb.cells if _tagged(c, "setup")]
    setup_cell = setups[0] if setups else nbformat.v4.new_code_cell()
    setup_cell.metadata["tags"] = ["setup"]
    setup_cell.source = SETUP_SOURCE
    cells = [c for c in nb.cells if not _tagged(c, "navigation") and not _tagged(c, "setup")]
    position = next((i for i, c in enumerate(cells)
                     if c.cell_type == "code" or c.source.lstrip().startswith("## ")), len(cells))
    cells.insert(position, setup_cell)

    nb.cells = [header, *cells, footer]
    _assign_slides(nb.cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.nbformat, nb.nbformat_minor = 4, 5


def _assign_slides(cells) -> None:
    """One slide per section, one subslide per idea (a paragraph and its code); solutions and
    navigation are left out of the slideshow."""
    in_solutions = False
    for index, cell in enumerate(cells):
        text = cell.source.lstrip()
        if cell.cell_type == "markdown" and text.startswith("## Solutions"):
            in_solutions = True
        if _tagged(cell, "navigation") or _tagged(cell, "setup") or in_solutions:
            kind = "skip"
        elif cell.cell_type == "markdown" and (text.startswith("# ") or text.startswith("## ")):
            kind = "slide"
        elif cell.cell_type == "markdown":
            kind = "subslide"
        else:
            kind = "-"
        cell.metadata["slideshow"] = {"slide_type": kind}


def _has_widget_output(nb) -> bool:
    return any("application/vnd.jupyter.widget-view+json" in output.get("data", {})
               for cell in nb.cells if cell.cell_type == "code" for output in cell.get("outputs", []))


def execute(nb, *, timeout: int = 900) -> None:
    """Run ``nb`` top to bottom in a fresh kernel from ``notebooks/``, keeping widget state."""
    from nbclient import NotebookClient

    # A busy kernel may send one print in pieces; nbval joins a cell's streams the same way.
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}},
                            store_widget_state=True, record_timing=False, coalesce_streams=True)
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def refresh(paths: list[Path]) -> None:
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        normalize(nb, chapter_of(path))
        execute(nb)
        if not _has_widget_output(nb):
            nb.metadata.pop("widgets", None)
        nbformat.validate(nb)
        nbformat.write(nb, path)
        print(f"refreshed {path}")


def normalize_files(paths: list[Path]) -> None:
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        normalize(nb, chapter_of(path))
        nbformat.write(nb, path)
        print(f"normalized {path}")


def generated_block(name: str) -> tuple[str, str]:
    """The markers around a part of the README that `nbtool.py readme` writes."""
    return f"<!-- {name}:start (generated by `python .ci/nbtool.py readme`) -->", f"<!-- {name}:end -->"


# A study-time estimate from the notebook itself: prose read at 100 words a minute (technical
# text with formulas), a minute per code cell (read, run, look at the output), and five
# minutes per exercise check; rounded up to a quarter of an hour.
WORDS_PER_MINUTE, MINUTES_PER_CODE_CELL, MINUTES_PER_EXERCISE = 100, 1, 5


def study_minutes(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if not _tagged(c, "navigation") and not _tagged(c, "setup")]
    solutions = next((i for i, c in enumerate(cells) if c.source.lstrip().startswith("## Solutions")), len(cells))
    cells = cells[:solutions]
    words = sum(len(c.source.split()) for c in cells if c.cell_type == "markdown")
    code = [c for c in cells if c.cell_type == "code"]
    exercises = sum(bool(re.search(r"\bex\.q\d+\.check\(", c.source)) for c in code)
    minutes = (words / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * (len(code) - exercises)
               + MINUTES_PER_EXERCISE * exercises)
    return 15 * -(-int(minutes) // 15)


def chapter_table() -> str:
    """The README's chapter table: pitch, estimated study time, Colab and Binder badges."""
    rows = ["| # | Chapter | What you learn | Time | Open |", "|---|---|---|---|---|"]
    for chapter in course.CHAPTERS:
        minutes = study_minutes(NOTEBOOKS / chapter.filename)
        rows.append(f"| {chapter.number} | [{chapter.title}](notebooks/{chapter.filename}) "
                    f"| {chapter.teaches} | {minutes} min | {course.badges_markdown(chapter)} |")
    return "\n".join(rows)


def start_commands() -> str:
    """The README's first commands: clone the repository as published, then `make lab`."""
    return f"```bash\ngit clone {course.repo_url()}.git\ncd {course.REPO}\nmake lab\n```"


def update_readme(path: Path = ROOT / "README.md") -> None:
    text = path.read_text()
    for name, content in (("start", start_commands()), ("chapters", chapter_table())):
        start, end = generated_block(name)
        head, rest = text.split(start, 1)
        text = head + start + "\n" + content + "\n" + end + rest.split(end, 1)[1]
    path.write_text(text)
    print(f"updated {path.name}: start commands and chapter table")


# GitHub's rules for owner and repository names; a branch or host name without spaces or quotes.
SETTING_PATTERNS = {"owner": r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})", "repo": r"[A-Za-z0-9._-]{1,100}",
                    "branch": r"[A-Za-z0-9._/-]{1,100}", "hub": r"[A-Za-z0-9.-]+(?::\d+)?"}


def publish(pyproject: Path, **setting: str | None) -> None:
    """Write the publishing setting into pyproject.toml's ``[tool.parameter-lab]`` table."""
    text = pyproject.read_text()
    for key, value in setting.items():
        if value is None:
            continue
        if not re.fullmatch(SETTING_PATTERNS[key], value):
            raise SystemExit(f"{key.upper()}={value!r} is not a valid {key} name")
        text, count = re.subn(rf'(?m)^{key} = ".*"$', f'{key} = "{value}"', text, count=1)
        if count != 1:
            raise SystemExit(f"{pyproject} has no `{key} = ...` line under [tool.parameter-lab]")
    pyproject.write_text(text)
    print("published as " + ", ".join(f"{k}={v}" for k, v in course.publishing(pyproject.parent).items()))


def links() -> None:
    for chapter in course.CHAPTERS:
        print(f"{chapter.number}. {chapter.title} ({chapter.filename})")
        print(f"   Binder:      {course.binder_url(chapter)}")
        print(f"   Colab:       {course.colab_url(chapter)}")
        print(f"   JupyterHub:  {course.nbgitpuller_url(chapter)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("refresh", "normalize"):
        cmd = sub.add_parser(name)
        cmd.add_argument("paths", nargs="+", type=Path)
    sub.add_parser("links")
    sub.add_parser("readme")
    cmd = sub.add_parser("publish")
    for key in course.SETTING_KEYS:
        cmd.add_argument(f"--{key}", required=key in ("owner", "repo"))
    args = parser.parse_args(argv)
    if args.command == "refresh":
        refresh(args.paths)
    elif args.command == "normalize":
        normalize_files(args.paths)
    elif args.command == "readme":
        update_readme()
    elif args.command == "publish":
        publish(ROOT / "pyproject.toml", **{key: getattr(args, key) for key in course.SETTING_KEYS})
    else:
        links()


if __name__ == "__main__":
    main()
