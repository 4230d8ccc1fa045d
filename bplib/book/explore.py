"""How learning rate, batch size and width shape a learning curve.

Chapter 3 turns three knobs of the training loop and watches the curves.
`learning_curve` trains one network and returns its History;
`learning_curve_grid` runs every combination of some settings (the book's
static figure); `explorer` puts sliders on `learning_curve` for people
running the notebook in Jupyter; `plot_history` draws what they measured.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from .. import _checks
from ..training import History, TrainingDiverged, train

__all__ = ["learning_curve", "learning_curve_grid", "Run", "explorer",
           "plot_history"]


def learning_curve(X, Y, X_val, Y_val, *, learning_rate: float,
                   batch_size: int, hidden, n_epochs: int = 20,
                   activation="relu", output="softmax", loss="cce",
                   metric=None, rng=0, method: str = "batched") -> History:
    """Train a network and return its learning curves (chapter 3).

    The architecture is [n_0, hidden, n_L], with n_0 and n_L the column
    counts of X and Y: `hidden` is the width of the hidden layer, or a
    list of widths for several (an empty list: no hidden layer).
    `activation` is every hidden layer's, `output` the last layer's. The
    other arguments are `train`'s; (X_val, Y_val) is its
    validation_data. Raises TrainingDiverged as `train` does.
    """
    widths = _checks.widths(hidden)
    X = _checks.as_array(X, "X", ndim=2)
    Y = _checks.as_array(Y, "Y", ndim=2)
    architecture = [X.shape[1], *widths, Y.shape[1]]
    activations = [activation] * len(widths) + [output]
    _, _, history = train(X, Y, architecture, learning_rate, n_epochs,
                          batch_size, activations=activations, loss=loss,
                          rng=rng, method=method,
                          validation_data=(X_val, Y_val), metric=metric)
    return history


@dataclass(frozen=True)
class Run:
    """One run of `learning_curve_grid`: its settings and what came out.

    Chapter 3 plots a grid of them.

    history: the learning curves; for a run that diverged, the epochs
    before it did. diverged: the TrainingDiverged it stopped with, or None
    if it ran every epoch.
    """

    learning_rate: float
    batch_size: int
    hidden: object
    history: History
    diverged: TrainingDiverged | None = None


def learning_curve_grid(X, Y, X_val, Y_val, *,
                        learning_rates: Sequence[float],
                        batch_sizes: Sequence[int], hiddens: Sequence,
                        **options) -> list[Run]:
    """`learning_curve` for every combination of the three settings.

    Runs in the order of itertools.product(learning_rates, batch_sizes,
    hiddens); `options` go to every call (chapter 3). A run that diverges
    does not stop the grid: its Run keeps the curve up to divergence and
    the error.
    """
    grid = [_checks.settings(learning_rates, "learning_rates"),
            _checks.settings(batch_sizes, "batch_sizes"),
            _checks.settings(hiddens, "hiddens")]
    runs = []
    for learning_rate, batch_size, hidden in itertools.product(*grid):
        try:
            history = learning_curve(
                X, Y, X_val, Y_val, learning_rate=learning_rate,
                batch_size=batch_size, hidden=hidden, **options)
            diverged = None
        except TrainingDiverged as error:
            history, diverged = error.history, error
        runs.append(Run(learning_rate, batch_size, hidden, history,
                        diverged))
    return runs


def plot_history(history: History, ax=None, *, which: str = "loss",
                 label: str | None = None, color=None,
                 validation: bool = True):
    """Draw one quantity of a History against the epoch (chapter 3).

    which: "loss" or "metric". The training set's curve is solid and,
    if `validation` and it was recorded, the validation set's dashed, in
    the same colour. label names the solid curve in the legend (by
    default "training set"; the dashed one is then "validation set").
    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt  # here: the rest needs numpy only

    _checks.choice(which, ("loss", "metric"), "which")
    _checks.instance(history, History, "history")
    train_values = _checks.recorded(getattr(history, which), "history", which)
    if ax is None:
        _, ax = plt.subplots()
    line, = ax.plot(range(len(train_values)), train_values, color=color,
                    label=label or "training set")
    val_values = getattr(history, f"val_{which}")
    if validation and val_values:
        ax.plot(range(len(val_values)), val_values, "--",
                color=line.get_color(),
                label="_validation" if label else "validation set")
    ax.set_xlabel("epoch")
    ax.set_ylabel(which)
    return ax


def explorer(X, Y, X_val, Y_val, *,
             learning_rates: Sequence[float] = (0.001, 0.003, 0.01, 0.03,
                                                0.1, 0.3, 1.0, 3.0),
             batch_sizes: Sequence[int] = (1, 4, 16, 64, 256),
             hiddens: Sequence = (2, 8, 32, 128),
             metric_name: str = "metric",
             legend: Sequence[str] = ("training set", "validation set"),
             **options):
    """Sliders over `learning_curve` for Jupyter (chapter 3).

    Returns an ipywidgets interactive with a slider for each setting
    (starting at the middle value) and a Train button. Each press trains
    a network with `learning_curve` and draws its loss and, if `options`
    has a metric, the metric; the widget's `result` is the History
    drawn. A diverging setting draws the epochs before it diverged and
    names the epoch and batch in the title. `legend` names the curves of
    (X, Y) and of (X_val, Y_val). Nothing is trained until the first
    press, so creating the explorer is instant.
    """
    import ipywidgets
    import matplotlib.pyplot as plt

    def slider(values, argname, description):
        values = _checks.settings(values, argname)
        return ipywidgets.SelectionSlider(
            options=[(f"{v}", v) for v in values],
            value=values[len(values) // 2], description=description,
            continuous_update=False,
            # wide enough for "hidden width", the longest, and the same
            # for all three so that the sliders line up
            style={"description_width": "7em"})

    def draw(learning_rate, batch_size, hidden):
        try:
            history = learning_curve(
                X, Y, X_val, Y_val, learning_rate=learning_rate,
                batch_size=batch_size, hidden=hidden, **options)
            title = (f"η = {learning_rate:g}, batch size {batch_size}, "
                     f"hidden width {hidden}")
        except TrainingDiverged as error:
            history = error.history
            title = (f"η = {learning_rate:g} diverged in epoch "
                     f"{error.epoch}, batch {error.batch}")
        panels = ["loss"] + (["metric"] if history.metric else [])
        fig, axes = plt.subplots(1, len(panels), squeeze=False,
                                 figsize=(4.5 * len(panels), 3.5))
        for ax, which in zip(axes[0], panels):
            plot_history(history, ax, which=which)
            ax.set_ylabel(metric_name if which == "metric" else "loss")
        # Explicit limits: autoscaling a log axis to a diverged loss near
        # 1e300 overflows.
        losses = history.loss + history.val_loss
        axes[0, 0].set_ylim(min(losses) / 2, min(2 * max(losses), 1e300))
        axes[0, 0].set_yscale("log")
        axes[0, 0].legend(list(legend))
        fig.suptitle(title)
        plt.show()
        return history

    return ipywidgets.interactive(
        draw, {"manual": True, "manual_name": "Train"},
        learning_rate=slider(learning_rates, "learning_rates", "η"),
        batch_size=slider(batch_sizes, "batch_sizes", "batch size"),
        hidden=slider(hiddens, "hiddens", "hidden width"))
