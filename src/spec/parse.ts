// parseSpec: text → Spec + every problem with its exact range. readSpecFile: the same from disk, size-limited.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { isAlias, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { buildSpec } from './normalize';
import type { RawSpec } from './raw';
import { semanticProblems, nonFiniteNumbers } from './semantic';
import { buildSourceMap, keyRange, MAX_NESTING, TextPositions, valueRange } from './source-map';
import type { ParseResult, SourceLocation, SourceMap, SpecProblem } from './types';
import type { Range, SpecPath } from '../shared/findings';
import { schemaProblems, type PathProblem } from './validate';
import { encodingProblem } from './encoding';
import { radixNumberProblems } from './radix';

/** Specs are small; anything larger is rejected before parsing. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** YAML aliases expanded when converting to data; a spec needs few, an alias bomb needs millions. */
const MAX_ALIAS_COUNT = 100;

const startOfFile: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function problem(path: SpecPath, range: Range, message: string): SpecProblem {
  return { code: 'DL001', severity: 'error', message, path, range };
}

function fromPathProblems(list: readonly PathProblem[]): SpecProblem[] {
  return list.map((p) => problem(p.path, p.range, p.message));
}

export function detectFormat(text: string, file: string): 'yaml' | 'json' {
  if (/\.json$/i.test(file)) return 'json';
  return /^\s*\{/.test(text) ? 'json' : 'yaml';
}

function byPosition(a: SpecProblem, b: SpecProblem): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

/** Enough to fix a file by; more would flood an editor (a generated file can have tens of thousands). */
export const MAX_PROBLEMS = 100;

function failed(problems: SpecProblem[], format: 'yaml' | 'json', source: Map<SpecPath, SourceLocation> = new Map()): ParseResult {
  const sorted = [...problems].sort(byPosition);
  if (sorted.length > MAX_PROBLEMS) {
    const rest = sorted.length - MAX_PROBLEMS;
    const next = sorted[MAX_PROBLEMS]!;
    sorted.length = MAX_PROBLEMS;
    sorted.push(problem(next.path, next.range, `…and ${rest} more problems from here on (only the first ${MAX_PROBLEMS} are listed)`));
  }
  return { problems: sorted, source, format };
}

/** The first line of a yaml error message, without the "at line…" suffix the range already says. */
function yamlMessage(message: string): string {
  // The parser catches its own stack overflow on absurdly nested flow collections and reports it as a syntax error.
  if (/call stack/i.test(message)) return 'nests too deeply to read; no spec needs this';
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function firstAliasRange(doc: Document, positions: TextPositions): Range {
  let found: Range | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) found = positions.range(node.range[0], node.range[1]);
      return visit.BREAK;
    },
  });
  return found ?? startOfFile;
}

type Stage<T> = { ok: true; value: T } | { ok: false; problems: SpecProblem[] };

const refuse = <T>(path: SpecPath, range: Range, message: string): Stage<T> => ({ ok: false, problems: [problem(path, range, message)] });

/** Text → YAML document, refusing what should never reach the parser (oversized, binary) and reporting syntax errors. */
function readDocument(text: string, file: string, where: string, lines: LineCounter): Stage<Document> {
  if (text.length > MAX_SPEC_BYTES) return refuse('', startOfFile, `${where} is ${text.length} characters long; specs are limited to ${MAX_SPEC_BYTES} (1 MiB)`);
  if (/[\u0000\uFFFD]/.test(text)) return refuse('', startOfFile, `${where} ${decodedTextProblem(text)}`);
  try {
    return {
      ok: true,
      value: parseDocument(text, {
        lineCounter: lines,
        prettyErrors: false,
        // Duplicate keys are found by buildSourceMap in linear time (the parser's check is quadratic).
        uniqueKeys: false,
        resolveKnownTags: false,
        // A .json file is held to JSON's scalars; a flow-style YAML file that merely starts with "{" keeps YAML's.
        schema: /\.json$/i.test(file) ? 'json' : 'core',
      }),
    };
  } catch (e) {
    return refuse('', startOfFile, `cannot read ${where}: ${(e as Error).message}`);
  }
}

/** Text already decoded (an editor's buffer) that holds NULs or U+FFFD: UTF-16 read as UTF-8, a single-byte encoding, or binary. */
function decodedTextProblem(text: string): string {
  // ASCII in UTF-16 decoded byte by byte: a NUL in nearly every other character, on one side only.
  const n = Math.min(text.length, 4096) & ~1;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (text.charCodeAt(i) === 0) even++;
    if (text.charCodeAt(i + 1) === 0) odd++;
  }
  const pairs = n / 2;
  if (pairs >= 2 && Math.max(even, odd) >= 0.6 * pairs && Math.min(even, odd) <= 0.1 * pairs) {
    return 'is not UTF-8 (looks like UTF-16: every other byte is NUL); save it as UTF-8';
  }
  if (even + odd === 0 && !text.slice(n).includes('\u0000')) {
    const line = text.slice(0, text.indexOf('\uFFFD')).split('\n').length;
    return `is not UTF-8 (line ${line} has bytes UTF-8 text cannot have, shown as \uFFFD; it looks like Latin-1 or Windows-1252); save it as UTF-8`;
  }
  return 'is binary, not YAML or JSON text';
}

/** Document → plain data: a non-empty mapping, with aliases expanded within bounds. */
function toData(doc: Document, positions: TextPositions, source: SourceMap, where: string): Stage<Record<string, unknown>> {
  if (doc.contents === null) return refuse('', startOfFile, `${where} is empty; a spec starts with "depthlens: 1" and has data: and model: sections`);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const msg = (e as Error).message;
    const why = /alias/i.test(msg) ? `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT}); write the values out` : `cannot read ${where}: ${msg}`;
    return refuse('', firstAliasRange(doc, positions), why);
  }
  const shape = dataShapeProblem(data, MAX_NESTING);
  if (shape) return refuse('', firstAliasRange(doc, positions), shape);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const got = Array.isArray(data) ? 'a list' : data === null ? 'nothing' : `the ${typeof data} ${JSON.stringify(data)}`;
    return refuse('', valueRange(source, ''), `a spec is a mapping of keys (depthlens: 1, data:, model:, ...), got ${got}`);
  }
  return { ok: true, value: data as Record<string, unknown> };
}

/** Every problem of the data: non-finite numbers, then the schema, then the checks the schema cannot express. */
function validationProblems(data: Record<string, unknown>, source: SourceMap): SpecProblem[] {
  const nonFinite = nonFiniteNumbers(data);
  const problems = nonFinite.map(({ path, value }) => problem(path, valueRange(source, path), `${path}: ${value} is not a finite number`));
  problems.push(...fromPathProblems(schemaProblems(data, source, new Set(nonFinite.map((n) => n.path)))));
  // One problem per value: a value the schema already rejects needs no second, semantic complaint.
  const flagged = new Set(problems.map((p) => p.path));
  problems.push(...fromPathProblems(semanticProblems(data, source).filter((p) => !flagged.has(p.path))));
  return problems;
}

export function parseSpec(text: string, file: string): ParseResult {
  const format = detectFormat(text, file);
  const where = file === '' ? 'the spec' : file;
  const lines = new LineCounter();
  const read = readDocument(text, file, where, lines);
  if (!read.ok) return failed(read.problems, format);
  const doc = read.value;

  const positions = new TextPositions(text, lines);
  const { source, duplicates, tooDeepAt } = buildSourceMap(doc, positions);
  const syntax = [...doc.errors, ...doc.warnings].map((e) =>
    problem('', positions.range(e.pos[0], e.pos[1]), `${format === 'json' ? 'JSON' : 'YAML'} syntax: ${yamlMessage(e.message)}`),
  );
  for (const d of duplicates) syntax.push(problem(d.path, d.range, `${d.path}: key written twice; keys must be unique`));
  if (syntax.length > 0) return failed(syntax, format, source);
  if (tooDeepAt) return failed([problem('', tooDeepAt, `${where} nests deeper than any spec does; flatten it`)], format, source);

  const radix = radixNumberProblems(doc, positions);
  if (radix.length > 0) return failed(radix, format, source);

  const data = toData(doc, positions, source, where);
  if (!data.ok) return failed(data.problems, format, source);
  // A sidecar (../import/sidecar) has no model of its own: it is read by importing its model and parsing the merged spec.
  if ('extends' in data.value) {
    return failed([problem('extends', keyRange(source, 'extends'), `extends: ${where} extends a model file, so it is read together with that model (as depthlens check and the extension do), not on its own`)], format, source);
  }
  const problems = validationProblems(data.value, source);
  if (problems.length > 0) return failed(problems, format, source);

  const built = buildSpec(data.value as unknown as RawSpec, file, source);
  if (!built.spec) return failed(fromPathProblems(built.problems), format, source);
  return { spec: built.spec, problems: [], source, format };
}

/**
 * Aliases can make the data recursive (`a: &a [*a]`) or deeper than the text looks; every later step walks the data,
 * so both are refused here, by a walk that is itself bounded.
 */
function dataShapeProblem(data: unknown, maxDepth: number): string | undefined {
  const ancestors = new Set<object>();
  const walk = (v: unknown, depth: number): string | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    if (ancestors.has(v)) return 'a YAML alias refers to itself (a recursive structure); write the values out';
    if (depth > maxDepth) return 'aliases nest the data deeper than any spec does; write the values out';
    ancestors.add(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      const found = walk(child, depth + 1);
      if (found) return found;
    }
    ancestors.delete(v);
    return undefined;
  };
  return walk(data, 1);
}

export type SpecText = { ok: true; text: string } | { ok: false; result: ParseResult };

/** Reads a spec file's text; missing, unreadable, oversized or binary files become one problem at 1:1, never a throw. */
export function readSpecText(file: string): SpecText {
  const format = detectFormat('', file);
  const fail = (message: string): SpecText => ({ ok: false, result: failed([problem('', startOfFile, message)], format) });
  let fd: number | undefined;
  try {
    // Checked before opening: opening a FIFO with no writer would block forever.
    const before = statSync(file);
    if (before.isDirectory()) return fail(`${file} is a directory, not a spec file`);
    if (!before.isFile()) return fail(`${file} is not a regular file`);
    fd = openSync(file, 'r');
    const stat = fstatSync(fd);
    if (stat.size > MAX_SPEC_BYTES) return fail(`${file} is ${stat.size} bytes; specs are limited to ${MAX_SPEC_BYTES} bytes (1 MiB)`);
    // Read at most one byte past the cap: the size may change between stat and read, or be unknown (a pipe).
    const buffer = Buffer.alloc(Math.min(stat.size || MAX_SPEC_BYTES + 1, MAX_SPEC_BYTES + 1));
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_SPEC_BYTES) return fail(`${file} is larger than ${MAX_SPEC_BYTES} bytes (1 MiB), the limit for specs`);
    const bytes = buffer.subarray(0, length);
    const encoding = encodingProblem(bytes);
    if (encoding) {
      const at: Range = { start: { line: encoding.line, character: 0 }, end: { line: encoding.line, character: 0 } };
      return { ok: false, result: failed([problem('', at, `${file} ${encoding.message}`)], format) };
    }
    return { ok: true, text: new TextDecoder('utf-8').decode(bytes) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    return fail(`cannot read ${file}: ${why}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads and parses a spec file (see readSpecText for what can go wrong before parsing). */
export function readSpecFile(file: string): ParseResult {
  const read = readSpecText(file);
  return read.ok ? parseSpec(read.text, file) : read.result;
}
