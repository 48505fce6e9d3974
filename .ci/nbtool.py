"""Maintainer tool for the notebooks: normalize and re-execute them, print links, publish.

    python .ci/nbtool.py refresh notebooks/01_parameter_access.ipynb   # normalize + execute in place
    python .ci/nbtool.py normalize notebooks/*.ipynb                   # only the generated parts
    python .ci/nbtool.py links                                         # Binder, Colab, JupyterHub
    python .ci/nbtool.py readme                                        # the README's clone line and table
    python .ci/nbtool.py publish --owner me --repo my-lab              # `make publish` runs this
    python .ci/nbtool.py translate zh-CN                               # bring notebooks/zh-CN/ in step
    python .ci/nbtool.py stamp notebooks/zh-CN/01_parameter_access.ipynb [CELL_ID ...]  # after translating

The generated parts of a notebook are the navigation bars (first and last cell), the
shared setup cell (first code cell) and the slideshow metadata; everything else is
written by hand in JupyterLab.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import re
from pathlib import Path

import nbformat

import course

ROOT = course.ROOT
NOTEBOOKS = ROOT / "notebooks"

NO_DEPS = next(line.split(":", 1)[1].strip()
               for line in (ROOT / "requirements.txt").read_text().splitlines()
               if line.startswith("# no-deps:"))

# The setup cell in each language: the one code cell that a translation writes in its own
# words (its messages appear before the helpers, and so their catalog, are imported).
SETUP_WORDS = {
    "en": {"comment": "Runs everywhere; on Colab it first installs what Colab lacks (d2l and the helpers).",
           "missing": ('"The Parameter Lab helpers are not installed in this kernel: run "\n'
                       '                              "`make lab` from the repository, or `pip install -e .` in it."'),
           "hidden": ('f"Your file {helpers.__file__} hides the Parameter Lab helpers: rename it "\n'
                      '                      "(and delete its __pycache__), then restart the kernel."'),
           "call": "helpers.setup()"},
    "zh-CN": {"comment": "在任何环境都能运行；在 Colab 上先安装 Colab 缺少的 d2l 和 helpers。",
              "missing": ('"这个内核里没有安装 Parameter Lab 的 helpers：请在仓库目录下运行 "\n'
                          '                              "`make lab`，或者在仓库里运行 `pip install -e .`。"'),
              "hidden": ('f"你的文件 {helpers.__file__} 挡住了 Parameter Lab 的 helpers：请给它改名"\n'
                         '                      "（并删除它的 __pycache__），然后重启内核。"'),
              "call": 'helpers.setup(language="zh-CN")'},
}


def setup_source(language: str = "en") -> str:
    words = SETUP_WORDS[language]
    return f'''\
# {words["comment"]}
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "{NO_DEPS}",
                    "{course.pip_source()}"], check=True)
try:
    import helpers
except ModuleNotFoundError:
    raise ModuleNotFoundError({words["missing"]}) from None
if not hasattr(helpers, "setup"):
    raise ImportError({words["hidden"]})
{words["call"]}'''


SETUP_SOURCE = setup_source()

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def chapter_of(path: Path) -> course.Chapter:
    return course.chapter_of(Path(path))


NAV_WORDS = {"en": {"series": "*Parameter Lab, chapter {number}*",
                    "contents": f"[Contents]({course.contents_href('en')})", "other": "[中文](zh-CN/{filename})"},
             "zh-CN": {"series": "*Parameter Lab，第 {number} 章*",
                       "contents": f"[目录]({course.contents_href('zh-CN')})", "other": "[English](../{filename})"}}


def nav_markdown(chapter: course.Chapter, *, top: bool) -> str:
    """The navigation bar: previous, contents, next, and the same chapter in the other language."""
    chapters, words = course.chapters(chapter.language), NAV_WORDS[chapter.language]
    index = chapters.index(chapter)
    parts = []
    if index > 0:
        prev = chapters[index - 1]
        parts.append(f"< [{prev.number}. {prev.title}]({prev.filename})")
    parts.append(words["contents"])
    if index + 1 < len(chapters):
        nxt = chapters[index + 1]
        parts.append(f"[{nxt.number}. {nxt.title}]({nxt.filename}) >")
    bar = " | ".join(parts) + " | " + words["other"].format(filename=chapter.filename)
    if top:
        return f"{words['series'].format(number=chapter.number)} | {bar}\n\n{course.badges_markdown(chapter)}"
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
    setup_cell.source = setup_source(chapter.language)
    cells = [c for c in nb.cells if not _tagged(c, "navigation") and not _tagged(c, "setup")]
    position = next((i for i, c in enumerate(cells)
                     if c.cell_type == "code" or c.source.lstrip().startswith("## ")), len(cells))
    cells.insert(position, setup_cell)

    nb.cells = [header, *cells, footer]
    _assign_slides(nb.cells, course.HEADINGS[chapter.language]["solutions"])
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.nbformat, nb.nbformat_minor = 4, 5


def _assign_slides(cells, solutions: str = course.HEADINGS["en"]["solutions"]) -> None:
    """One slide per section, one subslide per idea (a paragraph and its code); solutions and
    navigation are left out of the slideshow."""
    in_solutions = False
    for index, cell in enumerate(cells):
        text = cell.source.lstrip()
        if cell.cell_type == "markdown" and text.startswith(solutions):
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


def execute(nb, *, timeout: int = 900, folder: Path = NOTEBOOKS) -> None:
    """Run ``nb`` top to bottom in a fresh kernel from ``folder``, keeping widget state."""
    from nbclient import NotebookClient

    # A busy kernel may send one print in pieces; nbval joins a cell's streams the same way.
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}},
                            store_widget_state=True, record_timing=False, coalesce_streams=True)
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def refresh(paths: list[Path]) -> None:
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        normalize(nb, chapter_of(path))
        execute(nb, folder=Path(path).parent)
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


# ---------------------------------------------------------------- translations
# A translated notebook has the English cells, in order, under the same cell ids. Code cells are
# copied (the setup cell aside); each markdown cell records in its metadata the hash of the
# English text it was translated from, so that tests/test_translations.py sees drift.

def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def translated_from(cell) -> str | None:
    return cell.get("metadata", {}).get("parameter_lab", {}).get("translated_from")


def translate(language: str) -> None:
    """Create or bring in step ``notebooks/<language>/``: every English cell in order under its id.
    New or changed English code is copied; a new English markdown cell arrives in English and
    without a hash, for the translator; a translated cell whose English is gone is dropped."""
    folder = NOTEBOOKS / language
    folder.mkdir(exist_ok=True)
    for chapter in course.CHAPTERS:
        english = nbformat.read(NOTEBOOKS / chapter.filename, as_version=4)
        path = folder / chapter.filename
        translation = nbformat.read(path, as_version=4) if path.exists() else copy.deepcopy(english)
        existing = {cell.id: cell for cell in translation.cells}
        cells = []
        for cell in english.cells:
            ours = existing.get(cell.id)
            if ours is None or ours.cell_type != cell.cell_type:
                ours = copy.deepcopy(cell)
                ours.metadata.pop("parameter_lab", None)
            elif cell.cell_type == "code" and "setup" not in cell.metadata.get("tags", []):
                ours.source = cell.source
            cells.append(ours)
        translation.cells = cells
        translation.metadata["parameter_lab"] = {**english.metadata.get("parameter_lab", {}),
                                                 **translation.metadata.get("parameter_lab", {})}
        nbformat.write(translation, path)
    course.TRANSLATIONS[language] = course.read_chapters(folder, language)
    normalize_files(sorted(folder.glob("*.ipynb")))


CJK = re.compile(r"[\u4e00-\u9fff]")


def prose(source: str) -> str:
    """Markdown without code, math, links' targets and HTML tags: the words a translator translates."""
    source = re.sub(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|<[^>]+>", " ", source, flags=re.S)
    return re.sub(r"\]\([^)]*\)|https?://\S+", " ", source)


def translation_problems(english, translation, language: str, name: str) -> list[str]:
    """Why ``translation`` is not in step with ``english``: one sentence per cell, naming it."""
    problems, ours = [], {cell.id: cell for cell in translation.cells}
    if [c.id for c in translation.cells] != [c.id for c in english.cells]:
        missing = [c.id for c in english.cells if c.id not in ours]
        return [f"{name}: the cells differ from the English notebook's (missing: {', '.join(missing) or 'none'}, "
                f"or in another order): run `python .ci/nbtool.py translate {language}`"]
    for index, cell in enumerate(english.cells):
        mine, where = ours[cell.id], f"{name} cell {index} ({cell.id}, {cell.source.strip().splitlines()[0][:50]!r})"
        if mine.cell_type != cell.cell_type:
            problems.append(f"{where}: a {mine.cell_type} cell, the English one is {cell.cell_type}")
        elif "navigation" in cell.metadata.get("tags", []) or "setup" in cell.metadata.get("tags", []):
            continue  # generated by normalize, in each language's words
        elif cell.cell_type == "code":
            if mine.source != cell.source:
                problems.append(f"{where}: its code differs from the English: run `python .ci/nbtool.py translate "
                                f"{language}`, then refresh the notebook")
        elif translated_from(mine) is None:
            problems.append(f"{where}: not translated yet (translate it, then run "
                            f"`python .ci/nbtool.py stamp notebooks/{language}/{name} {cell.id}`)")
        elif translated_from(mine) != source_hash(cell.source):
            problems.append(f"{where}: the English text changed after this translation: update the translation, "
                            f"then run `python .ci/nbtool.py stamp notebooks/{language}/{name} {cell.id}`")
        elif re.search(r"[A-Za-z]{3,}", prose(cell.source)) and not CJK.search(prose(mine.source)):
            problems.append(f"{where}: the translation has no Chinese text")
    return problems


def stamp(path: Path, cell_ids: list[str]) -> None:
    """Record in the translation at ``path`` which English text each markdown cell now follows:
    the cells named, or (none named) every markdown cell without a record yet."""
    translation = nbformat.read(path, as_version=4)
    english = {cell.id: cell for cell in nbformat.read(NOTEBOOKS / path.name, as_version=4).cells}
    unknown = set(cell_ids) - {cell.id for cell in translation.cells}
    if unknown:
        raise SystemExit(f"{path} has no cell with id {', '.join(sorted(unknown))}")
    for cell in translation.cells:
        if cell.cell_type == "markdown" and cell.id in english and (
                cell.id in cell_ids if cell_ids else translated_from(cell) is None):
            cell.metadata.setdefault("parameter_lab", {})["translated_from"] = source_hash(english[cell.id].source)
            print(f"stamped cell {cell.id}: {cell.source.splitlines()[0][:60] if cell.source else ''}")
    nbformat.write(translation, path)


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
    heading = course.HEADINGS[course.language_of(Path(path))]["solutions"]
    solutions = next((i for i, c in enumerate(cells) if c.source.lstrip().startswith(heading)), len(cells))
    cells = cells[:solutions]
    words = sum(len(c.source.split()) for c in cells if c.cell_type == "markdown")
    code = [c for c in cells if c.cell_type == "code"]
    exercises = sum(bool(re.search(r"\bex\.q\d+\.check\(", c.source)) for c in code)
    minutes = (words / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * (len(code) - exercises)
               + MINUTES_PER_EXERCISE * exercises)
    return 15 * -(-int(minutes) // 15)


TABLE_WORDS = {"en": ("| # | Chapter | What you learn | Time | Open |", "{minutes} min"),
               "zh-CN": ("| # | 章节 | 学什么 | 时间 | 打开 |", "{minutes} 分钟")}


def chapter_table(language: str = "en") -> str:
    """A README's chapter table: pitch, estimated study time, Colab and Binder badges. The time
    is the English chapter's, which has the same cells (Chinese text has no words to count)."""
    header, time = TABLE_WORDS[language]
    rows = [header, "|---|---|---|---|---|"]
    for chapter in course.chapters(language):
        minutes = study_minutes(NOTEBOOKS / chapter.filename)
        rows.append(f"| {chapter.number} | [{chapter.title}]({chapter.path}) "
                    f"| {chapter.teaches} | {time.format(minutes=minutes)} | {course.badges_markdown(chapter)} |")
    return "\n".join(rows)


def start_commands() -> str:
    """The README's first commands: clone the repository as published, then `make lab`."""
    return f"```bash\ngit clone {course.repo_url()}.git\ncd {course.REPO}\nmake lab\n```"


READMES = {language: name for language, (name, _) in course.READMES.items()}


def update_readme(root: Path = ROOT) -> None:
    for language, name in READMES.items():
        path = root / name
        text = path.read_text()
        for block, content in (("start", start_commands()), ("chapters", chapter_table(language))):
            start, end = generated_block(block)
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
    for chapter in (c for language in course.LANGUAGES for c in course.chapters(language)):
        print(f"{chapter.number}. {chapter.title} ({chapter.path})")
        print(f"   Binder:      {course.binder_url(chapter)}")
        print(f"   Colab:       {course.colab_url(chapter)}")
        print(f"   JupyterHub:  {course.nbgitpuller_url(chapter)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("refresh", "normalize"):
        cmd = sub.add_parser(name)
        cmd.add_argument("paths", nargs="+", type=Path)
    sub.add_parser("translate").add_argument("language", choices=course.LANGUAGES[1:])
    cmd = sub.add_parser("stamp")
    cmd.add_argument("path", type=Path)
    cmd.add_argument("cells", nargs="*", help="cell ids (default: every markdown cell not stamped yet)")
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
    elif args.command == "translate":
        translate(args.language)
    elif args.command == "stamp":
        stamp(args.path, args.cells)
    elif args.command == "readme":
        update_readme()
    elif args.command == "publish":
        publish(ROOT / "pyproject.toml", **{key: getattr(args, key) for key in course.SETTING_KEYS})
    else:
        links()


if __name__ == "__main__":
    main()
