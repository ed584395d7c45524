import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpecText } from '../../src/extension/specCheck';

// Xavier + mean-free BN + identity, B = 100, 1000 layers: λ = 99/98, predicted growth ½·999·log10(99/98) ≈ 2.20 orders.
const orders = 0.5 * 999 * Math.log10(99 / 98);
const SPEC = (thresholds = ''): string => `depthlens: 1
data:
  source: gaussian
  features: 100
  batch: 100
  classes: 10
model:
  depth: 1000
  width: 100
  init: xavier
  norm: batchnorm
  center: false
  activation: identity
${thresholds}`;

test('the threshold setting applies to specs that set none', () => {
  assert.ok(orders > 2 && orders < 3, `derivation: ${orders}`);
  const codes = (limit: number): string[] =>
    checkSpecText(SPEC(), 'a.depthlens.yaml', { gradGrowthPerLayer: 1.02, gradLog10Range: limit }).findings.map((f) => f.code);
  assert.ok(!codes(3).includes('DL101'), `${orders.toFixed(2)} orders is within 3`);
  assert.ok(codes(2).includes('DL101'), `${orders.toFixed(2)} orders exceeds 2`);
});

test('a threshold written in the spec wins over the setting', () => {
  const text = SPEC('thresholds:\n  grad-log10-range: 3\n');
  const r = checkSpecText(text, 'a.depthlens.yaml', { gradGrowthPerLayer: 1.02, gradLog10Range: 2 });
  assert.equal(r.parse.spec?.thresholds.gradLog10Range, 3);
  assert.ok(!r.findings.some((f) => f.code === 'DL101'));
});

test('a broken spec yields DL001 findings and no spec', () => {
  const r = checkSpecText('depthlens: 1\nmodel: [\n', 'b.depthlens.yaml', { gradGrowthPerLayer: 1.02, gradLog10Range: 3 });
  assert.equal(r.parse.spec, undefined);
  assert.ok(r.findings.length > 0 && r.findings.every((f) => f.code === 'DL001' && f.severity === 'error'));
});

test('predictions are warnings; an error only past the error threshold (setting or spec), default twice the range threshold', () => {
  // ≈ 2.20 orders: past gradLog10Range 1 (a finding), past the default error threshold 2 × 1 = 2 (an error).
  const dl101 = (defaults: { gradLog10Range: number; errorLog10Range?: number }, extra = ''): string | undefined =>
    checkSpecText(SPEC(extra), 'a.depthlens.yaml', { gradGrowthPerLayer: 1.02, ...defaults }).findings.find((f) => f.code === 'DL101')?.severity;
  assert.equal(dl101({ gradLog10Range: 2 }), 'warning', `${orders.toFixed(2)} orders: past 2, within 2 × 2 = 4`);
  assert.equal(dl101({ gradLog10Range: 1 }), 'error', `${orders.toFixed(2)} orders: past 2 × 1`);
  assert.equal(dl101({ gradLog10Range: 1, errorLog10Range: 5 }), 'warning', 'the setting raises the error threshold');
  assert.equal(dl101({ gradLog10Range: 2, errorLog10Range: 2.1 }), 'error', 'the setting lowers it');
  assert.equal(dl101({ gradLog10Range: 2, errorLog10Range: 2.1 }, 'thresholds:\n  error-log10-range: 2.5\n'), 'warning', 'the spec wins over the setting');
  // An invalid spec is an error whatever the thresholds.
  const broken = checkSpecText('depthlens: 1\nmodel: { depth: -1 }\n', 'c.depthlens.yaml', { gradGrowthPerLayer: 1.02, gradLog10Range: 3, errorLog10Range: 1000 });
  assert.ok(broken.findings.some((f) => f.code === 'DL001' && f.severity === 'error'));
});
