"""Re-execute notebooks in place, so their outputs match the library.

Usage: python tools/execute_notebooks.py book/01_forward_propagation.ipynb

`make execute` runs it on every chapter. Each notebook runs top to bottom
in a fresh kernel, in its own folder, as nbval runs it; a cell that raises,
or runs longer than CELL_TIMEOUT seconds, stops with the error and leaves
that notebook's file unchanged. Each notebook's line ends with its time and
its slowest cell's.

Widgets cannot hang it. nbclient stands in for a front end's Output widget
(ipywidgets' `interactive` draws into one), and as a front end would, that
stand-in sent the widget's outputs back to the kernel on the shell socket:
from the task that reads IOPub, while another task waited on that socket
for the cell's reply. With zmq.asyncio that send can swallow the waiting
poll's wake-up, and the cell then sat out its whole timeout although the
kernel had long replied (about one run in ten of chapters 4 and 8). Here
the stand-in keeps the outputs and sends nothing: no kernel code reads them
back. And every wait on the shell socket polls in slices of a second, so a
wake-up lost any other way costs a second, not the timeout.
"""

import sys
import time
from pathlib import Path
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.output_widget import OutputWidget
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

#: Seconds a cell may run. The slowest cell of the book takes about 5 s on two shared cores.
CELL_TIMEOUT = 60

#: Seconds between two looks at the shell socket while a cell runs.
POLL_SLICE = 1.0


class SilentOutputWidget(OutputWidget):
    """nbclient's Output widget stand-in, but never writing to the kernel."""

    def send(self, data=None, metadata=None, buffers=None) -> None:
        pass


class BatchClient(NotebookClient):
    """A NotebookClient whose widgets and shell waits cannot stall it."""

    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        self.widget_registry = {"@jupyter-widgets/output": {"OutputModel": SilentOutputWidget}}
        self.durations: list[float] = []   # wall seconds per code cell, request to reply
        self._started = 0.0
        self.on_cell_execute = self._cell_started
        self.on_cell_executed = self._cell_finished

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        channel = kc.shell_channel
        whole_wait = channel.get_msg

        async def get_msg(timeout=None):
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = (POLL_SLICE if deadline is None
                        else min(POLL_SLICE, deadline - time.monotonic()))
                try:
                    return await whole_wait(timeout=max(left, 0))
                except Empty:  # nothing in this slice
                    if deadline is not None and time.monotonic() >= deadline:
                        raise

        channel.get_msg = get_msg
        return kc

    def _cell_started(self, **_):
        self._started = time.monotonic()

    def _cell_finished(self, **_):
        self.durations.append(time.monotonic() - self._started)


def client(notebook, path: Path, timeout: int = CELL_TIMEOUT) -> BatchClient:
    """The client `execute` runs a notebook read from `path` with."""
    # No per-cell timestamps: an unchanged result leaves the file unchanged.
    return BatchClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": str(Path(path).parent)}})


def execute(path: Path) -> BatchClient:
    notebook = nbformat.read(path, as_version=4)
    runner = client(notebook, path)
    runner.execute()
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
    return runner


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        print(f"executing {name}", flush=True)
        start = time.monotonic()
        runner = execute(Path(name))
        print(f"executed {name} in {time.monotonic() - start:.1f} s, slowest cell "
              f"{max(runner.durations, default=0):.1f} s", flush=True)
