"""Batch normalisation: forward and backward as pure functions (chapter 8).

Ioffe and Szegedy (2015) normalise each unit's pre-activation over the
batch, then let the network rescale it:

    μ = mean(z),  v = mean((z − μ)²),  ẑ = (z − μ) / √(v + ε),
    out = γ ⊙ ẑ + β.

Every sample's output depends on every sample in the batch (through μ and
v), so the backward pass is not element-wise. With v the *biased* batch
variance (divide by m, the batch size), as above, the chain rule gives

    ∂L/∂z = (γ / (m √(v + ε))) ⊙ (m g − Σ g − ẑ ⊙ Σ (g ⊙ ẑ)),

with g = ∂L/∂out and the sums over the batch. At inference there is no
batch to average over: the layer uses running averages of μ and of the
unbiased variance m/(m − 1) · v, collected during training.

Shapes: Z is (m, n), one row per sample; gamma, beta, the running mean and
variance are (n,).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks

__all__ = ["BatchNormCache", "batchnorm_forward", "batchnorm_backward",
           "batchnorm_inference", "update_running", "EPS", "MOMENTUM"]

#: ε, added to the variance so that a constant unit does not divide by 0
EPS = 1e-5
#: the weight of the old value in the running averages
MOMENTUM = 0.9


@dataclass(frozen=True)
class BatchNormCache:
    """What the backward pass needs from the forward pass (chapter 8).

    z_hat: the normalised input; inv_std: 1/√(v + ε) per unit; gamma;
    mean and var: the batch mean and biased variance.
    """

    z_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    mean: np.ndarray
    var: np.ndarray


def batchnorm_forward(Z, gamma, beta,
                      eps: float = EPS) -> tuple[np.ndarray, BatchNormCache]:
    """Training mode: normalise Z with its own batch statistics.

    Returns γ ⊙ ẑ + β and the cache `batchnorm_backward` needs (chapter 8).
    """
    Z = _checks.batchnorm_input(Z, gamma, beta, training=True)
    return _batchnorm_forward(Z, gamma, beta, eps)


def _batchnorm_forward(Z, gamma, beta, eps=EPS):
    """batchnorm_forward on checked input."""
    mean = Z.mean(axis=0)
    var = Z.var(axis=0)               # biased (÷ m): what backward assumes
    inv_std = 1 / np.sqrt(var + eps)
    z_hat = (Z - mean) * inv_std
    cache = BatchNormCache(z_hat, inv_std, np.asarray(gamma, float),
                           mean, var)
    return gamma * z_hat + beta, cache


def batchnorm_backward(grad_out, cache: BatchNormCache
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """∂L/∂Z, ∂L/∂γ, ∂L/∂β from ∂L/∂out (chapter 8).

    The formula in the module docstring: the mean and the variance depend
    on every sample, hence the two sums over the batch.
    """
    g = np.asarray(grad_out, dtype=float)
    _checks.same_shape(g, cache.z_hat, "grad_out", "the forward pass's Z")
    return _batchnorm_backward(g, cache)


def _batchnorm_backward(g, cache):
    """batchnorm_backward on checked input; g is ∂L/∂out."""
    m = len(g)
    dbeta = g.sum(axis=0)
    dgamma = (g * cache.z_hat).sum(axis=0)
    # Σ g and Σ g ⊙ ẑ are dβ and dγ: the two corrections for μ and v.
    dZ = (cache.gamma * cache.inv_std / m) * (
        m * g - dbeta - cache.z_hat * dgamma)
    return dZ, dgamma, dbeta


def batchnorm_inference(Z, gamma, beta, running_mean, running_var,
                        eps: float = EPS) -> np.ndarray:
    """Inference mode: normalise with the running statistics (chapter 8).

    Each sample's output depends on that sample alone, so a batch of one
    works, and the result does not depend on what else is in the batch.
    """
    Z = _checks.batchnorm_input(Z, gamma, beta, training=False,
                                running=(running_mean, running_var))
    return _batchnorm_inference(Z, gamma, beta, running_mean, running_var,
                                eps)


def _batchnorm_inference(Z, gamma, beta, running_mean, running_var,
                         eps=EPS):
    """batchnorm_inference on checked input."""
    return (gamma * (Z - running_mean) / np.sqrt(running_var + eps)
            + beta)


def update_running(running_mean, running_var, cache: BatchNormCache,
                   momentum: float = MOMENTUM) -> None:
    """Move the running mean and variance towards this batch's, in place.

    The variance is stored unbiased, m/(m − 1) · v, as Ioffe and Szegedy
    use it for inference (chapter 8).
    """
    m = len(cache.z_hat)
    running_mean *= momentum
    running_mean += (1 - momentum) * cache.mean
    running_var *= momentum
    running_var += (1 - momentum) * cache.var * m / (m - 1)
