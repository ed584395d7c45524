// Between the panel and the rest: the panel follows the active spec editor (one panel, each spec's own runs), tells it
// when the spec no longer matches its charts, forwards that spec's findings, and handles the panel's requests.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { HostToWebview, ShowDocumentMessage, StaleReason, WebviewToHost } from '../shared/protocol';
import type { Logger } from '../shared/logger';
import type { FindingsStore } from './findingsStore';
import { PanelController, type PanelHost } from './panel';
import type { SavedResults } from './savedResults';
import type { RunController } from './runController';
import { activeSpecEditor, isSpecDocument, specFilePath } from './specDocuments';
import { toVsRange } from './findingDiagnostics';
import { fixEdit } from './fixEdit';

export interface PanelBridgeOptions {
  extensionUri: vscode.Uri;
  store: FindingsStore;
  memory: SavedResults;
  runs: RunController;
  log: Logger;
}

/** Owns the panel; follows the runs, the findings and the active editor by subscription. */
export class PanelBridge implements PanelHost, vscode.Disposable {
  readonly panel: PanelController;
  private readonly store: FindingsStore;
  private readonly memory: SavedResults;
  private readonly runs: RunController;
  private readonly log: Logger;
  private readonly subscriptions: vscode.Disposable[];
  /** The spec document the panel follows: the active spec editor's, kept while a non-spec editor has focus. */
  private followed: vscode.TextDocument | undefined = activeSpecEditor()?.document;
  private lastDocument: ShowDocumentMessage | undefined;

  constructor(options: PanelBridgeOptions) {
    this.store = options.store;
    this.memory = options.memory;
    this.runs = options.runs;
    this.log = options.log;
    this.panel = new PanelController(options.extensionUri, this, options.log);
    this.subscriptions = [
      this.panel,
      this.runs.onDidPublish((message) => this.panel.post(message)),
      this.runs.onDidFinishRun(() => this.runFinished()),
      this.store.onDidChange((uri) => this.findingsChanged(uri)),
      vscode.window.onDidChangeActiveTextEditor((editor) => this.activeEditorChanged(editor)),
    ];
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  /** The file the panel follows (tests observe it). */
  get followedFile(): string | undefined {
    return this.followed ? specFilePath(this.followed) : undefined;
  }

  snapshot(): HostToWebview[] {
    const out: HostToWebview[] = [];
    const doc = this.followed ?? activeSpecEditor()?.document;
    const file = doc ? specFilePath(doc) : undefined;
    const entry = file ? this.memory.forFile(file) : this.memory.latest();
    if (doc) out.push(this.documentMessage(doc));
    if (entry) out.push({ type: 'result', result: entry.last, previous: entry.previous });
    out.push({ type: 'runState', state: this.runs.running ? 'running' : entry ? 'done' : 'idle' });
    if (doc) {
      const f = this.store.get(doc.uri);
      if (f) out.push({ type: 'specFindings', file: specFilePath(doc), findings: f.entries.map((e) => e.finding) });
    }
    return out;
  }

  /** The active editor changed: a spec editor becomes the one the panel follows, with its own runs and findings. */
  private activeEditorChanged(editor: vscode.TextEditor | undefined): void {
    if (!editor || !isSpecDocument(editor.document) || editor.document === this.followed) return;
    this.followed = editor.document;
    this.lastDocument = undefined;
    if (!this.panel.isOpen) return;
    const doc = editor.document;
    const file = specFilePath(doc);
    this.postDocument(doc);
    const entry = this.memory.forFile(file);
    if (entry) this.panel.post({ type: 'result', result: entry.last, previous: entry.previous });
    const f = this.store.get(doc.uri);
    this.panel.post({ type: 'specFindings', file, findings: f ? f.entries.map((e) => e.finding) : [] });
  }

  private findingsChanged(uri: vscode.Uri): void {
    const doc = this.followed;
    if (!this.panel.isOpen || !doc || doc.uri.toString() !== uri.toString()) return;
    const f = this.store.get(uri);
    this.postDocument(doc);
    this.panel.post({ type: 'specFindings', file: specFilePath(doc), findings: f ? f.entries.map((e) => e.finding) : [] });
  }

  /** A run finished: the followed spec's staleness may have changed (its text is now the run's). */
  private runFinished(): void {
    if (this.followed && this.panel.isOpen) this.postDocument(this.followed);
  }

  private postDocument(doc: vscode.TextDocument): void {
    const message = this.documentMessage(doc);
    const last = this.lastDocument;
    if (last && last.file === message.file && last.name === message.name && last.stale === message.stale) return;
    this.lastDocument = message;
    this.panel.post(message);
  }

  private documentMessage(doc: vscode.TextDocument): ShowDocumentMessage {
    const file = specFilePath(doc);
    const spec = this.store.get(doc.uri)?.parse.spec;
    return { type: 'document', file, name: spec?.name || basename(file), stale: this.staleness(doc) };
  }

  /** Why the followed spec's charts no longer show it as written, if they do not. */
  private staleness(doc: vscode.TextDocument): StaleReason | null {
    const entry = this.memory.forFile(specFilePath(doc));
    if (!entry) return null;
    const checked = this.store.get(doc.uri);
    if (checked && checked.version === doc.version && !checked.parse.spec) return 'invalid';
    return entry.text !== undefined && entry.text !== doc.getText() ? 'edited' : null;
  }

  onMessage(message: Exclude<WebviewToHost, { type: 'ready' }>): void {
    switch (message.type) {
      case 'reveal':
        void this.reveal(message.path, message.range);
        break;
      case 'run': {
        const doc = this.specEditorForRun()?.document ?? (this.followed && !this.followed.isClosed ? this.followed : undefined);
        if (doc) void this.runs.run(doc, message.mode === 'quick' ? 'quick' : 'full', message.seeds);
        else void vscode.window.showWarningMessage('DepthLens: open a *.depthlens.yaml spec to run it.');
        break;
      }
      case 'cancel':
        this.runs.cancel();
        break;
      case 'exportImage':
        void this.saveImage(message.name, message.dataUrl);
        break;
      case 'applyFix':
        void this.applyFix(message.code, message.path, message.title);
        break;
    }
  }

  /** The spec the panel follows if it is open in an editor, else the visible spec. */
  private specEditorForRun(): vscode.TextEditor | undefined {
    const followed = this.followed;
    const visible = followed && vscode.window.visibleTextEditors.find((e) => e.document === followed);
    return visible ?? activeSpecEditor();
  }

  private async reveal(path: string, range: { start: { line: number; character: number }; end: { line: number; character: number } } | undefined): Promise<void> {
    let doc = this.specEditorForRun()?.document;
    if (!doc && this.followed) doc = await vscode.workspace.openTextDocument(this.followed.uri);
    if (!doc) return;
    const loc = this.store.get(doc.uri)?.parse.source.get(path);
    const target = range ? toVsRange(range) : loc ? toVsRange(loc.value ?? loc.key) : undefined;
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
    if (!target) return;
    const r = doc.validateRange(target);
    editor.selection = new vscode.Selection(r.start, r.end);
    editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** The fix with this title of a finding the store holds for the followed spec, applied as one edit. */
  private async applyFix(code: string, path: string, title: string): Promise<void> {
    const doc = this.followed;
    const f = doc && this.store.get(doc.uri);
    if (!doc || !f) return;
    const finding = f.entries.map((e) => e.finding).find((x) => x.code === code && x.path === path && x.fix?.title === title);
    if (!finding?.fix) {
      void vscode.window.showWarningMessage(`DepthLens: the ${code} fix "${title}" no longer applies (the spec changed).`);
      return;
    }
    try {
      const edit = fixEdit(doc.getText(), finding.fix);
      const we = new vscode.WorkspaceEdit();
      we.replace(doc.uri, toVsRange(edit.range), edit.newText);
      await vscode.workspace.applyEdit(we);
      this.log.info(`applied ${code} fix "${title}" from the panel`);
    } catch (err) {
      void vscode.window.showWarningMessage(`DepthLens: cannot apply "${title}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async saveImage(name: string, dataUrl: string): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      filters: { 'PNG image': ['png'] },
    });
    if (!target) return;
    const bytes = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    await vscode.workspace.fs.writeFile(target, bytes);
    this.log.info(`saved chart image ${target.fsPath} (${bytes.length} bytes)`);
  }
}
