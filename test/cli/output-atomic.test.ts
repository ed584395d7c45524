// Issue 16 item 7: --json / --html are written to a temporary file beside the target and renamed, so a full disk leaves
// the previous good file in place; `--json ''` is a usage error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOutputFile } from '../../src/cli/outputFile';
import { cli, ensureBuiltCli } from './builtCli';

const dir = mkdtempSync(join(tmpdir(), 'depthlens-atomic-'));
before(() => ensureBuiltCli());
after(() => rmSync(dir, { recursive: true, force: true }));

const SPEC = 'depthlens: 1\ndata: { source: gaussian, features: 8, batch: 8, classes: 2 }\nmodel: { depth: 4, width: 8, init: orthogonal }\ndiagnostics: { seeds: 1 }\n';

/**
 * How this machine can mount a private tmpfs: as any user through a user + mount namespace (`unshare -rm`), or, as root
 * where user namespaces are off (CI containers), in a plain mount namespace (`unshare -m`); null when neither works.
 */
function tmpfsNamespace(): string[] | null {
  for (const flags of [['-rm'], ['-m']]) {
    const r = spawnSync('unshare', [...flags, 'sh', '-c', `d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; s=$?; rmdir "$d"; exit $s`], { encoding: 'utf8' });
    if (r.status === 0) return flags;
  }
  return null;
}

/**
 * Runs the CLI twice (--json, then --html) against a folder `$m` that already holds a good out.json and report.html, after
 * `prepare` and `fill` (shell lines that set up `$m` and `run_limited`, which runs a command so that its writes fail; `fill` runs after the good files are in place), and checks that both runs
 * exit 2 naming the failure, leave the previous files byte for byte, and leave no temporary file. `run` executes the script.
 */
function checkFailedWritesKeepPreviousFiles(name: string, prepare: string[], fill: string[], run: (script: string) => ReturnType<typeof spawnSync>, cause: RegExp, extraFiles: string[]): void {
  const work = join(dir, name);
  mkdirSync(work);
  const specFile = join(work, 'small.depthlens.yaml');
  writeFileSync(specFile, SPEC);
  const good = '{"depthlens": 1, "previous": "good"}\n';
  const goodFile = join(work, 'good.json');
  writeFileSync(goodFile, good);
  const script = [
    'set -e',
    ...prepare,
    `cp "${goodFile}" "$m/out.json"`,
    `cp "${goodFile}" "$m/report.html"`,
    ...fill,
    'set +e',
    // stdout goes to a pipe-free sink and stderr is short: only the output files meet the limit.
    `run_limited "${process.execPath}" "${cli}" analyze "${specFile}" --backend wasm --json "$m/out.json" > /dev/null 2> "${work}/stderr.txt"; echo $? > "${work}/json-code.txt"`,
    `run_limited "${process.execPath}" "${cli}" analyze "${specFile}" --backend wasm --html "$m/report.html" > /dev/null 2> "${work}/stderr-html.txt"; echo $? > "${work}/html-code.txt"`,
    `cp "$m/out.json" "${work}/after.json"`,
    `cp "$m/report.html" "${work}/after.html"`,
    `ls -a "$m" > "${work}/listing.txt"`,
  ].join('\n');
  const r = run(script);
  assert.equal(r.status, 0, String(r.stderr));
  const stderr = readFileSync(join(work, 'stderr.txt'), 'utf8');
  assert.equal(readFileSync(join(work, 'json-code.txt'), 'utf8').trim(), '2', stderr);
  assert.match(stderr, new RegExp(`JSON result: cannot write .*out\\.json \\(.*(${cause.source}).*\\); any previous .*out\\.json is unchanged`, 'i'));
  assert.equal(readFileSync(join(work, 'after.json'), 'utf8'), good, 'the previous out.json must be untouched');
  const stderrHtml = readFileSync(join(work, 'stderr-html.txt'), 'utf8');
  assert.equal(readFileSync(join(work, 'html-code.txt'), 'utf8').trim(), '2', stderrHtml);
  assert.match(stderrHtml, new RegExp(`HTML report: cannot write .*report\\.html \\(.*(${cause.source}).*\\)`, 'i'));
  assert.equal(readFileSync(join(work, 'after.html'), 'utf8'), good, 'the previous report.html must be untouched');
  const listing = readFileSync(join(work, 'listing.txt'), 'utf8').split('\n').filter((n) => n && n !== '.' && n !== '..');
  assert.deepEqual(listing.sort(), [...extraFiles, 'out.json', 'report.html'].sort(), 'no temporary file may be left behind');
}

test('on a full filesystem (a 512 KiB tmpfs filled up) a good previous out.json and report.html survive and no temporary file is left', (t) => {
  const namespace = tmpfsNamespace();
  if (!namespace) {
    t.skip('cannot mount a private tmpfs here (no user namespaces and not root); the file-size-limit test below fails the same writes');
    return;
  }
  checkFailedWritesKeepPreviousFiles(
    'tmpfs',
    ['m=$(mktemp -d)', 'mount -t tmpfs -o size=512k tmpfs "$m"', 'run_limited() { "$@"; }'],
    // Fill every block that is left, once the good files are in place.
    ['dd if=/dev/zero of="$m/fill" bs=4k 2>/dev/null || true'],
    (script) => spawnSync('unshare', [...namespace, 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000 }),
    /ENOSPC|no space/,
    ['fill'],
  );
});

// Runs everywhere (no mount needed): a file-size limit of 1 KiB (RLIMIT_FSIZE) makes writing the 3 KiB result and the
// report fail part-way with EFBIG, as a full disk would; a writer that truncated the target first would lose it.
test('when writing fails part-way (a 1 KiB file-size limit: EFBIG) the previous out.json and report.html survive and no temporary file is left', () => {
  const folder = join(dir, 'fsize-target');
  mkdirSync(folder);
  checkFailedWritesKeepPreviousFiles(
    'fsize',
    [`m="${folder}"`, 'run_limited() { (ulimit -f 1; exec "$@"); }'],
    [],
    (script) => spawnSync('sh', ['-c', script], { encoding: 'utf8', timeout: 120_000 }),
    /EFBIG|too large/,
    [],
  );
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
