// The extension in a real VS Code extension host (code-server + headless Chromium). The host-side tests live in ./host;
// each one is asserted here by name, so a failure names the exact behaviour that broke.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { assertHostReport, bundleHostTests, ROOT, runInCodeServer } from './codeServer';
import { FIXTURES } from './fixtures';

function prepareWorkspace(dir: string): void {
  for (const [name, text] of Object.entries(FIXTURES)) writeFileSync(join(dir, name), text);
  mkdirSync(join(dir, 'examples'));
  const examples = join(ROOT, 'examples');
  if (existsSync(examples)) for (const f of readdirSync(examples)) if (/\.depthlens\.(ya?ml|json)$/.test(f)) cpSync(join(examples, f), join(dir, 'examples', f));
  // The example models (examples/models/) for "Analyze Model File…".
  mkdirSync(join(dir, 'models'));
  for (const f of ['bn-mlp-50.onnx', 'bn-mlp-50.keras', 'bn-mlp-50.keras.json']) cpSync(join(examples, 'models', f), join(dir, 'models', f));
  mkdirSync(join(dir, 'out'));
  mkdirSync(join(dir, '.vscode'));
  writeFileSync(
    join(dir, '.vscode', 'settings.json'),
    JSON.stringify({ 'depthlens.autoRun': false, 'depthlens.backend': 'wasm', 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false }, null, 2),
  );
}

test('DepthLens in a real VS Code extension host', { timeout: 25 * 60_000 }, async (t) => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, `build failed:\n${build.stderr}`);
  const scratch = mkdtempSync(join(tmpdir(), 'depthlens-vscode-'));
  const workspace = join(scratch, 'ws');
  mkdirSync(workspace);
  prepareWorkspace(workspace);
  const testsModule = join(scratch, 'host-tests', 'index.js');
  await bundleHostTests(join(__dirname, 'host', 'index.ts'), testsModule);
  try {
    const session = await runInCodeServer({
      workspace,
      testsModule,
      scratch,
      timeoutMs: 8 * 60_000,
      // The registry is made unreachable so "Install Native Backend" meets the offline case deterministically.
      env: { npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: join(scratch, 'npm-cache'), npm_config_fetch_retries: '0' },
    });
    await assertHostReport(t, session);
  } finally {
    // DEPTHLENS_TEST_KEEP=1 keeps the workspace and code-server's logs (user/logs/…/exthost*/) for inspection.
    if (process.env.DEPTHLENS_TEST_KEEP === '1') t.diagnostic(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
});
