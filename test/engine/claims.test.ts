// The papers' qualitative claims at small scale, through analyze() on real specs, with tolerances over seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/engine';
import { parseSpec } from '../../src/spec';
import type { Spec } from '../../src/spec/types';
import { lambdaInfinity, lambdaLinearBN } from '../../src/theory';
import type { Result } from '../../src/shared/result';
import { assertValidResult } from '../resultSchema';

function spec(yaml: string): Spec {
  const p = parseSpec(`depthlens: 1\n${yaml}`, 'test.depthlens.yaml');
  assert.ok(p.spec, JSON.stringify(p.problems));
  return p.spec;
}

async function run(s: Spec): Promise<Result> {
  const result = await analyze(s, { backend: 'wasm' });
  assertValidResult(result, `${s.name}: result`);
  return result;
}

const sweepAt = (r: Result, depth: number): number => r.depthSweep!.find((p) => p.depth === depth)!.logGradNormW1.mean!;

test('Fig. 3 in small: orthogonal keeps ln‖∇W₀‖ flat across depth while Gaussian grows', async () => {
  const body = (init: string) => `
data: { source: gaussian, features: 32, batch: 32, classes: 4 }
model: { depth: 100, width: 32, init: ${init}, norm: batchnorm, center: false, eps: 0, activation: identity }
diagnostics: { seeds: 3, depths: [5, 50, 100] }`;
  const orth = await run(spec(body('orthogonal')));
  const gauss = await run(spec(body('gaussian')));
  const orthRise = sweepAt(orth, 100) - sweepAt(orth, 5);
  const gaussRise = sweepAt(gauss, 100) - sweepAt(gauss, 5);
  // Infinite-width theory for Gaussian: ½·ln((B−1)/(B−2)) ≈ 0.017 per layer, ≈ 1.6 over 95 layers; at width = batch = 32
  // the measured rise is about half of that (≈ 0.7 over seeds 0–2). Orthogonal: bounded, no trend.
  assert.ok(Math.abs(orthRise) < 0.2, `orthogonal rose by ${orthRise}`);
  assert.ok(gaussRise > 0.35, `Gaussian rose by only ${gaussRise}`);
  assert.ok(gaussRise > orthRise + 0.35);
  assert.ok(orth.growth!.perLayer < 1.002, `orthogonal growth ${orth.growth!.perLayer}`);
  assert.ok(gauss.growth!.perLayer > 1.004, `Gaussian growth ${gauss.growth!.perLayer}`);
});

test('Gaussian + centred BN + linear: measured λ matches (B−2)/(B−3)', async () => {
  const r = await run(
    spec(`
data: { source: gaussian, features: 32, batch: 8, classes: 4 }
model: { depth: 50, width: 256, init: gaussian, norm: batchnorm, center: true, eps: 0, activation: identity }
diagnostics: { seeds: 3 }`),
  );
  const lambda = lambdaLinearBN(8, true);
  assert.ok(Math.abs(lambda - 6 / 5) < 1e-12);
  assert.ok(Math.abs(r.theory!.lambda - lambda) < 1e-9, `theory line ${r.theory!.lambda}`);
  const measured = r.growth!.perLayer ** 2;
  // Finite width (d = 256, B = 8) pulls λ down by a few per cent (it approaches the theory as d grows).
  assert.ok(Math.abs(Math.log(measured) / Math.log(lambda) - 1) < 0.2, `measured λ ${measured} vs ${lambda}`);
});

test('the isometry gap decays for orthogonal BN on a square batch and collapses for a degenerate batch', async () => {
  const decay = await run(
    spec(`
data: { source: near-identity, features: 16, batch: 16, f: 0.9, classes: 4 }
model: { depth: 120, width: 16, init: orthogonal, norm: batchnorm, center: false, eps: 0, activation: identity }
diagnostics: { seeds: 2 }`),
  );
  const first = decay.layers[0].isometryGap.mean!;
  const last = decay.layers[119].isometryGap.mean!;
  assert.ok(last < 0.5 * first, `gap ${first} → ${last}`);
  assert.ok(decay.layers.every((l) => !l.degenerate));

  const collapsed = await run(
    spec(`
data: { source: repeated, features: 16, batch: 16, unique: 6, classes: 4 }
model: { depth: 20, width: 16, init: orthogonal, norm: batchnorm, center: false, eps: 0.00001, activation: identity }
diagnostics: { seeds: 2 }`),
  );
  assert.ok(collapsed.layers.every((l) => l.degenerate && l.isometryGap.mean === null && l.rank === 6));
  const dl203 = collapsed.findings.find((f) => f.code === 'DL203');
  assert.ok(dl203 && dl203.measured, 'DL203 reported');
});

test('shaping k = 0.4 bounds tanh and sin where no shaping explodes at ½·ln λ∞ per layer', async () => {
  for (const act of ['tanh', 'sin'] as const) {
    const body = (shaping: string) => `
data: { source: gaussian, features: 32, batch: 32, classes: 4 }
model: { depth: 60, width: 64, init: orthogonal, norm: batchnorm, center: true, activation: ${act}${shaping} }
diagnostics: { seeds: 2 }`;
    const shaped = await run(spec(body(', shaping: { exponent: 0.4 }')));
    const plain = await run(spec(body('')));
    const expected = Math.sqrt(lambdaInfinity(act));
    // Shaped: the early layers (α_ℓ ≈ 1) still grow a little, then λ_ℓ − 1 ∝ α_ℓ⁴ dies out; the total stays small.
    assert.ok(shaped.growth!.perLayer - 1 < 0.25 * (plain.growth!.perLayer - 1), `${act} shaped: ${shaped.growth!.perLayer} vs plain ${plain.growth!.perLayer}`);
    assert.ok(shaped.growth!.log10Range < 1, `${act} shaped range ${shaped.growth!.log10Range}`);
    assert.ok(!shaped.findings.some((f) => f.code === 'DL201'), `${act} shaped: no DL201`);
    // Unshaped: growth near √λ∞ (finite batch and width shift it a little).
    assert.ok(Math.abs(Math.log(plain.growth!.perLayer) / Math.log(expected) - 1) < 0.3, `${act}: ${plain.growth!.perLayer} vs ${expected}`);
    assert.ok(plain.findings.some((f) => f.code === 'DL201' && f.measured), `${act}: DL201 expected`);
  }
});

test('NaN/Inf becomes finding DL202 with the layer, not an exception', async () => {
  const r = await run(
    spec(`
data: { source: gaussian, features: 16, batch: 8, classes: 4 }
model: { depth: 60, width: 16, init: orthogonal, init-gain: 10, norm: none, activation: identity }
diagnostics: { seeds: 1 }`),
  );
  const f = r.findings.find((x) => x.code === 'DL202');
  assert.ok(f, 'DL202 reported');
  assert.equal(f.severity, 'error');
  assert.match(f.message, /forward pass: first at layer \d+/);
});
