"""Hypothesis profiles and shared fixtures for bplib's tests (helpers live in support.py)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from support import ROOT, Net, random_params, random_targets

# ---------------------------------------------------------------- hypothesis profiles
# Modest example counts keep the suite fast; on CI (CI set) the examples are also derandomized, so a
# red build is reproducible from the log alone.
settings.register_profile(
    "dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# "fresh" (pytest --hypothesis-profile=fresh) draws new examples on every run and neither saves nor
# replays any from .hypothesis/: the way to check that a property holds for random examples, not for
# remembered ones.
settings.register_profile("fresh", settings.get_profile("dev"), database=None)
settings.register_profile(
    "ci", max_examples=40, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# ---------------------------------------------------------------- order
# The files that take longest, first: pytest-xdist hands out files in collection order (with
# --no-loadscope-reorder, in pyproject.toml), so one worker builds the book and runs the browser
# tests while the other runs JupyterLab's, and the notebooks and the rest fill in around them.
# Run last, they would leave one worker idle for the last minute or more.
SLOWEST_FIRST = ("tests/test_browser.py", "tests/test_jupyterlab.py", "tests/test_book_build.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return SLOWEST_FIRST.index(path) if path in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)  # stable: each file's own order is kept


# ---------------------------------------------------------------- fixtures
@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240601)


@pytest.fixture
def small_net() -> Net:
    """A fixed 3-4-2 network (tanh, sigmoid, bce) with five samples."""
    rng = np.random.default_rng(7)
    sizes = [3, 4, 2]
    W, b = random_params(rng, sizes)
    X = rng.uniform(-1, 1, size=(5, 3))
    return Net(sizes, W, b, ["tanh", "sigmoid"], "bce", X, random_targets(rng, "bce", 5, 2))


@pytest.fixture(scope="session")
def html(tmp_path_factory) -> Path:
    """The book, built strictly (-W -n) into a temporary folder: the HTML root.

    Built once per test run: pytest-xdist's workers share the parent of their temporary
    folders (that run's own), and the first to take the lock builds there for all of them.
    """
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "book"
    shared.mkdir(exist_ok=True)
    root = shared / "_build" / "html"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "built").exists():
            jupyter_book = Path(sys.executable).with_name("jupyter-book")
            result = subprocess.run(
                [str(jupyter_book), "build", "--all", "-W", "-n", "--keep-going",
                 "--path-output", str(shared), str(ROOT)],
                capture_output=True, text=True)
            (shared / "built").write_text(result.stdout[-3000:] + result.stderr[-3000:]
                                          if result.returncode else "")
        log = (shared / "built").read_text()
    assert not log, log
    return root
