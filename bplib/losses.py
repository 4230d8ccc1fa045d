"""Loss functions L(ŷ, y) and their gradients ∂L/∂ŷ (chapter 5).

A loss is per sample, summed over the output units; for a batch, `value`
returns one loss per sample and the caller takes the mean.

Each loss names its *canonical* output activation: identity for MSE,
sigmoid for BCE, softmax for CCE. With that pairing ∂L/∂ŷ ⊙ σ'(z) collapses
to ∂L/∂z = ŷ − y, which is simpler, cheaper and numerically safer than the
general path; `Loss.delta`, backpropagation's first step, takes that
shortcut where it applies.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation, Identity, Sigmoid, Softmax

__all__ = ["Loss", "MSE", "BCE", "CCE", "mse", "bce", "cce", "LOSSES",
           "get_loss"]


def _clip_probability(y_hat: np.ndarray) -> np.ndarray:
    # A saturated sigmoid or softmax returns exactly 0 or 1 in floating
    # point, where log gives -inf; one machine epsilon inside keeps L finite.
    eps = np.finfo(np.result_type(y_hat, np.float32)).eps
    return np.clip(y_hat, eps, 1 - eps)


class Loss:
    """A loss: value(ŷ, y) per sample, gradient(ŷ, y) = ∂L/∂ŷ (chapter 5)."""

    name = "loss"
    #: the output activation with which ∂L/∂z simplifies to ŷ − y. None
    #: for a loss of your own; a subclass that changes value or gradient
    #: must set it back to None, or `delta` takes a wrong shortcut.
    canonical_activation: type[Activation] | None = None

    def __call__(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self.value(y_hat, y)

    def value(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        """L(ŷ, y) summed over the last axis: one value per sample."""
        raise NotImplementedError

    def gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂L/∂ŷ, shaped like ŷ."""
        raise NotImplementedError

    def delta(self, z_L: np.ndarray, a_L: np.ndarray, y: np.ndarray,
              activation: Activation) -> np.ndarray:
        """δᴸ = ∂L/∂zᴸ for one sample or a batch (chapters 2 and 5).

        The source text's ∂L/∂aᴸ ⊙ σ'(zᴸ), carried back through
        `activation.backward` so that softmax gets its Jacobian. With the
        loss's canonical output activation (identity+MSE, sigmoid+BCE,
        softmax+CCE) the product simplifies to ŷ − y, which also stays
        exact where ŷ has saturated to 0 or 1.
        """
        # The exact class: a subclass of Sigmoid may compute something else.
        if type(activation) is self.canonical_activation:
            return a_L - y
        return activation.backward(z_L, a_L, self.gradient(a_L, y))

    def mean(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        """The loss of a batch: the mean of the per-sample losses."""
        return float(np.mean(self.value(Y_hat, Y)))

    def check_targets(self, y: np.ndarray, argname: str) -> None:
        """Raise ValueError for targets this loss gives no meaning to."""

    def check_output(self, activation: Activation, argname: str) -> None:
        """Raise ValueError if `activation` can output what L cannot take."""

    def __repr__(self) -> str:
        return self.name


class MSE(Loss):
    """L = ½‖ŷ − y‖²; ∂L/∂ŷ = ŷ − y."""

    name = "mse"
    canonical_activation = Identity

    def value(self, y_hat, y):
        return 0.5 * np.sum((y_hat - y) ** 2, axis=-1)

    def gradient(self, y_hat, y):
        return y_hat - y


class _CrossEntropy(Loss):
    """What BCE and CCE share: probabilities in, targets in [0, 1]."""

    def check_targets(self, y, argname):
        if np.any((y < 0) | (y > 1)):
            raise ValueError(f"{argname}: {self.name} needs targets in "
                             f"[0, 1], got values from {y.min():g} to "
                             f"{y.max():g}")

    def check_output(self, activation, argname):
        low, high = activation.output_range
        if low < 0 or high > 1:
            raise ValueError(
                f"{argname}: {self.name!r} needs outputs in [0, 1], but "
                f"{activation.name!r} outputs values in ({low:g}, {high:g}); "
                "use 'sigmoid' or 'softmax' as the last activation")


class BCE(_CrossEntropy):
    """L = −Σ [y log ŷ + (1 − y) log(1 − ŷ)].

    ∂L/∂ŷ = −y/ŷ + (1 − y)/(1 − ŷ).
    """

    name = "bce"
    canonical_activation = Sigmoid

    def value(self, y_hat, y):
        p = _clip_probability(y_hat)
        return -np.sum(y * np.log(p) + (1 - y) * np.log1p(-p), axis=-1)

    def gradient(self, y_hat, y):
        p = _clip_probability(y_hat)
        return -y / p + (1 - y) / (1 - p)


class CCE(_CrossEntropy):
    """L = −Σ y log ŷ; ∂L/∂ŷ = −y/ŷ. y is one-hot, or any distribution."""

    name = "cce"
    canonical_activation = Softmax

    def value(self, y_hat, y):
        return -np.sum(y * np.log(_clip_probability(y_hat)), axis=-1)

    def gradient(self, y_hat, y):
        return -y / _clip_probability(y_hat)

    def check_targets(self, y, argname):
        super().check_targets(y, argname)
        totals = np.sum(y, axis=-1)
        if not np.allclose(totals, 1.0):
            raise ValueError(
                f"{argname}: cce needs each target to sum to 1 (one-hot, "
                f"or a distribution), got sums from {np.min(totals):g} to "
                f"{np.max(totals):g}")


mse, bce, cce = MSE(), BCE(), CCE()

#: every loss by the name `get_loss` accepts
LOSSES: dict[str, Loss] = {loss.name: loss for loss in (mse, bce, cce)}


def get_loss(spec: str | Loss, argname: str = "loss") -> Loss:
    """The loss named "mse", "bce" or "cce", or `spec` itself (chapter 5)."""
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str):
        try:
            return LOSSES[spec]
        except KeyError:
            raise ValueError(f"{argname}: unknown loss {spec!r}; expected "
                             f"one of {sorted(LOSSES)}") from None
    raise TypeError(f"{argname}: expected a loss name or a Loss, "
                    f"got {type(spec).__name__}")
