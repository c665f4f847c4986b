"""Where does a training step's time go, in npgan and in PyTorch, by kind of work?

    python benchmarks/step_profile.py [--model mlp-bn|dcgan|tutorial] [--steps N] [--rounds R] [--threads T]

npgan: every layer's ``forward`` and ``backward``, the optimizers' ``step`` and ``zero_grad`` are timed in
the real training loop (``npgan.train._train_epoch``), and the products inside them with ``blas_clock.py``.
PyTorch: ``torch_reference.py``'s same model under ``torch.profiler``, each operator's own (self) time.
Both are sorted into the same kinds of work:

- products: matrix products and PyTorch's convolutions (npgan: every ``np.dot``/``np.matmul``);
- conv copies: what npgan's convolutions do besides their products (padding, im2col, col2im, bias,
  layout); PyTorch's direct convolutions have no such step;
- batch norm, activations (LeakyReLU, ReLU, tanh), reshapes (Flatten, Reshape): the elementwise layers;
- optimizer: Adam's update and clearing the gradients;
- rest: everything else in the step (loss, the batch of images, Python and PyTorch's dispatch, autograd).

The two run in turns (npgan, PyTorch, ...), ``--rounds`` times, and the table gives medians in
milliseconds per step. The profiler slows PyTorch a little (its "rest" includes that), so compare kinds of
work, and take whole-step speed from ``train_speed.py``.
"""
import argparse
import collections
import os
import statistics
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

import torch_reference
from blas_clock import BlasClock
from npgan.conv import Conv2d, ConvTranspose2d
from npgan.data import load_mnist
from npgan.gan import GAN, GANConfig
from npgan.layers import Dense, Flatten, LabelChannels, Reshape
from npgan.norm import BatchNorm
from npgan.train import TF1_VALIDATION_SIZE, _train_epoch

KINDS = ("products", "conv copies", "batch norm", "activations", "reshapes", "optimizer", "rest")

TORCH_KINDS = {  # aten operator -> kind (anything else: "rest", or "optimizer" inside Adam's step)
    **dict.fromkeys(torch_reference.PRODUCT_OPS, "products"),
    "aten::native_batch_norm": "batch norm", "aten::native_batch_norm_backward": "batch norm",
    "aten::leaky_relu": "activations", "aten::leaky_relu_backward": "activations",
    "aten::clamp_min": "activations", "aten::threshold_backward": "activations",
    "aten::tanh": "activations", "aten::tanh_backward": "activations",
}


def npgan_kind(layer):
    if isinstance(layer, (Conv2d, ConvTranspose2d)):
        return "conv copies"   # less their products, which the clock counts apart
    if isinstance(layer, BatchNorm):
        return "batch norm"    # its sums over the batch too (matrix-vector products), as PyTorch's
    if isinstance(layer, (Flatten, Reshape, LabelChannels)):
        return "reshapes"
    if isinstance(layer, Dense):
        return "rest"          # less its products: the bias's sum
    return "activations"


class KindClock(BlasClock):
    """``BlasClock`` that also adds each product's time to the kind of work running it (``self.kind``)."""

    def __init__(self):
        super().__init__()
        self.kind, self.by_kind = "rest", collections.Counter()

    def _timed(self, function, *args, **kwargs):
        before = self.seconds
        result = super()._timed(function, *args, **kwargs)
        self.by_kind[self.kind] += self.seconds - before
        return result


def profile_npgan(gan, images, rng, steps):
    """Seconds per kind of work over ``steps`` steps, and the whole time."""
    seconds, clock = collections.Counter(), KindClock()

    def timed(obj, name, kind):
        function = getattr(obj, name)

        def wrapper(*args, **kwargs):
            start, outer = time.perf_counter(), clock.kind
            clock.kind = kind
            try:
                return function(*args, **kwargs)
            finally:
                clock.kind = outer
                seconds[kind] += time.perf_counter() - start
        setattr(obj, name, wrapper)
        return function

    originals = []
    for net in (gan.G, gan.D):
        for layer in net.layers:
            originals += [(layer, name, timed(layer, name, npgan_kind(layer))) for name in ("forward", "backward")]
        originals.append((net, "zero_grad", timed(net, "zero_grad", "optimizer")))
    for opt in (gan.g_opt, gan.d_opt):
        originals.append((opt, "step", timed(opt, "step", "optimizer")))
    try:
        with clock:
            start = time.perf_counter()
            _train_epoch(gan, images, None, rng, steps, 0, progress=False)
            total = time.perf_counter() - start
    finally:
        for obj, name, function in originals:
            setattr(obj, name, function)
    kinds = dict.fromkeys(KINDS, 0.0)
    for kind in ("conv copies", "rest"):       # products of convolutions and dense layers
        kinds["products"] += clock.by_kind[kind]
        seconds[kind] -= clock.by_kind[kind]
    for kind in KINDS[1:-1]:
        kinds[kind] = seconds[kind]
    kinds["rest"] = total - sum(kinds.values())
    return kinds, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=("tutorial", "mlp-bn", "dcgan"), default="dcgan")
    parser.add_argument("--steps", type=int, default=None, help="steps per measurement (default: 10 dcgan, 100 else)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--mnist-dir", default=os.environ.get("NPGAN_MNIST_DIR", "../shared/data/mnist"))
    args = parser.parse_args()
    steps = args.steps or (10 if args.model == "dcgan" else 100)
    images = load_mnist("train", data_dir=args.mnist_dir, download=False)[0][TF1_VALIDATION_SIZE:]
    torch.set_num_threads(args.threads)
    gan, rng = GAN(GANConfig.for_model(args.model, loss="ns"))  # the ns models torch_reference.py writes, np.random.default_rng(0)
    step, batches_for = torch_reference._make_trainer(images, gan.config.batch_size, 0, args.model, gan.config.width)
    ours, theirs, our_totals, their_totals = [], [], [], []
    with threadpool_limits(limits=args.threads, user_api="blas"):
        _train_epoch(gan, images, None, rng, 3, 0, progress=False)
        for idx in batches_for(3):
            step(idx)
        for _ in range(args.rounds):
            kinds, total = profile_npgan(gan, images, rng, steps)
            ours.append(kinds)
            our_totals.append(total)
            with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
                start = time.perf_counter()
                for idx in batches_for(steps):
                    step(idx)
                total = time.perf_counter() - start
            theirs.append(torch_kinds(prof, total))
            their_totals.append(total)
    print(f"model {args.model}, {args.threads} thread(s): ms per step, median of {args.rounds} rounds of {steps} steps")
    print(f"{'kind of work':<14} {'npgan':>8} {'PyTorch':>8}")
    for kind in KINDS:
        ms = [1000 * statistics.median(s[kind] for s in runs) / steps for runs in (ours, theirs)]
        print(f"{kind:<14} {ms[0]:>8.1f} {ms[1]:>8.1f}")
    print(f"{'whole step':<14} {1000 * statistics.median(our_totals) / steps:>8.1f} "
          f"{1000 * statistics.median(their_totals) / steps:>8.1f}")


def torch_kinds(prof, total):
    """PyTorch's seconds per kind: each operator's self time; Adam's step and zero_grad as "optimizer"."""
    kinds = dict.fromkeys(KINDS, 0.0)
    for event in prof.key_averages():
        kind = TORCH_KINDS.get(event.key)
        if kind:
            kinds[kind] += event.self_cpu_time_total * 1e-6
        elif event.key.startswith("Optimizer.step#") or event.key.startswith("Optimizer.zero_grad#"):
            kinds["optimizer"] += event.cpu_time_total * 1e-6
    kinds["rest"] = total - sum(kinds.values())
    return kinds


if __name__ == "__main__":
    main()
