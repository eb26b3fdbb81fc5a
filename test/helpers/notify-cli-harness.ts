// The built CLI against a local notification receiver, for the notify tests: one receiver per
// test file (answering 200 unless told otherwise, its log cleared before each test), repositories
// holding a copy of examples/, and a CLI runner that does not block this process (the receiver
// answers from here) and leaves out the caller's history, webhook secret and colour settings.
import { after, before, beforeEach } from 'node:test';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ok, startNotifyServer, type NotifyServer } from './notify-server';

export const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(ROOT, 'bin', 'cloudconform.js');

export interface NotifyCliHarness {
  /** The test file's receiver (after `before`). */
  server(): NotifyServer;
  /** The file's temporary directory. */
  work: string;
  /** A new repository holding a copy of examples/. */
  repo(): string;
  run(args: string[], cwd: string, env?: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function useNotifyCliHarness(prefix: string): NotifyCliHarness {
  const work = mkdtempSync(join(tmpdir(), prefix));
  let server: NotifyServer | undefined;
  let n = 0;
  before(async () => (server = await startNotifyServer()));
  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    server!.received.length = 0;
    server!.behave(ok);
  });
  return {
    server: () => server!,
    work,
    repo() {
      const dir = join(work, `r${n++}`);
      mkdirSync(join(dir, '.git'), { recursive: true });
      cpSync(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
      return dir;
    },
    run(args, cwd, env = {}) {
      const { CLOUDCONFORM_DB, CLOUDCONFORM_WEBHOOK_SECRET, NO_COLOR, FORCE_COLOR, ...base } = process.env;
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...base, XDG_DATA_HOME: join(work, 'xdg'), ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c) => (stdout += c));
        child.stderr.on('data', (c) => (stderr += c));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    },
  };
}
