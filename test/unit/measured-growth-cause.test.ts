// DL201 (measured growth) borrows the path and fix of the static finding that explains it, DL107 and DL108 included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measuredFindings } from '../../src/engine/measuredFindings';
import { staticFindings } from '../../src/theory/staticFindings';
import { makeSpec, type SpecOverrides } from './spec-fixture';

function dl201(o: SpecOverrides) {
  const spec = makeSpec(o);
  const found = measuredFindings({
    spec,
    layers: [],
    growth: { perLayer: 1.05, log10Range: 9 },
    theory: null,
    runs: [],
    staticFindings: staticFindings(spec, new Map()),
  });
  return found.find((f) => f.code === 'DL201')!;
}

test('DL201 on an orthogonal net with B < d points at data.batch with the batch = width fix (DL107)', () => {
  const f = dl201({ data: { batch: 16, features: 128 }, model: { width: 128, depth: 1000 } });
  assert.equal(f.path, 'data.batch');
  assert.deepEqual(f.fix?.value, 128);
});

test('DL201 on an unnormalized ReLU residual net with α = 1/√L takes the SkipInit fix of DL108', () => {
  const f = dl201({ model: { norm: 'none', init: 'he', activation: 'relu', depth: 200, residual: { alpha: 1 / Math.sqrt(200), learnable: false } } });
  assert.equal(f.path, 'model.residual.alpha');
  assert.deepEqual(f.fix?.value, { alpha: 0 });
});
