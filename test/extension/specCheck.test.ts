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
