"""Deep networks with batch normalisation and residual connections.

Chapter 8 adds two of the source text's fixes for vanishing gradients to
the plain network of chapters 1-3, layer by layer:

* batch normalisation (Ioffe and Szegedy, 2015) between the linear step
  and the activation: s = BN(z) with z = W a + b, then σ(s);
* a residual (skip) connection (He et al., 2016) around a layer whose
  input and output have the same width: a = a_prev + σ(s).

Without either, layer l computes the chapters' a = σ(W a_prev + b), and
`deep_backprop` returns exactly `backprop_batch`'s gradients (a test
checks it). The skip connection is why residual networks train: its
Jacobian is the identity, so the backward pass adds ∂L/∂a to ∂L/∂a_prev
unchanged, whatever the layer's own Jacobian does to it.

Parameters live in a `DeepNet`; `train(..., batch_norm=..., residual=...)`
trains one through `train_deep`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import _checks
from .activations import Activation
from .batchnorm import (batchnorm_backward, batchnorm_forward,
                        batchnorm_inference, update_running)
from .diagnostics import TrainingStep
from .network import (INIT_SCHEMES, Params, _float_dtype, init_params,
                      output_delta)
from .training import (History, _data, _Divergence, _loop_options,
                       _validation_data, clip_by_norm)

__all__ = ["DeepNet", "DeepGrads", "DeepHistory", "layer_flags",
           "init_deep", "deep_forward", "deep_backprop", "deep_predict",
           "deep_loss", "train_deep"]


@dataclass
class DeepNet:
    """A network whose layers may batch-normalise or skip (chapter 8).

    W, b as in chapters 1-3. batch_norm[l], residual[l]: whether layer l
    (from 0) has each. gamma[l], beta[l]: BN's scale and shift, and
    running_mean[l], running_var[l] its inference statistics; None where
    layer l has no BN.
    """

    W: Params
    b: Params
    activations: list[Activation]
    batch_norm: list[bool]
    residual: list[bool]
    gamma: list = field(default_factory=list)
    beta: list = field(default_factory=list)
    running_mean: list = field(default_factory=list)
    running_var: list = field(default_factory=list)

    @property
    def n_layers(self) -> int:
        return len(self.W)


@dataclass
class DeepGrads:
    """∂L/∂W, ∂L/∂b, ∂L/∂γ, ∂L/∂β per layer (None where no BN)."""

    dW: Params
    db: Params
    dgamma: list
    dbeta: list


@dataclass
class DeepHistory(History):
    """`History` plus the trained `DeepNet` (its γ, β, running stats)."""

    net: DeepNet | None = None


@dataclass
class _Pass:
    """One forward pass: A[l] enters layer l (A[0] = X); S[l], Out[l] are
    the input and output of layer l's σ; caches[l] its BN cache."""

    A: Params
    S: Params
    Out: Params
    caches: list


def layer_flags(spec, sizes: list[int], argname: str) -> list[bool]:
    """One bool per layer from `spec`, checked against the sizes.

    None or False: no layer. True: batch_norm on every hidden layer;
    residual on every hidden layer but the first (which usually changes
    the width). A list: one bool per layer. The output layer can have
    neither, and a residual layer needs equal input and output widths; a
    violation raises ValueError naming the layer (chapter 8).
    """
    L = len(sizes) - 1
    if spec is None or spec is False:
        return [False] * L
    if spec is True:
        first = 1 if argname == "residual" else 0
        flags = [first <= l < L - 1 for l in range(L)]
    else:
        if isinstance(spec, (str, bytes)) or not hasattr(spec, "__len__"):
            raise TypeError(f"{argname}: expected None, a bool, or a list "
                            f"of {L} bools, got {type(spec).__name__}")
        if len(spec) != L:
            raise ValueError(f"{argname}: expected {L} bools, one per "
                             f"layer, got {len(spec)}")
        for l, flag in enumerate(spec):
            if not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"{argname}[{l}]: expected a bool, got "
                                f"{type(flag).__name__} {flag!r}")
        flags = [bool(flag) for flag in spec]
    if flags[-1]:
        raise ValueError(f"{argname}[{L - 1}]: the output layer (layer {L}) "
                         f"cannot have {argname.replace('_', ' ')}; only "
                         "hidden layers can")
    if argname == "residual":
        for l, flag in enumerate(flags):
            if flag and sizes[l] != sizes[l + 1]:
                raise ValueError(
                    f"residual[{l}]: layer {l + 1} maps {sizes[l]} units to "
                    f"{sizes[l + 1]}; a skip connection a = a_prev + σ(s) "
                    "needs equal widths")
    return flags


def init_deep(architecture: list[int], activations, *,
              batch_norm=None, residual=None, scheme: str = "he",
              rng=None) -> DeepNet:
    """A DeepNet: W, b from init_params (the same for the same rng), γ = 1,
    β = 0, running mean 0 and variance 1 on the BN layers (chapter 8)."""
    sizes = _checks.architecture(architecture)
    _checks.choice(scheme, INIT_SCHEMES, "scheme")
    sigma = _checks.activations(activations, len(sizes) - 1)
    bn = layer_flags(batch_norm, sizes, "batch_norm")
    res = layer_flags(residual, sizes, "residual")
    W, b = init_params(sizes, scheme, rng)

    def per_bn_layer(value):
        return [np.full(n, value) if flag else None
                for n, flag in zip(sizes[1:], bn)]

    return DeepNet(W, b, sigma, bn, res, per_bn_layer(1.0),
                   per_bn_layer(0.0), per_bn_layer(0.0), per_bn_layer(1.0))


def _forward(X, net: DeepNet, training: bool) -> _Pass:
    A, S, Out, caches = [X], [], [], []
    for l in range(net.n_layers):
        z = A[l] @ net.W[l].T + net.b[l]
        cache = None
        if not net.batch_norm[l]:
            s = z
        elif training:
            s, cache = batchnorm_forward(z, net.gamma[l], net.beta[l])
        else:
            s = batchnorm_inference(z, net.gamma[l], net.beta[l],
                                    net.running_mean[l], net.running_var[l])
        out = net.activations[l](s)
        S.append(s)
        Out.append(out)
        caches.append(cache)
        A.append(A[l] + out if net.residual[l] else out)
    return _Pass(A, S, Out, caches)


def deep_forward(X, net: DeepNet,
                 training: bool = False) -> tuple[Params, Params]:
    """The forward pass of a DeepNet on a batch X (chapter 8).

    Returns A (A[0] = X, A[l + 1] the output of layer l) and S (S[l] the
    input of layer l's σ: z, or BN(z)). training: BN uses the batch's
    statistics (True) or the running ones (False).
    """
    X = _checks.inputs(X, net.W, "X", ndim=2)
    p = _forward(X, net, training)
    return p.A, p.S


def _backprop(X, Y, net: DeepNet, loss) -> tuple[DeepGrads, _Pass]:
    n, L = len(X), net.n_layers
    p = _forward(X, net, training=True)
    sigma = net.activations
    dW, db = [None] * L, [None] * L
    dgamma, dbeta = [None] * L, [None] * L
    # The MEAN loss couples the samples through BN, so the gradients here
    # are of the mean from the start: δᴸ / n, then sums over the batch.
    G = output_delta(p.S[-1], p.A[-1], Y, sigma[-1], loss) / n
    grad_A = None                     # ∂L/∂A[l + 1], from the layer above
    for l in range(L - 1, -1, -1):
        if l < L - 1:
            G = sigma[l].backward(p.S[l], p.Out[l], grad_A)
        if net.batch_norm[l]:
            G, dgamma[l], dbeta[l] = batchnorm_backward(G, p.caches[l])
        dW[l] = G.T @ p.A[l]
        db[l] = G.sum(axis=0)
        grad_prev = G @ net.W[l]
        if net.residual[l]:
            # A[l + 1] = A[l] + σ(s): the skip passes ∂L/∂A[l + 1] through.
            grad_prev = grad_prev + grad_A
        grad_A = grad_prev
    return DeepGrads(dW, db, dgamma, dbeta), p


def deep_backprop(X, Y, net: DeepNet, loss) -> DeepGrads:
    """Gradients of the mean loss over the batch (training-mode BN).

    Backpropagation through BN (see bplib.batchnorm) and the skips; with
    neither it equals `backprop_batch` (chapter 8).
    """
    loss = _checks.loss(loss, net.activations[-1])
    X = _checks.inputs(X, net.W, "X", ndim=2)
    Y = _checks.targets(Y, net.W, loss, "Y", n_samples=len(X))
    return _backprop(X, Y, net, loss)[0]


def deep_predict(X, net: DeepNet) -> np.ndarray:
    """The output for every row of X, BN in inference mode (chapter 8)."""
    return deep_forward(X, net, training=False)[0][-1]


def deep_loss(X, Y, net: DeepNet, loss, training: bool = False) -> float:
    """The mean loss over the batch; `training` selects BN's mode."""
    loss = _checks.loss(loss, net.activations[-1])
    X = _checks.inputs(X, net.W, "X", ndim=2)
    Y = _checks.targets(Y, net.W, loss, "Y", n_samples=len(X))
    return loss.mean(_forward(X, net, training).A[-1], Y)


def train_deep(X, Y, architecture: list[int], learning_rate: float,
               n_epochs: int, batch_size: int, *, activations, loss,
               rng=None, init: str = "he", method: str = "batched",
               clip_norm: float | None = None,
               validation_data: tuple | None = None,
               metric: Callable | None = None, dtype=np.float64,
               record: bool = True, batch_norm=None, residual=None,
               callback: Callable | None = None
               ) -> tuple[Params, Params, DeepHistory]:
    """`train`'s loop for a DeepNet; `train` calls it when batch_norm or
    residual is given (chapter 8).

    Same arguments, same shuffles and steps; γ and β take gradient steps
    too, and each BN layer's running statistics follow the batches. The
    losses recorded per epoch use BN in inference mode. Returns W, b and a
    DeepHistory whose `net` holds the whole trained network. Float64 only.
    """
    sizes = _checks.architecture(architecture)
    learning_rate, n_epochs, batch_size, clip_norm = _loop_options(
        learning_rate, n_epochs, batch_size, clip_norm, init, metric,
        callback)
    if method != "batched":
        raise ValueError("method: networks with batch_norm or residual "
                         f"train with method='batched' only, got {method!r}")
    if _float_dtype(dtype) != np.float64:
        raise ValueError("dtype: networks with batch_norm or residual train "
                         f"in float64 only, got {np.dtype(dtype).name}")
    sigma = _checks.activations(activations, len(sizes) - 1)
    loss = _checks.loss(loss, sigma[-1])
    X, Y = _data(X, Y, loss, sizes, "X", "Y", np.float64)
    net = init_deep(sizes, sigma, batch_norm=batch_norm, residual=residual,
                    scheme=init, rng=0)        # validates; W replaced below
    if any(net.batch_norm) and (batch_size < 2 or len(X) % batch_size == 1):
        raise ValueError(
            f"batch_size: batch normalisation needs at least 2 samples in "
            f"every batch; batch_size={batch_size} with {len(X)} samples "
            "leaves a batch of 1")
    history = DeepHistory(net=net)
    sets = [(X, Y, history.loss, history.metric)]
    if validation_data is not None:
        X_val, Y_val = _validation_data(validation_data, loss, sizes,
                                        np.float64)
        sets.append((X_val, Y_val, history.val_loss, history.val_metric))
    if not record:
        sets = []
    rng = np.random.default_rng(rng)
    net.W, net.b = init_params(sizes, init, rng)   # as train draws them
    _record_deep(sets, net, loss, metric)
    n_batches = -(-len(X) // batch_size)
    divergence = _Divergence(history, n_batches, learning_rate)

    bn_layers = [l for l in range(len(sizes) - 1) if net.batch_norm[l]]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, n_epochs + 1):
            order = rng.permutation(len(X))
            for k in range(n_batches):
                batch = order[k * batch_size:(k + 1) * batch_size]
                grads, p = _backprop(X[batch], Y[batch], net, loss)
                divergence.check_batch(loss.mean(p.A[-1], Y[batch]),
                                       epoch, k + 1)
                dgamma = [grads.dgamma[l] for l in bn_layers]
                dbeta = [grads.dbeta[l] for l in bn_layers]
                dW, db = grads.dW + dgamma, grads.db + dbeta
                if clip_norm is not None:
                    # One vector: the weights' and BN's gradients together.
                    dW, db = clip_by_norm(dW, db, clip_norm)
                if callback is not None:
                    callback(TrainingStep(
                        epoch, k + 1, learning_rate, net.W, net.b,
                        dW[:len(net.W)], db[:len(net.b)], sigma,
                        lambda p=p: (p.S, p.Out)))
                _step(net, dW, db, bn_layers, learning_rate, p.caches)
            _record_deep(sets, net, loss, metric)
            divergence.check_epoch(epoch)
    return net.W, net.b, history


def _step(net, dW, db, bn_layers, learning_rate, caches):
    """Gradient descent on W, b, γ, β; running statistics follow."""
    L = net.n_layers
    for l in range(L):
        net.W[l] -= learning_rate * dW[l]
        net.b[l] -= learning_rate * db[l]
    for i, l in enumerate(bn_layers):
        net.gamma[l] -= learning_rate * dW[L + i]
        net.beta[l] -= learning_rate * db[L + i]
        update_running(net.running_mean[l], net.running_var[l], caches[l])


def _record_deep(sets, net, loss, metric):
    for X, Y, losses, metrics in sets:
        output = _forward(X, net, training=False).A[-1]
        losses.append(loss.mean(output, Y))
        if metric is not None:
            metrics.append(float(metric(Y, output)))
