// The in-host tests. Expectations come from the spec texts and the theory's rules (see ../fixtures.ts and EXAMPLES), and
// ranges from an independent YAML walk (./locate.ts), never from what the extension printed before.
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { hostTest } from './runner';
import { assert, assertEqual, codeOf, depthlensDiagnostics, fmtRange, open, waitFor, workspaceUri } from './util';
import { expectedRange, locateYaml } from './locate';
import { EXAMPLE_EXPECTATIONS } from '../examples.expect';

const EXTENSION_ID = 'depthlens.depthlens';

interface Api {
  onDidChangeRunState: vscode.Event<string>;
  onDidFinishRun: vscode.Event<{ mode: string; outcome: string }>;
  readonly running: boolean;
  readonly statusText: string;
  readonly enginePid: number | undefined;
  readonly panelFile: string | undefined;
  readonly panelDocument: { file: string; stale: string | null } | undefined;
  readonly panelResultFindings: { code: string; severity: string; measured: boolean }[] | undefined;
  fromPanel(message: unknown): void;
}

type Outcome = { kind: 'done'; result: { backend: { name: string }; layers: { index: number; logGradNorm: { mean: number | null } }[]; spec: { path: string } } } | { kind: 'cancelled' } | { kind: 'error'; message: string };

let api: Api;

function ext(): vscode.Extension<Api> {
  const e = vscode.extensions.getExtension<Api>(EXTENSION_ID);
  assert(e, `extension ${EXTENSION_ID} is not installed in the test host`);
  return e;
}

async function diagnosticsSettled(uri: vscode.Uri, ready: (ds: vscode.Diagnostic[]) => boolean, what: string): Promise<vscode.Diagnostic[]> {
  return waitFor(what, () => {
    const ds = depthlensDiagnostics(uri);
    return ready(ds) ? ds : undefined;
  });
}

function text(uri: vscode.Uri): string {
  return readFileSync(uri.fsPath, 'utf8');
}

hostTest('activates', async () => {
  const e = ext();
  api = await e.activate();
  assert(e.isActive, 'extension did not become active');
  assert(typeof api.onDidChangeRunState === 'function', 'activate() did not return the API');
});

hostTest('registers every contributed command', async () => {
  const contributed = (ext().packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
  assert(contributed.length >= 8, `package.json contributes only ${contributed.length} commands`);
  const all = new Set(await vscode.commands.getCommands(true));
  const missing = contributed.filter((c) => !all.has(c));
  assertEqual(missing, [], 'contributed commands without a registration');
});

hostTest('every example has an expectation', async () => {
  const files = await vscode.workspace.findFiles('examples/*.depthlens.{yaml,yml,json}');
  const names = files.map((f) => f.path.split('/').pop()!).sort();
  assert(names.length > 0, 'no examples were copied into the test workspace');
  assertEqual(names.filter((n) => !(n in EXAMPLE_EXPECTATIONS)), [], 'examples without an expectation in examples.expect.ts');
});

for (const [file, expected] of Object.entries(EXAMPLE_EXPECTATIONS)) {
  hostTest(`example ${file} gives ${expected.map((e) => e.code).join(', ') || 'no findings'}`, async () => {
    const uri = workspaceUri('examples', file);
    const doc = await open(uri);
    const source = doc.getText();
    const want = expected.map((e) => `${e.code}@${fmtRange(expectedRange(source, e.path))}`).sort();
    // The checker publishes on open; an empty expectation needs the publication itself, so wait for the store to settle.
    await new Promise((r) => setTimeout(r, 300));
    const ds = await diagnosticsSettled(uri, (d) => d.length >= want.length, `${want.length} findings on ${file}`);
    const got = ds.filter((d) => !/\(measured\)$/.test(d.message)).map((d) => `${codeOf(d)}@${fmtRange(d.range)}`).sort();
    assertEqual(got, want, `findings of ${file}`);
  });
}

hostTest('a value outside the schema gives DL001 at that value, as an error', async () => {
  const uri = workspaceUri('broken.depthlens.yaml');
  await open(uri);
  const ds = await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL001'), 'DL001 on broken spec');
  const want = locateYaml(text(uri), 'model.init')!.value!;
  const hit = ds.find((d) => codeOf(d) === 'DL001' && fmtRange(d.range) === fmtRange(want));
  assert(hit, `no DL001 at ${fmtRange(want)} (model.init's value); got ${ds.map((d) => `${codeOf(d)}@${fmtRange(d.range)}: ${d.message}`).join('; ')}`);
  assertEqual(hit.severity, vscode.DiagnosticSeverity.Error, 'DL001 severity');
});

hostTest('a *.depthlens.json spec opens as JSON (schema completion) and is checked too', async () => {
  const uri = workspaceUri('broken.depthlens.json');
  const doc = await open(uri);
  assertEqual(doc.languageId, 'json', 'language of *.depthlens.json');
  const ds = await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL001'), 'DL001 on the JSON spec');
  const initLine = doc.getText().split('\n').findIndex((l) => l.includes('"orthogonl"'));
  assert(ds.some((d) => codeOf(d) === 'DL001' && d.range.start.line === initLine), `no DL001 on line ${initLine}: ${ds.map((d) => fmtRange(d.range)).join(', ')}`);
});

hostTest('a data file outside the workspace is refused: DL001 at data.path in Problems, no line of the file', async () => {
  const uri = workspaceUri('outside.depthlens.yaml');
  await open(uri);
  const outcome = (await vscode.commands.executeCommand('depthlens.analyze', uri)) as Outcome;
  assertEqual(outcome.kind, 'error', 'outcome of a run whose data lies outside the workspace');
  const want = fmtRange(locateYaml(text(uri), 'data.path')!.value!);
  const ds = await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL001'), 'DL001 on the outside-data spec');
  const hit = ds.find((d) => codeOf(d) === 'DL001');
  assertEqual(fmtRange(hit!.range), want, 'range of the data error');
  assert(/outside/.test(hit!.message), `message does not say the file is outside the workspace: ${hit!.message}`);
  // /etc/passwd's lines look like name:x:uid:gid:…; none may appear in any DepthLens diagnostic.
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').filter((l) => l.length > 8);
  for (const d of ds) for (const line of passwd) assert(!d.message.includes(line), `a line of /etc/passwd reached Problems: ${d.message}`);
  assert(ds.every((d) => !/root:x:0:0/.test(d.message)), 'the root entry of /etc/passwd reached Problems');
});

hostTest('a YAML syntax error gives DL001 and running it fails cleanly', async () => {
  const uri = workspaceUri('syntax.depthlens.yaml');
  await open(uri);
  await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL001' && x.severity === vscode.DiagnosticSeverity.Error), 'DL001 on syntax error');
  const outcome = (await vscode.commands.executeCommand('depthlens.analyze', uri)) as Outcome;
  assertEqual(outcome.kind, 'error', 'outcome of analyzing a broken spec');
  assert(ext().isActive && !api.running, 'extension not idle after refusing a broken spec');
});

hostTest('hover on init shows the theory and this spec\'s λ = (B−2)/(B−3)', async () => {
  const uri = workspaceUri('gaussian.depthlens.yaml');
  await open(uri);
  await diagnosticsSettled(uri, (d) => d.length > 0, 'findings on gaussian spec');
  const key = locateYaml(text(uri), 'model.init')!.key!;
  const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(key.start.line, key.start.character + 1))) as vscode.Hover[];
  const md = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  const B = 16;
  const lambda = (B - 2) / (B - 3);
  // λ to 4 decimals, √λ (the per-layer growth of ‖∇W‖) to 3 (src/shared/numberText.ts).
  assert(md.includes(lambda.toFixed(4)), `hover lacks λ = ${lambda.toFixed(4)}:\n${md}`);
  assert(md.includes(Math.sqrt(lambda).toFixed(3)), `hover lacks √λ = ${Math.sqrt(lambda).toFixed(3)}:\n${md}`);
  assert(/Gaussian/.test(md), 'hover lacks the theory text');
});

hostTest('CodeLens offers Run diagnostics and Open charts', async () => {
  const uri = workspaceUri('gaussian.depthlens.yaml');
  const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri)) as vscode.CodeLens[];
  const commands = lenses.map((l) => l.command?.command);
  assert(commands.includes('depthlens.analyze') && commands.includes('depthlens.openPanel'), `lenses: ${JSON.stringify(lenses.map((l) => l.command?.title))}`);
});

hostTest('quick fix for DL101 sets init: orthogonal and clears the finding', async () => {
  const uri = workspaceUri('gaussian.depthlens.yaml');
  const doc = await open(uri);
  const ds = await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL101'), 'DL101 on gaussian spec');
  const dl101 = ds.find((d) => codeOf(d) === 'DL101')!;
  assertEqual(fmtRange(dl101.range), fmtRange(locateYaml(doc.getText(), 'model.init')!.value!), 'DL101 range (model.init value)');
  const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, dl101.range, vscode.CodeActionKind.QuickFix.value)) as vscode.CodeAction[];
  const fix = actions.find((a) => a.isPreferred);
  const shown = actions.map((a) => ({ title: a.title, preferred: a.isPreferred, diagnostics: a.diagnostics?.map(codeOf) }));
  assert(fix?.edit, `no preferred quick fix for DL101; actions: ${JSON.stringify(shown)}`);
  assert(await vscode.workspace.applyEdit(fix.edit), 'applyEdit failed');
  try {
    const after = doc.getText();
    assertEqual(after.split('\n')[dl101.range.start.line]?.trim(), 'init: orthogonal', 'edited line');
    await diagnosticsSettled(uri, (d) => !d.some((x) => codeOf(x) === 'DL101'), 'DL101 to clear after the fix');
  } finally {
    // Later tests start from the file as written.
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
});

hostTest('Analyze runs the spec to a result on the wasm backend', async () => {
  const uri = workspaceUri('tiny.depthlens.yaml');
  await open(uri);
  const outcome = (await vscode.commands.executeCommand('depthlens.analyze', uri)) as Outcome;
  assert(outcome.kind === 'done', `run ended ${JSON.stringify(outcome)}`);
  assertEqual(outcome.result.backend.name, 'wasm', 'backend (workspace setting depthlens.backend = wasm)');
  assertEqual(outcome.result.layers.map((l) => l.index), [0, 1, 2, 3, 4, 5], 'one layer result per weight matrix (depth 6)');
  assert(outcome.result.layers.every((l) => l.logGradNorm.mean !== null && Number.isFinite(l.logGradNorm.mean)), 'non-finite gradient norms');
  assert(api.statusText.includes('wasm'), `status item does not show the backend: ${api.statusText}`);
}, 120_000);

hostTest('after a run, measured findings join the static ones at the cause\'s range', async () => {
  const uri = workspaceUri('measured.depthlens.yaml');
  await open(uri);
  const outcome = (await vscode.commands.executeCommand('depthlens.analyze', uri)) as Outcome & { result?: { growth: { perLayer: number } | null } };
  assert(outcome.kind === 'done', `run ended ${JSON.stringify(outcome)}`);
  const perLayer = outcome.result?.growth?.perLayer ?? NaN;
  assert(perLayer > 1.02, `measured growth ${perLayer} per layer, theory √(π/(π−1)) ≈ 1.21`);
  const ds = await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL201'), 'DL201 after the run');
  const dl201 = ds.find((d) => codeOf(d) === 'DL201')!;
  assert(/\(measured\)$/.test(dl201.message), `DL201 not marked measured: ${dl201.message}`);
  assertEqual(fmtRange(dl201.range), fmtRange(locateYaml(text(uri), 'model.init')!.value!), 'DL201 range (the DL101 cause, model.init)');
  assert(ds.some((d) => codeOf(d) === 'DL101'), 'the static DL101 disappeared after the run');
}, 120_000);

hostTest('Open Diagnostics Panel shows the DepthLens webview', async () => {
  await vscode.commands.executeCommand('depthlens.openPanel');
  await waitFor('the panel tab', () =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('depthlens.panel')),
  );
});

hostTest('the panel follows the active spec editor and marks its charts stale while the text differs or does not parse', async () => {
  const tiny = workspaceUri('tiny.depthlens.yaml');
  const gaussian = workspaceUri('gaussian.depthlens.yaml');
  const doc = await open(tiny);
  const original = doc.getText();
  const outcome = (await vscode.commands.executeCommand('depthlens.analyze', tiny)) as Outcome;
  assertEqual(outcome.kind, 'done', 'analyze tiny');
  await vscode.commands.executeCommand('depthlens.openPanel');
  await waitFor('the panel to follow tiny, not stale', () => api.panelDocument?.file === tiny.fsPath && api.panelDocument.stale === null);
  // Another spec becomes active: the panel follows it (its own runs, none of tiny's).
  await open(gaussian);
  await waitFor('the panel to follow gaussian', () => api.panelFile === gaussian.fsPath && api.panelDocument?.file === gaussian.fsPath);
  // Back to tiny, then edit it: the charts no longer show the text.
  await open(tiny);
  await waitFor('the panel to follow tiny again', () => api.panelDocument?.file === tiny.fsPath);
  const seedLine = doc.getText().split('\n').findIndex((l) => l.trim().startsWith('seed:'));
  assert(seedLine >= 0, 'tiny has a seed: line');
  const replaceAll = async (text: string): Promise<void> => {
    const we = new vscode.WorkspaceEdit();
    we.replace(tiny, new vscode.Range(0, 0, doc.lineCount, 0), text);
    assert(await vscode.workspace.applyEdit(we), 'edit failed');
  };
  try {
    await replaceAll(original.replace(/seed: 0/, 'seed: 1'));
    await waitFor('stale: edited', () => api.panelDocument?.stale === 'edited');
    await replaceAll(original.replace(/^model:/m, 'model: [unclosed'));
    await waitFor('stale: invalid', () => api.panelDocument?.stale === 'invalid');
    await replaceAll(original);
    await waitFor('not stale once the text is what was run', () => api.panelDocument?.stale === null);
  } finally {
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
}, 60_000);

hostTest('"Apply fix" in the panel applies the finding\'s fix to the followed spec', async () => {
  // An example no other test edits (the gaussian fixture is fixed by the quick-fix test before this one).
  const uri = workspaceUri('examples', 'yang-relu-explosion.depthlens.yaml');
  const doc = await open(uri);
  const ds = await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL101'), 'DL101 on the ReLU example');
  const dl101 = ds.find((d) => codeOf(d) === 'DL101')!;
  assertEqual(fmtRange(dl101.range), fmtRange(locateYaml(text(uri), 'model.init')!.value!), 'DL101 is on model.init');
  const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, dl101.range)) as vscode.CodeAction[];
  // The theory's fix for DL101: orthogonal init (Meterez et al. 2024), as the quick fix offers it.
  const preferred = actions.find((a) => /orthogonal/i.test(a.title));
  assert(preferred, `no orthogonal-init quick fix for DL101: ${actions.map((a) => a.title).join(', ')}`);
  await waitFor('the panel to follow the example', () => api.panelFile === uri.fsPath);
  try {
    api.fromPanel({ type: 'applyFix', code: 'DL101', path: 'model.init', title: preferred.title });
    await waitFor('the spec to say init: orthogonal', () => /init:\s*orthogonal/.test(doc.getText()));
  } finally {
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
}, 30_000);

hostTest('depthlens.rules sets a code\'s severity or turns it off; # depthlens-disable-next-line hides one finding', async () => {
  const uri = workspaceUri('examples', 'yang-relu-explosion.depthlens.yaml');
  const doc = await open(uri);
  const severityOf = (): vscode.DiagnosticSeverity | undefined => depthlensDiagnostics(uri).find((d) => codeOf(d) === 'DL101')?.severity;
  const initial = await waitFor('DL101', () => severityOf());
  const config = vscode.workspace.getConfiguration('depthlens');
  try {
    await config.update('rules', { DL101: 'info' }, vscode.ConfigurationTarget.Workspace);
    await waitFor('DL101 as info', () => severityOf() === vscode.DiagnosticSeverity.Information);
    await config.update('rules', { DL101: 'off' }, vscode.ConfigurationTarget.Workspace);
    await waitFor('DL101 off', () => severityOf() === undefined);
  } finally {
    await config.update('rules', undefined, vscode.ConfigurationTarget.Workspace);
  }
  await waitFor('DL101 back at its own severity', () => severityOf() === initial);
  const initLine = doc.getText().split('\n').findIndex((l) => l.trim().startsWith('init:'));
  try {
    const we = new vscode.WorkspaceEdit();
    we.insert(uri, new vscode.Position(initLine, 0), '  # depthlens-disable-next-line DL101 -- kept on purpose\n');
    assert(await vscode.workspace.applyEdit(we), 'edit failed');
    // Re-checked after the edit (the checker debounces): the finding is computed, but not shown.
    await new Promise((r) => setTimeout(r, 600));
    await waitFor('DL101 suppressed', () => severityOf() === undefined);
  } finally {
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
}, 30_000);

hostTest('each diagnostic\'s code links to that code\'s documentation (codeDescription), which exists, names the code and opens', async () => {
  const uri = workspaceUri('examples', 'yang-relu-explosion.depthlens.yaml');
  await open(uri);
  const ds = await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL101'), 'DL101 on the ReLU example');
  for (const d of ds) {
    const code = d.code;
    assert(typeof code === 'object' && code !== null && code.target instanceof vscode.Uri, `${codeOf(d)}: no codeDescription target`);
    assertEqual(code.target.scheme, 'file', `${code.value}: target scheme (opens from the Problems panel, the hover and the peek alike)`);
    const stat = await vscode.workspace.fs.stat(code.target);
    assert(stat.type === vscode.FileType.File && stat.size > 0, `${code.value}: ${code.target.toString()} is not a file`);
    const doc = Buffer.from(await vscode.workspace.fs.readFile(code.target)).toString('utf8');
    assert(doc.startsWith(`# ${code.value}: `), `${code.target.toString()} does not start with "# ${code.value}: ": ${doc.slice(0, 80)}`);
    assert(doc.includes(`depthlens-disable-next-line ${code.value}`), `${code.value}: the page does not say how to silence it`);
  }
  // What clicking the code does: VS Code's opener opens the target; the page is then the active editor.
  const target = (ds.find((d) => codeOf(d) === 'DL101')!.code as { target: vscode.Uri }).target;
  await vscode.commands.executeCommand('vscode.open', target);
  await waitFor('the DL101 page in the active editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === target.fsPath);
  assert(vscode.window.activeTextEditor!.document.getText().includes('# DL101:'), 'the opened page is DL101\'s');
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

hostTest('measured findings in the panel and the report follow depthlens.rules and inline suppression, as Problems does', async () => {
  const uri = workspaceUri('measured.depthlens.yaml');
  const doc = await open(uri);
  await vscode.commands.executeCommand('depthlens.openPanel');
  await open(uri);
  await waitFor('the panel to follow measured', () => api.panelFile === uri.fsPath);
  const config = vscode.workspace.getConfiguration('depthlens');
  const report = workspaceUri('out', 'measured.report.json');
  try {
    await config.update('rules', { DL201: 'info' }, vscode.ConfigurationTarget.Workspace);
    const outcome = (await vscode.commands.executeCommand('depthlens.analyze', uri)) as Outcome;
    assert(outcome.kind === 'done', `run ended ${JSON.stringify(outcome)}`);
    const shown = await waitFor('the run\'s DL201 in the panel', () => api.panelResultFindings?.find((f) => f.code === 'DL201'));
    assertEqual(shown.severity, 'info', 'DL201 in the panel, under rules { DL201: info }');
    await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL201' && x.severity === vscode.DiagnosticSeverity.Information), 'DL201 as information in Problems');
    await vscode.commands.executeCommand('depthlens.exportReport', 'json', report);
    const exported = JSON.parse(text(report)) as { findings: { code: string; severity: string }[] };
    assertEqual(exported.findings.find((f) => f.code === 'DL201')?.severity, 'info', 'DL201 in the exported report');
    await config.update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    // A directive above model.init (where DL201 sits, beside its cause DL101) hides the measured finding only.
    const initLine = doc.getText().split('\n').findIndex((l) => l.trim().startsWith('init:'));
    const we = new vscode.WorkspaceEdit();
    we.insert(uri, new vscode.Position(initLine, 0), '  # depthlens-disable-next-line DL201\n');
    assert(await vscode.workspace.applyEdit(we), 'edit failed');
    const again = (await vscode.commands.executeCommand('depthlens.analyze', uri)) as Outcome;
    assert(again.kind === 'done', `second run ended ${JSON.stringify(again)}`);
    const codes = await waitFor('the second run in the panel', () => {
      const f = api.panelResultFindings;
      return f && f.some((x) => x.code === 'DL101') && api.panelDocument?.stale === null ? f.map((x) => x.code) : undefined;
    });
    assert(!codes.includes('DL201'), `DL201 suppressed, yet the panel lists it: ${codes.join(', ')}`);
    await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL101') && !d.some((x) => codeOf(x) === 'DL201'), 'DL201 hidden in Problems, DL101 kept');
    await vscode.commands.executeCommand('depthlens.exportReport', 'json', report);
    assert(!(JSON.parse(text(report)) as { findings: { code: string }[] }).findings.some((f) => f.code === 'DL201'), 'DL201 in the exported report');
  } finally {
    await config.update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
}, 240_000);

hostTest('predictions are warnings until depthlens.thresholds.errorLog10Range; past it, errors', async () => {
  const uri = workspaceUri('examples', 'yang-relu-explosion.depthlens.yaml');
  await open(uri);
  const severityOf = (): vscode.DiagnosticSeverity | undefined => depthlensDiagnostics(uri).find((d) => codeOf(d) === 'DL101')?.severity;
  await waitFor('DL101', () => severityOf());
  const config = vscode.workspace.getConfiguration('depthlens');
  try {
    // Far above any growth a finite spec predicts: a warning. Just above zero: every DL101 is past it, an error.
    await config.update('thresholds.errorLog10Range', 1000, vscode.ConfigurationTarget.Workspace);
    await waitFor('DL101 as a warning', () => severityOf() === vscode.DiagnosticSeverity.Warning);
    await config.update('thresholds.errorLog10Range', 0.001, vscode.ConfigurationTarget.Workspace);
    await waitFor('DL101 as an error', () => severityOf() === vscode.DiagnosticSeverity.Error);
  } finally {
    await config.update('thresholds.errorLog10Range', undefined, vscode.ConfigurationTarget.Workspace);
  }
});

hostTest('Fix all applies every finding\'s primary fix as one edit (source.fixAll.depthlens)', async () => {
  const uri = workspaceUri('examples', 'yang-relu-explosion.depthlens.yaml');
  await open(uri);
  const ds = await diagnosticsSettled(uri, (d) => ['DL101', 'DL103'].every((c) => d.some((x) => codeOf(x) === c)), 'DL101 and DL103 on the ReLU example');
  assert(ds.length >= 2, 'premise: two findings with fixes');
  const whole = new vscode.Range(0, 0, 1000, 0);
  const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, whole, 'source.fixAll.depthlens')) as vscode.CodeAction[];
  assertEqual(actions.length, 1, 'one Fix all action');
  const fixAll = actions[0]!;
  assert(fixAll.edit, 'Fix all has an edit');
  try {
    assert(await vscode.workspace.applyEdit(fixAll.edit), 'applyEdit failed');
    await diagnosticsSettled(uri, (d) => !d.some((x) => codeOf(x) === 'DL101' || codeOf(x) === 'DL103'), 'DL101 and DL103 fixed together');
  } finally {
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
}, 30_000);

hostTest('Export Report writes the last result as JSON and as self-contained HTML', async () => {
  await open(workspaceUri('tiny.depthlens.yaml')); // export takes the active spec's last result
  const json = workspaceUri('out', 'tiny.report.json');
  const html = workspaceUri('out', 'tiny.report.html');
  await vscode.commands.executeCommand('depthlens.exportReport', 'json', json);
  const parsed = JSON.parse(text(json)) as { depthlens: number; spec: { path: string }; layers: unknown[] };
  assertEqual(parsed.depthlens, 1, 'result format version');
  assert(parsed.spec.path.endsWith('tiny.depthlens.yaml'), `exported result is for ${parsed.spec.path}`);
  assertEqual(parsed.layers.length, 6, 'exported layers');
  await vscode.commands.executeCommand('depthlens.exportReport', 'html', html);
  const page = text(html);
  assert(page.startsWith('<!DOCTYPE html>') && page.includes('id="depthlens-initial"') && !/<script[^>]+src=/.test(page), 'HTML report is not self-contained');
});

hostTest('Cancel Run stops a long run within a second, and the next run works', async () => {
  // The run's time is predicted from this machine's speed now (calibrated): on a loaded CI machine the long spec can pass
  // the 120 s run budget and be held for a confirmation. This test is about cancelling, so no budget applies to it.
  const config = vscode.workspace.getConfiguration('depthlens');
  await config.update('runBudgetSeconds', 0, vscode.ConfigurationTarget.Workspace);
  try {
    const uri = workspaceUri('long.depthlens.yaml');
    await open(uri);
    const running = new Promise<void>((resolve) => {
      const sub = api.onDidChangeRunState((s) => {
        if (s === 'running') {
          sub.dispose();
          resolve();
        }
      });
    });
    const pending = vscode.commands.executeCommand('depthlens.analyze', uri) as Thenable<Outcome>;
    await running;
    await new Promise((r) => setTimeout(r, 2500)); // past engine start-up, into the diagnostics
    if (!api.running) {
      const ended = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
      assert(false, `the long run finished before it could be cancelled: ${JSON.stringify(ended)}`);
    }
    const t0 = Date.now();
    await vscode.commands.executeCommand('depthlens.cancelRun');
    const outcome = await pending;
    const elapsed = Date.now() - t0;
    assertEqual(outcome.kind, 'cancelled', 'outcome of the cancelled run');
    assert(elapsed < 1500, `cancel took ${elapsed} ms`);
    const again = (await vscode.commands.executeCommand('depthlens.analyze', workspaceUri('tiny.depthlens.yaml'))) as Outcome;
    assertEqual(again.kind, 'done', `a run after a cancel (${JSON.stringify(again)})`);
  } finally {
    await config.update('runBudgetSeconds', undefined, vscode.ConfigurationTarget.Workspace);
  }
}, 120_000);

hostTest('auto-run: an edit starts a quick run and a newer edit cancels the older one', async () => {
  const config = vscode.workspace.getConfiguration('depthlens');
  // Quick caps as large as the long spec, so the first quick run is still going when the second edit lands.
  await config.update('quickRun.maxDepth', 1000, vscode.ConfigurationTarget.Workspace);
  await config.update('quickRun.maxWidth', 128, vscode.ConfigurationTarget.Workspace);
  await config.update('quickRun.seeds', 20, vscode.ConfigurationTarget.Workspace);
  await config.update('autoRun', true, vscode.ConfigurationTarget.Workspace);
  const finished: { mode: string; outcome: string }[] = [];
  let runningEvents = 0;
  const subs = [api.onDidFinishRun((f) => finished.push(f)), api.onDidChangeRunState((s) => (runningEvents += s === 'running' ? 1 : 0))];
  try {
    const uri = workspaceUri('long.depthlens.yaml');
    const doc = await open(uri);
    const seedLine = doc.getText().split('\n').findIndex((l) => l.trim().startsWith('seeds:'));
    const edit = async (seeds: number): Promise<void> => {
      const we = new vscode.WorkspaceEdit();
      we.replace(uri, doc.lineAt(seedLine).range, `  seeds: ${seeds}`);
      assert(await vscode.workspace.applyEdit(we), 'edit failed');
    };
    await edit(19);
    await waitFor('the first quick run', () => runningEvents >= 1, 5000);
    await new Promise((r) => setTimeout(r, 1500));
    assertEqual(finished, [], 'runs finished before the second edit');
    await edit(18);
    await waitFor('the first quick run to be cancelled', () => finished.length >= 1, 5000);
    assertEqual(finished[0], { mode: 'quick', outcome: 'cancelled' }, 'the older quick run');
    await waitFor('the second quick run', () => api.running, 5000);
    await vscode.commands.executeCommand('depthlens.cancelRun');
    await waitFor('the second quick run to stop', () => finished.length >= 2, 5000);
    assertEqual(finished, [{ mode: 'quick', outcome: 'cancelled' }, { mode: 'quick', outcome: 'cancelled' }], 'quick runs');
    assert(runningEvents >= 2, `expected two quick runs to start, saw ${runningEvents}`);
  } finally {
    for (const s of subs) s.dispose();
    await config.update('autoRun', false, vscode.ConfigurationTarget.Workspace);
  }
}, 60_000);

hostTest('turning auto-run on starts the engine and warms it before any edit', async () => {
  const config = vscode.workspace.getConfiguration('depthlens');
  // Selecting a backend restarts the engine: with auto-run off, none is left running.
  assertEqual(await vscode.commands.executeCommand('depthlens.selectBackend', 'wasm'), 'wasm', 'selected backend');
  await waitFor('the idle engine to stop', () => api.enginePid === undefined, 5000);
  await config.update('autoRun', true, vscode.ConfigurationTarget.Workspace);
  try {
    await waitFor('an engine process started by the warm-up', () => api.enginePid, 10_000);
    assert(!api.running, 'the warm-up is not a run');
  } finally {
    await config.update('autoRun', false, vscode.ConfigurationTarget.Workspace);
  }
}, 30_000);

hostTest('New Spec from Template writes a spec that parses', async () => {
  const uri = (await vscode.commands.executeCommand('depthlens.newSpec', 'shaped-tanh')) as vscode.Uri;
  assert(uri && uri.path.endsWith('.depthlens.yaml'), `newSpec returned ${String(uri)}`);
  await new Promise((r) => setTimeout(r, 500));
  const errors = depthlensDiagnostics(uri).filter((d) => codeOf(d) === 'DL001');
  assertEqual(errors.map((d) => d.message), [], 'DL001 on the template');
});

hostTest('Install Native Backend fails offline with a clear message', async () => {
  const outcome = (await vscode.commands.executeCommand('depthlens.installNativeBackend', '@tensorflow/tfjs-node')) as { ok: boolean; message: string };
  assertEqual(outcome.ok, false, 'install succeeded with the registry unreachable');
  assert(/offline/i.test(outcome.message) && outcome.message.includes('@tensorflow/tfjs-node'), `unclear message: ${outcome.message}`);
  assert(/WebAssembly/.test(outcome.message), `message does not say what still works: ${outcome.message}`);
}, 90_000);

hostTest('Analyze Model File… imports the example ONNX model: findings on the spec name its layers; Save as Spec writes it beside the model', async () => {
  const model = workspaceUri('models', 'bn-mlp-50.onnx');
  const finished: string[] = [];
  const sub = api.onDidFinishRun((e) => finished.push(e.outcome));
  try {
    const uri = (await vscode.commands.executeCommand('depthlens.analyzeModel', model)) as vscode.Uri | undefined;
    assert(uri && uri.scheme === 'untitled', `analyzeModel returned ${String(uri)}`);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    assert(doc && doc.languageId === 'depthlens', 'the imported spec is not open as a DepthLens document');
    // He + BN + ReLU at depth 50 (scripts/make-example-models.ts): DL101 on the first dense layer, DL103 on the first ReLU.
    const ds = await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL101' && /\[model layer/.test(x.message)), 'DL101 naming a model layer');
    const dl101 = ds.find((d) => codeOf(d) === 'DL101')!;
    const dl103 = ds.find((d) => codeOf(d) === 'DL103');
    assert(/\[model layer "dense_1"\]$/.test(dl101.message), `DL101 does not name dense_1: ${dl101.message}`);
    assert(dl103 && /\[model layer "relu_1"\]$/.test(dl103.message), `DL103 does not name relu_1: ${dl103?.message}`);
    assert(doc.lineAt(dl101.range.start.line).text.endsWith('# dense_1 (Gemm, init read from the weights)'), `DL101 is not on dense_1's line: ${doc.lineAt(dl101.range.start.line).text}`);
    // The command also analyzes the spec; let that run end before saving.
    await waitFor('the model run to finish', () => finished.length > 0 && !api.running, 120_000);
    assertEqual(finished, ['done'], 'run outcome');

    const saved = (await vscode.commands.executeCommand('depthlens.saveModelSpec', uri)) as vscode.Uri | undefined;
    assertEqual(saved?.fsPath, workspaceUri('models', 'bn-mlp-50.depthlens.yaml').fsPath, 'saved spec path');
    assertEqual(text(saved!), doc.getText(), 'saved spec text');
  } finally {
    sub.dispose();
  }
}, 180_000);

hostTest('a sidecar spec that extends a model: the model merged in, findings on its keys and on the extends line naming the layer', async () => {
  const uri = workspaceUri('models', 'side.depthlens.yaml');
  // B = 2: batch normalization over two samples is degenerate (DL104, on the sidecar's own data.batch).
  await vscode.workspace.fs.writeFile(uri, Buffer.from('depthlens: 1\nextends: bn-mlp-50.onnx\ndata:\n  batch: 2\n', 'utf8'));
  await open(uri);
  const ds = await diagnosticsSettled(uri, (d) => d.some((x) => codeOf(x) === 'DL104'), 'DL104 on the sidecar');
  assertEqual(ds.filter((d) => codeOf(d) === 'DL001').map((d) => d.message), [], 'DL001 on the sidecar');
  assertEqual(fmtRange(ds.find((d) => codeOf(d) === 'DL104')!.range), '3:9-3:10', 'DL104 range (the batch value)');
  const dl101 = ds.find((d) => codeOf(d) === 'DL101');
  assert(dl101 && /\[model layer "dense_1"\]$/.test(dl101.message), `DL101 does not name dense_1: ${dl101?.message}`);
  assertEqual(fmtRange(dl101.range), '1:9-1:23', 'DL101 range (the extends value)');
});
