// The shape of a spec document once it has passed schema and semantic validation (keys as written, kebab-case).
import type { Activation, BlockOrder, DataSource, InitKind, LossKind, NormKind, OptimizerKind } from './types';

export type RawAlpha = number | '1/sqrt(depth)';

export interface RawDense {
  units: number;
  init?: InitKind;
  'init-gain'?: number;
  bias?: boolean;
}

export interface RawNorm {
  center?: boolean;
  eps?: number;
}

export type RawActivation = Activation | { fn: Activation; 'shaping-exponent'?: number; slope?: number };

export interface RawLayer {
  dense?: RawDense;
  batchnorm?: RawNorm | null;
  layernorm?: RawNorm | null;
  activation?: RawActivation;
  residual?: { alpha?: RawAlpha; learnable?: boolean; layers: RawLayer[] };
  repeat?: number;
  layers?: RawLayer[];
}

export interface RawModel {
  depth?: number;
  width?: number;
  init?: InitKind;
  'init-gain'?: number;
  norm?: NormKind;
  center?: boolean;
  eps?: number;
  order?: BlockOrder;
  activation?: Activation;
  'leaky-slope'?: number;
  shaping?: { exponent?: number };
  residual?: { alpha?: RawAlpha; learnable?: boolean };
  bias?: boolean;
  layers?: RawLayer[];
}

export interface RawSpec {
  depthlens: 1;
  name?: string;
  data: {
    source?: DataSource;
    features?: number;
    batch: number;
    classes?: number;
    f?: number;
    rho?: number;
    unique?: number;
    path?: string;
    labels?: string;
  };
  model: RawModel;
  loss?: LossKind;
  diagnostics?: { seeds?: number; seed?: number; depths?: number[] };
  train?: {
    steps?: number;
    optimizer?: OptimizerKind;
    lr?: number;
    batch?: number;
    'record-every'?: number;
    momentum?: number;
    holdout?: number;
  };
  thresholds?: { 'grad-growth-per-layer'?: number; 'grad-log10-range'?: number; 'error-log10-range'?: number };
}
