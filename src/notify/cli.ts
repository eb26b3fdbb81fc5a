// `--notify` on `scan` and `audit` (report-command.ts): targets and filters checked before the
// run, the notification sent after the history recorded it, and what happened said on standard
// error. A channel that fails makes the exit code 2: the run did not do all it was asked to.
import type { ScanReport } from '../model/report';
import type { RunComparison } from '../history/types';
import { findRule } from '../rules/index';
import { writeError } from '../cli/terminal';
import { notify, outboxPlan, type NotifyOutbox } from './index';
import type { OutboxPlan } from '../history/types';
import { NotifyTargetError, parseNotifyFilters, parseNotifyTarget, type NotifyChannel, type NotifyFilters } from './targets';

export interface NotifyCliOptions {
  notify?: string[];
  notifyOn?: string[];
  notifyRisk?: string;
  notifyRule?: string[];
  notifyTag?: string[];
  /** audit's `--profile` and `--endpoint-url`, for SNS. */
  profile?: string;
  endpointUrl?: string;
}

export interface PreparedNotify {
  channels: NotifyChannel[];
  filters: NotifyFilters;
  aws: { endpoint?: string; profile?: string };
}

/** The targets and filters, checked; undefined without --notify. A filter without a target is bad usage (nothing would be sent). */
export function prepareNotify(opts: NotifyCliOptions): PreparedNotify | undefined {
  const channels = (opts.notify ?? []).map((spec) => parseNotifyTarget(spec));
  const filters = parseNotifyFilters(opts, (id) => findRule(id)?.meta.id);
  if (channels.length === 0) {
    const given = (['notifyOn', 'notifyRisk', 'notifyRule', 'notifyTag'] as const).find((k) => opts[k] !== undefined && (!Array.isArray(opts[k]) || opts[k].length > 0));
    if (given) throw new NotifyTargetError(`--${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} without --notify: nothing would be sent`);
    return undefined;
  }
  return { channels, filters, aws: { endpoint: opts.endpointUrl, profile: opts.profile } };
}

/** What the history keeps pending with the run (recordRun's `outbox`). */
export function notifyPlan(prepared: PreparedNotify, report: ScanReport): OutboxPlan {
  return outboxPlan(prepared.channels, prepared.filters, report);
}

/**
 * Sends the run's notifications; false when a channel failed (exit code 2). `history`: the run
 * was recorded there with notifyPlan, so each channel also sends what earlier runs of the scope
 * could not deliver.
 */
export async function notifyRun(prepared: PreparedNotify, comparison: RunComparison | undefined, report: ScanReport, quiet: boolean, history?: { db: string | undefined }): Promise<boolean> {
  let close: (() => void) | undefined;
  let outbox: NotifyOutbox | undefined;
  if (history && comparison && report.run) {
    try {
      const { asyncHistory, defaultHistoryPath, openHistory } = await import('../history/store');
      const store = openHistory({ path: history.db ?? defaultHistoryPath() });
      close = () => store.close();
      outbox = { store: asyncHistory(store), scopeKey: report.run.scope.key, runId: report.run.id };
    } catch (e) {
      // Recorded a moment ago, so unlikely: this run's own notifications are still sent.
      writeError(`warning: the pending notifications could not be read: ${(e as Error).message}`);
    }
  }
  let outcome;
  try {
    outcome = await notify(comparison, report, prepared.channels, prepared.filters, { aws: prepared.aws, ...(outbox ? { outbox } : {}) });
  } finally {
    close?.();
  }
  for (const w of outcome.warnings) writeError(`warning: ${w}`);
  if (outcome.tagsUnknown) {
    writeError(`warning: ${outcome.tagsUnknown} finding(s) not notified: --notify-tag can't judge them, their resource's tags could not be read`);
  }
  if (!quiet) for (const s of outcome.sent) writeError(`notified ${s.channel} of ${s.findings} finding${s.findings === 1 ? '' : 's'}`);
  const o = outcome.outbox;
  if (o?.dropped || o?.expired) writeError(`warning: pending notifications let go: ${o.dropped} over the outbox's bound, ${o.expired} pending too long`);
  for (const e of outcome.errors) writeError(`error: ${e.file}: ${e.message}`);
  return outcome.errors.length === 0;
}
