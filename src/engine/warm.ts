// Warming the engine before the first run: the backend is started and one diagnostic pass of a quick run's size runs, so
// that V8 has optimised the pass, the backend has its kernels and the wasm heap its size by the time the user's first
// edit arrives (bench/RESULTS.md: a smaller 16-wide, 4-layer warm-up left the first edit 60% slower than later ones).
import type { BackendChoice, BackendInfo } from '../shared/result';
import { parseSpec } from '../spec';
import { selectBackend } from './backend';
import { runSeed } from './diagnose';

/** The op kinds of a common spec (dense, batch norm, a nonlinearity, cross-entropy) at a quick run's width; ~0.3 s. */
const WARM_SPEC = [
  'depthlens: 1',
  'name: warm-up',
  'data: { source: gaussian, features: 128, batch: 32, classes: 4 }',
  'model: { depth: 100, width: 128, init: orthogonal, norm: batchnorm, activation: tanh }',
  'loss: cross-entropy',
  'diagnostics: { seeds: 1, seed: 0 }',
  '',
].join('\n');

export async function warmUp(choice: BackendChoice, nativeModulePaths: string[] = []): Promise<BackendInfo> {
  const backend = await selectBackend(choice, nativeModulePaths);
  const { spec, problems } = parseSpec(WARM_SPEC, 'warm-up.depthlens.yaml');
  if (!spec) throw new Error(`internal: the warm-up spec is invalid (${problems.map((p) => p.message).join('; ')})`);
  await runSeed(backend, spec, 0);
  return backend.info;
}
