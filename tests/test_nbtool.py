import nbformat

import nbtool
from helpers import course


def draft():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 2. Parameter initialization\n\nintro"),
                nbformat.v4.new_markdown_cell("## First idea"),
                nbformat.v4.new_markdown_cell("Prose."),
                nbformat.v4.new_code_cell("print(1)"),
                nbformat.v4.new_markdown_cell("## Exercises"),
                nbformat.v4.new_markdown_cell("## Solutions"),
                nbformat.v4.new_code_cell("print(2)")]
    return nb


def test_normalize_adds_navigation_setup_and_slides():
    nb = draft()
    chapter = course.CHAPTERS[1]
    nbtool.normalize(nb, chapter)
    sources = [cell.source for cell in nb.cells]
    assert sources[0] == nbtool.nav_markdown(chapter, top=True)
    assert sources[-1] == nbtool.nav_markdown(chapter, top=False)
    assert sources[2] == nbtool.SETUP_SOURCE  # after the introduction, before the first section
    kinds = [cell.metadata["slideshow"]["slide_type"] for cell in nb.cells]
    assert kinds == ["skip", "slide", "skip", "slide", "subslide", "-", "slide", "skip", "skip", "skip"]
    assert nb.metadata.kernelspec.name == "python3"


def test_normalize_is_idempotent():
    nb = draft()
    nbtool.normalize(nb, course.CHAPTERS[1])
    once = nbformat.writes(nb)
    nbtool.normalize(nb, course.CHAPTERS[1])
    assert nbformat.writes(nb) == once


def test_setup_cell_is_valid_python_and_installs_only_on_colab():
    import ast

    tree = ast.parse(nbtool.SETUP_SOURCE)
    guards = [node for node in tree.body if isinstance(node, ast.If)]
    assert len(guards) == 1 and "google.colab" in ast.unparse(guards[0].test)
    assert "pip" in ast.unparse(guards[0].body[0])
    outside = "".join(ast.unparse(node) for node in tree.body if node is not guards[0])
    assert "subprocess.run" not in outside


def test_readme_table_has_one_row_per_chapter():
    rows = nbtool.chapter_table().splitlines()[2:]
    assert len(rows) == len(course.CHAPTERS)
    assert all(row.count("badge") == 2 for row in rows)


def test_merge_streams_joins_split_prints_only():
    out = nbformat.v4.new_output
    outputs = [out("stream", name="stdout", text="Correct."), out("stream", name="stdout", text="\n"),
               out("stream", name="stderr", text="w\n"), out("stream", name="stdout", text="x\n")]
    merged = nbtool.merge_streams(outputs)
    assert [(o.name, o.text) for o in merged] == [("stdout", "Correct.\n"), ("stderr", "w\n"), ("stdout", "x\n")]


def test_setup_cell_without_helpers_fails_with_one_clear_sentence(tmp_path):
    import subprocess
    import sys

    # -S skips site-packages, so this kernel-like interpreter has no helpers installed.
    result = subprocess.run([sys.executable, "-S", "-c", nbtool.SETUP_SOURCE], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == ("ModuleNotFoundError: The Parameter Lab helpers are not installed in this kernel: "
                         "run `make lab` from the repository, or `pip install -e .` in it.")
    assert "During handling" not in result.stderr  # `from None`: no chained traceback
