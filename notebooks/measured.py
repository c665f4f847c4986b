"""Figures the notebooks state about their full runs, in one place.

Every figure here was measured; the comment beside it says how. The markdown of ``nb03_dcgan.py`` and
``nb04_conditional_gan.py`` is written from these: change a figure here, run ``make_notebooks.py``, commit.
A figure set to None is left out of the text (the sentence that would state it is dropped), except
CONDITIONAL's "accuracy" and "accuracy_plain", which 04 also quotes where it explains mismatched labels.
"""

DCGAN = {
    # The default DCGAN (width 64, batch 64, float32, one BLAS thread): GAN.train_step with ema 0.999
    # (the notebook's step: D on the real and the fake batch separately, G through D, EMA update) on
    # consecutive MNIST batches, mean seconds per step over `steps_timed` steps after 20 warm-up steps, on
    # the 2-core development machine while other training runs shared it. An epoch is 859 steps.
    "seconds_per_step": 0.18,   # 0.182 s wall (0.152 s of CPU: the machine was busy)
    "steps_timed": 300,
    # After the full run (20 minutes): how many epochs it trained, and the FID (npgan.evaluate, 10,000
    # samples against MNIST's test images) of G and of its weight average. Not measured yet.
    "epochs": None,
    "fid": None,
    "fid_average": None,
}

CONDITIONAL = {
    # The tutorial's networks with labels, 100 epochs, mismatch 0.5 (npgan.gan's docstring; the lead's
    # runs, scored with npgan.evaluate on 10,000 samples, digits asked for in turn):
    "accuracy": 0.97,            # the classifier sees the asked-for digit in 97% of the samples
    "accuracy_plain": 0.80,      # the same with plain concatenation (mismatch 0)
    "fid": 19,                   # FID of the conditional generator ...
    "fid_unconditional": 44,     # ... and of the unconditional tutorial run (README: 44.1)
    # This notebook's own full run, end to end in nbclient (NPGAN_FAST unset, one BLAS thread, on the
    # development machine while other training runs shared it): 100 epochs of 550 steps in 192.5 s;
    # then 1,000 samples of each digit (seed 7) scored by the reference classifier (98.4% on the test set):
    # 95.2% recognised as asked, per digit 0-9: 96.2 97.5 97.9 96.5 94.5 98.0 95.9 95.5 92.4 87.3 (%),
    # and npgan.evaluate's FID of those 10,000 samples 22.8.
    "seconds_per_epoch": 1.9,
    "notebook_accuracy": 0.952,
    "notebook_worst_digit": (9, 0.873),  # (digit, accuracy) of the digit recognised least often
    "notebook_fid": 23,
}
