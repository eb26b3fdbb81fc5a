// `cloudconform report`: posture from the history's latest run (or --run ID), or from JSON reports
// given as files (several are assessed as one: a scan and an audit). `--standard ID` prints each
// requirement of a compliance standard as pass / fail / unknown / not assessed with the findings
// behind it; `--html FILE` writes the self-contained HTML report (src/reporters/html).
//
// Exit codes, as scan's: 0 no requirement fails (unknown and not assessed don't fail the command,
// as an unknown verdict doesn't fail a scan without --fail-on-unknown), 1 a requirement fails,
// 2 bad input (an unknown standard, an unreadable report or history). Peers differ only in the
// number: Prowler's compliance run exits 3 when a check fails.
import pc from 'picocolors';
import { assess, countStatuses, findStandard, listStandards, unionOfReports, verdictOf, type AssessedRequirement, type StandardData } from '../compliance/index';
import type { RequirementStatus } from '../compliance/types';
import type { RunComparison, RunSummary } from '../history/types';
import { isLiveLocation } from '../model/location';
import { compareFindings, type Finding, type ScanReport } from '../model/report';
import { printable, safeJson } from '../reporters/printable';
import { describeExpiredSuppression, describeSuppression, formatLocation, resourceLabel } from '../reporters/shared';
import { useColor, writeError } from './terminal';

export interface PostureReportOptions {
  standard?: string;
  html?: string;
  run?: string;
  db?: string;
  format?: 'text' | 'json';
  color?: boolean;
}

/** Findings listed per rule under one requirement in text (failures first); JSON lists them all. */
const TEXT_FINDINGS_PER_RULE = 10;

/** Bad input: said on standard error, exit 2. */
class InputError extends Error {}

export async function runPostureReportCommand(files: string[], opts: PostureReportOptions): Promise<number> {
  const format = opts.format === 'json' ? 'json' : 'text';
  if (opts.standard !== undefined && opts.standard.trim().toLowerCase() === 'list') {
    process.stdout.write(renderStandardList(format));
    return 0;
  }
  let standard: StandardData | undefined;
  if (opts.standard !== undefined) {
    standard = findStandard(opts.standard);
    if (!standard) {
      writeError(`unknown standard '${opts.standard}'. Standards: ${listStandards().map((s) => s.id).join(', ')} (cloudconform report --standard list)`);
      return 2;
    }
  }
  if (!standard && opts.html === undefined) {
    writeError("say what to report: --standard ID (cloudconform report --standard list) or --html FILE");
    return 2;
  }
  let input: Inputs;
  try {
    input = await loadInputs(files, opts);
  } catch (e) {
    if (e instanceof Error && (e instanceof InputError || ['ReportFileError', 'HistoryError', 'HistoryMissingError', 'HistoryUnavailableError'].includes(e.name))) {
      writeError(e.message);
      return 2;
    }
    throw e;
  }
  const union = unionOfReports(input.reports);

  if (opts.html !== undefined) {
    // The HTML report (helper W's renderer): every standard, or the one asked for.
    const code = await writeHtmlReport(opts.html, input, standard ? [standard] : listStandards(), union);
    if (code !== 0 || !standard) return code;
  }

  const results = assess(standard!, union);
  const color = opts.color !== false && useColor(process.stdout);
  process.stdout.write(format === 'json' ? renderJson(standard!, results, input.sources) : renderText(standard!, results, input.sources, color));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

interface Inputs {
  reports: ScanReport[];
  /** Where each report comes from, for people: the file, or the recorded run. */
  sources: string[];
  /** From the history: the runs of the report's scope, oldest first, and its comparison with the previous one. */
  runs?: RunSummary[];
  comparison?: RunComparison;
}

async function loadInputs(files: string[], opts: PostureReportOptions): Promise<Inputs> {
  if (files.length > 0) {
    if (opts.run !== undefined) throw new InputError('--run picks a run from the history: give it or report files, not both');
    const { readReportFile } = await import('../history/report-file');
    return { reports: files.map((file) => readReportFile(file)), sources: files };
  }
  // The history is loaded only here: better-sqlite3 is a native module a file-only user may lack.
  const { openHistory, defaultHistoryPath } = await import('../history/store');
  const path = opts.db ?? defaultHistoryPath();
  const store = openHistory({ path, readonly: true });
  try {
    const id = opts.run ?? store.runs({ limit: 1 })[0]?.run.id;
    if (id === undefined) throw new InputError(`no runs recorded yet in ${path}: run cloudconform scan or audit first, or give JSON reports`);
    const report = store.report(id);
    if (!report) throw new InputError(`no run '${id}' in ${path} (cloudconform history lists them)`);
    const scope = report.run?.scope;
    const source = `run ${id}${scope ? ` (${scope.label})` : ''}${report.run ? `, ${report.run.startedAt}` : ''}`;
    // The trend: the scope's newest 1,000 runs up to this one, oldest first (by position: two ids
    // of the same second don't sort by time).
    let runs: RunSummary[] | undefined;
    if (opts.html !== undefined && scope) {
      const newest = store.runs({ scopeKey: scope.key, limit: 1000 });
      const at = newest.findIndex((r) => r.run.id === id);
      runs = (at >= 0 ? newest.slice(at) : newest.filter((r) => r.run.startedAt <= report.run!.startedAt)).reverse();
    }
    const comparison = opts.html !== undefined ? store.comparison(id) : undefined;
    return { reports: [report], sources: [source], ...(runs ? { runs } : {}), ...(comparison ? { comparison } : {}) };
  } finally {
    store.close();
  }
}

/** `--html FILE`: the renderer and its input are helper W's (src/reporters/html); this only writes the file. */
async function writeHtmlReport(file: string, input: Inputs, standards: readonly StandardData[], union: ReturnType<typeof unionOfReports>): Promise<number> {
  const { renderHtmlReport } = await import('../reporters/html/index');
  const html = renderHtmlReport({
    reports: input.reports,
    sources: input.sources,
    ...(input.runs ? { runs: input.runs } : {}),
    ...(input.comparison ? { comparison: input.comparison } : {}),
    standards: standards.map((standard) => ({ standard, results: assess(standard, union) })),
  });
  try {
    // Folders made, a symbolic link at FILE refused, written whole or not at all (write-file.ts).
    const { writeHtmlFile } = await import('../reporters/html/write-file');
    writeHtmlFile(file, html);
  } catch (e) {
    writeError((e as Error).message);
    return 2;
  }
  return 0;
}

/** Failures first, then unknowns, then suppressed findings (a stable sort keeps the finding order within each). */
const BEHIND_ORDER: Readonly<Record<ReturnType<typeof verdictOf>, number>> = { fail: 0, unknown: 1, suppressed: 2, pass: 3 };

const STATUS_LABEL: Readonly<Record<RequirementStatus, string>> = { fail: 'FAIL', unknown: 'UNKNOWN', pass: 'PASS', 'not-assessed': 'NOT ASSESSED' };

function renderText(standard: StandardData, results: AssessedRequirement[], sources: string[], color: boolean): string {
  const c = pc.createColors(color);
  const paint: Readonly<Record<RequirementStatus, (s: string) => string>> = { fail: c.red, unknown: c.yellow, pass: c.green, 'not-assessed': c.dim };
  const labelWidth = Math.max(...results.map((r) => STATUS_LABEL[r.status].length));
  const idWidth = Math.max(...results.map((r) => printable(r.requirement.id).length));
  const indent = ' '.repeat(labelWidth + 2);
  const lines = [c.bold(`${printable(standard.name)} ${printable(standard.version)} (${standard.id})`), `From: ${sources.map(printable).join('; ')}`, ''];
  for (const r of results) {
    lines.push(`${paint[r.status](STATUS_LABEL[r.status].padEnd(labelWidth))}  ${c.bold(printable(r.requirement.id).padEnd(idWidth))}  ${printable(r.requirement.title)}`);
    const rules = r.requirement.rules.length > 0 ? `${r.requirement.rules.map(printable).join(', ')}: ` : '';
    lines.push(`${indent}${rules}${printable(r.why)}`);
    // Behind a verdict that isn't a pass: per rule, what failed, then what is unknown or suppressed
    // (passes are counted), so one rule's many failures can't hide another's.
    for (const ruleId of r.requirement.rules) {
      const behind = r.findings.filter((f) => f.ruleId === ruleId && verdictOf(f) !== 'pass').sort((a, b) => BEHIND_ORDER[verdictOf(a)] - BEHIND_ORDER[verdictOf(b)]);
      for (const f of behind.slice(0, TEXT_FINDINGS_PER_RULE)) lines.push(...findingLines(f, indent, c));
      if (behind.length > TEXT_FINDINGS_PER_RULE) lines.push(`${indent}… and ${behind.length - TEXT_FINDINGS_PER_RULE} more of ${printable(ruleId)} (--format json lists them all)`);
    }
  }
  const counts = countStatuses(results);
  lines.push(
    '',
    `${results.length} requirements: ${counts.fail} fail, ${counts.unknown} unknown, ${counts.pass} pass, ${counts['not-assessed']} not assessed.`,
    'A requirement passes only when its rules ran on resources and none failed; not assessed is never a pass.',
  );
  return lines.join('\n') + '\n';
}

function findingLines(f: Finding, indent: string, c: ReturnType<typeof pc.createColors>): string[] {
  const verdict = verdictOf(f);
  const where = isLiveLocation(f.location) ? f.location.file : formatLocation(f.location.file, f.location.line, f.location.column);
  const label = verdict === 'fail' ? c.red('fail') : verdict === 'unknown' ? c.yellow('unknown') : c.dim('suppressed');
  const lines = [`${indent}- ${label} ${printable(f.ruleId)} ${printable(resourceLabel(f))} (${printable(where)})`, `${indent}  ${printable(f.message)}`];
  if (verdict === 'suppressed') lines.push(`${indent}  ${printable(`[${f.result} ${describeSuppression(f)}]`)}`);
  const expired = describeExpiredSuppression(f);
  if (expired) lines.push(`${indent}  ${printable(expired)}`);
  return lines;
}

/**
 * JSON: each requirement with its status, why, and the counts of its findings by verdict; the
 * findings once, after them (a requirement's findings are those of its `rules`). Listing them under
 * every requirement wrote 148 MB for 50,000 findings and PCI DSS 3.2.1's five requirements.
 */
function renderJson(standard: StandardData, results: AssessedRequirement[], sources: string[]): string {
  const ruleIds = new Set(results.flatMap((r) => r.requirement.rules));
  const findings = [...new Set(results.flatMap((r) => r.findings))].filter((f) => ruleIds.has(f.ruleId)).sort(compareFindings);
  return (
    safeJson(
      {
        standard: { id: standard.id, name: standard.name, version: standard.version, ...(standard.url ? { url: standard.url } : {}) },
        sources,
        summary: countStatuses(results),
        requirements: results.map((r) => {
          const counts = { fail: 0, unknown: 0, suppressed: 0, pass: 0 };
          for (const f of r.findings) counts[verdictOf(f)]++;
          return {
            id: r.requirement.id,
            title: r.requirement.title,
            status: r.status,
            why: r.why,
            rules: r.requirement.rules,
            source: r.requirement.source,
            ...(r.requirement.reasoning ? { reasoning: r.requirement.reasoning } : {}),
            findings: counts,
          };
        }),
        findings,
      },
      2,
    ) + '\n'
  );
}

function renderStandardList(format: 'text' | 'json'): string {
  const standards = listStandards();
  if (format === 'json') {
    return (
      JSON.stringify(
        standards.map((s) => ({ id: s.id, name: s.name, version: s.version, url: s.url, aliases: s.aliases, requirements: s.requirements.length })),
        null,
        2,
      ) + '\n'
    );
  }
  const width = Math.max(...standards.map((s) => s.id.length));
  return standards.map((s) => `${s.id.padEnd(width)}  ${s.name} ${s.version}${s.aliases.length ? `  (also: ${s.aliases.join(', ')})` : ''}`).join('\n') + '\n';
}
