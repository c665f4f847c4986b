"""How fast are npgan's convolution and batch-norm layers, beside PyTorch's, at a DCGAN's shapes?

    python benchmarks/layer_speed.py [--threads 1,2] [--rounds 7] [--no-torch]

Each layer's forward + backward pass (input gradient and parameter gradients) is timed at the shapes of a
DCGAN on MNIST, batch 64, float32: the discriminator's Conv2d 1->64 and 64->128 (k4, s2, p1,
28 -> 14 -> 7), the generator's ConvTranspose2d 128->64 and 64->1 (7 -> 14 -> 28), and BatchNorm over
(64, 128, 7, 7), (64, 64, 14, 14) and (64, 6272). When PyTorch is installed, its eager ``nn.Conv2d``,
``nn.ConvTranspose2d``, ``nn.BatchNorm2d`` and ``nn.BatchNorm1d`` run the same passes (after a check that
both compute the same numbers), and the two are timed in turns, round after round, so that load from other
processes hits both alike. It prints, per thread count (BLAS threads for npgan, intra-op threads for
PyTorch):

- milliseconds per forward + backward pass (median over rounds) for npgan and PyTorch;
- PyTorch's time over npgan's (above 1: npgan is faster), the median of the rounds' ratios (each round
  times both libraries back to back, so its ratio is steadier than the times);
- the share of npgan's time inside matrix products (BLAS), timed around every ``np.matmul`` that
  ``npgan.conv`` and ``npgan.norm`` make, with the layers' own code (see ``blas_clock.py``).

npgan's layers get their inputs in the memory layout the previous layer of a DCGAN hands them
(channels-last views after a convolution, a plain array after ``Reshape``); PyTorch's, its default layout.
Every layer runs a few passes before the clock starts, in one process, as a training run would (the
first passes also pay NumPy's and PyTorch's first memory allocations). Timings on a shared machine
wander: compare figures from the same run, and prefer 1 thread.
"""
import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from blas_clock import BlasClock
from npgan.conv import Conv2d, ConvTranspose2d
from npgan.norm import BatchNorm

BATCH = 64


def channels_last_memory(x):
    """The (N, C, H, W) array ``x`` as a view of channels-last memory, the layout npgan's convolutions return."""
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def cases():
    """``(label, npgan layer, input, upstream gradient, torch module name, torch constructor arguments)``.

    Inputs are laid out as a DCGAN hands them to each layer: MNIST images (one channel) to the first
    convolution, the ``Reshape`` of a dense layer's output (a plain array) to the first transposed
    convolution, channels-last memory everywhere else.
    """
    rng = np.random.default_rng(0)

    def image(shape, layout=channels_last_memory):
        return layout(rng.standard_normal(shape, dtype=np.float32))

    plain = np.ascontiguousarray
    return [
        ("Conv2d 1->64, 28->14", Conv2d(1, 64, 4, 2, 1, rng=1), image((BATCH, 1, 28, 28)),
         image((BATCH, 64, 14, 14)), "Conv2d", (1, 64, 4, 2, 1)),
        ("Conv2d 64->128, 14->7", Conv2d(64, 128, 4, 2, 1, rng=2), image((BATCH, 64, 14, 14)),
         image((BATCH, 128, 7, 7)), "Conv2d", (64, 128, 4, 2, 1)),
        ("ConvTranspose2d 128->64, 7->14", ConvTranspose2d(128, 64, 4, 2, 1, rng=3),
         image((BATCH, 128, 7, 7), plain), image((BATCH, 64, 14, 14)), "ConvTranspose2d", (128, 64, 4, 2, 1)),
        ("ConvTranspose2d 64->1, 14->28", ConvTranspose2d(64, 1, 4, 2, 1, rng=4), image((BATCH, 64, 14, 14)),
         image((BATCH, 1, 28, 28)), "ConvTranspose2d", (64, 1, 4, 2, 1)),
        ("BatchNorm (64, 128, 7, 7)", BatchNorm(128), image((BATCH, 128, 7, 7)), image((BATCH, 128, 7, 7)),
         "BatchNorm2d", (128,)),
        ("BatchNorm (64, 64, 14, 14)", BatchNorm(64), image((BATCH, 64, 14, 14)), image((BATCH, 64, 14, 14)),
         "BatchNorm2d", (64,)),
        ("BatchNorm (64, 6272)", BatchNorm(6272), rng.standard_normal((BATCH, 6272), dtype=np.float32),
         rng.standard_normal((BATCH, 6272), dtype=np.float32), "BatchNorm1d", (6272,)),
    ]


def npgan_pass(layer, x, dy):
    layer.forward(x)
    layer.backward(dy)


def seconds_per_pass(run, repeats):
    start = time.perf_counter()
    for _ in range(repeats):
        run()
    return (time.perf_counter() - start) / repeats


def torch_twin(torch, case):
    """The PyTorch module of a case with npgan's weights, its input (requiring a gradient) and upstream gradient."""
    _, layer, x, dy, name, args = case
    module = getattr(torch.nn, name)(*args)
    with torch.no_grad():
        for torch_param, array in zip(module.parameters(), layer.params.values()):
            torch_param.copy_(torch.from_numpy(np.ascontiguousarray(array)))
    x_torch = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_(True)
    return module, x_torch, torch.from_numpy(np.ascontiguousarray(dy))


def check_same_numbers(case, twin):
    """npgan and PyTorch must compute the same output and gradients, or the timing compares nothing."""
    label, layer, x, dy, _, _ = case
    module, x_torch, dy_torch = twin
    layer.zero_grad()
    y = layer.forward(x)
    dx = layer.backward(dy)
    y_torch = module(x_torch)
    y_torch.backward(dy_torch)
    pairs = [(y, y_torch), (dx, x_torch.grad)] + [(g, p.grad) for g, p in zip(layer.grads.values(), module.parameters())]
    for ours, theirs in pairs:
        theirs = theirs.detach().numpy()
        if not np.allclose(ours, theirs, rtol=1e-3, atol=1e-3 * np.abs(theirs).max()):
            raise SystemExit(f"{label}: npgan and PyTorch disagree (max difference {np.abs(ours - theirs).max():.3g})")
    x_torch.grad = None
    module.zero_grad()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per layer and thread count (default 7)")
    parser.add_argument("--repeats", type=int, default=10, help="passes per timed round (default 10)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch reference")
    args = parser.parse_args()

    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("(PyTorch not installed: npgan only)")
    all_cases = cases()
    twins = [torch_twin(torch, case) for case in all_cases] if torch else [None] * len(all_cases)
    if torch:
        for case, twin in zip(all_cases, twins):
            check_same_numbers(case, twin)

    print(f"forward + backward, batch {BATCH}, float32; milliseconds, median of {args.rounds} rounds "
          f"of {args.repeats} passes")
    header = f"{'layer':<32} {'threads':>7} {'npgan ms':>9} {'in BLAS':>8}"
    if torch:
        header += f" {'torch ms':>9} {'torch/npgan':>12}"
    print(header)
    for threads in map(int, args.threads.split(",")):
        if torch:
            torch.set_num_threads(threads)
        with threadpool_limits(limits=threads, user_api="blas"):
            for case, twin in zip(all_cases, twins):   # warm-up: every layer first, as in training
                npgan_pass(*case[1:4])
                if twin:
                    twin[0](twin[1]).backward(twin[2])
            for case, twin in zip(all_cases, twins):
                label, layer, x, dy = case[:4]
                ours, theirs, blas_shares = [], [], []
                for _ in range(args.rounds):           # npgan and PyTorch in turns
                    with BlasClock() as clock:
                        ours.append(seconds_per_pass(lambda: npgan_pass(layer, x, dy), args.repeats))
                    blas_shares.append(clock.seconds / args.repeats / ours[-1])
                    if twin:
                        module, x_torch, dy_torch = twin
                        theirs.append(seconds_per_pass(lambda: module(x_torch).backward(dy_torch), args.repeats))
                row = f"{label:<32} {threads:>7} {1000 * statistics.median(ours):>9.2f}"
                row += f" {statistics.median(blas_shares):>8.0%}"
                if twin:
                    ratio = statistics.median(t / o for t, o in zip(theirs, ours))
                    row += f" {1000 * statistics.median(theirs):>9.2f} {ratio:>11.2f}x"
                print(row, flush=True)


if __name__ == "__main__":
    main()
