// One install at a time across parallel test files (the moto venv, Debian's chromium): a lock
// directory made atomically, holding its owner's pid; a lock whose owner is gone is broken.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_POLL_MS = 250;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockAgeMs(lockDir: string): number {
  try {
    return Date.now() - statSync(lockDir).mtimeMs;
  } catch {
    return 0;
  }
}

/** Takes the lock at `lockDir` (its parent must exist), waiting at most `waitMs` for another holder. */
export async function acquireInstallLock(lockDir: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    } catch {
      // The owner has made the directory but not yet written its pid: wait.
    }
    const ownerGone = Number.isInteger(owner) && owner > 0 ? !pidAlive(owner) : lockAgeMs(lockDir) > 10_000;
    if (ownerGone) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir} (held by pid ${owner}); remove it if no install is running`);
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
}

export function releaseInstallLock(lockDir: string): void {
  rmSync(lockDir, { recursive: true, force: true });
}
