// DL204: the short training run diverged or its loss did not decrease.
import type { Finding } from '../../shared/findings';
import type { TrainSpec } from '../../spec/types';
import type { TrainRun } from './trainer';

/** Fewer steps than this say nothing about whether the loss decreases. */
const MIN_STEPS_TO_JUDGE = 2;

export function trainingFindings(train: TrainSpec, main: TrainRun, depthRuns: TrainRun[]): Finding[] {
  const fix = lowerLr(train.lr);
  const findings: Finding[] = [];
  if (main.skipped) {
    findings.push({ code: 'DL204', severity: 'info', message: `Training skipped: ${main.skipped}.`, path: 'train', measured: true });
  } else if (main.diverged) {
    findings.push({
      code: 'DL204',
      severity: 'warning',
      message: `Training diverged at step ${main.diverged.step} of ${train.steps}: ${main.diverged.reason} (${train.optimizer}, lr ${train.lr}, depth ${main.depth}).`,
      path: 'train.lr',
      measured: true,
      fix,
    });
  } else if (train.steps >= MIN_STEPS_TO_JUDGE && !(main.lossEnd < main.lossStart)) {
    findings.push({
      code: 'DL204',
      severity: 'warning',
      message:
        `Training loss did not decrease over ${train.steps} steps: ${format(main.lossStart)} at the start, ${format(main.lossEnd)} ` +
        `at the end (${train.optimizer}, lr ${train.lr}, depth ${main.depth}).`,
      path: 'train.lr',
      measured: true,
      fix,
    });
  }
  const failed = depthRuns.filter((r) => r.diverged && r.depth !== main.depth);
  if (failed.length > 0) {
    const where = failed.map((r) => `depth ${r.depth} at step ${r.diverged!.step}`).join(', ');
    findings.push({
      code: 'DL204',
      severity: 'info',
      message: `In the depth comparison, training diverged at ${where} (${train.optimizer}, lr ${train.lr}).`,
      path: 'diagnostics.depths',
      measured: true,
      fix,
    });
  }
  const skipped = depthRuns.filter((r) => r.skipped && r.depth !== main.depth);
  if (skipped.length > 0) {
    findings.push({
      code: 'DL204',
      severity: 'info',
      message: `In the depth comparison, training was skipped at depth ${skipped.map((r) => r.depth).join(', ')}: ${skipped[0].skipped}.`,
      path: 'diagnostics.depths',
      measured: true,
    });
  }
  return findings;
}

function lowerLr(lr: number): Finding['fix'] {
  const value = Number((lr / 10).toPrecision(6));
  return { path: 'train.lr', value, title: `Lower the learning rate to ${value}`, preferred: true };
}

function format(loss: number): string {
  return Number.isFinite(loss) ? loss.toPrecision(4) : String(loss);
}
