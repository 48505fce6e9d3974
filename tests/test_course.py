from urllib.parse import parse_qs, urlparse

import pytest

import nbtool
from helpers import course


def test_chapters_are_numbered_in_order_with_unique_slugs():
    assert [c.number for c in course.CHAPTERS] == list(range(1, len(course.CHAPTERS) + 1))
    assert all(c.slug.startswith(f"{c.number:02d}_") for c in course.CHAPTERS)
    assert len({c.module for c in course.CHAPTERS}) == len(course.CHAPTERS)


def test_links_are_built_from_the_one_setting():
    chapter = course.chapter_by_slug("04_optimizers")
    assert course.binder_url(chapter) == (f"https://mybinder.org/v2/gh/{course.OWNER}/{course.REPO}/main"
                                          "?urlpath=lab/tree/notebooks/04_optimizers.ipynb")
    assert course.colab_url(chapter) == (f"https://colab.research.google.com/github/{course.OWNER}/"
                                         f"{course.REPO}/blob/main/notebooks/04_optimizers.ipynb")


def test_nbgitpuller_link_round_trips():
    url = urlparse(course.nbgitpuller_url(course.CHAPTERS[0], hub="jupyter.school.example"))
    assert url.netloc == "jupyter.school.example"
    assert url.path == "/hub/user-redirect/git-pull"
    query = parse_qs(url.query)
    assert query["repo"] == [f"https://github.com/{course.OWNER}/{course.REPO}"]
    assert query["branch"] == ["main"]
    assert query["urlpath"] == [f"lab/tree/{course.REPO}/notebooks/01_parameter_access.ipynb"]


@pytest.mark.parametrize("hub", ["", "https://hub/x", None])
def test_bad_hub(hub):
    with pytest.raises(ValueError, match="hub"):
        course.nbgitpuller_url(course.CHAPTERS[0], hub=hub)


def test_unknown_slug():
    with pytest.raises(ValueError, match="slug must name a chapter"):
        course.chapter_by_slug("parameter_access")


def test_make_links_prints_three_links_per_chapter(capsys):
    nbtool.links()
    out = capsys.readouterr().out
    for chapter in course.CHAPTERS:
        assert course.binder_url(chapter) in out
        assert course.colab_url(chapter) in out
        assert course.nbgitpuller_url(chapter) in out


def test_navigation_links_neighbours():
    first, second, last = course.CHAPTERS[0], course.CHAPTERS[1], course.CHAPTERS[-1]
    assert "(02_initialization.ipynb)" in nbtool.nav_markdown(first, top=False)
    assert "<" not in nbtool.nav_markdown(first, top=False)
    middle = nbtool.nav_markdown(second, top=False)
    assert middle.startswith("< [1. Parameter access](01_parameter_access.ipynb)")
    assert middle.endswith("[3. Tied parameters](03_tied_parameters.ipynb) >")
    assert ">" not in nbtool.nav_markdown(last, top=False).replace("](", "")
    assert course.colab_url(second) in nbtool.nav_markdown(second, top=True)
