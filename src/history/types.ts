// The history's contract: what a run's comparison with the one before says, and what the store
// gives the commands that read it (history, diff, report, export). Implementations:
// classify.ts (pure), store.ts (SQLite), report-file.ts (JSON reports given as files).
import type { Finding, ReportSummary, RunInfo, ScanReport } from '../model/report';

/**
 * What happened to one finding key between the previous state of a scope and this run.
 * - `new`: failing now, never failing before; `regressed`: failing now, passing or resolved before;
 * - `still-failing`: failing before and now; `resolved`: failing before, and now passing, or gone
 *   where this run looked (RunInfo.evaluated) — never outside it;
 * - `newly-suppressed`: failing before, suppressed now; `suppression-expired`: suppressed before,
 *   its suppression has expired now;
 * - `not-evaluated`: failing before, outside what this run evaluated (carried over, not resolved);
 * - `unchanged`: anything else (passing before and now, unknown before and now...).
 */
export type ChangeKind =
  | 'new'
  | 'regressed'
  | 'still-failing'
  | 'resolved'
  | 'newly-suppressed'
  | 'suppression-expired'
  | 'not-evaluated'
  | 'unchanged';

export interface FindingChange {
  /** findingKey() of the finding. */
  key: string;
  change: ChangeKind;
  /** The finding as this run saw it; for `resolved` by absence and `not-evaluated`, as last seen. */
  finding: Finding;
  /** The finding as the previous state had it, when it had it. */
  previous?: Finding;
}

export interface RunComparison {
  /** The run compared with (absent for a scope's first run). */
  previous?: RunInfo;
  current: RunInfo;
  /** In compareFindings order. */
  changes: FindingChange[];
  counts: Record<ChangeKind, number>;
}

/** One recorded run, as `history` lists it. */
export interface RunSummary {
  run: RunInfo;
  summary: ReportSummary;
  /** How this run compared with the previous one of its scope when it was recorded. */
  changes: Record<ChangeKind, number>;
}

/**
 * The notification outbox (at-least-once delivery): what a run has to say to a channel is written
 * with the run, and stays pending until that channel took it. A channel is named by
 * channelId() (a SHA-256 of its kind and URL or topic ARN): never the URL, a secret.
 */
export interface OutboxItem {
  key: string;
  change: ChangeKind;
  finding: Finding;
}

/** Given to record(): the channels, and the comparison's items to send (the notify filters' choice). */
export interface OutboxPlan {
  channels: readonly string[];
  /** Called on the final comparison (DynamoDB may classify keys again after a conflict). */
  select(comparison: RunComparison): OutboxItem[];
}

/** One run's pending items for one channel. */
export interface PendingEntry {
  /** The store's id of the entry (for delivered()). */
  id: string;
  runId: string;
  startedAt: string;
  items: OutboxItem[];
}

/** What a channel has pending (oldest first, the current run's included), and what was let go. */
export interface OutboxTake {
  entries: PendingEntry[];
  /** Findings dropped: over OUTBOX_MAX_FINDINGS (per run, or older ones waiting in all). */
  dropped: number;
  /** Findings pending longer than OUTBOX_KEPT_DAYS: dropped. */
  expired: number;
  /** Findings not sent: the finding is no longer what the entry says (a failure that passes now). */
  settled: number;
}

export interface OutboxTakeOptions {
  /** The run sending now: its own entry is always taken; older ones are "late". */
  runId?: string;
  /** The time expiry is measured against (the run's start). */
  now: Date;
}

export interface RecordOptions {
  fileGone?: (path: string) => boolean;
  /** Notifications to keep pending with the run (same write). */
  outbox?: OutboxPlan;
}

export interface HistoryStore {
  /** Records a report (one transaction) and returns its comparison with the scope's previous state. */
  record(report: ScanReport, options?: RecordOptions): RunComparison;
  /** The channel's pending entries in the scope; expired and over-bound ones are deleted. */
  pending?(scopeKey: string, channel: string, options: OutboxTakeOptions): OutboxTake;
  /** The channel took these entries: they are done. */
  delivered?(scopeKey: string, channel: string, entryIds: readonly string[]): void;
  /** Newest first. */
  runs(options?: { scopeKey?: string; limit?: number }): RunSummary[];
  /** A recorded run's report, as it was recorded; undefined when no run has this id. */
  report(runId: string): ScanReport | undefined;
  /** A recorded run's comparison with the previous one of its scope, as classified when recorded. */
  comparison(runId: string): RunComparison | undefined;
  close(): void;
}

/**
 * The history as the event handler and the Lambda function use it: the local SQLite store
 * (asyncHistory) or DynamoDB (dynamodb.ts), classified alike (the same tests run on both).
 */
export interface AsyncHistoryStore {
  record(report: ScanReport, options?: RecordOptions): Promise<RunComparison>;
  pending?(scopeKey: string, channel: string, options: OutboxTakeOptions): Promise<OutboxTake>;
  delivered?(scopeKey: string, channel: string, entryIds: readonly string[]): Promise<void>;
  runs(options?: { scopeKey?: string; limit?: number }): Promise<RunSummary[]>;
  close(): Promise<void>;
}

/** A HistoryStore (SQLite) behind the asynchronous interface. */
export function asyncHistory(store: HistoryStore): AsyncHistoryStore {
  return {
    record: async (report, options) => store.record(report, options),
    ...(store.pending && store.delivered
      ? {
          pending: async (scopeKey: string, channel: string, options: OutboxTakeOptions) => store.pending!(scopeKey, channel, options),
          delivered: async (scopeKey: string, channel: string, ids: readonly string[]) => store.delivered!(scopeKey, channel, ids),
        }
      : {}),
    runs: async (options) => store.runs(options),
    close: async () => store.close(),
  };
}
