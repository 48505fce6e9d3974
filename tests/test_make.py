"""The Makefile's promises: setup is a no-op when nothing changed, lab keeps its token,
clean never touches notebooks."""

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_setup_is_up_to_date_after_it_ran():
    # `make -q` exits 0 only when the target needs no work: a second `make setup` does nothing.
    assert subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT).returncode == 0


def test_clean_removes_build_output_but_keeps_edited_notebooks(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path)
    shutil.copy(ROOT / "requirements.txt", tmp_path)
    notebook = tmp_path / "notebooks" / "01_parameter_access.ipynb"
    notebook.parent.mkdir()
    notebook.write_text('{"edited": "by a learner"}')
    checkpoint = tmp_path / "notebooks" / ".ipynb_checkpoints" / "01_parameter_access-checkpoint.ipynb"
    checkpoint.parent.mkdir()
    checkpoint.write_text("{}")
    for junk in ("build/slides/a.html", "helpers/__pycache__/x.pyc", ".hypothesis/db"):
        (tmp_path / junk).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / junk).write_text("x")
    subprocess.run(["make", "clean"], cwd=tmp_path, check=True, capture_output=True)
    assert notebook.read_text() == '{"edited": "by a learner"}'
    assert checkpoint.exists()
    assert not (tmp_path / "build").exists()
    assert not (tmp_path / "helpers" / "__pycache__").exists()
    assert not (tmp_path / ".hypothesis").exists()


def wait_until_listening(base, seconds=30):
    # Lab prints its URL just before its event loop starts listening.
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/api", timeout=5)
            return
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_make_lab_serves_notebooks_behind_a_token(tmp_path):
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    lab = subprocess.Popen(["make", "lab"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            line = lab.stdout.readline()
            match = re.search(r"(http://127\.0\.0\.1:\d+)/lab\?token=(\w+)", line)
            if match:
                url = match.groups()
        assert url, "make lab did not print a URL with a token"
        base, token = url
        assert len(token) >= 32
        wait_until_listening(base)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/api/contents/01_parameter_access.ipynb", timeout=10)
        assert refused.value.code == 403
        listing = urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=10).read().decode()
        assert '"01_parameter_access.ipynb"' in listing  # the server's root is notebooks/
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=30)
