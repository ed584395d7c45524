// The JSON Schema (schemas/depthlens.schema.json) is the single source of truth for keys, limits and defaults.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schemaJson from '../../schemas/depthlens.schema.json';

export type JsonSchema = { [key: string]: unknown };

export const schema: JsonSchema = schemaJson as JsonSchema;

let compiled: ValidateFunction | undefined;

/** Validates plain data against the schema; the validator is compiled on first use. */
export function validateAgainstSchema(data: unknown): ErrorObject[] {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false });
    // Editor-only annotation used by VS Code; not a validation keyword.
    ajv.addVocabulary(['markdownDescription']);
    compiled = ajv.compile(schemaJson);
  }
  return compiled(data) ? [] : [...(compiled.errors ?? [])];
}

function asSchema(value: unknown): JsonSchema | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonSchema) : undefined;
}

/** Follows a local "$ref": "#/definitions/x". */
export function resolveRef(node: JsonSchema): JsonSchema {
  const ref = node['$ref'];
  if (typeof ref !== 'string') return node;
  const name = ref.replace(/^#\/definitions\//, '');
  const target = asSchema(asSchema(schema['definitions'])?.[name]);
  if (!target) throw new Error(`schema: unresolved $ref ${ref}`);
  return { ...resolveRef(target), ...Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$ref')) };
}

/** The schema of a property, following `properties` and `$ref`s: schemaAt('model', 'init'). */
export function schemaAt(...keys: string[]): JsonSchema {
  let node = schema;
  for (const key of keys) {
    const next = asSchema(asSchema(resolveRef(node)['properties'])?.[key]);
    if (!next) throw new Error(`schema: no property ${keys.join('.')}`);
    node = next;
  }
  return resolveRef(node);
}

/** The schema's `default` for a property under the top-level schema, e.g. schemaDefault('model', 'eps'). */
export function schemaDefault(...keys: string[]): unknown {
  const d = schemaAt(...keys)['default'];
  if (d === undefined) throw new Error(`schema: no default for ${keys.join('.')}`);
  return d;
}

/** The schema's `default` for a property of a definition, e.g. definitionDefault('layer', 'dense', 'bias'). */
export function definitionDefault(definition: string, ...keys: string[]): unknown {
  let node = resolveRef({ $ref: `#/definitions/${definition}` });
  for (const key of keys) {
    const next = asSchema(asSchema(node['properties'])?.[key]);
    if (!next) throw new Error(`schema: no property ${definition}.${keys.join('.')}`);
    node = resolveRef(next);
  }
  const d = node['default'];
  if (d === undefined) throw new Error(`schema: no default for ${definition}.${keys.join('.')}`);
  return d;
}

/** Allowed keys of the object schema at a spec path (for "did you mean" hints). */
export function allowedKeys(node: JsonSchema): string[] {
  return Object.keys(asSchema(resolveRef(node)['properties']) ?? {});
}
