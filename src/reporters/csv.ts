import { compareFindings, findingKey, liveIdentityOf, type Finding, type ScanReport } from '../model/report';

/** The columns, in order: one row per finding. */
export const CSV_COLUMNS = [
  'key',
  'rule',
  'verdict',
  'risk',
  'resource_type',
  'resource_id',
  'account',
  'region',
  'file',
  'line',
  'message',
  'suppressed',
  'suppression_reason',
  'suppression_expires',
] as const;

/**
 * What a spreadsheet would read as the start of a formula (OWASP "CSV injection": = + - @, tab and
 * carriage return), and the full-width forms some spreadsheets fold into them. Such a cell gets a
 * leading `'`, which spreadsheets show as text and don't evaluate.
 */
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;
/**
 * Control characters other than tab, line feed and carriage return (which a quoted cell keeps):
 * NUL, ESC, DEL, C1 controls, line separators and bidi overrides from scanned files would break
 * parsers or disguise a cell, so they are written escaped, as the text report does.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One cell: neutralised, escaped, and quoted when RFC 4180 needs it (comma, quote, CR or LF), quotes doubled. */
export function csvCell(value: string): string {
  let text = value.replace(CONTROL, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function row(f: Finding): string[] {
  const live = liveIdentityOf(f);
  const suppression = f.suppressed ? f.suppression : undefined;
  return [
    findingKey(f),
    f.ruleId,
    f.result,
    f.risk,
    f.resource.type,
    f.resource.id,
    live?.account ?? '',
    live?.region ?? '',
    f.location.file,
    live ? '' : String(f.location.line),
    f.message,
    f.suppressed ? 'true' : 'false',
    suppression?.reason ?? '',
    suppression?.expires ?? '',
  ];
}

/**
 * RFC 4180 CSV: a header row, then one row per finding in the report's one order; records end with
 * CRLF (the last one too), every cell made safe for spreadsheets (see csvCell). Errors and notes are
 * not findings and are left to the other formats.
 */
export function renderCsv(report: ScanReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const f of [...report.findings].sort(compareFindings)) lines.push(row(f).map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}
