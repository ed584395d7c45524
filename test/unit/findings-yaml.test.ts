import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText } from '../../src/theory';
import type { Finding, FindingCode } from '../../src/shared/findings';
import type { Range } from '../../src/shared/findings';

/** The text a 0-based range covers. */
function textAt(text: string, range: Range | undefined): string {
  assert.ok(range, 'finding has a range');
  const lines = text.split('\n');
  if (range.start.line === range.end.line) return lines[range.start.line]!.slice(range.start.character, range.end.character);
  const parts = [lines[range.start.line]!.slice(range.start.character)];
  for (let l = range.start.line + 1; l < range.end.line; l++) parts.push(lines[l]!);
  parts.push(lines[range.end.line]!.slice(0, range.end.character));
  return parts.join('\n');
}

function only(list: Finding[], code: FindingCode): Finding {
  const hits = list.filter((f) => f.code === code);
  assert.equal(hits.length, 1, `expected one ${code}, got ${JSON.stringify(list.map((f) => f.code))}`);
  return hits[0]!;
}

const spec = (data: string, model: string): string => `depthlens: 1
name: test
data:
${data}
model:
${model}
`;

test('checkText: a healthy YAML spec gives no findings', () => {
  const text = spec(
    '  source: gaussian\n  features: 100\n  batch: 100\n  classes: 10',
    '  depth: 1000\n  width: 100\n  init: orthogonal\n  norm: batchnorm\n  activation: tanh\n  shaping: { exponent: 0.4 }',
  );
  const { parse, findings } = checkText(text, 'healthy.depthlens.yaml');
  assert.deepEqual(parse.problems, []);
  assert.deepEqual(findings, []);
});

test('checkText: ranges cover the offending values in the text', () => {
  const text = spec(
    '  source: gaussian\n  features: 100\n  batch: 8\n  classes: 10',
    '  depth: 300\n  width: 64\n  init: gaussian\n  norm: batchnorm\n  activation: relu',
  );
  const { findings } = checkText(text, 'bad.depthlens.yaml');
  assert.equal(textAt(text, only(findings, 'DL101').range), 'gaussian');
  assert.equal(textAt(text, only(findings, 'DL103').range), 'relu');
  assert.equal(textAt(text, only(findings, 'DL104').range), '8');
  assert.equal(only(findings, 'DL101').range!.start.line, 10); // 0-based: the 'init:' line
});

test('checkText: a value absent from the text falls back to its nearest parent', () => {
  // shaping written without exponent → the default 0.4 applies (no finding); residual alpha written inline.
  const text = spec(
    '  source: gaussian\n  features: 100\n  batch: 100\n  classes: 10',
    '  depth: 100\n  width: 100\n  init: he\n  norm: none\n  activation: relu\n  residual: { learnable: true, alpha: 1 }',
  );
  const { findings } = checkText(text, 'res.depthlens.yaml');
  const f = only(findings, 'DL106');
  assert.equal(f.path, 'model.residual.alpha');
  assert.equal(textAt(text, f.range), '1');
  assert.deepEqual(f.fix?.value, { alpha: 0, learnable: true });

  // DL102 on model.shaping.exponent, and on model.activation when shaping is absent.
  const slow = spec(
    '  source: gaussian\n  features: 100\n  batch: 100\n  classes: 10',
    '  depth: 100000\n  width: 100\n  activation: sin\n  shaping:\n    exponent: 0.2',
  );
  assert.equal(textAt(slow, only(checkText(slow, 's.depthlens.yaml').findings, 'DL102').range), '0.2');
});

test('checkText: syntax and schema problems become DL001 error findings with their ranges', () => {
  const text = spec('  source: gaussian\n  features: 100\n  batch: 100\n  classes: 10', '  depth: 100\n  width: 100\n  activation: swish');
  const { parse, findings } = checkText(text, 'x.depthlens.yaml');
  assert.equal(parse.spec, undefined);
  assert.ok(findings.length >= 1);
  for (const f of findings) {
    assert.equal(f.code, 'DL001');
    assert.equal(f.severity, 'error');
    assert.equal(f.measured, false);
  }
  assert.ok(findings.some((f) => textAt(text, f.range) === 'swish'), JSON.stringify(findings));
  const broken = checkText('depthlens: 1\nmodel: [unclosed\n', 'y.depthlens.yaml');
  assert.ok(broken.findings.length >= 1 && broken.findings.every((f) => f.code === 'DL001'));
});

test('checkText: the explicit layers form attaches to the layer entries and fixes every repeated template', () => {
  const text = `depthlens: 1
data: { source: gaussian, features: 64, batch: 64, classes: 10 }
model:
  layers:
    - dense: { units: 64, init: gaussian }
    - batchnorm: { center: true }
    - activation: relu
    - repeat: 299
      layers:
        - dense: { units: 64, init: gaussian }
        - batchnorm: { center: true }
        - activation: relu
`;
  const { parse, findings } = checkText(text, 'layers.depthlens.yaml');
  assert.equal(parse.spec?.model.form, 'layers');
  const init = only(findings, 'DL101');
  assert.equal(init.path, 'model.layers[0].dense.init');
  assert.equal(textAt(text, init.range), 'gaussian');
  assert.equal(init.fix?.path, 'model.layers[0].dense.init');
  assert.deepEqual(init.fix?.more, [{ path: 'model.layers[3].layers[0].dense.init', value: 'orthogonal' }]);
  const act = only(findings, 'DL103');
  assert.equal(textAt(text, act.range), 'relu');
  assert.deepEqual(act.fix?.value, { fn: 'tanh', 'shaping-exponent': 0.4 });
  assert.equal(act.fix?.more?.[0]?.path, 'model.layers[3].layers[2].activation');
});
