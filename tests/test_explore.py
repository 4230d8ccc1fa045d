"""bplib.book.explore, the learning curves of chapter 3: learning_curve is train on the architecture
its `hidden` describes, the grid runs every combination and keeps diverged runs, plot_history draws
what the History holds, and the explorer trains only on demand and shows what learning_curve
returns."""

import json
import re

import matplotlib

matplotlib.use("Agg")  # no display in the tests

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bplib as bp

from support import ROOT


def classification(n=24, n_in=3, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in))
    return X, np.eye(n_classes)[rng.integers(n_classes, size=n)]


def regression(n=16, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, X @ np.array([[2.0], [-1.0]]) + 0.5


def accuracy(Y, Y_hat):
    return np.mean(Y.argmax(axis=1) == Y_hat.argmax(axis=1))


X, Y = classification()
X_VAL, Y_VAL = classification(n=10, seed=1)
DATA = (X, Y, X_VAL, Y_VAL)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def train_history(architecture, activations, **options):
    """bp.train on the same data and validation data, its History only."""
    settings = dict(learning_rate=0.1, n_epochs=3, batch_size=8, loss="cce", rng=0) | options
    return bp.train(X, Y, architecture, settings.pop("learning_rate"), settings.pop("n_epochs"),
                    settings.pop("batch_size"), activations=activations,
                    validation_data=(X_VAL, Y_VAL), **settings)[2]


# ---------------------------------------------------------------- learning_curve
@given(hidden=st.lists(st.integers(1, 5), max_size=3))
def test_learning_curve_is_train_on_the_architecture_hidden_describes(hidden):
    history = bp.book.learning_curve(*DATA, learning_rate=0.1, batch_size=8, hidden=hidden,
                                     n_epochs=3, metric=accuracy)
    expected = train_history([3, *hidden, 3], ["relu"] * len(hidden) + ["softmax"], metric=accuracy)
    assert history == expected


def test_one_width_means_one_hidden_layer():
    one = bp.book.learning_curve(*DATA, learning_rate=0.1, batch_size=8, hidden=4, n_epochs=2)
    listed = bp.book.learning_curve(*DATA, learning_rate=0.1, batch_size=8, hidden=[4], n_epochs=2)
    assert one == listed == train_history([3, 4, 3], ["relu", "softmax"], n_epochs=2)


def test_learning_curve_passes_activations_loss_seed_and_method_on():
    X_r, Y_r = regression()
    options = dict(learning_rate=0.05, batch_size=5, hidden=[3], n_epochs=4, activation="tanh",
                   output="identity", loss="mse", rng=7)
    batched = bp.book.learning_curve(X_r, Y_r, X_r, Y_r, **options)
    per_sample = bp.book.learning_curve(X_r, Y_r, X_r, Y_r, method="per_sample", **options)
    _, _, expected = bp.train(X_r, Y_r, [2, 3, 1], 0.05, 4, 5, activations=["tanh", "identity"],
                              loss="mse", rng=7, validation_data=(X_r, Y_r))
    assert batched == expected
    np.testing.assert_allclose(per_sample.loss, expected.loss, rtol=1e-12)
    assert len(batched.loss) == len(batched.val_loss) == 5
    assert batched.metric == batched.val_metric == []
    assert batched.loss[-1] < batched.loss[0]


def test_learning_curve_raises_training_diverged_like_train():
    X_r, Y_r = regression()
    with pytest.raises(bp.TrainingDiverged) as caught:
        bp.book.learning_curve(X_r, Y_r * 1e3, X_r, Y_r, learning_rate=50.0, batch_size=4,
                               hidden=[8], activation="tanh", output="identity", loss="mse",
                               n_epochs=50)
    assert caught.value.epoch >= 1 and 1 <= caught.value.batch <= 4
    assert all(np.isfinite(caught.value.history.loss))


@pytest.mark.parametrize("hidden, error, names", [
    ("8", TypeError, "hidden"),
    (2.5, TypeError, "hidden"),
    (0, ValueError, "hidden"),
    ([4, 0], ValueError, "hidden[1]"),
    ([4, True], TypeError, "hidden[1]"),
])
def test_a_bad_hidden_is_named(hidden, error, names):
    with pytest.raises(error, match=rf"^{re.escape(names)}:"):
        bp.book.learning_curve(*DATA, learning_rate=0.1, batch_size=8, hidden=hidden)


def test_one_dimensional_targets_get_a_clear_message():
    with pytest.raises(ValueError, match=r"^Y: .*reshape\(-1, 1\)"):
        bp.book.learning_curve(X, Y[:, 0], X_VAL, Y_VAL, learning_rate=0.1, batch_size=8, hidden=2)


# ---------------------------------------------------------------- learning_curve_grid
def test_the_grid_runs_every_combination_in_product_order():
    runs = bp.book.learning_curve_grid(*DATA, learning_rates=[0.01, 0.1], batch_sizes=[4, 24],
                                       hiddens=[2, [3, 3]], n_epochs=2, metric=accuracy)
    settings = [(r.learning_rate, r.batch_size, r.hidden) for r in runs]
    assert settings == [(lr, k, h) for lr in (0.01, 0.1) for k in (4, 24) for h in (2, [3, 3])]
    for r in runs:
        assert r.diverged is None
        assert r.history == bp.book.learning_curve(*DATA, learning_rate=r.learning_rate,
                                                   batch_size=r.batch_size, hidden=r.hidden,
                                                   n_epochs=2, metric=accuracy)


def test_a_diverging_run_keeps_its_curve_and_does_not_stop_the_grid():
    X_r, Y_r = regression()
    runs = bp.book.learning_curve_grid(X_r, Y_r * 1e3, X_r, Y_r, learning_rates=[50.0, 0.01],
                                       batch_sizes=[4], hiddens=[8], activation="tanh",
                                       output="identity", loss="mse", n_epochs=50)
    diverged, fine = runs
    assert isinstance(diverged.diverged, bp.TrainingDiverged)
    assert diverged.history is diverged.diverged.history
    assert len(diverged.history.loss) == diverged.diverged.epoch  # the epochs before the divergence
    assert fine.diverged is None and len(fine.history.loss) == 51


@pytest.mark.parametrize("argname, value, error", [
    ("learning_rates", [], ValueError),
    ("batch_sizes", 8, TypeError),
    ("hiddens", "4", TypeError),
])
def test_bad_grid_settings_are_named(argname, value, error):
    settings = dict(learning_rates=[0.1], batch_sizes=[8], hiddens=[4]) | {argname: value}
    with pytest.raises(error, match=rf"^{argname}:"):
        bp.book.learning_curve_grid(*DATA, **settings)


# ---------------------------------------------------------------- plot_history
def test_plot_history_draws_the_training_and_validation_values():
    history = bp.book.learning_curve(*DATA, learning_rate=0.1, batch_size=8, hidden=4, n_epochs=3,
                                metric=accuracy)
    ax = bp.book.explore.plot_history(history, which="metric", label="η = 0.1")
    train_line, val_line = ax.get_lines()
    np.testing.assert_array_equal(train_line.get_ydata(), history.metric)
    np.testing.assert_array_equal(val_line.get_ydata(), history.val_metric)
    np.testing.assert_array_equal(train_line.get_xdata(), history.epochs)
    assert train_line.get_linestyle() == "-" and val_line.get_linestyle() == "--"
    assert train_line.get_color() == val_line.get_color()
    assert [t.get_text() for t in ax.legend().get_texts()] == ["η = 0.1"]
    assert ax.get_xlabel() == "epoch"

    _, ax = plt.subplots()
    assert bp.book.explore.plot_history(history, ax, validation=False) is ax
    (only,) = ax.get_lines()
    np.testing.assert_array_equal(only.get_ydata(), history.loss)


def test_plot_history_refuses_what_it_cannot_draw():
    history = bp.book.learning_curve(*DATA, learning_rate=0.1, batch_size=8, hidden=4, n_epochs=1)
    with pytest.raises(ValueError, match="^history: no metric"):
        bp.book.explore.plot_history(history, which="metric")
    with pytest.raises(ValueError, match="^which:"):
        bp.book.explore.plot_history(history, which="accuracy")
    with pytest.raises(TypeError, match="^history:"):
        bp.book.explore.plot_history(history.loss)


# ---------------------------------------------------------------- explorer
def test_the_explorer_has_a_slider_per_knob_and_trains_only_on_demand():
    widget = bp.book.explore.explorer(*DATA, learning_rates=[0.01, 0.1, 1.0], batch_sizes=[4, 8],
                                 hiddens=[2, 4, 8], metric=accuracy, n_epochs=2)
    assert isinstance(widget, ipywidgets.interactive)
    sliders = {w._kwarg: w for w in widget.kwargs_widgets}
    assert set(sliders) == {"learning_rate", "batch_size", "hidden"}
    assert sliders["learning_rate"].options == (("0.01", 0.01), ("0.1", 0.1), ("1.0", 1.0))
    # each slider starts in the middle of its values
    assert (sliders["learning_rate"].value, sliders["batch_size"].value,
            sliders["hidden"].value) == (0.1, 8, 4)
    assert widget.result is None and plt.get_fignums() == []  # nothing trained yet

    sliders["hidden"].value = 8
    widget.manual_button.click()
    assert widget.result == bp.book.learning_curve(*DATA, learning_rate=0.1, batch_size=8, hidden=8,
                                              metric=accuracy, n_epochs=2)
    (figure,) = map(plt.figure, plt.get_fignums())
    assert len(figure.axes) == 2  # loss and metric
    assert figure.get_suptitle() == "η = 0.1, batch size 8, hidden width 8"


def test_the_explorer_shows_a_divergence_instead_of_failing():
    X_r, Y_r = regression()
    widget = bp.book.explore.explorer(X_r, Y_r * 1e3, X_r, Y_r, learning_rates=[50.0],
                                      batch_sizes=[4], hiddens=[8], activation="tanh",
                                      output="identity", loss="mse", n_epochs=50)
    widget.manual_button.click()
    history = widget.result
    assert isinstance(history, bp.History) and len(history.loss) < 51
    (figure,) = map(plt.figure, plt.get_fignums())
    assert len(figure.axes) == 1  # no metric was given
    assert figure.get_suptitle().startswith("η = 50 diverged in epoch ")


def test_the_explorer_names_its_curves_and_shows_whole_labels():
    widget = bp.book.explore.explorer(*DATA, learning_rates=[0.1], batch_sizes=[8], hiddens=[4],
                                      n_epochs=1, legend=("training part", "test part"))
    # one description width for all three sliders, wide enough for "hidden width"
    assert {w.style.description_width for w in widget.kwargs_widgets} == {"7em"}
    widget.manual_button.click()
    (figure,) = map(plt.figure, plt.get_fignums())
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend == ["training part", "test part"]


def test_the_explorer_checks_its_settings():
    with pytest.raises(ValueError, match="^hiddens:"):
        bp.book.explore.explorer(*DATA, hiddens=[])


# ---------------------------------------------------------------- the chapter's notebook
def test_chapter_3_explorer_cell_shows_nothing_in_the_book():
    # The live widget needs a kernel: its cell's output stays out of the book and out of nbval
    # (tests/test_notebooks.py checks that no notebook keeps widget state or views).
    notebook = json.loads((ROOT / "book" / "03_training.ipynb").read_text())
    widget_cells = [cell for cell in notebook["cells"] if "explorer(" in "".join(cell["source"])]
    assert widget_cells, "the explorer cell is gone"
    for cell in widget_cells:
        assert {"remove-output", "nbval-ignore-output"} <= set(cell["metadata"].get("tags", []))
