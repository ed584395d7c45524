// The import rules of eslint.config.mjs (DESIGN §2 "may import") catch a forbidden import and let an allowed one through,
// and the sources have no import cycle (counting type-only imports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const eslint = new ESLint({ cwd: root });

async function restricted(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  assert.equal(result.fatalErrorCount, 0, result.messages.map((m) => m.message).join('\n'));
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const forbidden: [string, string][] = [
  ['src/engine/x.ts', "import * as vscode from 'vscode';"],
  ['src/engine/x.ts', "import { h } from '../webview/dom/h';"],
  ['src/engine/x.ts', "import { parseSpec } from '../spec/parse';"],
  ['src/engine/data/x.ts', "import { locate } from '../../spec/source-map';"],
  ['src/engine/x.ts', "import { activate } from '../extension/extension';"],
  ['src/theory/x.ts', "import { analyze } from '../engine';"],
  ['src/theory/x.ts', "import type { Tensor } from '@tensorflow/tfjs';"],
  ['src/spec/x.ts', "import { predict } from '../theory';"],
  ['src/spec/x.ts', "import type { Result } from '../shared/result';"],
  ['src/theory/x.ts', "import type { EngineRequest } from '../shared/protocol';"],
  ['src/webview/x.ts', "import '@tensorflow/tfjs';"],
  ['src/webview/dom/x.ts', "import * as tf from '@tensorflow/tfjs-core';"],
  ['src/webview/x.ts', "import { analyze } from '../engine';"],
  ['src/webview/x.ts', "import { checkText } from '../theory';"],
  ['src/webview/x.ts', "import * as vscode from 'vscode';"],
  ['src/webview/x.ts', "import { platform } from 'node:os';"],
  ['src/webview/dom/x.ts', "import { runRecord } from '../../shared/runRecord';"],
  ['src/cli/x.ts', "import { DataError } from '../engine/data';"],
  ['src/cli/x.ts', "import { selectBackend } from '../engine/backend';"],
  ['src/cli/x.ts', "export { Rng } from '../engine/rng';"],
  ['src/cli/x.ts', "import * as vscode from 'vscode';"],
  ['src/extension/x.ts', "import { analyze } from '../engine';"],
  ['src/extension/x.ts', "import * as tf from '@tensorflow/tfjs';"],
  ['src/extension/x.ts', "import { predictAt } from '../theory/predict';"],
  ['src/shared/x.ts', "import { analyze } from '../engine';"],
  ['src/shared/x.ts', "import * as vscode from 'vscode';"],
  ['src/import/x.ts', "import { checkText } from '../theory';"],
  ['src/import/x.ts', "import { analyze } from '../engine';"],
  ['src/import/x.ts', "import * as tf from '@tensorflow/tfjs';"],
  ['src/cli/x.ts', "import { onnxGraph } from '../import/onnx';"],
  ['src/extension/x.ts', "import { kerasGraph } from '../import/keras';"],
  ['src/spec/x.ts', "import { importModel } from '../import';"],
  ['src/theory/x.ts', "import { importModel } from '../import';"],
];

for (const [file, code] of forbidden) {
  test(`lint: forbidden in ${file}: ${code}`, async () => {
    const messages = await restricted(code, file);
    assert.equal(messages.length, 1, `expected one no-restricted-imports error, got ${JSON.stringify(messages)}`);
  });
}

const allowed: [string, string][] = [
  ['src/engine/x.ts', "import * as tf from '@tensorflow/tfjs';"],
  ['src/engine/x.ts', "import { parseSpec } from '../spec';\nimport type { Spec } from '../spec/types';\nimport { predict } from '../theory/index';"],
  ['src/engine/train/x.ts', "import type { Finding } from '../../shared/findings';\nimport { trainingData } from '../data/index';\nimport type { Result } from '../../shared/result';"],
  ['src/engine/x.ts', "import { Rng } from './rng';\nimport { transpose2d } from './kernels/wasm/transpose';"],
  ['src/cli/x.ts', "import { analyze, DataError } from '../engine';\nimport { checkText } from '../theory';\nimport { renderReportHtml } from '../shared/panelHtml';"],
  ['src/extension/x.ts', "import * as vscode from 'vscode';\nimport { setValueEdit } from '../spec/index';\nimport type { RunOptions } from '../shared/protocol';"],
  ['src/theory/x.ts', "import { parseSpec } from '../spec';\nimport type { Activation } from '../spec/types';"],
  ['src/import/x.ts', "import type { Activation } from '../spec/types';\nimport type { Finding } from '../shared/findings';"],
  ['src/cli/x.ts', "import { importModel } from '../import';"],
  ['src/extension/x.ts', "import { importModel, isModelFile } from '../import/index';"],
  ['src/spec/x.ts', "import { parseDocument } from 'yaml';\nimport { valueRange } from './source-map';\nimport type { Range } from '../shared/findings';"],
  ['src/webview/dom/x.ts', "import type { Result } from '../../shared/result';\nimport type { Finding } from '../../shared/findings';\nimport { Chart } from 'chart.js';"],
  ['bench/x.ts', "import { Rng } from '../src/engine/rng';\nimport * as tf from '@tensorflow/tfjs';"],
];

for (const [file, code] of allowed) {
  test(`lint: allowed in ${file}: ${code.replace(/\n/g, ' ')}`, async () => {
    assert.deepEqual(await restricted(code, file), []);
  });
}

// ---- import cycles: relative imports (static, re-exports, `import('./x')` types) among src/ ----

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec.replace(/\.js$/, ''));
  for (const p of [`${base}.ts`, join(base, 'index.ts')]) if (existsSync(p)) return p;
  return null; // json, css, …
}

test('no import cycles among src/ (type-only imports included)', () => {
  const files = sources(join(root, 'src'));
  const edges = new Map<string, string[]>();
  const importRe = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const targets = new Set<string>();
    for (const m of text.matchAll(importRe)) {
      const t = resolveImport(f, m[1]);
      if (t) targets.add(t);
    }
    edges.set(f, [...targets]);
  }
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of edges.get(f) ?? []) {
      if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map((p) => relative(root, p)).join(' → '));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});
