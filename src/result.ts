// The Result format v1 (DESIGN.md §3b): what `depthlens analyze --json` writes and every view reads.
// Types only: the webview imports this file, so it must stay free of runtime dependencies.
import type { Finding, TheoryBasis } from './theory/types';

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
}

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

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

export interface Result {
  depthlens: 1;
  spec: { path: string; name: string };
  backend: BackendInfo;
  seconds: number;
  seeds: number;
  timings: Timings;
  /** True when the run was a quick run with capped depth/width/seeds. */
  quick?: boolean;
  /** When true, this is a partial result still being streamed. */
  partial?: boolean;
  layers: LayerResult[];
  growth: Growth | null;
  theory: TheoryLine | null;
  depthSweep?: DepthSweepPoint[];
  train?: TrainResult;
  findings: Finding[];
}
