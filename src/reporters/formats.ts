// The report formats' names alone, so the command line can list and check them without loading
// the reporters.
export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'gitlab-sast', 'csv', 'ocsf', 'asff'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The format a report file's name implies (`-o results.sarif`), when its extension says. */
export function formatForFile(file: string): ReportFormat | undefined {
  const name = file.toLowerCase();
  if (name.endsWith('.sarif') || name.endsWith('.sarif.json')) return 'sarif';
  // GitLab's own name for a SAST report artifact.
  if (/(^|[\\/])gl-sast-report\.json$/.test(name)) return 'gitlab-sast';
  if (name.endsWith('.ocsf.json') || name.endsWith('.ocsf')) return 'ocsf';
  if (name.endsWith('.asff.json') || name.endsWith('.asff')) return 'asff';
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.xml')) return 'junit';
  if (name.endsWith('.txt') || name.endsWith('.log')) return 'text';
  return undefined;
}
