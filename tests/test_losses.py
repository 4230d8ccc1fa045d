"""Losses: values and gradients against sympy and central differences; stability at ŷ ∈ {0, 1};
the ŷ − y shortcut of sigmoid+BCE and softmax+CCE; checks of targets and output activations."""

import re
import warnings

import numpy as np
import pytest
import sympy as sp

import bplib as bp
from bplib.activations import identity, sigmoid, softmax, tanh
from bplib.losses import bce, cce, mse

from support import central_jacobian

N = 3
yh_s, y_s = sp.symbols(f"yhat0:{N}", real=True), sp.symbols(f"y0:{N}", real=True)

#: each loss as DESIGN.md writes it, per sample, summed over the N outputs
FORMULAS = {
    "mse": sp.Rational(1, 2) * sum((a - t) ** 2 for a, t in zip(yh_s, y_s)),
    "bce": -sum(t * sp.log(a) + (1 - t) * sp.log(1 - a) for a, t in zip(yh_s, y_s)),
    "cce": -sum(t * sp.log(a) for a, t in zip(yh_s, y_s)),
}


def sympy_value(name, y_hat, y):
    return float(sp.lambdify([yh_s, y_s], FORMULAS[name], "numpy")(y_hat, y))


def sympy_gradient(name, y_hat, y):
    grad = [sp.diff(FORMULAS[name], a) for a in yh_s]
    return np.array(sp.lambdify([yh_s, y_s], grad, "numpy")(y_hat, y), dtype=float)


def draw(rng, name, n_samples=None):
    """ŷ strictly inside (0, 1) and targets the loss accepts (reals, [0, 1], probability
    vectors)."""
    shape = (N,) if n_samples is None else (n_samples, N)
    y_hat = rng.uniform(0.05, 0.95, size=shape)
    if name == "mse":
        return y_hat, rng.normal(size=shape)
    if name == "bce":
        return y_hat, rng.uniform(0, 1, size=shape)
    return y_hat, rng.dirichlet(np.ones(N), size=n_samples)


LOSS_NAMES = ["mse", "bce", "cce"]


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_value_matches_the_formula(name, rng):
    for _ in range(5):
        y_hat, y = draw(rng, name)
        assert bp.get_loss(name).value(y_hat, y) == pytest.approx(sympy_value(name, y_hat, y),
                                                                  rel=1e-12)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_gradient_matches_sympy(name, rng):
    for _ in range(5):
        y_hat, y = draw(rng, name)
        np.testing.assert_allclose(bp.get_loss(name).gradient(y_hat, y),
                                   sympy_gradient(name, y_hat, y), rtol=1e-12)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_gradient_matches_central_differences(name, rng):
    loss = bp.get_loss(name)
    for _ in range(5):
        y_hat, y = draw(rng, name)
        np.testing.assert_allclose(loss.gradient(y_hat, y),
                                   central_jacobian(lambda p: loss.value(p, y), y_hat),
                                   rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_a_batch_gives_one_value_per_sample(name, rng):
    loss = bp.get_loss(name)
    Y_hat, Y = draw(rng, name, n_samples=4)
    values = loss.value(Y_hat, Y)
    assert values.shape == (4,)
    for value, y_hat, y in zip(values, Y_hat, Y):
        assert value == pytest.approx(sympy_value(name, y_hat, y), rel=1e-12)
    np.testing.assert_allclose(loss.gradient(Y_hat, Y),
                               [sympy_gradient(name, y_hat, y) for y_hat, y in zip(Y_hat, Y)],
                               rtol=1e-12)


def test_mse_is_half_the_squared_distance():
    assert mse.value(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 6.0])) == 0.5 * (0 + 4 + 9)


def test_perfect_predictions_cost_nothing():
    y = np.array([0.0, 1.0, 0.0])
    assert mse.value(y, y) == 0
    assert bce.value(y, y) == pytest.approx(0, abs=1e-12)
    assert cce.value(y, y) == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("name", ["bce", "cce"])
@pytest.mark.parametrize("y_hat, y", [([0.0, 1.0, 0.0], [1.0, 0.0, 0.0]),   # confidently wrong
                                      ([0.0, 1.0, 0.0], [0.0, 1.0, 0.0]),   # confidently right
                                      ([1.0, 0.0, 0.0], [0.0, 0.0, 1.0])],
                         ids=["wrong", "right", "wrong2"])
def test_saturated_predictions_are_finite_and_warning_free(name, y_hat, y):
    loss = bp.get_loss(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = (loss.value(np.array(y_hat), np.array(y)),
                       loss.gradient(np.array(y_hat), np.array(y)))
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert value >= 0


def test_a_confidently_wrong_prediction_costs_much_more_than_a_right_one():
    right = bce.value(np.array([1.0]), np.array([1.0]))
    wrong = bce.value(np.array([0.0]), np.array([1.0]))
    assert wrong > 30 > 1e-10 > right  # −log of a probability clipped at machine epsilon is ≈ 36


# ---------------------------------------------------------------- the ŷ − y shortcut
@pytest.mark.parametrize("activation, loss", [(sigmoid, bce), (softmax, cce), (identity, mse)],
                         ids=["sigmoid+bce", "softmax+cce", "identity+mse"])
@pytest.mark.parametrize("batched", [False, True], ids=["sample", "batch"])
def test_canonical_pairing_shortcut_equals_the_general_chain_rule(activation, loss, batched, rng):
    for _ in range(10):
        z = rng.normal(scale=2, size=(5, 4) if batched else 4)
        a = activation(z)
        y = (rng.dirichlet(np.ones(4), size=5 if batched else None) if loss is cce
             else rng.uniform(0, 1, size=z.shape))
        shortcut = loss.delta(z, a, y, activation)
        np.testing.assert_allclose(shortcut, a - y, rtol=1e-15)
        np.testing.assert_allclose(shortcut, activation.backward(z, a, loss.gradient(a, y)),
                                   rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("activation, loss", [(tanh, mse), (sigmoid, mse)],
                         ids=["tanh+mse", "sigmoid+mse"])
def test_other_pairings_take_the_general_path(activation, loss, rng):
    z = rng.normal(size=4)
    a, y = activation(z), rng.uniform(0, 1, size=4)
    delta = loss.delta(z, a, y, activation)
    np.testing.assert_allclose(delta, (a - y) * central_jacobian(activation.value, z).diagonal(),
                               rtol=1e-8)
    assert not np.allclose(delta, a - y)


def test_a_custom_loss_is_differentiated_not_shortcut(rng):
    """A user's Loss subclass names no canonical activation, so it must take the general path."""

    class Quartic(bp.Loss):
        name = "quartic"

        def value(self, y_hat, y):
            return 0.25 * np.sum((y_hat - y) ** 4, axis=-1)

        def gradient(self, y_hat, y):
            return (y_hat - y) ** 3

    z, y = rng.normal(size=3), rng.normal(size=3)
    for activation in (identity, tanh, sigmoid):
        a = activation(z)
        np.testing.assert_allclose(Quartic().delta(z, a, y, activation),
                                   central_jacobian(lambda v: Quartic().value(activation(v), y), z),
                                   rtol=1e-7)


# --------------------------------------------------------------- targets and outputs a loss can use
@pytest.mark.parametrize("loss, y, bad", [(bce, [0.5, 1.2], "1.2"), (bce, [-0.1, 0.5], "-0.1"),
                                          (cce, [0.5, -0.5, 1.0], "-0.5")],
                         ids=["bce above 1", "bce below 0", "cce negative"])
def test_cross_entropy_targets_outside_0_1_are_rejected(loss, y, bad):
    with pytest.raises(ValueError, match=rf"^Y_train: .*\[0, 1\].*{re.escape(bad)}"):
        loss.check_targets(np.array(y), "Y_train")


@pytest.mark.parametrize("y, bad_sum", [([0.5, 0.4], "0.9"), ([0.0, 0.0], "0"), ([1.0, 1.0], "2"),
                                       ([[1.0, 0.0], [0.3, 0.3]], "0.6")], ids=str)
def test_cce_targets_must_sum_to_one(y, bad_sum):
    with pytest.raises(ValueError, match=rf"^Y_train: cce .*sum.*\b{re.escape(bad_sum)}\b"):
        cce.check_targets(np.array(y), "Y_train")


@pytest.mark.parametrize("loss, y", [(bce, [0.0, 0.3, 1.0]), (cce, [0.2, 0.3, 0.5]),
                                     (cce, [0.0, 1.0, 0.0]), (mse, [-5.0, 0.0, 7.0])],
                         ids=["bce", "cce soft", "cce one-hot", "mse"])
def test_valid_targets_pass(loss, y):
    loss.check_targets(np.array(y), "y")


@pytest.mark.parametrize("loss", [bce, cce])
@pytest.mark.parametrize("activation", ["relu", "identity", "tanh", "leaky_relu", "elu"])
def test_cross_entropy_after_an_output_outside_0_1_is_rejected(loss, activation):
    with pytest.raises(ValueError, match=rf"^loss: .*'{loss.name}'.*\[0, 1\].*'{activation}'"):
        loss.check_output(bp.get_activation(activation), "loss")


@pytest.mark.parametrize("loss", [bce, cce])
@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
def test_cross_entropy_after_a_probability_output_is_accepted(loss, activation):
    loss.check_output(bp.get_activation(activation), "loss")


def test_get_loss_by_name_and_object():
    for name in LOSS_NAMES:
        assert bp.get_loss(name).name == name
        assert bp.get_loss(bp.LOSSES[name]) is bp.LOSSES[name]


def test_unknown_loss_name_raises_value_error_naming_the_argument():
    with pytest.raises(ValueError, match=r"^loss: unknown loss 'hinge'"):
        bp.get_loss("hinge")


def test_loss_of_the_wrong_type_raises_type_error_naming_the_argument():
    with pytest.raises(TypeError, match=r"^criterion: expected a loss name"):
        bp.get_loss(3, "criterion")


@pytest.mark.parametrize("loss", [mse, bce, cce], ids=lambda l: l.name)
def test_the_batch_loss_is_the_mean_of_the_per_sample_losses(loss):
    rng = np.random.default_rng(3)
    Y_hat = rng.dirichlet(np.ones(3), size=6)  # rows in (0, 1) summing to 1: valid for all three
    Y = np.eye(3)[rng.integers(3, size=6)]
    per_sample = [float(loss.value(y_hat, y)) for y_hat, y in zip(Y_hat, Y)]
    assert loss.mean(Y_hat, Y) == pytest.approx(sum(per_sample) / len(per_sample), rel=1e-15)
