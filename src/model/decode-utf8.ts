import type { Finding } from '../findings/finding.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The byte offset of the first invalid UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > bytes.length) return i;
    try {
      decoder.decode(bytes.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return i;
}

/**
 * Input files are UTF-8: invalid bytes are an error at their byte offset (and line), never a
 * silent U+FFFD that would differ from what a reviewer sees.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): { text?: string; findings: Finding[] } {
  try {
    return { text: decoder.decode(bytes), findings: [] };
  } catch {
    const offset = firstInvalidByte(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    return {
      findings: [
        {
          code: 'E_ENCODING',
          severity: 'error',
          message: `${file} is not UTF-8: invalid byte 0x${bytes[offset]?.toString(16).padStart(2, '0') ?? '??'} at byte offset ${offset}`,
          where: { file, line, col: offset - lineStart + 1 },
          hint: 'save the file as UTF-8',
        },
      ],
    };
  }
}
