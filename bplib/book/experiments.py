"""Chapter 8's experiments on deep networks, as functions pytest can run.

One experiment builds a deep, equal-width network on a data set, measures
its per-layer gradient norms at initialisation, trains it briefly, and
reports how it went. The chapter's dashboard is a `sweep` of experiments;
its live explorer calls `deep_experiment` through `explorer_config`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .. import _checks
from ..deep import deep_backprop, init_deep
from ..diagnostics import activation_stats, first_last_ratio, gradient_norms
from ..training import TrainingDiverged, train

__all__ = ["ExperimentResult", "deep_experiment", "sweep", "format_table",
           "explorer_config", "plot_experiment", "EXPLORER_FIXES"]

#: the fixes the explorer offers, as deep_experiment arguments
EXPLORER_FIXES = {
    "none": {},
    "batch_norm": {"batch_norm": True},
    "residual": {"residual": True},
    "clip": {"clip_norm": 1.0},
}


@dataclass(frozen=True)
class ExperimentResult:
    """What one `deep_experiment` measured (chapter 8).

    grad_norms: ‖∂L/∂Wˡ‖ per layer at initialisation, on the whole data;
    ratio: first/last of those; losses: the training loss per epoch
    (shorter if training diverged); final_loss: the last one, NaN if
    diverged; dead, saturated: over all hidden units after training
    (see `activation_stats`).
    """

    config: dict
    grad_norms: np.ndarray
    ratio: float
    losses: list
    final_loss: float
    diverged: bool
    dead: float
    saturated: float


def deep_experiment(X, Y, *, depth: int = 10, width: int = 32,
                    activation: str = "relu", init: str = "he",
                    batch_norm: bool = False, residual: bool = False,
                    clip_norm: float | None = None,
                    learning_rate: float = 0.05, n_epochs: int = 5,
                    batch_size: int = 64, rng=0) -> ExperimentResult:
    """Measure and briefly train a network of `depth` hidden layers.

    Architecture [n_0, width × depth, n_L], `activation` on every hidden
    layer, softmax output with cross-entropy (Y one-hot). batch_norm and
    residual are as in `layer_flags` (True: every hidden layer that can).
    The same rng gives the same initial weights whatever the fix (ch. 8).
    """
    depth = _checks.positive_int(depth, "depth")
    config = dict(depth=depth, width=width, activation=activation,
                  init=init, batch_norm=batch_norm, residual=residual,
                  clip_norm=clip_norm, learning_rate=learning_rate,
                  n_epochs=n_epochs, batch_size=batch_size)
    sizes = [np.shape(X)[1], *[width] * depth, np.shape(Y)[1]]
    acts = [activation] * depth + ["softmax"]
    net = init_deep(sizes, acts, batch_norm=batch_norm, residual=residual,
                    scheme=init, rng=rng)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        norms = gradient_norms(deep_backprop(X, Y, net, "cce").dW)
    try:
        _, _, history = train(X, Y, sizes, learning_rate, n_epochs,
                              batch_size, activations=acts, loss="cce",
                              rng=rng, init=init, clip_norm=clip_norm,
                              batch_norm=batch_norm, residual=residual)
        diverged = False
        net = history.net
    except TrainingDiverged as error:
        history, diverged = error.history, True
    dead = saturated = math.nan
    if not diverged:
        with np.errstate(over="ignore", invalid="ignore"):
            S, Out = net.layer_io(np.asarray(X, float), training=False)
            stats = [activation_stats(s, out, act) for s, out, act
                     in zip(S[:-1], Out[:-1], net.activations[:-1])]
        dead = float(np.mean([st.dead for st in stats]))
        saturated = float(np.mean([st.saturated for st in stats]))
    return ExperimentResult(
        config, norms, first_last_ratio(norms), list(history.loss),
        math.nan if diverged else history.loss[-1], diverged, dead,
        saturated)


def sweep(X, Y, grid: dict, **fixed) -> list[ExperimentResult]:
    """deep_experiment for every combination of the lists in `grid`,
    with `fixed` arguments; in the order of itertools.product."""
    names = list(grid)
    return [deep_experiment(X, Y, **fixed, **dict(zip(names, values)))
            for values in itertools.product(*grid.values())]


def format_table(results: list[ExperimentResult], columns: list[str]) -> str:
    """A text table: the `columns` of each config, then final loss, the
    gradient ratio first/last layer and the dead fraction, rounded."""
    header = [*columns, "final loss", "ratio 1/L", "dead"]
    rows = []
    for r in results:
        loss = "diverged" if r.diverged else f"{r.final_loss:.3f}"
        dead = "-" if math.isnan(r.dead) else f"{r.dead:.2f}"
        rows.append([str(r.config[c]) for c in columns]
                    + [loss, f"{r.ratio:.1e}", dead])
    widths = [max(len(row[i]) for row in [header, *rows])
              for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths))
                     .rstrip() for row in [header, *rows])


def explorer_config(depth: int, activation: str, init: str,
                    fix: str) -> dict:
    """deep_experiment's arguments for the explorer's four controls."""
    _checks.choice(fix, tuple(EXPLORER_FIXES), "fix")
    return dict(depth=depth, activation=activation, init=init,
                **EXPLORER_FIXES[fix])


def plot_experiment(result: ExperimentResult, title: str | None = None):
    """Two panels: gradient norms per layer, and the training loss.

    The default title names the depth, activation, initialisation and
    fixes (batch norm, residual, clipping; or "no fix") of the run.
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    layers = np.arange(1, len(result.grad_norms) + 1)
    left.semilogy(layers, result.grad_norms, "o-")
    left.set(xlabel="layer l", ylabel="‖∂L/∂Wˡ‖ at initialisation",
             title="gradient norm per layer")
    right.plot(range(len(result.losses)), result.losses, "o-")
    right.set(xlabel="epoch", ylabel="training loss",
              title="diverged" if result.diverged else "training loss")
    c = result.config
    fixes = [name for name, on in [("batch norm", c.get("batch_norm")),
                                   ("residual", c.get("residual"))] if on]
    if c.get("clip_norm") is not None:
        fixes.append(f"clipped at {c['clip_norm']:g}")
    fig.suptitle(title or f"depth {c['depth']}, {c['activation']}, "
                 f"{c['init']} init, {', '.join(fixes) or 'no fix'}")
    fig.set_layout_engine("constrained")
    return fig
