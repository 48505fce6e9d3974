"""`make lab` (.ci/lab.py): always behind a token, whatever the Jupyter config says; kernels
reachable through IPC sockets only; the README is the landing page."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
URL_LINE = re.compile(r"Parameter Lab: open (http://127\.0\.0\.1:\d+)/lab/tree/README\.md\?token=(\w+)")
ROOT_FLAG = ["--allow-root"] if os.getuid() == 0 else []

pytestmark = pytest.mark.slow

# Ways a user or site config could open the server to anyone who can reach the port.
OPEN_TOKEN = 'c.IdentityProvider.token = ""\n'
OPEN_LEGACY_TOKEN = 'c.ServerApp.token = ""\nc.ServerApp.password = ""\n'
OPEN_PROVIDER = '''\
from jupyter_server.auth.identity import IdentityProvider, User

class Anyone(IdentityProvider):
    @property
    def auth_enabled(self):
        return False

    def get_user(self, handler):
        return User("anyone")

c.ServerApp.identity_provider_class = Anyone
'''
OPEN_XSRF = 'c.ServerApp.tornado_settings = {"xsrf_cookies": False}\n'
OPEN_ADDRESS = 'c.ServerApp.ip = "0.0.0.0"\nc.ServerApp.allow_remote_access = True\n'


def start(tmp_path, config="", extra_env=None, command=None):
    config_dir = tmp_path / "config"
    config_dir.mkdir(exist_ok=True)
    (config_dir / "jupyter_server_config.py").write_text(config)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config_dir), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               **(extra_env or {}))
    command = command or [sys.executable, str(ROOT / ".ci" / "lab.py"), "--no-browser", *ROOT_FLAG]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def read_until(lab, pattern, seconds=120):
    """Lines of ``lab``'s log until one matches ``pattern`` (then the match) or it exits (None)."""
    deadline = time.monotonic() + seconds
    log = []
    while time.monotonic() < deadline:
        line = lab.stdout.readline()
        if not line and lab.poll() is not None:
            return None, "".join(log)
        log.append(line)
        match = re.search(pattern, line)
        if match:
            return match, "".join(log)
    raise AssertionError("no answer from the lab in time:\n" + "".join(log))


def stop(lab):
    if lab.poll() is None:
        os.killpg(lab.pid, signal.SIGTERM)
    lab.wait(timeout=60)
    lab.stdout.close()


def status(url, method="GET", body=None):
    request = urllib.request.Request(url, method=method, data=body)
    try:
        return urllib.request.urlopen(request, timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until_listening(base, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/api", timeout=5)
            return
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.parametrize("config", [OPEN_TOKEN, OPEN_LEGACY_TOKEN, OPEN_XSRF.replace("False", "True"), OPEN_ADDRESS],
                         ids=["empty-token", "empty-legacy-token", "harmless-tornado-setting", "public-address"])
def test_config_cannot_switch_the_token_off(tmp_path, config):
    lab = start(tmp_path, config, extra_env={"JUPYTER_TOKEN": ""})
    try:
        match, log = read_until(lab, URL_LINE)
        assert match, log
        base, token = match.groups()
        assert len(token) == 48
        wait_until_listening(base)
        assert status(f"{base}/api/contents") == 403
        assert status(f"{base}/api/kernels", "POST", b"{}") == 403
        assert status(f"{base}/api/contents?token={token}") == 200
        assert "All authentication is disabled" not in log
    finally:
        stop(lab)


@pytest.mark.parametrize("config, reason", [
    (OPEN_PROVIDER, "switches login off (identity provider Anyone)"),
    (OPEN_XSRF, "switches off cross-site request checks"),
])
def test_lab_refuses_to_start_when_config_would_open_it(tmp_path, config, reason):
    lab = start(tmp_path, config)
    try:
        match, log = read_until(lab, r"make lab refuses to start: (.*)")
        assert match, log
        assert reason in match.group(1)
        assert lab.wait(timeout=30) == 1
        assert "Parameter Lab: open" not in log
    finally:
        stop(lab)


def tcp_listeners(pid):
    """(address, port) of every TCP socket process ``pid`` listens on, from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    listening = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                address, port = fields[1].split(":")
                listening.append((address, int(port, 16)))
    return listening


def test_make_lab_opens_the_readme_and_its_kernels_use_ipc(tmp_path):
    lab = start(tmp_path, command=["make", "--no-print-directory", "lab"])
    kernel = None
    try:
        match, log = read_until(lab, URL_LINE)
        assert match, log
        base, token = match.groups()
        wait_until_listening(base)
        listing = json.load(urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=30))
        names = {item["name"] for item in listing["content"]}
        assert {"README.md", "notebooks"} <= names  # rooted at the repository: "Contents" links resolve
        plugin = "@jupyterlab/docmanager-extension:plugin"
        settings = json.load(urllib.request.urlopen(f"{base}/lab/api/settings/{plugin}?token={token}", timeout=30))
        viewers = settings["schema"]["properties"]["defaultViewers"]["default"]
        assert viewers["markdown"] == "Markdown Preview"  # the README opens rendered
        request = urllib.request.Request(f"{base}/api/kernels?token={token}", method="POST",
                                         data=b'{"name": "python3"}', headers={"Content-Type": "application/json"})
        kernel = json.load(urllib.request.urlopen(request, timeout=60))["id"]
        runtime = next(Path("/tmp").glob("parameter-lab-runtime-*/kernel-" + kernel + ".json"))
        assert runtime.parent.stat().st_mode & 0o077 == 0  # the folder of the sockets is private
        connection = json.loads(runtime.read_text())
        assert connection["transport"] == "ipc"
        deadline = time.monotonic() + 60
        pids = []
        while not pids and time.monotonic() < deadline:
            pids = subprocess.run(["pgrep", "-f", f"kernel-{kernel}.json"], capture_output=True,
                                  text=True).stdout.split()
            time.sleep(0.5)
        assert pids, "kernel process not found"
        time.sleep(5)  # let the kernel open its sockets
        # ipykernel's one TCP socket: the pipe from forked subprocesses to IOPub, on loopback,
        # which drops every message without the kernel's random key.
        assert [address for address, _ in tcp_listeners(int(pids[0]))] in ([], ["0100007F"])
        ports = {connection[f"{name}_port"] for name in ("shell", "iopub", "stdin", "control", "hb")}
        assert not ports & {port for _, port in tcp_listeners(int(pids[0]))}
    finally:
        stop(lab)
    assert not list(Path("/tmp").glob(f"parameter-lab-runtime-*/kernel-{kernel}.json"))  # removed on exit
