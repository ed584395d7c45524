// In-host tests of Restricted Mode (issue 16 item 2): the workspace is untrusted and its .vscode/settings.json tries to
// turn auto-run on and pick a native backend. Parsing features must work; nothing may start the engine, read a data
// file or run npm. Expectations come from the fixtures' theory (../../fixtures.ts) and package.json, not from the
// extension's output.
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { hostTest } from '../runner';
import { assert, assertEqual, codeOf, depthlensDiagnostics, open, waitFor, workspaceUri } from '../util';
import { locateYaml } from '../locate';

interface Api {
  onDidChangeRunState: vscode.Event<string>;
  readonly running: boolean;
  readonly enginePid: number | undefined;
}

let api: Api;
const states: string[] = [];

function ext(): vscode.Extension<Api> {
  const e = vscode.extensions.getExtension<Api>('depthlens.depthlens');
  assert(e, 'extension depthlens.depthlens is not installed in the test host');
  return e;
}

function engineNeverStarted(when: string): void {
  assertEqual(api.enginePid, undefined, `engine process ${when}`);
  assertEqual(states, [], `run states ${when}`);
}

hostTest('the workspace is untrusted (Restricted Mode)', () => {
  assertEqual(vscode.workspace.isTrusted, false, 'vscode.workspace.isTrusted');
});

hostTest('package.json declares limited support with the settings a workspace may not set', () => {
  const declared = ext().packageJSON.capabilities?.untrustedWorkspaces;
  assertEqual(declared?.supported, 'limited', 'capabilities.untrustedWorkspaces.supported');
  assert(typeof declared.description === 'string' && declared.description.length > 40, 'capabilities.untrustedWorkspaces.description');
  assertEqual([...declared.restrictedConfigurations].sort(), ['depthlens.autoRun', 'depthlens.backend'], 'restrictedConfigurations');
});

hostTest('activates in Restricted Mode', async () => {
  api = await ext().activate();
  assert(ext().isActive, 'extension did not become active');
  api.onDidChangeRunState((s) => states.push(s));
});

hostTest('workspace settings cannot turn auto-run on or choose the backend', () => {
  const config = vscode.workspace.getConfiguration('depthlens');
  // The workspace's .vscode/settings.json says autoRun: false and backend: tfjs-node (restricted.test.ts writes it); the
  // defaults are true and auto. (In Restricted Mode even inspect() hides the workspace's values.)
  assertEqual(config.get('autoRun'), true, 'depthlens.autoRun as the extension reads it');
  assertEqual(config.get('backend'), 'auto', 'depthlens.backend as the extension reads it');
});

hostTest('theory findings still appear (DL101 on a Gaussian-init spec)', async () => {
  const uri = workspaceUri('gaussian.depthlens.yaml');
  await open(uri);
  const ds = await waitFor('DL101 on the gaussian spec', () => {
    const d = depthlensDiagnostics(uri);
    return d.some((x) => codeOf(x) === 'DL101') ? d : undefined;
  });
  assert(ds.every((d) => !/\(measured\)$/.test(d.message)), 'a measured finding appeared in Restricted Mode');
});

hostTest('hovers still work', async () => {
  const uri = workspaceUri('gaussian.depthlens.yaml');
  const key = locateYaml(readFileSync(uri.fsPath, 'utf8'), 'model.init')!.key!;
  const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(key.start.line, key.start.character + 1))) as vscode.Hover[];
  const md = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  assert(/Gaussian/.test(md), `no theory hover on model.init:\n${md}`);
});

hostTest('editing a spec does not auto-run it (auto-run is on)', async () => {
  const uri = workspaceUri('gaussian.depthlens.yaml');
  const doc = await open(uri);
  const line = doc.getText().split('\n').findIndex((l) => l.startsWith('name:'));
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(line, doc.lineAt(line).text.length), ' edited');
  assert(await vscode.workspace.applyEdit(edit), 'edit not applied');
  // Long enough for the debounce (depthlens.debounceMs, 300 ms by default) and an engine start.
  await new Promise((r) => setTimeout(r, 2500));
  engineNeverStarted('after an edit with auto-run on');
});

hostTest('CodeLens offers to trust the workspace instead of running', async () => {
  const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', workspaceUri('gaussian.depthlens.yaml'))) as vscode.CodeLens[];
  const commands = lenses.map((l) => l.command?.command);
  assert(!commands.includes('depthlens.analyze'), `a Run lens is offered: ${JSON.stringify(lenses.map((l) => l.command?.title))}`);
  assert(commands.includes('workbench.trust.manage'), `no trust lens: ${JSON.stringify(lenses.map((l) => l.command?.title))}`);
});

hostTest('Analyze on a spec with a data file is refused with the Restricted Mode message; nothing reads the file', async () => {
  const uri = workspaceUri('data.depthlens.yaml');
  await open(uri);
  const outcome = (await vscode.commands.executeCommand('depthlens.analyze', uri)) as { kind: string; message?: string };
  assertEqual(outcome.kind, 'error', 'outcome');
  assert(/Restricted Mode/.test(outcome.message ?? ''), `message: ${outcome.message}`);
  engineNeverStarted('after Analyze');
  // The data file does not exist: a run that read it would have put a data error on the spec.
  await new Promise((r) => setTimeout(r, 300));
  const ds = depthlensDiagnostics(uri);
  assert(!ds.some((d) => codeOf(d) === 'DL001'), `a data error appeared: ${ds.map((d) => d.message).join('; ')}`);
});

hostTest('the depth sweep is refused too', async () => {
  const outcome = (await vscode.commands.executeCommand('depthlens.runSweep', workspaceUri('gaussian.depthlens.yaml'))) as { kind: string; message?: string };
  assertEqual(outcome.kind, 'error', 'outcome');
  assert(/Restricted Mode/.test(outcome.message ?? ''), `message: ${outcome.message}`);
  engineNeverStarted('after Run Sweep');
});

hostTest('Install Native or GPU Backend is refused without running npm', async () => {
  const outcome = (await vscode.commands.executeCommand('depthlens.installNativeBackend', 'webgpu')) as { ok: boolean; message: string; exitCode: number | null };
  assertEqual(outcome.ok, false, 'install outcome');
  assertEqual(outcome.exitCode, null, 'npm exit code (npm must not have run)');
  assert(/Restricted Mode/.test(outcome.message), `message: ${outcome.message}`);
});
