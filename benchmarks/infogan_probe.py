"""Short InfoGAN probes (issue 18): does G use z, does the categorical code pick out the digits?

    python benchmarks/infogan_probe.py NAME --steps 1500 [--plain] [--set key=value ...] [--variant ...]

Trains ``--steps`` G steps of ``--model`` (mlp-bn by default) on MNIST through the Python API (one BLAS
thread expected), then measures on the raw G (evaluation mode) and on its weight average (what is saved):

- ``z_change`` / ``u_change`` / ``c_change``: mean |pixel change| (pixels in [-1, 1]) when z, the
  continuous codes or the category of 500 latent rows is redrawn and the rest kept;
- Q's reading of fresh fakes: its cross entropy on the category (log 10 = 2.30: chance), its accuracy,
  and the continuous codes' mean squared error (1/3: chance);
- code accuracy (the judge's labels vs the category, best one-to-one matching) and FID / recall of 2,000
  samples with the MLP judge (FID of 2,000 samples is higher than npgan.evaluate's 10,000).

Variants (``--variant``, in this file only): ``g-info-scale=S`` (G's information term times S, D's
unchanged), ``d-bn`` (batch norm after D's second Dense layer, as in the paper's D; mlp-bn's InfoGAN has it
since), ``q-hidden=H`` (Q reads D's body through its own hidden layer of H units), ``z-scale=S`` (z drawn
from Uniform(-S, S)), ``z-read=B`` (Q also estimates z / S, weight B on half its squared error, as
ClusterGAN's encoder), ``info-warmup=S`` (the information term's weight grows from 0 over S steps),
``real-entropy=W`` (the D step adds W (mean H(Q(x)) - H(mean Q(x))) on real images: Q's category of each
real image confident, the categories balanced over the batch, as CatGAN asks of its classifier),
``c-init=S`` (G's first-layer weights of the category S times larger), ``z-smooth=W`` (G's step adds W times
how much more than the batch's average a row's image jumps when z moves by 0.1: :func:`smooth_z`),
``q-aug=W`` / ``q-aug-affine=W`` (the information term, weight W, is read by D from a randomly
re-stroked, slanted and shifted copy of each fake, ``-affine`` also rotated and scaled; the fakes themselves
carry the GAN term only: :func:`augmented_reading`).
One JSON line per probe goes to ``--out`` (appended); ``--measure-every N`` adds the raw G's figures every
N steps (not counted in the CPU time). The raw G and the average are saved as generator files
``<out without .jsonl>/<name>-G.npz`` and ``-avg.npz``, which npgan.evaluate and npgan.sample read.
Results and conclusions: docs/infogan_probe.md.
"""
import argparse
import json
import sys
import time

from pathlib import Path

import numpy as np

from npgan.augment import augment
from npgan.checkpoints import generator_arrays
from npgan.data import load_mnist
from npgan.evaluate import Evaluator, code_accuracy
from npgan.gan import GAN, GANConfig, sample_z, to_unit_range
from npgan.info import HeadObjective, InfoGAN, info_loss, latent_rows
from npgan.layers import Layer, Sequential
from npgan.norm import BatchNorm


def parse_value(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def apply_variants(gan, variants):
    for variant in variants:
        name, _, value = variant.partition("=")
        if name == "g-info-scale":
            scale = float(value)
            objective = gan.objective

            def g(x, objective=objective, scale=scale):
                loss, grad = objective.base.g(x[:, :1])
                weight = objective.weight
                objective.weight = weight * scale
                try:
                    return objective._plus_head(loss, grad, x, slice(None))
                finally:
                    objective.weight = weight
            objective.g = g
        elif name == "z-scale":  # z drawn from Uniform(-S, S): the codes weigh more (as ClusterGAN's small z)
            scale, draw = float(value), gan.sample_latent
            gan.z_scale = scale

            def sample_latent(rng, n, draw=draw, scale=scale):
                latent = draw(rng, n)
                latent[:, :gan.config.z_size] *= scale
                return latent
            gan.sample_latent = sample_latent
        elif name == "c-init":  # G's first-layer weights of the category S times larger: c dominates at first
            first = gan.G.layers[0].params["W"]
            z_size, K = gan.config.z_size, gan.config.info_categories
            first[z_size:z_size + K] *= float(value)
        elif name == "z-smooth":  # G's jumps along z penalised: a digit switch must come from the category
            smooth_z(gan, float(value))
        elif name in ("q-aug", "q-aug-affine"):  # Q reads the codes from a re-stroked, slanted, shifted
            augmented_reading(gan, float(value), affine=name == "q-aug-affine")  # (rotated, scaled) copy
        elif name == "z-read":  # Q also reads z back (weight B on half its squared error), as ClusterGAN's encoder
            read_z(gan, float(value))
        elif name == "info-warmup":  # the information term's weight grows linearly from 0 over S steps
            steps, step_fn, weight = int(value), gan.train_step, gan.objective.weight

            def train_step(real, latent, labels=None, count=[0]):
                gan.objective.weight = weight * min(1.0, count[0] / steps)
                count[0] += 1
                return step_fn(real, latent, labels)
            gan.train_step = train_step
        elif name == "real-entropy":  # Q on real images: confident per image, balanced over the batch (CatGAN)
            real_entropy(gan, float(value))
        elif name in ("d-bn", "q-hidden"):
            pass  # built below
        else:
            raise SystemExit(f"unknown variant {variant}")
    return gan


def real_entropy(gan, weight):
    """D step: add weight * (mean_n H(p_n) - H(mean_n p_n)) for Q's categories p_n of the real images."""
    objective, K = gan.objective, gan.config.codes[0]
    d_real = objective.d_real

    def new_d_real(x, smooth=0.0):
        loss, grad = d_real(x, smooth)
        q = x[:, 1:1 + K].astype(np.float64)
        n = len(q)
        q = q - q.max(axis=1, keepdims=True)
        logp = q - np.log(np.exp(q).sum(axis=1, keepdims=True))
        p = np.exp(logp)
        h = -(p * logp).sum(axis=1, keepdims=True)
        mean_p = p.mean(axis=0)
        g = -np.log(mean_p) / n
        dq = -(p * (logp + h)) / n - p * (g - (p * g).sum(axis=1, keepdims=True))
        grad[:, 1:1 + K] += (weight * dq).astype(grad.dtype)
        value = float(h.mean() + (mean_p * np.log(mean_p)).sum())
        return loss + weight * value, grad
    objective.d_real = new_d_real


def smooth_z(gan, weight, sigma=0.1):
    """G step adds ``weight * mean relu(s_n - mean s)``, s_n = |G(z + sigma e, c, u) - G(z, c, u)|^2 / sigma^2:
    the rows whose image jumps more than the batch's average when z moves a little are pulled back (the
    unperturbed image held fixed). A plain GAN switches digits along z; here that is what costs."""
    fakes, rng, z_size = gan.fakes, np.random.default_rng([gan.config.seed, 77]), gan.config.z_size

    def new_fakes(latent, labels=None):
        gan.last_latent = latent
        return fakes(latent, labels)

    def g_step(fake, labels=None):
        loss, d_out = gan.objective.g(gan.D.forward(fake))
        d_fake = gan.D.backward(d_out, param_grads=False)
        gan.G.zero_grad()
        gan.G.backward(d_fake[:, :fake.shape[1]], input_grad=False)
        moved = gan.last_latent.copy()
        moved[:, :z_size] += sigma * rng.standard_normal((len(moved), z_size), dtype=moved.dtype)
        delta = gan.G.forward(moved) - fake
        jump = np.sum(delta * delta, axis=1) / sigma ** 2
        gan.last_jump = float(jump.mean())
        delta *= (2 * weight / (len(delta) * sigma ** 2)) * (jump > jump.mean())[:, None]
        gan.G.backward(delta, input_grad=False)
        gan.g_opt.step()
        return loss
    gan.fakes, gan.g_step = new_fakes, g_step


def augmented_reading(gan, weight, affine=False):
    """The information term read from augmented fakes (:func:`augment`) in the D step's pass (InfoGAN's
    hooks, ``more_d_rows``), weight ``weight``; the fakes themselves carry the GAN term only. A code G writes
    into stroke width, slant or position cannot be read back: what survives those is what the digit is.
    Unlike ``--info-augment`` (which replaces it), every fake is read, and the G step reads them again
    through the updated D, in a second pass."""
    rng = np.random.default_rng([gan.config.seed, 88])
    gan.objective.reads_fakes = False  # Q reads the augmented copies only (InfoGAN's more_rows_gradient) ...
    gan.objective.weight = weight      # ... at this weight

    def more_d_rows(fake):
        gan.read_fake = fake  # the G step reads these fakes again
        return augment(fake, rng, affine)[0]

    def more_g_gradients(d_fake):
        x, back = augment(gan.read_fake, rng, affine)
        d_fake += back(gan.D.backward(gan.more_rows_gradient(gan.D.forward(x)), param_grads=False))
    gan.more_d_rows, gan.more_g_gradients = more_d_rows, more_g_gradients
    gan.more_rows_input_gradient = lambda dx: None  # the G step reads the fakes again instead


def read_z(gan, weight):
    """Widen Q by z_size columns that estimate z / scale; add weight/2 |estimate - z/scale|^2 to L_I."""
    from npgan.layers import Dense
    z_size, objective = gan.config.z_size, gan.objective
    last = gan.D.layers[-1]
    W, b = last.params["W"], last.params["b"]
    head = Dense(W.shape[0], W.shape[1] + z_size, rng=np.random.default_rng([gan.config.seed, 7]), dtype=W.dtype)
    head.params["W"][:, :W.shape[1]] = W
    head.params["b"][:W.shape[1]] = b
    gan.D = Sequential(*gan.D.layers[:-1], head)
    GAN.__init__(gan, gan.config, networks=(gan.G, gan.D))
    gan.objective = objective
    width = W.shape[1]
    fakes = gan.fakes

    def new_fakes(latent, labels=None):
        objective.z = latent[:, :z_size] / getattr(gan, "z_scale", 1.0)
        return fakes(latent, labels)
    gan.fakes = new_fakes

    def plus_head(loss, grad, x, rows):
        loss, full = HeadObjective._plus_head(objective, loss, grad, x[:, :width], rows)
        out = np.zeros_like(x)
        out[:, :width] = full
        if len(x[rows]) == 0:  # real images: no z to read back
            return loss, out
        diff = (x[:, width:] - objective.z) / len(x)
        out[:, width:] = weight * objective.weight * diff
        return loss + 0.5 * weight * objective.weight * float(np.sum(diff * diff)) * len(x), out
    objective._plus_head = plus_head
    gan.q_width = width


def make_gan(config, variants):
    names = {v.partition("=")[0]: v.partition("=")[2] for v in variants}
    cls = InfoGAN if config.info else GAN
    gan = cls(config)
    if "d-bn" in names or "q-hidden" in names:
        layers = list(gan.D.layers)
        if "d-bn" in names and not isinstance(layers[3], BatchNorm):  # (mlp-bn's InfoGAN D has it already)
            layers = layers[:3] + [BatchNorm(256)] + layers[3:]
        if "q-hidden" in names:
            layers[-1] = QHead(layers[-1], int(names["q-hidden"]), np.random.default_rng([config.seed, 9]))
        D = Sequential(*layers)
        objective = gan.objective
        GAN.__init__(gan, config, networks=(gan.G, D))
        gan.objective = objective
    return apply_variants(gan, variants)


class QHead(Layer):
    """D's last layer, [GAN logit | Q], where Q = Dense H -> LeakyReLU 0.2 -> Dense K + C of D's body."""

    def __init__(self, last, hidden, rng):
        super().__init__()
        W = last.params["W"]
        n_in, n_out = W.shape
        self.params["W"], self.params["b"] = W[:, :1].copy(), last.params["b"][:1].copy()
        self.params["W1"] = (rng.uniform(-1, 1, (n_in, hidden)) / np.sqrt(n_in)).astype(W.dtype)
        self.params["b1"] = np.zeros(hidden, W.dtype)
        self.params["W2"] = (rng.uniform(-1, 1, (hidden, n_out - 1)) / np.sqrt(hidden)).astype(W.dtype)
        self.params["b2"] = np.zeros(n_out - 1, W.dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        self.x = x
        self.a = x @ self.params["W1"] + self.params["b1"]
        self.h = np.where(self.a > 0, self.a, 0.2 * self.a)
        return np.concatenate([x @ self.params["W"] + self.params["b"],
                               self.h @ self.params["W2"] + self.params["b2"]], axis=1)

    def backward(self, dy, *, input_grad=True, param_grads=True):
        d0, dq = dy[:, :1], dy[:, 1:]
        dh = dq @ self.params["W2"].T
        da = np.where(self.a > 0, dh, 0.2 * dh)
        if param_grads:
            self.grads["W"] += self.x.T @ d0
            self.grads["b"] += d0.sum(axis=0)
            self.grads["W2"] += self.h.T @ dq
            self.grads["b2"] += dq.sum(axis=0)
            self.grads["W1"] += self.x.T @ da
            self.grads["b1"] += da.sum(axis=0)
        if input_grad:
            return d0 @ self.params["W"].T + da @ self.params["W1"].T
        return None


def pixel_change(G, latent, column_slice, rng, kind, scale=1.0):
    """Mean |G(latent) - G(latent with the columns redrawn)| over pixels and rows (G in eval mode)."""
    other = latent.copy()
    lo, hi = column_slice
    if kind == "uniform":
        other[:, lo:hi] = sample_z(rng, len(latent), hi - lo) * scale
    else:  # a one-hot category: shift it by 1..K-1
        k = hi - lo
        c = latent[:, lo:hi].argmax(axis=1)
        other[:, lo:hi] = np.eye(k, dtype=latent.dtype)[(c + rng.integers(1, k, len(c))) % k]
    return float(np.mean(np.abs(G.forward(latent) - G.forward(other))))


def measure(gan, evaluator, seed=123, average=True):
    config = gan.config
    z_size = config.z_size
    K, C = config.codes
    rng = np.random.default_rng(seed)
    latent = gan.sample_latent(rng, 500)
    out = {}
    gan.refresh_average()
    nets = {"G": gan.G} if gan.G_avg is None or not average else {"G": gan.G, "avg": gan.G_avg}
    for name, G in nets.items():
        G.eval()
        try:
            res = {"z_change": pixel_change(G, latent, (0, z_size), rng, "uniform", getattr(gan, "z_scale", 1.0))}
            if K:
                res["c_change"] = pixel_change(G, latent, (z_size, z_size + K), rng, "onehot")
                res["u_change"] = pixel_change(G, latent, (z_size + K, z_size + K + C), rng, "uniform")
                fakes = G.forward(latent)
                q = gan.D.forward(fakes)[:, 1:getattr(gan, "q_width", None)]
                codes = latent[:, z_size:]
                res["q_ce"] = info_loss(q, np.concatenate([codes[:, :K], 0 * codes[:, K:]], 1), K, 0.0)[0]
                res["q_acc"] = float(np.mean(q[:, :K].argmax(1) == codes[:, :K].argmax(1)))
                res["q_mse"] = float(np.mean((q[:, K:] - codes[:, K:]) ** 2))
            n = 2000
            srng = np.random.default_rng(seed + 1)
            z = sample_z(srng, n, z_size) * getattr(gan, "z_scale", 1.0)
            if K:
                cats = np.arange(n) % K
                z = latent_rows(z, cats, sample_z(srng, n, C), K)
            samples = G.forward(z)
            features, probs = evaluator.classify(samples)
            figures = evaluator.figures(features, probs)
            res.update(fid=figures["fid"], recall=figures["recall"], precision=figures["precision"])
            if K:
                res["code_acc"] = code_accuracy(probs.argmax(1), cats, K, 10)[0]
        finally:
            if G is gan.G:
                G.train()
        out[name] = res
    return out


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("--model", default="mlp-bn")
    parser.add_argument("--plain", action="store_true", help="no codes")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--set", nargs="*", default=[], help="GANConfig fields, key=value")
    parser.add_argument("--variant", nargs="*", default=[])
    parser.add_argument("--out", default="/tmp/infogan_probe.jsonl")
    parser.add_argument("--measure-every", type=int, default=0, help="also measure the raw G every this many steps")
    args = parser.parse_args(argv)
    overrides = {k: parse_value(v) for k, v in (s.split("=", 1) for s in args.set)}
    config = GANConfig.for_model(args.model, info=not args.plain, **overrides)
    images, _ = load_mnist("train", "/work/data", download=False)
    gan = make_gan(config, args.variant)
    rng = np.random.default_rng([config.seed, 1])
    n = config.batch_size
    order = rng.permutation(len(images))
    started, info_losses, d_losses, g_losses = time.process_time(), [], [], []
    evaluator, along = None, []
    for step in range(args.steps):
        k = step % (len(images) // n)
        if k == 0 and step:
            order = rng.permutation(len(images))
        real = to_unit_range(images[order[k * n:(k + 1) * n]])
        d_loss, g_loss = gan.train_step(real, gan.sample_latent(rng, n))
        d_losses.append(d_loss)
        g_losses.append(g_loss)
        if config.info:
            info_losses.append(gan.objective.last_info_loss)
        if (step + 1) % 500 == 0:
            print(f"{args.name} step {step + 1}: d {np.mean(d_losses[-500:]):.3f} g {np.mean(g_losses[-500:]):.3f}"
                  + (f" jump {gan.last_jump:.1f}" if hasattr(gan, "last_jump") else "")
                  + (f" L_I {np.mean(info_losses[-500:]):.3f}" if info_losses else ""), flush=True)
        if args.measure_every and (step + 1) % args.measure_every == 0 and step + 1 < args.steps:
            paused = time.process_time()
            evaluator = evaluator or Evaluator("mnist", "/work/data", judge="mlp", download=False, log=None)
            along.append({"step": step + 1, **measure(gan, evaluator, average=False)["G"]})
            print(json.dumps(along[-1]), flush=True)
            started += time.process_time() - paused  # the CPU time counts training only
    cpu = time.process_time() - started
    evaluator = evaluator or Evaluator("mnist", "/work/data", judge="mlp", download=False, log=None)
    result = {"name": args.name, "model": args.model, "info": config.info, "steps": args.steps,
              "epochs": round(args.steps * n / 60000, 2), "set": overrides, "variant": args.variant,
              "cpu_s": round(cpu, 1), "d_loss": float(np.mean(d_losses[-200:])),
              "g_loss": float(np.mean(g_losses[-200:])),
              "info_loss": float(np.mean(info_losses[-200:])) if info_losses else None,
              **measure(gan, evaluator), "along": along}
    line = json.dumps(result)
    print(line)
    with open(args.out, "a") as f:
        f.write(line + "\n")
    save_dir = Path(args.out).with_suffix("")  # the raw G and the average, for npgan.evaluate / npgan.sample
    save_dir.mkdir(parents=True, exist_ok=True)
    for tag, G in (("G", gan.G), ("avg", gan.sampler)):
        np.savez(save_dir / f"{args.name}-{tag}.npz", **generator_arrays(
            G, config.z_size, 0, config.codes, model=config.model, epoch=result["epochs"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
