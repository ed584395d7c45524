// Issue 16 item 7: --json / --html are written to a temporary file beside the target and renamed, so a full disk leaves
// the previous good file in place; `--json ''` is a usage error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOutputFile } from '../../src/cli/outputFile';
import { cli, ensureBuiltCli } from './builtCli';

const dir = mkdtempSync(join(tmpdir(), 'depthlens-atomic-'));
before(() => ensureBuiltCli());
after(() => rmSync(dir, { recursive: true, force: true }));

const SPEC = 'depthlens: 1\ndata: { source: gaussian, features: 8, batch: 8, classes: 2 }\nmodel: { depth: 4, width: 8, init: orthogonal }\ndiagnostics: { seeds: 1 }\n';

/** Can this machine mount a private tmpfs (user + mount namespace)? */
function canMountTmpfs(): boolean {
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', `d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; s=$?; rmdir "$d"; exit $s`], { encoding: 'utf8' });
  return r.status === 0;
}

test('on a full filesystem (a 512 KiB tmpfs filled up) a good previous out.json and report.html survive and no temporary file is left', (t) => {
  if (!canMountTmpfs()) {
    t.skip('cannot mount a private tmpfs here (no user namespaces); the unit test below covers the write failure path');
    return;
  }
  const specFile = join(dir, 'small.depthlens.yaml');
  writeFileSync(specFile, SPEC);
  const good = '{"depthlens": 1, "previous": "good"}\n';
  const goodFile = join(dir, 'good.json');
  writeFileSync(goodFile, good);
  const script = [
    'set -e',
    'm=$(mktemp -d)',
    'mount -t tmpfs -o size=512k tmpfs "$m"',
    `cp "${goodFile}" "$m/out.json"`,
    `cp "${goodFile}" "$m/report.html"`,
    // Fill every block that is left.
    'dd if=/dev/zero of="$m/fill" bs=4k 2>/dev/null || true',
    'set +e',
    `"${process.execPath}" "${cli}" analyze "${specFile}" --backend wasm --json "$m/out.json" > "${dir}/stdout.txt" 2> "${dir}/stderr.txt"`,
    `echo $? > "${dir}/json-code.txt"`,
    `"${process.execPath}" "${cli}" analyze "${specFile}" --backend wasm --html "$m/report.html" > /dev/null 2> "${dir}/stderr-html.txt"`,
    `echo $? > "${dir}/html-code.txt"`,
    `cp "$m/out.json" "${dir}/after.json"`,
    `cp "$m/report.html" "${dir}/after.html"`,
    `ls -a "$m" > "${dir}/listing.txt"`,
  ].join('\n');
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const stderr = readFileSync(join(dir, 'stderr.txt'), 'utf8');
  assert.equal(readFileSync(join(dir, 'json-code.txt'), 'utf8').trim(), '2', stderr);
  assert.match(stderr, /JSON result: cannot write .*out\.json \(.*(ENOSPC|no space).*\); any previous .*out\.json is unchanged/i);
  assert.equal(readFileSync(join(dir, 'after.json'), 'utf8'), good, 'the previous out.json must be untouched');
  assert.equal(readFileSync(join(dir, 'html-code.txt'), 'utf8').trim(), '2', readFileSync(join(dir, 'stderr-html.txt'), 'utf8'));
  assert.equal(readFileSync(join(dir, 'after.html'), 'utf8'), good, 'the previous report.html must be untouched');
  const listing = readFileSync(join(dir, 'listing.txt'), 'utf8').split('\n').filter((n) => n && n !== '.' && n !== '..');
  assert.deepEqual(listing.sort(), ['fill', 'out.json', 'report.html'], 'no temporary file may be left behind');
});

test('writeOutputFile replaces the target whole, and a failed write (target folder is a file) leaves no temporary file', () => {
  const target = join(dir, 'replace.json');
  writeFileSync(target, 'old');
  writeOutputFile('JSON result', target, 'new contents\n');
  assert.equal(readFileSync(target, 'utf8'), 'new contents\n');
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes('replace.json') && n.endsWith('.tmp')), []);
  const blocker = join(dir, 'not-a-folder');
  writeFileSync(blocker, 'x');
  assert.throws(() => writeOutputFile('HTML report', join(blocker, 'r.html'), 'x'), /HTML report: cannot write .*not-a-folder\/r\.html \(/);
});

test("--json '' and --html '' are usage errors (exit 2), not a silent no-op", () => {
  const specFile = join(dir, 'usage.depthlens.yaml');
  writeFileSync(specFile, SPEC);
  for (const [flag, message] of [['--json', /--json: expected a file name or "-", got an empty string/], ['--html', /--html: expected a file name, got an empty string/]] as const) {
    for (const argv of [[flag, ''], [`${flag}=`]]) {
      const r = spawnSync(process.execPath, [cli, 'analyze', specFile, ...argv], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  }
});
