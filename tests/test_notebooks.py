"""A fast structural check of the committed book (nbval re-runs the notebooks; this does not):
every chapter notebook is in the table of contents, was executed top to bottom in one fresh kernel,
holds no error output, and names the python3 kernel."""

import json
import posixpath
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
TOC = ROOT / "_toc.yml"
NOTEBOOKS = sorted(
    path for path in BOOK.rglob("*.ipynb")
    if not any(part.startswith((".", "_")) for part in path.relative_to(BOOK).parts)  # checkpoints, _build
)


def toc_entries(node) -> set[str]:
    """Every `file:` and `root:` in the table of contents, relative to the repository, without extension."""
    found = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root") and isinstance(value, str):
                found.add(posixpath.splitext(posixpath.normpath(value))[0])
            else:
                found |= toc_entries(value)
    elif isinstance(node, list):
        for item in node:
            found |= toc_entries(item)
    return found


def toc() -> set[str]:
    assert TOC.exists(), f"{TOC.name} is missing: Jupyter Book needs it at the repository root"
    return toc_entries(yaml.safe_load(TOC.read_text()))


def code_cells(path: Path) -> list[dict]:
    return [cell for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"]


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_book_has_chapter_notebooks():
    assert NOTEBOOKS, f"no notebooks in {BOOK}: the book has no chapters yet"


def test_every_file_in_the_toc_exists():
    for entry in toc():
        candidates = [ROOT / (entry + suffix) for suffix in (".ipynb", ".md")]
        assert any(path.exists() for path in candidates), \
            f"_toc.yml names {entry!r}, which is neither .ipynb nor .md"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_listed_in_the_toc(path):
    entry = path.relative_to(ROOT).with_suffix("").as_posix()
    assert entry in toc(), f"{entry} is not in _toc.yml, so the book would not show it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_was_executed_top_to_bottom(path):
    # nbclient leaves blank code cells unexecuted; every other one must be numbered 1, 2, ..., n
    counts = [cell.get("execution_count") for cell in code_cells(path) if source(cell).strip()]
    assert counts == list(range(1, len(counts) + 1)), \
        f"execution counts {counts}: re-run the notebook from a fresh kernel"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_has_no_error_output(path):
    errors = [(i, output.get("ename"), output.get("evalue")) for i, cell in enumerate(code_cells(path))
              for output in cell.get("outputs", []) if output["output_type"] == "error"]
    assert not errors, f"code cells with an error output (index, name, value): {errors}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_runs_on_the_python3_kernel(path):
    kernelspec = json.loads(path.read_text())["metadata"].get("kernelspec", {})
    assert kernelspec.get("name") == "python3", f"kernelspec {kernelspec}"
