// Activation: wires the live checker, diagnostics, quick fixes, hovers, CodeLens, runs, panel and commands together.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { EngineClient } from './engineClient';
import { FindingsStore } from './findingsStore';
import { LiveChecker } from './liveChecker';
import { FindingCodeActions } from './codeActions';
import { SpecHovers } from './hovers';
import { SpecCodeLenses } from './codeLens';
import { RunStatusItem } from './statusBar';
import { SavedResults } from './savedResults';
import { RunController } from './runController';
import { PANEL_VIEW_TYPE } from './panel';
import { registerCommands } from './commands';
import { registerModelCommands } from './modelImport';
import { SPEC_SELECTOR, isSpecDocument } from './specDocuments';
import { readSettings } from './settings';
import { PanelBridge } from './panelBridge';
import { isTrusted } from './workspaceTrust';
import { isWebviewToHost, type RunState } from '../shared/protocol';

/** What activate() returns: a small surface the in-host tests observe runs through. */
export interface DepthLensApi {
  onDidChangeRunState: vscode.Event<RunState>;
  onDidFinishRun: RunController['onDidFinishRun'];
  readonly running: boolean;
  readonly statusText: string;
  readonly enginePid: number | undefined;
  /** The spec file the panel follows (the active spec editor's). */
  readonly panelFile: string | undefined;
  /** What the panel was last told about the spec it follows: its file and why its charts are stale, if they are. */
  readonly panelDocument: { file: string; stale: string | null } | undefined;
  /** The findings of the last result posted to the panel, as it lists them (rules and suppression applied). */
  readonly panelResultFindings: { code: string; severity: string; measured: boolean }[] | undefined;
  /** Handles a message as if the panel had sent it (validated like one): the in-host tests' stand-in for a click. */
  fromPanel(message: unknown): void;
}

export function activate(context: vscode.ExtensionContext): DepthLensApi {
  const log = vscode.window.createOutputChannel('DepthLens', { log: true });
  const docsUri = vscode.Uri.joinPath(context.extensionUri, 'docs', 'findings');
  const store = new FindingsStore(docsUri);
  const checker = new LiveChecker(store, log);
  const status = new RunStatusItem();
  status.setChoice(readSettings().backend);
  const memory = new SavedResults(context.workspaceState);
  const client = new EngineClient({ enginePath: join(context.extensionPath, 'dist', 'engine.js'), log });
  const nativeDir = context.globalStorageUri.fsPath;
  const runs = new RunController({ client, store, checker, memory, status, log, nativeModulePaths: [join(nativeDir, 'node_modules')] });
  const bridge = new PanelBridge({ extensionUri: context.extensionUri, store, memory, runs, log });
  const panel = bridge.panel;

  // With auto-run on, the first edit of a session should be answered as fast as later ones: the engine process and its
  // backend start (and warm up) before that edit arrives — on activation (a spec was opened), when auto-run is turned on,
  // and after the engine is restarted for a new backend.
  const warmIfAutoRun = (): void => {
    const settings = readSettings();
    if (settings.autoRun && isTrusted()) void client.warm(settings.backend, [join(nativeDir, 'node_modules')]);
  };
  const restartEngine = (): void => {
    client.stopIdle();
    warmIfAutoRun();
  };
  const updateStatusVisibility = (): void => status.setVisible(vscode.window.visibleTextEditors.some((e) => isSpecDocument(e.document)));
  updateStatusVisibility();

  context.subscriptions.push(
    log,
    store,
    checker,
    status,
    runs,
    bridge,
    { dispose: () => client.dispose() },
    vscode.languages.registerCodeActionsProvider(SPEC_SELECTOR, new FindingCodeActions(store, log), FindingCodeActions.metadata),
    vscode.languages.registerHoverProvider(SPEC_SELECTOR, new SpecHovers(store)),
    vscode.languages.registerCodeLensProvider(SPEC_SELECTOR, new SpecCodeLenses(store)),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, panel),
    vscode.window.onDidChangeVisibleTextEditors(updateStatusVisibility),
    checker.onDidCheckEdit((doc) => {
      if (readSettings(doc.uri).autoRun && store.get(doc.uri)?.parse.spec) void runs.run(doc, 'quick');
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(warmIfAutoRun),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('depthlens.backend')) status.setChoice(readSettings().backend);
      if (e.affectsConfiguration('depthlens.autoRun')) warmIfAutoRun();
      if (e.affectsConfiguration('depthlens.rules')) store.refresh(vscode.workspace.textDocuments.filter(isSpecDocument));
    }),
    ...registerCommands({ context, log, runs, panel, memory, store, status, nativeDir, restartEngine }),
    ...registerModelCommands(log, (doc) => checker.checkNow(doc)),
  );
  warmIfAutoRun();
  if (memory.latest()) void vscode.commands.executeCommand('setContext', 'depthlens.hasResult', true);
  log.info(`DepthLens activated (engine: ${join(context.extensionPath, 'dist', 'engine.js')})`);

  return {
    onDidChangeRunState: runs.onDidChangeState,
    onDidFinishRun: runs.onDidFinishRun,
    get running() {
      return runs.running;
    },
    get statusText() {
      return status.text;
    },
    get enginePid() {
      return client.pid;
    },
    get panelFile() {
      return bridge.followedFile;
    },
    fromPanel(message: unknown) {
      if (isWebviewToHost(message) && message.type !== 'ready') bridge.onMessage(message);
    },
    get panelResultFindings() {
      const m = panel.lastPosted('result');
      return m?.type === 'result' ? m.result.findings.map((f) => ({ code: f.code, severity: f.severity, measured: f.measured })) : undefined;
    },
    get panelDocument() {
      const m = panel.lastPosted('document');
      return m?.type === 'document' ? { file: m.file, stale: m.stale } : undefined;
    },
  };
}

export function deactivate(): void {
  // Disposables in context.subscriptions stop the engine process.
}
