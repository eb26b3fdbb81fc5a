import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

// Every text input of a scan (templates, plans, .tf, tfvars, .cloudconform.yml, modules.json,
// file() targets) is read here, so each gets the same refusals and the same decoding. It lives
// under sources/ because sources read files themselves and don't import the engine.

export interface ReadLimits {
  /** Files larger than this are reported, not read. */
  maxFileBytes: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxFileBytes: 8 * 1024 * 1024 };

/**
 * How a text file was stored, so a tool that writes it back (fix) can keep it:
 * `encodeText(text, encoding)` gives the bytes again, byte-order mark included.
 */
export type TextEncoding = 'utf8' | 'utf8-bom' | 'utf16le-bom' | 'utf16be-bom';

export type ReadResult = { ok: true; text: string; encoding: TextEncoding } | { ok: false; reason: string };

/**
 * Opening a FIFO blocks until a writer comes, and a terminal would become our controlling one:
 * O_NONBLOCK and O_NOCTTY (0 where the platform has no such flag) keep an open from waiting
 * or attaching if a file is swapped for one between the stat and the open.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Reads a text file the scan opens by itself. Refuses, without opening it, anything that is not
 * a regular file (a FIFO would block the scan forever, a device never ends, opening one may act),
 * files over the size limit, and binary data; decodes UTF-8 and UTF-16 by their byte-order mark.
 * The stat before the open costs ~3.5 µs a file (25 ms for the 7,000 templates of the bench
 * corpus), less than the walk saved.
 */
export function readTextFile(path: string, limits: ReadLimits = DEFAULT_READ_LIMITS): ReadResult {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return { ok: false, reason: describeFsError(e) };
  }
  const refused = refusal(st, limits);
  if (refused) return { ok: false, reason: refused };
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    return { ok: false, reason: describeFsError(e) };
  }
  try {
    // The path may name another file by now: judge what was opened.
    const opened = fstatSync(fd);
    const changed = refusal(opened, limits);
    if (changed) return { ok: false, reason: changed };
    const buf = Buffer.allocUnsafe(opened.size);
    let read = 0;
    while (read < opened.size) {
      const n = readSync(fd, buf, read, opened.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return decodeText(buf.subarray(0, read));
  } catch (e) {
    return { ok: false, reason: describeFsError(e) };
  } finally {
    closeSync(fd);
  }
}

function refusal(st: Stats, limits: ReadLimits): string | undefined {
  if (!st.isFile()) return `not a regular file (${fileKind(st)}), not read`;
  if (st.size > limits.maxFileBytes) return overLimit(st.size, limits);
  return undefined;
}

function overLimit(size: number, limits: ReadLimits, atLeast = false): string {
  return `${atLeast ? 'more than' : 'file is'} ${size} bytes, over the ${limits.maxFileBytes}-byte limit (--max-file-size)`;
}

/** What a non-regular file is, in words (from a stat or a directory entry). */
export function fileKind(st: Pick<Stats, 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket' | 'isDirectory' | 'isSymbolicLink'>): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a file';
}

/**
 * Reads a stream (standard input, a pipe named on the command line) up to the size limit: more
 * than the limit stops the reading there, so memory stays bounded whatever is sent.
 */
export async function readTextStream(chunks: AsyncIterable<Buffer | string>, limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<ReadResult> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of chunks) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      // Leaving the loop destroys the stream: nothing more is read.
      if (size > limits.maxFileBytes) return { ok: false, reason: overLimit(limits.maxFileBytes, limits, true) };
      parts.push(bytes);
    }
  } catch (e) {
    return { ok: false, reason: describeFsError(e) };
  }
  return decodeText(Buffer.concat(parts, size));
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const UTF16LE_BOM = Buffer.from([0xff, 0xfe]);
const UTF16BE_BOM = Buffer.from([0xfe, 0xff]);

/**
 * Text from bytes: UTF-8, or UTF-8 / UTF-16 LE / UTF-16 BE with a byte-order mark (PowerShell 5's
 * `terraform show -json > plan.json` writes UTF-16 LE with one); the mark is not part of the text.
 * A NUL character means binary data, not a template.
 */
export function decodeText(bytes: Buffer): ReadResult {
  let text: string;
  let encoding: TextEncoding;
  if (startsWith(bytes, UTF16LE_BOM) || startsWith(bytes, UTF16BE_BOM)) {
    encoding = bytes[0] === 0xff ? 'utf16le-bom' : 'utf16be-bom';
    const body = bytes.subarray(2);
    if (body.length % 2 !== 0) return { ok: false, reason: 'UTF-16 text with an odd number of bytes (truncated?), not read' };
    text = encoding === 'utf16le-bom' ? body.toString('utf16le') : Buffer.from(body).swap16().toString('utf16le');
    if (text.includes('\0')) return binary();
  } else {
    if (bytes.includes(0)) return binary();
    encoding = startsWith(bytes, UTF8_BOM) ? 'utf8-bom' : 'utf8';
    text = bytes.toString('utf8', encoding === 'utf8-bom' ? 3 : 0);
  }
  return { ok: true, text, encoding };
}

/** The bytes of `text` stored as `encoding` (the inverse of `decodeText`). */
export function encodeText(text: string, encoding: TextEncoding): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'utf8-bom':
      return Buffer.concat([UTF8_BOM, Buffer.from(text, 'utf8')]);
    case 'utf16le-bom':
      return Buffer.concat([UTF16LE_BOM, Buffer.from(text, 'utf16le')]);
    case 'utf16be-bom':
      return Buffer.concat([UTF16BE_BOM, Buffer.from(text, 'utf16le').swap16()]);
  }
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

function binary(): ReadResult {
  return { ok: false, reason: 'binary data (contains NUL bytes), not a text template' };
}

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'ENAMETOOLONG':
      return 'path too long for the operating system';
    case 'EAGAIN':
      return 'would block (not a regular file)';
    default:
      return err?.message ?? String(e);
  }
}
