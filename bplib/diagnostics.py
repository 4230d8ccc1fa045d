"""Diagnostics of a deep network's health, measured during training.

Chapter 8 watches three things go wrong, and these functions measure them:
gradients that shrink or grow from layer to layer (per-layer gradient
norms), units that saturate or die (activation statistics), and steps
that are too small or too large for the weights they change (the
update-to-weight ratio). `Diagnostics` collects all of them while `train`
runs, through its `callback` hook, which hands it a `TrainingStep`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks
from .activations import Activation
from .training import TrainingStep

__all__ = ["ActivationStats", "Diagnostics", "gradient_norms",
           "first_last_ratio", "update_ratios", "activation_stats",
           "local_slopes"]

Params = list[np.ndarray]


@dataclass(frozen=True)
class ActivationStats:
    """One hidden layer over a batch (chapter 8).

    std: the standard deviation of its outputs σ(s); saturated: the
    fraction of entries where 0 < σ'(s) < threshold (a squashing unit
    pinned near its bound); dead: the fraction of units with σ'(s) = 0 for
    every sample, which therefore receive no gradient at all.
    """

    std: float
    saturated: float
    dead: float


def gradient_norms(dW: Params) -> np.ndarray:
    """‖∂L/∂Wˡ‖ (Frobenius) for each layer, first to last (chapter 8)."""
    return np.array([np.linalg.norm(g) for g in dW])


def first_last_ratio(norms) -> float:
    """‖∂L/∂W¹‖ / ‖∂L/∂Wᴸ‖: far below 1 when gradients vanish, far above
    when they explode (chapter 8)."""
    norms = _checks.per_layer(norms, "norms")
    return float(norms[0] / norms[-1])


def update_ratios(W: Params, dW: Params,
                  learning_rate: float) -> np.ndarray:
    """‖η ∂L/∂Wˡ‖ / ‖Wˡ‖ per layer: how much a step changes each layer.

    A rule of thumb (CS231n) puts a healthy value near 1e-3 (chapter 8).
    """
    return np.array([learning_rate * np.linalg.norm(g) / np.linalg.norm(w)
                     for w, g in zip(W, dW)])


def local_slopes(s: np.ndarray, out: np.ndarray,
                 activation: Activation) -> np.ndarray:
    """The slope σ'(s) in absolute value, entry by entry (chapter 8)."""
    return np.abs(activation.backward(s, out, np.ones_like(out)))


def activation_stats(s: np.ndarray, out: np.ndarray,
                     activation: Activation,
                     threshold: float = 0.01) -> ActivationStats:
    """Std, saturated fraction, dead-unit fraction of one layer (chapter 8).

    s, out: the layer's activation input and output for a batch,
    (n_samples, n_units). See `ActivationStats` for the definitions.
    """
    slope = local_slopes(s, out, activation)
    saturated = np.mean((slope > 0) & (slope < threshold))
    dead = np.mean(np.all(slope == 0, axis=0))
    return ActivationStats(float(np.std(out)), float(saturated), float(dead))


class Diagnostics:
    """A `train` callback that records every `every`-th step (chapter 8).

    After training, each attribute is an array with one row per recorded
    step and one column per layer: grad_norms and update_ratios for every
    layer; act_std, saturated and dead for the hidden layers (not the
    output layer). `steps` lists the (epoch, batch) of each row.
    """

    def __init__(self, every: int = 1, threshold: float = 0.01):
        self.every = _checks.positive_int(every, "every")
        self.threshold = _checks.positive_real(threshold, "threshold",
                                               zero_ok=True)
        self._seen = 0
        self.steps: list[tuple[int, int]] = []
        self._rows: dict[str, list] = {
            name: [] for name in ("grad_norms", "update_ratios", "act_std",
                                  "saturated", "dead")}

    def __call__(self, step: TrainingStep) -> None:
        self._seen += 1
        if (self._seen - 1) % self.every:
            return
        self.steps.append((step.epoch, step.batch))
        rows = self._rows
        rows["grad_norms"].append(gradient_norms(step.dW))
        rows["update_ratios"].append(
            update_ratios(step.W, step.dW, step.learning_rate))
        S, Out = step.layer_io()
        stats = [activation_stats(s, out, act, self.threshold)
                 for s, out, act in zip(S[:-1], Out[:-1],
                                        step.activations[:-1])]
        rows["act_std"].append([st.std for st in stats])
        rows["saturated"].append([st.saturated for st in stats])
        rows["dead"].append([st.dead for st in stats])

    def __getattr__(self, name):
        # Only reached for names that are not ordinary attributes.
        rows = self.__dict__.get("_rows", {})
        if name in rows:
            return np.array(rows[name], dtype=float)
        raise AttributeError(name)
