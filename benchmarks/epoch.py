"""Time one epoch of mini-batch SGD: bplib, PyTorch (CPU), scikit-learn, and the matrix-product
floor.

Usage (from the repository root, in a venv made as benchmarks/README.md says):

    python benchmarks/epoch.py              # the full run, a markdown table on stdout
    python benchmarks/epoch.py --quick      # fewer repeats, a smoke test

Every implementation trains the same MLP (ReLU hidden layers, softmax output, cross-entropy loss)
on the same data with plain SGD: the same architecture, batch size and learning rate, no momentum,
no weight decay, shuffled every epoch. The runs alternate (bplib, torch, sklearn, floor, bplib, ...)
so that a slow spell of this shared machine hits all of them alike, and the table reports medians
and minima.

Time is CPU time of this process (time.process_time), not wall time: every library runs on the same
number of threads (--threads, 1 by default), and on a busy machine CPU time leaves out the time
spent waiting for a core. The floor is the bare numpy matrix products one epoch needs, with the same
shapes, in the same process: X W^T forward, Delta^T A and Delta W backward (no input gradient for
layer 1).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import bplib as bp

from machine import cpu_model, load_average

try:
    import torch
except ImportError:  # the benchmark runs without it, and says so
    torch = None

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier


# ---------------------------------------------------------------- data
def synthetic(n_samples: int, n_in: int, n_classes: int, seed: int = 0):
    """Gaussian inputs and labels from a random linear teacher: learnable, seeded."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_in))
    labels = np.argmax(X @ rng.normal(size=(n_in, n_classes)), axis=1)
    return X, labels


def digits(seed: int = 0):
    X, labels = load_digits(return_X_y=True)
    X = X / 16.0  # pixel values 0..16 into [0, 1]
    return train_test_split(X, labels, test_size=0.25, random_state=seed, stratify=labels)


# ---------------------------------------------------------------- one run of each implementation
def bplib_run(X, labels, sizes, lr, batch, n_epochs, seed):
    """bp.train; record=False leaves out the History's full-data passes, which no other library
    makes."""
    Y = np.eye(sizes[-1], dtype=X.dtype)[labels]
    acts = ["relu"] * (len(sizes) - 2) + ["softmax"]
    W, b, _ = bp.train(X, Y, sizes, lr, n_epochs, batch, activations=acts, loss="cce", rng=seed,
                       dtype=X.dtype, record=False)
    return lambda X_test: np.argmax(bp.predict(X_test.astype(X.dtype), W, b, acts), axis=1)


def torch_run(X, labels, sizes, lr, batch, n_epochs, seed):
    """The textbook PyTorch loop: nn.Sequential, CrossEntropyLoss on logits, optim.SGD."""
    dtype = {np.float64: torch.float64, np.float32: torch.float32}[X.dtype.type]
    torch.manual_seed(seed)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(n_in, n_out, dtype=dtype), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    optimiser = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(labels)
    for _ in range(n_epochs):
        order = torch.randperm(len(X))
        for k in range(0, len(X), batch):
            idx = order[k:k + batch]
            optimiser.zero_grad()
            loss_fn(model(X_t[idx]), y_t[idx]).backward()
            optimiser.step()

    def predict(X_test):
        with torch.no_grad():
            return model(torch.from_numpy(X_test.astype(X.dtype))).argmax(dim=1).numpy()
    return predict


def sklearn_run(X, labels, sizes, lr, batch, n_epochs, seed):
    """MLPClassifier with plain SGD: constant rate, no momentum, alpha=0, exactly n_epochs
    epochs."""
    model = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu", solver="sgd",
                          alpha=0.0, batch_size=batch, learning_rate="constant",
                          learning_rate_init=lr, momentum=0.0, nesterovs_momentum=False,
                          max_iter=n_epochs, shuffle=True, random_state=seed, tol=0.0,
                          n_iter_no_change=n_epochs + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter reached: that is the point
        model.fit(X, labels)
    assert model.n_iter_ == n_epochs
    return model.predict


def floor_run(X, labels, sizes, lr, batch, n_epochs, seed):
    """Only the matrix products of the epochs: forward A W^T, backward Delta^T A and Delta W."""
    rng = np.random.default_rng(seed)
    W = [rng.normal(0, 0.05, size=(n_out, n_in)).astype(X.dtype)
         for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    for _ in range(n_epochs):
        for k in range(0, len(X), batch):
            A = [X[k:k + batch]]
            for W_l in W:
                A.append(A[-1] @ W_l.T)
            Delta = A[-1]
            for l in range(len(W) - 1, -1, -1):
                Delta.T @ A[l]                # dW
                if l > 0:
                    Delta = Delta @ W[l]      # the next layer down's delta
    return None


# The targets for 784-256-128-10 in float64: bplib's epoch over the floor's, and over
# PyTorch's.
FLOOR_TARGET, PYTORCH_TARGET = 1.2, 0.7

RUNNERS = {"bplib": bplib_run, "PyTorch": torch_run, "scikit-learn": sklearn_run,
           "matmul floor": floor_run}


def flops_per_epoch(n_samples: int, sizes: list[int]) -> float:
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    # forward 2nW, dW 2nW, input gradients of layers 2..L 2n(W - n_0 n_1)
    return 2 * n_samples * (3 * weights - sizes[0] * sizes[1])


# ---------------------------------------------------------------- timing
def measure(names, data, sizes, lr, batch, n_epochs, repeats, test=None):
    """CPU and wall seconds per epoch of each runner, alternating; test accuracy of each last
    run."""
    cpu = {name: [] for name in names}
    wall = {name: [] for name in names}
    accuracy = {}
    X, labels = data
    for name in names:  # a warm-up run each, untimed: first calls load libraries and fill caches
        RUNNERS[name](X, labels, sizes, lr, batch, 1, seed=0)
    for r in range(repeats):
        for name in names:
            w0, c0 = time.perf_counter(), time.process_time()
            predict = RUNNERS[name](X, labels, sizes, lr, batch, n_epochs, seed=r)
            cpu[name].append((time.process_time() - c0) / n_epochs)
            wall[name].append((time.perf_counter() - w0) / n_epochs)
            if test is not None and predict is not None:
                accuracy.setdefault(name, []).append(float(np.mean(predict(test[0]) == test[1])))
    return cpu, wall, accuracy


def machine() -> str:
    cpu = cpu_model()
    blas = ", ".join(sorted({f"{i['internal_api']} {i['version']}" for i in threadpool_info()
                             if i["user_api"] == "blas"}))
    load = load_average()
    versions = f"numpy {np.__version__} ({blas}), scikit-learn {__import__('sklearn').__version__}"
    versions += f", torch {torch.__version__}" if torch else ", torch not installed"
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}; {versions}; "
            f"load average (1/5/15 min) at the start {load}")


def table(title, cpu, wall, reference_names, accuracy=None):
    lines = [f"**{title}**", "",
             "| implementation | dtype | CPU s/epoch, median | min | wall s/epoch, median | "
             "× floor | × PyTorch |" + (" test accuracy |" if accuracy else ""),
             "|---|---|---|---|---|---|---|" + ("---|" if accuracy else "")]
    for name, dtype in reference_names:
        key = (name, dtype)
        if key not in cpu:
            continue
        med = statistics.median(cpu[key])
        f_med = (statistics.median(cpu[("matmul floor", dtype)])
                 if ("matmul floor", dtype) in cpu else None)
        t_med = statistics.median(cpu[("PyTorch", dtype)]) if ("PyTorch", dtype) in cpu else None
        row = (f"| {name} | {dtype} | {med:.4f} | {min(cpu[key]):.4f} | "
               f"{statistics.median(wall[key]):.4f} | {med / f_med:.2f} | "
               if f_med else
               f"| {name} | {dtype} | {med:.4f} | {min(cpu[key]):.4f} | "
               f"{statistics.median(wall[key]):.4f} | – | ")
        row += f"{med / t_med:.2f} |" if t_med else "– |"
        if accuracy:
            acc = accuracy.get(key)
            row += f" {statistics.median(acc):.3f} |" if acc else " – |"
        lines.append(row)
    return "\n".join(lines)


def run_case(title, train, test, sizes, lr, batch, n_epochs, repeats, names):
    cpu, wall, accuracy = {}, {}, {}
    for dtype in (np.float64, np.float32):
        X = train[0].astype(dtype)
        c, w, a = measure(names, (X, train[1]), sizes, lr, batch, n_epochs, repeats, test)
        for name in names:
            cpu[(name, dtype.__name__)] = c[name]
            wall[(name, dtype.__name__)] = w[name]
            if name in a:
                accuracy[(name, dtype.__name__)] = a[name]
    order = [(name, dt) for dt in ("float64", "float32") for name in names]
    print(table(title, cpu, wall, order, accuracy if test is not None else None))
    print()
    return cpu, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for every library (default 1)")
    parser.add_argument("--repeats", type=int, default=7,
                        help="alternating runs of each (default 7)")
    parser.add_argument("--quick", action="store_true",
                        help="3 repeats and 2000 samples: a smoke test")
    args = parser.parse_args()
    repeats = 3 if args.quick else args.repeats
    n_samples = 2000 if args.quick else 10_000

    names = ["bplib", "PyTorch", "scikit-learn", "matmul floor"]
    if torch is None:
        names.remove("PyTorch")
        print("PyTorch is not installed: skipping it "
              "(pip install -r benchmarks/requirements.txt).\n")
    else:
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(args.threads)

    print(f"Machine: {machine()}.\n")
    print(f"Threads: {args.threads} for numpy's BLAS and scikit-learn (threadpoolctl) and for "
          "PyTorch (torch.set_num_threads). Times: CPU seconds per epoch (process time), "
          f"{repeats} alternating runs each.\n")
    with threadpool_limits(limits=args.threads):
        sizes = [784, 256, 128, 10]
        X, labels = synthetic(n_samples, sizes[0], sizes[-1])
        cpu, _ = run_case(f"{'-'.join(map(str, sizes))}, batch 128, {n_samples} synthetic samples, "
                          "one epoch, learning rate 0.01 "
                          f"({flops_per_epoch(n_samples, sizes) / 1e9:.1f} GFLOP per epoch)",
                          (X, labels), None, sizes, 0.01, 128, 1, repeats, names)

        X_train, X_test, y_train, y_test = digits()
        small = [64, 64, 10]
        n_epochs = 30
        d_cpu, d_acc = run_case(
            f"digits, {'-'.join(map(str, small))}, batch 32, learning rate 0.1, {n_epochs} epochs "
            f"(time per epoch; test accuracy on {len(X_test)} held-out digits after the "
            f"{n_epochs} epochs)",
            (X_train, y_train), (X_test, y_test), small, 0.1, 32, n_epochs, max(3, repeats // 2),
            [n for n in names if n != "matmul floor"])

    med = statistics.median
    print("Targets (the ratio of the medians; then, less exposed to a slow spell, the median and "
          f"range of the {repeats} ratios within a round, whose runs follow each other):")
    targets = [("matmul floor", FLOOR_TARGET)] + (
        [("PyTorch", PYTORCH_TARGET)] if "PyTorch" in names else [])
    for other, target in targets:
        ours, theirs = cpu[("bplib", "float64")], cpu[(other, "float64")]
        ratio = med(ours) / med(theirs)
        paired = sorted(a / b for a, b in zip(ours, theirs))
        print(f"- 784-256-128-10 float64, bplib / {other}: {ratio:.2f}; "
              f"per round {med(paired):.2f} ({paired[0]:.2f}-{paired[-1]:.2f}) "
              f"(target <= {target}: {'met' if ratio <= target else 'NOT met'})")
    if "PyTorch" in names:
        # bplib makes at least the floor's products, so bplib / PyTorch >= floor / PyTorch.
        need = (PYTORCH_TARGET * med(cpu[("PyTorch", "float64")])
                / med(cpu[("matmul floor", "float64")]))
        print(f"  (<= {PYTORCH_TARGET} x PyTorch means <= {need:.2f} x the floor in this run"
              + (": faster than the products alone, out of reach)" if need <= 1 else ")"))
    for dt in ("float64", "float32"):
        ratio = med(d_cpu[("bplib", dt)]) / med(d_cpu[("scikit-learn", dt)])
        acc_b, acc_s = med(d_acc[("bplib", dt)]), med(d_acc[("scikit-learn", dt)])
        ok = ratio < 1 and acc_b >= acc_s
        print(f"- digits {dt}, bplib / scikit-learn per epoch: {ratio:.2f}, "
              f"test accuracy {acc_b:.3f} vs {acc_s:.3f} "
              f"(target: faster at equal or better accuracy: {'met' if ok else 'NOT met'})")


if __name__ == "__main__":
    main()
