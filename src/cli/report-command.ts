import { writeOutputFile } from '../write-file';
import type { NotifyCliOptions, PreparedNotify } from '../notify/cli';
import { NotifyTargetError } from '../notify/targets';
import { GlobError } from '../engine/glob';
import { applyBaseline, BaselineError, createBaseline, loadBaseline, writeBaseline } from '../engine/baseline';
import { ConfigError, configShownAs, findConfig, parseRisk, type Config } from '../engine/config';
import type { FailOn, ScanReport } from '../model/report';
import { isFailing } from '../model/report';
import { formatForFile } from '../reporters/formats';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../reporters/index';
import { ALL_RULES, findRule } from '../rules/index';
import type { ScanNote } from '../sources/source';
import type { Risk } from '../rules/rule';
import { ProgressLine } from './progress';
import { useColor, writeError } from './terminal';

/**
 * The --notify targets and filters, checked (NotifyTargetError: bad usage), with the notify module,
 * which is loaded only when some --notify option is given; undefined when none is.
 */
export async function prepareNotifyOptions(opts: NotifyCliOptions): Promise<{ cli: typeof import('../notify/cli'); prepared: PreparedNotify } | undefined> {
  const given = [opts.notify, opts.notifyOn, opts.notifyRule, opts.notifyTag].some((o) => o?.length) || opts.notifyRisk !== undefined;
  if (!given) return undefined;
  const cli = await import('../notify/cli');
  const prepared = cli.prepareNotify(opts);
  return prepared ? { cli, prepared } : undefined;
}

/** The options every command that produces a report has (`scan`, `audit`); see `withReportOptions`. */
export interface ReportCommandOptions extends NotifyCliOptions {
  format: ReportFormat;
  output: string[];
  failOn?: string;
  failOnUnknown?: boolean;
  /** `--fail-on-expired`: exit 1 when a failing or unknown finding's suppression has expired. */
  failOnExpired?: boolean;
  /** `--baseline FILE`, `--create-baseline FILE`: see engine/baseline.ts. */
  baseline?: string;
  createBaseline?: string;
  config?: string;
  rules?: string;
  verbose?: boolean;
  quiet?: boolean;
  color: boolean;
  /** `--db FILE` (or CLOUDCONFORM_DB): the history database; `--no-history`: history false. */
  db?: string;
  history?: boolean;
}

/** What the report options resolve to before the command runs. */
export interface ReportSettings {
  config: Config;
  failOn: FailOn;
  ruleIds?: string[];
  progress: ProgressLine;
}

/** Bad usage found by a command: exit code 2 with the message. */
export class UsageError extends Error {}

/** `--rules a,b`: canonical rule ids (aliases such as CKV_AWS_122 accepted); an unknown one is bad usage. */
export function parseRuleIds(spec: string): string[] {
  return spec.split(',').map((id) => {
    const rule = findRule(id.trim());
    if (!rule) throw new UsageError(`--rules: no rule '${id.trim()}' (see 'cloudconform rules')`);
    return rule.meta.id;
  });
}

/**
 * Runs a reporting command and returns its exit code: 0 nothing failed, 1 failures (at or above
 * --fail-on, or unknowns with --fail-on-unknown), 2 incomplete (any error entry) or bad usage.
 * `usageErrors` are the command's own error classes that mean bad usage.
 */
export async function runReportCommand(
  opts: ReportCommandOptions,
  produce: (settings: ReportSettings) => Promise<ScanReport>,
  usageErrors: (new (...args: never[]) => Error)[] = [],
  searchFrom: string[] = [],
): Promise<number> {
  try {
    const outputs = opts.output.map(parseOutput);
    // --notify targets and filters are checked before the run: a typo costs no scan.
    const notify = await prepareNotifyOptions(opts);
    const config = findConfig(opts.config, process.cwd(), searchFrom);
    const failOn: FailOn = opts.failOn === 'none' ? 'None' : opts.failOn ? parseRisk(opts.failOn, '--fail-on') : (config.failOn ?? 'Low');
    const ruleIds = opts.rules === undefined ? undefined : parseRuleIds(opts.rules);
    // Read before the scan: a baseline that can't be used is bad usage, found at once.
    const baseline = opts.baseline === undefined ? undefined : loadBaseline(opts.baseline);
    const progress = new ProgressLine(!opts.quiet && process.stderr.isTTY === true);
    let report: ScanReport;
    try {
      report = await produce({ config, failOn, ruleIds, progress });
    } finally {
      progress.clear();
    }
    const said = configChoices(config, report, { failOnGiven: opts.failOn !== undefined, rulesGiven: opts.rules !== undefined });
    if (said.length) report.notes = [...(report.notes ?? []), ...said];
    // Recorded before --baseline applies, so that a baseline made with one keeps what it still matches.
    if (opts.createBaseline !== undefined) writeBaseline(opts.createBaseline, createBaseline(report));
    if (baseline) applyBaseline(report, baseline, opts.baseline as string, failOn);
    const color = opts.color && useColor(process.stdout);
    // Errors are in the text report; with -q or another format on standard output, they are
    // also said on standard error, so a CI log shows why the exit code is 2.
    if (opts.quiet || opts.format !== 'text') writeProblems(report);
    // Only a terminal has a width to fit; pipes and files get whole lines.
    const width = process.stdout.isTTY === true && process.stdout.columns > 0 ? process.stdout.columns : undefined;
    if (!opts.quiet) process.stdout.write(ensureNewline(renderReport(report, opts.format, { color, failOn, verbose: opts.verbose, width })));
    // Each --output file on its own: one that can't be written is said, and the others still are.
    let unwritten = 0;
    for (const { format, file } of outputs) {
      try {
        writeOutputFile(file, ensureNewline(renderReport(report, format, { color: false, failOn, verbose: true })));
      } catch (e) {
        unwritten++;
        writeError((e as Error).message);
      }
    }
    // Recorded after the report is written: a history that can't be written loses nothing of the run.
    let comparison: import('../history/types').RunComparison | undefined;
    // With --notify, the run's notifications are kept pending with it (the outbox: sent at least once).
    const recorded = opts.history === false || (await import('../history/record')).recordRun(report, opts.db, (c) => (comparison = c), notify ? { outbox: notify.cli.notifyPlan(notify.prepared, report) } : {});
    // After recording (new and regressed are the history's verdicts); without one, every failure is new.
    const notified = !notify || (await notify.cli.notifyRun(notify.prepared, comparison, report, opts.quiet === true, opts.history === false ? undefined : { db: opts.db }));
    if (report.errors.length > 0 || unwritten > 0 || !recorded || !notified) return 2;
    if (report.findings.some((f) => isFailing(f, failOn))) return 1;
    if (opts.failOnUnknown && report.findings.some((f) => f.result === 'unknown' && !f.suppressed)) return 1;
    if (opts.failOnExpired && report.findings.some((f) => f.expiredSuppression && !f.suppressed && f.result !== 'pass')) return 1;
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof NotifyTargetError || e instanceof ConfigError || e instanceof BaselineError || e instanceof GlobError || usageErrors.some((type) => e instanceof type)) {
      writeError((e as Error).message);
      return 2;
    }
    throw e;
  }
}

/**
 * What a configuration file decided that makes the run pass more easily is said in the report: a
 * repository's own `.cloudconform.yml` raising failOn above every rule's risk, or leaving a rule
 * out, would otherwise turn the gate off without a word (red team, issue 11).
 */
function configChoices(config: Config, report: ScanReport, given: { failOnGiven: boolean; rulesGiven: boolean }): ScanNote[] {
  if (!config.file) return [];
  const file = configShownAs(config.file);
  const notes: ScanNote[] = [];
  if (!given.failOnGiven && config.failOn && config.failOn !== 'Low') {
    notes.push({ file, message: `failOn: ${config.failOn} in ${file}: failures below ${config.failOn} risk don't make the exit code 1` });
  }
  if (!given.rulesGiven) {
    const ran = new Set(report.rules.map((r) => r.id));
    const left = ALL_RULES.filter((r) => !ran.has(r.meta.id)).map((r) => r.meta.id);
    if (left.length) notes.push({ file, message: `${left.join(', ')} not run: the rules setting of ${file} leaves ${left.length === 1 ? 'it' : 'them'} out` });
  }
  return notes;
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : s + '\n';
}

/** `FORMAT=FILE`, or `FILE` whose extension names the format (`results.sarif`). */
export function parseOutput(spec: string): { format: ReportFormat; file: string } {
  const eq = spec.indexOf('=');
  const named = spec.slice(0, eq) as ReportFormat;
  if (eq > 0 && REPORT_FORMATS.includes(named)) {
    if (eq === spec.length - 1) throw new UsageError(`--output '${spec}': no file after '${named}='`);
    return { format: named, file: spec.slice(eq + 1) };
  }
  const inferred = spec === '' ? undefined : formatForFile(spec);
  if (!inferred) {
    throw new UsageError(
      `--output '${spec}': expected FORMAT=FILE (FORMAT one of ${REPORT_FORMATS.join(', ')}) or a file ending in .json, .sarif, .xml, .txt, .csv, .ocsf.json or .asff.json`,
    );
  }
  return { format: inferred, file: spec };
}

/** At most this many errors are listed on standard error; the report has them all. */
const MAX_PROBLEM_LINES = 20;

/** The report's errors (and warnings), one line each, on standard error. */
function writeProblems(report: ScanReport): void {
  const lines = (label: string, entries: { file: string; line?: number; message: string }[]) => {
    entries.slice(0, MAX_PROBLEM_LINES).forEach((e) => writeError(`${label}: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`));
    if (entries.length > MAX_PROBLEM_LINES) writeError(`${label}: ${entries.length - MAX_PROBLEM_LINES} more in the report`);
  };
  lines('error', report.errors);
  lines('warning', report.warnings ?? []);
}
