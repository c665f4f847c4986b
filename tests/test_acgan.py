"""AC-GAN (npgan.info.ACGAN): D's head also classifies the digit. The classifier's term and the D and G steps'
gradients checked by finite differences in float64; which runs get the head, and which refuse it."""
import numpy as np
import pytest

from npgan.gan import GAN, GANConfig, one_hot, with_labels
from npgan.gradcheck import numerical_gradient, relative_error
from npgan.info import ACGAN, ClassifierObjective, build_gan
from npgan.losses import bce_with_logits, log_softmax, objective

from _gradients import check

N, K, WEIGHT, SMOOTH = 6, 10, 0.7, 0.1


def cross_entropy(logits, labels):
    """The mean of -log softmax(logits)[label], row by row, from its definition."""
    return float(np.mean([np.log(np.sum(np.exp(row))) - row[label] for row, label in zip(logits, labels)]))


def test_classifier_term_its_value_and_gradient():
    rng = np.random.default_rng(0)
    out, labels = rng.normal(0, 2, (N, 1 + K)), rng.integers(0, K, N)
    term = ClassifierObjective(objective("ns"), K, WEIGHT, mismatch=0.5)
    term.labels = labels
    fakes = N // 2  # D's negatives: N/2 fakes, then N/2 real images with a wrong label (mismatch 0.5)
    references = {  # D: every real image (target 1 - smooth, or 0 for a wrong label) is classified, no fake
        "d_real": lambda: bce_with_logits(out[:, :1], 1 - SMOOTH)[0] + WEIGHT * cross_entropy(out[:, 1:], labels),
        "d_fake": lambda: (bce_with_logits(out[:, :1], 0.0)[0]
                           + WEIGHT * (N - fakes) / N * cross_entropy(out[fakes:, 1:], labels[fakes:])),
        "g": lambda: bce_with_logits(out[:, :1], 1.0)[0] + WEIGHT * cross_entropy(out[:, 1:], labels)}  # G: fakes are
    for name, reference in references.items():
        loss, grad = term.d_real(out, SMOOTH) if name == "d_real" else getattr(term, name)(out)
        assert loss == pytest.approx(reference(), rel=1e-12), name
        assert relative_error(grad, numerical_gradient(reference, out)) < 1e-8, name
    assert not term.d_fake(out)[1][:fakes, 1:].any()  # D never learns a class from G's fakes
    term.labels = labels[:2]
    with pytest.raises(ValueError, match="labels"):
        term.g(out)


def test_classifier_term_at_known_points():
    labels = np.arange(N) % K
    term = ClassifierObjective(objective("ns"), K, 1.0, mismatch=0.5)
    term.labels = labels
    uniform = np.zeros((N, 1 + K))  # D undecided on every class: log K each
    assert term.g(uniform)[0] == pytest.approx(bce_with_logits(uniform[:, :1], 1.0)[0] + np.log(K), rel=1e-12)
    sure = np.concatenate([np.full((N, 1), 30.0), 50 * one_hot(labels, K, np.float64)], axis=1)
    assert term.g(sure)[0] < 1e-12  # called real and the right digit: nothing left to ask


def gradients(net):
    """The gradients the step left in ``net``, by parameter name."""
    return {name: grad for name, _, grad in net.parameters()}


SIZES = {"tutorial": dict(g_hidden=6, d_hidden=6), "mlp-bn": {}, "dcgan": dict(width=2)}


def small_acgan(model, seed):
    """A float64 AC-GAN of ``model``, every parameter moved off its initial value, with a batch."""
    config = GANConfig.for_model(model, conditional=True, z_size=5, aux_weight=WEIGHT, **SIZES[model])
    gan = ACGAN(config, dtype=np.float64)
    rng = np.random.default_rng(seed)
    for net in (gan.G, gan.D):
        for _, param, _ in net.parameters():
            param += rng.normal(0, 0.2, param.shape)
    real, z, labels = rng.uniform(-1, 1, (N, 784)), rng.uniform(-1, 1, (N, 5)), rng.integers(0, K, N)
    return gan, rng, real, z, labels


@pytest.mark.parametrize("model", ["tutorial", "mlp-bn", "dcgan"])
def test_d_step_gradient_classifies_the_real_images_only(model, record_max_error):
    gan, rng, real, z, labels = small_acgan(model, 0)
    fake = gan.fakes(z, labels)
    batch = gan.d_batch(real, fake, labels)  # positives, fakes and real images with wrong labels

    def d_loss():
        if gan.separate_batches:  # D with batch norm judges the real batch and the negatives apart
            out = np.concatenate([gan.D.forward(batch[:N]), gan.D.forward(batch[N:])])
        else:
            out = gan.D.forward(batch)
        kept = round(N * (1 - gan.config.mismatch))  # negatives after the first ``kept``: real, wrong label
        classified = np.concatenate([out[:N, 1:], out[N + kept:, 1:]])  # every real image, against its digit
        digits = np.concatenate([labels, labels[kept:]])
        return (bce_with_logits(out[:N, :1], 1 - gan.config.smooth)[0] + bce_with_logits(out[N:, :1], 0.0)[0]
                + WEIGHT * len(classified) / N * cross_entropy(classified, digits))

    gan.d_opt.step = lambda: None  # keep the weights: compare the gradient only
    gan.d_step(real, fake, labels)
    assert np.abs(gan.D.layers[-1].grads["W"][:, 1:]).max() > 1e-3, "the classifier must learn"
    check(gan.D, gradients(gan.D), d_loss, f"AC-GAN {model} D step", record_max_error, sample=12, rng=rng)


@pytest.mark.parametrize("model", ["tutorial", "mlp-bn", "dcgan"])
def test_g_step_gradient_asks_for_fakes_classified_as_the_asked_digit(model, record_max_error):
    gan, rng, _, z, labels = small_acgan(model, 1)

    def g_loss():
        out = gan.D.forward(with_labels(gan.G.forward(with_labels(z, labels, K)), labels, K))
        return bce_with_logits(out[:, :1], 1.0)[0] + WEIGHT * cross_entropy(out[:, 1:], labels)

    gan.g_opt.step = lambda: None
    gan.D.zero_grad()
    gan.g_step(gan.fakes(z, labels), labels)
    assert not gan.D.flat_grads.any(), "the G step must not move D"
    check(gan.G, gradients(gan.G), g_loss, f"AC-GAN {model} G step", record_max_error, sample=12, rng=rng)


def test_which_runs_get_the_classifier():
    asked = build_gan(GANConfig.for_model("tutorial", conditional=True, aux_weight=1.0))
    assert isinstance(asked, ACGAN) and asked.D.layers[-1].params["W"].shape[1] == 1 + K
    assert not isinstance(build_gan(GANConfig.for_model("tutorial", conditional=True)), ACGAN)  # off by default
    with pytest.raises(ValueError, match="does not go with --penalty"):  # a penalised critic has one output
        ACGAN(GANConfig.for_model("tutorial", conditional=True, penalty="r1", aux_weight=1.0))
    with pytest.raises(ValueError, match="needs --conditional"):
        ACGAN(GANConfig.for_model("tutorial", aux_weight=1.0))
    with pytest.raises(ValueError, match="aux_weight"):
        GAN(GANConfig(aux_weight=-1.0))


def test_the_classifier_learns_the_digit_of_the_image_whatever_label_it_is_shown():
    """Two-class toy data, a few training steps: shown each real image with the *other* label, D's
    classifier names the image's digit (its cross entropy falls to under a third)."""
    config = GANConfig.for_model("tutorial", conditional=True, z_size=4, g_hidden=8, d_hidden=8, batch_size=16,
                                 aux_weight=1.0)
    gan = build_gan(config)
    rng = np.random.default_rng(0)
    labels = np.arange(16) % 2
    real = np.where(labels[:, None] == 1, 0.8, -0.8).astype(np.float32) * np.ones((16, 784), np.float32)

    def cross_entropy_with_the_other_label():
        out = gan.D.forward(with_labels(real, 1 - labels, K))
        return -np.mean(log_softmax(out[:, 1:])[np.arange(16), labels])

    before = cross_entropy_with_the_other_label()
    for _ in range(40):
        gan.train_step(real, gan.sample_latent(rng, 16), labels)
    assert cross_entropy_with_the_other_label() < 0.3 * before
