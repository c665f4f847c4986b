"""Generator files describe their layers; networks rebuild from descriptions; npgan 0.1's files still load."""
import json

import numpy as np
import pytest

from npgan.checkpoints import (CheckpointError, checkpoint_arrays, generator_arrays, load_checkpoint,
                               load_generator)
from npgan.gan import GAN, GANConfig, sample_z, with_labels
from npgan.models import build, describe, make_generator


def test_build_of_describe_has_the_same_layers():
    G = GAN(GANConfig(z_size=8, g_hidden=16, d_hidden=12, conditional=True)).G
    description = describe(G)
    assert description[0] == {"type": "Dense", "in_features": 18, "out_features": 16}
    assert description[1] == {"type": "LeakyReLU", "alpha": 0.01}
    twin = build(json.loads(json.dumps(description)))
    assert describe(twin) == description
    assert {k: v.shape for k, v in twin.params.items()} == {k: v.shape for k, v in G.params.items()}


@pytest.mark.parametrize("description, message", [
    ([{"type": "Conv9d"}], "unknown layer type"),
    ([{"type": "Dense", "in_features": 3}], "cannot build Dense"),
    ([{"type": "LeakyReLU", "alpha": 2}], "alpha"),
])
def test_build_refuses_bad_descriptions(description, message):
    with pytest.raises(ValueError, match=message):
        build(description)


def test_conditional_generator_file_round_trip(tmp_path):
    gan = GAN(GANConfig(z_size=8, g_hidden=16, d_hidden=12, conditional=True))
    path = tmp_path / "generator.npz"
    np.savez(path, **generator_arrays(gan.G, 8, 10, model="tutorial"))
    G, meta = load_generator(path)
    assert (meta["z_size"], meta["classes"], meta["model"]) == (8, 10, "tutorial")
    z, labels = sample_z(np.random.default_rng(0), 20, 8), np.arange(20) % 10
    np.testing.assert_array_equal(G.forward(with_labels(z, labels, 10)), gan.generate(z, labels))
    assert not G.training


def test_generator_file_of_npgan_0_1_still_loads(tmp_path):
    """The format before descriptions: the tutorial's G by its sizes ("npgan-generator-1")."""
    G = make_generator(8, 16, rng=0)
    config = {"format": "npgan-generator-1", "z_size": 8, "g_hidden": 16, "image_size": 784, "alpha": 0.01}
    np.savez(tmp_path / "old.npz", config=np.array(json.dumps(config)), **G.params)
    loaded, meta = load_generator(tmp_path / "old.npz")
    z = sample_z(np.random.default_rng(1), 5, 8)
    np.testing.assert_array_equal(loaded.forward(z), G.forward(z))
    assert meta["classes"] == 0 and meta["z_size"] == 8


def test_checkpoint_of_npgan_0_1_still_loads_and_resumes(tmp_path):
    gan = GAN(GANConfig(z_size=8, g_hidden=16, d_hidden=12))
    arrays = checkpoint_arrays(gan, 3, np.random.default_rng(5), {"d_loss": [1.0, 2.0, 3.0]})
    old_config = {k: v for k, v in json.loads(str(arrays["gan_config"])).items()
                  if k not in ("model", "conditional", "ema")}
    arrays.update(format=np.array("npgan-checkpoint-1"), gan_config=np.array(json.dumps({**old_config, "image_size": 784})))
    del arrays["state"], arrays["layer_rng_states"]
    np.savez(tmp_path / "checkpoint.npz", **arrays)
    run = load_checkpoint(tmp_path / "checkpoint.npz")
    assert run.epoch == 3 and run.gan.config.z_size == 8 and run.state == {}
    np.testing.assert_array_equal(run.gan.G.flat_params, gan.G.flat_params)
    assert run.rng.random() == np.random.default_rng(5).random()


def test_checkpoint_holds_the_weight_average_and_loads_it_as_the_generator(tmp_path):
    gan = GAN(GANConfig(z_size=8, g_hidden=16, d_hidden=12, ema=0.9))
    rng = np.random.default_rng(0)
    for _ in range(3):
        gan.train_step(rng.uniform(-1, 1, (10, 784)).astype(np.float32), sample_z(rng, 10, 8))
    assert not np.array_equal(gan.G_avg.flat_params, gan.G.flat_params)
    np.savez(tmp_path / "checkpoint.npz", **checkpoint_arrays(gan, 1, rng, {}))
    run = load_checkpoint(tmp_path / "checkpoint.npz")
    np.testing.assert_array_equal(run.gan.G_avg.flat_params, gan.G_avg.flat_params)
    G, _ = load_generator(tmp_path / "checkpoint.npz")
    np.testing.assert_array_equal(G.flat_params, gan.G_avg.flat_params)


def test_generator_whose_description_does_not_fit_its_z_size_is_refused(tmp_path):
    G = make_generator(8, 16, rng=0)
    np.savez(tmp_path / "g.npz", **generator_arrays(G, 8, classes=10))  # says conditional, takes z only
    with pytest.raises(CheckpointError, match="18 inputs"):
        load_generator(tmp_path / "g.npz")
