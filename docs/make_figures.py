"""Make every figure under ``docs/figures/`` from the output folders of real training runs.

The runs (one BLAS thread each, on this project's 2-core machine; see the README for their times; they
predate ``--loss``, so ``--loss ns`` repeats them now that mlp-bn and dcgan default to other objectives):

    python -m npgan.train --out runs/tutorial                                      # the tutorial, 100 epochs
    python -m npgan.train --conditional --out runs/tutorial-conditional           # ... asked for digits
    python -m npgan.train --model mlp-bn --loss ns --minutes 20 --eval-every 2 --out runs/mlp-bn
    python -m npgan.train --model mlp-bn --conditional --minutes 20 --eval-every 2 --out runs/mlp-bn-conditional
    python -m npgan.train --model dcgan --loss ns --minutes 20 --eval-every 2 --out runs/dcgan
    python -m npgan.train --model mlp-bn --loss ns --lr-decay 0.97 --minutes 20 --eval-every 2 --out runs/mlp-bn-lr-decay

(each with ``--data-dir`` naming the MNIST folder), then:

    python docs/make_figures.py --runs runs --data-dir data

Figures (each small enough to sit in the repository):

- ``tutorial_samples.png``, ``tutorial_progress.gif``, ``tutorial_losses.png``: the tutorial run;
- ``models.png``: 64 samples of each model side by side, with its FID and training time;
- ``dcgan_samples.png``, ``conditional_digits.png`` (a row per digit), ``latent_walk.gif`` and
  ``interpolation.png`` (walks between random z), ``evaluation.png`` (``npgan.evaluate --png``),
  ``quality.png`` (FID, precision and recall during the mlp-bn run), ``truncation.png`` (the mlp-bn run's
  FID, precision and recall as the truncation T tightens);
- ``gradient_checks.png``: the largest relative error of each layer's finite-difference check;
- ``generator_gradients.png``: G's gradient under the minimax and the non-saturating loss (no run needed).

Samples are drawn with ``npgan.sample.draw`` (seed 0, the generators saved as ``generator_best.npz`` when
the run kept one, else ``generator.npz``) and scored with ``npgan.evaluate.Evaluator`` on 10,000 samples:
the numbers printed here are the README's.
"""
import argparse
import json
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

from npgan import plots
from npgan.checkpoints import load_checkpoint, load_generator
from npgan.conv import Conv2d, ConvTranspose2d
from npgan.evaluate import Evaluator, report, shares_figure, truncation_sweep
from npgan.gradcheck import check_layer
from npgan.layers import Dense, Dropout, LeakyReLU, ReLU, Sigmoid, Tanh
from npgan.losses import objective, sigmoid
from npgan.norm import BatchNorm
from npgan.train import QUALITY_KEYS
from npgan.sample import draw, walk_frames, walks

HERE = Path(__file__).resolve().parent
# The runs scored (folder, label), and the four side by side in models.png.
RUNS = (("tutorial", "tutorial"), ("tutorial-conditional", "tutorial, conditional"), ("mlp-bn", "mlp-bn"),
        ("mlp-bn-conditional", "mlp-bn, conditional"), ("dcgan", "dcgan"), ("mlp-bn-lr-decay", "mlp-bn, lr decay"))
SIDE_BY_SIDE = ("tutorial", "dcgan", "mlp-bn", "mlp-bn-conditional")


def generator_file(run):
    best = run / "generator_best.npz"
    return best if best.exists() else run / "generator.npz"


def save_grid(samples, rows, cols, path, title=None, scale=2):
    """A plain grid PNG: ``scale`` screen pixels per image pixel, no more (small files)."""
    grid = plots.image_grid(samples[:rows * cols], rows, cols)
    height, width = (scale * size / plots.DPI for size in grid.shape)
    top = 0.3 if title else 0
    fig = Figure(figsize=(width, height + top))
    ax = fig.add_axes((0, 0, 1, height / (height + top)))
    ax.imshow(grid, cmap=plots.CMAP, vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        fig.suptitle(title, y=1 - 0.04 / (height + top), va="top", fontsize=9)
    plots.save_figure(fig, path)


def models_figure(panels):
    """``panels``: (title, samples (64, 784)) side by side, 8x8 each."""
    fig = Figure(figsize=(2.3 * len(panels), 2.6))
    for i, (title, samples) in enumerate(panels):
        ax = fig.add_axes((i / len(panels) + 0.005, 0.0, 1 / len(panels) - 0.01, 0.86))
        ax.imshow(plots.image_grid(samples[:64], 8, 8, pad=1), cmap=plots.CMAP, vmin=0, vmax=1,
                  interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(title, fontsize=8)
    return fig


def gradient_checks_figure():
    """Each layer's largest relative error (float64 central differences) against a planted bug's."""
    rng = np.random.default_rng(0)
    cases = {
        "Dense": (Dense(6, 4, rng=0, dtype=np.float64), (5, 6)),
        "LeakyReLU": (LeakyReLU(0.2), (5, 6)), "ReLU": (ReLU(), (5, 6)), "Tanh": (Tanh(), (5, 6)),
        "Sigmoid": (Sigmoid(), (5, 6)), "Dropout": (Dropout(0.3, rng=0), (5, 6)),
        "BatchNorm": (BatchNorm(3, dtype=np.float64), (4, 3, 5, 5)),
        "Conv2d": (Conv2d(2, 3, 4, 2, 1, rng=0, dtype=np.float64), (2, 2, 7, 7)),
        "ConvTranspose2d": (ConvTranspose2d(3, 2, 4, 2, 1, rng=0, dtype=np.float64), (2, 3, 4, 4)),
    }
    errors = {}
    for name, (layer, shape) in cases.items():
        x = rng.standard_normal(shape)
        x = np.sign(x) * (0.1 + np.abs(x))  # away from the kinks at 0
        if name == "Dropout":  # a fixed mask: the same one for every evaluation of the loss
            layer.eval()
        errors[name] = max(check_layer(layer, x, rng=1).values())
    buggy = LeakyReLU(0.2)
    buggy.backward = lambda dy, **kwargs: dy * (buggy.x > 0)  # forgets the slope alpha for x < 0
    errors["LeakyReLU, slope forgotten"] = check_layer(buggy, rng.standard_normal((5, 6)), rng=1)["x"]
    fig = Figure(figsize=(6.5, 3.2))
    ax = fig.add_axes((0.34, 0.16, 0.62, 0.74))
    names = list(errors)
    colors = ["C3" if "forgotten" in name else "C0" for name in names]
    ax.barh(names, list(errors.values()), color=colors)
    ax.set_xscale("log")
    ax.axvline(1e-6, color="k", linestyle="--", linewidth=0.8)
    ax.text(1.3e-6, -0.75, "below 1e-6: right", fontsize=8, va="bottom")
    ax.set_ylim(len(names) - 0.5, -1.2)  # first layer on top, room for the label above it
    ax.set_xlabel("largest relative error, backward pass vs finite differences")
    ax.set_title("Every backward pass checked (float64)", fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    return fig, errors


def generator_gradients_figure():
    """G's gradient with respect to D's logit, per sample, as a curve of D(G(z)): the original minimax loss
    saturates where D rejects the fakes (D(G(z)) near 0), the non-saturating loss does not (notebook 05)."""
    logits = np.linspace(-7, 7, 281)
    belief = sigmoid(logits)
    fig = Figure(figsize=(6.0, 3.4))
    ax = fig.add_axes((0.11, 0.15, 0.85, 0.74))
    for name, label in (("minimax", "minimax: log(1 - D(G(z))), saturates"),
                        ("ns", "non-saturating: -log D(G(z))")):
        _, grad = objective(name).g(logits)
        ax.plot(belief, np.abs(grad) * logits.size, label=label, linewidth=2)   # per sample: undo the mean's 1/N
    ax.axvspan(0, 0.1, color="0.9")
    ax.text(0.012, 0.5, "early training:\nD rejects the fakes", fontsize=8)
    ax.set_xlabel("D(G(z)): D's belief that a fake is real")
    ax.set_ylabel("|dL_G / d logit| per sample")
    ax.set_title("The generator's gradient, two ways to write its loss", fontsize=10)
    ax.legend(fontsize=8, loc="upper center")
    ax.set_xlim(0, 1)
    return fig


TRUNCATIONS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)  # truncation.png's T, from tight to none


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="runs", help="folder holding the runs' output folders")
    parser.add_argument("--data-dir", default="data", help="MNIST folder (for the evaluator)")
    parser.add_argument("--out", default=str(HERE / "figures"))
    args = parser.parse_args(argv)
    runs, out = Path(args.runs), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    figures = {}
    with threadpool_limits(limits=1, user_api="blas"):
        evaluator = Evaluator("mnist", args.data_dir, log=None)
        # Every run scored; four models side by side. (The first 64 of the 10,000 samples drawn with seed 0
        # are the 64 that seed draws: the grids below show them.)
        panels, generators, drawn, checkpoints = {}, {}, {}, {}
        for name, label in RUNS:
            path = generator_file(runs / name)
            G, meta = generators[name] = load_generator(path)
            samples, labels = drawn[name] = draw(G, meta, 10_000, 0)
            features, probabilities = evaluator.classify(samples)
            result = report(evaluator, samples, features, probabilities, str(path), 0, labels)
            checkpoint = checkpoints[name] = load_checkpoint(runs / name / "checkpoint.npz")
            result["minutes"], result["epochs"] = checkpoint.state["train_seconds"] / 60, checkpoint.epoch
            best = f", best at epoch {checkpoint.state['best_epoch']}" if "best_epoch" in checkpoint.state else ""
            figures[name] = result
            # A conditional model draws the digits in turn: its first 64 samples sorted by digit.
            show = samples[:64] if labels is None else samples[:64][np.argsort(labels[:64], kind="stable")]
            panels[name] = (f"{label}: {result['epochs']} epochs, {result['minutes']:.0f} min\n"
                            f"FID {result['samples']['fid']:.1f}{best}", show)
            if name == "mlp-bn":
                plots.save_figure(shares_figure(result, samples, probabilities), out / "evaluation.png", dpi=60)
        plots.save_figure(models_figure([panels[name] for name in SIDE_BY_SIDE]), out / "models.png")
        # The tutorial run: its samples, its progress and its losses.
        history = checkpoints["tutorial"].history
        save_grid(drawn["tutorial"][0], 8, 8, out / "tutorial_samples.png", "the tutorial's GAN after 100 epochs")
        plots.save_progress_gif(history["samples"], out / "tutorial_progress.gif", max_frames=50, hold_last=3.0)
        plots.save_figure(plots.losses_figure(history["d_loss"], history["g_loss"]), out / "tutorial_losses.png",
                          dpi=70)
        # The DCGAN, the conditional digits, walks through latent space, the mlp-bn run's quality.
        save_grid(drawn["dcgan"][0], 8, 8, out / "dcgan_samples.png", "dcgan, 20 minutes on one core")
        G, meta = generators["mlp-bn-conditional"]
        save_grid(draw(G, meta, 10, 0, "all")[0], 10, 10, out / "conditional_digits.png",
                  "asked for 0, 1, ..., 9 (a row each)")
        G, meta = generators["mlp-bn"]
        walk = walks(G, meta, 8, 10, seed=1)
        save_grid(walk, 8, 10, out / "interpolation.png", "8 straight walks from one z to another")
        with open(out / "latent_walk.gif", "wb") as f:
            plots.write_gif(walk_frames(walk, 8, 10, grid=(2, 4)), f, fps=8, hold_last=0.3)
        history = checkpoints["mlp-bn"].history
        scored = np.flatnonzero(np.isfinite(history["fid"]))
        logged = {key: history.get(key, np.full(len(history["fid"]), np.nan)) for key in QUALITY_KEYS}  # older runs
        plots.save_figure(plots.quality_figure(scored + 1, *(logged[key][scored] for key in QUALITY_KEYS)),
                          out / "quality.png", dpi=70)
        sweep = truncation_sweep(evaluator, *generators["mlp-bn"], TRUNCATIONS)
        plots.save_figure(plots.truncation_figure(sweep["truncation"], sweep["fid"], sweep["precision"], sweep["recall"],
                                                  title="mlp-bn: 10,000 samples at each truncation T"),
                          out / "truncation.png", dpi=70)
        fig, errors = gradient_checks_figure()
        plots.save_figure(fig, out / "gradient_checks.png", dpi=80)
        plots.save_figure(generator_gradients_figure(), out / "generator_gradients.png", dpi=80)
    summary = {name: {"epochs": r["epochs"], "minutes": round(r["minutes"], 1),
                      **{k: round(v, 4) for k, v in r["samples"].items()},
                      **({"conditional_accuracy": round(r["conditional"]["accuracy"], 4)} if "conditional" in r else {})}
               for name, r in figures.items()}
    print(json.dumps({"models": summary, "truncation": {k: [round(v, 4) for v in values] for k, values in sweep.items()},
                      "gradient_checks": {k: f"{v:.1e}" for k, v in errors.items()}}, indent=2))
    for path in sorted(out.iterdir()):
        print(f"{path.stat().st_size / 1000:8.1f} kB  {path.name}")


if __name__ == "__main__":
    main()
