import { writeFileSync } from 'node:fs';
import { ConfigError, findConfig, parseRisk, type Config } from '../engine/config';
import type { ScanReport } from '../engine/report';
import { isFailing } from '../engine/report';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../reporters/index';
import { findRule } from '../rules/index';
import type { Risk } from '../rules/rule';
import { ProgressLine } from './progress';
import { useColor, writeError } from './terminal';

/** The options every command that produces a report has (`scan`, `audit`); see `withReportOptions`. */
export interface ReportCommandOptions {
  format: ReportFormat;
  output: string[];
  failOn?: string;
  failOnUnknown?: boolean;
  config?: string;
  rules?: string;
  verbose?: boolean;
  quiet?: boolean;
  color: boolean;
}

/** What the report options resolve to before the command runs. */
export interface ReportSettings {
  config: Config;
  failOn: Risk;
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
): Promise<number> {
  try {
    const outputs = opts.output.map(parseOutput);
    const config = findConfig(opts.config, process.cwd());
    const failOn = opts.failOn ? parseRisk(opts.failOn, '--fail-on') : (config.failOn ?? 'Low');
    const ruleIds = opts.rules === undefined ? undefined : parseRuleIds(opts.rules);
    const progress = new ProgressLine(!opts.quiet && process.stderr.isTTY === true);
    let report: ScanReport;
    try {
      report = await produce({ config, failOn, ruleIds, progress });
    } finally {
      progress.clear();
    }
    const color = opts.color && useColor(process.stdout);
    if (!opts.quiet) process.stdout.write(ensureNewline(renderReport(report, opts.format, { color, failOn, verbose: opts.verbose })));
    for (const { format, file } of outputs) {
      writeFileSync(file, ensureNewline(renderReport(report, format, { color: false, failOn, verbose: true })));
    }
    if (report.errors.length > 0) return 2;
    if (report.findings.some((f) => isFailing(f, failOn))) return 1;
    if (opts.failOnUnknown && report.findings.some((f) => f.result === 'unknown' && !f.suppressed)) return 1;
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || usageErrors.some((type) => e instanceof type)) {
      writeError((e as Error).message);
      return 2;
    }
    throw e;
  }
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : s + '\n';
}

function parseOutput(spec: string): { format: ReportFormat; file: string } {
  const eq = spec.indexOf('=');
  const format = spec.slice(0, eq) as ReportFormat;
  if (eq < 1 || !REPORT_FORMATS.includes(format) || eq === spec.length - 1) {
    throw new UsageError(`--output '${spec}': expected FORMAT=FILE with FORMAT one of ${REPORT_FORMATS.join(', ')}`);
  }
  return { format, file: spec.slice(eq + 1) };
}
