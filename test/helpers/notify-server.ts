// A local HTTP server standing in for Slack's incoming webhooks and for webhook receivers: it
// records each request (headers, raw body) and answers as the test says — OK, a status, a
// redirect, never (hangs), or an endless body.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Behaviour = (req: Received, res: ServerResponse) => void;

export interface NotifyServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  received: Received[];
  /** How the next requests are answered (default: 200 "ok"). */
  behave(b: Behaviour): void;
  /** Connections the server saw closed (a client that stopped reading an endless body closes it). */
  closedConnections(): number;
  stop(): Promise<void>;
}

export const ok: Behaviour = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');

export async function startNotifyServer(): Promise<NotifyServer> {
  const received: Received[] = [];
  let behaviour: Behaviour = ok;
  const sockets = new Set<Socket>();
  let closed = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      behaviour(r, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      closed++;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    behave: (b) => (behaviour = b),
    closedConnections: () => closed,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
