"""What makes the course run elsewhere: outputs that do not depend on the Python version,
links that all come from the publishing setting, notebooks that leave no temporary files,
widgets on ipywidgets 7 (Colab) as well as 8, and a pip-installed package (Colab's) that has its
spec files and message catalog."""

import getpass
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import course
import nbtool
import upgrade
from helpers import exercises

ROOT = course.ROOT
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# Reprs that Python versions print differently: 3.12 prints OrderedDict({'a': 1}), 3.11
# OrderedDict([('a', 1)]); a state dict's repr is one.
VERSION_DEPENDENT = re.compile(r"OrderedDict\(")


def text_outputs(nb):
    for number, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [value for key, value in output.get("data", {}).items()
                                                 if key.startswith("text/")]
            texts += output.get("traceback", [])
            yield number, "".join(texts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_outputs_do_not_depend_on_the_python_version(path):
    found = [f"cell {number}: {match.group(0)}..." for number, text in text_outputs(nbformat.read(path, as_version=4))
             for match in VERSION_DEPENDENT.finditer(text)]
    assert not found, f"{path.name} prints a repr that differs between Python versions ({found}): print dict(...)"


def test_the_python_version_check_catches_a_state_dict_repr():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("net.state_dict()")])
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "OrderedDict([('w', 1)])"})]
    assert [number for number, text in text_outputs(nb) if VERSION_DEPENDENT.search(text)] == [1]


# Every link the project generates: the repository itself, its Binder and Colab pages, the pip
# source of the Colab cell, and nbgitpuller links of a class hub.
PROJECT_URLS = [
    ("Binder", re.compile(r"mybinder\.org/v2/gh/([\w.-]+)/([\w.-]+)/([\w./-]+?)\?"), ("owner", "repo", "branch")),
    ("Colab", re.compile(r"colab\.research\.google\.com/github/([\w.-]+)/([\w.-]+)/blob/([\w.-]+)/"),
     ("owner", "repo", "branch")),
    ("pip", re.compile(r"git\+https://github\.com/([\w.-]+)/([\w.-]+?)@([\w./-]+)"), ("owner", "repo", "branch")),
    ("GitHub", re.compile(r"github\.com/([\w.-]+)/([\w-]+(?:\.(?!git\b)[\w-]+)*)"), ("owner", "repo")),
    ("nbgitpuller", re.compile(r"https://([\w.:-]+)/hub/user-redirect/git-pull"), ("hub",)),
]
# Repositories the course cites; they are not where it is published.
CITED_REPOSITORIES = {("d2l-ai", "d2l-en"), ("d2l-ai", "d2l-zh"), ("jupyterhub", "nbgitpuller"),
                      ("Kaggle", "learntools"), ("pytorch", "pytorch"), ("pytorch", "tutorials")}


def stray_urls(root):
    """Project URLs in tracked files that the publishing setting of ``root`` did not produce
    (tests are left out: their examples are not links the project publishes)."""
    setting = course.publishing(root)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, text=True,
                             check=True).stdout.split("\0")
    stray = []
    for name in filter(None, tracked):
        if name.startswith("tests/"):
            continue
        try:
            text = (root / name).read_text()
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        for kind, pattern, keys in PROJECT_URLS:
            for match in pattern.finditer(text):
                if kind == "GitHub" and match.groups() in CITED_REPOSITORIES:
                    continue
                if match.groups() != tuple(setting[key] for key in keys):
                    stray.append(f"{name}: {kind} {match.group(0)}")
    return stray


def test_every_project_url_comes_from_the_publishing_setting():
    assert stray_urls(ROOT) == []


def test_a_hand_written_link_to_another_fork_is_caught(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "notes.md").write_text("[Binder](https://mybinder.org/v2/gh/someone/old-name/main?urlpath=lab)\n"
                                       "[d2l](https://github.com/d2l-ai/d2l-en)\n")
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    assert stray_urls(tmp_path) == ["notes.md: Binder mybinder.org/v2/gh/someone/old-name/main?"]


@pytest.mark.slow
def test_make_publish_points_every_link_at_a_fork(tmp_path):
    # A clone of the last commit, so that nobody's work in progress is touched.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    old = course.publishing(ROOT)
    venv = ROOT / ".venv"
    # The shared venv is reused; -o keeps make from reinstalling it for the clone's fresh files.
    subprocess.run(["make", "--no-print-directory", "publish", f"VENV={venv}", "-o", f"{venv}/.installed",
                    "OWNER=a-teacher", "REPO=my-param-lab", "BRANCH=spring", "HUB=jupyter.school.example"],
                   cwd=clone, check=True, capture_output=True)
    assert course.publishing(clone) == {"owner": "a-teacher", "repo": "my-param-lab", "branch": "spring",
                                        "hub": "jupyter.school.example"}
    assert stray_urls(clone) == []
    tracked = subprocess.run(["git", "ls-files"], cwd=clone, capture_output=True, text=True).stdout.split()
    leftovers = [name for name in tracked if name != "pyproject.toml" and not name.startswith("tests/")
                 and f"{old['owner']}/{old['repo']}" in (clone / name).read_text(errors="ignore")]
    assert leftovers == []
    first = nbformat.read(clone / "notebooks" / NOTEBOOKS[0].name, as_version=4)
    assert "colab.research.google.com/github/a-teacher/my-param-lab/blob/spring/notebooks/" in first.cells[0].source
    setup = next(cell for cell in first.cells if "setup" in cell.metadata.get("tags", []))
    assert "git+https://github.com/a-teacher/my-param-lab@spring" in setup.source


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_notebook_leaves_nothing_in_the_temporary_folder(path, tmp_path):
    # A private TMPDIR for the kernel: whatever is there afterwards, the notebook left behind.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    before = sorted(os.listdir(scratch))
    nb = nbformat.read(path, as_version=4)
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute(
        env={**os.environ, "TMPDIR": str(scratch)})
    # Importing torchvision (d2l does) makes torch's compile cache, one per user for every torch
    # process, in the temp folder; it stays empty unless something is compiled.
    torch_cache = scratch / f"torchinductor_{getpass.getuser()}"
    if torch_cache.is_dir() and not any(torch_cache.iterdir()):
        torch_cache.rmdir()
    assert sorted(os.listdir(scratch)) == before, f"{path.name} left {sorted(os.listdir(scratch))} in the temp folder"


WIDGET_CELL = """\
import ipywidgets
from helpers.widgets import Panel
print(ipywidgets.__version__)
Panel("Demo", {"n": ipywidgets.IntSlider(value=1)}, lambda fig, n: str(n))"""


@pytest.mark.slow
def test_a_panel_displays_on_ipywidgets_7_as_on_8(tmp_path):
    site = tmp_path / "ipywidgets7"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
         "ipywidgets==7.7.1", "widgetsnbextension==3.6.10", "jupyterlab-widgets==1.1.11", "ipython-genutils==0.2.0"],
        capture_output=True, text=True, env=dict(os.environ, PIP_CONFIG_FILE=os.devnull))
    if install.returncode != 0:
        pytest.skip(f"ipywidgets 7.7.1 could not be downloaded: {install.stderr.strip().splitlines()[-1]}")
    texts = {}
    for label, pythonpath in (("7", str(site)), ("8", "")):
        script = (f"import nbformat\nfrom nbclient import NotebookClient\n"
                  f"nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell({WIDGET_CELL!r})])\n"
                  f"NotebookClient(nb, kernel_name='python3').execute()\n"
                  f"import json; print(json.dumps(nb.cells[0].outputs))")
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                             env=dict(os.environ, PYTHONPATH=pythonpath))
        assert run.returncode == 0, run.stderr
        stream, shown = json.loads(run.stdout.splitlines()[-1])
        assert stream["text"].startswith(label + ".")
        assert "application/vnd.jupyter.widget-view+json" in shown["data"]
        texts[label] = shown["data"]["text/plain"]
    assert texts["7"] == texts["8"] == "Demo (interactive: run the notebook to use the controls)"


INSTALLED_CHECK = """\
import helpers
from helpers import exercises, session
helpers.setup(language="zh-CN")
print(helpers.__file__.startswith({site!r}), *(len(exercises.load(slug)) for slug in {slugs!r}))
print(session.tr("your answer"))"""


@pytest.mark.slow
def test_the_installed_package_ships_its_specs_and_catalog(tmp_path):
    # Colab installs the helpers with pip from the repository: it gets what pyproject.toml ships.
    source, site = upgrade.package_source(tmp_path / "source"), tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(site), str(source)],
        capture_output=True, text=True, env=dict(os.environ, PIP_CONFIG_FILE=os.devnull))
    assert install.returncode == 0, install.stderr
    slugs = [chapter.slug for chapter in course.CHAPTERS]
    run = subprocess.run([sys.executable, "-c", INSTALLED_CHECK.format(site=str(site), slugs=slugs)],
                         capture_output=True, text=True, cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(site)))
    assert run.returncode == 0, run.stderr
    counts = [str(len(exercises.load(slug))) for slug in slugs]
    assert run.stdout.splitlines() == [" ".join(["True", *counts]), "你的答案"]
