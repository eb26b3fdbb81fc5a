// The files `cloudconform fix` reads and writes. A file is written only if this run read it, its
// real path is inside the real paths fix was given, and it is still the file that was read:
// under a lock beside it, its identity (device, inode, size, modification time) and content hash
// are checked again just before a temporary file, created exclusively under a random name, is
// renamed over it. Refused are read-only files and hard-linked ones (a rename would cut the file
// from its other names, which may be outside the tree; writing in place is not atomic).
import { compareStrings } from '../../model/report';
import { createHash, randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeSync,
  type BigIntStats,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { decodeText, encodeText, type TextEncoding } from '../../sources/read-file';
import { isInsideAny } from '../../sources/paths';

/** Bounded memory: no template or Terraform file fix edits comes near this. */
const MAX_BYTES = 64 * 1024 * 1024;
/** A lock file without a readable pid, older than this, is left over from a crash. */
const STALE_UNREADABLE_LOCK_MS = 60_000;

interface ReadRecord {
  /** The real path when read: what is written. */
  real: string;
  stat: BigIntStats;
  hash: string;
  encoding: TextEncoding;
  text: string;
}

export class FixFiles {
  private readonly records = new Map<string, ReadRecord>();
  /** Real paths of the paths fix was given. */
  private readonly roots: string[];

  constructor(paths: readonly string[]) {
    this.roots = paths.flatMap((p) => {
      try {
        return [realpathSync(p)];
      } catch {
        return [];
      }
    });
  }

  /** The file's text (decoded: UTF-8 or UTF-16 by its byte-order mark, the mark removed). Throws when it can't be read. */
  read(path: string): string {
    const known = this.records.get(path);
    if (known) return known.text;
    const { bytes, stat } = readBytes(path);
    const decoded = decodeText(bytes);
    if (!decoded.ok) throw new Error(decoded.reason);
    const { text, encoding } = decoded;
    this.records.set(path, { real: realpathSync(path), stat, hash: hashOf(bytes), encoding, text });
    return text;
  }

  /** Why `path` must not be written (a decision for a person), or undefined when it may be. */
  refusal(path: string): string | undefined {
    const record = this.records.get(path);
    if (!record) return `fix did not read ${path} in this run, so it does not write it`;
    if (!this.inside(record.real)) {
      const through = resolve(path) !== record.real ? ` (${path} leads there through a symbolic link)` : '';
      return `${record.real} is outside the paths fix was given (${this.roots.join(', ')})${through}`;
    }
    if (record.stat.nlink > 1n) {
      return `${path} has ${record.stat.nlink} hard links: replacing it would cut it from its other names, which may be outside the tree, and writing in place is not atomic`;
    }
    if (isReadOnly(record)) return `${path} is read-only`;
    // `terraform init` writes .terraform/ and overwrites it: an edit there is lost and fixes nothing
    // in the module's source (a registry or git module); the call's source or version must change.
    if (record.real.split(sep).includes('.terraform')) {
      return `${path} is a downloaded module copy under .terraform/, which terraform init overwrites: fix the module at its source, or pin a version that is fixed`;
    }
    return undefined;
  }

  /** Both paths name one file (a link and its target), as read. */
  sameFile(a: string, b: string): boolean {
    const ra = this.records.get(a);
    const rb = this.records.get(b);
    return ra !== undefined && rb !== undefined && ra.stat.dev === rb.stat.dev && ra.stat.ino === rb.stat.ino;
  }

  /**
   * Writes files that go together (one fix spanning them): all are locked and checked first, then
   * each is replaced. Returns why each file not written was not.
   */
  writeTogether(files: { path: string; text: string }[]): Map<string, string> {
    const failed = new Map<string, string>();
    const locks: string[] = [];
    const fail = (path: string, why: string) => {
      failed.set(path, why);
      for (const other of files) {
        if (other.path !== path && !failed.has(other.path)) failed.set(other.path, `not written: the same fix also changes ${path}, which was not written (${why})`);
      }
    };
    try {
      for (const { path } of [...files].sort((a, b) => compareStrings(this.records.get(a.path)!.real, this.records.get(b.path)!.real))) {
        const record = this.records.get(path)!;
        try {
          locks.push(lock(record.real));
        } catch (e) {
          fail(path, (e as Error).message);
          return failed;
        }
        const changed = changedSince(path, record);
        if (changed) {
          fail(path, changed);
          return failed;
        }
      }
      for (const [i, { path, text }] of files.entries()) {
        const record = this.records.get(path)!;
        try {
          replace(record, encodeText(text, record.encoding));
        } catch (e) {
          // Those already replaced stay written; the rest are not attempted.
          const why = `could not write the fixed file: ${(e as Error).message}`;
          failed.set(path, why);
          for (const rest of files.slice(i + 1)) failed.set(rest.path, `not written: the same fix also changes ${path}, which could not be written (${why})`);
          break;
        }
      }
      return failed;
    } finally {
      for (const l of locks) {
        try {
          unlinkSync(l);
        } catch {
          // gone already: nothing to release
        }
      }
    }
  }

  private inside(real: string): boolean {
    return isInsideAny(real, this.roots);
  }
}

function readBytes(path: string): { bytes: Buffer; stat: BigIntStats } {
  // O_NONBLOCK: a FIFO put where a file was expected must not block the run.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isFile()) throw new Error('not a regular file');
    if (stat.size > BigInt(MAX_BYTES)) throw new Error(`file is ${stat.size} bytes, over the ${MAX_BYTES}-byte limit of fix`);
    const size = Number(stat.size);
    const bytes = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { bytes: bytes.subarray(0, read), stat };
  } finally {
    closeSync(fd);
  }
}

function hashOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isReadOnly(record: ReadRecord): boolean {
  // No write bit at all is read-only even for root, who passes access(2).
  if ((record.stat.mode & 0o222n) === 0n) return true;
  try {
    accessSync(record.real, constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

/** Why the file at `path` is no longer the one read (identity, size, time or content), or undefined. */
function changedSince(path: string, record: ReadRecord): string | undefined {
  const why = `${path} changed since fix read it (another editor or fix run wrote it): not written; run fix again`;
  try {
    if (realpathSync(path) !== record.real) return why;
    const { bytes, stat } = readBytes(record.real);
    const was = record.stat;
    if (stat.dev !== was.dev || stat.ino !== was.ino || stat.size !== was.size || stat.mtimeNs !== was.mtimeNs) return why;
    if (hashOf(bytes) !== record.hash) return why;
    return undefined;
  } catch (e) {
    return `${path} can no longer be read (${(e as Error).message}): not written`;
  }
}

/**
 * Replaces the file by renaming a temporary file over it. The temporary file is created with
 * O_EXCL under a random name in the file's directory, so no name planted there (a link to
 * elsewhere) is ever written through; it takes the mode (and, as root, the owner) the file had when read.
 */
function replace(record: ReadRecord, bytes: Buffer): void {
  const dir = dirname(record.real);
  let temp = '';
  let fd = -1;
  for (let attempt = 0; fd < 0; attempt++) {
    temp = join(dir, `.${basename(record.real)}.cloudconform-${randomBytes(8).toString('hex')}.tmp`);
    try {
      fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 4) throw e;
    }
  }
  try {
    try {
      // Owner first: chown clears the setuid and setgid bits, which the mode then restores.
      if (process.getuid?.() === 0) fchownSync(fd, Number(record.stat.uid), Number(record.stat.gid));
      fchmodSync(fd, Number(record.stat.mode & 0o7777n));
      // No fsync: it cost 6.5 ms a file (5 s of the bench's 804 files); ext4 and XFS flush a file
      // renamed over another before the rename is durable, so a crash leaves the old or the new text.
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, record.real);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // never created or already renamed
    }
    throw e;
  }
}

/**
 * An exclusive lock on a file for the duration of a write: `.NAME.cloudconform-lock` beside it,
 * created with O_EXCL and holding our pid. A lock whose process is gone is removed and taken.
 */
function lock(real: string): string {
  const path = join(dirname(real), `.${basename(real)}.cloudconform-lock`);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return path;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`could not lock it (${path}): ${(e as Error).message}`);
    }
    const holder = lockHolder(path);
    if (holder.stale && attempt === 0) {
      try {
        unlinkSync(path);
      } catch {
        // another run removed it first
      }
      continue;
    }
    throw new Error(holder.message);
  }
}

function lockHolder(path: string): { stale: boolean; message: string } {
  const busy = (who: string) => ({ stale: false, message: `another cloudconform fix (${who}) is writing it (lock ${path}): not written; run fix again` });
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return { stale: true, message: '' }; // released meanwhile
  }
  if (!st.isFile()) return { stale: false, message: `${path} is in the way of fix's lock and is not one: remove it, then run fix again` };
  let pid = NaN;
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(32);
      pid = Number.parseInt(buf.subarray(0, readSync(fd, buf, 0, 32, 0)).toString('utf8'), 10);
    } finally {
      closeSync(fd);
    }
  } catch {
    // unreadable: judged by its age below
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    return Date.now() - st.mtimeMs > STALE_UNREADABLE_LOCK_MS ? { stale: true, message: '' } : busy('starting');
  }
  try {
    process.kill(pid, 0);
    return busy(`pid ${pid}`);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? busy(`pid ${pid}`) : { stale: true, message: '' };
  }
}
