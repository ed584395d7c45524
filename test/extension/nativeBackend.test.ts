import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeInstallFailure, installNativeBackend } from '../../src/extension/nativeBackend';

test('network failures read as offline, naming what could not be reached', () => {
  const registry = describeInstallFailure('@tensorflow/tfjs-node', 1, 'npm error code ENOTFOUND\nnpm error getaddrinfo ENOTFOUND registry.npmjs.org');
  assert.match(registry, /offline/);
  assert.match(registry, /reach the npm registry/);
  const libtf = describeInstallFailure('@tensorflow/tfjs-node', 1, '* Downloading libtensorflow\nError: getaddrinfo EAI_AGAIN storage.googleapis.com');
  assert.match(libtf, /download the TensorFlow C library/);
  const other = describeInstallFailure('@tensorflow/tfjs-node-gpu', 7, 'something else');
  assert.match(other, /exited with code 7/);
  for (const m of [registry, libtf, other]) assert.match(m, /WebAssembly/);
});

test('installing with the registry unreachable fails with the offline message and leaves a usable folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'depthlens-native-'));
  const saved = { registry: process.env.npm_config_registry, cache: process.env.npm_config_cache, retries: process.env.npm_config_fetch_retries };
  process.env.npm_config_registry = 'http://127.0.0.1:9/';
  process.env.npm_config_cache = join(dir, 'npm-cache');
  process.env.npm_config_fetch_retries = '0';
  try {
    const lines: string[] = [];
    const o = await installNativeBackend('@tensorflow/tfjs-node', join(dir, 'storage'), { onOutput: (l) => lines.push(l) });
    assert.equal(o.ok, false);
    assert.match(o.message, /^Could not install @tensorflow\/tfjs-node: this machine appears to be offline/);
    assert.ok(lines.length > 0, 'npm output was not streamed');
    const manifest = JSON.parse(readFileSync(join(dir, 'storage', 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
    assert.equal(manifest.allowScripts['@tensorflow/tfjs-node'], true);
    assert.ok(!existsSync(join(dir, 'storage', 'node_modules', '@tensorflow', 'tfjs-node')));
  } finally {
    for (const [k, v] of [['npm_config_registry', saved.registry], ['npm_config_cache', saved.cache], ['npm_config_fetch_retries', saved.retries]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test('aborting the install kills npm and says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'depthlens-native-'));
  const abort = new AbortController();
  const pending = installNativeBackend('@tensorflow/tfjs-node', join(dir, 'storage'), { signal: abort.signal });
  abort.abort();
  const o = await pending;
  assert.equal(o.ok, false);
  assert.match(o.message, /cancelled/);
});
