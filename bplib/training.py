"""The source text's training loop (chapter 3).

Initialise; then, every epoch, shuffle, cut into mini-batches, average each
batch's gradient and take a gradient-descent step. Two methods compute the
batch's mean gradient. "per_sample" is the text's loop word for word: call
`backpropagation` on every sample, accumulate, divide. "batched" does the
same arithmetic as a few matrix products (`backprop_batch`). They agree to
rounding error (asserted in the tests): the first is the reference, the
second is what you run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import _checks
from .diagnostics import TrainingStep, layer_io
from .network import (INIT_SCHEMES, Params, _backprop_batch,
                      _float_dtype, _forward_batch, backpropagation,
                      init_params)

__all__ = ["train", "History", "TrainingDiverged", "clip_by_norm"]

METHODS = ("batched", "per_sample")


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite at `epoch`, `batch` (from 1).

    Chapter 3 provokes it with too large a learning rate.

    `history` holds what was measured up to the last finite epoch.
    """

    def __init__(self, message: str, epoch: int, batch: int,
                 history: History):
        super().__init__(message)
        self.epoch, self.batch, self.history = epoch, batch, history


@dataclass
class History:
    """What `train` measured: entry 0 is before training, k after epoch k.

    Chapter 3 plots these learning curves.

    loss, val_loss: the mean loss over the training and validation set;
    metric, val_metric: metric(Y, Ŷ) on the same sets. A list whose data
    or metric was not given stays empty.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> list[int]:
        return list(range(len(self.loss)))


def clip_by_norm(dW: Params, db: Params,
                 max_norm: float) -> tuple[Params, Params]:
    """The source text's g ← min(‖g‖, max_norm) · g/‖g‖ (chapter 8).

    g is every gradient of dW and db taken together as one vector, so
    clipping shortens it without turning it.
    """
    norm = _global_norm(dW + db)
    if norm <= max_norm:
        return dW, db
    scale = max_norm / norm
    return [g * scale for g in dW], [g * scale for g in db]


def _global_norm(arrays: Params) -> float:
    """‖g‖ over all arrays as one vector, without overflow in the squares."""
    largest = max(float(np.max(np.abs(g))) for g in arrays)
    if largest == 0 or not np.isfinite(largest):
        return largest
    # Squaring 1e200 overflows; squaring entries scaled into [-1, 1] cannot.
    return largest * float(np.sqrt(sum(np.sum((g / largest) ** 2)
                                       for g in arrays)))


def _mean_gradient_per_sample(X, Y, W, b, sigma, loss):
    """The text's inner loop: backpropagate each sample, sum, average."""
    dW_total = [np.zeros_like(W_l) for W_l in W]
    db_total = [np.zeros_like(b_l) for b_l in b]
    for x, y in zip(X, Y):
        dW, db = backpropagation(x, y, W, b, sigma, loss)
        for l in range(len(W)):
            dW_total[l] += dW[l]
            db_total[l] += db[l]
    # Divide by the batch's true size, not batch_size as the text does:
    # a last, partial batch would otherwise take too small a step.
    n = len(X)
    output = _forward_batch(X, W, b, sigma)[0][-1]
    return [g / n for g in dW_total], [g / n for g in db_total], output


def train(X, Y, architecture: list[int], learning_rate: float,
          n_epochs: int, batch_size: int, *, activations, loss, rng=None,
          init: str = "he", method: str = "batched",
          clip_norm: float | None = None,
          validation_data: tuple | None = None,
          metric: Callable | None = None, dtype=np.float64,
          record: bool = True, batch_norm=None, residual=None,
          callback: Callable | None = None
          ) -> tuple[Params, Params, History]:
    """Train a network by mini-batch gradient descent (chapter 3).

    X: (n_samples, n_0); Y: (n_samples, n_L); architecture: [n_0, ..., n_L].
    activations: a name or Activation per layer, or one for every layer.
    loss: "mse", "bce", "cce" or a Loss. rng: seeds the initialisation
    (`init`, see init_params) and the shuffles. method: "batched" or
    "per_sample", with the same result. clip_norm: clip each batch's
    gradient to this norm. validation_data: (X_val, Y_val). metric: a
    function metric(Y, Y_hat) -> float, recorded for both sets.
    dtype: the float type of the parameters and of every computation,
    float64 or float32 (chapter 7); X and Y are converted to it once.
    record: False skips the History's passes over the whole data sets
    (its lists stay empty), to time the training alone (chapter 7).
    batch_norm, residual: per-layer options (see bplib.deep.layer_flags;
    chapter 8), trained by bplib.deep.train_deep. callback: called with a
    TrainingStep before each step (e.g. a bplib.diagnostics.Diagnostics).

    Returns W, b and a History. Raises TrainingDiverged, naming the epoch
    and batch, when a batch's loss becomes NaN or infinite.
    """
    if batch_norm is not None or residual is not None:
        arguments = dict(locals())      # every argument, as given
        from .deep import train_deep    # here: deep.py imports this module
        return train_deep(**arguments)
    sizes = _checks.architecture(architecture)
    learning_rate, n_epochs, batch_size, clip_norm = _loop_options(
        learning_rate, n_epochs, batch_size, clip_norm, init, metric,
        callback)
    _checks.choice(method, METHODS, "method")
    dtype = _float_dtype(dtype)
    sigma = _checks.activations(activations, len(sizes) - 1)
    loss = _checks.loss(loss, sigma[-1])
    X, Y = _data(X, Y, loss, sizes, "X", "Y", dtype)
    history = History()
    sets = [(X, Y, history.loss, history.metric)]
    if validation_data is not None:
        X_val, Y_val = _validation_data(validation_data, loss, sizes, dtype)
        sets.append((X_val, Y_val, history.val_loss, history.val_metric))
    if not record:
        sets = []
    rng = np.random.default_rng(rng)

    W, b = init_params(sizes, init, rng,          # 1. initialise
                       dtype=dtype)
    _record(sets, W, b, sigma, loss, metric)
    mean_gradient = (_mean_gradient_per_sample if method == "per_sample"
                     else _backprop_batch)
    n_batches = -(-len(X) // batch_size)         # the last may be partial
    divergence = _Divergence(history, n_batches, learning_rate)

    # A diverging run overflows on its way to inf. Rather than a numpy
    # warning from deep inside, the checks below say where it happened.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, n_epochs + 1):      # 2. the training loop
            order = rng.permutation(len(X))       # shuffle(X, Y)
            for k in range(n_batches):
                batch = order[k * batch_size:(k + 1) * batch_size]
                X_batch, Y_batch = X[batch], Y[batch]
                dW, db, output = mean_gradient(X_batch, Y_batch, W, b,
                                               sigma, loss)
                divergence.check_batch(loss.mean(output, Y_batch),
                                       epoch, k + 1)
                if clip_norm is not None:
                    dW, db = clip_by_norm(dW, db, clip_norm)
                if callback is not None:
                    callback(TrainingStep(
                        epoch, k + 1, learning_rate, W, b, dW, db, sigma,
                        lambda Xb=X_batch: layer_io(Xb, W, b, sigma)))
                for l in range(len(W)):           # gradient descent step
                    # In place: the gradients are ours to overwrite, so
                    # the step makes no temporary as large as W[l].
                    dW[l] *= learning_rate
                    db[l] *= learning_rate
                    W[l] -= dW[l]
                    b[l] -= db[l]
            _record(sets, W, b, sigma, loss, metric)
            divergence.check_epoch(epoch)
    return W, b, history                          # 3. return W, b


def _loop_options(learning_rate, n_epochs, batch_size, clip_norm, init,
                  metric, callback):
    """The training loop's options checked, each error naming its argument
    (shared by `train` and `bplib.deep.train_deep`)."""
    learning_rate = _checks.positive_real(learning_rate, "learning_rate")
    n_epochs = _checks.positive_int(n_epochs, "n_epochs", minimum=0)
    batch_size = _checks.positive_int(batch_size, "batch_size")
    if clip_norm is not None:
        clip_norm = _checks.positive_real(clip_norm, "clip_norm")
    _checks.choice(init, INIT_SCHEMES, "init")
    if metric is not None and not callable(metric):
        raise TypeError("metric: expected a function metric(Y, Y_hat), got "
                        f"{type(metric).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError("callback: expected a function callback(step), got "
                        f"{type(callback).__name__}")
    return learning_rate, n_epochs, batch_size, clip_norm


class _Divergence:
    """Raises TrainingDiverged, saying where, once a loss is not finite."""

    def __init__(self, history: History, n_batches: int,
                 learning_rate: float):
        self.history, self.n_batches = history, n_batches
        self.learning_rate = learning_rate

    def check_batch(self, batch_loss: float, epoch: int, batch: int):
        if not np.isfinite(batch_loss):
            raise self._error(batch_loss, epoch, batch, "at")

    def check_epoch(self, epoch: int):
        """After the epoch's losses are recorded (if they are at all)."""
        h = self.history
        if h.loss and not np.isfinite(h.loss[-1]):
            value = h.loss[-1]
            for values in (h.loss, h.val_loss, h.metric, h.val_metric):
                del values[epoch:]                # keep the finite epochs
            raise self._error(value, epoch, self.n_batches,
                              "after the step of")

    def _error(self, value, epoch, batch, when):
        return TrainingDiverged(
            f"training diverged: the loss became {value} {when} epoch "
            f"{epoch}, batch {batch} of {self.n_batches} (learning_rate="
            f"{self.learning_rate:g}); try a lower learning_rate or set "
            "clip_norm", epoch, batch, self.history)


def _record(sets, W, b, sigma, loss, metric):
    """Append the current loss (and metric) on each data set to its list."""
    for X, Y, losses, metrics in sets:
        output = _forward_batch(X, W, b, sigma)[0][-1]
        losses.append(loss.mean(output, Y))
        if metric is not None:
            metrics.append(float(metric(Y, output)))


def _validation_data(pair, loss, sizes, dtype):
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
        raise TypeError("validation_data: expected a pair (X_val, Y_val), "
                        f"got {type(pair).__name__}")
    return _data(*pair, loss, sizes,
                 "validation_data[0]", "validation_data[1]", dtype)


def _data(X, Y, loss, sizes, x_name, y_name, dtype):
    """X and Y checked against the architecture (named in any error),
    as arrays of `dtype` (no copy when they already are)."""
    X = _checks.as_array(X, x_name, ndim=2)
    if X.shape[1] != sizes[0]:
        raise ValueError(f"{x_name}: expected {sizes[0]} columns to match "
                         f"architecture[0] = {sizes[0]}, got shape {X.shape}")
    if len(X) == 0:
        raise ValueError(f"{x_name}: expected at least one sample, "
                         f"got shape {X.shape}")
    Y = _checks.as_array(Y, y_name, ndim=2)
    if Y.shape != (len(X), sizes[-1]):
        raise ValueError(
            f"{y_name}: expected shape {(len(X), sizes[-1])}, a row per "
            f"sample of {x_name} and architecture[-1] = {sizes[-1]} "
            f"columns, got {Y.shape}")
    loss.check_targets(Y, y_name)
    return X.astype(dtype, copy=False), Y.astype(dtype, copy=False)
