// Between the panel and the rest: what the panel shows on (re)open, findings of the active spec, and the panel's requests.
import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from '../shared/protocol';
import type { Logger } from '../shared/logger';
import type { FindingsStore } from './findingsStore';
import type { PanelController, PanelHost } from './panel';
import type { SavedResults } from './savedResults';
import type { RunController } from './runController';
import { activeSpecEditor, isSpecDocument, specFilePath } from './specDocuments';
import { toVsRange } from './findingDiagnostics';

export class PanelBridge implements PanelHost {
  private runs: RunController | undefined;
  private panel: PanelController | undefined;
  private log: Logger | undefined;

  constructor(private readonly store: FindingsStore, private readonly memory: SavedResults) {}

  attach(runs: RunController, panel: PanelController, log: Logger): void {
    this.runs = runs;
    this.panel = panel;
    this.log = log;
  }

  snapshot(): HostToWebview[] {
    const out: HostToWebview[] = [];
    const editor = activeSpecEditor();
    const file = editor ? specFilePath(editor.document) : undefined;
    const entry = (file ? this.memory.forFile(file) : undefined) ?? this.memory.latest();
    if (entry) out.push({ type: 'result', result: entry.last, previous: entry.previous });
    out.push({ type: 'runState', state: this.runs?.running ? 'running' : entry ? 'done' : 'idle' });
    if (editor) {
      const f = this.store.get(editor.document.uri);
      if (f) out.push({ type: 'specFindings', file: specFilePath(editor.document), findings: [...f.staticFindings, ...f.measured] });
    }
    return out;
  }

  findingsChanged(uri: vscode.Uri): void {
    const editor = activeSpecEditor();
    if (!this.panel?.isOpen || !editor || editor.document.uri.toString() !== uri.toString()) return;
    const f = this.store.get(uri);
    this.panel.post({ type: 'specFindings', file: specFilePath(editor.document), findings: f ? [...f.staticFindings, ...f.measured] : [] });
  }

  onMessage(message: Exclude<WebviewToHost, { type: 'ready' }>): void {
    switch (message.type) {
      case 'reveal':
        void this.reveal(message.path, message.range);
        break;
      case 'run': {
        const editor = this.specEditorForRun();
        if (editor) void this.runs?.run(editor.document, message.mode === 'quick' ? 'quick' : 'full', message.seeds);
        else void vscode.window.showWarningMessage('DepthLens: open a *.depthlens.yaml spec to run it.');
        break;
      }
      case 'cancel':
        this.runs?.cancel();
        break;
      case 'exportImage':
        void this.saveImage(message.name, message.dataUrl);
        break;
    }
  }

  /** The spec of the latest result if it is open, else the visible spec. */
  private specEditorForRun(): vscode.TextEditor | undefined {
    const latest = this.memory.latest();
    const byResult = latest && vscode.window.visibleTextEditors.find((e) => isSpecDocument(e.document) && specFilePath(e.document) === latest.file);
    return byResult ?? activeSpecEditor();
  }

  private async reveal(path: string, range: { start: { line: number; character: number }; end: { line: number; character: number } } | undefined): Promise<void> {
    const latest = this.memory.latest();
    let doc = this.specEditorForRun()?.document;
    if (!doc && latest?.file) doc = await vscode.workspace.openTextDocument(vscode.Uri.file(latest.file));
    if (!doc) return;
    const loc = this.store.get(doc.uri)?.parse.source.get(path);
    const target = range ? toVsRange(range) : loc ? toVsRange(loc.value ?? loc.key) : undefined;
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
    if (!target) return;
    const r = doc.validateRange(target);
    editor.selection = new vscode.Selection(r.start, r.end);
    editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
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
    this.log?.info(`saved chart image ${target.fsPath} (${bytes.length} bytes)`);
  }
}
