// What a notification says: the findings a run's comparison selects (filters in targets.ts), and
// the message each kind of channel gets — Slack text, a JSON document (webhooks, and SNS's
// machine subscribers), plain text (SNS email). Every message is bounded: past the budget the
// rest is counted by rule, never cut mid-item. Names, tags, ids and messages come from templates
// and AWS, so each channel's text escapes them (Slack: no link, mention or markup can come from them).
import { compareFindings, compareStrings, findingKey, liveIdentityOf, type Finding, type ScanReport } from '../model/report';
import type { ChangeKind, RunComparison } from '../history/types';
import { RISK_ORDER } from '../rules/rule';
import { printable, safeJson } from '../reporters/printable';
import type { NotifyFilters } from './targets';
import { OUTBOX_KEPT_DAYS, OUTBOX_MAX_FINDINGS } from '../history/outbox';

export interface NotifyItem {
  change: ChangeKind;
  finding: Finding;
  /** Kept pending by an earlier run whose message its channel did not take (the outbox): that run. */
  late?: { runId: string; startedAt: string };
}

/** The outbox's counts for one channel's message (findings). */
export interface OutboxCounts {
  late: number;
  dropped: number;
  expired: number;
  settled: number;
}

/** What one run gives every channel to say. */
export interface Digest {
  run?: ScanReport['run'];
  /** Worst first: risk, then change, then the report's order. */
  items: NotifyItem[];
  /** Findings the tag filter could not judge: their tags are unknown (see selectItems). */
  tagsUnknown: number;
  /** With the outbox: late items in this message, and what was let go. */
  outbox?: OutboxCounts;
}

/**
 * The findings to notify: the comparison's changes of the kinds asked for (failures only for
 * `new`, `regressed` and `still-failing`), filtered by risk, rule and tags. Without a comparison
 * (no history), every failure that is not suppressed counts as `new`. `tagsOf` gives a finding's
 * tags when they are known; with a tag filter, a finding whose tags are unknown is left out and
 * counted in `tagsUnknown` (it can't be said to carry the tag).
 */
export function selectItems(
  comparison: RunComparison | undefined,
  report: ScanReport,
  filters: NotifyFilters,
  tagsOf: (f: Finding) => Record<string, string> | undefined,
): Digest {
  const candidates: NotifyItem[] = comparison
    ? comparison.changes.filter((c) => filters.on.includes(c.change)).map((c) => ({ change: c.change, finding: c.finding }))
    : filters.on.includes('new')
      ? report.findings.filter((f) => f.result === 'fail' && !f.suppressed).map((finding) => ({ change: 'new' as const, finding }))
      : [];
  const min = filters.minRisk ? RISK_ORDER.indexOf(filters.minRisk) : 0;
  const rules = filters.ruleIds ? new Set(filters.ruleIds) : undefined;
  let tagsUnknown = 0;
  const items = candidates.filter(({ change, finding }) => {
    if ((change === 'new' || change === 'regressed' || change === 'still-failing') && (finding.result !== 'fail' || finding.suppressed)) return false;
    if (RISK_ORDER.indexOf(finding.risk) < min) return false;
    if (rules && !rules.has(finding.ruleId)) return false;
    if (filters.tags?.length) {
      const tags = tagsOf(finding);
      if (!tags) {
        tagsUnknown++;
        return false;
      }
      return filters.tags.every((t) => Object.prototype.hasOwnProperty.call(tags, t.key) && (t.value === undefined || tags[t.key] === t.value));
    }
    return true;
  });
  return { run: report.run ?? comparison?.current, items: sortItems(items), tagsUnknown };
}

/** Worst first: risk, then change, then the report's order. */
export function sortItems(items: NotifyItem[]): NotifyItem[] {
  const changeOrder = (c: ChangeKind) => ['regressed', 'new', 'suppression-expired', 'still-failing', 'resolved'].indexOf(c);
  return items.sort(
    (a, b) => RISK_ORDER.indexOf(b.finding.risk) - RISK_ORDER.indexOf(a.finding.risk) || changeOrder(a.change) - changeOrder(b.change) || compareFindings(a.finding, b.finding),
  );
}

/** `2 new, 1 regressed` (in the order of `kinds`). */
export function countsPhrase(items: readonly NotifyItem[]): string {
  const counts = new Map<ChangeKind, number>();
  for (const i of items) counts.set(i.change, (counts.get(i.change) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
}

/** What was left out of a message past its budget: `SageMaker-004: 30, SageMaker-005: 10`. */
function byRule(items: readonly NotifyItem[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.finding.ruleId, (counts.get(i.finding.ruleId) ?? 0) + 1);
  return [...counts].sort((a, b) => compareStrings(a[0], b[0])).map(([rule, n]) => `${rule}: ${n}`).join(', ');
}

/** One finding's place for people: `account/region` for live resources, else `file:line`. */
function placeOf(f: Finding): string {
  const live = liveIdentityOf(f);
  if (live) return `${live.account}/${live.region}`;
  return f.location.line ? `${f.location.file}:${f.location.line}` : f.location.file;
}

function nameOf(f: Finding): string {
  return f.resource.details?.name ?? f.resource.id;
}

/** At most `max` code points, cut with `…`. */
export function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

function runLine(d: Digest): string {
  const run = d.run;
  if (!run) return '';
  const what = run.command === 'event' ? 'events' : run.command;
  return `${what} of ${run.scope.label} (run ${run.id})`;
}

/** `cloudconform: 2 new, 1 regressed failures` */
export function headline(d: Digest): string {
  const failures = d.items.every((i) => i.change !== 'resolved');
  const o = d.outbox;
  const extra = o ? [o.late && `${o.late} delivered late`, o.dropped && `${o.dropped} dropped (over ${OUTBOX_MAX_FINDINGS} pending)`, o.expired && `${o.expired} expired (pending over ${OUTBOX_KEPT_DAYS} days)`].filter(Boolean) : [];
  return `cloudconform: ${countsPhrase(d.items)}${failures ? ` failure${d.items.length === 1 ? '' : 's'}` : ''}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

/** ` (delivered late)` for an item an earlier run kept pending. */
const lateMark = (i: NotifyItem) => (i.late ? ' (delivered late)' : '');

// ---- Slack -----------------------------------------------------------------------------------

/** Slack's hard cut is 40,000 characters of text; this leaves room for the summary line. */
export const SLACK_TEXT_BUDGET = 30_000;
const SLACK_MAX_ITEMS = 50;

/**
 * Text from templates or AWS as Slack shows it literally, inside a code span: control and
 * invisible characters escaped, `& < >` as entities (so no `<link|label>`, `<!channel>` or
 * `<@U…>`), backticks replaced (they would close the span), a word joiner after each `@` (`@here`
 * is no mention) and in `://` and `www.` (no autolink).
 */
export function slackLiteral(value: string, max = 300): string {
  const text = printable(clip(value, max))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, 'ˋ')
    .replace(/@/g, '@\u2060')
    .replace(/:\/\//g, ':\u2060//')
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}\u2060.`);
  return `\`${text}\``;
}

/**
 * A risk as it may be shown: one of ours as it is; anything else (a finding read back from a
 * history someone else can write) as text from outside, through `escape`.
 */
function riskText(risk: string, escape: (s: string) => string): string {
  return (RISK_ORDER as readonly string[]).includes(risk) ? risk : escape(risk);
}

function slackItem(item: NotifyItem): string {
  const { change, finding: f } = item;
  return (
    `• *${change}*${lateMark(item)} · ${riskText(f.risk, (r) => slackLiteral(r, 40))} · ${slackLiteral(f.ruleId, 60)} · ${slackLiteral(f.resource.type, 80)} ${slackLiteral(nameOf(f))} · ${slackLiteral(placeOf(f))}\n` +
    `      ${slackLiteral(f.message, 500)}`
  );
}

/** The incoming-webhook payload: text only, no unfurling, no link names, no parsing of names. */
export function slackPayload(d: Digest, budget = SLACK_TEXT_BUDGET): object {
  const head = `*${headline(d)}*${d.run ? ` — ${slackLiteral(runLine(d), 400)}` : ''}`;
  const lines: string[] = [head];
  let size = head.length;
  let listed = 0;
  for (const item of d.items) {
    if (listed >= SLACK_MAX_ITEMS) break;
    const line = slackItem(item);
    if (size + line.length + 1 > budget) break;
    lines.push(line);
    size += line.length + 1;
    listed++;
  }
  const rest = d.items.slice(listed);
  if (rest.length) lines.push(`_…and ${rest.length} more (${slackLiteral(byRule(rest), 2000)}): see the report_`);
  if (d.tagsUnknown) lines.push(`_(${d.tagsUnknown} finding${d.tagsUnknown === 1 ? '' : 's'} left out: tags unknown)_`);
  return { text: lines.join('\n'), mrkdwn: true, parse: 'none', link_names: false, unfurl_links: false, unfurl_media: false };
}

// ---- JSON document (webhooks, SNS machine subscribers) ---------------------------------------

/** A webhook body's budget (bytes of UTF-8): receivers such as API Gateway take at most 10 MB, many far less. */
export const JSON_BUDGET = 200_000;

export interface NotifyDocumentFinding {
  change: ChangeKind;
  key: string;
  ruleId: string;
  risk: string;
  result: string;
  resource: { type: string; id: string; name?: string; account?: string; region?: string; arn?: string };
  location: { file: string; line: number };
  message: string;
  /** Kept pending by this earlier run (its channel did not take the message then). */
  late?: { runId: string; startedAt: string };
}

function documentFinding({ change, finding: f, late }: NotifyItem): NotifyDocumentFinding {
  const live = liveIdentityOf(f);
  return {
    change,
    ...(late ? { late: { runId: clip(late.runId, 200), startedAt: clip(late.startedAt, 40) } } : {}),
    key: findingKey(f),
    ruleId: f.ruleId,
    risk: f.risk,
    result: f.result,
    resource: {
      type: clip(f.resource.type, 256),
      id: clip(f.resource.id, 2048),
      ...(f.resource.details?.name ? { name: clip(f.resource.details.name, 256) } : {}),
      ...(live ? { account: live.account, region: live.region, arn: clip(live.arn, 2048) } : {}),
    },
    location: { file: clip(f.location.file, 1024), line: f.location.line },
    message: clip(f.message, 2000),
  };
}

/**
 * `{ source, version, run, counts, findings[], omitted, omittedByRule }`: findings worst first
 * while they fit `budget` bytes; the others counted. Control, bidi and line-separator characters
 * are `\u` escapes (safeJson): a receiver that logs the body shows them inert.
 */
export function jsonDocument(d: Digest, budget = JSON_BUDGET): string {
  const counts: Record<string, number> = {};
  for (const i of d.items) counts[i.change] = (counts[i.change] ?? 0) + 1;
  const base = {
    source: 'cloudconform',
    version: 1,
    summary: headline(d),
    ...(d.run ? { run: { id: d.run.id, command: d.run.command, scope: clip(d.run.scope.key, 1024), label: clip(d.run.scope.label, 1024), startedAt: d.run.startedAt, endedAt: d.run.endedAt } } : {}),
    counts,
    ...(d.tagsUnknown ? { tagsUnknown: d.tagsUnknown } : {}),
    ...(d.outbox && (d.outbox.late || d.outbox.dropped || d.outbox.expired || d.outbox.settled) ? { outbox: d.outbox } : {}),
  };
  let size = Buffer.byteLength(safeJson({ ...base, findings: [], omitted: d.items.length, omittedByRule: byRule(d.items) }), 'utf8');
  const findings: string[] = [];
  for (const item of d.items) {
    const one = safeJson(documentFinding(item));
    const bytes = Buffer.byteLength(one, 'utf8') + 1;
    if (size + bytes > budget) break;
    findings.push(one);
    size += bytes;
  }
  const rest = d.items.slice(findings.length);
  const tail = rest.length ? { omitted: rest.length, omittedByRule: byRule(rest) } : { omitted: 0 };
  // Findings joined as already-serialised text: each is measured once.
  const head = safeJson({ ...base, ...tail });
  return `${head.slice(0, -1)},"findings":[${findings.join(',')}]}`;
}

// ---- Plain text (SNS email, SMS-less subscribers) ---------------------------------------------

export const TEXT_BUDGET = 40_000;

/** Plain text, escaped like a terminal line (printable): email clients show it as is. */
export function plainText(d: Digest, budget = TEXT_BUDGET): string {
  const lines = [`${headline(d)}${d.run ? ` — ${printable(clip(runLine(d), 400))}` : ''}`, ''];
  let size = lines[0]!.length;
  let listed = 0;
  for (const item of d.items) {
    const { change, finding: f } = item;
    const line = `- ${change}${lateMark(item)}: ${riskText(f.risk, (r) => printable(clip(r, 40)))} ${printable(f.ruleId)} ${printable(clip(f.resource.type, 80))} ${printable(clip(nameOf(f), 300))} at ${printable(clip(placeOf(f), 300))}\n  ${printable(clip(f.message, 500))}`;
    if (size + line.length + 1 > budget) break;
    lines.push(line);
    size += line.length + 1;
    listed++;
  }
  const rest = d.items.slice(listed);
  if (rest.length) lines.push(`…and ${rest.length} more (${printable(clip(byRule(rest), 2000))}): see the report`);
  if (d.tagsUnknown) lines.push(`(${d.tagsUnknown} finding(s) left out: their tags are unknown)`);
  return lines.join('\n');
}

/** SNS subjects: ASCII, no line breaks, at most 100 characters. */
export function snsSubject(d: Digest): string {
  return clip(headline(d).replace(/[^\x20-\x7e]/g, '?'), 100);
}
