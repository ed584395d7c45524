// Drives a real VS Code extension host: code-server (installed by scripts/setup-code-server.sh into .cache/) serving a
// test workspace, opened in headless Chromium with VS Code's smoke-test driver, which runs extensionTestsPath and calls
// window.codeAutomationExit(code) when it finishes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import * as esbuild from 'esbuild';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

export const ROOT = join(__dirname, '..', '..');

export interface HostReport {
  planned: string[];
  outcomes: { name: string; ok: boolean; error?: string; ms: number }[];
}

export interface SessionResult {
  exitCode: number | null;
  report: HostReport | undefined;
  log: string;
}

/** Installs (idempotently) and returns [node24, code-server entry]. Throws with the installer's output on failure. */
export function ensureCodeServer(): { node: string; entry: string } {
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'setup-code-server.sh')], { encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`scripts/setup-code-server.sh failed (${r.status ?? r.signal}):\n${r.stderr.slice(-3000)}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  const [node, entry] = last.split(' ');
  if (!node || !entry || !existsSync(node) || !existsSync(entry)) throw new Error(`setup-code-server.sh printed no usable paths: "${last}"`);
  return { node, entry };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before listening`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs / 1000} s`);
}

export interface SessionOptions {
  workspace: string;
  /** Built extensionTestsPath module (a .js file exporting run()). */
  testsModule: string;
  /** Scratch folder for code-server's user data, extensions and config. */
  scratch: string;
  /** Extra environment for code-server and everything it starts (the extension host, the engine, npm). */
  env?: Record<string, string>;
  timeoutMs: number;
  /** Workspace Trust as a user has it (the folder starts untrusted, no startup prompt); by default trust is off. */
  workspaceTrust?: boolean;
}

export async function runInCodeServer(o: SessionOptions): Promise<SessionResult> {
  const { node, entry } = ensureCodeServer();
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  for (const d of ['user', 'extensions']) mkdirSync(join(o.scratch, d), { recursive: true });
  const config = join(o.scratch, 'config.yaml');
  writeFileSync(config, 'auth: none\n');
  if (o.workspaceTrust) {
    mkdirSync(join(o.scratch, 'user', 'User'), { recursive: true });
    const trust = { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false };
    writeFileSync(join(o.scratch, 'user', 'User', 'settings.json'), JSON.stringify(trust, null, 2));
  }
  let log = '';
  const child = spawn(
    node,
    [
      entry,
      '--bind-addr', host,
      '--auth', 'none',
      '--config', config,
      '--user-data-dir', join(o.scratch, 'user'),
      '--extensions-dir', join(o.scratch, 'extensions'),
      '--disable-telemetry',
      '--disable-update-check',
      ...(o.workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--vscode-option', 'enable-smoke-test-driver',
      '--ignore-last-opened',
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, ...o.env } },
  );
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (log += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (log += s));
  const killGroup = (): void => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const browser = await chromium
    .launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    .catch((e: unknown) => {
      killGroup();
      throw e;
    });
  try {
    await waitForHttp(`http://${host}/healthz`, child, 60_000);
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') log += `[browser] ${m.text()}\n`;
    });
    const exited = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${host}${ROOT}`],
      ['extensionTestsPath', `vscode-remote://${host}${o.testsModule}`],
    ];
    await page.goto(`http://${host}/?folder=${encodeURIComponent(o.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), o.timeoutMs)));
    const exitCode = await Promise.race([exited, timedOut]).finally(() => clearTimeout(timer));
    const reportFile = join(o.workspace, 'host-test-report.json');
    const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as HostReport) : undefined;
    return { exitCode, report, log };
  } finally {
    await browser.close().catch(() => undefined);
    killGroup();
  }
}

/** Bundles an in-host test entry (test/extension/host/…/index.ts) into the module code-server loads as extensionTestsPath. */
export async function bundleHostTests(entry: string, outfile: string): Promise<void> {
  await esbuild.build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'], logLevel: 'warning' });
}

/** One node:test subtest per planned in-host test, so a failure names the behaviour; then the window's exit code. */
export async function assertHostReport(t: TestContext, session: SessionResult): Promise<void> {
  const report = session.report;
  assert.ok(report, `the extension host wrote no report (exit code ${session.exitCode}). code-server log:\n${session.log.slice(-4000)}`);
  for (const name of report.planned) {
    await t.test(name, () => {
      const o = report.outcomes.find((x) => x.name === name);
      assert.ok(o, `"${name}" never finished in the host (the window exit code was ${session.exitCode})`);
      assert.ok(o.ok, o.error);
    });
  }
  const failed = report.outcomes.filter((o) => !o.ok).length;
  assert.equal(session.exitCode, failed > 0 ? 1 : 0, `window exit code ${session.exitCode} with ${failed} failed host tests`);
}
