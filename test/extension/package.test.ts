// `vsce package` makes a .vsix with only what the extension runs, and the engine inside it works standalone: no
// node_modules anywhere near it, the wasm backend loading its .wasm files from beside dist/engine.js.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient } from '../../src/extension/engineClient';
import { type Logger } from '../../src/shared/logger';
import { FIXTURES } from './fixtures';
import { FINDING_CODES } from '../../src/shared/findings';
import { SWIFTSHADER_ICD } from '../engine/webgpu';

const ROOT = join(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'depthlens-vsix-'));
const vsix = join(scratch, 'depthlens.vsix');
let listing: string[] = [];

before(() => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const pack = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], {
    cwd: ROOT,
    encoding: 'utf8',
    input: '',
  });
  assert.equal(pack.status, 0, `vsce package failed:\n${pack.stdout}\n${pack.stderr}`);
  const unzip = spawnSync('unzip', ['-Z1', vsix], { encoding: 'utf8' });
  assert.equal(unzip.status, 0, unzip.stderr);
  listing = unzip.stdout.trim().split('\n');
});

test('the vsix holds the bundles, wasm files, schema, grammar and icon the manifest refers to', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    main: string;
    icon: string;
    contributes: { grammars: { path: string }[]; jsonValidation: { url: string }[]; languages: { configuration?: string }[] };
  };
  const referenced = [
    manifest.main,
    manifest.icon,
    ...manifest.contributes.grammars.map((g) => g.path),
    ...manifest.contributes.jsonValidation.map((j) => j.url),
    ...manifest.contributes.languages.flatMap((l) => (l.configuration ? [l.configuration] : [])),
    'dist/engine.js',
    'dist/host-worker.js',
    'dist/tfjs-backend-wasm.wasm',
    'dist/tfjs-backend-wasm-simd.wasm',
    'dist/webview/panel.js',
    'dist/webview/panel.css',
    'dist/webview/codicon.css',
    'dist/webview/codicon.ttf',
    // Each diagnostic's code links to its page (codeDescription).
    ...FINDING_CODES.map((code) => `docs/findings/${code}.md`),
  ];
  for (const p of referenced) {
    const inVsix = `extension/${p.replace(/^\.\//, '')}`;
    assert.ok(listing.includes(inVsix), `${inVsix} missing from the vsix`);
  }
});

test('the vsix holds nothing it does not run: no node_modules, sources, tests or source maps', () => {
  const stray = listing.filter((f) => /node_modules\/|^extension\/(src|test|webview|scripts|bench|examples|\.cache|\.ci)\/|\.map$|\.ts$/.test(f));
  assert.deepEqual(stray, []);
});

test('dist/engine.js from the vsix runs a spec on wasm with nothing but its own folder', async () => {
  const out = join(scratch, 'unpacked');
  const unzip = spawnSync('unzip', ['-q', vsix, '-d', out], { encoding: 'utf8' });
  assert.equal(unzip.status, 0, unzip.stderr);
  const lines: string[] = [];
  const log: Logger = { trace: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  const client = new EngineClient({ enginePath: join(out, 'extension', 'dist', 'engine.js'), log });
  try {
    const o = await client.run(FIXTURES['tiny.depthlens.yaml']!, join(scratch, 'tiny.depthlens.yaml'), { backend: 'wasm' }).outcome;
    assert.equal(o.kind, 'done', `${JSON.stringify(o)}\n${lines.join('\n')}`);
    if (o.kind === 'done') {
      assert.equal(o.result.backend.name, 'wasm');
      assert.equal(o.result.layers.length, 6);
    }
  } finally {
    client.dispose();
  }
});

test('a platform package (--target) carries only its own WebGPU addon, and its engine computes on webgpu from its own folder', async (t) => {
  const target = `${process.platform}-${process.arch}`;
  if (!existsSync(join(ROOT, 'node_modules', 'webgpu', 'dist', target))) return t.skip(`no webgpu binary for ${target} in node_modules`);
  const pack = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--target', target, '--out', scratch], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(pack.status, 0, `${pack.stdout}\n${pack.stderr}`);
  const targeted = join(scratch, `depthlens-${target}.vsix`);
  const files = spawnSync('unzip', ['-Z1', targeted], { encoding: 'utf8' }).stdout.trim().split('\n');
  const vendored = files.filter((f) => f.startsWith('extension/dist/vendor/'));
  assert.ok(vendored.includes(`extension/dist/vendor/webgpu/dist/${target}/dawn.node`), vendored.join('\n'));
  assert.deepEqual(vendored.filter((f) => /\/dist\/vendor\/webgpu\/dist\//.test(f) && !f.includes(`/dist/${target}/`)), [], 'other platforms’ binaries');
  assert.ok(!listing.some((f) => f.includes('dist/vendor/')), 'the universal package carries no GPU binary');
  assert.ok(!existsSync(join(ROOT, 'dist', 'vendor')), 'packaging leaves dist/vendor behind');

  const out = join(scratch, 'unpacked-target');
  assert.equal(spawnSync('unzip', ['-q', targeted, '-d', out]).status, 0);
  const lines: string[] = [];
  const log: Logger = { trace: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  // SwiftShader's Vulkan driver (Debian's chromium) stands in for a GPU on machines without one; the engine inherits it.
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const client = new EngineClient({ enginePath: join(out, 'extension', 'dist', 'engine.js'), log });
  try {
    const o = await client.run(FIXTURES['tiny.depthlens.yaml']!, join(scratch, 'tiny.depthlens.yaml'), { backend: 'webgpu' }).outcome;
    assert.equal(o.kind, 'done', `${JSON.stringify(o)}\n${lines.join('\n')}`);
    if (o.kind === 'done') {
      assert.equal(o.result.backend.name, 'webgpu');
      assert.ok(o.result.backend.adapter, 'the adapter is reported');
      assert.equal(o.result.layers.length, 6);
      assert.ok(o.result.layers.every((l) => Number.isFinite(l.logGradNorm.mean)));
    }
  } finally {
    client.dispose();
  }
});
