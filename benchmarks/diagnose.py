"""Time bp.diagnose: one diagnosis of a correct backprop and of a few classic bugs.

Usage (from the repository root, in the book's .venv or a venv made as benchmarks/README.md says):

    python benchmarks/diagnose.py              # the full run, a markdown table on stdout
    python benchmarks/diagnose.py --quick      # fewer repeats, a smoke test

Each learner's function is chapter 2's algorithm as the appendix "bug zoo" writes it, with one
bug or none, per sample or vectorised over a batch. A diagnosis runs the function on every probe
network, compares with bplib's gradients, replays the known bugs' signatures until one fits and
checks the shown probe against central differences; the target is under 2 s per diagnosis. The
functions take turns (correct, bug 1, bug 2, ..., correct, ...) so that a slow spell of a shared
machine hits all of them alike; the table reports CPU time (time.process_time) and wall time,
medians and minima.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

import bplib as bp

from machine import cpu_model, load_average

CANONICAL = {("identity", "mse"), ("sigmoid", "bce"), ("softmax", "cce")}
TARGET = 2.0  # seconds per diagnosis


# ---------------------------------------------------------------- learners' functions
def output_delta(A_L, Z_L, Y, sigma, activation, loss, bug):
    """BP1: ŷ − y for the canonical pairs, else ∇ₐC ⊙ σ'(zᴸ)."""
    if (activation, loss) in CANONICAL:
        delta = A_L - Y
        if bug == "output_delta_twice":
            delta = sigma.backward(Z_L, A_L, delta)
    else:
        delta = bp.get_loss(loss).gradient(A_L, Y) * sigma.derivative(Z_L)
    return -delta if bug == "output_delta_sign" else delta


def learner(bug=None):
    """A vectorised backprop (a single sample is a batch of one row) with `bug` everywhere."""

    def backprop(X, Y, W, b, activations, loss):
        X, Y = np.atleast_2d(X), np.atleast_2d(Y)   # one sample: a batch of one row
        sigma = [bp.get_activation(s) for s in activations]
        A, Z = bp.forward_batch(X, W, b, sigma)
        L = len(W)
        Delta = [None] * L
        Delta[-1] = output_delta(A[L], Z[-1], Y, sigma[-1], activations[-1], loss, bug)
        if bug != "sum_not_mean":
            Delta[-1] = Delta[-1] / len(X)
        for l in range(L - 2, -1, -1):
            W_next = W[l + 1].T if bug == "missing_transpose" else W[l + 1]
            at = A[l + 1] if bug == "activation_derivative_of_output" else Z[l]
            Delta[l] = (Delta[l + 1] @ W_next) * sigma[l].derivative(at)
        dW = [Delta[l].T @ A[l] for l in range(L)]
        db = [Delta[l].sum(axis=0) for l in range(L)]
        if bug == "noise":   # no known signature: every candidate is tried
            dW = [g + 1e-3 * np.cos(np.arange(g.size)).reshape(g.shape) for g in dW]
        return dW, db

    return backprop


CASES = {  # name: (function, batched)
    "correct, bp.backpropagation": (bp.backpropagation, False),
    "correct, the zoo's way": (learner(), False),
    "missing_transpose": (learner("missing_transpose"), False),
    "σ'(a) for σ'(z)": (learner("activation_derivative_of_output"), False),
    "softmax twice": (learner("output_delta_twice"), False),
    "uphill (y − ŷ)": (learner("output_delta_sign"), False),
    "unknown (noise)": (learner("noise"), False),
    "correct, bp.backprop_batch": (bp.backprop_batch, True),
    "batched, sum not mean": (learner("sum_not_mean"), True),
}


# ---------------------------------------------------------------- timing
def measure(repeats: int):
    """CPU and wall seconds per diagnosis of each case, alternating, and each verdict."""
    cpu = {name: [] for name in CASES}
    wall = {name: [] for name in CASES}
    verdicts = {}
    for name, (function, batched) in CASES.items():  # warm-up: imports, caches
        d = bp.diagnose(function, batched=batched)
        verdicts[name] = "ok" if d.ok else f"{d.kind}, layer {d.layer}"
    for r in range(repeats):
        for name, (function, batched) in CASES.items():
            w0, c0 = time.perf_counter(), time.process_time()
            bp.diagnose(function, batched=batched, rng=r)
            cpu[name].append(time.process_time() - c0)
            wall[name].append(time.perf_counter() - w0)
    return cpu, wall, verdicts


def machine() -> str:
    cpu = cpu_model()
    load = load_average()
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy "
            f"{np.__version__}; load average (1/5/15 min) at the start {load}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--repeats", type=int, default=7,
                        help="alternating runs of each (default 7)")
    parser.add_argument("--quick", action="store_true", help="2 repeats: a smoke test")
    args = parser.parse_args()
    repeats = 2 if args.quick else args.repeats

    print(f"Machine: {machine()}.\n")
    print(f"Threads: {args.threads}. Times: seconds per diagnosis, {repeats} alternating runs "
          "each (rng = 0, 1, ...).\n")
    with threadpool_limits(limits=args.threads):
        cpu, wall, verdicts = measure(repeats)
    print("| function | diagnosis | CPU s, median | min | wall s, median |")
    print("|---|---|---|---|---|")
    for name in CASES:
        print(f"| {name} | {verdicts[name]} | {statistics.median(cpu[name]):.3f} | "
              f"{min(cpu[name]):.3f} | {statistics.median(wall[name]):.3f} |")
    worst = max(statistics.median(times) for times in cpu.values())
    print(f"\nSlowest median: {worst:.3f} s CPU per diagnosis "
          f"(target < {TARGET:g} s: {'met' if worst < TARGET else 'NOT met'}).")


if __name__ == "__main__":
    main()
