// Reader for NumPy .npy files (format versions 1–3): little-endian <f4 <f8 <i4 <i8 and |u1, C order, 1-D or 2-D.
import type { SpecPath } from '../../shared/findings';
import { DataError } from './errors';
import type { NumericTable } from './table';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

type Dtype = '<f4' | '<f8' | '<i4' | '<i8' | '|u1';
const ITEM_SIZE: Record<Dtype, number> = { '<f4': 4, '<f8': 8, '<i4': 4, '<i8': 8, '|u1': 1 };

interface NpyHeader {
  dtype: Dtype;
  shape: number[];
  dataOffset: number;
}

export function parseNpy(bytes: Uint8Array, file: string, path: SpecPath): NumericTable {
  const header = parseHeader(bytes, file, path);
  const { shape, dtype } = header;
  if (shape.length !== 1 && shape.length !== 2) {
    throw new DataError(`${file}: array has ${shape.length} dimensions (shape (${shape.join(', ')})); expected 1 or 2`, path, file);
  }
  const rows = shape[0];
  const columns = shape.length === 2 ? shape[1] : 1;
  const count = rows * columns;
  const needed = count * ITEM_SIZE[dtype];
  if (bytes.length - header.dataOffset < needed) {
    throw new DataError(`${file}: truncated: shape (${shape.join(', ')}) of ${dtype} needs ${needed} data bytes, the file has ${bytes.length - header.dataOffset}`, path, file);
  }
  const values = readValues(bytes, header.dataOffset, dtype, count);
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(values[i])) {
      const r = Math.floor(i / columns);
      throw new DataError(`${file}: row index ${r}, column ${(i % columns) + 1}: ${values[i]} is not a finite number`, path, file);
    }
  }
  return { file, rows, columns, values, rowName: (r) => `row index ${r}`, ndim: shape.length };
}

function parseHeader(bytes: Uint8Array, file: string, path: SpecPath): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataError(`${file}: not a .npy file (bad magic: expected \\x93NUMPY)`, path, file);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataError(`${file}: truncated .npy header`, path, file);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DataError(`${file}: unsupported .npy format version ${major}.${bytes[7]}`, path, file);
  }
  if (headerStart + headerLength > bytes.length) throw new DataError(`${file}: truncated .npy header`, path, file);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError(`${file}: malformed .npy header (need descr, fortran_order and shape): ${text.trim().slice(0, 120)}`, path, file);
  }
  if (fortran === 'True') {
    throw new DataError(`${file}: Fortran-order arrays are not supported; save it in C order (numpy.ascontiguousarray)`, path, file);
  }
  if (!(descr in ITEM_SIZE)) {
    const hint = descr.startsWith('>') ? ' (big-endian; convert with arr.astype(arr.dtype.newbyteorder("<")))' : '';
    throw new DataError(`${file}: dtype ${descr} is not supported${hint}; use one of ${Object.keys(ITEM_SIZE).join(' ')}`, path, file);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+L?$/.test(s) ? parseInt(s, 10) : NaN));
  if (shape.some((n) => !Number.isSafeInteger(n))) throw new DataError(`${file}: malformed shape (${shapeText}) in .npy header`, path, file);
  return { dtype: descr as Dtype, shape, dataOffset: headerStart + headerLength };
}

function readValues(bytes: Uint8Array, offset: number, dtype: Dtype, count: number): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * ITEM_SIZE[dtype]);
  const out = new Float64Array(count);
  switch (dtype) {
    case '<f4':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case '<f8':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case '<i4':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      break;
    case '<i8':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      break;
    case '|u1':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
  }
  return out;
}
