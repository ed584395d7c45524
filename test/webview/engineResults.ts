// Real results for the webview tests: small specs run through the actual engine (parseSpec → analyze), never hand-built.
import { parseSpec } from '../../src/spec/index';
import { analyze } from '../../src/engine/index';
import type { Result } from '../../src/shared/result';
import type { RunOptions } from '../../src/shared/protocol';
import { assertValidResult } from '../resultSchema';

/** Gaussian init + centred BN + tanh: gradients grow toward the input; with a depth sweep and a short training run. */
export const GAUSSIAN_TANH = `depthlens: 1
name: Gaussian BN MLP, tanh, depth 24
data:
  source: gaussian
  features: 16
  batch: 16
  classes: 4
model:
  depth: 24
  width: 16
  init: gaussian
  norm: batchnorm
  center: true
  activation: tanh
diagnostics:
  seeds: 2
  seed: 1
  depths: [4, 8, 16, 24]
train:
  steps: 20
  optimizer: sgd
  lr: 0.01
  record-every: 5
`;

/** The same network with orthogonal init and identity activation: the "after the edit" run to compare against. */
export const ORTHOGONAL_LINEAR = `depthlens: 1
name: Orthogonal BN MLP, linear, depth 24
data:
  source: gaussian
  features: 16
  batch: 16
  classes: 4
model:
  depth: 24
  width: 16
  init: orthogonal
  norm: batchnorm
  center: false
  activation: identity
diagnostics:
  seeds: 2
  seed: 1
`;

/** Only 4 distinct samples in a batch of 16: the Gram matrix is singular at every layer (rank collapse). */
export const DEGENERATE_BATCH = `depthlens: 1
name: Degenerate batch, 4 unique samples
data:
  source: repeated
  features: 16
  batch: 16
  unique: 4
  classes: 4
model:
  depth: 12
  width: 16
  init: orthogonal
  norm: batchnorm
  center: false
  activation: identity
diagnostics:
  seeds: 2
  seed: 3
`;

/** 1000 layers, small width: the long-series case (no point markers, smooth in-place updates). */
export const DEEP_GAUSSIAN = `depthlens: 1
name: Gaussian BN MLP, linear, depth 1000
data:
  source: gaussian
  features: 8
  batch: 8
  classes: 2
model:
  depth: 1000
  width: 8
  init: gaussian
  norm: batchnorm
  center: false
  activation: identity
diagnostics:
  seeds: 2
  seed: 0
`;

export interface EngineRun {
  result: Result;
  /** The partial results the engine streamed before finishing (the first is sent after the first seed). */
  partials: Result[];
}

export async function runSpec(text: string, file: string, options: Partial<RunOptions> = {}): Promise<EngineRun> {
  const parsed = parseSpec(text, file);
  if (!parsed.spec) throw new Error(`test spec ${file} is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const partials: Result[] = [];
  const result = await analyze(parsed.spec, { backend: 'auto', ...options }, { source: parsed.source, onPartial: (r) => partials.push(structuredClone(r)) });
  assertValidResult(result, `${file}: result`);
  partials.forEach((p, i) => assertValidResult(p, `${file}: partial result ${i}`));
  // What crosses postMessage is JSON: non-finite numbers would not survive it either.
  return { result: JSON.parse(JSON.stringify(result)) as Result, partials: partials.map((r) => JSON.parse(JSON.stringify(r)) as Result) };
}
