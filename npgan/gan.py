"""A GAN composed from npgan's layers, loss and optimizer: two networks and one training step.

For the tutorial's model (see :mod:`npgan.models` for the others):

    G: z (z_size, Uniform(-1, 1)) -> Dense g_hidden -> LeakyReLU -> Dense 784 -> tanh   (an image in [-1, 1])
    D: image (784)                -> Dense d_hidden -> LeakyReLU -> Dense 1             (a logit: real or fake?)

One training step, on a batch of real images and one batch of noise ``z``:

1. D step: D sees real images (target 1 - smooth, label smoothing) and G's fakes (target 0);
   ``d_loss = BCE(D(real), 1 - smooth) + BCE(D(G(z)), 0)``, and only D's weights move.
2. G step: G wants D to call its fakes real; ``g_loss = BCE(D(G(z)), 1)``. The gradient flows back
   *through* D (whose weights stay put) into G, and only G's weights move.

``config.loss`` swaps the BCE pair for another objective of :mod:`npgan.losses` (least squares, hinge,
Wasserstein, the original minimax): the step is the same, only the losses and their gradients change.
A Wasserstein critic must be kept Lipschitz, in one of three ways, each a config switch of the D step:
``clip`` (every D parameter clipped after each D step, WGAN), ``penalty`` (WGAN-GP's or R1's penalty on
D's input gradient, :mod:`npgan.penalties`, added to D's gradients) and ``spectral_norm`` (every weight of
D divided by its largest singular value, :mod:`npgan.spectral`). ``d_steps`` D steps precede each G step
(WGAN's n_critic), each on its own real batch and its own z (see :meth:`GAN.train_step`).

Work the step does not need is skipped: D's input gradient in the D step, D's weight gradients in the
G step, G's gradient with respect to z, and a second forward pass of G (G has not changed between the two
steps, so its forward pass from step 1 serves step 2).

A conditional GAN (Mirza & Osindero, 2014) is the same step with the label shown to both networks: the
one-hot label is appended to z and to every image D sees, real or fake; the labels get no gradient. Alone,
that leaves D free to ignore the label (it can tell real from fake without it), and G learns to obey it
only slowly: the tutorial's networks drew the asked-for digit 80% of the time after 100 epochs. So D is
also shown real images with a *wrong* label, to be called fake (the "matching-aware" discriminator of
Reed et al., 2016): ``mismatch`` is the share of D's negative examples that are such pairs, taking the
place of fakes so the step costs no more. With half, 97% of the digits are right after 100 epochs (and
FID 19 instead of 32; both by ``npgan.evaluate``'s MLP judge, at the tutorial's constant learning rate).
The stricter CNN judge still saw only 77.5% of the asked-for 9s, speckled late in the run: the conditional
tutorial therefore decays its learning rates by default (``lr_decay`` 0.97, :attr:`npgan.models.Model.
conditional`), which lifts them to 92.2% and all digits from 90.5% to 95.8% (seed 0; the worst, the 8s,
86.4%) at no cost per step.
"""
import contextlib
from dataclasses import dataclass

import numpy as np

from .losses import objective
from .models import CLASSES, build, build_pair, describe, model_spec
from .norm import BatchNorm
from .optim import EMA, OPTIMIZERS, Adam, RMSprop
from .penalties import (check_critic, first_layer_outputs, input_gradient_penalty, random_interpolates,
                        wgan_gp_penalty)
from .recipes import PENALTIES
from .spectral import spectral_layers, spectral_norm


@dataclass
class GANConfig:
    """A model and its training hyperparameters; the defaults are the tutorial's.

    :meth:`for_model` starts from a named model's own defaults instead. ``g_hidden``/``d_hidden`` concern
    only the tutorial's model; ``ema`` > 0 keeps an exponential moving average of G's weights (the
    generator that is saved and sampled), with that decay per step.
    """

    model: str = "tutorial"
    conditional: bool = False
    loss: str = "ns"     # the objective (npgan.losses.OBJECTIVES): D's and G's losses
    z_size: int = 100
    g_hidden: int = 128
    d_hidden: int = 128
    width: int = 32      # dcgan: channels of D's first convolution (and of G's last hidden layer)
    alpha: float = 0.01  # LeakyReLU slope for x < 0
    smooth: float = 0.1  # label smoothing: real images get the target 1 - smooth
    penalty: str = "none"  # "gp": WGAN-GP's on interpolates of real and fake; "r1": R1's on real images
    penalty_weight: float = 10.0  # WGAN-GP's lambda; R1's gamma (the step adds gamma/2 times R1's penalty)
    penalty_every: int = 1  # the penalty on every k-th D step only, k times heavier (StyleGAN2's lazy R1)
    clip: float = 0.0    # WGAN: every D parameter clipped to [-clip, clip] after each D step (0: off)
    spectral_norm: bool = False  # every weight of D divided by its largest singular value
    optimizer: str = "adam"  # or "rmsprop" (npgan.optim.OPTIMIZERS), for both networks
    lr: float = 0.002
    d_lr: float = None   # D's learning rate (None: lr); two time scales when it differs from G's
    g_lr: float = None   # G's learning rate (None: lr)
    lr_decay: float = 1.0  # the learning rate of epoch e (from 0) is lr * lr_decay**e
    beta1: float = 0.9
    beta2: float = 0.999  # Adam's decay of its mean of squared gradients
    d_steps: int = 1     # D steps per G step (WGAN's n_critic), each on its own real batch
    batch_size: int = 100
    epochs: int = 100
    ema: float = 0.0
    mismatch: float = 0.5  # conditional only: share of D's negatives that are real images with a wrong label
    aux_weight: float = 0.0  # conditional only: AC-GAN, D's head also classifies the digit (npgan.info); 0: off
    info: bool = False     # InfoGAN (npgan.info): codes appended to z, which D's head Q must read back
    info_categories: int = 10  # --info: size of the categorical code (one-hot)
    info_continuous: int = 2   # --info: number of continuous codes, Uniform(-1, 1)
    info_weight: float = 1.0   # --info: weight of the mutual-information term
    info_continuous_weight: float = 1.0  # --info: weight of the continuous codes' term inside it
    info_augment: float = 0.0  # --info: share of the fakes Q reads through random augmentations; 0: all, as they are
    seed: int = 0

    @classmethod
    def for_model(cls, model="tutorial", **overrides):
        """The config of ``model`` for a run given ``overrides``: :meth:`npgan.models.Model.settings` (the
        model's defaults, its own objective, its conditional or InfoGAN settings, the recipe of the loss and
        penalty that makes, the overrides)."""
        return cls(**{**model_spec(model).settings(overrides), "model": model})

    @property
    def classes(self):
        """Number of label classes the networks are conditioned on (0: unconditional)."""
        return CLASSES if self.conditional else 0

    @property
    def codes(self):
        """``(categorical, continuous)``: InfoGAN's code sizes, appended to z; ``(0, 0)`` without ``info``."""
        return (self.info_categories, self.info_continuous) if self.info else (0, 0)

    @property
    def learning_rates(self):
        """``(g_lr, d_lr)``, each ``lr`` unless set."""
        return (self.lr if self.g_lr is None else self.g_lr), (self.lr if self.d_lr is None else self.d_lr)

    @property
    def critic_batch_norm(self):
        """Whether a model's D may hold batch norm: not when D is a Lipschitz-constrained critic (the
        Wasserstein loss, a penalty, clipping or spectral norm). Batch norm divides by the batch's standard
        deviation, a factor no weight constraint bounds, and it mixes the examples of a batch, while a
        gradient penalty is per example (WGAN-GP's critic has none)."""
        return not (self.loss == "wgan" or self.penalty != "none" or self.clip or self.spectral_norm)


def _check_config(config):
    """``ValueError`` for settings no command line lets through (a config built in code); the loss is
    checked by :func:`npgan.losses.objective`."""
    checks = ((config.penalty in PENALTIES, f"penalty {config.penalty!r} (known: {', '.join(PENALTIES)})"),
              (config.optimizer in OPTIMIZERS, f"optimizer {config.optimizer!r} (known: {', '.join(OPTIMIZERS)})"),
              (config.d_steps >= 1, f"d_steps {config.d_steps} (need at least 1)"),
              (config.penalty_weight >= 0, f"penalty_weight {config.penalty_weight} (need >= 0)"),
              (config.penalty_every >= 1, f"penalty_every {config.penalty_every} (need at least 1)"),
              (config.clip >= 0, f"clip {config.clip} (need >= 0)"),
              (config.aux_weight >= 0, f"aux_weight {config.aux_weight} (need >= 0)"))
    problems = [message for ok, message in checks if not ok]
    if problems:
        raise ValueError("bad GAN settings: " + "; ".join(problems))


def first_mismatched(n, mismatch):
    """Of D's ``n`` negatives in :meth:`GAN.d_batch`, the index of the first real image with a wrong label:
    the fakes come first, the last ``mismatch`` share are mismatched."""
    return round(n * (1 - mismatch))


def sample_z(rng, n, z_size, dtype=np.float32):
    """Latent vectors, Uniform(-1, 1) as in the tutorial: shape (n, z_size), drawn directly in ``dtype``."""
    z = rng.random((n, z_size), dtype=dtype)  # [0, 1)
    z *= 2
    z -= 1
    return z


def to_unit_range(images_u8, dtype=np.float32):
    """uint8 pixels (N, 28, 28) or (N, 784) in [0, 255] -> rows (N, 784) in [-1, 1], tanh's range."""
    x = np.multiply(images_u8.reshape(len(images_u8), -1), 2 / 255, dtype=dtype)
    x -= 1
    return x


def one_hot(labels, classes, dtype=np.float32):
    """Integer labels (N,) in 0..classes-1 -> rows (N, classes) with a single 1."""
    rows = np.zeros((len(labels), classes), dtype=dtype)
    _set_ones(rows, labels)
    return rows


def labels_in_turn(n, classes):
    """Labels 0, 1, ..., classes - 1, 0, 1, ... for ``n`` rows (equally many of each class, up to one);
    None for an unconditional model (``classes`` 0)."""
    return np.arange(n) % classes if classes else None


def with_labels(x, labels, classes):
    """Rows ``x`` (N, D) with the one-hot ``labels`` (N,) appended: (N, D + classes). ``x`` itself when
    ``classes`` is 0 (an unconditional model), where ``labels`` must be None."""
    if not classes:
        if labels is not None:
            raise ValueError("labels given to an unconditional model")
        return x
    if labels is None or len(labels) != len(x):
        raise ValueError(f"a conditional model needs one label in 0..{classes - 1} per row")
    joined = np.empty((len(x), x.shape[1] + classes), dtype=x.dtype)  # written once: no concatenate
    joined[:, :x.shape[1]] = x
    joined[:, x.shape[1]:] = 0
    _set_ones(joined[:, x.shape[1]:], labels)
    return joined


def _set_ones(rows, labels):
    """Put a 1 in column ``labels[i]`` of each row ``i`` of ``rows`` (zeros, or a view of them); a label
    that is no column is a ``ValueError``. (Indexing itself finds labels too large; only negative ones,
    which would count from the end, need a look: none for MNIST's unsigned labels.)"""
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu" or (labels.dtype.kind == "i" and labels.size and labels.min() < 0):
        raise ValueError(f"labels must be integers 0..{rows.shape[1] - 1}, one per row")
    try:
        rows[np.arange(len(labels)), labels] = 1
    except IndexError:
        raise ValueError(f"labels must be integers 0..{rows.shape[1] - 1}, one per row") from None


@contextlib.contextmanager
def buffers_kept(*nets):
    """Run a block without changing the nets' buffers (batch norm's running statistics)."""
    saved = [{key: value.copy() for key, value in net.buffers.items()} for net in nets]
    try:
        yield
    finally:
        for net, buffers in zip(nets, saved):
            for key, value in buffers.items():
                net.buffers[key][...] = value


class GAN:
    """Generator, discriminator and their two Adam optimizers, with one ``train_step``.

    ``G_avg``: with ``config.ema``, the moving average of G's weights (else None); it is what
    :meth:`generate` samples from.

    ``networks=(G, D)`` trains networks of one's own instead of ``config.model``'s (the 2-D lab does): any
    G mapping rows ``(N, z_size [+ classes])`` to data rows ``(N, D_data)`` and D mapping data rows
    ``(N, D_data [+ classes])`` to one output per row.
    """

    def __init__(self, config=None, *, networks=None, dtype=np.float32):
        self.config = config = config or GANConfig()
        _check_config(config)
        self.objective = objective(config.loss)
        self.G, self.D = networks if networks is not None else build_pair(config, config.seed, dtype)
        if config.spectral_norm:
            self.D = spectral_norm(self.D, np.random.default_rng([config.seed, 6]))
        self.spectral = spectral_layers(self.D)
        if config.penalty != "none":
            check_critic(self.D)  # a ValueError naming a layer without the second-order pass (batch norm)
        g_lr, d_lr = config.learning_rates
        self.g_opt, self.d_opt = self._optimizer(self.G, g_lr), self._optimizer(self.D, d_lr)
        self.penalty_rng = np.random.default_rng([config.seed, 5])  # WGAN-GP's interpolation weights
        self.G_avg, self.ema = None, None
        if config.ema:
            self.G_avg = build(describe(self.G), dtype=dtype).eval()
            self.ema = EMA(self.G, self.G_avg, config.ema)

    @property
    def separate_batches(self):
        """Whether D has batch norm, which normalises over the batch: a batch mixing real and fake images
        would tell D which is which from the statistics alone, so the D step has it normalise them apart
        (``groups``), as separate batches."""
        return any(isinstance(layer, BatchNorm) for layer in self.D.layers)

    def _optimizer(self, net, lr):
        if self.config.optimizer == "rmsprop":
            return RMSprop(net, lr=lr)
        return Adam(net, lr=lr, beta1=self.config.beta1, beta2=self.config.beta2)

    def sample_latent(self, rng, n):
        """G's latent input for ``n`` fakes: z ~ Uniform(-1, 1), (n, z_size). An InfoGAN appends its codes."""
        return sample_z(rng, n, self.config.z_size)

    def fakes(self, z, labels=None):
        """G's images (N, 784) of latent rows ``z`` (and ``labels``), in training mode: the step's fakes."""
        return self.G.forward(with_labels(z, labels, self.config.classes))

    def start_epoch(self, epoch):
        """Set both learning rates for ``epoch`` (0, 1, ...): ``lr * lr_decay**epoch``. Late in a run,
        smaller steps let G settle instead of circling (derived from the epoch: a resumed run agrees)."""
        for opt, lr in zip((self.g_opt, self.d_opt), self.config.learning_rates):
            opt.lr = lr * self.config.lr_decay ** epoch

    def train_step(self, real, z, labels=None):
        """``d_steps`` D steps, then one G step.

        ``real`` (K n, 784) in [-1, 1] and ``z`` (K n, z_size) hold ``K = config.d_steps`` batches of n rows,
        one for each D step (as WGAN samples a new real batch for every critic step); ``labels`` (K n,) for
        a conditional model (the fakes are asked for the same labels as the real batch has). The G step
        reuses the last D step's fakes: G has not changed since it made them. With K = 1, the tutorial's step.
        ``z`` may hold m times as many rows as ``real`` when G packs m samples into each row it outputs, as
        the lab's PacGAN generator does (``npgan.layers.Pack``): each D step takes 1/K of the rows of each.

        Returns ``(d_loss, g_loss)`` as computed inside the step (each before its network's update; d_loss
        the mean over the D steps, without the penalty: the objective's own value).
        """
        steps = self.config.d_steps
        n, n_z = len(real) // steps, len(z) // steps
        if len(real) != steps * n or len(z) != steps * n_z or (labels is not None and n_z != n):
            raise ValueError(f"train_step takes d_steps={steps} batches of real images and of z, "
                             f"got {len(real)} and {len(z)} rows")
        d_loss = 0.0
        for k in range(steps):
            rows = slice(k * n, (k + 1) * n)
            y = None if labels is None else labels[rows]
            fake = self.fakes(z[k * n_z:(k + 1) * n_z], y)
            d_loss += self.d_step(real[rows], fake, y)
        g_loss = self.g_step(fake, y)  # G has not changed since it made ``fake``: no second forward pass
        if self.ema:
            self.ema.update()
        return d_loss / steps, g_loss

    def d_step(self, real, fake, labels=None):
        """Update D on ``real`` (target 1 - smooth) and ``fake`` (target 0) images; returns d_loss.

        A conditional model's negatives also hold real images with wrong labels (see :meth:`d_batch`).
        An InfoGAN's D also reads augmented copies of fakes (:meth:`more_d_rows`). All in one pass of D, one
        larger product per layer; batch norm normalises each of those groups of rows as a batch of its own.
        The Lipschitz constraints act here: spectral norm's power iteration before the step, the penalty's
        gradient added to the loss's, the clipping after the update."""
        more, n = self.more_d_rows(fake), len(real)
        batch = self.d_batch(real, fake, labels, more)
        groups = (n, n) if more is None else (n, n, len(more))
        for layer in self.spectral:
            layer.power_iteration()
        self.D.zero_grad()
        out = self.D.forward(batch, groups=groups)
        loss, (d_real, d_fake) = self.objective.d_loss(out[:n], out[n:2 * n], self.config.smooth)
        if more is None:
            self.D.backward(np.concatenate([d_real, d_fake]), input_grad=False)  # D's input needs no gradient
        else:
            d_out = np.concatenate([d_real, d_fake, self.more_rows_gradient(out[2 * n:])])
            self.more_rows_input_gradient(self.D.backward(d_out, input_grad=slice(2 * n, None)))
        if self.config.penalty != "none" and self.d_opt.t % self.config.penalty_every == 0:
            self.add_penalty(real, fake, labels)
        self.d_opt.step()
        if self.config.clip:
            np.clip(self.D.flat_params, -self.config.clip, self.config.clip, out=self.D.flat_params)
        return loss

    def more_d_rows(self, fake):
        """Rows D also judges in the D step, after the real images and the negatives: none here (None).
        InfoGAN's: augmented copies of fakes, for Q to read (:meth:`npgan.info.InfoGAN.more_d_rows`)."""

    def more_rows_gradient(self, out):
        """The loss's gradient with respect to D's outputs ``out`` on :meth:`more_d_rows`'s rows."""
        raise NotImplementedError("a GAN that adds rows to the D step says what they ask of D")

    def more_rows_input_gradient(self, dx):
        """What to do with the loss's gradient ``dx`` with respect to :meth:`more_d_rows`'s rows: nothing here."""

    def more_g_gradients(self, d_fake):
        """Add more to the gradient ``d_fake`` of the fakes in G's step, beside the objective's: nothing
        here; InfoGAN's reading of augmented fakes (:meth:`npgan.info.InfoGAN.more_g_gradients`)."""

    def rngs(self):
        """``{name: np.random.Generator}`` the steps draw from, which a checkpoint saves."""
        return {"penalty_rng": self.penalty_rng}

    def add_penalty(self, real, fake, labels=None):
        """Add the penalty's gradient, times its weight, into D's gradients; returns the penalty (unweighted).

        ``"gp"``: ``lambda * mean (||grad D(x_hat)|| - 1)^2`` at ``x_hat``, a random point between each real
        image and a fake of the same label (WGAN-GP). ``"r1"``: ``gamma/2 * mean ||grad D(x)||^2`` at the real
        images (R1): the caller's weights, as :func:`npgan.penalties.input_gradient_penalty` leaves them to it.

        Called by :meth:`d_step` after D's pass over ``[real; fake]``: an unconditional WGAN-GP mixes the
        interpolates' first layer from that layer's outputs, as the pass left them
        (:func:`npgan.penalties.first_layer_outputs`), instead of running it
        (:func:`npgan.penalties.wgan_gp_penalty`: the same numbers to rounding, and the same draw from
        ``penalty_rng``); a conditional D step's batch holds other negatives, so they are not used there.

        Lazy (``penalty_every = k > 1``, Karras et al. 2020): :meth:`d_step` calls this on every k-th D step
        only, and the weight is k times larger, so that over k steps D feels the same penalty in all at a
        k-th of its cost. D's input gradient changes slowly, so a penalty k steps old is still on target.
        """
        config = self.config
        weight = config.penalty_weight * config.penalty_every
        if config.penalty == "gp" and not config.classes:
            return wgan_gp_penalty(self.D, real, fake, self.penalty_rng, weight=weight,
                                   first_outputs=first_layer_outputs(self.D))
        if config.penalty == "gp":
            x, center = with_labels(random_interpolates(real, fake, self.penalty_rng), labels, config.classes), 1.0
        else:
            x, center, weight = with_labels(real, labels, config.classes), 0.0, weight / 2
        return input_gradient_penalty(self.D, x, center, classes=config.classes, weight=weight)

    def d_batch(self, real, fake, labels=None, more=None):
        """D's inputs for the D step, (2n [+ m], 784 [+ classes]): first the n real images, then the n
        negatives, then the m rows ``more`` if given (:meth:`more_d_rows`; models without labels).

        The negatives are the fakes; for a conditional model, the last ``mismatch`` share of them is
        replaced by real images paired with a *wrong* label, which D can only reject by checking the label
        against the image. Written into one array: no copy beyond the one a batch of 2n + m rows needs.
        """
        (n, width), classes = real.shape, self.config.classes
        batch = np.empty((2 * n + (0 if more is None else len(more)), width + classes), dtype=real.dtype)
        batch[:n, :width] = real
        if not classes:
            batch[n:2 * n] = fake
            if more is not None:
                batch[2 * n:] = more
            return batch
        if more is not None:
            raise ValueError("d_batch: a conditional D step takes no more rows (they would need labels)")
        kept = first_mismatched(n, self.config.mismatch)
        batch[n:n + kept, :width] = fake[:kept]
        batch[n + kept:, :width] = real[kept:]
        # A label shifted by 1..classes-1 (taken from another row's label, the batch read backwards):
        # never the right one.
        wrong = (labels + 1 + labels[::-1] % (classes - 1)) % classes
        batch[:, width:] = 0
        _set_ones(batch[:, width:], np.concatenate([labels, labels[:kept], wrong[kept:]]))
        return batch

    def g_step(self, fake, labels=None):
        """Update G so that D calls ``fake`` real (G's loss of the objective); returns g_loss.

        ``fake`` must be the output of G's latest ``forward``, whose cache the backward pass uses.
        """
        loss, d_out = self.objective.g(self.D.forward(with_labels(fake, labels, self.config.classes)))
        d_fake = self.D.backward(d_out, param_grads=False)[:, :fake.shape[1]]  # leaving D's gradients alone
        self.more_g_gradients(d_fake)
        self.G.zero_grad()
        self.G.backward(d_fake, input_grad=False)  # z and the labels need no gradient
        self.g_opt.step()
        return loss

    def losses(self, real, z, labels=None):
        """``(d_loss, g_loss)`` of the current networks on a batch, changing nothing (the tutorial's print)."""
        classes = self.config.classes
        with buffers_kept(self.G, self.D):
            fake = with_labels(self.fakes(z, labels), labels, classes)
            real_out = self.D.forward(with_labels(real, labels, classes))
            fake_out = self.D.forward(fake)
        return self.objective.d_loss(real_out, fake_out, self.config.smooth)[0], self.objective.g(fake_out)[0]

    def refresh_average(self, batches=20):
        """Batch-norm statistics that belong to the averaged weights ``G_avg``.

        Averaging weights does not average what the layers see: the running statistics G gathered belong
        to G's own weights. So they are re-estimated, as the plain average over ``batches`` batches of
        ``G_avg`` run in training mode, on latent vectors from a fixed seed (deterministic: a resumed
        run repeats it exactly). Nothing to do without a weight average or batch norm.
        """
        if self.G_avg is None or not self.G_avg.buffers:
            return
        norms = [layer for layer in self.G_avg.layers if isinstance(layer, BatchNorm)]
        momenta = [norm.momentum for norm in norms]
        for norm in norms:
            norm.reset_running_stats()
            norm.momentum = None  # a plain average over the batches
        rng, n, classes = np.random.default_rng([self.config.seed, 3]), self.config.batch_size, self.config.classes
        labels = labels_in_turn(n, classes)
        self.G_avg.train()
        for _ in range(batches):
            self.G_avg.forward(with_labels(self.sample_latent(rng, n), labels, classes))
        self.G_avg.eval()
        for norm, momentum in zip(norms, momenta):
            norm.momentum = momentum

    @property
    def sampler(self):
        """The generator samples come from: the weight average if one is kept, else G."""
        return self.G if self.G_avg is None else self.G_avg

    def generate(self, z, labels=None):
        """Images (N, 784) in (-1, 1) from :attr:`sampler` in evaluation mode, for latent vectors ``z``
        (N, z_size) and, for a conditional model, ``labels`` (N,)."""
        net = self.sampler
        net.eval()
        try:
            return net.forward(with_labels(z, labels, self.config.classes))
        finally:
            if net is self.G:
                net.train()  # G goes on training; the average stays in evaluation mode
