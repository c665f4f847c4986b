"""Time spent inside BLAS (matrix products) by npgan's layers, measured in their own, unchanged code.

Every matrix product of ``npgan.layers``, ``npgan.conv``, ``npgan.norm`` and ``npgan.penalties`` is spelled
``np.dot`` or ``np.matmul``. While a :class:`BlasClock` is active, those modules' global ``np`` is the clock: its ``dot``
and ``matmul`` are NumPy's, timed, and any other attribute is NumPy's own. So the layers compute exactly
what they always do (the same NumPy functions on the same arguments: nothing of theirs is copied here, so
nothing can drift), and the clock adds up the seconds spent in the products.
"""
import time

import numpy as np

import npgan.conv
import npgan.layers
import npgan.norm
import npgan.penalties


class BlasClock:
    MODULES = (npgan.layers, npgan.conv, npgan.norm, npgan.penalties)

    def __init__(self):
        self.seconds = 0.0

    def _timed(self, function, *args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        self.seconds += time.perf_counter() - start
        return result

    def dot(self, *args, **kwargs):
        return self._timed(np.dot, *args, **kwargs)

    def matmul(self, *args, **kwargs):
        return self._timed(np.matmul, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(np, name)

    def __enter__(self):
        for module in self.MODULES:
            module.np = self
        return self

    def __exit__(self, *exc):
        for module in self.MODULES:
            module.np = np
