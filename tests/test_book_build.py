"""The built book: it builds without a warning, and it needs no network to show.

One strict build into a temporary folder serves every test here.
"""

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from support import ROOT, toc_files


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", "--all", "-W", "-n", "--keep-going",
         "--path-output", str(out), str(ROOT)],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "_build" / "html"


class Resources(HTMLParser):
    """Every URL a page loads by itself: scripts, styles, images, fonts."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("rel") in ("stylesheet", "preload",
                                                  "icon", "modulepreload"):
            self.urls.append(attrs.get("href", ""))


def test_every_chapter_in_the_toc_has_a_page(html):
    for name in toc_files():
        assert (html / name).with_suffix(".html").is_file(), name


def test_pages_load_nothing_from_the_network(html):
    pages = sorted(html.rglob("*.html"))
    assert len(pages) >= len(toc_files())
    for page in pages:
        parser = Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        external = [u for u in parser.urls if re.match(r"(https?:)?//", u)]
        assert external == [], f"{page.relative_to(html)} loads {external}"


def test_math_is_served_by_the_book_itself(html):
    page = (html / "book" / "01_forward_propagation.html").read_text()
    assert 'src="../_static/mathjax/tex-chtml.js"' in page
    assert (html / "_static" / "mathjax" / "tex-chtml.js").stat().st_size > 100_000
    # CommonHTML output needs its web fonts next to it.
    fonts = list((html / "_static" / "mathjax" / "output").rglob("*.woff"))
    assert fonts, "MathJax's fonts were not copied"
