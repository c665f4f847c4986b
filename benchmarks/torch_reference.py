"""PyTorch reference for npgan's speed budget.

npgan's speed is judged against "the same model in PyTorch CPU eager, same run".
This module is that model: the classic TF1 "GAN on MNIST" tutorial ported
plainly to PyTorch, written as a competent user would (eager, float32, no
torch.compile, no hand tuning), so the comparison is fair in both directions;
and, with ``model="mlp-bn"`` or ``"dcgan"``, npgan's two further models (see
``_mlp_bn`` and ``_dcgan``), trained as PyTorch's DCGAN example does.

  G: z(100, U(-1,1)) -> Linear 128 -> LeakyReLU(0.01) -> Linear 784 -> tanh
  D: x(784) -> Linear 128 -> LeakyReLU(0.01) -> Linear 1 (logits)
  Glorot-uniform weights, zero biases (as TF's dense); Adam(2e-3, 0.9, 0.999, 1e-8)
  d_loss = BCE(D(x), 0.9) + BCE(D(G(z)), 0);  g_loss = BCE(D(G(z)), 1)

Each step draws one z batch, takes a D step (G's output made without autograd,
i.e. detached; real and fake go through D separately), then a G step on the same
z with G's forward recomputed. Real images stay a uint8 tensor and each batch is
converted to float32 in [-1, 1]. torch is optional for npgan: import this module
inside try/except ImportError.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from npgan.data import load_mnist
from npgan.gan import GANConfig
from npgan.models import MODELS
from npgan.train import TF1_VALIDATION_SIZE

Z_DIM, HIDDEN, X_DIM = 100, 128, 784
BATCH_SIZES = {model: GANConfig.for_model(model).batch_size for model in MODELS}  # npgan's own defaults
WIDTH = GANConfig.for_model("dcgan").width
# The operators whose own (self) time is a matrix product or a convolution: PyTorch's "in BLAS".
PRODUCT_OPS = ("aten::mm", "aten::addmm", "aten::bmm", "aten::mkldnn_convolution", "aten::convolution_backward",
               "aten::_convolution", "aten::slow_conv_transpose2d")


def _mlp(n_in, n_out, out_act=None):
    layers = [nn.Linear(n_in, HIDDEN), nn.LeakyReLU(0.01), nn.Linear(HIDDEN, n_out)]
    if out_act is not None:
        layers.append(out_act)
    for m in layers:
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return nn.Sequential(*layers)


def _mlp_bn():
    """npgan's mlp-bn (PyTorch-GAN's gan.py): G 100-128-256BN-512BN-1024BN-784 tanh, D 784-512-256-1,
    LeakyReLU 0.2, PyTorch's default initialisation."""
    def block(n_in, n_out, bn=True):
        return [nn.Linear(n_in, n_out), *([nn.BatchNorm1d(n_out)] if bn else []), nn.LeakyReLU(0.2)]
    G = nn.Sequential(*block(Z_DIM, 128, bn=False), *block(128, 256), *block(256, 512), *block(512, 1024),
                      nn.Linear(1024, X_DIM), nn.Tanh())
    D = nn.Sequential(nn.Linear(X_DIM, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                      nn.Linear(256, 1))
    return G, D


def _dcgan(w=WIDTH):
    """npgan's dcgan of width ``w``: G z -> Linear(2w*7*7) -> BN -> ReLU -> (2w, 7, 7) -> ConvT(2w, w, 4, 2, 1)
    -> BN -> ReLU -> ConvT(w, 1, 4, 2, 1) -> tanh; D Conv(1, w, 4, 2, 1) -> LReLU(0.2) -> Conv(w, 2w, 4, 2, 1)
    -> BN -> LReLU(0.2) -> Flatten -> Linear(1). Images are (N, 1, 28, 28)."""
    G = nn.Sequential(nn.Linear(Z_DIM, 2 * w * 49), nn.BatchNorm1d(2 * w * 49), nn.ReLU(),
                      nn.Unflatten(1, (2 * w, 7, 7)),
                      nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.BatchNorm2d(w), nn.ReLU(),
                      nn.ConvTranspose2d(w, 1, 4, 2, 1), nn.Tanh())
    D = nn.Sequential(nn.Conv2d(1, w, 4, 2, 1), nn.LeakyReLU(0.2),
                      nn.Conv2d(w, 2 * w, 4, 2, 1), nn.BatchNorm2d(2 * w), nn.LeakyReLU(0.2),
                      nn.Flatten(), nn.Linear(2 * w * 49, 1))
    return G, D


def _batches(n_images, batch_size, gen):
    """``batches_for(steps)``: index batches for one epoch of ``steps`` steps, a fresh shuffle (or several)."""
    def batches_for(steps):
        n_perm = max(1, -(-steps * batch_size // n_images))
        perm = torch.cat([torch.randperm(n_images, generator=gen) for _ in range(n_perm)])
        return perm[: steps * batch_size].view(steps, batch_size)
    return batches_for


def _make_trainer(images_u8, batch_size, seed, model="tutorial", width=WIDTH):
    """Build models, optimisers and data; return (step, batches_for)."""
    if model != "tutorial":
        return _make_bn_trainer(images_u8, batch_size, seed, model, width)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    images = torch.tensor(np.asarray(images_u8, dtype=np.uint8).reshape(-1, X_DIM))  # one copy, at setup
    G = _mlp(Z_DIM, X_DIM, nn.Tanh())
    D = _mlp(X_DIM, 1)
    opt_g = torch.optim.Adam(G.parameters(), lr=0.002, betas=(0.9, 0.999), eps=1e-8)
    opt_d = torch.optim.Adam(D.parameters(), lr=0.002, betas=(0.9, 0.999), eps=1e-8)
    real_lbl = torch.full((batch_size, 1), 0.9)
    zeros, ones = torch.zeros(batch_size, 1), torch.ones(batch_size, 1)

    batches_for = _batches(len(images), batch_size, gen)

    def step(idx):
        real = images[idx].float().div_(127.5).sub_(1.0)
        z = torch.empty(batch_size, Z_DIM).uniform_(-1.0, 1.0, generator=gen)
        with torch.no_grad():
            fake = G(z)
        d_loss = (F.binary_cross_entropy_with_logits(D(real), real_lbl)
                  + F.binary_cross_entropy_with_logits(D(fake), zeros))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_loss = F.binary_cross_entropy_with_logits(D(G(z)), ones)
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        return d_loss.detach(), g_loss.detach()

    return step, batches_for


def _make_bn_trainer(images_u8, batch_size, seed, model, width, generator=None):
    """The batch-norm models, trained as PyTorch's DCGAN example: one G forward per step, its output
    detached for the D step (real and fake batches through D separately), then the G step through D.
    ``generator``: a list that receives G, to sample from it afterwards."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    shape = (-1, X_DIM) if model == "mlp-bn" else (-1, 1, 28, 28)
    images = torch.tensor(np.asarray(images_u8, dtype=np.uint8)).reshape(shape)
    G, D = _mlp_bn() if model == "mlp-bn" else _dcgan(width)
    if model == "dcgan":  # the DCGAN paper's initialisation, as npgan's dcgan
        for m in (*G.modules(), *D.modules()):
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                nn.init.zeros_(m.bias)
    if generator is not None:
        generator.append(G)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    zeros, ones = torch.zeros(batch_size, 1), torch.ones(batch_size, 1)

    batches_for = _batches(len(images), batch_size, gen)

    def step(idx):
        real = images[idx].float().div_(127.5).sub_(1.0)
        z = torch.empty(batch_size, Z_DIM).uniform_(-1.0, 1.0, generator=gen)
        fake = G(z)
        if model == "dcgan":
            fake = fake.view(batch_size, 1, 28, 28)
        d_loss = (F.binary_cross_entropy_with_logits(D(real), ones)
                  + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_loss = F.binary_cross_entropy_with_logits(D(fake), ones)
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        return d_loss.detach(), g_loss.detach()

    return step, batches_for


def train_epochs(images_u8, *, epochs=1, steps_per_epoch=None, batch_size=None, model="tutorial", width=WIDTH,
                 threads=1, seed=0, warmup_steps=20) -> dict:
    """Run `warmup_steps` untimed steps, then `epochs` timed epochs (of `steps_per_epoch` steps, default a
    whole pass) of `model`; return timings."""
    batch_size = batch_size or BATCH_SIZES[model]
    steps = steps_per_epoch or len(images_u8) // batch_size
    old_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        step, batches_for = _make_trainer(images_u8, batch_size, seed, model, width)
        for idx in batches_for(warmup_steps):
            step(idx)
        times = []
        for _ in range(epochs):
            t0 = time.perf_counter()
            for idx in batches_for(steps):
                d_loss, g_loss = step(idx)
            times.append(time.perf_counter() - t0)
    finally:
        torch.set_num_threads(old_threads)
    sec = statistics.median(times)
    return {"seconds_per_epoch": sec, "steps_per_epoch": steps,
            "images_per_second": batch_size * steps / sec, "threads": threads,
            "torch_version": torch.__version__,
            "d_loss": float(d_loss), "g_loss": float(g_loss)}


def train_for_minutes(images_u8, minutes, *, model="dcgan", width=WIDTH, samples=10_000, seed=0, threads=1):
    """Train ``model`` for whole epochs until ``minutes`` of training have passed (as ``npgan.train
    --minutes``), then draw ``samples`` images (evaluation mode, z ~ U(-1, 1)) as float32 (n, 784) in
    [-1, 1], to score with ``python -m npgan.evaluate --npy``. Returns ``(samples, epochs, minutes)``."""
    torch.set_num_threads(threads)
    batch_size, generators = BATCH_SIZES[model], []
    step, batches_for = _make_bn_trainer(images_u8, batch_size, seed, model, width, generators)
    start, epochs = time.perf_counter(), 0
    while time.perf_counter() - start < 60 * minutes:
        for idx in batches_for(len(images_u8) // batch_size):
            step(idx)
        epochs += 1
        print(f"epoch {epochs}: {(time.perf_counter() - start) / 60:.1f} min", flush=True)
    G = generators[0].eval()
    with torch.no_grad():
        z = torch.empty(samples, Z_DIM).uniform_(-1.0, 1.0, generator=torch.Generator().manual_seed(seed))
        images = G(z).reshape(samples, X_DIM).numpy().astype(np.float32)
    return images, epochs, (time.perf_counter() - start) / 60


def matmul_share(images_u8, *, steps=50, threads=1, model="tutorial", width=WIDTH) -> float:
    """Fraction of wall time spent in matrix products over `steps` profiled steps.

    Numerator: self CPU time of the ``PRODUCT_OPS`` (matrix products and
    convolutions, forward and backward) from torch.profiler. Denominator: the measured wall time of the
    profiled loop (not the sum of op self times), so Python/dispatch overhead
    counts; the profiler's own overhead also lands in it, so this errs low.
    """
    old_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        step, batches_for = _make_trainer(images_u8, BATCH_SIZES[model], 0, model, width)
        for idx in batches_for(20):
            step(idx)
        idxs = batches_for(steps)
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            t0 = time.perf_counter()
            for idx in idxs:
                step(idx)
            wall = time.perf_counter() - t0
    finally:
        torch.set_num_threads(old_threads)
    mm_us = sum(e.self_cpu_time_total for e in prof.key_averages() if e.key in PRODUCT_OPS)
    return mm_us * 1e-6 / wall


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mnist-dir", default=os.environ.get("NPGAN_MNIST_DIR", "../shared/data/mnist"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--model", choices=tuple(BATCH_SIZES), default="tutorial")
    ap.add_argument("--width", type=int, default=WIDTH, help="dcgan width")
    ap.add_argument("--steps", type=int, default=None, help="steps per timed epoch (default: a whole pass)")
    ap.add_argument("--train-minutes", type=float, default=None,
                    help="instead: train mlp-bn or dcgan this long, then write 10,000 samples to --samples")
    ap.add_argument("--samples", default="torch_samples.npy", help="where --train-minutes writes its samples")
    ap.add_argument("--matmul-share", action="store_true", help="also profile the matmul share")
    args = ap.parse_args()
    imgs = load_mnist("train", data_dir=args.mnist_dir, download=False)[0][TF1_VALIDATION_SIZE:]
    if args.train_minutes:
        samples, epochs, minutes = train_for_minutes(imgs, args.train_minutes, model=args.model, width=args.width,
                                                     threads=args.threads)
        np.save(args.samples, samples)
        print(f"{args.model}: {epochs} epochs in {minutes:.1f} min; samples in {args.samples}; score them with "
              f"python -m npgan.evaluate --npy {args.samples}")
        raise SystemExit(0)
    result = train_epochs(imgs, epochs=args.epochs, threads=args.threads, model=args.model, width=args.width,
                          steps_per_epoch=args.steps)
    if args.matmul_share:
        result["matmul_share"] = matmul_share(imgs, threads=args.threads, model=args.model, width=args.width)
    print(json.dumps(result, indent=2))
