import pc from 'picocolors';
import type { Finding, ScanReport } from '../engine/report';
import type { RenderOptions } from './index';
import { isLiveLocation, liveLocator } from '../model/location';
import { compareFindings, compareStrings, describeSuppression, errorText, formatLocation, plural, resourceLabel } from './shared';
import { printable } from './printable';

export { printable };

type Colors = ReturnType<typeof pc.createColors>;

interface Row {
  finding: Finding;
  location: string;
  verdict: string;
  resource: string;
}

/**
 * Human output: findings grouped by file (for live audits, by `aws://ACCOUNT/REGION`) and ordered
 * by line, then notes (regions skipped), then errors, then a summary.
 * Passes are only counted unless `verbose`; unknown verdicts are always listed, since an unknown
 * is a check that could not conclude, not a pass.
 */
export function renderText(report: ScanReport, options: RenderOptions): string {
  const c = pc.createColors(options.color);
  const shown = report.findings.filter((f) => options.verbose || f.result !== 'pass').sort(compareFindings);
  const rows: Row[] = shown.map((finding) => ({
    finding,
    location: formatPosition(finding),
    verdict: finding.suppressed ? 'SUPPRESSED' : finding.result.toUpperCase(),
    resource: printable(resourceLabel(finding)),
  }));

  // Columns are padded before colouring so escape codes never skew the alignment.
  const width = {
    location: maxLength(rows.map((r) => r.location)),
    verdict: maxLength(rows.map((r) => r.verdict)),
    rule: maxLength(rows.map((r) => printable(r.finding.ruleId))),
    risk: maxLength(rows.map((r) => r.finding.risk)),
    resource: maxLength(rows.map((r) => r.resource)),
  };

  const lines: string[] = [];
  let currentFile: string | undefined;
  for (const row of rows) {
    if (row.finding.location.file !== currentFile) {
      if (currentFile !== undefined) lines.push('');
      currentFile = row.finding.location.file;
      lines.push(c.underline(printable(currentFile)));
    }
    lines.push(formatRow(row, width, c));
  }

  if (report.notes && report.notes.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(c.bold('Notes'));
    for (const note of report.notes) {
      const where = note.account ? liveLocator(note.account, note.region) : note.file ? `${note.file}${note.line ? `:${note.line}` : ''}` : 'aws';
      lines.push(`  ${printable(where)}: ${printable(note.message)}`);
    }
  }

  if (report.errors.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(c.bold(c.red('Errors')));
    const errors = [...report.errors].sort(
      (a, b) => compareStrings(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0),
    );
    for (const error of errors) {
      lines.push(`  ${printable(formatLocation(error.file, error.line))}: ${printable(errorText(error))}`);
    }
  }

  if (lines.length > 0) lines.push('');
  lines.push(formatSummary(report, c));
  if (options.failOn) {
    const failing = report.summary.failing;
    const text = `${failing} failing at or above ${options.failOn} (--fail-on ${options.failOn})`;
    lines.push(failing > 0 ? c.red(text) : c.green(text));
  }
  return lines.join('\n');
}

function formatRow(row: Row, width: Record<'location' | 'verdict' | 'rule' | 'risk' | 'resource', number>, c: Colors): string {
  const f = row.finding;
  const verdict = row.verdict.padEnd(width.verdict);
  const columns = [
    // Live findings have no line: the column is left out rather than shown empty.
    ...(width.location > 0 ? [row.location.padStart(width.location)] : []),
    f.suppressed ? verdict : colorVerdict(f, verdict, c),
    printable(f.ruleId).padEnd(width.rule),
    f.risk.padEnd(width.risk),
    row.resource.padEnd(width.resource),
    printable(f.message),
  ];
  if (!f.suppressed) return `  ${columns.join('  ')}`.trimEnd();
  // The original verdict stays visible, so a suppressed unknown still reads as "unknown".
  const note = `[${f.result} ${describeSuppression(f)}]`;
  return c.dim(`  ${columns.join('  ')}  ${printable(note)}`);
}

function colorVerdict(f: Finding, padded: string, c: Colors): string {
  switch (f.result) {
    case 'fail':
      return c.red(c.bold(padded));
    case 'unknown':
      return c.yellow(padded);
    case 'pass':
      return c.green(padded);
  }
}

function formatPosition(f: Finding): string {
  const { line, column } = f.location;
  if (isLiveLocation(f.location)) return '';
  if (!(line > 0)) return '-';
  return column && column > 0 ? `${line}:${column}` : `${line}`;
}

/**
 * `2 failed, 1 unknown, 5 passed, 1 suppressed — 8 resources in 6 files, 1 error`; a live audit
 * reads no files: `— 8 resources, 1 error, 2 notes`.
 */
function formatSummary(report: ScanReport, c: Colors): string {
  const s = report.summary;
  const failed = `${s.fail} failed`;
  const unknown = `${s.unknown} unknown`;
  const verdicts = [
    s.fail > 0 ? c.red(c.bold(failed)) : failed,
    s.unknown > 0 ? c.yellow(unknown) : unknown,
    c.green(`${s.pass} passed`),
    c.dim(`${s.suppressed} suppressed`),
  ].join(', ');
  const errors = plural(s.errors, 'error');
  const { notes } = report;
  const resources = notes && s.filesScanned === 0 ? plural(s.resources, 'resource') : `${plural(s.resources, 'resource')} in ${plural(s.filesScanned, 'file')}`;
  const noted = notes && notes.length > 0 ? `, ${plural(notes.length, 'note')}` : '';
  const scope = `${resources}, ${s.errors > 0 ? c.red(errors) : errors}${noted}`;
  return `${verdicts} — ${scope}`;
}

function maxLength(values: string[]): number {
  return values.reduce((max, v) => Math.max(max, v.length), 0);
}
