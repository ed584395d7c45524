// Every list of allowed values is declared once (`as const`, the type derived from it); these tests tie the copies that
// cannot import it (package.json, schemas/depthlens.schema.json) to that list, and the protocol guards to theirs.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  isEngineEvent,
  isEngineRequest,
  isFinding,
  isHostToWebview,
  isWebviewToHost,
  LOG_LEVELS,
  RUN_MODES,
  RUN_PHASES,
  RUN_STATES,
} from '../../src/shared/protocol';
import { BACKEND_CHOICES } from '../../src/shared/result';
import { ACTIVATIONS, BLOCK_ORDERS, DATA_SOURCES, INIT_KINDS, LOSS_KINDS, NORM_KINDS, OPTIMIZER_KINDS } from '../../src/spec/types';
import { SEVERITIES } from '../../src/shared/findings';

const root = join(__dirname, '..', '..');
const readJson = (rel: string): unknown => JSON.parse(readFileSync(join(root, rel), 'utf8'));

type Json = Record<string, unknown>;
const pkg = readJson('package.json') as { contributes: { commands: { command: string }[]; configuration: { properties: Record<string, Json> } } };
const schema = readJson('schemas/depthlens.schema.json') as Json;

/** The node at a JSON pointer ("#/properties/model/properties/norm"), following `$ref`s to "#/..." on the way and at the end. */
function at(doc: Json, pointer: string): Json {
  const resolve = (node: unknown): Json => {
    assert.ok(typeof node === 'object' && node !== null, `${pointer}: no object there`);
    const ref = (node as Json)['$ref'];
    return typeof ref === 'string' ? at(doc, ref) : (node as Json);
  };
  let node: Json = doc;
  for (const key of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) node = resolve(node[key]);
  return resolve(node);
}

/** Every `enum` in the schema, by JSON pointer: a new one must be added to the table below. */
function enumsOf(node: unknown, pointer = '#'): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  if (Array.isArray(node)) node.forEach((n, i) => enumsOf(n, `${pointer}/${i}`).forEach((v, k) => out.set(k, v)));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'enum' && Array.isArray(value)) out.set(pointer, value);
      else enumsOf(value, `${pointer}/${key}`).forEach((v, k) => out.set(k, v));
    }
  }
  return out;
}

const specLists: [string, readonly string[]][] = [
  ['#/properties/data/properties/source', DATA_SOURCES],
  ['#/properties/model/properties/init', INIT_KINDS],
  ['#/properties/model/properties/norm', NORM_KINDS],
  ['#/properties/model/properties/order', BLOCK_ORDERS],
  ['#/properties/model/properties/activation', ACTIVATIONS],
  ['#/properties/loss', LOSS_KINDS],
  ['#/properties/train/properties/optimizer', OPTIMIZER_KINDS],
];

test('the spec value lists equal the enums of schemas/depthlens.schema.json', () => {
  for (const [pointer, list] of specLists) assert.deepEqual(at(schema, pointer)['enum'], [...list], pointer);
});

test('every enum of the schema is a spec value list (or a subset of one, for a condition)', () => {
  const lists = specLists.map(([, l]) => l);
  for (const [pointer, values] of enumsOf(schema)) {
    assert.ok(
      lists.some((l) => values.every((v) => typeof v === 'string' && l.includes(v))),
      `${pointer}: ${JSON.stringify(values)} is in no value list of src/spec/types.ts`,
    );
  }
});

test('package.json: the depthlens.backend setting offers exactly BACKEND_CHOICES', () => {
  assert.deepEqual(pkg.contributes.configuration.properties['depthlens.backend']?.['enum'], [...BACKEND_CHOICES]);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : name.endsWith('.ts') ? [p] : [];
  });
}

test('package.json: the contributed commands are the commands the extension registers', () => {
  const registered = new Set<string>();
  for (const file of sourceFiles(join(root, 'src', 'extension'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/registerCommand\(\s*['"](depthlens\.[\w.]+)['"]/g)) registered.add(m[1]!);
  }
  const contributed = pkg.contributes.commands.map((c) => c.command);
  assert.ok(registered.size > 0, 'no registerCommand found in src/extension');
  assert.deepEqual([...new Set(contributed)].sort(), [...registered].sort());
  assert.equal(new Set(contributed).size, contributed.length, 'a command is contributed twice');
});

test('the protocol guards accept exactly the values of their lists', () => {
  const outside = ['', 'Running', 'nope', 1, null, undefined];
  for (const state of RUN_STATES) assert.ok(isHostToWebview({ type: 'runState', state }), state);
  for (const state of outside) assert.ok(!isHostToWebview({ type: 'runState', state }), String(state));

  for (const phase of RUN_PHASES) assert.ok(isEngineEvent({ type: 'progress', id: 1, phase, fraction: 0.5, message: '' }), phase);
  for (const phase of outside) assert.ok(!isEngineEvent({ type: 'progress', id: 1, phase, fraction: 0.5, message: '' }), String(phase));

  for (const level of LOG_LEVELS) assert.ok(isEngineEvent({ type: 'log', level, message: 'm' }), level);
  for (const level of [...outside, 'warning']) assert.ok(!isEngineEvent({ type: 'log', level, message: 'm' }), String(level));

  const finding = (severity: unknown) => ({ code: 'DL101', severity, message: 'm', path: 'model.init' });
  for (const severity of SEVERITIES) assert.ok(isFinding(finding(severity)), severity);
  for (const severity of [...outside, 'warn']) assert.ok(!isFinding(finding(severity)), String(severity));

  for (const mode of RUN_MODES) assert.ok(isWebviewToHost({ type: 'run', mode }), mode);
  for (const mode of outside) assert.ok(!isWebviewToHost({ type: 'run', mode }), String(mode));

  for (const backend of BACKEND_CHOICES) assert.ok(isEngineRequest({ type: 'warm', id: 1, backend }), backend);
  for (const backend of [...outside, 'tensorflow']) assert.ok(!isEngineRequest({ type: 'warm', id: 1, backend }), String(backend));
});
