"""What the benchmarks print about the machine they ran on, so that figures can be compared."""

import os
import platform


def cpu_model() -> str:
    """The CPU's model name (Linux), or what platform knows of it."""
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f
                        if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "?"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: a busy machine times slower."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())
