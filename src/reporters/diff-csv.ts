// `cloudconform diff --format csv`: the CSV report's columns (src/reporters/csv.ts, cells made safe
// for spreadsheets there) led by a `change` column; resolved findings are shown as they last failed.
import { shownFinding, type DiffReport } from './diff-report';
import { CSV_COLUMNS, renderCsv } from './csv';

export function renderDiffCsv(diff: DiffReport): string {
  const header = CSV_COLUMNS.join(',') + '\r\n';
  const lines = [`change,${header.slice(0, -2)}`];
  for (const change of diff.changes) {
    // The CSV reporter writes the row (one definition of the columns and their escaping).
    const one = renderCsv({ version: 1, tool: diff.tool, rules: [], findings: [shownFinding(change)], errors: [], summary: EMPTY_SUMMARY });
    lines.push(`${change.change},${one.slice(header.length, -2)}`);
  }
  return lines.join('\r\n') + '\r\n';
}

const EMPTY_SUMMARY = { resources: 0, findings: 0, pass: 0, fail: 0, unknown: 0, suppressed: 0, errors: 0, filesScanned: 0, failing: 0 };
