"""npgan: a generative adversarial network written from scratch in NumPy.

Every layer, loss and optimizer has an explicit forward pass and a hand-derived backward pass, so that a
learner can read (and check, see :mod:`npgan.gradcheck`) each gradient the GAN is trained with.

Importing npgan asks the C library to keep freed memory for reuse (:mod:`npgan.memory`): a training step's
big temporaries then stop costing page faults every step.
"""
from .memory import keep_freed_memory

__version__ = "0.1.0"

keep_freed_memory()
