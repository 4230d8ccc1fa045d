"""Activation functions σ, their derivatives, and the step back through them.

Chapter 4 derives every formula here. Chapter 2 uses `backward`, the one
thing backpropagation needs from an activation: given ∂L/∂a, return ∂L/∂z.
For an element-wise σ that is ∂L/∂a ⊙ σ'(z), the source text's formula.
Softmax is not element-wise (every output depends on every input), so its
`backward` multiplies by the transposed Jacobian instead.

Each function takes one vector z of shape (n,) or a batch Z of shape
(n_samples, n); softmax normalises along the last axis. `get_activation`
looks activations up by name.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

__all__ = [
    "Activation", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Softmax",
    "Identity",
    "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softmax", "identity",
    "ACTIVATIONS", "get_activation",
]


class Activation:
    """An activation σ: value, derivative σ', backward step (chapter 4)."""

    name = "activation"
    #: the interval σ maps into, so a loss can check it fits (chapter 5)
    output_range = (-np.inf, np.inf)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.value(z)

    def value(self, z: np.ndarray) -> np.ndarray:
        """σ(z)."""
        raise NotImplementedError

    def derivative(self, z: np.ndarray) -> np.ndarray:
        """σ'(z), element by element."""
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray,
                 grad_a: np.ndarray) -> np.ndarray:
        """∂L/∂z from ∂L/∂a, where a = σ(z): the chain rule (chapter 2)."""
        return grad_a * self.derivative(z)

    def __repr__(self) -> str:
        return self.name


class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^(−z)); σ'(z) = σ(z)(1 − σ(z)), at most 1/4."""

    name = "sigmoid"
    output_range = (0.0, 1.0)

    def value(self, z):
        # e^(-|z|) never overflows; the two branches are the same
        # function, rewritten for z ≥ 0 and for z < 0.
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))

    def derivative(self, z):
        # = σ(z)(1 − σ(z)), but that product loses every digit once σ
        # rounds to 1 (z > 37, while z < -37 kept them): e^(-|z|)/(1 +
        # e^(-|z|))² is σ' exactly, and the same for z and -z.
        e = np.exp(-np.abs(z))
        return e / (1 + e) ** 2


class Tanh(Activation):
    """σ(z) = tanh z; σ'(z) = 1 − tanh² z, at most 1."""

    name = "tanh"
    output_range = (-1.0, 1.0)

    def value(self, z):
        return np.tanh(z)

    def derivative(self, z):
        return 1 - np.tanh(z) ** 2


def _float_type(z) -> np.dtype:
    """z's dtype if it is a float type, else float64.

    What σ' returns, so that float32 stays float32 (chapter 7).
    """
    dtype = np.asarray(z).dtype
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


class ReLU(Activation):
    """σ(z) = max(0, z); σ'(z) = 1 for z > 0, else 0 (also at the kink)."""

    name = "relu"
    output_range = (0.0, np.inf)

    def value(self, z):
        return np.maximum(z, 0)

    def derivative(self, z):
        return (z > 0).astype(_float_type(z))

    def backward(self, z, a, grad_a):
        # grad_a ⊙ σ'(z) with σ' as a mask: the same numbers, one
        # temporary fewer (chapter 7 counts the cost of each).
        return grad_a * (z > 0)


def _check_alpha(alpha: float, name: str) -> float:
    # Here, not in _checks: _checks builds on this module, not the reverse.
    if isinstance(alpha, bool) or not isinstance(alpha, Real):
        raise TypeError(f"{name}: alpha must be a real number, "
                        f"got {type(alpha).__name__}")
    if not (np.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"{name}: alpha must be finite and >= 0, "
                         f"got {alpha}")
    return float(alpha)


class LeakyReLU(Activation):
    """σ(z) = z for z > 0, else αz; σ'(z) = 1 for z > 0, else α.

    With α > 0 the derivative is never zero, so no neuron can die.
    """

    output_range = (-np.inf, np.inf)

    def __init__(self, alpha: float = 0.01):
        self.alpha = _check_alpha(alpha, "LeakyReLU")
        self.name = ("leaky_relu" if self.alpha == 0.01
                     else f"leaky_relu(alpha={self.alpha:g})")

    def value(self, z):
        return np.where(z > 0, z, self.alpha * z)

    def derivative(self, z):
        return np.where(z > 0, 1.0, self.alpha).astype(_float_type(z))


class ELU(Activation):
    """σ(z) = z for z > 0, else α(e^z − 1); σ'(z) = 1 for z > 0, else α e^z."""

    def __init__(self, alpha: float = 1.0):
        self.alpha = _check_alpha(alpha, "ELU")
        self.name = ("elu" if self.alpha == 1.0
                     else f"elu(alpha={self.alpha:g})")
        self.output_range = (-self.alpha, np.inf)

    def value(self, z):
        # exp only ever sees z ≤ 0, so the discarded branch cannot overflow.
        negative = self.alpha * np.expm1(np.minimum(z, 0))
        return np.where(z > 0, z, negative)

    def derivative(self, z):
        return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0)))


class Softmax(Activation):
    """σ(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ) along the last axis.

    Its derivative is a matrix, the Jacobian diag(s) − s sᵀ with s = σ(z).
    """

    name = "softmax"
    output_range = (0.0, 1.0)

    def value(self, z):
        # softmax(z) = softmax(z − max z), whose exponents are all ≤ 0.
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)

    def derivative(self, z):
        """Raises TypeError: softmax's derivative is a matrix, not an
        element-wise σ'(z); use `jacobian` or `backward` (chapter 4)."""
        raise TypeError(
            "softmax has no element-wise derivative: its derivative is the "
            "Jacobian diag(s) - s s^T; use softmax.jacobian(z), or "
            "softmax.backward(z, a, grad_a) for the chain rule")

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        """The n×n matrix ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ), for one z of shape (n,)."""
        z = np.asarray(z)
        s = self.value(z.astype(_float_type(z), copy=False))
        if s.ndim != 1:
            raise ValueError("z: jacobian takes one vector of shape (n,), "
                             f"got shape {s.shape}")
        return np.diag(s) - np.outer(s, s)

    def backward(self, z, a, grad_a):
        # Jᵀg with J = diag(s) − s sᵀ (symmetric) is s ⊙ (g − g·s):
        # O(n) work, where forming J would take O(n²).
        return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


class Identity(Activation):
    """σ(z) = z; σ'(z) = 1. The output activation for regression."""

    name = "identity"

    def value(self, z):
        return z

    def derivative(self, z):
        return np.ones_like(z, dtype=_float_type(z))


sigmoid, tanh, relu, leaky_relu = Sigmoid(), Tanh(), ReLU(), LeakyReLU()
elu, softmax, identity = ELU(), Softmax(), Identity()

#: every activation by the name `get_activation` accepts
ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (sigmoid, tanh, relu, leaky_relu, elu, softmax, identity)
}


def get_activation(spec: str | Activation,
                   argname: str = "activation") -> Activation:
    """The activation named `spec` ("relu", ...), or `spec` if it is one.

    `argname`, the caller's name for the argument, goes into any error
    (chapter 4).
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        try:
            return ACTIVATIONS[spec]
        except KeyError:
            raise ValueError(
                f"{argname}: unknown activation {spec!r}; "
                f"expected one of {sorted(ACTIVATIONS)}") from None
    raise TypeError(f"{argname}: expected an activation name or an "
                    f"Activation, got {type(spec).__name__}")
