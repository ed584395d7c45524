// What a spec file's bytes are when they are not UTF-8 (issue 16 item 8): UTF-16 (a byte order mark, or a NUL in every
// other byte) or a single-byte encoding such as Latin-1 (a byte UTF-8 does not allow). Said plainly instead of "binary".

export interface EncodingProblem {
  message: string;
  /** 0-based line of the first offending byte. */
  line: number;
}

/** Null when `bytes` are valid UTF-8 text without NUL bytes (or plainly binary: left to the parser's own check). */
export function encodingProblem(bytes: Uint8Array): EncodingProblem | null {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const order = bytes[0] === 0xff ? 'little-endian' : 'big-endian';
    return { message: `is not UTF-8 (looks like UTF-16 ${order}: it starts with a UTF-16 byte order mark); save it as UTF-8`, line: 0 };
  }
  const utf16 = utf16Order(bytes);
  if (utf16) return { message: `is not UTF-8 (looks like UTF-16 ${utf16}: every other byte is NUL); save it as UTF-8`, line: 0 };
  if (looksBinary(bytes)) return null;
  const bad = firstInvalidUtf8(bytes);
  if (bad === -1) return null;
  let line = 0;
  for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) line++;
  const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0');
  return {
    message: `is not UTF-8 (line ${line + 1} has the byte 0x${byte}, which UTF-8 text cannot have there; it looks like Latin-1 or Windows-1252); save it as UTF-8`,
    line,
  };
}

/** NUL bytes or many control characters: not text in any encoding (the parser says "binary"). */
function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return control > 0.01 * n;
}

/** ASCII text in UTF-16 has a NUL in nearly every other byte: in the odd bytes (little-endian) or the even ones (big-endian). */
function utf16Order(bytes: Uint8Array): 'little-endian' | 'big-endian' | null {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul >= 0.6 * pairs && evenNul <= 0.1 * pairs) return 'little-endian';
  if (evenNul >= 0.6 * pairs && oddNul <= 0.1 * pairs) return 'big-endian';
  return null;
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    // The second byte's range excludes overlongs (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
    min = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    if (b === 0xed) max = 0x9f;
    if (b === 0xf4) max = 0x8f;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < min || c > max) return i;
      min = 0x80;
      max = 0xbf;
    }
    i += need + 1;
  }
  return -1;
}
