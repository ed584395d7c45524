// "DepthLens: Analyze Model File…" (palette and Explorer context menu on .keras, .onnx, model.json, *.keras.json): the
// model is imported to a spec shown as an untitled DepthLens document, whose findings name the model's layers, and
// analyzed; "Save as Spec" writes it as <model>.depthlens.yaml beside the model.
import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import { FORMAT_NAMES, importModel, importSidecar, isModelFile, nameModelLayers, type LayerOrigin, type SidecarResult } from '../import/index';
import { parseSpec } from '../spec/index';
import type { Finding } from '../shared/findings';
import type { Logger } from '../shared/logger';
import { checkSpecText, type SpecCheck, type ThresholdDefaults } from './specCheck';
import { specFilePath } from './specDocuments';

/** Imported specs still open as untitled documents: where they came from and their layers' origins. */
const imported = new Map<string, { model: vscode.Uri; origins: LayerOrigin[] }>();

/** Sidecar specs (`extends: model`) by document, for the version last read. */
const sidecars = new Map<string, { version: number; result: SidecarResult | null }>();

function sidecarOf(doc: vscode.TextDocument): SidecarResult | null {
  const key = doc.uri.toString();
  const cached = sidecars.get(key);
  if (cached && cached.version === doc.version) return cached.result;
  const result = importSidecar(doc.getText(), specFilePath(doc));
  sidecars.set(key, { version: doc.version, result });
  return result;
}

/** The spec text the engine runs for a document: a sidecar's model with the sidecar laid over it, else the text itself. */
export function specTextFor(doc: vscode.TextDocument): string {
  const sidecar = sidecarOf(doc);
  return sidecar?.ok ? sidecar.text : doc.getText();
}

/** Findings of a document's spec as they read in the document: naming the model's layers (imported), on a sidecar's keys. */
export function placeFindings(doc: vscode.TextDocument, findings: Finding[]): Finding[] {
  const entry = imported.get(doc.uri.toString());
  if (entry) return nameModelLayers(findings, entry.origins);
  const sidecar = sidecarOf(doc);
  return sidecar?.ok ? sidecar.place(findings) : findings;
}

/** The static check of a document: a plain spec, an imported model's spec (layers named) or a sidecar (its model merged in). */
export function checkDocument(doc: vscode.TextDocument, thresholds: ThresholdDefaults): SpecCheck {
  const file = specFilePath(doc);
  const sidecar = sidecarOf(doc);
  if (sidecar === null) {
    const check = checkSpecText(doc.getText(), file, thresholds);
    return { parse: check.parse, findings: placeFindings(doc, check.findings) };
  }
  // Hovers and quick fixes find keys through the parse's source map: the sidecar's own.
  const own = parseSpec(doc.getText(), file).source;
  if (!sidecar.ok) {
    const problem = { ...sidecar.problem, measured: false };
    return { parse: { problems: [sidecar.problem], source: own, format: 'yaml' }, findings: [problem] };
  }
  const check = checkSpecText(sidecar.text, file, thresholds);
  return { parse: { ...check.parse, source: own }, findings: sidecar.place(check.findings) };
}

/** <folder>/<model stem>.depthlens.yaml: bn-mlp.onnx, bn-mlp.keras, bn-mlp.keras.json → bn-mlp; tfjs/model.json → tfjs/model. */
export function specPathFor(modelPath: string): string {
  const stem = basename(modelPath).replace(/(\.keras\.json|\.tfjs\.json|\.keras|\.onnx|\.json)$/i, '');
  return join(dirname(modelPath), `${stem || 'model'}.depthlens.yaml`);
}

async function pickModel(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Analyze a model file with DepthLens',
    canSelectMany: false,
    filters: { 'Keras, TensorFlow.js or ONNX model': ['keras', 'onnx', 'json'] },
  });
  return picked?.[0];
}

/** `recheck` re-runs the static check of a document (the first one ran before its origins were known). */
export function registerModelCommands(log: Logger, recheck: (doc: vscode.TextDocument) => void): vscode.Disposable[] {
  const analyzeModel = async (arg?: unknown): Promise<vscode.Uri | undefined> => {
    const model = arg instanceof vscode.Uri ? arg : await pickModel();
    if (!model) return undefined;
    if (model.scheme !== 'file') {
      void vscode.window.showErrorMessage('DepthLens: model files are read from disk; this one is not a local file.');
      return undefined;
    }
    const file = model.fsPath;
    if (!isModelFile(file) && !/\.json$/i.test(file)) {
      void vscode.window.showWarningMessage(`DepthLens: ${basename(file)} is not a .keras, .onnx or Keras / TensorFlow.js JSON model.`);
      return undefined;
    }
    const result = importModel(file);
    if (!result.ok) {
      const p = result.problem;
      const where = `${basename(file)}:${p.range.start.line + 1}:${p.range.start.character + 1}`;
      log.error(`import ${file}: ${p.message}`);
      void vscode.window.showErrorMessage(`DepthLens cannot import ${where}: ${p.message}`);
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'depthlens', content: result.model.text });
    imported.set(doc.uri.toString(), { model, origins: result.model.origins });
    recheck(doc);
    await vscode.window.showTextDocument(doc);
    log.info(`imported ${file} (${FORMAT_NAMES[result.model.format]}, ${result.model.origins.length} layers)`);
    void vscode.commands.executeCommand('depthlens.analyze', doc.uri);
    void vscode.window
      .showInformationMessage(`DepthLens: ${basename(file)} imported (${FORMAT_NAMES[result.model.format]}).`, 'Save as Spec')
      .then((choice) => (choice ? vscode.commands.executeCommand('depthlens.saveModelSpec', doc.uri) : undefined));
    return doc.uri;
  };

  const saveModelSpec = async (arg?: unknown): Promise<vscode.Uri | undefined> => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    const entry = uri ? imported.get(uri.toString()) : undefined;
    const doc = uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) : undefined;
    if (!entry || !doc) {
      void vscode.window.showWarningMessage('DepthLens: run "Analyze Model File…" first; this editor is not an imported model.');
      return undefined;
    }
    const target = vscode.Uri.file(specPathFor(entry.model.fsPath));
    let exists = true;
    try {
      await vscode.workspace.fs.stat(target);
    } catch {
      exists = false;
    }
    if (exists) {
      const answer = await vscode.window.showWarningMessage(`${basename(target.fsPath)} exists. Replace it?`, { modal: true }, 'Replace');
      if (answer !== 'Replace') return undefined;
    }
    await vscode.workspace.fs.writeFile(target, Buffer.from(doc.getText(), 'utf8'));
    log.info(`saved the spec of ${entry.model.fsPath} as ${target.fsPath}`);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target));
    return target;
  };

  return [
    vscode.commands.registerCommand('depthlens.analyzeModel', analyzeModel),
    vscode.commands.registerCommand('depthlens.saveModelSpec', saveModelSpec),
    vscode.workspace.onDidCloseTextDocument((d) => {
      imported.delete(d.uri.toString());
      sidecars.delete(d.uri.toString());
    }),
  ];
}
