"""Numbers for the prose: the text quotes what a cell computed, never a figure typed by hand."""

from __future__ import annotations


def glue(name: str, value, fmt: str = "") -> str:
    """Hand `value` to the chapter's prose, formatted as the text shows it.

    The markdown writes {glue:text}`name`; the stored text is exactly format(value, fmt), so it
    carries only the digits the sentence quotes (no rounding noise for nbval to trip on) and a
    changed result changes the sentence. Returns that text, to print or assert on.
    """
    from myst_nb import glue as myst_glue  # here: the rest of bplib needs numpy only

    text = format(value, fmt)
    myst_glue(name, text, display=False)
    return text
