import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface ReadLimits {
  /** Files larger than this are reported, not read. */
  maxFileBytes: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxFileBytes: 8 * 1024 * 1024 };

export type ReadResult = { ok: true; text: string } | { ok: false; reason: string };

/**
 * Reads a file as UTF-8 text, refusing what a template can't be: files over the size limit,
 * binary data (a NUL byte), non-regular files (FIFOs would block).
 */
export function readTextFile(path: string, limits: ReadLimits = DEFAULT_READ_LIMITS): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return { ok: false, reason: describeFsError(e) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: 'not a regular file' };
    if (st.size > limits.maxFileBytes) {
      return { ok: false, reason: `file is ${st.size} bytes, over the ${limits.maxFileBytes}-byte limit (--max-file-size)` };
    }
    const buf = Buffer.allocUnsafe(st.size);
    let read = 0;
    while (read < st.size) {
      const n = readSync(fd, buf, read, st.size - read, read);
      if (n === 0) break;
      read += n;
    }
    const bytes = buf.subarray(0, read);
    if (bytes.includes(0)) return { ok: false, reason: 'binary data (contains NUL bytes), not a text template' };
    let text = bytes.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { ok: true, text };
  } catch (e) {
    return { ok: false, reason: describeFsError(e) };
  } finally {
    closeSync(fd);
  }
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
    default:
      return err?.message ?? String(e);
  }
}
