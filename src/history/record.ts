// Recording a scan's or audit's report in the history (called by report-command.ts after the
// report is written, so a history that can't be written never loses the run's own result).
import { lstatSync } from 'node:fs';
import type { ScanReport } from '../model/report';
import type { OutboxPlan, RunComparison } from './types';
import { writeError } from '../cli/terminal';
import { defaultHistoryPath, HistoryError, HistoryUnavailableError, openHistory } from './store';

/** Whether nothing is at `path` now (a link, even dangling, is something; an unreadable parent is not "gone"). */
function fileGone(path: string): boolean {
  try {
    lstatSync(path);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Records the report; false when it could not be and the exit code must be 2 (said on standard
 * error). An installation without the native module (no compiler when it was installed) records
 * nothing and says so once, keeping the exit code, unless a database was asked for (--db or
 * CLOUDCONFORM_DB): then it is a failure like any other.
 * `recorded` gets the run's comparison with the scope's previous state (for --notify); `outbox`:
 * its notifications kept pending with it.
 */
export function recordRun(report: ScanReport, db: string | undefined, recorded?: (comparison: RunComparison) => void, options: { outbox?: OutboxPlan } = {}): boolean {
  const path = db ?? defaultHistoryPath();
  try {
    const store = openHistory({ path });
    try {
      // Recorded by the process that scanned, in its directory: a file named by an earlier finding
      // that is gone now was deleted (classify asks only about files below the scanned directories).
      const comparison = store.record(report, { fileGone, ...(options.outbox ? { outbox: options.outbox } : {}) });
      recorded?.(comparison);
    } finally {
      store.close();
    }
    return true;
  } catch (e) {
    if (e instanceof HistoryUnavailableError && db === undefined) {
      writeError(`this run was not recorded: ${e.message}`);
      return true;
    }
    if (e instanceof HistoryError || e instanceof HistoryUnavailableError) {
      writeError(`this run was not recorded (exit code 2; --no-history skips recording): ${e.message}`);
      return false;
    }
    throw e;
  }
}
