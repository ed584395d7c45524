import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hoverMarkdown, keyName } from '../../src/extension/hoverText';
import { parseSpec } from '../../src/spec/index';

test('keyName takes the last key of a path', () => {
  assert.equal(keyName('model.init'), 'init');
  assert.equal(keyName('model.layers[2].dense.init'), 'init');
  assert.equal(keyName('diagnostics.depths[1]'), 'depths');
});

test('the batch hover gives this spec\'s linear-BN λ, centred (B−2)/(B−3) and not (B−1)/(B−2)', () => {
  const B = 10;
  const text = `depthlens: 1\ndata:\n  source: gaussian\n  features: 10\n  batch: ${B}\n  classes: 2\nmodel:\n  depth: 20\n  width: 10\n  init: gaussian\n  norm: batchnorm\n  center: true\n  activation: identity\n`;
  const { spec, problems } = parseSpec(text, 'h.depthlens.yaml');
  assert.deepEqual(problems, []);
  const md = hoverMarkdown('data.batch', spec)!;
  const centred = ((B - 2) / (B - 3)).toFixed(4);
  const uncentred = ((B - 1) / (B - 2)).toFixed(4);
  assert.ok(md.includes(`${centred} centred`), md);
  assert.ok(md.includes(`${uncentred} uncentred`), md);
  // The whole network: λ = 8/7 per layer (4 decimals, as in the findings), so ‖∇W‖ grows √(8/7) ≈ 1.069× per layer
  // (3 decimals within 0.1 of 1, so it reads against the 1.02 threshold).
  assert.ok(md.includes(`λ (squared gradient norm, per layer) = ${(8 / 7).toFixed(4)}`), md);
  assert.ok(md.includes(`grows ${Math.sqrt(8 / 7).toFixed(3)}× per layer`), md);
});

test('keys without theory get no hover; theory is shown even when the spec is invalid', () => {
  assert.equal(hoverMarkdown('name', undefined), undefined);
  const md = hoverMarkdown('model.shaping', undefined)!;
  assert.match(md, /4k > 1/);
  assert.doesNotMatch(md, /This spec/);
});

test('the batch hover on an orthogonal spec with B < d gives the measured law and says it is empirical; B > d: no prediction', () => {
  const spec = (B: number): string =>
    `depthlens: 1\ndata:\n  features: 64\n  batch: ${B}\nmodel:\n  depth: 200\n  width: 64\n  init: orthogonal\n  norm: batchnorm\n  center: false\n  activation: identity\n`;
  const below = parseSpec(spec(16), 'o.depthlens.yaml').spec;
  const md = hoverMarkdown('data.batch', below)!;
  // 1 + (1 − 16/64)/14 + (¼·¾)/(4·64) = 1.05431, to 4 decimals as every λ
  assert.ok(md.includes('B = 16, d = 64: λ = 1.0543 per layer (empirical law; batch = width removes it)'), md);
  assert.match(md, /empirical law measured in float64/);
  const equal = hoverMarkdown('data.batch', parseSpec(spec(64), 'o.depthlens.yaml').spec)!;
  assert.ok(equal.includes('λ = 1.0000 per layer (bounded: proven)'), equal);
  const above = hoverMarkdown('data.batch', parseSpec(spec(80), 'o.depthlens.yaml').spec)!;
  assert.ok(above.includes('degenerate batch, no prediction'), above);
  assert.match(above, /the theory does not know/);
});
