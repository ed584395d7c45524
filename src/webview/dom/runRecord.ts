// The report's run record: what it takes to reproduce the numbers (spec text, versions, machine, time, options).
import { backendText } from '../../shared/backendText';
import type { RunRecord } from '../../shared/panelHtml';
import type { Result } from '../../shared/result';
import { h, icon } from './h';

/** The CLI command that reruns the record's options on the spec (the quick caps of the CLI may differ: said in its title). */
export function reproduceCommand(record: RunRecord, specPath: string): string {
  const o = record.options;
  const file = /^[\w./-]+$/.test(specPath) ? specPath : `'${specPath.replace(/'/g, `'\\''`)}'`;
  const parts = ['depthlens analyze', file];
  if (typeof o.backend === 'string') parts.push(`--backend ${o.backend}`);
  if (typeof o.seeds === 'number') parts.push(`--seeds ${o.seeds}`);
  if (o['quick.maxDepth'] !== undefined) parts.push('--quick');
  else if (o.sweep === false) parts.push('--no-sweep');
  if (o.train === false && o['quick.maxDepth'] === undefined) parts.push('--no-train');
  return parts.join(' ');
}

export function renderRunRecord(parent: HTMLElement, record: RunRecord, result: Result): void {
  const m = record.machine;
  const row = (term: string, value: string): HTMLElement[] => [h('dt', {}, term), h('dd', {}, value)];
  const options = Object.entries(record.options).map(([k, v]) => `${k} = ${String(v)}`).join(', ') || 'not recorded';
  parent.append(
    h(
      'section',
      { class: 'card run-record', id: 'run-record', 'aria-labelledby': 'title-record' },
      h('header', { class: 'card-header' }, h('h2', { id: 'title-record' }, icon('history'), ' Run record')),
      h(
        'dl',
        { class: 'record' },
        ...row('Created', record.createdAt),
        ...row('Produced by', `${record.producedBy}, DepthLens ${record.depthlensVersion}`),
        ...row('Backend', backendText(result.backend)),
        ...row('Machine', `${m.platform} ${m.arch}, ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}`),
        ...row('Options', options),
        ...row('Reproduce', reproduceCommand(record, result.spec.path)),
      ),
      h('details', { class: 'record-spec' }, h('summary', {}, 'Spec text as run'), h('pre', { class: 'spec-text' }, record.specText)),
    ),
  );
}
