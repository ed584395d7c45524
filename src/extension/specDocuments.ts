// Which documents are DepthLens specs.
import * as vscode from 'vscode';

export const SPEC_FILE_PATTERN = /\.depthlens\.(ya?ml|json)$/i;

/** Saved specs by file name, unsaved ones by language. */
export const SPEC_SELECTOR: vscode.DocumentSelector = [
  { pattern: '**/*.depthlens.{yaml,yml,json}' },
  { language: 'depthlens' },
];

export function isSpecDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'depthlens' || SPEC_FILE_PATTERN.test(doc.uri.path);
}

/** The file path handed to parsers and the engine: the real path for saved files, the untitled name otherwise. */
export function specFilePath(doc: vscode.TextDocument): string {
  return doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.path;
}

/** The spec the user is looking at: the active editor's, else the most recent visible one. */
export function activeSpecEditor(): vscode.TextEditor | undefined {
  const active = vscode.window.activeTextEditor;
  if (active && isSpecDocument(active.document)) return active;
  return vscode.window.visibleTextEditors.find((e) => isSpecDocument(e.document));
}
