// The typed model spec (DESIGN.md §3). Produced by `parseSpec`; consumed by theory, engine and views.
// Positions and ranges are src/shared/findings.ts's (0-based).
import type { Range, SpecPath } from '../shared/findings';

/** Where a key and its value sit in the source text. `value` is absent for a key with no value. */
export interface SourceLocation {
  key: Range;
  value?: Range;
}

/** Every key (and array item) of the document, by spec path. */
export type SourceMap = ReadonlyMap<SpecPath, SourceLocation>;

/** A syntax or schema problem: always finding DL001, always an error. */
export interface SpecProblem {
  code: 'DL001';
  severity: 'error';
  message: string;
  path: SpecPath;
  range: Range;
}

// The spec's allowed values, declared once; each type is derived from its list. schemas/depthlens.schema.json holds the
// same lists as `enum`s (the validator reads the schema): test/unit/value-lists.test.ts keeps the two equal.
export const DATA_SOURCES = ['gaussian', 'near-identity', 'correlated', 'repeated', 'csv', 'npy'] as const;
export type DataSource = (typeof DATA_SOURCES)[number];
export const ACTIVATIONS = ['identity', 'tanh', 'sin', 'relu', 'leaky-relu', 'gelu', 'selu', 'sigmoid'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const INIT_KINDS = ['orthogonal', 'gaussian', 'xavier', 'he'] as const;
export type InitKind = (typeof INIT_KINDS)[number];
export const NORM_KINDS = ['batchnorm', 'layernorm', 'none'] as const;
export type NormKind = (typeof NORM_KINDS)[number];
export const BLOCK_ORDERS = ['linear-norm-act', 'norm-linear-act', 'linear-act-norm'] as const;
export type BlockOrder = (typeof BLOCK_ORDERS)[number];
export const LOSS_KINDS = ['cross-entropy', 'mse'] as const;
export type LossKind = (typeof LOSS_KINDS)[number];
export const OPTIMIZER_KINDS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

export interface DataSpec {
  source: DataSource;
  /** Input dimension. For csv/npy: the number of columns found when the file is read (0 until then). */
  features: number;
  /** n, the BN batch. */
  batch: number;
  classes: number;
  /** near-identity: X = (1-f) I + f u vᵀ */
  f?: number;
  /** correlated: pairwise sample correlation. */
  rho?: number;
  /** repeated: number of distinct samples in the batch. */
  unique?: number;
  /** csv | npy: as written in the spec (relative to the spec file). */
  path?: string;
  labels?: string;
}

/** One primitive of the expanded network. The compact form and the explicit `layers:` form both expand to a list of these. */
export type LayerSpec =
  | { kind: 'dense'; units: number; init: InitKind; gain: number; bias: boolean; path: SpecPath }
  | { kind: 'batchnorm'; center: boolean; eps: number; path: SpecPath }
  | { kind: 'layernorm'; center: boolean; eps: number; path: SpecPath }
  /** `gain` is the pre-activation gain α_ℓ of activation shaping (1 when unshaped). */
  | { kind: 'activation'; fn: Activation; gain: number; slope?: number; path: SpecPath }
  /** x ↦ x + alpha · body(x); body must preserve the width. */
  | { kind: 'residual'; alpha: number; learnable: boolean; body: LayerSpec[]; path: SpecPath };

export interface ResidualSpec {
  /** The numeric value used (the expression "1/sqrt(depth)" already evaluated). */
  alpha: number;
  /** As written, when it was an expression. */
  alphaExpr?: '1/sqrt(depth)';
  learnable: boolean;
}

export interface ModelSpec {
  /** 'compact' when written with depth/width/...; 'layers' when written as an explicit list. */
  form: 'compact' | 'layers';
  /** L: number of weight matrices W_0..W_{L-1} before the readout (W_0: features → width). */
  depth: number;
  /** d (for the explicit form: the units of the last dense layer). */
  width: number;
  init: InitKind;
  initGain: number;
  norm: NormKind;
  center: boolean;
  eps: number;
  order: BlockOrder;
  activation: Activation;
  /** Negative slope for leaky-relu. */
  leakySlope: number;
  shaping: { exponent: number } | null;
  residual: ResidualSpec | null;
  bias: boolean;
  /** The fully expanded network, readout excluded. */
  layers: LayerSpec[];
}

export interface DiagnosticsSpec {
  seeds: number;
  seed: number;
  depths: number[] | null;
}

export interface TrainSpec {
  steps: number;
  optimizer: OptimizerKind;
  lr: number;
  /** Defaults to data.batch. */
  batch: number;
  recordEvery: number;
  momentum: number;
  /** Fraction of csv/npy samples held out for evaluation. */
  holdout: number;
}

export interface ThresholdsSpec {
  gradGrowthPerLayer: number;
  gradLog10Range: number;
  /**
   * Predicted or measured growth (orders of magnitude) past which a growth finding is an error rather than a warning;
   * unset: twice gradLog10Range (see errorLog10Range in defaults.ts).
   */
  errorLog10Range?: number;
}

export interface Spec {
  version: 1;
  name: string;
  /** Absolute path of the spec file when known (used to resolve data paths), else ''. */
  file: string;
  data: DataSpec;
  model: ModelSpec;
  loss: LossKind;
  diagnostics: DiagnosticsSpec;
  train: TrainSpec | null;
  thresholds: ThresholdsSpec;
}

export interface ParseResult {
  /** Present only when there are no problems. */
  spec?: Spec;
  problems: SpecProblem[];
  /** Positions of every key found, even when the spec is invalid. */
  source: SourceMap;
  /** Format the text was read as. */
  format: 'yaml' | 'json';
}
