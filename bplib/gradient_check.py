"""Gradient checking: backpropagation against central differences (chapter 2).

A numerical gradient costs two loss evaluations per parameter, far too
slow to train with, but it needs no calculus, so it catches the bugs that
calculus lets through. The report says, layer by layer, how far the two
disagree: over the whole array (a norm) and at the worst single entry (the
per-element relative error of Stanford's CS231n notes), judged in CS231n's
bands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import _checks
from .network import Params, _forward_batch, backprop_batch, backpropagation

__all__ = ["numerical_gradient", "step_size_errors", "relative_error",
           "entry_error", "verdict", "gradcheck", "GradcheckReport", "GradcheckRow"]

#: the finite-difference schemes numerical_gradient knows
SCHEMES = ("central", "forward")

#: upper bounds of relative error and what they usually mean (CS231n)
BANDS = ((1e-7, "good"), (1e-4, "acceptable near kinks"),
         (1e-2, "suspect"), (np.inf, "wrong"))

#: entries below this size in both gradients are compared absolutely: central
#: differences carry about 1e-10 of noise, which would swamp a tinier entry
ENTRY_FLOOR = 1e-6


def numerical_gradient(f: Callable[[], float], arrays: list[np.ndarray],
                       h: float = 1e-5, *,
                       scheme: str = "central") -> list[np.ndarray]:
    """(f(θ + h) − f(θ − h)) / 2h for every entry θ of every array.

    f takes no arguments and reads `arrays`, whose entries are perturbed in
    place one at a time and restored. The error is O(h²); with
    scheme="forward", the one-sided (f(θ + h) − f(θ)) / h, it is O(h)
    (chapter 2; both in the appendix "Gradient checking in depth").
    """
    h = _checks.positive_real(h, "h")
    _checks.choice(scheme, SCHEMES, "scheme")
    _checks.float_arrays(arrays, "arrays")
    # Forward differences need f at θ itself: one evaluation serves all.
    f_here = f() if scheme == "forward" else None
    grads = []
    for array in arrays:
        grad = np.zeros(array.shape)
        for i in np.ndindex(array.shape):
            saved = array[i]
            array[i] = saved + h
            f_plus = f()
            if scheme == "central":
                array[i] = saved - h
                grad[i] = (f_plus - f()) / (2 * h)
            else:
                grad[i] = (f_plus - f_here) / h
            array[i] = saved
        grads.append(grad)
    return grads


def step_size_errors(f: Callable[[], float], arrays: list[np.ndarray],
                     exact: list[np.ndarray], steps, *,
                     scheme: str = "central") -> np.ndarray:
    """The relative error of `numerical_gradient` at each step h in `steps`.

    `exact` holds the true gradient of f, one array per array in `arrays`
    (from backpropagation, say); the error is measured over all of them at
    once. Too large an h leaves truncation error, O(h²) for "central" and
    O(h) for "forward"; too small an h leaves round-off, about ε/h. The
    sweep shows both (the appendix "Gradient checking in depth").
    """
    _checks.choice(scheme, SCHEMES, "scheme")
    steps = _checks.step_sizes(exact, arrays, steps)
    analytic = np.concatenate([np.ravel(g) for g in exact])
    errors = []
    for h in steps:
        numeric = numerical_gradient(f, arrays, float(h), scheme=scheme)
        errors.append(relative_error(
            analytic, np.concatenate([g.ravel() for g in numeric])))
    return np.array(errors)


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """‖g − n‖ / max(‖g‖, ‖n‖): the relative error of a whole array, a norm.

    CS231n's per-entry formula applied to the arrays' norms; an error confined
    to small entries can hide in it (`entry_error` does not). 0 when both
    are 0 (chapter 2).
    """
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    if scale == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / scale)


def entry_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """max over entries of `abs(g - n) / max(abs(g), abs(n))`: CS231n's
    relative error, at the worst entry.

    Entries smaller than ENTRY_FLOOR in both are measured against the floor
    instead, so that finite-difference noise in a near-zero entry is not
    mistaken for a bug (chapter 2; the appendix "Gradient checking in
    depth" shows what it catches).
    """
    g, n = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    if g.size == 0:
        return 0.0
    scale = np.maximum(np.maximum(np.abs(g), np.abs(n)), ENTRY_FLOOR)
    return float(np.max(np.abs(g - n) / scale))


def verdict(error: float) -> str:
    """The CS231n band: good, acceptable near kinks, suspect or wrong.

    NaN (a gradient with NaN in it) is "wrong" (chapter 2).
    """
    return next((name for bound, name in BANDS if error <= bound), "wrong")


@dataclass(frozen=True)
class GradcheckRow:
    """One parameter array: layer (the text's 1..L), "W" or "b", the error
    of the whole array (`relative_error`) and of its worst entry
    (`entry_error`)."""

    layer: int
    param: str
    shape: tuple
    error: float
    worst_entry: float

    @property
    def verdict(self) -> str:
        """The band of the array's error, but "wrong" when a single entry is
        (an error in small entries that the norm hides)."""
        if verdict(self.worst_entry) == "wrong":
            return "wrong"
        return verdict(self.error)


@dataclass(frozen=True)
class GradcheckReport:
    """The per-layer result of `gradcheck`, printed as a table (chapter 2)."""

    rows: list[GradcheckRow]

    @property
    def max_error(self) -> float:
        """The largest error; NaN if any error is NaN (max() would skip it)."""
        return float(np.max([row.error for row in self.rows]))

    @property
    def worst(self) -> GradcheckRow:
        """The row with the largest error: where to look first for a bug."""
        return max(self.rows, key=lambda row: np.nan_to_num(row.error,
                                                            nan=np.inf))

    @property
    def ok(self) -> bool:
        """Every array's error at most 1e-4, the most CS231n calls
        acceptable, and no entry wrong."""
        return self.max_error <= 1e-4 and all(row.verdict != "wrong" for row in self.rows)

    def __str__(self) -> str:
        # A good row's error is the check's own (rounding, truncation), and
        # its digits differ from one CPU to another: print only the band,
        # so the table reads the same on every machine. row.error is exact.
        def shown(error, bound):
            return f"≤ {bound:.0e}" if error <= bound else f"{error:.1e}"

        # A fine entry's error is noise too, at a larger scale (small entries).
        lines = ["layer  param  shape      relative error  worst entry  verdict"]
        for row in self.rows:
            lines.append(f"{row.layer:>5}  {row.param:<5}  "
                         f"{str(row.shape):<9}  {shown(row.error, BANDS[0][0]):>14}  "
                         f"{shown(row.worst_entry, BANDS[1][0]):>11}  {row.verdict}")
        return "\n".join(lines)


def gradcheck(x, y, W: Params, b: Params, activations, loss, *,
              backprop: Callable | None = None,
              h: float = 1e-5) -> GradcheckReport:
    """backprop's gradients against central differences, per layer.

    x, y: one sample (1-D), or a batch (2-D) whose loss is the mean.
    backprop(x, y, W, b, activations, loss) -> (dW, db) is by default
    `backpropagation`, or `backprop_batch` for a batch; pass your own to
    check it. W and b are copied, never changed (chapter 2).
    """
    W, b = _checks.params(W, b)
    W, b = [W_l.copy() for W_l in W], [b_l.copy() for b_l in b]
    sigma = _checks.activations(activations, len(W))
    the_loss = _checks.loss(loss, sigma[-1])
    X, Y, batched = _checks.sample_or_batch(x, y, W, the_loss)
    if backprop is None:
        backprop = backprop_batch if batched else backpropagation
    dW, db = backprop(X, Y, W, b, activations, loss)

    X, Y = np.atleast_2d(X), np.atleast_2d(Y)

    def mean_loss():
        output = _forward_batch(X, W, b, sigma)[0][-1]
        return the_loss.mean(output, Y)

    numeric = {"W": numerical_gradient(mean_loss, W, h),
               "b": numerical_gradient(mean_loss, b, h)}
    analytic = {"W": dW, "b": db}
    rows = []
    for l in range(len(W)):
        for param in ("W", "b"):
            g, n = np.asarray(analytic[param][l]), numeric[param][l]
            _checks.returned_gradient(g, n, param, l)
            rows.append(GradcheckRow(l + 1, param, n.shape, relative_error(g, n),
                                     entry_error(g, n)))
    return GradcheckReport(rows)
