"""Re-execute notebooks in place, so that their committed outputs match the library (`make execute`).

Usage: python tools/execute_notebooks.py book/01_forward_propagation.ipynb [...]

Each notebook runs top to bottom in a fresh kernel from its own folder, as nbval will run it; a cell
that raises stops that notebook with the error and leaves the file unchanged.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    # record_timing=False: no per-cell timestamps, so an unchanged result gives an unchanged file.
    NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(notebook, path)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        print(f"executing {name}", flush=True)
        execute(Path(name))
