// moto server, the AWS API emulator, on a free loopback port: one per test file (or per bench run).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DIE_WITH_PARENT, ensureVenv, venvBin } from './venv';

export interface MotoServer {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  port: number;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** The last lines moto printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** A port the kernel has just handed out on 127.0.0.1 and released. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`moto_server exited with ${child.exitCode ?? child.signalCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer at ${endpoint} within ${timeoutMs} ms`);
}

async function startOnce(port: number): Promise<MotoServer> {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  const child = spawn(venvBin('python'), ['-c', DIE_WITH_PARENT, venvBin('moto_server'), '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  running.add(child);
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  exited.then(() => running.delete(child));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitUntilAnswering(endpoint, child, 30_000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${lines.slice(-20).join('\n')}`);
  }
  return {
    endpoint,
    port,
    log: () => lines.join('\n'),
    reset: async () => {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
    },
    stop,
  };
}

/** Installs the venv when needed, then starts moto on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<MotoServer> {
  await ensureVenv();
  let lastError: unknown;
  // The free port may be taken between our probe and moto's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freeLoopbackPort());
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}
