/** What the audit needs to know about an AWS SDK error, and how it is written into a report. */
import type { ScanReport } from '../../model/report';

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

/**
 * AWS key ids (access keys AKIA/ASIA, and the other IAM unique-id prefixes: roles AROA, users AIDA,
 * groups AGPA, policies ANPA/ANVA, certificates ASCA, public keys APKA, ...), matched anywhere,
 * not only at a word boundary: `key_AKIA...` is a key id too.
 */
const KEY_ID = /(?:A3T[A-Z0-9]|ABIA|ACCA|AGPA|AIDA|AIPA|AKIA|ANPA|ANVA|APKA|AROA|ASCA|ASIA)[A-Z0-9]{12,}/g;
/**
 * Session tokens: base64 runs of 100 characters or more, whatever they contain.
 * Secret access keys: 40 characters of base64 (`A-Za-z0-9/+`), often glued to other text, so any
 * run of 40 or more is a candidate, redacted when it has both upper- and lower-case letters:
 * random base64 of that length lacks one case with a probability below 1e-8, while hexadecimal
 * hashes (a commit id is 40 characters), lower-case names and numbers have one case only and stay.
 * The trade-off: an opaque mixed-case string of 40 to 99 characters with no `-`, `.`, `_` or `:` in
 * it (an unusual resource name in an ARN's last part) is redacted too.
 */
const LONG_TOKEN = /[A-Za-z0-9/+]{100,}={0,2}/g;
const SECRET_KEY = /[A-Za-z0-9/+]{40,}={0,2}/g;
/** `scheme://user:password@host`: the user info goes, the host stays. */
// Bounded repeats keep the match linear on hostile text (no scheme is 32 characters long).
const URL_USER_INFO = /([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/)[^\s/?#@]{0,512}@/g;
const MAX_MESSAGE = 500;
/** What is read of an error message: enough for MAX_MESSAGE after redaction, bounded for a hostile endpoint's. */
const MAX_READ = 8 * MAX_MESSAGE;

/**
 * Removes credentials from text bound for any output (report entries, notes, messages, standard
 * error, journals): key ids, secret keys and session tokens, and the user info of URLs. Nothing
 * read from AWS, or from an endpoint posing as AWS, is needed with its credentials to understand it.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_USER_INFO, '$1***@')
    .replace(LONG_TOKEN, '[token redacted]')
    .replace(SECRET_KEY, (run) => (/[a-z]/.test(run) && /[A-Z]/.test(run) ? '[secret redacted]' : run))
    .replace(KEY_ID, '[access key id redacted]');
}

/**
 * `ThrottlingException: Rate exceeded (after 3 attempts)`: one line, no credentials, never the
 * request or response. Attempts are shown when the SDK retried, so an exhausted retry is visible.
 */
export function describeAwsError(e: unknown): string {
  const err = (e ?? {}) as SdkErrorShape;
  const code = awsErrorCode(e);
  let raw = typeof err.message === 'string' ? err.message : String(e);
  // A cut through a base64 run would leave part of a secret too short to be recognised: cut before it.
  if (raw.length > MAX_READ) raw = raw.slice(0, MAX_READ).replace(/[A-Za-z0-9/+=]+$/, '');
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

/**
 * Everything a report says that came from AWS (or from an endpoint posing as it, or an event), with
 * credentials removed: error entries, notes and finding messages reach every format, the --output
 * files and the terminal, so the audit and the event handler redact their reports here, once.
 */
export function redactReport(report: ScanReport): ScanReport {
  return {
    ...report,
    findings: report.findings.map((f) => ({ ...f, message: redactSecrets(f.message) })),
    errors: report.errors.map((e) => ({ ...e, message: redactSecrets(e.message) })),
    ...(report.notes ? { notes: report.notes.map((n) => ({ ...n, message: redactSecrets(n.message) })) } : {}),
  };
}
