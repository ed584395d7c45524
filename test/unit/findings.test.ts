import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staticFindings } from '../../src/theory/staticFindings';
import { lambdaLinearBN } from '../../src/theory/lambda';
import type { Finding, FindingCode } from '../../src/shared/findings';
import type { SourceMap } from '../../src/spec/types';
import { makeSpec, type SpecOverrides } from './spec-fixture';

const noSource: SourceMap = new Map();

function findings(overrides: SpecOverrides): Finding[] {
  return staticFindings(makeSpec(overrides), noSource);
}

function only(list: Finding[], code: FindingCode): Finding {
  const hits = list.filter((f) => f.code === code);
  assert.equal(hits.length, 1, `expected one ${code}, got ${JSON.stringify(list.map((f) => f.code))}`);
  return hits[0]!;
}

function codes(list: Finding[]): FindingCode[] {
  return list.map((f) => f.code);
}

const healthy: SpecOverrides = {
  data: { batch: 100, features: 100 },
  model: { init: 'orthogonal', norm: 'batchnorm', activation: 'tanh', shaping: { exponent: 0.4 }, width: 100, depth: 1000 },
};

test('a healthy spec (orthogonal + BN + tanh + shaping k = 0.4, width = batch) has no findings', () => {
  assert.deepEqual(findings(healthy), []);
  // Also linear, and at extreme depth.
  assert.deepEqual(findings({ model: { activation: 'identity', depth: 100000 } }), []);
});

test('every static finding is unmeasured and has a path and a range', () => {
  const list = findings({ data: { batch: 8 }, model: { init: 'gaussian', activation: 'relu', depth: 300, width: 4 } });
  assert.ok(list.length >= 3);
  for (const f of list) {
    assert.equal(f.measured, false);
    assert.ok(f.path.length > 0);
    assert.deepEqual(f.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'no source: 0:0');
  }
});

test('DL101: Gaussian-type init + BN, growth λ^{(L−1)/2} above the threshold; quick fix orthogonal', () => {
  // B = 100 centred: λ = 98/97; over L = 2000 layers ½·1999·log10(98/97) ≈ 4.45 orders > 3.
  const f = only(findings({ data: { batch: 100 }, model: { init: 'xavier', center: true, depth: 2000 } }), 'DL101');
  assert.equal(f.severity, 'warning');
  assert.equal(f.path, 'model.init');
  const orders = (1999 / 2) * Math.log10(98 / 97);
  assert.match(f.message, new RegExp(`10\\^${orders.toFixed(1).replace('.', '\\.')}×`));
  assert.match(f.message, /over 2000 layers/);
  assert.match(f.message, new RegExp(`λ = ${(98 / 97).toFixed(4).replace('.', '\\.')} per layer, B = 100`));
  assert.deepEqual(f.fix, { path: 'model.init', value: 'orthogonal', title: 'Use orthogonal init', preferred: true });
  // Below the threshold at depth 500 (≈ 1.1 orders): nothing.
  assert.deepEqual(codes(findings({ data: { batch: 100 }, model: { init: 'xavier', center: true, depth: 500 } })), []);
  // A tighter threshold fires it.
  assert.ok(codes(findings({ data: { batch: 100 }, model: { init: 'xavier', center: true, depth: 500 }, thresholds: { gradLog10Range: 1 } })).includes('DL101'));
});

test('DL101: error past twice the threshold; orthogonal is not the preferred fix when the activation still explodes', () => {
  const linear = only(findings({ data: { batch: 100 }, model: { init: 'gaussian', center: true, depth: 5000 } }), 'DL101');
  assert.equal(linear.severity, 'error');
  const relu = only(findings({ model: { init: 'he', activation: 'relu', depth: 100 } }), 'DL101');
  assert.equal(relu.fix?.preferred, false);
  assert.match(relu.message, /Orthogonal init alone still leaves/);
  // Not with orthogonal init, not with residual connections, not without BN.
  for (const model of [{ init: 'orthogonal' as const }, { residual: { alpha: 1, learnable: false } }, { norm: 'none' as const }]) {
    assert.ok(!codes(findings({ model: { init: 'gaussian', depth: 5000, ...model } })).includes('DL101'), JSON.stringify(model));
  }
});

test('DL102: tanh/sin without shaping (or exponent ≤ 0.25) with ½·ln λ∞ per layer; fix adds shaping k = 0.4', () => {
  const f = only(findings({ model: { activation: 'tanh', depth: 500 } }), 'DL102');
  // ½·499·log10(1.17781) ≈ 17.7 orders.
  assert.equal(f.severity, 'error');
  assert.equal(f.path, 'model.activation');
  assert.match(f.message, /10\^18×/);
  assert.match(f.message, /λ∞ = 1\.1778/);
  assert.deepEqual(f.fix, { path: 'model.shaping', value: { exponent: 0.4 }, title: 'Add activation shaping (exponent 0.4)', preferred: true });
  // Exponent 0.2 at depth 10⁵ (≈ 9.7 orders) fires on the exponent; 0.4 does not.
  const slow = only(findings({ model: { activation: 'sin', depth: 100000, shaping: { exponent: 0.2 } } }), 'DL102');
  assert.equal(slow.path, 'model.shaping.exponent');
  assert.match(slow.message, /exponent 0\.2 ≤ 0\.25/);
  assert.ok(!codes(findings({ model: { activation: 'sin', depth: 100000, shaping: { exponent: 0.4 } } })).includes('DL102'));
  // Shallow: ½·19·log10 λ∞ < 3.
  assert.deepEqual(codes(findings({ model: { activation: 'tanh', depth: 20 } })), []);
});

test('DL103: ReLU-like activation with BN: shaping cannot help; fixes tanh + shaping, or SkipInit residual', () => {
  const f = only(findings({ model: { activation: 'relu', center: true, depth: 100, shaping: { exponent: 0.4 } } }), 'DL103');
  // Centred BN: ½·99·log10(π/(π−1)) ≈ 8.2 orders: error.
  assert.equal(f.severity, 'error');
  assert.equal(f.path, 'model.activation');
  assert.match(f.message, /10\^8\.2×/);
  assert.match(f.message, /positively homogeneous/);
  assert.deepEqual(f.fix, {
    path: 'model.activation',
    value: 'tanh',
    title: 'Switch to tanh with activation shaping (exponent 0.4)',
    more: [{ path: 'model.shaping', value: { exponent: 0.4 } }],
  });
  assert.deepEqual(f.alternatives, [{ path: 'model.residual', value: { alpha: 0 }, title: 'Add residual connections with SkipInit (alpha: 0)' }]);
  const gelu = only(findings({ model: { activation: 'gelu', depth: 100 } }), 'DL103');
  assert.match(gelu.message, /σ\(0\) = 0 and σ′\(0\) = 1/);
  assert.ok(!codes(findings({ model: { activation: 'relu', depth: 100, residual: { alpha: 0, learnable: true } } })).includes('DL103'));
  assert.ok(!codes(findings({ model: { activation: 'relu', depth: 100, norm: 'none' } })).includes('DL103'));
});

test('DL104: B ≤ 3 with centred BN is an error (infinite rate); a small B a warning with a batch that fixes it', () => {
  const tiny = only(findings({ data: { batch: 3, features: 100 }, model: { center: true, width: 64 } }), 'DL104');
  assert.equal(tiny.severity, 'error');
  assert.equal(tiny.path, 'data.batch');
  assert.match(tiny.message, /infinite/);
  assert.deepEqual(tiny.fix, { path: 'data.batch', value: 64, title: 'Raise the batch to 64', preferred: true });
  assert.ok(!codes(findings({ data: { batch: 3 }, model: { center: false } })).includes('DL104'), 'uncentred B = 3 is finite');

  // Gaussian, uncentred, B = 8, L = 100: ½·99·log10(7/6) ≈ 3.3 orders.
  const small = only(findings({ data: { batch: 8 }, model: { init: 'gaussian', depth: 100, width: 8 } }), 'DL104');
  assert.equal(small.severity, 'warning');
  const B = small.fix!.value as number;
  const within = (b: number): boolean => (99 / 2) * Math.log10(lambdaLinearBN(b, false)) <= 3;
  assert.ok(within(B) && !within(B - 1), `suggested batch ${B} is the smallest within 10^3`);
});

test('DL105: degenerate batches: batch > width, repeated samples, rank-deficient input of a linear net', () => {
  const wide = only(findings({ data: { batch: 200 }, model: { width: 100 } }), 'DL105');
  assert.equal(wide.path, 'data.batch');
  assert.equal(wide.severity, 'warning');
  assert.equal(wide.fix, undefined);
  // Centred BN leaves n − 1 dimensions: batch = width + 1 is fine.
  assert.ok(!codes(findings({ data: { batch: 101 }, model: { width: 100, center: true } })).includes('DL105'));
  const repeated = only(findings({ data: { source: 'repeated', unique: 10 } }), 'DL105');
  assert.equal(repeated.path, 'data.unique');
  const rank = only(findings({ data: { features: 50, batch: 100 }, model: { width: 100 } }), 'DL105');
  assert.equal(rank.path, 'data.features');
  // A nonlinearity can raise the rank: no finding.
  assert.ok(!codes(findings({ data: { features: 50, batch: 100 }, model: { width: 100, activation: 'tanh', shaping: { exponent: 0.4 } } })).includes('DL105'));
});

test('DL106: residual without normalization at α = 1 (variance doubles with He + ReLU); fix SkipInit α = 0', () => {
  const f = only(findings({ model: { norm: 'none', init: 'he', activation: 'relu', residual: { alpha: 1, learnable: false }, depth: 100 } }), 'DL106');
  assert.equal(f.path, 'model.residual.alpha');
  assert.equal(f.severity, 'error');
  assert.match(f.message, /= 2\.00 per block/);
  assert.deepEqual(f.fix, { path: 'model.residual', value: { alpha: 0 }, title: 'SkipInit: initialise alpha to 0', preferred: true });
  const learnable = only(findings({ model: { norm: 'none', init: 'he', activation: 'relu', residual: { alpha: 1, learnable: true }, depth: 100 } }), 'DL106');
  assert.deepEqual(learnable.fix?.value, { alpha: 0, learnable: true });
  for (const model of [{ residual: { alpha: 0.1, learnable: false } }, { residual: { alpha: 1, learnable: false }, norm: 'batchnorm' as const }]) {
    assert.ok(!codes(findings({ model: { norm: 'none', init: 'he', activation: 'relu', depth: 100, ...model } })).includes('DL106'), JSON.stringify(model));
  }
});

test('DL107: orthogonal + BN with batch ≠ width is info, fix sets batch to the width', () => {
  const f = only(findings({ data: { batch: 64 }, model: { width: 128 } }), 'DL107');
  assert.equal(f.severity, 'info');
  assert.equal(f.path, 'data.batch');
  assert.deepEqual(f.fix, { path: 'data.batch', value: 128, title: 'Set the batch to the width (128)' });
  const nearIdentity = only(findings({ data: { source: 'near-identity', batch: 64, features: 64 }, model: { width: 128 } }), 'DL107');
  assert.deepEqual(nearIdentity.fix?.more, [{ path: 'data.features', value: 128 }]);
  assert.ok(!codes(findings({ data: { batch: 128 }, model: { width: 128 } })).includes('DL107'));
  assert.ok(!codes(findings({ data: { batch: 64 }, model: { width: 128, init: 'gaussian', depth: 10 } })).includes('DL107'));
});

test('DL107: orthogonal + BN with B < d at depth warns with the predicted growth; batch = width is the preferred fix', () => {
  // B = 16, d = 128, 1000 layers: λ ≈ 1 + (1 − 1/8)/14 = 1.0625 per layer → 0.5·999·log10(1.0625) ≈ 13 orders.
  const f = only(findings({ data: { batch: 16, features: 128 }, model: { width: 128, depth: 1000 } }), 'DL107');
  assert.equal(f.severity, 'error');
  assert.match(f.message, /~10\^13× over 1000 layers/);
  assert.match(f.message, /B = 16, d = 128/);
  assert.match(f.message, /batch = width removes/);
  assert.deepEqual(f.fix, { path: 'data.batch', value: 128, title: 'Set the batch to the width (128)', preferred: true });
  // Alternative: the smallest batch within 10^3 over 999 steps, λ ≤ 10^(6/999) ≈ 1.013925: 1 + (1 − x)/(B − 2) + x(1 − x)/512
  // (x = B/128) is 1.01404 at B = 48 and 1.01359 at B = 49.
  assert.deepEqual(f.alternatives, [{ path: 'data.batch', value: 49, title: 'Raise the batch to 49 (growth within 10^3)' }]);
  // B = 96, d = 128, 1000 layers: λ ≈ 1.003 → ~10^0.7: under the 10^3 threshold, information only.
  assert.equal(only(findings({ data: { batch: 96, features: 128 }, model: { width: 128, depth: 1000 } }), 'DL107').severity, 'info');
  // B = 48, d = 128: ~10^3.03 at 1000 layers, just past the threshold → a warning.
  assert.equal(only(findings({ data: { batch: 48, features: 128 }, model: { width: 128, depth: 1000 } }), 'DL107').severity, 'warning');
});

test('DL107 warns wherever a measured run would cross the per-layer threshold, however shallow the net', () => {
  // B = 8, d = 16, mean-free (n = 8): λ ≈ 1.087, ‖∇W‖ 1.043× per layer > 1.02×; a measured 1.03× on 30 layers makes
  // DL201 warn, so check warns too, though the total is only ~10^0.2 over 10 layers.
  const f = only(findings({ data: { batch: 8, features: 8 }, model: { width: 16, depth: 10 } }), 'DL107');
  assert.equal(f.severity, 'warning');
  assert.match(f.message, /1\.043× per layer, at or above the 1\.02× threshold/);
  assert.equal(f.fix?.preferred, true);
  // B = 16, d = 128 (n = 15): √λ = 1.031 at any depth.
  assert.equal(only(findings({ data: { batch: 16, features: 128 }, model: { width: 128, depth: 10 } }), 'DL107').severity, 'warning');
  // B = 96, d = 128: √λ ≈ 1.0015 and ~10^0.01 over 10 layers: information.
  assert.equal(only(findings({ data: { batch: 96, features: 128 }, model: { width: 128, depth: 10 } }), 'DL107').severity, 'info');
});
