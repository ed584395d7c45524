// Runs specs through the engine process: progress with cancellation, status item, context keys, measured findings,
// results for the panel (published as events). A newer run (e.g. a newer edit's auto-run) cancels the one in flight.
import * as vscode from 'vscode';
import { setValueEdit } from '../spec/index';
import type { HostToWebview, RunOptions, RunState } from '../shared/protocol';
import type { Result } from '../shared/result';
import { placeFindings, specTextFor } from './modelImport';
import type { EngineClient, RunOutcome } from './engineClient';
import type { Logger } from '../shared/logger';
import type { FindingsStore } from './findingsStore';
import type { LiveChecker } from './liveChecker';
import type { SavedResults } from './savedResults';
import { errorToFinding } from '../shared/runError';
import { shownFindings } from '../shared/rules';
import { readSettings } from './settings';
import { specFilePath } from './specDocuments';
import type { RunStatusItem } from './statusBar';
import { allowedByTrust, RESTRICTED_MESSAGE } from './workspaceTrust';

export type RunMode = 'full' | 'sweep' | 'quick';

/** What a RunController works with: the engine, where findings, results and state go, and where native backends live. */
export interface RunControllerOptions {
  client: EngineClient;
  store: FindingsStore;
  checker: LiveChecker;
  memory: SavedResults;
  status: RunStatusItem;
  log: Logger;
  /** Extra directories where native backends may be installed (the extension's global storage). */
  nativeModulePaths: string[];
}

interface CurrentRun {
  id: number;
  mode: RunMode;
  uri: vscode.Uri;
}

export class RunController implements vscode.Disposable {
  private current: CurrentRun | undefined;
  private readonly stateChanged = new vscode.EventEmitter<RunState>();
  /** Fires on every run state change (tests and the panel listen). */
  readonly onDidChangeState = this.stateChanged.event;
  private readonly finished = new vscode.EventEmitter<{ mode: RunMode; outcome: RunOutcome['kind'] }>();
  /** Fires when a run started by `run` ends, however it ends (including runs superseded by newer ones). */
  readonly onDidFinishRun = this.finished.event;
  private readonly published = new vscode.EventEmitter<HostToWebview>();
  /** What the panel should show of the runs: results (partial and final) and run state with progress. */
  readonly onDidPublish = this.published.event;

  private readonly client: EngineClient;
  private readonly store: FindingsStore;
  private readonly checker: LiveChecker;
  private readonly memory: SavedResults;
  private readonly status: RunStatusItem;
  private readonly log: Logger;
  private readonly nativeModulePaths: string[];

  constructor(options: RunControllerOptions) {
    this.client = options.client;
    this.store = options.store;
    this.checker = options.checker;
    this.memory = options.memory;
    this.status = options.status;
    this.log = options.log;
    this.nativeModulePaths = options.nativeModulePaths;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /**
   * Runs the document's current text. Resolves with the outcome; never throws. `seeds` overrides the setting (full runs).
   * A full run predicted longer than depthlens.runBudgetSeconds is refused by the engine and offered again with
   * `overBudget` true, which lifts the budget.
   */
  async run(doc: vscode.TextDocument, mode: RunMode, seeds?: number, overBudget = false): Promise<RunOutcome> {
    if (!allowedByTrust(mode === 'quick' ? 'Auto-run' : 'Running a spec', mode !== 'quick', this.log)) return { kind: 'error', message: RESTRICTED_MESSAGE };
    this.checker.checkNow(doc);
    const checked = this.store.get(doc.uri);
    const spec = checked?.parse.spec;
    if (!spec) {
      const message = 'The spec has errors (see the Problems panel); fix them before running.';
      if (mode !== 'quick') void vscode.window.showErrorMessage(`DepthLens: ${message}`);
      return { kind: 'error', message };
    }
    if (mode === 'sweep' && !spec.diagnostics.depths?.length) {
      void this.offerDepths(doc, spec.model.depth);
      return { kind: 'error', message: 'The spec has no diagnostics.depths to sweep.' };
    }
    this.cancel();

    const settings = readSettings(doc.uri);
    this.status.setChoice(settings.backend);
    // The checked spec carries the threshold settings where the text sets none: measured findings use the same ones.
    const options: RunOptions = { backend: settings.backend, nativeModulePaths: this.nativeModulePaths, thresholds: spec.thresholds };
    // Data files may come from the spec's workspace folder only (a spec outside any folder: its own folder, the engine's default).
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    if (folder?.uri.scheme === 'file') options.dataRoot = folder.uri.fsPath;
    if (mode === 'quick') Object.assign(options, { quick: settings.quick, sweep: false, train: false });
    else if (seeds !== undefined || settings.seeds !== undefined) options.seeds = seeds ?? settings.seeds;
    if (mode === 'sweep') options.sweep = true;
    if (mode !== 'quick' && !overBudget && settings.runBudgetSeconds > 0) options.maxSeconds = settings.runBudgetSeconds;

    const file = specFilePath(doc);
    const version = doc.version;
    const text = doc.getText();
    this.log.info(`run (${mode}) ${file} on ${settings.backend}`);
    let reportProgress: (fraction: number, text: string) => void = () => undefined;
    const specText = specTextFor(doc);
    // The panel, the saved result and the report show the findings the Problems panel shows: suppressed ones dropped,
    // depthlens.rules applied (to the measured DL2xx as to the static ones).
    const shown = (result: Result): Result => ({ ...result, findings: shownFindings(result.findings, specText, settings.rules) });
    const { id, outcome } = this.client.run(specText, file, options, {
      onBackend: (b) => this.status.setBackend(b),
      onProgress: (p) => reportProgress(p.fraction, p.message),
      onPartial: (result) => this.published.fire({ type: 'result', result: shown(result), previous: this.memory.forFile(file)?.last ?? null }),
    });
    this.current = { id, mode, uri: doc.uri };
    this.setState('running', mode === 'quick' ? 'quick run' : 'running');

    const title = mode === 'quick' ? 'DepthLens quick run' : `DepthLens: ${mode === 'sweep' ? 'depth sweep of' : 'analyzing'} ${spec.name || file}`;
    const location = mode === 'quick' ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification;
    const result = await vscode.window.withProgress({ location, title, cancellable: mode !== 'quick' }, async (progress, token) => {
      token.onCancellationRequested(() => this.client.cancel(id));
      let reported = 0;
      reportProgress = (fraction, text) => {
        const pct = Math.max(0, Math.min(100, fraction * 100));
        progress.report({ message: text, increment: Math.max(0, pct - reported) });
        reported = Math.max(reported, pct);
        this.status.setState('running', `${Math.round(pct)}%`);
        this.published.fire({ type: 'runState', state: 'running', progress: { fraction, text } });
      };
      return outcome;
    });
    if (this.current?.id === id) this.current = undefined;
    if (result.kind === 'error' && result.error?.kind === 'over-budget') {
      this.setState('idle', 'over budget');
      void this.offerOverBudget(doc, mode, seeds, result.error.message);
    } else this.finish(doc, version, file, result.kind === 'done' ? { ...result, result: shown(result.result) } : result, mode, text, options);
    this.finished.fire({ mode, outcome: result.kind });
    return result;
  }

  /** Cancels the run in flight, if any. */
  cancel(): void {
    if (!this.current) return;
    this.client.cancel(this.current.id);
  }

  private finish(doc: vscode.TextDocument, version: number, file: string, outcome: RunOutcome, mode: RunMode, text: string, options: RunOptions): void {
    switch (outcome.kind) {
      case 'done': {
        const r: Result = outcome.result;
        const previous = this.memory.forFile(file)?.last ?? null;
        this.memory.record(file, r, text, options);
        void vscode.commands.executeCommand('setContext', 'depthlens.hasResult', true);
        this.store.setMeasured(doc, version, placeFindings(doc, r.findings));
        this.status.setBackend(r.backend);
        this.log.info(`run done in ${r.seconds.toFixed(2)} s on ${r.backend.name}: ${r.layers.length} layers, ${r.findings.length} findings`);
        this.published.fire({ type: 'result', result: r, previous });
        this.setState('done', `${r.seconds.toFixed(1)} s`);
        break;
      }
      case 'cancelled':
        this.log.info('run cancelled');
        this.setState('cancelled', 'cancelled');
        break;
      case 'error': {
        this.log.error(`run failed: ${outcome.message}`);
        // An error that belongs to a spec key (a bad data file, a run too large) is a located DL001 in the Problems
        // panel, as the CLI prints it; auto-runs show nothing else.
        const finding = outcome.error ? errorToFinding(outcome.error) : null;
        if (finding) this.store.setMeasured(doc, version, placeFindings(doc, [finding]));
        this.setState('error', 'failed');
        if (mode !== 'quick') void vscode.window.showErrorMessage(`DepthLens: ${outcome.message}`);
        break;
      }
    }
  }

  /** Asks whether to run a full run that is predicted to exceed the budget; runs it without the budget when confirmed. */
  private async offerOverBudget(doc: vscode.TextDocument, mode: RunMode, seeds: number | undefined, message: string): Promise<void> {
    this.log.info(`run not started: ${message}`);
    const run = 'Run Anyway';
    const settings = 'Change Budget';
    const pick = await vscode.window.showWarningMessage(`DepthLens: ${message} (depthlens.runBudgetSeconds). Run it anyway?`, run, settings);
    if (pick === run) await this.run(doc, mode, seeds, true);
    else if (pick === settings) await vscode.commands.executeCommand('workbench.action.openSettings', 'depthlens.runBudgetSeconds');
  }

  private setState(state: RunState, detail: string): void {
    if (state !== 'running' && this.current) return; // a newer run owns the state
    void vscode.commands.executeCommand('setContext', 'depthlens.running', state === 'running');
    this.status.setState(state, detail);
    this.published.fire({ type: 'runState', state, message: detail });
    this.stateChanged.fire(state);
  }

  private async offerDepths(doc: vscode.TextDocument, depth: number): Promise<void> {
    const depths = [...new Set([Math.max(2, Math.round(depth / 10)), Math.max(2, Math.round(depth / 3)), depth])].sort((a, b) => a - b);
    const add = `Add depths: [${depths.join(', ')}]`;
    const pick = await vscode.window.showErrorMessage('DepthLens: this spec has no diagnostics.depths to sweep.', add);
    if (pick !== add) return;
    const edit = setValueEdit(doc.getText(), 'diagnostics.depths', depths);
    const we = new vscode.WorkspaceEdit();
    we.replace(doc.uri, new vscode.Range(edit.range.start.line, edit.range.start.character, edit.range.end.line, edit.range.end.character), edit.newText);
    await vscode.workspace.applyEdit(we);
  }

  dispose(): void {
    this.cancel();
    this.stateChanged.dispose();
    this.finished.dispose();
    this.published.dispose();
  }
}
