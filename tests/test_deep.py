"""Deep networks with batch normalisation and residual connections (bplib.deep): gradients against
central differences, agreement with the plain network, the training path, and argument errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bplib as bp

from support import assert_gradients_match, random_targets

SMOOTH = ["sigmoid", "tanh", "elu"]
OUTPUTS = [("identity", "mse"), ("sigmoid", "bce"), ("softmax", "cce")]


def assert_deep_backprop_matches_central_differences(net, X, Y, loss):
    """deep_backprop's W, b, γ, β against central differences of the training-mode loss. A BN
    layer's b has a true gradient of 0 (BN subtracts any shift of z): backpropagation must give 0 up
    to rounding, and the helper's rounding bound compares it with a central difference that is
    itself only rounding."""
    grads = bp.deep_backprop(X, Y, net, loss)
    arrays, analytic, names = [], [], []
    for l in range(net.n_layers):
        arrays += [net.W[l], net.b[l]]
        analytic += [grads.dW[l], grads.db[l]]
        names += [f"W{l + 1}", f"b{l + 1}"]
        if net.batch_norm[l]:
            assert np.abs(grads.db[l]).max() < 1e-10, \
                f"layer {l + 1}: BN subtracts any shift of z, ∂L/∂b is 0"
            arrays += [net.gamma[l], net.beta[l]]
            analytic += [grads.dgamma[l], grads.dbeta[l]]
            names += [f"γ{l + 1}", f"β{l + 1}"]
    assert_gradients_match(lambda: bp.deep_loss(X, Y, net, loss, training=True), arrays, analytic,
                           names, context=f"{[w.shape for w in net.W]} "
                                          f"{[a.name for a in net.activations]} "
                                          f"BN {net.batch_norm} skips {net.residual}: ")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), hidden=st.sampled_from(SMOOTH),
       output=st.sampled_from(OUTPUTS), depth=st.integers(2, 4), width=st.integers(2, 4),
       n_samples=st.integers(3, 6), bn=st.lists(st.booleans(), min_size=4, max_size=4),
       res=st.lists(st.booleans(), min_size=4, max_size=4))
def test_gradients_with_batch_norm_and_residual_match_central_differences(
        seed, hidden, output, depth, width, n_samples, bn, res):
    rng = np.random.default_rng(seed)
    act, loss = output
    n_out = max(2, width - 1)
    sizes = [3] + [width] * depth + [n_out]
    bn_flags = bn[:depth] + [False]
    # the first hidden layer maps 3 units to `width`: a skip there only when they agree
    res_flags = [r and (l > 0 or width == 3) for l, r in enumerate(res[:depth])] + [False]
    net = bp.init_deep(sizes, [hidden] * depth + [act], batch_norm=bn_flags,
                       residual=res_flags, scheme="xavier", rng=rng)
    for l in range(depth):   # move γ, β, b off their initial values so all terms matter
        net.b[l] += rng.normal(0, 0.3, size=width)
        if bn_flags[l]:
            net.gamma[l] += rng.normal(0, 0.3, size=width)
            net.beta[l] += rng.normal(0, 0.3, size=width)
    X = rng.normal(size=(n_samples, 3))
    Y = random_targets(rng, loss, n_samples, n_out)
    assert_deep_backprop_matches_central_differences(net, X, Y, loss)


def test_relu_residual_batch_norm_network_gradcheck_away_from_kinks():
    rng = np.random.default_rng(7)
    sizes = [4, 6, 6, 6, 3]
    net = bp.init_deep(sizes, ["relu"] * 3 + ["softmax"], batch_norm=True, residual=True,
                       rng=1)
    X = rng.normal(size=(8, 4))
    Y = np.eye(3)[rng.integers(3, size=8)]
    S = bp.deep_forward(X, net, training=True)[1]
    assert min(np.abs(s).min() for s in S[:-1]) > 1e-4   # no s within h of ReLU's kink
    assert_deep_backprop_matches_central_differences(net, X, Y, "cce")


def test_without_batch_norm_or_skips_it_is_the_plain_network():
    rng = np.random.default_rng(3)
    sizes, acts = [5, 7, 7, 3], ["tanh", "relu", "softmax"]
    net = bp.init_deep(sizes, acts, rng=4)
    W, b = bp.init_params(sizes, rng=4)
    assert all(np.array_equal(u, v) for u, v in zip(net.W, W))
    X = rng.normal(size=(10, 5))
    Y = np.eye(3)[rng.integers(3, size=10)]
    grads = bp.deep_backprop(X, Y, net, "cce")
    dW, db = bp.backprop_batch(X, Y, W, b, acts, "cce")
    for l in range(3):
        assert np.allclose(grads.dW[l], dW[l], rtol=1e-12, atol=1e-15)
        assert np.allclose(grads.db[l], db[l], rtol=1e-12, atol=1e-15)
    assert np.allclose(bp.deep_predict(X, net), bp.predict(X, W, b, acts))


def test_skip_connection_adds_the_input():
    net = bp.init_deep([3, 3, 1], ["tanh", "identity"], residual=[True, False], rng=0)
    X = np.random.default_rng(0).normal(size=(4, 3))
    A, S = bp.deep_forward(X, net)
    assert np.allclose(A[1], X + np.tanh(X @ net.W[0].T + net.b[0]))


def digits_like(seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    Y = np.eye(3)[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
    return X, Y


def test_train_without_the_new_options_ignores_a_callback():
    X, Y = digits_like()
    args = (X, Y, [4, 6, 3], 0.1, 3, 8)
    kw = dict(activations=["tanh", "softmax"], loss="cce", rng=5)
    W1, b1, h1 = bp.train(*args, **kw)
    W2, b2, h2 = bp.train(*args, **kw, callback=bp.Diagnostics())
    assert all(np.array_equal(u, v) for u, v in zip(W1 + b1, W2 + b2))
    assert h1.loss == h2.loss


def test_no_bn_and_no_skips_is_the_plain_network():
    # All-False flags ask for nothing a plain network lacks: train takes the plain path, with the
    # same result, and a DeepNet without either computes the plain network's gradients.
    X, Y = digits_like()
    args = (X, Y, [4, 6, 6, 3], 0.1, 4, 8)
    kw = dict(activations=["tanh", "tanh", "softmax"], loss="cce", rng=5, clip_norm=1.0)
    W1, b1, h1 = bp.train(*args, **kw)
    W2, b2, h2 = bp.train(*args, **kw, batch_norm=False, residual=[False] * 3)
    assert isinstance(h1.net, bp.PlainNet) and isinstance(h2.net, bp.PlainNet)
    for u, v in zip(W1 + b1, W2 + b2):
        np.testing.assert_array_equal(u, v)
    net = bp.init_deep([4, 6, 6, 3], kw["activations"], rng=5)
    plain = bp.PlainNet([w.copy() for w in net.W], [v.copy() for v in net.b], net.activations)
    (deep_grads, deep_out), (plain_grads, plain_out) = (
        model.gradients(X, Y, bp.get_loss("cce")) for model in (net, plain))
    assert len(net.params) == len(deep_grads) == len(plain_grads) == 6
    np.testing.assert_allclose(deep_out, plain_out, rtol=1e-13)
    for g, h in zip(deep_grads, plain_grads):
        np.testing.assert_allclose(g, h, rtol=1e-10, atol=1e-15)


def test_training_with_batch_norm_and_skips_lowers_the_loss_and_predicts_in_inference_mode():
    X, Y = digits_like()
    W, b, history = bp.train(X, Y, [4, 6, 6, 6, 3], 0.1, 10, 10,
                             activations=["relu"] * 3 + ["softmax"], loss="cce", rng=0,
                             batch_norm=True, residual=True)
    net = history.net
    assert net.W is W and net.b is b
    assert net.batch_norm == [True, True, True, False]
    assert net.residual == [False, True, True, False]
    assert history.loss[-1] < 0.5 * history.loss[0]
    # the running statistics themselves: test_training_contract.py checks them against the momentum
    # formula
    # inference mode: one sample's output does not depend on the rest of the batch
    assert np.allclose(bp.deep_predict(X[:1], net), bp.deep_predict(X, net)[:1])
    assert np.isclose(history.loss[-1], bp.deep_loss(X, Y, net, "cce"))


def test_deep_training_diverges_with_a_clear_error_and_clipping_bounds_the_step():
    X, Y = digits_like()
    kw = dict(activations=["relu"] * 3 + ["identity"], loss="mse", rng=0, init="standard",
              residual=True)
    with pytest.raises(bp.TrainingDiverged, match="lower learning_rate or set clip_norm"):
        bp.train(X, Y * 100, [4, 6, 6, 6, 3], 5.0, 10, 10, **kw)
    diag = bp.Diagnostics()
    bp.train(X, Y, [4, 6, 6, 6, 3], 0.01, 2, 10, **kw, clip_norm=0.5, callback=diag)
    totals = np.sqrt((diag.grad_norms ** 2).sum(axis=1))
    assert totals.max() <= 0.5 + 1e-9 and len(diag.steps) == 12


@pytest.mark.parametrize("kwargs, match", [
    (dict(residual=[False, True, False]), r"residual\[1\]: layer 2 maps 5 units to 4"),
    (dict(residual=True), r"residual\[1\]: layer 2 maps 5 units to 4"),
    (dict(batch_norm=[False, False, True]), r"batch_norm\[2\]: the output layer \(layer 3\)"),
    (dict(batch_norm=[True, True]), "batch_norm: expected 3 bools"),
    (dict(residual=[0, 1, 0]), r"residual\[0\]: expected a bool"),
    (dict(batch_norm="yes"), "batch_norm: expected None, a bool"),
])
def test_layer_options_are_checked_and_name_the_layer(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        bp.init_deep([3, 5, 4, 2], ["tanh", "tanh", "softmax"], **kwargs)
    X, Y = digits_like()
    with pytest.raises((ValueError, TypeError), match=match):
        bp.train(X[:, :3], Y[:, :2] / Y[:, :2].sum(axis=1, keepdims=True).clip(1),
                 [3, 5, 4, 2], 0.1, 1, 8, activations=["tanh", "tanh", "sigmoid"],
                 loss="mse", **kwargs)


def test_residual_true_skips_every_equal_width_hidden_layer_but_the_first():
    assert bp.layer_flags(True, [3, 5, 5, 5, 2], "residual") == [False, True, True, False]
    assert bp.layer_flags(True, [3, 5, 5, 5, 2], "batch_norm") == [True, True, True, False]
    assert bp.layer_flags(None, [3, 5, 2], "residual") == [False, False]


def test_batch_norm_training_rejects_a_batch_of_one():
    X, Y = digits_like(n=21)
    with pytest.raises(ValueError, match="batch_size: batch normalisation needs at least 2"):
        bp.train(X, Y, [4, 5, 3], 0.1, 1, 10, activations=["relu", "softmax"], loss="cce",
                 batch_norm=True)
    with pytest.raises(ValueError, match="method"):
        bp.train(X, Y, [4, 5, 3], 0.1, 1, 7, activations=["relu", "softmax"], loss="cce",
                 batch_norm=True, method="per_sample")


def test_deep_training_refuses_float32_by_name():
    X = np.zeros((4, 2))
    Y = np.zeros((4, 1))
    with pytest.raises(ValueError, match="dtype"):
        bp.train(X, Y, [2, 3, 3, 1], 0.1, 1, 2, activations=["relu", "relu", "identity"],
                 loss="mse", batch_norm=True, dtype=np.float32)


def test_deep_training_without_record_keeps_the_same_parameters():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(12, 2)), rng.normal(size=(12, 1))
    kwargs = dict(activations=["relu", "relu", "identity"], loss="mse", rng=1,
                  batch_norm=True, residual=True)
    W1, b1, h1 = bp.train(X, Y, [2, 3, 3, 1], 0.05, 3, 4, **kwargs)
    W2, b2, h2 = bp.train(X, Y, [2, 3, 3, 1], 0.05, 3, 4, record=False, **kwargs)
    assert all(np.array_equal(a, c) for a, c in zip(W1 + b1, W2 + b2))
    assert len(h1.loss) == 4 and h2.loss == []


def bad_deep_inputs():
    X, Y = digits_like()
    net = bp.init_deep([4, 6, 6, 3], ["relu", "relu", "softmax"], batch_norm=True, rng=0)
    Z, g = np.ones((5, 3)), np.ones(3)
    return [
        # one sample has no batch statistics: an error, not a silent zero gradient
        (lambda: bp.deep_backprop(X[:1], Y[:1], net, "cce"), ValueError, "X", "at least 2"),
        (lambda: bp.deep_forward(X[:1], net, training=True), ValueError, "X", "at least 2"),
        (lambda: bp.deep_loss(X[:1], Y[:1], net, "cce", training=True), ValueError, "X", "2"),
        (lambda: bp.deep_backprop(X, Y, net.W, "cce"), TypeError, "net", "DeepNet"),
        (lambda: bp.batchnorm_forward([["a"] * 3] * 5, g, g), TypeError, "Z", "dtype"),
        (lambda: bp.batchnorm_inference(Z, g, g, np.zeros(2), g), ValueError, "running_mean",
         r"\(3,\).*\(2,\)"),
        (lambda: bp.clip_by_norm([], 1.0), ValueError, "grads", "at least one"),
        (lambda: bp.clip_by_norm(np.ones(3), 1.0), TypeError, "grads", "ndarray"),
        (lambda: bp.clip_by_norm([np.array(["x"])], 1.0), TypeError, r"grads\[0\]", "dtype"),
    ]


@pytest.mark.parametrize("case", range(len(bad_deep_inputs())))
def test_bad_deep_input_is_named(case):
    call, error, argname, detail = bad_deep_inputs()[case]
    with pytest.raises(error, match=rf"^{argname}: .*{detail}"):
        call()


def test_one_sample_is_fine_in_inference_mode_and_numpy_bools_are_flags():
    X, _ = digits_like()
    net = bp.init_deep([4, 6, 6, 3], ["relu", "relu", "softmax"], batch_norm=np.True_, rng=0)
    assert net.batch_norm == [True, True, False]
    np.testing.assert_allclose(bp.deep_predict(X[:1], net), bp.deep_predict(X, net)[:1])


def test_the_ratio_of_an_exploding_network_is_reported_not_refused():
    with np.errstate(invalid="ignore"):
        assert np.isnan(bp.first_last_ratio([np.inf, np.inf]))
    assert np.isnan(bp.first_last_ratio([np.nan, 1.0]))
