"""requirements.txt, environment.yml and the imports of notebooks and helpers agree.

requirements.txt pins everything `make setup` installs; environment.yml (Binder) holds the
learner's part of it, the lines above "# Tests and tools", at the same versions."""

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import nbformat
import yaml

import course
import nbtool

ROOT = Path(__file__).resolve().parent.parent
CONDA_TO_PIP = {"pytorch-cpu": "torch", "matplotlib-base": "matplotlib"}
NOT_PACKAGES = {"python", "pip"}


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


TOOLS_MARKER = "# Tests and tools"


def requirements(learner_only=False):
    pins, no_deps = {}, {}
    text = (ROOT / "requirements.txt").read_text()
    if learner_only:
        text = text[:text.index(TOOLS_MARKER)]
    for line in text.splitlines():
        if line.startswith("# no-deps:"):
            name, version = line.split(":", 1)[1].strip().split("==")
            no_deps[canonical(name)] = version
        elif line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][^\s]*", line), f"not an exact pin: {line}"
            name, version = line.split("==")
            pins[canonical(name)] = version
    return pins, no_deps


def environment():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert spec["channels"][0] == "conda-forge"
    versions = {}
    for dep in spec["dependencies"]:
        entries = dep["pip"] if isinstance(dep, dict) else [dep]
        for entry in entries:
            name, version = (re.split(r"==|=", entry, maxsplit=1) + [""])[:2]
            name = canonical(CONDA_TO_PIP.get(name, name))
            if name not in NOT_PACKAGES:
                assert version, f"environment.yml: {entry} has no version"
                versions[name] = version
    return versions


def test_environment_yml_is_the_learners_part_at_the_same_versions():
    pins, _ = requirements()
    learner, _ = requirements(learner_only=True)
    binder = environment()
    assert {name: pins.get(name) for name in binder} == binder  # every shared name: the same version
    assert binder == learner
    assert not {"pytest", "nbval", "playwright", "hypothesis"} & set(binder)


def test_cpu_pytorch_for_binder():
    assert "pytorch-cpu" in (ROOT / "environment.yml").read_text()


def test_no_deps_line_is_read_by_every_installer():
    _, no_deps = requirements()
    assert no_deps == {"d2l": "1.0.3"}
    assert "sed -n 's/^\\# no-deps: //p' requirements.txt" in (ROOT / "Makefile").read_text()
    assert "sed -n 's/^# no-deps: //p' requirements.txt" in (ROOT / "postBuild").read_text()
    assert '"--no-deps", "d2l==1.0.3"' in nbtool.SETUP_SOURCE


def test_installed_versions_are_the_pinned_ones():
    pins, no_deps = requirements()
    for name, version in {**pins, **no_deps}.items():
        installed = importlib.metadata.version(name)
        assert installed.split("+")[0] == version, f"{name}: {installed} installed, {version} pinned"


def imported_top_level_modules():
    sources = [path.read_text() for path in (ROOT / "helpers").rglob("*.py")]
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        sources += [cell.source for cell in nb.cells if cell.cell_type == "code"]
    modules = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    maintainer_tools = {path.stem for path in (ROOT / ".ci").glob("*.py")}  # never installed
    return modules - set(sys.stdlib_module_names) - {"helpers"} - maintainer_tools


def test_every_import_is_covered_by_both_files():
    pins, no_deps = requirements()
    declared = set(pins) & set(environment()) | set(no_deps)
    distributions = importlib.metadata.packages_distributions()
    modules = imported_top_level_modules()
    assert {"torch", "d2l", "ipywidgets", "matplotlib"} <= modules | {"d2l"}
    for module in sorted(modules):
        names = {canonical(d) for d in distributions.get(module, [])}
        assert names & declared, f"import {module} comes from {names or 'nowhere'}, not pinned"
    # d2l's own imports, which --no-deps does not install for us
    for module in ("numpy", "torch", "torchvision", "PIL", "pandas", "scipy", "requests",
                   "matplotlib", "matplotlib_inline", "IPython"):
        assert {canonical(d) for d in distributions[module]} & declared, module


def test_the_helpers_package_stays_plumbing_sized():
    # The guide's budget: at most 300 lines a module and 1,500 in all. Counted: every Python file of the
    # package but a chapter's exercise spec; the message catalogs are data files (.toml).
    specs = {ROOT / "helpers" / "exercises" / f"{chapter.name}.py" for chapter in course.CHAPTERS}
    counted = [path for path in sorted((ROOT / "helpers").rglob("*.py")) if path not in specs
               and not any(part.startswith(".") for part in path.relative_to(ROOT).parts)]  # .ipynb_checkpoints
    lines = {path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines()) for path in counted}
    assert {path: n for path, n in lines.items() if n > 300} == {}
    assert sum(lines.values()) <= 1500, lines
