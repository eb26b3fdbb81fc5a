// `cloudconform export securityhub [REPORT.json | --from-history]`: see src/exporters/securityhub.ts.
import type { ScanReport } from '../model/report';
import { printable } from '../reporters/printable';
import { writeError } from './terminal';

export interface ExportCommandOptions {
  fromHistory?: boolean;
  run?: string;
  db?: string;
  profile?: string;
  endpointUrl?: string;
  region?: string;
  quiet?: boolean;
}

class ExportUsageError extends Error {}

/**
 * The report to export: the file given, or a recorded run (the latest, or `--run`) with the keys
 * the history classified resolved when it recorded it.
 */
async function loadReport(file: string | undefined, opts: ExportCommandOptions): Promise<{ report: ScanReport; resolvedKeys?: Set<string> }> {
  if (file !== undefined && opts.fromHistory) throw new ExportUsageError('give a report file or --from-history, not both');
  if (file === undefined && !opts.fromHistory) throw new ExportUsageError('give a JSON report file (cloudconform audit -f json -o audit.json) or --from-history');
  if (opts.run !== undefined && !opts.fromHistory) throw new ExportUsageError('--run is used with --from-history');
  if (file !== undefined) {
    const { readReportFile } = await import('../history/report-file');
    return { report: readReportFile(file) };
  }
  const { openHistory, defaultHistoryPath } = await import('../history/store');
  const store = openHistory({ path: opts.db ?? defaultHistoryPath(), readonly: true });
  try {
    const runId = opts.run ?? store.runs({ limit: 1 })[0]?.run.id;
    if (runId === undefined) throw new ExportUsageError('the history has no recorded run');
    const report = store.report(runId);
    if (!report) throw new ExportUsageError(`no recorded run '${printable(runId).slice(0, 80)}' (cloudconform history lists them)`);
    const changes = store.comparison(runId)?.changes ?? [];
    return { report, resolvedKeys: new Set(changes.filter((c) => c.change === 'resolved').map((c) => c.key)) };
  } finally {
    store.close();
  }
}

export async function runExportSecurityHubCommand(file: string | undefined, opts: ExportCommandOptions): Promise<number> {
  let report: ScanReport;
  let resolvedKeys: Set<string> | undefined;
  try {
    ({ report, resolvedKeys } = await loadReport(file, opts));
  } catch (e) {
    // Bad usage, a report file that can't be used, a history that can't be read: said, exit 2.
    writeError(printable((e as Error).message));
    return 2;
  }
  const { exportToSecurityHub, ExportSetupError } = await import('../exporters/securityhub');
  let result;
  try {
    result = await exportToSecurityHub(report, { profile: opts.profile, endpoint: opts.endpointUrl, region: opts.region, resolvedKeys });
  } catch (e) {
    if (e instanceof ExportSetupError) {
      writeError(e.message);
      return 2;
    }
    throw e;
  }
  const where = (e: { account?: string; region?: string }) => (e.account ? `${e.account}${e.region ? `/${e.region}` : ''}: ` : '');
  // Accounts, regions and Ids can come from the report file: escaped like everything else.
  for (const n of result.notes) writeError(printable(`note: ${where(n)}${n.message}`));
  for (const e of result.errors) writeError(printable(`error: ${where(e)}${e.call ? `${e.call}: ` : ''}${e.id !== undefined ? `finding ${e.id}: ` : ''}${e.message}`));
  if (!opts.quiet) {
    const imported = result.targets.reduce((n, t) => n + t.imported, 0);
    const archived = result.targets.reduce((n, t) => n + t.archived, 0);
    const lines = [`Security Hub: ${imported} finding(s) imported, ${archived} archived${result.errors.length ? `, ${result.errors.length} error(s)` : ''}`];
    for (const t of result.targets) lines.push(`  ${printable(`${t.account}/${t.region}`)}: ${t.imported} imported, ${t.archived} archived`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return result.errors.length > 0 ? 2 : 0;
}
