// Lists of integers stored compactly: each value as the zigzag varint of its difference from the
// one before, deflated. A run's finding list is mostly ids that follow each other (bodies are
// stored once, in report order, and a later run reuses them), so 50,000 ids take a few hundred
// bytes instead of 200 KB as 32-bit integers (bench/history-bench.mjs).
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export function encodeInts(values: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(values.length * 10 + 10);
  let at = 0;
  const put = (n: number) => {
    // zigzag for 53-bit safe integers, without 32-bit bit operations
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    while (z >= 0x80) {
      out[at++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    out[at++] = z;
  };
  put(values.length);
  let prev = 0;
  for (const v of values) {
    put(v - prev);
    prev = v;
  }
  return deflateRawSync(out.subarray(0, at));
}

/**
 * A decoded list is at most this large (50,000 findings take about 250 KB), and holds at most
 * MAX_LIST_LENGTH numbers: a crafted blob can't inflate without bound, nor (red team) decode a
 * 97 KB blob into 100 million entries that readers then cloned until V8 aborted at 4.4 GB.
 */
const MAX_DECODED_BYTES = 16 * 1024 * 1024;
/** The most entries a list holds: a run of 1 million findings (a report file is refused at 4 million JSON values). */
export const MAX_LIST_LENGTH = 4_000_000;

export function decodeInts(blob: Uint8Array): number[] {
  const buf = inflateRawSync(blob, { maxOutputLength: MAX_DECODED_BYTES });
  let at = 0;
  const get = (): number => {
    let z = 0;
    let scale = 1;
    for (;;) {
      if (at >= buf.length) throw new RangeError('truncated integer list');
      const b = buf[at++]!;
      z += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  };
  const n = get();
  // Each value takes a byte at least: a count beyond that is damage, not a list to allocate.
  if (n > buf.length - at) throw new RangeError('integer list shorter than its count');
  if (n > MAX_LIST_LENGTH) throw new RangeError(`integer list of ${n} entries, more than a history holds`);
  const values = new Array<number>(n);
  let prev = 0;
  for (let i = 0; i < n; i++) values[i] = prev += get();
  if (at !== buf.length) throw new RangeError('trailing bytes after an integer list');
  return values;
}
