// Run time bounded and visible (issue 16 item 6): the prediction is made before the run and kept in the Result, a run over
// the caller's budget is refused before any work with the prediction, and quick caps are real caps (the batch included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, OverBudgetError, planRun } from '../../src/engine';
import { describeError } from '../../src/engine/runError';
import { predictCpu } from '../../src/engine/backends/cost';
import { parseSpec } from '../../src/spec';
import { assertValidResult } from '../resultSchema';

function specOf(text: string) {
  const { spec } = parseSpec(text, '/tmp/runtime.depthlens.yaml');
  assert.ok(spec, 'the test spec parses');
  return spec;
}

const small = specOf(`depthlens: 1
data: { source: gaussian, features: 16, batch: 16, classes: 2 }
model: { depth: 12, width: 32, init: orthogonal, norm: batchnorm, activation: tanh }
diagnostics: { seeds: 2 }
`);

test('the run is predicted before it starts: one progress event carries it, and the Result keeps it', async () => {
  const predicted: number[] = [];
  const phases: string[] = [];
  const result = await analyze(small, { backend: 'wasm' }, { onProgress: (p) => (phases.push(p.phase), p.predictedSeconds !== undefined && predicted.push(p.predictedSeconds)) });
  assert.equal(predicted.length, 1);
  // Made before any measuring: the event comes before the first diagnostics progress.
  assert.ok(phases.indexOf('backend') < phases.indexOf('diagnostics'));
  // The cost model's own number for 2 passes of 32×16×12 on wasm (independent call, same model).
  const expected = predictCpu('wasm', { width: 32, batch: 16, features: 16, depth: 12, passes: 2, orthogonal: true });
  assert.ok(Math.abs(predicted[0] - expected) < 1e-12, `${predicted[0]} against ${expected}`);
  assert.equal(result.predictedSeconds, predicted[0]);
  assertValidResult(result, 'predicted run');
});

test('a run predicted over the budget is refused before any work, with the prediction and the budget', async () => {
  let measured = false;
  const error = await analyze(small, { backend: 'wasm', maxSeconds: 1e-6 }, { onProgress: (p) => (measured ||= p.phase === 'diagnostics') }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof OverBudgetError, String(error));
  assert.ok(!measured, 'no pass ran');
  assert.ok(error.predictedSeconds > 1e-6);
  assert.equal(error.budgetSeconds, 1e-6);
  assert.match(error.message, /32×16×12 ×2 passes .* is predicted to take about .* on wasm, over the budget of/);
  const data = describeError(error);
  assert.equal(data.kind, 'over-budget');
  assert.equal(data.predictedSeconds, error.predictedSeconds);
  // Within the budget it runs.
  const ok = await analyze(small, { backend: 'wasm', maxSeconds: 3600 });
  assert.equal(ok.layers.length, 12);
});

test('quick caps are real caps: depth, width and batch at most the caps, the width never below the capped batch', () => {
  const big = specOf(`depthlens: 1
data: { source: gaussian, features: 64, batch: 2048, classes: 2 }
model: { depth: 400, width: 4096, init: he, norm: batchnorm, activation: relu }
diagnostics: { seeds: 10, depths: [10, 100, 400] }
`);
  const plan = planRun(big, { backend: 'wasm', quick: { maxDepth: 50, maxWidth: 64, seeds: 2 } });
  assert.equal(plan.spec.model.depth, 50);
  assert.equal(plan.spec.model.width, 64);
  assert.equal(plan.spec.data.batch, 64, 'the batch is capped with the width (maxBatch defaults to maxWidth)');
  assert.equal(plan.seeds, 2);
  assert.deepEqual(plan.sweepDepths, []);
  const separate = planRun(big, { backend: 'wasm', quick: { maxDepth: 50, maxWidth: 64, maxBatch: 32, seeds: 2 } });
  assert.equal(separate.spec.data.batch, 32);
  assert.equal(separate.spec.model.width, 64);
  // Thresholds given with the run survive the caps.
  const withThresholds = planRun(big, { backend: 'wasm', quick: { maxDepth: 50, maxWidth: 64, seeds: 2 }, thresholds: { gradLog10Range: 5 } });
  assert.equal(withThresholds.spec.thresholds.gradLog10Range, 5);
});
