// `auto`'s choice between wasm and a hardware WebGPU adapter by predicted seconds, not by a fixed order (DESIGN §4). The
// constants are measured: wasm's on the 2-core development machine (bench/RESULTS.md: 512/64/1000 init 7.7 s + diagnostic
// 4.3 s, 100/100/1000 0.9 + 0.8 s), the GPU's on an H200 (shared/notes/webgpu-in-node.md: ~60 µs per tfjs op with operands
// made once, tfjs matMul 150 GFLOP/s at 512³ and ~2 TFLOP/s at 4096×4096×64). A faster CPU moves the crossover up, a
// slower GPU driver moves it down; bench/gpu.sh measures it on the machine at hand.
import type { BackendName } from '../../shared/result';

/** The size of the work a run will do, in the terms the cost model needs. */
export interface Workload {
  width: number;
  batch: number;
  features: number;
  /** Weight layers of one diagnostic pass. */
  depth: number;
  /** Diagnostic passes: seeds, plus the depth sweep's passes counted in units of `depth`. */
  passes: number;
  /**
   * The same passes as a GPU runs them, seeds batched (../seedPlan): one sequence of dispatches per depth for all seeds.
   * Absent: one per pass.
   */
  batchedPasses?: number;
  orthogonal: boolean;
}

/** "128×32×100" (width × batch × depth), with " ×2 passes" when the run makes more than one. */
export function workloadText(w: Workload): string {
  const passes = Number.isInteger(w.passes) ? String(w.passes) : w.passes.toFixed(1);
  return `${w.width}×${w.batch}×${w.depth}${w.passes !== 1 ? ` ×${passes} passes` : ''}`;
}

export interface Prediction {
  seconds: number;
  /** A short "how": which term dominates, for the reason line. */
  detail: string;
}

const WASM_FLOPS = 17e9;
const WASM_LAYER_OVERHEAD_S = 0.3e-3;
/** Orthogonal weights on wasm: Householder draws on the host and the blocked forming (or the factored form's set-up). */
const WASM_ORTHOGONAL_INIT_LAYER_S = 0.8e-3;
const WASM_ORTHOGONAL_INIT_PER_WEIGHT_S = 27e-9;
/** Host work per weight entry on any backend: drawing (ziggurat, ~18 ns per normal here) and uploading a Gaussian weight. */
const HOST_DRAW_PER_WEIGHT_S = 18e-9;
/**
 * Dispatches per layer of the pass on webgpu, and per 64-reflector block of forming an orthogonal W, as counted by
 * bench/webgpu-dispatches.ts (bench/RESULTS.md: 13.6 a layer for a Gaussian identity net at 128/32, 18.7 with tanh;
 * drawing and forming an orthogonal W 18 a layer at width 128, two blocks). A batched pass of several seeds makes the pass's dispatches once for all
 * of them, plus one per layer to stack the seeds' weights; forming each seed's orthogonal W stays per seed.
 */
const GPU_PASS_DISPATCHES = 14;
const GPU_BATCH_DISPATCHES = 1;
/** Forming a block (8 counted) plus drawing its reflectors on the device (../haarDraw, kernels/webgpu/reflectors). */
const GPU_INIT_DISPATCHES_PER_BLOCK = 9;
/** What one dispatch costs on a GPU (tfjs ops, operands made once). */
const GPU_DISPATCH_S = 60e-6;
const GPU_FLOPS_SMALL = 150e9;
const GPU_FLOPS_LARGE = 2e12;
/** Device creation and first-use shader compilation, paid once per engine process. */
const GPU_START_S = 1.5;
/**
 * `auto` takes the GPU only when it is predicted at least this many times faster: its constants are less certain than
 * wasm's (measured on other machines), and a wrong pick of the GPU costs more than a wrong pick of wasm at these sizes.
 */
export const AUTO_GPU_MARGIN = 1.5;

function passFlops(w: Workload): number {
  const d = w.width;
  const n = w.batch;
  return 4 * d * d * n + 4 * d * n * n;
}

export function predictWasm(w: Workload): Prediction {
  const layers = w.depth * w.passes;
  const d2 = w.width * w.width;
  const diag = layers * (passFlops(w) / WASM_FLOPS + WASM_LAYER_OVERHEAD_S);
  const init = layers * (w.orthogonal ? WASM_ORTHOGONAL_INIT_LAYER_S + WASM_ORTHOGONAL_INIT_PER_WEIGHT_S * d2 : HOST_DRAW_PER_WEIGHT_S * d2);
  return { seconds: diag + init, detail: `${(passFlops(w) / 1e6).toFixed(1)} MFLOP per layer at ${WASM_FLOPS / 1e9} GFLOP/s` };
}

export function predictGpu(w: Workload, started: boolean): Prediction {
  const layers = w.depth * w.passes;
  // Large products reach the GPU's throughput; small ones are latency-bound.
  const rate = w.width * w.batch >= 4096 * 64 ? GPU_FLOPS_LARGE : GPU_FLOPS_SMALL;
  const blocks = Math.ceil(Math.max(1, w.width - 1) / 64);
  const initFlops = w.orthogonal ? (8 / 3) * w.width ** 3 : 0;
  const compute = layers * ((passFlops(w) + initFlops) / rate);
  const batched = w.batchedPasses !== undefined && w.batchedPasses < w.passes;
  const passDispatches = w.depth * (batched ? w.batchedPasses! * (GPU_PASS_DISPATCHES + GPU_BATCH_DISPATCHES) : w.passes * GPU_PASS_DISPATCHES);
  const initDispatches = w.orthogonal ? layers * GPU_INIT_DISPATCHES_PER_BLOCK * blocks : 0;
  // An orthogonal W is drawn and formed on the device with nothing read back; a Gaussian one is drawn on the host.
  const latency = (passDispatches + initDispatches) * GPU_DISPATCH_S;
  const host = w.orthogonal ? 0 : layers * HOST_DRAW_PER_WEIGHT_S * w.width * w.width;
  const seconds = compute + latency + host + (started ? 0 : GPU_START_S);
  return { seconds, detail: latency > compute ? 'dispatch-bound' : 'compute-bound' };
}

/** The pure-JS cpu backend against wasm on the same pass (bench/RESULTS.md, 100/100/1000: 11.95 s against 1.72 s). */
const CPU_SLOWDOWN = 7;
/**
 * Runs predicted to take longer than this on a CPU backend are refused up front (RunOptions.maxCpuMinutes overrides it):
 * inside an editor a run of more than a few minutes is a mistake, and a GPU or a smaller network is the way.
 */
export const DEFAULT_MAX_CPU_MINUTES = 10;

/** The product rate (flop/s) the model assumes for a one-thread CPU backend: what ./calibrate compares this machine to. */
export function cpuFlopsRate(backend: 'wasm' | 'cpu'): number {
  return backend === 'cpu' ? WASM_FLOPS / CPU_SLOWDOWN : WASM_FLOPS;
}

/** Seconds the run is predicted to take on a one-thread CPU backend (wasm, or cpu). */
export function predictCpu(backend: 'wasm' | 'cpu', w: Workload): number {
  return predictWasm(w).seconds * (backend === 'cpu' ? CPU_SLOWDOWN : 1);
}

/**
 * Null when the run fits in `limitSeconds`, else the largest width (a multiple of 64, at the same batch, depth and seeds)
 * that would, for the refusal's message; 0 when even width 64 would not.
 */
export function largestFeasibleWidth(backend: 'wasm' | 'cpu', w: Workload, limitSeconds: number): number | null {
  if (predictCpu(backend, w) <= limitSeconds) return null;
  let lo = 0;
  let hi = Math.floor(w.width / 64);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const width = mid * 64;
    if (predictCpu(backend, { ...w, width, features: Math.min(w.features, width) }) <= limitSeconds) lo = mid;
    else hi = mid - 1;
  }
  return lo * 64;
}

/**
 * Seconds the passes of `w` are predicted to take on a started backend, from the measured rates above; null for the
 * native TensorFlow packages, whose rates were not measured here.
 */
export function predictSeconds(name: BackendName, w: Workload): number | null {
  switch (name) {
    case 'wasm':
    case 'cpu':
      return predictCpu(name, w);
    case 'webgpu':
      return predictGpu(w, true).seconds;
    default:
      return null;
  }
}

/** "0.4 s", "40 s", "3.5 min", "2.1 h": a predicted duration, to the precision it has. */
export function durationText(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
