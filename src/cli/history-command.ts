// `cloudconform history`: the recorded runs, newest first. Everything read from the database
// (scope labels are paths and account lists the user or a repository chose) is shown escaped.
import { defaultHistoryPath, HistoryError, HistoryMissingError, HistoryUnavailableError, openHistory } from '../history/store';
import type { RunSummary } from '../history/types';
import { printable, safeJson } from '../reporters/printable';
import { writeError } from './terminal';

export interface HistoryCommandOptions {
  db?: string;
  scope?: string;
  limit?: number;
  format?: 'text' | 'json';
}

const DEFAULT_LIMIT = 20;

export async function runHistoryCommand(opts: HistoryCommandOptions): Promise<number> {
  const path = opts.db ?? defaultHistoryPath();
  const limit = opts.limit ?? DEFAULT_LIMIT;
  let runs: RunSummary[];
  try {
    const store = openHistory({ path, readonly: true });
    try {
      runs = store.runs({ scopeKey: opts.scope, limit });
    } finally {
      store.close();
    }
  } catch (e) {
    if (e instanceof HistoryMissingError) {
      // Nothing recorded is not an error; the file is not created by reading.
      process.stdout.write(opts.format === 'json' ? safeJson({ runs: [] }, 2) + '\n' : `No runs recorded yet: there is no history database at ${printable(path)}.\n`);
      return 0;
    }
    if (e instanceof HistoryError || e instanceof HistoryUnavailableError) {
      writeError(e.message);
      return 2;
    }
    throw e;
  }
  if (opts.format === 'json') {
    process.stdout.write(safeJson({ runs }, 2) + '\n');
    return 0;
  }
  if (runs.length === 0) {
    process.stdout.write(opts.scope === undefined ? `No runs recorded yet in ${printable(path)}.\n` : `No runs recorded for scope ${printable(opts.scope)} in ${printable(path)}.\n`);
    return 0;
  }
  process.stdout.write(historyTable(runs));
  if (runs.length === limit) process.stdout.write(`The ${limit} newest runs; --limit N shows more.\n`);
  return 0;
}

const HEADINGS = ['RUN', 'STARTED (UTC)', 'COMMAND', 'RESOURCES', 'FAIL', 'UNKNOWN', 'SUPPRESSED', 'NEW', 'RESOLVED', 'REGRESSED', 'SCOPE'] as const;
/** Columns whose values are counts: right-aligned. */
const NUMERIC = new Set([3, 4, 5, 6, 7, 8, 9]);

/** One line per run, columns aligned, the scope (key and label, any length) last. */
export function historyTable(runs: RunSummary[]): string {
  const rows = runs.map((r) => [
    printable(r.run.id),
    printable(String(r.run.startedAt).replace('T', ' ').replace(/\.\d+Z$|Z$/, '')),
    printable(r.run.command),
    printable(String(r.summary.resources)),
    printable(String(r.summary.fail)),
    printable(String(r.summary.unknown)),
    printable(String(r.summary.suppressed)),
    printable(String(r.changes.new)),
    printable(String(r.changes.resolved)),
    printable(String(r.changes.regressed)),
    `${printable(r.run.scope.key)} (${printable(r.run.scope.label)})`,
  ]);
  const widths = HEADINGS.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : NUMERIC.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd() + '\n';
  return line(HEADINGS) + rows.map(line).join('');
}
