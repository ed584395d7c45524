// The cost model behind `auto` and the CPU time limit (src/engine/backends/cost.ts): its choices at the sizes the issue
// names, and a refusal that is consistent with itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTO_GPU_MARGIN, largestFeasibleWidth, predictCpu, predictGpu, predictWasm, type Workload } from '../../src/engine/backends/cost';

const size = (width: number, batch: number, depth: number, passes = 1): Workload => ({ width, batch, features: width, depth, passes, orthogonal: true });

test('auto keeps small runs (every quick run, width ≤ 128) on wasm, even with a warm GPU', () => {
  for (const orthogonal of [true, false]) {
    for (const w of [size(64, 32, 100, 2), size(128, 32, 1000), size(100, 100, 1000), size(128, 64, 200, 2)]) {
      const gpu = predictGpu({ ...w, orthogonal }, true).seconds;
      assert.ok(gpu * AUTO_GPU_MARGIN >= predictWasm({ ...w, orthogonal }).seconds, `${w.width}/${w.batch}/${w.depth}, orthogonal ${orthogonal}`);
    }
  }
});

test('large runs (width ≥ 2048) are predicted faster on a hardware GPU by auto\'s margin, and more so as width grows', () => {
  let previousRatio = 0;
  for (const w of [size(2048, 256, 300), size(4096, 512, 100), size(8192, 1024, 50)]) {
    const ratio = predictWasm(w).seconds / predictGpu(w, false).seconds;
    assert.ok(ratio > AUTO_GPU_MARGIN, `${w.width}: wasm/GPU ${ratio}`);
    assert.ok(ratio > previousRatio, `${w.width}: the GPU's advantage grows with width`);
    previousRatio = ratio;
  }
});

test('predictions grow with every dimension of the work', () => {
  const base = size(256, 64, 100);
  for (const bigger of [size(512, 64, 100), size(256, 128, 100), size(256, 64, 200), size(256, 64, 100, 3)]) {
    assert.ok(predictWasm(bigger).seconds > predictWasm(base).seconds);
    assert.ok(predictGpu(bigger, true).seconds > predictGpu(base, true).seconds);
  }
  assert.ok(predictCpu('cpu', base) > predictCpu('wasm', base));
});

test('the CPU time limit refuses 8192/1024/50 on wasm and names a width that the same model accepts', () => {
  const limit = 10 * 60;
  const big = size(8192, 1024, 50);
  const width = largestFeasibleWidth('wasm', big, limit);
  assert.ok(width !== null && width > 0 && width < 8192 && width % 64 === 0, `suggested width ${width}`);
  assert.ok(predictCpu('wasm', { ...big, width, features: width }) <= limit);
  assert.ok(predictCpu('wasm', { ...big, width: width + 64, features: width + 64 }) > limit, 'the suggestion is the largest');
  assert.equal(largestFeasibleWidth('wasm', size(512, 64, 1000), limit), null, 'the 512/64/1000 benchmark is allowed');
});
