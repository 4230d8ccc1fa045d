"""Input checks for the public API.

Wrong input fails at the boundary, with a message that names the argument
and says what was expected and what came: never a broadcasting error from
deep inside numpy, and never a silently wrong number. All of that lives
here, so that the algorithms in network.py read like the source text.
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
        raise ValueError(f"{argname}: cannot be made into an array "
                         f"({error})") from None
    # float, int or unsigned int; not bool, complex, str or object
    if array.dtype.kind not in "fiu":
        raise TypeError(f"{argname}: expected real numbers, got an array "
                        f"of dtype {array.dtype}")
    if array.dtype.kind != "f":
        array = array.astype(float)
    if array.ndim != ndim:
        expected = {1: "a vector (1-D)",
                    2: "a matrix (2-D), one row per sample"}[ndim]
        hint = (" (for one value per sample, use .reshape(-1, 1))"
                if (ndim, array.ndim) == (2, 1) else "")
        raise ValueError(f"{argname}: expected {expected}, got an array of "
                         f"shape {array.shape}{hint}")
    if not np.isfinite(array).all():
        first = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(f"{argname}: contains NaN or infinity (first at "
                         f"index {tuple(int(i) for i in first)})")
    return array


def params(W, b) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """W, b as lists of arrays whose shapes chain from layer to layer."""
    for argname, value in (("W", W), ("b", b)):
        if (isinstance(value, (np.ndarray, str))
                or not isinstance(value, Sequence)):
            raise TypeError(f"{argname}: expected a list with one array per "
                            f"layer, got {type(value).__name__}")
    if len(W) == 0:
        raise ValueError("W: expected at least one layer, got an empty list")
    if len(b) != len(W):
        raise ValueError(f"b: expected {len(W)} bias vectors, one per "
                         f"weight matrix in W, got {len(b)}")
    W = [as_array(W_l, f"W[{l}]", 2) for l, W_l in enumerate(W)]
    b = [as_array(b_l, f"b[{l}]", 1) for l, b_l in enumerate(b)]
    for l in range(len(W)):
        if b[l].shape != (W[l].shape[0],):
            raise ValueError(f"b[{l}]: expected shape {(W[l].shape[0],)} to "
                             f"match W[{l}] of shape {W[l].shape}, got "
                             f"{b[l].shape}")
        if l > 0 and W[l].shape[1] != W[l - 1].shape[0]:
            raise ValueError(f"W[{l}]: expected {W[l - 1].shape[0]} columns, "
                             f"one per row of W[{l - 1}] (shape "
                             f"{W[l - 1].shape}), got shape {W[l].shape}")
    return W, b


def activations(spec, n_layers: int) -> list[Activation]:
    """One Activation per layer, from a list, or one spec for all layers."""
    if isinstance(spec, (str, Activation)):
        spec = [spec] * n_layers
    if not isinstance(spec, Sequence):
        raise TypeError(f"activations: expected a list of {n_layers} names "
                        f"or Activations, got {type(spec).__name__}")
    if len(spec) != n_layers:
        raise ValueError(f"activations: expected {n_layers}, one per layer "
                         f"of W, got {len(spec)}")
    return [get_activation(s, f"activations[{l}]")
            for l, s in enumerate(spec)]


def loss(spec, output: Activation) -> Loss:
    """The Loss for `spec`, checked against the output activation."""
    found = get_loss(spec)
    found.check_output(output, "loss")
    return found


def inputs(x, W: list[np.ndarray], argname: str, ndim: int) -> np.ndarray:
    """A sample x (ndim 1) or batch X (ndim 2) whose width fits W[0]."""
    array = as_array(x, argname, ndim)
    n_input = W[0].shape[1]
    if array.shape[-1] != n_input:
        expected = (n_input,) if ndim == 1 else ("n_samples", n_input)
        raise ValueError(f"{argname}: expected shape {expected} to match "
                         f"W[0] of shape {W[0].shape}, got {array.shape}")
    return array


def targets(y, W: list[np.ndarray], the_loss: Loss, argname: str,
            n_samples: int | None = None) -> np.ndarray:
    """Targets y (n_L,) or, given n_samples, Y (n_samples, n_L)."""
    ndim = 1 if n_samples is None else 2
    array = as_array(y, argname, ndim)
    n_output = W[-1].shape[0]
    expected = (n_output,) if ndim == 1 else (n_samples, n_output)
    if array.shape != expected:
        raise ValueError(f"{argname}: expected shape {expected} to match the "
                         f"input and W[-1] of shape {W[-1].shape}, got "
                         f"{array.shape}")
    the_loss.check_targets(array, argname)
    return array


def sample_or_batch(x, y, W: list[np.ndarray], the_loss: Loss):
    """x and y checked as one sample (x 1-D) or a batch (x 2-D), and which."""
    batched = np.ndim(x) == 2
    x = inputs(x, W, "x", ndim=2 if batched else 1)
    y = targets(y, W, the_loss, "y", n_samples=len(x) if batched else None)
    return x, y, batched


def positive_int(value, argname: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{argname}: expected an int, got "
                        f"{type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{argname}: expected an int >= {minimum}, "
                         f"got {value}")
    return int(value)


def positive_real(value, argname: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{argname}: expected a number, got "
                        f"{type(value).__name__} {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{argname}: expected a finite number > 0, "
                         f"got {value}")
    return float(value)


def choice(value, options: tuple, argname: str):
    """`value` if it is one of `options`."""
    if value not in options:
        raise ValueError(f"{argname}: expected one of "
                         f"{', '.join(map(repr, options))}, got {value!r}")
    return value


def architecture(value) -> list[int]:
    """Layer sizes [n_0, ..., n_L]: at least two positive ints."""
    if (isinstance(value, (str, bytes))
            or not isinstance(value, (Sequence, np.ndarray))):
        raise TypeError("architecture: expected a list of layer sizes, got "
                        f"{type(value).__name__}")
    if len(value) < 2:
        raise ValueError("architecture: expected at least [n_input, "
                         f"n_output], got {list(value)}")
    return [positive_int(n, f"architecture[{i}]")
            for i, n in enumerate(value)]
