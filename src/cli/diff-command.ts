// `cloudconform diff [RUN_A] [RUN_B]`: what changed between two runs of one scope. With no
// argument, the last two recorded runs of the latest scope (or --scope), as the history classified
// them when the later one was recorded; with two, run ids from the history or JSON reports given as
// files (an argument naming something that exists is a file), classified here. Exit codes: 0
// nothing new or regressed, 1 new or regressed failures, 2 the diff could not be made.
import { writeOutputFile } from '../write-file';
import { existsSync, statSync } from 'node:fs';
import { classify, inferEvaluated, ScopeMismatchError } from '../history/classify';
import { ReportFileError, readReportFile } from '../history/report-file';
import type { ChangeKind, HistoryStore, RunComparison } from '../history/types';
import type { RunInfo, ScanReport } from '../model/report';
import { compareStrings, liveIdentityOf } from '../model/report';
import type { RuleMeta } from '../rules/rule';
import { renderDiffCsv } from '../reporters/diff-csv';
import { BLOCKING_CHANGES, isDiffFormat, renderDiff, type DiffReport } from '../reporters/diff-report';
import { VERSION } from '../version';
import { parseOutput, UsageError } from './report-command';
import { useColor, writeError } from './terminal';

export interface DiffCommandOptions {
  db?: string;
  format: string;
  output: string[];
  scope?: string;
  color: boolean;
}

/** Why a report format is not written for a diff. */
const NOT_FOR_DIFF: Readonly<Record<string, string>> = {
  'gitlab-sast': 'GitLab compares SAST reports between pipelines itself: give it the scan\'s own report (scan --format gitlab-sast)',
  ocsf: "OCSF and ASFF carry findings, not changes: write them from a run (scan or audit --format ocsf), or use 'cloudconform export securityhub'",
  asff: "OCSF and ASFF carry findings, not changes: write them from a run (scan or audit --format asff), or use 'cloudconform export securityhub'",
};

function checkFormat(format: string, where: string): void {
  if (isDiffFormat(format) || format === 'csv') return;
  const why = NOT_FOR_DIFF[format] ?? 'it is not a diff format';
  throw new UsageError(`${where} ${format} is not available for diff (diff writes text, json, sarif, junit, csv): ${why}`);
}

function render(diff: DiffReport, format: string, color: boolean): string {
  if (format === 'csv') return renderDiffCsv(diff);
  if (!isDiffFormat(format)) throw new UsageError(`--format ${format} is not available for diff`);
  return renderDiff(diff, format, { color });
}

export async function runDiffCommand(args: string[], opts: DiffCommandOptions): Promise<number> {
  let store: HistoryStore | undefined;
  try {
    checkFormat(opts.format, '--format');
    const outputs = opts.output.map(parseOutput);
    for (const o of outputs) checkFormat(o.format, `--output ${o.file}:`);
    if (args.length === 1 || args.length > 2) throw new UsageError(`give two runs (ids from 'cloudconform history', or JSON report files), or none for the last two runs; got ${args.length}`);
    if (args.length === 2 && opts.scope !== undefined) throw new UsageError('--scope chooses the runs when none is given: leave it out, or leave out the runs');
    const openStore = async (): Promise<HistoryStore> => {
      if (!store) {
        const { openHistory, defaultHistoryPath } = await import('../history/store');
        store = openHistory({ path: opts.db ?? defaultHistoryPath(process.env), readonly: true });
      }
      return store;
    };
    const diff = args.length === 2 ? await diffOf(args[0]!, args[1]!, openStore) : await latestDiff(await openStore(), opts.scope);
    const color = opts.color && useColor(process.stdout);
    process.stdout.write(ensureNewline(render(diff, opts.format, color)));
    let unwritten = 0;
    for (const { format, file } of outputs) {
      try {
        writeOutputFile(file, ensureNewline(render(diff, format, false)));
      } catch (e) {
        unwritten++;
        writeError((e as Error).message);
      }
    }
    if (unwritten > 0) return 2;
    return BLOCKING_CHANGES.some((k) => diff.counts[k] > 0) ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ReportFileError || e instanceof DiffError || isHistoryError(e)) {
      writeError((e as Error).message);
      return 2;
    }
    throw e;
  } finally {
    store?.close();
  }
}

/** The diff can't be made as asked: the message says why (exit 2). */
class DiffError extends Error {}

/** The history store's own errors (corrupt, newer schema, missing, module unavailable): by name, so the store loads only when used. */
function isHistoryError(e: unknown): boolean {
  return e instanceof Error && ['HistoryError', 'HistoryMissingError', 'HistoryUnavailableError'].includes(e.name);
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : s + '\n';
}

const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;

/** One side of a diff: a report and what the user called it. */
interface Side {
  report: ScanReport;
  label: string;
  /** From the history: the store's recorded comparison can be used. */
  runId?: string;
}

async function sideOf(arg: string, openStore: () => Promise<HistoryStore>): Promise<Side> {
  // A run id is always a run: a file named like one in the working directory (a checked-out
  // repository, in CI) must not stand in for the recorded run (red team: a forged report named
  // like the previous run's id, which logs show, turned "new" into "still failing"). Such a file
  // is given as ./NAME.
  if (!RUN_ID.test(arg) && existsSync(arg)) {
    if (statSync(arg).isDirectory()) throw new ReportFileError(arg, 'is a directory, not a JSON report');
    return { report: readReportFile(arg), label: arg };
  }
  if (!RUN_ID.test(arg)) {
    throw new DiffError(`${arg}: no such file, and not a run id (run ids look like 20261204T193000Z-3fa9c1d2: see 'cloudconform history')`);
  }
  const store = await openStore();
  const report = store.report(arg);
  if (!report) throw new DiffError(`no run ${arg} in the history (see 'cloudconform history')`);
  return { report, label: arg, runId: arg };
}

async function diffOf(a: string, b: string, openStore: () => Promise<HistoryStore>): Promise<DiffReport> {
  const before = await sideOf(a, openStore);
  const after = await sideOf(b, openStore);
  const notes: string[] = [];
  const keyA = before.report.run?.scope.key;
  const keyB = after.report.run?.scope.key;
  if (keyA !== undefined && keyB !== undefined && keyA !== keyB) {
    throw new DiffError(`${before.label} is a run of '${keyA}' and ${after.label} of '${keyB}': only runs of the same scope can be compared`);
  }
  // Two recorded runs, the second classified against the first when it was recorded: as recorded
  // (the history's state carries what earlier runs did not evaluate).
  if (before.runId && after.runId) {
    const recorded = (await openStore()).comparison(after.runId);
    if (recorded?.previous?.id === before.runId) return diffReport(recorded, before, after, notes);
  }
  const runA = runOf(before, keyB, notes);
  const runB = runOf(after, keyA, notes);
  const errors = after.report.errors.filter((e) => e.resourceType === undefined).length;
  if (errors > 0) notes.push(`${after.label} has ${errors === 1 ? 'an error entry' : `${errors} error entries`}: what ${errors === 1 ? 'it concerns' : 'they concern'} is not resolved (shown as not evaluated)`);
  try {
    const first = classify(undefined, undefined, { ...before.report, run: runA });
    const { comparison } = classify(first.state, runA, { ...after.report, run: runB });
    return diffReport(comparison, before, after, notes);
  } catch (e) {
    if (e instanceof ScopeMismatchError) throw new DiffError(e.message);
    throw e;
  }
}

/** A side's run; for a report written before 0.2 (no run), one inferred from what it shows, said in a note. */
function runOf(side: Side, otherScope: string | undefined, notes: string[]): RunInfo {
  if (side.report.run) return side.report.run;
  const live = side.report.findings.some((f) => liveIdentityOf(f) !== undefined);
  notes.push(
    `${side.label} records no run (written before cloudconform 0.2): a finding missing from it counts as resolved only in a file or region where it still has findings and no errors; elsewhere it is shown as not evaluated`,
  );
  return {
    id: side.label,
    command: live ? 'audit' : 'scan',
    startedAt: '',
    endedAt: '',
    scope: { key: otherScope ?? '', label: side.label },
    evaluated: inferEvaluated(side.report),
  };
}

async function latestDiff(store: HistoryStore, scope: string | undefined): Promise<DiffReport> {
  const scopeKey = scope ?? store.runs({ limit: 1 })[0]?.run.scope.key;
  if (scopeKey === undefined) throw new DiffError("no runs recorded yet: run 'cloudconform scan' or 'cloudconform audit' twice, then diff");
  const [latest, previous] = store.runs({ scopeKey, limit: 2 });
  if (!latest) throw new DiffError(`no runs of scope '${scopeKey}' in the history (see 'cloudconform history')`);
  if (!previous) throw new DiffError(`only one run of scope '${scopeKey}' is recorded (${latest.run.id}): nothing to compare it with yet`);
  // The earlier run's report is not read: the recorded comparison holds what it said (half the time
  // with 50,000 findings a run).
  const after = store.report(latest.run.id);
  const recorded = store.comparison(latest.run.id);
  if (!after || !recorded) throw new DiffError(`the history lacks run ${latest.run.id}'s report`);
  const before: ScanReport = { ...after, rules: [], findings: [], errors: [], run: recorded.previous ?? previous.run };
  return diffReport(recorded, { report: before, label: previous.run.id }, { report: after, label: latest.run.id }, []);
}

function diffReport(comparison: RunComparison, before: Side, after: Side, notes: string[]): DiffReport {
  const rules = new Map<string, RuleMeta>();
  for (const r of [...before.report.rules, ...after.report.rules]) rules.set(r.id, r);
  const counts = { ...comparison.counts } as Record<ChangeKind, number>;
  return {
    version: 1,
    kind: 'diff',
    tool: { name: 'cloudconform', version: VERSION },
    ...(before.report.run ? { previous: before.report.run } : {}),
    ...(after.report.run ? { current: after.report.run } : {}),
    counts,
    changes: comparison.changes.filter((c) => c.change !== 'unchanged'),
    ...(notes.length ? { notes } : {}),
    rules: [...rules.values()].sort((x, y) => compareStrings(x.id, y.id)),
    labels: { previous: before.label, current: after.label },
  };
}
