"""A small reverse-mode automatic differentiation engine (chapter 9).

Backpropagation, written once for every function instead of once for the
fully connected network. In the spirit of micrograd's engine (one closure
per operation), but over numpy arrays rather than single numbers.

A `Tensor` holds a value, a grad, the tensors it was computed from (its
parents) and a backward closure. Each operation (`+`, `@`, `.T`,
`activate`, `mean_loss`) computes its value and records a closure that,
given the gradient of the final scalar with respect to its result, adds
the gradients with respect to its parents. `Tensor.backward` sorts the
graph topologically and runs the closures from the output back to the
leaves, so every closure runs once, after all the gradient flowing into
its node has arrived: the dynamic programming of chapter 9.

The derivatives come from bplib itself: `Activation.backward` (so softmax
gets its Jacobian) and `Loss.gradient`. `gradients` builds the network's
graph and returns (dW, db) exactly like `backpropagation` (one sample) or
`backprop_batch` (a batch, mean loss), so it can be checked against them.
"""

from __future__ import annotations

import numpy as np

from . import _checks
from .activations import Activation, get_activation
from .losses import Loss, get_loss

__all__ = ["Tensor", "activate", "mean_loss", "network_graph",
           "gradients"]


class Tensor:
    """An array in a computation graph (chapter 9).

    value: the array; grad: ∂(the output)/∂value, filled in by the output's
    `backward`; parents: the tensors it was computed from; op: the
    operation's name; grad_fn: the closure that adds this tensor's grad,
    through the operation's derivative, to its parents' grads. A tensor
    made directly is a leaf (an input or a parameter): no parents.
    """

    # numpy must leave `array + tensor` and `array @ tensor` to Tensor's
    # reflected operators instead of looping over the array's entries.
    __array_ufunc__ = None

    def __init__(self, value, name: str = "", *, parents=(), op: str = ""):
        array = np.asarray(value)
        if array.dtype.kind not in "fiu":
            raise TypeError(f"value: expected real numbers, got an array "
                            f"of dtype {array.dtype}")
        self.value = array.astype(float)
        self.grad = np.zeros_like(self.value)
        self.name, self.op = name, op
        self.parents = tuple(parents)
        self.grad_fn = lambda: None     # a leaf has nothing to pass on

    @property
    def shape(self) -> tuple:
        return self.value.shape

    def __repr__(self) -> str:
        label = self.name or self.op or "leaf"
        return f"Tensor({label}, shape={self.shape})"

    # ------------------------------------------------------- operations
    def __add__(self, other) -> Tensor:
        other = _as_tensor(other)
        try:
            np.broadcast_shapes(self.shape, other.shape)
        except ValueError:
            raise ValueError(f"+: cannot add shapes {self.shape} and "
                             f"{other.shape}") from None
        out = Tensor(self.value + other.value, parents=(self, other),
                     op="+")

        def backward():
            # ∂(u + v)/∂u = 1; where u was broadcast (a bias added to
            # every row), its one entry fed many outputs: sum them.
            self.grad += _unbroadcast(out.grad, self.shape)
            other.grad += _unbroadcast(out.grad, other.shape)

        out.grad_fn = backward
        return out

    def __radd__(self, other) -> Tensor:
        return _as_tensor(other) + self

    def __matmul__(self, other) -> Tensor:
        other = _as_tensor(other)
        A, B = self.value, other.value
        if A.ndim not in (1, 2) or B.ndim not in (1, 2) or \
                A.shape[-1] != B.shape[0]:
            raise ValueError(f"@: cannot multiply shapes {A.shape} and "
                             f"{B.shape} (1-D or 2-D, inner sizes equal)")
        out = Tensor(A @ B, parents=(self, other), op="@")

        def backward():
            # C = AB gives ∂/∂A = G Bᵀ and ∂/∂B = Aᵀ G. numpy's @ treats
            # a 1-D A as a row and a 1-D B as a column: do the same.
            A, B = self.value, other.value
            A2 = A[None, :] if A.ndim == 1 else A
            B2 = B[:, None] if B.ndim == 1 else B
            G = out.grad.reshape(A2.shape[0], B2.shape[1])
            self.grad += (G @ B2.T).reshape(A.shape)
            other.grad += (A2.T @ G).reshape(B.shape)

        out.grad_fn = backward
        return out

    def __rmatmul__(self, other) -> Tensor:
        return _as_tensor(other) @ self

    @property
    def T(self) -> Tensor:
        """The transpose; its gradient is the transposed gradient."""
        out = Tensor(self.value.T, parents=(self,), op="T")

        def backward():
            self.grad += out.grad.T

        out.grad_fn = backward
        return out

    # --------------------------------------------------- the backward pass
    def topological_order(self) -> list[Tensor]:
        """Every tensor this one depends on, each after its parents."""
        order, seen = [], set()
        # Depth-first, with an explicit stack so that a deep graph cannot
        # exhaust Python's recursion limit. A node is appended when it is
        # popped the second time, after all its parents are in `order`.
        stack = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((p, False) for p in reversed(node.parents))
        return order

    def backward(self) -> list[Tensor]:
        """Fill in .grad of every tensor in the graph: ∂self/∂tensor.

        self must be a scalar (a loss). Every grad in the graph is reset
        first, so calling backward twice gives the same result. Returns
        the topological order, the tape that was run in reverse.
        """
        if self.value.size != 1:
            raise ValueError(f"backward: needs a scalar (a loss), got shape "
                             f"{self.shape}")
        order = self.topological_order()
        for node in order:
            node.grad = np.zeros_like(node.value)
        self.grad = np.ones_like(self.value)      # ∂self/∂self = 1
        for node in reversed(order):
            # Every consumer of `node` comes later in `order`, so its
            # closure has already added its share to node.grad.
            node.grad_fn()
        return order


def _as_tensor(value) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def _unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum grad over the axes along which an array of `shape` was copied."""
    while grad.ndim > len(shape):            # leading axes numpy added
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and grad.shape[axis] != 1:  # a length-1 axis stretched
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def activate(z: Tensor, activation: str | Activation,
             name: str = "") -> Tensor:
    """a = σ(z), whose backward is bplib's `Activation.backward`.

    For an element-wise σ that multiplies by σ'(z); for softmax it applies
    the transposed Jacobian (chapters 4 and 9).
    """
    sigma = get_activation(activation)
    z = _as_tensor(z)
    out = Tensor(sigma(z.value), name, parents=(z,), op=sigma.name)

    def backward():
        z.grad += sigma.backward(z.value, out.value, out.grad)

    out.grad_fn = backward
    return out


def mean_loss(y_hat: Tensor, y, loss: str | Loss,
              name: str = "loss") -> Tensor:
    """The scalar loss of one sample (1-D), or its mean over a batch (2-D).

    Its backward is bplib's `Loss.gradient`, divided by the batch size
    for a batch (chapters 5 and 9).
    """
    loss = get_loss(loss)
    y_hat = _as_tensor(y_hat)
    y = np.asarray(y, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y: expected shape {y_hat.shape} like the output, "
                         f"got {y.shape}")
    n = 1 if y_hat.value.ndim == 1 else len(y_hat.value)
    out = Tensor(loss.mean(y_hat.value, y), name, parents=(y_hat,),
                 op=loss.name)

    def backward():
        y_hat.grad += out.grad * loss.gradient(y_hat.value, y) / n

    out.grad_fn = backward
    return out


def network_graph(x, y, W, b, activations, loss):
    """The graph of the fully connected network's loss (chapter 9).

    x, y: one sample (1-D) or a batch (2-D, one sample per row). Returns
    the scalar loss tensor and the leaf tensors x, W and b. Nodes are named
    with the text's layer numbers: W1, z1, a1, ...
    """
    W, b = _checks.params(W, b)
    sigma = _checks.activations(activations, len(W))
    loss = _checks.loss(loss, sigma[-1])
    x, y, batched = _checks.sample_or_batch(x, y, W, loss)

    a = x_t = Tensor(x, "x")
    W_t, b_t = [], []
    for l in range(len(W)):
        W_t.append(Tensor(W[l], f"W{l + 1}"))
        b_t.append(Tensor(b[l], f"b{l + 1}"))
        # one sample: W a (a column); a batch: A Wᵀ (one row per sample)
        if batched:
            W_T = W_t[l].T
            W_T.name = f"W{l + 1}ᵀ"
            product = a @ W_T
            product.name = f"a{l}·W{l + 1}ᵀ"
        else:
            product = W_t[l] @ a
            product.name = f"W{l + 1}·a{l}"
        z = product + b_t[l]
        z.name = f"z{l + 1}"
        a = activate(z, sigma[l], f"a{l + 1}")
    return mean_loss(a, y, loss), x_t, W_t, b_t


def gradients(x, y, W, b, activations, loss):
    """∂L/∂W and ∂L/∂b by the engine: `backpropagation`'s result for one
    sample, `backprop_batch`'s (the mean) for a batch (chapter 9).

    Same arguments and return value, so `gradcheck` accepts it as its
    `backprop`.
    """
    out, _, W_t, b_t = network_graph(x, y, W, b, activations, loss)
    out.backward()
    return [t.grad for t in W_t], [t.grad for t in b_t]
