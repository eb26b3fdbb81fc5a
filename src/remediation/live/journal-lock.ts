// One run per journal at a time: `apply` and `resume` hold `JOURNAL.lock`, created exclusively
// (a complete temp file linked into place: it exists whole or not at all) with the holder's pid,
// process start time and host. A second run refuses and names the holder. A lock whose process no
// longer runs (killed, crashed, or its pid reused by another program) is taken over, and the run
// says so; a lock from another host can't be checked, so it is never taken over.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { JournalError } from './journal';

export class JournalLockedError extends JournalError {
  override name = 'JournalLockedError';
}

interface LockInfo {
  pid: number;
  startedAt: string;
  host: string;
  /** Linux: the process's start time in clock ticks since boot (/proc/PID/stat field 22), to tell a reused pid. */
  processStart?: string;
}

function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the holder of `info` still runs (true when it can't be told). */
function holderRuns(info: LockInfo): boolean {
  if (info.host !== hostname()) return true;
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = processStart(info.pid);
  return !(info.processStart && now && now !== info.processStart);
}

function readLock(path: string): { text: string; info?: LockInfo } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    if (Number.isInteger(info?.pid) && info.pid > 0 && typeof info.host === 'string') return { text, info };
  } catch {
    // Not ours: reported below.
  }
  return { text };
}

function describeHolder(info: LockInfo): string {
  return `pid ${info.pid} on ${info.host}, started ${info.startedAt}`;
}

export interface JournalLock {
  path: string;
  /** Set when a stale lock was taken over: what it said. */
  tookOver?: string;
  release(): void;
}

/** Takes the lock of `journalPath`, or throws JournalLockedError naming its holder. */
export function lockJournal(journalPath: string): JournalLock {
  const path = `${journalPath}.lock`;
  const started = processStart(process.pid);
  const mine: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), host: hostname(), ...(started ? { processStart: started } : {}) };
  const text = `${JSON.stringify(mine)}\n`;
  let tookOver: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      throw new JournalError(`${journalPath}: can't lock the journal (${path}): ${(e as Error).message}`);
    }
    try {
      linkSync(temp, path);
      return {
        path,
        ...(tookOver ? { tookOver } : {}),
        release() {
          // Only our own lock: never one taken over from us while we were presumed dead.
          if (readLock(path)?.text === text) rmSync(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new JournalError(`${journalPath}: can't create the lock ${path}: ${(e as Error).message}`);
    } finally {
      rmSync(temp, { force: true });
    }
    const held = readLock(path);
    if (!held) continue;
    if (!held.info) throw new JournalLockedError(`${journalPath}: locked by ${path}, which is not a cloudconform lock; if no cloudconform uses this journal, remove it and run again`);
    if (holderRuns(held.info)) {
      throw new JournalLockedError(
        `${journalPath}: locked by ${describeHolder(held.info)} (${path}): another cloudconform apply or resume is running on this journal; wait for it to end${held.info.host !== hostname() ? ' (its host is another machine, so it can\'t be checked from here: if it is gone, remove the lock)' : ''}`,
      );
    }
    // Stale: one taker at a time, and only the lock that was judged stale.
    const guard = `${path}.takeover`;
    try {
      mkdirSync(guard);
    } catch {
      throw new JournalLockedError(`${journalPath}: another process is taking over its stale lock (${guard}); run again in a moment (remove ${guard} if it stays)`);
    }
    try {
      if (readLock(path)?.text === held.text) rmSync(path, { force: true });
    } finally {
      rmdirSync(guard);
    }
    tookOver = `took over the stale lock of ${describeHolder(held.info)}, which is no longer running`;
  }
  throw new JournalLockedError(`${journalPath}: could not take the lock ${path}: other runs keep taking it`);
}

/** Runs `body` holding the journal's lock; `onNote` hears of a stale lock taken over. */
export async function withJournalLock<T>(journalPath: string, onNote: (line: string) => void, body: () => Promise<T>): Promise<T> {
  const lock = lockJournal(journalPath);
  try {
    if (lock.tookOver) onNote(`${journalPath}: ${lock.tookOver}`);
    return await body();
  } finally {
    lock.release();
  }
}
