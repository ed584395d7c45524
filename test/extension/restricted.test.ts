// Restricted Mode in a real VS Code extension host: code-server with Workspace Trust on and the folder untrusted. The
// in-host tests (./host/restricted/suite.ts) check that parsing features work and that nothing runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { assertHostReport, bundleHostTests, ROOT, runInCodeServer } from './codeServer';
import { FIXTURES } from './fixtures';

test('DepthLens in Restricted Mode (untrusted workspace) in a real VS Code extension host', { timeout: 10 * 60_000 }, async (t) => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--only=extension,engine'], { encoding: 'utf8' });
  assert.equal(build.status, 0, `build failed:\n${build.stderr}`);
  const scratch = mkdtempSync(join(tmpdir(), 'depthlens-restricted-'));
  const workspace = join(scratch, 'ws');
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, 'gaussian.depthlens.yaml'), FIXTURES['gaussian.depthlens.yaml']!);
  // A run of this spec would read data/missing.csv and fail with a located data error; in Restricted Mode none may.
  writeFileSync(
    join(workspace, 'data.depthlens.yaml'),
    'depthlens: 1\nname: data from a file\ndata:\n  source: csv\n  path: data/missing.csv\n  batch: 8\nmodel:\n  depth: 4\n  width: 8\n',
  );
  // What a hostile workspace would set; restrictedConfigurations must keep both from taking effect.
  writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'depthlens.autoRun': false, 'depthlens.backend': 'tfjs-node', 'workbench.startupEditor': 'none' }, null, 2));
  const testsModule = join(scratch, 'host-tests', 'index.js');
  await bundleHostTests(join(__dirname, 'host', 'restricted', 'index.ts'), testsModule);
  try {
    const session = await runInCodeServer({
      workspace,
      testsModule,
      scratch,
      timeoutMs: 5 * 60_000,
      workspaceTrust: true,
      env: { npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: join(scratch, 'npm-cache'), npm_config_fetch_retries: '0' },
    });
    await assertHostReport(t, session);
  } finally {
    if (process.env.DEPTHLENS_TEST_KEEP === '1') t.diagnostic(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
});
