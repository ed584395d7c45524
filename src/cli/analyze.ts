// `depthlens analyze <spec> [--json out.json] [--backend X] [--seeds N] [--quick] [--no-sweep]`: runs the engine on a spec
// and prints a short summary with the findings; a progress bar on a TTY (stderr); Ctrl-C cancels cleanly.
import { writeOutputFile } from './outputFile';
import { analyze, CancelledError, describeError, durationText, type AnalyzeProgress } from '../engine';
import { errorToFinding } from '../shared/runError';
import type { RunOptions } from '../shared/protocol';
import { backendDetails, backendText } from '../shared/backendText';
import {
  BACKEND_CHOICES,
  isBackendChoice,
  type BackendChoice,
  type Result,
  type Spread,
  type TrainDepthRun,
  type TrainResult,
} from '../shared/result';
import { checkText } from '../theory';
import { atOrAbove, formatFinding, sortFindings } from './format';
import { applyModelOption, MODEL_OPTIONS_HELP, readSpecOrModel, type ModelOptions } from './modelInput';
import { writeHtmlReport } from './report';
import { runRecord } from '../shared/runRecord';
import { THEORY_BASIS_SHORT } from '../shared/theoryText';
import { parseRule, RULE_SETTINGS, shownFindings, type RuleSetting } from '../shared/rules';
import { version } from '../../package.json';

export interface AnalyzeIO {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Progress bar target; null when stderr is not a terminal. */
  progress: ((text: string) => void) | null;
}

const consoleIO: AnalyzeIO = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  progress: process.stderr.isTTY ? (t) => process.stderr.write(`\r${t}\x1b[K`) : null,
};

/** After Ctrl-C or SIGTERM, how long the run may take to stop before the process quits regardless. */
const CANCEL_GRACE_MS = 1000;

/** Caps of `--quick`: small enough for a run in a few seconds on two cores. */
export const QUICK_CAPS = { maxDepth: 50, maxWidth: 64, maxBatch: 64, seeds: 2 };

export interface AnalyzeArgs {
  file: string;
  json: string | null;
  backend: BackendChoice;
  seeds: number | null;
  quick: boolean;
  sweep: boolean;
  [extra: string]: unknown;
}

/** One command-line option: `takes` names its value (null for a flag). Add entries to extend the command. */
export interface AnalyzeOption {
  name: string;
  takes: string | null;
  help: string;
  apply: (args: AnalyzeArgs, value: string) => string | null;
}


export const analyzeOptions: AnalyzeOption[] = [
  { name: '--json', takes: 'out.json', help: 'also write the full result (Result JSON v1); "-" prints it instead of the summary', apply: (a, v) => (v.trim() === '' ? '--json: expected a file name or "-", got an empty string' : ((a.json = v), null)) },
  {
    name: '--backend',
    takes: 'name',
    help: `TensorFlow.js backend: ${BACKEND_CHOICES.join(' | ')} (default auto: the fastest predicted for this spec; see README "Backends")`,
    apply: (a, v) => (isBackendChoice(v) ? ((a.backend = v), null) : `--backend: unknown backend "${v}" (use ${BACKEND_CHOICES.join(', ')})`),
  },
  {
    name: '--seeds',
    takes: 'N',
    help: 'independent initializations (overrides diagnostics.seeds)',
    apply: (a, v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 100 ? ((a.seeds = Number(v)), null) : `--seeds: expected a whole number from 1 to 100, got "${v}"`),
  },
  {
    name: '--max-cpu-minutes',
    takes: 'N',
    help: 'refuse runs predicted to take longer than N minutes on wasm/cpu (default 10; 0: no limit)',
    apply: (a, v) =>
      /^\d+$/.test(v) && Number(v) <= 100000 ? ((a.maxCpuMinutes = Number(v)), null) : `--max-cpu-minutes: expected a whole number of minutes, got "${v}"`,
  },
  {
    name: '--quick',
    takes: null,
    help: `quick run: depth ≤ ${QUICK_CAPS.maxDepth}, width ≤ ${QUICK_CAPS.maxWidth}, batch ≤ ${QUICK_CAPS.maxBatch}, ${QUICK_CAPS.seeds} seeds, no depth sweep or training`,
    apply: (a) => ((a.quick = true), null),
  },
  {
    name: '--allow-data-outside',
    takes: null,
    help: "read data.path / data.labels even outside the spec's folder tree (refused by default)",
    apply: (a) => ((a.allowDataOutside = true), null),
  },
  { name: '--no-sweep', takes: null, help: 'skip the depth sweep (diagnostics.depths)', apply: (a) => ((a.sweep = false), null) },
  { name: '--no-train', takes: null, help: 'skip the short training run (train:)', apply: (a) => ((a.train = false), null) },
  {
    name: '--rule',
    takes: 'DLxxx=level',
    help: `set a code's severity (${RULE_SETTINGS.join(', ')}), as the depthlens.rules setting; repeatable`,
    apply: (a, v) => {
      const rule = parseRule(v);
      if ('error' in rule) return `--rule ${rule.error}`;
      ((a.rules as Record<string, RuleSetting> | undefined) ??= {})[rule.code] = rule.setting;
      return null;
    },
  },
  { name: '--html', takes: 'report.html', help: 'also write the charts and findings as one self-contained HTML file (opens offline)', apply: (a, v) => (v.trim() === '' ? '--html: expected a file name, got an empty string' : ((a.html = v), null)) },
  ...MODEL_OPTIONS_HELP.map(([usage, help]): AnalyzeOption => {
    const [name, takes] = usage.split(' ') as ['--batch' | '--from' | '--to', string];
    return { name, takes, help, apply: (a, v) => applyModelOption(((a.model as ModelOptions | undefined) ??= {}), name, v) };
  }),
];

export function analyzeUsage(): string {
  const width = Math.max(...analyzeOptions.map((o) => o.name.length + (o.takes ? o.takes.length + 1 : 0)));
  const lines = analyzeOptions.map((o) => `  ${(o.takes ? `${o.name} ${o.takes}` : o.name).padEnd(width)}  ${o.help}`);
  return `Usage: depthlens analyze <spec|model> [options]

Builds the spec's network on a TensorFlow.js backend and measures, at initialization and across seeds, the isometry gap
and the gradient norm of every layer; compares the gradient growth with theory; prints findings as
file:line:col: severity DLxxx message.

Options:
${lines.join('\n')}
  ${'-h, --help'.padEnd(width)}  show this help

Exit status: 0 clean, 1 a finding of severity error, 2 an invalid spec, unusable backend/data or usage error, 130 cancelled.`;
}

export function parseAnalyzeArgs(argv: readonly string[]): AnalyzeArgs | { help: true } | { error: string } {
  const args: AnalyzeArgs = { file: '', json: null, backend: 'auto', seeds: null, quick: false, sweep: true };
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return { help: true };
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const option = analyzeOptions.find((o) => o.name === name);
    if (option) {
      let value = '';
      if (option.takes) {
        const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) return { error: `${option.name} needs a value (${option.takes})` };
        value = v;
      } else if (eq > 0 && a.startsWith('--')) return { error: `${option.name} takes no value` };
      const problem = option.apply(args, value);
      if (problem) return { error: problem };
    } else if (a.startsWith('-') && a !== '-') return { error: `unknown option ${a}` };
    else files.push(a);
  }
  if (files.length !== 1) return { error: files.length === 0 ? 'no spec file given' : `one spec at a time (got ${files.length})` };
  args.file = files[0]!;
  return args;
}

export async function runAnalyze(argv: readonly string[], io: AnalyzeIO = consoleIO): Promise<number> {
  const args = parseAnalyzeArgs(argv);
  if ('help' in args) {
    io.out(analyzeUsage());
    return 0;
  }
  if ('error' in args) {
    io.err(`depthlens analyze: ${args.error}\n\n${analyzeUsage()}`);
    return 2;
  }
  const read = readSpecOrModel(args.file, (args.model as ModelOptions | undefined) ?? {});
  if (!read.ok) {
    for (const f of read.findings) io.err(formatFinding(args.file, f));
    return 2;
  }
  const { parse, findings: staticOnly } = checkText(read.text, read.specFile);
  if (!parse.spec) {
    for (const f of sortFindings(read.place(staticOnly))) io.err(formatFinding(args.file, f));
    return 2;
  }

  const controller = new AbortController();
  let settled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    io.progress?.('');
    const what = signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : `received ${signal}`;
    io.err(`depthlens analyze: ${what}: cancelling the run (Ctrl-C again to quit at once)`);
    controller.abort();
    // The run stops at its next yield (every ~50 ms); should it not, or should workers still hold the process, quit anyway.
    setTimeout(() => {
      if (!settled) io.err(`depthlens analyze: cancelled (the run did not stop within ${CANCEL_GRACE_MS / 1000} s; quitting)`);
      process.exit(130);
    }, CANCEL_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const options: RunOptions = {
    backend: args.backend,
    ...(args.seeds !== null ? { seeds: args.seeds } : {}),
    ...(args.quick ? { quick: QUICK_CAPS } : {}),
    sweep: args.sweep && !args.quick,
    ...(args.train === false ? { train: false } : {}),
    ...(typeof args.maxCpuMinutes === 'number' ? { maxCpuMinutes: args.maxCpuMinutes } : {}),
    ...(args.allowDataOutside === true ? { allowDataOutside: true } : {}),
  };
  const bar = progressBar(io);
  let result: Result;
  try {
    const onProgress = (p: AnalyzeProgress): void => {
      // The prediction, once the backend is up: before a long run starts, the user sees how long it will take.
      if (p.predictedSeconds !== undefined) {
        bar.clear();
        io.err(`depthlens analyze: ${p.message}`);
      }
      bar.update(p);
    };
    result = await analyze(parse.spec, options, { signal: controller.signal, source: parse.source, onProgress });
  } catch (e) {
    bar.clear();
    if (e instanceof CancelledError) {
      io.err('depthlens analyze: cancelled');
      return 130;
    }
    const error = describeError(e, parse.source);
    const finding = errorToFinding(error);
    if (finding) io.err(formatFinding(args.file, read.place([finding])[0]!));
    else if (error.kind === 'backend') io.err(`depthlens analyze: ${error.message}`);
    else io.err(`depthlens analyze: ${args.file}: the run failed: ${error.message}`);
    return 2;
  } finally {
    settled = true;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  bar.clear();
  result.spec.path = args.file;
  result.findings = read.place(shownFindings(result.findings, read.text, (args.rules as Record<string, RuleSetting> | undefined) ?? {}));

  try {
    if (typeof args.html === 'string') writeHtmlReport(result, args.html, { record: runRecord(read.text, version, 'depthlens analyze (CLI)', options) });
    if (args.json && args.json !== '-') writeOutputFile('JSON result', args.json, `${JSON.stringify(result, null, 2)}\n`);
  } catch (e) {
    io.err(`depthlens analyze: ${(e as Error).message}`);
    return 2;
  }
  if (args.json === '-') io.out(JSON.stringify(result, null, 2));
  else {
    for (const line of summary(result)) io.out(line);
    for (const f of sortFindings(result.findings)) io.out(formatFinding(args.file, f));
    if (args.json) io.out(`result written to ${args.json}`);
    if (typeof args.html === 'string') io.out(`report written to ${args.html}`);
  }
  return result.findings.some((f) => atOrAbove(f.severity, 'error')) ? 1 : 0;
}

function progressBar(io: AnalyzeIO): { update: (p: AnalyzeProgress) => void; clear: () => void } {
  let last = 0;
  let shown = false;
  return {
    update: (p) => {
      if (!io.progress) return;
      const now = Date.now();
      if (now - last < 100 && p.fraction < 1) return;
      last = now;
      shown = true;
      const width = 30;
      const filled = Math.round(Math.max(0, Math.min(1, p.fraction)) * width);
      const left = p.remainingSeconds !== undefined && p.fraction > 0 && p.fraction < 1 ? ` (about ${durationText(p.remainingSeconds)} left)` : '';
      io.progress(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(p.fraction * 100).toFixed(0).padStart(3)}% ${p.phase}: ${p.message}${left}`);
    },
    clear: () => {
      if (shown) io.progress?.('');
    },
  };
}

/** `missing` stands for a null: +∞ for a collapsed gap, "n/a" for a gradient norm that is −∞ (exactly zero) or NaN. */
function fmt(x: number | null, digits: number, missing: string): string {
  return x === null ? missing : x.toFixed(digits);
}

function spreadText(s: Spread, digits: number, missing: string): string {
  const f = (x: number | null) => fmt(x, digits, missing);
  return s.min === s.max ? f(s.mean) : `${f(s.mean)} [${f(s.min)}, ${f(s.max)}]`;
}

/** The human summary: backend and time, growth against theory, gap and gradient at first/middle/last layer, depth sweep. */
export function summary(r: Result): string[] {
  const lines: string[] = [];
  const b = r.backend;
  const t = r.timings;
  lines.push(`${r.spec.name} (${r.spec.path})${r.quick ? ' — quick run' : ''}`);
  lines.push(
    `backend ${backendText(b)} · ${r.seeds} seed${r.seeds === 1 ? '' : 's'} · ` +
      `${r.layers.length} layers · ${r.seconds.toFixed(1)} s${r.predictedSeconds !== undefined ? `, predicted ${durationText(r.predictedSeconds)}` : ''} (init ${t.initSeconds.toFixed(1)} s, diagnostics ${t.diagnosticSeconds.toFixed(1)} s` +
      `${t.sweepSeconds ? `, sweep ${t.sweepSeconds.toFixed(1)} s` : ''}${t.trainSeconds ? `, training ${t.trainSeconds.toFixed(1)} s` : ''})`,
  );
  lines.push(...backendDetails(b).map((l) => `  ${l}`));
  if (r.memory?.peakGpuBytes) lines.push(`  peak GPU memory ${(r.memory.peakGpuBytes / 2 ** 20).toFixed(0)} MiB`);
  if (r.growth) {
    const theory = r.theory ? ` (theory ${r.theory.perLayer.toFixed(4)}×: ${THEORY_BASIS_SHORT[r.theory.basis]})` : '';
    lines.push(`gradient growth ${r.growth.perLayer.toFixed(4)}× per layer toward the input${theory}; ‖∇W‖ spans ${r.growth.log10Range.toFixed(2)} orders of magnitude`);
  } else lines.push('gradient growth: not measurable (fewer than two layers with finite gradient norms)');
  if (r.layers.length > 0) {
    const picks = [...new Set([0, Math.floor((r.layers.length - 1) / 2), r.layers.length - 1])];
    lines.push(`isometry gap φ: ${picks.map((i) => `layer ${i} ${r.layers[i].degenerate && r.layers[i].isometryGap.mean === null ? `∞ (rank ${r.layers[i].rank})` : spreadText(r.layers[i].isometryGap, 3, '∞')}`).join(' · ')}`);
    lines.push(`ln‖∂loss/∂W‖: ${picks.map((i) => `layer ${i} ${spreadText(r.layers[i].logGradNorm, 2, 'n/a')}`).join(' · ')}`);
  }
  if (r.depthSweep && r.depthSweep.length > 0) {
    lines.push(`depth sweep ln‖∂loss/∂W₀‖: ${r.depthSweep.map((p) => `depth ${p.depth}: ${spreadText(p.logGradNormW1, 2, 'n/a')}`).join(' · ')}`);
  }
  if (r.train) lines.push(...trainingSummary(r.train));
  return lines;
}

/** Training: first → last loss and accuracy (held-out where measured), where it diverged, and the depth comparison. */
export function trainingSummary(t: TrainResult): string[] {
  const first = t.records[0];
  const last = t.records[t.records.length - 1];
  if (!first || !last) return t.skipped ? [`training skipped: ${t.skipped}`] : [];
  const num = (x: number | undefined, digits: number): string => (x === undefined ? '–' : Number.isFinite(x) ? x.toFixed(digits) : String(x));
  const labels = t.labels === 'teacher' ? ', teacher labels' : t.labels === 'file' ? ', data labels' : '';
  const lines = [
    `training (${t.optimizer ?? '?'}, lr ${t.lr ?? '?'}, depth ${t.depth ?? '?'}${labels}): loss ${num(first.loss, 3)} → ${num(last.loss, 3)} ` +
      `over ${last.step} steps · accuracy ${num(first.accuracy, 2)} → ${num(last.accuracy, 2)}` +
      (last.evalLoss !== undefined ? ` · held-out loss ${num(last.evalLoss, 3)}, accuracy ${num(last.evalAccuracy, 2)}` : ''),
  ];
  if (t.diverged) lines.push(`training diverged at step ${t.diverged.step}: ${t.diverged.reason}`);
  if (t.depthRuns && t.depthRuns.length > 0) {
    const end = (run: TrainDepthRun): string => {
      if (run.diverged) return `diverged at step ${run.diverged.step}`;
      const r = run.records[run.records.length - 1];
      return r ? `loss ${num(r.evalLoss ?? r.loss, 3)}` : '–';
    };
    lines.push(`training depth comparison: ${t.depthRuns.map((run) => `depth ${run.depth}: ${end(run)}`).join(' · ')}`);
  }
  return lines;
}
