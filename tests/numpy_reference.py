"""An independent NumPy implementation of the original network, read straight from the Keras 2
HDF5 checkpoint following ARCHITECTURE.md step by step. Tests compare the Keras model against it
for input lengths the reference pair does not cover."""
import h5py
import numpy as np

K, HOP, N = 256, 128, 64


def _load(path):
    f = h5py.File(path, "r")
    def group(name):
        names = [n.decode() for n in f[name].attrs["weight_names"]]
        return [np.asarray(f[name][n], np.float64) for n in names]
    weights = {"conv": group("conv1d")[0], "blocks": [group(b) for b in ("dprnn_block", "dprnn_block_1", "dprnn_block_2")],
               "dec": [group("dense_6")[0], group("dense_7")[0]]}
    f.close()
    return weights


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _lstm(x, kernel, recurrent, bias, reverse=False):
    """x (batch, steps, in) -> (batch, steps, units); Keras gate order i, f, c, o."""
    batch, steps, _ = x.shape
    units = recurrent.shape[0]
    h = np.zeros((batch, units))
    c = np.zeros((batch, units))
    out = np.zeros((batch, steps, units))
    proj = x @ kernel + bias
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for t in order:
        z = proj[:, t] + h @ recurrent
        i, f, g, o = np.split(z, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        out[:, t] = h
    return out


def _bilstm(x, w):
    return np.concatenate([_lstm(x, *w[0:3]), _lstm(x, *w[3:6], reverse=True)], axis=-1)


def _gln(x, eps=1e-3):
    return (x - x.mean()) / np.sqrt(x.var() + eps)


def separate(path, mixture):
    """mixture (T,), T a multiple of K -> (2, T), float64."""
    w = _load(path)
    T = mixture.shape[0]
    padded = np.concatenate([mixture.astype(np.float64), [0.0]])
    frames = np.stack([padded[t:t + 2] for t in range(T)])            # (T, 2), "same" padding
    E = frames @ w["conv"][:, 0, :]                                      # (T, N)
    S = 2 * T // K - 1
    x = np.stack([E[s * HOP:s * HOP + K] for s in range(S)])            # (S, K, N)
    for b, bw in enumerate(w["blocks"]):
        intra = _bilstm(x, bw[0:6]) @ bw[6] + bw[7]                       # sequences: chunks
        intra = _gln(intra) + x
        inter_in = intra.transpose(1, 0, 2)                               # (K, S, N)
        inter = (_bilstm(inter_in, bw[8:14]) @ bw[14] + bw[15]).transpose(1, 0, 2)
        inter = _gln(inter)
        x = inter + intra if b < 2 else inter
    masks = np.zeros((T, 2 * N))
    for s in range(S):
        masks[s * HOP:s * HOP + K] += x[s]
    out = []
    for spk in range(2):
        pieces = (masks[:, spk * N:(spk + 1) * N] * E) @ w["dec"][spk]  # (T, 2)
        y = np.zeros(T + 1)
        y[:T] += pieces[:, 0]
        y[1:] += pieces[:, 1]
        out.append(y[:T])
    return np.stack(out)
