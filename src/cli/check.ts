// `depthlens check <spec...> [--json] [--fail-on error|warning|info] [--rule DLxxx=level]`: static findings (schema + theory), no tensors.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkText } from '../theory/index';
import { SEVERITIES, type Finding, type Severity } from '../shared/findings';
import { parseRule, RULE_SETTINGS, shownFindings, type RuleSetting, type Rules } from '../shared/rules';
import { atOrAbove, formatFinding, formatSummary, sortFindings } from './format';
import { applyModelOption, MODEL_OPTIONS_HELP, readSpecOrModel, type ModelOptions } from './modelInput';

export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIO: CliIO = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

export const checkUsage = `Usage: depthlens check <spec|model|folder...> [--json] [--fail-on error|warning|info] [--rule DLxxx=level ...]

Checks DepthLens specs (*.depthlens.yaml|yml|json) against the schema and the theory rules, without running a network.
A folder stands for every spec file under it. A model file (.keras, .onnx, model.json, *.keras.json) is imported first
(see depthlens import) and its findings name the model's layers. Prints one line per finding:
file:line:col: severity DLxxx message.

Options:
  --json               print {"files": [{"file", "findings"}]} instead of text
  --fail-on <level>    exit 1 when a finding is at or above this severity (default: error)
  --rule <DLxxx=level> set a code's severity (${RULE_SETTINGS.join(', ')}), as the depthlens.rules setting; repeatable
${MODEL_OPTIONS_HELP.map(([o, h]) => `  ${o.padEnd(19)}  ${h}`).join('\n')}
  -h, --help           show this help

Exit status: 0 clean, 1 a finding at or above --fail-on, 2 an invalid spec (DL001) or a usage error.`;

interface CheckArgs {
  files: string[];
  json: boolean;
  failOn: Severity;
  model: ModelOptions;
  rules: Record<string, RuleSetting>;
}

/** Every severity but `hint` (hints never fail a check). */
const failLevels: readonly Severity[] = SEVERITIES.filter((s) => s !== 'hint');

function parseArgs(argv: readonly string[]): CheckArgs | { help: true } | { error: string } {
  const args: CheckArgs = { files: [], json: false, failOn: 'error', model: {}, rules: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return { help: true };
    if (a === '--json') args.json = true;
    else if (a === '--fail-on' || a.startsWith('--fail-on=')) {
      const level = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (level === undefined) return { error: `--fail-on needs a level: ${failLevels.join(', ')}` };
      if (!failLevels.includes(level as Severity)) return { error: `--fail-on: unknown level "${level}" (use ${failLevels.join(', ')})` };
      args.failOn = level as Severity;
    } else if (a === '--rule' || a.startsWith('--rule=')) {
      const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (value === undefined) return { error: '--rule needs a value: DLxxx=level, e.g. DL107=off' };
      const rule = parseRule(value);
      if ('error' in rule) return { error: `--rule ${rule.error}` };
      args.rules[rule.code] = rule.setting;
    } else if (['--batch', '--from', '--to'].includes(a.split('=')[0]!)) {
      const name = a.split('=')[0] as '--batch' | '--from' | '--to';
      const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (value === undefined) return { error: `${name} needs a value` };
      const problem = applyModelOption(args.model, name, value);
      if (problem) return { error: problem };
    } else if (a === '--') args.files.push(...argv.slice(i + 1)), (i = argv.length);
    else if (a.startsWith('-') && a !== '-') return { error: `unknown option ${a}` };
    else args.files.push(a);
  }
  if (args.files.length === 0) return { error: 'no spec files given' };
  return args;
}

const specFile = /\.depthlens\.(ya?ml|json)$/i;

/** Spec files under a folder, sorted, skipping hidden folders and node_modules. */
function specsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') out.push(...specsUnder(path));
    else if (entry.isFile() && specFile.test(entry.name)) out.push(path);
  }
  return out;
}

/** Folders become the spec files under them; anything else is checked as given (a missing file is reported as such). */
function expandFolders(args: readonly string[]): string[] | { error: string } {
  const out: string[] = [];
  for (const a of args) {
    let isDir = false;
    try {
      isDir = statSync(a).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) out.push(a);
    else {
      const found = specsUnder(a);
      if (found.length === 0) return { error: `no *.depthlens.yaml, *.depthlens.yml or *.depthlens.json files under ${a}` };
      out.push(...found);
    }
  }
  return out;
}

/** Static findings of one spec or model file: unreadable files and spec problems are DL001 findings like any other. */
export function checkFile(file: string, model: ModelOptions = {}, rules: Rules = {}): Finding[] {
  const read = readSpecOrModel(file, model);
  if (!read.ok) return read.findings;
  return sortFindings(read.place(shownFindings(checkText(read.text, read.specFile).findings, read.text, rules)));
}

export async function runCheck(argv: readonly string[], io: CliIO = consoleIO): Promise<number> {
  const args = parseArgs(argv);
  if ('help' in args) {
    io.out(checkUsage);
    return 0;
  }
  if ('error' in args) {
    io.err(`depthlens check: ${args.error}\n\n${checkUsage}`);
    return 2;
  }
  const files = expandFolders(args.files);
  if ('error' in files) {
    io.err(`depthlens check: ${files.error}`);
    return 2;
  }
  const results = files.map((file) => ({ file, findings: checkFile(file, args.model, args.rules) }));
  const all = results.flatMap((r) => r.findings);
  if (args.json) io.out(JSON.stringify({ files: results }, null, 2));
  else {
    for (const r of results) for (const f of r.findings) io.out(formatFinding(r.file, f));
    io.out(formatSummary(results.length, all));
  }
  if (all.some((f) => f.code === 'DL001')) return 2;
  return all.some((f) => atOrAbove(f.severity, args.failOn)) ? 1 : 0;
}
