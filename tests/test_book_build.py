"""The built book: it builds without a warning, and it needs no network to show.

One strict build into a temporary folder (the `html` fixture, conftest.py) serves every test here;
tests/test_browser.py opens the same pages in a real browser.
"""

import re
from html.parser import HTMLParser

from support import toc_files


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


def test_punctuation_after_inline_math_is_kept_with_it(html):
    # Each formula followed by punctuation sits in a span the browser does not wrap
    # (book/_ext/math_punctuation.py; tests/test_browser.py checks it holds on screen).
    formula = re.compile(r'(<span class="text-nowrap">[(\[‘“]*)?'
                         r'<span class="math notranslate nohighlight">'
                         r'\\\((?:(?!</span>).)*\\\)</span>(?=[.,;:!?)])')
    kept = loose = 0
    for page in sorted((html / "book").glob("*.html")):
        for match in formula.finditer(page.read_text(encoding="utf-8")):
            if match.group(1):
                kept += 1
            else:
                loose += 1
                print(page.name, match.group()[-80:])
    assert loose == 0
    assert kept > 100, "too few formulas with punctuation found: is the pattern still right?"


def test_api_page_documents_every_public_name(html):
    import bplib

    page = (html / "book" / "api.html").read_text(encoding="utf-8")
    documented = set(re.findall(r'id="bplib\.[\w.]*?\.?(\w+)"', page))
    public = {name for name in bplib.__all__ if not isinstance(getattr(bplib, name), type(bplib))}
    assert public <= documented, f"not on the API page: {sorted(public - documented)}"


def test_api_docstrings_link_back_to_their_chapters(html):
    # Every chapter a public docstring names (and that exists) is linked from the API page.
    import bplib

    page = (html / "book" / "api.html").read_text(encoding="utf-8")
    docs = " ".join(getattr(bplib, name).__doc__ or "" for name in bplib.__all__)
    named = {int(n) for n in re.findall(r"[Cc]hapter (\d+)", docs)}
    chapters = {int(p.stem[:2]): p.stem for p in (html / "book").glob("[0-9][0-9]_*.html")}
    wanted = {chapters[n] for n in named if n in chapters}
    assert wanted, "no docstring names an existing chapter"
    missing = {c for c in wanted if f'href="{c}.html"' not in page}
    assert not missing, f"chapters named in docstrings but not linked: {sorted(missing)}"


def test_no_page_holds_a_dead_widget(html):
    # A widget needs a kernel; the book has none. Explorers are tagged remove-output, and
    # tools/execute_notebooks.py stores no widget state, so nothing of them reaches the HTML.
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for sign in ("application/vnd.jupyter.widget", "jupyter-widgets", "@jupyter-widgets"):
            assert sign not in text, f"{page.relative_to(html)} contains {sign!r}"


def test_every_reference_is_cited_by_a_chapter():
    # Chapter 10 lists the whole .bib; an entry no chapter cites would be a claim of use that
    # is not true (the source text's own five references are cited from the chapters too).
    from support import ROOT

    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M)
    chapters = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "book").glob("*")
                        if p.suffix in (".ipynb", ".md") and p.stem != "10_references")
    cited = set(re.findall(r"\{cite[^}]*\}`([^`]+)`", chapters.replace('\\"', '"')))
    cited = {key.strip() for group in cited for key in group.split(",")}
    assert set(keys) <= cited, f"in references.bib but cited nowhere: {sorted(set(keys) - cited)}"
