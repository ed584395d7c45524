// Run time bounded and visible (issue 16 item 6): the prediction is made before the run and kept in the Result, a run over
// the caller's budget is refused before any work with the prediction, and quick caps are real caps (the batch included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, OverBudgetError, planRun } from '../../src/engine';
import { describeError } from '../../src/engine/runError';
import { predictCpu } from '../../src/engine/backends/cost';
import { CALIBRATE_FROM_SECONDS, CALIBRATION_MAX, CALIBRATION_MIN, remainingSeconds } from '../../src/engine/backends/calibrate';
import { Worker } from 'node:worker_threads';
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
  // The cost model's own number for 2 passes of 32×16×12 on wasm (independent call, same model). So short a run is not
  // calibrated (the probe would cost more than the run): the benchmark's number stands.
  const expected = predictCpu('wasm', { width: 32, batch: 16, features: 16, depth: 12, passes: 2, orthogonal: true });
  assert.ok(expected < CALIBRATE_FROM_SECONDS);
  assert.equal(result.calibration, undefined);
  assert.ok(Math.abs(predicted[0] - expected) < 1e-9, `${predicted[0]} against ${expected}`);
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

/** Threads that spin until terminated: a machine loaded by other work. */
function busyThreads(count: number): Worker[] {
  return Array.from({ length: count }, () => new Worker('for (;;) {}', { eval: true }));
}

// The prediction used to come from the benchmark's rates alone (27 s predicted, 51 s taken on a loaded machine): now a
// probe at run start measures the machine as it is, and the prediction is scaled by it.
test('on a machine loaded by busy threads the calibrated prediction is within 4× of the wall time and closer than the benchmark alone, and the progress events count down', async (t) => {
  const loadedSpecText = `depthlens: 1
data: { source: gaussian, features: 512, batch: 256, classes: 2 }
model: { depth: 40, width: 512, init: he, norm: batchnorm, activation: relu }
diagnostics: { seeds: 2 }
`;
  const loaded = specOf(loadedSpecText);
  const benchmarked = predictCpu('wasm', { width: 512, batch: 256, features: 512, depth: 40, passes: 2, orthogonal: false });
  assert.ok(benchmarked >= CALIBRATE_FROM_SECONDS, `a run long enough to be calibrated: ${benchmarked} s`);
  // The prediction is for a started backend: start it (and the host pool's workers) before the load and the clock.
  await analyze(specOf(loadedSpecText.replace('depth: 40', 'depth: 2').replace('seeds: 2', 'seeds: 1')), { backend: 'wasm' });
  const threads = busyThreads(4);
  const remaining: Array<{ fraction: number; left: number }> = [];
  try {
    await new Promise((r) => setTimeout(r, 200));
    const result = await analyze(loaded, { backend: 'wasm' }, { onProgress: (p) => p.remainingSeconds !== undefined && remaining.push({ fraction: p.fraction, left: p.remainingSeconds }) });
    const predicted = result.predictedSeconds!;
    const ratio = result.seconds / predicted;
    t.diagnostic(`benchmark ${benchmarked.toFixed(2)} s, calibration ×${result.calibration?.toFixed(2)}, predicted ${predicted.toFixed(2)} s, wall ${result.seconds.toFixed(2)} s (wall/predicted ${ratio.toFixed(2)}, wall/benchmark ${(result.seconds / benchmarked).toFixed(2)}); ${JSON.stringify(result.timings)}`);
    assert.ok(result.calibration !== undefined && result.calibration > 1, `four busy threads on this machine must measure slower than the benchmark: ×${result.calibration}`);
    assert.ok(result.calibration >= CALIBRATION_MIN && result.calibration <= CALIBRATION_MAX, `calibration ${result.calibration}`);
    // 4×: the 2-core development machine, shared with other jobs (load ≈ 19) besides the four threads, measured 3.0 here
    // where the benchmark alone was off by 29×.
    assert.ok(ratio < 4 && ratio > 1 / 4, `wall ${result.seconds.toFixed(2)} s against predicted ${predicted.toFixed(2)} s`);
    assert.ok(Math.abs(Math.log(ratio)) < Math.abs(Math.log(result.seconds / benchmarked)), 'the calibrated prediction must be closer to the wall time than the benchmark alone');
    assertValidResult(result, 'calibrated run');
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
  assert.ok(remaining.length >= 2, `${remaining.length} progress events with the time left`);
  const late = remaining.filter((r) => r.fraction >= 0.5);
  assert.ok(late.length > 0 && late.every((r) => r.left >= 0), JSON.stringify(late.slice(0, 3)));
});

test('remainingSeconds: the prediction first, then the pace measured so far', () => {
  assert.equal(remainingSeconds(10, 0, 0), 10);
  assert.equal(remainingSeconds(10, 12, 0), 0);
  // A fifth of the way or more: the pace alone (4 s for 40% → 6 s left).
  assert.ok(Math.abs(remainingSeconds(100, 4, 0.4) - 6) < 1e-12);
  // 10% done in 2 s against a 10 s prediction: halfway between the pace (18 s) and the prediction's remainder (8 s).
  assert.ok(Math.abs(remainingSeconds(10, 2, 0.1) - 13) < 1e-12);
  assert.equal(remainingSeconds(10, 5, 1), 0);
});
