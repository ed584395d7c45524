// Builds typed Spec objects directly (no parser), so theory tests do not depend on the spec stage's YAML handling.
import type { DataSpec, LayerSpec, ModelSpec, Spec, ThresholdsSpec } from '../../src/spec/types';

export interface SpecOverrides {
  data?: Partial<DataSpec>;
  model?: Partial<Omit<ModelSpec, 'layers' | 'form'>>;
  thresholds?: Partial<ThresholdsSpec>;
}

/** Compact-form expansion: block ℓ = 1..L is dense + norm + activation (gain ℓ^−k when shaped); residual from block 2. */
function expand(model: Omit<ModelSpec, 'layers'>): LayerSpec[] {
  const layers: LayerSpec[] = [];
  for (let block = 1; block <= model.depth; block++) {
    const body: LayerSpec[] = [
      { kind: 'dense', units: model.width, init: model.init, gain: model.initGain, bias: model.bias, path: 'model.init' },
    ];
    if (model.norm !== 'none') body.push({ kind: model.norm, center: model.center, eps: model.eps, path: 'model.norm' });
    const gain = model.shaping ? Math.pow(block, -model.shaping.exponent) : 1;
    body.push({ kind: 'activation', fn: model.activation, gain, path: 'model.activation' });
    if (model.residual && block >= 2) {
      layers.push({ kind: 'residual', alpha: model.residual.alpha, learnable: model.residual.learnable, body, path: 'model.residual' });
    } else layers.push(...body);
  }
  return layers;
}

export function makeSpec(overrides: SpecOverrides = {}): Spec {
  const data: DataSpec = { source: 'gaussian', features: 100, batch: 100, classes: 10, ...overrides.data };
  const summary: Omit<ModelSpec, 'layers'> = {
    form: 'compact',
    depth: 100,
    width: 100,
    init: 'orthogonal',
    initGain: 1,
    norm: 'batchnorm',
    center: false,
    eps: 0,
    order: 'linear-norm-act',
    activation: 'identity',
    leakySlope: 0.01,
    shaping: null,
    residual: null,
    bias: false,
    ...overrides.model,
  };
  return {
    version: 1,
    name: 'fixture',
    file: '',
    data,
    model: { ...summary, layers: expand(summary) },
    loss: 'cross-entropy',
    diagnostics: { seeds: 1, seed: 0, depths: null },
    train: null,
    thresholds: { gradGrowthPerLayer: 1.02, gradLog10Range: 3, ...overrides.thresholds },
  };
}
