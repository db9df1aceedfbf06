"""SI-SNR against hand-computed values, and PIT against known permutations."""
import itertools

import numpy as np
import pytest

from dprnn.losses import best_permutation_si_snr, pit_neg_si_snr, reorder, si_snr
from dprnn import metrics


def test_si_snr_hand_computed():
    s = np.array([1, -1, 1, -1], np.float32)
    # estimate = 2 s + an orthogonal error of energy 4: target energy 16 -> 10 log10(16/4) = 6.0206 dB
    e = 2 * s + np.array([1, 1, -1, -1], np.float32)
    assert float(si_snr(s, e)) == pytest.approx(10 * np.log10(4.0), abs=1e-4)
    assert metrics.si_snr(s.astype(float), e.astype(float)) == pytest.approx(6.0206, abs=1e-4)


def test_si_snr_removes_the_mean_and_ignores_scale():
    s = np.array([1, -1, 1, -1], np.float32)
    e = 2 * s + np.array([1, 1, -1, -1], np.float32)
    assert float(si_snr(s + 5, 0.1 * e - 3)) == pytest.approx(6.0206, abs=1e-3)
    # a perfect estimate at any scale: limited only by epsilon
    assert float(si_snr(s, 3 * s)) > 60


@pytest.mark.parametrize("speakers", [2, 3])
def test_pit_finds_the_exact_permutation_and_reorders(speakers):
    rng = np.random.default_rng(speakers)
    refs = rng.standard_normal((len(list(itertools.permutations(range(speakers)))), speakers, 200)).astype(np.float32)
    perms = list(itertools.permutations(range(speakers)))
    ests = np.stack([refs[b][list(p)] for b, p in enumerate(perms)])     # estimate j = source p[j]
    score, perm = best_permutation_si_snr(refs, ests)
    assert np.all(np.asarray(score) > 60)
    np.testing.assert_allclose(np.asarray(reorder(ests, perm)), refs)
    assert np.all(np.asarray(pit_neg_si_snr(refs, ests)) < -60)


def test_pit_loss_is_the_negative_mean_si_snr_of_the_best_assignment():
    rng = np.random.default_rng(5)
    refs = rng.standard_normal((1, 2, 300)).astype(np.float32)
    ests = refs[:, ::-1] + 0.5 * rng.standard_normal((1, 2, 300)).astype(np.float32)
    expected = np.mean([metrics.si_snr(refs[0, j], ests[0, 1 - j]) for j in range(2)])
    assert float(pit_neg_si_snr(refs, ests)[0]) == pytest.approx(-expected, abs=1e-3)
