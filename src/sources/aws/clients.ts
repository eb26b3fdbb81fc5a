import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { EC2Client } from '@aws-sdk/client-ec2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { loadConfig } from '@smithy/core/config';
import { NODE_RETRY_MODE_CONFIG_OPTIONS } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';

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

/** A call made ready within the audit's concurrency limits. */
export type CallLimiter = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * The SDK's adaptive mode: standard retries (backoff with jitter, a retry budget) plus a sending
 * rate per client, which the first throttle turns on and later successes raise again (CUBIC).
 * Each account and region has its own SageMaker client, so a region that throttles slows down
 * alone; in standard mode the same sustained throttling exhausts the retry budget instead, and
 * its notebooks would end up unknown.
 */
const DEFAULT_RETRY_MODE = 'adaptive';

const CONNECTION_TIMEOUT_MS = 10_000;
// A response slower than this is treated as lost: the SDK retries it like any transient failure.
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
