import ast
import subprocess
import sys

import nbformat
import pytest

import course
import nbtool


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
    tree = ast.parse(nbtool.SETUP_SOURCE)
    guards = [node for node in tree.body if isinstance(node, ast.If) and "google.colab" in ast.unparse(node.test)]
    assert len(guards) == 1
    assert "pip" in ast.unparse(guards[0].body[0])
    outside = "".join(ast.unparse(node) for node in tree.body if node is not guards[0])
    assert "subprocess.run" not in outside
    assert f"'{course.pip_source()}'" in ast.unparse(guards[0].body[0])


def test_readme_table_has_one_row_per_chapter_with_a_time():
    rows = nbtool.chapter_table().splitlines()[2:]
    assert len(rows) == len(course.CHAPTERS)
    assert all(row.count("badge") == 2 and " min |" in row for row in rows)


def test_study_time_counts_prose_code_and_exercises_before_the_solutions(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("word " * 250),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("n = ...\nex.q1.check(n)"),
                nbformat.v4.new_markdown_cell("## Solutions\n" + "word " * 1000),
                nbformat.v4.new_code_cell("n = 2\nex.q1.check(n)")]
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    assert nbtool.study_minutes(tmp_path / "01_x.ipynb") == 15  # 2.5 + 1 + 5 = 8.5, rounded up to 15


def test_publish_rewrites_only_the_setting(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    original = (course.ROOT / "pyproject.toml").read_text()
    pyproject.write_text(original)
    nbtool.publish(pyproject, owner="someone", repo="my-lab.2", branch=None, hub="jupyter.example.org")
    assert course.publishing(tmp_path) == {"owner": "someone", "repo": "my-lab.2", "branch": course.BRANCH,
                                           "hub": "jupyter.example.org"}
    changed = [line for line in pyproject.read_text().splitlines() if line not in original.splitlines()]
    assert changed == ['owner = "someone"', 'repo = "my-lab.2"', 'hub = "jupyter.example.org"']
    with pytest.raises(SystemExit, match="OWNER='a b' is not a valid owner"):
        nbtool.publish(pyproject, owner="a b", repo="r")


@pytest.mark.slow
def test_execute_joins_a_cells_streams_as_nbval_compares_them():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys\nprint('a', flush=True)\nsys.stderr.write('w\\n')\ndisplay(1)\nprint('b')")])
    nb.metadata["kernelspec"] = dict(nbtool.KERNELSPEC)
    nbtool.execute(nb, timeout=60)
    outputs = nb.cells[0].outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in outputs] == [
        ("stream", "stdout", "a\nb\n"), ("stream", "stderr", "w\n"), ("display_data", None, None)]


def test_setup_cell_without_helpers_fails_with_one_clear_sentence(tmp_path):
    # -S skips site-packages, so this kernel-like interpreter has no helpers installed.
    result = subprocess.run([sys.executable, "-S", "-c", nbtool.SETUP_SOURCE], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == ("ModuleNotFoundError: The Parameter Lab helpers are not installed in this kernel: "
                         "run `make lab` from the repository, or `pip install -e .` in it.")
    assert "During handling" not in result.stderr  # `from None`: no chained traceback


def test_setup_cell_names_a_learners_helpers_py_that_hides_the_package(tmp_path):
    # A notebook's folder comes first on the kernel's path, before the installed helpers.
    (tmp_path / "helpers.py").write_text("notes = 'my own helpers'\n")
    result = subprocess.run([sys.executable, "-c", nbtool.SETUP_SOURCE], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"ImportError: Your file {tmp_path / 'helpers.py'} hides the Parameter Lab helpers: rename it "
        "(and delete its __pycache__), then restart the kernel.")


def test_readme_generated_parts_are_rewritten_and_the_rest_kept(tmp_path):
    blocks = {name: nbtool.generated_block(name) for name in ("start", "chapters")}
    for name in nbtool.READMES.values():
        (tmp_path / name).write_text(f"# Title\n{blocks['start'][0]}\nSTALE\n{blocks['start'][1]}\nprose\n"
                                     f"{blocks['chapters'][0]}\nSTALE TABLE\n{blocks['chapters'][1]}\nend\n")
    nbtool.update_readme(tmp_path)
    for language, name in nbtool.READMES.items():
        text = (tmp_path / name).read_text()
        assert "STALE" not in text and text.startswith("# Title\n") and text.endswith("\nend\n")
        assert f"git clone {course.repo_url()}.git\ncd {course.REPO}\nmake lab" in text
        assert nbtool.chapter_table(language) in text
