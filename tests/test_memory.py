"""npgan.memory: importing npgan keeps freed memory in glibc's heap, so a step's temporaries stop faulting pages."""
import ctypes
import subprocess
import sys

import pytest

from npgan.memory import keep_freed_memory

GLIBC = sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "gnu_get_libc_version")

# A "training step" that frees four 3 MB arrays together, after one 4 MB array was freed: glibc (2.36, with
# its default thresholds) gives the 12 MB back to the kernel at every step and faults them in again, ~2,300 pages.
STEPS = """
import resource, sys
import numpy as np
if sys.argv[1] == "npgan":
    import npgan
def step():
    arrays = [np.ones(3 << 18, np.float32) for _ in range(4)]
    return sum(a[::1024].sum() for a in arrays)
np.ones(1 << 20, np.float32)
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(*args):
    return int(subprocess.run([sys.executable, "-c", STEPS, *args], capture_output=True, text=True, check=True).stdout)


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_after_importing_npgan_freed_temporaries_are_reused_without_page_faults():
    assert page_faults("npgan") < 200          # 20 steps; without npgan's setting about 45,000 here
    assert keep_freed_memory()


def test_without_mallopt_it_is_a_no_op(monkeypatch):
    monkeypatch.setattr(ctypes, "CDLL", lambda name: object())   # a C library without mallopt (macOS, musl)
    assert keep_freed_memory() is False
