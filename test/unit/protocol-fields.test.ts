// The engine protocol's validators check every field (issue 11 item 4): errors as data with their kind, range and
// prediction; progress with its optional numbers; run options like a spec; errorToFinding for located errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineEvent, isEngineRequest, isRunOptions } from '../../src/shared/protocol';
import { RUN_OPTION_LIMITS } from '../../src/shared/runOptionRules';
import { RunOptionsError, validateRunOptions } from '../../src/engine/runOptions';
import { errorToFinding, RUN_ERROR_KINDS } from '../../src/shared/runError';

const range = { start: { line: 3, character: 8 }, end: { line: 3, character: 12 } };

test('error events: every kind passes, with path, range and prediction; a wrong field of any of them fails', () => {
  for (const kind of RUN_ERROR_KINDS) assert.ok(isEngineEvent({ type: 'error', id: 1, kind, message: 'm' }), kind);
  assert.ok(isEngineEvent({ type: 'error', id: 1, kind: 'data', message: 'm', path: 'data.path', range }));
  assert.ok(isEngineEvent({ type: 'error', id: 1, kind: 'over-budget', message: 'm', predictedSeconds: 300, budgetSeconds: 120 }));
  for (const bad of [
    { kind: 'oops' },
    { kind: undefined },
    { message: 3 },
    { path: 7 },
    { range: { start: 1 } },
    { predictedSeconds: 'long' },
    { budgetSeconds: Infinity },
    { findings: [{ code: 'X1' }] },
  ]) {
    assert.ok(!isEngineEvent({ type: 'error', id: 1, kind: 'data', message: 'm', ...bad }), JSON.stringify(bad));
  }
});

test('progress, backend and warmed events: optional fields are checked when present', () => {
  const progress = { type: 'progress', id: 1, phase: 'diagnostics', fraction: 0.5, message: 'x' };
  assert.ok(isEngineEvent(progress));
  assert.ok(isEngineEvent({ ...progress, seed: 3, layer: 2, step: 1, predictedSeconds: 12 }));
  for (const bad of [{ message: undefined }, { seed: '3' }, { layer: NaN }, { step: null }, { predictedSeconds: '12 s' }]) {
    assert.ok(!isEngineEvent({ ...progress, ...bad }), JSON.stringify(bad));
  }
  const backend = { name: 'wasm', version: '4.22.0', threads: 1 };
  assert.ok(isEngineEvent({ type: 'backend', id: 1, backend }));
  assert.ok(!isEngineEvent({ type: 'backend', id: 1, backend: { name: 'wasm' } }));
  assert.ok(!isEngineEvent({ type: 'warmed', id: 1, backend: { name: 'wasm' }, milliseconds: 3 }));
});

test('run options are checked like a spec: seeds, caps, flags, limits, paths', () => {
  assert.ok(isRunOptions({ backend: 'wasm' }));
  assert.ok(isRunOptions({ backend: 'auto', seeds: 3, quick: { maxDepth: 50, maxWidth: 64, maxBatch: 32, seeds: 2 }, sweep: false, train: true, nativeModulePaths: ['/x'], maxCpuMinutes: 0, maxSeconds: 120, thresholds: { gradLog10Range: 3 } }));
  for (const bad of [
    { backend: 'gpu' },
    { seeds: 0 },
    { seeds: 2.5 },
    { quick: { maxDepth: 50, maxWidth: 64 } },
    { quick: { maxDepth: 50, maxWidth: 64, seeds: 2, maxBatch: -1 } },
    { sweep: 'yes' },
    { nativeModulePaths: '/x' },
    { maxCpuMinutes: -1 },
    { maxSeconds: 'soon' },
    { thresholds: { gradLog10Range: 'three' } },
  ]) {
    assert.ok(!isRunOptions({ backend: 'wasm', ...bad }), JSON.stringify(bad));
    assert.ok(!isEngineRequest({ type: 'run', id: 1, text: '', file: '', options: { backend: 'wasm', ...bad } }), JSON.stringify(bad));
  }
});

test('errorToFinding: a located DL001 for errors that belong to a spec key, none for the others', () => {
  const f = errorToFinding({ kind: 'data', message: 'row 3, column 2: expected a number', path: 'data.path', range });
  assert.deepEqual(f, { code: 'DL001', severity: 'error', message: 'row 3, column 2: expected a number', path: 'data.path', range, measured: true });
  assert.equal(errorToFinding({ kind: 'too-large', message: 'm', path: 'model.width' })?.path, 'model.width');
  assert.equal(errorToFinding({ kind: 'internal', message: 'm', path: 'model.width' }), null);
  assert.equal(errorToFinding({ kind: 'backend', message: 'm' }), null);
  assert.equal(errorToFinding({ kind: 'over-budget', message: 'm', predictedSeconds: 3, budgetSeconds: 1 }), null);
});

test('one option table feeds the guard and the engine: every option outside its bounds is dropped by isRunOptions and named by validateRunOptions', () => {
  // Each bound of the table, just inside and just outside; the guard used to accept the outside values below
  // (seeds 101, maxWidth 8193, relative paths, unknown keys) while the engine refused them.
  const good: Array<Record<string, unknown>> = [
    { seeds: RUN_OPTION_LIMITS.seeds },
    { quick: { maxDepth: RUN_OPTION_LIMITS.depth, maxWidth: RUN_OPTION_LIMITS.width, maxBatch: RUN_OPTION_LIMITS.batch, seeds: 1 } },
    { maxCpuMinutes: RUN_OPTION_LIMITS.cpuMinutes },
    { nativeModulePaths: Array.from({ length: RUN_OPTION_LIMITS.nativeModulePaths }, (_, i) => `/n${i}`) },
    { nativeModulePaths: ['C:\\Users\\me\\globalStorage'] },
    { thresholds: { gradGrowthPerLayer: 1000, gradLog10Range: 0.5 } },
  ];
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ seeds: RUN_OPTION_LIMITS.seeds + 1 }, 'seeds'],
    [{ quick: { maxDepth: 10, maxWidth: RUN_OPTION_LIMITS.width + 1, seeds: 1 } }, 'quick.maxWidth'],
    [{ quick: { maxDepth: RUN_OPTION_LIMITS.depth + 1, maxWidth: 8, seeds: 1 } }, 'quick.maxDepth'],
    [{ quick: { maxDepth: 10, maxWidth: 8, maxBatch: RUN_OPTION_LIMITS.batch + 1, seeds: 1 } }, 'quick.maxBatch'],
    [{ quick: 'fast' }, 'quick'],
    [{ maxCpuMinutes: RUN_OPTION_LIMITS.cpuMinutes + 1 }, 'maxCpuMinutes'],
    [{ nativeModulePaths: Array.from({ length: RUN_OPTION_LIMITS.nativeModulePaths + 1 }, (_, i) => `/n${i}`) }, 'nativeModulePaths'],
    [{ nativeModulePaths: ['node_modules'] }, 'nativeModulePaths'],
    [{ dataRoot: 'relative/folder' }, 'dataRoot'],
    [{ thresholds: { gradGrowthPerLayer: 0.5 } }, 'thresholds.gradGrowthPerLayer'],
    [{ thresholds: { growth: 2 } }, 'thresholds.growth'],
    [{ turbo: true }, 'turbo'],
  ];
  for (const g of good) {
    const options = { backend: 'wasm', ...g };
    assert.ok(isRunOptions(options), JSON.stringify(g));
    assert.doesNotThrow(() => validateRunOptions(options), JSON.stringify(g));
  }
  for (const [b, option] of bad) {
    const options = { backend: 'wasm', ...b };
    assert.ok(!isRunOptions(options), `the guard must drop ${JSON.stringify(b)}`);
    assert.throws(
      () => validateRunOptions(options),
      (e: unknown) => e instanceof RunOptionsError && e.option === option && e.message.includes(option),
      `the engine must name ${option} for ${JSON.stringify(b)}`,
    );
  }
});
