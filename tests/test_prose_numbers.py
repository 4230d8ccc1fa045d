"""No number in the prose is typed by hand where a cell computed it.

A sentence quotes a result with {glue:text}`name` (bp.book.glue in the cell that computed it), so a
changed result changes the sentence and nbval sees it. What is left in the prose after formulas,
code, roles and cross-references are set aside may hold only small counts (0-10: layers, chapters,
equations), layer sizes written as 2-3-2, and the numbers a chapter lists as definitions, each with
the reason, in its metadata:

    "prose_numbers": {"2-3-2": "the worked example's architecture", "1986": "year of the paper"}

(for a .md page, in TYPED below). A number missing from both fails here: glue it, or, if it defines
something rather than reports a result, list it with the reason.
"""

import json
import re
from pathlib import Path

import pytest

from support import ROOT
from test_notebooks import NOTEBOOKS

PAGES = [ROOT / "book" / name for name in ("intro.md", "how_to_run.md")]

#: the .md pages' definitions (notebooks keep theirs in their metadata)
TYPED: dict[str, dict[str, str]] = {
    "intro.md": {},
    "how_to_run.md": {
        "3.11": "the oldest Python the book supports (requires-python in pyproject.toml)",
    },
}

SET_ASIDE = [
    r"```.*?```",                      # code blocks, and directive heads such as ```{exercise}
    r"\$\$.*?\$\$", r"\$[^$\n]+\$",     # formulas: their numbers are definitions, not results
    r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}",
    r"`[^`]*`",                         # inline code, first: it may quote a role, `{glue:}`
    r"\{[\w:-]+\}`[^`]*`",              # roles: {glue:text}`...`, {ref}, {cite}, {numref}, ...
    r"\]\([^)]*\)", r"\([\w-]+\)=",     # link targets and (label)= anchors
    r"<!--.*?-->", r"<[^>]+>",          # comments and HTML tags
    r"^:\w[\w-]*:.*$",                  # directive options such as :label: ex-2-1
]
# A number: digits with thousands separators, a decimal part or an exponent, a percent or "×"
# after it. Digits inside a name (BP1, L2) do not count; 2-3-2 is one number.
NUMBER = re.compile(r"(?<![\w.^_])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][−+-]?\d+)?"
                    r"(?:[-–]\d+)*(?:\s?[%×])?(?![\w])")
#: definitions every chapter may write: a small count, and layer sizes such as 2-3-2
DEFINED = re.compile(r"10|\d|\d+(?:-\d+){2,}")


def prose(markdown: str) -> str:
    for pattern in SET_ASIDE:
        markdown = re.sub(pattern, " ", markdown, flags=re.S | re.M)
    return markdown


def numbers(markdown: str) -> list[str]:
    """Every number in the prose of a piece of markdown, in order."""
    return [m.group().rstrip() for m in NUMBER.finditer(prose(markdown))]


def typed_numbers(markdown: str, allowed: dict[str, str]) -> list[str]:
    return [n for n in numbers(markdown) if not DEFINED.fullmatch(n) and n not in allowed]


def markdown_and_definitions(path: Path) -> tuple[list[str], dict[str, str]]:
    """A page's markdown (a notebook's: one string per cell) and the numbers it defines."""
    if path.suffix == ".md":
        return [path.read_text()], TYPED[path.name]
    notebook = json.loads(path.read_text())
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"]
    return cells, notebook["metadata"].get("prose_numbers", {})


@pytest.mark.parametrize("path", NOTEBOOKS + PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_prose_numbers_are_glued_or_defined(path):
    cells, allowed = markdown_and_definitions(path)
    typed = [(i, n) for i, cell in enumerate(cells) for n in typed_numbers(cell, allowed)]
    assert not typed, ("numbers typed into the prose (markdown cell, number): glue them from the "
                       f"cell that computes them, or list a definition with its reason: {typed}")


def test_the_check_finds_typed_results_and_spares_the_rest():
    text = ("Accuracy reaches 97.3% after 12 epochs, 3.2× faster; BP1 and layer 3 in a 2-3-2 net "
            "with $\\eta = 0.5$, `lr=0.1`, {glue:text}`acc`, {ref}`ch-2` and [a](x1.html).")
    assert typed_numbers(text, {}) == ["97.3%", "12", "3.2×"]
    assert typed_numbers(text, {"12": "the epochs chosen"}) == ["97.3%", "3.2×"]


def test_book_glue_emits_what_myst_nb_glue_does():
    # bp.book.glue writes myst-nb's output by hand (importing myst_nb is slow): the build must
    # read it as its own.
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    from myst_nb import glue as myst_glue

    import bplib as bp

    InteractiveShell.instance()
    with capture_output() as ours:
        assert bp.book.glue("acc", 0.97312, ".1%") == "97.3%"
    with capture_output() as theirs:
        myst_glue("acc", "97.3%", display=False)
    assert [(o.data, o.metadata) for o in ours.outputs] == \
        [(o.data, o.metadata) for o in theirs.outputs]
    assert ours.outputs[0].data == {"application/papermill.record/text/plain": "'97.3%'"}


@pytest.mark.parametrize("path", NOTEBOOKS + PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_listed_definition_is_in_the_prose(path):
    # A definition left behind when its sentence changed would excuse the same number typed
    # later as a result.
    cells, allowed = markdown_and_definitions(path)
    found = {n for cell in cells for n in numbers(cell)}
    assert set(allowed) <= found, f"listed but not in the prose: {sorted(set(allowed) - found)}"
