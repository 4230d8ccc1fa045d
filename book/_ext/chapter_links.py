"""Turn "chapter N" in bplib's docstrings into links on the API page.

Every public docstring names the chapter that derives it, in plain words
so that help() reads well. On the API page (autodoc) those words become a
link to that chapter's page, book/NN_*.
"""

import re

CHAPTER = re.compile(r"\b([Cc]hapter) (\d+)\b")


def link_chapters(app, what, name, obj, options, lines):
    pages = {int(doc.split("/")[-1][:2]): doc
             for doc in app.env.found_docs
             if re.fullmatch(r"book/\d\d_\w+", doc)}

    def link(match):
        page = pages.get(int(match.group(2)))
        if page is None:
            return match.group(0)
        return f":doc:`{match.group(1)} {match.group(2)} </{page}>`"

    lines[:] = [CHAPTER.sub(link, line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", link_chapters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
