"""The Makefile's promises: setup is a no-op when nothing changed and accepts Python 3.11-3.13,
clean never deletes a notebook, test and lab leave no caches in the tree."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_setup_is_up_to_date_after_it_ran():
    # `make -q` exits 0 only when the target needs no work: a second `make setup` does nothing.
    assert subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT).returncode == 0


def scratch_copy(tmp_path, *names):
    for name in ("Makefile", "requirements.txt", *names):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)


def write(path, text="x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_clean_keeps_every_notebook_and_removes_the_rest(tmp_path):
    scratch_copy(tmp_path)
    notebook = write(tmp_path / "notebooks" / "01_parameter_access.ipynb", '{"edited": "by a learner"}')
    checkpoint = write(tmp_path / "notebooks" / ".ipynb_checkpoints" / "01_parameter_access-checkpoint.ipynb")
    student = write(tmp_path / "build" / "student" / "01_parameter_access.ipynb", '{"my": "answers"}')
    student_checkpoint = write(tmp_path / "build" / "student" / ".ipynb_checkpoints" / "01-checkpoint.ipynb")
    junk = [write(tmp_path / name) for name in ("build/slides/a.html", "build/student/index.html",
                                                "build/html/01.ipynb", "helpers/__pycache__/x.pyc",
                                                ".hypothesis/db", ".venv/pycache/helpers/x.pyc")]
    result = subprocess.run(["make", "clean"], cwd=tmp_path, check=True, capture_output=True, text=True)
    assert notebook.read_text() == '{"edited": "by a learner"}' and checkpoint.exists()
    assert student.read_text() == '{"my": "answers"}' and student_checkpoint.exists()
    assert "build/student/01_parameter_access.ipynb" in result.stdout  # the learner is told what stayed
    assert not any(path.exists() for path in junk)
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == ["student"]


def test_clean_removes_build_entirely_when_no_student_notebook_is_there(tmp_path):
    scratch_copy(tmp_path)
    write(tmp_path / "build" / "slides" / "index.html")
    result = subprocess.run(["make", "clean"], cwd=tmp_path, check=True, capture_output=True, text=True)
    assert not (tmp_path / "build").exists()
    assert "kept" not in result.stdout


def fake_python(tmp_path, version):
    """A `python3.X` on PATH that runs this interpreter."""
    script = write(tmp_path / "bin" / f"python{version}", f"#!/bin/sh\nexec {sys.executable} \"$@\"\n")
    script.chmod(0o755)
    return script


def find_python(path_dirs, home):
    env = {"PATH": os.pathsep.join(str(d) for d in path_dirs), "HOME": str(home)}
    return subprocess.run([str(ROOT / ".ci" / "find-python")], env=env, capture_output=True, text=True).stdout.strip()


def test_find_python_prefers_the_newest_supported_version_that_runs(tmp_path):
    system = ["/usr/bin", "/bin"]
    newest = fake_python(tmp_path / "a", "3.12")
    broken = write(tmp_path / "b" / "bin" / "python3.13", "#!/bin/sh\nexit 127\n")  # a pyenv-like shim
    broken.chmod(0o755)
    assert find_python([newest.parent, broken.parent, *system], tmp_path) == str(newest)


def test_setup_names_the_accepted_versions_when_none_is_found(tmp_path):
    scratch_copy(tmp_path, "pyproject.toml", ".ci/find-python")
    # A `make test PYTHON=...` passes PYTHON on to every make below it (MAKEFLAGS): drop it here.
    env = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MFLAGS", "PYTHON")}
    env["PATH"] = "/nonexistent"
    result = subprocess.run([shutil.which("make"), "setup"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "Parameter Lab needs Python 3.11, 3.12 or 3.13 and found none" in result.stdout + result.stderr
    assert not (tmp_path / ".venv").exists()


def test_setup_refuses_an_unsupported_python_and_says_which_are_accepted(tmp_path):
    scratch_copy(tmp_path, "pyproject.toml", ".ci/find-python")
    # An interpreter that reports 3.10 to the version check.
    old = write(tmp_path / "bin" / "python3.10", f"""#!/bin/sh
[ "$1" = -c ] && exec {sys.executable} -c "import sys; sys.version_info = (3, 10, 0); exec(sys.argv[1])" "$2"
exec {sys.executable} "$@"
""")
    old.chmod(0o755)
    result = subprocess.run(["make", "setup", f"PYTHON={old}"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode != 0
    assert f"Parameter Lab needs Python 3.11, 3.12 or 3.13 (found 3.10 at {old})" in result.stderr
    assert not (tmp_path / ".venv").exists()


def test_test_targets_keep_caches_out_of_the_tree():
    dry = subprocess.run(["make", "-n", "test", "test-fast", "lab"], cwd=ROOT, capture_output=True, text=True).stdout
    test_lines = [line for line in dry.splitlines() if "pytest" in line]
    assert len(test_lines) == 2
    for line in test_lines:
        assert "HYPOTHESIS_STORAGE_DIRECTORY=$store" in line and "rm -rf \"$store\"" in line
        assert f"PYTHONPYCACHEPREFIX={ROOT}/.venv/pycache" in line
    assert f"PYTHONPYCACHEPREFIX={ROOT}/.venv/pycache .venv/bin/python .ci/lab.py" in dry
