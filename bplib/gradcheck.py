"""Gradient checking: backpropagation's gradients against central differences (chapter 2).

A numerical gradient needs two loss evaluations per parameter, far too slow to train with, but it needs
no calculus, so it catches the bugs calculus lets through. The report says, layer by layer, how far
the two disagree, in the bands of Stanford's CS231n notes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import _checks
from .network import Params, _forward_batch, backprop_batch, backpropagation

__all__ = ["numerical_gradient", "relative_error", "verdict", "gradcheck", "GradcheckReport", "GradcheckRow"]

#: upper bounds of relative error and what they usually mean (CS231n, "Gradient checks")
BANDS = ((1e-7, "good"), (1e-4, "acceptable near kinks"), (1e-2, "suspect"), (np.inf, "wrong"))


def numerical_gradient(f: Callable[[], float], arrays: list[np.ndarray], h: float = 1e-5) -> list[np.ndarray]:
    """(f(θ + h) − f(θ − h)) / 2h for every entry θ of every array in `arrays`.

    f takes no arguments and reads the arrays, whose entries are perturbed in place one at a time and
    restored. Central differences have error O(h²); one-sided ones only O(h).
    """
    h = _checks.positive_real(h, "h")
    grads = []
    for array in arrays:
        grad = np.zeros(array.shape)
        for i in np.ndindex(array.shape):
            saved = array[i]
            array[i] = saved + h
            f_plus = f()
            array[i] = saved - h
            f_minus = f()
            array[i] = saved
            grad[i] = (f_plus - f_minus) / (2 * h)
        grads.append(grad)
    return grads


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """‖g − n‖ / max(‖g‖, ‖n‖), CS231n's relative error taken over a whole array; 0 when both are 0."""
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


def verdict(error: float) -> str:
    """The CS231n band of a relative error: good, acceptable near kinks, suspect, or wrong."""
    return next(name for bound, name in BANDS if error <= bound)


@dataclass(frozen=True)
class GradcheckRow:
    """One parameter array: its layer in the text's numbering (1..L), "W" or "b", and the relative error."""

    layer: int
    param: str
    shape: tuple
    error: float

    @property
    def verdict(self) -> str:
        return verdict(self.error)


@dataclass(frozen=True)
class GradcheckReport:
    """The per-layer result of `gradcheck`; print it for a table."""

    rows: list[GradcheckRow]

    @property
    def max_error(self) -> float:
        return max(row.error for row in self.rows)

    @property
    def worst(self) -> GradcheckRow:
        """The row with the largest error: where to look first for a bug."""
        return max(self.rows, key=lambda row: row.error)

    @property
    def ok(self) -> bool:
        """True if every error is at most 1e-4, the largest CS231n calls acceptable."""
        return self.max_error <= 1e-4

    def __str__(self) -> str:
        lines = ["layer  param  shape       relative error  verdict"]
        for row in self.rows:
            lines.append(f"{row.layer:>5}  {row.param:<5}  {str(row.shape):<10}  {row.error:>14.1e}  {row.verdict}")
        return "\n".join(lines)


def gradcheck(x, y, W: Params, b: Params, activations, loss, *, backprop: Callable | None = None,
              h: float = 1e-5) -> GradcheckReport:
    """Compare `backprop`'s gradients with central differences, one row per parameter array (chapter 2).

    x, y: one sample (1-D) or a batch (2-D, whose loss is the mean). backprop(x, y, W, b, activations,
    loss) -> (dW, db) defaults to `backpropagation` or `backprop_batch` to match; pass your own
    implementation to check it. W and b are copied, never changed.
    """
    W, b = _checks.params(W, b)
    W, b = [W_l.copy() for W_l in W], [b_l.copy() for b_l in b]
    sigma = _checks.activations(activations, len(W))
    the_loss = _checks.loss(loss, sigma[-1])
    batched = np.ndim(x) == 2
    if backprop is None:
        backprop = backprop_batch if batched else backpropagation
    dW, db = backprop(x, y, W, b, activations, loss)

    X = np.atleast_2d(_checks.inputs(x, W, "x", ndim=2 if batched else 1))
    Y = np.atleast_2d(_checks.targets(y, W, the_loss, "y", n_samples=len(X) if batched else None))

    def mean_loss():
        return float(np.mean(the_loss.value(_forward_batch(X, W, b, sigma)[0][-1], Y)))

    num_W = numerical_gradient(mean_loss, W, h)
    num_b = numerical_gradient(mean_loss, b, h)
    rows = []
    for l in range(len(W)):
        for param, analytic, numeric in (("W", dW[l], num_W[l]), ("b", db[l], num_b[l])):
            if np.shape(analytic) != numeric.shape:
                raise ValueError(f"backprop: returned d{param}[{l}] of shape {np.shape(analytic)}, expected "
                                 f"{numeric.shape} like {param}[{l}] (layer {l + 1})")
            rows.append(GradcheckRow(l + 1, param, numeric.shape, relative_error(np.asarray(analytic), numeric)))
    return GradcheckReport(rows)
