// Schema validation: ajv errors → DL001 problems with the range a person needs to look at.
import type { ErrorObject } from 'ajv';
import { describeValue, didYouMean, listOr, typeNoun } from './messages';
import { childPath, pointerToPath } from './paths';
import { keyRange, valueRange } from './source-map';
import { resolveRef, validateAgainstSchema, type JsonSchema } from './schema';
import type { SourceMap } from './types';
import type { Range, SpecPath } from '../shared/findings';

export interface PathProblem {
  path: SpecPath;
  range: Range;
  message: string;
}

function label(path: SpecPath): string {
  return path === '' ? 'spec' : path;
}

function jsType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeAccepts(type: string, value: unknown): boolean {
  const t = jsType(value);
  return type === t || (type === 'number' && t === 'integer');
}

/** What one branch of an anyOf accepts, in words. */
function describeBranch(branch: JsonSchema): string {
  const b = resolveRef(branch);
  if ('const' in b) return JSON.stringify(b['const']);
  if (Array.isArray(b['enum'])) return `a name (${(b['enum'] as unknown[]).map(String).join(', ')})`;
  const t = b['type'];
  if (typeof t === 'string') return typeNoun(t);
  if (Array.isArray(t)) return listOr(t.map((x) => typeNoun(String(x))));
  return 'a valid value';
}

/** Whether an error at an anyOf's own path only says "wrong branch" (a type mismatch), not what is wrong inside a branch. */
function isBranchMismatch(e: ErrorObject): boolean {
  if (e.keyword === 'type') return true;
  // A failed const branch says only "not this literal"; the combined "expected X or Y" message says more.
  if (e.keyword === 'const') return true;
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return !allowed.some((v) => typeAccepts(jsType(v), e.data));
  }
  return false;
}

function messageFor(e: ErrorObject, path: SpecPath): string {
  const p = e.params as Record<string, unknown>;
  const value = describeValue(e.data);
  switch (e.keyword) {
    case 'type': {
      const t = p['type'];
      const types = Array.isArray(t) ? t.map(String) : [String(t)];
      return `${label(path)}: expected ${listOr(types.map(typeNoun))}, got ${value}`;
    }
    case 'enum': {
      const allowed = (p['allowedValues'] as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return `${label(path)}: ${value} is not one of ${allowed.join(', ')}${hint}`;
    }
    case 'const':
      if (path === 'depthlens') return `depthlens: unsupported format version ${value} (this DepthLens reads version 1)`;
      return `${label(path)}: ${value} must be ${JSON.stringify(p['allowedValue'])}`;
    case 'maximum':
      return `${label(path)}: ${value} is larger than the maximum ${String(p['limit'])}`;
    case 'minimum':
      return `${label(path)}: ${value} is smaller than the minimum ${String(p['limit'])}`;
    case 'exclusiveMaximum':
      return `${label(path)}: ${value} must be less than ${String(p['limit'])}`;
    case 'exclusiveMinimum':
      return `${label(path)}: ${value} must be greater than ${String(p['limit'])}`;
    case 'maxItems':
      return `${label(path)}: ${(e.data as unknown[]).length} items is more than the maximum ${String(p['limit'])}`;
    case 'minItems':
      return `${label(path)}: needs at least ${String(p['limit'])} item${p['limit'] === 1 ? '' : 's'}`;
    case 'maxLength':
      return `${label(path)}: text longer than ${String(p['limit'])} characters`;
    case 'minLength':
      return `${label(path)}: must not be empty`;
    case 'minProperties':
      return `${label(path)}: must not be empty`;
    default:
      return `${label(path)}: ${e.message ?? 'invalid value'}`;
  }
}

/** Validates `data` against the schema; every error becomes one problem (deduplicated), in document order of ajv. */
export function schemaProblems(data: unknown, source: SourceMap, skip: ReadonlySet<SpecPath> = new Set()): PathProblem[] {
  const errors = validateAgainstSchema(data);
  const problems: PathProblem[] = [];
  const seen = new Set<string>();
  const add = (path: SpecPath, range: Range, message: string): void => {
    if (skip.has(path) || seen.has(message)) return;
    seen.add(message);
    problems.push({ path, range, message });
  };

  // Group by anyOf so a value of the wrong shape gets one message listing what is accepted.
  const anyOfAt = new Map<string, ErrorObject>();
  for (const e of errors) if (e.keyword === 'anyOf') anyOfAt.set(e.instancePath, e);

  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'anyOf') continue;
    const path = pointerToPath(e.instancePath, data);
    const anyOf = anyOfAt.get(e.instancePath);
    if (anyOf && isBranchMismatch(e)) continue;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const where = path === '' ? 'at the top level' : `in ${path}`;
        const keyPath = childPath(path, key);
        add(keyPath, keyRange(source, keyPath), `${keyPath}: unknown key "${key}" ${where}${didYouMean(key, allowed)}; allowed: ${allowed.join(', ')}`);
        break;
      }
      case 'required': {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        add(path, keyRange(source, path), `${label(path)}: missing required key "${missing}"`);
        break;
      }
      case 'dependencies': {
        const p = e.params as { property: string; missingProperty: string };
        add(path, keyRange(source, childPath(path, p.property)), `${label(path)}: "${p.property}" needs "${p.missingProperty}" beside it`);
        break;
      }
      default:
        add(path, valueRange(source, path), messageFor(e, path));
    }
  }

  // anyOf values whose every branch failed on shape alone get one message; the others were reported above.
  const reportedUnder = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'anyOf' || (anyOfAt.has(e.instancePath) && isBranchMismatch(e))) continue;
    const parts = e.instancePath.split('/');
    for (let i = 1; i <= parts.length; i++) reportedUnder.add(parts.slice(0, i).join('/'));
  }
  for (const [pointer, e] of anyOfAt) {
    if (reportedUnder.has(pointer)) continue;
    const path = pointerToPath(pointer, data);
    const branches = (e.schema as JsonSchema[]).map(describeBranch);
    add(path, valueRange(source, path), `${label(path)}: expected ${listOr(branches)}, got ${describeValue(e.data)}`);
  }
  return problems;
}
