import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from '../../src/spec/index';
import type { LayerSpec, Spec } from '../../src/spec/index';

function spec(model: string, data = '{ features: 6, batch: 6 }'): Spec {
  const r = parseSpec(`depthlens: 1\ndata: ${data}\nmodel:\n${model}`, 'e.depthlens.yaml');
  assert.deepEqual(r.problems.map((p) => p.message), []);
  assert.ok(r.spec);
  return r.spec;
}

const kinds = (layers: readonly LayerSpec[]) => layers.map((l) => l.kind);

test('compact linear-norm-act: L blocks of dense → batchnorm → activation', () => {
  const m = spec('  depth: 4\n  width: 5\n  activation: tanh\n  center: false\n  eps: 0.001\n').model;
  assert.equal(m.layers.length, 12);
  assert.deepEqual(kinds(m.layers), Array(4).fill(['dense', 'batchnorm', 'activation']).flat());
  for (const l of m.layers) {
    if (l.kind === 'dense') assert.deepEqual([l.units, l.init, l.gain, l.bias], [5, 'orthogonal', 1, false]);
    if (l.kind === 'batchnorm') assert.deepEqual([l.center, l.eps], [false, 0.001]);
    if (l.kind === 'activation') assert.deepEqual([l.fn, l.gain], ['tanh', 1]);
  }
});

test('block orders and norm: none', () => {
  const order = (o: string, norm = 'batchnorm') => kinds(spec(`  depth: 2\n  width: 5\n  order: ${o}\n  norm: ${norm}\n`).model.layers);
  assert.deepEqual(order('norm-linear-act'), ['batchnorm', 'dense', 'activation', 'batchnorm', 'dense', 'activation']);
  assert.deepEqual(order('linear-act-norm'), ['dense', 'activation', 'batchnorm', 'dense', 'activation', 'batchnorm']);
  assert.deepEqual(order('linear-norm-act', 'layernorm'), ['dense', 'layernorm', 'activation', 'dense', 'layernorm', 'activation']);
  assert.deepEqual(order('linear-norm-act', 'none'), ['dense', 'activation', 'dense', 'activation']);
});

test('shaping gain of block l is l^-exponent', () => {
  const m = spec('  depth: 9\n  width: 4\n  activation: sin\n  shaping: { exponent: 0.5 }\n').model;
  const gains = m.layers.flatMap((l) => (l.kind === 'activation' ? [l.gain] : []));
  assert.equal(gains.length, 9);
  // 1/sqrt(l): exactly 1, 1/2 and 1/3 at l = 1, 4, 9.
  assert.equal(gains[0], 1);
  assert.equal(gains[3], 0.5);
  assert.ok(Math.abs(gains[8]! - 1 / 3) < 1e-15);
  for (let l = 1; l <= 9; l++) assert.ok(Math.abs(gains[l - 1]! - 1 / Math.sqrt(l)) < 1e-15, `block ${l}`);
  // The default exponent is 0.4: block 32 gets 32^-0.4 = 2^-2 = 1/4.
  const d = spec('  depth: 32\n  width: 4\n  activation: tanh\n  shaping: {}\n').model;
  assert.deepEqual(d.shaping, { exponent: 0.4 });
  const last = d.layers[d.layers.length - 1]!;
  assert.equal(last.kind, 'activation');
  assert.ok(last.kind === 'activation' && Math.abs(last.gain - 0.25) < 1e-15);
});

test('leaky-relu carries its slope', () => {
  const m = spec('  depth: 1\n  width: 4\n  activation: leaky-relu\n  leaky-slope: 0.3\n').model;
  assert.deepEqual(m.layers[2], { kind: 'activation', fn: 'leaky-relu', gain: 1, slope: 0.3, path: 'model.activation' });
  const d = spec('  depth: 1\n  width: 4\n  activation: leaky-relu\n').model;
  assert.equal(d.layers[2]?.kind === 'activation' && d.layers[2].slope, 0.01);
});

test('residual wraps blocks 2..L; block 1 projects the input; 1/sqrt(depth) is evaluated', () => {
  const m = spec('  depth: 16\n  width: 6\n  norm: none\n  residual: { alpha: 1/sqrt(depth) }\n').model;
  assert.deepEqual(m.residual, { alpha: 0.25, alphaExpr: '1/sqrt(depth)', learnable: false });
  assert.equal(m.layers.length, 2 + 15);
  assert.deepEqual(kinds(m.layers.slice(0, 2)), ['dense', 'activation']);
  for (const l of m.layers.slice(2)) {
    assert.equal(l.kind, 'residual');
    assert.ok(l.kind === 'residual' && l.alpha === 0.25 && l.learnable === false);
    assert.ok(l.kind === 'residual' && kinds(l.body).join() === 'dense,activation');
  }
  const skip = spec('  depth: 3\n  width: 6\n  residual: { alpha: 0, learnable: true }\n').model;
  assert.deepEqual(skip.residual, { alpha: 0, learnable: true });
  const plain = spec('  depth: 3\n  width: 6\n  residual: {}\n').model;
  assert.equal(plain.residual?.alpha, 1);
});

test('explicit layers: repeat expands, depth counts dense layers, width is the last dense', () => {
  const m = spec(`  layers:
    - dense: { units: 8, init: gaussian, init-gain: 2 }
    - repeat: 3
      layers:
        - dense: { units: 4 }
        - batchnorm: { center: false }
        - activation: tanh
    - dense: { units: 5, bias: true }
`).model;
  assert.equal(m.form, 'layers');
  assert.equal(m.depth, 5);
  assert.equal(m.width, 5);
  assert.deepEqual(kinds(m.layers), ['dense', ...Array(3).fill(['dense', 'batchnorm', 'activation']).flat(), 'dense']);
  assert.deepEqual(m.layers[0], { kind: 'dense', units: 8, init: 'gaussian', gain: 2, bias: false, path: 'model.layers[0].dense' });
  assert.deepEqual(m.layers[1], { kind: 'dense', units: 4, init: 'orthogonal', gain: 1, bias: false, path: 'model.layers[1].layers[0].dense' });
  assert.deepEqual(m.layers[2], { kind: 'batchnorm', center: false, eps: 1e-5, path: 'model.layers[1].layers[1].batchnorm' });
  // Summary: what most layers do (4 of 5 dense orthogonal, gain 1, no bias; 3 of 3 norms uncentred).
  assert.deepEqual(
    [m.init, m.initGain, m.bias, m.norm, m.center, m.activation, m.order, m.shaping, m.residual],
    ['orthogonal', 1, false, 'batchnorm', false, 'tanh', 'linear-norm-act', null, null],
  );
});

test('explicit layers: nested repeats multiply; null norm options and the object activation form', () => {
  const m = spec(`  layers:
    - repeat: 2
      layers:
        - repeat: 3
          layers: [{ dense: { units: 6 } }, { layernorm: }, { activation: { fn: leaky-relu, slope: 0.1 } }]
`).model;
  assert.equal(m.depth, 6);
  assert.equal(m.layers.length, 18);
  assert.equal(m.norm, 'layernorm');
  assert.equal(m.leakySlope, 0.1);
  assert.deepEqual(m.layers[1], { kind: 'layernorm', center: true, eps: 1e-5, path: 'model.layers[0].layers[0].layers[1].layernorm' });
});

test('explicit layers: shaping-exponent uses l = dense layers so far; residual alpha 1/sqrt(depth) uses the total', () => {
  const m = spec(`  layers:
    - dense: { units: 6 }
    - activation: { fn: tanh, shaping-exponent: 0.5 }
    - repeat: 3
      layers:
        - residual:
            alpha: 1/sqrt(depth)
            layers:
              - dense: { units: 6 }
              - activation: { fn: tanh, shaping-exponent: 0.5 }
`).model;
  assert.equal(m.depth, 4);
  assert.deepEqual(m.shaping, { exponent: 0.5 });
  assert.equal(m.residual?.alpha, 0.5);
  const gains: number[] = [];
  const walk = (ls: readonly LayerSpec[]) => ls.forEach((l) => (l.kind === 'residual' ? walk(l.body) : l.kind === 'activation' && gains.push(l.gain)));
  walk(m.layers);
  // l = 1, 2, 3, 4 → 1, 1/√2, 1/√3, 1/2.
  assert.deepEqual(gains.map((g) => g.toFixed(12)), [1, 2, 3, 4].map((l) => (1 / Math.sqrt(l)).toFixed(12)));
  assert.equal(m.layers.filter((l) => l.kind === 'residual').length, 3);
});

test('explicit layers: order is read from the arrangement around the dense layers', () => {
  const m = spec(`  layers:
    - repeat: 4
      layers: [{ batchnorm: }, { dense: { units: 6 } }, { activation: relu }]
`).model;
  assert.equal(m.order, 'norm-linear-act');
  const n = spec(`  layers:
    - repeat: 4
      layers: [{ dense: { units: 6 } }, { activation: relu }, { batchnorm: }]
`).model;
  assert.equal(n.order, 'linear-act-norm');
  const none = spec(`  layers: [{ dense: { units: 6 } }, { activation: relu }]\n`).model;
  assert.equal(none.norm, 'none');
});

test('the compact form at the depth limit expands to 3·100000 layers', () => {
  const m = spec('  depth: 100000\n  width: 4\n').model;
  assert.equal(m.layers.length, 300000);
});
