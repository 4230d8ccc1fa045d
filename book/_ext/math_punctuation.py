"""Keep inline math on one line with the punctuation that touches it.

A browser may break a line between MathJax 3's output and a comma or full
stop right after it, so that a line starts with the punctuation (fixed only
in MathJax 4: mathjax/MathJax#2312 and PreTeXtBook/pretext#1472). This
transform wraps each inline formula, with an opening bracket right before it
and punctuation right after it, in a span the theme's Bootstrap CSS keeps
from wrapping (`text-nowrap`).
"""

import re

from docutils import nodes
from sphinx.transforms import SphinxTransform

AFTER = re.compile(r"^[.,;:!?)\]’”]+")
BEFORE = re.compile(r"[(\[‘“]+$")
CLASS = "text-nowrap"


class KeepPunctuationWithMath(SphinxTransform):
    default_priority = 800  # after parsing; before the HTML writer sees it

    def apply(self):
        for math in list(self.document.findall(nodes.math)):
            parent = math.parent
            if CLASS in parent.get("classes", []):
                continue
            i = parent.index(math)
            after = _split(parent, i + 1, AFTER, at_start=True)
            before = _split(parent, i - 1, BEFORE, at_start=False)
            if not (after or before):
                continue
            wrapper = nodes.inline(classes=[CLASS])
            parent.replace(math, wrapper)
            if before:
                wrapper += nodes.Text(before)
            wrapper += math
            if after:
                wrapper += nodes.Text(after)


def _split(parent, index, pattern, at_start):
    """Cut the punctuation matched by `pattern` off the Text node at
    parent[index] (its start if at_start, else its end) and return it."""
    if not 0 <= index < len(parent) or not isinstance(parent[index], nodes.Text):
        return ""
    text = str(parent[index])
    match = pattern.search(text)
    if not match:
        return ""
    rest = text[match.end():] if at_start else text[:match.start()]
    if rest:
        parent[index] = nodes.Text(rest)
    else:
        del parent[index]  # by position: Text compares equal by value
    return match.group()


def setup(app):
    app.add_transform(KeepPunctuationWithMath)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
