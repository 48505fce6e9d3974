"""`make lab`: JupyterLab for this machine's user only.

- The server listens on 127.0.0.1 behind a token generated here. Config files (the user's, the
  site's, the environment's) may still customize Lab, but they cannot switch the token off: it
  is passed on the command line, which outranks every config file, and once the server has
  read its configuration this script refuses to start unless authentication is on, the address
  is the loopback one and cross-site request checks are on.
- Kernels talk to the server over IPC sockets in a private folder (mode 0700) instead of TCP
  ports, so no other user of the machine can reach a kernel. The folder is removed on exit.
- The server is rooted at the repository and opens the README, so the notebooks' "Contents"
  links resolve.

    python .ci/lab.py [extra JupyterLab options]
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


def server_arguments(token: str, runtime_dir: str) -> list[str]:
    return [f"--IdentityProvider.token={token}", f"--ServerApp.ip={LOOPBACK}", "--ServerApp.port_retries=50",
            f"--ServerApp.root_dir={ROOT}", "--ServerApp.default_url=/lab/tree/README.md",
            "--LabApp.default_url=/lab/tree/README.md",
            "--ServerApp.disable_check_xsrf=False", "--ServerApp.allow_remote_access=False",
            # Extension handlers that forget to ask for authentication get it anyway.
            "--ServerApp.allow_unauthenticated_access=False",
            "--KernelManager.transport=ipc", f"--KernelManager.ip={runtime_dir}/kernel",
            # Markdown opens rendered (the README is the landing page).
            f"--LabApp.app_settings_dir={ROOT / '.ci' / 'lab'}"]


def refusal(serverapp, token: str) -> str | None:
    """Why the configured server must not start, or None when it is safe."""
    provider = serverapp.identity_provider
    if not provider.auth_enabled:
        return f"a Jupyter config file switches login off (identity provider {type(provider).__name__})"
    if getattr(provider, "token", None) != token:
        return f"a Jupyter config file replaces the login token (identity provider {type(provider).__name__})"
    if serverapp.ip != LOOPBACK:
        return f"a Jupyter config file sets the address to {serverapp.ip!r}"
    settings = serverapp.web_app.settings
    if settings["disable_check_xsrf"] or not settings["xsrf_cookies"]:
        return "a Jupyter config file switches off cross-site request checks"
    return None


def main(argv: list[str]) -> int:
    from jupyterlab.labapp import LabApp

    token = secrets.token_hex(24)
    with tempfile.TemporaryDirectory(prefix="parameter-lab-runtime-") as runtime_dir:
        # Connection files, the browser's login file and the cookie secret go here too.
        os.environ["JUPYTER_RUNTIME_DIR"] = runtime_dir
        serverapp = LabApp.initialize_server(argv=server_arguments(token, runtime_dir) + argv)
        reason = refusal(serverapp, token)
        if reason:
            print(f"make lab refuses to start: {reason}; remove that setting "
                  f"(`jupyter --paths` lists the config folders).", file=sys.stderr)
            return 1
        # The server masks a token it did not generate itself; the learner needs this line.
        print(f"Parameter Lab: open http://{LOOPBACK}:{serverapp.port}/lab/tree/README.md?token={token}",
              flush=True)
        serverapp.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
