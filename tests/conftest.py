"""Hypothesis profiles and shared fixtures for bplib's tests (helpers live in support.py)."""

from __future__ import annotations

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
settings.register_profile(
    "ci", max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

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
    """The book, built strictly (-W -n) into a temporary folder: the HTML root."""
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", "--all", "-W", "-n", "--keep-going",
         "--path-output", str(out), str(ROOT)],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "_build" / "html"
