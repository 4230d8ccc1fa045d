"""The source text's training loop (chapter 3).

Initialise; then, every epoch, shuffle, cut into mini-batches, average each
batch's gradient and take a gradient-descent step. `train` checks its input
once, builds the network and hands it to `_fit`, the package's one training
loop. The loop sees a network through a small interface, so chapters 1-3's
plain network (`bplib.network.PlainNet`) and chapter 8's deep one
(`bplib.deep.DeepNet`, with batch norm and skips) train alike:

.. code-block:: text

    W, b, activations      the weights, biases and σ of each layer
    params                 every trainable array in one flat list: W, b, then
                           any others (batch norm's γ and β)
    gradients(X, Y, loss)  the batch's mean gradient, like params; the output
    after_step()           after each step (batch norm's running statistics)
    predict(X)             the output, for the learning curves
    layer_io(X)            each activation's input and output (callbacks)

A plain network computes the batch's mean gradient in one of two ways.
"per_sample" is the text's loop word for word: backpropagate every sample,
accumulate, divide. "batched" does the same arithmetic as a few matrix
products. They agree to rounding error (asserted in the tests): the first
is the reference, the second is what you run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from . import _checks
from .activations import Activation
from .deep import _deep_net
from .network import INIT_SCHEMES, Params, PlainNet, _init_params

__all__ = ["train", "History", "TrainingStep", "TrainingDiverged",
           "clip_by_norm"]

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
    or metric was not given stays empty. net: the trained network, a
    PlainNet or (with batch_norm or residual) a DeepNet, whose γ, β and
    running statistics chapter 8 needs.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    net: object = field(default=None, repr=False, compare=False)

    @property
    def epochs(self) -> list[int]:
        return list(range(len(self.loss)))


@dataclass(frozen=True)
class TrainingStep:
    """What `train` hands its callback at each mini-batch (chapter 8).

    The gradients dW, db are the ones about to be applied (after any
    clipping), W and b the weights before the step. All four are the live
    arrays, which the step then changes in place (it scales dW by η and
    subtracts it from W), so copy what you keep. `layer_io()` runs the forward pass on this batch
    with the weights before the step (call it from the callback) and
    returns two lists, one per layer: the input s of each layer's
    activation σ and its output σ(s). It is a function so that a callback
    that does not need it costs nothing. With batch norm, dW and db leave
    out γ's and β's gradients, though clipping counts them.
    """

    epoch: int
    batch: int
    learning_rate: float
    W: Params
    b: Params
    dW: Params
    db: Params
    activations: list[Activation]
    layer_io: Callable[[], tuple[Params, Params]]


def clip_by_norm(grads: Params, max_norm: float) -> Params:
    """The source text's g ← min(‖g‖, max_norm) · g/‖g‖ (chapter 8).

    g is every array of `grads` taken together as one vector, so clipping
    shortens it without turning it. Returns a new list of new arrays when
    it clips, and the arrays of `grads` themselves when it need not.
    """
    grads = _checks.gradients(grads)
    max_norm = _checks.positive_real(max_norm, "max_norm")
    return _clip_by_norm(grads, max_norm)


def _clip_by_norm(grads: Params, max_norm: float) -> Params:
    """clip_by_norm on checked input: `grads` itself when short enough."""
    norm = _global_norm(grads)
    if norm <= max_norm:
        return grads
    return [g * (max_norm / norm) for g in grads]


def _global_norm(arrays: Params) -> float:
    """‖g‖ over all arrays as one vector, without overflow in the squares."""
    largest = max(float(np.max(np.abs(g))) for g in arrays)
    if largest == 0 or not np.isfinite(largest):
        return largest
    # Squaring 1e200 overflows; squaring entries scaled into [-1, 1] cannot.
    return largest * float(np.sqrt(sum(np.sum((g / largest) ** 2)
                                       for g in arrays)))


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
    chapter 8); a network with either trains batched, in float64. callback:
    called with a TrainingStep before each step (e.g. a
    bplib.diagnostics.Diagnostics).

    Returns W, b and a History. Raises TrainingDiverged, naming the epoch
    and batch, when a batch's loss becomes NaN or infinite.
    """
    sizes = _checks.architecture(architecture)
    loop = _Loop.checked(learning_rate, n_epochs, batch_size, clip_norm,
                         callback)
    _checks.choice(init, INIT_SCHEMES, "init")
    _checks.choice(method, METHODS, "method")
    _checks.function(metric, "metric", "metric(Y, Y_hat)")
    dtype = _checks.float_dtype(dtype)
    sigma = _checks.activations(activations, len(sizes) - 1)
    loss = _checks.loss(loss, sigma[-1])
    X, Y = _checks.data(X, Y, loss, sizes, dtype)
    val = (None if validation_data is None
           else _checks.validation_data(validation_data, loss, sizes, dtype))
    bn = _checks.layer_flags(batch_norm, sizes, "batch_norm")
    res = _checks.layer_flags(residual, sizes, "residual")
    deep = any(bn) or any(res)
    if deep:
        _checks.deep_training(bn, method, dtype, loop.batch_size, len(X))

    rng = np.random.default_rng(rng)
    W, b = _init_params(sizes, init, rng, dtype)  # 1. initialise
    net = (_deep_net(W, b, sigma, bn, res) if deep
           else PlainNet(W, b, sigma, per_sample=method == "per_sample"))
    history = History(net=net)
    sets = [(X, Y, history.loss, history.metric)]
    if val is not None:
        sets.append((*val, history.val_loss, history.val_metric))
    _fit(net, X, Y, loss, loop, rng, history,                # 2. the loop
         record=partial(_record, sets if record else [], net, loss, metric))
    return net.W, net.b, history                  # 3. return W, b


@dataclass(frozen=True)
class _Loop:
    """The training loop's options, checked."""

    learning_rate: float
    n_epochs: int
    batch_size: int
    clip_norm: float | None
    callback: Callable | None

    @classmethod
    def checked(cls, learning_rate, n_epochs, batch_size, clip_norm,
                callback) -> _Loop:
        return cls(
            _checks.positive_real(learning_rate, "learning_rate"),
            _checks.positive_int(n_epochs, "n_epochs", minimum=0),
            _checks.positive_int(batch_size, "batch_size"),
            None if clip_norm is None
            else _checks.positive_real(clip_norm, "clip_norm"),
            _checks.function(callback, "callback", "callback(step)"))


def _fit(net, X, Y, loss, loop: _Loop, rng, history: History,
         record: Callable[[], None]) -> None:
    """The training loop: shuffle, cut into batches, step (chapter 3).

    net: a PlainNet or a DeepNet (the interface in the module docstring),
    trained in place. record() appends to the history, before training
    and after each epoch.
    """
    n_batches = -(-len(X) // loop.batch_size)    # the last may be partial
    divergence = _Divergence(history, n_batches, loop.learning_rate)
    record()
    # A diverging run overflows on its way to inf. Rather than a numpy
    # warning from deep inside, the checks below say where it happened.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, loop.n_epochs + 1):  # the text's step 2
            order = rng.permutation(len(X))        # shuffle(X, Y)
            for k in range(n_batches):
                batch = order[k * loop.batch_size:(k + 1) * loop.batch_size]
                X_batch, Y_batch = X[batch], Y[batch]
                grads, output = net.gradients(X_batch, Y_batch, loss)
                divergence.check_batch(loss.mean(output, Y_batch),
                                       epoch, k + 1)
                if loop.clip_norm is not None:
                    grads = _clip_by_norm(grads, loop.clip_norm)
                if loop.callback is not None:
                    loop.callback(_training_step(epoch, k + 1, loop, net,
                                                 grads, X_batch))
                for param, grad in zip(net.params, grads):
                    # Gradient descent, in place: the gradients are ours
                    # to overwrite, so no temporary as large as W[l].
                    grad *= loop.learning_rate
                    param -= grad
                net.after_step()
            record()
            divergence.check_epoch(epoch)


def _training_step(epoch, batch, loop, net, grads, X_batch) -> TrainingStep:
    L = len(net.W)                  # grads: W's, then b's, then any others
    return TrainingStep(epoch, batch, loop.learning_rate, net.W, net.b,
                        grads[:L], grads[L:2 * L], net.activations,
                        lambda: net.layer_io(X_batch))


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


def _record(sets, net, loss, metric) -> None:
    """Append the current loss (and metric) on each data set to its list."""
    for X, Y, losses, metrics in sets:
        output = net.predict(X)
        losses.append(loss.mean(output, Y))
        if metric is not None:
            metrics.append(float(metric(Y, output)))
