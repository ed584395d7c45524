// Validation of Result JSON (DESIGN §3b) against schemas/result.schema.json, for every test that obtains a Result.
import assert from 'node:assert/strict';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import resultSchemaJson from '../schemas/result.schema.json';

export type JsonSchema = { [key: string]: unknown };

/** The published schema, as in the file. */
export const resultSchema: JsonSchema = resultSchemaJson as JsonSchema;

function newAjv(): Ajv {
  // allowUnionTypes: the schema writes a nullable number as type ["number", "null"].
  return new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
}

/**
 * The schema with every object closed: each subschema that lists `properties` and says nothing of `additionalProperties`
 * gets `additionalProperties: false`. The published schema leaves objects open so a copy of it accepts later v1 results
 * with added fields; the tests hold results to this closed form so a field the code writes can't go undocumented.
 */
export function closedSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closedSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) {
    // Property names and literal values are data, not subschemas: copy them as they are.
    if (k === 'properties' || k === 'definitions') {
      out[k] = Object.fromEntries(Object.entries(v as JsonSchema).map(([name, sub]) => [name, closedSchema(sub)]));
    } else if (k === 'enum' || k === 'const' || k === 'required') out[k] = v;
    else out[k] = closedSchema(v);
  }
  if ('properties' in out && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}

let compiled: { published: ValidateFunction; closed: ValidateFunction } | undefined;

/** Both validators, compiled once: the published schema, and the same with every object closed. */
export function resultValidators(): { published: ValidateFunction; closed: ValidateFunction } {
  if (!compiled) {
    const closed = closedSchema(resultSchema) as JsonSchema;
    // A separate $id, so the two never clash should they share an Ajv instance.
    closed['$id'] = String(resultSchema['$id']).replace(/\.json$/, '-closed.json');
    compiled = { published: newAjv().compile(resultSchema), closed: newAjv().compile(closed) };
  }
  return compiled;
}

function describe(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params['additionalProperty'])})` : ''}`).join('; ');
}

/**
 * The errors of `result` as JSON against the schema (published and closed), as "instancePath message" strings; empty when valid.
 * The result goes through JSON first, as the CLI writes it and IPC/postMessage carry it: NaN and ±Infinity become null.
 */
export function resultSchemaErrors(result: unknown): string[] {
  const json: unknown = result === undefined ? undefined : JSON.parse(JSON.stringify(result));
  const { published, closed } = resultValidators();
  const errors: string[] = [];
  if (!published(json)) errors.push(`schema: ${describe(published.errors)}`);
  if (!closed(json)) errors.push(`closed schema: ${describe(closed.errors)}`);
  return errors;
}

/** Fails with ajv's errors (instancePath + message) when `result`, as JSON, does not validate against schemas/result.schema.json. */
export function assertValidResult(result: unknown, label: string): void {
  const errors = resultSchemaErrors(result);
  assert.ok(errors.length === 0, `${label}: the result does not match schemas/result.schema.json: ${errors.join(' | ')}`);
}
