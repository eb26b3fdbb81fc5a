import type { ScanReport } from '../model/report';
import { safeJson } from './printable';

/**
 * The JSON report is the contract itself. The top level is rebuilt key by key so that anything
 * else a caller happened to attach to the report object never leaks into the output.
 */
export function renderJson(report: ScanReport): string {
  const contract: ScanReport = {
    version: report.version,
    tool: report.tool,
    rules: report.rules,
    findings: report.findings,
    errors: report.errors,
    ...(report.warnings?.length ? { warnings: report.warnings } : {}),
    ...(report.notes ? { notes: report.notes } : {}),
    summary: report.summary,
    ...(report.run ? { run: report.run } : {}),
  };
  return safeJson(contract, 2);
}
