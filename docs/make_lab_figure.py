"""Make ``docs/figures/lab_grid25.gif``: a vanilla GAN and a cure on the grid of 25 Gaussians, side by side.

    python docs/make_lab_figure.py --steps 20000 --seed 0 --vanilla "--loss ns" \
        --cure "--loss hinge --no-spectral-norm --lr 0.001 --beta1 0.5 --lr-decay 0.85 --ema 0.999 --pack 2 --d-steps 2" \
        --cure-name "the cure: hinge, lr decay, EMA, --pack 2 --d-steps 2"

Both runs are ``python -m npgan.lab`` runs (the recipes are its flags), logged every ``steps/frames`` steps;
each GIF frame shows the two at the same step, as ``npgan.lab.pictures`` draws them. Kept small for the
repository (under 500 KB): 3.2-inch panels at 75 dpi, 14 frames of 32 colours.
"""
import argparse
import shlex
from pathlib import Path

from threadpoolctl import threadpool_limits

from npgan.data import atomic_write
from npgan.lab import pictures, run
from npgan.lab.command import lab_config, make_parser


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="grid25")
    parser.add_argument("--steps", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--frames", type=int, default=12)
    parser.add_argument("--vanilla", default="--loss ns")
    parser.add_argument("--cure", required=True)
    parser.add_argument("--vanilla-name", default="vanilla GAN")
    parser.add_argument("--cure-name", default="cure")
    parser.add_argument("--out", default=str(Path(__file__).parent / "figures" / "lab_grid25.gif"))
    args = parser.parse_args()
    lab = make_parser()
    results = []
    with threadpool_limits(limits=1, user_api="blas"):
        for flags in (args.vanilla, args.cure):
            config = lab_config(lab.parse_args(["--data", args.data, "--steps", str(args.steps), "--seed",
                                                str(args.seed), *shlex.split(flags)]))
            results.append(run(config, log_every=args.steps // args.frames, frames=True))
            print(f"{flags}: {results[-1].score} ({results[-1].seconds:.1f} s)")
    with atomic_write(args.out) as f:
        pictures.write_frames_gif(results, f, titles=[f"{args.vanilla_name} ({args.vanilla})", args.cure_name],
                                  size=3.2, dpi=75, fps=3, colors=32, hold_last=3.0)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1000:.0f} KB)")


if __name__ == "__main__":
    main()
