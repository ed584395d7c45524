// The Result format v1 (DESIGN.md §3b): what `depthlens analyze --json` writes and every view reads.
// Types and value lists only (no imports with runtime code): the webview imports this file.
import type { TheoryBasis } from '../theory/types';
import type { Finding } from './findings';

export interface Spread {
  mean: number | null;
  min: number | null;
  max: number | null;
}

export interface BackendInfo {
  name: BackendName;
  version: string;
  threads: number;
  simd?: boolean;
  /** The GPU adapter a webgpu run computed on. */
  adapter?: GpuAdapterInfo;
  /** Why this backend was chosen: the setting or flag that forced it, or auto's cost comparison and what it skipped. */
  reason?: string;
  /** webgpu: which matmul the run used, tfjs's or DepthLens's tiled one, as measured when the device started. */
  matmul?: GpuMatMulChoice;
}

/** The matmul kernels a webgpu run can use: DepthLens's register-tiled WGSL one, or tfjs-backend-webgpu's own. */
export const GPU_MATMUL_KERNELS = ['tiled', 'tfjs'] as const;
export type GpuMatMulKernel = (typeof GPU_MATMUL_KERNELS)[number];

/** The one-time matmul calibration of a webgpu device for the run's width (skipped for small widths and software adapters). */
export interface GpuMatMulChoice {
  kernel: GpuMatMulKernel;
  /** The product timed, [m, k, n] (the pass's W·X at the run's width and batch); absent when nothing was timed. */
  shape?: [number, number, number];
  /** Measured float32 rates, GFLOP/s; absent when not timed. */
  tiledGflops?: number;
  tfjsGflops?: number;
  /** Why this kernel: the rates compared, or why nothing was timed. */
  reason: string;
}

/** What WebGPU says of its adapter (GPUAdapterInfo), plus whether it is a software rasteriser (SwiftShader, lavapipe, WARP). */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The graphics API under Dawn: vulkan, metal, d3d12. */
  backendType?: string;
  /** Driver description where the platform gives it (Dawn puts the driver version in `description` on Vulkan). */
  driver?: string;
  software: boolean;
  /** The GPU's total memory where the platform tells it (WebGPU does not): nvidia-smi, amdgpu sysfs, Apple's unified memory. */
  memoryBytes?: number;
  /** Where memoryBytes came from ("nvidia-smi: NVIDIA H200, 143771 MiB"). */
  memorySource?: string;
}

/** Every backend a result can name, and every choice a user can make (the setting, the CLI flag, the picker). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const BACKEND_CHOICES = ['auto', 'webgpu', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export function isBackendChoice(x: unknown): x is BackendChoice {
  return typeof x === 'string' && (BACKEND_CHOICES as readonly string[]).includes(x);
}

export interface ActivationStats {
  mean: number;
  rms: number;
  /** Fraction of units saturated (|tanh| > 0.99, sigmoid < 0.01 or > 0.99) or dead (ReLU output 0 for the whole batch). */
  saturated: number;
}

export interface LayerResult {
  /** Index of the weight matrix W_index (0: features → width). */
  index: number;
  /** φ of the representation this block outputs, across seeds; null values when collapsed. */
  isometryGap: Spread;
  degenerate: boolean;
  /** Numerical rank of the Gram matrix (minimum across seeds). */
  rank: number;
  /** Natural log of ‖∂loss/∂W_index‖_F across seeds; finite even past float32 range. */
  logGradNorm: Spread;
  activations?: ActivationStats;
}

export interface Growth {
  /** exp(−slope) of the least-squares fit of mean log‖∇W_ℓ‖ on ℓ (> 1: grows toward the input). */
  perLayer: number;
  /** Total log10 range of ‖∇W_ℓ‖ across the network. */
  log10Range: number;
}

export interface TheoryLine {
  perLayer: number;
  lambda: number;
  basis: TheoryBasis;
  /**
   * Predicted ln‖∇W_ℓ‖ − ln‖∇W_{L−1}‖ per layer (0 at the output layer) where the prediction is not a straight line
   * (shaped networks, residual networks with normalization); absent where perLayer says it all.
   */
  logGradNorm?: number[];
}

export interface DepthSweepPoint {
  depth: number;
  /** ln ‖∂loss/∂W_0‖_F across seeds: W_0 is the first weight matrix (features → width), the W₁ of Meterez et al. (Fig. 3), who count from 1. */
  logGradNormW1: Spread;
}

export interface TrainRecord {
  step: number;
  loss: number;
  accuracy: number;
  /** Held-out metrics (csv/npy data or a synthetic validation batch). */
  evalLoss?: number;
  evalAccuracy?: number;
  logGradNorm: number[];
  /** φ of the representation at a few layers: layer index → gap. */
  isometryGap?: { layer: number; value: number | null }[];
  /** φ(W_ℓ) of the weight matrices of the middle layers (W as a d×d batch). */
  weightIsometry?: { layer: number; value: number | null }[];
}

export interface TrainDepthRun {
  depth: number;
  records: TrainRecord[];
  /** First step where this run's loss went NaN/Inf or exploded; null when it stayed finite. */
  diverged?: { step: number; reason: string } | null;
  /** Why this run was not trained (too large for the backend's memory). */
  skipped?: string;
}

export interface TrainResult {
  records: TrainRecord[];
  /** The same training at each depth of diagnostics.depths. */
  depthRuns?: TrainDepthRun[];
  diverged?: { step: number; reason: string } | null;
  /** Depth of the main run (the spec's model). */
  depth?: number;
  optimizer?: string;
  lr?: number;
  /** Where the training labels came from: a fixed random teacher network (synthetic sources) or the data file. */
  labels?: 'teacher' | 'file';
  /** Why the main run was not trained (too large for the backend's memory); records is then empty. */
  skipped?: string;
}

export interface Timings {
  initSeconds: number;
  diagnosticSeconds: number;
  trainSeconds: number;
  sweepSeconds?: number;
}

/** Peak memory of the run where the backend can tell it (webgpu: bytes of GPU buffers tfjs held at once). */
export interface MemoryUse {
  peakGpuBytes?: number;
}

/** One capped quantity of a quick run. */
export interface CappedValue {
  spec: number;
  run: number;
}

export interface QuickCaps {
  depth: CappedValue;
  width: CappedValue;
  seeds: CappedValue;
}

export interface Result {
  depthlens: 1;
  spec: { path: string; name: string };
  backend: BackendInfo;
  seconds: number;
  /**
   * Seconds the run was predicted to take on its backend before it started: the cost model of src/engine/backends/cost.ts,
   * scaled by `calibration` where a probe measured this machine.
   */
  predictedSeconds?: number;
  /** This machine's measured seconds over the benchmark's for the same products at run start (> 1: slower now); CPU backends. */
  calibration?: number;
  seeds: number;
  timings: Timings;
  memory?: MemoryUse;
  /** True when the run was a quick run with capped depth/width/seeds. */
  quick?: boolean;
  /** A quick run's caps: what the spec asks for and what was measured (equal where the cap did not bite). */
  quickCaps?: QuickCaps;
  /** When true, this is a partial result still being streamed. */
  partial?: boolean;
  layers: LayerResult[];
  growth: Growth | null;
  theory: TheoryLine | null;
  depthSweep?: DepthSweepPoint[];
  train?: TrainResult;
  findings: Finding[];
}
