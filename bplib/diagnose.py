"""Check your own backprop: what is wrong, in which layer, which line (chapter 2).

Chapter 2 derives the four equations of backpropagation::

    BP1  δᴸ = ∇ₐL ⊙ σ'(zᴸ)              the output error
    BP2  δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ)    the error, one layer down
    BP3  ∂L/∂bˡ = δˡ
    BP4  ∂L/∂Wˡ = δˡ (aˡ⁻¹)ᵀ

and the appendix "bug zoo" shows each classic bug's signature in a gradient check. `diagnose`
runs a learner's backprop on small probe networks of its own and compares every gradient with
bplib's. To name the bug it replays signatures: this module's own backprop with one known bug
planted at some layers (`_variant`); a bug is named when its variant reproduces the learner's
gradients on every probe. What no variant explains is matched against a few patterns (one common
factor, a bias gradient alone wrong), and is otherwise "unknown".

The kinds of bug it names (`KINDS`):

{kinds}
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import numpy as np

from . import _checks
from .activations import Activation, get_activation, softmax
from .gradient_check import numerical_gradient, relative_error
from .losses import Loss, get_loss
from .network import _backprop_batch, _backpropagation, _forward_batch

__all__ = ["diagnose", "Diagnosis"]

#: every kind of bug `diagnose` names, and what it means
KINDS: dict[str, str] = {
    "shape": "the function raises, or returns the wrong number of arrays or arrays of the "
             "wrong shape",
    "missing_transpose": "BP2 multiplies δˡ⁺¹ by Wˡ⁺¹ where its transpose (Wˡ⁺¹)ᵀ belongs",
    "outer_product_order": "BP4 computes aˡ⁻¹ (δˡ)ᵀ, the transpose of ∂L/∂Wˡ = δˡ (aˡ⁻¹)ᵀ",
    "previous_activation": "BP4 uses the layer's own output aˡ where its input aˡ⁻¹ belongs",
    "bias_gradient": "∂L/∂bˡ is wrong while every ∂L/∂W is right: BP3 says ∂L/∂bˡ = δˡ",
    "activation_derivative_of_output": "σ' is evaluated at the output a = σ(z) where BP1 or BP2 "
                                       "has σ'(z)",
    "missing_activation_derivative": "BP1 or BP2 leaves out the factor σ'(z)",
    "output_delta_sign": "BP1 computes y − ŷ where ŷ − y belongs: every gradient points uphill",
    "output_delta_twice": "BP1 multiplies ŷ − y, already ∂L/∂zᴸ for sigmoid + bce and softmax + "
                          "cce, by the output activation's derivative again",
    "constant_factor": "every gradient is off by one common factor: a stray 2, or a sum over "
                       "the batch where the mean belongs",
    "non_finite": "the gradients contain NaN or infinity",
    "unknown": "the gradients are wrong, but like none of the bugs above",
}
__doc__ = __doc__.format(kinds="\n".join(f"- ``{name}``: {text}." for name, text in KINDS.items()))

#: the probe network's layer sizes when `diagnose` is given none: no square matrix, so that
#: a transpose shows in the shapes
ARCHITECTURE = [3, 5, 4, 2]
#: the largest network `diagnose` probes: the check should take a moment
MAX_LAYERS, MAX_WIDTH = 5, 10

#: the probes' hidden activations (alternating by layer), output activation and loss: pairs
#: whose BP1 is ŷ − y (identity + mse, sigmoid + bce, softmax + cce) and pairs where σ'(zᴸ)
#: counts; tanh, sigmoid and elu, whose σ'(a) differs from σ'(z) (relu's would not)
PROBE_NETWORKS = [(("tanh", "sigmoid"), "tanh", "mse"),
                  (("sigmoid", "elu"), "sigmoid", "bce"),
                  (("elu", "tanh"), "softmax", "cce"),
                  (("tanh", "elu"), "identity", "mse"),
                  (("sigmoid", "tanh"), "sigmoid", "mse")]
#: batched probes take turns with these sizes: 1, where a sum equals the mean, and two more
BATCH_SIZES = (3, 1, 5)

# Two gradients agree when they differ by rounding: loops and matrix products, or ŷ − y and
# ∇ₐL ⊙ σ'(z), differ by ~1e-15 relative; every bug here changes them by far more than 1e-6.
RTOL, ATOL = 1e-6, 1e-9

#: the operators a message's formulas use: kept on one line with their operands
OPERATORS = ("−", "=", "×", "⊙", "+")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _wrap(text: str, width: int = 78) -> str:
    """`text` in lines that fit the book's output box (about 80 columns; the table fits already),
    never broken inside a formula such as ŷ − y: textwrap does not break at a no-break space."""
    for op in OPERATORS:
        text = text.replace(f" {op} ", f"\u00a0{op}\u00a0")
    return textwrap.fill(text, width).replace("\u00a0", " ")


def _sup(n: int) -> str:
    return str(n).translate(_SUPERSCRIPT)


@dataclass(frozen=True)
class Diagnosis:
    """What `diagnose` found (chapter 2; the appendix "bug zoo" shows each signature).

    ok: right on every probe. layer: the highest layer (1..L) whose gradient is wrong, where
    the error enters; None when ok, or when the function raised or returned no usable arrays.
    kind: a name from `KINDS`, None when ok. architecture: the layer sizes [n_0, ..., n_L] of
    the probe network that layer, message and table refer to. message: what is wrong and which
    equation to look at. table: the per-layer relative errors it rests on, and the factor by
    which each gradient is a multiple of the true one.
    """

    ok: bool
    layer: int | None
    kind: str | None
    architecture: list[int]
    message: str
    table: str = field(repr=False)

    def __str__(self) -> str:
        return f"{_wrap(self.message)}\n\n{self.table}"


@dataclass(frozen=True, eq=False)
class _Probe:
    """A small network, its activation and loss names, and a batch X, Y (one row per sample;
    a single-sample probe has one row and hands the learner X[0], Y[0])."""

    W: list[np.ndarray]
    b: list[np.ndarray]
    activations: list[str]
    loss: str
    X: np.ndarray
    Y: np.ndarray
    single: bool

    @property
    def sizes(self) -> list[int]:
        return [self.W[0].shape[1]] + [len(b_l) for b_l in self.b]

    @property
    def sigma(self) -> list[Activation]:
        return [get_activation(name) for name in self.activations]

    @property
    def the_loss(self) -> Loss:
        return get_loss(self.loss)

    def arguments(self) -> tuple:
        """Fresh copies each call: a learner's function may change its arguments in place."""
        x, y = (self.X[0], self.Y[0]) if self.single else (self.X, self.Y)
        return (x.copy(), y.copy(), [W_l.copy() for W_l in self.W],
                [b_l.copy() for b_l in self.b], list(self.activations), self.loss)

    def describe(self) -> str:
        samples = "one sample" if self.single else f"a batch of {len(self.X)}"
        return (f"{'-'.join(map(str, self.sizes))} network, {', '.join(self.activations)}, "
                f"{self.loss} loss, {samples}")


@dataclass
class _Outcome:
    """What the learner's function did on one probe: raised `error`, returned something
    malformed (`problem` says what), or returned `grads`, dW then db (2L arrays, any shapes)."""

    error: Exception | None = None
    problem: str | None = None
    grads: list[np.ndarray] | None = None


@dataclass(frozen=True)
class _Bug:
    """A known bug planted at the text's layers `layers`; `how` picks one way of writing it."""

    kind: str
    layers: frozenset[int]
    how: str = ""


# ---------------------------------------------------------------- the probes
def _architectures(sizes: list[int]) -> list[list[int]]:
    """The given network and two of the same depth, all square and never square: a missing
    transpose changes the numbers of a square layer and breaks a rectangular one."""
    L = len(sizes) - 1
    square = [3] * (L + 1)
    rectangular = ([4] + [3, 5] * L)[:L] + [2]    # 4-3-5-2, 4-3-5-3-2, ...
    found = []
    for arch in (sizes, square, rectangular):
        if arch not in found:
            found.append(arch)
    return found


def _targets(rng: np.random.Generator, loss: str, n: int, n_out: int) -> np.ndarray:
    if loss == "mse":
        return rng.normal(size=(n, n_out))
    if loss == "bce":
        return rng.uniform(0, 1, size=(n, n_out))
    return np.eye(n_out)[rng.integers(n_out, size=n)]


def _probes(sizes: list[int], batched: bool, rng: np.random.Generator) -> list[_Probe]:
    """Every probe network with every output/loss pair; moderate weights so that no tanh or
    sigmoid saturates."""
    probes = []
    for arch in _architectures(sizes):
        for hidden, output, loss in PROBE_NETWORKS:
            if output == "softmax" and arch[-1] < 2:
                continue  # a single softmax unit always outputs 1: nothing to learn
            n = BATCH_SIZES[len(probes) % len(BATCH_SIZES)] if batched else 1
            W = [rng.normal(0, 1 / np.sqrt(n_in), size=(n_out, n_in))
                 for n_in, n_out in zip(arch[:-1], arch[1:])]
            b = [rng.normal(0, 0.5, size=n_out) for n_out in arch[1:]]
            acts = [hidden[l % 2] for l in range(len(arch) - 2)] + [output]
            X = rng.uniform(-1, 1, size=(n, arch[0]))
            probes.append(_Probe(W, b, acts, loss, X, _targets(rng, loss, n, arch[-1]),
                                 not batched))
    return probes


def _truth(probe: _Probe) -> list[np.ndarray]:
    """bplib's gradients, dW then db."""
    if probe.single:
        dW, db = _backpropagation(probe.X[0], probe.Y[0], probe.W, probe.b, probe.sigma,
                                  probe.the_loss)
    else:
        dW, db, _ = _backprop_batch(probe.X, probe.Y, probe.W, probe.b, probe.sigma,
                                    probe.the_loss)
    return dW + db


def _run(backprop, probe: _Probe) -> _Outcome:
    """The learner's function on one probe; whatever it raises is part of the diagnosis."""
    try:
        with np.errstate(all="ignore"):
            returned = backprop(*probe.arguments())
    except Exception as error:  # any exception is a finding, not a crash
        return _Outcome(error=error)
    return _unpack(returned, len(probe.W))


def _what(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)}"
    return type(value).__name__


def _unpack(returned, L: int) -> _Outcome:
    """The pair (dW, db) as 2L float arrays, or what is wrong with it."""
    if not isinstance(returned, (list, tuple)) or len(returned) != 2:
        return _Outcome(problem=f"returned {_what(returned)}, expected a pair (dW, db)")
    grads = []
    for name, part in zip(("dW", "db"), returned):
        if not isinstance(part, (list, tuple)) or len(part) != L:
            return _Outcome(problem=f"returned {name} as {_what(part)}, expected a list of "
                                    f"{L} arrays, one per layer")
        for l, g in enumerate(part):
            try:
                grads.append(np.asarray(g, dtype=float))
            except Exception as error:  # a ragged list, a string, ...
                return _Outcome(problem=f"returned {name}[{l}], which is not an array of "
                                        f"numbers ({error})")
    return _Outcome(grads=grads)


# ---------------------------------------------------------------- the signatures of known bugs
def _candidates(L: int) -> list[_Bug]:
    """Every known bug at one layer, or at one layer and all below it (a bug in the backward
    loop's body reaches every layer the loop visits)."""
    steps, layers = range(1, L), range(1, L + 1)   # BP2 runs for l = L-1 .. 1
    bugs = []
    for kind, allowed in (("missing_transpose", steps), ("outer_product_order", layers),
                          ("previous_activation", layers),
                          ("activation_derivative_of_output", layers),
                          ("missing_activation_derivative", layers)):
        allowed = list(allowed)
        bugs += [_Bug(kind, frozenset({l})) for l in allowed]
        bugs += [_Bug(kind, frozenset(allowed[:i + 1])) for i in range(1, len(allowed))]
    # softmax's Jacobian, or only its diagonal s ⊙ (1 − s), applied to ŷ − y
    return bugs + [_Bug("output_delta_twice", frozenset({L}), how)
                   for how in ("jacobian", "diagonal")]


def _through(sigma: Activation, z, a, grad_a, kind: str | None):
    """grad_a carried back through σ: ⊙ σ'(z), or with one of the two σ' bugs."""
    if kind == "missing_activation_derivative":
        return grad_a
    if kind == "activation_derivative_of_output":
        return sigma.backward(a, sigma(a), grad_a)   # σ'(a): a where z belongs
    return sigma.backward(z, a, grad_a)


def _output_delta(sigma: Activation, loss: Loss, z, a, y, kind: str | None, how: str):
    """BP1, with `kind` planted (None: bplib's δᴸ)."""
    if type(sigma) is not loss.canonical_activation:
        return _through(sigma, z, a, loss.gradient(a, y), kind)
    delta = a - y    # ŷ − y already is ∂L/∂zᴸ (chapter 5)
    if kind != "output_delta_twice":
        return delta
    if how == "diagonal" and sigma is softmax:
        return delta * a * (1 - a)
    return sigma.backward(z, a, delta)


def _variant(probe: _Probe, bug: _Bug) -> list[np.ndarray] | None:
    """Chapter 2's backprop over the probe's batch (the mean gradient), dW then db, with `bug`
    planted; None where the bug makes a product's shapes not fit, as numpy refuses the
    learner's."""
    W, sigma = probe.W, probe.sigma
    L, n = len(W), len(probe.X)
    A, Z = _forward_batch(probe.X, W, probe.b, sigma)

    def at(l: int) -> str | None:          # the bug's kind if it is planted at text layer l
        return bug.kind if l in bug.layers else None

    Delta = [None] * L                      # Delta[k]: one δ per row, text layer k + 1
    Delta[L - 1] = _output_delta(sigma[-1], probe.the_loss, Z[-1], A[L], probe.Y, at(L),
                                 bug.how) / n
    for k in range(L - 2, -1, -1):
        # Row by row (Wᵀ δ)ᵀ = δᵀ W; the missing transpose multiplies by Wᵀ instead.
        if at(k + 1) == "missing_transpose":
            if W[k + 1].shape[0] != W[k + 1].shape[1]:
                return None
            back = Delta[k + 1] @ W[k + 1].T
        else:
            back = Delta[k + 1] @ W[k + 1]
        Delta[k] = _through(sigma[k], Z[k], A[k + 1], back, at(k + 1))
    dW = []
    for k in range(L):
        if at(k + 1) == "previous_activation":
            dW.append(Delta[k].T @ A[k + 1])
        elif at(k + 1) == "outer_product_order":
            dW.append(A[k].T @ Delta[k])
        else:
            dW.append(Delta[k].T @ A[k])
    return dW + [Delta_k.sum(axis=0) for Delta_k in Delta]


# ---------------------------------------------------------------- comparing
def _close(g: np.ndarray, t: np.ndarray, scale: float) -> bool:
    return g.shape == t.shape and bool(
        np.linalg.norm(g - t) <= RTOL * np.linalg.norm(t) + ATOL * scale)


def _scale(truth: list[np.ndarray]) -> float:
    return float(np.sqrt(sum(np.sum(t ** 2) for t in truth)))


def _agrees(outcome: _Outcome, expected: list[np.ndarray] | None, scale: float) -> bool:
    """The learner's outcome is what `expected` predicts (None: a shape error)."""
    if expected is None:
        return outcome.error is not None
    return outcome.grads is not None and all(
        _close(g, t, scale) for g, t in zip(outcome.grads, expected))


def _wrong_layers(outcome: _Outcome, truth: list[np.ndarray], scale: float) -> list[int]:
    """The text layers with a wrong dW or db (none for a function that raised)."""
    if outcome.grads is None:
        return []
    L = len(truth) // 2
    return sorted({i % L + 1 for i, (g, t) in enumerate(zip(outcome.grads, truth))
                   if not _close(g, t, scale)})


def _factor(outcome: _Outcome, truth: list[np.ndarray], scale: float) -> float | None:
    """c if every gradient is c × the true one, else None."""
    if outcome.grads is None or any(g.shape != t.shape for g, t in zip(outcome.grads, truth)):
        return None
    g, t = (np.concatenate([a.ravel() for a in arrays]) for arrays in (outcome.grads, truth))
    c = float(g @ t / (t @ t))
    return c if _close(g, c * t, scale * max(1.0, abs(c))) else None


def _near(c: float | None, target: float) -> bool:
    return c is not None and abs(c - target) <= RTOL * max(1.0, abs(target))


# ---------------------------------------------------------------- what to tell the learner
def _delta_equation(l: int, L: int) -> str:
    if l == L:
        return "BP1, the output error δᴸ = ∇ₐL ⊙ σ'(zᴸ)"
    return f"BP2, δ{_sup(l)} = ((W{_sup(l + 1)})ᵀ δ{_sup(l + 1)}) ⊙ σ'(z{_sup(l)})"


def _bp3(l: int) -> str:
    return f"BP3, ∂L/∂b{_sup(l)} = δ{_sup(l)}"


def _bp4(l: int) -> str:
    return f"BP4, ∂L/∂W{_sup(l)} = δ{_sup(l)} (a{_sup(l - 1)})ᵀ"


def _and(items: list) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(map(str, items))
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def _also(bug: _Bug) -> str:
    others = sorted(bug.layers - {max(bug.layers)}, reverse=True)
    if not others:
        return ""
    return f" The same mistake is made at layer{'s' * (len(others) > 1)} {_and(others)} too."


def _explain_bug(bug: _Bug, l: int, L: int) -> str:
    """The message for a bug whose variant reproduced the learner's gradients."""
    below = f"so layer {l} and every layer below it are wrong, while the layers above are right"
    explain = {
        "missing_transpose":
            f"The error enters at layer {l}: δ{_sup(l)} is computed from δ{_sup(l + 1)} with "
            f"W{_sup(l + 1)} where its transpose (W{_sup(l + 1)})ᵀ belongs, {below}. "
            f"Look at {_delta_equation(l, L)}.",
        "outer_product_order":
            f"∂L/∂W{_sup(l)} is transposed: a{_sup(l - 1)} (δ{_sup(l)})ᵀ where "
            f"δ{_sup(l)} (a{_sup(l - 1)})ᵀ belongs, one row per unit of layer {l}. δ and "
            f"∂L/∂b are right. Look at {_bp4(l)}.",
        "previous_activation":
            f"∂L/∂W{_sup(l)} is built from layer {l}'s own output a{_sup(l)} instead of its "
            f"input a{_sup(l - 1)}. δ and ∂L/∂b are right. Look at {_bp4(l)}: each weight's "
            "gradient is the error of the unit it feeds times the input it multiplies.",
        "activation_derivative_of_output":
            f"The error enters at layer {l}: σ' is evaluated at the layer's output "
            f"a{_sup(l)} = σ(z{_sup(l)}) where the formula has z{_sup(l)}, {below}. "
            f"Look at {_delta_equation(l, L)}. (ReLU hides this bug, relu'(a) = relu'(z); "
            "tanh and sigmoid show it.)",
        "missing_activation_derivative":
            f"The error enters at layer {l}: the factor σ'(z{_sup(l)}) is missing from "
            f"δ{_sup(l)}, {below}. Look at {_delta_equation(l, L)}."
            + (" ŷ − y is δᴸ itself only for identity + mse, sigmoid + bce and softmax + cce; "
               "with tanh + mse it is only ∇ₐL." if l == L else ""),
        "output_delta_twice":
            "With sigmoid + bce or softmax + cce, ŷ − y already is δᴸ = ∂L/∂zᴸ (chapter 5), "
            "but your code multiplies it by the output activation's derivative again (for "
            "softmax, its Jacobian), which shrinks every gradient. Look at "
            f"{_delta_equation(L, L)}: use ŷ − y, or carry ∇ₐL back through σ, not both.",
    }[bug.kind]
    return explain + _also(bug)


def _explain_factor(factors: list[float], probes: list[_Probe], batched: bool,
                    L: int) -> tuple[str, str] | None:
    """output_delta_sign or constant_factor, and the message, if every probe's gradients are
    one factor × the true ones: 1 on some probes, and one c ≠ 1 (or the batch size) on the
    others."""
    sizes = [len(p.X) for p in probes]
    off = [(c, n, p) for c, n, p in zip(factors, sizes, probes) if not _near(c, 1)]

    def where(could_show) -> str:
        """Which output/loss pairs show the factor, if some probe that could show it is right."""
        if all(not could_show(p) or not _near(c, 1) for c, p in zip(factors, probes)):
            return ""
        pairs = sorted({f"{p.activations[-1]} + {p.loss}" for _, _, p in off})
        return f" on the probes with {_and(pairs)} (right on the others)"

    bp1 = _delta_equation(L, L)
    if all(_near(c, -1) for c, _, _ in off):
        return "output_delta_sign", (
            f"Every gradient is −1 × the true one{where(bool)}: it points uphill, so gradient "
            f"descent would climb the loss. δᴸ is y − ŷ where ŷ − y belongs. Look at {bp1}.")
    if batched and all(_near(c, n) for c, n, _ in off):
        return "constant_factor", (
            f"On a batch of N samples every gradient is N × the true one"
            f"{where(lambda p: len(p.X) > 1)}; a batch of one is right: a sum over the batch "
            "where the mean belongs. Divide by the batch size once, in δᴸ or in BP3 and BP4 "
            "(chapter 3).")
    c = off[0][0]
    if abs(c) < 1e-3 or not all(_near(other, c) for other, _, _ in off):
        return None
    return "constant_factor", (
        f"Every gradient is {c:.4g} × the true one{where(bool)}: one stray factor, in δᴸ or "
        "in every layer. A 2 is the classic: the derivative of ½‖ŷ − y‖² is ŷ − y, without a "
        f"2; a factor that grows with the batch is a sum where the mean belongs. Look at {bp1}.")


def _explain_unknown(outcome: _Outcome, truth: list[np.ndarray], scale: float, l: int,
                     L: int) -> str:
    """Where an unknown bug shows, and which equation that points to."""
    W_ok = _close(outcome.grads[l - 1], truth[l - 1], scale)
    b_ok = _close(outcome.grads[L + l - 1], truth[L + l - 1], scale)
    if b_ok:
        hint = f"∂L/∂b{_sup(l)} is right but ∂L/∂W{_sup(l)} is not, so δ is right: look at " \
               f"{_bp4(l)}."
    elif W_ok:
        hint = f"∂L/∂W{_sup(l)} is right but ∂L/∂b{_sup(l)} is not: look at {_bp3(l)}."
    else:
        hint = f"Both ∂L/∂W{_sup(l)} and ∂L/∂b{_sup(l)} are wrong, so δ{_sup(l)} is: look at " \
               f"{_delta_equation(l, L)}."
    return (f"Your gradients go wrong at layer {l} (the highest layer with a wrong one), but "
            f"not like any bug this check knows. {hint} Compare with bp.backpropagation's "
            "gradients on the probe below.")


def _explain_error(error: Exception, probe: _Probe) -> tuple[str, str]:
    """shape for the errors numpy raises on shapes that do not fit, unknown for the others."""
    quoted = f"Your function raised {type(error).__name__}: {error} (on the probe: " \
             f"{probe.describe()})."
    if isinstance(error, (ValueError, IndexError)):
        return "shape", (f"{quoted} In backprop that is usually a product whose shapes do not "
                         "fit. Every gradient has the shape of what it differentiates; check the "
                         "transpose in BP2, "
                         "δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ), and the outer product in BP4, "
                         "∂L/∂Wˡ = δˡ (aˡ⁻¹)ᵀ.")
    return "unknown", f"{quoted} It stopped before returning any gradients."


def _wrong_shape(outcome: _Outcome, truth: list[np.ndarray]) -> tuple[int, str] | None:
    """The highest layer with a gradient of the wrong shape, and what is wrong with it."""
    L = len(truth) // 2
    wrong = [(i % L + 1, i) for i, (g, t) in enumerate(zip(outcome.grads, truth))
             if g.shape != t.shape]
    if not wrong:
        return None
    l, i = max(wrong)
    param = "W" if i < L else "b"
    return l, (f"d{param}[{l - 1}], ∂L/∂{param}{_sup(l)}, has shape {outcome.grads[i].shape}; "
               f"expected {truth[i].shape}, the shape of {param}[{l - 1}]. Every gradient has "
               "the shape of what it differentiates.")


# ---------------------------------------------------------------- the table
def _cell(g: np.ndarray, t: np.ndarray) -> str:
    """Relative error and the factor ⟨g, t⟩ / ‖t‖², which is c when g = c t."""
    if g.shape != t.shape:
        return f"{'shape ' + str(g.shape):>14} {'':>7}"
    norm2 = float(np.sum(t * t))
    factor = f"{np.sum(g * t) / norm2:7.3g}" if norm2 > 0 else f"{'–':>7}"
    # A right gradient differs by rounding alone, whose digits vary from one CPU to another:
    # print the band, so that the table reads the same on every machine.
    error = relative_error(g, t)
    return f"{'< 1e-12' if error < 1e-12 else f'{error:.1e}':>14} {factor}"


def _table(probe: _Probe, outcome: _Outcome, truth: list[np.ndarray], check: float) -> str:
    """The per-layer comparison on one probe."""
    lines = [f"probe: {probe.describe()}"]
    if outcome.grads is None:
        what = (f"raised {type(outcome.error).__name__}: {outcome.error}"
                if outcome.error is not None else outcome.problem)
        return "\n".join(lines + [f"your function {what}"])
    L = len(probe.W)
    lines.append("layer  ∂L/∂W rel. error  × true  ∂L/∂b rel. error  × true")
    for l in range(1, L + 1):
        lines.append(f"{l:5d}    {_cell(outcome.grads[l - 1], truth[l - 1])}    "
                     f"{_cell(outcome.grads[L + l - 1], truth[L + l - 1])}")
    lines.append("(× true: ⟨yours, true⟩ / ‖true‖², which is c when yours is c × the true one.\n"
                 " The true gradients are bplib's; they agree with central differences\n"
                 f" to {'better than 1e-7' if check < 1e-7 else f'{check:.0e}'} here.)")
    return "\n".join(lines)


def _central_difference_error(probe: _Probe, truth: list[np.ndarray]) -> float:
    """How far bplib's gradients on `probe` are from central differences of its loss."""
    W, b = [W_l.copy() for W_l in probe.W], [b_l.copy() for b_l in probe.b]
    sigma, loss = probe.sigma, probe.the_loss

    def mean_loss() -> float:
        return loss.mean(_forward_batch(probe.X, W, b, sigma)[0][-1], probe.Y)

    numeric = numerical_gradient(mean_loss, W) + numerical_gradient(mean_loss, b)
    return relative_error(np.concatenate([t.ravel() for t in truth]),
                          np.concatenate([n.ravel() for n in numeric]))


# ---------------------------------------------------------------- diagnose
def diagnose(backprop, *, batched: bool = False, rng=0, architecture=None) -> Diagnosis:
    """What is wrong with a learner's backprop, in which layer, which equation (chapter 2).

    backprop(x, y, W, b, activations, loss) -> (dW, db), like `bp.backpropagation`: x of
    shape (n_0,), y (n_L,), activations a list of names ("tanh", ...) and loss a name ("mse",
    "bce", "cce"); dW and db lists with one array per layer, shaped like W and b. With
    batched=True, backprop(X, Y, W, b, activations, loss) like `bp.backprop_batch`: X of shape
    (n_samples, n_0), Y (n_samples, n_L), returning the MEAN gradient over the batch.

    The probes: the network of layer sizes `architecture` (at most 5 layers of at most 10
    units; by default [3, 5, 4, 2], no square matrix) and two more of its depth, one all square
    and one never square, each with every output/loss pair of `PROBE_NETWORKS`; single samples,
    or batches of 1, 3 and 5 samples. rng (a seed or a numpy Generator) draws their weights and
    data. Returns a `Diagnosis`; print it to see the message and the per-layer table. The
    appendix "bug zoo" shows each bug's signature in a gradient check.
    """
    _checks.required_function(backprop, "backprop",
                              "backprop(x, y, W, b, activations, loss) -> (dW, db)")
    batched = _checks.flag(batched, "batched")
    rng = _checks.generator(rng, "rng")
    sizes = (list(ARCHITECTURE) if architecture is None
             else _checks.small_architecture(architecture, MAX_LAYERS, MAX_WIDTH))
    probes = _probes(sizes, batched, rng)
    truths = [_truth(probe) for probe in probes]
    outcomes = [_run(backprop, probe) for probe in probes]
    scales = [_scale(truth) for truth in truths]
    results = list(zip(probes, truths, outcomes, scales))
    shown = _shown(results)
    kind, layer, message = _findings(results, shown, batched)
    if kind is not None:
        wrong = sum(not _agrees(o, t, s) for _, t, o, s in results)
        message += f" Wrong on {wrong} of {len(probes)} probes."
    probe, truth, outcome, _ = results[shown]
    table = _table(probe, outcome, truth, _central_difference_error(probe, truth))
    return Diagnosis(kind is None, layer, kind, probe.sizes, message, table)


def _shown(results) -> int:
    """The probe to show: the first whose returned gradients are wrong from the highest layer,
    else the first wrong one, else the first."""
    highest = [max(_wrong_layers(o, t, s), default=0) for _, t, o, s in results]
    if max(highest) > 0:
        return highest.index(max(highest))
    return next((i for i, (_, t, o, s) in enumerate(results) if not _agrees(o, t, s)), 0)


def _findings(results, shown: int, batched: bool) -> tuple[str | None, int | None, str]:
    """kind, layer and message: the first that fits of a known bug's variant, an exception, a
    malformed return, a wrong shape, NaN, a common factor, the bias gradient alone."""
    probes = [p for p, _, _, _ in results]
    L = len(probes[0].W)
    if all(_agrees(o, t, s) for _, t, o, s in results):
        return None, None, _ok_message(probes, batched)
    bug = next((bug for bug in _candidates(L)
                if all(_agrees(o, _variant(p, bug), s) for p, _, o, s in results)), None)
    _, truth, outcome, scale = results[shown]
    highest = max(_wrong_layers(outcome, truth, scale), default=None)
    if bug is not None:
        layer = highest or max(bug.layers)
        return bug.kind, layer, _explain_bug(bug, layer, L)
    for p, t, o, s in results:
        if o.error is not None:
            kind, message = _explain_error(o.error, p)
            return kind, None, message
    for p, t, o, s in results:
        if o.problem is not None:
            return "shape", None, f"Your function {o.problem} (on the probe: {p.describe()})."
    for p, t, o, s in results:
        if (found := _wrong_shape(o, t)) is not None:
            return "shape", found[0], f"{found[1]} (On the probe: {p.describe()}.)"
    for p, t, o, s in results:
        if (l := _non_finite_layer(o)) is not None:
            return "non_finite", l, (
                f"Your gradients contain NaN or infinity, at layer {l} and maybe below (on the "
                f"probe: {p.describe()}). Look for a log of 0, a division by 0 or an "
                "overflowing exp; a tanh or sigmoid derivative is finite everywhere.")
    return _pattern_findings(results, batched, highest, shown)


def _non_finite_layer(outcome: _Outcome) -> int | None:
    L = len(outcome.grads) // 2
    return max((i % L + 1 for i, g in enumerate(outcome.grads) if not np.isfinite(g).all()),
               default=None)


def _pattern_findings(results, batched: bool, highest: int, shown: int):
    """_findings for finite gradients of the right shapes that no variant explains."""
    probes = [p for p, _, _, _ in results]
    L = len(probes[0].W)
    factors = [_factor(o, t, s) for _, t, o, s in results]
    if all(c is not None for c in factors):
        found = _explain_factor(factors, probes, batched, L)
        if found is not None:
            return found[0], L, found[1]
    if (bias := _bias_layer(results, L)) is not None:
        return "bias_gradient", bias, (
            f"∂L/∂b{_sup(bias)} is wrong while every ∂L/∂W is right, so δ is right. Look at "
            f"{_bp3(bias)}" + (", averaged over the batch." if batched else "."))
    _, truth, outcome, scale = results[shown]
    return "unknown", highest, _explain_unknown(outcome, truth, scale, highest, L)


def _bias_layer(results, L: int) -> int | None:
    """The highest layer with a wrong db, if every dW is right."""
    wrong = set()
    for _, t, o, s in results:
        if not all(_close(g, w, s) for g, w in zip(o.grads[:L], t[:L])):
            return None
        wrong |= {l + 1 for l in range(L) if not _close(o.grads[L + l], t[L + l], s)}
    return max(wrong, default=None)


def _ok_message(probes: list[_Probe], batched: bool) -> str:
    networks = sorted({"-".join(map(str, p.sizes)) for p in probes})
    samples = ("batches of " + ", ".join(map(str, sorted({len(p.X) for p in probes})))
               + " samples") if batched else "single samples"
    return (f"Your backprop agrees with bplib's on all {len(probes)} probes (networks "
            f"{', '.join(networks)}; tanh, sigmoid, elu, softmax and identity units; mse, bce "
            f"and cce; {samples}): it is correct.")
