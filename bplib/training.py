"""The source text's training loop: initialise, then shuffle, mini-batch, average, update (chapter 3).

Two methods compute each batch's mean gradient. "per_sample" is the text's loop word for word: call
`backpropagation` on every sample, accumulate, divide. "batched" does the same arithmetic as a few
matrix products (`backprop_batch`). They agree to rounding error (asserted in tests), so the first
is the reference and the second is what you run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import _checks
from .network import Params, _backprop_batch, _forward_batch, backpropagation, init_params

__all__ = ["train", "History", "TrainingDiverged", "clip_by_norm"]

METHODS = ("batched", "per_sample")


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite; `epoch` and `batch` say where (both counted from 1)."""

    def __init__(self, message: str, epoch: int, batch: int):
        super().__init__(message)
        self.epoch, self.batch = epoch, batch


@dataclass
class History:
    """What `train` measured. Entry 0 is the untrained network; entry k is after epoch k.

    loss, val_loss: mean loss over the training / validation set; metric, val_metric: `metric(Y, Ŷ)`
    on the same sets. Lists whose data or metric was not given stay empty.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> list[int]:
        return list(range(len(self.loss)))


def clip_by_norm(dW: Params, db: Params, max_norm: float) -> tuple[Params, Params]:
    """The source text's clipping, g ← min(‖g‖, max_norm) · g/‖g‖, with g all gradients as one vector (chapter 8)."""
    norm = np.sqrt(sum(np.sum(g**2) for g in dW + db))
    if norm <= max_norm:
        return dW, db
    scale = max_norm / norm
    return [g * scale for g in dW], [g * scale for g in db]


def _mean_gradient_per_sample(X, Y, W, b, sigma, loss):
    """The text's inner loop: accumulate backpropagation over the batch, then average."""
    dW_total = [np.zeros_like(W_l) for W_l in W]
    db_total = [np.zeros_like(b_l) for b_l in b]
    for x, y in zip(X, Y):
        dW, db = backpropagation(x, y, W, b, sigma, loss)
        for l in range(len(W)):
            dW_total[l] += dW[l]
            db_total[l] += db[l]
    # Divide by the batch's true size: the text's batch_size would under-weight a last, partial batch.
    n = len(X)
    output = _forward_batch(X, W, b, sigma)[0][-1]
    return [g / n for g in dW_total], [g / n for g in db_total], output


def train(X, Y, architecture: list[int], learning_rate: float, n_epochs: int, batch_size: int, *,
          activations, loss, rng=None, init: str = "he", method: str = "batched",
          clip_norm: float | None = None, validation_data: tuple | None = None,
          metric: Callable[[np.ndarray, np.ndarray], float] | None = None) -> tuple[Params, Params, History]:
    """Train a network by mini-batch gradient descent, the source text's loop (chapter 3).

    X (n_samples, n_input), Y (n_samples, n_output); architecture [n_input, ..., n_output]; activations:
    one name or Activation per layer (or one for all); loss: "mse", "bce", "cce" or a Loss. rng seeds
    both the initialisation and the shuffles. method: "batched" or "per_sample" (same result).
    clip_norm: clip each batch's gradient to this global norm. validation_data: (X_val, Y_val).
    metric(Y, Ŷ) -> float is recorded for both sets. Returns W, b and a History.
    Raises TrainingDiverged, naming epoch and batch, if a batch loss becomes NaN or infinite.
    """
    sizes = _checks.architecture(architecture)
    learning_rate = _checks.positive_real(learning_rate, "learning_rate")
    n_epochs = _checks.positive_int(n_epochs, "n_epochs", minimum=0)
    batch_size = _checks.positive_int(batch_size, "batch_size")
    if clip_norm is not None:
        clip_norm = _checks.positive_real(clip_norm, "clip_norm")
    if method not in METHODS:
        raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
    if metric is not None and not callable(metric):
        raise TypeError(f"metric: expected a function metric(Y, Y_hat) -> float, got {type(metric).__name__}")

    rng = np.random.default_rng(rng)
    W, b = init_params(sizes, init, rng)                     # 1. initialise
    sigma = _checks.activations(activations, len(W))
    loss = _checks.loss(loss, sigma[-1])
    X, Y = _data(X, Y, loss, "X", "Y", sizes)
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise TypeError("validation_data: expected a pair (X_val, Y_val)")
        X_val, Y_val = _data(*validation_data, loss, "validation_data[0]", "validation_data[1]", sizes)

    history = History()
    sets = [(X, Y, history.loss, history.metric)]
    if validation_data is not None:
        sets.append((X_val, Y_val, history.val_loss, history.val_metric))

    def record():
        for X_set, Y_set, losses, metrics in sets:
            output = _forward_batch(X_set, W, b, sigma)[0][-1]
            losses.append(float(np.mean(loss.value(output, Y_set))))
            if metric is not None:
                metrics.append(float(metric(Y_set, output)))

    record()
    n = len(X)
    n_batches = -(-n // batch_size)
    for epoch in range(1, n_epochs + 1):                     # 2. the training loop
        order = rng.permutation(n)                           # shuffle(X, Y)
        for k in range(n_batches):
            batch = order[k * batch_size:(k + 1) * batch_size]
            # A diverging run overflows on its way to inf; the check below reports it with context instead.
            with np.errstate(over="ignore", invalid="ignore"):
                if method == "per_sample":
                    dW, db, output = _mean_gradient_per_sample(X[batch], Y[batch], W, b, sigma, loss)
                else:
                    dW, db, output = _backprop_batch(X[batch], Y[batch], W, b, sigma, loss)
                batch_loss = float(np.mean(loss.value(output, Y[batch])))
            if not np.isfinite(batch_loss):
                raise TrainingDiverged(
                    f"training diverged: the loss became {batch_loss} at epoch {epoch}, batch {k + 1} of "
                    f"{n_batches} (learning_rate={learning_rate:g}); try a lower learning_rate or set clip_norm",
                    epoch, k + 1)
            if clip_norm is not None:
                dW, db = clip_by_norm(dW, db, clip_norm)
            for l in range(len(W)):                          # gradient descent, in place
                W[l] -= learning_rate * dW[l]
                b[l] -= learning_rate * db[l]
        record()
    return W, b, history                                     # 3. return the trained parameters


def _data(X, Y, loss, x_name, y_name, sizes):
    """X and Y checked against the architecture, so that an error names it rather than W."""
    X = _checks.as_array(X, x_name, ndim=2)
    if X.shape[1] != sizes[0]:
        raise ValueError(f"{x_name}: expected {sizes[0]} columns to match architecture[0] = {sizes[0]}, "
                         f"got shape {X.shape}")
    if len(X) == 0:
        raise ValueError(f"{x_name}: expected at least one sample, got shape {X.shape}")
    Y = _checks.as_array(Y, y_name, ndim=2)
    if Y.shape != (len(X), sizes[-1]):
        raise ValueError(f"{y_name}: expected shape {(len(X), sizes[-1])}, one row per sample of {x_name} and "
                         f"architecture[-1] = {sizes[-1]} columns, got {Y.shape}")
    loss.check_targets(Y, y_name)
    return X, Y
