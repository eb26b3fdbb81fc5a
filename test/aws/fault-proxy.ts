// A small HTTP proxy of our own between the AWS SDK and moto (loopback only). It logs every call
// (service and region from the SigV4 credential scope, action from X-Amz-Target or the query
// protocol's Action field, account from the access key id, status) and injects the faults moto
// can't produce: throttling, access denied, regions not enabled, 500s, dropped connections and slow
// answers, each matched by action, region, account or request parameter, N times or always.
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/** moto's account for credentials it did not issue (`testing`, anything else). */
export const MOTO_DEFAULT_ACCOUNT = '123456789012';

export type FaultKind =
  /** 400 (EC2: 503) with the service's throttling error: ThrottlingException, Throttling, RequestLimitExceeded. */
  | 'throttle'
  /** AccessDeniedException / AccessDenied / UnauthorizedOperation. */
  | 'access-denied'
  /** What a region not enabled for the account answers: UnrecognizedClientException / InvalidClientTokenId / AuthFailure. */
  | 'not-enabled'
  /** 500 InternalFailure (EC2: InternalError). */
  | 'server-error'
  /** The connection is destroyed without an answer. */
  | 'drop'
  /** The request waits `delayMs`, then goes through. */
  | 'delay'
  /** `status`, `code` and `message` as given, in the service's error format. */
  | 'error'
  /** moto answers, then `rewrite` changes the JSON answer: API states moto can't reach (a Failed notebook). */
  | 'rewrite'
  /**
   * moto is not asked: `respond` makes the JSON answer (status 200). For APIs moto doesn't
   * implement, answered from a small state model of the test's own (UpdateNotebookInstance).
   */
  | 'respond'
  /**
   * moto answers; the headers go out at once, then the body one byte every `intervalMs` (default
   * 5000): an answer that never idles long enough for a socket idle timeout to end it.
   */
  | 'trickle'
  /** moto is not asked: `status` (default 200), `contentType` and `body` are sent exactly as given (junk answers). */
  | 'raw';

export interface CallInfo {
  /** The SigV4 signing name: sagemaker, ec2, sts, organizations. */
  service: string;
  region: string;
  /** The API operation, e.g. `ListNotebookInstances`. */
  action: string;
  accessKeyId: string;
  /** The account the access key belongs to (moto's default unless learned from an AssumeRole). */
  account: string;
  /** Request parameters (JSON body or form fields; nested values as JSON). */
  params: Record<string, unknown>;
}

export interface FaultRule {
  fault: FaultKind;
  /** Operation name (`DescribeNotebookInstance`) or IAM action (`sagemaker:DescribeNotebookInstance`); any of a list. */
  action?: string | string[];
  service?: string;
  region?: string | string[];
  /** The caller's account. */
  account?: string | string[];
  /** sts:AssumeRole: the account of the role being assumed. */
  targetAccount?: string | string[];
  /** Parameters that must be equal, e.g. `{ NotebookInstanceName: 'nb-1' }`. */
  params?: Record<string, string>;
  when?: (call: CallInfo) => boolean;
  /** For `rewrite`: takes moto's parsed JSON answer (JSON protocols only), returns the answer to send. */
  rewrite?: (answer: Record<string, unknown>, call: CallInfo) => Record<string, unknown>;
  /**
   * For `rewrite` (JSON protocols): changes the request's parameters before moto sees them, e.g.
   * to take out a NextToken the proxy made up, so moto answers its first page again.
   */
  request?: (params: Record<string, unknown>, call: CallInfo) => Record<string, unknown>;
  /**
   * For `respond`: the JSON answer to send in moto's place. Throwing a `RespondError` answers
   * with that error instead, in the service's error format (a state model's validation).
   */
  respond?: (call: CallInfo) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Runs before a matching call is forwarded (with fault `delay`), e.g. to delete the notebook a
   * describe is about to ask for: what happens when a resource goes away mid-audit.
   */
  beforeForward?: (call: CallInfo) => Promise<void>;
  /** How many matching calls get the fault (default: all). */
  times?: number;
  delayMs?: number;
  /** For `trickle`: milliseconds between two bytes of the body. */
  intervalMs?: number;
  /** For `raw`: the body and its content type. */
  body?: string;
  contentType?: string;
  status?: number;
  code?: string;
  message?: string;
}

export interface ActiveRule extends FaultRule {
  /** Calls that got this fault so far. */
  hits: number;
}

export interface LoggedCall extends CallInfo {
  /** `service:Action`, as an IAM policy names it. */
  iamAction: string;
  status: number | 'dropped';
  fault?: FaultKind;
  ms: number;
  /** The parsed JSON answer (JSON protocols), when the proxy was started with `logAnswers`. */
  answer?: Record<string, unknown>;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  log: LoggedCall[];
  addRule(rule: FaultRule): ActiveRule;
  clearRules(): void;
  clearLog(): void;
  /** Latency added to every request (the benchmark's 50 ms). */
  setLatency(ms: number): void;
  /**
   * Record/replay, for benchmarks: `record` keeps every successful answer by request (credentials,
   * region, path, body); `replay` answers a request seen before from that record, after the
   * latency, without asking moto: timed runs then measure the client, not the emulator's CPU.
   */
  setReplay(mode: 'off' | 'record' | 'replay'): void;
  /** Answers served from the record since the last clearLog(). */
  replayed(): number;
  /** The most calls in flight at once since the last clearLog(): overall, and per `account/region`. */
  peakInFlight(): { overall: number; byRegion: Record<string, number> };
  /** Declares which account an access key belongs to (AssumeRole answers are learned automatically). */
  mapAccessKey(accessKeyId: string, account: string): void;
  stop(): Promise<void>;
}

/** Thrown by a `respond` function: the proxy answers with this error as AWS would. */
export class RespondError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/**
 * A `when` that models an API's request-rate limit as AWS applies it: a token bucket per account
 * and region (`burst` tokens, refilled at `perSecond`); a call that finds it empty is matched
 * (throttled). Throttled calls take no token, as with AWS.
 */
export function overRate(perSecond: number, burst: number): (call: CallInfo) => boolean {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (call) => {
    const key = `${call.account}/${call.region}`;
    const now = performance.now();
    const bucket = buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  };
}

function asList(v: string | string[] | undefined): string[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

export function parseCall(headers: IncomingMessage['headers'], body: string, accounts: Map<string, string>, method?: string, url?: string): CallInfo {
  const scope = CREDENTIAL_SCOPE.exec(String(headers.authorization ?? ''));
  const accessKeyId = scope?.[1] ?? '';
  const region = scope?.[2] ?? '';
  const service = scope?.[3] ?? '';
  let action = '';
  let params: Record<string, unknown> = {};
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    action = target.slice(target.lastIndexOf('.') + 1);
    try {
      params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } catch {
      params = {};
    }
  } else if (service === 's3' && method !== undefined) {
    ({ action, params } = s3Call(method, url ?? '/'));
  } else if (service === 'securityhub' && method !== undefined) {
    ({ action, params } = securityHubCall(method, url ?? '/', body));
  } else {
    const form = new URLSearchParams(body);
    action = form.get('Action') ?? '';
    for (const [k, v] of form) if (k !== 'Action' && k !== 'Version') params[k] = v;
  }
  return { service, region, action, accessKeyId, account: accounts.get(accessKeyId) ?? MOTO_DEFAULT_ACCOUNT, params };
}

/** Security Hub's REST-JSON protocol names no action: the ones the exporter calls, from the method and path. */
function securityHubCall(method: string, url: string, body: string): { action: string; params: Record<string, unknown> } {
  const { pathname } = new URL(url, 'http://securityhub');
  const actions: Record<string, string> = {
    'POST /findings/import': 'BatchImportFindings',
    'POST /findings': 'GetFindings',
    'GET /accounts': 'DescribeHub',
    'POST /accounts': 'EnableSecurityHub',
    'DELETE /accounts': 'DisableSecurityHub',
  };
  let params: Record<string, unknown> = {};
  try {
    params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
  } catch {
    params = {};
  }
  return { action: actions[`${method} ${pathname}`] ?? `${method} ${pathname}`, params };
}

/** S3's REST protocol names no action: the common ones from the method and path-style URL. */
function s3Call(method: string, url: string): { action: string; params: Record<string, unknown> } {
  const { pathname, searchParams } = new URL(url, 'http://s3');
  const [bucket = '', ...keyParts] = pathname.slice(1).split('/');
  const key = decodeURIComponent(keyParts.join('/'));
  const params: Record<string, unknown> = { ...(bucket ? { Bucket: decodeURIComponent(bucket) } : {}), ...(key ? { Key: key } : {}) };
  const onObject = key !== '';
  const actions: Record<string, [string, string]> = {
    HEAD: ['HeadBucket', 'HeadObject'],
    GET: [searchParams.has('list-type') || !bucket ? (bucket ? 'ListObjectsV2' : 'ListBuckets') : 'ListObjects', 'GetObject'],
    PUT: ['CreateBucket', 'PutObject'],
    DELETE: ['DeleteBucket', 'DeleteObject'],
    POST: ['PostBucket', 'PostObject'],
  };
  return { action: actions[method]?.[onObject ? 1 : 0] ?? method, params };
}

function matches(rule: ActiveRule, call: CallInfo): boolean {
  if (rule.times !== undefined && rule.hits >= rule.times) return false;
  const actions = asList(rule.action);
  if (actions && !actions.some((a) => a === call.action || a.toLowerCase() === `${call.service}:${call.action}`.toLowerCase())) return false;
  if (rule.service && rule.service !== call.service) return false;
  const regions = asList(rule.region);
  if (regions && !regions.includes(call.region)) return false;
  const accounts = asList(rule.account);
  if (accounts && !accounts.includes(call.account)) return false;
  const targets = asList(rule.targetAccount);
  if (targets) {
    const roleAccount = /^arn:[^:]+:iam::(\d{12}):/.exec(String(call.params.RoleArn ?? ''))?.[1];
    if (!roleAccount || !targets.includes(roleAccount)) return false;
  }
  if (rule.params && !Object.entries(rule.params).every(([k, v]) => String(call.params[k] ?? '') === v)) return false;
  if (rule.when && !rule.when(call)) return false;
  return true;
}

type Protocol = 'json' | 'ec2' | 'query';

function protocolOf(headers: IncomingMessage['headers'], service: string): Protocol {
  // REST-JSON services answer errors as the JSON protocols do (x-amzn-errortype, `__type`).
  if (typeof headers['x-amz-target'] === 'string' || service === 'securityhub') return 'json';
  return service === 'ec2' ? 'ec2' : 'query';
}

/** The error code and status each fault has in each protocol, as AWS answers. */
function errorFor(rule: FaultRule, protocol: Protocol, service: string): { status: number; code: string; message: string } {
  switch (rule.fault) {
    case 'throttle':
      if (protocol === 'ec2') return { status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' };
      if (protocol === 'query') return { status: 400, code: 'Throttling', message: 'Rate exceeded' };
      return { status: 400, code: service === 'organizations' ? 'TooManyRequestsException' : 'ThrottlingException', message: 'Rate exceeded' };
    case 'access-denied':
      if (protocol === 'ec2') return { status: 403, code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' };
      if (protocol === 'query') return { status: 403, code: 'AccessDenied', message: 'User is not authorized to perform this action (injected)' };
      return { status: 400, code: 'AccessDeniedException', message: 'User is not authorized to perform this action (injected)' };
    case 'not-enabled':
      if (protocol === 'ec2') return { status: 401, code: 'AuthFailure', message: 'AWS was not able to validate the provided access credentials' };
      if (protocol === 'query') return { status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' };
      return { status: 400, code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    case 'server-error':
      return { status: 500, code: protocol === 'ec2' ? 'InternalError' : 'InternalFailure', message: 'An internal error occurred (injected)' };
    default:
      return { status: rule.status ?? 400, code: rule.code ?? 'ValidationException', message: rule.message ?? 'Injected error' };
  }
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function sendError(res: ServerResponse, protocol: Protocol, err: { status: number; code: string; message: string }): void {
  const requestId = randomUUID();
  let body: string;
  let type: string;
  if (protocol === 'json') {
    body = JSON.stringify({ __type: err.code, message: err.message });
    type = 'application/x-amz-json-1.1';
    res.setHeader('x-amzn-errortype', err.code);
  } else if (protocol === 'ec2') {
    body = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
    type = 'text/xml;charset=UTF-8';
  } else {
    body = `<ErrorResponse><Error><Type>${err.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    type = 'text/xml';
  }
  res.writeHead(err.status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId });
  res.end(body);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FaultProxyOptions {
  /** moto's endpoint, `http://127.0.0.1:PORT`. */
  target: string;
  latencyMs?: number;
  /** Keep every call in `log` (default true; the benchmark turns it off for its big runs). */
  logCalls?: boolean;
  /** Also keep each JSON answer in its log entry (`answer`), to check what a client saw and when. */
  logAnswers?: boolean;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error(`the fault proxy forwards to loopback only, not ${target.host}`);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const rules: ActiveRule[] = [];
  const accounts = new Map<string, string>();
  let latencyMs = options.latencyMs ?? 0;
  const log: LoggedCall[] = [];
  const logCalls = options.logCalls ?? true;
  let replayMode: 'off' | 'record' | 'replay' = 'off';
  const recorded = new Map<string, { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>();
  let replayedCount = 0;
  let inFlight = 0;
  let peak = 0;
  const inFlightByRegion = new Map<string, number>();
  const peakByRegion = new Map<string, number>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks)));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const started = Date.now();
    const call = parseCall(req.headers, body.toString('utf8'), accounts, req.method, req.url);
    const entry: LoggedCall = { ...call, iamAction: `${call.service}:${call.action}`, status: 0, ms: 0 };
    if (logCalls && call.service) log.push(entry);
    const where = `${call.account}/${call.region}`;
    inFlight++;
    peak = Math.max(peak, inFlight);
    inFlightByRegion.set(where, (inFlightByRegion.get(where) ?? 0) + 1);
    peakByRegion.set(where, Math.max(peakByRegion.get(where) ?? 0, inFlightByRegion.get(where)!));
    let finished = false;
    const finish = (status: LoggedCall['status'], fault?: FaultKind) => {
      entry.status = status;
      entry.fault = fault;
      entry.ms = Date.now() - started;
      if (!finished) {
        finished = true;
        inFlight--;
        inFlightByRegion.set(where, inFlightByRegion.get(where)! - 1);
      }
    };
    const rule = call.service ? rules.find((r) => matches(r, call)) : undefined;
    if (rule) rule.hits++;
    if (latencyMs > 0) await sleep(latencyMs);
    if (rule?.fault === 'delay') {
      const wait = rule.delayMs ?? (rule.beforeForward ? 0 : 1000);
      if (wait > 0) await sleep(wait);
      if (rule.beforeForward) await rule.beforeForward(call).catch(() => undefined);
    }
    if (rule && rule.fault === 'drop') {
      finish('dropped', 'drop');
      req.socket.destroy();
      return;
    }
    if (rule?.fault === 'respond' && rule.respond) {
      let answer: Record<string, unknown>;
      try {
        answer = await rule.respond(call);
      } catch (e) {
        if (!(e instanceof RespondError)) throw e;
        finish(e.status, 'respond');
        sendError(res, protocolOf(req.headers, call.service), { status: e.status, code: e.code, message: e.message });
        return;
      }
      const text = JSON.stringify(answer);
      if (options.logAnswers) entry.answer = answer;
      finish(200, 'respond');
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
      res.end(text);
      return;
    }
    if (rule?.fault === 'raw') {
      const text = rule.body ?? '';
      finish(rule.status ?? 200, 'raw');
      res.writeHead(rule.status ?? 200, { 'content-type': rule.contentType ?? 'text/xml', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
      res.end(text);
      return;
    }
    if (rule?.fault === 'rewrite' && rule.request && typeof req.headers['x-amz-target'] === 'string') {
      body = Buffer.from(JSON.stringify(rule.request(JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>, call)));
    }
    if (rule && rule.fault !== 'delay' && rule.fault !== 'rewrite' && rule.fault !== 'trickle') {
      const err = errorFor(rule, protocolOf(req.headers, call.service), call.service);
      finish(err.status, rule.fault);
      sendError(res, protocolOf(req.headers, call.service), err);
      return;
    }
    const recordKey = replayMode === 'off' ? '' : `${call.accessKeyId}|${call.region}|${call.service}|${req.method} ${req.url}|${req.headers['x-amz-target'] ?? ''}|${body.toString('utf8')}`;
    const replay = replayMode === 'replay' ? recorded.get(recordKey) : undefined;
    if (replay) {
      replayedCount++;
      finish(replay.status, rule?.fault);
      res.writeHead(replay.status, { ...replay.headers, 'x-amzn-requestid': randomUUID() });
      res.end(replay.body);
      return;
    }
    const headers = { ...req.headers, host: target.host, ...(rule?.request ? { 'content-length': String(body.length) } : {}) };
    const upstream = httpRequest(
      { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent },
      (up) => {
        const parts: Buffer[] = [];
        up.on('data', (c: Buffer) => parts.push(c));
        up.on('end', () => {
          let answer = Buffer.concat(parts);
          if (rule?.fault === 'rewrite' && rule.rewrite && up.statusCode === 200) {
            answer = Buffer.from(JSON.stringify(rule.rewrite(JSON.parse(answer.toString('utf8')) as Record<string, unknown>, call)));
          }
          if (call.action === 'AssumeRole' && up.statusCode === 200) learnAssumedRole(call, answer.toString('utf8'));
          if (options.logAnswers && typeof req.headers['x-amz-target'] === 'string') {
            try {
              entry.answer = JSON.parse(answer.toString('utf8')) as Record<string, unknown>;
            } catch {
              // not JSON: nothing to keep
            }
          }
          const outHeaders = { ...up.headers };
          delete outHeaders['transfer-encoding'];
          delete outHeaders.connection;
          outHeaders['content-length'] = String(answer.length);
          if (replayMode !== 'off' && up.statusCode === 200) recorded.set(recordKey, { status: 200, headers: outHeaders, body: answer });
          finish(up.statusCode ?? 0, rule?.fault);
          res.writeHead(up.statusCode ?? 502, outHeaders);
          if (rule?.fault === 'trickle') trickle(res, answer, rule.intervalMs ?? 5000);
          else res.end(answer);
        });
        up.on('error', () => {
          finish('dropped');
          req.socket.destroy();
        });
      },
    );
    upstream.on('error', (e) => {
      finish(502);
      if (!res.headersSent) sendError(res, protocolOf(req.headers, call.service), { status: 502, code: 'ProxyError', message: e.message });
    });
    upstream.end(body);
  }

  /** Writes `answer` one byte at a time until it is all out or the client hangs up. */
  function trickle(res: ServerResponse, answer: Buffer, intervalMs: number): void {
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed || sent >= answer.length) {
        clearInterval(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(answer.subarray(sent, sent + 1));
      sent++;
    }, intervalMs);
    res.on('close', () => clearInterval(timer));
  }

  function learnAssumedRole(call: CallInfo, xml: string): void {
    const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(xml)?.[1];
    const account = /^arn:[^:]+:iam::(\d{12}):/.exec(String(call.params.RoleArn ?? ''))?.[1];
    if (key && account) accounts.set(key, account);
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    log,
    addRule(rule) {
      const active: ActiveRule = { ...rule, hits: 0 };
      rules.push(active);
      return active;
    },
    clearRules: () => void rules.splice(0),
    clearLog: () => {
      log.splice(0);
      replayedCount = 0;
      peak = inFlight;
      peakByRegion.clear();
    },
    peakInFlight: () => ({ overall: peak, byRegion: Object.fromEntries(peakByRegion) }),
    setReplay: (mode) => void (replayMode = mode),
    replayed: () => replayedCount,
    setLatency: (ms) => void (latencyMs = ms),
    mapAccessKey: (key, account) => void accounts.set(key, account),
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
        agent.destroy();
      }),
  };
}
