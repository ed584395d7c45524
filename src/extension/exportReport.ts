// "Export Report": the Result as JSON (format v1), or the panel as one self-contained HTML file with the result inlined.
import * as vscode from 'vscode';
import { renderReportHtml } from '../shared/panelHtml';
import type { Result } from '../shared/result';
import { runRecord } from '../shared/runRecord';
import type { SavedEntry } from './savedResults';

export type ReportFormat = 'json' | 'html';

async function readText(uri: vscode.Uri): Promise<string> {
  return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
}

/** The HTML report: the same page the CLI writes, from the panel assets in dist/webview, with the run record. */
export async function htmlReport(result: Result, extensionUri: vscode.Uri, entry?: SavedEntry, extensionVersion = 'unknown'): Promise<string> {
  const dir = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  const [script, panelCss, codiconCss, font] = await Promise.all([
    readText(vscode.Uri.joinPath(dir, 'panel.js')),
    readText(vscode.Uri.joinPath(dir, 'panel.css')),
    readText(vscode.Uri.joinPath(dir, 'codicon.css')),
    vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, 'codicon.ttf')),
  ]);
  const record = entry?.text !== undefined ? runRecord(entry.text, extensionVersion, `VS Code ${vscode.version}`, entry.options) : undefined;
  return renderReportHtml(result, { script, panelCss, codiconCss, codiconFontBase64: Buffer.from(font).toString('base64') }, entry?.previous ?? null, record);
}

export async function exportReport(entry: SavedEntry, format: ReportFormat, target: vscode.Uri, extension: vscode.Extension<unknown> | undefined, extensionUri: vscode.Uri): Promise<void> {
  const result = entry.last;
  const version = (extension?.packageJSON as { version?: string } | undefined)?.version ?? 'unknown';
  const text = format === 'json' ? JSON.stringify(result, null, 2) + '\n' : await htmlReport(result, extensionUri, entry, version);
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
}
