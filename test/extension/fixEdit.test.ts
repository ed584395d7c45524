import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTextEdit, fixEdit, minimalEdit } from '../../src/extension/fixEdit';
import { parseSpec } from '../../src/spec/index';

test('minimalEdit covers only the changed middle, in 0-based line/character positions', () => {
  const before = 'a: 1\nb: two\nc: 3\n';
  const after = 'a: 1\nb: three\nc: 3\n';
  // "two" → "three": the common prefix ends after "b: t" (line 1, character 4), the common suffix starts at the line end,
  // so "wo" (characters 4–6) becomes "hree".
  const edit = minimalEdit(before, after);
  assert.deepEqual(edit, { range: { start: { line: 1, character: 4 }, end: { line: 1, character: 6 } }, newText: 'hree' });
  assert.equal(applyTextEdit(before, edit), after);
});

test('minimalEdit round-trips insertions, deletions and identical texts', () => {
  const cases: [string, string][] = [
    ['x\ny\n', 'x\ninserted\ny\n'],
    ['x\ndeleted\ny\n', 'x\ny\n'],
    ['same', 'same'],
    ['', 'new text\n'],
    ['old text\n', ''],
  ];
  for (const [before, after] of cases) assert.equal(applyTextEdit(before, minimalEdit(before, after)), after);
  assert.equal(minimalEdit('same', 'same').newText, '');
});

const RELU_BN = `depthlens: 1
data:
  source: gaussian
  features: 32
  batch: 32
  classes: 10
model:
  depth: 100
  width: 32
  init: gaussian
  norm: batchnorm
  activation: relu
`;

test('fixEdit applies the primary value and every `more` value as one edit', () => {
  const fix = { path: 'model.activation', value: 'tanh', title: 'tanh + shaping', more: [{ path: 'model.shaping', value: { exponent: 0.4 } }] };
  const edited = applyTextEdit(RELU_BN, fixEdit(RELU_BN, fix));
  const parsed = parseSpec(edited, 'x.depthlens.yaml');
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.spec?.model.activation, 'tanh');
  assert.deepEqual(parsed.spec?.model.shaping, { exponent: 0.4 });
  assert.equal(parsed.spec?.model.init, 'gaussian', 'untouched keys keep their values');
});

test('fixEdit replaces a value in place', () => {
  const edit = fixEdit(RELU_BN, { path: 'model.init', value: 'orthogonal', title: 'orthogonal' });
  const line = RELU_BN.split('\n').findIndex((l) => l.includes('init: gaussian'));
  assert.equal(edit.range.start.line, line);
  assert.equal(edit.range.end.line, line);
  assert.match(applyTextEdit(RELU_BN, edit).split('\n')[line]!, /^ {2}init: orthogonal$/);
});
