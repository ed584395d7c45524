import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, ftruncateSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { spawnSync } from 'node:child_process';
import { MAX_SPEC_BYTES, parseSpec, readSpecFile } from '../../src/spec/index';
import type { ParseResult } from '../../src/spec/index';
import { fileStart, rangeOn } from './spec-helpers';

const dir = mkdtempSync(join(tmpdir(), 'depthlens-spec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Exactly one DL001 problem, with the given range, whose message matches. */
function oneProblem(r: ParseResult, range: ParseResult['problems'][number]['range'], says: RegExp): void {
  assert.equal(r.spec, undefined);
  assert.equal(r.problems.length, 1, JSON.stringify(r.problems));
  const p = r.problems[0]!;
  assert.equal(p.code, 'DL001');
  assert.deepEqual(p.range, range);
  assert.match(p.message, says);
}

test('an empty file, blanks only, or comments only', () => {
  oneProblem(parseSpec('', 'e.depthlens.yaml'), fileStart, /is empty; a spec starts with "depthlens: 1"/);
  oneProblem(parseSpec('\n   \n\t\n', 'e.depthlens.yaml'), fileStart, /is empty/);
  oneProblem(parseSpec('# nothing yet\n', 'e.depthlens.yaml'), fileStart, /is empty/);
});

test('binary garbage is rejected at 1:1, from text and from a file', () => {
  let seed = 12345;
  const bytes = Buffer.from(Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed & 0xff)));
  oneProblem(parseSpec(bytes.toString('latin1'), 'g.depthlens.yaml'), fileStart, /binary, not YAML or JSON/);
  const file = join(dir, 'garbage.depthlens.yaml');
  writeFileSync(file, bytes);
  oneProblem(readSpecFile(file), fileStart, /binary/);
  // Invalid UTF-8 without any NUL byte is text in another encoding (issue 16 item 8), said so rather than "binary".
  writeFileSync(file, Buffer.from([0x64, 0x3a, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x0a]));
  oneProblem(readSpecFile(file), fileStart, /is not UTF-8 \(line 1 has the byte 0xFF.*Latin-1/);
});

test('a 50 MB file is refused before it is read', () => {
  const file = join(dir, 'huge.depthlens.yaml');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, 50 * 1024 * 1024);
  closeSync(fd);
  oneProblem(readSpecFile(file), fileStart, /52428800 bytes; specs are limited to 1048576 bytes \(1 MiB\)/);
  const text = `depthlens: 1\n${'#'.repeat(MAX_SPEC_BYTES)}\n`;
  oneProblem(parseSpec(text, 'big.depthlens.yaml'), fileStart, /characters long; specs are limited to 1048576/);
});

test('missing files and directories are a clear problem, not a throw', () => {
  oneProblem(readSpecFile(join(dir, 'nope.depthlens.yaml')), fileStart, /cannot read .*nope\.depthlens\.yaml: no such file/);
  oneProblem(readSpecFile(dir), fileStart, /is a directory/);
  const fifo = join(dir, 'pipe.depthlens.yaml');
  if (spawnSync('mkfifo', [fifo]).status === 0) oneProblem(readSpecFile(fifo), fileStart, /is not a regular file/);
  if (process.getuid?.() !== 0) {
    const file = join(dir, 'locked.depthlens.yaml');
    writeFileSync(file, 'depthlens: 1\n');
    chmodSync(file, 0o000);
    oneProblem(readSpecFile(file), fileStart, /permission denied/);
  }
});

test('a YAML alias bomb is stopped at the first alias', () => {
  const bomb = [
    'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    'g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  ].join('\n');
  oneProblem(parseSpec(bomb, 'bomb.depthlens.yaml'), rangeOn(bomb, 1, '*a'), /too many YAML alias expansions/);
});

test('deep nesting is refused without exhausting the stack', () => {
  const deep = `${'['.repeat(20000)}${']'.repeat(20000)}`;
  const r = parseSpec(`x: ${deep}\n`, 'deep.depthlens.yaml');
  assert.equal(r.spec, undefined);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!.message, /nests too deeply to read/);
  // Deep enough for the source-map walk's limit, shallow enough for the parser: refused where it passes the limit.
  const nested = `x: ${'{a: '.repeat(100)}1${'}'.repeat(100)}\n`;
  const n = parseSpec(nested, 'deep.depthlens.yaml');
  assert.equal(n.problems.length, 1);
  assert.match(n.problems[0]!.message, /nests deeper than any spec does/);
  assert.equal(n.problems[0]!.range.start.line, 0);
});

test('a document that is not a mapping', () => {
  const list = '- depthlens: 1\n';
  oneProblem(parseSpec(list, 'l.depthlens.yaml'), rangeOn(list, 0, '- depthlens: 1'), /a spec is a mapping of keys .*got a list/);
  oneProblem(parseSpec('42\n', 'n.depthlens.yaml'), rangeOn('42', 0, '42'), /got the number 42/);
});

test('two YAML documents in one file', () => {
  const r = parseSpec('depthlens: 1\n---\ndepthlens: 1\n', 'two.depthlens.yaml');
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!.message, /multiple documents/);
});

test('absurd values from the robustness list each give one clear problem at the value', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['depth', '1000000000', /model\.depth: 1000000000 is larger than the maximum 100000/],
    ['width', '0', /model\.width: 0 is smaller than the minimum 1/],
    ['eps', '.nan', /model\.eps: NaN is not a finite number/],
  ];
  for (const [key, value, says] of cases) {
    const t = `depthlens: 1\ndata: { features: 4, batch: 4 }\nmodel:\n  depth: 2\n  width: 4\n  ${key}: ${value}\n`.replace(`  ${key}: ${key === 'depth' ? 2 : 4}\n`, '');
    const line = t.split('\n').findIndex((l) => l.startsWith(`  ${key}:`));
    oneProblem(parseSpec(t, 'a.depthlens.yaml'), rangeOn(t, line, value), says);
  }
  const lr = 'depthlens: 1\ndata: { features: 4, batch: 4 }\nmodel: { depth: 2, width: 4 }\ntrain: { lr: -0.1 }\n';
  oneProblem(parseSpec(lr, 'a.depthlens.yaml'), rangeOn(lr, 3, '-0.1'), /train\.lr: -0\.1 must be greater than 0/);
});

test('unknown YAML tags are problems, not silently converted', () => {
  const t = 'depthlens: 1\nname: !!binary aGVsbG8=\ndata: { features: 4, batch: 4 }\nmodel: { depth: 2, width: 4 }\n';
  const r = parseSpec(t, 't.depthlens.yaml');
  assert.equal(r.spec?.name ?? 'aGVsbG8=', 'aGVsbG8=');
  const custom = parseSpec('depthlens: !custom 1\n', 'c.depthlens.yaml');
  assert.equal(custom.spec, undefined);
  assert.match(custom.problems[0]!.message, /Unresolved tag: !custom/);
});

test('recursive aliases are refused, not followed forever', () => {
  const self = 'a: &a [*a, *a, *a]\n';
  oneProblem(parseSpec(self, 'r.depthlens.yaml'), rangeOn(self, 0, '*a'), /alias refers to itself/);
  const model = 'depthlens: 1\ndata: { features: 4, batch: 4 }\nmodel: &m\n  layers: [*m]\n';
  oneProblem(parseSpec(model, 'r.depthlens.yaml'), rangeOn(model, 3, '*m'), /alias refers to itself/);
});

test('a generated file with tens of thousands of mistakes stays fast and lists the first 100', () => {
  let text = 'depthlens: 1\n';
  for (let i = 0; text.length < 900_000; i++) text += `key${i}: ${i}\n`;
  const r = parseSpec(text, 'gen.depthlens.yaml');
  assert.equal(r.problems.length, 101);
  assert.match(r.problems[0]!.message, /missing required key "data"/);
  assert.match(r.problems[100]!.message, /^…and \d+ more problems from here on/);
});

test('readSpecFile reads a valid file (a UTF-8 BOM is dropped, as editors do) and records its absolute path', () => {
  const file = join(dir, 'ok.depthlens.yaml');
  writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('depthlens: 1\ndata: { features: 4, batch: 4 }\nmodel: { depth: 2, width: 4 }\n')]));
  const r = readSpecFile(file);
  assert.deepEqual(r.problems, []);
  assert.equal(r.spec?.file, file);
  assert.equal(r.spec?.name, 'ok');
  assert.deepEqual(r.source.get('depthlens')?.key, { start: { line: 0, character: 0 }, end: { line: 0, character: 9 } });
});
