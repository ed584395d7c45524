// "Export Report": the Result as JSON (format v1), or the panel as one self-contained HTML file with the result inlined.
import * as vscode from 'vscode';
import { renderReportHtml } from '../shared/panelHtml';
import type { Result } from '../shared/result';

export type ReportFormat = 'json' | 'html';

async function readText(uri: vscode.Uri): Promise<string> {
  return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
}

/** The HTML report: the same page the CLI writes, from the panel assets in dist/webview. */
export async function htmlReport(result: Result, extensionUri: vscode.Uri): Promise<string> {
  const dir = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  const [script, panelCss, codiconCss, font] = await Promise.all([
    readText(vscode.Uri.joinPath(dir, 'panel.js')),
    readText(vscode.Uri.joinPath(dir, 'panel.css')),
    readText(vscode.Uri.joinPath(dir, 'codicon.css')),
    vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, 'codicon.ttf')),
  ]);
  return renderReportHtml(result, { script, panelCss, codiconCss, codiconFontBase64: Buffer.from(font).toString('base64') });
}

export async function exportReport(result: Result, format: ReportFormat, target: vscode.Uri, extensionUri: vscode.Uri): Promise<void> {
  const text = format === 'json' ? JSON.stringify(result, null, 2) + '\n' : await htmlReport(result, extensionUri);
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
}
