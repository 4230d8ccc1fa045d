"""The built book in a real browser: Debian's Chromium, driven by Playwright.

Every page of the strict build (the `html` fixture) is served from localhost and opened with every
request that leaves the site recorded and blocked (no other host resolves). Per page: math typeset
by MathJax with no error and no raw TeX left in the text, no formula split from the punctuation
after it, every image decoded, nothing fetched from elsewhere, no console error beyond the known
upstream noise listed below, no critical or serious accessibility violation (axe-core, bundled in
the axe-playwright-python wheel), and, on a 400 px phone screen, nothing wider than the screen and
every formula that must scroll showing that it does. Then: the sidebar reaches every chapter, and
the search page finds "backpropagation".

These tests need the `chromium` executable (`make test` installs it when it can). Without it they
skip on a developer's machine and fail on CI (CI set), so a green CI run always means they ran.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from support import toc_files

# Console errors the book cannot fix, each with its reason; everything else fails the test. Empty:
# the theme's two ("Identifier 'THEBE_JS_URL' has already been declared" and "Got invalid theme
# mode") were fixed where they arise, by book/_ext/dedupe_scripts.py and html_context.default_mode.
KNOWN_CONSOLE_NOISE: list[str] = []

# JavaScript run in the page: text nodes outside code, scripts and typeset math, where raw TeX would
# mean MathJax missed a formula.
VISIBLE_PROSE_JS = """() => {
  const skip = "PRE, CODE, SCRIPT, STYLE, MJX-CONTAINER, TEXTAREA, NOSCRIPT";
  const walker = document.createTreeWalker(document.querySelector("main") || document.body,
                                           NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    if (!walker.currentNode.parentElement.closest(skip)) parts.push(walker.currentNode.data);
  }
  return parts.join(" ");
}"""

IMAGES_JS = """async () => {
  const failed = [];
  for (const img of document.images) {
    try { await img.decode(); } catch (e) { failed.push(img.src); continue; }
    if (img.naturalWidth === 0) failed.push(img.src);
  }
  return {count: document.images.length, failed: failed};
}"""

# Every host but this machine's resolves to nothing, so no request can leave the site.
BLOCK_OTHER_HOSTS = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"

# Formulas kept on one line with their punctuation (book/_ext/math_punctuation.py) that the
# browser broke across lines all the same.
BROKEN_NOWRAP_JS = """() => [...document.querySelectorAll(".text-nowrap")]
  .filter(e => e.querySelector("mjx-container") && e.getClientRects().length > 1).length"""

RAW_TEX = ("\\(", "\\)", "\\[", "\\]", "$$", "\\begin{", "\\frac", "\\sum")

PHONE = {"width": 400, "height": 800}

# At phone width: how far the page reaches past the screen, and the display formulas that are cut
# without the scroll shadows of book/_static/book.css (a phone hides scrollbars).
PHONE_JS = """() => ({
  width: document.documentElement.scrollWidth,
  hidden_scroll: [...document.querySelectorAll("div.math")]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .filter(e => !getComputedStyle(e).backgroundImage.includes("gradient"))
    .map(e => e.textContent.slice(0, 40)),
})"""

# axe-core's impact levels that fail the test; "moderate" and "minor" are reported by axe only.
BLOCKING_IMPACTS = ("critical", "serious")
# axe's rules that measure rendered colours and sizes. What they measure comes from the theme's
# stylesheets and book.css, shared by every page, and they cost seconds a page (the contrast of
# every text node), so they run on one page of each kind: markdown, a chapter notebook, the API.
STYLE_RULES = ("color-contrast", "target-size", "link-in-text-block")
STYLE_PAGES = ("book/intro.html", "book/01_forward_propagation.html", "book/api.html")


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "the chromium executable is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + "; on CI the browser tests must run")
        pytest.skip(message)
    return path


@contextlib.contextmanager
def serve(folder: Path):
    """Serve a folder over HTTP on a free localhost port; yields its base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(html: Path):
    """The built book, served."""
    with serve(html) as url:
        yield url


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output readable
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        # The flags stop Chromium's own background traffic (updates, sync), which would otherwise
        # be refused on a machine with no network and show up as noise.
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", BLOCK_OTHER_HOSTS])
        yield browser
        browser.close()


DESKTOP = {"width": 1366, "height": 900}


class Tab:
    """One browser tab that opens pages in turn, recording for the page it opened last what it
    asked for and what it logged. Navigating one tab, rather than opening a fresh context per
    page, keeps the theme's scripts and MathJax compiled and cached: half the time of the loop."""

    def __init__(self, browser, site: str):
        self.site = site
        self._start_records()
        self.context = browser.new_context(viewport=DESKTOP)
        self.page = self.context.new_page()
        self.page.on("request", self._request)
        self.page.on("response", lambda r: r.status >= 400 and self.missing.append(r.url))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"pageerror: {error}"))

    def open(self, path: str) -> "Tab":
        """Open a page at desktop width and wait for MathJax; the records start afresh."""
        self._start_records()
        self.page.set_viewport_size(DESKTOP)
        self.page.goto(self.site + path, wait_until="load")
        self._wait_for_mathjax()
        return self

    def _start_records(self):
        self.external: list[str] = []
        self.console_errors: list[str] = []
        self.missing: list[str] = []        # what the site answered with an error status

    def _request(self, request):
        # Recorded here; blocked by the browser itself (BLOCK_OTHER_HOSTS), which is much faster
        # than routing every request of the site through Python to let it pass.
        if not request.url.startswith((self.site, "data:", "blob:")):
            self.external.append(request.url)

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def _wait_for_mathjax(self):
        if self.page.evaluate("() => typeof window.MathJax === 'object'"):
            self.page.wait_for_function(
                "() => window.MathJax.startup && window.MathJax.startup.promise", timeout=15_000)
            self.page.evaluate("() => window.MathJax.startup.promise")

    def close(self):
        self.context.close()


def open_page(browser, site: str, path: str) -> Tab:
    """A page opened in a tab of its own."""
    return Tab(browser, site).open(path)


def pages(html: Path) -> list[str]:
    """Every page, but the root's index.html: a redirect to the intro, which is visited itself."""
    return sorted(str(p.relative_to(html)) for p in html.rglob("*.html")
                  if not p.relative_to(html).parts[0].startswith("_")
                  and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8"))


def unexplained(errors: list[str]) -> list[str]:
    return [e for e in errors if not any(noise in e for noise in KNOWN_CONSOLE_NOISE)]


def test_every_page_renders_offline(browser, site, html):
    problems = {}
    checked_math = 0
    assert set(STYLE_PAGES) <= set(pages(html)), "a page the style rules run on is gone"
    tab = Tab(browser, site)
    for path in pages(html):
        page, found = tab.open(path).page, []
        math_nodes = page.locator(".math").count()
        if math_nodes:
            checked_math += 1
            typeset = page.locator("mjx-container").count()
            if typeset < math_nodes:
                found.append(f"{math_nodes} formulas but {typeset} typeset by MathJax")
            if page.locator("mjx-merror").count():
                found.append(f"{page.locator('mjx-merror').count()} MathJax errors")
        prose = page.evaluate(VISIBLE_PROSE_JS)
        raw = [tex for tex in RAW_TEX if tex in prose]
        if raw:
            found.append(f"raw TeX in the text: {raw}")
        broken = page.evaluate(BROKEN_NOWRAP_JS)
        if broken:
            found.append(f"{broken} formulas split from their punctuation")
        images = page.evaluate(IMAGES_JS)
        if images["failed"]:
            found.append(f"images not decoded: {images['failed']}")
        if tab.external:
            found.append(f"requests leaving the site: {tab.external}")
        if tab.missing:
            found.append(f"not found on the site: {tab.missing}")
        if unexplained(tab.console_errors):
            found.append(f"console errors: {unexplained(tab.console_errors)}")
        found += accessibility_violations(page, style=path in STYLE_PAGES) + phone_problems(page)
        if found:
            problems[path] = found
    tab.close()
    assert not problems, "\n".join(f"{p}: {f}" for p, f in problems.items())
    assert checked_math >= 1, "no page had math: the check above would prove nothing"


def accessibility_violations(page, style: bool = True) -> list[str]:
    """axe-core's critical and serious findings on the page; `style`: with STYLE_RULES."""
    from axe_playwright_python.sync_playwright import Axe

    # MathJax draws a formula glyph by glyph in markup of its own, which the book cannot change;
    # what a screen reader reads is its assistive MathML.
    context = {"exclude": [["mjx-container"]]}
    options = {"resultTypes": ["violations"],
               "rules": {rule: {"enabled": style} for rule in STYLE_RULES}}
    violations = Axe().run(page, context=context, options=options).response["violations"]
    return [f"axe {v['impact']}: {v['id']} ({len(v['nodes'])}x): {v['help']}"
            for v in violations if v["impact"] in BLOCKING_IMPACTS]


def phone_problems(page) -> list[str]:
    """What a 400 px phone screen shows wrong; leaves the page at that width."""
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(100)  # let the layout settle
    phone = page.evaluate(PHONE_JS)
    found = []
    if phone["width"] > PHONE["width"]:
        found.append(f"{phone['width']} px wide on a {PHONE['width']} px phone screen")
    if phone["hidden_scroll"]:
        found.append(f"formulas cut on a phone with nothing to show it: {phone['hidden_scroll']}")
    return found


def test_the_checks_catch_a_broken_page(browser, tmp_path):
    # A negative control: a page with each fault the loop above looks for, served the same way.
    # Each page has an icon of its own, as the book's pages do: else Chromium asks for /favicon.ico.
    head = '<html><head><link rel="icon" href="data:,"></head>'
    (tmp_path / "broken.html").write_text(
        head + "<body><main><p>Raw \\(x^2\\) here.</p>"
        # without the theme's CSS, text-nowrap does not hold: a narrow line splits this span
        '<p style="width: 4em"><span class="text-nowrap"><mjx-container>x</mjx-container>'
        " and some words, too many for one line.</span></p>"
        '<img src="missing.png"><img src="https://example.org/remote.png">'
        '<script>console.error("boom")</script>'
        # an ARIA list without list items (critical), a line wider than a phone, and a formula
        # that scrolls with nothing to show it
        '<div role="list"><div>not an item</div></div><pre>' + "x" * 120 + "</pre>"
        '<div class="math" style="overflow-x: auto; width: 5em"><span style="white-space: nowrap">'
        "a very long formula indeed</span></div></main></body></html>")
    (tmp_path / "clean.html").write_text(head + "<body><main><p>Clean.</p></main></body></html>")
    with serve(tmp_path) as url:
        # in one tab, as the loop opens pages: clean, broken, clean again
        tab = Tab(browser, url)
        tab.open("clean.html")
        before = (tab.external, tab.missing, tab.console_errors)
        page = tab.open("broken.html").page
        prose = page.evaluate(VISIBLE_PROSE_JS)
        images = page.evaluate(IMAGES_JS)
        broken = page.evaluate(BROKEN_NOWRAP_JS)
        axe = accessibility_violations(page)
        phone = phone_problems(page)
        external, missing, errors = tab.external, tab.missing, tab.console_errors
        tab.open("clean.html")
        after = (tab.external, tab.missing, tab.console_errors)
        width = page.viewport_size["width"]
        tab.close()
    assert any("aria-required-children" in v for v in axe), axe
    assert len(phone) == 2 and "px wide" in phone[0] and "formulas cut" in phone[1], phone
    assert "\\(" in prose
    assert broken == 1
    assert len(images["failed"]) == 2
    assert external == ["https://example.org/remote.png"]
    assert missing and all(url.endswith("missing.png") for url in missing), missing
    assert unexplained(errors)
    # what one page did is not charged to the next, and each page opens at desktop width
    assert before == after == ([], [], []), (before, after)
    assert width == DESKTOP["width"]


def test_chapters_have_typeset_math_and_figures(browser, site):
    # A positive control for the loop above: chapter 1 has both, so both checks really ran on it.
    visit = open_page(browser, site, "book/01_forward_propagation.html")
    assert visit.page.locator("mjx-container").count() > 20
    assert visit.page.evaluate(IMAGES_JS)["count"] >= 2
    visit.close()


def test_sidebar_reaches_every_chapter(browser, site):
    visit = open_page(browser, site, "book/intro.html")
    hrefs = visit.page.eval_on_selector_all(
        "nav.bd-docs-nav a", "links => links.map(a => a.href)")
    visit.close()
    reached = {href.split("#")[0].removeprefix(site).removesuffix(".html") for href in hrefs}
    wanted = {name for name in toc_files() if name != "book/intro"}
    assert wanted <= reached, f"not in the sidebar: {sorted(wanted - reached)}"


def test_search_finds_backpropagation(browser, site):
    visit = open_page(browser, site, "search.html?q=backpropagation")
    results = visit.page.locator("ul.search li")
    results.first.wait_for(timeout=15_000)
    titles = results.all_inner_texts()
    external, errors = visit.external, unexplained(visit.console_errors)
    visit.close()
    assert any("Backpropagation" in t or "backpropagation" in t for t in titles), titles
    assert external == [] and errors == [], (external, errors)
