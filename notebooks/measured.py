"""Figures the notebooks state about their full runs, in one place.

Every figure here was measured; the comment beside it says how. The markdown of ``nb03_dcgan.py`` and
``nb04_conditional_gan.py`` is written from these: change a figure here, run ``make_notebooks.py``, commit.
"""

DCGAN = {
    # The lead's full run, `python -m npgan.train --model dcgan --minutes 20 --eval-every 2` (width 32, EMA
    # 0.999, one BLAS thread, the other core training another model), scored by `python -m npgan.evaluate`
    # on 10,000 samples; the live G's and the borrowed-statistics figures by benchmarks/ema_batchnorm.py.
    "width": 32,
    "epochs": 27,
    "minutes": 20.4,
    "fid_average": 38.6,        # the saved generator: the weight average, its own batch-norm statistics
    "fid": 38.2,                # the live G
    "fid_average_early": 57.4,  # an earlier run of the same recipe after 9 epochs (5,000 samples) ...
    "fid_early": 60.5,          # ... and its live G
    "fid_pytorch": 43.3,        # benchmarks/torch_reference.py --model dcgan --width 32 --train-minutes 20 (23 epochs)
    "fid_mlp_bn": 10.0,         # python -m npgan.train --model mlp-bn --minutes 20 (75 epochs), the saved generator
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

CONTROL = {
    # Notebook 07's full run, end to end in nbclient (NPGAN_FAST unset, one BLAS thread, the CNN judge already
    # cached in ~/.cache/npgan; load average 5-7 on the 2-core machine from other engineers' runs): 745 s in
    # all; the InfoGAN (mlp-bn, --info defaults: weight 1, 10 categories, 2 continuous codes, seed 0) 10 epochs
    # in 543 s; the plain tutorial GAN 30 epochs in 149 s. Every figure below is printed by that run.
    "minutes": 12.4,
    "model": "mlp-bn", "epochs": 10, "info_minutes": 9.1,
    "plain_epochs": 30, "plain_minutes": 2.5,
    "judge_accuracy": 0.993,
    "q_reads": 1.00, "bound": 2.30, "log10": 2.30,   # Q's top logit right on 2,000 fresh fakes; log 10 - CE
    "code_accuracy": 0.591,                           # 10,000 samples, the categories in turn
    "z_change": 0.040, "u_change": 0.221,             # mean |pixel change| when z, or u, is redrawn (1,000 rows)
    "steer_steps": 50, "steer_n": 20, "steer_rate": 0.77,   # judge's top class at the end, 20 start z per digit
    "pr_n": 5000,                                     # images a set, against as many test digits
    "precision_recall": {                             # name: (precision, recall, FID in the judge's features)
        "real (held out)": (0.83, 0.86, 8.8),
        "only 1s": (0.89, 0.11, 428.3),
        "half noise": (0.56, 0.84, 76.5),
        "blurred": (0.92, 0.26, 32.5),
        "InfoGAN samples": (0.81, 0.00, 40.3),
    },
    "names_zh": {"real (held out)": "真实(留出)", "only 1s": "只有 1", "half noise": "一半噪声",
                 "blurred": "模糊", "InfoGAN samples": "InfoGAN 样本"},
    # Read off that run's pictures: the two continuous-code sweeps (6 rows, -2 to 2) and the truncation rows.
    "sweeps_en": ("continuous code 0 changes the digit in most rows (a 6 into a 0, a 2 into a 3, a 9 into a 4) and "
                  "tilts the 1, and past the training range its images dissolve into speckle; code 1 thins the "
                  "strokes in 4 of the 6 rows (the 9 thickens instead) and changes the digit in three. Neither is "
                  "the paper's clean slant or width"),
    "sweeps_zh": ("连续编码 0 在大多数行里改变了数字(6 变成 0,2 变成 3,9 变成 4),并让 1 倾斜,超出训练范围后图像"
                  "散成了斑点;编码 1 在 6 行中的 4 行让笔画变细(9 反而变粗),并在三行里改变了数字。两者都不是论文里"
                  "干净的倾斜或粗细"),
    "truncation": [(0.25, 0.23, 0.00, 325.1), (0.5, 0.60, 0.01, 235.7),   # (T, precision, recall, FID) of
                   (0.75, 0.68, 0.03, 163.7), (1.0, 0.62, 0.05, 129.7)],  # the plain GAN, 5,000 samples
}
