// Sending one message: an HTTP POST (Slack, webhooks) or an SNS Publish. Every send ends: a
// deadline per attempt covers connecting, the answer and its body; at most a few KB of the
// answer are read (a hostile or broken server's endless body is cut); redirects are not
// followed (a 3xx is a failure: a redirect could send the findings, or a signed body, elsewhere).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { printable } from '../reporters/printable';
import { redactUrl } from './targets';

/** One attempt's deadline: connect, send, the status and the first KB of the answer. */
export const DEFAULT_SEND_TIMEOUT_MS = 10_000;
/** Attempts per message: again after a 429, 500, 502, 503, 504 or a refused/reset connection (not after a timeout: the server may have it). */
export const DEFAULT_ATTEMPTS = 3;
/** The most of an answer read (an error's explanation, Slack's `invalid_payload`). */
const MAX_ANSWER_BYTES = 4096;
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRY_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN']);

/** The longest Retry-After honoured (Slack answers 429 with one); a longer one is waited this long. */
const MAX_RETRY_AFTER_MS = 10_000;

export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The server's Retry-After, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface PostOptions {
  timeoutMs?: number;
  attempts?: number;
  /** Waits between attempts (ms); tests shorten them. */
  backoffMs?: readonly number[];
  /** The headers of each attempt (a webhook's signature carries the time of sending). */
  headers: () => Record<string, string>;
}

/** POSTs `body`; resolves with the status on 2xx, else throws a SendError whose message never holds the URL. */
export async function postWithRetries(url: URL, body: string, options: PostOptions): Promise<{ status: number; attempts: number }> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const backoff = options.backoffMs ?? [300, 1200];
  for (let attempt = 1; ; attempt++) {
    try {
      const status = await postOnce(url, body, options.headers(), options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS);
      return { status, attempts: attempt };
    } catch (e) {
      const err = e instanceof SendError ? e : new SendError((e as Error)?.message ?? String(e), false);
      if (!err.retryable || attempt >= attempts) throw attempt > 1 ? new SendError(`${err.message} (after ${attempt} attempts)`, false) : err;
      const wait = Math.max(backoff[Math.min(attempt - 1, backoff.length - 1)] ?? 0, Math.min(err.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function postOnce(url: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(body, 'utf8');
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (error: SendError | undefined, status?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (error) reject(error);
      else resolve(status!);
    };
    const req = send(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        // No keep-alive: the process (or the Lambda invocation) is not held open by an idle socket.
        agent: false,
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length), ...headers },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.on('error', () => {}); // the body cut short by finish(): expected, not an error
        // Delivered: the body says nothing more (and a slow or endless one must not hold us).
        if (status >= 200 && status < 300) return finish(undefined, status);
        if (status >= 300 && status < 400) return finish(new SendError(`answered HTTP ${status} (a redirect): not followed`, false));
        const retryAfter = Number(res.headers['retry-after']);
        const failed = (text: string) =>
          new SendError(`answered HTTP ${status}${text ? `: ${text}` : ''}`, RETRY_STATUS.has(status), Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined);
        // The explanation is read until its first KB, its end, or the deadline: whichever comes first.
        onDeadline = () => finish(failed(answer()));
        const answer = readAnswer(res, url, () => finish(failed(answer())));
      },
    );
    let onDeadline = () => finish(new SendError(`no answer within ${Math.round(timeoutMs / 100) / 10}s`, false));
    const timer = setTimeout(() => onDeadline(), timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish(new SendError(e.code ? `${e.code}${e.syscall ? ` (${e.syscall})` : ''}` : 'connection failed', RETRY_CODES.has(e.code ?? ''))));
    req.end(payload);
  });
}

/**
 * Reads at most MAX_ANSWER_BYTES of the body (the rest is never read), calling `done` at that
 * size or the body's end; the returned function gives what was read so far: one line, escaped.
 */
function readAnswer(res: IncomingMessage, url: URL, done: () => void): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_ANSWER_BYTES) done();
  });
  res.on('end', done);
  res.on('error', done);
  res.on('aborted', done);
  return () => {
    // The URL (a secret) taken out before the cut: a quote of it cut short would not be recognised after.
    const text = redactUrl(Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8').replace(/\s+/g, ' ').trim(), url);
    return printable(text.length > 200 ? `${text.slice(0, 200)}…` : text);
  };
}
