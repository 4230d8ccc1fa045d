"""Diagnostics (bplib.diagnostics) and chapter 8's experiments (bplib.book.experiments): each
statistic against its definition written out here, the training callback, and the sweep and
explorer."""

import math

import numpy as np
import pytest

import bplib as bp


def test_gradient_norms_and_ratio():
    dW = [np.full((2, 2), 3.0), np.array([[3.0, 4.0]])]
    norms = bp.gradient_norms(dW)
    assert np.allclose(norms, [6.0, 5.0])
    assert bp.first_last_ratio(norms) == pytest.approx(1.2)
    with pytest.raises(ValueError, match="norms"):
        bp.first_last_ratio([1.0])


def test_update_ratio_is_step_over_weight():
    W = [np.array([[3.0, 4.0]])]
    dW = [np.array([[0.0, 10.0]])]
    assert np.allclose(bp.update_ratios(W, dW, 0.01), [0.1 / 5])


def test_activation_stats_count_dead_and_saturated_units():
    # ReLU: unit 0 is negative on every sample (dead), unit 1 on one of two
    s = np.array([[-1.0, 2.0, 3.0], [-2.0, -1.0, 4.0]])
    stats = bp.activation_stats(s, bp.activations.relu(s), bp.activations.relu)
    assert stats.dead == pytest.approx(1 / 3) and stats.saturated == 0
    assert stats.std == pytest.approx(np.std(np.maximum(s, 0)))
    # sigmoid: σ'(10) ≈ 4.5e-5 is saturated, σ'(0) = 0.25 is not; nothing is dead
    s = np.array([[10.0, 0.0], [-10.0, 0.0]])
    stats = bp.activation_stats(s, bp.activations.sigmoid(s), bp.activations.sigmoid)
    assert stats.saturated == pytest.approx(0.5) and stats.dead == 0
    # leaky ReLU never has a zero slope
    s = -np.ones((3, 2))
    leaky = bp.activations.leaky_relu
    assert bp.activation_stats(s, leaky(s), leaky).dead == 0


def test_diagnostics_callback_records_every_kth_step():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    Y = np.eye(2)[(X[:, 0] > 0).astype(int)]
    diag = bp.Diagnostics(every=2)
    bp.train(X, Y, [3, 5, 5, 2], 0.1, 3, 10, activations=["relu", "relu", "softmax"],
             loss="cce", rng=1, callback=diag)
    assert len(diag.steps) == 6 and diag.steps[:2] == [(1, 1), (1, 3)]
    assert diag.grad_norms.shape == diag.update_ratios.shape == (6, 3)
    assert diag.act_std.shape == diag.dead.shape == diag.saturated.shape == (6, 2)
    assert np.all(diag.grad_norms > 0) and np.all(diag.update_ratios > 0)
    with pytest.raises(AttributeError):
        diag.nonexistent
    with pytest.raises(ValueError, match="every"):
        bp.Diagnostics(every=0)
    for options in ({}, {"batch_norm": True}):
        with pytest.raises(TypeError, match="callback: expected a function"):
            bp.train(X, Y, [3, 5, 2], 0.1, 1, 10, activations=["relu", "softmax"],
                     loss="cce", callback=42, **options)


def test_callback_sees_the_gradients_that_are_applied():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(8, 3))
    Y = rng.normal(size=(8, 2))
    seen = []

    def callback(step):
        seen.append(([w.copy() for w in step.W], [g.copy() for g in step.dW], step.learning_rate))
        S, Out = step.layer_io()
        assert np.allclose(Out[0], np.tanh(S[0]))

    W, _, _ = bp.train(X, Y, [3, 4, 2], 0.3, 1, 8, activations=["tanh", "identity"],
                       loss="mse", rng=2, callback=callback)
    (W_before, dW, lr), = seen
    for l in range(2):
        assert np.allclose(W[l], W_before[l] - lr * dW[l])


def digits_subset(n=120):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 8))
    Y = np.eye(3)[np.argmax(X[:, :3], axis=1)]
    return X, Y


def test_sigmoid_gradients_vanish_and_relu_he_gradients_do_not():
    X, Y = digits_subset()
    common = dict(depth=10, width=16, n_epochs=1)
    sigmoid = bp.book.deep_experiment(X, Y, activation="sigmoid", init="xavier", **common)
    relu = bp.book.deep_experiment(X, Y, activation="relu", init="he", **common)
    assert sigmoid.ratio < 1e-3 < 0.1 < relu.ratio
    assert len(sigmoid.grad_norms) == 11 and len(sigmoid.losses) == 2


def test_experiment_reports_divergence_and_dead_units():
    X, Y = digits_subset()
    blown = bp.book.deep_experiment(X, Y, depth=12, width=32, init="standard", learning_rate=0.5,
                               n_epochs=3)
    assert blown.diverged and math.isnan(blown.final_loss) and math.isnan(blown.dead)
    ok = bp.book.deep_experiment(X, Y, depth=3, width=8, n_epochs=2, batch_norm=True, residual=True)
    assert not ok.diverged and 0 <= ok.dead <= 1 and ok.final_loss == ok.losses[-1]


def test_sweep_runs_the_product_and_the_table_shows_every_run():
    X, Y = digits_subset(60)
    results = bp.book.sweep(X, Y, {"activation": ["tanh", "relu"], "batch_norm": [False, True]},
                       depth=3, width=6, n_epochs=1)
    assert [(r.config["activation"], r.config["batch_norm"]) for r in results] == [
        ("tanh", False), ("tanh", True), ("relu", False), ("relu", True)]
    table = bp.book.format_table(results, ["activation", "batch_norm"]).splitlines()
    assert table[0].split()[:2] == ["activation", "batch_norm"] and len(table) == 5
    assert f"{results[3].final_loss:.3f}" in table[4]


def test_explorer_config_maps_each_fix():
    assert bp.book.explorer_config(12, "tanh", "xavier", "residual") == dict(
        depth=12, activation="tanh", init="xavier", residual=True)
    assert bp.book.explorer_config(5, "relu", "he", "clip")["clip_norm"] == 1.0
    with pytest.raises(ValueError, match="fix"):
        bp.book.explorer_config(5, "relu", "he", "dropout")


def test_plot_experiment_draws_both_panels():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    X, Y = digits_subset(60)
    result = bp.book.deep_experiment(X, Y, depth=3, width=6, n_epochs=2)
    fig = bp.book.plot_experiment(result)
    left, right = fig.axes
    assert len(left.lines[0].get_xdata()) == 4 and len(right.lines[0].get_xdata()) == 3
    plt.close(fig)


@pytest.mark.parametrize("call, error, argname", [
    (lambda: bp.Diagnostics(every=0), ValueError, "every"),
    (lambda: bp.Diagnostics(every=2.0), TypeError, "every"),
    (lambda: bp.Diagnostics(threshold=-0.1), ValueError, "threshold"),
    (lambda: bp.book.deep_experiment(*digits_subset(), depth=0), ValueError, "depth"),
    (lambda: bp.book.deep_experiment(*digits_subset(), depth=2.5), TypeError, "depth"),
    (lambda: bp.book.explorer_config(2, "relu", "he", "dropout"), ValueError, "fix"),
])
def test_bad_options_get_the_same_error_type_as_everywhere_else(call, error, argname):
    # A wrong type is a TypeError and a wrong value a ValueError, as in every other bplib check.
    with pytest.raises(error, match=f"^{argname}: "):
        call()


def test_plot_experiment_titles_the_fix():
    # The chapter 8 explorer's figure says which fix it shows, or that it shows none.
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    X, Y = digits_subset(60)
    for fix, named in [("none", "no fix"), ("batch_norm", "batch norm"), ("residual", "residual"),
                       ("clip", "clipped at 1")]:
        config = bp.book.explorer_config(3, "relu", "he", fix)
        fig = bp.book.plot_experiment(bp.book.deep_experiment(X, Y, width=6, n_epochs=1, **config))
        assert fig.get_suptitle() == f"depth 3, relu, he init, {named}"
        plt.close(fig)
