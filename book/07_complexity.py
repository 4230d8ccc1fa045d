
# %% [markdown]
# # 7. Complexity, measured
#
# The source text ends its algorithm with a table of costs:
#
# | operation | time | space |
# |---|---|---|
# | forward pass | $O(\sum_l n_l n_{l-1})$ | $O(\sum_l n_l)$ |
# | backward pass | $O(\sum_l n_l n_{l-1})$ | $O(\sum_l n_l)$ |
# | full epoch | $O(N \sum_l n_l n_{l-1})$ | $O(\sum_l n_l^2)$ |
#
# where $N$ is the number of samples and $n_l$ the number of neurons in layer $l$. The sum
# $W = \sum_l n_l n_{l-1}$ is the number of weights, so the table says: one forward pass, and one
# backward pass, each cost time proportional to the number of weights; an epoch costs $N$ times
# that; a pass stores one number per neuron, and training stores one per weight.
#
# A big-O statement is a claim about how cost *grows*, so this chapter checks each row the way an
# experimentalist would: vary the size, measure, and fit a straight line on log-log axes. If cost
# grows like $W^k$, then $\log(\text{cost}) = k \log W + c$, and the fitted slope estimates the
# exponent $k$. We
# * time forward and backward passes over a sweep of widths and depths and fit the slope against $W$;
# * time whole epochs against $N$;
# * measure the memory a pass keeps and the memory the parameters take;
# * compare the backward pass with the forward pass, layer by layer, against a count of
#   floating-point operations;
# * and time the alternative backpropagation replaces, finite differences, whose cost grows like
#   $W^2$.
#
# The last section puts the measured exponents next to the source text's table.

# %%
import time
import timeit
import tracemalloc

import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

import bplib as bp
from bplib.network import _backprop_batch, _forward_batch

np.set_printoptions(precision=4, suppress=True)
bp.use_book_style()

# %% [markdown]
# ## How we time
#
# Timings on a shared machine are noisy, so every measurement below follows three rules.
#
# 1. **CPU time, not wall-clock time.** `time.process_time` counts only the time this process
#    spent computing, not the time it spent waiting while another program had the core.
# 2. **One thread.** numpy hands matrix products to a BLAS library that may use several cores;
#    `threadpool_limits(limits=1)` pins it to one, so that a bigger network cannot look cheaper
#    merely because it was spread over more cores.
# 3. **The fastest of several runs.** Interference only ever adds time, so the minimum over
#    repeats is the least disturbed measurement.
#
# Sizes are chosen large enough that the matrix products, not Python's per-call overhead, dominate:
# the table speaks about arithmetic, and a network of ten weights is all overhead.
#
# Raw timings are printed only in cells whose output the book's tests ignore; the cell after each
# asserts a tolerant band and prints a sentence that stays true from run to run.

# %%
def cpu_seconds(f, repeat=5):
    """The fastest of `repeat` runs of f(), in CPU seconds of this process."""
    return min(timeit.repeat(f, number=1, repeat=repeat,
                             timer=time.process_time))


def slope(x, y):
    """The slope of the least-squares line through (log x, log y)."""
    return np.polyfit(np.log(x), np.log(y), 1)[0]


def n_weights(sizes):
    """W = Σ n_l n_{l-1}, the number of weights."""
    return sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def network(sizes, n_samples, seed=0):
    """Parameters, activations, loss and a batch for a ReLU network."""
    rng = np.random.default_rng(seed)
    W, b = bp.init_params(sizes, rng=rng)
    sigma = [bp.get_activation("relu")] * (len(sizes) - 2)
    sigma.append(bp.get_activation("identity"))
    X = rng.normal(size=(n_samples, sizes[0]))
    Y = rng.normal(size=(n_samples, sizes[-1]))
    return W, b, sigma, bp.get_loss("mse"), X, Y


print(f"W for the sizes [784, 30, 10]: {n_weights([784, 30, 10])}")

# %% [markdown]
# The library functions timed below are the ones training runs,
# {py:func}`bp.forward_batch <bplib.network.forward_batch>` and
# {py:func}`bp.backprop_batch <bplib.network.backprop_batch>`, called through their unchecked
# cores `_forward_batch` and `_backprop_batch` so that input validation does not blur the picture.
# `_backprop_batch` runs the forward pass itself (it needs the activations), so the backward pass
# alone is its time minus the forward pass's.

# %% [markdown]
# ## Time against the number of weights
#
# The sweep: networks of equal-width layers, widths 128 to 512, with one to four layers, on a
# batch of 256 samples. Width and depth both change $W$, and the table claims only $W$ matters.

# %%
n_batch = 256
sweep = [[w] * (depth + 1) for depth in (1, 2, 4) for w in (128, 256, 512)]
weights = np.array([n_weights(s) for s in sweep])
t_fwd, t_bwd = [], []
with threadpool_limits(limits=1):
    for sizes in sweep:
        W, b, sigma, loss, X, Y = network(sizes, n_batch)
        t_f = cpu_seconds(lambda: _forward_batch(X, W, b, sigma))
        t_fb = cpu_seconds(lambda: _backprop_batch(X, Y, W, b, sigma, loss))
        t_fwd.append(t_f)
        t_bwd.append(max(t_fb - t_f, 1e-9))
t_fwd, t_bwd = np.array(t_fwd), np.array(t_bwd)
print(f"W from {weights.min()} to {weights.max()}: "
      f"{weights.max() / weights.min():.0f}-fold")

# %% tags=nbval-ignore-output
slope_fwd, slope_bwd = slope(weights, t_fwd), slope(weights, t_bwd)
for sizes, W_, f, g in zip(sweep, weights, t_fwd, t_bwd):
    print(f"{len(sizes) - 1} x {sizes[0]:3d}: W = {W_:7d}  "
          f"forward {1e3 * f:6.2f} ms  backward {1e3 * g:6.2f} ms")
print(f"fitted slopes: forward {slope_fwd:.2f}, backward {slope_bwd:.2f}")

# %%
assert 0.7 <= slope_fwd <= 1.3, slope_fwd
assert 0.7 <= slope_bwd <= 1.3, slope_bwd
print("forward and backward time both grow like W^k with k in [0.7, 1.3]")

# %%
fig, ax = plt.subplots(figsize=(6.5, 4.2))
for t, k, name, marker in ((t_fwd, slope_fwd, "forward", "o"),
                           (t_bwd, slope_bwd, "backward", "s")):
    ax.loglog(weights, 1e3 * t, marker, label=f"{name} (slope {k:.2f})")
    fit = np.polyfit(np.log(weights), np.log(1e3 * t), 1)
    ax.loglog(weights, np.exp(np.polyval(fit, np.log(weights))), "--",
              color=ax.lines[-1].get_color())
ax.set_xlabel("number of weights W")
ax.set_ylabel("CPU time (ms), batch of 256")
ax.set_title("Forward and backward time grow in proportion to W")
ax.legend()
plt.show()

# %% [markdown]
# Width and depth enter only through $W$ in the forward pass: one layer of 512 and four layers of
# 256 have exactly the same number of weights, and take about the same time forwards. Backwards
# they differ, and the reason is the subject of a later section: the single layer is also the
# *first* layer, which needs no input gradient.

# %%
one, four = sweep.index([512] * 2), sweep.index([256] * 5)
assert weights[one] == weights[four]
fwd_pair = t_fwd[four] / t_fwd[one]
bwd_pair = t_bwd[four] / t_bwd[one]
assert 1 / 1.5 <= fwd_pair <= 1.5, fwd_pair
assert bwd_pair > 1.3, bwd_pair
print(f"W = {weights[one]} either way: forward times within a factor 1.5,"
      " backward over 1.3 times longer for the four layers")

# %% [markdown]
# ## An epoch against the number of samples
#
# An epoch is $N/B$ mini-batch steps of $B$ samples each, so the table's $O(N \cdot W)$ says:
# twice the data, twice the time. Here is
# {py:func}`bp.train <bplib.training.train>` for one epoch on $N$ from 1024 to 8192 samples,
# with `record=False`, which leaves out the loss history's extra passes over the whole data set
# (they cost a forward pass over all $N$ samples each, so they also grow linearly, but they
# are not training).

# %%
sizes_epoch = [64, 256, 256, 10]
Ns = np.array([1024, 2048, 4096, 8192])
rng = np.random.default_rng(1)
X_all = rng.normal(size=(Ns.max(), sizes_epoch[0]))
Y_all = np.eye(10)[rng.integers(10, size=Ns.max())]


def one_epoch(N):
    bp.train(X_all[:N], Y_all[:N], sizes_epoch, 0.01, 1, 128,
             activations=["relu", "relu", "softmax"], loss="cce", rng=0,
             record=False)


with threadpool_limits(limits=1):
    t_epoch = np.array([cpu_seconds(lambda: one_epoch(N), repeat=3)
                        for N in Ns])

# %% tags=nbval-ignore-output
slope_N = slope(Ns, t_epoch)
for N, t in zip(Ns, t_epoch):
    print(f"N = {N:5d}: {1e3 * t:6.1f} ms per epoch")
print(f"fitted slope against N: {slope_N:.2f}")

# %%
assert 0.8 <= slope_N <= 1.2, slope_N
print("epoch time grows like N^k with k in [0.8, 1.2]")

# %% [markdown]
# ## Space: what a pass keeps
#
# Forward propagation keeps every $z^l$ and $a^l$, because backpropagation needs them (chapter 2).
# For one sample that is one number per neuron for each: $n_0 + 2\sum_{l \ge 1} n_l$ numbers,
# the table's $O(\sum_l n_l)$. For a batch of $n$ samples it is $n$ times as many, since every
# row is one sample's copy. First the count, read off the arrays themselves:

# %%
def activation_bytes(sizes, itemsize=8):
    """Bytes of a⁰..aᴸ and z¹..zᴸ for one sample: n_0 + 2 Σ n_l numbers."""
    return itemsize * (sizes[0] + 2 * sum(sizes[1:]))


# a sigmoid output: the identity would return z itself as a, one array
sigma_mem = [bp.get_activation(s) for s in ("relu", "relu", "sigmoid")]
sizes_mem = [100, 300, 200, 10]
W, b, _, _, X, _ = network(sizes_mem, 500)
a, z = bp.forward_propagation(X[0], W, b, sigma_mem)
kept = sum(v.nbytes for v in a + z)
A, Z = bp.forward_batch(X, W, b, sigma_mem)
kept_batch = sum(v.nbytes for v in A + Z)
assert kept == activation_bytes(sizes_mem)
assert kept_batch == len(X) * activation_bytes(sizes_mem)
print(f"one sample keeps {kept} bytes = 8 x (n_0 + 2 Σ n_l); "
      f"a batch of {len(X)} keeps {kept_batch} bytes, {len(X)} times as much")

# %% [markdown]
# Counting the arrays that are returned does not prove that nothing else is allocated along the
# way. Python's `tracemalloc` records every allocation numpy makes, so it can measure what a
# batched forward pass really holds on to, and its peak (which includes the temporaries that come
# and go, like $A^{l-1} (W^l)^{\mathsf T}$ before $b^l$ is added). The sweep doubles the widths.

# %%
def traced(f):
    """(bytes f's result still holds, peak bytes while f ran)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = f()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return held - before, peak - before


mem_sizes = [[100, 50 * k, 50 * k, 10] for k in (1, 2, 4, 8)]
held, peak, expected = [], [], []
for sizes in mem_sizes:
    W, b, _, _, X, _ = network(sizes, 256)
    h, p = traced(lambda: _forward_batch(X, W, b, sigma_mem))
    held.append(h)
    peak.append(p)
    # A[0] is X itself, already in memory: the pass adds the rest
    expected.append(256 * (activation_bytes(sizes) - 8 * sizes[0]))
held, peak, expected = map(np.array, (held, peak, expected))
neurons = np.array([sum(s[1:]) for s in mem_sizes])
print("Σ n_l   activations (bytes)   held / activations   peak / held")
for s, h, e, p in zip(neurons, held, expected, peak):
    print(f"{s:5d}   {e:19d}   {h / e:18.3f}   {p / h:11.2f}")
assert np.all((held >= expected) & (held < expected + 2000))
assert np.all(peak < 1.5 * held)
slope_mem = slope(neurons, held)
assert abs(slope_mem - 1) < 0.01
print(f"held memory is the activations alone (to 2 kB); it grows like "
      f"(Σ n_l)^{slope_mem:.1f}; the peak is under 1.5x of it")

# %% [markdown]
# The table's last space entry, $O(\sum_l n_l^2)$ for a full epoch, is the parameters: a weight
# matrix per layer, $n_l \times n_{l-1}$ numbers, plus the biases. (With equal widths
# $n_l n_{l-1} = n_l^2$, hence the table's form.) Training also holds a gradient of the same size
# for every parameter while it takes a step. Both are independent of $N$: an epoch over a million
# samples needs no more memory than one over a thousand, only the batch's activations.

# %%
for sizes in mem_sizes:
    params_held, _ = traced(lambda: bp.init_params(sizes, rng=0))
    n_params = n_weights(sizes) + sum(sizes[1:])
    assert 8 * n_params <= params_held < 8 * n_params + 2000
    print(f"{sizes}: {n_params:6d} parameters, init_params holds "
          f"{params_held / (8 * n_params):.3f} x 8 bytes each")

# %%
sizes = mem_sizes[-1]
W, b, sigma, loss, X, Y = network(sizes, 256)
grads_held, grads_peak = traced(
    lambda: _backprop_batch(X, Y, W, b, sigma, loss)[:2])
param_bytes = sum(v.nbytes for v in W + b)
assert param_bytes <= grads_held < param_bytes + 2000
print(f"the gradients of {sizes} hold {grads_held / param_bytes:.3f} x "
      "the parameters' bytes")

# %% [markdown]
# ## Backward against forward
#
# How much more does the backward pass cost than the forward pass? Count the multiply-adds. For a
# batch of $n$ samples, layer $l$'s forward product $A^{l-1} (W^l)^{\mathsf T}$ takes
# $n \, n_l n_{l-1}$ of them. Backwards, the layer needs its weight gradient
# $(\Delta^l)^{\mathsf T} A^{l-1}$, another $n \, n_l n_{l-1}$, and, to pass the error on, the
# product $\Delta^l W^l$, a third. So the backward pass costs **twice** the forward pass, layer
# by layer, except in the first layer: nothing needs the gradient with respect to the input $X$,
# so `bplib` never forms $\Delta^1 W^1$, and the first layer's backward pass costs about **one**
# forward pass. Over the whole network the ratio is $(2W - n_0 n_1)/W$, just under 2.
#
# Automatic differentiation's general result is that reverse mode costs a small constant times the
# function evaluation, 2 to 3 in practice {cite}`baydin2018`; for a fully connected network the
# count above makes that constant exact.
#
# The products of one layer are timed below one at a time, with the same shapes `bplib` uses.

# %%
sizes_ratio = [512, 512, 512, 512, 10]
n = 256
W, b, sigma, loss, X, Y = network(sizes_ratio, n)
A, Z = _forward_batch(X, W, b, sigma)
rng = np.random.default_rng(2)
Delta = [rng.normal(size=Z_l.shape) for Z_l in Z]
L = len(W)
with threadpool_limits(limits=1):
    fwd_layer = [cpu_seconds(lambda: A[l] @ W[l].T, repeat=9)
                 for l in range(L)]
    bwd_layer = []
    for l in range(L):
        t = cpu_seconds(lambda: Delta[l].T @ A[l], repeat=9)
        if l > 0:   # the first layer's input gradient is never needed
            t += cpu_seconds(lambda: Delta[l] @ W[l], repeat=9)
        bwd_layer.append(t)
    t_f = cpu_seconds(lambda: _forward_batch(X, W, b, sigma), repeat=9)
    t_fb = cpu_seconds(lambda: _backprop_batch(X, Y, W, b, sigma, loss),
                       repeat=9)
ratio_layer = np.array(bwd_layer) / np.array(fwd_layer)
ratio_total = (t_fb - t_f) / t_f
flop_layer = np.array([1.0] + [2.0] * (L - 1))
flop_total = (2 * n_weights(sizes_ratio)
              - sizes_ratio[0] * sizes_ratio[1]) / n_weights(sizes_ratio)

# %% tags=nbval-ignore-output
for l in range(L):
    print(f"layer {l + 1}: forward {1e3 * fwd_layer[l]:.2f} ms, backward "
          f"{1e3 * bwd_layer[l]:.2f} ms, ratio {ratio_layer[l]:.2f} "
          f"(FLOP count {flop_layer[l]:.0f})")
print(f"whole network, bplib: forward {1e3 * t_f:.1f} ms, backward "
      f"{1e3 * (t_fb - t_f):.1f} ms, ratio {ratio_total:.2f} "
      f"(FLOP count {flop_total:.2f})")

# %%
print(f"FLOP count: backward / forward = 1 in layer 1, 2 in the others, "
      f"{flop_total:.2f} in total")
# The last layer (512 -> 10) is too small to time reliably; check the
# large ones, where the products dominate.
assert 0.5 <= ratio_layer[0] <= 1.6, ratio_layer
assert np.all((1.3 <= ratio_layer[1:L - 1]) & (ratio_layer[1:L - 1] <= 3))
assert 1.2 <= ratio_total <= 3.0, ratio_total
print("measured: about 1 in layer 1 (within [0.5, 1.6]), about 2 in the "
      "hidden layers (within [1.3, 3]), and within [1.2, 3] in total")

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.8))
layers = np.arange(1, L + 1)
ax.bar(layers - 0.2, ratio_layer, width=0.4, label="measured")
ax.bar(layers + 0.2, flop_layer, width=0.4, label="FLOP count")
ax.axhline(ratio_total, color="k", linestyle="--",
           label=f"whole network, measured ({ratio_total:.1f})")
ax.set_xticks(layers)
ax.set_xlabel("layer $l$")
ax.set_ylabel("backward time / forward time")
ax.set_title("The backward pass costs about two forward passes")
ax.legend(loc="upper left", fontsize=9)
plt.show()

# %% [markdown]
# ## Finite differences against backpropagation
#
# Chapter 2 checked backpropagation against central differences,
# $\partial L/\partial \theta \approx (L(\theta + h) - L(\theta - h))/2h$. That needs two forward
# passes *per parameter*: $2W$ passes of cost $O(W)$ each, so $O(W^2)$ in all, against
# backpropagation's $O(W)$. This gap, not any constant factor, is why backpropagation made
# training large networks possible.
#
# First the count, exactly: wrap the loss in a counter and let
# {py:func}`bp.numerical_gradient <bplib.gradient_check.numerical_gradient>` differentiate every
# weight and bias of a small network.

# %%
W, b, sigma, loss, X, Y = network([8, 16, 4], 32)
calls = 0


def counted_loss():
    global calls
    calls += 1
    return loss.mean(_forward_batch(X, W, b, sigma)[0][-1], Y)


numeric = bp.numerical_gradient(counted_loss, W + b)
n_params = sum(v.size for v in W + b)
dW, db = bp.backprop_batch(X, Y, W, b, sigma, loss)
assert calls == 2 * n_params
assert max(bp.relative_error(g, m) for g, m in zip(dW + db, numeric)) < 1e-6
print(f"{n_params} parameters: {calls} loss evaluations, 2 per parameter; "
      "the gradients agree with backpropagation's")

# %% [markdown]
# Then the time. A full finite-difference gradient of the sweep's largest network would take
# hours, so for the networks of the first section we time the real thing on a sample: 4
# coordinates of $W^1$, each perturbed up and down by `numerical_gradient` exactly as in a full
# run, scaled by $W/4$. On small networks, where the full gradient takes seconds, we check that
# this estimate matches the full run.

# %%
def fd_seconds(W, b, sigma, loss, X, Y, n_coords=None, repeat=3):
    """CPU time of central differences over all of W (or n_coords of W[0],
    scaled up to all of W)."""
    def f():
        return loss.mean(_forward_batch(X, W, b, sigma)[0][-1], Y)
    total = sum(v.size for v in W)
    if n_coords is None:
        return cpu_seconds(lambda: bp.numerical_gradient(f, W), repeat)
    sample = W[0].reshape(-1)[:n_coords]   # a view: perturbs W[0] itself
    t = cpu_seconds(lambda: bp.numerical_gradient(f, [sample]), repeat)
    return t * total / n_coords


with threadpool_limits(limits=1):
    small = [network([32, 16, 16, 10], 256, seed=3),
             network([32, 24, 24, 10], 256, seed=4)]
    full = np.array([fd_seconds(*net, repeat=1) for net in small])
    sampled = np.array([fd_seconds(*net, n_coords=64) for net in small])
    t_fd = np.array([fd_seconds(*network(s, n_batch), n_coords=4)
                     for s in sweep])

# %% tags=nbval-ignore-output
for net, f, s in zip(small, full, sampled):
    print(f"W = {sum(v.size for v in net[0]):5d}: full {f:.2f} s, "
          f"sampled estimate {s:.2f} s")
slope_fd = slope(weights, t_fd)
print(f"fitted slopes: finite differences {slope_fd:.2f}, "
      f"backpropagation {slope(weights, t_fwd + t_bwd):.2f}")
for W_, f, g in zip(weights, t_fd, t_fwd + t_bwd):
    print(f"W = {W_:7d}: finite differences {f:9.1f} s, "
          f"backprop {1e3 * g:7.2f} ms, ratio {f / g:9.0f}")

# %%
assert np.all((sampled > full / 2) & (sampled < 2 * full)), (full, sampled)
slope_bp = slope(weights, t_fwd + t_bwd)
assert 1.6 <= slope_fd <= 2.4, slope_fd
assert 0.7 <= slope_bp <= 1.3, slope_bp
fit_fd = np.polyfit(np.log(weights), np.log(t_fd), 1)
fit_bp = np.polyfit(np.log(weights), np.log(t_fwd + t_bwd), 1)
# where the two fitted lines cross: below it finite differences would win
crossover = np.exp((fit_bp[1] - fit_fd[1]) / (fit_fd[0] - fit_bp[0]))
assert crossover < 100, crossover
print("the sampled estimate is within a factor 2 of the full run")
print("finite differences grow like W^k with k in [1.6, 2.4], "
      "backpropagation with k in [0.7, 1.3]")
print("the fitted lines cross below W = 100: finite differences "
      "lose on every network worth training")

# %%
grid = np.geomspace(1, weights.max() * 2, 100)
fig, ax = plt.subplots(figsize=(6.5, 4.2))
ax.loglog(weights, t_fd, "o", label="finite differences (sampled)")
ax.loglog(grid, np.exp(np.polyval(fit_fd, np.log(grid))), "--", color="C0")
ax.loglog(weights, t_fwd + t_bwd, "s", label="backpropagation")
ax.loglog(grid, np.exp(np.polyval(fit_bp, np.log(grid))), "--", color="C1")
ax.axvline(crossover, color="gray", linewidth=1)
ax.annotate("fitted lines cross", (crossover, 1e-3), xytext=(6, 0),
            textcoords="offset points", fontsize=9, color="gray")
ax.set_xlabel("number of weights W")
ax.set_ylabel("CPU seconds for one gradient")
ax.set_title("Finite differences grow like $W^2$, backpropagation like $W$")
ax.legend()
plt.show()

# %% [markdown]
# ## The table, measured
#
# The source text's complexity table again, with the exponents measured in this chapter. The
# cell prints the fitted values (they vary a little from run to run); the one after it checks each
# against its band.

# %% tags=nbval-ignore-output
rows = [
    ("forward pass, time", "O(W)", "W", 1, slope_fwd),
    ("backward pass, time", "O(W)", "W", 1, slope_bwd),
    ("full epoch, time", "O(N W)", "N", 1, slope_N),
    ("forward pass, space", "O(Σ n_l)", "Σ n_l", 1, slope_mem),
    ("finite differences, time", "O(W²)", "W", 2, slope_fd),
]
print(f"{'':26s} {'source text':12s} {'against':8s} measured exponent")
for name, claim, against, _, k in rows:
    print(f"{name:26s} {claim:12s} {against:8s} {k:.2f}")

# %%
for name, claim, against, k_theory, k in rows:
    assert abs(k - k_theory) <= 0.3 * k_theory, (name, k)
    print(f"{name:26s} {claim:10s} measured exponent within "
          f"{k_theory} ± {0.3 * k_theory:.1f}")

# %% [markdown]
# Every row holds, within its band. The space row for parameters needs no fit: the parameters and their gradients take exactly 8 bytes per weight and
# bias in float64, 4 in float32 (`dtype=np.float32` in
# {py:func}`bp.init_params <bplib.network.init_params>` and
# {py:func}`bp.train <bplib.training.train>`).

# %% [markdown]
# ## Summary
#
# * A forward pass and a backward pass each cost time proportional to the number of weights
#   $W = \sum_l n_l n_{l-1}$, whatever the mix of width and depth; an epoch costs $N/B$ steps, so it
#   is linear in $N$.
# * By a count of multiply-adds the backward pass costs twice the forward pass in every layer but
#   the first, which needs no input gradient and costs one; measured, the whole backward pass is
#   about two forward passes, inside the 2-3 that reverse-mode differentiation promises.
# * A pass keeps one $z$ and one $a$ per neuron and sample, $O(\sum_l n_l)$; the parameters and
#   their gradients take $O(\sum_l n_l n_{l-1})$, independent of $N$.
# * Finite differences need $2W$ forward passes, $O(W^2)$ in all: on any network worth training,
#   backpropagation is faster by a factor that grows with $W$.
#
# Chapter 8 turns from cost to the things that go wrong when gradients flow through many layers.
#
# ## Exercises
#
# ```{exercise} Counting the multiply-adds
# :label: ex-7-1
#
# Count the multiply-adds of one training step of a 784-256-128-10 network on a batch of 128:
# the forward pass, the backward pass (without an input gradient for the first layer), and the
# ratio of the two. Check the forward count against $n W$.
# ```
#
# ```{solution-start} ex-7-1
# :class: dropdown
# ```

# %%
# Solution. Forward: n n_l n_{l-1} per layer. Backward: the same for dW,
# and again for Delta W in every layer but the first. Here the first
# layer holds 85% of the weights, so skipping its input gradient leaves a
# backward pass only 1.15 times the forward pass.
sizes_ex = [784, 256, 128, 10]
n_ex = 128
layer_macs = [n_ex * a * b for a, b in zip(sizes_ex[:-1], sizes_ex[1:])]
forward_macs = sum(layer_macs)
backward_macs = 2 * sum(layer_macs) - layer_macs[0]
assert forward_macs == n_ex * n_weights(sizes_ex)
assert round(layer_macs[0] / forward_macs, 2) == 0.85
assert round(backward_macs / forward_macs, 2) == 1.15
print(f"forward {forward_macs / 1e6:.1f} M, backward "
      f"{backward_macs / 1e6:.1f} M multiply-adds: ratio "
      f"{backward_macs / forward_macs:.2f}")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Deep and narrow, or shallow and wide
# :label: ex-7-2
#
# The networks [64, 64, 64, 64, 64, 64] and [64, 128, 96, 64] have nearly the same number of
# weights. Which one keeps more activations in a forward pass over 100 samples, and by how much?
# Answer from the formula $n_0 + 2\sum_l n_l$ per sample, then check with `bp.forward_batch`.
# ```
#
# ```{solution-start} ex-7-2
# :class: dropdown
# ```

# %%
# Solution. Depth costs memory: the deep net has 5 layers of 64 neurons
# (320 in all), the wide one 128 + 96 + 64 = 288.
X_ex = np.random.default_rng(5).normal(size=(100, 64))
for sizes in ([64] * 6, [64, 128, 96, 64]):
    W_ex, b_ex = bp.init_params(sizes, rng=0)
    A_ex, Z_ex = bp.forward_batch(X_ex, W_ex, b_ex, "relu")
    kept_ex = sum(v.nbytes for v in A_ex + Z_ex)
    assert kept_ex == 100 * activation_bytes(sizes)
    print(f"{sizes}: W = {n_weights(sizes)}, keeps {kept_ex} bytes")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Half the memory in float32
# :label: ex-7-3
#
# Train the same small network in float64 and float32 (`dtype=np.float32` in `bp.train`) and show
# that every parameter and every cached activation of the float32 network takes exactly half the
# bytes, and that its predictions agree with the float64 network's to about float32's precision.
# ```
#
# ```{solution-start} ex-7-3
# :class: dropdown
# ```

# %%
# Solution. float32 has 4 bytes to float64's 8; the computation is the
# same, rounded to about 7 significant digits instead of 16.
rng_ex = np.random.default_rng(6)
X_ex = rng_ex.normal(size=(200, 5))
Y_ex = np.eye(3)[rng_ex.integers(3, size=200)]
acts_ex = ["tanh", "softmax"]
nets = {dtype: bp.train(X_ex, Y_ex, [5, 16, 3], 0.1, 3, 20,
                        activations=acts_ex, loss="cce", rng=0,
                        dtype=dtype)
        for dtype in (np.float64, np.float32)}
(W64, b64, _), (W32, b32, _) = nets[np.float64], nets[np.float32]
assert all(p.dtype == np.float32 for p in W32 + b32)
assert sum(p.nbytes for p in W64 + b64) == 2 * sum(p.nbytes
                                                   for p in W32 + b32)
A64 = bp.forward_batch(X_ex, W64, b64, acts_ex)[0]
A32 = bp.forward_batch(X_ex.astype(np.float32), W32, b32, acts_ex)[0]
assert all(a.dtype == np.float32 for a in A32)
assert sum(a.nbytes for a in A64) == 2 * sum(a.nbytes for a in A32)
gap = np.max(np.abs(A64[-1] - A32[-1]))
assert gap < 1e-4
print("float32 halves every array; the predictions differ by less "
      "than 1e-4")

# %% [markdown]
# ```{solution-end}
# ```
