"""Numerical references, hypothesis strategies, random networks and the book's table of contents,
for the tests.

Test modules import these with `from support import ...`. Nothing here computes an expected value
with bplib: the references are central differences, sympy, or arithmetic written out in the test.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from hypothesis import strategies as st

import bplib as bp

# ---------------------------------------------------------------- activations and losses under test
ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "identity"]
HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "elu"]
#: output activation and loss pairings a network can sensibly be trained with
OUTPUT_LOSS = [("identity", "mse"), ("sigmoid", "bce"), ("softmax", "cce"), ("sigmoid", "mse"),
               ("tanh", "mse")]
#: activations whose derivative jumps at 0: central differences across the kink are meaningless
KINKED = {"relu", "leaky_relu"}


# ---------------------------------------------------------------- numerical references
def central_derivative(f, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Element-wise (f(z + h) − f(z − h)) / 2h for an element-wise f."""
    return (f(z + h) - f(z - h)) / (2 * h)


def central_jacobian(f, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """J[i, j] = ∂f_i/∂z_j by central differences; for a scalar f, the gradient (flattened, z.size
    entries)."""
    z = np.asarray(z, dtype=float)
    columns = []
    for j in range(z.size):
        step = np.zeros_like(z)
        step.flat[j] = h
        columns.append((np.asarray(f(z + step)) - np.asarray(f(z - step))) / (2 * h))
    return np.stack(columns, axis=-1)


def central_gradient(f, arrays: list[np.ndarray], h: float = 1e-5) -> list[np.ndarray]:
    """central_jacobian of the scalar f() over each array in turn. f reads the arrays, so each one
    is set in place to the point central_jacobian asks for, and restored after."""
    def over(array):
        saved = array.copy()

        def f_at(values):
            array[...] = values
            try:
                return f()
            finally:
                array[...] = saved
        return central_jacobian(f_at, saved, h).reshape(array.shape)
    return [over(array) for array in arrays]


#: How far above ε·scale/h, the rounding of one evaluation of the loss, an entry of a central
#: difference may stray from a correct gradient: a loss computed through several layers and a batch
#: rounds several times. Measured over thousands of random examples of the network, deep and
#: batch-norm tests, arrays that only rounding separates from the difference (a BN layer's b, whose
#: true gradient is 0) stray up to ~8 times; 100 leaves a wide margin and still fails a gradient 1 %
#: off whenever its norm exceeds ~2e-7·√size·scale.
ROUNDING_MARGIN = 100


def assert_gradients_match(f, arrays: list[np.ndarray], analytic: list[np.ndarray],
                           names: list[str], *, rtol: float = 1e-6, h: float = 1e-5,
                           scale: float | None = None, context: str = "") -> None:
    """Each analytic gradient array equals the central difference n of the scalar f() over its
    parameter array, up to what the difference itself cannot resolve:
    ‖g − n‖ ≤ max(relative, rounding) + truncation.

    - relative: rtol·max(‖g‖, ‖n‖), the test's own demand;
    - rounding: the loss is rounded to about ε·scale (scale: the magnitude of the terms f sums, by
      default max(1, |f()|), right when they share a sign), which shifts every entry of n by about
      ε·scale/h whatever the gradient. An array near that size shows any relative error on a correct
      library (a 2e-5 entry off by 1e-5 relative in a 4-layer sigmoid network), so there
      ROUNDING_MARGIN·ε·scale/h·√size takes over: the array is still checked, to what the difference
      resolves, never skipped;
    - truncation: n is off by O(h²), which a BN layer with a batch variance near its ε makes as
      large as a few 1e-4 relative at h = 1e-5. n at 2h is off by 4 times as much, so
      ‖n(2h) − n(h)‖ is about 3 times the truncation of n(h): large only where f itself curves
      sharply, whatever the analytic gradient says.
    """
    if scale is None:
        scale = max(1.0, abs(float(f())))
    noise = np.finfo(float).eps * scale / h
    numeric, coarse = central_gradient(f, arrays, h), central_gradient(f, arrays, 2 * h)
    rows, failed = [], False
    for name, g, n, n2 in zip(names, analytic, numeric, coarse, strict=True):
        g = np.asarray(g, dtype=float)
        assert g.shape == n.shape, (f"{context}{name}: gradient of shape {g.shape}, "
                                    f"its parameter has {n.shape}")
        error, truncation = np.linalg.norm(g - n), np.linalg.norm(n2 - n)
        bound = max(rtol * max(np.linalg.norm(g), np.linalg.norm(n)),
                    ROUNDING_MARGIN * noise * np.sqrt(n.size)) + truncation
        failed |= not error <= bound
        rows.append(f"{name:>4} {str(n.shape):>8}  ‖g‖ {np.linalg.norm(g):.3e}  "
                    f"‖g − n‖ {error:.3e}  ‖n(2h) − n‖ {truncation:.3e}  "
                    f"bound {bound:.3e}{'' if error <= bound else '  <-- fails'}")
    assert not failed, f"{context}central differences n at h = {h:g}, " \
        f"rounding ≈ {noise:.1e} per entry\n" + "\n".join(rows)


def random_targets(rng: np.random.Generator, loss: str, n_samples: int, n_out: int) -> np.ndarray:
    """Targets a loss accepts: any reals for mse, values in [0, 1] for bce, one-hot rows for cce."""
    if loss == "mse":
        return rng.normal(size=(n_samples, n_out))
    if loss == "bce":
        return rng.uniform(0, 1, size=(n_samples, n_out))
    return np.eye(n_out)[rng.integers(n_out, size=n_samples)]


def random_params(rng: np.random.Generator, sizes: list[int], bias_std: float = 0.5):
    """Moderate weights (std 1/√n_in) and biases, so that no sigmoid or tanh saturates."""
    W = [rng.normal(0, 1 / np.sqrt(n_in), size=(n_out, n_in))
         for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    b = [rng.normal(0, bias_std, size=n_out) for n_out in sizes[1:]]
    return W, b


# ---------------------------------------------------------------- a random network with data
@dataclass
class Net:
    """A network, its activation names and loss, and a batch X, Y it can be trained on."""

    sizes: list[int]
    W: list[np.ndarray]
    b: list[np.ndarray]
    activations: list[str]
    loss: str
    X: np.ndarray
    Y: np.ndarray

    def min_abs_hidden_z(self) -> float:
        """The smallest |z| of any kinked hidden unit over the batch (inf if there is none)."""
        _, Z = bp.forward_batch(self.X, self.W, self.b, self.activations)
        kinked = [np.abs(Z_l).min() for Z_l, act in zip(Z, self.activations) if act in KINKED]
        return min(kinked, default=np.inf)


@st.composite
def nets(draw, max_layers: int = 4, max_width: int = 8, max_samples: int = 1) -> Net:
    """A random architecture (1..max_layers layers, widths 1..max_width), hidden activation,
    sensible output/loss pairing, moderate parameters and 1..max_samples samples."""
    n_layers = draw(st.integers(1, max_layers))
    output, loss = draw(st.sampled_from(OUTPUT_LOSS))
    hidden = draw(st.sampled_from(HIDDEN))
    sizes = draw(st.lists(st.integers(1, max_width), min_size=n_layers, max_size=n_layers))
    # a single softmax unit always outputs 1: its gradient is identically zero, nothing to check
    sizes.append(draw(st.integers(2 if output == "softmax" else 1, max_width)))
    n_samples = draw(st.integers(1, max_samples))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    W, b = random_params(rng, sizes)
    X = rng.uniform(-1, 1, size=(n_samples, sizes[0]))
    Y = random_targets(rng, loss, n_samples, sizes[-1])
    return Net(sizes, W, b, [hidden] * (n_layers - 1) + [output], loss, X, Y)


# ---------------------------------------------------------------- the book's table of contents
ROOT = Path(__file__).resolve().parents[1]
TOC = ROOT / "_toc.yml"


def toc_entries(node) -> set[str]:
    """Every `file:` and `root:` in the table of contents, relative to the repository, without
    extension."""
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


def toc_files() -> set[str]:
    assert TOC.exists(), f"{TOC.name} is missing: Jupyter Book needs it at the repository root"
    return toc_entries(yaml.safe_load(TOC.read_text()))
