"""A chapter's explorer in JupyterLab, in a real browser: Debian's Chromium, driven by Playwright.

The project's own JupyterLab (with jupyterlab-myst and the widget manager, as `.venv/bin/jupyter
lab` runs it) is started on a free localhost port with a one-off token, its own settings,
workspace, runtime, data and config folders (nothing of the user's is read or written), autosave
off, and a copy of chapter 4 as its only file. The test runs every cell, then moves the explorer's α
slider and changes its activation dropdown, and checks after each step what a reader would see: the
figure was redrawn, no cell and no widget shows an error (a callback that raises shows its traceback
in the widget, and fails this test), and no widget label or readout is cut off.

Like tests/test_browser.py it needs the `chromium` executable: without it the test skips on a
developer's machine and fails on CI (CI set).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_browser import browser  # noqa: F401  (the same Chromium fixture, other hosts blocked)

from support import ROOT

CHAPTER = "04_activations.ipynb"

# Seconds; the whole test takes about 30 s on two idle cores.
START_TIMEOUT = 60
RUN_ALL_TIMEOUT = 120
REDRAW_TIMEOUT = 30

# Settings a reader never sees; they keep the server to itself: nothing saved into the copy
# behind the test's back, no news or update check sent to the network; and every cell in the
# page, not only those near the viewport, so that the test sees every prompt.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
}

# Script errors the page may raise that a reader never notices, each with its reason; any other
# fails the test. JupyterLab's cell toolbar measures the active markdown cell's rendered input to
# keep clear of it, and jupyterlab-myst's markdown cells (2.7.0) have none: a TypeError in an idle
# callback, and the toolbar simply stays where it is.
KNOWN_PAGE_ERRORS = ["_markdownOverlapsToolbar"]

# What an error looks like in JupyterLab: a traceback (a cell's or, inside an explorer's output
# area, a callback's) or anything else on stderr.
ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'

# Every code cell has run: each of the n input prompts shows an execution count, none "[*]" or
# "[ ]".
ALL_RAN_JS = """(n) => {
  const prompts = [...document.querySelectorAll(".jp-CodeCell .jp-InputPrompt")];
  return prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""

PROMPTS_JS = ("() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
              ".map(p => p.textContent)")

# Labels and readouts of the widgets whose text does not fit their box.
CLIPPED_JS = """(root) => [...root.querySelectorAll(".widget-label, .widget-readout")]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.textContent)"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """The project's JupyterLab serving a copy of the chapter; yields (base URL, token, the
    chapter's number of code cells)."""
    base = tmp_path_factory.mktemp("jupyterlab")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    # without its outputs, as a reader would run it: every prompt left blank until it has run
    notebook = nbformat.read(ROOT / "book" / CHAPTER, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, notebooks / CHAPTER)
    code_cells = sum(cell.cell_type == "code" for cell in notebook.cells)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernel draws inline
    for variable, folder in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                             ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                             ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                             ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")]:
        (base / folder).mkdir()
        env[variable] = str(base / folder)
    for plugin, values in LAB_SETTINGS.items():
        path = base / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    token = secrets.token_hex(16)
    command = [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={free_port()}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
               "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:  # a container: Jupyter refuses root without it
        command.append("--allow-root")
    log_path = base / "jupyterlab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = wait_until_serving(server, base / "runtime", token, log_path)
        yield url, token, code_cells
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_serving(server, runtime: Path, token: str, log_path: Path) -> str:
    """The server's base URL once it answers (its port from its runtime file: a taken port is
    retried on the next one)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited ({server.returncode}):\n{log_path.read_text()[-3000:]}")
        for info in runtime.glob("jpserver-*.json"):
            url = f"http://127.0.0.1:{json.loads(info.read_text())['port']}/"
            try:
                with urllib.request.urlopen(f"{url}api/status?token={token}", timeout=5):
                    return url
            except OSError:
                pass
        time.sleep(0.2)
    pytest.fail(f"JupyterLab did not answer in {START_TIMEOUT} s:\n{log_path.read_text()[-3000:]}")


def figure(explorer) -> str:
    """The explorer's figure, as the PNG data its <img> shows."""
    return explorer.locator(".widget-output img").first.get_attribute("src")


# The explorer has answered a change: a new figure, or an error in its output area.
ANSWERED_JS = """([el, before, error]) => {
  const img = el.querySelector(".widget-output img");
  return el.querySelector(error) !== null || (img !== null && img.src !== before);
}"""


def wait_for_redraw(page, explorer, before: str, what: str) -> str:
    """The explorer's new figure after `what` changed; fails if it shows an error instead."""
    try:
        page.wait_for_function(ANSWERED_JS, arg=[explorer.element_handle(), before, ERROR_OUTPUT],
                               timeout=REDRAW_TIMEOUT * 1000)
    except PlaywrightTimeout:
        pytest.fail(f"the explorer drew nothing new in {REDRAW_TIMEOUT} s after {what} changed")
    errors = explorer.locator(ERROR_OUTPUT).all_inner_texts()
    assert errors == [], f"the explorer shows an error after {what} changed:\n{errors[0][-2000:]}"
    return figure(explorer)


def errors_shown(page) -> list[str]:
    return page.locator(ERROR_OUTPUT).all_inner_texts()


def test_chapter_4_explorer_runs_and_redraws_in_jupyterlab(browser, jupyterlab):  # noqa: F811
    url, token, code_cells = jupyterlab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(error.stack or str(error)))
    try:
        page.goto(f"{url}lab/tree/{CHAPTER}?token={token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=START_TIMEOUT * 1000)
        # the kernel is up when the status bar says so (the toolbar's indicator is idle before)
        page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(
            timeout=START_TIMEOUT * 1000)

        # Run → Run All Cells, as a reader would
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            page.wait_for_function(ALL_RAN_JS, arg=code_cells, timeout=RUN_ALL_TIMEOUT * 1000)
        except PlaywrightTimeout:
            pytest.fail(f"Run All did not finish in {RUN_ALL_TIMEOUT} s; prompts: "
                        f"{page.evaluate(PROMPTS_JS)}; errors: {errors_shown(page)}; "
                        f"dialogs: {page.locator('.jp-Dialog').all_inner_texts()}")
        assert errors_shown(page) == [], "a cell shows an error after Run All"

        explorer = page.locator(".jp-Cell .widget-interact").first
        explorer.scroll_into_view_if_needed()
        page.wait_for_function("el => el.querySelector('.widget-output img') !== null",
                               arg=explorer.element_handle(), timeout=REDRAW_TIMEOUT * 1000)
        first = figure(explorer)
        assert explorer.evaluate(CLIPPED_JS) == [], "widget text cut off"

        # the α slider, one step right with the keyboard (as dragging it would)
        alpha = explorer.locator(".widget-hslider").first
        readout = alpha.locator(".widget-readout")
        old_alpha = readout.inner_text()
        alpha.locator(".noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        after_slider = wait_for_redraw(page, explorer, first, "the α slider")
        assert readout.inner_text() != old_alpha

        # the activation dropdown
        explorer.locator(".widget-dropdown select").select_option("tanh")
        after_dropdown = wait_for_redraw(page, explorer, after_slider, "the activation dropdown")
        assert len({first, after_slider, after_dropdown}) == 3
        assert errors_shown(page) == [], "a cell shows an error"
        assert explorer.evaluate(CLIPPED_JS) == [], "widget text cut off"
        unexplained = [e for e in page_errors if not any(k in e for k in KNOWN_PAGE_ERRORS)]
        assert unexplained == [], unexplained
    finally:
        context.close()
