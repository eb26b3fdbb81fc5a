import { setMaxListeners } from 'node:events';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { EC2Client } from '@aws-sdk/client-ec2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { loadConfig } from '@smithy/core/config';
import { NODE_RETRY_MODE_CONFIG_OPTIONS } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import pLimit from 'p-limit';

/** Static credentials or a provider, as every SDK client accepts them. */
export type AwsCredentials = NonNullable<STSClientConfig['credentials']>;
/** An HTTP handler instance (the config also accepts handler options, which this is not). */
export type RequestHandler = Extract<NonNullable<STSClientConfig['requestHandler']>, { handle: unknown }>;

export interface ClientSettings {
  /** `--endpoint-url`. When absent the SDK's own AWS_ENDPOINT_URL(_SERVICE) handling applies. */
  endpoint?: string;
  /** Attempts per call (SDK standard retries: exponential backoff with jitter). Absent: AWS_MAX_ATTEMPTS or 3. */
  maxAttempts?: number;
  /** Shared config profile, for the SDK's own settings (region, retry mode). */
  profile?: string;
  /**
   * `standard` or `adaptive`. Absent: AWS_RETRY_MODE or the profile's `retry_mode`, else adaptive
   * (see DEFAULT_RETRY_MODE).
   */
  retryMode?: string;
  /** Sockets per host: the audit's overall concurrency, so no call waits for a socket. */
  maxSockets: number;
  /** Tests: an in-process handler in place of HTTP. */
  requestHandler?: RequestHandler;
}

/**
 * Runs one API call within the audit's concurrency limit and deadlines: `fn` gets the signal to
 * pass as the SDK's `abortSignal` (see `limitCalls`).
 */
export type CallLimiter = <T>(fn: (abortSignal: AbortSignal) => Promise<T>) => Promise<T>;

/** A call or the audit that ran out of time; its message says which deadline. */
export class DeadlineError extends Error {
  override name = 'Timeout';
  /** The audit's own deadline (--timeout), as opposed to one call's. */
  constructor(
    message: string,
    readonly audit = false,
  ) {
    super(message);
  }
}

/** `90 s`, `30 min`: a deadline as the messages show it. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120 || s % 60 !== 0) return `${s} s`;
  return s % 3600 === 0 ? `${s / 3600} h` : `${s / 60} min`;
}

/**
 * Calls at most `concurrency` at once, each with a total deadline of `callTimeoutMs` from the
 * moment it starts (not while it waits for its turn), and all of them ended when `audit` aborts
 * (the audit's own deadline; its reason is the error the calls end with).
 *
 * Why an AbortSignal: NodeHttpHandler's `requestTimeout` only runs until the response headers
 * arrive, and its socket timeout is an idle timeout, so an answer that trickles one byte every few
 * seconds defeats both. The SDK's `abortSignal` ends the request at any point (while the body is
 * read too), and the SDK's retry loop races its backoff and the adaptive mode's rate-limit waits
 * against it and does not retry an abort: the deadline covers the whole call, retries included.
 * Its cost is an AbortController and a timer per call.
 */
export function limitCalls(concurrency: number, callTimeoutMs: number, audit: AbortSignal): CallLimiter {
  const limit = pLimit(concurrency);
  // One listener per call in flight on the audit's signal, so at most `concurrency`: not a leak.
  setMaxListeners(0, audit);
  return (fn) =>
    limit(async () => {
      if (audit.aborted) throw audit.reason;
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new DeadlineError(`timed out after ${formatDuration(callTimeoutMs)} (--call-timeout: the deadline of one call, retries included)`)),
        callTimeoutMs,
      );
      const onAudit = () => controller.abort(audit.reason);
      audit.addEventListener('abort', onAudit, { once: true });
      // The SDK does not watch the signal everywhere: a send whose credential provider never answers
      // was still waiting 3 s after a 0.5 s abortSignal (checked with SDK 3.1142). The call ends at
      // its deadline even where the SDK would keep waiting, and frees its slot.
      const deadline = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }));
      try {
        return await Promise.race([fn(controller.signal), deadline]);
      } catch (e) {
        // The SDK's AbortError says only "Request aborted": the reason says which deadline.
        throw controller.signal.aborted ? controller.signal.reason : e;
      } finally {
        clearTimeout(timer);
        audit.removeEventListener('abort', onAudit);
      }
    });
}

/**
 * The SDK's adaptive mode: standard retries (backoff with jitter, a retry budget) plus a sending
 * rate per client, which the first throttle turns on and later successes raise again (CUBIC).
 * Each account and region has its own SageMaker client, so a region that throttles slows down
 * alone; in standard mode the same sustained throttling exhausts the retry budget instead, and
 * its notebooks would end up unknown.
 */
const DEFAULT_RETRY_MODE = 'adaptive';

const CONNECTION_TIMEOUT_MS = 10_000;
// Response headers slower than this: the attempt is treated as lost and the SDK retries it like
// any transient failure. The whole call (body, retries) is bounded by limitCalls' deadline.
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Makes the SDK clients of one audit. They share one keep-alive HTTP handler, so connections
 * are reused across accounts and regions and the socket count stays bounded.
 */
export class AwsClientFactory {
  private readonly requestHandler: RequestHandler;
  private readonly retryMode: string | (() => Promise<string>);

  constructor(private readonly settings: ClientSettings) {
    this.retryMode =
      settings.retryMode ?? loadConfig({ ...NODE_RETRY_MODE_CONFIG_OPTIONS, default: DEFAULT_RETRY_MODE }, settings.profile ? { profile: settings.profile } : {});
    const agentOptions = { keepAlive: true, maxSockets: settings.maxSockets };
    this.requestHandler =
      settings.requestHandler ??
      new NodeHttpHandler({
        httpAgent: new HttpAgent(agentOptions),
        httpsAgent: new HttpsAgent(agentOptions),
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        throwOnRequestTimeout: true,
      });
  }

  /**
   * The settings every client of this factory shares (handler, endpoint, retries, profile), for
   * clients it doesn't make itself (remediation's S3 client, which the audit must not load).
   */
  config(region: string, credentials?: AwsCredentials) {
    const { endpoint, maxAttempts, profile } = this.settings;
    // Only what was given: an explicit `undefined` would hide the SDK's environment handling.
    return {
      region,
      requestHandler: this.requestHandler,
      retryMode: this.retryMode,
      ...(credentials ? { credentials } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(maxAttempts ? { maxAttempts } : {}),
      ...(profile ? { profile } : {}),
    };
  }

  sageMaker(region: string, credentials: AwsCredentials): SageMakerClient {
    return new SageMakerClient(this.config(region, credentials));
  }

  ec2(region: string, credentials: AwsCredentials): EC2Client {
    return new EC2Client(this.config(region, credentials));
  }

  /** Always the regional endpoint: tokens from the global one fail in opt-in regions. */
  sts(region: string, credentials: AwsCredentials): STSClient {
    return new STSClient({ ...this.config(region, credentials), useGlobalEndpoint: false });
  }

  organizations(region: string, credentials: AwsCredentials): OrganizationsClient {
    return new OrganizationsClient(this.config(region, credentials));
  }

  /** Closes the shared connections. The clients themselves hold nothing else. */
  destroy(): void {
    this.requestHandler.destroy?.();
  }
}

/** The region from the environment or the profile (AWS_REGION, `region =`), if any. */
export async function configuredRegion(profile: string | undefined): Promise<string | undefined> {
  try {
    return await new STSClient(profile ? { profile } : {}).config.region();
  } catch {
    return undefined; // "Region is missing": the caller picks a default
  }
}
