"""tools/numerics.py, the portability check: which configurations it can emulate on a CPU, what it
asks numpy and OpenBLAS for, and that the environment it builds really changes what they use."""

import importlib.util
import sys

import pytest

from support import ROOT

spec = importlib.util.spec_from_file_location("numerics", ROOT / "tools" / "numerics.py")
numerics = sys.modules["numerics"] = importlib.util.module_from_spec(spec)  # dataclasses look it up
spec.loader.exec_module(numerics)
CONFIG = {c.name: c for c in numerics.CONFIGS}


def test_the_check_covers_threads_and_two_lower_simd_levels():
    assert {"default", "1-thread", "avx2-haswell", "sse4-sandybridge",
            "sse4-nehalem"} <= set(CONFIG)
    assert CONFIG["1-thread"].env == {"OPENBLAS_NUM_THREADS": "1"}


def test_a_level_above_the_cpu_is_skipped_and_says_why():
    env, why = numerics.environment(CONFIG["avx2-haswell"], cpu={"SSE42", "AVX"})
    assert env is None and why == "skipped: this CPU lacks AVX2, FMA3"


def test_numpy_is_asked_to_disable_only_what_the_cpu_has(monkeypatch):
    seen = {}
    monkeypatch.setattr(numerics, "probe",
                        lambda env: (seen.update(env) or {"features": [], "blas": "Nehalem",
                                                          "threads": 1}, ""))
    monkeypatch.setenv("NPY_DISABLE_CPU_FEATURES", "X86_V3")  # a caller's setting must not leak in
    env, detail = numerics.environment(CONFIG["sse4-nehalem"], cpu={"SSE42", "AVX", "X86_V3"})
    assert env["NPY_DISABLE_CPU_FEATURES"] == "X86_V3"
    assert env["OPENBLAS_CORETYPE"] == "Nehalem" and env["OPENBLAS_NUM_THREADS"] == "1"
    assert detail == "numpy dispatch X86_V2, BLAS Nehalem x1"
    env, _ = numerics.environment(CONFIG["default"], cpu={"SSE42"})
    assert "NPY_DISABLE_CPU_FEATURES" not in env and "OPENBLAS_CORETYPE" not in env


def test_a_warning_on_start_up_skips_the_configuration(monkeypatch):
    monkeypatch.setattr(numerics, "probe",
                        lambda env: ({"features": [], "blas": None, "threads": None},
                                     "UserWarning: something"))
    env, why = numerics.environment(CONFIG["1-thread"], cpu=set())
    assert env is None and why.startswith("skipped: numpy or OpenBLAS warned")


def test_the_emulated_environment_reaches_numpy_and_openblas():
    cpu = set(numerics.probe({})[0]["features"])
    if "SSE42" not in cpu or "AVX" not in cpu:
        # not an x86-64 with AVX
        pytest.skip("this CPU cannot emulate the Sandy Bridge configuration")
    env, detail = numerics.environment(CONFIG["sse4-sandybridge"], cpu)
    assert env is not None, detail
    seen, stderr = numerics.probe(env)
    assert not stderr and "X86_V3" not in seen["features"] and seen["blas"] == "Sandybridge"


@pytest.mark.parametrize("output, expected", [
    ("...\n===== 262 passed in 61.02s (0:01:01) =====\n", "262 passed in 61.02s (0:01:01)"),
    ("F.\n=== 1 failed, 261 passed in 60.1s ===\n", "1 failed, 261 passed in 60.1s"),
    ("Traceback: boom\n", "no summary (see the output above)"),
])
def test_summary_is_pytests_closing_line(output, expected):
    assert numerics.summary(output) == expected
