// Spec paths ("model.layers[1].repeat") to and from segment lists, and from ajv's JSON pointers.
import type { SpecPath } from '../shared/findings';

export type PathSegment = string | number;

export function formatPath(segments: readonly PathSegment[]): SpecPath {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

export function parsePath(path: SpecPath): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) segments.push(Number(m[2]));
    else if (m[1] !== undefined) segments.push(m[1]);
  }
  return segments;
}

export function childPath(parent: SpecPath, key: PathSegment): SpecPath {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** The path one level up; '' for a top-level key. */
export function parentPath(path: SpecPath): SpecPath {
  return formatPath(parsePath(path).slice(0, -1));
}

/** ajv instancePath ("/model/layers/0/dense") → spec path, using the data to tell array indices from keys. */
export function pointerToPath(pointer: string, data: unknown): SpecPath {
  const segments: PathSegment[] = [];
  let node: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const i = Number(key);
      segments.push(i);
      node = node[i];
    } else {
      segments.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return formatPath(segments);
}
