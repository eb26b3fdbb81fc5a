import { writeFileSync } from 'node:fs';
import { ConfigError, findConfig, parseRisk } from '../engine/config';
import { isFailing, scan } from '../engine/scan';
import type { ScanReport } from '../engine/report';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../reporters/index';
import { findRule } from '../rules/index';
import { useColor } from './terminal';
import { ProgressLine } from './progress';

export interface ScanCommandOptions {
  format: ReportFormat;
  output: string[];
  failOn?: string;
  failOnUnknown?: boolean;
  config?: string;
  rules?: string;
  var: string[];
  varFile: string[];
  jobs?: number;
  maxFileSize?: number;
  verbose?: boolean;
  quiet?: boolean;
  color: boolean;
}

class UsageError extends Error {}

/** Runs `cloudconform scan` and returns the exit code: 0 nothing failed, 1 failures, 2 incomplete or bad usage. */
export async function runScanCommand(paths: string[], opts: ScanCommandOptions): Promise<number> {
  try {
    const outputs = opts.output.map(parseOutput);
    const config = findConfig(opts.config, process.cwd());
    const failOn = opts.failOn ? parseRisk(opts.failOn, '--fail-on') : (config.failOn ?? 'Low');
    const ruleIds = opts.rules?.split(',').map((id) => {
      const rule = findRule(id.trim());
      if (!rule) throw new UsageError(`--rules: no rule '${id.trim()}' (see 'cloudconform rules')`);
      return rule.meta.id;
    });
    const progress = new ProgressLine(!opts.quiet && process.stderr.isTTY === true);
    let report: ScanReport;
    try {
      report = await scan(paths, {
        config,
        ruleIds,
        failOn,
        jobs: opts.jobs,
        maxFileBytes: opts.maxFileSize,
        varFiles: opts.varFile,
        vars: parseVars(opts.var),
        onProgress: (done, total) => progress.update(`Scanning: ${done}/${total} inputs`),
      });
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
    if (e instanceof UsageError || e instanceof ConfigError) {
      process.stderr.write(`cloudconform: ${e.message}\n`);
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

function parseVars(specs: string[]): Record<string, string> {
  const vars: Record<string, string> = Object.create(null);
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq < 1) throw new UsageError(`--var '${spec}': expected NAME=VALUE`);
    vars[spec.slice(0, eq)] = spec.slice(eq + 1);
  }
  return vars;
}
