import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureBuiltCli, root } from './builtCli';

const dir = mkdtempSync(join(tmpdir(), 'depthlens-check-'));

before(ensureBuiltCli);
after(() => rmSync(dir, { recursive: true, force: true }));

function spec(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const clean = 'depthlens: 1\ndata: { features: 8, batch: 8 }\nmodel: { depth: 10, width: 8 }\n';
// Width 16 with batch 14: the orthogonal guarantee is proven for batch = width only (DL107); λ ≈ 1.01–1.02, ‖∇W‖ ≤ 1.010×
// per layer and ~10^0.04 over 10 layers, under both thresholds even with the law's error: information, not a warning.
const caveat = 'depthlens: 1\ndata: { features: 16, batch: 14 }\nmodel: { depth: 10, width: 16 }\n';
// Gaussian init, B = 8, depth 100: λ = (B−2)/(B−3) = 1.2 per layer → 1.2^50 ≈ 10^3.96, past the 10^3 threshold.
const growing = 'depthlens: 1\ndata: { features: 8, batch: 8 }\nmodel: { depth: 100, width: 8, init: gaussian }\n';
const invalid = 'depthlens: 1\ndata: { features: 8, batch: 8 }\nmodel:\n  depth: 1000000000\n  width: 8\n  init: orthognal\n';

test('a clean spec: no findings, exit 0, a summary line', () => {
  spec('clean.depthlens.yaml', clean);
  const r = run('check', 'clean.depthlens.yaml');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '1 spec checked: 0 errors, 0 warnings, 0 info\n');
});

test('an invalid spec: file:line:col: severity DLxxx message, 1-based, exit 2', () => {
  spec('invalid.depthlens.yaml', invalid);
  const r = run('check', 'invalid.depthlens.yaml');
  assert.equal(r.code, 2);
  // "1000000000" is on line 4 at column 10; "orthognal" on line 6 at column 9 (1-based).
  assert.deepEqual(r.out.trimEnd().split('\n'), [
    'invalid.depthlens.yaml:4:10: error DL001 model.depth: 1000000000 is larger than the maximum 100000',
    'invalid.depthlens.yaml:6:9: error DL001 model.init: "orthognal" is not one of orthogonal, gaussian, xavier, he (did you mean "orthogonal"?)',
    '1 spec checked: 2 errors, 0 warnings, 0 info',
  ]);
});

test('--fail-on decides which severities fail the check', () => {
  spec('growing.depthlens.yaml', growing);
  spec('caveat.depthlens.yaml', caveat);
  const severities = (file: string): string[] => {
    const r = run('check', file, '--json');
    return (JSON.parse(r.out) as { files: Array<{ findings: Array<{ severity: string }> }> }).files[0]!.findings.map((f) => f.severity);
  };
  // The premises, from the theory rules: the growing spec warns, the caveat spec only informs.
  assert.ok(severities('growing.depthlens.yaml').includes('warning'));
  assert.ok(!severities('growing.depthlens.yaml').includes('error'));
  assert.deepEqual([...new Set(severities('caveat.depthlens.yaml'))], ['info']);

  assert.equal(run('check', 'growing.depthlens.yaml').code, 0);
  assert.equal(run('check', 'growing.depthlens.yaml', '--fail-on', 'error').code, 0);
  assert.equal(run('check', 'growing.depthlens.yaml', '--fail-on', 'warning').code, 1);
  assert.equal(run('check', 'growing.depthlens.yaml', '--fail-on=info').code, 1);
  assert.equal(run('check', 'caveat.depthlens.yaml', '--fail-on', 'warning').code, 0);
  assert.equal(run('check', 'caveat.depthlens.yaml', '--fail-on', 'info').code, 1);
  const text = run('check', 'growing.depthlens.yaml').out.trimEnd().split('\n');
  for (const line of text.slice(0, -1)) assert.match(line, /^growing\.depthlens\.yaml:\d+:\d+: warning DL1\d\d \S/);
  assert.match(text.at(-1)!, /^1 spec checked: 0 errors, [1-9]\d* warnings?, 0 info$/);
});

test('--json: one entry per file, findings with 0-based ranges; an invalid file still exits 2', () => {
  spec('clean.depthlens.yaml', clean);
  spec('invalid.depthlens.yaml', invalid);
  const r = run('check', '--json', 'clean.depthlens.yaml', 'invalid.depthlens.yaml');
  assert.equal(r.code, 2);
  const out = JSON.parse(r.out) as { files: Array<{ file: string; findings: Array<Record<string, unknown>> }> };
  assert.deepEqual(out.files.map((f) => f.file), ['clean.depthlens.yaml', 'invalid.depthlens.yaml']);
  assert.deepEqual(out.files[0]!.findings, []);
  const first = out.files[1]!.findings[0]!;
  assert.equal(first['code'], 'DL001');
  assert.equal(first['path'], 'model.depth');
  assert.equal(first['measured'], false);
  assert.deepEqual(first['range'], { start: { line: 3, character: 9 }, end: { line: 3, character: 19 } });
});

test('JSON specs and missing files', () => {
  spec('j.depthlens.json', JSON.stringify({ depthlens: 1, data: { features: 8, batch: 8 }, model: { depth: 10, width: 8 } }));
  assert.equal(run('check', 'j.depthlens.json').code, 0);
  const r = run('check', 'missing.depthlens.yaml');
  assert.equal(r.code, 2);
  assert.equal(r.out.split('\n')[0], 'missing.depthlens.yaml:1:1: error DL001 cannot read missing.depthlens.yaml: no such file');
});

test('usage errors exit 2 with a message on stderr; --help and --version exit 0', () => {
  const none = run('check');
  assert.equal(none.code, 2);
  assert.match(none.err, /depthlens check: no spec files given/);
  const bad = run('check', 'x.yaml', '--fail-on', 'fatal');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown level "fatal"/);
  assert.equal(run('check', '--bogus', 'x.yaml').code, 2);
  assert.equal(run('frobnicate').code, 2);
  const help = run('check', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage: depthlens check <spec\|model\|folder\.\.\.>/);
  assert.equal(run('--help').code, 0);
  // The dispatcher reaches the other subcommand too.
  const analyze = run('analyze', '--help');
  assert.equal(analyze.code, 0);
  assert.match(analyze.out, /^Usage: depthlens analyze/);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const v = run('--version');
  assert.deepEqual([v.code, v.out], [0, `${pkg.version}\n`]);
});

test('a folder stands for the spec files under it', () => {
  const sub = join(dir, 'folder');
  mkdirSync(join(sub, 'nested'), { recursive: true });
  writeFileSync(join(sub, 'b.depthlens.yaml'), clean);
  writeFileSync(join(sub, 'nested', 'a.depthlens.json'), JSON.stringify({ depthlens: 1, data: { features: 8, batch: 8 }, model: { depth: 10, width: 8 } }));
  writeFileSync(join(sub, 'notes.yaml'), 'not: a spec\n');
  const r = run('check', '--json', 'folder');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual((JSON.parse(r.out) as { files: Array<{ file: string }> }).files.map((f) => f.file), [join('folder', 'b.depthlens.yaml'), join('folder', 'nested', 'a.depthlens.json')]);
  mkdirSync(join(dir, 'empty'), { recursive: true });
  const empty = run('check', 'empty');
  assert.equal(empty.code, 2);
  assert.match(empty.err, /no \*\.depthlens\.yaml, \*\.depthlens\.yml or \*\.depthlens\.json files under empty/);
});

test('`# depthlens-disable-next-line DLxxx` above a key hides that code’s finding on it, as ESLint does', () => {
  const block = (comment: string): string => `depthlens: 1\n${comment}data: { features: 8, batch: 8 }\nmodel: { depth: 10, width: 16 }\n`;
  const codes = (file: string): string[] => {
    const r = run('check', file, '--json');
    return (JSON.parse(r.out) as { files: Array<{ findings: Array<{ code: string }> }> }).files[0]!.findings.map((f) => f.code);
  };
  spec('caveat-block.depthlens.yaml', block(''));
  assert.ok(codes('caveat-block.depthlens.yaml').includes('DL107'), 'premise: width 16 ≠ batch 8 is DL107, on data.batch (line 2)');
  spec('caveat-suppressed.depthlens.yaml', block('# depthlens-disable-next-line DL107 -- wider than the batch on purpose\n'));
  assert.ok(!codes('caveat-suppressed.depthlens.yaml').includes('DL107'));
  spec('caveat-other.depthlens.yaml', block('# depthlens-disable-next-line DL101\n'));
  assert.ok(codes('caveat-other.depthlens.yaml').includes('DL107'), 'a directive for another code changes nothing');
  spec('caveat-all.depthlens.yaml', block('# depthlens-disable-next-line\n'));
  assert.ok(!codes('caveat-all.depthlens.yaml').includes('DL107'), 'no codes: every code');
});

test('`--rule DLxxx=level` sets a code’s severity or turns it off, as depthlens.rules; DL001 cannot be changed', () => {
  spec('rule-growing.depthlens.yaml', growing);
  const findings = (...args: string[]): { code: number | null; list: Array<{ code: string; severity: string }> } => {
    const r = run('check', 'rule-growing.depthlens.yaml', '--json', ...args);
    return { code: r.code, list: (JSON.parse(r.out) as { files: Array<{ findings: Array<{ code: string; severity: string }> }> }).files[0]!.findings };
  };
  const plain = findings();
  const dl101 = plain.list.find((f) => f.code === 'DL101');
  assert.ok(dl101, 'premise: Gaussian init at B = 8 over 100 layers is DL101');
  const lowered = findings('--rule', 'DL101=info');
  assert.equal(lowered.list.find((f) => f.code === 'DL101')?.severity, 'info');
  assert.equal(findings('--rule=DL101=error').list.find((f) => f.code === 'DL101')?.severity, 'error');
  assert.ok(!findings('--rule', 'DL101=off').list.some((f) => f.code === 'DL101'));
  // --fail-on sees the severity the rule gives: a warning raised to error fails the default check, lowered to info does not.
  assert.equal(run('check', 'rule-growing.depthlens.yaml', '--rule', 'DL101=error').code, 1);
  // (DL104, the batch's share, is the other warning here: off for this part.)
  assert.equal(run('check', 'rule-growing.depthlens.yaml', '--rule', 'DL101=info', '--rule', 'DL104=off', '--fail-on', 'warning').code, 0);
  assert.equal(run('check', 'rule-growing.depthlens.yaml', '--rule', 'DL101=info', '--rule', 'DL104=off', '--fail-on', 'info').code, 1);
  const bad = run('check', 'rule-growing.depthlens.yaml', '--rule', 'DL101=loud');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--rule "DL101=loud": unknown level "loud"/);
  assert.equal(run('check', 'rule-growing.depthlens.yaml', '--rule', 'DL101').code, 2);
  const fixed = run('check', 'invalid.depthlens.yaml', '--rule', 'DL001=off');
  assert.equal(fixed.code, 2);
  assert.match(fixed.err, /DL001 \(an invalid spec\) is always an error/);
});

test('analyze: rules and inline suppression apply to measured findings (DL2xx) in the summary, the JSON and the report', () => {
  spec('rule-measured.depthlens.yaml', growing);
  const analyzeJson = (file: string, ...args: string[]): Array<{ code: string; severity: string; measured: boolean }> => {
    const r = run('analyze', file, '--quick', '--backend', 'cpu', '--json', '-', ...args);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    return (JSON.parse(r.out) as { findings: Array<{ code: string; severity: string; measured: boolean }> }).findings;
  };
  const plain = analyzeJson('rule-measured.depthlens.yaml');
  const dl201 = plain.find((f) => f.code === 'DL203');
  assert.ok(dl201?.measured, `premise: the quick run measures the rank collapse (DL203): ${JSON.stringify(plain)}`);
  assert.equal(analyzeJson('rule-measured.depthlens.yaml', '--rule', 'DL203=info').find((f) => f.code === 'DL203')?.severity, 'info');
  assert.ok(!analyzeJson('rule-measured.depthlens.yaml', '--rule', 'DL203=off').some((f) => f.code === 'DL203'));
  // DL203 (the collapse, caused by the init) sits on model.init (line 3 of this spec): a directive above it hides it, and only it.
  spec('rule-measured-suppressed.depthlens.yaml', growing.replace('model:', '# depthlens-disable-next-line DL203\nmodel:'));
  const suppressed = analyzeJson('rule-measured-suppressed.depthlens.yaml');
  assert.ok(!suppressed.some((f) => f.code === 'DL203'), JSON.stringify(suppressed));
  assert.ok(suppressed.some((f) => f.code === 'DL101'), 'a directive for DL203 leaves DL101');
  // The report embeds the findings as shown: DL203 off leaves no DL203 in it.
  const html = join(dir, 'rule-report.html');
  const r = run('analyze', 'rule-measured.depthlens.yaml', '--quick', '--backend', 'cpu', '--rule', 'DL203=off', '--html', html);
  assert.ok(r.code === 0 || r.code === 1, r.err);
  const report = readFileSync(html, 'utf8');
  assert.ok(report.includes('"DL101"'), 'premise: the report embeds the findings');
  assert.ok(!report.includes('"DL203"'), 'DL203 turned off is not in the report');
});

test('predictions are warnings until thresholds.error-log10-range (default twice grad-log10-range); --fail-on follows', () => {
  // 1.2^(99/2) ≈ 10^3.92: past 3 (a finding), within 2 × 3 = 6 (a warning).
  spec('threshold-default.depthlens.yaml', growing);
  const severity = (file: string): string | undefined =>
    (JSON.parse(run('check', file, '--json').out) as { files: Array<{ findings: Array<{ code: string; severity: string }> }> }).files[0]!.findings.find((f) => f.code === 'DL101')?.severity;
  assert.equal(severity('threshold-default.depthlens.yaml'), 'warning');
  assert.equal(run('check', 'threshold-default.depthlens.yaml').code, 0);
  assert.equal(run('check', 'threshold-default.depthlens.yaml', '--fail-on', 'warning').code, 1);
  spec('threshold-low.depthlens.yaml', `${growing}thresholds: { error-log10-range: 3.5 }\n`);
  assert.equal(severity('threshold-low.depthlens.yaml'), 'error');
  assert.equal(run('check', 'threshold-low.depthlens.yaml').code, 1);
  // 400 layers: 1.2^(399/2) ≈ 10^15.8, past 6: an error by default.
  spec('threshold-deep.depthlens.yaml', growing.replace('depth: 100', 'depth: 400'));
  assert.equal(severity('threshold-deep.depthlens.yaml'), 'error');
  spec('threshold-high.depthlens.yaml', `${growing.replace('depth: 100', 'depth: 400')}thresholds: { error-log10-range: 20 }\n`);
  assert.equal(severity('threshold-high.depthlens.yaml'), 'warning');
});
