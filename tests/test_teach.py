"""The teaching outputs of .ci/teach.py: student copies, slides and the static site.

Everything is built into pytest's temporary folders, never into the repository. Student
copies and the link rules are fast. Slides and pages run nbconvert on every notebook (and,
the first time, fetch reveal.js and friends from npm), and one student copy is executed in a
kernel: those tests are marked slow. Two browser tests open a page and a slideshow in
Chromium with the network cut off.
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

ROOT = Path(__file__).resolve().parent.parent
PATHS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [path.stem for path in PATHS]
CHAPTER_ONE = ROOT / "notebooks" / "01_parameter_access.ipynb"
CHECK = re.compile(r"ex\.q(\d+)\.check\((\w*)\)")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
REMOTE = re.compile(r"^(https?:)?//")


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def solutions_start(nb):
    return next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown"
                and cell.source.lstrip().startswith("## Solutions"))


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
    """The notebooks as they are when the run starts: builds and checks read the same files
    even if someone saves a notebook meanwhile."""
    folder = tmp_path_factory.mktemp("notebooks")
    for path in PATHS:
        shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def sources(snapshot):
    return [snapshot / path.name for path in PATHS]


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
    path = snapshot / request.param.name
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

def test_student_copy_is_a_clean_valid_notebook(notebook, student_dir):
    path, _ = notebook
    copy = nbformat.read(student_dir / path.name, as_version=4)
    nbformat.validate(copy)
    assert "widgets" not in copy.metadata
    for cell in copy.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
            assert "solution" not in tags(cell)
    assert not any(cell.source.lstrip().startswith("## Solutions") for cell in copy.cells)
    assert "navigation" in tags(copy.cells[-1]), "the closing navigation bar stays"


def test_student_copy_keeps_the_lesson_and_the_checks(notebook, student_dir):
    path, nb = notebook
    copy = nbformat.read(student_dir / path.name, as_version=4)
    lesson = nb.cells[:solutions_start(nb)]
    assert len(copy.cells) == len(lesson) + 2  # + the student-copy note + the navigation bar
    for original, kept in zip(lesson, copy.cells):
        if original.cell_type == "code" and "solution" in tags(original):
            assert kept.source == teach.STUDENT_PLACEHOLDER
        elif original.cell_type == "code":
            assert kept.source == teach.without_solutions(original.source)
    checks = {int(n) for cell in copy.cells for n, _ in CHECK.findall(cell.source)}
    assert checks == set(range(1, len(exercises.load(path.stem)) + 1)), "one check cell per question"
    loads = [c.source for c in copy.cells if "helpers.exercises.load(" in c.source]
    assert loads and all(f'load("{path.stem}", solutions=False)' in source for source in loads)


def test_student_copy_contains_no_solution(notebook, student_dir):
    path, nb = notebook
    copy = nbformat.read(student_dir / path.name, as_version=4)
    text = "\n".join(cell.source for cell in copy.cells)
    for number, question in enumerate(exercises.load(path.stem), start=1):
        assert question.solution_code not in text, f"q{number}'s solution is in the student copy"
    for cell in nb.cells[solutions_start(nb):]:
        if cell.cell_type == "code":
            assert cell.source not in text


def test_student_checks_start_from_the_placeholder(notebook, student_dir):
    """Each check judges `name = ...`, so an unanswered exercise says "Not attempted yet"."""
    path, _ = notebook
    copy = nbformat.read(student_dir / path.name, as_version=4)
    for cell in copy.cells:
        for _, name in CHECK.findall(cell.source):
            if name:
                assert re.search(rf"^{name} = \.\.\.", cell.source, re.MULTILINE), cell.source


def test_student_copy_links_work_where_it_is_handed_out(notebook, student_dir):
    path, _ = notebook
    copy = nbformat.read(student_dir / path.name, as_version=4)
    for cell in copy.cells:
        if cell.cell_type != "markdown":
            continue
        for link in re.findall(r"\]\(([^)\s]+)\)", cell.source):
            if REMOTE.match(link) or link.startswith("#"):
                continue
            target = link.split("#")[0]
            assert target.endswith(".ipynb"), f"{link} would point outside build/student/"
            if (ROOT / "notebooks" / target).exists():
                assert (student_dir / target).exists(), link


def test_student_command_writes_only_under_out(tmp_path):
    written = teach.main(["student", "--out", str(tmp_path), str(CHAPTER_ONE)])
    tmp_path = tmp_path.resolve()
    assert written == [tmp_path / "student" / CHAPTER_ONE.name]
    assert sorted(tmp_path.rglob("*")) == [tmp_path / "student", written[0]]


@pytest.mark.slow
def test_student_copy_of_chapter_one_runs_and_says_not_attempted(student_dir, tmp_path):
    from nbclient import NotebookClient

    copy = nbformat.read(student_dir / CHAPTER_ONE.name, as_version=4)
    asked = [nbformat.v4.new_code_cell("ex.q1.solution()"), nbformat.v4.new_code_cell("ex.q1.hint()")]
    copy.cells[-1:-1] = asked       # a student asking for the answer, then for a hint
    NotebookClient(copy, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises on any error
    kinds = {n: q.kind for n, q in enumerate(exercises.load(CHAPTER_ONE.stem), start=1)}
    seen = set()
    for cell in copy.cells:
        for number, _ in CHECK.findall(cell.source):
            text = "".join(output_text(o) for o in cell.outputs)
            expected = "Thought question" if kinds[int(number)] == "thought" else "Not attempted yet"
            assert text.startswith(expected), f"ex.q{number}.check printed {text!r}"
            seen.add(int(number))
    assert seen == set(kinds)
    solution, hint = ("".join(output_text(o) for o in cell.outputs) for cell in asked)
    question = next(iter(exercises.load(CHAPTER_ONE.stem)))
    assert solution.strip() == exercises.WITH_TEACHER and question.solution_code not in solution
    assert hint.startswith("Hint: ") and len(hint) > len("Hint: ") + 10


# ---------------------------------------------------------------------------- slides

@pytest.mark.slow
def test_every_notebook_has_a_slideshow_and_the_index_lists_them(slides_dir):
    index = soup(slides_dir / "index.html")
    links = {a["href"] for a in index.find_all("a", href=True)}
    for path in PATHS:
        assert (slides_dir / f"{path.stem}.slides.html").is_file()
        assert f"{path.stem}.slides.html" in links
    assert_links_resolve(slides_dir / "index.html")


@pytest.mark.slow
def test_slideshow_references_only_local_files(slides_dir):
    page = slides_dir / f"{CHAPTER_ONE.stem}.slides.html"
    document = soup(page)
    assets = [tag.get("src") for tag in document.find_all(src=True)]
    assets += [tag["href"] for tag in document.find_all("link", href=True)]
    assert "reveal.js/dist/reveal.css" in assets and teach.REQUIRE_URL in assets
    for url in assets:
        assert not REMOTE.match(url), url
    assert_links_resolve(page)
    assert_loads_nothing_remote(page)
    footer = "\n".join(s.get_text() for s in document.find_all("script", src=False))
    for module in ("reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js", teach.WIDGETS_URL):
        assert module in footer and (slides_dir / module).is_file(), module


@pytest.mark.slow
def test_slides_end_with_the_exercises_then_the_next_chapter(slides_dir):
    for number, path in enumerate(PATHS):
        document = soup(slides_dir / f"{path.stem}.slides.html")
        slides = document.select("div.slides > section")
        titles = [s.find("h2").get_text(strip=True).rstrip("¶") for s in slides[-2:]]
        assert titles[0] == "Exercises", path.name
        assert document.find(id="Solutions") is None, path.name
        text = document.get_text()
        for question in exercises.load(path.stem):
            if question.kind != "thought":
                assert question.solution_code not in text, path.name
        links = [a["href"] for a in slides[-1].find_all("a", href=True)]
        if number + 1 < len(PATHS):
            assert titles[1].startswith("Next: "), path.name
            assert f"{PATHS[number + 1].stem}.slides.html" in links, path.name
        assert "index.html" in links, path.name


def test_slides_leave_out_the_setup_sentence_and_add_notes_and_a_closing_slide(notebook):
    path, nb = notebook
    warnings = []
    cells = teach.slide_cells(nb, path, warnings)
    shown = [c for c in cells if teach._slide_type(c) not in ("skip", "notes")]
    assert not any("first code cell" in c.source for c in shown), "the setup sentence is on a slide"
    assert not any("setup" in tags(c) or "navigation" in tags(c) for c in shown)
    notes = teach.read_notes(teach.notes_path(path))
    for index, cell in enumerate(cells):
        title = teach._section_title(cell) if cell.source.startswith("## ") else None
        if title in notes and teach._slide_type(cell) != "skip":
            assert teach._slide_type(cells[index + 1]) == "notes", title
            assert cells[index + 1].source == notes[title]
    assert warnings == [], warnings
    assert cells[-1].source.startswith(("## Next: ", "## The end")) and cells[-1].id == "next-chapter"


def test_speaker_notes_cover_every_section(notebook):
    """One notes file per chapter; its headings are exactly the chapter's sections."""
    path, nb = notebook
    notes = teach.read_notes(teach.notes_path(path))
    sections = [teach._section_title(c) for c in nb.cells if c.cell_type == "markdown"
                and c.source.startswith("## ") and teach._slide_type(c) != "skip"]
    assert sorted(notes) == sorted(sections), f"{teach.notes_path(path).name} and the notebook's ## sections differ"
    assert all(len(text.split()) >= 15 for text in notes.values()), "each section's notes say something"


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
def test_every_chapter_has_a_page_and_the_index_lists_all(html_dir):
    index = soup(html_dir / "index.html")
    rows = index.select("tbody tr")
    assert len(rows) == len(course.CHAPTERS)
    for row, chapter in zip(rows, course.CHAPTERS):
        assert row.find_all("td")[0].get_text() == str(chapter.number)
        assert chapter.title in row.get_text() and chapter.teaches in row.get_text()
    links = {a["href"] for a in index.find_all("a", href=True)}
    for path in PATHS:
        assert (html_dir / f"{path.stem}.html").is_file()
        assert f"{path.stem}.html" in links


@pytest.mark.slow
def test_every_link_of_every_page_resolves_offline(html_dir):
    pages = sorted(html_dir.glob("*.html"))
    assert len(pages) == len(PATHS) + 1
    for page in pages:
        assert_links_resolve(page)
        assert_loads_nothing_remote(page)
    first = soup(html_dir / f"{PATHS[0].stem}.html")
    assert "index.html" in {a["href"] for a in first.find_all("a", href=True)}, "Contents link"


@pytest.mark.slow
def test_pages_keep_outputs_figures_and_widget_state(html_dir, sources):
    for path in sources:
        nb = nbformat.read(path, as_version=4)
        page = (html_dir / f"{path.stem}.html").read_text(encoding="utf-8")
        document = BeautifulSoup(page, "html.parser")
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        pngs = sum("image/png" in o.get("data", {}) for o in outputs)
        assert len(document.select('img[src^="data:image/png"]')) >= pngs, path.name
        views = {o["data"][WIDGET_VIEW]["model_id"] for o in outputs if WIDGET_VIEW in o.get("data", {})}
        if views:
            state = document.find("script", type=WIDGET_STATE)
            assert state is not None, f"{path.name}: no widget state"
            assert all(model_id in state.get_text() for model_id in views), path.name
            assert f"var widgetRendererSrc = '{teach.WIDGETS_URL}'" in page
            assert (html_dir / teach.WIDGETS_URL).is_file()


@pytest.fixture(scope="session")
def answers_dir(tmp_path_factory, npm_dir, sources):
    out = tmp_path_factory.mktemp("build") / "answers"
    teach.build_answers(sources, out, npm_dir)
    return out


@pytest.mark.slow
def test_answer_key_has_every_question_with_its_solution(answers_dir, sources):
    index = soup(answers_dir / "index.html")
    links = {a["href"] for a in index.find_all("a", href=True)}
    for path in sources:
        page = answers_dir / f"{path.stem}.html"
        assert page.name in links
        assert_links_resolve(page)
        text = soup(page).get_text()
        for number, question in enumerate(exercises.load(path.stem), start=1):
            assert f"Question {number} ({question.kind})" in text, f"{path.stem} q{number}"
            for line in question.solution_code.splitlines():
                assert line.strip() in text, f"{path.stem} q{number}: {line!r} missing"
        full = nbformat.read(path, as_version=4)
        ran = [o for c in full.cells[solutions_start(full):] if c.cell_type == "code"
               and ".solution()" not in c.source for o in c.outputs]   # thought: the answer is text
        for output in ran:
            first = output_text(output).strip().splitlines()[:1]
            assert not first or first[0].strip()[:40] in text, f"{path.stem}: an output of a solution is missing"


def test_collapse_solutions_folds_the_solutions_heading(notebook):
    path, nb = notebook
    assert teach.collapse_solutions(nb)
    folded = [i for i, c in enumerate(nb.cells) if c.metadata.get(teach.SOLUTIONS_COLLAPSED)]
    assert folded == [solutions_start(nb)]
    nbformat.validate(nb)


@pytest.mark.slow
def test_pages_have_a_table_of_contents_and_mark_widgets_as_snapshots(html_dir, sources):
    for path in sources:
        nb = nbformat.read(path, as_version=4)
        document = soup(html_dir / f"{path.stem}.html")
        toc = document.select_one("nav.pl-toc")
        sections = [teach._plain(c.source.splitlines()[0][3:].strip()) for c in nb.cells
                    if c.cell_type == "markdown" and c.source.startswith("## ")]
        assert toc is not None and [a.get_text() for a in toc.find_all("a")] == sections, path.name
        views = document.find_all("script", type=WIDGET_VIEW)
        for view in views:
            assert view.find_previous_sibling("p", class_="pl-snapshot") is not None, path.name


# ---------------------------------------------------------------------------- in a browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def chapter_one_site(tmp_path_factory, npm_dir):
    out = tmp_path_factory.mktemp("site")
    teach.build_html([CHAPTER_ONE], out / "html", npm_dir)
    teach.build_slides([CHAPTER_ONE], out / "slides", npm_dir)
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
def test_static_page_shows_figures_and_widget_offline(chapter_one_site):
    page = chapter_one_site / "html" / f"{CHAPTER_ONE.stem}.html"
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
def test_slideshow_starts_offline(chapter_one_site):
    page = chapter_one_site / "slides" / f"{CHAPTER_ONE.stem}.slides.html"
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
def test_every_slide_fits_the_slide(slides_dir):
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (make test-browser installs it)")
    overflowing, sideways, counted = [], 0, {}
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": teach.SLIDE_WIDTH, "height": teach.SLIDE_HEIGHT})
        for path in PATHS:
            page.goto((slides_dir / f"{path.stem}.slides.html").as_uri())
            page.wait_for_function("() => window.Reveal && Reveal.isReady() && window.MathJax && MathJax.isReady",
                                   timeout=60_000)
            slides = page.evaluate(JS_MEASURE_SLIDES)
            counted[path.stem] = len(slides)
            for slide in slides:
                where = f"{path.stem} slide {slide['number']} (#/{slide['h']}/{slide['v']}, {slide['title']!r})"
                if slide["height"] > teach.SLIDE_HEIGHT:
                    overflowing.append(f"{where}: {slide['height']} px tall")
                if slide["width"] > slide["clientWidth"] + 1:
                    overflowing.append(f"{where}: {slide['width']} px wide")
                sideways += slide["sideways"]
            last = slides[-1]
            assert last["title"].startswith(("Next:", "The end")), f"{path.stem} ends with {last['title']!r}"
            assert last["links"], f"{path.stem}: the last slide links nowhere"
        browser.close()
    print(f"\nslides per chapter: {counted}; {sum(counted.values())} slides, "
          f"{sideways} code or output blocks scroll sideways inside the slide")
    assert not overflowing, "slides that do not fit 960x700:\n" + "\n".join(overflowing)
