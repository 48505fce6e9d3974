"""The chapter list comes from the notebooks; every link from the one publishing setting."""

from urllib.parse import parse_qs, urlparse

import nbformat
import pytest

import course
import nbtool


def write_notebook(path, title=None, teaches=None):
    nb = nbformat.v4.new_notebook()
    if title:
        nb.cells.append(nbformat.v4.new_markdown_cell(f"{title}\n\nIntro."))
    nb.cells.append(nbformat.v4.new_markdown_cell("## A section"))
    if teaches:
        nb.metadata["parameter_lab"] = {"teaches": teaches}
    nbformat.write(nb, path)


def test_chapters_are_read_from_the_notebooks(tmp_path):
    write_notebook(tmp_path / "02_second_one.ipynb", "# 2. Second one", "Pitch two.")
    write_notebook(tmp_path / "01_first.ipynb", "# 1. First chapter")
    write_notebook(tmp_path / "scratch.ipynb", "# Not a chapter")
    first, second = course.read_chapters(tmp_path)
    assert first == course.Chapter(1, "01_first", "First chapter", "")  # no pitch yet: empty, no crash
    assert (second.number, second.title, second.teaches) == (2, "Second one", "Pitch two.")
    assert (second.name, second.filename) == ("second_one", "02_second_one.ipynb")
    assert (second.module, second.exercises) == ("helpers.second_one", "helpers.exercises.second_one")


def test_a_notebook_without_a_title_is_still_a_chapter(tmp_path):
    write_notebook(tmp_path / "07_untitled.ipynb")
    assert course.read_chapters(tmp_path)[0].title == ""


def test_the_repository_notebooks_are_the_chapters():
    assert [c.filename for c in course.CHAPTERS] == sorted(p.name for p in (course.ROOT / "notebooks").glob("*.ipynb"))
    assert course.chapter_by_slug("03_tied_parameters").number == 3
    with pytest.raises(ValueError, match="notebooks/parameter_access.ipynb"):
        course.chapter_by_slug("parameter_access")


def test_links_are_built_from_the_setting_in_pyproject():
    setting = course.publishing()
    assert (course.OWNER, course.REPO, course.BRANCH, course.HUB) == tuple(setting.values())
    chapter = course.Chapter(4, "04_optimizers", "Optimizers", "")
    assert course.binder_url(chapter) == (f"https://mybinder.org/v2/gh/{course.OWNER}/{course.REPO}/{course.BRANCH}"
                                          "?urlpath=lab/tree/notebooks/04_optimizers.ipynb")
    assert course.colab_url(chapter) == (f"https://colab.research.google.com/github/{course.OWNER}/"
                                         f"{course.REPO}/blob/{course.BRANCH}/notebooks/04_optimizers.ipynb")
    assert course.pip_source() == f"git+https://github.com/{course.OWNER}/{course.REPO}@{course.BRANCH}"


def test_nbgitpuller_link_round_trips():
    chapter = course.Chapter(1, "01_parameter_access", "Parameter access", "")
    url = urlparse(course.nbgitpuller_url(chapter, hub="jupyter.school.example"))
    assert url.netloc == "jupyter.school.example"
    assert url.path == "/hub/user-redirect/git-pull"
    query = parse_qs(url.query)
    assert query["repo"] == [f"https://github.com/{course.OWNER}/{course.REPO}"]
    assert query["branch"] == [course.BRANCH]
    assert query["urlpath"] == [f"lab/tree/{course.REPO}/notebooks/01_parameter_access.ipynb"]


def test_make_links_prints_three_links_per_chapter(capsys):
    nbtool.links()
    out = capsys.readouterr().out
    for chapter in (c for language in course.LANGUAGES for c in course.chapters(language)):
        assert chapter.path in course.binder_url(chapter)
        assert course.binder_url(chapter) in out
        assert course.colab_url(chapter) in out
        assert course.nbgitpuller_url(chapter) in out


def test_navigation_links_neighbours():
    first, second, last = course.CHAPTERS[0], course.CHAPTERS[1], course.CHAPTERS[-1]
    assert f"({second.filename})" in nbtool.nav_markdown(first, top=False)
    assert "<" not in nbtool.nav_markdown(first, top=False)
    middle = nbtool.nav_markdown(second, top=False)
    assert middle.startswith(f"< [1. {first.title}]({first.filename})")
    assert f"[3. {course.CHAPTERS[2].title}]({course.CHAPTERS[2].filename}) > | " in middle
    assert middle.endswith(f"[中文](zh-CN/{second.filename})")
    assert nbtool.nav_markdown(course.counterpart(second, "zh-CN"), top=False).endswith(f"[English](../{second.filename})")
    assert ">" not in nbtool.nav_markdown(last, top=False).replace("](", "")
    assert course.colab_url(second) in nbtool.nav_markdown(second, top=True)


def test_each_chapter_is_in_every_language_with_its_own_links():
    for chapter in course.CHAPTERS:
        chinese = course.counterpart(chapter, "zh-CN")
        assert chinese.path == f"notebooks/zh-CN/{chapter.filename}" and chinese.number == chapter.number
        assert course.colab_url(chinese).endswith(chinese.path) and course.colab_url(chapter).endswith(chapter.path)
        assert course.chapter_of(course.ROOT / chinese.path) == chinese


def test_doctests_of_the_course_module():
    import doctest

    result = doctest.testmod(course)
    assert result.attempted >= 2 and result.failed == 0
