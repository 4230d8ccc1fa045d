"""Where bplib's epoch goes beyond the matrix-product floor: a ladder from the floor to bp.train.

Usage: python benchmarks/breakdown.py   (in the benchmark venv, or the book's .venv: it needs no torch)

Each rung adds one kind of work to the one before, on 784-256-128-10, batch 128, 10 000 samples,
float64, one thread; CPU seconds per epoch, rungs alternating, 9 runs each, fastest and median.
"""

import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

import bplib as bp
from bplib.network import _backprop_batch

N, n, SIZES = 10_000, 128, [784, 256, 128, 10]
rng = np.random.default_rng(0)
X = rng.normal(size=(N, SIZES[0]))
Y = np.eye(SIZES[-1])[rng.integers(SIZES[-1], size=N)]
W, b = bp.init_params(SIZES, rng=0)
sigma = [bp.get_activation(name) for name in ("relu", "relu", "softmax")]
loss = bp.get_loss("cce")
order = rng.permutation(N)
L = len(W)


def floor():
    """The products alone, on contiguous slices of X."""
    for k in range(0, N, n):
        A = [X[k:k + n]]
        for W_l in W:
            A.append(A[-1] @ W_l.T)
        Delta = A[-1]
        for l in range(L - 1, -1, -1):
            Delta.T @ A[l]
            if l > 0:
                Delta = Delta @ W[l]


def gather():
    """+ shuffled mini-batches: X[batch] copies the rows."""
    for k in range(0, N, n):
        A = [X[order[k:k + n]]]
        for W_l in W:
            A.append(A[-1] @ W_l.T)
        Delta = A[-1]
        for l in range(L - 1, -1, -1):
            Delta.T @ A[l]
            if l > 0:
                Delta = Delta @ W[l]


def forward_elementwise():
    """+ the forward pass's bias adds and activations, keeping Z and A."""
    for k in range(0, N, n):
        A, Z = [X[order[k:k + n]]], []
        for l in range(L):
            Z.append(A[l] @ W[l].T + b[l])
            A.append(sigma[l](Z[l]))
        Delta = A[-1]
        for l in range(L - 1, -1, -1):
            Delta.T @ A[l]
            if l > 0:
                Delta = Delta @ W[l]


def backward_elementwise():
    """+ the output delta and the backward steps through the activations."""
    for k in range(0, N, n):
        batch = order[k:k + n]
        A, Z = [X[batch]], []
        for l in range(L):
            Z.append(A[l] @ W[l].T + b[l])
            A.append(sigma[l](Z[l]))
        Delta = [None] * L
        Delta[L - 1] = A[L] - Y[batch]
        for l in range(L - 2, -1, -1):
            Delta[l] = sigma[l].backward(Z[l], A[l + 1], Delta[l + 1] @ W[l + 1])
        [Delta[l].T @ A[l] for l in range(L)]


def backprop_batch():
    """bplib's _backprop_batch: + dW / n and the bias gradients."""
    for k in range(0, N, n):
        batch = order[k:k + n]
        _backprop_batch(X[batch], Y[batch], W, b, sigma, loss)


def with_step():
    """+ the divergence check and the in-place step, as train does them (lr = 0: W stays)."""
    for k in range(0, N, n):
        batch = order[k:k + n]
        dW, db, output = _backprop_batch(X[batch], Y[batch], W, b, sigma, loss)
        loss.mean(output, Y[batch])
        for l in range(L):
            dW[l] *= 0.0
            db[l] *= 0.0
            W[l] -= dW[l]
            b[l] -= db[l]


def train():
    """bp.train itself: + input checks, initialisation, the loop's bookkeeping."""
    bp.train(X, Y, SIZES, 0.01, 1, n, activations=sigma, loss=loss, rng=0, record=False)


RUNGS = [floor, gather, forward_elementwise, backward_elementwise, backprop_batch, with_step, train]

if __name__ == "__main__":
    times = {f.__name__: [] for f in RUNGS}
    with threadpool_limits(limits=1):
        for _ in range(9):
            for f in RUNGS:
                start = time.process_time()
                f()
                times[f.__name__].append(time.process_time() - start)
    base = min(times["floor"])
    print("| rung | adds | CPU s, min | median | min / floor's min |")
    print("|---|---|---|---|---|")
    for f in RUNGS:
        t = times[f.__name__]
        print(f"| {f.__name__} | {f.__doc__.split(':')[0].strip()} | {min(t):.3f} | "
              f"{statistics.median(t):.3f} | {min(t) / base:.2f} |")
