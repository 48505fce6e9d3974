"""The upgrade canary's parts that do not need a download: what it installs, what it compares."""

import pytest

import upgrade


def test_it_installs_every_pinned_name_without_its_version():
    names, no_deps = upgrade.requirement_names()
    assert {"torch", "ipywidgets", "jupyterlab", "nbclient"} <= set(names)
    assert not any("=" in name for name in names)
    assert no_deps == "d2l"


def test_compared_text_is_what_nbval_compares_after_sanitizing():
    rules = upgrade.sanitizers()
    outputs = [{"output_type": "stream", "name": "stdout", "text": ["saved to /tmp/abc/x.pt\n"]},
               {"output_type": "display_data", "data": {"text/plain": "Panel", "image/png": "iVBOR"}},
               {"output_type": "error", "ename": "RuntimeError", "evalue": "shapes", "traceback": ["..."]}]
    assert upgrade.output_text(outputs, rules) == "saved to TMPDIR\n\nPanel\nRuntimeError: shapes"


@pytest.mark.parametrize("stderr, network", [
    ("ERROR: Could not find a version that satisfies the requirement torch (from versions: none)\n"
     "WARNING: Retrying ... NewConnectionError('Failed to establish a new connection')", True),
    ("ERROR: No matching distribution found for ipywidgets==7.7.1\n"
     "Temporary failure in name resolution", True),
    ("ERROR: Cannot install torch and torchvision because these package versions have conflicting dependencies.",
     False),
])
def test_a_failed_download_is_told_apart_from_a_failed_install(monkeypatch, stderr, network):
    import subprocess

    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 1, "", stderr))
    with pytest.raises(upgrade.NetworkFailure if network else RuntimeError):
        upgrade.pip("python", "install", "torch")


def test_the_report_shows_errors_and_changes():
    report = {"status": "failed", "seconds": 9, "install_seconds": 5, "versions": {"newest": {"torch": "9.0"}},
              "passes": {"newest releases": [{"notebook": "01_x", "seconds": 1.0, "changed": [
                  {"cell": 4, "old": "a\nb", "new": "a\nc"}], "errors": [{"cell": 7, "error": "KeyError: 'w'"}]}]}}
    text = upgrade.to_markdown(report)
    assert "Status: **failed** (9 s, of which 5 s building the environment)." in text
    assert "**01_x, cell 7: error** `KeyError: 'w'`" in text
    assert "- a\n- b\n+ a\n+ c" in text


def test_without_python_3_12_the_canary_is_skipped_with_a_message(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(upgrade, "find_python312", lambda: None)
    monkeypatch.setattr(upgrade, "OUT", tmp_path)
    assert upgrade.main([]) == 0
    assert capsys.readouterr().out == "test-upgrade skipped: no Python 3.12 found (install one, or pass --python).\n"
    assert not list(tmp_path.iterdir())
