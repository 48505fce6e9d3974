"""The teaching outputs of .ci/teach.py: student copies, slides and the static site, in every
language of the course (English in notebooks/, the Chinese edition in notebooks/zh-CN/).

Everything is built into pytest's temporary folders, never into the repository. Student
copies and the link rules are fast. Slides and pages run nbconvert on every notebook (and,
the first time, fetch reveal.js and friends from npm), and chapter one's student copy is
executed in a kernel in each language: those tests are marked slow. Browser tests open a page
and a slideshow in Chromium with the network cut off, and step through every slide.

Nothing here depends on the Chinese prose: the fixed words come from course.HEADINGS and
teach.WORDS, the questions' words from the helpers in that language.
"""

import doctest
import functools
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup

import teach
import course
from helpers import exercises
from helpers.session import tr

ROOT = Path(__file__).resolve().parent.parent
PATHS = teach.discover()                       # English first, then each translation
IDS = [teach.page_key(path) for path in PATHS]
LANGUAGES = list(course.LANGUAGES)
CHAPTER_ONE = ROOT / "notebooks" / "01_parameter_access.ipynb"
CHAPTER_ONES = [ROOT / "notebooks" / course.language_folder(language) / CHAPTER_ONE.name for language in LANGUAGES]
CJK = re.compile(r"[\u4e00-\u9fff]")
CHECK = re.compile(r"ex\.q(\d+)\.check\((\w*)\)")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
REMOTE = re.compile(r"^(https?:)?//")


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def solutions_start(nb):
    start = teach._solutions_start(nb.cells)
    assert start is not None, "no Solutions section"
    return start


def relative(path: Path) -> str:
    """Where a notebook's outputs go below build/<kind>/: ``01_x`` or ``zh-CN/01_x``."""
    return teach.page_key(path)


def questions(path: Path) -> list[tuple]:
    """Each question of the notebook's chapter, with its words in the notebook's language:
    (number, question, heading, model answer or solution code)."""
    with teach.helpers_language(course.language_of(path)):
        return [(number, q, q.heading().rstrip(".。"), q.text("solution"))
                for number, q in enumerate(exercises.load(path.stem), start=1)]


def output_text(output):
    if output.output_type == "stream":
        return output.text
    return "\n".join(str(v) for k, v in output.get("data", {}).items() if k.startswith("text/"))


def soup(path):
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def local_target(page: Path, url: str) -> tuple[Path, str]:
    """The file a relative URL of ``page`` points to, and its #fragment (as written)."""
    parts = urlsplit(url)
    target = (page.parent / unquote(parts.path)) if parts.path else page
    return target, parts.fragment


@functools.lru_cache(maxsize=None)
def element_ids(page: Path) -> frozenset:
    return frozenset(re.findall(r'\bid="([^"]*)"', page.read_text(encoding="utf-8")))


def assert_links_resolve(page: Path) -> None:
    """Every src and href of ``page`` is local and exists, or (for <a>) a web link."""
    document = soup(page)
    for tag in document.find_all(True):
        for attribute in ("src", "href"):
            url = tag.get(attribute)
            if not url or url.startswith(("data:", "blob:", "mailto:")):
                continue
            if REMOTE.match(url):
                assert tag.name == "a", f"{page.name} loads {url} from the web"
                continue
            assert not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url), f"{page.name}: {url}"
            target, fragment = local_target(page, url)
            assert target.is_file(), f"{page.name}: {url} does not exist"
            if fragment and target.suffix == ".html":  # browsers match the raw or decoded form
                ids = element_ids(target)
                assert fragment in ids or unquote(fragment) in ids, f"{page.name}: no anchor {url}"


def assert_language_switch(page: Path, root: Path) -> None:
    """``page`` (below ``root``, a build/<kind>/ folder) links to the same page in every other
    language, and that page exists."""
    key = page.relative_to(root).as_posix()
    language = key.split("/")[0] if "/" in key else "en"
    switch = soup(page).select_one("nav.pl-lang")
    assert switch is not None, f"{key}: no language switch"
    found = {a["hreflang"]: a["href"] for a in switch.find_all("a", href=True)}
    assert sorted(found) == sorted(set(LANGUAGES) - {language}), f"{key}: switch to {sorted(found)}"
    for other, href in found.items():
        target, _ = local_target(page, href)
        assert target.is_file(), f"{key}: the switch to {other} goes to a missing {href}"
        assert target.resolve() == (root / course.language_folder(other) / page.name).resolve(), f"{key}: {href}"
        assert switch.find("a", hreflang=other).get_text() == teach.WORDS[other]["name"]


def assert_loads_nothing_remote(page: Path) -> None:
    """Inline scripts load no remote code, and local style sheets import nothing remote."""
    document = soup(page)
    for script in document.find_all("script", src=False):
        assert not re.search(r"""["'](https?:)?//[^"']+\.(m?js|css)\b""", script.get_text()), \
            f"{page.name}: an inline script loads from the web"
    for link in document.find_all("link", href=True):
        target, _ = local_target(page, link["href"])
        css = target.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"(@import|url)\s*\(?\s*[\"']?(https?:)?//", css), \
            f"{target.name} (used by {page.name}) loads from the web"


# ---------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def snapshot(tmp_path_factory):
    """The notebooks as they are when the run starts, in the repository's folders (a
    translation in notebooks/<language>/): builds and checks read the same files even if
    someone saves a notebook meanwhile."""
    folder = tmp_path_factory.mktemp("repo") / "notebooks"
    for path in PATHS:
        target = folder / path.relative_to(ROOT / "notebooks")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return folder


@pytest.fixture(scope="session")
def sources(snapshot):
    return [snapshot / path.relative_to(ROOT / "notebooks") for path in PATHS]


@pytest.fixture(scope="session")
def student_dir(tmp_path_factory, sources):
    out = tmp_path_factory.mktemp("build") / "student"
    teach.build_student(sources, out)
    return out


@pytest.fixture(scope="session")
def npm_dir(tmp_path_factory):
    """build/npm when a `make slides` or `make html` already filled it (read only), else a temp dir."""
    built = ROOT / "build" / "npm"
    if teach.npm_ready(built):
        return built
    if shutil.which("npm") is None:
        pytest.skip("npm (Node.js) is needed once to fetch reveal.js, MathJax and the widget manager")
    return tmp_path_factory.mktemp("npm")


@pytest.fixture(scope="session")
def slides_dir(tmp_path_factory, npm_dir, sources):
    out = tmp_path_factory.mktemp("build") / "slides"
    teach.build_slides(sources, out, npm_dir)
    return out


@pytest.fixture(scope="session")
def html_dir(tmp_path_factory, npm_dir, sources):
    out = tmp_path_factory.mktemp("build") / "html"
    teach.build_html(sources, out, npm_dir)
    return out


@pytest.fixture(params=PATHS, ids=IDS)
def notebook(request, snapshot):
    path = snapshot / request.param.relative_to(ROOT / "notebooks")
    return path, nbformat.read(path, as_version=4)


# ---------------------------------------------------------------------------- link rules

def test_doctests_of_the_tool():
    result = doctest.testmod(teach)
    assert result.attempted >= 8 and result.failed == 0


def test_links_between_notebooks_become_links_between_pages():
    pages = {"01_parameter_access": "01_parameter_access.html",
             "02_initialization": "02_initialization.html"}
    assert teach.rewrite_href("02_initialization.ipynb", pages) == "02_initialization.html"
    assert teach.rewrite_href("./02_initialization.ipynb#Xavier", pages) == "02_initialization.html#Xavier"
    assert teach.rewrite_href("../README.md#chapters", pages) == "index.html"
    assert teach.rewrite_href("../README.md", pages) == "index.html"
    assert teach.rewrite_href("../README.md#for-teachers", pages) == f"{course.repo_url()}#for-teachers"
    assert teach.rewrite_href("../helpers/widgets.py", pages) == \
        f"https://github.com/{course.OWNER}/{course.REPO}/blob/{course.BRANCH}/helpers/widgets.py"
    assert teach.rewrite_href("06_autograd.ipynb", pages) is None       # no page: kept as text
    assert teach.rewrite_href("../../outside.md", pages) is None
    assert teach.rewrite_href("#Summary", pages) == "#Summary"
    assert teach.rewrite_href("https://d2l.ai/x.ipynb", pages) == "https://d2l.ai/x.ipynb"


def test_links_within_and_across_languages():
    """A Chinese page links to Chinese pages, its [English] link to the English page, its
    contents link to the Chinese index; the English page's [中文] to the Chinese page."""
    pages = {"01_parameter_access": "01_parameter_access.html", "index": "index.html",
             "zh-CN/01_parameter_access": "zh-CN/01_parameter_access.html",
             "zh-CN/02_initialization": "zh-CN/02_initialization.html", "zh-CN/index": "zh-CN/index.html"}
    zh = "zh-CN"
    assert teach.rewrite_href("02_initialization.ipynb#小结", pages, zh) == "02_initialization.html#小结"
    assert teach.rewrite_href("../01_parameter_access.ipynb", pages, zh) == "../01_parameter_access.html"
    assert teach.rewrite_href("../../README.zh-CN.md#章节", pages, zh) == "index.html"
    assert teach.rewrite_href("../../README.zh-CN.md#%E7%AB%A0%E8%8A%82", pages, zh) == "index.html"
    assert teach.rewrite_href("../../README.md#chapters", pages, zh) == "../index.html"
    assert teach.rewrite_href("../../README.zh-CN.md#快速开始", pages, zh) == \
        f"{course.repo_url()}/blob/{course.BRANCH}/README.zh-CN.md#快速开始"
    assert teach.rewrite_href("../../helpers/widgets.py", pages, zh) == \
        f"{course.repo_url()}/blob/{course.BRANCH}/helpers/widgets.py"
    assert teach.rewrite_href("GLOSSARY.md", pages, zh) == \
        f"{course.repo_url()}/blob/{course.BRANCH}/notebooks/zh-CN/GLOSSARY.md"
    assert teach.rewrite_href("03_tied_parameters.ipynb", pages, zh) is None        # not built: text
    assert teach.rewrite_href("zh-CN/01_parameter_access.ipynb", pages) == "zh-CN/01_parameter_access.html"
    assert teach.rewrite_href("zh-CN/03_tied_parameters.ipynb", pages) is None
    english_only = {"01_parameter_access": "01_parameter_access.html"}
    assert teach.rewrite_href("../README.zh-CN.md#章节", english_only) == \
        f"{course.repo_url()}/blob/{course.BRANCH}/README.zh-CN.md#章节"    # no Chinese index: GitHub
    # The navigation bars as nbtool writes them link within the language and to the other one.
    chapter = course.chapters(zh)[0]
    assert teach.notebook_href(zh, "en", chapter.filename) == f"../{chapter.filename}"
    assert course.contents_href(zh) == "../../README.zh-CN.md#章节"
    assert teach.language_switch("zh-CN/01_parameter_access", zh, pages) == (
        '<nav class="pl-lang"><a href="../01_parameter_access.html" hreflang="en" lang="en">English</a></nav>')
    assert teach.language_switch("02_initialization", "en", pages) == (
        '<nav class="pl-lang"><a href="zh-CN/02_initialization.html" hreflang="zh-CN" lang="zh-CN">中文</a></nav>')
    assert teach.language_switch("03_tied_parameters", "en", pages) == ""


def test_every_notebook_is_built_in_its_own_language():
    """By default both languages; a notebook's language is its folder's, and so is its output's place."""
    assert [course.language_of(p) for p in PATHS] == [language for language in LANGUAGES
                                                     for _ in course.chapters(language)]
    assert set(IDS) == {c.slug for c in course.CHAPTERS} | {f"zh-CN/{c.slug}" for c in course.chapters("zh-CN")}
    for path in PATHS:
        assert teach.chapter_of(path) == course.chapter_of(path)


def test_page_rewrite_drops_remote_images_and_leaves_scripts_alone():
    page = ('<p><a href="02_initialization.ipynb">next</a> <img src="https://x/badge.svg" alt="Colab">'
            '<img src="data:image/png;base64,AAAA"></p>'
            '<script type="application/json">{"a": "<a href=\\"02_initialization.ipynb\\">x<\\/a>"}</script>')
    warnings = []
    out = teach.rewrite_page_links(page, {"02_initialization": "02_initialization.html"}, warnings)
    assert '<a href="02_initialization.html">next</a>' in out
    assert "https://x/badge.svg" not in out and '<span class="pl-badge">Colab</span>' in out
    assert 'src="data:image/png;base64,AAAA"' in out
    assert '{"a": "<a href=\\"02_initialization.ipynb\\">x<\\/a>"}' in out
    assert warnings == []


# ---------------------------------------------------------------------------- student copies

def student_path(student_dir: Path, path: Path) -> Path:
    return student_dir / (relative(path) + ".ipynb")


def test_student_copies_keep_the_notebooks_folders(student_dir):
    built = sorted(p.relative_to(student_dir).as_posix() for p in student_dir.rglob("*.ipynb"))
    assert built == sorted(f"{key}.ipynb" for key in IDS)
    assert any(key.startswith("zh-CN/") for key in IDS), "the Chinese edition is built"


def test_student_copy_is_a_clean_valid_notebook(notebook, student_dir):
    path, _ = notebook
    copy = nbformat.read(student_path(student_dir, path), as_version=4)
    nbformat.validate(copy)
    assert "widgets" not in copy.metadata
    for cell in copy.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
            assert "solution" not in tags(cell)
    for heading in (h["solutions"] for h in course.HEADINGS.values()):   # "## Solutions", "## 参考答案"
        assert not any(cell.source.lstrip().startswith(heading) for cell in copy.cells), heading
    assert "navigation" in tags(copy.cells[-1]), "the closing navigation bar stays"


def test_student_copy_keeps_the_lesson_and_the_checks(notebook, student_dir):
    path, nb = notebook
    words = teach.WORDS[course.language_of(path)]
    copy = nbformat.read(student_path(student_dir, path), as_version=4)
    lesson = nb.cells[:solutions_start(nb)]
    assert len(copy.cells) == len(lesson) + 2  # + the student-copy note + the navigation bar
    for original, kept in zip(lesson, copy.cells):
        if original.cell_type == "code" and "solution" in tags(original):
            assert kept.source == words["placeholder"]
        elif original.cell_type == "code":
            assert kept.source == teach.without_solutions(original.source)
    assert copy.cells[-2].source == words["student_note"]
    checks = {int(n) for cell in copy.cells for n, _ in CHECK.findall(cell.source)}
    assert checks == set(range(1, len(exercises.load(path.stem)) + 1)), "one check cell per question"
    loads = [c.source for c in copy.cells if "helpers.exercises.load(" in c.source]
    assert loads and all(f'load("{path.stem}", solutions=False)' in source for source in loads)


def test_student_copy_contains_no_solution(notebook, student_dir):
    path, nb = notebook
    copy = nbformat.read(student_path(student_dir, path), as_version=4)
    text = "\n".join(cell.source for cell in copy.cells)
    for number, question, _, answer in questions(path):
        assert question.solution_code not in text, f"q{number}'s solution is in the student copy"
        assert answer not in text, f"q{number}'s model answer is in the student copy"
    for cell in nb.cells[solutions_start(nb):]:
        if cell.cell_type == "code":
            assert cell.source not in text


def test_student_checks_start_from_the_placeholder(notebook, student_dir):
    """Each check judges `name = ...`, so an unanswered exercise says "Not attempted yet"."""
    path, _ = notebook
    copy = nbformat.read(student_path(student_dir, path), as_version=4)
    for cell in copy.cells:
        for _, name in CHECK.findall(cell.source):
            if name:
                assert re.search(rf"^{name} = \.\.\.", cell.source, re.MULTILINE), cell.source


def test_student_copy_links_work_where_it_is_handed_out(notebook, student_dir):
    """Links between copies stay (within a language and to the other one); any other
    repository file is on GitHub."""
    path, _ = notebook
    target_copy = student_path(student_dir, path)
    copy = nbformat.read(target_copy, as_version=4)
    source = ROOT / "notebooks" / (relative(path) + ".ipynb")
    for cell in copy.cells:
        if cell.cell_type != "markdown":
            continue
        for link in re.findall(r"\]\(([^)\s]+)\)", cell.source):
            if REMOTE.match(link) or link.startswith("#"):
                continue
            target = link.split("#")[0]
            assert target.endswith(".ipynb"), f"{link} would point outside build/student/"
            if (source.parent / target).exists():
                assert (target_copy.parent / target).resolve().is_file(), link


def test_student_command_writes_only_under_out(tmp_path):
    written = teach.main(["student", "--out", str(tmp_path), str(CHAPTER_ONE), str(CHAPTER_ONES[1])])
    tmp_path = tmp_path.resolve()
    assert written == [tmp_path / "student" / CHAPTER_ONE.name, tmp_path / "student" / "zh-CN" / CHAPTER_ONE.name]
    assert sorted(tmp_path.rglob("*")) == sorted([tmp_path / "student", tmp_path / "student" / "zh-CN", *written])


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_student_copy_of_chapter_one_runs_and_says_not_attempted(student_dir, tmp_path, language):
    """Run unchanged, each check says "not attempted yet" in the notebook's language (the
    helpers' own words for it), and solution() says the solutions are with the teacher."""
    from nbclient import NotebookClient

    source = CHAPTER_ONES[LANGUAGES.index(language)]
    copy = nbformat.read(student_path(student_dir, source), as_version=4)
    asked = [nbformat.v4.new_code_cell("ex.q1.solution()"), nbformat.v4.new_code_cell("ex.q1.hint()")]
    copy.cells[-1:-1] = asked       # a student asking for the answer, then for a hint
    NotebookClient(copy, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises on any error
    with teach.helpers_language(language):
        loaded = list(exercises.load(CHAPTER_ONE.stem))
        expected = {n: q.evaluate().message for n, q in enumerate(loaded, start=1)}
        with_teacher = tr("The worked solutions of this copy are with your teacher.")
        hint = tr("Hint: {hint}", hint=loaded[0].text("hint"))
    seen = set()
    for cell in copy.cells:
        for number, _ in CHECK.findall(cell.source):
            text = "".join(output_text(o) for o in cell.outputs)
            assert text.startswith(expected[int(number)]), f"ex.q{number}.check printed {text!r}"
            seen.add(int(number))
    assert seen == set(expected)
    if language != "en":
        assert all(CJK.search(message) for message in expected.values()), "the checks speak Chinese"
    solution, shown_hint = ("".join(output_text(o) for o in cell.outputs) for cell in asked)
    assert solution.strip() == with_teacher and loaded[0].solution_code not in solution
    assert shown_hint.startswith(hint) and len(hint) > 10


# ---------------------------------------------------------------------------- slides

def by_language(language: str) -> list[Path]:
    return [path for path in PATHS if course.language_of(path) == language]


def page_of(folder: Path, path: Path, suffix: str) -> Path:
    return folder / (relative(path) + suffix)


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_notebook_has_a_slideshow_and_the_index_lists_them(slides_dir, language):
    index_page = slides_dir / course.language_folder(language) / "index.html"
    index = soup(index_page)
    assert index.html["lang"] == language
    assert index.h1.get_text() == teach.WORDS[language]["slides"][0]
    links = {a["href"] for a in index.find_all("a", href=True)}
    for path in by_language(language):
        assert page_of(slides_dir, path, ".slides.html").is_file()
        assert f"{path.stem}.slides.html" in links
    assert_links_resolve(index_page)
    assert_language_switch(index_page, slides_dir)


@pytest.mark.slow
@pytest.mark.parametrize("source", CHAPTER_ONES, ids=LANGUAGES)
def test_slideshow_references_only_local_files(slides_dir, source):
    page = page_of(slides_dir, source, ".slides.html")
    prefix = teach.asset_prefix(course.language_of(source))
    document = soup(page)
    assets = [tag.get("src") for tag in document.find_all(src=True)]
    assets += [tag["href"] for tag in document.find_all("link", href=True)]
    assert prefix + "reveal.js/dist/reveal.css" in assets and prefix + teach.REQUIRE_URL in assets
    for url in assets:
        assert not REMOTE.match(url), url
    assert_links_resolve(page)
    assert_loads_nothing_remote(page)
    footer = "\n".join(s.get_text() for s in document.find_all("script", src=False))
    for module in ("reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js", teach.WIDGETS_URL):
        assert prefix + module in footer and (slides_dir / module).is_file(), module
    assert_language_switch(page, slides_dir)


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_slides_end_with_the_exercises_then_the_next_chapter(slides_dir, language):
    words, headings = teach.WORDS[language], course.HEADINGS[language]
    paths = by_language(language)
    for number, path in enumerate(paths):
        page = page_of(slides_dir, path, ".slides.html")
        document = soup(page)
        slides = document.select("div.slides > section")
        titles = [s.find("h2").get_text(strip=True).rstrip("¶") for s in slides[-2:]]
        assert titles[0] == headings["exercises"].removeprefix("## "), path.name
        assert not any(h.get_text(strip=True).rstrip("¶") == heading.removeprefix("## ")
                       for h in document.find_all("h2") for heading in teach.SOLUTIONS_HEADINGS), path.name
        text = document.get_text()
        for _, question, _, answer in questions(path):
            if question.kind != "thought":
                assert question.solution_code not in text, path.name
            else:
                assert answer not in text, path.name
        links = [a["href"] for a in slides[-1].find_all("a", href=True)]
        if number + 1 < len(paths):
            assert titles[1].startswith(words["next_prefix"]), path.name
            assert f"{paths[number + 1].stem}.slides.html" in links, path.name
        else:
            assert titles[1].startswith(words["end_title"]), path.name
        assert "index.html" in links, path.name
        for other in LANGUAGES:     # and the same slideshow in the other language
            if other != language:
                assert teach.notebook_href(language, other, f"{path.stem}.slides.html") in links, path.name
        assert_links_resolve(page)


@pytest.mark.slow
def test_chinese_slides_have_chinese_notes_on_every_section(slides_dir, sources):
    for path in (p for p in sources if course.language_of(p) != "en"):
        document = soup(page_of(slides_dir, path, ".slides.html"))
        notes = [aside.get_text(" ", strip=True) for aside in document.select("aside.notes")]
        sections = teach._sections(nbformat.read(path, as_version=4).cells)
        assert len(notes) == len(sections), f"{path.name}: {len(notes)} notes for {len(sections)} sections"
        assert all(CJK.search(note) for note in notes), f"{path.name}: speaker notes not in Chinese"
        english = soup(page_of(slides_dir, teach.english_notebook(path), ".slides.html"))
        assert notes != [a.get_text(" ", strip=True) for a in english.select("aside.notes")]


def test_slides_leave_out_the_setup_sentence_and_add_notes_and_a_closing_slide(notebook):
    path, nb = notebook
    warnings = []
    cells = teach.slide_cells(nb, path, warnings)
    shown = [c for c in cells if teach._slide_type(c) not in ("skip", "notes")]
    assert not any("setup" in tags(c) or "navigation" in tags(c) for c in shown)
    english = [c.id for c in nbformat.read(teach.english_notebook(path), as_version=4).cells
               if "first code cell" in c.source]
    assert not any(c.id in english for c in shown), "the setup sentence is on a slide"
    notes = teach.section_notes(cells, path)
    assert notes, "speaker notes"
    for index, cell in enumerate(cells):
        if cell.id in notes and teach._slide_type(cell) != "skip":
            assert teach._slide_type(cells[index + 1]) == "notes", cell.source[:40]
            assert cells[index + 1].source == notes[cell.id]
    assert warnings == [], warnings
    words = teach.WORDS[course.language_of(path)]
    assert cells[-1].source.startswith(("## " + words["next_prefix"], "## " + words["end_title"]))
    assert cells[-1].id == "next-chapter"


def test_speaker_notes_cover_every_section(notebook):
    """One notes file per chapter and language; its headings are exactly the chapter's
    sections (a translation's: the English file's sections in the same order, each on the
    translated notebook's section of the same cell)."""
    path, nb = notebook
    notes_file = teach.notes_path(path)
    assert notes_file.is_file(), f"no {notes_file.relative_to(ROOT)}"
    notes = teach.read_notes(notes_file)
    sections = [teach._section_title(c) for c in nb.cells if c.cell_type == "markdown"
                and c.source.startswith("## ") and teach._slide_type(c) != "skip"]
    if course.language_of(path) == "en":
        assert sorted(notes) == sorted(sections), f"{notes_file.name} and the notebook's ## sections differ"
        assert all(len(text.split()) >= 15 for text in notes.values()), "each section's notes say something"
    else:
        english = teach.read_notes(teach.notes_path(teach.english_notebook(path)))
        assert len(notes) == len(english), f"{notes_file.name} has other sections than the English notes"
        assert all(len(CJK.findall(text)) >= 20 for text in notes.values()), "each section's notes say something, in Chinese"
        sections_by_id = teach._sections(nb.cells)
        assert sorted(teach.section_notes(nb.cells, path)) == sorted(sections_by_id.values()), \
            f"{notes_file.name}: a section without notes"


def test_chinese_text_is_measured_twice_as_wide():
    assert teach.text_width("参数") == 4 and teach.text_width("ab") == 2
    latin, chinese = "x" * 90, "参" * 90
    assert teach.markdown_height(chinese) > teach.markdown_height(latin)
    assert teach.continued_cell("参数", 1, "zh-CN").source == \
        '<p class="pl-continued-title">' + teach.WORDS["zh-CN"]["continued"].format(title="参数") + "</p>"


def test_long_cells_are_split_into_parts_that_fit():
    long_code = nbformat.v4.new_code_cell("\n".join(f"x{i} = {i}" for i in range(80)))
    long_code.outputs = [nbformat.v4.new_output("stream", text="".join(f"{i}\n" for i in range(70)))]
    long_code.id = "long"
    prose = nbformat.v4.new_markdown_cell("\n\n".join(["A paragraph of prose. " * 8] * 12))
    prose.id = "prose"
    heading = nbformat.v4.new_markdown_cell("## A section")
    heading.metadata["slideshow"] = {"slide_type": "slide"}
    fitted = teach.fit_to_slides([heading, prose, long_code], {})
    slides, height = [], 0.0
    for cell in fitted:
        if teach._slide_type(cell) in ("slide", "subslide"):
            slides.append(0.0)
        slides[-1] += teach.cell_height(cell, {})
    assert len(slides) >= 4 and max(slides) <= teach.SLIDE_BUDGET
    assert "\n".join(c.source for c in fitted if c.cell_type == "code" and "pl-continued" not in tags(c)) \
        == long_code.source, "every line of code is shown once, in order"
    printed = "".join(o["text"] for c in fitted if c.cell_type == "code" for o in c.outputs)
    assert printed == long_code.outputs[0]["text"], "every printed line is shown once, in order"
    assert len({c.id for c in fitted}) == len(fitted)


# ---------------------------------------------------------------------------- static site

@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_chapter_has_a_page_and_the_index_lists_all(html_dir, language):
    index_page = html_dir / course.language_folder(language) / "index.html"
    index = soup(index_page)
    assert index.html["lang"] == language
    assert [th.get_text() for th in index.select("thead th")] == list(teach.WORDS[language]["columns"])
    rows = index.select("tbody tr")
    chapters = course.chapters(language)
    assert len(rows) == len(chapters) == len(course.CHAPTERS)
    for row, chapter in zip(rows, chapters):
        assert row.find_all("td")[0].get_text() == str(chapter.number)
        assert chapter.title in row.get_text() and chapter.teaches in row.get_text()
    links = {a["href"] for a in index.find_all("a", href=True)}
    for path in by_language(language):
        assert page_of(html_dir, path, ".html").is_file()
        assert f"{path.stem}.html" in links
    assert_language_switch(index_page, html_dir)


@pytest.mark.slow
def test_every_link_of_every_page_resolves_offline(html_dir):
    pages = sorted(html_dir.glob("*.html")) + sorted(html_dir.glob("zh-CN/*.html"))
    assert len(pages) == len(PATHS) + len(LANGUAGES)
    for page in pages:
        assert_links_resolve(page)
        assert_loads_nothing_remote(page)
        assert_language_switch(page, html_dir)
    for language in LANGUAGES:
        folder = html_dir / course.language_folder(language)
        first = soup(folder / f"{PATHS[0].stem}.html")
        assert first.html["lang"] == language
        hrefs = {a["href"] for a in first.find_all("a", href=True)}
        assert "index.html" in hrefs, "Contents link"
        assert all(not href.endswith((".ipynb", ".md")) or REMOTE.match(href) for href in hrefs), \
            f"{language}: a link to a notebook or README file left on the page"


@pytest.mark.slow
def test_navigation_links_go_to_the_other_languages_pages(html_dir, sources):
    """The notebooks' [English]/[中文] links, where a navigation bar has them, go to the other
    language's page of the same chapter; the Chinese contents link to the Chinese index."""
    for path in sources:
        language = course.language_of(path)
        nb = nbformat.read(path, as_version=4)
        bars = "\n".join(c.source for c in nb.cells if "navigation" in tags(c))
        page = page_of(html_dir, path, ".html")
        hrefs = {a.get_text(strip=True): a["href"] for a in soup(page).find_all("a", href=True)}
        for other in LANGUAGES:
            name = teach.WORDS[other]["name"]
            if other != language and f"[{name}](" in bars:
                target, _ = local_target(page, hrefs[name])
                assert target.resolve() == (html_dir / course.language_folder(other) / page.name).resolve()
        if language != "en" and course.contents_href(language) in bars:
            assert local_target(page, hrefs[teach.WORDS[language]["contents"]])[0].resolve() == \
                (page.parent / "index.html").resolve()


@pytest.mark.slow
def test_pages_keep_outputs_figures_and_widget_state(html_dir, sources):
    for path in sources:
        nb = nbformat.read(path, as_version=4)
        prefix = teach.asset_prefix(course.language_of(path))
        page = page_of(html_dir, path, ".html").read_text(encoding="utf-8")
        document = BeautifulSoup(page, "html.parser")
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        pngs = sum("image/png" in o.get("data", {}) for o in outputs)
        assert len(document.select('img[src^="data:image/png"]')) >= pngs, path.name
        views = {o["data"][WIDGET_VIEW]["model_id"] for o in outputs if WIDGET_VIEW in o.get("data", {})}
        if views:
            state = document.find("script", type=WIDGET_STATE)
            assert state is not None, f"{path.name}: no widget state"
            assert all(model_id in state.get_text() for model_id in views), path.name
            assert f"var widgetRendererSrc = '{prefix}{teach.WIDGETS_URL}'" in page
            assert (html_dir / teach.WIDGETS_URL).is_file()


@pytest.fixture(scope="session")
def answers_dir(tmp_path_factory, npm_dir, sources):
    out = tmp_path_factory.mktemp("build") / "answers"
    teach.build_answers(sources, out, npm_dir)
    return out


@pytest.mark.slow
def test_answer_key_has_every_question_with_its_solution(answers_dir, sources):
    """Each language's key: the questions' headings, prompts and model answers as the helpers
    give them in that language, and each solution's code with the output it printed."""
    for path in sources:
        language = course.language_of(path)
        index = soup(answers_dir / course.language_folder(language) / "index.html")
        assert index.h1.get_text() == teach.WORDS[language]["answers"][0]
        page = page_of(answers_dir, path, ".html")
        assert page.name in {a["href"] for a in index.find_all("a", href=True)}
        assert_links_resolve(page)
        assert_language_switch(page, answers_dir)
        document = soup(page)
        assert document.html["lang"] == language
        text = document.get_text()
        headings = [h.get_text(strip=True).rstrip("¶") for h in document.find_all("h2")]
        for number, question, heading, answer in questions(path):
            assert heading in headings, f"{relative(path)} q{number}: no heading {heading!r}"
            if language != "en":
                assert CJK.search(heading), f"{relative(path)} q{number}: heading {heading!r} not in Chinese"
            for line in (answer if question.kind == "thought" else question.solution_code).splitlines():
                assert _plain_text(line) in _plain_text(text), f"{relative(path)} q{number}: {line!r} missing"
        full = nbformat.read(path, as_version=4)
        ran = [o for c in full.cells[solutions_start(full):] if c.cell_type == "code"
               and ".solution()" not in c.source for o in c.outputs]   # thought: the answer is text
        for output in ran:
            first = output_text(output).strip().splitlines()[:1]
            assert not first or first[0].strip()[:40] in text, f"{relative(path)}: an output of a solution is missing"


def _plain_text(markdown: str) -> str:
    """Text as a page shows it: no markdown marks, no math delimiters, spaces joined."""
    return re.sub(r"\s+", " ", re.sub(r"[`*$\\\\]", "", markdown)).strip()


def test_collapse_solutions_folds_the_solutions_heading(notebook):
    path, nb = notebook
    assert teach.collapse_solutions(nb)
    folded = [i for i, c in enumerate(nb.cells) if c.metadata.get(teach.SOLUTIONS_COLLAPSED)]
    assert folded == [solutions_start(nb)]
    heading = nb.cells[folded[0]].source
    assert heading.startswith(teach.SOLUTIONS_HEADINGS)
    nbformat.validate(nb)


@pytest.mark.slow
def test_pages_have_a_table_of_contents_and_mark_widgets_as_snapshots(html_dir, sources):
    for path in sources:
        words = teach.WORDS[course.language_of(path)]
        nb = nbformat.read(path, as_version=4)
        document = soup(page_of(html_dir, path, ".html"))
        toc = document.select_one("nav.pl-toc")
        sections = [teach._plain(c.source.splitlines()[0][3:].strip()) for c in nb.cells
                    if c.cell_type == "markdown" and c.source.startswith("## ")]
        assert toc is not None and [a.get_text() for a in toc.find_all("a")] == sections, path.name
        assert toc.strong.get_text() == words["contents"]
        views = document.find_all("script", type=WIDGET_VIEW)
        for view in views:
            note = view.find_previous_sibling("p", class_="pl-snapshot")
            assert note is not None and note.get_text() == words["snapshot"], path.name


# ---------------------------------------------------------------------------- in a browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def chapter_one_site(tmp_path_factory, npm_dir):
    """Chapter one's page and slideshow in every language (a translation's load the assets
    from the folder above theirs)."""
    out = tmp_path_factory.mktemp("site")
    teach.build_html(CHAPTER_ONES, out / "html", npm_dir)
    teach.build_slides(CHAPTER_ONES, out / "slides", npm_dir)
    return out


def open_offline(url: str, script: str) -> tuple[dict, list[str], list[str]]:
    """Open ``url`` in Chromium with every non-file request refused; return what ``script``
    finds, the remote URLs asked for, and the requests that failed."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (make test-browser installs it)")
    remote, failed = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})

        def route(request_route):
            if request_route.request.url.startswith(("file:", "data:", "blob:")):
                request_route.continue_()
            else:
                remote.append(request_route.request.url)
                request_route.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(url)
        page.wait_for_function(script, timeout=30_000)
        found = page.evaluate(script)
        browser.close()
    return found, remote, failed


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_static_page_shows_figures_and_widget_offline(chapter_one_site, language):
    page = chapter_one_site / "html" / course.language_folder(language) / f"{CHAPTER_ONE.stem}.html"
    found, remote, failed = open_offline(page.as_uri(), """() => {
        const widget = [...document.querySelectorAll('.jupyter-widgets img')];
        const drawn = widget.filter(img => img.complete && img.naturalWidth > 0);
        if (!drawn.length) return null;
        const label = document.querySelector('.jupyter-widgets .widget-label');
        return {widget: drawn.length,
                figures: [...document.querySelectorAll('img')].filter(i => i.naturalWidth > 0).length,
                controls: [...document.querySelectorAll('.jupyter-widgets select, .jupyter-widgets input')]
                          .map(el => el.disabled),
                widgetFont: label && getComputedStyle(label).fontFamily,
                pageFont: getComputedStyle(document.querySelector('.jp-RenderedHTMLCommon p')).fontFamily};
    }""")
    assert remote == [] and failed == []
    assert found["widget"] >= 1 and found["figures"] >= 2  # the widget's histogram and the plot
    assert found["controls"] and all(found["controls"]), "a saved widget's controls look live"
    assert found["widgetFont"] == found["pageFont"], "widget text in another font than the page"


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_slideshow_starts_offline(chapter_one_site, language):
    page = chapter_one_site / "slides" / course.language_folder(language) / f"{CHAPTER_ONE.stem}.slides.html"
    found, remote, failed = open_offline(page.as_uri(), """() => {
        if (!document.querySelector('.reveal.ready')) return null;
        return {slides: document.querySelectorAll('.slides > section').length,
                progress: !!document.querySelector('.reveal .progress')};
    }""")
    assert remote == [] and failed == []
    assert found["slides"] >= 5 and found["progress"]


# Steps through every slide with reveal.js's own API at its 960x700 slide size; a slide
# fails when its content is taller or wider than the slide (a wide code block may scroll
# sideways inside its own box: nothing is cut off, and it is counted).
JS_MEASURE_SLIDES = """async () => {
  const R = window.Reveal;
  R.configure({transition: 'none', backgroundTransition: 'none'});
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const rendered = (slide) => [...slide.querySelectorAll('img')].every(i => i.complete)
      && !/Loading widget/.test(slide.innerText);
  const found = [];
  for (const [h, stack] of R.getHorizontalSlides().entries()) {
    const leaves = stack.classList.contains('stack') ? [...stack.querySelectorAll(':scope > section')] : [stack];
    for (const [v, slide] of leaves.entries()) {
      R.slide(h, v);
      await frame();
      await new Promise(r => MathJax.Hub.Queue(r));
      for (let i = 0; i < 100 && !rendered(slide); i++) await new Promise(r => setTimeout(r, 50));
      await frame();
      const heading = slide.querySelector('h1, h2, h3, .pl-continued-title');
      found.push({number: R.getSlidePastCount() + 1, h, v,
                  title: heading ? heading.textContent.replace('¶', '').trim() : '',
                  height: slide.scrollHeight, width: slide.scrollWidth, clientWidth: slide.clientWidth,
                  notes: !!slide.querySelector('aside.notes'),
                  sideways: [...slide.querySelectorAll('pre')].filter(p => p.scrollWidth > p.clientWidth + 1).length,
                  links: [...slide.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))});
    }
  }
  return found;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_slide_fits_the_slide(slides_dir, language):
    """Every slide of every chapter, in each language (Chinese text is wider per character and
    wraps sooner: the builder measures it so)."""
    words = teach.WORDS[language]
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (make test-browser installs it)")
    overflowing, sideways, counted = [], 0, {}
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": teach.SLIDE_WIDTH, "height": teach.SLIDE_HEIGHT})
        for path in by_language(language):
            page.goto(page_of(slides_dir, path, ".slides.html").as_uri())
            page.wait_for_function("() => window.Reveal && Reveal.isReady() && window.MathJax && MathJax.isReady",
                                   timeout=60_000)
            slides = page.evaluate(JS_MEASURE_SLIDES)
            counted[path.stem] = len(slides)
            assert sum(slide["notes"] for slide in slides) >= len(teach.read_notes(teach.notes_path(path))), \
                f"{relative(path)}: a section's speaker notes are missing"
            for slide in slides:
                where = f"{relative(path)} slide {slide['number']} (#/{slide['h']}/{slide['v']}, {slide['title']!r})"
                if slide["height"] > teach.SLIDE_HEIGHT:
                    overflowing.append(f"{where}: {slide['height']} px tall")
                if slide["width"] > slide["clientWidth"] + 1:
                    overflowing.append(f"{where}: {slide['width']} px wide")
                sideways += slide["sideways"]
            last = slides[-1]
            assert last["title"].startswith((words["next_prefix"].strip(), words["end_title"])), \
                f"{relative(path)} ends with {last['title']!r}"
            assert last["links"], f"{path.stem}: the last slide links nowhere"
        browser.close()
    print(f"\n{language} slides per chapter: {counted}; {sum(counted.values())} slides, "
          f"{sideways} code or output blocks scroll sideways inside the slide")
    assert not overflowing, "slides that do not fit 960x700:\n" + "\n".join(overflowing)
