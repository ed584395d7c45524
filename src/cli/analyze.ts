// `depthlens analyze <spec> [--json out.json] [--backend X] [--seeds N] [--quick] [--no-sweep]`: runs the engine on a spec
// and prints a short summary with the findings; a progress bar on a TTY (stderr); Ctrl-C cancels cleanly.
import { writeOutputFile } from './outputFile';
import { analyze, CancelledError, BackendUnavailableError, DataError, RunTooLargeError, type AnalyzeProgress } from '../engine';
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
import { readSpecText, valueRange } from '../spec';
import { checkText } from '../theory';
import { atOrAbove, formatFinding, sortFindings } from './format';
import { writeHtmlReport } from './report';
import { runRecord } from '../shared/runRecord';
import { withoutSuppressed } from '../shared/suppression';
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

/** Caps of `--quick`: small enough for a run in a few seconds on two cores. */
export const QUICK_CAPS = { maxDepth: 50, maxWidth: 64, seeds: 2 };

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
  { name: '--json', takes: 'out.json', help: 'also write the full result (Result JSON v1); "-" prints it instead of the summary', apply: (a, v) => ((a.json = v), null) },
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
    help: `quick run: depth ≤ ${QUICK_CAPS.maxDepth}, width ≤ max(${QUICK_CAPS.maxWidth}, batch), ${QUICK_CAPS.seeds} seeds, no depth sweep or training`,
    apply: (a) => ((a.quick = true), null),
  },
  { name: '--no-sweep', takes: null, help: 'skip the depth sweep (diagnostics.depths)', apply: (a) => ((a.sweep = false), null) },
  { name: '--no-train', takes: null, help: 'skip the short training run (train:)', apply: (a) => ((a.train = false), null) },
  { name: '--html', takes: 'report.html', help: 'also write the charts and findings as one self-contained HTML file (opens offline)', apply: (a, v) => ((a.html = v), null) },
];

export function analyzeUsage(): string {
  const width = Math.max(...analyzeOptions.map((o) => o.name.length + (o.takes ? o.takes.length + 1 : 0)));
  const lines = analyzeOptions.map((o) => `  ${(o.takes ? `${o.name} ${o.takes}` : o.name).padEnd(width)}  ${o.help}`);
  return `Usage: depthlens analyze <spec> [options]

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
  const read = readSpecText(args.file);
  if (!read.ok) {
    for (const p of read.result.problems) io.err(formatFinding(args.file, { ...p, measured: false }));
    return 2;
  }
  const { parse, findings: staticOnly } = checkText(read.text, args.file);
  if (!parse.spec) {
    for (const f of sortFindings(staticOnly)) io.err(formatFinding(args.file, f));
    return 2;
  }

  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    io.progress?.('');
    io.err('depthlens analyze: cancelling (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const options: RunOptions = {
    backend: args.backend,
    ...(args.seeds !== null ? { seeds: args.seeds } : {}),
    ...(args.quick ? { quick: QUICK_CAPS } : {}),
    sweep: args.sweep && !args.quick,
    ...(args.train === false ? { train: false } : {}),
    ...(typeof args.maxCpuMinutes === 'number' ? { maxCpuMinutes: args.maxCpuMinutes } : {}),
  };
  const bar = progressBar(io);
  let result: Result;
  try {
    result = await analyze(parse.spec, options, { signal: controller.signal, source: parse.source, onProgress: bar.update });
  } catch (e) {
    bar.clear();
    if (e instanceof CancelledError) {
      io.err('depthlens analyze: cancelled');
      return 130;
    }
    if (e instanceof BackendUnavailableError) {
      io.err(`depthlens analyze: ${e.message}`);
      return 2;
    }
    if (e instanceof DataError || e instanceof RunTooLargeError) {
      io.err(formatFinding(args.file, { code: 'DL001', severity: 'error', message: e.message, path: e.path, measured: false, range: valueRange(parse.source, e.path) }));
      return 2;
    }
    io.err(`depthlens analyze: ${args.file}: the run failed: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  } finally {
    process.off('SIGINT', onSigint);
  }
  bar.clear();
  result.spec.path = args.file;
  result.findings = withoutSuppressed(result.findings, read.text);

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
      io.progress(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(p.fraction * 100).toFixed(0).padStart(3)}% ${p.phase}: ${p.message}`);
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
      `${r.layers.length} layers · ${r.seconds.toFixed(1)} s (init ${t.initSeconds.toFixed(1)} s, diagnostics ${t.diagnosticSeconds.toFixed(1)} s` +
      `${t.sweepSeconds ? `, sweep ${t.sweepSeconds.toFixed(1)} s` : ''}${t.trainSeconds ? `, training ${t.trainSeconds.toFixed(1)} s` : ''})`,
  );
  lines.push(...backendDetails(b).map((l) => `  ${l}`));
  if (r.memory?.peakGpuBytes) lines.push(`  peak GPU memory ${(r.memory.peakGpuBytes / 2 ** 20).toFixed(0)} MiB`);
  if (r.growth) {
    const theory = r.theory ? ` (theory ${r.theory.perLayer.toFixed(4)}×, ${r.theory.basis})` : '';
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
