"""The trainer end to end: outputs, exact resume, the two steps' separation, failures, and real MNIST."""
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from npgan.data import read_idx, write_idx
from npgan.checkpoints import load_checkpoint, load_generator, read_npz
from npgan.gan import GAN, GANConfig, sample_z, to_unit_range, with_labels
from npgan.train import TF1_VALIDATION_SIZE, main, train

SMALL = ["--z-size", "8", "--g-hidden", "16", "--d-hidden", "16", "--batch-size", "20", "--no-progress"]
OUTPUTS = ("checkpoint.npz", "generator.npz", "samples.npz", "losses.csv", "losses.png", "samples.png",
           "progress.png", "progress.gif")


@pytest.fixture(scope="module")
def idx_images(tmp_path_factory):
    """A small synthetic dataset of 28x28 uint8 'digits': bright bars at random places."""
    rng = np.random.default_rng(0)
    images = np.zeros((200, 28, 28), dtype=np.uint8)
    for image, row, col in zip(images, rng.integers(2, 20, 200), rng.integers(2, 20, 200)):
        image[row:row + 6, col:col + 2] = 255
    path = tmp_path_factory.mktemp("idx") / "bars-idx3-ubyte.gz"
    write_idx(path, images)
    return path


def run(idx_images, out, *extra):
    return main(["--images", str(idx_images), "--out", str(out), *SMALL, *extra])


def test_end_to_end_writes_every_output(idx_images, tmp_path, capsys):
    assert run(idx_images, tmp_path, "--epochs", "2") == 0
    printed = capsys.readouterr().out
    assert "Epoch 1/2... Discriminator Loss: " in printed and "Epoch 2/2..." in printed
    for name in OUTPUTS:
        assert (tmp_path / name).stat().st_size > 0, name
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary files left behind"
    lines = (tmp_path / "losses.csv").read_text().splitlines()
    assert lines[0] == "epoch,d_loss,g_loss,d_loss_mean,g_loss_mean" and len(lines) == 3
    samples = read_npz(tmp_path / "samples.npz")
    assert samples["samples"].shape == (2, 16, 784) and samples["samples"].dtype == np.float32
    assert samples["epochs"].tolist() == [1, 2]


def test_saved_generator_reproduces_the_trained_one(idx_images, tmp_path):
    images = read_idx(idx_images)
    config = GANConfig(z_size=8, g_hidden=16, d_hidden=16, batch_size=20, epochs=1)
    trained = train(images, config, tmp_path, progress=False, log=lambda line: None).gan
    z = sample_z(np.random.default_rng(5), 10, 8)
    G, meta = load_generator(tmp_path / "generator.npz")
    assert meta["z_size"] == 8 and meta["classes"] == 0 and meta["layers"][0]["out_features"] == 16
    np.testing.assert_array_equal(G.forward(z), trained.G.forward(z))
    G_from_checkpoint, _ = load_generator(tmp_path / "checkpoint.npz")
    np.testing.assert_array_equal(G_from_checkpoint.forward(z), trained.G.forward(z))


def assert_same_run(dir_a, dir_b):
    """Every array of the two checkpoints equal, bit for bit; of the trainer's state all but the clock."""
    a, b = read_npz(dir_a / "checkpoint.npz"), read_npz(dir_b / "checkpoint.npz")
    assert sorted(a) == sorted(b)
    for key in a:
        if key != "state":
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    state_a, state_b = json.loads(str(a["state"])), json.loads(str(b["state"]))
    assert state_a.pop("train_seconds") > 0 and state_b.pop("train_seconds") > 0
    assert state_a == state_b


def test_resume_equals_an_uninterrupted_run(idx_images, tmp_path):
    assert run(idx_images, tmp_path / "straight", "--epochs", "3") == 0
    assert run(idx_images, tmp_path / "resumed", "--epochs", "1") == 0
    assert run(idx_images, tmp_path / "resumed", "--epochs", "3", "--resume") == 0
    assert_same_run(tmp_path / "straight", tmp_path / "resumed")
    assert (tmp_path / "straight" / "losses.csv").read_text() == (tmp_path / "resumed" / "losses.csv").read_text()


def test_crash_mid_epoch_then_resume_equals_an_uninterrupted_run(idx_images, tmp_path, monkeypatch):
    assert run(idx_images, tmp_path / "straight", "--epochs", "3") == 0
    real_step, calls = GAN.train_step, []

    def crash_in_epoch_two(self, real, z, labels=None):
        calls.append(1)
        if len(calls) == 15:  # 10 steps per epoch: the middle of epoch 2
            raise KeyboardInterrupt
        return real_step(self, real, z, labels)

    monkeypatch.setattr(GAN, "train_step", crash_in_epoch_two)
    assert run(idx_images, tmp_path / "crashed", "--epochs", "3") == 130
    assert int(read_npz(tmp_path / "crashed" / "checkpoint.npz")["epoch"]) == 1
    monkeypatch.setattr(GAN, "train_step", real_step)
    assert run(idx_images, tmp_path / "crashed", "--epochs", "3", "--resume") == 0
    assert_same_run(tmp_path / "straight", tmp_path / "crashed")


@pytest.mark.parametrize("images, model", [
    (3000, ["--g-hidden", "16", "--d-hidden", "16"]),
    (300, ["--model", "mlp-bn", "--ema", "0.9", "--lr-decay", "0.8"]),  # batch norm in G; EMA, buffers, lr resumed
    (600, ["--model", "dcgan", "--width", "4", "--ema", "0.9"]),
    # the penalty's interpolation weights, 5 D steps per G step, Adam's beta2
    (1000, ["--g-hidden", "16", "--d-hidden", "16", "--loss", "wgan", "--penalty", "gp", "--d-steps", "5"]),
    # RMSprop, clipping and spectral norm's vectors on a convolutional critic
    (600, ["--model", "dcgan", "--width", "4", "--loss", "wgan", "--spectral-norm", "--d-steps", "2"]),
    (300, ["--model", "mlp-bn", "--info", "--ema", "0.9"]),  # InfoGAN: codes drawn from the run's stream, Q in D
], ids=["tutorial", "mlp-bn", "dcgan", "wgan-gp", "wgan-clip-sn", "mlp-bn-info"])
def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path, images, model):
    """A real SIGKILL at an arbitrary moment (here: soon after the first checkpoint appears)."""
    rng = np.random.default_rng(1)
    write_idx(tmp_path / "noise.idx", rng.integers(0, 256, (images, 28, 28), dtype=np.uint8))
    args = [sys.executable, "-m", "npgan.train", "--images", str(tmp_path / "noise.idx"), "--epochs", "6",
            "--batch-size", "10", "--z-size", "8", *model, "--no-progress"]
    assert subprocess.run([*args, "--out", str(tmp_path / "straight")], capture_output=True).returncode == 0
    victim = subprocess.Popen([*args, "--out", str(tmp_path / "killed")], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (tmp_path / "killed" / "checkpoint.npz").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    resumed = subprocess.run([*args, "--out", str(tmp_path / "killed"), "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_run(tmp_path / "straight", tmp_path / "killed")


def test_d_step_moves_only_d_and_g_step_only_g():
    gan = GAN(GANConfig(z_size=8, g_hidden=16, d_hidden=16))
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (20, 784)).astype(np.float32)
    fake = gan.G.forward(sample_z(rng, 20, 8))
    g_before, d_before = gan.G.flat_params.copy(), gan.D.flat_params.copy()
    gan.d_step(real, fake)
    assert np.array_equal(gan.G.flat_params, g_before)
    assert not np.array_equal(gan.D.flat_params, d_before)
    d_after = gan.D.flat_params.copy()
    gan.g_step(fake)
    assert np.array_equal(gan.D.flat_params, d_after)
    assert not np.array_equal(gan.G.flat_params, g_before)


def test_nan_stops_training_and_keeps_the_last_good_checkpoint(idx_images, tmp_path, monkeypatch, capsys):
    real_step, calls = GAN.train_step, []

    def diverge_in_epoch_two(self, real, z, labels=None):
        calls.append(1)
        return (float("nan"), 1.0) if len(calls) > 12 else real_step(self, real, z, labels)

    monkeypatch.setattr(GAN, "train_step", diverge_in_epoch_two)
    assert run(idx_images, tmp_path, "--epochs", "3") == 1
    err = capsys.readouterr().err.strip()
    assert "diverged in epoch 2" in err and "\n" not in err
    assert load_checkpoint(tmp_path / "checkpoint.npz").epoch == 1


@pytest.mark.parametrize("flags, message", [
    (["--epochs", "0"], "positive"),
    (["--lr", "nan"], "lr"),
    (["--alpha", "1.5"], "alpha"),
    (["--batch-size", "x"], "batch-size"),
    (["--frobnicate"], "unrecognized"),
])
def test_bad_flags_give_one_line_and_exit_2(idx_images, tmp_path, capsys, flags, message):
    with pytest.raises(SystemExit) as exit_info:
        run(idx_images, tmp_path, *flags)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_refuses_to_overwrite_a_run_and_to_resume_with_other_settings(idx_images, tmp_path, capsys):
    assert run(idx_images, tmp_path, "--epochs", "1") == 0
    before = (tmp_path / "checkpoint.npz").read_bytes()
    with pytest.raises(SystemExit):
        run(idx_images, tmp_path, "--epochs", "1")
    assert "already holds a run" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--images", str(idx_images), "--out", str(tmp_path), "--resume", "--z-size", "9", "--no-progress"])
    assert "--z-size 9" in capsys.readouterr().err
    assert (tmp_path / "checkpoint.npz").read_bytes() == before


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shape"])
def test_corrupt_or_foreign_checkpoint_is_one_clear_line(idx_images, tmp_path, capsys, damage):
    assert run(idx_images, tmp_path, "--epochs", "1") == 0
    checkpoint = tmp_path / "checkpoint.npz"
    if damage == "garbage":
        checkpoint.write_bytes(b"not a zip file at all")
    elif damage == "truncated":
        checkpoint.write_bytes(checkpoint.read_bytes()[:5000])
    else:
        arrays = read_npz(checkpoint)
        arrays["G/0/W"] = np.zeros((3, 3), dtype=np.float32)
        np.savez(checkpoint, **arrays)
    before = checkpoint.read_bytes()
    capsys.readouterr()
    assert run(idx_images, tmp_path, "--epochs", "2", "--resume") != 0
    err = capsys.readouterr().err.strip()
    assert "checkpoint.npz" in err and "\n" not in err and "Traceback" not in err
    assert checkpoint.read_bytes() == before


def test_real_mnist_losses_move_as_in_the_tutorial(mnist_dir, tmp_path):
    """300 steps of the tutorial's model: D learns to separate (d_loss falls from 2 ln 2), G's loss rises."""
    images = read_idx(mnist_dir / "train-images-idx3-ubyte.gz")[TF1_VALIDATION_SIZE:TF1_VALIDATION_SIZE + 30000]
    lines = []
    gan = train(images, GANConfig(epochs=1), tmp_path, progress=False, log=lines.append).gan
    history = read_npz(tmp_path / "checkpoint.npz")
    d_mean, g_mean = float(history["history/d_loss_mean"][0]), float(history["history/g_loss_mean"][0])
    assert d_mean < 2 * np.log(2) - 0.3, d_mean  # an untrained D scores 2 ln 2 = 1.386
    assert g_mean > np.log(2) + 1.0, g_mean      # and an untrained G ln 2 = 0.693
    samples = gan.generate(sample_z(np.random.default_rng(0), 100, 100))
    assert np.all(np.isfinite(samples)) and np.abs(samples).max() <= 1
    real = to_unit_range(images[:100])
    real_logits, fake_logits = gan.D.forward(real), gan.D.forward(samples)
    assert real_logits.mean() > fake_logits.mean()
    assert lines and lines[0].startswith("Epoch 1/1... Discriminator Loss: ")


# --- conditional runs -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def labelled_idx(tmp_path_factory):
    """A small labelled dataset: class k is a bright bar at column 2 + 2k (so the label is visible)."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 200).astype(np.uint8)
    images = np.zeros((200, 28, 28), dtype=np.uint8)
    for image, label, row in zip(images, labels, rng.integers(2, 20, 200)):
        image[row:row + 6, 2 + 2 * label:4 + 2 * label] = 255
    folder = tmp_path_factory.mktemp("labelled")
    write_idx(folder / "images-idx3-ubyte.gz", images)
    write_idx(folder / "labels-idx1-ubyte.gz", labels)
    return folder / "images-idx3-ubyte.gz", folder / "labels-idx1-ubyte.gz"


def run_conditional(labelled_idx, out, *extra):
    images, labels = labelled_idx
    return main(["--images", str(images), "--labels", str(labels), "--conditional", "--out", str(out), *SMALL, *extra])


def test_conditional_run_end_to_end_resumes_exactly_and_samples_digits(labelled_idx, tmp_path, capsys):
    assert run_conditional(labelled_idx, tmp_path / "straight", "--epochs", "3") == 0
    assert run_conditional(labelled_idx, tmp_path / "resumed", "--epochs", "2") == 0
    assert main(["--out", str(tmp_path / "resumed"), "--resume", "--epochs", "3", "--no-progress",
                 "--images", str(labelled_idx[0]), "--labels", str(labelled_idx[1])]) == 0
    assert_same_run(tmp_path / "straight", tmp_path / "resumed")
    samples = read_npz(tmp_path / "straight" / "samples.npz")["samples"]
    assert samples.shape == (3, 50, 784)  # 5 samples of each of the 10 classes per epoch
    G, meta = load_generator(tmp_path / "straight" / "generator.npz")
    assert meta["classes"] == 10
    from npgan.sample import main as sample_main
    npy, draws = tmp_path / "fours.npy", []
    for _ in range(2):
        assert sample_main(["--checkpoint", str(tmp_path / "straight" / "generator.npz"), "--digit", "4", "--n", "6",
                            "--out", str(tmp_path / "fours.png"), "--npy", str(npy)]) == 0
        draws.append(np.load(npy))
    fours = draws[0]
    assert fours.shape == (6, 784)
    np.testing.assert_array_equal(draws[1], fours)  # the same seed draws the same fours
    np.testing.assert_array_equal(fours, G.forward(with_labels(sample_z(np.random.default_rng(0), 6, 8), [4] * 6, 10)))


def test_ac_gan_run_resumes_exactly(labelled_idx, tmp_path):
    assert run_conditional(labelled_idx, tmp_path / "straight", "--epochs", "2", "--aux-weight", "1") == 0
    assert run_conditional(labelled_idx, tmp_path / "resumed", "--epochs", "1", "--aux-weight", "1") == 0
    assert main(["--out", str(tmp_path / "resumed"), "--resume", "--epochs", "2", "--no-progress",
                 "--images", str(labelled_idx[0]), "--labels", str(labelled_idx[1])]) == 0
    assert_same_run(tmp_path / "straight", tmp_path / "resumed")
    saved = read_npz(tmp_path / "straight" / "checkpoint.npz")
    assert json.loads(str(saved["gan_config"]))["aux_weight"] == 1.0 and saved["D/2/W"].shape == (16, 11)


@pytest.mark.parametrize("flags, message", [
    (["--conditional"], "needs --labels"),
    (["--labels", "x.idx"], "--labels goes with --images"),
    (["--model", "resnet"], "invalid choice"),
    (["--ema", "1"], "[0, 1)"),
    (["--minutes", "0"], "> 0"),
    (["--mismatch", "0.3"], "--mismatch goes with --conditional"),
    (["--width", "32"], "--width applies only to --model dcgan"),
    (["--model", "dcgan", "--g-hidden", "64"], "--g-hidden applies only to --model tutorial"),
    (["--model", "mlp-bn", "--d-hidden", "64"], "--d-hidden applies only to --model tutorial"),
    (["--eval-every", "0"], "positive"),
    (["--info", "--conditional"], "--info learns its codes without labels: it does not go with --conditional"),
    (["--info-weight", "2"], "--info-weight goes with --info"),
    (["--aux-weight", "1"], "--aux-weight goes with --conditional"),
    (["--aux-weight", "-1"], "must be a finite number >= 0"),
    (["--conditional", "--aux-weight", "1", "--penalty", "r1"], "--aux-weight does not go with --penalty"),
])
def test_bad_flag_combinations(idx_images, tmp_path, capsys, flags, message):
    argv = ["--out", str(tmp_path / "out"), "--no-progress", *flags]
    if "--labels" not in flags:
        argv = ["--images", str(idx_images), *argv]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not (tmp_path / "out").exists()


def test_unlabelled_images_cannot_train_a_conditional_model(tmp_path, capsys):
    images = np.zeros((40, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "i.idx", images)
    write_idx(tmp_path / "l.idx", np.full(40, 12, dtype=np.uint8))
    code = main(["--images", str(tmp_path / "i.idx"), "--labels", str(tmp_path / "l.idx"), "--conditional",
                 "--out", str(tmp_path / "out"), *SMALL])
    assert code == 1 and "labels must be 0..9" in capsys.readouterr().err


def test_eval_every_scores_the_generator_and_keeps_the_best(idx_images, tmp_path, mnist_evaluator):
    images = read_idx(idx_images)
    config = GANConfig(z_size=8, g_hidden=16, d_hidden=16, batch_size=20, epochs=4)
    lines = []
    run = train(images, config, tmp_path, evaluator=mnist_evaluator, eval_every=2, progress=False, log=lines.append)
    rows = (tmp_path / "losses.csv").read_text().splitlines()
    assert rows[0] == ("epoch,d_loss,g_loss,d_loss_mean,g_loss_mean,fid,min_share,kl_uniform,confident_share,"
                       "precision,recall")
    assert rows[1].endswith(",,,,,,") and not rows[2].endswith(",")  # scored at epochs 2 and 4 only
    fids = np.asarray(run.history["fid"], dtype=float)
    assert np.isnan(fids[[0, 2]]).all() and np.isfinite(fids[[1, 3]]).all()
    for key in ("precision", "recall"):
        logged = np.asarray(run.history[key], dtype=float)
        assert np.isnan(logged[[0, 2]]).all() and ((logged[[1, 3]] >= 0) & (logged[[1, 3]] <= 1)).all()
    assert sum("2,000 samples scored: FID" in line for line in lines) == 2
    best_epoch = 2 + 2 * int(np.argmin(fids[[1, 3]]))
    assert run.state["best_epoch"] == best_epoch and run.state["best_fid"] == np.nanmin(fids)
    best = read_npz(tmp_path / "generator_best.npz")
    assert json.loads(str(best["config"]))["epoch"] == best_epoch
    last = read_npz(tmp_path / "generator.npz")["2/W"]
    if best_epoch == 4:  # the best is the last: the same generator as generator.npz
        np.testing.assert_array_equal(best["2/W"], last)
    else:                # the best is epoch 2's generator, which training has moved on from
        assert not np.array_equal(best["2/W"], last)
    assert (tmp_path / "quality.png").stat().st_size > 0
    from npgan.train import score
    assert score(run.gan, mnist_evaluator)["fid"] == pytest.approx(fids[3])  # the same z every time


def test_eval_every_with_own_images_is_refused(idx_images, tmp_path, capsys):
    with pytest.raises(SystemExit):
        run(idx_images, tmp_path / "out", "--eval-every", "2")
    assert "use --dataset, not --images" in capsys.readouterr().err


@pytest.mark.parametrize("model", [["--model", "mlp-bn"], ["--model", "dcgan", "--width", "4"]], ids=["mlp-bn", "dcgan"])
def test_new_models_train_sample_and_evaluate(model, tmp_path, capsys, mnist_dir, cache_dir, test_judge):
    """One short epoch of each new model on real digits, then its generator file through npgan.sample and
    npgan.evaluate, which rebuild the network from the file alone."""
    images = read_idx(mnist_dir / "train-images-idx3-ubyte.gz")[:640]
    write_idx(tmp_path / "digits.idx", images)
    out = tmp_path / "run"
    assert main(["--images", str(tmp_path / "digits.idx"), "--out", str(out), "--epochs", "1", "--no-progress",
                 *model]) == 0
    from npgan.evaluate import main as evaluate_main
    from npgan.sample import main as sample_main
    npy = tmp_path / "s.npy"
    assert sample_main(["--checkpoint", str(out / "generator.npz"), "--n", "9", "--out", str(tmp_path / "s.png"),
                        "--npy", str(npy)]) == 0
    samples = np.load(npy)
    assert samples.shape == (9, 784) and np.abs(samples).max() <= 1
    capsys.readouterr()
    assert evaluate_main(["--checkpoint", str(out / "generator.npz"), "--n", "500", "--data-dir", str(mnist_dir),
                          "--cache-dir", str(cache_dir)]) == 0
    assert "FID" in capsys.readouterr().out


def test_resume_messages_read_as_sentences(idx_images, tmp_path, capsys):
    assert run(idx_images, tmp_path, "--epochs", "1") == 0
    assert "Trained 1 epoch in" in capsys.readouterr().out
    assert run(idx_images, tmp_path, "--epochs", "2", "--resume") == 0
    assert "Trained 2 epochs in" in capsys.readouterr().out
    before = (tmp_path / "checkpoint.npz").read_bytes()
    assert run(idx_images, tmp_path, "--epochs", "1", "--resume") == 0
    assert capsys.readouterr().out == (f"{tmp_path} already holds 2 epochs, more than the 1 asked for: nothing to "
                                       "train. To train on, give --epochs more than 2.\n")
    assert run(idx_images, tmp_path, "--resume") == 0
    assert "already holds 2 epochs, all the 2 asked for" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        run(idx_images, tmp_path, "--resume", "--conditional", "--z-size", "9", "--lr", "0.002")
    assert capsys.readouterr().err == (
        f"npgan.train: error: {tmp_path} was trained without --conditional and with --z-size 8, and --resume keeps "
        "a run's settings: drop --conditional and --z-size 9 (see --help)\n")
    assert (tmp_path / "checkpoint.npz").read_bytes() == before


def test_losses_csv_has_plain_newlines(idx_images, tmp_path):
    assert run(idx_images, tmp_path, "--epochs", "2") == 0
    text = (tmp_path / "losses.csv").read_bytes()
    assert b"\r" not in text and text.count(b"\n") == 3 and text.startswith(b"epoch,d_loss,")


def test_clock_cpu_makes_minutes_count_cpu_time(idx_images, tmp_path, monkeypatch, capsys):
    import npgan.train as train_module

    class Ticks:  # every read 15 s later: each epoch "takes" 15 s of CPU time
        now = 0.0

        def __call__(self):
            self.now += 15
            return self.now

    monkeypatch.setitem(train_module.CLOCKS, "cpu", Ticks())
    assert run(idx_images, tmp_path / "cpu", "--epochs", "10", "--minutes", "0.5", "--clock", "cpu") == 0
    assert "Stopped after epoch 2 of 10" in capsys.readouterr().out
    assert run(idx_images, tmp_path / "wall", "--epochs", "3", "--minutes", "0.5") == 0  # the wall clock: not 15 s
    assert "Trained 3 epochs" in capsys.readouterr().out
