"""npgan: a generative adversarial network written from scratch in NumPy.

Every layer, loss and optimizer has an explicit forward pass and a hand-derived backward pass, so that a
learner can read (and check, see :mod:`npgan.gradcheck`) each gradient the GAN is trained with.
"""

__version__ = "0.1.0"
