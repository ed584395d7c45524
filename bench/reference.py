"""Plain numpy float32 reference of DepthLens's initialization diagnostic, for bench/run.ts.

One seed of: X_{l+1} = BN(W_l X_l) (BN without mean reduction, identity activation, orthogonal W), the isometry gap of
every block output (log-det by Cholesky in float64 of the Gram: on the BLAS in float32 for n < d/2, in float64 from X
otherwise, as DepthLens takes it: src/engine/blockGap.ts), cross-entropy of a linear readout, and
the backward pass with ||dL/dW_l||_F = ||dZ_l X_l^T||_F for every layer, written the way one would write it by hand.

Input: a JSON job on argv[1]; output: one JSON object on stdout. Timings are medians of `reps` runs.
"""
import json
import sys
import time
import tracemalloc

import numpy as np


def haar(d, rng):
    """Haar orthogonal by LAPACK QR of a Gaussian matrix with Mezzadri's sign correction."""
    q, r = np.linalg.qr(rng.standard_normal((d, d), dtype=np.float32))
    return q * np.sign(np.diag(r))


def gap(x):
    d, n = x.shape
    if 2 * n >= d:
        x64 = x.astype(np.float64)
        g = x64.T @ x64
    else:
        g = (x.T @ x).astype(np.float64)
    n = g.shape[0]
    chol = np.linalg.cholesky(g)
    return float(np.log(np.trace(g) / n) - 2.0 * np.sum(np.log(np.diag(chol))) / n)


def diagnostic(x0, labels, readout, weights):
    """weights[l] is W_l: a list, or FreshHaar to draw each W_l inside the timed pass."""
    depth = len(weights) if isinstance(weights, list) else weights.depth
    xs, ws, invs = [], [], []
    gaps = np.empty(depth)
    x = x0
    for l in range(depth):
        w = weights[l]
        z = w @ x
        inv = 1.0 / np.sqrt(np.mean(z * z, axis=1, keepdims=True))
        y = z * inv
        xs.append(x)
        ws.append(w)
        invs.append((inv, y))
        gaps[l] = gap(y)
        x = y
    logits = readout @ x
    logits = logits - logits.max(axis=0, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=0, keepdims=True)
    n = x.shape[1]
    onehot = np.zeros_like(p)
    onehot[labels, np.arange(n)] = 1
    g = readout.T @ ((p - onehot) / n)
    log_norms = np.empty(depth)
    log_scale = 0.0
    for l in range(depth - 1, -1, -1):
        inv, y = invs[l]
        dz = inv * (g - y * np.mean(g * y, axis=1, keepdims=True))
        log_norms[l] = log_scale + np.log(np.linalg.norm(dz @ xs[l].T))
        g = ws[l].T @ dz
        # rescale so deep gradients stay inside float32 (the engine does the same)
        m = float(np.abs(g).max())
        g /= m
        log_scale += np.log(m)
    return gaps, log_norms


class FreshHaar:
    """W_l drawn (QR) when the pass asks for it: init + diagnostic timed together."""

    def __init__(self, d, depth, rng):
        self.d, self.depth, self.rng = d, depth, rng

    def __getitem__(self, l):
        return haar(self.d, self.rng)


def median_time(fn, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), times


def run_size(width, batch, depth, reps, with_init, pool):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((width, batch), dtype=np.float32)
    labels = rng.integers(0, 10, size=batch)
    readout = (rng.standard_normal((10, width), dtype=np.float32) / np.sqrt(width)).astype(np.float32)
    # The diagnostic alone: cycle a pool of Haar matrices (its cost does not depend on which orthogonal W it multiplies).
    pool_ws = [haar(width, rng) for _ in range(pool)]
    weights = [pool_ws[l % pool] for l in range(depth)]
    out = {"width": width, "batch": batch, "depth": depth}
    out["diagnosticSeconds"], out["diagnosticRuns"] = median_time(lambda: diagnostic(x0, labels, readout, weights), reps)
    tracemalloc.start()
    diagnostic(x0, labels, readout, weights)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out["peakBytes"] = peak
    if with_init:
        out["withInitSeconds"], out["withInitRuns"] = median_time(
            lambda: diagnostic(x0, labels, readout, FreshHaar(width, depth, np.random.default_rng(1))), reps
        )
        out["qrSeconds"], _ = median_time(lambda: haar(width, rng), 5)
    return out


def matmul_peak(m, k, n, reps):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    inner = max(1, int(2e8 // (2 * m * k * n)))

    def go():
        for _ in range(inner):
            a @ b

    t, _ = median_time(go, reps)
    return 2.0 * m * k * n * inner / t / 1e9


def main():
    job = json.loads(sys.argv[1])
    result = {
        "numpy": np.__version__,
        "blas": blas_name(),
        "matmul": [{"shape": s, "gflops": matmul_peak(*s, job["reps"])} for s in job["matmulShapes"]],
        "sizes": [
            run_size(s["width"], s["batch"], s["depth"], job["reps"], s.get("withInit", False), job.get("pool", 8))
            for s in job["sizes"]
        ],
    }
    json.dump(result, sys.stdout)


def blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f'{blas.get("name")} {blas.get("version", "")}'.strip()
    except Exception:  # older numpy: no dict mode
        return "unknown"


if __name__ == "__main__":
    main()
