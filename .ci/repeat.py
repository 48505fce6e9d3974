"""Repeatability checks (`make test-repeat`): the notebooks' outputs must not depend on the
thread count, on the number of test workers, or on the network; and tests leave no file behind.

Each check is a full nbval run over notebooks/; the script exits non-zero if any fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "notebooks", "-q"]


def base_env(**overrides: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"IPYKERNEL_CELL_NAME": "<IPY-INPUT>", "PYTHONDONTWRITEBYTECODE": "1"})
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def offline_prefix() -> tuple[list[str], str]:
    """Run in a fresh network namespace with only loopback up; fall back to dead proxies."""
    unshare = shutil.which("unshare")
    if unshare:
        probe = subprocess.run([unshare, "-n", "true"], capture_output=True)
        if probe.returncode == 0:
            return [unshare, "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"], "unshare -n"
    return [], "proxies pointed at a closed port"


CLOSED_PORT_PROXIES = {name: "http://127.0.0.1:9" for name in
                       ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")}


def checks() -> list[tuple[str, list[str], dict[str, str]]]:
    prefix, how = offline_prefix()
    offline_env = base_env(OMP_NUM_THREADS="1", NO_PROXY="127.0.0.1,localhost",
                           **({} if prefix else CLOSED_PORT_PROXIES))
    return [
        ("OMP_NUM_THREADS unset, pytest-xdist with 2 workers",
         PYTEST + ["-n", "2", "--dist", "loadscope"], base_env(OMP_NUM_THREADS=None, MKL_NUM_THREADS=None)),
        ("OMP_NUM_THREADS=2, serial",
         PYTEST + ["-p", "no:xdist"], base_env(OMP_NUM_THREADS="2", MKL_NUM_THREADS="2")),
        (f"network unavailable ({how}), 2 workers",
         prefix + PYTEST + ["-n", "2", "--dist", "loadscope"], offline_env),
    ]


def git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout


def main() -> int:
    before = git_status()
    passed, failures = 0, []
    for name, command, env in checks():
        print(f"\n=== {name}", flush=True)
        start = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=env)
        print(f"=== {name}: {'passed' if result.returncode == 0 else 'FAILED'} "
              f"in {time.perf_counter() - start:.0f} s", flush=True)
        if result.returncode == 0:
            passed += 1
        else:
            failures.append(name)
    after = git_status()
    if after == before:
        passed += 1
    else:
        print("Running the notebooks changed the working tree:\n" + after)
        failures.append("working tree unchanged")
    print(f"\nrepeatability: {passed} passed, {len(failures)} failed")
    for name in failures:
        print(f"  failed: {name}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
