// DepthLens benchmark (npm run bench): in one run on one machine, the initialization diagnostic (forward + backward +
// per-layer isometry gap + gradient norms, one seed) on every installed backend, the same computation in plain numpy
// (bench/reference.py; its BLAS on all cores and on one thread, since the wasm backend runs on one thread in Node), a raw
// matrix-multiply peak of each, peak memory, and the latency from a spec edit to the first streamed result through the
// real engine process (dist/engine.js). Prints Markdown tables and writes bench/last-run.json.
//
// Options: --quick (small sizes, 1 repetition: a smoke run), --reps N (default 3), --backends wasm,cpu,
//          --skip-numpy, --skip-latency. The cpu backend runs the two smaller sizes once (it is ~40× slower than numpy).
import { execFileSync, fork } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor2D } from '@tensorflow/tfjs';
import { parseSpec } from '../src/spec/index';
import type { Spec } from '../src/spec/types';
import { selectBackend, type Backend } from '../src/engine/backend';
import { runSeed } from '../src/engine/diagnose';
import { transpose2d } from '../src/engine/kernels/wasm/transpose';
import { IMPLICIT_MIN_WIDTH } from '../src/engine/weights';
import type { BackendChoice } from '../src/shared/result';
import { isEngineEvent, type EngineEvent, type EngineRequest, type RunRequest } from '../src/shared/protocol';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = flag('--quick');
const reps = Number(option('--reps') ?? (quick ? 1 : 3));

interface Size {
  width: number;
  batch: number;
  depth: number;
  /** Also time init + diagnostic together against numpy with its QR init. */
  withInit?: boolean;
  /** Repetitions for the slow backends (cpu), 0 to skip. */
  cpuReps: number;
}

const SIZES: Size[] = quick
  ? [
      { width: 128, batch: 32, depth: 100, cpuReps: 1 },
      { width: 512, batch: 64, depth: 30, withInit: true, cpuReps: 0 },
    ]
  : [
      { width: 512, batch: 64, depth: 1000, cpuReps: 0 },
      { width: 100, batch: 100, depth: 1000, cpuReps: 1 },
      { width: 128, batch: 32, depth: 1000, cpuReps: 1 },
      { width: 512, batch: 64, depth: 300, withInit: true, cpuReps: 0 },
    ];
/** A square peak, then W·X of each benchmark size (d×d · d×n). */
const MATMUL_SHAPES: [number, number, number][] = [
  [512, 512, 512],
  [512, 512, 64],
  [100, 100, 100],
  [128, 128, 32],
];
const BACKENDS = (option('--backends') ?? 'tfjs-node-gpu,tfjs-node,wasm,cpu').split(',') as BackendChoice[];

/** Nominal flops of one layer of the diagnostic: W·X and Wᵀ·dZ (2d²n each) and the two n×n Grams (2dn² each). */
function layerFlops(s: Size): number {
  return 4 * s.width * s.width * s.batch + 4 * s.width * s.batch * s.batch;
}

/** The bytes the backward pass must keep per layer: one d×n float32 representation (the BN output). */
function storedActivationBytes(s: Size): number {
  return s.depth * s.width * s.batch * 4;
}

function specText(s: Size, seeds = 1): string {
  return [
    'depthlens: 1',
    `name: bench ${s.width}x${s.batch}x${s.depth}`,
    `data: { source: gaussian, features: ${s.width}, batch: ${s.batch}, classes: 10 }`,
    `model: { depth: ${s.depth}, width: ${s.width}, init: orthogonal, norm: batchnorm, center: false, eps: 0, activation: identity }`,
    'loss: cross-entropy',
    `diagnostics: { seeds: ${seeds}, seed: 0 }`,
    '',
  ].join('\n');
}

function parse(text: string): Spec {
  const r = parseSpec(text, 'bench.depthlens.yaml');
  if (!r.spec) throw new Error(`bench spec invalid: ${r.problems.map((p) => p.message).join('; ')}`);
  return r.spec;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---------------------------------------------------------------- machine

function machine(): Record<string, string> {
  const cpu = cpus();
  const tfjsVersion = JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')).version as string;
  let gpu = 'none';
  try {
    gpu = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 5000 }).trim() || 'none';
  } catch {
    /* no NVIDIA driver */
  }
  let simd = 'unknown';
  try {
    const flags = new Set(/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim().split(/\s+/) ?? []);
    simd = ['avx2', 'fma', 'avx512f'].filter((x) => flags.has(x)).join(', ') || 'none of avx2/fma/avx512f';
  } catch {
    /* not Linux */
  }
  return {
    cpu: `${cpu[0]?.model ?? 'unknown'} × ${cpu.length} logical cores (${simd})`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    gpu,
    node: process.version,
    tfjs: tfjsVersion,
    loadAverageAtStart: loadavg().map((x) => x.toFixed(2)).join(' '),
    date: new Date().toISOString(),
  };
}

// ---------------------------------------------------------------- numpy

interface NumpySize {
  width: number;
  batch: number;
  depth: number;
  diagnosticSeconds: number;
  peakBytes: number;
  withInitSeconds?: number;
  qrSeconds?: number;
}
interface NumpyResult {
  threads?: string;
  numpy: string;
  blas: string;
  matmul: { shape: [number, number, number]; gflops: number }[];
  sizes: NumpySize[];
}

/** numpy with its BLAS on `threads` threads (null: the library's default, all cores). */
function runNumpy(threads: number | null): NumpyResult | null {
  const job = { reps, matmulShapes: MATMUL_SHAPES, sizes: SIZES.map((s) => ({ width: s.width, batch: s.batch, depth: s.depth, withInit: !!s.withInit })) };
  const env = { ...process.env };
  if (threads !== null) for (const k of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']) env[k] = String(threads);
  try {
    const out = execFileSync('python3', [join(root, 'bench/reference.py'), JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 24, env });
    const result = JSON.parse(out) as NumpyResult;
    result.threads = threads === null ? `default (${cpus().length} cores)` : String(threads);
    return result;
  } catch (e) {
    console.error(`numpy reference unavailable: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

// ---------------------------------------------------------------- tfjs backends

interface EngineSize {
  size: Size;
  runs: number;
  initSeconds: number;
  diagnosticSeconds: number;
  totalSeconds: number;
  peakBytes: number | null;
  /** The pass's backend kernels alone (see kernelsAlone). */
  kernelsSeconds?: number;
  /** The diagnostic with every W formed (weightForm 'formed'), for widths the engine runs factored. */
  formedDiagnosticSeconds?: number;
}
interface BackendResult {
  choice: BackendChoice;
  info: Backend['info'];
  matmul: { shape: [number, number, number]; gflops: number }[];
  sizes: EngineSize[];
}

function matmulPeak(backend: Backend, [m, k, n]: [number, number, number], repeats: number): number {
  const { tf } = backend;
  const a = tf.randomNormal([m, k]) as Tensor2D;
  const b = tf.randomNormal([k, n]) as Tensor2D;
  tf.matMul(a, b).dispose();
  const inner = Math.max(1, Math.round((backend.info.name === 'cpu' ? 2e7 : 2e8) / (2 * m * k * n)));
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    for (let i = 0; i < inner; i++) {
      const c = tf.matMul(a, b);
      if (i === inner - 1) c.dataSync();
      c.dispose();
    }
    times.push((performance.now() - t) / 1000);
  }
  a.dispose();
  b.dispose();
  return (2 * m * k * n * inner) / median(times) / 1e9;
}

/**
 * The backend kernels one diagnostic layer cannot do without, back to back for `depth` layers with nothing else: forward
 * W·X, batch norm, the transpose and Gram of its output; backward the batch-norm backward, the Gram of dZ, Wᵀ·dZ and the
 * max-abs rescale. W cycles through 4 formed matrices. No downloads, no host reduction, no bookkeeping: a floor for any
 * pass built on this backend's kernels, measured in the same run as the rest.
 */
function kernelsAlone(backend: Backend, s: Size): number {
  const { tf } = backend;
  const ws = Array.from({ length: 4 }, () => tf.tidy(() => tf.div(tf.randomNormal([s.width, s.width]), Math.sqrt(s.width))) as Tensor2D);
  const x0 = tf.randomNormal([s.width, s.batch]) as Tensor2D;
  const t = performance.now();
  const saved: { y: Tensor2D; inv: Tensor2D }[] = [];
  let x = x0;
  for (let l = 0; l < s.depth; l++) {
    const [y, inv] = tf.tidy(() => {
      const z = tf.matMul(ws[l % 4], x);
      const inv = tf.rsqrt(tf.mean(tf.square(z), 1, true)) as Tensor2D;
      return [tf.mul(z, inv) as Tensor2D, inv];
    });
    tf.tidy(() => tf.matMul(transpose2d(tf, y), y)).dispose();
    saved.push({ y, inv });
    x = y;
  }
  let g = x.clone();
  for (let l = s.depth - 1; l >= 0; l--) {
    const { y, inv } = saved[l];
    const next = tf.tidy(() => {
      const dz = tf.mul(inv, tf.sub(g, tf.mul(y, tf.mean(tf.mul(g, y), 1, true)))) as Tensor2D;
      tf.matMul(transpose2d(tf, dz), dz);
      const h = tf.matMul(ws[l % 4], dz);
      return tf.mul(h, tf.reciprocal(tf.maximum(tf.max(tf.abs(h)), 1e-30))) as Tensor2D;
    });
    for (const d of [g, y, inv]) d.dispose();
    g = next;
  }
  g.dataSync();
  const seconds = (performance.now() - t) / 1000;
  for (const d of [g, x0, ...ws]) d.dispose();
  return seconds;
}

async function runBackend(choice: BackendChoice): Promise<BackendResult | null> {
  let backend: Backend;
  try {
    backend = await selectBackend(choice);
  } catch (e) {
    console.error(`${choice}: not available (${(e as Error).message.split('\n')[0]})`);
    return null;
  }
  const slow = backend.info.name === 'cpu';
  console.error(`${choice}: ${backend.info.name} ${backend.info.version}`);
  const matmul = MATMUL_SHAPES.map((shape) => ({ shape, gflops: matmulPeak(backend, shape, slow ? 1 : reps) }));
  // Warm-up: V8's JIT, the backend's kernels and the wasm heap (it grows to a run's size once per process, as in the
  // long-lived engine process) are all in place before anything is timed; the slow cpu backend warms up on 4 layers.
  for (const size of SIZES) if (!slow || size.cpuReps > 0) await runSeed(backend, parse(specText(slow ? { ...size, depth: 4 } : size)), 0);
  const sizes: EngineSize[] = [];
  for (const size of SIZES) {
    const runs = slow ? Math.min(size.cpuReps, reps) : reps;
    if (runs === 0) continue;
    const spec = parse(specText(size));
    const init: number[] = [];
    const diag: number[] = [];
    const total: number[] = [];
    // Peak tensor memory: tf.memory() sampled at every progress report (the pass yields every ~50 ms). tf.profile would
    // be exact but keeps a record per kernel and overflows the stack on 1000-layer runs.
    let peakBytes = 0;
    const hooks = { onProgress: () => (peakBytes = Math.max(peakBytes, backend.tf.memory().numBytes)) };
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      const run = await runSeed(backend, spec, 0, hooks);
      total.push((performance.now() - t) / 1000);
      init.push(run.initSeconds);
      diag.push(run.diagnosticSeconds);
    }
    const entry: EngineSize = { size, runs, initSeconds: median(init), diagnosticSeconds: median(diag), totalSeconds: median(total), peakBytes: peakBytes || null };
    if (!slow) {
      entry.kernelsSeconds = median(Array.from({ length: runs }, () => kernelsAlone(backend, size)));
      // Wide orthogonal layers run factored by default; the same pass with every W formed isolates the pass itself.
      if (size.width >= IMPLICIT_MIN_WIDTH) {
        const formed: number[] = [];
        for (let r = 0; r < runs; r++) formed.push((await runSeed(backend, spec, 0, {}, { weightForm: 'formed' })).diagnosticSeconds);
        entry.formedDiagnosticSeconds = median(formed);
      }
    }
    sizes.push(entry);
    console.error(
      `  ${size.width}/${size.batch}/${size.depth}: init ${median(init).toFixed(2)} s, diagnostic ${median(diag).toFixed(2)} s` +
        (entry.kernelsSeconds ? `, kernels alone ${entry.kernelsSeconds.toFixed(2)} s` : '') +
        (entry.formedDiagnosticSeconds ? `, formed W ${entry.formedDiagnosticSeconds.toFixed(2)} s` : ''),
    );
  }
  return { choice, info: backend.info, matmul, sizes };
}

// ---------------------------------------------------------------- latency through the engine process

interface Latency {
  size: Size;
  seeds: number;
  coldFirstPartialMs: number;
  coldDoneMs: number;
  /** The engine's own warm-up (WarmRequest → WarmedEvent), and the first run after it. */
  warmUpMs: number;
  prewarmedFirstPartialMs: number;
  prewarmedDoneMs: number;
  firstPartialMs: number[];
  doneMs: number[];
}

interface EngineSession {
  run(text: string): Promise<{ firstPartialMs: number; doneMs: number }>;
  warm(): Promise<number>;
  close(): void;
}

/** A forked dist/engine.js, as the extension runs it, once it has said `ready`. */
async function engineSession(engine: string, size: Size, seeds: number): Promise<EngineSession> {
  const child = fork(engine, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const events: ((e: EngineEvent) => void)[] = [];
  child.on('message', (m) => {
    if (isEngineEvent(m)) for (const f of events) f(m);
  });
  await new Promise<void>((resolve) => {
    events.push((e) => e.type === 'ready' && resolve());
    setTimeout(resolve, 5000); // an engine that announces nothing still gets runs
  });
  let id = 0;
  return {
    run: (text) =>
      new Promise((resolve, reject) => {
        const myId = ++id;
        const t0 = performance.now();
        let first = NaN;
        events.push((e) => {
          if (!('id' in e) || e.id !== myId) return;
          if (e.type === 'partial' && Number.isNaN(first) && e.result.layers.length > 0) first = performance.now() - t0;
          if (e.type === 'done') resolve({ firstPartialMs: first, doneMs: performance.now() - t0 });
          if (e.type === 'error' || e.type === 'cancelled') reject(new Error(`latency run ${myId}: ${e.type}`));
        });
        const req: RunRequest = {
          type: 'run',
          id: myId,
          text,
          file: join(root, 'bench/latency.depthlens.yaml'),
          options: { backend: 'wasm', quick: { maxDepth: size.depth, maxWidth: size.width, seeds }, sweep: false, train: false },
        };
        child.send(req);
      }),
    warm: () =>
      new Promise((resolve, reject) => {
        events.push((e) => {
          if (e.type !== 'warmed') return;
          if (e.backend) resolve(e.milliseconds);
          else reject(new Error(`warm-up failed: ${e.message}`));
        });
        child.send({ type: 'warm', id: 0, backend: 'wasm' } satisfies EngineRequest);
      }),
    close: () => {
      child.send({ type: 'shutdown' });
      setTimeout(() => child.kill(), 2000).unref();
    },
  };
}

async function measureLatency(): Promise<Latency | null> {
  const engine = join(root, 'dist/engine.js');
  if (!existsSync(engine)) {
    console.error('latency: dist/engine.js missing (run npm run build)');
    return null;
  }
  const size: Size = { width: 128, batch: 32, depth: 200, cpuReps: 0 };
  const seeds = 3;
  const fresh = await engineSession(engine, size, seeds);
  const warmed = await engineSession(engine, size, seeds);
  try {
    const cold = await fresh.run(specText(size, seeds));
    const firstPartialMs: number[] = [];
    const doneMs: number[] = [];
    // Edits: the depth changes by one each time, as a user typing would.
    for (let k = 0; k < Math.max(3, reps + 2); k++) {
      const r = await fresh.run(specText({ ...size, depth: size.depth - 1 - k }, seeds));
      firstPartialMs.push(r.firstPartialMs);
      doneMs.push(r.doneMs);
    }
    // The extension warms its engine when it activates (auto-run on): the session's first edit after that.
    const warmMs = await warmed.warm();
    const first = await warmed.run(specText(size, seeds));
    return {
      size,
      seeds,
      coldFirstPartialMs: cold.firstPartialMs,
      coldDoneMs: cold.doneMs,
      warmUpMs: warmMs,
      prewarmedFirstPartialMs: first.firstPartialMs,
      prewarmedDoneMs: first.doneMs,
      firstPartialMs,
      doneMs,
    };
  } finally {
    fresh.close();
    warmed.close();
  }
}

// ---------------------------------------------------------------- report

function report(m: Record<string, string>, nps: NumpyResult[], backends: BackendResult[], latency: Latency | null): string {
  const lines: string[] = [];
  const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '—');
  const mib = (b: number | null): string => (b === null ? '—' : `${(b / 2 ** 20).toFixed(0)} MiB`);
  const npName = (np: NumpyResult): string => `numpy (${np.threads === '1' ? '1 thread' : 'all cores'})`;
  lines.push('## Machine', '');
  for (const [k, v] of Object.entries(m)) lines.push(`- ${k}: ${v}`);
  if (nps[0]) lines.push(`- numpy: ${nps[0].numpy} (${nps[0].blas}), float32; BLAS threads: ${nps.map((n) => n.threads).join(' and ')}`);
  lines.push(`- repetitions: ${reps} (median reported); cpu backend: one repetition, smaller sizes only`, '');

  lines.push('## Matrix-multiply peak (GFLOP/s)', '');
  const cols = [...backends.map((b) => b.info.name), ...nps.map(npName)];
  lines.push(`| shape m×k·k×n | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`);
  MATMUL_SHAPES.forEach((s, i) => {
    lines.push(`| ${s.join('×')} | ${[...backends.map((b) => f(b.matmul[i].gflops, 1)), ...nps.map((n) => f(n.matmul[i].gflops, 1))].join(' | ')} |`);
  });
  lines.push('');

  lines.push('## Diagnostic, one seed (orthogonal init, BN without mean, identity, cross-entropy)', '');
  lines.push('Seconds are medians. "diagnostic" excludes weight init (forward + backward + gaps + gradient norms); GFLOP/s counts');
  lines.push("4d²n + 4dn² per layer for every row. numpy's diagnostic cycles 8 pre-drawn Haar matrices; its \"init + diag\" draws each W");
  lines.push('by LAPACK QR inside the pass. Ratios: this row ÷ numpy on all cores / ÷ numpy on 1 thread, measured in the same run.');
  lines.push('');
  lines.push('"kernels alone" runs only the backend kernels a layer cannot do without (W·X, batch norm, two transposes and Grams,');
  lines.push('the batch-norm backward, Wᵀ·dZ, the rescale), back to back, with no download, host reduction or bookkeeping: a floor');
  lines.push('for any pass on that backend. "formed W" rows run the same pass with every orthogonal W formed (the engine keeps wide');
  lines.push('orthogonal layers factored, which is cheaper in init + diagnostic).');
  lines.push('');
  lines.push('| backend | width/batch/depth | init s | diagnostic s | GFLOP/s | ÷ own W·X matmul rate | diag × numpy | kernels alone s (× numpy) | init + diag s | (init + diag) × numpy with QR | peak memory | ÷ stored activations |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of SIZES) {
    const refs = nps.map((np) => np.sizes.find((r) => r.width === s.width && r.batch === s.batch && r.depth === s.depth) ?? null);
    const flops = layerFlops(s) * s.depth;
    const label = `${s.width}/${s.batch}/${s.depth}`;
    const shape = MATMUL_SHAPES.findIndex(([m, k, n]) => m === s.width && k === s.width && n === s.batch);
    const ofPeak = (gflops: number, rates: { gflops: number }[]): string => (shape >= 0 ? `${f((100 * gflops) / rates[shape].gflops, 0)}%` : '—');
    const ratios = (x: number, pick: (r: NumpySize) => number | undefined, d: number): string =>
      refs.some((r) => r && pick(r)) ? refs.map((r) => (r && pick(r) ? f(x / pick(r)!, d) : '—')).join(' / ') : '—';
    for (const b of backends) {
      const e = b.sizes.find((x) => x.size === s);
      if (!e) continue;
      const withInit = e.initSeconds + e.diagnosticSeconds;
      lines.push(
        `| ${b.info.name}${e.runs === 1 ? ' (1 run)' : ''} | ${label} | ${f(e.initSeconds)} | ${f(e.diagnosticSeconds)} | ${f(flops / e.diagnosticSeconds / 1e9, 1)} | ` +
          `${ofPeak(flops / e.diagnosticSeconds / 1e9, b.matmul)} | ` +
          `${ratios(e.diagnosticSeconds, (r) => r.diagnosticSeconds, 1)} | ` +
          `${e.kernelsSeconds ? `${f(e.kernelsSeconds)} (${ratios(e.kernelsSeconds, (r) => r.diagnosticSeconds, 1)})` : '—'} | ` +
          `${f(withInit)} | ${s.withInit ? ratios(withInit, (r) => r.withInitSeconds, 2) : '—'} | ` +
          `${mib(e.peakBytes)} | ${e.peakBytes === null ? '—' : f(e.peakBytes / storedActivationBytes(s), 1)} |`,
      );
      if (e.formedDiagnosticSeconds) {
        const d = e.formedDiagnosticSeconds;
        lines.push(
          `| ${b.info.name}, formed W | ${label} | — | ${f(d)} | ${f(flops / d / 1e9, 1)} | ${ofPeak(flops / d / 1e9, b.matmul)} | ` +
            `${ratios(d, (r) => r.diagnosticSeconds, 1)} | — | — | — | — | — |`,
        );
      }
    }
    nps.forEach((np, k) => {
      const ref = refs[k];
      if (!ref) return;
      lines.push(
        `| ${npName(np)} | ${label} | ${ref.qrSeconds ? `QR ${f(ref.qrSeconds * 1000, 1)} ms/layer` : '—'} | ${f(ref.diagnosticSeconds)} | ${f(flops / ref.diagnosticSeconds / 1e9, 1)} | ` +
          `${ofPeak(flops / ref.diagnosticSeconds / 1e9, np.matmul)} | — | — | ` +
          `${ref.withInitSeconds ? f(ref.withInitSeconds) : '—'} | — | ${mib(ref.peakBytes)} | ${f(ref.peakBytes / storedActivationBytes(s), 1)} |`,
      );
    });
  }
  lines.push('', `Stored activations: depth × width × batch × 4 bytes (the BN output each layer's backward needs). DepthLens peak: tensor bytes`);
  lines.push('sampled at the pass\'s ~50 ms yields; numpy peak: tracemalloc (its pooled weights excluded).', '');

  if (latency) {
    const l = latency;
    lines.push(`## Edit → first streamed result (engine process, wasm, quick run: ${l.seeds} seeds, width ${l.size.width}, batch ${l.size.batch}, depth ≤ ${l.size.depth})`, '');
    lines.push('| | first partial result ms | run complete ms |', '|---|---:|---:|');
    lines.push(`| cold (engine just forked, backend starting) | ${f(l.coldFirstPartialMs, 0)} | ${f(l.coldDoneMs, 0)} |`);
    lines.push(`| first edit after the engine's warm-up (as the extension does on activation; the warm-up took ${f(l.warmUpMs, 0)} ms) | ${f(l.prewarmedFirstPartialMs, 0)} | ${f(l.prewarmedDoneMs, 0)} |`);
    lines.push(`| edit, warm engine (median of ${l.doneMs.length}) | ${f(median(l.firstPartialMs), 0)} | ${f(median(l.doneMs), 0)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const m = machine();
  // --latency-only: just the edit → first streamed result measurement (minutes less than the whole bench).
  const latencyOnly = flag('--latency-only');
  const nps = flag('--skip-numpy') || latencyOnly ? [] : [runNumpy(null), runNumpy(1)].filter((r): r is NumpyResult => r !== null);
  const backends: BackendResult[] = [];
  for (const choice of latencyOnly ? [] : BACKENDS) {
    const r = await runBackend(choice);
    if (r) backends.push(r);
  }
  const latency = flag('--skip-latency') ? null : await measureLatency();
  m.loadAverageAtEnd = loadavg().map((x) => x.toFixed(2)).join(' ');
  m.benchSeconds = ((performance.now() - started) / 1000).toFixed(0);
  const md = report(m, nps, backends, latency);
  console.log(md);
  writeFileSync(join(root, 'bench/last-run.json'), JSON.stringify({ machine: m, numpy: nps, backends, latency }, null, 2));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
