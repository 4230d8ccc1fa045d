"""Input checks for the public API.

Wrong input fails at the boundary, with a message that names the argument
and says what was expected and what came: never a broadcasting error from
deep inside numpy, and never a silently wrong number. All of that lives
here, so that the algorithms read like the source text. One exception type
per kind of mistake: TypeError for a value of the wrong type, ValueError
for a value of the right type that cannot be used (a shape, a range, a
name).

Public functions check their input once, here, and then call unchecked
internals (the functions whose names start with "_"); an internal never
calls a checking public function on the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np

from .activations import Activation, get_activation
from .losses import Loss, get_loss


def as_float_array(value, argname: str) -> np.ndarray:
    """`value` as a float array of any shape (NaN and inf allowed)."""
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{argname}: cannot be made into an array "
                         f"({error})") from None
    # float, int or unsigned int; not bool, complex, str or object
    if array.dtype.kind not in "fiu":
        raise TypeError(f"{argname}: expected real numbers, got an array "
                        f"of dtype {array.dtype}")
    return array if array.dtype.kind == "f" else array.astype(float)


def as_array(value, argname: str, ndim: int) -> np.ndarray:
    """`value` as a finite float array with `ndim` dimensions."""
    array = as_float_array(value, argname)
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


_NO_LOSS = object()


def network(W, b, activations_spec, loss_spec=_NO_LOSS):
    """W, b, one Activation per layer and (if given) the Loss, checked
    together: the arguments every network function takes."""
    W, b = params(W, b)
    sigma = activations(activations_spec, len(W))
    if loss_spec is _NO_LOSS:
        return W, b, sigma
    return W, b, sigma, loss(loss_spec, sigma[-1])


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


def positive_real(value, argname: str, zero_ok: bool = False) -> float:
    """A finite number > 0 (>= 0 with zero_ok)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{argname}: expected a number, got "
                        f"{type(value).__name__} {value!r}")
    if not (np.isfinite(value) and (value >= 0 if zero_ok else value > 0)):
        bound = ">= 0" if zero_ok else "> 0"
        raise ValueError(f"{argname}: expected a finite number {bound}, "
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


def float_dtype(value) -> np.dtype:
    """`value` as a numpy float dtype (float64, float32, ...)."""
    try:
        found = np.dtype(value)
    except (TypeError, ValueError):
        found = None
    if found is None or found.kind != "f":
        raise TypeError("dtype: expected a float type such as np.float64 or "
                        f"np.float32, got {value!r}")
    return found


def function(value, argname: str, signature: str):
    """`value` if it can be called (or None)."""
    if value is not None and not callable(value):
        raise TypeError(f"{argname}: expected a function {signature}, got "
                        f"{type(value).__name__}")
    return value


def data(X, Y, the_loss: Loss, sizes: list[int], dtype,
         names: tuple[str, str] = ("X", "Y")):
    """A data set X, Y for a network of layer `sizes`, as arrays of
    `dtype` (no copy when they already are)."""
    x_name, y_name = names
    X = as_array(X, x_name, ndim=2)
    if X.shape[1] != sizes[0]:
        raise ValueError(f"{x_name}: expected {sizes[0]} columns to match "
                         f"architecture[0] = {sizes[0]}, got shape {X.shape}")
    if len(X) == 0:
        raise ValueError(f"{x_name}: expected at least one sample, "
                         f"got shape {X.shape}")
    Y = as_array(Y, y_name, ndim=2)
    if Y.shape != (len(X), sizes[-1]):
        raise ValueError(
            f"{y_name}: expected shape {(len(X), sizes[-1])}, a row per "
            f"sample of {x_name} and architecture[-1] = {sizes[-1]} "
            f"columns, got {Y.shape}")
    the_loss.check_targets(Y, y_name)
    return X.astype(dtype, copy=False), Y.astype(dtype, copy=False)


def validation_data(pair, the_loss: Loss, sizes: list[int], dtype):
    """`data` for train's validation_data=(X_val, Y_val)."""
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
        raise TypeError("validation_data: expected a pair (X_val, Y_val), "
                        f"got {type(pair).__name__}")
    return data(*pair, the_loss, sizes, dtype,
                names=("validation_data[0]", "validation_data[1]"))


def layer_flags(spec, sizes: list[int], argname: str) -> list[bool]:
    """One bool per layer from `spec`, checked against the sizes.

    None or False: no layer. True: batch_norm on every hidden layer;
    residual on every hidden layer but the first (which usually changes
    the width). A list: one bool per layer. The output layer can have
    neither, and a residual layer needs equal input and output widths; a
    violation raises ValueError naming the layer (chapter 8).
    """
    L = len(sizes) - 1
    if isinstance(spec, (bool, np.bool_)):
        spec = bool(spec)
    if spec is None or spec is False:
        return [False] * L
    if spec is True:
        first = 1 if argname == "residual" else 0
        flags = [first <= l < L - 1 for l in range(L)]
    else:
        if isinstance(spec, (str, bytes)) or not hasattr(spec, "__len__"):
            raise TypeError(f"{argname}: expected None, a bool, or a list "
                            f"of {L} bools, got {type(spec).__name__}")
        if len(spec) != L:
            raise ValueError(f"{argname}: expected {L} bools, one per "
                             f"layer, got {len(spec)}")
        for l, flag in enumerate(spec):
            if not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"{argname}[{l}]: expected a bool, got "
                                f"{type(flag).__name__} {flag!r}")
        flags = [bool(flag) for flag in spec]
    if flags[-1]:
        raise ValueError(f"{argname}[{L - 1}]: the output layer (layer {L}) "
                         f"cannot have {argname.replace('_', ' ')}; only "
                         "hidden layers can")
    if argname == "residual":
        for l, flag in enumerate(flags):
            if flag and sizes[l] != sizes[l + 1]:
                raise ValueError(
                    f"residual[{l}]: layer {l + 1} maps {sizes[l]} units to "
                    f"{sizes[l + 1]}; a skip connection a = a_prev + σ(s) "
                    "needs equal widths")
    return flags


def deep_training(batch_norm: list[bool], method: str, dtype: np.dtype,
                  batch_size: int, n_samples: int) -> None:
    """What a network with batch norm or skips cannot train with."""
    if method != "batched":
        raise ValueError("method: networks with batch_norm or residual "
                         f"train with method='batched' only, got {method!r}")
    if dtype != np.float64:
        raise ValueError("dtype: networks with batch_norm or residual train "
                         f"in float64 only, got {dtype.name}")
    if any(batch_norm) and (batch_size < 2 or n_samples % batch_size == 1):
        raise ValueError(
            f"batch_size: batch normalisation needs at least 2 samples in "
            f"every batch; batch_size={batch_size} with {n_samples} samples "
            "leaves a batch of 1")


def batchnorm_input(Z, gamma, beta, training: bool,
                    running=None) -> np.ndarray:
    """A batch Z (n_samples, n_units); γ, β and any running statistics
    (mean, variance) with one entry per unit."""
    Z = as_array(Z, "Z", ndim=2)
    if training and len(Z) < 2:
        raise ValueError("Z: batch normalisation in training mode needs at "
                         f"least 2 samples per batch, got {len(Z)}")
    names = ("gamma", "beta", "running_mean", "running_var")
    for argname, value in zip(names, (gamma, beta, *(running or ()))):
        if np.shape(value) != (Z.shape[1],):
            raise ValueError(f"{argname}: expected shape {(Z.shape[1],)}, "
                             f"one per column of Z, got {np.shape(value)}")
    return Z


def deep_batch(X, net, argname: str, training: bool) -> np.ndarray:
    """A batch for a DeepNet: as wide as W[0], and at least 2 samples when
    batch norm uses the batch's own statistics."""
    X = inputs(X, net.W, argname, ndim=2)
    if training and any(net.batch_norm) and len(X) < 2:
        raise ValueError(f"{argname}: batch normalisation in training mode "
                         f"needs at least 2 samples, got {len(X)}")
    return X


def same_shape(value, like: np.ndarray, argname: str, what: str):
    """`value` (an array) if its shape is `like`'s; `what` names `like`."""
    if np.shape(value) != np.shape(like):
        raise ValueError(f"{argname}: expected shape {np.shape(like)}, like "
                         f"{what}, got {np.shape(value)}")
    return value


def float_arrays(arrays, argname: str) -> list[np.ndarray]:
    """Float numpy arrays that can be perturbed in place."""
    for i, array in enumerate(arrays):
        # θ ± h written into an int array would be rounded to θ.
        if not (isinstance(array, np.ndarray) and array.dtype.kind == "f"):
            raise TypeError(f"{argname}[{i}]: expected a float numpy array "
                            "to perturb in place, got "
                            f"{getattr(array, 'dtype', type(array).__name__)}")
    return arrays


def instance(value, cls: type, argname: str):
    """`value` if it is a `cls`."""
    if not isinstance(value, cls):
        raise TypeError(f"{argname}: expected a bplib {cls.__name__}, got "
                        f"{type(value).__name__}")
    return value


def widths(hidden, argname: str = "hidden") -> list[int]:
    """A hidden layer's width, or a list of widths, as a list."""
    if isinstance(hidden, Integral) and not isinstance(hidden, bool):
        return [positive_int(hidden, argname)]
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(f"{argname}: expected a width or a list of widths, "
                        f"got {type(hidden).__name__} {hidden!r}")
    return [positive_int(n, f"{argname}[{i}]") for i, n in enumerate(hidden)]


def settings(values, argname: str) -> list:
    """The values a grid or slider runs over: a non-empty list."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{argname}: expected a list of values, got "
                        f"{type(values).__name__}")
    if len(values) == 0:
        raise ValueError(f"{argname}: expected at least one value, got "
                         "an empty list")
    return list(values)


def returned_gradient(g: np.ndarray, like: np.ndarray, param: str,
                      l: int) -> None:
    """A gradient that a user's backprop returned for param[l]."""
    if g.shape != like.shape:
        raise ValueError(
            f"backprop: returned d{param}[{l}] of shape {g.shape}, expected "
            f"{like.shape} like {param}[{l}] (layer {l + 1})")


def per_layer(values, argname: str) -> np.ndarray:
    """One number per layer, for at least two layers (inf and NaN allowed:
    an exploding network's gradient norms are what they are)."""
    array = as_float_array(values, argname)
    if array.ndim != 1 or len(array) < 2:
        raise ValueError(f"{argname}: expected one value per layer, at "
                         f"least 2, got shape {array.shape}")
    return array


def gradients(grads, argname: str = "grads") -> list[np.ndarray]:
    """A non-empty list of float arrays, one per parameter."""
    if (isinstance(grads, (np.ndarray, str))
            or not isinstance(grads, Sequence)):
        raise TypeError(f"{argname}: expected a list of arrays, one per "
                        f"parameter, got {type(grads).__name__}")
    if len(grads) == 0:
        raise ValueError(f"{argname}: expected at least one array, got an "
                         "empty list")
    return [as_float_array(g, f"{argname}[{i}]") for i, g in enumerate(grads)]


def step_sizes(exact, arrays, steps) -> np.ndarray:
    """step_size_errors' exact gradients (like arrays) and its steps h."""
    if len(exact) != len(arrays):
        raise ValueError(f"exact: expected {len(arrays)} arrays, one per "
                         f"array in arrays, got {len(exact)}")
    for i, (g, array) in enumerate(zip(exact, arrays)):
        same_shape(g, array, f"exact[{i}]", f"arrays[{i}]")
    steps = as_array(steps, "steps", ndim=1)
    if steps.size == 0 or not np.all(steps > 0):
        raise ValueError("steps: expected a non-empty list of step sizes "
                         f"> 0, got {steps.tolist()}")
    return steps


def recorded(values: list, argname: str, which: str) -> list:
    """A History's list of `which`, if anything was recorded in it."""
    if not values:
        raise ValueError(f"{argname}: no {which} was recorded (train "
                         f"records the metric only when given one)")
    return values


def required_function(value, argname: str, signature: str):
    """`value` if it can be called (None is refused)."""
    if not callable(value):
        raise TypeError(f"{argname}: expected a function {signature}, got "
                        f"{type(value).__name__}")
    return value


def flag(value, argname: str) -> bool:
    """`value` if it is a bool (True or False, numpy's too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{argname}: expected True or False, got "
                        f"{type(value).__name__} {value!r}")
    return bool(value)


def generator(value, argname: str = "rng") -> np.random.Generator:
    """A numpy Generator from a seed (an int >= 0), a Generator, or None
    (fresh randomness), as np.random.default_rng takes them."""
    if value is None or isinstance(value, np.random.Generator):
        return np.random.default_rng(value)
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{argname}: expected a seed (an int >= 0), a numpy "
                        f"Generator or None, got {type(value).__name__} "
                        f"{value!r}")
    if value < 0:
        raise ValueError(f"{argname}: expected a seed >= 0, got {value}")
    return np.random.default_rng(int(value))


def small_architecture(value, max_layers: int, max_width: int) -> list[int]:
    """`architecture`, small enough to probe in a moment: at most
    `max_layers` layers of at most `max_width` units."""
    sizes = architecture(value)
    if len(sizes) - 1 > max_layers or max(sizes) > max_width:
        raise ValueError(f"architecture: expected at most {max_layers} layers "
                         f"of at most {max_width} units, got {sizes}")
    return sizes
