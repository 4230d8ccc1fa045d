"""Input checks for the public API.

Wrong input should fail at the boundary with a message that names the argument and says what was
expected and what came, never as a broadcasting error from deep inside numpy, and never as a silently
wrong number. The algorithms in network.py stay readable because all of that lives here.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np

from .activations import Activation, get_activation
from .losses import Loss, get_loss


def as_array(value, argname: str, ndim: int) -> np.ndarray:
    """`value` as a finite float array with `ndim` dimensions."""
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{argname}: cannot be made into an array ({error})") from None
    if array.dtype.kind not in "fiu":  # float, int, unsigned; not bool, complex, str, object
        raise TypeError(f"{argname}: expected real numbers, got an array of dtype {array.dtype}")
    if array.dtype.kind != "f":
        array = array.astype(float)
    if array.ndim != ndim:
        expected = {1: "a vector (1-D)", 2: "a matrix (2-D), one row per sample"}[ndim]
        hint = " (for one value per sample, use .reshape(-1, 1))" if (ndim, array.ndim) == (2, 1) else ""
        raise ValueError(f"{argname}: expected {expected}, got an array of shape {array.shape}{hint}")
    if not np.isfinite(array).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{argname}: contains NaN or infinity (first at index {where})")
    return array


def params(W, b) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """W and b as lists of arrays whose shapes chain: W[l] (n_out, n_in), b[l] (n_out,)."""
    for argname, value in (("W", W), ("b", b)):
        if isinstance(value, np.ndarray) or not isinstance(value, Sequence) or isinstance(value, str):
            raise TypeError(f"{argname}: expected a list with one array per layer, got {type(value).__name__}")
    if len(W) == 0:
        raise ValueError("W: expected at least one layer, got an empty list")
    if len(b) != len(W):
        raise ValueError(f"b: expected {len(W)} bias vectors (one per weight matrix in W), got {len(b)}")
    W = [as_array(Wl, f"W[{l}]", 2) for l, Wl in enumerate(W)]
    b = [as_array(bl, f"b[{l}]", 1) for l, bl in enumerate(b)]
    for l in range(len(W)):
        if b[l].shape != (W[l].shape[0],):
            raise ValueError(f"b[{l}]: expected shape {(W[l].shape[0],)} to match W[{l}] of shape "
                             f"{W[l].shape}, got {b[l].shape}")
        if l > 0 and W[l].shape[1] != W[l - 1].shape[0]:
            raise ValueError(f"W[{l}]: expected {W[l - 1].shape[0]} columns, one per output of W[{l - 1}] "
                             f"(shape {W[l - 1].shape}), got shape {W[l].shape}")
    return W, b


def activations(spec, n_layers: int) -> list[Activation]:
    """One Activation per layer, from a list of names/objects or a single one used for every layer."""
    if isinstance(spec, (str, Activation)):
        spec = [spec] * n_layers
    if not isinstance(spec, Sequence):
        raise TypeError(f"activations: expected a list of {n_layers} names or Activations, "
                        f"got {type(spec).__name__}")
    if len(spec) != n_layers:
        raise ValueError(f"activations: expected {n_layers} (one per layer of W), got {len(spec)}")
    return [get_activation(s, f"activations[{l}]") for l, s in enumerate(spec)]


def loss(spec, output: Activation) -> Loss:
    """The Loss for `spec`, checked against the output layer's activation."""
    found = get_loss(spec)
    found.check_output(output, "loss")
    return found


def inputs(x, W: list[np.ndarray], argname: str, ndim: int) -> np.ndarray:
    """One sample x (ndim=1) or a batch X (ndim=2) whose last axis matches W[0]."""
    array = as_array(x, argname, ndim)
    n_input = W[0].shape[1]
    if array.shape[-1] != n_input:
        expected = (n_input,) if ndim == 1 else ("n_samples", n_input)
        raise ValueError(f"{argname}: expected shape {expected} to match W[0] of shape {W[0].shape}, "
                         f"got {array.shape}")
    return array


def targets(y, W: list[np.ndarray], the_loss: Loss, argname: str, n_samples: int | None = None) -> np.ndarray:
    """Targets y (n_output,) or, with n_samples, Y (n_samples, n_output) fit for `the_loss`."""
    ndim = 1 if n_samples is None else 2
    array = as_array(y, argname, ndim)
    expected = (W[-1].shape[0],) if n_samples is None else (n_samples, W[-1].shape[0])
    if array.shape != expected:
        raise ValueError(f"{argname}: expected shape {expected} to match the input and W[-1] of shape "
                         f"{W[-1].shape}, got {array.shape}")
    the_loss.check_targets(array, argname)
    return array


def positive_int(value, argname: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{argname}: expected an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{argname}: expected an int >= {minimum}, got {value}")
    return int(value)


def positive_real(value, argname: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{argname}: expected a number, got {type(value).__name__} {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{argname}: expected a finite number > 0, got {value}")
    return float(value)


def architecture(value) -> list[int]:
    """Layer sizes [n_input, n_hidden..., n_output]: at least two positive ints."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"architecture: expected a list of layer sizes, got {type(value).__name__}")
    if len(value) < 2:
        raise ValueError(f"architecture: expected at least [n_input, n_output], got {list(value)}")
    return [positive_int(n, f"architecture[{i}]") for i, n in enumerate(value)]
