import pc from 'picocolors';
import type { Finding, ScanReport } from '../model/report';
import type { ScanError } from '../sources/source';
import type { RenderOptions } from './index';
import { isLiveLocation, liveLocator } from '../model/location';
import { compareFindings, compareStrings, describeExpiredSuppression, describeSuppression, errorText, formatLocation, resourceLabel } from './shared';
import { printable } from './printable';
import { displayWidth, truncateEnd, truncateMiddle, wrap } from './terminal-width';

export { printable };

type Colors = ReturnType<typeof pc.createColors>;

interface Row {
  finding: Finding;
  location: string;
  verdict: string;
  rule: string;
  resource: string;
  /** The message, escaped. */
  text: string;
  /** A suppressed finding's verdict and suppression, escaped: `[fail suppressed inline (…): reason]`. */
  note?: string;
  /** Said on a line of its own under the row, so no cut hides it. */
  expired?: string;
}

type Widths = Record<'location' | 'verdict' | 'rule' | 'risk' | 'resource', number>;

/** Files listed by name in the summary; the rest are counted. */
const TOP_FILES = 5;
/** A finding row's resource column, at most this share of what the fixed columns leave. */
const RESOURCE_SHARE = 0.4;
/**
 * Messages stay beside the columns when at least this share of them fits there whole; otherwise
 * (an 80-column terminal leaves ~20 columns, most messages are 60-150) each goes on the lines under
 * its row, at most MESSAGE_LINES of them, as Checkov and Trivy print a finding as a block.
 */
const FIT_BESIDE = 0.9;
const MESSAGE_LINES = 2;

/**
 * Human output, in the order a person reads it on a terminal whose end is what stays on screen:
 * findings grouped by file (for live audits, by `aws://ACCOUNT/REGION`) and ordered by line, each
 * file led by its counts; then notes, warnings (which don't change the exit code), errors (which
 * make it 2); then the summary: counts per rule, the files with most findings, and one line of totals.
 *
 * With `width` (a terminal) finding rows are cut to it and other lines wrapped; without it, or
 * with `verbose`, lines are whole. Passes are only counted unless `verbose`; unknown verdicts are
 * always listed, since an unknown is a check that could not conclude, not a pass.
 */
export function renderText(report: ScanReport, options: RenderOptions): string {
  const c = pc.createColors(options.color);
  const width = options.verbose || !options.width || options.width <= 0 ? undefined : options.width;
  const shown = report.findings.filter((f) => options.verbose || f.result !== 'pass').sort(compareFindings);
  const rows: Row[] = shown.map((finding) => {
    const expired = describeExpiredSuppression(finding);
    return {
      finding,
      location: formatPosition(finding),
      verdict: finding.suppressed ? 'SUPPRESSED' : finding.result.toUpperCase(),
      rule: printable(finding.ruleId),
      resource: printable(resourceLabel(finding)),
      // The original verdict stays visible, so a suppressed unknown still reads as "unknown".
      text: printable(finding.message),
      ...(finding.suppressed ? { note: printable(`[${finding.result} ${describeSuppression(finding)}]`) } : {}),
      ...(expired ? { expired: printable(expired) } : {}),
    };
  });

  // Columns are measured and padded before colouring so escape codes never skew the alignment.
  const widths: Widths = {
    location: maxWidth(rows.map((r) => r.location)),
    verdict: maxWidth(rows.map((r) => r.verdict)),
    rule: maxWidth(rows.map((r) => r.rule)),
    risk: maxWidth(rows.map((r) => r.finding.risk)),
    resource: maxWidth(rows.map((r) => r.resource)),
  };
  const layout = width === undefined ? undefined : fitColumns(widths, width, rows);

  const lines: string[] = [];
  let cut = false;
  const counts = countByFile(report.findings);
  let currentFile: string | undefined;
  for (const row of rows) {
    if (row.finding.location.file !== currentFile) {
      if (currentFile !== undefined) lines.push('');
      currentFile = row.finding.location.file;
      const tally = describeCounts(counts.get(currentFile));
      const name = printable(currentFile);
      if (width === undefined || displayWidth(`${name}  ${tally}`) <= width) lines.push(`${c.underline(name)}${tally ? `  ${c.dim(tally)}` : ''}`);
      else lines.push(...wrap(name, width, '    ').map((l) => c.underline(l)), ...(tally ? wrap(`  ${tally}`, width, '    ').map((l) => c.dim(l)) : []));
    }
    const formatted = formatRow(row, widths, layout, c);
    lines.push(...formatted.lines);
    cut ||= formatted.cut;
    if (row.expired) {
      const indent = messageIndent(widths);
      for (const line of fitWrapped(`${indent}${row.expired}`, width, indent)) lines.push(c.yellow(line));
    }
  }

  if (report.notes && report.notes.length > 0) {
    section(lines, [{ text: 'Notes', style: c.bold }], width);
    for (const note of report.notes) {
      const where = note.account ? liveLocator(note.account, note.region) : note.file ? formatLocation(note.file, note.line) : undefined;
      lines.push(...fitWrapped(`  ${where === undefined ? '' : `${printable(where)}: `}${printable(note.message)}`, width, '    '));
    }
  }
  if (report.warnings && report.warnings.length > 0) {
    section(lines, [{ text: 'Warnings', style: (t) => c.bold(c.yellow(t)) }, { text: "(they don't change the exit code)", style: c.dim }], width);
    for (const warning of sortErrors(report.warnings)) lines.push(...fitWrapped(problemLine(warning), width, '    '));
  }
  if (report.errors.length > 0) {
    section(lines, [{ text: 'Errors', style: (t) => c.bold(c.red(t)) }, { text: '(the scan is incomplete: exit code 2)', style: c.dim }], width);
    for (const error of sortErrors(report.errors)) lines.push(...fitWrapped(problemLine(error), width, '    '));
  }

  const summary = summaryLines(report, counts, width, c);
  if (lines.length > 0 && summary.length > 0) lines.push('');
  lines.push(...summary);
  if (lines.length > 0) lines.push('');
  lines.push(...fitPhrases(formatTotals(report, c), width, '  '));
  if (options.failOn) {
    const failing = report.summary.failing;
    const text =
      options.failOn === 'None'
        ? `${count(failing)} failing; none makes the exit code 1 (--fail-on none)`
        : `${count(failing)} failing at or above ${options.failOn} (--fail-on ${options.failOn})`;
    const color = failing > 0 && options.failOn !== 'None' ? c.red : c.green;
    lines.push(...fitWrapped(text, width, '  ').map((l) => color(l)));
  }
  if (width !== undefined && cut) lines.push(...fitWrapped(`Lines are cut to the terminal's ${width} columns; --verbose shows them whole.`, width, '  ').map((l) => c.dim(l)));
  return lines.join('\n');
}

function section(lines: string[], heading: Phrase[], width: number | undefined): void {
  if (lines.length > 0) lines.push('');
  lines.push(...fitPhrases(heading, width, '  '));
}

function problemLine(e: ScanError): string {
  return `  ${printable(formatLocation(e.file, e.line))}: ${printable(errorText(e))}`;
}

function sortErrors(errors: readonly ScanError[]): ScanError[] {
  return [...errors].sort((a, b) => compareStrings(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0));
}

/** How rows fit a terminal: the resource column's width, and whether messages go under the row. */
interface Layout {
  width: number;
  resource: number;
  messageBelow: boolean;
}

/**
 * The resource column takes at most RESOURCE_SHARE of what the fixed columns leave; when fewer
 * than FIT_BESIDE of the messages would then fit beside it whole, messages go under their rows and
 * the resource takes the whole rest of the line.
 */
function fitColumns(w: Widths, width: number, rows: readonly Row[]): Layout {
  const fixed = 2 + (w.location > 0 ? w.location + 2 : 0) + w.verdict + 2 + w.rule + 2 + w.risk + 2;
  const left = width - fixed;
  const resource = Math.min(w.resource, Math.floor((left - 2) * RESOURCE_SHARE));
  const room = left - 2 - resource;
  const fits = rows.filter((r) => displayWidth(r.note ? `${r.text}  ${r.note}` : r.text) <= room).length;
  if (room > 0 && fits >= rows.length * FIT_BESIDE) return { width, resource, messageBelow: false };
  return { width, resource: Math.max(1, Math.min(w.resource, left)), messageBelow: true };
}

/** Under a row: aligned with the verdict column. */
function messageIndent(w: Widths): string {
  return ' '.repeat(4 + (w.location > 0 ? w.location + 2 : 0));
}

/** The row's lines (one, or with a terminal too narrow, the columns and the message under them), and whether something was cut. */
function formatRow(row: Row, w: Widths, layout: Layout | undefined, c: Colors): { lines: string[]; cut: boolean } {
  const f = row.finding;
  const resource = layout === undefined ? row.resource : truncateMiddle(row.resource, layout.resource);
  const lead = [
    // Live findings have no line: the column is left out rather than shown empty.
    ...(w.location > 0 ? [padStart(row.location, w.location)] : []),
    padEnd(row.verdict, w.verdict),
    padEnd(row.rule, w.rule),
    padEnd(f.risk, w.risk),
    padEnd(resource, layout?.resource ?? w.resource),
  ];
  // The original verdict stays visible in the note, so a suppressed unknown still reads as "unknown".
  const whole = row.note ? `${row.text}  ${row.note}` : row.text;
  let text = [whole];
  let cut = resource !== row.resource;
  if (layout && !layout.messageBelow) {
    text = [truncateEnd(whole, Math.max(1, layout.width - displayWidth(`  ${lead.join('  ')}  `)))];
    cut ||= text[0] !== whole;
  } else if (layout) {
    // Under the row, the suppression gets lines of its own: its reason is what a reader checks.
    text = [];
    for (const part of row.note ? [row.text, row.note] : [row.text]) {
      const below = wrapAtMost(part, layout.width, messageIndent(w), MESSAGE_LINES);
      text.push(...below.lines);
      cut ||= below.cut;
    }
  }
  const style = f.suppressed ? c.dim : (t: string) => t;
  if (!f.suppressed) {
    const verdictAt = w.location > 0 ? 1 : 0;
    lead[verdictAt] = colorVerdict(f, lead[verdictAt]!, c);
  }
  if (layout?.messageBelow) return { lines: [style(`  ${lead.join('  ')}`.trimEnd()), ...text.map(style)], cut };
  return { lines: [style(`  ${[...lead, text[0]!].join('  ')}`.trimEnd())], cut };
}

/** The text wrapped under a row (every line led by `indent`), at most `max` lines, the last cut. */
function wrapAtMost(text: string, width: number, indent: string, max: number): { lines: string[]; cut: boolean } {
  const lines = wrap(`${indent}${text}`, width, indent);
  if (lines.length <= max) return { lines, cut: false };
  const rest = lines.slice(max - 1).map((l) => l.trim()).join(' ');
  return { lines: [...lines.slice(0, max - 1), truncateEnd(`${indent}${rest}`, width)], cut: true };
}

/** Wrapped to the width when there is one; whole otherwise. */
function fitWrapped(text: string, width: number | undefined, indent: string): string[] {
  return width === undefined ? [text] : wrap(text, width, indent);
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

interface Tally {
  fail: number;
  unknown: number;
  suppressed: number;
  expired: number;
}

function emptyTally(): Tally {
  return { fail: 0, unknown: 0, suppressed: 0, expired: 0 };
}

function add(t: Tally, f: Finding): void {
  if (f.suppressed) t.suppressed++;
  else if (f.result === 'fail') t.fail++;
  else if (f.result === 'unknown') t.unknown++;
  if (f.expiredSuppression) t.expired++;
}

function countByFile(findings: readonly Finding[]): Map<string, Tally> {
  const byFile = new Map<string, Tally>();
  for (const f of findings) {
    let t = byFile.get(f.location.file);
    if (!t) byFile.set(f.location.file, (t = emptyTally()));
    add(t, f);
  }
  return byFile;
}

/** `2 failed, 1 unknown, 1 suppressed`, leaving out zeros; empty when all are zero. */
function describeCounts(t: Tally | undefined): string {
  if (!t) return '';
  return [
    t.fail > 0 ? `${count(t.fail)} failed` : '',
    t.unknown > 0 ? `${count(t.unknown)} unknown` : '',
    t.suppressed > 0 ? `${count(t.suppressed)} suppressed` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * Counts per rule (a table) and the files with most findings: what a person reads first on a
 * report of thousands. Absent when nothing failed, was unknown or suppressed.
 */
function summaryLines(report: ScanReport, byFile: Map<string, Tally>, width: number | undefined, c: Colors): string[] {
  const byRule = new Map<string, Tally & { risk: string; files: Set<string> }>();
  for (const f of report.findings) {
    if (f.result === 'pass' && !f.suppressed && !f.expiredSuppression) continue;
    let t = byRule.get(f.ruleId);
    if (!t) byRule.set(f.ruleId, (t = { ...emptyTally(), risk: f.risk, files: new Set() }));
    add(t, f);
    if (!f.suppressed && f.result !== 'pass') t.files.add(f.location.file);
  }
  if (byRule.size === 0) return [];
  const rules = [...byRule].sort(([a, x], [b, y]) => y.fail - x.fail || y.unknown - x.unknown || compareStrings(a, b));
  const live = report.findings.every((f) => isLiveLocation(f.location));
  const header = ['Rule', 'Risk', 'Failed', 'Unknown', 'Suppressed', live ? 'Regions' : 'Files'];
  const table = [
    header,
    ...rules.map(([id, t]) => [printable(id), t.risk, count(t.fail), count(t.unknown), count(t.suppressed), count(t.files.size)]),
  ];
  const colWidths = header.map((_, i) => maxWidth(table.map((r) => r[i]!)));
  const tableWidth = 2 + colWidths.reduce((sum, w) => sum + w, 0) + 2 * (colWidths.length - 1);
  const lines =
    width === undefined || tableWidth <= width
      ? table.map((r, i) => {
          const cells = r.map((cell, j) => (j < 2 ? padEnd(cell, colWidths[j]!) : padStart(cell, colWidths[j]!)));
          const line = `  ${cells.join('  ')}`;
          return i === 0 ? c.dim(line) : line;
        })
      : // Narrower than the table: a line per rule.
        rules.flatMap(([id, t]) => {
          const places = `${many(t.files.size, live ? 'region' : 'file')}`;
          const text = `  ${printable(id)} (${t.risk}): ${count(t.fail)} failed, ${count(t.unknown)} unknown, ${count(t.suppressed)} suppressed, in ${places}`;
          return wrap(text, width, '    ');
        });
  lines.unshift(c.bold('Summary'));

  const files = [...byFile]
    .map(([file, t]) => ({ file, n: t.fail + t.unknown }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n || compareStrings(a.file, b.file));
  if (files.length > 1) {
    const top: Phrase[] = files.slice(0, TOP_FILES).map((x, i, all) => ({ text: `${printable(x.file)} ${count(x.n)}`, after: i < all.length - 1 ? ' ·' : '' }));
    if (files.length > TOP_FILES) top.push({ text: `(and ${many(files.length - TOP_FILES, 'more file')})` });
    lines.push(...fitPhrases([{ text: '  Most failed or unknown:' }, ...top], width, '    '));
  }
  const expired = report.findings.filter((f) => f.expiredSuppression).length;
  if (expired > 0) {
    const text = `  ${count(expired)} ${expired === 1 ? 'suppression has' : 'suppressions have'} expired: the findings count again (each says so above).`;
    lines.push(...fitWrapped(text, width, '    ').map((l) => c.yellow(l)));
  }
  return lines;
}

/**
 * `2 failed, 1 unknown, 5 passed, 1 suppressed — 8 resources in 6 files, 1 error`; a live audit
 * reads no files: `— 8 resources, 1 error, 2 notes`.
 */
function formatTotals(report: ScanReport, c: Colors): Phrase[] {
  const s = report.summary;
  const { notes } = report;
  const phrase = (text: string, style?: (t: string) => string): Phrase => ({ text, style });
  const phrases = [
    phrase(`${count(s.fail)} failed`, s.fail > 0 ? (t) => c.red(c.bold(t)) : undefined),
    phrase(`${count(s.unknown)} unknown`, s.unknown > 0 ? c.yellow : undefined),
    phrase(`${count(s.pass)} passed`, c.green),
    phrase(`${count(s.suppressed)} suppressed —`, (t) => `${c.dim(t.slice(0, -2))} —`),
    phrase(notes && s.filesScanned === 0 ? many(s.resources, 'resource') : `${many(s.resources, 'resource')} in ${many(s.filesScanned, 'file')}`),
    phrase(many(s.errors, 'error'), s.errors > 0 ? c.red : undefined),
    ...(report.warnings && report.warnings.length > 0 ? [phrase(many(report.warnings.length, 'warning'), c.yellow)] : []),
    ...(notes && notes.length > 0 ? [phrase(many(notes.length, 'note'))] : []),
  ];
  // Commas between phrases, except after the dash.
  return phrases.map((p, i) => (i < phrases.length - 1 && !p.text.endsWith('—') ? { ...p, after: ',' } : p));
}

/** A piece of a line that is never split, with its colour; `after` (a comma, a dot) follows it uncoloured. */
interface Phrase {
  text: string;
  style?: (text: string) => string;
  after?: string;
}

/** Phrases joined by spaces into lines of at most `width` columns (one line without a width), later lines led by `indent`. */
function fitPhrases(phrases: Phrase[], width: number | undefined, indent: string): string[] {
  const lines: string[] = [];
  let plain = '';
  let styled = '';
  for (const p of phrases) {
    const text = `${p.text}${p.after ?? ''}`;
    const shown = `${p.style ? p.style(p.text) : p.text}${p.after ?? ''}`;
    if (plain !== '' && width !== undefined && displayWidth(`${plain} ${text}`) > width) {
      lines.push(styled);
      plain = `${indent}${text}`;
      styled = `${indent}${shown}`;
    } else {
      plain = plain === '' ? text : `${plain} ${text}`;
      styled = styled === '' ? shown : `${styled} ${shown}`;
    }
  }
  lines.push(styled);
  return lines;
}

/** `1,234`: thousands are read at a glance. */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

function many(n: number, singular: string): string {
  return `${count(n)} ${n === 1 ? singular : `${singular}s`}`;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

function maxWidth(values: string[]): number {
  return values.reduce((max, v) => Math.max(max, displayWidth(v)), 0);
}
