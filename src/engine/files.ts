import { createReadStream, fstatSync, statSync } from 'node:fs';
import { readTextStream, type ReadLimits, type ReadResult } from '../sources/read-file';

// The reading primitives live in sources/read-file.ts (sources read files too and don't import
// the engine); the engine's modules import them from here.
export {
  DEFAULT_READ_LIMITS,
  decodeText,
  describeFsError,
  encodeText,
  readTextFile,
  type ReadLimits,
  type ReadResult,
  type TextEncoding,
} from '../sources/read-file';

/** `-` on the command line: standard input. */
export const STDIN_PATH = '-';
/** How standard input is named in reports. */
export const STDIN_NAME = '<stdin>';

/**
 * Reads an input the user named on the command line that is not a regular file: `-` (standard
 * input), `/dev/stdin`, a named pipe, `<(…)`. The user asked for it, so it is read even though it
 * may wait for a writer, but only up to the size limit.
 */
export function readNamedStream(path: string, limits: ReadLimits): Promise<ReadResult> {
  return readTextStream(path === STDIN_PATH || isStandardInput(path) ? process.stdin : createReadStream(path), limits);
}

/**
 * `/dev/stdin`, `/dev/fd/0`: our standard input is read through its descriptor, as it can't
 * always be opened again by name (a socket, as Node's child processes get, can't).
 */
function isStandardInput(path: string): boolean {
  try {
    const named = statSync(path);
    const stdin = fstatSync(0);
    return named.dev === stdin.dev && named.ino === stdin.ino;
  } catch {
    return false;
  }
}
