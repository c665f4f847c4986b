"""The GAN lab (npgan.lab): 2-D data, the mode metrics, the packed discriminator, the arrows, the command line."""
import json
import math
import shlex
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from npgan.gan import GAN
from npgan.gradcheck import check_layer, numerical_gradient, relative_error
from npgan.lab import LabConfig, generate, grid25, make_networks, mode_score, point_gradients, ring8, run
from npgan.lab.command import CURE, lab_config, main, make_parser
from npgan.lab.datasets import DATASETS, dataset, load_points
from npgan.lab.metrics import nearest_modes
from npgan.layers import Dense, LeakyReLU, Pack, Sequential

TINY = dict(g_hidden=(8, 8), d_hidden=(8,), batch_size=20)


# --- Metrics on constructed samples ----------------------------------------------------------------------------

@pytest.mark.parametrize("mixture", [ring8(), grid25()], ids=lambda m: m.name)
def test_exactly_the_modes_score_perfectly(mixture):
    K = len(mixture.means)
    score = mode_score(np.repeat(mixture.means, 3, axis=0), mixture.means, mixture.std)
    assert (score.modes, score.high_quality) == (K, 1.0) and abs(score.kl) < 1e-12


def test_one_mode_only():
    mixture = grid25()
    score = mode_score(np.tile(mixture.means[7], (100, 1)) + 0.01, mixture.means, mixture.std)
    assert (score.modes, score.high_quality) == (1, 1.0)
    assert score.kl == pytest.approx(math.log(25))


def test_three_standard_deviations_is_the_border():
    mixture = ring8()
    direction = np.array([0.6, 0.8])  # a unit vector
    inside = mixture.means[2] + 2.99 * mixture.std * direction
    outside = mixture.means[5] + 3.01 * mixture.std * direction
    score = mode_score(np.stack([inside, outside]), mixture.means, mixture.std)
    assert (score.modes, score.high_quality, score.kl) == (1, 0.5, pytest.approx(math.log(8)))
    # half of the samples on mode 0, half on mode 1: KL = log(8 / 2)
    two = mode_score(np.stack([mixture.means[0], mixture.means[1]]), mixture.means, mixture.std)
    assert (two.modes, two.kl) == (2, pytest.approx(math.log(4)))


def test_all_far_away_covers_nothing():
    mixture = grid25()
    score = mode_score(mixture.means + 1.0, mixture.means, mixture.std)  # between the modes
    assert (score.modes, score.high_quality) == (0, 0.0)


def test_nearest_mode_and_distance():
    index, distance = nearest_modes(np.array([[0.9, 0.1], [0.0, -3.0]]), ring8().means)
    assert list(index) == [0, 6]
    assert np.allclose(distance, [np.hypot(0.1, 0.1), 2.0])


# --- Data -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mixture, K, std", [(ring8(), 8, 0.01), (grid25(), 25, 0.05)], ids=["ring8", "grid25"])
def test_mixture_means_deviations_and_balance(mixture, K, std):
    if K == 8:
        assert np.allclose(mixture.means[2], [0, 1]) and np.allclose(np.linalg.norm(mixture.means, axis=1), 1)
    else:
        assert sorted(set(mixture.means[:, 0])) == [-4, -2, 0, 2, 4] and len({tuple(m) for m in mixture.means}) == 25
    n = 50_000
    points = mixture.sample(np.random.default_rng(0), n)
    assert points.dtype == np.float32 and points.shape == (n, 2)
    index, distance = nearest_modes(points, mixture.means)
    counts = np.bincount(index, minlength=K)
    # multinomial counts: each within 5 standard deviations of n/K
    assert np.abs(counts - n / K).max() < 5 * math.sqrt(n / K)
    offsets = points - mixture.means[index]
    for k in range(K):
        assert np.abs(offsets[index == k].mean(axis=0)).max() < 5 * std / math.sqrt(counts[k])
    assert offsets.std(axis=0) == pytest.approx([std, std], rel=0.02)
    assert distance.max() < 6 * std  # every point by its own mode: the modes are far apart


@pytest.mark.parametrize("name", [name for name in DATASETS if dataset(name).means is None])
def test_shapes_draw_finite_points_of_the_same_seed(name):
    a = dataset(name).sample(np.random.default_rng(3), 1000)
    b = dataset(name).sample(np.random.default_rng(3), 1000)
    assert a.shape == (1000, 2) and a.dtype == np.float32 and np.isfinite(a).all() and np.array_equal(a, b)
    assert 0.2 < np.abs(a).max() < 3


def test_points_files(tmp_path):
    points = np.array([[0, 1], [2.5, -1], [3, 3]])
    np.save(tmp_path / "p.npy", points)
    (tmp_path / "p.csv").write_text("x,y\n0,1\n2.5,-1\n3,3\n")
    (tmp_path / "bare.csv").write_text("0,1\n2.5,-1\n3,3\n")
    for name in ("p.npy", "p.csv", "bare.csv"):
        assert np.array_equal(load_points(tmp_path / name), points)
    np.save(tmp_path / "three.npy", np.zeros((4, 3)))
    np.save(tmp_path / "nan.npy", np.array([[0, 1], [np.nan, 2]]))
    (tmp_path / "words.csv").write_text("x,y\n1,2\na,b\n")
    (tmp_path / "ragged.csv").write_text("1,2\n3,4,5\n6,7\n")
    for name in ("three.npy", "nan.npy", "words.csv", "ragged.csv"):
        with pytest.raises(ValueError, match=name):
            load_points(tmp_path / name)


# --- The packed discriminator and the arrows ---------------------------------------------------------------------

def test_pack_is_a_reshape_and_its_backward_is_right():
    x = np.random.default_rng(0).standard_normal((12, 2))
    assert np.array_equal(Pack(3).forward(x), np.concatenate([x[0::3], x[1::3], x[2::3]], axis=1))
    rng = np.random.default_rng(1)
    D = Sequential(Pack(4), Dense(8, 5, rng=rng, dtype=np.float64), LeakyReLU(0.2), Dense(5, 1, rng=rng, dtype=np.float64))
    errors = check_layer(D, x, rng=2)
    assert max(errors.values()) < 1e-7, errors
    with pytest.raises(ValueError, match="multiple of 5"):
        Pack(5).forward(x)


def packed_gan(loss="ns", pack=4, dtype=np.float64):
    config = LabConfig(loss=loss, pack=pack, **TINY)
    networks = make_networks(config, rng=0, dtype=dtype)
    return config, GAN(config.gan_config(), networks=networks, dtype=dtype)


@pytest.mark.parametrize("loss", ["ns", "hinge"])
def test_packed_gan_gradients_by_finite_differences(loss):
    """The G step's gradient through a packed D, for G's weights and for each fake point, against central
    differences of G's loss (float64)."""
    config, gan = packed_gan(loss)
    z = np.random.default_rng(5).standard_normal((20, 2))

    def g_loss():
        return gan.objective.g(gan.D.forward(gan.G.forward(z)))[0]

    gan.G.zero_grad()
    _, d_out = gan.objective.g(gan.D.forward(gan.G.forward(z)))
    gan.G.backward(gan.D.backward(d_out, param_grads=False))
    for key in ("0/W", "2/b", "4/W"):
        assert relative_error(gan.G.grads[key], numerical_gradient(g_loss, gan.G.params[key])) < 1e-6, key
    points = generate(gan.G, z).copy()

    def loss_of_points():
        return gan.objective.g(gan.D.forward(points.reshape(5, 8)))[0]

    assert relative_error(point_gradients(gan, points, 4), numerical_gradient(loss_of_points, points)) < 1e-6


def test_arrows_are_the_g_steps_gradient():
    """-arrows, sent back through G, give exactly the gradient the G step of GAN.train_step applies."""
    config, gan = packed_gan("ns", dtype=np.float32)
    rng = np.random.default_rng(9)
    real = grid25().sample(rng, 20).reshape(5, 8)
    z = rng.standard_normal((20, 2), dtype=np.float32)
    fake = gan.G.forward(z)
    gan.d_step(real, fake)                 # the step's first half: D moves
    arrows = -point_gradients(gan, generate(gan.G, z), config.pack)
    gan.G.zero_grad()
    gan.G.backward(-arrows, input_grad=False)
    from_arrows = gan.G.flat_grads.copy()
    before = gan.G.flat_params.copy()
    gan.g_step(gan.G.forward(z))           # the second half: G's gradient, then Adam
    assert np.array_equal(gan.G.flat_grads, from_arrows)
    assert not np.array_equal(gan.G.flat_params, before)


def test_critic_steps_with_packing_take_their_own_batches():
    """--d-steps K with --pack m: train_step gets K real batches of n/m packed rows and K batches of n z rows."""
    config = LabConfig(loss="wgan", pack=2, gan={"penalty": "gp", "d_steps": 3}, **TINY)
    gan = GAN(config.gan_config(), networks=make_networks(config, rng=0))
    assert (gan.config.penalty, gan.config.d_steps, gan.config.beta1) == ("gp", 3, 0.0)  # WGAN-GP's recipe
    rng = np.random.default_rng(0)
    d_loss, g_loss = gan.train_step(grid25().sample(rng, 60).reshape(30, 4), rng.standard_normal((60, 2), dtype=np.float32))
    assert (gan.d_opt.t, gan.g_opt.t) == (3, 1) and math.isfinite(d_loss + g_loss)
    result = run(replace(config, steps=4, data="ring8"))
    assert np.isfinite(result.samples).all() and result.diverged_at is None


def test_same_seed_same_run_other_seed_other_run():
    a, b, c = (run(LabConfig(data="ring8", steps=30, seed=seed, pack=2, **TINY), log_every=10) for seed in (4, 4, 5))
    assert np.array_equal(a.samples, b.samples) and a.history == b.history
    assert not np.array_equal(a.samples, c.samples)
    assert a.samples.shape == (2500, 2) and a.samples.dtype == np.float32
    assert a.history["step"] == [0, 10, 20, 30] and a.score.modes == a.history["modes"][-1]


def test_logging_and_frames_change_nothing():
    config = LabConfig(data="grid25", steps=25, seed=1, **TINY)
    quiet, watched = run(config), run(config, log_every=5, frames=True)
    assert np.array_equal(quiet.samples, watched.samples)
    assert [f.step for f in watched.frames] == [0, 5, 10, 15, 20, 25] and len(quiet.frames) == 1
    frame = watched.frames[-1]
    assert frame.fake.shape == frame.arrows.shape == (500, 2) and np.allclose(frame.fake, watched.samples[:500], atol=1e-5)
    assert frame.heat.shape == (96, 96) and 0 <= frame.heat.min() <= frame.heat.max() <= 1
    assert frame.manifold.shape == (21, 21, 2)


# --- The command line ----------------------------------------------------------------------------------------

def lab(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


TINY_FLAGS = ["--g-hidden", "8,8", "--d-hidden", "8", "--batch-size", "20", "--steps", "20"]


def test_a_run_writes_its_outputs(capsys, tmp_path):
    out, npy, js = tmp_path / "out", tmp_path / "s.npy", tmp_path / "m.json"
    code, text, err = lab(capsys, "--data", "ring8", *TINY_FLAGS, "--seed", 3, "--out", out, "--npy", npy,
                          "--json", js, "--gif", "--log-every", 10)
    assert code == 0 and err == "", err
    samples = np.load(npy, allow_pickle=False)
    assert samples.shape == (2500, 2) and samples.dtype == np.float32
    summary = json.loads(js.read_text())
    direct = run(LabConfig(data="ring8", steps=20, seed=3, **TINY))
    assert np.array_equal(samples, direct.samples)
    assert (summary["modes"], summary["high_quality"], summary["kl"]) == \
        (direct.score.modes, direct.score.high_quality, direct.score.kl)
    assert sorted(p.name for p in out.iterdir()) == ["final.png", "lab.gif", "metrics.csv", "metrics.png"]
    rows = (out / "metrics.csv").read_text().splitlines()
    assert rows[0] == "step,d_loss,g_loss,modes,high_quality,kl" and [r.split(",")[0] for r in rows[1:]] == ["0", "10", "20"]
    from PIL import Image
    with Image.open(out / "lab.gif") as gif:
        assert gif.n_frames == 3


def test_points_of_ones_own(capsys, tmp_path):
    np.savetxt(tmp_path / "heart.csv", np.random.default_rng(0).standard_normal((50, 2)), delimiter=",")
    code, text, err = lab(capsys, "--points", tmp_path / "heart.csv", *TINY_FLAGS, "--out", tmp_path / "o")
    assert code == 0 and err == "" and "points" in text and (tmp_path / "o" / "final.png").exists()


def test_the_sweep_table_equals_the_single_runs(capsys, tmp_path):
    js = tmp_path / "sweep.json"
    code, text, err = lab(capsys, "--data", "grid25", *TINY_FLAGS, "--seeds", "0-1", "--recipe", "--loss ns",
                          "--recipe", "--loss hinge --pack 2", "--out", tmp_path / "sw", "--json", js)
    assert code == 0 and err == "", err
    result = json.loads(js.read_text())
    assert [(r["recipe"], r["seed"]) for r in result["runs"]] == \
        [("--loss ns", 0), ("--loss ns", 1), ("--loss hinge --pack 2", 0), ("--loss hinge --pack 2", 1)]
    for row in result["runs"]:
        single = tmp_path / f"single{row['seed']}{row['loss']}.json"
        extra = ["--pack", "2"] if row["loss"] == "hinge" else []
        assert lab(capsys, "--data", "grid25", *TINY_FLAGS, "--loss", row["loss"], *extra, "--seed", row["seed"],
                   "--out", tmp_path / "single", "--json", single)[0] == 0
        alone = json.loads(single.read_text())
        assert {k: alone[k] for k in ("modes", "high_quality", "kl", "pack")} == \
            {k: row[k] for k in ("modes", "high_quality", "kl", "pack")}
    hinge = result["table"][1]
    runs = [r for r in result["runs"] if r["loss"] == "hinge"]
    assert hinge["modes"] == pytest.approx(np.mean([r["modes"] for r in runs]))
    assert hinge["kl_std"] == pytest.approx(np.std([r["kl"] for r in runs]))
    assert "| grid25 | `--loss hinge --pack 2` | 2 (0-1) |" in text
    assert (tmp_path / "sw" / "sweep.md").read_text() in text
    # Time per run, wall clock and (the steadier figure on a busy machine) this process's CPU time.
    assert all(r["seconds"] > 0 and r["cpu_seconds"] > 0 for r in result["runs"])
    assert hinge["cpu_seconds"] == pytest.approx(np.mean([r["cpu_seconds"] for r in runs]))
    assert "seconds per run (CPU) |" in text and f"({hinge['cpu_seconds']:.1f}) |" in text


def test_help_lists_the_flags(capsys):
    code, text, _ = lab(capsys, "--help")
    assert code == 0
    for flag in ("--data", "--points", "--loss", "--pack", "--g-hidden", "--d-hidden", "--batch-size", "--steps",
                 "--seed", "--out", "--gif", "--npy", "--json", "--seeds", "--recipe"):
        assert flag in text


def test_the_cure_is_the_recipe_the_readmes_measured(capsys):
    """CURE parses to the settings its comment names; --help and both READMEs' sweep commands carry it."""
    config = lab_config(make_parser().parse_args(shlex.split(CURE)))
    step = config.gan_config()
    assert (config.steps, config.pack, config.loss, config.g_hidden, config.d_hidden, config.batch_size) == (
        20000, 2, "hinge", (128, 128, 128), (128, 128), 100)
    assert (step.spectral_norm, step.optimizer, step.lr, step.beta1, step.lr_decay, step.ema, step.d_steps,
            step.penalty) == (False, "adam", 1e-3, 0.5, 0.85, 0.999, 2, "none")
    assert " ".join(lab(capsys, "--help")[1].split()).count(CURE) == 1
    root = Path(__file__).resolve().parent.parent
    for readme in ("README.md", "README.zh.md"):
        text = (root / readme).read_text(encoding="utf-8")
        for data in ("ring8", "grid25"):
            assert f'--data {data} --seeds 0-9 --out runs/lab-cure-{data} --recipe "{CURE}"' in text, readme


@pytest.mark.parametrize("flags, message", [
    (["--data", "ring9"], "invalid choice"),
    (["--pack", "0"], "--pack"),
    (["--steps", "0"], "--steps"),
    (["--pack", "3"], "multiple of --pack"),
    (["--points", "BAD"], "--points"),
    (["--points", "MISSING"], "--points"),
    (["--out", "FILE"], "not a folder"),
    (["--out", "NOPARENT"], "does not exist"),
    (["--seeds", "0-2", "--recipe", "--out x"], "belongs outside"),
    (["--seeds", "0-2", "--recipe", "--pack 0"], "--pack"),
    (["--recipe", "--loss ns"], "--recipe goes with --seeds"),
    (["--seeds", "3-1"], "--seeds"),
    (["--penalty-weight", "1"], "goes with --penalty"),
    (["--seeds", "0-1", "--gif"], "--gif goes with a single run"),
    (["--seeds", "0", "--recipe", "--optimizer rmsprop --beta1 0.9"], "Adam's"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(capsys, tmp_path, flags, message):
    np.save(tmp_path / "bad.npy", np.zeros((5, 3)))
    (tmp_path / "file").write_text("x")
    names = {"BAD": tmp_path / "bad.npy", "MISSING": tmp_path / "none.npy", "FILE": tmp_path / "file",
             "NOPARENT": tmp_path / "no" / "out"}
    flags = [str(names.get(f, f)) for f in flags]
    if "--out" not in flags:
        flags += ["--out", str(tmp_path / "out")]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    output = "--json" if "--seeds" in flags else "--npy"
    code, text, err = lab(capsys, *TINY_FLAGS, *flags, output, tmp_path / "s.out")
    assert code == 2 and text == ""
    assert len(err.splitlines()) == 1 and err.startswith("npgan.lab: error: ") and message in err, err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
