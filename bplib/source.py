"""Show the library's own code in the book, so that what a chapter shows cannot drift from what it runs."""

from __future__ import annotations

import inspect


def show_source(obj):
    """`obj`'s source code from bplib, syntax-highlighted in Jupyter and in the rendered book (chapter 1).

    Its plain-text form is the code itself, so nbval fails a notebook whose shown code is out of date.
    """
    from IPython.display import Code  # imported here: the rest of bplib needs only numpy

    return Code(inspect.getsource(obj), language="python")
