// The browser the HTML report's tests drive: Debian's `chromium` package, through playwright-core
// (which downloads no browser). `npm test` must stay one command on a fresh Debian machine (CI runs
// it as root on a clean clone), so the first test file that needs the browser installs it with
// apt-get. Test files run in parallel processes: an atomic `mkdir` lock makes one of them install
// while the others wait (apt's own lock would make the others fail, not wait).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium, type Browser } from 'playwright-core';
import { acquireInstallLock, releaseInstallLock } from './install-lock';

export const CHROMIUM_PATH = process.env.CLOUDCONFORM_TEST_CHROMIUM ?? '/usr/bin/chromium';

// Outside the work tree: the install is machine-wide, so is its lock.
const LOCK_DIR = join(tmpdir(), 'cloudconform-chromium-install.lock');
const INSTALL_LOG = join(tmpdir(), 'cloudconform-chromium-install.log');
/** apt-get install chromium took ~60 s here (about 90 MB of packages); a waiting process gives up well after that. */
const LOCK_WAIT_MS = 15 * 60_000;

function run(command: string, args: string[], logFd: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}`)),
    );
  });
}

function logTail(): string {
  try {
    return readFileSync(INSTALL_LOG, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

let pending: Promise<void> | undefined;

/**
 * Makes sure Debian's chromium is installed (apt-get, once per machine; root needed). Rejects with
 * apt's last lines when it can't be: the tests that need a browser then fail, saying why.
 */
export function ensureChromium(): Promise<void> {
  pending ??= (async () => {
    if (existsSync(CHROMIUM_PATH)) return;
    await acquireInstallLock(LOCK_DIR, LOCK_WAIT_MS);
    try {
      if (existsSync(CHROMIUM_PATH)) return; // another process installed it while we waited
      const fd = openSync(INSTALL_LOG, 'w');
      const started = Date.now();
      try {
        const install = ['install', '-y', '--no-install-recommends', 'chromium'];
        try {
          await run('apt-get', install, fd);
        } catch {
          // A fresh image has no package lists (or stale ones naming files the mirror dropped).
          await run('apt-get', ['update'], fd);
          await run('apt-get', install, fd);
        }
      } catch (e) {
        throw new Error(`installing Debian's chromium failed (the HTML report tests need it; run as root with apt reachable, or set CLOUDCONFORM_TEST_CHROMIUM): ${(e as Error).message}\n${logTail()}`);
      } finally {
        closeSync(fd);
      }
      if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is missing\n${logTail()}`);
      process.stderr.write(`# chromium installed with apt-get in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } finally {
      releaseInstallLock(LOCK_DIR);
    }
  })();
  return pending;
}

/**
 * Debian's chromium, headless. Tests run as root, where chromium refuses its sandbox; containers
 * give /dev/shm 64 MB, too little for a 13 MB page, so shared memory goes to /tmp.
 */
export async function launchChromium(): Promise<Browser> {
  await ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-dev-shm-usage'], headless: true });
}
