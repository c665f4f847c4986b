"""Heads on D that read back what G was given: InfoGAN's codes, and AC-GAN's labels (at the end).

InfoGAN (Chen et al., 2016): codes that G must make readable, which then take a meaning of their own.

G's latent input is z with *codes* appended: a categorical code ``c`` (one of K categories, one-hot, uniform)
and C continuous codes ``u ~ Uniform(-1, 1)``:

    latent = [z (z_size) | one-hot c (K) | u (C)]   ->  G  ->  image x

Nothing tells G what the codes should mean. Instead an auxiliary head Q, sharing D's body, reads them back
from each fake: ``Q(x) = (logits over the K categories, estimates of the C continuous codes)``. G and Q
together minimise

    L_I = CE(Q_cat(x), c) + w/2 |Q_cont(x) - u|^2          (mean over the fakes; w: ``info_continuous_weight``)

The cross entropy is ``-log Q(c | x)`` and the half squared error is ``-log N(u; Q_cont(x), 1)`` up to a
constant, so ``-L_I`` is (up to a constant) a lower bound of the mutual information ``I(c, u; x)``: a
code G ignores cannot be read back from its images. D (with Q) minimises its GAN loss + ``weight * L_I``
and G its GAN loss + ``weight * L_I``; with ten categories on MNIST the categorical code tends to pick
out the ten digits (the paper: about 5% error) and continuous codes a slant or a stroke width.

Q shares *all* of D's body, as PyTorch-GAN's ``infogan.py`` does: it is K + C more output units of D's last
(linear) layer. D's outputs are then ``(N, 1 + K + C)`` = [GAN logit | category logits | continuous
estimates], and the GAN's own step runs unchanged: :class:`InfoObjective` wraps the GAN objective, reading
column 0 as D's output and adding ``weight * L_I`` on the fakes' code columns. D's backward pass carries
``weight * dL_I`` into Q's weights and D's body in the D step (real images ask nothing of Q: zero gradient
there) and through D into G in the G step. Q's backward is the backward of that Dense layer (``dW = h^T dy``
on the body's features ``h``), so Q is saved and optimised with D (D's Adam), at the price of a
1 x (1 + K + C) wider last product instead of a second pass through D's body.
"""
from dataclasses import replace

import numpy as np

from .augment import augment
from .gan import GAN, first_mismatched, one_hot, sample_z
from .layers import Dense, Sequential
from .losses import Objective, log_softmax
from .models import build_pair


def info_loss(outputs, codes, categories, continuous_weight=1.0):
    """``(L_I, dL_I/doutputs)``: how badly Q's ``outputs`` read back the ``codes`` that made the fakes.

    ``outputs`` (N, K + C): Q's category logits, then its continuous estimates. ``codes`` (N, K + C): the
    one-hot categorical code ``e_c``, then the continuous codes ``u`` (the tail of G's latent rows).
    ``K = categories``; ``w = continuous_weight``.

        L_I = mean_n [ -log softmax(q_n)_c  +  w/2 |v_n - u_n|^2 ]       (q: logits, v: estimates)

    Gradient, per row divided by N: ``softmax(q) - e_c`` on the logits (softmax cross entropy) and
    ``w (v - u)`` on the estimates (the derivative of a half square).
    """
    n = len(outputs)
    logits, estimates = outputs[:, :categories], outputs[:, categories:]
    target, continuous = codes[:, :categories], codes[:, categories:]
    grad = np.empty_like(outputs)
    log_probs = log_softmax(logits)
    cross_entropy = -float(np.sum(log_probs * target, dtype=np.float64))
    np.subtract(np.exp(log_probs), target, out=grad[:, :categories])
    diff = np.subtract(estimates, continuous, out=grad[:, categories:])
    squared = 0.5 * continuous_weight * float(np.sum(diff * diff, dtype=np.float64))
    diff *= continuous_weight
    grad /= n
    return (cross_entropy + squared) / n, grad


def widen(grad, x, head_grad=None):
    """The gradient of all of D's outputs ``x``: ``grad`` in column 0, ``head_grad`` (None: zeros) after."""
    full = np.empty_like(x)
    full[:, :1] = grad
    full[:, 1:] = 0 if head_grad is None else head_grad
    return full


class HeadObjective:
    """A GAN objective (:class:`npgan.losses.Objective`) on column 0 of D's outputs, plus ``weight`` times a
    head's term on the other columns: InfoGAN's Q (:class:`InfoObjective`), AC-GAN's classifier
    (:class:`ClassifierObjective`). A subclass says which rows the head is asked about (:meth:`d_rows` in a
    D step; :meth:`g_rows` in the G step, every fake unless it says otherwise) and what its term is
    (:meth:`head_term`, a mean over those rows with its gradient). The term is summed over the rows asked
    and divided by all N rows, so that every row weighs the same, as in the GAN term.
    """

    def __init__(self, base, weight):
        self.base, self.weight = base, weight

    def d_real(self, x, smooth=0.0):
        loss, grad = self.base.d_real(x[:, :1], smooth)
        return self._plus_head(loss, grad, x, self.d_rows("real", len(x)))

    def d_fake(self, x):
        loss, grad = self.base.d_fake(x[:, :1])
        return self._plus_head(loss, grad, x, self.d_rows("fake", len(x)))

    def g(self, x):
        loss, grad = self.base.g(x[:, :1])
        return self._plus_head(loss, grad, x, self.g_rows())

    def g_rows(self):
        return slice(None)

    d_loss = Objective.d_loss  # d_real + d_fake, as for every objective

    def _plus_head(self, loss, grad, x, rows):
        """Add ``weight *`` the head's term of ``rows`` to the GAN term ``(loss, grad)`` of column 0."""
        full = widen(grad, x)
        asked = len(x[rows])
        if asked == 0:
            return loss, full
        term, term_grad = self.head_term(x, rows)
        share = self.weight * (asked / len(x))  # all rows asked: exactly weight
        full[rows, 1:] = term_grad * share
        return loss + share * term, full


class InfoObjective(HeadObjective):
    """:class:`HeadObjective` with InfoGAN's ``L_I`` (:func:`info_loss`) on the code columns of the fakes.

    ``codes`` (N, K + C): the codes of the fakes being judged; :meth:`InfoGAN.fakes` sets it as it makes them.
    ``last_info_loss``: ``L_I`` at the last fake batch judged (for the log).
    ``reads_fakes``: False when Q reads augmented copies instead (:meth:`InfoGAN.more_d_rows`): the
    objective then asks Q about no row, and D's passes over the fakes carry the GAN term only.
    """

    def __init__(self, base, categories, weight, continuous_weight=1.0, reads_fakes=True):
        super().__init__(base, weight)
        self.categories, self.continuous_weight, self.reads_fakes = categories, continuous_weight, reads_fakes
        self.codes, self.last_info_loss = None, float("nan")

    def d_rows(self, kind, n):
        """Q is asked about the fakes only: real images have no codes."""
        return self.g_rows() if kind == "fake" else slice(0)

    def g_rows(self):
        return slice(None) if self.reads_fakes else slice(0)

    def head_term(self, x, rows):
        if self.codes is None or len(self.codes) != len(x):
            raise ValueError("InfoObjective: set .codes to the fakes' codes (one row per fake) before a step")
        return self.read(x[rows, 1:], self.codes[rows])

    def read(self, q, codes):
        """``L_I`` (:func:`info_loss`) of Q's outputs ``q`` (n, K + C) against ``codes``, with its gradient; kept as
        ``last_info_loss``. Also InfoGAN's reading of augmented copies (:meth:`InfoGAN.more_rows_gradient`)."""
        self.last_info_loss, grad = info_loss(q, codes, self.categories, self.continuous_weight)
        return self.last_info_loss, grad


def latent_rows(z, categories, continuous, classes):
    """G's input rows ``[z | one-hot categories | continuous]`` (n, z_size + classes + C), float32.

    ``z`` (n, z_size); ``categories`` (n,) integers in 0..classes-1; ``continuous`` (n, C)."""
    return np.concatenate([z, one_hot(categories, classes, z.dtype), np.asarray(continuous, z.dtype)], axis=1)


def sample_codes(rng, n, categories, continuous, dtype=np.float32):
    """InfoGAN's prior: ``(c (n,) uniform over 0..categories-1, u (n, continuous) ~ Uniform(-1, 1))``."""
    c = rng.integers(categories, size=n)
    return c, sample_z(rng, n, continuous, dtype)


def with_code_head(D, outputs, rng):
    """``D`` whose last Dense layer has ``outputs`` more units: the head Q on D's body.

    D's own output (column 0) keeps the weights its model gave it; Q's columns start Glorot-uniform."""
    last = D.layers[-1]
    if not isinstance(last, Dense):
        raise ValueError(f"Q shares D's body and needs a Dense last layer, not {last!r}")
    W = last.params["W"]
    head = Dense(W.shape[0], 1 + outputs, rng=rng, dtype=W.dtype)
    head.params["W"][:, :1] = W
    head.params["b"][:1] = last.params["b"]
    return Sequential(*D.layers[:-1], head)


def networks_with_head(config, outputs, dtype):
    """``(G, D)`` of ``config``, D's last layer with ``outputs`` more units (:func:`with_code_head`), all
    drawn from ``config.seed``: G and D's own weights as a plain GAN's, then the head's."""
    rng = np.random.default_rng(config.seed)
    G, D = build_pair(config, rng, dtype)
    return G, with_code_head(D, outputs, rng)


class InfoGAN(GAN):
    """A :class:`npgan.gan.GAN` whose G takes codes after z and whose D also outputs Q's reading of them.

    ``config.info_categories`` (K), ``config.info_continuous`` (C), ``config.info_weight`` (the weight of
    ``L_I``), ``config.info_continuous_weight`` (``w`` of :func:`info_loss`). Latent rows are
    ``(N, z_size + K + C)`` (:meth:`sample_latent`); D's outputs ``(N, 1 + K + C)``.
    """

    def __init__(self, config, *, dtype=np.float32):
        if config.conditional:
            raise ValueError("InfoGAN learns its codes without labels: --info does not go with --conditional")
        if config.penalty != "none":
            raise ValueError("--info does not go with --penalty: the penalty's critic has one output per image, "
                             "InfoGAN's D also outputs Q's reading of the codes")
        categories, continuous = config.codes
        wider_z = replace(config, z_size=config.z_size + categories + continuous)
        super().__init__(config, networks=networks_with_head(wider_z, categories + continuous, dtype), dtype=dtype)
        self.objective = InfoObjective(self.objective, categories, config.info_weight, config.info_continuous_weight,
                                       reads_fakes=not config.info_augment)
        self.augment_rng = np.random.default_rng([config.seed, 7])
        self.reading_gradient = None  # dL_I / d(the first m fakes) of the last D step's augmented reading
        self.carry_back = None        # the last copies' augmentation's backward pass

    def sample_latent(self, rng, n):
        """``[z | one-hot c | u]`` for ``n`` fakes, all from ``rng`` (z first, then the codes)."""
        z = sample_z(rng, n, self.config.z_size)
        categories, continuous = self.config.codes
        return latent_rows(z, *sample_codes(rng, n, categories, continuous), categories)

    def fakes(self, latent, labels=None):
        """G's images of ``latent`` rows ``[z | one-hot c | u]``; their codes are what Q is asked for next."""
        self.objective.codes = latent[:, self.config.z_size:]
        return super().fakes(latent, labels)

    def rngs(self):
        return {**super().rngs(), "augment_rng": self.augment_rng}

    def more_d_rows(self, fake):
        """With ``config.info_augment = s`` (else None): augmented copies of the first ``s`` share of the
        fakes (:func:`npgan.augment.augment`: random stroke width, slant, rotation, scale and position), from
        which Q reads their codes in the D step's pass. So only what survives those changes can carry the
        codes: the digit, not its style (``docs/infogan_probe.md``, fourth set).

        The pass's backward gives both gradients of ``weight * L_I`` on them: into Q and D's body (the D
        step's), and back through the augmentation into those fakes, kept for the G step that follows
        (:meth:`more_rows_input_gradient`; G has not changed since; D has taken one step, which the G step's
        gradient does not see: a second pass after it would cost as much again, for a change of one
        learning-rate step).
        """
        self.reading_gradient = None
        if not self.config.info_augment:
            return None
        m = max(1, round(self.config.info_augment * len(fake)))
        copies, self.carry_back = augment(fake[:m], self.augment_rng, affine=True)
        return copies

    def more_rows_gradient(self, out):
        """``weight * dL_I / d(out)`` on the copies: Q's columns only (no GAN term on the copies)."""
        _, grad = self.objective.read(out[:, 1:], self.objective.codes[:len(out)])  # the first m fakes' codes
        return widen(0.0, out, self.objective.weight * grad)

    def more_rows_input_gradient(self, dx):
        """The copies' gradient carried back through the augmentation into their fakes, for the G step."""
        self.reading_gradient = self.carry_back(dx)

    def more_g_gradients(self, d_fake):
        """Add the augmented reading's gradient (:meth:`more_d_rows`) to its fakes' rows of ``d_fake``."""
        if self.reading_gradient is not None:
            d_fake[:len(self.reading_gradient)] += self.reading_gradient


class ClassifierObjective(HeadObjective):
    """:class:`HeadObjective` with AC-GAN's term: the cross entropy of D's class logits (columns 1..K)
    against the true digits, on the real images in the D step, on the fakes (against the digit asked for)
    in the G step.

    ``labels`` (N,): the labels of the batch being judged; :meth:`ACGAN.fakes` sets it as it makes the fakes
    (the real batch's labels, which the fakes were asked for). D's negatives (:meth:`npgan.gan.GAN.d_batch`)
    are the fakes, then, the last ``mismatch`` share of them, real images shown with a wrong label: those
    are classified too, against their true digit. That is what makes the classifier look at the image: D's
    input holds the label, and a classifier taught only on correctly labelled images learns to repeat it
    (and then asks nothing of G's drawing). The fakes themselves get no gradient in the D step: D learns the
    digits from real images only, so G cannot make a fake "an 8" by drawing whatever D has come to call 8
    in G's own fakes; it must draw what real 8s look like.
    """

    def __init__(self, base, classes, weight, mismatch):
        super().__init__(base, weight)
        self.classes, self.mismatch, self.labels = classes, mismatch, None

    def d_rows(self, kind, n):
        """Every real image: the positives, and the negatives after the fakes (shown with a wrong label)."""
        return slice(first_mismatched(n, self.mismatch), None) if kind == "fake" else slice(None)

    def head_term(self, x, rows):
        """The mean cross entropy (:func:`info_loss` with no continuous codes: ``softmax - one_hot``)."""
        if self.labels is None or len(self.labels) != len(x):
            raise ValueError("ClassifierObjective: set .labels (one per row) before a step")
        return info_loss(x[rows, 1:], one_hot(self.labels[rows], self.classes, x.dtype), self.classes)


class ACGAN(GAN):
    """A conditional :class:`npgan.gan.GAN` whose D also classifies the digit: AC-GAN (Odena et al., 2017).

    The same head as InfoGAN's Q (``K = config.classes`` more outputs of D's last layer), but what it reads
    back is the label, which is known: D learns it on real images, and G is asked to draw fakes that D's
    classifier calls the digit asked for (:class:`ClassifierObjective`, weight ``config.aux_weight``). D's
    input still holds the label too, so the head adds a second, direct signal to the conditional GAN's: a
    label D must check, and a digit G must make recognisable. The real images D sees with a wrong label
    (``config.mismatch``) teach the classifier to read the digit from the image, not from the label.
    """

    def __init__(self, config, *, dtype=np.float32):
        if not config.conditional:
            raise ValueError("--aux-weight: AC-GAN's classifier learns the labels: it needs --conditional")
        if config.penalty != "none":
            raise ValueError("--aux-weight does not go with --penalty: the penalty's critic has one output per "
                             "image, AC-GAN's D also outputs its classifier's logits")
        super().__init__(config, networks=networks_with_head(config, config.classes, dtype), dtype=dtype)
        self.objective = ClassifierObjective(self.objective, config.classes, config.aux_weight, config.mismatch)

    def fakes(self, latent, labels=None):
        """G's images of ``latent`` for ``labels``; the labels are what D's classifier is asked next."""
        self.objective.labels = labels
        return super().fakes(latent, labels)


def build_gan(config, *, dtype=np.float32):
    """The GAN ``config`` describes: an :class:`InfoGAN` when ``config.info``, an :class:`ACGAN` when
    ``config.aux_weight``, else a plain GAN."""
    if config.info:
        return InfoGAN(config, dtype=dtype)
    return ACGAN(config, dtype=dtype) if config.aux_weight else GAN(config, dtype=dtype)
