/** What the audit needs to know about an AWS SDK error, and how it is written into a report. */

/** Audit options that contradict each other or can't be right; raised before any call is made. */
export class AuditOptionsError extends Error {
  override name = 'AuditOptionsError';
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** The service's error code (`ThrottlingException`, `AccessDeniedException`...), or the error's name or Node code. */
export function awsErrorCode(e: unknown): string {
  const err = (e ?? {}) as SdkErrorShape;
  for (const candidate of [err.Code, err.name, err.code]) {
    if (typeof candidate === 'string' && candidate && candidate !== 'Error') return candidate;
  }
  return 'Error';
}

// Access key ids and session tokens are never needed to understand an error; keep them out of reports.
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g;
const LONG_TOKEN = /[A-Za-z0-9/+=]{100,}/g;
const MAX_MESSAGE = 500;

export function redactSecrets(text: string): string {
  return text.replace(ACCESS_KEY_ID, '[access key id redacted]').replace(LONG_TOKEN, '[token redacted]');
}

/**
 * `ThrottlingException: Rate exceeded (after 3 attempts)`: one line, no credentials, never the
 * request or response. Attempts are shown when the SDK retried, so an exhausted retry is visible.
 */
export function describeAwsError(e: unknown): string {
  const err = (e ?? {}) as SdkErrorShape;
  const code = awsErrorCode(e);
  const raw = typeof err.message === 'string' ? err.message : String(e);
  let message = redactSecrets(raw.replace(/\s+/g, ' ').trim());
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE)}…`;
  const attempts = err.$metadata?.attempts;
  const retried = typeof attempts === 'number' && attempts > 1 ? ` (after ${attempts} attempts)` : '';
  if (!message || message === code) return `${code}${retried}`;
  return `${code}: ${message}${retried}`;
}

/** Answered in a region that is not enabled for the account (or where the credentials' token is not valid). */
export function isRegionUnavailable(e: unknown): boolean {
  const code = awsErrorCode(e);
  return code === 'UnrecognizedClientException' || code === 'InvalidClientTokenId';
}

/**
 * A resource deleted between the list and the describe: SageMaker answers `ValidationException`
 * ("RecordNotFound", "... does not exist") for notebooks and `ResourceNotFound` for domains.
 */
export function isResourceGone(e: unknown): boolean {
  const code = awsErrorCode(e);
  if (code === 'ResourceNotFound' || code === 'ResourceNotFoundException') return true;
  const message = String((e as SdkErrorShape)?.message ?? '');
  return code === 'ValidationException' && /RecordNotFound|does not exist|not found/i.test(message);
}
