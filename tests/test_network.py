"""The network: initialisation, the forward pass (one sample and a batch), the loss, and
backpropagation against central differences on random architectures (hypothesis)."""

import math

import numpy as np
import pytest
from hypothesis import assume, given

import bplib as bp

from support import assert_gradients_match, nets, random_params


# ---------------------------------------------------------------- init_params
def test_init_params_shapes_follow_the_architecture():
    W, b = bp.init_params([3, 5, 4, 2], rng=0)
    assert [w.shape for w in W] == [(5, 3), (4, 5), (2, 4)]
    assert [v.shape for v in b] == [(5,), (4,), (2,)]


@pytest.mark.parametrize("scheme", ["he", "xavier", "glorot", "standard"])
def test_init_params_biases_are_zero(scheme):
    _, b = bp.init_params([3, 5, 2], scheme=scheme, rng=0)
    assert all(np.array_equal(v, np.zeros_like(v)) for v in b)


@pytest.mark.parametrize("scheme, expected_std", [
    ("he", lambda n_in, n_out: math.sqrt(2 / n_in)),
    ("xavier", lambda n_in, n_out: math.sqrt(2 / (n_in + n_out))),
    ("glorot", lambda n_in, n_out: math.sqrt(2 / (n_in + n_out))),
    ("standard", lambda n_in, n_out: 1.0),
])
def test_init_params_weights_have_the_scheme_standard_deviation(scheme, expected_std):
    n_in, n_out = 400, 100  # 40 000 entries: the sample std is within ~0.4 % of the true one
    (W,), _ = bp.init_params([n_in, n_out], scheme=scheme, rng=1)
    assert W.std() == pytest.approx(expected_std(n_in, n_out), rel=0.03)
    assert abs(W.mean()) < 0.03 * expected_std(n_in, n_out)


def test_init_params_schemes_differ_in_scale():
    stds = {s: bp.init_params([400, 100], scheme=s, rng=1)[0][0].std()
            for s in ("xavier", "he", "standard")}
    assert stds["xavier"] < stds["he"] < stds["standard"]


def test_glorot_is_another_name_for_xavier():
    xavier, _ = bp.init_params([4, 3, 2], "xavier", rng=5)
    glorot, _ = bp.init_params([4, 3, 2], "glorot", rng=5)
    for W_x, W_g in zip(xavier, glorot):
        np.testing.assert_array_equal(W_x, W_g)


def test_init_params_is_deterministic_by_seed():
    W1, _ = bp.init_params([4, 3, 2], rng=11)
    W2, _ = bp.init_params([4, 3, 2], rng=11)
    W3, _ = bp.init_params([4, 3, 2], rng=12)
    assert all(np.array_equal(p, q) for p, q in zip(W1, W2))
    assert not any(np.array_equal(p, q) for p, q in zip(W1, W3))


def test_init_params_accepts_a_generator():
    W1, _ = bp.init_params([4, 3], rng=np.random.default_rng(11))
    W2, _ = bp.init_params([4, 3], rng=11)
    np.testing.assert_array_equal(W1[0], W2[0])


# ---------------------------------------------------------------- forward propagation
def test_forward_propagation_returns_L_plus_1_activations_and_L_preactivations(small_net):
    x = small_net.X[0]
    a, z = bp.forward_propagation(x, small_net.W, small_net.b, small_net.activations)
    L = len(small_net.W)
    assert len(a) == L + 1 and len(z) == L
    np.testing.assert_array_equal(a[0], x)
    assert [v.shape for v in a] == [(n,) for n in small_net.sizes]
    assert [v.shape for v in z] == [(n,) for n in small_net.sizes[1:]]


def test_forward_propagation_applies_each_layer_in_turn(small_net):
    a, z = bp.forward_propagation(small_net.X[0], small_net.W, small_net.b, small_net.activations)
    for l, name in enumerate(small_net.activations):
        np.testing.assert_allclose(z[l], small_net.W[l] @ a[l] + small_net.b[l], rtol=1e-15)
        np.testing.assert_array_equal(a[l + 1], bp.get_activation(name)(z[l]))


def test_forward_propagation_of_a_2_2_1_network_by_hand():
    x = np.array([1.0, 2.0])
    W = [np.array([[1.0, -1.0], [0.5, 0.5]]), np.array([[2.0, 4.0]])]
    b = [np.array([0.0, -1.0]), np.array([0.5])]
    a, z = bp.forward_propagation(x, W, b, ["relu", "sigmoid"])
    # z¹ = W¹x + b¹ = [1 − 2 + 0, 0.5 + 1 − 1] = [−1, 0.5];  a¹ = relu(z¹) = [0, 0.5]
    np.testing.assert_array_equal(z[0], [-1.0, 0.5])
    np.testing.assert_array_equal(a[1], [0.0, 0.5])
    # z² = W²a¹ + b² = 2·0 + 4·0.5 + 0.5 = 2.5;  a² = 1 / (1 + e^(−2.5))
    np.testing.assert_array_equal(z[1], [2.5])
    assert a[2][0] == pytest.approx(1 / (1 + math.exp(-2.5)), rel=1e-15)


def test_a_single_activation_name_applies_to_every_layer(small_net):
    a1, _ = bp.forward_propagation(small_net.X[0], small_net.W, small_net.b, "tanh")
    a2, _ = bp.forward_propagation(small_net.X[0], small_net.W, small_net.b, ["tanh", "tanh"])
    np.testing.assert_array_equal(a1[-1], a2[-1])


def test_forward_batch_rows_equal_per_sample_forward_propagation(small_net):
    A, Z = bp.forward_batch(small_net.X, small_net.W, small_net.b, small_net.activations)
    assert len(A) == len(small_net.W) + 1 and len(Z) == len(small_net.W)
    assert [v.shape for v in A] == [(len(small_net.X), n) for n in small_net.sizes]
    for i, x in enumerate(small_net.X):
        a, z = bp.forward_propagation(x, small_net.W, small_net.b, small_net.activations)
        for l in range(len(a)):
            np.testing.assert_allclose(A[l][i], a[l], rtol=1e-14)
        for l in range(len(z)):
            np.testing.assert_allclose(Z[l][i], z[l], rtol=1e-14, atol=1e-15)


def test_predict_is_the_output_of_forward_batch(small_net):
    Y_hat = bp.predict(small_net.X, small_net.W, small_net.b, small_net.activations)
    assert Y_hat.shape == (len(small_net.X), small_net.sizes[-1])
    for y_hat, x in zip(Y_hat, small_net.X):
        a, _ = bp.forward_propagation(x, small_net.W, small_net.b, small_net.activations)
        np.testing.assert_allclose(y_hat, a[-1], rtol=1e-14)


def test_network_loss_of_one_sample_is_the_loss_of_its_output(rng):
    W, b = random_params(rng, [3, 4, 2])
    x, y = rng.normal(size=3), rng.normal(size=2)
    a, _ = bp.forward_propagation(x, W, b, ["tanh", "identity"])
    expected = 0.5 * np.sum((a[-1] - y) ** 2)
    assert bp.network_loss(x, y, W, b, ["tanh", "identity"], "mse") == pytest.approx(expected,
                                                                                     rel=1e-14)


def test_network_loss_of_a_batch_is_the_mean_over_samples(small_net):
    net = small_net
    per_sample = [bp.network_loss(x, y, net.W, net.b, net.activations, net.loss)
                  for x, y in zip(net.X, net.Y)]
    assert len(set(per_sample)) > 1
    assert bp.network_loss(net.X, net.Y, net.W, net.b, net.activations, net.loss) == \
        pytest.approx(np.mean(per_sample), rel=1e-14)


# ---------------------------------------------------------------- backpropagation (properties)
def no_kink_within_reach(net):
    """A central difference must not straddle a kink of relu or leaky_relu."""
    assume(net.min_abs_hidden_z() > 1e-3)


def assert_gradients_are_the_numerical_ones(net, x, y, dW, db):
    """dW, db against central differences of network_loss at x, y (one sample or a batch, the mean
    loss)."""
    names = ([f"W{l}" for l in range(1, len(net.W) + 1)]
             + [f"b{l}" for l in range(1, len(net.b) + 1)])
    assert_gradients_match(lambda: bp.network_loss(x, y, net.W, net.b, net.activations, net.loss),
                           net.W + net.b, dW + db, names,
                           context=f"{net.activations} {net.loss} {net.sizes}: ")


@given(nets())
def test_backpropagation_equals_the_numerical_gradient(net):
    no_kink_within_reach(net)
    x, y = net.X[0], net.Y[0]
    dW, db = bp.backpropagation(x, y, net.W, net.b, net.activations, net.loss)
    assert_gradients_are_the_numerical_ones(net, x, y, dW, db)


@given(nets(max_layers=3, max_samples=5))
def test_backprop_batch_equals_the_numerical_gradient_of_the_mean_loss(net):
    no_kink_within_reach(net)
    dW, db = bp.backprop_batch(net.X, net.Y, net.W, net.b, net.activations, net.loss)
    assert_gradients_are_the_numerical_ones(net, net.X, net.Y, dW, db)


@given(nets(max_samples=6))
def test_backprop_batch_is_the_mean_of_per_sample_backpropagation(net):
    dW, db = bp.backprop_batch(net.X, net.Y, net.W, net.b, net.activations, net.loss)
    per_sample = [bp.backpropagation(x, y, net.W, net.b, net.activations, net.loss)
                  for x, y in zip(net.X, net.Y)]
    for l in range(len(net.W)):
        np.testing.assert_allclose(dW[l], np.mean([g[0][l] for g in per_sample], axis=0),
                                   rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(db[l], np.mean([g[1][l] for g in per_sample], axis=0),
                                   rtol=1e-10, atol=1e-14)


@given(nets())
def test_gradients_have_the_shapes_of_the_parameters(net):
    dW, db = bp.backpropagation(net.X[0], net.Y[0], net.W, net.b, net.activations, net.loss)
    assert [g.shape for g in dW] == [w.shape for w in net.W]
    assert [g.shape for g in db] == [v.shape for v in net.b]


def test_backpropagation_follows_the_four_equations_by_hand():
    """The 2-2-1 example through δᴸ = (aᴸ − y) ⊙ σ'(zᴸ), δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹ ⊙ σ'(zˡ),
    ∂L/∂Wˡ = δˡ(aˡ⁻¹)ᵀ and ∂L/∂bˡ = δˡ, by hand."""
    x = np.array([1.0, 2.0])
    W = [np.array([[1.0, -1.0], [0.5, 0.5]]), np.array([[2.0, 4.0]])]
    b = [np.array([0.0, -1.0]), np.array([0.5])]
    y = np.array([1.0])
    dW, db = bp.backpropagation(x, y, W, b, ["relu", "identity"], "mse")
    # forward: z¹ = [−1, 0.5], a¹ = [0, 0.5], z² = a² = 2.5;  δ² = 2.5 − 1 = 1.5
    np.testing.assert_array_equal(db[1], [1.5])
    np.testing.assert_array_equal(dW[1], [[1.5 * 0.0, 1.5 * 0.5]])
    # δ¹ = (W²)ᵀδ² ⊙ relu'(z¹) = [2·1.5, 4·1.5] ⊙ [0, 1] = [0, 6]
    np.testing.assert_array_equal(db[0], [0.0, 6.0])
    np.testing.assert_array_equal(dW[0], [[0.0, 0.0], [6.0 * 1.0, 6.0 * 2.0]])
