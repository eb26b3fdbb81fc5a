// The notification outbox's rules, one copy for both stores (SQLite, DynamoDB): how much one
// run's entry keeps, which pending entries a channel takes, which it lets go (and counts), and
// whether a late item still says something true. Delivery is at least once: an entry is deleted
// only after its channel took the message; a crash in between sends it again.
import { findingKey, type Finding } from '../model/report';
import { CHANGE_KINDS, type Standing } from './classify';
import type { OutboxItem, PendingEntry } from './types';

/** The most findings a channel has pending (older runs'), and the most one run's entry keeps. */
export const OUTBOX_MAX_FINDINGS = 1000;
/** The most outbox entries of one channel read per run (a doctored or runaway history must not exhaust memory; the rest wait, or expire). */
export const OUTBOX_MAX_ROWS = 10_000;
/** Pending entries older than this (from their run's start) are dropped, counted as expired. */
export const OUTBOX_KEPT_DAYS = 7;
/** One entry's JSON at most (a DynamoDB item holds 400 KB; up to ten channels share one 4 MB transaction). */
export const OUTBOX_ENTRY_BYTES = 350_000;

/** A run's entry: its items (bounded) as JSON, how many, how many left out. */
export function entryOf(items: readonly OutboxItem[]): { json: string; n: number; dropped: number } {
  const kept: string[] = [];
  let bytes = 2;
  for (const item of items) {
    if (kept.length >= OUTBOX_MAX_FINDINGS) break;
    const json = JSON.stringify({ key: item.key, change: item.change, finding: compact(item.finding) });
    const size = Buffer.byteLength(json) + 1;
    if (bytes + size > OUTBOX_ENTRY_BYTES) break;
    kept.push(json);
    bytes += size;
  }
  return { json: `[${kept.join(',')}]`, n: kept.length, dropped: items.length - kept.length };
}

/** What a message shows of a finding: no tags (selection used them already), the message cut at 2,000 characters (as messages cut it). */
function compact(f: Finding): Finding {
  const { tags: _tags, ...resource } = f.resource;
  return { ...f, resource, message: f.message.length > 2000 ? `${f.message.slice(0, 1999)}…` : f.message };
}

/**
 * Items read back from an entry; anything not of that shape (exactly `n` items: the count the
 * bound was applied to, a change kind, a finding whose key is the item's, and `valid` when given:
 * the report contract) is refused: the entry is dropped as damaged, never sent.
 */
export function parseEntryItems(json: string, n: number, valid?: (finding: unknown) => boolean): OutboxItem[] | undefined {
  try {
    const value = JSON.parse(json, (k, v: unknown) => {
      if (k === '__proto__') throw new SyntaxError('__proto__');
      return v;
    }) as unknown;
    // An entry holding more than its `n` says would slip past OUTBOX_MAX_FINDINGS (planTake counts `n`).
    if (!Array.isArray(value) || value.length !== n) return undefined;
    for (const i of value as OutboxItem[]) {
      if (typeof i !== 'object' || i === null || typeof i.key !== 'string' || !/^[0-9a-f]{64}$/.test(i.key) || typeof i.change !== 'string') return undefined;
      const f = i.finding;
      if (!CHANGE_KINDS.includes(i.change)) return undefined;
      if (typeof f !== 'object' || f === null || typeof f.ruleId !== 'string' || typeof f.resource?.id !== 'string' || typeof f.message !== 'string' || typeof f.location?.file !== 'string') return undefined;
      if ((valid && !valid(f)) || findingKey(f) !== i.key) return undefined;
    }
    return value as OutboxItem[];
  } catch {
    return undefined;
  }
}

export interface EntryRow {
  id: string;
  runId: string;
  startedAt: string;
  n: number;
  dropped: number;
}

/**
 * Rows oldest first. The current run's entry is always taken; older ones while their findings
 * fit OUTBOX_MAX_FINDINGS in all (the oldest first: a flood of later failures does not push out
 * the first alert), the others dropped; those past OUTBOX_KEPT_DAYS expire. Counts are findings.
 */
export function planTake(rows: readonly EntryRow[], runId: string | undefined, now: Date): { take: EntryRow[]; remove: string[]; dropped: number; expired: number } {
  const oldest = now.getTime() - OUTBOX_KEPT_DAYS * 86_400_000;
  const take: EntryRow[] = [];
  const remove: string[] = [];
  let dropped = 0;
  let expired = 0;
  let late = 0;
  for (const row of rows) {
    const at = Date.parse(row.startedAt);
    if (row.runId === runId) {
      take.push(row);
      dropped += row.dropped;
    } else if (!Number.isFinite(at) || at < oldest) {
      remove.push(row.id);
      expired += row.n + row.dropped;
    } else if (late + row.n <= OUTBOX_MAX_FINDINGS) {
      take.push(row);
      late += row.n;
      dropped += row.dropped;
    } else {
      remove.push(row.id);
      dropped += row.n + row.dropped;
    }
  }
  return { take, remove, dropped, expired };
}

/**
 * Whether a late item is still true now: a failure (new, regressed, still failing, suppression
 * expired) only while the finding fails; a resolution only while it does not. Anything else as
 * it was. `standing` undefined: the scope no longer tracks the finding (it is not failing).
 */
export function stillTrue(item: OutboxItem, standing: Standing | undefined): boolean {
  if (item.change === 'resolved') return standing !== 'failing';
  if (item.change === 'new' || item.change === 'regressed' || item.change === 'still-failing' || item.change === 'suppression-expired') return standing === 'failing';
  return true;
}

/** Drops the late items no longer true; the count of those dropped. */
export function settle(entries: PendingEntry[], runId: string | undefined, standingOf: (item: OutboxItem) => Standing | undefined): number {
  let settled = 0;
  for (const e of entries) {
    if (e.runId === runId) continue;
    const before = e.items.length;
    e.items = e.items.filter((i) => stillTrue(i, standingOf(i)));
    settled += before - e.items.length;
  }
  return settled;
}
