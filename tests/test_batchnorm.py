"""Batch normalisation (bplib.batchnorm): forward statistics, backward against central differences,
inference with running statistics, and clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bplib as bp
from bplib.batchnorm import update_running

from support import assert_gradients_match


def random_bn(seed, m, n):
    rng = np.random.default_rng(seed)
    Z = rng.normal(1.5, 3.0, size=(m, n))
    gamma = rng.uniform(0.5, 2.0, size=n)
    beta = rng.normal(size=n)
    R = rng.normal(size=(m, n))   # the loss L = Σ R ⊙ out, so ∂L/∂out = R
    return Z, gamma, beta, R


# m >= 3: with m = 2, ẑ = ±1 whatever z is, so ∂L/∂z comes from ε alone (about 1e-5) and central
# differences cannot resolve it to a relative 1e-6.
@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(3, 8), n=st.integers(1, 4))
def test_backward_matches_central_differences_for_z_gamma_beta(seed, m, n):
    Z, gamma, beta, R = random_bn(seed, m, n)
    out, cache = bp.batchnorm_forward(Z, gamma, beta)
    dZ, dgamma, dbeta = bp.batchnorm_backward(R, cache)
    # L = Σ R ⊙ out sums terms of both signs, so L itself can be small while its rounding, about ε
    # per term, is not: the noise scale is the sum of the terms' magnitudes
    assert_gradients_match(lambda: np.sum(R * bp.batchnorm_forward(Z, gamma, beta)[0]),
                           [Z, gamma, beta], [dZ, dgamma, dbeta], ["Z", "γ", "β"],
                           scale=max(1.0, np.sum(np.abs(R * out))), context=f"m = {m}, n = {n}: ")


def test_forward_output_has_mean_beta_and_std_gamma():
    Z, gamma, beta, _ = random_bn(0, 50, 3)
    out, cache = bp.batchnorm_forward(Z, gamma, beta)
    assert np.allclose(out.mean(axis=0), beta)
    # the biased std of γẑ + β is γ √(v / (v + ε)), a hair below γ
    v = Z.var(axis=0)
    assert np.allclose(out.std(axis=0), gamma * np.sqrt(v / (v + bp.batchnorm.EPS)))
    assert np.allclose(cache.var, v) and np.allclose(cache.mean, Z.mean(axis=0))


def test_gradient_wrt_z_sums_to_zero_over_the_batch():
    # the output does not change when every z of a unit shifts by the same amount
    Z, gamma, beta, R = random_bn(1, 10, 4)
    _, cache = bp.batchnorm_forward(Z, gamma, beta)
    dZ = bp.batchnorm_backward(R, cache)[0]
    assert np.allclose(dZ.sum(axis=0), 0, atol=1e-12)


def test_inference_with_the_batch_statistics_equals_training_mode():
    Z, gamma, beta, _ = random_bn(2, 6, 3)
    out, _ = bp.batchnorm_forward(Z, gamma, beta)
    same = bp.batchnorm_inference(Z, gamma, beta, Z.mean(axis=0), Z.var(axis=0))
    assert np.allclose(out, same)


def test_inference_treats_samples_independently():
    Z, gamma, beta, _ = random_bn(3, 6, 3)
    mean, var = np.array([1.0, 2.0, 3.0]), np.array([4.0, 1.0, 0.25])
    whole = bp.batchnorm_inference(Z, gamma, beta, mean, var)
    one = bp.batchnorm_inference(Z[:1], gamma, beta, mean, var)
    assert np.allclose(whole[:1], one)
    assert np.allclose(one, gamma * (Z[:1] - mean) / np.sqrt(var + 1e-5) + beta)


def test_running_statistics_move_by_the_momentum_and_store_the_unbiased_variance():
    Z, gamma, beta, _ = random_bn(4, 5, 2)
    _, cache = bp.batchnorm_forward(Z, gamma, beta)
    mean, var = np.zeros(2), np.ones(2)
    update_running(mean, var, cache, momentum=0.9)
    assert np.allclose(mean, 0.1 * Z.mean(axis=0))
    assert np.allclose(var, 0.9 + 0.1 * Z.var(axis=0, ddof=1))


def test_training_mode_needs_two_samples():
    with pytest.raises(ValueError, match="at least 2 samples"):
        bp.batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3))


@pytest.mark.parametrize("name, gamma, beta", [("gamma", np.ones(2), np.zeros(3)),
                                                ("beta", np.ones(3), np.zeros(2))])
def test_parameter_shapes_are_checked(name, gamma, beta):
    with pytest.raises(ValueError, match=f"{name}: expected shape"):
        bp.batchnorm_forward(np.ones((4, 3)), gamma, beta)


def test_backward_checks_the_gradient_shape():
    _, cache = bp.batchnorm_forward(np.arange(6.0).reshape(3, 2), np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match="grad_out"):
        bp.batchnorm_backward(np.ones((2, 2)), cache)
