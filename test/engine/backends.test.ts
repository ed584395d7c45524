// Backends: selection, verification, reporting, and agreement of every installed backend on the same seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { BackendUnavailableError, selectBackend } from '../../src/engine/backend';
import { analyze } from '../../src/engine';
import { parseSpec } from '../../src/spec';
import type { BackendChoice } from '../../src/result';

const require_ = createRequire(__filename);
function installed(pkg: string): boolean {
  try {
    require_.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const nativeInstalled = installed('@tensorflow/tfjs-node');
const available: BackendChoice[] = ['wasm', 'cpu', ...(nativeInstalled ? (['tfjs-node'] as const) : [])];

test('each requested backend is really the one tfjs runs on, and reports name, version and threads', async () => {
  for (const choice of ['wasm', 'cpu'] as const) {
    const b = await selectBackend(choice);
    assert.equal(b.tf.getBackend(), choice);
    assert.equal(b.info.name, choice);
    assert.match(b.info.version, /^\d+\.\d+\.\d+/);
    assert.equal(b.info.threads, 1);
  }
  assert.equal((await selectBackend('wasm')).info.simd, true, 'wasm SIMD is available in Node 20');
});

test('a missing native backend is a clear error that says how to install it', { skip: nativeInstalled }, async () => {
  await assert.rejects(selectBackend('tfjs-node'), (e: unknown) => {
    assert.ok(e instanceof BackendUnavailableError);
    assert.match(e.message, /npm install @tensorflow\/tfjs-node/);
    assert.match(e.message, /DepthLens: Install Native Backend/);
    return true;
  });
  // auto falls through the native ones to wasm here.
  const auto = await selectBackend('auto');
  assert.equal(auto.info.name, 'wasm');
});

test('installed backends agree on the same seeds to float32 tolerance', async () => {
  const parsed = parseSpec(
    `depthlens: 1
data: { source: gaussian, features: 12, batch: 10, classes: 3 }
model: { depth: 12, width: 16, init: orthogonal, norm: batchnorm, center: true, activation: tanh, shaping: { exponent: 0.4 } }
diagnostics: { seeds: 2 }`,
    'agree.depthlens.yaml',
  );
  assert.ok(parsed.spec);
  const results = [];
  for (const backend of available) results.push(await analyze(parsed.spec, { backend }));
  const [first, ...others] = results;
  for (const other of others) {
    assert.notEqual(other.backend.name, first.backend.name);
    for (let i = 0; i < first.layers.length; i++) {
      const a = first.layers[i];
      const b = other.layers[i];
      assert.ok(Math.abs(a.logGradNorm.mean! - b.logGradNorm.mean!) < 1e-3, `layer ${i} ln‖∇W‖ ${a.logGradNorm.mean} vs ${b.logGradNorm.mean}`);
      assert.ok(Math.abs(a.isometryGap.mean! - b.isometryGap.mean!) < 1e-3, `layer ${i} φ ${a.isometryGap.mean} vs ${b.isometryGap.mean}`);
    }
  }
  await selectBackend('wasm');
});

test('native backends are looked up in RunOptions.nativeModulePaths (the extension installs them there)', { skip: nativeInstalled }, async () => {
  // A stand-in package whose load fails the way a broken native install does: found there, so the error says so.
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const storage = mkdtempSync(join(tmpdir(), 'depthlens-native-'));
  const pkgDir = join(storage, 'node_modules', '@tensorflow', 'tfjs-node');
  mkdirSync(pkgDir, { recursive: true });
  writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.22.0', main: 'index.js' }));
  writeFileSync(join(pkgDir, 'index.js'), "throw new Error('libtensorflow.so: cannot open shared object file');\n");
  await assert.rejects(selectBackend('tfjs-node', [storage]), (e: unknown) => {
    assert.ok(e instanceof BackendUnavailableError);
    assert.match(e.message, /found but failed to load/);
    assert.match(e.message, /libtensorflow\.so/);
    return true;
  });
  await assert.rejects(selectBackend('tfjs-node', []), /is not installed/);
});
