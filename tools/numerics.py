"""Run the notebooks and the library's tests under several numeric configurations.

Usage: python tools/numerics.py [--list] [NAME ...] [-- PYTEST-ARGS ...]

A reader's computer rounds differently from the one that executed the notebooks:
numpy picks SIMD code for its element-wise loops (exp, tanh, sums) by CPU, and
OpenBLAS picks a matrix-product kernel by CPU and splits the work by thread
count. Each moves results by a few ulps. The book promises the same printed
outputs on every machine, so this runs the tests (nbval included) once per
configuration below, each emulated with environment variables that both
libraries read at start-up, and prints a table of what passed.

`make test-numerics` runs all of them; `.ci/run` runs it after `make test`.
A configuration the CPU cannot emulate (its SIMD level is above the CPU's) is
skipped and says why; so is one whose numpy would write a warning on start-up,
which would itself change a notebook's output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the check runs: every notebook and the library's tests. The book-build
# and browser tests (the book's and JupyterLab's) compute no numbers, and
# `make test` runs them once.
PYTEST_ARGS = ["book", "tests", "--ignore=tests/test_browser.py",
               "--ignore=tests/test_book_build.py",
               "--ignore=tests/test_jupyterlab.py", "-q", "-p",
               "no:cacheprovider"]
# numpy 2.x's dispatch targets above its x86-64-v2 baseline, lowest first.
ABOVE_V2 = ["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"]


@dataclass
class Config:
    name: str
    what: str
    env: dict[str, str] = field(default_factory=dict)
    needs: tuple[str, ...] = ()       # CPU features the emulated CPU has
    disable: tuple[str, ...] = ()     # numpy dispatch targets to switch off


CONFIGS = [
    Config("default", "this machine's own SIMD dispatch and BLAS kernel, all threads"),
    Config("1-thread", "the default, with one BLAS thread",
           {"OPENBLAS_NUM_THREADS": "1"}),
    Config("avx2-haswell", "numpy's AVX2 loops, OpenBLAS's Haswell kernel",
           {"OPENBLAS_CORETYPE": "Haswell"}, needs=("AVX2", "FMA3"),
           disable=tuple(ABOVE_V2[1:])),
    Config("sse4-sandybridge", "numpy's SSE4 loops, OpenBLAS's AVX (Sandy Bridge) kernel",
           {"OPENBLAS_CORETYPE": "Sandybridge"}, needs=("AVX",),
           disable=tuple(ABOVE_V2)),
    Config("sse4-nehalem", "numpy's SSE4 loops, OpenBLAS's SSE (Nehalem) kernel, one thread",
           {"OPENBLAS_CORETYPE": "Nehalem", "OPENBLAS_NUM_THREADS": "1"},
           needs=("SSE42",), disable=tuple(ABOVE_V2)),
]

PROBE = """
import json, numpy
from numpy._core._multiarray_umath import __cpu_features__
from threadpoolctl import threadpool_info
blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
print(json.dumps({"features": [k for k, on in __cpu_features__.items() if on],
                  "blas": blas[0]["architecture"] if blas else None,
                  "threads": blas[0]["num_threads"] if blas else None}))
"""


def probe(env: dict[str, str]) -> tuple[dict, str]:
    """What numpy and OpenBLAS use under `env`, and anything they wrote to stderr."""
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout), result.stderr.strip()


def environment(config: Config, cpu: set[str]) -> tuple[dict | None, str]:
    """The environment that emulates `config`, or None and why it cannot."""
    missing = [f for f in config.needs if f not in cpu]
    if missing:
        return None, f"skipped: this CPU lacks {', '.join(missing)}"
    env = {k: v for k, v in os.environ.items()
           if k not in ("NPY_DISABLE_CPU_FEATURES", "OPENBLAS_CORETYPE",
                        "OPENBLAS_NUM_THREADS")}
    env.update(config.env)
    # numpy refuses to disable what the CPU lacks: name only what it has.
    disable = [f for f in config.disable if f in cpu]
    if disable:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(disable)
    seen, stderr = probe(env)
    if stderr:
        return None, f"skipped: numpy or OpenBLAS warned on start-up: {stderr}"
    active = [f for f in ABOVE_V2 if f in seen["features"]]
    return env, (f"numpy dispatch {active[-1] if active else 'X86_V2'}, "
                 f"BLAS {seen['blas']} x{seen['threads']}")


def summary(output: str) -> str:
    """pytest's closing counts, e.g. '262 passed in 61.0s'."""
    lines = [line.strip("= ") for line in output.splitlines()
             if " passed" in line or " failed" in line or " error" in line]
    return lines[-1] if lines else "no summary (see the output above)"


def main(argv: list[str]) -> int:
    if "--" in argv:
        split = argv.index("--")
        argv, extra = argv[:split], argv[split + 1:]
    else:
        extra = []
    if "--list" in argv:
        for c in CONFIGS:
            print(f"{c.name:<18} {c.what}")
        return 0
    unknown = set(argv) - {c.name for c in CONFIGS}
    if unknown:
        sys.exit(f"unknown configuration(s) {sorted(unknown)}; --list shows them")
    chosen = [c for c in CONFIGS if not argv or c.name in argv]
    cpu = set(probe({k: v for k, v in os.environ.items()
                     if k != "NPY_DISABLE_CPU_FEATURES"})[0]["features"])
    pytest = Path(sys.executable).with_name("pytest")
    rows, failed = [], False
    for config in chosen:
        env, detail = environment(config, cpu)
        if env is None:
            rows.append((config.name, detail, "", ""))
            print(f"\n### {config.name}: {detail}", flush=True)
            continue
        print(f"\n### {config.name}: {config.what} ({detail})", flush=True)
        start = time.monotonic()
        result = subprocess.run([str(pytest), *PYTEST_ARGS, *extra], env=env,
                                cwd=ROOT, capture_output=True, text=True)
        seconds = time.monotonic() - start
        print(result.stdout[-20000:], result.stderr[-5000:], sep="\n", flush=True)
        failed |= result.returncode != 0
        rows.append((config.name, detail, summary(result.stdout), f"{seconds:.0f} s"))
    print("\nnumeric configurations:")
    for name, detail, counts, seconds in rows:
        print(f"  {name:<18} {counts or '-':<40} {seconds:>6}  {detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
