import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEMPLATES } from '../../src/extension/templates';
import { checkText } from '../../src/theory/index';

test('every template parses without problems', () => {
  assert.ok(TEMPLATES.length >= 3);
  for (const t of TEMPLATES) {
    const { parse } = checkText(t.text, `${t.stem}.depthlens.yaml`);
    assert.deepEqual(parse.problems, [], t.id);
    assert.ok(parse.spec, t.id);
  }
});

test('template ids and file stems are unique', () => {
  assert.equal(new Set(TEMPLATES.map((t) => t.id)).size, TEMPLATES.length);
  assert.equal(new Set(TEMPLATES.map((t) => t.stem)).size, TEMPLATES.length);
});

// What each template claims, checked against the rules: the healthy ones are quiet; the Gaussian ReLU one explodes by
// λ∞ = π/(π−1) per layer, ½·49·log10(π/(π−1)) ≈ 4.1 orders over 50 layers > 3, so DL101 and (ReLU is homogeneous) DL103.
test('templates show what their descriptions say', () => {
  const codes = (id: string): string[] => {
    const t = TEMPLATES.find((x) => x.id === id)!;
    return checkText(t.text, 't.depthlens.yaml').findings.map((f) => f.code).sort();
  };
  assert.deepEqual(codes('orthogonal-linear'), []);
  assert.deepEqual(codes('shaped-tanh'), []);
  assert.deepEqual(codes('skipinit-resnet'), []);
  assert.deepEqual(codes('gaussian-relu'), ['DL101', 'DL103']);
});

test('every template opens with comments saying what it shows and what to expect, like the examples', () => {
  for (const t of TEMPLATES) {
    const head = t.text.split('\n').filter((l) => l.startsWith('#'));
    assert.ok(head.length >= 2, t.id);
    assert.ok(t.text.startsWith('# '), t.id);
    assert.match(head.join(' '), /Expected: /, t.id);
    assert.ok(head.every((l) => l.length <= 110), t.id);
  }
});
