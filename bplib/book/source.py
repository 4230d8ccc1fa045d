"""Show the library's own code in the book, so it cannot drift from it."""

from __future__ import annotations

import inspect
import textwrap


def show_source(obj):
    """obj's source code from bplib, highlighted in Jupyter and the book.

    Its plain-text form is the code itself, so nbval fails a notebook whose
    shown code is out of date (chapter 1).
    """
    from IPython.display import Code  # here: the rest needs numpy only

    # A method's source keeps its class's indentation; the book shows it flush.
    code = textwrap.dedent(inspect.getsource(obj))
    return Code(code, language="python")
