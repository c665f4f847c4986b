"""What does the gradient penalty cost a critic step, in npgan and in PyTorch (``create_graph=True``)?

    python benchmarks/penalty_speed.py [--critic mlp,dcgan] [--steps 10] [--rounds 15] [--no-torch]

A WGAN-GP critic step at batch 64, one BLAS thread: the critic on real and fake images, the Wasserstein
loss ``mean D(fake) - mean D(real)``, its backward pass and an Adam step (WGAN-GP's: lr 1e-4, betas
0.5 and 0.9); "+GP" adds ``10 * mean (||grad_x D(x_hat)|| - 1)^2`` on random interpolates ``x_hat``.

- npgan: the library as training uses it (``GAN.d_step``): one forward pass on real and fake together (no
  batch norm, so the rows are independent), ``backward`` without an input gradient, then
  :func:`npgan.penalties.wgan_gp_penalty`, the penalty on random interpolates with their first layer mixed
  from that layer's outputs on real and fake (:func:`npgan.penalties.first_layer_outputs`).
- PyTorch 2.13 eager: the same critic as the WGAN-GP paper's code writes it: ``D(real)``, ``D(fake)``,
  ``torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)``, the penalty added to the loss, one
  ``backward`` through both.

Critics: ``mlp``, mlp-bn's D (784-512-256-1, LeakyReLU 0.2); ``dcgan``, the DCGAN's D of width 32 without
its batch norm (Conv(1, 32, 4, 2, 1), LeakyReLU, Conv(32, 64, 4, 2, 1), LeakyReLU, Flatten, Linear 1).
Both frameworks step on the same fixed batches (real MNIST images, uniform noise as fakes). The four
variants run in turns, ``--rounds`` times, each ``--steps`` steps after a warm-up; each step is timed,
and the table gives the median and the 10th percentile ("p10") of the wall time, and the median of the
process's CPU time ("cpu"), in milliseconds per step. On a shared machine other processes only ever add
wall time, while they took our core; CPU time leaves that out (not their share of caches and memory
bandwidth), so "cpu" is the steadiest measure there, and equals the wall time on an idle machine. "in BLAS": npgan's time inside ``np.dot``/``np.matmul`` (``blas_clock.py``);
PyTorch's self time of its product operators under its profiler; each from a separate run of the penalised
step after the timed rounds (the clocks' own wrappers would weigh on the steps they time).
Peak memory: this process's (``VmHWM``); with ``--no-torch``, npgan's alone.
"""
import argparse
import os
import re
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from blas_clock import BlasClock
from npgan.data import load_mnist
from npgan.gan import GANConfig, to_unit_range
from npgan.layers import Sequential
from npgan.losses import objective
from npgan.models import build_pair
from npgan.norm import BatchNorm
from npgan.optim import Adam
from npgan.penalties import first_layer_outputs, wgan_gp_penalty

BATCH, WEIGHT, LR, BETAS = 64, 10.0, 1e-4, (0.5, 0.9)  # WGAN-GP's batch, lambda and Adam
MODELS = {"mlp": "mlp-bn", "dcgan": "dcgan"}
WASSERSTEIN = objective("wgan")


def npgan_critic(critic):
    """npgan's D of the model behind ``critic``, its batch norms left out (float32, seed 0)."""
    _, D = build_pair(GANConfig.for_model(MODELS[critic]), rng=0)
    return Sequential(*[layer for layer in D.layers if not isinstance(layer, BatchNorm)])


def npgan_step(critic, penalised):
    """``step(real, fake)``: one critic step of npgan; returns the loss."""
    D = npgan_critic(critic)
    opt = Adam(D, lr=LR, beta1=BETAS[0], beta2=BETAS[1])
    rng = np.random.default_rng(1)

    def step(real, fake):
        D.zero_grad()
        scores = D.forward(np.concatenate([real, fake]))
        first = first_layer_outputs(D)  # the interpolates' first layer is mixed from them, as GAN.d_step does
        loss, (d_real, d_fake) = WASSERSTEIN.d_loss(scores[:BATCH], scores[BATCH:])
        D.backward(np.concatenate([d_real, d_fake]), input_grad=False)
        if penalised:
            loss += WEIGHT * wgan_gp_penalty(D, real, fake, rng, weight=WEIGHT, first_outputs=first)
        opt.step()
        return loss
    return step


def torch_critic(critic):
    from torch import nn
    if critic == "mlp":
        return nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                             nn.Linear(256, 1))
    w = GANConfig.for_model("dcgan").width
    return nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, w, 4, 2, 1), nn.LeakyReLU(0.2),
                         nn.Conv2d(w, 2 * w, 4, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(2 * w * 49, 1))


def torch_step(critic, penalised):
    """``step(real, fake)``: the same critic step in PyTorch eager; returns the loss."""
    import torch
    torch.manual_seed(0)
    D = torch_critic(critic)
    opt = torch.optim.Adam(D.parameters(), lr=LR, betas=BETAS)

    def step(real, fake):
        real, fake = torch.from_numpy(real), torch.from_numpy(fake)
        loss = D(fake).mean() - D(real).mean()
        if penalised:
            t = torch.rand(BATCH, 1)
            x_hat = (t * real + (1 - t) * fake).requires_grad_(True)
            grad, = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
            loss = loss + WEIGHT * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def batches(mnist_dir, steps):
    """``steps`` fixed (real, fake) pairs of float32 rows (BATCH, 784): MNIST images and uniform noise."""
    images = load_mnist("train", data_dir=mnist_dir, download=False)[0][:steps * BATCH]
    rng = np.random.default_rng(0)
    return [(to_unit_range(images[i * BATCH:(i + 1) * BATCH]),
             rng.uniform(-1, 1, (BATCH, 784)).astype(np.float32)) for i in range(steps)]


def timed(step, data, clock):
    """Per step over ``data`` (after three warm-up steps): wall seconds and this process's CPU seconds; and the
    share of the wall time inside ``clock``."""
    for real, fake in data[:3]:
        step(real, fake)
    wall, cpu = [], []
    with clock:
        for real, fake in data:
            start, start_cpu = time.perf_counter(), time.process_time()
            step(real, fake)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return wall, cpu, clock.seconds / sum(wall)


def torch_blas_share(step, data):
    """PyTorch's share of wall time in its product operators (``torch_reference.PRODUCT_OPS``), profiled."""
    import torch
    from torch_reference import PRODUCT_OPS
    for real, fake in data[:3]:
        step(real, fake)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        for real, fake in data:
            step(real, fake)
        wall = time.perf_counter() - start
    return sum(e.self_cpu_time_total for e in prof.key_averages() if e.key in PRODUCT_OPS) * 1e-6 / wall


class NoClock:
    """Stands in for ``BlasClock`` around PyTorch's steps (no npgan products to time)."""
    seconds = 0.0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def peak_memory_mb():
    return int(re.search(r"VmHWM:\s*(\d+)", open("/proc/self/status").read()).group(1)) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--critic", default="mlp,dcgan", help="comma-separated: mlp, dcgan (default both)")
    parser.add_argument("--steps", type=int, default=10, help="timed steps per measurement (default 10)")
    parser.add_argument("--rounds", type=int, default=15, help="measurements per figure, in turns (default 15)")
    parser.add_argument("--mnist-dir", default=os.environ.get("NPGAN_MNIST_DIR", "../shared/data/mnist"))
    parser.add_argument("--no-torch", action="store_true", help="npgan only (and its own peak memory)")
    args = parser.parse_args()
    critics = args.critic.split(",")
    if not set(critics) <= set(MODELS) or args.steps < 1 or args.rounds < 1:
        parser.error(f"--critic takes {', '.join(MODELS)}; --steps and --rounds need at least 1")

    data = batches(args.mnist_dir, args.steps)
    frameworks = {"npgan": npgan_step} if args.no_torch else {"npgan": npgan_step, "torch": torch_step}
    if not args.no_torch:
        import torch
        torch.set_num_threads(1)
    print(f"critic step, batch {BATCH}, 1 thread: medians of {args.rounds} rounds of {args.steps} steps, ms per step")
    header = f"{'critic':<12} {'npgan':>7} {'npgan+GP':>9} {'ratio':>6} {'in BLAS':>8}"
    if not args.no_torch:
        header += f" {'torch':>7} {'torch+GP':>9} {'ratio':>6} {'in BLAS':>8} {'torch+GP / npgan+GP':>20}"
    print(header)
    with threadpool_limits(limits=1, user_api="blas"):
        for critic in critics:
            steps = {(name, gp): make(critic, gp) for name, make in frameworks.items() for gp in (False, True)}
            seconds = {key: [] for key in steps}
            cpu_seconds = {key: [] for key in steps}
            for _ in range(args.rounds):
                for (name, gp), step in steps.items():
                    wall, cpu, _ = timed(step, data, NoClock())
                    seconds[name, gp] += wall
                    cpu_seconds[name, gp] += cpu
            # The shares in BLAS from separate passes: the clocks' wrappers must not weigh on the timed steps
            npgan_share = timed(steps["npgan", True], data, BlasClock())[2]
            torch_share = None if args.no_torch else torch_blas_share(steps["torch", True], data)
            for label, times, statistic in (("median", seconds, statistics.median),
                                            ("p10", seconds, lambda v: np.percentile(v, 10)),
                                            ("cpu", cpu_seconds, statistics.median)):
                ms = {key: 1e3 * statistic(values) for key, values in times.items()}
                row = (f"{critic + ' ' + label:<12} {ms['npgan', False]:>7.2f} {ms['npgan', True]:>9.2f} "
                       f"{ms['npgan', True] / ms['npgan', False]:>6.2f} "
                       f"{npgan_share:>8.0%}")
                if torch_share is not None:
                    row += (f" {ms['torch', False]:>7.2f} {ms['torch', True]:>9.2f} "
                            f"{ms['torch', True] / ms['torch', False]:>6.2f} {torch_share:>8.0%} "
                            f"{ms['torch', True] / ms['npgan', True]:>19.2f}x")
                print(row, flush=True)
    print(f"peak memory of this process{'' if args.no_torch else ' (npgan and PyTorch)'}: {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
