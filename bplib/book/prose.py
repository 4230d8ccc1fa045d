"""Numbers for the prose: the text quotes what a cell computed, never a figure typed by hand."""

from __future__ import annotations

#: where myst-nb's glue puts a value in a cell's output, and where its build looks for it
GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, value, fmt: str = "") -> str:
    """Hand `value` to the chapter's prose, formatted as the text shows it.

    The markdown writes {glue:text}`name`; the stored text is exactly format(value, fmt), so it
    carries only the digits the sentence quotes (no rounding noise for nbval to trip on) and a
    changed result changes the sentence. Returns that text, to print or assert on.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    text = format(value, fmt)
    # What myst_nb.glue(name, text, display=False) emits, written out: importing myst_nb costs
    # about 3 s of CPU per chapter (it loads Sphinx). tests/test_prose_numbers.py checks that
    # the two agree.
    bundle, metadata = format_display_data(text)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + mime: data for mime, data in bundle.items()}, raw=True,
            metadata=metadata)
    return text
