"""InfoGAN (npgan.info): the information term and the gradients it adds to D's body, Q and G, checked by
finite differences in float64; codes through files, npgan.sample and npgan.evaluate."""
import json

import numpy as np
import pytest

from npgan.augment import augment
from npgan.checkpoints import generator_arrays, load_generator
from npgan.evaluate import code_accuracy
from npgan.evaluate import main as evaluate_main
from npgan.gan import GANConfig, one_hot
from npgan.gradcheck import numerical_gradient, relative_error
from npgan.info import InfoGAN, build_gan, info_loss, latent_rows
from npgan.losses import bce_with_logits
from npgan.norm import BatchNorm
from npgan.sample import draw
from npgan.sample import main as sample_main

N, CATEGORIES, CONTINUOUS, Z, W = 6, 4, 2, 5, 0.4  # W: the continuous codes' weight inside L_I
SIZES = {"tutorial": dict(g_hidden=6, d_hidden=6), "mlp-bn": {}, "dcgan": dict(width=2)}

def small(model, **overrides):
    return GANConfig.for_model(model, z_size=Z, info=True, info_categories=CATEGORIES, info_continuous=CONTINUOUS,
                               info_weight=0.7, info_continuous_weight=W,
                               **{**SIZES[model], "info_augment": 0.0, **overrides})  # Q reads the fakes themselves

def reference_info_loss(outputs, categories, continuous):
    """L_I written from its definition, row by row: -log softmax(q)[c] + W/2 |v - u|^2, averaged."""
    total = 0.0
    for q, c, u in zip(outputs, categories, continuous):
        logits, estimates = q[:CATEGORIES], q[CATEGORIES:]
        total += np.log(np.sum(np.exp(logits))) - logits[c] + W / 2 * np.sum((estimates - u) ** 2)
    return total / len(outputs)

def test_information_term_and_its_gradient():
    rng = np.random.default_rng(0)
    outputs = rng.normal(0, 2, (N, CATEGORIES + CONTINUOUS))
    categories, continuous = rng.integers(0, CATEGORIES, N), rng.uniform(-1, 1, (N, CONTINUOUS))
    codes = np.concatenate([one_hot(categories, CATEGORIES, np.float64), continuous], axis=1)
    loss, grad = info_loss(outputs, codes, CATEGORIES, W)
    assert loss == pytest.approx(reference_info_loss(outputs, categories, continuous), rel=1e-12)
    numeric = numerical_gradient(lambda: info_loss(outputs, codes, CATEGORIES, W)[0], outputs)
    assert relative_error(grad, numeric) < 1e-8
    # Q reading the codes back perfectly: the cross entropy tends to 0, the squared error is 0.
    perfect = np.concatenate([100 * codes[:, :CATEGORIES], continuous], axis=1)
    assert info_loss(perfect, codes, CATEGORIES, W)[0] < 1e-30

def nudged(model, seed, **overrides):
    """A float64 InfoGAN of ``model`` with every parameter moved off its initial value, a batch of real
    images and latent rows ``[z | one-hot c | u]``."""
    gan = InfoGAN(small(model, **overrides), dtype=np.float64)
    rng = np.random.default_rng(seed)
    for net in (gan.G, gan.D):
        for _, param, _ in net.parameters():
            param += rng.normal(0, 0.2, param.shape)
    real = rng.uniform(-1, 1, (N, 784))
    latent = gan.sample_latent(rng, N).astype(np.float64)
    return gan, rng, real, latent

def gan_and_info_terms(out, latent):
    """D's outputs (N, 1 + K + C) split as the InfoGAN reads them: the logits and L_I of their codes."""
    codes = latent[:, Z:]
    return out[:, :1], reference_info_loss(out[:, 1:], codes[:, :CATEGORIES].argmax(axis=1), codes[:, CATEGORIES:])

def check(net, loss, rng, label, record_max_error):
    """Each parameter's gradient as the step left it against finite differences of ``loss`` (up to 12
    random elements of each array; biases cancelled by a following batch norm have gradient 0)."""
    for index, layer in enumerate(net.layers):
        for name, param in layer.params.items():
            key = f"{index}/{name}"
            indices = rng.choice(param.size, min(12, param.size), replace=False)
            analytic, numeric = net.grads[key].reshape(-1)[indices], numerical_gradient(loss, param, indices=indices)
            if name == "b" and index + 1 < len(net.layers) and isinstance(net.layers[index + 1], BatchNorm):
                assert np.abs(analytic).max() < 1e-10 and np.abs(numeric).max() < 1e-5, key  # 0, and 0 + noise
                continue
            error = relative_error(analytic, numeric)
            record_max_error(f"InfoGAN {label} {key}", error)
            assert error < 1e-6, (label, key)

def d_outputs(gan, real, fake):
    """D's outputs on the real and the fake batch, judged as the D step does (apart with batch norm)."""
    if gan.separate_batches:
        return gan.D.forward(real), gan.D.forward(fake)
    out = gan.D.forward(np.concatenate([real, fake]))
    return out[:N], out[N:]


@pytest.mark.parametrize("model", ["tutorial", "mlp-bn", "dcgan"])
def test_d_step_moves_d_body_and_q_by_the_gan_loss_plus_the_information_term(model, record_max_error):
    gan, rng, real, latent = nudged(model, 0)
    weight, smooth = gan.config.info_weight, gan.config.smooth
    fake = gan.G.forward(latent)

    def d_loss():
        out_real, out_fake = d_outputs(gan, real, fake)
        logits_fake, info = gan_and_info_terms(out_fake, latent)  # Q is asked about the fakes only
        return bce_with_logits(out_real[:, :1], 1 - smooth)[0] + bce_with_logits(logits_fake, 0.0)[0] + weight * info

    gan.d_opt.step = lambda: None  # keep the weights: compare the gradient only
    gan.objective.codes = latent[:, Z:]
    gan.d_step(real, fake)
    q_columns = gan.D.layers[-1].grads["W"][:, 1:]
    assert np.abs(q_columns).max() > 1e-3, "Q's weights must get the information term's gradient"
    check(gan.D, d_loss, rng, f"{model} D step", record_max_error)

@pytest.mark.parametrize("model", ["tutorial", "mlp-bn", "dcgan"])
def test_g_step_moves_g_by_the_gan_loss_plus_the_information_term_through_q(model, record_max_error):
    gan, rng, _, latent = nudged(model, 1)
    weight = gan.config.info_weight

    def g_loss():
        logits, info = gan_and_info_terms(gan.D.forward(gan.G.forward(latent)), latent)
        return bce_with_logits(logits, 1.0)[0] + weight * info

    gan.g_opt.step = lambda: None
    gan.objective.codes = latent[:, Z:]
    gan.D.zero_grad()
    gan.g_step(gan.G.forward(latent))
    assert not gan.D.flat_grads.any(), "the G step must not move D or Q"
    check(gan.G, g_loss, rng, f"{model} G step", record_max_error)

def test_latent_rows_and_training_step_shapes():
    gan = build_gan(small("mlp-bn"))
    assert isinstance(gan, InfoGAN) and not isinstance(build_gan(GANConfig()), InfoGAN)
    rng = np.random.default_rng(0)
    latent = gan.sample_latent(rng, 64)
    assert latent.shape == (64, Z + CATEGORIES + CONTINUOUS) and latent.dtype == np.float32
    np.testing.assert_array_equal(latent[:, Z:Z + CATEGORIES].sum(axis=1), 1)  # one category each
    assert np.abs(latent[:, Z + CATEGORIES:]).max() <= 1
    assert gan.D.layers[-1].params["W"].shape[1] == 1 + CATEGORIES + CONTINUOUS
    real = rng.uniform(-1, 1, (64, 784)).astype(np.float32)
    d_loss, g_loss = gan.train_step(real, latent)
    assert np.isfinite(d_loss + g_loss) and gan.objective.last_info_loss > 0
    with pytest.raises(ValueError, match="conditional"):
        InfoGAN(small("tutorial", conditional=True))

def test_mlp_bn_infogan_d_has_batch_norm_and_judges_real_and_fake_apart():
    """--info on mlp-bn: BatchNorm(256) in D (docs/infogan_probe.md: without it G stops using z), so the
    D step feeds real and fake batches separately; the plain mlp-bn D keeps none."""
    norms = [layer for layer in build_gan(small("mlp-bn")).D.layers if isinstance(layer, BatchNorm)]
    assert [layer.params["gamma"].shape for layer in norms] == [(256,)]
    assert build_gan(small("mlp-bn")).separate_batches
    plain = build_gan(GANConfig.for_model("mlp-bn", loss="ns"))
    assert not any(isinstance(layer, BatchNorm) for layer in plain.D.layers) and not plain.separate_batches


def test_training_scores_log_the_code_accuracy(mnist_evaluator):
    """--eval-every on an InfoGAN adds the code accuracy of the same 2,000 samples to the figures."""
    from npgan.train import score
    gan = build_gan(small("tutorial"))
    figures = score(gan, mnist_evaluator)
    assert 0.1 <= figures["code_accuracy"] <= 1 and np.isfinite(figures["fid"])
    assert "code_accuracy" not in score(build_gan(GANConfig(z_size=Z)), mnist_evaluator)


@pytest.fixture
def info_generator(tmp_path):
    gan = InfoGAN(small("tutorial"))
    path = tmp_path / "generator.npz"
    np.savez(path, **generator_arrays(gan.G, Z, 0, gan.config.codes, model="tutorial"))
    return gan.G.eval(), path

def test_generator_file_records_the_codes_and_sample_uses_them(info_generator, tmp_path, capsys):
    G, path = info_generator
    loaded, meta = load_generator(path)
    assert (meta["z_size"], meta["categorical"], meta["continuous"]) == (Z, CATEGORIES, CONTINUOUS)
    npy = tmp_path / "threes.npy"
    assert sample_main(["--checkpoint", str(path), "--code", "3", "--n", "5", "--seed", "2",
                        "--out", str(tmp_path / "g.png"), "--npy", str(npy)]) == 0
    rng = np.random.default_rng(2)  # z first, then the continuous codes, as npgan.sample draws them
    z, u = rng.random((5, Z), dtype=np.float32) * 2 - 1, rng.random((5, CONTINUOUS), dtype=np.float32) * 2 - 1
    expected = G.forward(latent_rows(z, np.full(5, 3), u, CATEGORIES))
    np.testing.assert_allclose(np.load(npy), expected, atol=1e-6)

def test_sweep_moves_only_the_chosen_continuous_code(info_generator, tmp_path, capsys):
    G, path = info_generator
    npy = tmp_path / "sweep.npy"
    assert sample_main(["--checkpoint", str(path), "--sweep-code", "1", "--rows", "3", "--steps", "5",
                        "--out", str(tmp_path / "s.png"), "--npy", str(npy)]) == 0
    rng = np.random.default_rng(0)
    z = np.repeat(rng.random((3, Z), dtype=np.float32) * 2 - 1, 5, axis=0)
    u = np.zeros((15, CONTINUOUS), dtype=np.float32)
    u[:, 1] = np.tile(np.linspace(-2, 2, 5), 3)
    expected = G.forward(latent_rows(z, np.repeat([0, 1, 2], 5), u, CATEGORIES))
    np.testing.assert_allclose(np.load(npy), expected, atol=1e-6)

@pytest.mark.parametrize("flags, message", [
    (["--code", "4"], "--code 4: the generator's categorical code has 4 categories"),
    (["--sweep-code", "2"], "--sweep-code 2: the generator has 2 continuous codes"),
    (["--sweep-code", "0", "--interpolate"], "choose one of --interpolate, --sweep-code and --steer"),
    (["--gif", "x.gif"], "--rows and --gif go with --interpolate or --sweep-code"),
])
def test_bad_code_flags_are_one_line_and_exit_2(info_generator, tmp_path, capsys, flags, message):
    _, path = info_generator
    assert sample_main(["--checkpoint", str(path), "--out", str(tmp_path / "x.png"), *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and not (tmp_path / "x.png").exists()

def test_code_on_a_generator_without_codes_is_refused(tmp_path, capsys):
    gan = build_gan(GANConfig(z_size=Z, g_hidden=6))
    path = tmp_path / "plain.npz"
    np.savez(path, **generator_arrays(gan.G, Z))
    for flags in (["--code", "0"], ["--sweep-code", "0"]):
        assert sample_main(["--checkpoint", str(path), "--out", str(tmp_path / "x.png"), *flags]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "need an InfoGAN generator" in err

def test_code_accuracy_undoes_the_codes_own_order():
    rng = np.random.default_rng(0)
    codes = np.arange(1000) % 10
    renaming = rng.permutation(10)
    predicted = renaming[codes].copy()
    wrong = rng.choice(1000, 80, replace=False)
    predicted[wrong] = (predicted[wrong] + 1) % 10       # 8% of the samples called another class
    accuracy, matching = code_accuracy(predicted, codes, 10, 10)
    assert accuracy == pytest.approx(0.92) and matching == renaming.tolist()
    assert code_accuracy(np.zeros(1000, dtype=int), codes, 10, 10)[0] == pytest.approx(0.1)  # one class: 1 code right


def test_evaluate_reports_the_code_accuracy(info_generator, tmp_path, capsys, mnist_dir, cache_dir, test_judge):
    G, path = info_generator
    report_path = tmp_path / "quality.json"
    assert evaluate_main(["--checkpoint", str(path), "--n", "200", "--data-dir", str(mnist_dir),
                          "--cache-dir", str(cache_dir), "--json", str(report_path)]) == 0
    assert "code accuracy (best matching)" in capsys.readouterr().out
    result = json.loads(report_path.read_text())
    # The same number from the samples npgan.sample draws (categories in turn) and the judge's labels.
    samples, codes = draw(G, load_generator(path)[1], 200, 0)
    predicted = test_judge.classify(samples)[1].argmax(axis=1)
    assert result["code_accuracy"] == pytest.approx(code_accuracy(predicted, codes, CATEGORIES, 10)[0])
    assert len(result["codes"]["matching"]) == CATEGORIES and "conditional" not in result


def test_several_d_steps_each_ask_q_about_their_own_fakes():
    """With --d-steps 2 each D step makes its own fakes (GAN.fakes), whose codes Q is asked for; any loss."""
    gan = InfoGAN(small("tutorial", loss="hinge", d_steps=2, smooth=0.0), dtype=np.float64)
    rng = np.random.default_rng(4)
    latent, real = gan.sample_latent(rng, 2 * N).astype(np.float64), rng.uniform(-1, 1, (2 * N, 784))
    asked = []
    d_step = gan.d_step
    gan.d_step = lambda real, fake, labels=None: asked.append(gan.objective.codes.copy()) or d_step(real, fake)
    d_loss, g_loss = gan.train_step(real, latent)
    assert np.isfinite(d_loss + g_loss) and len(asked) == 2
    np.testing.assert_array_equal(asked[0], latent[:N, Z:])
    np.testing.assert_array_equal(asked[1], latent[N:, Z:])
    np.testing.assert_array_equal(gan.objective.codes, latent[N:, Z:])  # the G step reuses the last fakes




def augmented_copy(gan, fake, state):
    """The augmented copy the reading took (the same draws: the augmentation rng's ``state`` before it)."""
    rng = np.random.default_rng()
    rng.bit_generator.state = state
    m = round(gan.config.info_augment * len(fake))
    return augment(fake[:m], rng, affine=True)[0], m


@pytest.mark.parametrize("model", ["tutorial", "mlp-bn"])
def test_augmented_reading_moves_d_by_the_gan_loss_and_q_by_the_augmented_copies(model, record_max_error):
    """--info-augment: D's GAN term on the fakes as they are, Q's L_I on augmented copies of the first half
    of them only, in a second pass of D (its own batch, for batch norm)."""
    gan, rng, real, latent = nudged(model, 2, info_augment=0.5)
    weight, smooth = gan.config.info_weight, gan.config.smooth
    fake = gan.G.forward(latent)
    state = gan.augment_rng.bit_generator.state

    def d_loss():
        out_real, out_fake = d_outputs(gan, real, fake)
        copy, m = augmented_copy(gan, fake, state)
        _, info = gan_and_info_terms(gan.D.forward(copy), latent[:m])
        return bce_with_logits(out_real[:, :1], 1 - smooth)[0] + bce_with_logits(out_fake[:, :1], 0.0)[0] + weight * info

    gan.d_opt.step = lambda: None
    gan.objective.codes = latent[:, Z:]
    gan.d_step(real, fake)
    check(gan.D, d_loss, rng, f"{model} augmented D step", record_max_error)


@pytest.mark.parametrize("model", ["tutorial", "mlp-bn"])
def test_augmented_reading_moves_g_through_the_augmentation(model, record_max_error):
    """The G step: the GAN term, plus L_I of the D step's augmented copies carried back through the
    augmentation into G (D unchanged between the steps here, so the two gradients meet exactly)."""
    gan, rng, real, latent = nudged(model, 3, info_augment=0.5)
    weight = gan.config.info_weight
    fake = gan.G.forward(latent)
    state = gan.augment_rng.bit_generator.state

    def g_loss():
        fake = gan.G.forward(latent)
        copy, m = augmented_copy(gan, fake, state)
        _, info = gan_and_info_terms(gan.D.forward(copy), latent[:m])
        return bce_with_logits(gan.D.forward(fake)[:, :1], 1.0)[0] + weight * info

    gan.d_opt.step = gan.g_opt.step = lambda: None
    gan.objective.codes = latent[:, Z:]
    gan.d_step(real, fake)
    gan.g_step(fake)
    assert len(gan.reading_gradient) == N // 2 and np.abs(gan.reading_gradient).max() > 0  # the first half only
    check(gan.G, g_loss, rng, f"{model} augmented G step", record_max_error)
