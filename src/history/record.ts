// Recording a scan's or audit's report in the history (called by report-command.ts after the
// report is written, so a history that can't be written never loses the run's own result).
import type { ScanReport } from '../model/report';
import { writeError } from '../cli/terminal';
import { defaultHistoryPath, HistoryError, HistoryUnavailableError, openHistory } from './store';

/**
 * Records the report; false when it could not be and the exit code must be 2 (said on standard
 * error). An installation without the native module (no compiler when it was installed) records
 * nothing and says so once, keeping the exit code, unless a database was asked for (--db or
 * CLOUDCONFORM_DB): then it is a failure like any other.
 */
export function recordRun(report: ScanReport, db: string | undefined): boolean {
  const path = db ?? defaultHistoryPath();
  try {
    const store = openHistory({ path });
    try {
      store.record(report);
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
