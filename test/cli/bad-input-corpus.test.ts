// Issue 16 "must hold": a corpus of bad inputs — specs, data files, run options (flags and IPC), protocol messages — each
// run in its own process under a memory cap (--max-old-space-size, and its peak RSS checked) and a time cap, each
// expected to end in its located error: exit status 2 (or the engine's error event), never a native stack trace, an abort,
// a hang, or a line of a data file in the message. The worst case (time and peak memory) is printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEngineEvent, isEngineRequest, isHostToWebview, isWebviewToHost, type EngineEvent } from '../../src/shared/protocol';
import { validateRunOptions } from '../../src/engine/runOptions';
import { errorToFinding } from '../../src/shared/runError';
import type { Finding } from '../../src/shared/findings';
import { cli, ensureBuiltCli, writeRssLauncher, root } from './builtCli';

const dir = mkdtempSync(join(tmpdir(), 'depthlens-corpus-'));
const outside = mkdtempSync(join(tmpdir(), 'depthlens-corpus-outside-'));
const engine = join(root, 'dist/engine.js');
const wrapper = join(dir, 'capped-run.cjs');

/** Per case: V8 heap cap, peak resident memory allowed, wall-clock cap. */
const HEAP_CAP_MB = 256;
const RSS_CAP_MIB = 640;
const TIME_CAP_MS = 60_000;

/** Lines no error message may contain: the planted secrets, and /etc/passwd's first line. */
const SECRET = 'hunter2-SECRET-TOKEN';
const SECRETS = [SECRET, 'root:x:0:0', 'OUTSIDE-SECRET-LINE'];

const GOOD_MODEL = 'model: { depth: 3, width: 8 }\n';
const specText = (data: string, rest = GOOD_MODEL): string => `depthlens: 1\ndata: ${data}\n${rest}`;
const csvSpec = (path: string, extra = ''): string => specText(`{ source: csv, path: ${JSON.stringify(path)}, batch: 2, classes: 2${extra} }`);
const npySpec = (path: string, extra = ''): string => specText(`{ source: npy, path: ${JSON.stringify(path)}, batch: 2, classes: 2${extra} }`);

function write(name: string, content: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** A sparse file of `bytes` bytes that starts with `head`. */
function sparse(name: string, bytes: number, head: Buffer = Buffer.alloc(0)): string {
  const file = join(dir, name);
  const fd = openSync(file, 'w');
  writeSync(fd, head);
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return file;
}

function npyHeader(descr: string, shape: string, fortran = false, lengthOverride?: number): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const length = lengthOverride ?? header.length;
  return Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, length & 0xff, (length >> 8) & 0xff]), Buffer.from(header, 'latin1')]);
}

function npy(descr: string, shape: number[], values: number[], fortran = false): Buffer {
  const head = npyHeader(descr, `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`, fortran);
  const data = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => (descr === '>f8' ? data.writeDoubleBE(v, i * 8) : data.writeDoubleLE(v, i * 8)));
  return Buffer.concat([head, data]);
}

function setUpFiles(): void {
  write('secret.csv', `${SECRET},more-secret\nline two of the secret\n`);
  writeFileSync(join(outside, 'private.csv'), 'OUTSIDE-SECRET-LINE,1\n1,2\n');
  symlinkSync(join(outside, 'private.csv'), join(dir, 'link-to-outside.csv'));
  mkdirSync(join(dir, 'folder.csv'));
  spawnSync('mkfifo', [join(dir, 'pipe.csv')]);
  spawnSync('mkfifo', [join(dir, 'pipe.depthlens.yaml')]);
  write('hex.csv', '1,2,0\n0x1F,3,1\n');
  write('nan.csv', '1,2,0\nNaN,3,1\n');
  write('empty-cell.csv', '1,2,0\n,3,1\n');
  write('ragged.csv', '1,2,0\n3,4,1\n5,6\n');
  write('header-only.csv', 'a,b,label\n');
  write('label-range.csv', '1,2,0\n3,4,7\n');
  write('label-float.csv', '1,2,0\n3,4,0.5\n');
  write('label-negative.csv', '1,2,0\n3,4,-1\n');
  write('x.csv', '1,2\n3,4\n5,6\n');
  write('y2.csv', '0,1\n1,0\n0,1\n');
  write('y-short.csv', '0\n1\n');
  write('two-rows.csv', '1,2,0\n3,4,1\n');
  write('latin1.csv', Buffer.from('1,2,0\n3,caf\xe9,1\n', 'latin1'));
  write('wide.csv', `${Array.from({ length: 9000 }, (_, i) => i % 7).join(',')}\n`);
  write('one-line.csv', Buffer.alloc(9 * 2 ** 20, 0x31)); // 9 MiB of "1", no line break
  sparse('huge.csv', 600 * 2 ** 20, Buffer.from('1,2,0\n'));
  write('bad-magic.npy', 'this is not numpy\n');
  write('fortran.npy', npy('<f8', [2, 2], [1, 2, 3, 0], true));
  write('big-endian.npy', npy('>f8', [2, 2], [1, 2, 3, 0]));
  write('truncated.npy', npyHeader('<f8', '(100, 3)'));
  write('three-d.npy', npy('<f8', [1, 2, 2], [1, 2, 3, 4]));
  write('nan.npy', npy('<f8', [2, 2], [1, 0, NaN, 1]));
  write('long-header.npy', npyHeader('<f8', '(2, 2)', false, 65535));
  sparse('wide.npy', 64 + 2 * 9001 * 8, npyHeader('<f8', '(2, 9001)'));
  sparse('many.npy', 64 + 70000 * 2000, npyHeader('|u1', '(70000, 2000)'));
  const specs: Record<string, string | Buffer> = {
    'hex.depthlens.yaml': specText('{ source: gaussian, features: 0x10, batch: 8 }'),
    'octal.depthlens.yaml': specText('{ source: gaussian, features: 8, batch: 8 }', 'model: { depth: 3, width: 0o20 }\n'),
    'leading-zero.depthlens.yaml': specText('{ source: gaussian, features: 8, batch: 017 }'),
    'hex-list.depthlens.yaml': specText('{ source: gaussian, features: 8, batch: 8 }', `${GOOD_MODEL}diagnostics: { depths: [2, 0x3] }\n`),
    'utf16le.depthlens.yaml': Buffer.from(specText('{ source: gaussian, features: 8, batch: 8 }'), 'utf16le'),
    'utf16bom.depthlens.yaml': Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(specText('{ features: 8, batch: 8 }'), 'utf16le').swap16()]),
    'latin1.depthlens.yaml': Buffer.from(`depthlens: 1\nname: r\xe9seau\ndata: { features: 8, batch: 8 }\n${GOOD_MODEL}`, 'latin1'),
    'binary.depthlens.yaml': Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 251)),
    'empty.depthlens.yaml': '',
    'huge.depthlens.yaml': `depthlens: 1\nname: "${'x'.repeat(2 * 2 ** 20)}"\n`,
    'alias-bomb.depthlens.yaml': `depthlens: 1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
    'deep.depthlens.yaml': `depthlens: 1\nname: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
    'duplicate.depthlens.yaml': `depthlens: 1\ndata: { features: 8, batch: 8 }\n${GOOD_MODEL}model: { depth: 4, width: 8 }\n`,
    'unknown-key.depthlens.yaml': specText('{ features: 8, batch: 8, colour: blue }'),
    'negative-depth.depthlens.yaml': specText('{ features: 8, batch: 8 }', 'model: { depth: -1, width: 8 }\n'),
    'huge-width.depthlens.yaml': specText('{ features: 8, batch: 8 }', 'model: { depth: 3, width: 1e9 }\n'),
    'nan.depthlens.yaml': specText('{ features: .nan, batch: 8 }'),
    'inf.depthlens.yaml': specText('{ features: 8, batch: .inf }'),
    'version.depthlens.yaml': `depthlens: 2\ndata: { features: 8, batch: 8 }\n${GOOD_MODEL}`,
    'list-model.depthlens.yaml': 'depthlens: 1\ndata: { features: 8, batch: 8 }\nmodel: [1, 2]\n',
    'syntax.depthlens.yaml': 'depthlens: 1\ndata: { features: 8, batch: 8\nmodel: { depth: 3 }\n',
    'unterminated.depthlens.json': '{"depthlens": 1, "data": {"features": 8, "batch": 8',
    'json-hex.depthlens.json': '{"depthlens": 1, "data": {"features": 0x10, "batch": 8}, "model": {"depth": 3, "width": 8}}',
    'no-path.depthlens.yaml': specText('{ source: csv, batch: 2, classes: 2 }'),
    'many-seeds.depthlens.yaml': specText('{ features: 8, batch: 8 }', `${GOOD_MODEL}diagnostics: { seeds: 1000 }\n`),
    'near-identity.depthlens.yaml': specText('{ source: near-identity, features: 8, batch: 6, f: 0.1 }'),
    'activation.depthlens.yaml': specText('{ features: 8, batch: 8 }', 'model: { depth: 3, width: 8, activation: swish9 }\n'),
    'scalar.depthlens.yaml': '42\n',
    'huge-run.depthlens.yaml': specText('{ source: gaussian, features: 4096, batch: 4096, classes: 10 }', 'model: { depth: 10, width: 4096, activation: tanh }\n'),
    'wide-features.depthlens.yaml': specText('{ source: gaussian, features: 8192, batch: 2048, classes: 10 }', 'model: { depth: 40, width: 4096, init: orthogonal }\n'),
    'valid.depthlens.yaml': specText('{ source: gaussian, features: 8, batch: 8, classes: 2 }'),
    'passwd.depthlens.yaml': csvSpec('../../../../../../../../etc/passwd'),
    'passwd-abs.depthlens.yaml': csvSpec('/etc/passwd'),
    'shadow.depthlens.yaml': csvSpec('/etc/shadow'),
    'link.depthlens.yaml': csvSpec('link-to-outside.csv'),
    'fifo-data.depthlens.yaml': csvSpec('pipe.csv'),
    'folder-data.depthlens.yaml': csvSpec('folder.csv'),
    'dev-zero.depthlens.yaml': npySpec('/dev/zero'),
    'missing-data.depthlens.yaml': csvSpec('nowhere.csv'),
    'secret.depthlens.yaml': csvSpec('secret.csv'),
    'hex-csv.depthlens.yaml': csvSpec('hex.csv'),
    'nan-csv.depthlens.yaml': csvSpec('nan.csv'),
    'empty-cell.depthlens.yaml': csvSpec('empty-cell.csv'),
    'ragged.depthlens.yaml': csvSpec('ragged.csv'),
    'header-only.depthlens.yaml': csvSpec('header-only.csv'),
    'label-range.depthlens.yaml': csvSpec('label-range.csv'),
    'label-float.depthlens.yaml': csvSpec('label-float.csv'),
    'label-negative.depthlens.yaml': csvSpec('label-negative.csv'),
    'labels-two-columns.depthlens.yaml': csvSpec('x.csv', ', labels: y2.csv'),
    'labels-short.depthlens.yaml': csvSpec('x.csv', ', labels: y-short.csv'),
    'batch-too-big.depthlens.yaml': csvSpec('two-rows.csv').replace('batch: 2', 'batch: 5'),
    'latin1-csv.depthlens.yaml': csvSpec('latin1.csv'),
    'wide-csv.depthlens.yaml': csvSpec('wide.csv'),
    'one-line.depthlens.yaml': csvSpec('one-line.csv'),
    'huge-csv.depthlens.yaml': csvSpec('huge.csv'),
    'bad-magic.depthlens.yaml': npySpec('bad-magic.npy'),
    'fortran.depthlens.yaml': npySpec('fortran.npy'),
    'big-endian.depthlens.yaml': npySpec('big-endian.npy'),
    'truncated.depthlens.yaml': npySpec('truncated.npy'),
    'three-d.depthlens.yaml': npySpec('three-d.npy'),
    'nan-npy.depthlens.yaml': npySpec('nan.npy'),
    'long-header.depthlens.yaml': npySpec('long-header.npy'),
    'wide-npy.depthlens.yaml': npySpec('wide.npy'),
    'many-npy.depthlens.yaml': npySpec('many.npy'),
  };
  for (const [name, text] of Object.entries(specs)) write(name, text);
}

interface Outcome {
  name: string;
  ms: number;
  rssMiB: number;
}
const outcomes: Outcome[] = [];

interface CliCase {
  name: string;
  argv: (d: string) => string[];
  /** Exit status expected (2: invalid spec, data, options or usage). */
  code?: number;
  /** What stderr must say, located where it applies (file:line:col: error DL001 …). */
  err: RegExp;
}

const at = (spec: string, line: number, col: number, message: string): RegExp =>
  new RegExp(`${spec.replace(/\./g, '\\.')}:${line}:${col}: error DL001 ${message}`);

const spec = (name: string) => (d: string) => ['analyze', join(d, name), '--backend', 'wasm'];
const allowOutside = (name: string) => (d: string) => ['analyze', join(d, name), '--backend', 'wasm', '--allow-data-outside'];

const cliCases: CliCase[] = [
  // ---- specs ----
  { name: 'hexadecimal number', argv: spec('hex.depthlens.yaml'), err: at('hex.depthlens.yaml', 2, 37, 'data.features: 0x10 is a hexadecimal number; write it in decimal \\(16\\)') },
  { name: 'octal number', argv: spec('octal.depthlens.yaml'), err: at('octal.depthlens.yaml', 3, 27, 'model.width: 0o20 is an octal number') },
  { name: 'leading-zero integer', argv: spec('leading-zero.depthlens.yaml'), err: at('leading-zero.depthlens.yaml', 2, 47, 'data.batch: 017 is an integer with a leading zero') },
  { name: 'hexadecimal list item', argv: spec('hex-list.depthlens.yaml'), err: at('hex-list.depthlens.yaml', 4, 28, 'diagnostics.depths\\[1\\]: 0x3 is a hexadecimal number') },
  { name: 'UTF-16 little-endian spec', argv: spec('utf16le.depthlens.yaml'), err: at('utf16le.depthlens.yaml', 1, 1, '.* is not UTF-8 \\(looks like UTF-16 little-endian') },
  { name: 'UTF-16 spec with a byte order mark', argv: spec('utf16bom.depthlens.yaml'), err: at('utf16bom.depthlens.yaml', 1, 1, '.* is not UTF-8 \\(looks like UTF-16 big-endian: it starts with a UTF-16 byte order mark') },
  { name: 'Latin-1 spec', argv: spec('latin1.depthlens.yaml'), err: at('latin1.depthlens.yaml', 2, 1, '.* is not UTF-8 \\(line 2 has the byte 0xE9.*Latin-1') },
  { name: 'binary spec', argv: spec('binary.depthlens.yaml'), err: at('binary.depthlens.yaml', 1, 1, '.* is binary, not YAML or JSON text') },
  { name: 'empty spec', argv: spec('empty.depthlens.yaml'), err: at('empty.depthlens.yaml', 1, 1, '.* is empty') },
  { name: 'spec over 1 MiB', argv: spec('huge.depthlens.yaml'), err: at('huge.depthlens.yaml', 1, 1, '.*specs are limited to 1048576 bytes') },
  { name: 'YAML alias bomb', argv: spec('alias-bomb.depthlens.yaml'), err: /alias-bomb\.depthlens\.yaml:\d+:\d+: error DL001 too many YAML alias expansions/ },
  { name: 'nesting 5000 deep', argv: spec('deep.depthlens.yaml'), err: /deep\.depthlens\.yaml:\d+:\d+: error DL001 .*(nest|deep)/ },
  { name: 'duplicate key', argv: spec('duplicate.depthlens.yaml'), err: at('duplicate.depthlens.yaml', 4, 1, 'model: key written twice') },
  { name: 'unknown key', argv: spec('unknown-key.depthlens.yaml'), err: /unknown-key\.depthlens\.yaml:2:32: error DL001 data\.colour: unknown key "colour"/ },
  { name: 'negative depth', argv: spec('negative-depth.depthlens.yaml'), err: /negative-depth\.depthlens\.yaml:3:17: error DL001 model\.depth: -1 is smaller than the minimum 1/ },
  { name: 'width 1e9', argv: spec('huge-width.depthlens.yaml'), err: /huge-width\.depthlens\.yaml:3:27: error DL001 model\.width: 1000000000 is larger than the maximum 8192/ },
  { name: 'NaN features', argv: spec('nan.depthlens.yaml'), err: at('nan.depthlens.yaml', 2, 19, 'data\\.features: NaN is not a finite number') },
  { name: 'infinite batch', argv: spec('inf.depthlens.yaml'), err: at('inf.depthlens.yaml', 2, 29, 'data\\.batch: Infinity is not a finite number') },
  { name: 'format version 2', argv: spec('version.depthlens.yaml'), err: /version\.depthlens\.yaml:1:12: error DL001 depthlens/ },
  { name: 'model is a list', argv: spec('list-model.depthlens.yaml'), err: /list-model\.depthlens\.yaml:3:8: error DL001 model/ },
  { name: 'YAML syntax error', argv: spec('syntax.depthlens.yaml'), err: /syntax\.depthlens\.yaml:\d+:\d+: error DL001 YAML syntax/ },
  { name: 'JSON unterminated', argv: spec('unterminated.depthlens.json'), err: /unterminated\.depthlens\.json:1:\d+: error DL001 JSON syntax/ },
  { name: 'JSON hexadecimal', argv: spec('json-hex.depthlens.json'), err: /json-hex\.depthlens\.json:1:\d+: error DL001 / },
  { name: 'csv source without path', argv: spec('no-path.depthlens.yaml'), err: /no-path\.depthlens\.yaml:2:1: error DL001 data: missing required key "path"/ },
  { name: '1000 seeds', argv: spec('many-seeds.depthlens.yaml'), err: /many-seeds\.depthlens\.yaml:4:23: error DL001 diagnostics\.seeds: 1000 is larger than the maximum 100/ },
  { name: 'near-identity not square', argv: spec('near-identity.depthlens.yaml'), err: /near-identity\.depthlens\.yaml:2:52: error DL001 data\.batch: near-identity/ },
  { name: 'unknown activation', argv: spec('activation.depthlens.yaml'), err: /activation\.depthlens\.yaml:3:42: error DL001 model\.activation: "swish9" is not one of/ },
  { name: 'spec is a number', argv: spec('scalar.depthlens.yaml'), err: at('scalar.depthlens.yaml', 1, 1, 'a spec is a mapping of keys') },
  { name: 'spec is a FIFO', argv: spec('pipe.depthlens.yaml'), err: at('pipe.depthlens.yaml', 1, 1, '.* is not a regular file') },
  { name: 'spec is missing', argv: spec('missing.depthlens.yaml'), err: at('missing.depthlens.yaml', 1, 1, 'cannot read .*: no such file') },
  { name: 'spec is a folder', argv: (d) => ['analyze', join(d, 'folder.csv')], err: /folder\.csv:1:1: error DL001 .* is a directory, not a spec file/ },
  // ---- data paths (item 3): refused before any byte is read ----
  { name: 'data.path ../../../../etc/passwd', argv: spec('passwd.depthlens.yaml'), err: at('passwd.depthlens.yaml', 2, 28, 'data\\.path: \\.\\./.*etc/passwd resolves to /etc/passwd, outside .*--allow-data-outside') },
  { name: 'data.path /etc/passwd', argv: spec('passwd-abs.depthlens.yaml'), err: at('passwd-abs.depthlens.yaml', 2, 28, 'data\\.path: /etc/passwd resolves to /etc/passwd, outside') },
  { name: 'data.path /etc/shadow', argv: spec('shadow.depthlens.yaml'), err: at('shadow.depthlens.yaml', 2, 28, 'data\\.path: /etc/shadow resolves to /etc/shadow, outside') },
  { name: 'data.path a symlink to a file outside', argv: spec('link.depthlens.yaml'), err: at('link.depthlens.yaml', 2, 28, 'data\\.path: link-to-outside\\.csv resolves to .*private\\.csv, outside') },
  { name: 'data.path a FIFO', argv: spec('fifo-data.depthlens.yaml'), err: at('fifo-data.depthlens.yaml', 2, 28, 'data\\.path: pipe\\.csv is a named pipe \\(FIFO\\), not a regular data file') },
  { name: 'data.path a folder', argv: spec('folder-data.depthlens.yaml'), err: at('folder-data.depthlens.yaml', 2, 28, 'data\\.path: folder\\.csv is a folder') },
  { name: 'data.path /dev/zero (allowed outside)', argv: allowOutside('dev-zero.depthlens.yaml'), err: at('dev-zero.depthlens.yaml', 2, 28, 'data\\.path: /dev/zero is a device') },
  { name: 'data.path missing', argv: spec('missing-data.depthlens.yaml'), err: at('missing-data.depthlens.yaml', 2, 28, 'data\\.path: nowhere\\.csv: no such file') },
  { name: 'a planted file with a secret line', argv: spec('secret.depthlens.yaml'), err: at('secret.depthlens.yaml', 2, 28, '.*secret\\.csv: row 2, column 1: expected a decimal number, found text that is not a number \\(22 characters\\)') },
  { name: '/etc/passwd allowed outside: no line of it is shown', argv: allowOutside('passwd-abs.depthlens.yaml'), err: at('passwd-abs.depthlens.yaml', 2, 28, '/etc/passwd: row \\d+, column 1: expected a decimal number, found text') },
  // ---- data contents ----
  { name: 'csv hexadecimal cell', argv: spec('hex-csv.depthlens.yaml'), err: at('hex-csv.depthlens.yaml', 2, 28, '.*hex\\.csv: row 2, column 1: expected a decimal number, found a hexadecimal, octal or binary literal') },
  { name: 'csv NaN cell', argv: spec('nan-csv.depthlens.yaml'), err: /nan\.csv: row 2, column 1: expected a decimal number, found a non-finite value/ },
  { name: 'csv empty cell', argv: spec('empty-cell.depthlens.yaml'), err: /empty-cell\.csv: row 2, column 1: expected a decimal number, found an empty cell/ },
  { name: 'csv ragged row', argv: spec('ragged.depthlens.yaml'), err: /ragged\.csv: row 3 has 2 columns, expected 3 \(as in row 1\)/ },
  { name: 'csv header only', argv: spec('header-only.depthlens.yaml'), err: /header-only\.csv: no data rows/ },
  { name: 'label out of range', argv: spec('label-range.depthlens.yaml'), err: /label-range\.csv: row 2: expected a class index in 0\.\.1 .* found a label that is 2 or more/ },
  { name: 'label not a whole number', argv: spec('label-float.depthlens.yaml'), err: /label-float\.csv: row 2: .*not a whole number/ },
  { name: 'label negative', argv: spec('label-negative.depthlens.yaml'), err: /label-negative\.csv: row 2: .*negative/ },
  { name: 'labels file of two columns', argv: spec('labels-two-columns.depthlens.yaml'), err: /y2\.csv: labels must be one column \(found 2\)/ },
  { name: 'fewer labels than samples', argv: spec('labels-short.depthlens.yaml'), err: /y-short\.csv: 2 labels for 3 samples/ },
  { name: 'batch larger than the file', argv: spec('batch-too-big.depthlens.yaml'), err: /batch-too-big\.depthlens\.yaml:2:51: error DL001 data\.batch is 5 but .* has only 2 samples/ },
  { name: 'csv in Latin-1', argv: spec('latin1-csv.depthlens.yaml'), err: /latin1\.csv: not UTF-8 text/ },
  { name: 'csv of 9000 columns', argv: spec('wide-csv.depthlens.yaml'), err: /wide\.csv: row 1 has 9000 columns, more than the 8193/ },
  { name: 'csv of one 9 MiB line', argv: spec('one-line.depthlens.yaml'), err: /one-line\.csv: row 1 is longer than 8 Mi characters/ },
  { name: 'csv of 600 MiB (sparse)', argv: spec('huge-csv.depthlens.yaml'), err: /data\.path: huge\.csv is 600 MiB, larger than the 512 MiB limit/ },
  { name: 'npy bad magic', argv: spec('bad-magic.depthlens.yaml'), err: /bad-magic\.npy: not a \.npy file/ },
  { name: 'npy Fortran order', argv: spec('fortran.depthlens.yaml'), err: /fortran\.npy: Fortran-order arrays are not supported/ },
  { name: 'npy big-endian', argv: spec('big-endian.depthlens.yaml'), err: /big-endian\.npy: dtype >f8 is not supported \(big-endian/ },
  { name: 'npy truncated', argv: spec('truncated.depthlens.yaml'), err: /truncated\.npy: truncated: shape \(100, 3\) of <f8 needs 2400 data bytes/ },
  { name: 'npy 3-D', argv: spec('three-d.depthlens.yaml'), err: /three-d\.npy: array has 3 dimensions/ },
  { name: 'npy NaN', argv: spec('nan-npy.depthlens.yaml'), err: /nan\.npy: row index 1, column 1: expected a finite number, found NaN or infinity/ },
  { name: 'npy header 64 KiB long', argv: spec('long-header.depthlens.yaml'), err: /long-header\.npy: (malformed|truncated) \.npy header/ },
  { name: 'npy of 9001 columns', argv: spec('wide-npy.depthlens.yaml'), err: /wide\.npy: shape \(2, 9001\) has 9001 columns, more than the 8193/ },
  { name: 'npy of 140 M values', argv: spec('many-npy.depthlens.yaml'), err: /many\.npy: shape \(70000, 2000\) holds 140000000 values, more than the 134217728/ },
  // ---- sizes (item 4): refused from the prediction, before any tensor ----
  {
    name: 'width = batch = features = 4096, depth 10',
    argv: (d) => ['analyze', join(d, 'huge-run.depthlens.yaml'), '--backend', 'wasm', '--max-cpu-minutes', '0'],
    err: at('huge-run.depthlens.yaml', 3, 28, "the run is predicted to need 4\\.\\d GiB of backend memory .* more than the 3\\.5 GiB usable of wasm's 4\\.0 GiB heap: reduce model\\.width \\(width \\d+ fits"),
  },
  {
    name: 'features 8192 with an orthogonal first layer',
    argv: (d) => ['analyze', join(d, 'wide-features.depthlens.yaml'), '--backend', 'wasm', '--max-cpu-minutes', '0'],
    err: /wide-features\.depthlens\.yaml:3:\d+: error DL001 the run is predicted to need \d+\.\d GiB of backend memory/,
  },
  // ---- run options as flags ----
  { name: '--seeds 0', argv: (d) => ['analyze', join(d, 'valid.depthlens.yaml'), '--seeds', '0'], err: /--seeds: expected a whole number from 1 to 100, got "0"/ },
  { name: '--seeds 1e9', argv: (d) => ['analyze', join(d, 'valid.depthlens.yaml'), '--seeds=1e9'], err: /--seeds: expected a whole number from 1 to 100, got "1e9"/ },
  { name: '--backend nope', argv: (d) => ['analyze', join(d, 'valid.depthlens.yaml'), '--backend', 'nope'], err: /--backend: unknown backend "nope"/ },
  { name: "--json ''", argv: (d) => ['analyze', join(d, 'valid.depthlens.yaml'), '--json', ''], err: /--json: expected a file name or "-", got an empty string/ },
  { name: '--max-cpu-minutes -1', argv: (d) => ['analyze', join(d, 'valid.depthlens.yaml'), '--max-cpu-minutes', '-1'], err: /unknown option -1|--max-cpu-minutes: expected a whole number/ },
  { name: 'unknown option', argv: (d) => ['analyze', join(d, 'valid.depthlens.yaml'), '--frobnicate'], err: /unknown option --frobnicate/ },
  { name: 'two specs', argv: (d) => ['analyze', join(d, 'valid.depthlens.yaml'), join(d, 'valid.depthlens.yaml')], err: /one spec at a time \(got 2\)/ },
  { name: 'unknown command', argv: () => ['analyse'], err: /unknown command "analyse"/ },
];

before(() => {
  ensureBuiltCli();
  writeRssLauncher(wrapper);
  setUpFiles();
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** DL_CORPUS_ONLY=regex runs only the matching cases (while working on them). */
const only = new RegExp(process.env.DL_CORPUS_ONLY ?? '');

/** Runs one process under the caps; returns what it did. */
function runCapped(args: string[], name: string): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number; rssMiB: number } {
  const rssFile = join(dir, `rss-${outcomes.length}.txt`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, wrapper, ...args], {
    encoding: 'utf8',
    timeout: TIME_CAP_MS,
    env: { ...process.env, DL_RSS_FILE: rssFile },
    maxBuffer: 16 * 2 ** 20,
  });
  const ms = performance.now() - t0;
  let rssMiB = NaN;
  try {
    rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    // no exit handler ran: the status checks below fail with the details
  }
  outcomes.push({ name, ms, rssMiB });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms, rssMiB };
}

function assertClean(name: string, text: string): void {
  assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+\)?\n/, `${name}: a stack trace was printed:\n${text}`);
  assert.doesNotMatch(text, /Aborted\(\)|FATAL ERROR|internal error|RuntimeError|out of bounds|Cannot create a string/, `${name}: crashed:\n${text}`);
  for (const s of SECRETS) assert.ok(!text.includes(s), `${name}: the output repeats file content (${s}):\n${text}`);
}

test(`bad-input corpus: ${cliCases.length} CLI cases, each a located error under ${HEAP_CAP_MB} MB heap / ${RSS_CAP_MIB} MiB RSS / ${TIME_CAP_MS / 1000} s`, () => {
  assert.ok(cliCases.length >= 60);
  const failures: string[] = [];
  for (const c of cliCases.filter((x) => only.test(x.name))) {
    const r = runCapped([cli, ...c.argv(dir)], c.name);
    try {
      assert.equal(r.signal, null, `${c.name}: killed by ${r.signal} after ${r.ms.toFixed(0)} ms`);
      assert.equal(r.status, c.code ?? 2, `${c.name}: exit ${r.status}\n${r.stderr}`);
      assert.match(r.stderr, c.err, `${c.name}: expected ${c.err}, got:\n${r.stderr}`);
      assertClean(c.name, r.stdout + r.stderr);
      assert.ok(r.rssMiB <= RSS_CAP_MIB, `${c.name}: peak RSS ${r.rssMiB.toFixed(0)} MiB over the ${RSS_CAP_MIB} MiB cap`);
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  assert.deepEqual(failures, []);
});

// ---- protocol messages and run options over IPC: one engine process per case ----

interface EngineCase {
  name: string;
  /** Made once the files exist. */
  message: () => unknown;
  /** The event that answers it. */
  expect: (e: EngineEvent) => boolean;
  describe: string;
}

const run = (options: unknown, name = 'valid.depthlens.yaml') => () => ({ type: 'run', id: 7, text: readFileSync(join(dir, name), 'utf8'), file: join(dir, name), options });
/** What the extension puts in the Problems panel for an error event: its findings, or the finding of its located error. */
const problemsOf = (e: EngineEvent & { type: 'error' }): Finding[] => e.findings ?? [errorToFinding(e)].filter((f): f is Finding => f !== null);
const errorWith = (re: RegExp) => (e: EngineEvent) => e.type === 'error' && re.test(e.message);
const ignored = (e: EngineEvent) => e.type === 'log' && e.level === 'warn' && /ignored a malformed request/.test(e.message);

const engineCases: EngineCase[] = [
  { name: 'a string instead of a request', message: () => ('hello'), expect: ignored, describe: 'ignored with a warning' },
  { name: 'an unknown request type', message: () => ({ type: 'format-disk' }), expect: ignored, describe: 'ignored with a warning' },
  // A run request with an id is answered (its client waits on that id), never dropped.
  { name: 'a run without text', message: () => ({ type: 'run', id: 1, file: '/x', options: { backend: 'wasm' } }), expect: errorWith(/malformed run request/), describe: 'an error answering its id' },
  { name: 'a warm with a bad backend', message: () => ({ type: 'warm', backend: 'quantum' }), expect: ignored, describe: 'ignored with a warning' },
  { name: 'run options: seeds 1e9', message: run({ backend: 'wasm', seeds: 1e9 }), expect: errorWith(/run options: seeds: expected a whole number from 1 to 100, got 1000000000/), describe: 'error naming seeds' },
  { name: 'run options: negative quick width', message: run({ backend: 'wasm', quick: { maxDepth: 10, maxWidth: -5, seeds: 1 } }), expect: errorWith(/run options: quick\.maxWidth: expected a whole number from 1 to 8192, got -5/), describe: 'error naming quick.maxWidth' },
  { name: 'run options: unknown option', message: run({ backend: 'wasm', turbo: true }), expect: errorWith(/run options: unknown option turbo/), describe: 'error naming turbo' },
  { name: 'run options: unknown backend', message: run({ backend: 'gpu9' }), expect: errorWith(/run options: backend: expected one of/), describe: 'error naming backend' },
  { name: 'run options: relative data root', message: run({ backend: 'wasm', dataRoot: 'workspace' }), expect: errorWith(/run options: dataRoot: expected an absolute folder path, got "workspace"/), describe: 'error naming dataRoot' },
  { name: 'run options: threshold 0', message: run({ backend: 'wasm', thresholds: { gradGrowthPerLayer: 0 } }), expect: errorWith(/run options: thresholds\.gradGrowthPerLayer: expected a number from 1 to 1000/), describe: 'error naming the threshold' },
  { name: 'run options: not an object', message: run(['wasm']), expect: errorWith(/run options: expected an object, got a list of 1/), describe: 'an error answering its id' },
  {
    name: 'a run whose data.path is ../../../../etc/passwd: the finding for the Problems panel holds no line of it',
    message: run({ backend: 'wasm' }, 'passwd.depthlens.yaml'),
    expect: (e) => e.type === 'error' && problemsOf(e).some((f) => f.path === 'data.path' && f.range?.start.line === 1 && f.range.start.character === 27 && /outside/.test(f.message)),
    describe: 'error with a DL001 finding at data.path',
  },
  {
    name: 'a run whose data file lies outside the workspace folder the extension names',
    message: run({ backend: 'wasm', dataRoot: join(dir, 'folder.csv') }, 'secret.depthlens.yaml'),
    expect: (e) => e.type === 'error' && problemsOf(e).some((f) => f.path === 'data.path' && /data\.path: secret\.csv resolves to .*, outside .*folder\.csv, the folder data files may come from/.test(f.message)),
    describe: 'error with a DL001 finding at data.path',
  },
  {
    name: 'a run whose data file holds a secret line, inside the workspace folder',
    message: run({ backend: 'wasm', dataRoot: dir }, 'secret.depthlens.yaml'),
    expect: (e) => e.type === 'error' && problemsOf(e).some((f) => f.path === 'data.path' && /row 2, column 1: expected a decimal number/.test(f.message)),
    describe: 'error with a DL001 finding at data.path',
  },
];

async function engineCase(c: EngineCase): Promise<void> {
  const rssFile = join(dir, `rss-engine-${outcomes.length}.txt`);
  const child = fork(wrapper, [engine], { execArgv: [`--max-old-space-size=${HEAP_CAP_MB}`], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, DL_RSS_FILE: rssFile } });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const t0 = performance.now();
  const events: EngineEvent[] = [];
  const answered = new Promise<EngineEvent>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${c.name}: no answer within ${TIME_CAP_MS / 1000} s`)), TIME_CAP_MS);
    child.on('message', (m: unknown) => {
      assert.ok(isEngineEvent(m), `${c.name}: malformed event ${JSON.stringify(m)}`);
      events.push(m);
      if (m.type === 'ready') child.send(c.message() as object);
      else if (m.type === 'error' || m.type === 'log' || m.type === 'done' || m.type === 'cancelled') {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code, signal) => reject(new Error(`${c.name}: the engine exited (${code ?? signal}) before answering:\n${output}`)));
  });
  try {
    const e = await answered;
    const ms = performance.now() - t0;
    assert.ok(c.expect(e), `${c.name}: expected ${c.describe}, got ${JSON.stringify(e)}`);
    const text = JSON.stringify(e) + output;
    assertClean(c.name, text);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.send({ type: 'shutdown' });
    await exited;
    const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    outcomes.push({ name: `engine: ${c.name}`, ms, rssMiB });
    assert.ok(rssMiB <= RSS_CAP_MIB, `${c.name}: peak RSS ${rssMiB.toFixed(0)} MiB`);
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

test(`bad-input corpus: ${engineCases.length} protocol messages and run options sent to the engine process`, async () => {
  for (const c of engineCases.filter((x) => only.test(x.name))) await engineCase(c);
});

test('bad-input corpus: malformed webview and host messages are refused by the guards', () => {
  const bad: unknown[] = [
    null,
    42,
    [],
    { type: 'run', mode: 'turbo' },
    { type: 'run', mode: 'quick', seeds: -1 },
    { type: 'run', mode: 'quick', seeds: Number.NaN },
    { type: 'reveal' },
    { type: 'reveal', path: 'model.depth', range: { start: { line: 'x' } } },
    { type: 'exportImage', name: 'a.png', dataUrl: 'javascript:alert(1)' },
    { type: 'exportImage', name: 5, dataUrl: 'data:image/png;base64,AA' },
    { type: '__proto__' },
  ];
  for (const m of bad) assert.equal(isWebviewToHost(m), false, JSON.stringify(m));
  assert.equal(isHostToWebview({ type: 'result', result: { depthlens: 2 } }), false);
  assert.equal(isHostToWebview({ type: 'runState', state: 'exploded' }), false);
  assert.equal(isEngineRequest({ type: 'cancel', id: 'all' }), false);
  assert.equal(isEngineRequest({ type: 'warm', backend: 'wasm', nativeModulePaths: [1] }), false);
});

test('bad-input corpus: run options an embedding program passes to analyze() are checked like the spec', () => {
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /run options: expected an object, got undefined/],
    [{}, /run options: backend is required/],
    [{ backend: 'wasm', nativeModulePaths: ['node_modules'] }, /run options: nativeModulePaths: expected a list of at most 16 absolute folder paths/],
    [{ backend: 'wasm', maxCpuMinutes: Number.NaN }, /run options: maxCpuMinutes: expected a number of minutes from 0 to 100000, got NaN/],
    [{ backend: 'wasm', train: 'yes' }, /run options: train: expected true or false, got "yes"/],
    [{ backend: 'wasm', quick: { maxDepth: 10, seeds: 1 } }, /run options: quick\.maxWidth is required/],
    [{ backend: 'wasm', quick: { maxDepth: 1e6, maxWidth: 8, seeds: 1 } }, /run options: quick\.maxDepth: expected a whole number from 1 to 100000, got 1000000/],
    [{ backend: 'wasm', thresholds: { growth: 2 } }, /run options: unknown option thresholds\.growth/],
    [{ backend: 'wasm', seeds: 2.5 }, /run options: seeds: expected a whole number from 1 to 100, got 2\.5/],
    [{ backend: 'wasm', dataRoot: '/ok\0/x' }, /run options: dataRoot: expected an absolute folder path/],
    [{ backend: 'wasm', constructor: 1 }, /run options: unknown option constructor/],
  ];
  for (const [options, message] of cases) assert.throws(() => validateRunOptions(options), message, JSON.stringify(options));
  assert.doesNotThrow(() => validateRunOptions({ backend: 'auto', seeds: 3, quick: { maxDepth: 50, maxWidth: 64, seeds: 2 }, sweep: false, train: false, maxCpuMinutes: 0, thresholds: { gradGrowthPerLayer: 1.02 }, dataRoot: '/w', allowDataOutside: true }));
});

test('bad-input corpus: the worst case', () => {
  if (process.env.DL_CORPUS_ONLY) return;
  assert.ok(outcomes.length >= 60, `only ${outcomes.length} cases ran`);
  const slowest = outcomes.reduce((a, b) => (b.ms > a.ms ? b : a));
  const largest = outcomes.reduce((a, b) => (b.rssMiB > a.rssMiB ? b : a));
  const line = `bad-input corpus: ${outcomes.length} cases; slowest "${slowest.name}" ${(slowest.ms / 1000).toFixed(2)} s (cap ${TIME_CAP_MS / 1000} s); largest "${largest.name}" peak RSS ${largest.rssMiB.toFixed(0)} MiB (cap ${RSS_CAP_MIB} MiB, heap ${HEAP_CAP_MB} MB)`;
  console.log(line);
  assert.ok(slowest.ms < TIME_CAP_MS && largest.rssMiB <= RSS_CAP_MIB, line);
});
