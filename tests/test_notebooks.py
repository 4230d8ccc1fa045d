"""A fast structural check of the committed book (nbval re-runs the notebooks; this does not):
every chapter notebook is in the table of contents, was executed top to bottom in one fresh kernel,
holds no error output, and names the python3 kernel."""

import json
import re
from pathlib import Path

import pytest

from support import ROOT, toc_files

BOOK = ROOT / "book"
NOTEBOOKS = sorted(
    path for path in BOOK.rglob("*.ipynb")
    # checkpoints, _build
    if not any(part.startswith((".", "_")) for part in path.relative_to(BOOK).parts)
)


def code_cells(path: Path) -> list[dict]:
    return [cell for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"]


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_book_has_chapter_notebooks():
    assert NOTEBOOKS, f"no notebooks in {BOOK}: the book has no chapters yet"


def test_every_file_in_the_toc_exists():
    for entry in toc_files():
        candidates = [ROOT / (entry + suffix) for suffix in (".ipynb", ".md")]
        assert any(path.exists() for path in candidates), \
            f"_toc.yml names {entry!r}, which is neither .ipynb nor .md"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_listed_in_the_toc(path):
    entry = path.relative_to(ROOT).with_suffix("").as_posix()
    assert entry in toc_files(), f"{entry} is not in _toc.yml, so the book would not show it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_was_executed_top_to_bottom(path):
    # nbclient leaves blank code cells unexecuted; every other one must be numbered 1, 2, ..., n
    counts = [cell.get("execution_count") for cell in code_cells(path) if source(cell).strip()]
    assert counts == list(range(1, len(counts) + 1)), \
        f"execution counts {counts}: re-run the notebook from a fresh kernel"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_has_no_error_output(path):
    errors = [(i, output.get("ename"), output.get("evalue"))
              for i, cell in enumerate(code_cells(path))
              for output in cell.get("outputs", []) if output["output_type"] == "error"]
    assert not errors, f"code cells with an error output (index, name, value): {errors}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_runs_on_the_python3_kernel(path):
    kernelspec = json.loads(path.read_text())["metadata"].get("kernelspec", {})
    assert kernelspec.get("name") == "python3", f"kernelspec {kernelspec}"


def markdown(path: Path) -> str:
    return "\n".join(source(cell) for cell in json.loads(path.read_text())["cells"]
                     if cell["cell_type"] == "markdown")


CHAPTERS = [path for path in NOTEBOOKS if path.name[:2].isdigit()]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_chapter_has_exercises_each_with_a_solution(path):
    # sphinx-exercise's gated form: {solution-start} label ... code cells ... {solution-end}
    text = markdown(path)
    exercises = re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", text)
    solutions = re.findall(r"```\{solution-start\} (\S+)", text)
    assert len(exercises) >= 3, f"{len(exercises)} exercises; every chapter has at least 3"
    assert solutions == exercises, f"exercises {exercises} but solutions to {solutions}"
    assert text.count("```{solution-end}") == len(solutions), "a {solution-start} is never closed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_carries_no_widget_state_or_views(path):
    # Both need a kernel the book does not have; saved state would also make myst-nb fetch the
    # widget runtime from a CDN. tools/execute_notebooks.py drops them after running.
    notebook = json.loads(path.read_text())
    assert "widgets" not in notebook["metadata"]
    views = [i for i, cell in enumerate(code_cells(path)) for out in cell.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in out.get("data", {})]
    assert not views, f"code cells {views} hold widget views"


def figures(path: Path):
    """(cell index, the cell's mystnb metadata) for every code cell whose output is an image."""
    for i, cell in enumerate(code_cells(path)):
        if any(key.startswith("image/") for out in cell.get("outputs", [])
               for key in out.get("data", {})):
            yield i, cell.get("metadata", {}).get("mystnb", {})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_figure_has_a_caption_and_alt_text(path):
    # myst-nb renders both from the cell's metadata: mystnb.figure.caption under the figure, and
    # mystnb.image.alt for a reader who cannot see it (without it the alt text is a file path).
    for i, meta in figures(path):
        caption = meta.get("figure", {}).get("caption", "")
        alt = meta.get("image", {}).get("alt", "")
        where = f"code cell {i}"
        assert len(caption.split()) >= 5, f"{where}: a caption saying what to see, please"
        assert len(alt.split()) >= 12, f"{where}: alt text describing the figure, please"
        assert alt.strip() != caption.strip(), f"{where}: the alt text only repeats the caption"
        assert not re.search(r"\.(png|svg|jpe?g)\b", alt), f"{where}: alt text is a file name"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_cell_shows_at_most_one_figure(path):
    # A caption and alt text belong to one image: a cell with two would give both the same.
    for i, cell in enumerate(code_cells(path)):
        images = [out for out in cell.get("outputs", [])
                  if any(key.startswith("image/") for key in out.get("data", {}))]
        assert len(images) <= 1, f"code cell {i} shows {len(images)} figures"


def test_each_library_function_is_shown_once_in_the_book():
    # Say each thing once: a later chapter links back to the listing instead of repeating it.
    shown: dict[str, list[str]] = {}
    for path in NOTEBOOKS:
        for cell in code_cells(path):
            for name in re.findall(r"show_source\(\s*([\w.]+)\s*\)", source(cell)):
                shown.setdefault(name, []).append(path.stem)
    assert shown, "no show_source call found: is the pattern still right?"
    twice = {name: where for name, where in shown.items() if len(where) > 1}
    assert not twice, f"shown more than once: {twice}"
