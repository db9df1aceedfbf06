"""Evaluation metrics: SDR against mir_eval's BSS-eval, improvements over the mixture."""
import warnings

import numpy as np
import pytest

from dprnn.metrics import sdr, utterance_scores


def test_sdr_matches_mir_eval():
    mir_eval = pytest.importorskip("mir_eval")
    rng = np.random.default_rng(0)
    refs = rng.standard_normal((2, 4000))
    ests = 0.8 * refs + 0.3 * refs[::-1] + 0.1 * rng.standard_normal((2, 4000))
    ests[0] = np.convolve(ests[0], [1.0, 0.4, -0.2])[:4000]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = mir_eval.separation.bss_eval_sources(refs, ests, compute_permutation=False)[0]
    np.testing.assert_allclose([sdr(refs[j], ests[j]) for j in range(2)], expected, atol=1e-4)


def test_utterance_scores_use_the_best_permutation():
    rng = np.random.default_rng(1)
    refs = rng.standard_normal((2, 3000))
    mixture = refs.sum(axis=0)
    ests = refs[::-1] + 0.05 * rng.standard_normal((2, 3000))
    scores = utterance_scores(mixture, refs, ests)
    assert scores["permutation"] == [1, 0]
    assert scores["si_snr"] > 20
    def by_hand(r, m):      # SI-SNR of the mixture taken as the estimate of source r
        r, m = r - r.mean(), m - m.mean()
        target = (m @ r) / (r @ r) * r
        return 10 * np.log10(np.sum(target ** 2) / np.sum((m - target) ** 2))
    mixture_si_snr = np.mean([by_hand(r, mixture) for r in refs])
    assert scores["si_snri"] == pytest.approx(scores["si_snr"] - mixture_si_snr, abs=0.2)
    assert scores["sdri"] > 15
