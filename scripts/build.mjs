// Bundles the five entry points with esbuild: CLI, engine process, extension host, isometry-gap worker, webview panel.
// Usage: node scripts/build.mjs [--watch] [--minify] [--only=cli,engine,extension,host-worker,panel]
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');
const dist = join(root, 'dist');
mkdirSync(join(dist, 'webview'), { recursive: true });

// Native tfjs backends are optional and loaded at run time from node_modules or the extension's storage.
const nativeExternals = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify,
  logLevel: 'warning',
  external: nativeExternals,
};

const entries = [
  { ...node, entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(dist, 'cli.js'), banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: [join(root, 'src/engine/process.ts')], outfile: join(dist, 'engine.js') },
  { ...node, entryPoints: [join(root, 'src/extension/extension.ts')], outfile: join(dist, 'extension.js'), external: [...nativeExternals, 'vscode'] },
  // Worker of the host pool (src/engine/hostPool.ts: isometry gaps, Householder draws): the engine and CLI bundles start it from beside themselves.
  { ...node, entryPoints: [join(root, 'src/engine/hostWorker.ts')], outfile: join(dist, 'host-worker.js') },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    minify,
    logLevel: 'warning',
    entryPoints: [join(root, 'src/webview/main.ts')],
    outfile: join(dist, 'webview/panel.js'),
  },
];

// The wasm backend loads its .wasm files from the directory of the bundle that runs it.
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  if (existsSync(join(wasmDir, f))) cpSync(join(wasmDir, f), join(dist, f));
}
for (const [from, to] of [
  ['media/panel.css', 'webview/panel.css'],
  ['node_modules/@vscode/codicons/dist/codicon.css', 'webview/codicon.css'],
  ['node_modules/@vscode/codicons/dist/codicon.ttf', 'webview/codicon.ttf'],
]) {
  if (existsSync(join(root, from))) cpSync(join(root, from), join(dist, to));
}

// --only=panel,cli builds just those bundles (named by output file), e.g. for the webview tests.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const wanted = only ? entries.filter((e) => only.includes(basename(e.outfile, '.js'))) : entries;
const present = wanted.filter((e) => existsSync(e.entryPoints[0]));
for (const e of wanted) if (!present.includes(e)) console.warn(`build: skipping missing entry ${e.entryPoints[0]}`);
if (watch) {
  for (const e of present) await (await esbuild.context(e)).watch();
  console.log('build: watching');
} else {
  await Promise.all(present.map((e) => esbuild.build(e)));
  console.log(`build: ${present.length} bundles in dist/`);
}
