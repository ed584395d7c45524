import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSpec } from '../../src/spec/index';
import type { ParseResult, Spec } from '../../src/spec/index';
import { rangeOn } from './spec-helpers';

function ok(r: ParseResult): Spec {
  assert.deepEqual(r.problems.map((p) => p.message), []);
  assert.ok(r.spec);
  return r.spec;
}

const full = `depthlens: 1
name: Orthogonal BN MLP, linear, depth 1000
data:
  source: correlated
  features: 100
  batch: 100
  classes: 7
  rho: 0.25
model:
  depth: 12
  width: 64
  init: xavier
  init-gain: 1.5
  norm: layernorm
  center: false
  eps: 0
  order: norm-linear-act
  activation: leaky-relu
  leaky-slope: 0.2
  shaping: { exponent: 0.3 }
  residual: { alpha: 0.125, learnable: true }
  bias: true
loss: mse
diagnostics:
  seeds: 3
  seed: 42
  depths: [10, 100, 1000]
train:
  steps: 50
  optimizer: adam
  lr: 0.01
  batch: 32
  record-every: 5
  momentum: 0.5
  holdout: 0.1
thresholds:
  grad-growth-per-layer: 1.05
  grad-log10-range: 2
`;

test('every key of the spec format is read with its value', () => {
  const s = ok(parseSpec(full, 'specs/full.depthlens.yaml'));
  assert.equal(s.version, 1);
  assert.equal(s.name, 'Orthogonal BN MLP, linear, depth 1000');
  assert.equal(s.file, resolve('specs/full.depthlens.yaml'));
  assert.deepEqual(s.data, { source: 'correlated', features: 100, batch: 100, classes: 7, rho: 0.25 });
  const m = s.model;
  assert.equal(m.form, 'compact');
  assert.equal(m.depth, 12);
  assert.equal(m.width, 64);
  assert.equal(m.init, 'xavier');
  assert.equal(m.initGain, 1.5);
  assert.equal(m.norm, 'layernorm');
  assert.equal(m.center, false);
  assert.equal(m.eps, 0);
  assert.equal(m.order, 'norm-linear-act');
  assert.equal(m.activation, 'leaky-relu');
  assert.equal(m.leakySlope, 0.2);
  assert.deepEqual(m.shaping, { exponent: 0.3 });
  assert.deepEqual(m.residual, { alpha: 0.125, learnable: true });
  assert.equal(m.bias, true);
  assert.equal(s.loss, 'mse');
  assert.deepEqual(s.diagnostics, { seeds: 3, seed: 42, depths: [10, 100, 1000] });
  assert.deepEqual(s.train, { steps: 50, optimizer: 'adam', lr: 0.01, batch: 32, recordEvery: 5, momentum: 0.5, holdout: 0.1 });
  assert.deepEqual(s.thresholds, { gradGrowthPerLayer: 1.05, gradLog10Range: 2 });
});

test('the source map has the key and value range of every path', () => {
  const r = parseSpec(full, 'full.depthlens.yaml');
  const lines = full.split('\n');
  const lineOf = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
  const init = r.source.get('model.init');
  assert.deepEqual(init?.key, rangeOn(full, lineOf('  init:'), 'init'));
  assert.deepEqual(init?.value, rangeOn(full, lineOf('  init:'), 'xavier'));
  assert.deepEqual(r.source.get('model.shaping.exponent')?.value, rangeOn(full, lineOf('  shaping:'), '0.3'));
  assert.deepEqual(r.source.get('diagnostics.depths[2]')?.value, rangeOn(full, lineOf('  depths:'), '1000'));
  assert.deepEqual(r.source.get('thresholds.grad-log10-range')?.key, rangeOn(full, lineOf('  grad-log10-range'), 'grad-log10-range'));
  // A block mapping's value spans from its first key to the end of its last value.
  const data = r.source.get('data');
  assert.deepEqual(data?.value?.start, { line: 3, character: 2 });
  assert.deepEqual(data?.value?.end, { line: 7, character: 11 });
  // Every block key: its path from the indentation, its key range and (for scalars) its value range, from the text alone.
  const parents: string[] = [];
  lines.forEach((l, i) => {
    const m = /^( *)([a-z][a-z0-9-]*):(?: (.*))?$/.exec(l);
    if (!m) return;
    const level = m[1]!.length / 2;
    parents.length = level;
    const path = [...parents, m[2]!].join('.');
    parents.push(m[2]!);
    const loc = r.source.get(path);
    assert.ok(loc, path);
    assert.deepEqual(loc.key, rangeOn(full, i, m[2]!), path);
    const value = m[3];
    if (value !== undefined && !/^[[{]/.test(value)) assert.deepEqual(loc.value, rangeOn(full, i, value, value === m[2] ? 1 : 0), path);
  });
  // Every key written in the text (block and flow) is present.
  const keyCount = full.match(/[a-z][a-z0-9-]*:/g)?.length ?? 0;
  assert.equal([...r.source.keys()].filter((p) => p !== '' && !/\]$/.test(p)).length, keyCount);
});

const minimal = `depthlens: 1
data: { features: 8, batch: 8 }
model: { depth: 3, width: 8 }
`;

test('defaults make the papers\' settings the starting point', () => {
  const s = ok(parseSpec(minimal, '/tmp/x/fig3-orthogonal.depthlens.yaml'));
  assert.equal(s.name, 'fig3-orthogonal');
  assert.equal(s.file, '/tmp/x/fig3-orthogonal.depthlens.yaml');
  assert.deepEqual(s.data, { source: 'gaussian', features: 8, batch: 8, classes: 10 });
  const m = s.model;
  assert.deepEqual(
    [m.init, m.initGain, m.norm, m.center, m.eps, m.order, m.activation, m.shaping, m.residual, m.bias],
    ['orthogonal', 1, 'batchnorm', true, 1e-5, 'linear-norm-act', 'identity', null, null, false],
  );
  assert.equal(s.loss, 'cross-entropy');
  assert.deepEqual(s.diagnostics, { seeds: 5, seed: 0, depths: null });
  assert.equal(s.train, null);
  assert.deepEqual(s.thresholds, { gradGrowthPerLayer: 1.02, gradLog10Range: 3 });
});

test('train defaults, with the training batch taken from data.batch', () => {
  const s = ok(parseSpec(`${minimal}train: { steps: 20 }\n`, 'a.depthlens.yaml'));
  assert.deepEqual(s.train, { steps: 20, optimizer: 'sgd', lr: 0.001, batch: 8, recordEvery: 10, momentum: 0.9, holdout: 0.2 });
  const s2 = ok(parseSpec(`${minimal}train: {}\n`, 'a.depthlens.yaml'));
  assert.equal(s2.train?.steps, 200);
});

test('data sources and their own keys', () => {
  const data = (d: string) => ok(parseSpec(`depthlens: 1\ndata: ${d}\nmodel: { depth: 2, width: 4 }\n`, 'd.depthlens.yaml')).data;
  assert.deepEqual(data('{ source: near-identity, features: 4, batch: 4 }'), { source: 'near-identity', features: 4, batch: 4, classes: 10, f: 0.005 });
  assert.deepEqual(data('{ source: near-identity, features: 4, batch: 4, f: 0.1 }').f, 0.1);
  assert.deepEqual(data('{ source: correlated, features: 4, batch: 4 }').rho, 0.9);
  assert.deepEqual(data('{ source: correlated, features: 4, batch: 4, rho: -0.5 }').rho, -0.5);
  assert.deepEqual(data('{ source: repeated, features: 4, batch: 6, unique: 2 }'), { source: 'repeated', features: 4, batch: 6, classes: 10, unique: 2 });
  assert.deepEqual(data('{ source: csv, path: x.csv, labels: y.csv, batch: 16 }'), { source: 'csv', features: 0, batch: 16, classes: 10, path: 'x.csv', labels: 'y.csv' });
  assert.deepEqual(data('{ source: npy, path: x.npy, batch: 16 }').path, 'x.npy');
});

test('JSON specs, by extension or by a leading brace, read the same as YAML', () => {
  const json = JSON.stringify({ depthlens: 1, data: { features: 8, batch: 8 }, model: { depth: 3, width: 8 } }, null, 2);
  const a = parseSpec(json, 'm.depthlens.json');
  const b = parseSpec(json, 'untitled');
  assert.equal(a.format, 'json');
  assert.equal(b.format, 'json');
  assert.equal(parseSpec(minimal, 'm.depthlens.yaml').format, 'yaml');
  const y = ok(parseSpec(minimal, 'm.depthlens.yaml'));
  assert.deepEqual({ ...ok(a), file: '', name: '' }, { ...y, file: '', name: '' });
  assert.equal(ok(a).name, 'm');
  assert.deepEqual(a.source.get('model.width')?.value, rangeOn(json, 8, '8'));
});

test('a flow-style YAML file starting with a brace keeps YAML scalars; a .json file must be JSON', () => {
  const flow = '{depthlens: 1, data: {features: 8, batch: 8}, model: {depth: 3, width: 8, init: he}}';
  assert.equal(ok(parseSpec(flow, 'f.depthlens.yaml')).model.init, 'he');
  const r = parseSpec(flow, 'f.depthlens.json');
  assert.equal(r.spec, undefined);
  assert.match(r.problems[0]!.message, /^JSON syntax: Unresolved plain scalar "depthlens"/);
  assert.deepEqual(r.problems[0]!.range, rangeOn(flow, 0, 'depthlens'));
});

test('a URI-like file (untitled editor) gives no file path', () => {
  const s = ok(parseSpec(minimal, 'untitled:Untitled-1'));
  assert.equal(s.file, '');
  assert.equal(s.name, 'Untitled-1');
});

test('the schema documents every key and closes every object', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, '../../schemas/depthlens.schema.json'), 'utf8')) as Record<string, unknown>;
  const missing: string[] = [];
  const open: string[] = [];
  const visit = (node: unknown, where: string): void => {
    if (node === null || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n['type'] === 'object' || (Array.isArray(n['type']) && n['type'].includes('object'))) {
      if (n['additionalProperties'] !== false) open.push(where);
    }
    const props = n['properties'] as Record<string, Record<string, unknown>> | undefined;
    for (const [k, v] of Object.entries(props ?? {})) {
      const documented = typeof v['description'] === 'string' || typeof v['markdownDescription'] === 'string';
      // A bare $ref inherits the definition's description.
      const refDoc = typeof v['$ref'] === 'string' && (schema['definitions'] as Record<string, Record<string, unknown>>)[String(v['$ref']).split('/').pop()!]?.['description'];
      if (!documented && !refDoc) missing.push(`${where}.${k}`);
    }
    // Conditional branches only add constraints to objects declared (and closed) elsewhere.
    for (const [k, v] of Object.entries(n)) if (!['enum', 'default', 'if', 'then', 'else'].includes(k)) visit(v, `${where}.${k}`);
  };
  visit(schema, '#');
  assert.deepEqual(missing, []);
  assert.deepEqual(open, []);
  // The format keys of DESIGN.md §3 are all there.
  const props = (p: string[]) => Object.keys(p.reduce<Record<string, any>>((s, k) => s['properties'][k], schema as Record<string, any>)['properties']);
  for (const k of ['depthlens', 'name', 'data', 'model', 'loss', 'diagnostics', 'train', 'thresholds']) assert.ok(props([]).includes(k), k);
  for (const k of ['source', 'features', 'batch', 'classes', 'f', 'rho', 'unique', 'path', 'labels']) assert.ok(props(['data']).includes(k), k);
  for (const k of ['depth', 'width', 'init', 'init-gain', 'norm', 'center', 'eps', 'order', 'activation', 'shaping', 'residual', 'bias', 'layers'])
    assert.ok(props(['model']).includes(k), k);
});

test('the schema the YAML extension validates with takes a sidecar (extends, no model) and still asks an ordinary spec for data and model', async () => {
  const { validateAgainstSchema } = await import('../../src/spec/schema');
  const missing = (data: unknown): string[] =>
    validateAgainstSchema(data)
      .filter((e) => e.keyword === 'required' || e.keyword === 'not' || e.keyword === 'additionalProperties')
      .map((e) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)}`);
  assert.deepEqual(missing({ depthlens: 1, extends: 'bn-mlp-50.onnx', data: { batch: 128, classes: 100 }, diagnostics: { seeds: 3 } }), []);
  assert.deepEqual(missing({ depthlens: 1, extends: { model: 'big.onnx', from: 'fc1', to: 'relu4' } }), []);
  assert.ok(missing({ depthlens: 1, extends: { model: 'big.onnx', layer: 'fc1' } }).some((m) => m.includes('additionalProperties')));
  assert.ok(missing({ depthlens: 1, extends: 'm.onnx', model: { depth: 2, width: 8 } }).some((m) => m.includes('not')), 'a sidecar with a model');
  const ordinary = missing({ depthlens: 1, data: { source: 'gaussian' } });
  for (const key of ['"model"', '"batch"', '"features"']) assert.ok(ordinary.some((m) => m.includes(key)), `${key} in ${ordinary.join('; ')}`);
});

test('a sidecar read on its own is one error on its extends key, never a spec without a model', () => {
  const text = 'depthlens: 1\nextends: bn-mlp-50.onnx\ndata: { batch: 128 }\n';
  const r = parseSpec(text, 'net.depthlens.yaml');
  assert.equal(r.spec, undefined);
  assert.deepEqual(
    r.problems.map((p) => [p.path, p.range.start.line, p.range.start.character, p.range.end.character]),
    [['extends', 1, 0, 'extends'.length]],
  );
  assert.match(r.problems[0]!.message, /^extends: net\.depthlens\.yaml extends a model file/);
  assert.ok(r.source.get('data.batch'), 'the source map is still built (the sidecar import places findings with it)');
});
