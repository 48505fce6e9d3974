"""`make test-upgrade`: the notebooks on tomorrow's stack, run the way Colab runs them.

Builds a scratch environment outside the tree with Python 3.12 and the newest release of
every package in requirements.txt (no pins: pip's resolver picks; the local pip config,
which may cap torch, is bypassed), installs d2l without its dependencies and the helpers
as a normal (non-editable) package, copies each notebook alone into an empty folder and
executes it there. A second pass runs the notebooks again with ipywidgets 7.7.1.

Writes build/upgrade/report.md and report.json: the installed versions, every cell that
errors (the target fails) and every cell whose text output changed (old and new text).
A download that fails for network reasons is reported as such and does not fail.
The wheels are downloaded into ~/.cache/parameter-lab-upgrade and installed from there, so
the next run downloads only what changed (torch alone is several GB); the environment is
deleted.

    python3 .ci/upgrade.py [--python /path/to/python3.12] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "upgrade"
# A wheelhouse, not pip's HTTP cache: that one stays empty behind proxies that forbid caching.
WHEELHOUSE = Path.home() / ".cache" / "parameter-lab-upgrade"
REPORTED = ("torch", "numpy", "matplotlib", "ipywidgets", "ipykernel", "nbclient", "d2l", "pandas")
NETWORK_ERRORS = re.compile(r"NewConnectionError|Temporary failure in name resolution|Name or service not known"
                            r"|Network is unreachable|Connection refused|ConnectTimeout|ReadTimeout"
                            r"|Could not fetch URL|ProxyError|SSLError|Connection reset")
# A notebook that truly hangs is an error too; this bounds the whole run.
CELL_TIMEOUT_S = 600

# Runs inside the scratch environment: execute one notebook in its folder, print its outputs.
RUNNER = r'''
import json, sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

path, timeout = sys.argv[1], int(sys.argv[2])
nb = nbformat.read(path, as_version=4)
client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                        resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}},
                        coalesce_streams=True)
client.execute()
json.dump([cell.get("outputs", []) if cell.cell_type == "code" else None for cell in nb.cells], sys.stdout)
'''


def find_python312() -> str | None:
    candidates = [shutil.which("python3.12")]
    if shutil.which("pyenv"):
        versions = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True).stdout.split()
        newest = sorted((v for v in versions if re.fullmatch(r"3\.12\.\d+", v)),
                        key=lambda v: int(v.split(".")[2]))
        if newest:
            prefix = subprocess.run(["pyenv", "prefix", newest[-1]], capture_output=True, text=True).stdout.strip()
            candidates.append(f"{prefix}/bin/python3.12")
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-c", "import venv"], capture_output=True).returncode == 0:
            return candidate
    return None


def requirement_names() -> tuple[list[str], str]:
    """Every pinned name without its version, and the no-deps package (d2l) likewise."""
    names, no_deps = [], None
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith("# no-deps:"):
            no_deps = line.split(":", 1)[1].strip().split("==")[0]
        elif line.strip() and not line.startswith("#"):
            names.append(re.split(r"[=<>!~;\[ ]", line, maxsplit=1)[0])
    return names, no_deps


class NetworkFailure(Exception):
    pass


def pip(python: Path, command: str, *args: str) -> None:
    env = dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    for name in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT"):
        env.pop(name, None)
    result = subprocess.run([str(python), "-m", "pip", command, "--quiet", *args], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        if NETWORK_ERRORS.search(result.stdout + result.stderr):
            raise NetworkFailure(result.stderr.strip().splitlines()[-1])
        raise RuntimeError(f"pip {command} {' '.join(args)} failed:\n{result.stderr}")


def install_newest(python: Path, *requirements: str) -> None:
    """The newest releases that fit ``requirements`` (pip's resolver), through the wheelhouse."""
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    pip(python, "download", "--dest", str(WHEELHOUSE), *requirements)
    pip(python, "install", "--no-index", "--find-links", str(WHEELHOUSE), *requirements)


def installed_versions(python: Path) -> dict[str, str]:
    code = ("import importlib.metadata as m, json, sys\n"
            "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))")
    result = subprocess.run([str(python), "-c", code, *REPORTED], capture_output=True, text=True, check=True)
    return {"python": subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                                     capture_output=True, text=True).stdout.strip(), **json.loads(result.stdout)}


def sanitizers() -> list[tuple[re.Pattern, str]]:
    lines = [line for line in (ROOT / "tests" / "nbval_sanitize.cfg").read_text().splitlines()
             if line.startswith(("regex: ", "replace: "))]
    return [(re.compile(a.split(": ", 1)[1]), b.split(": ", 1)[1]) for a, b in zip(lines[::2], lines[1::2])]


def output_text(outputs: list, rules) -> str:
    """What nbval compares of a cell, as one string: streams, text/plain and errors."""
    parts = []
    for output in outputs:
        if output["output_type"] == "stream":
            parts.append(output["text"] if isinstance(output["text"], str) else "".join(output["text"]))
        elif output["output_type"] == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
        elif "text/plain" in output.get("data", {}):
            value = output["data"]["text/plain"]
            parts.append(value if isinstance(value, str) else "".join(value))
    text = "\n".join(parts)
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def run_notebooks(python: Path, work: Path, label: str) -> list[dict]:
    rules = sanitizers()
    results = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        folder = work / label / path.stem
        folder.mkdir(parents=True)
        copy = folder / path.name
        shutil.copy(path, copy)  # alone in an empty folder, as Colab opens it
        start = time.perf_counter()
        run = subprocess.run([str(python), "-c", RUNNER, str(copy), str(CELL_TIMEOUT_S)], cwd=folder,
                             capture_output=True, text=True,
                             env=dict(os.environ, JUPYTER_PATH=str(work / "jupyter"),
                                      JUPYTER_DATA_DIR=str(work / "jupyter"), OMP_NUM_THREADS="1",
                                      IPYKERNEL_CELL_NAME="<IPY-INPUT>", PYTHONDONTWRITEBYTECODE="1"))
        seconds = round(time.perf_counter() - start, 1)
        row = {"notebook": path.stem, "seconds": seconds, "errors": [], "changed": []}
        if run.returncode != 0:
            row["errors"].append({"cell": None, "error": (run.stderr.strip().splitlines() or ["no output"])[-1]})
            results.append(row)
            continue
        committed = json.loads(path.read_text())["cells"]
        for number, (cell, new) in enumerate(zip(committed, json.loads(run.stdout)), start=1):
            if new is None:
                continue
            for output in new:
                if output["output_type"] == "error":
                    row["errors"].append({"cell": number, "error": f"{output['ename']}: {output['evalue']}"})
            old_text, new_text = output_text(cell.get("outputs", []), rules), output_text(new, rules)
            if old_text != new_text:
                row["changed"].append({"cell": number, "old": old_text, "new": new_text})
        results.append(row)
        print(f"  {label} {path.stem}: {len(row['errors'])} errors, {len(row['changed'])} changed cells, "
              f"{seconds} s", flush=True)
    return results


def to_markdown(report: dict) -> str:
    lines = ["# Upgrade canary", "", f"Status: **{report['status']}** ({report['seconds']} s, of which "
             f"{report.get('install_seconds', 0)} s building the environment).", ""]
    if "message" in report:
        lines += [report["message"], ""]
    for label, versions in report.get("versions", {}).items():
        lines.append(f"- {label}: " + ", ".join(f"{name} {version}" for name, version in versions.items()))
    for label, rows in report.get("passes", {}).items():
        lines += ["", f"## {label}", "", "| Notebook | Errors | Changed cells | Time (s) |", "|---|---|---|---|"]
        lines += [f"| {r['notebook']} | {len(r['errors'])} | {len(r['changed'])} | {r['seconds']} |" for r in rows]
        for row in rows:
            for error in row["errors"]:
                lines += ["", f"**{row['notebook']}, cell {error['cell']}: error** `{error['error']}`"]
            for change in row["changed"]:
                lines += ["", f"{row['notebook']}, cell {change['cell']} changed:", "", "```text",
                          "- " + change["old"].replace("\n", "\n- "), "+ " + change["new"].replace("\n", "\n+ "),
                          "```"]
    return "\n".join(lines) + "\n"


def write(report: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (OUT / "report.md").write_text(to_markdown(report))
    print(f"{report['status']}: report in {OUT.relative_to(ROOT)}/report.md")


def package_source(folder: Path) -> Path:
    """``folder`` holding what pip builds the helpers from: a copy, so that building leaves nothing in the tree."""
    shutil.copytree(ROOT / "helpers", folder / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, folder / name)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", help="a Python 3.12 interpreter (default: found on PATH or in pyenv)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch environment (prints where)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    python312 = args.python or find_python312()
    if not python312:
        print("test-upgrade skipped: no Python 3.12 found (install one, or pass --python).")
        return 0
    report: dict = {"status": "passed", "versions": {}, "passes": {}}
    work = Path(tempfile.mkdtemp(prefix="parameter-lab-upgrade-"))
    try:
        subprocess.run([python312, "-m", "venv", str(work / "venv")], check=True)
        python = work / "venv" / "bin" / "python"
        names, no_deps = requirement_names()
        source = package_source(work / "source")
        print(f"installing the newest {', '.join(names)} on {python312}", flush=True)
        pip(python, "install", "--upgrade", "pip")
        install_newest(python, *names)
        install_newest(python, "--no-deps", no_deps)
        pip(python, "install", "--no-deps", str(source))
        report["install_seconds"] = round(time.perf_counter() - started)
        report["versions"]["newest"] = installed_versions(python)
        report["passes"]["newest releases"] = run_notebooks(python, work, "newest")
        install_newest(python, "ipywidgets==7.7.1")
        report["versions"]["ipywidgets 7"] = installed_versions(python)
        report["passes"]["ipywidgets 7.7.1"] = run_notebooks(python, work, "ipywidgets7")
        failed = any(row["errors"] for rows in report["passes"].values() for row in rows)
        report["status"] = "failed" if failed else "passed"
    except NetworkFailure as failure:
        report = {"status": "skipped (network)", "message": f"A download failed for network reasons: {failure}"}
    finally:
        if args.keep:
            print(f"scratch environment kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report["seconds"] = round(time.perf_counter() - started)
    write(report)
    return 1 if report["status"] == "failed" else 0


if __name__ == "__main__":
    sys.exit(main())
