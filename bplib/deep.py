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

Parameters live in a `DeepNet`, which `train(..., batch_norm=...,
residual=...)` trains with the same loop as a plain network.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _checks
from ._checks import layer_flags
from .activations import Activation
from .batchnorm import _batchnorm_backward, _batchnorm_forward, _batchnorm_inference, update_running
from .losses import Loss
from .network import INIT_SCHEMES, Params, _init_params

__all__ = ["DeepNet", "DeepGrads", "layer_flags", "init_deep",
           "deep_forward", "deep_backprop", "deep_predict", "deep_loss"]


@dataclass(eq=False)
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
    # The last batch's BN caches, for after_step's running statistics.
    _caches: list = field(default_factory=list, init=False, repr=False,
                          compare=False)

    @property
    def n_layers(self) -> int:
        return len(self.W)

    # `train`'s loop sees a DeepNet as it sees a PlainNet (chapter 3); the
    # methods below take input that `train` has checked.
    @property
    def params(self) -> Params:
        """Every trainable array in one flat list: W, b, then γ and β of
        the BN layers."""
        return self._flat(self.W, self.b, self.gamma, self.beta)

    def gradients(self, X, Y, loss: Loss) -> tuple[Params, np.ndarray]:
        """The batch's mean gradient, one array per param, and its output
        (BN in training mode)."""
        grads, p = _backprop(X, Y, self, loss)
        self._caches = p.caches
        return self._flat(grads.dW, grads.db, grads.dgamma,
                          grads.dbeta), p.A[-1]

    def _flat(self, W, b, gamma, beta) -> Params:
        bn = [l for l in range(self.n_layers) if self.batch_norm[l]]
        return W + b + [gamma[l] for l in bn] + [beta[l] for l in bn]

    def after_step(self) -> None:
        """Each BN layer's running statistics follow the last batch's."""
        for l in range(self.n_layers):
            if self.batch_norm[l]:
                update_running(self.running_mean[l], self.running_var[l],
                               self._caches[l])

    def predict(self, X) -> np.ndarray:
        return _forward(X, self, training=False).A[-1]

    def layer_io(self, X, training: bool = True) -> tuple[Params, Params]:
        """The input s and output σ(s) of each layer's activation on the
        batch X; `training` selects BN's mode."""
        p = _forward(X, self, training)
        return p.S, p.Out


@dataclass
class DeepGrads:
    """∂L/∂W, ∂L/∂b, ∂L/∂γ, ∂L/∂β per layer (None where no BN)."""

    dW: Params
    db: Params
    dgamma: list
    dbeta: list


@dataclass
class _Pass:
    """One forward pass: A[l] enters layer l (A[0] = X); S[l], Out[l] are
    the input and output of layer l's σ; caches[l] its BN cache."""

    A: Params
    S: Params
    Out: Params
    caches: list


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
    return _deep_net(*_init_params(sizes, scheme, rng), sigma, bn, res)


def _deep_net(W, b, sigma, bn, res) -> DeepNet:
    """A DeepNet around W, b: γ = 1, β = 0 and the running mean 0 and
    variance 1 on the BN layers."""
    def per_bn_layer(value):
        return [np.full(len(b_l), value) if flag else None
                for b_l, flag in zip(b, bn)]

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
            s, cache = _batchnorm_forward(z, net.gamma[l], net.beta[l])
        else:
            s = _batchnorm_inference(z, net.gamma[l], net.beta[l],
                                     net.running_mean[l],
                                     net.running_var[l])
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
    _checks.instance(net, DeepNet, "net")
    X = _checks.deep_batch(X, net, "X", training)
    p = _forward(X, net, training)
    return p.A, p.S


def _backprop(X, Y, net: DeepNet, loss) -> tuple[DeepGrads, _Pass]:
    """deep_backprop on checked input; also returns the forward pass."""
    n, L = len(X), net.n_layers
    p = _forward(X, net, training=True)
    sigma = net.activations
    dW, db = [None] * L, [None] * L
    dgamma, dbeta = [None] * L, [None] * L
    # The MEAN loss couples the samples through BN, so the gradients here
    # are of the mean from the start: δᴸ / n, then sums over the batch.
    Delta = loss.delta(p.S[-1], p.A[-1], Y, sigma[-1]) / n
    dA = None                         # ∂L/∂A[l + 1], from the layer above
    for l in range(L - 1, -1, -1):
        if l < L - 1:                 # ∂L/∂s of layer l, from ∂L/∂A[l + 1]
            Delta = sigma[l].backward(p.S[l], p.Out[l], dA)
        if net.batch_norm[l]:         # ∂L/∂z, back through s = BN(z)
            Delta, dgamma[l], dbeta[l] = _batchnorm_backward(Delta,
                                                             p.caches[l])
        dW[l] = Delta.T @ p.A[l]
        db[l] = Delta.sum(axis=0)
        if l > 0:                     # ∂L/∂A[l]; nothing needs ∂L/∂X
            # A[l + 1] = A[l] + σ(s): a skip passes ∂L/∂A[l + 1] on as is.
            skip = dA if net.residual[l] else 0
            dA = Delta @ net.W[l] + skip
    return DeepGrads(dW, db, dgamma, dbeta), p


def deep_backprop(X, Y, net: DeepNet, loss) -> DeepGrads:
    """Gradients of the mean loss over the batch (training-mode BN).

    Backpropagation through BN (see bplib.batchnorm) and the skips; with
    neither it equals `backprop_batch` (chapter 8).
    """
    _checks.instance(net, DeepNet, "net")
    loss = _checks.loss(loss, net.activations[-1])
    X = _checks.deep_batch(X, net, "X", training=True)
    Y = _checks.targets(Y, net.W, loss, "Y", n_samples=len(X))
    return _backprop(X, Y, net, loss)[0]


def deep_predict(X, net: DeepNet) -> np.ndarray:
    """The output for every row of X, BN in inference mode (chapter 8)."""
    return deep_forward(X, net, training=False)[0][-1]


def deep_loss(X, Y, net: DeepNet, loss, training: bool = False) -> float:
    """The mean loss over the batch; `training` selects BN's mode."""
    _checks.instance(net, DeepNet, "net")
    loss = _checks.loss(loss, net.activations[-1])
    X = _checks.deep_batch(X, net, "X", training)
    Y = _checks.targets(Y, net.W, loss, "Y", n_samples=len(X))
    return loss.mean(_forward(X, net, training).A[-1], Y)
