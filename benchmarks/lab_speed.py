"""Steps per second of the GAN lab, npgan beside PyTorch eager with the same networks, batch and optimiser.

    python benchmarks/lab_speed.py [--steps 2000] [--rounds 3] [--pack 1] [--data grid25] [--profile]
    python benchmarks/lab_speed.py --wgan-gp        # --loss wgan --penalty gp --d-steps 5 (WGAN-GP's recipe)

npgan is timed through ``npgan.lab.training`` itself (its training time: sampling a batch and z, then
``GAN.train_step``; scoring excluded). PyTorch runs the same step as a competent user writes it: G 2 ->
3 x (128, ReLU) -> 2, D 2 -> 2 x (128, LeakyReLU 0.2) -> 1, non-saturating BCE on logits, D on the real
and the detached fake batch in one forward pass, ``zero_grad(set_to_none=True)``, Adam (lr 1e-3, betas
0.5, 0.999), float32, the batch drawn by the same NumPy sampler. The two alternate (npgan, PyTorch, ...)
``--rounds`` times at one thread, so that load from other processes hits both alike; figures are medians.
``--wgan-gp``: WGAN-GP's recipe instead (5 critic steps per G step, each on its own real batch, penalty
weight 10 on random interpolates, Adam lr 1e-4, betas 0, 0.9); PyTorch's penalty through
``torch.autograd.grad(create_graph=True)``. ``--profile`` prints npgan's cProfile instead (where a step's
time goes).
"""
import argparse
import cProfile
import pstats
import statistics
import time
from dataclasses import replace

import numpy as np
from threadpoolctl import threadpool_limits

from npgan.lab import LabConfig, dataset, run


def npgan_seconds(config):
    return run(config).seconds


def torch_seconds(config):
    import torch
    from torch import nn

    torch.manual_seed(config.seed)
    m, settings = config.pack, config.gan_config()

    def mlp(widths, activation):
        layers = []
        for n_in, n_out in zip(widths[:-2], widths[1:-1]):
            layers += [nn.Linear(n_in, n_out), activation()]
        return nn.Sequential(*layers, nn.Linear(widths[-2], widths[-1]))

    G = mlp([2, *config.g_hidden, 2], nn.ReLU)
    D = mlp([2 * m, *config.d_hidden, 1], lambda: nn.LeakyReLU(0.2))
    g_opt = torch.optim.Adam(G.parameters(), lr=settings.lr, betas=(settings.beta1, settings.beta2))
    d_opt = torch.optim.Adam(D.parameters(), lr=settings.lr, betas=(settings.beta1, settings.beta2))
    bce = nn.BCEWithLogitsLoss()
    distribution, rng, n = dataset(config.data), np.random.default_rng([config.seed, 1]), config.batch_size
    ones, zeros = torch.ones(n // m, 1), torch.zeros(n // m, 1)
    if settings.penalty == "gp":
        return _torch_wgan_gp(G, D, g_opt, d_opt, distribution, rng, config, settings)
    start = time.perf_counter()
    for _ in range(config.steps):
        real = torch.from_numpy(distribution.sample(rng, n).reshape(n // m, 2 * m))
        z = torch.from_numpy(rng.standard_normal((n, 2), dtype=np.float32))
        fake = G(z).reshape(n // m, 2 * m)
        out = D(torch.cat([real, fake.detach()]))
        d_loss = bce(out[:n // m], ones) + bce(out[n // m:], zeros)
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()
        g_loss = bce(D(fake), ones)
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()
    return time.perf_counter() - start


def _torch_wgan_gp(G, D, g_opt, d_opt, distribution, rng, config, settings):
    """Seconds of ``config.steps`` WGAN-GP steps in PyTorch: ``d_steps`` critic steps (each on its own real
    batch and z, with the penalty on random interpolates), then a G step on the last critic step's fakes."""
    import torch

    n, m, k = config.batch_size, config.pack, settings.d_steps
    start = time.perf_counter()
    for _ in range(config.steps):
        real_all = torch.from_numpy(distribution.sample(rng, k * n).reshape(k * n // m, 2 * m))
        z_all = torch.from_numpy(rng.standard_normal((k * n, 2), dtype=np.float32))
        for step in range(k):
            real = real_all[step * n // m:(step + 1) * n // m]
            fake = G(z_all[step * n:(step + 1) * n]).reshape(n // m, 2 * m)
            t = torch.rand(n // m, 1)
            between = (t * real + (1 - t) * fake.detach()).requires_grad_(True)
            slope, = torch.autograd.grad(D(between).sum(), between, create_graph=True)
            penalty = ((slope.norm(dim=1) - 1) ** 2).mean()
            out = D(torch.cat([real, fake.detach()]))
            d_loss = out[n // m:].mean() - out[:n // m].mean() + settings.penalty_weight * penalty
            d_opt.zero_grad(set_to_none=True)
            d_loss.backward()
            d_opt.step()
        g_loss = -D(fake).mean()
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pack", type=int, default=1)
    parser.add_argument("--data", default="grid25")
    parser.add_argument("--wgan-gp", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    recipe = dict(loss="wgan", gan={"penalty": "gp", "d_steps": 5}) if args.wgan_gp else {}
    config = LabConfig(data=args.data, steps=args.steps, pack=args.pack, **recipe)
    with threadpool_limits(limits=1, user_api="blas"):
        if args.profile:
            cProfile.runctx("npgan_seconds(config)", globals(), {"config": config, "npgan_seconds": npgan_seconds},
                            "/tmp/lab_speed.prof")
            pstats.Stats("/tmp/lab_speed.prof").sort_stats("tottime").print_stats(15)
            return
        import torch
        torch.set_num_threads(1)
        npgan_seconds(replace(config, steps=20))  # warm-up
        torch_seconds(replace(config, steps=20))
        what = "WGAN-GP (5 critic steps)" if args.wgan_gp else "non-saturating"
        print(f"lab step, {what}, {args.data}, batch {config.batch_size}, pack {args.pack}, {args.steps} steps a "
              f"round, 1 thread (torch {torch.__version__})")
        print(f"{'round':>5} {'npgan steps/s':>14} {'torch steps/s':>14} {'ratio':>6}")
        ratios = []
        for r in range(args.rounds):
            ours, theirs = npgan_seconds(config), torch_seconds(config)
            ratios.append(theirs / ours)
            print(f"{r + 1:>5} {args.steps / ours:>14.0f} {args.steps / theirs:>14.0f} {ratios[-1]:>6.2f}", flush=True)
    print(f"npgan / PyTorch steps per second, median of {args.rounds} rounds: {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
