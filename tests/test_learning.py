"""A real learning test: a small DPRNN trained briefly on the demo corpus separates better."""
import keras

from dprnn import DPRNNConfig, build_model
from dprnn.corpus import Corpus
from dprnn.pipeline import AudioCache, evaluation_examples, training_dataset
from dprnn.training import ValidationMetrics, compile_separator


def test_brief_training_improves_validation_si_snri(demo_corpus):
    corpus = Corpus(demo_corpus)
    cache = AudioCache(2**30)
    examples = evaluation_examples(corpus.open_split("valid"), cache)
    keras.utils.set_random_seed(0)
    config = DPRNNConfig(encoder_filters=32, encoder_kernel=4, chunk_size=32, hidden_units=32, blocks=1,
                         mask_activation="relu")
    model = compile_separator(build_model(config), 3e-3, 5.0)
    validation = ValidationMetrics(examples)
    validation.set_model(model)
    before = validation.evaluate()[1]["si_snri"]
    model.fit(training_dataset(corpus.open_split("train"), 8000, 4, 0, cache), steps_per_epoch=40, epochs=2,
              verbose=0, shuffle=False)
    after = validation.evaluate()[1]["si_snri"]
    assert after > before + 3.0
    assert after > 1.0
