// Spreads across seeds, the growth fit, depth resizing, and measured findings' thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { growthFit, spread } from '../../src/engine/stats';
import { resizeSpec } from '../../src/engine/resize';
import { planRun } from '../../src/engine';
import { parseSpec } from '../../src/spec';
import type { Spec } from '../../src/spec/types';

function spec(yaml: string): Spec {
  const p = parseSpec(`depthlens: 1\n${yaml}`, 's.depthlens.yaml');
  assert.ok(p.spec, JSON.stringify(p.problems));
  return p.spec;
}

const denseCount = (s: Spec): number => {
  const walk = (ls: Spec['model']['layers']): number => ls.reduce((c, l) => c + (l.kind === 'dense' ? 1 : l.kind === 'residual' ? walk(l.body) : 0), 0);
  return walk(s.model.layers);
};

test('spread: mean/min/max, with +∞ and NaN turning the affected statistics null', () => {
  assert.deepEqual(spread([1, 2, 6]), { mean: 3, min: 1, max: 6 });
  assert.deepEqual(spread([1, Infinity]), { mean: null, min: 1, max: null });
  assert.deepEqual(spread([1, NaN]), { mean: null, min: null, max: null });
  assert.deepEqual(spread([]), { mean: null, min: null, max: null });
});

test('growth fit recovers the factor of an exact geometric profile and the log10 range', () => {
  // ‖∇W_ℓ‖ = 5·1.1^(L−1−ℓ): grows 1.1× per layer toward the input.
  const L = 40;
  const logs = Array.from({ length: L }, (_, l) => Math.log(5) + (L - 1 - l) * Math.log(1.1));
  const g = growthFit(logs)!;
  assert.ok(Math.abs(g.perLayer - 1.1) < 1e-12);
  assert.ok(Math.abs(g.log10Range - (L - 1) * Math.log10(1.1)) < 1e-12);
  // Non-finite points are left out of the fit.
  assert.ok(Math.abs(growthFit([...logs.slice(0, 10), NaN, null, ...logs.slice(12)])!.perLayer - 1.1) < 1e-12);
  assert.equal(growthFit([1, null, NaN]), null);
});

test('resizing re-expands the compact form (α = 1/√depth follows) and cuts the explicit form', () => {
  const compact = spec(`
data: { source: gaussian, features: 8, batch: 8 }
model: { depth: 20, width: 16, activation: tanh, shaping: { exponent: 0.4 }, residual: { alpha: "1/sqrt(depth)" } }`);
  const deeper = resizeSpec(compact, 80)!;
  assert.equal(deeper.model.depth, 80);
  assert.equal(denseCount(deeper), 80);
  const res = deeper.model.layers.find((l) => l.kind === 'residual');
  assert.ok(res && res.kind === 'residual' && Math.abs(res.alpha - 1 / Math.sqrt(80)) < 1e-15);
  const narrow = resizeSpec(compact, 10, 8)!;
  assert.equal(narrow.model.width, 8);
  assert.ok(narrow.model.layers.every((l) => l.kind !== 'dense' || l.units === 8));

  const explicit = spec(`
data: { source: gaussian, features: 8, batch: 8 }
model:
  layers:
    - repeat: 6
      layers: [ { batchnorm: {} }, { dense: { units: 16 } }, { activation: tanh } ]`);
  const cut = resizeSpec(explicit, 4)!;
  assert.equal(denseCount(cut), 4);
  // norm-linear-act blocks: the cut network ends with an activation, not with the norm that opens block 5.
  assert.equal(cut.model.layers[cut.model.layers.length - 1].kind, 'activation');
  assert.equal(resizeSpec(explicit, 10), null);
});

test('quick runs cap depth, width and seeds and skip the sweep', () => {
  const s = spec(`
data: { source: gaussian, features: 8, batch: 8 }
model: { depth: 500, width: 256 }
diagnostics: { seeds: 7, depths: [10, 100, 500] }`);
  const plan = planRun(s, { backend: 'wasm', quick: { maxDepth: 50, maxWidth: 32, seeds: 2 } });
  assert.equal(plan.spec.model.depth, 50);
  assert.equal(plan.spec.model.width, 32);
  assert.equal(plan.seeds, 2);
  assert.deepEqual(plan.sweepDepths, []);
  const full = planRun(s, { backend: 'wasm', seeds: 3 });
  assert.equal(full.seeds, 3);
  assert.deepEqual(full.sweepDepths, [10, 100, 500]);
});

test('a pass too large for memory is refused up front with the keys to change', async () => {
  const { buildHostNetwork } = await import('../../src/engine/network');
  const { assertPassFits, passFootprint } = await import('../../src/engine/sizeCheck');
  const s = spec(`
data: { source: gaussian, features: 64, batch: 4096 }
model: { depth: 100, width: 64, activation: tanh }`);
  const net = buildHostNetwork(s.model.layers, 64, 10, 0);
  // 100 layers × two 4096² float32 Grams = 12.5 GiB on the host.
  assert.equal(passFootprint(net, 4096).hostBytes, 4 * 2 * 100 * 4096 * 4096);
  assert.throws(() => assertPassFits(net, 4096), /data\.batch or model\.depth/);
  assert.doesNotThrow(() => assertPassFits(net, 64));
});

test('on a GPU the size check is the largest single buffer, not the wasm heap', async () => {
  const { buildHostNetwork } = await import('../../src/engine/network');
  const { assertPassFits, largestTensorBytes } = await import('../../src/engine/sizeCheck');
  const s = spec(`
data: { source: gaussian, features: 8192, batch: 1024 }
model: { depth: 200, width: 8192, activation: identity }`);
  const net = buildHostNetwork(s.model.layers, 8192, 10, 0);
  // W is 8192² float32 = 256 MiB; 200 layers of 8192×1024 activations (6.25 GiB) exceed wasm's heap, not a GPU buffer.
  assert.equal(largestTensorBytes(net, 1024), 4 * 8192 * 8192);
  assert.throws(() => assertPassFits(net, 1024), /GiB of backend memory/);
  assert.doesNotThrow(() => assertPassFits(net, 1024, { maxBufferBytes: 2 ** 30 }));
  assert.throws(() => assertPassFits(net, 1024, { maxBufferBytes: 128 * 2 ** 20 }), (e: unknown) => {
    assert.match((e as Error).message, /needs 256 MiB, more than the 128 MiB this GPU allows in one buffer: reduce model\.width or data\.batch \(width 5760 fits\)/);
    return true;
  });
});

test('on a GPU whose total memory is known, a run over 90% of it is refused with the width that fits', async () => {
  const { buildHostNetwork } = await import('../../src/engine/network');
  const { assertSpecFits, passFits, passFootprint } = await import('../../src/engine/sizeCheck');
  const s = spec(`
data: { source: gaussian, features: 8192, batch: 1024 }
model: { depth: 200, width: 8192, activation: identity }`);
  const net = buildHostNetwork(s.model.layers, 8192, 10, 0);
  // 200 layers of 8192×1024 float32 activations alone are 6.25 GiB: an 8 GiB GPU (7.2 GiB usable) cannot hold the pass.
  assert.ok(passFootprint(net, 1024).activationBytes >= 200 * 8192 * 1024 * 4);
  const small = { maxBufferBytes: 2 ** 30, totalBytes: 8 * 2 ** 30, totalSource: 'nvidia-smi: a test GPU, 8192 MiB' };
  let message = '';
  assert.throws(
    () => assertSpecFits(s, 8192, 10, 1024, small),
    (e: unknown) => {
      message = (e as Error).message;
      assert.equal((e as { path?: string }).path, 'model.width');
      return /GiB of GPU memory .* more than 90% of this GPU's 8\.0 GiB \(nvidia-smi: a test GPU, 8192 MiB\)/.test(message);
    },
  );
  const width = Number(/width (\d+) fits at this depth and batch/.exec(message)?.[1]);
  assert.ok(width > 0 && width < 8192 && width % 64 === 0, message);
  // The width it names fits the same GPU; 64 more does not.
  const at = (w: number) => buildHostNetwork(spec(`
data: { source: gaussian, features: ${w}, batch: 1024 }
model: { depth: 200, width: ${w}, activation: identity }`).model.layers, w, 10, 0);
  assert.ok(passFits(at(width), 1024, small));
  assert.ok(!passFits(at(width + 64), 1024, small));
  // Unknown total (the platform does not say): only the largest buffer holds the run back, as before.
  assert.doesNotThrow(() => assertSpecFits(s, 8192, 10, 1024, { maxBufferBytes: 2 ** 30 }));
  assert.doesNotThrow(() => assertSpecFits(s, 8192, 10, 1024, { ...small, totalBytes: 80 * 2 ** 30 }));
});
