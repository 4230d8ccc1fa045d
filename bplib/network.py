"""A fully connected network: its parameters, forward pass, backpropagation.

Chapter 1 derives the forward pass and chapter 2 backpropagation, line by
line against the source text's pseudocode. The parameters are plain lists
of numpy arrays, one entry per layer.

Indexing. The text numbers layers 1..L and Python counts from 0, so W[0],
b[0] are the text's W¹, b¹ and z[0] is z¹. The activations keep the text's
numbering instead: a[0] is a⁰ = x, so `a` has L + 1 entries and layer l
reads a[l] and writes a[l + 1] = σ(z[l]). With that one shift, the text's
∂L/∂Wˡ = δˡ (aˡ⁻¹)ᵀ becomes `np.outer(delta[l], a[l])`.

Shapes: W[l] is (n_out, n_in) and b[l] is (n_out,); one sample x is
(n_input,); a batch X is (n_samples, n_input), one sample per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks
from .activations import Activation
from .losses import Loss

__all__ = [
    "init_params", "forward_propagation", "backpropagation",
    "forward_batch", "backprop_batch", "predict", "network_loss",
    "PlainNet",
]

Params = list[np.ndarray]

#: the standard deviation of W[l]'s entries for each initialisation scheme
#: (chapter 3 derives them)
INIT_STD = {
    # the source text's √(2/n_in): He et al. (2015), for ReLU
    "he": lambda n_in, n_out: np.sqrt(2 / n_in),
    # Glorot & Bengio (2010), normal form, for tanh and sigmoid
    "xavier": lambda n_in, n_out: np.sqrt(2 / (n_in + n_out)),
    # N(0, 1): too large for deep networks
    "standard": lambda n_in, n_out: 1.0,
}
#: the names init_params' scheme accepts
INIT_SCHEMES = (*INIT_STD, "glorot")


def init_params(architecture: list[int], scheme: str = "he",
                rng=None, *, dtype=np.float64) -> tuple[Params, Params]:
    """Random weights and zero biases for layer sizes [n_0, ..., n_L].

    W[l] ~ N(0, std²) with std from `scheme` (chapter 3): "he" √(2/n_in),
    the source text's formula, for ReLU; "xavier" (or "glorot")
    √(2/(n_in + n_out)), for tanh and sigmoid; "standard" 1.
    rng: a seed, a numpy Generator, or None for fresh randomness.
    dtype: a float type, float64 or float32 (chapter 7); a float32
    network's weights are its float64 twin's, rounded.
    """
    sizes = _checks.architecture(architecture)
    _checks.choice(scheme, INIT_SCHEMES, "scheme")
    dtype = _checks.float_dtype(dtype)
    return _init_params(sizes, scheme, rng, dtype)


def _init_params(sizes, scheme, rng, dtype=np.float64):
    """init_params on checked input."""
    if scheme == "glorot":
        scheme = "xavier"
    rng = np.random.default_rng(rng)
    W, b = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        std = INIT_STD[scheme](n_in, n_out)
        # Drawn in float64 whatever dtype is, so one seed gives one network.
        W_l = rng.normal(0.0, std, size=(n_out, n_in))
        W.append(W_l.astype(dtype, copy=False))
        b.append(np.zeros(n_out, dtype=dtype))
    return W, b


def forward_propagation(x, W: Params, b: Params,
                        activations) -> tuple[Params, Params]:
    """The source text's forward pass for one sample x (chapter 1).

    Returns a = [a⁰, ..., aᴸ] with a⁰ = x, and z = [z¹, ..., zᴸ].
    """
    W, b, sigma = _checks.network(W, b, activations)
    x = _checks.inputs(x, W, "x", ndim=1)
    return _forward_propagation(x, W, b, sigma)


def _forward_propagation(x, W, b, sigma):
    a = [x]                           # a[0] ← x: the first "activation"
    z = []
    for l in range(len(W)):           # the text's FOR l = 1 TO L
        z.append(W[l] @ a[l] + b[l])  # z ← W · a_prev + b: linear step
        a.append(sigma[l](z[l]))      # a ← σ(z): the activation function
    return a, z


def backpropagation(x, y, W: Params, b: Params, activations,
                    loss) -> tuple[Params, Params]:
    """The source text's backpropagation for one sample (chapter 2).

    Returns ∂L/∂W and ∂L/∂b: lists with one array per layer, shaped
    like W and b.
    """
    W, b, sigma, loss = _checks.network(W, b, activations, loss)
    x = _checks.inputs(x, W, "x", ndim=1)
    y = _checks.targets(y, W, loss, "y")
    return _backpropagation(x, y, W, b, sigma, loss)


def _backpropagation(x, y, W, b, sigma, loss):
    """backpropagation on checked input: the algorithm itself."""
    L = len(W)

    # ========== FORWARD PASS ==========
    a, z = _forward_propagation(x, W, b, sigma)

    # ========== BACKWARD PASS ==========
    delta = [None] * L
    # Step 1: output layer error δᴸ = ∂L/∂aᴸ ⊙ σ'(zᴸ)
    delta[L - 1] = loss.delta(z[L - 1], a[L], y, sigma[L - 1])
    # Step 2: FOR l = L-1 DOWN TO 1: δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ)
    for l in range(L - 2, -1, -1):
        delta[l] = sigma[l].backward(z[l], a[l + 1],
                                     W[l + 1].T @ delta[l + 1])
    # Step 3: ∂L/∂Wˡ = δˡ (aˡ⁻¹)ᵀ, an outer product; ∂L/∂bˡ = δˡ
    dW = [np.outer(delta[l], a[l]) for l in range(L)]
    db = [delta[l] for l in range(L)]
    return dW, db


def forward_batch(X, W: Params, b: Params,
                  activations) -> tuple[Params, Params]:
    """forward_propagation for every row of X at once (chapter 1).

    Returns A and Z: A[l] and Z[l] hold one row per sample.
    """
    W, b, sigma = _checks.network(W, b, activations)
    X = _checks.inputs(X, W, "X", ndim=2)
    return _forward_batch(X, W, b, sigma)


def _forward_batch(X, W, b, sigma):
    A, Z = [X], []
    for l in range(len(W)):
        # Row i of A[l] @ W[l].T is (W[l] @ a_i)ᵀ: every sample's
        # product at once. The bias is added in place, into that fresh
        # product, rather than into a second array as large.
        Z_l = A[l] @ W[l].T
        Z_l += b[l]
        Z.append(Z_l)
        A.append(sigma[l](Z_l))
    return A, Z


def backprop_batch(X, Y, W: Params, b: Params, activations,
                   loss) -> tuple[Params, Params]:
    """The MEAN over the rows of X, Y of backpropagation's gradients.

    One vectorised pass instead of a loop over samples (chapter 3).
    """
    W, b, sigma, loss = _checks.network(W, b, activations, loss)
    X = _checks.inputs(X, W, "X", ndim=2)
    Y = _checks.targets(Y, W, loss, "Y", n_samples=len(X))
    dW, db, _ = _backprop_batch(X, Y, W, b, sigma, loss)
    return dW, db


def _backprop_batch(X, Y, W, b, sigma, loss):
    """backprop_batch on checked input; also returns the output A[L]."""
    n, L = len(X), len(W)
    A, Z = _forward_batch(X, W, b, sigma)
    Delta = [None] * L       # row i of Delta[l] is sample i's δ / n, layer l
    # The mean's 1/n, applied once to the smallest array, δᴸ: each layer's
    # δ is linear in the one above, so every Delta[l] carries the 1/n, and
    # the sums over the batch below are already means.
    Delta[L - 1] = loss.delta(Z[L - 1], A[L], Y, sigma[L - 1]) / n
    # The loop stops at layer 0: nothing needs ∂L/∂X, so the first
    # layer's product Delta[0] @ W[0] is never formed (chapter 7).
    for l in range(L - 2, -1, -1):
        # Row by row, (Wᵀ δ)ᵀ = δᵀ W: backpropagation's transpose,
        # applied to every sample at once.
        Delta[l] = sigma[l].backward(Z[l], A[l + 1], Delta[l + 1] @ W[l + 1])
    # (1/n) Σᵢ δᵢ aᵢᵀ over the batch is one product, Deltaᵀ A.
    dW = [Delta[l].T @ A[l] for l in range(L)]
    db = [Delta[l].sum(axis=0) for l in range(L)]
    return dW, db, A[L]


def predict(X, W: Params, b: Params, activations) -> np.ndarray:
    """The output aᴸ for every row of X: (n_samples, n_L) (chapter 1)."""
    return forward_batch(X, W, b, activations)[0][-1]


def network_loss(X, Y, W: Params, b: Params, activations, loss) -> float:
    """The loss of one sample (x, y 1-D) or the mean over a batch (2-D).

    What the gradients are gradients of (chapters 2 and 3).
    """
    W, b, sigma, loss = _checks.network(W, b, activations, loss)
    batched = np.ndim(X) != 1
    X = _checks.inputs(X, W, "X", ndim=2 if batched else 1)
    Y = _checks.targets(Y, W, loss, "Y",
                        n_samples=len(X) if batched else None)
    A, _ = _forward_batch(np.atleast_2d(X), W, b, sigma)
    return loss.mean(A[-1], np.atleast_2d(Y))


def _backprop_per_sample(X, Y, W, b, sigma, loss):
    """The text's inner loop: backpropagate each sample, sum, average.

    The same mean gradient as _backprop_batch, a sample at a time; also
    returns the output A[L]."""
    dW_total = [np.zeros_like(W_l) for W_l in W]
    db_total = [np.zeros_like(b_l) for b_l in b]
    for x, y in zip(X, Y):
        dW, db = _backpropagation(x, y, W, b, sigma, loss)
        for l in range(len(W)):
            dW_total[l] += dW[l]
            db_total[l] += db[l]
    # Divide by the batch's true size, not batch_size as the text does:
    # a last, partial batch would otherwise take too small a step.
    n = len(X)
    output = _forward_batch(X, W, b, sigma)[0][-1]
    return [g / n for g in dW_total], [g / n for g in db_total], output


@dataclass(eq=False)
class PlainNet:
    """Chapters 1-3's network as `train`'s loop sees it (chapter 3).

    params: every trainable array in one flat list, W then b. per_sample:
    compute each batch's mean gradient with the text's loop over samples
    instead of backprop_batch's matrix products (the same numbers). The
    methods take input that `train` has checked.
    """

    W: Params
    b: Params
    activations: list[Activation]
    per_sample: bool = False

    @property
    def params(self) -> Params:
        return self.W + self.b

    def gradients(self, X, Y, loss: Loss) -> tuple[Params, np.ndarray]:
        """The batch's mean gradient, one array per param, and its output."""
        backprop = (_backprop_per_sample if self.per_sample
                    else _backprop_batch)
        dW, db, output = backprop(X, Y, self.W, self.b, self.activations,
                                  loss)
        return dW + db, output

    def after_step(self) -> None:
        """Nothing to update: a plain network keeps no statistics."""

    def predict(self, X) -> np.ndarray:
        return _forward_batch(X, self.W, self.b, self.activations)[0][-1]

    def layer_io(self, X, training: bool = True) -> tuple[Params, Params]:
        """The input z and output σ(z) of each layer's activation on X
        (`training` is DeepNet's batch-norm mode; a PlainNet has none)."""
        A, Z = _forward_batch(X, self.W, self.b, self.activations)
        return Z, A[1:]
