// extensionTestsPath entry of the Restricted Mode session (test/extension/restricted.test.ts): the workspace is untrusted.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { runHostTests } from '../runner';
import './suite';

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test window opened without a workspace folder');
  const outcomes = await runHostTests(join(folder.uri.fsPath, 'host-test-report.json'));
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length) throw new Error(`${failed.length} host test(s) failed: ${failed.map((f) => f.name).join(', ')}`);
}
