"""One-off converter kept as a record: bold "Exercise n.m (title)." paragraphs
followed by hide-cell solution cells become sphinx-exercise gated blocks."""
import re
import sys

import nbformat


def convert(path):
    nb = nbformat.read(path, 4)
    cells, pending_end = [], False
    for cell in nb.cells:
        src = cell.source
        if cell.cell_type == "markdown":
            m = re.search(r"\*\*Exercise (\d+)\.(\d+) \(([^)]*)\)\.\*\* ", src)
            if m:
                chap, num, title = m.groups()
                head, body = src[:m.start()], src[m.end():]
                label = f"ex-{chap}-{num}"
                block = (f"```{{exercise}} {title[0].upper() + title[1:]}\n"
                         f":label: {label}\n\n{body.strip()}\n```\n\n"
                         f"```{{solution-start}} {label}\n"
                         f":class: dropdown\n```")
                src = head + block
                if pending_end:
                    src = "```{solution-end}\n```\n\n" + src
                    pending_end = False
                cell.source = src
        elif "hide-cell" in cell.metadata.get("tags", []):
            cell.metadata["tags"].remove("hide-cell")
            if not cell.metadata["tags"]:
                del cell.metadata["tags"]
            cell.metadata.pop("mystnb", None)
            pending_end = True
        cells.append(cell)
    if pending_end:
        cells.append(nbformat.v4.new_markdown_cell("```{solution-end}\n```"))
    nb.cells = cells
    nbformat.write(nb, path)


for p in sys.argv[1:]:
    convert(p)
