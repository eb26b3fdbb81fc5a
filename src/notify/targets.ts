// Where notifications go (`--notify sns=ARN|slack=URL|webhook=URL`) and which findings they carry
// (`--notify-on`, `--notify-risk`, `--notify-rule`, `--notify-tag`). Everything is checked before
// the run starts, so a typo costs no scan. A Slack or webhook URL is a secret (whoever has it can
// post): it is never printed — messages show its scheme and host only (`https://hooks.slack.com/…`).
import { RISK_ORDER, type Risk } from '../rules/rule';
import type { ChangeKind } from '../history/types';
import { html } from '../reporters/html/escape';

export type NotifyChannel =
  | { kind: 'sns'; topicArn: string; region: string; fifo: boolean; shown: string }
  | { kind: 'slack' | 'webhook'; url: URL; shown: string };

/** A target or filter that can't be used: bad usage (exit 2). The message never holds a URL's path or query. */
export class NotifyTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotifyTargetError';
  }
}

const KINDS = ['sns', 'slack', 'webhook'] as const;

// arn:PARTITION:sns:REGION:ACCOUNT:TOPIC — topic names are 1-256 of [A-Za-z0-9_-], `.fifo` for FIFO topics.
const TOPIC_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):sns:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):([A-Za-z0-9_-]{1,256}?)(\.fifo)?$/;

/** Plain http only to this machine (a local relay, tests): elsewhere the URL (a secret) and the findings would cross the network in the clear. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * `sns=ARN`, `slack=URL`, `webhook=URL`. The URL may be given as `env:NAME`: read from that
 * environment variable, so it is not on the command line (visible to other users in `ps`).
 */
export function parseNotifyTarget(spec: string, env: NodeJS.ProcessEnv = process.env): NotifyChannel {
  const eq = spec.indexOf('=');
  const kind = spec.slice(0, Math.max(eq, 0)).trim().toLowerCase() as (typeof KINDS)[number];
  if (eq < 1 || !KINDS.includes(kind)) {
    // The spec is not quoted: it may be a bare secret URL.
    throw new NotifyTargetError(`--notify: expected sns=TOPIC_ARN, slack=URL or webhook=URL (a URL may be env:VARIABLE)`);
  }
  let value = spec.slice(eq + 1).trim();
  const fromEnv = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(value);
  if (fromEnv) {
    const read = env[fromEnv[1]!];
    if (!read) throw new NotifyTargetError(`--notify ${kind}=env:${fromEnv[1]}: the environment variable ${fromEnv[1]} is not set`);
    value = read.trim();
  }
  if (kind === 'sns') {
    const m = TOPIC_ARN.exec(value);
    if (!m) throw new NotifyTargetError(`--notify sns=…: expected a topic ARN such as arn:aws:sns:us-east-1:111122223333:security-findings`);
    return { kind, topicArn: value, region: m[2]!, fifo: m[5] !== undefined, shown: `sns ${value}` };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new NotifyTargetError(`--notify ${kind}=…: not a URL`);
  }
  const host = `${url.protocol}//${url.host}`;
  const shown = `${kind} ${host}/…`;
  if (url.username || url.password) throw new NotifyTargetError(`--notify ${kind} ${host}/…: a user name or password in the URL is refused (it would be sent to the server and shown in logs)`);
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new NotifyTargetError(`--notify ${kind} ${host}/…: plain http is allowed only to this machine (127.0.0.1, ::1, localhost); use https`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new NotifyTargetError(`--notify ${kind}=…: only https URLs are sent to`);
  url.hash = '';
  return { kind, url, shown };
}

/**
 * A list of targets from one string (CLOUDCONFORM_NOTIFY, the Lambda's setting): separated by
 * whitespace, or by commas before the next `KIND=` (a URL's query may hold commas).
 */
export function parseNotifyTargets(text: string, env: NodeJS.ProcessEnv = process.env): NotifyChannel[] {
  return text
    .split(/[\s,]+(?=(?:sns|slack|webhook)=)|\s+/i)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => parseNotifyTarget(s, env));
}

/**
 * Replaces each channel's URL, and its path and query alone, with `…` (an error message from a
 * socket or a server may quote them). Applied to every message about a channel.
 */
export function redactChannels(text: string, channels: readonly NotifyChannel[]): string {
  let out = text;
  for (const c of channels) if (c.kind !== 'sns') out = redactUrl(out, c.url, false);
  return out;
}

/**
 * `text` without `url` (whole: `scheme://host/…`) nor its path and query, as they are,
 * percent-decoded and HTML-escaped (a receiver's error page quotes them so); with `parts` (a
 * server's answer, before it is cut) also each path segment and query value of 4 characters or
 * more on its own, since a quote cut short keeps the part before the cut.
 */
export function redactUrl(text: string, url: URL, parts = true): string {
  let out = text;
  const origin = `${url.protocol}//${url.host}`;
  const secret = `${url.pathname}${url.search}`;
  const variants = (s: string) => {
    const decoded = decodeURIComponentSafe(s);
    return [s, decoded, html(s), html(decoded)];
  };
  for (const s of [url.href, decodeURIComponentSafe(url.href), html(url.href)]) out = out.split(s).join(`${origin}/…`);
  if (secret.length > 1) for (const s of variants(secret)) out = out.split(s).join('/…');
  if (!parts) return out;
  const pieces = new Set<string>();
  for (const segment of url.pathname.split('/')) for (const v of variants(segment)) pieces.add(v);
  for (const [key, value] of url.searchParams) for (const v of [...variants(key), ...variants(value), ...variants(encodeURIComponent(value))]) pieces.add(v);
  for (const p of [...pieces].filter((p) => p.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(p).join('…');
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A resource tag a finding must carry: `KEY` (any value) or `KEY=VALUE`. */
export interface TagFilter {
  key: string;
  value?: string;
}

/** Which findings a notification carries. */
export interface NotifyFilters {
  /** Changes notified (default `new`, `regressed`). */
  on: ChangeKind[];
  /** The lowest risk notified (default: every risk). */
  minRisk?: Risk;
  /** Only these rules (canonical ids; default: every rule). */
  ruleIds?: string[];
  /** Every one of these tags (default: no tag condition). */
  tags?: TagFilter[];
}

/** `--notify-on`: the changes a notification can carry. */
export const NOTIFY_ON: readonly ChangeKind[] = ['new', 'regressed', 'still-failing', 'resolved', 'suppression-expired'];
export const DEFAULT_NOTIFY_ON: readonly ChangeKind[] = ['new', 'regressed'];

/** The filter options as the CLI (or the Lambda's environment) gives them. */
export interface NotifyFilterSpec {
  notifyOn?: string[];
  notifyRisk?: string;
  notifyRule?: string[];
  notifyTag?: string[];
}

/** Filters from their option spellings; `findRule` turns an id or alias into the canonical id (undefined: no such rule). */
export function parseNotifyFilters(spec: NotifyFilterSpec, findRule: (id: string) => string | undefined): NotifyFilters {
  const on = spec.notifyOn?.length ? spec.notifyOn.flatMap((s) => s.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean) : [...DEFAULT_NOTIFY_ON];
  for (const kind of on) {
    if (!NOTIFY_ON.includes(kind as ChangeKind)) throw new NotifyTargetError(`--notify-on: '${kind}' is not one of ${NOTIFY_ON.join(', ')}`);
  }
  const filters: NotifyFilters = { on: [...new Set(on)] as ChangeKind[] };
  if (spec.notifyRisk !== undefined) {
    const wanted = spec.notifyRisk.trim().toLowerCase().replace(/[ _]/g, '-');
    const risk = RISK_ORDER.find((r) => r.toLowerCase().replace(' ', '-') === wanted);
    if (!risk) throw new NotifyTargetError(`--notify-risk: '${spec.notifyRisk}' is not a risk level (${RISK_ORDER.map((r) => r.toLowerCase().replace(' ', '-')).join(', ')})`);
    filters.minRisk = risk;
  }
  if (spec.notifyRule?.length) {
    filters.ruleIds = spec.notifyRule.flatMap((s) => s.split(',')).map((id) => {
      const found = findRule(id.trim());
      if (!found) throw new NotifyTargetError(`--notify-rule: no rule '${id.trim()}' (see 'cloudconform rules')`);
      return found;
    });
  }
  if (spec.notifyTag?.length) {
    filters.tags = spec.notifyTag.map((t) => {
      const eq = t.indexOf('=');
      const key = (eq < 0 ? t : t.slice(0, eq)).trim();
      if (!key) throw new NotifyTargetError(`--notify-tag '${t}': expected KEY or KEY=VALUE`);
      return eq < 0 ? { key } : { key, value: t.slice(eq + 1) };
    });
  }
  return filters;
}
