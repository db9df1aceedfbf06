"""The Keras model: shapes at awkward lengths, layer configs, .keras round trips, a training step."""
import numpy as np
import pytest
import keras

from dprnn import DPRNNConfig, build_model, chunking
from dprnn.block import DPRNNBlock
from dprnn.errors import ConfigError
from dprnn.filterbank import Decoder, Encoder, PadToChunks
from dprnn.norms import GlobalLayerNorm
from dprnn.segmentation import OverlapAdd, Segment

TINY = DPRNNConfig(encoder_filters=8, encoder_kernel=4, chunk_size=16, hidden_units=8, blocks=2)


@pytest.mark.parametrize("samples", [1, 7, 33, 100, 257])
@pytest.mark.parametrize("speakers", [2, 3])
def test_any_length_in_gives_the_same_length_out(samples, speakers):
    import dataclasses
    model = build_model(dataclasses.replace(TINY, num_speakers=speakers))
    x = np.random.default_rng(samples).standard_normal((2, samples)).astype(np.float32)
    y = np.asarray(model.predict_on_batch(x))
    assert y.shape == (2, speakers, samples)
    assert np.all(np.isfinite(y))


def test_padding_and_chunk_count_follow_the_shared_helper():
    for samples in (1, 15, 16, 17, 100, 1000):
        padded = np.asarray(PadToChunks(4, 16)(np.zeros((1, samples), np.float32)))
        assert padded.shape[1] == chunking.padded_samples(samples, 4, 16)
        frames = chunking.encoder_frames(samples, 4, 16)
        chunks = np.asarray(Segment(16)(np.zeros((1, frames, 3), np.float32)))
        assert chunks.shape[1] == chunking.num_chunks(frames, 16)


def test_segment_then_overlap_add_counts_each_frame_by_its_chunks():
    frames = np.arange(64, dtype=np.float32).reshape(1, 32, 2)
    chunks = Segment(8)(frames)
    back = np.asarray(OverlapAdd(8)(chunks))
    # hop 4: the first and last 4 frames lie in one chunk, all others in two
    expected = frames[0] * np.array([1] * 4 + [2] * 24 + [1] * 4, np.float32)[:, None]
    np.testing.assert_allclose(back[0], expected)


def test_global_layer_norm_without_and_with_channel_weights():
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 5)).astype(np.float32) * 3 + 1
    y = np.asarray(GlobalLayerNorm("none")(x))
    for b in range(2):
        expected = (x[b] - x[b].mean()) / np.sqrt(x[b].var() + 1e-3)
        np.testing.assert_allclose(y[b], expected, rtol=1e-4, atol=1e-5)
    norm = GlobalLayerNorm("channel")
    norm(x)
    assert [tuple(w.shape) for w in norm.weights] == [(5,), (5,)]
    plain = GlobalLayerNorm("none")
    plain(x)
    assert plain.count_params() == 0


@pytest.mark.parametrize("layer", [
    PadToChunks(4, 16), Encoder(8, 4), Decoder(8, 4, 3), Segment(16), OverlapAdd(16),
    GlobalLayerNorm("channel"), DPRNNBlock(8, 12, 16, "channel", inter_residual=False, recompute=True),
])
def test_layer_config_round_trip(layer):
    clone = layer.__class__.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="chunk_size"):
        Segment(7)
    with pytest.raises(ValueError, match="hidden_units"):
        DPRNNBlock(8, 7)
    with pytest.raises(ConfigError, match="norm_scaling"):
        DPRNNConfig(norm_scaling="value")
    with pytest.raises(ConfigError, match="encoder_kernel"):
        DPRNNConfig(encoder_kernel=3)


def test_saved_model_reloads_with_identical_outputs(tmp_path):
    import dataclasses
    from dprnn.modelio import load_separator, save_model
    cfg = dataclasses.replace(TINY, norm_scaling="channel", num_speakers=3)
    model = build_model(cfg, info={"task": "sep_clean"})
    path = tmp_path / "m.keras"
    save_model(model, str(path))
    reloaded = keras.models.load_model(path, safe_mode=True)
    x = np.random.default_rng(2).standard_normal((1, 123)).astype(np.float32)
    # Same weights, same graph: equal up to oneDNN's thread-order rounding.
    np.testing.assert_allclose(np.asarray(model.predict_on_batch(x)), np.asarray(reloaded.predict_on_batch(x)),
                               rtol=0, atol=1e-6)
    assert load_separator(str(path)).count_params() == model.count_params()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]      # no temporary file left


def test_a_training_step_lowers_the_loss_and_recompute_gives_the_same_gradients():
    from dprnn.training import compile_separator
    rng = np.random.default_rng(0)
    y = rng.standard_normal((2, 2, 400)).astype(np.float32)
    x = y.sum(axis=1)
    losses = {}
    for recompute in (False, True):
        keras.utils.set_random_seed(0)
        model = compile_separator(build_model(TINY, recompute=recompute), 1e-2, 5.0)
        losses[recompute] = [float(model.train_on_batch(x, y)) for _ in range(8)]
    assert losses[False][-1] < losses[False][0]
    np.testing.assert_allclose(losses[False], losses[True], rtol=1e-4, atol=1e-4)

