"""Where bplib's epoch goes beyond the matrix-product floor: a ladder from the floor to bp.train.

Usage: python benchmarks/breakdown.py
(in the benchmark venv, or the book's .venv: it needs no torch)

Each rung adds one kind of work to the one before, on 784-256-128-10, batch 128, 10 000 samples,
float64, one thread; CPU seconds per epoch, rungs alternating, 9 runs each, fastest and median.
One more row, fused_step, is not a rung but an alternative to with_step that bplib does not use:
the step fused into the weight-gradient product by BLAS, to show what giving up the separate
gradient would buy.
"""

import statistics
import time

import numpy as np
from scipy.linalg.blas import get_blas_funcs
from threadpoolctl import threadpool_limits

import bplib as bp
from bplib.network import _backprop_batch, _forward_batch

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
            Z.append(A[l] @ W[l].T)
            Z[l] += b[l]
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
            Z.append(A[l] @ W[l].T)
            Z[l] += b[l]
            A.append(sigma[l](Z[l]))
        Delta = [None] * L
        Delta[L - 1] = A[L] - Y[batch]
        for l in range(L - 2, -1, -1):
            Delta[l] = sigma[l].backward(Z[l], A[l + 1], Delta[l + 1] @ W[l + 1])
        [Delta[l].T @ A[l] for l in range(L)]


def backprop_batch():
    """bplib's _backprop_batch: + the mean's 1/n (on the output delta) and the bias gradients."""
    for k in range(0, N, n):
        batch = order[k:k + n]
        _backprop_batch(X[batch], Y[batch], W, b, sigma, loss)


def with_step():
    """+ the divergence check and the in-place step, as train does them (lr = 0, so W stays)."""
    for k in range(0, N, n):
        batch = order[k:k + n]
        dW, db, output = _backprop_batch(X[batch], Y[batch], W, b, sigma, loss)
        loss.mean(output, Y[batch])
        for l in range(L):
            dW[l] *= 0.0
            db[l] *= 0.0
            W[l] -= dW[l]
            b[l] -= db[l]


def _gemm_in_place():
    """BLAS gemm, C <- alpha A B + beta C, checked to write into a C-ordered W through W.T."""
    gemm = get_blas_funcs("gemm", (W[0],))
    probe = np.ones((2, 3))
    gemm(1.0, np.ones((3, 1)), np.ones((2, 1)), beta=1.0, c=probe.T, trans_b=1, overwrite_c=1)
    if not np.all(probe == 2.0):
        raise RuntimeError("scipy's gemm copied its output: fused_step would not update W")
    return gemm


def fused_step():
    # The table prints this docstring whole, so it is split without a newline in its value.
    ("Instead of with_step, and not in bplib, each layer's step fused into its dW product by BLAS "
     "gemm.")
    gemm = _gemm_in_place()
    for k in range(0, N, n):
        batch = order[k:k + n]
        X_batch, Y_batch = X[batch], Y[batch]
        A, Z = _forward_batch(X_batch, W, b, sigma)
        loss.mean(A[L], Y_batch)
        Delta = (A[L] - Y_batch) * (0.0 / n)          # lr = 0, as in with_step
        for l in range(L - 1, -1, -1):
            below = Delta @ W[l] if l > 0 else None
            # Fortran reads the C-ordered W[l] as W[l]ᵀ: W[l]ᵀ ← W[l]ᵀ − A[l]ᵀ Δ, in place.
            gemm(-1.0, A[l].T, Delta.T, beta=1.0, c=W[l].T, trans_b=1, overwrite_c=1)
            b[l] -= Delta.sum(axis=0)
            if l > 0:
                Delta = sigma[l - 1].backward(Z[l - 1], A[l], below)


def train():
    """bp.train itself: + input checks, initialisation, the loop's bookkeeping."""
    bp.train(X, Y, SIZES, 0.01, 1, n, activations=sigma, loss=loss, rng=0, record=False)


RUNGS = [floor, gather, forward_elementwise, backward_elementwise, backprop_batch, with_step, train,
         fused_step]

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
