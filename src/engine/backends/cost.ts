// `auto`'s choice between wasm and a hardware WebGPU adapter by predicted seconds, not by a fixed order (DESIGN §4). The
// constants are measured: wasm's on the 2-core development machine (bench/RESULTS.md: 512/64/1000 init 7.7 s + diagnostic
// 4.3 s, 100/100/1000 0.9 + 0.8 s), the GPU's on an H200 (shared/notes/webgpu-in-node.md: ~60 µs per tfjs op with operands
// made once, tfjs matMul 150 GFLOP/s at 512³ and ~2 TFLOP/s at 4096×4096×64). A faster CPU moves the crossover up, a
// slower GPU driver moves it down; bench/gpu.sh measures it on the machine at hand.

/** The size of the work a run will do, in the terms the cost model needs. */
export interface Workload {
  width: number;
  batch: number;
  features: number;
  /** Weight layers of one diagnostic pass. */
  depth: number;
  /** Diagnostic passes: seeds, plus the depth sweep's passes counted in units of `depth`. */
  passes: number;
  orthogonal: boolean;
}

export interface Prediction {
  seconds: number;
  /** A short "how": which term dominates, for the reason line. */
  detail: string;
}

const WASM_FLOPS = 17e9;
const WASM_LAYER_OVERHEAD_S = 0.3e-3;
const WASM_INIT_LAYER_S = 0.8e-3;
const WASM_INIT_PER_WEIGHT_S = 27e-9;
/** Host work per weight entry on any backend: drawing (ziggurat) and uploading. */
const HOST_DRAW_PER_WEIGHT_S = 10e-9;
/** tfjs-webgpu ops per layer of the pass (matmuls, norm, rescale, Grams) and the cost of each at small sizes. */
const GPU_OPS_PER_LAYER = 15;
const GPU_OP_S = 60e-6;
const GPU_FLOPS_SMALL = 150e9;
const GPU_FLOPS_LARGE = 2e12;
/** Device creation and first-use shader compilation, paid once per engine process. */
const GPU_START_S = 1.5;

function passFlops(w: Workload): number {
  const d = w.width;
  const n = w.batch;
  return 4 * d * d * n + 4 * d * n * n;
}

export function predictWasm(w: Workload): Prediction {
  const layers = w.depth * w.passes;
  const diag = layers * (passFlops(w) / WASM_FLOPS + WASM_LAYER_OVERHEAD_S);
  const init = layers * (WASM_INIT_LAYER_S + (w.orthogonal ? WASM_INIT_PER_WEIGHT_S : HOST_DRAW_PER_WEIGHT_S) * w.width * w.width);
  return { seconds: diag + init, detail: `${(passFlops(w) / 1e6).toFixed(1)} MFLOP per layer at ${WASM_FLOPS / 1e9} GFLOP/s` };
}

export function predictGpu(w: Workload, started: boolean): Prediction {
  const layers = w.depth * w.passes;
  // Large products reach the GPU's throughput; small ones are latency-bound.
  const rate = w.width * w.batch >= 4096 * 64 ? GPU_FLOPS_LARGE : GPU_FLOPS_SMALL;
  const initFlops = w.orthogonal ? (8 / 3) * w.width ** 3 : 0;
  const compute = layers * ((passFlops(w) + initFlops) / rate);
  const dispatch = layers * GPU_OPS_PER_LAYER * GPU_OP_S;
  const host = layers * HOST_DRAW_PER_WEIGHT_S * w.width * w.width;
  const seconds = compute + dispatch + host + (started ? 0 : GPU_START_S);
  return { seconds, detail: dispatch > compute ? 'dispatch-bound' : 'compute-bound' };
}
