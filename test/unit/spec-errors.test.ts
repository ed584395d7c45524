import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from '../../src/spec/index';
import type { Range } from '../../src/shared/findings';
import { rangeOn } from './spec-helpers';

interface Expected {
  path: string;
  range: Range;
  /** A fragment the message must contain. */
  says: string;
}

/** Parses `text` and checks it gives exactly the expected problems (in document order), each with its exact range. */
function expectProblems(text: string, expected: Expected[], file = 'e.depthlens.yaml'): void {
  const r = parseSpec(text, file);
  assert.equal(r.spec, undefined);
  const got = r.problems.map((p) => ({ path: p.path, range: p.range, message: p.message }));
  assert.equal(got.length, expected.length, `problems: ${JSON.stringify(got, null, 1)}`);
  expected.forEach((e, i) => {
    const g = got[i]!;
    assert.equal(g.path, e.path, g.message);
    assert.deepEqual(g.range, e.range, g.message);
    assert.ok(g.message.includes(e.says), `"${g.message}" should say "${e.says}"`);
  });
  for (const p of r.problems) assert.deepEqual([p.code, p.severity], ['DL001', 'error']);
}

const head = 'depthlens: 1\ndata:\n  features: 4\n  batch: 4\n';

test('unknown keys point at the key, with a suggestion', () => {
  const t = `${head}model:\n  depth: 2\n  width: 4\n  activaton: tanh\nseed: 3\n`;
  expectProblems(t, [
    { path: 'model.activaton', range: rangeOn(t, 7, 'activaton'), says: 'unknown key "activaton" in model (did you mean "activation"?)' },
    { path: 'seed', range: rangeOn(t, 8, 'seed'), says: 'unknown key "seed" at the top level' },
  ]);
});

test('wrong types, out-of-range numbers and bad enum values point at the value', () => {
  const t = `${head}model:
  depth: 1000000000
  width: 0
  init: orthognal
  bias: "yes"
  eps: -1
train:
  lr: -0.5
  momentum: 1
diagnostics:
  seeds: 2.5
`;
  expectProblems(t, [
    { path: 'model.depth', range: rangeOn(t, 5, '1000000000'), says: 'model.depth: 1000000000 is larger than the maximum 100000' },
    { path: 'model.width', range: rangeOn(t, 6, '0'), says: 'model.width: 0 is smaller than the minimum 1' },
    { path: 'model.init', range: rangeOn(t, 7, 'orthognal'), says: '"orthognal" is not one of orthogonal, gaussian, xavier, he (did you mean "orthogonal"?)' },
    { path: 'model.bias', range: rangeOn(t, 8, '"yes"'), says: 'model.bias: expected true or false, got "yes"' },
    { path: 'model.eps', range: rangeOn(t, 9, '-1'), says: 'smaller than the minimum 0' },
    { path: 'train.lr', range: rangeOn(t, 11, '-0.5'), says: 'train.lr: -0.5 must be greater than 0' },
    { path: 'train.momentum', range: rangeOn(t, 12, '1'), says: 'train.momentum: 1 must be less than 1' },
    { path: 'diagnostics.seeds', range: rangeOn(t, 14, '2.5'), says: 'expected a whole number, got 2.5' },
  ]);
});

test('missing required keys point at the parent key', () => {
  const t = 'depthlens: 1\ndata:\n  batch: 4\nmodel:\n  width: 4\n';
  expectProblems(t, [
    { path: 'data', range: rangeOn(t, 1, 'data'), says: 'data: missing required key "features"' },
    { path: 'model', range: rangeOn(t, 3, 'model'), says: 'model: missing required key "depth"' },
  ]);
  const top = 'name: x\ndata: { features: 4, batch: 4 }\n';
  expectProblems(top, [
    { path: '', range: rangeOn(top, 0, 'name: x'), says: 'missing required key "depthlens"' },
    { path: '', range: rangeOn(top, 0, 'name: x'), says: 'missing required key "model"' },
  ]);
});

test('format version and values of several shapes', () => {
  const t = `depthlens: 2\ndata: { features: 4, batch: 4 }\nmodel: { depth: 2, width: 4, residual: { alpha: half }, activation: [tanh] }\n`;
  expectProblems(t, [
    { path: 'depthlens', range: rangeOn(t, 0, '2'), says: 'unsupported format version 2' },
    { path: 'model.residual.alpha', range: rangeOn(t, 2, 'half'), says: 'expected a number or "1/sqrt(depth)", got "half"' },
    { path: 'model.activation', range: rangeOn(t, 2, '[tanh]'), says: 'is not one of identity, tanh' },
  ]);
});

test('.nan and .inf are errors at the value, in YAML and JSON', () => {
  const t = `${head}model: { depth: 2, width: 4, eps: .nan, shaping: { exponent: -.inf } }\nthresholds: { grad-log10-range: .Inf }\n`;
  expectProblems(t, [
    { path: 'model.eps', range: rangeOn(t, 4, '.nan'), says: 'model.eps: NaN is not a finite number' },
    { path: 'model.shaping.exponent', range: rangeOn(t, 4, '-.inf'), says: '-Infinity is not a finite number' },
    { path: 'thresholds.grad-log10-range', range: rangeOn(t, 5, '.Inf'), says: 'Infinity is not a finite number' },
  ]);
  const j = '{"depthlens": 1, "data": {"features": 4, "batch": 4},\n "model": {"depth": 2, "width": 1e999}}';
  expectProblems(j, [{ path: 'model.width', range: rangeOn(j, 1, '1e999'), says: 'not a finite number' }], 'j.depthlens.json');
});

test('data: source-specific keys and cross-key constraints', () => {
  const near = 'depthlens: 1\ndata: { source: near-identity, features: 8, batch: 4, rho: 0.5 }\nmodel: { depth: 2, width: 4 }\n';
  expectProblems(near, [
    { path: 'data.batch', range: rangeOn(near, 1, '4'), says: 'batch must equal features (batch 4, features 8)' },
    { path: 'data.rho', range: rangeOn(near, 1, 'rho'), says: 'data.rho: only used with source correlated (source is near-identity)' },
  ]);
  const rep = 'depthlens: 1\ndata: { source: repeated, features: 4, batch: 4, unique: 5 }\nmodel: { depth: 2, width: 4 }\n';
  expectProblems(rep, [{ path: 'data.unique', range: rangeOn(rep, 1, '5'), says: '5 distinct samples do not fit in a batch of 4' }]);
  const rho = 'depthlens: 1\ndata: { source: correlated, features: 4, batch: 4, rho: 1 }\nmodel: { depth: 2, width: 4 }\n';
  expectProblems(rho, [{ path: 'data.rho', range: rangeOn(rho, 1, '1'), says: 'data.rho: 1 must be less than 1' }]);
  const csv = 'depthlens: 1\ndata:\n  source: csv\n  features: 3\n  batch: 4\nmodel: { depth: 2, width: 4 }\n';
  expectProblems(csv, [
    { path: 'data', range: rangeOn(csv, 1, 'data'), says: 'data: missing required key "path"' },
    { path: 'data.features', range: rangeOn(csv, 3, 'features'), says: 'read from the csv file' },
  ]);
  const noUnique = 'depthlens: 1\ndata: { source: repeated, features: 4, batch: 4 }\nmodel: { depth: 2, width: 4 }\n';
  expectProblems(noUnique, [{ path: 'data', range: rangeOn(noUnique, 1, 'data'), says: 'missing required key "unique"' }]);
});

test('depths must increase; each offending item is marked', () => {
  const t = `${head}model: { depth: 2, width: 4 }\ndiagnostics:\n  depths: [10, 100, 100, 50, 0]\n`;
  expectProblems(t, [
    { path: 'diagnostics.depths[2]', range: rangeOn(t, 6, '100', 1), says: '100 is not larger than the depth before it (100)' },
    { path: 'diagnostics.depths[3]', range: rangeOn(t, 6, '50'), says: '50 is not larger' },
    { path: 'diagnostics.depths[4]', range: rangeOn(t, 6, '0', 6), says: 'diagnostics.depths[4]: 0 is smaller than the minimum 1' },
  ]);
});

test('leaky-slope without leaky-relu', () => {
  const t = `${head}model: { depth: 2, width: 4, activation: relu, leaky-slope: 0.1 }\n`;
  expectProblems(t, [{ path: 'model.leaky-slope', range: rangeOn(t, 4, 'leaky-slope'), says: 'only used with activation leaky-relu (activation is "relu")' }]);
});

test('explicit layers: compact keys beside them, two kinds in one item, repeat without layers, bad activation', () => {
  const t = `${head}model:
  depth: 3
  layers:
    - dense: { units: 4 }
      batchnorm: {}
    - repeat: 2
    - activation: tanhh
    - activation: { fn: tanh, slope: 0.1 }
    - dense: { units: 4, extra: 1 }
`;
  expectProblems(t, [
    { path: 'model.depth', range: rangeOn(t, 5, 'depth'), says: 'model.depth: cannot be combined with model.layers' },
    { path: 'model.layers[0]', range: { start: { line: 7, character: 6 }, end: { line: 8, character: 19 } }, says: 'one layer per list item, found dense and batchnorm' },
    { path: 'model.layers[1]', range: rangeOn(t, 9, 'repeat'), says: '"repeat" needs "layers" beside it' },
    { path: 'model.layers[2].activation', range: rangeOn(t, 10, 'tanhh'), says: '"tanhh" is not one of identity' },
    { path: 'model.layers[3].activation.slope', range: rangeOn(t, 11, 'slope'), says: 'only used with fn leaky-relu' },
    { path: 'model.layers[4].dense.extra', range: rangeOn(t, 12, 'extra'), says: 'unknown key "extra" in model.layers[4].dense' },
  ]);
});

test('explicit layers: a residual branch must keep the width; at least one dense layer', () => {
  const t = `${head}model:
  layers:
    - dense: { units: 6 }
    - residual:
        layers: [{ dense: { units: 3 } }]
`;
  expectProblems(t, [{ path: 'model.layers[1].residual', range: rangeOn(t, 7, 'residual'), says: 'maps 6 features to 3; it must keep the width' }]);
  const none = `${head}model:\n  layers: [{ batchnorm: }]\n`;
  expectProblems(none, [{ path: 'model.layers', range: rangeOn(none, 5, 'layers'), says: 'needs at least one dense layer' }]);
});

test('explicit layers: the expanded size is checked before expanding', () => {
  const t = `${head}model:
  layers:
    - repeat: 100000
      layers:
        - repeat: 100000
          layers: [{ dense: { units: 4 } }]
`;
  expectProblems(t, [{ path: 'model.layers', range: rangeOn(t, 5, 'layers'), says: 'expands to 10000000000 dense layers, more than the maximum 100000' }]);
  const norms = `${head}model:
  layers:
    - dense: { units: 4 }
    - repeat: 100000
      layers:
        - repeat: 100000
          layers: [{ batchnorm: }]
`;
  expectProblems(norms, [{ path: 'model.layers', range: rangeOn(norms, 5, 'layers'), says: 'more than the maximum 1000000' }]);
});

test('duplicate keys and syntax errors carry their range', () => {
  const dup = 'depthlens: 1\ndepthlens: 1\n';
  expectProblems(dup, [{ path: 'depthlens', range: rangeOn(dup, 1, 'depthlens'), says: 'depthlens: key written twice' }]);
  const nested = 'depthlens: 1\nmodel:\n  depth: 3\n  width: 4\n  depth: 5\n';
  expectProblems(nested, [{ path: 'model.depth', range: rangeOn(nested, 4, 'depth'), says: 'model.depth: key written twice' }]);
  const json = '{"depthlens": 1,\n "data": {"batch": 4 "features": 4}}';
  const j = parseSpec(json, 'j.depthlens.json');
  assert.ok(j.problems.length >= 1);
  assert.match(j.problems[0]!.message, /^JSON syntax: /);
  assert.equal(j.problems[0]!.range.start.line, 1);
});

test('all problems are reported, not only the first', () => {
  const t = 'depthlens: 3\ndata: { batch: 0, features: 9000, classes: 1 }\nmodel: { depth: 0, width: 9000, norm: group }\nloss: l1\n';
  const r = parseSpec(t, 'x.depthlens.yaml');
  assert.deepEqual(
    r.problems.map((p) => p.path),
    ['depthlens', 'data.batch', 'data.features', 'data.classes', 'model.depth', 'model.width', 'model.norm', 'loss'],
  );
});

test('a value of the wrong shape for a two-form key lists both forms', () => {
  const t = `${head}model:\n  layers:\n    - dense: { units: 4 }\n    - activation: 5\n    - residual: { alpha: [1], layers: [{ dense: { units: 4 } }] }\n`;
  expectProblems(t, [
    { path: 'model.layers[1].activation', range: rangeOn(t, 7, '5'), says: 'expected a name (identity, tanh, sin, relu, leaky-relu, gelu, selu, sigmoid) or a mapping, got 5' },
    { path: 'model.layers[2].residual.alpha', range: rangeOn(t, 8, '[1]'), says: 'expected a number or "1/sqrt(depth)", got a list' },
  ]);
});

test('a depth sweep over an explicit layer list cannot go deeper than the list', () => {
  const t = `${head}model:\n  layers: [{ repeat: 20, layers: [{ dense: { units: 4 } }, { batchnorm: }] }]\ndiagnostics: { depths: [10, 20, 40] }\n`;
  expectProblems(t, [{ path: 'diagnostics.depths[2]', range: rangeOn(t, 6, '40'), says: '40 is deeper than the explicit layer list (20 dense layers)' }]);
});
