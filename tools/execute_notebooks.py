"""Re-execute notebooks in place, so their outputs match the library.

Usage: python tools/execute_notebooks.py book/01_forward_propagation.ipynb

`make execute` runs it on every chapter. Each notebook runs top to bottom
in a fresh kernel, in its own folder, as nbval runs it; a cell that raises
stops with the error and leaves that notebook's file unchanged.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    # No per-cell timestamps: an unchanged result leaves the file unchanged.
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    # A busy machine can deliver one print in two stream messages; merged,
    # the file is the same however the kernel's output was chunked.
    notebook, _ = CoalesceStreamsPreprocessor().preprocess(notebook, {})
    # No widget state: myst-nb would make the page fetch the widget runtime
    # from a CDN to show widgets that have no kernel behind them anyway.
    # (store_widget_state=False instead crashes nbclient 0.11 when a widget
    # prints during execution, as chapter 4's explorer does.)
    notebook.metadata.pop("widgets", None)
    # Without that state a saved widget view only says "model not found"
    # when the notebook is opened; running the cell shows the live widget.
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs
                            if WIDGET_VIEW not in out.get("data", {})]
    nbformat.write(notebook, path)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        print(f"executing {name}", flush=True)
        execute(Path(name))
