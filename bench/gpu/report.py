"""Turns the raw outputs of bench/gpu.sh into a table (stdout) and GPU-RESULTS.md + gpu-results.json.

Usage: python3 report.py WORK DEST MODE "GPU sizes" "wasm sizes" AUTO_SIZE REFUSE_SIZE   (sizes as W/B/D, space-separated)
Standard library only (the GPU machine may have no numpy in the Python that runs this). Exit status 1 when the full run
lacked PyTorch or DepthLens-webgpu produced no result at all, else 0.
"""
import json
import math
import os
import re
import sys


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception:  # noqa: BLE001 - absent or cut short
        return None


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def key(size):
    return size.replace("/", "x")


def fmt(x, digits=3):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fit(values):
    """Mean, least-squares slope on the layer index and its naive standard error (residuals taken as independent)."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None and math.isfinite(v)]
    m = len(pts)
    if m < 3:
        return None
    xm = sum(i for i, _ in pts) / m
    ym = sum(v for _, v in pts) / m
    sxx = sum((i - xm) ** 2 for i, _ in pts)
    slope = sum((i - xm) * (v - ym) for i, v in pts) / sxx
    resid = [v - ym - slope * (i - xm) for i, v in pts]
    s2 = sum(r * r for r in resid) / (m - 2)
    sd = math.sqrt(sum((v - ym) ** 2 for _, v in pts) / (m - 1))
    return {"n": m, "mean": ym, "slope": slope, "slopeSE": math.sqrt(s2 / sxx), "sd": sd, "first": pts[0][1], "last": pts[-1][1]}


def stdev(xs):
    if len(xs) < 2:
        return None
    m = sum(xs) / len(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def grad_curve(result):
    return [(layer.get("logGradNorm") or {}).get("mean") for layer in result.get("layers", [])]


def gap_curve(result):
    return [(layer.get("isometryGap") or {}).get("mean") for layer in result.get("layers", [])]


def main():
    work, dest, mode, gpu_sizes, wasm_sizes, auto_size, refuse_size = sys.argv[1:8]
    gpu_sizes, wasm_sizes = gpu_sizes.split(), wasm_sizes.split()
    raw = os.path.join(work, "raw")
    steps = {}
    for line in read(os.path.join(work, "steps.tsv")).splitlines():
        name, rc, secs, cap = line.split("\t")
        steps[name] = {"rc": int(rc), "seconds": int(secs), "timeout": int(cap)}

    def status(name):
        s = steps.get(name)
        if s is None:
            return "not run"
        if s["rc"] == -1:
            return "skipped (out of time)"
        if s["rc"] in (124, 137):
            return f"timed out ({s['timeout']} s)"
        return "ok" if s["rc"] == 0 else f"exit {s['rc']}"

    def last_error(name, lines=3):
        text = read(os.path.join(raw, f"{name}.err")).strip().splitlines()
        for i, t in enumerate(text):  # the CLI prints its usage after a usage error: keep what came before
            if t.startswith("Usage:"):
                text = text[:i]
                break
        text = [t for t in text if t.strip() and not t.startswith("    at ") and "\r" not in t]
        keyed = [t for t in text if re.search(r"error|unknown|refus|needs|fail|not |cannot|too large|GiB", t, re.I)]
        return " ⏎ ".join(t.strip() for t in (keyed or text)[-lines:])[:600]

    machine = dict(line.split("=", 1) for line in read(os.path.join(work, "machine.txt")).splitlines() if "=" in line)
    notes = read(os.path.join(work, "notes.txt")).strip().splitlines()
    torch = load_json(os.path.join(raw, "torch.json")) or {}
    torch_ok = bool(torch.get("available"))
    torch_sizes = {f"{s['width']}/{s['batch']}/{s['depth']}": s for s in torch.get("sizes", [])}
    dl = {}
    for backend, sizes in (("webgpu", gpu_sizes), ("wasm", wasm_sizes)):
        for s in sizes:
            dl[(backend, s)] = load_json(os.path.join(raw, f"dl-{backend}-{key(s)}.json"))
    peak_webgpu = load_json_line(os.path.join(raw, "peak-webgpu.out"))
    peak_wasm = load_json_line(os.path.join(raw, "peak-wasm.out"))
    peak_tiled = load_json_line(os.path.join(raw, "peak-tiled.out"))
    auto = load_json(os.path.join(raw, "auto.json"))

    adapter = None
    for s in gpu_sizes:
        r = dl[("webgpu", s)]
        if r and (r.get("backend") or {}).get("adapter"):
            adapter = r["backend"]["adapter"]
            break
    if adapter is None and peak_webgpu:
        adapter = (peak_webgpu.get("backend") or {}).get("adapter")

    md = []
    w = md.append
    w("# DepthLens on a GPU: webgpu vs wasm vs PyTorch CUDA" + (" (SMOKE RUN: tiny sizes, SwiftShader, not a benchmark)" if mode == "smoke" else ""))
    w("")
    w("`bash bench/gpu.sh` (see bench/README-GPU.md): one run on one machine. Every network: orthogonal (Haar) init, batch norm")
    w("without mean reduction, identity activation, cross-entropy readout, Gaussian data with features = width, one seed. DepthLens")
    w("times come from its result JSON (`timings.initSeconds`, `timings.diagnosticSeconds`: engine time, process start excluded);")
    w("PyTorch: fp32 with TF32 off, autograd, Haar init by QR on the GPU, init and diagnostic timed apart between")
    w("`torch.cuda.synchronize()` calls, diagnostic warmed up then the median of 3 (bench/gpu/torch_pass.py).")
    w("")
    w("## Machine")
    w("")
    for k in ("gpu", "cpu", "memory", "os", "node", "date", "commit", "mode"):
        if k in machine:
            w(f"- {k}: {machine[k]}")
    if torch_ok:
        w(f"- PyTorch: {torch.get('torch')} (CUDA {torch.get('cuda')}), device {torch.get('device')}, TF32 {'on' if torch.get('tf32') else 'off'}")
    else:
        w(f"- PyTorch: not available — {torch.get('error', 'no output (' + status('torch') + ')')}")
    if adapter:
        w("- DepthLens webgpu adapter: " + ", ".join(f"{k} {adapter.get(k)!r}" for k in ("vendor", "architecture", "device", "description", "backendType", "driver", "software") if k in adapter))
    else:
        w("- DepthLens webgpu adapter: none reported")
    for n in notes:
        w(f"- setup: {n}")
    w("")

    w("## Diagnostic, one seed")
    w("")
    w("Seconds. ×PyTorch = DepthLens-webgpu ÷ PyTorch (above 1: DepthLens slower); ÷wasm = webgpu ÷ wasm on this machine's CPU.")
    w("")
    w("| width/batch/depth | webgpu init | webgpu diag | webgpu peak GPU MiB | PyTorch init | PyTorch diag | init ×PyTorch | diag ×PyTorch | wasm init | wasm diag | diag ÷wasm | (init+diag) ÷wasm |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for s in gpu_sizes:
        g = dl[("webgpu", s)]
        t = torch_sizes.get(s) or {}
        a = dl.get(("wasm", s))
        gi = (g or {}).get("timings", {}).get("initSeconds")
        gd = (g or {}).get("timings", {}).get("diagnosticSeconds")
        peak = ((g or {}).get("memory") or {}).get("peakGpuBytes")
        ti, td = t.get("initSeconds"), t.get("diagnosticSeconds")
        ai = (a or {}).get("timings", {}).get("initSeconds")
        ad = (a or {}).get("timings", {}).get("diagnosticSeconds")
        row = {
            "size": s, "webgpuInit": gi, "webgpuDiag": gd, "webgpuPeakGpuBytes": peak, "torchInit": ti, "torchDiag": td,
            "initVsTorch": ratio(gi, ti), "diagVsTorch": ratio(gd, td), "wasmInit": ai, "wasmDiag": ad,
            "diagVsWasm": ratio(gd, ad), "totalVsWasm": ratio((gi or 0) + (gd or 0) if g else None, (ai or 0) + (ad or 0) if a else None),
        }
        rows.append(row)
        gcell = lambda v: fmt(v) if g else status(f"dl-webgpu-{key(s)}")  # noqa: E731
        tcell = lambda v: fmt(v) if t.get("diagnosticSeconds") is not None else ("n/a" if not torch_ok else (t.get("error") or "—")[:40])  # noqa: E731
        acell = lambda v: fmt(v) if a else ("—" if ("wasm", s) not in dl else status(f"dl-wasm-{key(s)}"))  # noqa: E731
        w(f"| {s} | {gcell(gi)} | {gcell(gd)} | {fmt(peak / 2**20, 0) if peak else '—'} | {tcell(ti)} | {tcell(td)} | "
          f"{fmt(row['initVsTorch'], 2)} | {fmt(row['diagVsTorch'], 2)} | {acell(ai)} | {acell(ad)} | {fmt(row['diagVsWasm'], 2)} | {fmt(row['totalVsWasm'], 2)} |")
    w("")

    s0 = gpu_sizes[0]
    one, three = dl.get(("webgpu", s0)), load_json(os.path.join(raw, f"dl-webgpu-seeds3-{key(s0)}.json"))
    if one and three:
        d1, d3 = one.get("timings", {}).get("diagnosticSeconds"), three.get("timings", {}).get("diagnosticSeconds")
        w(f"Three seeds in one batched pass at {s0} (webgpu): diagnostic {fmt(d3)} s against {fmt(d1)} s for one seed "
          f"({fmt(ratio(d3, d1), 2)}×; three separate passes would take ~3×).")
    else:
        w(f"Three seeds in one batched pass at {s0} (webgpu): no result ({status(f'dl-webgpu-seeds3-{key(s0)}')}).")
    w("")

    w("## float32 matmul peak (GFLOP/s)")
    w("")
    w("| engine | shape | GFLOP/s |")
    w("|---|---|---:|")
    for name, res in (("tfjs webgpu (DepthLens's backend)", peak_webgpu), ("tfjs wasm", peak_wasm)):
        if res:
            for m in res.get("matmul", []):
                w(f"| {name} | {'×'.join(map(str, m['shape']))} | {m['gflops']:.3g} |")
        else:
            step_name = "peak-webgpu" if "webgpu" in name else "peak-wasm"
            w(f"| {name} | — | {status(step_name)}: {last_error(step_name, 1)[:120]} |")
    if torch.get("matmul"):
        w(f"| PyTorch, {torch.get('device')} (TF32 off) | {'×'.join(map(str, torch['matmul']['shape']))} | {fmt(torch['matmul']['gflops'], 1)} |")
    else:
        w("| PyTorch (TF32 off) | — | n/a |")
    w("")

    w("## DepthLens's tiled WGSL matmul against tfjs's and PyTorch's (GFLOP/s)")
    w("")
    w("`bench/gpu/peak.ts --kernel both` (src/engine/kernels/webgpu/matmul.ts); ᵀ: that operand stored transposed, as the pass issues it "
      "(W·X from a stored Wᵀ, the XᵀX Gram). Δ: max |tiled − tfjs| / max |tfjs| on the same operands.")
    w("")
    w("| product | tfjs webgpu | tiled webgpu | tiled ÷ tfjs | PyTorch | tiled ÷ PyTorch | Δ |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    tiled_rows = []
    if peak_tiled:
        by_shape = {}
        for m in peak_tiled.get("matmul", []):
            k = (tuple(m["shape"]), bool(m.get("transposeA")), bool(m.get("transposeB")))
            by_shape.setdefault(k, {})[m.get("kernel")] = m
        torch_mm = {(tuple(m["shape"]), bool(m.get("transposeA")), bool(m.get("transposeB"))): m["gflops"] for m in torch.get("matmuls", [])}
        for (shape, ta, tb), kinds in by_shape.items():
            mm, kk, nn = shape
            label = f"{mm}×{kk}{'ᵀ' if ta else ''} · {kk}×{nn}{'ᵀ' if tb else ''}"
            tj = (kinds.get("tfjs") or {}).get("gflops")
            tl = (kinds.get("tiled") or {}).get("gflops")
            pt = torch_mm.get((shape, ta, tb))
            rel = (kinds.get("tiled") or {}).get("relDiffToTfjs")
            tiled_rows.append({"shape": list(shape), "transposeA": ta, "transposeB": tb, "tfjs": tj, "tiled": tl, "torch": pt, "relDiff": rel})
            w(f"| {label} | {fmt(tj, 4)} | {fmt(tl, 4)} | {fmt(tl / tj if tl and tj else None, 2)} | {fmt(pt, 4)} | "
              f"{fmt(tl / pt if tl and pt else None, 2)} | {f'{rel:.1e}' if rel is not None else '—'} |")
    else:
        w(f"| — | — | — | — | — | — | {status('peak-tiled')}: {last_error('peak-tiled', 1)[:120]} |")
    w("")
    chosen = []
    for s in gpu_sizes:
        r = dl[("webgpu", s)]
        mm = ((r or {}).get("backend") or {}).get("matmul")
        if mm:
            chosen.append({"size": s, **mm})
            w(f"- webgpu run {s}: matmul **{mm.get('kernel')}** — {mm.get('reason')}")
    if not chosen:
        w("- no webgpu run reported its matmul choice")
    w("")

    w("## auto and the wasm size check")
    w("")
    if auto:
        b = auto.get("backend") or {}
        w(f"- `--backend auto` at {auto_size}: chose **{b.get('name')}** {b.get('version', '')}; reason: {b.get('reason', '(none given)')}")
    else:
        w(f"- `--backend auto` at {auto_size}: no result ({status('auto')}): {last_error('auto')}")
    refuse = steps.get("wasm-refuse")
    refuse_json = load_json(os.path.join(raw, "wasm-refuse.json"))
    msg = last_error("wasm-refuse", 2)
    if refuse is None or refuse["rc"] == -1:
        verdict = "not run"
    elif refuse_json is not None:
        verdict = "DID NOT REFUSE: it ran and wrote a result"
    elif refuse["rc"] in (124, 137):
        verdict = f"DID NOT REFUSE up front: still running after {refuse['timeout']} s (killed)"
    elif refuse["rc"] != 0 and refuse["seconds"] <= 10:
        verdict = f"refused up front in {refuse['seconds']} s (exit {refuse['rc']})"
    else:
        verdict = f"failed after {refuse['seconds']} s (exit {refuse['rc']})"
    w(f"- wasm at {refuse_size}: {verdict}. Message: `{msg}`")
    w("")

    # ------------------------------------------------------------------ agreement of ln‖∇W‖
    w("## Do the numbers agree? per-layer ln‖∂loss/∂W_ℓ‖")
    w("")
    agreement = {}
    s0 = gpu_sizes[0]
    g0 = dl[("webgpu", s0)]
    a0 = dl.get(("wasm", s0))
    t0 = torch_sizes.get(s0) or {}
    fg = fit(grad_curve(g0)) if g0 else None
    ft = fit(t0.get("logGradNorm") or []) if t0.get("logGradNorm") else None
    if fg and ft:
        spread = [x for x in (torch.get("spread") or {}).get("seeds", [])]
        sd_mean = stdev([x["layerMean"] for x in spread] + [ft["mean"]]) if spread else None
        sd_slope = stdev([x["layerSlope"] for x in spread] + [ft["slope"]]) if spread else None
        d_mean = fg["mean"] - ft["mean"]
        d_slope = fg["slope"] - ft["slope"]
        depth = len(grad_curve(g0))
        z_mean = d_mean / (sd_mean * math.sqrt(2)) if sd_mean else None
        z_slope = d_slope / (sd_slope * math.sqrt(2)) if sd_slope else None
        agree = None
        if z_mean is not None and z_slope is not None:
            agree = abs(z_mean) < 3 and abs(z_slope) < 3
        agreement["webgpuVsTorch"] = {
            "size": s0, "webgpu": fg, "torch": ft, "deltaMean": d_mean, "deltaSlope": d_slope, "deltaOverDepth": d_slope * depth,
            "seedSdMean": sd_mean, "seedSdSlope": sd_slope, "zMean": z_mean, "zSlope": z_slope, "seeds": len(spread) + 1, "agree": agree,
        }
        w(f"DepthLens-webgpu and PyTorch at {s0} use different random streams, so their curves are compared as statistics over the")
        w(f"layers: the layer mean of ln‖∇W‖ and its least-squares slope on ℓ. The yardstick is PyTorch's own seed-to-seed spread")
        w(f"({len(spread) + 1} seeds); z = Δ / (√2 · seed sd), |z| < 3 counts as agreement.")
        w("")
        w("| | layer mean | slope per layer | slope × depth | first layer | last layer | sd over layers |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        w(f"| DepthLens webgpu | {fg['mean']:.4f} | {fg['slope']:.2e} | {fg['slope'] * depth:.3f} | {fg['first']:.3f} | {fg['last']:.3f} | {fg['sd']:.3f} |")
        w(f"| PyTorch (seed 0) | {ft['mean']:.4f} | {ft['slope']:.2e} | {ft['slope'] * depth:.3f} | {ft['first']:.3f} | {ft['last']:.3f} | {ft['sd']:.3f} |")
        w(f"| Δ | {d_mean:+.4f} | {d_slope:+.2e} | {d_slope * depth:+.3f} | | | |")
        if sd_mean is not None:
            w(f"| PyTorch seed sd | {sd_mean:.4f} | {sd_slope:.2e} | {sd_slope * depth:.3f} | | | |")
            w(f"| z | {z_mean:+.2f} | {z_slope:+.2f} | | | | |")
        w("")
        w(f"Verdict: {'AGREE' if agree else 'DISAGREE' if agree is False else 'no seed spread to judge by'} "
          f"(layer means {fg['mean']:.3f} vs {ft['mean']:.3f}, slopes {fg['slope']:.1e} vs {ft['slope']:.1e} per layer).")
        fgap, tgap = gap_curve(g0), t0.get("gap") or []
        if fgap and tgap and fgap[-1] is not None and tgap[-1] is not None:
            w(f"Isometry gap of the last block (one seed each, informative only): webgpu {fgap[-1]:.4f}, PyTorch {tgap[-1]:.4f}.")
        w("")
    else:
        why = []
        if not fg:
            why.append(f"no DepthLens-webgpu curve at {s0} ({status('dl-webgpu-' + key(s0))})")
        if not ft:
            why.append("PyTorch not available" if not torch_ok else f"no PyTorch curve at {s0}")
        w(f"webgpu vs PyTorch: not compared — {'; '.join(why)}.")
        w("")
    # Same RNG, same seed: webgpu and wasm should agree layer by layer to float32 noise.
    for s in wasm_sizes:
        g, a = dl.get(("webgpu", s)), dl.get(("wasm", s))
        if not (g and a):
            continue
        cg, ca = grad_curve(g), grad_curve(a)
        diffs = [abs(x - y) for x, y in zip(cg, ca) if x is not None and y is not None]
        gg, ga = gap_curve(g), gap_curve(a)
        gdiffs = [abs(x - y) for x, y in zip(gg, ga) if x is not None and y is not None]
        if diffs:
            agreement[f"webgpuVsWasm {s}"] = {"maxAbsLogGrad": max(diffs), "meanAbsLogGrad": sum(diffs) / len(diffs), "maxAbsGap": max(gdiffs) if gdiffs else None}
            w(f"webgpu vs wasm at {s} (same seed, same random stream: compared layer by layer): max |Δ ln‖∇W‖| = {max(diffs):.2e}, "
              f"mean {sum(diffs) / len(diffs):.2e}; max |Δ gap| = {max(gdiffs):.2e}." if gdiffs else ".")
    w("")

    failures = [f"- {n}: {status(n)} — {last_error(n)}" for n in steps if steps[n]["rc"] != 0 and n != "wasm-refuse"]
    failures += [f"- torch: {e}" for e in torch.get("errors", [])]
    w("## Steps that failed or were skipped")
    w("")
    w("\n".join(failures) if failures else "none")
    w("")
    w("## Steps")
    w("")
    w("| step | status | seconds |")
    w("|---|---|---:|")
    for n, s in steps.items():
        w(f"| {n} | {status(n)} | {s['seconds']} |")
    w("")

    text = "\n".join(md)
    print(text)
    with open(os.path.join(dest, "GPU-RESULTS.md"), "w") as f:
        f.write(text)
    summary = {
        "mode": mode, "machine": machine, "notes": notes, "adapter": adapter, "rows": rows, "steps": steps, "agreement": agreement,
        "torch": {k: v for k, v in torch.items() if k != "sizes"}, "peakWebgpu": peak_webgpu, "peakWasm": peak_wasm,
        "peakTiled": peak_tiled, "tiledMatmul": tiled_rows, "matmulChosen": chosen,
        "auto": (auto or {}).get("backend"), "wasmRefusal": {"verdict": verdict, "message": msg},
        "torchSizes": [{k: v for k, v in s.items() if k not in ("logGradNorm", "gap")} for s in torch.get("sizes", [])],
    }
    with open(os.path.join(dest, "gpu-results.json"), "w") as f:
        json.dump(summary, f, indent=1, default=str)
    bad = (mode == "full" and not torch_ok) or all(dl[("webgpu", s)] is None for s in gpu_sizes)
    return 1 if bad else 0


def load_json_line(path):
    for line in reversed(read(path).splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


if __name__ == "__main__":
    sys.exit(main())
