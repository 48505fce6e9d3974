"""What a learner sees: every notebook run in JupyterLab inside a real Chromium (issue 9).

``make test-browser`` runs this module (``pytest -m browser``); ``make test`` skips it.

For every notebook found in ``notebooks/`` (discovered, never listed) the test

1. opens a copy of it in a JupyterLab started for the test (free localhost port, random
   token, temporary config/data/runtime dirs, so nothing is written into the repository),
2. restarts the kernel and runs all cells the way a learner does (Kernel > Restart and run
   all, confirming the dialog), and waits until every code cell has run,
3. checks that no cell shows an error (a traceback, or stderr that nbclient did not produce
   too), that as many figures are on the page as the committed notebook holds, and that every
   widget rendered (no "Error displaying widget", every Panel image decoded),
4. moves the sliders of the chapter's main widget (the Panel under ``## Explore``) with the
   keyboard and changes its dropdowns, asserts that the figure or caption changed, and
   measures input-to-output latency (timestamps taken inside the page),
5. saves screenshots to ``build/screenshots/`` (figures, the panel before and after).

A failure names the notebook, the cell (index and first source line) and what the page showed.
``PARAMETER_LAB_BROWSER_NOTEBOOKS=/some/dir`` runs the same checks on the notebooks of another
folder (used to prove that a broken widget callback makes this test fail).
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
NOTEBOOK_DIR = Path(os.environ.get("PARAMETER_LAB_BROWSER_NOTEBOOKS", ROOT / "notebooks")).resolve()
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
VIEWPORT = {"width": 1280, "height": 900}

LAB_START_TIMEOUT = 120        # s until the server answers
OPEN_TIMEOUT = 120             # s until the notebook is open and its kernel idle
RUN_ALL_TIMEOUT = 180          # s for restart + run all (other work shares the 2 CPUs)
WIDGET_TIMEOUT = 60            # s until every widget output has rendered
STEP_TIMEOUT = 30              # s for one widget input to change the output
MIN_STEPS = 40                 # widget inputs per notebook: their p95 is the 3rd slowest (of 20: the 2nd)
LATENCY_TARGET_MS = 100        # issue 14: every chapter's p95 input-to-new-figure latency

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_ERRORS = ("Error displaying widget", "model not found", "Could not create a model",
                 "Failed to load model class", "Could not create a view")

# Filled by the notebook tests, read by the summary test and printed at the end.
LATENCIES: dict[str, list[float]] = {}
KERNEL_MS: dict[str, list[float]] = {}
RUN: list[str] = []
FINDINGS: dict[str, list[str]] = {}


# ----------------------------------------------------------------------------- the committed notebook

@dataclass
class Expected:
    """What the committed notebook (executed by nbclient) holds, cell by cell."""

    path: Path
    sources: list[str]
    cell_types: list[str]
    figures: dict[int, int]            # cell index -> image/png outputs (not widgets)
    widgets: dict[int, int]            # cell index -> widget outputs
    stderr: dict[int, str]             # cell index -> committed stderr text
    explore_cell: int | None           # the code cell showing the chapter's main widget

    @classmethod
    def read(cls, path: Path) -> "Expected":
        nb = json.loads(path.read_text(encoding="utf-8"))
        sources, types, figures, widgets, stderr = [], [], {}, {}, {}
        explore_heading, explore_cell = None, None
        for index, cell in enumerate(nb["cells"]):
            source = "".join(cell.get("source", ""))
            sources.append(source)
            types.append(cell["cell_type"])
            if cell["cell_type"] == "markdown" and re.match(r"##\s+Explore\b", source) and explore_heading is None:
                explore_heading = index
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if WIDGET_MIME in data:
                    widgets[index] = widgets.get(index, 0) + 1
                    if explore_heading is not None and explore_cell is None:
                        explore_cell = index
                elif "image/png" in data:
                    figures[index] = figures.get(index, 0) + 1
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    text = output["text"] if isinstance(output["text"], str) else "".join(output["text"])
                    stderr[index] = stderr.get(index, "") + text
        if explore_cell is None and widgets:      # no "## Explore" heading: the first widget
            explore_cell = min(widgets)
        return cls(path, sources, types, figures, widgets, stderr, explore_cell)

    def where(self, index: int) -> str:
        """``cell 41 (`first source line`)`` for failure messages."""
        if 0 <= index < len(self.sources):
            first = next((line for line in self.sources[index].splitlines() if line.strip()), "")
            return f"cell {index} (counting from 0; `{first[:90]}`)"
        return f"cell {index}"


# ----------------------------------------------------------------------------- JupyterLab, started and always stopped

@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen = field(repr=False)

    def api(self, method: str, path: str):
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}")
        for kernel in self.api("GET", "/api/kernels") or []:
            self.api("DELETE", f"/api/kernels/{kernel['id']}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_lab_settings(config_dir: Path) -> None:
    """User settings in the temporary config dir: no news, no update check, no autosave."""
    settings = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    }
    for name, value in settings.items():
        path = config_dir / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # Lab runs in its own process group with its kernels: end exactly that group.
    for sig, wait in ((15, 15), (9, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not NOTEBOOKS:
        pytest.skip(f"no notebooks in {NOTEBOOK_DIR}")
    jupyter = VENV / "bin" / "jupyter"
    if not jupyter.exists():
        pytest.fail(f"{jupyter} is missing: run `make setup` first")
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    root.mkdir()
    for notebook in NOTEBOOKS:         # Lab may save: only ever into this copy
        shutil.copy2(notebook, root / notebook.name)
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        folder = base / name.lower()
        folder.mkdir()
        env[name] = str(folder)
    # The venv's share/jupyter holds the python3 kernel and the lab extensions (widgets, RISE).
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(VENV / "share" / "jupyter"),
                                                        os.environ.get("JUPYTER_PATH")]))
    env["PATH"] = os.pathsep.join([str(VENV / "bin"), env.get("PATH", "")])
    env.pop("JUPYTER_PREFER_ENV_PATH", None)
    _write_lab_settings(Path(env["JUPYTER_CONFIG_DIR"]))
    port, token = _free_port(), secrets.token_hex(24)
    command = [str(jupyter), "lab", "--no-browser", "--ServerApp.open_browser=False",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.getuid() == 0:
        command.append("--allow-root")
    log = base / "lab.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(command, cwd=base, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", token, root, log, process)
    try:
        deadline = time.monotonic() + LAB_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {process.returncode}:\n{server.log_tail()}")
            try:
                server.api("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within {LAB_START_TIMEOUT} s:\n{server.log_tail()}")
                time.sleep(0.25)
        print(f"\nJupyterLab {server.url} (pid {process.pid}) serving a copy of {NOTEBOOK_DIR} in {root}")
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def browser(lab):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash .ci/install-chromium` (make test-browser does)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            # One context for all notebooks: Lab's scripts are cached after the first page.
            yield chromium.new_context(viewport=VIEWPORT)
        finally:
            chromium.close()


@pytest.fixture(scope="module", autouse=True)
def report_total_time():
    start = time.monotonic()
    yield
    print(f"\nbrowser test: {len(RUN)} notebook(s) in {time.monotonic() - start:.1f} s, "
          f"JupyterLab start and stop included (target: under 300 s for six)")
    for name, findings in FINDINGS.items():
        for finding in findings:
            print(f"  note {name}: {finding}")


# ----------------------------------------------------------------------------- in-page helpers

JS_OPENED = """
(name) => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  if (!w || !w.context || w.context.path !== name || !w.sessionContext) return false;
  const s = w.sessionContext.session;
  const k = s && s.kernel;
  return !!(k && k.connectionStatus === 'connected' && k.status === 'idle' && w.content.widgets.length);
}
"""

JS_ENVIRONMENT = """
async () => {
  const app = window.jupyterapp;
  const w = app.shell.currentWidget;
  const kernel = w.sessionContext.session.kernel;
  const future = kernel.requestExecute({code: "import sys, importlib.util; print(sys.prefix); print(importlib.util.find_spec('helpers').origin)",
                                        silent: false, store_history: false});
  let out = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') out += msg.content.text;
    if (msg.header.msg_type === 'error') out += msg.content.ename + ': ' + msg.content.evalue;
  };
  const reply = await future.done;
  const plugins = {};
  for (const id of ['@jupyter-widgets/jupyterlab-manager:plugin', 'jupyterlab-rise:plugin']) {
    plugins[id] = app.hasPlugin(id) ? (app.isPluginActivated(id) ? 'active' : 'registered') : 'missing';
  }
  return {kernel: kernel.name, status: reply.content.status, out, plugins};
}
"""

JS_START_RUN_ALL = """
async () => {
  const app = window.jupyterapp;
  window.__runAll = {done: false, result: null, error: null};
  await app.commands.execute('notebook:clear-all-cell-outputs');
  app.commands.execute('notebook:restart-run-all').then(
    (r) => { window.__runAll.done = true; window.__runAll.result = r; },
    (e) => { window.__runAll.done = true; window.__runAll.error = String(e); });
}
"""

# Finished when run-all resolved, the kernel is idle and every code cell has a count,
# or when a cell shows an error (run-all stops there; the rest keep no count).
JS_RUN_ALL_FINISHED = """
() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  if (!k || k.status !== 'idle' || !window.__runAll.done) return false;
  const cells = w.content.widgets.filter((c) => c.model.type === 'code');
  if (cells.every((c) => c.model.executionCount !== null)) return true;
  return cells.some((c) => c.model.outputs.toJSON().some((o) => o.output_type === 'error'));
}
"""

JS_WIDGETS_SETTLED = """
() => {
  const outputs = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')];
  return outputs.every((o) => !/Loading widget/.test(o.innerText || ''));
}
"""

JS_CELL_REPORT = """
(widgetErrors) => {
  const w = window.jupyterapp.shell.currentWidget;
  // innerText keeps line breaks but is empty for cells the browser skipped (content-visibility)
  const text = (el) => (el.innerText || el.textContent || '').trim();
  return w.content.widgets.map((cell, index) => {
    const node = cell.node;
    const model = cell.model;
    const r = {index, type: model.type, count: null, errors: [], stderr: [], figures: 0, brokenFigures: 0,
               widgets: 0, widgetProblems: [], panels: []};
    if (model.type !== 'code') return r;
    r.count = model.executionCount;
    for (const o of model.outputs.toJSON()) {
      if (o.output_type === 'error') r.errors.push(o.ename + ': ' + o.evalue);
    }
    for (const el of node.querySelectorAll('.jp-OutputArea-output')) {
      const mime = el.getAttribute('data-mime-type') || '';
      if (mime === 'application/vnd.jupyter.stderr') r.stderr.push(text(el).slice(0, 2000));
      if (el.classList.contains('jp-RenderedImage') && !el.closest('.jupyter-widgets')) {
        r.figures += 1;
        const img = el.querySelector('img');
        if (!img || !img.complete || img.naturalWidth === 0) r.brokenFigures += 1;
      }
      const shown = text(el);
      const bad = widgetErrors.find((e) => shown.includes(e));
      if (bad) r.widgetProblems.push(shown.slice(0, 500));
    }
    for (const top of node.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets')) {
      r.widgets += 1;
    }
    for (const box of node.querySelectorAll('.widget-vbox')) {
      const img = box.querySelector(':scope > img.widget-image');
      if (!img) continue;
      const htmls = box.querySelectorAll(':scope > .widget-html');
      r.panels.push({
        title: htmls.length ? text(htmls[0]) : '',
        src: img.getAttribute('src') || '',
        decoded: img.complete && img.naturalWidth > 0,
        natural: [img.naturalWidth, img.naturalHeight],
        shownWidth: img.getBoundingClientRect().width,
        caption: htmls.length > 1 ? text(htmls[htmls.length - 1]) : '',
      });
    }
    return r;
  });
}
"""

# Marks the chapter's main Panel in cell `index` and instruments it for latency.
JS_INSTRUMENT_PANEL = r"""
(index) => {
  const w = window.jupyterapp.shell.currentWidget;
  const cell = w.content.widgets[index];
  if (!cell) return {error: 'no cell ' + index};
  const boxes = [...cell.node.querySelectorAll('.widget-vbox')].filter(
    (b) => b.querySelector(':scope > img.widget-image') && b.querySelectorAll(':scope > .widget-html').length >= 1);
  if (!boxes.length) return {error: 'no Panel (a .widget-vbox with an img and a .widget-html caption) in the output'};
  const panel = boxes[0];
  document.querySelectorAll('[data-bt-panel]').forEach((el) => el.removeAttribute('data-bt-panel'));
  panel.setAttribute('data-bt-panel', '1');
  const img = panel.querySelector(':scope > img.widget-image');
  const htmls = panel.querySelectorAll(':scope > .widget-html');
  const caption = htmls[htmls.length - 1];
  const bt = window.__bt = {inputs: [], changes: [], idle: [], widgetErrors: []};
  new MutationObserver(() => bt.changes.push({what: 'src', t: performance.now()}))
    .observe(img, {attributes: true, attributeFilter: ['src']});
  img.addEventListener('load', () => bt.changes.push({what: 'load', t: performance.now()}));
  new MutationObserver(() => bt.changes.push({what: 'caption', t: performance.now()}))
    .observe(caption, {childList: true, subtree: true, characterData: true});
  const onInput = (e) => { if (panel.contains(e.target)) bt.inputs.push(e.timeStamp); };
  document.addEventListener('keydown', onInput, true);
  document.addEventListener('change', onInput, true);
  const kernel = w.sessionContext.session.kernel;
  kernel.statusChanged.connect((_, status) => { if (status === 'idle') bt.idle.push(performance.now()); });
  // Output of widget callbacks (errors, stderr) has a comm message as parent; Lab shows it only
  // in the log console, so collect it here.
  kernel.iopubMessage.connect((_, msg) => {
    const parent = msg.parent_header && msg.parent_header.msg_type;
    if (parent !== 'comm_msg') return;
    if (msg.header.msg_type === 'error') {
      // the summary first, then the end of the traceback, where the chapter's own code is
      const lines = (msg.content.traceback || []).join('\\n').replace(/\\x1b\\[[0-9;]*m/g, '').split('\\n');
      bt.widgetErrors.push(msg.content.ename + ': ' + msg.content.evalue + '\\n...\\n' + lines.slice(-25).join('\\n'));
    }
    if (msg.header.msg_type === 'stream' && msg.content.name === 'stderr') bt.widgetErrors.push(msg.content.text);
  });
  const controls = [];
  const selector = '.widget-slider .noUi-handle, .widget-dropdown select, .widget-checkbox input[type=checkbox]';
  panel.querySelectorAll(selector).forEach((el, i) => {
    el.setAttribute('data-bt-control', String(i));
    const box = el.closest('.widget-slider, .widget-dropdown, .widget-checkbox');
    const label = box.querySelector('.widget-label');
    const kind = el.tagName === 'SELECT' ? 'dropdown' : el.type === 'checkbox' ? 'checkbox' : 'slider';
    const clean = (t) => (t || '').replace(/[\\u200b\\s]+/g, ' ').trim();
    controls.push({id: i, kind, label: clean(label && label.textContent) || clean(box.textContent)});
  });
  return {controls, title: htmls.length ? htmls[0].textContent.trim() : ''};
}
"""

JS_STATE = """
(id) => {
  const panel = document.querySelector('[data-bt-panel]');
  const el = id === undefined ? null : panel.querySelector(`[data-bt-control='${id}']`);
  const control = !el ? null : el.tagName === 'SELECT' ? {index: el.selectedIndex, n: el.options.length,
                                                          next: el.options[(el.selectedIndex + 1) % el.options.length].value}
    : el.type === 'checkbox' ? {checked: el.checked}
    : {now: +el.getAttribute('aria-valuenow'), low: +el.getAttribute('aria-valuemin'), high: +el.getAttribute('aria-valuemax')};
  const img = panel.querySelector(':scope > img.widget-image');
  const htmls = panel.querySelectorAll(':scope > .widget-html');
  return {src: img.getAttribute('src') || '', caption: htmls[htmls.length - 1].textContent.trim(),
          inputs: window.__bt.inputs.length, errors: window.__bt.widgetErrors.length, natural: [img.naturalWidth, img.naturalHeight],
          shownWidth: img.getBoundingClientRect().width, control};
}
"""

JS_IMAGE_HASH = """
async () => {
  const img = document.querySelector('[data-bt-panel] > img.widget-image');
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let h = 2166136261;
  for (let i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 16777619) >>> 0; }
  return bytes.length + ':' + h.toString(16);
}
"""

# The kernel-side time of the panel's last updates (render + PNG), from Panel.timings.
JS_KERNEL_TIMINGS = """
async ([title, n]) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const code = `import gc as _gc, json as _json
from helpers.widgets import Panel as _Panel
_p = sorted((o for o in _gc.get_objects() if issubclass(type(o), _Panel) and o.title == ${JSON.stringify(title)}),
            key=lambda o: len(o.timings))
print(_json.dumps([t * 1000 for t in _p[-1].timings[-${n}:]] if _p else []))
del _gc, _json, _Panel, _p`;
  const future = kernel.requestExecute({code, silent: true, store_history: false});
  let out = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream' && msg.content.name === 'stdout') out += msg.content.text;
    if (msg.header.msg_type === 'error') out += msg.content.ename + ': ' + msg.content.evalue;
  };
  await future.done;
  try { return JSON.parse(out); } catch (e) { return out.slice(0, 300); }
}
"""

# One input (number n) is finished when the figure (new src, loaded) and the caption both
# changed, or when the kernel went idle after a change and nothing else came for 300 ms.
JS_STEP_DONE = """
([n, errors]) => {
  const bt = window.__bt;
  if (bt.inputs.length <= n) return false;
  if (bt.widgetErrors.length > errors) return true;     // the callback failed: stop waiting
  const t0 = bt.inputs[n];
  const after = bt.changes.filter((c) => c.t >= t0);
  const src = after.filter((c) => c.what === 'src');
  const loaded = src.length && after.some((c) => c.what === 'load' && c.t >= src[src.length - 1].t);
  const caption = after.some((c) => c.what === 'caption');
  if (loaded && caption) return true;
  const idle = bt.idle.filter((t) => t >= t0);
  const last = after.length ? after[after.length - 1].t : null;
  return !!(idle.length && last !== null && (!src.length || loaded) && performance.now() - Math.max(last, idle[idle.length - 1]) > 300);
}
"""

# Resolves after the page has drawn two frames: Lab's layout work posted by an event has run by then.
JS_TWO_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"

JS_STEP_LATENCY = """
(n) => {
  const bt = window.__bt;
  const t0 = bt.inputs[n];
  const t1 = n + 1 < bt.inputs.length ? bt.inputs[n + 1] : Infinity;
  const after = bt.changes.filter((c) => c.t >= t0 && c.t < t1);
  if (!after.length) return null;
  const first = (what) => { const c = after.find((c) => c.what === what); return c ? c.t - t0 : null; };
  return {total: Math.max(...after.map((c) => c.t)) - t0, src: first('src'), load: first('load'),
          caption: first('caption')};
}
"""


# ----------------------------------------------------------------------------- the test

class NotebookRun:
    """One notebook open in one browser page, with everything needed for a clear failure."""

    def __init__(self, lab: Lab, browser, notebook: Path):
        self.lab = lab
        self.name = notebook.name
        self.stem = notebook.stem
        self.expected = Expected.read(notebook)
        self.page = browser.new_page()
        self.page.set_default_timeout(30_000)
        self.console_errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text[:300]))
        self.page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"[:300]))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.shots: list[Path] = []

    # --- failure reporting
    def fail(self, what: str, cell: int | None = None, shown: str = "") -> None:
        where = f", {self.expected.where(cell)}" if cell is not None else ""
        lines = [f"{self.name}{where}: {what}"]
        if shown:
            lines.append("the page showed:\n    " + shown.strip().replace("\n", "\n    ")[:3000])
        shot = SCREENSHOTS / f"{self.stem}-FAILED.png"
        try:
            if cell is not None:
                self.scroll_to_cell(cell)
            self.page.screenshot(path=str(shot))
            lines.append(f"screenshot: {shot.relative_to(ROOT)}")
        except Exception as error:   # the page may be gone; the message matters more
            lines.append(f"(no screenshot: {error})")
        relevant = [e for e in self.console_errors if "ERR_NAME_NOT_RESOLVED" not in e]
        if relevant:
            lines.append("browser console errors:\n    " + "\n    ".join(relevant[-8:]))
        pytest.fail("\n".join(lines), pytrace=False)

    def scroll_to_cell(self, index: int) -> None:
        self.page.evaluate("(i) => { const w = window.jupyterapp.shell.currentWidget;"
                           " const c = w.content.widgets[i]; if (c) c.node.scrollIntoView({block: 'start'}); }", index)
        self.page.wait_for_timeout(300)

    def shot(self, name: str, locator=None) -> None:
        path = SCREENSHOTS / f"{self.stem}-{name}.png"
        (locator or self.page).screenshot(path=str(path))
        self.shots.append(path)

    # --- steps
    def open(self) -> None:
        url = f"{self.lab.url}/lab/tree/{self.name}?reset&token={self.lab.token}"
        self.page.goto(url, wait_until="domcontentloaded", timeout=OPEN_TIMEOUT * 1000)
        try:
            self.page.wait_for_function(JS_OPENED, arg=self.name, timeout=OPEN_TIMEOUT * 1000, polling=250)
        except Exception:
            self.fail(f"did not open with an idle, connected kernel within {OPEN_TIMEOUT} s",
                      shown=self.lab.log_tail(15))
        env = self.page.evaluate(JS_ENVIRONMENT)
        if env["kernel"] != "python3" or env["status"] != "ok":
            self.fail(f"the kernel is {env['kernel']!r} and cannot import helpers", shown=env["out"])
        prefix, helpers_file = (env["out"].splitlines() + ["", ""])[:2]
        if Path(prefix).resolve() != VENV.resolve() or ROOT.resolve() not in Path(helpers_file).resolve().parents:
            self.fail(f"the kernel is not the venv's python with this repository's helpers "
                      f"(sys.prefix {prefix}, helpers {helpers_file})")
        missing = {k: v for k, v in env["plugins"].items() if v == "missing"}
        if missing or env["plugins"]["@jupyter-widgets/jupyterlab-manager:plugin"] != "active":
            self.fail(f"lab extensions not loaded: {env['plugins']}")

    def restart_and_run_all(self) -> None:
        self.page.evaluate(JS_START_RUN_ALL)
        dialog = self.page.locator(".jp-Dialog")
        try:     # "Restart Kernel?" -- confirm, as a learner does
            dialog.locator(".jp-mod-accept").click(timeout=30_000)
            dialog.wait_for(state="detached", timeout=30_000)
        except Exception:
            if not self.page.evaluate("window.__runAll.done"):
                self.fail("no restart dialog appeared and run-all did not start")
        deadline = time.monotonic() + RUN_ALL_TIMEOUT
        while True:
            if self.page.evaluate(JS_RUN_ALL_FINISHED):
                break
            if dialog.count():           # any other dialog (e.g. kernel died) is a failure
                self.fail("a dialog interrupted run-all", shown=dialog.first.inner_text())
            if time.monotonic() > deadline:
                report = self.page.evaluate(JS_CELL_REPORT, list(WIDGET_ERRORS))
                pending = [r["index"] for r in report if r["type"] == "code" and r["count"] is None]
                self.fail(f"restart and run all did not finish within {RUN_ALL_TIMEOUT} s "
                          f"({len(pending)} code cells without an execution count)",
                          cell=pending[0] if pending else None, shown=self.lab.log_tail(15))
            self.page.wait_for_timeout(250)
        if self.page.evaluate("window.__runAll.error"):
            self.fail("restart and run all failed", shown=self.page.evaluate("window.__runAll.error"))
        try:
            self.page.wait_for_function(JS_WIDGETS_SETTLED, timeout=WIDGET_TIMEOUT * 1000, polling=250)
        except Exception:
            pass                         # reported below as a widget problem
        self.page.wait_for_timeout(500)  # let the last images decode

    def check_cells(self) -> list[dict]:
        report = self.page.evaluate(JS_CELL_REPORT, list(WIDGET_ERRORS))
        exp = self.expected
        if len(report) != len(exp.sources):
            self.fail(f"Lab shows {len(report)} cells, the file has {len(exp.sources)}")
        for r in report:
            i = r["index"]
            if r["type"] != "code":
                continue
            if r["errors"]:
                self.fail(f"error output {r['errors'][0]}", cell=i, shown="\n".join(r["stderr"]) or r["errors"][0])
            if r["count"] is None:
                self.fail("did not run (no execution count after run all)", cell=i)
            for text in r["stderr"]:
                committed = exp.stderr.get(i, "")
                first = next((line for line in text.splitlines() if line.strip()), "")
                kind = re.search(r"\w+Warning", first)
                if committed and kind and kind.group(0) in committed:
                    FINDINGS.setdefault(self.stem, []).append(
                        f"{exp.where(i)} shows stderr that nbclient also produced (committed): {first[:160]}")
                    continue
                self.fail("shows stderr output", cell=i, shown=text)
            if r["widgetProblems"]:
                self.fail("a widget did not render", cell=i, shown=r["widgetProblems"][0])
            expected_widgets = exp.widgets.get(i, 0)
            if r["widgets"] < expected_widgets:
                self.fail(f"{r['widgets']} widget(s) rendered, the notebook produced {expected_widgets}", cell=i)
            for panel in r["panels"]:
                if not panel["src"] or not panel["decoded"]:
                    self.fail(f"the widget image of panel {panel['title']!r} is empty or not decodable "
                              f"(src {panel['src'][:40]!r})", cell=i, shown=panel["caption"])
            if r["brokenFigures"]:
                self.fail(f"{r['brokenFigures']} figure(s) did not load", cell=i)
        shown = {r["index"]: r["figures"] for r in report if r["figures"]}
        if sum(shown.values()) != sum(exp.figures.values()):
            differing = sorted(i for i in set(shown) | set(exp.figures) if shown.get(i, 0) != exp.figures.get(i, 0))
            detail = "; ".join(f"{exp.where(i)}: {shown.get(i, 0)} shown, {exp.figures.get(i, 0)} committed"
                               for i in differing)
            self.fail(f"{sum(shown.values())} figures on the page, the committed notebook has "
                      f"{sum(exp.figures.values())} ({detail})", cell=differing[0] if differing else None)
        return report

    def screenshot_figures(self) -> None:
        figures = self.page.locator(".jp-Notebook .jp-OutputArea-output.jp-RenderedImage img")
        for k in range(figures.count()):
            figure = figures.nth(k)
            figure.scroll_into_view_if_needed()
            index = figure.evaluate("(el) => { const w = window.jupyterapp.shell.currentWidget;"
                                    " return w.content.widgets.findIndex((c) => c.node.contains(el)); }")
            self.shot(f"figure{k + 1}-cell{index}", figure)

    def explore(self) -> tuple[list[dict], dict]:
        exp = self.expected
        index = exp.explore_cell
        if index is None:
            self.fail("has no widget under a `## Explore` heading (the chapter's main widget)")
        info = self.page.evaluate(JS_INSTRUMENT_PANEL, index)
        if "error" in info:
            self.fail(info["error"], cell=index)
        controls = [c for c in info["controls"]]
        if not controls:
            self.fail(f"the panel {info['title']!r} has no slider, dropdown or checkbox to test", cell=index)
        panel = self.page.locator("[data-bt-panel]")
        self.scroll_to_cell(index)
        panel.scroll_into_view_if_needed()
        self.shot("explore-after-run-all")
        self.shot("panel-before", panel)
        changed_once: set[int] = set()
        direction: dict[int, str] = {}
        steps: list[dict] = []
        focus_ms: list[float] = []
        n = 0
        while len(steps) < max(MIN_STEPS, 2 * len(controls)):
            control = controls[n % len(controls)]
            n += 1
            state = self.page.evaluate(JS_STATE, control["id"])
            first_input = control["id"] not in changed_once
            if first_input:
                state["hash"] = self.page.evaluate(JS_IMAGE_HASH)
            element = panel.locator(f"[data-bt-control='{control['id']}']")
            label = f"{control['kind']} {control['label']!r}"
            # Focus first, as a learner's click does before a key or a drag: the first focus in a cell makes
            # Lab activate it (about 150 ms here), work that is not the widget answering the change.
            clock = time.monotonic()
            element.focus()
            self.page.evaluate(JS_TWO_FRAMES)
            focus_ms.append((time.monotonic() - clock) * 1000)
            c = state["control"]
            if control["kind"] == "slider":
                if c["now"] >= c["high"]:
                    direction[control["id"]] = "ArrowLeft"
                elif c["now"] <= c["low"]:
                    direction[control["id"]] = "ArrowRight"
                key = direction.setdefault(control["id"], "ArrowRight")
                element.press(key)
                action = f"{label}: {key} at {c['now']:g}"
            elif control["kind"] == "dropdown":
                if c["n"] < 2:
                    continue
                element.select_option(value=c["next"])
                action = f"{label}: select {c['next']!r}"
            else:
                element.click()
                action = f"{label}: {'untick' if c['checked'] else 'tick'}"
            step = state["inputs"]
            if self.page.evaluate("() => window.__bt.inputs.length") <= step:
                self.fail(f"the browser did not register the input ({action})", cell=index)
            try:
                self.page.wait_for_function(JS_STEP_DONE, arg=[step, state["errors"]],
                                            timeout=STEP_TIMEOUT * 1000)
            except Exception:
                now_state = self.page.evaluate(JS_STATE)
                self.fail(f"the main widget {info['title']!r} did not update within {STEP_TIMEOUT} s "
                          f"after {action}", cell=index, shown=f"caption: {now_state['caption']}")
            errors = self.page.evaluate("() => window.__bt.widgetErrors")
            if errors:
                self.fail(f"the main widget {info['title']!r} raised in its callback after {action} "
                          f"(the figure did not update)", cell=index, shown="\n".join(errors))
            latency = self.page.evaluate(JS_STEP_LATENCY, step)
            if latency is None:
                self.fail(f"no output change could be timed after {action}", cell=index)
            latency["action"] = action
            steps.append(latency)
            if first_input:     # the first input on each control must change what is shown
                changed_once.add(control["id"])
                after = self.page.evaluate(JS_STATE)
                if self.page.evaluate(JS_IMAGE_HASH) == state["hash"] and after["caption"] == state["caption"]:
                    self.fail(f"{action} changed neither the figure bytes nor the caption", cell=index,
                              shown=f"caption: {after['caption']}")
                if len(changed_once) == len(controls):
                    self.shot("panel-after", panel)      # every control moved once
        errors = self.page.evaluate("() => window.__bt.widgetErrors")
        if errors:
            self.fail("a widget callback wrote an error", cell=index, shown="\n".join(errors))
        after = self.page.evaluate(JS_STATE)
        scale = after["shownWidth"] / after["natural"][0] if after["natural"][0] else 0
        if scale > 1.15:
            FINDINGS.setdefault(self.stem, []).append(
                f"the panel figure ({after['natural'][0]}x{after['natural'][1]} px PNG) is shown "
                f"{after['shownWidth']:.0f} px wide, stretched x{scale:.2f}: labels look blurred")
        self.shot("explore-after-interaction")
        kernel_ms = self.page.evaluate(JS_KERNEL_TIMINGS, [info["title"], len(steps)])
        if not isinstance(kernel_ms, list):
            print(f"  (no Panel.timings from the kernel: {kernel_ms})")
            kernel_ms = []
        info["kernel_ms"], info["focus_ms"] = kernel_ms, focus_ms
        return steps, info

    def run(self) -> None:
        RUN.append(self.stem)
        clock = time.monotonic()
        self.times: dict[str, float] = {}
        for name, step in (("open", self.open), ("run all", self.restart_and_run_all),
                           ("checks", self.check_cells), ("figures", self.screenshot_figures),
                           ("widget", self.explore)):
            result = step()
            if name == "widget":
                self.latencies, self.info = result
            self.times[name] = time.monotonic() - clock
            clock = time.monotonic()

    def close(self) -> None:
        try:
            self.page.close()
        finally:
            try:
                self.lab.shutdown_kernels()
            except Exception as error:    # stopping the server ends them anyway
                print(f"  (could not shut down kernels: {error})")


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _median(values):
    values = [v for v in values if v is not None]
    return f"{statistics.median(values):.0f}" if values else "-"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_in_jupyterlab(notebook, lab, browser):
    start = time.monotonic()
    run = NotebookRun(lab, browser, notebook)
    try:
        run.run()
    finally:
        run.close()
    steps = run.latencies
    totals = [step["total"] for step in steps]
    LATENCIES[notebook.stem] = totals
    kernel = run.info.get("kernel_ms") or []
    KERNEL_MS[notebook.stem] = kernel
    controls = ", ".join(f"{c['kind']} {c['label']}" for c in run.info["controls"])
    phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in run.times.items())
    print(f"\n{notebook.stem}: {time.monotonic() - start:.1f} s ({phases} s); {len(run.shots)} screenshots")
    print(f"  main widget {run.info['title']!r} ({controls}): {len(totals)} inputs; input to new figure "
          f"and caption: median {statistics.median(totals):.0f} ms, p95 {_percentile(totals, 95):.0f} ms, "
          f"max {max(totals):.0f} ms")
    print(f"  medians: input to new image src {_median([s['src'] for s in steps])} ms, image decoded "
          f"{_median([s['load'] for s in steps])} ms, caption {_median([s['caption'] for s in steps])} ms; "
          f"in the kernel (Panel.timings, render + PNG) {_median(kernel)} ms")
    focus = run.info["focus_ms"]
    print(f"  focusing a control before its input (not counted): first {focus[0]:.0f} ms, then median "
          f"{statistics.median(focus[1:]):.0f} ms")
    # One update per input, so the kernel's last timings line up with the steps.
    in_kernel = kernel[-len(steps):] if len(kernel) >= len(steps) else [None] * len(steps)
    slowest = sorted(zip(steps, in_kernel), key=lambda pair: -pair[0]["total"])[:3]  # the 3rd is the p95
    print("  slowest inputs: " + "; ".join(
        f"{step['action']} ({step['total']:.0f} ms" + (f", kernel {ms:.0f} ms)" if ms is not None else ")")
        for step, ms in slowest))
    assert len(totals) >= MIN_STEPS, f"{notebook.name}: only {len(totals)} measured inputs"


@pytest.fixture(scope="session", autouse=True)
def latency_report():
    """Print (and save to build/bench/browser_latency.json) the latency over all notebooks.

    Issue 14's target is p95 under 100 ms for every chapter. It is reported against the target, not
    asserted: speed is measured, never made a pass/fail test that the machine's load could flip.
    """
    yield
    if not LATENCIES:
        return
    everything = [value for values in LATENCIES.values() for value in values]
    median, p95 = statistics.median(everything), _percentile(everything, 95)
    print("\nwidget latency per notebook, input to new figure and caption (ms):")
    for stem, values in LATENCIES.items():
        p95_here = _percentile(values, 95)
        print(f"  {stem:28} n={len(values):3}  median {statistics.median(values):6.0f}  p95 {p95_here:6.0f} "
              f"({'meets' if p95_here < LATENCY_TARGET_MS else 'misses'})  max {max(values):6.0f}   "
              f"(kernel render + PNG median {_median(KERNEL_MS.get(stem, []))})")
    missing = [stem for stem, values in LATENCIES.items() if _percentile(values, 95) >= LATENCY_TARGET_MS]
    verdict = f"{len(missing)} chapter(s) miss" if missing else "every chapter meets"
    print(f"  {'overall':28} n={len(everything):3}  median {median:6.0f}  p95 {p95:6.0f}  "
          f"max {max(everything):6.0f}: {verdict} the {LATENCY_TARGET_MS} ms target")
    # The kernel shares the CPUs with everything else running: say how busy they were.
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"  load average now (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    out = ROOT / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    report = {"target_p95_ms": LATENCY_TARGET_MS, "overall": {"median_ms": round(median), "p95_ms": round(p95)},
              "notebooks": {stem: {"median_ms": round(statistics.median(v)), "p95_ms": round(_percentile(v, 95)),
                                   "meets_target": _percentile(v, 95) < LATENCY_TARGET_MS, "n": len(v)}
                            for stem, v in LATENCIES.items()},
              "load_average": os.getloadavg()[0]}
    (out / "browser_latency.json").write_text(json.dumps(report, indent=2) + "\n")


# ----------------------------------------------------------------------------- RISE: presenting inside JupyterLab

RISE_TIMEOUT = 90              # s until the slideshow shows its first slide


def test_widget_runs_live_in_rise(lab, browser):
    """Present a chapter with RISE (what Alt+R opens), run its main widget's cell on its slide,
    and see the live widget answer a control. RISE joins the kernel session of the notebook,
    which first runs in Lab, so the lesson's variables exist when the widget's cell runs."""
    notebook = next((n for n in NOTEBOOKS if Expected.read(n).explore_cell is not None), None)
    if notebook is None:
        pytest.skip("no notebook shows a widget")
    run = NotebookRun(lab, browser, notebook)
    rise = browser.new_page()
    errors: list[str] = []
    rise.on("console", lambda m: m.type == "error" and errors.append(m.text[:300]))
    try:
        run.open()
        run.restart_and_run_all()
        source = run.expected.sources[run.expected.explore_cell]
        first_line = next(line for line in source.splitlines() if line.strip())
        rise.goto(f"{lab.url}/rise/{notebook.name}?token={lab.token}", wait_until="domcontentloaded")
        rise.wait_for_selector(".reveal .slides section", timeout=RISE_TIMEOUT * 1000)
        cell = rise.locator("section.present .jp-CodeCell").filter(has_text=first_line).first
        for _ in range(400):                  # next slide until the widget's cell is on the current one
            if cell.count():
                break
            rise.keyboard.press("Space")
            rise.wait_for_timeout(80)
        else:
            pytest.fail(f"{notebook.name}: RISE never showed the slide with `{first_line}`")
        cell.locator(".jp-InputArea-editor .cm-content").focus()
        rise.keyboard.press("Control+Enter")  # run the cell and stay on its slide
        control = cell.locator(".widget-slider .noUi-handle, .widget-dropdown select").first
        try:
            control.wait_for(timeout=STEP_TIMEOUT * 1000)
        except Exception:
            shot = SCREENSHOTS / f"{notebook.stem}-RISE-FAILED.png"
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            rise.screenshot(path=str(shot))
            pytest.fail(f"{notebook.name}: the widget did not render in RISE within {STEP_TIMEOUT} s "
                        f"(screenshot {shot.relative_to(ROOT)}); browser console errors:\n    "
                        + "\n    ".join(e for e in errors[-8:] if "ERR_NAME_NOT_RESOLVED" not in e))
        image = cell.locator(".jupyter-widgets img").first
        before = image.get_attribute("src")
        if control.evaluate("(el) => el.tagName") == "SELECT":
            options = control.locator("option").all_text_contents()
            control.select_option(label=next(o for o in options if o != control.evaluate("(el) => el.value")))
        else:
            control.press("ArrowRight")
        rise.wait_for_function("([el, src]) => el.getAttribute('src') !== src", arg=[image.element_handle(), before],
                               timeout=STEP_TIMEOUT * 1000)
        assert cell.locator("text=Error displaying widget").count() == 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        rise.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}-rise-widget.png"))
    finally:
        rise.close()
        run.close()
