// Writing a report to a file the user named (`--output FILE`, `report --html FILE`).
import { closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to `file`, whole or not at all (every report file: red team, `-o findings.csv`
 * wrote through a link planted under its name): a temporary file beside it (created exclusively,
 * so never through a link planted under its name), then renamed over it; missing folders are
 * made. An existing symbolic link at `file` is refused, not followed or replaced: in a shared
 * directory a link planted under the name the user gave would otherwise make the report overwrite
 * whatever it points to (any file, when run as root); naming the link's target writes there.
 * Mode 0644 (less the umask): the report is meant to be read and shared, and holds what the JSON
 * report holds, no credentials. Throws an Error whose message names the file and says why.
 */
export function writeOutputFile(file: string, text: string | Uint8Array, option = '--output'): void {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new Error(`${option} ${file}: can't create the folder: ${(e as Error).message}`);
  }
  let existing;
  try {
    existing = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${option} ${file}: ${(e as Error).message}`);
  }
  if (existing?.isSymbolicLink()) throw new Error(`${option} ${file} is a symbolic link: the report is not written through one (give the file it points to)`);
  if (existing && !existing.isFile()) throw new Error(`${option} ${file} is not a regular file`);
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o644);
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    closeSync(fd);
    fd = undefined;
    // rename replaces a link put there since the check rather than writing through it.
    renameSync(temp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw new Error(`${option} ${file}: can't write: ${(e as Error).message}`);
  }
}
