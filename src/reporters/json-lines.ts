import { safeJson } from './printable';

/**
 * A JSON array with one compact element per line: what `aws securityhub batch-import-findings
 * --findings file://…` and OCSF consumers read, and still a finding per line for a person or grep.
 * Indented JSON of 50,000 findings was 150 MB and 5 s to write; this is a third of the size and time.
 */
export function jsonArrayLines(items: readonly unknown[]): string {
  if (items.length === 0) return '[]';
  return `[\n${items.map((item) => safeJson(item)).join(',\n')}\n]`;
}
