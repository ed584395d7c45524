"""PyTorch (CUDA, float32, TF32 off) anchor for bench/gpu.sh: DepthLens's initialization diagnostic done with autograd.

One seed of, per size: X (d×n, N(0,1)), W_l Haar-orthogonal (QR of a Gaussian on the GPU, Mezzadri's sign fix),
H = BN(W X) without mean reduction (each row divided by its rms over the batch), identity activation, a linear readout
(10×d, N(0, 1/d)) + cross-entropy on uniform labels; autograd gives every ∂loss/∂W_l and the pass reports ln‖∂loss/∂W_l‖_F
and the isometry gap of every block output (n×n Gram in float32, log-det by Cholesky in float64), like DepthLens does.
Orthogonal weights with an identity activation keep the gradients O(1), so float32 needs no rescaled backward here.

Init (drawing every W_l) and the diagnostic (forward + backward + gaps + norms, results copied to the host) are timed
apart, each bracketed by torch.cuda.synchronize(); the diagnostic is warmed up once per size and its median over `reps`
runs is reported. Also: a float32 matmul peak, and, at the first size, the layer mean and slope of ln‖∇W‖ over extra
seeds (the seed-to-seed spread that bench/gpu/report.py judges DepthLens against).

Usage: python3 torch_pass.py '<job json>' out.json   (job: sizes [[w,b,d],...], reps, matmul, matmulShapes [[m,k,n,tA,tB],...],
       spreadSeeds, deadlineSeconds)
The output file is rewritten after every step, so a run killed by its timeout still leaves what it measured.
Without torch (or CUDA, unless the job says allowCpu: the smoke run) it writes {"available": false, "error": ...} and exits 3.
"""
import json
import math
import os
import sys
import time
import traceback

T0 = time.perf_counter()


def main():
    job = json.loads(sys.argv[1])
    out_path = sys.argv[2]
    result = {"available": False}

    def save():
        tmp = out_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(result, f)
        os.replace(tmp, out_path)

    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means "not available"
        result["error"] = f"PyTorch not available ({type(e).__name__}: {e})"
        save()
        print(result["error"], file=sys.stderr)
        sys.exit(3)
    cuda = torch.cuda.is_available()
    if not cuda and not job.get("allowCpu"):
        result["error"] = f"PyTorch {torch.__version__} is installed but CUDA is not available"
        save()
        print(result["error"], file=sys.stderr)
        sys.exit(3)

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    # allowCpu (the smoke run only): no CUDA → the same code on the CPU, reported as such, so the flow can be tested.
    dev = torch.device("cuda" if cuda else "cpu")
    result.update(
        available=True,
        torch=torch.__version__,
        cuda=torch.version.cuda,
        device=torch.cuda.get_device_name(dev) if cuda else f"CPU ({torch.get_num_threads()} threads; no CUDA: smoke only)",
        deviceMemoryBytes=int(torch.cuda.get_device_properties(dev).total_memory) if cuda else None,
        tf32=bool(torch.backends.cuda.matmul.allow_tf32),
        sizes=[],
        errors=[],
    )
    save()
    deadline = float(job.get("deadlineSeconds", 1e9))
    reps = int(job.get("reps", 3))

    def sync():
        if cuda:
            torch.cuda.synchronize(dev)

    def haar(d, gen):
        q, r = torch.linalg.qr(torch.randn(d, d, device=dev, generator=gen))
        return q * torch.sign(torch.diagonal(r)).unsqueeze(0)  # column j times sign(R_jj)

    def init(d, depth, seed):
        gen = torch.Generator(device=dev)
        gen.manual_seed(seed)
        sync()
        t = time.perf_counter()
        ws = [haar(d, gen).requires_grad_() for _ in range(depth)]
        sync()
        return ws, time.perf_counter() - t

    def data(d, n, seed):
        gen = torch.Generator(device=dev)
        gen.manual_seed(10_000 + seed)
        x0 = torch.randn(d, n, device=dev, generator=gen)
        labels = torch.randint(0, 10, (n,), device=dev, generator=gen)
        readout = torch.randn(10, d, device=dev, generator=gen) / math.sqrt(d)
        return x0, labels, readout

    def diagnostic(ws, x0, labels, readout):
        x = x0
        grams = []
        for w in ws:
            z = w @ x
            y = z * torch.rsqrt(torch.mean(z * z, dim=1, keepdim=True))
            yd = y.detach()
            grams.append(yd.T @ yd)
            x = y
        logits = readout @ x  # classes × n
        loss = torch.nn.functional.cross_entropy(logits.T, labels)
        grads = torch.autograd.grad(loss, ws)
        try:
            norms = torch.stack(torch._foreach_norm(grads))
        except Exception:  # noqa: BLE001 - older torch
            norms = torch.stack([torch.linalg.vector_norm(g) for g in grads])
        g = torch.stack(grams).double()
        n = g.shape[-1]
        chol, info = torch.linalg.cholesky_ex(g)
        logdet = 2.0 * torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)
        gaps = torch.log(torch.diagonal(g, dim1=-2, dim2=-1).sum(-1) / n) - logdet / n
        gaps = torch.where(info == 0, gaps, torch.full_like(gaps, float("inf")))
        return float(loss.detach().cpu()), torch.log(norms).double().cpu().tolist(), gaps.cpu().tolist()

    def timed_diagnostic(ws, x0, labels, readout):
        sync()
        t = time.perf_counter()
        out = diagnostic(ws, x0, labels, readout)
        sync()
        return out, time.perf_counter() - t

    def fit(values):
        """Least-squares slope of values on the layer index, and the mean."""
        m = len(values)
        xs = range(m)
        xm = (m - 1) / 2
        ym = sum(values) / m
        sxx = sum((x - xm) ** 2 for x in xs) or 1.0
        return ym, sum((x - xm) * (y - ym) for x, y in zip(xs, values)) / sxx

    # Warm-up: CUDA context, cuBLAS, cuSOLVER and the autograd engine, on a small pass.
    t = time.perf_counter()
    ws, _ = init(64, 4, 123)
    x0, labels, readout = data(64, 16, 123)
    diagnostic(ws, x0, labels, readout)
    del ws
    result["warmupSeconds"] = time.perf_counter() - t
    save()

    for width, batch, depth in job["sizes"]:
        if time.perf_counter() - T0 > deadline:
            result["errors"].append(f"{width}/{batch}/{depth}: skipped, past the {deadline:.0f} s deadline")
            save()
            continue
        entry = {"width": width, "batch": batch, "depth": depth}
        ws = None
        try:
            haar(width, torch.Generator(device=dev))  # warm cuSOLVER at this size (untimed)
            ws, entry["initSeconds"] = init(width, depth, 0)
            x0, labels, readout = data(width, batch, 0)
            diagnostic(ws, x0, labels, readout)  # warm-up at this size
            if cuda:
                torch.cuda.reset_peak_memory_stats(dev)
            runs = []
            for _ in range(reps):
                (loss, lognorms, gaps), s = timed_diagnostic(ws, x0, labels, readout)
                runs.append(s)
            entry["diagnosticSeconds"] = sorted(runs)[len(runs) // 2]
            entry["diagnosticRuns"] = runs
            entry["peakBytes"] = int(torch.cuda.max_memory_allocated(dev)) if cuda else None
            entry["loss"] = loss
            entry["logGradNorm"] = lognorms
            entry["gap"] = gaps
            entry["layerMean"], entry["layerSlope"] = fit(lognorms)
        except Exception as e:  # noqa: BLE001 - record and go on with the next size
            entry["error"] = f"{type(e).__name__}: {e}"
            result["errors"].append(f"{width}/{batch}/{depth}: {entry['error']}")
            traceback.print_exc()
        ws = None
        if cuda:
            torch.cuda.empty_cache()
        result["sizes"].append(entry)
        save()
        print(f"torch {width}/{batch}/{depth}: init {entry.get('initSeconds', float('nan')):.3f} s, "
              f"diagnostic {entry.get('diagnosticSeconds', float('nan')):.3f} s", file=sys.stderr, flush=True)

    # Seed-to-seed spread of the layer mean and slope of ln‖∇W‖ at the first size.
    k = int(job.get("spreadSeeds", 0))
    if k > 0 and job["sizes"] and time.perf_counter() - T0 < deadline:
        width, batch, depth = job["sizes"][0]
        seeds = []
        try:
            for s in range(1, k + 1):
                if time.perf_counter() - T0 > deadline:
                    break
                ws, _ = init(width, depth, s)
                x0, labels, readout = data(width, batch, s)
                _, lognorms, _ = diagnostic(ws, x0, labels, readout)
                mean, slope = fit(lognorms)
                seeds.append({"seed": s, "layerMean": mean, "layerSlope": slope, "first": lognorms[0], "last": lognorms[-1]})
                del ws
        except Exception as e:  # noqa: BLE001
            result["errors"].append(f"spread seeds: {type(e).__name__}: {e}")
        result["spread"] = {"width": width, "batch": batch, "depth": depth, "seeds": seeds}
        save()

    m = int(job.get("matmul", 4096))
    if time.perf_counter() - T0 < deadline:
        try:
            a = torch.randn(m, m, device=dev)
            b = torch.randn(m, m, device=dev)
            for _ in range(3):
                a @ b
            inner = 20
            times = []
            for _ in range(3):
                sync()
                t = time.perf_counter()
                for _ in range(inner):
                    a @ b
                sync()
                times.append(time.perf_counter() - t)
            result["matmul"] = {"shape": [m, m, m], "gflops": 2.0 * m**3 * inner / sorted(times)[1] / 1e9}
            del a, b
        except Exception as e:  # noqa: BLE001
            result["errors"].append(f"matmul: {type(e).__name__}: {e}")
    # The products bench/gpu/peak.ts times on webgpu (tfjs's and the tiled kernel): [m, k, n, transposeA, transposeB],
    # op(A) m×k, op(B) k×n, a transposed operand stored transposed and multiplied through a view (as cuBLAS is asked to).
    result["matmuls"] = []
    for m_, k_, n_, ta, tb in job.get("matmulShapes", []):
        if time.perf_counter() - T0 >= deadline:
            break
        try:
            a = torch.randn(*((k_, m_) if ta else (m_, k_)), device=dev)
            b = torch.randn(*((n_, k_) if tb else (k_, n_)), device=dev)
            opa = a.t() if ta else a
            opb = b.t() if tb else b
            for _ in range(3):
                opa @ opb
            flops = 2.0 * m_ * k_ * n_
            inner = max(1, min(50, int(1e12 / flops)))
            times = []
            for _ in range(3):
                sync()
                t = time.perf_counter()
                for _ in range(inner):
                    opa @ opb
                sync()
                times.append(time.perf_counter() - t)
            result["matmuls"].append({"shape": [m_, k_, n_], "transposeA": bool(ta), "transposeB": bool(tb), "gflops": flops * inner / sorted(times)[1] / 1e9})
            del a, b, opa, opb
        except Exception as e:  # noqa: BLE001
            result["errors"].append(f"matmul {m_}x{k_}x{n_}: {type(e).__name__}: {e}")
        save()
    result["seconds"] = time.perf_counter() - T0
    save()


if __name__ == "__main__":
    main()
