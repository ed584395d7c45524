// Default values, read from the schema's `default` keywords so they are written in one place.
import { definitionDefault, schemaDefault } from './schema';
import type { ThresholdsSpec, Activation, BlockOrder, DataSource, InitKind, LossKind, NormKind, OptimizerKind } from './types';

function num(v: unknown): number {
  if (typeof v !== 'number') throw new Error(`schema: default ${JSON.stringify(v)} is not a number`);
  return v;
}
function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new Error(`schema: default ${JSON.stringify(v)} is not a boolean`);
  return v;
}
function str<T extends string>(v: unknown): T {
  if (typeof v !== 'string') throw new Error(`schema: default ${JSON.stringify(v)} is not a string`);
  return v as T;
}

export const defaults = {
  data: {
    source: str<DataSource>(schemaDefault('data', 'source')),
    classes: num(schemaDefault('data', 'classes')),
    f: num(schemaDefault('data', 'f')),
    rho: num(schemaDefault('data', 'rho')),
  },
  model: {
    init: str<InitKind>(schemaDefault('model', 'init')),
    initGain: num(schemaDefault('model', 'init-gain')),
    norm: str<NormKind>(schemaDefault('model', 'norm')),
    center: bool(schemaDefault('model', 'center')),
    eps: num(schemaDefault('model', 'eps')),
    order: str<BlockOrder>(schemaDefault('model', 'order')),
    activation: str<Activation>(schemaDefault('model', 'activation')),
    leakySlope: num(schemaDefault('model', 'leaky-slope')),
    shapingExponent: num(schemaDefault('model', 'shaping', 'exponent')),
    residualAlpha: num(schemaDefault('model', 'residual', 'alpha')),
    residualLearnable: bool(schemaDefault('model', 'residual', 'learnable')),
    bias: bool(schemaDefault('model', 'bias')),
  },
  layer: {
    init: str<InitKind>(definitionDefault('layer', 'dense', 'init')),
    initGain: num(definitionDefault('layer', 'dense', 'init-gain')),
    bias: bool(definitionDefault('layer', 'dense', 'bias')),
    center: bool(definitionDefault('normOptions', 'center')),
    eps: num(definitionDefault('normOptions', 'eps')),
    slope: num(definitionDefault('slope')),
    alpha: num(definitionDefault('alpha')),
    learnable: bool(definitionDefault('learnable')),
  },
  loss: str<LossKind>(schemaDefault('loss')),
  diagnostics: {
    seeds: num(schemaDefault('diagnostics', 'seeds')),
    seed: num(schemaDefault('diagnostics', 'seed')),
  },
  train: {
    steps: num(schemaDefault('train', 'steps')),
    optimizer: str<OptimizerKind>(schemaDefault('train', 'optimizer')),
    lr: num(schemaDefault('train', 'lr')),
    recordEvery: num(schemaDefault('train', 'record-every')),
    momentum: num(schemaDefault('train', 'momentum')),
    holdout: num(schemaDefault('train', 'holdout')),
  },
  thresholds: {
    gradGrowthPerLayer: num(schemaDefault('thresholds', 'grad-growth-per-layer')),
    gradLog10Range: num(schemaDefault('thresholds', 'grad-log10-range')),
  },
} as const;

/**
 * Orders of magnitude of gradient growth (predicted over the spec's depth, or measured over the run) past which a growth
 * finding (DL101–DL104, DL106–DL108, DL201) is an error; below it, and past gradLog10Range, a warning. Invalid specs
 * (DL001) are errors regardless. Default: twice gradLog10Range (10^6 with the default 3).
 */
export function errorLog10Range(t: ThresholdsSpec): number {
  return t.errorLog10Range ?? 2 * t.gradLog10Range;
}
