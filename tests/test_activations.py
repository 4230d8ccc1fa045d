"""Activations: values and derivatives against central differences and sympy; softmax and its
Jacobian; stability at large |z|; the parameters of leaky ReLU and ELU; lookup by name."""

import warnings

import numpy as np
import pytest
import sympy as sp

import bplib as bp
from bplib.activations import ELU, LeakyReLU, leaky_relu, relu, sigmoid, softmax

from support import ELEMENTWISE, central_derivative, central_jacobian

zs = sp.Symbol("z", real=True)

#: each activation's formula as the source text writes it, for sympy to differentiate
FORMULAS = {
    "sigmoid": 1 / (1 + sp.exp(-zs)),
    "tanh": (sp.exp(zs) - sp.exp(-zs)) / (sp.exp(zs) + sp.exp(-zs)),
    "relu": sp.Piecewise((zs, zs > 0), (0, True)),
    "leaky_relu": sp.Piecewise((zs, zs > 0), (sp.Rational(1, 100) * zs, True)),
    "elu": sp.Piecewise((zs, zs > 0), (sp.exp(zs) - 1, True)),
    "identity": zs,
}

# points on both sides of the kink at 0, none of them within 0.05 of it
Z_POINTS = np.concatenate([np.linspace(-5, -0.05, 23), np.linspace(0.05, 5, 23)])


def sympy_function(expr):
    f = sp.lambdify(zs, expr, "numpy")
    return lambda z: f(z) + np.zeros_like(z)  # a constant lambdifies to a scalar


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_value_matches_the_formula(name):
    np.testing.assert_allclose(bp.get_activation(name).value(Z_POINTS),
                               sympy_function(FORMULAS[name])(Z_POINTS), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences(name):
    act = bp.get_activation(name)
    np.testing.assert_allclose(act.derivative(Z_POINTS), central_derivative(act.value, Z_POINTS),
                               rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_sympy(name):
    expected = sympy_function(sp.diff(FORMULAS[name], zs))(Z_POINTS)
    np.testing.assert_allclose(bp.get_activation(name).derivative(Z_POINTS), expected, rtol=1e-12,
                               atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_backward_is_the_chain_rule_through_the_derivative(name, rng):
    act, g = bp.get_activation(name), rng.normal(size=Z_POINTS.shape)
    np.testing.assert_allclose(act.backward(Z_POINTS, act(Z_POINTS), g),
                               g * central_derivative(act.value, Z_POINTS), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_batch_input_is_evaluated_element_by_element(name, rng):
    act, Z = bp.get_activation(name), rng.normal(size=(4, 3))
    assert act(Z).shape == Z.shape
    for row, z in zip(act(Z), Z):
        np.testing.assert_array_equal(row, act(z))


# ---------------------------------------------------------------- the kinked ones
def test_relu_derivative_is_exactly_zero_or_one(rng):
    z = np.concatenate([rng.normal(size=200), [0.0, -0.0, 1e-300, -1e-300]])
    d = relu.derivative(z)
    assert set(np.unique(d)) <= {0.0, 1.0}
    np.testing.assert_array_equal(d, np.where(z > 0, 1.0, 0.0))


def test_relu_derivative_at_the_kink_is_zero_as_in_the_source_text():
    assert relu.derivative(np.array([0.0]))[0] == 0.0


def test_leaky_relu_derivative_is_never_zero(rng):
    z = np.concatenate([rng.normal(scale=100, size=200), [0.0, -1e6, 1e6]])
    assert np.all(leaky_relu.derivative(z) != 0)
    assert set(np.unique(leaky_relu.derivative(z))) == {0.01, 1.0}


@pytest.mark.parametrize("act, formula", [
    (LeakyReLU(0.2), sp.Piecewise((zs, zs > 0), (sp.Rational(1, 5) * zs, True))),
    (ELU(0.5), sp.Piecewise((zs, zs > 0), (sp.Rational(1, 2) * (sp.exp(zs) - 1), True))),
], ids=["leaky_relu(0.2)", "elu(0.5)"])
def test_custom_alpha_sets_the_slope_left_of_zero(act, formula):
    z = np.array([-3.0, -0.5, 0.5, 3.0])
    np.testing.assert_allclose(act.value(z), sympy_function(formula)(z), rtol=1e-12)
    np.testing.assert_allclose(act.derivative(z), sympy_function(sp.diff(formula, zs))(z),
                               rtol=1e-12)
    np.testing.assert_allclose(act.derivative(z), central_derivative(act.value, z), rtol=1e-7)


@pytest.mark.parametrize("cls", [LeakyReLU, ELU])
@pytest.mark.parametrize("alpha, error", [(-0.1, ValueError), (float("nan"), ValueError),
                                          (float("inf"), ValueError), ("0.1", TypeError),
                                          (None, TypeError), (True, TypeError)],
                         ids=["negative", "nan", "inf", "string", "None", "bool"])
def test_bad_alpha_is_rejected(cls, alpha, error):
    with pytest.raises(error, match="alpha"):
        cls(alpha)


# ---------------------------------------------------------------- softmax
def test_softmax_sums_to_one_and_is_positive(rng):
    Z = rng.normal(scale=5, size=(10, 6))
    S = softmax(Z)
    np.testing.assert_allclose(S.sum(axis=-1), 1.0, rtol=1e-14)
    assert np.all(S > 0)


def test_softmax_value_matches_the_formula(rng):
    z = rng.normal(size=5)
    np.testing.assert_allclose(softmax(z), np.exp(z) / np.exp(z).sum(), rtol=1e-14)


@pytest.mark.parametrize("shift", [-50.0, 3.0, 700.0])
def test_softmax_is_shift_invariant(shift, rng):
    z = rng.normal(size=5)
    np.testing.assert_allclose(softmax(z + shift), softmax(z), rtol=1e-12)


def test_softmax_jacobian_matches_central_differences(rng):
    z = rng.normal(size=5)
    np.testing.assert_allclose(softmax.jacobian(z), central_jacobian(softmax.value, z), rtol=1e-7,
                               atol=1e-10)


def test_softmax_jacobian_is_diag_s_minus_s_s_transpose(rng):
    z = rng.normal(size=5)
    s = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(softmax.jacobian(z), np.diag(s) - np.outer(s, s), rtol=1e-12,
                               atol=1e-15)


def test_softmax_backward_is_the_transposed_jacobian_times_the_gradient(rng):
    z, g = rng.normal(size=5), rng.normal(size=5)
    J = central_jacobian(softmax.value, z)
    np.testing.assert_allclose(softmax.backward(z, softmax(z), g), J.T @ g, rtol=1e-6, atol=1e-9)


def test_softmax_backward_works_row_by_row_on_a_batch(rng):
    Z, G = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    out = softmax.backward(Z, softmax(Z), G)
    assert out.shape == Z.shape
    for row, z, g in zip(out, Z, G):
        np.testing.assert_allclose(row, central_jacobian(softmax.value, z).T @ g, rtol=1e-6,
                                   atol=1e-9)


def test_softmax_normalises_a_batch_along_its_last_axis(rng):
    Z = rng.normal(size=(4, 5))
    for row, z in zip(softmax(Z), Z):
        np.testing.assert_allclose(row, softmax(z), rtol=1e-14)


def test_softmax_has_no_elementwise_derivative():
    with pytest.raises(TypeError, match="jacobian"):
        softmax.derivative(np.zeros(3))


# ---------------------------------------------------------------- stability
@pytest.mark.parametrize("z", [[1000.0, -1000.0], [-1000.0, -1000.0], [1000.0, 1000.0],
                               [1000.0, 0.0, -1000.0]],
                         ids=str)
@pytest.mark.parametrize("name", ["sigmoid", "softmax"])
def test_saturating_input_is_finite_and_warning_free(name, z):
    act, z = bp.get_activation(name), np.array(z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = act(z)
        grad = act.backward(z, value, np.ones_like(z))
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    assert np.all((0 <= value) & (value <= 1))


def test_sigmoid_saturates_to_exactly_zero_and_one():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])
        np.testing.assert_array_equal(sigmoid.derivative(np.array([-1000.0, 1000.0])), [0.0, 0.0])


def test_softmax_of_equal_huge_inputs_is_uniform():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(softmax(np.full(4, 1000.0)), 0.25)
        np.testing.assert_allclose(softmax(np.full(4, -1000.0)), 0.25)


@pytest.mark.parametrize("name", ["elu", "tanh"])
def test_other_exponentials_do_not_overflow_either(name):
    z = np.array([-1000.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.all(np.isfinite(bp.get_activation(name).value(z)))
        assert np.all(np.isfinite(bp.get_activation(name).derivative(z)))


# ---------------------------------------------------------------- lookup
@pytest.mark.parametrize("name", ELEMENTWISE + ["softmax"])
def test_get_activation_by_name_returns_the_one_with_that_name(name):
    assert bp.get_activation(name).name == name
    assert bp.ACTIVATIONS[name] is bp.get_activation(name)


def test_get_activation_returns_an_activation_object_unchanged():
    custom = LeakyReLU(0.3)
    assert bp.get_activation(custom) is custom


def test_unknown_activation_name_raises_value_error_naming_the_argument():
    with pytest.raises(ValueError, match=r"^hidden: unknown activation 'swish'"):
        bp.get_activation("swish", "hidden")


def test_activation_of_the_wrong_type_raises_type_error_naming_the_argument():
    with pytest.raises(TypeError, match=r"^activation: expected an activation name"):
        bp.get_activation(np.tanh)


def test_sigmoid_derivative_is_accurate_and_symmetric_in_the_tails():
    # σ(1 − σ) returned 0 for z > 37 but ~1e-17 at z = -37: one tail lost every digit.
    sigmoid = bp.activations.Sigmoid()
    import mpmath

    z = np.array([20.0, 37.0, 40.0, 100.0, 700.0])
    with mpmath.workdps(400):  # σ(1 − σ) with digits to spare even at z = 700
        exact = [float(mpmath.mpf(1) / (1 + mpmath.exp(-v)) * (1 - 1 / (1 + mpmath.exp(-v))))
                 for v in z]
    np.testing.assert_allclose(sigmoid.derivative(z), exact, rtol=1e-14)
    np.testing.assert_array_equal(sigmoid.derivative(z), sigmoid.derivative(-z))
    assert np.all(sigmoid.derivative(z) > 0)
