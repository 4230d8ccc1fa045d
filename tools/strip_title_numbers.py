"""Drop a hand-written "N. " from a chapter's title: _toc.yml numbers chapters."""
import re
import sys

import nbformat

for path in sys.argv[1:]:
    nb = nbformat.read(path, 4)
    first = nb.cells[0]
    new = re.sub(r"\A# \d+\. ", "# ", first.source)
    if new != first.source:
        first.source = new
        nbformat.write(nb, path)
        print("stripped", path)
