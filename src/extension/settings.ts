// The extension's settings (package.json contributes.configuration), read fresh each time they are needed.
import * as vscode from 'vscode';
import { BACKEND_CHOICES, isBackendChoice, type BackendChoice } from '../shared/result';
import { rulesFromObject, type RuleSetting } from '../shared/rules';

export type { RuleSetting };

export interface DepthLensSettings {
  backend: BackendChoice;
  autoRun: boolean;
  quick: { maxDepth: number; maxWidth: number; seeds: number };
  /** Seeds of full runs; undefined uses the spec's. */
  seeds: number | undefined;
  /** errorLog10Range undefined: twice gradLog10Range. */
  thresholds: { gradGrowthPerLayer: number; gradLog10Range: number; errorLog10Range?: number };
  debounceMs: number;
  /** Full runs predicted longer than this (seconds) ask first; 0 never asks. */
  runBudgetSeconds: number;
  /** Per-code severity overrides (`{"DL107": "off", "DL101": "error"}`), invalid entries ignored. */
  rules: Record<string, RuleSetting>;
}

export function readSettings(scope?: vscode.ConfigurationScope): DepthLensSettings {
  const c = vscode.workspace.getConfiguration('depthlens', scope);
  const backend = c.get<string>('backend', 'auto');
  const seeds = c.get<number | null>('seeds', null);
  return {
    backend: isBackendChoice(backend) ? backend : 'auto',
    autoRun: c.get<boolean>('autoRun', true),
    quick: {
      maxDepth: positiveInt(c.get<number>('quickRun.maxDepth'), 100),
      maxWidth: positiveInt(c.get<number>('quickRun.maxWidth'), 64),
      seeds: positiveInt(c.get<number>('quickRun.seeds'), 2),
    },
    seeds: typeof seeds === 'number' && seeds >= 1 ? Math.floor(seeds) : undefined,
    thresholds: {
      gradGrowthPerLayer: positiveNumber(c.get<number>('thresholds.gradGrowthPerLayer'), 1.02),
      gradLog10Range: positiveNumber(c.get<number>('thresholds.gradLog10Range'), 3),
      ...optionalPositive('errorLog10Range', c.get<number | null>('thresholds.errorLog10Range')),
    },
    debounceMs: Math.max(0, c.get<number>('debounceMs', 150)),
    runBudgetSeconds: nonNegative(c.get<number>('runBudgetSeconds'), 120),
    rules: rulesFromObject(c.get<unknown>('rules')),
  };
}

export async function setBackend(choice: BackendChoice): Promise<void> {
  await vscode.workspace.getConfiguration('depthlens').update('backend', choice, vscode.ConfigurationTarget.Global);
}

export { BACKEND_CHOICES };

function positiveInt(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.floor(v) : fallback;
}

function nonNegative(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
}

function positiveNumber(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}

function optionalPositive<K extends string>(key: K, v: number | null | undefined): { [k in K]?: number } {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? ({ [key]: v } as { [k in K]?: number }) : {};
}
