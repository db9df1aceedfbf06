"""Paths meant for GPUs, run for one step on the CPU where TensorFlow allows it: mixed precision,
XLA, MirroredStrategy. cuDNN itself cannot run here; the LSTMs are plain Keras LSTMs with default
activations, which is what Keras requires to pick the cuDNN kernel."""
import numpy as np
import keras

from dprnn import DPRNNConfig, build_model
from dprnn.training import compile_separator, configure_precision, distribution_strategy, strategy_scope

TINY = DPRNNConfig(encoder_filters=8, encoder_kernel=4, chunk_size=16, hidden_units=8, blocks=2)


def batch():
    rng = np.random.default_rng(0)
    y = rng.standard_normal((2, 2, 320)).astype(np.float32)
    return y.sum(axis=1), y


def test_mixed_precision_step_keeps_float32_weights_and_loss():
    configure_precision(True)
    try:
        model = compile_separator(build_model(TINY), 1e-3, 5.0, mixed_precision=True)
        x, y = batch()
        loss = float(model.train_on_batch(x, y))
        assert np.isfinite(loss)
        assert all(w.dtype == "float32" for w in model.weights)
        assert model.get_layer("dprnn_block_0").compute_dtype == "float16"
        assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    finally:
        configure_precision(False)


def test_xla_step_matches_the_plain_step():
    x, y = batch()
    losses = []
    for jit in (False, True):
        keras.utils.set_random_seed(0)
        model = compile_separator(build_model(TINY), 1e-3, 5.0, jit_compile=jit)
        losses.append([float(model.train_on_batch(x, y)) for _ in range(2)])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-3, atol=1e-3)


def test_mirrored_strategy_step():
    strategy = distribution_strategy(True)
    with strategy_scope(strategy):
        model = compile_separator(build_model(TINY), 1e-3, 5.0)
    x, y = batch()
    assert np.isfinite(float(model.train_on_batch(x, y)))
    assert strategy.num_replicas_in_sync >= 1


def test_lstms_keep_the_cudnn_conditions():
    model = build_model(TINY)
    for block in (model.get_layer("dprnn_block_0"), model.get_layer("dprnn_block_1")):
        for rnn in (block.intra_rnn, block.inter_rnn):
            for layer in (rnn.forward_layer, rnn.backward_layer):
                cfg = layer.get_config()
                assert cfg["activation"] == "tanh" and cfg["recurrent_activation"] == "sigmoid"
                assert cfg["recurrent_dropout"] == 0 and not cfg["unroll"] and cfg["use_bias"]
                assert cfg.get("use_cudnn", "auto") in ("auto", True)
