// A minimal test runner for inside the VS Code extension host: runs named async tests in order, records each outcome,
// and writes them as JSON to the report file the node:test wrapper (test/extension/vscode.test.ts) reads back.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

export interface HostTestOutcome {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

type HostTest = { name: string; fn: () => Promise<void> | void; timeoutMs: number };

const tests: HostTest[] = [];

export function hostTest(name: string, fn: () => Promise<void> | void, timeoutMs = 30_000): void {
  tests.push({ name, fn, timeoutMs });
}

function withTimeout(p: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`"${name}" timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Runs every registered test; writes the report after each one so a hang still leaves the earlier outcomes. */
export async function runHostTests(reportFile: string): Promise<HostTestOutcome[]> {
  const outcomes: HostTestOutcome[] = [];
  // DEPTHLENS_HOST_TESTS=<regex> runs only the matching tests (and 'activates', which the others need): one behaviour
  // can be checked without the whole suite's minutes.
  const only = process.env.DEPTHLENS_HOST_TESTS ? new RegExp(process.env.DEPTHLENS_HOST_TESTS) : null;
  const selected = only ? tests.filter((t) => t.name === 'activates' || only.test(t.name)) : tests;
  const planned = selected.map((t) => t.name);
  writeFileSync(reportFile, JSON.stringify({ planned, outcomes }, null, 2));
  for (const t of selected) {
    const started = Date.now();
    try {
      await withTimeout(Promise.resolve().then(t.fn), t.timeoutMs, t.name);
      outcomes.push({ name: t.name, ok: true, ms: Date.now() - started });
    } catch (err) {
      const error = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
      outcomes.push({ name: t.name, ok: false, error, ms: Date.now() - started });
    }
    writeFileSync(reportFile, JSON.stringify({ planned, outcomes }, null, 2));
  }
  return outcomes;
}

/** The body of an extensionTestsPath entry's run(): the report goes into the workspace; a failure rejects (window exit 1). */
export async function runInWorkspace(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test window opened without a workspace folder');
  const outcomes = await runHostTests(join(folder.uri.fsPath, 'host-test-report.json'));
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length) throw new Error(`${failed.length} host test(s) failed: ${failed.map((f) => f.name).join(', ')}`);
}
