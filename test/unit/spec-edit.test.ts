import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec, setValueEdit } from '../../src/spec/index';
import type { Spec } from '../../src/spec/index';
import { applyEdit } from './spec-helpers';

function reparse(text: string): Spec {
  const r = parseSpec(text, 'edited.depthlens.yaml');
  assert.deepEqual(r.problems.map((p) => p.message), [], text);
  assert.ok(r.spec);
  return r.spec;
}

function set(text: string, path: string, value: unknown): string {
  return applyEdit(text, setValueEdit(text, path, value));
}

const yaml = `depthlens: 1
data:
  features: 8
  batch: 8   # the BN batch
model:
  depth: 20
  width: 8
  init: gaussian
  activation: tanh
  residual: { alpha: 1 }
`;

test('replacing a scalar keeps everything else, comments included', () => {
  const out = set(yaml, 'model.init', 'orthogonal');
  assert.equal(out, yaml.replace('init: gaussian', 'init: orthogonal'));
  assert.equal(reparse(out).model.init, 'orthogonal');
  const batch = set(yaml, 'data.batch', 4);
  assert.equal(batch, yaml.replace('batch: 8   # the BN batch', 'batch: 4   # the BN batch'));
});

test('inserting a missing key as a block mapping at the right indentation', () => {
  const out = set(yaml, 'model.shaping', { exponent: 0.4 });
  assert.equal(out, `${yaml}  shaping:\n    exponent: 0.4\n`);
  const s = reparse(out);
  assert.deepEqual(s.model.shaping, { exponent: 0.4 });
  // The last of the 20 blocks is shaped by 20^-0.4.
  const lastBlock = s.model.layers.at(-1);
  const last = lastBlock?.kind === 'residual' ? lastBlock.body.at(-1) : undefined;
  assert.ok(last?.kind === 'activation' && Math.abs(last.gain - Math.pow(20, -0.4)) < 1e-15);
});

test('replacing a flow mapping value', () => {
  const out = set(yaml, 'model.residual', { alpha: 0 });
  assert.equal(reparse(out).model.residual?.alpha, 0);
  assert.ok(out.includes('  residual:\n    alpha: 0\n'), out);
});

test('replacing a block mapping value with a new mapping', () => {
  const text = `${yaml}  shaping:\n    exponent: 0.1\ntrain:\n  steps: 5\n`;
  const out = set(text, 'model.shaping', { exponent: 0.4 });
  assert.equal(out, `${yaml}  shaping:\n    exponent: 0.4\ntrain:\n  steps: 5\n`);
  assert.deepEqual(reparse(out).model.shaping, { exponent: 0.4 });
});

test('a missing parent mapping is created', () => {
  const out = set(yaml, 'train.lr', 0.01);
  assert.equal(out, `${yaml}train:\n  lr: 0.01\n`);
  assert.equal(reparse(out).train?.lr, 0.01);
  const nested = set(yaml, 'diagnostics.depths', [10, 100]);
  assert.deepEqual(reparse(nested).diagnostics.depths, [10, 100]);
});

test('a key with no value gets one', () => {
  const text = yaml.replace('  residual: { alpha: 1 }\n', '  shaping:\n');
  // `shaping:` with nothing is null; setting it fixes the spec.
  assert.notEqual(parseSpec(text, 'a.depthlens.yaml').problems.length, 0);
  const out = set(text, 'model.shaping', { exponent: 0.4 });
  assert.deepEqual(reparse(out).model.shaping, { exponent: 0.4 });
  const scalar = set(text, 'model.shaping.exponent', 0.3);
  assert.deepEqual(reparse(scalar).model.shaping, { exponent: 0.3 });
});

test('inserting into a flow mapping and into a text without a final newline', () => {
  const text = 'depthlens: 1\ndata: { features: 8, batch: 8 }\nmodel: { depth: 3, width: 8 }';
  const out = set(text, 'model.init', 'xavier');
  assert.equal(out, 'depthlens: 1\ndata: { features: 8, batch: 8 }\nmodel: { depth: 3, width: 8, init: xavier }');
  assert.equal(reparse(out).model.init, 'xavier');
  const top = set(text, 'loss', 'mse');
  assert.equal(reparse(top).loss, 'mse');
  assert.ok(top.endsWith('}\nloss: mse'), top);
});

test('strings that need quoting are quoted; expressions stay plain', () => {
  const out = set(yaml, 'name', 'yes: a title');
  assert.equal(reparse(out).name, 'yes: a title');
  const alpha = set(yaml, 'model.residual.alpha', '1/sqrt(depth)');
  assert.equal(reparse(alpha).model.residual?.alphaExpr, '1/sqrt(depth)');
});

test('JSON: replace, insert on its own line, create a parent', () => {
  const json = JSON.stringify({ depthlens: 1, data: { features: 8, batch: 8 }, model: { depth: 3, width: 8, init: 'he' } }, null, 2);
  const replaced = set(json, 'model.init', 'orthogonal');
  assert.equal(replaced, json.replace('"init": "he"', '"init": "orthogonal"'));
  const inserted = set(json, 'model.shaping', { exponent: 0.4 });
  assert.equal(inserted, json.replace('"init": "he"', '"init": "he",\n    "shaping": {"exponent":0.4}'));
  assert.deepEqual(reparse(inserted).model.shaping, { exponent: 0.4 });
  const created = set(json, 'train.lr', 0.5);
  assert.equal(JSON.parse(created).train.lr, 0.5);
  const oneLine = '{"depthlens": 1, "data": {"features": 8, "batch": 8}, "model": {"depth": 3, "width": 8}}';
  const flat = set(oneLine, 'data.batch', 4);
  assert.equal(flat, oneLine.replace('"batch": 8', '"batch": 4'));
  assert.equal(JSON.parse(set(oneLine, 'model.bias', true)).model.bias, true);
});

test('list items are replaced in place', () => {
  const text = `${yaml}diagnostics:\n  depths: [10, 100, 1000]\n`;
  const out = set(text, 'diagnostics.depths[1]', 50);
  assert.deepEqual(reparse(out).diagnostics.depths, [10, 50, 1000]);
  assert.throws(() => setValueEdit(text, 'diagnostics.depths[7]', 1), /does not exist/);
});

test('CRLF line endings are kept', () => {
  const text = yaml.replace(/\n/g, '\r\n');
  const out = set(text, 'model.shaping', { exponent: 0.4 });
  assert.deepEqual(reparse(out).model.shaping, { exponent: 0.4 });
  assert.equal(out, `${text}  shaping:\r\n    exponent: 0.4\r\n`);
  assert.equal(set(text, 'model.init', 'he'), text.replace('init: gaussian', 'init: he'));
});

test('an empty document gets the whole path', () => {
  const out = set('', 'model.init', 'orthogonal');
  assert.equal(out, 'model:\n  init: orthogonal\n');
  const commented = set('# new spec\n', 'depthlens', 1);
  assert.equal(commented, '# new spec\ndepthlens: 1\n');
});

test('paths into an explicit layer list: flow and block items', () => {
  const text = `depthlens: 1
data: { features: 4, batch: 4 }
model:
  layers:
    - dense: { units: 4, init: gaussian }
    - repeat: 3
      layers:
        - dense:
            units: 4
        - batchnorm:
`;
  const a = set(text, 'model.layers[0].dense.init', 'orthogonal');
  assert.equal(a, text.replace('init: gaussian', 'init: orthogonal'));
  const b = set(a, 'model.layers[1].layers[0].dense.init', 'orthogonal');
  assert.equal(b, a.replace('            units: 4\n', '            units: 4\n            init: orthogonal\n'));
  const c = set(b, 'model.layers[1].layers[1].batchnorm', { center: false });
  const m = reparse(c).model;
  assert.deepEqual(m.layers.map((l) => (l.kind === 'dense' ? l.init : l.kind === 'batchnorm' ? l.center : l.kind)), ['orthogonal', 'orthogonal', false, 'orthogonal', false, 'orthogonal', false]);
});
