// Backends: selection, verification, reporting, and agreement of every installed backend on the same seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { BackendUnavailableError, selectBackend } from '../../src/engine/backend';
import { analyze } from '../../src/engine';
import { parseSpec } from '../../src/spec';
import type { BackendChoice } from '../../src/shared/result';
import { webgpuBackend } from './webgpu';

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
    assert.match(e.message, /DepthLens: Install Native or GPU Backend/);
    return true;
  });
  // auto falls through the native ones to wasm here, and says why.
  const auto = await selectBackend('auto');
  assert.equal(auto.info.name, 'wasm');
  assert.match(auto.info.reason ?? '', /^auto: wasm/);
});

test('webgpu reports its adapter (vendor, architecture, device, driver) and whether it is software', async (t) => {
  const b = await webgpuBackend(t);
  if (!b) return;
  assert.equal(b.tf.getBackend(), 'webgpu');
  assert.equal(b.info.name, 'webgpu');
  const a = b.info.adapter;
  assert.ok(a, 'adapter info');
  for (const k of ['vendor', 'architecture', 'device', 'description'] as const) assert.equal(typeof a[k], 'string', k);
  // This machine has no GPU: the adapter is SwiftShader, a software one.
  assert.equal(a.software, /swiftshader/i.test(`${a.architecture} ${a.device} ${a.description}`));
  assert.match(b.info.reason ?? '', /asked for by name/);
});

test('auto never chooses a software adapter, even for a large run, and says so in the reason', async (t) => {
  const gpu = await webgpuBackend(t);
  if (!gpu) return;
  if (!gpu.info.adapter?.software) return t.skip('this machine has a hardware adapter');
  const large = { width: 4096, batch: 512, features: 4096, depth: 100, passes: 1, orthogonal: true };
  const auto = await selectBackend('auto', [], large);
  assert.equal(auto.info.name, 'wasm');
  assert.equal(auto.tf.getBackend(), 'wasm', 'tfjs switched back from webgpu to wasm');
  assert.match(auto.info.reason ?? '', /software.*never chosen by auto/);
});

test('backend packages planted in the working directory or above DepthLens are never loaded', async () => {
  // A repository that ships node_modules/@tensorflow/tfjs-node-gpu (or webgpu) must not get its code run by an analysis.
  const { mkdtempSync, mkdirSync, writeFileSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const workspace = mkdtempSync(join(tmpdir(), 'depthlens-planted-'));
  const marker = join(workspace, 'PWNED');
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', 'webgpu']) {
    const dir = join(workspace, 'node_modules', pkg);
    mkdirSync(join(dir, 'dist', `${process.platform}-${process.arch}`), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: pkg, version: '4.22.0', main: 'index.js' }));
    const payload = `require('fs').writeFileSync(${JSON.stringify(marker)}, ${JSON.stringify(pkg)});\n`;
    writeFileSync(join(dir, 'index.js'), payload);
    writeFileSync(join(dir, 'dist', `${process.platform}-${process.arch}`, 'dawn.node'), payload);
  }
  const cwd = process.cwd();
  process.chdir(workspace);
  try {
    for (const choice of ['tfjs-node-gpu', 'tfjs-node'] as const) await assert.rejects(selectBackend(choice), /is not installed/);
    const auto = await selectBackend('auto');
    assert.notEqual(auto.info.name, 'tensorflow-gpu');
  } finally {
    process.chdir(cwd);
  }
  assert.equal(existsSync(marker), false, 'a package from the working directory ran');
});

test('a lost GPU device fails the run with a clear error, and the next run starts a new device', async (t) => {
  const first = await webgpuBackend(t);
  if (!first) return;
  const parsed = parseSpec(
    `depthlens: 1
data: { source: gaussian, features: 16, batch: 8, classes: 3 }
model: { depth: 60, width: 16, init: orthogonal, norm: batchnorm, activation: tanh }
diagnostics: { seeds: 1 }`,
    'lost.depthlens.yaml',
  );
  assert.ok(parsed.spec);
  let destroyed = false;
  await assert.rejects(
    analyze(parsed.spec, { backend: 'webgpu' }, {
      onProgress: (p) => {
        if (p.phase === 'diagnostics' && !destroyed) {
          destroyed = true;
          first.device!.destroy();
        }
      },
    }),
    (e: unknown) => {
      assert.match((e as Error).message, /GPU device was lost/);
      return true;
    },
  );
  assert.ok(destroyed);
  const again = await analyze(parsed.spec, { backend: 'webgpu' });
  assert.equal(again.backend.name, 'webgpu');
  assert.equal(again.layers.length, 60);
  assert.ok(again.layers.every((l) => Number.isFinite(l.logGradNorm.mean)));
  await selectBackend('wasm');
});

test('installed backends (webgpu on SwiftShader included) agree on the same seeds to float32 tolerance', async (t) => {
  if (await webgpuBackend(t)) available.push('webgpu');
  const parsed = parseSpec(
    `depthlens: 1
data: { source: gaussian, features: 12, batch: 10, classes: 3 }
model: { depth: 12, width: 16, init: orthogonal, norm: batchnorm, center: true, activation: tanh, shaping: { exponent: 0.4 } }
diagnostics: { seeds: 2, depths: [4, 8, 12] }`,
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
    // The depth sweep runs on the same backend and gives the same first-layer norms.
    assert.deepEqual(other.depthSweep?.map((p) => p.depth), [4, 8, 12]);
    first.depthSweep!.forEach((p, k) => {
      const q = other.depthSweep![k];
      assert.ok(Math.abs(p.logGradNormW1.mean! - q.logGradNormW1.mean!) < 1e-3, `sweep depth ${p.depth}: ${p.logGradNormW1.mean} vs ${q.logGradNormW1.mean}`);
    });
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
